//! The facilitator's board and room, as plain logic (the app's
//! `?facilitate=1` view draws it): result codes replayed into rows
//! ([`replay`], [`Board`]), the class heat map of a drill's grading
//! dimensions ([`HeatMap`]), the CSV export ([`csv`]), the debrief slide's
//! facts ([`Answer`], [`signals`], [`wrong_moves`]), the round's countdown
//! ([`Countdown`]) and the participants' link ([`participants_link`]).
//!
//! Nothing here trusts a code: every row is the grade of the episode the
//! core replayed ([`super::grade_code`]); the code's claimed score is only
//! compared.
//!
//! ```
//! use firedrill::env::{Action, Env};
//! use firedrill::leaderboard::Mode;
//! use firedrill::workshop::board::{csv, replay, Added, Board, HeatMap};
//! use firedrill::workshop::code::ResultCode;
//! let code = |name: &str, severity: &str| ResultCode {
//!     name: name.into(), pack: None, drill: None,
//!     scenario: "bad-deploy-v1".into(), seed: 1, mode: Mode::Practice,
//!     score: Some(0.99),
//!     actions: vec![Action::new("classify", None).with("severity", severity)],
//! }.encode();
//! let mut env = Env::new();
//! let mut board = Board::default();
//! assert_eq!(board.add(replay(&mut env, &code("Ada", "P1"), None)), Added::New);
//! assert_eq!(board.add(replay(&mut env, &code("Bob", "P4"), None)), Added::New);
//! assert_eq!(board.add(replay(&mut env, "r1.nonsense", None)), Added::New);
//! assert_eq!(board.add(replay(&mut env, &code("ada ", "P2"), None)), Added::Replaced);
//! assert_eq!(board.failed().count(), 1);
//! let drill = &board.drills()[0];
//! let map = HeatMap::of(&board.of_drill(drill));
//! assert_eq!(map.rows.len(), 2);
//! assert!(csv(&board.played().collect::<Vec<_>>()).starts_with("name,pack,drill,scenario,"));
//! ```

use super::code::{self, ResultCode};
use super::pack::{builtin_pack, Pack};
use crate::env::{cause_matches, Action, Env};
use crate::leaderboard::Mode;
use crate::scenario::{causes, GradeDimension, LogLevel, LogWhen, Scenario, Severity, Task};

/// A code put on the board: the episode it replays, or why it could not be
/// replayed (nothing pasted is lost).
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The code's text, as pasted.
    pub text: String,
    /// The replayed episode, or what is wrong with the code.
    pub outcome: Result<Played, String>,
}

/// A replayed episode: who played which drill, and the grade the core
/// computed.
#[derive(Clone, Debug, PartialEq)]
pub struct Played {
    /// The participant's name.
    pub name: String,
    /// The pack the code names, if any.
    pub pack: Option<String>,
    /// The drill's number in the pack, from 1.
    pub drill: Option<u32>,
    /// Scenario id.
    pub scenario: String,
    /// The seed played.
    pub seed: u64,
    /// Practice or exam.
    pub mode: Mode,
    /// The scenario's task.
    pub task: Task,
    /// The replayed score.
    pub score: f64,
    /// Whether the replayed grade passes.
    pub passed: bool,
    /// Steps played.
    pub steps: u32,
    /// The score the code claims (never trusted).
    pub claimed_score: Option<f64>,
    /// The claimed score is not the replayed one.
    pub score_edited: bool,
    /// Each graded dimension's replayed score, in the task's order.
    pub dimensions: Vec<(GradeDimension, f64)>,
    /// The actions the replay played.
    pub actions: Vec<Action>,
}

/// Which drill an episode is of: the pack's drill, or the scenario, seed
/// and mode of a code from no pack.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DrillKey {
    /// The pack, if any.
    pub pack: Option<String>,
    /// The drill's number in the pack.
    pub drill: Option<u32>,
    /// Scenario id.
    pub scenario: String,
    /// The seed.
    pub seed: u64,
    /// `practice` or `exam`.
    pub mode: &'static str,
}

impl DrillKey {
    /// "Drill 2 of triage-101", or "Scenario handle ABC234, seed 7" for a
    /// code of no pack (never the id: it names the cause).
    pub fn label(&self) -> String {
        match (&self.pack, self.drill) {
            (Some(pack), Some(drill)) => format!("Drill {drill} of {pack}"),
            _ => format!(
                "Drill {} seed {} ({})",
                crate::scenario::handle_of(&self.scenario),
                self.seed,
                self.mode
            ),
        }
    }
}

