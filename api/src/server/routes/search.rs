//! Search, one listing, and listings like it.

use crate::server::api_error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::server::app_state::AppState;
use crate::server::caller::{Caller, SearchCaller};
use crate::server::extract::{ApiPath, ApiQuery};
use crate::server::listing_input::unindexable_day;
use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use corpus::{HolderKind, ImplementationMode, IpcCode, PatentKind, Store};
use indexer::{Filter, QuerySyntax};
use ranker::{Retrieval, SearchRequest, SearchResponse, SimilarRequest};
use serde::Deserialize;
use std::collections::HashSet;
use std::str::FromStr;
use utoipa::IntoParams;

/// Query, filters and page. Lists are comma-separated (`modes=转让,普通许可`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What is sought, in plain Chinese (at most 2,000 characters).
    pub q: Option<String>,
    /// A demand profile whose title, text and keywords join the query; an
    /// enterprise key may name only its own.
    pub profile: Option<String>,
    /// Implementation modes, any of: 转让, 普通许可, 独占许可, 排他许可, 开放许可, 作价入股, 其他.
    pub modes: Option<String>,
    /// Budget ceiling in yuan; 面议 listings are kept and marked `fee_negotiable`.
    pub max_fee: Option<u64>,
    /// Holder kinds, any of: 高校, 科研院所, 企业, 个人, 其他.
    pub holder_kinds: Option<String>,
    /// The holder's exact name.
    pub holder: Option<String>,
    /// IPC prefix: section `G`, class `G06`, subclass `G06F` or group.
    pub ipc: Option<String>,
    /// Patent kinds, any of: 发明, 实用新型, 外观, 非专利技术.
    pub patent_kinds: Option<String>,
    pub announced_from: Option<NaiveDate>,
    pub announced_to: Option<NaiveDate>,
    /// Only listings searchable on this day (announced, not past a
    /// withdrawal's effective day); today when absent.
    pub on: Option<NaiveDate>,
    /// Absent: hybrid, convex fusion with vector weight 0.3. Otherwise
    /// `bm25`, `dense` (vectors only), `rrf`, `rrf:K` or `convex:W`
    /// (0 ≤ W ≤ 1).
    pub method: Option<String>,
    /// `operators` (default: quoted text is a phrase that must match) or
    /// `plain` (quotes are punctuation, as in prose).
    pub syntax: Option<String>,
    pub offset: Option<usize>,
    /// 1–100, default 10.
    pub limit: Option<usize>,
    /// Attach matched terms, a snippet and the filters passed to each hit.
    pub explain: Option<bool>,
}

impl SearchParams {
    /// Fails for parameters that `what` does not take (only search takes
    /// a query).
    pub fn refuse_query(&self, what: &str) -> ApiResult<()> {
        for (name, given) in [
            ("q", self.q.is_some()),
            ("profile", self.profile.is_some()),
            ("method", self.method.is_some()),
            ("syntax", self.syntax.is_some()),
            ("explain", self.explain.is_some()),
        ] {
            if given {
                return Err(ApiError::new(
                    ErrorKind::UnknownParameter,
                    format!("{name}: {what} takes filters and paging only"),
                ));
            }
        }
        Ok(())
    }

    /// The page asked for, checked against the server's maximum.
    pub fn page(&self, state: &AppState) -> ApiResult<(usize, usize)> {
        let limit = self.limit.unwrap_or(10);
        let max = state.config().max_limit;
        if limit == 0 || limit > max {
            return Err(ApiError::new(
                ErrorKind::LimitOutOfRange,
                format!("limit: {limit} is not between 1 and {max}"),
            ));
        }
        let offset = self.offset.unwrap_or(0);
        // The ranker checks `offset + limit` against its deepest page: a sum
        // past `usize::MAX` overflowed there (a panic in a debug build, an
        // empty 200 page in a release build).
        if offset.checked_add(limit).is_none() {
            return Err(ApiError::invalid(
                "offset",
                format!("{offset} is past any page"),
            ));
        }
        Ok((offset, limit))
    }

    pub fn filter(&self) -> ApiResult<Filter> {
        for (field, day) in [
            ("on", self.on),
            ("announced_from", self.announced_from),
            ("announced_to", self.announced_to),
        ] {
            if let Some(reason) = day.and_then(unindexable_day) {
                return Err(ApiError::invalid(field, reason));
            }
        }
        let ipc_prefix =
            match &self.ipc {
                Some(code) => Some(IpcCode::parse(code).map_err(|e| {
                    ApiError::new(ErrorKind::UnknownFilterValue, format!("ipc: {e}"))
                })?),
                None => None,
            };
        Ok(Filter {
            searchable_on: Some(self.on.unwrap_or_else(|| chrono::Local::now().date_naive())),
            modes: values::<ImplementationMode>(&self.modes, "modes")?,
            max_fee: self.max_fee,
            holder_kinds: values::<HolderKind>(&self.holder_kinds, "holder_kinds")?,
            holder: self.holder.clone(),
            ipc_prefix,
            patent_kinds: values::<PatentKind>(&self.patent_kinds, "patent_kinds")?,
            announced_from: self.announced_from,
            announced_to: self.announced_to,
        })
    }
}

/// A comma-separated list of values, each of which must exist.
fn values<T: FromStr<Err = corpus::Error>>(
    list: &Option<String>,
    field: &str,
) -> ApiResult<Vec<T>> {
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    list.split([',', '，'])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|value| {
            T::from_str(value).map_err(|e| {
                let reason = match e {
                    corpus::Error::Invalid { reason, .. } => reason,
                    other => other.to_string(),
                };
                ApiError::new(ErrorKind::UnknownFilterValue, format!("{field}: {reason}"))
            })
        })
        .collect()
}

