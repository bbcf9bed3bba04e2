//! Simulated request traces: a few requests per step from each entry point
//! (a service nobody calls) down the dependency graph, derived on demand
//! from the signals the episode records for that step, so nothing is stored
//! per step.
//!
//! Each hop is a span whose duration is drawn from the service's latency
//! distribution at that step (the log-normal shape of its histogram,
//! [`LatencyShape`]): a slow dependency is the long span, and a caller
//! lasts as long as its own work and its calls, made one after another. A
//! hop fails with the service's error ratio (always when it is down); a
//! caller retries a failed call up to [`MAX_RETRIES`] times (the repeated
//! child spans) and fails itself when every attempt failed, making no
//! further calls.
//!
//! Everything is a function of the seed, the step and the signals: the
//! same episode gives the same traces, ids included (trace ids 32, span ids
//! 16 lowercase hex digits).
//!
//! ```
//! use firedrill::env::{Env, Selection};
//! let mut env = Env::new();
//! env.reset(&Selection::Scenario("slow-third-party-v1".into()), 3).unwrap();
//! // One entry point (the storefront), three requests a step; step 0 so far.
//! let traces = env.traces(None, 5).unwrap();
//! assert_eq!(traces.len(), 3);
//! assert!(traces.iter().all(|t| t.trace_id.len() == 32 && t.spans[0].parent_span_id.is_none()));
//! // The third party is slow: its span takes seconds.
//! let slow = traces[0].span_of("carrier-rates-api", false).unwrap();
//! assert!(slow.duration > 1.0);
//! ```

use super::families::LatencyShape;
use super::portable_math::exp;
use crate::rng::{splitmix64, Rng};
use crate::scenario::{LogLevel, PerSignal, Scenario, ServiceKind, Signal};
use crate::sim::{push_step_logs, LogContext, LogLine};
use serde::Serialize;
use std::collections::HashMap;

/// Traces each entry point starts per step.
pub const TRACES_PER_ENTRY: usize = 3;
/// Retries of a failed call before the caller gives up (and fails).
pub const MAX_RETRIES: u32 = 2;
/// Spans of one trace at most (deeper or wider calls are not made).
pub const MAX_SPANS: usize = 96;
/// Hops from the entry point at most.
const MAX_DEPTH: u32 = 12;

/// Whether a span is a service answering a request, or a call to a
/// component that answers no traced request of its own (a database, cache,
/// queue, third party or piece of infrastructure): a client span, kept
/// under that component's name (its `service.name` in the OTLP export).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    /// A service or gateway serving a request.
    Server,
    /// A call to a database, cache, queue, third party or infrastructure.
    Client,
}

impl SpanKind {
    /// The OTLP `SpanKind` number (2 server, 3 client).
    pub fn otlp(self) -> u32 {
        match self {
            SpanKind::Server => 2,
            SpanKind::Client => 3,
        }
    }
}

/// One hop of a trace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Span {
    /// 16 lowercase hex digits.
    pub span_id: String,
    /// The caller's span, `None` for the root.
    pub parent_span_id: Option<String>,
    /// The service the hop is (OTLP `service.name`).
    pub service: String,
    /// Like `GET /checkout` or `orders-db query`.
    pub name: String,
    /// Server or client.
    pub kind: SpanKind,
    /// Seconds from the trace's start.
    pub start: f64,
    /// Seconds.
    pub duration: f64,
    /// Whether the hop failed.
    pub error: bool,
    /// The HTTP status answered (services, gateways, third parties and
    /// infrastructure); `None` for databases, caches and queues.
    pub status_code: Option<u16>,
    /// Hops from the root (0 for the root).
    pub depth: u32,
    /// 0 for a first call, 1 and 2 for retries of a failed one.
    pub attempt: u32,
}

/// One simulated request, from an entry point down the dependency graph.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trace {
    /// 32 lowercase hex digits.
    pub trace_id: String,
    /// The incident step the request was made in (it ended before the
    /// step's scrape).
    pub step: u32,
    /// The entry point (the root span's service).
    pub entry: String,
    /// Simulated Unix seconds of its start.
    pub start_time: f64,
    /// Seconds from the root's start to its end.
    pub duration: f64,
    /// Whether the request failed (the root span's status).
    pub error: bool,
    /// The spans, root first, each caller before its calls (depth first).
    pub spans: Vec<Span>,
}

