//! One routing decision as one transaction: it takes the routing lock (the
//! database's write lock, `BEGIN IMMEDIATE` on SQLite; an advisory lock in
//! PostgreSQL's arm), reads the snapshot the decision needs, lets the pure
//! decision choose, and stores the decision with its offer or fallback
//! before letting go. Decisions are made one at a time across processes,
//! so the rotation is the same whatever order requests arrive in, and no
//! decision sees a state another is about to change.

use super::{on_conn, OnConn};
use std::collections::HashMap;
use switchboard_protocol::rules::RoutingRule;
use switchboard_protocol::stream::Routing;
use switchboard_protocol::wire::{ConversationState, TransferTarget};
use switchboard_routing::decide::{Decision, Pool, Skip};

use super::conversations::{read_conversation, read_details, Conversation, Details};
use super::routing::{
    read_account_routes, read_agents, read_attempts, read_open_chats, read_rotation, read_routing,
    read_teams, write_decision, write_fall_back, write_offer, AccountRoute, AgentRow,
};
use super::rules::read_rules;
use super::sites::read_fallback_message;
use super::transfers::{read_latest_transfer, write_transfer, StoredTransfer};
use super::{on_db, Store, StoreError};
use crate::ids::AgentId;
use crate::ids::{ConversationId, SiteId};

/// Who can take chats and how the site routes them, at this moment: what
/// a routing decision and a transfer's check read.
#[derive(Debug, Clone)]
pub struct Facts {
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
}

/// What one routing decision reads, all in its transaction.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The conversation, waiting.
    pub conversation: Conversation,
    /// Who can take it, and the site's routing.
    pub facts: Facts,
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
    /// Nobody can take it: the fallback, decided at `now` (unix ms).
    Fallback {
        /// The decision with its reasons.
        decision: Decision,
        /// When (unix ms).
        now: i64,
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

async fn read_facts(tx: &mut impl OnConn, site: SiteId) -> Result<Facts, StoreError> {
    on_conn!(tx, tx => {
        Ok(Facts {
            agents: read_agents(&mut *tx).await?,
            open_chats: read_open_chats(&mut *tx).await?,
            teams: read_teams(&mut *tx).await?,
            rules: read_rules(&mut *tx, site).await?,
            account_routes: read_account_routes(&mut *tx, site).await?,
        })
    })
}

/// Routes waiting conversation `id` inside `tx`, which holds the routing
/// lock: reads the snapshot, asks `plan`, stores what it chose.
async fn route_in(
    tx: &mut impl OnConn,
    id: ConversationId,
    plan: impl FnOnce(&Snapshot) -> Plan,
) -> Result<Routed, StoreError> {
    on_conn!(tx, tx => {
        let Some(conversation) = read_conversation(&mut *tx, id).await? else {
            return Ok(Routed::NotWaiting);
        };
        if conversation.state != ConversationState::Waiting {
            return Ok(Routed::NotWaiting);
        }
        let site = conversation.site_id;
        let snapshot = Snapshot {
            facts: read_facts(&mut *tx, site).await?,
            routing: read_routing(&mut *tx, id).await?,
            details: read_details(&mut *tx, id).await?,
            tried: read_attempts(&mut *tx, id).await?,
            rotation: read_rotation(&mut *tx, site).await?,
            transfer: read_latest_transfer(&mut *tx, id).await?,
            conversation,
        };
        Ok(match plan(&snapshot) {
            Plan::Wait { due } => {
                sqlx::query("UPDATE conversations SET due_at = $1 WHERE id = $2")
                    .bind(due)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                Routed::Waits { due }
            }
            Plan::Offer { decision, agent, pool, now, due } => {
                write_decision(&mut *tx, id, &decision, now).await?;
                write_offer(&mut *tx, &snapshot.conversation, agent, &pool, now, due).await?;
                Routed::Offered { agent, due, snapshot: Box::new(snapshot) }
            }
            Plan::Fallback { decision, now } => {
                write_decision(&mut *tx, id, &decision, now).await?;
                write_fall_back(&mut *tx, id, now).await?;
                Routed::FellBack { message: read_fallback_message(&mut *tx, site).await? }
            }
        })
    })
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
            let routed = route_in(&mut tx, id, plan).await?;
            self.routing_pause_failpoint().await;
            tx.commit().await?;
            Ok(routed)
        })
    }

    /// The failpoint `ClusterSettings::routing_pause_ms`: the next routing
    /// decision (one only) waits `ms` before committing, holding the lock.
    pub fn pause_next_decision(&self, ms: u64) {
        self.routing_pause.store(ms, std::sync::atomic::Ordering::Release);
    }

    async fn routing_pause_failpoint(&self) {
        let ms = self.routing_pause.swap(0, std::sync::atomic::Ordering::AcqRel);
        if ms > 0 {
            tracing::warn!(ms, "failpoint: pausing inside a routing decision, holding the routing lock");
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            tracing::warn!("failpoint: the paused routing decision goes on");
        }
    }

    /// Transfers conversation `id` from agent `from` to `to` and routes it,
    /// in one transaction holding the routing lock, so the target cannot
    /// fill up or leave between `check` (which sees the conversation as it
    /// is, if any, and who can take chats now) and the offer. `Err` from
    /// `check` refuses it and changes nothing. The transfer is made at `now`;
    /// the conversation is due for routing again at `due` (both unix ms),
    /// should that fail later.
    #[allow(clippy::too_many_arguments)]
    pub async fn transfer_and_route<E>(
        &self,
        id: ConversationId,
        from: AgentId,
        from_name: &str,
        to: &TransferTarget,
        due: i64,
        now: i64,
        check: impl FnOnce(Option<&Conversation>, &Facts) -> Result<(), E>,
        plan: impl FnOnce(&Snapshot) -> Plan,
    ) -> Result<Result<Routed, E>, StoreError> {
        on_db!(self, begin_exclusive tx => {
            let conversation = read_conversation(&mut *tx, id).await?;
            let facts = match &conversation {
                Some(c) => read_facts(&mut tx, c.site_id).await?,
                None => Facts {
                    agents: Vec::new(),
                    open_chats: HashMap::new(),
                    teams: HashMap::new(),
                    rules: Vec::new(),
                    account_routes: Vec::new(),
                },
            };
            if let Err(refused) = check(conversation.as_ref(), &facts) {
                return Ok(Err(refused));
            }
            // (The check saw it active with `from`, and nothing changes
            // under the lock: this holds.)
            if !write_transfer(&mut tx, id, from, from_name, to, due, now).await? {
                return Ok(Ok(Routed::NotWaiting));
            }
            let routed = route_in(&mut tx, id, plan).await?;
            tx.commit().await?;
            Ok(Ok(routed))
        })
    }
}

impl Store {
    /// What a routing decision for `site` would read now: who can take
    /// chats and how the site routes them, and its rotation positions;
    /// read in one transaction (so consistently) that writes nothing and
    /// takes no routing lock. For a dry run: no conversation is involved.
    pub async fn routing_facts(&self, site: SiteId) -> Result<(Facts, HashMap<Pool, i64>), StoreError> {
        on_db!(self, begin tx => {
            let facts = read_facts(&mut tx, site).await?;
            let rotation = read_rotation(&mut *tx, site).await?;
            tx.commit().await?;
            Ok((facts, rotation))
        })
    }
}
