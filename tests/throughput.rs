//! Stepping throughput and query latency, printed (no timing is asserted).
//!
//! Ignored by default (timings mean nothing in a debug build). Measure with
//!
//! ```text
//! cargo test --release --test throughput -- --ignored --nocapture
//! ```
//!
//! `FIREDRILL_THROUGHPUT_EPISODES` sets how many episodes each agent plays
//! on the hard task (2000). `firedrill bench` gives the same figures
//! quickly; BENCHMARKS.md has them. Native only.
#![cfg(not(target_arch = "wasm32"))]

use firedrill::cli::bench::{self, Budget};
use firedrill::env::{Env, Selection, Task};
use std::time::{Duration, Instant};

fn episodes() -> u32 {
    std::env::var("FIREDRILL_THROUGHPUT_EPISODES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

#[test]
#[ignore = "a timing, run in release with --ignored --nocapture"]
fn steps_per_second_on_the_hard_task() {
    let budget = Budget {
        stepping_per_task: Duration::ZERO,
        min_episodes: episodes(),
        ..Budget::quick()
    };
    let mut env = Env::new();
    for agent in ["heuristic", "oracle", "random"] {
        let s = bench::stepping(&mut env, Task::FullIncidentManagement, agent, &budget);
        println!(
            "hard task, {agent}: {} episodes, {} steps: {:.0} steps/s in Env::step, \
             {:.0} steps/s overall (reset and agent included), reset {:.1} µs, grade {:.1} µs",
            s.episodes,
            s.steps,
            s.steps_per_second,
            s.overall_steps_per_second,
            s.reset_us,
            s.grade_us
        );
        assert!(s.steps > 0);
    }
}

#[test]
#[ignore = "a timing, run in release with --ignored --nocapture"]
fn promql_query_latency_over_a_finished_hard_episode() {
    let budget = Budget {
        query_repeats: 200,
        per_query: Duration::from_millis(300),
        ..Budget::quick()
    };
    let mut env = Env::new();
    let mut agent = firedrill::agents::RandomAgent::new(1);
    firedrill::runner::run_episode(
        &mut env,
        &Selection::Scenario(bench::QUERY_SCENARIO.into()),
        1,
        firedrill::runner::Driver::Agent(&mut agent),
    )
    .expect("a built-in scenario");
    let monitor = env.monitor().expect("an episode");
    let timings = bench::query_timings(monitor, &bench::QUERY_MIX, &budget);
    for q in &timings {
        println!(
            "{:>9.2} µs instant {:>9.2} µs range  {}",
            q.instant_us, q.range_us, q.query
        );
    }
    let mut instant: Vec<f64> = timings.iter().map(|q| q.instant_us).collect();
    let mut range: Vec<f64> = timings.iter().map(|q| q.range_us).collect();
    println!(
        "median: {:.2} µs instant, {:.2} µs range (60 simulated minutes)",
        bench::median(&mut instant),
        bench::median(&mut range)
    );
}

#[test]
#[ignore = "a timing, run in release with --ignored --nocapture"]
fn alert_rule_evaluation_cost() {
    use firedrill::metrics::alerts::RuleSet;
    let mut env = Env::new();
    let mut evaluated = 0u64;
    let mut holding = 0u64;
    let (mut promql, mut fast, mut parse) = (0.0f64, 0.0f64, 0.0f64);
    let ids: Vec<String> = env
        .catalog()
        .scenarios()
        .iter()
        .map(|s| s.id.clone())
        .collect();
    for id in &ids {
        env.reset(&Selection::Scenario(id.clone()), 1)
            .expect("a built-in scenario");
        let scenario = env.scenario().expect("an episode").clone();
        let monitor = env.monitor().expect("an episode");
        let before = Instant::now();
        let rules = RuleSet::new(&scenario).resolve(monitor.store());
        parse += before.elapsed().as_secs_f64();
        let now_ms = monitor.last_time() * 1000;
        let before = Instant::now();
        for _ in 0..2000 {
            for i in 0..rules.len() {
                holding += rules.holds(i, monitor.store(), now_ms) as u64;
            }
        }
        promql += before.elapsed().as_secs_f64();
        let before = Instant::now();
        for _ in 0..2000 {
            for i in 0..rules.len() {
                holding += rules.holds_fast(i, monitor.store(), now_ms) as u64;
            }
            evaluated += rules.len() as u64;
        }
        fast += before.elapsed().as_secs_f64();
    }
    println!(
        "alert rules: {:.1} per scenario, {:.3} µs per evaluation through PromQL, {:.3} µs by the \
         fast path, {:.1} µs to parse and resolve a scenario's rules ({holding} held)",
        evaluated as f64 / (2000.0 * ids.len() as f64),
        promql * 1e6 / evaluated as f64,
        fast * 1e6 / evaluated as f64,
        parse * 1e6 / ids.len() as f64
    );
}
