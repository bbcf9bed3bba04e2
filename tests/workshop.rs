//! Workshops in the core: injects are answered through `communicate` and
//! graded in `communication`; hints cost their price; a result code
//! replays to the grade of the episode it was made from, whatever score it
//! claims; the CLI's `packs`, `curriculum` and `grade-code` keep their
//! contract.

use firedrill::agents::ideal_path;
use firedrill::env::{Action, Env, GradeDimension, Selection};
use firedrill::leaderboard::Mode;
use firedrill::scenario::{Catalog, Task};
use firedrill::workshop::code::ResultCode;
use firedrill::workshop::{grade_code, pack};
use std::process::Command;

/// Plays `actions` on a fresh episode and returns the environment.
fn played(scenario: &str, seed: u64, actions: &[Action]) -> Env {
    let mut env = Env::new();
    env.reset(&Selection::Scenario(scenario.into()), seed)
        .unwrap();
    for action in actions {
        let step = env.step(action).unwrap();
        if step.terminated || step.truncated {
            break;
        }
    }
    env
}

fn communication(env: &mut Env) -> f64 {
    env.grade()
        .unwrap()
        .dimensions
        .iter()
        .find(|d| d.name == GradeDimension::Communication)
        .map(|d| d.score)
        .unwrap()
}

#[test]
fn answering_the_injects_is_graded_in_communication() {
    let catalog = Catalog::builtin();
    let scenario = catalog.get("cache-stampede-v2").unwrap();
    assert_eq!(scenario.injects.len(), 2);
    let path = ideal_path(scenario, Task::FullIncidentManagement);
    let mut answered = played("cache-stampede-v2", 4, &path);
    let observation = answered.observation().unwrap();
    assert_eq!(observation.injects.len(), 2);
    assert!(observation.injects.iter().all(|i| i.answered_at.is_some()));
    // The same response without the replies to the injects: the final
    // update comes after the first inject's deadline (it answers the
    // second, which arrives later).
    let mut replies_dropped = 0;
    let unanswered_path: Vec<Action> = path
        .iter()
        .filter(|a| {
            let reply = a.action_type == "communicate" && a.reasoning.starts_with("Answer the");
            replies_dropped += usize::from(reply);
            !reply
        })
        .cloned()
        .collect();
    assert_eq!(replies_dropped, 2);
    let mut unanswered = played("cache-stampede-v2", 4, &unanswered_path);
    let (with, without) = (communication(&mut answered), communication(&mut unanswered));
    assert_eq!(with, 1.0);
    assert!(
        (without - 0.8).abs() < 1e-9,
        "the best update is perfect, one inject of two answered: 0.6 + 0.2, got {without}"
    );
    let explanation = unanswered
        .grade()
        .unwrap()
        .dimensions
        .into_iter()
        .find(|d| d.name == GradeDimension::Communication)
        .unwrap()
        .explanation;
    assert!(
        explanation.contains("Answered 1 of 2 messages in time"),
        "{explanation}"
    );
    // An inject is shown only once it has arrived.
    let mut env = Env::new();
    let first = env
        .reset(&Selection::Scenario("cache-stampede-v2".into()), 4)
        .unwrap();
    assert!(first.injects.is_empty());
    let serialized = serde_json::to_value(&first).unwrap();
    assert!(serialized.get("injects").is_none());
}

#[test]
fn a_hint_costs_its_price_and_runs_out() {
    let catalog = Catalog::builtin();
    let scenario = catalog.get("bad-deploy-v2").unwrap();
    assert!(scenario.task == Task::SeverityClassification && scenario.hints.len() >= 2);
    let classify = Action::new("classify", None).with("severity", scenario.severity.name());
    let investigate = Action::new("investigate", Some(&scenario.fault.service));
    let mut plain = played(
        "bad-deploy-v2",
        42,
        &[investigate.clone(), classify.clone()],
    );
    let mut hinted = played(
        "bad-deploy-v2",
        42,
        &[Action::new("hint", None), classify.clone()],
    );
    let (plain, hinted_grade) = (plain.grade().unwrap(), hinted.grade().unwrap());
    let cost = scenario.hints[0].cost;
    assert_eq!(
        (hinted_grade.hints_used, hinted_grade.hint_penalty),
        (1, cost)
    );
    // Both took two steps and classified right; the investigation differs,
    // so compare with the weighted sum less the cost.
    let weighted: f64 = hinted_grade
        .dimensions
        .iter()
        .map(|d| d.weight * d.score)
        .sum();
    assert!((hinted_grade.score - (weighted - cost)).abs() < 1e-12);
    assert!(plain.hints_used == 0 && plain.hint_penalty == 0.0);
    let serialized = serde_json::to_value(&plain).unwrap();
    assert!(serialized.get("hints_used").is_none());

    // Every hint once, then no more; the observation lists them.
    let mut env = Env::new();
    let observation = env
        .reset(&Selection::Scenario("bad-deploy-v2".into()), 42)
        .unwrap();
    assert_eq!(observation.hints_left as usize, scenario.hints.len());
    assert_eq!(observation.next_hint_cost, Some(cost));
    for (i, hint) in scenario.hints.iter().enumerate() {
        let step = env.step(&Action::new("hint", None)).unwrap();
        assert!((step.reward + hint.cost + 0.005 * (i + 1) as f64).abs() < 1e-12);
        assert_eq!(step.observation.hints.len(), i + 1);
        assert!(step.info.feedback.contains(&hint.text));
    }
    let error = env.step(&Action::new("hint", None)).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("hints of this scenario are revealed"),
        "{error}"
    );
    // A scenario without hints refuses the action.
    let mut env = Env::new();
    env.reset(&Selection::Scenario("disk-full-v1".into()), 1)
        .unwrap();
    let error = env.step(&Action::new("hint", None)).unwrap_err();
    assert!(error.to_string().contains("no hints"), "{error}");
}

