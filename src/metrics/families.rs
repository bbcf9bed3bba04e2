//! The metric families a scenario's fleet exposes, following Prometheus
//! naming conventions (base units, `_total` counters, `le` histograms),
//! derived every step from the simulation's signals.
//!
//! | family | type | labels |
//! | --- | --- | --- |
//! | `http_requests_total` | counter | service, code |
//! | `http_request_duration_seconds` | histogram | service, le |
//! | `process_cpu_seconds_total` | counter | service |
//! | `process_resident_memory_bytes` | gauge | service |
//! | `cpu_usage_ratio`, `memory_usage_ratio` | gauge | service |
//! | `saturation_ratio` | gauge | service, resource |
//! | `queue_depth` | gauge | service |
//! | `up` | gauge | service |
//! | `error_ratio`, `latency_p50_seconds`, `latency_p99_seconds`, `requests_per_second` | gauge | service |
//! | `kube_pod_container_status_restarts_total` | counter | service |
//! | `deployment_revision`, `config_revision` | gauge | service |
//! | `deployment_info` | gauge (1 while running) | service, version |
//! | `feature_flag_enabled` | gauge | flag, service |
//! | `pod_up`, `pod_error_ratio`, `pod_latency_p99_seconds`, `pod_requests_per_second`, `pod_cpu_usage_ratio`, `pod_memory_usage_ratio` | gauge | pod, service, zone (services with instances) |
//! | each business signal, e.g. `orders_per_minute` | gauge | |
//! | `slo:sli_error:ratio_rate5m` … `_rate3d`, `slo:objective:ratio`, `slo:error_budget:ratio`, `slo:error_budget:remaining` | gauge (recording rules) | service, slo |
//! | `ALERTS`, `ALERTS_FOR_STATE` | gauge (made by the rules) | alertname, alertstate (`ALERTS` only), the rule's and its result's labels |
//!
//! A series whose data goes missing (`[[missing]]`) gets a staleness
//! marker instead of a sample; a whole target's `up` is 0.

use super::portable_math::{exp, ln, normal_cdf, round};
use crate::rng::Rng;
use crate::scenario::{AlertRule, PerSignal, Scenario, ServiceKind, Signal, SLI_WINDOWS};
use crate::series::format_value;
use crate::series::stale_nan;
use crate::sim::ChangeState;
use std::fmt::Write;
use std::sync::Arc;

/// Prometheus metric type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FamilyKind {
    /// Monotonic counter.
    Counter,
    /// Gauge.
    Gauge,
    /// Classic histogram with `le` buckets, `_sum` and `_count`.
    Histogram,
}

impl FamilyKind {
    /// `counter`, `gauge` or `histogram`.
    pub fn name(self) -> &'static str {
        match self {
            FamilyKind::Counter => "counter",
            FamilyKind::Gauge => "gauge",
            FamilyKind::Histogram => "histogram",
        }
    }
}

/// A metric family: name, help, type and unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Family {
    /// The name as exposed (counters include `_total`).
    pub name: &'static str,
    /// HELP text.
    pub help: &'static str,
    /// Type.
    pub kind: FamilyKind,
    /// OpenMetrics unit (`seconds`, `bytes`, `ratio`) or empty.
    pub unit: &'static str,
}

