use crate::{Facets, Hit};
use serde::Serialize;

/// A page of hits and what the whole result looks like.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResponse {
    /// Candidates after filters, exclusions and folding. Vector search
    /// ranks every listing, so this is bounded by the candidate depth: it
    /// counts what the ranker looked at, not every listing that shares a
    /// word.
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// The loose terms and phrases the text was searched with.
    pub terms: Vec<String>,
}
