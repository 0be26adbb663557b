use crate::{Declaration, LifecycleEvent, TermsRefusal};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Working days between a withdrawal's announcement and its effect (办法 三（三）3).
pub const WITHDRAWAL_WORKING_DAYS: u32 = 7;

/// The day a withdrawal announced on `announced` takes effect.
pub fn withdrawal_effective_on(announced: NaiveDate) -> crate::Result<NaiveDate> {
    todo!("H2 {announced}")
}

/// A listing's history over time and the rules that follow from it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lifecycle {
    /// The first announcement of the declaration, when known.
    pub listed_on: Option<NaiveDate>,
    /// Events in the order they were recorded.
    pub events: Vec<LifecycleEvent>,
}

impl Lifecycle {
    pub fn new(listed_on: Option<NaiveDate>) -> Self {
        Self {
            listed_on,
            events: Vec::new(),
        }
    }

    /// Whether the listing can be found on `on`.
    pub fn is_searchable(&self, on: NaiveDate) -> bool {
        todo!("H2 {on}")
    }

    /// Whether the terms may change from `current` to `new` on `on`.
    pub fn may_change_terms(
        &self,
        on: NaiveDate,
        current: &Declaration,
        new: &Declaration,
    ) -> Result<(), TermsRefusal> {
        todo!("H2 {on} {current:?} {new:?}")
    }
}
