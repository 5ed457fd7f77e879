//! Bookkeeping of the traffic phase: what each conversation sent and
//! received, from which lost and duplicated messages and the delivery
//! latencies follow.
//!
//! A message's client id is `CONVERSATION-N`: the conversation's `N`-th
//! message, sent by the visitor when `N` is even and by the agent when odd.
//! Its text carries the send time in microseconds since [`Clock`]'s start,
//! the same clock in the same process as the receiver's.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Instant;

/// The generator's one clock.
#[derive(Debug, Clone, Copy)]
pub struct Clock(Instant);

impl Clock {
    /// Starts now.
    pub fn start() -> Self {
        Self(Instant::now())
    }

    /// Microseconds since the start.
    pub fn micros(&self) -> u64 {
        u64::try_from(self.0.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

/// Who sends the `n`-th message of a conversation.
pub fn sent_by_visitor(n: u64) -> bool {
    n.is_multiple_of(2)
}

/// The client id of conversation `k`'s `n`-th message.
pub fn client_id(k: usize, n: u64) -> String {
    format!("{k}-{n}")
}

/// The text of a message: its client id and send time.
pub fn text(client_id: &str, sent_at_micros: u64) -> String {
    format!("{client_id} t={sent_at_micros}")
}

/// Parses what [`client_id`] and [`text`] made: `(k, n, sent_at_micros)`.
pub fn parse(client_id: &str, text: &str) -> Option<(usize, u64, u64)> {
    let (k, n) = client_id.split_once('-')?;
    let sent = text.rsplit_once(" t=")?.1.parse().ok()?;
    Some((k.parse().ok()?, n.parse().ok()?, sent))
}

/// One conversation's counts.
#[derive(Debug, Default)]
struct Conversation {
    sent: u64,
    received: HashSet<u64>,
    duplicated: u64,
    latencies_us: Vec<u64>,
}

/// Every conversation's counts, each behind its own lock (a receiver holds
/// it for one insert).
#[derive(Debug)]
pub struct Ledger {
    conversations: Vec<Mutex<Conversation>>,
}

/// What the ledger adds up to.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    /// Messages the pacer handed to a socket.
    pub sent: u64,
    /// Distinct messages received by the other side.
    pub delivered: u64,
    /// Sent, never received.
    pub lost: u64,
    /// Received again (same client id, or a sequence number not above the
    /// last one on that socket).
    pub duplicated: u64,
    /// Delivery latencies, sorted, in microseconds.
    pub latencies_us: Vec<u64>,
}

impl Ledger {
    /// A ledger for `k` conversations.
    pub fn new(k: usize) -> Self {
        Self { conversations: (0..k).map(|_| Mutex::default()).collect() }
    }

    fn lock(&self, k: usize) -> std::sync::MutexGuard<'_, Conversation> {
        self.get(k).expect("a conversation of this ledger")
    }

    /// Conversation `k`, if the ledger has it (`k` from a peer's frame).
    fn get(&self, k: usize) -> Option<std::sync::MutexGuard<'_, Conversation>> {
        Some(self.conversations.get(k)?.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Notes that conversation `k`'s next message is being sent; returns its `n`.
    pub fn next(&self, k: usize) -> u64 {
        let mut c = self.lock(k);
        c.sent += 1;
        c.sent - 1
    }

    /// Notes a message received by the other side at `now_us`.
    pub fn received(&self, k: usize, n: u64, sent_at_us: u64, now_us: u64) {
        let Some(mut c) = self.get(k) else { return };
        if c.received.insert(n) {
            c.latencies_us.push(now_us.saturating_sub(sent_at_us));
        } else {
            c.duplicated += 1;
        }
    }

    /// Notes a duplicate seen by sequence number in conversation `k`.
    pub fn duplicate(&self, k: usize) {
        if let Some(mut c) = self.get(k) {
            c.duplicated += 1;
        }
    }

    /// Messages sent and distinct ones delivered so far.
    pub fn progress(&self) -> (u64, u64) {
        (0..self.conversations.len()).fold((0, 0), |(s, d), k| {
            let c = self.lock(k);
            (s + c.sent, d + c.received.len() as u64)
        })
    }

    /// Adds everything up.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for k in 0..self.conversations.len() {
            let c = self.lock(k);
            t.sent += c.sent;
            t.delivered += c.received.len() as u64;
            t.lost += (0..c.sent).filter(|n| !c.received.contains(n)).count() as u64;
            t.duplicated += c.duplicated;
            t.latencies_us.extend_from_slice(&c.latencies_us);
        }
        t.latencies_us.sort_unstable();
        t
    }
}

/// The `p`-th percentile (0–100) of sorted values, nearest rank; 0 when empty.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_text_round_trips() {
        let id = client_id(12, 7);
        assert_eq!(parse(&id, &text(&id, 99)), Some((12, 7, 99)));
    }

    #[test]
    fn a_message_received_twice_is_one_duplicate_and_one_missing_is_lost() {
        let l = Ledger::new(1);
        let (a, b, _) = (l.next(0), l.next(0), l.next(0));
        l.received(0, a, 0, 5);
        l.received(0, b, 0, 7);
        l.received(0, b, 0, 9);
        let t = l.totals();
        assert_eq!((t.sent, t.delivered, t.lost, t.duplicated), (3, 2, 1, 1));
        assert_eq!(t.latencies_us, vec![5, 7]);
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!((percentile(&v, 50.0), percentile(&v, 99.0), percentile(&v, 100.0)), (50, 99, 100));
        assert_eq!(percentile(&[], 50.0), 0);
    }
}
