//! The web app (wasm only): a Leptos single-page app that drives the core
//! locally, with no server. One context struct ([`AppState`]) holds the
//! app's state; one file per view.
//!
//! The page: the header; the drill picker (the curriculum's stages with the
//! player's progress, the scenarios of the chosen task, custom scenario
//! files, the seed) and the leaderboard beside the incident area — the
//! briefing, then the episode (status bar, service map, degradation chart,
//! alerts, investigations, the action form with autoplay, the history, the
//! PromQL console) and, once it is over, the debrief with its downloads and
//! replay link. The URL's parameters ([`crate::web::url`]) open an episode,
//! a task or a replay; `?embed=1` renders the compact drill of
//! `embed.rs` instead. The episode in progress, the player's name, the
//! leaderboard and custom scenarios are kept in localStorage ([`storage`]);
//! the PromQL engine and `window.firedrill` come from the core-only module,
//! loaded once the app is interactive (`lab.rs`). A built-in scenario's
//! file is fetched the first time it is played (`loading.rs`): whatever
//! starts a drill goes through [`AppState::when_ready`].

mod actions;
mod autoplay;
mod chart;
mod debrief;
mod embed;
mod facilitator;
mod help;
mod incident;
mod lab;
mod leaderboard;
mod loading;
mod map;
mod messages;
mod pack;
mod picker;
mod promql;
mod result_code;
pub mod storage;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::agents::by_name;
use crate::env::{Action, ActionType, Env, Grade, Observation, Selection, State, Step, Task};
use crate::export::ExportKind;
use crate::leaderboard::{Entry, Leaderboard, Mode};
use crate::runner::{run_episode, Driver};
use crate::web::download::Download;
use crate::web::error::WebError;
use crate::web::url::{episode_query, UrlParams, DEFAULT_SEED};
use serde::{Deserialize, Serialize};
use storage::Loaded;

pub use actions::{ActionHistory, ActionPanel, TaskChecklist};
pub use autoplay::Autoplay;
pub use chart::DegradationChart;
pub use debrief::Debrief;
pub use incident::IncidentArea;
pub use leaderboard::LeaderboardPanel;
pub use loading::{DrillLoad, DrillLoadStatus};
pub use map::ServiceMap;
pub use messages::{HintPanel, InjectList};
pub use pack::{ActivePack, PackDebriefNav, PackPanel, PackSummaryPanel};
pub use picker::DrillPicker;
pub use promql::PromqlConsole;
pub use result_code::ResultCodePanel;

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
    /// Practice or exam, for the next episode (remembered).
    pub mode: RwSignal<Mode>,
    /// The mode the current episode was started in.
    pub episode_mode: RwSignal<Mode>,
    /// Whether the picker shows the answers (causes, fault types, ids):
    /// the instructor's switch (remembered).
    pub show_answers: RwSignal<bool>,
    /// The baseline agent that played steps of the current episode, if
    /// autoplay did: the episode is then the agent's, not the player's.
    autoplay_agent: StoredValue<Option<String>>,
    /// What the banner above the incident says about a replay: whose
    /// episode is shown, or which file a replay link is waiting for.
    pub replay_banner: RwSignal<Option<String>>,
    /// A replay link of a scenario not loaded yet, played once it is.
    pending_replay: StoredValue<Option<PendingReplay>>,
    /// A scenario or task the player chose while a drill was running: the
    /// switch waits for their confirmation.
    pub pending_switch: RwSignal<Option<Switch>>,
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
    /// The name leaderboard entries are recorded under.
    pub player: RwSignal<String>,
    /// Every leaderboard entry.
    pub board: RwSignal<Leaderboard>,
    /// What went wrong with the browser's storage, for the storage notice.
    pub notices: RwSignal<Vec<String>>,
    /// Bumped when the catalog changes (a custom scenario was loaded).
    pub catalog_version: RwSignal<u32>,
    /// Ids of the custom scenarios loaded in this browser.
    pub custom: RwSignal<Vec<String>>,
    /// The custom scenario files loaded, as (file name, text), in order:
    /// the lab loads them too, to replay episodes of them.
    pub custom_files: StoredValue<Vec<(String, String)>>,
    /// True while a saved episode or a replay link is being played back
    /// (nothing is saved or recorded).
    restoring: StoredValue<bool>,
    /// True in embed mode (`?embed=1`): the drill lives in someone else's
    /// page, so nothing is saved to or recorded in this browser's storage.
    embedded: StoredValue<bool>,
    /// True with `?debug=panic` in a debug build: the next action panics,
    /// to see (and test) the crash panel and that the episode survives it.
    panic_on_next_action: StoredValue<bool>,
    /// True when localStorage was unavailable at startup.
    storage_off: StoredValue<bool>,
    /// The fetch of a built-in scenario's file that a drill waits for:
    /// "Loading drill…", or why it failed (`loading.rs`).
    pub drill_load: RwSignal<Option<DrillLoad>>,
    /// What waits for that file: the start, replay or restore that asked.
    waiting: StoredValue<Option<loading::Waiting>, LocalStorage>,
    /// Bumped by every fetch and cancellation: a fetch that finishes under
    /// an older one is ignored.
    load_generation: StoredValue<u64>,
    /// The workshop pack being walked through, if any (`pack.rs`).
    pub pack: RwSignal<Option<ActivePack>>,
    /// Every pack's progress (remembered in `firedrill.pack-progress`).
    pub pack_progress: RwSignal<crate::workshop::progress::Progress>,
    /// Packs loaded from files (remembered in `firedrill.custom-packs`).
    custom_packs: StoredValue<Vec<crate::workshop::pack::Pack>>,
    /// Why `?pack=` walks through no pack (an unknown id).
    pub pack_notice: RwSignal<Option<String>>,
    /// An action type the action form should switch to (a reply to an
    /// inject opens it on `communicate`); the form takes it and clears it.
    pub compose: RwSignal<Option<ActionType>>,
}

