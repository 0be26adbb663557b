use super::fields::Problem;
use crate::{Batch, DemandProfile, LifecycleEvent, Listing, Rejection, Store};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Gathers the good records of every file of one import into one batch, and
/// the rejections, so that nothing is written before everything is read.
///
/// An id seen twice keeps the later record, in the earlier one's place: a
/// later file (or line) is taken to be the newer export of the same record.
/// Each replacement is logged and counted, not rejected, because neither
/// record is wrong.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    pub batch: Batch,
    pub rejected: Vec<Rejection>,
    pub flagged: usize,
    pub duplicates: usize,
    listing_at: HashMap<String, Slot>,
    profile_at: HashMap<String, Slot>,
}

/// Where a kept record sits in the batch and where it was read.
#[derive(Debug, Clone)]
struct Slot {
    index: usize,
    file: PathBuf,
    line: usize,
    flagged: bool,
}

impl Collector {
    pub(crate) fn listing(&mut self, listing: Listing, file: &Path, line: usize, flagged: bool) {
        let slot = Slot {
            index: self.batch.listings.len(),
            file: file.to_path_buf(),
            line,
            flagged,
        };
        let id = listing.id.clone();
        let replaced = place(
            &mut self.batch.listings,
            &mut self.listing_at,
            id.clone(),
            listing,
            slot,
        );
        self.account(&id, replaced, file, line, flagged);
    }

    pub(crate) fn profile(
        &mut self,
        profile: DemandProfile,
        file: &Path,
        line: usize,
        flagged: bool,
    ) {
        let slot = Slot {
            index: self.batch.profiles.len(),
            file: file.to_path_buf(),
            line,
            flagged,
        };
        let id = profile.id.clone();
        let replaced = place(
            &mut self.batch.profiles,
            &mut self.profile_at,
            id.clone(),
            profile,
            slot,
        );
        self.account(&id, replaced, file, line, flagged);
    }

    /// Holds every listing whose stored terms this import would change to
    /// the rules for changing terms (办法 三（三）1), as the store will when
    /// it writes them, so that a refused change is a rejection of that
    /// record and not a failure of the whole batch.
    ///
    /// - New terms over a listing that had none are its first announcement.
    /// - The same terms in other words (or with another announcement date)
    ///   are no change of terms; the store keeps the new wording as a
    ///   declaration version.
    /// - Other terms are a change of terms on the new announcement date (or
    ///   `today`); if the rules refuse it, the record is rejected and the
    ///   stored listing stays as it was.
    pub(crate) fn check_terms(&mut self, store: &dyn Store, today: NaiveDate) -> crate::Result<()> {
        let mut refused = Vec::new();
        for listing in &self.batch.listings {
            let Some(stored) = store.listing(&listing.id)? else {
                continue;
            };
            let (current, new) = (&stored.declaration, &listing.declaration);
            if current == new || current.is_undeclared() || current.same_terms(new) {
                continue;
            }
            let event = LifecycleEvent::TermsChanged {
                on: new.announced_on.unwrap_or(today),
                declaration: new.clone(),
            };
            if let Err(err) = store.lifecycle(&listing.id)?.record(event, current) {
                refused.push((listing.id.clone(), err));
            }
        }
        for (id, err) in refused {
            let Some(slot) = self.listing_at.remove(&id) else {
                continue;
            };
            self.flagged -= usize::from(slot.flagged);
            self.reject(
                &slot.file,
                slot.line,
                vec![Problem {
                    field: "declaration".to_string(),
                    reason: format!("{err}; the stored terms are kept"),
                }],
            );
        }
        let kept = &self.listing_at;
        self.batch.listings.retain(|l| kept.contains_key(&l.id));
        Ok(())
    }

    pub(crate) fn reject(&mut self, file: &Path, line: usize, problems: Vec<Problem>) {
        for p in problems {
            let r = Rejection {
                file: file.to_path_buf(),
                line,
                field: p.field,
                reason: p.reason,
            };
            tracing::debug!(rejection = %r, "record rejected");
            self.rejected.push(r);
        }
    }

    /// `flagged` counts records in the batch, so a replaced record's flag
    /// leaves with it.
    fn account(
        &mut self,
        id: &str,
        replaced: Option<Slot>,
        file: &Path,
        line: usize,
        flagged: bool,
    ) {
        self.flagged += usize::from(flagged);
        let Some(earlier) = replaced else {
            return;
        };
        self.flagged -= usize::from(earlier.flagged);
        self.duplicates += 1;
        tracing::warn!(
            id,
            earlier = %format_args!("{}:{}", earlier.file.display(), earlier.line),
            later = %format_args!("{}:{}", file.display(), line),
            "duplicate id: the later record replaces the earlier"
        );
    }
}

/// Puts `item` in the batch, in the place of an earlier record with the same
/// id if there is one, which is returned.
fn place<T>(
    items: &mut Vec<T>,
    at: &mut HashMap<String, Slot>,
    id: String,
    item: T,
    mut slot: Slot,
) -> Option<Slot> {
    match at.get_mut(&id) {
        Some(existing) => {
            slot.index = existing.index;
            items[slot.index] = item;
            Some(std::mem::replace(existing, slot))
        }
        None => {
            items.push(item);
            at.insert(id, slot);
            None
        }
    }
}
