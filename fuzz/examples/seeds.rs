//! Writes the seed corpus of every fuzz target from the project's own
//! inputs, into `DIR/<target>/` (default `fuzz/corpus/seeds`):
//!
//! - `scenario_load`: the built-in scenario files;
//! - `promql`: the queries of `tests/promql.rs`, `tests/promql_oracle.rs`
//!   and, when `../shared` is there, of Prometheus' PromQL test scripts,
//!   behind control bytes for an instant and a range query;
//! - `action`: the actions of the random, heuristic and oracle agents on
//!   every built-in scenario, as JSON lists;
//! - `replay`: the replay codes of those lists;
//! - `leaderboard`: exported boards of those episodes' grades.
//!
//! `scripts/fuzz` runs it; by hand:
//! `cargo run --release --manifest-path fuzz/Cargo.toml --example seeds -- fuzz/corpus/seeds`.

use firedrill::agents::by_name;
use firedrill::env::{Action, Env, Selection};
use firedrill::leaderboard::{Entry, Leaderboard};
use firedrill::replay;
use firedrill::runner::{run_episode, Driver};
use firedrill::scenario::Catalog;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("fuzz/corpus/seeds"));
    let mut counts = Vec::new();

    let files = Catalog::builtin_files();
    write_all(
        &out.join("scenario_load"),
        files.iter().map(|(_, t)| t.as_bytes().to_vec()),
    )?;
    counts.push(("scenario_load", files.len()));

    let queries = promql_queries(&root);
    // Control bytes: [range?, time, points, step] (see fuzz_targets/promql.rs).
    let controls: [[u8; 4]; 3] = [[1, 240, 20, 0], [1, 120, 63, 3], [0, 200, 0, 0]];
    let promql = queries.iter().enumerate().map(|(i, q)| {
        let mut bytes = controls[i % controls.len()].to_vec();
        bytes.extend_from_slice(q.as_bytes());
        bytes
    });
    write_all(&out.join("promql"), promql)?;
    counts.push(("promql", queries.len()));

    let (episodes, board) = agent_episodes();
    let actions = episodes.iter().map(|(scenario, seed, actions)| {
        let mut bytes = vec![*scenario as u8, *seed as u8];
        bytes.extend(serde_json::to_vec(actions).unwrap_or_default());
        bytes
    });
    write_all(&out.join("action"), actions)?;
    counts.push(("action", episodes.len()));

    let codes: Vec<Vec<u8>> = episodes
        .iter()
        .map(|(_, _, actions)| replay::encode(actions).into_bytes())
        .chain(["", "1.", "1.W10", "2.W10", "1.A"].map(|c| c.as_bytes().to_vec()))
        .collect();
    counts.push(("replay", codes.len()));
    write_all(&out.join("replay"), codes)?;

    let boards: Vec<Vec<u8>> = board
        .entries
        .chunks(3)
        .map(|entries| {
            Leaderboard {
                entries: entries.to_vec(),
            }
            .export()
            .into_bytes()
        })
        .take(40)
        .chain(std::iter::once(
            Leaderboard::default().export().into_bytes(),
        ))
        .collect();
    counts.push(("leaderboard", boards.len()));
    write_all(&out.join("leaderboard"), boards)?;

    for (target, count) in counts {
        println!("{target}: {count} seeds");
    }
    Ok(())
}

fn write_all(dir: &Path, inputs: impl IntoIterator<Item = Vec<u8>>) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (i, bytes) in inputs.into_iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{i:04}")), bytes)?;
    }
    Ok(())
}

