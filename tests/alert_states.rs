//! Alerts and SLOs as Prometheus records them: `ALERTS` pending and firing
//! with staleness markers, `ALERTS_FOR_STATE`, the SLOs' recording-rule
//! series; and both against a real Prometheus (`promtool test rules`, from
//! Debian's `prometheus` package: without it these skip, and fail with `CI`
//! set).
//!
//! The differential tests write a `promtool test rules` file from a played
//! episode: every scraped series as `input_series`, the rules export, and
//! at every step what Firedrill's engine answers, which promtool must find
//! too. Prometheus 2.42 (Debian's) includes a range window's left end
//! (later versions, and Firedrill's engine, do not); the recording rules'
//! windows are therefore checked with the samples placed between the
//! evaluations (15 s after each, with `_` for "no sample" in between), so
//! that no sample sits on a window's edge. The alerts are checked with the
//! samples on the evaluations, as the environment evaluates them, over the
//! SLO series Firedrill recorded.

use firedrill::env::{Env, Selection};
use firedrill::metrics::export::{rules_yaml, sli_expr};
use firedrill::promql::{Engine, Value};
use firedrill::runner::{run_episode, Driver};
use firedrill::scenario::{Scenario, SLI_WINDOWS};
use firedrill::series::{format_value, is_stale_nan, Store};
use std::fmt::Write;
use std::path::Path;
use std::process::Command;

mod common;

/// The episode of the oracle on `id`, seed 1 (its fixes resolve the alerts).
fn played(id: &str) -> Env {
    let mut env = Env::new();
    let mut agent = firedrill::agents::by_name("oracle", 1).unwrap();
    run_episode(
        &mut env,
        &Selection::Scenario(id.into()),
        1,
        Driver::Agent(agent.as_mut()),
    )
    .unwrap();
    env
}

/// Times (ms) of the incident's steps.
fn step_times(env: &Env) -> Vec<i64> {
    let monitor = env.monitor().unwrap();
    let step = monitor.step_seconds() as i64 * 1000;
    (0..)
        .map(|k| monitor.incident_start() * 1000 + k * step)
        .take_while(|t| *t <= monitor.last_time() * 1000)
        .collect()
}

fn vector(store: &Store, query: &str, t: i64) -> Vec<(String, f64)> {
    match Engine::default().instant(store, query, t).unwrap().value {
        Value::Vector(samples) => {
            let mut v: Vec<(String, f64)> = samples
                .into_iter()
                .map(|s| (labels_text(s.labels.pairs()), s.value))
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        }
        other => panic!("{query}: a vector, found {other:?}"),
    }
}

/// `name{a="b",…}` as promtool writes series.
fn labels_text(pairs: &[(String, String)]) -> String {
    let name = pairs
        .iter()
        .find(|(k, _)| k == "__name__")
        .map_or("", |(_, v)| v.as_str());
    let rest: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k != "__name__")
        .map(|(k, v)| format!("{k}={}", serde_json::to_string(v).unwrap()))
        .collect();
    format!("{name}{{{}}}", rest.join(","))
}

const POOL: &str = "connection-pool-exhaustion-v1";

#[test]
fn a_resolved_alert_leaves_no_point_after_its_resolution() {
    let env = played(POOL);
    let state = env.state().unwrap();
    let store = env.monitor().unwrap().store();
    let times = step_times(&env);
    let (first, last) = (times[0], *times.last().unwrap());
    let resolved: Vec<_> = state
        .alerts
        .iter()
        .filter(|a| a.state == firedrill::env::AlertState::Resolved)
        .collect();
    assert!(!resolved.is_empty(), "the oracle's fix resolves alerts");
    for alert in resolved {
        // The evaluation labelled `since_step` k ran at the time of step k + 1
        // (after the k-th action), except the reset's (0).
        let query = format!(
            r#"ALERTS{{alertstate="firing",alertname="{}"}}"#,
            alert.name
        );
        let matrix = firedrill::promql::range_query(store, &query, first, last, 30_000).unwrap();
        let points: Vec<i64> = matrix
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .collect();
        assert!(!points.is_empty(), "{} fired", alert.name);
        let end_of_firing = *points.iter().max().unwrap();
        // Every step after the last firing point has no point, up to the end.
        let after: Vec<i64> = times
            .iter()
            .copied()
            .filter(|t| *t > end_of_firing)
            .collect();
        assert!(!after.is_empty(), "{} resolved before the end", alert.name);
        for t in after {
            assert!(
                vector(store, &query, t).is_empty(),
                "{} still returned at {t} after its last firing evaluation {end_of_firing}",
                alert.name
            );
        }
    }
}

