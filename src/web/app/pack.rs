//! Walking through a workshop pack (`?pack=<id>`, or a pack file loaded
//! with the custom scenario loader): the pack's progress panel (its title,
//! "Drill k of n", each drill's state, "Next drill", "Leave pack") and, once
//! every drill is played, the pack summary (score per drill and per graded
//! dimension, the total, how many passed, every result code). The pack
//! chooses each drill's scenario, seed and mode; progress is kept in
//! `firedrill.pack-progress` ([`crate::workshop::progress`]) so a reload
//! resumes, and custom pack files in `firedrill.custom-packs`.

use leptos::prelude::*;

use super::result_code::{copy_text, NameGate, SELECT_AND_COPY};
use super::storage::{self, Loaded};
use super::{AppState, SavedEpisode, SavedFile, EPISODE_KEY, EPISODE_VERSION};
use crate::env::{Grade, State};
use crate::leaderboard::Mode;
use crate::workshop::code::ResultCode;
use crate::workshop::pack::{builtin_packs, parse, Pack};
use crate::workshop::progress::{is_drill, DimensionScore, DrillResult, DrillState, Progress};

/// The pack being walked through, and which of its drills is played.
#[derive(Clone, Debug, PartialEq)]
pub struct ActivePack {
    /// The pack.
    pub pack: Pack,
    /// The drill being played (or last played), from 0.
    pub current: usize,
}

const PROGRESS_KEY: &str = "pack-progress";
const PROGRESS_VERSION: u32 = 1;
const CUSTOM_PACKS_KEY: &str = "custom-packs";
const CUSTOM_PACKS_VERSION: u32 = 1;

impl AppState {
    /// Reads the pack progress and the custom pack files from storage
    /// (after the custom scenarios: a pack may play them).
    pub(super) fn load_packs(&self) {
        match storage::load::<Progress>(PROGRESS_KEY, PROGRESS_VERSION) {
            Loaded::Value(progress) => self.pack_progress.set(progress),
            Loaded::SetAside(message) => self.notice(message),
            Loaded::Missing => {}
        }
        match storage::load::<Vec<SavedFile>>(CUSTOM_PACKS_KEY, CUSTOM_PACKS_VERSION) {
            Loaded::Value(saved) => {
                for file in saved {
                    match self.parse_pack(&file.file, &file.text) {
                        Ok(pack) => self.custom_packs.update_value(|packs| packs.push(pack)),
                        Err(errors) => self.notice(format!(
                            "the saved pack file {} no longer loads: {}",
                            file.file,
                            errors.join("; ")
                        )),
                    }
                }
            }
            Loaded::SetAside(message) => self.notice(message),
            Loaded::Missing => {}
        }
    }

    /// Reads a pack file against the scenarios this browser has.
    fn parse_pack(&self, file: &str, text: &str) -> Result<Pack, Vec<String>> {
        self.env.with_value(|env| {
            let catalog = env.catalog();
            let known = |id: &str| catalog.summary(id).is_some();
            parse(file, text, &known)
                .map_err(|errors| errors.iter().map(|e| e.to_string()).collect())
        })
    }

    /// A pack by id: one loaded from a file, else a built-in one.
    fn find_pack(&self, id: &str) -> Option<Pack> {
        self.custom_packs
            .with_value(|packs| packs.iter().find(|p| p.id == id).cloned())
            .or_else(|| builtin_packs().into_iter().find(|p| p.id == id))
    }

    /// Loads a pack file (from the custom scenario loader), remembers it
    /// and starts its walkthrough; returns its title or every error as
    /// `FILE:LINE:COL: message`.
    pub fn load_pack_file(&self, file: &str, text: &str) -> Result<String, Vec<String>> {
        let pack = self.parse_pack(file, text)?;
        self.custom_packs.update_value(|packs| {
            packs.retain(|p| p.id != pack.id);
            packs.push(pack.clone());
        });
        let mut saved =
            match storage::load::<Vec<SavedFile>>(CUSTOM_PACKS_KEY, CUSTOM_PACKS_VERSION) {
                Loaded::Value(saved) => saved,
                _ => Vec::new(),
            };
        saved.retain(|s| s.id != pack.id);
        saved.push(SavedFile {
            id: pack.id.clone(),
            file: file.to_string(),
            text: text.to_string(),
        });
        self.saved(storage::save(
            CUSTOM_PACKS_KEY,
            CUSTOM_PACKS_VERSION,
            &saved,
        ));
        let title = pack.title.clone();
        self.enter_pack(pack);
        Ok(title)
    }

