//! A cluster on one machine: a private nats-server, a fresh PostgreSQL
//! database, `switchboard serve` processes as nodes, and a TCP balancer
//! that sends each new connection to a live node (round robin, skipping
//! nodes that refuse).

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use switchboard_protocol::auth::Role;
use switchboard_protocol::site::SiteKey;
use switchboard_protocol::stream::{Card, CardKind, Routing, Stream};
use switchboard_server::store::Store;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Where the site's pages are.
pub const ORIGIN: &str = "https://shop.example.com";
/// Every test agent's password.
pub const PASSWORD: &str = "correct horse battery staple";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A private nats-server on a free port.
pub struct Nats {
    child: Option<Child>,
    pub port: u16,
}

impl Nats {
    pub async fn start() -> Self {
        Self::start_on(free_port()).await
    }

    async fn start_on(port: u16) -> Self {
        let exe = std::env::var("SWITCHBOARD_TEST_NATS_SERVER").unwrap_or_else(|_| "nats-server".to_owned());
        let child = Command::new(&exe)
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {exe}: {e} (cargo xtask test --only cluster installs it)"));
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Self { child: Some(child), port };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("nats-server did not listen on {port}");
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// kill -9.
    pub async fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().await.unwrap();
        }
    }

    /// Starts again on the same port.
    pub async fn restart(&mut self) {
        self.kill().await;
        *self = Self::start_on(self.port).await;
    }
}

/// Timings short enough for tests.
#[derive(Debug, Clone)]
pub struct Timings {
    pub accept_timeout_secs: u64,
    pub grace_secs: u64,
    pub capacity: u32,
    /// The bus failpoint: every node drops every Nth event it publishes.
    pub drop_every: u64,
    /// How long a node without NATS or the database keeps its sockets.
    pub outage_close_ms: u64,
    /// More environment for one node: (node, variable, value), as a
    /// failpoint only one node has.
    pub node_env: Vec<(&'static str, &'static str, String)>,
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            accept_timeout_secs: 100,
            grace_secs: 60,
            capacity: 10,
            drop_every: 0,
            outage_close_ms: 10_000,
            node_env: Vec::new(),
        }
    }
}

/// One `switchboard serve` process.
pub struct Node {
    pub name: String,
    pub url: String,
    child: Option<Child>,
}

/// Sends `signal` (`STOP`, `CONT`) to process `pid`.
fn signal(pid: u32, signal: &str) {
    let ok = std::process::Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .unwrap_or_else(|e| panic!("running kill -{signal}: {e}"))
        .success();
    assert!(ok, "kill -{signal} {pid} failed");
}

impl Node {
    /// kill -9: no goodbye, no clean-up.
    pub async fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().await.unwrap();
        }
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().and_then(Child::id).unwrap_or_else(|| panic!("node {} is not running", self.name))
    }

    /// SIGSTOP: the process stands still, its sockets and database
    /// sessions open, as in a long GC or VM pause.
    pub fn pause(&self) {
        signal(self.pid(), "STOP");
    }

    /// SIGCONT after [`Node::pause`].
    pub fn resume(&self) {
        signal(self.pid(), "CONT");
    }

    /// Waits (at most `secs`) for the process to end by itself.
    pub async fn exited(&mut self, secs: u64) -> std::process::ExitStatus {
        let name = self.name.clone();
        let child = self.child.as_mut().unwrap_or_else(|| panic!("node {name} is not running"));
        let status = tokio::time::timeout(Duration::from_secs(secs), child.wait())
            .await
            .unwrap_or_else(|_| panic!("node {name} still running after {secs} s"))
            .unwrap();
        self.child = None;
        status
    }
}

/// The nodes, their services, and the balancer in front.
pub struct Cluster {
    pub nats: Nats,
    pub database: String,
    /// (Kept open: the suite's own handle on the database.)
    _store: Store,
    pub nodes: Vec<Node>,
    pub balancer: String,
    backends: Arc<Mutex<Vec<Option<SocketAddr>>>>,
    dir: tempfile::TempDir,
    timings: Timings,
    pub agents: Vec<String>,
    /// The live chat card visitors hand off at: (stream, version, card).
    pub card: (String, u32, String),
}

/// The PostgreSQL server the suite creates its databases on.
fn postgres() -> String {
    std::env::var(switchboard_server::store::scratch::POSTGRES_VAR).ok().filter(|s| !s.is_empty()).unwrap_or_else(
        || {
            panic!(
                "the cluster suite needs {} (a PostgreSQL URL) and nats-server: run `cargo xtask test --only cluster`",
                switchboard_server::store::scratch::POSTGRES_VAR
            )
        },
    )
}

impl Cluster {
    /// `n` nodes (named a, b, c, …) with `agents` agents, on a new
    /// database with one site and a round-robin live chat card.
    pub async fn start(n: usize, agents: usize, timings: Timings) -> Self {
        let _ = postgres();
        let dir = tempfile::tempdir().unwrap();
        let database = switchboard_server::store::scratch::database_url(dir.path()).await;
        Self::start_in(dir, database, n, agents, timings).await
    }

