//! The monitoring of one episode: it turns the simulation's signals into
//! metric samples every step (after a baseline history before the incident),
//! keeps them in the series store for PromQL, spends the SLO budgets and
//! records a snapshot for the charts.
//!
//! A step has two halves, because the alert rules are PromQL over the
//! step's own samples: [`Monitor::scrape`] stores the samples of the
//! signals and of the SLOs' recording rules, the alert rules are evaluated
//! over the store at that time, and [`Monitor::record`] stores `ALERTS`
//! and `ALERTS_FOR_STATE` from their states and completes the step. As in
//! Prometheus, a series the rules wrote at the previous evaluation and not
//! at this one (a resolved alert, a pending one that fires) gets a
//! staleness marker.

use super::families::{
    family_bit, write_sample, FamilyKind, FleetSample, MetricSet, RuleSeries, SeriesDef, SloFigure,
    FAMILIES, LATENCY_BUCKETS,
};
use super::recorder::{Recorder, Snapshot};
use super::slo::SloBook;
use super::traces::Exemplars;
use crate::rng::Rng;
use crate::scenario::{PerActionType, PerSignal, Scenario, Signal};
use crate::series::{format_value, stale_nan, Labels, SeriesId, Store};
use crate::sim::{baseline_seed, baseline_signals, ChangeState, Simulation};
use std::fmt::Write;
use std::sync::Arc;

/// Steps of healthy history recorded before the incident starts (60 minutes at 30 s).
pub const HISTORY_STEPS: u32 = 120;
/// Samples each series keeps.
pub const SAMPLES_PER_SERIES: usize = 512;

/// What the episode adds to a snapshot besides the signals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EpisodeCounters {
    /// Wrong remediations so far.
    pub wrong_fixes: u32,
    /// Poor status updates so far.
    pub miscommunications: u32,
    /// Whether the incident is resolved.
    pub resolved: bool,
    /// Sum of rewards.
    pub cumulative_reward: f64,
    /// Actions per type.
    pub action_histogram: PerActionType<u32>,
    /// Names of the firing alerts.
    pub firing_alerts: Vec<String>,
}

/// The state of one alert rule after an evaluation, for `ALERTS` and
/// `ALERTS_FOR_STATE`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AlertSample {
    /// Whether it fires (otherwise it is pending while active).
    pub firing: bool,
    /// When its condition started to hold (Unix seconds), while it does.
    pub active_since: Option<i64>,
}

/// Metrics, store, SLOs and recorder of one episode.
#[derive(Clone, Debug)]
pub struct Monitor {
    metrics: MetricSet,
    store: Store,
    /// The store's series of each metric series (in [`MetricSet::series`] order).
    ids: Arc<[SeriesId]>,
    slos: SloBook,
    recorder: Recorder,
    step_seconds: u32,
    incident_start: i64,
    first_time: i64,
    last_time: i64,
    signals: Vec<PerSignal<f64>>,
    instances: Vec<Vec<PerSignal<f64>>>,
    business: Vec<f64>,
    restarts: Vec<u32>,
    changes: ChangeState,
    missing: Vec<u64>,
    /// Per alert series (after the columns): whether the last evaluation
    /// wrote a sample (a series that stops gets a staleness marker).
    present: Vec<bool>,
}

/// The monitoring of a scenario up to the incident start: the baseline
/// history (metrics, series store, SLOs, recorder), which depends only on
/// the scenario. Computed once and shared by every episode of the scenario
/// ([`Monitor::start`]): the store's and recorder's history are frozen
/// blocks that the episodes' copies share.
#[derive(Clone, Debug)]
pub struct Baseline {
    monitor: Monitor,
    healthy: Vec<PerSignal<f64>>,
}

