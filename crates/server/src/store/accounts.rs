//! Accounts made by link: the one-time tokens of the setup link (the first
//! admin) and of invitations (an agent sets their own password), stored
//! only as hashes; and the agents made with them. Each use of a token is
//! one transaction, so a token works once however many requests race.

use super::{on_conn, OnConn};
use std::collections::HashSet;
use switchboard_protocol::admin::TokenPurpose;
use switchboard_protocol::auth::{AgentProfile, Role};

use super::agents::{insert_agent, NewAgentRow, ProfileRow};
use super::changes::{write_change, Change};
use super::{on_db, Store, StoreError};
use crate::ids::AgentId;

/// A token that still works: unused and unexpired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveToken {
    /// What it is for.
    pub purpose: TokenPurpose,
    /// The invited agent (id, name, email); none for setup.
    pub agent: Option<(AgentId, String, String)>,
    /// When it stops working (unix ms).
    pub expires_at: i64,
}

/// Why a setup was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupRefused {
    /// There is an admin already.
    AdminExists,
    /// The token is unknown, used or expired.
    LinkInvalid,
}

/// A new token: its hash and until when it works (unix ms).
#[derive(Debug, Clone, Copy)]
pub struct NewToken<'a> {
    /// The SHA-256 of the token, as stored.
    pub hash: &'a str,
    /// When it stops working (unix ms).
    pub expires_at: i64,
}

fn purpose_to_db(p: TokenPurpose) -> &'static str {
    match p {
        TokenPurpose::Setup => "setup",
        TokenPurpose::Invite => "invite",
    }
}

