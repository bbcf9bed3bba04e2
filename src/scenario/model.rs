//! The validated scenario model: what the simulator, the grader and the
//! observability layer read. Built only by [`super::load`], so every value
//! here has passed validation (references resolve, numbers are in range).

use super::keyed::PerSignal;
use super::task::Task;
use serde::Serialize;
use std::fmt;

/// A simulated, per-service signal that symptoms move and alerts watch.
///
/// Each signal has a natural unit, given by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Median request latency, seconds.
    LatencyP50Seconds,
    /// 99th percentile request latency, seconds.
    LatencyP99Seconds,
    /// Fraction of requests answered with a 5xx status, 0..=1.
    ErrorRatio,
    /// Requests served per second.
    RequestsPerSecond,
    /// CPU used as a fraction of the container limit, 0..=1 (may exceed 1 when throttled).
    CpuRatio,
    /// Resident memory as a fraction of the container limit, 0..=1.
    MemoryRatio,
    /// Usage of the service's saturating resource (connection pool, thread pool, …), 0..=1.
    SaturationRatio,
    /// Messages or jobs waiting in the service's queue.
    QueueDepth,
    /// 1 while the service answers its health check, 0 when it does not.
    Up,
}

impl Signal {
    /// Every signal, in a fixed order (the order of the enum).
    pub const ALL: [Signal; 9] = [
        Signal::LatencyP50Seconds,
        Signal::LatencyP99Seconds,
        Signal::ErrorRatio,
        Signal::RequestsPerSecond,
        Signal::CpuRatio,
        Signal::MemoryRatio,
        Signal::SaturationRatio,
        Signal::QueueDepth,
        Signal::Up,
    ];

    /// The name used in scenario files and as a metric name.
    pub fn name(self) -> &'static str {
        match self {
            Signal::LatencyP50Seconds => "latency_p50_seconds",
            Signal::LatencyP99Seconds => "latency_p99_seconds",
            Signal::ErrorRatio => "error_ratio",
            Signal::RequestsPerSecond => "requests_per_second",
            Signal::CpuRatio => "cpu_ratio",
            Signal::MemoryRatio => "memory_ratio",
            Signal::SaturationRatio => "saturation_ratio",
            Signal::QueueDepth => "queue_depth",
            Signal::Up => "up",
        }
    }

    /// Parses a signal name as written in scenario files.
    pub fn from_name(name: &str) -> Option<Signal> {
        Signal::ALL.iter().copied().find(|s| s.name() == name)
    }

    /// The value a service has when the scenario does not set one.
    pub fn default_baseline(self) -> f64 {
        match self {
            Signal::LatencyP50Seconds => 0.04,
            Signal::LatencyP99Seconds => 0.2,
            Signal::ErrorRatio => 0.002,
            Signal::RequestsPerSecond => 100.0,
            Signal::CpuRatio => 0.35,
            Signal::MemoryRatio => 0.45,
            Signal::SaturationRatio => 0.3,
            Signal::QueueDepth => 0.0,
            Signal::Up => 1.0,
        }
    }

    /// The largest value a scenario may ask for (baseline or cap).
    #[inline]
    pub fn max_value(self) -> f64 {
        match self {
            Signal::LatencyP50Seconds | Signal::LatencyP99Seconds => 120.0,
            Signal::ErrorRatio | Signal::MemoryRatio | Signal::SaturationRatio | Signal::Up => 1.0,
            Signal::RequestsPerSecond => 1_000_000.0,
            Signal::CpuRatio => 4.0,
            Signal::QueueDepth => 10_000_000.0,
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kind of component a service is; drawn differently on the service map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// A stateless application service.
    Service,
    /// A database.
    Database,
    /// A cache (Redis, Memcached, …).
    Cache,
    /// A message queue or stream.
    Queue,
    /// A load balancer, gateway or proxy.
    Gateway,
    /// A third-party dependency outside the team's control.
    External,
    /// Shared infrastructure (DNS, nodes, network).
    Infrastructure,
}

impl ServiceKind {
    /// Every kind, as written in scenario files.
    pub const NAMES: [&'static str; 7] = [
        "service",
        "database",
        "cache",
        "queue",
        "gateway",
        "external",
        "infrastructure",
    ];

    /// The kind's name, as written in scenario files.
    ///
    /// ```
    /// use firedrill::scenario::ServiceKind;
    /// for name in ServiceKind::NAMES {
    ///     assert_eq!(ServiceKind::from_name(name).map(ServiceKind::name), Some(name));
    /// }
    /// ```
    pub fn name(self) -> &'static str {
        ServiceKind::NAMES[self as usize]
    }

    /// Parses a kind name.
    pub fn from_name(name: &str) -> Option<ServiceKind> {
        Some(match name {
            "service" => ServiceKind::Service,
            "database" => ServiceKind::Database,
            "cache" => ServiceKind::Cache,
            "queue" => ServiceKind::Queue,
            "gateway" => ServiceKind::Gateway,
            "external" => ServiceKind::External,
            "infrastructure" => ServiceKind::Infrastructure,
            _ => return None,
        })
    }
}

