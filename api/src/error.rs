use std::path::PathBuf;

/// What can stop the service from starting or the index from following
/// writes. Request failures are [`ApiError`](crate::ApiError)s instead.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] corpus::Error),

    #[error(transparent)]
    Index(#[from] indexer::Error),

    #[error(transparent)]
    Ranker(#[from] ranker::Error),

    #[error(transparent)]
    Model(#[from] models::Error),

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("binding {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },

    /// The index is not loaded yet, so it cannot be updated either.
    #[error("the index is not loaded yet")]
    NotReady,

    #[error("the metrics recorder: {0}")]
    Metrics(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
