use crate::{
    ApiKey, Declaration, DemandProfile, Lifecycle, LifecycleEvent, Listing, ProfileBaseline,
    PushFeedback, PushHistory, PushItem, Shortlist, Verdict,
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
    /// declaration version; history is never rewritten. A profile written
    /// under the id of a [deleted](Self::delete_profile) one revives it, as
    /// written, and counts as inserted.
    fn write_batch(&mut self, batch: &Batch) -> crate::Result<BatchCounts>;

    fn listing(&self, id: &str) -> crate::Result<Option<Listing>>;

    /// The profile, unless unknown or deleted.
    fn profile(&self, id: &str) -> crate::Result<Option<DemandProfile>>;

    /// All listings, in id order.
    fn listings(&self) -> crate::Result<Vec<Listing>>;

    /// All demand profiles but deleted ones, in id order.
    fn profiles(&self) -> crate::Result<Vec<DemandProfile>>;

    /// Deletes a demand profile, softly: its pushes are an append-only
    /// record that names it, so its row stays, marked deleted. From then on
    /// it is left out of [`profile`](Self::profile),
    /// [`profiles`](Self::profiles), [`counts`](Self::counts),
    /// [`push_histories`](Self::push_histories) and
    /// [`push_history`](Self::push_history), cannot be pushed or given a
    /// baseline, and its baseline is dropped; what was pushed to it stays
    /// readable ([`push_dates`](Self::push_dates),
    /// [`pushed_items`](Self::pushed_items), [`feedback`](Self::feedback)).
    /// Returns false when the profile is unknown or already deleted.
    fn delete_profile(&mut self, id: &str) -> crate::Result<bool>;

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

    /// How many listings, live (not deleted) profiles and events are stored.
    fn counts(&self) -> crate::Result<StoreCounts>;

    /// Records a profile's push for a day, its items in one transaction.
    /// Returns false and writes nothing when that day's push was already
    /// recorded, so running a day twice sends nothing new. An empty push is
    /// recorded too: it still marks the day as pushed. Fails with
    /// `NotFound` for an unknown (or deleted) profile or an unknown listing.
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
    /// Deleted profiles are left out: nothing is pushed to them any more.
    fn push_histories(&self) -> crate::Result<HashMap<String, PushHistory>>;

    /// One profile's history, as [`push_histories`](Self::push_histories)
    /// reads it; empty when it was never pushed or is deleted.
    fn push_history(&self, profile_id: &str) -> crate::Result<PushHistory>;

    /// Stores (or replaces) profiles' push baselines, in one transaction.
    /// Fails with `NotFound` for an unknown or deleted profile.
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

    /// Saves a new API key. Keys are never overwritten: an id already taken
    /// (even by a revoked key) fails with `Invalid` on `id`, and a key
    /// breaking [`ApiKey::validate`] (for example a broker key without its
    /// broker) fails with `Invalid` on the field at fault.
    fn save_api_key(&mut self, key: &ApiKey) -> crate::Result<()>;

    /// The key with that id, revoked or not.
    fn api_key(&self, id: &str) -> crate::Result<Option<ApiKey>>;

    /// Every key, revoked ones too, by creation time then id.
    fn api_keys(&self) -> crate::Result<Vec<ApiKey>>;

    /// Marks a key revoked at `at`. Returns false, changing nothing, when it
    /// already was (the first revocation time stands). Fails with
    /// `NotFound` for an unknown key.
    fn revoke_api_key(&mut self, id: &str, at: DateTime<Utc>) -> crate::Result<bool>;

    /// Creates a shortlist with its items, in one transaction. Fails with
    /// `Invalid` on `id` when the id is taken, on another field when the
    /// shortlist breaks [`Shortlist::validate`], and with `NotFound` for an
    /// item's unknown listing; a failure writes nothing.
    fn create_shortlist(&mut self, shortlist: &Shortlist) -> crate::Result<()>;

    /// The shortlist with its items, by `added_at` then listing id.
    fn shortlist(&self, id: &str) -> crate::Result<Option<Shortlist>>;

    /// Every shortlist, or only those of `broker_id`, by creation time then
    /// id, each with its items as [`shortlist`](Self::shortlist) orders them.
    fn shortlists(&self, broker_id: Option<&str>) -> crate::Result<Vec<Shortlist>>;

    /// Replaces a shortlist's client and title (`None` clears the title),
    /// and moves its `updated_at` to `at`. Fails with `NotFound` for an
    /// unknown shortlist and with `Invalid` on `client` for an empty client.
    fn update_shortlist(
        &mut self,
        id: &str,
        client: &str,
        title: Option<&str>,
        at: DateTime<Utc>,
    ) -> crate::Result<()>;

    /// Deletes a shortlist and its items, in one transaction. Returns false
    /// when there was no such shortlist.
    fn delete_shortlist(&mut self, id: &str) -> crate::Result<bool>;

    /// Puts a listing on a shortlist, or changes its verdict and note when
    /// it is already there (keeping its `added_at`); either way the item's
    /// and the shortlist's `updated_at` become `at`. Returns true when the
    /// item was added, false when it was updated. Fails with `NotFound` for
    /// an unknown shortlist or listing.
    fn put_shortlist_item(
        &mut self,
        shortlist_id: &str,
        listing_id: &str,
        verdict: Verdict,
        note: Option<&str>,
        at: DateTime<Utc>,
    ) -> crate::Result<bool>;

    /// Takes a listing off a shortlist, moving the shortlist's `updated_at`
    /// to `at`. Returns false, changing nothing, when the listing was not on
    /// it. Fails with `NotFound` for an unknown shortlist.
    fn remove_shortlist_item(
        &mut self,
        shortlist_id: &str,
        listing_id: &str,
        at: DateTime<Utc>,
    ) -> crate::Result<bool>;
}
