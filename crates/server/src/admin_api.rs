//! The admin HTTP API under `/api/admin/`: the same operations as the
//! `switchboard` subcommands ([`crate::admin`]), for agents with the admin role.

use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use switchboard_protocol::auth::Role;

use crate::admin::{self, AdminError};
use crate::auth::CurrentAgent;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::Site;

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
            AdminError::Invalid(m) => ApiError::BadRequest(m),
            AdminError::NotFound(what, _) => ApiError::NotFound(what),
            AdminError::Exists(what) => ApiError::Conflict(what),
            AdminError::Stream(errors) => ApiError::InvalidStream(errors),
            AdminError::Store(e) => ApiError::Store(e),
        }
    }
}

fn site_json(s: &Site) -> Value {
    json!({ "key": s.key, "name": s.name, "allowed_origins": s.allowed_origins, "appearance": s.appearance })
}

/// The admin routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/admin/sites", get(list_sites).post(add_site))
        .route("/api/admin/sites/{key}", patch(update_site).delete(remove_site))
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
        .route("/api/admin/sites/{key}/rules/{name}", delete(remove_rule))
        .route("/api/admin/sites/{key}/account-routes", get(list_account_routes).post(save_account_route))
        .route("/api/admin/sites/{key}/account-routes/{domain}", delete(remove_account_route))
        .route("/api/admin/conversations/{id}/explain", get(explain))
        .route("/api/admin/sites/{key}/streams/{id}", delete(remove_stream))
        .route("/api/admin/agents", get(list_agents).post(add_agent))
        .route("/api/admin/agents/{email}", patch(update_agent).delete(remove_agent))
        .route("/api/admin/agents/{email}/password", put(reset_password))
        .route("/api/admin/agents/{email}/lockout", delete(lift_lockout))
        .route("/api/admin/agents/{email}/schedule", put(set_schedule))
        .route("/api/admin/teams", get(list_teams).post(add_team))
        .route("/api/admin/teams/{name}", patch(update_team).delete(remove_team))
}

async fn list_sites(_: Admin, State(s): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(Value::Array(s.store.sites().await?.iter().map(site_json).collect())))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSite {
    key: String,
    name: String,
    #[serde(default)]
    allowed_origins: Vec<String>,
}

