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
}

/// A stored time (unix ms) as ISO 8601 text to the millisecond
/// (`2026-11-24T10:15:00.123Z`), as messages, decisions and a chat's last
/// activity have always been shown.
pub fn iso_millis(ms: i64) -> String {
    format(ms, "%Y-%m-%dT%H:%M:%S%.3fZ")
}

/// A stored time (unix ms) as ISO 8601 text to the second
/// (`2026-11-24T10:15:00Z`), as a conversation's start and a visitor's first
/// visit have always been shown.
pub fn iso_seconds(ms: i64) -> String {
    format(ms, "%Y-%m-%dT%H:%M:%SZ")
}

fn format(ms: i64, pattern: &str) -> String {
    // Out of jiff's range (year ±9999) only if the row was not written by us.
    let at = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    at.strftime(pattern).to_string()
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
    }

    #[test]
    fn a_stored_time_is_shown_as_iso_text_in_utc() {
        assert_eq!(iso_millis(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(iso_millis(1_700_000_000_000), "2023-11-14T22:13:20.000Z");
        assert_eq!(iso_seconds(1_700_000_000_999), "2023-11-14T22:13:20Z");
        assert_eq!(iso_millis(0), "1970-01-01T00:00:00.000Z");
    }
}
