//! Runs the Prometheus project's own PromQL test scripts
//! (`../shared/conformance/promqltest/*.test`, see its README) against the
//! engine: loads the series into a store, evaluates every `eval`, compares
//! with the expected result, and prints per file how many cases ran, passed
//! and were skipped (with why).
//!
//! Set `PROMQL_CONFORMANCE_VERBOSE=1` to print every failing case, and
//! `PROMQL_CONFORMANCE_FILE=name` to run one file, `PROMQL_CONFORMANCE_ALL=1`
//! to run the files that are skipped whole too (without the assertion).
//! Without the data the test skips and says so, and fails when `CI` is set.

use firedrill::promql::{self, Engine, QueryError, Value};
use firedrill::series::{Labels, Store};
use regex::Regex;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

mod common;

/// The pass rate (over cases that ran) the suite must keep.
const REQUIRED_PASS_RATE: f64 = 1.0;

/// Files about features beyond a float-sample engine, skipped whole.
const SKIPPED_FILES: [(&str, &str); 6] = [
    ("native_histograms.test", "native histograms"),
    ("info.test", "info() and info metrics"),
    ("type_and_unit.test", "type and unit labels"),
    ("start_timestamps.test", "start timestamps"),
    ("extended_vectors.test", "anchored/smoothed range modifiers"),
    ("duration_expression.test", "duration expressions"),
];

/// How to get the conformance data when it is missing.
const GET_CONFORMANCE: &str = "check out the ../shared folder beside the repository (conformance/promqltest holds the Prometheus project's promql/promqltest/testdata), or point FIREDRILL_SHARED_DIR at it";

fn conformance_dir() -> PathBuf {
    common::shared_dir().join("conformance/promqltest")
}

/// The `*.test` files of the conformance data, sorted, or what is missing.
fn conformance_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("the PromQL conformance data ({}: {e})", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "test"))
        .collect();
    if files.is_empty() {
        return Err(format!(
            "the PromQL conformance data (no *.test file in {})",
            dir.display()
        ));
    }
    files.sort();
    Ok(files)
}

/// A duration of the test language (`1m30s`, `10s53ms`, `0`, bare seconds) in ms.
fn duration_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return Some((seconds * 1000.0).round() as i64);
    }
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut total: i64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        if digits == 0 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let factor = match unit {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 7 * 86_400_000,
            "y" => 365 * 86_400_000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(factor)?)?;
    }
    Some(if negative { -total } else { total })
}

/// One value of a series description.
#[derive(Clone, Copy, Debug)]
enum Point {
    Missing,
    Value(f64),
}

fn parse_number(s: &str) -> Option<f64> {
    match s {
        "Inf" | "+Inf" | "inf" | "+inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        "NaN" | "nan" => Some(f64::NAN),
        _ => {
            let unsigned = s.trim_start_matches(['+', '-']);
            if let Some(hex) = unsigned
                .strip_prefix("0x")
                .or_else(|| unsigned.strip_prefix("0X"))
            {
                let v = i64::from_str_radix(hex, 16).ok()? as f64;
                return Some(if s.starts_with('-') { -v } else { v });
            }
            s.parse::<f64>().ok()
        }
    }
}

/// Expands the values of a series description (`1 2 _ 3+1x4 _x2 stale`).
fn expand_values(text: &str) -> Option<Vec<Point>> {
    let mut out = Vec::new();
    for token in text.split_whitespace() {
        if token == "_" {
            out.push(Point::Missing);
            continue;
        }
        if let Some(n) = token.strip_prefix("_x") {
            let n: usize = n.parse().ok()?;
            out.extend(std::iter::repeat_n(Point::Missing, n));
            continue;
        }
        if token == "stale" {
            out.push(Point::Value(promql::stale_nan()));
            continue;
        }
        if let Some((head, times)) = token.rsplit_once('x') {
            if !times.is_empty() && times.bytes().all(|b| b.is_ascii_digit()) {
                let times: usize = times.parse().ok()?;
                let bytes = head.as_bytes();
                let split = (1..bytes.len()).rev().find(|&i| {
                    (bytes[i] == b'+' || bytes[i] == b'-') && !matches!(bytes[i - 1], b'e' | b'E')
                });
                let (start, step) = match split {
                    Some(i) => {
                        let step = parse_number(&head[i + 1..])?;
                        let step = if bytes[i] == b'-' { -step } else { step };
                        (parse_number(&head[..i])?, step)
                    }
                    None => (parse_number(head)?, 0.0),
                };
                let mut v = start;
                for _ in 0..=times {
                    out.push(Point::Value(v));
                    v += step;
                }
                continue;
            }
        }
        out.push(Point::Value(parse_number(token)?));
    }
    Some(out)
}

