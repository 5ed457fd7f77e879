//! The admin's conversation list over many stored conversations
//! (`switchboard-admin-list`, run by `cargo xtask bench`): seeds a fresh
//! SQLite file in bulk ([`crate::seed`]), starts the real server on it
//! in a child process (this binary with `--serve DIR`), and times the
//! list's requests over HTTP beside a floor measured the same way in the
//! same run: `GET /api/auth/me` (the same stack, session check included)
//! and `GET /healthz`.
//!
//! Each figure is the client's wall time for one request, from sending it
//! to the last byte of the answer, requests one after another on one
//! kept-alive connection.

use anyhow::Context;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use switchboard_protocol::admin::{ConversationPage, ConversationQuery};
use switchboard_server::config::Settings;
use switchboard_server::startup::Application;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::seed::{seed, ADMIN, AGENTS, PASSWORD, SITES, TEAMS};
use crate::stats::percentile;

/// The flags.
#[derive(Debug, Clone, clap::Parser)]
#[command(about = "Times the admin's conversation list over many stored conversations")]
pub struct Options {
    /// Conversations to seed.
    #[arg(long, default_value_t = 1_000_000)]
    pub conversations: u64,
    /// Requests timed per scenario.
    #[arg(long, default_value_t = 200)]
    pub requests: usize,
    /// Pages a deep walk follows.
    #[arg(long, default_value_t = 100)]
    pub pages: usize,
    /// Also write the figures as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Keep the data in this directory (seeded only when it has no
    /// database yet), rather than in a temporary one: to run again on the
    /// same data, or to look at it.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Be the server on this data directory (internal: the bench spawns
    /// itself with this).
    #[arg(long, hide = true)]
    pub serve: Option<PathBuf>,
}

/// What one scenario measured.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    /// What was asked.
    pub scenario: String,
    /// Requests timed.
    pub requests: usize,
    /// Median, ms.
    pub p50_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Slowest, ms.
    pub max_ms: f64,
    /// Rows on the first answer (a check that the filter selected some).
    pub rows: usize,
}

/// Everything one run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// CPU cores (the server and the client share them).
    pub cores: usize,
    /// Conversations stored.
    pub conversations: u64,
    /// Live messages stored.
    pub messages: u64,
    /// Seconds the seeding took.
    pub seed_secs: f64,
    /// The database file with its search index, bytes.
    pub db_bytes: u64,
    /// The very first list request after the server started (cold caches), ms.
    pub cold_first_page_ms: f64,
    /// The floors and the scenarios.
    pub timings: Vec<Timing>,
}

/// The child's side: serves `dir` until its standard input closes.
pub async fn serve(dir: &Path) -> anyhow::Result<()> {
    let mut settings = Settings {
        listen: ([127, 0, 0, 1], 0).into(),
        data_dir: dir.to_path_buf(),
        assets_dir: Some(dir.join("dist")),
        ..Settings::default()
    };
    // Open hand-offs whose visitors never connect are left as seeded.
    settings.limits.visitor_gone_secs = 24 * 3600;
    let app = Application::build(settings).await.context("building the server")?;
    println!("{}", app.public_url());
    let (trigger, shutdown) = switchboard_server::shutdown::channel();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        trigger.trigger();
    });
    app.run(shutdown).await.context("serving")?;
    Ok(())
}

/// The server child; dropping it stops it.
struct Child {
    _child: tokio::process::Child,
    _stdin: tokio::process::ChildStdin,
    url: String,
}

async fn spawn(dir: &Path) -> anyhow::Result<Child> {
    let exe = std::env::current_exe().context("locating this binary")?;
    let mut child = Command::new(exe)
        .arg("--serve")
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("spawning the server")?;
    let stdin = child.stdin.take().context("the server's stdin")?;
    let stdout = child.stdout.take().context("the server's stdout")?;
    let mut line = String::new();
    tokio::time::timeout(Duration::from_secs(120), BufReader::new(stdout).read_line(&mut line))
        .await
        .context("the server did not start within 2 minutes")??;
    anyhow::ensure!(line.starts_with("http://"), "the server announced {line:?}");
    Ok(Child { _child: child, _stdin: stdin, url: line.trim().to_owned() })
}

