//! The end-to-end harness: a real Switchboard server (API origin) with its demo
//! host page on a second port (another origin), and headless Chromium driven
//! through ChromeDriver. `cargo xtask test` builds the bundles first and passes
//! their location (`SWITCHBOARD_E2E_DIST`) and the browser's
//! (`SWITCHBOARD_E2E_CHROMIUM`, `SWITCHBOARD_E2E_CHROMEDRIVER`).

pub mod console;
pub mod designer;
use anyhow::{bail, Context};
use fantoccini::{Client, ClientBuilder};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;
use switchboard_server::config::Settings;
use switchboard_server::csp_report::{CspReports, Violation};
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
    /// The database's URL, for tests that open it beside the server.
    pub database_url: String,
    /// The Content-Security-Policy violations browsers reported to the server.
    pub csp: CspReports,
    trigger: ShutdownTrigger,
    _data: tempfile::TempDir,
}

impl App {
    /// Starts a server; the demo site allows the demo page's origin, or only
    /// `allowed_origin` when given.
    pub async fn spawn(allowed_origin: Option<&str>) -> anyhow::Result<Self> {
        Self::start(allowed_origin, false, |_| {}).await
    }

    /// Starts a server on a fresh database, nothing seeded (no account, no
    /// site): as `switchboard serve` first runs. The demo page still serves
    /// the snippet of the site `demo`, once someone creates it.
    pub async fn spawn_fresh() -> anyhow::Result<Self> {
        Self::launch(None, false, false, |_| {}).await
    }

    /// Starts a server with `tweak` applied to its settings (a shorter
    /// accept timeout, say).
    pub async fn spawn_with(tweak: impl FnOnce(&mut Settings)) -> anyhow::Result<Self> {
        Self::start(None, false, tweak).await
    }

    /// Starts a server that the browser reaches through a [`Proxy`], so a
    /// test can cut the visitor's network.
    pub async fn spawn_proxied() -> anyhow::Result<Self> {
        Self::start(None, true, |_| {}).await
    }

    async fn start(
        allowed_origin: Option<&str>,
        proxied: bool,
        tweak: impl FnOnce(&mut Settings),
    ) -> anyhow::Result<Self> {
        Self::launch(allowed_origin, proxied, true, tweak).await
    }

    async fn launch(
        allowed_origin: Option<&str>,
        proxied: bool,
        seeded: bool,
        tweak: impl FnOnce(&mut Settings),
    ) -> anyhow::Result<Self> {
        let dist =
            env_path("SWITCHBOARD_E2E_DIST", concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/dist"));
        if !dist.join("widget/switchboard-widget_bg.wasm").is_file()
            || !dist.join("inbox/index.html").is_file()
            || !dist.join("admin/index.html").is_file()
        {
            bail!(
                "no built bundles in {}: run the end-to-end tests through `cargo xtask test`",
                dist.display()
            );
        }
        log_to_the_test();
        let data = tempfile::tempdir()?;
        let mut settings = Settings {
            listen: ([127, 0, 0, 1], 0).into(),
            demo_listen: Some(([127, 0, 0, 1], 0).into()),
            data_dir: data.path().to_path_buf(),
            assets_dir: Some(dist),
            ..Settings::default()
        };
        // Nobody reconnects after this server starts: no waiting for inboxes.
        settings.routing.disconnect_grace_secs = 0;
        tweak(&mut settings);
        let proxy_listener =
            if proxied { Some(tokio::net::TcpListener::bind("127.0.0.1:0").await?) } else { None };
        if let Some(l) = &proxy_listener {
            settings.public_url = Some(format!("http://{}", l.local_addr()?));
        }
        let database_url = settings.database_url();
        let app = Application::build(settings).await?;
        let api = app.public_url().to_owned();
        let direct = format!("http://{}", app.local_addr());
        let proxy = proxy_listener.map(|l| Proxy::start(l, app.local_addr()));
        let demo = format!("http://{}", app.demo_addr().expect("demo enabled"));
        let store = app.store().clone();
        let csp = app.state().csp_reports;
        let origin = allowed_origin.unwrap_or(&demo).to_owned();
        let key = switchboard_protocol::site::SiteKey::parse("demo")?;
        let now = app.state().clock.now_ms();
        let accounts = if seeded {
            switchboard_server::demo::seed(&store, &key, &[origin], now).await?.context("fresh database")?
        } else {
            Vec::new()
        };
        let (trigger, shutdown) = shutdown::channel();
        tokio::spawn(app.run(shutdown));
        Ok(Self { api, direct, proxy, demo, accounts, store, database_url, csp, trigger, _data: data })
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
    launch(languages, None, scenario).await
}

/// [`with_browser`] where what the pages save (a download) lands in
/// `downloads`, without asking.
pub async fn with_browser_saving_to<F, Fut>(downloads: &Path, scenario: F) -> anyhow::Result<()>
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    launch("en-US", Some(downloads), scenario).await
}

async fn launch<F, Fut>(languages: &str, downloads: Option<&Path>, scenario: F) -> anyhow::Result<()>
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
    let mut caps = caps;
    if let Some(dir) = downloads {
        caps["goog:chromeOptions"]["prefs"]["download.default_directory"] = dir.display().to_string().into();
        caps["goog:chromeOptions"]["prefs"]["download.prompt_for_download"] = false.into();
    }
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
            Err(_) if attempt < 300 => {
                // (Up to 30 s: chromedriver starts slowly on a busy machine.)
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

/// Sends the server's warnings and errors (a request that failed, with
/// why) to the test's output, which the harness shows when a test fails.
fn log_to_the_test() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
        // A test binary may have set one already: then that one reports.
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
    });
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

