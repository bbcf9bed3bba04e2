//! The evaluator: one expression at one evaluation time, recursively.
//! Range queries call it once per step.
//!
//! Metric names are dropped late, as Prometheus 3 does with delayed name
//! removal: an operation that drops the name only marks the sample, and the
//! name goes when the query's result is assembled (or when a label function
//! decides otherwise).

use super::error::QueryError;
use super::value::{is_stale_nan, labels, Annotations};
use super::{aggregate, functions};
use crate::series::{Labels, LabelsMap, Store};
use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::token::{
    T_ADD, T_ATAN2, T_DIV, T_EQLC, T_GTE, T_GTR, T_LAND, T_LOR, T_LSS, T_LTE, T_LUNLESS, T_MOD,
    T_MUL, T_NEQ, T_POW, T_SUB,
};
use promql_parser::parser::{
    AtModifier, BinaryExpr, Expr, LabelModifier, MatrixSelector, Offset, SubqueryExpr,
    VectorMatchCardinality, VectorSelector,
};
use regex::Regex;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, SystemTime};

/// One sample of an instant vector during evaluation.
#[derive(Clone, Debug)]
pub(crate) struct Elem {
    pub labels: Labels,
    pub value: f64,
    /// The sample's own timestamp for selectors, the evaluation time otherwise.
    pub timestamp: i64,
    /// The metric name is to be dropped from the result.
    pub drop_name: bool,
}

/// One series of a range vector during evaluation.
#[derive(Clone, Debug)]
pub(crate) struct RangeSeries {
    pub labels: Labels,
    pub drop_name: bool,
    pub points: Vec<(i64, f64)>,
}

/// A range vector: its series and the window (start exclusive, end inclusive) they cover.
#[derive(Clone, Debug)]
pub(crate) struct RangeVal {
    pub series: Vec<RangeSeries>,
    pub start: i64,
    pub end: i64,
}

/// A value during evaluation.
#[derive(Clone, Debug)]
pub(crate) enum Val {
    Scalar(f64),
    Str(String),
    Vector(Vec<Elem>),
    Matrix(RangeVal),
}

impl Val {
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Scalar(_) => "scalar",
            Val::Str(_) => "string",
            Val::Vector(_) => "instant vector",
            Val::Matrix(_) => "range vector",
        }
    }
}

/// Limits of one query.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub lookback_ms: i64,
    pub subquery_step_ms: i64,
    pub max_samples: u64,
}

/// What one evaluation step of a subquery counts against the sample
/// budget: evaluating its expression at one more time costs about as much
/// as reading this many samples, even when it selects nothing.
pub(crate) const SUBQUERY_STEP_COST: usize = 8;

pub(crate) struct Evaluator<'a> {
    pub store: &'a Store,
    pub query: &'a str,
    /// Start and end of the query (for `@ start()` and `@ end()`).
    pub start: i64,
    pub end: i64,
    /// Step of a range query (0 for an instant query).
    pub step: i64,
    pub limits: Limits,
    pub annotations: Annotations,
    selections: HashMap<usize, Rc<Vec<usize>>>,
    regexes: HashMap<String, Option<Rc<Regex>>>,
    /// Inner results of subqueries by (node, time): the steps of a range
    /// query share most of them.
    subquery_results: HashMap<(usize, i64), Rc<Vec<Elem>>>,
    /// Label sets derived from others (grouping keys, match signatures, the
    /// name dropped…), by (kind, expression node, input label set): the
    /// steps of a range query derive the same ones again and again. Each
    /// entry keeps its input alive, so its address cannot be reused.
    derived: LabelsMap<(u8, usize, usize), (Labels, Labels)>,
    /// [`Series::partition_after`] of the store's columns (which share
    /// their timestamps), by time.
    ///
    /// [`Series::partition_after`]: crate::series::Series::partition_after
    column_partitions: LabelsMap<(usize, i64), usize>,
    /// Point buffers of range vectors already consumed, for reuse.
    point_pool: Vec<Vec<(i64, f64)>>,
    samples: u64,
}

/// What a derived label set is, for [`Evaluator::derive`].
pub(crate) mod derived {
    /// An aggregation's grouping key.
    pub const GROUP: u8 = 0;
    /// Without `__name__`.
    pub const NO_NAME: u8 = 1;
    /// A binary operation's match signature.
    pub const SIGNATURE: u8 = 2;
    /// A binary operation's result labels (one-to-one, no `group_*` labels).
    pub const RESULT: u8 = 3;
    /// A histogram's labels: without `le`.
    pub const NO_LE: u8 = 4;
}

