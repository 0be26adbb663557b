use serde::{Deserialize, Serialize};

/// 申请号: 12 digits plus a check digit (weights 2–9 then 2–5, mod 11, 10 = X), with or without the CN prefix and dot; older 8- and 9-digit forms accepted. Stored normalised.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ApplicationNumber(String);

impl ApplicationNumber {
    /// Parses and checks a value; the error names field `application_number` and the rule.
    pub fn parse(s: &str) -> crate::Result<Self> {
        todo!("H1: {s}")
    }

    pub fn as_str(&self) -> &str {
        &self.0
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
