//! Properties of the environment contract and the series store, checked
//! with proptest over generated inputs: any action sequence (every action
//! type and made-up ones, targets of the scenario, other teams, unknown and
//! huge strings, any parameters) on any built-in scenario with any seed.
//!
//! - nothing panics, every refusal is a named [`EnvError`] that says what is
//!   wrong, an invalid action uses no step, steps after the end are
//!   `EpisodeOver`;
//! - the score and every dimension's score stay in [0, 1];
//! - the same scenario, seed and actions give the same trajectory (the
//!   serialized steps, state and grade), in a fresh environment or one that
//!   played before;
//! - the series store stays bounded however long one steps: the series of
//!   an episode are fixed at reset, no series holds more than its capacity,
//!   and a store appended to directly keeps exactly its newest samples.
//!
//! 64 cases per property by default (a few seconds); `PROPTEST_CASES=5000
//! cargo test --release --test properties` runs them longer.
#![cfg(not(target_arch = "wasm32"))]

use firedrill::env::{Action, Env, EnvError, Selection, ACTION_TYPES, MAX_TEXT_CHARS};
use firedrill::metrics::monitor::SAMPLES_PER_SERIES;
use firedrill::scenario::{Catalog, Scenario, CHANNELS, REMEDIATION_KINDS};
use firedrill::series::{Labels, Store};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    ProptestConfig::with_cases(cases)
}

fn scenarios() -> &'static [Arc<Scenario>] {
    static SCENARIOS: OnceLock<Vec<Arc<Scenario>>> = OnceLock::new();
    SCENARIOS.get_or_init(|| {
        Catalog::builtin()
            .scenarios()
            .into_iter()
            .cloned()
            .collect()
    })
}

/// A string the scenario knows, a near miss, an arbitrary one or a huge one.
#[derive(Clone, Debug)]
enum Text {
    /// The i-th of the valid choices (modulo their number).
    Known(usize),
    /// A valid choice with a change: case, spaces around, a suffix.
    NearMiss(usize, u8),
    /// Anything.
    Any(String),
    /// A string of this many characters (well past every limit).
    Huge(char, usize),
}

fn text() -> impl Strategy<Value = Text> {
    prop_oneof![
        4 => any::<usize>().prop_map(Text::Known),
        1 => (any::<usize>(), 0u8..4).prop_map(|(i, how)| Text::NearMiss(i, how)),
        2 => ".{0,40}".prop_map(Text::Any),
        1 => (any::<char>(), MAX_TEXT_CHARS - 2..MAX_TEXT_CHARS * 6)
            .prop_map(|(c, n)| Text::Huge(c, n)),
    ]
}

impl Text {
    fn resolve(&self, choices: &[String]) -> String {
        let pick = |i: usize| {
            if choices.is_empty() {
                String::new()
            } else {
                choices[i % choices.len()].clone()
            }
        };
        match self {
            Text::Known(i) => pick(*i),
            Text::NearMiss(i, how) => {
                let known = pick(*i);
                match how {
                    0 => known.to_uppercase(),
                    1 => format!("  {known}\t"),
                    2 => format!("{known}x"),
                    _ => known.chars().skip(1).collect(),
                }
            }
            Text::Any(s) => s.clone(),
            Text::Huge(c, n) => std::iter::repeat_n(*c, *n).collect(),
        }
    }
}

/// An action before it meets a scenario: which strings it will hold.
#[derive(Clone, Debug)]
struct ActionSpec {
    action_type: Text,
    target: Option<(bool, Text)>,
    parameters: Vec<(Text, Text)>,
    reasoning: Text,
}

fn action_spec() -> impl Strategy<Value = ActionSpec> {
    (
        text(),
        proptest::option::weighted(0.7, (any::<bool>(), text())),
        proptest::collection::vec((text(), text()), 0..3),
        prop_oneof![3 => Just(Text::Any(String::new())), 1 => text()],
    )
        .prop_map(|(action_type, target, parameters, reasoning)| ActionSpec {
            action_type,
            target,
            parameters,
            reasoning,
        })
}

const PARAMETER_NAMES: [&str; 5] = ["severity", "root_cause", "kind", "channel", "message"];

