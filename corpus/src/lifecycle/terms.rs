//! What counts as a permitted change of terms (办法 三（三）1: 变更实施方式或者
//! 降低费用标准), independent of dates.
//!
//! The "terms" are the mode set and the fee's payment method, amount and
//! royalty. Raw source texts, parse flags and `announced_on` describe how a
//! declaration was written down, not what it offers, so they are ignored.

use super::TermsRefusal;
use crate::{Declaration, FeeStandard, ImplementationMode, PaymentMethod, YuanRange};
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// How one part of the fee moves from the current to the new declaration.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    Same,
    Lower,
    /// Some part goes up; the text says which and by how much.
    Raised(String),
    /// The parts cannot be compared, so a lowering cannot be shown.
    NotShownLower(String),
}

/// Whether moving from `current` to `new` is a change the 办法 allows once
/// the six months have run: the modes change, or the fee is lowered, or both;
/// and nothing about the fee goes up or becomes uncomparable.
pub(super) fn check_change(current: &Declaration, new: &Declaration) -> Result<(), TermsRefusal> {
    let modes_changed = current.modes != new.modes;
    let fee = compare_fees(&current.fee, &new.fee);
    if !modes_changed && fee == Change::Same {
        return Err(TermsRefusal::NoChange);
    }
    if new.modes.is_empty() && !current.modes.is_empty() {
        return Err(TermsRefusal::ModesRemoved {
            was: modes_text(&current.modes),
        });
    }
    match fee {
        Change::Raised(what) => Err(TermsRefusal::FeeRaised { what }),
        Change::NotShownLower(what) => Err(TermsRefusal::FeeNotShownLower { what }),
        Change::Same | Change::Lower => Ok(()),
    }
}

/// Any part raised wins, because the 办法 allows only lowering; then any part
/// that cannot be compared; a different payment method at a price that is not
/// lower is not a lowering either.
fn compare_fees(current: &FeeStandard, new: &FeeStandard) -> Change {
    let parts = [
        compare_price(price(current), price(new)),
        compare_royalty(royalty(current), royalty(new)),
    ];
    if let Some(raised) = parts.iter().find(|c| matches!(c, Change::Raised(_))) {
        return raised.clone();
    }
    if let Some(unknown) = parts.iter().find(|c| matches!(c, Change::NotShownLower(_))) {
        return unknown.clone();
    }
    if parts.contains(&Change::Lower) {
        return Change::Lower;
    }
    if current.method != new.method {
        return Change::NotShownLower(format!(
            "the payment method changes from {} to {} while the price stays the same",
            method_text(current.method),
            method_text(new.method)
        ));
    }
    Change::Same
}

/// The price as an amount, `None` when it is open (面议 or not stated).
/// A royalty-only fee (提成) has no upfront price at all, which is zero and
/// not open: otherwise dropping an entry fee (入门费+提成 → 提成) would look
/// like turning a price into 面议.
fn price(fee: &FeeStandard) -> Option<YuanRange> {
    match (fee.amount, fee.method) {
        (Some(amount), _) => Some(amount),
        (None, Some(PaymentMethod::Royalty)) => Some(YuanRange::exact(0)),
        (None, _) => None,
    }
}

/// The royalty rate in percent, `None` when it is open. A fee with a stated
/// price and a method that takes no royalty has none, i.e. zero: so adding a
/// royalty to it counts as a raise.
fn royalty(fee: &FeeStandard) -> Option<f64> {
    if fee.royalty_percent.is_some() {
        return fee.royalty_percent;
    }
    match fee.method {
        Some(PaymentMethod::Royalty | PaymentMethod::EntryFeePlusRoyalty) => None,
        _ if fee.amount.is_none() => None,
        _ => Some(0.0),
    }
}

fn compare_price(current: Option<YuanRange>, new: Option<YuanRange>) -> Change {
    match (current, new) {
        (None, None) => Change::Same,
        (Some(c), None) => Change::Raised(format!(
            "the price {} would become 面议 or unstated",
            yuan_text(c)
        )),
        (None, Some(n)) => Change::NotShownLower(format!(
            "the price was 面议 or unstated, so {} cannot be shown to be lower",
            yuan_text(n)
        )),
        (Some(c), Some(n)) if n.min > c.min || n.max > c.max => Change::Raised(format!(
            "the price rises from {} to {}",
            yuan_text(c),
            yuan_text(n)
        )),
        (Some(c), Some(n)) if n == c => Change::Same,
        (Some(_), Some(_)) => Change::Lower,
    }
}

fn compare_royalty(current: Option<f64>, new: Option<f64>) -> Change {
    match (current, new) {
        (None, None) => Change::Same,
        (Some(c), None) => {
            Change::Raised(format!("the royalty of {c}% would become 面议 or unstated"))
        }
        (None, Some(n)) => Change::NotShownLower(format!(
            "the royalty was 面议 or unstated, so {n}% cannot be shown to be lower"
        )),
        (Some(c), Some(n)) => match n.partial_cmp(&c) {
            Some(Ordering::Greater) => {
                Change::Raised(format!("the royalty rises from {c}% to {n}%"))
            }
            Some(Ordering::Less) => Change::Lower,
            Some(Ordering::Equal) => Change::Same,
            None => Change::NotShownLower(format!("the royalty {c}% → {n}% is not a number")),
        },
    }
}

fn yuan_text(range: YuanRange) -> String {
    if range.min == range.max {
        format!("{} yuan", range.min)
    } else {
        format!("{}–{} yuan", range.min, range.max)
    }
}

fn method_text(method: Option<PaymentMethod>) -> String {
    method.map_or_else(|| "unstated".to_owned(), |m| m.as_str().to_owned())
}