impl Trace {
    /// Whether a span of `service` is in the trace.
    pub fn passes(&self, service: &str) -> bool {
        self.spans.iter().any(|s| s.service == service)
    }

    /// The span of `service` a log line of its request refers to: its
    /// first failed one when `failed`, else its first one.
    pub fn span_of(&self, service: &str, failed: bool) -> Option<&Span> {
        let mut of = self.spans.iter().filter(|s| s.service == service);
        if failed {
            let first = of.clone().next();
            of.find(|s| s.error).or(first)
        } else {
            of.next()
        }
    }
}

/// The entry points of `scenario`: the services nobody depends on, in
/// file order.
pub fn entry_points(scenario: &Scenario) -> Vec<usize> {
    (0..scenario.services.len())
        .filter(|&i| {
            let name = &scenario.services[i].name;
            !scenario
                .services
                .iter()
                .any(|s| s.depends_on.iter().any(|d| d == name))
        })
        .collect()
}

/// `n` as lowercase hex, `digits` long.
fn hex(n: u64, digits: usize, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for digit in (0..digits).rev() {
        out.push(HEX[((n >> (digit * 4)) & 0xf) as usize] as char);
    }
}

/// A nonzero 64-bit id from a key.
fn id_bits(key: u64) -> u64 {
    let mut x = key;
    let bits = splitmix64(&mut x);
    if bits == 0 {
        1
    } else {
        bits
    }
}

/// The key of one trace: (the seed's trace stream, step, entry, trace index).
fn trace_key(base: u64, step: u32, entry: usize, index: usize) -> u64 {
    let mut x = base ^ (step as u64) << 24 ^ (entry as u64) << 8 ^ index as u64;
    splitmix64(&mut x)
}

/// A standard normal draw, near enough (the sum of four uniforms, centred
/// and scaled to unit variance: within ±3.46): only `+ - * /`, so native
/// and wasm agree.
fn normal(rng: &mut Rng) -> f64 {
    let sum = rng.unit() + rng.unit() + rng.unit() + rng.unit();
    (sum - 2.0) * 1.732_050_807_568_877_2
}

/// A span as drawn: indices and numbers, no text (what the logs' ids need).
#[derive(Clone, Copy, Debug)]
struct RawSpan {
    service: usize,
    parent: Option<usize>,
    start: f64,
    duration: f64,
    error: bool,
    down: bool,
    failed_call: bool,
    depth: u32,
    attempt: u32,
}

/// A trace as drawn.
#[derive(Clone, Debug)]
struct RawTrace {
    key: u64,
    entry: usize,
    /// Seconds before the step's scrape it started.
    offset: f64,
    spans: Vec<RawSpan>,
}

impl RawTrace {
    fn trace_id(&self) -> String {
        let mut id = String::with_capacity(32);
        hex(id_bits(self.key ^ 0x7472_6163_6500_0000), 16, &mut id);
        hex(id_bits(self.key.rotate_left(32)), 16, &mut id);
        id
    }

    fn span_id(&self, index: usize) -> String {
        let mut id = String::with_capacity(16);
        hex(id_bits(self.key ^ ((index as u64 + 1) << 40)), 16, &mut id);
        id
    }
}

/// The shape of a scenario's requests, computed once per scenario: its
/// entry points ([`entry_points`]) and each service's dependencies.
#[derive(Clone, Debug)]
pub struct TraceGraph {
    entries: Vec<usize>,
    deps: Vec<Vec<usize>>,
    /// Per entry point, per service: whether its requests can reach it.
    reaches: Vec<Vec<bool>>,
}

