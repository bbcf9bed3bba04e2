//! What the integration tests share (`mod common;` in a test file): the
//! `../shared` folder beside the checkout, and one rule for tests that need
//! something outside the repository (that folder, `prometheus`, `promtool`,
//! the validators' virtualenv): run by hand without it they skip and say
//! why; on CI (`CI` set to any non-empty value) they fail, so that a CI
//! machine without them is red instead of silently green.

use std::io::Write;
use std::path::PathBuf;

/// The `../shared` folder beside the checkout (DESIGN.md, the conformance
/// data, `tools/`), or the folder `FIREDRILL_SHARED_DIR` names.
#[allow(dead_code)] // not every test file that shares this module needs it
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("FIREDRILL_SHARED_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    }
}

/// Whether the environment variable `CI` is set to a non-empty value.
pub fn on_ci() -> bool {
    std::env::var_os("CI").is_some_and(|value| !value.is_empty())
}

/// The value a test needs from outside the repository, when it was found.
///
/// `found` is the value, or what is missing (e.g. "promtool (not on PATH)");
/// `how` says how to get it (e.g. "run scripts/setup"). When it is missing,
/// on CI this panics with both; otherwise it prints both and returns `None`,
/// and the test returns early. The message goes to the process's standard
/// error, not through the test harness's capture, so `cargo test` shows it.
#[track_caller]
pub fn require_or_skip<T>(found: Result<T, String>, how: &str) -> Option<T> {
    let missing = match found {
        Ok(value) => return Some(value),
        Err(missing) => missing,
    };
    if on_ci() {
        panic!("missing {missing}; {how} (CI is set, so this fails instead of skipping)");
    }
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: missing {missing}; {how} (with CI set this fails)"
    );
    None
}
