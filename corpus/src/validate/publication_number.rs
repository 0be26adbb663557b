use crate::PatentKind;
use serde::{Deserialize, Serialize};

/// 公开号 / 授权公告号, e.g. CN112584993A, CN218751475U, CN115883397B.
///
/// `CN`, 6–9 digits, a kind-code letter and an optional digit (`A1`).
/// Kind codes: A (invention application published), B and C (invention
/// granted; C before 2010), U and Y (utility model; Y before 2010), S and D
/// (design; D before 2010). The corpus and the CNIPA-style sample use only
/// the 9-digit A, B and U forms; the older ones are accepted so historical
/// records import too. Stored uppercase without spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PublicationNumber(String);

const KIND_LETTERS: [char; 7] = ['A', 'B', 'C', 'U', 'Y', 'S', 'D'];

impl PublicationNumber {
    /// Parses and checks a value; the error names field `publication_number` and the rule.
    pub fn parse(s: &str) -> crate::Result<Self> {
        let input = s.trim();
        let fail = |reason: String| crate::Error::invalid("publication_number", reason);
        let norm: String = super::to_halfwidth(input)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let Some(rest) = norm.strip_prefix("CN") else {
            return Err(fail(format!("does not start with CN in {input:?}")));
        };
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if !(6..=9).contains(&digits) {
            return Err(fail(format!(
                "has {digits} digits after CN, expected 6 to 9 in {input:?}"
            )));
        }
        let mut kind = rest[digits..].chars();
        match kind.next() {
            None => {
                return Err(fail(format!(
                    "has no kind code (A, B, C, U, Y, S or D) after the digits in {input:?}"
                )))
            }
            Some(k) if !KIND_LETTERS.contains(&k) => {
                return Err(fail(format!(
                    "kind code {k:?} is not one of A, B, C, U, Y, S, D in {input:?}"
                )))
            }
            Some(_) => {}
        }
        match kind.as_str() {
            "" => {}
            d if d.len() == 1 && matches!(d.as_bytes(), [b'1'..=b'9']) => {}
            extra => {
                return Err(fail(format!(
                    "unexpected {extra:?} after the kind code (only one digit 1-9 may follow) \
                     in {input:?}"
                )))
            }
        }
        Ok(Self(norm))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The serial digits between `CN` and the kind code.
    pub fn number(&self) -> &str {
        let end = self.kind_start();
        self.0.get(2..end).unwrap_or_default()
    }

    /// The kind code, e.g. `A`, `U`, `B1`.
    pub fn kind_code(&self) -> &str {
        self.0.get(self.kind_start()..).unwrap_or_default()
    }

    /// 发明 for A/B/C, 实用新型 for U/Y, 外观 for S/D.
    pub fn patent_kind(&self) -> PatentKind {
        match self.kind_code().chars().next() {
            Some('U' | 'Y') => PatentKind::UtilityModel,
            Some('S' | 'D') => PatentKind::Design,
            _ => PatentKind::Invention,
        }
    }

    /// True for a grant publication (授权公告), false for an invention
    /// application published before examination (kind A).
    pub fn is_grant(&self) -> bool {
        !self.kind_code().starts_with('A')
    }

    fn kind_start(&self) -> usize {
        self.0
            .char_indices()
            .skip(2)
            .find(|(_, c)| !c.is_ascii_digit())
            .map_or(self.0.len(), |(i, _)| i)
    }
}

impl TryFrom<String> for PublicationNumber {
    type Error = crate::Error;
    fn try_from(s: String) -> crate::Result<Self> {
        Self::parse(&s)
    }
}

impl From<PublicationNumber> for String {
    fn from(c: PublicationNumber) -> String {
        c.0
    }
}

impl std::fmt::Display for PublicationNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