async fn insert_token(
    conn: &mut impl OnConn,
    purpose: TokenPurpose,
    agent: Option<i64>,
    token: NewToken<'_>,
    now: i64,
) -> Result<(), StoreError> {
    on_conn!(conn, conn => {
        sqlx::query(
            "INSERT INTO account_tokens (token_hash, purpose, agent_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token.hash)
        .bind(purpose_to_db(purpose))
        .bind(agent)
        .bind(now)
        .bind(token.expires_at)
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

/// Marks the token used at `now` if it is live and for `purpose`; answers
/// its agent (none for setup), or `Err(())` when it is not live.
async fn use_token(
    conn: &mut impl OnConn,
    hash: &str,
    purpose: TokenPurpose,
    now: i64,
) -> Result<Result<Option<i64>, ()>, StoreError> {
    on_conn!(conn, conn => {
        let used: Option<Option<i64>> = sqlx::query_scalar(
            "UPDATE account_tokens SET used_at = $1
         WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
         RETURNING agent_id",
        )
        .bind(now)
        .bind(hash)
        .bind(purpose_to_db(purpose))
        .fetch_optional(&mut *conn)
        .await?;
        Ok(used.ok_or(()))
    })
}

async fn admin_exists(conn: &mut impl OnConn) -> Result<bool, StoreError> {
    on_conn!(conn, conn => {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM agents WHERE role = 'admin'").fetch_one(&mut *conn).await?;
        Ok(n > 0)
    })
}

impl Store {
    /// Whether any agent has the admin role.
    pub async fn has_admin(&self) -> Result<bool, StoreError> {
        on_db!(self, pool => {
            let mut conn = pool.acquire().await?;
            admin_exists(&mut conn).await
        })
    }

    /// Stores a new setup token made at `now` (unix ms) beside any unused
    /// one: several nodes starting at once on one database each print a
    /// link, and whichever the admin copies must work. They all end when
    /// the first admin is created.
    pub async fn add_setup_token(&self, token: NewToken<'_>, now: i64) -> Result<(), StoreError> {
        on_db!(self, pool => {
            let mut conn = pool.acquire().await?;
            insert_token(&mut conn, TokenPurpose::Setup, None, token, now).await
        })
    }

    /// The token with this hash if it still works at `now` (unix ms).
    pub async fn live_token(&self, hash: &str, now: i64) -> Result<Option<LiveToken>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            purpose: String,
            agent_id: Option<i64>,
            name: Option<String>,
            email: Option<String>,
            expires_at: i64,
        }
        let row: Option<Row> = on_db!(self, pool => {
            sqlx::query_as(
                "SELECT t.purpose, t.agent_id, a.name, a.email, t.expires_at
                 FROM account_tokens t LEFT JOIN agents a ON a.id = t.agent_id
                 WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > $2",
            )
            .bind(hash)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.and_then(|r| {
            let purpose = match r.purpose.as_str() {
                "setup" => TokenPurpose::Setup,
                "invite" => TokenPurpose::Invite,
                _ => return None,
            };
            let agent = match (r.agent_id, r.name, r.email) {
                (Some(id), Some(name), Some(email)) => Some((AgentId::new(id), name, email)),
                _ => None,
            };
            Some(LiveToken { purpose, agent, expires_at: r.expires_at })
        }))
    }

    /// Creates the first admin with the setup token `hash` at `now` (unix
    /// ms), all in one transaction holding the write lock: refused when any
    /// admin exists or the token does not work, so of two racing setups one
    /// wins. Answers the new admin's id.
    pub async fn create_first_admin(
        &self,
        hash: &str,
        name: &str,
        email: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<Result<AgentId, SetupRefused>, StoreError> {
        on_db!(self, begin_exclusive tx => {
            if admin_exists(&mut tx).await? {
                return Ok(Err(SetupRefused::AdminExists));
            }
            if use_token(&mut tx, hash, TokenPurpose::Setup, now).await?.is_err() {
                return Ok(Err(SetupRefused::LinkInvalid));
            }
            let new = NewAgentRow { name, email, password_hash, role: Role::Admin, capacity: None };
            let id = insert_agent(&mut tx, &new, now).await?;
            // The other nodes' links end with this one.
            sqlx::query("DELETE FROM account_tokens WHERE purpose = 'setup' AND used_at IS NULL")
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Ok(AgentId::new(id)))
        })
    }

    /// Creates an agent at `now` (unix ms); with `invite`, stores their
    /// invitation's token in the same transaction (they then have no
    /// password: `new.password_hash` is empty). Answers their id.
    pub async fn add_agent(
        &self,
        new: &NewAgentRow<'_>,
        invite: Option<NewToken<'_>>,
        now: i64,
    ) -> Result<AgentId, StoreError> {
        on_db!(self, begin tx => {
            let id = insert_agent(&mut tx, new, now).await?;
            if let Some(token) = invite {
                insert_token(&mut tx, TokenPurpose::Invite, Some(id), token, now).await?;
            }
            tx.commit().await?;
            Ok(AgentId::new(id))
        })
    }

    /// Stores a new invitation for `agent` made at `now` (unix ms); their
    /// earlier unused invitations stop working.
    pub async fn replace_invite(
        &self,
        agent: AgentId,
        token: NewToken<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        on_db!(self, begin tx => {
            sqlx::query("DELETE FROM account_tokens WHERE agent_id = $1 AND used_at IS NULL")
                .bind(agent)
                .execute(&mut *tx)
                .await?;
            insert_token(&mut tx, TokenPurpose::Invite, Some(agent.get()), token, now).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Accepts the invitation with token `hash` at `now` (unix ms): sets
    /// the agent's password, uses the token and ends their sessions (a
    /// change recorded for a running server to close their sockets), in one
    /// transaction. Answers the agent, or none when the token does not work.
    pub async fn accept_invite(
        &self,
        hash: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<Option<AgentId>, StoreError> {
        on_db!(self, begin_exclusive tx => {
            let Ok(Some(agent)) = use_token(&mut tx, hash, TokenPurpose::Invite, now).await? else {
                return Ok(None);
            };
            let agent = AgentId::new(agent);
            sqlx::query("UPDATE agents SET password_hash = $1 WHERE id = $2")
                .bind(password_hash)
                .bind(agent)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE agent_id = $1").bind(agent).execute(&mut *tx).await?;
            write_change(&mut tx, &Change::SessionsEnded { agent }, now).await?;
            tx.commit().await?;
            Ok(Some(agent))
        })
    }

    /// The agent with this id.
    pub async fn agent_profile(&self, agent: AgentId) -> Result<Option<AgentProfile>, StoreError> {
        let row: Option<ProfileRow> = on_db!(self, pool => {
            sqlx::query_as("SELECT id, name, email, role, avatar_url, live_chat FROM agents WHERE id = $1")
                .bind(agent)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(AgentProfile::from))
    }

    /// Agents invited who have not set a password yet.
    pub async fn invited_agents(&self) -> Result<HashSet<i64>, StoreError> {
        let ids: Vec<i64> = on_db!(self, pool => {
            sqlx::query_scalar("SELECT id FROM agents WHERE password_hash = ''").fetch_all(pool).await?
        });
        Ok(ids.into_iter().collect())
    }
}
