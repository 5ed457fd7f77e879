//! The `openapi` suite: schemathesis tests the admin API against its own
//! OpenAPI document. A real server (`switchboard serve`, as built) runs on
//! a fresh database with the demo seeded, schemathesis logs in as its admin
//! and sends generated requests, valid and invalid, to every documented
//! operation; a 500, a status or content type the document does not list,
//! a header it promises missing, or a body that does not fit the schema of
//! its answer fails the operation. Each operation counts as one test.

use anyhow::{bail, Context};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::{root, serve, suites, tools};

/// Test cases per operation and phase: the suite takes about a minute on
/// two busy cores.
const MAX_EXAMPLES: &str = "40";

/// What is checked of every answer.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
    response_headers_conformance,response_schema_conformance";

/// Operations schemathesis leaves alone, each with why.
const EXCLUDED: [(&str, &str); 1] = [(
    "/api/auth/logout",
    "it ends the run's own session, and every case after it would test nothing but the 401",
)];

/// The seeded admin the run logs in as. The hooks
/// (`xtask/schemathesis/switchboard_hooks.py`) keep cases off this account:
/// resetting its password, removing it or taking its role would end the
/// session too.
const ACCOUNT: &str = "admin@example.com";

/// What the suite found.
pub struct Report {
    /// Operations with no failing case.
    pub passed: u64,
    /// Operations with a failing case (or an error).
    pub failed: u64,
    /// Operations not run.
    pub skipped: u64,
    /// Whether schemathesis itself succeeded.
    pub ok: bool,
}

/// A running `switchboard serve`, stopped when dropped.
struct Server {
    child: Child,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// The end of its log, for a failed run.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

/// Runs the suite.
/// `server` is the `switchboard` the test build made, if there was one.
pub fn check(server: Option<&Path>) -> anyhow::Result<Report> {
    let st = tools::ensure_schemathesis()?;
    let switchboard = match server {
        Some(path) => path.to_path_buf(),
        None => build_server()?,
    };
    let dir = tempfile::tempdir().context("creating a temporary directory")?;
    let addr = format!("127.0.0.1:{}", free_port()?);
    let origin = format!("http://{addr}");
    let env = [
        ("SWITCHBOARD_LISTEN", addr.clone()),
        ("SWITCHBOARD_DATA_DIR", dir.path().join("data").display().to_string()),
        ("SWITCHBOARD_ASSETS_DIR", dir.path().join("dist").display().to_string()),
    ];
    let password = seed(&switchboard, &env, &origin)?;
    let log = dir.path().join("server.log");
    let child = Command::new(&switchboard)
        .arg("serve")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?)
        .spawn()
        .context("starting switchboard serve")?;
    let server = Server { child, log };
    if !serve::wait_healthy(&addr, Duration::from_secs(30)) {
        bail!("the server did not become healthy on {addr} within 30 s:\n{}", server.log_tail());
    }
    let token = login(&addr, ACCOUNT, &password)?;

    let junit = dir.path().join("junit.xml");
    let mut cmd = Command::new(&st);
    cmd.arg("run")
        .arg(format!("{origin}/api/openapi.json"))
        .args(["--header", &format!("Cookie: sb_session={token}")])
        // Writes by cookie must come from the server's own origin.
        .args(["--header", &format!("Origin: {origin}")])
        // The session is given; do not make up cookies or bearer tokens.
        .args(["--generation-with-security-parameters", "false"])
        .args(["--checks", CHECKS, "--max-examples", MAX_EXAMPLES])
        // No stateful phase: the document has no links between operations.
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--request-timeout", "10", "--generation-database", "none", "--no-color"])
        .arg("--report-junit-path")
        .arg(&junit)
        .current_dir(dir.path())
        .env("SCHEMATHESIS_HOOKS", root().join("xtask/schemathesis/switchboard_hooks.py"))
        .env("SWITCHBOARD_OPENAPI_ACCOUNT", ACCOUNT);
    for (path, why) in EXCLUDED {
        eprintln!("    leaving out {path}: {why}");
        cmd.args(["--exclude-path", path]);
    }
    let (ok, _, _) = suites::run_tee(cmd)?;
    let xml = std::fs::read_to_string(&junit)
        .with_context(|| format!("schemathesis wrote no report ({})", junit.display()))?;
    let (passed, failed, skipped) = junit_counts(&xml);
    if !ok || failed > 0 {
        eprintln!("\n==> The server's log (last lines)\n{}", server.log_tail());
    }
    Ok(Report { passed, failed, skipped, ok })
}

