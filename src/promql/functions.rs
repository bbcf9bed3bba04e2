//! PromQL functions over float samples.

use super::error::QueryError;
use super::eval::{derived, unwrap_parens, Elem, Evaluator, RangeSeries, RangeVal, Val};
use super::prometheus_math::{
    self, bucket_fraction, bucket_quantile, civil_from_days, go_max, go_min, is_leap, kahan_sum,
    linear_regression, mean, natural_less, quantile, variance_compensated, Bucket,
};
use super::value::labels;
use crate::series::{Labels, LabelsMap};
use promql_parser::label::MatchOp;
use promql_parser::parser::{Call, Expr};
use std::collections::HashSet;

fn fail(message: impl Into<String>) -> QueryError {
    QueryError::Execution(message.into())
}

/// Functions that take a range vector, and the index of that argument.
fn matrix_arg(name: &str) -> Option<usize> {
    match name {
        "rate"
        | "irate"
        | "increase"
        | "delta"
        | "idelta"
        | "deriv"
        | "predict_linear"
        | "resets"
        | "changes"
        | "avg_over_time"
        | "min_over_time"
        | "max_over_time"
        | "sum_over_time"
        | "count_over_time"
        | "stddev_over_time"
        | "stdvar_over_time"
        | "last_over_time"
        | "first_over_time"
        | "present_over_time"
        | "mad_over_time"
        | "absent_over_time"
        | "ts_of_min_over_time"
        | "ts_of_max_over_time"
        | "ts_of_last_over_time"
        | "ts_of_first_over_time"
        | "double_exponential_smoothing" => Some(0),
        "quantile_over_time" => Some(1),
        _ => None,
    }
}

