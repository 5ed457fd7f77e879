//! Storage: every query the server runs lives here, named after what it
//! does, behind sqlx with embedded migrations. The database is SQLite (one
//! file, WAL; the default) or PostgreSQL (the shared database of several
//! nodes), chosen by the database URL's scheme (`sqlite:`, `postgres:`).
//!
//! One file per area:
//!
//! - `sites`: sites, their allowed origins, appearance, fallback message
//!   and settings (chat on or off, blocked email domains);
//! - `agents`: agents, their credentials, avatar, live chat flag and capacity;
//! - `agent_email`: an agent's new login email, and what names them by it;
//! - [`accounts`]: the setup and invitation links' one-time tokens;
//! - `sessions`: agents' login sessions;
//! - `streams`: published streams, their versions and the live chat routing
//!   a hand-off takes from them;
//! - `stream_stats`: what the widget reports about the streams visitors
//!   run, for the dialogue reports;
//! - `drafts`: the stream designer's drafts and the release history;
//! - `rules`: custom routing rules;
//! - [`conversations`]: visitors, conversations and their messages;
//! - [`copy`]: `db copy`, a SQLite database into an empty PostgreSQL one;
//! - [`decision`]: one routing decision as one transaction holding the routing lock;
//! - [`events`]: what happened to each hand-off, for reports, recorded
//!   in the transaction of the change;
//! - [`changes`]: admin changes with a live effect, for the server to apply;
//! - [`timers`]: conversations' due times, which the lifecycle's sweeper fires;
//! - [`inbox`]: what the inbox lists and shows;
//! - [`nodes`]: several nodes' heartbeats, agents' sockets per node (the
//!   cluster's presence) and where followed conversations stand;
//! - [`admin_conversations`]: the admin's list of every conversation
//!   (filtered, searched, paged) and one conversation in full;
//! - [`bulk`]: many conversations at once, for benchmarks;
//! - [`teams`]: teams and their members;
//! - [`transfers`]: the hand-over of chats between agents;
//! - [`routing`]: what routing reads and writes (with account routes).
//!
//! # Backends
//!
//! A [`Store`] holds a `Db`, an enum with one variant per database, which
//! [`Store::open`] picks from the URL's scheme. Every query runs through
//! `on_db!`, which expands to a `match` on that enum and binds the variant's
//! own pool, or (with `begin`) a transaction on it:
//!
//! ```text
//! let deleted = on_db!(self, pool => {
//!     sqlx::query("DELETE FROM rules WHERE site_id = $1 AND name = $2")
//!         .bind(site_id)
//!         .bind(name)
//!         .execute(pool)
//!         .await?
//!         .rows_affected()
//! });
//! on_db!(self, begin tx => {
//!     let id: i64 = sqlx::query_scalar("INSERT INTO teams (name) VALUES ($1) RETURNING id")
//!         .bind(name)
//!         .fetch_one(&mut *tx)
//!         .await?;
//!     link_all(&mut tx, LINK_MEMBER, id, members).await?;
//!     tx.commit().await?;
//!     Ok(id)
//! })
//! ```
//!
//! The body is written once and compiled once per arm, against that arm's
//! concrete pool, row and argument types: every query type-checks against
//! both backends, and callers do not see which one runs. Helpers that run
//! inside a caller's transaction take `&mut impl OnConn` (a transaction or
//! connection of either backend) and run their body through `on_conn!`, the
//! same idea for one connection. The few queries the two dialects write
//! differently pick their text with [`Store::dialect`]. For that to hold, a body's value must not be a
//! backend's own type: rows are read inside it, through `query_scalar`,
//! `query_as` and `#[derive(sqlx::FromRow)]` structs (which read any
//! backend's row), and query results are reduced there (`rows_affected()`).
//!
//! SQL is written in the dialect SQLite and PostgreSQL share, so that one
//! text serves both arms: numbered `$n` placeholders (sqlx-sqlite binds them
//! by number; a test below holds it to that), `INSERT … ON CONFLICT (…) DO
//! NOTHING | DO UPDATE` rather than `INSERT OR IGNORE | REPLACE`,
//! `RETURNING`, signed integers bound (PostgreSQL has no unsigned types),
//! `bool` for flags (SQLite stores 0 or 1), `replace` rather than `instr`.
//! Case-insensitive names rely on each schema (`COLLATE NOCASE`, and an ICU
//! collation on PostgreSQL). Migrations are per dialect
//! (`migrations/`, `migrations-postgres/`), and applied ones cannot change.
//!
//! Every time is stored one way, as unix milliseconds (`INTEGER`), and
//! no query reads the database's clock: a method that stamps or compares a
//! time takes `now` (unix ms) from its caller's [`Clock`](crate::clock::Clock).
//! Times that leave the server as text are formatted where they are read
//! (`clock::iso_millis`, `clock::iso_seconds`), as they have always been
//! shown.
//!
//! Not sqlx's `Any` driver: it has no compile-time query macros, does not
//! unify placeholders, decodes only the types every driver has, and hides
//! what each database does well that we need (PostgreSQL's locks,
//! migrations per dialect). Not a `dyn Backend` trait either: async
//! methods on trait objects need boxing, one impl per backend would repeat
//! every query, and an enum is exhaustive: a backend that a query forgot
//! does not compile.

