use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response: a stable code for programs and a
/// message for people, naming the field or id that was wrong.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// One of the codes in [`ApiError::TABLE`]; never changes meaning.
    pub code: &'static str,
    pub message: String,
}

/// Everything a request can fail with. [`ApiError::TABLE`] is the one place
/// that maps a kind of failure to its HTTP status and code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
}

/// The kinds of failure, one per stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    MalformedJson,
    UnknownField,
    InvalidBody,
    UnsupportedMediaType,
    PayloadTooLarge,
    InvalidParameter,
    UnknownParameter,
    QueryTooLong,
    EmptyQuery,
    LimitOutOfRange,
    UnknownFilterValue,
    InvalidCreditCode,
    InvalidApplicationNumber,
    InvalidIpcCode,
    InvalidField,
    DateOutsideCalendar,
    MissingApiKey,
    InvalidApiKey,
    Forbidden,
    ListingNotFound,
    ProfileNotFound,
    ShortlistNotFound,
    ShortlistItemNotFound,
    PushItemNotFound,
    PushRunNotFound,
    RouteNotFound,
    MethodNotAllowed,
    AlreadyExists,
    TermsChangeRefused,
    LifecycleConflict,
    PushAlreadyRunning,
    RequestTimeout,
    IndexNotReady,
    Internal,
}

impl ApiError {
    /// Kind → (status, code, what it means). The OpenAPI document and the
    /// tests read this table, so a code cannot exist undocumented.
    pub const TABLE: &'static [(ErrorKind, u16, &'static str, &'static str)] = &[
        (
            ErrorKind::MalformedJson,
            400,
            "malformed_json",
            "the body is not valid JSON",
        ),
        (
            ErrorKind::UnknownField,
            400,
            "unknown_field",
            "the body has a field the endpoint does not know",
        ),
        (
            ErrorKind::InvalidBody,
            400,
            "invalid_body",
            "a body field is missing or has the wrong type",
        ),
        (
            ErrorKind::UnsupportedMediaType,
            415,
            "unsupported_media_type",
            "the body is not sent as application/json",
        ),
        (
            ErrorKind::PayloadTooLarge,
            413,
            "payload_too_large",
            "the body exceeds the configured limit",
        ),
        (
            ErrorKind::InvalidParameter,
            400,
            "invalid_parameter",
            "a query or path parameter has the wrong form",
        ),
        (
            ErrorKind::UnknownParameter,
            400,
            "unknown_parameter",
            "a query parameter the endpoint does not know",
        ),
        (
            ErrorKind::QueryTooLong,
            400,
            "query_too_long",
            "the query text is over the character limit",
        ),
        (
            ErrorKind::EmptyQuery,
            400,
            "empty_query",
            "the query leaves nothing to search",
        ),
        (
            ErrorKind::LimitOutOfRange,
            400,
            "limit_out_of_range",
            "limit is 0 or over the maximum",
        ),
        (
            ErrorKind::UnknownFilterValue,
            400,
            "unknown_filter_value",
            "a filter names a value that does not exist",
        ),
        (
            ErrorKind::InvalidCreditCode,
            422,
            "invalid_credit_code",
            "a 统一社会信用代码 fails GB 32100-2015",
        ),
        (
            ErrorKind::InvalidApplicationNumber,
            422,
            "invalid_application_number",
            "a 申请号 is malformed or its check digit is wrong",
        ),
        (
            ErrorKind::InvalidIpcCode,
            422,
            "invalid_ipc_code",
            "an IPC code is malformed",
        ),
        (
            ErrorKind::InvalidField,
            422,
            "invalid_field",
            "a field's value breaks a domain rule",
        ),
        (
            ErrorKind::DateOutsideCalendar,
            422,
            "date_outside_calendar",
            "working days cannot be counted past the official calendar",
        ),
        (
            ErrorKind::MissingApiKey,
            401,
            "missing_api_key",
            "no API key was sent",
        ),
        (
            ErrorKind::InvalidApiKey,
            401,
            "invalid_api_key",
            "the API key is unknown, malformed or revoked",
        ),
        (
            ErrorKind::Forbidden,
            403,
            "forbidden",
            "the key's role may not do this",
        ),
        (
            ErrorKind::ListingNotFound,
            404,
            "listing_not_found",
            "no such listing",
        ),
        (
            ErrorKind::ProfileNotFound,
            404,
            "profile_not_found",
            "no such demand profile visible to this key",
        ),
        (
            ErrorKind::ShortlistNotFound,
            404,
            "shortlist_not_found",
            "no such shortlist visible to this key",
        ),
        (
            ErrorKind::ShortlistItemNotFound,
            404,
            "shortlist_item_not_found",
            "the listing is not on the shortlist",
        ),
        (
            ErrorKind::PushItemNotFound,
            404,
            "push_item_not_found",
            "no such push item for this profile",
        ),
        (
            ErrorKind::PushRunNotFound,
            404,
            "push_run_not_found",
            "no such push run",
        ),
        (
            ErrorKind::RouteNotFound,
            404,
            "route_not_found",
            "no such endpoint",
        ),
        (
            ErrorKind::MethodNotAllowed,
            405,
            "method_not_allowed",
            "the endpoint does not take this method",
        ),
        (
            ErrorKind::AlreadyExists,
            409,
            "already_exists",
            "an object with this id exists",
        ),
        (
            ErrorKind::TermsChangeRefused,
            409,
            "terms_change_refused",
            "the 办法's six-month rule or direction of change forbids it",
        ),
        (
            ErrorKind::LifecycleConflict,
            409,
            "lifecycle_conflict",
            "the action does not fit the listing's history",
        ),
        (
            ErrorKind::PushAlreadyRunning,
            409,
            "push_already_running",
            "a push run is in progress",
        ),
        (
            ErrorKind::RequestTimeout,
            408,
            "request_timeout",
            "the request took longer than the configured timeout",
        ),
        (
            ErrorKind::IndexNotReady,
            503,
            "index_not_ready",
            "the index is still loading",
        ),
        (
            ErrorKind::Internal,
            500,
            "internal",
            "a fault of the server, logged with details",
        ),
    ];

    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        let (status, _, _) = Self::entry(self.kind);
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn code(&self) -> &'static str {
        Self::entry(self.kind).1
    }

    fn entry(kind: ErrorKind) -> (u16, &'static str, &'static str) {
        Self::TABLE
            .iter()
            .find(|(k, ..)| *k == kind)
            .map_or((500, "internal", ""), |&(_, status, code, about)| {
                (status, code, about)
            })
    }

    pub fn internal(what: impl std::fmt::Display) -> Self {
        // The details go to the log, not to the client.
        tracing::error!(error = %what, "internal error");
        Self::new(ErrorKind::Internal, "internal error; see the server log")
    }

    pub fn invalid(field: impl std::fmt::Display, message: impl std::fmt::Display) -> Self {
        Self::new(ErrorKind::InvalidParameter, format!("{field}: {message}"))
    }
}

