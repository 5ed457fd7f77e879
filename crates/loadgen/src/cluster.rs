//! The cluster's figures (`switchboard-cluster-bench`, run by `cargo xtask
//! bench cluster` with a throwaway PostgreSQL and `nats-server`): nodes are
//! this binary with `--serve`, each phase on a new database.
//!
//! - PostgreSQL, one node: delivery latency at a steady rate, then what it
//!   persists and delivers a second when offered more than it can;
//! - the same on three nodes, every visitor on the first two and every
//!   agent on the last, so that each delivery crosses nodes;
//! - routing: hand-offs fired at once from visitors on every node, to
//!   agents on every node; decisions a second until every one is offered;
//! - resume: idle visitors held on one node, which is killed (SIGKILL);
//!   the time until every one of them is greeted again, with its own
//!   token, by the others.

use anyhow::{bail, Context};
use futures_util::StreamExt;
use serde::Serialize;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard_protocol::wire::AgentOut;
use tokio_tungstenite::tungstenite::Message;

use crate::client::{self, Greeting, Ws};
use crate::server::{NodeArgs, Server};
use crate::stats;
use crate::traffic::{self, Plan, Target, TrafficReport};
use crate::AGENT_RATE;

/// The cluster benchmark's flags.
#[derive(Debug, Clone, clap::Args)]
pub struct ClusterOptions {
    /// A PostgreSQL server (the URL of a database whose user may create
    /// databases): every phase runs on a new database there.
    #[arg(long)]
    pub postgres: Option<String>,
    /// The NATS server the nodes share (`nats://127.0.0.1:PORT`).
    #[arg(long)]
    pub nats_url: Option<String>,
    /// Nodes of the cluster.
    #[arg(long, default_value_t = 3)]
    pub nodes: usize,
    /// Conversations of each traffic phase.
    #[arg(long, default_value_t = 200)]
    pub conversations: usize,
    /// The steady rate (messages a second) latency is measured at.
    #[arg(long, default_value_t = 1_000)]
    pub rate: u32,
    /// The rate offered to find what is persisted and delivered at most.
    #[arg(long, default_value_t = 3_000)]
    pub flood_rate: u32,
    /// Seconds of sending in each traffic phase.
    #[arg(long, default_value_t = 10)]
    pub secs: u64,
    /// Hand-offs fired at once in the routing phase.
    #[arg(long, default_value_t = 1_000)]
    pub handoffs: usize,
    /// Idle visitors on the node the resume phase kills.
    #[arg(long, default_value_t = 10_000)]
    pub resume: usize,
    /// Handshakes in flight at a time.
    #[arg(long, default_value_t = 64)]
    pub parallel: usize,
    /// Also write the figures as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// Routing decisions a second across the cluster.
#[derive(Debug, Clone, Serialize)]
pub struct RoutingReport {
    /// Nodes the visitors and agents were spread over.
    pub nodes: usize,
    /// Hand-offs fired at once.
    pub handoffs: usize,
    /// Agents (enough capacity for every hand-off).
    pub agents: usize,
    /// Offers the agents received.
    pub offered: usize,
    /// From the first hand-off sent to the last offer received, seconds.
    pub secs: f64,
    /// offered / secs.
    pub decisions_per_sec: f64,
}

/// Visitors of a killed node back on the others.
#[derive(Debug, Clone, Serialize)]
pub struct ResumeReport {
    /// Idle visitors held on the node that was killed.
    pub sockets: usize,
    /// Greeted again by another node with their own token.
    pub resumed: usize,
    /// From the kill to the last greeting, seconds.
    pub all_back_secs: f64,
    /// Each visitor's time from the kill to its greeting, seconds.
    pub p50_secs: f64,
    /// The same, 99th percentile.
    pub p99_secs: f64,
    /// Connection attempts that failed and were tried again.
    pub retries: usize,
}

/// Everything the cluster benchmark measured.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterReport {
    /// CPU cores (every node, PostgreSQL, NATS and the generator share them).
    pub cores: usize,
    /// Nodes of the cluster.
    pub nodes: usize,
    /// One node on PostgreSQL at the steady rate.
    pub single_steady: TrafficReport,
    /// One node on PostgreSQL offered the flood rate.
    pub single_flood: TrafficReport,
    /// The cluster at the steady rate, every delivery across nodes.
    pub cluster_steady: TrafficReport,
    /// The cluster offered the flood rate.
    pub cluster_flood: TrafficReport,
    /// Routing decisions a second, cluster-wide.
    pub routing: RoutingReport,
    /// Visitors of a killed node resuming on the others.
    pub resume: ResumeReport,
}

