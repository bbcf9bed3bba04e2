//! The series store: bounded memory per series (a ring buffer), series
//! interned by their label sets, samples in time order. Timestamps are
//! milliseconds, as in Prometheus.
//!
//! Two layouts share one interface ([`Series`]):
//!
//! - **ring series**, made by [`Store::series_id`] and filled one sample at a
//!   time by [`Store::append`], each with its own timestamps;
//! - **columns**, made by [`Store::with_columns`]: series scraped together,
//!   one row of values per scrape sharing one timestamp
//!   ([`Store::append_row`]), flat row-major arrays with no per-series
//!   allocation. [`Store::freeze`] turns the rows so far into an immutable
//!   shared block, so that clones of the store (every episode of a scenario
//!   starts from the same baseline history) share them instead of copying.
//!
//! Cloning a store copies its label index by reference (`Arc`) too; the
//! first new series added to a clone copies it.
//!
//! ```
//! use firedrill::series::{Labels, Store};
//! let mut store = Store::new(3);
//! let id = store.series_id(Labels::new(vec![("__name__".into(), "up".into()), ("service".into(), "api".into())]));
//! for t in 0..5 {
//!     store.append(id, t * 1000, t as f64);
//! }
//! let series = store.get(id).unwrap();
//! assert_eq!(series.timestamps().collect::<Vec<_>>(), vec![2000, 3000, 4000]);
//! assert_eq!(series.labels().get("service"), Some("api"));
//! ```

use super::labels::{Labels, LabelsMap};
use std::collections::HashMap;
use std::sync::Arc;

/// Handle of a series in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SeriesId(u32);

impl SeriesId {
    /// Position in [`Store::series`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Where a series keeps its samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// Its own ring buffer, `rings[i]`.
    Ring(u32),
    /// Column `i` of the rows.
    Column(u32),
}

/// The label index of a store: shared by its clones.
#[derive(Clone, Debug, Default)]
struct Schema {
    labels: Vec<Labels>,
    slots: Vec<Slot>,
    index: LabelsMap<Labels, SeriesId>,
    /// Series by metric name (`""` for none), each list sorted by labels.
    by_name: HashMap<String, Vec<SeriesId>>,
    /// Number of columns (the width of a row).
    columns: usize,
}

/// A ring buffer of samples.
#[derive(Clone, Debug, Default)]
struct Ring {
    timestamps: Vec<i64>,
    values: Vec<f64>,
    /// Index of the oldest sample once the buffer is full.
    head: usize,
}

impl Ring {
    #[inline]
    fn len(&self) -> usize {
        self.timestamps.len()
    }

    #[inline]
    fn sample(&self, i: usize) -> (i64, f64) {
        let mut j = self.head + i;
        if j >= self.timestamps.len() {
            j -= self.timestamps.len();
        }
        (self.timestamps[j], self.values[j])
    }

    fn push(&mut self, capacity: usize, t: i64, v: f64) {
        if self.timestamps.len() < capacity {
            self.timestamps.push(t);
            self.values.push(v);
        } else {
            self.timestamps[self.head] = t;
            self.values[self.head] = v;
            self.head = (self.head + 1) % capacity;
        }
    }
}

/// Rows of column values: one timestamp per row, values row-major.
#[derive(Clone, Debug, Default)]
struct Rows {
    timestamps: Vec<i64>,
    values: Vec<f64>,
}

/// The columns' samples: a shared frozen block, then the rows appended
/// since, minus the oldest `skip` rows (dropped when over capacity).
#[derive(Clone, Debug, Default)]
struct Block {
    frozen: Arc<Rows>,
    live: Rows,
    skip: usize,
}

impl Block {
    #[inline]
    fn len(&self) -> usize {
        self.frozen.timestamps.len() + self.live.timestamps.len() - self.skip
    }

    fn last_timestamp(&self) -> Option<i64> {
        self.live
            .timestamps
            .last()
            .or(self.frozen.timestamps.last())
            .copied()
            .filter(|_| self.len() > 0)
    }

    #[inline]
    fn timestamp(&self, i: usize) -> i64 {
        let row = self.skip + i;
        let frozen = self.frozen.timestamps.len();
        if row < frozen {
            self.frozen.timestamps[row]
        } else {
            self.live.timestamps[row - frozen]
        }
    }

