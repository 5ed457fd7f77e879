//! The inbox's HTTP API: an agent's open conversations, everyone's past ones,
//! and one conversation's details and messages (own open ones or any past one;
//! another agent's open conversation is not theirs to read).

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use switchboard_protocol::wire::ConversationState;

use crate::auth::CurrentAgent;
use crate::error::ApiError;
use crate::startup::AppState;

/// The inbox routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/conversations", get(list)).route("/api/conversations/{id}", get(one))
}

#[derive(Deserialize)]
struct ListQuery {
    /// `active` (own open ones, the default) or `past` (everyone's).
    #[serde(default)]
    scope: Option<String>,
}

async fn list(
    CurrentAgent(agent): CurrentAgent,
    State(s): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let mine = match q.scope.as_deref() {
        None | Some("active") => Some(agent.id),
        Some("past") => None,
        Some(other) => return Err(ApiError::BadRequest(format!("scope {other:?}: use active or past"))),
    };
    let list = s.store.list_conversations(mine, 200).await?;
    Ok(Json(json!(list)))
}

#[derive(Deserialize)]
struct MessagesQuery {
    #[serde(default)]
    after: u64,
}

async fn one(
    CurrentAgent(agent): CurrentAgent,
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<MessagesQuery>,
) -> Result<Json<Value>, ApiError> {
    let conv = s.store.conversation(id).await?.ok_or(ApiError::NotFound("conversation"))?;
    let past = matches!(conv.state, ConversationState::Ended | ConversationState::Fallback);
    if !past && conv.agent_id != Some(agent.id) {
        // Not 403: whether someone else's open conversation exists is not theirs to know.
        return Err(ApiError::NotFound("conversation"));
    }
    let details = s.store.details(id).await?;
    let messages = s.store.messages_after(id, q.after).await?;
    Ok(Json(json!({
        "id": conv.id,
        "state": conv.state,
        "agent_id": conv.agent_id,
        "attributes": details.attributes,
        "page": details.page,
        "transcript": details.transcript,
        "messages": messages,
    })))
}
