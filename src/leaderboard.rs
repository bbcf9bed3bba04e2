//! The leaderboard: entries per task, ranked by score (descending) then
//! fewer steps; merging imported boards without duplicates. Plain data, so
//! the app keeps it in localStorage and an instructor can collect every
//! laptop's exported file without a server.
//!
//! ```
//! use firedrill::leaderboard::{Entry, Leaderboard};
//! let entry = |name: &str, score, steps| Entry {
//!     name: name.into(), scenario: "bad-deploy-v1".into(),
//!     task: "severity_classification".into(), seed: 1, score, steps,
//!     date: "2026-11-23T10:00:00.000Z".into(),
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
use std::collections::HashSet;

/// The `format` field of an exported leaderboard file.
pub const EXPORT_FORMAT: &str = "firedrill-leaderboard";
/// The version of the exported file format (and of the stored board).
pub const EXPORT_VERSION: u32 = 1;
/// Largest leaderboard file accepted for import, in bytes.
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;
/// Most entries kept (the lowest-ranked go first).
pub const MAX_ENTRIES: usize = 5000;
/// Longest player name, in characters.
pub const MAX_NAME_CHARS: usize = 64;

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
        Ok(())
    }
}

impl Leaderboard {
    /// Adds an entry unless the same one is there; returns whether it was added.
    pub fn add(&mut self, entry: Entry) -> bool {
        if self.entries.contains(&entry) {
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

    /// The exported file: `{"format": "firedrill-leaderboard", "version": 1, "entries": […]}`.
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
        if file.version != EXPORT_VERSION {
            return Err(format!(
                "version {} is not supported (this app reads version {EXPORT_VERSION})",
                file.version
            ));
        }
        for (i, entry) in file.entries.iter().enumerate() {
            entry.validate().map_err(|e| format!("entries[{i}]: {e}"))?;
        }
        Ok(self.merge(&Leaderboard {
            entries: file.entries,
        }))
    }
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
        }
    }
}

fn rank_order(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    b.score
        .total_cmp(&a.score)
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
        }
    }

    #[test]
    fn bad_files_are_refused_whole_with_a_reason() {
        let mut board = Leaderboard::default();
        let cases = [
            ("[]", "not a Firedrill leaderboard file"),
            ("{\"format\":\"x\",\"version\":1,\"entries\":[]}", "format is \"x\""),
            ("{\"format\":\"firedrill-leaderboard\",\"version\":9,\"entries\":[]}", "version 9"),
            ("{\"format\":\"firedrill-leaderboard\",\"version\":1,\"entries\":[{\"name\":\"a\",\"scenario\":\"s\",\"task\":\"t\",\"seed\":1,\"score\":7,\"steps\":1,\"date\":\"d\"}]}", "entries[0]: score"),
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
