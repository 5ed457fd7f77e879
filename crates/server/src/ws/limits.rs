//! What visitors may open and send, counted across their sockets: sockets
//! per client address and per visitor token, one frame allowance per visitor
//! (shared by their sockets once they said hello), hand-offs a minute per
//! visitor, address and site. In memory, per node (see `throttle`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::time::Instant;

use super::RateLimit;
use crate::config::Limits;
use crate::throttle::Window;

/// The counters.
#[derive(Debug, Clone)]
pub struct VisitorLimits {
    addresses: Arc<Mutex<HashMap<IpAddr, u32>>>,
    visitors: Arc<Mutex<HashMap<i64, Weak<Share>>>>,
    handoffs_by_visitor: Window<i64>,
    handoffs_by_address: Window<IpAddr>,
    handoffs_by_site: Window<i64>,
    per_address: u32,
    per_visitor: usize,
    burst: u32,
    rate: u32,
}

/// What one visitor's sockets share: their frame allowance. The visitor has
/// as many sockets open as there are handles.
#[derive(Debug)]
pub struct Share {
    bucket: Mutex<RateLimit>,
    /// Whether the visitor may have a hand-off nobody accepted yet (set by
    /// any of their sockets): when the last one closes, it is looked at.
    handed_off: std::sync::atomic::AtomicBool,
}

impl Share {
    /// Takes one frame from the visitor's allowance at `now`, if there is one.
    pub fn allow_at(&self, now: std::time::Instant) -> bool {
        self.bucket.lock().unwrap_or_else(|e| e.into_inner()).allow_at(now)
    }

    /// The visitor has (or may have) an open conversation.
    pub fn mark_handed_off(&self) {
        self.handed_off.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A visitor socket counted against its address; uncounted when dropped.
#[derive(Debug)]
pub struct AddressSlot {
    addresses: Arc<Mutex<HashMap<IpAddr, u32>>>,
    address: IpAddr,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut a = self.addresses.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = a.get_mut(&self.address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                a.remove(&self.address);
            }
        }
    }
}

/// Which hand-off limit was hit, and how long until it lets one through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyHandoffs(pub Duration);

impl VisitorLimits {
    /// Counters with the limits in `l`.
    pub fn new(l: &Limits) -> Self {
        let minute = Duration::from_secs(60);
        Self {
            addresses: Arc::default(),
            visitors: Arc::default(),
            handoffs_by_visitor: Window::new(l.handoffs_per_visitor_per_minute, minute),
            handoffs_by_address: Window::new(l.handoffs_per_address_per_minute, minute),
            handoffs_by_site: Window::new(l.handoffs_per_site_per_minute, minute),
            per_address: l.sockets_per_address,
            per_visitor: usize::try_from(l.sockets_per_visitor).unwrap_or(usize::MAX),
            burst: l.frames_burst,
            rate: l.frames_per_sec,
        }
    }

    /// Counts a new socket from `address`; `None` when it has too many open.
    pub fn open_from(&self, address: IpAddr) -> Option<AddressSlot> {
        let mut a = self.addresses.lock().unwrap_or_else(|e| e.into_inner());
        let n = a.get(&address).copied().unwrap_or(0);
        if n >= self.per_address {
            return None;
        }
        a.insert(address, n + 1);
        Some(AddressSlot { addresses: self.addresses.clone(), address })
    }

    /// Joins a socket to `visitor`'s share; `None` when they have too many
    /// sockets open already.
    pub fn join(&self, visitor: i64) -> Option<Arc<Share>> {
        let mut v = self.visitors.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(share) = v.get(&visitor).and_then(Weak::upgrade) {
            // (The map's lock is held: nobody joins or leaves meanwhile.)
            return (Arc::strong_count(&share) <= self.per_visitor).then_some(share);
        }
        if v.len() >= crate::throttle::MAX_KEYS {
            v.retain(|_, s| s.strong_count() > 0);
        }
        let share = Arc::new(Share {
            bucket: Mutex::new(RateLimit::new(self.burst, self.rate)),
            handed_off: std::sync::atomic::AtomicBool::new(false),
        });
        v.insert(visitor, Arc::downgrade(&share));
        Some(share)
    }

    /// Lets go of a socket's share; `true` when it was `visitor`'s last
    /// socket and one of their sockets handed off (or found a conversation).
    pub fn leave(&self, visitor: i64, share: Arc<Share>) -> bool {
        let mut v = self.visitors.lock().unwrap_or_else(|e| e.into_inner());
        let handed_off = share.handed_off.load(std::sync::atomic::Ordering::Relaxed);
        drop(share);
        let gone = v.get(&visitor).is_none_or(|s| s.strong_count() == 0);
        if gone {
            v.remove(&visitor);
        }
        gone && handed_off
    }

    /// Whether `visitor` has a socket open (on this node).
    pub fn connected(&self, visitor: i64) -> bool {
        let v = self.visitors.lock().unwrap_or_else(|e| e.into_inner());
        v.get(&visitor).is_some_and(|s| s.strong_count() > 0)
    }

    /// Counts a hand-off by `visitor` from `address` on `site`, unless one
    /// of the three is over its limit for this minute (then none is counted).
    pub fn handoff(
        &self,
        visitor: i64,
        address: IpAddr,
        site: i64,
        now: Instant,
    ) -> Result<(), TooManyHandoffs> {
        // The narrowest first, so a flooding visitor is told about itself.
        let waits = [
            self.handoffs_by_visitor.wait(&visitor, now),
            self.handoffs_by_address.wait(&address, now),
            self.handoffs_by_site.wait(&site, now),
        ];
        if let Some(wait) = waits.into_iter().flatten().next() {
            return Err(TooManyHandoffs(wait));
        }
        self.handoffs_by_visitor.count(visitor, now);
        self.handoffs_by_address.count(address, now);
        self.handoffs_by_site.count(site, now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> VisitorLimits {
        VisitorLimits::new(&Limits { sockets_per_visitor: 2, sockets_per_address: 2, ..Limits::default() })
    }

    #[test]
    fn an_address_holds_at_most_its_sockets_and_gets_one_back_when_one_closes() {
        let l = limits();
        let ip: IpAddr = [10, 0, 0, 1].into();
        let (a, _b) = (l.open_from(ip).unwrap(), l.open_from(ip).unwrap());
        assert!(l.open_from(ip).is_none());
        assert!(l.open_from([10, 0, 0, 2].into()).is_some(), "another address");
        drop(a);
        assert!(l.open_from(ip).is_some());
    }

    #[test]
    fn a_visitors_sockets_share_one_allowance_and_are_counted() {
        let l = VisitorLimits::new(&Limits { sockets_per_visitor: 2, frames_burst: 3, ..Limits::default() });
        let (a, b) = (l.join(7).unwrap(), l.join(7).unwrap());
        assert!(l.join(7).is_none(), "a third socket");
        let t = std::time::Instant::now();
        assert!(a.allow_at(t) && b.allow_at(t) && a.allow_at(t));
        assert!(!b.allow_at(t), "the burst is shared");
        a.mark_handed_off();
        assert!(!l.leave(7, a));
        assert!(l.connected(7));
        assert!(l.leave(7, b), "the last socket, and one of them handed off");
        assert!(!l.connected(7));
    }
}
