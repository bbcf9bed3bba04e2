//! Baseline agents: `random` (valid but aimless), `heuristic` (follows the
//! alerts and the dependency graph, reads logs, tries the likely fix) and
//! `oracle` (reads the ground truth and plays the ideal path). They make the
//! grader testable and drive the app's autoplay.

use crate::env::{Action, ActionType, Env, Observation, Task};
use crate::rng::Rng;
use crate::scenario::causes::{self, cause_in_text, CAUSES};
use crate::scenario::{FixOutcome, Scenario, Severity, CHANNELS, REMEDIATION_KINDS};
use crate::sim::Health;

/// Something that picks the next action.
pub trait Agent {
    /// The next action for this observation. `env` is there for the oracle,
    /// which reads the hidden scenario; fair agents use only `observation`.
    fn act(&mut self, env: &Env, observation: &Observation) -> Action;
}

/// The names accepted by [`by_name`].
pub const AGENT_NAMES: [&str; 3] = ["random", "heuristic", "oracle"];

/// A baseline agent by name, seeded.
pub fn by_name(name: &str, seed: u64) -> Option<Box<dyn Agent>> {
    match name {
        "random" => Some(Box::new(RandomAgent::new(seed))),
        "heuristic" => Some(Box::new(Heuristic)),
        "oracle" => Some(Box::new(Oracle)),
        _ => None,
    }
}

/// The ideal response to a scenario under a task: what the oracle plays and
/// the debrief shows. Mitigate first: investigate the root, classify,
/// apply the resolving fix (step [`crate::env::IDEAL_MITIGATION_STEP`]),
/// then confirm the impact along the path to the users, diagnose, escalate
/// and communicate.
pub fn ideal_path(scenario: &Scenario, task: Task) -> Vec<Action> {
    let faults: Vec<&crate::scenario::Fault> = scenario.faults().collect();
    let fault = &scenario.fault;
    let false_alarm = fault.is_false_alarm();
    let mut path = vec![Action::new("investigate", Some(&fault.service)).because(
        if false_alarm {
            "The alert points here: check whether users are affected at all."
        } else {
            "The alerts and the dependency graph point here: start at the deepest unhealthy service."
        },
    )];
    path.push(
        Action::new("classify", None)
            .with("severity", scenario.severity.name())
            .because("Severity from the user-facing impact."),
    );
    if task == Task::SeverityClassification {
        return path;
    }
    // Each fault's fix: the one that removes the cause.
    let fixes: Vec<&crate::scenario::Remediation> = (0..faults.len())
        .filter_map(|f| {
            let of_fault = || {
                scenario
                    .correct_remediations()
                    .filter(move |r| r.fault == f)
            };
            of_fault()
                .find(|r| r.outcome == FixOutcome::Resolve)
                .or_else(|| of_fault().next())
        })
        .collect();
    for (f, fix) in fixes.iter().enumerate() {
        if f > 0 {
            path.push(
                Action::new("investigate", Some(&faults[f].service))
                    .because("A second, unrelated fault: its own symptoms point here."),
            );
        }
        path.push(
            Action::new("remediate", Some(&fix.service))
                .with("kind", &fix.kind)
                .because("Mitigate first: the fix that removes the cause, as soon as the evidence points to it."),
        );
    }
    if task == Task::FullIncidentManagement {
        for &i in &scenario.path_to_users() {
            let service = &scenario.services[i].name;
            if faults.iter().all(|f| f.service != *service) {
                path.push(
                    Action::new("investigate", Some(service))
                        .because("Confirm the impact along the path to the users."),
                );
            }
        }
    }
    for f in &faults {
        path.push(
            Action::new("diagnose", Some(&f.service))
                .with("root_cause", &f.cause)
                .because(&f.description),
        );
    }
    if task == Task::RootCauseAnalysis {
        return path;
    }
    for team in &scenario.escalate_to {
        path.push(
            Action::new("escalate", Some(team))
                .because("This team owns part of the fix or the response."),
        );
    }
    let channel = scenario
        .communication
        .channels
        .first()
        .map(String::as_str)
        .unwrap_or("status_page");
    let impact = scenario
        .communication
        .impact
        .first()
        .map_or("The service", String::as_str);
    let capitalised = format!(
        "{}{}",
        impact
            .chars()
            .next()
            .map(|c| c.to_uppercase().to_string())
            .unwrap_or_default(),
        impact.chars().skip(1).collect::<String>()
    );
    let message = if false_alarm {
        format!("{capitalised} is working normally: an alert fired, we checked and found no impact on users. We are monitoring; next update in 30 minutes.")
    } else {
        format!("{capitalised} is failing or slow for some of our users. We have identified the cause and applied a fix, and it is recovering. Next update in 30 minutes.")
    };
    path.push(
        Action::new("communicate", None)
            .with("channel", channel)
            .with("message", &message)
            .because("Tell users what is affected and what is being done."),
    );
    let summary: Vec<String> = faults
        .iter()
        .map(|f| {
            let fixed_by = fixes
                .iter()
                .find(|r| {
                    faults
                        .get(r.fault)
                        .is_some_and(|of| of.service == f.service)
                })
                .map_or_else(String::new, |r| {
                    format!(" {} {} removed it.", r.kind, r.service)
                });
            format!(
                "{} on {}.{fixed_by} {}",
                causes::cause(&f.cause).map_or(f.cause.as_str(), |c| c.name),
                f.service,
                f.description
            )
        })
        .collect();
    // Each message waiting for a reply is answered once every fix is on
    // (mitigating comes first), and before its deadline.
    let fixed = path
        .iter()
        .rposition(|a| a.action_type == "remediate")
        .map_or(0, |i| i + 1);
    let mut at = 0;
    for inject in &scenario.injects {
        let deadline = (inject.step + inject.respond_within) as usize - 1;
        at = (inject.step as usize)
            .max(fixed)
            .min(deadline)
            .max(at)
            .min(path.len());
        let reply = format!("{capitalised} is affected for some of our users. We are investigating and working on it. Next update in 30 minutes.");
        path.insert(
            at,
            Action::new("communicate", None)
                .with("channel", channel)
                .with("message", &reply)
                .because(&format!("Answer the {}'s message: say what users see, where we are and when the next update comes.", inject.from.name())),
        );
        at += 1;
    }
    path.push(
        Action::new("resolve", None)
            .with("summary", &summary.join(" "))
            .because(if false_alarm {
                "Nothing was broken: close the alert with what was checked and why no fix was needed."
            } else {
                "The cause is removed and the metrics recover: close the incident with what happened."
            }),
    );
    path
}

