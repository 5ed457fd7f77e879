//! Storage: the SQLite database (one file, WAL) behind sqlx, with the embedded
//! migrations. Every query the server runs lives here, named after what it does,
//! in one file per area:
//!
//! - `sites`: sites, their allowed origins, appearance and fallback message;
//! - `agents`: agents, their credentials, avatar and live chat flag;
//! - `sessions`: agents' login sessions;
//! - `streams`: published streams, their versions and the live chat routing
//!   a hand-off takes from them;
//! - `rules`: custom routing rules;
//! - [`conversations`]: visitors, conversations and their messages;
//! - [`inbox`]: what the inbox lists and shows;
//! - [`teams`]: teams and their members;
//! - [`transfers`]: the hand-over of chats between agents;
//! - [`routing`]: what routing reads and writes (with account routes).

mod agents;
pub mod conversations;
pub mod inbox;
pub mod routing;
mod rules;
mod sessions;
mod sites;
mod streams;
pub mod teams;
pub mod transfers;

pub use agents::{AgentCredentials, AgentUpdate};
pub use sites::Site;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: SqlitePool,
}

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
}

/// `what` already exists when `e` is a unique violation; otherwise `e` itself.
pub(crate) fn exists_or(e: sqlx::Error, what: impl FnOnce() -> String) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Exists(what()),
        _ => e.into(),
    }
}

/// Links `owner` to each of `items` through `sql` (an `INSERT OR IGNORE` of
/// two parameters), inside `tx`.
pub(crate) async fn link_all<T>(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    sql: &'static str,
    owner: i64,
    items: &[T],
) -> Result<(), StoreError>
where
    for<'q> &'q T: sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    for item in items {
        sqlx::query(sql).bind(owner).bind(item).execute(&mut **tx).await?;
    }
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the database at `url` and runs the migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Closes the pool, flushing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
