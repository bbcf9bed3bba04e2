//! PromQL over the episode's series store.
//!
//! Queries are parsed by the `promql-parser` crate and evaluated here with
//! Prometheus 3 semantics over float samples:
//!
//! - instant and range selectors (`=`, `!=`, `=~`, `!~`, regexes fully
//!   anchored and `.` matching newlines), `offset`, `@` (with `start()` /
//!   `end()`), subqueries, the 5-minute lookback (left-open, as are range
//!   windows), staleness markers;
//! - the functions of Prometheus over floats, the experimental ones
//!   included (`sort_by_label`, `mad_over_time`, `ts_of_*_over_time`,
//!   `double_exponential_smoothing`, `min_of`…), `histogram_quantile`,
//!   `histogram_quantiles` and `histogram_fraction` over classic `le`
//!   buckets;
//! - every aggregation (with `limitk` and `limit_ratio`), `by` / `without`;
//! - arithmetic, comparison (with `bool`) and set operators with `on` /
//!   `ignoring` / `group_left` / `group_right` and the `fill` modifiers;
//! - delayed removal of the metric name; annotations (warnings and infos)
//!   for the common cases (rate over a non-counter, quantiles outside
//!   [0, 1], malformed `le`, non-monotonic buckets, sort in a range query).
//!
//! Not supported: native histograms (the `histogram_*` functions see no
//! float input and return nothing), `info()`, duration expressions
//! (`foo[5m+1m]`), the `anchored` / `smoothed` range modifiers, `\xNN`
//! string escapes of bytes above 0x7f (refused with a parse error).
//!
//! It passes every float case of the Prometheus project's own PromQL test
//! scripts (`tests/promql_conformance.rs`) and answers like a real
//! Prometheus over an episode's metrics (`tests/promql_oracle.rs`). Results
//! render as the Prometheus HTTP API's JSON ([`json`]).
//!
//! ```
//! use firedrill::series::{Labels, Store};
//! use firedrill::promql::{self, Value};
//! let mut store = Store::new(100);
//! for (job, per_step) in [("api", 3.0), ("db", 1.0)] {
//!     let id = store.series_id(Labels::new(vec![
//!         ("__name__".into(), "requests_total".into()),
//!         ("job".into(), job.into()),
//!     ]));
//!     for step in 0..=10 {
//!         store.append(id, step * 30_000, step as f64 * per_step);
//!     }
//! }
//! let value = promql::instant_query(&store, "sum(rate(requests_total[2m]))", 300_000).unwrap();
//! let Value::Vector(samples) = value else { panic!("a vector") };
//! assert_eq!(samples.len(), 1);
//! assert!((samples[0].value - 4.0 / 30.0).abs() < 1e-9);
//!
//! let error = promql::instant_query(&store, "sum(rate(requests_total[2m])", 0).unwrap_err();
//! assert_eq!(error.to_string(), "1:4: parse error: unclosed left parenthesis");
//! ```

mod aggregate;
mod error;
mod eval;
mod functions;
pub mod json;
mod parse;
use crate::series::prometheus_math;
mod value;

pub use error::QueryError;
pub use value::{
    format_value, is_stale_nan, stale_nan, Annotations, Evaluated, Matrix, Sample, Series, Value,
    STALE_NAN_BITS,
};

use crate::series::{Labels, LabelsMap, Store};
use eval::{Elem, Evaluator, Limits, Val};
use promql_parser::parser::value::ValueType;
use promql_parser::parser::Expr;
use promql_parser::util::{walk_expr, ExprVisitor};
use std::collections::HashSet;
use std::sync::Arc;

/// Most points a range query may return per series (as Prometheus).
pub const MAX_POINTS_PER_SERIES: i64 = 11_000;

/// The sample budget of [`Engine::default`]: a query stops with an error
/// rather than run for more than about half a second (native; the browser
/// is slower). Prometheus allows 50 million, with a two-minute timeout that
/// a clock-free engine cannot have; an episode's whole store holds about
/// 150 000 samples, and the app's range chart asks for 60 points.
pub const DEFAULT_MAX_SAMPLES: u64 = 2_000_000;

