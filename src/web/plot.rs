//! What the charts show, worked out apart from the drawing (`app/chart.rs`
//! and `app/promql.rs` draw it) so `cargo test` runs it: the signal the
//! degradation chart opens on, the services that moved furthest from
//! their healthy baseline, and both axes' ticks and labels.
//!
//! Time on every chart is in minutes from the incident's start: the
//! degradation chart's x axis and the PromQL console's range charts read
//! `−20 min`, `0`, `+5 min`.
//!
//! ```
//! use firedrill::env::AlertState;
//! use firedrill::web::plot::{changes, default_signal, summary, ChartSignal};
//! // The firing alert watches errors: the chart opens on the error ratio.
//! let signal = default_signal([("error_ratio", AlertState::Firing)], |_| None);
//! assert_eq!(signal, ChartSignal::ErrorRatio);
//! let checkout = [(-10.0, 0.004), (-5.0, 0.004), (0.0, 0.05), (5.0, 0.19)];
//! let search = [(-10.0, 0.02), (-5.0, 0.02), (0.0, 0.021), (5.0, 0.026)];
//! let ranked = changes(signal, [("checkout", &checkout[..]), ("search", &search[..])]);
//! assert_eq!(
//!     summary(signal, &ranked),
//!     "Most changed from its healthy baseline: checkout: error ratio 0.4% → 19%."
//! );
//! ```

use crate::env::AlertState;
use crate::web::format::{readable_value, significant, Unit, SIGNIFICANT_DIGITS};

/// A signal the degradation chart can plot, one line per service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChartSignal {
    /// The 5xx ratio (`error_ratio`).
    ErrorRatio,
    /// The 99th percentile latency (`latency_p99_seconds`).
    LatencyP99,
}

impl ChartSignal {
    /// Every signal, in the order the chart's switch offers them.
    pub const ALL: [ChartSignal; 2] = [ChartSignal::ErrorRatio, ChartSignal::LatencyP99];

    /// The gauge plotted.
    pub fn metric(self) -> &'static str {
        match self {
            ChartSignal::ErrorRatio => "error_ratio",
            ChartSignal::LatencyP99 => "latency_p99_seconds",
        }
    }

    /// Its name in a sentence.
    pub fn label(self) -> &'static str {
        match self {
            ChartSignal::ErrorRatio => "error ratio",
            ChartSignal::LatencyP99 => "p99 latency",
        }
    }

    /// The signal plotting the gauge `metric` (the switch's value).
    pub fn from_metric(metric: &str) -> Option<ChartSignal> {
        ChartSignal::ALL.into_iter().find(|s| s.metric() == metric)
    }

    /// The signal that shows what an alert on `metric` watches: an
    /// alert on the median latency is seen in the p99 too.
    pub fn of_alert(metric: &str) -> Option<ChartSignal> {
        match metric {
            "error_ratio" => Some(ChartSignal::ErrorRatio),
            "latency_p99_seconds" | "latency_p50_seconds" => Some(ChartSignal::LatencyP99),
            _ => None,
        }
    }

    /// The unit of its values.
    pub fn unit(self) -> Unit {
        Unit::of_metric(Some(self.metric()))
    }

    /// The smallest baseline a change is measured against, so that noise
    /// on a near-zero baseline (0.1% → 0.2% errors) is not a large change:
    /// one percentage point of errors, 50 ms of latency.
    pub fn baseline_floor(self) -> f64 {
        match self {
            ChartSignal::ErrorRatio => 0.01,
            ChartSignal::LatencyP99 => 0.05,
        }
    }

    /// The least top of the value axis, so a healthy fleet's lines lie low
    /// instead of filling the chart with noise: 5% errors, 10 ms.
    pub fn least_top(self) -> f64 {
        match self {
            ChartSignal::ErrorRatio => 0.05,
            ChartSignal::LatencyP99 => 0.01,
        }
    }
}

