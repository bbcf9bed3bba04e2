//! The strict checks of `firedrill check --strict`: what leaks the answer
//! or misleads, in a file that is otherwise valid. Each problem is located
//! at `file:line:col` like a validation error.
//!
//! - the `title` or `summary` names the root-cause service, the fault type
//!   or a diagnosis keyword (the briefing must say what users see, not why);
//! - no `debrief_title` (the cause headline the debrief reveals);
//! - a `fault.keywords` entry is a general word ([`GENERAL_WORDS`]) that
//!   would accept wrong diagnoses;
//! - `fault.cause` is not in the taxonomy ([`CAUSES`]);
//! - a red herring has no dependency edge to any affected service (the map
//!   alone rules it out);
//! - a right fix for which neither its service nor the root-cause service
//!   shows evidence: no symptom and no log line at `warn` or above;
//! - an inject's message names the root-cause service, the fault type or a
//!   diagnosis keyword (its sender sees symptoms), or the first hint names
//!   the fault type or a keyword (it says where to look).

use super::causes::{self, GENERAL_WORDS};
use super::error::{ScenarioError, SourceMap};
use super::model::{LogLevel, Scenario};

/// The strict problems of a valid scenario parsed from `text`.
///
/// ```
/// let (file, text) = firedrill::scenario::Catalog::builtin_files()[0];
/// let scenario = firedrill::scenario::parse(file, text).unwrap();
/// assert!(firedrill::scenario::lint(file, text, &scenario).is_empty());
/// ```
pub fn lint(file: &str, text: &str, scenario: &Scenario) -> Vec<ScenarioError> {
    let source = SourceMap::new(file, text);
    let mut problems = Vec::new();
    let mut report = |offset: usize, field: &str, message: String| {
        problems.push(source.error(offset..offset, field, message));
    };
    // What the briefing must not say, of every fault.
    let mut leaks: Vec<(String, &str)> = Vec::new();
    for fault in scenario.faults() {
        leaks.push((fault.service.clone(), "the root-cause service"));
        leaks.push((fault.cause.replace('_', " "), "the fault type"));
        if let Some(c) = causes::cause(&fault.cause) {
            leaks.push((c.name.to_string(), "the fault type"));
            leaks.extend(
                c.keywords
                    .iter()
                    .map(|k| (k.to_string(), "a diagnosis keyword")),
            );
        }
        leaks.extend(
            fault
                .keywords
                .iter()
                .filter(|k| !GENERAL_WORDS.contains(&causes::normalize(k).as_str()))
                .map(|k| (k.clone(), "a diagnosis keyword")),
        );
    }
    for (field, value) in [("title", &scenario.title), ("summary", &scenario.summary)] {
        let line = key_offset(text, field, 0).unwrap_or(0);
        for (phrase, what) in &leaks {
            if causes::contains_any(value, &[phrase]) {
                report(
                    find_in_line(text, line, phrase),
                    field,
                    format!(
                        "names {what} ({phrase:?}); say what users, support and the pager see, and keep the cause for `debrief_title`"
                    ),
                );
                break;
            }
        }
    }
    // An inject comes from an executive, support or a customer: they see
    // symptoms, not causes. The first hint says where to look, not what
    // it is.
    for (i, inject) in scenario.injects.iter().enumerate() {
        if let Some((phrase, what)) = leaks
            .iter()
            .find(|(phrase, _)| causes::contains_any(&inject.message, &[phrase]))
        {
            let line = key_after(text, table_offset(text, "injects", i), "message");
            report(
                find_in_line(text, line, phrase),
                &format!("injects[{i}].message"),
                format!("names {what} ({phrase:?}); whoever sends it sees symptoms and business impact, not the cause"),
            );
        }
    }
    if let Some(hint) = scenario.hints.first() {
        if let Some((phrase, what)) = leaks.iter().find(|(phrase, what)| {
            *what != "the root-cause service" && causes::contains_any(&hint.text, &[phrase])
        }) {
            let line = key_after(text, table_offset(text, "hints", 0), "text");
            report(
                find_in_line(text, line, phrase),
                "hints[0].text",
                format!("names {what} ({phrase:?}); the first hint says where to look, and later ones may narrow it down"),
            );
        }
    }
    if key_offset(text, "debrief_title", 0).is_none() {
        report(
            key_offset(text, "title", 0).unwrap_or(0),
            "debrief_title",
            "expected `debrief_title`: the cause headline the debrief reveals (the title must not say it)".into(),
        );
    }

    // Keywords and the taxonomy.
    for (f, fault) in scenario.faults().enumerate() {
        let field = if f == 0 {
            "fault".to_string()
        } else {
            format!("other_faults[{}]", f - 1)
        };
        let keywords_at = key_offset(text, "keywords", f).unwrap_or(0);
        for (i, keyword) in fault.keywords.iter().enumerate() {
            if GENERAL_WORDS.contains(&causes::normalize(keyword).as_str()) {
                report(
                    find_in_line(text, keywords_at, keyword),
                    &format!("{field}.keywords[{i}]"),
                    format!(
                        "{keyword:?} is too general: it accepts wrong diagnoses; use a phrase that names this cause"
                    ),
                );
            }
        }
        for (i, keyword) in fault.keywords.iter().enumerate() {
            if !causes::matchable(keyword) {
                report(
                    find_in_line(text, keywords_at, keyword),
                    &format!("{field}.keywords[{i}]"),
                    format!(
                        "{keyword:?} can never match: a diagnosis is read clause by clause, and its punctuation ends a clause; drop the punctuation or split it into two keywords"
                    ),
                );
            }
        }
        if causes::cause(&fault.cause).is_none() {
            report(
                key_offset(text, "cause", f).unwrap_or(0),
                &format!("{field}.cause"),
                format!(
                    "{:?} is not in the taxonomy, so a diagnosis can name it only as `other`; expected one of the ids `firedrill causes` lists",
                    fault.cause,
                ),
            );
        }
    }

    // Red herrings the map rules out.
    let affected = scenario.affected_services();
    for (i, herring) in scenario.red_herrings.iter().enumerate() {
        let name = &herring.drift.service;
        let linked = scenario.services.iter().any(|s| {
            (s.name == *name && s.depends_on.iter().any(|d| affected.contains(&d.as_str())))
                || (affected.contains(&s.name.as_str()) && s.depends_on.contains(name))
        });
        if !linked {
            report(
                table_offset(text, "red_herrings", i),
                &format!("red_herrings[{i}]"),
                format!(
                    "{name} has no dependency edge to an affected service ({}), so the map alone rules it out; put it on the request path",
                    affected.join(", ")
                ),
            );
        }
    }

    // Impact phrases an update can never be credited with: a status
    // update's hyphenated service names are set aside before matching.
    let impact_at = key_offset(text, "impact", 0).unwrap_or(0);
    for (i, phrase) in scenario.communication.impact.iter().enumerate() {
        let spaced = causes::normalize(phrase);
        if let Some(service) = scenario
            .services
            .iter()
            .filter(|s| s.name.contains('-'))
            .find(|s| causes::contains_any(&spaced, &[causes::normalize(&s.name)]))
        {
            report(
                find_in_line(text, impact_at, phrase),
                &format!("communication.impact[{i}]"),
                format!(
                    "{phrase:?} contains the service name {:?}, which an update's reader never gets credit for (service names are set aside); name what users experience in other words",
                    service.name
                ),
            );
        }
    }

    // Right fixes without evidence.
    let evidence = |service: &str| {
        scenario.symptoms.iter().any(|d| d.service == service)
            || scenario
                .logs
                .iter()
                .any(|l| l.service == service && l.level >= LogLevel::Warn)
    };
    for (i, fix) in scenario.remediations.iter().enumerate() {
        let root = scenario
            .faults()
            .nth(fix.fault)
            .map_or(scenario.fault.service.as_str(), |f| f.service.as_str());
        if fix.correct && !evidence(&fix.service) && !evidence(root) {
            report(
                table_offset(text, "remediations", i),
                &format!("remediations[{i}]"),
                format!(
                    "nothing shows that {} {} is needed: neither {} nor {} has a symptom or a warn/error log line",
                    fix.kind, fix.service, fix.service, root
                ),
            );
        }
    }
    problems.sort_by_key(|p| (p.line, p.column));
    problems
}