pub(crate) fn duration_ms(d: &Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub(crate) fn offset_ms(offset: &Option<Offset>) -> i64 {
    match offset {
        None => 0,
        Some(Offset::Pos(d)) => duration_ms(d),
        Some(Offset::Neg(d)) => duration_ms(d).saturating_neg(),
    }
}

fn system_time_ms(time: &SystemTime) -> i64 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => duration_ms(&d),
        Err(e) => duration_ms(&e.duration()).saturating_neg(),
    }
}

pub(crate) fn unwrap_parens(mut expr: &Expr) -> &Expr {
    while let Expr::Paren(p) = expr {
        expr = &p.expr;
    }
    expr
}

fn execution(message: impl Into<String>) -> QueryError {
    QueryError::Execution(message.into())
}

/// Vector matching of a binary operation between two vectors.
pub(crate) struct Matching {
    pub on: bool,
    pub names: Vec<String>,
    pub card: Card,
    pub include: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Card {
    OneToOne,
    ManyToOne,
    OneToMany,
    ManyToMany,
}

impl Matching {
    /// The matching key of a label set: the labels matched on.
    fn signature(&self, l: &Labels) -> Labels {
        self.matched_labels(l)
    }

    fn matched_labels(&self, l: &Labels) -> Labels {
        if self.on {
            labels::keep(l, &self.names)
        } else {
            let mut names = self.names.clone();
            names.push(labels::METRIC_NAME.into());
            labels::without(l, &names)
        }
    }
}

fn is_comparison(op: u16) -> bool {
    matches!(op, T_EQLC | T_NEQ | T_GTR | T_LSS | T_GTE | T_LTE)
}

fn drops_name(op: u16) -> bool {
    matches!(op, T_ADD | T_SUB | T_MUL | T_DIV | T_MOD | T_POW | T_ATAN2)
}

/// Applies `op` to two floats: (value, keep).
fn apply_op(op: u16, l: f64, r: f64) -> (f64, bool) {
    match op {
        T_ADD => (l + r, true),
        T_SUB => (l - r, true),
        T_MUL => (l * r, true),
        T_DIV => (l / r, true),
        T_MOD => (l % r, true),
        T_POW => (l.powf(r), true),
        T_ATAN2 => (l.atan2(r), true),
        T_EQLC => (l, l == r),
        T_NEQ => (l, l != r),
        T_GTR => (l, l > r),
        T_LSS => (l, l < r),
        T_GTE => (l, l >= r),
        T_LTE => (l, l <= r),
        _ => (f64::NAN, false),
    }
}

impl<'a> Evaluator<'a> {
    pub fn new(
        store: &'a Store,
        query: &'a str,
        start: i64,
        end: i64,
        step: i64,
        limits: Limits,
    ) -> Evaluator<'a> {
        Evaluator {
            store,
            query,
            start,
            end,
            step,
            limits,
            annotations: Annotations::default(),
            selections: HashMap::new(),
            regexes: HashMap::new(),
            subquery_results: HashMap::new(),
            derived: LabelsMap::default(),
            column_partitions: LabelsMap::default(),
            point_pool: Vec::new(),
            samples: 0,
        }
    }

    /// `f(labels)`, computed once per query for each (kind, node, label set):
    /// later calls return the same shared label set.
    pub fn derive(
        &mut self,
        kind: u8,
        node: usize,
        labels: &Labels,
        f: impl FnOnce(&Labels) -> Labels,
    ) -> Labels {
        let key = (kind, node, labels.address());
        if let Some((_, out)) = self.derived.get(&key) {
            return out.clone();
        }
        let out = f(labels);
        self.derived.insert(key, (labels.clone(), out.clone()));
        out
    }

    /// The first sample index of `series` after `t`, shared by all the
    /// columns of the store.
    fn partition_after(&mut self, series: &crate::series::Series<'_>, t: i64) -> usize {
        match series.shared_timestamps() {
            Some(rows) => *self
                .column_partitions
                .entry((rows, t))
                .or_insert_with(|| series.partition_after(t)),
            None => series.partition_after(t),
        }
    }

    /// Gives the point buffers of a consumed range vector back for reuse.
    pub fn recycle(&mut self, m: RangeVal) {
        for s in m.series {
            if self.point_pool.len() < 4096 {
                let mut points = s.points;
                points.clear();
                self.point_pool.push(points);
            }
        }
    }

