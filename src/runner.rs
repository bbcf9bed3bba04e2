//! Playing whole episodes: with a baseline agent or from a list of actions
//! (an action file, a replay link). Shared by the CLI, the app and the tests.

use crate::agents::Agent;
use crate::env::{Action, Env, EnvError, Selection};
use serde_json::{json, Value};
use std::fmt;

/// The summary of the episode in `env` (`firedrill run --json`): scenario,
/// task, seed, steps, score, status, the dimensions and the actions played.
pub fn episode_summary(env: &mut Env, seed: u64, played: &[Action]) -> Result<Value, EnvError> {
    let state = env.state()?;
    let grade = env.grade()?;
    let mut summary = json!({
        "scenario": state.scenario,
        "task": state.task,
        "seed": seed,
        "steps": state.step,
        "score": grade.score,
        "final": grade.final_grade,
        "terminated": state.terminated,
        "truncated": state.truncated,
        "status": state.status,
        "cumulative_reward": state.cumulative_reward,
        "mttr_steps": state.mttr_steps,
        "mttr_minutes": state.mttr_minutes,
        "dimensions": grade.dimensions,
        "actions": played,
        "start_time": state.history_start_time,
        "end_time": state.end_time,
        "step_seconds": state.step_seconds,
    });
    if grade.hints_used > 0 {
        summary["hints_used"] = json!(grade.hints_used);
        summary["hint_penalty"] = json!(grade.hint_penalty);
    }
    Ok(summary)
}

/// Where the actions of an episode come from.
pub enum Driver<'a> {
    /// An agent picks each action.
    Agent(&'a mut dyn Agent),
    /// A fixed list, played in order until it runs out or the episode ends.
    Actions(&'a [Action]),
}

/// An action of a list that the environment refused.
#[derive(Clone, Debug, PartialEq)]
pub struct RunError {
    /// Index of the refused action in the list (0-based); `None` for the reset.
    pub index: Option<usize>,
    /// Why.
    pub error: EnvError,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(i) => write!(f, "action {} (index {i}): {}", i + 1, self.error),
            None => write!(f, "{}", self.error),
        }
    }
}

impl std::error::Error for RunError {}

/// Resets `env` and plays until the episode ends (or the list runs out).
/// Returns the actions played.
pub fn run_episode(
    env: &mut Env,
    selection: &Selection,
    seed: u64,
    driver: Driver<'_>,
) -> Result<Vec<Action>, RunError> {
    let mut observation = env
        .reset(selection, seed)
        .map_err(|error| RunError { index: None, error })?;
    let mut played = Vec::new();
    let mut index = 0usize;
    let mut driver = driver;
    loop {
        let action = match &mut driver {
            Driver::Agent(agent) => agent.act(env, &observation),
            Driver::Actions(list) => match list.get(index) {
                Some(a) => a.clone(),
                None => break,
            },
        };
        let step = env.step(&action).map_err(|error| RunError {
            index: Some(index),
            error,
        })?;
        played.push(action);
        index += 1;
        observation = step.observation;
        if step.terminated || step.truncated {
            break;
        }
    }
    Ok(played)
}

/// FNV-1a over bytes, continuing from `hash`.
fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        hash ^= *b as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
    }
    hash
}

/// A 64-bit digest of a whole trajectory (every observation, reward and
/// flag as JSON, then the grade) of `agent` playing `selection` with `seed`.
/// Native and wasm builds must give the same value.
pub fn trajectory_digest(selection: &Selection, seed: u64, agent: &str) -> Result<u64, RunError> {
    trajectory_digest_in(Env::new(), selection, seed, agent)
}

/// [`trajectory_digest`] in `env` (with its catalog: custom scenarios).
pub fn trajectory_digest_in(
    mut env: Env,
    selection: &Selection,
    seed: u64,
    agent: &str,
) -> Result<u64, RunError> {
    let mut agent = crate::agents::by_name(agent, seed).ok_or(RunError {
        index: None,
        error: EnvError::InvalidAction {
            field: "agent".into(),
            reason: format!("unknown agent {agent:?}"),
        },
    })?;
    let mut observation = env
        .reset(selection, seed)
        .map_err(|error| RunError { index: None, error })?;
    let mut hash = fnv1a(
        0xcbf2_9ce4_8422_2325,
        serde_json::to_string(&observation)
            .unwrap_or_default()
            .as_bytes(),
    );
    for index in 0..100 {
        let action = agent.act(&env, &observation);
        let step = env.step(&action).map_err(|error| RunError {
            index: Some(index),
            error,
        })?;
        hash = fnv1a(
            hash,
            serde_json::to_string(&step).unwrap_or_default().as_bytes(),
        );
        observation = step.observation;
        if step.terminated || step.truncated {
            break;
        }
    }
    let grade = env
        .grade()
        .map_err(|error| RunError { index: None, error })?;
    Ok(fnv1a(
        hash,
        serde_json::to_string(&grade).unwrap_or_default().as_bytes(),
    ))
}
