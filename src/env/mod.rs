//! The environment contract, modelled on Gymnasium and OpenEnv:
//! [`Env::reset`] (the only place a seed enters), [`Env::step`],
//! [`Env::state`] and [`Env::grade`], with named errors instead of panics.
//!
//! ```
//! use firedrill::env::{Action, Env, Selection};
//! let mut env = Env::new();
//! let obs = env.reset(&Selection::Task("severity_classification".into()), 7).unwrap();
//! assert_eq!(obs.step, 0);
//! let step = env.step(&Action::new("classify", None).with("severity", "P1")).unwrap();
//! assert!(step.terminated);
//! let grade = env.grade().unwrap();
//! assert!((0.0..=1.0).contains(&grade.score));
//! ```

mod action;
mod error;
mod grade;
mod observation;
mod postmortem;
mod render;
pub use render::progress_bar;
mod telemetry;

pub use crate::scenario::ActionType;
pub use crate::scenario::{Difficulty, GradeDimension, Task};
pub use action::{Action, Command, ACTION_TYPES, MAX_TEXT_CHARS};
pub use error::EnvError;
pub use grade::{cause_matches, ideal_mitigation_step, Dimension, Grade, IDEAL_MITIGATION_STEP};
pub use observation::*;
pub use telemetry::Telemetry;

use crate::metrics::alerts::RuleSet;
use crate::metrics::families::{family_bit, WHOLE_TARGET};
use crate::metrics::monitor::{AlertSample, Baseline, EpisodeCounters, Monitor};
use crate::metrics::traces::{
    push_traced_logs, step_traces_in, traced_service_logs, Exemplars, StepRequests, Trace,
    TraceGraph,
};
use crate::scenario::{
    Catalog, FixOutcome, LogLevel, PerActionType, PerSignal, RuleQuery, Scenario, Severity, Signal,
};
use crate::sim::{ChangeState, LogContext, LogLine, Simulation};
use std::collections::HashMap;
use std::sync::Arc;

/// What to play: one scenario, or a task (the seed picks one of its scenarios).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// A scenario id.
    Scenario(String),
    /// A task id.
    Task(String),
}

/// How many log lines an investigation shows per service.
pub const LOG_LINES_SHOWN: usize = 30;

/// The record of one alert rule across the episode: how long its condition
/// has held (checked every step on the rule's structured form, with the
/// semantics of its PromQL expression: [`RuleSet::holds_fast`]), and since
/// when it is pending, firing or resolved.
#[derive(Clone, Debug, Default)]
struct AlertTracker {
    breached_steps: u32,
    active_since: Option<u32>,
    /// When its condition started to hold (the evaluation's time, ms).
    active_since_ms: Option<i64>,
    firing_since: Option<u32>,
    resolved_at: Option<u32>,
}

/// One episode in progress or finished.
#[derive(Clone, Debug)]
pub(crate) struct Episode {
    pub(crate) scenario: Arc<Scenario>,
    pub(crate) task: Task,
    pub(crate) seed: u64,
    pub(crate) sim: Simulation,
    pub(crate) status: Status,
    pub(crate) terminated: bool,
    pub(crate) truncated: bool,
    pub(crate) cumulative_reward: f64,
    pub(crate) history: Vec<HistoryEntry>,
    pub(crate) investigated: Vec<usize>,
    pub(crate) severity: Option<Severity>,
    /// Every distinct severity given, in order (a repeat of the last one is no revision).
    pub(crate) severity_answers: Vec<Severity>,
    pub(crate) diagnosis: Option<(usize, String)>,
    /// Every distinct diagnosis given, in order.
    pub(crate) diagnosis_answers: Vec<DiagnosisAnswer>,
    /// The step of the first right fix (mitigating or resolving).
    pub(crate) mitigated_at: Option<u32>,
    /// When the responder declared the incident resolved, and the closing summary.
    pub(crate) declared_resolved: Option<(u32, String)>,
    pub(crate) remediations: Vec<RemediationRecord>,
    pub(crate) escalations: Vec<String>,
    pub(crate) communications: Vec<CommunicationRecord>,
    pub(crate) wrong_fixes: u32,
    pub(crate) miscommunications: u32,
    pub(crate) used_types: PerActionType<bool>,
    /// Actions played per type.
    action_histogram: PerActionType<u32>,
    /// The type of each action played, in order.
    played: Vec<ActionType>,
    pub(crate) fixed_at: Option<u32>,
    /// Per fault: the step of its first right fix.
    pub(crate) fault_mitigated_at: Vec<Option<u32>>,
    /// Per fault: the step of its resolving fix.
    pub(crate) fault_fixed_at: Vec<Option<u32>>,
    rules: RuleSet,
    alerts: Vec<AlertTracker>,
    last_feedback: String,
    pub(crate) monitor: Monitor,
    prepared: Arc<PreparedScenario>,
    /// Each investigated service's log lines from the incident start
    /// through a step (the `u32`), extended as the episode goes on (the
    /// observations share the lines).
    logs: Vec<Option<(u32, Vec<Arc<LogLine>>)>>,
    /// The alerts' states (scratch, reused every step).
    firing: Vec<AlertSample>,
    /// Versions, revisions and flags, and the changes so far.
    pub(crate) changes: ChangeState,
    /// Per step from step 0: what that step's log lines are written from.
    contexts: Vec<LogContext>,
    /// Lines the current step's action makes services write.
    events: Vec<crate::sim::LogEvent>,
    /// The traces of the step whose log lines were written last (their ids).
    requests: StepRequests,
    /// Per service: the metric families whose data is missing now (bits).
    missing: Vec<u64>,
    /// Per service: the last signals its monitoring saw.
    seen: Vec<PerSignal<f64>>,
}

/// Whether a service's missing families (bits) include what the map
/// shows: its error, latency, throughput or health gauges.
fn blind(missing: u64) -> bool {
    let shown = family_bit("error_ratio")
        | family_bit("latency_p99_seconds")
        | family_bit("requests_per_second")
        | family_bit("up");
    missing & shown != 0
}

/// The latest of the steps when every one is set (all faults reached).
fn all_set(steps: &[Option<u32>]) -> Option<u32> {
    steps
        .iter()
        .try_fold(0, |latest, step| step.map(|s| latest.max(s)))
}

/// One diagnosis as given.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DiagnosisAnswer {
    pub(crate) service: usize,
    pub(crate) root_cause: String,
    pub(crate) notes: String,
}

impl DiagnosisAnswer {
    /// Whether two answers say the same (the same service and cause id, or
    /// the same words).
    fn same_as(&self, other: &DiagnosisAnswer) -> bool {
        use crate::scenario::causes::normalize;
        self.service == other.service
            && normalize(&self.root_cause) == normalize(&other.root_cause)
            && normalize(&self.notes) == normalize(&other.notes)
    }
}

