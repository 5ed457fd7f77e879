//! Storage: the SQLite database (one file, WAL) behind sqlx, with the embedded
//! migrations. Every query the server runs lives here, named after what it does.
//!
//! [`conversations`] holds visitors, conversations and their messages;
//! [`inbox`] what the inbox lists and shows; [`teams`] holds teams and their members; [`transfers`] the hand-over of
//! chats between agents; [`routing`] what routing reads and writes.

pub mod changes;
pub mod conversations;
pub mod inbox;
pub mod routing;
pub mod teams;
pub mod timers;
pub mod transfers;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::str::FromStr;
use switchboard_protocol::auth::{AgentProfile, Role};
use switchboard_protocol::rules::RoutingRule;
use switchboard_protocol::site::{Appearance, SiteKey};
use switchboard_protocol::stream::{CardKind, Routing, Stream, ValidStream};
use switchboard_protocol::wire::AgentInfo;

/// What to change about an agent; `None` leaves a field as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct AgentUpdate<'a> {
    /// Display name.
    pub name: Option<&'a str>,
    /// Role.
    pub role: Option<Role>,
    /// Avatar URL (empty for none).
    pub avatar_url: Option<&'a str>,
    /// Live chat permission.
    pub live_chat: Option<bool>,
    /// A new argon2 PHC hash.
    pub password_hash: Option<&'a str>,
}

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

/// A site as stored.
#[derive(Debug, Clone)]
pub struct Site {
    /// Row id.
    pub id: i64,
    /// Public key.
    pub key: SiteKey,
    /// Display name.
    pub name: String,
    /// Look of the widget.
    pub appearance: Appearance,
    /// Origins the widget may run on.
    pub allowed_origins: Vec<String>,
}

/// An agent row with the password hash, for login.
#[derive(Debug, Clone)]
pub struct AgentCredentials {
    /// The public part.
    pub profile: AgentProfile,
    /// Argon2 PHC string.
    pub password_hash: String,
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

const LINK_ORIGIN: &str = "INSERT OR IGNORE INTO site_origins (site_id, origin) VALUES (?, ?)";

fn role_from_db(s: &str) -> Role {
    if s == "admin" {
        Role::Admin
    } else {
        Role::Agent
    }
}

fn role_to_db(r: Role) -> &'static str {
    match r {
        Role::Admin => "admin",
        Role::Agent => "agent",
    }
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

    /// Creates a site with its allowed origins.
    pub async fn create_site(
        &self,
        key: &SiteKey,
        name: &str,
        appearance: &Appearance,
        origins: &[String],
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let appearance = serde_json::to_string(appearance).expect("Appearance serializes");
        let id: i64 = sqlx::query("INSERT INTO sites (key, name, appearance) VALUES (?, ?, ?) RETURNING id")
            .bind(key.as_str())
            .bind(name)
            .bind(appearance)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| exists_or(e, || format!("site {key}")))?
            .get(0);
        link_all(&mut tx, LINK_ORIGIN, id, origins).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The site with `key`, if any.
    pub async fn site(&self, key: &SiteKey) -> Result<Option<Site>, StoreError> {
        let Some(row) = sqlx::query("SELECT id, name, appearance FROM sites WHERE key = ?")
            .bind(key.as_str())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let id: i64 = row.get("id");
        let appearance: String = row.get("appearance");
        let appearance = serde_json::from_str(&appearance)
            .map_err(|source| StoreError::Corrupt { what: "appearance", source })?;
        let allowed_origins =
            sqlx::query_scalar("SELECT origin FROM site_origins WHERE site_id = ? ORDER BY origin")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        Ok(Some(Site { id, key: key.clone(), name: row.get("name"), appearance, allowed_origins }))
    }