impl ActionSpec {
    /// The action, its strings drawn from what `scenario` knows.
    fn build(&self, scenario: &Scenario) -> Action {
        let owned =
            |items: &[&str]| -> Vec<String> { items.iter().map(|s| s.to_string()).collect() };
        let services: Vec<String> = scenario.services.iter().map(|s| s.name.clone()).collect();
        let target = self.target.as_ref().map(|(team, t)| {
            if *team {
                t.resolve(&scenario.teams())
            } else {
                t.resolve(&services)
            }
        });
        let mut values = owned(&["P1", "P2", "P3", "P4"]);
        values.extend(owned(&REMEDIATION_KINDS));
        values.extend(owned(&CHANNELS));
        values.push(scenario.fault.cause.clone());
        values.extend(scenario.communication.must_mention.iter().cloned());
        let parameters: BTreeMap<String, String> = self
            .parameters
            .iter()
            .map(|(name, value)| {
                (
                    name.resolve(&owned(&PARAMETER_NAMES)),
                    value.resolve(&values),
                )
            })
            .collect();
        Action {
            action_type: self.action_type.resolve(&owned(&ACTION_TYPES)),
            target,
            parameters,
            reasoning: self.reasoning.resolve(&["checked the dashboards".into()]),
        }
    }
}

/// The JSON of a step's result, errors by kind and message.
fn outcome(result: &Result<firedrill::env::Step, EnvError>) -> String {
    match result {
        Ok(step) => serde_json::to_string(step).expect("a step serializes"),
        Err(error) => format!("error {}: {error}", error.kind()),
    }
}

/// Plays `actions` from a reset of `scenario` with `seed`; the outcome of
/// every step, then the state and the grade, serialized.
fn trajectory(env: &mut Env, scenario: &Scenario, seed: u64, actions: &[Action]) -> Vec<String> {
    let observation = env
        .reset(&Selection::Scenario(scenario.id.clone()), seed)
        .expect("a built-in scenario resets");
    let mut out = vec![serde_json::to_string(&observation).expect("an observation serializes")];
    for action in actions {
        out.push(outcome(&env.step(action)));
    }
    out.push(
        serde_json::to_string(&env.state().expect("an episode")).expect("the state serializes"),
    );
    out.push(
        serde_json::to_string(&env.grade().expect("an episode")).expect("the grade serializes"),
    );
    out
}

fn scenario_seed_actions(max: usize) -> impl Strategy<Value = (usize, u64, Vec<ActionSpec>)> {
    (
        any::<usize>(),
        any::<u64>(),
        proptest::collection::vec(action_spec(), 0..max),
    )
}