    /// `?pack=<id>`: walks through that pack, or says which packs there are.
    pub(super) fn enter_pack_by_id(&self, id: &str) {
        match self.find_pack(id) {
            Some(pack) => self.enter_pack(pack),
            None => {
                let ids: Vec<String> = builtin_packs().into_iter().map(|p| p.id).collect();
                self.pack_notice.set(Some(format!(
                    "There is no pack {:?}. The built-in packs are: {}. A pack of your own is loaded with \"Load a scenario file…\".",
                    crate::web::format::clip(id),
                    ids.join(", ")
                )));
            }
        }
    }

    /// Resumes the pack a reload left (a pack loaded from a file has no
    /// URL); returns whether there was one.
    pub(super) fn resume_active_pack(&self) -> bool {
        let Some(id) = self.pack_progress.with_untracked(|p| p.active.clone()) else {
            return false;
        };
        match self.find_pack(&id) {
            Some(pack) => {
                self.enter_pack(pack);
                true
            }
            None => false,
        }
    }

    /// Walks through a pack from where its progress stands: the saved
    /// episode, if it is the drill to play or the one just played, else the
    /// next drill; with every drill played, the summary.
    pub fn enter_pack(&self, pack: Pack) {
        self.pack_notice.set(None);
        self.pack_progress
            .update(|p| p.active = Some(pack.id.clone()));
        self.save_progress();
        let next = self.pack_progress.with_untracked(|p| p.next_drill(&pack));
        let saved = match storage::load::<SavedEpisode>(EPISODE_KEY, EPISODE_VERSION) {
            Loaded::Value(saved) => pack
                .drills
                .iter()
                .position(|d| is_drill(d, &saved.scenario, saved.seed, saved.mode)),
            _ => None,
        };
        let just_played = |i: usize| {
            self.pack_progress
                .with_untracked(|p| p.result(&pack, i).is_some())
                && next.is_none_or(|n| n == i + 1)
        };
        let count = pack.drills.len();
        match (saved, next) {
            (Some(i), _) if Some(i) == next || just_played(i) => {
                self.pack.set(Some(ActivePack { pack, current: i }));
                self.restore_episode();
            }
            (_, Some(n)) => {
                self.pack.set(Some(ActivePack { pack, current: n }));
                self.start_pack_drill(n);
            }
            (_, None) => {
                self.pack.set(Some(ActivePack {
                    pack,
                    current: count.saturating_sub(1),
                }));
            }
        }
    }

    /// Starts the pack's drill at `index` with its scenario, seed and mode.
    pub fn start_pack_drill(&self, index: usize) {
        let Some(drill) = self.pack.with_untracked(|active| {
            active
                .as_ref()
                .and_then(|a| a.pack.drills.get(index).cloned())
        }) else {
            return;
        };
        self.pack.update(|active| {
            if let Some(active) = active {
                active.current = index;
            }
        });
        let task = self
            .env
            .with_value(|env| env.catalog().summary(&drill.scenario).and_then(|s| s.task));
        if let Some(task) = task {
            self.task.set(task);
        }
        self.scenario.set(drill.scenario.clone());
        self.seed.set(drill.seed);
        self.clear_episode();
        self.start();
    }

    /// The mode the pack sets for an episode of `scenario` and `seed`: the
    /// current drill's, when it is that drill.
    pub(super) fn pack_mode(&self, scenario: &str, seed: u64) -> Option<Mode> {
        self.pack.with_untracked(|active| {
            let active = active.as_ref()?;
            let drill = active.pack.drills.get(active.current)?;
            (drill.scenario == scenario && drill.seed == seed).then_some(drill.mode)
        })
    }

    /// Stops walking through the pack (its results are kept: coming back
    /// resumes it); the URL no longer names it.
    pub fn leave_pack(&self) {
        self.pack.set(None);
        self.pack_notice.set(None);
        self.pack_progress.update(|p| p.active = None);
        self.save_progress();
        if let Some(window) = web_sys::window() {
            let location = window.location();
            let has_pack = location
                .search()
                .is_ok_and(|s| crate::web::url::UrlParams::parse(&s).pack.is_some());
            if has_pack {
                if let (Ok(history), Ok(path)) = (window.history(), location.pathname()) {
                    let _ = history.replace_state_with_url(
                        &wasm_bindgen::JsValue::NULL,
                        "",
                        Some(&path),
                    );
                }
            }
        }
    }

