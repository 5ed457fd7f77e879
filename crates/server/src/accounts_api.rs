//! The HTTP face of accounts made by link ([`crate::accounts`]):
//!
//! - `GET /api/account-tokens/{token}`: what a live link is for and whom
//!   (404 `link_invalid` for an unknown, used or expired one alike);
//! - `POST /api/setup`: the first admin, signed in as a login signs in
//!   (409 `setup_done` once an admin exists);
//! - `POST /api/invitations/accept`: an invited agent's password, signed in
//!   likewise, their other sessions ended;
//! - `POST /api/admin/agents/{email}/invite` (admin): a new invitation for
//!   an agent, answered once.
//!
//! The first three need no session: the link's token is the credential,
//! sent in the body (it came from the link's fragment, which no server
//! sees). Signing in writes the cookie, so, as for a login, a browser must
//! send them from a page of the server's own origin.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use switchboard_protocol::admin::{AcceptInvitation, AccountToken, AgentPassword, FirstAdmin};

use crate::accounts::{self, AccountError};
use crate::admin::{self, Live};
use crate::admin_api::Admin;
use crate::auth::{from_own_page, sign_in};
use crate::error::ApiError;
use crate::ids::AgentId;
use crate::state::AppState;

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/account-tokens/{token}", get(token_info))
        .route("/api/setup", post(set_up))
        .route("/api/invitations/accept", post(accept_invitation))
        .route("/api/admin/agents/{email}/invite", post(invite))
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid(invalid) => ApiError::Invalid(invalid),
            AccountError::LinkInvalid => ApiError::LinkInvalid,
            AccountError::SetupDone => ApiError::SetupDone,
            AccountError::Exists(what) => ApiError::Conflict(what),
            AccountError::Store(e) => ApiError::Store(e),
        }
    }
}

async fn token_info(
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<AccountToken>, ApiError> {
    let info = accounts::token_info(&s.store, &token, s.clock.now_ms()).await?;
    info.map(Json).ok_or(ApiError::LinkInvalid)
}

/// Signs `agent` in, as a login does.
async fn signed_in(s: &AppState, agent: AgentId) -> Result<impl IntoResponse, ApiError> {
    let profile = s.store.agent_profile(agent).await?.ok_or(ApiError::LinkInvalid)?;
    // A password was just set: earlier failed logins no longer count.
    s.logins.reset(&profile.email.to_ascii_lowercase());
    sign_in(s, profile).await
}

async fn set_up(
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(b): Json<FirstAdmin>,
) -> Result<impl IntoResponse, ApiError> {
    from_own_page(&s, &headers)?;
    let admin = accounts::set_up(&s.store, &b, s.clock.now_ms()).await?;
    signed_in(&s, admin).await
}

async fn accept_invitation(
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(b): Json<AcceptInvitation>,
) -> Result<impl IntoResponse, ApiError> {
    from_own_page(&s, &headers)?;
    let agent = accounts::accept_invitation(&s.store, &b, s.clock.now_ms()).await?;
    // Their other sessions are gone from storage; their open sockets close now.
    crate::lifecycle::changes::apply_pending(&s).await?;
    signed_in(&s, agent).await
}

/// Answers `{agent, password: null, invite_token}`; the console makes the
/// link `ORIGIN/inbox/#invite=TOKEN`.
async fn invite(
    _: Admin,
    State(s): State<AppState>,
    Path(email): Path<String>,
) -> Result<Json<AgentPassword>, ApiError> {
    Ok(Json(admin::invite_agent(&s.store, &email, &Live::of(&s)).await?))
}
