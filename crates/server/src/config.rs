//! Typed settings: defaults, then an optional TOML file, then `SWITCHBOARD_*`
//! environment variables (so a container or CI can override one value without
//! writing a file).

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Where `cargo xtask build` writes the bundles, relative to the workspace:
/// the bundles' directory when none is given to a binary without them.
pub const DEV_ASSETS_DIR: &str = "target/dist";

/// Everything `switchboard serve` needs to start.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address the HTTP and WebSocket server binds.
    pub listen: SocketAddr,
    /// Directory for the SQLite database (created if missing).
    pub data_dir: PathBuf,
    /// Database URL; when unset, `sqlite://<data_dir>/switchboard.db`.
    pub database_url: Option<String>,
    /// Public base URL the widget loader and the inbox are reached at; used in
    /// the embed snippet and the demo page. When unset, `http://<listen>`.
    pub public_url: Option<String>,
    /// Directory with the built browser bundles (`widget/`, `inbox/`,
    /// `admin/`), when one was given (`assets_dir` in the file,
    /// `SWITCHBOARD_ASSETS_DIR`, `switchboard serve --assets-dir`); when
    /// not, the bundles built into the binary, or [`DEV_ASSETS_DIR`] in a
    /// build without them.
    pub assets_dir: Option<PathBuf>,
    /// When set, a demo host page with the embed snippet is served on this
    /// second address, a different origin from the API, as a real site would be.
    pub demo_listen: Option<SocketAddr>,
    /// The demo page's site key.
    pub demo_site: String,
    /// Size limits on input.
    pub limits: Limits,
    /// Routing and chat timing.
    pub routing: RoutingSettings,
    /// Running as one node of several.
    pub cluster: ClusterSettings,
}

/// Several nodes on one PostgreSQL database, told of each other's changes
/// through NATS. Without `nats_url` a server runs alone.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterSettings {
    /// The NATS server carrying "something changed" between nodes
    /// (`nats://HOST:PORT`); unset: a single node.
    pub nats_url: Option<String>,
    /// This node's name in the database and on the bus; unset: random.
    pub node_id: Option<String>,
    /// Subject prefix on the bus (several clusters may share one NATS).
    pub subject_prefix: String,
    /// How often a node records that it is alive.
    pub heartbeat_ms: u64,
    /// A node whose last heartbeat is older than this is dead: its agents'
    /// grace period runs from that heartbeat.
    pub node_ttl_ms: u64,
    /// How often a node reads where its followed conversations stand, to
    /// repair what the bus dropped.
    pub sweep_ms: u64,
    /// How often a node re-reads the cluster's presence.
    pub presence_ms: u64,
    /// After losing the database or NATS this long, a node closes its
    /// sockets so that clients move to a healthy node.
    pub outage_close_ms: u64,
    /// A failpoint for tests: drop every Nth event this node would publish
    /// (0: none), as a bus that loses messages would; the repairs must
    /// still bring every message across.
    pub drop_every: u64,
    /// A failpoint for tests: this node's first routing decision waits this
    /// long (ms) inside its transaction, holding the routing lock, after
    /// writing its offer or fallback and before committing (0, the default:
    /// none), as a node paused there (a GC or VM pause, SIGSTOP) would. The
    /// database's `idle_in_transaction_session_timeout` must then end that
    /// session so that other nodes decide, and its late commit must fail.
    pub routing_pause_ms: u64,
    /// A failpoint for tests: the process aborts (no clean-up, as kill -9)
    /// right after storing a message whose text is exactly this, before
    /// any listener here or on another node is told (unset, the default:
    /// never). The repairs must still bring that message to the other
    /// side, and the sender's resend must find it stored.
    pub abort_after_storing: Option<String>,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        Self {
            nats_url: None,
            node_id: None,
            subject_prefix: "sb.v1".to_owned(),
            heartbeat_ms: 5_000,
            node_ttl_ms: 15_000,
            sweep_ms: 5_000,
            presence_ms: 500,
            outage_close_ms: 15_000,
            drop_every: 0,
            routing_pause_ms: 0,
            abort_after_storing: None,
        }
    }
}

/// How chats are routed and when they time out.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingSettings {
    /// An offer not accepted within this many seconds goes to the next agent.
    pub accept_timeout_secs: u64,
    /// Most open chats (offered or active) an agent is given.
    pub capacity: u32,
    /// An agent whose last inbox connection closed stays routable this long.
    pub disconnect_grace_secs: u64,
    /// An active chat with no message from either side for this long ends.
    pub inactivity_secs: u64,
    /// How often a running server looks for changes made elsewhere (the
    /// command line) that reach its sockets: removed agents, revoked
    /// permissions, new schedules and passwords.
    pub changes_poll_ms: u64,
}

impl Default for RoutingSettings {
    fn default() -> Self {
        Self {
            accept_timeout_secs: 100,
            capacity: 10,
            disconnect_grace_secs: 60,
            inactivity_secs: 600,
            changes_poll_ms: 1000,
        }
    }
}