/// Query settings. [`Engine::default`] is Prometheus' defaults but for the
/// sample budget ([`DEFAULT_MAX_SAMPLES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Engine {
    /// How far back an instant selector looks for a sample (5 minutes).
    pub lookback_delta_ms: i64,
    /// Step of a subquery written without one (`x[5m:]`): 1 minute.
    pub default_subquery_step_ms: i64,
    /// Work a query may do before it fails: the samples it reads, the
    /// series it looks at, and 8 for each evaluation step of a subquery.
    pub max_samples: u64,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine {
            lookback_delta_ms: 5 * 60 * 1000,
            default_subquery_step_ms: 60 * 1000,
            max_samples: DEFAULT_MAX_SAMPLES,
        }
    }
}

/// Evaluates `query` at `time_ms` (an instant query) with default settings.
pub fn instant_query(store: &Store, query: &str, time_ms: i64) -> Result<Value, QueryError> {
    Engine::default()
        .instant(store, query, time_ms)
        .map(|e| e.value)
}

/// Evaluates `query` at every step from `start_ms` to `end_ms` (a range
/// query) with default settings.
pub fn range_query(
    store: &Store,
    query: &str,
    start_ms: i64,
    end_ms: i64,
    step_ms: i64,
) -> Result<Matrix, QueryError> {
    Engine::default()
        .range(store, query, start_ms, end_ms, step_ms)
        .map(|e| e.value)
}

fn limits(engine: &Engine) -> Limits {
    Limits {
        lookback_ms: engine.lookback_delta_ms,
        subquery_step_ms: engine.default_subquery_step_ms,
        max_samples: engine.max_samples,
    }
}

fn type_name(t: ValueType) -> &'static str {
    match t {
        ValueType::Vector => "instant vector",
        ValueType::Scalar => "scalar",
        ValueType::Matrix => "range vector",
        ValueType::String => "string",
    }
}

/// The sort functions called anywhere in `expr`.
fn sort_calls(expr: &Expr) -> Vec<&'static str> {
    struct Sorts(Vec<&'static str>);
    impl ExprVisitor for Sorts {
        type Error = ();
        fn pre_visit(&mut self, expr: &Expr) -> Result<bool, ()> {
            if let Expr::Call(c) = expr {
                if matches!(
                    c.func.name,
                    "sort" | "sort_desc" | "sort_by_label" | "sort_by_label_desc"
                ) && !self.0.contains(&c.func.name)
                {
                    self.0.push(c.func.name);
                }
            }
            Ok(true)
        }
    }
    let mut sorts = Sorts(Vec::new());
    let _ = walk_expr(&mut sorts, expr);
    sorts.0
}

/// Checks the parameters of a range query, as Prometheus' HTTP API does.
fn check_range(start_ms: i64, end_ms: i64, step_ms: i64) -> Result<(), QueryError> {
    if end_ms < start_ms {
        return Err(QueryError::BadParameter(
            "invalid parameter \"end\": end timestamp must not be before start time".into(),
        ));
    }
    if step_ms <= 0 {
        return Err(QueryError::BadParameter(
            "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer".into(),
        ));
    }
    if (end_ms as i128 - start_ms as i128) / step_ms as i128 >= MAX_POINTS_PER_SERIES as i128 {
        return Err(QueryError::BadParameter(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)".into(),
        ));
    }
    Ok(())
}

impl Engine {
    /// Parses `query` (for callers that want the parse error alone).
    pub fn parse(&self, query: &str) -> Result<(), QueryError> {
        parse::parse(query).map(|_| ())
    }

    /// Parses `query` once, to evaluate it as often as needed (an alert
    /// rule every step) without parsing it again.
    ///
    /// ```
    /// use firedrill::series::{Labels, Store};
    /// use firedrill::promql::{Engine, Value};
    /// let mut store = Store::new(10);
    /// let id = store.series_id(Labels::new(vec![("__name__".into(), "up".into())]));
    /// let rule = Engine::default().prepare("up < 0.5").unwrap();
    /// assert_eq!(rule.query(), "up < 0.5");
    /// for (step, up) in [1.0, 0.0].into_iter().enumerate() {
    ///     let t = step as i64 * 30_000;
    ///     store.append(id, t, up);
    ///     let Value::Vector(firing) = rule.instant(&store, t).unwrap().value else { panic!("a vector") };
    ///     assert_eq!(firing.len(), step);
    /// }
    /// ```
    pub fn prepare(&self, query: &str) -> Result<Prepared, QueryError> {
        Ok(Prepared {
            engine: *self,
            expr: parse::parse(query)?,
            query: query.into(),
        })
    }

