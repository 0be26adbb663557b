//! The HTTP service.

mod api_error;
mod app_state;
mod caller;
mod extract;
mod listing_input;
mod metrics;
mod profile_input;
mod push_jobs;
mod routes;
mod serve;
mod server_config;
mod shortlist_export;

pub use api_error::{ApiError, ApiResult, ErrorBody, ErrorKind};
pub use app_state::{AppState, Backend};
pub use caller::{new_key, Caller};
pub use push_jobs::{JobState, PushJob};
pub use routes::router;
pub use serve::{serve, shutdown_signal};
pub use server_config::ServerConfig;
pub use shortlist_export::{fee_text, COLUMNS as EXPORT_COLUMNS};
