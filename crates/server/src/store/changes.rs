//! Admin changes with a live effect, recorded where they are made and
//! applied once by a running server (`lifecycle::changes`): the command
//! line has no sockets to tell, so it leaves a row the server picks up.

use super::{on_conn, OnConn};
use super::{on_db, Store, StoreError};
use crate::ids::{AgentId, ConversationId};

/// A change whose effect reaches beyond storage (sockets, offers, chats).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// The agent was removed; these were their offered and active
    /// conversations (their rows no longer name them).
    AgentRemoved {
        /// The removed agent.
        agent: AgentId,
        /// Their conversations that were offered or active.
        conversations: Vec<ConversationId>,
    },
    /// The agent may no longer take live chats.
    LiveChatRevoked {
        /// The agent.
        agent: AgentId,
    },
    /// Every session of the agent ended (a new password).
    SessionsEnded {
        /// The agent.
        agent: AgentId,
    },
    /// The agent's availability settings (their schedule) changed.
    AvailabilityChanged {
        /// The agent.
        agent: AgentId,
    },
}

fn json(c: &Change) -> String {
    serde_json::to_string(c).expect("changes serialize")
}

/// Records `change` inside `tx`, with the change it follows from.
pub(super) async fn write_change(
    tx: &mut impl OnConn,
    change: &Change,
    now_ms: i64,
) -> Result<(), StoreError> {
    on_conn!(tx, tx => {
        sqlx::query("INSERT INTO changes (change, made_at) VALUES ($1, $2)")
            .bind(json(change))
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        Ok(())
    })
}

impl Store {
    /// Records a change for the running server to apply.
    pub async fn record_change(&self, change: &Change, now_ms: i64) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("INSERT INTO changes (change, made_at) VALUES ($1, $2)")
                .bind(json(change))
                .bind(now_ms)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Removes an agent and records the change with their offered and
    /// active conversations, in one transaction (after it, the rows no
    /// longer say whose they were).
    pub async fn remove_agent(&self, agent: AgentId, now_ms: i64) -> Result<(), StoreError> {
        on_db!(self, begin tx => {
            // Written, not only read, first: the transaction takes the
            // write lock at once (SQLite), so no write between the read and
            // the delete can fail it.
            let conversations: Vec<ConversationId> = sqlx::query_scalar(
                "UPDATE conversations SET agent_id = agent_id
                 WHERE agent_id = $1 AND state IN ('offered', 'active') RETURNING id",
            )
            .bind(agent)
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM agents WHERE id = $1").bind(agent).execute(&mut *tx).await?;
            let mut conversations = conversations;
            conversations.sort_unstable();
            sqlx::query("INSERT INTO changes (change, made_at) VALUES ($1, $2)")
                .bind(json(&Change::AgentRemoved { agent, conversations }))
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Changes not applied yet, oldest first; each as read, or why it
    /// could not be (a kind of change this version does not know).
    pub async fn unapplied_changes(&self) -> Result<Vec<(i64, Result<Change, StoreError>)>, StoreError> {
        let rows: Vec<(i64, String)> = on_db!(self, pool => {
            sqlx::query_as("SELECT id, change FROM changes WHERE applied_at IS NULL ORDER BY id")
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, change)| {
                let change = serde_json::from_str(&change)
                    .map_err(|source| StoreError::Corrupt { what: "change", source });
                (id, change)
            })
            .collect())
    }

    /// Marks a change applied (it is not applied again).
    pub async fn mark_change_applied(&self, id: i64, now_ms: i64) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("UPDATE changes SET applied_at = $1 WHERE id = $2 AND applied_at IS NULL")
                .bind(now_ms)
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Forgets changes applied before `before_ms`.
    pub async fn forget_changes(&self, before_ms: i64) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("DELETE FROM changes WHERE applied_at < $1").bind(before_ms).execute(pool).await?;
            Ok(())
        })
    }
}