/// What every episode of a scenario shares, computed on its first episode:
/// the parsed (and resolved) alert rules, the baseline history, the teams.
#[derive(Debug)]
struct PreparedScenario {
    scenario: Arc<Scenario>,
    rules: RuleSet,
    baseline: Baseline,
    teams: Vec<String>,
    root: usize,
    affected: Vec<usize>,
    /// [`Scenario::path_to_users`].
    path: Vec<usize>,
    /// The scenario's entry points and dependencies, for the traces.
    traces: TraceGraph,
    /// Per alert rule: the index of its service, and the rank of its name
    /// among the rules' names (to sort alert views without comparing text).
    alert_services: Vec<usize>,
    alert_name_ranks: Vec<usize>,
    /// Per alert rule: whether its severity is `critical`.
    alert_critical: Vec<bool>,
    /// Per alert rule: for an SLO's ticket (slow burn), the rule of the
    /// same SLO's page (fast burn).
    page_of_ticket: Vec<Option<usize>>,
}

impl PreparedScenario {
    fn new(scenario: &Arc<Scenario>) -> PreparedScenario {
        let baseline = Baseline::new(scenario);
        let rules = RuleSet::new(scenario).resolve(baseline.monitor().store());
        PreparedScenario {
            scenario: scenario.clone(),
            rules,
            baseline,
            teams: scenario.teams(),
            root: scenario.service_index(&scenario.fault.service).unwrap_or(0),
            affected: scenario
                .affected_services()
                .iter()
                .filter_map(|name| scenario.service_index(name))
                .collect(),
            path: scenario.path_to_users(),
            traces: TraceGraph::new(scenario),
            alert_services: scenario
                .alerts
                .iter()
                .map(|rule| scenario.service_index(&rule.service).unwrap_or(0))
                .collect(),
            alert_name_ranks: scenario
                .alerts
                .iter()
                .map(|rule| {
                    scenario
                        .alerts
                        .iter()
                        .filter(|other| other.name < rule.name)
                        .count()
                })
                .collect(),
            alert_critical: scenario
                .alerts
                .iter()
                .map(|rule| rule.severity == "critical")
                .collect(),
            page_of_ticket: scenario
                .alerts
                .iter()
                .map(|rule| match rule.query {
                    RuleQuery::BurnRate { slo, page: false } => scenario
                        .alerts
                        .iter()
                        .position(|other| other.query == RuleQuery::BurnRate { slo, page: true }),
                    _ => None,
                })
                .collect(),
        }
    }
}

/// The environment: a catalog of scenarios and at most one episode.
#[derive(Clone, Debug)]
pub struct Env {
    catalog: Catalog,
    episode: Option<Episode>,
    telemetry: Telemetry,
    /// What the episodes of each scenario played share (parsed alert rules,
    /// baseline history), by scenario id: computed once, not at every reset.
    prepared: HashMap<String, Arc<PreparedScenario>>,
}

impl Default for Env {
    fn default() -> Self {
        Env::new()
    }
}

impl Env {
    /// An environment over the built-in scenarios.
    pub fn new() -> Env {
        Env::with_catalog(Catalog::builtin())
    }

    /// An environment over the given scenarios.
    pub fn with_catalog(catalog: Catalog) -> Env {
        Env {
            catalog,
            episode: None,
            telemetry: Telemetry::default(),
            prepared: HashMap::new(),
        }
    }

    /// The scenarios it can play.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The scenarios, for adding custom ones.
    pub fn catalog_mut(&mut self) -> &mut Catalog {
        &mut self.catalog
    }

    /// Counters of what this environment has done.
    pub fn telemetry(&self) -> &Telemetry {
        &self.telemetry
    }

    /// What the episodes of `scenario` share, computed on its first episode
    /// (again if the catalog replaced the scenario since).
    fn prepared(&mut self, scenario: &Arc<Scenario>) -> Arc<PreparedScenario> {
        match self.prepared.get(&scenario.id) {
            Some(prepared) if Arc::ptr_eq(&prepared.scenario, scenario) => prepared.clone(),
            _ => {
                let prepared = Arc::new(PreparedScenario::new(scenario));
                self.prepared.insert(scenario.id.clone(), prepared.clone());
                prepared
            }
        }
    }

    /// Resolves a selection and seed to a scenario.
    pub fn select(&self, selection: &Selection, seed: u64) -> Result<Arc<Scenario>, EnvError> {
        match selection {
            Selection::Scenario(id) => self
                .catalog
                .get(id)
                .cloned()
                .ok_or_else(|| EnvError::UnknownScenario(action::clip(id))),
            Selection::Task(id) => {
                let task =
                    Task::from_id(id).ok_or_else(|| EnvError::UnknownTask(action::clip(id)))?;
                let candidates: Vec<&Arc<Scenario>> = self.catalog.for_task(task).collect();
                if candidates.is_empty() {
                    return Err(EnvError::UnknownScenario(format!(
                        "(no scenario serves task {})",
                        task.id()
                    )));
                }
                Ok(candidates[(seed % candidates.len() as u64) as usize].clone())
            }
        }
    }

    /// Starts a new episode; the seed fixes everything random in it.
    pub fn reset(&mut self, selection: &Selection, seed: u64) -> Result<Observation, EnvError> {
        let scenario = match self.select(selection, seed) {
            Ok(s) => s,
            Err(e) => {
                self.telemetry.count_error(&e);
                return Err(e);
            }
        };
        let prepared = self.prepared(&scenario);
        let task = scenario.task;
        let sim = Simulation::with_baseline(
            &scenario,
            seed,
            prepared.baseline.healthy_signals().to_vec(),
        );
        let monitor = Monitor::start(&prepared.baseline, task.step_budget());
        let faults = scenario.faults().count();
        let scenario_ref = scenario.clone();
        let mut episode = Episode {
            monitor,
            rules: prepared.rules.clone(),
            alerts: vec![AlertTracker::default(); scenario.alerts.len()],
            logs: vec![None; scenario.services.len()],
            firing: Vec::with_capacity(scenario.alerts.len()),
            prepared,
            scenario,
            task,
            seed,
            sim,
            status: Status::Open,
            terminated: false,
            truncated: false,
            cumulative_reward: 0.0,
            history: Vec::new(),
            investigated: Vec::new(),
            severity: None,
            severity_answers: Vec::new(),
            diagnosis: None,
            diagnosis_answers: Vec::new(),
            mitigated_at: None,
            declared_resolved: None,
            remediations: Vec::new(),
            escalations: Vec::new(),
            communications: Vec::new(),
            wrong_fixes: 0,
            miscommunications: 0,
            used_types: PerActionType::default(),
            action_histogram: PerActionType::default(),
            played: Vec::new(),
            fixed_at: None,
            fault_mitigated_at: vec![None; faults],
            fault_fixed_at: vec![None; faults],
            last_feedback: String::new(),
            changes: ChangeState::new(&scenario_ref),
            contexts: Vec::new(),
            requests: StepRequests::default(),
            events: Vec::new(),
            missing: Vec::new(),
            seen: Vec::new(),
        };
        episode.observe_fleet(0);
        let time_ms = episode
            .monitor
            .scrape(&episode.sim, &episode.changes, &episode.missing, 0);
        episode.evaluate_alerts(time_ms);
        episode.record();
        episode.last_feedback = if episode.alerts.iter().any(|a| a.firing_since.is_some()) {
            "Incident declared: alerts are firing. Start the response.".into()
        } else {
            "Incident declared: users and support report problems, though no alert fires yet. Start the response.".into()
        };
        let observation = episode.observation();
        self.episode = Some(episode);
        self.telemetry.count_reset(task);
        Ok(observation)
    }

