//! The web app (wasm only): a Leptos single-page app that drives the core
//! locally. One context struct ([`AppState`]) holds the app's state; one
//! file per view.
//!
//! At this stage the app is the shell: the header, the drill picker (task,
//! scenario, seed) listing the core's built-in scenarios, and the incident
//! area, which shows the chosen scenario's briefing and, once started, the
//! opening state of the episode.

mod actions;
mod debrief;
mod incident;
mod picker;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::agents::by_name;
use crate::env::{Action, Env, Grade, Observation, Selection, State, Task};
use crate::runner::{run_episode, Driver};

pub use actions::{ActionHistory, ActionPanel};
pub use debrief::Debrief;
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
    /// The running episode's full state (history, SLOs, ground truth at the end).
    pub episode: RwSignal<Option<State>>,
    /// The final grade, once the episode is over.
    pub grade: RwSignal<Option<Grade>>,
    /// The oracle's actions on the same scenario and seed, once the episode is over.
    pub ideal_path: RwSignal<Vec<Action>>,
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
            episode: RwSignal::new(None),
            grade: RwSignal::new(None),
            ideal_path: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
        }
    }

    /// Chooses a task and its first scenario; ends the view of any episode.
    pub fn choose_task(&self, task: Task) {
        let scenario = self.env.with_value(|env| first_scenario_of(env, task));
        self.task.set(task);
        self.scenario.set(scenario);
        self.clear_episode();
    }

    /// Chooses a scenario; ends the view of any episode.
    pub fn choose_scenario(&self, id: String) {
        self.scenario.set(id);
        self.clear_episode();
    }

    fn clear_episode(&self) {
        self.observation.set(None);
        self.episode.set(None);
        self.grade.set(None);
        self.ideal_path.set(Vec::new());
        self.error.set(None);
    }

    /// Starts an episode of the chosen scenario with the chosen seed.
    pub fn start(&self) {
        let selection = Selection::Scenario(self.scenario.get_untracked());
        let seed = self.seed.get_untracked();
        self.clear_episode();
        match self.env.try_update_value(|env| env.reset(&selection, seed)) {
            Some(Ok(observation)) => {
                self.observation.set(Some(observation));
                self.refresh_episode();
            }
            Some(Err(error)) => self.error.set(Some(error.to_string())),
            None => self.error.set(Some(ENV_GONE.into())),
        }
    }

    /// Applies the URL's contract: `?task=<task id>` chooses a task and its
    /// first scenario; `?scenario=<id>&seed=<n>` opens that episode ready to
    /// play. Unknown values are reported, not ignored.
    pub fn apply_url(&self, query: &[(String, String)]) {
        let value = |name: &str| {
            query
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        let mut problems = Vec::new();
        if let Some(task) = value("task") {
            match Task::from_id(&task) {
                Some(task) => self.choose_task(task),
                None => problems.push(format!(
                    "unknown task {task:?} in the URL; expected one of {}",
                    Task::ALL.map(Task::id).join(", ")
                )),
            }
        }
        if let Some(seed) = value("seed") {
            match seed.trim().parse::<u64>() {
                Ok(seed) => self.seed.set(seed),
                Err(_) => problems.push(format!(
                    "seed {seed:?} in the URL is not an unsigned integer"
                )),
            }
        }
        if let Some(id) = value("scenario") {
            let scenario = self.env.with_value(|env| env.catalog().get(&id).cloned());
            match scenario.and_then(|s| Task::from_id(&s.task).map(|task| (s, task))) {
                Some((scenario, task)) => {
                    self.task.set(task);
                    self.scenario.set(scenario.id.clone());
                    self.start();
                }
                None => problems.push(format!("unknown scenario {id:?} in the URL")),
            }
        }
        if !problems.is_empty() {
            self.error.set(Some(problems.join("; ")));
        }
    }

    /// Plays an action. Returns whether the environment accepted it; if
    /// not, the reason is in [`AppState::error`].
    pub fn submit(&self, action: Action) -> bool {
        match self.env.try_update_value(|env| env.step(&action)) {
            Some(Ok(step)) => {
                self.observation.set(Some(step.observation));
                self.error.set(None);
                self.refresh_episode();
                true
            }
            Some(Err(error)) => {
                self.error.set(Some(error.to_string()));
                false
            }
            None => {
                self.error.set(Some(ENV_GONE.into()));
                false
            }
        }
    }

    /// Copies the episode's state (and, once it is over, its grade and the
    /// ideal path) out of the environment.
    fn refresh_episode(&self) {
        let Some((episode, grade)) = self.env.try_update_value(|env| {
            let episode = env.state().ok();
            let over = episode.as_ref().is_some_and(|e| e.observation.done);
            let grade = if over { env.grade().ok() } else { None };
            (episode, grade)
        }) else {
            return;
        };
        if grade.is_some() {
            if let Some(episode) = &episode {
                self.ideal_path
                    .set(self.ideal_path_of(&episode.scenario, episode.seed));
            }
        }
        self.episode.set(episode);
        self.grade.set(grade);
    }

    /// What the oracle plays on the same scenario and seed.
    fn ideal_path_of(&self, scenario: &str, seed: u64) -> Vec<Action> {
        let catalog = self.env.with_value(|env| env.catalog().clone());
        let mut env = Env::with_catalog(catalog);
        let Some(mut oracle) = by_name("oracle", seed) else {
            return Vec::new();
        };
        run_episode(
            &mut env,
            &Selection::Scenario(scenario.to_string()),
            seed,
            Driver::Agent(oracle.as_mut()),
        )
        .unwrap_or_default()
    }
}

const ENV_GONE: &str = "the environment is no longer available: reload the page";

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
    state.apply_url(&url_query());
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

/// The page URL's query parameters, decoded (`+` is a space, `%XX` escapes).
fn url_query() -> Vec<(String, String)> {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let decode = |text: &str| {
        js_sys::decode_uri_component(&text.replace('+', " "))
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| text.to_string())
    };
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
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
