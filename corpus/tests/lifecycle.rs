//! The 办法's rules over time (三（三）1 and 三（三）3) on China's official 2026
//! calendar. Expected dates are worked out by hand from the State Council's
//! 2026 schedule as carried by `chinese_holiday` 2026.0.1 (constants.rs):
//!
//! - 元旦: Thu 01-01 – Sat 01-03 off; Sun 01-04 worked.
//! - 春节: Sun 02-15 – Mon 02-23 off; Sat 02-14 and Sat 02-28 worked.
//! - 中秋: Fri 09-25 – Sun 09-27 off.
//! - 国庆: Thu 10-01 – Wed 10-07 off; Sun 09-20 and Sat 10-10 worked.

use chrono::NaiveDate;
use patmatch_corpus::{
    withdrawal_effective_on, Declaration, Error, FeeStandard, ImplementationMode, Lifecycle,
    LifecycleEvent, PaymentMethod, TermsRefusal, WorkCalendar, YuanRange, WITHDRAWAL_WORKING_DAYS,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a valid date")
}

fn declaration(modes: &[ImplementationMode], min: u64, max: u64) -> Declaration {
    Declaration {
        modes: modes.iter().copied().collect(),
        fee: FeeStandard {
            method: Some(PaymentMethod::LumpSum),
            amount: Some(YuanRange::new(min, max).expect("min <= max")),
            ..FeeStandard::default()
        },
        announced_on: Some(d(2026, 1, 15)),
        ..Declaration::default()
    }
}

/// Listed Thu 2026-01-15: transfer for 100 000–200 000 yuan, lump sum.
fn listed() -> (Lifecycle, Declaration) {
    (
        Lifecycle::new(Some(d(2026, 1, 15))),
        declaration(&[ImplementationMode::Transfer], 100_000, 200_000),
    )
}

fn cheaper() -> Declaration {
    declaration(&[ImplementationMode::Transfer], 100_000, 150_000)
}

fn intent(on: NaiveDate) -> LifecycleEvent {
    LifecycleEvent::IntentRecorded {
        on,
        party: "某机械有限公司".into(),
        note: None,
    }
}

fn licence(on: NaiveDate, licensee: &str) -> LifecycleEvent {
    LifecycleEvent::LicenceGranted {
        on,
        licensee: licensee.into(),
        mode: ImplementationMode::OrdinaryLicence,
    }
}

// ---- working days -------------------------------------------------------

#[test]
fn spring_festival_holidays_are_off_and_make_up_saturdays_on() {
    let cal = WorkCalendar;
    assert!(cal.is_working_day(d(2026, 2, 13)).unwrap(), "Fri before");
    assert!(cal.is_working_day(d(2026, 2, 14)).unwrap(), "make-up Sat");
    assert!(!cal.is_working_day(d(2026, 2, 16)).unwrap(), "Mon in 春节");
    assert!(
        !cal.is_working_day(d(2026, 2, 23)).unwrap(),
        "last day of 春节, a Monday"
    );
    assert!(cal.is_working_day(d(2026, 2, 24)).unwrap(), "Tue after");
    assert!(
        !cal.is_working_day(d(2026, 2, 21)).unwrap(),
        "Sat inside the holiday"
    );
    assert!(cal.is_working_day(d(2026, 2, 28)).unwrap(), "make-up Sat");
    assert!(!cal.is_working_day(d(2026, 3, 7)).unwrap(), "ordinary Sat");
}