/// Every family, in exposition order.
pub const FAMILIES: [Family; 37] = [
    Family {
        name: "http_requests_total",
        help: "HTTP requests served, by status code.",
        kind: FamilyKind::Counter,
        unit: "",
    },
    Family {
        name: "http_request_duration_seconds",
        help: "HTTP request latency.",
        kind: FamilyKind::Histogram,
        unit: "seconds",
    },
    Family {
        name: "process_cpu_seconds_total",
        help: "CPU time used by the service's processes.",
        kind: FamilyKind::Counter,
        unit: "seconds",
    },
    Family {
        name: "process_resident_memory_bytes",
        help: "Resident memory of the service's processes.",
        kind: FamilyKind::Gauge,
        unit: "bytes",
    },
    Family {
        name: "cpu_usage_ratio",
        help: "CPU used as a fraction of the container limit.",
        kind: FamilyKind::Gauge,
        unit: "ratio",
    },
    Family {
        name: "memory_usage_ratio",
        help: "Resident memory as a fraction of the container limit.",
        kind: FamilyKind::Gauge,
        unit: "ratio",
    },
    Family {
        name: "saturation_ratio",
        help: "Usage of the service's saturating resource (connection pool, thread pool, ...).",
        kind: FamilyKind::Gauge,
        unit: "ratio",
    },
    Family {
        name: "queue_depth",
        help: "Messages or jobs waiting in the service's queue.",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "up",
        help: "1 if the service answers its health check, 0 if not.",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "error_ratio",
        help: "Fraction of requests answered with a 5xx status (beginner gauge).",
        kind: FamilyKind::Gauge,
        unit: "ratio",
    },
    Family {
        name: "latency_p50_seconds",
        help: "Median request latency (beginner gauge).",
        kind: FamilyKind::Gauge,
        unit: "seconds",
    },
    Family {
        name: "latency_p99_seconds",
        help: "99th percentile request latency (beginner gauge).",
        kind: FamilyKind::Gauge,
        unit: "seconds",
    },
    Family {
        name: "requests_per_second",
        help: "Requests served per second (beginner gauge).",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "kube_pod_container_status_restarts_total",
        help: "Restarts of the service's containers (OOM kills, crashes, restarts applied).",
        kind: FamilyKind::Counter,
        unit: "",
    },
    Family {
        name: "deployment_revision",
        help: "The service's deployment revision: goes up with every deploy and rollback.",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "config_revision",
        help: "The service's configuration revision: goes up with every configuration push.",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "deployment_info",
        help: "1 for the version the service runs (no sample for other versions).",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "feature_flag_enabled",
        help: "1 while the feature flag is on, 0 while it is off.",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "pod_up",
        help: "1 if the pod answers its health check, 0 if not.",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "pod_error_ratio",
        help: "Fraction of the pod's requests answered with a 5xx status.",
        kind: FamilyKind::Gauge,
        unit: "ratio",
    },
    Family {
        name: "pod_latency_p99_seconds",
        help: "99th percentile latency of the pod's requests.",
        kind: FamilyKind::Gauge,
        unit: "seconds",
    },
    Family {
        name: "pod_requests_per_second",
        help: "Requests the pod serves per second.",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "pod_cpu_usage_ratio",
        help: "CPU the pod uses as a fraction of its limit.",
        kind: FamilyKind::Gauge,
        unit: "ratio",
    },
    Family {
        name: "pod_memory_usage_ratio",
        help: "Resident memory of the pod as a fraction of its limit.",
        kind: FamilyKind::Gauge,
        unit: "ratio",
    },
    Family {
        name: "business",
        help: "A business signal (its own name and help).",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "slo:sli_error:ratio_rate5m",
        help: "Fraction of the SLO's requests that were bad over the last 5m (recording rule).",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "slo:sli_error:ratio_rate30m",
        help: "Fraction of the SLO's requests that were bad over the last 30m (recording rule).",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "slo:sli_error:ratio_rate1h",
        help: "Fraction of the SLO's requests that were bad over the last 1h (recording rule).",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "slo:sli_error:ratio_rate2h",
        help: "Fraction of the SLO's requests that were bad over the last 2h (recording rule).",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "slo:sli_error:ratio_rate6h",
        help: "Fraction of the SLO's requests that were bad over the last 6h (recording rule).",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "slo:sli_error:ratio_rate1d",
        help: "Fraction of the SLO's requests that were bad over the last 1d (recording rule).",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "slo:sli_error:ratio_rate3d",
        help: "Fraction of the SLO's requests that were bad over the last 3d (recording rule).",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "slo:objective:ratio",
        help: "The SLO's objective: the fraction of requests that must be good (recording rule).",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "slo:error_budget:ratio",
        help: "The SLO's error budget: the fraction of requests allowed to be bad, 1 - objective (recording rule).",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "slo:error_budget:remaining",
        help: "Fraction of the error budget of the SLO's window still left (below 0 once overspent).",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "ALERTS",
        help: "Alerts pending or firing, as Prometheus records them.",
        kind: FamilyKind::Gauge,
        unit: "",
    },
    Family {
        name: "ALERTS_FOR_STATE",
        help: "When each pending or firing alert became active (Unix seconds), as Prometheus records it to restore the for state.",
        kind: FamilyKind::Gauge,
        unit: "",
    },
];

pub use crate::scenario::LATENCY_BUCKETS;

/// CPU cores each service may use.
pub const CPU_LIMIT_CORES: f64 = 2.0;
/// Memory each service may use, bytes.
pub const MEMORY_LIMIT_BYTES: f64 = 2.0 * 1024.0 * 1024.0 * 1024.0;

