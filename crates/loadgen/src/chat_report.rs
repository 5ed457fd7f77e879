//! The live chat report over many stored conversations and their facts
//! (`switchboard-report-bench`, run by `cargo xtask bench`): seeds a
//! SQLite file in bulk ([`crate::seed`], about 10 facts a conversation),
//! then, in this process on the store itself, times:
//!
//! - [`reports::chats`] over the longest range a report covers (366 days:
//!   every seeded conversation) and over the last 7 days: once from the
//!   facts alone (before any block is packed: what a report costs without
//!   digests), then packing every full block ([`reports::seal`], timed),
//!   then from the digests, beside two floors on the same rows in the same
//!   run: counting the facts inside SQLite (the scan alone) and reading
//!   out the digests the report reads through the same pool (nothing
//!   decoded or added up);
//! - what recording facts costs delivery: agent messages appended one at
//!   a time through [`Store::append_message`] (which marks, and records,
//!   the chat's first reply), beside visitor messages appended the same
//!   way to the same chats, in pairs, each way first in turn.
//!
//! Each time is wall time, runs one after another.

use anyhow::Context;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use switchboard_protocol::admin::{ChatReport, ReportQuery};
use switchboard_protocol::wire::{Author, ConversationState};
use switchboard_server::ids::ConversationId;
use switchboard_server::reports::{self, digest, Scope};
use switchboard_server::store::admin_conversations::ListFilter;
use switchboard_server::store::Store;
use switchboard_server::Clock;

use crate::seed::{database_url, seed};

/// The flags.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    about = "Times the live chat report over many stored conversations, and what its facts cost delivery"
)]
pub struct Options {
    /// Conversations to seed.
    #[arg(long, default_value_t = 1_000_000)]
    pub conversations: u64,
    /// Timed runs of each report and floor (after one untimed run).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Messages appended each way (agent, visitor), in pairs.
    #[arg(long, default_value_t = 10_000)]
    pub appends: usize,
    /// Also write the figures as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Keep the data in this directory (seeded only when it has no
    /// database yet), rather than in a temporary one: to run again on the
    /// same data, or to look at it. (Each run appends its messages to it.)
    #[arg(long)]
    pub data: Option<PathBuf>,
}

const DAY_MS: i64 = 24 * 3600 * 1000;

/// Median and slowest of some runs.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Times {
    /// Median, ms (nearest rank).
    pub median_ms: f64,
    /// Slowest, ms.
    pub max_ms: f64,
}

impl Times {
    fn of(mut ms: Vec<f64>) -> Self {
        ms.sort_by(f64::total_cmp);
        let median = ms.get(ms.len().saturating_sub(1) / 2).copied().unwrap_or(f64::NAN);
        Self { median_ms: median, max_ms: ms.last().copied().unwrap_or(f64::NAN) }
    }
}

/// One range's report and its floors.
#[derive(Debug, Clone, Serialize)]
pub struct RangeTiming {
    /// Which range.
    pub range: String,
    /// Its first and last day (UTC).
    pub from: String,
    /// The last day, included.
    pub to: String,
    /// Conversations that started in it.
    pub conversations: u64,
    /// Their facts.
    pub events: u64,
    /// Conversations the report counted as requested (all of them).
    pub requested: u64,
    /// Runs timed of each.
    pub runs: usize,
    /// Floor: the facts counted inside SQLite.
    pub floor_count: Times,
    /// Floor: the digests the report reads, read out through the pool,
    /// nothing decoded.
    pub floor_read: Times,
    /// `reports::chats`: read, decoded (or folded), added up, with its
    /// names.
    pub report: Times,
    /// The untimed first report from the digests (cold caches), ms.
    pub first_report_ms: f64,
    /// The same report from the facts alone, before the blocks were
    /// packed (one run), ms.
    pub from_facts_ms: f64,
}

