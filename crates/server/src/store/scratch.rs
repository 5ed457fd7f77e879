//! Fresh databases for tests, on the backend the test run asks for.
//!
//! `SWITCHBOARD_TEST_POSTGRES` (a PostgreSQL URL whose user may create
//! databases, such as the throwaway cluster `cargo xtask test` starts)
//! makes every fresh database a new PostgreSQL database on that server;
//! without it, each is a SQLite file in the test's own directory. The same
//! tests then run on either backend: that is the store's conformance suite.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::Connection;

/// The variable naming the PostgreSQL server tests create databases on.
pub const POSTGRES_VAR: &str = "SWITCHBOARD_TEST_POSTGRES";

/// The URL of a new, empty database: a new database on the server in
/// [`POSTGRES_VAR`] if it is set, otherwise `switchboard.db` in `dir`.
pub async fn database_url(dir: &Path) -> String {
    match std::env::var(POSTGRES_VAR) {
        Ok(server) if !server.is_empty() => new_postgres_database(&server).await,
        _ => format!("sqlite://{}", dir.join("switchboard.db").display()),
    }
}

/// Whether fresh databases are PostgreSQL ones.
pub fn on_postgres() -> bool {
    std::env::var(POSTGRES_VAR).is_ok_and(|s| !s.is_empty())
}

/// A new, empty database on the PostgreSQL server `server` (a URL whose
/// user may create databases), named uniquely; its URL. Panics when the
/// server refuses (this is for tests and benchmarks).
pub async fn new_postgres_database(server: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let name = format!("sb_{}_{}_{}", std::process::id(), nanos, NEXT.fetch_add(1, Ordering::Relaxed));
    let mut admin = sqlx::PgConnection::connect(server)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_VAR}: connecting to the test server: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("creating the test database {name}: {e}"));
    admin.close().await.ok();
    let (base, _) = server.rsplit_once('/').unwrap_or((server, ""));
    format!("{base}/{name}")
}

/// A site "acme" in `store` and a hand-off to round robin for its
/// conversations (tests that need conversations and nothing else).
#[cfg(test)]
pub(crate) async fn acme_and_handoff(
    store: &super::Store,
) -> (crate::ids::SiteId, super::conversations::Handoff) {
    use switchboard_protocol::site::{Appearance, SiteKey};
    let key = SiteKey::parse("acme").expect("a valid key");
    let site = store.create_site(&key, "Acme", &Appearance::default(), &[], 0).await.expect("creating acme");
    let handoff = super::conversations::Handoff {
        stream: "main".to_owned(),
        routing: switchboard_protocol::stream::Routing::RoundRobin,
        attributes: Default::default(),
        transcript: Vec::new(),
        page: Default::default(),
    };
    (site, handoff)
}