#[derive(Clone, Copy, Debug, Default)]
/// Plays [`ideal_path`] from the ground truth.
pub struct Oracle;

impl Agent for Oracle {
    fn act(&mut self, env: &Env, observation: &Observation) -> Action {
        let Some(scenario) = env.scenario() else {
            return Action::new("classify", None).with("severity", "P1");
        };
        let task = scenario.task;
        let path = ideal_path(scenario, task);
        path.get(observation.step as usize)
            .or(path.last())
            .cloned()
            .unwrap_or_default()
    }
}

/// Picks a uniformly random valid action.
#[derive(Clone, Debug)]
pub struct RandomAgent {
    rng: Rng,
}

impl RandomAgent {
    /// A random agent with its own seed.
    pub fn new(seed: u64) -> RandomAgent {
        RandomAgent {
            rng: Rng::derive(seed, "random-agent"),
        }
    }
}

impl Agent for RandomAgent {
    fn act(&mut self, _env: &Env, observation: &Observation) -> Action {
        let services: Vec<&str> = observation
            .services
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        let service = self.rng.choose(&services).copied().unwrap_or("");
        let action_type = self
            .rng
            .choose(&ActionType::RESPONSES)
            .copied()
            .unwrap_or(ActionType::Investigate);
        match action_type {
            ActionType::Investigate => Action::new("investigate", Some(service)),
            ActionType::Classify => {
                let severity = self
                    .rng
                    .choose(&Severity::ALL)
                    .copied()
                    .unwrap_or(Severity::P2);
                Action::new("classify", None).with("severity", severity.name())
            }
            ActionType::Diagnose => {
                let cause = self.rng.choose(CAUSES).map_or("other", |c| c.id);
                Action::new("diagnose", Some(service)).with("root_cause", cause)
            }
            ActionType::Remediate => {
                let kind = self
                    .rng
                    .choose(&REMEDIATION_KINDS)
                    .copied()
                    .unwrap_or("restart");
                Action::new("remediate", Some(service)).with("kind", kind)
            }
            ActionType::Escalate => {
                let team = self
                    .rng
                    .choose(&observation.teams)
                    .cloned()
                    .unwrap_or_default();
                Action::new("escalate", Some(&team))
            }
            ActionType::Communicate => {
                let channel = self.rng.choose(&CHANNELS).copied().unwrap_or("slack");
                Action::new("communicate", None)
                    .with("channel", channel)
                    .with("message", "We are looking into an issue.")
            }
            ActionType::Resolve => {
                Action::new("resolve", None).with("summary", "It seems to be fine now.")
            }
            ActionType::Hint => Action::new("hint", None),
        }
    }
}

