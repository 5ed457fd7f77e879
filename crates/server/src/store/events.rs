//! The facts reports count: one row per thing that happened to a hand-off
//! (`chat_events`), written inside the transaction of the change it
//! records, so a report never counts a change that was rolled back nor
//! misses one that was made. Reading them back, a range of conversations
//! at a time, in order; and how many conversations are open now.

use super::{on_conn, OnConn};
use futures_util::TryStreamExt;
use switchboard_protocol::admin::EndedBy;

use super::{on_db, Store, StoreError};
use crate::ids::{AgentId, ConversationId, SiteId};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The visitor asked for an agent (the conversation opened).
    Handoff,
    /// Offered to an agent.
    Offered,
    /// The agent declined the offer.
    Declined,
    /// The offer timed out.
    TimedOut,
    /// The offer was taken back: the visitor left or ended first, or the
    /// agent left.
    Withdrawn,
    /// The agent accepted.
    Accepted,
    /// The agent handed the chat on.
    Transferred,
    /// The first message an agent wrote in it.
    FirstReply,
    /// It ended.
    Ended,
    /// Nobody could take it: the fallback message.
    Fallback,
}

impl Kind {
    const ALL: [Self; 10] = [
        Self::Handoff,
        Self::Offered,
        Self::Declined,
        Self::TimedOut,
        Self::Withdrawn,
        Self::Accepted,
        Self::Transferred,
        Self::FirstReply,
        Self::Ended,
        Self::Fallback,
    ];