/// Builds `switchboard` (for `--only openapi`) and returns its path.
fn build_server() -> anyhow::Result<PathBuf> {
    let status = tools::command("cargo")
        .args(["build", "--quiet", "-p", "switchboard-server", "--bin", "switchboard"])
        .current_dir(root())
        .status()
        .context("running cargo build")?;
    anyhow::ensure!(status.success(), "building the server failed");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    Ok(target.join("debug/switchboard"))
}

/// A port free now on 127.0.0.1 (the server binds it right after).
fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Seeds the demo (its site, streams and accounts) and returns the
/// password of [`ACCOUNT`], which `demo seed` prints once.
fn seed(switchboard: &Path, env: &[(&str, String)], origin: &str) -> anyhow::Result<String> {
    let out = Command::new(switchboard)
        .args(["demo", "seed", "--origin", origin])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .context("running switchboard demo seed")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(out.status.success(), "demo seed failed: {}", String::from_utf8_lossy(&out.stderr));
    password_of(&stdout, ACCOUNT)
        .with_context(|| format!("demo seed printed no password for {ACCOUNT}:\n{stdout}"))
}

/// The password `demo seed` printed for `email` (`  EMAIL  ROLE  PASSWORD`).
fn password_of(seeded: &str, email: &str) -> Option<String> {
    let line = seeded.lines().find(|l| l.split_whitespace().next() == Some(email))?;
    line.split_whitespace().nth(2).map(str::to_owned)
}

/// Logs in over HTTP/1.1 and returns the session token.
fn login(addr: &str, email: &str, password: &str) -> anyhow::Result<String> {
    let body = serde_json::json!({ "email": email, "password": password }).to_string();
    let mut stream = TcpStream::connect(addr).with_context(|| format!("connecting to {addr}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "POST /api/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply)?;
    let (head, body) = reply.split_once("\r\n\r\n").context("no HTTP answer to the login")?;
    anyhow::ensure!(head.starts_with("HTTP/1.1 200"), "logging in as {email} failed: {reply}");
    let answer: serde_json::Value = serde_json::from_str(body).context("the login answer is not JSON")?;
    answer["token"].as_str().map(str::to_owned).context("the login answer has no token")
}

/// (passed, failed, skipped) test cases of a JUnit report: one per operation.
fn junit_counts(xml: &str) -> (u64, u64, u64) {
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for case in xml.split("<testcase ").skip(1) {
        let case = case.split("</testcase>").next().unwrap_or(case);
        if case.contains("<failure") || case.contains("<error") {
            failed += 1;
        } else if case.contains("<skipped") {
            skipped += 1;
        } else {
            passed += 1;
        }
    }
    (passed, failed, skipped)
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_operation_of_the_junit_report_counts_once() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<testsuites errors="0" failures="1" skipped="1" tests="4">
  <testsuite name="schemathesis" tests="4">
    <testcase name="GET /api/admin/sites" time="0.1" />
    <testcase name="POST /api/admin/sites" time="0.2">
      <failure type="failure" message="Server error">500 Internal Server Error</failure>
    </testcase>
    <testcase name="GET /api/admin/teams" time="0.1" />
    <testcase name="PUT /api/admin/sites/{key}/streams" time="0.0"><skipped message="no cases" /></testcase>
  </testsuite>
</testsuites>"#;
        assert_eq!(super::junit_counts(xml), (2, 1, 1));
        assert_eq!(super::junit_counts(""), (0, 0, 0));
    }

    #[test]
    fn the_seeded_password_is_read_from_its_account_line() {
        let out = "Seeded demo site 'demo' (allowed origins: http://x).\n\
                   Accounts (passwords are shown only this once):\n  \
                   admin@example.com    admin  AP2dBJvxAEjtrR83\n  \
                   ada@example.com      agent  YpcbnDYzwGmghe3D\n";
        assert_eq!(super::password_of(out, "admin@example.com").as_deref(), Some("AP2dBJvxAEjtrR83"));
        assert_eq!(super::password_of(out, "nobody@example.com"), None);
    }
}
