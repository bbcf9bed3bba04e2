//! Aggregation operators: sum, avg, min, max, count, group, stddev, stdvar,
//! quantile, topk, bottomk, limitk, limit_ratio and count_values, with
//! `by` / `without`.

use super::error::QueryError;
use super::eval::{derived, Elem, Evaluator, Val};
use super::prometheus_math::{kahan_sum, mean, quantile, variance_welford};
use super::value::{format_value, labels};
use crate::series::{Labels, LabelsMap};
use promql_parser::parser::token::{
    T_AVG, T_BOTTOMK, T_COUNT, T_COUNT_VALUES, T_GROUP, T_LIMITK, T_LIMIT_RATIO, T_MAX, T_MIN,
    T_QUANTILE, T_STDDEV, T_STDVAR, T_SUM, T_TOPK,
};
use promql_parser::parser::{AggregateExpr, LabelModifier};

struct Grouping {
    without: bool,
    names: Vec<String>,
}

impl Grouping {
    fn key(&self, l: &Labels) -> Labels {
        if self.without {
            let mut names = self.names.clone();
            names.push(labels::METRIC_NAME.to_string());
            labels::without(l, &names)
        } else {
            labels::keep(l, &self.names)
        }
    }
}

/// Groups of `input` by key, in order of first appearance (the keys are
/// derived once per query for each label set: `node` is the aggregation).
fn groups(
    ev: &mut Evaluator<'_>,
    node: usize,
    input: Vec<Elem>,
    grouping: &Grouping,
) -> Vec<(Labels, Vec<Elem>)> {
    let mut index: LabelsMap<Labels, usize> = LabelsMap::default();
    let mut out: Vec<(Labels, Vec<Elem>)> = Vec::new();
    for e in input {
        let key = ev.derive(derived::GROUP, node, &e.labels, |l| grouping.key(l));
        match index.get(&key) {
            Some(&i) => out[i].1.push(e),
            None => {
                index.insert(key.clone(), out.len());
                out.push((key, vec![e]));
            }
        }
    }
    out
}

fn op_name(op: u16) -> &'static str {
    match op {
        T_TOPK => "topk",
        T_BOTTOMK => "bottomk",
        T_LIMITK => "limitk",
        _ => "aggregation",
    }
}