#[test]
fn working_days_across_spring_festival() {
    let cal = WorkCalendar;
    // From Thu 02-12: Fri 02-13 (1), Sat 02-14 make-up (2), holiday 02-15..23,
    // Tue 02-24 (3) … Fri 02-27 (6), Sat 02-28 make-up (7).
    assert_eq!(
        cal.add_working_days(d(2026, 2, 12), 1).unwrap(),
        d(2026, 2, 13)
    );
    assert_eq!(
        cal.add_working_days(d(2026, 2, 12), 2).unwrap(),
        d(2026, 2, 14)
    );
    assert_eq!(
        cal.add_working_days(d(2026, 2, 12), 3).unwrap(),
        d(2026, 2, 24)
    );
    assert_eq!(
        cal.add_working_days(d(2026, 2, 12), 7).unwrap(),
        d(2026, 2, 28)
    );
    // Counting from inside the holiday: Tue 02-24 is the first.
    assert_eq!(
        cal.add_working_days(d(2026, 2, 18), 1).unwrap(),
        d(2026, 2, 24)
    );
}

#[test]
fn working_days_across_national_day_and_mid_autumn() {
    let cal = WorkCalendar;
    assert!(cal.is_working_day(d(2026, 9, 20)).unwrap(), "make-up Sun");
    assert!(!cal.is_working_day(d(2026, 9, 25)).unwrap(), "中秋 Fri");
    assert!(!cal.is_working_day(d(2026, 10, 7)).unwrap(), "国庆 Wed");
    assert!(cal.is_working_day(d(2026, 10, 10)).unwrap(), "make-up Sat");
    // From Thu 09-17: Fri 09-18 (1), Sun 09-20 make-up (2), Mon 09-21 (3) …
    // Thu 09-24 (6), 中秋 09-25..27 off, Mon 09-28 (7).
    assert_eq!(
        cal.add_working_days(d(2026, 9, 17), 2).unwrap(),
        d(2026, 9, 20)
    );
    assert_eq!(
        cal.add_working_days(d(2026, 9, 17), 7).unwrap(),
        d(2026, 9, 28)
    );
    // From Wed 09-30: 国庆 10-01..07 off, Thu 10-08 (1), Fri 10-09 (2), Sat 10-10 (3).
    assert_eq!(
        cal.add_working_days(d(2026, 9, 30), 3).unwrap(),
        d(2026, 10, 10)
    );
}

#[test]
fn days_beyond_the_holiday_data_are_an_error_not_a_panic() {
    let cal = WorkCalendar;
    assert_eq!(cal.last_covered_day(), d(2026, 12, 25));
    assert!(cal.covers(d(2026, 12, 25)));
    assert!(!cal.covers(d(2026, 12, 28)));
    assert!(matches!(
        cal.is_working_day(d(2027, 1, 4)),
        Err(Error::CalendarUncovered { year: 2027 })
    ));
    // Wed 12-16: Thu 17, Fri 18, Mon 21 … Fri 25 is the 7th — the last one
    // that can be computed. From Thu 12-17 the 7th would be Mon 12-28.
    assert_eq!(
        withdrawal_effective_on(d(2026, 12, 16)).unwrap(),
        d(2026, 12, 25)
    );
    let err = withdrawal_effective_on(d(2026, 12, 17)).unwrap_err();
    assert!(
        matches!(err, Error::CalendarUncovered { year: 2026 }),
        "{err}"
    );
    assert!(matches!(
        withdrawal_effective_on(d(2027, 3, 1)),
        Err(Error::CalendarUncovered { year: 2027 })
    ));
    let (mut lifecycle, _) = listed();
    assert!(matches!(
        lifecycle.withdraw(d(2026, 12, 21), "expired"),
        Err(Error::CalendarUncovered { .. })
    ));
    assert!(
        lifecycle.withdrawal().is_none(),
        "nothing recorded on failure"
    );
}

// ---- withdrawal ---------------------------------------------------------

#[test]
fn withdrawal_just_before_spring_festival() {
    assert_eq!(WITHDRAWAL_WORKING_DAYS, 7);
    // Thu 02-12 → Sat 02-28 (see working_days_across_spring_festival).
    assert_eq!(
        withdrawal_effective_on(d(2026, 2, 12)).unwrap(),
        d(2026, 2, 28)
    );
}

