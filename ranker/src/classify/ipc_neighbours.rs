//! The memory half of the IPC classifier: the training titles' embeddings
//! and subclasses, voted on by the nearest titles.

use super::ipc_classifier::keep_top;
use indexer::dot;
use serde::{Deserialize, Serialize};

/// Training title embeddings (L2-normalised, as the model returns them)
/// with their subclass indices, searched exactly: ten thousand 384-float
/// vectors take about a millisecond to scan, so an approximate index would
/// buy nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct IpcNeighbours {
    pub(crate) dims: usize,
    /// Row-major, one row per title; saved as binary, not in the JSON
    /// header.
    #[serde(skip)]
    pub(crate) vectors: Vec<f32>,
    pub(crate) labels: Vec<Vec<u32>>,
}

impl IpcNeighbours {
    pub fn new(dims: usize, vectors: Vec<f32>, labels: Vec<Vec<u32>>) -> Self {
        Self {
            dims,
            vectors,
            labels,
        }
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The `k` most similar titles as (row, cosine), most similar first;
    /// ties go to the earlier row, so results are repeatable.
    pub fn nearest(&self, query: &[f32], k: usize) -> Vec<(usize, f32)> {
        nearest_among(&self.vectors, self.dims, query, k, |_| true)
    }

    /// The subclass indices of a training row.
    pub fn labels(&self, row: usize) -> &[u32] {
        self.labels.get(row).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// The `k` rows of `vectors` (row-major, `dims` wide) most similar to
/// `query` among those `keep` accepts, most similar first.
pub(crate) fn nearest_among(
    vectors: &[f32],
    dims: usize,
    query: &[f32],
    k: usize,
    keep: impl Fn(usize) -> bool,
) -> Vec<(usize, f32)> {
    if k == 0 || dims == 0 {
        return Vec::new();
    }
    let mut best: Vec<(usize, f32)> = Vec::with_capacity(k + 1);
    for (row, vector) in vectors.chunks_exact(dims).enumerate() {
        if !keep(row) {
            continue;
        }
        keep_top(&mut best, k, (row, dot(vector, query)));
    }
    best
}

/// Votes of `neighbours` (row, cosine; most similar first, at least `k`)
/// for each of `classes` subclasses: the share of the softmax weight
/// `exp(sharpness · cosine)` over the first `k` that carries each subclass.
/// A share is in [0, 1]; a title's subclasses each get its full weight.
///
/// Exponential rather than power weights because e5 cosines between
/// titles sit in a narrow band (0.80–0.95), where `cos^p` hardly tells the
/// closest from the tenth: alone, the votes scored inner micro-F1 0.404
/// with the best power and 0.411 with the best sharpness.
pub(crate) fn vote<'a>(
    neighbours: &[(usize, f32)],
    labels: &dyn Fn(usize) -> &'a [u32],
    k: usize,
    sharpness: f32,
    classes: usize,
) -> Vec<f32> {
    let mut out = vec![0.0f32; classes];
    let used = &neighbours[..k.min(neighbours.len())];
    let Some(&(_, top)) = used.first() else {
        return out;
    };
    let mut total = 0.0f32;
    for &(row, sim) in used {
        // Relative to the top, so exp cannot overflow.
        let w = (sharpness * (sim - top)).exp();
        total += w;
        for &c in labels(row) {
            if let Some(o) = out.get_mut(c as usize) {
                *o += w;
            }
        }
    }
    if total > 0.0 {
        for o in &mut out {
            *o /= total;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn nearest_orders_and_filters() {
        let vectors = [1.0, 0.0, 0.6, 0.8, 0.0, 1.0, 0.8, 0.6];
        let got = nearest_among(&vectors, 2, &[1.0, 0.0], 2, |_| true);
        assert_eq!(got.iter().map(|h| h.0).collect::<Vec<_>>(), [0, 3]);
        let got = nearest_among(&vectors, 2, &[1.0, 0.0], 2, |row| row != 0);
        assert_eq!(got.iter().map(|h| h.0).collect::<Vec<_>>(), [3, 1]);
    }

    #[test]
    fn votes_are_shares() {
        let labels: Vec<Vec<u32>> = vec![vec![0], vec![0, 1], vec![2]];
        let lookup = |row: usize| labels[row].as_slice();
        let neighbours = [(0, 0.9), (1, 0.9), (2, 0.9)];
        let v = vote(&neighbours, &lookup, 3, 10.0, 3);
        let third = 1.0 / 3.0;
        assert!((v[0] - 2.0 * third).abs() < 1e-6);
        assert!((v[1] - third).abs() < 1e-6 && (v[2] - third).abs() < 1e-6);
        // Only the first k count.
        let v = vote(&neighbours, &lookup, 1, 10.0, 3);
        assert_eq!(v, [1.0, 0.0, 0.0]);
    }
}
