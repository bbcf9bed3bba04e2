//! The facilitator's view (`?facilitate=1`), made for a projector: choose
//! a pack (built-in, or a pack file), show the room the participants' link
//! and its QR code, run a round with a visible countdown, reveal the
//! answers and the ideal path, and collect the class's result codes on a
//! board that replays every one in the core (pasted, or dropped as files;
//! kept in `firedrill.facilitator-board`). Per drill: a heat map of the
//! grading dimensions across participants, sortable, and a debrief slide
//! (the cause, the signals that pointed to it, the ideal path, the class's
//! common wrong moves); the whole board exports as CSV.
//!
//! The logic is plain Rust in [`crate::workshop::board`]; this file draws
//! it and talks to the browser (files, clipboard, storage, the clock).

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::storage::{self, Loaded};
use super::{download, AppState, SavedFile, CUSTOM_KEY, CUSTOM_VERSION};
use crate::scenario::Scenario;
use crate::web::download::Download;
use crate::web::format::action_line;
use crate::web::url::UrlParams;
use crate::workshop::board::{
    csv, heat_level, minute_mark, mm_ss, participants_link, replay, signals, wrong_moves, Added,
    Answer, Board, Countdown, DrillKey, HeatMap, Played, SortColumn,
};
use crate::workshop::code::{self, codes_in};
use crate::workshop::pack::{self, builtin_packs, Pack};

/// The board's codes: `firedrill.facilitator-board`, a list of code texts.
const BOARD_KEY: &str = "facilitator-board";
const BOARD_VERSION: u32 = 1;
/// The pack chosen last: `firedrill.facilitator-pack`, its id.
const PACK_KEY: &str = "facilitator-pack";
const PACK_VERSION: u32 = 1;
/// Largest file of codes read, in bytes.
const MAX_CODES_FILE_BYTES: f64 = 2.0 * 1024.0 * 1024.0;

/// A pack the facilitator can choose: a built-in, or one loaded from a file.
#[derive(Clone, Debug, PartialEq)]
struct PackChoice {
    pack: Pack,
    /// The file a custom pack came from (`None`: built-in).
    file: Option<String>,
}

/// The room's state, shared by the view's parts.
#[derive(Clone, Copy)]
struct Room {
    state: AppState,
    packs: RwSignal<Vec<PackChoice>>,
    /// Index into `packs`.
    chosen: RwSignal<Option<usize>>,
    /// The round's drill, 0-based.
    drill: RwSignal<usize>,
    round: RwSignal<Option<Countdown>>,
    /// The round was ended by hand.
    ended: RwSignal<bool>,
    now_ms: RwSignal<f64>,
    revealed: RwSignal<bool>,
    board: RwSignal<Board>,
    board_message: RwSignal<Option<String>>,
    /// Bumped when scenario files have arrived.
    scenarios: RwSignal<u32>,
    /// Scenario files being fetched.
    fetching: RwSignal<bool>,
    /// The drill whose debrief slide is open.
    slide: RwSignal<Option<DrillKey>>,
    /// What had the focus when the slide opened: it gets it back.
    slide_opener: StoredValue<Option<web_sys::HtmlElement>, LocalStorage>,
}

impl Room {
    fn pack(&self) -> Option<PackChoice> {
        let chosen = self.chosen.get()?;
        self.packs.with(|packs| packs.get(chosen).cloned())
    }

    fn pack_untracked(&self) -> Option<Pack> {
        let chosen = self.chosen.get_untracked()?;
        self.packs
            .with_untracked(|packs| packs.get(chosen).map(|c| c.pack.clone()))
    }

    /// A scenario of the catalog, once its file is here (tracked).
    fn scenario(&self, id: &str) -> Option<Arc<Scenario>> {
        self.scenarios.track();
        self.state
            .env
            .try_with_value(|env| env.catalog().get(id).cloned())
            .flatten()
    }

    /// What participants see of a scenario: its symptom title.
    fn symptom(&self, id: &str) -> String {
        self.state
            .env
            .try_with_value(|env| env.catalog().summary(id).map(|s| s.title.clone()))
            .flatten()
            .unwrap_or_else(|| String::from("a drill this browser does not have"))
    }

    /// Chooses a pack: a new round, its scenarios fetched, the board
    /// replayed against it.
    fn choose(&self, index: usize) {
        self.chosen.set(Some(index));
        self.drill.set(0);
        self.round.set(None);
        self.ended.set(false);
        self.revealed.set(false);
        let pack = self.pack_untracked();
        if let Some(pack) = &pack {
            let _ = storage::save(PACK_KEY, PACK_VERSION, &pack.id);
        }
        let ids: Vec<String> = pack
            .map(|p| p.drills.iter().map(|d| d.scenario.clone()).collect())
            .unwrap_or_default();
        let room = *self;
        let texts = self.board.with_untracked(Board::texts);
        leptos::task::spawn_local(async move {
            room.fetch(ids).await;
            room.board.set(Board::default());
            room.add_now(texts, None).await;
        });
    }

    /// Fetches the files of built-in scenarios not fetched yet; returns
    /// (id, why) for each that failed.
    async fn fetch(&self, ids: Vec<String>) -> Vec<(String, String)> {
        let mut failed = Vec::new();
        let needed: Vec<String> = ids
            .into_iter()
            .filter(|id| self.state.needs_fetch(id))
            .collect();
        if needed.is_empty() {
            return failed;
        }
        self.fetching.set(true);
        for id in needed {
            if !self.state.needs_fetch(&id) {
                continue;
            }
            if let Err(why) = self.state.fetch_for_reset(&id, 0).await {
                failed.push((id, why));
            }
        }
        self.state.drill_load.set(None);
        self.fetching.set(false);
        self.scenarios.update(|v| *v += 1);
        failed
    }