    /// Plays one action. An invalid action is an error and uses no step.
    pub fn step(&mut self, action: &Action) -> Result<Step, EnvError> {
        let step = self.step_lean(action)?;
        Ok(step.with_observation(self.observation()?))
    }

    /// Plays one action as [`Env::step`] does, and returns its reward,
    /// flags and info without the observation: [`Env::observation`] gives
    /// it when it is wanted. The episode, the telemetry and every later
    /// step are the same as with `step`.
    ///
    /// ```
    /// use firedrill::{Action, Env, Selection};
    /// let (mut env, mut other) = (Env::new(), Env::new());
    /// let selection = Selection::Scenario("bad-deploy-v1".into());
    /// env.reset(&selection, 3).unwrap();
    /// other.reset(&selection, 3).unwrap();
    /// let action = Action::new("investigate", Some("orders"));
    /// let lean = env.step_lean(&action).unwrap();
    /// let step = other.step(&action).unwrap();
    /// assert_eq!((lean.reward, lean.terminated, &lean.info), (step.reward, step.terminated, &step.info));
    /// assert_eq!(env.observation().unwrap(), step.observation);
    /// ```
    pub fn step_lean(&mut self, action: &Action) -> Result<LeanStep, EnvError> {
        let result = match self.episode.as_mut() {
            None => Err(EnvError::ResetNeeded),
            Some(e) if e.terminated || e.truncated => Err(EnvError::EpisodeOver),
            Some(e) => match action.validate(&e.scenario) {
                Ok(Command::Hint) if e.hints_revealed() >= e.scenario.hints.len() => {
                    Err(EnvError::InvalidAction {
                        field: "action_type".into(),
                        reason: format!(
                            "all {} hints of this scenario are revealed",
                            e.scenario.hints.len()
                        ),
                    })
                }
                Ok(command) => Ok(e.apply(action, command)),
                Err(err) => Err(err),
            },
        };
        match &result {
            Ok(step) => {
                self.telemetry.count_action(&step.info.action_type);
                if step.terminated || step.truncated {
                    self.telemetry.episodes_finished += 1;
                }
            }
            Err(e) => self.telemetry.count_error(e),
        }
        result
    }

    /// Everything about the episode; the ground truth only once it is over.
    pub fn state(&self) -> Result<State, EnvError> {
        self.episode
            .as_ref()
            .map(Episode::state)
            .ok_or(EnvError::ResetNeeded)
    }

    /// The grade of the episode so far (final once it is over).
    pub fn grade(&mut self) -> Result<Grade, EnvError> {
        let grade = self
            .episode
            .as_ref()
            .map(grade::grade)
            .ok_or(EnvError::ResetNeeded);
        if grade.is_ok() {
            self.telemetry.grades += 1;
        }
        grade
    }

    /// The postmortem draft of the episode (Markdown): summary, impact,
    /// root cause, the timeline, the response as graded, and the sections
    /// to fill in (contributing factors, action items).
    pub fn postmortem(&self) -> Result<String, EnvError> {
        self.episode
            .as_ref()
            .map(|e| postmortem::postmortem(e, &grade::grade(e)))
            .ok_or(EnvError::ResetNeeded)
    }

    /// The markdown incident dashboard of the episode.
    pub fn render(&self) -> Result<String, EnvError> {
        self.episode
            .as_ref()
            .map(render::render)
            .ok_or(EnvError::ResetNeeded)
    }

    /// The current observation, without acting.
    pub fn observation(&self) -> Result<Observation, EnvError> {
        self.episode
            .as_ref()
            .map(Episode::observation)
            .ok_or(EnvError::ResetNeeded)
    }

    /// The scenario of the current episode.
    pub fn scenario(&self) -> Option<&Arc<Scenario>> {
        self.episode.as_ref().map(|e| &e.scenario)
    }

    /// The simulation of the current episode.
    pub fn simulation(&self) -> Option<&Simulation> {
        self.episode.as_ref().map(|e| &e.sim)
    }

    /// The monitoring (metrics store, SLOs, recorder) of the current episode.
    pub fn monitor(&self) -> Result<&Monitor, EnvError> {
        self.episode
            .as_ref()
            .map(|e| &e.monitor)
            .ok_or(EnvError::ResetNeeded)
    }

    /// Every log line of every service from the incident start to now, in time order.
    pub fn logs(&self) -> Result<Vec<crate::sim::LogLine>, EnvError> {
        let e = self.episode.as_ref().ok_or(EnvError::ResetNeeded)?;
        let mut lines: Vec<crate::sim::LogLine> = e
            .scenario
            .services
            .iter()
            .flat_map(|s| {
                traced_service_logs(
                    &e.prepared.traces,
                    &e.scenario,
                    e.seed,
                    &s.name,
                    &e.contexts,
                    usize::MAX,
                )
            })
            .collect();
        lines.sort_by(|a, b| a.time.total_cmp(&b.time));
        Ok(lines)
    }
}

impl Env {
    /// The last `limit` log lines service `name` has written so far,
    /// regenerated from the episode's record of each step (what an
    /// investigation of it shows, with `limit` = [`LOG_LINES_SHOWN`]).
    pub fn service_logs(&self, name: &str, limit: usize) -> Result<Vec<LogLine>, EnvError> {
        let e = self.episode.as_ref().ok_or(EnvError::ResetNeeded)?;
        Ok(traced_service_logs(
            &e.prepared.traces,
            &e.scenario,
            e.seed,
            name,
            &e.contexts,
            limit,
        ))
    }

