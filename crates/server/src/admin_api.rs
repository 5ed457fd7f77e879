//! The admin HTTP API under `/api/admin/`: the same operations as the
//! `switchboard` subcommands ([`crate::admin`]), for agents with the admin role.
//!
//! Bodies are the protocol's admin requests and answers its views
//! ([`switchboard_protocol::admin`]); a refused value is a 400 naming its
//! field. A change the executor recorded with a live effect (sockets to
//! close, offers to move) is applied before the answer.
//!
//! Each handler's `#[utoipa::path]` is both its route (registered by
//! [`documented`]) and its operation in the OpenAPI document
//! (the `openapi` module), so a route cannot go undocumented. [`documented`]
//! also gathers the modules of their own that are documented so: the
//! routing tools (`admin_routing_api`), the conversation list
//! (`conversations_api`), the setup and invitation links
//! (`accounts_api`, whose public routes need no session) and the stream
//! designer (`stream_designer_api`).

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::Router;
use switchboard_protocol::admin::{
    AccountRouteView, AgentChange, AgentPassword, AgentView, AppearanceChange, NewAccountRoute, NewAgent,
    NewSite, NewTeam, PasswordReset, PublishStream, Schedule, SiteChange, SiteView, StreamPublished,
    StreamSummary, StreamView, TeamChange, TeamView,
};
use switchboard_protocol::rules::RoutingRule;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::admin::{self, Explanation, Live};
use crate::admin_access::{
    Admin, AgentEmail, ConversationId, SiteDomain, SiteKey, SiteRule, SiteStream, TeamName,
};
use crate::error::ApiError;
use crate::extract::{Json, Path, Text};
use crate::refusals::{
    AdminRefusals, BodyRefusals, Conflict, EmailTaken, Invalid, InvalidStream, NotFound, TooLarge,
};
use crate::state::AppState;
use crate::store::routing::StoredDecision;
use crate::store::Author;

/// The admin routes.
pub fn routes() -> Router<AppState> {
    documented().into()
}

/// The admin routes with their OpenAPI operations.
pub(crate) fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_sites, add_site))
        .routes(routes!(get_site, update_site, remove_site))
        .routes(routes!(update_appearance))
        // A stream file may be larger than other bodies: its own limit
        // (the parser refuses anything over it with a clear error).
        .routes(
            routes!(list_streams, publish_stream)
                .layer(DefaultBodyLimit::max(switchboard_protocol::stream::file::MAX_FILE_BYTES + 1)),
        )
        .routes(routes!(get_stream, remove_stream))
        .routes(routes!(list_rules, save_rule))
        .routes(routes!(get_rule, remove_rule))
        .routes(routes!(list_account_routes, save_account_route))
        .routes(routes!(remove_account_route))
        .routes(routes!(explain))
        .routes(routes!(list_agents, add_agent))
        .routes(routes!(get_agent, update_agent, remove_agent))
        .routes(routes!(reset_password))
        .routes(routes!(lift_lockout))
        .routes(routes!(set_schedule))
        .routes(routes!(list_teams, add_team))
        .routes(routes!(get_team, update_team, remove_team))
        .merge(crate::admin_routing_api::documented())
        .merge(crate::conversations_api::documented())
        .merge(crate::reports_api::documented())
        .merge(crate::accounts_api::documented())
        .merge(crate::stream_designer_api::documented())
        .merge(crate::canned_api::documented())
}

/// Every site, by key.
#[utoipa::path(
    get, path = "/api/admin/sites", tag = "sites",
    responses((status = 200, description = "The sites", body = Vec<SiteView>), AdminRefusals)
)]
async fn list_sites(_: Admin, State(s): State<AppState>) -> Result<Json<Vec<SiteView>>, ApiError> {
    Ok(Json(admin::sites(&s.store).await?))
}

/// A site.
#[utoipa::path(
    get, path = "/api/admin/sites/{key}", tag = "sites", params(SiteKey),
    responses((status = 200, description = "The site", body = SiteView), Invalid, NotFound, AdminRefusals)
)]
async fn get_site(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteKey { key }): Path<SiteKey>,
) -> Result<Json<SiteView>, ApiError> {
    Ok(Json(admin::site(&s.store, &key).await?))
}

