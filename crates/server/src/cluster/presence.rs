//! Presence across nodes: each node writes its own agents' socket counts
//! to the database (`agent_connections`) and beats its heartbeat
//! (`nodes`); every node reads everyone's back every `presence_ms`. An
//! agent whose node died with sockets open stays present for the grace
//! period counted from that node's last heartbeat, time to reconnect to
//! another node.
//!
//! `present` and `connected` answer at once from what was read last,
//! corrected by this node's own sockets (which it knows first hand).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::clock::Clock;
use crate::ids::AgentId;
use crate::presence::Track;
use crate::shutdown::Shutdown;
use crate::store::Store;

/// A node's view of the cluster's presence.
#[derive(Debug)]
pub struct Shared {
    /// This node's sockets per agent.
    local: Mutex<HashMap<AgentId, u32>>,
    /// The cluster's, as last read: (connected, present).
    read: Arc<Mutex<HashMap<AgentId, (bool, bool)>>>,
    /// Counts to write, in order.
    writes: mpsc::UnboundedSender<(AgentId, u32)>,
}

/// How often, in heartbeats, a node forgets nodes dead for long.
const REAP_EVERY: u32 = 60;
/// A node silent this long is forgotten, with its agents' rows.
const FORGET_AFTER_MS: i64 = 10 * 60 * 1000;

/// What the presence tasks need.
#[derive(Debug, Clone)]
pub struct Setup {
    /// This node.
    pub node: Arc<str>,
    /// The database.
    pub store: Store,
    /// The time.
    pub clock: Clock,
    /// Heartbeat period.
    pub heartbeat: Duration,
    /// A node silent this long is dead.
    pub node_ttl: Duration,
    /// Re-read period.
    pub every: Duration,
    /// The agents' grace period.
    pub grace: Duration,
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Shared {
    /// Registers this node (its first heartbeat) and starts the tasks that
    /// write this node's counts, beat and read everyone's, until `shutdown`
    /// (then this node's agents' sockets are recorded as closed).
    pub async fn start(setup: Setup, shutdown: Shutdown) -> Result<Self, crate::store::StoreError> {
        setup.store.node_start(&setup.node).await?;
        setup.store.node_beat(&setup.node, setup.clock.now_ms()).await?;
        let (writes, mut to_write) = mpsc::unbounded_channel::<(AgentId, u32)>();
        let read = Arc::new(Mutex::new(HashMap::new()));
        let shared = Self { local: Mutex::default(), read: read.clone(), writes };
        // Writer: this node's counts, in order; what failed is written
        // again with the next heartbeat (all of them, after an outage).
        let counts: Arc<Mutex<HashMap<AgentId, u32>>> = Arc::default();
        {
            let (setup, counts, shutdown) = (setup.clone(), counts.clone(), shutdown.clone());
            tokio::spawn(async move {
                let mut beats = tokio::time::interval(setup.heartbeat);
                beats.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                let mut unsure = false;
                let mut beat = 0u32;
                loop {
                    tokio::select! {
                        w = to_write.recv() => {
                            let Some((agent, n)) = w else { return };
                            counts.lock().unwrap_or_else(|e| e.into_inner()).insert(agent, n);
                            let now = setup.clock.now_ms();
                            if let Err(e) = setup.store.set_agent_sockets(agent, &setup.node, n, now).await {
                                tracing::warn!(error = %e, "recording an agent's sockets");
                                unsure = true;
                            }
                        }
                        _ = beats.tick() => {
                            let now = setup.clock.now_ms();
                            match setup.store.node_beat(&setup.node, now).await {
                                Ok(()) if unsure => {
                                    let all: Vec<(AgentId, u32)> =
                                        counts.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(a, n)| (*a, *n)).collect();
                                    unsure = false;
                                    for (agent, n) in all {
                                        if let Err(e) = setup.store.set_agent_sockets(agent, &setup.node, n, now).await {
                                            tracing::warn!(error = %e, "recording an agent's sockets again");
                                            unsure = true;
                                        }
                                    }
                                }
                                Ok(()) => {}
                                Err(e) => {
                                    tracing::warn!(error = %e, "recording this node's heartbeat");
                                    unsure = true;
                                }
                            }
                            beat = beat.wrapping_add(1);
                            if beat.is_multiple_of(REAP_EVERY) {
                                let _ = setup.store.reap_nodes(now - FORGET_AFTER_MS).await;
                            }
                        }
                        () = shutdown.clone().recv() => {
                            let _ = setup.store.node_leave(&setup.node, setup.clock.now_ms()).await;
                            return;
                        }
                    }
                }
            });
        }
        // Reader: everyone's presence.
        tokio::spawn(async move {
            let mut every = tokio::time::interval(setup.every);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = every.tick() => {}
                    () = shutdown.clone().recv() => return,
                }
                let now = setup.clock.now_ms();
                match setup.store.cluster_presence(now, ms(setup.node_ttl), ms(setup.grace)).await {
                    Ok(all) => {
                        let map = all.into_iter().map(|p| (p.agent, (p.connected, p.present))).collect();
                        *read.lock().unwrap_or_else(|e| e.into_inner()) = map;
                    }
                    Err(e) => tracing::warn!(error = %e, "reading the cluster's presence"),
                }
            }
        });
        Ok(shared)
    }

    fn change(&self, agent: AgentId, by: i64) {
        let n = {
            let mut local = self.local.lock().unwrap_or_else(|e| e.into_inner());
            let n = local.entry(agent).or_insert(0);
            *n = u32::try_from((i64::from(*n) + by).max(0)).unwrap_or(u32::MAX);
            *n
        };
        if n > 0 {
            self.read.lock().unwrap_or_else(|e| e.into_inner()).insert(agent, (true, true));
        }
        let _ = self.writes.send((agent, n));
    }

    fn here(&self, agent: AgentId) -> bool {
        self.local.lock().unwrap_or_else(|e| e.into_inner()).get(&agent).is_some_and(|n| *n > 0)
    }

    fn there(&self, agent: AgentId) -> (bool, bool) {
        self.read.lock().unwrap_or_else(|e| e.into_inner()).get(&agent).copied().unwrap_or((false, false))
    }
}

impl Track for Shared {
    fn connect(&self, agent: AgentId) {
        self.change(agent, 1);
    }

    fn disconnect(&self, agent: AgentId) {
        self.change(agent, -1);
    }

    fn present(&self, agent: AgentId) -> bool {
        self.here(agent) || self.there(agent).1
    }

    fn connected(&self, agent: AgentId) -> bool {
        self.here(agent) || self.there(agent).0
    }
}