    #[inline]
    fn value(&self, i: usize, column: usize, width: usize) -> f64 {
        let row = self.skip + i;
        let frozen = self.frozen.timestamps.len();
        if row < frozen {
            self.frozen.values[row * width + column]
        } else {
            self.live.values[(row - frozen) * width + column]
        }
    }

    /// Drops the oldest row; keeps memory bounded by compacting now and then.
    fn drop_oldest(&mut self, width: usize) {
        self.skip += 1;
        let frozen = self.frozen.timestamps.len();
        if frozen > 0 && self.skip >= frozen {
            self.frozen = Arc::default();
            self.skip -= frozen;
        }
        if self.frozen.timestamps.is_empty() && self.skip * 2 >= self.live.timestamps.len() {
            self.live.timestamps.drain(..self.skip);
            self.live.values.drain(..self.skip * width);
            self.skip = 0;
        }
    }
}

/// All series of an episode.
#[derive(Clone, Debug)]
pub struct Store {
    schema: Arc<Schema>,
    rings: Vec<Ring>,
    block: Block,
    capacity: usize,
}

/// One series of a [`Store`]: its labels and samples, oldest first. A view
/// (cheap to copy) borrowed from the store.
#[derive(Clone, Copy, Debug)]
pub struct Series<'a> {
    labels: &'a Labels,
    data: Data<'a>,
}

#[derive(Clone, Copy, Debug)]
enum Data<'a> {
    Ring(&'a Ring),
    Column {
        block: &'a Block,
        column: usize,
        width: usize,
    },
}

impl<'a> Series<'a> {
    /// Its labels.
    #[inline]
    pub fn labels(&self) -> &'a Labels {
        self.labels
    }

    /// Number of samples held.
    #[inline]
    pub fn len(&self) -> usize {
        match self.data {
            Data::Ring(ring) => ring.len(),
            Data::Column { block, .. } => block.len(),
        }
    }

    /// Whether it holds no sample.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The i-th oldest sample (`i < len()`).
    #[inline]
    pub fn sample(&self, i: usize) -> (i64, f64) {
        match self.data {
            Data::Ring(ring) => ring.sample(i),
            Data::Column {
                block,
                column,
                width,
            } => (block.timestamp(i), block.value(i, column, width)),
        }
    }

    /// The i-th oldest timestamp (`i < len()`).
    #[inline]
    fn timestamp(&self, i: usize) -> i64 {
        match self.data {
            Data::Ring(ring) => ring.sample(i).0,
            Data::Column { block, .. } => block.timestamp(i),
        }
    }

    /// The newest sample, if any.
    pub fn last(&self) -> Option<(i64, f64)> {
        let len = self.len();
        (len > 0).then(|| self.sample(len - 1))
    }

    /// Timestamps, oldest first.
    pub fn timestamps(self) -> impl Iterator<Item = i64> + 'a {
        (0..self.len()).map(move |i| self.timestamp(i))
    }

    /// Samples (timestamp ms, value), oldest first.
    pub fn samples(self) -> impl Iterator<Item = (i64, f64)> + 'a {
        (0..self.len()).map(move |i| self.sample(i))
    }

    /// For a column, an identity shared by every column of its store (they
    /// have the same timestamps, so the same [`Series::partition_after`]);
    /// `None` for a ring series.
    pub fn shared_timestamps(&self) -> Option<usize> {
        match self.data {
            Data::Ring(_) => None,
            Data::Column { block, .. } => Some(block as *const Block as usize),
        }
    }

    /// Appends samples `from..to` (indices, oldest first) to `out`, skipping
    /// those for which `skip` says yes.
    pub fn extend_samples(
        &self,
        from: usize,
        to: usize,
        out: &mut Vec<(i64, f64)>,
        skip: impl Fn(f64) -> bool,
    ) {
        let to = to.min(self.len());
        if from >= to {
            return;
        }
        match self.data {
            Data::Ring(ring) => out.extend(
                (from..to)
                    .map(|i| ring.sample(i))
                    .filter(|(_, v)| !skip(*v)),
            ),
            Data::Column {
                block,
                column,
                width,
            } => {
                let frozen = block.frozen.timestamps.len();
                let (first, last) = (block.skip + from, block.skip + to);
                // Rows in the frozen block, then the live ones.
                for row in first..last.min(frozen) {
                    let v = block.frozen.values[row * width + column];
                    if !skip(v) {
                        out.push((block.frozen.timestamps[row], v));
                    }
                }
                for row in first.max(frozen)..last {
                    let r = row - frozen;
                    let v = block.live.values[r * width + column];
                    if !skip(v) {
                        out.push((block.live.timestamps[r], v));
                    }
                }
            }
        }
    }

    /// Index of the first sample with timestamp > `t` (binary search, after
    /// a look at the newest sample: queries mostly ask about now).
    pub fn partition_after(&self, t: i64) -> usize {
        let len = self.len();
        if len == 0 || self.timestamp(len - 1) <= t {
            return len;
        }
        let (mut lo, mut hi) = (0, len - 1);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.timestamp(mid) <= t {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

/// The series of a [`Store`], in creation order: [`Store::series`].
#[derive(Clone, Copy, Debug)]
pub struct SeriesList<'a> {
    store: &'a Store,
}

impl<'a> SeriesList<'a> {
    /// Number of series.
    pub fn len(&self) -> usize {
        self.store.schema.labels.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The series at position `index`.
    pub fn get(&self, index: usize) -> Option<Series<'a>> {
        (index < self.len()).then(|| self.store.view(index))
    }

    /// Every series, in creation order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Series<'a>> + 'a {
        let store = self.store;
        (0..self.len()).map(move |i| store.view(i))
    }
}

