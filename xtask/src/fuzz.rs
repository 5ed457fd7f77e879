//! `cargo xtask fuzz [RUNS | SECONDSs]`: coverage-guided fuzzing of the
//! protocol crate's parsers (the crate in `fuzz/`, targets in
//! `fuzz/fuzz_targets/`), with cargo-fuzz and libFuzzer, one target after the
//! other; then one line per target with its runs and crashes.
//!
//! Each run starts from the checked-in seeds (`fuzz/seeds/<target>`) and
//! crash inputs kept as regressions (`fuzz/regressions/<target>`), so those
//! are replayed first, and grows `fuzz/corpus/<target>` (not checked in).
//! libFuzzer stops at the first crash and writes it to
//! `fuzz/artifacts/<target>/`; the full output is in
//! `target/fuzz/<target>.log`.
//!
//! `cargo xtask test` runs [`smoke`]: each target for a few seconds from its
//! seeds and regressions, built without a sanitizer.
//!
//! libFuzzer's instrumentation and AddressSanitizer take unstable rustc flags:
//! on the stable toolchain they are allowed with `RUSTC_BOOTSTRAP=1`, for the
//! fuzz crate's build only.

use anyhow::{bail, Context};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{root, tools, Progress};

/// Each target with its libFuzzer dictionary (in `fuzz/dicts/`).
pub const TARGETS: [(&str, &str); 3] =
    [("json", "json.dict"), ("wire", "json.dict"), ("stream_file", "toml.dict")];

/// Runs per target when no budget is given.
const DEFAULT_RUNS: u64 = 10_000_000;

/// How long each target runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// This many executions.
    Runs(u64),
    /// This many seconds.
    Seconds(u64),
}

impl Budget {
    fn parse(arg: Option<&str>) -> anyhow::Result<Self> {
        let Some(arg) = arg else { return Ok(Self::Runs(DEFAULT_RUNS)) };
        let parsed = match arg.strip_suffix('s') {
            Some(secs) => secs.parse().map(Self::Seconds),
            None => arg.replace('_', "").parse().map(Self::Runs),
        };
        match parsed {
            Ok(b) if b != Self::Runs(0) && b != Self::Seconds(0) => Ok(b),
            _ => bail!("usage: cargo xtask fuzz [RUNS | SECONDSs]  (default {DEFAULT_RUNS} runs per target)"),
        }
    }

    fn flag(self) -> String {
        match self {
            Self::Runs(n) => format!("-runs={n}"),
            Self::Seconds(s) => format!("-max_total_time={s}"),
        }
    }
}

/// What one target's run did.
#[derive(Debug, Default, PartialEq)]
pub struct Report {
    /// The target.
    pub target: &'static str,
    /// Executions, as libFuzzer counted them.
    pub runs: u64,
    /// libFuzzer's executions per second.
    pub execs_per_sec: u64,
    /// libFuzzer's own time, in seconds.
    pub seconds: u64,
    /// Crashes (libFuzzer stops at the first), with where the input was written.
    pub crashes: Vec<String>,
    /// Whether the run ended as asked.
    pub ok: bool,
}

impl Report {
    /// Reads libFuzzer's closing lines (`#N DONE … exec/s: X`, `Done N runs in S second(s)`).
    fn read(target: &'static str, output: &str, ok: bool) -> Self {
        let mut r = Report { target, ok, ..Default::default() };
        let number = |s: &str| s.trim().parse::<u64>().ok();
        for line in output.lines() {
            if let Some(rest) = line.strip_prefix("Done ") {
                let mut words = rest.split_whitespace();
                r.runs = words.next().and_then(number).unwrap_or(r.runs);
                r.seconds = words.nth(2).and_then(number).unwrap_or(r.seconds);
            } else if line.starts_with('#') && line.contains("DONE") {
                let after = line.split("exec/s:").nth(1).unwrap_or_default();
                r.execs_per_sec = after.split_whitespace().next().and_then(number).unwrap_or(0);
            } else if let Some(at) = line.split("Test unit written to ").nth(1) {
                r.crashes.push(at.trim().to_owned());
            } else if line.starts_with("stat::number_of_executed_units:") && r.runs == 0 {
                r.runs = line.rsplit(':').next().and_then(number).unwrap_or(0);
            }
        }
        r
    }

    /// One summary line.
    pub fn line(&self) -> String {
        let status = if self.ok && self.crashes.is_empty() { "ok" } else { "FAILED" };
        let mut line = format!(
            "{:<13} {status:<6} {} runs, {} exec/s, {} s, {} crashes",
            format!("{}:", self.target),
            self.runs,
            self.execs_per_sec,
            self.seconds,
            self.crashes.len()
        );
        for c in &self.crashes {
            line.push_str(&format!(" ({c})"));
        }
        line
    }
}

/// How the targets are built (optimized, as cargo-fuzz does): the long runs
/// with AddressSanitizer; the smoke in `cargo xtask test` without, which
/// builds cold in about two thirds of the time, into its own directory so
/// the two builds do not undo each other.
#[derive(Debug, Clone, Copy)]
struct Build {
    sanitizer: &'static str,
    target_dir: Option<&'static str>,
}

const LONG: Build = Build { sanitizer: "address", target_dir: None };
const SMOKE: Build = Build { sanitizer: "none", target_dir: Some("fuzz/target/smoke") };

/// `cargo fuzz <verb>` with `build`'s flags, from the workspace root.
fn cargo_fuzz(verb: &str, build: Build) -> Command {
    let mut c = tools::command("cargo");
    c.args(["fuzz", verb, "-s", build.sanitizer]).current_dir(root()).env("RUSTC_BOOTSTRAP", "1");
    if let Some(dir) = build.target_dir {
        c.args(["--target-dir", dir]);
    }
    c
}