/// Incident severity, P1 (worst) to P4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Severity {
    /// Critical: a core user journey is down or badly degraded for most users.
    P1,
    /// Major: significant degradation, or a core journey down for some users.
    P2,
    /// Minor: limited impact, a workaround exists.
    P3,
    /// Low: cosmetic or internal only.
    P4,
}

impl Severity {
    /// All severities, worst first.
    pub const ALL: [Severity; 4] = [Severity::P1, Severity::P2, Severity::P3, Severity::P4];

    /// Parses `P1`..`P4` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Severity> {
        match name.trim().to_ascii_uppercase().as_str() {
            "P1" => Some(Severity::P1),
            "P2" => Some(Severity::P2),
            "P3" => Some(Severity::P3),
            "P4" => Some(Severity::P4),
            _ => None,
        }
    }

    /// `P1`..`P4`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::P1 => "P1",
            Severity::P2 => "P2",
            Severity::P3 => "P3",
            Severity::P4 => "P4",
        }
    }

    /// 1 for P1 … 4 for P4.
    pub fn rank(self) -> i32 {
        self as i32 + 1
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Log level of a log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    /// Debug detail.
    Debug,
    /// Normal operation.
    Info,
    /// Something unusual.
    Warn,
    /// A failed operation.
    Error,
    /// The process cannot go on.
    Fatal,
}

impl LogLevel {
    /// Every level, as written in scenario files.
    pub const NAMES: [&'static str; 5] = ["debug", "info", "warn", "error", "fatal"];

    /// Parses a level name.
    pub fn from_name(name: &str) -> Option<LogLevel> {
        Some(match name {
            "debug" => LogLevel::Debug,
            "info" => LogLevel::Info,
            "warn" => LogLevel::Warn,
            "error" => LogLevel::Error,
            "fatal" => LogLevel::Fatal,
            _ => return None,
        })
    }

    /// The level's name in upper case, as printed in log lines.
    pub fn label(self) -> &'static str {
        match self {
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Warn => "WARN",
            LogLevel::Error => "ERROR",
            LogLevel::Fatal => "FATAL",
        }
    }
}

/// The seven things a responder can do, in their canonical order (the
/// order of the action form, the histogram and `ACTION_TYPES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionType {
    /// Reveal a service's logs and detailed metrics.
    Investigate,
    /// Record the severity.
    Classify,
    /// Record a diagnosis.
    Diagnose,
    /// Apply a fix.
    Remediate,
    /// Page a team.
    Escalate,
    /// Post a status update.
    Communicate,
    /// Declare the incident resolved, with a closing summary: ends the episode.
    Resolve,
    /// Reveal the scenario's next authored hint, at its cost to the score.
    Hint,
}

impl ActionType {
    /// Every action type, in the canonical order.
    pub const ALL: [ActionType; 8] = [
        ActionType::Investigate,
        ActionType::Classify,
        ActionType::Diagnose,
        ActionType::Remediate,
        ActionType::Escalate,
        ActionType::Communicate,
        ActionType::Resolve,
        ActionType::Hint,
    ];

    /// The actions of the response itself: every type but `hint` (what the
    /// action form offers and the random agent plays).
    pub const RESPONSES: [ActionType; 7] = [
        ActionType::Investigate,
        ActionType::Classify,
        ActionType::Diagnose,
        ActionType::Remediate,
        ActionType::Escalate,
        ActionType::Communicate,
        ActionType::Resolve,
    ];

    /// The name an action's `action_type` field carries.
    pub const fn name(self) -> &'static str {
        match self {
            ActionType::Investigate => "investigate",
            ActionType::Classify => "classify",
            ActionType::Diagnose => "diagnose",
            ActionType::Remediate => "remediate",
            ActionType::Escalate => "escalate",
            ActionType::Communicate => "communicate",
            ActionType::Resolve => "resolve",
            ActionType::Hint => "hint",
        }
    }

    /// The action type with this name.
    pub fn from_name(name: &str) -> Option<ActionType> {
        ActionType::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// The closed set of remediation kinds an action may ask for.
pub const REMEDIATION_KINDS: [&str; 11] = [
    "restart",
    "rollback",
    "scale",
    "config_change",
    "failover",
    "flush_cache",
    "renew_certificate",
    "free_disk",
    "rate_limit",
    "drain_node",
    "disable_flag",
];

/// The metric families a service's scrape target exposes (what `[[missing]]`
/// may name; `metrics::families::FAMILIES` has them all, with the ones
/// that come from elsewhere: revisions, flags, business, `ALERTS`).
pub const METRIC_FAMILIES: [&str; 20] = [
    "http_requests_total",
    "http_request_duration_seconds",
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "cpu_usage_ratio",
    "memory_usage_ratio",
    "saturation_ratio",
    "queue_depth",
    "up",
    "error_ratio",
    "latency_p50_seconds",
    "latency_p99_seconds",
    "requests_per_second",
    "kube_pod_container_status_restarts_total",
    "pod_up",
    "pod_error_ratio",
    "pod_latency_p99_seconds",
    "pod_requests_per_second",
    "pod_cpu_usage_ratio",
    "pod_memory_usage_ratio",
];

/// Channels a status update may go to.
pub const CHANNELS: [&str; 3] = ["status_page", "slack", "email"];

/// One service of the simulated fleet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Service {
    /// Unique name, used as the `service` label and as an action target.
    pub name: String,
    /// The team that owns it; a possible escalation target.
    pub team: String,
    /// What kind of component it is.
    pub kind: ServiceKind,
    /// Names of the services it calls (edges of the dependency graph).
    pub depends_on: Vec<String>,
    /// The healthy value of each signal.
    pub baseline: PerSignal<f64>,
    /// Its instances (pods), each a `pod` label on the `pod_*` series;
    /// empty for a service modelled as one unit (no per-instance series).
    pub instances: Vec<Instance>,
}

