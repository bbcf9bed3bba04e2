//! The PromQL engine over a fixed finished episode: any query text either
//! fails to parse with a located error, or evaluates (instant, and range
//! over at most 64 steps) to a result or a named error, within the time
//! limit. Results hold unique label sets, range points are in order and
//! inside the range, every answer renders as valid Prometheus API JSON, and
//! a range query's last point equals the instant query at that time
//! (unless the query reads the range: `start()`, `end()`, `step()`, `range()`).
//!
//! Input: 4 control bytes, then the query.
//! - byte 0: bit 0 runs the range query as well;
//! - byte 1: the instant query's time (and the range's start);
//! - byte 2: points of the range query, 1 to 64;
//! - byte 3: the range query's step.
#![no_main]

use firedrill::series::Labels;
use firedrill::promql::{json, Engine, Matrix, QueryError, Value};
use firedrill_fuzz::{finished_episode, split, FinishedEpisode};
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

/// An evaluation time: mostly inside the episode's span (with five minutes
/// either side), sometimes one of the extremes.
fn time(byte: u8, episode: &FinishedEpisode) -> i64 {
    match byte {
        255 => i64::MAX,
        254 => i64::MIN,
        253 => 0,
        252 => -1,
        251 => episode.last_ms + 365 * 24 * 3_600_000,
        b => {
            let span = episode.last_ms - episode.first_ms + 600_000;
            episode.first_ms - 300_000 + i64::from(b) * span / 250
        }
    }
}

fn step_ms(byte: u8, episode: &FinishedEpisode) -> i64 {
    [
        episode.step_ms,
        1_000,
        15_000,
        60_000,
        300_000,
        3_600_000,
        1,
        7_777,
    ][usize::from(byte % 8)]
}

fn valid_json(text: &str) {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        panic!("invalid API JSON ({e}): {text}");
    }
}

fn check_error(query: &str, error: &QueryError) {
    if let QueryError::Parse {
        offset,
        line,
        column,
        message,
    } = error
    {
        assert!(*offset <= query.len(), "{error:?}");
        assert!(
            *line >= 1 && *column >= 1 && !message.is_empty(),
            "{error:?}"
        );
    }
    assert!(!error.to_string().is_empty());
    valid_json(&json::error(error));
}

fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn check_vector_labels_unique(labels: &[&Labels]) {
    let mut sorted = labels.to_vec();
    sorted.sort();
    for pair in sorted.windows(2) {
        assert_ne!(pair[0], pair[1], "duplicate label set in a result");
    }
}

fn check_matrix(matrix: &Matrix, start: i64, end: i64, step: i64) {
    for pair in matrix.windows(2) {
        assert!(
            pair[0].labels < pair[1].labels,
            "range series unsorted or duplicated"
        );
    }
    for series in matrix {
        assert!(!series.points.is_empty());
        for pair in series.points.windows(2) {
            assert!(pair[0].0 < pair[1].0, "points out of order");
        }
        for (t, _) in &series.points {
            assert!(
                *t >= start && *t <= end,
                "point at {t} outside [{start}, {end}]"
            );
            assert_eq!((*t as i128 - start as i128) % step as i128, 0);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (control, rest) = split::<4>(data);
    let Ok(query) = std::str::from_utf8(rest) else {
        return;
    };
    let episode = finished_episode();
    let engine = Engine::default();
    let prepared = match engine.prepare(query) {
        Ok(p) => p,
        Err(error) => {
            check_error(query, &error);
            return;
        }
    };
    let at = time(control[1], episode);
    let instant = prepared.instant(&episode.store, at);
    match &instant {
        Ok(result) => {
            if let Value::Vector(samples) = &result.value {
                check_vector_labels_unique(&samples.iter().map(|s| &s.labels).collect::<Vec<_>>());
                assert!(samples.iter().all(|s| s.timestamp_ms == at));
            }
            valid_json(&json::success(&result.value, &result.annotations));
        }
        Err(error) => check_error(query, error),
    }
    if control[0] & 1 == 0 {
        return;
    }
    let step = step_ms(control[3], episode);
    let points = i64::from(control[2] % 64);
    let end = at.saturating_add(points * step);
    match prepared.range(&episode.store, at, end, step) {
        Ok(result) => {
            check_matrix(&result.value, at, end, step);
            valid_json(&json::success_matrix(&result.value, &result.annotations));
            // The last step of the range equals an instant query there,
            // unless the query reads the range itself (`@ start()`,
            // `@ end()`, `step()`, `range()`).
            let last = at + (end - at) / step * step;
            let compact: String = query.chars().filter(|c| !c.is_whitespace()).collect();
            if ["start()", "end()", "step()", "range()"]
                .iter()
                .any(|f| compact.contains(f))
            {
                return;
            }
            let Ok(alone) = prepared.instant(&episode.store, last) else {
                return;
            };
            let in_range: HashMap<&Labels, f64> = result
                .value
                .iter()
                .filter_map(|s| {
                    s.points
                        .last()
                        .filter(|p| p.0 == last)
                        .map(|p| (&s.labels, p.1))
                })
                .collect();
            let alone: HashMap<&Labels, f64> = match &alone.value {
                Value::Vector(samples) => samples.iter().map(|s| (&s.labels, s.value)).collect(),
                Value::Scalar { value, .. } => {
                    let empty = result.value.first().map(|s| &s.labels);
                    match empty {
                        Some(labels) => HashMap::from([(labels, *value)]),
                        None => panic!("a scalar range query without its series"),
                    }
                }
                other => panic!("a range query of a {} expression", other.result_type()),
            };
            assert_eq!(
                in_range.len(),
                alone.len(),
                "range and instant differ at {last}: {in_range:?} vs {alone:?}"
            );
            for (labels, value) in &alone {
                let ranged = in_range.get(labels).copied();
                assert!(
                    ranged.is_some_and(|v| same(v, *value)),
                    "{labels:?}: range {ranged:?}, instant {value}"
                );
            }
        }
        Err(error) => check_error(query, &error),
    }
});
