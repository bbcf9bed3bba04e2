//! The built-in scenario set: every file valid, the curriculum's coverage,
//! and the annotated example of `docs/scenarios.md` playable as written.

use std::collections::BTreeSet;

use firedrill::agents::by_name;
use firedrill::env::{Env, Selection, Task};
use firedrill::runner::{run_episode, Driver};
use firedrill::scenario::Catalog;

#[test]
fn every_builtin_scenario_is_valid() {
    for (file, text) in Catalog::builtin_files() {
        if let Err(errors) = firedrill::scenario::parse(file, text) {
            for e in &errors {
                eprintln!("{e}");
            }
            panic!("{file} is invalid");
        }
    }
}

#[test]
fn no_builtin_briefing_names_its_cause() {
    for (file, text) in Catalog::builtin_files() {
        let scenario = firedrill::scenario::parse(file, text).expect("valid");
        let problems = firedrill::scenario::lint(file, text, &scenario);
        assert!(
            problems.is_empty(),
            "{}",
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert_ne!(scenario.title, scenario.debrief_title, "{file}");
    }
}

#[test]
fn the_strict_checker_finds_what_leaks_or_misleads() {
    let (file, text) = Catalog::builtin_files()
        .into_iter()
        .find(|(f, _)| f.ends_with("connection-pool-exhaustion-v1.toml"))
        .expect("the file");
    let scenario = firedrill::scenario::parse(file, text).unwrap();
    let leaky = text
        .replacen(
            &format!("title = {:?}", scenario.title),
            "title = \"orders-db is down\"",
            1,
        )
        .replacen("keywords = [", "keywords = [\"connections\", ", 1)
        .replacen(
            "summary = \"",
            "summary = \"The connection pool is exhausted. ",
            1,
        );
    let leaky = leaky
        .lines()
        .filter(|l| !l.starts_with("debrief_title"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n\n[[injects]]\nstep = 2\nfrom = \"executive\"\nmessage = \"Is orders-db down? When is the next update?\"\nexpects = [\"next_update\"]\n\n[[hints]]\ntext = \"Look at the connection pool.\"\n";
    let scenario = firedrill::scenario::parse(file, &leaky).expect("still valid");
    let problems: Vec<String> = firedrill::scenario::lint(file, &leaky, &scenario)
        .iter()
        .map(|p| p.to_string())
        .collect();
    let expect = |needle: &str| {
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "no problem says {needle:?}: {problems:#?}"
        )
    };
    expect("title: names the root-cause service (\"orders-db\")");
    expect("summary: names a diagnosis keyword");
    expect("debrief_title: expected `debrief_title`");
    expect("fault.keywords[0]: \"connections\" is too general");
    expect("injects[0].message: names the root-cause service (\"orders-db\")");
    expect("hints[0].text: names");
    assert!(
        problems.iter().all(|p| p.starts_with(file)),
        "{problems:#?}"
    );
}

#[test]
fn the_strict_checker_finds_red_herrings_off_the_map_and_fixes_without_evidence() {
    let text = r#"id = "lint-case"
title = "Checkout fails for some users"
debrief_title = "api's certificate expired"
task = "root_cause_analysis"
summary = "Support hears that payments fail at the last step."
severity = "P2"
escalate_to = ["api"]

[[services]]
name = "web"
team = "web"
depends_on = ["api"]

[[services]]
name = "api"
team = "api"

[[services]]
name = "batch"
team = "data"

[fault]
service = "api"
cause = "gremlins"
description = "Something odd."
keywords = ["gremlins in the api"]

[[symptoms]]
service = "web"
metric = "error_ratio"
delta = 0.05
cap = 0.5

[[red_herrings]]
service = "batch"
metric = "cpu_ratio"
delta = 0.1
cap = 0.9
reason = "The nightly batch."

[[remediations]]
service = "batch"
kind = "restart"
correct = true

[communication]
channels = ["slack"]
must_mention = ["checkout"]
"#;
    let scenario = firedrill::scenario::parse("lint.toml", text).expect("valid");
    let problems: Vec<String> = firedrill::scenario::lint("lint.toml", text, &scenario)
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(
        problems,
        [
            "lint.toml:24:1: fault.cause: \"gremlins\" is not in the taxonomy, so a diagnosis can name it only as `other`; expected one of the ids `firedrill causes` lists",
            "lint.toml:34:1: red_herrings[0]: batch has no dependency edge to an affected service (web, api), so the map alone rules it out; put it on the request path",
            "lint.toml:41:1: remediations[0]: nothing shows that restart batch is needed: neither batch nor api has a symptom or a warn/error log line",
        ]
    );
}

#[test]
fn the_set_covers_the_curriculum() {
    let catalog = Catalog::builtin();
    assert_eq!(catalog.scenarios().len(), Catalog::builtin_files().len());
    assert!(catalog.scenarios().len() >= 36);
    let faults: BTreeSet<&str> = catalog
        .scenarios()
        .iter()
        .map(|s| s.fault.cause.as_str())
        .collect();
    assert!(faults.len() >= 15, "fault types: {faults:?}");
    for task in Task::ALL {
        let count = catalog.for_task(task).count();
        assert!(count >= 12, "{}: {count} scenarios", task.id());
    }
    for s in catalog.for_task(Task::FullIncidentManagement) {
        assert!(s.red_herrings.len() >= 2, "{}: red herrings", s.id);
        assert!(s.services.len() >= 6, "{}: services", s.id);
    }
    for (file, _) in Catalog::builtin_files() {
        let id = file
            .trim_start_matches("scenarios/")
            .trim_end_matches(".toml");
        assert!(catalog.get(id).is_some(), "{file}: id is not the file name");
    }
}

#[test]
fn the_documented_example_loads_and_the_oracle_plays_it() {
    let doc = include_str!("../docs/scenarios.md");
    let start = doc
        .find("```toml\n")
        .expect("docs/scenarios.md has a toml block")
        + 8;
    let length = doc[start..].find("```").expect("the toml block ends");
    let example = &doc[start..start + length];

    let mut env = Env::new();
    let id = match env.catalog_mut().load_str("docs/scenarios.md", example) {
        Ok(id) => id,
        Err(errors) => panic!("the documented example is invalid: {errors:?}"),
    };
    let mut oracle = by_name("oracle", 1).unwrap();
    run_episode(
        &mut env,
        &Selection::Scenario(id),
        1,
        Driver::Agent(oracle.as_mut()),
    )
    .unwrap();
    assert!(env.grade().unwrap().score >= 0.9);
}
