use chrono::NaiveDate;

/// Why a change of terms is not allowed (办法 三（三）1).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TermsRefusal {
    #[error("todo")]
    Todo { since: NaiveDate },
}
