use crate::Retrieval;
use corpus::DemandProfile;
use indexer::{Filter, QuerySyntax};
use std::collections::HashSet;

/// One search: what is sought, under which restrictions, which page.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// What the user typed or the demand's statement. May be empty when a
    /// profile is given.
    pub text: String,
    /// A demand profile whose title, text and keywords join the query and
    /// whose preferred IPC prefixes lift matching listings. Its modes and
    /// budget are not applied here: the caller decides whether they are
    /// hard filters (the push applies them).
    pub profile: Option<DemandProfile>,
    /// Applied before top-k in both signals.
    pub filter: Filter,
    /// Operators for a search box; plain for prose (profiles force plain).
    pub syntax: QuerySyntax,
    /// `None`: the configured default.
    pub retrieval: Option<Retrieval>,
    pub offset: usize,
    /// 1 to the configured maximum (100).
    pub limit: usize,
    /// Attach matched terms, a snippet and the filters passed to each hit.
    pub explain: bool,
    /// Listings never to return (already seen, or pushed before).
    pub exclude: HashSet<String>,
}

impl SearchRequest {
    /// A search for `text` with defaults: first page of 10, no filter.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            limit: 10,
            ..Self::default()
        }
    }
}

/// Listings like one listing.
#[derive(Debug, Clone, Default)]
pub struct SimilarRequest {
    pub id: String,
    pub filter: Filter,
    pub offset: usize,
    pub limit: usize,
    pub exclude: HashSet<String>,
}

/// New listings like the kept examples and unlike the rejected ones: a
/// broker's shortlist feedback.
#[derive(Debug, Clone, Default)]
pub struct RecommendRequest {
    /// At least one.
    pub positive: Vec<String>,
    pub negative: Vec<String>,
    pub filter: Filter,
    pub offset: usize,
    pub limit: usize,
    pub exclude: HashSet<String>,
}