/// One instance (pod) of a service.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Instance {
    /// The pod name, `<service>-<n>`.
    pub name: String,
    /// The zone it runs in (empty when the scenario declares no zones).
    pub zone: String,
}

/// The root cause of the incident.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fault {
    /// The service where the fault starts.
    pub service: String,
    /// The cause id (the fault type), e.g. `connection_pool_exhaustion`.
    pub cause: String,
    /// What actually went wrong, for the debrief.
    pub description: String,
    /// Words or phrases a free-text diagnosis must contain (any one, case-insensitive).
    pub keywords: Vec<String>,
    /// Other services a diagnosis may name and be right: where the fault
    /// is triggered or fixed when that is not where it shows (a hot
    /// partition fixed at its producer).
    pub also_accept: Vec<String>,
    /// Services the evidence points at without being the cause (a log
    /// names them): investigating them is following the evidence, never
    /// penalised.
    pub relevant: Vec<String>,
}

impl Fault {
    /// Whether investigating `service` is following the evidence: the root,
    /// a service a diagnosis may name, or one the evidence points at.
    pub fn worth_investigating(&self, service: &str) -> bool {
        self.accepts_service(service) || self.relevant.iter().any(|s| s == service)
    }

    /// Whether it is a false alarm: nothing to fix, restraint is right.
    pub fn is_false_alarm(&self) -> bool {
        self.cause == crate::scenario::causes::FALSE_ALARM
    }

    /// Whether a diagnosis naming `service` names the right service.
    pub fn accepts_service(&self, service: &str) -> bool {
        self.service == service || self.also_accept.iter().any(|s| s == service)
    }
}

/// A metric that moves a little every step after an onset delay, up to a cap.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Drift {
    /// The service whose signal moves.
    pub service: String,
    /// The signal that moves.
    pub metric: Signal,
    /// Change per step (negative moves the value down).
    pub delta: f64,
    /// The value it stops at.
    pub cap: f64,
    /// Steps after the incident began before it begins to move.
    pub onset: u32,
    /// How it moves.
    pub shape: Shape,
    /// The instances it hits (indices into the service's `instances`);
    /// empty: the service as a whole.
    pub instances: Vec<usize>,
    /// The fault it belongs to (0: `[fault]`, 1..: `[[other_faults]]`).
    pub fault: usize,
}

/// How a drift moves its signal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// `delta` per step until `cap`, then it stays there.
    #[default]
    Ramp,
    /// Straight to `cap` at the onset.
    Step,
    /// `delta` per step until `cap`, then the process is killed and
    /// restarted (its restart counter goes up, `up` dips for the step) and
    /// the climb starts again from the healthy value: a leak's saw-tooth.
    Sawtooth,
    /// At `cap` for `period` steps, healthy for `period` steps, and so on:
    /// a flapping probe or link.
    Flap {
        /// Steps per half-cycle.
        period: u32,
    },
}

impl Shape {
    /// Every shape, as written in scenario files.
    pub const NAMES: [&'static str; 4] = ["ramp", "step", "sawtooth", "flap"];

    /// The shape's name, as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Ramp => "ramp",
            Shape::Step => "step",
            Shape::Sawtooth => "sawtooth",
            Shape::Flap { .. } => "flap",
        }
    }
}

/// A service that looks bad for a reason unrelated to the incident.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RedHerring {
    /// How its metric moves.
    pub drift: Drift,
    /// Why it looks bad (shown in the debrief).
    pub reason: String,
}

/// A log line template of one service.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogTemplate {
    /// The service that logs it.
    pub service: String,
    /// Its level.
    pub level: LogLevel,
    /// The message; `{step}` and `{request_id}` are filled in.
    pub message: String,
    /// Structured fields (key, value), sorted by key.
    pub fields: Vec<(String, String)>,
    /// First step (0 = incident start) it is written at.
    pub from_step: u32,
    /// It repeats every this many steps.
    pub every: u32,
    /// When it is written: while the incident lasts, once it is fixed, or always.
    pub when: LogWhen,
    /// The fault whose course `when` follows (0: `[fault]`).
    pub fault: usize,
}