    /// As stored.
    pub fn name(self) -> &'static str {
        match self {
            Self::Handoff => "handoff",
            Self::Offered => "offered",
            Self::Declined => "declined",
            Self::TimedOut => "timed_out",
            Self::Withdrawn => "withdrawn",
            Self::Accepted => "accepted",
            Self::Transferred => "transferred",
            Self::FirstReply => "first_reply",
            Self::Ended => "ended",
            Self::Fallback => "fallback",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One fact about a conversation, to record.
#[derive(Debug, Clone, Default)]
pub(super) struct Fact<'a> {
    /// The agent it concerns (offered to, declined by, accepted by,
    /// transferred by, the chat's agent when it ended).
    pub agent: Option<AgentId>,
    /// A team: offered from its rotation, or transferred to it.
    pub team: Option<&'a str>,
    /// The hand-off's stream id.
    pub stream: Option<&'a str>,
    /// accepted: ms since the offer.
    pub value: Option<i64>,
}

/// Records that `kind` happened to `conversation` at `at` (unix ms), inside
/// the caller's transaction.
pub(super) async fn record(
    tx: &mut impl OnConn,
    conversation: ConversationId,
    kind: Kind,
    fact: Fact<'_>,
    at: i64,
) -> Result<(), StoreError> {
    on_conn!(tx, tx => {
        sqlx::query(
            "INSERT INTO chat_events (conversation_id, site_id, kind, agent_id, team, detail, value, at)
             SELECT id, site_id, $2, $3, $4, $5, $6, $7 FROM conversations WHERE id = $1",
        )
        .bind(conversation)
        .bind(kind.name())
        .bind(fact.agent)
        .bind(fact.team)
        .bind(fact.stream)
        .bind(fact.value)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        Ok(())
    })
}

/// A team's name as it is spelled now (routing names teams in any case);
/// as given when there is no such team.
pub(super) async fn team_name(tx: &mut impl OnConn, name: &str) -> Result<String, StoreError> {
    on_conn!(tx, tx => {
        let stored: Option<String> = sqlx::query_scalar("SELECT name FROM teams WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        Ok(stored.unwrap_or_else(|| name.to_owned()))
    })
}

/// Records that `conversation` ended at `at` (unix ms), by `by`, with its
/// agent then and how many messages the visitor and agents wrote in it.
pub(super) async fn record_end(
    tx: &mut impl OnConn,
    conversation: ConversationId,
    agent: Option<AgentId>,
    by: EndedBy,
    at: i64,
) -> Result<(), StoreError> {
    on_conn!(tx, tx => {
        sqlx::query(
            "INSERT INTO chat_events (conversation_id, site_id, kind, agent_id, detail, value, at)
         SELECT id, site_id, 'ended', $2, $3,
                (SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND author IN ('visitor', 'agent')), $4
         FROM conversations WHERE id = $1",
        )
        .bind(conversation)
        .bind(agent)
        .bind(by.name())
        .bind(at)
        .execute(&mut *tx)
        .await?;
        Ok(())
    })
}

/// Records the first message an agent wrote in `conversation`, at `at`
/// (unix ms): by its agent then, `value` the time since the hand-off.
/// (The caller knows it is the first: it set `first_reply_seq`.)
pub(super) async fn record_first_reply(
    tx: &mut impl OnConn,
    conversation: ConversationId,
    at: i64,
) -> Result<(), StoreError> {
    on_conn!(tx, tx => {
        sqlx::query(
            "INSERT INTO chat_events (conversation_id, site_id, kind, agent_id, value, at)
         SELECT id, site_id, 'first_reply', agent_id, $2 - created_at, $2 FROM conversations
         WHERE id = $1",
        )
        .bind(conversation)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        Ok(())
    })
}

/// A recorded fact, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The conversation.
    pub conversation: ConversationId,
    /// Its site.
    pub site: SiteId,
    /// What happened.
    pub kind: Kind,
    /// The agent it concerns.
    pub agent: Option<AgentId>,
    /// The team it concerns.
    pub team: Option<String>,
    /// handoff: the stream id; ended: who ended it.
    pub detail: Option<String>,
    /// accepted: ms since the offer; first_reply: ms since the hand-off;
    /// ended: messages written.
    pub value: Option<i64>,
    /// When (unix ms).
    pub at: i64,
}

impl Event {
    /// Who ended it (an `ended` fact).
    pub fn ended_by(&self) -> Option<EndedBy> {
        self.detail.as_deref().and_then(EndedBy::parse)
    }
}

/// Every fact about a range of conversations, one row per conversation:
/// its facts as a JSON array of [`Packed`]. A report reads millions of
/// facts, and a row costs the pool far more than anything done with it
/// (each crosses to the pool's thread on its own, each column copied):
/// one row a conversation reads them about three times as fast as one a
/// fact (`switchboard-report-bench`). `$1`..`$2`: the conversations; `$3`:
/// a site or NULL. [`FACTS_BY_CONVERSATION_PG`] is the same for PostgreSQL.
const FACTS_BY_CONVERSATION: &str = "
SELECT conversation_id, json_group_array(json_array(id, kind, site_id, agent_id, team, detail, value, at))
FROM chat_events
WHERE conversation_id BETWEEN $1 AND $2 AND ($3 IS NULL OR site_id = $3)
GROUP BY conversation_id
ORDER BY conversation_id";

/// [`FACTS_BY_CONVERSATION`] in PostgreSQL's JSON functions.
const FACTS_BY_CONVERSATION_PG: &str = "
SELECT conversation_id,
       json_agg(json_build_array(id, kind, site_id, agent_id, team, detail, value, at) ORDER BY id)::text
FROM chat_events
WHERE conversation_id BETWEEN $1 AND $2 AND ($3::BIGINT IS NULL OR site_id = $3)
GROUP BY conversation_id
ORDER BY conversation_id";

/// One fact as [`FACTS_BY_CONVERSATION`] packs it.
#[derive(serde::Deserialize)]
struct Packed<'a> {
    id: i64,
    #[serde(borrow)]
    kind: std::borrow::Cow<'a, str>,
    site: SiteId,
    agent: Option<AgentId>,
    team: Option<String>,
    detail: Option<String>,
    value: Option<i64>,
    at: i64,
}

