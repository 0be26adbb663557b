use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A way a listed patent may be implemented (办法 一、概念; 三（二）2).
///
/// The set is closed on purpose: free text from sources is normalised into it
/// by [`crate::parse_modes`], and anything that does not fit is kept verbatim
/// on the declaration and flagged, never guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ImplementationMode {
    /// 转让 (of the patent right or the application right).
    #[serde(rename = "转让")]
    Transfer,
    /// 普通许可.
    #[serde(rename = "普通许可")]
    OrdinaryLicence,
    /// 独占许可.
    #[serde(rename = "独占许可")]
    ExclusiveLicence,
    /// 排他许可.
    #[serde(rename = "排他许可")]
    SoleLicence,
    /// 开放许可: the platform's "one to many" ordinary licence (办法 附则 2).
    #[serde(rename = "开放许可")]
    OpenLicence,
    /// 作价入股.
    #[serde(rename = "作价入股")]
    Equity,
    /// 其他: any other mode the law allows.
    #[serde(rename = "其他")]
    Other,
}

impl ImplementationMode {
    pub const ALL: [ImplementationMode; 7] = [
        Self::Transfer,
        Self::OrdinaryLicence,
        Self::ExclusiveLicence,
        Self::SoleLicence,
        Self::OpenLicence,
        Self::Equity,
        Self::Other,
    ];

    /// The platform's Chinese name, which is also the serialised form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transfer => "转让",
            Self::OrdinaryLicence => "普通许可",
            Self::ExclusiveLicence => "独占许可",
            Self::SoleLicence => "排他许可",
            Self::OpenLicence => "开放许可",
            Self::Equity => "作价入股",
            Self::Other => "其他",
        }
    }

    /// True for the three licence kinds a bare "许可" may mean.
    pub fn is_licence(self) -> bool {
        matches!(
            self,
            Self::OrdinaryLicence | Self::ExclusiveLicence | Self::SoleLicence | Self::OpenLicence
        )
    }
}

impl fmt::Display for ImplementationMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ImplementationMode {
    type Err = crate::Error;

    /// Accepts exactly the canonical Chinese names; free text goes through
    /// [`crate::parse_modes`] instead.
    fn from_str(s: &str) -> crate::Result<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s.trim())
            .ok_or_else(|| {
                crate::Error::invalid(
                    "mode",
                    format!("{s:?} is not one of 转让, 普通许可, 独占许可, 排他许可, 开放许可, 作价入股, 其他"),
                )
            })
    }
}
