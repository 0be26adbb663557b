use crate::{ApplicationNumber, IpcCode, PublicationNumber};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kind of right behind a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PatentKind {
    #[serde(rename = "发明")]
    Invention,
    #[serde(rename = "实用新型")]
    UtilityModel,
    #[serde(rename = "外观")]
    Design,
    /// 非专利技术: know-how offered on the market without a patent.
    #[serde(rename = "非专利技术")]
    NonPatent,
}

impl PatentKind {
    pub const ALL: [PatentKind; 4] = [
        Self::Invention,
        Self::UtilityModel,
        Self::Design,
        Self::NonPatent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invention => "发明",
            Self::UtilityModel => "实用新型",
            Self::Design => "外观",
            Self::NonPatent => "非专利技术",
        }
    }
}

impl fmt::Display for PatentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PatentKind {
    type Err = crate::Error;

    /// Accepts the Chinese names, the CNIPA export's forms (发明公开, 发明授权,
    /// 外观设计, and `;`-joined lists of them) and the corpus's English tags.
    fn from_str(s: &str) -> crate::Result<Self> {
        let s = s.trim();
        let first = s.split([';', '；']).next().unwrap_or(s).trim();
        let kind = match first {
            "发明" | "发明公开" | "发明授权" | "发明专利" | "invention_patent" | "patent" => {
                Self::Invention
            }
            "实用新型" | "实用新型专利" | "utility_model" => Self::UtilityModel,
            "外观" | "外观设计" | "外观设计专利" | "design" => Self::Design,
            "非专利技术" | "non_patent_technology" => Self::NonPatent,
            _ => {
                return Err(crate::Error::invalid(
                    "kind",
                    format!("{s:?} is not a patent kind (发明, 实用新型, 外观, 非专利技术)"),
                ))
            }
        };
        Ok(kind)
    }
}

/// The patent (or technology) a listing offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Patent {
    /// 专利名称.
    pub title: String,
    /// 申请号.
    pub application_number: Option<ApplicationNumber>,
    /// 公开号 (or 授权公告号 when that is what the source gives).
    pub publication_number: Option<PublicationNumber>,
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    pub claims: Option<String>,
    /// IPC codes, main classification first.
    pub ipc: Vec<IpcCode>,
    pub kind: PatentKind,
    pub application_date: Option<NaiveDate>,
    pub publication_date: Option<NaiveDate>,
    pub grant_date: Option<NaiveDate>,
    pub inventors: Vec<String>,
}

impl Patent {
    /// The first claim, which is what the passage for embedding uses.
    pub fn first_claim(&self) -> Option<&str> {
        let claims = self.claims.as_deref()?.trim();
        if claims.is_empty() {
            return None;
        }
        // Claims are numbered "1.", "2." …; the first ends where "2." starts.
        let end = ["2.", "2．", "2、"]
            .iter()
            .filter_map(|marker| claims.find(marker))
            .filter(|&i| i > 0)
            .min()
            .unwrap_or(claims.len());
        Some(claims[..end].trim())
    }
}