pub mod accounts;
pub mod admin_conversations;
mod agent_email;
mod agents;
pub mod bulk;
pub mod canned;
pub mod changes;
pub mod chat_digests;
pub mod conversations;
pub mod copy;
pub mod decision;
mod drafts;
mod epoch;
pub mod events;
pub mod files;
pub mod inbox;
pub mod nodes;
pub mod routing;
mod rules;
pub mod scratch;
#[cfg(test)]
mod search_backfill;
mod sessions;
mod sites;
mod stream_stats;
mod streams;
pub mod teams;
pub mod timers;
#[cfg(test)]
mod times_in_ms;
pub mod transfers;

pub use agents::{AgentCredentials, AgentUpdate, NewAgentRow};
pub use drafts::{StoredDraft, StoredRelease};
pub use rules::Replaced;
pub use sites::{Site, SiteSettings, SiteUpdate};
pub use stream_stats::StoredStreamEvent;
pub use streams::{Author, DraftAfter, Release};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
    /// The routing-pause failpoint: how long (ms) the next routing decision
    /// waits before committing, taken by that one decision (0: none; see
    /// `ClusterSettings::routing_pause_ms`).
    routing_pause: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// The database behind a [`Store`], picked by [`Store::open`] from the URL's
/// scheme; `on_db!` runs a query on whichever it is.
#[derive(Clone, Debug)]
pub(crate) enum Db {
    /// `sqlite:`: one file in WAL mode, the embedded default.
    Sqlite(SqlitePool),
    /// `postgres:` (or `postgresql:`): the shared database of a cluster.
    Postgres(sqlx::PgPool),
}

/// The advisory lock a `begin_exclusive` transaction holds on PostgreSQL.
pub(crate) const WRITE_LOCK: i64 = 0x5357_4244; // "SWBD"

/// The URL schemes [`Store::open`] accepts, as `scheme:`.
pub const SCHEMES: &[&str] = &["sqlite:", "postgres:", "postgresql:"];

/// Runs `$body` on the store's database, once per backend arm.
///
/// - `on_db!(store, pool => body)` binds `pool` to the arm's pool
///   (`&SqlitePool`);
/// - `on_db!(store, begin tx => body)` begins a transaction first and binds
///   it as `tx` (`sqlx::Transaction` of that backend, mutable): the body
///   commits with `tx.commit().await?`; returning without committing rolls
///   back, as dropping any sqlx transaction does. `begin` needs the enclosing
///   function to return a `Result<_, StoreError>`;
/// - `on_db!(store, begin_exclusive tx => body)` is `begin` holding the
///   database's write lock from the start (`BEGIN IMMEDIATE` on SQLite), for
///   a transaction that reads before it writes, or must not overlap another
///   (a routing decision).
///
/// The body is copied into every arm, so it must compile for each backend;
/// that is the point: the same SQL text and binding code, checked against
/// each database's own types. Its value must be the same type in every arm:
/// read rows and reduce query results inside it (`?` inside returns from
/// the method).
macro_rules! on_db {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
    ($store:expr, begin $tx:ident => $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite(pool) => {
                #[allow(unused_mut)]
                let mut $tx = pool.begin().await?;
                $body
            }
            $crate::store::Db::Postgres(pool) => {
                #[allow(unused_mut)]
                let mut $tx = pool.begin().await?;
                $body
            }
        }
    };
    ($store:expr, begin_exclusive $tx:ident => $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite(pool) => {
                // The write lock from the start (no other writer until the
                // end), so a read then a write cannot fail midway.
                #[allow(unused_mut)]
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                $body
            }
            $crate::store::Db::Postgres(pool) => {
                // One lock for every such transaction, as SQLite's single
                // writer is: held to the end of the transaction.
                #[allow(unused_mut)]
                let mut $tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind($crate::store::WRITE_LOCK)
                    .execute(&mut *$tx)
                    .await?;
                $body
            }
        }
    };
}
pub(crate) use on_db;