/// Ranked listings for a query or a demand profile, with facets over every
/// candidate and per-signal score details on each hit.
#[utoipa::path(get, path = "/v1/search", tag = "search", params(SearchParams),
    security((), ("api_key" = [])),
    responses(
        (status = 200, description = "a page of hits with facets", body = Object),
        (status = 400, description = "query_too_long, empty_query, limit_out_of_range, unknown_filter_value, unknown_parameter, invalid_parameter", body = ErrorBody),
        (status = 401, description = "missing_api_key (unless public search), invalid_api_key", body = ErrorBody),
        (status = 404, description = "profile_not_found", body = ErrorBody),
        (status = 503, description = "index_not_ready", body = ErrorBody),
    ))]
pub async fn search(
    State(state): State<AppState>,
    SearchCaller(caller): SearchCaller,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<Json<SearchResponse>> {
    let text = params.q.clone().unwrap_or_default();
    let max = state.config().max_query_chars;
    let chars = text.chars().count();
    if chars > max {
        return Err(ApiError::new(
            ErrorKind::QueryTooLong,
            format!("q: {chars} characters, at most {max}"),
        ));
    }
    let (offset, limit) = params.page(&state)?;
    let filter = params.filter()?;
    let syntax = match params.syntax.as_deref() {
        None | Some("operators") => QuerySyntax::Operators,
        Some("plain") => QuerySyntax::Plain,
        Some(other) => {
            return Err(ApiError::invalid(
                "syntax",
                format!("{other:?} is neither `operators` nor `plain`"),
            ))
        }
    };
    let retrieval = params
        .method
        .as_deref()
        .map(Retrieval::from_str)
        .transpose()
        .map_err(|e| ApiError::from(e).with_field("method"))?;
    let ranker = state.ranker()?;
    let response = state
        .blocking(move |state| {
            let profile = match &params.profile {
                Some(id) => Some(visible_profile(state, &caller, id)?),
                None => None,
            };
            if text.trim().is_empty() && profile.is_none() {
                return Err(ApiError::new(
                    ErrorKind::EmptyQuery,
                    "q: give a query, or a profile to search for",
                ));
            }
            let request = SearchRequest {
                text,
                profile,
                filter,
                syntax,
                retrieval,
                offset,
                limit,
                explain: params.explain.unwrap_or(false),
                exclude: HashSet::new(),
            };
            Ok(ranker.search(&request)?)
        })
        .await?;
    Ok(Json(response))
}

/// The profile `id` if the caller may see it; otherwise not found, so that
/// another enterprise's ids cannot be probed.
pub fn visible_profile(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<corpus::DemandProfile> {
    state
        .store()
        .profile(id)?
        .filter(|p| caller.sees_enterprise(&p.enterprise_id))
        .ok_or_else(|| {
            ApiError::new(
                ErrorKind::ProfileNotFound,
                format!("no demand profile with id {id:?}"),
            )
        })
}

/// One listing: the stored record, its lifecycle (withdrawal and its
/// effective day), and the indexed card with predicted classes.
#[utoipa::path(get, path = "/v1/listings/{id}", tag = "search",
    params(("id" = String, Path, description = "listing id")),
    security((), ("api_key" = [])),
    responses(
        (status = 200, description = "the listing", body = Object),
        (status = 404, description = "listing_not_found", body = ErrorBody),
    ))]
pub async fn listing(
    State(state): State<AppState>,
    SearchCaller(_caller): SearchCaller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let ranker = state.ranker()?;
    let body = state
        .blocking(move |state| {
            let (listing, lifecycle) = {
                let store = state.store();
                let listing = store.listing(&id)?.ok_or_else(|| {
                    ApiError::new(
                        ErrorKind::ListingNotFound,
                        format!("no listing with id {id:?}"),
                    )
                })?;
                (listing, store.lifecycle(&id)?)
            };
            let card = ranker
                .snapshot()
                .cards(&[id.as_str()])
                .map_err(ApiError::internal)?
                .pop()
                .flatten();
            let today = chrono::Local::now().date_naive();
            Ok(serde_json::json!({
                "listing": listing,
                "current_declaration": lifecycle.current_declaration(&listing.declaration),
                "lifecycle": lifecycle,
                "withdrawal": lifecycle.withdrawal(),
                "searchable_today": lifecycle.is_searchable(today),
                "card": card,
                "link": format!("{}/listings/{}", state.config().base_url, id),
            }))
        })
        .await?;
    Ok(Json(body))
}

/// Listings most like one listing, with the same filters as search.
#[utoipa::path(get, path = "/v1/listings/{id}/similar", tag = "search",
    params(("id" = String, Path, description = "listing id"), SearchParams),
    security((), ("api_key" = [])),
    responses(
        (status = 200, description = "a page of hits", body = Object),
        (status = 400, description = "limit_out_of_range, unknown_filter_value, unknown_parameter", body = ErrorBody),
        (status = 404, description = "listing_not_found", body = ErrorBody),
    ))]
pub async fn similar(
    State(state): State<AppState>,
    SearchCaller(_caller): SearchCaller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<Json<SearchResponse>> {
    params.refuse_query("similar")?;
    let (offset, limit) = params.page(&state)?;
    let request = SimilarRequest {
        id,
        filter: params.filter()?,
        offset,
        limit,
        exclude: HashSet::new(),
    };
    let ranker = state.ranker()?;
    let response = state
        .blocking(move |_| Ok(ranker.similar(&request)?))
        .await?;
    Ok(Json(response))
}
