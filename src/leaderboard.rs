//! The leaderboard: entries per task, ranked by score (descending) then
//! fewer steps; merging imported boards without duplicates. Plain data, so
//! the app keeps it in localStorage and an instructor can collect every
//! laptop's exported file without a server.
//!
//! Format 3 (this one) records each entry's mode (practice or exam) and,
//! for an autoplayed episode, the agent that played it; format 2 gave each
//! entry its grade's dimensions; format 1 had neither. Older formats are
//! read as format 3 (practice, played by a person; no dimensions for
//! format 1), in exported files and in the app's stored board alike
//! ([`Leaderboard::upgrade`]).
//!
//! ```
//! use firedrill::leaderboard::{Entry, Leaderboard};
//! let entry = |name: &str, score, steps| Entry {
//!     name: name.into(), scenario: "bad-deploy-v1".into(),
//!     task: "severity_classification".into(), seed: 1, score, steps,
//!     date: "2026-11-23T10:00:00.000Z".into(), dimensions: Default::default(),
//!     mode: Default::default(), agent: None,
//! };
//! let mut board = Leaderboard::default();
//! board.add(entry("ana", 0.9, 4));
//! board.add(entry("bo", 0.9, 3));
//! let text = board.export();
//! let mut other = Leaderboard::default();
//! assert_eq!(other.import(&text).unwrap(), 2);
//! assert_eq!(other.import(&text).unwrap(), 0); // no duplicates
//! let ranked = other.ranked("severity_classification");
//! assert_eq!(ranked[0].name, "bo"); // same score, fewer steps
//! ```

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The `format` field of an exported leaderboard file.
pub const EXPORT_FORMAT: &str = "firedrill-leaderboard";
/// The version of the exported file format (and of the stored board).
pub const EXPORT_VERSION: u32 = 3;
/// The oldest version still read (and upgraded).
pub const OLDEST_VERSION: u32 = 1;
/// Largest leaderboard file accepted for import, in bytes.
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;
/// Most entries kept (the lowest-ranked go first).
pub const MAX_ENTRIES: usize = 5000;
/// Longest player name, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Most dimensions in one entry (a task grades five or six).
pub const MAX_DIMENSIONS: usize = 16;

/// One finished episode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The player's name.
    pub name: String,
    /// Scenario id.
    pub scenario: String,
    /// Task id.
    pub task: String,
    /// Seed of the episode.
    pub seed: u64,
    /// Final score in [0, 1].
    pub score: f64,
    /// Steps taken.
    pub steps: u32,
    /// When it finished (ISO 8601).
    pub date: String,
    /// The grade's dimensions, name → score in [0, 1] (format 2; empty in
    /// entries from format 1). Not part of what makes two entries the same.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dimensions: BTreeMap<String, f64>,
    /// Practice or exam (format 3; practice in older entries).
    #[serde(default)]
    pub mode: Mode,
    /// The baseline agent that autoplayed the episode (then `name` is the
    /// agent's too), or `None` for a person (format 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
}

/// How an episode was played.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Rewards, feedback and autoplay shown: for learning.
    #[default]
    Practice,
    /// No rewards, no right/wrong feedback, no autoplay, no ideal path
    /// until the debrief: for measuring.
    Exam,
}

impl Mode {
    /// `practice` or `exam`, as in URLs and files.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Practice => "practice",
            Mode::Exam => "exam",
        }
    }

    /// Parses `practice` or `exam`.
    pub fn from_name(name: &str) -> Option<Mode> {
        match name {
            "practice" => Some(Mode::Practice),
            "exam" => Some(Mode::Exam),
            _ => None,
        }
    }
}

/// Every entry, all tasks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Leaderboard {
    /// The entries, in the order they were added.
    pub entries: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportFile {
    format: String,
    version: u32,
    entries: Vec<Entry>,
}