    /// An instant query at `time_ms`, with its annotations.
    pub fn instant(
        &self,
        store: &Store,
        query: &str,
        time_ms: i64,
    ) -> Result<Evaluated<Value>, QueryError> {
        self.prepare(query)?.instant(store, time_ms)
    }

    /// A range query: `query` at `start_ms`, `start_ms + step_ms`, … up to
    /// `end_ms`; series sorted by labels.
    pub fn range(
        &self,
        store: &Store,
        query: &str,
        start_ms: i64,
        end_ms: i64,
        step_ms: i64,
    ) -> Result<Evaluated<Matrix>, QueryError> {
        check_range(start_ms, end_ms, step_ms)?;
        self.prepare(query)?.range(store, start_ms, end_ms, step_ms)
    }

    /// The label sets of the series that any of `selectors` matches and
    /// that have a sample from `start_ms` to `end_ms` (both included),
    /// sorted and without repeats: Prometheus' `/api/v1/series` (and the
    /// ground of `/api/v1/labels` and `/api/v1/label/<name>/values`).
    /// Each selector must be a series selector (`up`, `{job="api"}`); one
    /// that does not parse, or is any other expression, is a
    /// [`QueryError::Parse`] or a [`QueryError::BadParameter`].
    ///
    /// ```
    /// use firedrill::series::{Labels, Store};
    /// use firedrill::promql::Engine;
    /// let mut store = Store::new(10);
    /// for job in ["api", "db"] {
    ///     let id = store.series_id(Labels::new(vec![
    ///         ("__name__".into(), "up".into()),
    ///         ("job".into(), job.into()),
    ///     ]));
    ///     store.append(id, 30_000, 1.0);
    /// }
    /// let found = Engine::default().series(&store, &["up{job!=\"db\"}"], 0, 60_000).unwrap();
    /// assert_eq!(found.len(), 1);
    /// assert_eq!(found[0].get("job"), Some("api"));
    /// assert!(Engine::default().series(&store, &["up"], 60_001, 90_000).unwrap().is_empty());
    /// assert!(Engine::default().series(&store, &["rate(up[1m])"], 0, 60_000).is_err());
    /// ```
    pub fn series(
        &self,
        store: &Store,
        selectors: &[&str],
        start_ms: i64,
        end_ms: i64,
    ) -> Result<Vec<Labels>, QueryError> {
        if end_ms < start_ms {
            return Err(QueryError::BadParameter(
                "invalid parameter \"end\": end timestamp must not be before start time".into(),
            ));
        }
        let mut found: Vec<Labels> = Vec::new();
        for selector in selectors {
            let expr = parse::parse(selector)?;
            let Expr::VectorSelector(vs) = eval::unwrap_parens(&expr) else {
                return Err(QueryError::BadParameter(format!(
                    "invalid parameter \"match[]\": {selector:?} is not a series selector (e.g. up or {{job=\"api\"}})"
                )));
            };
            let mut ev = Evaluator::new(store, selector, end_ms, end_ms, 0, limits(self));
            for &index in ev.selection(vs).iter() {
                let Some(series) = store.series().get(index) else {
                    continue;
                };
                let first = series.partition_after(start_ms.saturating_sub(1));
                if first < series.len() && series.sample(first).0 <= end_ms {
                    found.push(series.labels().clone());
                }
            }
        }
        found.sort();
        found.dedup();
        Ok(found)
    }
}

/// A parsed query and the settings to evaluate it with: made by
/// [`Engine::prepare`], evaluated any number of times over any store.
#[derive(Clone, Debug)]
pub struct Prepared {
    engine: Engine,
    query: Arc<str>,
    expr: Expr,
}

