//! The admin HTTP API's routing tools for a site ([`crate::admin_routing`]),
//! for agents with the admin role:
//!
//! - `POST /api/admin/sites/{key}/routing/try`: a dry run of routing;
//! - `PUT /api/admin/sites/{key}/rules/order`: the rules' order;
//! - `PUT /api/admin/sites/{key}/rules/{name}`: replace (edit or rename) a rule;
//! - `GET|PUT /api/admin/sites/{key}/account-routes.csv`: the account routes as CSV.
//!
//! `rules/order` is a path of its own: a rule called `order` is still read
//! and removed there (GET, DELETE), and renamed by saving it under its new
//! name (`POST …/rules`) then removing it.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use switchboard_protocol::admin::{
    AccountRouteView, RoutingTry, RoutingTryView, RuleOrder, MAX_ACCOUNT_ROUTES_CSV_BYTES,
};
use switchboard_protocol::rules::RoutingRule;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::admin;
use crate::admin_access::{Admin, SiteKey, SiteRule};
use crate::admin_routing;
use crate::error::ApiError;
use crate::extract::{Body, Json, Path};
use crate::refusals::{AdminRefusals, BodyRefusals, CsvRefusals, Invalid, NotFound};
use crate::state::AppState;

/// The routing tools' routes with their OpenAPI operations (gathered by
/// `admin_api::documented`).
pub(crate) fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(try_routing))
        .routes(routes!(order_rules, get_order_rule, remove_order_rule))
        .routes(routes!(replace_rule))
        .routes(
            // The executor refuses a body over the limit by field; the layer
            // lets one byte more through so it can tell.
            routes!(account_routes_csv, replace_account_routes)
                .layer(DefaultBodyLimit::max(MAX_ACCOUNT_ROUTES_CSV_BYTES + 1)),
        )
}

/// Whom a visitor like this would be offered to now, and why: the decision
/// a hand-off makes, on what is stored and who is connected now. Nothing is
/// offered or stored, not even a turn of round robin.
#[utoipa::path(
    post, path = "/api/admin/sites/{key}/routing/try", tag = "rules", params(SiteKey),
    request_body = RoutingTry,
    responses(
        (status = 200, description = "The agent it would go to (none: the fallback), with the \
            decision's reasons and the same in words", body = RoutingTryView),
        BodyRefusals,
        NotFound,
        AdminRefusals,
    )
)]
async fn try_routing(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteKey { key }): Path<SiteKey>,
    Json(b): Json<RoutingTry>,
) -> Result<Json<RoutingTryView>, ApiError> {
    Ok(Json(admin_routing::try_routing(&s, &key, &b).await?))
}

/// Orders a site's rules: every rule once by name, highest priority first
/// (they get priorities N×10 down to 10).
#[utoipa::path(
    put, path = "/api/admin/sites/{key}/rules/order", tag = "rules", params(SiteKey),
    request_body = RuleOrder,
    responses(
        (status = 200, description = "The rules in their new order", body = Vec<RoutingRule>),
        BodyRefusals,
        NotFound,
        AdminRefusals,
    )
)]
async fn order_rules(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteKey { key }): Path<SiteKey>,
    Json(b): Json<RuleOrder>,
) -> Result<Json<Vec<RoutingRule>>, ApiError> {
    Ok(Json(admin_routing::order_rules(&s.store, &key, &b).await?))
}

/// The rule called `order` (as `GET …/rules/{name}` reads any other).
#[utoipa::path(
    get, path = "/api/admin/sites/{key}/rules/order", tag = "rules", params(SiteKey),
    responses((status = 200, description = "The rule", body = RoutingRule), Invalid, NotFound, AdminRefusals)
)]
async fn get_order_rule(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteKey { key }): Path<SiteKey>,
) -> Result<Json<RoutingRule>, ApiError> {
    Ok(Json(admin::rule(&s.store, &key, "order").await?))
}

/// Removes the rule called `order` (as `DELETE …/rules/{name}` removes any
/// other).
#[utoipa::path(
    delete, path = "/api/admin/sites/{key}/rules/order", tag = "rules", params(SiteKey),
    responses((status = 204, description = "Removed"), Invalid, NotFound, AdminRefusals)
)]
async fn remove_order_rule(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteKey { key }): Path<SiteKey>,
) -> Result<StatusCode, ApiError> {
    admin::remove_rule(&s.store, &key, "order").await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces the rule `name` with the body, in one step: an edit, or a
/// rename when the body has another name (which no other rule of the site
/// may have). The agents or team it routes to must exist.
#[utoipa::path(
    put, path = "/api/admin/sites/{key}/rules/{name}", tag = "rules", params(SiteRule),
    request_body = RoutingRule,
    responses((status = 204, description = "Replaced"), BodyRefusals, NotFound, AdminRefusals)
)]
async fn replace_rule(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteRule { key, name }): Path<SiteRule>,
    Json(rule): Json<RoutingRule>,
) -> Result<StatusCode, ApiError> {
    admin_routing::replace_rule(&s.store, &key, &name, &rule).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A site's account routes as CSV: a `domain,agent_email` header, then a
/// line per route.
#[utoipa::path(
    get, path = "/api/admin/sites/{key}/account-routes.csv", tag = "rules", params(SiteKey),
    responses(
        (status = 200, description = "The account routes as CSV", body = String,
            content_type = "text/csv"),
        Invalid,
        NotFound,
        AdminRefusals,
    )
)]
async fn account_routes_csv(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteKey { key }): Path<SiteKey>,
) -> Result<Response, ApiError> {
    let csv = admin_routing::account_routes_as_csv(&s.store, &key).await?;
    let mut response = csv.into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    Ok(response)
}

/// Replaces every account route of a site with those of a CSV upload
/// (`domain,agent_email` lines, a header line optional), all or nothing.
#[utoipa::path(
    put, path = "/api/admin/sites/{key}/account-routes.csv", tag = "rules", params(SiteKey),
    request_body(content = String, content_type = "text/csv",
        description = "`domain,agent_email` lines (whatever the content type), UTF-8"),
    responses(
        (status = 200, description = "The account routes now", body = Vec<AccountRouteView>),
        CsvRefusals,
        NotFound,
        AdminRefusals,
    )
)]
async fn replace_account_routes(
    _: Admin,
    State(s): State<AppState>,
    Path(SiteKey { key }): Path<SiteKey>,
    Body(csv): Body,
) -> Result<Json<Vec<AccountRouteView>>, ApiError> {
    Ok(Json(admin_routing::replace_account_routes(&s.store, &key, &csv).await?))
}
