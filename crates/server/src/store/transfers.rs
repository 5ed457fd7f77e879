//! Transfers of active chats between agents: the hand-over itself (one
//! transaction) and the latest transfer, which routing follows.

use super::{on_conn, OnConn};
use switchboard_protocol::wire::TransferTarget;

use super::events::{record, team_name, Fact, Kind};
use super::{on_db, Store, StoreError};
use crate::ids::{AgentId, ConversationId};

/// A conversation's latest transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTransfer {
    /// The agent who transferred it, unless removed since.
    pub by: Option<AgentId>,
    /// Their display name at the time.
    pub by_name: String,
    /// Where to.
    pub to: TransferTarget,
}

/// A conversation's latest transfer.
pub(super) async fn read_latest_transfer(
    e: &mut impl OnConn,
    conversation: ConversationId,
) -> Result<Option<StoredTransfer>, StoreError> {
    on_conn!(e, e => {
        let row: Option<(Option<AgentId>, String, String)> = sqlx::query_as(
            "SELECT from_agent_id, from_name, target FROM transfers
             WHERE conversation_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(conversation)
        .fetch_optional(e)
        .await?;
        let Some((by, by_name, target)) = row else { return Ok(None) };
        let to =
            serde_json::from_str(&target).map_err(|source| StoreError::Corrupt { what: "transfer", source })?;
        Ok(Some(StoredTransfer { by, by_name, to }))
    })
}

/// Takes an active conversation from `from` and leaves it waiting for
/// routing to `to`, remembering the transfer; earlier declines and
/// timeouts are forgotten (a new round of routing starts). `false` when
/// it is not (or no longer) active with `from`. The transfer is made at
/// `now`; it is due for routing at `due` (both unix ms), should routing it
/// at once not happen. Inside `tx`.
pub(super) async fn write_transfer(
    tx: &mut impl OnConn,
    conversation: ConversationId,
    from: AgentId,
    from_name: &str,
    to: &TransferTarget,
    due: i64,
    now: i64,
) -> Result<bool, StoreError> {
    on_conn!(tx, tx => {
        let target = serde_json::to_string(to).expect("transfer targets serialize");
        let done = sqlx::query(
            "UPDATE conversations SET state = 'waiting', agent_id = NULL, offered_at = NULL,
           accepted_at = NULL, due_at = $3
         WHERE id = $1 AND agent_id = $2 AND state = 'active'",
        )
        .bind(conversation)
        .bind(from)
        .bind(due)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM routing_attempts WHERE conversation_id = $1")
            .bind(conversation)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO transfers (conversation_id, from_agent_id, from_name, target, at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(conversation)
        .bind(from)
        .bind(from_name)
        .bind(target)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let team = match to {
            TransferTarget::Team { name } => Some(team_name(tx, name).await?),
            TransferTarget::Agent { .. } => None,
        };
        let fact = Fact { agent: Some(from), team: team.as_deref(), ..Fact::default() };
        record(tx, conversation, Kind::Transferred, fact, now).await?;
        Ok(true)
    })
}

impl Store {
    /// The conversation's latest transfer, if it was ever transferred.
    pub async fn latest_transfer(
        &self,
        conversation: ConversationId,
    ) -> Result<Option<StoredTransfer>, StoreError> {
        on_db!(self, pool => read_latest_transfer(&mut pool.acquire().await?, conversation).await)
    }
}
