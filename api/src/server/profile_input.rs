use super::api_error::{ApiError, ApiResult, ErrorKind};
use chrono::{DateTime, NaiveDate, Utc};
use corpus::{DemandProfile, ImplementationMode, IpcCode};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A demand profile (技术需求) as an enterprise writes it. `PUT` replaces
/// the whole profile, so every field not given is cleared.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    /// Chosen by the server on create when absent.
    pub id: Option<String>,
    /// Required for an admin key; an enterprise key may only name its own
    /// enterprise (or leave it out).
    pub enterprise_id: Option<String>,
    pub enterprise_name: Option<String>,
    pub title: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Preferred IPC prefixes (`G06F`, `H01M4`); listings under them rank higher.
    #[serde(default)]
    pub ipc_prefixes: Vec<String>,
    /// Only listings offering one of these modes are pushed; empty: any.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub acceptable_modes: Vec<ImplementationMode>,
    /// Listings above this price are not pushed (面议 ones still are).
    pub budget_max_yuan: Option<u64>,
    pub budget_min_yuan: Option<u64>,
    pub region: Option<String>,
    pub posted_on: Option<NaiveDate>,
}

impl ProfileInput {
    /// The domain profile with `id` for `enterprise_id`; `created_at` is
    /// kept from the stored version on an update.
    pub fn to_profile(
        &self,
        id: String,
        enterprise_id: String,
        created_at: Option<DateTime<Utc>>,
    ) -> ApiResult<DemandProfile> {
        if self.title.trim().is_empty() {
            return Err(ApiError::new(
                ErrorKind::InvalidField,
                "title: must not be empty",
            ));
        }
        if let (Some(min), Some(max)) = (self.budget_min_yuan, self.budget_max_yuan) {
            if min > max {
                return Err(ApiError::new(
                    ErrorKind::InvalidField,
                    format!("budget_min_yuan: {min} is above budget_max_yuan {max}"),
                ));
            }
        }
        let ipc_prefixes = self
            .ipc_prefixes
            .iter()
            .enumerate()
            .map(|(i, code)| {
                IpcCode::parse(code)
                    .map_err(|e| ApiError::from(e).with_field(&format!("ipc_prefixes[{i}]")))
            })
            .collect::<ApiResult<Vec<_>>>()?;
        let now = Utc::now();
        Ok(DemandProfile {
            id,
            source: "api".into(),
            enterprise_id,
            enterprise_name: self.enterprise_name.clone(),
            title: self.title.trim().to_string(),
            text: self.text.clone(),
            keywords: self.keywords.clone(),
            ipc_prefixes,
            acceptable_modes: self.acceptable_modes.iter().copied().collect(),
            modes_text: None,
            budget_max_yuan: self.budget_max_yuan,
            budget_min_yuan: self.budget_min_yuan,
            budget_text: None,
            region: self.region.clone(),
            posted_on: self.posted_on,
            created_at: created_at.unwrap_or(now),
            updated_at: now,
            attributes: BTreeMap::new(),
        })
    }
}
