//! `firedrill bench --json --smoke`: the fields automation relies on exist
//! and are positive (no speed is asserted).

use serde_json::Value;
use std::process::Command;

#[test]
fn bench_json_has_the_contract_fields() {
    let output = Command::new(env!("CARGO_BIN_EXE_firedrill"))
        .args(["bench", "--json", "--smoke"])
        .output()
        .expect("the firedrill binary runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    for task in [
        "severity_classification",
        "root_cause_analysis",
        "full_incident_management",
    ] {
        for field in [
            "steps_per_second",
            "steps_per_second_lean",
            "overall_steps_per_second",
            "reset_us",
        ] {
            let v = report[field][task].as_f64().unwrap_or(0.0);
            assert!(v > 0.0, "{field}.{task} = {v}");
        }
        assert!(
            report["episodes"][task].as_u64().unwrap_or(0) > 0,
            "episodes.{task}"
        );
    }
    for field in ["query_instant_us_median", "query_range_us_median"] {
        let v = report[field].as_f64().unwrap_or(0.0);
        assert!(v > 0.0, "{field} = {v}");
    }
    let queries = report["queries"].as_array().expect("queries");
    assert!(!queries.is_empty());
}

#[test]
fn bench_refuses_arguments() {
    let output = Command::new(env!("CARGO_BIN_EXE_firedrill"))
        .args(["bench", "extra"])
        .output()
        .expect("the firedrill binary runs");
    assert_eq!(output.status.code(), Some(2));
}
