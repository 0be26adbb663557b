use crate::PatentKind;
use serde::{Deserialize, Serialize};

/// 申请号: 12 digits plus a check digit (weights 2–9 then 2–5, mod 11, 10 = X), with or without the CN prefix and dot; older 8- and 9-digit forms accepted. Stored normalised.
///
/// Forms:
/// - since October 2003: `YYYY T NNNNNNN` + check, e.g. `CN202223220665.2`;
///   `T` is 1 invention, 2 utility model, 3 design, 8 PCT invention and
///   9 PCT utility model entering the national phase;
/// - before that: `YY T NNNNN` + check, e.g. `ZL02115535.6`;
/// - a 9-digit body is also accepted and checked with the same weight cycle,
///   but its layout is not documented in our sources, so [`Self::year`] and
///   [`Self::patent_type_digit`] give `None` for it rather than guess.
///
/// The check digit is Σ dᵢ·wᵢ mod 11 with weights cycling 2,3,…,9 from the
/// first digit; 10 is written `X`. The normalised form is `CN` + digits +
/// `.` + check, whatever prefix (`CN`, `ZL`, none), spacing, dot or case the
/// input used.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ApplicationNumber(String);

impl ApplicationNumber {
    /// Parses and checks a value; the error names field `application_number` and the rule.
    pub fn parse(s: &str) -> crate::Result<Self> {
        let input = s.trim();
        let fail = |reason: String| crate::Error::invalid("application_number", reason);
        let folded: String = super::to_halfwidth(input)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        // ZL (专利) is how a granted patent is cited; the number is the same.
        let body = folded
            .strip_prefix("CN")
            .or_else(|| folded.strip_prefix("ZL"))
            .unwrap_or(&folded);
        let (digits, check) = match body.split_once('.') {
            Some((digits, check)) => (digits, check),
            // Without the dot the check digit is simply the last character.
            None => body.split_at(body.char_indices().last().map_or(0, |(i, _)| i)),
        };
        if let Some((i, c)) = digits
            .chars()
            .enumerate()
            .find(|(_, c)| !c.is_ascii_digit())
        {
            return Err(fail(format!(
                "character {c:?} at position {} of the number is not a digit in {input:?}",
                i + 1
            )));
        }
        if !matches!(digits.len(), 8 | 9 | 12) {
            // A bare 12-digit number reads as 11 digits and a check digit;
            // say what is more likely wrong.
            let hint = if check.len() == 1 && matches!(digits.len() + 1, 8 | 9 | 12) {
                " (is the check digit missing?)"
            } else {
                ""
            };
            return Err(fail(format!(
                "has {} digits before the check digit, expected 12 (or 8 or 9 in numbers \
                 from before October 2003){hint} in {input:?}",
                digits.len()
            )));
        }
        let found = match check.as_bytes() {
            [b] if *b == b'X' || b.is_ascii_digit() => char::from(*b),
            _ => {
                return Err(fail(format!(
                    "check digit {check:?} is not a single digit or X in {input:?}"
                )))
            }
        };
        let expected = check_digit_of(digits);
        if expected != found {
            return Err(fail(format!(
                "check digit is {found}, expected {expected} in {input:?}"
            )));
        }
        Ok(Self(format!("CN{digits}.{found}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits without prefix and check digit, e.g. `202223220665`.
    pub fn digits(&self) -> &str {
        self.0
            .get(2..self.0.len().saturating_sub(2))
            .unwrap_or_default()
    }

    /// The check digit, `0`–`9` or `X`.
    pub fn check_digit(&self) -> char {
        self.0.chars().last().unwrap_or_default()
    }

    /// The filing year: the first four digits, or for the old 8-digit form
    /// the first two (85–99 are 1985–1999, the Patent Law having taken effect
    /// in 1985; 00–03 are 2000–2003).
    pub fn year(&self) -> Option<u16> {
        let d = self.digits();
        match d.len() {
            12 => d.get(..4)?.parse().ok(),
            8 => {
                let yy: u16 = d.get(..2)?.parse().ok()?;
                Some(if yy >= 85 { 1900 + yy } else { 2000 + yy })
            }
            _ => None,
        }
    }

    /// The patent-type digit: the 5th of the 12-digit form, the 3rd of the
    /// 8-digit form.
    pub fn patent_type_digit(&self) -> Option<u8> {
        let d = self.digits().as_bytes();
        let at = match d.len() {
            12 => 4,
            8 => 2,
            _ => return None,
        };
        d.get(at).map(|b| b - b'0')
    }

    /// The kind of patent the type digit stands for; PCT national-phase
    /// applications (8, 9) count as invention and utility model.
    pub fn patent_kind(&self) -> Option<PatentKind> {
        match self.patent_type_digit()? {
            1 | 8 => Some(PatentKind::Invention),
            2 | 9 => Some(PatentKind::UtilityModel),
            3 => Some(PatentKind::Design),
            _ => None,
        }
    }
}

/// Σ dᵢ·wᵢ mod 11, weights cycling 2..=9, 10 written as X.
fn check_digit_of(digits: &str) -> char {
    let sum: u32 = digits
        .bytes()
        .zip((2..=9).cycle())
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    match sum % 11 {
        10 => 'X',
        r => char::from(b'0' + r as u8),
    }
}

impl TryFrom<String> for ApplicationNumber {
    type Error = crate::Error;
    fn try_from(s: String) -> crate::Result<Self> {
        Self::parse(&s)
    }
}

impl From<ApplicationNumber> for String {
    fn from(c: ApplicationNumber) -> String {
        c.0
    }
}

impl std::fmt::Display for ApplicationNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_by_hand() {
        // 2·2+0·3+2·4+2·5+2·6+3·7+2·8+2·9+0·2+6·3+6·4+5·5 = 156; 156 mod 11 = 2.
        assert_eq!(check_digit_of("202223220665"), '2');
        // 0·2+2·3+1·4+1·5+5·6+5·7+3·8+5·9 = 149; 149 mod 11 = 6.
        assert_eq!(check_digit_of("02115535"), '6');
    }

    #[test]
    fn remainder_ten_is_written_x() {
        // 1·2 + 0·3 + 2·4 = 10.
        assert_eq!(check_digit_of("102"), 'X');
    }
}
