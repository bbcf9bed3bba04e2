//! Time series: label sets ([`Labels`]) and the series store ([`Store`]),
//! with the sample-value conventions of Prometheus (staleness markers, the
//! text of a float). Below both the PromQL engine and the metric families,
//! which read and write it.

mod labels;
pub mod prometheus_math;
mod store;

pub use labels::{BuildPrehashed, Labels, LabelsMap, PrehashedHasher};
pub use store::*;

/// A value as Prometheus prints it (Go's `strconv.FormatFloat(v, 'f', -1, 64)`):
/// the shortest decimal that reads back to `v`, never an exponent;
/// `NaN`, `+Inf`, `-Inf`.
///
/// ```
/// use firedrill::series::format_value;
/// assert_eq!(format_value(0.05 * 7.0), "0.35000000000000003");
/// assert_eq!(format_value(1e21), "1000000000000000000000");
/// assert_eq!(format_value(f64::NEG_INFINITY), "-Inf");
/// assert_eq!(format_value(-0.0), "-0");
/// ```
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v}")
    }
}
