//! Built-in scenario files fetched on demand. The app's wasm carries only
//! the listing of the built-in scenarios (the Trunk build turns the feature
//! `embed-scenarios` off), so that its first load does not grow with the
//! number of scenarios; a scenario's file (`scenarios/<file>.toml?v=<hash
//! of the listed version>`, a URL relative to the page, so the app works
//! from any folder) is fetched the first time the scenario is played and
//! handed to the catalog, which checks that it is that version, then
//! parses and validates it as an embedded file
//! ([`Catalog::load_builtin_text`](crate::scenario::Catalog::load_builtin_text)).
//!
//! Everything that starts a drill goes through [`AppState::when_ready`]
//! (the picker's and the briefing's Start, the URL's drill, scenario and
//! replay, the episode restored after a reload, embed mode) or, for the
//! embed protocol's `reset`, [`AppState::fetch_for_reset`]. Meanwhile the
//! incident area says "Loading drill…"; a failed fetch shows why, with a
//! Retry button, and nothing starts. In a build that embeds the texts (and
//! for custom scenarios, or a file fetched before) nothing is fetched and
//! the drill starts at once, as before.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::AppState;
use crate::scenario::BuiltinFile;

/// Where the fetch of the file a drill waits for stands.
#[derive(Clone, Debug, PartialEq)]
pub struct DrillLoad {
    /// The drill's public handle (never its id: the file name would tell
    /// the cause).
    pub handle: String,
    /// Why the fetch failed, once it has.
    pub failed: Option<String>,
}

/// What waits for a scenario's file: what to do once it is here.
pub(super) struct Waiting {
    id: String,
    then: Box<dyn FnOnce()>,
}

impl AppState {
    /// Runs `then` once the scenario `id` can be played: at once when it
    /// can (its text is embedded or was fetched before, it is a custom
    /// scenario, or it is not in the catalog, which `then` reports), else
    /// after fetching its file. A later call, or choosing another drill,
    /// cancels a `then` still waiting; a failed fetch leaves it waiting for
    /// Retry ([`AppState::retry_load`]).
    pub fn when_ready(&self, id: &str, then: impl FnOnce() + 'static) {
        if self.file_of(id).is_none() {
            self.cancel_load();
            then();
            return;
        }
        let already_fetching = self
            .waiting
            .with_value(|w| w.as_ref().is_some_and(|w| w.id == id))
            && self
                .drill_load
                .with_untracked(|l| l.as_ref().is_some_and(|l| l.failed.is_none()));
        self.waiting.set_value(Some(Waiting {
            id: id.to_string(),
            then: Box::new(then),
        }));
        if !already_fetching {
            self.fetch_waiting();
        }
    }

    /// Fetches again the file a drill waits for, after a failure.
    pub fn retry_load(&self) {
        self.fetch_waiting();
    }

    /// Forgets the drill waiting for its file, if any (another was chosen).
    pub fn cancel_load(&self) {
        self.load_generation.update_value(|g| *g += 1);
        self.waiting.set_value(None);
        if self.drill_load.with_untracked(Option::is_some) {
            self.drill_load.set(None);
        }
    }

    /// Whether the scenario `id` must be fetched before it is played.
    pub fn needs_fetch(&self, id: &str) -> bool {
        self.file_of(id).is_some()
    }

    /// For the embed protocol's `reset` of scenario `id` with `seed`, which
    /// replies once it is done: fetches the scenario's file (showing
    /// "Loading drill…"), or says why it could not. After a failure the
    /// drill shows the error, and its Retry starts that scenario and seed.
    pub async fn fetch_for_reset(&self, id: &str, seed: u64) -> Result<(), String> {
        let state = *self;
        let chosen = id.to_string();
        self.waiting.set_value(Some(Waiting {
            id: id.to_string(),
            then: Box::new(move || {
                if let Some(task) = state
                    .env
                    .with_value(|env| env.catalog().summary(&chosen).and_then(|s| s.task))
                {
                    state.task.set(task);
                }
                state.scenario.set(chosen);
                state.seed.set(seed);
                let _ = state.try_start();
            }),
        }));
        let generation = self.begin_fetch(id);
        let result = self.fetch_file(id).await;
        if self.load_generation.get_value() != generation {
            return match result {
                Ok(()) => Err(String::from("another drill was asked for meanwhile")),
                Err(message) => Err(message),
            };
        }
        match &result {
            Ok(()) => {
                self.waiting.set_value(None);
                self.drill_load.set(None);
            }
            Err(message) => self.fail_fetch(id, message),
        }
        result
    }

