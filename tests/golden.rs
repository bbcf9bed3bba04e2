//! Golden files: what people and tools read of one fixed episode, compared
//! byte for byte with the files under `tests/golden/` (see its README.md).
//!
//! The episode: the hard scenario `dns-failure-v1` (two red herrings),
//! seed 7, the actions of `tests/golden/actions.json` (a red herring
//! investigated, a wrong fix, then the right response).
//!
//! `UPDATE_GOLDEN=1 cargo test --test golden` writes the files instead of
//! comparing; review the change with `git diff tests/golden`. Without it, a
//! missing file fails, and a differing one fails with its first differing
//! line from both sides.
//!
//! Not pinned: the OpenMetrics export (every series of the episode, about
//! 2 MB for this episode), too large to review as a diff.

use firedrill::env::{Action, Env, Selection};
use firedrill::export::{episode_export, ExportKind};
use firedrill::runner::{run_episode, Driver};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const SCENARIO: &str = "dns-failure-v1";
const SEED: u64 = 7;
const ACTIONS_FILE: &str = "tests/golden/actions.json";
const UPDATE_HINT: &str =
    "run `UPDATE_GOLDEN=1 cargo test --test golden` and review the diff with git";
/// Longest excerpt of a differing line shown, in characters.
const EXCERPT_CHARS: usize = 160;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn actions() -> Vec<Action> {
    serde_json::from_str(include_str!("golden/actions.json")).expect("actions.json is valid")
}

/// The episode after its first `steps` actions (all of them with `usize::MAX`).
fn played(steps: usize) -> Env {
    let actions = actions();
    let actions = &actions[..steps.min(actions.len())];
    let mut env = Env::new();
    run_episode(
        &mut env,
        &Selection::Scenario(SCENARIO.into()),
        SEED,
        Driver::Actions(actions),
    )
    .expect("the golden episode plays");
    env
}

fn finished() -> Env {
    let env = played(usize::MAX);
    assert!(
        env.state().expect("state").terminated,
        "the golden episode no longer ends after its actions"
    );
    env
}

fn export(kind: ExportKind) -> String {
    episode_export(&finished(), kind).expect("the export is produced")
}

fn update_requested() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|value| value == "1")
}

/// Says something past the test harness's capture, so `cargo test` shows it.
fn say(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// Fails if `actual` names a path of this machine (the golden files must be
/// the same on every machine).
fn assert_no_machine_path(name: &str, actual: &str) {
    let mut paths = vec![
        env!("CARGO_MANIFEST_DIR").to_string(),
        std::env::temp_dir().display().to_string(),
    ];
    if let Some(home) = std::env::var_os("HOME") {
        paths.push(home.to_string_lossy().into_owned());
    }
    for path in paths.iter().filter(|p| p.len() > 1) {
        assert!(
            !actual.contains(path.as_str()),
            "{name}: the output holds the path {path:?} of this machine"
        );
    }
}

/// `text` as shown in a failure: control characters (`\r`, `\t`…) escaped.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().collect()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// At most [`EXCERPT_CHARS`] of `line`, around character `column`.
fn excerpt(line: Option<&str>, column: usize) -> String {
    let Some(line) = line else {
        return "<end of file>".to_string();
    };
    if line.is_empty() {
        return "<empty line>".to_string();
    }
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= EXCERPT_CHARS {
        return visible(line);
    }
    let start = column.saturating_sub(EXCERPT_CHARS / 3);
    let end = (start + EXCERPT_CHARS).min(chars.len());
    let text: String = chars[start..end].iter().collect();
    format!(
        "{}{}{}",
        if start > 0 { "…" } else { "" },
        visible(&text),
        if end < chars.len() { "…" } else { "" }
    )
}

/// The first line (1-based) where the texts differ, with that line of each
/// (`None` past the end) and the first differing column (0-based, in chars).
fn first_difference<'a>(
    golden: &'a str,
    actual: &'a str,
) -> Option<(usize, Option<&'a str>, Option<&'a str>, usize)> {
    let mut golden_lines = golden.split('\n');
    let mut actual_lines = actual.split('\n');
    for number in 1.. {
        match (golden_lines.next(), actual_lines.next()) {
            (None, None) => return None,
            (g, a) if g != a => {
                let column = g
                    .unwrap_or("")
                    .chars()
                    .zip(a.unwrap_or("").chars())
                    .take_while(|(x, y)| x == y)
                    .count();
                return Some((number, g, a, column));
            }
            _ => {}
        }
    }
    None
}

