use super::{classify_holder, IpcClassifier, IpcSuggestions};
use crate::{Error, Result};
use corpus::{IpcCode, Listing};
use indexer::{Enricher, Enrichment};
use std::collections::HashMap;

/// Classifies listings while they are indexed, so that classes a record
/// does not state still appear as facets and filters (marked predicted):
/// the holder kind, from the holder's name, and — once given a trained
/// [`IpcClassifier`] with [`with_ipc`](Self::with_ipc) — IPC subclasses,
/// from the title.
///
/// The indexer calls [`Enricher::enrich`] once per listing on every build
/// and hashes the result, so enriching must be deterministic and cheap:
/// titles are embedded and classified beforehand, in one batch, and
/// `enrich` only looks their answers up.
#[derive(Clone, PartialEq)]
pub struct ListingClassifier {
    /// Holder kinds predicted with less confidence are left out: a wrong
    /// facet misleads more than a missing one.
    pub min_holder_confidence: f32,
    /// The IPC classifier's answer per distinct title (as
    /// [`ipc_text`](Self::ipc_text) gives it); `None` when IPC codes are
    /// not predicted.
    ipc: Option<HashMap<String, IpcSuggestions>>,
}

impl Default for ListingClassifier {
    fn default() -> Self {
        Self {
            min_holder_confidence: 0.6,
            ipc: None,
        }
    }
}

impl std::fmt::Debug for ListingClassifier {
    /// Counts instead of thousands of answers.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListingClassifier")
            .field("min_holder_confidence", &self.min_holder_confidence)
            .field("ipc_titles", &self.ipc.as_ref().map(HashMap::len))
            .finish()
    }
}

impl ListingClassifier {
    /// What the IPC classifier reads of a listing: its title alone. It
    /// learned from titles only (the labelled set has no abstracts), and
    /// its confidences, so the abstention floor, were measured on titles.
    /// The corpus states no IPC codes to check an abstract against, so as
    /// a proxy the top subclass was compared with the 36 anonymous topic
    /// labels of the 958 labelled BDCI listings: adding the abstract to
    /// the n-gram text moved agreement by noise (NMI 0.494 → 0.499) and
    /// abstained on 15 more; embedding it too dropped NMI to 0.481 and
    /// abstained on 47 % instead of 29 %.
    pub fn ipc_text(listing: &Listing) -> &str {
        listing.patent.title.trim()
    }

    /// The distinct titles ([`ipc_text`](Self::ipc_text)) of the listings
    /// that state no IPC code, sorted: what to embed before
    /// [`with_ipc`](Self::with_ipc). Listings with codes keep their own, and
    /// an empty title says nothing.
    pub fn titles_to_classify<'a>(listings: impl IntoIterator<Item = &'a Listing>) -> Vec<String> {
        let mut titles: Vec<String> = listings
            .into_iter()
            .filter(|listing| listing.patent.ipc.is_empty())
            .map(Self::ipc_text)
            .filter(|title| !title.is_empty())
            .map(str::to_string)
            .collect();
        titles.sort();
        titles.dedup();
        titles
    }

    /// Predicts IPC subclasses for listings without codes: `vectors[i]` is
    /// the embedding of `titles[i]`, made with the prefix
    /// `classifier.config().embedding` names (as
    /// [`embed_titles_cached`](crate::embed_titles_cached) makes them).
    /// Every title is classified here, so that enriching is a look-up; a
    /// listing whose title is not among `titles` gets no prediction.
    ///
    /// Fails when the lengths differ or a vector's dimension is not the
    /// classifier's.
    pub fn with_ipc(
        mut self,
        classifier: &IpcClassifier,
        titles: &[String],
        vectors: &[Vec<f32>],
    ) -> Result<Self> {
        if titles.len() != vectors.len() {
            return Err(Error::Invalid {
                field: "vectors",
                message: format!("{} vectors for {} titles", vectors.len(), titles.len()),
            });
        }
        let answers = classify_parallel(classifier, titles, vectors)?;
        self.ipc = Some(titles.iter().cloned().zip(answers).collect());
        Ok(self)
    }

    /// True when IPC codes are predicted.
    pub fn predicts_ipc(&self) -> bool {
        self.ipc.is_some()
    }

    /// The IPC classifier's answer for `listing`'s title, whether or not
    /// the listing states codes of its own; `None` when IPC codes are not
    /// predicted or the title was not classified.
    pub fn ipc_suggestions(&self, listing: &Listing) -> Option<&IpcSuggestions> {
        self.ipc.as_ref()?.get(Self::ipc_text(listing))
    }

    /// The subclasses to store as predicted codes: none for a listing with
    /// codes of its own, or when the classifier abstained.
    fn predicted_ipc(&self, listing: &Listing) -> Vec<IpcCode> {
        if !listing.patent.ipc.is_empty() {
            return Vec::new();
        }
        self.ipc_suggestions(listing)
            .map(|answer| answer.chosen.clone())
            .unwrap_or_default()
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
            ipc: self.predicted_ipc(listing),
        }
    }
}

/// Classifies each title on its own thread's share: about half a
/// millisecond a title, seconds for a corpus, and each answer depends on
/// its title alone, so splitting cannot change one.
fn classify_parallel(
    classifier: &IpcClassifier,
    titles: &[String],
    vectors: &[Vec<f32>],
) -> Result<Vec<IpcSuggestions>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = titles.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = titles
            .chunks(chunk)
            .zip(vectors.chunks(chunk))
            .map(|(titles, vectors)| {
                scope.spawn(move || {
                    titles
                        .iter()
                        .zip(vectors)
                        .map(|(title, vector)| classifier.classify(vector, title))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        let mut answers = Vec::with_capacity(titles.len());
        for worker in workers {
            // A panic in a worker is a bug: passed on as it is.
            let part = worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            answers.extend(part);
        }
        Ok(answers)
    })
}
