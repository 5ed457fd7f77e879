//! Agents' login sessions (only a hash of each token is stored).

use switchboard_protocol::auth::AgentProfile;

use super::agents::ProfileRow;
use super::{on_db, Store, StoreError};
use crate::ids::AgentId;

impl Store {
    /// Stores a session for `agent_id`, valid until `expires_at` (unix ms).
    pub async fn create_session(
        &self,
        token_hash: &str,
        agent_id: AgentId,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("INSERT INTO sessions (token_hash, agent_id, expires_at) VALUES ($1, $2, $3)")
                .bind(token_hash)
                .bind(agent_id)
                .bind(expires_at)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The agent whose session with this token hash is unexpired at `now`
    /// (unix ms).
    pub async fn session_agent(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<AgentProfile>, StoreError> {
        let row: Option<ProfileRow> = on_db!(self, pool => {
            sqlx::query_as(
                "SELECT a.id, a.name, a.email, a.role, a.avatar_url, a.live_chat FROM sessions s JOIN agents a ON a.id = s.agent_id
                 WHERE s.token_hash = $1 AND s.expires_at > $2",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(AgentProfile::from))
    }

    /// Ends a session.
    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(pool).await?;
        });
        Ok(())
    }
}
