//! `firedrill evaluate` and the library's evaluation behind it: parallel
//! and sequential give the same numbers to the last bit, each episode
//! scores what `firedrill run` prints for it, the JSON has the fields
//! automation relies on, the CSV a row per episode, bad arguments a clear
//! message, and piped output no progress bar. Native only: the parallel
//! evaluation runs on threads.
#![cfg(not(target_arch = "wasm32"))]

use firedrill::evaluate::{episodes, evaluate, evaluate_parallel, Evaluation};
use firedrill::scenario::Catalog;
use serde_json::Value;
use std::process::{Command, Output};

/// One scenario of each task.
const SCENARIOS: [&str; 3] = [
    "autoscaler-failure-v1",
    "bad-config-push-v2",
    "connection-pool-exhaustion-v1",
];

fn firedrill(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_firedrill"))
        .args(args)
        .output()
        .expect("the firedrill binary runs")
}

fn stdout_of(args: &[&str]) -> String {
    let output = firedrill(args);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 on stdout")
}

fn json_of(args: &[&str]) -> Value {
    serde_json::from_str(&stdout_of(args)).expect("JSON on stdout")
}

/// Every mean of a report, as bits.
fn mean_bits(report: &Evaluation) -> Vec<u64> {
    let mut bits = vec![report.mean_score.to_bits()];
    for s in &report.per_scenario {
        bits.push(s.mean_score.to_bits());
        bits.extend(s.dimensions.0.iter().map(|(_, mean)| mean.to_bits()));
    }
    bits.extend(
        report
            .per_dimension
            .0
            .iter()
            .map(|(_, mean)| mean.to_bits()),
    );
    bits
}

#[test]
fn parallel_equals_sequential_bit_for_bit() {
    let catalog = Catalog::builtin();
    let scenarios: Vec<String> = SCENARIOS.iter().map(|s| s.to_string()).collect();
    let plan = episodes(&scenarios, 1..=4);
    for agent in ["random", "heuristic"] {
        let sequential = evaluate(&catalog, agent, &plan).unwrap();
        assert_eq!(sequential.episodes, 12);
        for jobs in [1, 2, 3] {
            let parallel = evaluate_parallel(&catalog, agent, &plan, jobs, &|_| {}).unwrap();
            assert_eq!(parallel, sequential, "{agent}, {jobs} jobs");
            assert_eq!(
                mean_bits(&parallel),
                mean_bits(&sequential),
                "{agent}, {jobs} jobs"
            );
            let scores = |r: &Evaluation| -> Vec<u64> {
                r.results.iter().map(|e| e.score.to_bits()).collect()
            };
            assert_eq!(scores(&parallel), scores(&sequential));
        }
    }
}

#[test]
fn the_output_does_not_depend_on_jobs() {
    for format in ["--json", "--csv", "--table"] {
        let run = |jobs: &str| {
            let mut args = vec![
                "evaluate",
                "--scenario",
                "autoscaler-failure-v1,bad-config-push-v2",
                "--agent",
                "random",
                "--seeds",
                "1..3",
                "--jobs",
                jobs,
            ];
            if format != "--table" {
                args.push(format);
            }
            stdout_of(&args)
        };
        assert_eq!(run("1"), run("2"), "{format}");
    }
}

#[test]
fn each_episode_scores_what_run_prints() {
    for agent in ["random", "heuristic", "oracle"] {
        let report = json_of(&[
            "evaluate",
            "--scenario",
            &SCENARIOS.join(","),
            "--seeds",
            "2..3",
            "--agent",
            agent,
            "--json",
        ]);
        let results = report["results"].as_array().expect("results");
        assert_eq!(results.len(), 6, "{agent}");
        for result in results {
            let scenario = result["scenario"].as_str().unwrap();
            let seed = result["seed"].to_string();
            let run = json_of(&[
                "run",
                "--scenario",
                scenario,
                "--seed",
                &seed,
                "--agent",
                agent,
                "--json",
            ]);
            let at = format!("{agent} {scenario} seed {seed}");
            assert_eq!(result["score"], run["score"], "{at}");
            assert_eq!(result["task"], run["task"], "{at}");
            assert_eq!(result["steps"], run["steps"], "{at}");
            assert_eq!(result["status"], run["status"], "{at}");
            for dimension in run["dimensions"].as_array().unwrap() {
                let name = dimension["name"].as_str().unwrap();
                assert_eq!(
                    result["dimensions"][name], dimension["score"],
                    "{at}: {name}"
                );
            }
        }
    }
}