/// Splits `metric{labels} values` into the series part and the values part.
fn split_series(line: &str) -> (&str, &str) {
    let line = line.trim();
    let bytes = line.as_bytes();
    let mut i = 0;
    if bytes.first() != Some(&b'{') {
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'{' {
            i += 1;
        }
    }
    if i < bytes.len() && bytes[i] == b'{' {
        let mut quote: Option<u8> = None;
        while i < bytes.len() {
            let c = bytes[i];
            if let Some(q) = quote {
                if c == b'\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            } else if c == b'"' || c == b'\'' || c == b'`' {
                quote = Some(c);
            } else if c == b'}' {
                i += 1;
                break;
            }
            i += 1;
        }
    }
    let i = i.min(line.len());
    (&line[..i], &line[i..])
}

/// The label set of a series description, parsed as a PromQL selector.
fn parse_labels(text: &str) -> Option<Labels> {
    let text = text.trim();
    if text == "{}" {
        return Some(Labels::new(Vec::new()));
    }
    let expr = promql_parser::parser::parse(text).ok()?;
    let promql_parser::parser::Expr::VectorSelector(vs) = expr else {
        return None;
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Some(name) = vs.name {
        pairs.push(("__name__".into(), name));
    }
    for m in vs.matchers.matchers {
        pairs.push((m.name, m.value));
    }
    Some(Labels::new(pairs))
}

#[derive(Debug)]
enum Expectation {
    /// Message must equal (`msg:`) or match (`regex:`) when given.
    Fail(Option<Match>),
    Warn(Option<Match>),
    Info(Option<Match>),
    NoWarn,
    NoInfo,
    Ordered,
    String(String),
    RangeVector {
        start: i64,
        step: i64,
    },
}

#[derive(Debug)]
enum Match {
    Exact(String),
    Regex(String),
}

impl Match {
    fn matches(&self, text: &str) -> bool {
        match self {
            Match::Exact(m) => m == text,
            Match::Regex(r) => Regex::new(r).is_ok_and(|re| re.is_match(text)),
        }
    }
}

fn parse_match(rest: &str) -> Option<Match> {
    let rest = rest.trim();
    if let Some(m) = rest.strip_prefix("msg:") {
        Some(Match::Exact(m.trim().to_string()))
    } else {
        rest.strip_prefix("regex:")
            .map(|r| Match::Regex(r.trim().to_string()))
    }
}

fn unquote(s: &str) -> Option<String> {
    let s = s.trim();
    if s.len() >= 2 && s.starts_with('`') && s.ends_with('`') {
        return Some(s[1..s.len() - 1].to_string());
    }
    serde_json::from_str::<String>(s).ok()
}

enum Kind {
    Instant { at: i64 },
    Range { start: i64, end: i64, step: i64 },
}

struct Case {
    line: usize,
    kind: Kind,
    query: String,
    expectations: Vec<Expectation>,
    /// (labels, values, source line) of the expected result.
    expected: Vec<(Labels, Vec<Point>, String)>,
    skip: Option<&'static str>,
}

#[derive(Default, Clone)]
struct Tally {
    ran: usize,
    passed: usize,
    skipped: usize,
    skip_reasons: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

fn floats_match(expected: f64, actual: f64) -> bool {
    if expected.is_nan() && actual.is_nan() {
        return true;
    }
    if expected == actual {
        return true;
    }
    let (a, b) = (expected, actual);
    let min_normal = f64::MIN_POSITIVE;
    let abs_sum = a.abs() + b.abs();
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || abs_sum < min_normal {
        return diff < 1e-6 * min_normal;
    }
    diff / abs_sum.min(f64::MAX) < 1e-6
}

fn show_labels(l: &Labels) -> String {
    let inner: Vec<String> = l
        .pairs()
        .iter()
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

/// A series' labels and points.
type SeriesPoints = (Labels, Vec<(i64, f64)>);

/// Compares a list of (labels, points) with the expectation.
fn compare_series(
    expected: &[(Labels, Vec<(i64, f64)>)],
    actual: &[(Labels, Vec<(i64, f64)>)],
    ordered: bool,
) -> Result<(), String> {
    let mut seen = HashSet::new();
    for (pos, (labels, points)) in actual.iter().enumerate() {
        let Some(exp_pos) = expected.iter().position(|(l, _)| l == labels) else {
            return Err(format!(
                "unexpected series {} {:?}",
                show_labels(labels),
                points
            ));
        };
        if ordered && exp_pos != pos {
            return Err(format!(
                "series {} at position {} but expected at {}",
                show_labels(labels),
                pos + 1,
                exp_pos + 1
            ));
        }
        let exp_points = &expected[exp_pos].1;
        let same = exp_points.len() == points.len()
            && exp_points
                .iter()
                .zip(points)
                .all(|(e, a)| e.0 == a.0 && floats_match(e.1, a.1));
        if !same {
            return Err(format!(
                "series {}: expected {:?}, got {:?}",
                show_labels(labels),
                exp_points,
                points
            ));
        }
        seen.insert(exp_pos);
    }
    for (i, (labels, points)) in expected.iter().enumerate() {
        if !seen.contains(&i) {
            return Err(format!(
                "expected series {} {:?} not found",
                show_labels(labels),
                points
            ));
        }
    }
    Ok(())
}

fn grid(start: i64, step: i64, values: &[Point]) -> Vec<(i64, f64)> {
    values
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match p {
            Point::Missing => None,
            Point::Value(v) => Some((start + i as i64 * step, *v)),
        })
        .collect()
}

fn check_annotations(case: &Case, notes: &firedrill::promql::Annotations) -> Result<(), String> {
    for e in &case.expectations {
        match e {
            Expectation::Warn(m) => {
                let ok = match m {
                    None => !notes.warnings.is_empty(),
                    Some(m) => notes.warnings.iter().any(|w| m.matches(w)),
                };
                if !ok {
                    return Err(format!("expected warning {m:?}, got {:?}", notes.warnings));
                }
            }
            Expectation::Info(m) => {
                let ok = match m {
                    None => !notes.infos.is_empty(),
                    Some(m) => notes.infos.iter().any(|w| m.matches(w)),
                };
                if !ok {
                    return Err(format!("expected info {m:?}, got {:?}", notes.infos));
                }
            }
            Expectation::NoWarn if !notes.warnings.is_empty() => {
                return Err(format!("expected no warning, got {:?}", notes.warnings));
            }
            Expectation::NoInfo if !notes.infos.is_empty() => {
                return Err(format!("expected no info, got {:?}", notes.infos));
            }
            _ => {}
        }
    }
    Ok(())
}

fn run_case(store: &Store, case: &Case) -> Result<(), String> {
    let engine = Engine::default();
    let fail = case.expectations.iter().find_map(|e| match e {
        Expectation::Fail(m) => Some(m),
        _ => None,
    });
    let ordered = case
        .expectations
        .iter()
        .any(|e| matches!(e, Expectation::Ordered));
    let outcome: Result<(Vec<SeriesPoints>, Option<Value>, _), QueryError> = match case.kind {
        Kind::Instant { at } => engine
            .instant(store, &case.query, at)
            .map(|e| (Vec::new(), Some(e.value), e.annotations)),
        Kind::Range { start, end, step } => {
            engine.range(store, &case.query, start, end, step).map(|e| {
                (
                    e.value.into_iter().map(|s| (s.labels, s.points)).collect(),
                    None,
                    e.annotations,
                )
            })
        }
    };
    let (range_result, instant_result, notes) = match (outcome, fail) {
        (Err(e), Some(m)) => {
            let text = e.to_string();
            return match m {
                Some(m) if !m.matches(&text) => {
                    Err(format!("failed as expected, but with {text:?}, not {m:?}"))
                }
                _ => Ok(()),
            };
        }
        (Err(e), None) => return Err(format!("unexpected error: {e}")),
        (Ok(_), Some(_)) => return Err("expected an error, got a result".into()),
        (Ok(r), None) => r,
    };
    check_annotations(case, &notes)?;
    match case.kind {
        Kind::Range { start, step, .. } => {
            let expected: Vec<(Labels, Vec<(i64, f64)>)> = case
                .expected
                .iter()
                .map(|(l, v, _)| (l.clone(), grid(start, step, v)))
                .collect();
            compare_series(&expected, &range_result, false)
        }
        Kind::Instant { at } => {
            let value = instant_result.ok_or("no result")?;
            if let Some(s) = case.expectations.iter().find_map(|e| match e {
                Expectation::String(s) => Some(s),
                _ => None,
            }) {
                return match value {
                    Value::String { value, .. } if &value == s => Ok(()),
                    other => Err(format!("expected string {s:?}, got {other:?}")),
                };
            }
            match value {
                Value::Scalar { value, .. } => {
                    let expected: Vec<_> = case
                        .expected
                        .iter()
                        .map(|(l, v, _)| (l.clone(), grid(at, 0, v)))
                        .collect();
                    compare_series(
                        &expected,
                        &[(Labels::new(Vec::new()), vec![(at, value)])],
                        false,
                    )
                }
                Value::String { value, .. } => Err(format!("unexpected string {value:?}")),
                Value::Vector(samples) => {
                    let expected: Vec<_> = case
                        .expected
                        .iter()
                        .map(|(l, v, _)| (l.clone(), grid(at, 0, &v[..v.len().min(1)])))
                        .collect();
                    let actual: Vec<_> = samples
                        .into_iter()
                        .map(|s| (s.labels, vec![(at, s.value)]))
                        .collect();
                    compare_series(&expected, &actual, ordered)
                }
                Value::Matrix(m) => {
                    let Some((start, step)) = case.expectations.iter().find_map(|e| match e {
                        Expectation::RangeVector { start, step, .. } => Some((*start, *step)),
                        _ => None,
                    }) else {
                        return Err("got a range vector, expected none".into());
                    };
                    let expected: Vec<_> = case
                        .expected
                        .iter()
                        .map(|(l, v, _)| (l.clone(), grid(start, step, v)))
                        .collect();
                    let actual: Vec<_> = m.into_iter().map(|s| (s.labels, s.points)).collect();
                    compare_series(&expected, &actual, false)
                }
            }
        }
    }
}

/// Whether a selector of `query` selects one of the native-histogram series.
fn touches_histograms(query: &str, histograms: &[Labels]) -> bool {
    use promql_parser::label::Matcher;
    use promql_parser::parser::{Expr, VectorSelector};
    use promql_parser::util::{walk_expr, ExprVisitor};
    if histograms.is_empty() {
        return false;
    }
    fn selects(vs: &VectorSelector, l: &Labels) -> bool {
        let matches = |m: &Matcher| m.is_match(l.get(&m.name).unwrap_or(""));
        vs.name
            .as_deref()
            .is_none_or(|n| l.metric_name() == Some(n))
            && vs.matchers.matchers.iter().all(matches)
            && (vs.matchers.or_matchers.is_empty()
                || vs
                    .matchers
                    .or_matchers
                    .iter()
                    .any(|group| group.iter().all(matches)))
    }
    struct Finder<'a>(&'a [Labels], bool);
    impl ExprVisitor for Finder<'_> {
        type Error = ();
        fn pre_visit(&mut self, expr: &Expr) -> Result<bool, ()> {
            let vs = match expr {
                Expr::VectorSelector(vs) => vs,
                Expr::MatrixSelector(ms) => &ms.vs,
                _ => return Ok(true),
            };
            if self.0.iter().any(|l| selects(vs, l)) {
                self.1 = true;
            }
            Ok(true)
        }
    }
    let Ok(expr) = promql_parser::parser::parse(query) else {
        return false;
    };
    let mut finder = Finder(histograms, false);
    let _ = walk_expr(&mut finder, &expr);
    finder.1
}

