//! Alert rules as Prometheus evaluates them: each rule's PromQL expression
//! (the very `expr` the rules YAML exports, [`rule_expr`]) is parsed once
//! per episode and evaluated over the episode's series store every step. A
//! rule's condition holds when its expression returns at least one sample.
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
use super::store::Store;
use crate::promql::{Engine, Prepared, QueryError, Value};
use crate::scenario::Scenario;
use std::sync::Arc;

/// The parsed expressions of a scenario's alert rules, in rule order.
/// Cheap to clone.
#[derive(Clone, Debug)]
pub struct RuleSet {
    exprs: Arc<[Result<Prepared, QueryError>]>,
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
