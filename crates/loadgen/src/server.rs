//! The server under load, in its own process so that its memory is measured
//! without the generator's: [`serve`] is the child's side (`--serve`), run by
//! the same binary; [`Server`] is the parent's handle on it.
//!
//! The child seeds a site and the load agents in a fresh temporary data
//! directory (SQLite on disk, as in production), prints one JSON line with
//! what the generator needs ([`Announce`]), and serves until its standard
//! input closes: a generator that dies takes its server with it.

use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::process::Stdio;
use std::time::Duration;
use switchboard_protocol::auth::Role;
use switchboard_protocol::site::SiteKey;
use switchboard_server::auth::{hash_password, random_password};
use switchboard_server::config::Settings;
use switchboard_server::startup::Application;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};

/// The site every load visitor talks to.
pub const SITE: &str = "load";
/// The page origin the load site allows (visitor sockets send it).
pub const ORIGIN: &str = "http://load.test";

/// What the child tells the generator once it listens.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Announce {
    /// The base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    /// Login emails of the load agents.
    pub agents: Vec<String>,
    /// Their (shared) password.
    pub password: String,
}

/// Where a spawned server keeps its data and whom it tells: the hidden
/// flags of `--serve` (none: a single node on a fresh SQLite file).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct NodeArgs {
    /// An empty PostgreSQL database to use instead of a fresh SQLite file.
    #[arg(long, hide = true)]
    pub database: Option<String>,
    /// The NATS server of a cluster this node is one of.
    #[arg(long, hide = true)]
    pub nats: Option<String>,
    /// Another node seeded the database already: announce no agents.
    #[arg(long, hide = true)]
    pub no_seed: bool,
}

impl NodeArgs {
    fn to_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(db) = &self.database {
            args.extend(["--database".to_owned(), db.clone()]);
        }
        if let Some(nats) = &self.nats {
            args.extend(["--nats".to_owned(), nats.clone()]);
        }
        if self.no_seed {
            args.push("--no-seed".to_owned());
        }
        args
    }
}

/// A spawned server's log: warnings and errors to stderr (`RUST_LOG`
/// overrides), without the bundles it does not serve under load nor the
/// 503s of `/readyz` while a node joins.
pub fn log_to_stderr() {
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| {
            "warn,switchboard_server::assets=error,tower_http::trace::on_failure=off".into()
        }))
        .with_writer(std::io::stderr)
        .init();
}

/// Runs the server for `agents` load agents who take up to `capacity`
/// chats each; prints the [`Announce`] line, serves until stdin closes.
pub async fn serve(agents: usize, capacity: u32, node: &NodeArgs) -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("creating the data directory")?;
    let mut settings = Settings {
        listen: ([127, 0, 0, 1], 0).into(),
        data_dir: dir.path().join("data"),
        assets_dir: Some(dir.path().join("dist")),
        database_url: node.database.clone(),
        ..Settings::default()
    };
    settings.cluster.nats_url = node.nats.clone();
    settings.routing.capacity = capacity;
    // Every load client comes from a few loopback addresses and hands off
    // at once: the per-address and per-site limits, meant for the open
    // internet, would refuse the load itself.
    let l = &mut settings.limits;
    l.sockets_per_address = u32::MAX;
    l.handoffs_per_address_per_minute = u32::MAX;
    l.handoffs_per_site_per_minute = u32::MAX;
    // Every guess of `--guessers` is checked (a worst case: a guesser with
    // endless addresses), so the figures show what hashing costs chat.
    l.login_free_attempts = u32::MAX;
    l.login_account_free_attempts = u32::MAX;
    l.login_address_free_attempts = u32::MAX;
    let app = Application::build(settings).await.context("building the server")?;
    if node.no_seed {
        let announce =
            Announce { url: app.public_url().to_owned(), agents: Vec::new(), password: String::new() };
        println!("{}", serde_json::to_string(&announce)?);
        return serve_until_stdin_closes(app, dir).await;
    }
    let store = app.store();
    let key = SiteKey::parse(SITE).context("the load site key")?;
    let now = app.state().clock.now_ms();
    switchboard_server::demo::seed(store, &key, &[ORIGIN.to_owned()], now)
        .await
        .context("seeding the site")?;
    let password = random_password();
    // One hash for every load agent: argon2 is slow by design.
    let hash = {
        let p = password.clone();
        tokio::task::spawn_blocking(move || hash_password(&p)).await.context("hashing")?
    };
    let mut emails = Vec::with_capacity(agents);
    for i in 0..agents {
        let email = format!("load{i}@example.com");
        store.create_agent(&format!("Load agent {i}"), &email, &hash, Role::Agent, now).await?;
        emails.push(email);
    }
    let announce = Announce { url: app.public_url().to_owned(), agents: emails, password };
    println!("{}", serde_json::to_string(&announce)?);
    serve_until_stdin_closes(app, dir).await
}

