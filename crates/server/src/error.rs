//! The HTTP API's error type: a stable machine code and a human message, never
//! internals. Internal failures are logged once, here, and answered as 500.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::store::StoreError;

/// An error answered to an HTTP client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed or a value is invalid.
    #[error("{0}")]
    BadRequest(String),
    /// No valid session.
    #[error("not logged in")]
    Unauthorized,
    /// Wrong email or password (one message for both: no account probing).
    #[error("wrong email or password")]
    BadCredentials,
    /// The caller's origin is not allowed for this site.
    #[error("origin not allowed for this site")]
    OriginNotAllowed,
    /// Logged in, but without the role this needs.
    #[error("this needs the admin role")]
    Forbidden,
    /// Nothing there.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// It exists already.
    #[error("{0} already exists")]
    Conflict(String),
    /// A stream file with errors, each `line:col: card id: message`.
    #[error("the stream has errors")]
    InvalidStream(Vec<String>),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
            Self::OriginNotAllowed => (StatusCode::FORBIDDEN, "origin_not_allowed"),
            Self::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Self::InvalidStream(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_stream"),
            Self::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
            "internal error".to_owned()
        } else {
            self.to_string()
        };
        let details = match &self {
            Self::InvalidStream(errors) => json!(errors),
            _ => json!(null),
        };
        let body = json!({ "error": { "code": code, "message": message, "details": details } });
        (status, Json(body)).into_response()
    }
}
