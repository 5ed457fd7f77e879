//! The lifecycle's process-local state: the wake-up of the
//! sweeper that fires due times (stored as rows, see [`super::sweeper`]),
//! and the timers that concern one process's sockets. (It names no handler
//! or state, so `state` can hold it without a cycle.)

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

use super::deadlines::Deadlines;
use crate::ids::{AgentId, VisitorId};

/// The lifecycle's shared state; cheap to clone.
#[derive(Debug, Clone)]
pub struct Timers {
    /// When the server started: presence is in memory, so for one grace
    /// period agents are still reconnecting and nobody falls back yet.
    pub(super) started: tokio::time::Instant,
    /// The next moment each connected agent's availability changes by itself.
    pub(super) availability: Deadlines<AgentId>,
    /// Visitors whose last socket closed with a hand-off nobody accepted
    /// yet, by visitor: withdrawn unless they come back.
    pub(super) gone: Deadlines<VisitorId>,
    /// One pass over the recorded changes at a time (the API's and the
    /// poller's), so none is applied twice at once, and an API call whose
    /// change the poller is applying waits for it to be done.
    pub(super) applying: Arc<tokio::sync::Mutex<()>>,
    /// Wakes the sweeper for a due time earlier than it planned for.
    pub(super) wake: Arc<Notify>,
    /// When the sweeper plans to look next (unix ms).
    pub(super) planned: Arc<AtomicI64>,
}

impl Default for Timers {
    fn default() -> Self {
        Self {
            started: tokio::time::Instant::now(),
            availability: Deadlines::default(),
            gone: Deadlines::default(),
            applying: Arc::default(),
            wake: Arc::default(),
            planned: Arc::new(AtomicI64::new(i64::MAX)),
        }
    }
}

impl Timers {
    /// A due time `at` (unix ms) was stored: the sweeper wakes for it if it
    /// planned to look later.
    pub fn due(&self, at: i64) {
        if at < self.planned.load(Ordering::Acquire) {
            self.planned.store(at, Ordering::Release);
            self.wake.notify_one();
        }
    }

    /// How long ago the server started.
    pub fn since_start(&self) -> std::time::Duration {
        self.started.elapsed()
    }

    /// Stops every timer (at shutdown).
    pub fn clear(&self) {
        self.availability.clear();
        self.gone.clear();
    }
}
