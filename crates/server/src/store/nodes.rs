//! Several nodes on one database: their heartbeats, each agent's inbox
//! sockets per node (so presence is the cluster's), and where each followed
//! conversation stands (for a node to notice what the bus did not bring).

use switchboard_protocol::wire::ConversationState;

use super::conversations::state_from_db;
use super::{on_db, Store, StoreError};
use crate::ids::{AgentId, ConversationId};

/// One agent's presence as the cluster sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentPresence {
    /// The agent.
    pub agent: AgentId,
    /// An inbox socket is open on a live node.
    pub connected: bool,
    /// Connected, or within the grace period: since the last socket closed,
    /// or since the last heartbeat of a node that died with sockets open.
    pub present: bool,
}

impl Store {
    /// Node `id` starts (again): sockets it had open when it stopped are
    /// closed as of its last heartbeat, so those agents' grace runs from
    /// then, not for ever.
    pub async fn node_start(&self, id: &str) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query(
                "UPDATE agent_connections
                 SET sockets = 0, left_at = (SELECT heartbeat_at FROM nodes WHERE id = $1)
                 WHERE node_id = $1 AND sockets > 0",
            )
            .bind(id)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Records that node `id` is alive at `now` (unix ms), registering it
    /// the first time.
    pub async fn node_beat(&self, id: &str, now: i64) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query(
                "INSERT INTO nodes (id, started_at, heartbeat_at) VALUES ($1, $2, $2)
                 ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
            )
            .bind(id)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Node `id` stops: its agents' sockets are closed as of `now`, so their
    /// grace period starts at once rather than when the node is found dead.
    pub async fn node_leave(&self, id: &str, now: i64) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("UPDATE agent_connections SET sockets = 0, left_at = $2 WHERE node_id = $1 AND sockets > 0")
                .bind(id)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Forgets nodes whose last heartbeat is older than `before` (unix ms),
    /// with their agents' rows.
    pub async fn reap_nodes(&self, before: i64) -> Result<u64, StoreError> {
        Ok(on_db!(self, pool => {
            sqlx::query("DELETE FROM nodes WHERE heartbeat_at < $1").bind(before).execute(pool).await?.rows_affected()
        }))
    }

    /// `agent` has `sockets` inbox sockets open on node `node` as of `now`.
    pub async fn set_agent_sockets(
        &self,
        agent: AgentId,
        node: &str,
        sockets: u32,
        now: i64,
    ) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query(
                "INSERT INTO agent_connections (agent_id, node_id, sockets, left_at)
                 SELECT $1, $2, $3, CASE WHEN $3 = 0 THEN $4 END WHERE EXISTS (SELECT 1 FROM agents WHERE id = $1)
                 ON CONFLICT (agent_id, node_id) DO UPDATE
                 SET sockets = excluded.sockets,
                     left_at = CASE WHEN excluded.sockets = 0 AND agent_connections.sockets = 0
                                    THEN agent_connections.left_at ELSE excluded.left_at END",
            )
            .bind(agent)
            .bind(node)
            .bind(i64::from(sockets))
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Every agent's presence at `now` (unix ms): a node is alive while its
    /// heartbeat is younger than `node_ttl` ms; an agent stays present for
    /// `grace` ms after their last socket closed, or after the last
    /// heartbeat of a node that died with their sockets open.
    pub async fn cluster_presence(
        &self,
        now: i64,
        node_ttl: i64,
        grace: i64,
    ) -> Result<Vec<AgentPresence>, StoreError> {
        let rows: Vec<(AgentId, i64, i64)> = on_db!(self, pool => {
            sqlx::query_as(
                "SELECT c.agent_id,
                        CAST(MAX(CASE WHEN c.sockets > 0 AND n.heartbeat_at > $1 - $2 THEN 1 ELSE 0 END) AS BIGINT),
                        CAST(MAX(CASE WHEN c.sockets > 0 AND n.heartbeat_at > $1 - $2 THEN 1
                                      WHEN c.sockets > 0 AND n.heartbeat_at > $1 - $3 THEN 1
                                      WHEN c.sockets = 0 AND c.left_at > $1 - $3 THEN 1
                                      ELSE 0 END) AS BIGINT)
                 FROM agent_connections c JOIN nodes n ON n.id = c.node_id
                 GROUP BY c.agent_id",
            )
            .bind(now)
            .bind(node_ttl)
            .bind(grace)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(agent, connected, present)| AgentPresence {
                agent,
                connected: connected != 0,
                present: present != 0,
            })
            .collect())
    }

    /// The conversations offered to any of `agents` now.
    pub async fn offered_to(&self, agents: &[AgentId]) -> Result<Vec<ConversationId>, StoreError> {
        let mut all = Vec::new();
        for chunk in agents.chunks(500) {
            let places: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT id FROM conversations WHERE state = 'offered' AND agent_id IN ({})",
                places.join(", ")
            );
            let ids: Vec<ConversationId> = on_db!(self, pool => {
                let mut q = sqlx::query_scalar(&sql);
                for a in chunk {
                    q = q.bind(*a);
                }
                q.fetch_all(pool).await?
            });
            all.extend(ids);
        }
        Ok(all)
    }

    /// Where each of `ids` stands: its last sequence number and state
    /// (those that exist).
    pub async fn positions(
        &self,
        ids: &[ConversationId],
    ) -> Result<Vec<(ConversationId, u64, ConversationState)>, StoreError> {
        let mut all = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let places: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql =
                format!("SELECT id, last_seq, state FROM conversations WHERE id IN ({})", places.join(", "));
            let rows: Vec<(ConversationId, i64, String)> = on_db!(self, pool => {
                let mut q = sqlx::query_as(&sql);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(pool).await?
            });
            all.extend(
                rows.into_iter()
                    .map(|(id, seq, state)| (id, u64::try_from(seq).unwrap_or(0), state_from_db(&state))),
            );
        }
        Ok(all)
    }
}
