//! Reports over HTTP ([`crate::reports`]), for agents with the admin role.
//! Each takes the same query: `from`, `to` (days, both included), `tz`
//! (whose days), `by` (day or week) and `site` (see [`ReportQuery`]).
//!
//! - `GET /api/admin/reports/chats`: [`ChatReport`], the live chat
//!   figures in all, per period, site, team and agent;
//! - `GET /api/admin/reports/conversations`: one row per conversation
//!   (JSON), and `…/conversations.csv` the same as CSV;
//! - `GET /api/admin/reports/{agents,teams,sites,periods}.csv`: the
//!   report's groups as CSV;
//! - `GET /api/admin/reports/streams`: [`StreamReport`], each dialogue's
//!   visits and where they leave, and `…/streams.csv`;
//! - `GET /api/admin/reports/live?site=`: [`LiveNow`].
//!
//! A CSV comes as an attachment named after the report and its days.

use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use switchboard_protocol::admin::{
    day_name, ChatReport, ConversationFigures, LiveNow, ReportQuery, StreamReport,
};
use switchboard_protocol::site::SiteKey;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::Live;
use crate::admin_access::Admin;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::refusals::{AdminRefusals, InvalidQuery, NotFound};
use crate::reports::{self, output, Scope};
use crate::state::AppState;

/// The routes with their OpenAPI operations (gathered by
/// `admin_api::documented`).
pub(crate) fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(chats))
        .routes(routes!(conversations))
        .routes(routes!(conversations_csv))
        .routes(routes!(agents_csv))
        .routes(routes!(teams_csv))
        .routes(routes!(sites_csv))
        .routes(routes!(periods_csv))
        .routes(routes!(streams))
        .routes(routes!(streams_csv))
        .routes(routes!(live))
}

async fn scope(s: &AppState, query: &ReportQuery) -> Result<Scope, ApiError> {
    Ok(Scope::new(&s.store, query, s.clock.now_ms()).await?)
}

/// Live chat performance over a range of days: requested, offered,
/// accepted, declined, missed, fallback, abandoned and transfers, with the
/// accept rate and the median and 90th percentile of time to accept, wait,
/// first response, duration and messages; in all, per period, per site,
/// per team and per agent. A conversation counts on the day it was handed
/// off (in `tz`).
#[utoipa::path(
    get, path = "/api/admin/reports/chats", tag = "reports", params(ReportQuery),
    responses(
        (status = 200, description = "The figures", body = ChatReport),
        InvalidQuery,
        NotFound,
        AdminRefusals,
    )
)]
async fn chats(
    _: Admin,
    State(s): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> Result<Json<ChatReport>, ApiError> {
    let scope = scope(&s, &query).await?;
    Ok(Json(reports::chats(&s.store, &scope).await?))
}

/// One row per conversation handed off in the range, in the order they
/// started: how it went, who had it, and each of its times.
#[utoipa::path(
    get, path = "/api/admin/reports/conversations", tag = "reports", params(ReportQuery),
    responses(
        (status = 200, description = "The rows", body = Vec<ConversationFigures>),
        InvalidQuery,
        NotFound,
        AdminRefusals,
    )
)]
async fn conversations(
    _: Admin,
    State(s): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> Result<Json<Vec<ConversationFigures>>, ApiError> {
    let scope = scope(&s, &query).await?;
    Ok(Json(reports::conversations(&s.store, &scope).await?))
}

/// A CSV attachment named `switchboard-{what}-{from}-{to}.csv`.
fn csv(what: &str, scope: &Scope, table: &output::Table) -> Response {
    let name = format!("switchboard-{what}-{}-{}.csv", day_name(scope.days.from), day_name(scope.days.to));
    let mut response = table.csv().into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(CONTENT_DISPOSITION, v);
    }
    response
}

/// A group of the live chat report as CSV.
async fn group_csv(s: &AppState, query: &ReportQuery, group: output::Group) -> Result<Response, ApiError> {
    let scope = scope(s, query).await?;
    let report = reports::chats(&s.store, &scope).await?;
    Ok(csv(group.name(), &scope, &output::group_table(&report, group)))
}

/// The conversations report as CSV (the columns of `…/conversations`;
/// times in seconds).
#[utoipa::path(
    get, path = "/api/admin/reports/conversations.csv", tag = "reports", params(ReportQuery),
    responses(
        (status = 200, description = "One line per conversation", body = String, content_type = "text/csv"),
        InvalidQuery,
        NotFound,
        AdminRefusals,
    )
)]
async fn conversations_csv(
    _: Admin,
    State(s): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let scope = scope(&s, &query).await?;
    let rows = reports::conversations(&s.store, &scope).await?;
    Ok(csv("conversations", &scope, &output::conversations_table(&rows)))
}

