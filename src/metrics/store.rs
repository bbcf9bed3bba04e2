//! The series store: one ring buffer per series (bounded memory, O(1)
//! append), series interned by their label sets, samples in time order.
//! Timestamps are milliseconds, as in Prometheus.
//!
//! ```
//! use firedrill::metrics::store::{Labels, Store};
//! let mut store = Store::new(3);
//! let id = store.series_id(Labels::new(vec![("__name__".into(), "up".into()), ("service".into(), "api".into())]));
//! for t in 0..5 {
//!     store.append(id, t * 1000, t as f64);
//! }
//! let series = &store.series()[id.index()];
//! assert_eq!(series.timestamps().collect::<Vec<_>>(), vec![2000, 3000, 4000]);
//! assert_eq!(series.labels().get("service"), Some("api"));
//! ```

use std::collections::HashMap;
use std::sync::Arc;

/// A sorted set of label pairs, `__name__` included. Cheap to clone.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Labels(Arc<[(String, String)]>);

impl Labels {
    /// Labels from pairs; sorted by name, later duplicates of a name dropped.
    pub fn new(mut pairs: Vec<(String, String)>) -> Labels {
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.dedup_by(|a, b| a.0 == b.0);
        Labels(pairs.into())
    }

    /// The value of a label.
    pub fn get(&self, name: &str) -> Option<&str> {
        // Label sets are mostly small: a scan of equalities beats a binary
        // search of orderings there.
        if self.0.len() <= 8 {
            return self
                .0
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str());
        }
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()
            .map(|i| self.0[i].1.as_str())
    }

    /// The metric name (`__name__`), if any.
    pub fn metric_name(&self) -> Option<&str> {
        self.get("__name__")
    }

    /// The pairs, sorted by name.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

/// Handle of a series in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SeriesId(u32);

impl SeriesId {
    /// Position in [`Store::series`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One series: labels and a ring buffer of samples.
#[derive(Clone, Debug)]
pub struct Series {
    labels: Labels,
    timestamps: Vec<i64>,
    values: Vec<f64>,
    /// Index of the oldest sample once the buffer is full.
    head: usize,
    capacity: usize,
}

impl Series {
    /// Its labels.
    pub fn labels(&self) -> &Labels {
        &self.labels
    }

    /// Number of samples held.
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// Whether it holds no sample.
    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// The i-th oldest sample.
    pub fn sample(&self, i: usize) -> (i64, f64) {
        let j = (self.head + i) % self.timestamps.len().max(1);
        (self.timestamps[j], self.values[j])
    }

    /// Timestamps, oldest first.
    pub fn timestamps(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len()).map(move |i| self.sample(i).0)
    }

    /// Samples (timestamp ms, value), oldest first.
    pub fn samples(&self) -> impl Iterator<Item = (i64, f64)> + '_ {
        (0..self.len()).map(move |i| self.sample(i))
    }

    /// Index of the first sample with timestamp > `t` (binary search, after
    /// a look at the newest sample: queries mostly ask about now).
    pub fn partition_after(&self, t: i64) -> usize {
        let len = self.len();
        if len == 0 || self.sample(len - 1).0 <= t {
            return len;
        }
        let (mut lo, mut hi) = (0, len - 1);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.sample(mid).0 <= t {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    fn push(&mut self, t: i64, v: f64) {
        if self.timestamps.len() < self.capacity {
            self.timestamps.push(t);
            self.values.push(v);
        } else {
            self.timestamps[self.head] = t;
            self.values[self.head] = v;
            self.head = (self.head + 1) % self.capacity;
        }
    }
}

/// All series of an episode.
#[derive(Clone, Debug)]
pub struct Store {
    series: Vec<Series>,
    index: HashMap<Labels, SeriesId>,
    /// Series by metric name (`""` for none), each list sorted by labels.
    by_name: HashMap<String, Vec<SeriesId>>,
    capacity: usize,
}

impl Store {
    /// An empty store keeping at most `capacity_per_series` samples per series.
    pub fn new(capacity_per_series: usize) -> Store {
        Store {
            series: Vec::new(),
            index: HashMap::new(),
            by_name: HashMap::new(),
            capacity: capacity_per_series.max(1),
        }
    }

    /// The id of the series with these labels, creating it if new.
    pub fn series_id(&mut self, labels: Labels) -> SeriesId {
        if let Some(id) = self.index.get(&labels) {
            return *id;
        }
        let id = SeriesId(self.series.len() as u32);
        let named = self
            .by_name
            .entry(labels.metric_name().unwrap_or("").to_string())
            .or_default();
        let series = &self.series;
        let at = named.partition_point(|other| series[other.index()].labels < labels);
        named.insert(at, id);
        self.series.push(Series {
            labels: labels.clone(),
            timestamps: Vec::new(),
            values: Vec::new(),
            head: 0,
            capacity: self.capacity,
        });
        self.index.insert(labels, id);
        id
    }

    /// Appends a sample; timestamps must not go backwards (older ones are ignored).
    pub fn append(&mut self, id: SeriesId, timestamp_ms: i64, value: f64) {
        if let Some(series) = self.series.get_mut(id.index()) {
            if series.is_empty() || series.sample(series.len() - 1).0 < timestamp_ms {
                series.push(timestamp_ms, value);
            }
        }
    }

    /// The series whose metric name is `name` (`""`: the series without
    /// one), sorted by labels.
    ///
    /// ```
    /// use firedrill::metrics::store::{Labels, Store};
    /// let mut store = Store::new(8);
    /// for service in ["web", "api"] {
    ///     store.series_id(Labels::new(vec![("__name__".into(), "up".into()), ("service".into(), service.into())]));
    /// }
    /// let up: Vec<_> = store.named("up").iter().map(|id| store.series()[id.index()].labels().get("service")).collect();
    /// assert_eq!(up, [Some("api"), Some("web")]);
    /// assert!(store.named("down").is_empty());
    /// ```
    pub fn named(&self, name: &str) -> &[SeriesId] {
        self.by_name.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every series, in creation order.
    pub fn series(&self) -> &[Series] {
        &self.series
    }

    /// Samples per series kept at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}
