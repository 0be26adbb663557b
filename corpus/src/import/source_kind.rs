use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a source file holds, told apart by its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// The shared corpus JSONL: patents and technology offers.
    Listings,
    /// A platform export with Chinese column names (申请号, 专利名称 …), JSONL or CSV.
    PlatformExport,
    /// Enterprise demands, into demand profiles.
    Demands,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Listings => "listings",
            Self::PlatformExport => "platform-export",
            Self::Demands => "demands",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SourceKind {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "listings" => Ok(Self::Listings),
            "platform-export" => Ok(Self::PlatformExport),
            "demands" => Ok(Self::Demands),
            _ => Err(crate::Error::invalid(
                "kind",
                format!("{s:?} is not one of listings, platform-export, demands"),
            )),
        }
    }
}
