//! Evaluating a baseline agent over many episodes: every (scenario, seed)
//! pair of a list played to its end, then the grades summed up per
//! scenario and per grade dimension. `firedrill evaluate` prints it; a
//! Python binding and a Ray evaluation are meant to call the same
//! functions, so all of them give the same numbers.
//!
//! What it supports: the baseline agents by name ([`AGENT_NAMES`]), any
//! scenario of a [`Catalog`] (built-in or loaded), any list of seeds. It
//! plays each episode as `firedrill run --scenario ID --seed N --agent A`
//! does, so an episode's score here is the score `run` prints.
//!
//! Determinism: an episode's result depends only on its scenario, its seed
//! and the agent, never on the thread that played it or when.
//! [`summarize`] sorts the results by scenario id, then seed, before it
//! adds anything up, so the sums, and so the means to the last bit, are
//! the same whether the episodes were played in sequence ([`evaluate`],
//! everywhere), on a thread pool ([`evaluate_parallel`], native builds
//! only), or one by one elsewhere with [`play_episode`] and then collected
//! into [`summarize`].
//!
//! ```
//! use firedrill::evaluate::{episodes, evaluate};
//! use firedrill::scenario::Catalog;
//!
//! let plan = episodes(&["connection-pool-exhaustion-v1".to_string()], 1..=3);
//! let report = evaluate(&Catalog::builtin(), "oracle", &plan).unwrap();
//! assert_eq!(report.episodes, 3);
//! assert_eq!(report.results[2].seed, 3);
//! assert_eq!(report.per_scenario[0].scenario, "connection-pool-exhaustion-v1");
//! assert!(report.per_scenario[0].mean_score >= 0.9);
//! let json = serde_json::to_value(&report).unwrap();
//! assert!(json["per_dimension"]["diagnosis_accuracy"].as_f64().unwrap() > 0.9);
//! ```

use crate::agents::{self, AGENT_NAMES};
use crate::env::{Env, EnvError, GradeDimension, Selection, Status, Task};
use crate::runner::{run_episode, Driver, RunError};
use crate::scenario::Catalog;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::RangeInclusive;

/// One episode to play: a scenario and a seed. Ordered by scenario id, then
/// seed: the order of an evaluation's results.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EpisodeSpec {
    /// The scenario id.
    pub scenario: String,
    /// The seed of the reset (and of the random agent).
    pub seed: u64,
}

/// Every pair of a scenario of `scenarios` and a seed of `seeds`, sorted
/// (scenario id, then seed) and without duplicates.
///
/// ```
/// use firedrill::evaluate::episodes;
/// let plan = episodes(&["b".to_string(), "a".to_string(), "b".to_string()], 7..=8);
/// let pairs: Vec<(&str, u64)> = plan.iter().map(|e| (e.scenario.as_str(), e.seed)).collect();
/// assert_eq!(pairs, [("a", 7), ("a", 8), ("b", 7), ("b", 8)]);
/// ```
pub fn episodes(scenarios: &[String], seeds: RangeInclusive<u64>) -> Vec<EpisodeSpec> {
    let mut ids: Vec<&String> = scenarios.iter().collect();
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .flat_map(|id| {
            seeds.clone().map(move |seed| EpisodeSpec {
                scenario: id.clone(),
                seed,
            })
        })
        .collect()
}

/// The ids of the scenarios of `task` in `catalog` (its listing order).
pub fn scenarios_of_task(catalog: &Catalog, task: Task) -> Vec<String> {
    catalog
        .summaries()
        .into_iter()
        .filter(|s| s.task == Some(task))
        .map(|s| s.id)
        .collect()
}

/// Scores by grade dimension, in a fixed order (a task's order for one
/// task); serialized as a JSON object `{"severity_accuracy": 0.5, …}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DimensionScores(pub Vec<(GradeDimension, f64)>);

impl DimensionScores {
    /// The score of `dimension`, if graded.
    pub fn get(&self, dimension: GradeDimension) -> Option<f64> {
        self.0
            .iter()
            .find(|(d, _)| *d == dimension)
            .map(|(_, score)| *score)
    }

    /// The dimensions, in order.
    pub fn dimensions(&self) -> impl Iterator<Item = GradeDimension> + '_ {
        self.0.iter().map(|(d, _)| *d)
    }
}

impl Serialize for DimensionScores {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (dimension, score) in &self.0 {
            map.serialize_entry(dimension.name(), score)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for DimensionScores {
    /// Reads the object back in the order of its text (`{"name": score, …}`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Scores;
        impl<'de> Visitor<'de> for Scores {
            type Value = DimensionScores;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of grade dimension names to scores")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut scores = Vec::new();
                while let Some((dimension, score)) = map.next_entry::<GradeDimension, f64>()? {
                    scores.push((dimension, score));
                }
                Ok(DimensionScores(scores))
            }
        }
        deserializer.deserialize_map(Scores)
    }
}

