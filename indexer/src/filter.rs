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
}
