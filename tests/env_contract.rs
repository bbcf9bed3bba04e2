//! The environment contract: named errors, no panics, determinism, the
//! ground truth hidden until the episode is over, episode end per task.

use firedrill::agents::{self, ideal_path, Agent, RandomAgent};
use firedrill::env::{Action, AlertState, Env, EnvError, Selection, Task};
use firedrill::metrics::alerts::RuleSet;
use firedrill::runner::{run_episode, trajectory_digest, Driver};
use firedrill::scenario::RuleQuery;

const POOL: &str = "connection-pool-exhaustion-v1";

fn scenario(id: &str) -> Selection {
    Selection::Scenario(id.to_string())
}

#[test]
fn calls_before_reset_say_reset_needed() {
    let mut env = Env::new();
    assert_eq!(
        env.step(&Action::new("investigate", Some("x"))),
        Err(EnvError::ResetNeeded)
    );
    assert_eq!(env.state().err(), Some(EnvError::ResetNeeded));
    assert_eq!(env.grade().err(), Some(EnvError::ResetNeeded));
    assert_eq!(env.render().err(), Some(EnvError::ResetNeeded));
}

#[test]
fn unknown_task_and_scenario_are_named() {
    let mut env = Env::new();
    assert!(matches!(
        env.reset(&Selection::Task("nope".into()), 1),
        Err(EnvError::UnknownTask(_))
    ));
    assert!(matches!(
        env.reset(&scenario("nope"), 1),
        Err(EnvError::UnknownScenario(_))
    ));
    let huge = "x".repeat(100_000);
    let err = env.reset(&scenario(&huge), 1).unwrap_err().to_string();
    assert!(
        err.len() < 300,
        "error message echoes a huge id: {} bytes",
        err.len()
    );
}

struct InvalidCase {
    action: Action,
    field: &'static str,
}

#[test]
fn invalid_actions_name_the_field_and_use_no_step() {
    let cases = [
        InvalidCase {
            action: Action::new("dance", None),
            field: "action_type",
        },
        InvalidCase {
            action: Action::new("investigate", None),
            field: "target",
        },
        InvalidCase {
            action: Action::new("investigate", Some("mainframe")),
            field: "target",
        },
        InvalidCase {
            action: Action::new("investigate", Some("orders-db")).with("severity", "P1"),
            field: "parameters.severity",
        },
        InvalidCase {
            action: Action::new("classify", None),
            field: "parameters.severity",
        },
        InvalidCase {
            action: Action::new("classify", None).with("severity", "P9"),
            field: "parameters.severity",
        },
        InvalidCase {
            action: Action::new("classify", Some("orders-db")).with("severity", "P1"),
            field: "target",
        },
        InvalidCase {
            action: Action::new("diagnose", Some("orders-db")),
            field: "parameters.root_cause",
        },
        InvalidCase {
            action: Action::new("remediate", Some("orders-db")).with("kind", "pray"),
            field: "parameters.kind",
        },
        InvalidCase {
            action: Action::new("remediate", Some("orders-db")),
            field: "parameters.kind",
        },
        InvalidCase {
            action: Action::new("escalate", Some("nobody")),
            field: "target",
        },
        InvalidCase {
            action: Action::new("communicate", None)
                .with("channel", "fax")
                .with("message", "hi"),
            field: "parameters.channel",
        },
        InvalidCase {
            action: Action::new("communicate", None).with("channel", "slack"),
            field: "parameters.message",
        },
        InvalidCase {
            action: Action::new("communicate", None)
                .with("channel", "slack")
                .with("message", &"x".repeat(5000)),
            field: "parameters.message",
        },
        InvalidCase {
            action: Action::new("classify", None)
                .with("severity", "P1")
                .because(&"y".repeat(5000)),
            field: "reasoning",
        },
    ];
    let mut env = Env::new();
    env.reset(&scenario(POOL), 3).unwrap();
    for case in cases {
        match env.step(&case.action) {
            Err(EnvError::InvalidAction { field, reason }) => {
                assert_eq!(field, case.field, "{:?}: {reason}", case.action);
                assert!(!reason.is_empty());
            }
            other => panic!("{:?}: expected invalid action, got {other:?}", case.action),
        }
    }
    assert_eq!(env.state().unwrap().step, 0, "invalid actions used steps");
    // The same env keeps working.
    assert!(env
        .step(&Action::new("investigate", Some("orders-db")))
        .is_ok());
}