    /// Forgets the pack's results and starts it again from its first drill.
    pub fn restart_pack(&self) {
        let Some(id) = self
            .pack
            .with_untracked(|a| a.as_ref().map(|a| a.pack.id.clone()))
        else {
            return;
        };
        self.pack_progress.update(|p| p.forget(&id));
        self.save_progress();
        self.start_pack_drill(0);
    }

    fn save_progress(&self) {
        let progress = self.pack_progress.get_untracked();
        self.saved(storage::save(PROGRESS_KEY, PROGRESS_VERSION, &progress));
    }

    /// The pack and drill number (from 1) of an episode, when it is the
    /// current drill of the pack being walked through.
    fn pack_drill_of(&self, scenario: &str, seed: u64, mode: Mode) -> Option<(Pack, usize)> {
        self.pack.with(|active| {
            let active = active.as_ref()?;
            let drill = active.pack.drills.get(active.current)?;
            is_drill(drill, scenario, seed, mode).then(|| (active.pack.clone(), active.current))
        })
    }

    /// The result code of the episode just over: under the player's name
    /// (or the autoplaying agent's), with the pack and drill when it is a
    /// pack's drill; `None` while it runs.
    pub fn result_code(&self) -> Option<ResultCode> {
        let grade = self.grade.get()?;
        let mode = self.episode_mode.get();
        let name = self
            .autoplay_agent
            .get_value()
            .unwrap_or_else(|| self.player.get());
        self.episode.with(|episode| {
            let episode = episode.as_ref()?;
            let pack = self.pack_drill_of(&episode.scenario, episode.seed, mode);
            Some(ResultCode {
                name,
                pack: pack.as_ref().map(|(p, _)| p.id.clone()),
                drill: pack.as_ref().map(|(_, i)| *i as u32 + 1),
                scenario: episode.scenario.clone(),
                seed: episode.seed,
                mode,
                score: Some(grade.score),
                actions: episode.history.iter().map(|h| h.action.clone()).collect(),
            })
        })
    }

    /// Records a finished episode in the pack's progress when it is the
    /// pack's current drill.
    pub(super) fn record_pack_result(&self, episode: &State, grade: &Grade) {
        let mode = self.episode_mode.get_untracked();
        let Some((pack, index)) = self.pack_drill_of(&episode.scenario, episode.seed, mode) else {
            return;
        };
        let name = self
            .autoplay_agent
            .get_value()
            .unwrap_or_else(|| self.player.get_untracked());
        let result = DrillResult {
            code: ResultCode {
                name,
                pack: Some(pack.id.clone()),
                drill: Some(index as u32 + 1),
                scenario: episode.scenario.clone(),
                seed: episode.seed,
                mode,
                score: Some(grade.score),
                actions: episode.history.iter().map(|h| h.action.clone()).collect(),
            },
            score: grade.score,
            passed: grade.passed,
            dimensions: grade
                .dimensions
                .iter()
                .map(|d| DimensionScore {
                    name: d.name.name().to_string(),
                    score: d.score,
                })
                .collect(),
        };
        self.pack_progress
            .update(|p| _ = p.record(&pack, index, result));
        self.save_progress();
    }

    /// The listing title (the symptom, never the cause) of a scenario.
    fn drill_title(&self, scenario: &str) -> String {
        self.env.with_value(|env| {
            env.catalog()
                .summary(scenario)
                .map(|s| s.title.clone())
                .unwrap_or_else(|| scenario.to_string())
        })
    }
}

