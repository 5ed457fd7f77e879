//! The HTTP API's error type: a stable machine code and a human message, never
//! internals; refused values also by field. The body is the protocol's
//! [`ErrorBody`], so clients read it with the same type. Internal failures
//! are logged once, here, and answered as 500.

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use switchboard_protocol::admin::{
    DraftConflict, DraftView, ErrorBody, ErrorDetail, InvalidDraft, InvalidRequest, StreamFinding,
};

use crate::store::StoreError;

/// An error answered to an HTTP client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed or a value is invalid.
    #[error("{0}")]
    BadRequest(String),
    /// Values are invalid, each named by its field (answered in `fields`,
    /// so a form can show each problem in place).
    #[error("{0}")]
    Invalid(InvalidRequest),
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
    /// The agent may not take live chats.
    #[error("this agent may not take live chats")]
    NoLiveChat,
    /// Nothing there.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// It exists already.
    #[error("{0} already exists")]
    Conflict(String),
    /// A value another one holds already, named by its field (a `conflict`
    /// with `fields`).
    #[error("{0}")]
    Taken(InvalidRequest),
    /// A setup or invitation link that is unknown, used or expired (the
    /// same answer for all three).
    #[error("this link does not work: it was used, it expired, or it is not a link we made")]
    LinkInvalid,
    /// Setup is over: an admin exists.
    #[error("setup is done: an admin exists; sign in instead")]
    SetupDone,
    /// A stream file with errors, each `line:col: card id: message`.
    #[error("the stream has errors")]
    InvalidStream(Vec<String>),
    /// A draft the validator refuses, so cannot be published: answered as
    /// [`InvalidDraft`], each finding on its card and field.
    #[error("the stream has errors")]
    InvalidDraft(Vec<StreamFinding>),
    /// A draft save or publish named a stale revision: answered as
    /// [`DraftConflict`], with the draft as it is now.
    #[error("the draft was changed elsewhere (another tab or admin): it is at revision {}", .0.revision)]
    DraftConflict(Box<DraftView>),
    /// The body is not JSON (`Content-Type: application/json`).
    #[error("the body must be JSON (Content-Type: application/json)")]
    NotJson,
    /// The body is larger than this endpoint takes.
    #[error("the body is too large")]
    TooLarge,
    /// Too many attempts: try again after `retry_after` (sent as
    /// `Retry-After`, in whole seconds).
    #[error("{message}")]
    TooMany {
        /// The stable code (`too_many_attempts`, `rate_limited`, …).
        code: &'static str,
        /// What to tell the user.
        message: &'static str,
        /// How long until a new attempt may pass.
        retry_after: std::time::Duration,
    },
    /// A file refused: `files_off` (403), `file_too_large` (413),
    /// `file_type` (415), `too_many_files` (429), `ended` (409, its chat
    /// is over).
    #[error("{message}")]
    FileRefused {
        /// The stable code.
        code: &'static str,
        /// What to tell the user.
        message: String,
    },
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Anything else that should not happen (logged, answered as 500).
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) | Self::Invalid(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
            Self::OriginNotAllowed => (StatusCode::FORBIDDEN, "origin_not_allowed"),
            Self::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            Self::NoLiveChat => (StatusCode::FORBIDDEN, "no_live_chat"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::Conflict(_) | Self::Taken(_) => (StatusCode::CONFLICT, "conflict"),
            Self::LinkInvalid => (StatusCode::NOT_FOUND, "link_invalid"),
            Self::SetupDone => (StatusCode::CONFLICT, "setup_done"),
            Self::InvalidStream(_) | Self::InvalidDraft(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_stream")
            }
            Self::DraftConflict(_) => (StatusCode::CONFLICT, "draft_conflict"),
            Self::NotJson => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_json"),
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            Self::TooMany { code, .. } => (StatusCode::TOO_MANY_REQUESTS, code),
            Self::FileRefused { code, .. } => (
                match *code {
                    "files_off" => StatusCode::FORBIDDEN,
                    "file_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
                    "file_type" => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "too_many_files" => StatusCode::TOO_MANY_REQUESTS,
                    _ => StatusCode::CONFLICT,
                },
                code,
            ),
            Self::Store(_) | Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let retry_after = match &self {
            Self::TooMany { retry_after, .. } => Some(retry_after_secs(*retry_after)),
            _ => None,
        };
        let message = if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
            "internal error".to_owned()
        } else {
            self.to_string()
        };
        let detail = |details, fields| ErrorDetail { code: code.to_owned(), message, details, fields };
        let mut response = match self {
            Self::InvalidStream(errors) => (status, Json(ErrorBody { error: detail(Some(errors), vec![]) })),
            Self::Invalid(invalid) | Self::Taken(invalid) => {
                (status, Json(ErrorBody { error: detail(None, invalid.fields) }))
            }
            Self::InvalidDraft(findings) => {
                let details = findings.iter().map(ToString::to_string).collect();
                let error = detail(Some(details), vec![]);
                return (status, Json(InvalidDraft { error, findings })).into_response();
            }
            Self::DraftConflict(draft) => {
                return (status, Json(DraftConflict { error: detail(None, vec![]), draft: *draft }))
                    .into_response();
            }
            _ => (status, Json(ErrorBody { error: detail(None, vec![]) })),
        }
        .into_response();
        if let Some(secs) = retry_after {
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// Whole seconds for `Retry-After`, rounded up (never 0 for a real wait).
pub fn retry_after_secs(wait: std::time::Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}