    /// The same on the (empty) database at `database`.
    pub async fn start_on(database: String, n: usize, agents: usize, timings: Timings) -> Self {
        Self::start_in(tempfile::tempdir().unwrap(), database, n, agents, timings).await
    }

    async fn start_in(
        dir: tempfile::TempDir,
        database: String,
        n: usize,
        agents: usize,
        timings: Timings,
    ) -> Self {
        let store = Store::open(&database).await.unwrap();
        let now = switchboard_server::Clock::system().now_ms();
        let key = SiteKey::parse("shop").unwrap();
        store.create_site(&key, "Shop", &Default::default(), &[ORIGIN.to_owned()], now).await.unwrap();
        let site = store.site(&key).await.unwrap().unwrap();
        let hash = switchboard_server::auth::hash_password(PASSWORD);
        let mut emails = Vec::new();
        for i in 0..agents {
            let email = format!("agent{i:02}@example.com");
            store.create_agent(&format!("Agent {i}"), &email, &hash, Role::Agent, now).await.unwrap();
            emails.push(email);
        }
        let stream = Stream {
            id: "chat".into(),
            name: "chat".into(),
            priority: 0,
            targets: vec!["/".into()],
            exclude: vec![],
            locale: Default::default(),
            cards: vec![Card {
                id: "live".into(),
                kind: CardKind::LiveChat { routing: Routing::RoundRobin, text: None, next: None },
            }],
            version: 0,
        };
        let version = store.publish_stream(site.id, &stream.validate().unwrap(), "", now).await.unwrap();
        let nats = Nats::start().await;
        let backends = Arc::new(Mutex::new(Vec::new()));
        let balancer = balance(backends.clone()).await;
        let mut cluster = Self {
            nats,
            database,
            _store: store,
            nodes: Vec::new(),
            balancer,
            backends,
            dir,
            timings,
            agents: emails,
            card: ("chat".into(), version, "live".into()),
        };
        for i in 0..n {
            let name = ((b'a' + i as u8) as char).to_string();
            cluster.add_node(&name).await;
        }
        cluster
    }

    /// Starts node `name` and puts it behind the balancer.
    pub async fn add_node(&mut self, name: &str) {
        let data = self.dir.path().join(name);
        std::fs::create_dir_all(&data).unwrap();
        let log = std::fs::File::create(self.dir.path().join(format!("{name}.log"))).unwrap();
        let t = &self.timings;
        let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .arg("serve")
            .env("SWITCHBOARD_LISTEN", "127.0.0.1:0")
            .env("SWITCHBOARD_DATA_DIR", &data)
            .env("SWITCHBOARD_ASSETS_DIR", &data)
            .env("SWITCHBOARD_DATABASE_URL", &self.database)
            .env("SWITCHBOARD_NATS_URL", self.nats.url())
            .env("SWITCHBOARD_NODE_ID", name)
            .env("SWITCHBOARD_PUBLIC_URL", &self.balancer)
            .env("SWITCHBOARD_ACCEPT_TIMEOUT_SECS", t.accept_timeout_secs.to_string())
            .env("SWITCHBOARD_DISCONNECT_GRACE_SECS", t.grace_secs.to_string())
            .env("SWITCHBOARD_CAPACITY", t.capacity.to_string())
            .env("SWITCHBOARD_FAILPOINT_BUS_DROP_EVERY", t.drop_every.to_string())
            .env("SWITCHBOARD_HEARTBEAT_MS", "250")
            .env("SWITCHBOARD_NODE_TTL_MS", "1000")
            .env("SWITCHBOARD_SWEEP_MS", "500")
            .env("SWITCHBOARD_PRESENCE_MS", "200")
            .env("SWITCHBOARD_OUTAGE_CLOSE_MS", t.outage_close_ms.to_string())
            .env("SWITCHBOARD_SOCKETS_PER_ADDRESS", "1000000")
            .env("SWITCHBOARD_HANDOFFS_PER_VISITOR_PER_MINUTE", "1000000")
            .env("SWITCHBOARD_HANDOFFS_PER_ADDRESS_PER_MINUTE", "1000000")
            .env("SWITCHBOARD_HANDOFFS_PER_SITE_PER_MINUTE", "1000000")
            .env("RUST_LOG", "switchboard_server=info,warn")
            .envs(t.node_env.iter().filter(|(node, _, _)| *node == name).map(|(_, k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = out.next_line().await.unwrap() {
                if let Some(addr) = line.strip_prefix("Listening on ") {
                    return addr.to_owned();
                }
            }
            panic!("node {name} stopped before listening; see {name}.log");
        })
        .await
        .unwrap_or_else(|_| panic!("node {name} did not listen within 60 s"));
        // Keep reading its stdout so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = out.next_line().await {} });
        // Ready: its database answers and NATS is connected.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let r = reqwest::get(format!("{url}/readyz")).await;
            if r.is_ok_and(|r| r.status() == 200) {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "node {name} not ready within 20 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let addr: SocketAddr = url.trim_start_matches("http://").parse().unwrap();
        let index = self.nodes.iter().position(|n| n.name == name);
        let node = Node { name: name.to_owned(), url, child: Some(child) };
        let mut backends = self.backends.lock().unwrap();
        match index {
            Some(i) => {
                self.nodes[i] = node;
                backends[i] = Some(addr);
            }
            None => {
                self.nodes.push(node);
                backends.push(Some(addr));
            }
        }
    }

    /// The node named `name`.
    pub fn node(&mut self, name: &str) -> &mut Node {
        self.nodes.iter_mut().find(|n| n.name == name).unwrap()
    }

    /// kill -9 of node `name`; the balancer stops sending to it.
    pub async fn kill(&mut self, name: &str) {
        let i = self.nodes.iter().position(|n| n.name == name).unwrap();
        self.backends.lock().unwrap()[i] = None;
        self.nodes[i].kill().await;
    }

    /// What node `name` logged so far.
    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("{name}.log"))).unwrap_or_default()
    }

    /// Node `name` ended by itself (within `secs`): the balancer stops
    /// sending to it; its exit status.
    pub async fn exited(&mut self, name: &str, secs: u64) -> std::process::ExitStatus {
        let i = self.nodes.iter().position(|n| n.name == name).unwrap();
        let status = self.nodes[i].exited(secs).await;
        self.backends.lock().unwrap()[i] = None;
        status
    }

    /// A session token for `email`, signed in through `url`.
    pub async fn session(&self, url: &str, email: &str) -> String {
        let r = reqwest::Client::new()
            .post(format!("{url}/api/auth/login"))
            .json(&serde_json::json!({ "email": email, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "signing in {email}");
        r.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }
}

/// A TCP balancer in front of `backends`: each new connection goes to the
/// next node in turn that accepts it.
async fn balance(backends: Arc<Mutex<Vec<Option<SocketAddr>>>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let next = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else { return };
            let (backends, next) = (backends.clone(), next.clone());
            tokio::spawn(async move {
                let all: Vec<Option<SocketAddr>> = backends.lock().unwrap().clone();
                let start = next.fetch_add(1, Ordering::Relaxed);
                for k in 0..all.len() {
                    let Some(addr) = all[(start + k) % all.len()] else { continue };
                    if let Ok(mut server) = tokio::net::TcpStream::connect(addr).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        return;
                    }
                }
            });
        }
    });
    url
}