    /// The `limit` most recent simulated traces (newest step first; within
    /// a step, in entry-point order), only those through service `service`
    /// when it is given (none through a name the scenario does not have).
    /// Derived from the episode's record of each step
    /// ([`step_traces`](crate::metrics::traces::step_traces)).
    pub fn traces(&self, service: Option<&str>, limit: usize) -> Result<Vec<Trace>, EnvError> {
        let e = self.episode.as_ref().ok_or(EnvError::ResetNeeded)?;
        let mut out = Vec::new();
        if service.is_some_and(|s| e.scenario.service_index(s).is_none()) {
            return Ok(out);
        }
        for (step, context) in e.contexts.iter().enumerate().rev() {
            if out.len() >= limit {
                break;
            }
            let traces = step_traces_in(
                &e.prepared.traces,
                &e.scenario,
                e.seed,
                step as u32,
                &context.values,
            );
            out.extend(
                traces
                    .into_iter()
                    .filter(|t| service.is_none_or(|s| t.passes(s)))
                    .take(limit - out.len()),
            );
        }
        Ok(out)
    }

    /// Every simulated trace of the episode so far, oldest step first
    /// (what `firedrill export otlp-traces` writes).
    pub fn all_traces(&self) -> Result<Vec<Trace>, EnvError> {
        let e = self.episode.as_ref().ok_or(EnvError::ResetNeeded)?;
        Ok(e.contexts
            .iter()
            .enumerate()
            .flat_map(|(step, context)| {
                step_traces_in(
                    &e.prepared.traces,
                    &e.scenario,
                    e.seed,
                    step as u32,
                    &context.values,
                )
            })
            .collect())
    }

    /// The whole episode as OpenMetrics text ([`Monitor::openmetrics`])
    /// with exemplars: the latency histogram's bucket samples of the
    /// incident steps link to a trace whose span of that service falls in
    /// the bucket.
    pub fn openmetrics(&self) -> Result<String, EnvError> {
        let e = self.episode.as_ref().ok_or(EnvError::ResetNeeded)?;
        let exemplars = Exemplars::of_traces(&e.scenario, &self.all_traces()?);
        Ok(e.monitor.openmetrics_with(&exemplars))
    }
}

impl Episode {
    fn step_count(&self) -> u32 {
        self.history.len() as u32
    }

    pub(crate) fn is_over(&self) -> bool {
        self.terminated || self.truncated
    }

    /// Affected services (root cause and those with symptoms), as indices.
    pub(crate) fn affected(&self) -> &[usize] {
        &self.prepared.affected
    }

    /// [`Scenario::path_to_users`], as indices.
    pub(crate) fn path_to_users(&self) -> &[usize] {
        &self.prepared.path
    }

    fn apply(&mut self, action: &Action, command: Command) -> LeanStep {
        let step_number = self.step_count() + 1;
        let decay = self.task.reward_decay();
        let (mut reward, feedback) = self.perform(&command, step_number);
        reward -= decay * step_number as f64;
        let action_type = command.action_type();
        self.used_types[action_type] = true;
        self.action_histogram[action_type] += 1;
        self.played.push(action_type);
        if self.status == Status::Open {
            self.status = Status::Investigating;
        }
        self.sim.advance();
        if self.sim.resolved_at().is_some() {
            self.status = Status::Resolved;
        } else if self.status == Status::Mitigated && !self.sim.recovering() {
            // The mitigation wore off: the fault is still there.
            self.status = Status::Investigating;
        }
        self.observe_fleet(step_number);
        let time_ms = self
            .monitor
            .scrape(&self.sim, &self.changes, &self.missing, step_number);
        self.evaluate_alerts(time_ms);
        self.cumulative_reward += reward;
        self.history.push(HistoryEntry {
            step: step_number,
            action: action.clone(),
            reward,
            feedback: feedback.clone(),
        });
        self.record();
        self.terminated = self.objective_met();
        self.truncated = !self.terminated && step_number >= self.task.step_budget();
        self.last_feedback = feedback.clone();
        self.generate_logs(step_number);
        LeanStep {
            reward,
            terminated: self.terminated,
            truncated: self.truncated,
            info: StepInfo {
                action_type: command.action_type().name().to_string(),
                feedback,
                status: self.status,
            },
        }
    }

    /// Completes the monitoring of the current step (after
    /// [`Monitor::scrape`] and [`Episode::evaluate_alerts`]).
    fn record(&mut self) {
        let mut firing = std::mem::take(&mut self.firing);
        firing.clear();
        firing.extend(self.alerts.iter().map(|t| AlertSample {
            firing: t.firing_since.is_some(),
            active_since: t.active_since_ms.map(|ms| ms / 1000),
        }));
        let counters = EpisodeCounters {
            wrong_fixes: self.wrong_fixes,
            miscommunications: self.miscommunications,
            resolved: self.status == Status::Resolved,
            cumulative_reward: self.cumulative_reward,
            action_histogram: self.action_histogram,
            firing_alerts: self
                .scenario
                .alerts
                .iter()
                .zip(&firing)
                .filter(|(_, f)| f.firing)
                .map(|(a, _)| a.name.clone())
                .collect(),
        };
        let step = self.step_count();
        self.monitor.record(step, &firing, counters);
        self.firing = firing;
    }

    /// Whether the episode's goal is reached: a severity (easy task); a
    /// diagnosis and a fix (medium); the incident declared resolved (hard).
    /// Declaring the incident resolved ends an episode of any task.
    fn objective_met(&self) -> bool {
        self.declared_resolved.is_some()
            || match self.task {
                Task::SeverityClassification => self.severity.is_some(),
                Task::RootCauseAnalysis => {
                    let faults = self.fault_mitigated_at.len();
                    if self.scenario.fault.is_false_alarm() {
                        // Nothing to fix: a diagnosis ends it (a fix is a mistake, not the end).
                        self.diagnosis.is_some()
                    } else if faults > 1 {
                        self.diagnosis_answers.len() >= faults && self.mitigated_at.is_some()
                    } else {
                        self.diagnosis.is_some() && !self.remediations.is_empty()
                    }
                }
                Task::FullIncidentManagement => false,
            }
    }

