//! Exports for real tools: Prometheus alert rules (YAML that
//! `promtool check rules` accepts), a Grafana dashboard (schemaVersion 42,
//! Prometheus datasource as a template variable) and the episode's logs as
//! OTLP/JSON (`ExportLogsServiceRequest`).

use super::alerts::rule_expr;
use super::families::{escape_label_value, gauge_for};
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
                "{{{{ $labels.service }}}} {{{{ $labels.slo }}}} SLO: bad fraction {{{{ $value | humanizePercentage }}}} over the {} window.",
                if page { "page" } else { "ticket" }
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