pub(crate) fn aggregate(
    ev: &mut Evaluator<'_>,
    a: &AggregateExpr,
    t: i64,
) -> Result<Val, QueryError> {
    let op = a.op.id();
    let param = match &a.param {
        Some(p) => Some(ev.eval(p, t)?),
        None => None,
    };
    let grouping = match &a.modifier {
        Some(LabelModifier::Include(l)) => Grouping {
            without: false,
            names: l.labels.clone(),
        },
        Some(LabelModifier::Exclude(l)) => Grouping {
            without: true,
            names: l.labels.clone(),
        },
        None => Grouping {
            without: false,
            names: Vec::new(),
        },
    };
    let scalar_param = |name: &str| -> Result<f64, QueryError> {
        match &param {
            Some(Val::Scalar(v)) => Ok(*v),
            _ => Err(QueryError::Execution(format!(
                "expected scalar parameter for {name}"
            ))),
        }
    };
    match op {
        T_TOPK | T_BOTTOMK | T_LIMITK => {
            let k = scalar_param(op_name(op))?;
            if k.is_nan() {
                return Err(QueryError::Execution("Parameter value is NaN".into()));
            }
            let input = ev.eval_vector(&a.expr, t)?;
            if k < 1.0 {
                return Ok(Val::Vector(Vec::new()));
            }
            if k >= 9.223_372_036_854_776e18 {
                return Err(QueryError::Execution(format!(
                    "Scalar value {} overflows int64",
                    format_value(k)
                )));
            }
            let k = k as usize;
            let mut out = Vec::new();
            for (_, mut members) in groups(ev, a as *const AggregateExpr as usize, input, &grouping)
            {
                match op {
                    T_TOPK => {
                        members.sort_by(|x, y| by_value(x.value, y.value, true));
                    }
                    T_BOTTOMK => {
                        members.sort_by(|x, y| by_value(x.value, y.value, false));
                    }
                    _ => {}
                }
                members.truncate(k);
                out.extend(members);
            }
            Ok(Val::Vector(out))
        }
        T_LIMIT_RATIO => {
            let ratio = scalar_param("limit_ratio")?;
            if ratio.is_nan() {
                return Err(QueryError::Execution("Ratio value is NaN".into()));
            }
            let input = ev.eval_vector(&a.expr, t)?;
            let ratio = if !(-1.0..=1.0).contains(&ratio) {
                ev.annotations.warn(format!(
                    "PromQL warning: ratio value should be between -1 and 1, got {} ({})",
                    format_value(ratio),
                    ev.arg_position("limit_ratio", 0)
                ));
                ratio.clamp(-1.0, 1.0)
            } else {
                ratio
            };
            let out = input
                .into_iter()
                .filter(|e| {
                    let offset = ratio_offset(&e.labels);
                    if ratio >= 0.0 {
                        offset < ratio
                    } else {
                        offset >= 1.0 + ratio
                    }
                })
                .collect();
            Ok(Val::Vector(out))
        }
        T_COUNT_VALUES => {
            let label = match &param {
                Some(Val::Str(s)) => s.clone(),
                _ => {
                    return Err(QueryError::Execution(
                        "expected string parameter for count_values".into(),
                    ))
                }
            };
            if label.is_empty() {
                return Err(QueryError::Execution(format!(
                    "invalid label name {}",
                    labels::quote(&label)
                )));
            }
            let input = ev.eval_vector(&a.expr, t)?;
            let mut index: LabelsMap<Labels, usize> = LabelsMap::default();
            let mut out: Vec<Elem> = Vec::new();
            for e in input {
                let key = labels::with(&grouping.key(&e.labels), &label, &format_value(e.value));
                match index.get(&key) {
                    Some(&i) => out[i].value += 1.0,
                    None => {
                        index.insert(key.clone(), out.len());
                        out.push(Elem {
                            labels: key,
                            value: 1.0,
                            timestamp: t,
                            drop_name: false,
                        });
                    }
                }
            }
            Ok(Val::Vector(out))
        }
        _ => {
            let q = if op == T_QUANTILE {
                let q = scalar_param("quantile")?;
                if !(0.0..=1.0).contains(&q) {
                    ev.annotations.warn(format!(
                        "PromQL warning: quantile value should be between 0 and 1, got {} ({})",
                        format_value(q),
                        ev.arg_position("quantile", 0)
                    ));
                }
                q
            } else {
                0.0
            };
            let input = ev.eval_vector(&a.expr, t)?;
            let mut out = Vec::new();
            for (key, members) in groups(ev, a as *const AggregateExpr as usize, input, &grouping) {
                let mut values: Vec<f64> = members.iter().map(|e| e.value).collect();
                let value = match op {
                    T_SUM => kahan_sum(values.iter().copied()),
                    T_AVG => mean(&values),
                    T_COUNT => values.len() as f64,
                    T_GROUP => 1.0,
                    T_MIN => fold_extreme(&values, |acc, v| acc > v),
                    T_MAX => fold_extreme(&values, |acc, v| acc < v),
                    T_STDDEV => variance_welford(&values).sqrt(),
                    T_STDVAR => variance_welford(&values),
                    T_QUANTILE => quantile(q, &mut values),
                    _ => {
                        return Err(QueryError::Execution(format!(
                            "unsupported aggregation operator {}",
                            a.op
                        )))
                    }
                };
                let drop_name = members.iter().any(|e| e.drop_name);
                out.push(Elem {
                    labels: key,
                    value,
                    timestamp: t,
                    drop_name,
                });
            }
            Ok(Val::Vector(out))
        }
    }
}

/// min/max: replace the accumulator when `better(acc, v)` or it is NaN.
fn fold_extreme(values: &[f64], replace: impl Fn(f64, f64) -> bool) -> f64 {
    let mut acc = values.first().copied().unwrap_or(f64::NAN);
    for &v in values.iter().skip(1) {
        if replace(acc, v) || acc.is_nan() {
            acc = v;
        }
    }
    acc
}

