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