impl Entry {
    /// A grade's dimensions as an entry keeps them (name → score).
    pub fn dimensions_of(grade: &crate::env::Grade) -> BTreeMap<String, f64> {
        grade
            .dimensions
            .iter()
            .map(|d| (d.name.name().to_string(), d.score))
            .collect()
    }

    /// Checks the fields a file could get wrong; says which and why.
    fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() || self.name.chars().count() > MAX_NAME_CHARS {
            return Err(format!("name must be 1 to {MAX_NAME_CHARS} characters"));
        }
        if !(0.0..=1.0).contains(&self.score) {
            return Err(format!("score must be in [0, 1], found {}", self.score));
        }
        for (field, value) in [
            ("scenario", &self.scenario),
            ("task", &self.task),
            ("date", &self.date),
        ] {
            if value.is_empty() || value.len() > 200 {
                return Err(format!("{field} must be 1 to 200 characters"));
            }
        }
        if let Some(agent) = &self.agent {
            let well_formed = (1..=32).contains(&agent.len())
                && agent.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                });
            if !well_formed {
                return Err(
                    "agent must be an agent's name: 1 to 32 lower-case letters, digits, '-' or '_'"
                        .into(),
                );
            }
            if self.mode == Mode::Exam {
                return Err("an autoplayed entry cannot be an exam".into());
            }
        }
        if self.dimensions.len() > MAX_DIMENSIONS {
            return Err(format!(
                "dimensions: at most {MAX_DIMENSIONS}, found {}",
                self.dimensions.len()
            ));
        }
        for (name, score) in &self.dimensions {
            if name.is_empty() || name.len() > 64 {
                return Err(String::from(
                    "dimensions: each name must be 1 to 64 characters",
                ));
            }
            if !(0.0..=1.0).contains(score) {
                return Err(format!(
                    "dimensions.{name} must be in [0, 1], found {score}"
                ));
            }
        }
        Ok(())
    }
}

impl Leaderboard {
    /// Adds an entry unless the same one is there; returns whether it was added.
    pub fn add(&mut self, entry: Entry) -> bool {
        let key = EntryKey::of(&entry);
        if self.entries.iter().any(|e| EntryKey::of(e) == key) {
            return false;
        }
        self.entries.push(entry);
        if self.entries.len() > MAX_ENTRIES {
            self.entries.sort_by(rank_order);
            self.entries.truncate(MAX_ENTRIES);
        }
        true
    }

    /// Adds every entry of another board that this one lacks; returns how
    /// many of them it keeps (beyond [`MAX_ENTRIES`] the lowest-ranked go,
    /// new or not). One pass and at most one sort, however many entries:
    /// the largest importable file merges in milliseconds.
    pub fn merge(&mut self, other: &Leaderboard) -> usize {
        let mut seen: HashSet<EntryKey<'_>> = self.entries.iter().map(EntryKey::of).collect();
        let mut added: Vec<Entry> = Vec::new();
        for entry in &other.entries {
            if seen.insert(EntryKey::of(entry)) {
                added.push(entry.clone());
            }
        }
        let mut new = added.len();
        drop(seen);
        if self.entries.len() + added.len() > MAX_ENTRIES {
            // Ties keep the entries already there first, as one `add` at a
            // time would (the sort is stable).
            let mut all: Vec<(Entry, bool)> = std::mem::take(&mut self.entries)
                .into_iter()
                .map(|e| (e, false))
                .chain(added.into_iter().map(|e| (e, true)))
                .collect();
            all.sort_by(|a, b| rank_order(&a.0, &b.0));
            all.truncate(MAX_ENTRIES);
            new = all.iter().filter(|(_, is_new)| *is_new).count();
            self.entries = all.into_iter().map(|(e, _)| e).collect();
        } else {
            self.entries.extend(added);
        }
        new
    }

    /// A task's entries, best first: score descending, then fewer steps, then earlier.
    pub fn ranked(&self, task: &str) -> Vec<Entry> {
        let mut entries: Vec<Entry> = self
            .entries
            .iter()
            .filter(|entry| entry.task == task)
            .cloned()
            .collect();
        entries.sort_by(rank_order);
        entries
    }