impl ApiError {
    /// The same error about `field` (a path such as `listings[3].holder.credit_code`):
    /// domain errors name only the last part of the path.
    pub fn with_field(mut self, field: &str) -> Self {
        let reason = self
            .message
            .split_once(": ")
            .map_or(self.message.as_str(), |(_, reason)| reason);
        self.message = format!("{field}: {reason}");
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = ErrorBody {
            code: self.code(),
            message: self.message,
        };
        (status, Json(body)).into_response()
    }
}

impl From<corpus::Error> for ApiError {
    fn from(e: corpus::Error) -> Self {
        use corpus::Error as E;
        match e {
            E::NotFound { what, id } => {
                let kind = match what {
                    "listing" => ErrorKind::ListingNotFound,
                    "profile" | "demand profile" => ErrorKind::ProfileNotFound,
                    "shortlist" => ErrorKind::ShortlistNotFound,
                    "push item" => ErrorKind::PushItemNotFound,
                    _ => ErrorKind::InvalidField,
                };
                Self::new(kind, format!("no {what} with id {id:?}"))
            }
            E::Invalid { field, reason } => {
                let kind = match field.as_str() {
                    f if f.contains("credit_code") || f.contains("信用代码") => {
                        ErrorKind::InvalidCreditCode
                    }
                    f if f.contains("application_number") || f.contains("申请号") => {
                        ErrorKind::InvalidApplicationNumber
                    }
                    f if f.contains("ipc") => ErrorKind::InvalidIpcCode,
                    _ => ErrorKind::InvalidField,
                };
                Self::new(kind, format!("{field}: {reason}"))
            }
            E::TermsRefused(refusal) => {
                Self::new(ErrorKind::TermsChangeRefused, refusal.to_string())
            }
            E::Lifecycle(message) => Self::new(ErrorKind::LifecycleConflict, message),
            E::CalendarUncovered { .. } => Self::new(ErrorKind::DateOutsideCalendar, e.to_string()),
            other => Self::internal(other),
        }
    }
}

impl From<ranker::Error> for ApiError {
    fn from(e: ranker::Error) -> Self {
        use ranker::Error as E;
        match e {
            E::Invalid { field, message } => {
                let kind = if field == "limit" {
                    ErrorKind::LimitOutOfRange
                } else {
                    ErrorKind::InvalidParameter
                };
                Self::new(kind, format!("{field}: {message}"))
            }
            E::UnknownListing(id) => Self::new(
                ErrorKind::ListingNotFound,
                format!("listing {id:?} is not in the index"),
            ),
            E::Query(message) => Self::new(ErrorKind::EmptyQuery, format!("q: {message}")),
            E::Store(e) => e.into(),
            other => Self::internal(other),
        }
    }
}

/// The result of a handler.
pub type ApiResult<T> = std::result::Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_kind_has_one_distinct_snake_case_code() {
        let codes: HashSet<_> = ApiError::TABLE
            .iter()
            .map(|(_, _, code, _)| *code)
            .collect();
        assert_eq!(codes.len(), ApiError::TABLE.len(), "a code is used twice");
        let kinds: HashSet<_> = ApiError::TABLE.iter().map(|(kind, ..)| *kind).collect();
        assert_eq!(kinds.len(), ApiError::TABLE.len(), "a kind is listed twice");
        for (_, status, code, _) in ApiError::TABLE {
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code} is not snake_case"
            );
            assert!((400..600).contains(status), "{code}: {status}");
        }
    }

    #[test]
    fn domain_errors_keep_their_meaning() {
        let e: ApiError = corpus::Error::invalid("holder.credit_code", "check digit").into();
        assert_eq!(
            (e.status().as_u16(), e.code()),
            (422, "invalid_credit_code")
        );
        let e: ApiError = corpus::Error::NotFound {
            what: "listing",
            id: "x".into(),
        }
        .into();
        assert_eq!((e.status().as_u16(), e.code()), (404, "listing_not_found"));
        let e: ApiError = ranker::Error::Invalid {
            field: "limit",
            message: "over 100".into(),
        }
        .into();
        assert_eq!(e.code(), "limit_out_of_range");
    }
}
