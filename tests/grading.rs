//! Grading that cannot be gamed: the first answer counts, wrong fixes cost
//! by their harm, mitigating is not resolving, and time to mitigate is
//! graded. Scores here come from the core, so agents are held to them too.

use firedrill::agents::ideal_path;
use firedrill::env::{Action, Env, GradeDimension, Selection, Status, IDEAL_MITIGATION_STEP};
use firedrill::scenario::causes::CAUSES;
use firedrill::scenario::{Catalog, Severity, Task};

/// A small scenario with a mitigating and a resolving fix, and a low- and
/// a high-harm wrong fix.
const DRILL: &str = r#"
id = "grading-drill"
title = "Checkout slow and failing for most users"
debrief_title = "api leaks memory after a release"
task = "root_cause_analysis"
summary = "Support reports that checkout spins and then fails."
severity = "P2"
escalate_to = ["web"]

[[services]]
name = "web"
team = "web"
depends_on = ["api"]

[[services]]
name = "api"
team = "api"
depends_on = ["db"]

[[services]]
name = "db"
team = "dba"
kind = "database"

[fault]
service = "api"
cause = "memory_leak"
description = "Release 4.2 keeps every session in a map; memory grows until the pods are OOM-killed."
keywords = ["session map"]

[[symptoms]]
service = "api"
metric = "memory_ratio"
delta = 0.08
cap = 0.99

[[symptoms]]
service = "api"
metric = "error_ratio"
delta = 0.04
cap = 0.4
onset = 1

[[symptoms]]
service = "web"
metric = "error_ratio"
delta = 0.03
cap = 0.3
onset = 2

[[logs]]
service = "api"
level = "error"
message = "container killed: OOMKilled"

[[remediations]]
service = "api"
kind = "restart"
correct = true
outcome = "mitigate"
recovery_steps = 2

[[remediations]]
service = "api"
kind = "rollback"
correct = true
recovery_steps = 3

[[remediations]]
service = "web"
kind = "flush_cache"
correct = false
harm = "low"
effect = "Nothing changes."

[[remediations]]
service = "db"
kind = "failover"
correct = false
harm = "high"
effect = "Failing over a healthy primary drops every in-flight transaction."
worsens = "error_ratio"
amount = 0.1

[communication]
channels = ["status_page"]
impact = ["checkout", "payments", "pay"]
"#;

/// The drill as a hard (full incident management) episode.
fn hard_drill_env() -> Env {
    let hard = DRILL.replace("root_cause_analysis", "full_incident_management");
    let mut catalog = Catalog::default();
    catalog
        .load_str("hard.toml", &hard)
        .expect("the drill is valid");
    let mut env = Env::with_catalog(catalog);
    env.reset(&Selection::Scenario("grading-drill".into()), 1)
        .expect("a reset");
    env
}

fn drill_env() -> Env {
    let mut catalog = Catalog::default();
    catalog
        .load_str("grading-drill.toml", DRILL)
        .expect("the drill is valid");
    let mut env = Env::with_catalog(catalog);
    env.reset(&Selection::Scenario("grading-drill".into()), 1)
        .expect("a reset");
    env
}

fn dimension(env: &mut Env, name: GradeDimension) -> f64 {
    let grade = env.grade().expect("a grade");
    grade
        .dimensions
        .iter()
        .find(|d| d.name == name)
        .map(|d| d.score)
        .unwrap_or_else(|| panic!("{name} is graded"))
}

fn play(env: &mut Env, actions: &[Action]) {
    for action in actions {
        env.step(action).expect("a valid action");
    }
}

fn classify(severity: Severity) -> Action {
    Action::new("classify", None).with("severity", severity.name())
}

fn diagnose(service: &str, cause: &str) -> Action {
    Action::new("diagnose", Some(service)).with("root_cause", cause)
}

#[test]
fn trying_every_severity_scores_no_better_than_one_wrong_answer() {
    {
        let best_single_wrong = Severity::ALL
            .iter()
            .filter(|s| **s != Severity::P2)
            .map(|s| {
                let mut env = drill_env();
                play(&mut env, &[classify(*s)]);
                dimension(&mut env, GradeDimension::SeverityAccuracy)
            })
            .fold(0.0, f64::max);
        for order in [
            Severity::ALL.to_vec(),
            Severity::ALL.iter().rev().copied().collect(),
        ] {
            let mut env = drill_env();
            let tries: Vec<Action> = order.iter().map(|s| classify(*s)).collect();
            play(&mut env, &tries);
            let score = dimension(&mut env, GradeDimension::SeverityAccuracy);
            assert!(
                score <= best_single_wrong,
                "{order:?}: {score} > {best_single_wrong}"
            );
        }
        // Wrong, then right: at most half.
        let mut env = drill_env();
        play(&mut env, &[classify(Severity::P4), classify(Severity::P2)]);
        let revised = dimension(&mut env, GradeDimension::SeverityAccuracy);
        assert!(revised > 0.0 && revised <= 0.5, "{revised}");
        // Repeating the same answer is no revision.
        let mut env = drill_env();
        play(&mut env, &[classify(Severity::P2), classify(Severity::P2)]);
        assert_eq!(dimension(&mut env, GradeDimension::SeverityAccuracy), 1.0);
    }
}