/// (scenario index, seed, actions) of every agent on every built-in
/// scenario, and a leaderboard of their grades.
fn agent_episodes() -> (Vec<(usize, u64, Vec<Action>)>, Leaderboard) {
    let mut env = Env::new();
    let scenarios: Vec<_> = env.catalog().scenarios().into_iter().cloned().collect();
    let mut episodes = Vec::new();
    let mut board = Leaderboard::default();
    for (index, scenario) in scenarios.iter().enumerate() {
        for (seed, agent) in ["oracle", "heuristic", "random"].into_iter().enumerate() {
            let Some(mut player) = by_name(agent, seed as u64) else {
                continue;
            };
            let selection = Selection::Scenario(scenario.id.clone());
            let Ok(actions) = run_episode(
                &mut env,
                &selection,
                seed as u64,
                Driver::Agent(player.as_mut()),
            ) else {
                continue;
            };
            if let Ok(grade) = env.grade() {
                board.add(Entry {
                    name: format!("{agent} bot"),
                    scenario: scenario.id.clone(),
                    task: scenario.task.id().to_string(),
                    seed: seed as u64,
                    score: grade.score,
                    steps: actions.len() as u32,
                    date: format!("2026-12-02T10:{:02}:00.000Z", index % 60),
                    dimensions: Entry::dimensions_of(&grade),
                    mode: Default::default(),
                    agent: None,
                });
            }
            episodes.push((index, seed as u64, actions));
        }
    }
    (episodes, board)
}

/// The queries of the PromQL test suites, without duplicates.
fn promql_queries(root: &Path) -> Vec<String> {
    let mut queries = BTreeSet::new();
    for file in ["tests/promql.rs", "tests/promql_oracle.rs"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        queries.extend(
            string_literals(&text)
                .into_iter()
                .filter(|q| looks_like_query(q)),
        );
    }
    let scripts = root.join("../shared/conformance/promqltest");
    if let Ok(dir) = std::fs::read_dir(&scripts) {
        for entry in dir.flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            queries.extend(text.lines().filter_map(conformance_query));
        }
    }
    queries.into_iter().collect()
}

/// The query of a promqltest `eval` line:
/// `eval[_fail|_warn|_info|_ordered] instant at 1m <query>` or
/// `eval … range from 0 to 10m step 1m <query>`.
fn conformance_query(line: &str) -> Option<String> {
    let line = line.trim();
    if !line.starts_with("eval") {
        return None;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let skip = match words.get(1) {
        Some(&"instant") => 4,
        Some(&"range") => 8,
        _ => return None,
    };
    let query = words.get(skip..)?.join(" ");
    (!query.is_empty()).then_some(query)
}

/// A literal from a test file that is a query, not an expected answer.
fn looks_like_query(s: &str) -> bool {
    !s.is_empty()
        && s.len() < 300
        && !s.contains(" => ")
        && !s.starts_with("{\"status")
        && !s.contains("parse error")
}

/// The string literals of Rust source: `"…"` (with `\"`, `\\`, `\n`, `\t`,
/// `\u{…}` escapes) and `r#"…"#`.
fn string_literals(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = source.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if chars[i] == 'r'
            && chars.get(i + 1) == Some(&'#')
            && chars.get(i + 2) == Some(&'"')
        {
            let start = i + 3;
            let mut j = start;
            while j + 1 < chars.len() && !(chars[j] == '"' && chars[j + 1] == '#') {
                j += 1;
            }
            out.push(chars[start..j].iter().collect());
            i = j + 2;
            continue;
        } else if chars[i] == '\'' && chars.get(i + 2) == Some(&'\'') {
            i += 3;
            continue;
        } else if chars[i] == '"' {
            let mut text = String::new();
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                if chars[j] == '\\' {
                    j += 1;
                    match chars.get(j) {
                        Some('n') => text.push('\n'),
                        Some('t') => text.push('\t'),
                        Some('0') => text.push('\0'),
                        Some('u') => {
                            let end = (j..chars.len()).find(|&k| chars[k] == '}').unwrap_or(j);
                            let hex: String = chars[(j + 2).min(end)..end].iter().collect();
                            if let Some(c) =
                                u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                            {
                                text.push(c);
                            }
                            j = end;
                        }
                        Some(c) => text.push(*c),
                        None => {}
                    }
                } else {
                    text.push(chars[j]);
                }
                j += 1;
            }
            out.push(text);
            i = j + 1;
            continue;
        }
        i += 1;
    }
    out
}
