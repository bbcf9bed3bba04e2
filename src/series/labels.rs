//! Label sets: sorted label pairs carrying a hash computed once, and the
//! hasher that reuses it (maps keyed by labels hash one number).

use std::collections::HashMap;
use std::sync::Arc;

/// A sorted set of label pairs, `__name__` included. Cheap to clone (one
/// reference count), and cheap to hash and compare: it carries a 64-bit
/// hash of its pairs, computed once, so hashing writes one number and
/// unequal sets mostly differ there (equal ones are compared in full).
#[derive(Clone)]
pub struct Labels(Arc<LabelSet>);

struct LabelSet {
    hash: u64,
    pairs: Vec<(String, String)>,
}

impl Labels {
    /// Labels from pairs; sorted by name, later duplicates of a name dropped.
    pub fn new(mut pairs: Vec<(String, String)>) -> Labels {
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.dedup_by(|a, b| a.0 == b.0);
        Labels::from_sorted(pairs)
    }

    /// Labels from pairs already sorted by name without repeated names.
    fn from_sorted(pairs: Vec<(String, String)>) -> Labels {
        // FNV-1a over names and values with separators, then a final mix.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut write = |bytes: &[u8], end: u8| {
            for b in bytes.iter().chain(std::iter::once(&end)) {
                hash ^= *b as u64;
                hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
            }
        };
        for (k, v) in &pairs {
            write(k.as_bytes(), 0xff);
            write(v.as_bytes(), 0xfe);
        }
        let mut mixed = hash;
        Labels(Arc::new(LabelSet {
            hash: crate::rng::splitmix64(&mut mixed),
            pairs,
        }))
    }

    /// The value of a label.
    pub fn get(&self, name: &str) -> Option<&str> {
        let pairs = &self.0.pairs;
        // Label sets are mostly small: a scan of equalities beats a binary
        // search of orderings there.
        if pairs.len() <= 8 {
            return pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str());
        }
        pairs
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()
            .map(|i| pairs[i].1.as_str())
    }

    /// The metric name (`__name__`), if any.
    pub fn metric_name(&self) -> Option<&str> {
        self.get("__name__")
    }

    /// The pairs, sorted by name.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0.pairs
    }

    /// The pairs for which `keep` says yes (a subset, so still sorted), and
    /// no pair with an empty value.
    pub fn filtered(&self, mut keep: impl FnMut(&str, &str) -> bool) -> Labels {
        Labels::from_sorted(
            self.pairs()
                .iter()
                .filter(|(k, v)| !v.is_empty() && keep(k, v))
                .cloned()
                .collect(),
        )
    }

    /// Whether both are the same shared label set (a pointer comparison:
    /// `false` says nothing).
    #[inline]
    pub fn ptr_eq(&self, other: &Labels) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The precomputed hash of the pairs (equal label sets have equal ones).
    pub fn hash_value(&self) -> u64 {
        self.0.hash
    }

    /// An address identifying this shared label set while it is alive.
    #[cfg(feature = "promql")]
    pub(crate) fn address(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }
}

impl PartialEq for Labels {
    #[inline]
    fn eq(&self, other: &Labels) -> bool {
        self.ptr_eq(other) || (self.0.hash == other.0.hash && self.0.pairs == other.0.pairs)
    }
}

impl Eq for Labels {}

impl std::hash::Hash for Labels {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.0.hash);
    }
}

impl PartialOrd for Labels {
    fn partial_cmp(&self, other: &Labels) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Labels {
    fn cmp(&self, other: &Labels) -> std::cmp::Ordering {
        if self.ptr_eq(other) {
            return std::cmp::Ordering::Equal;
        }
        self.0.pairs.cmp(&other.0.pairs)
    }
}

impl std::fmt::Debug for Labels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Labels").field(&self.0.pairs).finish()
    }
}

/// A hasher for keys that are already good hashes (a [`Labels`] writes its
/// precomputed hash; integers and pointers are mixed once).
#[derive(Clone, Copy, Debug, Default)]
pub struct PrehashedHasher(u64);

impl std::hash::Hasher for PrehashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ *b as u64).wrapping_mul(0x0000_0100_0000_01B3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        // Combine (for tuple keys), then mix.
        let mut x = self.0.rotate_left(29) ^ n;
        self.0 = crate::rng::splitmix64(&mut x);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(n as u64);
    }
}

/// Builds [`PrehashedHasher`]s.
pub type BuildPrehashed = std::hash::BuildHasherDefault<PrehashedHasher>;

/// A hash map keyed by [`Labels`] (or integers), with [`PrehashedHasher`].
pub type LabelsMap<K, V> = HashMap<K, V, BuildPrehashed>;
