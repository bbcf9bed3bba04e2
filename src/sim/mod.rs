//! The incident simulation: per-service signals that drift along the
//! dependency graph from the fault's onset, red herrings that drift for
//! unrelated reasons, recovery after the right fix and damage from wrong
//! ones, seeded noise, and the log lines services write.
//!
//! Only `+ - * /` on floats, so the native and wasm builds agree bit for bit.

use crate::rng::Rng;
use crate::scenario::{Drift, LogLevel, PerSignal, Scenario, ServiceKind, Signal};
use serde::Serialize;

/// One drift after seeded variation, with the service resolved to an index.
#[derive(Clone, Debug)]
struct ActiveDrift {
    service: usize,
    signal: Signal,
    delta: f64,
    cap: f64,
    onset: u32,
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

/// The state of the simulated fleet.
#[derive(Clone, Debug)]
pub struct Simulation {
    step: u32,
    baseline: Vec<PerSignal<f64>>,
    fault_offset: Vec<PerSignal<f64>>,
    herring_offset: Vec<PerSignal<f64>>,
    noise: Vec<PerSignal<f64>>,
    symptoms: Vec<ActiveDrift>,
    herrings: Vec<ActiveDrift>,
    recovery: Option<Recovery>,
    resolved_at: Option<u32>,
    /// How many mitigations have worn off.
    relapses: u32,
    noise_rng: Rng,
    /// Every signal's current value (baseline + offsets, times noise,
    /// clamped), recomputed whenever the state changes.
    current: Vec<PerSignal<f64>>,
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

impl Simulation {
    /// The fleet of `scenario` at the incident's start (step 0): healthy
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
        let mut variation = Rng::derive(seed, "variation");
        let resolve = |drift: &Drift, variation: &mut Rng| ActiveDrift {
            service: scenario.service_index(&drift.service).unwrap_or(0),
            signal: drift.metric,
            delta: jittered(variation, drift.delta, scenario.variation.delta_jitter),
            cap: drift.cap,
            onset: drift.onset,
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
        let mut sim = Simulation {
            step: 0,
            baseline,
            fault_offset: vec![PerSignal::splat(0.0); n],
            herring_offset: vec![PerSignal::splat(0.0); n],
            noise: vec![PerSignal::splat(1.0); n],
            symptoms,
            herrings,
            recovery: None,
            resolved_at: None,
            relapses: 0,
            noise_rng: Rng::derive(seed, "noise"),
            current: vec![PerSignal::splat(0.0); n],
        };
        sim.apply_drifts();
        sim.draw_noise();
        sim.refresh();
        sim
    }

    /// Recomputes every current value from the state.
    fn refresh(&mut self) {
        let rows = self
            .current
            .iter_mut()
            .zip(&self.baseline)
            .zip(&self.fault_offset)
            .zip(&self.herring_offset)
            .zip(&self.noise);
        for ((((current, baseline), fault), herring), noise) in rows {
            for signal in Signal::ALL {
                let i = signal;
                let raw = baseline[i] + fault[i] + herring[i];
                let value = raw * noise[i];
                current[i] = if signal == Signal::Up {
                    if value >= 0.5 {
                        1.0
                    } else {
                        0.0
                    }
                } else {
                    value.clamp(0.0, signal.max_value())
                };
            }
        }
    }

    /// Steps since the incident started.
    pub fn step(&self) -> u32 {
        self.step
    }

    /// Advances the fleet by one step.
    pub fn advance(&mut self) {
        self.step += 1;
        match self.recovery.as_mut() {
            Some(recovery) if recovery.remaining_steps > 0 => {
                let keep = (recovery.remaining_steps - 1) as f64 / recovery.remaining_steps as f64;
                for offsets in &mut self.fault_offset {
                    for (_, v) in offsets.iter_mut() {
                        *v *= keep;
                    }
                }
                recovery.remaining_steps -= 1;
                if recovery.remaining_steps == 0 {
                    if recovery.lasting {
                        self.resolved_at = Some(self.step);
                    } else {
                        // A mitigation wore off: the fault is still there.
                        self.recovery = None;
                        self.relapses += 1;
                    }
                }
            }
            Some(_) => {}
            None => self.apply_drifts(),
        }
        self.apply_herrings();
        self.draw_noise();
        self.refresh();
    }

    fn apply_drifts(&mut self) {
        for drift in &self.symptoms {
            if self.step >= drift.onset {
                let i = drift.signal;
                let current = self.baseline[drift.service][i] + self.fault_offset[drift.service][i];
                let next = drift_towards(current, drift.delta, drift.cap);
                self.fault_offset[drift.service][i] += next - current;
            }
        }
        if self.step == 0 {
            self.apply_herrings();
        }
    }