/// The signal the chart opens on: the one most firing alerts watch (the
/// first listed on a tie: the observation lists firing and critical
/// first); with none firing, the one most pending alerts watch; else the
/// one whose most changed service moved furthest from its baseline
/// (`furthest` gives that deviation, `None` for no data); else the error
/// ratio, what users feel first.
pub fn default_signal<'a>(
    alerts: impl IntoIterator<Item = (&'a str, AlertState)>,
    furthest: impl Fn(ChartSignal) -> Option<f64>,
) -> ChartSignal {
    let alerts: Vec<(ChartSignal, AlertState)> = alerts
        .into_iter()
        .filter_map(|(metric, state)| Some((ChartSignal::of_alert(metric)?, state)))
        .collect();
    for wanted in [AlertState::Firing, AlertState::Pending] {
        let watched: Vec<ChartSignal> = alerts
            .iter()
            .filter(|(_, state)| *state == wanted)
            .map(|(signal, _)| *signal)
            .collect();
        let count = |signal: ChartSignal| watched.iter().filter(|s| **s == signal).count();
        // The first listed among those with the most alerts.
        let most = watched.iter().map(|s| count(*s)).max().unwrap_or(0);
        if let Some(signal) = watched.iter().find(|s| count(**s) == most) {
            return *signal;
        }
    }
    let moved = |signal| furthest(signal).filter(|d: &f64| d.is_finite());
    match (
        moved(ChartSignal::ErrorRatio),
        moved(ChartSignal::LatencyP99),
    ) {
        (Some(errors), Some(latency)) if latency > errors => ChartSignal::LatencyP99,
        (None, Some(_)) => ChartSignal::LatencyP99,
        _ => ChartSignal::ErrorRatio,
    }
}

/// How far a service moved from its healthy baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The service.
    pub service: String,
    /// Its value before the incident (see [`baseline`]).
    pub baseline: f64,
    /// Its latest value.
    pub now: f64,
    /// `|now − baseline|` relative to the baseline (at least the signal's
    /// [`ChartSignal::baseline_floor`]): 1.0 is a doubling.
    pub deviation: f64,
}

/// Deviation below which a service has not really moved (a rise by half
/// of its baseline, or of half the floor).
pub const NOTABLE_DEVIATION: f64 = 0.5;

/// A service's healthy baseline: the median of its samples before the
/// incident's start (minute 0), or its first sample if it has none.
/// Samples are (minutes from the start, value).
pub fn baseline(points: &[(f64, f64)]) -> Option<f64> {
    let mut before: Vec<f64> = points
        .iter()
        .filter(|(t, v)| *t < 0.0 && v.is_finite())
        .map(|(_, v)| *v)
        .collect();
    if before.is_empty() {
        return points.iter().map(|p| p.1).find(|v| v.is_finite());
    }
    before.sort_by(f64::total_cmp);
    let middle = before.len() / 2;
    Some(if before.len().is_multiple_of(2) {
        (before[middle - 1] + before[middle]) / 2.0
    } else {
        before[middle]
    })
}

/// Every service's change from its healthy baseline to its latest sample,
/// furthest first (by name on a tie). `lines` are (service, samples as
/// (minutes from the start, value)); a service without samples is left out.
pub fn changes<'a>(
    signal: ChartSignal,
    lines: impl IntoIterator<Item = (&'a str, &'a [(f64, f64)])>,
) -> Vec<Change> {
    let mut changes: Vec<Change> = lines
        .into_iter()
        .filter_map(|(service, points)| {
            let baseline = baseline(points)?;
            let now = points.iter().rev().map(|p| p.1).find(|v| v.is_finite())?;
            let deviation = (now - baseline).abs() / baseline.abs().max(signal.baseline_floor());
            Some(Change {
                service: service.to_string(),
                baseline,
                now,
                deviation,
            })
        })
        .collect();
    changes.sort_by(|a, b| {
        b.deviation
            .total_cmp(&a.deviation)
            .then_with(|| a.service.cmp(&b.service))
    });
    changes
}