    /// Carries out a command; returns (reward before the time penalty, feedback).
    fn perform(&mut self, command: &Command, step_number: u32) -> (f64, String) {
        let scenario = self.scenario.clone();
        let prepared = self.prepared.clone();
        let affected = &prepared.affected;
        let root = prepared.root;
        match command {
            Command::Investigate { service } => {
                let name = &scenario.services[*service].name;
                if self.investigated.contains(service) {
                    return (-0.02, format!("{name} was already investigated; its logs and metrics are shown below."));
                }
                self.investigated.push(*service);
                let herring = scenario
                    .red_herrings
                    .iter()
                    .any(|h| h.drift.service == *name);
                let reward = if *service == root {
                    0.15
                } else if affected.contains(service) {
                    0.05
                } else if herring {
                    -0.05
                } else {
                    -0.03
                };
                (
                    reward,
                    format!("Investigated {name}: its logs and detailed metrics are now visible."),
                )
            }
            Command::Classify { severity } => {
                let before = grade::first_answer_score(&self.severity_scores());
                let given = self.severity_answers.last().copied();
                self.severity = Some(*severity);
                if given != Some(*severity) {
                    self.severity_answers.push(*severity);
                }
                let after = grade::first_answer_score(&self.severity_scores());
                // Shaped on the dimension's score: guessing in turn does not pay.
                let potential = |s: f64| 0.3 * s - 0.1;
                let reward = if given.is_none() {
                    potential(after)
                } else {
                    potential(after) - potential(before)
                };
                (reward, format!("Severity recorded as {severity}."))
            }
            Command::Diagnose {
                service,
                root_cause,
                notes,
            } => {
                let scores = |answers: &[DiagnosisAnswer]| -> Vec<f64> {
                    answers
                        .iter()
                        .map(|a| grade::diagnosis_score(&scenario, a))
                        .collect()
                };
                let first = self.diagnosis_answers.is_empty();
                let before = grade::first_answer_score(&scores(&self.diagnosis_answers));
                let answer = DiagnosisAnswer {
                    service: *service,
                    root_cause: root_cause.clone(),
                    notes: notes.clone(),
                };
                if !self
                    .diagnosis_answers
                    .last()
                    .is_some_and(|last| last.same_as(&answer))
                {
                    self.diagnosis_answers.push(answer);
                }
                self.diagnosis = Some((*service, root_cause.clone()));
                let after = grade::first_answer_score(&scores(&self.diagnosis_answers));
                let potential = |s: f64| 0.4 * s - 0.1;
                let reward = if first {
                    potential(after)
                } else {
                    potential(after) - potential(before)
                };
                (
                    reward,
                    format!(
                        "Diagnosis recorded: {} on {}.",
                        action::clip(root_cause),
                        scenario.services[*service].name
                    ),
                )
            }
            Command::Remediate { service, kind } => {
                let name = scenario.services[*service].name.clone();
                let known = scenario
                    .remediations
                    .iter()
                    .find(|r| r.service == name && r.kind == *kind);
                let correct = known.is_some_and(|r| r.correct);
                let outcome = known.filter(|r| r.correct).map(|r| r.outcome);
                let harm = (!correct).then(|| known.map(|r| r.harm).unwrap_or_default());
                self.remediations.push(RemediationRecord {
                    step: step_number,
                    service: name.clone(),
                    kind: kind.clone(),
                    correct,
                    outcome,
                    harm,
                });
                // The feedback says what was done, never whether it was
                // right: the metrics show that, as in real life.
                let feedback = format!("Applied {kind} to {name}.");
                if kind == "restart" {
                    self.sim.restart(*service);
                }
                self.remediation_effects(*service, kind, step_number);
                match (known, outcome, harm) {
                    (Some(fix), Some(outcome), _) => {
                        let faults = self.fault_mitigated_at.len().max(1) as f64;
                        let slot = fix
                            .fault
                            .min(self.fault_mitigated_at.len().saturating_sub(1));
                        let first = self.fault_mitigated_at[slot].is_none();
                        self.fault_mitigated_at[slot].get_or_insert(step_number);
                        let reward = match outcome {
                            FixOutcome::Resolve => {
                                let new = self.fault_fixed_at[slot].is_none();
                                if new {
                                    self.fault_fixed_at[slot] = Some(step_number);
                                    self.sim.start_recovery(fix.fault, fix.recovery_steps);
                                }
                                if new {
                                    0.3 / faults
                                } else {
                                    0.0
                                }
                            }
                            FixOutcome::Mitigate => {
                                self.sim.start_mitigation(fix.fault, fix.recovery_steps);
                                if first {
                                    0.15 / faults
                                } else {
                                    0.0
                                }
                            }
                        };
                        self.mitigated_at = all_set(&self.fault_mitigated_at);
                        self.fixed_at = all_set(&self.fault_fixed_at);
                        if self.status != Status::Resolved && self.mitigated_at.is_some() {
                            self.status = Status::Mitigated;
                        }
                        (reward, feedback)
                    }
                    (_, _, harm) => {
                        let harm = harm.unwrap_or_default();
                        self.wrong_fixes += 1;
                        if let Some((signal, amount)) = known.and_then(|r| r.worsens) {
                            self.sim
                                .worsen(*service, signal, amount * harm.worsening_factor());
                        }
                        (-(0.05 + 0.2 * harm.penalty()), feedback)
                    }
                }
            }
            Command::Escalate { team } => {
                let expected = scenario.escalate_to.contains(team);
                let repeat = self.escalations.contains(team);
                self.escalations.push(team.clone());
                let reward = match (expected, repeat) {
                    (_, true) => -0.02,
                    (true, false) => 0.1,
                    (false, false) => -0.05,
                };
                (reward, format!("Escalated to {team}."))
            }
            Command::Communicate { channel, message } => {
                let answered = |records: &[CommunicationRecord]| {
                    grade::inject_replies(&scenario, records)
                        .iter()
                        .filter(|r| r.is_some())
                        .count()
                };
                let answered_before = answered(&self.communications);
                let quality = grade::communication_quality(&scenario, channel, message);
                if quality < 0.3 {
                    self.miscommunications += 1;
                }
                self.communications.push(CommunicationRecord {
                    step: step_number,
                    channel: channel.clone(),
                    message: message.clone(),
                    quality,
                });
                let replied = answered(&self.communications) - answered_before;
                let reward =
                    0.15 * quality - if quality < 0.3 { 0.05 } else { 0.0 } + 0.1 * replied as f64;
                let feedback = if replied > 0 {
                    format!("Status update posted to {channel}; it answers the message waiting for a reply.")
                } else {
                    format!("Status update posted to {channel}.")
                };
                (reward, feedback)
            }
            Command::Resolve { summary } => {
                self.declared_resolved = Some((step_number, summary.clone()));
                if scenario.fault.is_false_alarm() && self.remediations.is_empty() {
                    // Nothing was broken: the alert is closed as it stands.
                    self.status = Status::Resolved;
                }
                // Closing while users still suffer costs; closing after the
                // cause was removed pays a little.
                let reward = if self.fixed_at.is_some() {
                    0.1
                } else if self.mitigated_at.is_some() {
                    0.0
                } else {
                    -0.1
                };
                (
                    reward,
                    String::from("Incident declared resolved; the episode is over."),
                )
            }
            Command::Hint => {
                let index = self.hints_revealed();
                match scenario.hints.get(index) {
                    Some(hint) => (
                        -hint.cost,
                        format!(
                            "Hint {} of {} (−{:.2} on the score): {}",
                            index + 1,
                            scenario.hints.len(),
                            hint.cost,
                            hint.text
                        ),
                    ),
                    None => (0.0, String::from("Every hint is already revealed.")),
                }
            }
        }
    }