async fn add_site(
    _: Admin,
    State(s): State<AppState>,
    Json(b): Json<NewSite>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let site = admin::add_site(&s.store, &b.key, &b.name, &b.allowed_origins).await?;
    Ok((StatusCode::CREATED, Json(site_json(&site))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteChange {
    name: Option<String>,
    allowed_origins: Option<Vec<String>>,
    fallback_message: Option<String>,
}

async fn update_site(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
    Json(b): Json<SiteChange>,
) -> Result<Json<Value>, ApiError> {
    let site = admin::update_site(
        &s.store,
        &key,
        b.name.as_deref(),
        b.allowed_origins.as_deref(),
        b.fallback_message.as_deref(),
    )
    .await?;
    Ok(Json(site_json(&site)))
}

async fn update_appearance(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
    Json(b): Json<admin::AppearanceChange>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(site_json(&admin::update_appearance(&s.store, &key, &b).await?)))
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
) -> Result<Json<Value>, ApiError> {
    let site = admin::site(&s.store, &key).await?;
    Ok(Json(serde_json::to_value(s.store.streams(site.id).await?).unwrap_or_default()))
}

/// `PUT /api/admin/sites/{key}/streams` with the stream file (TOML) as the body.
async fn publish_stream(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
    body: String,
) -> Result<Json<Value>, ApiError> {
    let (id, warnings) = admin::publish_stream(&s.store, &key, &body).await?;
    Ok(Json(json!({ "id": id, "warnings": warnings })))
}

async fn remove_stream(
    _: Admin,
    State(s): State<AppState>,
    Path((key, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    admin::remove_stream(&s.store, &key, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_agents(_: Admin, State(s): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(serde_json::to_value(admin::agents_for_routing(&s.store).await?).unwrap_or_default()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAgent {
    name: String,
    email: String,
    role: Role,
    password: Option<String>,
}

async fn add_agent(
    _: Admin,
    State(s): State<AppState>,
    Json(b): Json<NewAgent>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (agent, generated) =
        admin::add_agent(&s.store, &b.name, &b.email, b.role, b.password.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "agent": agent, "password": generated }))))
}

async fn update_agent(
    _: Admin,
    State(s): State<AppState>,
    Path(email): Path<String>,
    Json(b): Json<admin::AgentChange>,
) -> Result<Json<Value>, ApiError> {
    let agent = admin::update_agent(&s.store, &email, &b).await?;
    // Without live chat: their inbox sockets close, offers move on, open
    // chats end with a word to the visitor.
    crate::lifecycle::changes::apply_pending(&s).await?;
    Ok(Json(json!(agent)))
}

/// `PUT /api/admin/agents/{email}/schedule`: a weekly schedule, or `null` for none.
async fn set_schedule(
    _: Admin,
    State(s): State<AppState>,
    Path(email): Path<String>,
    Json(b): Json<Option<crate::routing::availability::Schedule>>,
) -> Result<StatusCode, ApiError> {
    admin::set_schedule(&s.store, &email, b).await?;
    crate::lifecycle::changes::apply_pending(&s).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_account_routes(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let site = admin::site(&s.store, &key).await?;
    Ok(Json(json!(s.store.account_routes(site.id).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAccountRoute {
    domain: String,
    agent: String,
}

/// `POST /api/admin/sites/{key}/account-routes`: routes an email domain to an agent.
async fn save_account_route(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
    Json(b): Json<NewAccountRoute>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(admin::save_account_route(&s.store, &key, &b.domain, &b.agent).await?)))
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
async fn explain(_: Admin, State(s): State<AppState>, Path(id): Path<i64>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(admin::explain(&s.store, id).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    password: Option<String>,
}

async fn reset_password(
    _: Admin,
    State(s): State<AppState>,
    Path(email): Path<String>,
    Json(b): Json<PasswordChange>,
) -> Result<Json<Value>, ApiError> {
    let (agent, generated) = admin::reset_password(&s.store, &email, b.password.as_deref()).await?;
    // Their sessions are gone from storage; their open sockets close now.
    crate::lifecycle::changes::apply_pending(&s).await?;
    s.logins.reset(&agent.email.to_ascii_lowercase());
    Ok(Json(json!({ "password": generated })))
}

/// `DELETE /api/admin/agents/{email}/lockout`: lifts the login back-off on
/// the account (from every address), say for an agent a guesser locked out.
async fn lift_lockout(
    _: Admin,
    State(s): State<AppState>,
    Path(email): Path<String>,
) -> Result<StatusCode, ApiError> {
    let agent = admin::agent(&s.store, &email).await?;
    s.logins.reset(&agent.email.to_ascii_lowercase());
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_agent(
    _: Admin,
    State(s): State<AppState>,
    Path(email): Path<String>,
) -> Result<StatusCode, ApiError> {
    // Their sockets close, offers move on to someone else, open chats end
    // with a word to the visitor.
    admin::remove_agent(&s.store, &email).await?;
    crate::lifecycle::changes::apply_pending(&s).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_teams(_: Admin, State(s): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(s.store.teams().await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTeam {
    name: String,
    #[serde(default)]
    members: Vec<String>,
}

async fn add_team(
    _: Admin,
    State(s): State<AppState>,
    Json(b): Json<NewTeam>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((StatusCode::CREATED, Json(json!(admin::add_team(&s.store, &b.name, &b.members).await?))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamChange {
    name: Option<String>,
    members: Option<Vec<String>>,
}

async fn update_team(
    _: Admin,
    State(s): State<AppState>,
    Path(name): Path<String>,
    Json(b): Json<TeamChange>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(admin::update_team(&s.store, &name, b.name.as_deref(), b.members.as_deref()).await?)))
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
) -> Result<Json<Value>, ApiError> {
    let site = admin::site(&s.store, &key).await?;
    Ok(Json(json!(s.store.rules(site.id).await?)))
}

/// `POST /api/admin/sites/{key}/rules`: adds a rule or replaces the one with its name.
async fn save_rule(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
    Json(rule): Json<switchboard_protocol::rules::RoutingRule>,
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
