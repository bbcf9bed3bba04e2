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
