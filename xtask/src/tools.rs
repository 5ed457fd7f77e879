//! The toolchain bootstrap. Everything is installed from the package
//! registries this project can reach (crates.io, npm, Debian apt), checked by
//! version first so a warm machine reinstalls nothing.

use anyhow::{bail, Context};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::{root, Progress};

/// trunk: 0.22 needs a newer rustc than this toolchain (1.95).
const TRUNK: &str = "0.21.14";
/// cargo-fuzz, for `cargo xtask fuzz` (libFuzzer; see fuzz.rs).
const CARGO_FUZZ: &str = "0.13.2";
/// binaryen from npm; Debian's binaryen (108) produces a blank page.
const BINARYEN: &str = "132.0.0";
const WASM_OPT_VERSION: &str = "version 132";

fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
        .join("bin")
}

/// Where `npm install --prefix` puts wasm-opt, terser and axe-core.
fn node_tools() -> PathBuf {
    root().join("target/tools")
}

/// PATH with the project's tool directories first.
pub fn path() -> OsString {
    let mut dirs = vec![node_tools().join("node_modules/.bin"), cargo_bin()];
    if let Some(p) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(dirs).expect("PATH entries contain no separator")
}

/// A command for `program` with the project's tools on PATH.
pub fn command(program: &str) -> Command {
    let mut c = Command::new(program);
    c.env("PATH", path());
    c
}

/// The first line `program --version` prints, if it runs.
fn version_of(program: &str) -> Option<String> {
    let out = command(program).arg("--version").stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or("").to_owned())
}

/// The wasm-bindgen version Cargo.lock resolved: wasm-bindgen-cli must match it exactly.
pub fn locked_wasm_bindgen() -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package")
}

fn run(mut cmd: Command, what: &str) -> anyhow::Result<()> {
    let status = cmd.status().with_context(|| format!("starting: {what}"))?;
    anyhow::ensure!(status.success(), "{what} failed ({status})");
    Ok(())
}

fn ensure_wasm_target() -> anyhow::Result<()> {
    let out = command("rustup").args(["target", "list", "--installed"]).output().context("running rustup")?;
    if String::from_utf8_lossy(&out.stdout).lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        eprintln!("    ok  wasm32-unknown-unknown target");
        return Ok(());
    }
    eprintln!("    installing the wasm32-unknown-unknown target (rustup)…");
    let mut cmd = command("rustup");
    cmd.args(["target", "add", "wasm32-unknown-unknown"]);
    run(cmd, "rustup target add wasm32-unknown-unknown")
}

fn ensure_cargo_tool(krate: &str, bin: &str, version: &str, locked: bool, eta: &str) -> anyhow::Result<()> {
    let found = version_of(bin);
    if found.as_deref().is_some_and(|v| v.split_whitespace().any(|w| w == version)) {
        eprintln!("    ok  {bin} {version}");
        return Ok(());
    }
    match found {
        Some(other) => eprintln!(
            "    {bin} is {other:?}, need {version}: installing {krate} {version} ({eta} on 2 cores)…"
        ),
        None => eprintln!("    installing {krate} {version} with cargo install ({eta} on 2 cores)…"),
    }
    let mut cmd = command("cargo");
    cmd.args(["install", krate, "--version", version, "--force"]);
    if locked {
        cmd.arg("--locked");
    }
    run(cmd, &format!("cargo install {krate} {version}"))
}

fn ensure_wasm_opt() -> anyhow::Result<()> {
    if version_of("wasm-opt").is_some_and(|v| v.contains(WASM_OPT_VERSION)) {
        eprintln!("    ok  wasm-opt {WASM_OPT_VERSION}");
        return Ok(());
    }
    ensure_npm("binaryen", BINARYEN)?;
    match version_of("wasm-opt") {
        Some(v) if v.contains(WASM_OPT_VERSION) => Ok(()),
        other => bail!("after installing binaryen, wasm-opt reports {other:?}, expected {WASM_OPT_VERSION}"),
    }
}

/// axe-core, the accessibility engine the end-to-end tests inject.
const AXE: &str = "4.14.1";
/// terser, which minifies the widget's JS glue (wasm-bindgen writes it
/// readable: 45 KB, 7 KB brotli; minified 20 KB, 5 KB brotli).
const TERSER: &str = "5.51.4";

/// npm's `package` at `version` in `target/tools`, installed unless there;
/// returns its directory.
fn ensure_npm(package: &str, version: &str) -> anyhow::Result<PathBuf> {
    let dir = node_tools().join("node_modules").join(package);
    let installed = std::fs::read_to_string(dir.join("package.json"))
        .ok()
        .and_then(|p| serde_json::from_str::<serde_json::Value>(&p).ok())
        .and_then(|p| p["version"].as_str().map(str::to_owned));
    if installed.as_deref() == Some(version) {
        eprintln!("    ok  {package} {version}");
        return Ok(dir);
    }
    if version_of("npm").is_none() {
        bail!("npm is needed to install {package} {version}; install Node.js and npm (Debian: apt-get install nodejs npm)");
    }
    eprintln!("    installing {package} {version} from npm into {}…", node_tools().display());
    std::fs::create_dir_all(node_tools())?;
    let mut cmd = command("npm");
    cmd.args(["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix"])
        .arg(node_tools())
        .arg(format!("{package}@{version}"));
    run(cmd, &format!("npm install {package}"))?;
    Ok(dir)
}

