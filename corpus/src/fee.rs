use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How the fee is paid (办法 三（二）2: 费用标准包括支付方式和价格).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PaymentMethod {
    /// 一次性.
    #[serde(rename = "一次性")]
    LumpSum,
    /// 分期.
    #[serde(rename = "分期")]
    Instalments,
    /// 提成 (royalty only).
    #[serde(rename = "提成")]
    Royalty,
    /// 入门费+提成.
    #[serde(rename = "入门费+提成")]
    EntryFeePlusRoyalty,
    /// 先免费后收费.
    #[serde(rename = "先免费后收费")]
    FreeThenPaid,
    /// 面议: price by negotiation.
    #[serde(rename = "面议")]
    Negotiable,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 6] = [
        Self::LumpSum,
        Self::Instalments,
        Self::Royalty,
        Self::EntryFeePlusRoyalty,
        Self::FreeThenPaid,
        Self::Negotiable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LumpSum => "一次性",
            Self::Instalments => "分期",
            Self::Royalty => "提成",
            Self::EntryFeePlusRoyalty => "入门费+提成",
            Self::FreeThenPaid => "先免费后收费",
            Self::Negotiable => "面议",
        }
    }
}

impl fmt::Display for PaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PaymentMethod {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s.trim())
            .ok_or_else(|| {
                crate::Error::invalid(
                    "payment_method",
                    format!(
                        "{s:?} is not one of 一次性, 分期, 提成, 入门费+提成, 先免费后收费, 面议"
                    ),
                )
            })
    }
}

/// An amount in whole yuan, possibly a range. A single price has `min == max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct YuanRange {
    pub min: u64,
    pub max: u64,
}

impl YuanRange {
    /// A range, rejected when `min > max`.
    pub fn new(min: u64, max: u64) -> crate::Result<Self> {
        if min > max {
            return Err(crate::Error::invalid(
                "fee",
                format!("range minimum {min} is above its maximum {max}"),
            ));
        }
        Ok(Self { min, max })
    }

    pub fn exact(yuan: u64) -> Self {
        Self {
            min: yuan,
            max: yuan,
        }
    }
}

/// The fee standard of a declaration: a payment method and a price.
///
/// Sources often give only one of the two, so both are optional. `raw` keeps
/// the source text verbatim; `unparsed` is set when that text could not be
/// read into structure, so that nothing is silently dropped.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeeStandard {
    pub method: Option<PaymentMethod>,
    /// The price, or for 入门费+提成 the entry fee.
    pub amount: Option<YuanRange>,
    /// Royalty rate in percent, for 提成 and 入门费+提成.
    pub royalty_percent: Option<f64>,
    pub raw: Option<String>,
    pub unparsed: bool,
}

impl FeeStandard {
    /// 面议, with no amount.
    pub fn negotiable() -> Self {
        Self {
            method: Some(PaymentMethod::Negotiable),
            ..Self::default()
        }
    }

    /// True when the price is to be negotiated or not stated at all, so a
    /// budget filter can neither accept nor reject it on price.
    pub fn is_open_price(&self) -> bool {
        self.amount.is_none()
    }

    /// The structured parts as a person reads them, in Chinese
    /// (`入门费+提成 50000–80000元 提成3%`); empty when nothing was read.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(method) = self.method {
            parts.push(method.as_str().to_string());
        }
        if let Some(amount) = self.amount {
            parts.push(if amount.min == amount.max {
                format!("{}元", amount.min)
            } else {
                format!("{}–{}元", amount.min, amount.max)
            });
        }
        if let Some(rate) = self.royalty_percent {
            parts.push(format!("提成{rate}%"));
        }
        parts.join(" ")
    }
}
