//! What the environment returns: the observation a responder sees, the
//! result of a step, and the full state (with the ground truth once the
//! episode is over).

use super::action::Action;
use crate::scenario::{ActionType, ServiceKind, Task};
use crate::sim::{ChangeEvent, Health, LogLine};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use std::ops::{Deref, Range};
use std::sync::Arc;

fn no_changes(changes: &Arc<Vec<ChangeEvent>>) -> bool {
    changes.is_empty()
}

/// Incident status: open → investigating → mitigated → resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Declared, nobody acted yet.
    Open,
    /// Responders are acting.
    Investigating,
    /// The right fix is in; metrics are recovering.
    Mitigated,
    /// Metrics are back at baseline.
    Resolved,
}

impl Status {
    /// `open`, `investigating`, `mitigated` or `resolved`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Investigating => "investigating",
            Status::Mitigated => "mitigated",
            Status::Resolved => "resolved",
        }
    }
}

/// Alert state, as in Prometheus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// The condition holds, but not yet for long enough.
    Pending,
    /// The alert fires.
    Firing,
    /// It fired and the condition no longer holds.
    Resolved,
}

/// An active (or, in the state, resolved) alert.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertView {
    /// Alert name.
    pub name: String,
    /// The service it watches.
    pub service: String,
    /// `critical`, `warning` or `info`.
    pub severity: String,
    /// Pending, firing or resolved.
    pub state: AlertState,
    /// One-line summary.
    pub summary: String,
    /// The watched metric.
    pub metric: &'static str,
    /// Its current value.
    pub value: f64,
    /// The rule's threshold.
    pub threshold: f64,
    /// Step since which it is in this state.
    pub since_step: u32,
    /// The same, as simulated Unix seconds.
    pub since_time: i64,
}

/// A service as the responder sees it on the map.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceView {
    /// Name.
    pub name: String,
    /// Owning team.
    pub team: String,
    /// Kind of component.
    pub kind: ServiceKind,
    /// Services it calls.
    pub depends_on: Vec<String>,
    /// Health from its signals.
    pub health: Health,
    /// Current 5xx ratio.
    pub error_ratio: f64,
    /// Current p99 latency, seconds.
    pub latency_p99_seconds: f64,
    /// Current throughput.
    pub requests_per_second: f64,
    /// Whether it has been investigated.
    pub investigated: bool,
    /// Whether its metrics have stopped arriving (the values shown are the
    /// last ones seen).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub data_missing: bool,
}

/// One instance (pod) of an investigated service.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InstanceView {
    /// The pod name.
    pub pod: String,
    /// Its zone (empty when the scenario has none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub zone: String,
    /// 1 while it answers its health check.
    pub up: f64,
    /// Its 5xx ratio.
    pub error_ratio: f64,
    /// Its p99 latency, seconds.
    pub latency_p99_seconds: f64,
    /// The requests it serves per second.
    pub requests_per_second: f64,
    /// CPU used as a fraction of its limit.
    pub cpu_ratio: f64,
    /// Memory used as a fraction of its limit.
    pub memory_ratio: f64,
}

/// What investigating a service revealed (kept up to date every step).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Investigation {
    /// The service.
    pub service: String,
    /// Every signal's current value, by name.
    pub metrics: BTreeMap<&'static str, f64>,
    /// Its most recent log lines, oldest first.
    pub logs: LogLines,
    /// Each instance's signals (services that run several).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub instances: Vec<InstanceView>,
}

/// Log lines of one service, each shared with the episode's own record of
/// them (cloning a line is a reference count): reads as a slice of
/// [`LogLine`]s (behind `Arc`s) and serializes as a JSON array of lines.
///
/// ```
/// use firedrill::env::LogLines;
/// use firedrill::sim::LogLine;
/// let none = LogLines::default();
/// assert!(none.is_empty());
/// assert_eq!(serde_json::to_string(&none).unwrap(), "[]");
/// let one = LogLines::from(vec![LogLine {
///     time: 1.0,
///     step: 0,
///     service: "api".into(),
///     level: firedrill::scenario::LogLevel::Info,
///     message: "ok".into(),
///     fields: vec![],
///     trace_id: None,
///     span_id: None,
/// }]);
/// assert_eq!(one[0].message, "ok");
/// assert!(serde_json::to_string(&one).unwrap().starts_with(r#"[{"time":1.0,"step":0,"service":"api""#));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogLines {
    lines: Vec<Arc<LogLine>>,
}

impl LogLines {
    /// The lines `window` of `lines` (clamped to them).
    pub fn new(lines: &[Arc<LogLine>], window: Range<usize>) -> LogLines {
        let end = window.end.min(lines.len());
        let start = window.start.min(end);
        LogLines {
            lines: lines[start..end].to_vec(),
        }
    }
}

