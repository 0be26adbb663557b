use crate::passage_text;
use crate::text::{ListingSchema, STATUS_LISTED, STATUS_WITHDRAWAL_ANNOUNCED};
use crate::{Enrichment, Error, ListingCard, Result, TextHash};
use chrono::NaiveDate;
use corpus::{Lifecycle, Listing};
use serde::Serialize;
use std::fmt::Write;
use tantivy::schema::Facet;
use tantivy::TantivyDocument;

/// Everything the indexes hold about one listing, derived from the stored
/// listing and its lifecycle. Its hash decides whether an incremental update
/// must touch the listing; the passage hash, whether it must be re-embedded.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct IndexedListing {
    pub id: String,
    pub title: String,
    pub abstract_text: String,
    pub claims: String,
    pub holder: Option<String>,
    pub ipc: Vec<String>,
    pub modes: Vec<&'static str>,
    pub patent_kind: &'static str,
    pub holder_kind: Option<&'static str>,
    pub fee: Option<(u64, u64)>,
    pub announced: Option<NaiveDate>,
    pub listed_on: Option<NaiveDate>,
    pub withdrawal_effective: Option<NaiveDate>,
    pub passage: String,
    /// Stored with the document for result cards and facets; hashed with
    /// the rest, so a change that only shows on the card (the fee's
    /// wording, the 申请号) still rewrites the document.
    pub card: ListingCard,
    /// sha256 (hex) of every value above: equal hashes mean an identical
    /// document. Computed once, since an update compares it and the
    /// document table stores it.
    #[serde(skip)]
    pub doc_hash: String,
    /// sha256 (hex) of the passage, the embedding cache's key.
    #[serde(skip)]
    pub passage_hash: String,
}

impl IndexedListing {
    pub(crate) fn new(
        listing: &Listing,
        lifecycle: &Lifecycle,
        enrichment: &Enrichment,
        passage_chars: usize,
    ) -> Self {
        let patent = &listing.patent;
        let declaration = &listing.declaration;
        let card = ListingCard::new(listing, lifecycle, enrichment);
        let mut indexed = Self {
            id: listing.id.clone(),
            title: patent.title.clone(),
            abstract_text: patent.abstract_text.clone(),
            claims: patent.claims.clone().unwrap_or_default(),
            holder: listing.holder.as_ref().map(|holder| holder.name.clone()),
            // Predicted codes are facets too, so a filter finds them; the
            // card says they were predicted.
            ipc: card.ipc.iter().map(|code| code.facet_path()).collect(),
            modes: declaration.modes.iter().map(|mode| mode.as_str()).collect(),
            patent_kind: patent.kind.as_str(),
            holder_kind: card.holder_kind.map(|kind| kind.as_str()),
            fee: declaration.fee.amount.map(|range| (range.min, range.max)),
            announced: card.announced,
            listed_on: lifecycle.listed_on,
            withdrawal_effective: card.withdrawal_effective,
            passage: passage_text(listing, passage_chars),
            card,
            doc_hash: String::new(),
            passage_hash: String::new(),
        };
        // Serialising a struct of plain values cannot fail; the hash fields
        // are skipped, so they do not feed themselves.
        indexed.doc_hash = hex_sha256(&serde_json::to_string(&indexed).unwrap_or_default());
        indexed.passage_hash = hex_sha256(&indexed.passage);
        indexed
    }

    pub(crate) fn to_document(&self, fields: &ListingSchema) -> Result<TantivyDocument> {
        let mut doc = TantivyDocument::default();
        doc.add_text(fields.id, &self.id);
        let card = serde_json::to_string(&self.card).map_err(|err| Error::Document {
            id: self.id.clone(),
            reason: format!("card cannot be written: {err}"),
        })?;
        doc.add_text(fields.card, card);
        doc.add_text(fields.title, &self.title);
        doc.add_text(fields.abstract_text, &self.abstract_text);
        if !self.claims.is_empty() {
            doc.add_text(fields.claims, &self.claims);
        }
        if let Some(holder) = &self.holder {
            doc.add_text(fields.holder, holder);
            doc.add_facet(fields.holder_facet, Facet::from_path([holder.as_str()]));
        }
        for path in &self.ipc {
            doc.add_facet(
                fields.ipc,
                Facet::from_text(path).unwrap_or_else(|_| Facet::root()),
            );
        }
        for mode in &self.modes {
            doc.add_facet(fields.modes, Facet::from_path([*mode]));
        }
        doc.add_facet(fields.patent_kind, Facet::from_path([self.patent_kind]));
        if let Some(kind) = self.holder_kind {
            doc.add_facet(fields.holder_kind, Facet::from_path([kind]));
        }
        if let Some((min, max)) = self.fee {
            doc.add_u64(fields.fee_min, min);
            doc.add_u64(fields.fee_max, max);
        }
        if let Some(day) = self.announced {
            doc.add_date(fields.announced, to_datetime(day));
        }
        if let Some(day) = self.listed_on {
            doc.add_date(fields.listed_on, to_datetime(day));
        }
        let status = match self.withdrawal_effective {
            Some(day) => {
                doc.add_date(fields.withdrawal_effective, to_datetime(day));
                STATUS_WITHDRAWAL_ANNOUNCED
            }
            None => STATUS_LISTED,
        };
        doc.add_u64(fields.status, status);
        Ok(doc)
    }
}

/// Midnight UTC of `day`: dates are stored as instants, and one fixed time
/// of day keeps day comparisons exact.
pub(crate) fn to_datetime(day: NaiveDate) -> tantivy::DateTime {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    tantivy::DateTime::from_timestamp_secs(midnight.timestamp())
}

/// sha256 of `text`, in lower-case hex.
pub(crate) fn hex_sha256(text: &str) -> String {
    TextHash::of(text)
        .0
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}
