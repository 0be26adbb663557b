use chrono::NaiveDate;

/// Years outside this span are typing errors in our sources (Chinese patent
/// law dates from 1985; the market data from 2018–2020).
const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// Reads the date forms the sources use: `2020-01-13`, `2020/7/31`,
/// `20221202`, `2020.01.13`, `2020年7月31日`. The error names field `field`.
///
/// `0`, which CNIPA-style exports write for "no date" (授权公告日 of an
/// ungranted application), is an error like any other non-date: the caller
/// decides whether the field may be absent.
pub fn parse_date(field: &str, text: &str) -> crate::Result<NaiveDate> {
    let input = text.trim();
    let fail = |reason: String| crate::Error::invalid(field, reason);
    if input.is_empty() {
        return Err(fail("is empty".to_string()));
    }
    if input == "0" {
        return Err(fail(
            "\"0\" is the export's placeholder for no date, not a date".to_string(),
        ));
    }
    let norm = crate::validate::to_halfwidth(input);
    let (y, m, d) = split(&norm).ok_or_else(|| {
        fail(format!(
            "{input:?} is not in a known date form \
             (2020-01-13, 2020/7/31, 20200113, 2020.01.13, 2020年7月31日)"
        ))
    })?;
    if !PLAUSIBLE_YEARS.contains(&y) {
        return Err(fail(format!("year {y} is outside 1900-2100 in {input:?}")));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| {
        fail(format!(
            "{input:?} is not a calendar date (year {y}, month {m}, day {d})"
        ))
    })
}

/// Year, month and day as written, before any calendar check.
fn split(s: &str) -> Option<(i32, u32, u32)> {
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if s.len() == 8 && all_digits(s) {
        return Some((
            s[..4].parse().ok()?,
            s[4..6].parse().ok()?,
            s[6..].parse().ok()?,
        ));
    }
    let parts: Vec<&str> = if let Some(rest) = s.strip_suffix('日').or_else(|| s.strip_suffix('号'))
    {
        let (y, rest) = rest.split_once('年')?;
        let (m, d) = rest.split_once('月')?;
        vec![y, m, d]
    } else {
        let sep = ['-', '/', '.'].into_iter().find(|c| s.contains(*c))?;
        s.split(sep).collect()
    };
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let short = |p: &str| all_digits(p) && p.len() <= 2;
    if y.len() != 4 || !all_digits(y) || !short(m) || !short(d) {
        return None;
    }
    Some((y.parse().ok()?, m.parse().ok()?, d.parse().ok()?))
}
