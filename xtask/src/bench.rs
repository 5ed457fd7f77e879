//! `cargo xtask bench`: the figures we hold ourselves to, measured, never
//! asserted. Prints a table and writes the same figures as JSON to
//! `target/bench/bench.json`.
//!
//! - bundle: the loader, the widget's wasm, JS glue and CSS, raw / gzip /
//!   brotli, and what a host page downloads before the launcher is opened;
//! - routing: one decision with 1,000 agents and 200 rules (criterion);
//! - first card: launcher click to the first card on the demo page, in
//!   headless Chromium with a fresh profile (cold cache) per run;
//! - designer: the stream designer opening a 200-card stream and redrawing
//!   after an edit, beside the console's agent list as a floor, in headless
//!   Chromium (`crates/e2e/src/bin/designer_render.rs`);
//! - load: `switchboard-loadgen` (`crates/loadgen`) against a server it
//!   spawns: server memory per idle visitor socket, delivery latency at a
//!   steady message rate, lost and duplicated messages. Arguments after
//!   `bench` go to it (`cargo xtask bench --idle 20000 --rate 5000`);
//! - admin list: `switchboard-admin-list` (`crates/loadgen`) seeds a
//!   million conversations, starts the server on them and times the
//!   admin's conversation list (filters, deep pages, search) beside a floor
//!   (`/healthz`, `/api/auth/me`) measured in the same run.
//!   `cargo xtask bench admin-list [--conversations N]` runs only this;
//! - reports: `switchboard-report-bench` (`crates/loadgen`) seeds a million
//!   conversations with their ten million facts and times the live chat
//!   report over 366 days and over the last 7 days: from the facts alone,
//!   then packing every full block into digests, then from the digests
//!   beside floors on the same rows (the facts counted in SQLite; the
//!   digests read out, nothing decoded), and agent messages (which record
//!   each chat's first reply) against visitor messages (which record
//!   nothing) appended the same way.
//!   `cargo xtask bench reports [--conversations N] [--data DIR]` runs
//!   only this (`--data` keeps the seeded database for the next run);
//! - cluster: `switchboard-cluster-bench` (`crates/loadgen`) on a
//!   throwaway PostgreSQL and nats-server: messages a second and delivery
//!   latency for one node on PostgreSQL and for three nodes with every
//!   delivery across nodes, routing decisions a second cluster-wide, and
//!   the time for a killed node's 10,000 visitors to resume on the others,
//!   beside `pgbench`'s transactions a second on the same PostgreSQL.
//!   `cargo xtask bench cluster [flags]` runs only this.

use anyhow::Context;
use serde_json::{json, Value};

use crate::{brotli, build_bundles, gzip, root, services, tools, Progress};

/// Sizes of one file: raw, gzip -9, brotli q11 (as the server sends them).
fn sizes(bytes: &[u8]) -> anyhow::Result<[usize; 3]> {
    Ok([bytes.len(), gzip(bytes)?.len(), brotli(bytes)?.len()])
}

fn kb(n: usize) -> String {
    format!("{:.1}", n as f64 / 1000.0)
}

