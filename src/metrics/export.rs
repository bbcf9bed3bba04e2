//! Exports for real tools: Prometheus alert rules (YAML that
//! `promtool check rules` accepts) and the episode's logs as OTLP/JSON
//! (`ExportLogsServiceRequest`). The Grafana dashboards are in
//! [`super::grafana`].

use super::alerts::rule_expr;
use super::families::gauge_for;
use crate::scenario::{LogLevel, Scenario};
use crate::sim::LogLine;
use serde_json::{json, Value};
use std::fmt::Write;

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// The scenario's alert rules as a Prometheus rules file.
pub fn rules_yaml(scenario: &Scenario) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Alert rules of Firedrill scenario {}", scenario.id);
    let _ = writeln!(out, "groups:");
    let _ = writeln!(
        out,
        "  - name: {}",
        quoted(&format!("firedrill-{}", scenario.id))
    );
    let _ = writeln!(out, "    interval: {}s", scenario.step_seconds);
    let _ = writeln!(out, "    rules:");
    for rule in &scenario.alerts {
        let _ = writeln!(out, "      - alert: {}", rule.name);
        let _ = writeln!(out, "        expr: {}", quoted(&rule_expr(rule)));
        if rule.for_steps > 0 {
            let _ = writeln!(
                out,
                "        for: {}s",
                rule.for_steps * scenario.step_seconds
            );
        }
        let _ = writeln!(out, "        labels:");
        let _ = writeln!(out, "          severity: {}", quoted(&rule.severity));
        let _ = writeln!(out, "          service: {}", quoted(&rule.service));
        let _ = writeln!(out, "        annotations:");
        let _ = writeln!(out, "          summary: {}", quoted(&rule.summary));
        let description = format!(
            "{{{{ $labels.service }}}} {} is {{{{ $value | humanize }}}} ({} {}).",
            gauge_for(rule.metric),
            rule.comparison.symbol(),
            crate::series::format_value(rule.threshold)
        );
        let _ = writeln!(out, "          description: {}", quoted(&description));
    }
    out
}

fn severity_number(level: LogLevel) -> u8 {
    match level {
        LogLevel::Debug => 5,
        LogLevel::Info => 9,
        LogLevel::Warn => 13,
        LogLevel::Error => 17,
        LogLevel::Fatal => 21,
    }
}

/// Log lines as an OTLP/JSON `ExportLogsServiceRequest`, one resource per service.
pub fn otlp_logs(scenario: &Scenario, lines: &[LogLine]) -> Value {
    let resource_logs: Vec<Value> = scenario
        .services
        .iter()
        .filter_map(|service| {
            let records: Vec<Value> = lines
                .iter()
                .filter(|l| l.service == service.name)
                .map(|l| {
                    let nanos = ((l.time * 1000.0).round() as i64 as i128 * 1_000_000).to_string();
                    let attributes: Vec<Value> = l
                        .fields
                        .iter()
                        .map(|(k, v)| json!({ "key": k, "value": { "stringValue": v } }))
                        .chain(std::iter::once(json!({ "key": "firedrill.step", "value": { "intValue": l.step.to_string() } })))
                        .collect();
                    json!({
                        "timeUnixNano": nanos,
                        "observedTimeUnixNano": nanos,
                        "severityNumber": severity_number(l.level),
                        "severityText": l.level.label(),
                        "body": { "stringValue": l.message },
                        "attributes": attributes
                    })
                })
                .collect();
            (!records.is_empty()).then(|| {
                json!({
                    "resource": { "attributes": [
                        { "key": "service.name", "value": { "stringValue": service.name } },
                        { "key": "service.namespace", "value": { "stringValue": "firedrill" } },
                        { "key": "team", "value": { "stringValue": service.team } }
                    ]},
                    "scopeLogs": [{ "scope": { "name": "firedrill", "version": env!("CARGO_PKG_VERSION") }, "logRecords": records }]
                })
            })
        })
        .collect();
    json!({ "resourceLogs": resource_logs })
}