/// One line per agent offered a chat in the range (times in seconds).
#[utoipa::path(
    get, path = "/api/admin/reports/agents.csv", tag = "reports", params(ReportQuery),
    responses(
        (status = 200, description = "One line per agent", body = String, content_type = "text/csv"),
        InvalidQuery,
        NotFound,
        AdminRefusals,
    )
)]
async fn agents_csv(
    _: Admin,
    State(s): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    group_csv(&s, &query, output::Group::Agents).await
}

/// One line per team with conversations in the range.
#[utoipa::path(
    get, path = "/api/admin/reports/teams.csv", tag = "reports", params(ReportQuery),
    responses(
        (status = 200, description = "One line per team", body = String, content_type = "text/csv"),
        InvalidQuery,
        NotFound,
        AdminRefusals,
    )
)]
async fn teams_csv(
    _: Admin,
    State(s): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    group_csv(&s, &query, output::Group::Teams).await
}

/// One line per site with conversations in the range.
#[utoipa::path(
    get, path = "/api/admin/reports/sites.csv", tag = "reports", params(ReportQuery),
    responses(
        (status = 200, description = "One line per site", body = String, content_type = "text/csv"),
        InvalidQuery,
        NotFound,
        AdminRefusals,
    )
)]
async fn sites_csv(
    _: Admin,
    State(s): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    group_csv(&s, &query, output::Group::Sites).await
}

/// One line per day (or week) of the range, empty ones too.
#[utoipa::path(
    get, path = "/api/admin/reports/periods.csv", tag = "reports", params(ReportQuery),
    responses(
        (status = 200, description = "One line per period", body = String, content_type = "text/csv"),
        InvalidQuery,
        NotFound,
        AdminRefusals,
    )
)]
async fn periods_csv(
    _: Admin,
    State(s): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    group_csv(&s, &query, output::Group::Periods).await
}

/// How each dialogue (stream) did: visits shown, engaged, completed,
/// emails given and live chats asked for, and per card how many visits
/// reached it and how many left there. A visit counts on the day it
/// started (in `tz`).
#[utoipa::path(
    get, path = "/api/admin/reports/streams", tag = "reports", params(ReportQuery),
    responses(
        (status = 200, description = "The figures per stream", body = StreamReport),
        InvalidQuery,
        NotFound,
        AdminRefusals,
    )
)]
async fn streams(
    _: Admin,
    State(s): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> Result<Json<StreamReport>, ApiError> {
    let scope = scope(&s, &query).await?;
    Ok(Json(reports::streams(&s.store, &scope).await?))
}

/// The dialogue report as CSV: a line per stream, then one per card of it.
#[utoipa::path(
    get, path = "/api/admin/reports/streams.csv", tag = "reports", params(ReportQuery),
    responses(
        (status = 200, description = "A line per stream and per card", body = String, content_type = "text/csv"),
        InvalidQuery,
        NotFound,
        AdminRefusals,
    )
)]
async fn streams_csv(
    _: Admin,
    State(s): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let scope = scope(&s, &query).await?;
    let report = reports::streams(&s.store, &scope).await?;
    Ok(csv("streams", &scope, &output::streams_table(&report.streams)))
}

/// Which site's conversations the live view counts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LiveQuery {
    /// Only this site's conversations (its key); agents are everyone's.
    #[param(example = "demo", pattern = "^\\s*[a-z0-9_-]{3,64}\\s*$")]
    site: Option<String>,
}

/// What is going on now: conversations waiting, offered and active, agents
/// online and available, and the longest wait.
#[utoipa::path(
    get, path = "/api/admin/reports/live", tag = "reports", params(LiveQuery),
    responses(
        (status = 200, description = "Now", body = LiveNow),
        InvalidQuery,
        NotFound,
        AdminRefusals,
    )
)]
async fn live(
    _: Admin,
    State(s): State<AppState>,
    Query(LiveQuery { site }): Query<LiveQuery>,
) -> Result<Json<LiveNow>, ApiError> {
    let site = match site.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => None,
        Some(raw) => Some(SiteKey::parse(raw).map_err(|e| {
            crate::admin::AdminError::Invalid(switchboard_protocol::admin::InvalidRequest::field("site", e))
        })?),
    };
    Ok(Json(reports::live_now(&s.store, site.as_ref(), &Live::of(&s)).await?))
}