/// What recording facts costs delivery.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// Active chats written to, in turn.
    pub chats: usize,
    /// Messages appended each way.
    pub messages: usize,
    /// Visitor messages a second (no fact written).
    pub visitor_per_s: f64,
    /// Agent messages a second (each chat's first reply recorded, in the
    /// same transaction).
    pub agent_per_s: f64,
    /// Delivery throughput the facts cost, % (1 − agent/visitor rate).
    pub cost_pct: f64,
    /// Visitor messages a second, the slowest 1 % left out.
    pub visitor_per_s_trimmed: f64,
    /// Agent messages a second, the slowest 1 % left out.
    pub agent_per_s_trimmed: f64,
    /// The cost from those, %.
    pub trimmed_cost_pct: f64,
    /// The median visitor message, µs.
    pub visitor_median_us: f64,
    /// The median agent message, µs.
    pub agent_median_us: f64,
    /// The same cost from the medians, %: a steadier figure when the
    /// machine is shared.
    pub median_cost_pct: f64,
}

/// Everything one run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// CPU cores.
    pub cores: usize,
    /// Conversations stored.
    pub conversations: u64,
    /// Facts stored.
    pub events: u64,
    /// Seconds the seeding took (0 when the data was there).
    pub seed_secs: f64,
    /// Seconds packing every full block took.
    pub seal_secs: f64,
    /// Blocks packed.
    pub digests: usize,
    /// Their bytes.
    pub digest_bytes: u64,
    /// The database file, bytes.
    pub db_bytes: u64,
    /// The ranges.
    pub ranges: Vec<RangeTiming>,
    /// The delivery cost.
    pub delivery: Delivery,
}

