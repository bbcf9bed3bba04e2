//! Each capability of the scenario format, working through the contract:
//! the change timeline in the observation and in PromQL, a bad pod told
//! apart by its `pod` label, a saw-tooth with its restart counter, logs that
//! change after a right fix and after a wrong one, an onset before the
//! first step in a range query, a business signal, two faults graded, a
//! false alarm where any fix costs, and missing data found by `absent()`.

use firedrill::env::{Action, Env, GradeDimension, Selection};
use firedrill::promql::{instant_query, range_query, Value};
use firedrill::scenario::Catalog;

/// A drill with every capability: two faults (a bad deploy of `api` with
/// one bad pod, and a leaking `worker`), a change timeline with an
/// innocent change, a business signal, an onset 10 minutes before the
/// response, and an exporter of `billing` that stops answering.
const DRILL: &str = include_str!("fixtures/capabilities-drill.toml");

/// A false alarm: a disk alert on a backup host that nobody uses at night.
const FALSE_ALARM: &str = r#"
id = "false-alarm-drill"
title = "A disk alert paged at 03:10"
debrief_title = "False alarm: the alert's threshold is below the disk's normal nightly peak"
task = "root_cause_analysis"
summary = "A disk alert paged the on-call engineer at 03:10. No user has reported anything."
severity = "P4"
escalate_to = ["platform"]

[[services]]
name = "web"
team = "web"
depends_on = ["backup"]

[[services]]
name = "backup"
team = "platform"

[fault]
service = "backup"
cause = "false_alarm"
description = "The nightly snapshot fills the scratch disk to 91% every night and empties it by 04:00; the alert fires at 90%."
keywords = ["threshold too low"]

[[symptoms]]
service = "backup"
metric = "saturation_ratio"
delta = 0.3
cap = 0.91

[[alerts]]
name = "BackupDiskHigh"
service = "backup"
metric = "saturation_ratio"
threshold = 0.9
severity = "warning"
summary = "backup scratch disk above 90%"

[[remediations]]
service = "backup"
kind = "free_disk"
correct = false
harm = "low"
effect = "Deleted tonight's snapshot in progress; the disk empties by itself by 04:00."

[communication]
channels = ["slack"]
impact = ["nothing"]
"#;

fn env_for(text: &str, id: &str, seed: u64) -> Env {
    let mut catalog = Catalog::default();
    catalog
        .load_str(&format!("{id}.toml"), text)
        .expect("the drill is valid");
    let mut env = Env::with_catalog(catalog);
    env.reset(&Selection::Scenario(id.into()), seed)
        .expect("a reset");
    env
}

fn drill() -> Env {
    env_for(DRILL, "capabilities-drill", 3)
}

fn remediate(service: &str, kind: &str) -> Action {
    Action::new("remediate", Some(service)).with("kind", kind)
}

fn investigate(service: &str) -> Action {
    Action::new("investigate", Some(service))
}

/// The samples of an instant query at the episode's newest time.
fn query(env: &Env, expr: &str) -> Vec<(Vec<(String, String)>, f64)> {
    let monitor = env.monitor().expect("an episode");
    match instant_query(monitor.store(), expr, monitor.last_time() * 1000)
        .unwrap_or_else(|e| panic!("{expr}: {e:?}"))
    {
        Value::Vector(samples) => samples
            .into_iter()
            .map(|s| {
                let labels = s.labels.pairs().to_vec();
                (labels, s.value)
            })
            .collect(),
        Value::Scalar { value, .. } => vec![(Vec::new(), value)],
        other => panic!("{expr}: {other:?}"),
    }
}

fn label<'a>(labels: &'a [(String, String)], name: &str) -> Option<&'a str> {
    labels
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn dimension(env: &mut Env, name: GradeDimension) -> f64 {
    env.grade()
        .expect("a grade")
        .dimensions
        .iter()
        .find(|d| d.name == name)
        .map(|d| d.score)
        .unwrap_or_else(|| panic!("{name} is graded"))
}

