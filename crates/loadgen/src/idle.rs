//! The idle phase: many visitor sockets, each greeted, held open; the
//! server's memory before and after gives its cost per connection.
//!
//! A warm-up batch is opened before the "before" reading, so one-time costs
//! (allocator arenas, SQLite's page cache, the first visitors' rows) are not
//! charged to the connections.

use futures_util::{FutureExt, StreamExt};
use serde::Serialize;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::client::{self, Ws};
use crate::server::Server;

/// What the idle phase measured.
#[derive(Debug, Clone, Serialize)]
pub struct IdleReport {
    /// Sockets asked for.
    pub requested: usize,
    /// Sockets greeted and still open at the end.
    pub held: usize,
    /// Sockets that failed to open or to be greeted.
    pub failed: usize,
    /// Server RSS after the warm-up batch, bytes.
    pub rss_before: u64,
    /// Server RSS with every socket held, bytes.
    pub rss_after: u64,
    /// (after − before) / sockets opened after the warm-up, bytes.
    pub rss_per_connection: u64,
    /// Time to open and greet them all, seconds.
    pub open_secs: f64,
}

/// Opens `count` sockets (from socket number `first` on, for the source
/// address), `parallel` handshakes at a time; returns the open ones and the
/// number that failed.
async fn open(server: SocketAddr, first: usize, count: usize, parallel: usize) -> (Vec<Ws>, usize) {
    let results: Vec<anyhow::Result<Ws>> = futures_util::stream::iter(first..first + count)
        .map(|n| client::visitor(server, client::source(n)))
        .buffer_unordered(parallel)
        .collect()
        .await;
    let mut failed = 0;
    let mut first_error = None;
    let open = results
        .into_iter()
        .filter_map(|r| {
            r.map_err(|e| {
                failed += 1;
                first_error.get_or_insert(e);
            })
            .ok()
        })
        .collect();
    if let Some(e) = first_error {
        eprintln!("idle: {failed} sockets failed; the first: {e:#}");
    }
    (open, failed)
}

/// Runs the idle phase with `count` sockets; closes them at the end.
pub async fn run(
    server: &Server,
    addr: SocketAddr,
    count: usize,
    parallel: usize,
) -> anyhow::Result<IdleReport> {
    let started = Instant::now();
    let warm = (count / 10).min(200);
    let (mut sockets, mut failed) = open(addr, 0, warm, parallel).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = server.rss()?;
    let (rest, rest_failed) = open(addr, warm, count - warm, parallel).await;
    let measured = rest.len();
    sockets.extend(rest);
    failed += rest_failed;
    let open_secs = started.elapsed().as_secs_f64();
    // Let the server settle (tasks parked, buffers returned).
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_after = server.rss()?;
    let held = still_open(&mut sockets).await;
    let rss_per_connection = rss_after.saturating_sub(rss_before) / (measured.max(1) as u64);
    drop(sockets);
    Ok(IdleReport { requested: count, held, failed, rss_before, rss_after, rss_per_connection, open_secs })
}

/// How many sockets have neither closed nor errored: any frame or end waiting
/// on an idle visitor socket means the server dropped it.
async fn still_open(sockets: &mut [Ws]) -> usize {
    let mut open = 0;
    for ws in sockets.iter_mut() {
        match ws.next().now_or_never() {
            None => open += 1,
            Some(Some(Ok(m))) if !m.is_close() => open += 1,
            Some(_) => {}
        }
    }
    open
}