/// How a series' value follows from the signals.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Source {
    Requests {
        errors: bool,
    },
    /// The bucket of upper bound `le`, as ln(le) (computed once).
    Bucket {
        ln_le: f64,
    },
    HistogramSum,
    HistogramCount,
    CpuSeconds,
    Signal {
        signal: Signal,
        scale: f64,
    },
    Restarts,
    Revision {
        config: bool,
    },
    Version {
        index: usize,
    },
    Flag {
        index: usize,
    },
    Pod {
        instance: usize,
        signal: Signal,
        per_instance: bool,
    },
    Business {
        index: usize,
    },
    Rule(RuleSeries),
}

/// What a series the rules make (not scraped from the fleet) records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSeries {
    /// A figure of SLO `slo` (an index into the scenario's SLOs).
    Slo {
        /// The SLO.
        slo: usize,
        /// Which figure.
        figure: SloFigure,
    },
    /// `ALERTS{alertstate="firing"}` of alert rule `rule`.
    Firing {
        /// The rule.
        rule: usize,
    },
    /// `ALERTS{alertstate="pending"}` of alert rule `rule`.
    Pending {
        /// The rule.
        rule: usize,
    },
    /// `ALERTS_FOR_STATE` of alert rule `rule`.
    ForState {
        /// The rule.
        rule: usize,
    },
}

/// One figure of an SLO.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SloFigure {
    /// The bad fraction over a window (an index into [`crate::scenario::SLI_WINDOWS`]).
    Sli(usize),
    /// The objective.
    Objective,
    /// The error budget, 1 − objective.
    ErrorBudget,
    /// The budget of the window left.
    Remaining,
}

/// One series: its family, full metric name, labels and where its value comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesDef {
    /// Index into [`FAMILIES`].
    pub family: usize,
    /// Full metric name (with `_bucket`, `_sum`, `_count` for histograms).
    pub metric: String,
    /// Labels other than `__name__`, sorted by name.
    pub labels: Vec<(String, String)>,
    /// Index of the service it describes.
    pub service: usize,
    source: Source,
}

impl SeriesDef {
    /// What it records, if the rules make it (SLO figures, `ALERTS`,
    /// `ALERTS_FOR_STATE`) rather than the fleet.
    pub fn rule_series(&self) -> Option<RuleSeries> {
        match self.source {
            Source::Rule(r) => Some(r),
            _ => None,
        }
    }
}

/// The saturating resource of a kind of service, used as the `resource` label.
pub(crate) fn resource(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::Database => "connection_pool",
        ServiceKind::Cache => "connections",
        ServiceKind::Queue => "consumer_slots",
        ServiceKind::Gateway => "worker_connections",
        ServiceKind::External => "rate_limit",
        ServiceKind::Infrastructure => "capacity",
        ServiceKind::Service => "thread_pool",
    }
}

/// The log-normal latency distribution of a service at one step, from its
/// p50 and p99 signals: what the histogram buckets and the latency SLO see.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LatencyShape {
    /// Mean of ln(latency).
    pub mu: f64,
    /// Standard deviation of ln(latency).
    pub sigma: f64,
    /// 1 / sigma.
    pub inv_sigma: f64,
    /// Mean latency, seconds.
    pub mean: f64,
}

impl LatencyShape {
    /// The distribution whose median is `p50` and 99th percentile `p99`
    /// (seconds; floored at 0.1 ms and 1.01 × p50).
    pub fn new(p50: f64, p99: f64) -> LatencyShape {
        let p50 = p50.max(1e-4);
        let p99 = p99.max(p50 * 1.01);
        let mu = ln(p50);
        let sigma = ((ln(p99) - mu) / 2.326_347_874).max(0.01);
        LatencyShape {
            mu,
            sigma,
            inv_sigma: 1.0 / sigma,
            mean: exp(mu + sigma * sigma / 2.0),
        }
    }

    /// The fraction of requests at most `ln_seconds` (a logarithm) long.
    #[inline]
    pub fn fraction_below_ln(&self, ln_seconds: f64) -> f64 {
        if ln_seconds == f64::INFINITY {
            1.0
        } else {
            normal_cdf((ln_seconds - self.mu) * self.inv_sigma)
        }
    }

