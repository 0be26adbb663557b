//! The daily precision push (精准推送): runs for administrators, items and
//! feedback for the enterprise that owns the profile.

use super::search::visible_profile;
use crate::server::api_error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::server::app_state::AppState;
use crate::server::caller::Caller;
use crate::server::extract::{ApiJson, ApiPath};
use crate::server::push_jobs::PushJob;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use corpus::{KeyRole, PushFeedback, PushItem, Store};
use ranker::{PushConfig, PushProgress, Pusher};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunBody {
    /// The day pushed; running a day twice sends nothing new.
    pub date: NaiveDate,
    /// Only these profiles; all when absent.
    pub profiles: Option<Vec<String>>,
    /// Items per profile, 1–100 (default 5).
    pub limit: Option<usize>,
    /// Minimum score (default: the calibrated threshold).
    pub threshold: Option<f32>,
}

/// Starts a push run and answers at once with the job to poll: a first run
/// embeds every profile, which takes minutes.
#[utoipa::path(post, path = "/v1/push/runs", tag = "push", request_body = RunBody,
    security(("api_key" = [])),
    responses(
        (status = 202, description = "the run, started", body = PushJob),
        (status = 403, description = "forbidden: admin only", body = ErrorBody),
        (status = 404, description = "profile_not_found", body = ErrorBody),
        (status = 409, description = "push_already_running", body = ErrorBody),
    ))]
pub async fn run(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<RunBody>,
) -> ApiResult<(StatusCode, Json<PushJob>)> {
    caller.require_admin()?;
    let defaults = state.backend().push.clone();
    let limit = body.limit.unwrap_or(defaults.limit);
    if limit == 0 || limit > state.config().max_limit {
        return Err(ApiError::new(
            ErrorKind::LimitOutOfRange,
            format!(
                "limit: {limit} is not between 1 and {}",
                state.config().max_limit
            ),
        ));
    }
    if let Some(threshold) = body.threshold {
        if !threshold.is_finite() {
            return Err(ApiError::invalid("threshold", "must be a number"));
        }
    }
    let config = PushConfig {
        limit,
        threshold: body.threshold.unwrap_or(defaults.threshold),
        ..defaults
    };
    let ranker = state.ranker()?;
    // Profiles are resolved before the job starts, so an unknown id is
    // this request's 404 rather than a failed job.
    let wanted = body.profiles.clone();
    let profiles = state
        .blocking(move |state| {
            let store = state.store();
            match wanted {
                None => Ok(store.profiles()?),
                Some(ids) => ids
                    .iter()
                    .map(|id| {
                        store.profile(id)?.ok_or_else(|| {
                            ApiError::new(
                                ErrorKind::ProfileNotFound,
                                format!("profiles: no demand profile with id {id:?}"),
                            )
                        })
                    })
                    .collect(),
            }
        })
        .await?;
    let job = state.pushes().start(body.date)?;
    let id = job.id.clone();
    let date = body.date;
    let worker = state.clone();
    tokio::task::spawn_blocking(move || {
        let jobs = worker.pushes();
        let outcome = worker
            .open_store()
            .map_err(|e| e.to_string())
            .and_then(|mut store| {
                let pusher = Pusher::new(&ranker, config);
                pusher
                    .run_for(&mut store, &profiles, date, &|progress| {
                        let (stage, done, total) = match progress {
                            PushProgress::Embedded { done, total } => ("embedding", done, total),
                            PushProgress::Scored { done, total } => ("scoring", done, total),
                            PushProgress::Pushed(_) => return,
                        };
                        jobs.update(&id, |job| {
                            job.stage = Some(stage.into());
                            job.done = done;
                            job.total = total;
                        });
                    })
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = &outcome {
            tracing::error!(run = %id, error = %e, "push run failed");
        }
        jobs.finish(&id, outcome);
    });
    Ok((StatusCode::ACCEPTED, Json(job)))
}

#[utoipa::path(get, path = "/v1/push/runs/{id}", tag = "push",
    params(("id" = String, Path, description = "push run id")), security(("api_key" = [])),
    responses(
        (status = 200, description = "the run's state, progress and report", body = PushJob),
        (status = 404, description = "push_run_not_found", body = ErrorBody),
    ))]
pub async fn run_status(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<PushJob>> {
    caller.require_admin()?;
    state.pushes().get(&id).map(Json).ok_or_else(|| {
        ApiError::new(
            ErrorKind::PushRunNotFound,
            format!("no push run with id {id:?}"),
        )
    })
}

/// One push item with the enterprise's verdict, if given.
#[derive(Debug, Serialize, ToSchema)]
pub struct PushedItem {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub item: PushItem,
    /// `true` relevant, `false` not, absent: no verdict yet.
    pub relevant: Option<bool>,
    pub feedback_reason: Option<String>,
}

/// Everything pushed to a profile, newest day first, each with its reasons.
#[utoipa::path(get, path = "/v1/profiles/{id}/pushes", tag = "push",
    params(("id" = String, Path, description = "profile id")), security(("api_key" = [])),
    responses(
        (status = 200, description = "push items with reasons and explanations", body = Vec<PushedItem>),
        (status = 404, description = "profile_not_found (also for another enterprise's)", body = ErrorBody),
    ))]
pub async fn items(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Vec<PushedItem>>> {
    caller.require(&[KeyRole::Admin, KeyRole::Enterprise])?;
    let items = state
        .blocking(move |state| {
            visible_profile(state, &caller, &id)?;
            let store = state.store();
            let feedback = store.feedback(&id)?;
            let mut items: Vec<PushedItem> = store
                .pushed_items(&id)?
                .into_iter()
                .map(|item| {
                    let verdict = feedback
                        .iter()
                        .rfind(|f| f.listing_id == item.listing_id && f.date == item.date);
                    PushedItem {
                        relevant: verdict.map(|f| f.relevant),
                        feedback_reason: verdict.and_then(|f| f.reason.clone()),
                        item,
                    }
                })
                .collect();
            items.sort_by_key(|i| std::cmp::Reverse(i.item.date));
            Ok(items)
        })
        .await?;
    Ok(Json(items))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackBody {
    pub listing_id: String,
    /// The day of the push item judged.
    pub date: NaiveDate,
    pub relevant: bool,
    pub reason: Option<String>,
}

/// A verdict on a push item; later pushes to the profile learn from it.
#[utoipa::path(post, path = "/v1/profiles/{id}/feedback", tag = "push",
    params(("id" = String, Path, description = "profile id")), request_body = FeedbackBody,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "recorded", body = Object),
        (status = 404, description = "profile_not_found, push_item_not_found", body = ErrorBody),
    ))]
pub async fn feedback(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<FeedbackBody>,
) -> ApiResult<(StatusCode, Json<PushFeedback>)> {
    caller.require(&[KeyRole::Admin, KeyRole::Enterprise])?;
    let verdict = state
        .blocking(move |state| {
            visible_profile(state, &caller, &id)?;
            let verdict = PushFeedback {
                profile_id: id,
                listing_id: body.listing_id,
                date: body.date,
                relevant: body.relevant,
                reason: body.reason,
            };
            state.store().record_feedback(&verdict)?;
            Ok(verdict)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(verdict)))
}
