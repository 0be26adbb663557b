use super::classify_holder;
use corpus::Listing;
use indexer::{Enricher, Enrichment};

/// Classifies listings while they are indexed, so that classes a record
/// does not state still appear as facets and filters (marked predicted):
/// the holder kind, from the holder's name.
#[derive(Debug, Clone, PartialEq)]
pub struct ListingClassifier {
    /// Holder kinds predicted with less confidence are left out: a wrong
    /// facet misleads more than a missing one.
    pub min_holder_confidence: f32,
}

impl Default for ListingClassifier {
    fn default() -> Self {
        Self {
            min_holder_confidence: 0.6,
        }
    }
}

impl Enricher for ListingClassifier {
    fn enrich(&self, listing: &Listing) -> Enrichment {
        let holder_kind = listing
            .holder
            .as_ref()
            .map(|holder| classify_holder(&holder.name))
            .filter(|class| class.confidence >= self.min_holder_confidence)
            .and_then(|class| class.kind);
        Enrichment {
            holder_kind,
            ipc: Vec::new(),
        }
    }
}