/// Follows the alerts down the dependency graph to the deepest unhealthy
/// service, reads its logs, and tries the fix its worst signal suggests.
#[derive(Clone, Copy, Debug, Default)]
pub struct Heuristic;

impl Heuristic {
    /// The service the alerts and the dependency graph point at.
    pub fn suspect(observation: &Observation) -> Option<String> {
        let health = |name: &str| {
            observation
                .services
                .iter()
                .find(|s| s.name == name)
                .map(|s| s.health)
                .unwrap_or(Health::Healthy)
        };
        let start = observation
            .alerts
            .iter()
            .map(|a| a.service.clone())
            .next()
            .or_else(|| {
                observation
                    .services
                    .iter()
                    .filter(|s| s.health != Health::Healthy)
                    .max_by_key(|s| s.health)
                    .map(|s| s.name.clone())
            })?;
        // Walk down to an unhealthy dependency while there is one.
        let mut current = start;
        for _ in 0..observation.services.len() {
            let deps = observation
                .services
                .iter()
                .find(|s| s.name == current)
                .map(|s| s.depends_on.clone())
                .unwrap_or_default();
            let next = deps
                .iter()
                .filter(|d| health(d) != Health::Healthy)
                .max_by_key(|d| health(d));
            match next {
                Some(next) => current = next.clone(),
                None => break,
            }
        }
        Some(current)
    }

    fn severity(observation: &Observation) -> Severity {
        let critical = observation
            .services
            .iter()
            .filter(|s| s.health == Health::Critical)
            .count();
        let degraded = observation
            .services
            .iter()
            .filter(|s| s.health == Health::Degraded)
            .count();
        if critical >= 2 {
            Severity::P1
        } else if critical == 1 {
            Severity::P2
        } else if degraded > 0 {
            Severity::P3
        } else {
            Severity::P4
        }
    }

    /// The cause category the service's warn-and-worse log lines name
    /// (the most recent first), `other` when none does.
    fn cause_from_logs(observation: &Observation, service: &str) -> &'static str {
        observation
            .investigations
            .iter()
            .filter(|i| i.service == service)
            .flat_map(|i| i.logs.iter().rev())
            .filter(|l| l.level >= crate::scenario::LogLevel::Warn)
            .find_map(|l| cause_in_text(&l.message))
            .map_or(crate::scenario::causes::OTHER, |c| c.id)
    }

    /// The textbook fix for a cause category.
    fn fix_for_cause(cause: &str) -> Option<&'static str> {
        Some(match cause {
            "bad_deploy" | "bad_config_push" => "rollback",
            "memory_leak" | "stuck_queue_consumer" | "clock_skew" => "restart",
            "connection_pool_exhaustion" | "cpu_throttling" | "hot_partition" => "scale",
            "disk_full" => "free_disk",
            "expired_tls_certificate" => "renew_certificate",
            "retry_storm" => "rate_limit",
            "cache_stampede"
            | "dns_failure"
            | "load_balancer_misconfiguration"
            | "rate_limiter_misconfiguration" => "config_change",
            "replication_lag" | "network_partition" | "cdn_outage" => "failover",
            "bad_schema_migration" | "bad_upstream_data" => "rollback",
            "lock_contention"
            | "gc_pauses"
            | "fd_exhaustion"
            | "deadlock"
            | "circuit_breaker_stuck_open"
            | "monitoring_blind_spot" => "restart",
            "expired_credentials"
            | "probe_misconfiguration"
            | "consumer_rebalance_storm"
            | "integer_overflow"
            | "quota_exhaustion"
            | "burst_credit_exhaustion" => "config_change",
            "feature_flag_misconfiguration" => "disable_flag",
            "batch_job_storm" | "credential_stuffing" | "client_bug" => "rate_limit",
            "autoscaler_failure" | "capacity_regression" => "scale",
            "ca_rotation" => "renew_certificate",
            "zone_outage" => "drain_node",
            _ => return None,
        })
    }

    fn fix_for(observation: &Observation, service: &str) -> &'static str {
        let metrics = observation
            .investigations
            .iter()
            .find(|i| i.service == service)
            .map(|i| &i.metrics);
        let value = |name: &str| metrics.and_then(|m| m.get(name)).copied().unwrap_or(0.0);
        if metrics.is_none() {
            return "restart";
        }
        if value("up") < 0.5 || value("memory_ratio") > 0.85 {
            "restart"
        } else if value("saturation_ratio") > 0.85 || value("cpu_ratio") > 0.85 {
            "scale"
        } else if value("queue_depth") > 1000.0 {
            "restart"
        } else if value("error_ratio") > 0.05 {
            "rollback"
        } else {
            "restart"
        }
    }
}