/// The conversations open now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenCounts {
    /// Waiting for routing.
    pub waiting: u64,
    /// Offered, not yet accepted.
    pub offered: u64,
    /// Chats going on.
    pub active: u64,
    /// When the longest-waiting of those waiting or offered was handed off
    /// (unix ms).
    pub waiting_since: Option<i64>,
}

impl Store {
    /// How many conversations are open now (only `site`'s, if given).
    pub async fn open_conversations(&self, site: Option<SiteId>) -> Result<OpenCounts, StoreError> {
        let rows: Vec<(String, i64, Option<i64>)> = on_db!(self, pool => {
            sqlx::query_as(
                "SELECT state, COUNT(*), MIN(created_at) FROM conversations
                 WHERE state IN ('waiting', 'offered', 'active') AND ($1 IS NULL OR site_id = $1)
                 GROUP BY state",
            )
            .bind(site)
            .fetch_all(pool)
            .await?
        });
        let mut open = OpenCounts::default();
        for (state, n, since) in rows {
            let n = u64::try_from(n).unwrap_or(0);
            match state.as_str() {
                "waiting" => open.waiting = n,
                "offered" => open.offered = n,
                _ => open.active = n,
            }
            if state != "active" {
                open.waiting_since = open.waiting_since.into_iter().chain(since).min();
            }
        }
        Ok(open)
    }