/// The WCAG tags every audit checks.
pub const AXE_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"];

/// Runs the axe-core engine (`SWITCHBOARD_E2E_AXE`, installed by `cargo xtask
/// test`) on the current page, open shadow roots included, with
/// [`AXE_TAGS`]; returns each violation as `rule: help (targets)`.
pub async fn axe_violations(c: &Client) -> anyhow::Result<Vec<String>> {
    let path = env_path(
        "SWITCHBOARD_E2E_AXE",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/tools/node_modules/axe-core/axe.min.js"),
    );
    let source = std::fs::read_to_string(&path)
        .with_context(|| format!("reading {} (run the tests through `cargo xtask test`)", path.display()))?;
    c.execute(
        &format!("if (!window.axe) {{ {source}\n; window.axe = axe; }} return typeof window.axe;"),
        vec![],
    )
    .await?;
    let tags = serde_json::json!(AXE_TAGS);
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] }) \
               .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' (' + \
                  v.nodes.slice(0, 4).map(n => JSON.stringify(n.target)).join(', ') + ')'))) \
               .catch(e => done(['axe failed: ' + e]));",
            vec![tags],
        )
        .await?;
    Ok(serde_json::from_value(found)?)
}

/// A WebSocket to the server, as the tests' agents and visitors use.
pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// An agent's socket (logged in over HTTP, `Authorization: Bearer`, the
/// server's own origin), greeted: the welcome is read.
pub async fn agent_socket(app: &App, email: &str) -> anyhow::Result<Ws> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let login = reqwest::Client::new()
        .post(format!("{}/api/auth/login", app.direct))
        .json(&serde_json::json!({ "email": email, "password": app.account(email).password }))
        .send()
        .await?
        .json::<serde_json::Value>()
        .await?;
    let token = login["token"].as_str().unwrap_or_default().to_owned();
    let mut req = format!("{}/ws/agent", app.direct.replace("http://", "ws://")).into_client_request()?;
    req.headers_mut().insert("Authorization", format!("Bearer {token}").parse()?);
    req.headers_mut().insert("Origin", app.api.parse()?);
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await?;
    send_frame(&mut ws, &switchboard_protocol::wire::AgentIn::Hello { protocol: 1 }).await?;
    next_frame(&mut ws, |f| matches!(f, switchboard_protocol::wire::AgentOut::Welcome { .. }).then_some(()))
        .await?;
    Ok(ws)
}

/// An agent whose inbox is open and who never answers: what routing offers
/// them stays offered (until the accept timeout), so a visitor's widget
/// keeps saying it is connecting. Their frames are read and dropped (which
/// also answers the server's pings) until the app's server stops.
pub async fn agent_on_call(app: &App, email: &str) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    use futures_util::StreamExt;
    let mut ws = agent_socket(app, email).await?;
    Ok(tokio::spawn(async move { while let Some(Ok(_)) = ws.next().await {} }))
}

/// Sends one JSON frame.
pub async fn send_frame<T: serde::Serialize>(ws: &mut Ws, frame: &T) -> anyhow::Result<()> {
    use futures_util::SinkExt;
    ws.send(tokio_tungstenite::tungstenite::Message::text(serde_json::to_string(frame)?)).await?;
    Ok(())
}

