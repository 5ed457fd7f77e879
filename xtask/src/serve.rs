//! `cargo xtask run`: from a fresh clone to a running chat. Installs what is
//! missing, builds the bundles and the server, seeds the demo on first run
//! (printing the new passwords once) and serves it until Ctrl-C.

use anyhow::{bail, Context};
use std::io::Read;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::{build_bundles, root, tools, Progress};

const API: &str = "127.0.0.1:8080";
const DEMO: &str = "127.0.0.1:8081";

/// Waits until `GET /healthz` on `addr` answers 200.
fn wait_healthy(addr: &str, timeout: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if let Ok(mut s) = TcpStream::connect(addr) {
            use std::io::Write;
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = write!(s, "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
            let mut reply = String::new();
            let _ = s.read_to_string(&mut reply);
            if reply.starts_with("HTTP/1.1 200") {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

/// `cargo xtask run`.
pub fn run() -> anyhow::Result<()> {
    if TcpStream::connect(API).is_ok() {
        bail!("something already listens on {API}; stop it first (another `cargo xtask run`?)");
    }
    let progress = Progress::new(7);
    tools::ensure_wasm_toolchain(&progress)?;
    build_bundles(&progress)?;
    progress.step("Building the server (cargo build -p switchboard-server)");
    let status = tools::command("cargo")
        .args(["build", "-p", "switchboard-server"])
        .current_dir(root())
        .status()
        .context("running cargo build")?;
    anyhow::ensure!(status.success(), "building the server failed");
    let switchboard = root().join("target/debug/switchboard");
    let data_dir = root().join("data");
    let env = [
        ("SWITCHBOARD_LISTEN", API.to_owned()),
        ("SWITCHBOARD_DEMO_LISTEN", DEMO.to_owned()),
        ("SWITCHBOARD_DATA_DIR", data_dir.display().to_string()),
        ("SWITCHBOARD_ASSETS_DIR", root().join("target/dist").display().to_string()),
    ];

    progress.step(&format!("Seeding the demo in {} (first run only)", data_dir.display()));
    let status = std::process::Command::new(&switchboard)
        .args(["demo", "seed", "--origin", &format!("http://{DEMO}"), "--origin", "http://localhost:8081"])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .status()
        .context("running switchboard demo seed")?;
    anyhow::ensure!(status.success(), "seeding the demo failed");

    progress.step(&format!("Starting switchboard serve on http://{API}"));
    let mut server = std::process::Command::new(&switchboard)
        .arg("serve")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .spawn()
        .context("starting switchboard serve")?;
    if !wait_healthy(API, Duration::from_secs(30)) {
        let _ = server.kill();
        bail!("the server did not become healthy on {API} within 30 s (see its log above)");
    }
    println!();
    println!("  Switchboard is running.");
    println!("  Demo host page (another origin, with the script tag): http://{DEMO}/");
    println!("  Agent inbox:                                          http://{API}/inbox/");
    println!("  Admin console:                                        http://{API}/admin/");
    println!("  Embed snippet: <script async src=\"http://{API}/widget.js\" data-site=\"demo\"></script>");
    println!("  Press Ctrl-C to stop.");
    let status = server.wait()?;
    anyhow::ensure!(status.success() || status.code().is_none(), "switchboard serve exited with {status}");
    Ok(())
}