impl Played {
    /// The drill it is of.
    pub fn drill_key(&self) -> DrillKey {
        DrillKey {
            pack: self.pack.clone(),
            drill: self.drill,
            scenario: self.scenario.clone(),
            seed: self.seed,
            mode: self.mode.name(),
        }
    }

    /// Whether it is the same participant's episode of the same drill (names
    /// compared trimmed and case-insensitively).
    pub fn same_participant_and_drill(&self, other: &Played) -> bool {
        self.name.trim().to_lowercase() == other.name.trim().to_lowercase()
            && self.drill_key() == other.drill_key()
    }

    /// The replayed score of a dimension, if the task grades it.
    pub fn dimension(&self, name: GradeDimension) -> Option<f64> {
        self.dimensions
            .iter()
            .find(|(d, _)| *d == name)
            .map(|(_, score)| *score)
    }
}

/// Replays the result code `text` in `env` and grades it. The pack checked
/// is `chosen` when the code names it, else the built-in pack the code
/// names, if any ([`super::grade_code`]). Never fails: a code that cannot
/// be replayed is an entry with its error.
pub fn replay(env: &mut Env, text: &str, chosen: Option<&Pack>) -> Entry {
    let text = text.trim().to_string();
    let outcome = played(env, &text, chosen);
    Entry { text, outcome }
}

fn played(env: &mut Env, text: &str, chosen: Option<&Pack>) -> Result<Played, String> {
    let code: ResultCode = code::decode(text)?;
    let builtin;
    let pack = match (chosen, &code.pack) {
        (Some(chosen), Some(id)) if chosen.id == *id => Some(chosen),
        (_, Some(id)) => {
            builtin = builtin_pack(id);
            builtin.as_ref()
        }
        _ => None,
    };
    let graded = super::grade_code(env, text, pack)?;
    let grade = env
        .grade()
        .map_err(|e| format!("the replayed episode has no grade: {e}"))?;
    let state = env
        .state()
        .map_err(|e| format!("the replayed episode has no state: {e}"))?;
    Ok(Played {
        name: code.name.trim().to_string(),
        pack: code.pack,
        drill: code.drill,
        scenario: code.scenario,
        seed: code.seed,
        mode: code.mode,
        task: state.task,
        score: graded.score,
        passed: grade.passed,
        steps: state.step,
        claimed_score: code.score,
        score_edited: graded.summary["score_edited"] == true,
        dimensions: grade.dimensions.iter().map(|d| (d.name, d.score)).collect(),
        actions: state.history.into_iter().map(|h| h.action).collect(),
    })
}

/// What adding an entry did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Added {
    /// A new row (or a new failed code).
    New,
    /// It replaced the earlier code of the same participant and drill: the
    /// latest one counts.
    Replaced,
    /// The very same code text was already there.
    Duplicate,
}

/// Every code added, replayed, in the order added (a replaced code gone).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Board {
    entries: Vec<Entry>,
}

impl Board {
    /// Adds an entry; the same participant and drill keeps only the latest.
    pub fn add(&mut self, entry: Entry) -> Added {
        if self.entries.iter().any(|e| e.text == entry.text) {
            return Added::Duplicate;
        }
        let before = self.entries.len();
        if let Ok(new) = &entry.outcome {
            self.entries.retain(|e| {
                e.outcome
                    .as_ref()
                    .map_or(true, |old| !old.same_participant_and_drill(new))
            });
        }
        let replaced = self.entries.len() < before;
        self.entries.push(entry);
        if replaced {
            Added::Replaced
        } else {
            Added::New
        }
    }

    /// Every entry, in the order added.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The codes' texts, to keep the board (and replay it after a reload).
    pub fn texts(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.text.clone()).collect()
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The replayed episodes.
    pub fn played(&self) -> impl Iterator<Item = &Played> {
        self.entries.iter().filter_map(|e| e.outcome.as_ref().ok())
    }

    /// The codes that could not be replayed: (text, why).
    pub fn failed(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().filter_map(|e| match &e.outcome {
            Ok(_) => None,
            Err(why) => Some((e.text.as_str(), why.as_str())),
        })
    }