/// Builds every target.
fn build(build: Build) -> anyhow::Result<()> {
    let status = cargo_fuzz("build", build).status().context("running cargo fuzz build")?;
    anyhow::ensure!(status.success(), "cargo fuzz build failed ({status})");
    Ok(())
}

/// Runs `target` for `budget`, growing `corpus` (relative to the workspace
/// root), echoing libFuzzer's progress (not each new input) and keeping
/// everything in `target/fuzz/<target>.log`.
fn run_target(
    target: &'static str,
    dict: &str,
    budget: Budget,
    build: Build,
    corpus: &str,
) -> anyhow::Result<Report> {
    std::fs::create_dir_all(root().join(corpus))?;
    let mut args = vec![target.to_owned(), corpus.to_owned()];
    for dir in ["seeds", "regressions"] {
        if root().join("fuzz").join(dir).join(target).is_dir() {
            args.push(format!("fuzz/{dir}/{target}"));
        }
    }
    args.extend(["--".into(), budget.flag(), format!("-dict=fuzz/dicts/{dict}"), "-timeout=30".into()]);
    args.push("-print_final_stats=1".into());
    let dir = build.target_dir.map(|d| format!(" --target-dir {d}")).unwrap_or_default();
    eprintln!("    RUSTC_BOOTSTRAP=1 cargo fuzz run -s {}{dir} {}", build.sanitizer, args.join(" "));
    let logs = root().join("target/fuzz");
    std::fs::create_dir_all(&logs)?;
    let mut log = std::fs::File::create(logs.join(format!("{target}.log")))?;
    let mut child = cargo_fuzz("run", build)
        .args(&args)
        .stderr(Stdio::piped())
        .spawn()
        .context("starting cargo fuzz run")?;
    let mut output = String::new();
    for line in BufReader::new(child.stderr.take().expect("piped")).lines().map_while(Result::ok) {
        let _ = writeln!(log, "{line}");
        let progress = ["pulse", "DONE", "INITED"].iter().any(|w| line.contains(w));
        if progress || !(line.starts_with('#') || line.starts_with("\tNEW_FUNC")) {
            eprintln!("{line}");
        }
        output.push_str(&line);
        output.push('\n');
    }
    let status = child.wait()?;
    Ok(Report::read(target, &output, status.success()))
}

/// `cargo xtask fuzz [RUNS | SECONDSs]`.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let budget = Budget::parse(args.first().map(String::as_str))?;
    let progress = Progress::new(2 + TARGETS.len());
    progress.step("Checking cargo-fuzz");
    tools::ensure_cargo_fuzz()?;
    progress.step("Building the fuzz targets (cargo fuzz build, AddressSanitizer)");
    build(LONG)?;
    let started = Instant::now();
    let mut reports = Vec::new();
    for (target, dict) in TARGETS {
        progress.step(&format!("Fuzzing {target} ({budget:?})"));
        reports.push(run_target(target, dict, budget, LONG, &format!("fuzz/corpus/{target}"))?);
    }
    println!("\n==> Fuzzing ({:.0?})", started.elapsed());
    for r in &reports {
        println!("{}", r.line());
    }
    let bad: Vec<_> = reports.iter().filter(|r| !r.ok || !r.crashes.is_empty()).map(|r| r.target).collect();
    anyhow::ensure!(bad.is_empty(), "fuzzing failed: {} (inputs under fuzz/artifacts/)", bad.join(", "));
    Ok(())
}

/// The smoke in `cargo xtask test`: every target for `seconds`, from the
/// seeds and regressions only (a fresh corpus under `target/fuzz/smoke/`).
/// Returns each target's report.
pub fn smoke(seconds: u64) -> anyhow::Result<Vec<Report>> {
    tools::ensure_cargo_fuzz()?;
    build(SMOKE)?;
    let mut reports = Vec::new();
    for (target, dict) in TARGETS {
        let corpus = format!("target/fuzz/smoke/{target}");
        let _ = std::fs::remove_dir_all(root().join(&corpus));
        reports.push(run_target(target, dict, Budget::Seconds(seconds), SMOKE, &corpus)?);
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_are_runs_or_seconds() {
        assert_eq!(Budget::parse(None).unwrap(), Budget::Runs(DEFAULT_RUNS));
        assert_eq!(Budget::parse(Some("1_000")).unwrap(), Budget::Runs(1000));
        assert_eq!(Budget::parse(Some("30s")).unwrap(), Budget::Seconds(30));
        assert!(Budget::parse(Some("0")).is_err());
        assert!(Budget::parse(Some("soon")).is_err());
    }

    #[test]
    fn reads_libfuzzers_closing_lines() {
        let out = "#2798862\tDONE   cov: 3031 ft: 8365 corp: 1886/223Kb lim: 4096 exec/s: 30756 rss: 506Mb\n\
                   Done 2798862 runs in 91 second(s)\n";
        let r = Report::read("wire", out, true);
        assert_eq!((r.runs, r.execs_per_sec, r.seconds, r.crashes.len()), (2798862, 30756, 91, 0));
        let crash = "==1== ERROR: libFuzzer: deadly signal\n\
                     artifact_prefix='fuzz/artifacts/json/'; Test unit written to fuzz/artifacts/json/crash-34\n\
                     stat::number_of_executed_units: 120\n";
        let r = Report::read("json", crash, false);
        assert_eq!(
            (r.runs, r.crashes.as_slice()),
            (120, ["fuzz/artifacts/json/crash-34".to_owned()].as_slice())
        );
        assert!(r.line().contains("FAILED"));
    }
}