    /// Drops the names marked for dropping and checks the label sets are
    /// unique (the last step of an instant vector result).
    pub fn finish_vector(&mut self, v: Vec<Elem>) -> Result<Vec<Elem>, QueryError> {
        let mut out = Vec::with_capacity(v.len());
        for mut e in v {
            if e.drop_name {
                e.labels = self.derive(derived::NO_NAME, 0, &e.labels, labels::without_name);
                e.drop_name = false;
            }
            out.push(e);
        }
        // Most results are small: compare pairwise (hashes first) rather
        // than hash every label set into a set.
        let duplicate = if out.len() <= 32 {
            out.iter()
                .enumerate()
                .any(|(i, a)| out[i + 1..].iter().any(|b| a.labels == b.labels))
        } else {
            let mut seen: std::collections::HashSet<&Labels, crate::series::BuildPrehashed> =
                std::collections::HashSet::with_capacity_and_hasher(out.len(), Default::default());
            !out.iter().all(|e| seen.insert(&e.labels))
        };
        if duplicate {
            return Err(QueryError::Execution(
                "vector cannot contain metrics with the same labelset".into(),
            ));
        }
        Ok(out)
    }

    /// Counts `n` samples (or steps) against the query's budget.
    pub fn charge(&mut self, n: usize) -> Result<(), QueryError> {
        self.samples = self.samples.saturating_add(n as u64);
        if self.samples > self.limits.max_samples {
            return Err(execution(format!(
                "query processing would load too many samples into memory in query execution (more than {} samples and steps; narrow the selectors, the ranges or the resolution)",
                self.limits.max_samples
            )));
        }
        Ok(())
    }

    /// A compiled, fully anchored regex (Prometheus: `^(?s:re)$`), cached.
    pub fn regex(&mut self, pattern: &str) -> Option<Rc<Regex>> {
        if let Some(r) = self.regexes.get(pattern) {
            return r.clone();
        }
        let compiled = regex::RegexBuilder::new(&format!("^(?s:{pattern})$"))
            .size_limit(1 << 22)
            .build()
            .ok()
            .map(Rc::new);
        self.regexes.insert(pattern.to_string(), compiled.clone());
        compiled
    }

    fn matcher_matches(&mut self, m: &Matcher, value: &str) -> bool {
        match &m.op {
            MatchOp::Equal => m.value == value,
            MatchOp::NotEqual => m.value != value,
            MatchOp::Re(parsed) => match self.regex(&m.value) {
                Some(r) => r.is_match(value),
                None => parsed.is_match(value),
            },
            MatchOp::NotRe(parsed) => match self.regex(&m.value) {
                Some(r) => !r.is_match(value),
                None => !parsed.is_match(value),
            },
        }
    }

    /// Indices of the store's series a selector matches, sorted by labels.
    /// A selector with a metric name (`up`, `{__name__="up"}`) looks only
    /// at the series of that name.
    pub(crate) fn selection(&mut self, vs: &VectorSelector) -> Rc<Vec<usize>> {
        let key = vs as *const VectorSelector as usize;
        if let Some(ids) = self.selections.get(&key) {
            return ids.clone();
        }
        let store = self.store;
        let name = vs.name.as_deref().filter(|n| !n.is_empty()).or_else(|| {
            vs.matchers
                .matchers
                .iter()
                .find(|m| {
                    m.name == labels::METRIC_NAME
                        && matches!(m.op, MatchOp::Equal)
                        && !m.value.is_empty()
                })
                .map(|m| m.value.as_str())
        });
        let mut ids = Vec::new();
        // Through the index, the name is known to match.
        let is_known_name = |m: &Matcher| {
            name.is_some_and(|n| {
                m.name == labels::METRIC_NAME && matches!(m.op, MatchOp::Equal) && m.value == n
            })
        };
        let mut consider = |this: &mut Self, i: usize| {
            let l = store.view(i).labels();
            if let (Some(wanted), None) = (&vs.name, name) {
                if l.metric_name() != Some(wanted.as_str()) {
                    return;
                }
            }
            for m in &vs.matchers.matchers {
                if !is_known_name(m) && !this.matcher_matches(m, l.get(&m.name).unwrap_or("")) {
                    return;
                }
            }
            if !vs.matchers.or_matchers.is_empty()
                && !vs.matchers.or_matchers.iter().any(|group| {
                    group
                        .iter()
                        .all(|m| this.matcher_matches(m, l.get(&m.name).unwrap_or("")))
                })
            {
                return;
            }
            ids.push(i);
        };
        match name {
            // Already sorted by labels.
            Some(name) => {
                for id in store.named(name) {
                    consider(self, id.index());
                }
            }
            None => {
                for i in 0..store.series().len() {
                    consider(self, i);
                }
                ids.sort_by(|a, b| store.view(*a).labels().cmp(store.view(*b).labels()));
            }
        }
        let ids = Rc::new(ids);
        self.selections.insert(key, ids.clone());
        ids
    }