pub(crate) fn call(ev: &mut Evaluator<'_>, c: &Call, t: i64) -> Result<Val, QueryError> {
    let name = c.func.name;
    let args: Vec<&Expr> = c.args.args.iter().map(|a| a.as_ref()).collect();
    if let Some(index) = matrix_arg(name) {
        return range_function(ev, name, &args, index, t);
    }
    match name {
        "time" => Ok(Val::Scalar(t as f64 / 1000.0)),
        "start" => Ok(Val::Scalar(ev.start as f64 / 1000.0)),
        "end" => Ok(Val::Scalar(ev.end as f64 / 1000.0)),
        "step" => Ok(Val::Scalar(ev.step as f64 / 1000.0)),
        "range" => Ok(Val::Scalar((ev.end as f64 - ev.start as f64) / 1000.0)),
        "min_of" | "max_of" => {
            let a = scalar_arg(ev, &args, 0, t)?;
            let b = scalar_arg(ev, &args, 1, t)?;
            Ok(Val::Scalar(if name == "min_of" {
                go_min(a, b)
            } else {
                go_max(a, b)
            }))
        }
        "pi" => Ok(Val::Scalar(std::f64::consts::PI)),
        "vector" => {
            let v = scalar_arg(ev, &args, 0, t)?;
            Ok(Val::Vector(vec![Elem {
                labels: labels::empty(),
                value: v,
                timestamp: t,
                drop_name: false,
            }]))
        }
        "scalar" => {
            let v = vector_arg(ev, &args, 0, t)?;
            Ok(Val::Scalar(if v.len() == 1 {
                v[0].value
            } else {
                f64::NAN
            }))
        }
        "absent" => {
            let v = vector_arg(ev, &args, 0, t)?;
            if !v.is_empty() {
                return Ok(Val::Vector(Vec::new()));
            }
            let arg = args
                .first()
                .copied()
                .ok_or_else(|| fail("absent needs an argument"))?;
            Ok(Val::Vector(vec![Elem {
                labels: absent_labels(arg),
                value: 1.0,
                timestamp: t,
                drop_name: false,
            }]))
        }
        "timestamp" => {
            let arg = args
                .first()
                .copied()
                .ok_or_else(|| fail("timestamp needs an argument"))?;
            let own_times = matches!(unwrap_parens(arg), Expr::VectorSelector(_));
            let v = ev.eval_vector(arg, t)?;
            Ok(Val::Vector(
                v.into_iter()
                    .map(|e| Elem {
                        value: if own_times { e.timestamp } else { t } as f64 / 1000.0,
                        timestamp: t,
                        drop_name: true,
                        ..e
                    })
                    .collect(),
            ))
        }
        "round" => {
            let v = vector_arg(ev, &args, 0, t)?;
            let to_nearest = if args.len() > 1 {
                scalar_arg(ev, &args, 1, t)?
            } else {
                1.0
            };
            let inverse = 1.0 / to_nearest;
            Ok(map_values(v, t, |x| (x * inverse + 0.5).floor() / inverse))
        }
        "clamp" => {
            let v = vector_arg(ev, &args, 0, t)?;
            let min = scalar_arg(ev, &args, 1, t)?;
            let max = scalar_arg(ev, &args, 2, t)?;
            if max < min {
                return Ok(Val::Vector(Vec::new()));
            }
            Ok(map_values(v, t, |x| go_max(min, go_min(max, x))))
        }
        "clamp_min" => {
            let v = vector_arg(ev, &args, 0, t)?;
            let min = scalar_arg(ev, &args, 1, t)?;
            Ok(map_values(v, t, |x| go_max(min, x)))
        }
        "clamp_max" => {
            let v = vector_arg(ev, &args, 0, t)?;
            let max = scalar_arg(ev, &args, 1, t)?;
            Ok(map_values(v, t, |x| go_min(max, x)))
        }
        "label_replace" => label_replace(ev, &args, t),
        "label_join" => label_join(ev, &args, t),
        "sort" | "sort_desc" => {
            let mut v = vector_arg(ev, &args, 0, t)?;
            let descending = name == "sort_desc";
            v.sort_by(|a, b| {
                use std::cmp::Ordering;
                match (a.value.is_nan(), b.value.is_nan()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    _ => {
                        let o = a.value.partial_cmp(&b.value).unwrap_or(Ordering::Equal);
                        if descending {
                            o.reverse()
                        } else {
                            o
                        }
                    }
                }
            });
            Ok(Val::Vector(v))
        }
        "sort_by_label" | "sort_by_label_desc" => {
            let mut v = vector_arg(ev, &args, 0, t)?;
            let mut names = Vec::new();
            for i in 1..args.len() {
                names.push(string_arg(ev, &args, i, t)?);
            }
            let descending = name == "sort_by_label_desc";
            v.sort_by(|a, b| {
                let mut o = std::cmp::Ordering::Equal;
                for n in &names {
                    let (x, y) = (a.labels.get(n).unwrap_or(""), b.labels.get(n).unwrap_or(""));
                    if x != y {
                        o = natural_less(x, y);
                        break;
                    }
                }
                if o == std::cmp::Ordering::Equal {
                    o = a.labels.cmp(&b.labels);
                }
                if descending {
                    o.reverse()
                } else {
                    o
                }
            });
            Ok(Val::Vector(v))
        }
        "histogram_quantile" => {
            let q = scalar_arg(ev, &args, 0, t)?;
            quantile_warning(ev, "histogram_quantile", 0, q);
            let groups = bucket_groups(ev, &args, 1, "histogram_quantile", t)?;
            let mut out = Vec::with_capacity(groups.len());
            for (key, mut buckets) in groups {
                let result = bucket_quantile(q, &mut buckets);
                monotonicity_info(ev, "histogram_quantile", 1, &key, result.forced_monotonic);
                out.push(Elem {
                    labels: key,
                    value: result.value,
                    timestamp: t,
                    drop_name: true,
                });
            }
            Ok(Val::Vector(out))
        }
        "histogram_quantiles" => {
            let label = string_arg(ev, &args, 1, t)?;
            let mut qs = Vec::new();
            for i in 2..args.len() {
                let q = scalar_arg(ev, &args, i, t)?;
                quantile_warning(ev, "histogram_quantiles", i, q);
                qs.push(q);
            }
            let groups = bucket_groups(ev, &args, 0, "histogram_quantiles", t)?;
            let mut out = Vec::new();
            for (key, buckets) in groups {
                for &q in &qs {
                    let result = bucket_quantile(q, &mut buckets.clone());
                    monotonicity_info(ev, "histogram_quantiles", 0, &key, result.forced_monotonic);
                    out.push(Elem {
                        labels: labels::with(&key, &label, &quantile_label(q)),
                        value: result.value,
                        timestamp: t,
                        drop_name: true,
                    });
                }
            }
            Ok(Val::Vector(out))
        }
        "histogram_fraction" => {
            let lower = scalar_arg(ev, &args, 0, t)?;
            let upper = scalar_arg(ev, &args, 1, t)?;
            let groups = bucket_groups(ev, &args, 2, "histogram_fraction", t)?;
            Ok(Val::Vector(
                groups
                    .into_iter()
                    .map(|(key, mut buckets)| Elem {
                        labels: key,
                        value: bucket_fraction(lower, upper, &mut buckets),
                        timestamp: t,
                        drop_name: true,
                    })
                    .collect(),
            ))
        }
        "histogram_count" | "histogram_sum" | "histogram_avg" | "histogram_stddev"
        | "histogram_stdvar" => {
            // These read native histograms only; float samples are ignored.
            for a in &args {
                ev.eval(a, t)?;
            }
            Ok(Val::Vector(Vec::new()))
        }
        "day_of_month" | "day_of_week" | "day_of_year" | "days_in_month" | "hour" | "minute"
        | "month" | "year" => {
            let part = |secs: f64| date_part(name, secs);
            if args.is_empty() {
                return Ok(Val::Vector(vec![Elem {
                    labels: labels::empty(),
                    value: part((t.div_euclid(1000)) as f64),
                    timestamp: t,
                    drop_name: false,
                }]));
            }
            let v = vector_arg(ev, &args, 0, t)?;
            Ok(map_values(v, t, part))
        }
        _ => {
            let f: fn(f64) -> f64 = match name {
                "abs" => f64::abs,
                "ceil" => f64::ceil,
                "floor" => f64::floor,
                "exp" => f64::exp,
                "sqrt" => f64::sqrt,
                "ln" => f64::ln,
                "log2" => f64::log2,
                "log10" => f64::log10,
                "sin" => f64::sin,
                "cos" => f64::cos,
                "tan" => f64::tan,
                "asin" => f64::asin,
                "acos" => f64::acos,
                "atan" => f64::atan,
                "sinh" => f64::sinh,
                "cosh" => f64::cosh,
                "tanh" => f64::tanh,
                "asinh" => f64::asinh,
                "acosh" => f64::acosh,
                "atanh" => f64::atanh,
                "deg" => |x| x * 180.0 / std::f64::consts::PI,
                "rad" => |x| x * std::f64::consts::PI / 180.0,
                "sgn" => |x: f64| {
                    if x < 0.0 {
                        -1.0
                    } else if x > 0.0 {
                        1.0
                    } else {
                        x
                    }
                },
                other => return Err(fail(format!("function {other}() is not supported"))),
            };
            let v = vector_arg(ev, &args, 0, t)?;
            Ok(map_values(v, t, f))
        }
    }
}

