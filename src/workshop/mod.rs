//! Workshops with no server: packs of drills ([`pack`]), result codes that
//! the facilitator's board replays and grades itself ([`code`],
//! [`grade_code`]), and the curriculum as the shipped scenarios define it
//! ([`curriculum`]). Shared by the CLI (`firedrill packs`, `grade-code`),
//! the JS API (`gradeCode`, `curriculum`) and the app; the facilitator's board
//! ([`board`]): codes replayed into rows, the heat map, the CSV, the debrief slide.

pub mod board;
pub mod code;
pub mod pack;
pub mod progress;
#[cfg(feature = "qr")]
pub mod qr;

use crate::env::{Env, Selection};
use crate::runner::{episode_summary, run_episode, Driver};
use crate::scenario::{ActionType, Catalog, Difficulty, GradeDimension, Task};
use code::ResultCode;
use pack::Pack;
use serde::Serialize;
use serde_json::{json, Value};

/// Scores closer than this are the same score (a float printed and read back).
const SAME_SCORE: f64 = 1e-9;

/// A result code replayed and graded in the core.
#[derive(Clone, Debug)]
pub struct GradedCode {
    /// What the code holds.
    pub code: ResultCode,
    /// The episode as `firedrill run --json` prints it, with `name`, `pack`,
    /// `drill`, `mode`, `claimed_score` and `score_edited` added.
    pub summary: Value,
    /// The score the replay computed.
    pub score: f64,
}

/// Replays a result code in `env` and grades the episode it plays. The
/// code's own `score` is only compared: `score_edited` is true when it is
/// not the replayed one. When `pack` is given (the pack the facilitator
/// runs, or the built-in pack the code names), the code's drill must be
/// that pack's drill: same scenario, seed and mode.
///
/// ```
/// use firedrill::env::Env;
/// use firedrill::workshop::{code::ResultCode, grade_code};
/// let mut env = Env::new();
/// let code = ResultCode {
///     name: "Ada".into(), pack: None, drill: None,
///     scenario: "bad-deploy-v1".into(), seed: 1,
///     mode: firedrill::leaderboard::Mode::Practice, score: Some(1.0),
///     actions: vec![firedrill::Action::new("classify", None).with("severity", "P3")],
/// };
/// let graded = grade_code(&mut env, &code.encode(), None).unwrap();
/// assert_eq!(graded.summary["name"], "Ada");
/// assert!(graded.score < 1.0 && graded.summary["score_edited"] == true);
/// ```
pub fn grade_code(env: &mut Env, text: &str, pack: Option<&Pack>) -> Result<GradedCode, String> {
    let code = code::decode(text)?;
    if let Some(pack) = pack.filter(|p| code.pack.as_deref() == Some(p.id.as_str())) {
        let number = code.drill.unwrap_or(0);
        let Some(drill) = (number as usize)
            .checked_sub(1)
            .and_then(|i| pack.drills.get(i))
        else {
            return Err(format!(
                "the code names drill {number} of pack {:?}, which has {} drills",
                pack.id,
                pack.drills.len()
            ));
        };
        if drill.scenario != code.scenario || drill.seed != code.seed || drill.mode != code.mode {
            return Err(format!(
                "drill {number} of pack {:?} is {} seed {} in {} mode; the code played {} seed {} in {} mode",
                pack.id,
                drill.scenario,
                drill.seed,
                drill.mode.name(),
                code.scenario,
                code.seed,
                code.mode.name()
            ));
        }
    }
    if code.mode == crate::leaderboard::Mode::Exam {
        if let Some(i) = code
            .actions
            .iter()
            .position(|a| a.action_type == ActionType::Hint.name())
        {
            return Err(format!(
                "action {} reveals a hint, and exam mode has none",
                i + 1
            ));
        }
    }
    let played = run_episode(
        env,
        &Selection::Scenario(code.scenario.clone()),
        code.seed,
        Driver::Actions(&code.actions),
    )
    .map_err(|e| format!("the replay stopped: {e}"))?;
    let mut summary = episode_summary(env, code.seed, &played).map_err(|e| e.to_string())?;
    let score = summary["score"].as_f64().unwrap_or(0.0);
    summary["name"] = json!(code.name);
    summary["pack"] = json!(code.pack);
    summary["drill"] = json!(code.drill);
    summary["mode"] = json!(code.mode);
    summary["claimed_score"] = json!(code.score);
    summary["score_edited"] = json!(code
        .score
        .is_some_and(|claimed| (claimed - score).abs() > SAME_SCORE));
    Ok(GradedCode {
        code,
        summary,
        score,
    })
}

