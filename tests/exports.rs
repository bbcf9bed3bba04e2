//! Exposition and exports: shapes checked here, and by the real tools
//! (`promtool`, the `../shared/tools` validators). Without a tool its test
//! skips and says what is missing; with `CI` set it fails instead.

use firedrill::agents::by_name;
use firedrill::env::{Env, Selection};
use firedrill::export::{episode_export, ExportKind};
use firedrill::metrics::export::{otlp_logs, rules_yaml};
use firedrill::metrics::families::FAMILIES;
use firedrill::metrics::grafana::overview_dashboard;
use firedrill::promql::{Engine, Value as QueryValue};
use firedrill::runner::{run_episode, Driver};
use firedrill::scenario::Catalog;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod common;

fn played(id: &str, agent: &str) -> Env {
    played_in(Env::new(), id, agent)
}

fn played_in(mut env: Env, id: &str, agent: &str) -> Env {
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

/// The fixture drill with every capability (pods, business signal, changes,
/// missing data), played by `agent`.
fn played_fixture(agent: &str) -> Env {
    let mut catalog = Catalog::default();
    catalog
        .load_str(
            "capabilities-drill.toml",
            include_str!("fixtures/capabilities-drill.toml"),
        )
        .unwrap();
    played_in(Env::with_catalog(catalog), "capabilities-drill", agent)
}

/// Scenarios whose three dashboards are checked query by query and by the
/// Grafana validator (with the fixture): versions, flags, pods, business
/// signals between them.
const DASHBOARD_SCENARIOS: [&str; 4] = [
    "dns-failure-v1",
    "connection-pool-exhaustion-v1",
    "bad-deploy-v4",
    "bad-upstream-data-v2",
];

/// The Grafana dashboard kinds.
const DASHBOARDS: [ExportKind; 3] = [
    ExportKind::Grafana,
    ExportKind::GrafanaSlo,
    ExportKind::GrafanaService,
];

/// The episodes whose dashboards are checked: (name, env).
fn dashboard_episodes() -> Vec<(String, Env)> {
    DASHBOARD_SCENARIOS
        .iter()
        .map(|id| (id.to_string(), played(id, "heuristic")))
        .chain(std::iter::once((
            "capabilities-drill".to_string(),
            played_fixture("heuristic"),
        )))
        .collect()
}

/// Every panel of a dashboard, rows' own panels included.
fn panels(dashboard: &Value) -> Vec<&Value> {
    dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| std::iter::once(p).chain(p["panels"].as_array().into_iter().flatten()))
        .collect()
}

/// A query with Grafana's variables replaced as Grafana would: `$service`
/// by `service`, `$slo` by both objectives, the intervals by durations.
fn substituted(expr: &str, service: &str, range: &str) -> String {
    expr.replace("$__rate_interval", "2m")
        .replace("$__interval", "1m")
        .replace("$__range", range)
        .replace("$service", service)
        .replace("$slo", "availability|latency")
}

