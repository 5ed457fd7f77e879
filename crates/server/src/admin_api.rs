//! The admin HTTP API under `/api/admin/`: the same operations as the
//! `switchboard` subcommands ([`crate::admin`]), for agents with the admin role.
//!
//! Bodies are the protocol's admin requests and answers its views
//! ([`switchboard_protocol::admin`]); a refused value is a 400 naming its
//! field. A change the executor recorded with a live effect (sockets to
//! close, offers to move) is applied before the answer.

use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, put};
use axum::{Json, Router};
use switchboard_protocol::admin::{
    AccountRouteView, AgentChange, AgentPassword, AgentView, AppearanceChange, NewAccountRoute, NewAgent,
    NewSite, NewTeam, PasswordReset, PublishStream, Schedule, SiteChange, SiteView, StreamPublished,
    StreamSummary, StreamView, TeamChange, TeamView,
};
use switchboard_protocol::auth::Role;
use switchboard_protocol::rules::RoutingRule;

use crate::admin::{self, AdminError, Explanation, Live};
use crate::auth::CurrentAgent;
use crate::error::ApiError;
use crate::state::AppState;

/// The logged-in agent, who must be an admin (401 without a session, 403 without the role).
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let CurrentAgent(agent) = CurrentAgent::from_request_parts(parts, state).await?;
        if agent.role == Role::Admin {
            Ok(Admin)
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
            AdminError::Stream(errors) => ApiError::InvalidStream(errors),
            AdminError::Store(e) => ApiError::Store(e),
        }
    }
}

/// The admin routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/admin/sites", get(list_sites).post(add_site))
        .route("/api/admin/sites/{key}", get(get_site).patch(update_site).delete(remove_site))
        .route("/api/admin/sites/{key}/appearance", patch(update_appearance))
        .route(
            "/api/admin/sites/{key}/streams",
            // A stream file may be larger than other bodies: its own limit
            // (the parser refuses anything over it with a clear error).
            get(list_streams)
                .put(publish_stream)
                .layer(DefaultBodyLimit::max(switchboard_protocol::stream::file::MAX_FILE_BYTES + 1)),
        )
        .route("/api/admin/sites/{key}/rules", get(list_rules).post(save_rule))
        .route("/api/admin/sites/{key}/rules/{name}", get(get_rule).delete(remove_rule))
        .route("/api/admin/sites/{key}/account-routes", get(list_account_routes).post(save_account_route))
        .route("/api/admin/sites/{key}/account-routes/{domain}", delete(remove_account_route))
        .route("/api/admin/conversations/{id}/explain", get(explain))
        .route("/api/admin/sites/{key}/streams/{id}", get(get_stream).delete(remove_stream))
        .route("/api/admin/agents", get(list_agents).post(add_agent))
        .route("/api/admin/agents/{email}", get(get_agent).patch(update_agent).delete(remove_agent))
        .route("/api/admin/agents/{email}/password", put(reset_password))
        .route("/api/admin/agents/{email}/lockout", delete(lift_lockout))
        .route("/api/admin/agents/{email}/schedule", put(set_schedule))
        .route("/api/admin/teams", get(list_teams).post(add_team))
        .route("/api/admin/teams/{name}", get(get_team).patch(update_team).delete(remove_team))
}

async fn list_sites(_: Admin, State(s): State<AppState>) -> Result<Json<Vec<SiteView>>, ApiError> {
    Ok(Json(admin::sites(&s.store).await?))
}