impl TraceGraph {
    /// The graph of `scenario`.
    pub fn new(scenario: &Scenario) -> TraceGraph {
        let entries = entry_points(scenario);
        let deps: Vec<Vec<usize>> = scenario
            .services
            .iter()
            .map(|s| {
                s.depends_on
                    .iter()
                    .filter_map(|d| scenario.service_index(d))
                    .collect()
            })
            .collect();
        let reaches = entries
            .iter()
            .map(|&entry| {
                let mut seen = vec![false; deps.len()];
                let mut todo = vec![entry];
                while let Some(s) = todo.pop() {
                    if !std::mem::replace(&mut seen[s], true) {
                        todo.extend(deps[s].iter().copied());
                    }
                }
                seen
            })
            .collect();
        TraceGraph {
            entries,
            deps,
            reaches,
        }
    }
}

/// What a trace is drawn from.
struct Walk<'a> {
    scenario: &'a Scenario,
    values: &'a [PerSignal<f64>],
    /// Each service's latency distribution at the step.
    shapes: &'a [LatencyShape],
    deps: &'a [Vec<usize>],
    /// The outcomes' stream.
    rng: Rng,
    /// The durations' stream; `None`: no timing (every duration 0).
    timing: Option<Rng>,
    spans: Vec<RawSpan>,
}

impl Walk<'_> {
    /// A call to `service` at `start` (seconds from the trace's start);
    /// returns its span's index.
    fn call(
        &mut self,
        service: usize,
        parent: Option<usize>,
        depth: u32,
        start: f64,
        attempt: u32,
    ) -> usize {
        let me = self.spans.len();
        let definition = &self.scenario.services[service];
        let values = self
            .values
            .get(service)
            .copied()
            .unwrap_or(definition.baseline);
        let down = values[Signal::Up] < 0.5;
        // The outcome comes from one stream, the timing from another: the
        // shape of a trace (its spans and their ids) is drawn without its
        // timing when only that is needed (a log line's ids).
        let fails = down || self.rng.unit() < values[Signal::ErrorRatio];
        let own = match (&mut self.timing, down) {
            (None, _) => 0.0,
            // Connection refused: quick.
            (Some(timing), true) => 0.001 + 0.002 * timing.unit(),
            (Some(timing), false) => {
                let shape = &self.shapes[service];
                exp(shape.mu + shape.sigma * normal(timing))
            }
        };
        self.spans.push(RawSpan {
            service,
            parent,
            start,
            duration: own,
            error: fails,
            down,
            failed_call: false,
            depth,
            attempt,
        });
        // Its own work around its calls: a tenth of a healthy request
        // before them, a twentieth after (its latency signal, which `own`
        // follows, already counts the calls).
        let work = own.min(definition.baseline[Signal::LatencyP50Seconds].max(1e-4));
        let mut time = start + 0.1 * work;
        let mut failed_call = false;
        if !down && depth < MAX_DEPTH {
            let deps = self.deps;
            for &dep in &deps[service] {
                if failed_call {
                    // A call that failed every attempt ends the request.
                    break;
                }
                let mut attempt = 0;
                loop {
                    if self.spans.len() >= MAX_SPANS {
                        break;
                    }
                    let child = self.call(dep, Some(me), depth + 1, time, attempt);
                    let span = &self.spans[child];
                    time = span.start + span.duration + 0.02 * work;
                    if !span.error {
                        break;
                    }
                    if attempt == MAX_RETRIES {
                        failed_call = true;
                        break;
                    }
                    attempt += 1;
                }
            }
        }
        let end = (start + own).max(time + 0.05 * work);
        let span = &mut self.spans[me];
        span.duration = end - start;
        span.error = fails || failed_call;
        span.failed_call = failed_call;
        me
    }
}

/// Each service's latency distribution given its signals.
fn shapes_of(values: &[PerSignal<f64>]) -> Vec<LatencyShape> {
    let mut shapes = Vec::with_capacity(values.len());
    LatencyShape::of_signals(values, &mut shapes);
    shapes
}

/// The traces of a step as drawn (see [`step_traces`]).
fn walk_step(
    graph: &TraceGraph,
    scenario: &Scenario,
    seed: u64,
    step: u32,
    values: &[PerSignal<f64>],
) -> Vec<RawTrace> {
    let base = Rng::derive(seed, "traces").next_u64();
    let shapes = shapes_of(values);
    (0..graph.entries.len() * TRACES_PER_ENTRY)
        .map(|n| walk_one(graph, scenario, base, step, values, Some(&shapes), n))
        .collect()
}

