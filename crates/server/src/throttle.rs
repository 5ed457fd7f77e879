//! Counting what clients do, in memory: a keyed exponential back-off for
//! failures (login guessing) and a keyed fixed-window counter (hand-offs a
//! minute). Each node counts what reaches it; a cluster multiplies the
//! allowance by its nodes, which these limits tolerate (they stop floods,
//! they do not meter).
//!
//! Both bound their memory: past [`MAX_KEYS`] keys, expired ones are dropped
//! first and, if that is not enough, the oldest.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Most keys one counter keeps.
pub const MAX_KEYS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    /// No attempt before this.
    until: Option<Instant>,
    last: Instant,
}

/// Failures per key: the first `free` pass with no wait; each one after
/// makes the next attempt wait twice as long as the one before (1 s, 2 s,
/// 4 s, …), up to `max_delay` (the lockout). A key forgets its failures
/// `max_delay` after its last wait ended, or when [`Backoff::clear`]ed.
#[derive(Debug, Clone)]
pub struct Backoff<K> {
    keys: Arc<Mutex<HashMap<K, Failures>>>,
    free: u32,
    max_delay: Duration,
}

impl<K: Hash + Eq + Clone> Backoff<K> {
    /// A back-off allowing `free` failures before delays start.
    pub fn new(free: u32, max_delay: Duration) -> Self {
        // (Capped at a year: no setting may push a wait past the clock.)
        Self { keys: Arc::default(), free, max_delay: max_delay.min(Duration::from_secs(365 * 24 * 3600)) }
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<K, Failures>) -> T) -> T {
        f(&mut self.keys.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// How long `key` must still wait before its next attempt, if at all.
    pub fn wait(&self, key: &K, now: Instant) -> Option<Duration> {
        self.with(|m| m.get(key).and_then(|f| f.until).filter(|u| *u > now).map(|u| u - now))
    }

    /// Counts a failure of `key`.
    pub fn fail(&self, key: K, now: Instant) {
        let (free, max) = (self.free, self.max_delay);
        self.with(|m| {
            if m.len() >= MAX_KEYS && !m.contains_key(&key) {
                m.retain(|_, f| now.saturating_duration_since(f.until.unwrap_or(f.last)) < max);
                evict_oldest(m, |f| f.last);
            }
            let f = m.entry(key).or_insert(Failures { count: 0, until: None, last: now });
            // Forgotten only a lockout after the last wait ended, so a key at
            // the lockout stays there: one attempt per lockout.
            if now.saturating_duration_since(f.until.unwrap_or(f.last)) >= max {
                f.count = 0;
            }
            f.count = f.count.saturating_add(1);
            f.last = now;
            f.until = f.count.checked_sub(free).filter(|n| *n > 0).map(|n| {
                let secs = 1u64.checked_shl(n - 1).unwrap_or(u64::MAX);
                now + Duration::from_secs(secs).min(max)
            });
        });
    }

    /// Forgets `key`'s failures (a successful attempt, or an admin's reset).
    pub fn clear(&self, key: &K) {
        self.with(|m| m.remove(key));
    }

    /// Forgets the failures of every key `matches` picks.
    pub fn clear_where(&self, matches: impl Fn(&K) -> bool) {
        self.with(|m| m.retain(|k, _| !matches(k)));
    }
}

fn evict_oldest<K: Clone + Hash + Eq, V>(m: &mut HashMap<K, V>, age: impl Fn(&V) -> Instant) {
    while m.len() >= MAX_KEYS {
        let Some(oldest) = m.iter().min_by_key(|(_, v)| age(v)).map(|(k, _)| k.clone()) else { return };
        m.remove(&oldest);
    }
}

/// Events per key in fixed windows: at most `limit` per `window`.
#[derive(Debug, Clone)]
pub struct Window<K> {
    keys: Arc<Mutex<HashMap<K, (Instant, u32)>>>,
    limit: u32,
    window: Duration,
}

impl<K: Hash + Eq + Clone> Window<K> {
    /// At most `limit` events per `window` for each key.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self { keys: Arc::default(), limit, window }
    }

    /// Counts an event for `key`; `Err(wait)` when the key is over its
    /// limit, with the time until its window ends (the event is not counted).
    /// (Callers check and count apart; the tests use both at once.)
    #[cfg(test)]
    pub fn hit(&self, key: K, now: Instant) -> Result<(), Duration> {
        match self.wait(&key, now) {
            Some(wait) => Err(wait),
            None => {
                self.count(key, now);
                Ok(())
            }
        }
    }

    /// How long until `key` may have an event again, if it is over its limit.
    pub fn wait(&self, key: &K, now: Instant) -> Option<Duration> {
        let m = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        let (start, count) = m.get(key)?;
        let end = *start + self.window;
        (end > now && *count >= self.limit).then(|| end - now)
    }

    /// Counts an event for `key`, limit or not.
    pub fn count(&self, key: K, now: Instant) {
        let window = self.window;
        let mut m = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() >= MAX_KEYS && !m.contains_key(&key) {
            m.retain(|_, (start, _)| now.saturating_duration_since(*start) < window);
            evict_oldest(&mut m, |(start, _)| *start);
        }
        let (start, count) = m.entry(key).or_insert((now, 0));
        if now.saturating_duration_since(*start) >= window {
            (*start, *count) = (now, 0);
        }
        *count = count.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_past_the_free_ones_wait_twice_as_long_each_time_up_to_the_cap() {
        let b = Backoff::new(3, Duration::from_secs(10));
        let t = Instant::now();
        for _ in 0..3 {
            b.fail("k", t);
        }
        assert_eq!(b.wait(&"k", t), None, "three are free");
        let waits: Vec<u64> = (0..6)
            .map(|_| {
                b.fail("k", t);
                b.wait(&"k", t).unwrap().as_secs()
            })
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 10, 10]);
        assert_eq!(b.wait(&"other", t), None, "keys are apart");
        assert_eq!(b.wait(&"k", t + Duration::from_secs(10)), None, "the wait ends");
        b.clear(&"k");
        b.fail("k", t);
        assert_eq!(b.wait(&"k", t), None, "cleared: free again");
    }

    #[test]
    fn failures_are_forgotten_a_lockout_after_the_last_wait_ended() {
        let b = Backoff::new(1, Duration::from_secs(60));
        let t = Instant::now();
        for _ in 0..9 {
            b.fail("k", t);
        }
        assert_eq!(b.wait(&"k", t), Some(Duration::from_secs(60)), "locked out");
        // Right after the lockout, a failure locks out again.
        let after = t + Duration::from_secs(61);
        b.fail("k", after);
        assert_eq!(b.wait(&"k", after), Some(Duration::from_secs(60)));
        // A lockout after the last wait ended, counting starts over.
        let later = after + Duration::from_secs(121);
        b.fail("k", later);
        assert_eq!(b.wait(&"k", later), None, "counting started over");
    }

    #[test]
    fn a_window_allows_its_limit_then_tells_how_long_until_it_ends() {
        let w = Window::new(2, Duration::from_secs(60));
        let t = Instant::now();
        assert!(w.hit("a", t).is_ok());
        assert!(w.hit("a", t).is_ok());
        assert_eq!(w.hit("a", t + Duration::from_secs(20)), Err(Duration::from_secs(40)));
        assert!(w.hit("b", t).is_ok(), "keys are apart");
        assert!(w.hit("a", t + Duration::from_secs(60)).is_ok(), "a new window");
    }
}