/// A replay link waiting for its custom scenario file.
#[derive(Clone)]
struct PendingReplay {
    /// The drill handle or scenario id of the link.
    key: String,
    seed: u64,
    code: String,
}

/// What the player asked to switch to in the middle of a drill.
#[derive(Clone, Debug, PartialEq)]
pub enum Switch {
    /// Another task (and its first scenario).
    Task(Task),
    /// Another scenario.
    Scenario(String),
}

/// An episode in progress (or just finished), as saved after every step.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedEpisode {
    scenario: String,
    seed: u64,
    actions: Vec<Action>,
    /// The episode's mode (practice in episodes saved before modes).
    #[serde(default)]
    mode: Mode,
    /// The agent that autoplayed steps of it, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    agent: Option<String>,
}

/// A custom scenario or pack file, kept so it is there after a reload
/// (`firedrill.custom-scenarios`, `firedrill.custom-packs`): its id, file
/// name and text.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedFile {
    id: String,
    file: String,
    text: String,
}

const CUSTOM_KEY: &str = "custom-scenarios";
const CUSTOM_VERSION: u32 = 1;
const EPISODE_KEY: &str = "episode";
const EPISODE_VERSION: u32 = 1;
const BOARD_KEY: &str = "leaderboard";
const BOARD_VERSION: u32 = crate::leaderboard::EXPORT_VERSION;
const PLAYER_KEY: &str = "player";
const PLAYER_VERSION: u32 = 1;
const MODE_KEY: &str = "mode";
const MODE_VERSION: u32 = 1;
const SHOW_ANSWERS_KEY: &str = "show-answers";
const SHOW_ANSWERS_VERSION: u32 = 1;