    /// The drills played, in order (pack and drill number first).
    pub fn drills(&self) -> Vec<DrillKey> {
        let mut keys: Vec<DrillKey> = self.played().map(Played::drill_key).collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// The episodes of a drill, by name.
    pub fn of_drill(&self, key: &DrillKey) -> Vec<&Played> {
        let mut rows: Vec<&Played> = self.played().filter(|p| p.drill_key() == *key).collect();
        rows.sort_by_key(|p| p.name.to_lowercase());
        rows
    }
}

/// A participant's row of the heat map.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatRow {
    /// The participant.
    pub name: String,
    /// The replayed score.
    pub score: f64,
    /// Each column's score (`None`: the task does not grade it).
    pub cells: Vec<Option<f64>>,
}

/// A column to sort the heat map by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortColumn {
    /// The participant's name.
    Name,
    /// The score.
    Score,
    /// A dimension (an index into [`HeatMap::dimensions`]).
    Dimension(usize),
}

/// The class heat map of one drill: a row per participant, a column per
/// graded dimension, and the columns' averages (where the class is weak).
#[derive(Clone, Debug, PartialEq)]
pub struct HeatMap {
    /// The columns: the task's dimensions, in its order.
    pub dimensions: Vec<GradeDimension>,
    /// The rows.
    pub rows: Vec<HeatRow>,
    /// Each column's average over the rows.
    pub averages: Vec<Option<f64>>,
    /// The column with the lowest average.
    pub weakest: Option<usize>,
    /// The average score.
    pub average_score: Option<f64>,
}

impl HeatMap {
    /// The heat map of the episodes of one drill.
    pub fn of(episodes: &[&Played]) -> HeatMap {
        let mut dimensions: Vec<GradeDimension> = Vec::new();
        for episode in episodes {
            for (name, _) in &episode.dimensions {
                if !dimensions.contains(name) {
                    dimensions.push(*name);
                }
            }
        }
        let rows: Vec<HeatRow> = episodes
            .iter()
            .map(|e| HeatRow {
                name: e.name.clone(),
                score: e.score,
                cells: dimensions.iter().map(|&d| e.dimension(d)).collect(),
            })
            .collect();
        let averages: Vec<Option<f64>> = (0..dimensions.len())
            .map(|i| mean(rows.iter().filter_map(|r| r.cells[i])))
            .collect();
        let weakest = averages
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.map(|a| (i, a)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i);
        let average_score = mean(rows.iter().map(|r| r.score));
        HeatMap {
            dimensions,
            rows,
            averages,
            weakest,
            average_score,
        }
    }

    /// Sorts the rows by a column; ties (and absent scores, last) by name,
    /// A to Z.
    pub fn sort(&mut self, by: SortColumn, descending: bool) {
        use std::cmp::Ordering;
        let key = |row: &HeatRow| match by {
            SortColumn::Name => None,
            SortColumn::Score => Some(row.score),
            SortColumn::Dimension(i) => row.cells.get(i).copied().flatten(),
        };
        let directed = |order: Ordering| if descending { order.reverse() } else { order };
        self.rows.sort_by(|a, b| {
            let names = a.name.to_lowercase().cmp(&b.name.to_lowercase());
            match (key(a), key(b)) {
                (Some(x), Some(y)) => directed(x.total_cmp(&y)).then(names),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) if by == SortColumn::Name => directed(names),
                (None, None) => names,
            }
        });
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (count > 0).then(|| sum / count as f64)
}

/// The colour step of a score, 0 (lowest) to 4 (best): the heat map's
/// cells are coloured by it, and print the number too.
pub fn heat_level(score: f64) -> u8 {
    match score {
        s if s < 0.25 => 0,
        s if s < 0.5 => 1,
        s if s < 0.75 => 2,
        s if s < 0.9 => 3,
        _ => 4,
    }
}