    /// The conversations that started in `[from, to)` (unix ms), only
    /// `site`'s if given: their first and last id (conversations are
    /// numbered in the order they start), or `None` when there are none.
    pub async fn conversations_started(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Option<(ConversationId, ConversationId)>, StoreError> {
        on_db!(self, pool => {
            let first: Option<ConversationId> = sqlx::query_scalar(
                "SELECT id FROM conversations WHERE created_at >= $1 AND created_at < $2
                 ORDER BY created_at, id LIMIT 1",
            )
            .bind(from)
            .bind(to)
            .fetch_optional(pool)
            .await?;
            let last: Option<ConversationId> = sqlx::query_scalar(
                "SELECT id FROM conversations WHERE created_at >= $1 AND created_at < $2
                 ORDER BY created_at DESC, id DESC LIMIT 1",
            )
            .bind(from)
            .bind(to)
            .fetch_optional(pool)
            .await?;
            Ok(first.zip(last))
        })
    }

    /// Every fact about conversations `first..=last` (only `site`'s if
    /// given), by conversation then in the order they happened, each given
    /// to `each` as it is read (a report's range can hold millions).
    pub async fn each_event(
        &self,
        first: ConversationId,
        last: ConversationId,
        site: Option<SiteId>,
        mut each: impl FnMut(Event),
    ) -> Result<(), StoreError> {
        on_db!(self, pool => {
            let mut rows = sqlx::query_as::<_, (ConversationId, String)>(
                self.dialect(FACTS_BY_CONVERSATION, FACTS_BY_CONVERSATION_PG),
            )
                .bind(first)
                .bind(last)
                .bind(site)
                .fetch(pool);
            while let Some((conversation, facts)) = rows.try_next().await? {
                let mut facts: Vec<Packed<'_>> = serde_json::from_str(&facts)
                    .map_err(|source| StoreError::Corrupt { what: "chat_events facts", source })?;
                // (In the order they were recorded, whatever order the
                // aggregate saw them in.)
                if !facts.is_sorted_by_key(|f| f.id) {
                    facts.sort_unstable_by_key(|f| f.id);
                }
                for f in facts {
                    // (A kind this version does not know, from a newer one, is skipped.)
                    let Some(kind) = Kind::parse(&f.kind) else { continue };
                    each(Event {
                        conversation,
                        site: f.site,
                        kind,
                        agent: f.agent,
                        team: f.team,
                        detail: f.detail,
                        value: f.value,
                        at: f.at,
                    });
                }
            }
            Ok(())
        })
    }
}

/// Floors for the report bench (`switchboard-report-bench`), measured
/// beside [`Store::each_event`] on the same rows: not for the server.
impl Store {
    /// How many facts conversations `first..=last` have, counted inside
    /// the database: the scan alone, no row read out.
    #[doc(hidden)]
    pub async fn bench_count_events(
        &self,
        first: ConversationId,
        last: ConversationId,
    ) -> Result<u64, StoreError> {
        let n: i64 = on_db!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM chat_events WHERE conversation_id BETWEEN $1 AND $2")
                .bind(first)
                .bind(last)
                .fetch_one(pool)
                .await?
        });
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Drops every report digest (the bench times reports from the facts
    /// alone, then packing them).
    #[doc(hidden)]
    pub async fn bench_drop_digests(&self) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query("DELETE FROM chat_digests").execute(pool).await?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::bulk::BulkPlan;
    use switchboard_protocol::auth::Role;
    use switchboard_protocol::site::{Appearance, SiteKey};

    #[test]
    fn every_kind_reads_back_as_itself() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.name()), Some(k));
        }
        assert_eq!(Kind::parse("rated"), None);
    }

    /// Every fact as stored, one row each, in order: what `each_event`
    /// must give.
    async fn stored(store: &Store, site: Option<SiteId>) -> Vec<Event> {
        type Row = (
            ConversationId,
            SiteId,
            String,
            Option<AgentId>,
            Option<String>,
            Option<String>,
            Option<i64>,
            i64,
        );
        let rows: Vec<Row> = on_db!(store, pool => {
            sqlx::query_as(
                "SELECT conversation_id, site_id, kind, agent_id, team, detail, value, at FROM chat_events
                 WHERE $1 IS NULL OR site_id = $1 ORDER BY conversation_id, id",
            )
            .bind(site)
            .fetch_all(pool)
            .await
            .unwrap()
        });
        rows.into_iter()
            .map(|(conversation, site, kind, agent, team, detail, value, at)| Event {
                conversation,
                site,
                kind: Kind::parse(&kind).unwrap(),
                agent,
                team,
                detail,
                value,
                at,
            })
            .collect()
    }

    #[tokio::test]
    async fn facts_read_back_as_recorded_by_conversation_in_the_order_they_happened() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("sb.db").display())).await.unwrap();
        let mut sites = Vec::new();
        for key in ["one", "two"] {
            let key = SiteKey::parse(key).unwrap();
            sites.push(store.create_site(&key, "S", &Appearance::default(), &[], 0).await.unwrap());
        }
        let agent =
            AgentId::new(store.create_agent("A", "a@example.com", "hash", Role::Agent, 0).await.unwrap());
        let plan = BulkPlan {
            conversations: 6,
            sites: sites.clone(),
            agents: vec![agent],
            teams: Vec::new(),
            first_start: 1_700_000_000_000,
            step_ms: 1_000,
            batch: 10,
        };
        store.bulk_seed(&plan, |_| {}).await.unwrap();
        // Later facts of earlier conversations, interleaved, with text JSON
        // has to escape.
        let odd = ["Sales \"EU\", [north]", "back\\slash\nnew line", "Ünïcödé ✓"];
        on_db!(store, pool => {
            let mut tx = pool.begin().await.unwrap();
            for (i, text) in odd.iter().enumerate() {
                for c in [2, 1] {
                    let fact = Fact { agent: Some(agent), team: Some(text), stream: Some(text), value: Some(-7) };
                    let at = 1_800_000_000_000 + i64::try_from(i).unwrap();
                    record(&mut tx, ConversationId::new(c), Kind::Transferred, fact, at).await.unwrap();
                }
            }
            tx.commit().await.unwrap();
        });
        let read = |site: Option<SiteId>| {
            let store = store.clone();
            async move {
                let mut events = Vec::new();
                let (first, last) = (ConversationId::new(1), ConversationId::new(6));
                store.each_event(first, last, site, |e| events.push(e)).await.unwrap();
                events
            }
        };
        let all = read(None).await;
        assert_eq!(all, stored(&store, None).await);
        assert!(all.iter().any(|e| e.team.as_deref() == Some(odd[1]) && e.detail.as_deref() == Some(odd[1])));
        let two = read(Some(sites[1])).await;
        assert_eq!(two, stored(&store, Some(sites[1])).await);
        assert!(!two.is_empty() && two.iter().all(|e| e.site == sites[1]));
        let none = ConversationId::new(7);
        store.each_event(none, none, None, |_| panic!("no facts")).await.unwrap();
        store.close().await;
    }

    #[tokio::test]
    async fn a_chats_first_agent_message_is_recorded_once_and_no_other() {
        use switchboard_protocol::wire::Author;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("sb.db").display())).await.unwrap();
        let key = SiteKey::parse("one").unwrap();
        let site = store.create_site(&key, "S", &Appearance::default(), &[], 0).await.unwrap();
        let agent =
            AgentId::new(store.create_agent("A", "a@example.com", "hash", Role::Agent, 0).await.unwrap());
        let plan = BulkPlan {
            conversations: 40,
            sites: vec![site],
            agents: vec![agent],
            teams: Vec::new(),
            first_start: 1_700_000_000_000,
            step_ms: 1_000,
            batch: 40,
        };
        store.bulk_seed(&plan, |_| {}).await.unwrap();
        let first = |state: &'static str| {
            let store = store.clone();
            async move {
                let id: i64 = on_db!(store, pool => {
                    sqlx::query_scalar("SELECT MIN(id) FROM conversations WHERE state = $1")
                        .bind(state)
                        .fetch_one(pool)
                        .await
                        .unwrap()
                });
                ConversationId::new(id)
            }
        };
        let replies = |c: ConversationId| {
            let store = store.clone();
            async move {
                let rows: Vec<(Option<AgentId>, Option<i64>, i64)> = on_db!(store, pool => {
                    sqlx::query_as(
                        "SELECT agent_id, value, at FROM chat_events
                         WHERE conversation_id = $1 AND kind = 'first_reply' ORDER BY id",
                    )
                    .bind(c)
                    .fetch_all(pool)
                    .await
                    .unwrap()
                });
                rows
            }
        };
        let append = |c: ConversationId, author: Author, client_id: &'static str, now: i64| {
            let store = store.clone();
            async move { store.append_message(c, author, Some(client_id), "hi", now).await.unwrap().1 }
        };
        // A chat an agent wrote in already (its first reply was recorded).
        let ended = first("ended").await;
        assert_eq!(replies(ended).await.len(), 1);
        assert!(append(ended, Author::Agent, "later", 1_800_000_000_000).await);
        assert_eq!(replies(ended).await.len(), 1, "not a first reply");
        // One nobody answered yet: the visitor's messages are no reply, the
        // agent's first is, once, also when it is sent again.
        let waiting = first("waiting").await;
        assert!(replies(waiting).await.is_empty());
        let created: i64 = on_db!(store, pool => {
            sqlx::query_scalar("SELECT created_at FROM conversations WHERE id = $1")
                .bind(waiting)
                .fetch_one(pool)
                .await
                .unwrap()
        });
        assert!(append(waiting, Author::Visitor, "v1", created + 1_000).await);
        assert!(replies(waiting).await.is_empty());
        // Nor is an agent's private note, which the visitor never reads.
        assert!(append(waiting, Author::Note, "n1", created + 2_000).await);
        assert!(replies(waiting).await.is_empty(), "a note is no reply");
        assert!(append(waiting, Author::Agent, "a1", created + 5_000).await);
        assert!(!append(waiting, Author::Agent, "a1", created + 6_000).await, "the same message again");
        assert!(append(waiting, Author::Agent, "a2", created + 7_000).await);
        assert!(append(waiting, Author::Visitor, "v2", created + 8_000).await);
        assert_eq!(replies(waiting).await, [(None, Some(5_000), created + 5_000)]);
        store.close().await;
    }
}
