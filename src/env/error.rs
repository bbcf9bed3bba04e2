//! The environment's named errors. None of them ends the environment: after
//! any error the same `Env` keeps working.

use std::fmt;

/// A contract violation by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvError {
    /// `step`, `state`, `grade` or `render` before the first `reset`.
    ResetNeeded,
    /// `step` after the episode terminated or was truncated.
    EpisodeOver,
    /// `reset` with a task id that does not exist.
    UnknownTask(String),
    /// `reset` with a scenario id that does not exist (or a task with no scenarios).
    UnknownScenario(String),
    /// An action that does not fit the scenario: which field, and why.
    InvalidAction {
        /// `action_type`, `target`, `parameters.severity`, …
        field: String,
        /// What was wrong and what was expected.
        reason: String,
    },
}

impl EnvError {
    /// A stable machine name for the error kind.
    pub fn kind(&self) -> &'static str {
        match self {
            EnvError::ResetNeeded => "reset_needed",
            EnvError::EpisodeOver => "episode_over",
            EnvError::UnknownTask(_) => "unknown_task",
            EnvError::UnknownScenario(_) => "unknown_scenario",
            EnvError::InvalidAction { .. } => "invalid_action",
        }
    }
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvError::ResetNeeded => f.write_str("reset needed: call reset before step, state, grade or render"),
            EnvError::EpisodeOver => f.write_str("episode over: it terminated or ran out of steps; call reset to start another"),
            EnvError::UnknownTask(id) => write!(
                f,
                "unknown task {id:?}; expected one of severity_classification, root_cause_analysis, full_incident_management"
            ),
            EnvError::UnknownScenario(id) => write!(f, "unknown scenario {id:?}; `firedrill list` shows the ids"),
            EnvError::InvalidAction { field, reason } => write!(f, "invalid action: {field}: {reason}"),
        }
    }
}

impl std::error::Error for EnvError {}