/// Nodes of one phase on a new database.
struct Nodes {
    servers: Vec<Server>,
}

impl Nodes {
    /// `count` nodes on a new database (the first seeds `agents` agents
    /// who take `capacity` chats each); a bus when there are several.
    async fn start(
        opts: &ClusterOptions,
        count: usize,
        agents: usize,
        capacity: u32,
    ) -> anyhow::Result<Self> {
        let postgres = opts.postgres.as_deref().context("--postgres is needed")?;
        let database = switchboard_server::store::scratch::new_postgres_database(postgres).await;
        let nats =
            if count > 1 { Some(opts.nats_url.clone().context("--nats-url is needed")?) } else { None };
        let mut node = NodeArgs { database: Some(database), nats, no_seed: false };
        let mut servers = vec![Server::spawn_node(agents, capacity, &node).await?];
        node.no_seed = true;
        for _ in 1..count {
            servers.push(Server::spawn_node(0, capacity, &node).await?);
        }
        Ok(Self { servers })
    }

    fn addrs(&self) -> anyhow::Result<Vec<SocketAddr>> {
        self.servers.iter().map(Server::addr).collect()
    }

    async fn stop(self) -> anyhow::Result<()> {
        for s in self.servers {
            s.stop().await?;
        }
        Ok(())
    }
}

/// Agents for `conversations` chats at `rate`: enough for `per_agent`
/// agent messages a second each and a capacity of at most 10.
fn agents_for(conversations: usize, rate: u32, per_agent: u32) -> (usize, u32) {
    let agents =
        conversations.div_ceil(10).max((rate / 2).div_ceil(per_agent) as usize).clamp(1, conversations);
    (agents, u32::try_from(conversations.div_ceil(agents)).unwrap_or(u32::MAX))
}

/// One traffic phase on `count` new nodes; with several, visitors on all
/// but the last node and agents on the last. A `flood` (more than the
/// server can take) has twice the chats and agents, so that every socket
/// sends at most 5 messages a second: a server that falls behind reads a
/// backlog of 8 s within the flood limit's burst of 40 frames, and only
/// its own speed is measured; and it has 120 s for its queue to drain, so
/// that only a real loss counts as lost.
async fn traffic_phase(
    opts: &ClusterOptions,
    count: usize,
    rate: u32,
    flood: bool,
) -> anyhow::Result<TrafficReport> {
    let (conversations, per_agent, grace) = if flood {
        (opts.conversations * 2, AGENT_RATE / 2, FLOOD_GRACE)
    } else {
        (opts.conversations, AGENT_RATE, STEADY_GRACE)
    };
    let (agents, capacity) = agents_for(conversations, rate, per_agent);
    let nodes = Nodes::start(opts, count, agents, capacity).await?;
    let addrs = nodes.addrs()?;
    let (visitor_nodes, agent_nodes) = match addrs.split_last() {
        Some((last, rest)) if !rest.is_empty() => (rest.to_vec(), vec![*last]),
        _ => (addrs.clone(), addrs.clone()),
    };
    let target = Target {
        announce: &nodes.servers[0].announce,
        visitor_nodes,
        agent_nodes,
        servers: nodes.servers.iter().collect(),
    };
    let plan = Plan {
        conversations,
        rate,
        secs: opts.secs,
        grace: Duration::from_secs(grace),
        first_socket: 0,
        parallel: opts.parallel,
        guessers: 0,
    };
    let report = traffic::run_on(&target, &plan).await?;
    nodes.stop().await?;
    Ok(report)
}

