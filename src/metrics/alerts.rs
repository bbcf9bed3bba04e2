//! Alert rules as Prometheus evaluates them: each rule's PromQL expression
//! (the very `expr` the rules YAML exports, [`rule_expr`]) is evaluated over
//! the episode's series store every step. A rule's condition holds when its
//! expression returns at least one sample.
//!
//! A rule is written from its structured form ([`AlertRule`]: signal,
//! service, [`RuleQuery`], comparison, threshold): a gauge now, a gauge
//! over a window (`max_over_time`, …), a rate, ratio, quantile or increase
//! of the raw counters and histogram over a window, or an SLO's
//! multi-window burn rate (over the recording rules' series). The
//! environment evaluates that structure directly, with no parser:
//! [`RuleSet::resolve`] finds the selected series once (a store's clones
//! keep their ids), and [`RuleSet::holds_fast`] computes what the
//! expression computes, with the engine's semantics (5-minute lookback,
//! windows open on the left, staleness markers, Prometheus' extrapolated
//! rate, its bucket quantile). With the `promql` feature the same rules
//! are also parsed as PromQL ([`RuleSet::holds`]), and
//! `tests/env_contract.rs` checks that both give the same verdict for every
//! built-in scenario over whole episodes. (The app's first-load wasm has no
//! PromQL engine: its alerts are the direct path alone.)
//!
//! ```
//! use firedrill::env::{Env, Selection};
//! use firedrill::metrics::alerts::RuleSet;
//! let mut env = Env::new();
//! let observation = env.reset(&Selection::Scenario("connection-pool-exhaustion-v1".into()), 1).unwrap();
//! let scenario = env.scenario().unwrap().clone();
//! let rules = RuleSet::new(&scenario);
//! assert_eq!(rules.expr(0), Some(r#"saturation_ratio{service="orders-db"} > 0.9"#));
//! let monitor = env.monitor().unwrap();
//! let now_ms = monitor.last_time() * 1000;
//! // An alert is pending or firing exactly when its rule's condition holds.
//! for (i, rule) in scenario.alerts.iter().enumerate() {
//!     let active = observation.alerts.iter().any(|a| a.name == rule.name);
//!     assert_eq!(rules.holds(i, monitor.store(), now_ms), active);
//! }
//! ```

use super::families::{escape_label_value, gauge_for, resource};
#[cfg(feature = "promql")]
use crate::promql::{Engine, Prepared, QueryError, Value};
use crate::scenario::{
    window_text, AlertRule, Comparison, RuleQuery, Scenario, Signal, SLI_WINDOWS,
};
use crate::series::prometheus_math::{
    bucket_quantile, extrapolated_change, extrapolated_rate, kahan_sum, mean, Bucket,
};
use crate::series::{format_value, is_stale_nan, Labels, Series, SeriesId, Store};
use std::sync::Arc;

/// How far back the newest sample of a series counts, as for an instant
/// selector in PromQL: 5 minutes.
pub const LOOKBACK_MS: i64 = 5 * 60 * 1000;

/// The selector of a service's series of `metric`, with `extra` matchers.
fn selector(metric: &str, service: &str, extra: &str) -> String {
    format!(
        "{metric}{{service=\"{}\"{extra}}}",
        escape_label_value(service)
    )
}

/// The selector of one of an SLO's series.
fn slo_selector(metric: &str, service: &str, slo: &str) -> String {
    format!(
        "{metric}{{service=\"{}\",slo=\"{slo}\"}}",
        escape_label_value(service)
    )
}

/// The quantile a latency signal stands for.
fn quantile_of(signal: Signal) -> f64 {
    match signal {
        Signal::LatencyP50Seconds => 0.5,
        _ => 0.99,
    }
}