impl Store {
    /// An empty store keeping at most `capacity_per_series` samples per series.
    pub fn new(capacity_per_series: usize) -> Store {
        Store {
            schema: Arc::default(),
            rings: Vec::new(),
            block: Block::default(),
            capacity: capacity_per_series.max(1),
        }
    }

    /// A store whose first series are the columns `labels`, filled a row at
    /// a time by [`Store::append_row`] (more series can be added with
    /// [`Store::series_id`]). Returns the id of each column; a repeated label
    /// set gets the id of its first column (and its own values are ignored).
    ///
    /// ```
    /// use firedrill::series::{Labels, Store};
    /// let up = |s: &str| Labels::new(vec![("__name__".into(), "up".into()), ("service".into(), s.into())]);
    /// let (mut store, ids) = Store::with_columns(100, vec![up("web"), up("api")]);
    /// assert!(store.append_row(30_000, &[1.0, 0.0]));
    /// assert!(!store.append_row(30_000, &[1.0, 1.0]), "time must move forward");
    /// let template = { store.freeze(); store.clone() };
    /// store.append_row(60_000, &[1.0, 1.0]);
    /// assert_eq!(store.get(ids[1]).unwrap().samples().collect::<Vec<_>>(), [(30_000, 0.0), (60_000, 1.0)]);
    /// assert_eq!(template.get(ids[1]).unwrap().len(), 1);
    /// ```
    pub fn with_columns(capacity_per_series: usize, labels: Vec<Labels>) -> (Store, Vec<SeriesId>) {
        let mut store = Store::new(capacity_per_series);
        let schema = Arc::make_mut(&mut store.schema);
        schema.columns = labels.len();
        let ids = labels
            .into_iter()
            .enumerate()
            .map(|(column, labels)| schema.insert(labels, Slot::Column(column as u32)))
            .collect();
        (store, ids)
    }

    /// The id of the series with these labels, creating it if new (a ring
    /// series).
    pub fn series_id(&mut self, labels: Labels) -> SeriesId {
        if let Some(id) = self.schema.index.get(&labels) {
            return *id;
        }
        let ring = self.rings.len() as u32;
        self.rings.push(Ring::default());
        Arc::make_mut(&mut self.schema).insert(labels, Slot::Ring(ring))
    }

    /// The id of the series with these labels, if there is one.
    pub fn find(&self, labels: &Labels) -> Option<SeriesId> {
        self.schema.index.get(labels).copied()
    }