/// The routing phase on `opts.nodes` new nodes.
async fn routing_phase(opts: &ClusterOptions) -> anyhow::Result<RoutingReport> {
    let h = opts.handoffs;
    let agents = 20.min(h.max(1));
    let capacity = u32::try_from(h.div_ceil(agents)).unwrap_or(u32::MAX);
    let nodes = Nodes::start(opts, opts.nodes, agents, capacity).await?;
    let addrs = nodes.addrs()?;
    let a = &nodes.servers[0].announce;
    let http = reqwest::Client::new();
    let offered = Arc::new(AtomicUsize::new(0));
    let mut readers = Vec::new();
    for (i, email) in a.agents.iter().enumerate() {
        let token = client::login(&http, &a.url, email, &a.password).await?;
        let node = addrs[i % addrs.len()];
        let ws = client::agent(&format!("http://{node}"), node, client::source(i), &token).await?;
        readers.push(tokio::spawn(count_offers(ws, offered.clone())));
    }
    let visitors: Vec<Ws> = futures_util::stream::iter(0..h)
        .map(|k| client::visitor(addrs[k % addrs.len()], client::source(agents + k)))
        .buffer_unordered(opts.parallel)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let started = Instant::now();
    let sends = visitors
        .into_iter()
        .enumerate()
        .map(|(k, mut ws)| async move { client::send(&mut ws, &traffic::handoff(k)).await.map(|()| ws) });
    let visitors: Vec<Ws> =
        futures_util::future::join_all(sends).await.into_iter().collect::<anyhow::Result<_>>()?;
    let deadline = started + Duration::from_secs(120);
    while offered.load(Ordering::Relaxed) < h && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let secs = started.elapsed().as_secs_f64();
    let got = offered.load(Ordering::Relaxed);
    drop(visitors);
    for r in readers {
        r.abort();
    }
    nodes.stop().await?;
    if got < h {
        bail!("only {got} of {h} hand-offs were offered within 120 s");
    }
    Ok(RoutingReport {
        nodes: addrs.len(),
        handoffs: h,
        agents,
        offered: got,
        secs,
        decisions_per_sec: got as f64 / secs,
    })
}

