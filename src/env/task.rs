//! The three tasks of the curriculum, easy to hard: their step budgets,
//! reward decay and graded dimensions.

use serde::Serialize;

/// A curriculum task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Easy: classify the severity.
    SeverityClassification,
    /// Medium: find the root cause and fix it.
    RootCauseAnalysis,
    /// Hard: the whole response, red herrings included.
    FullIncidentManagement,
}

/// How hard a task is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    /// First stage.
    Easy,
    /// Second stage.
    Medium,
    /// Third stage.
    Hard,
}

impl Task {
    /// Every task, easy to hard.
    pub const ALL: [Task; 3] = [
        Task::SeverityClassification,
        Task::RootCauseAnalysis,
        Task::FullIncidentManagement,
    ];

    /// The task id used in scenario files, URLs and the CLI.
    pub fn id(self) -> &'static str {
        match self {
            Task::SeverityClassification => "severity_classification",
            Task::RootCauseAnalysis => "root_cause_analysis",
            Task::FullIncidentManagement => "full_incident_management",
        }
    }

    /// Parses a task id.
    pub fn from_id(id: &str) -> Option<Task> {
        Task::ALL.iter().copied().find(|t| t.id() == id)
    }

    /// A human title.
    pub fn title(self) -> &'static str {
        match self {
            Task::SeverityClassification => "Severity classification",
            Task::RootCauseAnalysis => "Root cause analysis",
            Task::FullIncidentManagement => "Full incident management",
        }
    }

    /// What the trainee has to do.
    pub fn objective(self) -> &'static str {
        match self {
            Task::SeverityClassification => {
                "Look at the alerts and the affected services, investigate if needed, and classify the incident's severity (P1-P4)."
            }
            Task::RootCauseAnalysis => {
                "Classify the severity, investigate, diagnose the root cause service and cause, and apply the right remediation."
            }
            Task::FullIncidentManagement => {
                "Run the whole response: investigate (beware of red herrings), classify, diagnose, remediate, escalate to the right teams and communicate a status update."
            }
        }
    }

    /// Easy, medium or hard.
    pub fn difficulty(self) -> Difficulty {
        match self {
            Task::SeverityClassification => Difficulty::Easy,
            Task::RootCauseAnalysis => Difficulty::Medium,
            Task::FullIncidentManagement => Difficulty::Hard,
        }
    }

    /// Steps before the episode is truncated.
    pub fn step_budget(self) -> u32 {
        match self {
            Task::SeverityClassification => 10,
            Task::RootCauseAnalysis => 15,
            Task::FullIncidentManagement => 20,
        }
    }

    /// Time penalty per step: the reward of step `n` is reduced by `decay × n`.
    pub fn reward_decay(self) -> f64 {
        match self {
            Task::SeverityClassification => 0.005,
            Task::RootCauseAnalysis => 0.010,
            Task::FullIncidentManagement => 0.015,
        }
    }

    /// The graded dimensions and their weights (summing to 1).
    pub fn dimensions(self) -> &'static [(&'static str, f64)] {
        match self {
            Task::SeverityClassification => &[
                ("severity_accuracy", 0.50),
                ("investigation_quality", 0.25),
                ("efficiency", 0.25),
            ],
            Task::RootCauseAnalysis => &[
                ("severity_accuracy", 0.15),
                ("investigated_root_cause", 0.15),
                ("diagnosis_accuracy", 0.30),
                ("remediation_quality", 0.20),
                ("efficiency", 0.20),
            ],
            Task::FullIncidentManagement => &[
                ("severity_accuracy", 0.12),
                ("diagnosis_accuracy", 0.20),
                ("remediation_quality", 0.18),
                ("escalation_quality", 0.15),
                ("communication", 0.10),
                ("investigation_thoroughness", 0.12),
                ("investigation_precision", 0.03),
                ("efficiency", 0.10),
            ],
        }
    }
}
