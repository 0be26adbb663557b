//! patmatch's domain: what a listing for public implementation (专利公开实施)
//! is, what a demand profile is, the rules they live by, how they are
//! imported, and where they are kept.
//!
//! Owns:
//! - the model: [`Listing`] (patent, holder, [`Declaration`]) and [`DemandProfile`];
//! - validation of identifiers: [`CreditCode`] (GB 32100-2015), [`ApplicationNumber`],
//!   [`PublicationNumber`], [`IpcCode`];
//! - the rules of the Zhejiang 办法 over time: [`Lifecycle`], [`withdrawal_effective_on`],
//!   the six-month rule for terms, on China's official [`WorkCalendar`];
//! - parsing of source free text ([`parse_modes`], [`parse_fee`], [`parse_budget`]);
//! - import of source files ([`import_files`]) and the [`Store`] with its
//!   SQLite implementation ([`SqliteStore`]);
//! - what the API keeps about its users: [`ApiKey`]s with their [`KeyRole`]
//!   (stored as a hash, never the secret), and brokers' [`Shortlist`]s of
//!   [`ShortlistItem`]s, each with a [`Verdict`].
//!
//! Does not own: search, indexes, embeddings, ranking or HTTP, nor the
//! format of API tokens or who may call what (the API decides; this crate
//! only stores keys). It depends on no other workspace crate, and it never
//! reads configuration from the environment: callers pass [`StoreConfig`]
//! and [`ImportOptions`].

mod api_key;
mod declaration;
mod error;
mod fee;
mod holder;
mod import;
mod lifecycle;
mod listing;
mod mode;
mod parse;
mod patent;
mod profile;
mod profile_baseline;
mod push;
mod shortlist;
mod store;
mod validate;

pub use api_key::{ApiKey, KeyRole};
pub use declaration::Declaration;
pub use error::{Error, Result};
pub use fee::{FeeStandard, PaymentMethod, YuanRange};
pub use holder::{Holder, HolderKind};
pub use import::{
    import_files, ImportOptions, ImportProgress, ImportReport, Rejection, SourceKind,
};
pub use lifecycle::{
    withdrawal_effective_on, Lifecycle, LifecycleEvent, TermsRefusal, Withdrawal, WorkCalendar,
    WITHDRAWAL_WORKING_DAYS,
};
pub use listing::Listing;
pub use mode::ImplementationMode;
pub use parse::{parse_budget, parse_date, parse_fee, parse_modes, Budget, ModeParse};
pub use patent::{Patent, PatentKind};
pub use profile::DemandProfile;
pub use profile_baseline::ProfileBaseline;
pub use push::{PushFeedback, PushHistory, PushItem, PushedTerms};
pub use shortlist::{Shortlist, ShortlistItem, Verdict};
pub use store::{
    Batch, BatchCounts, DeclarationVersion, SqliteStore, Store, StoreConfig, StoreCounts,
    UpsertCounts,
};
pub use validate::{ApplicationNumber, CreditCode, IpcCode, PublicationNumber};
