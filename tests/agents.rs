//! The baseline agents make the grader testable: the oracle scores near 1
//! everywhere, random low, the heuristic in between.

use firedrill::agents::by_name;
use firedrill::env::{Env, Selection, Task};
use firedrill::runner::{run_episode, Driver};

/// The score of one episode of `agent` on a scenario.
fn score_on(agent: &str, scenario: &str, seed: u64) -> f64 {
    let mut env = Env::new();
    let mut agent = by_name(agent, seed).unwrap();
    run_episode(
        &mut env,
        &Selection::Scenario(scenario.into()),
        seed,
        Driver::Agent(agent.as_mut()),
    )
    .unwrap();
    env.grade().unwrap().score
}

fn mean_score(agent: &str, task: Task, seeds: u64) -> f64 {
    let mut total = 0.0;
    for seed in 0..seeds {
        let mut env = Env::new();
        let mut agent = by_name(agent, seed).unwrap();
        run_episode(
            &mut env,
            &Selection::Task(task.id().into()),
            seed,
            Driver::Agent(agent.as_mut()),
        )
        .unwrap();
        total += env.grade().unwrap().score;
    }
    total / seeds as f64
}

#[test]
fn oracle_scores_at_least_0_9_on_every_scenario() {
    let catalog = Env::new().catalog().clone();
    for s in catalog.scenarios() {
        for seed in 1..=20 {
            let mut env = Env::new();
            let mut agent = by_name("oracle", seed).unwrap();
            run_episode(
                &mut env,
                &Selection::Scenario(s.id.clone()),
                seed,
                Driver::Agent(agent.as_mut()),
            )
            .unwrap();
            let grade = env.grade().unwrap();
            assert!(
                grade.score >= 0.9,
                "{} seed {seed}: {:.3}\n{:#?}",
                s.id,
                grade.score,
                grade.dimensions
            );
        }
    }
}

#[test]
fn random_is_low_and_the_heuristic_between_on_every_scenario() {
    let catalog = Env::new().catalog().clone();
    let mut worst = (0.0, String::new());
    let mut failures = Vec::new();
    for s in catalog.scenarios() {
        let mean = |agent: &str| {
            (1..=20)
                .map(|seed| score_on(agent, &s.id, seed))
                .sum::<f64>()
                / 20.0
        };
        let random = mean("random");
        let heuristic = mean("heuristic");
        let oracle = mean("oracle");
        if random > 0.35 || !(random < heuristic && heuristic < oracle) {
            failures.push(format!(
                "{}: random {random:.3}, heuristic {heuristic:.3}, oracle {oracle:.3}",
                s.id
            ));
        }
        if random > worst.0 {
            worst = (random, s.id.clone());
        }
    }
    assert!(
        failures.is_empty(),
        "random's mean over seeds 1-20 must be at most 0.35 and the heuristic's strictly between random's and the oracle's:\n{}",
        failures.join("\n")
    );
    println!(
        "random's highest mean over seeds 1-20: {:.3} on {}",
        worst.0, worst.1
    );
}

#[test]
fn random_is_low_heuristic_between_oracle_high() {
    let mut table =
        String::from("| task | random | heuristic | oracle |\n| --- | --- | --- | --- |\n");
    for task in Task::ALL {
        let seeds = Env::new().catalog().for_task(task).count() as u64 * 3;
        let seeds = seeds.max(
            std::env::var("AGENT_SEEDS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(100),
        );
        let random = mean_score("random", task, seeds);
        let heuristic = mean_score("heuristic", task, seeds);
        let oracle = mean_score("oracle", task, seeds);
        table.push_str(&format!(
            "| {} | {random:.3} | {heuristic:.3} | {oracle:.3} |\n",
            task.id()
        ));
        assert!(random <= 0.35, "{}: random averages {random:.3}", task.id());
        assert!(
            random < heuristic && heuristic < oracle,
            "{}: {random:.3} / {heuristic:.3} / {oracle:.3}",
            task.id()
        );
    }
    println!("{table}");
}
