//! Several nodes behind one load balancer, on one PostgreSQL database,
//! told of each other's changes through NATS. The database is the one
//! truth and coordinator (sequence numbers, offers, the rotation, due
//! times, presence rows); NATS core pub/sub only rings the bell, and every
//! doubt (a gap, a reconnect, a slow consumer, the periodic sweep) is
//! settled by reading the database.
//!
//! - [`bus`]: the fan-out between nodes, with its repairs;
//! - [`presence`]: agents' presence from every node's sockets, with the
//!   grace period counted from a dead node's last heartbeat;
//! - [`health`]: whether this node can serve (`/readyz`), and closing its
//!   sockets after a long outage.
//!
//! Routing needs nothing more: each decision already takes one lock in the
//! database for its transaction (PostgreSQL: an advisory lock), and due
//! times are rows any node claims once (`FOR UPDATE SKIP LOCKED`).

pub mod bus;
pub mod health;
pub mod presence;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::clock::Clock;
use crate::config::Settings;
use crate::hub::Hub;
use crate::presence::Presence;
use crate::shutdown::Shutdown;
use crate::store::Store;

/// Why a node could not join its cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The NATS URL does not parse, or the subscription failed.
    #[error("nats: {0}")]
    Nats(String),
    /// NATS without a shared database: nodes on their own SQLite files
    /// would number conversations alike and tell each other's visitors.
    #[error("--nats needs a PostgreSQL --database shared by every node")]
    NotShared,
    /// The database refused the node's registration.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// What a node of a cluster runs with instead of the single node's parts.
pub struct Joined {
    /// This node's name.
    pub node: Arc<str>,
    /// Fan-out across nodes.
    pub hub: Hub,
    /// Presence across nodes.
    pub presence: Presence,
    /// The NATS connection (for the health check).
    pub nats: async_nats::Client,
}

/// A random node name (16 hex digits).
fn random_node_id() -> String {
    crate::auth::random_token().chars().filter(char::is_ascii_alphanumeric).take(16).collect()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n.max(1))
}

/// Joins the cluster `settings` name (with a NATS URL), starting the
/// bus's and presence's tasks until `shutdown`.
pub async fn join(
    settings: &Settings,
    nats_url: &str,
    store: &Store,
    clock: &Clock,
    metrics: crate::metrics::Metrics,
    shutdown: Shutdown,
) -> Result<Joined, ClusterError> {
    let c = &settings.cluster;
    let node: Arc<str> = c.node_id.clone().unwrap_or_else(random_node_id).into();
    let (resync_all, resync_requests) = mpsc::unbounded_channel();
    let was_down = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let options = async_nats::ConnectOptions::new()
        .name(format!("switchboard {node}"))
        .no_echo()
        .retry_on_initial_connect()
        .connection_timeout(Duration::from_secs(2))
        // At most a second between attempts: the outage clock is 15 s.
        .reconnect_delay_callback(|attempts| Duration::from_millis((attempts as u64 * 100).min(1_000)))
        .event_callback(move |event| {
            let (resync_all, was_down, metrics) = (resync_all.clone(), was_down.clone(), metrics.clone());
            async move {
                use std::sync::atomic::Ordering;
                match event {
                    async_nats::Event::Disconnected => {
                        tracing::warn!("nats disconnected");
                        was_down.store(true, Ordering::Release);
                    }
                    async_nats::Event::Connected => {
                        if was_down.swap(false, Ordering::AcqRel) {
                            tracing::info!("nats reconnected");
                            metrics.nats_reconnected();
                            let _ = resync_all.send(());
                        }
                    }
                    async_nats::Event::SlowConsumer(_) => {
                        tracing::warn!("nats dropped messages for this node (slow consumer)");
                        let _ = resync_all.send(());
                    }
                    other => tracing::info!(event = %other, "nats"),
                }
            }
        });
    let nats = options.connect(nats_url).await.map_err(|e| ClusterError::Nats(e.to_string()))?;
    let setup = bus::BusSetup {
        node: node.clone(),
        prefix: c.subject_prefix.clone(),
        store: store.clone(),
        sweep: ms(c.sweep_ms),
        drop_every: c.drop_every,
    };
    let bus = bus::Bus::start(nats.clone(), setup, resync_requests, shutdown.clone())
        .await
        .map_err(|e| ClusterError::Nats(e.to_string()))?;
    let setup = presence::Setup {
        node: node.clone(),
        store: store.clone(),
        clock: clock.clone(),
        heartbeat: ms(c.heartbeat_ms),
        node_ttl: ms(c.node_ttl_ms),
        every: ms(c.presence_ms),
        grace: Duration::from_secs(settings.routing.disconnect_grace_secs),
    };
    let shared = presence::Shared::start(setup, shutdown).await?;
    tracing::info!(node = %node, nats = %nats_url, "joined the cluster");
    Ok(Joined { node, hub: Hub::new(bus), presence: Presence::new(shared), nats })
}