/// A stage of the curriculum: a task as the shipped scenarios play it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stage {
    /// The task (its id).
    pub task: Task,
    /// Its title.
    pub title: &'static str,
    /// What it asks for.
    pub objective: &'static str,
    /// Easy, medium or hard.
    pub difficulty: Difficulty,
    /// Steps before an episode is truncated.
    pub step_budget: u32,
    /// The reward of step `n` is reduced by this × `n`.
    pub time_penalty_per_step: f64,
    /// The score it takes to pass.
    pub pass_mark: f64,
    /// The graded dimensions with their weights.
    pub dimensions: Vec<StageDimension>,
    /// Scenarios of the stage in the catalog.
    pub scenarios: usize,
    /// The fault types its scenarios cover, sorted.
    pub faults: Vec<String>,
}

/// A graded dimension of a stage and its weight.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageDimension {
    /// The dimension's name.
    pub name: GradeDimension,
    /// Its weight in the score.
    pub weight: f64,
}

/// The curriculum: every task, easy to hard, as `catalog` plays it (what
/// the picker shows and the JS API's `curriculum()` returns).
pub fn curriculum(catalog: &Catalog) -> Vec<Stage> {
    let summaries = catalog.summaries();
    Task::ALL
        .iter()
        .map(|&task| {
            let of_task: Vec<_> = summaries.iter().filter(|s| s.task == Some(task)).collect();
            let mut faults: Vec<String> = of_task.iter().map(|s| s.fault.clone()).collect();
            faults.sort();
            faults.dedup();
            Stage {
                task,
                title: task.title(),
                objective: task.objective(),
                difficulty: task.difficulty(),
                step_budget: task.step_budget(),
                time_penalty_per_step: task.reward_decay(),
                pass_mark: task.pass_mark(),
                dimensions: task
                    .dimensions()
                    .iter()
                    .map(|&(name, weight)| StageDimension { name, weight })
                    .collect(),
                scenarios: of_task.len(),
                faults,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents;
    use crate::leaderboard::Mode;

    #[test]
    fn a_replayed_code_grades_as_the_episode_did_and_edits_show() {
        let mut env = Env::new();
        let selection = Selection::Scenario("connection-pool-exhaustion-v1".into());
        let mut oracle = agents::by_name("oracle", 2).unwrap();
        let actions = run_episode(&mut env, &selection, 2, Driver::Agent(oracle.as_mut())).unwrap();
        let score = env.grade().unwrap().score;
        let code = ResultCode {
            name: "Ada".into(),
            pack: None,
            drill: None,
            scenario: "connection-pool-exhaustion-v1".into(),
            seed: 2,
            mode: Mode::Exam,
            score: Some(score),
            actions: actions.clone(),
        };
        let graded = grade_code(&mut Env::new(), &code.encode(), None).unwrap();
        assert_eq!(graded.score, score);
        assert_eq!(graded.summary["score_edited"], false);
        let partial = ResultCode {
            actions: actions[..2].to_vec(),
            ..code.clone()
        };
        let partial_score = grade_code(&mut Env::new(), &partial.encode(), None)
            .unwrap()
            .score;
        assert!(partial_score < score);
        let edited = ResultCode {
            score: Some(1.0),
            ..partial
        };
        let graded = grade_code(&mut Env::new(), &edited.encode(), None).unwrap();
        assert_eq!(
            (graded.score, &graded.summary["score_edited"]),
            (partial_score, &json!(true))
        );
        let hinted = ResultCode {
            actions: vec![crate::env::Action::new("hint", None)],
            ..code
        };
        let error = grade_code(&mut Env::new(), &hinted.encode(), None).unwrap_err();
        assert!(error.contains("exam mode has none"), "{error}");
    }

    #[test]
    fn a_code_must_be_the_drill_of_its_pack() {
        let pack = pack::builtin_packs().remove(0);
        let drill = &pack.drills[0];
        let code = ResultCode {
            name: "Ada".into(),
            pack: Some(pack.id.clone()),
            drill: Some(1),
            scenario: drill.scenario.clone(),
            seed: drill.seed + 1,
            mode: drill.mode,
            score: None,
            actions: vec![],
        };
        let error = grade_code(&mut Env::new(), &code.encode(), Some(&pack)).unwrap_err();
        assert!(error.contains("drill 1 of pack"), "{error}");
        let right = ResultCode {
            seed: drill.seed,
            ..code.clone()
        };
        assert!(grade_code(&mut Env::new(), &right.encode(), Some(&pack)).is_ok());
        let beyond = ResultCode {
            drill: Some(99),
            ..right
        };
        assert!(grade_code(&mut Env::new(), &beyond.encode(), Some(&pack))
            .unwrap_err()
            .contains("which has"));
    }

    #[test]
    fn the_curriculum_is_the_tasks_as_the_catalog_plays_them() {
        let stages = curriculum(&Catalog::builtin());
        assert_eq!(stages.len(), 3);
        let total: usize = stages.iter().map(|s| s.scenarios).sum();
        assert_eq!(total, Catalog::builtin_count());
        for stage in &stages {
            let weights: f64 = stage.dimensions.iter().map(|d| d.weight).sum();
            assert!((weights - 1.0).abs() < 1e-9, "{:?}", stage.task);
            assert!(!stage.faults.is_empty());
        }
    }
}