#[test]
fn pending_comes_before_firing_and_alerts_for_state_keeps_the_start() {
    let env = played(POOL);
    let scenario = env.scenario().unwrap().clone();
    let store = env.monitor().unwrap().store();
    let times = step_times(&env);
    let mut pending_seen = 0;
    for rule in scenario.alerts.iter().filter(|r| r.for_steps > 0) {
        let pending = format!(
            r#"ALERTS{{alertstate="pending",alertname="{}"}}"#,
            rule.name
        );
        let firing = format!(r#"ALERTS{{alertstate="firing",alertname="{}"}}"#, rule.name);
        let for_state = format!(r#"ALERTS_FOR_STATE{{alertname="{}"}}"#, rule.name);
        let mut pending_since: Option<i64> = None;
        let mut was_firing = false;
        for t in &times {
            let p = vector(store, &pending, *t);
            let f = vector(store, &firing, *t);
            let s = vector(store, &for_state, *t);
            assert!(
                p.is_empty() || f.is_empty(),
                "{} pending and firing at {t}",
                rule.name
            );
            if !p.is_empty() {
                pending_seen += 1;
                pending_since.get_or_insert(*t);
            }
            if !p.is_empty() || !f.is_empty() {
                assert_eq!(s.len(), 1, "{} ALERTS_FOR_STATE at {t}", rule.name);
                if let Some(since) = pending_since {
                    assert_eq!(s[0].1, (since / 1000) as f64, "{} activeAt", rule.name);
                }
            } else {
                assert!(
                    s.is_empty(),
                    "{} ALERTS_FOR_STATE while inactive at {t}",
                    rule.name
                );
                pending_since = None;
            }
            if !f.is_empty() && !was_firing {
                let held = (t - pending_since.expect("pending before firing")) / 30_000;
                assert_eq!(
                    held, rule.for_steps as i64,
                    "{} fired after its for",
                    rule.name
                );
            }
            was_firing = !f.is_empty();
        }
    }
    assert!(pending_seen > 0, "some rule with `for` was pending");
}

#[test]
fn slo_series_are_what_the_recording_rules_compute() {
    for id in [POOL, "bad-deploy-v1", "slow-third-party-v2"] {
        let env = played(id);
        let scenario = env.scenario().unwrap().clone();
        let store = env.monitor().unwrap().store();
        let mut compared = 0;
        for t in step_times(&env) {
            for spec in &scenario.slos {
                for (_, w) in SLI_WINDOWS {
                    let expected = vector(store, &sli_expr(spec, w), t);
                    let recorded = vector(
                        store,
                        &format!(
                            r#"slo:sli_error:ratio_rate{w}{{service="{}",slo="{}"}}"#,
                            spec.service,
                            spec.kind.name()
                        ),
                        t,
                    );
                    assert_eq!(
                        expected.len(),
                        recorded.len(),
                        "{id} {} {w} at {t}",
                        spec.service
                    );
                    for ((_, a), (_, b)) in expected.iter().zip(&recorded) {
                        assert!(
                            (a - b).abs() <= 1e-12 * a.abs().max(1e-12),
                            "{id} {} {} {w} at {t}: rule {a}, recorded {b}",
                            spec.service,
                            spec.kind.name()
                        );
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 100, "{id}: {compared} values compared");
    }
}

/// The `input_series` of a promtool test: every scraped series of the
/// store (those `keep` selects) from `origin_ms`, a slot every `interval_ms`, each
/// sample in the slot at its time (`_` where none, `stale` for a
/// staleness marker).
fn input_series(
    store: &Store,
    keep: impl Fn(&str) -> bool,
    origin_ms: i64,
    interval_ms: i64,
) -> String {
    let mut out = String::from("    input_series:\n");
    for series in store.series().iter() {
        let name = series.labels().metric_name().unwrap_or("");
        if !keep(name) || series.is_empty() {
            continue;
        }
        let mut slots: Vec<String> = Vec::new();
        for (t, v) in series.samples() {
            let slot = ((t - origin_ms) / interval_ms) as usize;
            assert_eq!((t - origin_ms) % interval_ms, 0, "a sample between slots");
            while slots.len() < slot {
                slots.push("_".into());
            }
            slots.push(if is_stale_nan(v) {
                "stale".into()
            } else {
                format_value(v)
            });
        }
        let _ = writeln!(
            out,
            "      - series: {}\n        values: \"{}\"",
            serde_json::to_string(&labels_text(series.labels().pairs())).unwrap(),
            slots.join(" ")
        );
    }
    out
}

fn promtool() -> Option<&'static str> {
    common::require_or_skip(
        Command::new("promtool")
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|_| "promtool")
            .ok_or_else(|| "promtool (not on PATH)".to_string()),
        "run scripts/setup (it installs Debian's prometheus package, which has promtool)",
    )
}

/// Runs `promtool test rules` on `test` (in `dir`, beside its rules file).
fn promtool_test(promtool: &str, dir: &Path, test: &str) {
    let file = dir.join("test.yml");
    std::fs::write(&file, test).unwrap();
    let out = Command::new(promtool)
        .args(["test", "rules"])
        .arg(&file)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "promtool test rules {}:\n{}",
        file.display(),
        &text[..text.len().min(6000)]
    );
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("firedrill-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The alert rules of `scenario` alone (no recording rules).
fn alert_rules_only(scenario: &Scenario) -> String {
    // The recording rules' series come from the input instead.
    let yaml = rules_yaml(scenario);
    let mut out = String::new();
    let mut skipping = false;
    for line in yaml.lines() {
        if line.starts_with("      - record:") {
            skipping = true;
        } else if line.starts_with("      - alert:") {
            skipping = false;
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn expected_samples(samples: &[(String, f64)], shift_s: f64, for_state: bool) -> String {
    if samples.is_empty() {
        return "        exp_samples: []\n".into();
    }
    let mut out = String::from("        exp_samples:\n");
    for (labels, value) in samples {
        let value = if for_state { value - shift_s } else { *value };
        let _ = writeln!(
            out,
            "          - labels: {}\n            value: {}",
            serde_json::to_string(labels).unwrap(),
            format_value(value)
        );
    }
    out
}

#[test]
fn alerts_match_a_real_prometheus_over_the_episode() {
    let Some(promtool) = promtool() else {
        return;
    };
    let env = played(POOL);
    let scenario = env.scenario().unwrap().clone();
    let monitor = env.monitor().unwrap();
    let store = monitor.store();
    let origin = monitor.first_time() * 1000;
    let dir = temp_dir("alerts-differential");
    std::fs::write(dir.join("rules.yml"), alert_rules_only(&scenario)).unwrap();
    let mut test = String::from(
        "rule_files: [rules.yml]\nevaluation_interval: 30s\ntests:\n  - interval: 30s\n",
    );
    test.push_str(&input_series(
        store,
        |name| !name.starts_with("ALERTS"),
        origin,
        30_000,
    ));
    test.push_str("    promql_expr_test:\n");
    let mut firing = 0;
    let mut pending = 0;
    for t in step_times(&env) {
        let eval = format!("{}s", (t - origin) / 1000);
        for (expr, for_state) in [("ALERTS", false), ("ALERTS_FOR_STATE", true)] {
            let samples = vector(store, expr, t);
            if !for_state {
                firing += samples
                    .iter()
                    .filter(|s| s.0.contains("\"firing\""))
                    .count();
                pending += samples
                    .iter()
                    .filter(|s| s.0.contains("\"pending\""))
                    .count();
            }
            let _ = writeln!(test, "      - expr: {expr}\n        eval_time: {eval}");
            test.push_str(&expected_samples(
                &samples,
                (origin / 1000) as f64,
                for_state,
            ));
        }
    }
    assert!(
        firing > 0 && pending > 0,
        "{firing} firing, {pending} pending samples"
    );
    promtool_test(promtool, &dir, &test);
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("ALERTS and ALERTS_FOR_STATE agree with promtool at every step: {firing} firing and {pending} pending samples");
}

#[test]
fn slo_recording_rules_match_a_real_prometheus() {
    let Some(promtool) = promtool() else {
        return;
    };
    let env = played(POOL);
    let scenario = env.scenario().unwrap().clone();
    let monitor = env.monitor().unwrap();
    let store = monitor.store();
    // Samples 15 s after each evaluation slot: slot 0 is 15 s before the first sample.
    let origin = monitor.first_time() * 1000 - 15_000;
    let dir = temp_dir("slo-differential");
    let mut rules = rules_yaml(&scenario);
    // The alerts are checked on their own; here only the recording rules.
    if let Some(i) = rules.find("      - alert:") {
        rules.truncate(i);
    }
    std::fs::write(dir.join("rules.yml"), &rules).unwrap();
    let mut test = String::from(
        "rule_files: [rules.yml]\nevaluation_interval: 30s\ntests:\n  - interval: 15s\n",
    );
    test.push_str(&input_series(
        store,
        |name| !name.starts_with("ALERTS") && !name.starts_with("slo:"),
        origin,
        15_000,
    ));
    let mut compared = 0;
    // Firedrill's answers, as input series at the evaluations (even slots).
    let mut expected_series = String::new();
    let times = step_times(&env);
    for (w_index, (_, w)) in SLI_WINDOWS.iter().enumerate() {
        for spec in &scenario.slos {
            let mut slots = Vec::new();
            for t in &times {
                let at = t + 15_000;
                let slot = ((at - origin) / 15_000) as usize;
                while slots.len() < slot {
                    slots.push("_".to_string());
                }
                match vector(store, &sli_expr(spec, w), at).first() {
                    Some((_, v)) => {
                        slots.push(format_value(*v));
                        compared += 1;
                    }
                    None => slots.push("_".into()),
                }
            }
            let _ = writeln!(
                expected_series,
                "      - series: 'expected_sli{{window=\"{w_index}\",service=\"{}\",slo=\"{}\"}}'\n        values: \"{}\"",
                spec.service,
                spec.kind.name(),
                slots.join(" ")
            );
        }
    }
    test.push_str(&expected_series);
    test.push_str("    promql_expr_test:\n");
    // …and at every evaluation, every recorded value within 1e-9 of Firedrill's.
    for t in &times {
        let at = t + 15_000;
        let eval = format!("{}s", (at - origin) / 1000);
        for (w_index, (_, w)) in SLI_WINDOWS.iter().enumerate() {
            let n = scenario
                .slos
                .iter()
                .filter(|spec| !vector(store, &sli_expr(spec, w), at).is_empty())
                .count();
            let _ = writeln!(
                test,
                "      - expr: 'count(abs(slo:sli_error:ratio_rate{w} - on (service, slo) expected_sli{{window=\"{w_index}\"}}) <= 1e-9)'\n        eval_time: {eval}"
            );
            if n == 0 {
                test.push_str("        exp_samples: []\n");
            } else {
                let _ = writeln!(
                    test,
                    "        exp_samples:\n          - labels: '{{}}'\n            value: {n}"
                );
            }
        }
    }
    assert!(compared > 500, "{compared} values");
    promtool_test(promtool, &dir, &test);
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("SLO recording rules agree with promtool: {compared} values");
}

#[test]
fn promtool_unit_test_of_a_burn_rate_alert_passes() {
    // The rules file the unit test loads is the export as it stands.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/promtool");
    let env = {
        let mut env = Env::new();
        env.reset(&Selection::Scenario(POOL.into()), 1).unwrap();
        env
    };
    let exported = rules_yaml(env.scenario().unwrap());
    let checked_in = std::fs::read_to_string(dir.join(format!("{POOL}.rules.yml"))).unwrap();
    assert!(
        exported == checked_in,
        "tests/promtool/{POOL}.rules.yml is not the current export: run `cargo run -q -- export rules --scenario {POOL} > tests/promtool/{POOL}.rules.yml`"
    );
    let Some(promtool) = promtool() else {
        return;
    };
    let out = Command::new(promtool)
        .args(["test", "rules", "burn-rate.test.yml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
