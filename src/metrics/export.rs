//! Exports for real tools: Prometheus alert rules (YAML that
//! `promtool check rules` accepts), a Grafana dashboard (schemaVersion 42,
//! Prometheus datasource as a template variable) and the episode's logs as
//! OTLP/JSON (`ExportLogsServiceRequest`).

use super::alerts::rule_expr;
use super::families::gauge_for;
use super::traces::Trace;
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

/// A Grafana dashboard of the scenario's metrics.
pub fn grafana_dashboard(scenario: &Scenario) -> Value {
    let ds = json!({ "type": "prometheus", "uid": "${datasource}" });
    let panel_specs: [(&str, &str, &str, &str); 6] = [
        ("Request rate", "sum by (service) (rate(http_requests_total{service=~\"$service\"}[$__rate_interval]))", "reqps", "{{service}}"),
        ("Error ratio", "sum by (service) (rate(http_requests_total{service=~\"$service\",code=~\"5..\"}[$__rate_interval])) / sum by (service) (rate(http_requests_total{service=~\"$service\"}[$__rate_interval]))", "percentunit", "{{service}}"),
        ("p99 latency", "histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket{service=~\"$service\"}[$__rate_interval])))", "s", "{{service}}"),
        ("CPU usage", "cpu_usage_ratio{service=~\"$service\"}", "percentunit", "{{service}}"),
        ("Memory usage", "memory_usage_ratio{service=~\"$service\"}", "percentunit", "{{service}}"),
        ("Saturation", "saturation_ratio{service=~\"$service\"}", "percentunit", "{{service}} {{resource}}"),
    ];
    let panels: Vec<Value> = panel_specs
        .iter()
        .enumerate()
        .map(|(i, (title, expr, unit, legend))| {
            json!({
                "id": i + 1,
                "type": "timeseries",
                "title": title,
                "datasource": ds,
                "gridPos": { "h": 8, "w": 12, "x": (i % 2) * 12, "y": (i / 2) * 8 },
                "fieldConfig": {
                    "defaults": { "unit": unit, "custom": { "drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never" } },
                    "overrides": []
                },
                "options": {
                    "legend": { "displayMode": "list", "placement": "bottom", "showLegend": true, "calcs": [] },
                    "tooltip": { "mode": "multi", "sort": "none" }
                },
                "targets": [{ "refId": "A", "datasource": ds, "expr": expr, "legendFormat": legend, "range": true }]
            })
        })
        .collect();
    let services: Vec<&str> = scenario.services.iter().map(|s| s.name.as_str()).collect();
    let start_ms = (scenario.start_time - 3600) * 1000;
    let end_ms = (scenario.start_time + 1800) * 1000;
    let uid: String = format!("firedrill-{}", scenario.id)
        .chars()
        .take(40)
        .collect();
    json!({
        "uid": uid,
        "title": format!("Firedrill: {}", scenario.title),
        "description": scenario.summary,
        "tags": ["firedrill", scenario.task, scenario.fault.cause],
        "timezone": "utc",
        "editable": true,
        "graphTooltip": 1,
        "schemaVersion": 42,
        "version": 1,
        "refresh": "",
        "time": { "from": ms_to_iso(start_ms), "to": ms_to_iso(end_ms) },
        "timepicker": {},
        "fiscalYearStartMonth": 0,
        "links": [],
        "annotations": { "list": [{
            "builtIn": 1,
            "datasource": { "type": "grafana", "uid": "-- Grafana --" },
            "enable": true,
            "hide": true,
            "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts",
            "type": "dashboard"
        }]},
        "templating": { "list": [
            {
                "name": "datasource",
                "label": "Data source",
                "type": "datasource",
                "query": "prometheus",
                "current": {},
                "hide": 0,
                "refresh": 1,
                "regex": "",
                "skipUrlSync": false,
                "options": []
            },
            {
                "name": "service",
                "label": "Service",
                "type": "query",
                "datasource": ds,
                "query": { "query": "label_values(up, service)", "refId": "PrometheusVariableQueryEditor-VariableQuery" },
                "definition": "label_values(up, service)",
                "current": { "text": "All", "value": "$__all" },
                "includeAll": true,
                "multi": true,
                "allValue": services.join("|"),
                "hide": 0,
                "refresh": 2,
                "regex": "",
                "sort": 1,
                "skipUrlSync": false,
                "options": []
            }
        ]},
        "panels": panels
    })
}

/// RFC 3339 of a Unix time in milliseconds (UTC).
pub fn ms_to_iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
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
