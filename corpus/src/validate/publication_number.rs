use serde::{Deserialize, Serialize};

/// 公开号 / 授权公告号, e.g. CN112584993A, CN218751475U, CN115883397B.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PublicationNumber(String);

impl PublicationNumber {
    /// Parses and checks a value; the error names field `publication_number` and the rule.
    pub fn parse(s: &str) -> crate::Result<Self> {
        todo!("H1: {s}")
    }

    pub fn as_str(&self) -> &str {
        &self.0
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