/// The outcome of one episode: what `firedrill run --json` prints of it,
/// without the actions. Its JSON reads back to the same value, bit for bit
/// (for results played in other processes, then [`summarize`]d).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpisodeResult {
    /// Scenario id.
    pub scenario: String,
    /// The scenario's task.
    pub task: Task,
    /// The seed.
    pub seed: u64,
    /// The grade's score, 0..=1.
    pub score: f64,
    /// Whether the score reaches the task's pass mark.
    pub passed: bool,
    /// Steps played.
    pub steps: u32,
    /// The incident's status at the end.
    pub status: Status,
    /// Whether the episode ended by itself (not by the step budget).
    pub terminated: bool,
    /// Whether the step budget ended it.
    pub truncated: bool,
    /// The sum of the step rewards.
    pub cumulative_reward: f64,
    /// The grade's dimensions: their scores, in the task's order.
    pub dimensions: DimensionScores,
}

/// The scores of one scenario's episodes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioScores {
    /// Scenario id.
    pub scenario: String,
    /// Its task.
    pub task: Task,
    /// Episodes played.
    pub episodes: usize,
    /// Mean score.
    pub mean_score: f64,
    /// Lowest score.
    pub min_score: f64,
    /// Highest score.
    pub max_score: f64,
    /// The share of its episodes that passed, 0..=1.
    pub pass_rate: f64,
    /// The mean of each dimension, in the task's order.
    pub dimensions: DimensionScores,
}

/// The seeds an evaluation played.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SeedSpan {
    /// The smallest.
    pub first: u64,
    /// The largest.
    pub last: u64,
    /// How many different seeds (`last - first + 1` for a range).
    pub count: usize,
}

/// The report of an evaluation (`firedrill evaluate --json`). Every mean is
/// taken over the episodes in the order of `results`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// The agent's name.
    pub agent: String,
    /// The seeds played.
    pub seeds: SeedSpan,
    /// Episodes played.
    pub episodes: usize,
    /// Mean score over every episode.
    pub mean_score: f64,
    /// The share of all episodes that passed, 0..=1.
    pub pass_rate: f64,
    /// One entry per scenario, sorted by scenario id.
    pub per_scenario: Vec<ScenarioScores>,
    /// The mean of each dimension over the episodes graded on it (a task
    /// grades some dimensions only), in the tasks' order, easy task first.
    pub per_dimension: DimensionScores,
    /// Every episode, sorted by scenario id, then seed.
    pub results: Vec<EpisodeResult>,
}

/// Why an evaluation could not run.
#[derive(Clone, Debug, PartialEq)]
pub enum EvaluateError {
    /// No baseline agent has this name.
    UnknownAgent(String),
    /// The catalog has no scenario with this id.
    UnknownScenario(String),
    /// The list of episodes is empty.
    NoEpisodes,
    /// An episode failed (an action refused, a scenario not loaded).
    Episode {
        /// Its scenario id.
        scenario: String,
        /// Its seed.
        seed: u64,
        /// What went wrong.
        error: RunError,
    },
    /// The thread pool could not start (native only).
    ThreadPool(String),
}

impl fmt::Display for EvaluateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvaluateError::UnknownAgent(name) => write!(
                f,
                "unknown agent {name:?}: expected one of {}",
                AGENT_NAMES.join(", ")
            ),
            EvaluateError::UnknownScenario(id) => {
                write!(f, "unknown scenario {id:?} (firedrill list shows them)")
            }
            EvaluateError::NoEpisodes => write!(f, "no episodes to play"),
            EvaluateError::Episode {
                scenario,
                seed,
                error,
            } => write!(f, "scenario {scenario} seed {seed}: {error}"),
            EvaluateError::ThreadPool(reason) => {
                write!(f, "cannot start the thread pool: {reason}")
            }
        }
    }
}

impl std::error::Error for EvaluateError {}

/// Plays one episode of `agent` in `env` (reset with the episode's seed;
/// the agent seeded with it too) and returns its result. `env` can be
/// reused from episode to episode: a reset forgets the previous one.
pub fn play_episode(
    env: &mut Env,
    agent: &str,
    episode: &EpisodeSpec,
) -> Result<EpisodeResult, EvaluateError> {
    let failed = |error: RunError| EvaluateError::Episode {
        scenario: episode.scenario.clone(),
        seed: episode.seed,
        error,
    };
    let not_run = |error: EnvError| failed(RunError { index: None, error });
    let mut player = agents::by_name(agent, episode.seed)
        .ok_or_else(|| EvaluateError::UnknownAgent(agent.to_string()))?;
    run_episode(
        env,
        &Selection::Scenario(episode.scenario.clone()),
        episode.seed,
        Driver::Agent(player.as_mut()),
    )
    .map_err(failed)?;
    episode_result(env, episode.seed).map_err(not_run)
}