/// A PostgreSQL server of a test's own (not the suite's shared one), which
/// the test may crash and start again: a new cluster in a directory of its
/// own on a free port, stopped and removed when dropped. As root, it runs
/// as the `postgres` user (initdb refuses root), as `cargo xtask test`
/// does.
pub struct PrivatePostgres {
    bin: std::path::PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
    as_postgres: bool,
}

/// The newest installed PostgreSQL's `bin` directory with an `initdb`.
fn postgres_bin() -> std::path::PathBuf {
    let root = std::path::Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, std::path::PathBuf)> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((n, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!(
            "no initdb in /usr/lib/postgresql/*/bin: this scenario starts a PostgreSQL server of its own \
             (to restart it); install PostgreSQL (`apt-get install postgresql`, which \
             `cargo xtask test --only cluster` does as root)"
        )
    })
}

impl PrivatePostgres {
    /// A new cluster, started. (`fsync=off`: the test crashes the server,
    /// not the machine. Not `synchronous_commit=off`: a crash would then
    /// lose commits already acknowledged, which is not the failure tested.)
    pub async fn start() -> Self {
        let bin = postgres_bin();
        let as_postgres = std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        let dir = tempfile::tempdir().unwrap();
        if as_postgres {
            let ok = std::process::Command::new("chown")
                .arg("-R")
                .arg("postgres:postgres")
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown postgres {}", dir.path().display());
        }
        let pg = Self { bin, dir, port: free_port(), as_postgres };
        let data = pg.data();
        pg.run("initdb", &["-D", &data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]).await;
        pg.start_again().await;
        pg
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").to_string_lossy().into_owned()
    }

    /// Starts the server (again), waiting until it takes connections.
    pub async fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").to_string_lossy().into_owned();
        self.run("pg_ctl", &["-D", &self.data(), "-o", &options, "-l", &log, "-w", "-t", "60", "start"])
            .await;
    }

    /// Crashes the server (`pg_ctl stop -m immediate`: no checkpoint, every
    /// session cut; it recovers from its log on the next start).
    pub async fn crash(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "immediate", "-w", "stop"]).await;
    }

    /// What the server logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    fn command(&self, program: &str) -> std::process::Command {
        let exe = self.bin.join(program);
        if self.as_postgres {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            std::process::Command::new(exe)
        }
    }

    async fn run(&self, program: &str, args: &[&str]) {
        let mut c = Command::from(self.command(program));
        let out = c
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .await
            .unwrap_or_else(|e| panic!("running {program}: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = self.command("pg_ctl").args(["-D", &self.data(), "-m", "immediate", "-w", "stop"]).output();
    }
}