    /// The site's fallback message.
    pub async fn fallback_message(&self, site_id: i64) -> Result<String, StoreError> {
        Ok(sqlx::query_scalar("SELECT fallback_message FROM sites WHERE id = ?")
            .bind(site_id)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Sets the site's fallback message.
    pub async fn set_fallback_message(&self, site_id: i64, text: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE sites SET fallback_message = ? WHERE id = ?")
            .bind(text)
            .bind(site_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// What a visitor is shown of an agent.
    pub async fn agent_info(&self, agent_id: i64) -> Result<Option<AgentInfo>, StoreError> {
        let row = sqlx::query("SELECT name, avatar_url FROM agents WHERE id = ?")
            .bind(agent_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| {
            let avatar: String = r.get("avatar_url");
            AgentInfo { name: r.get("name"), avatar_url: (!avatar.is_empty()).then_some(avatar) }
        }))
    }

    /// Sets an agent's avatar URL (empty for none).
    pub async fn set_avatar(&self, agent_id: i64, url: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE agents SET avatar_url = ? WHERE id = ?")
            .bind(url)
            .bind(agent_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Creates an agent; `password_hash` is an argon2 PHC string.
    pub async fn create_agent(
        &self,
        name: &str,
        email: &str,
        password_hash: &str,
        role: Role,
    ) -> Result<i64, StoreError> {
        sqlx::query("INSERT INTO agents (name, email, password_hash, role) VALUES (?, ?, ?, ?) RETURNING id")
            .bind(name)
            .bind(email)
            .bind(password_hash)
            .bind(role_to_db(role))
            .fetch_one(&self.pool)
            .await
            .map(|row| row.get(0))
            .map_err(|e| exists_or(e, || format!("agent {email}")))
    }

    /// The agent who logs in with `email` (case-insensitive).
    pub async fn agent_by_email(&self, email: &str) -> Result<Option<AgentCredentials>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, email, role, avatar_url, live_chat, password_hash FROM agents WHERE email = ?",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| AgentCredentials {
            profile: AgentProfile {
                id: row.get("id"),
                name: row.get("name"),
                email: row.get("email"),
                role: role_from_db(row.get("role")),
                avatar_url: avatar(row.get("avatar_url")),
                live_chat: row.get::<i64, _>("live_chat") != 0,
            },
            password_hash: row.get("password_hash"),
        }))
    }

    /// Stores a session for `agent_id`, valid until `expires_at` (unix seconds).
    pub async fn create_session(
        &self,
        token_hash: &str,
        agent_id: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (token_hash, agent_id, expires_at) VALUES (?, ?, ?)")
            .bind(token_hash)
            .bind(agent_id)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The agent whose unexpired session has this token hash.
    pub async fn session_agent(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<AgentProfile>, StoreError> {
        let row = sqlx::query(
            "SELECT a.id, a.name, a.email, a.role, a.avatar_url, a.live_chat FROM sessions s JOIN agents a ON a.id = s.agent_id
             WHERE s.token_hash = ? AND s.expires_at > ?",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| AgentProfile {
            id: row.get("id"),
            name: row.get("name"),
            email: row.get("email"),
            role: role_from_db(row.get("role")),
            avatar_url: avatar(row.get("avatar_url")),
            live_chat: row.get::<i64, _>("live_chat") != 0,
        }))
    }

    /// Ends a session.
    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    /// Publishes `stream` for a site as its next version (the one before
    /// stays stored, for visitors who started it). Only a validated stream
    /// can be published. Returns the new version.
    pub async fn publish_stream(
        &self,
        site_id: i64,
        stream: &ValidStream,
        source: &str,
    ) -> Result<u32, StoreError> {
        let s = stream.stream();
        let mut tx = self.pool.begin().await?;
        let last: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(version) FROM stream_versions WHERE site_id = ? AND stream_id = ?",
        )
        .bind(site_id)
        .bind(&s.id)
        .fetch_one(&mut *tx)
        .await?;
        let version = u32::try_from(last.unwrap_or(0) + 1).unwrap_or(u32::MAX);
        let model = serde_json::to_string(&Stream { version, ..s.clone() }).expect("Stream serializes");
        sqlx::query("INSERT INTO stream_versions (site_id, stream_id, version, model) VALUES (?, ?, ?, ?)")
            .bind(site_id)
            .bind(&s.id)
            .bind(version)
            .bind(&model)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO streams (site_id, stream_id, priority, source, model, version) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (site_id, stream_id) DO UPDATE SET priority = excluded.priority,
               source = excluded.source, model = excluded.model, version = excluded.version,
               published_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
        )
        .bind(site_id)
        .bind(&s.id)
        .bind(s.priority)
        .bind(source)
        .bind(model)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// A site's published streams (each with its version), highest priority first.
    pub async fn streams(&self, site_id: i64) -> Result<Vec<Stream>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT model, version FROM streams WHERE site_id = ? ORDER BY priority DESC, stream_id",
        )
        .bind(site_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|(m, v)| {
                let stream: Stream = serde_json::from_str(m)
                    .map_err(|source| StoreError::Corrupt { what: "stream", source })?;
                Ok(Stream { version: u32::try_from(*v).unwrap_or(0), ..stream })
            })
            .collect()
    }

    /// The routing option of the live chat card `card` in version `version`
    /// of a site's published stream; `None` when there is no such live chat
    /// card, or the version was superseded before `superseded_after` (unix
    /// seconds): a visitor may finish the version they started, not pick
    /// an old one's routing.
    pub async fn live_chat_routing(
        &self,
        site_id: i64,
        stream_id: &str,
        version: u32,
        card: &str,
        superseded_after: i64,
    ) -> Result<Option<Routing>, StoreError> {
        let model: Option<String> = sqlx::query_scalar(
            // Only of a stream still published: a removed one takes no hand-offs.
            "SELECT v.model FROM stream_versions v
             JOIN streams s ON s.site_id = v.site_id AND s.stream_id = v.stream_id
             LEFT JOIN stream_versions n
               ON n.site_id = v.site_id AND n.stream_id = v.stream_id AND n.version = v.version + 1
             WHERE v.site_id = ? AND v.stream_id = ? AND v.version = ?
               AND (v.version = s.version OR n.published_at > ?)",
        )
        .bind(site_id)
        .bind(stream_id)
        .bind(version)
        .bind(superseded_after)
        .fetch_optional(&self.pool)
        .await?;
        let Some(model) = model else { return Ok(None) };
        let stream: Stream =
            serde_json::from_str(&model).map_err(|source| StoreError::Corrupt { what: "stream", source })?;
        Ok(stream.card(card).and_then(|c| match &c.kind {
            CardKind::LiveChat { routing, .. } => Some(routing.clone()),
            _ => None,
        }))
    }

    /// Every site, by key.
    pub async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        let keys: Vec<String> =
            sqlx::query_scalar("SELECT key FROM sites ORDER BY key").fetch_all(&self.pool).await?;
        let mut sites = Vec::new();
        for key in keys.iter().filter_map(|k| SiteKey::parse(k).ok()) {
            if let Some(site) = self.site(&key).await? {
                sites.push(site);
            }
        }
        Ok(sites)
    }

    /// Changes a site's name and/or its allowed origins (replacing them all).
    pub async fn update_site(
        &self,
        site_id: i64,
        name: Option<&str>,
        origins: Option<&[String]>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        if let Some(name) = name {
            sqlx::query("UPDATE sites SET name = ? WHERE id = ?")
                .bind(name)
                .bind(site_id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(origins) = origins {
            sqlx::query("DELETE FROM site_origins WHERE site_id = ?").bind(site_id).execute(&mut *tx).await?;
            link_all(&mut tx, LINK_ORIGIN, site_id, origins).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a site's appearance.
    pub async fn set_appearance(&self, site_id: i64, appearance: &Appearance) -> Result<(), StoreError> {
        let json = serde_json::to_string(appearance).expect("Appearance serializes");
        sqlx::query("UPDATE sites SET appearance = ? WHERE id = ?")
            .bind(json)
            .bind(site_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes a site with everything that belongs to it.
    pub async fn delete_site(&self, site_id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sites WHERE id = ?").bind(site_id).execute(&self.pool).await?;
        Ok(())
    }

    /// Every agent, by email.
    pub async fn agents(&self) -> Result<Vec<AgentProfile>, StoreError> {
        let rows =
            sqlx::query("SELECT id, name, email, role, avatar_url, live_chat FROM agents ORDER BY email")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .map(|row| AgentProfile {
                id: row.get("id"),
                name: row.get("name"),
                email: row.get("email"),
                role: role_from_db(row.get("role")),
                avatar_url: avatar(row.get("avatar_url")),
                live_chat: row.get::<i64, _>("live_chat") != 0,
            })
            .collect())
    }

    /// Changes what `change` names about an agent, all or nothing (one
    /// transaction). A new password hash ends every session of theirs.
    pub async fn update_agent(&self, agent_id: i64, change: &AgentUpdate<'_>) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let set = |column: &'static str| format!("UPDATE agents SET {column} = ? WHERE id = ?");
        if let Some(name) = change.name {
            sqlx::query(&set("name")).bind(name).bind(agent_id).execute(&mut *tx).await?;
        }
        if let Some(role) = change.role {
            sqlx::query(&set("role")).bind(role_to_db(role)).bind(agent_id).execute(&mut *tx).await?;
        }
        if let Some(url) = change.avatar_url {
            sqlx::query(&set("avatar_url")).bind(url).bind(agent_id).execute(&mut *tx).await?;
        }
        if let Some(allowed) = change.live_chat {
            sqlx::query(&set("live_chat")).bind(allowed).bind(agent_id).execute(&mut *tx).await?;
        }
        if let Some(hash) = change.password_hash {
            sqlx::query(&set("password_hash")).bind(hash).bind(agent_id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM sessions WHERE agent_id = ?").bind(agent_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes an agent (their past conversations stay, unassigned).
    pub async fn delete_agent(&self, agent_id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM agents WHERE id = ?").bind(agent_id).execute(&self.pool).await?;
        Ok(())
    }

    /// Unpublishes a stream; `false` when there was none with that id.
    pub async fn delete_stream(&self, site_id: i64, stream_id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM streams WHERE site_id = ? AND stream_id = ?")
            .bind(site_id)
            .bind(stream_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Saves a rule for a site, replacing one with the same name.
    pub async fn save_rule(&self, site_id: i64, rule: &RoutingRule) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO rules (site_id, name, priority, rule) VALUES (?, ?, ?, ?)
             ON CONFLICT (site_id, name) DO UPDATE SET priority = excluded.priority, rule = excluded.rule",
        )
        .bind(site_id)
        .bind(rule.name.trim())
        .bind(rule.priority)
        .bind(serde_json::to_string(rule).expect("rules serialize"))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A site's rules, highest priority first.
    pub async fn rules(&self, site_id: i64) -> Result<Vec<RoutingRule>, StoreError> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT rule FROM rules WHERE site_id = ? ORDER BY priority DESC, name")
                .bind(site_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| serde_json::from_str(r).map_err(|source| StoreError::Corrupt { what: "rule", source }))
            .collect()
    }

    /// Removes a rule; `false` when there was none with that name.
    pub async fn delete_rule(&self, site_id: i64, name: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM rules WHERE site_id = ? AND name = ?")
            .bind(site_id)
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// An avatar column (empty for none) as an optional URL.
fn avatar(url: String) -> Option<String> {
    (!url.is_empty()).then_some(url)
}
