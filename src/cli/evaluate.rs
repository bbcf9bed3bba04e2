//! `firedrill evaluate`: a baseline agent over every pair of a scenario
//! (given, or every scenario of a task) and a seed of a range, played on a
//! thread pool ([`crate::evaluate::evaluate_parallel`]), with a progress
//! bar on stderr when stderr is a terminal. Prints the report as an
//! aligned table (one row per scenario, one column per grade dimension,
//! then a row over all episodes), as JSON (`--json`: the
//! [`Evaluation`]) or as CSV (`--csv`: one row per episode); then the wall
//! time and the episodes per second on stderr, so that stdout depends only
//! on the episodes.

use super::{catalog, input, usage, Failure, Options};
use crate::env::{GradeDimension, Task};
use crate::evaluate::{episodes, evaluate_parallel, scenarios_of_task, EpisodeResult, Evaluation};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::ops::RangeInclusive;
use std::time::Instant;

/// The most episodes one evaluation plays (their results are kept).
pub const MAX_EPISODES: u64 = 1_000_000;

/// `--seeds`: `N..M` (inclusive, M ≥ N), `N..=M`, or one seed `N`.
fn parse_seeds(text: &str) -> Result<RangeInclusive<u64>, Failure> {
    let bad = || {
        usage(format!(
            "--seeds expects an inclusive range N..M of unsigned integers (such as 1..20) or one seed N, found {text:?}"
        ))
    };
    let number = |part: &str| part.trim().parse::<u64>().map_err(|_| bad());
    let (first, last) = match text.split_once("..") {
        Some((first, last)) => {
            let last = last.strip_prefix('=').unwrap_or(last);
            (number(first)?, number(last)?)
        }
        None => {
            let seed = number(text)?;
            (seed, seed)
        }
    };
    if last < first {
        return Err(usage(format!(
            "--seeds {text} is empty: expected N..M with M ≥ N, and {last} is below {first}"
        )));
    }
    Ok(first..=last)
}

/// The items of a repeatable, comma-separated option.
fn items(values: &[String]) -> impl Iterator<Item = &str> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

/// `firedrill evaluate`: writes the report to `out`, then the timing to stderr.
pub(super) fn evaluate(options: &Options, out: &mut dyn Write) -> Result<(), Failure> {
    if let Some(extra) = options.positional.first() {
        return Err(usage(format!(
            "evaluate takes no argument, found {extra:?} (scenarios go after --scenario)"
        )));
    }
    if options.json && options.csv {
        return Err(usage("give --json or --csv, not both"));
    }
    let catalog = catalog(options)?;
    let mut scenarios: Vec<String> = Vec::new();
    for name in items(&options.tasks) {
        let task = Task::from_id(name).ok_or_else(|| {
            let ids: Vec<&str> = Task::ALL.iter().map(|t| t.id()).collect();
            usage(format!(
                "--task expects one of {}, found {name:?}",
                ids.join(", ")
            ))
        })?;
        let of_task = scenarios_of_task(&catalog, task);
        if of_task.is_empty() {
            return Err(input(format!("no scenario of task {task} to evaluate")));
        }
        scenarios.extend(of_task);
    }
    for id in items(&options.scenario_ids) {
        if catalog.summary(id).is_none() {
            return Err(usage(format!(
                "--scenario: unknown scenario {id:?} (firedrill list shows the ids)"
            )));
        }
        scenarios.push(id.to_string());
    }
    if scenarios.is_empty() {
        return Err(usage(
            "evaluate needs --task TASK or --scenario ID (either may be repeated or comma-separated)",
        ));
    }
    let seeds = match &options.seeds {
        Some(text) => parse_seeds(text)?,
        None => return Err(usage("evaluate needs --seeds N..M (or one seed N)")),
    };
    scenarios.sort();
    scenarios.dedup();
    let seed_count = (seeds.end() - seeds.start()).saturating_add(1);
    let total = seed_count.saturating_mul(scenarios.len() as u64);
    if total > MAX_EPISODES {
        return Err(usage(format!(
            "{} scenario(s) × {seed_count} seed(s) is {total} episodes; at most {MAX_EPISODES} in one evaluation: split --seeds",
            scenarios.len()
        )));
    }
    let plan = episodes(&scenarios, seeds);
    let agent = options.agent.as_deref().unwrap_or("heuristic");
    let jobs = options.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1)
    });

    let bar = std::io::stderr()
        .is_terminal()
        .then(|| progress_bar(plan.len()));
    let started = Instant::now();
    let report = evaluate_parallel(&catalog, agent, &plan, jobs, &|_| {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    });
    let wall_seconds = started.elapsed().as_secs_f64();
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let report = report.map_err(|e| input(e.to_string()))?;

    let text = if options.json {
        serde_json::to_string_pretty(&report)
            .map(|s| s + "\n")
            .map_err(|e| input(e.to_string()))?
    } else if options.csv {
        csv(&report)
    } else {
        table(&report)
    };
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| input(format!("cannot write output: {e}")))?;
    eprintln!(
        "{} episodes in {wall_seconds:.2} s: {:.1} episodes/s on {jobs} job(s)",
        report.episodes,
        report.episodes as f64 / wall_seconds.max(1e-9)
    );
    Ok(())
}

/// A bar of `len` episodes, drawn on stderr.
fn progress_bar(len: usize) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{wide_bar} {pos}/{len} episodes, {rate}, {eta} left")
    {
        bar.set_style(style.with_key(
            "rate",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0} episodes/s", state.per_sec());
            },
        ));
    }
    bar
}