/// A connection of either backend, for the helpers that run inside a
/// caller's transaction (`on_conn!` runs a body on it).
pub(crate) enum Conn<'a> {
    Sqlite(&'a mut sqlx::SqliteConnection),
    Postgres(&'a mut sqlx::PgConnection),
}

/// What a shared helper takes: a transaction, a pooled connection or a bare
/// connection of either backend. A pool is not one: acquire a connection.
pub(crate) trait OnConn: Send {
    /// The connection, tagged with its backend.
    fn conn(&mut self) -> Conn<'_>;
}

impl OnConn for sqlx::SqliteConnection {
    fn conn(&mut self) -> Conn<'_> {
        Conn::Sqlite(self)
    }
}

impl OnConn for sqlx::PgConnection {
    fn conn(&mut self) -> Conn<'_> {
        Conn::Postgres(self)
    }
}

impl<C: OnConn + ?Sized> OnConn for &mut C {
    fn conn(&mut self) -> Conn<'_> {
        (**self).conn()
    }
}

impl OnConn for sqlx::Transaction<'_, sqlx::Sqlite> {
    fn conn(&mut self) -> Conn<'_> {
        Conn::Sqlite(self)
    }
}

impl OnConn for sqlx::Transaction<'_, sqlx::Postgres> {
    fn conn(&mut self) -> Conn<'_> {
        Conn::Postgres(self)
    }
}

impl OnConn for sqlx::pool::PoolConnection<sqlx::Sqlite> {
    fn conn(&mut self) -> Conn<'_> {
        Conn::Sqlite(self)
    }
}

impl OnConn for sqlx::pool::PoolConnection<sqlx::Postgres> {
    fn conn(&mut self) -> Conn<'_> {
        Conn::Postgres(self)
    }
}

/// Runs `$body` on a helper's connection, once per backend arm:
/// `on_conn!(c, conn => body)` binds `conn` to the arm's
/// `&mut SqliteConnection` or `&mut PgConnection` (queries take `&mut *conn`).
macro_rules! on_conn {
    ($c:expr, $conn:ident => $body:expr) => {
        match $crate::store::OnConn::conn($c) {
            $crate::store::Conn::Sqlite($conn) => $body,
            $crate::store::Conn::Postgres($conn) => $body,
        }
    };
}
pub(crate) use on_conn;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migrating the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored JSON column no longer parses (written by a newer version?).
    #[error("stored {what} is not valid: {source}")]
    Corrupt {
        /// Which column.
        what: &'static str,
        /// The parse error.
        source: serde_json::Error,
    },
    /// The row to be created already exists.
    #[error("{0} already exists")]
    Exists(String),
    /// The database URL names a backend this build does not have (or no
    /// scheme at all). Only the scheme is kept: the rest of a URL may hold a
    /// password.
    #[error("database URLs with {scheme} are not supported; use one of: {}", SCHEMES.join(", "))]
    UnsupportedScheme {
        /// The URL's scheme as `scheme:`, or `no scheme`.
        scheme: String,
    },
}

/// `what` already exists when `e` is a unique violation; otherwise `e` itself.
pub(crate) fn exists_or(e: sqlx::Error, what: impl FnOnce() -> String) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Exists(what()),
        _ => e.into(),
    }
}

/// Links `owner` to each of `items` through `sql` (an insert of two
/// parameters that ignores a link already there), inside `tx`. Generic over
/// the backend, so every arm of `on_db!` can call it.
pub(crate) async fn link_all<DB, T>(
    tx: &mut sqlx::Transaction<'_, DB>,
    sql: &'static str,
    owner: i64,
    items: &[T],
) -> Result<(), StoreError>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q T: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    T: Sync,
{
    for item in items {
        sqlx::query(sql).bind(owner).bind(item).execute(&mut **tx).await?;
    }
    Ok(())
}