/// Compares `actual` with `tests/golden/<name>`, or writes it there when
/// `UPDATE_GOLDEN=1`.
#[track_caller]
fn check_golden(name: &str, actual: &str) {
    assert_no_machine_path(name, actual);
    let path = golden_dir().join(name);
    let shown = format!("tests/golden/{name}");
    let golden = std::fs::read_to_string(&path);
    if update_requested() {
        if golden.as_deref().ok() == Some(actual) {
            say(&format!("UPDATE_GOLDEN=1: {shown} unchanged"));
        } else {
            std::fs::write(&path, actual).unwrap_or_else(|e| panic!("cannot write {shown}: {e}"));
            say(&format!(
                "UPDATE_GOLDEN=1: wrote {shown} ({} bytes)",
                actual.len()
            ));
        }
        return;
    }
    let golden = match golden {
        Ok(text) => text,
        Err(e) => panic!("{shown} cannot be read ({e}); {UPDATE_HINT}"),
    };
    if let Some((line, golden_line, actual_line, column)) = first_difference(&golden, actual) {
        panic!(
            "{shown} differs from the output, first at line {line}, column {}\n  \
             golden: {}\n  actual: {}\n\
             ({} lines golden, {} lines now)\n{UPDATE_HINT}",
            column + 1,
            excerpt(golden_line, column),
            excerpt(actual_line, column),
            golden.lines().count(),
            actual.lines().count(),
        );
    }
}

#[test]
fn dashboard_render_after_three_steps() {
    check_golden(
        "render-step-3.md",
        &played(3).render().expect("the dashboard renders"),
    );
}

#[test]
fn dashboard_render_at_the_end() {
    check_golden(
        "render-end.md",
        &finished().render().expect("the dashboard renders"),
    );
}

#[test]
fn exposition_text() {
    check_golden("exposition.prom", &export(ExportKind::Exposition));
}

#[test]
fn alert_rules_yaml() {
    check_golden("rules.yml", &export(ExportKind::Rules));
}

#[test]
fn grafana_dashboard_json() {
    check_golden("grafana.json", &export(ExportKind::Grafana));
}

#[test]
fn grafana_slo_dashboard_json() {
    check_golden("grafana-slo.json", &export(ExportKind::GrafanaSlo));
}

#[test]
fn grafana_service_dashboard_json() {
    check_golden("grafana-service.json", &export(ExportKind::GrafanaService));
}

#[test]
fn sandbox_telemetry() {
    check_golden("telemetry.prom", &export(ExportKind::Telemetry));
}

#[test]
fn otlp_logs_json() {
    check_golden("otlp-logs.json", &export(ExportKind::OtlpLogs));
}

#[test]
fn step_recorder_csv() {
    check_golden("recorder.csv", &export(ExportKind::Csv));
}

#[test]
fn grade_json() {
    let grade = finished().grade().expect("the episode is graded");
    let json = serde_json::to_string_pretty(&grade).expect("the grade serializes");
    check_golden("grade.json", &(json + "\n"));
}

#[test]
fn cli_run_json() {
    let output = Command::new(env!("CARGO_BIN_EXE_firedrill"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "--scenario", SCENARIO, "--seed", &SEED.to_string()])
        .args(["--actions", ACTIONS_FILE, "--json"])
        .output()
        .expect("the firedrill binary runs");
    assert!(
        output.status.success(),
        "firedrill run failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 on stdout");
    check_golden("run.json", &stdout);
}

#[test]
fn first_difference_names_the_line_and_column() {
    struct Case {
        golden: &'static str,
        actual: &'static str,
        expected: Option<(usize, Option<&'static str>, Option<&'static str>, usize)>,
    }
    let cases = [
        Case {
            golden: "a\nb\n",
            actual: "a\nb\n",
            expected: None,
        },
        Case {
            golden: "a\nbcd\n",
            actual: "a\nbxd\n",
            expected: Some((2, Some("bcd"), Some("bxd"), 1)),
        },
        Case {
            golden: "a\n",
            actual: "a",
            expected: Some((2, Some(""), None, 0)),
        },
        Case {
            golden: "a",
            actual: "a\nb",
            expected: Some((2, None, Some("b"), 0)),
        },
    ];
    for case in cases {
        assert_eq!(
            first_difference(case.golden, case.actual),
            case.expected,
            "{:?} vs {:?}",
            case.golden,
            case.actual
        );
    }
    let long = "x".repeat(1000);
    let shown = excerpt(Some(&long), 500);
    assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
    assert!(shown.chars().count() < EXCERPT_CHARS + 10, "{shown}");
    assert_eq!(excerpt(Some("a\tb\r"), 0), "a\\tb\\r");
    assert_eq!(excerpt(None, 0), "<end of file>");
    assert_eq!(excerpt(Some(""), 0), "<empty line>");
}