#[test]
fn stepping_after_the_end_says_episode_over() {
    let mut env = Env::new();
    env.reset(&Selection::Task("severity_classification".into()), 0)
        .unwrap();
    let step = env
        .step(&Action::new("classify", None).with("severity", "P2"))
        .unwrap();
    assert!(step.terminated);
    assert_eq!(
        env.step(&Action::new("classify", None).with("severity", "P2")),
        Err(EnvError::EpisodeOver)
    );
}

#[test]
fn each_task_ends_on_its_objective_or_budget() {
    let env = Env::new();
    for task in Task::ALL {
        for s in env.catalog().for_task(task) {
            let path = ideal_path(s, task);
            let mut env = Env::new();
            env.reset(&scenario(&s.id), 5).unwrap();
            for (i, action) in path.iter().enumerate() {
                let step = env.step(action).unwrap();
                assert_eq!(
                    step.terminated,
                    i + 1 == path.len(),
                    "{} step {}",
                    s.id,
                    i + 1
                );
                assert!(!step.truncated);
            }
        }
    }
    // Budget: investigating forever truncates at the budget.
    for task in Task::ALL {
        let mut env = Env::new();
        let obs = env.reset(&Selection::Task(task.id().into()), 2).unwrap();
        let target = obs.services[0].name.clone();
        let mut steps = 0;
        loop {
            let step = env
                .step(&Action::new("investigate", Some(&target)))
                .unwrap();
            steps += 1;
            if step.truncated {
                break;
            }
            assert!(!step.terminated);
        }
        assert_eq!(steps, task.step_budget());
    }
}

#[test]
fn ground_truth_is_hidden_until_the_episode_is_over() {
    let mut env = Env::new();
    env.reset(&scenario(POOL), 9).unwrap();
    assert!(env.state().unwrap().ground_truth.is_none());
    let json = serde_json::to_string(&env.observation().unwrap()).unwrap();
    assert!(
        !json.contains("connection_pool_exhaustion"),
        "the observation leaks the cause id"
    );
    let s = env.catalog().get(POOL).unwrap().clone();
    for action in ideal_path(&s, Task::FullIncidentManagement) {
        env.step(&action).unwrap();
    }
    let truth = env
        .state()
        .unwrap()
        .ground_truth
        .expect("ground truth after the end");
    assert_eq!(truth.root_cause_service, "orders-db");
}

#[test]
fn same_seed_and_actions_give_the_same_trajectory() {
    let env = Env::new();
    for s in env.catalog().scenarios().iter().take(12) {
        let play = |seed| {
            let mut env = Env::new();
            let mut agent = RandomAgent::new(seed);
            let mut obs = env.reset(&scenario(&s.id), seed).unwrap();
            let mut trace = vec![serde_json::to_string(&obs).unwrap()];
            loop {
                let action = agent.act(&env, &obs);
                let step = env.step(&action).unwrap();
                trace.push(serde_json::to_string(&step).unwrap());
                obs = step.observation;
                if step.terminated || step.truncated {
                    break;
                }
            }
            trace
        };
        assert_eq!(play(11), play(11), "{}", s.id);
        assert_ne!(play(11), play(12), "{}: seeds change nothing", s.id);
    }
}

