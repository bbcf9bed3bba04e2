//! The change timeline as the fleet lives it: which version each service
//! runs, how many times it was deployed and reconfigured, which feature
//! flags are on. The scenario's `[[changes]]` apply at their times; the
//! responder's rollbacks, configuration changes and flag switches apply
//! when they are made.

use crate::scenario::{ChangeKind, Scenario};
use serde::Serialize;
use std::sync::Arc;

/// One change as it happened: the scenario's, or one the responder made.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangeEvent {
    /// Simulated Unix time, seconds.
    pub time: i64,
    /// The service it changed.
    pub service: String,
    /// `deploy`, `config`, `flag` or `infra`.
    pub kind: ChangeKind,
    /// Who made it.
    pub author: String,
    /// What it was.
    pub description: String,
    /// The version a deploy (or rollback) brought, if known.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// The flag a flag change switched.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub flag: String,
    /// The flag's new state (flag changes only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// The author of the changes the responder makes.
pub const RESPONDER: &str = "incident response";

/// Versions, revisions and flags of the fleet at one time.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeState {
    /// Per service: deploys and rollbacks so far (a revision number from 1).
    pub deploy_revision: Vec<u32>,
    /// Per service: configuration pushes so far (from 1).
    pub config_revision: Vec<u32>,
    /// Every version named on the timeline: (service index, version)
    /// (shared by clones; fixed once the timeline is read).
    pub versions: Arc<Vec<(usize, String)>>,
    /// Per service: the index into `versions` of what it runs, if known.
    pub running: Vec<Option<usize>>,
    /// Per service: the versions it ran before, newest last (what a rollback returns to).
    previous: Vec<Vec<usize>>,
    /// Every flag named on the timeline: (service index, flag), with its state.
    pub flags: Vec<(usize, String, bool)>,
    /// How many of the scenario's changes have been applied.
    applied: usize,
    /// The changes so far, oldest first (shared by the clones the
    /// monitoring and the observations take every step).
    pub events: Arc<Vec<ChangeEvent>>,
}

impl ChangeState {
    /// The state before any change of the timeline: each service runs the
    /// `previous_version` of its first deploy (if the timeline says it),
    /// and each flag has the opposite of its first change's state.
    pub fn new(scenario: &Scenario) -> ChangeState {
        let n = scenario.services.len();
        let mut state = ChangeState {
            deploy_revision: vec![1; n],
            config_revision: vec![1; n],
            versions: Arc::new(Vec::new()),
            running: vec![None; n],
            previous: vec![Vec::new(); n],
            flags: Vec::new(),
            applied: 0,
            events: Arc::new(Vec::new()),
        };
        for change in &scenario.changes {
            let Some(s) = scenario.service_index(&change.service) else {
                continue;
            };
            match change.kind {
                ChangeKind::Deploy => {
                    for v in [&change.previous_version, &change.version] {
                        if !v.is_empty() {
                            state.version_index(s, v);
                        }
                    }
                    if state.running[s].is_none() && !change.previous_version.is_empty() {
                        state.running[s] = Some(state.version_index(s, &change.previous_version));
                    }
                }
                ChangeKind::Flag
                    if !state
                        .flags
                        .iter()
                        .any(|(fs, f, _)| *fs == s && *f == change.flag) =>
                {
                    state.flags.push((s, change.flag.clone(), !change.enabled));
                }
                _ => {}
            }
        }
        state
    }

    fn version_index(&mut self, service: usize, version: &str) -> usize {
        match self
            .versions
            .iter()
            .position(|(s, v)| *s == service && v == version)
        {
            Some(i) => i,
            None => {
                Arc::make_mut(&mut self.versions).push((service, version.to_string()));
                self.versions.len() - 1
            }
        }
    }

