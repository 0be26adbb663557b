use crate::ListingCard;
use chrono::NaiveDate;
use corpus::{HolderKind, ImplementationMode, IpcCode, PatentKind};

/// Restrictions applied before top-k, so that a page is never empty while
/// matching listings exist. Every field narrows; an empty list or `None`
/// does not restrict.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Only listings searchable on this day: announced by then, and not
    /// past a withdrawal's effective day.
    pub searchable_on: Option<NaiveDate>,
    /// Listings offering any of these modes.
    pub modes: Vec<ImplementationMode>,
    /// Listings whose lowest price is within this many yuan. Listings with
    /// no price (面议 or unknown) are kept: their price is open, not high.
    pub max_fee: Option<u64>,
    pub holder_kinds: Vec<HolderKind>,
    /// The holder's exact name.
    pub holder: Option<String>,
    /// Listings with an IPC code under this one (`G`, `G06`, `G06F`, `G06F16`).
    pub ipc_prefix: Option<IpcCode>,
    pub patent_kinds: Vec<PatentKind>,
    /// Announced on or after this day.
    pub announced_from: Option<NaiveDate>,
    /// Announced on or before this day.
    pub announced_to: Option<NaiveDate>,
}

impl Filter {
    /// True when nothing is restricted.
    pub fn is_empty(&self) -> bool {
        self == &Filter::default()
    }

    /// Whether the listing of `card` passes, decided from the card alone
    /// exactly as the index decides it: for callers that score a known set
    /// of listings without searching (the batch push).
    pub fn admits(&self, card: &ListingCard) -> bool {
        let searchable = self.searchable_on.is_none_or(|day| {
            card.announced.is_none_or(|on| on <= day)
                && card.withdrawal_effective.is_none_or(|last| day <= last)
        });
        let any = |wanted: bool, matched: bool| !wanted || matched;
        searchable
            && any(
                !self.modes.is_empty(),
                card.modes.iter().any(|m| self.modes.contains(m)),
            )
            && self
                .max_fee
                .is_none_or(|max| card.fee_min.is_none_or(|fee| fee <= max))
            && any(
                !self.holder_kinds.is_empty(),
                card.holder_kind
                    .is_some_and(|k| self.holder_kinds.contains(&k)),
            )
            && self
                .holder
                .as_ref()
                .is_none_or(|name| card.holder.as_ref() == Some(name))
            && self
                .ipc_prefix
                .as_ref()
                .is_none_or(|prefix| card.ipc.iter().any(|code| code.starts_with(prefix)))
            && any(
                !self.patent_kinds.is_empty(),
                self.patent_kinds.contains(&card.patent_kind),
            )
            && (self.announced_from.is_none() && self.announced_to.is_none()
                || card.announced.is_some_and(|on| {
                    self.announced_from.is_none_or(|from| from <= on)
                        && self.announced_to.is_none_or(|to| on <= to)
                }))
    }
}