impl Baseline {
    /// Records [`HISTORY_STEPS`] steps of healthy history of `scenario`
    /// (its [`baseline_signals`] with seeded noise of ±3%), up to the
    /// incident start.
    pub fn new(scenario: &Scenario) -> Baseline {
        let seed = baseline_seed(scenario);
        let healthy = baseline_signals(scenario);
        let metrics = MetricSet::new(scenario, seed);
        let labels: Vec<Labels> = metrics
            .series()
            .iter()
            .map(|s| {
                let mut pairs: Vec<(String, String)> =
                    vec![("__name__".to_string(), s.metric.clone())];
                pairs.extend(s.labels.iter().cloned());
                Labels::new(pairs)
            })
            .collect();
        // The signals' and the SLOs' series are columns (a sample at every
        // step); the alerts' series, present only while active, are rings.
        let columns = metrics.column_count();
        let (mut store, mut ids) = Store::with_columns(
            SAMPLES_PER_SERIES,
            labels.iter().take(columns).cloned().collect(),
        );
        ids.extend(labels.into_iter().skip(columns).map(|l| store.series_id(l)));
        store.reserve_rows(HISTORY_STEPS as usize);
        let services = scenario.services.len();
        let mut monitor = Monitor {
            slos: SloBook::new(scenario, seed),
            recorder: Recorder::new(scenario.services.iter().map(|s| s.name.clone()).collect()),
            step_seconds: scenario.step_seconds,
            incident_start: scenario.start_time,
            first_time: scenario.start_time - HISTORY_STEPS as i64 * scenario.step_seconds as i64,
            last_time: scenario.start_time,
            signals: vec![PerSignal::splat(0.0); services],
            instances: scenario
                .services
                .iter()
                .map(|s| vec![PerSignal::splat(0.0); s.instances.len()])
                .collect(),
            business: scenario.business.iter().map(|b| b.baseline).collect(),
            restarts: vec![0; services],
            changes: ChangeState::new(scenario),
            missing: vec![0; services],
            present: vec![false; metrics.series().len() - metrics.column_count()],
            metrics,
            store,
            ids: ids.into(),
        };
        monitor.slos.resolve(&monitor.store);
        let mut noise = Rng::derive(seed, "history");
        let quiet = vec![AlertSample::default(); scenario.alerts.len()];
        let prehistory = Simulation::prehistory(scenario, healthy.clone());
        let began = prehistory.services.len();
        for h in (1..=HISTORY_STEPS).rev() {
            // The incident's own course in its last `began` steps, healthy before.
            let row = (h as usize <= began).then(|| began - h as usize);
            let source = row.map_or(&healthy, |r| &prehistory.services[r]);
            for (signals, base) in monitor.signals.iter_mut().zip(source) {
                for signal in Signal::ALL {
                    let base = base[signal];
                    signals[signal] = if signal == Signal::Up {
                        base
                    } else {
                        base * (1.0 + 0.03 * noise.signed_unit())
                    };
                }
            }
            for (s, pods) in monitor.instances.iter_mut().enumerate() {
                for (k, pod) in pods.iter_mut().enumerate() {
                    let base = row.map_or(&healthy[s], |r| &prehistory.instances[r][s][k]);
                    for signal in Signal::ALL {
                        pod[signal] = if signal == Signal::Up {
                            base[signal]
                        } else {
                            base[signal] * (1.0 + 0.03 * noise.signed_unit())
                        };
                    }
                }
            }
            for (b, value) in monitor.business.iter_mut().enumerate() {
                let base = row.map_or(scenario.business[b].baseline, |r| prehistory.business[r][b]);
                *value = base * (1.0 + 0.03 * noise.signed_unit());
            }
            if let Some(r) = row {
                monitor.restarts.clone_from(&prehistory.restarts[r]);
            }
            let time = scenario.start_time - h as i64 * scenario.step_seconds as i64;
            monitor.changes.advance_to(scenario, time);
            monitor.sample_signals(time);
            monitor.complete(time, -(h as i64), &quiet, EpisodeCounters::default());
        }
        monitor.slos.mark_incident_start();
        monitor.store.freeze();
        monitor.recorder.freeze();
        Baseline { monitor, healthy }
    }

    /// Each service's healthy signals (what the simulation starts from).
    pub fn healthy_signals(&self) -> &[PerSignal<f64>] {
        &self.healthy
    }

    /// The monitoring as it stands at the incident start.
    pub fn monitor(&self) -> &Monitor {
        &self.monitor
    }
}

impl Monitor {
    /// Monitoring for a new episode, from the scenario's baseline history
    /// (shared, not copied), with room for `steps` incident steps. Call
    /// [`Monitor::scrape`] and [`Monitor::record`] for step 0 next.
    pub fn start(baseline: &Baseline, steps: u32) -> Monitor {
        let mut monitor = baseline.monitor.clone();
        let rows = steps as usize + 1;
        monitor.store.reserve_rows(rows);
        monitor.recorder.reserve(rows);
        monitor
    }

    /// Appends a sample of each alert series that has a value (NaN is
    /// none) at `time_ms`, and a staleness marker to each that had one at
    /// the last evaluation and has none now.
    fn append_alert_series(&mut self, time_ms: i64) {
        let columns = self.metrics.column_count();
        let values = &self.metrics.values()[columns..];
        for ((id, value), present) in self.ids[columns..]
            .iter()
            .zip(values)
            .zip(&mut self.present)
        {
            if !value.is_nan() {
                self.store.append(*id, time_ms, *value);
                *present = true;
            } else if *present {
                self.store.append(*id, time_ms, stale_nan());
                *present = false;
            }
        }
    }

