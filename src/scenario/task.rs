//! The three tasks of the curriculum, easy to hard: their step budgets,
//! reward decay and graded dimensions.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A curriculum task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
                "Run the whole response: investigate (beware of red herrings), classify, mitigate, diagnose, escalate to the right teams, post a status update, and declare the incident resolved with a closing summary (which ends the drill)."
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

    /// The score an episode needs to pass: what the debrief's verdict and
    /// a facilitator go by (the baselines: the oracle passes everywhere,
    /// the heuristic and random nowhere on average).
    pub fn pass_mark(self) -> f64 {
        match self {
            Task::SeverityClassification => 0.75,
            Task::RootCauseAnalysis => 0.65,
            Task::FullIncidentManagement => 0.60,
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
    pub fn dimensions(self) -> &'static [(GradeDimension, f64)] {
        use GradeDimension::*;
        match self {
            Task::SeverityClassification => &[
                (SeverityAccuracy, 0.50),
                (InvestigationQuality, 0.25),
                (Efficiency, 0.25),
            ],
            Task::RootCauseAnalysis => &[
                (SeverityAccuracy, 0.10),
                (InvestigatedRootCause, 0.10),
                (DiagnosisAccuracy, 0.25),
                (RemediationQuality, 0.20),
                (TimeToMitigate, 0.20),
                (Efficiency, 0.15),
            ],
            Task::FullIncidentManagement => &[
                (SeverityAccuracy, 0.10),
                (DiagnosisAccuracy, 0.16),
                (RemediationQuality, 0.14),
                (TimeToMitigate, 0.12),
                (EscalationQuality, 0.12),
                (Communication, 0.10),
                (InvestigationThoroughness, 0.10),
                (InvestigationPrecision, 0.05),
                (Efficiency, 0.06),
                (Closure, 0.05),
            ],
        }
    }
}

/// The task id, padded as the formatter asks.
impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.id())
    }
}

/// A graded dimension of a task ([`Task::dimensions`]); serialized as its
/// name (`severity_accuracy`, …), which grades, leaderboards and the
/// debrief carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeDimension {
    /// The severity given against the scenario's.
    SeverityAccuracy,
    /// Whether what was investigated mattered (severity task).
    InvestigationQuality,
    /// Whether the root-cause service was investigated.
    InvestigatedRootCause,
    /// Service and cause of the diagnosis.
    DiagnosisAccuracy,
    /// The right fix on the right service, and wrong fixes avoided.
    RemediationQuality,
    /// The teams paged against the teams that should be.
    EscalationQuality,
    /// The status updates: channel and content.
    Communication,
    /// The root cause and the services on its path to the users investigated.
    InvestigationThoroughness,
    /// Red herrings and unrelated services left alone.
    InvestigationPrecision,
    /// Steps taken against the ideal, times the outcome.
    Efficiency,
    /// Simulated time until the first right fix (mitigating or resolving)
    /// against the ideal path's.
    TimeToMitigate,
    /// The incident declared resolved once the cause was removed, with a
    /// closing summary that says what happened.
    Closure,
}

impl GradeDimension {
    /// Every dimension.
    pub const ALL: [GradeDimension; 12] = [
        GradeDimension::SeverityAccuracy,
        GradeDimension::InvestigationQuality,
        GradeDimension::InvestigatedRootCause,
        GradeDimension::DiagnosisAccuracy,
        GradeDimension::RemediationQuality,
        GradeDimension::EscalationQuality,
        GradeDimension::Communication,
        GradeDimension::InvestigationThoroughness,
        GradeDimension::InvestigationPrecision,
        GradeDimension::Efficiency,
        GradeDimension::TimeToMitigate,
        GradeDimension::Closure,
    ];

    /// The dimension's name in grades, leaderboards and the docs.
    pub fn name(self) -> &'static str {
        match self {
            GradeDimension::SeverityAccuracy => "severity_accuracy",
            GradeDimension::InvestigationQuality => "investigation_quality",
            GradeDimension::InvestigatedRootCause => "investigated_root_cause",
            GradeDimension::DiagnosisAccuracy => "diagnosis_accuracy",
            GradeDimension::RemediationQuality => "remediation_quality",
            GradeDimension::EscalationQuality => "escalation_quality",
            GradeDimension::Communication => "communication",
            GradeDimension::InvestigationThoroughness => "investigation_thoroughness",
            GradeDimension::InvestigationPrecision => "investigation_precision",
            GradeDimension::Efficiency => "efficiency",
            GradeDimension::TimeToMitigate => "time_to_mitigate",
            GradeDimension::Closure => "closure",
        }
    }

    /// The dimension with this name.
    pub fn from_name(name: &str) -> Option<GradeDimension> {
        GradeDimension::ALL.into_iter().find(|d| d.name() == name)
    }
}

/// The dimension's name, padded as the formatter asks.
impl fmt::Display for GradeDimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}