/// The `n`th trace of a step (entry `n / TRACES_PER_ENTRY`), `base` the
/// seed's trace stream.
fn walk_one(
    graph: &TraceGraph,
    scenario: &Scenario,
    base: u64,
    step: u32,
    values: &[PerSignal<f64>],
    shapes: Option<&[LatencyShape]>,
    n: usize,
) -> RawTrace {
    let (e, index) = (n / TRACES_PER_ENTRY, n % TRACES_PER_ENTRY);
    let entry = graph.entries[e];
    let key = trace_key(base, step, e, index);
    let mut timing = shapes.map(|_| Rng::new(key ^ 0x0074_696d_696e_6700));
    let offset = timing.as_mut().map_or(0.0, |t| {
        (0.05 + 0.9 * t.unit()) * scenario.step_seconds as f64
    });
    let mut walk = Walk {
        scenario,
        values,
        shapes: shapes.unwrap_or_default(),
        deps: &graph.deps,
        rng: Rng::new(key),
        timing,
        spans: Vec::with_capacity(16),
    };
    walk.call(entry, None, 0, 0.0, 0);
    RawTrace {
        key,
        entry,
        offset,
        spans: walk.spans,
    }
}

/// A drawn trace with its text: ids, names, statuses.
fn finish(scenario: &Scenario, step: u32, raw: &RawTrace) -> Trace {
    let step_time = scenario.start_time as f64 + step as f64 * scenario.step_seconds as f64;
    let span_ids: Vec<String> = (0..raw.spans.len()).map(|i| raw.span_id(i)).collect();
    let spans = raw
        .spans
        .iter()
        .zip(&span_ids)
        .map(|(span, span_id)| {
            let definition = &scenario.services[span.service];
            let name = &definition.name;
            let (name, kind) = match definition.kind {
                ServiceKind::Service | ServiceKind::Gateway => {
                    (format!("GET /{name}"), SpanKind::Server)
                }
                ServiceKind::Database => (format!("{name} query"), SpanKind::Client),
                ServiceKind::Cache => (format!("{name} get"), SpanKind::Client),
                ServiceKind::Queue => (format!("{name} publish"), SpanKind::Client),
                ServiceKind::External => (format!("GET {name}"), SpanKind::Client),
                ServiceKind::Infrastructure => (format!("{name} lookup"), SpanKind::Client),
            };
            let status_code = match definition.kind {
                ServiceKind::Database | ServiceKind::Cache | ServiceKind::Queue => None,
                _ if span.down => Some(503),
                _ if span.error && !span.failed_call => Some(500),
                _ if span.failed_call => Some(502),
                _ => Some(200),
            };
            Span {
                span_id: span_id.clone(),
                parent_span_id: span.parent.map(|p| span_ids[p].clone()),
                service: definition.name.clone(),
                name,
                kind,
                start: span.start,
                duration: span.duration,
                error: span.error,
                status_code,
                depth: span.depth,
                attempt: span.attempt,
            }
        })
        .collect();
    let root = raw.spans.first();
    Trace {
        trace_id: raw.trace_id(),
        step,
        entry: scenario.services[raw.entry].name.clone(),
        start_time: step_time - raw.offset,
        duration: root.map_or(0.0, |r| r.duration),
        error: root.is_some_and(|r| r.error),
        spans,
    }
}

/// The traces of incident step `step` ([`TRACES_PER_ENTRY`] from each
/// entry point, in entry order), drawn from `values`, each service's
/// signals at that step.
pub fn step_traces(
    scenario: &Scenario,
    seed: u64,
    step: u32,
    values: &[PerSignal<f64>],
) -> Vec<Trace> {
    step_traces_in(&TraceGraph::new(scenario), scenario, seed, step, values)
}

/// [`step_traces`] with the scenario's graph already computed.
pub fn step_traces_in(
    graph: &TraceGraph,
    scenario: &Scenario,
    seed: u64,
    step: u32,
    values: &[PerSignal<f64>],
) -> Vec<Trace> {
    walk_step(graph, scenario, seed, step, values)
        .iter()
        .map(|raw| finish(scenario, step, raw))
        .collect()
}