/// The result of the episode in `env`, played to its end by anyone (a
/// baseline agent, a Python agent, a list of actions), reset with `seed`.
pub fn episode_result(env: &mut Env, seed: u64) -> Result<EpisodeResult, EnvError> {
    let state = env.state()?;
    let grade = env.grade()?;
    Ok(EpisodeResult {
        scenario: state.scenario,
        task: state.task,
        seed,
        score: grade.score,
        passed: grade.passed,
        steps: state.step,
        status: state.status,
        terminated: state.terminated,
        truncated: state.truncated,
        cumulative_reward: state.cumulative_reward,
        dimensions: DimensionScores(grade.dimensions.iter().map(|d| (d.name, d.score)).collect()),
    })
}

/// Checks the agent and every scenario before anything is played.
fn check(catalog: &Catalog, agent: &str, episodes: &[EpisodeSpec]) -> Result<(), EvaluateError> {
    if !AGENT_NAMES.contains(&agent) {
        return Err(EvaluateError::UnknownAgent(agent.to_string()));
    }
    if episodes.is_empty() {
        return Err(EvaluateError::NoEpisodes);
    }
    match episodes
        .iter()
        .find(|e| catalog.summary(&e.scenario).is_none())
    {
        Some(unknown) => Err(EvaluateError::UnknownScenario(unknown.scenario.clone())),
        None => Ok(()),
    }
}

/// Plays every episode in sequence, in one environment over `catalog`, and
/// summarizes them ([`summarize`]). Available in every build (wasm too).
pub fn evaluate(
    catalog: &Catalog,
    agent: &str,
    episodes: &[EpisodeSpec],
) -> Result<Evaluation, EvaluateError> {
    check(catalog, agent, episodes)?;
    let mut env = Env::with_catalog(catalog.clone());
    let results = episodes
        .iter()
        .map(|episode| play_episode(&mut env, agent, episode))
        .collect::<Result<Vec<_>, _>>()?;
    summarize(agent, results)
}

/// Plays the episodes on a pool of `jobs` threads (0: one per core), one
/// environment per worker, and summarizes them ([`summarize`]): the same
/// report as [`evaluate`], bit for bit. `on_episode` is called after each
/// episode, from the thread that played it, in no particular order (for a
/// progress bar). Native builds only.
#[cfg(not(target_arch = "wasm32"))]
pub fn evaluate_parallel(
    catalog: &Catalog,
    agent: &str,
    episodes: &[EpisodeSpec],
    jobs: usize,
    on_episode: &(dyn Fn(&EpisodeResult) + Sync),
) -> Result<Evaluation, EvaluateError> {
    use rayon::prelude::*;
    check(catalog, agent, episodes)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| EvaluateError::ThreadPool(e.to_string()))?;
    let results = pool.install(|| {
        episodes
            .par_iter()
            .map_init(
                || Env::with_catalog(catalog.clone()),
                |env, episode| {
                    let result = play_episode(env, agent, episode)?;
                    on_episode(&result);
                    Ok(result)
                },
            )
            .collect::<Result<Vec<_>, EvaluateError>>()
    })?;
    summarize(agent, results)
}

/// The mean of `values`, added up in their order.
fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut count) = (0.0, 0usize);
    for value in values {
        sum += value;
        count += 1;
    }
    sum / count as f64
}

/// The share of `results` that passed.
fn pass_rate(results: &[EpisodeResult]) -> f64 {
    results.iter().filter(|r| r.passed).count() as f64 / results.len() as f64
}

/// The mean of each dimension of `order` over the results graded on it.
fn dimension_means(results: &[EpisodeResult], order: &[GradeDimension]) -> DimensionScores {
    DimensionScores(
        order
            .iter()
            .map(|&dimension| {
                let graded = results.iter().filter_map(|r| r.dimensions.get(dimension));
                (dimension, mean(graded))
            })
            .collect(),
    )
}