/// The PromQL expression of a rule, without its comparison: what is
/// compared with the threshold (empty for a burn-rate rule, whose
/// expression has its own comparisons).
fn query_expr(rule: &AlertRule) -> String {
    let service = rule.service.as_str();
    let errors = r#","code=~"5..""#;
    match rule.query {
        RuleQuery::Gauge => selector(gauge_for(rule.metric), service, ""),
        RuleQuery::OverTime {
            over,
            window_seconds,
        } => format!(
            "{}({}[{}])",
            over.function(),
            selector(gauge_for(rule.metric), service, ""),
            window_text(window_seconds)
        ),
        RuleQuery::Rate { window_seconds } => {
            let w = window_text(window_seconds);
            match rule.metric {
                Signal::ErrorRatio => format!(
                    "sum(rate({}[{w}])) / sum(rate({}[{w}]))",
                    selector("http_requests_total", service, errors),
                    selector("http_requests_total", service, "")
                ),
                Signal::LatencyP50Seconds | Signal::LatencyP99Seconds => format!(
                    "histogram_quantile({}, sum by (le) (rate({}[{w}])))",
                    format_value(quantile_of(rule.metric)),
                    selector("http_request_duration_seconds_bucket", service, "")
                ),
                _ => format!(
                    "sum(rate({}[{w}]))",
                    selector("http_requests_total", service, "")
                ),
            }
        }
        RuleQuery::Increase { window_seconds } => format!(
            "sum(increase({}[{}]))",
            selector(
                "http_requests_total",
                service,
                if rule.metric == Signal::ErrorRatio {
                    errors
                } else {
                    ""
                }
            ),
            window_text(window_seconds)
        ),
        RuleQuery::BurnRate { .. } => String::new(),
    }
}

/// The PromQL expression of a rule: what the rules YAML exports and what
/// the environment evaluates every step ([`RuleSet`]). A burn-rate rule of
/// an SLO that `scenario` does not have is written as `vector(0) < 0`
/// (never holds); the loader never makes one.
///
/// ```
/// let catalog = firedrill::scenario::Catalog::builtin();
/// let scenario = catalog.get("connection-pool-exhaustion-v1").unwrap();
/// assert_eq!(firedrill::metrics::alerts::rule_expr(scenario, &scenario.alerts[0]), r#"saturation_ratio{service="orders-db"} > 0.9"#);
/// ```
pub fn rule_expr(scenario: &Scenario, rule: &AlertRule) -> String {
    if let RuleQuery::BurnRate { slo, page } = rule.query {
        let Some(spec) = scenario.slos.get(slo) else {
            return "vector(0) < 0".into();
        };
        let budget = format_value(spec.error_budget());
        let conditions: Vec<String> = spec
            .burn_conditions(page)
            .iter()
            .map(|c| {
                let threshold = format!("({} * {budget})", format_value(c.factor));
                let window = |w: usize| {
                    slo_selector(
                        &format!("slo:sli_error:ratio_rate{}", SLI_WINDOWS[w].1),
                        &spec.service,
                        spec.kind.name(),
                    )
                };
                format!(
                    "({} > {threshold} and {} > {threshold})",
                    window(c.long),
                    window(c.short)
                )
            })
            .collect();
        return conditions.join(" or ");
    }
    format!(
        "{} {} {}",
        query_expr(rule),
        rule.comparison.symbol(),
        format_value(rule.threshold)
    )
}

