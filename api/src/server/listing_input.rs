use super::api_error::{ApiError, ApiResult, ErrorKind};
use chrono::{Datelike, NaiveDate};
use corpus::{
    parse_fee, ApplicationNumber, CreditCode, Declaration, FeeStandard, Holder, HolderKind,
    ImplementationMode, IpcCode, Listing, Patent, PatentKind, PaymentMethod, PublicationNumber,
    YuanRange,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use utoipa::ToSchema;

/// The years a day may have where it reaches the index (a declaration's
/// announcement, a filter's bounds): the importer's span (corpus
/// `parse_date`). The index keeps days as nanoseconds since 1970 in an
/// `i64`, which overflows past 2262 and before 1677; days that far out are
/// typing errors anyway.
pub(crate) const INDEXED_YEARS: RangeInclusive<i32> = 1900..=2100;

/// Why `day` cannot be indexed or searched by, if it cannot.
pub(crate) fn unindexable_day(day: NaiveDate) -> Option<String> {
    (!INDEXED_YEARS.contains(&day.year())).then(|| {
        format!(
            "{day} is outside the years {} to {}",
            INDEXED_YEARS.start(),
            INDEXED_YEARS.end()
        )
    })
}

/// A listing as an administrator sends it: the patent, its holder and the
/// declaration (专利公开实施声明). Upserted by `id`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingInput {
    pub id: String,
    /// Where the record comes from; `api` when not given.
    pub source: Option<String>,
    /// 专利名称.
    pub title: String,
    /// 申请号, checked (length, year, kind digit, check digit).
    pub application_number: String,
    pub publication_number: Option<String>,
    #[serde(rename = "abstract", default)]
    pub abstract_text: String,
    pub claims: Option<String>,
    /// IPC codes, main classification first.
    #[serde(default)]
    pub ipc: Vec<String>,
    /// 发明 (default), 实用新型, 外观, 非专利技术.
    #[schema(value_type = Option<String>)]
    pub kind: Option<PatentKind>,
    pub application_date: Option<NaiveDate>,
    #[serde(default)]
    pub inventors: Vec<String>,
    pub holder: Option<HolderInput>,
    pub declaration: DeclarationInput,
}

/// 专利权人: name and, when known, 统一社会信用代码 (checked, GB 32100-2015).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolderInput {
    pub name: String,
    pub credit_code: Option<String>,
    /// 高校, 科研院所, 企业, 个人, 其他; predicted from the name when absent.
    #[schema(value_type = Option<String>)]
    pub kind: Option<HolderKind>,
}

/// The declared terms: implementation modes and fee standard.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclarationInput {
    /// 转让, 普通许可, 独占许可, 排他许可, 开放许可, 作价入股, 其他.
    #[schema(value_type = Vec<String>)]
    pub modes: Vec<ImplementationMode>,
    #[serde(default)]
    pub fee: FeeInput,
    /// The day the declaration was announced on the platform.
    pub announced_on: Option<NaiveDate>,
}

/// A fee standard, either as the platform's text (`"入门费5万元+提成3%"`,
/// `"面议"`), which is parsed, or in parts. Both at once is refused.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeeInput {
    pub text: Option<String>,
    /// 一次性, 分期, 提成, 入门费+提成, 先免费后收费, 面议.
    #[schema(value_type = Option<String>)]
    pub method: Option<PaymentMethod>,
    pub min_yuan: Option<u64>,
    pub max_yuan: Option<u64>,
    pub royalty_percent: Option<f64>,
}

