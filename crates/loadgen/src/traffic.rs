//! The traffic phase: `K` conversations, each a visitor handed off to one of
//! `M` agents and accepted, then `R` messages a second in all for `T`
//! seconds, round robin over the conversations, each conversation
//! alternating visitor → agent and agent → visitor. Then a grace period for
//! the last deliveries, and the ledger's totals.

use anyhow::{bail, Context};
use futures_util::StreamExt;
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard_protocol::wire::{PageContext, VisitorIn};
use tokio::sync::mpsc;

use crate::client::{self, Ws};
use crate::peers::{self, Accepted, Outgoing, Shared};
use crate::server::{Announce, Server, ORIGIN};
use crate::stats::{self, Clock, Ledger};

/// How much traffic to drive.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Conversations (one visitor socket each).
    pub conversations: usize,
    /// Messages per second, in all.
    pub rate: u32,
    /// Seconds of sending.
    pub secs: u64,
    /// How long to wait for the last deliveries after sending stops.
    pub grace: Duration,
    /// Number of the first socket (for its source address: the idle
    /// phase's ports may still be in TIME_WAIT).
    pub first_socket: usize,
    /// Handshakes at a time.
    pub parallel: usize,
    /// Tasks guessing passwords while messages are sent.
    pub guessers: usize,
}

/// Delivery latencies, milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
}

/// What the traffic phase measured.
#[derive(Debug, Clone, Serialize)]
pub struct TrafficReport {
    /// Conversations.
    pub conversations: usize,
    /// Agent sockets.
    pub agents: usize,
    /// Sockets held during the phase (visitors and agents).
    pub connections: usize,
    /// Messages per second asked for.
    pub rate_target: u32,
    /// Messages per second handed to the sockets, measured.
    pub rate_achieved: f64,
    /// Seconds of sending.
    pub secs: f64,
    /// Messages sent.
    pub sent: u64,
    /// Messages delivered to the other side (distinct).
    pub delivered: u64,
    /// Sent and never delivered within the grace period.
    pub lost: u64,
    /// Delivered more than once.
    pub duplicated: u64,
    /// Error frames from the server.
    pub errors: u64,
    /// Delivery latency: receive time − send time.
    pub latency_ms: Latency,
    /// Tasks guessing passwords meanwhile.
    pub guessers: usize,
    /// Wrong passwords the server checked meanwhile.
    pub guesses: u64,
    /// Server RSS at the end of sending, bytes (every node's, summed).
    pub server_rss: u64,
    /// Seconds from the end of sending to the last delivery.
    pub drain_secs: f64,
    /// Messages stored and delivered a second: delivered / (sending +
    /// draining). At a rate the server keeps up with, the rate; above it,
    /// what the server can persist and deliver.
    pub delivered_per_sec: f64,
}

/// Where the traffic goes: the server (or the nodes of a cluster) and
/// which node each kind of socket connects to.
pub struct Target<'a> {
    /// Whom to log the agents in as, and where.
    pub announce: &'a Announce,
    /// Visitor `k` connects to `visitor_nodes[k % len]`.
    pub visitor_nodes: Vec<SocketAddr>,
    /// Agent `i` connects to `agent_nodes[i % len]`.
    pub agent_nodes: Vec<SocketAddr>,
    /// The processes whose memory is reported.
    pub servers: Vec<&'a Server>,
}

impl<'a> Target<'a> {
    /// Every socket on one server.
    pub fn single(server: &'a Server, addr: SocketAddr) -> Self {
        Self {
            announce: &server.announce,
            visitor_nodes: vec![addr],
            agent_nodes: vec![addr],
            servers: vec![server],
        }
    }

    fn rss(&self) -> anyhow::Result<u64> {
        self.servers.iter().map(|s| s.rss()).sum()
    }
}

/// Splits a greeted socket into a writer task fed by the returned sender
/// and its read half.
fn split(ws: Ws, clock: Clock) -> (mpsc::UnboundedSender<Outgoing>, futures_util::stream::SplitStream<Ws>) {
    let (sink, stream) = ws.split();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(peers::write(sink, rx, clock));
    (tx, stream)
}

/// The hand-off of conversation `k` (its number in the page's URL, which
/// the agent's offer shows).
pub fn handoff(k: usize) -> VisitorIn {
    VisitorIn::Handoff {
        stream: "recommended".into(),
        version: 1,
        card: "agent".into(),
        attributes: Default::default(),
        transcript: vec![],
        page: PageContext { url: format!("{ORIGIN}/{k}"), ..Default::default() },
    }
}

/// A greeted visitor socket for conversation `k`, handed off.
async fn visitor(server: SocketAddr, n: usize, k: usize) -> anyhow::Result<(usize, Ws)> {
    let mut ws = client::visitor(server, client::source(n)).await?;
    client::send(&mut ws, &handoff(k)).await?;
    Ok((k, ws))
}

/// Runs the traffic phase against `server` with its announced agents.
pub async fn run(server: &Server, addr: SocketAddr, plan: &Plan) -> anyhow::Result<TrafficReport> {
    run_on(&Target::single(server, addr), plan).await
}

