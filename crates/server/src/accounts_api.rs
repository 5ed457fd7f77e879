//! The HTTP face of accounts made by link ([`crate::accounts`]):
//!
//! - `POST /api/account-tokens` (`{token}`): what a live link is for and whom
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

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use switchboard_protocol::admin::{AcceptInvitation, AccountToken, AgentPassword, FirstAdmin, LinkToken};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::{self, AccountError};
use crate::admin::{self, Live};
use crate::admin_access::{Admin, AgentEmail};
use crate::auth::{from_own_page, sign_in, LoginAnswer};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::ids::AgentId;
use crate::refusals::{AdminRefusals, BodyRefusals, Invalid, LinkInvalid, NotFound, OtherOrigin, SetupDone};
use crate::state::AppState;

/// The routes with their OpenAPI operations (gathered by
/// `admin_api::documented`).
pub(crate) fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(token_info))
        .routes(routes!(set_up))
        .routes(routes!(accept_invitation))
        .routes(routes!(invite))
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

/// What a live link is for and whom: the setup page and the invitation
/// form ask before they show anything. The token comes in the body, so no
/// proxy or access log keeps it with the path.
#[utoipa::path(
    post, path = "/api/account-tokens", tag = "accounts",
    request_body = LinkToken,
    responses(
        (status = 200, description = "What the link is for", body = AccountToken),
        BodyRefusals,
        LinkInvalid,
    ),
    security(())
)]
async fn token_info(
    State(s): State<AppState>,
    Json(LinkToken { token }): Json<LinkToken>,
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

/// Creates the first admin with the setup link's token (`switchboard serve`
/// prints the link on a database without an admin) and signs them in as a
/// login does. A browser must send it from a page of this server's origin.
#[utoipa::path(
    post, path = "/api/setup", tag = "accounts",
    request_body = FirstAdmin,
    responses(
        (status = 200, description = "The admin, signed in; the session is also set as the \
            `sb_session` cookie", body = LoginAnswer,
            headers(("Set-Cookie" = String, description = "The session cookie"))),
        BodyRefusals,
        OtherOrigin,
        LinkInvalid,
        SetupDone,
    ),
    security(())
)]
async fn set_up(
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(b): Json<FirstAdmin>,
) -> Result<impl IntoResponse, ApiError> {
    from_own_page(&s, &headers)?;
    let admin = accounts::set_up(&s.store, &b, s.clock.now_ms()).await?;
    signed_in(&s, admin).await
}

/// Sets an invited agent's password with their invitation's token, ends
/// their other sessions and signs them in as a login does. A browser must
/// send it from a page of this server's origin.
#[utoipa::path(
    post, path = "/api/invitations/accept", tag = "accounts",
    request_body = AcceptInvitation,
    responses(
        (status = 200, description = "The agent, signed in; the session is also set as the \
            `sb_session` cookie", body = LoginAnswer,
            headers(("Set-Cookie" = String, description = "The session cookie"))),
        BodyRefusals,
        OtherOrigin,
        LinkInvalid,
    ),
    security(())
)]
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

/// A new invitation for an agent, replacing any earlier one: answers the
/// token once (`password` is null); the agent sets their password at
/// `ORIGIN/inbox/#invite=TOKEN`. Their password, if any, works until then.
#[utoipa::path(
    post, path = "/api/admin/agents/{email}/invite", tag = "agents", params(AgentEmail),
    responses(
        (status = 200, description = "The agent with the invitation's token", body = AgentPassword),
        Invalid,
        NotFound,
        AdminRefusals,
    )
)]
async fn invite(
    _: Admin,
    State(s): State<AppState>,
    Path(AgentEmail { email }): Path<AgentEmail>,
) -> Result<Json<AgentPassword>, ApiError> {
    Ok(Json(admin::invite_agent(&s.store, &email, &Live::of(&s)).await?))
}
