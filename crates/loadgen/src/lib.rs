//! The load generator behind `cargo xtask bench`: real WebSockets on
//! loopback against a server in a child process (so its memory is its own),
//! measuring what the issue holds the server to — memory per idle visitor
//! socket, delivery latency at a steady message rate, and that no message
//! is lost or duplicated.
//!
//! Modules:
//! - [`server`]: the child (`--serve`) and the parent's handle on it;
//! - [`client`]: opening greeted visitor and agent sockets from several
//!   loopback source addresses;
//! - [`idle`]: the idle phase (server RSS per held socket);
//! - [`traffic`] and [`peers`]: the traffic phase and its sockets' tasks;
//! - [`stats`]: the ledger of sent and received messages, percentiles;
//! - [`report`]: the table and the JSON.
//! - [`admin_list`]: the admin's conversation list over a million stored
//!   conversations (its own binary, `switchboard-admin-list`);
//! - [`chat_report`]: the live chat report over as many, with ten million
//!   facts, and what recording facts costs delivery (its own binary,
//!   `switchboard-report-bench`);
//! - [`seed`]: the data directory those two run on;
//! - [`cluster`]: nodes on PostgreSQL and NATS — throughput and latency
//!   across nodes, routing decisions a second, visitors of a killed node
//!   resuming (its own binary, `switchboard-cluster-bench`).

pub mod admin_list;
pub mod chat_report;
pub mod client;
pub mod cluster;
pub mod idle;
pub mod peers;
pub mod report;
pub mod seed;
pub mod server;
pub mod stats;
pub mod traffic;

use std::path::PathBuf;
use std::time::Duration;

/// Most agent messages a second one agent socket sends: half the server's
/// flood limit of 20 frames a second per connection.
pub const AGENT_RATE: u32 = 10;

/// The generator's flags (the defaults finish in about a minute on 2 cores).
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Idle visitor sockets to open and hold (0 skips the idle phase).
    #[arg(long, default_value_t = 2_000)]
    pub idle: usize,
    /// Conversations in the traffic phase (0 skips it).
    #[arg(long, default_value_t = 200)]
    pub conversations: usize,
    /// Agent sockets; by default enough for the chats at routing's default
    /// capacity (10) and for at most 10 agent messages a second each.
    #[arg(long)]
    pub agents: Option<usize>,
    /// Messages a second, in all (half from visitors, half from agents).
    #[arg(long, default_value_t = 1_000)]
    pub rate: u32,
    /// Seconds of sending.
    #[arg(long, default_value_t = 20)]
    pub secs: u64,
    /// Seconds to wait for the last deliveries before counting the rest lost.
    #[arg(long, default_value_t = 5)]
    pub grace: u64,
    /// Tasks guessing passwords (as fast as answers come) while messages
    /// are sent: the server under test counts every guess (its login
    /// back-off is lifted, as for a guesser with endless addresses), so the
    /// figures show what password hashing costs chat.
    #[arg(long, default_value_t = 0)]
    pub guessers: usize,
    /// Handshakes in flight at a time.
    #[arg(long, default_value_t = 64)]
    pub parallel: usize,
    /// Also write the figures as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

impl Options {
    /// The agent sockets the traffic phase uses.
    pub fn agent_count(&self) -> usize {
        let k = self.conversations;
        let by_rate = (self.rate / 2).div_ceil(AGENT_RATE) as usize;
        self.agents.unwrap_or_else(|| k.div_ceil(10).max(by_rate)).clamp(1, k.max(1))
    }

    /// Routing capacity that fits every conversation on the agents.
    pub fn capacity(&self) -> u32 {
        u32::try_from(self.conversations.div_ceil(self.agent_count()).max(1)).unwrap_or(u32::MAX)
    }
}

/// Runs both phases against a fresh server; returns the report.
pub async fn run(opts: &Options) -> anyhow::Result<report::Report> {
    // The idle sockets close before the traffic phase; the server and the
    // generator each hold the larger set, plus a few files of their own.
    let sockets = opts.idle.max(opts.conversations + opts.agent_count()) as u64;
    let fd_limit = client::raise_fd_limit(sockets + 1_000);
    anyhow::ensure!(
        fd_limit >= sockets + 100,
        "the open-file limit is {fd_limit} and may not be raised here: too low for {sockets} sockets \
         (raise the hard limit, `ulimit -Hn`, as the machine's owner, or ask for fewer)"
    );
    let server = server::Server::spawn(opts.agent_count(), opts.capacity()).await?;
    let addr = server.announce.url.trim_start_matches("http://").parse()?;
    let rss_start = server.rss()?;
    let idle =
        if opts.idle > 0 { Some(idle::run(&server, addr, opts.idle, opts.parallel).await?) } else { None };
    let traffic = if opts.conversations > 0 {
        let plan = traffic::Plan {
            conversations: opts.conversations,
            rate: opts.rate,
            secs: opts.secs,
            grace: Duration::from_secs(opts.grace),
            first_socket: opts.idle,
            parallel: opts.parallel,
            guessers: opts.guessers,
        };
        Some(traffic::run(&server, addr, &plan).await?)
    } else {
        None
    };
    server.stop().await?;
    Ok(report::Report {
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        server_rss_start: rss_start,
        idle,
        traffic,
    })
}