#[test]
fn the_capabilities_trajectory_is_stable() {
    // The same constant is asserted by the wasm build (tests/web.rs): the
    // new capabilities keep native and wasm trajectories bit for bit equal.
    let mut catalog = Catalog::default();
    catalog
        .load_str("capabilities-drill.toml", DRILL)
        .expect("the drill is valid");
    let selection = Selection::Scenario("capabilities-drill".into());
    for (agent, golden) in [
        (
            "oracle",
            include_str!("golden/capabilities_digest_oracle.txt"),
        ),
        (
            "heuristic",
            include_str!("golden/capabilities_digest_heuristic.txt"),
        ),
    ] {
        let digest = firedrill::runner::trajectory_digest_in(
            Env::with_catalog(catalog.clone()),
            &selection,
            42,
            agent,
        )
        .unwrap();
        assert_eq!(format!("{digest:016x}"), golden.trim(), "{agent}");
    }
}

#[test]
fn a_change_is_in_the_observation_and_in_promql() {
    let mut env = drill();
    let obs = env.observation().unwrap();
    let kinds: Vec<(&str, &str)> = obs
        .changes
        .iter()
        .map(|c| (c.service.as_str(), c.kind.name()))
        .collect();
    assert_eq!(
        kinds,
        [("billing", "config"), ("api", "deploy"), ("api", "flag")]
    );
    assert_eq!(obs.changes[1].version, "2.1.0");
    // What changed in the last hour: the deploy, found by changes().
    let deployed = query(&env, "changes(deployment_revision[1h]) > 0");
    assert_eq!(deployed.len(), 1, "{deployed:?}");
    assert_eq!(label(&deployed[0].0, "service"), Some("api"));
    let running = query(&env, "deployment_info{service=\"api\"}");
    assert_eq!(running.len(), 1);
    assert_eq!(label(&running[0].0, "version"), Some("2.1.0"));
    assert_eq!(
        query(&env, "feature_flag_enabled{flag=\"new-basket\"}")[0].1,
        1.0
    );
    // The responder's rollback is on the timeline too, and PromQL sees the old version back.
    env.step(&remediate("api", "rollback")).unwrap();
    let obs = env.observation().unwrap();
    let last = obs.changes.last().unwrap();
    assert_eq!(
        (last.author.as_str(), last.version.as_str()),
        ("incident response", "2.0.4")
    );
    let running = query(&env, "deployment_info{service=\"api\"}");
    assert_eq!(label(&running[0].0, "version"), Some("2.0.4"));
    assert_eq!(
        query(&env, "deployment_revision{service=\"api\"}")[0].1,
        3.0
    );
}

#[test]
fn the_pod_label_separates_the_bad_pod() {
    let mut env = drill();
    for _ in 0..3 {
        env.step(&investigate("api")).unwrap();
    }
    let worst = query(&env, "topk(1, pod_error_ratio{service=\"api\"})");
    assert_eq!(label(&worst[0].0, "pod"), Some("api-2"));
    assert_eq!(label(&worst[0].0, "zone"), Some("zone-a"));
    assert!(worst[0].1 > 0.5, "{worst:?}");
    let healthy = query(&env, "pod_error_ratio{service=\"api\"} < 0.05");
    assert_eq!(healthy.len(), 3, "{healthy:?}");
    // The service is the mean of its pods.
    let service = query(&env, "error_ratio{service=\"api\"}")[0].1;
    assert!((0.1..0.3).contains(&service), "{service}");
    // The investigate view shows the same.
    let obs = env.observation().unwrap();
    let pods = &obs.investigations[0].instances;
    assert_eq!(pods.len(), 4);
    assert!(pods[2].error_ratio > 0.5 && pods[0].error_ratio < 0.05);
}

