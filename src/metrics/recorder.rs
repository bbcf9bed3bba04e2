//! The per-step recorder: a ring buffer (capacity 512) of snapshots of the
//! episode — per-service latency and error rate, wrong fixes,
//! miscommunications, MTTR, cumulative reward, the running action histogram
//! and the firing alerts — with accessors for chart series and a CSV export.

use crate::scenario::PerActionType;
use serde::Serialize;
use std::collections::VecDeque;
use std::fmt::Write;
use std::sync::Arc;

/// How many snapshots the recorder keeps.
pub const RECORDER_CAPACITY: usize = 512;

/// The state of the episode at one step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    /// Incident step (negative during the baseline history before the incident).
    pub step: i64,
    /// Simulated Unix time, seconds.
    pub time: i64,
    /// p99 latency per service, seconds (scenario service order).
    pub latency_p99_seconds: Vec<f64>,
    /// Error ratio per service.
    pub error_ratio: Vec<f64>,
    /// Wrong remediations so far.
    pub wrong_fixes: u32,
    /// Poor status updates so far.
    pub miscommunications: u32,
    /// Steps the incident has been unresolved, or −1 once resolved.
    pub mttr_steps: i64,
    /// Sum of rewards so far.
    pub cumulative_reward: f64,
    /// Actions played so far per type (investigate … communicate).
    pub action_histogram: PerActionType<u32>,
    /// Names of the alerts firing.
    pub firing_alerts: Vec<String>,
}

/// Ring buffer of snapshots: a frozen block shared by clones (the baseline
/// history every episode of a scenario starts with, [`Recorder::freeze`]),
/// then the snapshots recorded since.
#[derive(Clone, Debug)]
pub struct Recorder {
    services: Arc<[String]>,
    frozen: Arc<[Snapshot]>,
    /// Snapshots of `frozen` dropped (the oldest) to stay within capacity.
    frozen_skip: usize,
    snapshots: VecDeque<Snapshot>,
}

impl Recorder {
    /// An empty recorder for these services.
    pub fn new(services: Vec<String>) -> Recorder {
        Recorder {
            services: services.into(),
            frozen: Arc::from(Vec::new()),
            frozen_skip: 0,
            snapshots: VecDeque::new(),
        }
    }

    /// Adds a snapshot, dropping the oldest when full.
    pub fn record(&mut self, snapshot: Snapshot) {
        if self.len() == RECORDER_CAPACITY {
            if self.frozen_skip < self.frozen.len() {
                self.frozen_skip += 1;
            } else {
                self.snapshots.pop_front();
            }
        }
        self.snapshots.push_back(snapshot);
    }

    /// Makes the snapshots so far a block shared by the clones made after
    /// this call.
    pub fn freeze(&mut self) {
        let all: Vec<Snapshot> = self.snapshots().cloned().collect();
        self.frozen = all.into();
        self.frozen_skip = 0;
        self.snapshots.clear();
    }

    /// Reserves room for `additional` more snapshots.
    pub fn reserve(&mut self, additional: usize) {
        self.snapshots.reserve(additional);
    }

    /// The service names, in column order.
    pub fn services(&self) -> &[String] {
        &self.services
    }

    /// The snapshots, oldest first.
    pub fn snapshots(&self) -> impl Iterator<Item = &Snapshot> {
        self.frozen
            .get(self.frozen_skip..)
            .unwrap_or(&[])
            .iter()
            .chain(self.snapshots.iter())
    }

    /// Number of snapshots held.
    pub fn len(&self) -> usize {
        self.frozen.len() - self.frozen_skip + self.snapshots.len()
    }

    /// Whether no snapshot is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The newest snapshot.
    pub fn latest(&self) -> Option<&Snapshot> {
        self.snapshots
            .back()
            .or_else(|| self.frozen.get(self.frozen_skip..).and_then(|f| f.last()))
    }

    /// (step, p99 latency) of one service, for a chart.
    pub fn latency_series(&self, service: usize) -> Vec<(i64, f64)> {
        self.snapshots()
            .filter_map(|s| s.latency_p99_seconds.get(service).map(|v| (s.step, *v)))
            .collect()
    }

    /// (step, error ratio) of one service, for a chart.
    pub fn error_series(&self, service: usize) -> Vec<(i64, f64)> {
        self.snapshots()
            .filter_map(|s| s.error_ratio.get(service).map(|v| (s.step, *v)))
            .collect()
    }

    /// The snapshots as CSV with a header row: one latency and one error
    /// column per service, then the episode counters.
    pub fn csv(&self) -> String {
        let mut out = String::from("step,time");
        for s in self.services.iter() {
            let _ = write!(out, ",{s}_latency_p99_seconds");
        }
        for s in self.services.iter() {
            let _ = write!(out, ",{s}_error_ratio");
        }
        out.push_str(",wrong_fixes,miscommunications,mttr_steps,cumulative_reward,investigate,classify,diagnose,remediate,escalate,communicate,firing_alerts\n");
        for snap in self.snapshots() {
            let _ = write!(out, "{},{}", snap.step, snap.time);
            for v in snap.latency_p99_seconds.iter().chain(&snap.error_ratio) {
                let _ = write!(out, ",{v}");
            }
            let _ = write!(
                out,
                ",{},{},{},{}",
                snap.wrong_fixes, snap.miscommunications, snap.mttr_steps, snap.cumulative_reward
            );
            for n in snap.action_histogram.values() {
                let _ = write!(out, ",{n}");
            }
            let _ = writeln!(out, ",{}", snap.firing_alerts.join(" "));
        }
        out
    }
}