async fn get_site(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<SiteView>, ApiError> {
    Ok(Json(admin::site(&s.store, &key).await?))
}

async fn add_site(
    _: Admin,
    State(s): State<AppState>,
    Json(b): Json<NewSite>,
) -> Result<(StatusCode, Json<SiteView>), ApiError> {
    Ok((StatusCode::CREATED, Json(admin::add_site(&s.store, &b, s.clock.now_ms()).await?)))
}

async fn update_site(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
    Json(b): Json<SiteChange>,
) -> Result<Json<SiteView>, ApiError> {
    Ok(Json(admin::update_site(&s.store, &key, &b).await?))
}

async fn update_appearance(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
    Json(b): Json<AppearanceChange>,
) -> Result<Json<SiteView>, ApiError> {
    Ok(Json(admin::update_appearance(&s.store, &key, &b).await?))
}

async fn remove_site(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    admin::remove_site(&s.store, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_streams(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<Vec<StreamSummary>>, ApiError> {
    Ok(Json(admin::streams(&s.store, &key).await?))
}

async fn get_stream(
    _: Admin,
    State(s): State<AppState>,
    Path((key, id)): Path<(String, String)>,
) -> Result<Json<StreamView>, ApiError> {
    Ok(Json(admin::stream(&s.store, &key, &id).await?))
}

/// `PUT /api/admin/sites/{key}/streams` with the stream file (TOML) as the body.
async fn publish_stream(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
    source: String,
) -> Result<Json<StreamPublished>, ApiError> {
    Ok(Json(admin::publish_stream(&s.store, &key, &PublishStream { source }, s.clock.now_ms()).await?))
}

async fn remove_stream(
    _: Admin,
    State(s): State<AppState>,
    Path((key, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    admin::remove_stream(&s.store, &key, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_agents(_: Admin, State(s): State<AppState>) -> Result<Json<Vec<AgentView>>, ApiError> {
    Ok(Json(admin::agents(&s.store, &Live::of(&s)).await?))
}

async fn get_agent(
    _: Admin,
    State(s): State<AppState>,
    Path(email): Path<String>,
) -> Result<Json<AgentView>, ApiError> {
    Ok(Json(admin::agent(&s.store, &email, &Live::of(&s)).await?))
}

async fn add_agent(
    _: Admin,
    State(s): State<AppState>,
    Json(b): Json<NewAgent>,
) -> Result<(StatusCode, Json<AgentPassword>), ApiError> {
    Ok((StatusCode::CREATED, Json(admin::add_agent(&s.store, &b, &Live::of(&s)).await?)))
}

async fn update_agent(
    _: Admin,
    State(s): State<AppState>,
    Path(email): Path<String>,
    Json(b): Json<AgentChange>,
) -> Result<Json<AgentView>, ApiError> {
    let agent = admin::update_agent(&s.store, &email, &b, &Live::of(&s)).await?;
    // Without live chat: their inbox sockets close, offers move on, open
    // chats end with a word to the visitor.
    crate::lifecycle::changes::apply_pending(&s).await?;
    Ok(Json(agent))
}

/// `PUT /api/admin/agents/{email}/schedule`: a weekly schedule, or `null` for none.
async fn set_schedule(
    _: Admin,
    State(s): State<AppState>,
    Path(email): Path<String>,
    Json(b): Json<Option<Schedule>>,
) -> Result<StatusCode, ApiError> {
    admin::set_schedule(&s.store, &email, b.as_ref(), s.clock.now_ms()).await?;
    crate::lifecycle::changes::apply_pending(&s).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_account_routes(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<Vec<AccountRouteView>>, ApiError> {
    Ok(Json(admin::account_routes(&s.store, &key).await?))
}

/// `POST /api/admin/sites/{key}/account-routes`: routes an email domain to an agent.
async fn save_account_route(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
    Json(b): Json<NewAccountRoute>,
) -> Result<Json<AccountRouteView>, ApiError> {
    Ok(Json(admin::save_account_route(&s.store, &key, &b).await?))
}

async fn remove_account_route(
    _: Admin,
    State(s): State<AppState>,
    Path((key, domain)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    admin::remove_account_route(&s.store, &key, &domain).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/admin/conversations/{id}/explain`: every routing decision with its reasons.
async fn explain(
    _: Admin,
    State(s): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Explanation>, ApiError> {
    Ok(Json(admin::explain(&s.store, id).await?))
}

/// `PUT /api/admin/agents/{email}/password`: answers `{agent, password}`,
/// the password only when generated.
async fn reset_password(
    _: Admin,
    State(s): State<AppState>,
    Path(email): Path<String>,
    Json(b): Json<PasswordReset>,
) -> Result<Json<AgentPassword>, ApiError> {
    let answer = admin::reset_password(&s.store, &email, &b, &Live::of(&s)).await?;
    let agent = &answer.agent;
    // Their sessions are gone from storage; their open sockets close now.
    crate::lifecycle::changes::apply_pending(&s).await?;
    s.logins.reset(&agent.profile.email.to_ascii_lowercase());
    Ok(Json(answer))
}

/// `DELETE /api/admin/agents/{email}/lockout`: lifts the login back-off on
/// the account (from every address), say for an agent a guesser locked out.
async fn lift_lockout(
    _: Admin,
    State(s): State<AppState>,
    Path(email): Path<String>,
) -> Result<StatusCode, ApiError> {
    let agent = admin::agent(&s.store, &email, &Live::of(&s)).await?;
    s.logins.reset(&agent.profile.email.to_ascii_lowercase());
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_agent(
    _: Admin,
    State(s): State<AppState>,
    Path(email): Path<String>,
) -> Result<StatusCode, ApiError> {
    // Their sockets close, offers move on to someone else, open chats end
    // with a word to the visitor.
    admin::remove_agent(&s.store, &email, s.clock.now_ms()).await?;
    crate::lifecycle::changes::apply_pending(&s).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_teams(_: Admin, State(s): State<AppState>) -> Result<Json<Vec<TeamView>>, ApiError> {
    Ok(Json(admin::teams(&s.store).await?))
}

async fn get_team(
    _: Admin,
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<TeamView>, ApiError> {
    Ok(Json(admin::team(&s.store, &name).await?))
}

async fn add_team(
    _: Admin,
    State(s): State<AppState>,
    Json(b): Json<NewTeam>,
) -> Result<(StatusCode, Json<TeamView>), ApiError> {
    Ok((StatusCode::CREATED, Json(admin::add_team(&s.store, &b).await?)))
}

async fn update_team(
    _: Admin,
    State(s): State<AppState>,
    Path(name): Path<String>,
    Json(b): Json<TeamChange>,
) -> Result<Json<TeamView>, ApiError> {
    Ok(Json(admin::update_team(&s.store, &name, &b).await?))
}

async fn remove_team(
    _: Admin,
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    admin::remove_team(&s.store, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_rules(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<Vec<RoutingRule>>, ApiError> {
    Ok(Json(admin::rules(&s.store, &key).await?))
}

async fn get_rule(
    _: Admin,
    State(s): State<AppState>,
    Path((key, name)): Path<(String, String)>,
) -> Result<Json<RoutingRule>, ApiError> {
    Ok(Json(admin::rule(&s.store, &key, &name).await?))
}

/// `POST /api/admin/sites/{key}/rules`: adds a rule or replaces the one with its name.
async fn save_rule(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
    Json(rule): Json<RoutingRule>,
) -> Result<StatusCode, ApiError> {
    admin::save_rule(&s.store, &key, &rule).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_rule(
    _: Admin,
    State(s): State<AppState>,
    Path((key, name)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    admin::remove_rule(&s.store, &key, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
