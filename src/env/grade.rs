//! The grader: named dimensions in [0, 1] with weights from the task, each
//! with an explanation of what was right, what was missed and what the
//! ideal was. The score is their weighted sum.

use super::{CommunicationRecord, DiagnosisAnswer, Episode, GradeDimension, Task};
use crate::scenario::{
    causes, status_update, Fault, FixOutcome, Inject, ReplyPart, Scenario, Severity,
};
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
    /// The score the task needs to pass ([`Task::pass_mark`]).
    pub pass_mark: f64,
    /// Whether the grade is final and reaches the pass mark.
    pub passed: bool,
    /// The dimensions, in the task's order.
    pub dimensions: Vec<Dimension>,
    /// Hints revealed (absent when none was).
    #[serde(skip_serializing_if = "is_zero")]
    pub hints_used: u32,
    /// What the hints took off the weighted sum of the dimensions (absent
    /// when no hint was revealed).
    #[serde(skip_serializing_if = "is_zero_f64")]
    pub hint_penalty: f64,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn is_zero_f64(n: &f64) -> bool {
    *n == 0.0
}

/// Per inject of the scenario, the step of the status update that answered
/// it: the first posted after it arrived and by its `respond_within`
/// deadline that says what it expects.
pub fn inject_replies(scenario: &Scenario, updates: &[CommunicationRecord]) -> Vec<Option<u32>> {
    scenario
        .injects
        .iter()
        .map(|inject| {
            updates
                .iter()
                .find(|u| {
                    u.step > inject.step
                        && u.step <= inject.step + inject.respond_within
                        && answers(scenario, inject, &u.channel, &u.message)
                })
                .map(|u| u.step)
        })
        .collect()
}

/// Whether a status update says what an inject expects.
fn answers(scenario: &Scenario, inject: &Inject, channel: &str, message: &str) -> bool {
    let parts = update_parts(scenario, channel, message);
    inject.expects.iter().all(|part| match part {
        ReplyPart::Impact => parts.impact,
        ReplyPart::State => parts.state,
        ReplyPart::NextUpdate => parts.next_update,
    })
}

/// Whether a diagnosis names the fault's cause: a cause id of the
/// taxonomy ([`crate::scenario::causes`]), or free text that mentions the
/// fault's keywords or its category's (not negated), and no other
/// category's (naming several causes at once is a guess, not a diagnosis).
/// `other` is right only for a cause outside the taxonomy, with `notes`
/// that mention its keywords.
///
/// ```
/// use firedrill::env::cause_matches;
/// let catalog = firedrill::scenario::Catalog::builtin();
/// let fault = &catalog.get("connection-pool-exhaustion-v1").unwrap().fault;
/// assert!(cause_matches("connection_pool_exhaustion", "", fault));
/// assert!(cause_matches("The Connection Pool is exhausted", "", fault));
/// assert!(!cause_matches("disk full", "", fault));
/// assert!(!cause_matches("CPU saturated, not the connection pool", "", fault));
/// assert!(!cause_matches("connection pool exhausted or disk full", "", fault));
/// ```
pub fn cause_matches(root_cause: &str, notes: &str, fault: &Fault) -> bool {
    let id = root_cause.trim().to_ascii_lowercase();
    let own = causes::cause(&fault.cause);
    if let Some(named) = causes::cause(&id) {
        if named.id != causes::OTHER {
            return named.id == fault.cause;
        }
        return own.is_none() && mentions_only(notes, fault);
    }
    if causes::normalize(root_cause) == causes::normalize(&fault.cause) {
        return true;
    }
    let text = if notes.trim().is_empty() {
        root_cause.to_string()
    } else {
        format!("{root_cause}. {notes}")
    };
    mentions_only(&text, fault)
}

/// Whether `text` mentions the fault: its keywords or its category's, not
/// negated (a closing summary may tell more of the story than the cause).
fn mentions_fault(text: &str, fault: &Fault) -> bool {
    let own_keywords = causes::cause(&fault.cause).map_or(&[][..], |c| c.keywords);
    causes::mentions(text, &fault.keywords) || causes::mentions(text, own_keywords)
}

