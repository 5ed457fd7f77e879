//! Which agents are connected and available, in memory. (Schedules, the
//! disconnect grace period and persistence come with the routing issue.)

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Default, Clone, Copy)]
struct Entry {
    connections: usize,
    available: bool,
}

/// Agents' presence.
#[derive(Debug, Clone, Default)]
pub struct Presence {
    agents: Arc<Mutex<BTreeMap<i64, Entry>>>,
}

impl Presence {
    fn with<T>(&self, f: impl FnOnce(&mut BTreeMap<i64, Entry>) -> T) -> T {
        f(&mut self.agents.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// An inbox connection of `agent` opened; returns whether they are available.
    pub fn connect(&self, agent: i64) -> bool {
        self.with(|a| {
            let e = a.entry(agent).or_insert(Entry { connections: 0, available: true });
            e.connections += 1;
            e.available
        })
    }

    /// An inbox connection of `agent` closed.
    pub fn disconnect(&self, agent: i64) {
        self.with(|a| {
            if let Some(e) = a.get_mut(&agent) {
                e.connections = e.connections.saturating_sub(1);
            }
        });
    }

    /// Sets `agent`'s availability.
    pub fn set_available(&self, agent: i64, available: bool) {
        self.with(|a| a.entry(agent).or_default().available = available);
    }

    /// Connected and available agents, by id.
    pub fn available(&self) -> Vec<i64> {
        self.with(|a| a.iter().filter(|(_, e)| e.connections > 0 && e.available).map(|(id, _)| *id).collect())
    }
}
