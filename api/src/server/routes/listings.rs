//! The listings' lifecycle, for administrators: bulk upsert, withdrawal,
//! change of terms, intents and licences. Each write is stored at once;
//! the indexes follow in the background (or before the answer, with
//! `wait_for_index=true`).

use crate::server::api_error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::server::app_state::AppState;
use crate::server::caller::Caller;
use crate::server::extract::{ApiJson, ApiPath, ApiQuery};
use crate::server::listing_input::{unindexable_day, FeeInput, ListingInput};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use corpus::{
    withdrawal_effective_on, Batch, BatchCounts, ImplementationMode, LifecycleEvent, Store,
    WITHDRAWAL_WORKING_DAYS,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Most listings in one upsert: a larger batch should be split, so that
/// one bad record does not cost the whole upload.
const MAX_BATCH: usize = 5_000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpsertBody {
    pub listings: Vec<ListingInput>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WriteParams {
    /// Answer only once the indexes include the write.
    pub wait_for_index: Option<bool>,
}

/// What a write did, and whether search sees it yet.
#[derive(Debug, Serialize)]
pub struct WriteReceipt<T: Serialize> {
    pub result: T,
    /// The write's number; `GET /readyz` reports the last one indexed.
    pub write: u64,
    /// True when the indexes already include the write.
    pub indexed: bool,
}

async fn receipt<T: Serialize>(
    state: &AppState,
    params: &WriteParams,
    result: T,
) -> Json<WriteReceipt<T>> {
    receipt_of(state, params, result, true).await
}

/// As [`receipt`]; when nothing `changed`, no index update is asked for and
/// the receipt names the last write instead.
async fn receipt_of<T: Serialize>(
    state: &AppState,
    params: &WriteParams,
    result: T,
    changed: bool,
) -> Json<WriteReceipt<T>> {
    let write = if changed {
        state.wrote()
    } else {
        state.last_write()
    };
    if params.wait_for_index.unwrap_or(false) {
        state.wait_indexed(write).await;
    }
    Json(WriteReceipt {
        result,
        write,
        indexed: state.indexed() >= write,
    })
}

/// Inserts or replaces listings by id, all in one transaction: one invalid
/// record refuses the whole batch, naming it (`listings[3].holder.credit_code`).
/// A changed declaration becomes a new version; history is kept.
#[utoipa::path(post, path = "/v1/listings", tag = "listings", request_body = UpsertBody,
    params(WriteParams), security(("api_key" = [])),
    responses(
        (status = 200, description = "counts of inserted, updated and unchanged listings", body = Object),
        (status = 400, description = "malformed_json, unknown_field, invalid_body", body = ErrorBody),
        (status = 403, description = "forbidden: admin only", body = ErrorBody),
        (status = 413, description = "payload_too_large", body = ErrorBody),
        (status = 422, description = "invalid_credit_code, invalid_application_number, invalid_ipc_code, invalid_field", body = ErrorBody),
    ))]
pub async fn upsert(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<WriteParams>,
    ApiJson(body): ApiJson<UpsertBody>,
) -> ApiResult<Json<WriteReceipt<BatchCounts>>> {
    caller.require_admin()?;
    if body.listings.is_empty() || body.listings.len() > MAX_BATCH {
        return Err(ApiError::new(
            ErrorKind::InvalidField,
            format!(
                "listings: {} given, send 1 to {MAX_BATCH} per request",
                body.listings.len()
            ),
        ));
    }
    let listings = body
        .listings
        .iter()
        .enumerate()
        .map(|(i, input)| input.to_listing(&format!("listings[{i}]")))
        .collect::<ApiResult<Vec<_>>>()?;
    let counts = state
        .blocking(move |state| {
            let batch = Batch {
                listings,
                profiles: Vec::new(),
            };
            Ok(state.store().write_batch(&batch)?)
        })
        .await?;
    // Re-sending what is stored (a nightly full upload) costs no build.
    let changed = counts.listings.inserted + counts.listings.updated > 0;
    Ok(receipt_of(&state, &params, counts, changed).await)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalBody {
    /// The day the withdrawal is announced.
    pub announced_on: NaiveDate,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WithdrawalAnswer {
    pub announced_on: NaiveDate,
    /// Seven working days after the announcement on China's official
    /// calendar (调休 make-up days count as working days).
    pub effective_on: NaiveDate,
    pub working_days: u32,
    /// Licences granted before stay valid (办法 三（三）3).
    pub licences_remaining_valid: usize,
}

/// Announces a withdrawal (撤回). It takes effect seven working days later;
/// search stops showing the listing after that day.
#[utoipa::path(post, path = "/v1/listings/{id}/withdrawal", tag = "listings",
    params(("id" = String, Path, description = "listing id"), WriteParams),
    request_body = WithdrawalBody, security(("api_key" = [])),
    responses(
        (status = 200, description = "the computed effective date", body = Object),
        (status = 404, description = "listing_not_found", body = ErrorBody),
        (status = 409, description = "lifecycle_conflict: already withdrawn, or dated before an earlier event", body = ErrorBody),
        (status = 422, description = "date_outside_calendar", body = ErrorBody),
    ))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<WriteParams>,
    ApiJson(body): ApiJson<WithdrawalBody>,
) -> ApiResult<Json<WriteReceipt<WithdrawalAnswer>>> {
    caller.require_admin()?;
    if body.reason.trim().is_empty() {
        return Err(ApiError::new(
            ErrorKind::InvalidField,
            "reason: must not be empty",
        ));
    }
    let answer = state
        .blocking(move |state| {
            let effective_on = withdrawal_effective_on(body.announced_on)?;
            let mut store = state.store();
            store.append_event(
                &id,
                &LifecycleEvent::WithdrawalAnnounced {
                    on: body.announced_on,
                    effective_on,
                    reason: body.reason.trim().to_string(),
                },
            )?;
            let licences = store.lifecycle(&id)?.licences().count();
            Ok(WithdrawalAnswer {
                announced_on: body.announced_on,
                effective_on,
                working_days: WITHDRAWAL_WORKING_DAYS,
                licences_remaining_valid: licences,
            })
        })
        .await?;
    Ok(receipt(&state, &params, answer).await)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermsBody {
    /// The day the new terms are announced.
    pub on: NaiveDate,
    /// The new modes; unchanged when absent.
    #[schema(value_type = Option<Vec<String>>)]
    pub modes: Option<Vec<ImplementationMode>>,
    /// The new fee; unchanged when absent.
    pub fee: Option<FeeInput>,
}

/// Changes a listing's terms. The 办法 allows it only after six consecutive
/// months without an implementation intent, and then only by changing the
/// modes or lowering the fee; otherwise `409 terms_change_refused` says
/// which rule and the first day a change would be allowed.
#[utoipa::path(post, path = "/v1/listings/{id}/terms", tag = "listings",
    params(("id" = String, Path, description = "listing id"), WriteParams),
    request_body = TermsBody, security(("api_key" = [])),
    responses(
        (status = 200, description = "the new declaration", body = Object),
        (status = 404, description = "listing_not_found", body = ErrorBody),
        (status = 409, description = "terms_change_refused, lifecycle_conflict", body = ErrorBody),
    ))]
