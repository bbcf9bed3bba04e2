//! The incident simulation: per-service signals that drift along the
//! dependency graph from the fault's onset, red herrings that drift for
//! unrelated reasons, recovery after the right fix and damage from wrong
//! ones, seeded noise, and the log lines services write.
//!
//! Only `+ - * /` on floats, so the native and wasm builds agree bit for bit.

mod changes;
pub use changes::{ChangeEvent, ChangeState, RESPONDER};

use crate::rng::Rng;
use crate::scenario::{Drift, LogLevel, LogWhen, PerSignal, Scenario, ServiceKind, Shape, Signal};
use serde::Serialize;

/// One drift after seeded variation, with the service resolved to an index.
#[derive(Clone, Debug)]
struct ActiveDrift {
    service: usize,
    signal: Signal,
    /// The change per step from the first step on (varied by the seed).
    delta: f64,
    /// The file's change per step, used before the first step (the history
    /// every episode of the scenario shares).
    nominal_delta: f64,
    cap: f64,
    onset: u32,
    shape: Shape,
    /// The instances it hits; empty: the whole service.
    instances: Vec<usize>,
    fault: usize,
}

/// A service's health, derived from its signals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// At or near baseline.
    Healthy,
    /// Noticeably worse than baseline.
    Degraded,
    /// Failing.
    Critical,
}

impl Health {
    /// `healthy`, `degraded` or `critical`.
    pub fn name(self) -> &'static str {
        match self {
            Health::Healthy => "healthy",
            Health::Degraded => "degraded",
            Health::Critical => "critical",
        }
    }
}

/// Recovery in progress after a right fix.
#[derive(Clone, Debug)]
struct Recovery {
    remaining_steps: u32,
    /// Whether the fix resolved the fault (the symptoms stay gone) or only
    /// mitigated it (they come back once the recovery is over).
    lasting: bool,
}

/// The course of one fault: what it has done to each service (and each
/// instance), and its recovery.
#[derive(Clone, Debug)]
struct FaultState {
    offset: Vec<PerSignal<f64>>,
    /// Per service, per instance (empty for services without instances).
    instance_offset: Vec<Vec<PerSignal<f64>>>,
    recovery: Option<Recovery>,
    resolved_at: Option<u32>,
}

impl FaultState {
    /// Keeps `keep` of what the fault has done to the signals.
    fn fade(&mut self, keep: f64) {
        for offsets in self
            .offset
            .iter_mut()
            .chain(self.instance_offset.iter_mut().flatten())
        {
            for (_, v) in offsets.iter_mut() {
                *v *= keep;
            }
        }
    }
}

/// The state of the simulated fleet.
#[derive(Clone, Debug)]
pub struct Simulation {
    step: u32,
    /// Steps the incident had been going on at step 0.
    began: u32,
    /// Steps of the incident played before step 0 so far (up to `began`).
    pre_done: u32,
    baseline: Vec<PerSignal<f64>>,
    faults: Vec<FaultState>,
    herring_offset: Vec<PerSignal<f64>>,
    herring_instance_offset: Vec<Vec<PerSignal<f64>>>,
    noise: Vec<PerSignal<f64>>,
    instance_noise: Vec<Vec<PerSignal<f64>>>,
    symptoms: Vec<ActiveDrift>,
    herrings: Vec<ActiveDrift>,
    /// How many mitigations have worn off.
    relapses: u32,
    /// Restarts of each service (a saw-tooth's kills, restarts applied).
    restarts: Vec<u32>,
    /// Whether each service was killed at this step (its `up` dips).
    killed: Vec<bool>,
    /// Whether each pod of each service was killed at this step.
    killed_pods: Vec<Vec<bool>>,
    business: Vec<BusinessState>,
    noise_rng: Rng,
    /// Every signal's current value (baseline + offsets, times noise,
    /// clamped), recomputed whenever the state changes.
    current: Vec<PerSignal<f64>>,
    /// Each instance's current values, per service (empty without instances).
    instance_current: Vec<Vec<PerSignal<f64>>>,
}

/// A business signal's state.
#[derive(Clone, Debug)]
struct BusinessState {
    baseline: f64,
    follows: usize,
    sensitivity: f64,
    delta: f64,
    /// Where its own change stops, as an offset of the factor (cap − 1).
    floor: f64,
    onset: u32,
    fault: usize,
    /// Its own change so far, as a fraction of the baseline.
    own: f64,
    noise: f64,
    current: f64,
}

