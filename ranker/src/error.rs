/// Everything that can go wrong ranking. Each variant names what was wrong:
/// a request field, a listing id, or the layer below that failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request value out of range or missing; `field` names it.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },

    /// A listing id that the current index does not hold.
    #[error("listing `{0}` is not in the index")]
    UnknownListing(String),

    /// The query text, read with its syntax, leaves nothing to search.
    #[error("query: {0}")]
    Query(String),

    #[error(transparent)]
    Index(indexer::Error),

    #[error(transparent)]
    Model(#[from] models::Error),

    /// The store failed (reading profiles and history, recording a push).
    #[error(transparent)]
    Store(#[from] corpus::Error),
}

impl From<indexer::Error> for Error {
    /// A query the indexer cannot run is the caller's input, not a fault
    /// of the index, so it keeps its own variant.
    fn from(e: indexer::Error) -> Self {
        match e {
            indexer::Error::Query(message) => Error::Query(message),
            other => Error::Index(other),
        }
    }
}

/// The result type of every fallible function in this crate.
pub type Result<T> = std::result::Result<T, Error>;
