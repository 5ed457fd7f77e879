//! What routing reads and writes: the agents' routing facts, rotation per
//! pool, offers and their attempts, decisions for `explain`, availability
//! settings and account routes.

use super::{on_conn, OnConn};
use sqlx::Row;
use std::collections::HashMap;
use switchboard_protocol::stream::Routing;
use switchboard_protocol::wire::ConversationState;

use super::conversations::Conversation;
use super::events::{record, record_end, team_name, Fact, Kind};
use super::{exists_or, on_db, Store, StoreError};
use crate::ids::{AgentId, ConversationId, SiteId};
use switchboard_protocol::admin::EndedBy;
use switchboard_routing::availability::{Schedule, Settings as Availability};
use switchboard_routing::decide::{Decision, Pool, Skip};

/// An agent's routing facts as stored (availability still to be evaluated).
#[derive(Debug, Clone)]
pub struct AgentRow {
    /// Its id; the rotation goes round in id order.
    pub id: AgentId,
    /// Login email.
    pub email: String,
    /// May take live chats.
    pub live_chat: bool,
    /// Toggle and schedule.
    pub availability: Availability,
    /// Their own most open chats; none: the server's.
    pub capacity: Option<u32>,
}

/// A stored decision.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StoredDecision {
    /// When it was made (ISO 8601 to the millisecond, as it is shown).
    pub at: String,
    /// What was decided and why.
    #[serde(flatten)]
    pub decision: Decision,
}

/// An account route: visitors with an email at `domain` go to `agent` first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountRoute {
    /// Email domain, lowercase.
    pub domain: String,
    /// The agent's email.
    pub agent: String,
}

fn skip_to_db(s: Skip) -> &'static str {
    if s == Skip::Declined {
        "declined"
    } else {
        "timed_out"
    }
}

/// An agent's availability columns as stored, on either backend.
#[derive(sqlx::FromRow)]
struct AvailabilityRow {
    available: bool,
    available_until: Option<i64>,
    schedule: Option<String>,
}

fn availability<'r, R: sqlx::Row>(row: &'r R) -> Result<Availability, StoreError>
where
    AvailabilityRow: sqlx::FromRow<'r, R>,
{
    let r = <AvailabilityRow as sqlx::FromRow<R>>::from_row(row)?;
    Ok(Availability {
        available: r.available,
        until: r.available_until,
        schedule: r
            .schedule
            .map(|s| serde_json::from_str::<Schedule>(&s))
            .transpose()
            .map_err(|source| StoreError::Corrupt { what: "schedule", source })?,
    })
}

/// Every agent's routing facts, by ascending id.
pub(super) async fn read_agents(e: &mut impl OnConn) -> Result<Vec<AgentRow>, StoreError> {
    on_conn!(e, e => {
        let rows = sqlx::query(
            "SELECT id, email, live_chat, available, available_until, schedule, capacity FROM agents ORDER BY id",
        )
        .fetch_all(e)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AgentRow {
                    id: row.get("id"),
                    email: row.get("email"),
                    live_chat: row.get::<bool, _>("live_chat"),
                    availability: availability(row)?,
                    capacity: row.get::<Option<i64>, _>("capacity").and_then(|c| u32::try_from(c).ok()),
                })
            })
            .collect()
    })
}

/// Open (offered or active) chats per agent.
pub(super) async fn read_open_chats(e: &mut impl OnConn) -> Result<HashMap<i64, u32>, StoreError> {
    on_conn!(e, e => {
        let rows = sqlx::query(
            "SELECT agent_id, COUNT(*) AS n FROM conversations
             WHERE agent_id IS NOT NULL AND state IN ('offered', 'active') GROUP BY agent_id",
        )
        .fetch_all(e)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("agent_id"), u32::try_from(r.get::<i64, _>("n")).unwrap_or(u32::MAX)))
            .collect())
    })
}

