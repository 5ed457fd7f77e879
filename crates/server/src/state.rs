//! The state every handler shares, passed through axum's `State`. It lives
//! apart from `startup` (which builds it and imports every handler), so
//! handlers depending on it form no cycle.

use std::sync::Arc;

use crate::config::Settings;
use crate::csp_report::CspReports;
use crate::hub::Hub;
use crate::shutdown::Shutdown;
use crate::store::Store;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Where the time comes from.
    pub clock: crate::clock::Clock,
    /// Settings in force.
    pub settings: Arc<Settings>,
    /// The public base URL (settings' or derived from the bound address).
    pub public_url: Arc<str>,
    /// A real argon2 hash to verify against for unknown emails (constant-time-ish login).
    pub dummy_hash: Arc<str>,
    /// Fan-out of conversation events.
    pub hub: Hub,
    /// Agents' presence.
    pub presence: crate::presence::Presence,
    /// The lifecycle's routing lock and timers.
    pub timers: crate::lifecycle::timers::Timers,
    /// Fires when the server stops; every WebSocket task selects on it.
    pub shutdown: Shutdown,
    /// Failed-login back-offs and the bound on password hashing.
    pub logins: crate::login_guard::LoginGuard,
    /// What visitors may open and send, counted across their sockets.
    pub visitors: crate::ws::limits::VisitorLimits,
    /// Content-Security-Policy violations browsers reported.
    pub csp_reports: CspReports,
    /// How many stream event batches each address and site may send.
    pub stats_limits: crate::stats_limits::StatsLimits,
    /// Whether this node can serve (its database and, in a cluster, NATS).
    pub health: crate::cluster::health::Health,
    /// This node's counters (`/metrics`).
    pub metrics: crate::metrics::Metrics,
}

impl AppState {
    /// Whether this node is one of several (NATS between them).
    pub fn clustered(&self) -> bool {
        self.settings.cluster.nats_url.is_some()
    }
}

/// The CSP report endpoint needs only the reports, not the whole state.
impl axum::extract::FromRef<AppState> for CspReports {
    fn from_ref(state: &AppState) -> Self {
        state.csp_reports.clone()
    }
}