fn arg<'e>(args: &[&'e Expr], i: usize) -> Result<&'e Expr, QueryError> {
    args.get(i)
        .copied()
        .ok_or_else(|| fail(format!("missing argument {}", i + 1)))
}

fn scalar_arg(ev: &mut Evaluator<'_>, args: &[&Expr], i: usize, t: i64) -> Result<f64, QueryError> {
    ev.eval_scalar(arg(args, i)?, t)
}

fn vector_arg(
    ev: &mut Evaluator<'_>,
    args: &[&Expr],
    i: usize,
    t: i64,
) -> Result<Vec<Elem>, QueryError> {
    ev.eval_vector(arg(args, i)?, t)
}

fn string_arg(
    ev: &mut Evaluator<'_>,
    args: &[&Expr],
    i: usize,
    t: i64,
) -> Result<String, QueryError> {
    match ev.eval(arg(args, i)?, t)? {
        Val::Str(s) => Ok(s),
        other => Err(fail(format!("expected string, got {}", other.type_name()))),
    }
}

/// Applies `f` to every value; the metric name is dropped.
fn map_values(v: Vec<Elem>, t: i64, f: impl Fn(f64) -> f64) -> Val {
    Val::Vector(
        v.into_iter()
            .map(|e| Elem {
                value: f(e.value),
                timestamp: t,
                drop_name: true,
                ..e
            })
            .collect(),
    )
}

