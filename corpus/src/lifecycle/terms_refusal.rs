use chrono::NaiveDate;

/// Why a change of terms is not allowed (办法 三（三）1: terms are fixed once
/// announced, except that after six consecutive months without an
/// implementation intent the modes may change or the fee may be lowered).
///
/// Each message names the dates or amounts involved, so that it can be shown
/// to the holder as it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TermsRefusal {
    /// The six months cannot be counted without the first announcement.
    #[error(
        "the listing's first announcement date is unknown, so the six months of \
         办法 三（三）1 cannot be counted"
    )]
    ListedDateUnknown,

    /// Fewer than six months have passed since the clock last (re)started.
    #[error(
        "terms are fixed for six consecutive months from the {started_by} on {since}; \
         the first day a change is allowed is {allowed_from}"
    )]
    TooEarly {
        /// The day the clock started.
        since: NaiveDate,
        /// What started it: the listing, a re-announcement, an intent or a licence.
        started_by: &'static str,
        /// The first day a change would be allowed, if nothing restarts the clock.
        allowed_from: NaiveDate,
    },

    /// A withdrawal has been announced; the declaration is on its way out.
    #[error(
        "a withdrawal was announced on {announced_on} (effective {effective_on}), \
         so the terms can no longer change"
    )]
    Withdrawn {
        announced_on: NaiveDate,
        effective_on: NaiveDate,
    },

    /// The modes and the fee are both as they were.
    #[error("the new declaration has the same implementation modes and fee: nothing changes")]
    NoChange,

    /// Dropping every mode is a withdrawal in disguise, which has its own
    /// procedure (办法 三（三）3).
    #[error("the new declaration names no implementation mode (it had {was}); to stop, withdraw instead")]
    ModesRemoved { was: String },

    /// Some part of the fee goes up.
    #[error("the fee may only be lowered, but {what}")]
    FeeRaised { what: String },

    /// The fee changes in a way that cannot be shown to be a lowering.
    #[error("cannot show the fee is lower: {what}")]
    FeeNotShownLower { what: String },
}
