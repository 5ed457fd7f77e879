//! WebSocket endpoints: [`visitor`] (`/ws/visitor`), the agent side next.

pub mod visitor;

use std::time::Instant;

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
