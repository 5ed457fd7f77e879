//! This node's counters, which `GET /metrics` (in `readiness`) answers in
//! the Prometheus text format (version 0.0.4), for scraping. Counters only grow; gauges go both ways;
//! a histogram counts observations into cumulative buckets. Plain atomics,
//! no registry: the set is fixed, and each is named where it is counted.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Bucket bounds of the time histograms, in seconds.
const SECONDS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

/// A histogram of durations: cumulative buckets, a sum and a count.
#[derive(Debug, Default)]
pub struct Histogram {
    buckets: [AtomicU64; SECONDS.len()],
    sum_micros: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    /// Counts one observation of `d`.
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        for (bound, bucket) in SECONDS.iter().zip(&self.buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.sum_micros.fetch_add(u64::try_from(d.as_micros()).unwrap_or(u64::MAX), Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    fn write(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (bound, bucket) in SECONDS.iter().zip(&self.buckets) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {}", bucket.load(Ordering::Relaxed));
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {count}");
    }
}

/// How an offer ended.
#[derive(Debug, Clone, Copy)]
pub enum OfferOutcome {
    /// The agent took it.
    Accepted,
    /// The agent said no.
    Declined,
    /// Not accepted in time.
    TimedOut,
    /// Taken back: the agent left or lost the permission.
    Withdrawn,
}

const OUTCOMES: [(OfferOutcome, &str); 4] = [
    (OfferOutcome::Accepted, "accepted"),
    (OfferOutcome::Declined, "declined"),
    (OfferOutcome::TimedOut, "timed_out"),
    (OfferOutcome::Withdrawn, "withdrawn"),
];

/// Which socket.
#[derive(Debug, Clone, Copy)]
pub enum SocketKind {
    /// A visitor's widget.
    Visitor,
    /// An agent's inbox.
    Agent,
}

/// This node's counters; cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct Metrics(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    sockets: [AtomicI64; 2],
    messages_stored: AtomicU64,
    messages_delivered: AtomicU64,
    routing_decisions: AtomicU64,
    routing_seconds: Histogram,
    offers: [AtomicU64; 4],
    timers_fired: AtomicU64,
    timers_late_seconds: Histogram,
    nats_reconnects: AtomicU64,
    database_outages: AtomicU64,
}

/// Counts a socket open while it lives.
#[derive(Debug)]
pub struct SocketGuard(Metrics, usize);

impl Drop for SocketGuard {
    fn drop(&mut self) {
        self.0 .0.sockets[self.1].fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    /// A socket of `kind` opened; it counts until the guard drops.
    pub fn socket(&self, kind: SocketKind) -> SocketGuard {
        let i = kind as usize;
        self.0.sockets[i].fetch_add(1, Ordering::Relaxed);
        SocketGuard(self.clone(), i)
    }

    /// A message was stored (not a resend).
    pub fn message_stored(&self) {
        self.0.messages_stored.fetch_add(1, Ordering::Relaxed);
    }

    /// A message was written to a socket's queue.
    pub fn message_delivered(&self) {
        self.0.messages_delivered.fetch_add(1, Ordering::Relaxed);
    }

    /// A routing decision was made, taking `took` (lock wait included).
    pub fn routed(&self, took: Duration) {
        self.0.routing_decisions.fetch_add(1, Ordering::Relaxed);
        self.0.routing_seconds.observe(took);
    }

    /// An offer ended so.
    pub fn offer(&self, outcome: OfferOutcome) {
        self.0.offers[outcome as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// A due time fired `late` after it was due.
    pub fn timer_fired(&self, late: Duration) {
        self.0.timers_fired.fetch_add(1, Ordering::Relaxed);
        self.0.timers_late_seconds.observe(late);
    }

    /// NATS connected again after a disconnect.
    pub fn nats_reconnected(&self) {
        self.0.nats_reconnects.fetch_add(1, Ordering::Relaxed);
    }

    /// The database stopped answering this node's health check.
    pub fn database_lost(&self) {
        self.0.database_outages.fetch_add(1, Ordering::Relaxed);
    }

    /// Everything, in the Prometheus text format.
    pub fn render(&self) -> String {
        let m = &self.0;
        let mut out = String::with_capacity(4096);
        let _ = writeln!(
            out,
            "# HELP switchboard_sockets Open WebSockets by kind.\n# TYPE switchboard_sockets gauge"
        );
        for (i, kind) in ["visitor", "agent"].iter().enumerate() {
            let _ = writeln!(
                out,
                "switchboard_sockets{{kind=\"{kind}\"}} {}",
                m.sockets[i].load(Ordering::Relaxed)
            );
        }
        let counters: [(&str, &str, &AtomicU64); 6] = [
            ("switchboard_messages_stored_total", "Messages stored.", &m.messages_stored),
            (
                "switchboard_messages_delivered_total",
                "Messages sent to a socket (each follower counts).",
                &m.messages_delivered,
            ),
            (
                "switchboard_routing_decisions_total",
                "Routing decisions made on this node.",
                &m.routing_decisions,
            ),
            (
                "switchboard_timers_fired_total",
                "Due times (accept timeouts, inactivity, routing retries) this node fired.",
                &m.timers_fired,
            ),
            (
                "switchboard_nats_reconnects_total",
                "Times NATS connected again after a disconnect.",
                &m.nats_reconnects,
            ),
            (
                "switchboard_database_outages_total",
                "Times the database stopped answering this node's health check.",
                &m.database_outages,
            ),
        ];
        for (name, help, value) in counters {
            let v = value.load(Ordering::Relaxed);
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        }
        let _ = writeln!(
            out,
            "# HELP switchboard_offers_total Offers ended, by outcome.\n# TYPE switchboard_offers_total counter"
        );
        for (outcome, name) in OUTCOMES {
            let v = m.offers[outcome as usize].load(Ordering::Relaxed);
            let _ = writeln!(out, "switchboard_offers_total{{outcome=\"{name}\"}} {v}");
        }
        m.routing_seconds.write(
            &mut out,
            "switchboard_routing_decision_seconds",
            "Time of a routing decision, waiting for the routing lock included.",
        );
        m.timers_late_seconds.write(
            &mut out,
            "switchboard_timer_lateness_seconds",
            "How long after its due time a due time fired.",
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_counts_into_cumulative_buckets() {
        let h = Histogram::default();
        h.observe(Duration::from_micros(700));
        h.observe(Duration::from_millis(30));
        let mut out = String::new();
        h.write(&mut out, "t", "help");
        assert!(out.contains("t_bucket{le=\"0.0005\"} 0\n"), "{out}");
        assert!(out.contains("t_bucket{le=\"0.001\"} 1\n"), "{out}");
        assert!(out.contains("t_bucket{le=\"0.05\"} 2\n"), "{out}");
        assert!(out.contains("t_bucket{le=\"+Inf\"} 2\nt_sum 0.0307\nt_count 2\n"), "{out}");
    }

    #[test]
    fn sockets_count_while_their_guard_lives() {
        let m = Metrics::default();
        let a = m.socket(SocketKind::Visitor);
        let _b = m.socket(SocketKind::Agent);
        assert!(m.render().contains("switchboard_sockets{kind=\"visitor\"} 1\n"));
        drop(a);
        assert!(m.render().contains("switchboard_sockets{kind=\"visitor\"} 0\n"));
        assert!(m.render().contains("switchboard_sockets{kind=\"agent\"} 1\n"));
    }
}
