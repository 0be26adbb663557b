//! The router: every endpoint, its OpenAPI entry, and the layers around
//! them (limits, timeout, metrics, tracing).

mod classify;
mod listings;
mod ops;
mod profiles;
mod push;
mod search;
mod shortlists;

use super::api_error::{ApiError, ErrorBody, ErrorKind};
use super::app_state::AppState;
use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{BoxError, Json, Router};
use std::sync::Arc;
use tower::ServiceBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "patmatch",
        description = "Search and precision push for patents listed for public implementation \
            (专利公开实施). Every error is `{code, message}`; the codes are listed under \
            `x-error-codes`. Send keys as `Authorization: Bearer pm_…`.",
    ),
    modifiers(&Security),
    components(schemas(ErrorBody)),
    tags(
        (name = "search", description = "Search, listings and similar listings"),
        (name = "listings", description = "Listing lifecycle (admin)"),
        (name = "profiles", description = "Demand profiles (enterprise)"),
        (name = "push", description = "Precision push"),
        (name = "shortlists", description = "Brokers' shortlists"),
        (name = "classify", description = "Classification"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("pm_<id>_<secret>")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key_header",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key"))),
        );
    }
}

/// The whole service, with its OpenAPI document at `/openapi.json`.
pub fn router(state: AppState) -> Router {
    super::metrics::install();
    let (api, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(search::search))
        .routes(routes!(search::listing))
        .routes(routes!(search::similar))
        .routes(routes!(listings::upsert))
        .routes(routes!(listings::withdraw))
        .routes(routes!(listings::change_terms))
        .routes(routes!(listings::record_intent))
        .routes(routes!(listings::record_licence))
        .routes(routes!(profiles::list, profiles::create))
        .routes(routes!(profiles::get, profiles::replace, profiles::delete))
        .routes(routes!(push::run))
        .routes(routes!(push::run_status))
        .routes(routes!(push::items))
        .routes(routes!(push::feedback))
        .routes(routes!(shortlists::list, shortlists::create))
        .routes(routes!(
            shortlists::get,
            shortlists::update,
            shortlists::delete
        ))
        .routes(routes!(shortlists::put_item, shortlists::remove_item))
        .routes(routes!(shortlists::recommend))
        .routes(routes!(shortlists::export))
        .routes(routes!(classify::classify))
        .split_for_parts();
    let codes: Vec<serde_json::Value> = ApiError::TABLE
        .iter()
        .map(|(_, status, code, about)| {
            serde_json::json!({"code": code, "status": status, "description": about})
        })
        .collect();
    let extensions = openapi.extensions.get_or_insert_with(Default::default);
    extensions.insert("x-error-codes".into(), serde_json::Value::Array(codes));
    let openapi = Arc::new(openapi);

    let config = state.config().clone();
    let limits = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(overloaded_or_late))
        .timeout(config.request_timeout)
        .concurrency_limit(config.concurrency_limit);

    Router::new()
        .merge(api)
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route(
            "/openapi.json",
            get(move || {
                let openapi = Arc::clone(&openapi);
                async move { Json(openapi.as_ref().clone()) }
            }),
        )
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(config.body_limit_bytes))
        .layer(limits)
        .layer(axum::middleware::from_fn(super::metrics::track))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

async fn route_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        ErrorKind::RouteNotFound,
        format!("no endpoint {}; see /openapi.json", uri.path()),
    )
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        ErrorKind::MethodNotAllowed,
        format!("{} does not take {method}; see /openapi.json", uri.path()),
    )
}

async fn overloaded_or_late(error: BoxError) -> ApiError {
    if error.is::<tower::timeout::error::Elapsed>() {
        ApiError::new(ErrorKind::RequestTimeout, "the request took too long")
    } else {
        // The concurrency limit queues rather than refuses, so nothing
        // else is expected here.
        ApiError::internal(error)
    }
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("a handler panicked").into_response()
}