/// The scheme of a database URL (`sqlite` in `sqlite://…`), if it has one.
fn scheme(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    valid.then_some(scheme)
}

/// Opens (creating if needed) the SQLite database at `url` and runs its
/// migrations.
async fn open_sqlite(url: &str) -> Result<SqlitePool, StoreError> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(std::time::Duration::from_secs(5));
    let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// Connects to the PostgreSQL database at `url` and runs its migrations
/// (several nodes starting at once take turns: sqlx holds an advisory lock
/// while migrating).
async fn open_postgres(url: &str) -> Result<sqlx::PgPool, StoreError> {
    // A node that stalls inside a transaction (paused, cut off) must not
    // hold the write lock for long: the server ends such a session, and a
    // lock not granted in time fails the statement rather than queueing
    // behind it for ever. The lock wait is the longer of the two, so a
    // statement queued just behind a stalled holder outlasts it rather
    // than failing the moment the holder's session is ended.
    let options = sqlx::postgres::PgConnectOptions::from_str(url)?
        .options([("idle_in_transaction_session_timeout", "10s"), ("lock_timeout", "15s")]);
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations-postgres").run(&pool).await?;
    Ok(pool)
}

impl Store {
    /// Opens (creating if needed) the database at `url` and runs the
    /// migrations. The scheme picks the backend: `sqlite:`, `postgres:` (see [`SCHEMES`]);
    /// any other is refused with [`StoreError::UnsupportedScheme`].
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let db = match scheme(url) {
            Some("sqlite") => Db::Sqlite(open_sqlite(url).await?),
            Some("postgres" | "postgresql") => Db::Postgres(open_postgres(url).await?),
            other => {
                let scheme = other.map_or_else(|| "no scheme".to_owned(), |s| format!("{s}:"));
                return Err(StoreError::UnsupportedScheme { scheme });
            }
        };
        Ok(Self { db, routing_pause: Default::default() })
    }

    /// Whether the database answers a query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Whichever of `sqlite` and `postgres` is this store's dialect: for
    /// the few queries the two write differently (JSON and text search).
    pub(crate) fn dialect<'a>(&self, sqlite: &'a str, postgres: &'a str) -> &'a str {
        match self.db {
            Db::Sqlite(_) => sqlite,
            Db::Postgres(_) => postgres,
        }
    }

    /// Closes the pool, flushing SQLite's WAL.
    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_protocol::auth::Role;
    use switchboard_protocol::site::{Appearance, SiteKey};

    /// A store on a new SQLite file (not `sqlite::memory:`, where each pooled
    /// connection would get a database of its own), and the directory to keep.
    async fn fresh() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&crate::store::scratch::database_url(dir.path()).await).await.unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn a_database_url_of_another_scheme_is_refused_naming_the_supported_ones() {
        for (url, named) in [
            ("mysql://sb:secret@db.example/switchboard", "mysql:"),
            ("mssql://db.example/switchboard", "mssql:"),
            ("/srv/switchboard/switchboard.db", "no scheme"),
        ] {
            let error = Store::open(url).await.expect_err(url);
            assert!(
                matches!(&error, StoreError::UnsupportedScheme { scheme } if scheme == named),
                "{error:?}"
            );
            let message = error.to_string();
            assert!(message.contains(named) && message.contains("sqlite:"), "{message}");
            assert!(!message.contains("secret"), "a URL's password is not repeated: {message}");
        }
    }

    #[tokio::test]
    async fn numbered_placeholders_bind_by_number_in_sqlite() {
        let (_dir, store) = fresh().await;
        // Out of order and used twice: each `$n` takes the n-th bound value.
        let row: (String, String) = on_db!(store, pool => {
            sqlx::query_as("SELECT $2 || $1, $1 || $2 || $1").bind("a").bind("b").fetch_one(pool).await.unwrap()
        });
        assert_eq!(row, ("ba".to_owned(), "aba".to_owned()));
        store.close().await;
    }

    #[tokio::test]
    async fn a_link_given_twice_is_stored_once() {
        let (_dir, store) = fresh().await;
        let key = SiteKey::parse("acme").unwrap();
        let origin = "https://acme.example".to_owned();
        store
            .create_site(&key, "Acme", &Appearance::default(), &[origin.clone(), origin.clone()], 0)
            .await
            .unwrap();
        assert_eq!(store.site(&key).await.unwrap().unwrap().allowed_origins, [origin]);
        let ada = store.create_agent("Ada", "ada@example.com", "hash", Role::Agent, 0).await.unwrap();
        store.create_team("Sales", &[ada, ada]).await.unwrap();
        assert_eq!(store.team("sales").await.unwrap().unwrap().members, ["ada@example.com"]);
        store.close().await;
    }

    /// A store with a site, the agent Ada (her id) and a chat waiting for
    /// routing, begun at `began` (unix ms).
    async fn waiting_chat(began: i64) -> (tempfile::TempDir, Store, i64, conversations::Conversation) {
        let (dir, store) = fresh().await;
        let key = SiteKey::parse("acme").unwrap();
        let site = store.create_site(&key, "Acme", &Appearance::default(), &[], 0).await.unwrap();
        let ada = store.create_agent("Ada", "ada@example.com", "hash", Role::Agent, 0).await.unwrap();
        let visitor = store.create_visitor(site, "token hash", 0).await.unwrap();
        let handoff = conversations::Handoff {
            stream: "main".to_owned(),
            routing: switchboard_protocol::stream::Routing::RoundRobin,
            attributes: Default::default(),
            transcript: Vec::new(),
            page: Default::default(),
        };
        let chat = store.create_conversation(site, visitor, &handoff, 0, began).await.unwrap().unwrap();
        (dir, store, ada, chat)
    }

    #[tokio::test]
    async fn a_second_attempt_of_the_same_agent_replaces_the_first() {
        use crate::ids::AgentId;
        use crate::routing::decide::Skip;
        let (_dir, store, ada, chat) = waiting_chat(0).await;
        for why in [Skip::TimedOut, Skip::Declined] {
            assert!(store
                .offer(&chat, AgentId::new(ada), &switchboard_routing::decide::Pool::All, 0, 0)
                .await
                .unwrap());
            assert!(store
                .withdraw_offer(chat.id, AgentId::new(ada), why, super::events::Kind::Declined, 0, 0)
                .await
                .unwrap()
                .is_some());
        }
        assert_eq!(store.attempts(chat.id).await.unwrap(), [(ada, Skip::Declined)]);
        store.close().await;
    }

    #[tokio::test]
    async fn an_active_chat_without_an_accept_time_or_messages_is_idle_since_it_began() {
        use crate::ids::AgentId;
        let (_dir, store, ada, chat) = waiting_chat(1_000).await;
        assert!(store
            .offer(&chat, AgentId::new(ada), &switchboard_routing::decide::Pool::All, 2_000, 0)
            .await
            .unwrap());
        assert!(store.accept(chat.id, AgentId::new(ada), 0, 3_000).await.unwrap());
        assert_eq!(store.last_activity(chat.id).await.unwrap(), Some(3_000), "accepted");
        // Accepted before accept times were kept (migration 0009), and only
        // system messages since: idle since it began, not "now" forever.
        on_db!(store, pool => {
            sqlx::query("UPDATE conversations SET accepted_at = NULL").execute(pool).await.unwrap();
        });
        store
            .append_message(chat.id, switchboard_protocol::wire::Author::System, None, "x", 5_000)
            .await
            .unwrap();
        assert_eq!(store.last_activity(chat.id).await.unwrap(), Some(1_000));
        store.close().await;
    }

    #[tokio::test]
    async fn a_fresh_sqlite_file_opens_migrated_and_opens_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fresh.db");
        let url = format!("sqlite://{}", path.display());
        let store = Store::open(&url).await.unwrap();
        assert!(path.exists());
        let applied: i64 = on_db!(store, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(pool)
                .await
                .unwrap()
        });
        let embedded = sqlx::migrate!("./migrations").migrations.len();
        assert_eq!(usize::try_from(applied).unwrap(), embedded);
        assert!(store.sites().await.unwrap().is_empty());
        store.close().await;
        // Opening it again finds every migration applied and changes nothing.
        let store = Store::open(&url).await.unwrap();
        assert!(store.sites().await.unwrap().is_empty());
        store.close().await;
    }
}