    /// The shape of each service's signals (in [`Signal::ALL`] order).
    pub fn of_signals(signals: &[PerSignal<f64>], out: &mut Vec<LatencyShape>) {
        out.clear();
        out.extend(signals.iter().map(|values| {
            LatencyShape::new(
                values[Signal::LatencyP50Seconds],
                values[Signal::LatencyP99Seconds],
            )
        }));
    }
}

/// The metric series of a scenario and their current values. The series
/// definitions are shared by clones.
#[derive(Clone, Debug)]
pub struct MetricSet {
    series: Arc<[SeriesDef]>,
    values: Vec<f64>,
    /// The series before this index are the signals' (every series the
    /// rules make comes after them).
    signal_series: usize,
    /// The series before this index have a sample every step (the
    /// signals', then the SLOs'); the alerts' come after.
    columns: usize,
    /// Each service's latency shape at the last [`MetricSet::observe`].
    shapes: Vec<LatencyShape>,
    /// Each business signal's HELP text.
    business_help: Arc<[String]>,
    /// What is exposed: `values` with a staleness marker for every series
    /// whose data is missing (kept only while some is).
    emitted: Vec<f64>,
    missing_any: bool,
}

/// What the fleet looks like at one scrape: everything the series are
/// derived from.
#[derive(Clone, Copy, Debug)]
pub struct FleetSample<'a> {
    /// Each service's signals (in [`Signal::ALL`] order).
    pub signals: &'a [PerSignal<f64>],
    /// Each service's instances' signals (empty for services without instances).
    pub instances: &'a [Vec<PerSignal<f64>>],
    /// Each business signal's value.
    pub business: &'a [f64],
    /// Each service's restarts so far.
    pub restarts: &'a [u32],
    /// Versions, revisions and flags.
    pub changes: &'a ChangeState,
    /// Per service: the metric families ([`FAMILIES`] indices) whose data
    /// is missing, as a bit set; [`WHOLE_TARGET`] when the whole scrape fails.
    pub missing: &'a [u64],
}

/// The `missing` bits of a scrape target that does not answer at all.
pub const WHOLE_TARGET: u64 = u64::MAX;

/// The bit of `missing` for a family, by name.
pub fn family_bit(name: &str) -> u64 {
    FAMILIES
        .iter()
        .position(|f| f.name == name)
        .map_or(0, |i| 1 << i)
}

