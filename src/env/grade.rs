//! The grader: named dimensions in [0, 1] with weights from the task, each
//! with an explanation of what was right, what was missed and what the
//! ideal was. The score is their weighted sum.

use super::{Episode, GradeDimension, Task};
use crate::scenario::{Fault, Scenario};
use serde::Serialize;

/// One graded dimension.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dimension {
    /// Which dimension (serialized as its name, e.g. `severity_accuracy`).
    pub name: GradeDimension,
    /// Its weight in the score.
    pub weight: f64,
    /// 0..=1.
    pub score: f64,
    /// What was right, what was missed, what the ideal was.
    pub explanation: String,
}

/// The grade of an episode.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Grade {
    /// Weighted sum of the dimensions, 0..=1.
    pub score: f64,
    /// Scenario id.
    pub scenario: String,
    /// The task (serialized as its id).
    pub task: Task,
    /// Whether the episode is over (the grade is final).
    pub final_grade: bool,
    /// The dimensions, in the task's order.
    pub dimensions: Vec<Dimension>,
}

fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = if c.is_alphanumeric() { c } else { ' ' };
        if c == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    out.trim_end().to_string()
}

/// Whether a diagnosis text names the fault: its cause id, or any of its keywords.
///
/// ```
/// use firedrill::env::cause_matches;
/// let catalog = firedrill::scenario::Catalog::builtin();
/// let fault = &catalog.get("connection-pool-exhaustion-v1").unwrap().fault;
/// assert!(cause_matches("connection_pool_exhaustion", fault));
/// assert!(cause_matches("The Connection Pool is exhausted", fault));
/// assert!(!cause_matches("disk full", fault));
/// ```
pub fn cause_matches(text: &str, fault: &Fault) -> bool {
    let text = format!(" {} ", normalize(text));
    let cause = normalize(&fault.cause);
    if text.contains(&format!(" {cause} ")) {
        return true;
    }
    fault
        .keywords
        .iter()
        .map(|k| normalize(k))
        .any(|k| !k.is_empty() && text.contains(&format!(" {k} ")))
}