    /// The time a selector or subquery looks at, after `@` and `offset`.
    pub fn shifted_time(&self, at: &Option<AtModifier>, offset: &Option<Offset>, t: i64) -> i64 {
        let base = match at {
            None => t,
            Some(AtModifier::Start) => self.start,
            Some(AtModifier::End) => self.end,
            Some(AtModifier::At(time)) => system_time_ms(time),
        };
        base.saturating_sub(offset_ms(offset))
    }

    pub fn eval(&mut self, expr: &Expr, t: i64) -> Result<Val, QueryError> {
        match expr {
            Expr::NumberLiteral(n) => Ok(Val::Scalar(n.val)),
            Expr::StringLiteral(s) => Ok(Val::Str(s.val.clone())),
            Expr::Paren(p) => self.eval(&p.expr, t),
            Expr::Unary(u) => match self.eval(&u.expr, t)? {
                Val::Scalar(v) => Ok(Val::Scalar(-v)),
                Val::Vector(v) => Ok(Val::Vector(
                    v.into_iter()
                        .map(|e| Elem {
                            value: -e.value,
                            drop_name: true,
                            ..e
                        })
                        .collect(),
                )),
                other => Err(execution(format!(
                    "unary expression only allowed on expressions of type scalar or instant vector, got {}",
                    other.type_name()
                ))),
            },
            Expr::VectorSelector(vs) => Ok(Val::Vector(self.select_instant(vs, t)?)),
            Expr::MatrixSelector(ms) => Ok(Val::Matrix(self.select_range(ms, t)?)),
            Expr::Subquery(sq) => Ok(Val::Matrix(self.subquery(sq, t)?)),
            Expr::Aggregate(a) => aggregate::aggregate(self, a, t),
            Expr::Binary(b) => self.binary(b, t),
            Expr::Call(c) => functions::call(self, c, t),
            Expr::Extension(_) => Err(execution("extension expressions are not supported")),
        }
    }

    pub fn eval_scalar(&mut self, expr: &Expr, t: i64) -> Result<f64, QueryError> {
        match self.eval(expr, t)? {
            Val::Scalar(v) => Ok(v),
            other => Err(execution(format!(
                "expected scalar, got {}",
                other.type_name()
            ))),
        }
    }

    pub fn eval_vector(&mut self, expr: &Expr, t: i64) -> Result<Vec<Elem>, QueryError> {
        match self.eval(expr, t)? {
            Val::Vector(v) => Ok(v),
            other => Err(execution(format!(
                "expected instant vector, got {}",
                other.type_name()
            ))),
        }
    }

    pub fn eval_matrix(&mut self, expr: &Expr, t: i64) -> Result<RangeVal, QueryError> {
        match self.eval(unwrap_parens(expr), t)? {
            Val::Matrix(m) => Ok(m),
            other => Err(execution(format!(
                "expected range vector, got {}",
                other.type_name()
            ))),
        }
    }

    /// An instant vector selector: the latest sample of each series within
    /// the lookback window (t − 5m, t], unless it is a staleness marker.
    pub fn select_instant(&mut self, vs: &VectorSelector, t: i64) -> Result<Vec<Elem>, QueryError> {
        let at = self.shifted_time(&vs.at, &vs.offset, t);
        let ids = self.selection(vs);
        self.charge(ids.len())?;
        let store = self.store;
        let mut out = Vec::with_capacity(ids.len());
        for &i in ids.iter() {
            let series = store.view(i);
            let idx = self.partition_after(&series, at);
            if idx == 0 {
                continue;
            }
            let (ts, v) = series.sample(idx - 1);
            if ts <= at.saturating_sub(self.limits.lookback_ms) || is_stale_nan(v) {
                continue;
            }
            out.push(Elem {
                labels: series.labels().clone(),
                value: v,
                timestamp: ts,
                drop_name: false,
            });
        }
        Ok(out)
    }

