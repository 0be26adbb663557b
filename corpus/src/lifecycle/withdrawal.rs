use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// An announced withdrawal of a public implementation declaration
/// (办法 三（三）3: 撤回声明经公告七个工作日后生效).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    /// The day the withdrawal was announced.
    pub announced_on: NaiveDate,
    /// The seventh working day after the announcement: the last day the
    /// declaration still stands. See [`crate::withdrawal_effective_on`].
    pub effective_on: NaiveDate,
    pub reason: String,
}

impl Withdrawal {
    /// Whether the withdrawal has fully taken effect on `day`, i.e. `day` is
    /// after the seven working days have run out. Until then the declaration
    /// still stands: the listing can be found and dealt with.
    pub fn is_complete_on(&self, day: NaiveDate) -> bool {
        day > self.effective_on
    }
}
