//! Canned responses over HTTP ([`crate::canned`]): the admins' shared ones
//! under `/api/admin/canned` (documented with the admin API), and for any
//! agent, their own under `/api/canned/mine` and what they can insert in
//! one of their conversations, `/api/conversations/{id}/canned` (the
//! inbox's, beside its other routes).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::Router;
use serde::Deserialize;
use switchboard_protocol::admin::{CannedRequest, CannedView};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin_access::Admin;
use crate::auth::CurrentAgent;
use crate::canned;
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::ids::{AgentId, ConversationId};
use crate::refusals::{AdminRefusals, BodyRefusals, Conflict, Invalid, NotFound};
use crate::state::AppState;
use crate::store::canned::Owner;

/// A canned response.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct CannedId {
    /// Its id.
    id: i64,
}

/// The admin routes with their OpenAPI operations.
pub(crate) fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_shared, add_shared))
        .routes(routes!(change_shared, remove_shared))
}

/// The agents' routes (any agent, for themselves).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/canned/mine", get(list_mine).post(add_mine))
        .route("/api/canned/mine/{id}", put(change_mine).delete(remove_mine))
        .route("/api/conversations/{id}/canned", get(for_conversation))
}

/// The shared canned responses, by shortcut.
#[utoipa::path(
    get, path = "/api/admin/canned", tag = "canned",
    responses((status = 200, description = "The shared responses", body = Vec<CannedView>), AdminRefusals)
)]
async fn list_shared(_: Admin, State(s): State<AppState>) -> Result<Json<Vec<CannedView>>, ApiError> {
    Ok(Json(canned::list(&s.store, Owner::Shared).await?))
}

/// Adds a shared canned response: for every agent, or only on one site's
/// conversations, or only for one team's members.
#[utoipa::path(
    post, path = "/api/admin/canned", tag = "canned",
    request_body = CannedRequest,
    responses(
        (status = 201, description = "The new response", body = CannedView),
        BodyRefusals,
        Conflict,
        AdminRefusals,
    )
)]
async fn add_shared(
    _: Admin,
    State(s): State<AppState>,
    Json(b): Json<CannedRequest>,
) -> Result<(StatusCode, Json<CannedView>), ApiError> {
    let saved = canned::save(&s.store, Owner::Shared, None, &b, s.clock.now_ms()).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// Replaces a shared canned response.
#[utoipa::path(
    put, path = "/api/admin/canned/{id}", tag = "canned", params(CannedId),
    request_body = CannedRequest,
    responses(
        (status = 200, description = "The response as changed", body = CannedView),
        BodyRefusals,
        NotFound,
        Conflict,
        AdminRefusals,
    )
)]
async fn change_shared(
    _: Admin,
    State(s): State<AppState>,
    Path(CannedId { id }): Path<CannedId>,
    Json(b): Json<CannedRequest>,
) -> Result<Json<CannedView>, ApiError> {
    Ok(Json(canned::save(&s.store, Owner::Shared, Some(id), &b, s.clock.now_ms()).await?))
}

/// Removes a shared canned response.
#[utoipa::path(
    delete, path = "/api/admin/canned/{id}", tag = "canned", params(CannedId),
    responses((status = 204, description = "Removed"), Invalid, NotFound, AdminRefusals)
)]
async fn remove_shared(
    _: Admin,
    State(s): State<AppState>,
    Path(CannedId { id }): Path<CannedId>,
) -> Result<StatusCode, ApiError> {
    canned::remove(&s.store, Owner::Shared, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn own(agent: &switchboard_protocol::auth::AgentProfile) -> Owner {
    Owner::Agent(AgentId::new(agent.id))
}

async fn list_mine(
    CurrentAgent(me): CurrentAgent,
    State(s): State<AppState>,
) -> Result<Json<Vec<CannedView>>, ApiError> {
    Ok(Json(canned::list(&s.store, own(&me)).await?))
}

async fn add_mine(
    CurrentAgent(me): CurrentAgent,
    State(s): State<AppState>,
    Json(b): Json<CannedRequest>,
) -> Result<(StatusCode, Json<CannedView>), ApiError> {
    let saved = canned::save(&s.store, own(&me), None, &b, s.clock.now_ms()).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

async fn change_mine(
    CurrentAgent(me): CurrentAgent,
    State(s): State<AppState>,
    Path(CannedId { id }): Path<CannedId>,
    Json(b): Json<CannedRequest>,
) -> Result<Json<CannedView>, ApiError> {
    Ok(Json(canned::save(&s.store, own(&me), Some(id), &b, s.clock.now_ms()).await?))
}

async fn remove_mine(
    CurrentAgent(me): CurrentAgent,
    State(s): State<AppState>,
    Path(CannedId { id }): Path<CannedId>,
) -> Result<StatusCode, ApiError> {
    canned::remove(&s.store, own(&me), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn for_conversation(
    CurrentAgent(me): CurrentAgent,
    State(s): State<AppState>,
    Path(CannedId { id }): Path<CannedId>,
) -> Result<Json<Vec<CannedView>>, ApiError> {
    let listed = canned::for_conversation(&s.store, AgentId::new(me.id), ConversationId::new(id)).await?;
    Ok(Json(listed))
}
