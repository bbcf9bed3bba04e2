//! Counters of the environment itself (episodes, steps, errors, grades),
//! exposable in the Prometheus text format.

use super::EnvError;
use serde::Serialize;
use std::fmt::Write;

/// What an [`super::Env`] has done since it was made.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Telemetry {
    /// Resets that started an episode.
    pub episodes_started: u64,
    /// Episodes that terminated or were truncated.
    pub episodes_finished: u64,
    /// Steps played.
    pub steps: u64,
    /// Grades computed.
    pub grades: u64,
    /// Errors returned, by kind: reset_needed, episode_over, unknown_task, unknown_scenario, invalid_action.
    pub errors: [u64; 5],
}

const ERROR_KINDS: [&str; 5] = [
    "reset_needed",
    "episode_over",
    "unknown_task",
    "unknown_scenario",
    "invalid_action",
];

impl Telemetry {
    pub(crate) fn count_error(&mut self, error: &EnvError) {
        if let Some(i) = ERROR_KINDS.iter().position(|k| *k == error.kind()) {
            self.errors[i] += 1;
        }
    }

    /// The counters in the Prometheus text exposition format 0.0.4.
    ///
    /// ```
    /// let t = firedrill::env::Telemetry::default();
    /// assert!(t.exposition().contains("firedrill_steps_total 0\n"));
    /// ```
    pub fn exposition(&self) -> String {
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, value: u64| {
            let _ = write!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
            );
        };
        counter(
            "firedrill_episodes_started_total",
            "Episodes started by reset.",
            self.episodes_started,
        );
        counter(
            "firedrill_episodes_finished_total",
            "Episodes that terminated or were truncated.",
            self.episodes_finished,
        );
        counter("firedrill_steps_total", "Steps played.", self.steps);
        counter("firedrill_grades_total", "Grades computed.", self.grades);
        out.push_str("# HELP firedrill_errors_total Errors returned to callers, by kind.\n# TYPE firedrill_errors_total counter\n");
        for (kind, value) in ERROR_KINDS.iter().zip(self.errors) {
            let _ = writeln!(out, "firedrill_errors_total{{kind=\"{kind}\"}} {value}");
        }
        out
    }
}
