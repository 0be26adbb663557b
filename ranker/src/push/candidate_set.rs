use crate::{Error, Result};
use indexer::{LexicalBatch, ListingCard, Snapshot};

/// Listings a push scores together against many profiles: each one's card
/// (for filters, folding and terms), vector and BM25 statistics, read from
/// the snapshot once.
pub(crate) struct CandidateSet<'a> {
    pub cards: Vec<ListingCard>,
    pub vectors: Vec<&'a [f32]>,
    /// Its `ids()` order is the order of `cards` and `vectors`.
    pub lexical: LexicalBatch,
}

impl<'a> CandidateSet<'a> {
    /// The listings of `ids` in `snapshot`; ids it does not hold are left
    /// out (a listing withdrawn from the index since).
    pub fn new(snapshot: &'a Snapshot, ids: &[&str]) -> Result<Self> {
        let lexical = snapshot.lexical_batch(ids)?;
        let ids: Vec<&str> = lexical.ids().iter().map(String::as_str).collect();
        let mut cards = Vec::with_capacity(ids.len());
        let mut vectors = Vec::with_capacity(ids.len());
        for (id, card) in ids.iter().zip(snapshot.cards(&ids)?) {
            let card = card.ok_or_else(|| Error::UnknownListing(id.to_string()))?;
            let vector = snapshot
                .vector(id)
                .ok_or_else(|| Error::UnknownListing(id.to_string()))?;
            cards.push(card);
            vectors.push(vector);
        }
        Ok(Self {
            cards,
            vectors,
            lexical,
        })
    }

    pub fn len(&self) -> usize {
        self.cards.len()
    }
}
