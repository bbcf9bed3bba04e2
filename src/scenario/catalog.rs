//! The set of scenarios an environment can play: the built-in ones embedded
//! at build time, plus any loaded from text at run time.

use super::error::ScenarioError;
use super::load::parse;
use super::model::{Scenario, ScenarioSummary};
use std::sync::{Arc, OnceLock};

include!(concat!(env!("OUT_DIR"), "/builtin_scenarios.rs"));

/// An ordered set of scenarios with unique ids.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    scenarios: Vec<Arc<Scenario>>,
}

impl Catalog {
    /// The scenarios that ship in `scenarios/`, in file-name order.
    ///
    /// A built-in file that fails validation is skipped here; the test suite
    /// and `firedrill check scenarios` make sure none does.
    ///
    /// The files are parsed once per process; every call returns a copy that
    /// shares the parsed scenarios (cheap: one `Arc` per scenario).
    pub fn builtin() -> Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(Catalog::parse_builtin).clone()
    }

    /// Parses and validates every embedded file (what [`Catalog::builtin`]
    /// does once per process; benchmarks of scenario loading call this).
    pub fn parse_builtin() -> Catalog {
        let mut catalog = Catalog::default();
        for (file, text) in BUILTIN_SCENARIOS {
            if let Ok(scenario) = parse(file, text) {
                let _ = catalog.insert(scenario);
            }
        }
        catalog
    }

    /// The built-in files as (file name, text), for validation and tests.
    pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
        BUILTIN_SCENARIOS
    }

    /// Every scenario, in order.
    pub fn scenarios(&self) -> &[Arc<Scenario>] {
        &self.scenarios
    }

    /// The scenario with this id.
    pub fn get(&self, id: &str) -> Option<&Arc<Scenario>> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    /// The scenarios serving a task, in order.
    pub fn for_task<'a>(&'a self, task: &'a str) -> impl Iterator<Item = &'a Arc<Scenario>> + 'a {
        self.scenarios.iter().filter(move |s| s.task == task)
    }

    /// Listing entries for every scenario.
    pub fn summaries(&self) -> Vec<ScenarioSummary> {
        self.scenarios.iter().map(|s| s.summary_entry()).collect()
    }

    /// Adds a scenario, replacing one with the same id; returns the id.
    pub fn insert(&mut self, scenario: Scenario) -> String {
        let id = scenario.id.clone();
        let scenario = Arc::new(scenario);
        match self.scenarios.iter_mut().find(|s| s.id == id) {
            Some(existing) => *existing = scenario,
            None => self.scenarios.push(scenario),
        }
        id
    }

    /// Parses, validates and adds a scenario from TOML text; returns its id.
    pub fn load_str(&mut self, file: &str, text: &str) -> Result<String, Vec<ScenarioError>> {
        let scenario = parse(file, text)?;
        Ok(self.insert(scenario))
    }
}
