//! The scenario loader: any text given to `Catalog::load_str` either loads
//! or is refused with located errors (line and column inside the text, a
//! message of one line, as `firedrill check` prints them); a
//! scenario that loads can be played to its end by the heuristic or the
//! oracle (reset, step, grade, state, render) without a panic. Each distinct
//! scenario is played once per process, by one of the two agents (a reset
//! costs ~1.7 ms, six times a parse).
#![no_main]

use firedrill::agents::{Agent, Heuristic, Oracle};
use firedrill::env::{Env, Selection};
use firedrill::scenario::Catalog;
use firedrill_fuzz::{check_episode, checked_step, Progress};
use libfuzzer_sys::fuzz_target;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

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
    // Most mutations of a valid file that stay valid change nothing the
    // episode depends on (a comment, spacing): play each scenario once.
    let Some(key) = catalog.get(&id).map(|s| first_time(&format!("{s:?}"))) else {
        panic!("a loaded scenario is in the catalog");
    };
    let Some(key) = key else {
        return;
    };
    let mut env = Env::with_catalog(catalog);
    let (agent, seed): (&mut dyn Agent, u64) = if key % 2 == 0 {
        (&mut Heuristic, key % 7)
    } else {
        (&mut Oracle, key % 7)
    };
    let mut observation = env
        .reset(&Selection::Scenario(id), seed)
        .expect("a loaded scenario resets");
    let mut progress = Progress::default();
    while !progress.over {
        let action = agent.act(&env, &observation);
        checked_step(&mut env, &action, &mut progress);
        observation = env.observation().expect("an episode");
        assert!(progress.step <= 20, "no task budget is over 20 steps");
    }
    check_episode(&mut env, progress);
});

/// A hash of `text` if it was not seen before in this process (the set is
/// emptied when it grows past a million entries).
fn first_time(text: &str) -> Option<u64> {
    static SEEN: Mutex<Option<HashSet<u64>>> = Mutex::new(None);
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    let key = hasher.finish();
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let seen = seen.get_or_insert_with(HashSet::new);
    if seen.len() > 1_000_000 {
        seen.clear();
    }
    seen.insert(key).then_some(key)
}