#[test]
fn a_sawtooth_climbs_is_killed_and_counts_restarts() {
    let mut env = drill();
    let mut memory = Vec::new();
    for _ in 0..12 {
        env.step(&investigate("billing")).unwrap();
        memory.push(query(&env, "memory_usage_ratio{service=\"worker\"}")[0].1);
    }
    let restarts = query(
        &env,
        "kube_pod_container_status_restarts_total{service=\"worker\"}",
    )[0]
    .1;
    assert!(restarts >= 2.0, "{restarts} restarts; memory {memory:?}");
    let drops = memory.windows(2).filter(|w| w[1] < w[0] - 0.3).count();
    assert!(drops >= 2, "no saw-tooth: {memory:?}");
    assert!(memory.iter().any(|m| *m > 0.85), "{memory:?}");
    // An OOM kill shows as a missed health check.
    let dips = query(
        &env,
        "count_over_time((up{service=\"worker\"} == 0)[10m:30s])",
    );
    assert!(dips.first().is_some_and(|d| d.1 >= 1.0), "{dips:?}");
}

#[test]
fn logs_change_after_a_right_fix_and_carry_the_metrics() {
    let mut env = drill();
    env.step(&investigate("api")).unwrap();
    let errors_before = env
        .service_logs("api", 100)
        .unwrap()
        .iter()
        .filter(|l| l.message.starts_with("handler panicked"))
        .count();
    assert!(errors_before >= 2);
    let line = env
        .service_logs("api", 100)
        .unwrap()
        .into_iter()
        .rev()
        .find(|l| l.message.starts_with("handler panicked"))
        .unwrap();
    let metric = query(&env, "error_ratio{service=\"api\"}")[0].1;
    assert!(
        line.message
            .contains(&format!("({:.1}% of requests failing)", 100.0 * metric)),
        "{} vs {metric}",
        line.message
    );
    // A wrong fix: its own line, and the errors go on.
    env.step(&remediate("billing", "restart")).unwrap();
    env.step(&investigate("worker")).unwrap();
    let logs = env.service_logs("api", 100).unwrap();
    assert!(logs
        .iter()
        .rev()
        .take(3)
        .any(|l| l.message.starts_with("handler panicked")));
    let billing = env.service_logs("billing", 100).unwrap();
    assert!(billing
        .iter()
        .any(|l| l.message == "rolling restart complete: 3 pods replaced"));
    // The right fix: the rollback line, then recovery lines instead of errors.
    env.step(&remediate("api", "rollback")).unwrap();
    let fix_step = env.observation().unwrap().step;
    for _ in 0..3 {
        env.step(&investigate("worker")).unwrap();
    }
    let logs = env.service_logs("api", 100).unwrap();
    assert!(logs
        .iter()
        .any(|l| l.message == "rollback complete: now running 2.0.4"));
    assert!(!logs
        .iter()
        .any(|l| l.step > fix_step && l.message.starts_with("handler panicked")));
    assert!(logs
        .iter()
        .any(|l| l.step > fix_step && l.message.starts_with("error rate back to")));
}

#[test]
fn an_onset_in_the_past_shows_in_a_range_query_before_the_first_step() {
    let env = drill();
    let monitor = env.monitor().unwrap();
    let start = monitor.incident_start() * 1000;
    let series = range_query(
        monitor.store(),
        "max(pod_error_ratio{service=\"api\"})",
        start - 20 * 60_000,
        start - 30_000,
        30_000,
    )
    .unwrap();
    let points = &series[0].points;
    let before = points.iter().filter(|(t, _)| *t < start - 10 * 60_000);
    assert!(before.clone().all(|(_, v)| *v < 0.05), "{points:?}");
    let late = points.last().unwrap().1;
    assert!(late > 0.5, "the history ends healthy: {points:?}");
    // A business signal falls with the failed checkouts.
    let orders = query(&env, "orders_per_minute")[0].1;
    assert!(orders < 380.0, "{orders}");
}