/// When a log template is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogWhen {
    /// While its fault is active: it stops once a right fix has taken
    /// hold, and comes back if a mitigation wears off (the default for
    /// warn, error and fatal lines).
    Incident,
    /// From the step a right fix has taken hold (recovery lines).
    Fixed,
    /// At every step it is due (the default for debug and info lines).
    Always,
}

impl LogWhen {
    /// Every value, as written in scenario files.
    pub const NAMES: [&'static str; 3] = ["incident", "fixed", "always"];

    /// Parses a name.
    pub fn from_name(name: &str) -> Option<LogWhen> {
        match name {
            "incident" => Some(LogWhen::Incident),
            "fixed" => Some(LogWhen::Fixed),
            "always" => Some(LogWhen::Always),
            _ => None,
        }
    }
}

/// The kind of a change on the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new version of a service.
    Deploy,
    /// A configuration push.
    Config,
    /// A feature flag turned on or off.
    Flag,
    /// An infrastructure event (node pool upgrade, certificate rotation, maintenance).
    Infra,
}

impl ChangeKind {
    /// Every kind, as written in scenario files.
    pub const NAMES: [&'static str; 4] = ["deploy", "config", "flag", "infra"];

    /// Parses a kind name.
    pub fn from_name(name: &str) -> Option<ChangeKind> {
        match name {
            "deploy" => Some(ChangeKind::Deploy),
            "config" => Some(ChangeKind::Config),
            "flag" => Some(ChangeKind::Flag),
            "infra" => Some(ChangeKind::Infra),
            _ => None,
        }
    }

    /// The kind's name, as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Deploy => "deploy",
            ChangeKind::Config => "config",
            ChangeKind::Flag => "flag",
            ChangeKind::Infra => "infra",
        }
    }
}

/// One change on the timeline: what changed, where, when and by whom.
/// Innocent changes are part of the story as much as the guilty one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// Minutes from the first step (negative: before the response started).
    pub at_minute: i64,
    /// The service it changed.
    pub service: String,
    /// What kind of change.
    pub kind: ChangeKind,
    /// Who made it (a person or a pipeline).
    pub author: String,
    /// What it was, as the change log says.
    pub description: String,
    /// A deploy's new version (empty when not given).
    pub version: String,
    /// A deploy's previous version, which a rollback returns to (empty when not given).
    pub previous_version: String,
    /// A flag change's flag name (empty for other kinds).
    pub flag: String,
    /// A flag change's new state.
    pub enabled: bool,
}

/// A business signal (orders, logins, plays per minute): its own series,
/// with its own baseline, falling with the impact on the service it follows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BusinessSignal {
    /// The metric name, e.g. `orders_per_minute`.
    pub name: String,
    /// Its HELP text.
    pub help: String,
    /// Its healthy value.
    pub baseline: f64,
    /// The service whose failed requests cut it.
    pub follows: String,
    /// How much of the followed service's extra error ratio it loses (1:
    /// every failed request is a lost order).
    pub sensitivity: f64,
    /// Its own change per step as a fraction of the baseline (bad data
    /// that fails no request), 0 for none.
    pub delta: f64,
    /// The fraction of the baseline its own change stops at.
    pub cap: f64,
    /// Steps after the incident began before its own change starts.
    pub onset: u32,
    /// The fault whose fix undoes its own change (0: `[fault]`).
    pub fault: usize,
}

/// Series that stop arriving: a broken exporter or scrape, a blind spot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MissingData {
    /// The service whose series go absent.
    pub service: String,
    /// The metric families that go absent; empty: the whole scrape target
    /// (every series of the service, and `up` is 0).
    pub metrics: Vec<String>,
    /// The step (from the incident start) they stop at.
    pub from_step: u32,
    /// The fault whose right fix brings them back (0: `[fault]`), if any.
    pub until_fixed: Option<usize>,
}

/// Comparison of an alert's threshold rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Comparison {
    /// Fires when the signal is above the threshold.
    #[serde(rename = ">")]
    Above,
    /// Fires when the signal is below the threshold.
    #[serde(rename = "<")]
    Below,
}

impl Comparison {
    /// `>` or `<`.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Above => ">",
            Comparison::Below => "<",
        }
    }

    /// Whether `value` breaches `threshold`.
    pub fn breached(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Above => value > threshold,
            Comparison::Below => value < threshold,
        }
    }
}

/// Upper bounds of the latency histogram buckets, seconds (`+Inf` is added).
pub const LATENCY_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// What a service level objective measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SloKind {
    /// Fraction of requests that do not fail.
    Availability,
    /// Fraction of requests faster than a threshold.
    Latency,
}

impl SloKind {
    /// `availability` or `latency`: the `slo` label of its series.
    pub fn name(self) -> &'static str {
        match self {
            SloKind::Availability => "availability",
            SloKind::Latency => "latency",
        }
    }
}