    /// Appends a sample to a ring series; timestamps must not go backwards
    /// (older ones are ignored), and columns take whole rows instead
    /// ([`Store::append_row`]).
    pub fn append(&mut self, id: SeriesId, timestamp_ms: i64, value: f64) {
        let Some(Slot::Ring(ring)) = self.schema.slots.get(id.index()).copied() else {
            return;
        };
        let capacity = self.capacity;
        if let Some(ring) = self.rings.get_mut(ring as usize) {
            if ring.len() == 0 || ring.sample(ring.len() - 1).0 < timestamp_ms {
                ring.push(capacity, timestamp_ms, value);
            }
        }
    }

    /// Appends one sample to every column at `timestamp_ms`: `values[i]` to
    /// column `i`. Returns false (and stores nothing) if the number of
    /// values is not the number of columns or the time does not move forward.
    pub fn append_row(&mut self, timestamp_ms: i64, values: &[f64]) -> bool {
        let width = self.schema.columns;
        if values.len() != width
            || self
                .block
                .last_timestamp()
                .is_some_and(|last| last >= timestamp_ms)
        {
            return false;
        }
        self.block.live.timestamps.push(timestamp_ms);
        self.block.live.values.extend_from_slice(values);
        if self.block.len() > self.capacity {
            self.block.drop_oldest(width);
        }
        true
    }

    /// Overwrites the newest row's values of the columns from `first`
    /// with `values` (columns computed from the others of the same row,
    /// such as recording rules). Returns false (and changes nothing) when
    /// there is no row since the last [`Store::freeze`] or the columns are
    /// out of range.
    pub fn update_last_row(&mut self, first: usize, values: &[f64]) -> bool {
        let width = self.schema.columns;
        let live = &mut self.block.live;
        let rows = live.timestamps.len();
        if rows == 0 || first + values.len() > width {
            return false;
        }
        let start = (rows - 1) * width + first;
        live.values[start..start + values.len()].copy_from_slice(values);
        true
    }

    /// Reserves room for `rows` more rows of the columns, so that appending
    /// them allocates nothing.
    pub fn reserve_rows(&mut self, rows: usize) {
        self.block.live.timestamps.reserve(rows);
        self.block.live.values.reserve(rows * self.schema.columns);
    }

    /// Makes the columns' rows so far an immutable block shared by the
    /// clones of this store (made after this call): cloning then copies no
    /// sample of them.
    pub fn freeze(&mut self) {
        let block = &mut self.block;
        if block.live.timestamps.is_empty() && block.skip == 0 {
            return;
        }
        let width = self.schema.columns;
        let mut rows = Rows::default();
        let (skip, frozen) = (block.skip, &block.frozen);
        let frozen_len = frozen.timestamps.len();
        rows.timestamps
            .extend_from_slice(frozen.timestamps.get(skip.min(frozen_len)..).unwrap_or(&[]));
        rows.values.extend_from_slice(
            frozen
                .values
                .get((skip.min(frozen_len) * width)..)
                .unwrap_or(&[]),
        );
        let live_skip = skip.saturating_sub(frozen_len);
        rows.timestamps
            .extend_from_slice(&block.live.timestamps[live_skip..]);
        rows.values
            .extend_from_slice(&block.live.values[live_skip * width..]);
        *block = Block {
            frozen: Arc::new(rows),
            live: Rows::default(),
            skip: 0,
        };
    }

    /// The series `id`, if it exists.
    #[inline]
    pub fn get(&self, id: SeriesId) -> Option<Series<'_>> {
        self.series().get(id.index())
    }

    /// The series at `index` (which must exist).
    #[inline]
    pub(crate) fn view(&self, index: usize) -> Series<'_> {
        let data = match self.schema.slots[index] {
            Slot::Ring(ring) => Data::Ring(&self.rings[ring as usize]),
            Slot::Column(column) => Data::Column {
                block: &self.block,
                column: column as usize,
                width: self.schema.columns,
            },
        };
        Series {
            labels: &self.schema.labels[index],
            data,
        }
    }

    /// The series whose metric name is `name` (`""`: the series without
    /// one), sorted by labels.
    ///
    /// ```
    /// use firedrill::series::{Labels, Store};
    /// let mut store = Store::new(8);
    /// for service in ["web", "api"] {
    ///     store.series_id(Labels::new(vec![("__name__".into(), "up".into()), ("service".into(), service.into())]));
    /// }
    /// let up: Vec<_> = store.named("up").iter().map(|id| store.get(*id).unwrap().labels().get("service")).collect();
    /// assert_eq!(up, [Some("api"), Some("web")]);
    /// assert!(store.named("down").is_empty());
    /// ```
    pub fn named(&self, name: &str) -> &[SeriesId] {
        self.schema
            .by_name
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every series, in creation order.
    pub fn series(&self) -> SeriesList<'_> {
        SeriesList { store: self }
    }

    /// Samples per series kept at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

