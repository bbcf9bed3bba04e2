//! The app's localStorage: versioned JSON under `firedrill.*` keys.
//!
//! Every value is stored as `{"version": N, "data": …}`. Reading never drops
//! data silently: a value that cannot be read (corrupted JSON, a shape this
//! version does not know) is moved to `firedrill.quarantine.<key>.<time>`
//! and reported; a value written by a newer version of the app is left
//! untouched and reported; a value of an older format is upgraded, where
//! the key has an upgrade ([`load_upgrading`]), and saved back in the
//! current one. Storage that is unavailable (privacy modes) or
//! full is reported too, and the app goes on without it.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The key prefix of everything the app stores.
pub const PREFIX: &str = "firedrill.";

/// What reading a key gave.
pub enum Loaded<T> {
    /// Nothing stored under the key.
    Missing,
    /// The stored value.
    Value(T),
    /// The value could not be used; the message says what happened to it.
    SetAside(String),
}

#[derive(Serialize)]
struct EnvelopeOut<'a, T> {
    version: u32,
    data: &'a T,
}

#[derive(Deserialize)]
struct EnvelopeIn {
    version: u32,
    data: serde_json::Value,
}

fn storage() -> Result<web_sys::Storage, String> {
    web_sys::window()
        .ok_or("no window")?
        .local_storage()
        .ok()
        .flatten()
        .ok_or_else(|| String::from("this browser does not let the page use localStorage"))
}

/// Whether the page may write to localStorage: a write and removal of a
/// probe key. Privacy modes and blocked site data refuse it (or throw on
/// first use): `Err((true, why))`; a full quota is `Err((false, why))`.
pub fn available() -> Result<(), (bool, String)> {
    let storage = storage().map_err(|why| (true, why))?;
    let probe = format!("{PREFIX}probe");
    storage
        .set_item(&probe, "1")
        .and_then(|()| storage.remove_item(&probe))
        .map_err(|error| match refusal(&error) {
            Refusal::Full => (
                false,
                String::from("this browser's localStorage for the page is full"),
            ),
            Refusal::Denied => (
                true,
                String::from("this browser does not let the page write to localStorage"),
            ),
        })
}

/// Why the browser refused a write.
enum Refusal {
    /// The quota is used up.
    Full,
    /// Storage is off for the page (privacy settings).
    Denied,
}

fn refusal(error: &wasm_bindgen::JsValue) -> Refusal {
    use wasm_bindgen::JsCast;
    let name = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.name()))
        .unwrap_or_default();
    if name == "QuotaExceededError" || name == "NS_ERROR_DOM_QUOTA_REACHED" {
        Refusal::Full
    } else {
        Refusal::Denied
    }
}

/// Reads `firedrill.<key>` written at `version`.
pub fn load<T: Serialize + DeserializeOwned>(key: &str, version: u32) -> Loaded<T> {
    load_upgrading(key, version, |from, _| {
        Err(format!(
            "it is in format {from}, which this version cannot read"
        ))
    })
}

/// Reads `firedrill.<key>` written at `version`, or at an older format
/// that `upgrade(format, data)` brings up to it. An upgraded value is saved
/// back at `version`; if that fails (storage full), the old one stays where
/// it is, so nothing is lost, and the upgraded value is used all the same.
pub fn load_upgrading<T: Serialize + DeserializeOwned>(
    key: &str,
    version: u32,
    upgrade: impl FnOnce(u32, serde_json::Value) -> Result<T, String>,
) -> Loaded<T> {
    let full = format!("{PREFIX}{key}");
    let Ok(storage) = storage() else {
        return Loaded::Missing;
    };
    let Ok(Some(text)) = storage.get_item(&full) else {
        return Loaded::Missing;
    };
    let problem = match serde_json::from_str::<EnvelopeIn>(&text) {
        Ok(envelope) if envelope.version > version => {
            return Loaded::SetAside(format!(
                "{full} was saved by a newer version of Firedrill (format {}, this one reads {version}); it is kept as it is and not used",
                envelope.version
            ));
        }
        Ok(envelope) if envelope.version == version => {
            match serde_json::from_value::<T>(envelope.data) {
                Ok(value) => return Loaded::Value(value),
                Err(error) => format!("its data does not fit format {version}: {error}"),
            }
        }
        Ok(envelope) => match upgrade(envelope.version, envelope.data) {
            Ok(value) => {
                let _ = save(key, version, &value);
                return Loaded::Value(value);
            }
            Err(error) => error,
        },
        Err(error) => format!("it is not valid JSON: {error}"),
    };
    Loaded::SetAside(quarantine(&storage, key, &text, &problem))
}

/// Moves an unreadable value aside and says where it went.
fn quarantine(storage: &web_sys::Storage, key: &str, text: &str, problem: &str) -> String {
    let full = format!("{PREFIX}{key}");
    let aside = format!("{PREFIX}quarantine.{key}.{}", js_sys::Date::now() as u64);
    match storage.set_item(&aside, text) {
        Ok(()) => {
            let _ = storage.remove_item(&full);
            format!("{full} could not be read ({problem}); it was moved to {aside} and the app started without it")
        }
        Err(_) => format!(
            "{full} could not be read ({problem}) and could not be moved aside (storage full); it is left in place and not used"
        ),
    }
}

/// Writes `firedrill.<key>` at `version`.
pub fn save<T: Serialize>(key: &str, version: u32, value: &T) -> Result<(), String> {
    let storage = storage()?;
    let text = serde_json::to_string(&EnvelopeOut {
        version,
        data: value,
    })
    .map_err(|e| e.to_string())?;
    storage
        .set_item(&format!("{PREFIX}{key}"), &text)
        .map_err(|error| match refusal(&error) {
            Refusal::Full => format!(
                "could not save {PREFIX}{key}: this browser's localStorage is full; it is kept in this page until it is closed (clearing other sites' data, or the quarantined firedrill.quarantine.* entries, makes room)"
            ),
            Refusal::Denied => format!("could not save {PREFIX}{key}: the browser refused it"),
        })
}