#[test]
fn a_lean_step_plays_the_same_episode_as_step() {
    // One scenario of each task, the oracle and a random agent: step_lean
    // gives step's reward, flags and info, the observation on request is
    // step's, and the episode ends with the same state, grade and errors.
    let catalog = Env::new();
    for task in Task::ALL {
        let id = &catalog.catalog().for_task(task).next().unwrap().id;
        for agent in ["oracle", "random"] {
            let (mut full, mut lean) = (Env::new(), Env::new());
            let mut player = agents::by_name(agent, 5).unwrap();
            let mut obs = full.reset(&scenario(id), 5).unwrap();
            assert_eq!(lean.reset(&scenario(id), 5).unwrap(), obs);
            loop {
                let action = player.act(&full, &obs);
                let step = full.step(&action).unwrap();
                let lean_step = lean.step_lean(&action).unwrap();
                assert_eq!(
                    lean_step.clone().with_observation(step.observation.clone()),
                    step,
                    "{id} {agent}"
                );
                assert_eq!(
                    lean.observation().unwrap(),
                    step.observation,
                    "{id} {agent}"
                );
                obs = step.observation;
                if step.terminated || step.truncated {
                    break;
                }
            }
            assert_eq!(lean.state(), full.state(), "{id} {agent}");
            assert_eq!(lean.grade(), full.grade(), "{id} {agent}");
            let action = Action::new("investigate", Some("nowhere"));
            assert_eq!(lean.step_lean(&action).err(), full.step(&action).err());
            assert_eq!(lean.step_lean(&action).err(), Some(EnvError::EpisodeOver));
        }
    }
    let mut env = Env::new();
    assert_eq!(
        env.step_lean(&Action::new("investigate", None)).err(),
        Some(EnvError::ResetNeeded)
    );
}

#[test]
fn random_play_never_panics_and_scores_stay_in_range() {
    let env = Env::new();
    for s in env.catalog().scenarios() {
        for seed in 0..5 {
            let mut env = Env::new();
            let mut agent = RandomAgent::new(seed);
            run_episode(&mut env, &scenario(&s.id), seed, Driver::Agent(&mut agent)).unwrap();
            let grade = env.grade().unwrap();
            assert!(
                (0.0..=1.0).contains(&grade.score),
                "{} {seed}: {}",
                s.id,
                grade.score
            );
            for d in &grade.dimensions {
                assert!((0.0..=1.0).contains(&d.score), "{} {}", s.id, d.name);
                assert!(!d.explanation.is_empty());
            }
            let weights: f64 = grade.dimensions.iter().map(|d| d.weight).sum();
            assert!((weights - 1.0).abs() < 1e-9);
        }
    }
}

#[test]
fn task_selection_is_deterministic_and_covers_the_task() {
    let env = Env::new();
    for task in Task::ALL {
        let picked: std::collections::BTreeSet<String> = (0..200)
            .map(|seed| {
                env.select(&Selection::Task(task.id().into()), seed)
                    .unwrap()
                    .id
                    .clone()
            })
            .collect();
        assert_eq!(picked.len(), env.catalog().for_task(task).count());
        let a = env.select(&Selection::Task(task.id().into()), 42).unwrap();
        let b = env.select(&Selection::Task(task.id().into()), 42).unwrap();
        assert_eq!(a.id, b.id);
    }
}

#[test]
fn trajectory_digest_is_stable() {
    // The same constant is asserted by the wasm build (tests/web.rs), which
    // proves native and wasm trajectories agree bit for bit. If the
    // simulation changes on purpose, update both.
    let digest = trajectory_digest(&scenario(POOL), 42, "heuristic").unwrap();
    let golden = include_str!("golden/trajectory_digest.txt").trim();
    assert_eq!(format!("{digest:016x}"), golden);
}