    /// The first half of a step: the signals' samples at `time`, the SLO
    /// budgets spent and the SLOs' recording rules evaluated over them.
    fn sample_signals(&mut self, time: i64) {
        let fleet = FleetSample {
            signals: &self.signals,
            instances: &self.instances,
            business: &self.business,
            restarts: &self.restarts,
            changes: &self.changes,
            missing: &self.missing,
        };
        self.metrics.observe(&fleet, self.step_seconds as f64);
        let time_ms = time.saturating_mul(1000);
        // The SLOs' columns are filled in once the row is there.
        self.store.append_row(time_ms, self.metrics.column_values());
        self.slos.observe_shaped(
            &self.signals,
            self.metrics.latency_shapes(),
            self.step_seconds as f64,
        );
        self.slos.record_windows(&self.store, time_ms);
        let slos = &self.slos;
        self.metrics.set_rule_values(|series| match series {
            RuleSeries::Slo { slo, figure } => {
                let spec = slos.specs().get(slo);
                let value = match figure {
                    SloFigure::Sli(window) => slos.window_ratio(slo, window),
                    SloFigure::Objective => spec.map(|s| s.objective),
                    SloFigure::ErrorBudget => spec.map(|s| s.error_budget()),
                    SloFigure::Remaining => slos.slos().get(slo).map(|s| s.budget_remaining_ratio),
                };
                Some(value.unwrap_or_else(stale_nan))
            }
            _ => None,
        });
        let (first, end) = (
            self.metrics.signal_series_count(),
            self.metrics.column_count(),
        );
        self.store
            .update_last_row(first, &self.metrics.values()[first..end]);
    }

    /// The second half of a step: `ALERTS`, `ALERTS_FOR_STATE` and the snapshot.
    fn complete(
        &mut self,
        time: i64,
        step: i64,
        alerts: &[AlertSample],
        counters: EpisodeCounters,
    ) {
        self.metrics.set_rule_values(|series| {
            let state = |rule: usize| alerts.get(rule).copied().unwrap_or_default();
            let value = match series {
                RuleSeries::Slo { .. } => return None,
                RuleSeries::Firing { rule } => state(rule).firing.then_some(1.0),
                RuleSeries::Pending { rule } => {
                    let a = state(rule);
                    (a.active_since.is_some() && !a.firing).then_some(1.0)
                }
                RuleSeries::ForState { rule } => state(rule).active_since.map(|t| t as f64),
            };
            Some(value.unwrap_or(f64::NAN))
        });
        self.append_alert_series(time.saturating_mul(1000));
        // What the dashboards see: nothing of a service whose data is missing.
        let latency_missing = family_bit("latency_p99_seconds");
        let errors_missing = family_bit("error_ratio");
        let seen = |s: usize, bit: u64, value: f64| {
            if self.missing.get(s).is_some_and(|m| m & bit != 0) {
                f64::NAN
            } else {
                value
            }
        };
        self.recorder.record(Snapshot {
            step,
            time,
            latency_p99_seconds: self
                .signals
                .iter()
                .enumerate()
                .map(|(i, s)| seen(i, latency_missing, s[Signal::LatencyP99Seconds]))
                .collect(),
            error_ratio: self
                .signals
                .iter()
                .enumerate()
                .map(|(i, s)| seen(i, errors_missing, s[Signal::ErrorRatio]))
                .collect(),
            wrong_fixes: counters.wrong_fixes,
            miscommunications: counters.miscommunications,
            mttr_steps: if counters.resolved { -1 } else { step.max(0) },
            cumulative_reward: counters.cumulative_reward,
            action_histogram: counters.action_histogram,
            firing_alerts: counters.firing_alerts,
        });
        self.last_time = time;
    }

    /// Simulated Unix seconds of incident step `step`.
    pub fn time_of(&self, step: u32) -> i64 {
        self.incident_start + step as i64 * self.step_seconds as i64
    }

    /// The first half of incident step `step`: stores the samples of the
    /// simulation's current signals and of the SLOs' recording rules
    /// (every series but the alerts'). Returns
    /// their time in milliseconds, when the alert rules are to be evaluated.
    /// [`Monitor::record`] completes the step.
    pub fn scrape(
        &mut self,
        sim: &Simulation,
        changes: &ChangeState,
        missing: &[u64],
        step: u32,
    ) -> i64 {
        for (service, signals) in self.signals.iter_mut().enumerate() {
            *signals = sim.values(service);
        }
        self.instances.clone_from_slice(sim.instance_values());
        self.business.clear();
        self.business.extend(sim.business_values());
        self.restarts.clone_from_slice(sim.restarts());
        self.changes.copy_levels_from(changes);
        self.missing.clear();
        self.missing.extend_from_slice(missing);
        let time = self.time_of(step);
        self.sample_signals(time);
        time.saturating_mul(1000)
    }