fn jittered(rng: &mut Rng, value: f64, jitter: f64) -> f64 {
    value * (1.0 + jitter * rng.signed_unit())
}

/// Moves `current` by `delta` towards `cap`, never past it, and never
/// backwards if it already is beyond it.
fn drift_towards(current: f64, delta: f64, cap: f64) -> f64 {
    if delta > 0.0 {
        if current >= cap {
            current
        } else {
            (current + delta).min(cap)
        }
    } else if current <= cap {
        current
    } else {
        (current + delta).max(cap)
    }
}

/// Whether `value` has reached `cap` coming from the side `delta` moves from.
fn at_cap(value: f64, delta: f64, cap: f64) -> bool {
    if delta > 0.0 {
        value >= cap
    } else {
        value <= cap
    }
}

/// The seed of everything before the incident (the baseline history, the
/// healthy values): it depends only on the scenario (FNV-1a of its id), so
/// that every episode of a scenario shares one baseline history; the
/// episode's seed varies the incident itself.
pub fn baseline_seed(scenario: &Scenario) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in scenario.id.bytes() {
        hash ^= b as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
    }
    hash
}

/// Each service's healthy signals, the scenario's baseline varied by its
/// `baseline_jitter` (seeded by [`baseline_seed`]), in [`Signal::ALL`] order.
pub fn baseline_signals(scenario: &Scenario) -> Vec<PerSignal<f64>> {
    let mut variation = Rng::derive(baseline_seed(scenario), "variation");
    scenario
        .services
        .iter()
        .map(|service| {
            let mut values = service.baseline;
            for signal in Signal::ALL {
                if signal != Signal::Up {
                    let v = jittered(
                        &mut variation,
                        values[signal],
                        scenario.variation.baseline_jitter,
                    );
                    values[signal] = v.clamp(0.0, signal.max_value());
                }
            }
            values
        })
        .collect()
}

/// The values of the fleet before the first step, one row per step from
/// the incident's beginning (`began_minutes_ago`) to step −1: what every
/// episode's history shows of an incident that began before the response.
#[derive(Clone, Debug, Default)]
pub struct Prehistory {
    /// Per step, each service's signals.
    pub services: Vec<Vec<PerSignal<f64>>>,
    /// Per step, each service's instances' signals.
    pub instances: Vec<Vec<Vec<PerSignal<f64>>>>,
    /// Per step, each business signal.
    pub business: Vec<Vec<f64>>,
    /// Per step, each service's restarts so far.
    pub restarts: Vec<Vec<u32>>,
}

impl Simulation {
    /// The fleet of `scenario` at the response's start (step 0): healthy
    /// values from [`baseline_signals`], the incident's drifts and noise
    /// varied by `seed`.
    pub fn new(scenario: &Scenario, seed: u64) -> Simulation {
        Simulation::with_baseline(scenario, seed, baseline_signals(scenario))
    }

    /// [`Simulation::new`] with the healthy values already computed.
    pub fn with_baseline(
        scenario: &Scenario,
        seed: u64,
        baseline: Vec<PerSignal<f64>>,
    ) -> Simulation {
        let mut sim = Simulation::before_start(scenario, seed, baseline);
        for _ in 0..sim.began {
            sim.pre_step();
        }
        sim.clear_kills();
        sim.apply_drifts(false);
        sim.apply_herrings(false);
        sim.draw_noise();
        sim.refresh();
        sim
    }

    /// The values the history shows of the steps before step 0 (empty when
    /// the incident began at step 0). Noise-free: the history adds its own.
    pub fn prehistory(scenario: &Scenario, baseline: Vec<PerSignal<f64>>) -> Prehistory {
        let mut sim = Simulation::before_start(scenario, baseline_seed(scenario), baseline);
        let mut out = Prehistory::default();
        for _ in 0..sim.began {
            sim.pre_step();
            sim.refresh();
            out.services.push(sim.current.clone());
            out.instances.push(sim.instance_current.clone());
            out.business
                .push(sim.business.iter().map(|b| b.current).collect());
            out.restarts.push(sim.restarts.clone());
        }
        out
    }