/// The windows of the SLI recording rules (`slo:sli_error:ratio_rate5m`
/// …), seconds and the suffix of their names.
pub const SLI_WINDOWS: [(u32, &str); 7] = [
    (300, "5m"),
    (1800, "30m"),
    (3600, "1h"),
    (7200, "2h"),
    (21600, "6h"),
    (86400, "1d"),
    (259200, "3d"),
];

/// The index in [`SLI_WINDOWS`] of a window of `seconds`.
pub fn sli_window(seconds: u32) -> Option<usize> {
    SLI_WINDOWS.iter().position(|(s, _)| *s == seconds)
}

/// One condition of a multi-window burn-rate alert: the bad fraction over
/// both a long and a short window above `factor` times the error budget.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BurnCondition {
    /// The long window, an index into [`SLI_WINDOWS`].
    pub long: usize,
    /// The short window (a twelfth of the long one), an index into [`SLI_WINDOWS`].
    pub short: usize,
    /// The burn rate that fires it.
    pub factor: f64,
}

/// The multi-window, multi-burn-rate alerts of the SRE workbook (chapter 5,
/// "Alerting on SLOs"): (budget consumed, long window, short window). A page
/// when 2% of the budget goes in an hour or 5% in six hours; a ticket when
/// 10% goes in a day or in three days.
pub const PAGE_BURNS: [(f64, usize, usize); 2] = [(0.02, 2, 0), (0.05, 4, 1)];
/// See [`PAGE_BURNS`].
pub const TICKET_BURNS: [(f64, usize, usize); 2] = [(0.1, 5, 3), (0.1, 6, 4)];

/// Who sends an inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InjectSource {
    /// An executive (wants an ETA and the business impact).
    Executive,
    /// The support team (relays what customers report).
    Support,
    /// A customer.
    Customer,
}

impl InjectSource {
    /// The names used in scenario files.
    pub const NAMES: [&'static str; 3] = ["executive", "support", "customer"];

    /// Parses a name of [`InjectSource::NAMES`].
    pub fn from_name(name: &str) -> Option<InjectSource> {
        match name {
            "executive" => Some(InjectSource::Executive),
            "support" => Some(InjectSource::Support),
            "customer" => Some(InjectSource::Customer),
            _ => None,
        }
    }

    /// The name in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            InjectSource::Executive => "executive",
            InjectSource::Support => "support",
            InjectSource::Customer => "customer",
        }
    }
}

/// What a reply to an inject must say: a part of a good status update.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyPart {
    /// What users experience.
    Impact,
    /// Where the response stands.
    State,
    /// When the next update comes.
    NextUpdate,
}

impl ReplyPart {
    /// The names used in scenario files.
    pub const NAMES: [&'static str; 3] = ["impact", "state", "next_update"];

    /// Parses a name of [`ReplyPart::NAMES`].
    pub fn from_name(name: &str) -> Option<ReplyPart> {
        match name {
            "impact" => Some(ReplyPart::Impact),
            "state" => Some(ReplyPart::State),
            "next_update" => Some(ReplyPart::NextUpdate),
            _ => None,
        }
    }

    /// What it is, in words ("when the next update comes").
    pub fn describe(self) -> &'static str {
        match self {
            ReplyPart::Impact => "what users experience",
            ReplyPart::State => "where the response stands",
            ReplyPart::NextUpdate => "when the next update comes",
        }
    }
}

/// A scripted message to the responders (`[[injects]]`): it arrives after
/// the responder's `step`-th action and expects a status update (the
/// `communicate` action) within `respond_within` further actions that says
/// what `expects` lists. Graded in `communication`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Inject {
    /// The action after which it arrives (1 = after the first action).
    pub step: u32,
    /// Who sends it.
    pub from: InjectSource,
    /// What they write: symptoms and business impact, never the cause.
    pub message: String,
    /// What the reply must say.
    pub expects: Vec<ReplyPart>,
    /// Actions after its arrival within which a reply counts.
    pub respond_within: u32,
}

/// An authored hint (`[[hints]]`), revealed in order by the `hint` action
/// at a cost to the score (practice mode only in the app).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hint {
    /// The hint: where to look, never the answer outright.
    pub text: String,
    /// What revealing it takes off the score (0.01..=0.25).
    pub cost: f64,
}

/// A service level objective of one service.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SloSpec {
    /// The service.
    pub service: String,
    /// Availability or latency.
    pub kind: SloKind,
    /// Target good fraction, e.g. 0.999.
    pub objective: f64,
    /// For latency: the threshold, a bound of [`LATENCY_BUCKETS`].
    pub threshold_seconds: Option<f64>,
    /// The SLO window, days.
    pub window_days: u32,
}

/// `x` rounded to 12 decimals: the error budget and burn factors as a
/// person writes them (1 − 0.999 is 0.001, not 0.0010000000000000009), so
/// that the rules' literals and the direct evaluation give the same floats.
fn decimal(x: f64) -> f64 {
    (x * 1e12).round() / 1e12
}

impl SloSpec {
    /// The allowed bad fraction: 1 − objective.
    pub fn error_budget(&self) -> f64 {
        decimal(1.0 - self.objective)
    }