/// Whether `text` mentions the fault and no other category of the taxonomy.
fn mentions_only(text: &str, fault: &Fault) -> bool {
    mentions_fault(text, fault)
        && !causes::CAUSES
            .iter()
            .filter(|c| c.id != fault.cause && !c.keywords.is_empty())
            .any(|c| {
                // A phrase the scenario itself accepts is not another cause.
                let foreign: Vec<&str> = c
                    .keywords
                    .iter()
                    .copied()
                    .filter(|k| {
                        !fault
                            .keywords
                            .iter()
                            .any(|f| causes::normalize(f) == causes::normalize(k))
                    })
                    .collect();
                causes::mentions(text, &foreign)
            })
}

/// The score of an answer given several times: the first answer counts.
/// `scores` are the scores of the successive distinct answers. One answer
/// scores what it scores; after revisions, the worst answer given, or half
/// of the last one less a quarter for each revision after the first,
/// whichever is more. So a wrong answer revised to the right one earns at
/// most half, and trying every option earns no more than a single wrong
/// answer.
pub(crate) fn first_answer_score(scores: &[f64]) -> f64 {
    match scores {
        [] => 0.0,
        [only] => *only,
        [.., last] => {
            let revisions = (scores.len() - 1) as f64;
            let worst = scores.iter().copied().fold(1.0, f64::min);
            worst.max(0.5 * last - 0.25 * (revisions - 1.0)).max(0.0)
        }
    }
}

/// The score of one severity answer.
pub(crate) fn severity_score(given: Severity, truth: Severity) -> f64 {
    match (given.rank() - truth.rank()).abs() {
        0 => 1.0,
        1 => 0.25,
        _ => 0.0,
    }
}

/// The score of one diagnosis: service and cause, against the fault it
/// comes closest to (of a scenario with several, any one).
pub(crate) fn diagnosis_score(scenario: &Scenario, answer: &DiagnosisAnswer) -> f64 {
    scenario
        .faults()
        .map(|fault| diagnosis_score_for(scenario, fault, answer))
        .fold(0.0, f64::max)
}

/// The score of one diagnosis against one fault.
fn diagnosis_score_for(scenario: &Scenario, fault: &Fault, answer: &DiagnosisAnswer) -> f64 {
    let right_service = fault.accepts_service(&scenario.services[answer.service].name);
    let right_cause = cause_matches(&answer.root_cause, &answer.notes, fault);
    match (right_service, right_cause) {
        (true, true) => 1.0,
        (true, false) => 0.4,
        (false, true) => 0.2,
        (false, false) => 0.0,
    }
}

/// What a status update conveys, as its readers would judge it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UpdateParts {
    /// It went to a channel the scenario's audience reads.
    pub channel: bool,
    /// It names what users experience (one of the scenario's `impact` phrases).
    pub impact: bool,
    /// It says where the response stands (investigating, identified,
    /// mitigated, resolved, monitoring: any wording).
    pub state: bool,
    /// It says when the next update comes (or closes the incident).
    pub next_update: bool,
}

impl UpdateParts {
    /// 0..=1: channel 0.2, impact 0.3, state 0.3, next update 0.2.
    pub fn quality(self) -> f64 {
        let part = |present: bool, weight: f64| if present { weight } else { 0.0 };
        part(self.channel, 0.2)
            + part(self.impact, 0.3)
            + part(self.state, 0.3)
            + part(self.next_update, 0.2)
    }

    /// What it lacks, in words, e.g. "when the next update comes".
    pub fn missing(self) -> Vec<&'static str> {
        [
            (self.channel, "a fitting channel"),
            (self.impact, "what users experience"),
            (self.state, "where the response stands"),
            (self.next_update, "when the next update comes"),
        ]
        .into_iter()
        .filter(|(present, _)| !present)
        .map(|(_, what)| what)
        .collect()
    }
}

/// What a status update conveys ([`UpdateParts`]).
pub fn update_parts(scenario: &Scenario, channel: &str, message: &str) -> UpdateParts {
    UpdateParts {
        channel: scenario.communication.channels.iter().any(|c| c == channel),
        impact: names_impact(scenario, message),
        state: status_update::names_state(message),
        next_update: status_update::promises_next_update(message)
            || status_update::is_final(message),
    }
}