    /// The fleet at the incident's beginning, no drift applied yet, no noise.
    fn before_start(scenario: &Scenario, seed: u64, baseline: Vec<PerSignal<f64>>) -> Simulation {
        let mut variation = Rng::derive(seed, "variation");
        let resolve = |drift: &Drift, variation: &mut Rng| ActiveDrift {
            service: scenario.service_index(&drift.service).unwrap_or(0),
            signal: drift.metric,
            delta: jittered(variation, drift.delta, scenario.variation.delta_jitter),
            nominal_delta: drift.delta,
            cap: drift.cap,
            onset: drift.onset,
            shape: drift.shape,
            instances: drift.instances.clone(),
            fault: drift.fault,
        };
        let symptoms = scenario
            .symptoms
            .iter()
            .map(|d| resolve(d, &mut variation))
            .collect();
        let herrings = scenario
            .red_herrings
            .iter()
            .map(|h| resolve(&h.drift, &mut variation))
            .collect();
        let n = scenario.services.len();
        let per_instance = |v: f64| -> Vec<Vec<PerSignal<f64>>> {
            scenario
                .services
                .iter()
                .map(|s| vec![PerSignal::splat(v); s.instances.len()])
                .collect()
        };
        let fault_count = scenario.faults().count();
        let business = scenario
            .business
            .iter()
            .map(|b| BusinessState {
                baseline: b.baseline,
                follows: scenario.service_index(&b.follows).unwrap_or(0),
                sensitivity: b.sensitivity,
                delta: b.delta,
                floor: b.cap - 1.0,
                onset: b.onset,
                fault: b.fault,
                own: 0.0,
                noise: 1.0,
                current: b.baseline,
            })
            .collect();
        Simulation {
            step: 0,
            began: scenario.began_steps_ago,
            pre_done: 0,
            faults: (0..fault_count)
                .map(|_| FaultState {
                    offset: vec![PerSignal::splat(0.0); n],
                    instance_offset: per_instance(0.0),
                    recovery: None,
                    resolved_at: None,
                })
                .collect(),
            herring_offset: vec![PerSignal::splat(0.0); n],
            herring_instance_offset: per_instance(0.0),
            noise: vec![PerSignal::splat(1.0); n],
            instance_noise: per_instance(1.0),
            instance_current: baseline
                .iter()
                .zip(&scenario.services)
                .map(|(b, s)| vec![*b; s.instances.len()])
                .collect(),
            current: baseline.clone(),
            baseline,
            symptoms,
            herrings,
            relapses: 0,
            restarts: vec![0; n],
            killed: vec![false; n],
            killed_pods: scenario
                .services
                .iter()
                .map(|s| vec![false; s.instances.len()])
                .collect(),
            business,
            noise_rng: Rng::derive(seed, "noise"),
        }
    }

    /// One step of the incident before the response started (nominal drifts).
    fn pre_step(&mut self) {
        self.clear_kills();
        self.apply_drifts(true);
        self.apply_herrings(true);
        self.pre_done += 1;
    }

    /// A kill shows for the step it happens at only.
    fn clear_kills(&mut self) {
        self.killed.iter_mut().for_each(|k| *k = false);
        self.killed_pods
            .iter_mut()
            .flatten()
            .for_each(|k| *k = false);
    }

    /// Steps since the incident began (its own clock, which drifts' onsets count).
    fn incident_step(&self) -> u32 {
        if self.pre_done < self.began {
            self.pre_done
        } else {
            self.step + self.began
        }
    }

    /// Recomputes every current value from the state.
    fn refresh(&mut self) {
        for (s, current) in self.current.iter_mut().enumerate() {
            let baseline = &self.baseline[s];
            let instances = self.instance_current[s].len();
            for signal in Signal::ALL {
                let mut raw = baseline[signal] + self.herring_offset[s][signal];
                for fault in &self.faults {
                    raw += fault.offset[s][signal];
                }
                if instances > 0 {
                    let mut spread = 0.0;
                    for k in 0..instances {
                        let mut own = self.herring_instance_offset[s][k][signal];
                        for fault in &self.faults {
                            own += fault.instance_offset[s][k][signal];
                        }
                        let value = (raw + own) * self.instance_noise[s][k][signal];
                        self.instance_current[s][k][signal] =
                            clamp_signal(signal, value, self.killed[s] || self.killed_pods[s][k]);
                        spread += own;
                    }
                    raw += spread / instances as f64;
                }
                current[signal] = clamp_signal(signal, raw * self.noise[s][signal], self.killed[s]);
            }
        }
        for b in &mut self.business {
            let follows = b.follows;
            let excess = (self.current[follows][Signal::ErrorRatio]
                - self.baseline[follows][Signal::ErrorRatio])
                .max(0.0);
            let factor = (1.0 - b.sensitivity * excess).max(0.0) * (1.0 + b.own).max(0.0);
            b.current = b.baseline * factor * b.noise;
        }
    }