/// How good a status update is, 0..=1: 0.3 for a fitting channel, 0.7 shared by the words it should mention.
pub fn communication_quality(scenario: &Scenario, channel: &str, message: &str) -> f64 {
    let channel_score = if scenario.communication.channels.iter().any(|c| c == channel) {
        0.3
    } else {
        0.0
    };
    let text = format!(" {} ", normalize(message));
    let words = &scenario.communication.must_mention;
    let mentioned = words
        .iter()
        .filter(|w| text.contains(&format!(" {} ", normalize(w))))
        .count();
    channel_score + 0.7 * mentioned as f64 / words.len().max(1) as f64
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// Steps an ideal response takes.
pub(crate) fn ideal_steps(task: Task, scenario: &Scenario) -> u32 {
    match task {
        Task::SeverityClassification => 2,
        Task::RootCauseAnalysis => 4,
        Task::FullIncidentManagement => {
            scenario.affected_services().len() as u32 + 4 + scenario.escalate_to.len() as u32
        }
    }
}

pub(crate) fn grade(episode: &Episode) -> Grade {
    let scenario = &episode.scenario;
    let task = episode.task;
    let affected = episode.affected();
    let root = scenario.service_index(&scenario.fault.service).unwrap_or(0);
    let name = |i: usize| scenario.services[i].name.clone();
    let affected_names: Vec<String> = affected.iter().map(|&i| name(i)).collect();
    let relevant: Vec<usize> = episode
        .investigated
        .iter()
        .copied()
        .filter(|i| affected.contains(i))
        .collect();
    let noise: Vec<String> = episode
        .investigated
        .iter()
        .copied()
        .filter(|i| !affected.contains(i))
        .map(name)
        .collect();

    let severity = {
        let truth = scenario.severity;
        match episode.severity {
            None => (0.0, format!("No severity was recorded. Ideal: {truth}.")),
            Some(s) if s == truth => (1.0, format!("Classified {s}, which is right.")),
            Some(s) => {
                let distance = (s.rank() - truth.rank()).abs();
                let score = if distance == 1 { 0.25 } else { 0.0 };
                (
                    score,
                    format!(
                        "Classified {s}; the impact called for {truth} ({distance} level{} off).",
                        if distance == 1 { "" } else { "s" }
                    ),
                )
            }
        }
    };

    let investigation_quality = {
        // Only what was looked at before the first classification counts.
        let classified_at = episode
            .history
            .iter()
            .position(|h| h.action.action_type == "classify")
            .unwrap_or(episode.history.len());
        let mut before: Vec<usize> = Vec::new();
        for h in &episode.history[..classified_at] {
            if h.action.action_type == "investigate" {
                if let Some(i) = h
                    .action
                    .target
                    .as_deref()
                    .and_then(|t| scenario.service_index(t))
                {
                    if !before.contains(&i) {
                        before.push(i);
                    }
                }
            }
        }
        let noise_before = before.iter().filter(|i| !affected.contains(i)).count();
        let root_seen = before.contains(&root);
        let relevant_before = before.iter().filter(|i| affected.contains(i)).count();
        let penalty = 0.25 * noise_before as f64;
        let root_name = &scenario.fault.service;
        if before.is_empty() {
            (0.0, format!("Nothing was investigated before classifying. Ideal: look at the root-cause service {root_name} first."))
        } else if root_seen {
            (
                (1.0 - penalty).max(0.25),
                format!(
                    "Investigated the root-cause service {root_name} before classifying.{}",
                    if noise_before > 0 {
                        format!(" {noise_before} unrelated service(s) cost points.")
                    } else {
                        String::new()
                    }
                ),
            )
        } else if relevant_before > 0 {
            ((0.5 - penalty).max(0.0), format!("Investigated affected services before classifying, but not the root cause {root_name}."))
        } else {
            (
                0.0,
                format!(
                    "Investigated only unrelated services before classifying. Affected: {}.",
                    list(&affected_names)
                ),
            )
        }
    };

    let investigated_root = {
        let position = episode.investigated.iter().position(|&i| i == root);
        let diagnosed_at = episode
            .history
            .iter()
            .position(|h| h.action.action_type == "diagnose");
        let investigated_at = episode.history.iter().position(|h| {
            h.action.action_type == "investigate"
                && h.action.target.as_deref() == Some(scenario.fault.service.as_str())
        });
        match (position, investigated_at, diagnosed_at) {
            (None, _, _) => (0.0, format!("The root-cause service {} was never investigated.", scenario.fault.service)),
            (Some(_), Some(i), Some(d)) if i > d => (0.5, format!("{} was investigated, but only after the diagnosis. Ideal: look before you diagnose.", scenario.fault.service)),
            _ => (1.0, format!("Investigated the root-cause service {}.", scenario.fault.service)),
        }
    };

    let diagnosis = match &episode.diagnosis {
        None => (
            0.0,
            format!(
                "No diagnosis was recorded. Ideal: {} on {}.",
                scenario.fault.cause, scenario.fault.service
            ),
        ),
        Some((service, cause)) => {
            let right_service = *service == root;
            let right_cause = cause_matches(cause, &scenario.fault);
            let said = format!(
                "Diagnosed \"{}\" on {}",
                super::action::clip(cause),
                name(*service)
            );
            match (right_service, right_cause) {
                (true, true) => (1.0, format!("{said}: right service and cause.")),
                (true, false) => (
                    0.4,
                    format!(
                        "{said}: right service, but the cause was {} ({}).",
                        scenario.fault.cause, scenario.fault.description
                    ),
                ),
                (false, true) => (
                    0.2,
                    format!(
                        "{said}: right kind of cause, but the root cause was on {}.",
                        scenario.fault.service
                    ),
                ),
                (false, false) => (
                    0.0,
                    format!(
                        "{said}; the root cause was {} on {}.",
                        scenario.fault.cause, scenario.fault.service
                    ),
                ),
            }
        }
    };

    let correct_fixes: Vec<String> = scenario
        .correct_remediations()
        .map(|r| format!("{} {}", r.kind, r.service))
        .collect();
    let remediation = {
        let applied: Vec<String> = episode
            .remediations
            .iter()
            .map(|r| format!("{} {}", r.kind, r.service))
            .collect();
        if episode.fixed_at.is_some() {
            let score = (1.0 - 0.25 * episode.wrong_fixes as f64).max(0.25);
            let fixes = |correct: bool| -> Vec<String> {
                episode
                    .remediations
                    .iter()
                    .filter(|r| r.correct == correct)
                    .map(|r| format!("{} {}", r.kind, r.service))
                    .collect()
            };
            let wrong = if episode.wrong_fixes > 0 {
                format!(
                    " {} wrong fix(es) ({}) cost points.",
                    episode.wrong_fixes,
                    list(&fixes(false))
                )
            } else {
                String::new()
            };
            (
                score,
                format!("Applied a right fix ({}).{wrong}", list(&fixes(true))),
            )
        } else if applied.is_empty() {
            (
                0.0,
                format!(
                    "No remediation was applied. Ideal: {}.",
                    list(&correct_fixes)
                ),
            )
        } else {
            (
                0.0,
                format!(
                    "Applied {}, none of which fixes the incident. Ideal: {}.",
                    list(&applied),
                    list(&correct_fixes)
                ),
            )
        }
    };
    // What each wrong fix the scenario foresaw did (its `effect`), once each.
    let remediation = {
        let (score, mut explanation) = remediation;
        let mut explained: Vec<&str> = Vec::new();
        for record in episode.remediations.iter().filter(|r| !r.correct) {
            let known = scenario.remediations.iter().find(|known| {
                !known.correct && known.service == record.service && known.kind == record.kind
            });
            if let Some(known) = known.filter(|k| !explained.contains(&k.effect.as_str())) {
                explained.push(&known.effect);
                explanation.push_str(&format!(
                    " {} {}: {}",
                    known.kind, known.service, known.effect
                ));
            }
        }
        (score, explanation)
    };

    let escalation = {
        let expected = &scenario.escalate_to;
        let mut unique: Vec<String> = Vec::new();
        for team in &episode.escalations {
            if !unique.contains(team) {
                unique.push(team.clone());
            }
        }
        let hits = unique.iter().filter(|t| expected.contains(t)).count();
        let wrong: Vec<String> = unique
            .iter()
            .filter(|t| !expected.contains(t))
            .cloned()
            .collect();
        if unique.is_empty() {
            (
                0.0,
                format!("Nobody was escalated to. Ideal: {}.", list(expected)),
            )
        } else {
            let score = (hits as f64 / expected.len().max(1) as f64 - 0.25 * wrong.len() as f64)
                .clamp(0.0, 1.0);
            let extra = if wrong.is_empty() {
                String::new()
            } else {
                format!(" Paged without need: {}.", list(&wrong))
            };
            (
                score,
                format!(
                    "Escalated to {} of {} expected teams ({}).{extra}",
                    hits,
                    expected.len(),
                    list(expected)
                ),
            )
        }
    };

    let communication = {
        let best = episode
            .communications
            .iter()
            .map(|c| c.quality)
            .fold(None, |acc: Option<f64>, q| {
                Some(acc.map_or(q, |a| a.max(q)))
            });
        let words = list(&scenario.communication.must_mention);
        let channels = list(&scenario.communication.channels);
        match best {
            None => (0.0, format!("No status update was posted. Ideal: an update on {channels} mentioning {words}.")),
            Some(q) => (q, format!("Best update scored {:.2}. A good one goes to {channels} and mentions {words}.", q)),
        }
    };

    let thoroughness = {
        let score = relevant.len() as f64 / affected.len().max(1) as f64;
        let missed: Vec<String> = affected
            .iter()
            .filter(|i| !relevant.contains(i))
            .map(|&i| name(i))
            .collect();
        (
            score,
            format!(
                "Investigated {} of {} affected services. Missed: {}.",
                relevant.len(),
                affected.len(),
                list(&missed)
            ),
        )
    };

    let precision = if episode.investigated.is_empty() {
        (0.0, "Nothing was investigated.".to_string())
    } else {
        let score = relevant.len() as f64 / episode.investigated.len() as f64;
        (score, format!("{} of {} investigations were of affected services. Red herrings and bystanders: {}.", relevant.len(), episode.investigated.len(), list(&noise)))
    };

    let outcome = match task {
        Task::SeverityClassification => severity.0,
        Task::RootCauseAnalysis => (diagnosis.0 + remediation.0) / 2.0,
        Task::FullIncidentManagement => {
            (severity.0 + diagnosis.0 + remediation.0 + escalation.0 + communication.0) / 5.0
        }
    };
    let efficiency = {
        let ideal = ideal_steps(task, scenario);
        let budget = task.step_budget();
        let steps = episode.history.len() as u32;
        if !episode.terminated {
            let why = if episode.truncated {
                "the step budget ran out first"
            } else {
                "the episode is not over yet"
            };
            (
                0.0,
                format!("The objective was not met: {why}. Ideal: about {ideal} steps."),
            )
        } else {
            let speed = if steps <= ideal {
                1.0
            } else {
                (1.0 - (steps - ideal) as f64 / (budget.saturating_sub(ideal).max(1)) as f64)
                    .max(0.0)
            };
            (speed * outcome, format!("Finished in {steps} steps (ideal about {ideal}, budget {budget}); speed counts as much as the outcome was right ({:.2}).", outcome))
        }
    };

    let mut dimensions = Vec::new();
    for (name, weight) in task.dimensions() {
        let (score, explanation) = match name {
            GradeDimension::SeverityAccuracy => severity.clone(),
            GradeDimension::InvestigationQuality => investigation_quality.clone(),
            GradeDimension::InvestigatedRootCause => investigated_root.clone(),
            GradeDimension::DiagnosisAccuracy => diagnosis.clone(),
            GradeDimension::RemediationQuality => remediation.clone(),
            GradeDimension::EscalationQuality => escalation.clone(),
            GradeDimension::Communication => communication.clone(),
            GradeDimension::InvestigationThoroughness => thoroughness.clone(),
            GradeDimension::InvestigationPrecision => precision.clone(),
            GradeDimension::Efficiency => efficiency.clone(),
        };
        dimensions.push(Dimension {
            name: *name,
            weight: *weight,
            score: score.clamp(0.0, 1.0),
            explanation,
        });
    }
    let score = dimensions
        .iter()
        .map(|d| d.weight * d.score)
        .sum::<f64>()
        .clamp(0.0, 1.0);
    Grade {
        score,
        scenario: scenario.id.clone(),
        task,
        final_grade: episode.is_over(),
        dimensions,
    }
}
