use crate::{Fusion, Signal};
use indexer::{ListingCard, MatchedTerm, Snippet};
use serde::Serialize;

/// Why a hit scored what it did: each signal's score and rank among its
/// own candidates, and the fused score that ordered the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreDetails {
    /// BM25 and its rank; `None` when the listing was not a BM25 candidate.
    pub bm25: Option<Signal>,
    /// Cosine similarity and its rank; `None` when not a vector candidate.
    pub cosine: Option<Signal>,
    /// The score the hits are ordered by (after any profile IPC boost).
    pub fused: f32,
    /// How the signals were combined; `None` for a single-signal search.
    pub fusion: Option<Fusion>,
    /// True when a demand profile's preferred IPC prefix lifted the score.
    pub ipc_preferred: bool,
}

/// Why a hit matched, for people: the query terms found in it and where, a
/// highlighted snippet, and the filters it passed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub matched: Vec<MatchedTerm>,
    pub snippet: Option<Snippet>,
    pub filters: Vec<String>,
}

/// One ranked listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub id: String,
    /// 1-based position in the whole result list (not the page).
    pub rank: usize,
    pub card: ListingCard,
    pub score: ScoreDetails,
    /// Near-duplicates (same title and holder) folded into this hit.
    pub folded: Vec<String>,
    /// Kept under a budget filter although its fee is 面议 or not stated.
    pub fee_negotiable: bool,
    /// Present when the request asked to explain.
    pub explanation: Option<Explanation>,
}
