//! Building the application: open storage, bind the listeners (reporting the
//! ports really bound, so tests use port 0), assemble the router, run until
//! shutdown.

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

use crate::config::Settings;
use crate::csp_report::{self, CspReports};
use crate::headers::{self, SecurityHeaders};
use crate::hub::Hub;
use crate::shutdown::{self, Shutdown, ShutdownTrigger};
use crate::state::AppState;
use crate::store::{Store, StoreError};
use crate::{admin_api, api, assets, auth, demo, inbox_api, openapi, ws};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The data directory could not be created.
    #[error("creating data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Storage could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The node could not join its cluster.
    #[error("joining the cluster: {0}")]
    Cluster(#[from] crate::cluster::ClusterError),
    /// An address could not be bound.
    #[error("binding {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The router of the main origin.
pub fn app(state: AppState) -> Router {
    let max_body = state.settings.limits.max_body_bytes;
    let security = SecurityHeaders::new(&state.public_url);
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(crate::readiness::readyz))
        .route("/metrics", get(crate::readiness::metrics))
        .route("/api/sites/{key}/config", get(api::site_config))
        .route(
            "/api/sites/{key}/stream-events",
            post(api::stream_events)
                .layer(DefaultBodyLimit::max(switchboard_protocol::stats::MAX_BATCH_BYTES + 1)),
        )
        .route("/api/auth/login", post(auth::login))
        .route("/api/auth/logout", post(auth::logout))
        .route("/api/auth/me", get(auth::me))
        .route(openapi::PATH, get(openapi::serve))
        .route(
            csp_report::REPORT_PATH,
            post(csp_report::receive).layer(DefaultBodyLimit::max(csp_report::MAX_REPORT_BYTES)),
        )
        .route("/ws/visitor", get(ws::visitor::upgrade))
        .route("/ws/agent", get(ws::agent::upgrade))
        .merge(admin_api::routes())
        .merge(inbox_api::routes())
        .merge(crate::canned_api::routes())
        .merge(crate::files_api::routes())
        .merge(assets::routes(&assets::Source::of(&state.settings)))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::same_origin_writes))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn_with_state(security, headers::set))
        .with_state(state)
}

/// A built, bound, not yet running server.
pub struct Application {
    listener: TcpListener,
    demo_listener: Option<TcpListener>,
    state: AppState,
    /// Stops the WebSocket tasks (which axum's graceful shutdown does not drain).
    stop_sockets: ShutdownTrigger,
}