    /// Steps since the response started.
    pub fn step(&self) -> u32 {
        self.step
    }

    /// Advances the fleet by one step.
    pub fn advance(&mut self) {
        self.step += 1;
        self.clear_kills();
        let mut drifting = Vec::with_capacity(self.faults.len());
        for (f, fault) in self.faults.iter_mut().enumerate() {
            match fault.recovery.as_mut() {
                Some(recovery) if recovery.remaining_steps > 0 => {
                    let keep =
                        (recovery.remaining_steps - 1) as f64 / recovery.remaining_steps as f64;
                    recovery.remaining_steps -= 1;
                    let done = recovery.remaining_steps == 0;
                    let lasting = recovery.lasting;
                    fault.fade(keep);
                    // The business signals this fault moved on their own recover with it.
                    for b in self.business.iter_mut().filter(|b| b.fault == f) {
                        b.own *= keep;
                    }
                    if done {
                        if lasting {
                            fault.resolved_at = Some(self.step);
                        } else {
                            // A mitigation wore off: the fault is still there.
                            fault.recovery = None;
                            self.relapses += 1;
                        }
                    }
                    drifting.push(false);
                }
                Some(_) => drifting.push(false),
                None => drifting.push(true),
            }
        }
        self.apply_drifts_of(false, &drifting);
        self.apply_herrings(false);
        self.draw_noise();
        self.refresh();
    }

    fn apply_drifts(&mut self, nominal: bool) {
        let all = vec![true; self.faults.len()];
        self.apply_drifts_of(nominal, &all);
    }

    /// Moves the symptoms of the faults that are `drifting` (not recovering).
    fn apply_drifts_of(&mut self, nominal: bool, drifting: &[bool]) {
        let t = self.incident_step();
        for d in 0..self.symptoms.len() {
            let drift = &self.symptoms[d];
            if t < drift.onset || !drifting.get(drift.fault).copied().unwrap_or(false) {
                continue;
            }
            let delta = if nominal {
                drift.nominal_delta
            } else {
                drift.delta
            };
            let (s, signal, cap, shape, fault, onset) = (
                drift.service,
                drift.signal,
                drift.cap,
                drift.shape,
                drift.fault,
                drift.onset,
            );
            let instances = drift.instances.clone();
            let healthy = self.baseline[s][signal];
            let base = healthy + self.faults[fault].offset[s][signal];
            if instances.is_empty() {
                let next = self.shaped(base, healthy, delta, cap, shape, t - onset, s, None);
                self.faults[fault].offset[s][signal] += next - base;
            } else {
                for k in instances {
                    let current = base + self.faults[fault].instance_offset[s][k][signal];
                    let next = self.shaped(current, base, delta, cap, shape, t - onset, s, Some(k));
                    self.faults[fault].instance_offset[s][k][signal] += next - current;
                }
            }
        }
        for b in &mut self.business {
            if b.delta != 0.0 && t >= b.onset && drifting.get(b.fault).copied().unwrap_or(false) {
                b.own = drift_towards(b.own, b.delta, b.floor);
            }
        }
    }

    /// The next value of a drifting signal at `current`, `since` steps
    /// after its onset, by its shape; `healthy` is its value without this
    /// drift (where a saw-tooth's kill or a flap's off half returns it).
    /// A saw-tooth's kill restarts `service`.
    #[allow(clippy::too_many_arguments)]
    fn shaped(
        &mut self,
        current: f64,
        healthy: f64,
        delta: f64,
        cap: f64,
        shape: Shape,
        since: u32,
        service: usize,
        instance: Option<usize>,
    ) -> f64 {
        match shape {
            Shape::Ramp => drift_towards(current, delta, cap),
            Shape::Step => cap,
            Shape::Sawtooth => {
                if at_cap(current, delta, cap) {
                    self.restarts[service] += 1;
                    match instance {
                        Some(k) => self.killed_pods[service][k] = true,
                        None => self.killed[service] = true,
                    }
                    healthy
                } else {
                    drift_towards(current, delta, cap)
                }
            }
            Shape::Flap { period } => {
                if (since / period.max(1)).is_multiple_of(2) {
                    cap
                } else {
                    healthy
                }
            }
        }
    }

