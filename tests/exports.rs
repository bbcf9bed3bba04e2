//! Exposition and exports: shapes checked here, and by the real tools
//! (`promtool`) when they are installed.

use firedrill::agents::by_name;
use firedrill::env::{Env, Selection};
use firedrill::metrics::export::{grafana_dashboard, otlp_logs, rules_yaml};
use firedrill::metrics::families::FAMILIES;
use firedrill::runner::{run_episode, Driver};
use std::io::Write;
use std::process::{Command, Stdio};

fn played(id: &str, agent: &str) -> Env {
    let mut env = Env::new();
    let mut agent = by_name(agent, 1).unwrap();
    run_episode(
        &mut env,
        &Selection::Scenario(id.into()),
        1,
        Driver::Agent(agent.as_mut()),
    )
    .unwrap();
    env
}

fn promtool() -> Option<&'static str> {
    Command::new("promtool")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| "promtool")
}

#[test]
fn exposition_has_help_and_type_for_every_family() {
    let env = played("connection-pool-exhaustion-v1", "heuristic");
    let text = env.monitor().unwrap().exposition();
    for family in FAMILIES.iter().filter(|f| f.name != "ALERTS") {
        assert!(
            text.contains(&format!("# HELP {} ", family.name)),
            "no HELP for {}",
            family.name
        );
        assert!(
            text.contains(&format!("# TYPE {} {}\n", family.name, family.kind.name())),
            "no TYPE for {}",
            family.name
        );
    }
    assert!(
        text.contains("http_request_duration_seconds_bucket{le=\"+Inf\",service=\"orders-db\"} ")
    );
    assert!(text.contains("up{service=\"checkout\"} 1\n"));
}

#[test]
fn histogram_buckets_are_cumulative_and_match_the_count() {
    let env = played("connection-pool-exhaustion-v1", "oracle");
    let monitor = env.monitor().unwrap();
    let set = monitor.metrics();
    for service in ["orders-db", "checkout"] {
        let buckets: Vec<f64> = set
            .series()
            .iter()
            .zip(set.values())
            .filter(|(s, _)| {
                s.metric == "http_request_duration_seconds_bucket"
                    && s.labels.iter().any(|(k, v)| k == "service" && v == service)
            })
            .map(|(_, v)| *v)
            .collect();
        assert_eq!(buckets.len(), 12);
        assert!(
            buckets.windows(2).all(|w| w[0] <= w[1]),
            "{service}: {buckets:?}"
        );
        let count = set
            .series()
            .iter()
            .zip(set.values())
            .find(|(s, _)| {
                s.metric == "http_request_duration_seconds_count"
                    && s.labels.iter().any(|(k, v)| k == "service" && v == service)
            })
            .map(|(_, v)| *v)
            .unwrap();
        assert_eq!(buckets[11], count);
    }
}

#[test]
fn openmetrics_is_grouped_timed_and_terminated() {
    let env = played("memory-leak-v1", "heuristic");
    let text = env.monitor().unwrap().openmetrics();
    assert!(text.ends_with("# EOF\n"));
    assert!(text.contains("# TYPE http_requests counter\n"));
    assert!(text.contains("# UNIT http_request_duration_seconds seconds\n"));
    // Each series' timestamps increase.
    let mut last: std::collections::HashMap<String, f64> = Default::default();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (series, rest) = line
            .rsplit_once('}')
            .map(|(a, b)| (a.to_string(), b))
            .unwrap_or_else(|| {
                let mut parts = line.splitn(2, ' ');
                (parts.next().unwrap().to_string(), parts.next().unwrap())
            });
        let t: f64 = rest.split_whitespace().nth(1).unwrap().parse().unwrap();
        if let Some(prev) = last.insert(series.clone(), t) {
            assert!(t > prev, "{series}: {t} after {prev}");
        }
    }
}

#[test]
fn rules_grafana_otlp_and_csv_have_their_shapes() {
    let env = played("connection-pool-exhaustion-v1", "oracle");
    let scenario = env.scenario().unwrap().clone();
    let rules = rules_yaml(&scenario);
    assert!(rules.contains("      - alert: OrdersDbPoolSaturated\n        expr: \"saturation_ratio{service=\\\"orders-db\\\"} > 0.9\"\n"));
    let dashboard = grafana_dashboard(&scenario);
    assert_eq!(dashboard["schemaVersion"], 42);
    assert_eq!(dashboard["templating"]["list"][0]["type"], "datasource");
    assert!(dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["datasource"]["uid"] == "${datasource}"));
    let logs = otlp_logs(&scenario, &env.logs().unwrap());
    let first = &logs["resourceLogs"][0];
    assert_eq!(first["resource"]["attributes"][0]["key"], "service.name");
    let record = &first["scopeLogs"][0]["logRecords"][0];
    assert!(record["timeUnixNano"].as_str().unwrap().len() >= 19);
    assert!(record["severityNumber"].as_u64().unwrap() >= 1);
    let csv = env.monitor().unwrap().recorder().csv();
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("step,time,web-frontend_latency_p99_seconds"));
    assert!(header.ends_with("firing_alerts"));
    // History (120 steps) plus step 0 plus one per action.
    let steps = env.state().unwrap().step as usize;
    assert_eq!(csv.lines().count(), 1 + 120 + 1 + steps);
    let last = csv.lines().last().unwrap();
    assert!(last.contains(",-1,"), "MTTR is -1 once resolved: {last}");
}

#[test]
fn promtool_accepts_exposition_rules_and_openmetrics() {
    let Some(promtool) = promtool() else {
        eprintln!(
            "promtool not installed; skipping the real-tool checks (apt-get install prometheus)"
        );
        return;
    };
    let catalog = Env::new().catalog().clone();
    let dir = std::env::temp_dir().join(format!("firedrill-promtool-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, s) in catalog.scenarios().iter().enumerate() {
        let env = played(&s.id, "heuristic");
        let monitor = env.monitor().unwrap();
        let mut child = Command::new(promtool)
            .args(["check", "metrics"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(monitor.exposition().as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
            "{}: {}{}",
            s.id,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let rules = dir.join(format!("{}.rules.yml", s.id));
        std::fs::write(&rules, rules_yaml(s)).unwrap();
        let out = Command::new(promtool)
            .args(["check", "rules"])
            .arg(&rules)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            s.id,
            String::from_utf8_lossy(&out.stderr)
        );
        if i < 3 {
            let om = dir.join(format!("{}.om", s.id));
            std::fs::write(&om, monitor.openmetrics()).unwrap();
            let out = Command::new(promtool)
                .args(["tsdb", "create-blocks-from", "openmetrics"])
                .arg(&om)
                .arg(dir.join(format!("{}.tsdb", s.id)))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}: {}",
                s.id,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
