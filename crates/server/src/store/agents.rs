//! Agents: who they are, how they log in (credentials), their avatar and
//! the live chat flag.

use super::{on_conn, OnConn};
use switchboard_protocol::auth::{AgentProfile, Role};
use switchboard_protocol::wire::AgentInfo;

use super::agent_email::change_email;
use super::changes::{write_change, Change};
use super::{exists_or, on_db, Store, StoreError};
use crate::ids::AgentId;

/// What to change about an agent; `None` leaves a field as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct AgentUpdate<'a> {
    /// Display name.
    pub name: Option<&'a str>,
    /// Login email (checked): what names them by it follows, and their
    /// sessions end (see `agent_email`).
    pub email: Option<&'a str>,
    /// Role.
    pub role: Option<Role>,
    /// Avatar URL (empty for none).
    pub avatar_url: Option<&'a str>,
    /// Live chat permission.
    pub live_chat: Option<bool>,
    /// A new argon2 PHC hash.
    pub password_hash: Option<&'a str>,
    /// Their own most open chats.
    pub capacity: Option<u8>,
}

/// An agent row with the password hash, for login.
#[derive(Debug, Clone)]
pub struct AgentCredentials {
    /// The public part.
    pub profile: AgentProfile,
    /// Argon2 PHC string.
    pub password_hash: String,
}

/// The columns an [`AgentProfile`] is read from. Derived, so one mapping
/// reads the row of any backend.
#[derive(sqlx::FromRow)]
pub(super) struct ProfileRow {
    id: i64,
    name: String,
    email: String,
    role: String,
    avatar_url: String,
    live_chat: bool,
}

impl From<ProfileRow> for AgentProfile {
    fn from(r: ProfileRow) -> Self {
        AgentProfile {
            id: r.id,
            name: r.name,
            email: r.email,
            role: role_from_db(&r.role),
            avatar_url: avatar(r.avatar_url),
            live_chat: r.live_chat,
        }
    }
}

/// An agent's profile and password hash, for login.
#[derive(sqlx::FromRow)]
struct CredentialsRow {
    #[sqlx(flatten)]
    profile: ProfileRow,
    password_hash: String,
}

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

/// An avatar column (empty for none) as an optional URL.
fn avatar(url: String) -> Option<String> {
    (!url.is_empty()).then_some(url)
}

/// A new agent's row.
#[derive(Debug, Clone, Copy)]
pub struct NewAgentRow<'a> {
    /// Display name.
    pub name: &'a str,
    /// Login email.
    pub email: &'a str,
    /// An argon2 PHC string; empty for an invited agent (no password yet).
    pub password_hash: &'a str,
    /// Role.
    pub role: Role,
    /// Their own most open chats; none: the server's.
    pub capacity: Option<u8>,
}

/// Inserts an agent at `now` (unix ms) on `conn` (a transaction's, say);
/// answers their id.
pub(super) async fn insert_agent(
    conn: &mut impl OnConn,
    new: &NewAgentRow<'_>,
    now: i64,
) -> Result<i64, StoreError> {
    on_conn!(conn, conn => {
        sqlx::query_scalar(
            "INSERT INTO agents (name, email, password_hash, role, capacity, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(new.name)
        .bind(new.email)
        .bind(new.password_hash)
        .bind(role_to_db(new.role))
        .bind(new.capacity.map(i64::from))
        .bind(now)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| exists_or(e, || format!("agent {}", new.email)))
    })
}

