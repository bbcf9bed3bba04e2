//! Exports for real tools: Prometheus alert rules (YAML that
//! `promtool check rules` accepts) and the episode's logs as OTLP/JSON
//! (`ExportLogsServiceRequest`). The Grafana dashboards are in
//! [`super::grafana`].

use super::alerts::rule_expr;
use super::families::{escape_label_value, gauge_for};
use super::traces::Trace;
use crate::scenario::{LogLevel, RuleQuery, Scenario, SloKind, SloSpec, SLI_WINDOWS};
use crate::series::format_value;
use crate::sim::LogLine;
use serde_json::{json, Value};
use std::fmt::Write;

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// The recording rule of SLO `spec`'s bad fraction over a window (`w`, as
/// PromQL writes it): for availability, the 5xx share of the requests; for
/// latency, one minus the share of requests within the threshold.
pub fn sli_expr(spec: &SloSpec, w: &str) -> String {
    let service = escape_label_value(&spec.service);
    match spec.kind {
        SloKind::Availability => format!(
            "sum(rate(http_requests_total{{service=\"{service}\",code=~\"5..\"}}[{w}])) / sum(rate(http_requests_total{{service=\"{service}\"}}[{w}]))"
        ),
        SloKind::Latency => format!(
            "1 - sum(rate(http_request_duration_seconds_bucket{{service=\"{service}\",le=\"{}\"}}[{w}])) / sum(rate(http_request_duration_seconds_count{{service=\"{service}\"}}[{w}]))",
            format_value(spec.threshold_seconds.unwrap_or(f64::INFINITY))
        ),
    }
}

