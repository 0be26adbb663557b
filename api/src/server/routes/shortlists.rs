//! Brokers' shortlists (候选清单) for their clients: items with notes, more
//! like the kept ones, and exports. A broker sees only its own.

use super::search::SearchParams;
use crate::server::api_error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::server::app_state::AppState;
use crate::server::caller::{random_id, Caller};
use crate::server::extract::{ApiJson, ApiPath, ApiQuery};
use crate::server::shortlist_export::{to_csv, to_xlsx, ExportRow};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use corpus::{KeyRole, Shortlist, Store, Verdict};
use ranker::{RecommendRequest, SearchResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

const ROLES: &[KeyRole] = &[KeyRole::Admin, KeyRole::Broker];

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        ErrorKind::ShortlistNotFound,
        format!("no shortlist with id {id:?}"),
    )
}

/// The shortlist if the caller may see it; otherwise not found, so that
/// another broker's ids cannot be probed.
fn visible(state: &AppState, caller: &Caller, id: &str) -> ApiResult<Shortlist> {
    state
        .store()
        .shortlist(id)?
        .filter(|s| caller.sees_broker(&s.broker_id))
        .ok_or_else(|| not_found(id))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShortlist {
    /// Who the shortlist is for.
    pub client: String,
    pub title: Option<String>,
    /// Required for an admin key; a broker key's shortlists are its own.
    pub broker_id: Option<String>,
}

#[utoipa::path(post, path = "/v1/shortlists", tag = "shortlists", request_body = NewShortlist,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "the new, empty shortlist", body = Object),
        (status = 403, description = "forbidden: brokers and admins only", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewShortlist>,
) -> ApiResult<(StatusCode, Json<Shortlist>)> {
    caller.require(ROLES)?;
    let broker_id = match (caller.role, &caller.subject, &body.broker_id) {
        (Some(KeyRole::Broker), Some(own), None) => own.clone(),
        (Some(KeyRole::Broker), Some(own), Some(named)) if named == own => own.clone(),
        (Some(KeyRole::Admin), _, Some(named)) if !named.trim().is_empty() => {
            named.trim().to_string()
        }
        (Some(KeyRole::Admin), _, _) => {
            return Err(ApiError::new(
                ErrorKind::InvalidField,
                "broker_id: an admin must name the broker the shortlist belongs to",
            ))
        }
        _ => {
            return Err(ApiError::new(
                ErrorKind::Forbidden,
                "broker_id: this key acts for its own broker only",
            ))
        }
    };
    if body.client.trim().is_empty() {
        return Err(ApiError::new(
            ErrorKind::InvalidField,
            "client: must not be empty",
        ));
    }
    let now = Utc::now();
    let shortlist = Shortlist {
        id: random_id("sl")?,
        broker_id,
        client: body.client.trim().to_string(),
        title: body.title,
        created_at: now,
        updated_at: now,
        items: Vec::new(),
    };
    let shortlist = state
        .blocking(move |state| {
            state.store().create_shortlist(&shortlist)?;
            Ok(shortlist)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(shortlist)))
}

#[utoipa::path(get, path = "/v1/shortlists", tag = "shortlists", security(("api_key" = [])),
    responses((status = 200, description = "the key's shortlists (an admin's: all)", body = Object)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Shortlist>>> {
    caller.require(ROLES)?;
    let lists = state
        .blocking(move |state| {
            let broker = (!caller.is_admin()).then(|| caller.subject.clone().unwrap_or_default());
            Ok(state.store().shortlists(broker.as_deref())?)
        })
        .await?;
    Ok(Json(lists))
}

#[utoipa::path(get, path = "/v1/shortlists/{id}", tag = "shortlists",
    params(("id" = String, Path, description = "shortlist id")), security(("api_key" = [])),
    responses(
        (status = 200, description = "the shortlist with its items", body = Object),
        (status = 404, description = "shortlist_not_found (also for another broker's)", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Shortlist>> {
    caller.require(ROLES)?;
    let list = state
        .blocking(move |state| visible(state, &caller, &id))
        .await?;
    Ok(Json(list))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShortlistChange {
    pub client: Option<String>,
    pub title: Option<String>,
}

#[utoipa::path(patch, path = "/v1/shortlists/{id}", tag = "shortlists",
    params(("id" = String, Path, description = "shortlist id")), request_body = ShortlistChange,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "the shortlist", body = Object),
        (status = 404, description = "shortlist_not_found", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ShortlistChange>,
) -> ApiResult<Json<Shortlist>> {
    caller.require(ROLES)?;
    if body.client.as_deref().is_some_and(|c| c.trim().is_empty()) {
        return Err(ApiError::new(
            ErrorKind::InvalidField,
            "client: must not be empty",
        ));
    }
    let list = state
        .blocking(move |state| {
            let list = visible(state, &caller, &id)?;
            let client = body
                .client
                .as_deref()
                .map_or(list.client.as_str(), str::trim);
            let title = body.title.as_deref().or(list.title.as_deref());
            state
                .store()
                .update_shortlist(&id, client, title, Utc::now())?;
            visible(state, &caller, &id)
        })
        .await?;
    Ok(Json(list))
}

#[utoipa::path(delete, path = "/v1/shortlists/{id}", tag = "shortlists",
    params(("id" = String, Path, description = "shortlist id")), security(("api_key" = [])),
    responses(
        (status = 204, description = "deleted with its items"),
        (status = 404, description = "shortlist_not_found", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    caller.require(ROLES)?;
    state
        .blocking(move |state| {
            visible(state, &caller, &id)?;
            state.store().delete_shortlist(&id)?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    /// `kept` (default) or `rejected`; rejected items steer recommendations away.
    #[schema(value_type = Option<String>)]
    pub verdict: Option<Verdict>,
    pub note: Option<String>,
}

/// Adds a listing to the shortlist, or changes its verdict and note.
#[utoipa::path(put, path = "/v1/shortlists/{id}/items/{listing_id}", tag = "shortlists",
    params(("id" = String, Path, description = "shortlist id"),
           ("listing_id" = String, Path, description = "listing id")),
    request_body = ItemBody, security(("api_key" = [])),
    responses(
        (status = 201, description = "added; the shortlist", body = Object),
        (status = 200, description = "updated; the shortlist", body = Object),
        (status = 404, description = "shortlist_not_found, listing_not_found", body = ErrorBody),
    ))]
pub async fn put_item(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, listing_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<ItemBody>,
) -> ApiResult<(StatusCode, Json<Shortlist>)> {
    caller.require(ROLES)?;
    let (added, list) = state
        .blocking(move |state| {
            visible(state, &caller, &id)?;
            let added = state.store().put_shortlist_item(
                &id,
                &listing_id,
                body.verdict.unwrap_or_default(),
                body.note.as_deref(),
                Utc::now(),
            )?;
            Ok((added, visible(state, &caller, &id)?))
        })
        .await?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(list)))
}

#[utoipa::path(delete, path = "/v1/shortlists/{id}/items/{listing_id}", tag = "shortlists",
    params(("id" = String, Path, description = "shortlist id"),
           ("listing_id" = String, Path, description = "listing id")),
    security(("api_key" = [])),
    responses(
        (status = 204, description = "removed"),
        (status = 404, description = "shortlist_not_found, shortlist_item_not_found", body = ErrorBody),
    ))]
pub async fn remove_item(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, listing_id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    caller.require(ROLES)?;
    state
        .blocking(move |state| {
            visible(state, &caller, &id)?;
            if !state
                .store()
                .remove_shortlist_item(&id, &listing_id, Utc::now())?
            {
                return Err(ApiError::new(
                    ErrorKind::ShortlistItemNotFound,
                    format!("listing {listing_id:?} is not on shortlist {id:?}"),
                ));
            }
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// More listings like the kept items and unlike the rejected ones, never
/// one already on the list. Takes the search filters.
#[utoipa::path(get, path = "/v1/shortlists/{id}/recommendations", tag = "shortlists",
    params(("id" = String, Path, description = "shortlist id"), SearchParams),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "a page of hits", body = Object),
        (status = 404, description = "shortlist_not_found", body = ErrorBody),
        (status = 422, description = "invalid_field: no kept item to learn from", body = ErrorBody),
    ))]