/// The seeds as a reader says them.
fn seeds_text(report: &Evaluation) -> String {
    let seeds = &report.seeds;
    if seeds.first == seeds.last {
        format!("seed {}", seeds.first)
    } else if seeds.last - seeds.first + 1 == seeds.count as u64 {
        format!("seeds {}..{}", seeds.first, seeds.last)
    } else {
        format!(
            "{} seeds from {} to {}",
            seeds.count, seeds.first, seeds.last
        )
    }
}

/// A cell of a row: text left-aligned, numbers right-aligned.
enum Cell {
    Text(String),
    Number(String),
}

/// The table: a row per scenario, then one over every episode (its
/// dimension columns are the per-dimension means); `-` where a scenario's
/// task does not grade a dimension.
pub fn table(report: &Evaluation) -> String {
    let dimensions: Vec<GradeDimension> = report.per_dimension.dimensions().collect();
    let score = |x: f64| Cell::Number(format!("{x:.3}"));
    let percent = |x: f64| Cell::Number(format!("{:.0}%", x * 100.0));
    let mut header: Vec<String> = [
        "scenario", "task", "episodes", "mean", "min", "max", "passed",
    ]
    .map(String::from)
    .to_vec();
    header.extend(dimensions.iter().map(|d| d.name().to_string()));
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for s in &report.per_scenario {
        let mut row = vec![
            Cell::Text(s.scenario.clone()),
            Cell::Text(s.task.id().to_string()),
            Cell::Number(s.episodes.to_string()),
            score(s.mean_score),
            score(s.min_score),
            score(s.max_score),
            percent(s.pass_rate),
        ];
        row.extend(dimensions.iter().map(|&d| match s.dimensions.get(d) {
            Some(mean) => score(mean),
            None => Cell::Number("-".into()),
        }));
        rows.push(row);
    }
    let scores = || report.results.iter().map(|r| r.score);
    let mut all = vec![
        Cell::Text("all".into()),
        Cell::Text(String::new()),
        Cell::Number(report.episodes.to_string()),
        score(report.mean_score),
        score(scores().fold(f64::INFINITY, f64::min)),
        score(scores().fold(f64::NEG_INFINITY, f64::max)),
        percent(report.pass_rate),
    ];
    all.extend(report.per_dimension.0.iter().map(|&(_, mean)| score(mean)));

    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows.iter().chain([&all]) {
        for (width, cell) in widths.iter_mut().zip(row) {
            let (Cell::Text(text) | Cell::Number(text)) = cell;
            *width = (*width).max(text.chars().count());
        }
    }
    let line = |cells: Vec<Cell>| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, &width)| match cell {
                Cell::Text(text) => format!("{text:<width$}"),
                Cell::Number(text) => format!("{text:>width$}"),
            })
            .collect();
        padded.join("  ").trim_end().to_string() + "\n"
    };
    let mut text = format!(
        "agent {} over {} scenario(s), {}: {} episodes, mean score {:.3}, {:.0}% passed\n\n",
        report.agent,
        report.per_scenario.len(),
        seeds_text(report),
        report.episodes,
        report.mean_score,
        report.pass_rate * 100.0
    );
    text.push_str(&line(header.into_iter().map(Cell::Text).collect()));
    for row in rows {
        text.push_str(&line(row));
    }
    text.push_str(&line(all));
    text
}

/// A CSV field, quoted when it needs to be.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// One row per episode: `scenario,task,seed,score,<dimension…>` (the
/// dimensions of every episode's task; empty where its task does not grade
/// one). Scores are written in full (the shortest text that reads back
/// the same number).
pub fn csv(report: &Evaluation) -> String {
    let dimensions: Vec<GradeDimension> = report.per_dimension.dimensions().collect();
    let mut text = String::from("scenario,task,seed,score");
    for d in &dimensions {
        text.push(',');
        text.push_str(d.name());
    }
    text.push('\n');
    for r in &report.results {
        text.push_str(&csv_row(r, &dimensions));
    }
    text
}

fn csv_row(result: &EpisodeResult, dimensions: &[GradeDimension]) -> String {
    let mut row = format!(
        "{},{},{},{}",
        csv_field(&result.scenario),
        result.task.id(),
        result.seed,
        result.score
    );
    for &d in dimensions {
        row.push(',');
        if let Some(score) = result.dimensions.get(d) {
            row.push_str(&score.to_string());
        }
    }
    row.push('\n');
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_ranges_and_their_errors() {
        for (text, expected) in [
            ("1..20", Some(1..=20)),
            ("7", Some(7..=7)),
            ("3..=5", Some(3..=5)),
            (" 2 .. 4 ", Some(2..=4)),
            ("0..0", Some(0..=0)),
            ("5..2", None),
            ("x", None),
            ("1..", None),
            ("..3", None),
            ("-1..3", None),
            ("1..2..3", None),
            ("", None),
        ] {
            match (parse_seeds(text), expected) {
                (Ok(range), Some(expected)) => assert_eq!(range, expected, "{text:?}"),
                (Err(f), None) => {
                    assert_eq!(f.code, 2, "{text:?}");
                    assert!(f.message.contains("--seeds"), "{text:?}: {}", f.message);
                }
                (got, expected) => panic!(
                    "{text:?}: expected {expected:?}, got {:?}",
                    got.map_err(|f| f.message)
                ),
            }
        }
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        for (field, expected) in [
            ("plain-id", "plain-id"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ] {
            assert_eq!(csv_field(field), expected);
        }
    }
}