/// The CSV export of the board: a row per participant and drill (name,
/// pack, drill, scenario, seed, mode, score, passed, steps, claimed_score,
/// score_edited), then a column per graded dimension of any drill. Scores
/// are written in full (shortest round-trip form); a cell a spreadsheet
/// would run as a formula is prefixed with `'`.
///
/// ```
/// assert_eq!(firedrill::workshop::board::csv(&[]), "name,pack,drill,scenario,seed,mode,score,passed,steps,claimed_score,score_edited\n");
/// ```
pub fn csv(episodes: &[&Played]) -> String {
    let dimensions: Vec<GradeDimension> = GradeDimension::ALL
        .into_iter()
        .filter(|d| episodes.iter().any(|e| e.dimension(*d).is_some()))
        .collect();
    let mut rows: Vec<&&Played> = episodes.iter().collect();
    rows.sort_by(|a, b| {
        a.drill_key()
            .cmp(&b.drill_key())
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    let mut out = String::from(
        "name,pack,drill,scenario,seed,mode,score,passed,steps,claimed_score,score_edited",
    );
    for d in &dimensions {
        out.push(',');
        out.push_str(d.name());
    }
    out.push('\n');
    for e in rows {
        let mut cells = vec![
            csv_cell(&e.name),
            csv_cell(e.pack.as_deref().unwrap_or("")),
            e.drill.map(|d| d.to_string()).unwrap_or_default(),
            csv_cell(&e.scenario),
            e.seed.to_string(),
            e.mode.name().to_string(),
            e.score.to_string(),
            e.passed.to_string(),
            e.steps.to_string(),
            e.claimed_score.map(|s| s.to_string()).unwrap_or_default(),
            e.score_edited.to_string(),
        ];
        cells.extend(
            dimensions
                .iter()
                .map(|d| e.dimension(*d).map(|s| s.to_string()).unwrap_or_default()),
        );
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// A CSV field: quoted when it holds a comma, quote or line break; a
/// leading `=`, `+`, `-`, `@`, tab or carriage return (a formula to a
/// spreadsheet) is prefixed with `'`.
fn csv_cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// What a wrong move was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum WrongMoveKind {
    /// A fix that is not one of the scenario's right fixes.
    Remediation,
    /// A diagnosis naming the wrong service or cause.
    Diagnosis,
    /// A severity that is not the scenario's.
    Severity,
    /// Investigating a red herring.
    RedHerring,
}

impl WrongMoveKind {
    /// How the slide names it.
    pub fn title(self) -> &'static str {
        match self {
            WrongMoveKind::Remediation => "wrong fix",
            WrongMoveKind::Diagnosis => "wrong diagnosis",
            WrongMoveKind::Severity => "wrong severity",
            WrongMoveKind::RedHerring => "red herring investigated",
        }
    }
}

/// A wrong move and how many participants made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrongMove {
    /// What kind.
    pub kind: WrongMoveKind,
    /// What was done: `restart payments-api`, `P2`, `checkout: disk full`.
    pub what: String,
    /// Participants who made it (each counted once).
    pub participants: usize,
}

/// The wrong moves of a class on one scenario, from each participant's
/// played actions: wrong fixes, wrong diagnoses, wrong severities and red
/// herrings investigated, each counted once per participant, most common
/// first.
pub fn wrong_moves(scenario: &Scenario, episodes: &[&[Action]]) -> Vec<WrongMove> {
    let mut counted: Vec<WrongMove> = Vec::new();
    for actions in episodes {
        let mut mine: Vec<(WrongMoveKind, String)> = actions
            .iter()
            .filter_map(|a| wrong_move(scenario, a))
            .collect();
        mine.sort();
        mine.dedup();
        for (kind, what) in mine {
            match counted
                .iter_mut()
                .find(|m| m.kind == kind && m.what == what)
            {
                Some(m) => m.participants += 1,
                None => counted.push(WrongMove {
                    kind,
                    what,
                    participants: 1,
                }),
            }
        }
    }
    counted.sort_by(|a, b| {
        b.participants
            .cmp(&a.participants)
            .then(a.kind.cmp(&b.kind))
            .then_with(|| a.what.cmp(&b.what))
    });
    counted
}

/// The wrong move an action is, if it is one.
fn wrong_move(scenario: &Scenario, action: &Action) -> Option<(WrongMoveKind, String)> {
    let target = action.target.as_deref().unwrap_or("");
    let parameter = |name: &str| action.parameters.get(name).map(String::as_str);
    match action.action_type.as_str() {
        "remediate" => {
            let kind = parameter("kind").unwrap_or("");
            let right = scenario
                .correct_remediations()
                .any(|r| r.service == target && r.kind == kind);
            (!right).then(|| (WrongMoveKind::Remediation, format!("{kind} {target}")))
        }
        "diagnose" => {
            let cause = parameter("root_cause").unwrap_or("");
            let notes = parameter("notes").unwrap_or("");
            let right = scenario
                .faults()
                .any(|f| f.accepts_service(target) && cause_matches(cause, notes, f));
            let named = causes::cause(cause.trim())
                .map(|c| c.name.to_string())
                .unwrap_or_else(|| clip(cause.trim(), 40));
            (!right).then(|| (WrongMoveKind::Diagnosis, format!("{target}: {named}")))
        }
        "classify" => {
            let given = Severity::from_name(parameter("severity").unwrap_or(""))?;
            (given != scenario.severity)
                .then(|| (WrongMoveKind::Severity, given.name().to_string()))
        }
        "investigate" => scenario
            .red_herring_services()
            .contains(&target)
            .then(|| (WrongMoveKind::RedHerring, target.to_string())),
        _ => None,
    }
}

fn clip(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(chars).collect();
        short.push('…');
        short
    }
}