/// A change in a few words: `checkout: error ratio 0.4% → 19%` (values to
/// two significant digits).
pub fn change_text(signal: ChartSignal, change: &Change) -> String {
    format!(
        "{}: {} {} → {}",
        change.service,
        signal.label(),
        short_value(signal, change.baseline),
        short_value(signal, change.now)
    )
}

/// A value for a sentence: two significant digits in the signal's unit.
fn short_value(signal: ChartSignal, value: f64) -> String {
    match signal.unit() {
        Unit::Ratio => format!("{}%", significant(value * 100.0, 2)),
        Unit::Seconds if value.abs() < 1.0 => format!("{} ms", significant(value * 1000.0, 2)),
        Unit::Seconds => format!("{} s", significant(value, 2)),
        Unit::Plain => significant(value, 2),
    }
}

/// The chart's one-line reading: the (at most two) services that moved
/// furthest from their baseline, or that none moved much. `changes` are
/// furthest first, as [`changes`] gives them.
pub fn summary(signal: ChartSignal, changes: &[Change]) -> String {
    let notable: Vec<String> = changes
        .iter()
        .filter(|c| c.deviation >= NOTABLE_DEVIATION)
        .take(2)
        .map(|c| change_text(signal, c))
        .collect();
    if notable.is_empty() {
        format!(
            "No service's {} has moved far from its healthy baseline.",
            signal.label()
        )
    } else {
        format!(
            "Most changed from its healthy baseline: {}.",
            notable.join("; ")
        )
    }
}

/// A value axis: its ends and ticks, at a "nice" step (1, 2 or 5 times a
/// power of ten).
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// Lowest value shown (the first tick).
    pub low: f64,
    /// Highest value shown (the last tick).
    pub high: f64,
    /// The ticks, from `low` to `high`.
    pub ticks: Vec<f64>,
}

/// The value axis over `min..=max` with at most `max_ticks` ticks (at
/// least 2), its ends on ticks.
///
/// ```
/// let axis = firedrill::web::plot::value_axis(0.0, 0.19, 6);
/// assert_eq!(axis.ticks, vec![0.0, 0.05, 0.1, 0.15, 0.2]);
/// ```
pub fn value_axis(min: f64, max: f64, max_ticks: usize) -> Axis {
    let (mut min, mut max) = if min.is_finite() && max.is_finite() && min <= max {
        (min, max)
    } else {
        (0.0, 1.0)
    };
    if max - min < f64::EPSILON * max.abs().max(1.0) {
        let pad = if max == 0.0 { 1.0 } else { max.abs() * 0.1 };
        min -= if min >= 0.0 && min - pad < 0.0 {
            min
        } else {
            pad
        };
        max += pad;
    }
    let max_ticks = max_ticks.max(2);
    let raw = (max - min) / (max_ticks - 1) as f64;
    let mut power = 10f64.powf(raw.log10().floor());
    let mut factor = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .position(|f| f * power >= raw * (1.0 - 1e-9))
        .unwrap_or(3);
    loop {
        let step = [1.0, 2.0, 5.0, 10.0][factor] * power;
        let first = (min / step + 1e-9).floor() as i64;
        let last = (max / step - 1e-9).ceil() as i64;
        let count = (last - first + 1) as usize;
        if count <= max_ticks || step > (max - min) * 10.0 {
            let ticks: Vec<f64> = (first..=last).map(|k| tidy(k as f64 * step)).collect();
            return Axis {
                low: ticks[0],
                high: ticks[ticks.len() - 1],
                ticks,
            };
        }
        factor += 1;
        if factor == 4 {
            factor = 1;
            power *= 10.0;
        }
    }
}

/// `k × step` without the float noise (`0.30000000000000004` → `0.3`) and
/// without `-0`.
fn tidy(value: f64) -> f64 {
    let rounded = significant(value, 12).parse().unwrap_or(value);
    if rounded == 0.0 {
        0.0
    } else {
        rounded
    }
}

