//! The engine against a real Prometheus, over an episode's own metrics.
//!
//! Plays an episode, loads its OpenMetrics export into a throw-away
//! Prometheus with `../shared/tools/prom_oracle.py` (it needs the
//! `prometheus` and `promtool` binaries: `apt-get install prometheus`), asks
//! both the same instant and range queries, and requires the same answers
//! (label sets, timestamps, values within a relative 1e-6). Without the tool
//! or the binaries the test skips and says which are missing; with `CI` set
//! it fails instead.
//!
//! The oracle is Prometheus 2.42, whose range windows include their left
//! end; queries are therefore asked between the 30-second samples, and
//! ranges inside subqueries are chosen so that no sample sits on a window's
//! edge. (Its evaluation interval, the step of a subquery written without
//! one, is 1h; subqueries here say their step.)

use firedrill::agents::by_name;
use firedrill::env::{Env, Selection};
use firedrill::promql::{json, Engine};
use firedrill::runner::{run_episode, Driver};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

mod common;

const QUERIES: &[&str] = &[
    "up",
    "sum by (service) (rate(http_requests_total[5m]))",
    r#"sum by (service) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (service) (rate(http_requests_total[5m]))"#,
    "histogram_quantile(0.99, sum by (le, service) (rate(http_request_duration_seconds_bucket[5m])))",
    "histogram_quantile(0.5, rate(http_request_duration_seconds_bucket[10m]))",
    "topk(3, error_ratio)",
    "bottomk(2, cpu_usage_ratio)",
    "avg_over_time(latency_p99_seconds[15m])",
    "max_over_time(saturation_ratio[1h])",
    "min_over_time(saturation_ratio[1h])",
    "sum_over_time(queue_depth[10m])",
    "count_over_time(queue_depth[10m])",
    "quantile_over_time(0.9, queue_depth[30m])",
    "stddev_over_time(cpu_usage_ratio[10m])",
    "stdvar_over_time(cpu_usage_ratio[10m])",
    "deriv(memory_usage_ratio[15m])",
    "predict_linear(memory_usage_ratio[30m], 3600)",
    "increase(process_cpu_seconds_total[10m])",
    "rate(process_cpu_seconds_total[3m])",
    "irate(http_requests_total[2m])",
    "delta(queue_depth[10m])",
    "idelta(queue_depth[5m])",
    "changes(up[1h])",
    "resets(http_requests_total[1h])",
    "count by (service) (http_requests_total)",
    r#"count_values("v", up)"#,
    "quantile(0.5, cpu_usage_ratio)",
    "stddev(cpu_usage_ratio)",
    "stdvar(cpu_usage_ratio)",
    "avg(cpu_usage_ratio)",
    "error_ratio > 0.05",
    "error_ratio > bool 0.05",
    "http_requests_total / on(service) group_left requests_per_second",
    "requests_per_second / on(service) group_right http_requests_total",
    "cpu_usage_ratio and on(service) (error_ratio > 0.01)",
    "cpu_usage_ratio unless on(service) (error_ratio > 0.01)",
    "cpu_usage_ratio or memory_usage_ratio",
    r#"label_replace(up, "svc", "$1", "service", "(.*)-.*")"#,
    r#"label_join(up, "x", "/", "service", "__name__")"#,
    "max_over_time(rate(http_requests_total[75s])[10m:1m])",
    "avg_over_time(sum(rate(http_requests_total[135s]))[30m:1m])",
    "rate(http_requests_total[5m] offset 10m)",
    r#"absent(nonexistent{service="x"})"#,
    "absent_over_time(up[5m])",
    "clamp(error_ratio, 0.01, 0.1)",
    "clamp_min(error_ratio, 0.02)",
    "clamp_max(error_ratio, 0.02)",
    "round(latency_p99_seconds, 0.01)",
    "sgn(deriv(queue_depth[10m]))",
    "timestamp(up)",
    "hour(timestamp(up))",
    "minute()",
    "day_of_week()",
    "vector(time())",
    "scalar(sum(up))",
    "1 - avg_over_time(error_ratio[30m])",
    "sum without (code) (rate(http_requests_total[5m]))",
    "group by (service) (up)",
    "last_over_time(queue_depth[10m])",
    "present_over_time(up[5m])",
    "min(cpu_usage_ratio) by (service)",
    "exp(ln(cpu_usage_ratio))",
    "log2(queue_depth + 1)",
    "sqrt(abs(deriv(queue_depth[10m])))",
    "ceil(latency_p99_seconds * 100)",
    "floor(latency_p99_seconds * 100)",
    "-error_ratio",
    "error_ratio * 100 % 7",
    "2 ^ cpu_usage_ratio",
    "sum(http_request_duration_seconds_sum) / sum(http_request_duration_seconds_count)",
    "rate(http_request_duration_seconds_sum[5m]) / rate(http_request_duration_seconds_count[5m])",
];

/// How to get what the oracle needs when some of it is missing.
const GET_ORACLE: &str = "run scripts/setup (it installs Debian's prometheus package: prometheus and promtool) and check out the ../shared folder beside the repository (or point FIREDRILL_SHARED_DIR at it)";