/// Order for topk (descending) or bottomk (ascending), NaN last.
fn by_value(a: f64, b: f64, descending: bool) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => {
            let o = a.partial_cmp(&b).unwrap_or(Ordering::Equal);
            if descending {
                o.reverse()
            } else {
                o
            }
        }
    }
}

/// Where a series falls in [0, 1) for `limit_ratio`: its label hash over the
/// largest hash (Prometheus hashes labels with xxHash64).
fn ratio_offset(l: &Labels) -> f64 {
    let mut bytes = Vec::new();
    for (k, v) in l.pairs() {
        bytes.extend_from_slice(k.as_bytes());
        bytes.push(0xff);
        bytes.extend_from_slice(v.as_bytes());
        bytes.push(0xff);
    }
    xxhash64(&bytes, 0) as f64 / u64::MAX as f64
}

/// xxHash64 (the hash of Prometheus label sets).
pub(crate) fn xxhash64(input: &[u8], seed: u64) -> u64 {
    const P1: u64 = 0x9E37_79B1_85EB_CA87;
    const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
    const P3: u64 = 0x1656_67B1_9E37_79F9;
    const P4: u64 = 0x85EB_CA77_C2B2_AE63;
    const P5: u64 = 0x27D4_EB2F_1656_67C5;
    fn round(acc: u64, lane: u64) -> u64 {
        acc.wrapping_add(lane.wrapping_mul(P2))
            .rotate_left(31)
            .wrapping_mul(P1)
    }
    fn merge(acc: u64, val: u64) -> u64 {
        (acc ^ round(0, val)).wrapping_mul(P1).wrapping_add(P4)
    }
    fn read64(b: &[u8]) -> u64 {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[..8]);
        u64::from_le_bytes(a)
    }
    fn read32(b: &[u8]) -> u64 {
        let mut a = [0u8; 4];
        a.copy_from_slice(&b[..4]);
        u32::from_le_bytes(a) as u64
    }
    let len = input.len();
    let mut rest = input;
    let mut h = if len >= 32 {
        let mut v1 = seed.wrapping_add(P1).wrapping_add(P2);
        let mut v2 = seed.wrapping_add(P2);
        let mut v3 = seed;
        let mut v4 = seed.wrapping_sub(P1);
        while rest.len() >= 32 {
            v1 = round(v1, read64(&rest[0..]));
            v2 = round(v2, read64(&rest[8..]));
            v3 = round(v3, read64(&rest[16..]));
            v4 = round(v4, read64(&rest[24..]));
            rest = &rest[32..];
        }
        let mut h = v1
            .rotate_left(1)
            .wrapping_add(v2.rotate_left(7))
            .wrapping_add(v3.rotate_left(12))
            .wrapping_add(v4.rotate_left(18));
        h = merge(h, v1);
        h = merge(h, v2);
        h = merge(h, v3);
        merge(h, v4)
    } else {
        seed.wrapping_add(P5)
    };
    h = h.wrapping_add(len as u64);
    while rest.len() >= 8 {
        h ^= round(0, read64(rest));
        h = h.rotate_left(27).wrapping_mul(P1).wrapping_add(P4);
        rest = &rest[8..];
    }
    if rest.len() >= 4 {
        h ^= read32(rest).wrapping_mul(P1);
        h = h.rotate_left(23).wrapping_mul(P2).wrapping_add(P3);
        rest = &rest[4..];
    }
    for &b in rest {
        h ^= (b as u64).wrapping_mul(P5);
        h = h.rotate_left(11).wrapping_mul(P1);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(P2);
    h ^= h >> 29;
    h = h.wrapping_mul(P3);
    h ^= h >> 32;
    h
}

#[cfg(test)]
mod tests {
    use super::xxhash64;

    #[test]
    fn xxhash64_matches_reference_values() {
        assert_eq!(xxhash64(b"", 0), 0xEF46_DB37_51D8_E999);
        assert_eq!(xxhash64(b"a", 0), 0xD24E_C4F1_A98C_6E5B);
        assert_eq!(
            xxhash64(b"Nobody inspects the spammish repetition", 0),
            0xFBCE_A83C_8A37_8BF1
        );
    }
}
