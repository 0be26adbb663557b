//! Operations: liveness, readiness, metrics and the API's description.

use crate::server::app_state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

/// The process is up (it answers even while the index loads).
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// 200 once the index is loaded, with its generation and size; 503 before.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.index_status() {
        Some((generation, listings)) => (
            StatusCode::OK,
            Json(json!({
                "status": "ready",
                "generation": generation,
                "listings": listings,
                "indexed_write": state.indexed(),
            })),
        ),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "loading", "code": "index_not_ready",
                "message": "the index is still loading"})),
        ),
    }
}

/// Prometheus text format: requests and latencies by route, index
/// generation and listing count.
pub async fn metrics() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::server::metrics::render(),
    )
}