    /// Adds the codes in `texts` (from `source`, for the message) to the
    /// board, once their scenarios' files are here.
    fn add(&self, texts: Vec<String>, source: String) {
        let room = *self;
        leptos::task::spawn_local(async move {
            room.add_now(texts, Some(source)).await;
        });
    }

    async fn add_now(&self, texts: Vec<String>, source: Option<String>) {
        let ids: Vec<String> = texts
            .iter()
            .filter_map(|t| code::decode(t).ok().map(|c| c.scenario))
            .collect();
        let failed = self.fetch(ids).await;
        let pack = self.pack_untracked();
        let mut counts = AddCounts::default();
        for text in &texts {
            let scenario = code::decode(text).ok().map(|c| c.scenario);
            let fetch_error = failed
                .iter()
                .find(|(id, _)| Some(id) == scenario.as_ref())
                .map(|(_, why)| why.clone());
            let entry = match fetch_error {
                Some(why) => crate::workshop::board::Entry {
                    text: text.trim().to_string(),
                    outcome: Err(format!(
                        "the drill's scenario file could not be fetched: {why}"
                    )),
                },
                None => self
                    .state
                    .env
                    .try_update_value(|env| replay(env, text, pack.as_ref()))
                    .unwrap_or_else(|| crate::workshop::board::Entry {
                        text: text.trim().to_string(),
                        outcome: Err(String::from(super::ENV_GONE)),
                    }),
            };
            let replayed = entry.outcome.is_ok();
            match (self.board.try_update(|board| board.add(entry)), replayed) {
                (Some(Added::New), true) => counts.replayed += 1,
                (Some(Added::New), false) => counts.broken += 1,
                (Some(Added::Replaced), _) => {
                    counts.replayed += 1;
                    counts.replaced += 1;
                }
                (Some(Added::Duplicate) | None, _) => counts.duplicate += 1,
            }
        }
        self.save();
        if let Some(source) = source {
            self.board_message
                .set(Some(added_message(&source, texts.len(), counts)));
        }
    }

    fn save(&self) {
        let texts = self.board.with_untracked(Board::texts);
        if let Err(why) = storage::save(BOARD_KEY, BOARD_VERSION, &texts) {
            self.board_message.set(Some(format!(
                "{why}. The board stays on this page until it is closed."
            )));
        }
    }

    /// The facilitator's note of a drill of the chosen pack or of a
    /// built-in pack.
    fn note_of(&self, key: &DrillKey) -> Option<String> {
        let number = key.drill? as usize;
        let pack_id = key.pack.as_ref()?;
        let chosen = self.pack_untracked().filter(|p| p.id == *pack_id);
        let pack = chosen.or_else(|| pack::builtin_pack(pack_id))?;
        let drill = pack.drills.get(number.checked_sub(1)?)?;
        (drill.scenario == key.scenario).then(|| drill.note.clone())
    }

    /// How the board names a drill: its number in the chosen pack and its
    /// symptom, or its pack, handle and seed.
    fn drill_label(&self, key: &DrillKey) -> String {
        let in_pack = self
            .pack_untracked()
            .is_some_and(|p| key.pack.as_deref() == Some(p.id.as_str()));
        match key.drill {
            Some(n) if in_pack => format!("Drill {n}: {}", self.symptom(&key.scenario)),
            _ => format!("{}: {}", key.label(), self.symptom(&key.scenario)),
        }
    }
}

/// What adding codes did, counted.
#[derive(Default)]
struct AddCounts {
    /// Replayed and on the board.
    replayed: usize,
    /// Of those, replacing an earlier code of the same participant and drill.
    replaced: usize,
    /// The same text was on the board already.
    duplicate: usize,
    /// Could not be replayed (listed with why).
    broken: usize,
}

/// What the board says after codes were added.
fn added_message(source: &str, found: usize, counts: AddCounts) -> String {
    if found == 0 {
        return format!("No result code in {source}: a code starts with \"r1.\".");
    }
    let mut parts = vec![format!(
        "{found} code{} from {source}: {} replayed",
        if found == 1 { "" } else { "s" },
        counts.replayed
    )];
    if counts.replaced > 0 {
        parts.push(format!(
            "{} replaced an earlier code of the same participant and drill (the latest counts)",
            counts.replaced
        ));
    }
    if counts.broken > 0 {
        parts.push(format!(
            "{} could not be replayed (listed below with why)",
            counts.broken
        ));
    }
    if counts.duplicate > 0 {
        parts.push(format!("{} already on the board", counts.duplicate));
    }
    format!("{}.", parts.join("; "))
}

