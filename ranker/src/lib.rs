//! Ranking: which listings, in what order, and why.
//!
//! Owns: fusing BM25 and vector candidates, filters, score explanations,
//! similar listings, recommendation from examples, classification of
//! listings, and the daily precision push to demand profiles.
//!
//! Does not own: the indexes (indexer) or HTTP (api).

mod fusion;

pub use fusion::{FusedHit, Fusion, Signal};
