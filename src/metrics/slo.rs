//! Service level objectives per service (the scenario's [`SloSpec`]s: an
//! availability and a latency objective over a window of days), as they
//! stand every step: the bad fraction over the recording rules' windows
//! (`slo:sli_error:ratio_rate5m` … `_rate3d`, computed from the series
//! store as the rules' PromQL computes them), the error budget remaining,
//! the burn rate, a green / yellow / red status from the multi-window
//! burn-rate conditions and the projected time until the budget runs out.

use super::alerts::{five_hundreds, service_series, SlidingCounter};
use super::families::LatencyShape;
use super::portable_math::ln;
use crate::rng::Rng;
pub use crate::scenario::SloKind;
use crate::scenario::{PerSignal, Scenario, Signal, SloSpec, SLI_WINDOWS};
use crate::series::prometheus_math::kahan_sum;
use crate::series::{format_value, SeriesId, Store};
use serde::Serialize;

/// Traffic-light status of an objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SloStatus {
    /// Budget healthy and burning slowly.
    Green,
    /// A ticket: a slow-burn condition holds (10% of the budget in a day
    /// or in three days), the last hour burnt faster than sustainable, or
    /// half the budget is gone.
    Yellow,
    /// A page: burning fast over both windows of a fast-burn condition
    /// (2% of the budget in an hour, 5% in six hours), or at most 10% of
    /// the budget left.
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
    /// Burn rate over the last 5 minutes (the short window), if there were requests.
    pub burn_rate_5m: Option<f64>,
    /// Burn rate over the last hour (the long window), if there were requests.
    pub burn_rate_1h: Option<f64>,
    /// The SLO's window, days.
    pub window_days: u32,
    /// Green, yellow or red.
    pub status: SloStatus,
    /// Seconds until the budget is gone at the current burn, if it is burning faster than it refills.
    pub exhausted_in_seconds: Option<f64>,
}

impl Slo {
    /// `availability` or `latency`.
    pub fn kind_name(&self) -> &'static str {
        self.kind.name()
    }

    /// Budget burned since the incident started, as a fraction of the whole budget.
    pub fn burned_during_incident_ratio(&self) -> f64 {
        (self.budget_at_start_ratio - self.budget_remaining_ratio).max(0.0)
    }
}

/// The series an SLO's bad fraction is computed from.
#[derive(Clone, Debug, Default)]
struct SliSeries {
    /// Counters of bad events (5xx requests; requests under the threshold
    /// for latency, whose bad fraction is one minus good over all): indices
    /// into [`SloBook::counters`].
    counted: Vec<usize>,
    /// Counters of all events.
    all: Vec<usize>,
}

/// The SLI windows, ms.
const RANGES_MS: [i64; SLI_WINDOWS.len()] = {
    let mut ranges = [0; SLI_WINDOWS.len()];
    let mut i = 0;
    while i < ranges.len() {
        ranges[i] = SLI_WINDOWS[i].0 as i64 * 1000;
        i += 1;
    }
    ranges
};

/// The objectives of every service of a scenario.
#[derive(Clone, Debug)]
pub struct SloBook {
    slos: Vec<Slo>,
    specs: Vec<SloSpec>,
    /// ln of each latency objective's threshold (0 for availability).
    ln_thresholds: Vec<f64>,
    /// Per SLO: the service's index.
    services: Vec<usize>,
    /// Per SLO: the series of its recording rules (resolved once).
    sources: Vec<SliSeries>,
    /// Every counter the recording rules read, over every SLI window.
    counters: Vec<SlidingCounter<{ SLI_WINDOWS.len() }>>,
    /// Per SLO: the bad fraction over each of [`SLI_WINDOWS`] at the last
    /// [`SloBook::record_windows`].
    windows: Vec<[Option<f64>; SLI_WINDOWS.len()]>,
    /// Scratch: the latency shapes of [`SloBook::observe`].
    shapes: Vec<LatencyShape>,
}

/// The status of an SLO with `remaining` budget, whose burn conditions
/// for a page and for a ticket hold or not, and burning `burn_1h` over
/// the last hour.
fn status(remaining: f64, page: bool, ticket: bool, burn_1h: f64) -> SloStatus {
    if page || remaining <= 0.1 {
        SloStatus::Red
    } else if ticket || burn_1h >= 1.0 || remaining <= 0.5 {
        SloStatus::Yellow
    } else {
        SloStatus::Green
    }
}

impl SloBook {
    /// The scenario's objectives, with a seeded amount of budget already used this window.
    pub fn new(scenario: &Scenario, seed: u64) -> SloBook {
        let mut rng = Rng::derive(seed, "slo");
        let mut slos = Vec::new();
        for spec in &scenario.slos {
            let remaining = 0.55 + 0.4 * rng.unit();
            slos.push(Slo {
                service: spec.service.clone(),
                kind: spec.kind,
                objective: spec.objective,
                threshold_seconds: spec.threshold_seconds,
                budget_remaining_ratio: remaining,
                budget_at_start_ratio: remaining,
                burn_rate: 0.0,
                burn_rate_5m: None,
                burn_rate_1h: None,
                window_days: spec.window_days,
                status: SloStatus::Green,
                exhausted_in_seconds: None,
            });
        }
        let ln_thresholds = slos
            .iter()
            .map(|slo| slo.threshold_seconds.map(ln).unwrap_or(0.0))
            .collect();
        SloBook {
            services: scenario
                .slos
                .iter()
                .map(|s| scenario.service_index(&s.service).unwrap_or(0))
                .collect(),
            sources: vec![SliSeries::default(); slos.len()],
            counters: Vec::new(),
            windows: vec![[None; SLI_WINDOWS.len()]; slos.len()],
            specs: scenario.slos.clone(),
            slos,
            ln_thresholds,
            shapes: Vec::new(),
        }
    }

