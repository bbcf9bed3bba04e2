//! Exposition and exports: shapes checked here, and by the real tools
//! (`promtool`, the `../shared/tools` validators). Without a tool its test
//! skips and says what is missing; with `CI` set it fails instead.

use firedrill::agents::by_name;
use firedrill::env::{Env, Selection};
use firedrill::export::{episode_export, ExportKind};
use firedrill::metrics::export::{grafana_dashboard, otlp_logs, rules_yaml};
use firedrill::metrics::families::FAMILIES;
use firedrill::runner::{run_episode, Driver};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod common;

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
        .filter(|f| f.name != "ALERTS" && f.name != "business")
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
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("promtool check metrics: {expositions_checked} expositions (every step of every scenario), no lint message");
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