/// The facilitator's view.
#[component]
pub fn FacilitatorView(params: UrlParams) -> impl IntoView {
    let state = expect_context::<AppState>();
    load_custom_scenarios(state);
    let packs: Vec<PackChoice> = builtin_packs()
        .into_iter()
        .map(|pack| PackChoice { pack, file: None })
        .collect();
    let room = Room {
        state,
        packs: RwSignal::new(packs),
        chosen: RwSignal::new(None),
        drill: RwSignal::new(0),
        round: RwSignal::new(None),
        ended: RwSignal::new(false),
        now_ms: RwSignal::new(js_sys::Date::now()),
        revealed: RwSignal::new(false),
        board: RwSignal::new(Board::default()),
        board_message: RwSignal::new(None),
        scenarios: RwSignal::new(0),
        fetching: RwSignal::new(false),
        slide: RwSignal::new(None),
        slide_opener: StoredValue::new_local(None),
    };
    provide_context(room);
    let wanted =
        params
            .pack
            .clone()
            .or_else(|| match storage::load::<String>(PACK_KEY, PACK_VERSION) {
                Loaded::Value(id) => Some(id),
                _ => None,
            });
    let saved = match storage::load::<Vec<String>>(BOARD_KEY, BOARD_VERSION) {
        Loaded::Value(texts) => texts,
        Loaded::SetAside(message) => {
            room.board_message.set(Some(message));
            Vec::new()
        }
        Loaded::Missing => Vec::new(),
    };
    let index = wanted.and_then(|id| {
        room.packs
            .with_untracked(|p| p.iter().position(|c| c.pack.id == id))
    });
    match index {
        Some(index) => {
            // The saved codes are replayed against the pack.
            room.chosen.set(Some(index));
            let ids: Vec<String> = room
                .pack_untracked()
                .map(|p| p.drills.iter().map(|d| d.scenario.clone()).collect())
                .unwrap_or_default();
            leptos::task::spawn_local(async move {
                room.fetch(ids).await;
                room.add_now(saved, None).await;
            });
        }
        None if !saved.is_empty() => {
            leptos::task::spawn_local(async move { room.add_now(saved, None).await });
        }
        None => {}
    }
    // The clock of the countdown.
    if let Ok(handle) = set_interval_with_handle(
        move || room.now_ms.set(js_sys::Date::now()),
        Duration::from_millis(250),
    ) {
        on_cleanup(move || handle.clear());
    }
    view! {
        <header class="topbar facilitator-topbar">
            <div class="brand">
                <span class="logo" aria-hidden="true">"▲"</span>
                <span class="brand-name">"Firedrill"</span>
                <span class="tagline">"Facilitator's view: run a workshop from this screen"</span>
            </div>
        </header>
        <main class="facilitator" data-testid="facilitator">
            <div class="facilitator-top">
                <PackChooser/>
                <div class="facilitator-side">
                    <RoomLink/>
                    <RoundPanel/>
                </div>
            </div>
            <ClassBoard/>
            <DebriefSlide/>
        </main>
    }
}

/// Custom scenarios this browser keeps (a custom pack may play them).
fn load_custom_scenarios(state: AppState) {
    if let Loaded::Value(saved) = storage::load::<Vec<SavedFile>>(CUSTOM_KEY, CUSTOM_VERSION) {
        state.env.update_value(|env| {
            for scenario in saved {
                let _ = env.catalog_mut().load_str(&scenario.file, &scenario.text);
            }
        });
    }
}