/// The traces of one step drawn so far (in order, as far as a log line
/// needed), kept while the log lines of that step are written.
#[derive(Clone, Debug, Default)]
pub struct StepRequests {
    step: Option<u32>,
    /// The step's traces in order, drawn without their timing; `None`:
    /// not drawn (yet).
    traces: Vec<Option<RawTrace>>,
}

/// The first span of `service` in `trace` that failed (`failed`) or did
/// not; else its first span (index).
fn span_in(trace: &RawTrace, service: usize, failed: bool) -> (Option<usize>, Option<usize>) {
    let mut first = None;
    for (i, span) in trace.spans.iter().enumerate() {
        if span.service == service {
            if span.error == failed {
                return (Some(i), first.or(Some(i)));
            }
            first.get_or_insert(i);
        }
    }
    (None, first)
}

impl StepRequests {
    /// The (trace id, span id) a line of `service` at `step` refers to:
    /// for a failed request (`failed`), a failed span of the service if any
    /// trace has one; otherwise a succeeding one if any.
    #[allow(clippy::too_many_arguments)]
    fn ids(
        &mut self,
        graph: &TraceGraph,
        scenario: &Scenario,
        seed: u64,
        step: u32,
        values: &[PerSignal<f64>],
        service: usize,
        failed: bool,
    ) -> Option<(String, String)> {
        let (n, i) = self.find(graph, scenario, seed, step, values, service, failed)?;
        let trace = self.traces.get(n)?.as_ref()?;
        Some((trace.trace_id(), trace.span_id(i)))
    }

    /// [`StepRequests::ids`] as (trace index, span index).
    #[allow(clippy::too_many_arguments)]
    fn find(
        &mut self,
        graph: &TraceGraph,
        scenario: &Scenario,
        seed: u64,
        step: u32,
        values: &[PerSignal<f64>],
        service: usize,
        failed: bool,
    ) -> Option<(usize, usize)> {
        if self.step != Some(step) {
            self.traces.clear();
            self.step = Some(step);
        }
        // Drawn lazily, in order: the answer is the one of a scan of all.
        let base = Rng::derive(seed, "traces").next_u64();
        let mut first = None;
        for n in 0..graph.entries.len() * TRACES_PER_ENTRY {
            // Only the requests of an entry point that reaches the service
            // are drawn for it.
            if !graph.reaches[n / TRACES_PER_ENTRY][service] {
                continue;
            }
            if self.traces.len() <= n {
                self.traces.resize_with(n + 1, || None);
            }
            let trace = self.traces[n]
                .get_or_insert_with(|| walk_one(graph, scenario, base, step, values, None, n));
            let (exact, any) = span_in(trace, service, failed);
            if let Some(i) = exact {
                return Some((n, i));
            }
            if first.is_none() {
                first = any.map(|i| (n, i));
            }
        }
        first
    }
}

/// Whether a log line stands for a request (and so carries the ids of a
/// trace): it has a `request_id` field, or it is a service's routine
/// `request completed` / a third party's `upstream call completed`.
pub fn request_line(line: &LogLine) -> bool {
    line.fields.iter().any(|(k, _)| k == "request_id")
        || line.message == "request completed"
        || line.message == "upstream call completed"
}

/// The log lines service `index` writes at `step` ([`push_step_logs`]),
/// each line of a request ([`request_line`]) carrying the `trace_id` and
/// `span_id` of a trace through the service at that step: for a warning or
/// worse, a failed span of the service if a trace of the step has one;
/// otherwise a succeeding one if any. `requests` keeps the step's draw for
/// the next service's lines of the same step.
#[allow(clippy::too_many_arguments)]
pub fn push_traced_logs(
    graph: &TraceGraph,
    requests: &mut StepRequests,
    scenario: &Scenario,
    seed: u64,
    index: usize,
    step: u32,
    context: &LogContext,
    mut push: impl FnMut(LogLine),
) {
    push_step_logs(scenario, seed, index, step, context, |mut line| {
        if request_line(&line) {
            let failed = line.level >= LogLevel::Warn;
            if let Some((trace, span)) =
                requests.ids(graph, scenario, seed, step, &context.values, index, failed)
            {
                line.trace_id = Some(trace);
                line.span_id = Some(span);
            }
        }
        push(line)
    });
}

