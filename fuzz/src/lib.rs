//! What the fuzz targets share: the fixed finished episode the PromQL target
//! queries (built once per process), the freshly reset environments the
//! action target clones, the checks of the environment contract that every
//! target holding an `Env` applies, and the decoding of a fuzz input's
//! control bytes.

use firedrill::agents::{Agent, Heuristic};
use firedrill::env::{Action, Env, EnvError, Selection};
use firedrill::series::Store;
use firedrill::scenario::Catalog;
use std::sync::{Arc, OnceLock};

/// An episode played to its end, and the time span its series store holds.
pub struct FinishedEpisode {
    /// The series store after the last step.
    pub store: Store,
    /// Time of the oldest sample (the baseline history's start), ms.
    pub first_ms: i64,
    /// Time of the newest sample, ms.
    pub last_ms: i64,
    /// The scrape interval, ms.
    pub step_ms: i64,
}

/// The hard task's first scenario (seed 1), played by the heuristic agent to
/// the end: red herrings, wrong fixes, recovery, alerts pending, firing and
/// resolved. Built on first use and kept for the life of the process.
pub fn finished_episode() -> &'static FinishedEpisode {
    static EPISODE: OnceLock<FinishedEpisode> = OnceLock::new();
    EPISODE.get_or_init(|| {
        let mut env = Env::new();
        let mut observation = env
            .reset(&Selection::Task("full_incident_management".into()), 1)
            .expect("the hard task has a scenario");
        let mut agent = Heuristic;
        loop {
            let action = agent.act(&env, &observation);
            let step = env
                .step(&action)
                .expect("the heuristic plays valid actions");
            observation = step.observation;
            if step.terminated || step.truncated {
                break;
            }
        }
        let monitor = env.monitor().expect("an episode");
        FinishedEpisode {
            store: monitor.store().clone(),
            first_ms: monitor.first_time() * 1000,
            last_ms: monitor.last_time() * 1000,
            step_ms: i64::from(monitor.step_seconds()) * 1000,
        }
    })
}

/// Seeds the action target has ready-made environments for, per scenario.
pub const TEMPLATE_SEEDS: u64 = 4;

/// A freshly reset environment on the `scenario`-th built-in scenario
/// (modulo their number) with seed `seed % TEMPLATE_SEEDS`: reset once per
/// process, cloned by the caller (a clone is ~20 times cheaper than a reset).
pub fn reset_env(scenario: usize, seed: u64) -> &'static Env {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    static TEMPLATES: OnceLock<Vec<OnceLock<Env>>> = OnceLock::new();
    let catalog = CATALOG.get_or_init(Catalog::builtin);
    let count = catalog.scenarios().len();
    let templates = TEMPLATES.get_or_init(|| {
        (0..count * TEMPLATE_SEEDS as usize)
            .map(|_| OnceLock::new())
            .collect()
    });
    let scenario = scenario % count;
    let seed = seed % TEMPLATE_SEEDS;
    templates[scenario * TEMPLATE_SEEDS as usize + seed as usize].get_or_init(|| {
        let mut env = Env::with_catalog(catalog.clone());
        let id = catalog.scenarios()[scenario].id.clone();
        env.reset(&Selection::Scenario(id), seed)
            .expect("a built-in scenario resets");
        env
    })
}

/// The built-in scenarios, parsed once.
pub fn builtin() -> &'static [Arc<firedrill::scenario::Scenario>] {
    static SCENARIOS: OnceLock<Vec<Arc<firedrill::scenario::Scenario>>> = OnceLock::new();
    SCENARIOS.get_or_init(|| {
        Catalog::builtin()
            .scenarios()
            .into_iter()
            .cloned()
            .collect()
    })
}

/// Checks an error of the contract says what is wrong: a message, and for
/// an invalid action the field and a reason, without echoing a caller's
/// long string whole.
pub fn check_error(error: &EnvError) {
    let text = error.to_string();
    assert!(!text.is_empty(), "an error without a message: {error:?}");
    assert!(
        text.chars().count() <= 4000,
        "an unclipped error: {error:?}"
    );
    if let EnvError::InvalidAction { field, reason } = error {
        assert!(!field.is_empty() && !reason.is_empty(), "{error:?}");
        assert!(field.chars().count() <= 80, "an unclipped field: {error:?}");
    }
}

/// Where an episode stands, as the caller of `step` sees it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    /// Steps played.
    pub step: u32,
    /// Terminated or truncated.
    pub over: bool,
}

/// Plays `action` on `env` and checks the contract around the step: the
/// same verdict as [`Action::validate`] while the episode runs, `EpisodeOver`
/// after it, a finite reward, the step counter moving by one on success.
pub fn checked_step(env: &mut Env, action: &Action, progress: &mut Progress) {
    let verdict = env
        .scenario()
        .map(|scenario| action.validate(scenario))
        .expect("an episode");
    match env.step(action) {
        Ok(step) => {
            assert!(!progress.over, "a step after the end was accepted");
            assert!(verdict.is_ok(), "step accepted what validate refused");
            assert!(step.reward.is_finite(), "reward {}", step.reward);
            progress.step += 1;
            progress.over = step.terminated || step.truncated;
            assert_eq!(step.observation.step, progress.step);
            assert_eq!(step.observation.done, progress.over);
        }
        Err(error) => {
            check_error(&error);
            if progress.over {
                assert_eq!(error, EnvError::EpisodeOver);
            } else {
                assert_eq!(
                    Err(error),
                    verdict.map(|_| ()),
                    "step and validate disagree"
                );
            }
        }
    }
}

/// Checks what an environment reports about its episode: the grade and its
/// dimensions in [0, 1] with weights summing to 1, the state and grade
/// serializable, the dashboard renderable, the state's step count equal to
/// the `progress` its caller saw.
pub fn check_episode(env: &mut Env, progress: Progress) {
    let grade = env.grade().expect("an episode");
    assert!(
        (0.0..=1.0).contains(&grade.score),
        "score {} out of [0, 1]",
        grade.score
    );
    let mut weights = 0.0;
    for dimension in &grade.dimensions {
        assert!(
            (0.0..=1.0).contains(&dimension.score),
            "{} scored {}",
            dimension.name,
            dimension.score
        );
        weights += dimension.weight;
    }
    assert!((weights - 1.0).abs() < 1e-9, "weights sum to {weights}");
    let state = env.state().expect("an episode");
    assert_eq!(
        state.ground_truth.is_some(),
        state.terminated || state.truncated
    );
    assert_eq!(state.step as usize, state.history.len());
    assert_eq!(
        (state.step, state.terminated || state.truncated),
        (progress.step, progress.over)
    );
    serde_json::to_string(&state).expect("the state serializes");
    serde_json::to_string(&grade).expect("the grade serializes");
    assert!(!env.render().expect("an episode").is_empty());
}

/// A fuzz input's first `N` bytes (zero-padded when shorter) and the rest.
pub fn split<const N: usize>(data: &[u8]) -> ([u8; N], &[u8]) {
    let mut head = [0u8; N];
    let n = data.len().min(N);
    head[..n].copy_from_slice(&data[..n]);
    (head, &data[n..])
}