impl Store {
    /// What a visitor is shown of an agent.
    pub async fn agent_info(&self, agent_id: AgentId) -> Result<Option<AgentInfo>, StoreError> {
        let row: Option<(String, String)> = on_db!(self, pool => {
            sqlx::query_as("SELECT name, avatar_url FROM agents WHERE id = $1")
                .bind(agent_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(name, url)| AgentInfo { name, avatar_url: avatar(url) }))
    }

    /// Sets an agent's avatar URL (empty for none).
    pub async fn set_avatar(&self, agent_id: AgentId, url: &str) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("UPDATE agents SET avatar_url = $1 WHERE id = $2")
                .bind(url)
                .bind(agent_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Creates an agent at `now` (unix ms); `password_hash` is an argon2 PHC
    /// string.
    pub async fn create_agent(
        &self,
        name: &str,
        email: &str,
        password_hash: &str,
        role: Role,
        now: i64,
    ) -> Result<i64, StoreError> {
        let new = NewAgentRow { name, email, password_hash, role, capacity: None };
        on_db!(self, pool => {
            let mut conn = pool.acquire().await?;
            insert_agent(&mut conn, &new, now).await
        })
    }

    /// The agent who logs in with `email` (case-insensitive).
    pub async fn agent_by_email(&self, email: &str) -> Result<Option<AgentCredentials>, StoreError> {
        let row: Option<CredentialsRow> = on_db!(self, pool => {
            sqlx::query_as(
                "SELECT id, name, email, role, avatar_url, live_chat, password_hash FROM agents WHERE email = $1",
            )
            .bind(email)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|r| AgentCredentials { profile: r.profile.into(), password_hash: r.password_hash }))
    }

    /// Every agent, by email.
    pub async fn agents(&self) -> Result<Vec<AgentProfile>, StoreError> {
        let rows: Vec<ProfileRow> = on_db!(self, pool => {
            sqlx::query_as("SELECT id, name, email, role, avatar_url, live_chat FROM agents ORDER BY email")
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(AgentProfile::from).collect())
    }

    /// Changes what `change` names about an agent, all or nothing (one
    /// transaction). A new email or password hash ends every session of
    /// theirs; that and a withdrawn live chat permission are recorded, in
    /// the same transaction, as changes at `now` (unix ms) for a running
    /// server to apply to its sockets and chats. [`StoreError::Exists`]
    /// (and nothing changed) when another agent has the new email.
    pub async fn update_agent(
        &self,
        agent_id: AgentId,
        change: &AgentUpdate<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        let set = |column: &'static str| format!("UPDATE agents SET {column} = $1 WHERE id = $2");
        // The write lock from the start: a new email is read against the old.
        on_db!(self, begin_exclusive tx => {
            if let Some(name) = change.name {
                sqlx::query(&set("name")).bind(name).bind(agent_id).execute(&mut *tx).await?;
            }
            if let Some(email) = change.email {
                change_email(&mut tx, agent_id, email, now).await?;
            }
            if let Some(role) = change.role {
                sqlx::query(&set("role")).bind(role_to_db(role)).bind(agent_id).execute(&mut *tx).await?;
            }
            if let Some(url) = change.avatar_url {
                sqlx::query(&set("avatar_url")).bind(url).bind(agent_id).execute(&mut *tx).await?;
            }
            if let Some(allowed) = change.live_chat {
                sqlx::query(&set("live_chat")).bind(allowed).bind(agent_id).execute(&mut *tx).await?;
                if !allowed {
                    write_change(&mut tx, &Change::LiveChatRevoked { agent: agent_id }, now).await?;
                }
            }
            if let Some(capacity) = change.capacity {
                sqlx::query(&set("capacity")).bind(i64::from(capacity)).bind(agent_id).execute(&mut *tx).await?;
            }
            if let Some(hash) = change.password_hash {
                sqlx::query(&set("password_hash")).bind(hash).bind(agent_id).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM sessions WHERE agent_id = $1").bind(agent_id).execute(&mut *tx).await?;
                write_change(&mut tx, &Change::SessionsEnded { agent: agent_id }, now).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Removes an agent (their past conversations stay, unassigned).
    pub async fn delete_agent(&self, agent_id: AgentId) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("DELETE FROM agents WHERE id = $1").bind(agent_id).execute(pool).await?;
        });
        Ok(())
    }
}