/// `axe.min.js` of axe-core [`AXE`] from npm (into `target/tools`), for the
/// end-to-end accessibility audits.
pub fn ensure_axe() -> anyhow::Result<PathBuf> {
    let script = ensure_npm("axe-core", AXE)?.join("axe.min.js");
    anyhow::ensure!(script.is_file(), "after installing axe-core there is no {}", script.display());
    Ok(script)
}

/// schemathesis, the property-based API checker of the `openapi` suite
/// (from PyPI, into a virtual environment in `target/tools`).
const SCHEMATHESIS: &str = "4.32.5";

/// The `st` command of schemathesis [`SCHEMATHESIS`], installed with pip
/// into `target/tools/schemathesis` (a Python virtual environment) unless
/// there at that version.
pub fn ensure_schemathesis() -> anyhow::Result<PathBuf> {
    let venv = root().join("target/tools/schemathesis");
    let st = venv.join("bin/st");
    let wanted = format!("st, version {SCHEMATHESIS}");
    if version_of(&st.to_string_lossy()).is_some_and(|v| v == wanted) {
        eprintln!("    ok  schemathesis {SCHEMATHESIS}");
        return Ok(st);
    }
    if version_of("python3").is_none() {
        bail!("Python 3 is needed to install schemathesis {SCHEMATHESIS}; install it (Debian: apt-get install python3 python3-venv)");
    }
    eprintln!("    installing schemathesis {SCHEMATHESIS} from PyPI into {}…", venv.display());
    let mut cmd = command("python3");
    cmd.args(["-m", "venv", "--clear"]).arg(&venv);
    run(cmd, "python3 -m venv")?;
    let mut cmd = Command::new(venv.join("bin/pip"));
    cmd.args(["install", "--quiet", "--disable-pip-version-check", &format!("schemathesis=={SCHEMATHESIS}")]);
    run(cmd, &format!("pip install schemathesis=={SCHEMATHESIS}"))?;
    match version_of(&st.to_string_lossy()) {
        Some(v) if v == wanted => Ok(st),
        other => bail!("after installing schemathesis, st reports {other:?}, expected {wanted:?}"),
    }
}

/// terser [`TERSER`] from npm (into `target/tools`), run by `node`.
fn ensure_terser() -> anyhow::Result<()> {
    let cli = ensure_npm("terser", TERSER)?.join("bin/terser");
    anyhow::ensure!(cli.is_file(), "after installing terser there is no {}", cli.display());
    Ok(())
}

/// The wasm32 target, wasm-bindgen-cli (= Cargo.lock's wasm-bindgen), trunk, wasm-opt and terser.
pub fn ensure_wasm_toolchain(progress: &Progress) -> anyhow::Result<()> {
    progress.step("Checking the WASM toolchain (wasm32 target, wasm-bindgen-cli, trunk, wasm-opt, terser)");
    ensure_wasm_target()?;
    let bindgen = locked_wasm_bindgen()?;
    ensure_cargo_tool("wasm-bindgen-cli", "wasm-bindgen", &bindgen, false, "about 2 minutes")?;
    ensure_cargo_tool("trunk", "trunk", TRUNK, true, "about 5 minutes")?;
    ensure_wasm_opt()?;
    ensure_terser()
}

/// cargo-fuzz [`CARGO_FUZZ`], installed unless there.
pub fn ensure_cargo_fuzz() -> anyhow::Result<()> {
    ensure_cargo_tool("cargo-fuzz", "cargo-fuzz", CARGO_FUZZ, true, "about 1.5 minutes")
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Paths of Chromium and ChromeDriver, installing Debian's packages when
/// missing and running as root; otherwise says exactly what to install.
pub fn ensure_browser(progress: &Progress) -> anyhow::Result<(PathBuf, PathBuf)> {
    progress.step("Checking Chromium and ChromeDriver (for browser and end-to-end tests)");
    let find = |names: &[&str]| names.iter().map(|n| PathBuf::from("/usr/bin").join(n)).find(|p| p.is_file());
    let chromium = || find(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = || find(&["chromedriver"]);
    if chromium().is_none() || driver().is_none() {
        if !is_root() {
            bail!("Chromium and ChromeDriver are needed for the browser tests. Install them with:\n    sudo apt-get install -y chromium chromium-driver");
        }
        eprintln!("    installing chromium and chromium-driver with apt-get (about a minute)…");
        let mut update = Command::new("apt-get");
        update.args(["update", "-qq"]);
        run(update, "apt-get update")?;
        let mut install = Command::new("apt-get");
        install
            .args(["install", "-y", "-qq", "chromium", "chromium-driver"])
            .env("DEBIAN_FRONTEND", "noninteractive");
        run(install, "apt-get install chromium chromium-driver")?;
    }
    let (Some(chromium), Some(driver)) = (chromium(), driver()) else {
        bail!("chromium or chromedriver still missing after installing; expected /usr/bin/chromium and /usr/bin/chromedriver");
    };
    eprintln!(
        "    ok  {} / {}",
        version_of(&chromium.to_string_lossy()).unwrap_or_default(),
        version_of(&driver.to_string_lossy()).unwrap_or_default()
    );
    Ok((chromium, driver))
}
