//! WebSocket endpoints: [`visitor`] (`/ws/visitor`), the agent side next.

pub mod agent;
pub mod visitor;

use std::time::Instant;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

use crate::hub::Event;
use crate::startup::AppState;
use crate::store::{Store, StoreError};

/// Follows a conversation for one connection: every stored message after
/// `after`, then live events, messages in order and each exactly once (a gap
/// or a lagging receiver re-reads storage). `map` turns events into the
/// connection's frames (`None` skips one).
pub fn follow<T, F>(
    state: &AppState,
    conversation: i64,
    after: u64,
    out: mpsc::Sender<T>,
    map: F,
) -> JoinHandle<()>
where
    T: Send + 'static,
    F: Fn(Event) -> Option<T> + Send + 'static,
{
    // Subscribe before reading storage so nothing falls in between.
    let events = state.hub.subscribe(conversation);
    let store = state.store.clone();
    tokio::spawn(async move {
        if let Err(e) = forward(store, conversation, after, events, out, map).await {
            tracing::error!(error = %e, conversation, "forwarding stopped");
        }
    })
}

async fn forward<T, F>(
    store: Store,
    conversation: i64,
    mut delivered: u64,
    mut events: broadcast::Receiver<Event>,
    out: mpsc::Sender<T>,
    map: F,
) -> Result<(), StoreError>
where
    F: Fn(Event) -> Option<T>,
{
    let mut resync = true;
    loop {
        if resync {
            for m in store.messages_after(conversation, delivered).await? {
                delivered = m.seq;
                if let Some(frame) = map(Event::Message(m)) {
                    if out.send(frame).await.is_err() {
                        return Ok(());
                    }
                }
            }
            resync = false;
        }
        let event = match events.recv().await {
            Ok(Event::Message(m)) if m.seq <= delivered => continue,
            Ok(Event::Message(m)) if m.seq == delivered + 1 => {
                delivered = m.seq;
                Event::Message(m)
            }
            // A gap: read what is missing from storage.
            Ok(Event::Message(_)) | Err(broadcast::error::RecvError::Lagged(_)) => {
                resync = true;
                continue;
            }
            Ok(other) => other,
            Err(broadcast::error::RecvError::Closed) => return Ok(()),
        };
        if let Some(frame) = map(event) {
            if out.send(frame).await.is_err() {
                return Ok(());
            }
        }
    }
}

/// A token bucket per connection: `burst` frames at once, refilled at `rate`
/// per second. A flooding client gets error frames instead of service.
#[derive(Debug)]
pub struct RateLimit {
    tokens: f64,
    burst: f64,
    rate: f64,
    last: Instant,
}

impl RateLimit {
    /// A full bucket.
    pub fn new(burst: u32, rate: u32) -> Self {
        Self {
            tokens: f64::from(burst),
            burst: f64::from(burst),
            rate: f64::from(rate),
            last: Instant::now(),
        }
    }

    /// Takes one token at `now`, if there is one.
    pub fn allow_at(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_bucket_allows_a_burst_then_refills_over_time() {
        let mut r = RateLimit::new(3, 2);
        let t = Instant::now();
        assert!((0..3).all(|_| r.allow_at(t)));
        assert!(!r.allow_at(t));
        assert!(r.allow_at(t + Duration::from_millis(600)));
        assert!(!r.allow_at(t + Duration::from_millis(600)));
    }
}
