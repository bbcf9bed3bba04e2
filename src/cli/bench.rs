//! Quick native measurements of the core (native only: it reads the
//! clock): stepping throughput per task with the full observability of
//! every step, reset time, and PromQL instant and range query latency over a
//! finished hard episode. `firedrill bench` prints them; the criterion
//! benches (`benches/`) and `tests/throughput.rs` measure the same things
//! more thoroughly. See BENCHMARKS.md for the figures and the profile.
//!
//! ```
//! use firedrill::cli::bench::{run, Budget};
//! let report = run(&Budget::smoke());
//! assert!(report.steps_per_second["full_incident_management"] > 0.0);
//! assert!(report.query_instant_us_median > 0.0);
//! ```

use crate::agents;
use crate::env::{Env, Selection, Task};
use crate::metrics::monitor::Monitor;
use crate::promql::Engine;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The scenario the query figures are measured over: the hard task's
/// largest fleet (10 services, 8 alert rules).
pub const QUERY_SCENARIO: &str = "stuck-queue-consumer-v2";

/// The PromQL mix of the query figures: selectors, comparisons, rate and
/// increase, aggregations, `topk`, `histogram_quantile`, `*_over_time`,
/// subqueries, a vector–vector division.
pub const QUERY_MIX: [&str; 14] = [
    "error_ratio",
    "up == 0",
    "latency_p99_seconds > 0.5",
    "ALERTS{alertstate=\"firing\"}",
    "rate(http_requests_total{code=\"500\"}[5m])",
    "sum by (service) (rate(http_requests_total[5m]))",
    "sum by (service) (rate(http_requests_total{code=\"500\"}[5m])) / sum by (service) (rate(http_requests_total[5m]))",
    "histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket[5m])))",
    "topk(3, error_ratio)",
    "max_over_time(saturation_ratio[10m])",
    "increase(process_cpu_seconds_total[10m])",
    "avg_over_time(cpu_usage_ratio[30m:1m])",
    "max_over_time(rate(http_requests_total{code=\"500\"}[2m])[30m:1m])",
    "count by (service) (http_request_duration_seconds_bucket{le=~\"0.1|0.25|0.5\"} > 100)",
];

/// How much to measure.
#[derive(Clone, Debug, PartialEq)]
pub struct Budget {
    /// Time spent stepping each task (at least `min_episodes` episodes).
    pub stepping_per_task: Duration,
    /// Episodes played per task at least.
    pub min_episodes: u32,
    /// Evaluations of each query (instant and range) at least.
    pub query_repeats: u32,
    /// Time spent on each query at most (after its minimum repeats).
    pub per_query: Duration,
}

impl Budget {
    /// About 10 seconds in all on a 2-core machine.
    pub fn quick() -> Budget {
        Budget {
            stepping_per_task: Duration::from_millis(1500),
            min_episodes: 20,
            query_repeats: 20,
            per_query: Duration::from_millis(150),
        }
    }

    /// A fraction of a second: checks that everything runs, measures nothing.
    pub fn smoke() -> Budget {
        Budget {
            stepping_per_task: Duration::ZERO,
            min_episodes: 2,
            query_repeats: 2,
            per_query: Duration::ZERO,
        }
    }
}

/// Stepping figures of one task.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stepping {
    /// The agent playing (`heuristic`).
    pub agent: String,
    /// Episodes played (seeds 1, 2, …).
    pub episodes: u32,
    /// Steps played.
    pub steps: u64,
    /// Steps per second spent in `Env::step` (simulation, store append,
    /// alert evaluation, SLOs, recorder, observation).
    pub steps_per_second: f64,
    /// Steps per second in `Env::step_lean` (everything `Env::step` does
    /// but the observation), replaying the same episodes' actions.
    pub lean_steps_per_second: f64,
    /// Steps per second with the resets and the agent's decisions included.
    pub overall_steps_per_second: f64,
    /// Mean time of `Env::reset`, microseconds.
    pub reset_us: f64,
    /// Mean time of `Env::grade` on the finished episode, microseconds.
    pub grade_us: f64,
}

/// Latency of one query.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueryTiming {
    /// The query.
    pub query: String,
    /// Median instant query time at the episode's end, microseconds.
    pub instant_us: f64,
    /// Median range query time over the last 60 simulated minutes (one
    /// point per scrape interval), microseconds.
    pub range_us: f64,
    /// Series in the instant result (0 for an error).
    pub instant_series: usize,
}