#[test]
fn every_pack_drill_replays_its_oracle_code_to_a_pass() {
    for pack in pack::builtin_packs() {
        for (i, drill) in pack.drills.iter().enumerate() {
            let catalog = Catalog::builtin();
            let scenario = catalog.get(&drill.scenario).unwrap();
            let actions = ideal_path(scenario, scenario.task);
            let code = ResultCode {
                name: "Oracle".into(),
                pack: Some(pack.id.clone()),
                drill: Some(i as u32 + 1),
                scenario: drill.scenario.clone(),
                seed: drill.seed,
                mode: drill.mode,
                score: Some(0.99),
                actions,
            };
            let graded = grade_code(&mut Env::new(), &code.encode(), Some(&pack))
                .unwrap_or_else(|e| panic!("{} drill {}: {e}", pack.id, i + 1));
            assert!(
                graded.summary["final"] == true && graded.score >= 0.9,
                "{} drill {}: {}",
                pack.id,
                i + 1,
                graded.summary
            );
            assert_eq!(graded.summary["score_edited"], graded.score != 0.99);
        }
    }
}

fn cli(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_firedrill"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_cli_lists_packs_and_the_curriculum_and_grades_codes_as_run_does() {
    let (ok, out, _) = cli(&["packs", "--json"]);
    assert!(ok);
    let packs: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &packs[0];
    for key in ["id", "title", "drills"] {
        assert!(first.get(key).is_some(), "{key}");
    }
    for key in ["scenario", "seed", "mode"] {
        assert!(first["drills"][0].get(key).is_some(), "{key}");
    }
    let (ok, out, _) = cli(&["curriculum", "--json"]);
    assert!(ok);
    let stages: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(stages.as_array().unwrap().len(), 3);
    assert_eq!(stages[2]["difficulty"], "hard");

    // grade-code prints what run --json prints for the same actions, plus who.
    let (ok, run, _) = cli(&[
        "run",
        "--scenario",
        "disk-full-v1",
        "--seed",
        "5",
        "--agent",
        "heuristic",
        "--json",
    ]);
    assert!(ok);
    let run: serde_json::Value = serde_json::from_str(&run).unwrap();
    let actions: Vec<Action> = serde_json::from_value(run["actions"].clone()).unwrap();
    let code = ResultCode {
        name: "Lin".into(),
        pack: None,
        drill: None,
        scenario: "disk-full-v1".into(),
        seed: 5,
        mode: Mode::Practice,
        score: Some(1.0),
        actions,
    };
    let (ok, out, err) = cli(&["grade-code", &code.encode()]);
    assert!(ok, "{err}");
    let graded: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in ["score", "dimensions", "actions", "steps", "status"] {
        assert_eq!(graded[key], run[key], "{key}");
    }
    assert_eq!(graded["name"], "Lin");
    assert_eq!(graded["score_edited"], run["score"] != 1.0);
    let (ok, _, err) = cli(&["grade-code", "r1.not-a-code"]);
    assert!(!ok && err.contains("result code"), "{err}");
}

#[test]
fn mangled_codes_and_hostile_actions_are_refused_or_graded_never_a_panic() {
    use firedrill::rng::Rng;
    let catalog = Catalog::builtin();
    let scenario = catalog.get("cache-stampede-v2").unwrap();
    let mut actions = ideal_path(scenario, scenario.task);
    actions.insert(1, Action::new("hint", None));
    let played = actions.len();
    // After the episode ends, actions are not played (as in a replay link).
    actions.push(Action::new("investigate", Some("news-edge")));
    let code = ResultCode {
        name: "Mallory".into(),
        pack: Some("data-stores".into()),
        drill: Some(4),
        scenario: "cache-stampede-v2".into(),
        seed: 404,
        mode: Mode::Practice,
        score: Some(1.0),
        actions,
    }
    .encode();
    let packs = pack::builtin_packs();
    let data_stores = packs.iter().find(|p| p.id == "data-stores");
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.%";
    let mut rng = Rng::new(7);
    let (mut graded, mut refused) = (0, 0);
    for _ in 0..400 {
        let mut bytes = code.clone().into_bytes();
        for _ in 0..=rng.below(4) {
            let at = rng.below(bytes.len());
            match rng.below(3) {
                0 => bytes[at] = alphabet[rng.below(alphabet.len())],
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.truncate(at.max(3)),
            }
        }
        let text = String::from_utf8(bytes).unwrap();
        match grade_code(&mut Env::new(), &text, data_stores) {
            Ok(result) => {
                graded += 1;
                assert!((0.0..=1.0).contains(&result.score));
            }
            Err(message) => {
                refused += 1;
                assert!(!message.is_empty());
            }
        }
    }
    assert!(
        refused > 0 && graded + refused == 400,
        "{graded} graded, {refused} refused"
    );
    let intact = grade_code(&mut Env::new(), &code, data_stores).unwrap();
    assert_eq!(intact.summary["actions"].as_array().unwrap().len(), played);
    assert_eq!(intact.summary["hints_used"], 1);
    // An action the environment refuses stops the replay, and says which.
    let mut refused_action = firedrill::workshop::code::decode(&code).unwrap();
    refused_action.actions[2] = Action::new("remediate", Some("nowhere")).with("kind", "restart");
    let error = grade_code(&mut Env::new(), &refused_action.encode(), data_stores).unwrap_err();
    assert!(
        error.contains("action 3 (index 2)") && error.contains("unknown service \"nowhere\""),
        "{error}"
    );
}
