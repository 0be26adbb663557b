//! The vector half of the index: an HNSW graph over the model's passage
//! embeddings with an exact fallback, its persistence, and the cache that
//! keeps the embeddings themselves from being paid for twice.
//!
//! Rows are plain `u32` positions; mapping them to listings, and deciding
//! which rows are live, belongs to the caller (the generation code), so that
//! this module knows vectors and nothing about patents.

mod embedding_cache;
mod hnsw_params;
mod row_set;
mod text_hash;
mod vector_index;

pub use embedding_cache::{embed_passages_cached, CacheStats, EmbeddingCache};
pub use hnsw_params::HnswParams;
pub use row_set::RowSet;
pub use text_hash::TextHash;
pub use vector_index::{dot, VectorHit, VectorIndex};
