use std::path::PathBuf;

/// Everything that can go wrong building, opening or searching the indexes.
/// Each variant names what was wrong and where.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory of the index could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// tantivy failed; `context` says what we were doing.
    #[error("full-text index ({context}): {source}")]
    Tantivy {
        context: String,
        #[source]
        source: tantivy::TantivyError,
    },

    /// The vector index could not be built, saved or loaded.
    #[error("vector index: {0}")]
    Vectors(String),

    /// An index file exists but is not what this version writes or expects
    /// (another model, another schema, a damaged manifest).
    #[error("{path}: {reason}")]
    Incompatible { path: PathBuf, reason: String },

    /// No generation has been built in this index directory yet.
    #[error("no index in {dir} yet (run `patmatch index`)")]
    NoIndex { dir: PathBuf },

    /// Another process is building in this index directory.
    #[error("{dir} is locked by another build ({holder})")]
    Locked { dir: PathBuf, holder: String },

    /// A listing's stored document in the full-text index cannot be
    /// written or read back (its card is missing or unreadable).
    #[error("full-text index, listing {id}: {reason}")]
    Document { id: String, reason: String },

    /// A query that cannot be run: empty, or malformed (an unclosed quote).
    #[error("query: {0}")]
    Query(String),

    /// A user dictionary line that cannot be read.
    #[error("user dictionary line {line}: {reason}")]
    Dictionary { line: usize, reason: String },

    /// The embedding cache (SQLite) failed.
    #[error("embedding cache: {0}")]
    Cache(#[from] rusqlite::Error),

    #[error(transparent)]
    Corpus(#[from] corpus::Error),

    #[error(transparent)]
    Model(#[from] models::Error),

    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Error::Io { path, source }
    }

    pub(crate) fn tantivy(
        context: impl Into<String>,
    ) -> impl FnOnce(tantivy::TantivyError) -> Self {
        let context = context.into();
        move |source| Error::Tantivy { context, source }
    }
}
