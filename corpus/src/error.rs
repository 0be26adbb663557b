use std::path::PathBuf;

/// Everything that can go wrong in the corpus crate.
///
/// Each variant names what was wrong and where, so that a caller (the CLI or
/// the API) can show it as it is, or map it to a stable code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value failed a validation rule. `field` is the domain field name
    /// (for example `application_number`), `reason` says which rule failed.
    #[error("invalid {field}: {reason}")]
    Invalid { field: String, reason: String },

    /// An import was run with `strict` and at least one record was bad:
    /// nothing was written.
    #[error("strict import aborted, nothing written: {rejected} bad record(s), first at {first}")]
    StrictAbort {
        rejected: usize,
        first: Box<crate::Rejection>,
    },

    /// The official calendar does not cover a date we need to count across.
    #[error(
        "the official holiday calendar covers {} to {} only, so working days in {year} past that cannot be counted",
        crate::WorkCalendar::FIRST_COVERED_DAY,
        crate::WorkCalendar::LAST_COVERED_DAY
    )]
    CalendarUncovered { year: i32 },

    /// A change of terms that the 办法 does not allow.
    #[error("terms change refused: {0}")]
    TermsRefused(crate::TermsRefusal),

    /// A lifecycle action that does not fit the listing's current state.
    #[error("{0}")]
    Lifecycle(String),

    /// No record with that id.
    #[error("no {what} with id {id:?}")]
    NotFound { what: &'static str, id: String },

    /// The input could not be classified as any known source kind.
    #[error("{path}: cannot tell what kind of file this is ({reason}); pass --kind")]
    UnknownKind { path: PathBuf, reason: String },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("store: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("store: {0}")]
    Store(String),

    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

impl Error {
    /// Shorthand for a validation failure.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