/// Adds a site with the default appearance (chat on, no blocked email
/// domains unless given).
#[utoipa::path(
    post, path = "/api/admin/sites", tag = "sites",
    request_body = NewSite,
    responses(
        (status = 201, description = "The new site", body = SiteView),
        BodyRefusals,
        Conflict,
        AdminRefusals,
    )
)]
async fn add_site(
    _: Admin,
    State(s): State<AppState>,
    Json(b): Json<NewSite>,
) -> Result<(StatusCode, Json<SiteView>), ApiError> {
    Ok((StatusCode::CREATED, Json(admin::add_site(&s.store, &b, s.clock.now_ms()).await?)))
}

/// Changes a site's name, allowed origins (all of them), fallback message,
/// blocked email domains (all of them) and/or whether it offers chat.
#[utoipa::path(
    patch, path = "/api/admin/sites/{key}", tag = "sites", params(SiteKey),
    request_body = SiteChange,
    responses(
        (status = 200, description = "The site as changed", body = SiteView),
        BodyRefusals,
        NotFound,
        AdminRefusals,
    )
)]
async fn update_site(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteKey { key }): Path<SiteKey>,
    Json(b): Json<SiteChange>,
) -> Result<Json<SiteView>, ApiError> {
    Ok(Json(admin::update_site(&s.store, &key, &b).await?))
}

/// Changes how the widget looks on a site; every value is checked.
#[utoipa::path(
    patch, path = "/api/admin/sites/{key}/appearance", tag = "sites", params(SiteKey),
    request_body = AppearanceChange,
    responses(
        (status = 200, description = "The site as changed", body = SiteView),
        BodyRefusals,
        NotFound,
        AdminRefusals,
    )
)]
async fn update_appearance(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteKey { key }): Path<SiteKey>,
    Json(b): Json<AppearanceChange>,
) -> Result<Json<SiteView>, ApiError> {
    Ok(Json(admin::update_appearance(&s.store, &key, &b).await?))
}

/// Removes a site with its streams and conversations.
#[utoipa::path(
    delete, path = "/api/admin/sites/{key}", tag = "sites", params(SiteKey),
    responses((status = 204, description = "Removed"), Invalid, NotFound, AdminRefusals)
)]
async fn remove_site(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteKey { key }): Path<SiteKey>,
) -> Result<StatusCode, ApiError> {
    admin::remove_site(&s.store, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A site's streams, published or only drafted (`published`, `draft`),
/// highest priority first.
#[utoipa::path(
    get, path = "/api/admin/sites/{key}/streams", tag = "streams", params(SiteKey),
    responses(
        (status = 200, description = "The streams, without their cards", body = Vec<StreamSummary>),
        Invalid,
        NotFound,
        AdminRefusals,
    )
)]
async fn list_streams(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteKey { key }): Path<SiteKey>,
) -> Result<Json<Vec<StreamSummary>>, ApiError> {
    Ok(Json(admin::streams(&s.store, &key).await?))
}

/// A published stream with the file it was published from.
#[utoipa::path(
    get, path = "/api/admin/sites/{key}/streams/{id}", tag = "streams", params(SiteStream),
    responses(
        (status = 200, description = "The stream", body = StreamView),
        Invalid,
        NotFound,
        AdminRefusals,
    )
)]
async fn get_stream(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteStream { key, id }): Path<SiteStream>,
) -> Result<Json<StreamView>, ApiError> {
    Ok(Json(admin::stream(&s.store, &key, &id).await?))
}

/// Validates a stream file and publishes it as the stream's next version,
/// recording a release (no note) and making it the stream's draft.
///
/// The body is the stream file itself (TOML, as `switchboard stream check`
/// reads it), whatever its content type.
#[utoipa::path(
    put, path = "/api/admin/sites/{key}/streams", tag = "streams", params(SiteKey),
    request_body(content = String, content_type = "text/plain", description = "The stream file (TOML)"),
    responses(
        (status = 200, description = "Published: its id, version and warnings", body = StreamPublished),
        Invalid,
        NotFound,
        TooLarge,
        InvalidStream,
        AdminRefusals,
    )
)]
async fn publish_stream(
    Admin(by): Admin,
    State(s): State<AppState>,
    Path(SiteKey { key }): Path<SiteKey>,
    Text(source): Text,
) -> Result<Json<StreamPublished>, ApiError> {
    let req = PublishStream { source };
    let by = Author { name: &by.name, email: &by.email };
    Ok(Json(admin::publish_stream(&s.store, &key, &req, by, "", s.clock.now_ms()).await?))
}

