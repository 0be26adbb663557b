//! Demand profiles: each belongs to one enterprise, and only that
//! enterprise's key (or an admin's) can see or change it.

use super::search::visible_profile;
use crate::server::api_error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::server::app_state::AppState;
use crate::server::caller::{random_id, Caller};
use crate::server::extract::{ApiJson, ApiPath};
use crate::server::profile_input::ProfileInput;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use corpus::{Batch, DemandProfile, KeyRole, Store};

const ROLES: &[KeyRole] = &[KeyRole::Admin, KeyRole::Enterprise];

/// The enterprise a new or replaced profile belongs to: an enterprise key's
/// own (naming another is refused), or the one an admin names.
fn owner(caller: &Caller, input: &ProfileInput) -> ApiResult<String> {
    match (caller.role, &caller.subject, &input.enterprise_id) {
        (Some(KeyRole::Enterprise), Some(own), None) => Ok(own.clone()),
        (Some(KeyRole::Enterprise), Some(own), Some(named)) if named == own => Ok(own.clone()),
        (Some(KeyRole::Enterprise), _, Some(named)) => Err(ApiError::new(
            ErrorKind::Forbidden,
            format!("enterprise_id: this key acts for its own enterprise, not {named:?}"),
        )),
        (Some(KeyRole::Admin), _, Some(named)) if !named.trim().is_empty() => {
            Ok(named.trim().to_string())
        }
        (Some(KeyRole::Admin), _, _) => Err(ApiError::new(
            ErrorKind::InvalidField,
            "enterprise_id: an admin must name the enterprise the profile belongs to",
        )),
        _ => Err(ApiError::new(
            ErrorKind::Forbidden,
            "profiles belong to enterprises",
        )),
    }
}

/// The caller's profiles (an admin's: all).
#[utoipa::path(get, path = "/v1/profiles", tag = "profiles", security(("api_key" = [])),
    responses(
        (status = 200, description = "profiles visible to the key", body = Object),
        (status = 403, description = "forbidden: brokers have no profiles", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<DemandProfile>>> {
    caller.require(ROLES)?;
    let profiles = state
        .blocking(move |state| {
            let profiles = state.store().profiles()?;
            Ok(profiles
                .into_iter()
                .filter(|p| caller.sees_enterprise(&p.enterprise_id))
                .collect())
        })
        .await?;
    Ok(Json(profiles))
}

/// Creates a profile. Its first push searches the whole corpus.
#[utoipa::path(post, path = "/v1/profiles", tag = "profiles", request_body = ProfileInput,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "the profile as stored", body = Object),
        (status = 403, description = "forbidden: another enterprise's id, or a broker key", body = ErrorBody),
        (status = 409, description = "already_exists", body = ErrorBody),
        (status = 422, description = "invalid_field, invalid_ipc_code", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ProfileInput>,
) -> ApiResult<(StatusCode, Json<DemandProfile>)> {
    caller.require(ROLES)?;
    let enterprise = owner(&caller, &input)?;
    let id = match &input.id {
        Some(id) if !id.trim().is_empty() => id.trim().to_string(),
        Some(_) => {
            return Err(ApiError::new(
                ErrorKind::InvalidField,
                "id: must not be empty",
            ))
        }
        None => random_id("dem")?,
    };
    let profile = input.to_profile(id, enterprise, None)?;
    let profile = state
        .blocking(move |state| {
            let mut store = state.store();
            if store.profile(&profile.id)?.is_some() {
                return Err(ApiError::new(
                    ErrorKind::AlreadyExists,
                    format!("a demand profile with id {:?} exists", profile.id),
                ));
            }
            store.write_batch(&Batch {
                listings: Vec::new(),
                profiles: vec![profile.clone()],
            })?;
            Ok(profile)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(profile)))
}

#[utoipa::path(get, path = "/v1/profiles/{id}", tag = "profiles",
    params(("id" = String, Path, description = "profile id")), security(("api_key" = [])),
    responses(
        (status = 200, description = "the profile", body = Object),
        (status = 404, description = "profile_not_found (also for another enterprise's)", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<DemandProfile>> {
    caller.require(ROLES)?;
    let profile = state
        .blocking(move |state| visible_profile(state, &caller, &id))
        .await?;
    Ok(Json(profile))
}

/// Replaces a profile. The next push gives it a fresh baseline.
#[utoipa::path(put, path = "/v1/profiles/{id}", tag = "profiles",
    params(("id" = String, Path, description = "profile id")), request_body = ProfileInput,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "the profile as stored", body = Object),
        (status = 404, description = "profile_not_found", body = ErrorBody),
        (status = 422, description = "invalid_field, invalid_ipc_code", body = ErrorBody),
    ))]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ProfileInput>,
) -> ApiResult<Json<DemandProfile>> {
    caller.require(ROLES)?;
    if input.id.as_deref().is_some_and(|given| given != id) {
        return Err(ApiError::new(
            ErrorKind::InvalidField,
            "id: the body names another profile than the path",
        ));
    }
    let profile = state
        .blocking(move |state| {
            let stored = visible_profile(state, &caller, &id)?;
            let enterprise = match &input.enterprise_id {
                // Moving a profile between enterprises is an admin's act.
                Some(named) if *named != stored.enterprise_id => owner(&caller, &input)?,
                _ => stored.enterprise_id.clone(),
            };
            let profile = input.to_profile(id, enterprise, Some(stored.created_at))?;
            state.store().write_batch(&Batch {
                listings: Vec::new(),
                profiles: vec![profile.clone()],
            })?;
            Ok(profile)
        })
        .await?;
    Ok(Json(profile))
}

/// Deletes a profile: it is no longer pushed to. Its push records stay, as
/// the platform's audit trail.
#[utoipa::path(delete, path = "/v1/profiles/{id}", tag = "profiles",
    params(("id" = String, Path, description = "profile id")), security(("api_key" = [])),
    responses(
        (status = 204, description = "deleted"),
        (status = 404, description = "profile_not_found", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    caller.require(ROLES)?;
    state
        .blocking(move |state| {
            visible_profile(state, &caller, &id)?;
            state.store().delete_profile(&id)?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
