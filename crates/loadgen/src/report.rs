//! The figures: a table for people, JSON for `cargo xtask bench`.

use serde::Serialize;
use std::fmt::Write;

use crate::idle::IdleReport;
use crate::traffic::TrafficReport;

/// Everything one run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// CPU cores available (the server and the generator share them).
    pub cores: usize,
    /// Server RSS once started and seeded, bytes.
    pub server_rss_start: u64,
    /// The idle phase, when run.
    pub idle: Option<IdleReport>,
    /// The traffic phase, when run.
    pub traffic: Option<TrafficReport>,
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// The report as a small table.
pub fn table(r: &Report) -> String {
    let mut s = String::new();
    let mut row = |k: &str, v: String| {
        let _ = writeln!(s, "{k:<36} {v:>16}");
    };
    row("load (cores)", r.cores.to_string());
    row("server RSS at start", mb(r.server_rss_start));
    if let Some(i) = &r.idle {
        row("idle sockets held / asked", format!("{} / {}", i.held, i.requested));
        row("idle: opened in", format!("{:.1} s", i.open_secs));
        row("idle: server RSS before → after", format!("{} → {}", mb(i.rss_before), mb(i.rss_after)));
        row("idle: server RSS per socket", format!("{:.1} KB", i.rss_per_connection as f64 / 1000.0));
    }
    if let Some(t) = &r.traffic {
        row("traffic: conversations / agents", format!("{} / {}", t.conversations, t.agents));
        row("traffic: msg/s asked / achieved", format!("{} / {:.0}", t.rate_target, t.rate_achieved));
        row("traffic: sent / delivered", format!("{} / {}", t.sent, t.delivered));
        let l = &t.latency_ms;
        row("traffic: latency p50 / p99 / max", format!("{:.2} / {:.2} / {:.1} ms", l.p50, l.p99, l.max));
        row("traffic: lost / duplicated", format!("{} / {}", t.lost, t.duplicated));
        if t.guessers > 0 {
            row("traffic: guessers / guesses checked", format!("{} / {}", t.guessers, t.guesses));
        }
        row("traffic: error frames", t.errors.to_string());
        row("traffic: server RSS", mb(t.server_rss));
    }
    s.push_str(
        "targets: 100,000 idle sockets at ≤ 8 KB each; p99 ≤ 10 ms at 10,000 msg/s; 0 lost, 0 duplicated\n",
    );
    s
}
