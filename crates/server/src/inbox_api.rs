//! The inbox's HTTP API: an agent's open conversations, everyone's past ones,
//! one conversation's details and messages (own open ones or any past one;
//! another agent's open conversation is not theirs to read), and the
//! colleagues a chat can be transferred to. Answers are the shared types of
//! [`switchboard_protocol::inbox`].

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use switchboard_protocol::inbox::{Colleague, Colleagues, ConversationDetail, ConversationSummary};
use switchboard_protocol::wire::ConversationState;

use crate::auth::CurrentAgent;
use crate::error::ApiError;
use crate::routing::decide::Directory;
use crate::state::AppState;
use crate::store::inbox::Scope;

/// The inbox routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/conversations", get(list))
        .route("/api/conversations/{id}", get(one))
        .route("/api/colleagues", get(colleagues))
}

#[derive(Deserialize)]
struct ListQuery {
    /// `active` (own open ones, the default) or `past` (everyone's).
    #[serde(default)]
    scope: Option<String>,
}

/// How many conversations a list shows.
const LIST_LIMIT: u32 = 200;

async fn list(
    CurrentAgent(agent): CurrentAgent,
    State(s): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<ConversationSummary>>, ApiError> {
    let scope = match q.scope.as_deref() {
        None | Some("active") => Scope::OpenFor(agent.id),
        Some("past") => Scope::Past,
        Some(other) => return Err(ApiError::BadRequest(format!("scope {other:?}: use active or past"))),
    };
    Ok(Json(s.store.list_conversations(scope, LIST_LIMIT).await?))
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
) -> Result<Json<ConversationDetail>, ApiError> {
    let id = crate::ids::ConversationId::new(id);
    let conv = s.store.conversation(id).await?.ok_or(ApiError::NotFound("conversation"))?;
    let past = matches!(conv.state, ConversationState::Ended | ConversationState::Fallback);
    if !past && conv.agent_id != Some(crate::ids::AgentId::new(agent.id)) {
        // Not 403: whether someone else's open conversation exists is not theirs to know.
        return Err(ApiError::NotFound("conversation"));
    }
    let facts = s.store.facts(id).await?.ok_or(ApiError::NotFound("conversation"))?;
    let details = s.store.details(id).await?;
    let messages = s.store.messages_after(id, q.after).await?;
    Ok(Json(ConversationDetail {
        id: conv.id.get(),
        site: facts.site,
        state: conv.state,
        agent_id: conv.agent_id.map(crate::ids::AgentId::get),
        agent_name: facts.agent_name,
        attributes: details.attributes,
        page: details.page,
        transcript: details.transcript,
        messages,
        created_at: facts.created_at,
        first_seen: facts.first_seen,
    }))
}

/// `GET /api/colleagues`: every other agent by name, with whether they could
/// take a transfer now (the transfer's own check), and every team.
async fn colleagues(
    CurrentAgent(me): CurrentAgent,
    State(s): State<AppState>,
) -> Result<Json<Colleagues>, ApiError> {
    let dir = Directory { agents: crate::routing::agents_now(&s).await?, ..Directory::default() };
    let mut agents: Vec<Colleague> = s
        .store
        .agents()
        .await?
        .into_iter()
        .filter(|a| a.id != me.id)
        .map(|a| Colleague {
            available: dir.agent(a.id).is_some_and(|r| dir.can_take(r).is_ok()),
            email: a.email,
            name: a.name,
        })
        .collect();
    agents.sort_by(|a, b| {
        a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.email.cmp(&b.email))
    });
    let mut teams: Vec<String> = s.store.teams().await?.into_iter().map(|t| t.name).collect();
    teams.sort_by_key(|t| t.to_lowercase());
    Ok(Json(Colleagues { agents, teams }))
}