    /// A range vector selector: the samples of each series in (t − range, t].
    pub fn select_range(&mut self, ms: &MatrixSelector, t: i64) -> Result<RangeVal, QueryError> {
        let end = self.shifted_time(&ms.vs.at, &ms.vs.offset, t);
        let start = end.saturating_sub(duration_ms(&ms.range));
        let ids = self.selection(&ms.vs);
        // Each series is looked at (a binary search), whether or not it
        // has samples in the window.
        self.charge(ids.len())?;
        let store = self.store;
        let mut series_out = Vec::new();
        for &i in ids.iter() {
            let series = store.view(i);
            let from = self.partition_after(&series, start);
            let to = self.partition_after(&series, end);
            if to <= from {
                continue;
            }
            self.charge(to - from)?;
            let mut points = self.point_pool.pop().unwrap_or_default();
            series.extend_samples(from, to, &mut points, is_stale_nan);
            if points.is_empty() {
                self.point_pool.push(points);
                continue;
            }
            series_out.push(RangeSeries {
                labels: series.labels().clone(),
                drop_name: false,
                points,
            });
        }
        Ok(RangeVal {
            series: series_out,
            start,
            end,
        })
    }

    /// A subquery: the inner expression at every multiple of the step in
    /// (t − range, t].
    fn subquery(&mut self, sq: &SubqueryExpr, t: i64) -> Result<RangeVal, QueryError> {
        let end = self.shifted_time(&sq.at, &sq.offset, t);
        let range = duration_ms(&sq.range);
        let step = sq
            .step
            .as_ref()
            .map(duration_ms)
            .unwrap_or(self.limits.subquery_step_ms);
        if step <= 0 {
            return Err(execution("subquery step must be positive"));
        }
        let start = end.saturating_sub(range);
        let first = start
            .div_euclid(step)
            .saturating_add(1)
            .saturating_mul(step);
        let steps = if end >= first {
            (end as i128 - first as i128) / step as i128 + 1
        } else {
            0
        };
        let cost = steps.saturating_mul(SUBQUERY_STEP_COST as i128);
        self.charge(usize::try_from(cost).unwrap_or(usize::MAX))?;
        if first.checked_add(step).is_none() && first <= end {
            return Err(execution("subquery range out of bounds"));
        }
        let mut index: HashMap<Labels, usize> = HashMap::new();
        let mut series: Vec<RangeSeries> = Vec::new();
        let mut ts = first;
        let node = sq as *const SubqueryExpr as usize;
        let mut slots: Vec<usize> = Vec::new();
        while ts <= end {
            let elems = match self.subquery_results.get(&(node, ts)) {
                Some(cached) => cached.clone(),
                None => {
                    let elems = match self.eval(&sq.expr, ts)? {
                        Val::Vector(v) => v,
                        Val::Scalar(v) => vec![Elem {
                            labels: labels::empty(),
                            value: v,
                            timestamp: ts,
                            drop_name: false,
                        }],
                        other => {
                            return Err(execution(format!(
                                "subquery is only allowed on instant vector, got {}",
                                other.type_name()
                            )))
                        }
                    };
                    self.charge(elems.len())?;
                    let elems = Rc::new(elems);
                    self.subquery_results.insert((node, ts), elems.clone());
                    elems
                }
            };
            // Consecutive steps mostly hold the same series in the same
            // order (and share their label sets): try the previous slot first.
            for (position, e) in elems.iter().enumerate() {
                let guess = slots.get(position).copied().filter(|&slot: &usize| {
                    series
                        .get(slot)
                        .is_some_and(|s: &RangeSeries| s.labels == e.labels)
                });
                let slot = match guess.or_else(|| index.get(&e.labels).copied()) {
                    Some(i) => i,
                    None => {
                        index.insert(e.labels.clone(), series.len());
                        series.push(RangeSeries {
                            labels: e.labels.clone(),
                            drop_name: false,
                            points: Vec::new(),
                        });
                        series.len() - 1
                    }
                };
                if position < slots.len() {
                    slots[position] = slot;
                } else {
                    slots.push(slot);
                }
                series[slot].drop_name |= e.drop_name;
                series[slot].points.push((ts, e.value));
            }
            self.charge(elems.len())?;
            ts = match ts.checked_add(step) {
                Some(next) => next,
                None => break,
            };
        }
        series.sort_by(|a, b| a.labels.cmp(&b.labels));
        Ok(RangeVal { series, start, end })
    }

