//! Counters of the environment itself (episodes, steps, resets by task,
//! actions by type, errors, grades), exposable in the Prometheus text
//! format (`firedrill export telemetry`, the JS API's `telemetry()`).

use super::{EnvError, ACTION_TYPES};
use crate::scenario::Task;
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
    /// Resets that started an episode, by the task of its scenario
    /// ([`Task::ALL`] order).
    pub resets_by_task: [u64; 3],
    /// Steps played, by action type ([`ACTION_TYPES`] order).
    pub actions_by_type: [u64; ACTION_TYPES.len()],
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

    pub(crate) fn count_reset(&mut self, task: Task) {
        self.episodes_started += 1;
        if let Some(i) = Task::ALL.iter().position(|t| *t == task) {
            self.resets_by_task[i] += 1;
        }
    }

    pub(crate) fn count_action(&mut self, action_type: &str) {
        self.steps += 1;
        if let Some(i) = ACTION_TYPES.iter().position(|t| *t == action_type) {
            self.actions_by_type[i] += 1;
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
        out.push_str("# HELP firedrill_resets_total Resets that started an episode, by the task of its scenario.\n# TYPE firedrill_resets_total counter\n");
        for (task, value) in Task::ALL.iter().zip(self.resets_by_task) {
            let _ = writeln!(
                out,
                "firedrill_resets_total{{task=\"{}\"}} {value}",
                task.id()
            );
        }
        out.push_str("# HELP firedrill_actions_total Steps played, by action type.\n# TYPE firedrill_actions_total counter\n");
        for (action_type, value) in ACTION_TYPES.iter().zip(self.actions_by_type) {
            let _ = writeln!(
                out,
                "firedrill_actions_total{{action_type=\"{action_type}\"}} {value}"
            );
        }
        out
    }
}
