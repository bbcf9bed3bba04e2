//! Alert rules as Prometheus evaluates them: each rule's PromQL expression
//! (the very `expr` the rules YAML exports, [`rule_expr`]) is parsed once
//! per scenario and evaluated over the episode's series store every step. A
//! rule's condition holds when its expression returns at least one sample.
//!
//! Every built-in rule has the shape `<gauge>{label="value", ...} <cmp>
//! <number>`. For such an expression [`RuleSet::resolve`] finds the
//! selected series once (a store's clones keep their ids), and
//! [`RuleSet::holds_fast`] then compares the newest sample of each directly,
//! with the semantics of the instant selector (5-minute lookback, staleness
//! markers) and of the comparison: the same verdict as the PromQL
//! evaluation, which `tests/env_contract.rs` checks for every built-in
//! scenario over whole episodes. Other expressions go through the engine.
//!
//! ```
//! use firedrill::env::{Env, Selection};
//! use firedrill::metrics::alerts::RuleSet;
//! let mut env = Env::new();
//! let observation = env.reset(&Selection::Scenario("connection-pool-exhaustion-v1".into()), 1).unwrap();
//! let scenario = env.scenario().unwrap().clone();
//! let rules = RuleSet::new(&scenario);
//! assert_eq!(rules.expr(0), Some(r#"saturation_ratio{service="orders-db"} > 0.9"#));
//! let monitor = env.monitor().unwrap();
//! let now_ms = monitor.last_time() * 1000;
//! // An alert is pending or firing exactly when its rule's condition holds.
//! for (i, rule) in scenario.alerts.iter().enumerate() {
//!     let active = observation.alerts.iter().any(|a| a.name == rule.name);
//!     assert_eq!(rules.holds(i, monitor.store(), now_ms), active);
//! }
//! ```
//! ```

pub use super::export::rule_expr;
use super::store::{SeriesId, Store};
use crate::promql::{is_stale_nan, Engine, Prepared, QueryError, Value};
use crate::scenario::Scenario;
use promql_parser::label::MatchOp;
use promql_parser::parser::token::{T_EQLC, T_GTE, T_GTR, T_LSS, T_LTE, T_NEQ};
use promql_parser::parser::Expr;
use std::sync::Arc;

/// The parsed expressions of a scenario's alert rules, in rule order, and
/// their direct evaluation once resolved against a store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct RuleSet {
    exprs: Arc<[Result<Prepared, QueryError>]>,
    fast: Arc<[Option<FastRule>]>,
}

/// A rule `selector <cmp> number` resolved against a store: the series the
/// selector picks and the comparison.
#[derive(Clone, Debug, PartialEq)]
struct FastRule {
    series: Vec<SeriesId>,
    op: u16,
    threshold: f64,
    lookback_ms: i64,
}

impl FastRule {
    /// The fast form of `prepared` over `store`, if it has the shape.
    fn of(prepared: &Prepared, store: &Store) -> Option<FastRule> {
        let Expr::Binary(binary) = prepared.expr() else {
            return None;
        };
        if binary.modifier.is_some() {
            return None;
        }
        let op = binary.op.id();
        if !matches!(op, T_GTR | T_LSS | T_GTE | T_LTE | T_EQLC | T_NEQ) {
            return None;
        }
        let (Expr::VectorSelector(vs), Expr::NumberLiteral(n)) = (&*binary.lhs, &*binary.rhs)
        else {
            return None;
        };
        let name = vs.name.as_deref().filter(|n| !n.is_empty())?;
        if vs.offset.is_some() || vs.at.is_some() || !vs.matchers.or_matchers.is_empty() {
            return None;
        }
        let mut equalities = Vec::new();
        for m in &vs.matchers.matchers {
            match m.op {
                MatchOp::Equal => equalities.push((m.name.as_str(), m.value.as_str())),
                _ => return None,
            }
        }
        let series = store
            .named(name)
            .iter()
            .copied()
            .filter(|id| {
                store.get(*id).is_some_and(|s| {
                    equalities
                        .iter()
                        .all(|(label, value)| s.labels().get(label).unwrap_or("") == *value)
                })
            })
            .collect();
        Some(FastRule {
            series,
            op,
            threshold: n.val,
            lookback_ms: prepared.engine().lookback_delta_ms,
        })
    }

    fn holds(&self, store: &Store, time_ms: i64) -> bool {
        self.series.iter().any(|id| {
            let Some(series) = store.get(*id) else {
                return false;
            };
            let after = series.partition_after(time_ms);
            if after == 0 {
                return false;
            }
            let (t, v) = series.sample(after - 1);
            if t <= time_ms.saturating_sub(self.lookback_ms) || is_stale_nan(v) {
                return false;
            }
            let r = self.threshold;
            match self.op {
                T_GTR => v > r,
                T_LSS => v < r,
                T_GTE => v >= r,
                T_LTE => v <= r,
                T_EQLC => v == r,
                _ => v != r,
            }
        })
    }
}