fn parse_eval_header(line: &str) -> Option<(Kind, String, bool, bool)> {
    let (command, rest) = line.split_once(char::is_whitespace)?;
    let (fail, ordered) = match command {
        "eval" => (false, false),
        "eval_fail" => (true, false),
        "eval_ordered" => (false, true),
        "eval_warn" | "eval_info" => (false, false),
        _ => return None,
    };
    let rest = rest.trim_start();
    if let Some(rest) = rest.strip_prefix("instant") {
        let rest = rest.trim_start().strip_prefix("at")?.trim_start();
        let (at, query) = rest.split_once(char::is_whitespace)?;
        Some((
            Kind::Instant {
                at: duration_ms(at)?,
            },
            query.trim().to_string(),
            fail,
            ordered,
        ))
    } else if let Some(rest) = rest.strip_prefix("range") {
        let words: Vec<&str> = rest.split_whitespace().collect();
        if words.len() < 7 || words[0] != "from" || words[2] != "to" || words[4] != "step" {
            return None;
        }
        let prefix_len = {
            let mut seen = 0;
            let mut idx = 0;
            let bytes = rest.as_bytes();
            while seen < 6 && idx < bytes.len() {
                while idx < bytes.len() && bytes[idx].is_ascii_whitespace() {
                    idx += 1;
                }
                while idx < bytes.len() && !bytes[idx].is_ascii_whitespace() {
                    idx += 1;
                }
                seen += 1;
            }
            idx
        };
        Some((
            Kind::Range {
                start: duration_ms(words[1])?,
                end: duration_ms(words[3])?,
                step: duration_ms(words[5])?,
            },
            rest[prefix_len..].trim().to_string(),
            fail,
            ordered,
        ))
    } else {
        None
    }
}

