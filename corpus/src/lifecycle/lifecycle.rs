use super::terms::check_change;
use super::Withdrawal;
use crate::{Declaration, LifecycleEvent, TermsRefusal, WorkCalendar};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Working days between a withdrawal's announcement and its effect (办法 三（三）3).
pub const WITHDRAWAL_WORKING_DAYS: u32 = 7;

/// Consecutive calendar months without an implementation intent after which
/// the terms may change (办法 三（三）1: 连续六个月以上未达成实施意向).
const TERMS_FIXED_MONTHS: u32 = 6;

/// The day a withdrawal announced on `announced` takes effect.
///
/// 办法 三（三）3: 撤回声明"经公告七个工作日后生效". Read as: the announcement
/// day is not counted (it is rarely a full working day of notice), and the
/// seven working days are counted on China's official calendar, so weekends
/// and national holidays are skipped and make-up working days (调休) count.
/// The result is the seventh of those working days. It is the last day the
/// declaration stands: the listing can still be found and dealt with on it,
/// and is gone from the next day (see [`Lifecycle::is_searchable`]).
///
/// Fails with [`crate::Error::CalendarUncovered`] when the count runs past
/// the holiday data (today, for announcements after 2026-12-16).
pub fn withdrawal_effective_on(announced: NaiveDate) -> crate::Result<NaiveDate> {
    WorkCalendar.add_working_days(announced, WITHDRAWAL_WORKING_DAYS)
}

