//! Service level objectives per service: an availability objective and a
//! latency objective over a 28-day window, with the error budget remaining,
//! the burn rate, a green / yellow / red status and the projected time until
//! the budget runs out at the current burn.

use super::families::LatencyShape;
use super::portable_math::ln;
use crate::rng::Rng;
use crate::scenario::{PerSignal, Scenario, Signal};
use serde::Serialize;

/// The SLO window, seconds (28 days).
pub const WINDOW_SECONDS: f64 = 28.0 * 24.0 * 3600.0;

/// What an objective measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SloKind {
    /// Fraction of requests that do not fail.
    Availability,
    /// Fraction of requests faster than a threshold.
    Latency,
}

/// Traffic-light status of an objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SloStatus {
    /// Budget healthy and burning slowly.
    Green,
    /// Burning faster than sustainable, or half the budget gone.
    Yellow,
    /// Burning fast (≥ 14.4×) or at most 10% of the budget left.
    Red,
}

/// One objective of one service, as it stands.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Slo {
    /// The service.
    pub service: String,
    /// Availability or latency.
    pub kind: SloKind,
    /// Target good fraction, e.g. 0.999.
    pub objective: f64,
    /// For latency: the threshold in seconds.
    pub threshold_seconds: Option<f64>,
    /// Error budget left in the window, 0..=1 (may go below 0 when overspent).
    pub budget_remaining_ratio: f64,
    /// Budget remaining when the incident started.
    pub budget_at_start_ratio: f64,
    /// Bad fraction now divided by the allowed bad fraction.
    pub burn_rate: f64,
    /// Green, yellow or red.
    pub status: SloStatus,
    /// Seconds until the budget is gone at the current burn, if it is burning faster than it refills.
    pub exhausted_in_seconds: Option<f64>,
}

impl Slo {
    /// Budget burned since the incident started, as a fraction of the whole budget.
    pub fn burned_during_incident_ratio(&self) -> f64 {
        (self.budget_at_start_ratio - self.budget_remaining_ratio).max(0.0)
    }
}

/// The objectives of every service of a scenario.
#[derive(Clone, Debug)]
pub struct SloBook {
    slos: Vec<Slo>,
    /// ln of each latency objective's threshold (0 for availability).
    ln_thresholds: Vec<f64>,
    /// Scratch: the latency shapes of [`SloBook::observe`].
    shapes: Vec<LatencyShape>,
}

fn status(remaining: f64, burn: f64) -> SloStatus {
    if burn >= 14.4 || remaining <= 0.1 {
        SloStatus::Red
    } else if burn >= 1.0 || remaining <= 0.5 {
        SloStatus::Yellow
    } else {
        SloStatus::Green
    }
}

impl SloBook {
    /// Objectives for every service, with a seeded amount of budget already used this window.
    pub fn new(scenario: &Scenario, seed: u64) -> SloBook {
        let mut rng = Rng::derive(seed, "slo");
        let mut slos = Vec::new();
        for service in &scenario.services {
            let p99 = service.baseline[Signal::LatencyP99Seconds];
            let threshold = super::families::LATENCY_BUCKETS
                .iter()
                .copied()
                .find(|le| *le >= 2.5 * p99)
                .unwrap_or(10.0);
            for (kind, objective, threshold) in [
                (SloKind::Availability, 0.999, None),
                (SloKind::Latency, 0.99, Some(threshold)),
            ] {
                let remaining = 0.55 + 0.4 * rng.unit();
                slos.push(Slo {
                    service: service.name.clone(),
                    kind,
                    objective,
                    threshold_seconds: threshold,
                    budget_remaining_ratio: remaining,
                    budget_at_start_ratio: remaining,
                    burn_rate: 0.0,
                    status: SloStatus::Green,
                    exhausted_in_seconds: None,
                });
            }
        }
        let ln_thresholds = slos
            .iter()
            .map(|slo| slo.threshold_seconds.map(ln).unwrap_or(0.0))
            .collect();
        SloBook {
            slos,
            ln_thresholds,
            shapes: Vec::new(),
        }
    }

    /// Every objective.
    pub fn slos(&self) -> &[Slo] {
        &self.slos
    }

    /// Marks the incident start: budgets burned from here on count as burned by the incident.
    pub fn mark_incident_start(&mut self) {
        for slo in &mut self.slos {
            slo.budget_at_start_ratio = slo.budget_remaining_ratio;
        }
    }

    /// Spends budget for `seconds` of traffic with each service's signals.
    pub fn observe(&mut self, signals: &[PerSignal<f64>], seconds: f64) {
        let mut shapes = std::mem::take(&mut self.shapes);
        LatencyShape::of_signals(signals, &mut shapes);
        self.observe_shaped(signals, &shapes, seconds);
        self.shapes = shapes;
    }

    /// [`SloBook::observe`] with each service's latency distribution
    /// already known (the metric set computes it every step).
    pub fn observe_shaped(
        &mut self,
        signals: &[PerSignal<f64>],
        shapes: &[LatencyShape],
        seconds: f64,
    ) {
        for (i, (slo, ln_threshold)) in self.slos.iter_mut().zip(&self.ln_thresholds).enumerate() {
            let (Some(values), Some(shape)) = (signals.get(i / 2), shapes.get(i / 2)) else {
                continue;
            };
            let bad_fraction = match slo.kind {
                SloKind::Availability => values[Signal::ErrorRatio],
                SloKind::Latency => 1.0 - shape.fraction_below_ln(*ln_threshold),
            };
            let allowed = 1.0 - slo.objective;
            let burn = bad_fraction / allowed;
            slo.burn_rate = burn;
            slo.budget_remaining_ratio -= burn * seconds / WINDOW_SECONDS;
            slo.status = status(slo.budget_remaining_ratio, burn);
            slo.exhausted_in_seconds = (burn > 0.0 && slo.budget_remaining_ratio > 0.0)
                .then(|| slo.budget_remaining_ratio * WINDOW_SECONDS / burn)
                .filter(|_| burn > 1.0);
        }
    }
}
