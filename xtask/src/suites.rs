//! `cargo xtask test`: every suite runs (one failing does not hide the
//! others), each is counted from its own output, and the run ends with one
//! line per suite and a total. A suite fails when its command fails, when a
//! test failed, or when it ran no test at all.

use anyhow::Context;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use crate::{build_bundles, root, tools, Progress};

/// What one suite did.
struct Outcome {
    name: &'static str,
    passed: u64,
    failed: u64,
    skipped: u64,
    ok: bool,
    detail: String,
}

/// Runs `cmd`, echoing its output live while keeping a copy of stdout and stderr.
fn run_tee(mut cmd: Command) -> anyhow::Result<(bool, String, String)> {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().context("starting a suite")?;
    fn pump<R: Read + Send + 'static>(r: R, to_stderr: bool) -> std::thread::JoinHandle<String> {
        std::thread::spawn(move || {
            let mut kept = String::new();
            for line in BufReader::new(r).lines().map_while(Result::ok) {
                if to_stderr {
                    let _ = writeln!(std::io::stderr(), "{line}");
                } else {
                    let _ = writeln!(std::io::stdout(), "{line}");
                }
                kept.push_str(&line);
                kept.push('\n');
            }
            kept
        })
    }
    let out = pump(child.stdout.take().expect("piped"), false);
    let err = pump(child.stderr.take().expect("piped"), true);
    let status = child.wait()?;
    Ok((status.success(), out.join().unwrap_or_default(), err.join().unwrap_or_default()))
}

/// Sums every libtest / wasm-bindgen-test `test result:` line.
fn count(stdout: &str) -> (u64, u64, u64) {
    let (mut passed, mut failed, mut ignored) = (0, 0, 0);
    for line in stdout.lines() {
        let Some(rest) = line.trim().strip_prefix("test result: ") else { continue };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().filter(|w| *w != "ok." && *w != "FAILED.");
            if let (Some(n), Some(what)) = (words.next().and_then(|n| n.parse::<u64>().ok()), words.next()) {
                match what {
                    "passed" => passed += n,
                    "failed" => failed += n,
                    "ignored" => ignored += n,
                    _ => {}
                }
            }
        }
    }
    (passed, failed, ignored)
}

fn test_suite(name: &'static str, cmd: Command) -> Outcome {
    match run_tee(cmd) {
        Ok((success, stdout, _)) => {
            let (passed, failed, skipped) = count(&stdout);
            let ok = success && failed == 0 && passed > 0;
            let detail = if passed == 0 && failed == 0 { "ran no tests".to_owned() } else { String::new() };
            Outcome { name, passed, failed, skipped, ok, detail }
        }
        Err(e) => Outcome { name, passed: 0, failed: 0, skipped: 0, ok: false, detail: format!("{e:#}") },
    }
}

fn cargo(args: &[&str]) -> Command {
    let mut c = tools::command("cargo");
    c.args(args).current_dir(root());
    c
}

fn fmt() -> Outcome {
    let result = run_tee(cargo(&["fmt", "--all", "--", "--check", "--files-with-diff"]));
    let (ok, files) = match result {
        Ok((ok, out, _)) => (ok, out.lines().filter(|l| l.ends_with(".rs")).count()),
        Err(_) => (false, 0),
    };
    let detail = format!("{files} files need formatting");
    Outcome { name: "fmt", passed: 0, failed: 0, skipped: 0, ok, detail }
}