    fn apply_herrings(&mut self, nominal: bool) {
        let t = self.incident_step();
        for drift in &self.herrings {
            let delta = if nominal {
                drift.nominal_delta
            } else {
                drift.delta
            };
            if t < drift.onset {
                continue;
            }
            let (s, i) = (drift.service, drift.signal);
            let base = self.baseline[s][i] + self.herring_offset[s][i];
            if drift.instances.is_empty() {
                let next = match drift.shape {
                    Shape::Step => drift.cap,
                    _ => drift_towards(base, delta, drift.cap),
                };
                self.herring_offset[s][i] += next - base;
            } else {
                for &k in &drift.instances {
                    let current = base + self.herring_instance_offset[s][k][i];
                    let next = drift_towards(current, delta, drift.cap);
                    self.herring_instance_offset[s][k][i] += next - current;
                }
            }
        }
    }

    fn draw_noise(&mut self) {
        let rng = &mut self.noise_rng;
        let mut draw = |factors: &mut PerSignal<f64>| {
            for (signal, factor) in factors.iter_mut() {
                *factor = if signal == Signal::Up {
                    1.0
                } else {
                    1.0 + 0.03 * rng.signed_unit()
                };
            }
        };
        for service in &mut self.noise {
            draw(service);
        }
        for service in &mut self.instance_noise {
            for instance in service {
                draw(instance);
            }
        }
        for b in &mut self.business {
            b.noise = 1.0 + 0.03 * rng.signed_unit();
        }
    }
    /// The current value of a service's signal.
    #[inline]
    pub fn value(&self, service: usize, signal: Signal) -> f64 {
        self.current[service][signal]
    }

    /// The seeded healthy value of a service's signal.
    pub fn baseline(&self, service: usize, signal: Signal) -> f64 {
        self.baseline[service][signal]
    }

    /// Every signal of a service, in [`Signal::ALL`] order.
    pub fn values(&self, service: usize) -> PerSignal<f64> {
        self.current[service]
    }

    /// Every signal of every service (in [`Signal::ALL`] order).
    pub fn all_values(&self) -> &[PerSignal<f64>] {
        &self.current
    }

    /// Each instance's signals, per service (empty for a service without instances).
    pub fn instance_values(&self) -> &[Vec<PerSignal<f64>>] {
        &self.instance_current
    }

    /// The business signals' current values, in the scenario's order.
    pub fn business_values(&self) -> Vec<f64> {
        self.business.iter().map(|b| b.current).collect()
    }

    /// Restarts of each service so far.
    pub fn restarts(&self) -> &[u32] {
        &self.restarts
    }

    /// The service's health, from its signals compared with its baseline.
    pub fn health(&self, service: usize) -> Health {
        self.health_of(service, &self.current[service])
    }

    /// The health `values` would give the service (what a dashboard that
    /// lost its data shows: the last values it saw).
    pub fn health_of(&self, service: usize, current: &PerSignal<f64>) -> Health {
        let baseline = &self.baseline[service];
        let v = |s: Signal| current[s];
        let b = |s: Signal| baseline[s];
        let p99 = v(Signal::LatencyP99Seconds);
        let p99_base = b(Signal::LatencyP99Seconds).max(0.001);
        let queue_base = b(Signal::QueueDepth);
        let critical = v(Signal::Up) < 0.5
            || v(Signal::ErrorRatio) >= 0.1
            || (p99 >= 4.0 * p99_base && p99 - p99_base >= 0.2)
            || v(Signal::SaturationRatio) >= 0.95
            || v(Signal::MemoryRatio) >= 0.95
            || v(Signal::CpuRatio) >= 0.97
            || v(Signal::QueueDepth) >= (20.0 * queue_base).max(5000.0);
        if critical {
            return Health::Critical;
        }
        let degraded = v(Signal::ErrorRatio) >= 0.02
            || (p99 >= 2.0 * p99_base && p99 - p99_base >= 0.1)
            || v(Signal::SaturationRatio) >= 0.85
            || v(Signal::MemoryRatio) >= 0.85
            || v(Signal::CpuRatio) >= 0.85
            || v(Signal::QueueDepth) >= (5.0 * queue_base).max(1000.0)
            || v(Signal::RequestsPerSecond) < 0.5 * b(Signal::RequestsPerSecond);
        if degraded {
            Health::Degraded
        } else {
            Health::Healthy
        }
    }

