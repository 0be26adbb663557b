use crate::{
    Declaration, DemandProfile, Lifecycle, LifecycleEvent, Listing, ProfileBaseline, PushFeedback,
    PushHistory, PushItem,
};
use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// What one write brings to the store: everything in it is written in one
/// transaction, or nothing is.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub listings: Vec<Listing>,
    pub profiles: Vec<DemandProfile>,
}

/// How a batch changed one table. A record equal to the stored one (ignoring
/// timestamps) counts as unchanged and is not written again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UpsertCounts {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BatchCounts {
    pub listings: UpsertCounts,
    pub profiles: UpsertCounts,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StoreCounts {
    pub listings: usize,
    pub profiles: usize,
    pub events: usize,
}

/// One version of a listing's declaration, as kept in its append-only history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeclarationVersion {
    /// 1 for the first declaration seen, then one more per change.
    pub version: u32,
    pub declaration: Declaration,
    pub recorded_at: DateTime<Utc>,
}

/// The storage contract. SQLite implements it now; a server database can
/// implement it later without touching importers or callers.
pub trait Store {
    /// Writes a batch in one transaction. Records are upserted by id. A
    /// listing whose declaration differs from the stored one gets a new
    /// declaration version; history is never rewritten.
    fn write_batch(&mut self, batch: &Batch) -> crate::Result<BatchCounts>;

    fn listing(&self, id: &str) -> crate::Result<Option<Listing>>;

    fn profile(&self, id: &str) -> crate::Result<Option<DemandProfile>>;

    /// All listings, in id order.
    fn listings(&self) -> crate::Result<Vec<Listing>>;

    /// All demand profiles, in id order.
    fn profiles(&self) -> crate::Result<Vec<DemandProfile>>;

    /// The listing's lifecycle: its first announcement and its events in
    /// recording order. Fails with `NotFound` for an unknown listing.
    fn lifecycle(&self, listing_id: &str) -> crate::Result<Lifecycle>;

    /// Appends an event to a listing's history, after checking it against
    /// the history with [`Lifecycle::record`] (events in date order, the
    /// six-month rule for `TermsChanged`, the effective day of a withdrawal,
    /// nothing after it). A `TermsChanged` event also replaces the listing's
    /// current declaration and adds a declaration version, in the same
    /// transaction. Fails with `NotFound` for an unknown listing.
    fn append_event(&mut self, listing_id: &str, event: &LifecycleEvent) -> crate::Result<()>;

    /// Every declaration the listing has had, oldest first. Fails with
    /// `NotFound` for an unknown listing.
    fn declaration_history(&self, listing_id: &str) -> crate::Result<Vec<DeclarationVersion>>;

    fn counts(&self) -> crate::Result<StoreCounts>;

    /// Records a profile's push for a day, its items in one transaction.
    /// Returns false and writes nothing when that day's push was already
    /// recorded, so running a day twice sends nothing new. An empty push is
    /// recorded too: it still marks the day as pushed. Fails with
    /// `NotFound` for an unknown profile or listing.
    fn record_push(
        &mut self,
        profile_id: &str,
        date: NaiveDate,
        items: &[PushItem],
    ) -> crate::Result<bool>;

    /// Records many profiles' pushes for one day in one transaction, each
    /// as [`record_push`](Self::record_push) would: the answer says, per
    /// push, whether it was recorded (false: that day was already pushed).
    /// Any other failure writes nothing.
    fn record_pushes(
        &mut self,
        date: NaiveDate,
        pushes: &[(&str, &[PushItem])],
    ) -> crate::Result<Vec<bool>>;

    /// Every pushed profile's history, by profile id, read in one pass.
    fn push_histories(&self) -> crate::Result<HashMap<String, PushHistory>>;

    /// One profile's history, as [`push_histories`](Self::push_histories)
    /// reads it; empty when it was never pushed.
    fn push_history(&self, profile_id: &str) -> crate::Result<PushHistory>;

    /// Stores (or replaces) profiles' push baselines, in one transaction.
    /// Fails with `NotFound` for an unknown profile.
    fn save_baselines(&mut self, baselines: &[ProfileBaseline]) -> crate::Result<()>;

    /// Every stored baseline.
    fn baselines(&self) -> crate::Result<Vec<ProfileBaseline>>;

    /// One profile's stored baseline.
    fn baseline(&self, profile_id: &str) -> crate::Result<Option<ProfileBaseline>>;

    /// The listings whose terms changed after `after` and on or before
    /// `until`, by id.
    fn terms_changed_between(
        &self,
        after: NaiveDate,
        until: NaiveDate,
    ) -> crate::Result<Vec<String>>;

    /// The days a profile was pushed, oldest first.
    fn push_dates(&self, profile_id: &str) -> crate::Result<Vec<NaiveDate>>;

    /// Every item ever pushed to a profile, by day, then best score first.
    fn pushed_items(&self, profile_id: &str) -> crate::Result<Vec<PushItem>>;

    /// Records (or replaces) the verdict on a push item. Fails with
    /// `NotFound` when no such item was pushed.
    fn record_feedback(&mut self, feedback: &PushFeedback) -> crate::Result<()>;

    /// Every verdict on a profile's push items, by day.
    fn feedback(&self, profile_id: &str) -> crate::Result<Vec<PushFeedback>>;
}
