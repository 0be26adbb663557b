//! Ranking: which listings, in what order, and why.
//!
//! Owns: fusing BM25 and vector candidates ([`Fusion`]), search with
//! filters applied before top-k, paging, folding of near-duplicates,
//! facets, per-hit score details and explanations, similar listings and
//! recommendation from examples ([`Ranker`]).
//!
//! Does not own: the indexes, tokenisation and snippets (indexer), the
//! embedding model (models), or HTTP (api).

mod classify;
mod error;
mod facets;
mod fusion;
mod hit;
mod profile_query;
mod push;
mod query_cache;
mod ranker;
mod ranker_config;
mod retrieval;
mod search_request;
mod search_response;

pub use classify::{
    classify_holder, derive_region, read_declared_modes, read_modes, HolderClass,
    ListingClassifier, ModeReading, Region,
};
pub use classify::{
    embed_titles_cached, tune_ipc_classifier, IpcCalibrationBin, IpcClassifier,
    IpcClassifierConfig, IpcExample, IpcFoldScores, IpcLinearTraining, IpcSuggestion,
    IpcSuggestions, IpcTuning, IpcTuningGrid, TitleEmbedding,
};
pub use error::{Error, Result};
pub use facets::Facets;
pub use fusion::{FusedHit, Fusion, Signal, RRF_K};
pub use hit::{Explanation, Hit, ScoreDetails};
pub use push::{ProfilePush, PushConfig, PushProgress, PushReport, Pusher, REPUSH_REASON};
pub use ranker::Ranker;
pub use ranker_config::RankerConfig;
pub use retrieval::Retrieval;
pub use search_request::{RecommendRequest, SearchRequest, SimilarRequest};
pub use search_response::SearchResponse;
