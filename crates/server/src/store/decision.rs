//! One routing decision as one transaction: it takes the routing lock (the
//! database's write lock, `BEGIN IMMEDIATE` on SQLite; an advisory lock in
//! PostgreSQL's arm), reads the snapshot the decision needs, lets the pure
//! decision choose, and stores the decision with its offer or fallback
//! before letting go. Decisions are made one at a time across processes,
//! so the rotation is the same whatever order requests arrive in, and no
//! decision sees a state another is about to change.

use std::collections::HashMap;
use switchboard_protocol::rules::RoutingRule;
use switchboard_protocol::stream::Routing;
use switchboard_protocol::wire::ConversationState;
use switchboard_routing::decide::{Decision, Pool, Skip};

use super::conversations::{read_conversation, read_details, Conversation, Details};
use super::routing::{
    read_account_routes, read_agents, read_attempts, read_open_chats, read_rotation, read_routing,
    read_teams, write_decision, write_fall_back, write_offer, AccountRoute, AgentRow,
};
use super::rules::read_rules;
use super::sites::read_fallback_message;
use super::transfers::{read_latest_transfer, StoredTransfer};
use super::{on_db, Store, StoreError};
use crate::ids::AgentId;
use crate::ids::ConversationId;

/// What one routing decision reads, all in its transaction.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The conversation, waiting.
    pub conversation: Conversation,
    /// Every agent's routing facts, by ascending id.
    pub agents: Vec<AgentRow>,
    /// Open (offered or active) chats per agent.
    pub open_chats: HashMap<i64, u32>,
    /// Team name (lowercase) → member ids.
    pub teams: HashMap<String, Vec<i64>>,
    /// The site's rules, highest priority first.
    pub rules: Vec<RoutingRule>,
    /// The site's account routes.
    pub account_routes: Vec<AccountRoute>,
    /// The live chat card's routing option.
    pub routing: Routing,
    /// What the visitor brought (the offer shows it).
    pub details: Details,
    /// Agents who declined it or let it time out.
    pub tried: Vec<(i64, Skip)>,
    /// The site's rotation positions by pool.
    pub rotation: HashMap<Pool, i64>,
    /// Its latest transfer, if any.
    pub transfer: Option<StoredTransfer>,
}

/// What the decision chose to do.
#[derive(Debug, Clone)]
pub enum Plan {
    /// Offer it to `agent` (rotation `pool`), made at `now`, timing out at
    /// `due` (unix ms).
    Offer {
        /// The decision with its reasons.
        decision: Decision,
        /// To whom.
        agent: AgentId,
        /// The rotation it moves on.
        pool: Pool,
        /// When (unix ms).
        now: i64,
        /// When it times out (unix ms).
        due: i64,
    },
    /// Nobody can take it: the fallback.
    Fallback {
        /// The decision with its reasons.
        decision: Decision,
    },
    /// Decide again at `due` (unix ms), storing nothing else.
    Wait {
        /// When.
        due: i64,
    },
}

/// What came of routing a conversation.
#[derive(Debug, Clone)]
pub enum Routed {
    /// It was not waiting (any more): nothing was done.
    NotWaiting,
    /// It waits until `due`.
    Waits {
        /// When it is decided again (unix ms).
        due: i64,
    },
    /// Offered to `agent`, timing out at `due`; the snapshot it was decided on.
    Offered {
        /// To whom.
        agent: AgentId,
        /// When it times out (unix ms).
        due: i64,
        /// What the decision read.
        snapshot: Box<Snapshot>,
    },
    /// It fell back; the site's fallback message (may be empty).
    FellBack {
        /// The site's fallback message as stored.
        message: String,
    },
}

impl Store {
    /// Routes waiting conversation `id` in one transaction holding the
    /// routing lock: reads the snapshot, asks `plan` (pure: the decision),
    /// and stores what it chose.
    pub async fn route(
        &self,
        id: ConversationId,
        plan: impl FnOnce(&Snapshot) -> Plan,
    ) -> Result<Routed, StoreError> {
        on_db!(self, begin_exclusive tx => {
            let Some(conversation) = read_conversation(&mut *tx, id).await? else {
                return Ok(Routed::NotWaiting);
            };
            if conversation.state != ConversationState::Waiting {
                return Ok(Routed::NotWaiting);
            }
            let site = conversation.site_id;
            let snapshot = Snapshot {
                agents: read_agents(&mut *tx).await?,
                open_chats: read_open_chats(&mut *tx).await?,
                teams: read_teams(&mut *tx).await?,
                rules: read_rules(&mut *tx, site).await?,
                account_routes: read_account_routes(&mut *tx, site).await?,
                routing: read_routing(&mut *tx, id).await?,
                details: read_details(&mut *tx, id).await?,
                tried: read_attempts(&mut *tx, id).await?,
                rotation: read_rotation(&mut *tx, site).await?,
                transfer: read_latest_transfer(&mut *tx, id).await?,
                conversation,
            };
            let routed = match plan(&snapshot) {
                Plan::Wait { due } => {
                    sqlx::query("UPDATE conversations SET due_at = $1 WHERE id = $2")
                        .bind(due)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    Routed::Waits { due }
                }
                Plan::Offer { decision, agent, pool, now, due } => {
                    write_decision(&mut *tx, id, &decision).await?;
                    write_offer(&mut tx, &snapshot.conversation, agent, &pool, now, due).await?;
                    Routed::Offered { agent, due, snapshot: Box::new(snapshot) }
                }
                Plan::Fallback { decision } => {
                    write_decision(&mut *tx, id, &decision).await?;
                    write_fall_back(&mut *tx, id).await?;
                    Routed::FellBack { message: read_fallback_message(&mut *tx, site).await? }
                }
            };
            tx.commit().await?;
            Ok(routed)
        })
    }
}
