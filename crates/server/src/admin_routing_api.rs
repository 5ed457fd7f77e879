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

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use switchboard_protocol::admin::{
    AccountRouteView, RoutingTry, RoutingTryView, RuleOrder, MAX_ACCOUNT_ROUTES_CSV_BYTES,
};
use switchboard_protocol::rules::RoutingRule;

use crate::admin;
use crate::admin_api::Admin;
use crate::admin_routing;
use crate::error::ApiError;
use crate::state::AppState;

/// The routing tools' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/admin/sites/{key}/routing/try", post(try_routing))
        .route(
            "/api/admin/sites/{key}/rules/order",
            put(order_rules).get(get_order_rule).delete(remove_order_rule),
        )
        .route("/api/admin/sites/{key}/rules/{name}", put(replace_rule))
        .route(
            "/api/admin/sites/{key}/account-routes.csv",
            // The executor refuses a body over the limit by field; the layer
            // lets one byte more through so it can tell.
            get(account_routes_csv)
                .put(replace_account_routes)
                .layer(DefaultBodyLimit::max(MAX_ACCOUNT_ROUTES_CSV_BYTES + 1)),
        )
}

/// `POST /api/admin/sites/{key}/routing/try`: whom a visitor like this
/// would be offered to now, and why; nothing is offered or stored.
async fn try_routing(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
    Json(b): Json<RoutingTry>,
) -> Result<Json<RoutingTryView>, ApiError> {
    Ok(Json(admin_routing::try_routing(&s, &key, &b).await?))
}

/// `PUT /api/admin/sites/{key}/rules/order` with `{"names": [...]}`:
/// answers the rules in their new order.
async fn order_rules(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
    Json(b): Json<RuleOrder>,
) -> Result<Json<Vec<RoutingRule>>, ApiError> {
    Ok(Json(admin_routing::order_rules(&s.store, &key, &b).await?))
}

/// `GET …/rules/order`: the rule called `order`, as `GET …/rules/{name}`.
async fn get_order_rule(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<RoutingRule>, ApiError> {
    Ok(Json(admin::rule(&s.store, &key, "order").await?))
}

/// `DELETE …/rules/order`: removes the rule called `order`.
async fn remove_order_rule(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    admin::remove_rule(&s.store, &key, "order").await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/admin/sites/{key}/rules/{name}`: replaces the rule `name`
/// with the body, which may rename it.
async fn replace_rule(
    _: Admin,
    State(s): State<AppState>,
    Path((key, name)): Path<(String, String)>,
    Json(rule): Json<RoutingRule>,
) -> Result<StatusCode, ApiError> {
    admin_routing::replace_rule(&s.store, &key, &name, &rule).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/admin/sites/{key}/account-routes.csv`.
async fn account_routes_csv(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let csv = admin_routing::account_routes_as_csv(&s.store, &key).await?;
    let mut response = csv.into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    Ok(response)
}

/// `PUT /api/admin/sites/{key}/account-routes.csv` with the CSV as the
/// body: replaces every account route; answers the new list.
async fn replace_account_routes(
    _: Admin,
    State(s): State<AppState>,
    Path(key): Path<String>,
    csv: Bytes,
) -> Result<Json<Vec<AccountRouteView>>, ApiError> {
    Ok(Json(admin_routing::replace_account_routes(&s.store, &key, &csv).await?))
}
