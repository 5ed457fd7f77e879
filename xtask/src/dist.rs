//! `cargo xtask dist`: the one file to deploy. Builds the browser bundles
//! into `target/dist`, then the `switchboard` binary with them built in
//! (`SWITCHBOARD_EMBED_DIST`, read by the server's build.rs), in the
//! `server` profile (optimized for speed; see the workspace's Cargo.toml).

use anyhow::Context;
use std::path::PathBuf;

use crate::{build_bundles, root, tools, Progress};

/// `cargo xtask dist`.
pub fn run() -> anyhow::Result<()> {
    let progress = Progress::new(5);
    tools::ensure_wasm_toolchain(&progress)?;
    build_bundles(&progress)?;
    progress.step("Building switchboard with the bundles built in (cargo build --profile server)");
    let status = tools::command("cargo")
        .args(["build", "--profile", "server", "-p", "switchboard-server", "--bin", "switchboard"])
        .env("SWITCHBOARD_EMBED_DIST", root().join("target/dist"))
        .current_dir(root())
        .status()
        .context("running cargo build")?;
    anyhow::ensure!(status.success(), "building the server failed ({status})");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    let binary = target.join("server/switchboard");
    let size = std::fs::metadata(&binary).with_context(|| format!("reading {}", binary.display()))?.len();
    let mb = size as f64 / 1e6;
    println!("\n  {} ({mb:.1} MB): the widget, inbox and console are built in.", binary.display());
    println!(
        "  Copy it to the server and run `switchboard serve` (`--assets-dir DIR` serves other bundles)."
    );
    Ok(())
}