/// Team name (lowercase) → member ids, ascending.
pub(super) async fn read_teams(e: &mut impl OnConn) -> Result<HashMap<String, Vec<i64>>, StoreError> {
    on_conn!(e, e => {
        let rows = sqlx::query(
            "SELECT t.name, m.agent_id FROM teams t LEFT JOIN team_members m ON m.team_id = t.id
             ORDER BY t.id, m.agent_id",
        )
        .fetch_all(e)
        .await?;
        let mut teams: HashMap<String, Vec<i64>> = HashMap::new();
        for r in rows {
            let members = teams.entry(r.get::<String, _>("name").to_lowercase()).or_default();
            if let Some(id) = r.get::<Option<i64>, _>("agent_id") {
                members.push(id);
            }
        }
        // Names equal but for non-ASCII case share an entry: keep it ascending.
        for members in teams.values_mut() {
            members.sort_unstable();
            members.dedup();
        }
        Ok(teams)
    })
}

/// The site's rotation positions by pool (a pool stored by a newer
/// version, unknown here, is left out).
pub(super) async fn read_rotation(
    e: &mut impl OnConn,
    site_id: SiteId,
) -> Result<HashMap<Pool, i64>, StoreError> {
    on_conn!(e, e => {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT pool, last_agent_id FROM rotation_pools WHERE site_id = $1")
                .bind(site_id)
                .fetch_all(e)
                .await?;
        Ok(rows.into_iter().filter_map(|(pool, last)| Some((pool.parse().ok()?, last))).collect())
    })
}

/// The live chat card's routing option a conversation was handed off with.
pub(super) async fn read_routing(e: &mut impl OnConn, id: ConversationId) -> Result<Routing, StoreError> {
    on_conn!(e, e => {
        let raw: String =
            sqlx::query_scalar("SELECT routing FROM conversations WHERE id = $1").bind(id).fetch_one(e).await?;
        serde_json::from_str(&raw).map_err(|source| StoreError::Corrupt { what: "conversation", source })
    })
}

/// Agents who declined or let this conversation's offer time out.
pub(super) async fn read_attempts(
    e: &mut impl OnConn,
    conversation: ConversationId,
) -> Result<Vec<(i64, Skip)>, StoreError> {
    on_conn!(e, e => {
        let rows = sqlx::query("SELECT agent_id, outcome FROM routing_attempts WHERE conversation_id = $1")
            .bind(conversation)
            .fetch_all(e)
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let why =
                    if r.get::<String, _>("outcome") == "declined" { Skip::Declined } else { Skip::TimedOut };
                (r.get("agent_id"), why)
            })
            .collect())
    })
}

/// A site's account routes, by domain.
pub(super) async fn read_account_routes(
    e: &mut impl OnConn,
    site_id: SiteId,
) -> Result<Vec<AccountRoute>, StoreError> {
    on_conn!(e, e => {
        let rows = sqlx::query(
            "SELECT r.domain, a.email FROM account_routes r JOIN agents a ON a.id = r.agent_id
             WHERE r.site_id = $1 ORDER BY r.domain",
        )
        .bind(site_id)
        .fetch_all(e)
        .await?;
        Ok(rows.iter().map(|r| AccountRoute { domain: r.get("domain"), agent: r.get("email") }).collect())
    })
}

/// Stores a routing decision made at `now` (unix ms) for `explain`.
pub(super) async fn write_decision(
    e: &mut impl OnConn,
    conversation: ConversationId,
    d: &Decision,
    now: i64,
) -> Result<(), StoreError> {
    on_conn!(e, e => {
        sqlx::query("INSERT INTO routing_decisions (conversation_id, decision, at) VALUES ($1, $2, $3)")
            .bind(conversation)
            .bind(serde_json::to_string(d).expect("decisions serialize"))
            .bind(now)
            .execute(e)
            .await?;
        Ok(())
    })
}