#[test]
fn missing_data_is_found_by_absent() {
    let mut env = drill();
    env.step(&investigate("api")).unwrap();
    assert_eq!(
        query(&env, "absent(error_ratio{service=\"billing\"})")[0].1,
        1.0
    );
    assert!(query(&env, "absent(error_ratio{service=\"api\"})").is_empty());
    assert_eq!(query(&env, "up{service=\"billing\"}")[0].1, 0.0);
    // The scrape failure fires the default down alert; nothing that needs
    // the missing series can fire.
    let alerts: Vec<String> = env
        .observation()
        .unwrap()
        .alerts
        .iter()
        .filter(|a| a.service == "billing")
        .map(|a| a.name.clone())
        .collect();
    assert_eq!(alerts, ["BillingDown"], "{alerts:?}");
    let obs = env.observation().unwrap();
    let billing = obs.services.iter().find(|s| s.name == "billing").unwrap();
    assert!(billing.data_missing);
    // The exposition leaves the missing series out.
    let text = env.monitor().unwrap().exposition();
    assert!(!text.contains("error_ratio{service=\"billing\"}"));
    assert!(text.contains("up{service=\"billing\"} 0"));
}

#[test]
fn two_faults_are_each_to_be_found_and_fixed() {
    let both = |actions: &[Action]| {
        let mut env = drill();
        for action in actions {
            env.step(action).unwrap();
        }
        (
            dimension(&mut env, GradeDimension::DiagnosisAccuracy),
            dimension(&mut env, GradeDimension::RemediationQuality),
        )
    };
    let diagnose = |service: &str, cause: &str| {
        Action::new("diagnose", Some(service)).with("root_cause", cause)
    };
    let one = both(&[remediate("api", "rollback"), diagnose("api", "bad_deploy")]);
    let two = both(&[
        remediate("api", "rollback"),
        remediate("worker", "rollback"),
        diagnose("api", "bad_deploy"),
        diagnose("worker", "memory_leak"),
    ]);
    assert_eq!(one, (0.5, 0.5));
    assert_eq!(two, (1.0, 1.0));
    // The oracle finds and fixes both.
    let mut env = drill();
    let mut oracle = firedrill::agents::by_name("oracle", 3).unwrap();
    firedrill::runner::run_episode(
        &mut env,
        &Selection::Scenario("capabilities-drill".into()),
        3,
        firedrill::runner::Driver::Agent(oracle.as_mut()),
    )
    .unwrap();
    let grade = env.grade().unwrap();
    assert!(grade.score >= 0.9, "{:#?}", grade.dimensions);
}

#[test]
fn a_false_alarm_rewards_restraint() {
    let play = |fix: bool| {
        let mut env = env_for(FALSE_ALARM, "false-alarm-drill", 1);
        env.step(&investigate("backup")).unwrap();
        env.step(&Action::new("classify", None).with("severity", "P4"))
            .unwrap();
        if fix {
            env.step(&remediate("backup", "free_disk")).unwrap();
        }
        let last = env
            .step(&Action::new("diagnose", Some("backup")).with("root_cause", "false_alarm"))
            .unwrap();
        assert!(last.terminated, "a diagnosis ends a false alarm's analysis");
        env.grade().unwrap().score
    };
    let held_still = play(false);
    let fixed = play(true);
    assert!(held_still >= 0.95, "{held_still}");
    assert!(fixed < held_still - 0.1, "{fixed} vs {held_still}");
    // Any fix at all, even one the file does not list, costs.
    let mut env = env_for(FALSE_ALARM, "false-alarm-drill", 1);
    env.step(&remediate("web", "restart")).unwrap();
    assert!(dimension(&mut env, GradeDimension::RemediationQuality) < 1.0);
}

#[test]
fn a_missing_histogram_leaves_the_map_live() {
    // bad-deploy-v2's release renamed its latency histogram: the panel goes
    // stale, but the gauges the map shows still arrive.
    let mut env = Env::new();
    env.reset(&Selection::Scenario("bad-deploy-v2".into()), 1)
        .expect("a built-in");
    env.step(&investigate("rate-engine")).unwrap();
    assert_eq!(
        query(
            &env,
            "absent(http_request_duration_seconds_count{service=\"rate-engine\"})"
        )[0]
        .1,
        1.0
    );
    let obs = env.observation().unwrap();
    let engine = obs
        .services
        .iter()
        .find(|s| s.name == "rate-engine")
        .unwrap();
    assert!(!engine.data_missing);
    let live = query(&env, "error_ratio{service=\"rate-engine\"}")[0].1;
    assert_eq!(engine.error_ratio, live);
}