/// Steps of a time axis, in minutes: what a clock reads.
const MINUTE_STEPS: [f64; 12] = [
    1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 240.0, 720.0, 1440.0,
];

/// Ticks of a time axis from minute `first` to `last` (from the incident's
/// start): every multiple of the shortest clock step (1, 2, 5, 10, 15, 20,
/// 30 minutes, hours) that gives at most `max_ticks` ticks (at least 2).
///
/// ```
/// let ticks = firedrill::web::plot::minute_ticks(-20.0, 10.0, 8);
/// assert_eq!(ticks, vec![-20.0, -15.0, -10.0, -5.0, 0.0, 5.0, 10.0]);
/// ```
pub fn minute_ticks(first: f64, last: f64, max_ticks: usize) -> Vec<f64> {
    if !(first.is_finite() && last.is_finite()) || first > last {
        return Vec::new();
    }
    let max_ticks = max_ticks.max(2);
    let ticks_at = |step: f64| -> Vec<f64> {
        let from = (first / step - 1e-9).ceil() as i64;
        let to = (last / step + 1e-9).floor() as i64;
        (from..=to).map(|k| tidy(k as f64 * step)).collect()
    };
    MINUTE_STEPS
        .into_iter()
        .map(ticks_at)
        .find(|ticks| ticks.len() <= max_ticks)
        .unwrap_or_else(|| ticks_at(MINUTE_STEPS[MINUTE_STEPS.len() - 1]))
}

/// A time tick's label: `0` at the incident's start, `+5 min` after it,
/// `−20 min` (a true minus sign) before it.
///
/// ```
/// use firedrill::web::plot::minutes_label;
/// assert_eq!(minutes_label(-20.0), "−20 min");
/// assert_eq!(minutes_label(0.0), "0");
/// assert_eq!(minutes_label(5.0), "+5 min");
/// ```
pub fn minutes_label(minutes: f64) -> String {
    // To the second: a tick a float's width off zero is zero.
    let minutes = (minutes * 60.0).round() / 60.0;
    let magnitude = significant(minutes.abs(), SIGNIFICANT_DIGITS);
    if magnitude == "0" {
        String::from("0")
    } else if minutes < 0.0 {
        format!("−{magnitude} min")
    } else {
        format!("+{magnitude} min")
    }
}

/// A value tick's label: the value in its unit, rounded as everywhere else.
pub fn value_label(unit: Unit, value: f64) -> String {
    readable_value(unit, value)
}