fn run_file(name: &str, text: &str) -> Tally {
    let mut tally = Tally::default();
    let mut store = Store::new(1 << 20);
    let mut histograms: Vec<Labels> = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    let block_end = |from: usize| {
        let mut j = from;
        while j < lines.len() && !lines[j].trim().is_empty() {
            j += 1;
        }
        j
    };
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            i += 1;
            continue;
        }
        if trimmed == "clear" {
            store = Store::new(1 << 20);
            histograms.clear();
            i += 1;
            continue;
        }
        if let Some(rest) = trimmed
            .strip_prefix("load_with_nhcb")
            .or_else(|| trimmed.strip_prefix("load"))
        {
            let nhcb = trimmed.starts_with("load_with_nhcb");
            let interval = duration_ms(rest).unwrap_or(60_000);
            let end = block_end(i + 1);
            // Later lines for the same series overwrite earlier samples.
            let mut loaded: Vec<(Labels, BTreeMap<i64, f64>)> = Vec::new();
            for series_line in &lines[i + 1..end] {
                let series_line = series_line.trim();
                if series_line.starts_with('#') {
                    continue;
                }
                let (selector, values) = split_series(series_line);
                let Some(labels) = parse_labels(selector) else {
                    continue;
                };
                if values.contains("{{") {
                    histograms.push(labels);
                    continue;
                }
                if nhcb {
                    // The classic buckets load as they are, and also as a
                    // native histogram under the stem's name: not for us.
                    let name = labels.metric_name().unwrap_or("");
                    if let Some(stem) = ["_bucket", "_sum", "_count"]
                        .iter()
                        .find_map(|suffix| name.strip_suffix(suffix))
                    {
                        let mut pairs: Vec<(String, String)> = labels
                            .pairs()
                            .iter()
                            .filter(|(k, _)| k != "le" && k != "__name__")
                            .cloned()
                            .collect();
                        pairs.push(("__name__".into(), stem.to_string()));
                        let native = Labels::new(pairs);
                        if !histograms.contains(&native) {
                            histograms.push(native);
                        }
                    }
                }
                let Some(points) = expand_values(values) else {
                    continue;
                };
                let slot = match loaded.iter().position(|(l, _)| *l == labels) {
                    Some(p) => p,
                    None => {
                        loaded.push((labels, BTreeMap::new()));
                        loaded.len() - 1
                    }
                };
                for (k, p) in points.iter().enumerate() {
                    if let Point::Value(v) = p {
                        loaded[slot].1.insert(k as i64 * interval, *v);
                    }
                }
            }
            for (labels, samples) in loaded {
                let id = store.series_id(labels);
                for (t, v) in samples {
                    store.append(id, t, v);
                }
            }
            i = end;
            continue;
        }
        let Some((kind, query, fail, ordered)) = parse_eval_header(trimmed) else {
            i += 1;
            continue;
        };
        let end = block_end(i + 1);
        let mut case = Case {
            line: i + 1,
            kind,
            query,
            expectations: Vec::new(),
            expected: Vec::new(),
            skip: None,
        };
        if fail {
            case.expectations.push(Expectation::Fail(None));
        }
        if ordered {
            case.expectations.push(Expectation::Ordered);
        }
        for body in &lines[i + 1..end] {
            let body = body.trim();
            if body.starts_with('#') {
                continue;
            }
            if let Some(rest) = body.strip_prefix("expect ") {
                let rest = rest.trim();
                let (word, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                let word = word.trim_end_matches(':');
                let expectation = match word {
                    "fail" => Expectation::Fail(parse_match(tail)),
                    "warn" => Expectation::Warn(parse_match(tail)),
                    "info" => Expectation::Info(parse_match(tail)),
                    "no_warn" => Expectation::NoWarn,
                    "no_info" => Expectation::NoInfo,
                    "ordered" => Expectation::Ordered,
                    "string" => match unquote(tail) {
                        Some(s) => Expectation::String(s),
                        None => {
                            case.skip = Some("unreadable expectation");
                            continue;
                        }
                    },
                    "range" => {
                        let words: Vec<&str> = tail.split_whitespace().collect();
                        match (
                            words.get(2).and_then(|w| duration_ms(w)),
                            words.get(4).and_then(|w| duration_ms(w)),
                            words.get(6).and_then(|w| duration_ms(w)),
                        ) {
                            (Some(start), Some(_end), Some(step)) => {
                                Expectation::RangeVector { start, step }
                            }
                            _ => {
                                case.skip = Some("unreadable expectation");
                                continue;
                            }
                        }
                    }
                    _ => {
                        case.skip = Some("unknown expectation");
                        continue;
                    }
                };
                case.expectations.push(expectation);
                continue;
            }
            if body.contains("{{") {
                case.skip = Some("native histogram results");
                continue;
            }
            let (selector, values) = split_series(body);
            let parsed = if selector.is_empty() || parse_number(selector).is_some() {
                expand_values(body).map(|v| (Labels::new(Vec::new()), v))
            } else {
                parse_labels(selector).and_then(|l| expand_values(values).map(|v| (l, v)))
            };
            match parsed {
                Some((labels, values)) => case.expected.push((labels, values, body.to_string())),
                None => case.skip = Some("unreadable expectation"),
            }
        }
        if case.skip.is_none() && touches_histograms(&case.query, &histograms) {
            case.skip = Some("native histogram data");
        }
        i = end;
        if let Some(reason) = case.skip {
            tally.skipped += 1;
            *tally.skip_reasons.entry(reason).or_default() += 1;
            continue;
        }
        tally.ran += 1;
        match run_case(&store, &case) {
            Ok(()) => {
                if std::env::var("PROMQL_CONFORMANCE_VERBOSE").as_deref() == Ok("2") {
                    println!("  PASS {name}:{}: {}", case.line, case.query);
                }
                tally.passed += 1
            }
            Err(why) => tally
                .failures
                .push(format!("{name}:{}: {}\n    {why}", case.line, case.query)),
        }
    }
    tally
}