#[test]
fn every_dashboard_has_its_variables_rows_links_and_stable_uid() {
    let env = played("dns-failure-v1", "oracle");
    let scenario = env.scenario().unwrap().clone();
    let handle = scenario.handle().to_lowercase();
    let mut uids = Vec::new();
    for kind in DASHBOARDS {
        let text = episode_export(&env, kind).unwrap();
        assert!(
            !text.contains(&scenario.id) && !text.contains(&scenario.fault.cause),
            "{kind:?} names the scenario's id or cause"
        );
        assert!(!text.contains(&scenario.debrief_title), "{kind:?}");
        let dashboard: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(dashboard["schemaVersion"], 42);
        let uid = dashboard["uid"].as_str().unwrap().to_string();
        assert!(uid.starts_with(&format!("firedrill-{handle}-")), "{uid}");
        assert!(uid.len() <= 40);
        assert!(dashboard["title"]
            .as_str()
            .unwrap()
            .contains(&scenario.title));
        let variables = dashboard["templating"]["list"].as_array().unwrap();
        assert_eq!(variables[0]["name"], "datasource");
        assert_eq!(variables[0]["type"], "datasource");
        assert_eq!(variables[0]["query"], "prometheus");
        let service = variables.iter().find(|v| v["name"] == "service").unwrap();
        assert_eq!(service["definition"], "label_values(up, service)");
        assert_eq!(service["multi"], kind != ExportKind::GrafanaService);
        let panels = panels(&dashboard);
        assert!(panels.iter().filter(|p| p["type"] == "row").count() >= 3);
        for panel in &panels {
            assert_eq!(panel["datasource"]["uid"], "${datasource}", "{panel}");
            if panel["type"] == "row" {
                continue;
            }
            assert!(!panel["description"].as_str().unwrap().is_empty());
            assert!(panel["fieldConfig"]["defaults"]["unit"].is_string());
            assert!(panel["fieldConfig"]["defaults"]["thresholds"]["steps"].is_array());
            let targets = panel["targets"].as_array().unwrap();
            assert!(!targets.is_empty(), "{panel}");
            for target in targets {
                assert_eq!(target["datasource"]["uid"], "${datasource}", "{target}");
            }
        }
        // A link to the drill's dashboards by tag, and one to each other board.
        let links = dashboard["links"].as_array().unwrap();
        assert_eq!(links[0]["tags"][0], format!("firedrill-{handle}"));
        assert!(dashboard["tags"]
            .as_array()
            .unwrap()
            .contains(&links[0]["tags"][0]));
        assert_eq!(links.len(), 3);
        uids.push(uid);
    }
    // The links by uid lead to the other two.
    let overview: Value =
        serde_json::from_str(&episode_export(&env, ExportKind::Grafana).unwrap()).unwrap();
    for (link, uid) in overview["links"].as_array().unwrap()[1..]
        .iter()
        .zip(&uids[1..])
    {
        assert_eq!(link["url"], format!("/d/{uid}"));
    }
    // Stable: the same scenario played another way, the same uids.
    let again = played("dns-failure-v1", "random");
    for (kind, uid) in DASHBOARDS.into_iter().zip(&uids) {
        let dashboard: Value =
            serde_json::from_str(&episode_export(&again, kind).unwrap()).unwrap();
        assert_eq!(&dashboard["uid"], uid.as_str());
    }
}