/// `../shared/tools/prom_oracle.py`, or which of it, `prometheus`,
/// `promtool` and `python3` are missing.
fn oracle_tool() -> Result<PathBuf, String> {
    let tool = common::shared_dir().join("tools/prom_oracle.py");
    let have = |bin: &str| {
        Command::new(bin)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let mut missing: Vec<String> = ["prometheus", "promtool", "python3"]
        .into_iter()
        .filter(|bin| !have(bin))
        .map(|bin| format!("{bin} (not on PATH)"))
        .collect();
    if !tool.is_file() {
        missing.insert(0, tool.display().to_string());
    }
    if missing.is_empty() {
        Ok(tool)
    } else {
        Err(missing.join(", "))
    }
}

fn close(a: &str, b: &str) -> bool {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => {
            (x.is_nan() && y.is_nan()) || x == y || (x - y).abs() <= 1e-6 * x.abs().max(y.abs())
        }
        _ => a == b,
    }
}

/// Series of an API answer: (sorted labels, [(time, value)]).
fn series(answer: &Value) -> Vec<(String, Vec<(String, String)>)> {
    let data = &answer["data"];
    let mut out: Vec<(String, Vec<(String, String)>)> = match data["resultType"].as_str() {
        Some("scalar") => vec![("scalar".into(), vec![point(&data["result"])])],
        _ => data["result"]
            .as_array()
            .map(|r| {
                r.iter()
                    .map(|s| {
                        let points = match s.get("values") {
                            Some(values) => values
                                .as_array()
                                .map(|v| v.iter().map(point).collect())
                                .unwrap_or_default(),
                            None => vec![point(&s["value"])],
                        };
                        (s["metric"].to_string(), points)
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    out.sort();
    out
}

fn point(p: &Value) -> (String, String) {
    let time = p[0].as_f64().map(|t| format!("{t:.3}")).unwrap_or_default();
    (time, p[1].as_str().unwrap_or("").to_string())
}

fn differences(ours: &Value, theirs: &Value) -> Option<String> {
    if ours["status"] != theirs["status"] {
        return Some(format!("status: ours {ours}, Prometheus {theirs}"));
    }
    let (a, b) = (series(ours), series(theirs));
    if a.len() != b.len() || a.iter().zip(&b).any(|(x, y)| x.0 != y.0) {
        let names = |s: &[(String, Vec<(String, String)>)]| {
            s.iter().map(|x| x.0.clone()).collect::<Vec<_>>()
        };
        return Some(format!(
            "series: ours {:?}, Prometheus {:?}",
            names(&a),
            names(&b)
        ));
    }
    for (x, y) in a.iter().zip(&b) {
        let same = x.1.len() == y.1.len()
            && x.1
                .iter()
                .zip(&y.1)
                .all(|(p, q)| p.0 == q.0 && close(&p.1, &q.1));
        if !same {
            return Some(format!("{}: ours {:?}, Prometheus {:?}", x.0, x.1, y.1));
        }
    }
    None
}

#[test]
fn answers_match_a_real_prometheus() {
    let Some(tool) = common::require_or_skip(oracle_tool(), GET_ORACLE) else {
        return;
    };
    let mut env = Env::new();
    let mut agent = by_name("heuristic", 1).unwrap();
    run_episode(
        &mut env,
        &Selection::Scenario("connection-pool-exhaustion-v1".into()),
        1,
        Driver::Agent(agent.as_mut()),
    )
    .unwrap();
    let monitor = env.monitor().unwrap();
    let end = monitor.last_time();
    // Between samples (they are 30 s apart, on multiples of 30 s from the start).
    let time = end - 15;
    let (start, stop, step) = (end - 3195, end - 15, 60);

    let dir = std::env::temp_dir().join(format!("firedrill-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let series_file = dir.join("episode.om");
    std::fs::write(&series_file, monitor.openmetrics()).unwrap();
    let mut asks = Vec::new();
    for q in QUERIES {
        asks.push(serde_json::json!({"expr": q, "time": time}));
        asks.push(serde_json::json!({"expr": q, "start": start, "end": stop, "step": step}));
    }
    let queries_file = dir.join("queries.json");
    std::fs::write(&queries_file, serde_json::to_string(&asks).unwrap()).unwrap();
    let output = Command::new("python3")
        .arg(&tool)
        .arg("--quiet")
        .arg(&series_file)
        .arg(&queries_file)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        output.status.success(),
        "prom_oracle.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answers.len(), asks.len());

    let engine = Engine::default();
    let store = monitor.store();
    let mut problems = Vec::new();
    for (ask, answer) in asks.iter().zip(&answers) {
        let expr = ask["expr"].as_str().unwrap();
        let ours = if ask.get("time").is_some() {
            match engine.instant(store, expr, time * 1000) {
                Ok(e) => json::success(&e.value, &e.annotations),
                Err(e) => json::error(&e),
            }
        } else {
            match engine.range(store, expr, start * 1000, stop * 1000, step * 1000) {
                Ok(e) => json::success_matrix(&e.value, &e.annotations),
                Err(e) => json::error(&e),
            }
        };
        let ours: Value = serde_json::from_str(&ours).unwrap();
        if let Some(why) = differences(&ours, &answer["response"]) {
            let kind = if ask.get("time").is_some() {
                "instant"
            } else {
                "range"
            };
            problems.push(format!("{kind} {expr}: {why}"));
        }
    }
    println!(
        "{} of {} queries answered as Prometheus does",
        asks.len() - problems.len(),
        asks.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
