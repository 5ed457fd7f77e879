//! The end-to-end harness: a real Switchboard server (API origin) with its demo
//! host page on a second port (another origin), and headless Chromium driven
//! through ChromeDriver. `cargo xtask test` builds the bundles first and passes
//! their location (`SWITCHBOARD_E2E_DIST`) and the browser's
//! (`SWITCHBOARD_E2E_CHROMIUM`, `SWITCHBOARD_E2E_CHROMEDRIVER`).

use anyhow::{bail, Context};
use fantoccini::{Client, ClientBuilder};
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;
use switchboard_server::config::Settings;
use switchboard_server::demo::SeededAccount;
use switchboard_server::shutdown::{self, ShutdownTrigger};
use switchboard_server::startup::Application;
use switchboard_server::store::Store;

fn env_path(name: &str, default: &str) -> PathBuf {
    std::env::var_os(name).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(default))
}

/// A running server with the demo site seeded.
pub struct App {
    /// API origin as the browser sees it, e.g. `http://127.0.0.1:41234`
    /// (the [`Proxy`]'s, when there is one).
    pub api: String,
    /// The server itself, bypassing any proxy (for the agent's side).
    pub direct: String,
    /// The network between the browser and the server, when proxied.
    pub proxy: Option<Proxy>,
    /// Demo host page origin (another port, so another origin).
    pub demo: String,
    /// The seeded accounts with their passwords.
    pub accounts: Vec<SeededAccount>,
    /// Storage, for assertions.
    pub store: Store,
    trigger: ShutdownTrigger,
    _data: tempfile::TempDir,
}

impl App {
    /// Starts a server; the demo site allows the demo page's origin, or only
    /// `allowed_origin` when given.
    pub async fn spawn(allowed_origin: Option<&str>) -> anyhow::Result<Self> {
        Self::start(allowed_origin, false).await
    }

    /// Starts a server that the browser reaches through a [`Proxy`], so a
    /// test can cut the visitor's network.
    pub async fn spawn_proxied() -> anyhow::Result<Self> {
        Self::start(None, true).await
    }

    async fn start(allowed_origin: Option<&str>, proxied: bool) -> anyhow::Result<Self> {
        let dist =
            env_path("SWITCHBOARD_E2E_DIST", concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/dist"));
        if !dist.join("widget/switchboard-widget_bg.wasm").is_file()
            || !dist.join("inbox/index.html").is_file()
        {
            bail!(
                "no built bundles in {}: run the end-to-end tests through `cargo xtask test`",
                dist.display()
            );
        }
        let data = tempfile::tempdir()?;
        let mut settings = Settings {
            listen: ([127, 0, 0, 1], 0).into(),
            demo_listen: Some(([127, 0, 0, 1], 0).into()),
            data_dir: data.path().to_path_buf(),
            assets_dir: dist,
            ..Settings::default()
        };
        // Nobody reconnects after this server starts: no waiting for inboxes.
        settings.routing.disconnect_grace_secs = 0;
        let proxy_listener =
            if proxied { Some(tokio::net::TcpListener::bind("127.0.0.1:0").await?) } else { None };
        if let Some(l) = &proxy_listener {
            settings.public_url = Some(format!("http://{}", l.local_addr()?));
        }
        let app = Application::build(settings).await?;
        let api = app.public_url().to_owned();
        let direct = format!("http://{}", app.local_addr());
        let proxy = proxy_listener.map(|l| Proxy::start(l, app.local_addr()));
        let demo = format!("http://{}", app.demo_addr().expect("demo enabled"));
        let store = app.store().clone();
        let origin = allowed_origin.unwrap_or(&demo).to_owned();
        let key = switchboard_protocol::site::SiteKey::parse("demo")?;
        let accounts =
            switchboard_server::demo::seed(&store, &key, &[origin]).await?.context("fresh database")?;
        let (trigger, shutdown) = shutdown::channel();
        tokio::spawn(app.run(shutdown));
        Ok(Self { api, direct, proxy, demo, accounts, store, trigger, _data: data })
    }

    /// The seeded account with `email`.
    pub fn account(&self, email: &str) -> &SeededAccount {
        self.accounts.iter().find(|a| a.email == email).expect("seeded account")
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.trigger.trigger();
    }
}

/// A TCP proxy between the browser and the server: [`Proxy::cut`] drops every
/// connection and refuses new ones, as a lost network would; [`Proxy::restore`]
/// lets them through again.
#[derive(Clone)]
pub struct Proxy {
    cut: std::sync::Arc<std::sync::atomic::AtomicBool>,
    connections: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    fn start(listener: tokio::net::TcpListener, target: std::net::SocketAddr) -> Proxy {
        let proxy = Proxy { cut: Default::default(), connections: Default::default() };
        let p = proxy.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if p.cut.load(std::sync::atomic::Ordering::SeqCst) {
                    continue; // dropped: the browser sees the connection fail
                }
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                p.connections.lock().unwrap_or_else(|e| e.into_inner()).push(task);
            }
        });
        proxy
    }

    /// Drops every open connection and refuses new ones.
    pub fn cut(&self) {
        self.cut.store(true, std::sync::atomic::Ordering::SeqCst);
        for task in self.connections.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
            task.abort();
        }
    }

    /// Lets connections through again.
    pub fn restore(&self) {
        self.cut.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Runs `scenario` in a fresh headless Chromium and always closes the session
/// (and the browser) before returning the scenario's result, so a failing
/// assertion never leaves an orphaned browser behind.
pub async fn with_browser<F, Fut>(scenario: F) -> anyhow::Result<()>
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    with_browser_in("en-US", scenario).await
}

/// [`with_browser`] with the browser's languages set to `languages` (as in
/// its settings: `nl-BE,nl`), which pages read from `navigator.languages`.
pub async fn with_browser_in<F, Fut>(languages: &str, scenario: F) -> anyhow::Result<()>
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let driver_path = env_path("SWITCHBOARD_E2E_CHROMEDRIVER", "/usr/bin/chromedriver");
    let chromium = env_path("SWITCHBOARD_E2E_CHROMIUM", "/usr/bin/chromium");
    let port = free_port()?;
    let _driver = tokio::process::Command::new(&driver_path)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", driver_path.display()))?;
    let profile = tempfile::tempdir()?;
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,900", format!("--user-data-dir={}", profile.path().display()),
                format!("--lang={}", languages.split(',').next().unwrap_or("en-US")),
            ],
            "prefs": { "intl.accept_languages": languages }
        }
    });
    let caps = match caps {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("a JSON object"),
    };
    let url = format!("http://127.0.0.1:{port}");
    let mut attempt = 0;
    let client = loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
            Ok(c) => break c,
            Err(_) if attempt < 50 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => bail!("connecting to chromedriver: {e}"),
        }
    };
    let result = scenario(client.clone()).await;
    let closed = client.close().await;
    result?;
    closed.context("closing the browser")?;
    Ok(())
}

/// Polls `check` every 100 ms until it yields a value, for at most 15 s.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Option<T>>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let mut last_error = None;
    loop {
        match check().await {
            Ok(Some(v)) => return Ok(v),
            Ok(None) => {}
            Err(e) => last_error = Some(e),
        }
        if tokio::time::Instant::now() > deadline {
            bail!("timed out waiting for {what} (last error: {last_error:?})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Saves what the browser shows to `target/e2e-screenshots/NAME.png`, for a
/// person to look at after a run.
pub async fn save_screenshot(c: &Client, name: &str) -> anyhow::Result<()> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/e2e-screenshots"));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(format!("{name}.png")), c.screenshot().await?)?;
    Ok(())
}