/// Removes a stream: unpublishes it and drops its draft and release history.
#[utoipa::path(
    delete, path = "/api/admin/sites/{key}/streams/{id}", tag = "streams", params(SiteStream),
    responses((status = 204, description = "Removed"), Invalid, NotFound, AdminRefusals)
)]
async fn remove_stream(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteStream { key, id }): Path<SiteStream>,
) -> Result<StatusCode, ApiError> {
    admin::remove_stream(&s.store, &key, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every agent.
#[utoipa::path(
    get, path = "/api/admin/agents", tag = "agents",
    responses((status = 200, description = "The agents", body = Vec<AgentView>), AdminRefusals)
)]
async fn list_agents(_: Admin, State(s): State<AppState>) -> Result<Json<Vec<AgentView>>, ApiError> {
    Ok(Json(admin::agents(&s.store, &Live::of(&s)).await?))
}

/// An agent.
#[utoipa::path(
    get, path = "/api/admin/agents/{email}", tag = "agents", params(AgentEmail),
    responses((status = 200, description = "The agent", body = AgentView), Invalid, NotFound, AdminRefusals)
)]
async fn get_agent(
    _: Admin,
    State(s): State<AppState>,
    Path(AgentEmail { email }): Path<AgentEmail>,
) -> Result<Json<AgentView>, ApiError> {
    Ok(Json(admin::agent(&s.store, &email, &Live::of(&s)).await?))
}

/// Adds an agent; without a password one is generated and answered, once,
/// or with `invite` an invitation's token is (they set their own).
#[utoipa::path(
    post, path = "/api/admin/agents", tag = "agents",
    request_body = NewAgent,
    responses(
        (status = 201, description = "The agent, with the generated password or the invitation's \
            token if any", body = AgentPassword),
        BodyRefusals,
        Conflict,
        AdminRefusals,
    )
)]
async fn add_agent(
    _: Admin,
    State(s): State<AppState>,
    Json(b): Json<NewAgent>,
) -> Result<(StatusCode, Json<AgentPassword>), ApiError> {
    Ok((StatusCode::CREATED, Json(admin::add_agent(&s.store, &b, &Live::of(&s)).await?)))
}

/// Changes an agent's name, email, role, avatar, live chat permission
/// and/or capacity.
///
/// A new email is their new login: their sessions end (their sockets
/// close), and they sign in again with it and the same password; rules,
/// live chat cards and open chats that name them by email follow it. Their
/// old email then answers 404.
#[utoipa::path(
    patch, path = "/api/admin/agents/{email}", tag = "agents", params(AgentEmail),
    request_body = AgentChange,
    responses(
        (status = 200, description = "The agent as changed", body = AgentView),
        BodyRefusals,
        NotFound,
        EmailTaken,
        AdminRefusals,
    )
)]
async fn update_agent(
    _: Admin,
    State(s): State<AppState>,
    Path(AgentEmail { email }): Path<AgentEmail>,
    Json(b): Json<AgentChange>,
) -> Result<Json<AgentView>, ApiError> {
    let agent = admin::update_agent(&s.store, &email, &b, &Live::of(&s)).await?;
    // Without live chat: their inbox sockets close, offers move on, open
    // chats end with a word to the visitor. A new email: their sockets close.
    crate::lifecycle::changes::apply_pending(&s).await?;
    Ok(Json(agent))
}

/// Sets an agent's weekly availability schedule, or clears it with `null`.
#[utoipa::path(
    put, path = "/api/admin/agents/{email}/schedule", tag = "agents", params(AgentEmail),
    request_body(content = Option<Schedule>, description = "A weekly schedule, or `null` for none"),
    responses((status = 204, description = "Set"), BodyRefusals, NotFound, AdminRefusals)
)]
async fn set_schedule(
    _: Admin,
    State(s): State<AppState>,
    Path(AgentEmail { email }): Path<AgentEmail>,
    Json(b): Json<Option<Schedule>>,
) -> Result<StatusCode, ApiError> {
    admin::set_schedule(&s.store, &email, b.as_ref(), s.clock.now_ms()).await?;
    crate::lifecycle::changes::apply_pending(&s).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A site's account routes, by domain.
#[utoipa::path(
    get, path = "/api/admin/sites/{key}/account-routes", tag = "rules", params(SiteKey),
    responses(
        (status = 200, description = "The account routes", body = Vec<AccountRouteView>),
        Invalid,
        NotFound,
        AdminRefusals,
    )
)]
async fn list_account_routes(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteKey { key }): Path<SiteKey>,
) -> Result<Json<Vec<AccountRouteView>>, ApiError> {
    Ok(Json(admin::account_routes(&s.store, &key).await?))
}