async fn serve_until_stdin_closes(app: Application, dir: tempfile::TempDir) -> anyhow::Result<()> {
    let (trigger, shutdown) = switchboard_server::shutdown::channel();
    std::thread::spawn(move || {
        // EOF (or an error) on stdin: the generator is done or gone.
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        trigger.trigger();
    });
    app.run(shutdown).await.context("serving")?;
    drop(dir);
    Ok(())
}

/// The parent's handle on the server child; dropping it stops the child.
pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    /// What the child announced.
    pub announce: Announce,
}

impl Server {
    /// Spawns this binary with `--serve` and waits for its announcement.
    pub async fn spawn(agents: usize, capacity: u32) -> anyhow::Result<Self> {
        Self::spawn_node(agents, capacity, &NodeArgs::default()).await
    }

    /// The same as one node of a cluster, or on PostgreSQL (`node`); a
    /// cluster's node is also waited for until its `/readyz` says ready.
    pub async fn spawn_node(agents: usize, capacity: u32, node: &NodeArgs) -> anyhow::Result<Self> {
        let exe = std::env::current_exe().context("locating this binary")?;
        let mut child = Command::new(exe)
            .args(["--serve", "--agents", &agents.to_string(), "--capacity", &capacity.to_string()])
            .args(node.to_args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("spawning the server")?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("the server's stdout")?;
        let mut line = String::new();
        tokio::time::timeout(Duration::from_secs(120), BufReader::new(stdout).read_line(&mut line))
            .await
            .context("the server did not start within 2 minutes")?
            .context("reading the server's announcement")?;
        let announce: Announce = serde_json::from_str(&line)
            .with_context(|| format!("the server's announcement {line:?} (did it fail to start?)"))?;
        let ready = format!("{}/readyz", announce.url);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while !reqwest::get(&ready).await.is_ok_and(|r| r.status().is_success()) {
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "{ready} did not say ready within 60 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(Self { child, stdin, announce })
    }

    /// The address it listens on.
    pub fn addr(&self) -> anyhow::Result<std::net::SocketAddr> {
        Ok(self.announce.url.trim_start_matches("http://").parse()?)
    }

    /// Kills it at once (SIGKILL, as `kill -9`): nothing is shut down.
    pub async fn kill(mut self) -> anyhow::Result<()> {
        self.child.kill().await.context("killing the server")
    }

    /// The server's resident memory now (`VmRSS`), in bytes.
    pub fn rss(&self) -> anyhow::Result<u64> {
        let pid = self.child.id().context("the server has exited")?;
        rss_of(pid)
    }

    /// Closes the child's stdin (its signal to stop) and waits for it.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        drop(self.stdin.take());
        match tokio::time::timeout(Duration::from_secs(20), self.child.wait()).await {
            Ok(status) => {
                let status = status?;
                anyhow::ensure!(status.success(), "the server exited with {status}");
                Ok(())
            }
            Err(_) => {
                self.child.kill().await?;
                anyhow::bail!("the server did not stop within 20 s; killed")
            }
        }
    }
}

/// Resident memory of process `pid` from `/proc/PID/status`, in bytes.
pub fn rss_of(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).context("reading /proc status")?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .context("no VmRSS in /proc status")?;
    Ok(kb * 1024)
}
