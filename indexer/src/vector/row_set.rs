/// A set of vector-index rows, one bit per row.
///
/// Filters are evaluated once per graph node visited, so membership must be
/// a shift and a mask rather than a hash lookup; and a set over the whole
/// corpus (all live rows of an incremental update) stays under a kilobyte
/// per 8,000 rows. The count is kept up to date so that the index can decide
/// between a graph walk and an exact scan without counting bits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowSet {
    words: Vec<u64>,
    len: usize,
}

impl RowSet {
    /// An empty set with room for rows `0..capacity` (it grows past that on
    /// insert).
    pub fn new(capacity: usize) -> Self {
        Self {
            words: vec![0; capacity.div_ceil(64)],
            len: 0,
        }
    }

    /// The set of `rows`; `capacity` is a sizing hint, normally the index
    /// length.
    pub fn from_rows(rows: impl IntoIterator<Item = u32>, capacity: usize) -> Self {
        let mut set = Self::new(capacity);
        for row in rows {
            set.insert(row);
        }
        set
    }

    /// Adds `row`; returns whether it was new.
    pub fn insert(&mut self, row: u32) -> bool {
        let (word, bit) = Self::position(row);
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        let fresh = self.words[word] & bit == 0;
        self.words[word] |= bit;
        self.len += usize::from(fresh);
        fresh
    }

    /// Removes `row`; returns whether it was there. Lets a caller start from
    /// all rows and strike out the deleted ones.
    pub fn remove(&mut self, row: u32) -> bool {
        let (word, bit) = Self::position(row);
        let Some(slot) = self.words.get_mut(word) else {
            return false;
        };
        let present = *slot & bit != 0;
        *slot &= !bit;
        self.len -= usize::from(present);
        present
    }

    pub fn contains(&self, row: u32) -> bool {
        let (word, bit) = Self::position(row);
        self.words.get(word).is_some_and(|w| w & bit != 0)
    }

    /// Number of rows in the set.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of rows in the set below `end`: how many rows of an index of
    /// `end` rows the set admits, by popcount rather than by iterating.
    pub(crate) fn count_below(&self, end: u32) -> usize {
        let (full, rest) = ((end / 64) as usize, end % 64);
        let whole: usize = self
            .words
            .iter()
            .take(full)
            .map(|w| w.count_ones() as usize)
            .sum();
        let partial = match self.words.get(full) {
            Some(word) if rest > 0 => (word & ((1u64 << rest) - 1)).count_ones() as usize,
            _ => 0,
        };
        whole + partial
    }

    /// The rows in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(index, &word)| {
            let base = (index as u32) * 64;
            BitIter(word).map(move |bit| base + bit)
        })
    }

    fn position(row: u32) -> (usize, u64) {
        ((row / 64) as usize, 1u64 << (row % 64))
    }
}

/// Positions of the set bits of one word, lowest first.
struct BitIter(u64);

impl Iterator for BitIter {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if self.0 == 0 {
            return None;
        }
        let bit = self.0.trailing_zeros();
        self.0 &= self.0 - 1;
        Some(bit)
    }
}

impl FromIterator<u32> for RowSet {
    fn from_iter<I: IntoIterator<Item = u32>>(rows: I) -> Self {
        Self::from_rows(rows, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_count_and_order() {
        let mut set = RowSet::from_rows([5, 64, 3, 200, 5], 100);
        assert_eq!(set.len(), 4);
        assert!(set.contains(64) && set.contains(200) && set.contains(3));
        assert!(!set.contains(4) && !set.contains(63) && !set.contains(100_000));
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![3, 5, 64, 200]);

        assert!(!set.insert(3));
        assert!(set.insert(u32::MAX));
        assert!(set.contains(u32::MAX));
        assert!(set.remove(64));
        assert!(!set.remove(64));
        assert!(!set.remove(1_000_000));
        assert_eq!(set.len(), 4);
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![3, 5, 200, u32::MAX]);
        assert_eq!(set.count_below(0), 0);
        assert_eq!(set.count_below(5), 1);
        assert_eq!(set.count_below(6), 2);
        assert_eq!(set.count_below(200), 2);
        assert_eq!(set.count_below(201), 3);
        assert_eq!(set.count_below(u32::MAX), 3);
    }

    #[test]
    fn empty_set() {
        let set = RowSet::new(1000);
        assert!(set.is_empty());
        assert_eq!(set.iter().count(), 0);
        assert!(!set.contains(0));
    }
}