#[test]
fn withdrawal_just_before_national_day() {
    // Tue 09-29: Wed 09-30 (1), 国庆 off, Thu 10-08 (2), Fri 10-09 (3),
    // Sat 10-10 make-up (4), Mon 10-12 (5), Tue 10-13 (6), Wed 10-14 (7).
    assert_eq!(
        withdrawal_effective_on(d(2026, 9, 29)).unwrap(),
        d(2026, 10, 14)
    );
    // Announced during the holiday, Sat 10-03: Thu 10-08 (1) … Thu 10-15 (7).
    assert_eq!(
        withdrawal_effective_on(d(2026, 10, 3)).unwrap(),
        d(2026, 10, 15)
    );
}

#[test]
fn withdrawal_announced_on_a_make_up_saturday() {
    // Sat 02-28 is worked but not counted: Mon 03-02 (1) … Fri 03-06 (5),
    // Mon 03-09 (6), Tue 03-10 (7).
    assert_eq!(
        withdrawal_effective_on(d(2026, 2, 28)).unwrap(),
        d(2026, 3, 10)
    );
    // Sat 10-10: Mon 10-12 (1) … Fri 10-16 (5), Mon 10-19 (6), Tue 10-20 (7).
    assert_eq!(
        withdrawal_effective_on(d(2026, 10, 10)).unwrap(),
        d(2026, 10, 20)
    );
}

#[test]
fn searchable_through_the_effective_day_and_not_after() {
    let (mut lifecycle, _) = listed();
    let effective = lifecycle
        .withdraw(d(2026, 9, 29), "专利权已经实施")
        .unwrap();
    assert_eq!(effective, d(2026, 10, 14));
    let withdrawal = lifecycle.withdrawal().unwrap();
    assert_eq!(withdrawal.announced_on, d(2026, 9, 29));
    assert_eq!(withdrawal.effective_on, d(2026, 10, 14));
    assert!(lifecycle.is_searchable(d(2026, 9, 29)), "announcement day");
    assert!(lifecycle.is_searchable(d(2026, 10, 13)), "day before");
    assert!(lifecycle.is_searchable(d(2026, 10, 14)), "effective day");
    assert!(!lifecycle.is_searchable(d(2026, 10, 15)), "day after");
    assert!(!lifecycle.is_searchable(d(2027, 6, 1)));
}

#[test]
fn searchable_from_listing_and_when_the_listing_date_is_unknown() {
    let (lifecycle, _) = listed();
    assert!(!lifecycle.is_searchable(d(2026, 1, 14)));
    assert!(lifecycle.is_searchable(d(2026, 1, 15)));
    let unknown = Lifecycle::new(None);
    assert!(unknown.is_searchable(d(2010, 1, 1)));
    assert!(unknown.is_searchable(d(2030, 1, 1)));
}

#[test]
fn licences_granted_before_a_withdrawal_survive_it() {
    let (mut lifecycle, declared) = listed();
    lifecycle
        .record(licence(d(2026, 3, 2), "甲公司"), &declared)
        .unwrap();
    lifecycle
        .withdraw(d(2026, 9, 29), "不宜继续公开实施")
        .unwrap();
    // Still in force until 10-14, so a licence on 10-12 counts too.
    lifecycle
        .record(licence(d(2026, 10, 12), "乙公司"), &declared)
        .unwrap();
    let late = lifecycle.record(licence(d(2026, 10, 15), "丙公司"), &declared);
    assert!(matches!(late, Err(Error::Lifecycle(_))), "{late:?}");
    assert!(!lifecycle.is_searchable(d(2026, 11, 25)));
    let licensees: Vec<&str> = lifecycle
        .licences()
        .map(|event| match event {
            LifecycleEvent::LicenceGranted { licensee, .. } => licensee.as_str(),
            other => panic!("not a licence: {other:?}"),
        })
        .collect();
    assert_eq!(licensees, ["甲公司", "乙公司"]);
}