/// Reads frames until `pick` takes one (20 s at most per frame).
pub async fn next_frame<F: serde::de::DeserializeOwned, T>(
    ws: &mut Ws,
    mut pick: impl FnMut(F) -> Option<T>,
) -> anyhow::Result<T> {
    use futures_util::StreamExt;
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await?
            .ok_or_else(|| anyhow::anyhow!("socket closed"))??;
        if let tokio_tungstenite::tungstenite::Message::Text(t) = msg {
            if let Some(v) = pick(serde_json::from_str(&t)?) {
                return Ok(v);
            }
        }
    }
}

/// A visitor of the demo site (over the visitor socket) who hands off to
/// live chat at once, as Lin <lin@example.org> asking about pricing.
pub async fn visitor(app: &App) -> anyhow::Result<Ws> {
    Ok(visitor_with_token(app).await?.0)
}

/// As [`visitor`], with the visitor's token (what the widget keeps).
pub async fn visitor_with_token(app: &App) -> anyhow::Result<(Ws, String)> {
    use switchboard_protocol::stream::runner::Entry;
    use switchboard_protocol::wire::{VisitorIn, VisitorOut};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req =
        format!("{}/ws/visitor?site=demo", app.direct.replace("http://", "ws://")).into_client_request()?;
    req.headers_mut().insert("Origin", app.demo.parse()?);
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await?;
    send_frame(&mut ws, &VisitorIn::Hello { protocol: 1, token: None, last_seq: 0, epoch: None }).await?;
    let token = next_frame(&mut ws, |f: VisitorOut| match f {
        VisitorOut::Welcome { token, .. } => Some(token),
        _ => None,
    })
    .await?;
    let handoff = VisitorIn::Handoff {
        stream: "recommended".into(),
        version: 1,
        card: "agent".into(),
        attributes: [
            ("first_name".to_owned(), "Lin".to_owned()),
            ("email".to_owned(), "lin@example.org".to_owned()),
        ]
        .into(),
        transcript: vec![
            Entry::Bot { card: "topic".into(), text: "What can we help with?".into() },
            Entry::Visitor { card: "topic".into(), text: "<script>alert(1)</script>Pricing".into() },
        ],
        page: Default::default(),
    };
    send_frame(&mut ws, &handoff).await?;
    Ok((ws, token))
}

/// Finds `css` in the page or inside the widget's shadow root, once it is
/// displayed (as a visitor would: the launcher, say, shows once its styles
/// are in).
pub async fn find(c: &Client, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
    eventually(css, || async {
        let found = match c.find_all(fantoccini::Locator::Css(css)).await?.into_iter().next() {
            Some(e) => Some(e),
            None => {
                match c.find_all(fantoccini::Locator::Css("#switchboard-widget")).await?.into_iter().next() {
                    Some(host) => host
                        .shadow_root()
                        .await?
                        .find_all(fantoccini::Locator::Css(css))
                        .await?
                        .into_iter()
                        .next(),
                    None => None,
                }
            }
        };
        match found {
            Some(e) if e.is_displayed().await? => Ok(Some(e)),
            _ => Ok(None),
        }
    })
    .await
}

/// Texts of every `css` in the page or in the widget.
pub async fn texts(c: &Client, css: &str) -> anyhow::Result<Vec<String>> {
    let mut found = c.find_all(fantoccini::Locator::Css(css)).await?;
    if found.is_empty() {
        if let Some(host) =
            c.find_all(fantoccini::Locator::Css("#switchboard-widget")).await?.into_iter().next()
        {
            found = host.shadow_root().await?.find_all(fantoccini::Locator::Css(css)).await?;
        }
    }
    let mut out = Vec::new();
    for e in found {
        out.push(e.text().await?);
    }
    Ok(out)
}

/// Waits until some `css` (in the page or the widget) shows `text`.
pub async fn shows(c: &Client, css: &str, text: &str) -> anyhow::Result<()> {
    let seen = eventually(&format!("{css} showing {text:?}"), || async {
        Ok(texts(c, css).await?.iter().any(|t| t == text).then_some(()))
    })
    .await;
    match seen {
        Ok(()) => Ok(()),
        // (What it showed instead says why, in a run that cannot be repeated.)
        Err(e) => Err(e.context(format!("{css} showed {:?}", texts(c, css).await.unwrap_or_default()))),
    }
}

