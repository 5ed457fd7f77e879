//! The admin's view of every conversation, for agents with the admin role:
//!
//! - `GET /api/admin/conversations?site=&state=&agent=&team=&from=&to=&q=&cursor=&limit=`:
//!   a page of [`ConversationPage`], newest first (see
//!   [`ConversationQuery`] for each parameter); a bad one is a 400 naming
//!   it;
//! - `GET /api/admin/conversations/{id}`: [`ConversationDetail`], the
//!   conversation in full with its routing explanation; 404 `not_found`
//!   for an unknown id.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use switchboard_protocol::admin::{ConversationDetail, ConversationPage, ConversationQuery};

use crate::admin;
use crate::admin_api::Admin;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::routing::StoredDecision;

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/admin/conversations", get(list))
        .route("/api/admin/conversations/{id}", get(one))
}

async fn list(
    _: Admin,
    State(s): State<AppState>,
    query: Result<Query<ConversationQuery>, QueryRejection>,
) -> Result<Json<ConversationPage>, ApiError> {
    // A query string serde cannot read (a parameter given twice): our JSON
    // error, not axum's plain text.
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    Ok(Json(admin::conversations(&s.store, &query).await?))
}

async fn one(
    _: Admin,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ConversationDetail<StoredDecision>>, ApiError> {
    // An id that is not a number names no conversation.
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound("conversation"))?;
    Ok(Json(admin::conversation(&s.store, id).await?))
}
