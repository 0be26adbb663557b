use crate::{Declaration, ImplementationMode};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One entry of a listing's append-only history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LifecycleEvent {
    /// Someone declared an intent to implement (实施意向). Resets the clock
    /// of the six-month rule.
    IntentRecorded {
        on: NaiveDate,
        party: String,
        note: Option<String>,
    },
    /// A licence or transfer was concluded. It stays valid after a
    /// withdrawal (办法 三（三）3).
    LicenceGranted {
        on: NaiveDate,
        licensee: String,
        mode: ImplementationMode,
    },
    /// The terms were changed and announced again; `declaration` is the new one.
    TermsChanged {
        on: NaiveDate,
        declaration: Declaration,
    },
    /// A withdrawal was announced; it takes effect on `effective_on`.
    WithdrawalAnnounced {
        on: NaiveDate,
        effective_on: NaiveDate,
        reason: String,
    },
}

impl LifecycleEvent {
    /// The day the event happened.
    pub fn on(&self) -> NaiveDate {
        match self {
            Self::IntentRecorded { on, .. }
            | Self::LicenceGranted { on, .. }
            | Self::TermsChanged { on, .. }
            | Self::WithdrawalAnnounced { on, .. } => *on,
        }
    }
}
