use chrono::NaiveDate;
use corpus::PushItem;
use serde::Serialize;

/// What one profile was sent on a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfilePush {
    pub profile_id: String,
    pub date: NaiveDate,
    /// True when the day had already been pushed: nothing new was sent and
    /// `items` is empty.
    pub already_pushed: bool,
    pub items: Vec<PushItem>,
}

/// How far a push run has got, for a progress bar. Reported from worker
/// threads, so the callback must be `Sync`.
#[derive(Debug, Clone, Copy)]
pub enum PushProgress<'p> {
    /// Profiles embedded for a baseline (first pushes, edited profiles),
    /// of how many: the slow part of a first run.
    Embedded { done: usize, total: usize },
    /// Profiles scored against their candidates, of how many.
    Scored { done: usize, total: usize },
    /// One profile's push, decided and recorded.
    Pushed(&'p ProfilePush),
}

/// A whole day's push.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PushReport {
    pub profiles: usize,
    /// Profiles that received at least one item.
    pub served: usize,
    pub items: usize,
    /// Items sent again because their terms improved (条款变更).
    pub repushed: usize,
    /// Profiles whose day had already been pushed.
    pub already_pushed: usize,
    pub seconds: f64,
}