    fn binary(&mut self, b: &BinaryExpr, t: i64) -> Result<Val, QueryError> {
        let op = b.op.id();
        let return_bool = b.modifier.as_ref().is_some_and(|m| m.return_bool);
        let lhs = self.eval(&b.lhs, t)?;
        let rhs = self.eval(&b.rhs, t)?;
        match (lhs, rhs) {
            (Val::Scalar(l), Val::Scalar(r)) => {
                let (v, keep) = apply_op(op, l, r);
                if is_comparison(op) {
                    Ok(Val::Scalar(if keep { 1.0 } else { 0.0 }))
                } else {
                    Ok(Val::Scalar(v))
                }
            }
            (Val::Vector(l), Val::Scalar(r)) => {
                Ok(Val::Vector(vector_scalar(op, l, r, false, return_bool)))
            }
            (Val::Scalar(l), Val::Vector(r)) => {
                Ok(Val::Vector(vector_scalar(op, r, l, true, return_bool)))
            }
            (Val::Vector(l), Val::Vector(r)) => {
                let matching = matching_of(b);
                let mut m = Matched {
                    ev: self,
                    node: b as *const BinaryExpr as usize,
                    matching: &matching,
                };
                match op {
                    T_LAND => Ok(Val::Vector(vector_and(l, r, &mut m))),
                    T_LOR => Ok(Val::Vector(vector_or(l, r, &mut m))),
                    T_LUNLESS => Ok(Val::Vector(vector_unless(l, r, &mut m))),
                    _ => Ok(Val::Vector(vector_binop(
                        op,
                        l,
                        r,
                        &mut m,
                        return_bool,
                        b.modifier.as_ref().map(|m| (m.fill_values.lhs, m.fill_values.rhs)),
                    )?)),
                }
            }
            (l, r) => Err(execution(format!(
                "binary expression must contain only scalar and instant vector types, got {} and {}",
                l.type_name(),
                r.type_name()
            ))),
        }
    }

    /// The query text's position (`line:column`) of the `index`-th argument of
    /// the first call of `function`, for annotations.
    pub fn arg_position(&self, function: &str, index: usize) -> String {
        position_of_arg(self.query, function, index)
    }
}

fn matching_of(b: &BinaryExpr) -> Matching {
    let mut matching = Matching {
        on: false,
        names: Vec::new(),
        card: Card::OneToOne,
        include: Vec::new(),
    };
    if let Some(m) = &b.modifier {
        match &m.matching {
            Some(LabelModifier::Include(l)) => {
                matching.on = true;
                matching.names = l.labels.clone();
            }
            Some(LabelModifier::Exclude(l)) => matching.names = l.labels.clone(),
            None => {}
        }
        matching.card = match &m.card {
            VectorMatchCardinality::OneToOne => Card::OneToOne,
            VectorMatchCardinality::ManyToMany => Card::ManyToMany,
            VectorMatchCardinality::ManyToOne(l) => {
                matching.include = l.labels.clone();
                Card::ManyToOne
            }
            VectorMatchCardinality::OneToMany(l) => {
                matching.include = l.labels.clone();
                Card::OneToMany
            }
        };
    }
    matching
}

fn vector_scalar(op: u16, v: Vec<Elem>, s: f64, swap: bool, return_bool: bool) -> Vec<Elem> {
    let mut out = Vec::with_capacity(v.len());
    for mut e in v {
        let (l, r) = if swap { (s, e.value) } else { (e.value, s) };
        let (mut value, mut keep) = apply_op(op, l, r);
        if is_comparison(op) && swap {
            value = r;
        }
        if return_bool {
            value = if keep { 1.0 } else { 0.0 };
            keep = true;
        }
        if keep {
            e.value = value;
            if drops_name(op) || return_bool {
                e.drop_name = true;
            }
            out.push(e);
        }
    }
    out
}

/// A binary operation's matching with the evaluator that remembers its
/// signatures and result labels across the steps of a query.
struct Matched<'e, 'a, 'm> {
    ev: &'e mut Evaluator<'a>,
    node: usize,
    matching: &'m Matching,
}

