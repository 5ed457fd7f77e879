//! The lifecycle's process-local state: the routing lock and the timers it
//! arms. (It names no handler or state, so `state` can hold it without a cycle.)

use std::sync::Arc;

use super::deadlines::Deadlines;

/// The lifecycle's shared state: one routing decision at a time, and the
/// pending timers.
#[derive(Debug, Clone)]
pub struct Timers {
    pub(super) lock: Arc<tokio::sync::Mutex<()>>,
    /// When the server started: presence is in memory, so for one grace
    /// period agents are still reconnecting and nobody falls back yet.
    pub(super) started: tokio::time::Instant,
    /// Accept timeouts, by conversation.
    pub(super) offers: Deadlines<i64>,
    /// Inactivity limits of active chats, by conversation.
    pub(super) idle: Deadlines<i64>,
    /// The next moment each connected agent's availability changes by itself.
    pub(super) availability: Deadlines<i64>,
    /// Visitors whose last socket closed with a hand-off nobody accepted
    /// yet, by visitor: withdrawn unless they come back.
    pub(super) gone: Deadlines<i64>,
}

impl Default for Timers {
    fn default() -> Self {
        Self {
            lock: Arc::default(),
            started: tokio::time::Instant::now(),
            offers: Deadlines::default(),
            idle: Deadlines::default(),
            availability: Deadlines::default(),
            gone: Deadlines::default(),
        }
    }
}

impl Timers {
    /// Stops every timer (at shutdown).
    pub fn clear(&self) {
        self.offers.clear();
        self.idle.clear();
        self.availability.clear();
        self.gone.clear();
    }
}