/// The pack's progress (or why `?pack=` named none), above the incident.
#[component]
pub fn PackPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let notice = move || {
        state.pack_notice.get().map(|text| {
            view! {
                <p class="error pack-notice" role="alert" data-testid="pack-notice">{text}</p>
            }
        })
    };
    let panel = move || {
        let active = state.pack.get()?;
        let progress = state.pack_progress.get();
        let pack = active.pack.clone();
        let count = pack.drills.len();
        let done = progress.done_count(&pack);
        let next = progress.next_drill(&pack);
        let current_done = progress.result(&pack, active.current).is_some();
        let states = progress.drill_states(&pack, Some(active.current));
        let position = if next.is_none() {
            format!("All {count} drills played")
        } else {
            format!("Drill {} of {count}", active.current + 1)
        };
        let drills = pack
            .drills
            .iter()
            .zip(states)
            .enumerate()
            .map(|(i, (drill, drill_state))| {
                let (class, status) = match drill_state {
                    DrillState::Done { score, passed } => (
                        "done",
                        format!(
                            "done: {score:.2}{}",
                            if passed { ", passed" } else { ", not yet passed" }
                        ),
                    ),
                    DrillState::Current => ("current", String::from("playing now")),
                    DrillState::ToDo => ("todo", String::from("to do")),
                };
                let is_current = i == active.current && next.is_some();
                view! {
                    <li class=format!("pack-drill pack-drill-{class}") class:pack-drill-here=is_current
                        data-testid="pack-drill" data-state=class aria-current=is_current.then_some("step")>
                        <span class="pack-drill-number">{format!("{}.", i + 1)}</span>
                        <span class="pack-drill-title">{state.drill_title(&drill.scenario)}</span>
                        <span class="muted small">{format!(" · {} · about {} min", drill.mode.name(), drill.minutes)}</span>
                        <span class="pack-drill-status" data-testid="pack-drill-status">{status}</span>
                    </li>
                }
            })
            .collect_view();
        let note = current_done
            .then(|| pack.drills.get(active.current).map(|d| d.note.clone()))
            .flatten()
            .map(|note| {
                view! {
                    <p class="pack-note small" data-testid="pack-note">
                        <strong>"The facilitator's note: "</strong>{note}
                    </p>
                }
            });
        let objectives = pack
            .objectives
            .iter()
            .map(|o| view! { <li>{o.clone()}</li> })
            .collect_view();
        let next_button = next.filter(|_| current_done).map(|n| {
            view! {
                <button class="primary" data-testid="pack-next" on:click=move |_| state.start_pack_drill(n)>
                    {format!("Next drill ({} of {count})", n + 1)}
                </button>
            }
        });
        Some(view! {
            <section class="panel pack-panel" data-testid="pack-progress" aria-labelledby="pack-heading">
                <p class="eyebrow">"Workshop pack"</p>
                <h2 id="pack-heading" class="flush">{pack.title.clone()}</h2>
                <p class="pack-position" data-testid="pack-position">
                    <strong>{position}</strong>
                    {next.is_some().then(|| format!(" · {done} of {count} played"))}
                </p>
                <ol class="pack-drills" aria-label="The pack's drills">{drills}</ol>
                {note}
                <details class="small">
                    <summary>"About this pack"</summary>
                    <p>{pack.summary.clone()}</p>
                    <ul>{objectives}</ul>
                </details>
                <div class="seed-row">
                    {next_button}
                    {next.is_none().then(|| view! {
                        <button class="secondary" data-testid="pack-restart" on:click=move |_| state.restart_pack()>"Play the pack again"</button>
                    })}
                    <button class="secondary" data-testid="pack-leave" on:click=move |_| state.leave_pack()>"Leave pack"</button>
                </div>
            </section>
        })
    };
    view! {
        {notice}
        {panel}
    }
}

/// Score as printed in the pack summary.
fn score_text(score: f64) -> String {
    format!("{score:.2}")
}