    /// The conditions of its page (`page`) or ticket alert: each burn rate
    /// is the budget consumed times the SLO's window over the long window
    /// (14.4, 6, 3 and 1 for a 30-day window; 13.44, 5.6, 2.8 and 0.9333
    /// for 28 days).
    pub fn burn_conditions(&self, page: bool) -> [BurnCondition; 2] {
        let burns = if page { PAGE_BURNS } else { TICKET_BURNS };
        burns.map(|(consumed, long, short)| BurnCondition {
            long,
            short,
            // Rounded to 4 decimals, as written in the rules (0.9333 for 28 days).
            factor: (consumed * (self.window_days as f64 * 86400.0) / SLI_WINDOWS[long].0 as f64
                * 1e4)
                .round()
                / 1e4,
        })
    }
}

/// `avg_over_time`, `max_over_time` or `min_over_time`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OverTime {
    /// The mean over the window.
    Avg,
    /// The largest sample in the window.
    Max,
    /// The smallest sample in the window.
    Min,
}

impl OverTime {
    /// The PromQL function.
    pub fn function(self) -> &'static str {
        match self {
            OverTime::Avg => "avg_over_time",
            OverTime::Max => "max_over_time",
            OverTime::Min => "min_over_time",
        }
    }
}

/// What an alert rule computes from its service's telemetry before it
/// compares with the threshold (PromQL: [`crate::metrics::alerts::rule_expr`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "function", rename_all = "snake_case")]
pub enum RuleQuery {
    /// The signal's gauge now: `error_ratio{service="api"} > 0.05`.
    Gauge,
    /// A gauge over a window: `max_over_time(queue_depth{service="q"}[10m]) > 500`.
    OverTime {
        /// The function.
        over: OverTime,
        /// The window, seconds.
        window_seconds: u32,
    },
    /// From the raw counters and histogram over a window: the error ratio
    /// of the request rates, the request rate, or a latency quantile of
    /// the histogram's bucket rates.
    Rate {
        /// The window, seconds.
        window_seconds: u32,
    },
    /// Failed (`error_ratio`) or all (`requests_per_second`) requests over a window.
    Increase {
        /// The window, seconds.
        window_seconds: u32,
    },
    /// A multi-window, multi-burn-rate alert of an SLO.
    BurnRate {
        /// The SLO, an index into [`Scenario::slos`].
        slo: usize,
        /// A page (fast burn) or a ticket (slow burn).
        page: bool,
    },
}

/// An alert rule on one service's signal.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertRule {
    /// Alert name, e.g. `CheckoutHighLatency`.
    pub name: String,
    /// The service it watches.
    pub service: String,
    /// The signal it watches.
    pub metric: Signal,
    /// What it computes from the signal.
    pub query: RuleQuery,
    /// Above or below.
    pub comparison: Comparison,
    /// The threshold.
    pub threshold: f64,
    /// Steps the condition must hold before the alert fires (0 = at once).
    pub for_steps: u32,
    /// `critical`, `warning` or `info`.
    pub severity: String,
    /// One-line summary shown with the alert.
    pub summary: String,
}

/// How much damage a wrong fix does: it scales both its grading penalty
/// and how much worse it makes the simulation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Harm {
    /// Wasted time, little risk (flushing a cache, restarting a stateless pod).
    Low,
    /// Real disruption (restarting a busy service, scaling the wrong tier).
    #[default]
    Medium,
    /// Dangerous (failing over a healthy primary database, draining nodes).
    High,
}

impl Harm {
    /// Every level, as written in scenario files.
    pub const NAMES: [&'static str; 3] = ["low", "medium", "high"];

    /// Parses a level name.
    pub fn from_name(name: &str) -> Option<Harm> {
        match name {
            "low" => Some(Harm::Low),
            "medium" => Some(Harm::Medium),
            "high" => Some(Harm::High),
            _ => None,
        }
    }

    /// The level's name, as written in scenario files.
    pub fn name(self) -> &'static str {
        Harm::NAMES[self as usize]
    }

    /// What the wrong fix costs in `remediation_quality`.
    pub fn penalty(self) -> f64 {
        match self {
            Harm::Low => 0.1,
            Harm::Medium => 0.25,
            Harm::High => 0.5,
        }
    }

    /// The factor applied to the fix's `amount` when it worsens the simulation.
    pub fn worsening_factor(self) -> f64 {
        match self {
            Harm::Low => 0.5,
            Harm::Medium => 1.0,
            Harm::High => 2.0,
        }
    }
}

/// What a right fix achieves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FixOutcome {
    /// Symptoms ease, but the fault is still there: they return after the
    /// recovery unless a resolving fix follows (a restart of a leaking
    /// service, scaling out a saturated tier).
    Mitigate,
    /// The cause is removed: the symptoms fade and stay gone.
    #[default]
    Resolve,
}

