//! JS values in and out (wasm only), for the JS API (`crate::web::js`) and the
//! embed mode's postMessage protocol (`app/embed.rs`): results as plain
//! JS objects, and the caller's values read into the core's types with
//! errors that say which field was wrong and what was expected.

use serde::Serialize;
use wasm_bindgen::JsValue;

/// Converts a Rust value to a plain JS object: serialised to JSON and
/// parsed by the browser's `JSON.parse`, one crossing of the boundary
/// instead of one per field (several times faster than building the object
/// field by field), and exactly the JSON the native CLI prints.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, String> {
    let text = serde_json::to_string(value)
        .map_err(|e| format!("could not convert the result to JavaScript: {e}"))?;
    json_to_js(&text)
}

/// Parses JSON text (a result, a Prometheus API answer) into a JS object.
pub fn json_to_js(text: &str) -> Result<JsValue, String> {
    js_sys::JSON::parse(text)
        .map_err(|_| String::from("could not convert the result to JavaScript"))
}

/// Reading the caller's JS values into the core's types, with errors that
/// say which field was wrong and what was expected. Nothing here panics,
/// and no string longer than its limit is copied into wasm memory.
pub mod input {
    use crate::env::{Action, Selection, MAX_TEXT_CHARS};
    use crate::web::format::clip;
    use std::collections::BTreeMap;
    use wasm_bindgen::{JsCast, JsValue};

    /// Longest PromQL expression accepted, in UTF-16 code units.
    pub const MAX_EXPRESSION_CHARS: usize = 16 * 1024;
    /// Most parameters an action may carry.
    pub const MAX_PARAMETERS: usize = 16;
    pub use crate::rng::MAX_SAFE_SEED as MAX_SEED;
    /// Largest absolute time accepted, in simulated seconds (year 5138).
    const MAX_ABS_SECONDS: f64 = 1e11;

    /// `typeof`, with `null` and arrays told apart.
    pub fn type_of(value: &JsValue) -> String {
        if value.is_null() {
            "null".into()
        } else if js_sys::Array::is_array(value) {
            "an array".into()
        } else {
            value
                .js_typeof()
                .as_string()
                .unwrap_or_else(|| "unknown".into())
        }
    }

    /// Whether `value` is a plain object (not null, not an array).
    pub fn is_object(value: &JsValue) -> bool {
        value.is_object() && !js_sys::Array::is_array(value) && !value.is_function()
    }

    /// The own enumerable keys of an object.
    pub fn keys(value: &JsValue) -> Vec<String> {
        match value.dyn_ref::<js_sys::Object>() {
            Some(object) => js_sys::Object::keys(object)
                .iter()
                .filter_map(|k| k.as_string())
                .collect(),
            None => Vec::new(),
        }
    }

    /// Field `name` of an object; a getter that throws is an error.
    pub fn field(object: &JsValue, name: &str) -> Result<JsValue, String> {
        js_sys::Reflect::get(object, &JsValue::from_str(name))
            .map_err(|_| format!("reading {name} failed"))
    }