/// Routes visitors with an email at a domain to an agent first (replacing
/// the domain's route if it had one).
#[utoipa::path(
    post, path = "/api/admin/sites/{key}/account-routes", tag = "rules", params(SiteKey),
    request_body = NewAccountRoute,
    responses(
        (status = 200, description = "The account route", body = AccountRouteView),
        BodyRefusals,
        NotFound,
        AdminRefusals,
    )
)]
async fn save_account_route(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteKey { key }): Path<SiteKey>,
    Json(b): Json<NewAccountRoute>,
) -> Result<Json<AccountRouteView>, ApiError> {
    Ok(Json(admin::save_account_route(&s.store, &key, &b).await?))
}

/// Removes a domain's account route.
#[utoipa::path(
    delete, path = "/api/admin/sites/{key}/account-routes/{domain}", tag = "rules", params(SiteDomain),
    responses((status = 204, description = "Removed"), Invalid, NotFound, AdminRefusals)
)]
async fn remove_account_route(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteDomain { key, domain }): Path<SiteDomain>,
) -> Result<StatusCode, ApiError> {
    admin::remove_account_route(&s.store, &key, &domain).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every routing decision of a conversation, with its reasons.
#[utoipa::path(
    get, path = "/api/admin/conversations/{id}/explain", tag = "conversations", params(ConversationId),
    responses(
        (status = 200, description = "The decisions, and the same in words",
            body = switchboard_protocol::admin::Explanation<StoredDecision>),
        Invalid,
        NotFound,
        AdminRefusals,
    )
)]
async fn explain(
    _: Admin,
    State(s): State<AppState>,
    Path(ConversationId { id }): Path<ConversationId>,
) -> Result<Json<Explanation>, ApiError> {
    Ok(Json(admin::explain(&s.store, id).await?))
}

/// Sets a new password, which ends the agent's sessions; without one it is
/// generated and answered, once.
#[utoipa::path(
    put, path = "/api/admin/agents/{email}/password", tag = "agents", params(AgentEmail),
    request_body = PasswordReset,
    responses(
        (status = 200, description = "The agent, with the generated password if any", body = AgentPassword),
        BodyRefusals,
        NotFound,
        AdminRefusals,
    )
)]
async fn reset_password(
    _: Admin,
    State(s): State<AppState>,
    Path(AgentEmail { email }): Path<AgentEmail>,
    Json(b): Json<PasswordReset>,
) -> Result<Json<AgentPassword>, ApiError> {
    let answer = admin::reset_password(&s.store, &email, &b, &Live::of(&s)).await?;
    let agent = &answer.agent;
    // Their sessions are gone from storage; their open sockets close now.
    crate::lifecycle::changes::apply_pending(&s).await?;
    s.logins.reset(&agent.profile.email.to_ascii_lowercase());
    Ok(Json(answer))
}

/// Lifts the login back-off on the account (from every address), say for
/// an agent a guesser locked out.
#[utoipa::path(
    delete, path = "/api/admin/agents/{email}/lockout", tag = "agents", params(AgentEmail),
    responses((status = 204, description = "Lifted"), Invalid, NotFound, AdminRefusals)
)]
async fn lift_lockout(
    _: Admin,
    State(s): State<AppState>,
    Path(AgentEmail { email }): Path<AgentEmail>,
) -> Result<StatusCode, ApiError> {
    let agent = admin::agent(&s.store, &email, &Live::of(&s)).await?;
    s.logins.reset(&agent.profile.email.to_ascii_lowercase());
    Ok(StatusCode::NO_CONTENT)
}

/// Removes an agent: their sockets close, offers move on to someone else,
/// open chats end with a word to the visitor.
#[utoipa::path(
    delete, path = "/api/admin/agents/{email}", tag = "agents", params(AgentEmail),
    responses((status = 204, description = "Removed"), Invalid, NotFound, AdminRefusals)
)]
async fn remove_agent(
    _: Admin,
    State(s): State<AppState>,
    Path(AgentEmail { email }): Path<AgentEmail>,
) -> Result<StatusCode, ApiError> {
    admin::remove_agent(&s.store, &email, s.clock.now_ms()).await?;
    crate::lifecycle::changes::apply_pending(&s).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every team.
#[utoipa::path(
    get, path = "/api/admin/teams", tag = "teams",
    responses((status = 200, description = "The teams", body = Vec<TeamView>), AdminRefusals)
)]
async fn list_teams(_: Admin, State(s): State<AppState>) -> Result<Json<Vec<TeamView>>, ApiError> {
    Ok(Json(admin::teams(&s.store).await?))
}