/// Counts the offers an agent's socket receives.
async fn count_offers(mut ws: Ws, offered: Arc<AtomicUsize>) {
    while let Some(Ok(msg)) = ws.next().await {
        if let Message::Text(t) = msg {
            if let Ok(AgentOut::Offer { .. }) = serde_json::from_str::<AgentOut>(&t) {
                offered.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The resume phase on `opts.nodes` new nodes: `opts.resume` idle
/// visitors on the second node, which is killed.
async fn resume_phase(opts: &ClusterOptions) -> anyhow::Result<ResumeReport> {
    anyhow::ensure!(opts.nodes >= 2, "the resume phase needs two nodes or more");
    let mut nodes = Nodes::start(opts, opts.nodes, 1, 10).await?;
    let addrs = nodes.addrs()?;
    let doomed = addrs[1];
    let others: Vec<SocketAddr> = addrs.iter().copied().filter(|a| *a != doomed).collect();
    let n = opts.resume;
    let held: Vec<(Ws, String)> = futures_util::stream::iter(0..n)
        .map(|i| async move {
            match client::visitor_as(doomed, client::source(i), None).await? {
                Greeting::Welcome(ws, token) => Ok((*ws, token)),
                Greeting::Refused(what) => bail!("a new visitor was refused: {what}"),
            }
        })
        .buffer_unordered(opts.parallel)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()
        .context("opening the idle visitors")?;
    let retries = Arc::new(AtomicUsize::new(0));
    let killed = Instant::now();
    nodes.servers.remove(1).kill().await?;
    // Each visitor, a task of its own, notices its socket end, then comes
    // back at once to one of the surviving nodes (round robin, as a
    // balancer) with its token, trying again at once when a connection
    // fails, as a storm would. A token the database does not know is
    // refused: that visitor did not come back.
    let mut tasks = tokio::task::JoinSet::new();
    for (i, (mut ws, token)) in held.into_iter().enumerate() {
        let (retries, to) = (retries.clone(), others[i % others.len()]);
        tasks.spawn(async move {
            while let Some(Ok(_)) = ws.next().await {}
            drop(ws);
            let deadline = killed + Duration::from_secs(120);
            loop {
                // From the next source address: this one's ports hold the first sockets.
                match client::visitor_as(to, client::source(20_000 + i), Some(&token)).await {
                    Ok(Greeting::Welcome(ws, _)) => return Ok((killed.elapsed(), *ws)),
                    Ok(Greeting::Refused(what)) => bail!("visitor {i} was refused: {what}"),
                    Err(e) if Instant::now() > deadline => return Err(e),
                    Err(_) => {
                        retries.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        });
    }
    let mut times = Vec::new();
    let mut sockets = Vec::new();
    let mut failed = 0;
    let mut first_error = None;
    while let Some(r) = tasks.join_next().await {
        match r.map_err(anyhow::Error::from).and_then(|r| r) {
            Ok((t, ws)) => {
                times.push(t.as_micros() as u64);
                sockets.push(ws);
            }
            Err(e) => {
                failed += 1;
                first_error.get_or_insert(e);
            }
        }
    }
    let resumed = times.len();
    times.sort_unstable();
    // The last greeting: the largest of the visitors' own times.
    let all_back_secs = times.last().map_or(0.0, |t| *t as f64 / 1e6);
    drop(sockets);
    nodes.stop().await?;
    if let Some(e) = first_error {
        bail!("{failed} of {n} visitors of the killed node did not come back; the first: {e:#}");
    }
    let secs = |p: f64| stats::percentile(&times, p) as f64 / 1e6;
    Ok(ResumeReport {
        sockets: n,
        resumed,
        all_back_secs,
        p50_secs: secs(50.0),
        p99_secs: secs(99.0),
        retries: retries.load(Ordering::Relaxed),
    })
}

/// Seconds for the last deliveries at the steady rate.
const STEADY_GRACE: u64 = 10;
/// The same offered the flood rate: its queue drains meanwhile.
const FLOOD_GRACE: u64 = 120;

/// Runs every phase.
pub async fn run(opts: &ClusterOptions) -> anyhow::Result<ClusterReport> {
    // The generator holds each socket of a phase once (a resumed visitor's
    // old socket is dropped first); the nodes hold their share each.
    let sockets = (opts.resume + 100).max(opts.handoffs + 100).max(opts.conversations * 4) as u64;
    let limit = client::raise_fd_limit(sockets + 1_000);
    anyhow::ensure!(limit >= sockets + 100, "the open-file limit is {limit}: too low for {sockets} sockets");
    eprintln!("cluster bench: one node on PostgreSQL, {} msg/s", opts.rate);
    let single_steady = traffic_phase(opts, 1, opts.rate, false).await?;
    eprintln!("cluster bench: one node on PostgreSQL offered {} msg/s", opts.flood_rate);
    let single_flood = traffic_phase(opts, 1, opts.flood_rate, true).await?;
    eprintln!("cluster bench: {} nodes, {} msg/s across nodes", opts.nodes, opts.rate);
    let cluster_steady = traffic_phase(opts, opts.nodes, opts.rate, false).await?;
    eprintln!("cluster bench: {} nodes offered {} msg/s", opts.nodes, opts.flood_rate);
    let cluster_flood = traffic_phase(opts, opts.nodes, opts.flood_rate, true).await?;
    eprintln!("cluster bench: {} hand-offs at once on {} nodes", opts.handoffs, opts.nodes);
    let routing = routing_phase(opts).await?;
    eprintln!("cluster bench: {} idle visitors of a killed node", opts.resume);
    let resume = resume_phase(opts).await?;
    Ok(ClusterReport {
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        nodes: opts.nodes,
        single_steady,
        single_flood,
        cluster_steady,
        cluster_flood,
        routing,
        resume,
    })
}

/// The report as a small table.
pub fn table(r: &ClusterReport) -> String {
    let mut s = String::new();
    let mut row = |k: &str, v: String| {
        let _ = writeln!(s, "{k:<44} {v:>30}");
    };
    let traffic = |t: &TrafficReport| {
        format!(
            "{:.0} msg/s, p50 {:.2} / p99 {:.2} ms, lost {} dup {} err {}",
            t.delivered_per_sec, t.latency_ms.p50, t.latency_ms.p99, t.lost, t.duplicated, t.errors
        )
    };
    row("cluster bench (cores)", r.cores.to_string());
    row(
        &format!("PostgreSQL, 1 node, {} msg/s asked", r.single_steady.rate_target),
        traffic(&r.single_steady),
    );
    row(&format!("PostgreSQL, 1 node, {} msg/s asked", r.single_flood.rate_target), traffic(&r.single_flood));
    row(
        &format!("{} nodes across nodes, {} msg/s asked", r.nodes, r.cluster_steady.rate_target),
        traffic(&r.cluster_steady),
    );
    row(
        &format!("{} nodes across nodes, {} msg/s asked", r.nodes, r.cluster_flood.rate_target),
        traffic(&r.cluster_flood),
    );
    let g = &r.routing;
    row(
        &format!("routing: {} hand-offs at once, {} nodes", g.handoffs, g.nodes),
        format!("{:.0} decisions/s ({:.2} s)", g.decisions_per_sec, g.secs),
    );
    let m = &r.resume;
    row(
        &format!("resume: {} visitors of a killed node", m.sockets),
        format!("{} back in {:.2} s (p50 {:.2} s)", m.resumed, m.all_back_secs, m.p50_secs),
    );
    s
}
