//! `cargo xtask test`: every suite runs (one failing does not hide the
//! others), each is counted from its own output, and the run ends with one
//! line per suite and a total. A suite fails when its command fails, when a
//! test failed, or when it ran no test at all.

use anyhow::Context;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
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
pub(crate) fn run_tee(mut cmd: Command) -> anyhow::Result<(bool, String, String)> {
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

/// The features every native test executable is built with: one feature
/// set, so one build serves the native, PostgreSQL, cluster and end-to-end
/// suites (a `cargo test -p …` of its own resolves features anew and
/// rebuilds the server, a minute or two on two cores each time).
const TEST_FEATURES: &str = "switchboard-server/cluster-tests";

/// One test executable of the workspace, as cargo reported it.
struct TestBin {
    /// The package's directory, where cargo runs its tests.
    dir: PathBuf,
    /// The target's name (`api`, `cluster`, the crate for unit tests).
    target: String,
    /// The target's source, for the `Running` line.
    src: PathBuf,
    exe: PathBuf,
}

/// What `cargo test --no-run` built.
struct TestBuild {
    ok: bool,
    bins: Vec<TestBin>,
    /// The `switchboard` binary built beside the tests (the openapi suite runs it).
    server: Option<PathBuf>,
}

/// Builds every native test executable of the workspace once.
fn build_tests() -> TestBuild {
    let mut cmd = cargo(&[
        "test",
        "--workspace",
        "--features",
        TEST_FEATURES,
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]);
    // Diagnostics and progress go to stderr as usual; stdout is cargo's JSON.
    cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut build = TestBuild { ok: false, bins: Vec::new(), server: None };
    let Ok(mut child) = cmd.spawn() else { return build };
    let stdout = child.stdout.take().expect("piped");
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
        if let Some(artifact) = test_artifact(&msg) {
            match artifact {
                Artifact::Test(bin) => build.bins.push(bin),
                Artifact::Server(exe) => build.server = Some(exe),
            }
        }
    }
    build.ok = child.wait().is_ok_and(|s| s.success());
    build
}

enum Artifact {
    Test(TestBin),
    Server(PathBuf),
}

/// A test executable or the server binary from one line of cargo's JSON.
fn test_artifact(msg: &serde_json::Value) -> Option<Artifact> {
    if msg["reason"] != "compiler-artifact" {
        return None;
    }
    let exe = PathBuf::from(msg["executable"].as_str()?);
    let target = &msg["target"];
    let name = target["name"].as_str()?.to_owned();
    if msg["profile"]["test"] != true {
        let is_server = name == "switchboard" && target["kind"][0] == "bin";
        return is_server.then_some(Artifact::Server(exe));
    }
    let dir = PathBuf::from(msg["manifest_path"].as_str()?).parent()?.to_path_buf();
    let src = PathBuf::from(target["src_path"].as_str()?);
    let src = src.strip_prefix(&dir).map(PathBuf::from).unwrap_or(src);
    Some(Artifact::Test(TestBin { dir, target: name, src, exe }))
}

impl TestBin {
    fn in_crate(&self, dir: &str) -> bool {
        self.dir == root().join(dir)
    }

    fn is_cluster(&self) -> bool {
        self.in_crate("crates/server") && self.target == "cluster"
    }
}

/// Runs test executables one after another (all of them, whatever fails),
/// as `cargo test` would: from the package's directory, with `args`
/// passed to each and `env` set; plus `extra`, a cargo command of the same
/// suite (the doc tests).
fn run_tests(
    name: &'static str,
    build: &TestBuild,
    pick: impl Fn(&TestBin) -> bool,
    args: &[&str],
    env: &[(&str, &std::ffi::OsStr)],
    extra: Option<Command>,
) -> Outcome {
    if !build.ok {
        let detail = "the tests did not build (the errors are above)".to_owned();
        return Outcome { name, passed: 0, failed: 0, skipped: 0, ok: false, detail };
    }
    let mut ok = true;
    let mut stdout = String::new();
    for bin in build.bins.iter().filter(|b| pick(b)) {
        println!("     Running {} ({})", bin.src.display(), bin.exe.display());
        let mut cmd = Command::new(&bin.exe);
        cmd.args(args).current_dir(&bin.dir).env("CARGO_MANIFEST_DIR", &bin.dir);
        for (k, v) in env {
            cmd.env(k, v);
        }
        match run_tee(cmd) {
            Ok((success, out, _)) => {
                ok &= success;
                stdout.push_str(&out);
            }
            Err(e) => {
                eprintln!("{}: {e:#}", bin.exe.display());
                ok = false;
            }
        }
    }
    if let Some(cmd) = extra {
        match run_tee(cmd) {
            Ok((success, out, _)) => {
                ok &= success;
                stdout.push_str(&out);
            }
            Err(e) => {
                eprintln!("{e:#}");
                ok = false;
            }
        }
    }
    let (passed, failed, skipped) = count(&stdout);
    let detail = if passed == 0 && failed == 0 { "ran no tests".to_owned() } else { String::new() };
    Outcome { name, passed, failed, skipped, ok: ok && failed == 0 && passed > 0, detail }
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
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--features",
            "switchboard-server/cluster-tests",
            "--",
            "-D",
            "warnings",
        ],
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

