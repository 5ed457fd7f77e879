use std::path::Path;
use switchboard_protocol::admin::NewTeam;
use switchboard_protocol::site::SiteKey;
use switchboard_protocol::stream::{Card, CardKind, Routing, Stream};
use switchboard_server::config::Settings;
use switchboard_server::demo::{self, SeededAccount};
use switchboard_server::shutdown::{self, ShutdownTrigger};
use switchboard_server::startup::Application;
use switchboard_server::Clock;

/// A running test server.
pub struct TestApp {
    pub url: String,
    pub demo_url: String,
    pub accounts: Vec<SeededAccount>,
    pub http: reqwest::Client,
    pub state: switchboard_server::state::AppState,
    pub dir: tempfile::TempDir,
    /// The database it runs on (kept across [`TestApp::restart`]).
    pub database_url: String,
    tweak: Tweak,
    clock: Clock,
    trigger: Option<ShutdownTrigger>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

pub const ALLOWED: &str = "https://shop.example.com";

/// A new team `name` of `members` (emails).
pub fn team(name: &str, members: &[&str]) -> NewTeam {
    NewTeam { name: name.into(), members: members.iter().map(|m| (*m).to_owned()).collect() }
}

/// Changes the test server's settings (say, a short accept timeout).
pub type Tweak = fn(&mut Settings);

fn settings(dir: &Path) -> Settings {
    let mut s = Settings {
        listen: ([127, 0, 0, 1], 0).into(),
        demo_listen: Some(([127, 0, 0, 1], 0).into()),
        data_dir: dir.join("data"),
        assets_dir: Some(dir.join("dist")),
        ..Settings::default()
    };
    // No disconnect grace (so no waiting for agents to reconnect after a
    // start) unless a test asks for it.
    s.routing.disconnect_grace_secs = 0;
    s
}

async fn start(
    dir: tempfile::TempDir,
    database: Option<String>,
    seed: bool,
    tweak: Tweak,
    clock: Clock,
) -> TestApp {
    let mut s = settings(dir.path());
    let database_url = match database {
        Some(url) => url,
        None => switchboard_server::store::scratch::database_url(dir.path()).await,
    };
    s.database_url = Some(database_url.clone());
    tweak(&mut s);
    let app = Application::build(s).await.expect("server starts").with_clock(clock.clone());
    let accounts = if seed {
        let key = SiteKey::parse("demo").unwrap();
        let now = app.state().clock.now_ms();
        demo::seed(app.store(), &key, &[ALLOWED.to_owned()], now).await.unwrap().expect("fresh database")
    } else {
        Vec::new()
    };
    let url = app.public_url().to_owned();
    let state = app.state();
    let demo_url = format!("http://{}", app.demo_addr().unwrap());
    let (trigger, shutdown) = shutdown::channel();
    let task = tokio::spawn(app.run(shutdown));
    TestApp {
        url,
        demo_url,
        accounts,
        http: reqwest::Client::new(),
        state,
        dir,
        database_url,
        tweak,
        clock,
        trigger: Some(trigger),
        task: Some(task),
    }
}

/// A server on a fresh database, seeded with the demo site (allowing
/// [`ALLOWED`]) and its accounts.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// [`spawn_app`] with changed settings (kept across [`TestApp::restart`]).
pub async fn spawn_app_with(tweak: Tweak) -> TestApp {
    start_fresh(tweak, Clock::system()).await
}

/// [`spawn_app`] reading the time from `clock` (kept across [`TestApp::restart`]).
pub async fn spawn_app_at(clock: Clock) -> TestApp {
    start_fresh(|_| {}, clock).await
}

/// A server on a fresh, empty database (no demo, no admin: its first run),
/// reading the time from `clock`.
pub async fn spawn_empty_at(clock: Clock) -> TestApp {
    init_tracing();
    start(tempfile::tempdir().unwrap(), None, false, |_| {}, clock).await
}

fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(std::env::var("TEST_LOG").unwrap_or_default())
        .with_test_writer()
        .try_init();
}