#[test]
fn trying_every_severity_is_no_better_on_any_built_in_scenario() {
    let catalog = Catalog::builtin();
    for scenario in catalog.for_task(Task::FullIncidentManagement) {
        let selection = Selection::Scenario(scenario.id.clone());
        let single = |severity: Severity| {
            let mut env = Env::new();
            env.reset(&selection, 1).unwrap();
            play(&mut env, &[classify(severity)]);
            dimension(&mut env, GradeDimension::SeverityAccuracy)
        };
        let best_wrong = Severity::ALL
            .iter()
            .filter(|s| **s != scenario.severity)
            .map(|s| single(*s))
            .fold(0.0, f64::max);
        let mut env = Env::new();
        env.reset(&selection, 1).unwrap();
        let tries: Vec<Action> = Severity::ALL.iter().map(|s| classify(*s)).collect();
        play(&mut env, &tries);
        let all = dimension(&mut env, GradeDimension::SeverityAccuracy);
        assert!(all <= best_wrong, "{}: {all} > {best_wrong}", scenario.id);
    }
}

#[test]
fn trying_every_cause_on_the_root_scores_no_better_than_one_wrong_answer() {
    let catalog = Catalog::builtin();
    for scenario in catalog.for_task(Task::FullIncidentManagement) {
        let selection = Selection::Scenario(scenario.id.clone());
        let root = scenario.fault.service.clone();
        let single_wrong = {
            let mut env = Env::new();
            env.reset(&selection, 1).unwrap();
            play(&mut env, &[diagnose(&root, "other")]);
            dimension(&mut env, GradeDimension::DiagnosisAccuracy)
        };
        assert!(single_wrong < 1.0, "{}", scenario.id);
        let mut env = Env::new();
        env.reset(&selection, 1).unwrap();
        // As many causes as the budget allows, the right one last.
        let budget = Task::FullIncidentManagement.step_budget() as usize;
        let mut tries: Vec<Action> = CAUSES
            .iter()
            .filter(|c| c.id != scenario.fault.cause)
            .take(budget - 1)
            .map(|c| diagnose(&root, c.id))
            .collect();
        tries.push(diagnose(&root, &scenario.fault.cause));
        play(&mut env, &tries);
        let all = dimension(&mut env, GradeDimension::DiagnosisAccuracy);
        assert!(
            all <= single_wrong,
            "{}: {all} > {single_wrong}",
            scenario.id
        );
        // The total reward of guessing is no better than one wrong answer's either.
        let guessed = env.state().unwrap().cumulative_reward;
        let mut once = Env::new();
        once.reset(&selection, 1).unwrap();
        let one = once.step(&diagnose(&root, "other")).unwrap().reward;
        assert!(guessed <= one, "{}: reward {guessed} > {one}", scenario.id);
    }
}

#[test]
fn a_prose_diagnosis_naming_several_causes_is_a_guess() {
    let mut env = drill_env();
    play(
        &mut env,
        &[diagnose(
            "api",
            "a memory leak, or DNS, or the disk is full",
        )],
    );
    assert_eq!(dimension(&mut env, GradeDimension::DiagnosisAccuracy), 0.4);
    let mut env = drill_env();
    play(
        &mut env,
        &[diagnose("api", "api is leaking memory since release 4.2")],
    );
    assert_eq!(dimension(&mut env, GradeDimension::DiagnosisAccuracy), 1.0);
    let mut env = drill_env();
    play(
        &mut env,
        &[diagnose("api", "CPU is saturated, not a memory leak")],
    );
    assert_eq!(dimension(&mut env, GradeDimension::DiagnosisAccuracy), 0.4);
}

