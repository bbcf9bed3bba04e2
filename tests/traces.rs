//! The simulated traces: they follow the simulated latency (a slow
//! dependency is the long span) and errors (a failing hop's span is
//! errored, its caller retries), they are deterministic, and the logs and
//! the OpenMetrics export's exemplars point into them.

use firedrill::env::{Action, Env, Selection};
use firedrill::export::{episode_export, ExportKind};
use firedrill::metrics::traces::{Trace, MAX_RETRIES};
use std::collections::{HashMap, HashSet};

fn started(id: &str, seed: u64) -> Env {
    let mut env = Env::new();
    env.reset(&Selection::Scenario(id.into()), seed).unwrap();
    env
}

/// The spans of `trace` that are an ancestor of a span of `service`.
fn ancestors_of(trace: &Trace, service: &str) -> HashSet<String> {
    let parent: HashMap<&str, Option<&str>> = trace
        .spans
        .iter()
        .map(|s| (s.span_id.as_str(), s.parent_span_id.as_deref()))
        .collect();
    let mut out = HashSet::new();
    for span in trace.spans.iter().filter(|s| s.service == service) {
        let mut at = span.parent_span_id.as_deref();
        while let Some(id) = at {
            out.insert(id.to_string());
            at = parent.get(id).copied().flatten();
        }
    }
    out
}

#[test]
fn a_slow_dependency_is_the_longest_span_of_its_traces() {
    // The carrier-rates third party slows down from the start; by step 6
    // it is at its cap (11 s at p99).
    let slow = "carrier-rates-api";
    let mut env = started("slow-third-party-v1", 7);
    for _ in 0..6 {
        env.step(&Action::new("investigate", Some(slow))).unwrap();
    }
    let traces = env.traces(Some(slow), 5).unwrap();
    assert_eq!(traces.len(), 5);
    for trace in &traces {
        assert!(trace.passes(slow));
        assert!(trace.step >= 5, "{}", trace.step);
        let ancestors = ancestors_of(trace, slow);
        assert!(
            !ancestors.is_empty(),
            "the third party is called by someone"
        );
        let longest = trace
            .spans
            .iter()
            .filter(|s| !ancestors.contains(&s.span_id))
            .max_by(|a, b| a.duration.total_cmp(&b.duration))
            .unwrap();
        assert_eq!(
            longest.service, slow,
            "trace {} at step {}: {:#?}",
            trace.trace_id, trace.step, trace.spans
        );
        assert!(longest.duration > 1.0, "{}", longest.duration);
        // A caller covers its calls.
        for span in &trace.spans {
            if let Some(parent) = &span.parent_span_id {
                let parent = trace.spans.iter().find(|s| &s.span_id == parent).unwrap();
                assert!(span.start >= parent.start);
                assert!(span.start + span.duration <= parent.start + parent.duration + 1e-9);
            }
        }
    }
    // Before the response started the third party was already slow, but a
    // healthy service of the same scenario is quick.
    let quick = env.traces(Some("recommendations"), 3).unwrap();
    for trace in &quick {
        let span = trace.span_of("recommendations", false).unwrap();
        assert!(span.duration < 1.0, "{}", span.duration);
    }
}

#[test]
fn failed_hops_are_errored_spans_and_their_callers_retry() {
    let catalog = Env::new().catalog().clone();
    let mut errored = 0;
    let mut retried = 0;
    for scenario in catalog.scenarios() {
        let env = started(&scenario.id, 1);
        for trace in env.traces(None, 30).unwrap() {
            assert_eq!(trace.error, trace.spans[0].error);
            for (i, span) in trace.spans.iter().enumerate() {
                if span.error {
                    errored += 1;
                    if let Some(code) = span.status_code {
                        assert!(code >= 500, "{code}");
                    }
                } else if let Some(code) = span.status_code {
                    assert_eq!(code, 200);
                }
                let calls: Vec<_> = trace
                    .spans
                    .iter()
                    .filter(|s| s.parent_span_id.as_deref() == Some(&span.span_id))
                    .collect();
                // Each attempt after the first follows a failed call to the same service.
                for pair in calls.windows(2) {
                    if pair[1].attempt > 0 {
                        retried += 1;
                        assert_eq!(pair[0].service, pair[1].service);
                        assert!(pair[0].error);
                        assert_eq!(pair[1].attempt, pair[0].attempt + 1);
                        assert!(pair[1].attempt <= MAX_RETRIES);
                    }
                }
                // A call that failed every attempt fails its caller, which
                // makes no further call.
                if let Some(k) = calls
                    .iter()
                    .position(|c| c.error && c.attempt == MAX_RETRIES)
                {
                    assert!(span.error, "span {i} of {}", trace.trace_id);
                    assert_eq!(k, calls.len() - 1, "span {i} of {}", trace.trace_id);
                }
            }
        }
    }
    assert!(errored > 50, "{errored} errored spans");
    assert!(retried > 10, "{retried} retries");
}