/// The report of the episodes `results` (played anywhere, in any order)
/// of `agent`: sorted by scenario id, then seed, then summed up in that
/// order, so that the same episodes always give the same means to the
/// last bit.
pub fn summarize(
    agent: &str,
    mut results: Vec<EpisodeResult>,
) -> Result<Evaluation, EvaluateError> {
    if results.is_empty() {
        return Err(EvaluateError::NoEpisodes);
    }
    results.sort_by(|a, b| (&a.scenario, a.seed).cmp(&(&b.scenario, b.seed)));
    let mut per_scenario = Vec::new();
    for group in results.chunk_by(|a, b| a.scenario == b.scenario) {
        let first = &group[0];
        let order: Vec<GradeDimension> = first.dimensions.dimensions().collect();
        let scores = || group.iter().map(|r| r.score);
        per_scenario.push(ScenarioScores {
            scenario: first.scenario.clone(),
            task: first.task,
            episodes: group.len(),
            mean_score: mean(scores()),
            min_score: scores().fold(f64::INFINITY, f64::min),
            max_score: scores().fold(f64::NEG_INFINITY, f64::max),
            pass_rate: pass_rate(group),
            dimensions: dimension_means(group, &order),
        });
    }
    let mut order: Vec<GradeDimension> = Vec::new();
    let tasks_order = Task::ALL
        .iter()
        .filter(|&&task| results.iter().any(|r| r.task == task))
        .flat_map(|task| task.dimensions().iter().map(|(d, _)| *d));
    for dimension in tasks_order.chain(GradeDimension::ALL) {
        let graded = results
            .iter()
            .any(|r| r.dimensions.get(dimension).is_some());
        if graded && !order.contains(&dimension) {
            order.push(dimension);
        }
    }
    let mut seeds: Vec<u64> = results.iter().map(|r| r.seed).collect();
    seeds.sort_unstable();
    seeds.dedup();
    Ok(Evaluation {
        agent: agent.to_string(),
        seeds: SeedSpan {
            first: seeds[0],
            last: seeds[seeds.len() - 1],
            count: seeds.len(),
        },
        episodes: results.len(),
        mean_score: mean(results.iter().map(|r| r.score)),
        pass_rate: pass_rate(&results),
        per_scenario,
        per_dimension: dimension_means(&results, &order),
        results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str = "connection-pool-exhaustion-v1";

    fn plan(seeds: RangeInclusive<u64>) -> Vec<EpisodeSpec> {
        episodes(&[SCENARIO.to_string()], seeds)
    }

    #[test]
    fn errors_name_what_is_wrong() {
        let catalog = Catalog::builtin();
        for (agent, episodes, expected) in [
            (
                "genius",
                plan(1..=1),
                EvaluateError::UnknownAgent("genius".into()),
            ),
            ("heuristic", Vec::new(), EvaluateError::NoEpisodes),
            (
                "heuristic",
                episodes(&["nope".to_string()], 1..=1),
                EvaluateError::UnknownScenario("nope".into()),
            ),
        ] {
            assert_eq!(evaluate(&catalog, agent, &episodes), Err(expected.clone()));
            #[cfg(not(target_arch = "wasm32"))]
            assert_eq!(
                evaluate_parallel(&catalog, agent, &episodes, 2, &|_| {}),
                Err(expected)
            );
        }
    }

    #[test]
    fn summarize_sorts_before_it_adds_up() {
        let catalog = Catalog::builtin();
        let report = evaluate(&catalog, "random", &plan(1..=4)).unwrap();
        let mut shuffled = report.results.clone();
        shuffled.reverse();
        shuffled.swap(0, 2);
        assert_eq!(summarize("random", shuffled).unwrap(), report);
        assert_eq!(
            summarize("random", Vec::new()),
            Err(EvaluateError::NoEpisodes)
        );
    }

    #[test]
    fn results_read_back_from_json_bit_for_bit() {
        let catalog = Catalog::builtin();
        let report = evaluate(&catalog, "random", &plan(1..=3)).unwrap();
        let json = serde_json::to_string(&report.results).unwrap();
        let read: Vec<EpisodeResult> = serde_json::from_str(&json).unwrap();
        assert_eq!(read, report.results);
        assert_eq!(summarize("random", read).unwrap(), report);
    }

    #[test]
    fn the_report_adds_up() {
        let catalog = Catalog::builtin();
        let report = evaluate(&catalog, "random", &plan(1..=5)).unwrap();
        let scenario = &report.per_scenario[0];
        assert_eq!((report.episodes, scenario.episodes), (5, 5));
        assert_eq!(
            report.seeds,
            SeedSpan {
                first: 1,
                last: 5,
                count: 5
            }
        );
        let scores: Vec<f64> = report.results.iter().map(|r| r.score).collect();
        let sum: f64 = scores.iter().sum();
        assert_eq!(scenario.mean_score, sum / 5.0);
        assert_eq!(report.mean_score, sum / 5.0);
        assert_eq!(
            scenario.min_score,
            scores.iter().copied().fold(1.0, f64::min)
        );
        assert_eq!(
            scenario.max_score,
            scores.iter().copied().fold(0.0, f64::max)
        );
        let task_order: Vec<GradeDimension> =
            scenario.task.dimensions().iter().map(|(d, _)| *d).collect();
        let order: Vec<GradeDimension> = report.per_dimension.dimensions().collect();
        assert_eq!(order, task_order);
        assert_eq!(scenario.dimensions, report.per_dimension);
    }
}