/// Runs a binary of `switchboard-loadgen` (optimized: the bench profile;
/// `bin` none: its default, the load generator) with `args`, writing its
/// JSON to `out/{name}.json`; returns its table and its JSON.
fn run_loadgen(
    bin: Option<&str>,
    args: &[String],
    out: &std::path::Path,
    name: &str,
) -> anyhow::Result<(String, Value)> {
    let json = out.join(format!("{name}.json"));
    let what = bin.unwrap_or("switchboard-loadgen");
    let mut command = std::process::Command::new(env!("CARGO"));
    command.args(["run", "--profile", "bench", "-p", "switchboard-loadgen"]);
    if let Some(bin) = bin {
        command.args(["--bin", bin]);
    }
    let output = command
        .arg("--")
        .arg("--json")
        .arg(&json)
        .args(args)
        .current_dir(root())
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("running {what}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    anyhow::ensure!(output.status.success(), "{what} failed ({}):\n{stdout}", output.status);
    let table = stdout.lines().filter(|l| !l.starts_with("written:")).collect::<Vec<_>>().join("\n");
    let report = serde_json::from_str(
        &std::fs::read_to_string(&json).with_context(|| format!("reading {}", json.display()))?,
    )?;
    Ok((table, report))
}

/// Runs the load generator with `args` (see [`run_loadgen`]).
fn run_load(args: &[String], out: &std::path::Path, name: &str) -> anyhow::Result<(String, Value)> {
    run_loadgen(None, args, out, name)
}

/// Runs the admin list's benchmark with `args` (see [`run_loadgen`]).
fn run_admin_list(args: &[String], out: &std::path::Path) -> anyhow::Result<(String, Value)> {
    run_loadgen(Some("switchboard-admin-list"), args, out, "admin_list")
}

/// Runs the report's benchmark with `args` (see [`run_loadgen`]).
fn run_reports(args: &[String], out: &std::path::Path) -> anyhow::Result<(String, Value)> {
    run_loadgen(Some("switchboard-report-bench"), args, out, "reports")
}

/// The cluster's benchmark with `args` on a throwaway PostgreSQL and a
/// private nats-server, after PostgreSQL's own `pgbench` on the same
/// cluster as the floor (its TPS joins the table and the JSON).
fn run_cluster_with(
    progress: &Progress,
    args: &[String],
    out: &std::path::Path,
) -> anyhow::Result<(String, Value)> {
    let given = args.iter().find(|a| a.starts_with("--postgres") || a.starts_with("--nats-url"));
    anyhow::ensure!(
        given.is_none(),
        "{} is not for `bench cluster`: it starts its own",
        given.unwrap_or(&String::new())
    );
    let pg = services::Postgres::start(progress)?;
    let nats = services::Nats::start(&services::ensure_nats_server(progress)?)?;
    progress.step("pgbench: PostgreSQL's own transactions a second on the same cluster (the floor)");
    let tps = pg.pgbench(10)?;
    progress
        .step("Cluster: one node on PostgreSQL, three on NATS; routing; a killed node's visitors resuming");
    let args = [args, &["--postgres".to_owned(), pg.url(), "--nats-url".to_owned(), nats.url()]].concat();
    let (table, mut report) = run_loadgen(Some("switchboard-cluster-bench"), &args, out, "cluster")?;
    report["pgbench_tps"] = json!(tps);
    std::fs::write(out.join("cluster.json"), serde_json::to_string_pretty(&report)?)?;
    let floor = format!("{tps:.0} tps");
    Ok((
        format!(
            "{table}
{:<44} {floor:>24}",
            "floor: pgbench (TPC-B-like, 8 clients)"
        ),
        report,
    ))
}

/// [`run_cluster_with`] alone (`cargo xtask bench cluster`).
fn run_cluster(args: &[String], out: &std::path::Path) -> anyhow::Result<(String, Value)> {
    run_cluster_with(&Progress::new(4), args, out)
}

/// What the cluster's figures are held to.
const CLUSTER_TARGETS: &str =
    "targets: nothing lost or duplicated; a killed node's 10,000 visitors back within 10 s; \
     messages a second on PostgreSQL beside pgbench's transactions a second";

/// A benchmark binary's run: its table and its JSON.
type Bench = fn(&[String], &std::path::Path) -> anyhow::Result<(String, Value)>;

/// What the report's figures are held to.
const REPORT_TARGETS: &str =
    "targets: the 366-day report ≤ 500 ms; recording the first reply ≤ 10 % of delivery throughput";

/// Runs the benchmarks; `load_args` go to the load generator, unless the
/// first is `admin-list` or `reports`: then only that one's runs, with the
/// rest.
pub fn run(load_args: &[String]) -> anyhow::Result<()> {
    let out = root().join("target/bench");
    let only: Option<(Bench, &str, &str)> = match load_args.first().map(String::as_str) {
        Some("admin-list") => Some((run_admin_list, "admin_list.json", "")),
        Some("reports") => Some((run_reports, "reports.json", REPORT_TARGETS)),
        Some("cluster") => Some((run_cluster, "cluster.json", CLUSTER_TARGETS)),
        _ => None,
    };
    if let Some((bench, json, targets)) = only {
        std::fs::create_dir_all(&out)?;
        let (table, _) = bench(&load_args[1..], &out)?;
        println!("\n{table}");
        if !targets.is_empty() {
            println!("{targets}");
        }
        println!("\nwritten: {}", out.join(json).display());
        return Ok(());
    }
    let progress = Progress::new(17);
    tools::ensure_wasm_toolchain(&progress)?;
    build_bundles(&progress)?;

    let dist = root().join("target/dist/widget");
    let files = [
        ("loader (widget.js)", "widget.js"),
        ("wasm", "switchboard-widget_bg.wasm"),
        ("JS glue", "switchboard-widget.js"),
        ("CSS", "widget.css"),
    ];
    let mut bundle = serde_json::Map::new();
    let mut rows = Vec::new();
    for (label, file) in files {
        let bytes = std::fs::read(dist.join(file)).with_context(|| format!("reading {file}"))?;
        let s = sizes(&bytes)?;
        bundle.insert(file.to_owned(), json!({ "raw": s[0], "gzip": s[1], "brotli": s[2] }));
        rows.push((label.to_owned(), s));
    }
    let sum = |names: &[&str]| -> [usize; 3] {
        let mut t = [0; 3];
        for n in names {
            for (i, v) in t.iter_mut().enumerate() {
                *v += bundle[*n][["raw", "gzip", "brotli"][i]].as_u64().unwrap_or(0) as usize;
            }
        }
        t
    };
    // Before the launcher is opened a host page loads the loader and the
    // CSS of the launcher (plus the small config JSON); the widget itself
    // only when opened (or prefetched when the page is idle).
    let before_open = sum(&["widget.js", "widget.css"]);
    let widget = sum(&["switchboard-widget_bg.wasm", "switchboard-widget.js", "widget.css"]);
    rows.push(("before the launcher is opened".to_owned(), before_open));
    rows.push(("whole widget (wasm + glue + CSS)".to_owned(), widget));
    bundle.insert(
        "before_open".into(),
        json!({ "raw": before_open[0], "gzip": before_open[1], "brotli": before_open[2] }),
    );
    bundle.insert("widget".into(), json!({ "raw": widget[0], "gzip": widget[1], "brotli": widget[2] }));
    // The admin console: its own bundle, which only admins download (its
    // file names carry hashes: every file Trunk wrote but the page).
    let mut console = [0; 3];
    for entry in std::fs::read_dir(root().join("target/dist/admin"))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if name.ends_with(".br") || name.ends_with(".gz") || name == "index.html" {
            continue;
        }
        let s = sizes(&std::fs::read(&path)?)?;
        for (t, v) in console.iter_mut().zip(s) {
            *t += v;
        }
    }
    rows.push(("admin console (wasm + glue + CSS + start.js)".to_owned(), console));
    bundle.insert("console".into(), json!({ "raw": console[0], "gzip": console[1], "brotli": console[2] }));

    progress.step("Routing: one decision with 1,000 agents and 200 rules (criterion)");
    let status = std::process::Command::new(env!("CARGO"))
        .args(["bench", "-p", "switchboard-routing", "--bench", "routing", "--", "--warm-up-time", "2"])
        .args(["--measurement-time", "5"])
        .current_dir(root())
        .status()
        .context("running cargo bench")?;
    anyhow::ensure!(status.success(), "the routing benchmark failed ({status})");
    let mut routing = serde_json::Map::new();
    // Criterion writes under cargo's target directory, wherever that is.
    let target = std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into());
    let criterion = root().join(target).join("criterion");
    for (key, dir) in [
        ("decision_1000_agents_200_rules_ns", "routing decision, 1000 agents, 200 rules"),
        ("team_of_50_ns", "team of 50, 1000 agents (no rules)"),
        ("round_robin_ns", "round robin, 1000 agents (no rules)"),
    ] {
        let path = criterion.join(dir).join("new/estimates.json");
        let estimates: Value = serde_json::from_str(
            &std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?,
        )?;
        routing.insert(key.into(), estimates["mean"]["point_estimate"].clone());
    }

    progress.step("Launcher click to first card (headless Chromium, fresh profile each run)");
    let first_card = first_card(&progress)?;
    progress.step("Stream designer on 200 cards: open and edit, beside the agent list (headless Chromium)");
    let designer = browser_bench(&progress, "designer_render")?;
    std::fs::create_dir_all(&out)?;
    progress.step("Load: idle sockets and message traffic against a spawned server (switchboard-loadgen)");
    let (load_table, load) = run_load(load_args, &out, "load")?;
    progress
        .step("Chat while 8 tasks guess passwords, beside the same load without them (switchboard-loadgen)");
    let small: Vec<String> =
        ["--idle", "0", "--conversations", "50", "--rate", "500", "--secs", "10"].map(String::from).to_vec();
    let (_, calm) = run_load(&small, &out, "load_calm")?;
    let guessing_args = [small, vec!["--guessers".into(), "8".into()]].concat();
    let (_, guessing) = run_load(&guessing_args, &out, "load_guessing")?;
    progress.step("Admin list over 1,000,000 stored conversations (switchboard-admin-list)");
    let (admin_list_table, admin_list) = run_admin_list(&[], &out)?;
    progress.step(
        "Chat report over 1,000,000 conversations and 10,000,000 facts; the facts' cost to delivery \
         (switchboard-report-bench)",
    );
    let (reports_table, reports) = run_reports(&[], &out)?;
    // Last and needing PostgreSQL and nats-server: should it fail, the
    // figures above are still printed and written, then the run fails.
    let cluster_run = run_cluster_with(&progress, &[], &out);
    let (cluster_table, cluster) = match &cluster_run {
        Ok((table, report)) => (table.clone(), report.clone()),
        Err(e) => (format!("cluster bench failed: {e:#}"), json!({ "error": format!("{e:#}") })),
    };

    println!("\n{:<36} {:>9} {:>9} {:>9}", "bundle (KB)", "raw", "gzip", "brotli");
    for (label, s) in &rows {
        println!("{label:<36} {:>9} {:>9} {:>9}", kb(s[0]), kb(s[1]), kb(s[2]));
    }
    println!("targets: loader ≤ 3 KB brotli; whole widget ≤ 60 KB brotli\n");
    println!("{:<36} {:>9}", "routing", "µs");
    for (k, v) in &routing {
        println!("{k:<36} {:>9.2}", v.as_f64().unwrap_or(f64::NAN) / 1000.0);
    }
    println!("target: one decision ≤ 10 µs");
    println!("\n{:<36} {:>12} {:>12}", "launcher click → (ms, median/max)", "stream shown", "first card");
    for key in ["click_at_once", "click_after_idle"] {
        let m = |what: &str, stat: &str| first_card[key][what][stat].as_f64().unwrap_or(f64::NAN);
        println!(
            "{key:<36} {:>5.0} / {:<4.0} {:>6.0} / {:<4.0}",
            m("stream_shown", "median_ms"),
            m("stream_shown", "max_ms"),
            m("first_card", "median_ms"),
            m("first_card", "max_ms")
        );
    }
    println!("target: launcher click to first card painted ≤ 100 ms (localhost, cold cache)");
    println!("\n{:<36} {:>12}", "stream designer (ms, median/max)", "");
    for (key, label) in [
        ("open_200_cards", "open a 200-card stream (drawn)"),
        ("edit_a_card", "edit a card's text (all redrawn)"),
        ("floor_agent_list", "floor: open the agent list"),
    ] {
        let m = |stat: &str| designer[key][stat].as_f64().unwrap_or(f64::NAN);
        println!("{label:<36} {:>5.0} / {:<4.0}", m("median_ms"), m("max_ms"));
    }
    println!("\n{load_table}");
    let p99 = |r: &Value| r["traffic"]["latency_ms"]["p99"].as_f64().unwrap_or(f64::NAN);
    println!(
        "{:<36} {:>16}",
        "delivery p99, 500 msg/s: calm / 8 guessing",
        format!("{:.2} / {:.2} ms", p99(&calm), p99(&guessing))
    );
    println!(
        "{:<36} {:>16}",
        "  guesses checked meanwhile",
        guessing["traffic"]["guesses"].as_u64().unwrap_or(0).to_string()
    );
    println!("target: delivery p99 ≤ 50 ms while 8 tasks guess passwords");
    println!("\n{admin_list_table}");
    println!("target: every list request a few ms above the floor; search grows with its matches");
    println!("\n{reports_table}");
    println!("{REPORT_TARGETS}");
    println!("\n{cluster_table}");
    println!("{CLUSTER_TARGETS}");
    println!("(cores: {})", std::thread::available_parallelism().map_or(0, |n| n.get()));

    let report = json!({
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "bundle": bundle,
        "routing": routing,
        "first_card": first_card,
        "designer": designer,
        "load": load,
        "load_calm": calm,
        "load_guessing": guessing,
        "admin_list": admin_list,
        "reports": reports,
        "cluster": cluster,
    });
    std::fs::write(out.join("bench.json"), serde_json::to_string_pretty(&report)?)?;
    println!("\nwritten: {}", out.join("bench.json").display());
    cluster_run.map(|_| ())
}

/// Runs `switchboard-e2e`'s `first_card` against the built bundles.
fn first_card(progress: &Progress) -> anyhow::Result<Value> {
    browser_bench(progress, "first_card")
}

/// Runs the browser measurement `bin` of `switchboard-e2e` (5 runs) against
/// the built bundles; answers the JSON it prints last.
fn browser_bench(progress: &Progress, bin: &str) -> anyhow::Result<Value> {
    let (chromium, chromedriver) = tools::ensure_browser(progress)?;
    let out = std::process::Command::new(env!("CARGO"))
        .args(["run", "--quiet", "-p", "switchboard-e2e", "--bin", bin, "--", "5"])
        .env("SWITCHBOARD_E2E_DIST", root().join("target/dist"))
        .env("SWITCHBOARD_E2E_CHROMEDRIVER", chromedriver)
        .env("SWITCHBOARD_E2E_CHROMIUM", chromium)
        .current_dir(root())
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("running {bin}"))?;
    anyhow::ensure!(out.status.success(), "{bin} failed ({})", out.status);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).with_context(|| format!("{bin} printed {line:?}"))
}