/// The suites, in the order they run, with the steps each announces.
const SUITES: [(&str, usize); 11] = [
    ("fmt", 1),
    ("clippy", 1),
    ("native", 1),
    // The server's tests on PostgreSQL (and one step to start it for
    // this suite and the next, counted in `test`).
    ("postgres", 1),
    // nats-server to find, then the cluster suite.
    ("cluster", 2),
    ("fuzz smoke", 1),
    ("browser: widget", 1),
    ("browser: inbox", 1),
    ("browser: console", 1),
    // Three bundles to build first.
    ("end-to-end", 4),
    ("openapi", 1),
];

/// The suites `--only NAME[,NAME…]` asks for (a suite's name or its first
/// word: `fuzz`, `browser`), or all of them.
fn chosen(args: &[String]) -> anyhow::Result<Vec<&'static str>> {
    let all: Vec<&'static str> = SUITES.iter().map(|(name, _)| *name).collect();
    let names = match args {
        [] => return Ok(all),
        [flag, names] if flag == "--only" => names,
        _ => anyhow::bail!("usage: cargo xtask test [--only SUITE[,SUITE…]] (suites: {})", all.join(", ")),
    };
    let mut picked = Vec::new();
    for wanted in names.split(',').map(str::trim) {
        let first_word = |name: &str| name.split([' ', ':']).next() == Some(wanted);
        let matching: Vec<&'static str> =
            all.iter().copied().filter(|n| *n == wanted || first_word(n)).collect();
        anyhow::ensure!(!matching.is_empty(), "no suite {wanted:?}; the suites: {}", all.join(", "));
        picked.extend(matching);
    }
    Ok(all.into_iter().filter(|n| picked.contains(n)).collect())
}

/// The server's tests (the store's and the integration suite) again, each
/// fresh database a new one on the throwaway PostgreSQL cluster.
fn postgres(progress: &Progress, build: &TestBuild, cluster: &crate::services::Postgres) -> Outcome {
    progress.step("The server's tests on PostgreSQL");
    let url = cluster.url();
    let env = [("SWITCHBOARD_TEST_POSTGRES", url.as_ref())];
    let server = |b: &TestBin| b.in_crate("crates/server") && !b.is_cluster();
    run_tests("postgres", build, server, &[], &env, None)
}

/// The cluster suite: `switchboard` processes on one PostgreSQL database
/// and a private nats-server each scenario starts, behind a balancer.
fn cluster_suite(progress: &Progress, build: &TestBuild, cluster: &crate::services::Postgres) -> Outcome {
    let nats = match crate::services::ensure_nats_server(progress) {
        Ok(path) => path,
        Err(e) => {
            let detail = format!("nats-server is missing: {e:#}");
            return Outcome { name: "cluster", passed: 0, failed: 0, skipped: 0, ok: false, detail };
        }
    };
    progress.step("The cluster suite (three nodes, PostgreSQL, NATS, nodes killed mid-traffic)");
    let url = cluster.url();
    let env =
        [("SWITCHBOARD_TEST_POSTGRES", url.as_ref()), ("SWITCHBOARD_TEST_NATS_SERVER", nats.as_os_str())];
    run_tests("cluster", build, TestBin::is_cluster, &[], &env, None)
}

/// The property-based check of the admin API against its OpenAPI document.
fn openapi(server: Option<&std::path::Path>) -> Outcome {
    let name = "openapi";
    match crate::openapi::check(server) {
        Ok(r) => {
            let ok = r.ok && r.failed == 0 && r.passed > 0;
            let detail = if ok { "one test per operation (schemathesis)" } else { "see schemathesis above" };
            Outcome {
                name,
                passed: r.passed,
                failed: r.failed,
                skipped: r.skipped,
                ok,
                detail: detail.into(),
            }
        }
        Err(e) => Outcome { name, passed: 0, failed: 0, skipped: 0, ok: false, detail: format!("{e:#}") },
    }
}

