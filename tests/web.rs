//! Browser tests (wasm only): run with `cargo test --target
//! wasm32-unknown-unknown --test web` under wasm-bindgen-test-runner and
//! headless Chromium (scripts/test sets that up).
#![cfg(target_arch = "wasm32")]

use firedrill::env::{Selection, Task};
use firedrill::runner::trajectory_digest;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document")
}

fn all(selector: &str) -> Vec<web_sys::Element> {
    let list = document()
        .query_selector_all(selector)
        .expect("a valid selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::Element>().ok())
        .collect()
}

fn one(selector: &str) -> web_sys::Element {
    document()
        .query_selector(selector)
        .expect("a valid selector")
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

fn click(selector: &str) {
    one(selector)
        .dyn_into::<web_sys::HtmlElement>()
        .expect("an HTML element")
        .click();
}

/// Lets Leptos run its pending effects.
async fn settle() {
    let promise = js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL);
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The same trajectory as natively: the simulation is deterministic across
/// targets (the golden digest is the one the native contract test checks).
#[wasm_bindgen_test]
fn trajectory_digest_matches_native() {
    let selection = Selection::Scenario("connection-pool-exhaustion-v1".into());
    let digest = trajectory_digest(&selection, 42, "heuristic").expect("the episode runs");
    let golden = include_str!("golden/trajectory_digest.txt").trim();
    assert_eq!(format!("{digest:016x}"), golden);
}

/// The drill with every capability of the scenario format (instances, a
/// saw-tooth, changes, missing data, two faults) plays the same in wasm.
#[wasm_bindgen_test]
fn capabilities_digest_matches_native() {
    let mut catalog = firedrill::scenario::Catalog::default();
    catalog
        .load_str(
            "capabilities-drill.toml",
            include_str!("fixtures/capabilities-drill.toml"),
        )
        .expect("the drill is valid");
    let selection = Selection::Scenario("capabilities-drill".into());
    for (agent, golden) in [
        (
            "oracle",
            include_str!("golden/capabilities_digest_oracle.txt"),
        ),
        (
            "heuristic",
            include_str!("golden/capabilities_digest_heuristic.txt"),
        ),
    ] {
        let env = firedrill::env::Env::with_catalog(catalog.clone());
        let digest = firedrill::runner::trajectory_digest_in(env, &selection, 42, agent)
            .expect("the episode runs");
        assert_eq!(format!("{digest:016x}"), golden.trim(), "{agent}");
    }
}

/// The shell lists the built-in scenarios of the chosen task, switches task
/// on click, and starts an episode showing its step counter and status.
#[wasm_bindgen_test]
async fn app_shell_lists_scenarios_and_starts_a_drill() {
    leptos::mount::mount_to_body(firedrill::web::app::App);
    settle().await;

    assert!(one(".brand-name")
        .text_content()
        .unwrap_or_default()
        .contains("Firedrill"));
    assert_eq!(all("[data-testid=task-tab]").len(), Task::ALL.len());

    let catalog = firedrill::scenario::Catalog::builtin();
    for task in Task::ALL {
        click(&format!("[data-testid=task-tab][data-task={}]", task.id()));
        settle().await;
        let shown: Vec<String> = all("[data-testid=scenario-option]")
            .iter()
            .filter_map(|e| e.get_attribute("data-scenario"))
            .collect();
        let expected: Vec<String> = catalog.for_task(task).map(|s| s.id.clone()).collect();
        assert!(!expected.is_empty(), "task {} has scenarios", task.id());
        assert_eq!(shown, expected, "scenarios listed for {}", task.id());
    }

    click("[data-testid=task-tab][data-task=root_cause_analysis]");
    settle().await;
    let second = all("[data-testid=scenario-option]")[1].clone();
    let id = second.get_attribute("data-scenario").unwrap_or_default();
    second
        .dyn_into::<web_sys::HtmlElement>()
        .expect("a button")
        .click();
    settle().await;
    let title = catalog
        .get(&id)
        .map(|s| s.title.clone())
        .unwrap_or_default();
    assert_eq!(
        one("[data-testid=briefing-title]").text_content(),
        Some(title)
    );

    click("[data-testid=start-drill]");
    settle().await;
    let budget = Task::RootCauseAnalysis.step_budget();
    assert_eq!(
        one("[data-testid=step-counter]").text_content(),
        Some(format!("0/{budget}"))
    );
    assert_eq!(
        one("[data-testid=episode-status]")
            .text_content()
            .as_deref(),
        Some("open")
    );
    let services = catalog
        .get(&id)
        .map(|s| s.services.len())
        .unwrap_or_default();
    assert_eq!(all("[data-testid=service-table] tbody tr").len(), services);
}

#[wasm_bindgen_test]
fn storage_round_trips_and_sets_aside_what_it_cannot_read() {
    use firedrill::web::app::storage::{load, save, Loaded};
    let local = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("localStorage");
    local.clear().expect("clear");

    save("test-key", 1, &vec![1u32, 2, 3]).expect("saved");
    assert!(matches!(load::<Vec<u32>>("test-key", 1), Loaded::Value(v) if v == [1, 2, 3]));
    assert!(matches!(load::<Vec<u32>>("absent", 1), Loaded::Missing));

    // Corrupted: moved to a quarantine key, reported.
    local.set_item("firedrill.test-key", "{oops").expect("set");
    let Loaded::SetAside(message) = load::<Vec<u32>>("test-key", 1) else {
        panic!("corrupted data must be set aside");
    };
    assert!(message.contains("not valid JSON"), "{message}");
    assert_eq!(local.get_item("firedrill.test-key").ok().flatten(), None);
    let quarantined = (0..local.length().unwrap_or(0))
        .filter_map(|i| local.key(i).ok().flatten())
        .filter(|k| k.starts_with("firedrill.quarantine.test-key."))
        .count();
    assert_eq!(quarantined, 1);

    // Newer version: left as it is.
    let newer = r#"{"version":7,"data":[9]}"#;
    local.set_item("firedrill.test-key", newer).expect("set");
    assert!(
        matches!(load::<Vec<u32>>("test-key", 1), Loaded::SetAside(m) if m.contains("newer version"))
    );
    assert_eq!(
        local
            .get_item("firedrill.test-key")
            .ok()
            .flatten()
            .as_deref(),
        Some(newer)
    );

    // The wrong shape for this version: set aside too.
    save("test-key", 1, &"text").expect("saved");
    assert!(
        matches!(load::<Vec<u32>>("test-key", 1), Loaded::SetAside(m) if m.contains("does not fit"))
    );
    local.clear().expect("clear");
}