/// Times one GET; answers the ms and the body.
async fn timed(http: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<(f64, Vec<u8>)> {
    let started = Instant::now();
    let r = http.get(url).bearer_auth(token).send().await?;
    let status = r.status();
    let body = r.bytes().await?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    anyhow::ensure!(status.is_success(), "GET {url}: {status}: {}", String::from_utf8_lossy(&body));
    Ok((ms, body.to_vec()))
}

fn timing(scenario: &str, mut ms: Vec<f64>, rows: usize) -> Timing {
    ms.sort_by(f64::total_cmp);
    // Nearest rank, in microseconds.
    let us: Vec<u64> = ms.iter().map(|m| (m * 1000.0) as u64).collect();
    Timing {
        scenario: scenario.to_owned(),
        requests: ms.len(),
        p50_ms: percentile(&us, 50.0) as f64 / 1000.0,
        p99_ms: percentile(&us, 99.0) as f64 / 1000.0,
        max_ms: ms.last().copied().unwrap_or(0.0),
        rows,
    }
}

/// The query of a scenario's `i`-th request.
type Scenario = Box<dyn Fn(usize) -> ConversationQuery>;

/// A list query from `(parameter, value)` pairs.
fn query(pairs: &[(&str, String)]) -> ConversationQuery {
    let mut q = ConversationQuery::default();
    for (k, v) in pairs {
        let slot = match *k {
            "site" => &mut q.site,
            "state" => &mut q.state,
            "agent" => &mut q.agent,
            "team" => &mut q.team,
            "from" => &mut q.from,
            "to" => &mut q.to,
            "q" => &mut q.q,
            _ => &mut q.limit,
        };
        *slot = Some(v.clone());
    }
    q
}

/// The date `days` before now (UTC), as `YYYY-MM-DD`.
fn date_days_ago(days: i64) -> String {
    let ms = switchboard_server::Clock::system().now_ms() - days * 24 * 3600 * 1000;
    jiff::Timestamp::from_millisecond(ms).map(|t| t.strftime("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// Runs the bench; answers its report.
pub async fn run(opts: &Options) -> anyhow::Result<Report> {
    let dir = tempfile::tempdir().context("creating the data directory")?;
    let data = opts.data.clone().unwrap_or_else(|| dir.path().join("data"));
    std::fs::create_dir_all(&data)?;
    let (seed_secs, messages) = if data.join("switchboard.db").exists() {
        eprintln!("using the conversations in {}", data.display());
        (0.0, 0)
    } else {
        eprintln!("seeding {} conversations…", opts.conversations);
        let (secs, seeded) = seed(&data, opts.conversations).await?;
        (secs, seeded.messages)
    };
    let db_bytes = std::fs::read_dir(&data)?.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum();
    let server = spawn(&data).await?;
    let http = reqwest::Client::new();
    let token = crate::client::login(&http, &server.url, ADMIN, PASSWORD).await?;
    let list =
        |q: &ConversationQuery| format!("{}/api/admin/conversations?{}", server.url, q.to_query_string());
    let (cold_first_page_ms, _) = timed(&http, &list(&ConversationQuery::default()), &token).await?;

    let n = opts.requests;
    let mut timings = Vec::new();
    for (scenario, path) in [("floor: GET /healthz", "/healthz"), ("floor: GET /api/auth/me", "/api/auth/me")]
    {
        let mut ms = Vec::with_capacity(n);
        for _ in 0..n {
            ms.push(timed(&http, &format!("{}{path}", server.url), &token).await?.0);
        }
        timings.push(timing(scenario, ms, 0));
    }
    let week = [("from", date_days_ago(180)), ("to", date_days_ago(173))];
    let seeded = opts.conversations.max(1);
    let scenarios: Vec<(&str, Scenario)> = vec![
        ("first page, no filter", Box::new(|_| ConversationQuery::default())),
        (
            "state (each of the 5 in turn)",
            Box::new(|i| {
                query(&[("state", ["waiting", "offered", "active", "ended", "fallback"][i % 5].into())])
            }),
        ),
        (
            "agent (each of 40 in turn)",
            Box::new(|i| query(&[("agent", format!("agent{}@bench.test", i % AGENTS))])),
        ),
        (
            "site + a week 6 months ago",
            Box::new(move |i| {
                query(&[("site", format!("site{}", i % SITES)), week[0].clone(), week[1].clone()])
            }),
        ),
        ("team (each of 4 in turn)", Box::new(|i| query(&[("team", format!("Team {}", i % TEAMS))]))),
        (
            "agent + state ended",
            Box::new(|i| {
                query(&[("agent", format!("agent{}@bench.test", i % AGENTS)), ("state", "ended".into())])
            }),
        ),
        (
            "search: a product (~0.5%)",
            Box::new(|i| query(&[("q", ["kettle", "toaster", "wok", "mug"][i % 4].into())])),
        ),
        (
            "search: an order number (0-2 hits)",
            // The number a seeded conversation's first message may give.
            Box::new(move |i| {
                let conversation = 1 + (i as u64 * 104_729) % seeded;
                query(&[("q", format!("{}", 100_000 + (conversation * 7919) % 900_000))])
            }),
        ),
        (
            "search: product + site",
            Box::new(|i| query(&[("q", "blender".into()), ("site", format!("site{}", i % SITES))])),
        ),
        ("search: a common word (~90%)", Box::new(|_| query(&[("q", "order".into())]))),
        (
            "search: common word + agent + offered",
            Box::new(|i| {
                let agent = format!("agent{}@bench.test", i % AGENTS);
                query(&[("q", "order".into()), ("agent", agent), ("state", "offered".into())])
            }),
        ),
    ];
    for (scenario, make) in &scenarios {
        let mut ms = Vec::with_capacity(n);
        let mut rows = 0;
        for i in 0..n {
            let (t, body) = timed(&http, &list(&make(i)), &token).await?;
            if i == 0 {
                rows = serde_json::from_slice::<ConversationPage>(&body)?.items.len();
            }
            ms.push(t);
        }
        eprintln!("  {scenario}: done");
        timings.push(timing(scenario, ms, rows));
    }
    // Deep pages: following cursors from the first page.
    let mut ms = Vec::new();
    let mut walk = Duration::ZERO;
    for start in [ConversationQuery::default(), query(&[("site", "site2".into())])] {
        let mut q = start.clone();
        let began = Instant::now();
        for _ in 0..opts.pages {
            let (t, body) = timed(&http, &list(&q), &token).await?;
            ms.push(t);
            let page: ConversationPage = serde_json::from_slice(&body)?;
            let Some(next) = page.next_cursor else { break };
            q = start.after(&next);
        }
        walk += began.elapsed();
    }
    let deep = format!("pages 1–{} by cursor (none, site), each", opts.pages);
    timings.push(timing(&deep, ms, 50));
    eprintln!("  deep pages: {:.0?} for two walks of {} pages", walk, opts.pages);
    drop(server);
    Ok(Report {
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        conversations: opts.conversations,
        messages,
        seed_secs,
        db_bytes,
        cold_first_page_ms,
        timings,
    })
}

/// The report as a table.
pub fn table(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "admin list over {} conversations ({} messages; seeded in {:.1} s; {:.0} MB on disk; {} cores)",
        r.conversations,
        r.messages,
        r.seed_secs,
        r.db_bytes as f64 / 1e6,
        r.cores
    );
    let _ = writeln!(s, "{:<40} {:>9} {:>9} {:>9} {:>6}", "request (ms)", "p50", "p99", "max", "rows");
    for t in &r.timings {
        let _ = writeln!(
            s,
            "{:<40} {:>9.2} {:>9.2} {:>9.2} {:>6}",
            format!("{} ×{}", t.scenario, t.requests),
            t.p50_ms,
            t.p99_ms,
            t.max_ms,
            t.rows
        );
    }
    let _ = writeln!(s, "{:<40} {:>9.2}", "first page, cold (first request)", r.cold_first_page_ms);
    s
}