fn modes_text(modes: &BTreeSet<ImplementationMode>) -> String {
    modes
        .iter()
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fee(
        method: Option<PaymentMethod>,
        amount: Option<(u64, u64)>,
        royalty: Option<f64>,
    ) -> FeeStandard {
        FeeStandard {
            method,
            amount: amount.map(|(min, max)| YuanRange::new(min, max).unwrap()),
            royalty_percent: royalty,
            ..FeeStandard::default()
        }
    }

    fn decl(modes: &[ImplementationMode], fee: FeeStandard) -> Declaration {
        Declaration {
            modes: modes.iter().copied().collect(),
            fee,
            ..Declaration::default()
        }
    }

    use ImplementationMode::{OrdinaryLicence, Transfer};
    use PaymentMethod::{EntryFeePlusRoyalty, Instalments, LumpSum, Negotiable, Royalty};

    fn lump(min: u64, max: u64) -> FeeStandard {
        fee(Some(LumpSum), Some((min, max)), None)
    }

    #[test]
    fn texts_and_dates_are_not_terms() {
        let current = decl(&[Transfer], lump(100, 100));
        let mut new = current.clone();
        new.modes_text = Some("转让".into());
        new.fee.raw = Some("100元".into());
        new.fee.unparsed = true;
        new.announced_on = chrono::NaiveDate::from_ymd_opt(2026, 8, 1);
        assert_eq!(check_change(&current, &new), Err(TermsRefusal::NoChange));
    }

    #[test]
    fn range_lowering_rules() {
        let current = decl(&[Transfer], lump(100, 200));
        let ok = |min, max| check_change(&current, &decl(&[Transfer], lump(min, max)));
        assert_eq!(ok(100, 150), Ok(()), "max lower, min same");
        assert_eq!(ok(50, 200), Ok(()), "max same, min lower");
        assert_eq!(ok(80, 80), Ok(()), "both lower");
        assert!(
            matches!(ok(120, 180), Err(TermsRefusal::FeeRaised { .. })),
            "min raised"
        );
        assert!(
            matches!(ok(50, 250), Err(TermsRefusal::FeeRaised { .. })),
            "max raised"
        );
    }

    #[test]
    fn priced_to_negotiable_is_a_raise_and_back_is_unprovable() {
        let priced = decl(&[Transfer], lump(100, 100));
        let open = decl(&[Transfer], FeeStandard::negotiable());
        let raised = check_change(&priced, &open).unwrap_err();
        assert!(matches!(raised, TermsRefusal::FeeRaised { .. }));
        assert!(raised.to_string().contains("100 yuan"), "{raised}");
        let back = check_change(&open, &priced).unwrap_err();
        assert!(matches!(back, TermsRefusal::FeeNotShownLower { .. }));
        assert!(
            back.to_string().starts_with("cannot show the fee is lower"),
            "{back}"
        );
    }

    #[test]
    fn method_change_needs_a_lower_price() {
        let current = decl(&[Transfer], lump(100, 100));
        let same_price = decl(&[Transfer], fee(Some(Instalments), Some((100, 100)), None));
        let lower_price = decl(&[Transfer], fee(Some(Instalments), Some((90, 90)), None));
        let refused = check_change(&current, &same_price).unwrap_err();
        assert!(matches!(refused, TermsRefusal::FeeNotShownLower { .. }));
        assert!(refused.to_string().contains("一次性 to 分期"), "{refused}");
        // Even alongside a mode change the fee must not move sideways.
        let with_mode = decl(&[OrdinaryLicence], same_price.fee.clone());
        assert!(check_change(&current, &with_mode).is_err());
        assert_eq!(check_change(&current, &lower_price), Ok(()));
    }

    #[test]
    fn royalty_rules() {
        let current = decl(
            &[OrdinaryLicence],
            fee(Some(EntryFeePlusRoyalty), Some((100, 100)), Some(5.0)),
        );
        let higher = decl(
            &[OrdinaryLicence],
            fee(Some(EntryFeePlusRoyalty), Some((100, 100)), Some(6.0)),
        );
        let lower = decl(
            &[OrdinaryLicence],
            fee(Some(EntryFeePlusRoyalty), Some((100, 100)), Some(4.5)),
        );
        let no_entry_fee = decl(&[OrdinaryLicence], fee(Some(Royalty), None, Some(5.0)));
        let raised = check_change(&current, &higher).unwrap_err();
        assert!(raised.to_string().contains("5% to 6%"), "{raised}");
        assert_eq!(check_change(&current, &lower), Ok(()));
        assert_eq!(
            check_change(&current, &no_entry_fee),
            Ok(()),
            "dropping the entry fee lowers"
        );
        // A lump sum swapped for a royalty adds a charge that was not there.
        let lump_sum = decl(&[Transfer], lump(100, 100));
        let royalty_only = decl(&[Transfer], fee(Some(Royalty), None, Some(3.0)));
        assert!(matches!(
            check_change(&lump_sum, &royalty_only),
            Err(TermsRefusal::FeeRaised { .. })
        ));
    }

    #[test]
    fn modes_may_change_but_not_vanish() {
        let current = decl(&[Transfer], lump(100, 100));
        assert_eq!(
            check_change(
                &current,
                &decl(&[Transfer, OrdinaryLicence], lump(100, 100))
            ),
            Ok(())
        );
        assert_eq!(
            check_change(&current, &decl(&[], lump(90, 90))),
            Err(TermsRefusal::ModesRemoved {
                was: "转让".into()
            })
        );
    }

    #[test]
    fn negotiable_to_negotiable_is_no_change() {
        let open = decl(&[Transfer], fee(Some(Negotiable), None, None));
        assert_eq!(
            check_change(&open, &open.clone()),
            Err(TermsRefusal::NoChange)
        );
    }
}
