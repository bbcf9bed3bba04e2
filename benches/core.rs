//! Native benchmarks of the core (divan): reset, a whole episode per task
//! and baseline agent, grade, exposition, OpenMetrics export, scenario
//! loading and validation, PromQL instant and range queries of the mix in
//! `firedrill::cli::bench::QUERY_MIX`. Run with `cargo bench --bench core`
//! (BENCHMARKS.md has the figures).

use divan::{black_box, Bencher};
use firedrill::agents;
use firedrill::cli::bench::{QUERY_MIX, QUERY_SCENARIO};
use firedrill::env::{Env, Selection, Task};
use firedrill::promql::Engine;
use firedrill::runner::{run_episode, Driver};
use firedrill::scenario::{parse, Catalog};

fn main() {
    divan::main();
}

/// An environment that has played every scenario once (what episodes of a
/// scenario share is prepared).
fn warm_env() -> Env {
    let mut env = Env::new();
    let ids: Vec<String> = env
        .catalog()
        .scenarios()
        .iter()
        .map(|s| s.id.clone())
        .collect();
    for id in ids {
        let _ = env.reset(&Selection::Scenario(id), 1);
    }
    env
}

/// A finished episode of the query scenario (the random agent plays the
/// whole step budget).
fn finished_episode() -> Env {
    let mut env = Env::new();
    let mut agent = agents::RandomAgent::new(1);
    let _ = run_episode(
        &mut env,
        &Selection::Scenario(QUERY_SCENARIO.into()),
        1,
        Driver::Agent(&mut agent),
    );
    env
}

#[divan::bench(args = Task::ALL)]
fn reset(bencher: Bencher, task: &Task) {
    let mut env = warm_env();
    let selection = Selection::Task(task.id().into());
    let mut seed = 0u64;
    bencher.bench_local(|| {
        seed += 1;
        black_box(env.reset(&selection, seed).is_ok())
    });
}

/// One whole episode (reset, every step, the agent's decisions).
#[divan::bench(args = ["random", "heuristic", "oracle"], consts = [0, 1, 2])]
fn episode<const TASK: usize>(bencher: Bencher, agent: &str) {
    let mut env = warm_env();
    let selection = Selection::Task(Task::ALL[TASK].id().into());
    let mut seed = 0u64;
    bencher.bench_local(|| {
        seed += 1;
        let Some(mut player) = agents::by_name(agent, seed) else {
            return 0;
        };
        run_episode(&mut env, &selection, seed, Driver::Agent(player.as_mut()))
            .map(|actions| actions.len())
            .unwrap_or(0)
    });
}

#[divan::bench]
fn grade(bencher: Bencher) {
    let mut env = finished_episode();
    bencher.bench_local(|| black_box(env.grade().map(|g| g.score).unwrap_or(0.0)));
}

#[divan::bench]
fn exposition(bencher: Bencher) {
    let env = finished_episode();
    bencher.bench_local(|| env.monitor().map(|m| m.exposition().len()).unwrap_or(0));
}

#[divan::bench]
fn openmetrics(bencher: Bencher) {
    let env = finished_episode();
    bencher.bench_local(|| env.monitor().map(|m| m.openmetrics().len()).unwrap_or(0));
}

/// Parsing and validating every built-in scenario file.
#[divan::bench]
fn scenario_load_and_validation(bencher: Bencher) {
    bencher.bench_local(|| {
        Catalog::builtin_files()
            .iter()
            .filter(|(file, text)| parse(file, text).is_ok())
            .count()
    });
}

#[divan::bench(args = QUERY_MIX)]
fn promql_instant(bencher: Bencher, query: &str) {
    let env = finished_episode();
    let Ok(monitor) = env.monitor() else { return };
    let Ok(prepared) = Engine::default().prepare(query) else {
        return;
    };
    let end = monitor.last_time() * 1000;
    bencher.bench_local(|| black_box(prepared.instant(monitor.store(), end).is_ok()));
}

/// Over the last 60 simulated minutes, one point per scrape interval.
#[divan::bench(args = QUERY_MIX)]
fn promql_range(bencher: Bencher, query: &str) {
    let env = finished_episode();
    let Ok(monitor) = env.monitor() else { return };
    let Ok(prepared) = Engine::default().prepare(query) else {
        return;
    };
    let end = monitor.last_time() * 1000;
    let step = i64::from(monitor.step_seconds()) * 1000;
    bencher.bench_local(|| {
        black_box(
            prepared
                .range(monitor.store(), end - 3_600_000, end, step)
                .is_ok(),
        )
    });
}