/// The packs, the chosen pack's objectives and drills, and a pack file.
#[component]
fn PackChooser() -> impl IntoView {
    let room = expect_context::<Room>();
    let message = RwSignal::new(None::<String>);
    let errors = RwSignal::new(Vec::<String>::new());
    let read = move |file: web_sys::File| {
        let name = file.name();
        if file.size() > pack::MAX_PACK_BYTES.max(crate::scenario::MAX_SCENARIO_BYTES) as f64 {
            errors.set(vec![format!(
                "{name}: the file is {} bytes, too large for a pack",
                file.size()
            )]);
            return;
        }
        leptos::task::spawn_local(async move {
            let Some(text) = read_text(&file).await else {
                errors.set(vec![format!("{name}: could not be read as text")]);
                return;
            };
            if !pack::is_pack(&text) {
                // A scenario a custom pack plays.
                let loaded = room
                    .state
                    .env
                    .try_update_value(|env| env.catalog_mut().load_str(&name, &text));
                match loaded {
                    Some(Ok(id)) => {
                        errors.set(Vec::new());
                        room.scenarios.update(|v| *v += 1);
                        message.set(Some(format!(
                            "Loaded the scenario {id} from {name}: a custom pack may play it."
                        )));
                    }
                    Some(Err(list)) => errors.set(list.iter().map(|e| e.to_string()).collect()),
                    None => errors.set(vec![String::from(super::ENV_GONE)]),
                }
                return;
            }
            let known = |id: &str| {
                room.state
                    .env
                    .try_with_value(|env| env.catalog().summary(id).is_some())
                    .unwrap_or(false)
            };
            match pack::parse(&name, &text, &known) {
                Ok(pack) => {
                    errors.set(Vec::new());
                    message.set(Some(format!(
                        "Loaded the pack \"{}\" from {name}.",
                        pack.title
                    )));
                    let id = pack.id.clone();
                    room.packs.update(|packs| {
                        packs.retain(|c| !(c.file.is_some() && c.pack.id == id));
                        packs.push(PackChoice {
                            pack,
                            file: Some(name.clone()),
                        });
                    });
                    let index = room.packs.with_untracked(|p| p.len() - 1);
                    room.choose(index);
                }
                Err(list) => {
                    message.set(None);
                    errors.set(list.iter().map(|e| e.to_string()).collect());
                }
            }
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        if let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            for file in files_of(input.files()) {
                read(file);
            }
            input.set_value("");
        }
    };
    view! {
        <section class="panel pack-chooser" aria-labelledby="pack-heading">
            <h2 id="pack-heading">"1. Choose a pack"</h2>
            <ul class="pack-list">
                {move || room.packs.get().into_iter().enumerate().map(|(i, choice)| {
                    let chosen = move || room.chosen.get() == Some(i);
                    let minutes = choice.pack.minutes();
                    let drills = choice.pack.drills.len();
                    view! {
                        <li>
                            <button
                                type="button"
                                class="pack-card"
                                class:chosen=chosen
                                aria-pressed=move || if chosen() { "true" } else { "false" }
                                data-testid="pack-choice"
                                data-pack=choice.pack.id.clone()
                                on:click=move |_| room.choose(i)
                            >
                                <span class="pack-title">{choice.pack.title.clone()}</span>
                                <span class="pack-meta">
                                    {format!("{drills} drills · {minutes} min")}
                                    {choice.file.map(|f| format!(" · from {f}"))}
                                </span>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <label class="file-button secondary">
                "Load a pack file…"
                <input
                    type="file"
                    accept=".toml,text/plain"
                    multiple=true
                    class="visually-hidden"
                    data-testid="facilitator-pack-file"
                    on:change=on_pick
                />
            </label>
            <span class="muted">" (and the scenario files it plays, if they are custom)"</span>
            {move || message.get().map(|m| view! { <p role="status">{m}</p> })}
            <Show when=move || !errors.get().is_empty()>
                <ul class="error" role="alert" data-testid="facilitator-pack-errors">
                    {move || errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                </ul>
            </Show>
            {move || room.pack().map(|choice| {
                let pack = choice.pack;
                view! {
                    <div class="pack-details" data-testid="pack-details">
                        <h3>{pack.title.clone()}</h3>
                        <p>{pack.summary.clone()}</p>
                        <p class="pack-total" data-testid="pack-minutes">
                            {format!("{} drills, {} minutes in all", pack.drills.len(), pack.minutes())}
                        </p>
                        <h4>"Objectives"</h4>
                        <ul class="objectives">
                            {pack.objectives.iter().map(|o| view! { <li>{o.clone()}</li> }).collect_view()}
                        </ul>
                        <h4>"Drills"</h4>
                        <ol class="pack-drills">
                            {pack.drills.iter().map(|d| view! {
                                <li>
                                    <span>{room.symptom(&d.scenario)}</span>
                                    <span class="muted">{format!(" · {} min · {}", d.minutes, d.mode.name())}</span>
                                </li>
                            }).collect_view()}
                        </ol>
                    </div>
                }
            })}
        </section>
    }
}

/// The participants' link, large, with a copy button and its QR code.
#[component]
fn RoomLink() -> impl IntoView {
    let room = expect_context::<Room>();
    let copied = RwSignal::new(None::<&'static str>);
    move || {
        let choice = room.pack()?;
        let page = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        let link = participants_link(&page, &choice.pack.id);
        let qr = crate::workshop::qr::svg(&link, "QR code of the participants' link")
            .unwrap_or_default();
        let to_copy = link.clone();
        let copy = move |_| {
            super::result_code::copy_text(
                to_copy.clone(),
                copied,
                "Could not copy: select the link and copy it.",
            )
        };
        Some(view! {
            <section class="panel room-link" aria-labelledby="room-heading">
                <h2 id="room-heading">"2. Participants open"</h2>
                <div class="room-link-body">
                    <div>
                        <p class="big-link">
                            <a href=link.clone() data-testid="participants-link">{link.clone()}</a>
                        </p>
                        <p>
                            <button type="button" class="secondary" data-testid="participants-link-copy" on:click=copy>
                                "Copy link"
                            </button>
                            " "
                            <span role="status">{move || copied.get()}</span>
                        </p>
                        {crate::workshop::board::local_only_host(&page).map(|host| view! {
                            <p class="custom-note" data-testid="local-link-note">
                                {format!("This link uses {host}, which only this computer can open. Open this page at the address the room uses (the laptop's network address: firedrill serve-app --lan prints it) so that the link and QR code work for the room.")}
                            </p>
                        })}
                        {choice.file.map(|file| view! {
                            <p class="custom-note" data-testid="custom-pack-note">
                                {format!("This pack is a file ({file}): the link opens built-in packs only, so participants need the file too. Send it to them and have them load it in the drill picker.")}
                            </p>
                        })}
                    </div>
                    <div class="room-qr" data-testid="room-qr" inner_html=qr></div>
                </div>
            </section>
        })
    }
}

/// The round: the drill, the countdown and its controls, the answers.
#[component]
fn RoundPanel() -> impl IntoView {
    let room = expect_context::<Room>();
    let remaining = Memo::new(move |_| {
        let now = room.now_ms.get();
        room.round.get().map(|r| r.remaining_seconds(now))
    });
    let announcement = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(mark) = remaining.get().and_then(minute_mark) {
            announcement.set(mark);
        }
    });
    let over = move || room.ended.get() || remaining.get() == Some(0);
    let running = move || room.round.get().is_some_and(|r| r.is_running()) && !over();
    let start = move |_| {
        let Some(pack) = room.pack_untracked() else {
            return;
        };
        let Some(drill) = pack.drills.get(room.drill.get_untracked()) else {
            return;
        };
        let mut countdown = Countdown::new(drill.minutes);
        countdown.start(js_sys::Date::now());
        room.now_ms.set(js_sys::Date::now());
        room.round.set(Some(countdown));
        room.ended.set(false);
        room.revealed.set(false);
    };
    let pause_or_resume = move |_| {
        room.round.update(|r| {
            if let Some(r) = r {
                if r.is_running() {
                    r.pause(js_sys::Date::now());
                } else {
                    r.start(js_sys::Date::now());
                }
            }
        })
    };
    let add_minute = move |_| {
        room.round.update(|r| {
            if let Some(r) = r {
                r.add_minute();
            }
        })
    };
    let end = move |_| {
        room.round.update(|r| {
            if let Some(r) = r {
                r.pause(js_sys::Date::now());
            }
        });
        room.ended.set(true);
    };
    move || {
        let choice = room.pack()?;
        let pack = choice.pack;
        let options = pack
            .drills
            .iter()
            .enumerate()
            .map(|(i, d)| {
                view! {
                    <option value=i.to_string() selected=move || room.drill.get() == i>
                        {format!("Drill {}: {} ({} min, {})", i + 1, room.symptom(&d.scenario), d.minutes, d.mode.name())}
                    </option>
                }
            })
            .collect_view();
        Some(view! {
            <section class="panel round-panel" aria-labelledby="round-heading">
                <h2 id="round-heading">"3. Run a round"</h2>
                <div class="round-row">
                    <label for="round-drill">"Drill"</label>
                    <select
                        id="round-drill"
                        data-testid="round-drill"
                        on:change=move |ev| {
                            if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                                room.drill.set(i);
                                room.round.set(None);
                                room.ended.set(false);
                                room.revealed.set(false);
                            }
                        }
                    >
                        {options}
                    </select>
                </div>
                <div class="round-clock">
                    <p class="timer" role="timer" data-testid="round-timer" class:over=over>
                        {move || {
                            let seconds = remaining.get().unwrap_or_else(|| {
                                room.pack().and_then(|c| c.pack.drills.get(room.drill.get()).map(|d| u64::from(d.minutes) * 60)).unwrap_or(0)
                            });
                            mm_ss(seconds)
                        }}
                    </p>
                    <p class="round-state" data-testid="round-state">
                        {move || match (room.round.get(), over()) {
                            (None, _) => "Not started",
                            (Some(_), true) => "Round over",
                            (Some(r), false) if r.is_running() => "Running: answers hidden",
                            (Some(_), false) => "Paused",
                        }}
                    </p>
                    <p class="visually-hidden" aria-live="polite" data-testid="round-announcement">
                        {move || announcement.get()}
                    </p>
                </div>
                <div class="round-buttons">
                    <Show
                        when=move || room.round.get().is_some() && !over()
                        fallback=move || view! {
                            <button type="button" class="primary" data-testid="round-start" on:click=start>"Start round"</button>
                        }
                    >
                        <button type="button" class="secondary" data-testid="round-pause" on:click=pause_or_resume>
                            {move || if running() { "Pause" } else { "Resume" }}
                        </button>
                        <button type="button" class="secondary" data-testid="round-add-minute" on:click=add_minute>"+1 min"</button>
                        <button type="button" class="secondary" data-testid="round-end" on:click=end>"End round"</button>
                    </Show>
                    <button
                        type="button"
                        class=move || if over() { "primary" } else { "secondary" }
                        data-testid="reveal-answers"
                        aria-expanded=move || if room.revealed.get() { "true" } else { "false" }
                        on:click=move |_| room.revealed.update(|r| *r = !*r)
                    >
                        {move || match (room.revealed.get(), running()) {
                            (true, _) => "Hide answers",
                            (false, true) => "Reveal answers now",
                            (false, false) => "Reveal answers",
                        }}
                    </button>
                </div>
                {move || room.revealed.get().then(|| {
                    let drill = room.pack()?.pack.drills.get(room.drill.get())?.clone();
                    let Some(scenario) = room.scenario(&drill.scenario) else {
                        return Some(view! {
                            <p class="muted" role="status">{if room.fetching.get() { "Loading the drill's file…" } else { "This drill's file could not be loaded: reload the page." }}</p>
                        }.into_any());
                    };
                    let answer = Answer::of(&scenario);
                    Some(view! {
                        <div class="answers" data-testid="round-answers">
                            <AnswerView answer=answer/>
                            <h3>"Facilitator's note"</h3>
                            <p data-testid="round-note">{drill.note.clone()}</p>
                        </div>
                    }.into_any())
                }).flatten()}
            </section>
        })
    }
}

/// The cause and the ideal path of a drill.
#[component]
fn AnswerView(answer: Answer) -> impl IntoView {
    view! {
        <h3>"The cause"</h3>
        <p class="cause-headline" data-testid="answer-cause"><strong>{answer.cause.clone()}</strong></p>
        {answer.descriptions.iter().map(|d| view! { <p>{d.clone()}</p> }).collect_view()}
        <p>
            {format!("Severity {}. ", answer.severity.name())}
            {if answer.fixes.is_empty() {
                String::from("Right fixes: none; nothing was broken.")
            } else {
                format!("Right fixes: {}.", answer.fixes.join(", "))
            }}
        </p>
        <h3>"The ideal path"</h3>
        <ol class="ideal-path" data-testid="answer-ideal-path">
            {answer.ideal_path.iter().map(|a| {
                // A diagnosis's reasoning that repeats the cause above is not shown twice.
                let said = answer.descriptions.iter().any(|d| d.trim() == a.reasoning.trim());
                let why = (!said && !a.reasoning.is_empty()).then(|| format!(" — {}", a.reasoning));
                view! { <li><strong>{action_line(a)}</strong><span class="muted">{why}</span></li> }
            }).collect_view()}
        </ol>
    }
}

/// The board: codes in, a row per participant and drill, the codes that
/// failed, and per drill the heat map and the debrief slide.
#[component]
fn ClassBoard() -> impl IntoView {
    let room = expect_context::<Room>();
    let pasted = RwSignal::new(String::new());
    let dragging = RwSignal::new(false);
    let confirm_clear = RwSignal::new(false);
    let add_pasted = move |_| {
        let text = pasted.get_untracked();
        let codes: Vec<String> = codes_in(&text).into_iter().map(str::to_string).collect();
        room.add(codes, String::from("the pasted text"));
        pasted.set(String::new());
    };
    let read_files = move |files: Vec<web_sys::File>| {
        if files.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            let mut codes = Vec::new();
            let mut problems = Vec::new();
            let count = files.len();
            for file in files {
                let name = file.name();
                if file.size() > MAX_CODES_FILE_BYTES {
                    problems.push(format!("{name} is too large (at most 2 MB)"));
                    continue;
                }
                match read_text(&file).await {
                    Some(text) => codes.extend(codes_in(&text).into_iter().map(str::to_string)),
                    None => problems.push(format!("{name} could not be read as text")),
                }
            }
            let source = format!("{count} file{}", if count == 1 { "" } else { "s" });
            room.add_now(codes, Some(source)).await;
            if !problems.is_empty() {
                room.board_message.update(|m| {
                    let before = m.take().unwrap_or_default();
                    *m = Some(format!("{before} {}.", problems.join("; ")));
                });
            }
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        if let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            read_files(files_of(input.files()));
            input.set_value("");
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        read_files(files_of(ev.data_transfer().and_then(|d| d.files())));
    };
    let export = move |_| {
        let text = room
            .board
            .with_untracked(|b| csv(&b.played().collect::<Vec<_>>()));
        let name = room
            .pack_untracked()
            .map(|p| format!("firedrill-class-{}.csv", p.id))
            .unwrap_or_else(|| String::from("firedrill-class.csv"));
        if let Err(why) = download(&Download::named(&name), &text) {
            room.board_message
                .set(Some(format!("Export failed: {why}")));
        }
    };
    let clear = move |_| {
        room.board.set(Board::default());
        room.save();
        confirm_clear.set(false);
        room.board_message
            .set(Some(String::from("The board is cleared.")));
    };
    view! {
        <section class="panel class-board" data-testid="facilitator-board" aria-labelledby="board-heading">
            <h2 id="board-heading">"4. The class board"</h2>
            <p class="muted">
                "Every code is replayed here, in this page: the score shown is the one the replay computes, never the one the code claims."
            </p>
            <div class="board-inputs">
                <div class="paste-box">
                    <label for="codes-input">"Paste result codes (any text: every word starting with r1. is read)"</label>
                    <textarea
                        id="codes-input"
                        rows="4"
                        data-testid="facilitator-codes-input"
                        prop:value=move || pasted.get()
                        on:input=move |ev| pasted.set(event_target_value(&ev))
                    ></textarea>
                    <button type="button" class="primary" data-testid="facilitator-add-codes" on:click=add_pasted>
                        "Add codes"
                    </button>
                </div>
                <div
                    class="drop-zone board-drop"
                    class:dragging=move || dragging.get()
                    data-testid="facilitator-drop"
                    on:dragover=move |ev: leptos::ev::DragEvent| {
                        ev.prevent_default();
                        dragging.set(true);
                    }
                    on:dragleave=move |_| dragging.set(false)
                    on:drop=on_drop
                >
                    <label class="file-button secondary">
                        "Add files of codes…"
                        <input
                            type="file"
                            multiple=true
                            accept=".txt,.csv,.json,.md,text/plain"
                            class="visually-hidden"
                            data-testid="facilitator-files"
                            on:change=on_pick
                        />
                    </label>
                    <p class="muted">"or drop several files here: text files with one or many codes each"</p>
                </div>
            </div>
            <p role="status" data-testid="board-message">{move || room.board_message.get()}</p>
            {move || room.fetching.get().then(|| view! { <p class="muted">"Loading the drills' files…"</p> })}
            <div class="board-actions">
                <button type="button" class="secondary" data-testid="export-csv" on:click=export
                    disabled=move || room.board.with(|b| b.played().next().is_none())>
                    "Export CSV"
                </button>
                <Show
                    when=move || confirm_clear.get()
                    fallback=move || view! {
                        <button type="button" class="secondary" data-testid="clear-board"
                            disabled=move || room.board.with(Board::is_empty)
                            on:click=move |_| confirm_clear.set(true)>
                            "Clear board"
                        </button>
                    }
                >
                    <span class="confirm" role="alert">
                        {move || format!("Remove all {} codes from the board?", room.board.with(|b| b.entries().len()))}
                        " "
                        <button type="button" class="primary" data-testid="clear-board-confirm" on:click=clear>"Yes, clear it"</button>
                        " "
                        <button type="button" class="secondary" on:click=move |_| confirm_clear.set(false)>"Keep it"</button>
                    </span>
                </Show>
            </div>
            <BoardRows/>
            <FailedCodes/>
            {move || {
                room.scenarios.track();
                let drills = room.board.with(Board::drills);
                drills.into_iter().map(|key| {
                    let label = room.drill_label(&key);
                    view! { <DrillSection key=key label=label/> }
                }).collect_view()
            }}
        </section>
    }
}

/// A row per participant and drill.
#[component]
fn BoardRows() -> impl IntoView {
    let room = expect_context::<Room>();
    move || {
        let mut rows: Vec<Played> = room.board.with(|b| b.played().cloned().collect());
        if rows.is_empty() {
            return view! { <p class="muted" data-testid="board-empty">"No codes yet."</p> }
                .into_any();
        }
        rows.sort_by(|a, b| {
            a.drill_key()
                .cmp(&b.drill_key())
                .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
        });
        view! {
            <div class="table-scroll">
                <table class="board-table" data-testid="board-rows">
                    <caption class="visually-hidden">"Participants' replayed results"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Drill"</th>
                            <th scope="col" class="num">"Score (replayed)"</th>
                            <th scope="col">"Passed"</th>
                            <th scope="col" class="num">"Steps"</th>
                            <th scope="col">"Claimed score"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|p| {
                            let drill = match (&p.pack, p.drill) {
                                (Some(_), Some(n)) => n.to_string(),
                                _ => p.drill_key().label(),
                            };
                            let claimed = match (p.claimed_score, p.score_edited) {
                                (Some(c), true) => view! {
                                    <span class="claimed-mark" data-testid="claimed-ignored">
                                        {format!("⚠ claimed {c:.2} — ignored")}
                                    </span>
                                }.into_any(),
                                (Some(_), false) => view! { <span class="muted">"matches"</span> }.into_any(),
                                (None, _) => view! { <span class="muted">"none"</span> }.into_any(),
                            };
                            let drill_cell = drill.clone();
                            view! {
                                <tr data-testid="board-row" data-participant=p.name.clone() data-drill=drill data-score=p.score.to_string()>
                                    <th scope="row">{p.name.clone()}</th>
                                    <td>{drill_cell}</td>
                                    <td class="num" data-testid="board-score">{format!("{:.4}", p.score)}</td>
                                    <td class=if p.passed { "passed" } else { "not-yet" } data-testid="board-passed">
                                        {if p.passed { "✓ passed" } else { "✗ not yet" }}
                                    </td>
                                    <td class="num" data-testid="board-steps">{p.steps}</td>
                                    <td>{claimed}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    }
}

/// The codes that could not be replayed, each with why.
#[component]
fn FailedCodes() -> impl IntoView {
    let room = expect_context::<Room>();
    move || {
        let failed: Vec<(String, String)> = room.board.with(|b| {
            b.failed()
                .map(|(text, why)| (text.to_string(), why.to_string()))
                .collect()
        });
        (!failed.is_empty()).then(|| {
            view! {
                <h3>"Codes that could not be replayed"</h3>
                <ul class="failed-codes" data-testid="board-failed">
                    {failed.into_iter().map(|(text, why)| {
                        let short: String = text.chars().take(24).collect();
                        view! {
                            <li data-testid="board-failed-code">
                                <code>{format!("{short}…")}</code>": "{why}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        })
    }
}

/// One drill of the board: its heat map and its debrief slide's button.
#[component]
fn DrillSection(key: DrillKey, label: String) -> impl IntoView {
    let room = expect_context::<Room>();
    let sort = RwSignal::new((SortColumn::Name, false));
    let open_key = key.clone();
    let map_key = key.clone();
    let heading = label.clone();
    view! {
        <section class="drill-board" data-testid="drill-board" data-drill=key.drill.map(|d| d.to_string()).unwrap_or_default()>
            <div class="drill-board-head">
                <h3>{heading}</h3>
                <button type="button" class="primary" data-testid="debrief-slide-open"
                    on:click=move |_| {
                        let opener = document()
                            .active_element()
                            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                        room.slide_opener.set_value(opener);
                        room.slide.set(Some(open_key.clone()));
                    }>
                    "Debrief slide"
                </button>
            </div>
            {move || {
                let mut map = room.board.with(|b| HeatMap::of(&b.of_drill(&map_key)));
                let (column, descending) = sort.get();
                map.sort(column, descending);
                heat_map_view(map, sort, label.clone())
            }}
        </section>
    }
}

/// The heat map table of one drill.
fn heat_map_view(map: HeatMap, sort: RwSignal<(SortColumn, bool)>, label: String) -> impl IntoView {
    let (sorted, descending) = sort.get_untracked();
    let header = move |column: SortColumn, title: String| {
        let aria = (sorted == column).then_some(if descending {
            "descending"
        } else {
            "ascending"
        });
        let arrow = match aria {
            Some("descending") => " ▼",
            Some(_) => " ▲",
            None => "",
        };
        view! {
            <th scope="col" aria-sort=aria>
                <button type="button" class="sort-button" on:click=move |_| {
                    sort.update(|(c, d)| {
                        if *c == column {
                            *d = !*d;
                        } else {
                            *c = column;
                            *d = column != SortColumn::Name;
                        }
                    })
                }>
                    {title}{arrow}
                </button>
            </th>
        }
    };
    let dimension_headers = map
        .dimensions
        .iter()
        .enumerate()
        .map(|(i, d)| header(SortColumn::Dimension(i), d.name().replace('_', " ")))
        .collect_view();
    let rows = map
        .rows
        .iter()
        .map(|row| {
            let cells = row
                .cells
                .iter()
                .zip(&map.dimensions)
                .map(|(cell, d)| match cell {
                    Some(score) => view! {
                        <td class=format!("num heat heat-{}", heat_level(*score))
                            data-testid="heatmap-cell"
                            data-participant=row.name.clone()
                            data-dimension=d.name()
                            data-score=score.to_string()>
                            {format!("{score:.2}")}
                        </td>
                    }
                    .into_any(),
                    None => view! { <td class="num heat-none">"—"</td> }.into_any(),
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{row.name.clone()}</th>
                    <td class="num">{format!("{:.2}", row.score)}</td>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let averages = map
        .averages
        .iter()
        .enumerate()
        .map(|(i, average)| {
            let weakest = map.weakest == Some(i);
            match average {
                Some(a) => view! {
                    <td class=format!("num heat heat-{}", heat_level(*a)) class:weakest=weakest
                        data-testid="heatmap-average" data-dimension=map.dimensions[i].name()>
                        {format!("{a:.2}")}
                        {weakest.then(|| view! { <span class="weakest-mark">" ▼ weakest"</span> })}
                    </td>
                }
                .into_any(),
                None => view! { <td class="num">"—"</td> }.into_any(),
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="heatmap" data-testid="class-heatmap">
                <caption>{format!("{label}: each participant's score per graded dimension (0 to 1, higher is better)")}</caption>
                <thead>
                    <tr>
                        {header(SortColumn::Name, String::from("Participant"))}
                        {header(SortColumn::Score, String::from("score"))}
                        {dimension_headers}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
                <tfoot>
                    <tr class="class-average">
                        <th scope="row">"Class average"</th>
                        <td class="num">{map.average_score.map(|a| format!("{a:.2}"))}</td>
                        {averages}
                    </tr>
                </tfoot>
            </table>
        </div>
        <p class="heat-legend muted" aria-hidden="true">
            "Scale: "
            <span class="heat heat-0">"below 0.25"</span>" "
            <span class="heat heat-1">"0.25–0.5"</span>" "
            <span class="heat heat-2">"0.5–0.75"</span>" "
            <span class="heat heat-3">"0.75–0.9"</span>" "
            <span class="heat heat-4">"0.9 and above"</span>
        </p>
    }
}

/// The debrief slide of the drill chosen on the board, over the page.
#[component]
fn DebriefSlide() -> impl IntoView {
    let room = expect_context::<Room>();
    let heading = NodeRef::<leptos::html::H2>::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    let close = move || {
        room.slide.set(None);
        if let Some(opener) = room.slide_opener.try_update_value(Option::take).flatten() {
            let _ = opener.focus();
        }
    };
    move || {
        let key = room.slide.get()?;
        let label = room.drill_label(&key);
        let episodes: Vec<Played> = room
            .board
            .with(|b| b.of_drill(&key).into_iter().cloned().collect());
        let note = room.note_of(&key);
        let body = match room.scenario(&key.scenario) {
            None => view! { <p>"This drill's scenario file is not loaded: reload the page."</p> }
                .into_any(),
            Some(scenario) => {
                let answer = Answer::of(&scenario);
                let signals = signals(&scenario);
                let actions: Vec<&[crate::env::Action]> =
                    episodes.iter().map(|p| p.actions.as_slice()).collect();
                let moves = wrong_moves(&scenario, &actions);
                let total = episodes.len();
                view! {
                    <div class="slide-columns">
                        <div>
                            <AnswerView answer=answer/>
                        </div>
                        <div>
                            <h3>"The signals that pointed to it"</h3>
                            <ul class="signals" data-testid="slide-signals">
                                <li>{format!("The fault was on {}.", signals.service)}</li>
                                {signals.alerts.iter().map(|a| view! { <li>"Alert "{a.clone()}</li> }).collect_view()}
                                {signals.logs.iter().map(|l| view! { <li><code>{l.clone()}</code></li> }).collect_view()}
                            </ul>
                            <h3>"Common wrong moves in this class"</h3>
                            {if moves.is_empty() {
                                view! { <p data-testid="slide-wrong-moves">{format!("None among the {total} participants' episodes.")}</p> }.into_any()
                            } else {
                                view! {
                                    <ol class="wrong-moves" data-testid="slide-wrong-moves">
                                        {moves.into_iter().take(8).map(|m| view! {
                                            <li data-testid="wrong-move" data-kind=m.kind.title()>
                                                <strong>{format!("{} of {total}", m.participants)}</strong>
                                                {format!(": {} — {}", m.kind.title(), m.what)}
                                            </li>
                                        }).collect_view()}
                                    </ol>
                                }.into_any()
                            }}
                            {note.map(|n| view! {
                                <h3>"Facilitator's note"</h3>
                                <p>{n}</p>
                            })}
                        </div>
                    </div>
                }
                .into_any()
            }
        };
        Some(view! {
            <div class="slide-backdrop">
                <section
                    class="debrief-slide"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="slide-heading"
                    data-testid="debrief-slide"
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Escape" {
                            close();
                        }
                    }
                >
                    <div class="slide-head">
                        <h2 id="slide-heading" tabindex="-1" node_ref=heading>{format!("Debrief — {label}")}</h2>
                        <button type="button" class="secondary" data-testid="debrief-slide-close" on:click=move |_| close()>
                            "Close"
                        </button>
                    </div>
                    {body}
                </section>
            </div>
        })
    }
}

/// The files of a file list.
fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// A file's text, if it is text.
async fn read_text(file: &web_sys::File) -> Option<String> {
    wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|t| t.as_string())
}