/// Offers a waiting conversation (see [`Store::offer`]), inside `tx`.
pub(super) async fn write_offer(
    tx: &mut impl OnConn,
    conversation: &Conversation,
    agent_id: AgentId,
    pool: &Pool,
    now: i64,
    due: i64,
) -> Result<bool, StoreError> {
    on_conn!(tx, tx => {
        let done = sqlx::query(
            "UPDATE conversations SET state = 'offered', agent_id = $1, offered_at = $2, due_at = $3
             WHERE id = $4 AND state = 'waiting'",
        )
        .bind(agent_id)
        .bind(now)
        .bind(due)
        .bind(conversation.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO rotation_pools (site_id, pool, last_agent_id) VALUES ($1, $2, $3)
             ON CONFLICT (site_id, pool) DO UPDATE SET last_agent_id = excluded.last_agent_id",
        )
        .bind(conversation.site_id)
        .bind(pool.to_string())
        .bind(agent_id)
        .execute(&mut *tx)
        .await?;
        // A team's rotation is named in lowercase: the report names the team
        // as it is spelled (then).
        let team = match pool {
            Pool::Team(lower) => Some(team_name(tx, lower).await?),
            _ => None,
        };
        let fact = Fact { agent: Some(agent_id), team: team.as_deref(), ..Fact::default() };
        record(tx, conversation.id, Kind::Offered, fact, now).await?;
        Ok(true)
    })
}

/// Moves a waiting conversation to the fallback state at `now` (unix ms);
/// `false` when it is no longer waiting. Inside `tx`.
pub(super) async fn write_fall_back(
    tx: &mut impl OnConn,
    conversation: ConversationId,
    now: i64,
) -> Result<bool, StoreError> {
    on_conn!(tx, tx => {
        let done = sqlx::query(
            "UPDATE conversations SET state = 'fallback', due_at = NULL, ended_at = $2
             WHERE id = $1 AND state = 'waiting'",
        )
        .bind(conversation)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        record(tx, conversation, Kind::Fallback, Fact::default(), now).await?;
        Ok(true)
    })
}

/// An agent's missed offers after an offer was taken back from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missed {
    /// Offers they let time out in a row, this one included.
    pub in_row: u32,
    /// After how many the offer's site switches an agent off (0: never).
    pub limit: u8,
}

impl Store {
    /// Every agent's routing facts, by ascending id.
    pub async fn routing_agents(&self) -> Result<Vec<AgentRow>, StoreError> {
        on_db!(self, pool => read_agents(&mut pool.acquire().await?).await)
    }

    /// Open (offered or active) chats per agent.
    pub async fn open_chats(&self) -> Result<HashMap<i64, u32>, StoreError> {
        on_db!(self, pool => read_open_chats(&mut pool.acquire().await?).await)
    }

    /// Team name (lowercase) → member ids, ascending.
    pub async fn team_member_ids(&self) -> Result<HashMap<String, Vec<i64>>, StoreError> {
        on_db!(self, pool => read_teams(&mut pool.acquire().await?).await)
    }

    /// The site's rotation positions by pool.
    pub async fn rotation(&self, site_id: SiteId) -> Result<HashMap<Pool, i64>, StoreError> {
        on_db!(self, pool => read_rotation(&mut pool.acquire().await?, site_id).await)
    }

    /// The live chat card's routing option a conversation was handed off with.
    pub async fn conversation_routing(&self, id: ConversationId) -> Result<Routing, StoreError> {
        on_db!(self, pool => read_routing(&mut pool.acquire().await?, id).await)
    }

    /// Offers a waiting conversation to an agent and moves the pool's rotation
    /// on to them; `false` when it is no longer waiting.
    ///
    /// The offer is made at `now` and times out at `due` (unix ms).
    pub async fn offer(
        &self,
        conversation: &Conversation,
        agent_id: AgentId,
        pool: &Pool,
        now: i64,
        due: i64,
    ) -> Result<bool, StoreError> {
        on_db!(self, begin tx => {
            let offered = write_offer(&mut tx, conversation, agent_id, pool, now, due).await?;
            tx.commit().await?;
            Ok(offered)
        })
    }