/// The scenario's rules as a Prometheus rules file, one group evaluated
/// every step: first the SLOs' recording rules (so that the alerts of the
/// same evaluation read them, as Prometheus evaluates a group in order),
/// then the alert rules, the SLOs' burn-rate alerts last.
pub fn rules_yaml(scenario: &Scenario) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Alert rules of Firedrill scenario {}", scenario.id);
    let _ = writeln!(
        out,
        "# Recording rules: each SLO's bad fraction over 5m to 3d (slo:sli_error:ratio_rate*),"
    );
    let _ = writeln!(
        out,
        "# its objective and error budget. slo:error_budget:remaining (the budget left in the"
    );
    let _ = writeln!(
        out,
        "# SLO's window, which began before the episode) is written by Firedrill itself."
    );
    let _ = writeln!(out, "groups:");
    let _ = writeln!(
        out,
        "  - name: {}",
        quoted(&format!("firedrill-{}", scenario.id))
    );
    let _ = writeln!(out, "    interval: {}s", scenario.step_seconds);
    let _ = writeln!(out, "    rules:");
    let slo_labels = |out: &mut String, spec: &SloSpec| {
        let _ = writeln!(out, "        labels:");
        let _ = writeln!(out, "          service: {}", quoted(&spec.service));
        let _ = writeln!(out, "          slo: {}", quoted(spec.kind.name()));
    };
    for spec in &scenario.slos {
        for (_, w) in SLI_WINDOWS {
            let _ = writeln!(out, "      - record: slo:sli_error:ratio_rate{w}");
            let _ = writeln!(out, "        expr: {}", quoted(&sli_expr(spec, w)));
            slo_labels(&mut out, spec);
        }
        for (record, value) in [
            ("slo:objective:ratio", spec.objective),
            ("slo:error_budget:ratio", spec.error_budget()),
        ] {
            let _ = writeln!(out, "      - record: {record}");
            let _ = writeln!(
                out,
                "        expr: {}",
                quoted(&format!("vector({})", format_value(value)))
            );
            slo_labels(&mut out, spec);
        }
    }
    for rule in &scenario.alerts {
        let _ = writeln!(out, "      - alert: {}", rule.name);
        let _ = writeln!(out, "        expr: {}", quoted(&rule_expr(scenario, rule)));
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
        let description = match rule.query {
            RuleQuery::BurnRate { page, .. } => format!(
                "{{{{ $labels.service }}}} is spending the error budget of its {{{{ $labels.slo }}}} SLO {} over a long and a short window.",
                if page {
                    "at a page's burn rate (2% of it in an hour, or 5% in six hours)"
                } else {
                    "at a ticket's burn rate (10% of it in a day, or in three days)"
                }
            ),
            _ => format!(
                "{{{{ $labels.service }}}} {} is {{{{ $value | humanize }}}} ({} {}).",
                gauge_for(rule.metric),
                rule.comparison.symbol(),
                format_value(rule.threshold)
            ),
        };
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
                    let mut record = json!({
                        "timeUnixNano": nanos,
                        "observedTimeUnixNano": nanos,
                        "severityNumber": severity_number(l.level),
                        "severityText": l.level.label(),
                        "body": { "stringValue": l.message },
                        "attributes": attributes
                    });
                    if let (Some(trace), Some(span), Some(object)) =
                        (&l.trace_id, &l.span_id, record.as_object_mut())
                    {
                        object.insert("traceId".into(), json!(trace));
                        object.insert("spanId".into(), json!(span));
                    }
                    record
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

/// Simulated Unix seconds as OTLP nanoseconds (a decimal string), to the microsecond.
fn nanos(seconds: f64) -> String {
    ((seconds * 1_000_000.0).round() as i64 as i128 * 1_000).to_string()
}

/// Traces as an OTLP/JSON `ExportTraceServiceRequest`, one resource per
/// service (`service.name`), its spans in trace order. Each span has
/// `firedrill.step`, `firedrill.attempt` (0 for a first call, 1 and 2 for
/// retries) and, where the hop answers HTTP, `http.response.status_code`;
/// a failed span has status ERROR (2), the others UNSET.
pub fn otlp_traces(scenario: &Scenario, traces: &[Trace]) -> Value {
    let resource_spans: Vec<Value> = scenario
        .services
        .iter()
        .filter_map(|service| {
            let spans: Vec<Value> = traces
                .iter()
                .flat_map(|trace| {
                    trace
                        .spans
                        .iter()
                        .filter(|s| s.service == service.name)
                        .map(move |span| (trace, span))
                })
                .map(|(trace, span)| {
                    let start = trace.start_time + span.start;
                    let mut attributes = vec![
                        json!({ "key": "firedrill.step", "value": { "intValue": trace.step.to_string() } }),
                        json!({ "key": "firedrill.attempt", "value": { "intValue": span.attempt.to_string() } }),
                    ];
                    if let Some(code) = span.status_code {
                        attributes.push(json!({ "key": "http.response.status_code", "value": { "intValue": code.to_string() } }));
                    }
                    let status = if span.error {
                        json!({ "code": 2, "message": match span.status_code {
                            Some(code) => format!("HTTP {code}"),
                            None => "failed".to_string(),
                        } })
                    } else {
                        json!({})
                    };
                    let mut value = json!({
                        "traceId": trace.trace_id,
                        "spanId": span.span_id,
                        "name": span.name,
                        "kind": span.kind.otlp(),
                        "startTimeUnixNano": nanos(start),
                        "endTimeUnixNano": nanos(start + span.duration),
                        "attributes": attributes,
                        "status": status
                    });
                    if let (Some(parent), Some(object)) = (&span.parent_span_id, value.as_object_mut()) {
                        object.insert("parentSpanId".into(), json!(parent));
                    }
                    value
                })
                .collect();
            (!spans.is_empty()).then(|| {
                json!({
                    "resource": { "attributes": [
                        { "key": "service.name", "value": { "stringValue": service.name } },
                        { "key": "service.namespace", "value": { "stringValue": "firedrill" } },
                        { "key": "team", "value": { "stringValue": service.team } }
                    ]},
                    "scopeSpans": [{ "scope": { "name": "firedrill", "version": env!("CARGO_PKG_VERSION") }, "spans": spans }]
                })
            })
        })
        .collect();
    json!({ "resourceSpans": resource_spans })
}