#[test]
fn a_high_harm_wrong_fix_costs_more_than_a_low_harm_one() {
    let with_wrong_fix = |service: &str, kind: &str| {
        let mut env = drill_env();
        let wrong = Action::new("remediate", Some(service)).with("kind", kind);
        let reward = env.step(&wrong).unwrap().reward;
        let errors_after = env
            .simulation()
            .unwrap()
            .value(2, firedrill::scenario::Signal::ErrorRatio);
        play(
            &mut env,
            &[Action::new("remediate", Some("api")).with("kind", "rollback")],
        );
        (
            dimension(&mut env, GradeDimension::RemediationQuality),
            reward,
            errors_after,
        )
    };
    let (low, low_reward, _) = with_wrong_fix("web", "flush_cache");
    let (high, high_reward, db_errors) = with_wrong_fix("db", "failover");
    assert!(high < low, "high harm {high} vs low harm {low}");
    assert!(high_reward < low_reward);
    // High harm doubles the damage the file describes (0.1 → 0.2 on db).
    assert!(db_errors > 0.18, "{db_errors}");
}

#[test]
fn a_mitigation_eases_the_symptoms_until_it_wears_off() {
    let mut env = drill_env();
    play(&mut env, &[Action::new("investigate", Some("api"))]);
    let restart = Action::new("remediate", Some("api")).with("kind", "restart");
    let step = env.step(&restart).unwrap();
    assert_eq!(step.info.feedback, "Applied restart to api.");
    assert_eq!(step.observation.status, Status::Mitigated);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let step = env.step(&Action::new("investigate", Some("web"))).unwrap();
        statuses.push(step.observation.status);
    }
    assert!(
        statuses.contains(&Status::Investigating),
        "the symptoms came back: {statuses:?}"
    );
    assert_eq!(dimension(&mut env, GradeDimension::RemediationQuality), 0.5);
    assert_eq!(dimension(&mut env, GradeDimension::TimeToMitigate), 1.0);
    play(
        &mut env,
        &[Action::new("remediate", Some("api")).with("kind", "rollback")],
    );
    assert_eq!(dimension(&mut env, GradeDimension::RemediationQuality), 1.0);
}

#[test]
fn time_to_mitigate_is_one_for_the_ideal_path_and_falls_with_delay() {
    let catalog = Catalog::builtin();
    for task in [Task::RootCauseAnalysis, Task::FullIncidentManagement] {
        for scenario in catalog.for_task(task) {
            if scenario.fault.is_false_alarm() {
                // Nothing to mitigate (tests/capabilities.rs).
                continue;
            }
            let path = ideal_path(scenario, task);
            let fix_at = path
                .iter()
                .position(|a| a.action_type == "remediate")
                .expect("the ideal path fixes");
            assert_eq!(fix_at as u32 + 1, IDEAL_MITIGATION_STEP, "{}", scenario.id);
            let last_fix = path
                .iter()
                .rposition(|a| a.action_type == "remediate")
                .unwrap_or(fix_at);
            assert_eq!(
                last_fix as u32 + 1,
                firedrill::env::ideal_mitigation_step(scenario),
                "{}",
                scenario.id
            );
            let mut previous = f64::INFINITY;
            for delay in 0..4 {
                let mut actions = path.clone();
                for _ in 0..delay {
                    actions.insert(
                        fix_at,
                        Action::new("investigate", Some(&scenario.fault.service)),
                    );
                }
                let mut env = Env::new();
                env.reset(&Selection::Scenario(scenario.id.clone()), 2)
                    .unwrap();
                for action in &actions {
                    if env.step(action).unwrap().observation.done {
                        break;
                    }
                }
                let score = dimension(&mut env, GradeDimension::TimeToMitigate);
                if delay == 0 {
                    assert_eq!(score, 1.0, "{}", scenario.id);
                } else {
                    assert!(score < previous, "{}: delay {delay}", scenario.id);
                }
                previous = score;
            }
        }
    }
}

#[test]
fn a_never_mitigated_incident_scores_zero_on_time_to_mitigate() {
    let mut env = drill_env();
    play(
        &mut env,
        &[
            Action::new("investigate", Some("api")),
            diagnose("api", "memory_leak"),
            Action::new("remediate", Some("web")).with("kind", "flush_cache"),
        ],
    );
    assert_eq!(dimension(&mut env, GradeDimension::TimeToMitigate), 0.0);
}

