use crate::ImplementationMode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A listing's terms as they were when it was pushed, so that a later
/// change in the enterprise's favour can be told from any other change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PushedTerms {
    /// The lowest price in yuan; `None` for 面议 or not stated.
    pub fee_min: Option<u64>,
    pub modes: BTreeSet<ImplementationMode>,
}

impl PushedTerms {
    /// True when `now` is better for a profile accepting `acceptable`
    /// (empty: any mode): a lower stated fee, or an acceptable mode added.
    /// A fee that became 面议 is not lower; it is no longer stated.
    pub fn improved_by(
        &self,
        now: &PushedTerms,
        acceptable: &BTreeSet<ImplementationMode>,
    ) -> bool {
        let cheaper = matches!((self.fee_min, now.fee_min), (Some(then), Some(fee)) if fee < then);
        let new_mode = now
            .modes
            .difference(&self.modes)
            .any(|m| acceptable.is_empty() || acceptable.contains(m));
        cheaper || new_mode
    }
}

/// One listing sent to one demand profile on one day, with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushItem {
    pub profile_id: String,
    pub listing_id: String,
    pub date: NaiveDate,
    pub score: f32,
    /// Short reasons in Chinese, for the enterprise (匹配词, 语义相近, 条款变更 …).
    pub reasons: Vec<String>,
    /// The ranker's explanation (score details, matched terms, snippet) as
    /// it was that day; stored as given.
    pub explanation: serde_json::Value,
    pub terms: PushedTerms,
}

/// What a profile has been pushed so far, read in one pass for a batch run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PushHistory {
    /// The days pushed, oldest first.
    pub dates: Vec<NaiveDate>,
    /// Each listing ever sent, with its terms as last sent.
    pub sent: Vec<(String, PushedTerms)>,
    /// Every verdict on the profile's items, by day.
    pub feedback: Vec<PushFeedback>,
}

/// An enterprise's verdict on a push item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushFeedback {
    pub profile_id: String,
    pub listing_id: String,
    /// The day of the push item judged.
    pub date: NaiveDate,
    pub relevant: bool,
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ImplementationMode::*;

    fn terms(fee: Option<u64>, modes: &[ImplementationMode]) -> PushedTerms {
        PushedTerms {
            fee_min: fee,
            modes: modes.iter().copied().collect(),
        }
    }

    #[test]
    fn only_a_lower_fee_or_an_acceptable_new_mode_improves() {
        let any = BTreeSet::new();
        let licence: BTreeSet<_> = [OrdinaryLicence].into();
        let then = terms(Some(100_000), &[Transfer]);
        assert!(then.improved_by(&terms(Some(80_000), &[Transfer]), &any));
        assert!(!then.improved_by(&terms(Some(120_000), &[Transfer]), &any));
        assert!(
            !then.improved_by(&terms(None, &[Transfer]), &any),
            "面议 is not lower"
        );
        assert!(!then.improved_by(&then.clone(), &any));
        assert!(then.improved_by(
            &terms(Some(100_000), &[Transfer, OrdinaryLicence]),
            &licence
        ));
        assert!(!then.improved_by(&terms(Some(100_000), &[Transfer, Equity]), &licence));
        assert!(then.improved_by(&terms(Some(100_000), &[Transfer, Equity]), &any));
        // a mode removed is no improvement
        assert!(!then.improved_by(&terms(Some(100_000), &[]), &any));
    }
}
