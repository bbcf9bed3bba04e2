//! A participant's progress through packs: for each pack id, each drill
//! played (by its number, from 1) with its result code and the grade the
//! page showed, and which pack is being walked through. The app keeps it in
//! localStorage (`firedrill.pack-progress`) so that a reload resumes; this
//! module is the plain model, so `cargo test` runs it.
//!
//! A result is only ever the result of its drill: one recorded for a drill
//! whose scenario, seed or mode is not the pack's (a pack file edited
//! since) is ignored.
//!
//! ```
//! use firedrill::workshop::pack::builtin_pack;
//! use firedrill::workshop::progress::{DrillState, Progress};
//! let pack = builtin_pack("triage-101").unwrap();
//! let progress = Progress::default();
//! assert_eq!(progress.next_drill(&pack), Some(0));
//! assert_eq!(progress.drill_states(&pack, Some(0))[0], DrillState::Current);
//! assert!(progress.summary(&pack).is_none());
//! ```

use super::code::ResultCode;
use super::pack::{Drill, Pack};
use crate::leaderboard::Mode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every pack's progress, and the pack being walked through.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    /// The id of the pack being walked through, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<String>,
    /// Results by pack id.
    #[serde(default)]
    pub packs: BTreeMap<String, PackRecord>,
}

/// The drills of one pack played so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackRecord {
    /// Results by drill number (from 1).
    #[serde(default)]
    pub drills: BTreeMap<u32, DrillResult>,
}

/// A drill's result as the participant's page graded it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrillResult {
    /// The result code (its `name` is empty when the player had given none
    /// yet: [`DrillResult::code_text`] fills it in).
    pub code: ResultCode,
    /// The score shown.
    pub score: f64,
    /// Whether it reached the task's pass mark.
    pub passed: bool,
    /// Each graded dimension's score, in the task's order.
    pub dimensions: Vec<DimensionScore>,
}

/// One graded dimension's score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionScore {
    /// The dimension's name (`severity_accuracy`, …).
    pub name: String,
    /// 0..=1.
    pub score: f64,
}

impl DrillResult {
    /// The result code's text under `name` when the code has none.
    pub fn code_text(&self, name: &str) -> String {
        if self.code.name.trim().is_empty() {
            ResultCode {
                name: name.to_string(),
                ..self.code.clone()
            }
            .encode()
        } else {
            self.code.encode()
        }
    }
}

/// Where a drill of the pack stands.
#[derive(Clone, Debug, PartialEq)]
pub enum DrillState {
    /// Played, with the score shown.
    Done {
        /// The score.
        score: f64,
        /// Whether it passed.
        passed: bool,
    },
    /// Being played (or about to be).
    Current,
    /// Not played yet.
    ToDo,
}

/// The end of a pack: a row per drill, the dimensions graded in any of
/// them, the total and how many passed.
#[derive(Clone, Debug, PartialEq)]
pub struct PackSummary {
    /// The dimensions graded in any drill, in first-seen order.
    pub dimensions: Vec<String>,
    /// A row per drill, in order.
    pub rows: Vec<SummaryRow>,
    /// The sum of the drills' scores.
    pub total: f64,
    /// How many drills passed.
    pub passed: usize,
}

/// One drill in the pack summary.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// The drill's number, from 1.
    pub number: u32,
    /// Its scenario id.
    pub scenario: String,
    /// Its mode.
    pub mode: Mode,
    /// Its score.
    pub score: f64,
    /// Whether it passed.
    pub passed: bool,
    /// Its score in each of [`PackSummary::dimensions`] (`None` where the
    /// drill's task does not grade it).
    pub dimensions: Vec<Option<f64>>,
    /// The result.
    pub result: DrillResult,
}

impl PackSummary {
    /// The mean score of the drills.
    pub fn mean(&self) -> f64 {
        if self.rows.is_empty() {
            0.0
        } else {
            self.total / self.rows.len() as f64
        }
    }

    /// Every drill's result code, a line each, under `name` where a code
    /// has none.
    pub fn codes(&self, name: &str) -> Vec<String> {
        self.rows.iter().map(|r| r.result.code_text(name)).collect()
    }
}