fn clippy() -> Outcome {
    let runs: [&[&str]; 2] = [
        &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
        // The browser crates' wasm-only code (and tests) is compiled out natively.
        &[
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "switchboard-widget",
            "-p",
            "switchboard-inbox",
            "-p",
            "switchboard-console",
            "-p",
            "switchboard-protocol",
            "-p",
            "switchboard-websocket",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    ];
    let mut ok = true;
    let mut errors = 0;
    for args in runs {
        match run_tee(cargo(args)) {
            Ok((success, _, stderr)) => {
                ok &= success;
                errors += stderr.lines().filter(|l| l.starts_with("error")).count();
            }
            Err(_) => ok = false,
        }
    }
    Outcome {
        name: "clippy",
        passed: 0,
        failed: 0,
        skipped: 0,
        ok,
        detail: format!("{errors} errors (native + wasm32)"),
    }
}

/// Each fuzz target for [`FUZZ_SMOKE_SECONDS`], its seeds and kept crash
/// inputs first; a target counts as a test.
fn fuzz_smoke() -> Outcome {
    let name = "fuzz smoke";
    match crate::fuzz::smoke(FUZZ_SMOKE_SECONDS) {
        Ok(reports) => {
            let failed = reports.iter().filter(|r| !r.ok || !r.crashes.is_empty()).count() as u64;
            let runs: u64 = reports.iter().map(|r| r.runs).sum();
            let mut detail = format!("{runs} runs");
            for r in reports.iter().filter(|r| !r.crashes.is_empty()) {
                detail.push_str(&format!("; {}", r.line()));
            }
            let passed = reports.len() as u64 - failed;
            Outcome { name, passed, failed, skipped: 0, ok: failed == 0 && passed > 0, detail }
        }
        Err(e) => Outcome { name, passed: 0, failed: 0, skipped: 0, ok: false, detail: format!("{e:#}") },
    }
}

/// Seconds each fuzz target runs in `cargo xtask test` (`cargo xtask fuzz` runs them long).
const FUZZ_SMOKE_SECONDS: u64 = 5;

/// `cargo xtask test`.
pub fn test() -> anyhow::Result<()> {
    let progress = Progress::new(12);
    let started = std::time::Instant::now();
    tools::ensure_wasm_toolchain(&progress)?;
    let (chromium, chromedriver) = tools::ensure_browser(&progress)?;
    let mut results = Vec::new();

    progress.step("cargo fmt --check");
    results.push(fmt());
    progress.step("cargo clippy -D warnings (native, then wasm32)");
    results.push(clippy());
    progress.step("Native tests of the whole workspace");
    results.push(test_suite("native", cargo(&["test", "--workspace", "--exclude", "switchboard-e2e"])));
    progress.step("Fuzz smoke: each protocol fuzz target for a few seconds (cargo fuzz, libFuzzer)");
    results.push(fuzz_smoke());

    for (name, krate) in [
        ("browser: widget", "switchboard-widget"),
        ("browser: inbox", "switchboard-inbox"),
        ("browser: console", "switchboard-console"),
    ] {
        progress.step(&format!("Browser tests of the {krate} crate (wasm-bindgen-test, headless Chromium)"));
        let mut cmd = cargo(&["test", "-p", krate, "--target", "wasm32-unknown-unknown", "--test", "*"]);
        cmd.env("CHROMEDRIVER", &chromedriver);
        results.push(test_suite(name, cmd));
    }

    let e2e = match build_bundles(&progress).and_then(|()| tools::ensure_axe()) {
        Ok(axe) => {
            progress.step("End-to-end tests (server + host page on another origin, Chromium via WebDriver)");
            let mut cmd = cargo(&["test", "-p", "switchboard-e2e", "--", "--test-threads=1"]);
            cmd.env("SWITCHBOARD_E2E_DIST", root().join("target/dist"))
                .env("SWITCHBOARD_E2E_AXE", &axe)
                .env("SWITCHBOARD_E2E_CHROMEDRIVER", &chromedriver)
                .env("SWITCHBOARD_E2E_CHROMIUM", &chromium);
            test_suite("end-to-end", cmd)
        }
        Err(e) => Outcome {
            name: "end-to-end",
            passed: 0,
            failed: 0,
            skipped: 0,
            ok: false,
            detail: format!("bundles did not build: {e:#}"),
        },
    };
    results.push(e2e);

    println!("\n==> Summary ({:.0?})", started.elapsed());
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for r in &results {
        passed += r.passed;
        failed += r.failed;
        skipped += r.skipped;
        let status = if r.ok { "ok" } else { "FAILED" };
        let counts = if r.passed + r.failed + r.skipped > 0 || r.detail.contains("no tests") {
            format!("{} passed, {} failed, {} skipped", r.passed, r.failed, r.skipped)
        } else {
            String::new()
        };
        let sep = if counts.is_empty() || r.detail.is_empty() { "" } else { "; " };
        println!("{:<17} {:<6} {counts}{sep}{}", format!("{}:", r.name), status, r.detail);
    }
    println!("total: {passed} passed, {failed} failed, {skipped} skipped");
    let bad: Vec<_> = results.iter().filter(|r| !r.ok).map(|r| r.name).collect();
    anyhow::ensure!(bad.is_empty(), "failed suites: {}", bad.join(", "));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_sum_every_result_line() {
        let out =
            "test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\
                   no tests to run!\n\
                   test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 filtered out; finished in 1.2s\n";
        assert_eq!(count(out), (5, 1, 1));
    }

    #[test]
    fn output_without_result_lines_counts_nothing() {
        assert_eq!(count("running 0 tests\n"), (0, 0, 0));
    }
}