/// The stored leaderboard, a board of an older format upgraded.
fn load_board() -> Loaded<Leaderboard> {
    storage::load_upgrading(BOARD_KEY, BOARD_VERSION, Leaderboard::upgrade)
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
            seed: RwSignal::new(DEFAULT_SEED),
            mode: RwSignal::new(Mode::Practice),
            episode_mode: RwSignal::new(Mode::Practice),
            show_answers: RwSignal::new(false),
            autoplay_agent: StoredValue::new(None),
            replay_banner: RwSignal::new(None),
            pending_replay: StoredValue::new(None),
            pending_switch: RwSignal::new(None),
            observation: RwSignal::new(None),
            episode: RwSignal::new(None),
            grade: RwSignal::new(None),
            ideal_path: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
            player: RwSignal::new(String::new()),
            board: RwSignal::new(Leaderboard::default()),
            notices: RwSignal::new(Vec::new()),
            restoring: StoredValue::new(false),
            embedded: StoredValue::new(false),
            panic_on_next_action: StoredValue::new(false),
            storage_off: StoredValue::new(false),
            catalog_version: RwSignal::new(0),
            custom: RwSignal::new(Vec::new()),
            custom_files: StoredValue::new(Vec::new()),
            drill_load: RwSignal::new(None),
            waiting: StoredValue::new_local(None),
            load_generation: StoredValue::new(0),
            pack: RwSignal::new(None),
            pack_progress: RwSignal::new(Default::default()),
            custom_packs: StoredValue::new(Vec::new()),
            pack_notice: RwSignal::new(None),
            compose: RwSignal::new(None),
        }
    }

    /// Reports a failed save, unless storage was found off at startup (that
    /// notice says it all already).
    fn saved(&self, result: Result<(), String>) {
        if let Err(message) = result {
            if !self.storage_off.get_value() {
                self.notice(message);
            }
        }
    }

    /// Shows a storage notice (once: saving fails the same way every step).
    fn notice(&self, message: String) {
        if !self
            .notices
            .with_untracked(|notices| notices.contains(&message))
        {
            self.notices.update(|notices| notices.push(message));
        }
    }

    /// Reads the player's name and the leaderboard from storage.
    pub fn load_saved(&self) {
        if let Err((denied, problem)) = storage::available() {
            self.storage_off.set_value(denied);
            self.notice(format!(
                "{problem}: your name, the leaderboard and the episode in progress are kept only until this page is closed"
            ));
        }
        match storage::load::<String>(PLAYER_KEY, PLAYER_VERSION) {
            Loaded::Value(name) => self.player.set(name),
            Loaded::SetAside(message) => self.notice(message),
            Loaded::Missing => {}
        }
        match load_board() {
            Loaded::Value(board) => self.board.set(board),
            Loaded::SetAside(message) => self.notice(message),
            Loaded::Missing => {}
        }
        match storage::load::<Mode>(MODE_KEY, MODE_VERSION) {
            Loaded::Value(mode) => self.mode.set(mode),
            Loaded::SetAside(message) => self.notice(message),
            Loaded::Missing => {}
        }
        match storage::load::<bool>(SHOW_ANSWERS_KEY, SHOW_ANSWERS_VERSION) {
            Loaded::Value(show) => self.show_answers.set(show),
            Loaded::SetAside(message) => self.notice(message),
            Loaded::Missing => {}
        }
        match storage::load::<Vec<SavedFile>>(CUSTOM_KEY, CUSTOM_VERSION) {
            Loaded::Value(saved) => {
                for scenario in saved {
                    if let Err(errors) = self.add_custom(&scenario.file, &scenario.text) {
                        self.notice(format!(
                            "the saved custom scenario {} no longer loads: {}",
                            scenario.file,
                            errors.join("; ")
                        ));
                    }
                }
            }
            Loaded::SetAside(message) => self.notice(message),
            Loaded::Missing => {}
        }
        self.load_packs();
    }

    /// Adds a scenario from TOML text to the catalog; returns its id or
    /// every error as `FILE:LINE:COL: message`.
    fn add_custom(&self, file: &str, text: &str) -> Result<String, Vec<String>> {
        let result = self
            .env
            .try_update_value(|env| env.catalog_mut().load_str(file, text))
            .ok_or_else(|| vec![String::from(ENV_GONE)])?;
        let id =
            result.map_err(|errors| errors.iter().map(|e| e.to_string()).collect::<Vec<_>>())?;
        self.custom_files
            .update_value(|files| files.push((file.to_string(), text.to_string())));
        self.custom.update(|ids| {
            if !ids.contains(&id) {
                ids.push(id.clone());
            }
        });
        self.catalog_version.update(|v| *v += 1);
        Ok(id)
    }

    /// Loads a custom scenario file, remembers it, and chooses it.
    pub fn load_custom(&self, file: &str, text: &str) -> Result<String, Vec<String>> {
        if text.len() > crate::scenario::MAX_SCENARIO_BYTES {
            return Err(vec![format!(
                "{file}: the file is {} bytes; a scenario is at most {}",
                text.len(),
                crate::scenario::MAX_SCENARIO_BYTES
            )]);
        }
        let id = self.add_custom(file, text)?;
        let mut saved = match storage::load::<Vec<SavedFile>>(CUSTOM_KEY, CUSTOM_VERSION) {
            Loaded::Value(saved) => saved,
            _ => Vec::new(),
        };
        saved.retain(|s| s.id != id);
        saved.push(SavedFile {
            id: id.clone(),
            file: file.to_string(),
            text: text.to_string(),
        });
        self.saved(storage::save(CUSTOM_KEY, CUSTOM_VERSION, &saved));
        let task = self
            .env
            .with_value(|env| env.catalog().get(&id).map(|s| s.task));
        if let Some(task) = task {
            self.task.set(task);
        }
        self.switch_to(Switch::Scenario(id.clone()));
        let waiting = self.pending_replay.with_value(|pending| {
            pending.as_ref().is_some_and(|p| {
                p.key == id || p.key.eq_ignore_ascii_case(&crate::scenario::handle_of(&id))
            })
        });
        if waiting {
            if let Some(pending) = self.pending_replay.try_update_value(Option::take).flatten() {
                self.seed.set(pending.seed);
                self.replay_when_ready(pending.code, Vec::new());
            }
        }
        Ok(id)
    }

    /// Replays a replay code on the chosen scenario and seed once it can be
    /// played (its file fetched); then shows `problems` (the URL's) and the
    /// replay's own, if any.
    fn replay_when_ready(&self, code: String, problems: Vec<String>) {
        let state = *self;
        self.when_ready(&self.scenario.get_untracked(), move || {
            let mut problems = problems;
            if let Err(problem) = state.replay(&code) {
                problems.push(problem);
            }
            state.report(problems);
        });
    }

    /// Shows `problems` as the app's error, if there are any.
    fn report(&self, problems: Vec<String>) {
        if !problems.is_empty() {
            self.error.set(Some(problems.join("; ")));
        }
    }

    /// Plays a replay code's actions on the chosen scenario and seed (which
    /// must be ready: see [`AppState::replay_when_ready`]).
    fn replay(&self, code: &str) -> Result<(), String> {
        let (version, actions) =
            crate::replay::decode_versioned(code).map_err(|e| format!("replay link: {e}"))?;
        // Someone else's episode: neither saved as ours nor put on our leaderboard.
        self.restoring.set_value(true);
        self.start_now();
        let mut result = Ok(());
        for (i, action) in actions.into_iter().enumerate() {
            if !self.submit(action) {
                let reason = self.error.get_untracked().unwrap_or_default();
                result = Err(format!(
                    "replay link: action {} was refused: {reason}",
                    i + 1
                ));
                break;
            }
        }
        let open = self
            .observation
            .with_untracked(|o| o.as_ref().is_some_and(|o| !o.done));
        if result.is_ok() && version == 1 && open {
            // A link from before the resolve action: its episode was over.
            self.submit(crate::replay::legacy_end());
        }
        if result.is_ok() {
            let handle = crate::scenario::handle_of(&self.scenario.get_untracked());
            self.replay_banner.set(Some(format!(
                "A replay of drill {handle}, seed {}: an episode someone shared, played back here. It is not saved and not on your leaderboard.",
                self.seed.get_untracked()
            )));
        }
        self.restoring.set_value(false);
        result
    }

    /// Offers one of the episode's exports as a file download, made by the
    /// core-only module (`lab::export`, loaded by then or on the way) but
    /// for the telemetry.
    pub fn download_export(&self, kind: ExportKind) {
        let state = *self;
        let Some((scenario, seed)) = self
            .episode
            .with_untracked(|e| e.as_ref().map(|e| (e.scenario.clone(), e.seed)))
        else {
            return;
        };
        // The sandbox's own counters are this page's (every episode, every
        // refused action), not the shadow's replay: made here.
        if kind == ExportKind::Telemetry {
            let text = self.env.with_value(|env| env.telemetry().exposition());
            if let Err(message) = download(&Download::export(kind, &scenario, seed), &text) {
                self.error.set(Some(format!("download failed: {message}")));
            }
            return;
        }
        leptos::task::spawn_local(async move {
            let result = match lab::export(state, kind.id()).await {
                Ok(text) => download(&Download::export(kind, &scenario, seed), &text),
                Err(error) => Err(error.to_string()),
            };
            if let Err(message) = result {
                state.error.set(Some(format!("download failed: {message}")));
            }
        });
    }

    /// The link that replays the current episode, if one is running.
    pub fn replay_link(&self) -> Option<String> {
        let episode = self.episode.get()?;
        let actions: Vec<Action> = episode.history.iter().map(|h| h.action.clone()).collect();
        let location = web_sys::window()?.location();
        let base = format!("{}{}", location.origin().ok()?, location.pathname().ok()?);
        let code = crate::replay::encode(&actions);
        Some(format!(
            "{base}{}",
            episode_query(
                &crate::scenario::handle_of(&episode.scenario),
                episode.seed,
                Some(&code)
            )
        ))
    }

    /// Whether the saved episode is of this scenario and seed.
    fn saved_episode_is(&self, scenario: &str, seed: u64) -> bool {
        match storage::load::<SavedEpisode>(EPISODE_KEY, EPISODE_VERSION) {
            Loaded::Value(saved) => saved.scenario == scenario && saved.seed == seed,
            Loaded::SetAside(message) => {
                self.notice(message);
                false
            }
            Loaded::Missing => false,
        }
    }

    /// Reopens the saved episode, replaying its actions (once its scenario
    /// can be played: its file fetched); returns whether there is one to
    /// restore.
    pub fn restore_episode(&self) -> bool {
        self.restore_saved(Vec::new())
    }

    /// [`AppState::restore_episode`], showing `problems` (the URL's) once
    /// the episode is restored.
    fn restore_saved(&self, problems: Vec<String>) -> bool {
        let saved = match storage::load::<SavedEpisode>(EPISODE_KEY, EPISODE_VERSION) {
            Loaded::Value(saved) => saved,
            Loaded::SetAside(message) => {
                self.notice(message);
                return false;
            }
            Loaded::Missing => return false,
        };
        let task = self
            .env
            .with_value(|env| env.catalog().summary(&saved.scenario).and_then(|s| s.task));
        let Some(task) = task else {
            self.notice(format!(
                "the saved episode is of scenario {:?}, which this version does not have; it was not restored",
                saved.scenario
            ));
            return false;
        };
        self.task.set(task);
        self.scenario.set(saved.scenario.clone());
        self.seed.set(saved.seed);
        let state = *self;
        self.when_ready(&saved.scenario, move || {
            state.restoring.set_value(true);
            state.start_now();
            state.episode_mode.set(saved.mode);
            state.autoplay_agent.set_value(saved.agent.clone());
            for (i, action) in saved.actions.iter().enumerate() {
                if !state.submit(action.clone()) {
                    state.notice(format!(
                        "the saved episode was restored up to action {} of {}; the next one was refused",
                        i,
                        saved.actions.len()
                    ));
                    break;
                }
            }
            state.restoring.set_value(false);
            state.report(problems);
        });
        true
    }

    /// Keeps the leaderboard in step with other tabs of the app. Two tabs
    /// that finish episodes at once may each write the board read before
    /// the other's write: when another tab's board lacks entries this tab
    /// holds, the union is written back, so no entry is lost and the tabs
    /// converge (a merge is a set union, so the write-backs stop).
    fn listen_to_other_tabs(&self) {
        let state = *self;
        let handler = move |event: web_sys::StorageEvent| {
            if event.key().as_deref() != Some(&format!("{}{BOARD_KEY}", storage::PREFIX)) {
                return;
            }
            let Loaded::Value(theirs) = load_board() else {
                return;
            };
            let mut union = theirs.clone();
            let missing = union.merge(&state.board.get_untracked());
            if missing > 0 && !state.embedded.get_value() {
                state.saved(storage::save(BOARD_KEY, BOARD_VERSION, &union));
            }
            state.board.set(union);
        };
        let _ = window_event_listener(leptos::ev::storage, handler);
    }

    /// Sets the mode of the next episodes and remembers it.
    pub fn set_mode(&self, mode: Mode) {
        self.saved(storage::save(MODE_KEY, MODE_VERSION, &mode));
        self.mode.set(mode);
    }

    /// Shows or hides the answers in the picker, and remembers it.
    pub fn set_show_answers(&self, show: bool) {
        self.saved(storage::save(SHOW_ANSWERS_KEY, SHOW_ANSWERS_VERSION, &show));
        self.show_answers.set(show);
    }

    /// Whether the current episode is an exam that is not over: rewards,
    /// right-or-wrong feedback and autoplay are hidden.
    pub fn exam_running(&self) -> bool {
        self.episode_mode.get() == Mode::Exam
            && self
                .observation
                .with(|o| o.as_ref().is_some_and(|o| !o.done))
    }

    /// Plays an action an autoplaying agent chose: the episode becomes the
    /// agent's (recorded under its name, marked as autoplay).
    pub fn submit_for_agent(&self, agent: &str, action: Action) -> bool {
        if self.episode_mode.get_untracked() == Mode::Exam {
            self.error
                .set(Some(String::from("autoplay is off in exam mode")));
            return false;
        }
        self.autoplay_agent.set_value(Some(agent.to_string()));
        self.submit(action)
    }

    /// Sets the player's name and remembers it.
    pub fn set_player(&self, name: String) {
        let name: String = name
            .trim()
            .chars()
            .take(crate::leaderboard::MAX_NAME_CHARS)
            .collect();
        self.saved(storage::save(PLAYER_KEY, PLAYER_VERSION, &name));
        self.player.set(name);
    }

    /// Merges entries into the stored leaderboard (re-reading it first, so
    /// another tab's entries are kept) and shows the result.
    pub fn merge_into_board(&self, entries: &Leaderboard) -> usize {
        let mut board = match load_board() {
            Loaded::Value(board) => board,
            _ => self.board.get_untracked(),
        };
        board.merge(&self.board.get_untracked());
        let added = board.merge(entries);
        self.saved(storage::save(BOARD_KEY, BOARD_VERSION, &board));
        self.board.set(board);
        added
    }

    /// Saves the episode so a reload reopens it.
    fn save_episode(&self) {
        let Some(episode) = self.episode.get_untracked() else {
            return;
        };
        let saved = SavedEpisode {
            scenario: episode.scenario.clone(),
            seed: episode.seed,
            actions: episode.history.iter().map(|h| h.action.clone()).collect(),
            mode: self.episode_mode.get_untracked(),
            agent: self.autoplay_agent.get_value(),
        };
        self.saved(storage::save(EPISODE_KEY, EPISODE_VERSION, &saved));
    }

    /// Records a finished episode on the leaderboard, once: under the
    /// player's name, or, when autoplay played any of it, under the
    /// agent's, marked as autoplay.
    fn record_on_board(&self, episode: &State, grade: &Grade) {
        let agent = self.autoplay_agent.get_value();
        let name = match &agent {
            Some(agent) => agent.clone(),
            None => self.player.get_untracked(),
        };
        let entry = Entry {
            name: if name.is_empty() {
                String::from("anonymous")
            } else {
                name
            },
            mode: if agent.is_some() {
                Mode::Practice
            } else {
                self.episode_mode.get_untracked()
            },
            agent,
            scenario: episode.scenario.clone(),
            task: episode.task.id().to_string(),
            seed: episode.seed,
            score: grade.score,
            steps: episode.step,
            date: js_sys::Date::new_0().to_iso_string().into(),
            dimensions: Entry::dimensions_of(grade),
        };
        self.merge_into_board(&Leaderboard {
            entries: vec![entry],
        });
    }

    /// Whether a drill is being played (started and not over).
    pub fn drill_running(&self) -> bool {
        self.observation
            .with_untracked(|o| o.as_ref().is_some_and(|o| !o.done))
    }

    /// What the picker asks for: the switch at once, or, in the middle of
    /// a drill, once the player confirms ([`AppState::pending_switch`]);
    /// the drill's own task or scenario, clicked again, changes nothing.
    pub fn request_switch(&self, switch: Switch) {
        let same = match &switch {
            Switch::Task(task) => *task == self.task.get_untracked(),
            Switch::Scenario(id) => *id == self.scenario.get_untracked(),
        };
        if !self.drill_running() {
            self.switch_to(switch);
        } else if !same {
            self.pending_switch.set(Some(switch));
        }
    }

    /// Switches to a task or scenario, leaving any episode.
    pub fn switch_to(&self, switch: Switch) {
        self.pending_switch.set(None);
        match switch {
            Switch::Task(task) => self.choose_task(task),
            Switch::Scenario(id) => self.choose_scenario(id),
        }
    }

    /// Chooses a task and its first scenario; ends the view of any episode
    /// (and forgets a drill waiting for its file).
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
        self.cancel_load();
        self.replay_banner.set(None);
        self.observation.set(None);
        self.episode.set(None);
        self.grade.set(None);
        self.ideal_path.set(Vec::new());
        self.error.set(None);
    }

    /// Starts an episode of the chosen scenario with the chosen seed, once
    /// it can be played (its file fetched: "Loading drill…" meanwhile); why
    /// not is shown in [`AppState::error`].
    pub fn start(&self) {
        let state = *self;
        self.when_ready(&self.scenario.get_untracked(), move || state.start_now());
    }

    /// Starts an episode of the chosen scenario now (see [`AppState::try_start`]).
    fn start_now(&self) {
        let _ = self.try_start();
    }

    /// Starts an episode of the chosen scenario with the chosen seed now,
    /// or says why not (also shown in [`AppState::error`]); a built-in
    /// scenario whose file is not fetched yet is unknown to the environment
    /// ([`AppState::when_ready`] fetches it first).
    pub fn try_start(&self) -> Result<(), WebError> {
        let selection = Selection::Scenario(self.scenario.get_untracked());
        let seed = self.seed.get_untracked();
        self.clear_episode();
        // A pack's drill is played in the pack's mode, whatever the picker says.
        let mode = self
            .pack_mode(&self.scenario.get_untracked(), seed)
            .unwrap_or_else(|| self.mode.get_untracked());
        self.episode_mode.set(mode);
        self.autoplay_agent.set_value(None);
        let result = match self.env.try_update_value(|env| env.reset(&selection, seed)) {
            Some(Ok(observation)) => {
                self.observation.set(Some(observation));
                self.refresh_episode();
                return Ok(());
            }
            Some(Err(error)) => WebError::from(error),
            None => WebError::internal(ENV_GONE),
        };
        self.error.set(Some(result.message.clone()));
        Err(result)
    }

    /// Applies the URL's contract ([`UrlParams`]): `?task=<task id>`
    /// chooses a task and its first scenario; `?mode=exam` (or `practice`)
    /// sets the mode; `?drill=<handle>&seed=<n>` (or `?scenario=<id>`)
    /// opens that episode ready to play, and `&replay=<code>` replays its
    /// actions. Unknown values are reported, not ignored; a bad seed is
    /// reported and the default seed played.
    pub fn apply_url(&self, params: &UrlParams) {
        let mut problems: Vec<String> = params.problems.iter().map(|p| p.to_string()).collect();
        if cfg!(debug_assertions) && params.debug_panic {
            self.panic_on_next_action.set_value(true);
        }
        if let Some(task) = params.task {
            self.choose_task(task);
        }
        if let Some(mode) = params.mode {
            self.set_mode(mode);
        }
        if let Some(pack) = &params.pack {
            // The pack chooses each drill's scenario, seed and mode.
            self.report(problems);
            self.enter_pack_by_id(pack);
            return;
        }
        self.seed.set(params.seed_or_default());
        let drill = params.drill.as_ref().and_then(|handle| {
            let id = self
                .env
                .with_value(|env| env.catalog().id_for_handle(handle).map(str::to_string));
            if id.is_none() && params.replay.is_none() {
                problems.push(format!(
                    "unknown drill {:?} in the URL",
                    crate::web::format::clip(handle)
                ));
            }
            id
        });
        let asked = params.drill.as_ref().or(params.scenario.as_ref());
        let listed = |id: &str| {
            self.env
                .with_value(|env| env.catalog().summary(id).and_then(|s| s.task))
        };
        if let (None, Some(key), Some(code)) = (&drill, asked, &params.replay) {
            let known = params.drill.is_none() && listed(key).is_some();
            if !known {
                // A replay of a scenario this browser does not have (someone's
                // custom file): played once its file is loaded.
                self.pending_replay.set_value(Some(PendingReplay {
                    key: key.clone(),
                    seed: self.seed.get_untracked(),
                    code: code.clone(),
                }));
                self.replay_banner.set(Some(format!(
                    "This replay link is of a drill this browser does not have ({}): it was made with a custom scenario file. Load that file (\"Load a scenario file…\" in the picker) and the replay plays.",
                    crate::web::format::clip(key)
                )));
            }
        }
        // Shown now, and again once the drill has started (starting it
        // clears the error).
        self.report(problems.clone());
        if let Some(id) = drill.as_ref().or(params.scenario.as_ref()) {
            match (listed(id), &params.replay) {
                (Some(task), Some(code)) => {
                    self.task.set(task);
                    self.scenario.set(id.clone());
                    self.replay_when_ready(code.clone(), problems);
                }
                (None, Some(_)) if self.pending_replay.with_value(Option::is_some) => {}
                (Some(task), None) => {
                    // A reload of the same episode's URL reopens it where it was.
                    if !(self.saved_episode_is(id, self.seed.get_untracked())
                        && self.restore_saved(problems.clone()))
                    {
                        self.task.set(task);
                        self.scenario.set(id.clone());
                        let state = *self;
                        self.when_ready(id, move || {
                            state.start_now();
                            state.report(problems);
                        });
                    }
                }
                (None, _) => {
                    problems.push(format!("unknown scenario {id:?} in the URL"));
                    self.report(problems);
                }
            }
        }
    }

    /// Plays an action. Returns whether the environment accepted it; if
    /// not, the reason is in [`AppState::error`].
    pub fn submit(&self, action: Action) -> bool {
        self.play(action).is_ok()
    }

    /// Plays an action and returns the step, or why it was refused (also
    /// shown in [`AppState::error`]).
    pub fn play(&self, action: Action) -> Result<Step, WebError> {
        if cfg!(debug_assertions)
            && self.panic_on_next_action.get_value()
            && !self.restoring.get_value()
        {
            panic!("a deliberate panic: the URL asked for one with debug=panic");
        }
        let error = match self.env.try_update_value(|env| env.step(&action)) {
            Some(Ok(step)) => {
                self.observation.set(Some(step.observation.clone()));
                self.error.set(None);
                self.refresh_episode();
                return Ok(step);
            }
            Some(Err(error)) => WebError::from(error),
            None => WebError::internal(ENV_GONE),
        };
        self.error.set(Some(error.message.clone()));
        Err(error)
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
        let newly_over = grade.is_some() && self.grade.get_untracked().is_none();
        let keep = !self.restoring.get_value() && !self.embedded.get_value();
        if let (Some(episode), Some(grade)) = (&episode, &grade) {
            if newly_over {
                self.ideal_path
                    .set(self.ideal_path_of(&episode.scenario, episode.seed));
                if keep {
                    self.record_on_board(episode, grade);
                    self.record_pack_result(episode, grade);
                }
            }
        }
        self.episode.set(episode);
        self.grade.set(grade);
        if keep {
            self.save_episode();
        }
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
        .find(|s| s.task == Some(task))
        .map(|s| s.id)
        .unwrap_or_default()
}