    /// Starts the recovery of fault `fault` after a resolving fix: its
    /// effects fade to nothing over `steps` steps and stay gone. A
    /// mitigation under way becomes lasting (and ends no later than it
    /// would have). Ignored if a lasting recovery already started.
    pub fn start_recovery(&mut self, fault: usize, steps: u32) {
        let Some(state) = self.faults.get_mut(fault) else {
            return;
        };
        match state.recovery.as_mut() {
            Some(recovery) if recovery.lasting => {}
            Some(recovery) => {
                recovery.lasting = true;
                recovery.remaining_steps = recovery.remaining_steps.min(steps.max(1));
            }
            None => {
                state.recovery = Some(Recovery {
                    remaining_steps: steps.max(1),
                    lasting: true,
                })
            }
        }
    }

    /// Starts a mitigation of fault `fault`: its effects fade over `steps`
    /// steps, then the symptoms start to drift again from where the
    /// mitigation left them, because the fault is still there. Ignored
    /// while any recovery of it is under way.
    pub fn start_mitigation(&mut self, fault: usize, steps: u32) {
        if let Some(state) = self.faults.get_mut(fault) {
            if state.recovery.is_none() {
                state.recovery = Some(Recovery {
                    remaining_steps: steps.max(1),
                    lasting: false,
                });
            }
        }
    }

    /// Whether a right fix is taking effect on any fault (a recovery or a mitigation).
    pub fn recovering(&self) -> bool {
        self.faults.iter().any(|f| f.recovery.is_some())
    }

    /// Whether fault `fault` is held back: a right fix is taking effect
    /// or has resolved it (its error lines stop, its recovery lines start).
    pub fn quiet(&self, fault: usize) -> bool {
        self.faults.get(fault).is_some_and(|f| f.recovery.is_some())
    }

    /// Whether a resolving fix of fault `fault` has been applied.
    pub fn fixed(&self, fault: usize) -> bool {
        self.faults
            .get(fault)
            .and_then(|f| f.recovery.as_ref())
            .is_some_and(|r| r.lasting)
    }

    /// How many mitigations have worn off so far.
    pub fn relapses(&self) -> u32 {
        self.relapses
    }

    /// The step at which the recovery of every fault completed, if it has.
    pub fn resolved_at(&self) -> Option<u32> {
        self.faults
            .iter()
            .map(|f| f.resolved_at)
            .try_fold(0, |latest, at| at.map(|at| latest.max(at)))
    }

    /// Steps until every fault's lasting recovery completes, if each is
    /// resolved or resolving.
    pub fn recovery_remaining(&self) -> Option<u32> {
        self.faults
            .iter()
            .map(|f| match (&f.recovery, f.resolved_at) {
                (_, Some(_)) => Some(0),
                (Some(r), None) if r.lasting => Some(r.remaining_steps),
                _ => None,
            })
            .try_fold(0, |longest, remaining| remaining.map(|r| longest.max(r)))
            .filter(|_| self.resolved_at().is_none())
    }

    /// A wrong fix makes a signal of a service worse by `amount`.
    pub fn worsen(&mut self, service: usize, signal: Signal, amount: f64) {
        let Some(offsets) = self
            .faults
            .first_mut()
            .and_then(|f| f.offset.get_mut(service))
        else {
            return;
        };
        let current = self.baseline[service][signal] + offsets[signal];
        let next = (current + amount).clamp(0.0, signal.max_value());
        offsets[signal] += next - current;
        self.refresh();
    }

    /// A restart of `service` (right or wrong): its restart counter goes
    /// up, and what a saw-tooth had built up in its processes is gone.
    pub fn restart(&mut self, service: usize) {
        let Some(count) = self.restarts.get_mut(service) else {
            return;
        };
        *count += 1;
        for drift in &self.symptoms {
            if drift.service == service && drift.shape == Shape::Sawtooth {
                let fault = &mut self.faults[drift.fault];
                fault.offset[service][drift.signal] = 0.0;
                for instance in &mut fault.instance_offset[service] {
                    instance[drift.signal] = 0.0;
                }
            }
        }
        self.refresh();
    }
}