impl From<Vec<LogLine>> for LogLines {
    fn from(lines: Vec<LogLine>) -> LogLines {
        LogLines {
            lines: lines.into_iter().map(Arc::new).collect(),
        }
    }
}

impl Deref for LogLines {
    type Target = [Arc<LogLine>];

    fn deref(&self) -> &[Arc<LogLine>] {
        &self.lines
    }
}

impl Serialize for LogLines {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.lines.iter().map(|line| &**line))
    }
}

/// What a responder sees.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Observation {
    /// Scenario id (it may name the cause: a trainee-facing view shows the handle).
    pub scenario: String,
    /// The scenario's neutral public handle.
    pub handle: String,
    /// Scenario title: the symptom, never the cause.
    pub title: String,
    /// The task (serialized as its id).
    pub task: Task,
    /// What the task asks for.
    pub objective: &'static str,
    /// The incident report.
    pub summary: String,
    /// Steps taken.
    pub step: u32,
    /// Steps allowed.
    pub step_budget: u32,
    /// Simulated Unix time, seconds.
    pub time: i64,
    /// Incident status.
    pub status: Status,
    /// Pending and firing alerts, firing and critical first.
    pub alerts: Vec<AlertView>,
    /// Every service.
    pub services: Vec<ServiceView>,
    /// Every service level objective as it stands (two per service:
    /// availability and latency), in service order.
    pub slos: Vec<crate::metrics::slo::Slo>,
    /// What investigations revealed, in the order they were made.
    pub investigations: Vec<Investigation>,
    /// The change timeline so far (deploys, configuration pushes, flag
    /// flips, infrastructure events, and the responder's own), oldest first.
    #[serde(skip_serializing_if = "no_changes")]
    pub changes: Arc<Vec<ChangeEvent>>,
    /// Teams that can be escalated to.
    pub teams: Vec<String>,
    /// The type of each action played so far, in order.
    pub played: Vec<ActionType>,
    /// Sum of rewards so far.
    pub cumulative_reward: f64,
    /// What the last action did.
    pub last_feedback: String,
    /// Whether the episode is over.
    pub done: bool,
    /// The scenario's scripted messages that have arrived, oldest first
    /// (absent when none has).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub injects: Vec<InjectView>,
    /// The hints revealed so far, in order (absent when none is).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    /// Hints not yet revealed (absent when none is left).
    #[serde(skip_serializing_if = "is_zero")]
    pub hints_left: u32,
    /// What revealing the next hint takes off the score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_hint_cost: Option<f64>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A scripted message that has arrived ([`crate::scenario::Inject`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InjectView {
    /// The step after which it arrived.
    pub step: u32,
    /// Who sent it.
    pub from: crate::scenario::InjectSource,
    /// What they wrote.
    pub message: String,
    /// What a reply must say.
    pub expects: Vec<crate::scenario::ReplyPart>,
    /// The last step at which a status update counts as the reply.
    pub reply_by: u32,
    /// The step of the status update that answered it, if one did.
    pub answered_at: Option<u32>,
}

/// Extra information about a step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepInfo {
    /// The type of the action played.
    pub action_type: String,
    /// What it did, in words.
    pub feedback: String,
    /// Incident status after it.
    pub status: Status,
}

/// The result of [`super::Env::step`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    /// What the responder sees now.
    pub observation: Observation,
    /// The shaped reward of this step (time penalty included).
    pub reward: f64,
    /// The task's objective is met.
    pub terminated: bool,
    /// The step budget ran out first.
    pub truncated: bool,
    /// Details.
    pub info: StepInfo,
}

/// The result of [`super::Env::step_lean`]: a [`Step`] without its
/// observation, which [`super::Env::observation`] gives on request. For
/// agents and benchmarks that do not read every observation: no copy of
/// the fleet, alerts and logs is made for a step nobody looks at.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeanStep {
    /// The shaped reward of this step (time penalty included).
    pub reward: f64,
    /// The task's objective is met.
    pub terminated: bool,
    /// The step budget ran out first.
    pub truncated: bool,
    /// Details.
    pub info: StepInfo,
}

impl LeanStep {
    /// The whole [`Step`], with `observation`.
    pub fn with_observation(self, observation: Observation) -> Step {
        Step {
            observation,
            reward: self.reward,
            terminated: self.terminated,
            truncated: self.truncated,
            info: self.info,
        }
    }
}

/// One played action.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// 1-based step number.
    pub step: u32,
    /// The action as given.
    pub action: Action,
    /// Its reward.
    pub reward: f64,
    /// What it did.
    pub feedback: String,
}