    /// The score of each distinct severity given so far.
    fn severity_scores(&self) -> Vec<f64> {
        self.severity_answers
            .iter()
            .map(|s| grade::severity_score(*s, self.scenario.severity))
            .collect()
    }

    /// Evaluates every alert rule's expression over the series store at
    /// `time_ms` (the samples [`Monitor::scrape`] just stored) and moves its
    /// alert along inactive → pending → firing → resolved: pending while the
    /// condition has held for at most `for_steps` evaluations, then firing;
    /// resolved when it stops holding.
    fn evaluate_alerts(&mut self, time_ms: i64) {
        // Steps are labelled as they always were: before the history entry
        // of the step being played is pushed.
        let step = self.step_count();
        let store = self.monitor.store();
        let mut points = Vec::new();
        for (index, (rule, tracker)) in self
            .scenario
            .alerts
            .iter()
            .zip(self.alerts.iter_mut())
            .enumerate()
        {
            if self
                .rules
                .holds_fast_with(index, store, time_ms, &mut points)
            {
                tracker.breached_steps += 1;
                if tracker.active_since.is_none() {
                    tracker.active_since = Some(step);
                    tracker.active_since_ms = Some(time_ms);
                    tracker.resolved_at = None;
                }
                if tracker.breached_steps > rule.for_steps && tracker.firing_since.is_none() {
                    tracker.firing_since = Some(step);
                }
            } else {
                if tracker.firing_since.is_some() {
                    tracker.resolved_at = Some(step);
                }
                tracker.breached_steps = 0;
                tracker.active_since = None;
                tracker.active_since_ms = None;
                tracker.firing_since = None;
            }
        }
    }

    /// What an alert shows as its value: its signal now, or for an SLO's
    /// burn-rate alert the bad fraction over the long window of the first
    /// condition that holds (what Prometheus' `$value` is), else of the
    /// first condition (its threshold is that condition's too).
    fn alert_value(&self, rule: &crate::scenario::AlertRule, service: usize) -> f64 {
        let RuleQuery::BurnRate { slo, page } = rule.query else {
            return self.sim.value(service, rule.metric);
        };
        let slos = self.monitor.slos();
        let Some(spec) = slos.specs().get(slo) else {
            return self.sim.value(service, rule.metric);
        };
        let budget = spec.error_budget();
        let conditions = spec.burn_conditions(page);
        let bad = |w: usize| slos.window_ratio(slo, w);
        conditions
            .iter()
            .find(|c| {
                let above = |w: usize| bad(w).is_some_and(|v| v > c.factor * budget);
                above(c.long) && above(c.short)
            })
            .or(conditions.first())
            .and_then(|c| bad(c.long))
            // No requests in the window: what the service shows.
            .unwrap_or_else(|| self.sim.value(service, rule.metric))
    }

    fn time_at(&self, step: u32) -> i64 {
        self.scenario.start_time + (step as i64) * self.scenario.step_seconds as i64
    }

    /// Alert views, sorted. The observation's (`include_resolved` false)
    /// leave out an SLO's ticket while its page fires, as Alertmanager's
    /// inhibition rules usually do; the state's list them all.
    pub(crate) fn alert_views(&self, include_resolved: bool) -> Vec<AlertView> {
        // (sort key, rule index): firing first, then critical, then the
        // oldest, then by name.
        let mut order: Vec<((bool, bool, u32, usize), usize)> = Vec::new();
        for (r, tracker) in self.alerts.iter().enumerate() {
            let inhibited = !include_resolved
                && self
                    .prepared
                    .page_of_ticket
                    .get(r)
                    .copied()
                    .flatten()
                    .and_then(|page| self.alerts.get(page))
                    .is_some_and(|page| page.firing_since.is_some());
            if inhibited {
                continue;
            }
            let state = if tracker.firing_since.is_some() {
                AlertState::Firing
            } else if tracker.active_since.is_some() {
                AlertState::Pending
            } else if tracker.resolved_at.is_some() && include_resolved {
                AlertState::Resolved
            } else {
                continue;
            };
            let since = tracker
                .firing_since
                .or(tracker.active_since)
                .or(tracker.resolved_at)
                .unwrap_or(0);
            let key = (
                state != AlertState::Firing,
                !self
                    .prepared
                    .alert_critical
                    .get(r)
                    .copied()
                    .unwrap_or(false),
                since,
                self.prepared.alert_name_ranks.get(r).copied().unwrap_or(r),
            );
            order.push((key, r));
        }
        order.sort_unstable_by_key(|(key, _)| *key);
        order
            .into_iter()
            .filter_map(|(_, r)| {
                let rule = self.scenario.alerts.get(r)?;
                let tracker = self.alerts.get(r)?;
                let index = self.prepared.alert_services.get(r).copied().unwrap_or(0);
                let state = if tracker.firing_since.is_some() {
                    AlertState::Firing
                } else if tracker.active_since.is_some() {
                    AlertState::Pending
                } else {
                    AlertState::Resolved
                };
                let since = tracker
                    .firing_since
                    .or(tracker.active_since)
                    .or(tracker.resolved_at)
                    .unwrap_or(0);
                Some(AlertView {
                    name: rule.name.clone(),
                    service: rule.service.clone(),
                    severity: rule.severity.clone(),
                    state,
                    summary: rule.summary.clone(),
                    metric: rule.metric.name(),
                    value: self.alert_value(rule, index),
                    threshold: rule.threshold,
                    since_step: since,
                    since_time: self.time_at(since),
                })
            })
            .collect()
    }