impl Agent for Heuristic {
    fn act(&mut self, _env: &Env, observation: &Observation) -> Action {
        let task = observation.task;
        let suspect = Heuristic::suspect(observation)
            .or_else(|| observation.services.first().map(|s| s.name.clone()))
            .unwrap_or_default();
        let investigated =
            |name: &str| observation.investigations.iter().any(|i| i.service == name);
        if !investigated(&suspect) {
            return Action::new("investigate", Some(&suspect))
                .because("Deepest unhealthy service under the alerts.");
        }
        // On the hard task, also look at the first alerted service.
        if task == Task::FullIncidentManagement {
            if let Some(alerted) = observation.alerts.first().map(|a| a.service.clone()) {
                if !investigated(&alerted) && observation.step < 3 {
                    return Action::new("investigate", Some(&alerted)).because("Top alert.");
                }
            }
        }
        let history_has = |t: ActionType| observation.played.contains(&t);
        if !history_has(ActionType::Classify) {
            let severity = Heuristic::severity(observation);
            return Action::new("classify", None)
                .with("severity", severity.name())
                .because("From how many services are critical or degraded.");
        }
        if task == Task::SeverityClassification {
            return Action::new("classify", None)
                .with("severity", Heuristic::severity(observation).name());
        }
        if !history_has(ActionType::Diagnose) {
            let cause = Heuristic::cause_from_logs(observation, &suspect);
            return Action::new("diagnose", Some(&suspect))
                .with("root_cause", cause)
                .because("The category the suspect's own warning and error logs point to.");
        }
        if !history_has(ActionType::Remediate) {
            let cause = Heuristic::cause_from_logs(observation, &suspect);
            let kind = Heuristic::fix_for_cause(cause)
                .unwrap_or_else(|| Heuristic::fix_for(observation, &suspect));
            return Action::new("remediate", Some(&suspect))
                .with("kind", kind)
                .because("The usual fix for that cause, or for the suspect's worst signal.");
        }
        if !history_has(ActionType::Escalate) {
            let team = observation
                .services
                .iter()
                .find(|s| s.name == suspect)
                .map(|s| s.team.clone())
                .unwrap_or_default();
            return Action::new("escalate", Some(&team)).because("The suspect's owners.");
        }
        if history_has(ActionType::Communicate) {
            let cause = Heuristic::cause_from_logs(observation, &suspect);
            let summary = format!(
                "Closed: {} on {suspect}; the fix was applied and the services look healthy again.",
                crate::scenario::causes::cause(cause).map_or(cause, |c| c.name)
            );
            return Action::new("resolve", None)
                .with("summary", &summary)
                .because("Fix applied, teams paged, users told: close the incident.");
        }
        let unhealthy: Vec<&str> = observation
            .services
            .iter()
            .filter(|s| s.health != Health::Healthy)
            .map(|s| s.name.as_str())
            .collect();
        let message = format!(
            "We are investigating degraded service affecting {}. A fix is being applied.",
            if unhealthy.is_empty() {
                suspect.clone()
            } else {
                unhealthy.join(", ")
            }
        );
        Action::new("communicate", None)
            .with("channel", "status_page")
            .with("message", &message)
            .because("Keep users informed.")
    }
}
