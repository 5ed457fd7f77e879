//! Who may use the admin API, and the path parameters its handlers read:
//! shared by every admin module (`admin_api`, `admin_routing_api`,
//! `accounts_api`, `conversations_api`), which `admin_api` gathers into
//! one router, so none of them needs `admin_api` itself.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Deserialize;
use switchboard_protocol::auth::{AgentProfile, Role};
use utoipa::IntoParams;

use crate::admin::AdminError;
use crate::auth::CurrentAgent;
use crate::error::ApiError;
use crate::state::AppState;

/// The logged-in agent, who must be an admin (401 without a session, 403
/// without the role); their profile says who made a change.
pub struct Admin(pub AgentProfile);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let CurrentAgent(agent) = CurrentAgent::from_request_parts(parts, state).await?;
        if agent.role == Role::Admin {
            Ok(Admin(agent))
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::Invalid(invalid) => ApiError::Invalid(invalid),
            AdminError::NotFound(what, _) => ApiError::NotFound(what),
            AdminError::Exists(what) => ApiError::Conflict(what),
            AdminError::Taken(invalid) => ApiError::Taken(invalid),
            AdminError::Stream(errors) => ApiError::InvalidStream(errors),
            AdminError::InvalidDraft(findings) => ApiError::InvalidDraft(findings),
            AdminError::DraftConflict(draft) => ApiError::DraftConflict(draft),
            AdminError::TooLarge(_) => ApiError::TooLarge,
            AdminError::Store(e) => ApiError::Store(e),
        }
    }
}

// The path parameters, as the handlers read them.

/// A site.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct SiteKey {
    /// The site's key (the embed snippet's `data-site`).
    #[param(example = "demo", pattern = "^[a-z0-9_-]{3,64}$")]
    pub(crate) key: String,
}

/// A site's stream.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct SiteStream {
    /// The site's key.
    #[param(example = "demo", pattern = "^[a-z0-9_-]{3,64}$")]
    pub(crate) key: String,
    /// The stream's id.
    #[param(example = "recommended")]
    pub(crate) id: String,
}

/// A site's routing rule.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct SiteRule {
    /// The site's key.
    #[param(example = "demo", pattern = "^[a-z0-9_-]{3,64}$")]
    pub(crate) key: String,
    /// The rule's name (without case).
    pub(crate) name: String,
}

/// A site's account route.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct SiteDomain {
    /// The site's key.
    #[param(example = "demo", pattern = "^[a-z0-9_-]{3,64}$")]
    pub(crate) key: String,
    /// The email domain, e.g. `bigcorp.com`.
    pub(crate) domain: String,
}

/// An agent.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct AgentEmail {
    /// The agent's email (without case).
    #[param(example = "ada@example.com")]
    pub(crate) email: String,
}

/// A team.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct TeamName {
    /// The team's name (without case).
    pub(crate) name: String,
}

/// A conversation.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct ConversationId {
    /// The conversation's id.
    pub(crate) id: i64,
}
