use std::path::PathBuf;

/// Everything that can go wrong reading evaluation files or running the
/// engine. Each variant names the file, and where it can, the line and field.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A line of an input file is malformed.
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        /// 1-based.
        line: usize,
        message: String,
    },

    /// A variant name that is not one of the known variants.
    #[error(
        "unknown variant `{0}` (expected bm25, dense, rrf, rrf:K or convex:W with 0 <= W <= 1)"
    )]
    Variant(String),

    /// Inputs that parse but do not fit together (a run against the wrong
    /// qrels, no query left to evaluate).
    #[error("{0}")]
    Mismatch(String),

    /// The indexes failed.
    #[error(transparent)]
    Index(#[from] indexer::Error),

    /// The embedding model failed.
    #[error(transparent)]
    Model(#[from] models::Error),

    /// The ranker refused or failed a search.
    #[error(transparent)]
    Rank(#[from] ranker::Error),
}

/// The result type of every fallible function in this crate.
pub type Result<T> = std::result::Result<T, Error>;