/// The offset of the `n`th line that sets `key` at the start of a line.
fn key_offset(text: &str, key: &str, n: usize) -> Option<usize> {
    line_offsets(text)
        .filter(|(_, line)| {
            line.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .nth(n)
        .map(|(offset, _)| offset)
}

/// The offset of the first line at or after `from` that sets `key`.
fn key_after(text: &str, from: usize, key: &str) -> usize {
    key_offset(&text[from..], key, 0).map_or(from, |offset| from + offset)
}

/// The offset of the `n`th `[[name]]` header.
fn table_offset(text: &str, name: &str, n: usize) -> usize {
    let header = format!("[[{name}]]");
    line_offsets(text)
        .filter(|(_, line)| line.trim() == header)
        .nth(n)
        .map_or(0, |(offset, _)| offset)
}

/// Every line with its offset.
fn line_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |offset, line| {
        let start = *offset;
        *offset += line.len();
        Some((start, line))
    })
}

/// The offset of `needle` (case-insensitive) in the line starting at
/// `line_start`, or the line start.
fn find_in_line(text: &str, line_start: usize, needle: &str) -> usize {
    let line = text[line_start..].lines().next().unwrap_or("");
    let lower = line.to_lowercase();
    match lower.find(&needle.to_lowercase()) {
        Some(at) if lower.len() == line.len() => line_start + at,
        _ => line_start,
    }
}