    /// The exported file: `{"format": "firedrill-leaderboard", "version": 3, "entries": […]}`.
    pub fn export(&self) -> String {
        let file = ExportFile {
            format: EXPORT_FORMAT.into(),
            version: EXPORT_VERSION,
            entries: self.entries.clone(),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// Merges an exported file; returns how many entries were new. Nothing
    /// is merged if any part of the file is wrong.
    pub fn import(&mut self, text: &str) -> Result<usize, String> {
        if text.len() > MAX_IMPORT_BYTES {
            return Err(format!(
                "the file is {} bytes; a leaderboard file is at most {MAX_IMPORT_BYTES}",
                text.len()
            ));
        }
        let file: ExportFile = serde_json::from_str(text).map_err(|e| {
            format!(
                "not a Firedrill leaderboard file: line {}, column {}: {e}",
                e.line(),
                e.column()
            )
        })?;
        if file.format != EXPORT_FORMAT {
            return Err(format!(
                "format is {:?}, expected {EXPORT_FORMAT:?}",
                file.format
            ));
        }
        if !(OLDEST_VERSION..=EXPORT_VERSION).contains(&file.version) {
            return Err(format!(
                "version {} is not supported (this app reads versions {OLDEST_VERSION} to {EXPORT_VERSION})",
                file.version
            ));
        }
        older_fields(
            &file.entries,
            file.version,
            &format!("version {}", file.version),
        )?;
        for (i, entry) in file.entries.iter().enumerate() {
            entry.validate().map_err(|e| format!("entries[{i}]: {e}"))?;
        }
        Ok(self.merge(&Leaderboard {
            entries: file.entries,
        }))
    }
}

impl Leaderboard {
    /// A stored board of an older format brought up to [`EXPORT_VERSION`]:
    /// formats 1 and 2 are format 3 without modes and agents (every entry
    /// practice, played by a person), and format 1 also without
    /// dimensions, so their entries are taken as they are (and refused if
    /// they carry what their format did not have).
    pub fn upgrade(version: u32, data: serde_json::Value) -> Result<Leaderboard, String> {
        if !(OLDEST_VERSION..EXPORT_VERSION).contains(&version) {
            return Err(format!(
                "format {version} is not one this version upgrades (it reads {OLDEST_VERSION} to {EXPORT_VERSION})"
            ));
        }
        let board: Leaderboard = serde_json::from_value(data).map_err(|e| e.to_string())?;
        older_fields(&board.entries, version, &format!("format {version}"))?;
        Ok(board)
    }
}

/// Refuses entries of a file or board of an older `version` (named by
/// `what`) that carry fields it did not have: dimensions before format 2,
/// a mode or an agent before format 3.
fn older_fields(entries: &[Entry], version: u32, what: &str) -> Result<(), String> {
    for (i, e) in entries.iter().enumerate() {
        if version < 2 && !e.dimensions.is_empty() {
            return Err(format!("entries[{i}]: dimensions are not part of {what}"));
        }
        if version < 3 && (e.mode != Mode::Practice || e.agent.is_some()) {
            return Err(format!(
                "entries[{i}]: mode and agent are not part of {what}"
            ));
        }
    }
    Ok(())
}

/// What makes two entries the same, hashable (the score by its bits, with
/// -0 taken as 0, as `==` does).
#[derive(PartialEq, Eq, Hash)]
struct EntryKey<'a> {
    name: &'a str,
    scenario: &'a str,
    task: &'a str,
    seed: u64,
    score_bits: u64,
    steps: u32,
    date: &'a str,
    mode: Mode,
    agent: Option<&'a str>,
}

impl<'a> EntryKey<'a> {
    fn of(entry: &'a Entry) -> EntryKey<'a> {
        EntryKey {
            name: &entry.name,
            scenario: &entry.scenario,
            task: &entry.task,
            seed: entry.seed,
            score_bits: (entry.score + 0.0).to_bits(),
            steps: entry.steps,
            date: &entry.date,
            mode: entry.mode,
            agent: entry.agent.as_deref(),
        }
    }
}

fn rank_order(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    // `total_cmp` puts -0 below 0; as scores they are equal (`+ 0.0` makes
    // -0 into 0), so fewer steps decide.
    (b.score + 0.0)
        .total_cmp(&(a.score + 0.0))
        .then(a.steps.cmp(&b.steps))
        .then(a.date.cmp(&b.date))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, score: f64) -> Entry {
        Entry {
            name: name.into(),
            scenario: "s".into(),
            task: "t".into(),
            seed: 1,
            score,
            steps: 3,
            date: "2026-01-01T00:00:00Z".into(),
            dimensions: BTreeMap::new(),
            mode: Mode::Practice,
            agent: None,
        }
    }