/// Every query of every panel of the three dashboards, its variables
/// substituted, parses and evaluates in the engine over a played episode
/// (as a range query over the episode, or an instant query at its end for
/// instant targets) and, but on the SLO dashboard, returns data: on the
/// service dashboard for at least one service; a query of ALERTS (which
/// need not fire in an episode) in at least one of the episodes. The SLO
/// dashboard's queries read the `slo:*` recording series: they must
/// answer without error, and return data once the episode has those series.
#[test]
fn every_dashboard_query_is_answered_by_the_engine() {
    let engine = Engine::default();
    let mut failures = Vec::new();
    let mut queries = 0;
    // ALERTS targets (dashboard, panel, refId) that returned data somewhere.
    let mut alert_targets: std::collections::BTreeMap<String, bool> = Default::default();
    for (name, env) in dashboard_episodes() {
        let monitor = env.monitor().unwrap();
        let store = monitor.store();
        let scenario = env.scenario().unwrap();
        let (start_ms, end_ms) = (monitor.first_time() * 1000, monitor.last_time() * 1000);
        let range = format!("{}s", monitor.last_time() - monitor.first_time());
        let services: Vec<String> = scenario.services.iter().map(|s| s.name.clone()).collect();
        let has_slo_series = matches!(
            engine.instant(store, "slo:objective:ratio", end_ms).map(|e| e.value),
            Ok(QueryValue::Vector(v)) if !v.is_empty()
        );
        for kind in DASHBOARDS {
            let dashboard: Value =
                serde_json::from_str(&episode_export(&env, kind).unwrap()).unwrap();
            // The values of `$service` a query is tried with: every service at
            // once (Grafana's All), or each in turn on the service dashboard.
            let choices: Vec<String> = if kind == ExportKind::GrafanaService {
                services.clone()
            } else {
                vec![services.join("|")]
            };
            for panel in panels(&dashboard) {
                for target in panel["targets"].as_array().into_iter().flatten() {
                    let expr = target["expr"].as_str().unwrap();
                    let what = format!(
                        "{name} {} {:?} {}: {expr}",
                        kind.id(),
                        panel["title"],
                        target["refId"]
                    );
                    let mut answered = false;
                    for service in &choices {
                        let query = substituted(expr, service, &range);
                        assert!(!query.contains('$'), "{what}: a variable is left");
                        queries += 1;
                        let result = if target["instant"] == true {
                            engine
                                .instant(store, &query, end_ms)
                                .map(|e| match e.value {
                                    QueryValue::Vector(v) => !v.is_empty(),
                                    QueryValue::Matrix(m) => !m.is_empty(),
                                    QueryValue::Scalar { .. } | QueryValue::String { .. } => true,
                                })
                        } else {
                            engine
                                .range(store, &query, start_ms, end_ms, 60_000)
                                .map(|e| e.value.iter().any(|s| !s.points.is_empty()))
                        };
                        match result {
                            Ok(data) => answered |= data,
                            Err(e) => failures.push(format!("{what} ({service}): {e}")),
                        }
                    }
                    let reads_alerts = expr.contains("ALERTS") && !expr.contains("or vector(0)");
                    if kind == ExportKind::GrafanaSlo && !has_slo_series {
                        continue;
                    }
                    if reads_alerts {
                        if kind != ExportKind::GrafanaSlo {
                            *alert_targets
                                .entry(format!(
                                    "{} {:?} {}",
                                    kind.id(),
                                    panel["title"],
                                    target["refId"]
                                ))
                                .or_default() |= answered;
                        }
                    } else if !answered {
                        failures.push(format!("{what}: no data"));
                    }
                }
            }
        }
    }
    for (target, answered) in alert_targets {
        if !answered {
            failures.push(format!("{target}: no data in any episode"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("dashboard queries: {queries} evaluated without error");
}

/// `promtool`, or why it is missing.
fn promtool() -> Result<&'static str, String> {
    Command::new("promtool")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| "promtool")
        .ok_or_else(|| "promtool (not on PATH)".to_string())
}

#[test]
fn exposition_has_help_and_type_for_every_family() {
    let env = played("connection-pool-exhaustion-v1", "heuristic");
    let monitor = env.monitor().unwrap();
    let text = monitor.exposition();
    // Every family the fleet has series of (a scenario without instances,
    // flags or business signals has none of those).
    let mut present: Vec<usize> = monitor
        .metrics()
        .series()
        .iter()
        .map(|s| s.family)
        .collect();
    present.dedup();
    assert!(present.len() >= 16, "{present:?}");
    for family in present
        .iter()
        .map(|&f| &FAMILIES[f])
        // The rules' series (SLOs, alerts) are Prometheus', not the fleet's.
        .filter(|f| {
            !f.name.starts_with("ALERTS") && !f.name.starts_with("slo:") && f.name != "business"
        })
    {
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
    let dashboard = overview_dashboard(&scenario);
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
fn promtool_accepts_exposition_rules_openmetrics_and_telemetry() {
    let Some(promtool) = common::require_or_skip(
        promtool(),
        "run scripts/setup (it installs Debian's prometheus package, which has promtool)",
    ) else {
        return;
    };
    let catalog = Env::new().catalog().clone();
    let dir = std::env::temp_dir().join(format!("firedrill-promtool-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut expositions_checked = 0;
    for (i, s) in catalog.scenarios().iter().enumerate() {
        // The exposition at every step of the heuristic's episode.
        let mut env = Env::new();
        let mut agent = by_name("heuristic", 1).unwrap();
        let mut observation = env.reset(&Selection::Scenario(s.id.clone()), 1).unwrap();
        loop {
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
                .write_all(env.monitor().unwrap().exposition().as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
                "{} at step {}: {}{}",
                s.id,
                observation.step,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            expositions_checked += 1;
            if observation.done {
                break;
            }
            let action = agent.act(&env, &observation);
            observation = env.step(&action).unwrap().observation;
        }
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
            // The export, with its exemplars.
            let om = dir.join(format!("{}.om", s.id));
            let text = episode_export(&env, ExportKind::OpenMetrics).unwrap();
            assert!(text.contains(" # {trace_id=\""), "{}: no exemplar", s.id);
            std::fs::write(&om, text).unwrap();
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
    // The sandbox's telemetry after many episodes, errors included.
    let mut env = Env::new();
    for s in catalog.scenarios().iter().take(5) {
        env = played_in(env, &s.id, "heuristic");
    }
    let _ = env.reset(&Selection::Task("nope".into()), 1);
    let _ = env.grade();
    let telemetry = episode_export(&env, ExportKind::Telemetry).unwrap();
    assert!(telemetry.contains("firedrill_resets_total{task=\""));
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
        .write_all(telemetry.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "telemetry: {}{}\n{telemetry}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("promtool check metrics: {expositions_checked} expositions (every step of every scenario) and the telemetry, no lint message");
}

/// The Python of the `../shared/tools` validators' virtualenv (made by
/// `../shared/tools/setup-validators.sh`, which `scripts/setup` runs when
/// `../shared` is there; `FIREDRILL_VALIDATORS_PYTHON` overrides it), and
/// the tools folder; or which of them is missing.
fn shared_validators() -> Result<(PathBuf, PathBuf), String> {
    let tools = common::shared_dir().join("tools");
    let python = validators_python();
    let mut missing = Vec::new();
    for tool in ["check_grafana.py", "check_otlp_logs.py"] {
        if !tools.join(tool).is_file() {
            missing.push(tools.join(tool).display().to_string());
        }
    }
    match &python {
        Some(python) if python.is_file() => {}
        Some(python) => missing.push(format!("the validators' virtualenv ({})", python.display())),
        None => missing
            .push("the validators' virtualenv (neither XDG_CACHE_HOME nor HOME is set)".into()),
    }
    match python {
        Some(python) if missing.is_empty() => Ok((python, tools)),
        _ => Err(missing.join(", ")),
    }
}

/// Where the validators' virtualenv's Python is expected (see [`shared_validators`]).
fn validators_python() -> Option<PathBuf> {
    match std::env::var_os("FIREDRILL_VALIDATORS_PYTHON") {
        Some(path) => Some(PathBuf::from(path)),
        None => std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
            .map(|cache| cache.join("firedrill-validators/bin/python")),
    }
}

#[test]
fn otlp_traces_of_every_scenario_validate() {
    // `tests/tools/check_otlp_traces.py` (the repository's, modelled on
    // `../shared/tools/check_otlp_logs.py`) in the validators' virtualenv,
    // which has `opentelemetry-proto` and `protobuf`.
    let python = match validators_python() {
        Some(python) if python.is_file() => Ok(python),
        Some(python) => Err(format!("the validators' virtualenv ({})", python.display())),
        None => Err("the validators' virtualenv (neither XDG_CACHE_HOME nor HOME is set)".into()),
    };
    let Some(python) = common::require_or_skip(
        python,
        "run scripts/setup (it makes the virtualenv with ../shared/tools/setup-validators.sh)",
    ) else {
        return;
    };
    let catalog = Env::new().catalog().clone();
    let dir = std::env::temp_dir().join(format!("firedrill-traces-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for s in catalog.scenarios() {
        let env = played(&s.id, "heuristic");
        let file = dir.join(format!("{}.otlp-traces.json", s.id));
        std::fs::write(&file, episode_export(&env, ExportKind::OtlpTraces).unwrap()).unwrap();
        files.push(file);
    }
    // One Python for every file.
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/check_otlp_traces.py");
    let out = Command::new(&python)
        .arg(&checker)
        .arg("--quiet")
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // And it does check: a span whose parent is not in the trace, and a
    // kind given by name, are refused.
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let mut broken: serde_json::Value = serde_json::from_str(&text).unwrap();
    broken["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["parentSpanId"] =
        "00000000000000ab".into();
    let bad_parent = dir.join("bad-parent.json");
    std::fs::write(&bad_parent, broken.to_string()).unwrap();
    broken["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["kind"] = "SPAN_KIND_SERVER".into();
    let bad_kind = dir.join("bad-kind.json");
    std::fs::write(&bad_kind, broken.to_string()).unwrap();
    let out = Command::new(&python)
        .arg(&checker)
        .args([&bad_parent, &bad_kind])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("is no span of trace"), "{report}");
    assert!(report.contains("MUST NOT be used in OTLP/JSON"), "{report}");
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("OTLP traces: {} exports checked", files.len());
}

#[test]
fn shared_validators_accept_grafana_and_otlp_exports_of_every_scenario() {
    let Some((python, tools)) = common::require_or_skip(
        shared_validators(),
        "check out the ../shared folder beside the repository (or point FIREDRILL_SHARED_DIR at it), \
         then run scripts/setup (it makes the virtualenv with ../shared/tools/setup-validators.sh)",
    ) else {
        return;
    };
    let catalog = Env::new().catalog().clone();
    let dir = std::env::temp_dir().join(format!("firedrill-validators-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut checks = Vec::new();
    for s in catalog.scenarios() {
        let env = played(&s.id, "oracle");
        let grafana = dir.join(format!("{}.grafana.json", s.id));
        std::fs::write(&grafana, episode_export(&env, ExportKind::Grafana).unwrap()).unwrap();
        checks.push((s.id.clone(), "check_grafana.py", "--strict", grafana));
        let logs = dir.join(format!("{}.otlp.json", s.id));
        std::fs::write(&logs, episode_export(&env, ExportKind::OtlpLogs).unwrap()).unwrap();
        checks.push((s.id.clone(), "check_otlp_logs.py", "--quiet", logs));
    }
    // The SLO and service dashboards of a few scenarios and of the fixture.
    for (name, env) in dashboard_episodes() {
        for kind in [ExportKind::GrafanaSlo, ExportKind::GrafanaService] {
            let file = dir.join(format!("{name}.{}", kind.extension()));
            std::fs::write(&file, episode_export(&env, kind).unwrap()).unwrap();
            checks.push((name.clone(), "check_grafana.py", "--strict", file));
        }
    }
    // Two at a time: each run starts a Python that loads its schemas.
    let failures: Vec<String> = checks
        .chunks(2)
        .flat_map(|pair| {
            let children: Vec<_> = pair
                .iter()
                .map(|(id, tool, flag, file)| {
                    let child = Command::new(&python)
                        .arg(tools.join(tool))
                        .arg(flag)
                        .arg(file)
                        .stdout(Stdio::piped())
                        .stderr(Stdio::piped())
                        .spawn()
                        .unwrap();
                    (id, tool, child)
                })
                .collect();
            children
                .into_iter()
                .filter_map(|(id, tool, child)| {
                    let out = child.wait_with_output().unwrap();
                    (!out.status.success()).then(|| {
                        format!(
                            "{id} {tool}: {}{}",
                            String::from_utf8_lossy(&out.stdout),
                            String::from_utf8_lossy(&out.stderr)
                        )
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("shared validators: {} exports checked", checks.len());
}
