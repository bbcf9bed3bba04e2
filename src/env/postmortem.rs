//! The postmortem draft of an episode (Markdown): what happened when, the
//! impact, the cause, the response as graded, and the sections a team
//! fills in afterwards (contributing factors, action items). What the
//! debrief's "Download debrief" saves and `firedrill export postmortem`
//! prints.

use super::grade::Grade;
use super::Episode;
use crate::scenario::causes;
use std::fmt::Write;

/// `HH:MM` (UTC) of a simulated Unix time, with the days before `day_of`'s
/// day as `D-n` when it is on an earlier day.
fn clock(time: i64, day_of: i64) -> String {
    let seconds = time.rem_euclid(86_400);
    let days = day_of.div_euclid(86_400) - time.div_euclid(86_400);
    let day = if days > 0 {
        format!("D-{days} ")
    } else {
        String::new()
    };
    format!("{day}{:02}:{:02}", seconds / 3600, seconds % 3600 / 60)
}

/// One line of text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The postmortem draft; `grade` is the episode's grade.
pub(crate) fn postmortem(episode: &Episode, grade: &Grade) -> String {
    let scenario = &episode.scenario;
    let state = episode.state();
    let step_seconds = i64::from(scenario.step_seconds);
    let time_of = |step: u32| scenario.start_time + i64::from(step) * step_seconds;
    let mut out = String::new();
    let _ = writeln!(out, "# Postmortem: {}\n", cell(&scenario.debrief_title));
    let _ = writeln!(
        out,
        "_A draft from a Firedrill drill: scenario `{}`, seed {}, task {}. Times are the drill's simulated clock (UTC). Fill in the sections marked “to fill in”._\n",
        scenario.id,
        episode.seed,
        episode.task.title()
    );
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(out, "- **What users saw**: {}", cell(&scenario.summary));
    let _ = writeln!(
        out,
        "- **Severity**: {} (classified as {})",
        scenario.severity.name(),
        episode.severity.map_or("nothing", |s| s.name())
    );
    let minutes = |steps: u32| f64::from(steps) * step_seconds as f64 / 60.0;
    let _ = writeln!(
        out,
        "- **Duration of the response**: {:.0} minutes ({} steps); {}",
        minutes(state.step),
        state.step,
        match episode.mitigated_at {
            Some(step) => format!("mitigated after {:.0} minutes", minutes(step)),
            None => String::from("never mitigated during the drill"),
        }
    );
    let _ = writeln!(
        out,
        "- **Score**: {:.2} (pass mark {:.2}){}\n",
        grade.score,
        grade.pass_mark,
        if grade.hints_used > 0 {
            format!(
                ", {} hint(s) used (−{:.2})",
                grade.hints_used, grade.hint_penalty
            )
        } else {
            String::new()
        }
    );

    let _ = writeln!(out, "## Impact\n");
    let _ = writeln!(
        out,
        "- Users experienced: {}.",
        scenario.communication.impact.join("; ")
    );
    let affected: Vec<&str> = state
        .ground_truth
        .as_ref()
        .map(|t| t.affected_services.iter().map(String::as_str).collect())
        .unwrap_or_default();
    if !affected.is_empty() {
        let _ = writeln!(out, "- Services affected: {}.", affected.join(", "));
    }
    let mut slos: Vec<_> = state
        .slos
        .iter()
        .filter(|s| s.budget_at_start_ratio - s.budget_remaining_ratio >= 0.005)
        .collect();
    slos.sort_by(|a, b| {
        let used =
            |s: &crate::metrics::slo::Slo| s.budget_at_start_ratio - s.budget_remaining_ratio;
        used(b).total_cmp(&used(a))
    });
    let burned: Vec<String> = slos
        .iter()
        .take(6)
        .map(|s| {
            format!(
                "{} {} ({:.1}% of the error budget used during the response)",
                s.service,
                s.kind.name(),
                100.0 * (s.budget_at_start_ratio - s.budget_remaining_ratio)
            )
        })
        .collect();
    if !burned.is_empty() {
        let _ = writeln!(out, "- Error budgets burned: {}.", burned.join(", "));
    }
    let _ = writeln!(out, "- Customer and business impact: _to fill in_.\n");

    let _ = writeln!(out, "## Root cause\n");
    for fault in scenario.faults() {
        let name = causes::cause(&fault.cause).map_or(fault.cause.as_str(), |c| c.name);
        let _ = writeln!(
            out,
            "- **{name}** on `{}`: {}",
            fault.service,
            cell(&fault.description)
        );
    }
    let _ = writeln!(out);

    let _ = writeln!(out, "## Timeline\n");
    let _ = writeln!(out, "| time | what happened |\n| --- | --- |");
    let mut rows: Vec<(i64, String)> = Vec::new();
    for change in state.observation.changes.iter() {
        if change.author != crate::sim::RESPONDER {
            rows.push((
                change.time,
                format!(
                    "Change: {} on `{}` by {}",
                    cell(&change.description),
                    change.service,
                    cell(&change.author)
                ),
            ));
        }
    }
    let began = scenario.start_time - i64::from(scenario.began_steps_ago) * step_seconds;
    rows.push((began, String::from("The incident begins (first symptoms)")));
    for alert in &state.alerts {
        let what = match alert.state {
            super::AlertState::Pending => "pending",
            super::AlertState::Firing => "firing",
            super::AlertState::Resolved => "resolved",
        };
        rows.push((
            alert.since_time,
            format!(
                "Alert `{}` ({}) {what} on `{}`",
                alert.name, alert.severity, alert.service
            ),
        ));
    }
    rows.push((
        scenario.start_time,
        String::from("The response starts: the incident is declared"),
    ));
    for entry in &state.history {
        let action = &entry.action;
        let what = match action.target.as_deref() {
            Some(target) => format!("{} `{target}`", action.action_type),
            None => action.action_type.clone(),
        };
        let why = if action.reasoning.trim().is_empty() {
            String::new()
        } else {
            format!(" — “{}”", cell(action.reasoning.trim()))
        };
        rows.push((
            time_of(entry.step),
            format!("Responder: {what}. {}{why}", cell(&entry.feedback)),
        ));
    }
    if let Some(step) = episode.mitigated_at {
        rows.push((time_of(step), String::from("**Mitigated**: users recover")));
    }
    rows.sort_by_key(|(time, _)| *time);
    for (time, what) in rows {
        let _ = writeln!(out, "| {} | {what} |", clock(time, scenario.start_time));
    }
    let _ = writeln!(out);

    let _ = writeln!(out, "## The response, as graded\n");
    for d in &grade.dimensions {
        let _ = writeln!(
            out,
            "- **{}** {:.2} (weight {:.2}): {}",
            d.name.name(),
            d.score,
            d.weight,
            cell(&d.explanation)
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "## What went well\n\n- _to fill in_\n");
    let _ = writeln!(out, "## What went poorly\n\n- _to fill in_\n");
    let _ = writeln!(
        out,
        "## Contributing factors\n\n- _to fill in: what made this possible, what made it hard to see, what slowed the response_\n"
    );
    let _ = writeln!(
        out,
        "## Action items\n\n| action | owner | priority | due |\n| --- | --- | --- | --- |\n| _to fill in_ | | | |"
    );
    out
}