impl Application {
    /// Opens storage and binds the configured addresses.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        if settings.database_url.is_none() {
            std::fs::create_dir_all(&settings.data_dir)
                .map_err(|source| StartupError::DataDir { path: settings.data_dir.clone(), source })?;
        }
        let store = Store::open(&settings.database_url()).await?;
        if settings.cluster.routing_pause_ms > 0 {
            store.pause_next_decision(settings.cluster.routing_pause_ms);
        }
        let bind = |addr: SocketAddr| async move {
            TcpListener::bind(addr).await.map_err(|source| StartupError::Bind { addr, source })
        };
        let listener = bind(settings.listen).await?;
        let demo_listener = match settings.demo_listen {
            Some(addr) => Some(bind(addr).await?),
            None => None,
        };
        let local =
            listener.local_addr().map_err(|source| StartupError::Bind { addr: settings.listen, source })?;
        let public_url = settings.public_url.clone().unwrap_or_else(|| format!("http://{local}"));
        let public_url = public_url.trim_end_matches('/').into();
        assets::check(&assets::Source::of(&settings));
        let dummy_hash = tokio::task::spawn_blocking(|| auth::hash_password("not a real password"))
            .await
            .expect("hashing does not panic")
            .into();
        let (stop_sockets, sockets_shutdown) = shutdown::channel();
        let settings_grace = settings.routing.disconnect_grace_secs;
        let clock = crate::clock::Clock::system();
        let health = crate::cluster::health::Health::default();
        let metrics = crate::metrics::Metrics::default();
        let (hub, presence) = match &settings.cluster.nats_url {
            None => (
                Hub::default(),
                crate::presence::Presence::in_memory(std::time::Duration::from_secs(settings_grace)),
            ),
            Some(_) if store.dialect("sqlite", "postgres") == "sqlite" => {
                return Err(StartupError::Cluster(crate::cluster::ClusterError::NotShared));
            }
            Some(url) => {
                let joined = crate::cluster::join(
                    &settings,
                    url,
                    &store,
                    &clock,
                    metrics.clone(),
                    sockets_shutdown.clone(),
                )
                .await?;
                let outage = std::time::Duration::from_millis(settings.cluster.outage_close_ms);
                tokio::spawn(crate::cluster::health::watch(
                    health.clone(),
                    metrics.clone(),
                    store.clone(),
                    joined.nats,
                    outage,
                    sockets_shutdown.clone(),
                ));
                (joined.hub, joined.presence)
            }
        };
        let state = AppState {
            store,
            clock,
            settings: Arc::new(settings.clone()),
            public_url,
            dummy_hash,
            hub,
            presence,
            timers: crate::lifecycle::Timers::default(),
            shutdown: sockets_shutdown,
            logins: crate::login_guard::LoginGuard::new(&settings.limits),
            visitors: crate::ws::limits::VisitorLimits::new(&settings.limits),
            csp_reports: CspReports::default(),
            stats_limits: crate::stats_limits::StatsLimits::default(),
            health,
            metrics,
        };
        Ok(Self { listener, demo_listener, state, stop_sockets })
    }

    /// Reads the time from `clock` rather than the system's (a test's
    /// fixed instant, say).
    pub fn with_clock(mut self, clock: crate::clock::Clock) -> Self {
        self.state.clock = clock;
        self
    }

    /// The address the API really listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// The address the demo page really listens on, when enabled.
    pub fn demo_addr(&self) -> Option<SocketAddr> {
        self.demo_listener.as_ref().map(|l| l.local_addr().expect("a bound listener has an address"))
    }

    /// The public base URL.
    pub fn public_url(&self) -> &str {
        &self.state.public_url
    }

    /// The shared state (tests use it to act as the other side of a
    /// conversation until the agent socket exists).
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// On a database without an admin, a new one-time setup link (in place
    /// of any unused one) for `serve` to print; none once an admin exists.
    pub async fn first_run_link(&self) -> Result<Option<String>, StoreError> {
        crate::accounts::first_run_link(&self.state.store, &self.state.public_url, self.state.clock.now_ms())
            .await
    }

    /// The storage handle (for seeding and tests).
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Serves until `shutdown` fires, then finishes in-flight requests and
    /// closes the database.
    pub async fn run(self, shutdown: Shutdown) -> std::io::Result<()> {
        let Self { listener, demo_listener, state, stop_sockets } = self;
        // WebSocket tasks are not drained by axum's graceful shutdown: tell
        // them first, so they close their sockets cleanly.
        let http_shutdown = {
            let shutdown = shutdown.clone();
            async move {
                shutdown.recv().await;
                stop_sockets.trigger();
            }
        };
        let store = state.store.clone();
        let timers = state.timers.clone();
        let demo = demo_listener.map(|l| {
            let router = demo::routes(state.public_url.to_string(), state.settings.demo_site.clone());
            let shutdown = shutdown.clone();
            tokio::spawn(async move { axum::serve(l, router).with_graceful_shutdown(shutdown.recv()).await })
        });
        if let Err(e) = crate::lifecycle::after_start(&state).await {
            tracing::error!(error = %e, "watching for visitors who do not come back");
        }
        tokio::spawn(crate::lifecycle::sweeper::run(state.clone()));
        tokio::spawn(crate::lifecycle::changes::watch(state.clone()));
        tokio::spawn(crate::reports::keep_sealing(state.store.clone(), state.shutdown.clone()));
        tracing::info!(public_url = %state.public_url, "serving");
        // The client's address counts logins and visitor sockets.
        let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(listener, service).with_graceful_shutdown(http_shutdown).await;
        if let Some(demo) = demo {
            demo.await.map_err(std::io::Error::other)??;
        }
        timers.clear();
        store.close().await;
        result
    }
}
