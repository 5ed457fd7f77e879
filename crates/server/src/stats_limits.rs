//! The limits of the widget's stream events endpoint (`api::stream_events`):
//! batches a minute per address and site, and per site; and the endpoint's
//! path, which the cookie-origin check lets through (it carries no
//! authority).

use std::net::IpAddr;
use std::time::Duration;
use tokio::time::Instant;

use crate::throttle::Window;

/// How many stream event batches one address may send for one site a
/// minute, and one site takes a minute from everyone.
const BATCHES_PER_ADDRESS_PER_MINUTE: u32 = 30;
const BATCHES_PER_SITE_PER_MINUTE: u32 = 6000;

/// Rate limits of the stream events endpoint.
#[derive(Debug, Clone)]
pub struct StatsLimits {
    by_address: Window<(i64, IpAddr)>,
    by_site: Window<i64>,
}

impl Default for StatsLimits {
    fn default() -> Self {
        Self {
            by_address: Window::new(BATCHES_PER_ADDRESS_PER_MINUTE, Duration::from_secs(60)),
            by_site: Window::new(BATCHES_PER_SITE_PER_MINUTE, Duration::from_secs(60)),
        }
    }
}

impl StatsLimits {
    /// How long until a batch from `(site, address)` may come, if it is over a limit.
    pub fn wait(&self, (site, address): (i64, IpAddr), now: Instant) -> Option<Duration> {
        self.by_address.wait(&(site, address), now).or_else(|| self.by_site.wait(&site, now))
    }

    /// Counts a batch from `(site, address)`.
    pub fn count(&self, (site, address): (i64, IpAddr), now: Instant) {
        self.by_address.count((site, address), now);
        self.by_site.count(site, now);
    }
}

/// Whether `path` is a site's stream events endpoint
/// (`/api/sites/{key}/stream-events`).
pub fn is_stream_events_path(path: &str) -> bool {
    path.strip_prefix("/api/sites/")
        .and_then(|rest| rest.strip_suffix("/stream-events"))
        .is_some_and(|key| !key.contains('/'))
}