/// The signals that pointed to the cause: the root service, the alerts
/// that watch it, and a few of its warning and error log lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Signals {
    /// The root-cause service.
    pub service: String,
    /// Its alerts: `Name (severity): summary`.
    pub alerts: Vec<String>,
    /// Its warning and error log lines while the incident lasts, as
    /// `LEVEL message` (placeholders shown as `…`).
    pub logs: Vec<String>,
}

/// Most alerts and log lines a slide shows.
const SIGNALS_SHOWN: usize = 3;

/// The signals of a scenario's (first) fault.
pub fn signals(scenario: &Scenario) -> Signals {
    let service = scenario.fault.service.clone();
    let alerts = scenario
        .alerts
        .iter()
        .filter(|a| a.service == service)
        .take(SIGNALS_SHOWN)
        .map(|a| format!("{} ({}): {}", a.name, a.severity, a.summary))
        .collect();
    let mut logs: Vec<String> = Vec::new();
    for template in scenario.logs.iter().filter(|l| {
        l.service == service
            && l.level >= LogLevel::Warn
            && l.when != LogWhen::Fixed
            && l.fault == 0
    }) {
        let line = format!(
            "{} {}",
            template.level.label(),
            without_placeholders(&template.message)
        );
        if !logs.contains(&line) && logs.len() < SIGNALS_SHOWN {
            logs.push(line);
        }
    }
    Signals {
        service,
        alerts,
        logs,
    }
}

/// A log template's text with each `{placeholder}` shown as `…`.
fn without_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => {
                out.push('…');
                rest = &rest[open + close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The answers of a drill, for the reveal and the debrief slide.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// The cause headline.
    pub cause: String,
    /// What went wrong: the fault's description (and each other fault's).
    pub descriptions: Vec<String>,
    /// The right severity.
    pub severity: Severity,
    /// The right fixes, as `kind service`.
    pub fixes: Vec<String>,
    /// The ideal path.
    pub ideal_path: Vec<Action>,
}

impl Answer {
    /// The answers of a scenario.
    pub fn of(scenario: &Scenario) -> Answer {
        Answer {
            cause: scenario.debrief_title.clone(),
            descriptions: scenario.faults().map(|f| f.description.clone()).collect(),
            severity: scenario.severity,
            fixes: scenario
                .correct_remediations()
                .map(|r| format!("{} {}", r.kind, r.service))
                .collect(),
            ideal_path: crate::agents::ideal_path(scenario, scenario.task),
        }
    }
}

/// A round's countdown, in milliseconds of a clock the caller reads (the
/// core has none): started, paused, resumed, lengthened.
///
/// ```
/// use firedrill::workshop::board::{mm_ss, Countdown};
/// let mut round = Countdown::new(10);
/// round.start(0.0);
/// assert_eq!(mm_ss(round.remaining_seconds(61_500.0)), "08:59");
/// round.pause(61_500.0);
/// round.add_minute();
/// assert_eq!(mm_ss(round.remaining_seconds(999_999.0)), "09:59");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Countdown {
    total_ms: f64,
    ran_ms: f64,
    running_since: Option<f64>,
}

impl Countdown {
    /// A countdown of `minutes`, not started.
    pub fn new(minutes: u32) -> Countdown {
        Countdown {
            total_ms: f64::from(minutes) * 60_000.0,
            ran_ms: 0.0,
            running_since: None,
        }
    }

    /// Starts (or resumes) it at `now_ms`.
    pub fn start(&mut self, now_ms: f64) {
        if self.running_since.is_none() {
            self.running_since = Some(now_ms);
        }
    }

    /// Pauses it at `now_ms`.
    pub fn pause(&mut self, now_ms: f64) {
        if let Some(since) = self.running_since.take() {
            self.ran_ms += (now_ms - since).max(0.0);
        }
    }

    /// Whether it is running.
    pub fn is_running(&self) -> bool {
        self.running_since.is_some()
    }

    /// One more minute.
    pub fn add_minute(&mut self) {
        self.total_ms += 60_000.0;
    }

    /// Whole seconds left at `now_ms` (rounded up: 00:00 only at the end).
    pub fn remaining_seconds(&self, now_ms: f64) -> u64 {
        let ran = self.ran_ms + self.running_since.map_or(0.0, |s| (now_ms - s).max(0.0));
        ((self.total_ms - ran).max(0.0) / 1000.0).ceil() as u64
    }
}