/// Whether an episode of `scenario`, `seed` and `mode` is this drill.
pub fn is_drill(drill: &Drill, scenario: &str, seed: u64, mode: Mode) -> bool {
    drill.scenario == scenario && drill.seed == seed && drill.mode == mode
}

impl Progress {
    /// The result recorded for the pack's drill at `index` (from 0), if it
    /// is of that drill.
    pub fn result(&self, pack: &Pack, index: usize) -> Option<&DrillResult> {
        let drill = pack.drills.get(index)?;
        let result = self.packs.get(&pack.id)?.drills.get(&(index as u32 + 1))?;
        is_drill(
            drill,
            &result.code.scenario,
            result.code.seed,
            result.code.mode,
        )
        .then_some(result)
    }

    /// Records the result of the pack's drill at `index` (from 0); returns
    /// false, recording nothing, when the result is not of that drill.
    pub fn record(&mut self, pack: &Pack, index: usize, result: DrillResult) -> bool {
        let Some(drill) = pack.drills.get(index) else {
            return false;
        };
        if !is_drill(
            drill,
            &result.code.scenario,
            result.code.seed,
            result.code.mode,
        ) {
            return false;
        }
        self.packs
            .entry(pack.id.clone())
            .or_default()
            .drills
            .insert(index as u32 + 1, result);
        true
    }

    /// The first drill (index from 0) not played yet, if any.
    pub fn next_drill(&self, pack: &Pack) -> Option<usize> {
        (0..pack.drills.len()).find(|&i| self.result(pack, i).is_none())
    }

    /// How many of the pack's drills are played.
    pub fn done_count(&self, pack: &Pack) -> usize {
        (0..pack.drills.len())
            .filter(|&i| self.result(pack, i).is_some())
            .count()
    }

    /// Each drill's state; `current` is the drill being played, if any.
    pub fn drill_states(&self, pack: &Pack, current: Option<usize>) -> Vec<DrillState> {
        (0..pack.drills.len())
            .map(|i| match self.result(pack, i) {
                Some(result) => DrillState::Done {
                    score: result.score,
                    passed: result.passed,
                },
                None if current == Some(i) => DrillState::Current,
                None => DrillState::ToDo,
            })
            .collect()
    }

    /// The pack's summary, once every drill is played.
    pub fn summary(&self, pack: &Pack) -> Option<PackSummary> {
        let results: Vec<&DrillResult> = (0..pack.drills.len())
            .map(|i| self.result(pack, i))
            .collect::<Option<_>>()?;
        let mut dimensions: Vec<String> = Vec::new();
        for result in &results {
            for dimension in &result.dimensions {
                if !dimensions.contains(&dimension.name) {
                    dimensions.push(dimension.name.clone());
                }
            }
        }
        let rows: Vec<SummaryRow> = results
            .iter()
            .zip(&pack.drills)
            .enumerate()
            .map(|(i, (result, drill))| SummaryRow {
                number: i as u32 + 1,
                scenario: drill.scenario.clone(),
                mode: drill.mode,
                score: result.score,
                passed: result.passed,
                dimensions: dimensions
                    .iter()
                    .map(|name| {
                        result
                            .dimensions
                            .iter()
                            .find(|d| &d.name == name)
                            .map(|d| d.score)
                    })
                    .collect(),
                result: (*result).clone(),
            })
            .collect();
        Some(PackSummary {
            total: rows.iter().map(|r| r.score).sum(),
            passed: rows.iter().filter(|r| r.passed).count(),
            dimensions,
            rows,
        })
    }

