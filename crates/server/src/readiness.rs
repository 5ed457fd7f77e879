//! `GET /metrics`, this node's counters for Prometheus ([`crate::metrics`]);
//! and `GET /readyz`, for load balancers: whether this node should be sent
//! new connections. `GET /healthz` only says the process answers; this one
//! also asks the database (and in a cluster, whether NATS is connected),
//! and says no once shutdown has begun, so that a balancer moves clients
//! to another node before this one closes them.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use std::time::Duration;

use crate::state::AppState;

/// How long the database may take to answer before the node is not ready.
const DATABASE_WAIT: Duration = Duration::from_secs(2);

/// `GET /metrics`: the Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render())
}

/// 200 `ready`, or 503 with why not (`shutting down`, `database
/// unreachable`, `nats unreachable`).
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    if state.shutdown.has_begun() {
        return (StatusCode::SERVICE_UNAVAILABLE, no_store, "shutting down");
    }
    // In a cluster, the health watch's last check (NATS among it).
    if let Some(why) = state.health.not_ready() {
        return (StatusCode::SERVICE_UNAVAILABLE, no_store, why);
    }
    match tokio::time::timeout(DATABASE_WAIT, state.store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, no_store, "ready"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready: the database did not answer");
            (StatusCode::SERVICE_UNAVAILABLE, no_store, "database unreachable")
        }
        Err(_) => {
            tracing::warn!("not ready: the database took over {DATABASE_WAIT:?}");
            (StatusCode::SERVICE_UNAVAILABLE, no_store, "database unreachable")
        }
    }
}