/// A signal's value within its range; `up` is 0 or 1 (0 for a process
/// killed this step).
fn clamp_signal(signal: Signal, value: f64, killed: bool) -> f64 {
    if signal == Signal::Up {
        if value >= 0.5 && !killed {
            1.0
        } else {
            0.0
        }
    } else {
        value.clamp(0.0, signal.max_value())
    }
}

/// One structured log line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogLine {
    /// Simulated Unix time, seconds.
    pub time: f64,
    /// The incident step it was written at.
    pub step: u32,
    /// The service that wrote it.
    pub service: String,
    /// Its level.
    pub level: LogLevel,
    /// The message.
    pub message: String,
    /// Structured fields, in template order.
    pub fields: Vec<(String, String)>,
    /// The trace of the request the line stands for, if it stands for one
    /// (32 hex digits; filled in by `metrics::traces::push_traced_logs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// The span of the line's service in that trace (16 hex digits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span_id: Option<String>,
}

/// A request id looking value derived from the seed, step and template.
fn request_id(seed: u64, step: u32, template: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut x = seed ^ ((step as u64) << 32) ^ template as u64;
    let id = crate::rng::splitmix64(&mut x);
    let mut text = String::with_capacity(16);
    for digit in (0..16).rev() {
        text.push(HEX[((id >> (digit * 4)) & 0xf) as usize] as char);
    }
    text
}

/// A line a responder's action makes a service write: (service index,
/// level, message, fields).
pub type LogEvent = (usize, LogLevel, String, Vec<(String, String)>);

/// What the log lines of one step are written from: the fleet as it was
/// at that step, and what the responder did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogContext {
    /// Each service's signals at the step.
    pub values: Vec<PerSignal<f64>>,
    /// Per fault: whether a right fix had taken hold ([`Simulation::quiet`]).
    pub quiet: Vec<bool>,
    /// Each service's restarts so far.
    pub restarts: Vec<u32>,
    /// Each service's running version (an index into `version_names`),
    /// where the timeline names it.
    pub running: Vec<Option<usize>>,
    /// The versions the timeline names (shared).
    pub version_names: std::sync::Arc<Vec<(usize, String)>>,
    /// Lines the responder's actions made services write at this step:
    /// (service index, level, message, fields).
    pub events: Vec<LogEvent>,
}

impl LogContext {
    /// The context of the fleet as `sim` has it now, with the versions of `changes`.
    pub fn of(sim: &Simulation, faults: usize, changes: &ChangeState) -> LogContext {
        LogContext {
            values: sim.all_values().to_vec(),
            quiet: (0..faults).map(|f| sim.quiet(f)).collect(),
            restarts: sim.restarts().to_vec(),
            running: changes.running.clone(),
            version_names: changes.versions.clone(),
            events: Vec::new(),
        }
    }
}

