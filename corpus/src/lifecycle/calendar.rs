use chrono::NaiveDate;

/// China's official working-day calendar: weekends and national holidays are
/// off, make-up working days (调休) on weekends are on. Backed by a
/// maintained holiday crate; never a hand-written table.
#[derive(Debug, Clone, Copy, Default)]
pub struct WorkCalendar;

impl WorkCalendar {
    /// Whether `day` is an official working day. Fails for a year the
    /// calendar data does not cover.
    pub fn is_working_day(&self, day: NaiveDate) -> crate::Result<bool> {
        todo!("H2 {day}")
    }

    /// The `n`th working day after `day` (`day` itself not counted).
    pub fn add_working_days(&self, day: NaiveDate, n: u32) -> crate::Result<NaiveDate> {
        todo!("H2 {day} {n}")
    }
}