    /// Forgets every result of a pack (to play it again).
    pub fn forget(&mut self, pack_id: &str) {
        self.packs.remove(pack_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Action;

    fn pack() -> Pack {
        let drill = |scenario: &str, seed, mode| Drill {
            scenario: scenario.into(),
            seed,
            mode,
            minutes: 5,
            note: "n".into(),
        };
        Pack {
            id: "two".into(),
            title: "Two".into(),
            summary: "S".into(),
            objectives: vec!["O".into()],
            drills: vec![
                drill("bad-deploy-v1", 1, Mode::Practice),
                drill("cache-stampede-v2", 2, Mode::Exam),
            ],
        }
    }

    fn result(
        scenario: &str,
        seed: u64,
        mode: Mode,
        score: f64,
        dims: &[(&str, f64)],
    ) -> DrillResult {
        DrillResult {
            code: ResultCode {
                name: String::new(),
                pack: Some("two".into()),
                drill: Some(1),
                scenario: scenario.into(),
                seed,
                mode,
                score: Some(score),
                actions: vec![Action::new("classify", None).with("severity", "P2")],
            },
            score,
            passed: score >= 0.7,
            dimensions: dims
                .iter()
                .map(|(name, score)| DimensionScore {
                    name: (*name).into(),
                    score: *score,
                })
                .collect(),
        }
    }

    #[test]
    fn results_of_other_drills_are_refused_and_ignored() {
        let pack = pack();
        let mut progress = Progress::default();
        let cases = [
            (0, "bad-deploy-v1", 2, Mode::Practice, "another seed"),
            (0, "bad-deploy-v1", 1, Mode::Exam, "another mode"),
            (
                1,
                "bad-deploy-v1",
                1,
                Mode::Practice,
                "another drill's scenario",
            ),
            (2, "bad-deploy-v1", 1, Mode::Practice, "no such drill"),
        ];
        for (index, scenario, seed, mode, why) in cases {
            assert!(
                !progress.record(&pack, index, result(scenario, seed, mode, 0.5, &[])),
                "{why}"
            );
        }
        assert_eq!(progress, Progress::default());
        // A result stored for a drill the pack has since changed is ignored.
        progress
            .packs
            .entry("two".into())
            .or_default()
            .drills
            .insert(1, result("bad-deploy-v1", 9, Mode::Practice, 0.5, &[]));
        assert_eq!(progress.next_drill(&pack), Some(0));
    }

    #[test]
    fn drills_go_from_to_do_to_current_to_done_and_the_summary_adds_up() {
        let pack = pack();
        let mut progress = Progress::default();
        assert_eq!(
            progress.drill_states(&pack, Some(0)),
            vec![DrillState::Current, DrillState::ToDo]
        );
        let first = result(
            "bad-deploy-v1",
            1,
            Mode::Practice,
            0.9,
            &[("severity_accuracy", 0.9)],
        );
        assert!(progress.record(&pack, 0, first));
        assert_eq!(progress.next_drill(&pack), Some(1));
        assert_eq!(progress.done_count(&pack), 1);
        assert_eq!(
            progress.drill_states(&pack, Some(1)),
            vec![
                DrillState::Done {
                    score: 0.9,
                    passed: true
                },
                DrillState::Current
            ]
        );
        assert!(progress.summary(&pack).is_none());
        let second = result(
            "cache-stampede-v2",
            2,
            Mode::Exam,
            0.5,
            &[("root_cause", 1.0), ("communication", 0.25)],
        );
        assert!(progress.record(&pack, 1, second));
        assert_eq!(progress.next_drill(&pack), None);
        let summary = progress.summary(&pack).unwrap();
        assert_eq!(
            summary.dimensions,
            ["severity_accuracy", "root_cause", "communication"]
        );
        assert_eq!(summary.rows[0].dimensions, [Some(0.9), None, None]);
        assert_eq!(summary.rows[1].dimensions, [None, Some(1.0), Some(0.25)]);
        assert!((summary.total - 1.4).abs() < 1e-12);
        assert!((summary.mean() - 0.7).abs() < 1e-12);
        assert_eq!(summary.passed, 1);
        let codes = summary.codes("Ada");
        assert_eq!(codes.len(), 2);
        assert_eq!(super::super::code::decode(&codes[0]).unwrap().name, "Ada");
        progress.forget("two");
        assert_eq!(progress.next_drill(&pack), Some(0));
    }

    #[test]
    fn progress_round_trips_through_json() {
        let pack = pack();
        let mut progress = Progress {
            active: Some("two".into()),
            ..Progress::default()
        };
        progress.record(
            &pack,
            0,
            result("bad-deploy-v1", 1, Mode::Practice, 0.25, &[("x", 0.5)]),
        );
        let json = serde_json::to_string(&progress).unwrap();
        assert_eq!(serde_json::from_str::<Progress>(&json).unwrap(), progress);
    }
}