impl RuleSet {
    /// Parses the expression of every alert rule of `scenario`.
    pub fn new(scenario: &Scenario) -> RuleSet {
        let engine = Engine::default();
        RuleSet {
            exprs: scenario
                .alerts
                .iter()
                .map(|rule| engine.prepare(&rule_expr(rule)))
                .collect(),
            fast: Arc::from(Vec::new()),
        }
    }

    /// The same rules with their direct evaluation resolved against `store`
    /// (for [`RuleSet::holds_fast`] over it and its clones, whose series
    /// keep their ids).
    pub fn resolve(&self, store: &Store) -> RuleSet {
        RuleSet {
            exprs: self.exprs.clone(),
            fast: self
                .exprs
                .iter()
                .map(|e| e.as_ref().ok().and_then(|p| FastRule::of(p, store)))
                .collect(),
        }
    }

    /// Whether rule `index` is evaluated directly by [`RuleSet::holds_fast`]
    /// (resolved, and of the shape `selector <cmp> number`).
    pub fn has_fast_path(&self, index: usize) -> bool {
        matches!(self.fast.get(index), Some(Some(_)))
    }

    /// [`RuleSet::holds`], by the direct comparison where the rule has one
    /// (the store must be the one of [`RuleSet::resolve`] or a clone of it);
    /// through the PromQL engine otherwise.
    pub fn holds_fast(&self, index: usize, store: &Store, time_ms: i64) -> bool {
        match self.fast.get(index) {
            Some(Some(rule)) => rule.holds(store, time_ms),
            _ => self.holds(index, store, time_ms),
        }
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.exprs.len()
    }

    /// Whether there is no rule.
    pub fn is_empty(&self) -> bool {
        self.exprs.is_empty()
    }

    /// The expression of rule `index`, if it parsed.
    pub fn expr(&self, index: usize) -> Option<&str> {
        self.exprs
            .get(index)
            .and_then(|e| e.as_ref().ok())
            .map(Prepared::query)
    }

    /// Why the expression of rule `index` did not parse, if it did not.
    pub fn error(&self, index: usize) -> Option<&QueryError> {
        self.exprs.get(index).and_then(|e| e.as_ref().err())
    }

    /// Whether the condition of rule `index` holds at `time_ms`: its
    /// expression returns at least one sample there. A rule that does not
    /// parse or fails to evaluate never holds (Prometheus marks such a rule
    /// unhealthy and fires nothing); neither does an index out of range.
    pub fn holds(&self, index: usize, store: &Store, time_ms: i64) -> bool {
        match self.exprs.get(index) {
            Some(Ok(expr)) => match expr.instant(store, time_ms) {
                Ok(result) => match result.value {
                    Value::Vector(samples) => !samples.is_empty(),
                    Value::Scalar { .. } | Value::String { .. } | Value::Matrix(_) => false,
                },
                Err(_) => false,
            },
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::store::Labels;
    use crate::scenario::{AlertRule, Catalog, Comparison, Signal};

    #[test]
    fn every_builtin_rule_parses() {
        for scenario in Catalog::builtin().scenarios() {
            let rules = RuleSet::new(scenario);
            for (i, rule) in scenario.alerts.iter().enumerate() {
                assert_eq!(
                    rules.expr(i),
                    Some(rule_expr(rule).as_str()),
                    "{} {}: {:?}",
                    scenario.id,
                    rule.name,
                    rules.error(i)
                );
            }
        }
    }

    #[test]
    fn a_service_name_with_quotes_and_backslashes_is_escaped() {
        let mut scenario = Catalog::builtin()
            .get("connection-pool-exhaustion-v1")
            .map(|s| (**s).clone())
            .expect("a built-in scenario");
        let service = "we\"ird\\name";
        scenario.alerts = vec![AlertRule {
            name: "Weird".into(),
            service: service.into(),
            metric: Signal::QueueDepth,
            comparison: Comparison::Below,
            threshold: 3.0,
            for_steps: 0,
            severity: "info".into(),
            summary: "weird".into(),
        }];
        let rules = RuleSet::new(&scenario);
        assert!(rules.error(0).is_none(), "{:?}", rules.error(0));
        let mut store = Store::new(4);
        let id = store.series_id(Labels::new(vec![
            ("__name__".into(), "queue_depth".into()),
            ("service".into(), service.into()),
        ]));
        store.append(id, 0, 2.0);
        assert!(rules.holds(0, &store, 0));
        store.append(id, 30_000, 4.0);
        assert!(!rules.holds(0, &store, 30_000));
        assert!(!rules.holds(1, &store, 30_000), "no such rule");
    }
}