/// Upper bounds on what a client may send.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest HTTP request body, in bytes.
    pub max_body_bytes: usize,
    /// How long an agent session lasts, in hours.
    pub session_hours: u32,
    /// WebSocket frames a connection may send at once (then it waits for
    /// `frames_per_sec` to refill; beyond that frames are refused with
    /// `rate_limited`).
    pub frames_burst: u32,
    /// WebSocket frames a second a connection may send, sustained. A
    /// visitor's sockets share one allowance (`frames_burst` at once,
    /// `frames_per_sec` sustained) once they said hello.
    pub frames_per_sec: u32,
    /// Refused frames a socket may earn within ten seconds; the next one
    /// closes it (close code 1008).
    pub refusals_before_close: u32,
    /// Sockets one visitor token may hold open at once.
    pub sockets_per_visitor: u32,
    /// Visitor sockets one client address may hold open at once.
    pub sockets_per_address: u32,
    /// How long a superseded stream version still takes hand-offs (from
    /// visitors who started it before the site republished the stream).
    pub stream_version_grace_secs: u64,
    /// Hand-offs a minute from one visitor.
    pub handoffs_per_visitor_per_minute: u32,
    /// Hand-offs a minute from one client address.
    pub handoffs_per_address_per_minute: u32,
    /// Hand-offs a minute on one site, from everyone.
    pub handoffs_per_site_per_minute: u32,
    /// An unaccepted hand-off whose visitor has had no socket open for this
    /// long is withdrawn, so it does not hold an agent's capacity.
    pub visitor_gone_secs: u64,
    /// Password hashes computed at once (each takes a core for a moment);
    /// 0, the default, for half the cores (at least one).
    pub concurrent_hashes: u32,
    /// Failed logins from one address for one account before each next
    /// attempt must wait (1 s, doubling).
    pub login_free_attempts: u32,
    /// Failed logins for one account, from anywhere, before delays start.
    pub login_account_free_attempts: u32,
    /// Failed logins from one address, for any account, before delays start.
    pub login_address_free_attempts: u32,
    /// The longest wait (the lockout); failures are forgotten this long after
    /// the last one, or when an admin resets the account's lockout.
    pub login_max_delay_secs: u64,
    /// How often an open agent socket checks that its session still holds
    /// (ends seen from elsewhere: the command line, another node); ends
    /// through this server close it at once.
    pub session_check_secs: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: ([127, 0, 0, 1], 8080).into(),
            data_dir: PathBuf::from("data"),
            database_url: None,
            public_url: None,
            assets_dir: None,
            demo_listen: None,
            demo_site: "demo".to_owned(),
            limits: Limits::default(),
            routing: RoutingSettings::default(),
            cluster: ClusterSettings::default(),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 * 1024,
            session_hours: 12,
            frames_burst: 40,
            frames_per_sec: 20,
            refusals_before_close: 50,
            sockets_per_visitor: 10,
            sockets_per_address: 200,
            stream_version_grace_secs: 24 * 3600,
            handoffs_per_visitor_per_minute: 3,
            handoffs_per_address_per_minute: 10,
            handoffs_per_site_per_minute: 600,
            visitor_gone_secs: 60,
            concurrent_hashes: 0,
            login_free_attempts: 5,
            login_account_free_attempts: 20,
            login_address_free_attempts: 50,
            login_max_delay_secs: 900,
            session_check_secs: 30,
        }
    }
}

/// Why settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML for [`Settings`].
    #[error("{path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The TOML error (with line and column).
        source: toml::de::Error,
    },
    /// An environment override could not be parsed.
    #[error("environment variable {name}={value:?}: {reason}")]
    Env {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// What was wrong.
        reason: String,
    },
}

