//! Extractors whose refusals are [`ApiError`]s: a body that is not JSON, is
//! too large, is not an object or does not fit the request type, a path
//! segment or a query string that does not parse, are answered with the same `{"error": {…}}`
//! body as every other refusal (axum's own extractors answer plain text,
//! which a client reading `ErrorBody` cannot parse and the OpenAPI document
//! does not promise).

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, StringRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The refusal for an axum rejection with `status` and `text`.
fn refusal(status: StatusCode, text: String) -> ApiError {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::NotJson,
        // Malformed JSON (400) and JSON that does not fit the type (422):
        // both are a bad request, with serde's words on what and where.
        s if s.is_client_error() => ApiError::BadRequest(text),
        _ => ApiError::Internal(text),
    }
}

/// A JSON body (`Content-Type: application/json`) read as `T`; as an
/// answer, `T` written as JSON (as `axum::Json`).
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) {
            return Err(ApiError::NotJson);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| refusal(e.status(), e.body_text()))?;
        // serde reads a struct from an array too, its fields by position
        // (`[]` was a password reset): every body the API reads is an
        // object (or null).
        if bytes.trim_ascii_start().starts_with(b"[") {
            return Err(ApiError::BadRequest("the body must be a JSON object".to_owned()));
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(e @ JsonRejection::JsonSyntaxError(_)) => {
                Err(refusal(e.status(), format!("the body is not valid JSON: {}", inner(&e))))
            }
            Err(e @ JsonRejection::JsonDataError(_)) => {
                Err(refusal(e.status(), format!("the body does not fit: {}", inner(&e))))
            }
            Err(e) => Err(refusal(e.status(), e.body_text())),
        }
    }
}

/// Whether the content type is JSON: `application/json` or
/// `application/…+json`, parameters aside (what axum's `Json` takes).
fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence
        .strip_prefix("application/")
        .is_some_and(|subtype| subtype == "json" || subtype.ends_with("+json"))
}

/// What serde said, without axum's prefix (which names Rust types).
fn inner(e: &JsonRejection) -> String {
    use std::error::Error;
    let mut source = e.source();
    let mut last = e.to_string();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last
}

/// Path parameters read as `T`.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(e @ PathRejection::FailedToDeserializePathParams(_)) => {
                Err(refusal(e.status(), format!("a path segment is invalid: {}", e.body_text())))
            }
            Err(e) => Err(refusal(e.status(), e.body_text())),
        }
    }
}

/// A UTF-8 text body.
pub struct Text(pub String);

impl<S: Send + Sync> FromRequest<S> for Text {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        String::from_request(req, state).await.map(Self).map_err(|e: StringRejection| {
            let text = match &e {
                StringRejection::InvalidUtf8(_) => "the body is not UTF-8 text".to_owned(),
                other => other.body_text(),
            };
            refusal(e.status(), text)
        })
    }
}

/// A body as it came, any content type (one the handler reads itself).
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(Self)
            .map_err(|e: BytesRejection| refusal(e.status(), e.body_text()))
    }
}

/// The query string read as `T`.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            // (A parameter given twice, say: serde's words on which.)
            Err(e) => Err(refusal(e.status(), e.body_text())),
        }
    }
}
