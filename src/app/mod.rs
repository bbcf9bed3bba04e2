//! The web app (wasm only): a Leptos single-page app that drives the core
//! locally. One context struct ([`AppState`]) holds the app's state; one
//! file per view.
//!
//! At this stage the app is the shell: the header, the drill picker (task,
//! scenario, seed) listing the core's built-in scenarios, and the incident
//! area, which shows the chosen scenario's briefing and, once started, the
//! opening state of the episode.

mod incident;
mod picker;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::env::{Env, Observation, Task};

pub use incident::IncidentArea;
pub use picker::DrillPicker;

/// The app's state, shared through the Leptos context.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The environment the app drives (scenarios and the running episode);
    /// local storage because the core's `Env` stays on the page's thread.
    pub env: StoredValue<Env, LocalStorage>,
    /// The chosen task.
    pub task: RwSignal<Task>,
    /// The chosen scenario id.
    pub scenario: RwSignal<String>,
    /// The chosen seed.
    pub seed: RwSignal<u64>,
    /// The running episode's latest observation, if one was started.
    pub observation: RwSignal<Option<Observation>>,
    /// The last error to show the user, if any.
    pub error: RwSignal<Option<String>>,
}

impl AppState {
    /// A fresh state over the built-in scenarios, on the first task.
    pub fn new() -> AppState {
        let env = Env::new();
        let task = Task::ALL[0];
        let scenario = first_scenario_of(&env, task);
        AppState {
            env: StoredValue::new_local(env),
            task: RwSignal::new(task),
            scenario: RwSignal::new(scenario),
            seed: RwSignal::new(1),
            observation: RwSignal::new(None),
            error: RwSignal::new(None),
        }
    }

    /// Chooses a task and its first scenario; ends the view of any episode.
    pub fn choose_task(&self, task: Task) {
        let scenario = self.env.with_value(|env| first_scenario_of(env, task));
        self.task.set(task);
        self.scenario.set(scenario);
        self.observation.set(None);
        self.error.set(None);
    }

    /// Chooses a scenario; ends the view of any episode.
    pub fn choose_scenario(&self, id: String) {
        self.scenario.set(id);
        self.observation.set(None);
        self.error.set(None);
    }

    /// Starts an episode of the chosen scenario with the chosen seed.
    pub fn start(&self) {
        let selection = crate::env::Selection::Scenario(self.scenario.get_untracked());
        let seed = self.seed.get_untracked();
        match self.env.try_update_value(|env| env.reset(&selection, seed)) {
            Some(Ok(observation)) => {
                self.observation.set(Some(observation));
                self.error.set(None);
            }
            Some(Err(error)) => self.error.set(Some(error.to_string())),
            None => self.error.set(Some(
                "the environment is no longer available: reload the page".into(),
            )),
        }
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new()
    }
}

/// The id of the first scenario of a task, or an empty string if it has none.
fn first_scenario_of(env: &Env, task: Task) -> String {
    env.catalog()
        .summaries()
        .into_iter()
        .find(|s| s.task == task.id())
        .map(|s| s.id)
        .unwrap_or_default()
}

/// The whole app: header, picker, incident area.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    view! {
        <header class="topbar">
            <div class="brand">
                <span class="logo" aria-hidden="true">"▲"</span>
                <span class="brand-name">"Firedrill"</span>
                <span class="tagline">"Incident-response drills, entirely in your browser"</span>
            </div>
        </header>
        <main class="layout">
            <DrillPicker/>
            <IncidentArea/>
        </main>
    }
}

/// Installs the panic hook (console plus the page's fatal-error display)
/// and mounts the app on `<body>`.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_fatal(&info.to_string());
    }));
    hide_boot_screen();
    leptos::mount::mount_to_body(App);
}

/// Calls the page's `window.firedrillFatal(message)` (see `index.html`).
fn show_fatal(message: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(function) = js_sys::Reflect::get(&window, &JsValue::from_str("firedrillFatal")) {
        if let Ok(function) = function.dyn_into::<js_sys::Function>() {
            let _ = function.call1(&JsValue::NULL, &JsValue::from_str(message));
        }
    }
}

/// Hides the loading screen of `index.html`.
fn hide_boot_screen() {
    let boot = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"));
    if let Some(boot) = boot {
        let _ = boot.set_attribute("hidden", "");
    }
}