impl Prepared {
    /// The query text it was parsed from.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The settings it is evaluated with.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The query at `time_ms` (an instant query), with its annotations.
    pub fn instant(&self, store: &Store, time_ms: i64) -> Result<Evaluated<Value>, QueryError> {
        let query: &str = &self.query;
        let mut ev = Evaluator::new(store, query, time_ms, time_ms, 0, limits(&self.engine));
        let value = match ev.eval(&self.expr, time_ms)? {
            Val::Scalar(v) => Value::Scalar {
                timestamp_ms: time_ms,
                value: v,
            },
            Val::Str(s) => Value::String {
                timestamp_ms: time_ms,
                value: s,
            },
            Val::Vector(v) => Value::Vector(
                ev.finish_vector(v)?
                    .into_iter()
                    .map(|e| Sample {
                        labels: e.labels,
                        timestamp_ms: time_ms,
                        value: e.value,
                    })
                    .collect(),
            ),
            Val::Matrix(m) => {
                let mut seen: HashSet<Labels, crate::series::BuildPrehashed> = HashSet::default();
                let mut out = Vec::with_capacity(m.series.len());
                for s in m.series {
                    let labels = if s.drop_name {
                        ev.derive(
                            eval::derived::NO_NAME,
                            0,
                            &s.labels,
                            value::labels::without_name,
                        )
                    } else {
                        s.labels
                    };
                    if !seen.insert(labels.clone()) {
                        return Err(QueryError::Execution(
                            "vector cannot contain metrics with the same labelset".into(),
                        ));
                    }
                    out.push(Series {
                        labels,
                        points: s.points,
                    });
                }
                Value::Matrix(out)
            }
        };
        Ok(Evaluated {
            value,
            annotations: ev.annotations,
        })
    }

    /// The query at `start_ms`, `start_ms + step_ms`, … up to `end_ms` (a
    /// range query); series sorted by labels.
    pub fn range(
        &self,
        store: &Store,
        start_ms: i64,
        end_ms: i64,
        step_ms: i64,
    ) -> Result<Evaluated<Matrix>, QueryError> {
        check_range(start_ms, end_ms, step_ms)?;
        let kind = self.expr.value_type();
        if !matches!(kind, ValueType::Scalar | ValueType::Vector) {
            return Err(QueryError::BadParameter(format!(
                "invalid expression type \"{}\" for range query, must be Scalar or instant Vector",
                type_name(kind)
            )));
        }
        let query: &str = &self.query;
        let mut ev = Evaluator::new(
            store,
            query,
            start_ms,
            end_ms,
            step_ms,
            limits(&self.engine),
        );
        for name in sort_calls(&self.expr) {
            ev.annotations.warn(format!(
                "PromQL warning: sort is ineffective for range queries since results are always ordered by labels ({})",
                eval::position_of_call(query, name)
            ));
        }
        let mut index: LabelsMap<Labels, usize> = LabelsMap::default();
        let mut series: Vec<Series> = Vec::new();
        // The slot of the i-th sample of the previous step: consecutive
        // steps mostly return the same series in the same order (sharing
        // their label sets), so a pointer comparison finds most slots.
        let mut slots: Vec<usize> = Vec::new();
        let points = usize::try_from((end_ms - start_ms) / step_ms + 1).unwrap_or(0);
        let mut t = start_ms;
        loop {
            let elems = match ev.eval(&self.expr, t)? {
                Val::Scalar(v) => vec![Elem {
                    labels: value::labels::empty(),
                    value: v,
                    timestamp: t,
                    drop_name: false,
                }],
                Val::Vector(v) => ev.finish_vector(v)?,
                other => {
                    return Err(QueryError::BadParameter(format!(
                        "invalid expression type \"{}\" for range query, must be Scalar or instant Vector",
                        other.type_name()
                    )))
                }
            };
            for (position, e) in elems.into_iter().enumerate() {
                let guess = slots
                    .get(position)
                    .copied()
                    .filter(|&slot| series[slot].labels.ptr_eq(&e.labels));
                let slot = match guess.or_else(|| index.get(&e.labels).copied()) {
                    Some(i) => i,
                    None => {
                        index.insert(e.labels.clone(), series.len());
                        series.push(Series {
                            labels: e.labels,
                            points: Vec::with_capacity(points.min(1024)),
                        });
                        series.len() - 1
                    }
                };
                if position < slots.len() {
                    slots[position] = slot;
                } else {
                    slots.push(slot);
                }
                series[slot].points.push((t, e.value));
            }
            match t.checked_add(step_ms) {
                Some(next) if next <= end_ms => t = next,
                _ => break,
            }
        }
        series.sort_by(|a, b| a.labels.cmp(&b.labels));
        Ok(Evaluated {
            value: series,
            annotations: ev.annotations,
        })
    }
}