impl FixOutcome {
    /// Every outcome, as written in scenario files.
    pub const NAMES: [&'static str; 2] = ["mitigate", "resolve"];

    /// Parses an outcome name.
    pub fn from_name(name: &str) -> Option<FixOutcome> {
        match name {
            "mitigate" => Some(FixOutcome::Mitigate),
            "resolve" => Some(FixOutcome::Resolve),
            _ => None,
        }
    }

    /// The outcome's name, as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            FixOutcome::Mitigate => "mitigate",
            FixOutcome::Resolve => "resolve",
        }
    }
}

/// A remediation the scenario knows about: a right fix or a tempting wrong one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Remediation {
    /// Target service.
    pub service: String,
    /// One of [`REMEDIATION_KINDS`].
    pub kind: String,
    /// Whether it fixes the incident.
    pub correct: bool,
    /// For a right fix: steps until the metrics are back at baseline.
    pub recovery_steps: u32,
    /// For a wrong fix: what it does (shown in the debrief).
    pub effect: String,
    /// For a wrong fix: the signal it makes worse, and by how much (at
    /// medium harm; scaled by [`Harm::worsening_factor`]).
    pub worsens: Option<(Signal, f64)>,
    /// For a wrong fix: how much damage it does.
    pub harm: Harm,
    /// For a right fix: whether it mitigates or resolves.
    pub outcome: FixOutcome,
    /// For a right fix: the fault it fixes (0: `[fault]`).
    pub fault: usize,
}

/// What a good status update looks like: on a fitting channel, it names
/// the impact (what users experience), the current state and when the next
/// update comes, in any wording.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Communication {
    /// Channels a good update goes to (any one counts).
    pub channels: Vec<String>,
    /// Phrases naming what users experience (a journey, a feature); an
    /// update names the impact when it says any one of them.
    pub impact: Vec<String>,
    /// The scenario file's `must_mention` words, as written (files from
    /// before `impact`: their words that are not a state serve as impact).
    pub must_mention: Vec<String>,
}

/// How a seed varies the scenario (variants).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Variation {
    /// Each drift delta is scaled by a seeded factor in `[1 - j, 1 + j]`.
    pub delta_jitter: f64,
    /// Each baseline value is scaled by a seeded factor in `[1 - j, 1 + j]`.
    pub baseline_jitter: f64,
}

/// A complete, validated scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scenario {
    /// Unique id, e.g. `db-pool-exhaustion-v1`.
    pub id: String,
    /// What the responder sees first: the symptom, never the cause.
    pub title: String,
    /// The cause headline, revealed in the debrief (the title when the
    /// file gives none).
    pub debrief_title: String,
    /// The task (curriculum stage) it serves.
    pub task: Task,
    /// What the responder is told at the start.
    pub summary: String,
    /// The services, in file order.
    pub services: Vec<Service>,
    /// Teams that can be escalated to but own no service (e.g. `incident-command`).
    pub extra_teams: Vec<String>,
    /// The root cause.
    pub fault: Fault,
    /// Further faults at the same time, unrelated to the first (each with
    /// its own root, symptoms and fixes): every one must be found and fixed.
    pub other_faults: Vec<Fault>,
    /// How the faults spread.
    pub symptoms: Vec<Drift>,
    /// Unrelated bad-looking services.
    pub red_herrings: Vec<RedHerring>,
    /// Log templates.
    pub logs: Vec<LogTemplate>,
    /// Alert rules.
    pub alerts: Vec<AlertRule>,
    /// The correct severity.
    pub severity: Severity,
    /// Known remediations, right and wrong.
    pub remediations: Vec<Remediation>,
    /// Teams a good response escalates to.
    pub escalate_to: Vec<String>,
    /// What a good status update says.
    pub communication: Communication,
    /// Seeded variation.
    pub variation: Variation,
    /// Simulated seconds per step (the scrape interval).
    pub step_seconds: u32,
    /// Simulated Unix time (seconds) at which the response starts (step 0).
    pub start_time: i64,
    /// Steps the incident had been going on at step 0 (the history shows
    /// them): `began_minutes_ago` in the file.
    pub began_steps_ago: u32,
    /// The change timeline.
    pub changes: Vec<Change>,
    /// Business signals.
    pub business: Vec<BusinessSignal>,
    /// Series that go absent.
    pub missing: Vec<MissingData>,
    /// The service level objectives: an availability and a latency
    /// objective for every service, in service order.
    pub slos: Vec<SloSpec>,
    /// Scripted messages to the responders, by step.
    pub injects: Vec<Inject>,
    /// Authored hints, in the order they are revealed.
    pub hints: Vec<Hint>,
}

impl Scenario {
    /// Every fault: `[fault]` first, then `[[other_faults]]`.
    pub fn faults(&self) -> impl Iterator<Item = &Fault> {
        std::iter::once(&self.fault).chain(self.other_faults.iter())
    }

    /// Index of the named service, if any.
    pub fn service_index(&self, name: &str) -> Option<usize> {
        self.services.iter().position(|s| s.name == name)
    }