    #[test]
    fn version_2_files_and_boards_are_read_as_version_3_practice_by_people() {
        let v2 = r#"{"format":"firedrill-leaderboard","version":2,"entries":[{"name":"a","scenario":"s","task":"t","seed":1,"score":0.5,"steps":3,"date":"d","dimensions":{"x":0.5}}]}"#;
        let mut board = Leaderboard::default();
        assert_eq!(board.import(v2), Ok(1));
        assert_eq!(board.entries[0].mode, Mode::Practice);
        assert_eq!(board.entries[0].agent, None);
        assert_eq!(board.entries[0].dimensions.len(), 1);
        let stored = serde_json::json!({"entries": [{"name":"a","scenario":"s","task":"t","seed":1,"score":0.5,"steps":3,"date":"d","dimensions":{"x":0.5}}]});
        assert_eq!(Leaderboard::upgrade(2, stored), Ok(board.clone()));
        board.entries[0].mode = Mode::Exam;
        let mut autoplayed = entry("oracle", 1.0);
        autoplayed.agent = Some("oracle".into());
        board.add(autoplayed);
        let exported = board.export();
        assert!(exported.contains("\"version\": 3"), "{exported}");
        assert!(exported.contains("\"mode\": \"exam\""), "{exported}");
        assert!(exported.contains("\"agent\": \"oracle\""), "{exported}");
        let mut again = Leaderboard::default();
        assert_eq!(again.import(&exported), Ok(2));
        assert_eq!(again, board);
        let error = again
            .import(&exported.replace("\"version\": 3", "\"version\": 2"))
            .unwrap_err();
        assert!(
            error.contains("mode and agent are not part of version 2"),
            "{error}"
        );
        // The same episode in another mode is another entry.
        let mut practice = board.entries[0].clone();
        practice.mode = Mode::Practice;
        assert!(again.add(practice));
        let mut exam_autoplay = entry("oracle", 1.0);
        exam_autoplay.agent = Some("oracle".into());
        exam_autoplay.mode = Mode::Exam;
        let file = format!(
            "{{\"format\":\"firedrill-leaderboard\",\"version\":3,\"entries\":[{}]}}",
            serde_json::to_string(&exam_autoplay).unwrap()
        );
        assert!(again
            .import(&file)
            .unwrap_err()
            .contains("autoplayed entry cannot be an exam"));
    }

    #[test]
    fn version_1_files_and_boards_are_read_as_version_2_without_dimensions() {
        let v1 = r#"{"format":"firedrill-leaderboard","version":1,"entries":[{"name":"a","scenario":"s","task":"t","seed":1,"score":0.5,"steps":3,"date":"d"}]}"#;
        let mut board = Leaderboard::default();
        assert_eq!(board.import(v1), Ok(1));
        assert!(board.entries[0].dimensions.is_empty());
        let stored = serde_json::json!({"entries": [{"name":"a","scenario":"s","task":"t","seed":1,"score":0.5,"steps":3,"date":"d"}]});
        assert_eq!(Leaderboard::upgrade(1, stored), Ok(board.clone()));

        board.entries[0]
            .dimensions
            .insert("severity_accuracy".into(), 1.0);
        let exported = board.export();
        assert!(exported.contains("\"version\": 3"), "{exported}");
        let mut again = Leaderboard::default();
        assert_eq!(again.import(&exported), Ok(1));
        assert_eq!(again, board);

        let dimensions_in_v1 = exported.replace("\"version\": 3", "\"version\": 1");
        let error = again.import(&dimensions_in_v1).unwrap_err();
        assert!(
            error.contains("entries[0]: dimensions are not part of version 1"),
            "{error}"
        );
        let error = Leaderboard::upgrade(3, serde_json::json!({"entries": []})).unwrap_err();
        assert!(
            error.contains("format 3 is not one this version upgrades"),
            "{error}"
        );
    }

