//! The action decoder and the step: any JSON, read as a list of actions (or
//! one action) in the shape the environment takes, validated against a
//! built-in scenario and played on a freshly reset episode. Every action is
//! accepted or refused with a named error; `step` agrees with `validate`;
//! after the end every step is `EpisodeOver`; the grade and its dimensions
//! stay in [0, 1]; state, grade and dashboard render.
//!
//! Input: 2 control bytes, then the JSON.
//! - byte 0: the built-in scenario (modulo their number);
//! - byte 1: the seed (modulo `TEMPLATE_SEEDS`).
#![no_main]

use firedrill::env::Action;
use firedrill_fuzz::{
    builtin, check_episode, check_error, checked_step, reset_env, split, Progress,
};
use libfuzzer_sys::fuzz_target;

/// More than any task's step budget (20), so the end of an episode is reached.
const MAX_ACTIONS: usize = 32;

fuzz_target!(|data: &[u8]| {
    let (control, json) = split::<2>(data);
    let actions: Vec<Action> = match serde_json::from_slice::<Vec<Action>>(json) {
        Ok(list) => list,
        Err(_) => match serde_json::from_slice::<Action>(json) {
            Ok(one) => vec![one],
            Err(_) => return,
        },
    };
    let actions = &actions[..actions.len().min(MAX_ACTIONS)];
    let scenario = usize::from(control[0]);
    let seed = u64::from(control[1]);
    // Most inputs are refused by validation alone: play only the ones
    // holding an action the scenario accepts.
    let target = &builtin()[scenario % builtin().len()];
    let mut any_valid = false;
    for action in actions {
        match action.validate(target) {
            Ok(_) => any_valid = true,
            Err(error) => check_error(&error),
        }
    }
    if !any_valid {
        return;
    }
    let mut env = reset_env(scenario, seed).clone();
    let mut progress = Progress::default();
    for action in actions {
        checked_step(&mut env, action, &mut progress);
    }
    check_episode(&mut env, progress);
});