fn ms_since(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// A day `days` before `now_ms` (UTC), as `YYYY-MM-DD`.
fn date_days_before(now_ms: i64, days: i64) -> String {
    jiff::Timestamp::from_millisecond(now_ms - days * DAY_MS)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The report over `query` from the facts alone (no block packed yet):
/// the report, and how long it took (ms).
async fn from_facts(store: &Store, query: &ReportQuery, now: i64) -> anyhow::Result<(ChatReport, f64)> {
    let scope = Scope::new(store, query, now).await.context("the report's range")?;
    let started = Instant::now();
    let report = reports::chats(store, &scope).await?;
    Ok((report, ms_since(started)))
}

/// Times the report over `query`, beside its floors; `facts` is the same
/// report from the facts alone, and how long it took.
async fn range(
    store: &Store,
    name: &str,
    query: ReportQuery,
    now: i64,
    runs: usize,
    facts: (ChatReport, f64),
) -> anyhow::Result<RangeTiming> {
    let scope = Scope::new(store, &query, now).await.context("the report's range")?;
    let (first, last) = store
        .conversations_started(scope.days.start_ms(), scope.days.end_ms())
        .await?
        .with_context(|| format!("no conversation started in {name}"))?;
    let (first_block, last_block) = (digest::block_of(first), digest::block_of(last));
    let read_digests = || async {
        let rows = store.chat_digests(first_block, last_block).await?;
        anyhow::Ok(rows.iter().map(|(_, body)| body.len()).sum::<usize>())
    };
    let events = store.bench_count_events(first, last).await?;
    let bytes = read_digests().await?;
    let started = Instant::now();
    let first_report = reports::chats(store, &scope).await?;
    let first_report_ms = ms_since(started);
    anyhow::ensure!(first_report == facts.0, "the report from the digests is not the one from the facts");
    let (mut count, mut read, mut report) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let started = Instant::now();
        anyhow::ensure!(store.bench_count_events(first, last).await? == events, "the facts changed");
        count.push(ms_since(started));
        let started = Instant::now();
        anyhow::ensure!(read_digests().await? == bytes, "the digests changed");
        read.push(ms_since(started));
        let started = Instant::now();
        let r = reports::chats(store, &scope).await?;
        report.push(ms_since(started));
        anyhow::ensure!(r == first_report, "the report changed between runs");
    }
    eprintln!("  {name}: done");
    Ok(RangeTiming {
        range: name.to_owned(),
        from: scope.days.from_name(),
        to: scope.days.to_name(),
        conversations: u64::try_from(last.get() - first.get() + 1)?,
        events,
        requested: first_report.totals.requested,
        runs,
        floor_count: Times::of(count),
        floor_read: Times::of(read),
        report: Times::of(report),
        first_report_ms,
        from_facts_ms: facts.1,
    })
}

/// Appends one message by `author` to `chat`, as the server does (with
/// its own client id); answers the time it took.
async fn append(
    store: &Store,
    chat: ConversationId,
    author: Author,
    client_id: &str,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let now = Clock::system().now_ms();
    let (_, new) =
        store.append_message(chat, author, Some(client_id), "Thanks, one moment please.", now).await?;
    let took = started.elapsed();
    anyhow::ensure!(new, "{client_id} was stored before");
    Ok(took)
}

/// Times agent against visitor messages on the seeded active chats, in
/// pairs, either first at random, so that periodic work falls on either
/// alike.
async fn delivery(store: &Store, appends: usize) -> anyhow::Result<Delivery> {
    let active = ListFilter { state: Some(ConversationState::Active), limit: 200, ..ListFilter::default() };
    let chats: Vec<ConversationId> =
        store.admin_conversations(&active).await?.items.iter().map(|r| ConversationId::new(r.id)).collect();
    anyhow::ensure!(!chats.is_empty(), "no active chat was seeded to write to");
    // Client ids new to a database that earlier runs appended to.
    let run = Clock::system().now_ms();
    let (mut agent, mut visitor) = (Vec::with_capacity(appends), Vec::with_capacity(appends));
    for i in 0..appends {
        let chat = chats[i % chats.len()];
        let (a, v) = (format!("bench-{run}-agent-{i}"), format!("bench-{run}-visitor-{i}"));
        if agent_first(i) {
            agent.push(append(store, chat, Author::Agent, &a).await?);
            visitor.push(append(store, chat, Author::Visitor, &v).await?);
        } else {
            visitor.push(append(store, chat, Author::Visitor, &v).await?);
            agent.push(append(store, chat, Author::Agent, &a).await?);
        }
    }
    eprintln!("  delivery: done");
    let total = |d: &[Duration]| d.iter().sum::<Duration>();
    let rate = |d: &[Duration]| d.len() as f64 / total(d).as_secs_f64();
    agent.sort();
    visitor.sort();
    let median = |d: &[Duration]| d.get(d.len().saturating_sub(1) / 2).copied().unwrap_or_default();
    let (agent_median, visitor_median) = (median(&agent), median(&visitor));
    Ok(Delivery {
        chats: chats.len(),
        messages: appends,
        visitor_per_s: rate(&visitor),
        agent_per_s: rate(&agent),
        cost_pct: cost(total(&agent), total(&visitor)),
        visitor_per_s_trimmed: rate(trimmed(&visitor)),
        agent_per_s_trimmed: rate(trimmed(&agent)),
        trimmed_cost_pct: cost(total(trimmed(&agent)), total(trimmed(&visitor))),
        visitor_median_us: visitor_median.as_secs_f64() * 1e6,
        agent_median_us: agent_median.as_secs_f64() * 1e6,
        median_cost_pct: cost(agent_median, visitor_median),
    })
}

/// Whether the agent's message of pair `i` goes first: at random
/// (splitmix64 of `i`), not in turn. Some work falls due every few
/// commits (the full-text index merging its segments, we think), and with
/// a fixed order (A V, V A, …) it fell on the same author run after run:
/// agent appends cost 45 % more in two runs, 11 % in the next.
fn agent_first(i: usize) -> bool {
    let mut z = (i as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) & 1 == 1
}

/// Sorted times without the slowest 1 %: a stall of up to hundreds of ms
/// (a WAL checkpoint falling due, a neighbour's burst on a shared machine)
/// lands on either way at random, and a few of them sway totals by tens
/// of %.
fn trimmed(sorted: &[Duration]) -> &[Duration] {
    &sorted[..sorted.len() - sorted.len() / 100]
}

/// Throughput lost, %, when `with` took what `without` did.
fn cost(with: Duration, without: Duration) -> f64 {
    (1.0 - without.as_secs_f64() / with.as_secs_f64()) * 100.0
}

/// Runs the bench; answers its report.
pub async fn run(opts: &Options) -> anyhow::Result<Report> {
    let dir = tempfile::tempdir().context("creating the data directory")?;
    let data = opts.data.clone().unwrap_or_else(|| dir.path().join("data"));
    std::fs::create_dir_all(&data)?;
    let seed_secs = if data.join("switchboard.db").exists() {
        eprintln!("using the conversations in {}", data.display());
        0.0
    } else {
        eprintln!("seeding {} conversations…", opts.conversations);
        seed(&data, opts.conversations).await?.0
    };
    let store = Store::open(&database_url(&data)).await.context("opening the database")?;
    let db_bytes = std::fs::read_dir(&data)?.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum();
    let (first, last) = store.conversations_started(i64::MIN, i64::MAX).await?.context("no conversations")?;
    let conversations = u64::try_from(last.get() - first.get() + 1)?;
    let events = store.bench_count_events(first, last).await?;
    let now = Clock::system().now_ms();
    // The longest a report covers: 366 days, to today (the seed's year).
    let year = ReportQuery {
        from: Some(date_days_before(now, 365)),
        to: Some(date_days_before(now, 0)),
        ..ReportQuery::default()
    };
    let ranges = [("366 days", year), ("last 7 days", ReportQuery::default())];
    // From the facts first: a data directory kept from an earlier run
    // has its digests dropped, so that every run packs them again.
    store.bench_drop_digests().await?;
    let mut facts = Vec::new();
    for (name, query) in &ranges {
        facts.push(from_facts(&store, query, now).await?);
        eprintln!("  {name} from the facts: done");
    }
    eprintln!("packing the blocks…");
    let started = Instant::now();
    let digests = reports::seal(&store, usize::MAX).await?;
    let seal_secs = started.elapsed().as_secs_f64();
    let digest_bytes =
        store.chat_digests(i64::MIN, i64::MAX).await?.iter().map(|(_, body)| body.len() as u64).sum();
    let mut timed = Vec::new();
    for ((name, query), facts) in ranges.into_iter().zip(facts) {
        timed.push(range(&store, name, query, now, opts.runs, facts).await?);
    }
    let delivery = delivery(&store, opts.appends).await?;
    store.close().await;
    Ok(Report {
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        conversations,
        events,
        seed_secs,
        seal_secs,
        digests,
        digest_bytes,
        db_bytes,
        ranges: timed,
        delivery,
    })
}

/// The report as a table.
pub fn table(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "chat report over {} conversations, {} facts (seeded in {:.1} s; {:.0} MB on disk; {} cores)",
        r.conversations,
        r.events,
        r.seed_secs,
        r.db_bytes as f64 / 1e6,
        r.cores
    );
    let _ = writeln!(
        s,
        "packed into {} digests of {} conversations, {:.1} MB, in {:.1} s",
        r.digests,
        reports::digest::BLOCK,
        r.digest_bytes as f64 / 1e6,
        r.seal_secs
    );
    let _ = writeln!(
        s,
        "{:<40} {:>8} {:>9} {:>15} {:>15} {:>15} {:>9} {:>11}",
        "range (ms: median / max)",
        "chats",
        "facts",
        "floor: count",
        "floor: read",
        "report",
        "first",
        "from facts"
    );
    let pair = |t: Times| format!("{:.0} / {:.0}", t.median_ms, t.max_ms);
    for t in &r.ranges {
        let _ = writeln!(
            s,
            "{:<40} {:>8} {:>9} {:>15} {:>15} {:>15} {:>9.0} {:>11.0}",
            format!("{} ({} – {}) ×{}", t.range, t.from, t.to, t.runs),
            t.conversations,
            t.events,
            pair(t.floor_count),
            pair(t.floor_read),
            pair(t.report),
            t.first_report_ms,
            t.from_facts_ms
        );
    }
    let d = &r.delivery;
    let _ = writeln!(
        s,
        "{:<48} {:>10} {:>10} {:>10}",
        format!("appends, one at a time ({} each, {} chats)", d.messages, d.chats),
        "msg/s",
        "msg/s*",
        "median µs"
    );
    for (what, all, trimmed, median) in [
        (
            "  floor: visitor messages (no fact written)",
            d.visitor_per_s,
            d.visitor_per_s_trimmed,
            d.visitor_median_us,
        ),
        ("  agent messages (first reply recorded)", d.agent_per_s, d.agent_per_s_trimmed, d.agent_median_us),
    ] {
        let _ = writeln!(s, "{what:<48} {all:>10.0} {trimmed:>10.0} {median:>10.0}");
    }
    let _ = writeln!(
        s,
        "{:<48} {:>9.1}% {:>9.1}% {:>9.1}%",
        "  throughput the facts cost", d.cost_pct, d.trimmed_cost_pct, d.median_cost_pct
    );
    let _ = writeln!(s, "  (* the slowest 1 % each way left out: stalls land on either at random)");
    s
}
