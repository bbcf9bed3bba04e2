//! Query results in the JSON of the Prometheus HTTP API
//! (`/api/v1/query`, `/api/v1/query_range`):
//! `{"status":"success","data":{"resultType":…,"result":…}}` with samples as
//! `[<unix seconds>, "<value>"]`, and errors as
//! `{"status":"error","errorType":…,"error":…}`.
//!
//! ```
//! use firedrill::series::Labels;
//! use firedrill::promql::{json, Annotations, Sample, Value};
//! let value = Value::Vector(vec![Sample {
//!     labels: Labels::new(vec![("job".into(), "api".into())]),
//!     timestamp_ms: 1_500,
//!     value: 0.05 * 7.0,
//! }]);
//! assert_eq!(
//!     json::success(&value, &Annotations::default()),
//!     r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"api"},"value":[1.500,"0.35000000000000003"]}]}}"#
//! );
//! ```

use super::error::QueryError;
use super::value::{format_value, Annotations, Matrix, Value};
use crate::series::Labels;
use std::fmt::Write;

/// A JSON string literal.
fn string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// A timestamp as Prometheus writes it: seconds, with milliseconds when not whole.
pub fn timestamp(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let abs = ms.unsigned_abs();
    let (secs, frac) = (abs / 1000, abs % 1000);
    if frac == 0 {
        format!("{sign}{secs}")
    } else {
        format!("{sign}{secs}.{frac:03}")
    }
}

fn metric(out: &mut String, labels: &Labels) {
    out.push('{');
    for (i, (k, v)) in labels.pairs().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&string(k));
        out.push(':');
        out.push_str(&string(v));
    }
    out.push('}');
}

fn point(out: &mut String, ms: i64, v: f64) {
    let _ = write!(out, "[{},{}]", timestamp(ms), string(&format_value(v)));
}

fn matrix(out: &mut String, m: &Matrix) {
    out.push('[');
    for (i, s) in m.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"metric\":");
        metric(out, &s.labels);
        out.push_str(",\"values\":[");
        for (j, (t, v)) in s.points.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            point(out, *t, *v);
        }
        out.push_str("]}");
    }
    out.push(']');
}

fn annotations(out: &mut String, a: &Annotations) {
    for (key, list) in [("warnings", &a.warnings), ("infos", &a.infos)] {
        if list.is_empty() {
            continue;
        }
        let _ = write!(out, ",\"{key}\":[");
        for (i, w) in list.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&string(w));
        }
        out.push(']');
    }
}

/// The response to an instant query.
pub fn success(value: &Value, notes: &Annotations) -> String {
    let mut out = String::from("{\"status\":\"success\",\"data\":{\"resultType\":");
    out.push_str(&string(value.result_type()));
    out.push_str(",\"result\":");
    match value {
        Value::Scalar {
            timestamp_ms,
            value,
        } => point(&mut out, *timestamp_ms, *value),
        Value::String {
            timestamp_ms,
            value,
        } => {
            let _ = write!(out, "[{},{}]", timestamp(*timestamp_ms), string(value));
        }
        Value::Vector(samples) => {
            out.push('[');
            for (i, s) in samples.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str("{\"metric\":");
                metric(&mut out, &s.labels);
                out.push_str(",\"value\":");
                point(&mut out, s.timestamp_ms, s.value);
                out.push('}');
            }
            out.push(']');
        }
        Value::Matrix(m) => matrix(&mut out, m),
    }
    out.push('}');
    annotations(&mut out, notes);
    out.push('}');
    out
}

/// The response to a range query.
pub fn success_matrix(m: &Matrix, notes: &Annotations) -> String {
    let mut out =
        String::from("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":");
    matrix(&mut out, m);
    out.push('}');
    annotations(&mut out, notes);
    out.push('}');
    out
}

/// The response to a failed query.
pub fn error(e: &QueryError) -> String {
    format!(
        "{{\"status\":\"error\",\"errorType\":{},\"error\":{}}}",
        string(e.error_type()),
        string(&e.to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::Series;

    #[test]
    fn timestamps_are_seconds_with_milliseconds() {
        for (ms, text) in [
            (0, "0"),
            (1_000, "1"),
            (1_500, "1.500"),
            (1_001, "1.001"),
            (-1_500, "-1.500"),
            (1_435_781_451_781, "1435781451.781"),
        ] {
            assert_eq!(timestamp(ms), text);
        }
    }

    #[test]
    fn special_values_are_strings() {
        let m = vec![Series {
            labels: Labels::new(vec![]),
            points: vec![
                (0, f64::NAN),
                (1000, f64::INFINITY),
                (2000, f64::NEG_INFINITY),
            ],
        }];
        assert_eq!(
            success_matrix(&m, &Annotations::default()),
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[0,"NaN"],[1,"+Inf"],[2,"-Inf"]]}]}}"#
        );
    }

    #[test]
    fn scalars_strings_and_errors() {
        let scalar = Value::Scalar {
            timestamp_ms: 2_000,
            value: 1.0,
        };
        assert_eq!(
            success(&scalar, &Annotations::default()),
            r#"{"status":"success","data":{"resultType":"scalar","result":[2,"1"]}}"#
        );
        let s = Value::String {
            timestamp_ms: 0,
            value: "a\"b".into(),
        };
        assert_eq!(
            success(&s, &Annotations::default()),
            r#"{"status":"success","data":{"resultType":"string","result":[0,"a\"b"]}}"#
        );
        let e = QueryError::Execution("boom".into());
        assert_eq!(
            error(&e),
            r#"{"status":"error","errorType":"execution","error":"boom"}"#
        );
    }

    #[test]
    fn annotations_follow_the_data() {
        let notes = Annotations {
            warnings: vec!["w".into()],
            infos: vec!["i".into()],
        };
        assert_eq!(
            success_matrix(&vec![], &notes),
            r#"{"status":"success","data":{"resultType":"matrix","result":[]},"warnings":["w"],"infos":["i"]}"#
        );
    }
}
