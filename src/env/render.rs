//! The markdown incident dashboard of an episode, for people and for LLM agents.

use super::Episode;
use std::fmt::Write;

/// A 20-cell progress bar of `done` out of `total`.
///
/// ```
/// assert_eq!(firedrill::env::progress_bar(5, 10), "[##########..........] 5/10");
/// ```
pub fn progress_bar(done: u32, total: u32) -> String {
    let total = total.max(1);
    let filled = ((done.min(total) as u64 * 20 + total as u64 / 2) / total as u64) as usize;
    format!(
        "[{}{}] {done}/{total}",
        "#".repeat(filled),
        ".".repeat(20 - filled)
    )
}

/// Escapes text for a markdown table cell or line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

pub(crate) fn render(episode: &Episode) -> String {
    let s = &episode.scenario;
    let obs = episode.observation();
    let mut out = String::new();
    let _ = writeln!(out, "# Incident: {}", cell(&s.title));
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "- **Scenario**: `{}` (task `{}`, seed {})",
        s.id,
        episode.task.id(),
        episode.seed
    );
    let _ = writeln!(out, "- **Status**: {}", obs.status.name());
    let _ = writeln!(
        out,
        "- **Progress**: `{}`",
        progress_bar(obs.step, obs.step_budget)
    );
    let _ = writeln!(
        out,
        "- **Severity**: {}",
        episode
            .severity
            .map(|s| s.name())
            .unwrap_or("not classified")
    );
    let diagnosis = match &episode.diagnosis {
        Some((i, cause)) => format!("{} on {}", cell(cause), s.services[*i].name),
        None => "none yet".into(),
    };
    let _ = writeln!(out, "- **Diagnosis**: {diagnosis}");
    let _ = writeln!(
        out,
        "- **Cumulative reward**: {:.3}",
        episode.cumulative_reward
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "## Objective\n\n{}\n", obs.objective);
    let _ = writeln!(out, "## Report\n\n{}\n", cell(&s.summary));
    let _ = writeln!(out, "## Alerts\n");
    if obs.alerts.is_empty() {
        let _ = writeln!(out, "No alert is pending or firing.\n");
    } else {
        let _ = writeln!(out, "| alert | service | severity | state | value | summary |\n| --- | --- | --- | --- | --- | --- |");
        for a in &obs.alerts {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:?} | {:.3} | {} |",
                a.name,
                a.service,
                a.severity,
                a.state,
                a.value,
                cell(&a.summary)
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## Services\n\n| service | team | health | error ratio | p99 latency (s) | req/s | depends on |\n| --- | --- | --- | --- | --- | --- | --- |");
    for v in &obs.services {
        let _ = writeln!(
            out,
            "| {}{} | {} | {} | {:.4} | {:.3} | {:.1} | {} |",
            v.name,
            if v.investigated {
                " (investigated)"
            } else {
                ""
            },
            v.team,
            if v.data_missing {
                "no data (last seen below)"
            } else {
                v.health.name()
            },
            v.error_ratio,
            v.latency_p99_seconds,
            v.requests_per_second,
            if v.depends_on.is_empty() {
                "-".to_string()
            } else {
                v.depends_on.join(", ")
            }
        );
    }
    let _ = writeln!(out);
    let burning: Vec<_> = obs
        .slos
        .iter()
        .filter(|slo| slo.status != crate::metrics::slo::SloStatus::Green)
        .collect();
    if !burning.is_empty() {
        let burn = |b: Option<f64>| b.map_or("-".to_string(), |b| format!("{b:.1}x"));
        let _ = writeln!(out, "## SLOs not green\n\n| service | SLO | objective | budget left | burn 5m | burn 1h | status |\n| --- | --- | --- | --- | --- | --- | --- |");
        for slo in burning {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.1}% | {} | {} | {} |",
                slo.service,
                slo.kind_name(),
                slo.objective,
                slo.budget_remaining_ratio * 100.0,
                burn(slo.burn_rate_5m),
                burn(slo.burn_rate_1h),
                match slo.status {
                    crate::metrics::slo::SloStatus::Red => "red (page)",
                    crate::metrics::slo::SloStatus::Yellow => "yellow (ticket)",
                    crate::metrics::slo::SloStatus::Green => "green",
                }
            );
        }
        let _ = writeln!(out);
    }
    if !obs.changes.is_empty() {
        let _ = writeln!(
            out,
            "## Recent changes\n\n| when | service | kind | by | what |\n| --- | --- | --- | --- | --- |"
        );
        for c in obs.changes.iter() {
            let minutes = (c.time - s.start_time) as f64 / 60.0;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                if minutes < 0.0 {
                    format!("{:.0} min before", -minutes)
                } else {
                    format!("+{minutes:.0} min")
                },
                c.service,
                c.kind.name(),
                cell(&c.author),
                cell(&c.description)
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## Actions\n");
    if episode.history.is_empty() {
        let _ = writeln!(out, "No action taken yet.\n");
    } else {
        for h in &episode.history {
            let mut what = h.action.action_type.clone();
            if let Some(t) = &h.action.target {
                let _ = write!(what, " {}", cell(t));
            }
            for (k, v) in &h.action.parameters {
                let _ = write!(what, " {k}={}", cell(v));
            }
            let reasoning = if h.action.reasoning.is_empty() {
                String::new()
            } else {
                format!(" — _{}_", cell(&h.action.reasoning))
            };
            let _ = writeln!(out, "{}. `{}` ({:+.3}){reasoning}", h.step, what, h.reward);
        }
        let _ = writeln!(out);
    }
    let investigated: Vec<&str> = obs
        .investigations
        .iter()
        .map(|i| i.service.as_str())
        .collect();
    let _ = writeln!(
        out,
        "## Investigated services\n\n{}\n",
        if investigated.is_empty() {
            "none".to_string()
        } else {
            investigated.join(", ")
        }
    );
    for inv in &obs.investigations {
        if !inv.instances.is_empty() {
            let _ = writeln!(
                out,
                "### {} pods\n\n| pod | zone | up | error ratio | p99 latency (s) | req/s | cpu | memory |\n| --- | --- | --- | --- | --- | --- | --- | --- |",
                inv.service
            );
            for p in &inv.instances {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {:.4} | {:.3} | {:.1} | {:.2} | {:.2} |",
                    p.pod,
                    if p.zone.is_empty() { "-" } else { &p.zone },
                    p.up,
                    p.error_ratio,
                    p.latency_p99_seconds,
                    p.requests_per_second,
                    p.cpu_ratio,
                    p.memory_ratio
                );
            }
            let _ = writeln!(out);
        }
        let _ = writeln!(out, "### {} logs\n\n```", inv.service);
        for line in inv
            .logs
            .iter()
            .rev()
            .take(8)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            let fields: Vec<String> = line
                .fields
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let _ = writeln!(
                out,
                "{} {} {} {}",
                line.step,
                line.level.label(),
                line.message.replace('`', "'"),
                fields.join(" ").replace('`', "'")
            );
        }
        let _ = writeln!(out, "```\n");
    }
    let _ = writeln!(out, "## Remediations\n");
    if episode.remediations.is_empty() {
        let _ = writeln!(out, "none\n");
    } else {
        for r in &episode.remediations {
            let _ = writeln!(out, "- step {}: {} {}", r.step, r.kind, r.service);
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "## Escalations\n\n{}\n",
        if episode.escalations.is_empty() {
            "none".to_string()
        } else {
            episode.escalations.join(", ")
        }
    );
    let _ = writeln!(out, "## Communications\n");
    if episode.communications.is_empty() {
        let _ = writeln!(out, "none");
    } else {
        for c in &episode.communications {
            let _ = writeln!(
                out,
                "- step {} on {}: {}",
                c.step,
                c.channel,
                cell(&c.message)
            );
        }
    }
    out
}