#[test]
fn json_has_the_contract_fields() {
    let report = json_of(&[
        "evaluate",
        "--scenario",
        SCENARIOS[2],
        "--scenario",
        SCENARIOS[0],
        "--seeds",
        "1..2",
        "--json",
    ]);
    assert_eq!(report["episodes"], 4);
    assert_eq!(report["agent"], "heuristic");
    assert_eq!(report["seeds"]["first"], 1);
    assert_eq!(report["seeds"]["last"], 2);
    let per_scenario = report["per_scenario"].as_array().expect("per_scenario");
    let ids: Vec<&str> = per_scenario
        .iter()
        .map(|s| s["scenario"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [SCENARIOS[0], SCENARIOS[2]], "sorted by scenario id");
    for entry in per_scenario {
        assert!(entry["task"].is_string());
        assert!(entry["mean_score"].is_f64());
        assert_eq!(entry["episodes"], 2);
        let dimensions = entry["dimensions"].as_object().expect("dimensions");
        assert!(!dimensions.is_empty());
        assert!(dimensions.values().all(Value::is_f64));
    }
    let per_dimension = report["per_dimension"].as_object().expect("per_dimension");
    assert!(per_dimension.contains_key("severity_accuracy"));
    assert!(per_dimension.contains_key("closure"));
    assert_eq!(report["results"].as_array().expect("results").len(), 4);
}

#[test]
fn a_task_means_every_scenario_of_it() {
    let list: Vec<Value> = serde_json::from_str(&stdout_of(&["list", "--json"])).unwrap();
    let mut of_task: Vec<&str> = list
        .iter()
        .filter(|s| s["task"] == "severity_classification")
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    of_task.sort();
    let report = json_of(&[
        "evaluate",
        "--task",
        "severity_classification",
        "--seeds",
        "4",
        "--agent",
        "oracle",
        "--json",
    ]);
    let ids: Vec<&str> = report["per_scenario"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["scenario"].as_str().unwrap())
        .collect();
    assert_eq!(ids, of_task);
    assert_eq!(report["episodes"], of_task.len());
    assert_eq!(report["seeds"]["count"], 1);
}

#[test]
fn scenario_files_can_be_evaluated() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/capabilities-drill.toml"
    );
    let report = json_of(&[
        "evaluate",
        "--scenarios",
        fixture,
        "--scenario",
        "capabilities-drill",
        "--seeds",
        "1..2",
        "--agent",
        "oracle",
        "--json",
    ]);
    assert_eq!(report["per_scenario"][0]["scenario"], "capabilities-drill");
    assert_eq!(report["episodes"], 2);
}

#[test]
fn csv_has_a_header_and_a_row_per_episode() {
    let csv = stdout_of(&[
        "evaluate",
        "--scenario",
        &SCENARIOS[..2].join(","),
        "--seeds",
        "5..7",
        "--csv",
    ]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 6, "{csv}");
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header[..4], ["scenario", "task", "seed", "score"]);
    assert!(header.contains(&"severity_accuracy"), "{}", lines[0]);
    assert!(header.contains(&"diagnosis_accuracy"), "{}", lines[0]);
    let seeds: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(seeds, ["5", "6", "7", "5", "6", "7"]);
    for line in &lines[1..] {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), header.len(), "{line}");
        let score: f64 = cells[3].parse().expect("a score");
        assert!((0.0..=1.0).contains(&score), "{line}");
    }
    // autoscaler-failure-v1 is a severity scenario: no diagnosis graded.
    let diagnosis = header
        .iter()
        .position(|h| *h == "diagnosis_accuracy")
        .unwrap();
    assert_eq!(lines[1].split(',').nth(diagnosis), Some(""));
}