    /// Every team that can be escalated to: owners of services, then extra teams, without repeats.
    pub fn teams(&self) -> Vec<String> {
        let mut teams: Vec<String> = Vec::new();
        for team in self
            .services
            .iter()
            .map(|s| &s.team)
            .chain(self.extra_teams.iter())
        {
            if !teams.contains(team) {
                teams.push(team.clone());
            }
        }
        teams
    }

    /// The scenario's neutral public handle: six characters derived from
    /// its id, shown to trainees instead of the id and used in `?drill=`
    /// links, so that neither names the cause.
    ///
    /// ```
    /// let catalog = firedrill::scenario::Catalog::builtin();
    /// let handle = catalog.scenarios()[0].handle();
    /// assert_eq!(handle.len(), 6);
    /// assert!(handle.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    /// ```
    pub fn handle(&self) -> String {
        handle_of(&self.id)
    }

    /// The right fixes.
    pub fn correct_remediations(&self) -> impl Iterator<Item = &Remediation> {
        self.remediations.iter().filter(|r| r.correct)
    }

    /// Services that the faults reach (root causes and services with symptoms), in file order.
    pub fn affected_services(&self) -> Vec<&str> {
        self.services
            .iter()
            .map(|s| s.name.as_str())
            .filter(|name| {
                self.faults().any(|f| f.service == *name)
                    || self.symptoms.iter().any(|d| d.service == *name)
            })
            .collect()
    }

    /// The services from the users to the root cause: the shortest chain
    /// of callers from the fault's service up to an entry point, entry
    /// first, the root last (ties go to the earlier service in the file).
    /// Users come in through gateways: when a gateway nobody calls can be
    /// reached, the nearest one is the entry, so a batch job or an admin
    /// tool that also calls the root is not taken for the users; otherwise
    /// the nearest service nobody calls. Just the root when nothing calls it.
    pub fn path_to_users(&self) -> Vec<usize> {
        let Some(root) = self.service_index(&self.fault.service) else {
            return Vec::new();
        };
        let callers = |i: usize| {
            let name = &self.services[i].name;
            self.services
                .iter()
                .enumerate()
                .filter(move |(_, s)| s.depends_on.iter().any(|d| d == name))
                .map(|(j, _)| j)
        };
        // Breadth-first from the root up the callers, every entry point in
        // the order reached.
        let mut previous: Vec<Option<usize>> = vec![None; self.services.len()];
        let mut seen = vec![false; self.services.len()];
        seen[root] = true;
        let mut frontier = vec![root];
        let mut entries = Vec::new();
        while !frontier.is_empty() {
            let mut next = Vec::new();
            for &i in &frontier {
                if callers(i).next().is_none() {
                    entries.push(i);
                }
                for j in callers(i) {
                    if !seen[j] {
                        seen[j] = true;
                        previous[j] = Some(i);
                        next.push(j);
                    }
                }
            }
            next.sort_unstable();
            frontier = next;
        }
        let entry = entries
            .iter()
            .copied()
            .find(|&i| self.services[i].kind == ServiceKind::Gateway)
            .or_else(|| entries.first().copied())
            .unwrap_or(root);
        let mut path = vec![entry];
        while let Some(down) = previous[*path.last().unwrap_or(&root)] {
            path.push(down);
        }
        path
    }

    /// Services that only look bad for unrelated reasons.
    pub fn red_herring_services(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for herring in &self.red_herrings {
            if !names.contains(&herring.drift.service.as_str()) {
                names.push(&herring.drift.service);
            }
        }
        names
    }

    /// A short listing entry.
    pub fn summary_entry(&self) -> ScenarioSummary {
        ScenarioSummary {
            id: self.id.clone(),
            handle: self.handle(),
            title: self.title.clone(),
            debrief_title: self.debrief_title.clone(),
            task: Some(self.task),
            fault: self.fault.cause.clone(),
            services: self.services.iter().map(|s| s.name.clone()).collect(),
        }
    }
}

/// Letters and digits a handle uses: no 0/O, 1/I/L, no vowels but A and E
/// (so that no word is spelt by chance).
const HANDLE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The handle of a scenario id (see [`Scenario::handle`]): FNV-1a of the
/// id, written in six characters of [`HANDLE_ALPHABET`].
pub fn handle_of(id: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in id.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let base = HANDLE_ALPHABET.len() as u64;
    (0..6)
        .map(|_| {
            let c = HANDLE_ALPHABET[(hash % base) as usize] as char;
            hash /= base;
            c
        })
        .collect()
}

/// The listing entry of a scenario (`firedrill list --json`, `firedrill.scenarios()`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioSummary {
    /// Scenario id.
    pub id: String,
    /// The neutral public handle ([`Scenario::handle`]).
    pub handle: String,
    /// Title: the symptom.
    pub title: String,
    /// The cause headline (an answer: shown only in the debrief or behind "show answers").
    pub debrief_title: String,
    /// The task; `None` for a built-in file whose `task` is not a task id
    /// (its parse fails with the located error).
    pub task: Option<Task>,
    /// Fault type (the cause id).
    pub fault: String,
    /// Service names.
    pub services: Vec<String>,
}