    /// Takes back an offer `agent_id` declined or let time out (or whose
    /// agent was removed meanwhile): the conversation waits for routing again
    /// and the attempt is remembered (as `why`), and `fact` recorded. It is
    /// due for routing again at `due` (unix ms), should routing it at once
    /// not happen. Answers the agent's missed offers in a row now (one more
    /// after a timeout, none after a decline) and the site's limit; `None`
    /// when it was not (or no longer) offered to them.
    pub async fn withdraw_offer(
        &self,
        conversation: ConversationId,
        agent_id: AgentId,
        why: Skip,
        fact: Kind,
        due: i64,
        now: i64,
    ) -> Result<Option<Missed>, StoreError> {
        on_db!(self, begin tx => {
            let done = sqlx::query(
                "UPDATE conversations SET state = 'waiting', agent_id = NULL, offered_at = NULL, due_at = $3
                 WHERE id = $1 AND (agent_id = $2 OR agent_id IS NULL) AND state = 'offered'",
            )
            .bind(conversation)
            .bind(agent_id)
            .bind(due)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Ok(None);
            }
            sqlx::query(
                "INSERT INTO routing_attempts (conversation_id, agent_id, outcome)
                 SELECT $1, id, $2 FROM agents WHERE id = $3
                 ON CONFLICT (conversation_id, agent_id) DO UPDATE SET outcome = excluded.outcome",
            )
            .bind(conversation)
            .bind(skip_to_db(why))
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
            record(&mut tx, conversation, fact, Fact { agent: Some(agent_id), ..Fact::default() }, now).await?;
            let limit: i64 = sqlx::query_scalar(
                "SELECT s.away_after_missed FROM conversations c JOIN sites s ON s.id = c.site_id
                 WHERE c.id = $1",
            )
            .bind(conversation)
            .fetch_one(&mut *tx)
            .await?;
            // A timeout counts where its site switches agents off at all; a
            // decline starts the count again. (A removed agent's row is
            // gone: nothing in a row.)
            let in_row: Option<i64> = sqlx::query_scalar(
                "UPDATE agents SET missed_offers = CASE
                   WHEN NOT $2 THEN 0 WHEN $3 THEN missed_offers + 1 ELSE missed_offers END
                 WHERE id = $1 RETURNING missed_offers",
            )
            .bind(agent_id)
            .bind(fact == Kind::TimedOut)
            .bind(limit > 0)
            .fetch_optional(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(Missed {
                in_row: in_row.and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
                limit: u8::try_from(limit).unwrap_or(u8::MAX),
            }))
        })
    }

    /// Ends a conversation that is only offered (not yet accepted) at
    /// `now` (unix ms), ended by `by` (the visitor), atomically; returns
    /// the agent it was offered to, who must be told the offer is gone.
    /// `None` when it was not offered.
    pub async fn close_offer(
        &self,
        conversation: ConversationId,
        by: EndedBy,
        now: i64,
    ) -> Result<Option<Option<AgentId>>, StoreError> {
        on_db!(self, begin_exclusive tx => {
            let agent: Option<Option<AgentId>> = sqlx::query_scalar(
                "UPDATE conversations SET state = 'ended', offered_at = NULL, due_at = NULL, ended_at = $2
                 WHERE id = $1 AND state = 'offered' RETURNING agent_id",
            )
            .bind(conversation)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(agent) = agent else { return Ok(None) };
            if agent.is_some() {
                record(&mut tx, conversation, Kind::Withdrawn, Fact { agent, ..Fact::default() }, now).await?;
            }
            // (An offer is not a chat: it ended with no agent.)
            record_end(&mut tx, conversation, None, by, now).await?;
            tx.commit().await?;
            Ok(Some(agent))
        })
    }

    /// Ends a conversation still waiting for routing (not offered, not
    /// accepted) at `now` (unix ms), ended by `by`; `false` when it is no
    /// longer waiting.
    pub async fn end_waiting(
        &self,
        conversation: ConversationId,
        by: EndedBy,
        now: i64,
    ) -> Result<bool, StoreError> {
        on_db!(self, begin_exclusive tx => {
            let done = sqlx::query(
                "UPDATE conversations SET state = 'ended', due_at = NULL, ended_at = $2
                 WHERE id = $1 AND state = 'waiting'",
            )
            .bind(conversation)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Ok(false);
            }
            record_end(&mut tx, conversation, None, by, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Moves a waiting conversation to the fallback state at `now` (unix
    /// ms); `false` when it is no longer waiting (the visitor ended it
    /// meanwhile).
    pub async fn fall_back(&self, conversation: ConversationId, now: i64) -> Result<bool, StoreError> {
        on_db!(self, begin_exclusive tx => {
            let done = write_fall_back(&mut tx, conversation, now).await?;
            tx.commit().await?;
            Ok(done)
        })
    }

    /// Agents who declined or let this conversation's offer time out.
    pub async fn attempts(&self, conversation: ConversationId) -> Result<Vec<(i64, Skip)>, StoreError> {
        on_db!(self, pool => read_attempts(&mut pool.acquire().await?, conversation).await)
    }

    /// Conversations in a state (only `agent`'s, when given), with when they
    /// were offered (ms).
    pub async fn conversations_in(
        &self,
        state: ConversationState,
        agent: Option<AgentId>,
    ) -> Result<Vec<(Conversation, Option<i64>)>, StoreError> {
        on_db!(self, pool => {
            let rows = sqlx::query(
                "SELECT * FROM conversations WHERE state = $1 AND ($2 IS NULL OR agent_id = $3) ORDER BY id",
            )
            .bind(super::conversations::state_to_db(state))
            .bind(agent)
            .bind(agent)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| Ok((super::conversations::conversation(r)?, r.get("offered_at")))).collect()
        })
    }

    /// Stores a routing decision made at `now` (unix ms) for `explain`.
    pub async fn save_decision(
        &self,
        conversation: ConversationId,
        d: &Decision,
        now: i64,
    ) -> Result<(), StoreError> {
        on_db!(self, pool => write_decision(&mut pool.acquire().await?, conversation, d, now).await)
    }

    /// A conversation's routing decisions, oldest first.
    pub async fn decisions(&self, conversation: ConversationId) -> Result<Vec<StoredDecision>, StoreError> {
        on_db!(self, pool => {
            let rows = sqlx::query(
                "SELECT decision, at FROM routing_decisions WHERE conversation_id = $1 ORDER BY id",
            )
            .bind(conversation)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(StoredDecision {
                        at: crate::clock::iso_millis(r.get("at")),
                        decision: serde_json::from_str(&r.get::<String, _>("decision"))
                            .map_err(|source| StoreError::Corrupt { what: "routing decision", source })?,
                    })
                })
                .collect()
        })
    }

    /// An agent's availability settings.
    pub async fn availability(&self, agent_id: AgentId) -> Result<Availability, StoreError> {
        on_db!(self, pool => {
            let row = sqlx::query("SELECT available, available_until, schedule FROM agents WHERE id = $1")
                .bind(agent_id)
                .fetch_one(pool)
                .await?;
            availability(&row)
        })
    }

    /// Stores an agent's availability settings; with `announce_at` (unix
    /// ms), records in the same transaction that a running server must
    /// tell their inboxes (a change made elsewhere: an admin's schedule).
    pub async fn set_availability(
        &self,
        agent_id: AgentId,
        a: &Availability,
        announce_at: Option<i64>,
    ) -> Result<(), StoreError> {
        on_db!(self, begin tx => {
            // Any change of their availability answers a switch for missed
            // offers, and starts their count again.
            sqlx::query(
                "UPDATE agents SET available = $1, available_until = $2, schedule = $3,
                   missed_offers = 0, away_after = NULL
                 WHERE id = $4",
            )
                .bind(a.available)
                .bind(a.until)
                .bind(a.schedule.as_ref().map(|s| serde_json::to_string(s).expect("schedules serialize")))
                .bind(agent_id)
                .execute(&mut *tx)
                .await?;
            if let Some(now) = announce_at {
                let change = super::changes::Change::AvailabilityChanged { agent: agent_id };
                super::changes::write_change(&mut tx, &change, now).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Switches an agent to `a` (unavailable) because they let `missed`
    /// offers in a row time out, remembered until their availability next
    /// changes (so their inboxes can say why); the count starts again.
    /// Only while their count is still `missed`: an accept, a decline or a
    /// switch of their own meanwhile wins (`false`, nothing changed).
    pub async fn switch_away(
        &self,
        agent_id: AgentId,
        a: &Availability,
        missed: u32,
    ) -> Result<bool, StoreError> {
        on_db!(self, pool => {
            let done = sqlx::query(
                "UPDATE agents SET available = $1, available_until = $2, missed_offers = 0, away_after = $3
                 WHERE id = $4 AND missed_offers = $3",
            )
            .bind(a.available)
            .bind(a.until)
            .bind(i64::from(missed))
            .bind(agent_id)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// After how many missed offers in a row the agent was switched to
    /// unavailable, if that is the last change of their availability.
    pub async fn away_after(&self, agent_id: AgentId) -> Result<Option<u32>, StoreError> {
        on_db!(self, pool => {
            let n: Option<Option<i64>> = sqlx::query_scalar("SELECT away_after FROM agents WHERE id = $1")
                .bind(agent_id)
                .fetch_optional(pool)
                .await?;
            Ok(n.flatten().and_then(|n| u32::try_from(n).ok()))
        })
    }

    /// Every agent switched to unavailable for missed offers (by id), with
    /// after how many.
    pub async fn agents_away(&self) -> Result<std::collections::HashMap<i64, u32>, StoreError> {
        on_db!(self, pool => {
            let rows: Vec<(i64, i64)> =
                sqlx::query_as("SELECT id, away_after FROM agents WHERE away_after IS NOT NULL")
                    .fetch_all(pool)
                    .await?;
            Ok(rows.into_iter().filter_map(|(id, n)| Some((id, u32::try_from(n).ok()?))).collect())
        })
    }

    /// Whether the agent may take live chats (`false` when there is no such agent).
    pub async fn live_chat(&self, agent_id: AgentId) -> Result<bool, StoreError> {
        on_db!(self, pool => {
            let allowed: Option<bool> = sqlx::query_scalar("SELECT live_chat FROM agents WHERE id = $1")
                .bind(agent_id)
                .fetch_optional(pool)
                .await?;
            Ok(allowed == Some(true))
        })
    }

    /// Grants or withdraws an agent's live chat permission.
    pub async fn set_live_chat(&self, agent_id: AgentId, allowed: bool) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("UPDATE agents SET live_chat = $1 WHERE id = $2")
                .bind(allowed)
                .bind(agent_id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// A site's account routes, by domain.
    pub async fn account_routes(&self, site_id: SiteId) -> Result<Vec<AccountRoute>, StoreError> {
        on_db!(self, pool => read_account_routes(&mut pool.acquire().await?, site_id).await)
    }

    /// Routes a domain to an agent, replacing its route if it had one.
    pub async fn save_account_route(
        &self,
        site_id: SiteId,
        domain: &str,
        agent_id: AgentId,
    ) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query(
                "INSERT INTO account_routes (site_id, domain, agent_id) VALUES ($1, $2, $3)
                 ON CONFLICT (site_id, domain) DO UPDATE SET agent_id = excluded.agent_id",
            )
            .bind(site_id)
            .bind(domain)
            .bind(agent_id)
            .execute(pool)
            .await
            .map_err(|e| exists_or(e, || format!("account route {domain}")))?;
            Ok(())
        })
    }

    /// Removes a domain's route; `false` when there was none.
    pub async fn delete_account_route(&self, site_id: SiteId, domain: &str) -> Result<bool, StoreError> {
        on_db!(self, pool => {
            let done = sqlx::query("DELETE FROM account_routes WHERE site_id = $1 AND domain = $2")
                .bind(site_id)
                .bind(domain)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }
}

impl Store {
    /// Replaces a site's account routes with `routes` (domain, agent's
    /// email, each with its CSV line) in one transaction. An agent who does
    /// not exist (any more) refuses the whole: nothing changes, and the
    /// lines naming one are answered.
    pub async fn replace_account_routes(
        &self,
        site_id: SiteId,
        routes: &[(usize, &str, &str)],
    ) -> Result<Vec<usize>, StoreError> {
        on_db!(self, begin_exclusive tx => {
            sqlx::query("DELETE FROM account_routes WHERE site_id = $1").bind(site_id).execute(&mut *tx).await?;
            let mut unknown = Vec::new();
            for (line, domain, agent) in routes {
                let inserted = sqlx::query(
                    "INSERT INTO account_routes (site_id, domain, agent_id)
                     SELECT $1, $2, id FROM agents WHERE email = $3",
                )
                .bind(site_id)
                .bind(*domain)
                .bind(*agent)
                .execute(&mut *tx)
                .await
                .map_err(|e| exists_or(e, || format!("account route {domain}")))?
                .rows_affected();
                if inserted == 0 {
                    unknown.push(*line);
                }
            }
            if unknown.is_empty() {
                tx.commit().await?;
            }
            Ok(unknown)
        })
    }
}
