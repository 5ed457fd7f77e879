//! What stands between a password guesser and the accounts: back-offs on
//! failed logins and a bound on password hashes computed at once.
//!
//! Three back-offs count failures (see [`crate::throttle::Backoff`]):
//! - per address and account: a guesser at one account from one address
//!   waits 1 s, 2 s, 4 s, … after a few tries, up to the lockout;
//! - per account, from anywhere (a guesser with many addresses), with more
//!   free tries; an address the account signed in from before is exempt,
//!   so a guesser elsewhere cannot keep the real agent out;
//! - per address, for any account (spraying one password over many).
//!
//! A success clears its address-and-account key; an admin's reset clears the
//! account's keys. Hashing runs on threads of its own at a lower priority
//! ([`crate::password::Checkers`]), at most `concurrent_hashes` at once, so
//! guessing cannot stall chat.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::config::Limits;
use crate::throttle::Backoff;

/// How long an address stays known for an account after a sign-in from it.
const KNOWN_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

/// Hashes at once: as set, or by default (0) half the cores, at least one,
/// so guessing leaves the other half to chat.
fn hash_slots(setting: u32) -> usize {
    match usize::try_from(setting) {
        Ok(0) | Err(_) => std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)),
        Ok(n) => n,
    }
}

/// Login throttling and bounded password hashing.
#[derive(Debug, Clone)]
pub struct LoginGuard {
    pair: Backoff<(IpAddr, String)>,
    account: Backoff<String>,
    address: Backoff<IpAddr>,
    known: Arc<Mutex<HashMap<(IpAddr, String), Instant>>>,
    hashing: Arc<Semaphore>,
    checkers: crate::password::Checkers,
    /// Checks waiting for a hashing slot; past [`QUEUE_PER_SLOT`] per slot,
    /// a login is told to come back (a guesser cannot hold up everyone's).
    queued: Arc<std::sync::atomic::AtomicUsize>,
    max_queued: usize,
}

/// Logins that may wait for each hashing slot.
const QUEUE_PER_SLOT: usize = 16;

/// Decrements the queue count when a check stops waiting.
struct Queued<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl LoginGuard {
    /// A guard with the limits in `l`.
    pub fn new(l: &Limits) -> Self {
        let max = Duration::from_secs(l.login_max_delay_secs);
        Self {
            pair: Backoff::new(l.login_free_attempts, max),
            account: Backoff::new(l.login_account_free_attempts, max),
            address: Backoff::new(l.login_address_free_attempts, max),
            known: Arc::default(),
            hashing: Arc::new(Semaphore::new(hash_slots(l.concurrent_hashes))),
            checkers: crate::password::Checkers::start(hash_slots(l.concurrent_hashes)),
            queued: Arc::default(),
            max_queued: hash_slots(l.concurrent_hashes) * QUEUE_PER_SLOT,
        }
    }

    fn is_known(&self, key: &(IpAddr, String), now: Instant) -> bool {
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        known.get(key).is_some_and(|t| now.saturating_duration_since(*t) < KNOWN_FOR)
    }

    /// How long `address` must wait before trying `email` again, if at all.
    pub fn wait(&self, address: IpAddr, email: &str, now: Instant) -> Option<Duration> {
        let pair = (address, email.to_owned());
        let account = if self.is_known(&pair, now) { None } else { self.account.wait(&pair.1, now) };
        [self.pair.wait(&pair, now), account, self.address.wait(&address, now)].into_iter().flatten().max()
    }

    /// Counts a failed login.
    pub fn failed(&self, address: IpAddr, email: &str, now: Instant) {
        self.pair.fail((address, email.to_owned()), now);
        self.account.fail(email.to_owned(), now);
        self.address.fail(address, now);
    }

    /// A successful login: the address is known for the account from now on.
    pub fn succeeded(&self, address: IpAddr, email: &str, now: Instant) {
        let key = (address, email.to_owned());
        self.pair.clear(&key);
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if known.len() >= crate::throttle::MAX_KEYS {
            known.retain(|_, t| now.saturating_duration_since(*t) < KNOWN_FOR);
        }
        if known.len() < crate::throttle::MAX_KEYS {
            known.insert(key, now);
        }
    }

    /// An admin lifts `email`'s lockout (from every address).
    pub fn reset(&self, email: &str) {
        self.account.clear(&email.to_owned());
        self.pair.clear_where(|(_, e)| e == email);
    }

    /// Checks `password` for `email` from `address` against a PHC hash on
    /// a checking thread, once a hashing slot is free, and counts the
    /// outcome. The back-off is checked again with the slot held, and the
    /// outcome counted before it is released, so guesses sent in parallel
    /// do not all slip through the same free tries. `Err(wait)` when the
    /// attempt must wait (the password was not checked).
    pub async fn check(
        &self,
        address: IpAddr,
        email: &str,
        password: String,
        hash: String,
    ) -> Result<bool, Duration> {
        let waiting = Queued(&self.queued);
        if self.queued.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= self.max_queued {
            return Err(Duration::from_secs(1));
        }
        let Ok(_slot) = self.hashing.acquire().await else { return Ok(false) };
        drop(waiting);
        if let Some(wait) = self.wait(address, email, Instant::now()) {
            return Err(wait);
        }
        let ok = self.checkers.verify(password, hash).await;
        // (Waits count from the answer, not from when the check was queued.)
        let now = Instant::now();
        if ok {
            self.succeeded(address, email, now);
        } else {
            self.failed(address, email, now);
        }
        Ok(ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> LoginGuard {
        let l = Limits {
            login_free_attempts: 2,
            login_account_free_attempts: 4,
            login_address_free_attempts: 100,
            ..Limits::default()
        };
        LoginGuard::new(&l)
    }

    #[test]
    fn a_guesser_at_an_account_waits_but_its_owner_from_a_known_address_does_not() {
        let g = guard();
        let t = Instant::now();
        let (owner, guesser, other): (IpAddr, IpAddr, IpAddr) =
            ([10, 0, 0, 1].into(), [10, 0, 0, 2].into(), [10, 0, 0, 3].into());
        g.succeeded(owner, "ada@example.com", t);
        for _ in 0..3 {
            g.failed(guesser, "ada@example.com", t);
        }
        assert_eq!(g.wait(guesser, "ada@example.com", t), Some(Duration::from_secs(1)));
        assert_eq!(g.wait(guesser, "grace@example.com", t), None, "another account");
        assert_eq!(g.wait(other, "ada@example.com", t), None, "the account has free tries left");
        for _ in 0..5 {
            g.failed(other, "ada@example.com", t);
        }
        assert!(g.wait([10, 0, 0, 9].into(), "ada@example.com", t).is_some(), "the account waits now");
        assert_eq!(g.wait(owner, "ada@example.com", t), None, "but not from where she signed in before");
        g.reset("ada@example.com");
        assert_eq!(g.wait(guesser, "ada@example.com", t), None, "an admin lifted it");
    }
}