impl Matched<'_, '_, '_> {
    fn signature(&mut self, l: &Labels) -> Labels {
        let matching = self.matching;
        self.ev
            .derive(derived::SIGNATURE, self.node, l, |l| matching.signature(l))
    }

    fn matched_labels(&self, l: &Labels) -> Labels {
        self.matching.matched_labels(l)
    }

    fn result_metric(&mut self, many: &Labels, one: Option<&Labels>) -> Labels {
        let m = self.matching;
        if m.include.is_empty() || one.is_none() {
            self.ev.derive(derived::RESULT, self.node, many, |l| {
                result_metric(l, None, m)
            })
        } else {
            result_metric(many, one, m)
        }
    }
}

type LabelsSet = std::collections::HashSet<Labels, crate::series::BuildPrehashed>;

fn vector_and(l: Vec<Elem>, r: Vec<Elem>, m: &mut Matched<'_, '_, '_>) -> Vec<Elem> {
    if l.is_empty() || r.is_empty() {
        return Vec::new();
    }
    let right: LabelsSet = r.iter().map(|e| m.signature(&e.labels)).collect();
    l.into_iter()
        .filter(|e| right.contains(&m.signature(&e.labels)))
        .collect()
}

fn vector_or(l: Vec<Elem>, r: Vec<Elem>, m: &mut Matched<'_, '_, '_>) -> Vec<Elem> {
    if l.is_empty() {
        return r;
    }
    if r.is_empty() {
        return l;
    }
    let left: LabelsSet = l.iter().map(|e| m.signature(&e.labels)).collect();
    let mut out = l;
    out.extend(
        r.into_iter()
            .filter(|e| !left.contains(&m.signature(&e.labels))),
    );
    out
}

fn vector_unless(l: Vec<Elem>, r: Vec<Elem>, m: &mut Matched<'_, '_, '_>) -> Vec<Elem> {
    if l.is_empty() || r.is_empty() {
        return l;
    }
    let right: LabelsSet = r.iter().map(|e| m.signature(&e.labels)).collect();
    l.into_iter()
        .filter(|e| !right.contains(&m.signature(&e.labels)))
        .collect()
}

/// Arithmetic and comparison between two vectors, with one-to-one or
/// many-to-one / one-to-many matching (and the `fill` modifiers).
fn vector_binop(
    op: u16,
    lhs: Vec<Elem>,
    rhs: Vec<Elem>,
    m: &mut Matched<'_, '_, '_>,
    return_bool: bool,
    fill: Option<(Option<f64>, Option<f64>)>,
) -> Result<Vec<Elem>, QueryError> {
    let (fill_lhs, fill_rhs) = fill.unwrap_or((None, None));
    if (lhs.is_empty() || rhs.is_empty()) && fill_lhs.is_none() && fill_rhs.is_none() {
        return Ok(Vec::new());
    }
    let card = m.matching.card;
    let swapped = card == Card::OneToMany;
    // `many` is the side whose labels the result takes; `one` is matched by signature.
    // With group_right the sides swap, and so do the fill modifiers (as in
    // Prometheus: fill_left then fills the right operand and vice versa).
    let (many, one, fill_one, fill_many) = if swapped {
        (rhs, lhs, fill_rhs, fill_lhs)
    } else {
        (lhs, rhs, fill_rhs, fill_lhs)
    };
    let mut one_sigs: LabelsMap<Labels, usize> = LabelsMap::default();
    for (i, e) in one.iter().enumerate() {
        let sig = m.signature(&e.labels);
        if let Some(&j) = one_sigs.get(&sig) {
            let side = if swapped { "left" } else { "right" };
            return Err(execution(format!(
                "found duplicate series for the match group {} on the {side} hand-side of the operation: [{}, {}];many-to-many matching not allowed: matching labels must be unique on one side",
                labels::display(&m.matched_labels(&e.labels)),
                labels::display(&one[j].labels),
                labels::display(&e.labels)
            )));
        }
        one_sigs.insert(sig, i);
    }
    let mut matched: LabelsMap<Labels, Option<LabelsSet>> = LabelsMap::default();
    let mut used_one: Vec<bool> = vec![false; one.len()];
    let mut out = Vec::new();
    for e in &many {
        let sig = m.signature(&e.labels);
        let (one_value, one_labels) = match one_sigs.get(&sig) {
            Some(&j) => {
                used_one[j] = true;
                (one[j].value, Some(&one[j].labels))
            }
            None => match fill_one {
                Some(v) => (v, None),
                None => continue,
            },
        };
        let (l, r) = if swapped {
            (one_value, e.value)
        } else {
            (e.value, one_value)
        };
        let (mut value, keep) = apply_op(op, l, r);
        let metric = m.result_metric(&e.labels, one_labels);
        match matched.get_mut(&sig) {
            Some(inserted) => match (card, inserted) {
                (Card::OneToOne, _) | (_, None) => {
                    return Err(execution(
                        "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)",
                    ))
                }
                (_, Some(set)) => {
                    if !set.insert(metric.clone()) {
                        return Err(execution(
                            "multiple matches for labels: grouping labels must ensure unique matches",
                        ));
                    }
                }
            },
            None => {
                let entry = if card == Card::OneToOne {
                    None
                } else {
                    let mut set = LabelsSet::default();
                    set.insert(metric.clone());
                    Some(set)
                };
                matched.insert(sig, entry);
            }
        }
        if return_bool {
            value = if keep { 1.0 } else { 0.0 };
        } else if !keep {
            continue;
        }
        out.push(Elem {
            labels: metric,
            value,
            timestamp: e.timestamp,
            drop_name: e.drop_name || return_bool || drops_name(op),
        });
    }
    if let Some(fill_value) = fill_many {
        for (j, e) in one.iter().enumerate() {
            if used_one[j] {
                continue;
            }
            let (l, r) = if swapped {
                (e.value, fill_value)
            } else {
                (fill_value, e.value)
            };
            let (mut value, keep) = apply_op(op, l, r);
            if return_bool {
                value = if keep { 1.0 } else { 0.0 };
            } else if !keep {
                continue;
            }
            if is_comparison(op) && !return_bool {
                value = l;
            }
            // A series made up for the missing side has the match group's labels.
            out.push(Elem {
                labels: m.matched_labels(&e.labels),
                value,
                timestamp: e.timestamp,
                drop_name: false,
            });
        }
    }
    Ok(out)
}