/// `cargo xtask test [--only SUITE[,SUITE…]]`.
pub fn test(args: &[String]) -> anyhow::Result<()> {
    let suites = chosen(args)?;
    let wanted = |name: &str| suites.contains(&name);
    // clippy checks the wasm32 target too; the browser suites need Chromium.
    let wasm = ["clippy", "browser: widget", "browser: inbox", "browser: console", "end-to-end"]
        .iter()
        .any(|s| wanted(s));
    let browser =
        ["browser: widget", "browser: inbox", "browser: console", "end-to-end"].iter().any(|s| wanted(s));
    let native = ["native", "postgres", "cluster", "end-to-end"].iter().any(|s| wanted(s));
    let steps: usize = SUITES.iter().filter(|(n, _)| wanted(n)).map(|(_, steps)| steps).sum::<usize>()
        + usize::from(wanted("postgres") || wanted("cluster"))
        + usize::from(native);
    let progress = Progress::new(steps + usize::from(wasm) + usize::from(browser));
    let started = std::time::Instant::now();
    if wasm {
        tools::ensure_wasm_toolchain(&progress)?;
    }
    let (chromium, chromedriver) =
        if browser { tools::ensure_browser(&progress)? } else { Default::default() };
    let mut results = Vec::new();

    if wanted("fmt") {
        progress.step("cargo fmt --check");
        results.push(fmt());
    }
    if wanted("clippy") {
        progress.step("cargo clippy -D warnings (native, then wasm32)");
        results.push(clippy());
    }
    let build = if native {
        progress.step(&format!(
            "Building the native tests once (cargo test --no-run --features {TEST_FEATURES})"
        ));
        build_tests()
    } else {
        TestBuild { ok: false, bins: Vec::new(), server: None }
    };
    if wanted("native") {
        progress.step("Native tests of the whole workspace");
        // Every executable but the cluster's and the browser-driving ones,
        // then the doc tests (the same features: nothing rebuilds).
        let unit = |b: &TestBin| !b.is_cluster() && !b.in_crate("crates/e2e");
        let doc = cargo(&["test", "--workspace", "--features", TEST_FEATURES, "--doc"]);
        results.push(run_tests("native", &build, unit, &[], &[], Some(doc)));
    }
    if wanted("postgres") || wanted("cluster") {
        // One throwaway PostgreSQL for both suites.
        match crate::services::Postgres::start(&progress) {
            Ok(cluster) => {
                if wanted("postgres") {
                    results.push(postgres(&progress, &build, &cluster));
                }
                if wanted("cluster") {
                    results.push(cluster_suite(&progress, &build, &cluster));
                }
            }
            Err(e) => {
                let detail = format!("PostgreSQL did not start: {e:#}");
                for name in ["postgres", "cluster"].into_iter().filter(|n| wanted(n)) {
                    let detail = detail.clone();
                    results.push(Outcome { name, passed: 0, failed: 0, skipped: 0, ok: false, detail });
                }
            }
        }
    }
    if wanted("fuzz smoke") {
        progress.step("Fuzz smoke: each protocol fuzz target for a few seconds (cargo fuzz, libFuzzer)");
        results.push(fuzz_smoke());
    }

    for (name, krate) in [
        ("browser: widget", "switchboard-widget"),
        ("browser: inbox", "switchboard-inbox"),
        ("browser: console", "switchboard-console"),
    ] {
        if !wanted(name) {
            continue;
        }
        progress.step(&format!("Browser tests of the {krate} crate (wasm-bindgen-test, headless Chromium)"));
        let mut cmd = cargo(&["test", "-p", krate, "--target", "wasm32-unknown-unknown", "--test", "*"]);
        cmd.env("CHROMEDRIVER", &chromedriver);
        results.push(test_suite(name, cmd));
    }

    if wanted("end-to-end") {
        let e2e = match build_bundles(&progress).and_then(|()| tools::ensure_axe()) {
            Ok(axe) => {
                progress
                    .step("End-to-end tests (server + host page on another origin, Chromium via WebDriver)");
                let dist = root().join("target/dist");
                let env = [
                    ("SWITCHBOARD_E2E_DIST", dist.as_os_str()),
                    ("SWITCHBOARD_E2E_AXE", axe.as_os_str()),
                    ("SWITCHBOARD_E2E_CHROMEDRIVER", chromedriver.as_os_str()),
                    ("SWITCHBOARD_E2E_CHROMIUM", chromium.as_os_str()),
                ];
                let e2e = |b: &TestBin| b.in_crate("crates/e2e");
                run_tests("end-to-end", &build, e2e, &["--test-threads=1"], &env, None)
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
    }

    if wanted("openapi") {
        progress.step("The admin API against its OpenAPI document (schemathesis, on a real server)");
        // The server the test build made, if it ran; else it builds one.
        results.push(openapi(build.server.as_deref().filter(|_| build.ok)));
    }

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
    use super::{chosen, count};

    #[test]
    fn only_runs_the_suites_named_by_name_or_first_word() {
        let args = |s: &str| vec!["--only".to_owned(), s.to_owned()];
        assert_eq!(chosen(&args("openapi")).unwrap(), ["openapi"]);
        assert_eq!(chosen(&args("openapi,fmt")).unwrap(), ["fmt", "openapi"], "in the order they run");
        assert_eq!(
            chosen(&args("browser")).unwrap(),
            ["browser: widget", "browser: inbox", "browser: console"]
        );
        assert_eq!(chosen(&[]).unwrap().len(), 11);
        assert!(chosen(&args("nope")).is_err());
        assert!(chosen(&["--all".to_owned()]).is_err());
    }

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