    /// Requires `value` to be an object whose keys are all in `allowed`.
    pub fn object(value: &JsValue, what: &str, allowed: &[&str]) -> Result<(), String> {
        let expected = if allowed.is_empty() {
            String::from("no fields")
        } else {
            allowed.join(", ")
        };
        if !is_object(value) {
            return Err(format!(
                "{what} must be an object {{ {} }}, got {}",
                allowed.join(", "),
                type_of(value)
            ));
        }
        let keys = keys(value);
        if keys.len() > 64 {
            return Err(format!(
                "{what} has {} fields; expected {expected}",
                keys.len()
            ));
        }
        if let Some(unknown) = keys.iter().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!(
                "{what} has an unknown field {:?}; expected {expected}",
                clip(unknown)
            ));
        }
        Ok(())
    }

    /// An optional string of at most `max_chars` UTF-16 code units
    /// (`undefined` and `null` are `None`).
    pub fn text(value: &JsValue, what: &str, max_chars: usize) -> Result<Option<String>, String> {
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        let Some(string) = value.dyn_ref::<js_sys::JsString>() else {
            return Err(format!("{what} must be a string, got {}", type_of(value)));
        };
        let length = string.length() as usize;
        if length > max_chars {
            return Err(format!(
                "{what} is {length} characters long; at most {max_chars} are accepted"
            ));
        }
        Ok(value.as_string())
    }

    /// A seed: a non-negative safe integer (a number, or a BigInt up to
    /// `Number.MAX_SAFE_INTEGER`); `undefined` is 0.
    pub fn seed(value: &JsValue, what: &str) -> Result<u64, String> {
        if value.is_undefined() || value.is_null() {
            return Ok(0);
        }
        let expected = format!("an integer from 0 to {MAX_SEED}");
        if value.is_bigint() {
            let text = js_sys::BigInt::unchecked_from_js_ref(value)
                .to_string(10)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            return match text.parse::<u64>() {
                Ok(seed) if seed <= MAX_SEED => Ok(seed),
                _ => Err(format!(
                    "{what} must be {expected}, got the BigInt {}",
                    clip(&text)
                )),
            };
        }
        match value.as_f64() {
            Some(number)
                if number.is_finite()
                    && number.fract() == 0.0
                    && (0.0..=MAX_SEED as f64).contains(&number) =>
            {
                Ok(number as u64)
            }
            Some(number) => Err(format!("{what} must be {expected}, got {number}")),
            None => Err(format!("{what} must be {expected}, got {}", type_of(value))),
        }
    }

    /// An optional count from 1 to `max` (`undefined` and `null` are `None`).
    pub fn count(value: &JsValue, what: &str, max: usize) -> Result<Option<usize>, String> {
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        match value.as_f64() {
            Some(number)
                if number.is_finite()
                    && number.fract() == 0.0
                    && (1.0..=max as f64).contains(&number) =>
            {
                Ok(Some(number as usize))
            }
            Some(number) => Err(format!(
                "{what} must be an integer from 1 to {max}, got {number}"
            )),
            None => Err(format!(
                "{what} must be an integer from 1 to {max}, got {}",
                type_of(value)
            )),
        }
    }

    /// The options of `reset`: `{ scenario }` or `{ task }`, and `seed`
    /// (default 0).
    pub fn reset_options(options: &JsValue) -> Result<(Selection, u64), String> {
        if options.is_undefined() || options.is_null() {
            return Err("give { scenario } or { task }, and a seed: e.g. reset({ task: \"severity_classification\", seed: 1 })".into());
        }
        match reset_parts(options, "the options")? {
            (Some(selection), seed) => Ok((selection, seed.unwrap_or(0))),
            (None, _) => Err("give { scenario } or { task }".into()),
        }
    }

    /// The fields of a reset request (`what` is an object with at most
    /// `scenario`, `task` and `seed`), each optional; scenario and task
    /// together are an error.
    pub fn reset_parts(
        value: &JsValue,
        what: &str,
    ) -> Result<(Option<Selection>, Option<u64>), String> {
        object(value, what, &["scenario", "task", "seed"])?;
        let scenario = text(&field(value, "scenario")?, "scenario", 200)?;
        let task = text(&field(value, "task")?, "task", 200)?;
        let raw_seed = field(value, "seed")?;
        let seed = if raw_seed.is_undefined() || raw_seed.is_null() {
            None
        } else {
            Some(seed(&raw_seed, "seed")?)
        };
        let selection = match (scenario, task) {
            (Some(_), Some(_)) => return Err("give scenario or task, not both".into()),
            (Some(id), None) => Some(Selection::Scenario(id)),
            (None, Some(id)) => Some(Selection::Task(id)),
            (None, None) => None,
        };
        Ok((selection, seed))
    }

    /// An action `{ action_type, target?, parameters?, reasoning? }`.
    pub fn action(value: &JsValue, what: &str) -> Result<Action, String> {
        const ALLOWED: [&str; 4] = ["action_type", "target", "parameters", "reasoning"];
        object(value, what, &ALLOWED)?;
        // Longer texts than the environment takes are still read (up to a
        // bound) so that it can say which field is too long.
        let long = 4 * MAX_TEXT_CHARS;
        let action_type = text(
            &field(value, "action_type")?,
            &format!("{what}.action_type"),
            64,
        )?
        .ok_or_else(|| {
            format!(
                "{what}.action_type is required: one of {}",
                crate::env::ACTION_TYPES.join(", ")
            )
        })?;
        let target = text(&field(value, "target")?, &format!("{what}.target"), 200)?;
        let reasoning = text(
            &field(value, "reasoning")?,
            &format!("{what}.reasoning"),
            long,
        )?
        .unwrap_or_default();
        let mut parameters = BTreeMap::new();
        let raw = field(value, "parameters")?;
        if !(raw.is_undefined() || raw.is_null()) {
            if !is_object(&raw) {
                return Err(format!(
                    "{what}.parameters must be an object of strings, got {}",
                    type_of(&raw)
                ));
            }
            let names = keys(&raw);
            if names.len() > MAX_PARAMETERS {
                return Err(format!(
                    "{what}.parameters has {} entries; at most {MAX_PARAMETERS} are accepted",
                    names.len()
                ));
            }
            for name in names {
                let path = format!("{what}.parameters.{}", clip(&name));
                if name.chars().count() > 64 {
                    return Err(format!("{path}: a parameter name is at most 64 characters"));
                }
                if let Some(text) = text(&field(&raw, &name)?, &path, long)? {
                    parameters.insert(name, text);
                }
            }
        }
        Ok(Action {
            action_type,
            target,
            parameters,
            reasoning,
        })
    }

    /// A PromQL expression (required).
    pub fn expression(value: &JsValue) -> Result<String, String> {
        text(value, "the expression", MAX_EXPRESSION_CHARS)?
            .ok_or_else(|| String::from("the expression (a PromQL string) is required"))
    }

    /// An optional time in simulated Unix seconds (decimals allowed), as
    /// milliseconds.
    pub fn time_ms(value: &JsValue, what: &str) -> Result<Option<i64>, String> {
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        match value.as_f64() {
            Some(seconds) if seconds.is_finite() && seconds.abs() <= MAX_ABS_SECONDS => {
                Ok(Some((seconds * 1000.0).round() as i64))
            }
            Some(seconds) => Err(format!(
                "{what} must be a finite number of seconds within ±{MAX_ABS_SECONDS:e}, got {seconds}"
            )),
            None => Err(format!(
                "{what} must be a number of seconds, got {}",
                type_of(value)
            )),
        }
    }
}
