//! The indexes: a tantivy full-text index over jieba-segmented Chinese text,
//! and an hnsw_rs vector index over the models crate's embeddings.
//!
//! Owns: the schema, the jieba tokenizer, query parsing, building, persisting
//! and incrementally updating both indexes in generations.
//!
//! Does not own: ranking or fusion (ranker), the domain model or the store
//! (corpus), or the model itself (models). It is the only crate that knows
//! tantivy, jieba-rs and hnsw_rs.

mod build_progress;
mod config;
mod enrichment;
mod error;
mod filter;
mod generation;
mod index_builder;
mod indexed_listing;
mod listing_card;
mod passage;
mod snapshot;
mod text;
mod vector;

pub use build_progress::BuildProgress;
pub use config::IndexConfig;
pub use enrichment::{Enricher, Enrichment};
pub use error::{Error, Result};
pub use filter::Filter;
pub use generation::Manifest;
pub use index_builder::{build_index, build_index_with, BuildMode, BuildReport};
pub use listing_card::ListingCard;
pub use passage::passage_text;
pub use snapshot::{current_generation, NearestHit, Snapshot, TextHit, TextResults};
pub use text::{
    register_tokenizer, JiebaTokenizer, QueryBuilder, QueryPlan, QuerySyntax, Segmenter,
    BOILERPLATE, TOKENIZER_NAME,
};
pub use text::{LexicalBatch, QueryTerms};
pub use text::{MatchedTerm, Snippet, TextExplanation};
pub use vector::{
    dot, embed_passages_cached, CacheStats, EmbeddingCache, HnswParams, RowSet, TextHash,
    VectorHit, VectorIndex,
};