/// Everything `firedrill bench --json` prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// `Env::step` steps per second of the heuristic agent, by task id.
    pub steps_per_second: BTreeMap<String, f64>,
    /// `Env::step_lean` steps per second over the same episodes, by task id.
    pub steps_per_second_lean: BTreeMap<String, f64>,
    /// Steps per second with resets and the agent included, by task id.
    pub overall_steps_per_second: BTreeMap<String, f64>,
    /// Mean `Env::reset` time by task id, microseconds.
    pub reset_us: BTreeMap<String, f64>,
    /// Episodes played by task id.
    pub episodes: BTreeMap<String, u32>,
    /// The stepping figures in full, by task id.
    pub stepping: BTreeMap<String, Stepping>,
    /// Median over [`QUERY_MIX`] of the instant query medians, microseconds.
    pub query_instant_us_median: f64,
    /// Median over [`QUERY_MIX`] of the range query medians, microseconds.
    pub query_range_us_median: f64,
    /// Each query's figures.
    pub queries: Vec<QueryTiming>,
    /// The scenario the queries ran over.
    pub query_scenario: String,
    /// Samples in that episode's store.
    pub query_store_samples: usize,
}

/// The median of some numbers (0 for none).
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Plays `task` with `agent` (seeds 1, 2, …) for the budget's time and
/// episodes, timing resets, steps and grades apart; then replays the same
/// episodes' actions with `Env::step_lean`, timing its steps.
pub fn stepping(env: &mut Env, task: Task, agent: &str, budget: &Budget) -> Stepping {
    let selection = Selection::Task(task.id().into());
    // Warm up: the first episode of each scenario prepares what its
    // episodes share (rules, baseline history); measure the steady state.
    let scenarios = env.catalog().for_task(task).count().max(1) as u64;
    for seed in 0..scenarios {
        let _ = env.reset(&selection, seed);
    }
    let (mut episodes, mut steps) = (0u32, 0u64);
    let (mut step_time, mut reset_time, mut grade_time) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut played = Vec::new();
    let start = Instant::now();
    while episodes < budget.min_episodes || start.elapsed() < budget.stepping_per_task {
        let seed = u64::from(episodes) + 1;
        let Some(mut player) = agents::by_name(agent, seed) else {
            break;
        };
        let before = Instant::now();
        let Ok(mut observation) = env.reset(&selection, seed) else {
            break;
        };
        reset_time += before.elapsed();
        let mut actions = Vec::new();
        loop {
            let action = player.act(env, &observation);
            let before = Instant::now();
            let Ok(step) = env.step(&action) else {
                break;
            };
            step_time += before.elapsed();
            steps += 1;
            actions.push(action);
            observation = step.observation;
            if step.terminated || step.truncated {
                break;
            }
        }
        let before = Instant::now();
        let _ = env.grade();
        grade_time += before.elapsed();
        episodes += 1;
        played.push((seed, actions));
    }
    let total = start.elapsed();
    let (mut lean_steps, mut lean_time) = (0u64, Duration::ZERO);
    for (seed, actions) in &played {
        if env.reset(&selection, *seed).is_err() {
            break;
        }
        for action in actions {
            let before = Instant::now();
            if env.step_lean(action).is_err() {
                break;
            }
            lean_time += before.elapsed();
            lean_steps += 1;
        }
    }
    let per_second = |n: u64, d: Duration| {
        if d.is_zero() {
            0.0
        } else {
            n as f64 / d.as_secs_f64()
        }
    };
    let mean_us = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(episodes.max(1));
    Stepping {
        agent: agent.into(),
        episodes,
        steps,
        steps_per_second: per_second(steps, step_time),
        lean_steps_per_second: per_second(lean_steps, lean_time),
        overall_steps_per_second: per_second(steps, total),
        reset_us: mean_us(reset_time),
        grade_us: mean_us(grade_time),
    }
}

/// Times `f` at least `repeats` times and for at most `limit` after that;
/// returns the median in microseconds.
fn median_us(repeats: u32, limit: Duration, mut f: impl FnMut()) -> f64 {
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < repeats as usize || (start.elapsed() < limit && times.len() < 100_000) {
        let before = Instant::now();
        f();
        times.push(before.elapsed().as_secs_f64() * 1e6);
    }
    median(&mut times)
}

