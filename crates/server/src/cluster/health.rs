//! Whether this node can serve: its database answers and (in a cluster)
//! its NATS connection is up. A node that has lost either for
//! `outage_close_ms` closes its sockets (1012, "service restart"), so that
//! clients reconnect through the balancer to a healthy node; `/readyz`
//! says not ready from the first failed check.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::CloseFrame;
use tokio::sync::watch;

/// Close code for sockets a node closes because it cannot serve them
/// (RFC 6455 1012: service restart; clients reconnect).
pub const CLOSE_SERVICE_RESTART: u16 = 1012;

/// This node's health; cheap to clone.
#[derive(Debug, Clone)]
pub struct Health(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    database: AtomicBool,
    bus: AtomicBool,
    /// An outage closed the sockets and goes on: new ones close at once.
    closing: AtomicBool,
    /// Bumped each time an outage closes the sockets.
    closings: watch::Sender<u64>,
}

impl Default for Health {
    fn default() -> Self {
        Self(Arc::new(Inner {
            database: AtomicBool::new(true),
            bus: AtomicBool::new(true),
            closing: AtomicBool::new(false),
            closings: watch::channel(0).0,
        }))
    }
}

impl Health {
    /// Why this node is not ready, if it is not.
    pub fn not_ready(&self) -> Option<&'static str> {
        if !self.0.database.load(Ordering::Acquire) {
            Some("database unreachable")
        } else if !self.0.bus.load(Ordering::Acquire) {
            Some("nats unreachable")
        } else {
            None
        }
    }

    /// Completes with a close frame when an outage closes this node's
    /// sockets (never, while it stays healthy).
    pub fn closed(&self) -> impl std::future::Future<Output = CloseFrame> + Send + 'static {
        let mut closings = self.0.closings.subscribe();
        let now = self.0.closing.load(Ordering::Acquire);
        async move {
            if !now && closings.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
            CloseFrame { code: CLOSE_SERVICE_RESTART, reason: "this node cannot serve; reconnect".into() }
        }
    }

    /// Records one check: `database` and `bus` up or not.
    fn record(&self, database: bool, bus: bool) {
        self.0.database.store(database, Ordering::Release);
        self.0.bus.store(bus, Ordering::Release);
    }

    /// Closes every socket (an outage lasted too long).
    fn close_sockets(&self) {
        self.0.closing.store(true, Ordering::Release);
        self.0.closings.send_modify(|n| *n += 1);
    }
}

/// Checks the database and the bus every second until `shutdown`; after
/// `outage` of failing, closes the sockets once per outage.
pub async fn watch(
    health: Health,
    metrics: crate::metrics::Metrics,
    store: crate::store::Store,
    nats: async_nats::Client,
    outage: Duration,
    shutdown: crate::shutdown::Shutdown,
) {
    let mut failing_since: Option<tokio::time::Instant> = None;
    let mut closed = false;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = shutdown.clone().recv() => return,
        }
        let database = matches!(tokio::time::timeout(Duration::from_secs(2), store.ping()).await, Ok(Ok(())));
        let bus = nats.connection_state() == async_nats::connection::State::Connected;
        if !database && health.0.database.load(Ordering::Acquire) {
            metrics.database_lost();
        }
        if database && bus {
            // Sockets may stay open again before the node says it is ready.
            health.0.closing.store(false, Ordering::Release);
        }
        health.record(database, bus);
        if database && bus {
            if failing_since.take().is_some() {
                tracing::info!("database and nats reachable again");
            }
            closed = false;
            continue;
        }
        let since = *failing_since.get_or_insert_with(|| {
            tracing::warn!(database, nats = bus, "this node cannot serve");
            tokio::time::Instant::now()
        });
        if !closed && since.elapsed() >= outage {
            tracing::warn!(?outage, "closing this node's sockets so that clients move to another node");
            health.close_sockets();
            closed = true;
        }
    }
}