impl MetricSet {
    /// The series of every family for every service of `scenario`, with
    /// counters started at a seeded uptime so they look like real ones.
    pub fn new(scenario: &Scenario, seed: u64) -> MetricSet {
        let changes = ChangeState::new(scenario);
        let mut series = Vec::new();
        let service_label = |i: usize| ("service".to_string(), scenario.services[i].name.clone());
        for (family_index, family) in FAMILIES.iter().enumerate() {
            for (i, service) in scenario.services.iter().enumerate() {
                let mut push = |metric: &str, extra: Vec<(String, String)>, source: Source| {
                    let mut labels = vec![service_label(i)];
                    labels.extend(extra);
                    labels.sort();
                    series.push(SeriesDef {
                        family: family_index,
                        metric: metric.to_string(),
                        labels,
                        service: i,
                        source,
                    });
                };
                match family.name {
                    "http_requests_total" => {
                        push(
                            family.name,
                            vec![("code".into(), "200".into())],
                            Source::Requests { errors: false },
                        );
                        push(
                            family.name,
                            vec![("code".into(), "500".into())],
                            Source::Requests { errors: true },
                        );
                    }
                    "http_request_duration_seconds" => {
                        for le in LATENCY_BUCKETS {
                            push(
                                "http_request_duration_seconds_bucket",
                                vec![("le".into(), format_value(le))],
                                Source::Bucket { ln_le: ln(le) },
                            );
                        }
                        push(
                            "http_request_duration_seconds_bucket",
                            vec![("le".into(), "+Inf".into())],
                            Source::Bucket {
                                ln_le: f64::INFINITY,
                            },
                        );
                        push(
                            "http_request_duration_seconds_sum",
                            vec![],
                            Source::HistogramSum,
                        );
                        push(
                            "http_request_duration_seconds_count",
                            vec![],
                            Source::HistogramCount,
                        );
                    }
                    "process_cpu_seconds_total" => push(family.name, vec![], Source::CpuSeconds),
                    "process_resident_memory_bytes" => push(
                        family.name,
                        vec![],
                        Source::Signal {
                            signal: Signal::MemoryRatio,
                            scale: MEMORY_LIMIT_BYTES,
                        },
                    ),
                    "cpu_usage_ratio" => push(
                        family.name,
                        vec![],
                        Source::Signal {
                            signal: Signal::CpuRatio,
                            scale: 1.0,
                        },
                    ),
                    "memory_usage_ratio" => push(
                        family.name,
                        vec![],
                        Source::Signal {
                            signal: Signal::MemoryRatio,
                            scale: 1.0,
                        },
                    ),
                    "saturation_ratio" => push(
                        family.name,
                        vec![("resource".into(), resource(service.kind).into())],
                        Source::Signal {
                            signal: Signal::SaturationRatio,
                            scale: 1.0,
                        },
                    ),
                    "queue_depth" => push(
                        family.name,
                        vec![],
                        Source::Signal {
                            signal: Signal::QueueDepth,
                            scale: 1.0,
                        },
                    ),
                    "up" => push(
                        family.name,
                        vec![],
                        Source::Signal {
                            signal: Signal::Up,
                            scale: 1.0,
                        },
                    ),
                    "error_ratio" => push(
                        family.name,
                        vec![],
                        Source::Signal {
                            signal: Signal::ErrorRatio,
                            scale: 1.0,
                        },
                    ),
                    "latency_p50_seconds" => push(
                        family.name,
                        vec![],
                        Source::Signal {
                            signal: Signal::LatencyP50Seconds,
                            scale: 1.0,
                        },
                    ),
                    "latency_p99_seconds" => push(
                        family.name,
                        vec![],
                        Source::Signal {
                            signal: Signal::LatencyP99Seconds,
                            scale: 1.0,
                        },
                    ),
                    "requests_per_second" => push(
                        family.name,
                        vec![],
                        Source::Signal {
                            signal: Signal::RequestsPerSecond,
                            scale: 1.0,
                        },
                    ),
                    "kube_pod_container_status_restarts_total" => {
                        push(family.name, vec![], Source::Restarts)
                    }
                    "deployment_revision" => {
                        push(family.name, vec![], Source::Revision { config: false })
                    }
                    "config_revision" => {
                        push(family.name, vec![], Source::Revision { config: true })
                    }
                    "deployment_info" => {
                        for (index, (_, version)) in changes
                            .versions
                            .iter()
                            .enumerate()
                            .filter(|(_, (owner, _))| *owner == i)
                        {
                            push(
                                family.name,
                                vec![("version".into(), version.clone())],
                                Source::Version { index },
                            );
                        }
                    }
                    "feature_flag_enabled" => {
                        for (index, (_, flag, _)) in changes
                            .flags
                            .iter()
                            .enumerate()
                            .filter(|(_, (owner, _, _))| *owner == i)
                        {
                            push(
                                family.name,
                                vec![("flag".into(), flag.clone())],
                                Source::Flag { index },
                            );
                        }
                    }
                    name if name.starts_with("pod_") => {
                        let signal = match name {
                            "pod_up" => Signal::Up,
                            "pod_error_ratio" => Signal::ErrorRatio,
                            "pod_latency_p99_seconds" => Signal::LatencyP99Seconds,
                            "pod_requests_per_second" => Signal::RequestsPerSecond,
                            "pod_cpu_usage_ratio" => Signal::CpuRatio,
                            _ => Signal::MemoryRatio,
                        };
                        for (instance, pod) in service.instances.iter().enumerate() {
                            let mut labels = vec![("pod".to_string(), pod.name.clone())];
                            if !pod.zone.is_empty() {
                                labels.push(("zone".into(), pod.zone.clone()));
                            }
                            push(
                                family.name,
                                labels,
                                Source::Pod {
                                    instance,
                                    signal,
                                    per_instance: signal == Signal::RequestsPerSecond,
                                },
                            );
                        }
                    }
                    _ => {}
                }
            }
            if family.name == "business" {
                for (index, b) in scenario.business.iter().enumerate() {
                    series.push(SeriesDef {
                        family: family_index,
                        metric: b.name.clone(),
                        labels: Vec::new(),
                        service: scenario.service_index(&b.follows).unwrap_or(0),
                        source: Source::Business { index },
                    });
                }
            }
            if let Some(window) = family
                .name
                .strip_prefix("slo:sli_error:ratio_rate")
                .and_then(|w| SLI_WINDOWS.iter().position(|(_, name)| *name == w))
            {
                push_slo_series(&mut series, scenario, family_index, SloFigure::Sli(window));
            }
            match family.name {
                "slo:objective:ratio" => {
                    push_slo_series(&mut series, scenario, family_index, SloFigure::Objective)
                }
                "slo:error_budget:ratio" => {
                    push_slo_series(&mut series, scenario, family_index, SloFigure::ErrorBudget)
                }
                "slo:error_budget:remaining" => {
                    push_slo_series(&mut series, scenario, family_index, SloFigure::Remaining)
                }
                "ALERTS" => {
                    for (rule, alert) in scenario.alerts.iter().enumerate() {
                        for (state, source) in [
                            ("firing", RuleSeries::Firing { rule }),
                            ("pending", RuleSeries::Pending { rule }),
                        ] {
                            series.push(alert_series(
                                scenario,
                                alert,
                                family_index,
                                Some(state),
                                source,
                            ));
                        }
                    }
                }
                "ALERTS_FOR_STATE" => {
                    for (rule, alert) in scenario.alerts.iter().enumerate() {
                        series.push(alert_series(
                            scenario,
                            alert,
                            family_index,
                            None,
                            RuleSeries::ForState { rule },
                        ));
                    }
                }
                _ => {}
            }
        }
        // Each service has been up for a seeded 6 to 48 hours: its
        // request counters and its latency histogram have counted that
        // long at its healthy rates (so that `rate` over a window longer
        // than the history extrapolates as it would on a real fleet).
        let mut rng = Rng::derive(seed, "counters");
        let uptimes: Vec<f64> = scenario
            .services
            .iter()
            .map(|_| 3600.0 * (6.0 + 42.0 * rng.unit()))
            .collect();
        let healthy: Vec<PerSignal<f64>> = scenario.services.iter().map(|s| s.baseline).collect();
        let mut healthy_shapes = Vec::new();
        LatencyShape::of_signals(&healthy, &mut healthy_shapes);
        let values = series
            .iter()
            .map(|s| {
                let baseline = &scenario.services[s.service].baseline;
                let served = (baseline[Signal::RequestsPerSecond] * uptimes[s.service]).floor();
                let shape = &healthy_shapes[s.service];
                match s.source {
                    Source::Requests { errors } => {
                        let err = baseline[Signal::ErrorRatio];
                        (served * if errors { err } else { 1.0 - err }).floor()
                    }
                    Source::Bucket { ln_le } => (served * shape.fraction_below_ln(ln_le)).floor(),
                    Source::HistogramCount => served,
                    Source::HistogramSum => served * shape.mean,
                    Source::CpuSeconds => (3600.0 * (6.0 + 42.0 * rng.unit())).floor(),
                    _ => 0.0,
                }
            })
            .collect();
        // The rules' families are the last ones: the signals' series come
        // first, then the SLOs', then the alerts'.
        let signal_series = series
            .iter()
            .position(|s| s.rule_series().is_some())
            .unwrap_or(series.len());
        let columns = series
            .iter()
            .position(|s| {
                s.rule_series()
                    .is_some_and(|r| !matches!(r, RuleSeries::Slo { .. }))
            })
            .unwrap_or(series.len());
        MetricSet {
            series: series.into(),
            values,
            signal_series,
            columns,
            shapes: Vec::new(),
            business_help: scenario.business.iter().map(|b| b.help.clone()).collect(),
            emitted: Vec::new(),
            missing_any: false,
        }
    }