/// Once every drill of the pack is played: a table of the score per drill
/// and per graded dimension, the total, how many passed, and every result
/// code with a copy-all button.
#[component]
pub fn PackSummaryPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let active = state.pack.get()?;
        let summary = state.pack_progress.with(|p| p.summary(&active.pack))?;
        let count = summary.rows.len();
        let total = summary.total;
        let mean = summary.mean();
        let passed = summary.passed;
        // A column per drill, a row per measure: a pack's drills are few,
        // the dimensions of its tasks many.
        let headers = summary
            .rows
            .iter()
            .map(|row| {
                let title = state.drill_title(&row.scenario);
                view! {
                    <th scope="col" class="num" title=title.clone()>
                        {format!("Drill {}", row.number)}
                        <span class="visually-hidden">{format!(": {title}")}</span>
                        <div class="muted small">{row.mode.name()}</div>
                    </th>
                }
            })
            .collect_view();
        let scores = summary
            .rows
            .iter()
            .map(|row| view! { <td class="num" data-testid="pack-summary-score"><strong>{score_text(row.score)}</strong></td> })
            .collect_view();
        let results = summary
            .rows
            .iter()
            .map(|row| view! { <td class="num">{if row.passed { "passed" } else { "not yet" }}</td> })
            .collect_view();
        let dimension_rows = summary
            .dimensions
            .iter()
            .enumerate()
            .map(|(d, name)| {
                let graded: Vec<f64> = summary.rows.iter().filter_map(|r| r.dimensions[d]).collect();
                let dimension_mean = graded.iter().sum::<f64>() / graded.len().max(1) as f64;
                let cells = summary
                    .rows
                    .iter()
                    .map(|row| match row.dimensions[d] {
                        Some(score) => view! { <td class="num">{score_text(score)}</td> }.into_any(),
                        None => view! {
                            <td class="num muted"><span aria-hidden="true">"—"</span><span class="visually-hidden">"not graded"</span></td>
                        }
                        .into_any(),
                    })
                    .collect_view();
                view! {
                    <tr data-testid="pack-summary-row" data-dimension=name.clone()>
                        <th scope="row" class="dimension-name">{name.replace('_', " ")}</th>
                        {cells}
                        <td class="num">{score_text(dimension_mean)}<span class="muted small">{format!(" mean of {}", graded.len())}</span></td>
                    </tr>
                }
            })
            .collect_view();
        let table = view! {
            <table class="pack-table">
                <caption class="visually-hidden">"Score per drill and per graded dimension"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Drill"</th>
                        {headers}
                        <th scope="col" class="num">"All drills"</th>
                    </tr>
                </thead>
                <tbody>
                    <tr class="pack-score-row">
                        <th scope="row">"Score"</th>
                        {scores}
                        <td class="num" data-testid="pack-summary-total"><strong>{format!("{total:.2}")}</strong><span class="muted small">{format!(" of {count}")}</span></td>
                    </tr>
                    <tr>
                        <th scope="row">"Result"</th>
                        {results}
                        <td class="num">{format!("{passed} of {count} passed")}</td>
                    </tr>
                    {dimension_rows}
                </tbody>
            </table>
        };
        let codes_summary = summary.clone();
        let codes = move || {
            let name = state.player.get();
            (!name.trim().is_empty()).then(|| codes_summary.codes(&name).join("\n"))
        };
        let copied = RwSignal::new(None::<&'static str>);
        Some(view! {
            <section class="panel pack-summary" data-testid="pack-summary" aria-labelledby="pack-summary-heading">
                <p class="eyebrow">"Pack summary"</p>
                <h2 id="pack-summary-heading" class="flush">{active.pack.title.clone()}</h2>
                <p class="pack-totals" data-testid="pack-totals">
                    {format!("Passed {passed} of {count} drills. Total {total:.2} of {count} (mean {mean:.2}).")}
                </p>
                <div class="table-scroll" tabindex="0" role="region" aria-label="Scores per drill and dimension">
                    {table}
                </div>
                <h3>"Your result codes"</h3>
                <p class="muted small">"Hand these to the facilitator: their board replays each one and grades it itself."</p>
                {move || match codes() {
                    None => view! { <NameGate id="pack-summary-name"/> }.into_any(),
                    Some(text) => {
                        let to_copy = text.clone();
                        view! {
                            <label class="visually-hidden" for="pack-codes">"Every drill's result code, one a line"</label>
                            <textarea id="pack-codes" class="code-text" data-testid="pack-codes" readonly wrap="off" rows=(count + 1).to_string() prop:value=text></textarea>
                            <div class="seed-row">
                                <button class="secondary" type="button" data-testid="pack-codes-copy"
                                    on:click=move |_| copy_text(to_copy.clone(), copied, SELECT_AND_COPY)>"Copy all codes"</button>
                                <span class="small" role="status">{move || copied.get()}</span>
                            </div>
                        }
                        .into_any()
                    }
                }}
            </section>
        })
    }
}

/// At the end of a pack's drill, in its debrief: on to the next drill, or
/// to the pack summary after the last one.
#[component]
pub fn PackDebriefNav() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let active = state.pack.get()?;
        let mode = state.episode_mode.get();
        let (scenario, seed) = state
            .episode
            .with(|e| e.as_ref().map(|e| (e.scenario.clone(), e.seed)))?;
        state.pack_drill_of(&scenario, seed, mode)?;
        let progress = state.pack_progress.get();
        progress.result(&active.pack, active.current)?;
        let count = active.pack.drills.len();
        let number = active.current + 1;
        Some(match progress.next_drill(&active.pack) {
            Some(next) => view! {
                <div class="debrief-pack-nav seed-row">
                    <p>{format!("Drill {number} of {count} of {} is done.", active.pack.title)}</p>
                    <button class="primary" data-testid="debrief-pack-next" on:click=move |_| state.start_pack_drill(next)>
                        {format!("Next drill ({} of {count})", next + 1)}
                    </button>
                </div>
            }
            .into_any(),
            None => view! {
                <div class="debrief-pack-nav seed-row">
                    <p>{format!("Every drill of {} is played.", active.pack.title)}</p>
                    <a href="#pack-summary-heading" data-testid="debrief-pack-summary">"See the pack summary"</a>
                </div>
            }
            .into_any(),
        })
    }
}
