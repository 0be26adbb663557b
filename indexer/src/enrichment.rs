use corpus::{HolderKind, IpcCode, Listing};
use serde::{Deserialize, Serialize};

/// Classes derived for a listing where its record does not state them.
/// The index stores them as facets and on the card, marked predicted, so
/// that holder-kind and IPC filters and facets work on listings whose
/// source gives neither.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Enrichment {
    /// Used only when the record names no holder kind.
    pub holder_kind: Option<HolderKind>,
    /// Suggested IPC codes, used only when the record has none.
    pub ipc: Vec<IpcCode>,
}

/// Derives an [`Enrichment`] per listing while an index is built. The
/// classifiers live above the indexer (in the ranker), so the indexer asks
/// through this trait instead of knowing them. It must be deterministic:
/// its output is hashed, and an incremental update relies on equal input
/// giving equal documents.
pub trait Enricher: Sync {
    fn enrich(&self, listing: &Listing) -> Enrichment;
}

/// No enrichment: the record's own classes only.
impl Enricher for () {
    fn enrich(&self, _: &Listing) -> Enrichment {
        Enrichment::default()
    }
}