    /// The built-in file the scenario `id` still needs.
    fn file_of(&self, id: &str) -> Option<BuiltinFile> {
        self.env
            .try_with_value(|env| env.catalog().missing_file(id))
            .flatten()
    }

    /// Fetches the file of the waiting drill and, once it is here, runs
    /// what waits for it (unless it was cancelled or replaced meanwhile).
    fn fetch_waiting(&self) {
        let Some(id) = self
            .waiting
            .with_value(|w| w.as_ref().map(|w| w.id.clone()))
        else {
            return;
        };
        let generation = self.begin_fetch(&id);
        let state = *self;
        leptos::task::spawn_local(async move {
            let result = state.fetch_file(&id).await;
            if state.load_generation.get_value() != generation {
                return;
            }
            match result {
                Ok(()) => {
                    state.drill_load.set(None);
                    let waiting = state.waiting.try_update_value(Option::take).flatten();
                    if let Some(waiting) = waiting {
                        (waiting.then)();
                    }
                }
                Err(message) => state.fail_fetch(&id, &message),
            }
        });
    }

    /// Shows "Loading drill…" for `id`; returns this fetch's generation.
    fn begin_fetch(&self, id: &str) -> u64 {
        self.load_generation.update_value(|g| *g += 1);
        self.drill_load.set(Some(DrillLoad {
            handle: crate::scenario::handle_of(id),
            failed: None,
        }));
        self.load_generation.get_value()
    }

    fn fail_fetch(&self, id: &str, message: &str) {
        self.drill_load.set(Some(DrillLoad {
            handle: crate::scenario::handle_of(id),
            failed: Some(message.to_string()),
        }));
    }

    /// Fetches the file of scenario `id` and gives it to the catalog.
    async fn fetch_file(&self, id: &str) -> Result<(), String> {
        let Some(file) = self.file_of(id) else {
            return Ok(());
        };
        // The version in the query: no cache answers with another's file.
        let text = fetch_text(&format!("{}?v={}", file.path, file.version)).await?;
        self.env
            .try_with_value(|env| env.catalog().load_builtin_text(id, &text))
            .unwrap_or_else(|| Err(String::from(super::ENV_GONE)))
    }
}

/// The text at `path` (relative to the page), or why not, in words.
async fn fetch_text(path: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("there is no window to fetch from")?;
    let response = JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(|error| {
            format!(
                "the request failed ({}): check the connection",
                message_of(&error)
            )
        })?
        .dyn_into::<web_sys::Response>()
        .map_err(|_| String::from("the browser gave no response"))?;
    if !response.ok() {
        let status = match response.status_text() {
            text if text.is_empty() => response.status().to_string(),
            text => format!("{} {text}", response.status()),
        };
        return Err(format!("the server answered {status}"));
    }
    let text = response
        .text()
        .map_err(|error| message_of(&error))
        .map(JsFuture::from)?
        .await
        .map_err(|error| format!("the file could not be read ({})", message_of(&error)))?;
    text.as_string()
        .ok_or_else(|| String::from("the file is not text"))
}

/// The message of a thrown JS value.
fn message_of(error: &wasm_bindgen::JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| String::from("unknown error"))
}

/// "Loading drill…" while a drill's file is fetched; why it failed, with
/// a Retry button, if it did.
#[component]
pub fn DrillLoadStatus() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.drill_load.get().map(|load| match load.failed {
            None => view! {
                <p class="drill-loading" role="status" data-testid="drill-loading">
                    {format!("Loading drill {}…", load.handle)}
                </p>
            }
            .into_any(),
            Some(message) => view! {
                <div class="drill-load-error" role="alert" data-testid="drill-load-error">
                    <p>{format!("Drill {} could not be loaded: {message}.", load.handle)}</p>
                    <button
                        class="primary"
                        type="button"
                        data-testid="drill-load-retry"
                        on:click=move |_| state.retry_load()
                    >
                        "Retry"
                    </button>
                </div>
            }
            .into_any(),
        })
    }
}