    /// Every objective.
    pub fn slos(&self) -> &[Slo] {
        &self.slos
    }

    /// Every objective's definition, in [`SloBook::slos`] order.
    pub fn specs(&self) -> &[SloSpec] {
        &self.specs
    }

    /// The bad fraction of SLO `slo` over window `window` (an index into
    /// [`SLI_WINDOWS`]) at the last [`SloBook::record_windows`]: the value
    /// of its recording rule, `None` when the rule returns nothing.
    pub fn window_ratio(&self, slo: usize, window: usize) -> Option<f64> {
        self.windows
            .get(slo)
            .and_then(|w| w.get(window))
            .copied()
            .flatten()
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
        for ((slo, ln_threshold), service) in self
            .slos
            .iter_mut()
            .zip(&self.ln_thresholds)
            .zip(&self.services)
        {
            let (Some(values), Some(shape)) = (signals.get(*service), shapes.get(*service)) else {
                continue;
            };
            let bad_fraction = match slo.kind {
                SloKind::Availability => values[Signal::ErrorRatio],
                SloKind::Latency => 1.0 - shape.fraction_below_ln(*ln_threshold),
            };
            let allowed = 1.0 - slo.objective;
            let burn = bad_fraction / allowed;
            let window_seconds = slo.window_days as f64 * 86400.0;
            slo.burn_rate = burn;
            slo.budget_remaining_ratio -= burn * seconds / window_seconds;
            slo.exhausted_in_seconds = (burn > 0.0 && slo.budget_remaining_ratio > 0.0)
                .then(|| slo.budget_remaining_ratio * window_seconds / burn)
                .filter(|_| burn > 1.0);
        }
    }

    /// Finds the series the SLOs' recording rules read in `store`: for
    /// availability, a service's `http_requests_total` with a 5xx code
    /// over all of them; for latency, its histogram bucket at the
    /// threshold over its `_count`.
    pub fn resolve(&mut self, store: &Store) {
        let mut counters: Vec<SlidingCounter<{ SLI_WINDOWS.len() }>> = Vec::new();
        let mut index_of = |ids: Vec<SeriesId>| -> Vec<usize> {
            ids.into_iter()
                .map(|id| {
                    counters
                        .iter()
                        .position(|c| c.id() == id)
                        .unwrap_or_else(|| {
                            counters.push(SlidingCounter::new(id, RANGES_MS));
                            counters.len() - 1
                        })
                })
                .collect()
        };
        let sources = self
            .specs
            .iter()
            .map(|spec| match spec.kind {
                SloKind::Availability => SliSeries {
                    counted: index_of(five_hundreds(store, &spec.service)),
                    all: index_of(service_series(
                        store,
                        "http_requests_total",
                        &spec.service,
                        |_| true,
                    )),
                },
                SloKind::Latency => {
                    let le = format_value(spec.threshold_seconds.unwrap_or(f64::INFINITY));
                    SliSeries {
                        counted: index_of(service_series(
                            store,
                            "http_request_duration_seconds_bucket",
                            &spec.service,
                            |l| l.get("le") == Some(le.as_str()),
                        )),
                        all: index_of(service_series(
                            store,
                            "http_request_duration_seconds_count",
                            &spec.service,
                            |_| true,
                        )),
                    }
                }
            })
            .collect();
        self.sources = sources;
        self.counters = counters;
    }

    /// Computes every SLO's bad fraction over each window at `time_ms`
    /// from `store` (the series [`SloBook::resolve`] found), as the
    /// recording rules do, then each status.
    pub fn record_windows(&mut self, store: &Store, time_ms: i64) {
        for counter in &mut self.counters {
            counter.advance(store, time_ms);
        }
        let counters = &self.counters;
        // A window's sum of the counters' rates (None: no counter has one).
        let summed = |indices: &[usize], w: usize| {
            let mut any = false;
            let sum = kahan_sum(
                indices
                    .iter()
                    .filter_map(|&c| {
                        counters
                            .get(c)?
                            .summary(w)?
                            .rate(time_ms, RANGES_MS[w], true)
                    })
                    .inspect(|_| any = true),
            );
            any.then_some(sum)
        };
        for (s, source) in self.sources.iter().enumerate() {
            let kind = self.specs[s].kind;
            for w in 0..SLI_WINDOWS.len() {
                self.windows[s][w] = match (summed(&source.counted, w), summed(&source.all, w)) {
                    (Some(c), Some(a)) => Some(match kind {
                        SloKind::Availability => c / a,
                        SloKind::Latency => 1.0 - c / a,
                    }),
                    _ => None,
                };
            }
        }
        for (s, slo) in self.slos.iter_mut().enumerate() {
            let spec = &self.specs[s];
            let budget = spec.error_budget();
            let windows = &self.windows[s];
            let holds = |page: bool| {
                spec.burn_conditions(page).iter().any(|c| {
                    let above = |w: usize| windows[w].is_some_and(|v| v > c.factor * budget);
                    above(c.long) && above(c.short)
                })
            };
            slo.burn_rate_5m = windows[0].map(|v| v / budget);
            slo.burn_rate_1h = windows[2].map(|v| v / budget);
            slo.status = status(
                slo.budget_remaining_ratio,
                holds(true),
                holds(false),
                slo.burn_rate_1h.unwrap_or(0.0),
            );
        }
    }
}