/// The labels other than `service` that the result of a rule's expression
/// carries (Prometheus adds them to the alert): a gauge's own labels (the
/// saturating `resource`), an SLO's `slo`; an aggregation carries none.
pub fn result_labels(scenario: &Scenario, rule: &AlertRule) -> Vec<(String, String)> {
    match rule.query {
        RuleQuery::Gauge | RuleQuery::OverTime { .. } if rule.metric == Signal::SaturationRatio => {
            let kind = scenario
                .services
                .iter()
                .find(|s| s.name == rule.service)
                .map(|s| s.kind);
            kind.map(|k| vec![("resource".to_string(), resource(k).to_string())])
                .unwrap_or_default()
        }
        RuleQuery::BurnRate { slo, .. } => scenario
            .slos
            .get(slo)
            .map(|s| vec![("slo".to_string(), s.kind.name().to_string())])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The samples of a series in the window `(end − range, end]`, without
/// staleness markers, into `points` (cleared first): what a range
/// selector gives a function.
fn window_points(
    store: &Store,
    id: SeriesId,
    end_ms: i64,
    range_ms: i64,
    points: &mut Vec<(i64, f64)>,
) {
    points.clear();
    let Some(series) = store.get(id) else {
        return;
    };
    let from = series.partition_after(end_ms.saturating_sub(range_ms));
    let to = series.partition_after(end_ms);
    if to > from {
        series.extend_samples(from, to, points, is_stale_nan);
    }
}

/// `rate` (or `increase`) of a counter over `(end − range, end]`, as
/// Prometheus computes it; `None` with fewer than two samples.
fn counter_rate(
    store: &Store,
    id: SeriesId,
    end_ms: i64,
    range_ms: i64,
    rate: bool,
    points: &mut Vec<(i64, f64)>,
) -> Option<f64> {
    window_points(store, id, end_ms, range_ms, points);
    extrapolated_rate(points, end_ms - range_ms, end_ms, true, rate)
}

/// `sum(rate(…))` (or `increase`) of counters: `None` when none has a rate
/// (the aggregation of an empty vector is empty).
fn summed_rate(
    store: &Store,
    ids: &[SeriesId],
    end_ms: i64,
    range_ms: i64,
    rate: bool,
    points: &mut Vec<(i64, f64)>,
) -> Option<f64> {
    let rates: Vec<f64> = ids
        .iter()
        .filter_map(|id| counter_rate(store, *id, end_ms, range_ms, rate, points))
        .collect();
    (!rates.is_empty()).then(|| kahan_sum(rates))
}

/// What `rate` needs of a counter's samples in one window: the change
/// from the first to the last (counter resets added back), those two
/// samples and how many there are.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WindowSummary {
    change: f64,
    first: (i64, f64),
    last: (i64, f64),
    count: usize,
}

impl WindowSummary {
    /// `rate` (or `increase`) over `(end − range, end]`, as Prometheus
    /// computes it from these samples.
    pub fn rate(&self, end_ms: i64, range_ms: i64, rate: bool) -> Option<f64> {
        extrapolated_change(
            self.change,
            self.first,
            self.last,
            self.count,
            (end_ms - range_ms, end_ms),
            true,
            rate,
        )
    }
}

/// A counter's [`WindowSummary`] over several windows ending at the newest
/// evaluation, kept up to date as samples arrive (each step adds the new
/// sample and drops those that left a window) instead of read again:
/// the same summaries as a range selector's samples give, in constant
/// time a step.
/// The change is `last − first` plus the resets inside the window, so
/// without a reset it is exactly what PromQL computes.
#[derive(Clone, Debug)]
pub struct SlidingCounter<const N: usize> {
    id: SeriesId,
    ranges_ms: [i64; N],
    /// Per window: (first sample, last sample, count, resets) in it.
    windows: [Option<(Sample, Sample, usize, f64)>; N],
    /// Time of the newest sample taken in.
    seen_ms: Option<i64>,
    /// Where the newest sample taken in and each window's first sample
    /// were in the series at the last advance: hints that spare a binary
    /// search, checked against the timestamps before use.
    seen_at: usize,
    first_at: [usize; N],
}

/// The index of the sample at time `t` in `series`, looked for at `guess`
/// and the few places before it (where the oldest samples dropped since
/// moved it), then by binary search; None if it is no longer there.
fn index_of(series: &Series, t: i64, guess: usize) -> Option<usize> {
    let len = series.len();
    if let Some(i) = (0..4)
        .filter_map(|back| guess.checked_sub(back))
        .find(|&i| i < len && series.sample(i).0 == t)
    {
        return Some(i);
    }
    let after = series.partition_after(t);
    (after > 0 && series.sample(after - 1).0 == t).then(|| after - 1)
}

type Sample = (i64, f64);

impl<const N: usize> SlidingCounter<N> {
    /// A counter `id` over windows of `ranges_ms`, with nothing taken in yet.
    pub fn new(id: SeriesId, ranges_ms: [i64; N]) -> SlidingCounter<N> {
        SlidingCounter {
            id,
            ranges_ms,
            windows: [None; N],
            seen_ms: None,
            seen_at: 0,
            first_at: [0; N],
        }
    }

    /// Takes in the samples of `store` up to `end_ms` not yet seen and
    /// drops those no longer in each window `(end − range, end]` (or no
    /// longer in the store).
    pub fn advance(&mut self, store: &Store, end_ms: i64) {
        let Some(series) = store.get(self.id) else {
            return;
        };
        // Timestamps strictly increase in a series, so the index after the
        // newest sample seen is where to go on from.
        let seen = self
            .seen_ms
            .map(|t| (t, index_of(&series, t, self.seen_at)));
        let from = match seen {
            None => 0,
            Some((_, Some(i))) => i + 1,
            Some((t, None)) => series.partition_after(t),
        };
        // The oldest samples the store dropped since: the hints move back as many.
        let dropped = match seen {
            Some((_, Some(i))) => self.seen_at.saturating_sub(i),
            _ => 0,
        };
        for first_at in &mut self.first_at {
            *first_at = first_at.saturating_sub(dropped);
        }
        let to = series.partition_after(end_ms);
        for i in from..to {
            let (t, v) = series.sample(i);
            self.seen_ms = Some(t);
            self.seen_at = i;
            if is_stale_nan(v) {
                continue;
            }
            for (window, first_at) in self.windows.iter_mut().zip(&mut self.first_at) {
                *window = Some(match *window {
                    None => {
                        *first_at = i;
                        ((t, v), (t, v), 1, 0.0)
                    }
                    Some((first, last, count, resets)) => {
                        let reset = if v < last.1 { last.1 } else { 0.0 };
                        (first, (t, v), count + 1, resets + reset)
                    }
                });
            }
        }
        let oldest = if series.is_empty() {
            i64::MAX
        } else {
            series.sample(0).0
        };
        for ((window, range), first_at) in self
            .windows
            .iter_mut()
            .zip(self.ranges_ms)
            .zip(&mut self.first_at)
        {
            while let Some((first, last, count, resets)) = *window {
                if first.0 > end_ms - range && first.0 >= oldest {
                    break;
                }
                if count == 1 {
                    *window = None;
                    break;
                }
                // The next sample after the first that is not a staleness marker.
                let mut i = match index_of(&series, first.0, *first_at) {
                    Some(at) => at + 1,
                    None => series.partition_after(first.0),
                };
                let next = loop {
                    if i >= to {
                        break None;
                    }
                    let (t, v) = series.sample(i);
                    if !is_stale_nan(v) {
                        break Some((t, v));
                    }
                    i += 1;
                };
                let Some(next) = next else {
                    *window = None;
                    break;
                };
                let reset = if next.1 < first.1 { first.1 } else { 0.0 };
                *window = Some((next, last, count - 1, resets - reset));
                *first_at = i;
            }
        }
    }

    /// The counter.
    pub fn id(&self) -> SeriesId {
        self.id
    }

    /// The summary of window `w`, if it has samples.
    pub fn summary(&self, w: usize) -> Option<WindowSummary> {
        let (first, last, count, resets) = self.windows.get(w).copied().flatten()?;
        Some(WindowSummary {
            // Adding no reset (0.0) leaves `last − first` exactly as PromQL has it.
            change: last.1 - first.1 + resets,
            first,
            last,
            count,
        })
    }
}

/// The newest sample of a series as an instant selector sees it at `time_ms`.
fn newest(store: &Store, id: SeriesId, time_ms: i64) -> Option<f64> {
    let series = store.get(id)?;
    let after = series.partition_after(time_ms);
    if after == 0 {
        return None;
    }
    let (t, v) = series.sample(after - 1);
    (t > time_ms.saturating_sub(LOOKBACK_MS) && !is_stale_nan(v)).then_some(v)
}

/// The series of a service's `metric` whose labels `keep` accepts.
pub(crate) fn service_series(
    store: &Store,
    metric: &str,
    service: &str,
    keep: impl Fn(&Labels) -> bool,
) -> Vec<SeriesId> {
    store
        .named(metric)
        .iter()
        .copied()
        .filter(|id| {
            store.get(*id).is_some_and(|s| {
                s.labels().get("service").unwrap_or("") == service && keep(s.labels())
            })
        })
        .collect()
}

/// The series of a service's `metric` that carry every label in `labels`.
fn find(store: &Store, metric: &str, service: &str, labels: &[(&str, &str)]) -> Vec<SeriesId> {
    service_series(store, metric, service, |l| {
        labels.iter().all(|(k, v)| l.get(k).unwrap_or("") == *v)
    })
}

/// A rule resolved against a store: the series its expression reads.
#[derive(Clone, Debug, PartialEq)]
enum Resolved {
    /// A gauge now or over a window.
    Gauge(Vec<SeriesId>),
    /// `sum(rate(errors)) / sum(rate(all))`.
    ErrorRatio {
        errors: Vec<SeriesId>,
        all: Vec<SeriesId>,
    },
    /// `sum(rate(…))` or `sum(increase(…))`.
    Sum(Vec<SeriesId>),
    /// `histogram_quantile` of the bucket rates: (upper bound, series).
    Quantile(Vec<(f64, SeriesId)>),
    /// Burn-rate conditions: (long window's series, short window's, threshold).
    Burn(Vec<(Vec<SeriesId>, Vec<SeriesId>, f64)>),
}

impl Resolved {
    fn of(scenario: &Scenario, rule: &AlertRule, store: &Store) -> Resolved {
        let service = rule.service.as_str();
        match rule.query {
            RuleQuery::Gauge | RuleQuery::OverTime { .. } => {
                Resolved::Gauge(find(store, gauge_for(rule.metric), service, &[]))
            }
            RuleQuery::Rate { .. } if rule.metric == Signal::ErrorRatio => Resolved::ErrorRatio {
                errors: five_hundreds(store, service),
                all: find(store, "http_requests_total", service, &[]),
            },
            RuleQuery::Rate { .. }
                if matches!(
                    rule.metric,
                    Signal::LatencyP50Seconds | Signal::LatencyP99Seconds
                ) =>
            {
                let buckets = find(store, "http_request_duration_seconds_bucket", service, &[])
                    .into_iter()
                    .filter_map(|id| {
                        let series = store.get(id)?;
                        let le = series.labels().get("le")?;
                        let bound = if le == "+Inf" {
                            f64::INFINITY
                        } else {
                            le.parse().ok()?
                        };
                        Some((bound, id))
                    })
                    .collect();
                Resolved::Quantile(buckets)
            }
            RuleQuery::Increase { .. } if rule.metric == Signal::ErrorRatio => {
                Resolved::Sum(five_hundreds(store, service))
            }
            RuleQuery::Rate { .. } | RuleQuery::Increase { .. } => {
                Resolved::Sum(find(store, "http_requests_total", service, &[]))
            }
            RuleQuery::BurnRate { slo, page } => {
                let Some(spec) = scenario.slos.get(slo) else {
                    return Resolved::Burn(Vec::new());
                };
                let budget = spec.error_budget();
                let window = |w: usize| {
                    find(
                        store,
                        &format!("slo:sli_error:ratio_rate{}", SLI_WINDOWS[w].1),
                        &spec.service,
                        &[("slo", spec.kind.name())],
                    )
                };
                Resolved::Burn(
                    spec.burn_conditions(page)
                        .iter()
                        .map(|c| (window(c.long), window(c.short), c.factor * budget))
                        .collect(),
                )
            }
        }
    }

    /// The value the expression compares with the threshold at `time_ms`,
    /// if it returns one (for a burn-rate rule, 1 when a condition holds).
    fn value(
        &self,
        rule: &AlertRule,
        store: &Store,
        time_ms: i64,
        points: &mut Vec<(i64, f64)>,
    ) -> Option<f64> {
        match (self, rule.query) {
            (
                Resolved::Gauge(ids),
                RuleQuery::OverTime {
                    over,
                    window_seconds,
                },
            ) => ids.iter().find_map(|id| {
                window_points(store, *id, time_ms, window_seconds as i64 * 1000, points);
                let values: Vec<f64> = points.iter().map(|p| p.1).collect();
                let first = *values.first()?;
                Some(match over {
                    crate::scenario::OverTime::Avg => mean(&values),
                    crate::scenario::OverTime::Max => {
                        values.iter().skip(1).fold(first, |acc, v| {
                            if *v > acc || acc.is_nan() {
                                *v
                            } else {
                                acc
                            }
                        })
                    }
                    crate::scenario::OverTime::Min => {
                        values.iter().skip(1).fold(first, |acc, v| {
                            if *v < acc || acc.is_nan() {
                                *v
                            } else {
                                acc
                            }
                        })
                    }
                })
            }),
            (Resolved::Gauge(ids), _) => ids.iter().find_map(|id| newest(store, *id, time_ms)),
            (Resolved::ErrorRatio { errors, all }, RuleQuery::Rate { window_seconds }) => {
                let range = window_seconds as i64 * 1000;
                let errors = summed_rate(store, errors, time_ms, range, true, points)?;
                let all = summed_rate(store, all, time_ms, range, true, points)?;
                Some(errors / all)
            }
            (Resolved::Sum(ids), RuleQuery::Rate { window_seconds }) => summed_rate(
                store,
                ids,
                time_ms,
                window_seconds as i64 * 1000,
                true,
                points,
            ),
            (Resolved::Sum(ids), RuleQuery::Increase { window_seconds }) => summed_rate(
                store,
                ids,
                time_ms,
                window_seconds as i64 * 1000,
                false,
                points,
            ),
            (Resolved::Quantile(buckets), RuleQuery::Rate { window_seconds }) => {
                let range = window_seconds as i64 * 1000;
                let mut rated: Vec<Bucket> = buckets
                    .iter()
                    .filter_map(|(bound, id)| {
                        counter_rate(store, *id, time_ms, range, true, points).map(|count| Bucket {
                            upper_bound: *bound,
                            count,
                        })
                    })
                    .collect();
                if rated.is_empty() {
                    return None;
                }
                Some(bucket_quantile(quantile_of(rule.metric), &mut rated).value)
            }
            (Resolved::Burn(conditions), _) => {
                let above = |ids: &[SeriesId], threshold: f64| {
                    ids.iter()
                        .any(|id| newest(store, *id, time_ms).is_some_and(|v| v > threshold))
                };
                conditions
                    .iter()
                    .any(|(long, short, threshold)| {
                        above(long, *threshold) && above(short, *threshold)
                    })
                    .then_some(1.0)
            }
            _ => None,
        }
    }

    fn holds(
        &self,
        rule: &AlertRule,
        store: &Store,
        time_ms: i64,
        points: &mut Vec<(i64, f64)>,
    ) -> bool {
        let Some(value) = self.value(rule, store, time_ms, points) else {
            return false;
        };
        match rule.query {
            RuleQuery::BurnRate { .. } => true,
            _ => match rule.comparison {
                Comparison::Above => value > rule.threshold,
                Comparison::Below => value < rule.threshold,
            },
        }
    }
}

/// A service's `http_requests_total` series with a 5xx code.
pub(crate) fn five_hundreds(store: &Store, service: &str) -> Vec<SeriesId> {
    service_series(store, "http_requests_total", service, |l| {
        let code = l.get("code").unwrap_or("");
        code.len() == 3 && code.starts_with('5')
    })
}

/// A scenario's alert rules, in rule order: the rules, resolved against a
/// store for the direct evaluation, and (with the `promql` feature) their
/// parsed PromQL expressions. Cheap to clone.
#[derive(Clone, Debug)]
pub struct RuleSet {
    scenario: Arc<Scenario>,
    resolved: Arc<[Resolved]>,
    #[cfg(feature = "promql")]
    exprs: Arc<[Result<Prepared, QueryError>]>,
}

impl RuleSet {
    /// The rules of `scenario` (with the `promql` feature, each expression
    /// parsed too).
    pub fn new(scenario: &Scenario) -> RuleSet {
        RuleSet {
            scenario: Arc::new(scenario.clone()),
            resolved: Arc::from(Vec::new()),
            #[cfg(feature = "promql")]
            exprs: {
                let engine = Engine::default();
                scenario
                    .alerts
                    .iter()
                    .map(|rule| engine.prepare(&rule_expr(scenario, rule)))
                    .collect()
            },
        }
    }

    /// The same rules resolved against `store`, for [`RuleSet::holds_fast`]
    /// over it and its clones (whose series keep their ids).
    pub fn resolve(&self, store: &Store) -> RuleSet {
        RuleSet {
            resolved: self
                .scenario
                .alerts
                .iter()
                .map(|rule| Resolved::of(&self.scenario, rule, store))
                .collect(),
            ..self.clone()
        }
    }

    /// Whether rule `index` is resolved for [`RuleSet::holds_fast`].
    pub fn has_fast_path(&self, index: usize) -> bool {
        index < self.resolved.len()
    }

    /// Whether the condition of rule `index` holds at `time_ms`, computed
    /// directly from the series its expression reads (the store must be
    /// the one of [`RuleSet::resolve`] or a clone of it). A rule not
    /// resolved, or an index out of range, never holds.
    pub fn holds_fast(&self, index: usize, store: &Store, time_ms: i64) -> bool {
        let mut points = Vec::new();
        self.holds_fast_with(index, store, time_ms, &mut points)
    }

    /// [`RuleSet::holds_fast`] with a scratch buffer for the windows' samples.
    pub fn holds_fast_with(
        &self,
        index: usize,
        store: &Store,
        time_ms: i64,
        points: &mut Vec<(i64, f64)>,
    ) -> bool {
        match (self.resolved.get(index), self.scenario.alerts.get(index)) {
            (Some(resolved), Some(rule)) => resolved.holds(rule, store, time_ms, points),
            _ => false,
        }
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.scenario.alerts.len()
    }

    /// Whether there is no rule.
    pub fn is_empty(&self) -> bool {
        self.scenario.alerts.is_empty()
    }
}

#[cfg(feature = "promql")]
impl RuleSet {
    /// The expression of rule `index`, if it parsed.
    pub fn expr(&self, index: usize) -> Option<&str> {
        self.exprs
            .get(index)
            .and_then(|e| e.as_ref().ok())
            .map(Prepared::query)
    }

    /// Why the expression of rule `index` did not parse, if it did not.
    pub fn error(&self, index: usize) -> Option<&QueryError> {
        self.exprs.get(index).and_then(|e| e.as_ref().err())
    }

    /// Whether the condition of rule `index` holds at `time_ms` as
    /// Prometheus decides it: its PromQL expression returns at least one
    /// sample there. A rule that does not parse or fails to evaluate never
    /// holds (Prometheus marks such a rule unhealthy and fires nothing);
    /// neither does an index out of range.
    pub fn holds(&self, index: usize, store: &Store, time_ms: i64) -> bool {
        match self.exprs.get(index) {
            Some(Ok(expr)) => match expr.instant(store, time_ms) {
                Ok(result) => match result.value {
                    Value::Vector(samples) => !samples.is_empty(),
                    Value::Scalar { .. } | Value::String { .. } | Value::Matrix(_) => false,
                },
                Err(_) => false,
            },
            _ => false,
        }
    }
}

#[cfg(all(test, feature = "promql"))]
mod tests {
    use super::*;
    use crate::scenario::{AlertRule, Catalog, Comparison, Signal};
    use crate::series::Labels;

    #[test]
    fn the_lookback_is_the_engines() {
        assert_eq!(LOOKBACK_MS, Engine::default().lookback_delta_ms);
    }

    #[test]
    fn every_builtin_rule_parses() {
        for scenario in Catalog::builtin().scenarios() {
            let rules = RuleSet::new(scenario);
            for (i, rule) in scenario.alerts.iter().enumerate() {
                assert_eq!(
                    rules.expr(i),
                    Some(rule_expr(scenario, rule).as_str()),
                    "{} {}: {:?}",
                    scenario.id,
                    rule.name,
                    rules.error(i)
                );
            }
        }
    }

    #[test]
    fn a_service_name_with_quotes_and_backslashes_is_escaped() {
        let mut scenario = Catalog::builtin()
            .get("connection-pool-exhaustion-v1")
            .map(|s| (**s).clone())
            .expect("a built-in scenario");
        let service = "we\"ird\\name";
        scenario.alerts = vec![AlertRule {
            name: "Weird".into(),
            service: service.into(),
            metric: Signal::QueueDepth,
            query: RuleQuery::Gauge,
            comparison: Comparison::Below,
            threshold: 3.0,
            for_steps: 0,
            severity: "info".into(),
            summary: "weird".into(),
        }];
        let rules = RuleSet::new(&scenario);
        assert!(rules.error(0).is_none(), "{:?}", rules.error(0));
        let mut store = Store::new(4);
        let id = store.series_id(Labels::new(vec![
            ("__name__".into(), "queue_depth".into()),
            ("service".into(), service.into()),
        ]));
        store.append(id, 0, 2.0);
        let resolved = rules.resolve(&store);
        assert!(rules.holds(0, &store, 0));
        assert!(resolved.holds_fast(0, &store, 0));
        store.append(id, 30_000, 4.0);
        assert!(!rules.holds(0, &store, 30_000));
        assert!(!resolved.holds_fast(0, &store, 30_000));
        assert!(!rules.holds(1, &store, 30_000), "no such rule");
        assert!(!resolved.holds_fast(1, &store, 30_000), "no such rule");
    }
}