#[test]
fn prometheus_promql_test_scripts() {
    let Some(files) =
        common::require_or_skip(conformance_files(&conformance_dir()), GET_CONFORMANCE)
    else {
        return;
    };
    let only = std::env::var("PROMQL_CONFORMANCE_FILE").ok();
    let verbose = std::env::var("PROMQL_CONFORMANCE_VERBOSE").is_ok();
    let run_all = std::env::var("PROMQL_CONFORMANCE_ALL").is_ok();
    let mut total = Tally::default();
    println!(
        "{:<28} {:>5} {:>7} {:>8}  notes",
        "file", "ran", "passed", "skipped"
    );
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let skipped_file = SKIPPED_FILES.iter().find(|(f, _)| *f == name);
        let tally = if let Some((_, why)) = skipped_file.filter(|_| !run_all) {
            let cases = text
                .lines()
                .filter(|l| l.trim_start().starts_with("eval"))
                .count();
            let mut t = Tally {
                skipped: cases,
                ..Tally::default()
            };
            t.skip_reasons.insert(why, cases);
            t
        } else {
            run_file(&name, &text)
        };
        let notes: Vec<String> = tally
            .skip_reasons
            .iter()
            .map(|(why, n)| format!("{n} skipped: {why}"))
            .collect();
        println!(
            "{:<28} {:>5} {:>7} {:>8}  {}",
            name,
            tally.ran,
            tally.passed,
            tally.skipped,
            notes.join("; ")
        );
        if verbose {
            for f in &tally.failures {
                println!("  FAIL {f}");
            }
        }
        total.ran += tally.ran;
        total.passed += tally.passed;
        total.skipped += tally.skipped;
        total.failures.extend(tally.failures);
    }
    let rate = if total.ran == 0 {
        1.0
    } else {
        total.passed as f64 / total.ran as f64
    };
    println!(
        "{:<28} {:>5} {:>7} {:>8}  pass rate {:.1}%",
        "total",
        total.ran,
        total.passed,
        total.skipped,
        rate * 100.0
    );
    assert!(
        run_all || only.is_some() || rate >= REQUIRED_PASS_RATE,
        "pass rate {:.1}% is below {:.1}%; failures:\n{}",
        rate * 100.0,
        REQUIRED_PASS_RATE * 100.0,
        total.failures.join("\n")
    );
}
