//! What a query returns: scalars, strings, instant vectors and matrices, and
//! the annotations (warnings, infos) Prometheus attaches to a result.

use crate::series::Labels;

/// One sample of an instant vector.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The series' labels (the metric name is gone where PromQL drops it).
    pub labels: Labels,
    /// Evaluation time, milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
    /// The value.
    pub value: f64,
}

/// One series of a matrix: labels and points (timestamp ms, value), oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The series' labels.
    pub labels: Labels,
    /// Points (timestamp ms, value), oldest first.
    pub points: Vec<(i64, f64)>,
}

/// A range-query result or a range vector: series sorted by labels.
pub type Matrix = Vec<Series>;

/// The result of an instant query.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A number at the evaluation time.
    Scalar {
        /// Evaluation time, ms.
        timestamp_ms: i64,
        /// The number.
        value: f64,
    },
    /// A string literal at the evaluation time.
    String {
        /// Evaluation time, ms.
        timestamp_ms: i64,
        /// The string.
        value: String,
    },
    /// An instant vector.
    Vector(Vec<Sample>),
    /// A range vector (a bare range selector or subquery).
    Matrix(Matrix),
}

impl Value {
    /// The `resultType` of the Prometheus HTTP API.
    pub fn result_type(&self) -> &'static str {
        match self {
            Value::Scalar { .. } => "scalar",
            Value::String { .. } => "string",
            Value::Vector(_) => "vector",
            Value::Matrix(_) => "matrix",
        }
    }
}

/// Warnings and infos of an evaluation, in the order they arose, without
/// duplicates (`PromQL warning: …`, `PromQL info: …`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Annotations {
    /// Problems with the result (e.g. a malformed `le` label).
    pub warnings: Vec<String>,
    /// Hints (e.g. a rate over something that does not look like a counter).
    pub infos: Vec<String>,
}

impl Annotations {
    pub(crate) fn warn(&mut self, message: String) {
        if !self.warnings.contains(&message) {
            self.warnings.push(message);
        }
    }

    pub(crate) fn info(&mut self, message: String) {
        if !self.infos.contains(&message) {
            self.infos.push(message);
        }
    }

    /// Whether there is neither a warning nor an info.
    pub fn is_empty(&self) -> bool {
        self.warnings.is_empty() && self.infos.is_empty()
    }
}

/// A value with the annotations its evaluation produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluated<T> {
    /// The result.
    pub value: T,
    /// Its warnings and infos.
    pub annotations: Annotations,
}

pub use crate::series::format_value;
pub use crate::series::{is_stale_nan, stale_nan, STALE_NAN_BITS};

/// Label helpers over the store's sorted label sets.
pub(crate) mod labels {
    use crate::series::Labels;

    pub const METRIC_NAME: &str = "__name__";

    pub fn from_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Labels {
        Labels::new(
            pairs
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    pub fn empty() -> Labels {
        Labels::new(Vec::new())
    }

    /// `labels` without `__name__`.
    pub fn without_name(labels: &Labels) -> Labels {
        if labels.metric_name().is_none() {
            return labels.clone();
        }
        from_pairs(
            labels
                .pairs()
                .iter()
                .filter(|(k, _)| k != METRIC_NAME)
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )
    }

    /// `labels` without the given names.
    pub fn without(labels: &Labels, names: &[String]) -> Labels {
        from_pairs(
            labels
                .pairs()
                .iter()
                .filter(|(k, _)| !names.iter().any(|n| n == k))
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )
    }

    /// Only the given names of `labels`.
    pub fn keep(labels: &Labels, names: &[String]) -> Labels {
        from_pairs(
            labels
                .pairs()
                .iter()
                .filter(|(k, _)| names.iter().any(|n| n == k))
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )
    }

    /// `labels` with `name` set to `value` (removed when `value` is empty).
    pub fn with(labels: &Labels, name: &str, value: &str) -> Labels {
        let mut pairs: Vec<(String, String)> = labels
            .pairs()
            .iter()
            .filter(|(k, _)| k != name)
            .cloned()
            .collect();
        if !value.is_empty() {
            pairs.push((name.to_string(), value.to_string()));
        }
        Labels::new(pairs)
    }

    /// `{a="1", b="2"}`, the way Prometheus prints label sets.
    pub fn display(labels: &Labels) -> String {
        let mut out = String::from("{");
        for (i, (k, v)) in labels.pairs().iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(k);
            out.push('=');
            out.push_str(&quote(v));
        }
        out.push('}');
        out
    }

    /// A Go-style quoted string.
    pub fn quote(s: &str) -> String {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }
}