pub async fn recommend(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<Json<SearchResponse>> {
    caller.require(ROLES)?;
    params.refuse_query("recommendations")?;
    let (offset, limit) = params.page(&state)?;
    let filter = params.filter()?;
    let ranker = state.ranker()?;
    let response = state
        .blocking(move |state| {
            let list = visible(state, &caller, &id)?;
            let of = |verdict: Verdict| -> Vec<String> {
                list.items
                    .iter()
                    .filter(|item| item.verdict == verdict)
                    .map(|item| item.listing_id.clone())
                    .collect()
            };
            let positive = of(Verdict::Kept);
            if positive.is_empty() {
                return Err(ApiError::new(
                    ErrorKind::InvalidField,
                    format!("shortlist {id:?} has no kept item to recommend from"),
                ));
            }
            let request = RecommendRequest {
                positive,
                negative: of(Verdict::Rejected),
                filter,
                offset,
                limit,
                exclude: list.items.iter().map(|i| i.listing_id.clone()).collect(),
            };
            Ok(ranker.recommend(&request)?)
        })
        .await?;
    Ok(Json(response))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
}

/// The shortlist as a file for the client: title, holder, 申请号, modes,
/// fee, verdict, the broker's note and a link, one row per item.
#[utoipa::path(get, path = "/v1/shortlists/{id}/export", tag = "shortlists",
    params(("id" = String, Path, description = "shortlist id"), ExportParams),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "text/csv or an XLSX workbook, as an attachment"),
        (status = 400, description = "invalid_parameter: unknown format", body = ErrorBody),
        (status = 404, description = "shortlist_not_found", body = ErrorBody),
    ))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<ExportParams>,
) -> ApiResult<Response> {
    caller.require(ROLES)?;
    let xlsx = match params.format.as_deref() {
        None | Some("csv") => false,
        Some("xlsx") => true,
        Some(other) => {
            return Err(ApiError::invalid(
                "format",
                format!("{other:?} is neither `csv` nor `xlsx`"),
            ))
        }
    };
    let (bytes, name) = state
        .blocking(move |state| {
            let list = visible(state, &caller, &id)?;
            let store = state.store();
            let mut rows = Vec::with_capacity(list.items.len());
            for item in &list.items {
                let Some(listing) = store.listing(&item.listing_id)? else {
                    continue;
                };
                let lifecycle = store.lifecycle(&item.listing_id)?;
                let verdict = match item.verdict {
                    Verdict::Kept => "保留",
                    Verdict::Rejected => "排除",
                };
                rows.push(ExportRow::new(
                    &listing,
                    lifecycle.current_declaration(&listing.declaration),
                    verdict,
                    item.note.as_deref(),
                    format!("{}/listings/{}", state.config().base_url, listing.id),
                ));
            }
            let bytes = if xlsx {
                to_xlsx(&list, &rows).map_err(ApiError::internal)?
            } else {
                to_csv(&rows).map_err(ApiError::internal)?
            };
            Ok((bytes, list.id))
        })
        .await?;
    let (mime, ext) = if xlsx {
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    } else {
        ("text/csv; charset=utf-8", "csv")
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
