//! Due times as rows: what the lifecycle's sweeper claims, and the facts it
//! checks before acting (see `lifecycle::timers`).

use switchboard_protocol::admin::EndedBy;
use switchboard_protocol::wire::ConversationState;

use super::conversations::state_from_db;
use super::{on_db, Store, StoreError};
use crate::ids::{AgentId, ConversationId};

/// A conversation whose due time came, claimed for a while.
#[derive(Debug, Clone)]
pub struct Due {
    /// The conversation.
    pub id: ConversationId,
    /// Its state, which gives the due time its meaning.
    pub state: ConversationState,
    /// The agent it is offered to or accepted by.
    pub agent_id: Option<AgentId>,
    /// When the current offer was made (unix ms).
    pub offered_at: Option<i64>,
    /// The due time the claim wrote: acting on the claim is conditional on
    /// it still being there (a message meanwhile re-arms the inactivity
    /// limit, and the chat must then not end).
    pub claim: i64,
}

impl Store {
    /// Claims up to `limit` conversations due at `now` (unix ms), moving
    /// their due time to `until` so that nobody else acts on them meanwhile
    /// and a claim that is never acted on is tried again then.
    pub async fn claim_due(&self, now: i64, until: i64, limit: u32) -> Result<Vec<Due>, StoreError> {
        // On PostgreSQL, several nodes claim at once: each skips the rows
        // another is claiming, and the due time is checked again on the
        // locked row, so a due time is claimed by one node only.
        let sql = self.dialect(
            "UPDATE conversations SET due_at = $1
             WHERE id IN (SELECT id FROM conversations WHERE due_at <= $2 ORDER BY due_at LIMIT $3)
             RETURNING id, state, agent_id, offered_at",
            "UPDATE conversations SET due_at = $1
             WHERE id IN (SELECT id FROM conversations WHERE due_at <= $2 ORDER BY due_at LIMIT $3
                          FOR UPDATE SKIP LOCKED)
               AND due_at <= $2
             RETURNING id, state, agent_id, offered_at",
        );
        let rows: Vec<(ConversationId, String, Option<AgentId>, Option<i64>)> = on_db!(self, pool => {
            sqlx::query_as(sql)
            .bind(until)
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, state, agent_id, offered_at)| Due {
                id,
                state: state_from_db(&state),
                agent_id,
                offered_at,
                claim: until,
            })
            .collect())
    }

    /// The earliest due time (unix ms), if any conversation has one.
    pub async fn next_due(&self) -> Result<Option<i64>, StoreError> {
        on_db!(self, pool => {
            Ok(sqlx::query_scalar("SELECT MIN(due_at) FROM conversations WHERE due_at IS NOT NULL")
                .fetch_one(pool)
                .await?)
        })
    }

    /// Sets a conversation's due time, unless it changed since `claim`.
    pub async fn set_due(&self, id: ConversationId, due: i64, claim: Option<i64>) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("UPDATE conversations SET due_at = $1 WHERE id = $2 AND ($3 IS NULL OR due_at = $3)")
                .bind(due)
                .bind(id)
                .bind(claim)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Clears a conversation's due time (it is over).
    pub async fn clear_due(&self, id: ConversationId) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("UPDATE conversations SET due_at = NULL WHERE id = $1").bind(id).execute(pool).await?;
            Ok(())
        })
    }

    /// Ends at `now` an active chat idle since `last` (unix ms, its last
    /// activity as read); `false` when it is no longer active, or someone
    /// wrote or it was accepted again after `last` (checked in the same
    /// statement).
    pub async fn end_idle(&self, id: ConversationId, last: i64, now: i64) -> Result<bool, StoreError> {
        on_db!(self, begin_exclusive tx => {
            let agent: Option<Option<AgentId>> = sqlx::query_scalar(
                "UPDATE conversations SET state = 'ended', due_at = NULL, ended_at = $3
                 WHERE id = $1 AND state = 'active' AND COALESCE(accepted_at, 0) <= $2
                   AND NOT EXISTS (SELECT 1 FROM messages
                                   WHERE conversation_id = $1 AND author IN ('visitor', 'agent') AND at > $2)
                 RETURNING agent_id",
            )
            .bind(id)
            .bind(last)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(agent) = agent else { return Ok(false) };
            super::events::record_end(&mut tx, id, agent, EndedBy::Idle, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// When (unix ms) the visitor or an agent last wrote in an active chat
    /// (not the system, not a private note), or it was accepted, whichever is later; without either (a
    /// chat accepted before accept times were kept), when it began.
    pub async fn last_activity(&self, id: ConversationId) -> Result<Option<i64>, StoreError> {
        on_db!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT COALESCE(MAX(at), (SELECT created_at FROM conversations WHERE id = $1)) FROM (
                   SELECT MAX(at) AS at FROM messages WHERE conversation_id = $1 AND author IN ('visitor', 'agent')
                   UNION ALL SELECT accepted_at FROM conversations WHERE id = $1) AS activity",
            )
            .bind(id)
            .fetch_one(pool)
            .await?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{scratch, Store};
    use std::collections::HashSet;

    /// Two nodes' sweepers on one database: every due time is claimed by
    /// exactly one of them.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_nodes_claiming_at_once_claim_each_due_time_once() {
        let dir = tempfile::tempdir().unwrap();
        let url = scratch::database_url(dir.path()).await;
        let a = Store::open(&url).await.unwrap();
        let b = Store::open(&url).await.unwrap();
        let (site, handoff) = scratch::acme_and_handoff(&a).await;
        let mut all = HashSet::new();
        for i in 0..120 {
            let visitor = a.create_visitor(site, &format!("token {i}"), 0).await.unwrap();
            let chat = a.create_conversation(site, visitor, &handoff, 1_000 + i, 0).await.unwrap().unwrap();
            all.insert(chat.id);
        }
        let claim = |store: Store| {
            tokio::spawn(async move {
                let mut got = Vec::new();
                loop {
                    let due = store.claim_due(10_000, 100_000, 3).await.unwrap();
                    if due.is_empty() {
                        return got;
                    }
                    got.extend(due.into_iter().map(|d| d.id));
                }
            })
        };
        let (from_a, from_b) = tokio::join!(claim(a.clone()), claim(b.clone()));
        let (from_a, from_b) = (from_a.unwrap(), from_b.unwrap());
        let mut seen = HashSet::new();
        for id in from_a.iter().chain(&from_b) {
            assert!(seen.insert(*id), "{id} claimed twice");
        }
        assert_eq!(seen, all, "every due time claimed");
        a.close().await;
        b.close().await;
    }
}