fn result_metric(many: &Labels, one: Option<&Labels>, m: &Matching) -> Labels {
    let mut result = many.clone();
    if m.card == Card::OneToOne {
        result = if m.on {
            labels::keep(&result, &m.names)
        } else {
            labels::without(&result, &m.names)
        };
    }
    if let Some(one) = one {
        for name in &m.include {
            result = labels::with(&result, name, one.get(name).unwrap_or(""));
        }
    }
    result
}

/// Byte offset of the first call of `function` in `query` (its name).
pub(crate) fn find_call(query: &str, function: &str) -> Option<usize> {
    let bytes = query.as_bytes();
    let mut search = 0;
    while let Some(found) = query.get(search..).and_then(|s| s.find(function)) {
        let at = search + found;
        search = at + function.len();
        let before_ok = at == 0 || {
            let c = bytes[at - 1];
            !(c.is_ascii_alphanumeric() || c == b'_' || c == b':')
        };
        let mut i = at + function.len();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if before_ok && i < bytes.len() && bytes[i] == b'(' {
            return Some(at);
        }
    }
    None
}

/// Position `line:column` of the first call of `function` in `query`.
pub(crate) fn position_of_call(query: &str, function: &str) -> String {
    line_col(query, find_call(query, function).unwrap_or(0))
}

/// Position `line:column` of the `index`-th argument of the first call of
/// `function` in `query` (1:1 when not found).
pub(crate) fn position_of_arg(query: &str, function: &str, index: usize) -> String {
    let Some(at) = find_call(query, function) else {
        return "1:1".to_string();
    };
    let bytes = query.as_bytes();
    let mut i = at + function.len();
    while i < bytes.len() && bytes[i] != b'(' {
        i += 1;
    }
    i += 1;
    let mut arg = 0;
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    let mut arg_start = i;
    while i < bytes.len() && arg < index {
        let c = bytes[i];
        if let Some(q) = quote {
            if c == b'\\' {
                i += 1;
            } else if c == q {
                quote = None;
            }
        } else {
            match c {
                b'"' | b'\'' | b'`' => quote = Some(c),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                b',' if depth == 0 => {
                    arg += 1;
                    arg_start = i + 1;
                }
                _ => {}
            }
        }
        i += 1;
    }
    let mut s = arg_start.min(bytes.len());
    while s < bytes.len() && bytes[s].is_ascii_whitespace() {
        s += 1;
    }
    line_col(query, s)
}

fn line_col(query: &str, offset: usize) -> String {
    let before = query.get(..offset).unwrap_or(query);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    format!("{line}:{}", offset - line_start + 1)
}