/// A team.
#[utoipa::path(
    get, path = "/api/admin/teams/{name}", tag = "teams", params(TeamName),
    responses((status = 200, description = "The team", body = TeamView), NotFound, AdminRefusals)
)]
async fn get_team(
    _: Admin,
    State(s): State<AppState>,
    Path(TeamName { name }): Path<TeamName>,
) -> Result<Json<TeamView>, ApiError> {
    Ok(Json(admin::team(&s.store, &name).await?))
}

/// Adds a team of existing agents.
#[utoipa::path(
    post, path = "/api/admin/teams", tag = "teams",
    request_body = NewTeam,
    responses(
        (status = 201, description = "The new team", body = TeamView),
        BodyRefusals,
        NotFound,
        Conflict,
        AdminRefusals,
    )
)]
async fn add_team(
    _: Admin,
    State(s): State<AppState>,
    Json(b): Json<NewTeam>,
) -> Result<(StatusCode, Json<TeamView>), ApiError> {
    Ok((StatusCode::CREATED, Json(admin::add_team(&s.store, &b).await?)))
}

/// Renames a team and/or replaces its members.
#[utoipa::path(
    patch, path = "/api/admin/teams/{name}", tag = "teams", params(TeamName),
    request_body = TeamChange,
    responses(
        (status = 200, description = "The team as changed", body = TeamView),
        BodyRefusals,
        NotFound,
        Conflict,
        AdminRefusals,
    )
)]
async fn update_team(
    _: Admin,
    State(s): State<AppState>,
    Path(TeamName { name }): Path<TeamName>,
    Json(b): Json<TeamChange>,
) -> Result<Json<TeamView>, ApiError> {
    Ok(Json(admin::update_team(&s.store, &name, &b).await?))
}

/// Removes a team (its members stay agents).
#[utoipa::path(
    delete, path = "/api/admin/teams/{name}", tag = "teams", params(TeamName),
    responses((status = 204, description = "Removed"), NotFound, AdminRefusals)
)]
async fn remove_team(
    _: Admin,
    State(s): State<AppState>,
    Path(TeamName { name }): Path<TeamName>,
) -> Result<StatusCode, ApiError> {
    admin::remove_team(&s.store, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A site's routing rules, highest priority first.
#[utoipa::path(
    get, path = "/api/admin/sites/{key}/rules", tag = "rules", params(SiteKey),
    responses(
        (status = 200, description = "The rules", body = Vec<RoutingRule>),
        Invalid,
        NotFound,
        AdminRefusals,
    )
)]
async fn list_rules(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteKey { key }): Path<SiteKey>,
) -> Result<Json<Vec<RoutingRule>>, ApiError> {
    Ok(Json(admin::rules(&s.store, &key).await?))
}

/// A site's routing rule.
#[utoipa::path(
    get, path = "/api/admin/sites/{key}/rules/{name}", tag = "rules", params(SiteRule),
    responses((status = 200, description = "The rule", body = RoutingRule), Invalid, NotFound, AdminRefusals)
)]
async fn get_rule(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteRule { key, name }): Path<SiteRule>,
) -> Result<Json<RoutingRule>, ApiError> {
    Ok(Json(admin::rule(&s.store, &key, &name).await?))
}

/// Adds a routing rule, or replaces the one with its name; the agents or
/// team it routes to must exist.
#[utoipa::path(
    post, path = "/api/admin/sites/{key}/rules", tag = "rules", params(SiteKey),
    request_body = RoutingRule,
    responses((status = 204, description = "Saved"), BodyRefusals, NotFound, AdminRefusals)
)]
async fn save_rule(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteKey { key }): Path<SiteKey>,
    Json(rule): Json<RoutingRule>,
) -> Result<StatusCode, ApiError> {
    admin::save_rule(&s.store, &key, &rule).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a routing rule.
#[utoipa::path(
    delete, path = "/api/admin/sites/{key}/rules/{name}", tag = "rules", params(SiteRule),
    responses((status = 204, description = "Removed"), Invalid, NotFound, AdminRefusals)
)]
async fn remove_rule(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteRule { key, name }): Path<SiteRule>,
) -> Result<StatusCode, ApiError> {
    admin::remove_rule(&s.store, &key, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