    /// The current values of the series that come from the signals (every
    /// series but the rules'): the first [`MetricSet::signal_series_count`]
    /// series.
    pub fn signal_values(&self) -> &[f64] {
        if self.missing_any {
            &self.emitted[..self.signal_series]
        } else {
            &self.values[..self.signal_series]
        }
    }

    /// How many series come from the signals; they are the first ones.
    pub fn signal_series_count(&self) -> usize {
        self.signal_series
    }

    /// How many series have a sample at every step (the signals' and the
    /// SLOs' recording rules'): the first ones, the store's columns. The
    /// alerts' series (after them) have samples only while active.
    pub fn column_count(&self) -> usize {
        self.columns
    }

    /// The current values of the columns ([`MetricSet::column_count`]),
    /// with staleness markers for missing data.
    pub fn column_values(&self) -> &[f64] {
        if self.missing_any {
            &self.emitted[..self.columns]
        } else {
            &self.values[..self.columns]
        }
    }

    /// Sets the value of the series the rules make for which `value` has
    /// one (NaN for no sample); the others keep theirs.
    pub fn set_rule_values(&mut self, value: impl Fn(RuleSeries) -> Option<f64>) {
        let (series, values) = (
            &self.series[self.signal_series..],
            &mut self.values[self.signal_series..],
        );
        for (def, v) in series.iter().zip(values.iter_mut()) {
            if let Source::Rule(r) = def.source {
                if let Some(new) = value(r) {
                    *v = new;
                }
            }
        }
    }

