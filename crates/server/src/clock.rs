//! The one clock. Every reading of the time in the server goes through a
//! [`Clock`] passed in (the state holds one), never `now()` read here and
//! there, so what "now" is can be decided in one place (a test's clock, or
//! several nodes that must agree on due times). Times are stored as unix
//! milliseconds.

use std::sync::Arc;

use jiff::Timestamp;

/// Where the time comes from; cheap to clone.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> Timestamp + Send + Sync>);

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl Clock {
    /// The system's wall clock.
    pub fn system() -> Self {
        Self(Arc::new(Timestamp::now))
    }

    /// A clock that reads `now` (a test's, say).
    pub fn from_fn(now: impl Fn() -> Timestamp + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
    }

    /// The time now.
    pub fn now(&self) -> Timestamp {
        (self.0)()
    }

    /// The time now in unix milliseconds, as times are stored.
    pub fn now_ms(&self) -> i64 {
        self.now().as_millisecond()
    }

    /// The time now in unix seconds (session expiry).
    pub fn now_unix(&self) -> i64 {
        self.now().as_second()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_reads_the_time_it_is_given_in_every_unit() {
        let at = Timestamp::from_millisecond(1_700_000_000_123).unwrap();
        let clock = Clock::from_fn(move || at);
        assert_eq!(clock.now(), at);
        assert_eq!(clock.now_ms(), 1_700_000_000_123);
        assert_eq!(clock.now_unix(), 1_700_000_000);
    }
}