/// The whole app: header, picker, incident area; or, with `?embed=1`, the
/// compact embedded drill.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    let params = UrlParams::parse(&url_query());
    if params.embed {
        state.embedded.set_value(true);
        provide_context(state);
        lab::preload();
        return embed::EmbeddedDrill(embed::EmbeddedDrillProps { params }).into_any();
    }
    if params.facilitate {
        provide_context(state);
        return facilitator::FacilitatorView(facilitator::FacilitatorViewProps { params })
            .into_any();
    }
    state.load_saved();
    if params.is_empty() {
        if !state.resume_active_pack() {
            state.restore_episode();
        }
    } else {
        state.apply_url(&params);
    }
    state.listen_to_other_tabs();
    provide_context(state);
    lab::preload();
    view! {
        <header class="topbar">
            <div class="brand">
                <span class="logo" aria-hidden="true">"▲"</span>
                <span class="brand-name">"Firedrill"</span>
                <span class="tagline">"Incident-response drills, entirely in your browser"</span>
            </div>
            <help::HelpOverlay/>
        </header>
        {move || {
            let notices = state.notices.get();
            (!notices.is_empty()).then(|| view! {
                <div class="storage-notice" role="alert" data-testid="storage-notice">
                    <div>
                        <strong>"Saved data"</strong>
                        <ul>{notices.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                    </div>
                    <button class="secondary" on:click=move |_| state.notices.set(Vec::new())>"Dismiss"</button>
                </div>
            })
        }}
        <main class="layout">
            <div class="side-column">
                <DrillPicker/>
                <LeaderboardPanel/>
            </div>
            <IncidentArea/>
        </main>
    }
    .into_any()
}

/// The page URL's query (`location.search`).
fn url_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Offers `text` as a file download.
pub(crate) fn download(file: &Download, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(file.mime_type);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "the browser could not make the file")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser could not make the file")?;
    let anchor = leptos::prelude::document()
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .ok_or("the page could not make a link")?;
    anchor.set_href(&url);
    anchor.set_download(&file.file_name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Installs the panic hook (console plus the page's fatal-error display)
/// and mounts the app on `<body>`.
pub fn start() {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark("firedrill-wasm-started");
    }
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_fatal(&info.to_string());
    }));
    remove_boot_screen();
    leptos::mount::mount_to_body(App);
    // For the browser benchmark: navigation → interactive.
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark("firedrill-interactive");
    }
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

/// Removes the loading screen of `index.html` (the first view, painted
/// before the wasm ran) in the same task as the app mounts: the page
/// shows one or the other, and no copy of the header stays behind.
fn remove_boot_screen() {
    let boot = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"));
    if let Some(boot) = boot {
        boot.remove();
    }
}