    /// Each service's latency distribution at the last [`MetricSet::observe`].
    pub fn latency_shapes(&self) -> &[LatencyShape] {
        &self.shapes
    }

    /// The series, in exposition order (grouped by family).
    pub fn series(&self) -> &[SeriesDef] {
        &self.series
    }

    /// The current value of every series, in the same order.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Advances every series but the rules' by one scrape interval of
    /// `step_seconds`, given the fleet. The rules' series follow from
    /// these samples: [`MetricSet::set_rule_values`].
    pub fn observe(&mut self, fleet: &FleetSample<'_>, step_seconds: f64) {
        let signals = fleet.signals;
        // Per-service latency distribution: log-normal with the signal's p50 and p99.
        LatencyShape::of_signals(signals, &mut self.shapes);
        let shapes: &[LatencyShape] = &self.shapes;
        for (s, value) in self.series.iter().zip(self.values.iter_mut()) {
            let Some(v) = signals.get(s.service) else {
                continue;
            };
            let requests = v[Signal::RequestsPerSecond] * step_seconds;
            match s.source {
                Source::Requests { errors } => {
                    let err = v[Signal::ErrorRatio];
                    *value += round(requests * if errors { err } else { 1.0 - err });
                }
                Source::Bucket { ln_le } => {
                    *value += round(requests * shapes[s.service].fraction_below_ln(ln_le));
                }
                Source::HistogramSum => *value += round(requests) * shapes[s.service].mean,
                Source::HistogramCount => *value += round(requests),
                Source::CpuSeconds => {
                    *value += v[Signal::CpuRatio] * CPU_LIMIT_CORES * step_seconds
                }
                Source::Signal { signal, scale } => *value = v[signal] * scale,
                Source::Restarts => {
                    *value = fleet.restarts.get(s.service).copied().unwrap_or(0) as f64
                }
                Source::Revision { config } => {
                    let revisions = if config {
                        &fleet.changes.config_revision
                    } else {
                        &fleet.changes.deploy_revision
                    };
                    *value = revisions.get(s.service).copied().unwrap_or(1) as f64;
                }
                Source::Version { index } => {
                    let running = fleet.changes.running.get(s.service).copied().flatten();
                    *value = if running == Some(index) {
                        1.0
                    } else {
                        stale_nan()
                    };
                }
                Source::Flag { index } => {
                    let on = fleet.changes.flags.get(index).is_some_and(|f| f.2);
                    *value = if on { 1.0 } else { 0.0 };
                }
                Source::Pod {
                    instance,
                    signal,
                    per_instance,
                } => {
                    let pods = fleet
                        .instances
                        .get(s.service)
                        .map_or(&[][..], Vec::as_slice);
                    let x = pods.get(instance).map_or(0.0, |p| p[signal]);
                    *value = if per_instance {
                        x / pods.len().max(1) as f64
                    } else {
                        x
                    };
                }
                Source::Business { index } => {
                    *value = fleet.business.get(index).copied().unwrap_or(0.0)
                }
                Source::Rule(_) => {}
            }
        }
        self.missing_any = fleet.missing.iter().any(|m| *m != 0);
        if self.missing_any {
            self.emitted.clear();
            self.emitted.extend_from_slice(&self.values);
            let up = family_bit("up");
            for (s, value) in self.series.iter().zip(self.emitted.iter_mut()) {
                let missing = fleet.missing.get(s.service).copied().unwrap_or(0);
                // What kube-state-metrics, the flag service and the
                // business pipeline report does not depend on the target.
                let elsewhere = matches!(
                    s.source,
                    Source::Revision { .. }
                        | Source::Version { .. }
                        | Source::Flag { .. }
                        | Source::Business { .. }
                        | Source::Rule(_)
                );
                if missing == 0 || elsewhere {
                    continue;
                }
                let bit = 1u64 << s.family;
                if bit == up {
                    if missing == WHOLE_TARGET {
                        *value = 0.0;
                    }
                } else if missing & bit != 0 {
                    *value = stale_nan();
                }
            }
        }
    }