#[test]
fn the_table_has_a_row_per_scenario_and_one_over_all() {
    let table = stdout_of(&[
        "evaluate",
        "--scenario",
        &SCENARIOS.join(","),
        "--seeds",
        "1",
    ]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("agent heuristic over 3 scenario(s), seed 1: 3 episodes"));
    let header = lines[2];
    for column in ["scenario", "task", "episodes", "mean", "passed", "closure"] {
        assert!(header.contains(column), "{header}");
    }
    for (line, scenario) in lines[3..6].iter().zip(SCENARIOS) {
        assert!(line.starts_with(scenario), "{line}");
    }
    assert!(lines[6].starts_with("all "), "{}", lines[6]);
    assert_eq!(lines.len(), 7, "{table}");
    // Aligned: every row as wide as the header's first columns.
    let mean_at = header.find(" mean").unwrap();
    assert!(lines[3..].iter().all(|l| l.len() > mean_at));
}

#[test]
fn bad_arguments_exit_2_with_a_clear_message() {
    const ONE: &str = "connection-pool-exhaustion-v1";
    let one_unknown = format!("{ONE},nope");
    for (args, needle) in [
        (
            vec!["--scenario", ONE, "--seeds", "5..2"],
            "--seeds 5..2 is empty",
        ),
        (vec!["--scenario", ONE, "--seeds", "x"], "--seeds expects"),
        (
            vec!["--scenario", ONE, "--seeds", "1..y"],
            "--seeds expects",
        ),
        (vec!["--scenario", ONE], "needs --seeds"),
        (vec!["--scenario", ONE, "--seed", "3"], "not --seed"),
        (
            vec!["--scenario", "nope", "--seeds", "1"],
            "unknown scenario \"nope\"",
        ),
        (
            vec!["--scenario", one_unknown.as_str(), "--seeds", "1"],
            "\"nope\"",
        ),
        (
            vec!["--seeds", "1..3"],
            "needs --task TASK or --scenario ID",
        ),
        (
            vec!["--task", "nope", "--seeds", "1"],
            "--task expects one of",
        ),
        (
            vec!["--scenario", ONE, "--seeds", "1", "--agent", "genius"],
            "--agent expects",
        ),
        (
            vec!["--scenario", ONE, "--seeds", "1", "--jobs", "0"],
            "--jobs expects",
        ),
        (
            vec!["--scenario", ONE, "--seeds", "1", "--json", "--csv"],
            "not both",
        ),
        (
            vec!["--scenario", ONE, "--seeds", "1", "extra"],
            "takes no argument",
        ),
        (
            vec![
                "--task",
                "full_incident_management",
                "--seeds",
                "1..1000000",
            ],
            "at most 1000000",
        ),
    ] {
        let mut full = vec!["evaluate"];
        full.extend(args.iter().copied());
        let output = firedrill(&full);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn piped_output_has_no_progress_bar() {
    for format in ["--json", "--csv", "--table"] {
        let mut args = vec!["evaluate", "--task", "root_cause_analysis", "--seeds", "1"];
        if format != "--table" {
            args.push(format);
        }
        let output = firedrill(&args);
        assert!(output.status.success());
        let stderr = String::from_utf8(output.stderr).unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        for text in [&stdout, &stderr] {
            for mark in ['\r', '\x1b', '█', '░', '▏', '#'] {
                assert!(!text.contains(mark), "{format}: {mark:?} in {text}");
            }
        }
        // stderr: the timing line alone.
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{format}: {stderr}");
        assert!(lines[0].contains(" episodes in ") && lines[0].contains(" episodes/s on "));
    }
}
