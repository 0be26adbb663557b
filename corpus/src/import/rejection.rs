use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// A record that could not be imported, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub file: PathBuf,
    /// 1-based line (JSONL) or record line (CSV).
    pub line: usize,
    /// The offending field, or `record` when the record as a whole is bad.
    pub field: String,
    pub reason: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file.display(),
            self.line,
            self.field,
            self.reason
        )
    }
}
