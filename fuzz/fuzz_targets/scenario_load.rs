//! The scenario loader: any text given to `Catalog::load_str` either loads
//! or is refused with located errors (line and column inside the text, a
//! message of one line, as `firedrill check` prints them); a
//! scenario that loads can be played to its end by the heuristic and the
//! oracle (reset, step, grade, state, render) without a panic.
#![no_main]

use firedrill::agents::{Agent, Heuristic, Oracle};
use firedrill::env::{Env, Selection};
use firedrill::scenario::Catalog;
use firedrill_fuzz::{check_episode, checked_step, Progress};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut catalog = Catalog::default();
    let id = match catalog.load_str("fuzz.toml", text) {
        Ok(id) => id,
        Err(errors) => {
            assert!(!errors.is_empty(), "refused without an error");
            let lines = text.split('\n').count();
            for error in &errors {
                assert!(error.line >= 1 && error.line <= lines, "{error}");
                assert!(error.column >= 1, "{error}");
                assert!(!error.message.trim().is_empty(), "{error:?}");
                assert!(
                    !error.message.contains('\n'),
                    "a message of several lines: {error:?}"
                );
                assert!(error.to_string().starts_with("fuzz.toml:"));
            }
            return;
        }
    };
    let mut env = Env::with_catalog(catalog);
    let agents: [&mut dyn Agent; 2] = [&mut Heuristic, &mut Oracle];
    for (seed, agent) in agents.into_iter().enumerate() {
        let mut observation = env
            .reset(&Selection::Scenario(id.clone()), seed as u64)
            .expect("a loaded scenario resets");
        let mut progress = Progress::default();
        while !progress.over {
            let action = agent.act(&env, &observation);
            checked_step(&mut env, &action, &mut progress);
            observation = env.observation().expect("an episode");
            assert!(progress.step <= 20, "no task budget is over 20 steps");
        }
        check_episode(&mut env, progress);
    }
});