#[test]
fn traces_are_deterministic_and_ids_are_hex() {
    let a = started("memory-leak-v1", 11).traces(None, 20).unwrap();
    let b = started("memory-leak-v1", 11).traces(None, 20).unwrap();
    let c = started("memory-leak-v1", 12).traces(None, 20).unwrap();
    assert_eq!(a, b);
    assert_ne!(a[0].trace_id, c[0].trace_id);
    let mut ids = HashSet::new();
    for trace in &a {
        assert!(ids.insert(trace.trace_id.clone()));
        assert_eq!(trace.trace_id.len(), 32);
        assert!(trace
            .trace_id
            .chars()
            .all(|ch| ch.is_ascii_hexdigit() && !ch.is_ascii_uppercase()));
        assert!(trace.spans[0].parent_span_id.is_none());
        assert!(trace.spans[1..].iter().all(|s| s.parent_span_id.is_some()));
        for span in &trace.spans {
            assert_eq!(span.span_id.len(), 16);
            assert!(ids.insert(span.span_id.clone()), "span ids are unique");
        }
    }
    // No trace passes through a service the scenario does not have.
    assert!(started("memory-leak-v1", 11)
        .traces(Some("mainframe"), 5)
        .unwrap()
        .is_empty());
}

#[test]
fn request_log_lines_carry_the_ids_of_a_trace_through_their_service() {
    let mut env = started("slow-third-party-v1", 3);
    for _ in 0..3 {
        env.step(&Action::new("investigate", Some("checkout")))
            .unwrap();
    }
    let lines = env.logs().unwrap();
    let traced: Vec<_> = lines.iter().filter(|l| l.trace_id.is_some()).collect();
    assert!(traced.len() >= 3, "{} traced lines", traced.len());
    let traces = env.traces(None, usize::MAX).unwrap();
    for line in traced {
        let trace = traces
            .iter()
            .find(|t| Some(&t.trace_id) == line.trace_id.as_ref())
            .unwrap_or_else(|| panic!("no trace for {line:?}"));
        assert_eq!(trace.step, line.step);
        let span = trace
            .spans
            .iter()
            .find(|s| Some(&s.span_id) == line.span_id.as_ref())
            .unwrap();
        assert_eq!(span.service, line.service);
    }
    // The OTLP logs carry them too.
    let logs = episode_export(&env, ExportKind::OtlpLogs).unwrap();
    assert!(logs.contains("\"traceId\":\""), "{}", &logs[..400]);
    assert!(logs.contains("\"spanId\":\""));
}

#[test]
fn openmetrics_exemplars_link_latency_buckets_to_traces() {
    let mut env = started("slow-third-party-v1", 3);
    for _ in 0..4 {
        env.step(&Action::new("investigate", Some("checkout")))
            .unwrap();
    }
    let text = episode_export(&env, ExportKind::OpenMetrics).unwrap();
    let traces = env.traces(None, usize::MAX).unwrap();
    let ids: HashSet<&str> = traces.iter().map(|t| t.trace_id.as_str()).collect();
    let mut exemplars = 0;
    for line in text.lines().filter(|l| l.contains(" # {")) {
        assert!(
            line.starts_with("http_request_duration_seconds_bucket{"),
            "{line}"
        );
        let (sample, exemplar) = line.split_once(" # ").unwrap();
        let le = sample
            .split("le=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let le: f64 = if le == "+Inf" {
            f64::INFINITY
        } else {
            le.parse().unwrap()
        };
        let rest = exemplar.strip_prefix("{trace_id=\"").unwrap();
        let (id, rest) = rest.split_once("\"} ").unwrap();
        assert!(ids.contains(id), "{id}");
        let mut parts = rest.split(' ');
        let value: f64 = parts.next().unwrap().parse().unwrap();
        let time: f64 = parts.next().unwrap().parse().unwrap();
        assert!(value <= le, "{line}");
        let sample_time: f64 = sample.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(time <= sample_time + 60.0, "{line}");
        exemplars += 1;
    }
    assert!(exemplars > 20, "{exemplars} exemplars");
    // The monitor's own text (no episode's traces) has none.
    assert!(!env.monitor().unwrap().openmetrics().contains(" # {"));
}

#[test]
#[ignore = "a timing, not a test: cargo test --release --test traces -- --ignored --nocapture"]
fn time_step_traces() {
    use firedrill::metrics::traces::step_traces;
    let env = started("dns-failure-v1", 1);
    let scenario = env.scenario().unwrap().clone();
    let values: Vec<_> = (0..scenario.services.len())
        .map(|i| env.simulation().unwrap().values(i))
        .collect();
    let start = std::time::Instant::now();
    let mut spans = 0;
    for step in 0..2000 {
        spans += step_traces(&scenario, 1, step, &values)
            .iter()
            .map(|t| t.spans.len())
            .sum::<usize>();
    }
    eprintln!(
        "step_traces: {:.1} µs per step, {} spans per step",
        start.elapsed().as_secs_f64() * 1e6 / 2000.0,
        spans / 2000
    );
}