/// The instant and range figures of `queries` over the monitor's store:
/// instant at the newest sample, range over the last 60 simulated minutes
/// with one point per scrape interval. Queries are prepared (parsed) once,
/// as the app's console and the alert rules do.
pub fn query_timings(monitor: &Monitor, queries: &[&str], budget: &Budget) -> Vec<QueryTiming> {
    let engine = Engine::default();
    let store = monitor.store();
    let end = monitor.last_time() * 1000;
    let start = end - 60 * 60 * 1000;
    let step = i64::from(monitor.step_seconds()) * 1000;
    queries
        .iter()
        .map(|query| {
            let prepared = engine.prepare(query);
            let instant_series = match &prepared {
                Ok(p) => p
                    .instant(store, end)
                    .map(|e| match e.value {
                        crate::promql::Value::Vector(v) => v.len(),
                        crate::promql::Value::Matrix(m) => m.len(),
                        _ => 1,
                    })
                    .unwrap_or(0),
                Err(_) => 0,
            };
            let instant_us = median_us(budget.query_repeats, budget.per_query, || {
                if let Ok(p) = &prepared {
                    let _ = std::hint::black_box(p.instant(store, end));
                }
            });
            let range_us = median_us(budget.query_repeats, budget.per_query, || {
                if let Ok(p) = &prepared {
                    let _ = std::hint::black_box(p.range(store, start, end, step));
                }
            });
            QueryTiming {
                query: query.to_string(),
                instant_us,
                range_us,
                instant_series,
            }
        })
        .collect()
}

/// Every figure, within the budget.
pub fn run(budget: &Budget) -> Report {
    let mut env = Env::new();
    let mut report = Report {
        steps_per_second: BTreeMap::new(),
        steps_per_second_lean: BTreeMap::new(),
        overall_steps_per_second: BTreeMap::new(),
        reset_us: BTreeMap::new(),
        episodes: BTreeMap::new(),
        stepping: BTreeMap::new(),
        query_instant_us_median: 0.0,
        query_range_us_median: 0.0,
        queries: Vec::new(),
        query_scenario: QUERY_SCENARIO.into(),
        query_store_samples: 0,
    };
    for task in Task::ALL {
        let figures = stepping(&mut env, task, "heuristic", budget);
        let id = task.id().to_string();
        report
            .steps_per_second
            .insert(id.clone(), figures.steps_per_second);
        report
            .steps_per_second_lean
            .insert(id.clone(), figures.lean_steps_per_second);
        report
            .overall_steps_per_second
            .insert(id.clone(), figures.overall_steps_per_second);
        report.reset_us.insert(id.clone(), figures.reset_us);
        report.episodes.insert(id.clone(), figures.episodes);
        report.stepping.insert(id, figures);
    }
    // A finished hard episode: the oracle's, then the heuristic's steps to
    // the budget would be shorter; the random agent plays the whole budget.
    let selection = Selection::Scenario(QUERY_SCENARIO.into());
    let mut agent = agents::RandomAgent::new(1);
    if crate::runner::run_episode(
        &mut env,
        &selection,
        1,
        crate::runner::Driver::Agent(&mut agent),
    )
    .is_ok()
    {
        if let Ok(monitor) = env.monitor() {
            report.query_store_samples = monitor.store().series().iter().map(|s| s.len()).sum();
            report.queries = query_timings(monitor, &QUERY_MIX, budget);
        }
    }
    let mut instant: Vec<f64> = report.queries.iter().map(|q| q.instant_us).collect();
    let mut range: Vec<f64> = report.queries.iter().map(|q| q.range_us).collect();
    report.query_instant_us_median = median(&mut instant);
    report.query_range_us_median = median(&mut range);
    report
}

/// The report as a table for people.
pub fn table(report: &Report) -> String {
    let mut out = String::from("task                        episodes  steps/s (Env::step)  steps/s (step_lean)  steps/s (overall)  reset µs  grade µs\n");
    for (task, s) in &report.stepping {
        out.push_str(&format!(
            "{task:<27} {:>8}  {:>19.0}  {:>19.0}  {:>17.0}  {:>8.1}  {:>8.1}\n",
            s.episodes,
            s.steps_per_second,
            s.lean_steps_per_second,
            s.overall_steps_per_second,
            s.reset_us,
            s.grade_us
        ));
    }
    out.push_str(&format!(
        "\nPromQL over {} ({} samples): instant at the end, range over the last 60 minutes\n",
        report.query_scenario, report.query_store_samples
    ));
    out.push_str("instant µs    range µs  series  query\n");
    for q in &report.queries {
        out.push_str(&format!(
            "{:>10.2}  {:>10.2}  {:>6}  {}\n",
            q.instant_us, q.range_us, q.instant_series, q.query
        ));
    }
    out.push_str(&format!(
        "{:>10.2}  {:>10.2}          median of the medians\n",
        report.query_instant_us_median, report.query_range_us_median
    ));
    out
}