    pub(crate) fn observation(&self) -> Observation {
        let scenario = &self.scenario;
        let step = self.step_count();
        let services = scenario
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let seen = self
                    .seen
                    .get(i)
                    .copied()
                    .unwrap_or_else(|| self.sim.values(i));
                ServiceView {
                    name: s.name.clone(),
                    team: s.team.clone(),
                    kind: s.kind,
                    depends_on: s.depends_on.clone(),
                    health: self.sim.health_of(i, &seen),
                    error_ratio: seen[Signal::ErrorRatio],
                    latency_p99_seconds: seen[Signal::LatencyP99Seconds],
                    requests_per_second: seen[Signal::RequestsPerSecond],
                    investigated: self.investigated.contains(&i),
                    data_missing: self.dashboard_blind(i),
                }
            })
            .collect();
        let investigations = self
            .investigated
            .iter()
            .map(|&i| Investigation {
                service: scenario.services[i].name.clone(),
                // A service whose metrics stopped arriving shows what was
                // last seen; its logs still come (they are not scraped).
                metrics: Signal::ALL
                    .iter()
                    .map(|s| {
                        let value = if self.dashboard_blind(i) {
                            self.seen[i][*s]
                        } else {
                            self.sim.value(i, *s)
                        };
                        (s.name(), value)
                    })
                    .collect(),
                logs: self.logs_shown(i, step),
                instances: scenario.services[i]
                    .instances
                    .iter()
                    .filter(|_| !self.pods_blind(i))
                    .zip(&self.sim.instance_values()[i])
                    .map(|(pod, v)| InstanceView {
                        pod: pod.name.clone(),
                        zone: pod.zone.clone(),
                        up: v[Signal::Up],
                        error_ratio: v[Signal::ErrorRatio],
                        latency_p99_seconds: v[Signal::LatencyP99Seconds],
                        requests_per_second: v[Signal::RequestsPerSecond]
                            / scenario.services[i].instances.len().max(1) as f64,
                        cpu_ratio: v[Signal::CpuRatio],
                        memory_ratio: v[Signal::MemoryRatio],
                    })
                    .collect(),
            })
            .collect();
        Observation {
            scenario: scenario.id.clone(),
            handle: scenario.handle(),
            title: scenario.title.clone(),
            task: self.task,
            objective: self.task.objective(),
            summary: scenario.summary.clone(),
            step,
            step_budget: self.task.step_budget(),
            time: self.time_at(step),
            status: self.status,
            alerts: self.alert_views(false),
            services,
            slos: self.monitor.slos().slos().to_vec(),
            investigations,
            changes: self.changes.events.clone(),
            teams: self.prepared.teams.clone(),
            played: self.played.clone(),
            cumulative_reward: self.cumulative_reward,
            last_feedback: self.last_feedback.clone(),
            done: self.is_over(),
            injects: self.inject_views(),
            hints: scenario
                .hints
                .iter()
                .take(self.hints_revealed())
                .map(|h| h.text.clone())
                .collect(),
            hints_left: (scenario.hints.len() - self.hints_revealed()) as u32,
            next_hint_cost: scenario.hints.get(self.hints_revealed()).map(|h| h.cost),
        }
    }

    /// How many hints the responder revealed.
    pub(crate) fn hints_revealed(&self) -> usize {
        (self.action_histogram[ActionType::Hint] as usize).min(self.scenario.hints.len())
    }

    /// The injects that have arrived, with the step of their reply.
    fn inject_views(&self) -> Vec<InjectView> {
        let step = self.step_count();
        let replies = grade::inject_replies(&self.scenario, &self.communications);
        self.scenario
            .injects
            .iter()
            .zip(replies)
            .filter(|(inject, _)| inject.step <= step)
            .map(|(inject, answered_at)| InjectView {
                step: inject.step,
                from: inject.from,
                message: inject.message.clone(),
                expects: inject.expects.clone(),
                reply_by: inject.step + inject.respond_within,
                answered_at,
            })
            .collect()
    }

    /// The last [`LOG_LINES_SHOWN`] lines service `index` wrote up to `step`
    /// (what [`traced_service_logs`] gives), from the lines recorded so far.
    fn logs_shown(&self, index: usize, step: u32) -> LogLines {
        match self.logs.get(index) {
            Some(Some((through, lines))) if *through >= step => {
                let end = lines.partition_point(|l| l.step <= step);
                let first_step = step.saturating_sub(LOG_LINES_SHOWN as u32);
                let start = lines
                    .partition_point(|l| l.step < first_step)
                    .max(end.saturating_sub(LOG_LINES_SHOWN));
                LogLines::new(lines, start..end)
            }
            _ => {
                let name = &self.scenario.services[index].name;
                let through = self.contexts.len().min(step as usize + 1);
                traced_service_logs(
                    &self.prepared.traces,
                    &self.scenario,
                    self.seed,
                    name,
                    &self.contexts[..through],
                    LOG_LINES_SHOWN,
                )
                .into()
            }
        }
    }

    /// Extends the log lines of every investigated service through `step`
    /// (each line is made once).
    fn generate_logs(&mut self, step: u32) {
        for &index in &self.investigated {
            let Some(slot) = self.logs.get_mut(index) else {
                continue;
            };
            let (through, lines) = slot.get_or_insert_with(|| (0, Vec::new()));
            let from = if lines.is_empty() && *through == 0 {
                0
            } else {
                *through + 1
            };
            for s in from..=step {
                if let Some(context) = self.contexts.get(s as usize) {
                    push_traced_logs(
                        &self.prepared.traces,
                        &mut self.requests,
                        &self.scenario,
                        self.seed,
                        index,
                        s,
                        context,
                        |line| lines.push(Arc::new(line)),
                    );
                }
            }
            *through = (*through).max(step);
        }
    }

    /// Brings the timeline, the missing data and the log context up to
    /// `step` (after the simulation has reached it).
    fn observe_fleet(&mut self, step: u32) {
        let scenario = self.scenario.clone();
        self.changes.advance_to(&scenario, self.time_at(step));
        self.missing.clear();
        self.missing.resize(scenario.services.len(), 0);
        for gap in &scenario.missing {
            let back = gap.until_fixed.is_some_and(|f| self.sim.fixed(f));
            if step < gap.from_step || back {
                continue;
            }
            let Some(s) = scenario.service_index(&gap.service) else {
                continue;
            };
            self.missing[s] |= if gap.metrics.is_empty() {
                WHOLE_TARGET
            } else {
                gap.metrics.iter().fold(0, |bits, m| bits | family_bit(m))
            };
        }
        if self.seen.is_empty() {
            // Before the first step the monitoring saw the healthy fleet.
            let sim = &self.sim;
            self.seen = (0..scenario.services.len())
                .map(|i| PerSignal::from_fn(|signal| sim.baseline(i, signal)))
                .collect();
        }
        for (s, seen) in self.seen.iter_mut().enumerate() {
            if !blind(self.missing[s]) {
                *seen = self.sim.values(s);
            }
        }
        let mut context = LogContext::of(&self.sim, scenario.faults().count(), &self.changes);
        context.events = std::mem::take(&mut self.events);
        self.contexts.truncate(step as usize);
        self.contexts.push(context);
    }

    /// Whether the signals the map and an investigation show of service
    /// `index` have stopped arriving (its error, latency, throughput or
    /// health gauges, or the whole target).
    fn dashboard_blind(&self, index: usize) -> bool {
        self.missing.get(index).is_some_and(|m| blind(*m))
    }

    /// Whether service `index`'s pod series have stopped arriving.
    fn pods_blind(&self, index: usize) -> bool {
        self.missing
            .get(index)
            .is_some_and(|m| *m & family_bit("pod_error_ratio") != 0)
    }

    /// What a remediation makes the target write, and what it changes on
    /// the timeline (rollbacks, configuration, flags).
    fn remediation_effects(&mut self, service: usize, kind: &str, step: u32) {
        let scenario = self.scenario.clone();
        let time = self.time_at(step);
        let pods = scenario.services[service].instances.len().max(3);
        let field = |k: &str, v: String| (k.to_string(), v);
        let (message, fields): (String, Vec<(String, String)>) = match kind {
            "restart" => (
                format!("rolling restart complete: {pods} pods replaced"),
                vec![
                    field("restarts", self.sim.restarts()[service].to_string()),
                    field("trigger", "manual".into()),
                ],
            ),
            "rollback" => match self.changes.rollback(&scenario, service, time) {
                Some(version) => (
                    format!("rollback complete: now running {version}"),
                    vec![field(
                        "revision",
                        self.changes.deploy_revision[service].to_string(),
                    )],
                ),
                None => (
                    "rollback complete: previous release running".into(),
                    vec![field(
                        "revision",
                        self.changes.deploy_revision[service].to_string(),
                    )],
                ),
            },
            "scale" => (
                format!("scaled out: replicas {pods} -> {}", pods * 2),
                vec![field("trigger", "manual".into())],
            ),
            "config_change" => {
                self.changes.config_change(&scenario, service, time);
                (
                    "configuration reloaded".into(),
                    vec![field(
                        "revision",
                        self.changes.config_revision[service].to_string(),
                    )],
                )
            }
            "failover" => (
                "failover complete: standby promoted to primary".into(),
                vec![field("trigger", "manual".into())],
            ),
            "flush_cache" => ("cache flushed by operator: all keys evicted".into(), vec![]),
            "renew_certificate" => ("certificate renewed and reloaded".into(), vec![]),
            "free_disk" => ("disk space reclaimed by operator".into(), vec![]),
            "rate_limit" => ("rate limit applied by operator".into(), vec![]),
            "drain_node" => (
                "node cordoned and drained: pods evicted and rescheduled".into(),
                vec![],
            ),
            "disable_flag" => {
                let off = self.changes.disable_flags(&scenario, service, time);
                if off.is_empty() {
                    (
                        "flag change requested: no feature flag was on".into(),
                        vec![],
                    )
                } else {
                    (
                        format!("feature flag {} turned off", off.join(", ")),
                        vec![field("trigger", "manual".into())],
                    )
                }
            }
            other => (format!("{other} applied by operator"), vec![]),
        };
        self.events.push((service, LogLevel::Info, message, fields));
    }

    /// MTTR in steps: when recovery completed, or when it will (projected) if a fix is under way.
    pub(crate) fn mttr_steps(&self) -> Option<u32> {
        match (self.sim.resolved_at(), self.sim.recovery_remaining()) {
            (Some(at), _) => Some(at),
            (None, Some(remaining)) => Some(self.step_count() + remaining),
            (None, None) => None,
        }
    }

    fn state(&self) -> State {
        let scenario = &self.scenario;
        let mttr_steps = self.mttr_steps();
        State {
            scenario: scenario.id.clone(),
            task: self.task,
            seed: self.seed,
            step: self.step_count(),
            step_budget: self.task.step_budget(),
            status: self.status,
            terminated: self.terminated,
            truncated: self.truncated,
            cumulative_reward: self.cumulative_reward,
            history: self.history.clone(),
            investigated: self
                .investigated
                .iter()
                .map(|&i| scenario.services[i].name.clone())
                .collect(),
            severity: self.severity.map(|s| s.name().to_string()),
            diagnosis: self.diagnosis.as_ref().map(|(i, cause)| DiagnosisRecord {
                service: scenario.services[*i].name.clone(),
                root_cause: cause.clone(),
            }),
            remediations: self.remediations.clone(),
            escalations: self.escalations.clone(),
            communications: self.communications.clone(),
            wrong_fixes: self.wrong_fixes,
            miscommunications: self.miscommunications,
            mttr_steps,
            mttr_minutes: mttr_steps.map(|s| (s as f64) * scenario.step_seconds as f64 / 60.0),
            start_time: scenario.start_time,
            history_start_time: self.monitor.first_time(),
            end_time: self.monitor.last_time(),
            slos: self.monitor.slos().slos().to_vec(),
            step_seconds: scenario.step_seconds,
            alerts: self.alert_views(true),
            observation: self.observation(),
            ground_truth: self.is_over().then(|| GroundTruth {
                severity: scenario.severity.name().to_string(),
                root_cause_service: scenario.fault.service.clone(),
                also_accepted_services: scenario.fault.also_accept.clone(),
                root_cause: scenario.fault.cause.clone(),
                root_cause_name: crate::scenario::causes::cause(&scenario.fault.cause)
                    .map_or_else(|| scenario.fault.cause.clone(), |c| c.name.to_string()),
                debrief_title: scenario.debrief_title.clone(),
                description: scenario.fault.description.clone(),
                affected_services: scenario
                    .affected_services()
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                red_herrings: scenario
                    .red_herrings
                    .iter()
                    .map(|h| RedHerringTruth {
                        service: h.drift.service.clone(),
                        reason: h.reason.clone(),
                    })
                    .collect(),
                correct_remediations: scenario
                    .correct_remediations()
                    .map(|r| format!("{} {}", r.kind, r.service))
                    .collect(),
                mitigations: scenario
                    .correct_remediations()
                    .filter(|r| r.outcome == FixOutcome::Mitigate)
                    .map(|r| format!("{} {}", r.kind, r.service))
                    .collect(),
                escalate_to: scenario.escalate_to.clone(),
                must_mention: scenario.communication.impact.clone(),
                other_faults: scenario
                    .other_faults
                    .iter()
                    .map(|f| FaultTruth {
                        root_cause_service: f.service.clone(),
                        root_cause: f.cause.clone(),
                        root_cause_name: crate::scenario::causes::cause(&f.cause)
                            .map_or_else(|| f.cause.clone(), |c| c.name.to_string()),
                        description: f.description.clone(),
                    })
                    .collect(),
            }),
        }
    }
}