/// `mm:ss` of a number of seconds.
pub fn mm_ss(seconds: u64) -> String {
    format!("{:02}:{:02}", seconds / 60, seconds % 60)
}

/// What a screen reader hears at a minute mark ("3 minutes left"), or
/// `None` between marks (the countdown itself is not read every second).
pub fn minute_mark(seconds: u64) -> Option<String> {
    match seconds {
        0 => Some(String::from("Time is up.")),
        60 => Some(String::from("1 minute left.")),
        s if s % 60 == 0 => Some(format!("{} minutes left.", s / 60)),
        _ => None,
    }
}

/// The participants' link to a pack: the page's URL without its query and
/// fragment, with `?pack=<id>`.
///
/// ```
/// use firedrill::workshop::board::participants_link;
/// assert_eq!(
///     participants_link("https://drills.example/app/?facilitate=1#board", "triage-101"),
///     "https://drills.example/app/?pack=triage-101",
/// );
/// ```
pub fn participants_link(page_url: &str, pack_id: &str) -> String {
    let end = page_url.find(['?', '#']).unwrap_or(page_url.len());
    let id: String = pack_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!("{}?pack={id}", &page_url[..end])
}

/// The host of `page_url` when only this computer can open it (a loopback
/// address: `localhost`, `127.x.x.x`, `[::1]`), for the facilitator's
/// warning that the participants' link made from it reaches nobody else.
///
/// ```
/// use firedrill::workshop::board::local_only_host;
/// assert_eq!(local_only_host("http://127.0.0.1:8000/?facilitate=1"), Some("127.0.0.1"));
/// assert_eq!(local_only_host("http://localhost:8080/"), Some("localhost"));
/// assert_eq!(local_only_host("http://[::1]:8000/"), Some("[::1]"));
/// assert_eq!(local_only_host("http://192.168.1.23:8000/?facilitate=1"), None);
/// assert_eq!(local_only_host("https://drills.example/app/"), None);
/// ```
pub fn local_only_host(page_url: &str) -> Option<&str> {
    let rest = page_url.split_once("://")?.1;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if authority.starts_with('[') {
        &authority[..authority.find(']').map_or(authority.len(), |end| end + 1)]
    } else {
        authority.split(':').next().unwrap_or(authority)
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.to_ascii_lowercase().ends_with(".localhost")
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    loopback.then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Catalog;

    fn code(name: &str, scenario: &str, seed: u64, actions: Vec<Action>) -> String {
        ResultCode {
            name: name.into(),
            pack: None,
            drill: None,
            scenario: scenario.into(),
            seed,
            mode: Mode::Practice,
            score: Some(0.5),
            actions,
        }
        .encode()
    }

    fn classify(severity: &str) -> Action {
        Action::new("classify", None).with("severity", severity)
    }

    #[test]
    fn a_replayed_code_is_the_grade_of_its_episode() {
        let mut env = Env::new();
        let text = code("Ada", "bad-deploy-v1", 3, vec![classify("P1")]);
        let entry = replay(&mut env, &format!("  {text}\n"), None);
        assert_eq!(entry.text, text);
        let played = entry.outcome.unwrap();
        let graded = super::super::grade_code(&mut Env::new(), &text, None).unwrap();
        assert_eq!(played.score, graded.score);
        assert_eq!(played.steps, 1);
        assert!(played.score_edited);
        assert_eq!(played.claimed_score, Some(0.5));
        assert_eq!(
            played.dimensions.len(),
            played.task.dimensions().len(),
            "{:?}",
            played.dimensions
        );
    }

    #[test]
    fn codes_that_cannot_be_replayed_are_kept_with_why() {
        let cases = [
            ("hello", "starts with \"r1.\""),
            ("r1.@@", "position 3"),
            (
                &code("Ada", "no-such-scenario", 1, vec![]),
                "the replay stopped",
            ),
            (
                &code(
                    "Ada",
                    "bad-deploy-v1",
                    1,
                    vec![Action::new("investigate", Some("nowhere"))],
                ),
                "action 1",
            ),
        ];
        for (text, expected) in cases {
            let entry = replay(&mut Env::new(), text, None);
            let error = entry.outcome.unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn the_latest_code_of_a_participant_and_drill_counts() {
        let mut env = Env::new();
        let mut board = Board::default();
        let first = code("Ada", "bad-deploy-v1", 1, vec![classify("P4")]);
        let later = code("ADA", "bad-deploy-v1", 1, vec![classify("P1")]);
        let other_seed = code("Ada", "bad-deploy-v1", 2, vec![classify("P1")]);
        let cases = [
            (&first, Added::New, 1),
            (&first, Added::Duplicate, 1),
            (&later, Added::Replaced, 1),
            (&other_seed, Added::New, 2),
        ];
        for (text, added, rows) in cases {
            assert_eq!(board.add(replay(&mut env, text, None)), added, "{text}");
            assert_eq!(board.played().count(), rows);
        }
        assert_eq!(board.texts(), vec![later.clone(), other_seed.clone()]);
        assert_eq!(board.drills().len(), 2);
    }

    fn played(name: &str, score: f64, dims: &[(GradeDimension, f64)]) -> Played {
        Played {
            name: name.into(),
            pack: Some("triage-101".into()),
            drill: Some(1),
            scenario: "bad-deploy-v1".into(),
            seed: 1,
            mode: Mode::Practice,
            task: Task::SeverityClassification,
            score,
            passed: score >= 0.75,
            steps: 3,
            claimed_score: None,
            score_edited: false,
            dimensions: dims.to_vec(),
            actions: vec![],
        }
    }

    #[test]
    fn the_heat_map_averages_columns_and_names_the_weakest() {
        use GradeDimension::*;
        let ada = played("Ada", 0.9, &[(SeverityAccuracy, 1.0), (Efficiency, 0.5)]);
        let bob = played("bob", 0.4, &[(SeverityAccuracy, 0.25), (Efficiency, 0.3)]);
        let mut map = HeatMap::of(&[&ada, &bob]);
        assert_eq!(map.dimensions, vec![SeverityAccuracy, Efficiency]);
        assert_eq!(map.averages, vec![Some(0.625), Some(0.4)]);
        assert_eq!(map.weakest, Some(1));
        assert_eq!(map.average_score, Some(0.65));
        let order = |map: &HeatMap| map.rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        let cases = [
            (SortColumn::Name, false, ["Ada", "bob"]),
            (SortColumn::Name, true, ["bob", "Ada"]),
            (SortColumn::Score, false, ["bob", "Ada"]),
            (SortColumn::Dimension(0), true, ["Ada", "bob"]),
            (SortColumn::Dimension(1), false, ["bob", "Ada"]),
        ];
        for (column, descending, expected) in cases {
            map.sort(column, descending);
            assert_eq!(order(&map), expected, "{column:?} {descending}");
        }
        let carl = played("Carl", 0.9, &[(SeverityAccuracy, 1.0), (Efficiency, 0.5)]);
        let mut tied = HeatMap::of(&[&ada, &bob, &carl]);
        tied.sort(SortColumn::Score, true);
        assert_eq!(order(&tied), ["Ada", "Carl", "bob"], "ties by name, A to Z");
        assert_eq!(HeatMap::of(&[]).weakest, None);
    }

    #[test]
    fn heat_levels_step_through_the_scale() {
        let cases = [
            (0.0, 0),
            (0.24, 0),
            (0.25, 1),
            (0.5, 2),
            (0.8, 3),
            (0.9, 4),
            (1.0, 4),
        ];
        for (score, level) in cases {
            assert_eq!(heat_level(score), level, "{score}");
        }
    }

    #[test]
    fn the_csv_has_a_row_per_episode_and_the_union_of_dimensions() {
        use GradeDimension::*;
        let mut ada = played("Ada, \"the\" lead", 0.9, &[(SeverityAccuracy, 1.0)]);
        ada.claimed_score = Some(0.97);
        ada.score_edited = true;
        let mut bob = played("=cmd()", 0.125, &[(DiagnosisAccuracy, 0.2)]);
        bob.drill = Some(2);
        let text = csv(&[&bob, &ada]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "name,pack,drill,scenario,seed,mode,score,passed,steps,claimed_score,score_edited,severity_accuracy,diagnosis_accuracy",
                "\"Ada, \"\"the\"\" lead\",triage-101,1,bad-deploy-v1,1,practice,0.9,true,3,0.97,true,1,",
                "'=cmd(),triage-101,2,bad-deploy-v1,1,practice,0.125,false,3,,false,,0.2",
            ]
        );
    }

    #[test]
    fn wrong_moves_are_counted_once_per_participant_most_common_first() {
        let catalog = Catalog::builtin();
        let scenario = catalog.get("connection-pool-exhaustion-v1").unwrap();
        let right_fix = scenario.correct_remediations().next().unwrap();
        let herring = scenario.red_herring_services()[0].to_string();
        let wrong_severity = Severity::ALL
            .into_iter()
            .find(|s| *s != scenario.severity)
            .unwrap();
        let fix =
            |service: &str, kind: &str| Action::new("remediate", Some(service)).with("kind", kind);
        let ada = vec![
            classify(wrong_severity.name()),
            fix("checkout", "restart"),
            fix("checkout", "restart"),
            Action::new("investigate", Some(&herring)),
        ];
        let bob = vec![
            classify(scenario.severity.name()),
            fix("checkout", "restart"),
            fix(&right_fix.service, &right_fix.kind),
            Action::new("diagnose", Some(&scenario.fault.service))
                .with("root_cause", &scenario.fault.cause),
            Action::new("diagnose", Some("checkout")).with("root_cause", "disk_full"),
        ];
        let moves = wrong_moves(scenario, &[&ada, &bob]);
        let shown: Vec<(WrongMoveKind, &str, usize)> = moves
            .iter()
            .map(|m| (m.kind, m.what.as_str(), m.participants))
            .collect();
        assert_eq!(
            shown[0],
            (WrongMoveKind::Remediation, "restart checkout", 2)
        );
        assert!(shown.contains(&(WrongMoveKind::Severity, wrong_severity.name(), 1)));
        assert!(shown.contains(&(WrongMoveKind::RedHerring, herring.as_str(), 1)));
        assert!(shown
            .iter()
            .any(|(kind, what, n)| *kind == WrongMoveKind::Diagnosis
                && what.starts_with("checkout: ")
                && *n == 1));
        assert_eq!(shown.len(), 4, "{shown:?}");
    }

    #[test]
    fn signals_are_the_root_services_alerts_and_bad_log_lines() {
        let catalog = Catalog::builtin();
        for scenario in catalog.scenarios() {
            let signals = signals(scenario);
            assert_eq!(signals.service, scenario.fault.service);
            assert!(signals.logs.len() <= SIGNALS_SHOWN && signals.alerts.len() <= SIGNALS_SHOWN);
            for line in &signals.logs {
                assert!(
                    line.starts_with("WARN ")
                        || line.starts_with("ERROR ")
                        || line.starts_with("FATAL "),
                    "{}: {line}",
                    scenario.id
                );
                assert!(!line.contains('{'), "{}: {line}", scenario.id);
            }
        }
        let pool = catalog.get("connection-pool-exhaustion-v1").unwrap();
        assert!(!signals(pool).logs.is_empty());
        assert_eq!(without_placeholders("a {step} b {x"), "a … b {x");
    }

    #[test]
    fn the_answer_is_the_cause_and_the_ideal_path() {
        let catalog = Catalog::builtin();
        let scenario = catalog.get("connection-pool-exhaustion-v1").unwrap();
        let answer = Answer::of(scenario);
        assert_eq!(answer.cause, scenario.debrief_title);
        assert_eq!(answer.descriptions[0], scenario.fault.description);
        assert_eq!(answer.ideal_path[0].action_type, "investigate");
        assert!(!answer.fixes.is_empty());
    }

    #[test]
    fn the_countdown_pauses_resumes_and_marks_minutes() {
        let mut round = Countdown::new(2);
        assert_eq!(round.remaining_seconds(5_000.0), 120);
        round.start(1_000.0);
        round.start(50_000.0); // already running: no restart
        assert_eq!(round.remaining_seconds(31_000.0), 90);
        round.pause(31_000.0);
        assert!(!round.is_running());
        assert_eq!(round.remaining_seconds(100_000.0), 90);
        round.start(100_000.0);
        assert_eq!(round.remaining_seconds(400_000.0), 0);
        let cases = [
            (0, Some("Time is up.")),
            (60, Some("1 minute left.")),
            (180, Some("3 minutes left.")),
            (179, None),
        ];
        for (seconds, said) in cases {
            assert_eq!(minute_mark(seconds).as_deref(), said, "{seconds}");
        }
        assert_eq!(mm_ss(605), "10:05");
    }

    #[test]
    fn the_participants_link_drops_the_query() {
        let cases = [
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/?pack=p"),
            (
                "http://h/x/index.html?facilitate=1",
                "http://h/x/index.html?pack=p",
            ),
            ("file:///d/index.html#a", "file:///d/index.html?pack=p"),
        ];
        for (page, link) in cases {
            assert_eq!(participants_link(page, "p"), link);
        }
    }
}
