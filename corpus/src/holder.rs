use crate::CreditCode;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What kind of body holds the patent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum HolderKind {
    #[serde(rename = "高校")]
    University,
    #[serde(rename = "科研院所")]
    Institute,
    #[serde(rename = "企业")]
    Enterprise,
    #[serde(rename = "个人")]
    Individual,
    #[serde(rename = "其他")]
    Other,
}

impl HolderKind {
    pub const ALL: [HolderKind; 5] = [
        Self::University,
        Self::Institute,
        Self::Enterprise,
        Self::Individual,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::University => "高校",
            Self::Institute => "科研院所",
            Self::Enterprise => "企业",
            Self::Individual => "个人",
            Self::Other => "其他",
        }
    }
}

impl fmt::Display for HolderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HolderKind {
    type Err = crate::Error;

    /// Accepts the canonical names and the CNIPA export's 申请人类型 values
    /// (大专院校, 科研机构, 工矿企业, 个人, 机关团体 …).
    fn from_str(s: &str) -> crate::Result<Self> {
        let kind = match s.trim() {
            "高校" | "大专院校" | "院校" | "高等院校" => Self::University,
            "科研院所" | "科研机构" | "科研单位" => Self::Institute,
            "企业" | "工矿企业" | "公司" => Self::Enterprise,
            "个人" => Self::Individual,
            "其他" | "机关团体" | "事业单位" => Self::Other,
            other => {
                return Err(crate::Error::invalid(
                    "holder_kind",
                    format!("{other:?} is not a holder kind (高校, 科研院所, 企业, 个人, 其他)"),
                ))
            }
        };
        Ok(kind)
    }
}

/// The patentee (专利权人) or applicant (专利申请权人).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holder {
    pub name: String,
    /// 统一社会信用代码, when the source gives it.
    pub credit_code: Option<CreditCode>,
    /// Filled in from the source where it says, otherwise by the classifier.
    pub kind: Option<HolderKind>,
}