#[test]
fn a_second_withdrawal_or_a_wrong_effective_day_is_refused() {
    let (mut lifecycle, declared) = listed();
    let wrong = LifecycleEvent::WithdrawalAnnounced {
        on: d(2026, 2, 12),
        // Seven calendar days, not seven working days.
        effective_on: d(2026, 2, 19),
        reason: "x".into(),
    };
    let err = lifecycle.record(wrong, &declared).unwrap_err();
    assert!(err.to_string().contains("2026-02-28"), "{err}");
    let right = LifecycleEvent::WithdrawalAnnounced {
        on: d(2026, 2, 12),
        effective_on: d(2026, 2, 28),
        reason: "专利权终止".into(),
    };
    lifecycle.record(right, &declared).unwrap();
    let again = lifecycle.withdraw(d(2026, 2, 13), "again").unwrap_err();
    assert!(
        again
            .to_string()
            .contains("already announced on 2026-02-12"),
        "{again}"
    );
    assert_eq!(lifecycle.events.len(), 1);
}

#[test]
fn events_go_forward_in_time_from_the_listing() {
    let (mut lifecycle, declared) = listed();
    let early = lifecycle.record(intent(d(2026, 1, 14)), &declared);
    assert!(matches!(early, Err(Error::Lifecycle(_))), "{early:?}");
    lifecycle.record(intent(d(2026, 3, 10)), &declared).unwrap();
    lifecycle.record(intent(d(2026, 3, 10)), &declared).unwrap();
    let back = lifecycle
        .record(intent(d(2026, 3, 9)), &declared)
        .unwrap_err();
    assert!(back.to_string().contains("2026-03-10"), "{back}");
    assert_eq!(lifecycle.events.len(), 2);
}

// ---- the six-month rule -------------------------------------------------

#[test]
fn terms_are_fixed_until_six_months_have_passed() {
    let (lifecycle, declared) = listed();
    // One day short: 01-15 + 6 months = 07-15.
    let refusal = lifecycle
        .may_change_terms(d(2026, 7, 14), &declared, &cheaper())
        .unwrap_err();
    assert_eq!(
        refusal,
        TermsRefusal::TooEarly {
            since: d(2026, 1, 15),
            started_by: "listing",
            allowed_from: d(2026, 7, 15),
        }
    );
    let message = refusal.to_string();
    assert!(
        message.contains("2026-01-15") && message.contains("2026-07-15"),
        "{message}"
    );
    // Exactly six months.
    assert_eq!(
        lifecycle.may_change_terms(d(2026, 7, 15), &declared, &cheaper()),
        Ok(())
    );
}

#[test]
fn six_calendar_months_from_a_month_end() {
    let lifecycle = Lifecycle::new(Some(d(2025, 8, 31)));
    let declared = declaration(&[ImplementationMode::Transfer], 100_000, 200_000);
    // There is no 02-31: the six months run out on 02-28.
    assert!(matches!(
        lifecycle.may_change_terms(d(2026, 2, 27), &declared, &cheaper()),
        Err(TermsRefusal::TooEarly { allowed_from, .. }) if allowed_from == d(2026, 2, 28)
    ));
    assert_eq!(
        lifecycle.may_change_terms(d(2026, 2, 28), &declared, &cheaper()),
        Ok(())
    );
}

#[test]
fn an_intent_restarts_the_clock() {
    let (mut lifecycle, declared) = listed();
    lifecycle.record(intent(d(2026, 3, 10)), &declared).unwrap();
    let refusal = lifecycle
        .may_change_terms(d(2026, 7, 15), &declared, &cheaper())
        .unwrap_err();
    assert_eq!(
        refusal,
        TermsRefusal::TooEarly {
            since: d(2026, 3, 10),
            started_by: "implementation intent",
            allowed_from: d(2026, 9, 10),
        }
    );
    assert_eq!(
        lifecycle.may_change_terms(d(2026, 9, 10), &declared, &cheaper()),
        Ok(())
    );
    // Asked about a day before the intent, only the listing counts.
    assert!(matches!(
        lifecycle.may_change_terms(d(2026, 3, 1), &declared, &cheaper()),
        Err(TermsRefusal::TooEarly { since, .. }) if since == d(2026, 1, 15)
    ));
}

