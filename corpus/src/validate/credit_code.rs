use serde::{Deserialize, Serialize};

/// The GB 32100-2015 character set, in value order: the position of a
/// character is its value (0–30). I, O, Z, S and V are left out because they
/// are easily misread as 1, 0, 2, 5 and U.
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weight of position i is 3^i mod 31, as the standard tabulates.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// 统一社会信用代码: 18 characters with a check character per GB 32100-2015.
///
/// Stored trimmed and uppercase. Only the character set, the length and the
/// check character are verified; the registration authority, category and
/// region codes inside are not looked up.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    /// Parses and checks a code; the error names field `credit_code` and the rule.
    pub fn parse(s: &str) -> crate::Result<Self> {
        let code = super::to_halfwidth(s).trim().to_ascii_uppercase();
        let fail = |reason: String| crate::Error::invalid("credit_code", reason);
        let len = code.chars().count();
        if len != 18 {
            return Err(fail(format!(
                "has {len} characters, expected 18 in {code:?}"
            )));
        }
        let mut values = [0u32; 18];
        for (i, c) in code.chars().enumerate() {
            values[i] = value_of(c).ok_or_else(|| {
                fail(format!(
                    "character {c:?} at position {} is not in the code set \
                     (0-9, A-Z without I, O, Z, S, V) in {code:?}",
                    i + 1
                ))
            })?;
        }
        let expected = check_char(&values);
        let found = code.chars().last().unwrap_or_default();
        if expected != found {
            return Err(fail(format!(
                "check character is {found}, expected {expected} in {code:?}"
            )));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn value_of(c: char) -> Option<u32> {
    CHARSET
        .iter()
        .position(|&b| char::from(b) == c)
        .map(|p| p as u32)
}

/// The 18th character implied by the first 17 values.
fn check_char(values: &[u32; 18]) -> char {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    // 31 - 0 would be 31, which has no character: the standard maps it to 0.
    let check = (31 - sum % 31) % 31;
    char::from(CHARSET[check as usize])
}

impl TryFrom<String> for CreditCode {
    type Error = crate::Error;
    fn try_from(s: String) -> crate::Result<Self> {
        Self::parse(&s)
    }
}

impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}

impl std::fmt::Display for CreditCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1u32;
        for expected in WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }

    #[test]
    fn charset_has_31_values_without_confusable_letters() {
        for c in ['I', 'O', 'Z', 'S', 'V'] {
            assert_eq!(value_of(c), None);
        }
        assert_eq!(value_of('A'), Some(10));
        assert_eq!(value_of('Y'), Some(30));
        assert_eq!(value_of('J'), Some(18));
    }

    #[test]
    fn sum_divisible_by_31_gives_check_zero() {
        // Seventeen zeros weigh nothing, so the sum is 0 and 31 - 0 maps to 0.
        let code = CreditCode::parse("000000000000000000").unwrap();
        assert_eq!(code.as_str(), "000000000000000000");
        assert!(CreditCode::parse("00000000000000000Y").is_err());
    }
}