    fn apply_herrings(&mut self) {
        for drift in &self.herrings {
            if self.step >= drift.onset {
                let i = drift.signal;
                let current =
                    self.baseline[drift.service][i] + self.herring_offset[drift.service][i];
                let next = drift_towards(current, drift.delta, drift.cap);
                self.herring_offset[drift.service][i] += next - current;
            }
        }
    }

    fn draw_noise(&mut self) {
        for service in &mut self.noise {
            for (signal, factor) in service.iter_mut() {
                *factor = if signal == Signal::Up {
                    1.0
                } else {
                    1.0 + 0.03 * self.noise_rng.signed_unit()
                };
            }
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

    /// The service's health, from its signals compared with its baseline.
    pub fn health(&self, service: usize) -> Health {
        let current = &self.current[service];
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

    /// Starts recovery after a resolving fix: the fault's effects fade to
    /// nothing over `steps` steps and stay gone. A mitigation under way
    /// becomes lasting (and ends no later than it would have). Ignored if
    /// a lasting recovery already started.
    pub fn start_recovery(&mut self, steps: u32) {
        match self.recovery.as_mut() {
            Some(recovery) if recovery.lasting => {}
            Some(recovery) => {
                recovery.lasting = true;
                recovery.remaining_steps = recovery.remaining_steps.min(steps.max(1));
            }
            None => {
                self.recovery = Some(Recovery {
                    remaining_steps: steps.max(1),
                    lasting: true,
                })
            }
        }
    }

    /// Starts a mitigation: the fault's effects fade over `steps` steps,
    /// then the symptoms start to drift again from where the mitigation
    /// left them, because the fault is still there. Ignored while any
    /// recovery is under way.
    pub fn start_mitigation(&mut self, steps: u32) {
        if self.recovery.is_none() {
            self.recovery = Some(Recovery {
                remaining_steps: steps.max(1),
                lasting: false,
            });
        }
    }

    /// Whether a right fix is taking effect (a recovery or a mitigation).
    pub fn recovering(&self) -> bool {
        self.recovery.is_some()
    }

    /// How many mitigations have worn off so far.
    pub fn relapses(&self) -> u32 {
        self.relapses
    }

    /// The step at which recovery completed, if it has.
    pub fn resolved_at(&self) -> Option<u32> {
        self.resolved_at
    }

    /// Steps until a lasting recovery completes, if one is in progress.
    pub fn recovery_remaining(&self) -> Option<u32> {
        self.recovery
            .as_ref()
            .filter(|r| r.lasting)
            .map(|r| r.remaining_steps)
    }

    /// A wrong fix makes a signal of a service worse by `amount`.
    pub fn worsen(&mut self, service: usize, signal: Signal, amount: f64) {
        if let Some(offsets) = self.fault_offset.get_mut(service) {
            let i = signal;
            let current = self.baseline[service][i] + offsets[i];
            let next = (current + amount).clamp(0.0, signal.max_value());
            offsets[i] += next - current;
            self.refresh();
        }
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

fn fill(text: &str, seed: u64, step: u32, template: usize) -> String {
    if !text.contains('{') {
        return text.to_string();
    }
    let mut out = if text.contains("{step}") {
        text.replace("{step}", &step.to_string())
    } else {
        text.to_string()
    };
    if out.contains("{request_id}") {
        out = out.replace("{request_id}", &request_id(seed, step, template));
    }
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
            [("partitions", "12"), ("lag", "0")],
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
            [("status", "200"), ("duration_ms", "35")],
        ),
    }
}

/// The log lines `service` has written from the incident start through
/// `up_to_step`, oldest first, at most `limit` (the newest kept).
pub fn service_logs(
    scenario: &Scenario,
    seed: u64,
    service: &str,
    up_to_step: u32,
    limit: usize,
) -> Vec<LogLine> {
    let Some(index) = scenario.service_index(service) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    let first_step = up_to_step.saturating_sub(limit.min(u32::MAX as usize) as u32);
    for step in first_step..=up_to_step {
        push_step_logs(scenario, seed, index, step, |line| lines.push(line));
    }
    let skip = lines.len().saturating_sub(limit);
    lines.drain(..skip);
    lines
}

/// Hands the log lines service `index` writes at `step` to `push`, in
/// order (what [`service_logs`] lists for that step).
pub fn push_step_logs(
    scenario: &Scenario,
    seed: u64,
    index: usize,
    step: u32,
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
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        });
    }
    for (t, template) in scenario.logs.iter().enumerate() {
        if template.service != service.name
            || step < template.from_step
            || !(step - template.from_step).is_multiple_of(template.every)
        {
            continue;
        }
        push(LogLine {
            time: step_time + 2.0 + (t % 20) as f64,
            step,
            service: service.name.clone(),
            level: template.level,
            message: fill(&template.message, seed, step, t),
            fields: template
                .fields
                .iter()
                .map(|(k, v)| (k.clone(), fill(v, seed, step, t)))
                .collect(),
        });
    }
}