/// Runs the traffic phase against `target`.
pub async fn run_on(target: &Target<'_>, plan: &Plan) -> anyhow::Result<TrafficReport> {
    let k_count = plan.conversations;
    let shared = Shared {
        clock: Clock::start(),
        ledger: Arc::new(Ledger::new(k_count)),
        errors: Arc::new(AtomicU64::new(0)),
    };
    let a = target.announce;
    let agent_node = |i: usize| target.agent_nodes[i % target.agent_nodes.len()];
    let visitor_node = |k: usize| target.visitor_nodes[k % target.visitor_nodes.len()];

    // Agents first: routing offers chats only to connected agents.
    let http = reqwest::Client::new();
    let tokens: Vec<String> = futures_util::stream::iter(&a.agents)
        .map(|email| client::login(&http, &a.url, email, &a.password))
        .buffered(2)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let agent_sockets: Vec<Ws> = futures_util::stream::iter(tokens.iter().enumerate())
        .map(|(i, t)| {
            // The inbox's page is served by the node it connects to.
            let (node, origin) = (agent_node(i), format!("http://{}", agent_node(i)));
            async move { client::agent(&origin, node, client::source(plan.first_socket + i), t).await }
        })
        .buffered(plan.parallel)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let (accepted_tx, mut accepted_rx) = mpsc::unbounded_channel();
    let mut agents = Vec::new();
    for (i, ws) in agent_sockets.into_iter().enumerate() {
        let (tx, stream) = split(ws, shared.clock);
        tokio::spawn(peers::read_agent(stream, i, tx.downgrade(), accepted_tx.clone(), shared.clone()));
        agents.push(tx);
    }

    // Visitors hand off; each conversation is offered to an agent, who accepts.
    let mut visitors: Vec<Option<mpsc::UnboundedSender<Outgoing>>> = vec![None; k_count];
    let mut opened = futures_util::stream::iter(0..k_count)
        .map(|k| visitor(visitor_node(k), plan.first_socket + a.agents.len() + k, k))
        .buffer_unordered(plan.parallel);
    while let Some(r) = opened.next().await {
        let (k, ws) = r.context("opening a visitor socket")?;
        let (tx, stream) = split(ws, shared.clock);
        tokio::spawn(peers::read_visitor(stream, k, shared.clone()));
        visitors[k] = Some(tx);
    }
    let visitors: Vec<_> = visitors.into_iter().flatten().collect();
    let mut slots: Vec<Option<Accepted>> = vec![None; k_count];
    let mut ready = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while ready < k_count {
        match tokio::time::timeout_at(deadline, accepted_rx.recv()).await {
            Ok(Some(acc)) if acc.k < k_count && slots[acc.k].is_none() => {
                slots[acc.k] = Some(acc);
                ready += 1;
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => bail!("only {ready} of {k_count} conversations were accepted within 60 s"),
        }
    }
    let slots: Vec<Accepted> = slots.into_iter().flatten().collect();

    // Password guessers, for as long as messages are sent: half at the load
    // agents' accounts, half at unknown ones (checked against a dummy hash).
    let guessing = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let guessers: Vec<_> = (0..plan.guessers)
        .map(|i| {
            let (http, url, going) = (http.clone(), a.url.clone(), guessing.clone());
            let email = if i % 2 == 0 { a.agents[0].clone() } else { format!("nobody{i}@example.com") };
            tokio::spawn(async move {
                let mut n = 0u64;
                while going.load(Ordering::Relaxed) {
                    let body = serde_json::json!({ "email": email, "password": format!("guess {n}") });
                    if http.post(format!("{url}/api/auth/login")).json(&body).send().await.is_ok() {
                        n += 1;
                    }
                }
                n
            })
        })
        .collect();
    if plan.guessers > 0 {
        // Let the guessing take hold before the first message.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // Pace: the number due is recomputed from the clock every millisecond,
    // so a late tick catches up instead of lowering the rate.
    let total = u64::from(plan.rate) * plan.secs;
    let started = Instant::now();
    let mut sent = 0u64;
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    while sent < total {
        tick.tick().await;
        let due = ((started.elapsed().as_secs_f64() * f64::from(plan.rate)) as u64).min(total);
        while sent < due {
            let k = (sent % k_count as u64) as usize;
            let n = shared.ledger.next(k);
            let client_id = stats::client_id(k, n);
            let s = slots[k];
            let _ = if stats::sent_by_visitor(n) {
                visitors[k].send(Outgoing::Chat { conversation: None, client_id })
            } else {
                agents[s.agent].send(Outgoing::Chat { conversation: Some(s.conversation), client_id })
            };
            sent += 1;
        }
    }
    let send_secs = started.elapsed().as_secs_f64();
    guessing.store(false, Ordering::Relaxed);
    let mut guesses = 0;
    for g in guessers {
        guesses += g.await.unwrap_or(0);
    }
    let server_rss = target.rss()?;

    // Until everything arrived or the grace ran out; draining lasted until
    // the last delivery (a message lost for good does not stretch it).
    let drain = Instant::now();
    let grace_end = drain + plan.grace;
    let (mut delivered, mut last_delivery) = (shared.ledger.progress().1, drain);
    while Instant::now() < grace_end {
        let (s, d) = shared.ledger.progress();
        if d > delivered {
            (delivered, last_delivery) = (d, Instant::now());
        }
        if d >= s {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let drain_secs = last_delivery.duration_since(drain).as_secs_f64();
    // Dropping the senders ends the writers, which close the sockets.
    drop(visitors);
    drop(agents);

    let t = shared.ledger.totals();
    let ms = |p: f64| stats::percentile(&t.latencies_us, p) as f64 / 1000.0;
    Ok(TrafficReport {
        conversations: k_count,
        agents: a.agents.len(),
        connections: k_count + a.agents.len(),
        rate_target: plan.rate,
        rate_achieved: t.sent as f64 / send_secs,
        secs: send_secs,
        sent: t.sent,
        delivered: t.delivered,
        lost: t.lost,
        duplicated: t.duplicated,
        errors: shared.errors.load(Ordering::Relaxed),
        latency_ms: Latency { p50: ms(50.0), p99: ms(99.0), max: ms(100.0) },
        guessers: plan.guessers,
        guesses,
        server_rss,
        drain_secs,
        delivered_per_sec: t.delivered as f64 / (send_secs + drain_secs),
    })
}
