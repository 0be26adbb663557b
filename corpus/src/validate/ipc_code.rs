use serde::{Deserialize, Serialize};

/// An IPC code or prefix: section G, class G06, subclass G06F, group G06F 16/33 (also written G06F16/33).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IpcCode(String);

impl IpcCode {
    /// Parses and checks a value; the error names field `ipc_code` and the rule.
    pub fn parse(s: &str) -> crate::Result<Self> {
        todo!("H1: {s}")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IpcCode {
    type Error = crate::Error;
    fn try_from(s: String) -> crate::Result<Self> {
        Self::parse(&s)
    }
}

impl From<IpcCode> for String {
    fn from(c: IpcCode) -> String {
        c.0
    }
}

impl std::fmt::Display for IpcCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
