//! Alert rules as Prometheus evaluates them: each rule's PromQL expression
//! (the very `expr` the rules YAML exports, [`rule_expr`]) is parsed once
//! per scenario and evaluated over the episode's series store every step. A
//! rule's condition holds when its expression returns at least one sample.
//!
//! A rule is `<gauge>{service="<name>"} <cmp> <number>`, written from its
//! structured form (signal, service, comparison, threshold). The
//! environment evaluates that structure directly, with no parser:
//! [`RuleSet::resolve`] finds the selected series once (a store's clones
//! keep their ids), and [`RuleSet::holds_fast`] compares the newest sample
//! of each with the semantics of the instant selector (5-minute lookback,
//! staleness markers) and of the comparison. With the `promql` feature the
//! same rules are also parsed as PromQL ([`RuleSet::holds`]), and
//! `tests/env_contract.rs` checks that both give the same verdict for every
//! built-in scenario over whole episodes. (The app's first-load wasm has no
//! PromQL engine: its alerts are the direct path alone.)
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

use super::families::{escape_label_value, gauge_for};
#[cfg(feature = "promql")]
use crate::promql::{Engine, Prepared, QueryError, Value};
use crate::scenario::{AlertRule, Comparison, Scenario};
use crate::series::{is_stale_nan, SeriesId, Store};
use std::sync::Arc;

/// The PromQL expression of a threshold rule: what the rules YAML exports
/// and what the environment evaluates every step ([`RuleSet`]).
///
/// ```
/// let catalog = firedrill::scenario::Catalog::builtin();
/// let rule = &catalog.get("connection-pool-exhaustion-v1").unwrap().alerts[0];
/// assert_eq!(firedrill::metrics::alerts::rule_expr(rule), r#"saturation_ratio{service="orders-db"} > 0.9"#);
/// ```
pub fn rule_expr(rule: &AlertRule) -> String {
    format!(
        "{}{{service=\"{}\"}} {} {}",
        gauge_for(rule.metric),
        escape_label_value(&rule.service),
        rule.comparison.symbol(),
        crate::series::format_value(rule.threshold)
    )
}

/// How far back the newest sample of a series counts, as for an instant
/// selector in PromQL: 5 minutes.
pub const LOOKBACK_MS: i64 = 5 * 60 * 1000;

/// The structure of a rule: the gauge, the service it selects, the
/// comparison and the threshold.
#[derive(Clone, Debug, PartialEq)]
struct Condition {
    metric: &'static str,
    service: String,
    comparison: Comparison,
    threshold: f64,
}

impl Condition {
    fn of(rule: &AlertRule) -> Condition {
        Condition {
            metric: gauge_for(rule.metric),
            service: rule.service.clone(),
            comparison: rule.comparison,
            threshold: rule.threshold,
        }
    }
}

/// A condition resolved against a store: the series its selector picks.
#[derive(Clone, Debug, PartialEq)]
struct Resolved {
    series: Vec<SeriesId>,
    comparison: Comparison,
    threshold: f64,
}

impl Resolved {
    fn of(condition: &Condition, store: &Store) -> Resolved {
        let series = store
            .named(condition.metric)
            .iter()
            .copied()
            .filter(|id| {
                store
                    .get(*id)
                    .is_some_and(|s| s.labels().get("service").unwrap_or("") == condition.service)
            })
            .collect();
        Resolved {
            series,
            comparison: condition.comparison,
            threshold: condition.threshold,
        }
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
            if t <= time_ms.saturating_sub(LOOKBACK_MS) || is_stale_nan(v) {
                return false;
            }
            match self.comparison {
                Comparison::Above => v > self.threshold,
                Comparison::Below => v < self.threshold,
            }
        })
    }
}

/// A scenario's alert rules, in rule order: their conditions, resolved
/// against a store for the direct evaluation, and (with the `promql`
/// feature) their parsed PromQL expressions. Cheap to clone.
#[derive(Clone, Debug)]
pub struct RuleSet {
    conditions: Arc<[Condition]>,
    resolved: Arc<[Resolved]>,
    #[cfg(feature = "promql")]
    exprs: Arc<[Result<Prepared, QueryError>]>,
}

impl RuleSet {
    /// The rules of `scenario` (with the `promql` feature, each expression
    /// parsed too).
    pub fn new(scenario: &Scenario) -> RuleSet {
        RuleSet {
            conditions: scenario.alerts.iter().map(Condition::of).collect(),
            resolved: Arc::from(Vec::new()),
            #[cfg(feature = "promql")]
            exprs: {
                let engine = Engine::default();
                scenario
                    .alerts
                    .iter()
                    .map(|rule| engine.prepare(&rule_expr(rule)))
                    .collect()
            },
        }
    }

    /// The same rules resolved against `store`, for [`RuleSet::holds_fast`]
    /// over it and its clones (whose series keep their ids).
    pub fn resolve(&self, store: &Store) -> RuleSet {
        RuleSet {
            resolved: self
                .conditions
                .iter()
                .map(|c| Resolved::of(c, store))
                .collect(),
            ..self.clone()
        }
    }

    /// Whether rule `index` is resolved for [`RuleSet::holds_fast`].
    pub fn has_fast_path(&self, index: usize) -> bool {
        index < self.resolved.len()
    }

    /// Whether the condition of rule `index` holds at `time_ms`, by the
    /// direct comparison of the newest sample of each selected series (the
    /// store must be the one of [`RuleSet::resolve`] or a clone of it). A
    /// rule not resolved, or an index out of range, never holds.
    pub fn holds_fast(&self, index: usize, store: &Store, time_ms: i64) -> bool {
        self.resolved
            .get(index)
            .is_some_and(|rule| rule.holds(store, time_ms))
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.conditions.len()
    }

    /// Whether there is no rule.
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }
}

#[cfg(feature = "promql")]
impl RuleSet {
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

    /// Whether the condition of rule `index` holds at `time_ms` as
    /// Prometheus decides it: its PromQL expression returns at least one
    /// sample there. A rule that does not parse or fails to evaluate never
    /// holds (Prometheus marks such a rule unhealthy and fires nothing);
    /// neither does an index out of range.
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

#[cfg(all(test, feature = "promql"))]
mod tests {
    use super::*;
    use crate::scenario::{AlertRule, Catalog, Comparison, Signal};
    use crate::series::Labels;

    #[test]
    fn the_lookback_is_the_engines() {
        assert_eq!(LOOKBACK_MS, Engine::default().lookback_delta_ms);
    }

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
        let resolved = rules.resolve(&store);
        assert!(rules.holds(0, &store, 0));
        assert!(resolved.holds_fast(0, &store, 0));
        store.append(id, 30_000, 4.0);
        assert!(!rules.holds(0, &store, 30_000));
        assert!(!resolved.holds_fast(0, &store, 30_000));
        assert!(!rules.holds(1, &store, 30_000), "no such rule");
        assert!(!resolved.holds_fast(1, &store, 30_000), "no such rule");
    }
}