impl FeeInput {
    /// The fee standard; `at` names the field in errors.
    pub fn to_fee(&self, at: &str) -> ApiResult<FeeStandard> {
        let parts = self.method.is_some()
            || self.min_yuan.is_some()
            || self.max_yuan.is_some()
            || self.royalty_percent.is_some();
        if let Some(text) = &self.text {
            if parts {
                return Err(ApiError::invalid(
                    at,
                    "give the fee as `text` or in parts (method, min_yuan, max_yuan, royalty_percent), not both",
                ));
            }
            return Ok(parse_fee(text));
        }
        let amount = match (self.min_yuan, self.max_yuan) {
            (None, None) => None,
            (Some(one), None) | (None, Some(one)) => Some(YuanRange::exact(one)),
            (Some(min), Some(max)) => Some(
                YuanRange::new(min, max)
                    .map_err(|e| ApiError::from(e).with_field(&format!("{at}.min_yuan")))?,
            ),
        };
        if let Some(royalty) = self.royalty_percent {
            if !(0.0..=100.0).contains(&royalty) {
                return Err(ApiError::invalid(
                    format!("{at}.royalty_percent"),
                    format!("{royalty} is not a percentage between 0 and 100"),
                ));
            }
        }
        Ok(FeeStandard {
            method: self.method.or(if parts {
                None
            } else {
                Some(PaymentMethod::Negotiable)
            }),
            amount,
            royalty_percent: self.royalty_percent,
            raw: None,
            unparsed: false,
        })
    }
}

impl DeclarationInput {
    pub fn to_declaration(&self, at: &str) -> ApiResult<Declaration> {
        if let Some(reason) = self.announced_on.and_then(unindexable_day) {
            return Err(ApiError::new(
                ErrorKind::InvalidField,
                format!("{at}.announced_on: {reason}"),
            ));
        }
        Ok(Declaration {
            modes: self.modes.iter().copied().collect(),
            modes_text: None,
            modes_unparsed: false,
            fee: self.fee.to_fee(&format!("{at}.fee"))?,
            announced_on: self.announced_on,
        })
    }
}

impl ListingInput {
    /// The domain listing, every identifier checked; errors name the field
    /// as `{at}.field`, e.g. `listings[3].holder.credit_code`.
    pub fn to_listing(&self, at: &str) -> ApiResult<Listing> {
        let field = |name: &str| format!("{at}.{name}");
        let check = |name: &str, e: corpus::Error| ApiError::from(e).with_field(&field(name));
        if self.id.trim().is_empty() {
            return Err(ApiError::new(
                ErrorKind::InvalidField,
                format!("{}: must not be empty", field("id")),
            ));
        }
        if self.title.trim().is_empty() {
            return Err(ApiError::new(
                ErrorKind::InvalidField,
                format!("{}: must not be empty", field("title")),
            ));
        }
        let application_number = ApplicationNumber::parse(&self.application_number)
            .map_err(|e| check("application_number", e))?;
        let publication_number = self
            .publication_number
            .as_deref()
            .map(PublicationNumber::parse)
            .transpose()
            .map_err(|e| check("publication_number", e))?;
        let ipc = self
            .ipc
            .iter()
            .enumerate()
            .map(|(i, code)| IpcCode::parse(code).map_err(|e| check(&format!("ipc[{i}]"), e)))
            .collect::<ApiResult<Vec<_>>>()?;
        let holder = match &self.holder {
            Some(holder) => Some(Holder {
                name: holder.name.trim().to_string(),
                credit_code: holder
                    .credit_code
                    .as_deref()
                    .map(CreditCode::parse)
                    .transpose()
                    .map_err(|e| check("holder.credit_code", e))?,
                kind: holder.kind,
            }),
            None => None,
        };
        Ok(Listing {
            id: self.id.trim().to_string(),
            source: self.source.clone().unwrap_or_else(|| "api".into()),
            patent: Patent {
                title: self.title.trim().to_string(),
                application_number: Some(application_number),
                publication_number,
                abstract_text: self.abstract_text.clone(),
                claims: self.claims.clone(),
                ipc,
                kind: self.kind.unwrap_or(PatentKind::Invention),
                application_date: self.application_date,
                publication_date: None,
                grant_date: None,
                inventors: self.inventors.clone(),
            },
            holder,
            declaration: self.declaration.to_declaration(&field("declaration"))?,
            attributes: BTreeMap::new(),
        })
    }
}