/// A recorded diagnosis.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiagnosisRecord {
    /// The service blamed.
    pub service: String,
    /// The cause given.
    pub root_cause: String,
}

/// A remediation that was applied.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RemediationRecord {
    /// Step number.
    pub step: u32,
    /// Target service.
    pub service: String,
    /// Kind.
    pub kind: String,
    /// Whether it was a right fix.
    pub correct: bool,
    /// For a right fix: `mitigate` or `resolve`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<crate::scenario::FixOutcome>,
    /// For a wrong fix: how much harm it did (`low`, `medium`, `high`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub harm: Option<crate::scenario::Harm>,
}

/// A status update that was posted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CommunicationRecord {
    /// Step number.
    pub step: u32,
    /// Channel.
    pub channel: String,
    /// Text.
    pub message: String,
    /// How good it was, 0..=1.
    pub quality: f64,
}

/// A red herring, revealed after the episode.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RedHerringTruth {
    /// The service.
    pub service: String,
    /// Why it looked bad.
    pub reason: String,
}

/// The hidden truth of the scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroundTruth {
    /// Correct severity.
    pub severity: String,
    /// Root-cause service.
    pub root_cause_service: String,
    /// Other services a diagnosis could name and be right.
    pub also_accepted_services: Vec<String>,
    /// Cause id.
    pub root_cause: String,
    /// The cause's name in the taxonomy (the id when it is not in it).
    pub root_cause_name: String,
    /// The cause headline of the scenario.
    pub debrief_title: String,
    /// What happened.
    pub description: String,
    /// Services the fault reached.
    pub affected_services: Vec<String>,
    /// Unrelated bad-looking services.
    pub red_herrings: Vec<RedHerringTruth>,
    /// The right fixes, as `kind service`.
    pub correct_remediations: Vec<String>,
    /// Those of them that only mitigate, as `kind service`.
    pub mitigations: Vec<String>,
    /// Teams to escalate to.
    pub escalate_to: Vec<String>,
    /// What a good update names of the impact (the scenario's `impact` phrases; any one counts).
    pub must_mention: Vec<String>,
    /// The other faults of a scenario with several, each as the first is
    /// described above (absent when there is one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_faults: Vec<FaultTruth>,
}

/// One further fault of a scenario with several.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FaultTruth {
    /// Its root-cause service.
    pub root_cause_service: String,
    /// Its cause id.
    pub root_cause: String,
    /// The cause's name in the taxonomy.
    pub root_cause_name: String,
    /// What happened.
    pub description: String,
}

/// Everything about the episode.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct State {
    /// Scenario id.
    pub scenario: String,
    /// The task (serialized as its id).
    pub task: Task,
    /// The seed of the reset.
    pub seed: u64,
    /// Steps taken.
    pub step: u32,
    /// Steps allowed.
    pub step_budget: u32,
    /// Incident status.
    pub status: Status,
    /// Objective met.
    pub terminated: bool,
    /// Budget ran out.
    pub truncated: bool,
    /// Sum of rewards.
    pub cumulative_reward: f64,
    /// Every action played.
    pub history: Vec<HistoryEntry>,
    /// Investigated services, in order.
    pub investigated: Vec<String>,
    /// Last recorded severity.
    pub severity: Option<String>,
    /// Last recorded diagnosis.
    pub diagnosis: Option<DiagnosisRecord>,
    /// Applied remediations.
    pub remediations: Vec<RemediationRecord>,
    /// Escalations, in order (repeats included).
    pub escalations: Vec<String>,
    /// Status updates.
    pub communications: Vec<CommunicationRecord>,
    /// Wrong remediations applied.
    pub wrong_fixes: u32,
    /// Status updates that missed what mattered.
    pub miscommunications: u32,
    /// Steps from incident start to resolution (projected while recovering).
    pub mttr_steps: Option<u32>,
    /// The same in simulated minutes.
    pub mttr_minutes: Option<f64>,
    /// Simulated Unix time of the incident start.
    pub start_time: i64,
    /// Simulated Unix time of the first sample (the baseline history before the incident).
    pub history_start_time: i64,
    /// Simulated Unix time of the newest sample.
    pub end_time: i64,
    /// The SLOs as they stand.
    pub slos: Vec<crate::metrics::slo::Slo>,
    /// Simulated seconds per step.
    pub step_seconds: u32,
    /// Alerts: pending, firing and resolved.
    pub alerts: Vec<AlertView>,
    /// The current observation.
    pub observation: Observation,
    /// Only once the episode is over.
    pub ground_truth: Option<GroundTruth>,
}