/// A listing's history over time and the rules that follow from it.
///
/// The fields are public for storage; [`Lifecycle::record`] and
/// [`Lifecycle::withdraw`] are the way to add to the history with the rules
/// of the 办法 checked.
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
    ///
    /// Not before its first announcement, since until then it is not public;
    /// with that date unknown we cannot tell, and hiding a real listing is
    /// worse than showing it early. After a withdrawal it stays findable up
    /// to and including the effective day (办法 三（三）3: the withdrawal only
    /// takes effect once the seven working days have run).
    pub fn is_searchable(&self, on: NaiveDate) -> bool {
        if self.listed_on.is_some_and(|listed| on < listed) {
            return false;
        }
        !self
            .withdrawal()
            .is_some_and(|withdrawal| withdrawal.is_complete_on(on))
    }

    /// The announced withdrawal, if any.
    pub fn withdrawal(&self) -> Option<Withdrawal> {
        self.events.iter().find_map(|event| match event {
            LifecycleEvent::WithdrawalAnnounced {
                on,
                effective_on,
                reason,
            } => Some(Withdrawal {
                announced_on: *on,
                effective_on: *effective_on,
                reason: reason.clone(),
            }),
            _ => None,
        })
    }

    /// The licences and transfers concluded, withdrawal or not: a withdrawal
    /// does not affect what was granted before it (办法 三（三）3: 不影响在先
    /// 给予的公开实施的效力). Only `LicenceGranted` events are yielded.
    pub fn licences(&self) -> impl Iterator<Item = &LifecycleEvent> + '_ {
        self.events
            .iter()
            .filter(|event| matches!(event, LifecycleEvent::LicenceGranted { .. }))
    }

    /// The declaration in force: the one from the last recorded terms
    /// change, or `declared` (the declaration as first listed) if there was
    /// none. Taking `declared` as an argument keeps the stored form of the
    /// lifecycle to its history alone.
    pub fn current_declaration<'a>(&'a self, declared: &'a Declaration) -> &'a Declaration {
        self.events
            .iter()
            .rev()
            .find_map(|event| match event {
                LifecycleEvent::TermsChanged { declaration, .. } => Some(declaration),
                _ => None,
            })
            .unwrap_or(declared)
    }

    /// Whether the terms may change from `current` to `new` on `on`
    /// (办法 三（三）1; 指导意见 task 4).
    ///
    /// Terms are fixed once announced. After six consecutive calendar months
    /// with no implementation intent the holder may change the modes or
    /// lower the fee (or both) and announce again. The clock starts at the
    /// latest of: the listing, the last re-announcement of changed terms, the
    /// last intent or licence (a licence presupposes an intent). Only events
    /// on or before `on` count, so past days can be asked about too. Months
    /// are calendar months: from 08-31 the first allowed day is 02-28 (or 29).
    ///
    /// Refusals that no amount of waiting can cure (withdrawn, no change,
    /// fee raised …) are reported before "too early", so the holder is not
    /// told to wait for a change that would be refused anyway. With the
    /// listing date unknown, the clock can still run from a later intent,
    /// licence or re-announcement, since none of them can precede the listing.
    pub fn may_change_terms(
        &self,
        on: NaiveDate,
        current: &Declaration,
        new: &Declaration,
    ) -> Result<(), TermsRefusal> {
        if let Some(withdrawal) = self.withdrawal().filter(|w| w.announced_on <= on) {
            return Err(TermsRefusal::Withdrawn {
                announced_on: withdrawal.announced_on,
                effective_on: withdrawal.effective_on,
            });
        }
        check_change(current, new)?;
        let (since, started_by) = self
            .clock_start(on)
            .ok_or(TermsRefusal::ListedDateUnknown)?;
        // Past chrono's last date the change is simply never due.
        let allowed_from = since
            .checked_add_months(Months::new(TERMS_FIXED_MONTHS))
            .unwrap_or(NaiveDate::MAX);
        if on < allowed_from {
            return Err(TermsRefusal::TooEarly {
                since,
                started_by,
                allowed_from,
            });
        }
        Ok(())
    }

    /// Validates `event` and appends it to the history.
    ///
    /// `declared` is the declaration as first listed; a `TermsChanged` is
    /// checked with [`Lifecycle::may_change_terms`] against the declaration
    /// then in force (see [`Lifecycle::current_declaration`]). Refused:
    /// - an event dated before the listing or before the last event, since
    ///   the history is append-only and in date order;
    /// - anything dated after the withdrawal's effective day; what came
    ///   before stays as it is, licences included (办法 三（三）3);
    /// - a second withdrawal, or one whose effective day is not the one
    ///   [`withdrawal_effective_on`] gives.
    ///
    /// Between a withdrawal's announcement and its effective day intents and
    /// licences may still be recorded, because the declaration still stands.
    pub fn record(&mut self, event: LifecycleEvent, declared: &Declaration) -> crate::Result<()> {
        match &event {
            LifecycleEvent::TermsChanged { on, declaration } => {
                self.check_sequence(*on)?;
                self.may_change_terms(*on, self.current_declaration(declared), declaration)
                    .map_err(crate::Error::TermsRefused)?;
            }
            LifecycleEvent::WithdrawalAnnounced {
                on, effective_on, ..
            } => {
                self.check_withdrawal(*on)?;
                let expected = withdrawal_effective_on(*on)?;
                if *effective_on != expected {
                    return Err(crate::Error::invalid(
                        "effective_on",
                        format!(
                            "a withdrawal announced on {on} takes effect on {expected} \
                             ({WITHDRAWAL_WORKING_DAYS} working days later), not {effective_on}"
                        ),
                    ));
                }
            }
            LifecycleEvent::IntentRecorded { on, .. }
            | LifecycleEvent::LicenceGranted { on, .. } => {
                self.check_sequence(*on)?;
            }
        }
        self.events.push(event);
        Ok(())
    }

    /// Announces a withdrawal on `on` and returns its effective day,
    /// computed on the official calendar ([`withdrawal_effective_on`]).
    pub fn withdraw(
        &mut self,
        on: NaiveDate,
        reason: impl Into<String>,
    ) -> crate::Result<NaiveDate> {
        self.check_withdrawal(on)?;
        let effective_on = withdrawal_effective_on(on)?;
        self.events.push(LifecycleEvent::WithdrawalAnnounced {
            on,
            effective_on,
            reason: reason.into(),
        });
        Ok(effective_on)
    }

    fn check_withdrawal(&self, on: NaiveDate) -> crate::Result<()> {
        if let Some(withdrawal) = self.withdrawal() {
            return Err(crate::Error::Lifecycle(format!(
                "a withdrawal was already announced on {} (effective {}); it cannot be announced again",
                withdrawal.announced_on, withdrawal.effective_on
            )));
        }
        self.check_sequence(on)
    }

    /// The checks every event shares: the history is in date order, starts
    /// at the listing and ends with the withdrawal's effect.
    fn check_sequence(&self, on: NaiveDate) -> crate::Result<()> {
        if let Some(withdrawal) = self.withdrawal().filter(|w| w.is_complete_on(on)) {
            return Err(crate::Error::Lifecycle(format!(
                "the listing was withdrawn (announced {}, effective {}); nothing can be recorded on {on}",
                withdrawal.announced_on, withdrawal.effective_on
            )));
        }
        if let Some(listed) = self.listed_on.filter(|listed| on < *listed) {
            return Err(crate::Error::Lifecycle(format!(
                "{on} is before the listing was first announced on {listed}"
            )));
        }
        if let Some(last) = self
            .events
            .last()
            .map(LifecycleEvent::on)
            .filter(|last| on < *last)
        {
            return Err(crate::Error::Lifecycle(format!(
                "events are recorded in date order: {on} is before the last event on {last}"
            )));
        }
        Ok(())
    }

    /// When the six-month clock of 办法 三（三）1 last (re)started, as seen on
    /// `on`, and by what; `None` when nothing dates it.
    fn clock_start(&self, on: NaiveDate) -> Option<(NaiveDate, &'static str)> {
        let restarts = self
            .events
            .iter()
            .filter(|e| e.on() <= on)
            .filter_map(|event| {
                let what = match event {
                    LifecycleEvent::TermsChanged { .. } => "re-announcement of changed terms",
                    LifecycleEvent::IntentRecorded { .. } => "implementation intent",
                    LifecycleEvent::LicenceGranted { .. } => "licence",
                    LifecycleEvent::WithdrawalAnnounced { .. } => return None,
                };
                Some((event.on(), what))
            });
        self.listed_on
            .map(|listed| (listed, "listing"))
            .into_iter()
            .chain(restarts)
            // Ties go to the later entry, which names what happened last.
            .fold(
                None,
                |latest: Option<(NaiveDate, &'static str)>, candidate| match latest {
                    Some(l) if l.0 > candidate.0 => Some(l),
                    _ => Some(candidate),
                },
            )
    }
}