#[test]
fn a_licence_restarts_the_clock_too() {
    let (mut lifecycle, declared) = listed();
    lifecycle
        .record(licence(d(2026, 4, 1), "甲公司"), &declared)
        .unwrap();
    assert!(matches!(
        lifecycle.may_change_terms(d(2026, 8, 1), &declared, &cheaper()),
        Err(TermsRefusal::TooEarly { started_by: "licence", allowed_from, .. })
            if allowed_from == d(2026, 10, 1)
    ));
}

#[test]
fn raising_the_fee_is_refused_even_after_six_months() {
    let (lifecycle, declared) = listed();
    let dearer = declaration(&[ImplementationMode::Transfer], 100_000, 250_000);
    let refusal = lifecycle
        .may_change_terms(d(2026, 8, 1), &declared, &dearer)
        .unwrap_err();
    assert!(matches!(refusal, TermsRefusal::FeeRaised { .. }));
    let message = refusal.to_string();
    assert!(
        message.contains("100000–200000 yuan") && message.contains("100000–250000 yuan"),
        "{message}"
    );
    // A raise is reported before "too early": waiting would not help.
    assert!(matches!(
        lifecycle.may_change_terms(d(2026, 2, 1), &declared, &dearer),
        Err(TermsRefusal::FeeRaised { .. })
    ));
    // A higher royalty is a raise as well.
    let mut with_royalty = declared.clone();
    with_royalty.fee.method = Some(PaymentMethod::EntryFeePlusRoyalty);
    with_royalty.fee.royalty_percent = Some(3.0);
    let mut higher = with_royalty.clone();
    higher.fee.royalty_percent = Some(4.0);
    assert!(matches!(
        lifecycle.may_change_terms(d(2026, 8, 1), &with_royalty, &higher),
        Err(TermsRefusal::FeeRaised { .. })
    ));
}

#[test]
fn negotiable_fees_cannot_be_shown_lower_or_be_introduced() {
    let (lifecycle, declared) = listed();
    let mut negotiable = declared.clone();
    negotiable.fee = FeeStandard::negotiable();
    assert!(matches!(
        lifecycle.may_change_terms(d(2026, 8, 1), &declared, &negotiable),
        Err(TermsRefusal::FeeRaised { .. })
    ));
    let refusal = lifecycle
        .may_change_terms(d(2026, 8, 1), &negotiable, &declared)
        .unwrap_err();
    assert!(matches!(refusal, TermsRefusal::FeeNotShownLower { .. }));
    assert!(
        refusal.to_string().contains("cannot show the fee is lower"),
        "{refusal}"
    );
}

#[test]
fn lowering_the_fee_after_six_months_is_recorded_and_restarts_the_clock() {
    let (mut lifecycle, declared) = listed();
    let change = LifecycleEvent::TermsChanged {
        on: d(2026, 8, 3),
        declaration: cheaper(),
    };
    lifecycle.record(change, &declared).unwrap();
    assert_eq!(lifecycle.current_declaration(&declared), &cheaper());
    // The next change is measured from the re-announcement, against the new terms.
    let cheaper_still = declaration(&[ImplementationMode::Transfer], 80_000, 120_000);
    let too_soon = LifecycleEvent::TermsChanged {
        on: d(2026, 11, 25),
        declaration: cheaper_still.clone(),
    };
    let err = lifecycle.record(too_soon, &declared).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::TermsRefused(TermsRefusal::TooEarly { since, allowed_from, .. })
                if *since == d(2026, 8, 3) && *allowed_from == d(2027, 2, 3)
        ),
        "{err}"
    );
    // Against the new terms, going back to the original price is a raise.
    assert!(matches!(
        lifecycle.may_change_terms(
            d(2027, 3, 1),
            lifecycle.current_declaration(&declared),
            &declared
        ),
        Err(TermsRefusal::FeeRaised { .. })
    ));
    assert_eq!(lifecycle.events.len(), 1);
}