proptest! {
    #![proptest_config(config())]

    /// Any actions on any scenario and seed: accepted or refused by name,
    /// scores in [0, 1], refused actions use no step, the end is final.
    #[test]
    fn any_actions_are_played_or_refused_by_name((scenario, seed, specs) in scenario_seed_actions(40)) {
        let scenario = &scenarios()[scenario % scenarios().len()];
        let mut env = Env::new();
        env.reset(&Selection::Scenario(scenario.id.clone()), seed).unwrap();
        let (mut steps, mut over) = (0u32, false);
        for spec in &specs {
            let action = spec.build(scenario);
            match env.step(&action) {
                Ok(step) => {
                    prop_assert!(!over, "a step after the end was accepted");
                    prop_assert!(step.reward.is_finite());
                    steps += 1;
                    over = step.terminated || step.truncated;
                    prop_assert_eq!(step.observation.step, steps);
                }
                Err(error) => {
                    let known = ["episode_over", "invalid_action"];
                    prop_assert!(known.contains(&error.kind()), "{error:?}");
                    prop_assert_eq!(over, error == EnvError::EpisodeOver, "{:?}", error);
                    let message = error.to_string();
                    prop_assert!(!message.is_empty() && message.chars().count() < 4000, "{message}");
                    if let EnvError::InvalidAction { field, reason } = &error {
                        prop_assert!(!field.is_empty() && !reason.is_empty());
                        prop_assert!(field.chars().count() <= 80, "{field}");
                    }
                }
            }
            let grade = env.grade().unwrap();
            prop_assert!((0.0..=1.0).contains(&grade.score), "score {}", grade.score);
            for dimension in &grade.dimensions {
                prop_assert!((0.0..=1.0).contains(&dimension.score), "{}: {}", dimension.name, dimension.score);
            }
        }
        let state = env.state().unwrap();
        prop_assert_eq!(state.step, steps);
        prop_assert_eq!(state.history.len(), steps as usize);
        prop_assert_eq!(state.ground_truth.is_some(), over);
        prop_assert!(!env.render().unwrap().is_empty());
    }

    /// The same scenario, seed and actions: the same trajectory, bit for
    /// bit, in a fresh environment and in one that played something else.
    #[test]
    fn the_same_seed_and_actions_give_the_same_trajectory(
        (scenario, seed, specs) in scenario_seed_actions(30),
        (other, other_seed, other_specs) in scenario_seed_actions(10),
    ) {
        let scenario = &scenarios()[scenario % scenarios().len()];
        let actions: Vec<Action> = specs.iter().map(|s| s.build(scenario)).collect();
        let first = trajectory(&mut Env::new(), scenario, seed, &actions);
        prop_assert_eq!(&first, &trajectory(&mut Env::new(), scenario, seed, &actions));
        let mut used = Env::new();
        let other = &scenarios()[other % scenarios().len()];
        let other_actions: Vec<Action> = other_specs.iter().map(|s| s.build(other)).collect();
        trajectory(&mut used, other, other_seed, &other_actions);
        prop_assert_eq!(&first, &trajectory(&mut used, scenario, seed, &actions));
    }

    /// However long one steps (past the end too), the series of the
    /// episode stay those of the reset and none holds more than its
    /// capacity; steps after the end add no sample.
    #[test]
    fn the_series_store_stays_bounded((scenario, seed, specs) in scenario_seed_actions(60), extra in 0usize..200) {
        let scenario = &scenarios()[scenario % scenarios().len()];
        let mut env = Env::new();
        env.reset(&Selection::Scenario(scenario.id.clone()), seed).unwrap();
        let series = env.monitor().unwrap().store().series().len();
        prop_assert!(series > 0);
        let check = |env: &Env| -> Result<usize, TestCaseError> {
            let store = env.monitor().unwrap().store();
            prop_assert_eq!(store.series().len(), series, "series appeared after reset");
            prop_assert_eq!(store.capacity(), SAMPLES_PER_SERIES);
            let mut total = 0;
            for s in store.series().iter() {
                prop_assert!(s.len() <= store.capacity(), "{:?}: {} samples", s.labels(), s.len());
                total += s.len();
            }
            Ok(total)
        };
        for spec in &specs {
            let _ = env.step(&spec.build(scenario));
            check(&env)?;
        }
        // Play on to the end, then keep stepping.
        let mut agent = firedrill::agents::Heuristic;
        while !env.observation().unwrap().done {
            let observation = env.observation().unwrap();
            let action = firedrill::agents::Agent::act(&mut agent, &env, &observation);
            env.step(&action).unwrap();
        }
        let total = check(&env)?;
        for i in 0..extra {
            let action = specs.get(i % specs.len().max(1)).map(|s| s.build(scenario)).unwrap_or_default();
            prop_assert_eq!(env.step(&action), Err(EnvError::EpisodeOver));
        }
        prop_assert_eq!(check(&env)?, total, "a step after the end stored samples");
    }

    /// A store appended to directly, far past its capacity and with
    /// timestamps going backwards: each series keeps exactly its newest
    /// `capacity` samples with increasing timestamps, older or equal
    /// timestamps are ignored, and no series appears but the ones asked for.
    #[test]
    fn a_store_keeps_only_its_newest_samples(
        capacity in 0usize..40,
        appends in proptest::collection::vec((0usize..3, -3i64..50, any::<f64>()), 0..400),
    ) {
        let mut store = Store::new(capacity);
        let ids: Vec<_> = ["a", "b", "c"]
            .iter()
            .map(|name| store.series_id(Labels::new(vec![("__name__".into(), (*name).into())])))
            .collect();
        prop_assert_eq!(store.capacity(), capacity.max(1));
        let mut model: Vec<Vec<(i64, f64)>> = vec![Vec::new(); 3];
        let mut clock = [0i64; 3];
        for (series, dt, value) in appends {
            clock[series] += dt;
            let t = clock[series];
            store.append(ids[series], t, value);
            let kept = &mut model[series];
            if kept.last().is_none_or(|(last, _)| *last < t) {
                kept.push((t, value));
                if kept.len() > store.capacity() {
                    kept.remove(0);
                }
            }
        }
        prop_assert_eq!(store.series().len(), 3);
        for (id, expected) in ids.iter().zip(&model) {
            let held: Vec<(i64, f64)> = store.get(*id).map(|s| s.samples().collect()).unwrap_or_default();
            prop_assert_eq!(held.len(), expected.len());
            for (a, b) in held.iter().zip(expected) {
                prop_assert!(a.0 == b.0 && a.1.to_bits() == b.1.to_bits(), "{:?} vs {:?}", a, b);
            }
        }
    }
}