/// A template's text with its placeholders filled: `{step}`,
/// `{request_id}`, and the service's values at the step (`{error_percent}`,
/// `{latency_p50_ms}`, `{latency_p99_ms}`, `{rps}`, `{cpu_percent}`,
/// `{memory_percent}`, `{saturation_percent}`, `{queue_depth}`,
/// `{restarts}`, `{version}`).
fn fill(
    text: &str,
    seed: u64,
    step: u32,
    template: usize,
    service: usize,
    context: &LogContext,
) -> String {
    if !text.contains('{') {
        return text.to_string();
    }
    let value = |signal: Signal| {
        context
            .values
            .get(service)
            .map_or_else(|| signal.default_baseline(), |v| v[signal])
    };
    let percent = |x: f64| format!("{:.1}", 100.0 * x);
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let name = &after[..close];
        let replacement = match name {
            "step" => Some(step.to_string()),
            "request_id" => Some(request_id(seed, step, template)),
            "error_percent" => Some(percent(value(Signal::ErrorRatio))),
            "latency_p50_ms" => Some(format!("{:.0}", 1000.0 * value(Signal::LatencyP50Seconds))),
            "latency_p99_ms" => Some(format!("{:.0}", 1000.0 * value(Signal::LatencyP99Seconds))),
            "rps" => Some(format!("{:.0}", value(Signal::RequestsPerSecond))),
            "cpu_percent" => Some(format!("{:.0}", 100.0 * value(Signal::CpuRatio))),
            "memory_percent" => Some(format!("{:.0}", 100.0 * value(Signal::MemoryRatio))),
            "saturation_percent" => Some(format!("{:.0}", 100.0 * value(Signal::SaturationRatio))),
            "queue_depth" => Some(format!("{:.0}", value(Signal::QueueDepth))),
            "restarts" => Some(
                context
                    .restarts
                    .get(service)
                    .copied()
                    .unwrap_or(0)
                    .to_string(),
            ),
            "version" => Some(
                context
                    .running
                    .get(service)
                    .copied()
                    .flatten()
                    .and_then(|v| context.version_names.get(v))
                    .map_or_else(|| "unknown".into(), |(_, name)| name.clone()),
            ),
            _ => None,
        };
        match replacement {
            Some(r) => out.push_str(&r),
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The routine line every service writes, so healthy services have logs too.
fn routine_line(kind: ServiceKind) -> (&'static str, [(&'static str, &'static str); 2]) {
    match kind {
        ServiceKind::Database => (
            "checkpoint complete",
            [("wal_segments", "3"), ("duration_ms", "412")],
        ),
        ServiceKind::Cache => (
            "background save finished",
            [("keys", "184233"), ("duration_ms", "88")],
        ),
        ServiceKind::Queue => (
            "partition leader heartbeat",
            [("partitions", "12"), ("lag", "{queue_depth}")],
        ),
        ServiceKind::Gateway => ("access", [("route", "/healthz"), ("status", "200")]),
        ServiceKind::External => (
            "upstream call completed",
            [("status", "200"), ("duration_ms", "120")],
        ),
        ServiceKind::Infrastructure => (
            "health probe succeeded",
            [("probe", "readiness"), ("status", "ok")],
        ),
        ServiceKind::Service => (
            "request completed",
            [("status", "200"), ("duration_ms", "{latency_p50_ms}")],
        ),
    }
}

/// Hands the log lines service `index` writes at `step` to `push`, in
/// order (what [`crate::metrics::traces::traced_service_logs`] lists for
/// that step): its routine line,
/// the scenario's templates due (those of a fault stop once a right fix
/// has taken hold; recovery lines start then), and the lines the
/// responder's actions made it write.
pub fn push_step_logs(
    scenario: &Scenario,
    seed: u64,
    index: usize,
    step: u32,
    context: &LogContext,
    mut push: impl FnMut(LogLine),
) {
    let Some(service) = scenario.services.get(index) else {
        return;
    };
    let step_time = scenario.start_time as f64 + (step * scenario.step_seconds) as f64;
    if step % 3 == index as u32 % 3 {
        let (message, fields) = routine_line(service.kind);
        push(LogLine {
            time: step_time + 1.0,
            step,
            service: service.name.clone(),
            level: LogLevel::Info,
            message: message.to_string(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), fill(v, seed, step, 0, index, context)))
                .collect(),
            trace_id: None,
            span_id: None,
        });
    }
    for (t, template) in scenario.logs.iter().enumerate() {
        if template.service != service.name
            || step < template.from_step
            || !(step - template.from_step).is_multiple_of(template.every)
        {
            continue;
        }
        let quiet = context.quiet.get(template.fault).copied().unwrap_or(false);
        let due = match template.when {
            LogWhen::Always => true,
            LogWhen::Incident => !quiet,
            LogWhen::Fixed => quiet,
        };
        if !due {
            continue;
        }
        push(LogLine {
            time: step_time + 2.0 + (t % 20) as f64,
            step,
            service: service.name.clone(),
            level: template.level,
            message: fill(&template.message, seed, step, t, index, context),
            fields: template
                .fields
                .iter()
                .map(|(k, v)| (k.clone(), fill(v, seed, step, t, index, context)))
                .collect(),
            trace_id: None,
            span_id: None,
        });
    }
    for (i, (s, level, message, fields)) in context.events.iter().enumerate() {
        if *s == index {
            push(LogLine {
                time: step_time + 25.0 + i as f64 * 0.1,
                step,
                service: service.name.clone(),
                level: *level,
                message: message.clone(),
                fields: fields.clone(),
                trace_id: None,
                span_id: None,
            });
        }
    }
}