/// The log lines `service` has written from the incident start through
/// the last step of `contexts` (one per step from step 0), oldest first, at
/// most `limit` (the newest kept), the lines of requests carrying trace
/// ids ([`push_traced_logs`]).
pub fn traced_service_logs(
    graph: &TraceGraph,
    scenario: &Scenario,
    seed: u64,
    service: &str,
    contexts: &[LogContext],
    limit: usize,
) -> Vec<LogLine> {
    let Some(index) = scenario.service_index(service) else {
        return Vec::new();
    };
    let up_to_step = contexts.len().saturating_sub(1) as u32;
    let mut lines = Vec::new();
    let mut requests = StepRequests::default();
    let first_step = up_to_step.saturating_sub(limit.min(u32::MAX as usize) as u32);
    for step in first_step..=up_to_step {
        if let Some(context) = contexts.get(step as usize) {
            push_traced_logs(
                graph,
                &mut requests,
                scenario,
                seed,
                index,
                step,
                context,
                |line| lines.push(line),
            );
        }
    }
    let skip = lines.len().saturating_sub(limit);
    lines.drain(..skip);
    lines
}

/// One exemplar: a trace whose span of a service took `value` seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Exemplar {
    /// The trace's id.
    pub trace_id: String,
    /// The span's duration, seconds.
    pub value: f64,
    /// Simulated Unix seconds of the span's start.
    pub time: f64,
}

/// Exemplars of the latency histogram: per service and scrape time, the
/// durations of the service's spans in the traces of that step.
#[derive(Clone, Debug, Default)]
pub struct Exemplars {
    by_sample: HashMap<(usize, i64), Vec<Exemplar>>,
}

impl Exemplars {
    /// The exemplars of `traces`, each span of a service at the scrape time
    /// of its trace's step (milliseconds: `scenario.start_time` plus the steps).
    pub fn of_traces(scenario: &Scenario, traces: &[Trace]) -> Exemplars {
        let mut by_sample: HashMap<(usize, i64), Vec<Exemplar>> = HashMap::new();
        for trace in traces {
            let time_ms = (scenario.start_time + trace.step as i64 * scenario.step_seconds as i64)
                .saturating_mul(1000);
            for span in &trace.spans {
                if let Some(service) = scenario.service_index(&span.service) {
                    by_sample
                        .entry((service, time_ms))
                        .or_default()
                        .push(Exemplar {
                            trace_id: trace.trace_id.clone(),
                            value: span.duration,
                            time: trace.start_time + span.start,
                        });
                }
            }
        }
        Exemplars { by_sample }
    }

    /// An exemplar of service `service` at scrape time `time_ms` whose
    /// value is above `above` and at most `up_to` (a histogram bucket).
    pub fn find(&self, service: usize, time_ms: i64, above: f64, up_to: f64) -> Option<&Exemplar> {
        self.by_sample
            .get(&(service, time_ms))?
            .iter()
            .find(|e| e.value > above && e.value <= up_to)
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.by_sample.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    #[ignore = "a timing: cargo test --lib traces::tests::time -- --ignored --nocapture"]
    fn time_walk() {
        let catalog = crate::scenario::Catalog::builtin();
        let scenario = catalog
            .scenarios()
            .iter()
            .find(|s| s.id == "dns-failure-v1")
            .map(|s| Arc::clone(s))
            .unwrap();
        let values = crate::sim::baseline_signals(&scenario);
        let graph = TraceGraph::new(&scenario);
        let start = std::time::Instant::now();
        let mut n = 0;
        for step in 0..5000 {
            n += walk_step(&graph, &scenario, 1, step, &values).len();
        }
        let walk = start.elapsed().as_secs_f64() * 1e6 / 5000.0;
        let start = std::time::Instant::now();
        for step in 0..5000 {
            n += step_traces_in(&graph, &scenario, 1, step, &values).len();
        }
        let full = start.elapsed().as_secs_f64() * 1e6 / 5000.0;
        eprintln!("walk {walk:.1} µs, with text {full:.1} µs per step ({n})");
    }
}
