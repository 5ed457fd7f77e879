//! The admin's view of every conversation, for agents with the admin role:
//!
//! - `GET /api/admin/conversations?site=&state=&agent=&team=&from=&to=&q=&cursor=&limit=`:
//!   a page of [`ConversationPage`], newest first (see
//!   [`ConversationQuery`] for each parameter); a bad one is a 400 naming
//!   it;
//! - `GET /api/admin/conversations/{id}`: [`ConversationDetail`], the
//!   conversation in full with its routing explanation; 404 `not_found`
//!   for an unknown id.

use axum::extract::State;
use serde::Deserialize;
use switchboard_protocol::admin::{ConversationDetail, ConversationPage, ConversationQuery};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin;
use crate::admin_access::Admin;
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::refusals::{AdminRefusals, BadPath, InvalidQuery, NotFound};
use crate::state::AppState;
use crate::store::routing::StoredDecision;

/// The routes with their OpenAPI operations (gathered by
/// `admin_api::documented`).
pub(crate) fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(one))
}

/// A conversation, by id.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct ConversationRef {
    /// The conversation's id (anything else names no conversation: 404).
    #[param(value_type = i64)]
    id: String,
}

/// A page of every conversation, newest first (by when it started, then
/// by id), filtered by the parameters given; the next page is asked for
/// with the same parameters and the page's `next_cursor`.
#[utoipa::path(
    get, path = "/api/admin/conversations", tag = "conversations", params(ConversationQuery),
    responses(
        (status = 200, description = "A page of rows, and the next page's cursor", body = ConversationPage),
        InvalidQuery,
        AdminRefusals,
    )
)]
async fn list(
    _: Admin,
    State(s): State<AppState>,
    Query(query): Query<ConversationQuery>,
) -> Result<Json<ConversationPage>, ApiError> {
    Ok(Json(admin::conversations(&s.store, &query).await?))
}

/// One conversation in full: its row, the visitor, the whole transcript
/// (the bot part, then the live part) and why routing sent it where it
/// went.
#[utoipa::path(
    get, path = "/api/admin/conversations/{id}", tag = "conversations", params(ConversationRef),
    responses(
        (status = 200, description = "The conversation", body = ConversationDetail<StoredDecision>),
        BadPath,
        NotFound,
        AdminRefusals,
    )
)]
async fn one(
    _: Admin,
    State(s): State<AppState>,
    Path(ConversationRef { id }): Path<ConversationRef>,
) -> Result<Json<ConversationDetail<StoredDecision>>, ApiError> {
    // An id that is not a number names no conversation.
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound("conversation"))?;
    Ok(Json(admin::conversation(&s.store, id).await?))
}