impl Settings {
    /// Loads defaults, then `file` if given, then the process environment.
    pub fn load(file: Option<&Path>) -> Result<Self, SettingsError> {
        let mut settings = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|source| SettingsError::Read { path: path.into(), source })?;
                toml::from_str(&text).map_err(|source| SettingsError::Parse { path: path.into(), source })?
            }
            None => Settings::default(),
        };
        settings.apply_env(|name| std::env::var(name).ok())?;
        Ok(settings)
    }

    /// Applies `SWITCHBOARD_*` overrides read through `var` (a function so tests
    /// need not touch the real environment).
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), SettingsError> {
        fn parse<T: std::str::FromStr>(name: &'static str, value: String) -> Result<T, SettingsError>
        where
            T::Err: std::fmt::Display,
        {
            value.parse().map_err(|e: T::Err| SettingsError::Env { name, reason: e.to_string(), value })
        }
        if let Some(v) = var("SWITCHBOARD_LISTEN") {
            self.listen = parse("SWITCHBOARD_LISTEN", v)?;
        }
        if let Some(v) = var("SWITCHBOARD_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = var("SWITCHBOARD_DATABASE_URL") {
            self.database_url = Some(v);
        }
        if let Some(v) = var("SWITCHBOARD_PUBLIC_URL") {
            self.public_url = Some(v);
        }
        if let Some(v) = var("SWITCHBOARD_ASSETS_DIR") {
            self.assets_dir = Some(v.into());
        }
        if let Some(v) = var("SWITCHBOARD_DEMO_LISTEN") {
            self.demo_listen = Some(parse("SWITCHBOARD_DEMO_LISTEN", v)?);
        }
        if let Some(v) = var("SWITCHBOARD_MAX_BODY_BYTES") {
            self.limits.max_body_bytes = parse("SWITCHBOARD_MAX_BODY_BYTES", v)?;
        }
        let l = &mut self.limits;
        for (name, field) in [
            ("SWITCHBOARD_REFUSALS_BEFORE_CLOSE", &mut l.refusals_before_close),
            ("SWITCHBOARD_SOCKETS_PER_VISITOR", &mut l.sockets_per_visitor),
            ("SWITCHBOARD_SOCKETS_PER_ADDRESS", &mut l.sockets_per_address),
            ("SWITCHBOARD_HANDOFFS_PER_VISITOR_PER_MINUTE", &mut l.handoffs_per_visitor_per_minute),
            ("SWITCHBOARD_HANDOFFS_PER_ADDRESS_PER_MINUTE", &mut l.handoffs_per_address_per_minute),
            ("SWITCHBOARD_HANDOFFS_PER_SITE_PER_MINUTE", &mut l.handoffs_per_site_per_minute),
            ("SWITCHBOARD_LOGIN_FREE_ATTEMPTS", &mut l.login_free_attempts),
        ] {
            if let Some(v) = var(name) {
                *field = parse(name, v)?;
            }
        }
        let r = &mut self.routing;
        for (name, field) in [
            ("SWITCHBOARD_ACCEPT_TIMEOUT_SECS", &mut r.accept_timeout_secs),
            ("SWITCHBOARD_DISCONNECT_GRACE_SECS", &mut r.disconnect_grace_secs),
            ("SWITCHBOARD_INACTIVITY_SECS", &mut r.inactivity_secs),
        ] {
            if let Some(v) = var(name) {
                *field = parse(name, v)?;
            }
        }
        let c = &mut self.cluster;
        if let Some(v) = var("SWITCHBOARD_NATS_URL") {
            c.nats_url = Some(v);
        }
        if let Some(v) = var("SWITCHBOARD_NODE_ID") {
            c.node_id = Some(v);
        }
        if let Some(v) = var("SWITCHBOARD_FAILPOINT_ABORT_AFTER_STORING").filter(|v| !v.is_empty()) {
            c.abort_after_storing = Some(v);
        }
        for (name, field) in [
            ("SWITCHBOARD_HEARTBEAT_MS", &mut c.heartbeat_ms),
            ("SWITCHBOARD_NODE_TTL_MS", &mut c.node_ttl_ms),
            ("SWITCHBOARD_SWEEP_MS", &mut c.sweep_ms),
            ("SWITCHBOARD_PRESENCE_MS", &mut c.presence_ms),
            ("SWITCHBOARD_OUTAGE_CLOSE_MS", &mut c.outage_close_ms),
            ("SWITCHBOARD_FAILPOINT_BUS_DROP_EVERY", &mut c.drop_every),
            ("SWITCHBOARD_FAILPOINT_ROUTING_PAUSE_MS", &mut c.routing_pause_ms),
        ] {
            if let Some(v) = var(name) {
                *field = parse(name, v)?;
            }
        }
        if let Some(v) = var("SWITCHBOARD_CAPACITY") {
            r.capacity = parse("SWITCHBOARD_CAPACITY", v)?;
        }
        Ok(())
    }

    /// The database URL in force.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("switchboard.db").display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_the_file_values() {
        let mut s: Settings = toml::from_str("listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/sb\"").unwrap();
        s.apply_env(|n| (n == "SWITCHBOARD_LISTEN").then(|| "0.0.0.0:7000".to_owned())).unwrap();
        assert_eq!(s.listen.port(), 7000);
        assert_eq!(s.database_url(), "sqlite:///srv/sb/switchboard.db");
    }

    #[test]
    fn a_bad_environment_value_names_the_variable() {
        let mut s = Settings::default();
        let err = s.apply_env(|n| (n == "SWITCHBOARD_LISTEN").then(|| "nope".to_owned())).unwrap_err();
        assert!(err.to_string().contains("SWITCHBOARD_LISTEN"), "{err}");
    }

    #[test]
    fn the_assets_directory_is_unset_unless_given() {
        assert_eq!(Settings::default().assets_dir, None);
        let mut s: Settings = toml::from_str("assets_dir = \"/srv/dist\"").unwrap();
        assert_eq!(s.assets_dir.as_deref(), Some(Path::new("/srv/dist")));
        s.apply_env(|n| (n == "SWITCHBOARD_ASSETS_DIR").then(|| "/opt/dist".to_owned())).unwrap();
        assert_eq!(s.assets_dir.as_deref(), Some(Path::new("/opt/dist")));
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        assert!(toml::from_str::<Settings>("lisen = \"127.0.0.1:1\"").is_err());
    }
}
