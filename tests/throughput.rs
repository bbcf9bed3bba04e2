//! Stepping throughput: the heuristic agent playing the hard task.
//!
//! Ignored by default (timings mean nothing in a debug build). Measure with
//!
//! ```text
//! cargo test --release --test throughput -- --ignored --nocapture
//! ```
//!
//! `FIREDRILL_THROUGHPUT_EPISODES` sets how many episodes it plays (2000).

use firedrill::agents;
use firedrill::env::{Env, Selection};
use std::time::Instant;

#[test]
#[ignore = "a timing, run in release with --ignored --nocapture"]
fn heuristic_steps_per_second_on_the_hard_task() {
    let episodes: u64 = std::env::var("FIREDRILL_THROUGHPUT_EPISODES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let selection = Selection::Task("full_incident_management".into());
    let mut env = Env::new();
    let mut steps = 0u64;
    let mut step_time = 0.0f64;
    let start = Instant::now();
    for seed in 1..=episodes {
        let mut agent = agents::by_name("heuristic", seed).expect("a baseline agent");
        let mut observation = env.reset(&selection, seed).expect("the task exists");
        loop {
            let action = agent.act(&env, &observation);
            let before = Instant::now();
            let step = env
                .step(&action)
                .expect("the heuristic plays valid actions");
            step_time += before.elapsed().as_secs_f64();
            steps += 1;
            observation = step.observation;
            if step.terminated || step.truncated {
                break;
            }
        }
    }
    let total = start.elapsed().as_secs_f64();
    println!(
        "hard task, heuristic: {episodes} episodes, {steps} steps in {total:.3} s: \
         {:.0} steps/s overall (reset and agent included), {:.0} steps/s in Env::step alone",
        steps as f64 / total,
        steps as f64 / step_time
    );
    assert!(steps > 0);
}

#[test]
#[ignore = "a timing, run in release with --ignored --nocapture"]
fn alert_rule_evaluation_cost() {
    use firedrill::metrics::alerts::RuleSet;
    let mut env = Env::new();
    let mut rules_evaluated = 0u64;
    let mut holding = 0u64;
    let mut elapsed = 0.0f64;
    let mut parse_elapsed = 0.0f64;
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
        let before = Instant::now();
        let rules = RuleSet::new(&scenario);
        parse_elapsed += before.elapsed().as_secs_f64();
        let monitor = env.monitor().expect("an episode");
        let now_ms = monitor.last_time() * 1000;
        let before = Instant::now();
        for _ in 0..2000 {
            for i in 0..rules.len() {
                holding += rules.holds(i, monitor.store(), now_ms) as u64;
            }
            rules_evaluated += rules.len() as u64;
        }
        elapsed += before.elapsed().as_secs_f64();
    }
    let per_scenario = rules_evaluated as f64 / (2000.0 * ids.len() as f64);
    println!(
        "alert rules: {per_scenario:.1} per scenario on average, {:.2} µs per rule evaluation, \
         {:.1} µs to parse a scenario's rules ({holding} held)",
        elapsed * 1e6 / rules_evaluated as f64,
        parse_elapsed * 1e6 / ids.len() as f64
    );
}