/// How many ticks an axis `length` long can carry when each label takes
/// `label_length` along it and `gap` must separate neighbours (at least
/// 2): labels centred on ticks a `label_length + gap` apart never touch.
///
/// ```
/// assert_eq!(firedrill::web::plot::tick_room(276.0, 50.0, 12.0), 5);
/// ```
pub fn tick_room(length: f64, label_length: f64, gap: f64) -> usize {
    let each = label_length + gap;
    if !(each > 0.0 && length.is_finite() && length > 0.0) {
        return 2;
    }
    ((length / each).floor() as usize + 1).max(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ERRORS: &str = "error_ratio";
    const P99: &str = "latency_p99_seconds";

    /// Alerts as (watched metric, state), in the observation's order.
    type Alerts<'a> = &'a [(&'a str, AlertState)];
    /// Samples as (minutes from the incident's start, value).
    type Samples<'a> = &'a [(f64, f64)];

    #[test]
    fn the_chart_opens_on_what_the_alerts_watch() {
        use AlertState::{Firing, Pending, Resolved};
        let nothing_moved = |_| None;
        let cases: [(&str, Alerts, ChartSignal); 9] = [
            (
                "a firing error alert",
                &[(ERRORS, Firing)],
                ChartSignal::ErrorRatio,
            ),
            (
                "a firing latency alert",
                &[(P99, Firing)],
                ChartSignal::LatencyP99,
            ),
            (
                "a median latency alert shows in the p99",
                &[("latency_p50_seconds", Firing)],
                ChartSignal::LatencyP99,
            ),
            (
                "most firing alerts win",
                &[(P99, Firing), (ERRORS, Firing), (ERRORS, Firing)],
                ChartSignal::ErrorRatio,
            ),
            (
                "on a tie, the first listed",
                &[(P99, Firing), (ERRORS, Firing)],
                ChartSignal::LatencyP99,
            ),
            (
                "firing beats pending",
                &[(P99, Pending), (P99, Pending), (ERRORS, Firing)],
                ChartSignal::ErrorRatio,
            ),
            (
                "pending when nothing fires",
                &[(P99, Pending), (ERRORS, Resolved)],
                ChartSignal::LatencyP99,
            ),
            (
                "alerts on other signals do not count",
                &[("queue_depth", Firing), (P99, Pending)],
                ChartSignal::LatencyP99,
            ),
            ("no alert: error ratio", &[], ChartSignal::ErrorRatio),
        ];
        for (name, alerts, expected) in cases {
            assert_eq!(
                default_signal(alerts.iter().copied(), nothing_moved),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn without_alerts_the_chart_opens_on_the_signal_that_moved_most() {
        let moved = |errors: Option<f64>, latency: Option<f64>| {
            default_signal([], move |signal| match signal {
                ChartSignal::ErrorRatio => errors,
                ChartSignal::LatencyP99 => latency,
            })
        };
        assert_eq!(moved(Some(0.2), Some(3.0)), ChartSignal::LatencyP99);
        assert_eq!(moved(Some(3.0), Some(0.2)), ChartSignal::ErrorRatio);
        assert_eq!(moved(Some(1.0), Some(1.0)), ChartSignal::ErrorRatio);
        assert_eq!(moved(None, Some(0.1)), ChartSignal::LatencyP99);
        assert_eq!(moved(Some(f64::NAN), Some(0.1)), ChartSignal::LatencyP99);
        assert_eq!(moved(None, None), ChartSignal::ErrorRatio);
        // An alert outweighs any movement.
        assert_eq!(
            default_signal([(ERRORS, AlertState::Firing)], |_| Some(9.0)),
            ChartSignal::ErrorRatio
        );
    }

    #[test]
    fn switch_values_and_alert_metrics_name_signals() {
        for signal in ChartSignal::ALL {
            assert_eq!(ChartSignal::from_metric(signal.metric()), Some(signal));
        }
        assert_eq!(ChartSignal::from_metric("latency_p50_seconds"), None);
        assert_eq!(ChartSignal::from_metric(""), None);
        assert_eq!(ChartSignal::of_alert("saturation_ratio"), None);
        assert_eq!(ChartSignal::ErrorRatio.unit(), Unit::Ratio);
        assert_eq!(ChartSignal::LatencyP99.unit(), Unit::Seconds);
    }

    #[test]
    fn the_baseline_is_the_median_before_the_start() {
        let cases: [(&str, Samples, Option<f64>); 6] = [
            ("no samples", &[], None),
            (
                "odd count",
                &[(-3.0, 0.3), (-2.0, 0.1), (-1.0, 0.2), (1.0, 9.0)],
                Some(0.2),
            ),
            (
                "even count",
                &[(-2.0, 0.1), (-1.0, 0.3), (0.0, 9.0)],
                Some(0.2),
            ),
            (
                "a spike before the start is ignored",
                &[(-3.0, 0.1), (-2.0, 5.0), (-1.0, 0.1)],
                Some(0.1),
            ),
            (
                "nothing before the start: the first sample",
                &[(0.0, 0.4), (1.0, 0.9)],
                Some(0.4),
            ),
            (
                "NaN is skipped",
                &[(-2.0, f64::NAN), (-1.0, 0.5), (1.0, 1.0)],
                Some(0.5),
            ),
        ];
        for (name, points, expected) in cases {
            assert_eq!(baseline(points), expected, "{name}");
        }
    }

    /// The issue's case: a healthy service that wobbles and a 0.5% → 2.6%
    /// service must not outrank one that went from 19% to 38% errors
    /// since step 0 (0.4% before the incident).
    #[test]
    fn most_changed_ranks_by_deviation_from_the_baseline() {
        let healthy = [(-10.0, 0.001), (-5.0, 0.001), (0.0, 0.001), (3.0, 0.002)];
        let mild = [(-10.0, 0.005), (-5.0, 0.005), (0.0, 0.01), (3.0, 0.026)];
        let worst = [(-10.0, 0.004), (-5.0, 0.004), (0.0, 0.19), (3.0, 0.38)];
        let ranked = changes(
            ChartSignal::ErrorRatio,
            [
                ("auth", &healthy[..]),
                ("search", &mild[..]),
                ("checkout", &worst[..]),
            ],
        );
        let order: Vec<&str> = ranked.iter().map(|c| c.service.as_str()).collect();
        assert_eq!(order, ["checkout", "search", "auth"]);
        assert!((ranked[0].deviation - 37.6).abs() < 1e-9);
        assert!((ranked[2].deviation - 0.1).abs() < 1e-9, "floor of 1 point");
        assert_eq!(
            change_text(ChartSignal::ErrorRatio, &ranked[0]),
            "checkout: error ratio 0.4% → 38%"
        );
        assert_eq!(
            summary(ChartSignal::ErrorRatio, &ranked),
            "Most changed from its healthy baseline: checkout: error ratio 0.4% → 38%; search: error ratio 0.5% → 2.6%."
        );
    }

    #[test]
    fn latency_changes_are_relative_and_in_milliseconds() {
        let slow = [(-5.0, 0.2), (0.0, 0.2), (4.0, 1.5)];
        let faster = [(-5.0, 0.4), (0.0, 0.4), (4.0, 0.1)];
        let steady = [(-5.0, 0.012), (4.0, 0.03)];
        let ranked = changes(
            ChartSignal::LatencyP99,
            [
                ("api", &slow[..]),
                ("cache", &faster[..]),
                ("db", &steady[..]),
            ],
        );
        let texts: Vec<String> = ranked
            .iter()
            .map(|c| change_text(ChartSignal::LatencyP99, c))
            .collect();
        assert_eq!(
            texts,
            [
                "api: p99 latency 200 ms → 1.5 s",
                "cache: p99 latency 400 ms → 100 ms",
                "db: p99 latency 12 ms → 30 ms",
            ]
        );
        // 18 ms over a 50 ms floor: under the notable line.
        assert!(ranked[2].deviation < NOTABLE_DEVIATION);
    }

    #[test]
    fn a_calm_fleet_reads_as_calm() {
        let calm = [(-5.0, 0.002), (0.0, 0.002), (2.0, 0.003)];
        let ranked = changes(ChartSignal::ErrorRatio, [("api", &calm[..])]);
        assert_eq!(
            summary(ChartSignal::ErrorRatio, &ranked),
            "No service's error ratio has moved far from its healthy baseline."
        );
        assert_eq!(
            summary(ChartSignal::LatencyP99, &[]),
            "No service's p99 latency has moved far from its healthy baseline."
        );
    }

    #[test]
    fn ties_rank_by_name_and_empty_services_are_left_out() {
        let same = [(-1.0, 0.01), (1.0, 0.05)];
        let ranked = changes(
            ChartSignal::ErrorRatio,
            [("b", &same[..]), ("a", &same[..]), ("c", &[][..])],
        );
        let order: Vec<&str> = ranked.iter().map(|c| c.service.as_str()).collect();
        assert_eq!(order, ["a", "b"]);
    }

    #[test]
    fn value_axes_step_by_one_two_or_five() {
        let cases: [(&str, f64, f64, usize, &[f64]); 8] = [
            (
                "errors up to 19%",
                0.0,
                0.19,
                6,
                &[0.0, 0.05, 0.1, 0.15, 0.2],
            ),
            ("a ms axis", 0.0, 0.83, 6, &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
            ("fewer ticks", 0.0, 0.83, 3, &[0.0, 0.5, 1.0]),
            (
                "an offset range",
                97.0,
                103.0,
                5,
                &[96.0, 98.0, 100.0, 102.0, 104.0],
            ),
            (
                "negative values",
                -3.0,
                4.0,
                8,
                &[-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0],
            ),
            (
                "a flat zero line",
                0.0,
                0.0,
                6,
                &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
            ),
            ("a flat line", 5.0, 5.0, 6, &[4.5, 5.0, 5.5]),
            (
                "no data",
                f64::INFINITY,
                f64::NEG_INFINITY,
                3,
                &[0.0, 0.5, 1.0],
            ),
        ];
        for (name, min, max, max_ticks, ticks) in cases {
            let axis = value_axis(min, max, max_ticks);
            assert!(
                axis.ticks.len() <= max_ticks.max(2),
                "{name}: {:?}",
                axis.ticks
            );
            assert_eq!(axis.ticks, ticks, "{name}");
            assert_eq!(
                (axis.low, axis.high),
                (ticks[0], ticks[ticks.len() - 1]),
                "{name}"
            );
            if min <= max {
                assert!(
                    axis.low <= min && axis.high >= max,
                    "{name}: covers the data"
                );
            }
        }
    }

    #[test]
    fn time_axes_step_like_a_clock() {
        let cases: [(&str, f64, f64, usize, &[f64]); 6] = [
            (
                "wide",
                -20.0,
                10.0,
                8,
                &[-20.0, -15.0, -10.0, -5.0, 0.0, 5.0, 10.0],
            ),
            ("narrow", -20.0, 10.0, 4, &[-20.0, -10.0, 0.0, 10.0]),
            ("very narrow", -20.0, 10.0, 2, &[-15.0, 0.0]),
            (
                "a console range",
                -27.5,
                2.5,
                7,
                &[-25.0, -20.0, -15.0, -10.0, -5.0, 0.0],
            ),
            ("short", -2.0, 1.0, 10, &[-2.0, -1.0, 0.0, 1.0]),
            ("reversed", 5.0, -5.0, 4, &[]),
        ];
        for (name, first, last, max_ticks, ticks) in cases {
            assert_eq!(minute_ticks(first, last, max_ticks), ticks, "{name}");
        }
    }

    #[test]
    fn labels_read_as_minutes_and_values() {
        for (minutes, label) in [
            (-20.0, "−20 min"),
            (-0.0, "0"),
            (0.0, "0"),
            (0.0001, "0"),
            (5.0, "+5 min"),
            (2.5, "+2.5 min"),
            (-90.0, "−90 min"),
        ] {
            assert_eq!(minutes_label(minutes), label, "{minutes}");
        }
        for (unit, value, label) in [
            (Unit::Ratio, 0.15, "15%"),
            (Unit::Ratio, 0.005, "0.5%"),
            (Unit::Seconds, 0.4, "400 ms"),
            (Unit::Seconds, 1.2, "1.2 s"),
            (Unit::Plain, 99_999_998.0, "99999998"),
            (Unit::Plain, 0.000_1, "0.0001"),
        ] {
            assert_eq!(value_label(unit, value), label, "{value}");
        }
    }

    #[test]
    fn tick_room_leaves_a_gap_between_labels() {
        for (length, label, gap, room) in [
            (880.0, 50.0, 12.0, 15),
            (276.0, 50.0, 12.0, 5),
            (61.0, 50.0, 12.0, 2),
            (0.0, 50.0, 12.0, 2),
            (f64::NAN, 50.0, 12.0, 2),
            (100.0, 0.0, 0.0, 2),
        ] {
            assert_eq!(tick_room(length, label, gap), room, "{length} {label}");
        }
    }
}