#[test]
fn telemetry_counts_what_happened() {
    let mut env = Env::new();
    env.reset(&scenario(POOL), 1).unwrap();
    let _ = env.step(&Action::new("dance", None));
    env.step(&Action::new("investigate", Some("orders-db")))
        .unwrap();
    env.grade().unwrap();
    let t = env.telemetry();
    assert_eq!((t.episodes_started, t.steps, t.grades), (1, 1, 1));
    assert!(t
        .exposition()
        .contains("firedrill_errors_total{kind=\"invalid_action\"} 1\n"));
    // By task and by action type, every label value present from the start.
    let text = t.exposition();
    for line in [
        "firedrill_episodes_started_total 1\n",
        "firedrill_steps_total 1\n",
        "firedrill_resets_total{task=\"severity_classification\"} 0\n",
        "firedrill_actions_total{action_type=\"investigate\"} 1\n",
        "firedrill_actions_total{action_type=\"resolve\"} 0\n",
    ] {
        assert!(text.contains(line), "no {line:?} in\n{text}");
    }
    assert_eq!(t.resets_by_task.iter().sum::<u64>(), 1);
    assert_eq!(t.actions_by_type, [1, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn render_shows_the_dashboard() {
    let mut env = Env::new();
    env.reset(&scenario(POOL), 1).unwrap();
    env.step(&Action::new("investigate", Some("orders-db")).because("pool alert"))
        .unwrap();
    env.step(&Action::new("classify", None).with("severity", "P1"))
        .unwrap();
    let md = env.render().unwrap();
    for needle in [
        "# Incident:",
        "**Status**: investigating",
        "`[##..................] 2/20`",
        "**Severity**: P1",
        "pool alert",
        "## Investigated services",
        "orders-db",
    ] {
        assert!(md.contains(needle), "missing {needle:?} in\n{md}");
    }
}

/// The alert state machine of one rule, fed by comparing the simulation's
/// signal with the threshold directly: how alerts were evaluated before
/// they went through the PromQL engine, kept here as the reference.
#[derive(Clone, Default)]
struct DirectAlert {
    held: u32,
    active_since: Option<u32>,
    firing_since: Option<u32>,
    resolved_at: Option<u32>,
}

impl DirectAlert {
    fn evaluate(&mut self, breached: bool, for_steps: u32, step: u32) {
        if breached {
            self.held += 1;
            if self.active_since.is_none() {
                self.active_since = Some(step);
                self.resolved_at = None;
            }
            if self.held > for_steps && self.firing_since.is_none() {
                self.firing_since = Some(step);
            }
        } else {
            if self.firing_since.is_some() {
                self.resolved_at = Some(step);
            }
            self.held = 0;
            self.active_since = None;
            self.firing_since = None;
        }
    }

    fn view(&self) -> Option<(AlertState, u32)> {
        match (self.firing_since, self.active_since, self.resolved_at) {
            (Some(since), _, _) => Some((AlertState::Firing, since)),
            (None, Some(since), _) => Some((AlertState::Pending, since)),
            (None, None, Some(at)) => Some((AlertState::Resolved, at)),
            (None, None, None) => None,
        }
    }
}

/// Feeds the reference with the current step and checks the environment's
/// alerts (resolved ones included) against it; returns the states seen.
fn check_alerts_against_direct_comparison(
    env: &Env,
    reference: &mut [DirectAlert],
    context: &str,
) -> Vec<AlertState> {
    let scenario = env.scenario().expect("an episode").clone();
    let sim = env.simulation().expect("an episode");
    let state = env.state().expect("an episode");
    // The evaluation after step n is labelled n - 1 (and the one at reset 0),
    // as it always was; the reference follows so that both compare conditions.
    let label = state.step.saturating_sub(1);
    let mut expected: Vec<(String, AlertState, u32)> = Vec::new();
    // Rules over windows and SLOs: their PromQL over the store.
    let rules = RuleSet::new(&scenario);
    let monitor = env.monitor().expect("an episode");
    let now_ms = monitor.last_time() * 1000;
    for (i, (rule, direct)) in scenario.alerts.iter().zip(reference.iter_mut()).enumerate() {
        let service = scenario.service_index(&rule.service).expect("a service");
        let breached = match rule.query {
            RuleQuery::Gauge => rule
                .comparison
                .breached(sim.value(service, rule.metric), rule.threshold),
            _ => rules.holds(i, monitor.store(), now_ms),
        };
        direct.evaluate(breached, rule.for_steps, label);
        if let Some((alert_state, since)) = direct.view() {
            expected.push((rule.name.clone(), alert_state, since));
        }
    }
    let mut actual: Vec<(String, AlertState, u32)> = state
        .alerts
        .iter()
        .map(|a| (a.name.clone(), a.state, a.since_step))
        .collect();
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    actual.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(actual, expected, "{context}, step {}", state.step);
    let mut active: Vec<&str> = state
        .observation
        .alerts
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    active.sort_unstable();
    // The observation leaves out an SLO's ticket while its page fires.
    let firing = |name: &str| {
        expected
            .iter()
            .any(|(n, s, _)| n == name && *s == AlertState::Firing)
    };
    let inhibited = |name: &str| {
        scenario.alerts.iter().any(|rule| {
            rule.name == name
                && matches!(rule.query, RuleQuery::BurnRate { page: false, .. })
                && firing(&name.replace("SlowBurn", "FastBurn"))
        })
    };
    let expected_active: Vec<&str> = expected
        .iter()
        .filter(|(name, s, _)| *s != AlertState::Resolved && !inhibited(name))
        .map(|(name, _, _)| name.as_str())
        .collect();
    assert_eq!(active, expected_active, "{context}, step {}", state.step);
    expected.into_iter().map(|(_, s, _)| s).collect()
}

#[test]
fn alert_states_match_the_direct_comparison_of_the_signals() {
    let mut env = Env::new();
    let ids: Vec<String> = env
        .catalog()
        .scenarios()
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let mut seen: Vec<AlertState> = Vec::new();
    let mut checked_steps = 0u32;
    for id in &ids {
        // Where data goes missing the rules see what the monitoring has,
        // not the signals (tests/capabilities.rs checks that case).
        if !env
            .catalog()
            .get(id)
            .expect("a built-in")
            .missing
            .is_empty()
        {
            continue;
        }
        for seed in 1..=3 {
            for agent_name in ["heuristic", "oracle"] {
                let context = format!("{id}, seed {seed}, {agent_name}");
                let mut agent = agents::by_name(agent_name, seed).expect("a baseline agent");
                let mut observation = env.reset(&scenario(id), seed).expect("a built-in scenario");
                let rules = env.scenario().expect("an episode").alerts.len();
                let mut reference = vec![DirectAlert::default(); rules];
                loop {
                    for s in check_alerts_against_direct_comparison(&env, &mut reference, &context)
                    {
                        if !seen.contains(&s) {
                            seen.push(s);
                        }
                    }
                    checked_steps += 1;
                    if observation.done {
                        break;
                    }
                    let action = agent.act(&env, &observation);
                    observation = env.step(&action).expect("a valid action").observation;
                }
            }
        }
    }
    assert!(checked_steps > 1000, "only {checked_steps} steps checked");
    for state in [
        AlertState::Pending,
        AlertState::Firing,
        AlertState::Resolved,
    ] {
        assert!(seen.contains(&state), "no alert was ever {state:?}");
    }
}

#[test]
fn the_alert_fast_path_agrees_with_promql_over_whole_episodes() {
    // The environment evaluates each rule by a direct comparison of the
    // newest sample (RuleSet::holds_fast); the exported PromQL expression,
    // evaluated by the engine over the same store, must agree at every step
    // of every built-in scenario, and every built-in rule must have the
    // fast path (otherwise this proves nothing about it).
    use firedrill::metrics::alerts::RuleSet;
    let mut env = Env::new();
    let ids: Vec<String> = env
        .catalog()
        .scenarios()
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let (mut evaluations, mut held) = (0u32, 0u32);
    for id in &ids {
        for (seed, agent_name) in [(1, "heuristic"), (2, "oracle"), (3, "random")] {
            let mut agent = agents::by_name(agent_name, seed).expect("a baseline agent");
            let mut observation = env.reset(&scenario(id), seed).expect("a built-in scenario");
            let scenario = env.scenario().expect("an episode").clone();
            let rules = RuleSet::new(&scenario).resolve(env.monitor().expect("an episode").store());
            loop {
                let monitor = env.monitor().expect("an episode");
                let now_ms = monitor.last_time() * 1000;
                for (i, rule) in scenario.alerts.iter().enumerate() {
                    assert!(rules.has_fast_path(i), "{id} {}: no fast path", rule.name);
                    for t in [now_ms, now_ms - 15_000, now_ms + 400_000] {
                        let promql = rules.holds(i, monitor.store(), t);
                        let fast = rules.holds_fast(i, monitor.store(), t);
                        assert_eq!(
                            fast, promql,
                            "{id}, seed {seed}, {agent_name}, step {}, rule {} at {t}",
                            observation.step, rule.name
                        );
                        evaluations += 1;
                        held += promql as u32;
                    }
                }
                if observation.done {
                    break;
                }
                let action = agent.act(&env, &observation);
                observation = env.step(&action).expect("a valid action").observation;
            }
        }
    }
    assert!(evaluations > 10_000, "only {evaluations} evaluations");
    assert!(
        held > 1000 && held < evaluations,
        "{held} of {evaluations} held"
    );
}

#[test]
fn a_replaced_scenario_gets_its_own_alert_rules() {
    let mut env = Env::new();
    let mut observation = env.reset(&scenario(POOL), 1).unwrap();
    let wait = Action::new("investigate", Some("orders-db"));
    let gauge_rules: Vec<String> = env
        .scenario()
        .unwrap()
        .alerts
        .iter()
        .filter(|r| r.query == RuleQuery::Gauge)
        .map(|r| r.name.clone())
        .collect();
    let mut waited = 0;
    while !observation
        .alerts
        .iter()
        .any(|a| gauge_rules.contains(&a.name))
        && waited < 5
    {
        observation = env.step(&wait).unwrap().observation;
        waited += 1;
    }
    let watched = observation
        .alerts
        .iter()
        .find(|a| gauge_rules.contains(&a.name))
        .expect("a threshold alert within 5 steps")
        .name
        .clone();
    // The same id with the threshold of that rule out of reach: its alert must go.
    let mut replaced = (**env.catalog().get(POOL).unwrap()).clone();
    for rule in replaced.alerts.iter_mut().filter(|r| r.name == watched) {
        rule.threshold = rule.metric.max_value();
        rule.comparison = firedrill::scenario::Comparison::Above;
    }
    env.catalog_mut().insert(replaced);
    let mut observation = env.reset(&scenario(POOL), 1).unwrap();
    for _ in 0..waited {
        observation = env.step(&wait).unwrap().observation;
    }
    assert!(
        observation.alerts.iter().all(|a| a.name != watched),
        "{watched} still evaluated with the old rule"
    );
}

#[test]
fn investigation_logs_are_the_service_logs_at_every_step() {
    // The environment records each investigated service's lines as the
    // episode goes and shows a window of them: it must show exactly what
    // regenerating them gives.
    let mut env = Env::new();
    let ids: Vec<String> = env
        .catalog()
        .scenarios()
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let mut compared = 0;
    for id in &ids {
        for agent_name in ["heuristic", "oracle", "random"] {
            let seed = 5;
            let mut agent = agents::by_name(agent_name, seed).expect("a baseline agent");
            let mut observation = env.reset(&scenario(id), seed).expect("a built-in scenario");
            loop {
                for investigation in &observation.investigations {
                    let expected = env
                        .service_logs(&investigation.service, firedrill::env::LOG_LINES_SHOWN)
                        .expect("an episode");
                    let shown: Vec<_> = investigation.logs.iter().map(|l| (**l).clone()).collect();
                    assert_eq!(
                        shown, expected,
                        "{id}, {agent_name}, step {}",
                        observation.step
                    );
                    compared += 1;
                }
                if observation.done {
                    break;
                }
                let action = agent.act(&env, &observation);
                observation = env.step(&action).expect("a valid action").observation;
            }
        }
    }
    assert!(compared > 100, "only {compared} investigations compared");
}

#[test]
fn the_debrief_says_what_each_foreseen_wrong_fix_did() {
    let mut env = Env::new();
    env.reset(&scenario(POOL), 3).unwrap();
    let wrong = env
        .catalog()
        .get(POOL)
        .unwrap()
        .remediations
        .iter()
        .find(|r| !r.correct)
        .cloned()
        .unwrap();
    let fix = Action::new("remediate", Some(&wrong.service)).with("kind", &wrong.kind);
    env.step(&fix).unwrap();
    env.step(&fix).unwrap();
    let grade = env.grade().unwrap();
    let explanation = &grade
        .dimensions
        .iter()
        .find(|d| d.name == firedrill::env::GradeDimension::RemediationQuality)
        .unwrap()
        .explanation;
    let said = format!("{} {}: {}", wrong.kind, wrong.service, wrong.effect);
    assert_eq!(explanation.matches(&said).count(), 1, "{explanation}");
}
