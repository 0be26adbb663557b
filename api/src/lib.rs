//! patmatch's outer layer: the `patmatch` binary and the HTTP service.
//!
//! Owns: the HTTP API ([`router`], [`serve`]): its endpoints, keys and
//! roles ([`Caller`]), the one table from failure to status and code
//! ([`ApiError::TABLE`]), limits, metrics and the OpenAPI document; how
//! the service follows writes with new index generations ([`AppState`]);
//! and, in the binary, the command line, settings resolution (defaults <
//! config file < env < flags), logging and progress display. It is the
//! only crate that knows axum, tower, utoipa, clap and indicatif.
//!
//! Does not own: any domain rule, storage, index or ranking logic. Those live
//! in corpus, indexer and ranker; this crate checks requests, asks them,
//! and shapes the answers.

mod error;
mod listing_enrichment;
mod server;

pub use error::{Error, Result};
pub use listing_enrichment::{embed_titles, listing_classifier};
pub use server::{
    fee_text, new_key, router, serve, shutdown_signal, ApiError, ApiResult, AppState, Backend,
    Caller, ErrorBody, ErrorKind, JobState, PushJob, ServerConfig, EXPORT_COLUMNS,
};