/// Signs `email` into the inbox at `/inbox/` and waits for its socket.
pub async fn sign_in(c: &Client, app: &App, email: &str) -> anyhow::Result<()> {
    c.goto(&format!("{}/inbox/", app.api)).await?;
    find(c, "#login-email").await?.send_keys(email).await?;
    find(c, "#login-password").await?.send_keys(&app.account(email).password).await?;
    find(c, "[data-testid=login-submit]").await?.click().await?;
    find(c, "[data-testid=signed-in-as]").await?;
    eventually("the inbox connected", || async {
        Ok(c.find_all(fantoccini::Locator::Css("[data-testid=link]")).await?.is_empty().then_some(()))
    })
    .await
}

/// Serves `html` at `/` of a new port on 127.0.0.1 (another origin than the
/// server's, on the same site) for as long as the test runs; returns its URL.
pub async fn serve_page(html: String) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/", listener.local_addr()?);
    let page =
        axum::Router::new().route("/", axum::routing::get(move || async move { axum::response::Html(html) }));
    tokio::spawn(async move { axum::serve(listener, page).await });
    Ok(url)
}

/// Records, in every page `c` loads from now on, the Content-Security-Policy
/// violations the page sees (its `securitypolicyviolation` events, also from
/// the widget's shadow root), for [`csp_violations`].
pub async fn watch_csp(c: &Client) -> anyhow::Result<()> {
    on_every_page(
        c,
        "window.cspViolations = []; \
         addEventListener('securitypolicyviolation', e => window.cspViolations.push( \
           e.effectiveDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber), true);",
    )
    .await
}

/// The violations the current page saw since it loaded (see [`watch_csp`]).
pub async fn csp_violations(c: &Client) -> anyhow::Result<Vec<String>> {
    Ok(serde_json::from_value(c.execute("return window.cspViolations || ['not watched'];", vec![]).await?)?)
}

/// The origin [`reported_violations`] fetches from, which no policy allows.
pub const SENTINEL: &str = "http://127.0.0.1:9";

/// Every violation reported to the server so far but the sentinel's: the
/// page in `c` breaks its policy once on purpose (a fetch from
/// [`SENTINEL`]) and, once the server heard of that, anything the pages
/// broke before has been reported too. Fails when the sentinel is not
/// reported (no policy, or no `report-uri`).
pub async fn reported_violations(c: &Client, app: &App) -> anyhow::Result<Vec<Violation>> {
    c.execute(&format!("fetch('{SENTINEL}/csp-sentinel').catch(() => {{}}); return null;"), vec![]).await?;
    let sentinel = |v: &Violation| v.directive == "connect-src" && v.blocked == SENTINEL;
    eventually("the sentinel's violation report", || async {
        Ok(app.csp.recent().iter().any(sentinel).then_some(()))
    })
    .await?;
    // (Reports are sent in order; leave any straggler time to arrive.)
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut all = app.csp.recent();
    anyhow::ensure!(app.csp.count() == all.len() as u64, "more reports than kept: {all:?}");
    all.retain(|v| !sentinel(v));
    Ok(all)
}

/// Chromedriver's `goog/cdp/execute`: one Chrome DevTools Protocol command.
#[derive(Debug)]
struct Cdp(serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}

/// Runs `source` in every page `c` loads from now on, before the page's own
/// scripts (Chrome's `Page.addScriptToEvaluateOnNewDocument`).
pub async fn on_every_page(c: &Client, source: &str) -> anyhow::Result<()> {
    let command = serde_json::json!({
        "cmd": "Page.addScriptToEvaluateOnNewDocument",
        "params": { "source": source }
    });
    c.issue_cmd(Cdp(command)).await?;
    Ok(())
}

/// Timings (ms) as the benches report them: median and max (to 0.1 ms)
/// and how many runs.
pub fn summary(mut xs: Vec<f64>) -> serde_json::Value {
    xs.sort_by(f64::total_cmp);
    let median = xs.get(xs.len() / 2).copied().unwrap_or(f64::NAN);
    let max = xs.last().copied().unwrap_or(f64::NAN);
    serde_json::json!({ "median_ms": (median * 10.0).round() / 10.0, "max_ms": (max * 10.0).round() / 10.0, "runs": xs.len() })
}