#[test]
fn thoroughness_counts_the_path_to_the_users_even_after_mitigating() {
    let mut env = drill_env();
    play(
        &mut env,
        &[
            Action::new("investigate", Some("api")),
            Action::new("remediate", Some("api")).with("kind", "rollback"),
        ],
    );
    let scenario = env.scenario().unwrap().clone();
    let path: Vec<&str> = scenario
        .path_to_users()
        .iter()
        .map(|&i| scenario.services[i].name.as_str())
        .collect();
    assert_eq!(path, ["web", "api"]);
    // Thoroughness is graded on the hard task: the same drill, played there.
    let hard = DRILL.replace("root_cause_analysis", "full_incident_management");
    let mut catalog = Catalog::default();
    catalog.load_str("hard.toml", &hard).unwrap();
    let mut env = Env::with_catalog(catalog);
    env.reset(&Selection::Scenario("grading-drill".into()), 1)
        .unwrap();
    play(
        &mut env,
        &[
            Action::new("investigate", Some("api")),
            Action::new("remediate", Some("api")).with("kind", "rollback"),
        ],
    );
    assert_eq!(
        dimension(&mut env, GradeDimension::InvestigationThoroughness),
        0.5
    );
    play(&mut env, &[Action::new("investigate", Some("web"))]);
    assert_eq!(
        dimension(&mut env, GradeDimension::InvestigationThoroughness),
        1.0
    );
}

#[test]
fn a_hard_episode_ends_only_when_declared_resolved_or_out_of_budget() {
    let start = hard_drill_env;
    let every_other_type = [
        Action::new("investigate", Some("api")),
        classify(Severity::P2),
        Action::new("remediate", Some("api")).with("kind", "rollback"),
        diagnose("api", "memory_leak"),
        Action::new("escalate", Some("api")),
        Action::new("communicate", None)
            .with("channel", "status_page")
            .with("message", "Checkout is failing for some customers; we rolled back and it is recovering. Next update in 30 minutes."),
    ];
    let mut env = start();
    play(&mut env, &every_other_type);
    assert!(
        !env.observation().unwrap().done,
        "six action types do not end it"
    );
    let end = env
        .step(&Action::new("resolve", None).with(
            "summary",
            "A memory leak in api's release 4.2; the rollback removed it.",
        ))
        .unwrap();
    assert!(end.terminated);
    assert_eq!(dimension(&mut env, GradeDimension::Closure), 1.0);

    // Declared resolved before anything was fixed: no credit, and it ends.
    let mut env = start();
    let early = env
        .step(&Action::new("resolve", None).with("summary", "Looks fine."))
        .unwrap();
    assert!(early.terminated && early.reward < 0.0);
    assert_eq!(dimension(&mut env, GradeDimension::Closure), 0.0);

    // Never declared: the budget ends it, truncated.
    let mut env = start();
    let mut last = None;
    for _ in 0..Task::FullIncidentManagement.step_budget() {
        last = Some(env.step(&Action::new("investigate", Some("web"))).unwrap());
    }
    let last = last.unwrap();
    assert!(last.truncated && !last.terminated);
    assert_eq!(dimension(&mut env, GradeDimension::Closure), 0.0);
}

#[test]
fn a_natural_update_with_impact_state_and_next_update_scores_fully() {
    let post = |message: &str| {
        let mut env = hard_drill_env();
        play(
            &mut env,
            &[Action::new("communicate", None)
                .with("channel", "status_page")
                .with("message", message)],
        );
        dimension(&mut env, GradeDimension::Communication)
    };
    for natural in [
        "Some customers can't pay at the moment. We found the cause and rolled back the change; things are recovering. Next update by 10:30.",
        "We're aware that payments fail for part of our customers and are looking into it. We'll post again in 30 minutes.",
        "Checkout has fully recovered and the incident is resolved. Thanks for your patience.",
        "Payments are not working for some customers; we are investigating. Next update in 30 minutes.",
    ] {
        assert_eq!(post(natural), 1.0, "{natural}");
    }
    // Each part missing costs its share.
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(close(
        post("We found the cause and rolled back. Next update in 30 minutes."),
        0.7
    ));
    assert!(close(
        post("Checkout is failing for some customers. Next update in 30 minutes."),
        0.7
    ));
    assert!(close(
        post("Checkout is failing for some customers; we are investigating."),
        0.8
    ));
}

#[test]
fn following_the_evidence_to_a_relevant_service_is_never_noise() {
    let precision_after_db = |text: &str| {
        let mut catalog = Catalog::default();
        catalog
            .load_str(
                "hard.toml",
                &text.replace("root_cause_analysis", "full_incident_management"),
            )
            .unwrap();
        let mut env = Env::with_catalog(catalog);
        env.reset(&Selection::Scenario("grading-drill".into()), 1)
            .unwrap();
        play(
            &mut env,
            &[
                Action::new("investigate", Some("api")),
                Action::new("investigate", Some("db")),
            ],
        );
        dimension(&mut env, GradeDimension::InvestigationPrecision)
    };
    assert_eq!(precision_after_db(DRILL), 0.5);
    let relevant = DRILL.replace(
        "keywords = [\"session map\"]",
        "keywords = [\"session map\"]\nrelevant = [\"db\"]",
    );
    assert_eq!(precision_after_db(&relevant), 1.0);
}