impl Schema {
    fn insert(&mut self, labels: Labels, slot: Slot) -> SeriesId {
        if let Some(id) = self.index.get(&labels) {
            return *id;
        }
        let id = SeriesId(self.labels.len() as u32);
        let named = self
            .by_name
            .entry(labels.metric_name().unwrap_or("").to_string())
            .or_default();
        let all = &self.labels;
        let at = named.partition_point(|other| all[other.index()] < labels);
        named.insert(at, id);
        self.labels.push(labels.clone());
        self.slots.push(slot);
        self.index.insert(labels, id);
        id
    }
}

/// The bit pattern Prometheus uses for staleness markers.
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// A staleness marker: the value stored when a series ends.
pub fn stale_nan() -> f64 {
    f64::from_bits(STALE_NAN_BITS)
}

/// Whether `v` is a staleness marker (not any NaN: exactly that bit pattern).
pub fn is_stale_nan(v: f64) -> bool {
    v.to_bits() == STALE_NAN_BITS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(name: &str, service: &str) -> Labels {
        Labels::new(vec![
            ("__name__".into(), name.into()),
            ("service".into(), service.into()),
        ])
    }

    #[test]
    fn columns_drop_their_oldest_rows_beyond_capacity_across_a_freeze() {
        let (mut store, ids) = Store::with_columns(3, vec![labels("a", "x"), labels("b", "x")]);
        for t in 0..2 {
            assert!(store.append_row(t, &[t as f64, -(t as f64)]));
        }
        store.freeze();
        let template = store.clone();
        for t in 2..7 {
            assert!(store.append_row(t, &[t as f64, -(t as f64)]));
            let a: Vec<_> = store.get(ids[0]).unwrap().samples().collect();
            let expected: Vec<_> = (t.saturating_sub(2)..=t).map(|t| (t, t as f64)).collect();
            assert_eq!(a, expected);
        }
        let b = store.get(ids[1]).unwrap();
        assert_eq!(
            b.samples().collect::<Vec<_>>(),
            [(4, -4.0), (5, -5.0), (6, -6.0)]
        );
        assert_eq!(b.partition_after(4), 1);
        assert_eq!(b.last(), Some((6, -6.0)));
        assert_eq!(
            template.get(ids[1]).unwrap().len(),
            2,
            "the template is untouched"
        );
        store.freeze();
        assert_eq!(
            store.get(ids[0]).unwrap().timestamps().collect::<Vec<_>>(),
            [4, 5, 6]
        );
        assert!(!store.append_row(7, &[1.0]), "a row of the wrong width");
    }

    #[test]
    fn a_clone_adding_a_series_leaves_the_original_alone() {
        let (mut store, _) = Store::with_columns(8, vec![labels("a", "x")]);
        store.append_row(1, &[1.0]);
        store.freeze();
        let mut clone = store.clone();
        let id = clone.series_id(labels("ALERTS", "x"));
        clone.append(id, 5, 1.0);
        assert_eq!(clone.series().len(), 2);
        assert_eq!(store.series().len(), 1);
        assert_eq!(clone.named("ALERTS"), [id]);
        assert!(store.named("ALERTS").is_empty());
        assert_eq!(clone.find(&labels("a", "x")).map(SeriesId::index), Some(0));
        // A column takes no single samples.
        clone.append(SeriesId(0), 9, 2.0);
        assert_eq!(clone.get(SeriesId(0)).unwrap().len(), 1);
    }
}
