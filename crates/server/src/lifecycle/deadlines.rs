//! Keyed timers on tokio's clock, for what concerns this process's sockets
//! (a connected agent's next availability change, a visitor who left):
//! setting a key again replaces its timer; cancelling it stops it. Being on
//! tokio's clock, they are tested with paused time. (A conversation's due
//! times are rows: see `sweeper`.)

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

/// Each key's timer: a serial number (so a fired timer knows whether it is
/// still the current one) and its task.
type Timers<K> = HashMap<K, (u64, JoinHandle<()>)>;

/// Pending timers by key.
#[derive(Debug)]
pub struct Deadlines<K> {
    timers: Arc<Mutex<Timers<K>>>,
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl<K> Clone for Deadlines<K> {
    fn clone(&self) -> Self {
        Self { timers: self.timers.clone(), next: self.next.clone() }
    }
}

impl<K> Default for Deadlines<K> {
    fn default() -> Self {
        Self { timers: Arc::default(), next: Arc::default() }
    }
}

impl<K: Hash + Eq + Clone + Send + 'static> Deadlines<K> {
    fn with<T>(&self, f: impl FnOnce(&mut Timers<K>) -> T) -> T {
        f(&mut self.timers.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Runs `then` after `after`, unless `key` is set again or cancelled first.
    pub fn set<F>(&self, key: K, after: Duration, then: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let me = self.clone();
        let k = key.clone();
        // The deadline counts from now, not from when the task first runs.
        let deadline = tokio::time::Instant::now() + after;
        // Hold the lock while spawning, so the task cannot look itself up
        // before it is recorded.
        self.with(|timers| {
            let task = tokio::spawn(async move {
                tokio::time::sleep_until(deadline).await;
                // Forget this timer before running, so `then` may set the key again.
                let mine = me.with(|t| match t.get(&k) {
                    Some((i, _)) if *i == id => t.remove(&k).is_some(),
                    _ => false,
                });
                if mine {
                    then.await;
                }
            });
            if let Some((_, old)) = timers.insert(key, (id, task)) {
                old.abort();
            }
        });
    }

    /// Stops `key`'s timer; `true` when there was one.
    pub fn cancel(&self, key: &K) -> bool {
        self.with(|t| t.remove(key)).map(|(_, task)| task.abort()).is_some()
    }

    /// Whether `key` has a pending timer.
    pub fn pending(&self, key: &K) -> bool {
        self.with(|t| t.contains_key(key))
    }

    /// Stops every timer (at shutdown).
    pub fn clear(&self) {
        for (_, (_, task)) in self.with(std::mem::take) {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc;
    use tokio::time::advance;

    const SEC: Duration = Duration::from_secs(1);

    async fn settle() {
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_timer_fires_at_its_deadline_and_not_before() {
        let d = Deadlines::default();
        let (tx, mut rx) = mpsc::unbounded_channel();
        d.set(1, 100 * SEC, async move { tx.send("fired").unwrap() });
        advance(99 * SEC).await;
        settle().await;
        assert!(rx.try_recv().is_err());
        assert!(d.pending(&1));
        advance(SEC).await;
        settle().await;
        assert_eq!(rx.try_recv(), Ok("fired"));
        assert!(!d.pending(&1));
    }

    #[tokio::test(start_paused = true)]
    async fn setting_a_key_again_restarts_it_and_cancel_stops_it() {
        let d = Deadlines::default();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let t = tx.clone();
        d.set("idle", 600 * SEC, async move { t.send(1).unwrap() });
        advance(500 * SEC).await;
        // A message arrives: the ten minutes start again.
        let t = tx.clone();
        d.set("idle", 600 * SEC, async move { t.send(2).unwrap() });
        advance(500 * SEC).await;
        settle().await;
        assert!(rx.try_recv().is_err(), "the first timer was replaced");
        advance(100 * SEC).await;
        settle().await;
        assert_eq!(rx.try_recv(), Ok(2));

        d.set("offer", 100 * SEC, async move { tx.send(3).unwrap() });
        assert!(d.cancel(&"offer"));
        assert!(!d.cancel(&"offer"));
        advance(200 * SEC).await;
        settle().await;
        assert!(rx.try_recv().is_err());
    }
}

#[cfg(test)]
mod with_decisions {
    //! The accept timeout and the next agent, on paused time: the real
    //! timers driving the real decision.
    use super::Deadlines;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;
    use switchboard_protocol::stream::Routing;
    use switchboard_protocol::wire::PageContext;
    use switchboard_routing::conditions::Visitor;
    use switchboard_routing::decide::{decide, Agent, Directory, Outcome, Request, Skip};
    use tokio::sync::mpsc;

    fn offer_to(tried: &[(i64, Skip)], dir: &Directory) -> Option<i64> {
        let (attributes, page) = (Default::default(), PageContext::default());
        let rotation = HashMap::new();
        let routing = Routing::Team("Sales".into());
        let visitor = Visitor { attributes: &attributes, page: &page };
        match decide(dir, Request { routing: &routing, visitor, tried, rotation: &rotation, transfer: None })
            .outcome
        {
            Outcome::Offer { agent, .. } => Some(agent),
            Outcome::Fallback => None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn each_unaccepted_offer_moves_on_after_exactly_the_timeout_then_falls_back() {
        let agent = |id| Agent {
            id,
            email: format!("a{id}@x.com"),
            live_chat: true,
            available: true,
            open_chats: 0,
            capacity: 10,
        };
        let dir = Arc::new(Directory {
            agents: vec![agent(1), agent(2), agent(3)],
            teams: [("sales".to_owned(), vec![1, 2])].into(),
            ..Directory::default()
        });
        let deadlines = Deadlines::default();
        let tried = Arc::new(Mutex::new(Vec::new()));
        let (tx, mut rx) = mpsc::unbounded_channel();

        // Offer, and on timeout pass over that agent and offer again.
        fn arm(
            d: Deadlines<i64>,
            dir: Arc<Directory>,
            tried: Arc<Mutex<Vec<(i64, Skip)>>>,
            tx: mpsc::UnboundedSender<Option<i64>>,
        ) {
            let next = offer_to(&tried.lock().unwrap(), &dir);
            tx.send(next).unwrap();
            if let Some(agent) = next {
                let again = d.clone();
                d.set(1, Duration::from_secs(100), async move {
                    tried.lock().unwrap().push((agent, Skip::TimedOut));
                    arm(again, dir, tried, tx);
                });
            }
        }
        arm(deadlines.clone(), dir, tried, tx);
        assert_eq!(rx.recv().await, Some(Some(1)), "the team's first member");
        tokio::time::sleep(Duration::from_secs(99)).await;
        assert!(rx.try_recv().is_err(), "still with the first agent at 99 s");
        assert_eq!(rx.recv().await, Some(Some(2)), "one more team member at 100 s");
        let at = tokio::time::Instant::now();
        assert_eq!(rx.recv().await, Some(Some(3)), "then everyone");
        assert_eq!(at.elapsed(), Duration::from_secs(100));
        assert_eq!(rx.recv().await, Some(None), "nobody accepted: the fallback");
        assert!(!deadlines.pending(&1));
    }
}