    /// Applies the scenario's changes made at or before `time` (Unix seconds).
    pub fn advance_to(&mut self, scenario: &Scenario, time: i64) {
        while let Some(change) = scenario.changes.get(self.applied) {
            let at = scenario.start_time + change.at_minute * 60;
            if at > time {
                break;
            }
            self.applied += 1;
            let Some(s) = scenario.service_index(&change.service) else {
                continue;
            };
            match change.kind {
                ChangeKind::Deploy => {
                    self.deploy_revision[s] += 1;
                    if !change.version.is_empty() {
                        let v = self.version_index(s, &change.version);
                        if let Some(old) = self.running[s] {
                            self.previous[s].push(old);
                        }
                        self.running[s] = Some(v);
                    }
                }
                ChangeKind::Config => self.config_revision[s] += 1,
                ChangeKind::Flag => {
                    if let Some(flag) = self
                        .flags
                        .iter_mut()
                        .find(|(fs, f, _)| *fs == s && *f == change.flag)
                    {
                        flag.2 = change.enabled;
                    }
                }
                ChangeKind::Infra => {}
            }
            Arc::make_mut(&mut self.events).push(ChangeEvent {
                time: at,
                service: change.service.clone(),
                kind: change.kind,
                author: change.author.clone(),
                description: change.description.clone(),
                version: change.version.clone(),
                flag: change.flag.clone(),
                enabled: (change.kind == ChangeKind::Flag).then_some(change.enabled),
            });
        }
    }

    /// Takes `other`'s revisions, running versions, flag states and events
    /// (a state of the same scenario): what the monitoring keeps every
    /// step, without copying names.
    pub fn copy_levels_from(&mut self, other: &ChangeState) {
        self.deploy_revision.clone_from(&other.deploy_revision);
        self.config_revision.clone_from(&other.config_revision);
        self.running.clone_from(&other.running);
        if self.flags.len() == other.flags.len() {
            for (mine, theirs) in self.flags.iter_mut().zip(&other.flags) {
                mine.2 = theirs.2;
            }
        } else {
            self.flags.clone_from(&other.flags);
        }
        if !Arc::ptr_eq(&self.versions, &other.versions) {
            self.versions = other.versions.clone();
        }
        self.events = other.events.clone();
        self.applied = other.applied;
    }

    /// The version `service` runs, if the timeline names it.
    pub fn version_of(&self, service: usize) -> Option<&str> {
        self.running
            .get(service)
            .copied()
            .flatten()
            .map(|v| self.versions[v].1.as_str())
    }

    /// The responder rolls `service` back at `time`: a new revision,
    /// running the version before the current one (if known). Returns the
    /// version it now runs.
    pub fn rollback(&mut self, scenario: &Scenario, service: usize, time: i64) -> Option<String> {
        self.deploy_revision[service] += 1;
        if let Some(previous) = self.previous[service].pop() {
            self.running[service] = Some(previous);
        }
        let version = self.version_of(service).map(str::to_string);
        Arc::make_mut(&mut self.events).push(ChangeEvent {
            time,
            service: scenario.services[service].name.clone(),
            kind: ChangeKind::Deploy,
            author: RESPONDER.into(),
            description: match &version {
                Some(v) => format!("rollback to {v}"),
                None => "rollback to the previous release".into(),
            },
            version: version.clone().unwrap_or_default(),
            flag: String::new(),
            enabled: None,
        });
        version
    }

    /// The responder pushes a configuration change to `service` at `time`.
    pub fn config_change(&mut self, scenario: &Scenario, service: usize, time: i64) {
        self.config_revision[service] += 1;
        Arc::make_mut(&mut self.events).push(ChangeEvent {
            time,
            service: scenario.services[service].name.clone(),
            kind: ChangeKind::Config,
            author: RESPONDER.into(),
            description: "configuration change during the incident".into(),
            version: String::new(),
            flag: String::new(),
            enabled: None,
        });
    }

    /// The responder turns off the flags of `service` at `time`; returns
    /// the names of those that were on.
    pub fn disable_flags(&mut self, scenario: &Scenario, service: usize, time: i64) -> Vec<String> {
        let mut turned_off = Vec::new();
        for (s, flag, enabled) in &mut self.flags {
            if *s == service && *enabled {
                *enabled = false;
                turned_off.push(flag.clone());
            }
        }
        for flag in &turned_off {
            Arc::make_mut(&mut self.events).push(ChangeEvent {
                time,
                service: scenario.services[service].name.clone(),
                kind: ChangeKind::Flag,
                author: RESPONDER.into(),
                description: format!("feature flag {flag} turned off"),
                version: String::new(),
                flag: flag.clone(),
                enabled: Some(false),
            });
        }
        turned_off
    }
}