#[test]
fn changing_the_mode_is_allowed_after_six_months() {
    let (mut lifecycle, declared) = listed();
    let licensing = declaration(
        &[
            ImplementationMode::Transfer,
            ImplementationMode::OrdinaryLicence,
        ],
        100_000,
        200_000,
    );
    assert!(matches!(
        lifecycle.may_change_terms(d(2026, 7, 14), &declared, &licensing),
        Err(TermsRefusal::TooEarly { .. })
    ));
    let change = LifecycleEvent::TermsChanged {
        on: d(2026, 7, 15),
        declaration: licensing.clone(),
    };
    lifecycle.record(change, &declared).unwrap();
    assert_eq!(lifecycle.current_declaration(&declared), &licensing);
}

#[test]
fn no_change_is_refused_and_texts_do_not_count_as_change() {
    let (lifecycle, declared) = listed();
    let mut reworded = declared.clone();
    reworded.modes_text = Some("专利权转让".into());
    reworded.fee.raw = Some("10-20万元，一次性支付".into());
    reworded.announced_on = Some(d(2026, 8, 1));
    assert_eq!(
        lifecycle.may_change_terms(d(2026, 8, 1), &declared, &reworded),
        Err(TermsRefusal::NoChange)
    );
}

#[test]
fn no_terms_change_once_a_withdrawal_is_announced() {
    let (mut lifecycle, declared) = listed();
    lifecycle
        .withdraw(d(2026, 9, 29), "专利权已经实施")
        .unwrap();
    // Before its effective day the listing still stands, but its terms are final.
    let refusal = lifecycle
        .may_change_terms(d(2026, 10, 9), &declared, &cheaper())
        .unwrap_err();
    assert_eq!(
        refusal,
        TermsRefusal::Withdrawn {
            announced_on: d(2026, 9, 29),
            effective_on: d(2026, 10, 14),
        }
    );
    assert!(refusal.to_string().contains("2026-10-14"), "{refusal}");
    // Asked about a day before the withdrawal, the change was allowed.
    assert_eq!(
        lifecycle.may_change_terms(d(2026, 8, 1), &declared, &cheaper()),
        Ok(())
    );
    let change = LifecycleEvent::TermsChanged {
        on: d(2026, 10, 9),
        declaration: cheaper(),
    };
    assert!(matches!(
        lifecycle.record(change, &declared),
        Err(Error::TermsRefused(TermsRefusal::Withdrawn { .. }))
    ));
}

#[test]
fn an_unknown_listing_date_needs_a_later_event_to_start_the_clock() {
    let mut lifecycle = Lifecycle::new(None);
    let declared = declaration(&[ImplementationMode::Transfer], 100_000, 200_000);
    assert_eq!(
        lifecycle.may_change_terms(d(2026, 8, 1), &declared, &cheaper()),
        Err(TermsRefusal::ListedDateUnknown)
    );
    // An intent cannot precede the listing, so the clock runs from it.
    lifecycle.record(intent(d(2026, 1, 20)), &declared).unwrap();
    assert_eq!(
        lifecycle.may_change_terms(d(2026, 7, 20), &declared, &cheaper()),
        Ok(())
    );
    assert!(matches!(
        lifecycle.may_change_terms(d(2026, 7, 19), &declared, &cheaper()),
        Err(TermsRefusal::TooEarly { .. })
    ));
}

#[test]
fn lifecycle_round_trips_through_json() {
    let (mut lifecycle, declared) = listed();
    lifecycle.record(intent(d(2026, 3, 10)), &declared).unwrap();
    lifecycle
        .withdraw(d(2026, 9, 29), "专利权已经实施")
        .unwrap();
    let json = serde_json::to_string(&lifecycle).unwrap();
    let back: Lifecycle = serde_json::from_str(&json).unwrap();
    assert_eq!(back, lifecycle);
    assert_eq!(back.withdrawal().unwrap().effective_on, d(2026, 10, 14));
}