pub async fn change_terms(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<WriteParams>,
    ApiJson(body): ApiJson<TermsBody>,
) -> ApiResult<Json<WriteReceipt<corpus::Declaration>>> {
    caller.require_admin()?;
    if body.modes.is_none() && body.fee.is_none() {
        return Err(ApiError::new(
            ErrorKind::InvalidField,
            "modes, fee: give the new modes, the new fee, or both",
        ));
    }
    if let Some(reason) = unindexable_day(body.on) {
        return Err(ApiError::new(
            ErrorKind::InvalidField,
            format!("on: {reason}"),
        ));
    }
    let fee = body.fee.as_ref().map(|f| f.to_fee("fee")).transpose()?;
    let declaration = state
        .blocking(move |state| {
            let mut store = state.store();
            let listing = store.listing(&id)?.ok_or_else(|| {
                ApiError::new(
                    ErrorKind::ListingNotFound,
                    format!("no listing with id {id:?}"),
                )
            })?;
            let lifecycle = store.lifecycle(&id)?;
            let mut declaration = lifecycle.current_declaration(&listing.declaration).clone();
            if let Some(modes) = body.modes {
                declaration.modes = modes.into_iter().collect();
                declaration.modes_text = None;
                declaration.modes_unparsed = false;
            }
            if let Some(fee) = fee {
                declaration.fee = fee;
            }
            declaration.announced_on = Some(body.on);
            store.append_event(
                &id,
                &LifecycleEvent::TermsChanged {
                    on: body.on,
                    declaration: declaration.clone(),
                },
            )?;
            Ok(declaration)
        })
        .await?;
    Ok(receipt(&state, &params, declaration).await)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntentBody {
    pub on: NaiveDate,
    /// Who intends to implement.
    pub party: String,
    pub note: Option<String>,
}

/// Records an implementation intent (实施意向). It restarts the six months
/// before terms may change.
#[utoipa::path(post, path = "/v1/listings/{id}/intents", tag = "listings",
    params(("id" = String, Path, description = "listing id")),
    request_body = IntentBody, security(("api_key" = [])),
    responses(
        (status = 201, description = "recorded", body = Object),
        (status = 404, description = "listing_not_found", body = ErrorBody),
        (status = 409, description = "lifecycle_conflict", body = ErrorBody),
    ))]
pub async fn record_intent(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<IntentBody>,
) -> ApiResult<(StatusCode, Json<LifecycleEvent>)> {
    caller.require_admin()?;
    if body.party.trim().is_empty() {
        return Err(ApiError::new(
            ErrorKind::InvalidField,
            "party: must not be empty",
        ));
    }
    let event = LifecycleEvent::IntentRecorded {
        on: body.on,
        party: body.party.trim().to_string(),
        note: body.note,
    };
    append(&state, id, event).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenceBody {
    pub on: NaiveDate,
    pub licensee: String,
    #[schema(value_type = String)]
    pub mode: ImplementationMode,
}

/// Records a licence or transfer concluded. It stays valid after a
/// withdrawal.
#[utoipa::path(post, path = "/v1/listings/{id}/licences", tag = "listings",
    params(("id" = String, Path, description = "listing id")),
    request_body = LicenceBody, security(("api_key" = [])),
    responses(
        (status = 201, description = "recorded", body = Object),
        (status = 404, description = "listing_not_found", body = ErrorBody),
        (status = 409, description = "lifecycle_conflict", body = ErrorBody),
    ))]
pub async fn record_licence(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<LicenceBody>,
) -> ApiResult<(StatusCode, Json<LifecycleEvent>)> {
    caller.require_admin()?;
    if body.licensee.trim().is_empty() {
        return Err(ApiError::new(
            ErrorKind::InvalidField,
            "licensee: must not be empty",
        ));
    }
    let event = LifecycleEvent::LicenceGranted {
        on: body.on,
        licensee: body.licensee.trim().to_string(),
        mode: body.mode,
    };
    append(&state, id, event).await
}

async fn append(
    state: &AppState,
    id: String,
    event: LifecycleEvent,
) -> ApiResult<(StatusCode, Json<LifecycleEvent>)> {
    let event = state
        .blocking(move |state| {
            state.store().append_event(&id, &event)?;
            Ok(event)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(event)))
}