fn date_part(name: &str, secs: f64) -> f64 {
    if !secs.is_finite() {
        return f64::NAN;
    }
    let secs = secs.trunc() as i64;
    let days = secs.div_euclid(86_400);
    let in_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    match name {
        "day_of_month" => day as f64,
        "day_of_week" => (days + 4).rem_euclid(7) as f64,
        "day_of_year" => {
            let jan1 = days - day_of_year_offset(year, month, day);
            (days - jan1 + 1) as f64
        }
        "days_in_month" => match month {
            2 if is_leap(year) => 29.0,
            2 => 28.0,
            4 | 6 | 9 | 11 => 30.0,
            _ => 31.0,
        },
        "hour" => (in_day / 3600) as f64,
        "minute" => (in_day % 3600 / 60) as f64,
        "month" => month as f64,
        _ => year as f64,
    }
}

/// Days from January 1st to the date.
fn day_of_year_offset(year: i64, month: u32, day: u32) -> i64 {
    const CUMULATIVE: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let mut d = CUMULATIVE[(month as usize).saturating_sub(1).min(11)] + day as i64 - 1;
    if month > 2 && is_leap(year) {
        d += 1;
    }
    d
}

/// The labels `absent` reports: the equality matchers of a selector argument.
fn absent_labels(arg: &Expr) -> Labels {
    let vs = match arg {
        Expr::VectorSelector(vs) => vs,
        Expr::MatrixSelector(ms) => &ms.vs,
        _ => return labels::empty(),
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for m in vs
        .matchers
        .matchers
        .iter()
        .chain(vs.matchers.or_matchers.iter().flatten())
    {
        if m.name == labels::METRIC_NAME {
            continue;
        }
        if m.op == MatchOp::Equal && !seen.contains(m.name.as_str()) {
            pairs.retain(|(k, _)| *k != m.name);
            pairs.push((m.name.clone(), m.value.clone()));
            seen.insert(&m.name);
        } else {
            pairs.retain(|(k, _)| *k != m.name);
        }
    }
    labels::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

fn is_valid_label_name(name: &str) -> bool {
    !name.is_empty()
}

fn label_replace(ev: &mut Evaluator<'_>, args: &[&Expr], t: i64) -> Result<Val, QueryError> {
    let dst = string_arg(ev, args, 1, t)?;
    let replacement = string_arg(ev, args, 2, t)?;
    let src = string_arg(ev, args, 3, t)?;
    let pattern = string_arg(ev, args, 4, t)?;
    let Some(regex) = ev.regex(&pattern) else {
        return Err(fail(format!(
            "invalid regular expression in label_replace(): {pattern}"
        )));
    };
    if !is_valid_label_name(&dst) {
        return Err(fail(format!(
            "invalid destination label name in label_replace(): {dst}"
        )));
    }
    let v = vector_arg(ev, args, 0, t)?;
    let mut out = Vec::with_capacity(v.len());
    for mut e in v {
        let value = e.labels.get(&src).unwrap_or("").to_string();
        if let Some(caps) = regex.captures(&value) {
            let mut result = String::new();
            caps.expand(&replacement, &mut result);
            e.labels = labels::with(&e.labels, &dst, &result);
            if dst == labels::METRIC_NAME {
                e.drop_name = false;
            }
        }
        out.push(e);
    }
    check_unique(&out)?;
    Ok(Val::Vector(out))
}

fn label_join(ev: &mut Evaluator<'_>, args: &[&Expr], t: i64) -> Result<Val, QueryError> {
    let dst = string_arg(ev, args, 1, t)?;
    let separator = string_arg(ev, args, 2, t)?;
    let mut sources = Vec::new();
    for i in 3..args.len() {
        let src = string_arg(ev, args, i, t)?;
        if !is_valid_label_name(&src) {
            return Err(fail(format!(
                "invalid source label name in label_join(): {src}"
            )));
        }
        sources.push(src);
    }
    if !is_valid_label_name(&dst) {
        return Err(fail(format!(
            "invalid destination label name in label_join(): {dst}"
        )));
    }
    let v = vector_arg(ev, args, 0, t)?;
    let mut out = Vec::with_capacity(v.len());
    for mut e in v {
        let joined = sources
            .iter()
            .map(|s| e.labels.get(s).unwrap_or(""))
            .collect::<Vec<_>>()
            .join(&separator);
        e.labels = labels::with(&e.labels, &dst, &joined);
        if dst == labels::METRIC_NAME {
            e.drop_name = false;
        }
        out.push(e);
    }
    check_unique(&out)?;
    Ok(Val::Vector(out))
}

fn check_unique(v: &[Elem]) -> Result<(), QueryError> {
    let mut seen = HashSet::with_capacity(v.len());
    for e in v {
        if !seen.insert(&e.labels) {
            return Err(fail("vector cannot contain metrics with the same labelset"));
        }
    }
    Ok(())
}

fn quantile_warning(ev: &mut Evaluator<'_>, function: &str, arg_index: usize, q: f64) {
    if !(0.0..=1.0).contains(&q) {
        ev.annotations.warn(format!(
            "PromQL warning: quantile value should be between 0 and 1, got {} ({})",
            super::value::format_value(q),
            ev.arg_position(function, arg_index)
        ));
    }
}

fn monotonicity_info(
    ev: &mut Evaluator<'_>,
    function: &str,
    arg_index: usize,
    key: &Labels,
    forced: bool,
) {
    if forced {
        let position = ev.arg_position(function, arg_index);
        ev.annotations.info(format!(
            "PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name {} ({position})",
            labels::quote(key.metric_name().unwrap_or(""))
        ));
    }
}

/// The value of the label `histogram_quantiles` adds: `0.0`, `0.25`, `1.0`…
fn quantile_label(q: f64) -> String {
    let text = super::value::format_value(q);
    if q.is_finite() && !text.contains('.') {
        text + ".0"
    } else {
        text
    }
}

/// The classic histograms of a vector argument: buckets grouped by their
/// labels without `le` (warning about series whose `le` is unreadable).
fn bucket_groups(
    ev: &mut Evaluator<'_>,
    args: &[&Expr],
    index: usize,
    function: &str,
    t: i64,
) -> Result<Vec<(Labels, Vec<Bucket>)>, QueryError> {
    let v = vector_arg(ev, args, index, t)?;
    let node = args.get(index).map_or(0, |a| *a as *const Expr as usize);
    let mut positions: LabelsMap<Labels, usize> = LabelsMap::default();
    let mut groups: Vec<(Labels, Vec<Bucket>)> = Vec::new();
    for e in v {
        let le = e.labels.get("le").unwrap_or("");
        let Some(upper_bound) = parse_go_float(le) else {
            let position = ev.arg_position(function, index);
            ev.annotations.warn(format!(
                "PromQL warning: bucket label \"le\" is missing or has a malformed value of {} for metric name {} ({position})",
                labels::quote(le),
                labels::quote(e.labels.metric_name().unwrap_or(""))
            ));
            continue;
        };
        let key = ev.derive(derived::NO_LE, node, &e.labels, |l| {
            l.filtered(|name, _| name != "le")
        });
        let bucket = Bucket {
            upper_bound,
            count: e.value,
        };
        match positions.get(&key) {
            Some(&i) => groups[i].1.push(bucket),
            None => {
                positions.insert(key.clone(), groups.len());
                groups.push((key, vec![bucket]));
            }
        }
    }
    Ok(groups)
}

/// Go's `strconv.ParseFloat` for bucket bounds (Rust's parser plus Go's
/// spellings of infinity).
pub(crate) fn parse_go_float(s: &str) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    let unsigned = s.trim_start_matches(['+', '-']);
    if unsigned.len() + 1 < s.len() {
        return None;
    }
    if let Some(hex) = unsigned
        .strip_prefix("0x")
        .or_else(|| unsigned.strip_prefix("0X"))
    {
        let v = u64::from_str_radix(hex, 16).ok()? as f64;
        return Some(if s.starts_with('-') { -v } else { v });
    }
    s.parse::<f64>().ok()
}

/// Functions over a range vector.
fn range_function(
    ev: &mut Evaluator<'_>,
    name: &str,
    args: &[&Expr],
    index: usize,
    t: i64,
) -> Result<Val, QueryError> {
    let mut scalars = Vec::new();
    for (i, a) in args.iter().enumerate() {
        if i != index {
            scalars.push(ev.eval_scalar(a, t)?);
        }
    }
    if name == "double_exponential_smoothing" {
        let (sf, tf) = (
            scalars.first().copied().unwrap_or(f64::NAN),
            scalars.get(1).copied().unwrap_or(f64::NAN),
        );
        if !(sf > 0.0 && sf < 1.0) {
            return Err(fail(format!(
                "invalid smoothing factor. Expected: 0 < sf < 1, got: {sf:.6}"
            )));
        }
        if !(tf > 0.0 && tf < 1.0) {
            return Err(fail(format!(
                "invalid trend factor. Expected: 0 < tf < 1, got: {tf:.6}"
            )));
        }
    }
    let matrix_expr = arg(args, index)?;
    let m = ev.eval_matrix(matrix_expr, t)?;
    if name == "absent_over_time" {
        if m.series.is_empty() {
            return Ok(Val::Vector(vec![Elem {
                labels: absent_labels(unwrap_parens(matrix_expr)),
                value: 1.0,
                timestamp: t,
                drop_name: false,
            }]));
        }
        return Ok(Val::Vector(Vec::new()));
    }
    if name == "quantile_over_time" {
        let q = scalars.first().copied().unwrap_or(f64::NAN);
        if !(0.0..=1.0).contains(&q) {
            ev.annotations.warn(format!(
                "PromQL warning: quantile value should be between 0 and 1, got {} ({})",
                super::value::format_value(q),
                ev.arg_position("quantile_over_time", 0)
            ));
        }
    }
    if name == "rate" || name == "increase" {
        for s in &m.series {
            if let Some(metric) = s.labels.metric_name() {
                if !["_total", "_sum", "_count", "_bucket"]
                    .iter()
                    .any(|suffix| metric.ends_with(suffix))
                {
                    let position = ev.arg_position(name, 0);
                    ev.annotations.info(format!(
                        "PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: {} ({position})",
                        labels::quote(metric)
                    ));
                }
            }
        }
    }
    let keep_name = name == "last_over_time" || name == "first_over_time";
    let mut out = Vec::with_capacity(m.series.len());
    for s in &m.series {
        if let Some(value) = over_time(name, s, &m, &scalars, t) {
            out.push(Elem {
                labels: s.labels.clone(),
                value,
                timestamp: t,
                drop_name: s.drop_name || !keep_name,
            });
        }
    }
    ev.recycle(m);
    Ok(Val::Vector(out))
}

/// The value of a range function for one series; `None` drops the series.
fn over_time(name: &str, s: &RangeSeries, m: &RangeVal, scalars: &[f64], t: i64) -> Option<f64> {
    let points = &s.points;
    let values = || points.iter().map(|p| p.1).collect::<Vec<f64>>();
    let (&(first_t, first_v), &(last_t, last_v)) = (points.first()?, points.last()?);
    match name {
        "rate" => extrapolated_rate(points, m, true, true),
        "increase" => extrapolated_rate(points, m, true, false),
        "delta" => extrapolated_rate(points, m, false, false),
        "irate" | "idelta" => {
            if points.len() < 2 {
                return None;
            }
            let (prev_t, prev_v) = points[points.len() - 2];
            let interval = last_t.saturating_sub(prev_t);
            if interval == 0 {
                return None;
            }
            let is_rate = name == "irate";
            let mut result = last_v;
            if !is_rate || last_v >= prev_v || last_v.is_nan() || prev_v.is_nan() {
                result = last_v - prev_v;
            }
            if is_rate {
                result /= interval as f64 / 1000.0;
            }
            Some(result)
        }
        "deriv" => {
            if points.len() < 2 {
                return None;
            }
            Some(linear_regression(points, first_t).0)
        }
        "predict_linear" => {
            if points.len() < 2 {
                return None;
            }
            let duration = scalars.first().copied().unwrap_or(f64::NAN);
            let (slope, intercept) = linear_regression(points, t);
            Some(slope * duration + intercept)
        }
        "resets" => Some(points.windows(2).filter(|w| w[1].1 < w[0].1).count() as f64),
        "changes" => Some(
            points
                .windows(2)
                .filter(|w| !(w[1].1 == w[0].1 || (w[1].1.is_nan() && w[0].1.is_nan())))
                .count() as f64,
        ),
        "avg_over_time" => Some(mean(&values())),
        "sum_over_time" => Some(kahan_sum(points.iter().map(|p| p.1))),
        "count_over_time" => Some(points.len() as f64),
        "min_over_time" => Some(extreme(points, |acc, v| v < acc).1),
        "max_over_time" => Some(extreme(points, |acc, v| v > acc).1),
        "ts_of_min_over_time" => Some(extreme(points, |acc, v| v <= acc).0 as f64 / 1000.0),
        "ts_of_max_over_time" => Some(extreme(points, |acc, v| v >= acc).0 as f64 / 1000.0),
        "stddev_over_time" => Some(variance_compensated(&values()).sqrt()),
        "stdvar_over_time" => Some(variance_compensated(&values())),
        "quantile_over_time" => Some(quantile(
            scalars.first().copied().unwrap_or(f64::NAN),
            &mut values(),
        )),
        "mad_over_time" => {
            let mut v = values();
            if v.iter().any(|x| x.is_nan()) {
                return Some(f64::NAN);
            }
            let median = quantile(0.5, &mut v);
            let mut deviations: Vec<f64> = v.iter().map(|x| (x - median).abs()).collect();
            Some(quantile(0.5, &mut deviations))
        }
        "last_over_time" => Some(last_v),
        "first_over_time" => Some(first_v),
        "ts_of_last_over_time" => Some(last_t as f64 / 1000.0),
        "ts_of_first_over_time" => Some(first_t as f64 / 1000.0),
        "present_over_time" => Some(1.0),
        "double_exponential_smoothing" => {
            if points.len() < 2 {
                return None;
            }
            let sf = scalars.first().copied().unwrap_or(f64::NAN);
            let tf = scalars.get(1).copied().unwrap_or(f64::NAN);
            let mut s0 = 0.0;
            let mut s1 = points[0].1;
            let mut b = points[1].1 - points[0].1;
            for (i, p) in points.iter().enumerate().skip(1) {
                let x = sf * p.1;
                if i > 1 {
                    b = tf * (s1 - s0) + (1.0 - tf) * b;
                }
                let y = (1.0 - sf) * (s1 + b);
                s0 = s1;
                s1 = x + y;
            }
            Some(s1)
        }
        _ => None,
    }
}

/// (timestamp, value) of the point chosen by `better` (NaN is replaced by any number).
fn extreme(points: &[(i64, f64)], better: impl Fn(f64, f64) -> bool) -> (i64, f64) {
    let mut acc = points[0];
    for &p in &points[1..] {
        if better(acc.1, p.1) || (acc.1.is_nan() && !p.1.is_nan()) {
            acc = p;
        }
    }
    acc
}

/// rate, increase and delta over a range selection.
fn extrapolated_rate(
    points: &[(i64, f64)],
    m: &RangeVal,
    counter: bool,
    rate: bool,
) -> Option<f64> {
    prometheus_math::extrapolated_rate(points, m.start, m.end, counter, rate)
}
