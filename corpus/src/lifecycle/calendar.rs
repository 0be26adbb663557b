use chrono::{Datelike, NaiveDate};

/// China's official working-day calendar: weekends and national holidays are
/// off, make-up working days (调休) on weekends are on. Backed by the
/// maintained `chinese_holiday` crate; never a hand-written table, because the
/// State Council publishes each year's schedule only late in the year before.
///
/// # Coverage
///
/// The data only reaches [`WorkCalendar::LAST_COVERED_DAY`] (2026-12-25 for
/// `chinese_holiday` 2026.0.1). Any question that needs a later day fails
/// with [`crate::Error::CalendarUncovered`] instead of guessing: a withdrawal
/// announced after 2026-12-16 cannot be given an effective date (办法 三（三）3)
/// until a release of the crate carries the 2027 schedule. Bumping the crate
/// means moving these bounds too; a unit test fails until they match.
#[derive(Debug, Clone, Copy, Default)]
pub struct WorkCalendar;

impl WorkCalendar {
    /// The first day the holiday data covers.
    pub const FIRST_COVERED_DAY: NaiveDate = ymd(2004, 1, 1);

    /// The last day the holiday data covers.
    pub const LAST_COVERED_DAY: NaiveDate = ymd(2026, 12, 25);

    /// The first day the holiday data covers.
    pub fn first_covered_day(&self) -> NaiveDate {
        Self::FIRST_COVERED_DAY
    }

    /// The last day the holiday data covers.
    pub fn last_covered_day(&self) -> NaiveDate {
        Self::LAST_COVERED_DAY
    }

    /// Whether the holiday data can say anything about `day`.
    pub fn covers(&self, day: NaiveDate) -> bool {
        (Self::FIRST_COVERED_DAY..=Self::LAST_COVERED_DAY).contains(&day)
    }

    /// Whether `day` is an official working day. Fails with
    /// [`crate::Error::CalendarUncovered`] for a day the data does not cover.
    pub fn is_working_day(&self, day: NaiveDate) -> crate::Result<bool> {
        // `chinese_holiday()` asserts on its range, so it must never see a
        // day outside it: a panic here would take down an API worker.
        if !self.covers(day) {
            return Err(crate::Error::CalendarUncovered { year: day.year() });
        }
        Ok(chinese_holiday::chinese_holiday(&day).is_workday())
    }

    /// The `n`th working day after `day` (`day` itself not counted, and it
    /// need not be a working day). `n == 0` gives `day` back.
    ///
    /// Fails with [`crate::Error::CalendarUncovered`] as soon as the count
    /// would have to step past the covered range.
    pub fn add_working_days(&self, day: NaiveDate, n: u32) -> crate::Result<NaiveDate> {
        let mut current = day;
        let mut left = n;
        while left > 0 {
            current = current.succ_opt().ok_or(crate::Error::CalendarUncovered {
                year: current.year(),
            })?;
            if self.is_working_day(current)? {
                left -= 1;
            }
        }
        Ok(current)
    }
}

/// A compile-time date: an invalid literal fails the build, not a request.
const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid calendar bound"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// The bounds must match the crate's own assert exactly: inside them it
    /// answers, one day outside it panics. When the crate is bumped this
    /// fails until the bounds above are moved.
    #[test]
    fn bounds_match_the_crate() {
        let first = WorkCalendar::FIRST_COVERED_DAY;
        let last = WorkCalendar::LAST_COVERED_DAY;
        assert!(std::panic::catch_unwind(|| chinese_holiday::chinese_holiday(&first)).is_ok());
        assert!(std::panic::catch_unwind(|| chinese_holiday::chinese_holiday(&last)).is_ok());
        let before = first.pred_opt().unwrap();
        let after = last.succ_opt().unwrap();
        assert!(std::panic::catch_unwind(|| chinese_holiday::chinese_holiday(&before)).is_err());
        assert!(std::panic::catch_unwind(|| chinese_holiday::chinese_holiday(&after)).is_err());
    }

    #[test]
    fn uncovered_days_are_errors_not_panics() {
        let cal = WorkCalendar;
        assert!(cal.covers(d(2026, 12, 25)));
        assert!(!cal.covers(d(2026, 12, 26)));
        assert!(!cal.covers(d(2003, 12, 31)));
        assert!(matches!(
            cal.is_working_day(d(2003, 12, 31)),
            Err(crate::Error::CalendarUncovered { year: 2003 })
        ));
        assert!(matches!(
            cal.is_working_day(d(2027, 1, 4)),
            Err(crate::Error::CalendarUncovered { year: 2027 })
        ));
        // Far outside the crate's own Ymd range (2000..2128) as well.
        assert!(matches!(
            cal.is_working_day(d(2200, 1, 1)),
            Err(crate::Error::CalendarUncovered { year: 2200 })
        ));
        assert!(matches!(
            cal.add_working_days(NaiveDate::MAX, 1),
            Err(crate::Error::CalendarUncovered { .. })
        ));
    }

    #[test]
    fn zero_working_days_is_the_day_itself() {
        // Even an uncovered day: nothing has to be counted.
        assert_eq!(
            WorkCalendar.add_working_days(d(2030, 1, 1), 0).unwrap(),
            d(2030, 1, 1)
        );
    }

    #[test]
    fn new_year_2026_make_up_sunday() {
        let cal = WorkCalendar;
        // 元旦 2026: Thu 1 – Sat 3 off, Sun 4 worked.
        assert!(!cal.is_working_day(d(2026, 1, 2)).unwrap());
        assert!(cal.is_working_day(d(2026, 1, 4)).unwrap());
        // From Wed 2025-12-31: Sun 1-4 is the 1st working day, Mon 1-5 the 2nd.
        assert_eq!(
            cal.add_working_days(d(2025, 12, 31), 1).unwrap(),
            d(2026, 1, 4)
        );
        assert_eq!(
            cal.add_working_days(d(2025, 12, 31), 2).unwrap(),
            d(2026, 1, 5)
        );
    }
}