    /// The second half of incident step `step`, after [`Monitor::scrape`]:
    /// stores `ALERTS` and `ALERTS_FOR_STATE` from each rule's state and
    /// records the snapshot.
    pub fn record(&mut self, step: u32, alerts: &[AlertSample], counters: EpisodeCounters) {
        let time = self.time_of(step);
        self.complete(time, step as i64, alerts, counters);
    }

    /// The series store, for PromQL.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The metric series and their current values.
    pub fn metrics(&self) -> &MetricSet {
        &self.metrics
    }

    /// The SLOs as they stand.
    pub fn slos(&self) -> &SloBook {
        &self.slos
    }

    /// The per-step snapshots.
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// Simulated Unix seconds of the first sample (start of the baseline history).
    pub fn first_time(&self) -> i64 {
        self.first_time
    }

    /// Simulated Unix seconds of the newest sample.
    pub fn last_time(&self) -> i64 {
        self.last_time
    }

    /// Simulated seconds between samples.
    pub fn step_seconds(&self) -> u32 {
        self.step_seconds
    }

    /// Simulated Unix seconds at which the incident started.
    pub fn incident_start(&self) -> i64 {
        self.incident_start
    }

    /// The current state in the Prometheus text exposition format 0.0.4.
    pub fn exposition(&self) -> String {
        self.metrics.exposition()
    }

    /// The whole episode (baseline history included) as OpenMetrics text with
    /// timestamps in seconds, families grouped, each series in time order,
    /// ending in `# EOF`. Loadable with `promtool tsdb create-blocks-from openmetrics`.
    pub fn openmetrics(&self) -> String {
        self.openmetrics_with(&Exemplars::default())
    }

    /// [`Monitor::openmetrics`] with `exemplars` on the latency histogram's
    /// bucket samples: `# {trace_id="…"} value timestamp` after a sample
    /// when a span of the service at that scrape falls in the bucket (above
    /// the previous bound, at most `le`).
    pub fn openmetrics_with(&self, exemplars: &Exemplars) -> String {
        let mut out = String::with_capacity(self.ids.len() * 64 * 160);
        let mut current_family = usize::MAX;
        for (def, id) in self.metrics.series().iter().zip(self.ids.iter()) {
            if def.family != current_family {
                current_family = def.family;
                let family = &FAMILIES[def.family];
                let name = match family.kind {
                    FamilyKind::Counter => family.name.trim_end_matches("_total"),
                    _ => family.name,
                };
                let _ = writeln!(out, "# TYPE {name} {}", family.kind.name());
                if !family.unit.is_empty() {
                    let _ = writeln!(out, "# UNIT {name} {}", family.unit);
                }
                let _ = writeln!(out, "# HELP {name} {}", family.help);
            }
            let Some(series) = self.store.get(*id) else {
                continue;
            };
            let bucket = bucket_bounds(def).filter(|_| !exemplars.is_empty());
            let incident_ms = self.incident_start.saturating_mul(1000);
            for (t, v) in series.samples() {
                write_sample(&mut out, &def.metric, &def.labels, v);
                let _ = write!(out, " {}", format_value(t as f64 / 1000.0));
                if let Some((above, up_to)) = bucket.filter(|_| t >= incident_ms) {
                    if let Some(e) = exemplars.find(def.service, t, above, up_to) {
                        let _ = write!(
                            out,
                            " # {{trace_id=\"{}\"}} {} {}",
                            e.trace_id,
                            format_value(e.value),
                            format_value((e.time * 1000.0).round() / 1000.0)
                        );
                    }
                }
                out.push('\n');
            }
        }
        out.push_str("# EOF\n");
        out
    }
}

/// The bounds (above, at most) of a latency histogram bucket series.
fn bucket_bounds(def: &SeriesDef) -> Option<(f64, f64)> {
    if def.metric != "http_request_duration_seconds_bucket" {
        return None;
    }
    let le = &def.labels.iter().find(|(k, _)| k == "le")?.1;
    if le == "+Inf" {
        return LATENCY_BUCKETS.last().map(|&last| (last, f64::INFINITY));
    }
    let up_to: f64 = le.parse().ok()?;
    let above = LATENCY_BUCKETS
        .iter()
        .copied()
        .filter(|&b| b < up_to)
        .fold(0.0, f64::max);
    Some((above, up_to))
}