    /// The HELP text of a series' family (a business signal has its own).
    pub fn help_of(&self, series: &SeriesDef) -> &str {
        match series.source {
            Source::Business { index } => self.business_help.get(index).map_or("", String::as_str),
            _ => FAMILIES[series.family].help,
        }
    }

    /// The current state in the Prometheus text exposition format 0.0.4,
    /// with HELP and TYPE for every family. The series the rules make (SLO
    /// figures, `ALERTS`) are left out: a Prometheus server makes them,
    /// services do not expose them.
    pub fn exposition(&self) -> String {
        let mut out = String::with_capacity(self.series.len() * 64);
        let mut current_family = usize::MAX;
        let mut current_business = usize::MAX;
        for (s, value) in self.series.iter().zip(self.signal_values()) {
            if value.is_nan() {
                continue;
            }
            let business = match s.source {
                Source::Business { index } => index,
                _ => usize::MAX,
            };
            if s.family != current_family || business != current_business {
                current_family = s.family;
                current_business = business;
                let f = &FAMILIES[s.family];
                let name = if business == usize::MAX {
                    f.name
                } else {
                    s.metric.as_str()
                };
                let _ = write!(
                    out,
                    "# HELP {} {}\n# TYPE {} {}\n",
                    name,
                    self.help_of(s),
                    name,
                    f.kind.name()
                );
            }
            write_sample(&mut out, &s.metric, &s.labels, *value);
            out.push('\n');
        }
        out
    }
}

/// Pushes a series of `figure` for every SLO of `scenario`.
fn push_slo_series(
    series: &mut Vec<SeriesDef>,
    scenario: &Scenario,
    family: usize,
    figure: SloFigure,
) {
    for (slo, spec) in scenario.slos.iter().enumerate() {
        series.push(SeriesDef {
            family,
            metric: FAMILIES[family].name.to_string(),
            labels: vec![
                ("service".to_string(), spec.service.clone()),
                ("slo".to_string(), spec.kind.name().to_string()),
            ],
            service: scenario.service_index(&spec.service).unwrap_or(0),
            source: Source::Rule(RuleSeries::Slo { slo, figure }),
        });
    }
}

/// The labels of an alert's series, as Prometheus writes them: its
/// expression's result labels (those of the selected gauge, the SLO's),
/// the rule's labels, `alertname` and (for `ALERTS`) `alertstate`.
fn alert_series(
    scenario: &Scenario,
    rule: &AlertRule,
    family: usize,
    state: Option<&str>,
    source: RuleSeries,
) -> SeriesDef {
    let service = scenario.service_index(&rule.service).unwrap_or(0);
    let mut labels = vec![
        ("alertname".to_string(), rule.name.clone()),
        ("service".to_string(), rule.service.clone()),
        ("severity".to_string(), rule.severity.clone()),
    ];
    if let Some(state) = state {
        labels.push(("alertstate".to_string(), state.to_string()));
    }
    labels.extend(super::alerts::result_labels(scenario, rule));
    labels.sort();
    labels.dedup();
    SeriesDef {
        family,
        metric: FAMILIES[family].name.to_string(),
        labels,
        service,
        source: Source::Rule(source),
    }
}

/// The gauge that exposes a signal.
pub fn gauge_for(signal: Signal) -> &'static str {
    match signal {
        Signal::LatencyP50Seconds => "latency_p50_seconds",
        Signal::LatencyP99Seconds => "latency_p99_seconds",
        Signal::ErrorRatio => "error_ratio",
        Signal::RequestsPerSecond => "requests_per_second",
        Signal::CpuRatio => "cpu_usage_ratio",
        Signal::MemoryRatio => "memory_usage_ratio",
        Signal::SaturationRatio => "saturation_ratio",
        Signal::QueueDepth => "queue_depth",
        Signal::Up => "up",
    }
}

/// Escapes a label value for the text formats.
pub fn escape_label_value(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Writes `name{labels} value` (no newline).
pub fn write_sample(out: &mut String, metric: &str, labels: &[(String, String)], value: f64) {
    out.push_str(metric);
    if !labels.is_empty() {
        out.push('{');
        for (i, (k, v)) in labels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{k}=\"{}\"", escape_label_value(v));
        }
        out.push('}');
    }
    out.push(' ');
    out.push_str(&format_value(value));
}
