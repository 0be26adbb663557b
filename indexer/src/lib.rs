//! The indexes: a tantivy full-text index over jieba-segmented Chinese text,
//! and an hnsw_rs vector index over the models crate's embeddings.
//!
//! Owns: the schema, the jieba tokenizer, query parsing, building, persisting
//! and incrementally updating both indexes in generations.
//!
//! Does not own: ranking or fusion (ranker), the domain model or the store
//! (corpus), or the model itself (models). It is the only crate that knows
//! tantivy, jieba-rs and hnsw_rs.
