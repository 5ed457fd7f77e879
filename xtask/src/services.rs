//! Throwaway services for the tests: a private PostgreSQL cluster on a
//! free loopback port, in a directory of its own, removed when dropped;
//! and nats-server, which the cluster suite starts for each scenario.
//!
//! PostgreSQL comes from Debian's `postgresql` package, installed with
//! apt-get when missing and running as root (as Chromium is). `initdb`
//! refuses to run as root, so as root the cluster belongs to the
//! `postgres` user the package creates.

use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Progress;

/// A running PostgreSQL cluster, stopped and deleted when dropped.
pub struct Postgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// The newest installed PostgreSQL's `bin` directory (`/usr/lib/postgresql/N/bin`).
fn installed_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("pg_ctl").is_file().then_some((n, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// PostgreSQL's binaries, installing Debian's package when missing and
/// running as root; otherwise says exactly what to install.
fn ensure_installed() -> anyhow::Result<PathBuf> {
    if let Some(bin) = installed_bin() {
        return Ok(bin);
    }
    if !is_root() {
        bail!("PostgreSQL is needed for the PostgreSQL tests. Install it with:\n    sudo apt-get install -y postgresql");
    }
    eprintln!("    installing postgresql with apt-get (about a minute)…");
    let status = Command::new("apt-get").args(["update", "-qq"]).status().context("apt-get update")?;
    anyhow::ensure!(status.success(), "apt-get update failed");
    // Debian's postinst may fail to start its own cluster without systemd;
    // that one is not used, so only the binaries matter.
    let _ = Command::new("apt-get")
        .args(["install", "-y", "-qq", "postgresql"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status();
    installed_bin().context("postgresql still missing after apt-get install postgresql")
}

impl Postgres {
    /// Installs PostgreSQL if needed and starts a new cluster (no fsync:
    /// it lives for one test run).
    pub fn start(progress: &Progress) -> anyhow::Result<Self> {
        progress.step("Starting a throwaway PostgreSQL cluster");
        let bin = ensure_installed()?;
        let as_postgres = is_root();
        let dir = std::env::temp_dir().join(format!("switchboard-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        if as_postgres {
            let ok = Command::new("chown").arg("postgres:postgres").arg(&dir).status()?.success();
            anyhow::ensure!(ok, "chown postgres {}", dir.display());
        }
        let pg = Self { bin, dir, port: free_port()?, as_postgres };
        let data = pg.dir.join("data");
        pg.run("initdb", &["-D", &path(&data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])?;
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200",
            pg.port,
            path(&pg.dir)
        );
        let log = path(&pg.dir.join("log"));
        pg.run("pg_ctl", &["-D", &path(&data), "-o", &options, "-l", &log, "-w", "start"])?;
        eprintln!("    ok  PostgreSQL on 127.0.0.1:{} ({})", pg.port, pg.dir.display());
        Ok(pg)
    }

    /// The URL of its `postgres` database, as the `postgres` superuser.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn run(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        let exe = path(&self.bin.join(program));
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", &exe]);
            c
        } else {
            Command::new(&exe)
        };
        let out =
            c.args(args).current_dir(&self.dir).output().with_context(|| format!("running {program}"))?;
        if !out.status.success() {
            bail!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = path(&self.dir.join("data"));
        let _ = self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// nats-server's path, installing Debian's package when missing and
/// running as root; otherwise says exactly what to install.
pub fn ensure_nats_server(progress: &Progress) -> anyhow::Result<PathBuf> {
    progress.step("Checking nats-server");
    let find = || {
        ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
    };
    if find().is_none() {
        if !is_root() {
            bail!("nats-server is needed for the cluster suite. Install it with:\n    sudo apt-get install -y nats-server");
        }
        eprintln!("    installing nats-server with apt-get…");
        let status = Command::new("apt-get").args(["update", "-qq"]).status().context("apt-get update")?;
        anyhow::ensure!(status.success(), "apt-get update failed");
        let status = Command::new("apt-get")
            .args(["install", "-y", "-qq", "nats-server"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .context("apt-get install nats-server")?;
        anyhow::ensure!(status.success(), "apt-get install nats-server failed");
    }
    let path = find().context("nats-server still missing after apt-get install nats-server")?;
    eprintln!("    ok  {}", path.display());
    Ok(path)
}

impl Postgres {
    /// PostgreSQL's own `pgbench` (its TPC-B-like transaction: five
    /// statements, one commit) on a new scale-10 database for `secs`
    /// seconds with 8 clients on 2 threads: transactions a second, the
    /// floor the cluster bench's figures stand beside.
    pub fn pgbench(&self, secs: u64) -> anyhow::Result<f64> {
        let port = self.port.to_string();
        let conn = ["-h", "127.0.0.1", "-p", &port, "-U", "postgres"];
        let tool = |program: &str, args: &[&str]| -> anyhow::Result<String> {
            let out = Command::new(self.bin.join(program))
                .args(conn)
                .args(args)
                .output()
                .with_context(|| format!("running {program}"))?;
            let text =
                format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            anyhow::ensure!(out.status.success(), "{program} failed: {text}");
            Ok(text)
        };
        tool("createdb", &["pgbench"])?;
        tool("pgbench", &["-i", "-s", "10", "-q", "pgbench"])?;
        let out = tool("pgbench", &["-T", &secs.to_string(), "-c", "8", "-j", "2", "pgbench"])?;
        out.lines()
            .find_map(|l| l.strip_prefix("tps = "))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .with_context(|| format!("no tps in pgbench's output:\n{out}"))
    }
}

/// A private nats-server on a free loopback port, killed when dropped.
pub struct Nats {
    child: std::process::Child,
    port: u16,
}

impl Nats {
    /// Starts `exe` and waits until it accepts connections.
    pub fn start(exe: &Path) -> anyhow::Result<Self> {
        let port = free_port()?;
        let child = Command::new(exe)
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", exe.display()))?;
        let mut nats = Self { child, port };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = nats.child.try_wait()? {
                bail!("nats-server exited at start ({status})");
            }
            anyhow::ensure!(std::time::Instant::now() < deadline, "nats-server did not listen within 10 s");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Ok(nats)
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