    #[test]
    fn an_entry_is_the_same_with_or_without_its_dimensions() {
        let mut board = Leaderboard::default();
        assert!(board.add(entry("a", 0.5)));
        let mut graded = entry("a", 0.5);
        graded.dimensions.insert("x".into(), 0.5);
        assert!(!board.add(graded.clone()));
        assert_eq!(
            board.merge(&Leaderboard {
                entries: vec![graded]
            }),
            0
        );
    }

    #[test]
    fn bad_files_are_refused_whole_with_a_reason() {
        let mut board = Leaderboard::default();
        let cases = [
            ("[]", "not a Firedrill leaderboard file"),
            ("{\"format\":\"x\",\"version\":1,\"entries\":[]}", "format is \"x\""),
            ("{\"format\":\"firedrill-leaderboard\",\"version\":9,\"entries\":[]}", "version 9"),
            ("{\"format\":\"firedrill-leaderboard\",\"version\":1,\"entries\":[{\"name\":\"a\",\"scenario\":\"s\",\"task\":\"t\",\"seed\":1,\"score\":7,\"steps\":1,\"date\":\"d\"}]}", "entries[0]: score"),
            ("{\"format\":\"firedrill-leaderboard\",\"version\":2,\"entries\":[{\"name\":\"a\",\"scenario\":\"s\",\"task\":\"t\",\"seed\":1,\"score\":1,\"steps\":1,\"date\":\"d\",\"dimensions\":{\"x\":2}}]}", "entries[0]: dimensions.x must be in [0, 1]"),
        ];
        for (text, expected) in cases {
            let error = board.import(text).unwrap_err();
            assert!(error.contains(expected), "{error}");
        }
        let huge = " ".repeat(MAX_IMPORT_BYTES + 1);
        assert!(board.import(&huge).unwrap_err().contains("at most"));
        assert!(board.entries.is_empty());
    }

    #[test]
    fn a_merge_past_the_cap_keeps_what_adding_one_by_one_keeps() {
        let board = |range: std::ops::Range<u64>| Leaderboard {
            entries: range
                .map(|i| Entry {
                    seed: i,
                    score: (i % 13) as f64 / 13.0,
                    steps: (i % 3) as u32,
                    ..entry(&format!("p{}", i % 5), 0.0)
                })
                .collect(),
        };
        let mut base = board(0..300);
        let incoming = board(200..6000);
        let mut one_by_one = base.clone();
        let kept = incoming
            .entries
            .iter()
            .filter(|e| one_by_one.add((*e).clone()))
            .count();
        assert_eq!(kept, 5700);
        assert_eq!(
            base.merge(&incoming),
            base.entries.iter().filter(|e| e.seed >= 300).count()
        );
        assert_eq!(base.entries.len(), MAX_ENTRIES);
        assert_eq!(base, one_by_one);
        assert_eq!(base.merge(&incoming), 0);
    }

    #[test]
    fn ranking_is_by_score_then_steps() {
        let mut board = Leaderboard::default();
        board.add(entry("low", 0.2));
        board.add(entry("high", 0.8));
        assert!(!board.add(entry("high", 0.8)));
        let names: Vec<String> = board.ranked("t").into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["high", "low"]);
    }
}