async fn start_fresh(tweak: Tweak, clock: Clock) -> TestApp {
    init_tracing();
    start(tempfile::tempdir().unwrap(), None, true, tweak, clock).await
}

impl TestApp {
    /// `switchboard` on this server's database (its data directory and
    /// database URL), ready for arguments.
    pub fn cli(&self) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"));
        c.env("SWITCHBOARD_DATA_DIR", self.dir.path().join("data"))
            .env("SWITCHBOARD_DATABASE_URL", &self.database_url);
        c
    }

    /// Runs `sql` on this server's database from outside the server (as
    /// another program, or an older version, would).
    pub async fn execute(&self, sql: &str) {
        if self.database_url.starts_with("postgres") {
            let db = sqlx::PgPool::connect(&self.database_url).await.unwrap();
            sqlx::query(sql).execute(&db).await.unwrap();
            db.close().await;
        } else {
            let db = sqlx::SqlitePool::connect(&self.database_url).await.unwrap();
            sqlx::query(sql).execute(&db).await.unwrap();
            db.close().await;
        }
    }

    pub fn password(&self, email: &str) -> String {
        self.accounts.iter().find(|a| a.email == email).unwrap().password.clone()
    }

    /// Writes a file into the assets directory the server serves.
    pub fn put_asset(&self, rel: &str, contents: &str) {
        let path = self.dir.path().join("dist").join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    /// Stops the server cleanly and starts a new one on the same data directory.
    pub async fn restart(self) -> TestApp {
        self.restart_after(std::time::Duration::ZERO).await
    }

    /// [`TestApp::restart`], with the server stopped for `stopped` first.
    pub async fn restart_after(mut self, stopped: std::time::Duration) -> TestApp {
        self.trigger.take().unwrap().trigger();
        let task = self.task.take().unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(10), task).await.unwrap().unwrap().unwrap();
        tokio::time::sleep(stopped).await;
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
        let database = Some(self.database_url.clone());
        let mut app = start(dir, database, false, self.tweak, self.clock.clone()).await;
        app.accounts = std::mem::take(&mut self.accounts);
        app
    }

    /// Logs `email` in; returns the session token.
    pub async fn session(&self, email: &str) -> String {
        let r = self.login(email, &self.password(email)).await;
        assert_eq!(r.status(), 200);
        r.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }

    /// An agent connected to the inbox socket, greeted and available.
    pub async fn agent(&self, email: &str) -> crate::ws_client::AgentClient {
        let token = self.session(email).await;
        let mut a = crate::ws_client::connect_agent(&self.url, Some(&token), Some(&self.url)).await.unwrap();
        a.hello().await;
        a
    }

    /// The seeded demo site, as stored.
    pub async fn demo_site(&self) -> switchboard_server::store::Site {
        self.state.store.site(&SiteKey::parse("demo").unwrap()).await.unwrap().unwrap()
    }

    /// A live chat card routing by `routing`, published on the demo site
    /// (as its own one-card stream): the stream, version and card a
    /// hand-off names to be routed so.
    pub async fn live_chat(&self, routing: Routing) -> (String, u32, String) {
        let id = format!("route-{:016x}", {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            format!("{routing:?}").hash(&mut h);
            h.finish()
        });
        let stream = Stream {
            id: id.clone(),
            name: id.clone(),
            priority: -1,
            targets: vec!["/never".into()],
            exclude: vec![],
            locale: Default::default(),
            cards: vec![Card {
                id: "chat".into(),
                kind: CardKind::LiveChat { routing, text: None, next: None },
            }],
            version: 0,
        };
        let site = self.demo_site().await;
        let valid = stream.validate().unwrap();
        let version =
            self.state.store.publish_stream(site.id, &valid, "", self.state.clock.now_ms()).await.unwrap();
        (id, version, "chat".into())
    }

    /// A request to the admin API (`path` under `/api/admin`) with the
    /// admin's session as a bearer token.
    pub async fn as_admin(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let token = self.session("admin@example.com").await;
        self.http.request(method, format!("{}/api/admin{path}", self.url)).bearer_auth(token)
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/api/auth/login", self.url))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(t) = self.trigger.take() {
            t.trigger();
        }
    }
}