/// Whether an update names what users experience: one of the scenario's
/// impact phrases, "not working" or not, and not as part of a service's
/// name (users do not know "tracking-ws").
fn names_impact(scenario: &Scenario, message: &str) -> bool {
    let mut text = format!(" {} ", causes::normalize(message));
    for service in &scenario.services {
        let name = format!(" {} ", causes::normalize(&service.name));
        if name.trim().contains(' ') {
            text = text.replace(&name, " ");
        }
    }
    causes::contains_any(&text, &scenario.communication.impact)
}

/// How good a status update is, 0..=1 ([`UpdateParts::quality`]).
pub fn communication_quality(scenario: &Scenario, channel: &str, message: &str) -> f64 {
    update_parts(scenario, channel, message).quality()
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// Steps an ideal response takes: the ideal path of
/// [`crate::agents::ideal_path`] (investigate the root, classify, fix,
/// then the rest).
pub(crate) fn ideal_steps(task: Task, scenario: &Scenario) -> u32 {
    // Each further fault: investigate its root, fix it, diagnose it; a
    // false alarm needs no fix.
    let extra = 3 * (scenario.faults().count() as u32 - 1);
    let fix = u32::from(!scenario.fault.is_false_alarm());
    match task {
        Task::SeverityClassification => 2,
        Task::RootCauseAnalysis => 3 + fix + extra,
        Task::FullIncidentManagement => {
            scenario.path_to_users().len() as u32
                + scenario.injects.len() as u32
                + 4
                + fix
                + extra
                + scenario.escalate_to.len() as u32
        }
    }
}

/// The step at which the ideal path applies its fix: investigate the
/// root, classify, fix.
pub const IDEAL_MITIGATION_STEP: u32 = 3;

/// The step by which the ideal path has a fix on every fault: step
/// [`IDEAL_MITIGATION_STEP`], two more for each further fault (investigate
/// its root, fix it).
pub fn ideal_mitigation_step(scenario: &Scenario) -> u32 {
    IDEAL_MITIGATION_STEP + 2 * (scenario.faults().count() as u32 - 1)
}

pub(crate) fn grade(episode: &Episode) -> Grade {
    let scenario = &episode.scenario;
    // A false alarm is held still well only after looking at what alerted.
    let checked_alarm = episode.investigated.iter().any(|&i| {
        scenario
            .fault
            .worth_investigating(&scenario.services[i].name)
    });
    let task = episode.task;
    let affected = episode.affected();
    let root = scenario.service_index(&scenario.fault.service).unwrap_or(0);
    let name = |i: usize| scenario.services[i].name.clone();
    let affected_names: Vec<String> = affected.iter().map(|&i| name(i)).collect();
    let relevant: Vec<usize> = episode
        .investigated
        .iter()
        .copied()
        .filter(|i| affected.contains(i) || scenario.fault.worth_investigating(&name(*i)))
        .collect();
    let noise: Vec<String> = episode
        .investigated
        .iter()
        .copied()
        .filter(|i| !relevant.contains(i))
        .map(name)
        .collect();

    let severity = {
        let truth = scenario.severity;
        let scores: Vec<f64> = episode
            .severity_answers
            .iter()
            .map(|s| severity_score(*s, truth))
            .collect();
        let score = first_answer_score(&scores);
        match episode.severity_answers.as_slice() {
            [] => (0.0, format!("No severity was recorded. Ideal: {truth}.")),
            [s] if *s == truth => (1.0, format!("Classified {s}, which is right.")),
            [s] => {
                let distance = (s.rank() - truth.rank()).abs();
                (
                    score,
                    format!(
                        "Classified {s}; the impact called for {truth} ({distance} level{} off).",
                        if distance == 1 { "" } else { "s" }
                    ),
                )
            }
            answers => {
                let given: Vec<String> = answers.iter().map(|s| s.to_string()).collect();
                (
                    score,
                    format!(
                        "Classified {} in turn; the impact called for {truth}. The first answer counts: a revision earns at most half, less for each further one.",
                        given.join(", then ")
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
        let noise_before = before.iter().filter(|i| !relevant.contains(i)).count();
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
                        format!(
                            " {noise_before} unrelated service{} cost points.",
                            if noise_before == 1 { "" } else { "s" }
                        )
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
        let position = episode
            .investigated
            .iter()
            .position(|&i| i == root || scenario.fault.accepts_service(&name(i)));
        let diagnosed_at = episode
            .history
            .iter()
            .position(|h| h.action.action_type == "diagnose");
        let investigated_at = episode.history.iter().position(|h| {
            h.action.action_type == "investigate"
                && h.action
                    .target
                    .as_deref()
                    .is_some_and(|t| scenario.fault.accepts_service(t))
        });
        let first = match (position, investigated_at, diagnosed_at) {
            (None, _, _) => (0.0, format!("The root-cause service {} was never investigated.", scenario.fault.service)),
            (Some(_), Some(i), Some(d)) if i > d => (0.5, format!("{} was investigated, but only after the diagnosis. Ideal: look before you diagnose.", scenario.fault.service)),
            _ => (1.0, format!("Investigated the root-cause service {}.", scenario.fault.service)),
        };
        // Each further fault's root counts as much.
        let others: Vec<&Fault> = scenario.other_faults.iter().collect();
        if others.is_empty() {
            first
        } else {
            let seen = |f: &Fault| {
                episode
                    .investigated
                    .iter()
                    .any(|&i| f.accepts_service(&name(i)))
            };
            let missed: Vec<String> = others
                .iter()
                .filter(|f| !seen(f))
                .map(|f| f.service.clone())
                .collect();
            let score =
                (first.0 + (others.len() - missed.len()) as f64) / (others.len() + 1) as f64;
            let also = if missed.is_empty() {
                " Every other fault's root was investigated too.".to_string()
            } else {
                format!(
                    " Another fault's root was never investigated: {}.",
                    list(&missed)
                )
            };
            (score, format!("{}{also}", first.1))
        }
    };

    let diagnosis = {
        let fault = &scenario.fault;
        let ideal = format!(
            "{} on {}",
            causes::cause(&fault.cause).map_or(fault.cause.as_str(), |c| c.name),
            fault.service
        );
        let scores: Vec<f64> = episode
            .diagnosis_answers
            .iter()
            .map(|a| diagnosis_score(scenario, a))
            .collect();
        let said = |a: &DiagnosisAnswer| {
            format!(
                "\"{}\" on {}",
                super::action::clip(&a.root_cause),
                name(a.service)
            )
        };
        let faults: Vec<&Fault> = scenario.faults().collect();
        match (episode.diagnosis_answers.as_slice(), scores.as_slice()) {
            (answers, _) if faults.len() > 1 => {
                // Each fault is judged on the answers naming its service
                // (first answer counts); an answer naming none of them
                // counts against every fault.
                let names_one = |a: &DiagnosisAnswer| {
                    faults.iter().any(|f| f.accepts_service(&name(a.service)))
                };
                let mut total = 0.0;
                let mut parts = Vec::new();
                for f in &faults {
                    let scores: Vec<f64> = answers
                        .iter()
                        .filter(|a| f.accepts_service(&name(a.service)) || !names_one(a))
                        .map(|a| diagnosis_score_for(scenario, f, a))
                        .collect();
                    let score = if scores.is_empty() {
                        0.0
                    } else {
                        first_answer_score(&scores)
                    };
                    total += score;
                    parts.push(format!(
                        "{} on {}: {:.2}",
                        causes::cause(&f.cause).map_or(f.cause.as_str(), |c| c.name),
                        f.service,
                        score
                    ));
                }
                let given: Vec<String> = answers.iter().map(said).collect();
                (
                    total / faults.len() as f64,
                    format!(
                        "Two things were broken at once, and each diagnosis is judged against its own: {}. Diagnosed: {}.",
                        parts.join("; "),
                        if given.is_empty() { "nothing".to_string() } else { given.join(", then ") }
                    ),
                )
            }
            ([], _) => (0.0, format!("No diagnosis was recorded. Ideal: {ideal}.")),
            ([answer], [score]) => {
                let verdict = match *score {
                    s if s >= 1.0 => "right service and cause".to_string(),
                    s if s >= 0.4 => format!(
                        "right service, but the cause was {ideal} ({})",
                        fault.description
                    ),
                    s if s > 0.0 => format!(
                        "right kind of cause, but the root cause was on {}",
                        fault.service
                    ),
                    _ => format!("the root cause was {ideal}"),
                };
                (*score, format!("Diagnosed {}: {verdict}.", said(answer)))
            }
            (answers, _) => {
                let given: Vec<String> = answers.iter().map(said).collect();
                (
                    first_answer_score(&scores),
                    format!(
                        "Diagnosed {} in turn; the root cause was {ideal}. The first answer counts: a revision earns at most half, less for each further one.",
                        given.join(", then ")
                    ),
                )
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
        let penalty: f64 = episode
            .remediations
            .iter()
            .filter_map(|r| r.harm)
            .map(|h| h.penalty())
            .sum();
        let fixes = |correct: bool| -> Vec<String> {
            episode
                .remediations
                .iter()
                .filter(|r| r.correct == correct)
                .map(|r| format!("{} {}", r.kind, r.service))
                .collect()
        };
        let wrong = if episode.wrong_fixes > 0 {
            let harms: Vec<String> = episode
                .remediations
                .iter()
                .filter_map(|r| {
                    r.harm
                        .map(|h| format!("{} {} ({} harm)", r.kind, r.service, h.name()))
                })
                .collect();
            format!(
                " {} wrong fix(es) cost {:.2}: {}.",
                episode.wrong_fixes,
                penalty,
                harms.join(", ")
            )
        } else {
            String::new()
        };
        // Per fault: resolved (1), mitigated only (0.5) or untouched (0).
        let fault_of = |r: &super::RemediationRecord| {
            scenario
                .remediations
                .iter()
                .find(|k| k.correct && k.service == r.service && k.kind == r.kind)
                .map(|k| k.fault)
        };
        let fault_count = scenario.faults().count();
        let reach: Vec<f64> = (0..fault_count)
            .map(|f| {
                let fixes = episode
                    .remediations
                    .iter()
                    .filter(|r| fault_of(r) == Some(f));
                let mut best: f64 = 0.0;
                for r in fixes {
                    best = best.max(match r.outcome {
                        Some(FixOutcome::Resolve) => 1.0,
                        Some(FixOutcome::Mitigate) => 0.5,
                        None => 0.0,
                    });
                }
                best
            })
            .collect();
        let resolved = reach.iter().all(|r| *r >= 1.0);
        let mitigated = reach.iter().all(|r| *r >= 0.5);
        let partly = reach.iter().any(|r| *r > 0.0);
        if scenario.fault.is_false_alarm() {
            if applied.is_empty() && checked_alarm {
                (
                    1.0,
                    String::from("Held still: nothing was broken, so nothing needed fixing, and nothing was changed."),
                )
            } else if applied.is_empty() {
                (
                    0.25,
                    format!(
                        "Nothing was changed, but {} (what alerted) was never looked at: holding still is right only once you have checked.",
                        scenario.fault.service
                    ),
                )
            } else {
                (
                    (1.0 - penalty).max(0.0),
                    format!(
                        "Applied {} to a false alarm: nothing was broken, so every change was a risk with no gain.{wrong}",
                        list(&applied)
                    ),
                )
            }
        } else if resolved {
            (
                (1.0 - penalty).max(0.2),
                format!(
                    "Applied a fix that removes the cause ({}).{wrong}",
                    list(&fixes(true))
                ),
            )
        } else if mitigated {
            let resolving: Vec<String> = scenario
                .correct_remediations()
                .filter(|r| r.outcome == FixOutcome::Resolve)
                .map(|r| format!("{} {}", r.kind, r.service))
                .collect();
            (
                (0.5 - penalty).max(0.1),
                format!(
                    "Mitigated ({}), but nothing removed the cause, so the symptoms come back. Ideal: also {}.{wrong}",
                    list(&fixes(true)),
                    list(&resolving)
                ),
            )
        } else if partly {
            let left: Vec<String> = scenario
                .faults()
                .zip(&reach)
                .filter(|(_, r)| **r < 0.5)
                .map(|(f, _)| f.service.clone())
                .collect();
            let mean = reach.iter().sum::<f64>() / reach.len() as f64;
            (
                (mean - penalty).max(0.1),
                format!(
                    "Fixed part of it ({}), but the fault on {} was left untouched. Ideal: {}.{wrong}",
                    list(&fixes(true)),
                    list(&left),
                    list(&correct_fixes)
                ),
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
                    "Applied {}, none of which fixes the incident. Ideal: {}.{wrong}",
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
            .max_by(|a, b| a.quality.total_cmp(&b.quality));
        let impact = list(&scenario.communication.impact);
        let channels = scenario.communication.channels.join(" or ");
        let ideal = format!("an update on {channels} that says what users experience (e.g. {impact}), where the response stands, and when the next update comes");
        let (quality, said) = match best {
            None => (0.0, format!("No status update was posted. Ideal: {ideal}.")),
            Some(update) => {
                let missing = update_parts(scenario, &update.channel, &update.message).missing();
                let verdict = if missing.is_empty() {
                    String::from("it says all a reader needs")
                } else {
                    format!("it does not say {}", missing.join(", nor "))
                };
                (
                    update.quality,
                    format!(
                        "Best update scored {:.2}: {verdict}. A good one is {ideal}.",
                        update.quality
                    ),
                )
            }
        };
        if scenario.injects.is_empty() {
            (quality, said)
        } else {
            // Messages waiting for a reply weigh 40%: answering the
            // people who ask is half of communicating.
            let replies = inject_replies(scenario, &episode.communications);
            let answered = replies.iter().filter(|r| r.is_some()).count();
            let unanswered: Vec<String> = scenario
                .injects
                .iter()
                .zip(&replies)
                .filter(|(_, r)| r.is_none())
                .map(|(inject, _)| {
                    let expects: Vec<&str> = inject.expects.iter().map(|p| p.describe()).collect();
                    format!(
                        "the {}'s message after step {} (a reply by step {} saying {})",
                        inject.from.name(),
                        inject.step,
                        inject.step + inject.respond_within,
                        expects.join(" and ")
                    )
                })
                .collect();
            let replies_said = if unanswered.is_empty() {
                format!("Every message waiting for a reply ({answered}) was answered in time.")
            } else {
                format!(
                    "Answered {answered} of {} messages in time; not answered: {}.",
                    replies.len(),
                    unanswered.join("; ")
                )
            };
            (
                0.6 * quality + 0.4 * answered as f64 / replies.len() as f64,
                format!("{said} {replies_said}"),
            )
        }
    };

    let thoroughness = {
        // What mattered: the root and the services on its path to the
        // users, whenever they were looked at (mitigating first costs nothing).
        let path = episode.path_to_users();
        let seen: Vec<usize> = path
            .iter()
            .copied()
            .filter(|i| episode.investigated.contains(i))
            .collect();
        let missed: Vec<String> = path
            .iter()
            .filter(|i| !seen.contains(i))
            .map(|&i| name(i))
            .collect();
        let route: Vec<String> = path.iter().map(|&i| name(i)).collect();
        (
            seen.len() as f64 / path.len().max(1) as f64,
            format!(
                "Investigated {} of the {} services on the path from the users to the root cause ({}). Missed: {}.",
                seen.len(),
                path.len(),
                route.join(" → "),
                list(&missed)
            ),
        )
    };

    let closure = match &episode.declared_resolved {
        None => (
            0.0,
            String::from("The incident was never declared resolved. Ideal: once the cause is removed, close it with a summary of what happened and what fixed it."),
        ),
        Some((step, summary)) => {
            let named = scenario
                .faults()
                .filter(|f| mentions_fault(summary, f))
                .count();
            let faults = scenario.faults().count();
            let names_cause = named == faults;
            let summary_part = 0.3 * named as f64 / faults as f64;
            let said = if names_cause {
                "The summary says what the cause was."
            } else if named > 0 {
                "The summary names only part of what was wrong."
            } else {
                "The summary does not say what the cause was."
            };
            let held_still =
                scenario.fault.is_false_alarm() && episode.remediations.is_empty() && checked_alarm;
            if held_still {
                (
                    0.7 + summary_part,
                    format!("Declared resolved at step {step} without changing anything: right for a false alarm. {said}"),
                )
            } else if scenario.fault.is_false_alarm() {
                (
                    0.35 + summary_part / 2.0,
                    format!("Declared resolved at step {step}, after changing things a false alarm did not need. {said}"),
                )
            } else if episode.fixed_at.is_some_and(|fixed| fixed < *step) {
                (
                    0.7 + summary_part,
                    format!("Declared resolved at step {step}, after the cause was removed. {said}"),
                )
            } else if episode.mitigated_at.is_some_and(|m| m < *step) {
                (
                    0.35 + summary_part / 2.0,
                    format!("Declared resolved at step {step} after a mitigation only: the cause was still there. {said}"),
                )
            } else {
                (
                    0.0,
                    format!("Declared resolved at step {step} while nothing had fixed the incident: users were still affected."),
                )
            }
        }
    };

    let time_to_mitigate = {
        let minutes = |steps: u32| steps as f64 * scenario.step_seconds as f64 / 60.0;
        let budget = task.step_budget();
        let ideal_step = ideal_mitigation_step(scenario);
        match episode.mitigated_at {
            _ if scenario.fault.is_false_alarm() => {
                if episode.remediations.is_empty() && !checked_alarm {
                    (0.25, format!("Nothing was touched, but {} (what alerted) was never checked either.", scenario.fault.service))
                } else if episode.remediations.is_empty() {
                    (1.0, String::from("Nothing needed mitigating, and nothing was touched: users were never at risk from the response."))
                } else {
                    (0.0, format!("A false alarm needed no fix, yet {} change(s) were made to a healthy system.", episode.remediations.len()))
                }
            }
            None => (
                0.0,
                format!(
                    "The incident was never mitigated. Ideal: a fix on every fault by step {ideal_step} ({:.1} simulated minutes in).",
                    minutes(ideal_step)
                ),
            ),
            Some(at) => {
                let score = if at <= ideal_step {
                    1.0
                } else {
                    1.0 - (at - ideal_step) as f64 / budget.saturating_sub(ideal_step).max(1) as f64
                };
                (
                    score,
                    format!(
                        "Mitigated at step {at}, {:.1} simulated minutes in (ideal: step {ideal_step}, {:.1} minutes). Users suffer until then: mitigate first, diagnose after.",
                        minutes(at),
                        minutes(ideal_step)
                    ),
                )
            }
        }
    };

    let precision = if episode.investigated.is_empty() {
        (0.0, "Nothing was investigated.".to_string())
    } else {
        let score = relevant.len() as f64 / episode.investigated.len() as f64;
        (score, format!("{} of {} investigations were of affected services. Red herrings and bystanders: {}.", relevant.len(), episode.investigated.len(), list(&noise)))
    };

    let outcome = match task {
        // A fast wrong severity is not efficient: only a right one counts.
        Task::SeverityClassification => {
            if severity.0 >= 1.0 {
                1.0
            } else {
                0.0
            }
        }
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
            GradeDimension::TimeToMitigate => time_to_mitigate.clone(),
            GradeDimension::Closure => closure.clone(),
        };
        dimensions.push(Dimension {
            name: *name,
            weight: *weight,
            score: score.clamp(0.0, 1.0),
            explanation,
        });
    }
    let hints_used = episode.hints_revealed();
    let hint_penalty: f64 = scenario.hints.iter().take(hints_used).map(|h| h.cost).sum();
    let score =
        (dimensions.iter().map(|d| d.weight * d.score).sum::<f64>() - hint_penalty).clamp(0.0, 1.0);
    Grade {
        score,
        scenario: scenario.id.clone(),
        task,
        final_grade: episode.is_over(),
        pass_mark: task.pass_mark(),
        passed: episode.is_over() && score >= task.pass_mark(),
        dimensions,
        hints_used: hints_used as u32,
        hint_penalty,
    }
}
