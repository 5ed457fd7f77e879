//! Which agents have the inbox open. An agent whose last inbox connection
//! dropped still counts as present for a grace period, so a reload or a
//! flaky network does not take them out of routing. (Whether they *want*
//! chats is their availability, stored with the agent.) [`Presence`] is the
//! handle; what keeps track is a [`Track`], today [`InMemory`] (one process
//! sees its own sockets). Presence across nodes is another `Track`.

use crate::ids::AgentId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy)]
struct Entry {
    connections: usize,
    /// When the last connection closed (none open).
    left: Option<Instant>,
}

/// What keeps track of agents' inbox connections.
pub trait Track: Send + Sync + std::fmt::Debug + 'static {
    /// An inbox connection of `agent` opened.
    fn connect(&self, agent: AgentId);
    /// An inbox connection of `agent` closed.
    fn disconnect(&self, agent: AgentId);
    /// Whether `agent` has the inbox open, or closed it less than the grace
    /// period ago.
    fn present(&self, agent: AgentId) -> bool;
    /// Whether `agent` has an inbox connected now (no grace period).
    fn connected(&self, agent: AgentId) -> bool;
}

/// The presence handle every part of the server shares; cheap to clone.
#[derive(Debug, Clone)]
pub struct Presence(Arc<dyn Track>);

impl Presence {
    /// Presence of this process's connections, with this grace period after
    /// the last one closes.
    pub fn in_memory(grace: Duration) -> Self {
        Self(Arc::new(InMemory::new(grace)))
    }

    /// Presence kept by `track`.
    pub fn new(track: impl Track) -> Self {
        Self(Arc::new(track))
    }
}

impl std::ops::Deref for Presence {
    type Target = dyn Track;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

/// Agents' inbox connections to this process, in memory.
#[derive(Debug)]
pub struct InMemory {
    agents: Mutex<HashMap<AgentId, Entry>>,
    grace: Duration,
}

impl InMemory {
    /// Tracks presence with this grace period after the last connection closes.
    pub fn new(grace: Duration) -> Self {
        Self { agents: Mutex::default(), grace }
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<AgentId, Entry>) -> T) -> T {
        f(&mut self.agents.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Track for InMemory {
    /// An inbox connection of `agent` opened.
    fn connect(&self, agent: AgentId) {
        self.with(|a| {
            let e = a.entry(agent).or_insert(Entry { connections: 0, left: None });
            e.connections += 1;
            e.left = None;
        });
    }

    /// An inbox connection of `agent` closed.
    fn disconnect(&self, agent: AgentId) {
        self.with(|a| {
            if let Some(e) = a.get_mut(&agent) {
                e.connections = e.connections.saturating_sub(1);
                if e.connections == 0 {
                    e.left = Some(Instant::now());
                }
            }
        });
    }

    /// Whether `agent` has the inbox open, or closed it less than the grace
    /// period ago.
    fn present(&self, agent: AgentId) -> bool {
        self.with(|a| {
            a.get(&agent)
                .is_some_and(|e| e.connections > 0 || e.left.is_some_and(|t| t.elapsed() < self.grace))
        })
    }

    fn connected(&self, agent: AgentId) -> bool {
        self.with(|a| a.get(&agent).is_some_and(|e| e.connections > 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::advance;

    #[tokio::test(start_paused = true)]
    async fn an_agent_stays_present_for_the_grace_period_after_the_last_connection_closes() {
        let p = Presence::in_memory(Duration::from_secs(60));
        let ada = AgentId::new(1);
        assert!(!p.present(ada), "never connected");
        p.connect(ada);
        p.connect(ada);
        p.disconnect(ada);
        advance(Duration::from_secs(3600)).await;
        assert!(p.present(ada), "one connection is still open");
        assert!(p.connected(ada));
        p.disconnect(ada);
        advance(Duration::from_secs(59)).await;
        assert!(p.present(ada), "within the grace period");
        assert!(!p.connected(ada), "present, but no inbox connected");
        advance(Duration::from_secs(1)).await;
        assert!(!p.present(ada), "the grace period is over");
        // Coming back within the grace period keeps them present throughout.
        p.connect(ada);
        p.disconnect(ada);
        advance(Duration::from_secs(30)).await;
        p.connect(ada);
        advance(Duration::from_secs(600)).await;
        assert!(p.present(ada));
    }
}
