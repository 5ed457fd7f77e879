//! Visitors, conversations and their sequenced messages.

use super::{on_conn, OnConn};
use sqlx::Row;
use switchboard_protocol::files::FileRef;
use switchboard_protocol::wire::{Author, ChatMessage, ConversationState, PageContext};
use switchboard_protocol::{attribute::Attributes, stream::runner::Entry, stream::Routing};

use super::events::{record, record_end, record_first_reply, team_name, Fact, Kind};
use super::{on_db, Store, StoreError};
use crate::ids::{AgentId, ConversationId, SiteId, VisitorId};
use switchboard_protocol::admin::EndedBy;

/// A conversation's stored facts.
#[derive(Debug, Clone)]
pub struct Conversation {
    /// Its id, which frames and the inbox use.
    pub id: ConversationId,
    /// The site.
    pub site_id: SiteId,
    /// The visitor.
    pub visitor_id: VisitorId,
    /// Where it is in its life.
    pub state: ConversationState,
    /// The highest sequence number stored.
    pub last_seq: u64,
    /// The agent it is offered to or accepted by.
    pub agent_id: Option<AgentId>,
}

/// What an agent is shown about a conversation when it is offered.
#[derive(Debug, Clone)]
pub struct Details {
    /// Captured attributes.
    pub attributes: Attributes,
    /// Page context.
    pub page: PageContext,
    /// Bot transcript.
    pub transcript: Vec<Entry>,
}

/// What a hand-off brings.
#[derive(Debug, Clone)]
pub struct Handoff {
    /// Stream id.
    pub stream: String,
    /// The live chat card's routing option (from the server's copy of the card).
    pub routing: Routing,
    /// Captured attributes.
    pub attributes: Attributes,
    /// Bot transcript.
    pub transcript: Vec<Entry>,
    /// Page context.
    pub page: PageContext,
}

pub(super) fn state_to_db(s: ConversationState) -> &'static str {
    match s {
        ConversationState::Waiting => "waiting",
        ConversationState::Offered => "offered",
        ConversationState::Active => "active",
        ConversationState::Ended => "ended",
        ConversationState::Fallback => "fallback",
    }
}

pub(super) fn state_from_db(s: &str) -> ConversationState {
    match s {
        "offered" => ConversationState::Offered,
        "active" => ConversationState::Active,
        "ended" => ConversationState::Ended,
        "fallback" => ConversationState::Fallback,
        _ => ConversationState::Waiting,
    }
}

fn author_to_db(a: Author) -> &'static str {
    match a {
        Author::Visitor => "visitor",
        Author::Agent => "agent",
        Author::System => "system",
        Author::Note => "note",
    }
}

/// An author this version does not know (written by a newer one) reads as
/// a note: agents may see it, visitors never.
fn author_from_db(s: &str) -> Author {
    match s {
        "visitor" => Author::Visitor,
        "agent" => Author::Agent,
        "system" => Author::System,
        _ => Author::Note,
    }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serializes")
}

/// A `conversations` row as stored (`SELECT *`), on either backend.
#[derive(sqlx::FromRow)]
pub(super) struct ConversationRow {
    id: ConversationId,
    site_id: SiteId,
    visitor_id: VisitorId,
    state: String,
    last_seq: i64,
    agent_id: Option<AgentId>,
}

/// The conversation in `row` (every column of `conversations`).
pub(super) fn conversation<'r, R: sqlx::Row>(row: &'r R) -> Result<Conversation, sqlx::Error>
where
    ConversationRow: sqlx::FromRow<'r, R>,
{
    let r = <ConversationRow as sqlx::FromRow<R>>::from_row(row)?;
    Ok(Conversation {
        id: r.id,
        site_id: r.site_id,
        visitor_id: r.visitor_id,
        state: state_from_db(&r.state),
        last_seq: u64::try_from(r.last_seq).unwrap_or(0),
        agent_id: r.agent_id,
    })
}

/// A `messages` row's columns a client is sent.
#[derive(sqlx::FromRow)]
struct MessageRow {
    seq: i64,
    author: String,
    client_id: Option<String>,
    text: String,
    at: i64,
    file: Option<String>,
}

/// A file to store with its message, and the most files its author may
/// have sent in the conversation.
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    /// Its reference (what the message carries).
    pub file: &'a FileRef,
    /// Its bytes.
    pub bytes: &'a [u8],
    /// The most files its author may have sent in the conversation.
    pub cap: Option<i64>,
}

fn message<'r, R: sqlx::Row>(row: &'r R) -> Result<ChatMessage, sqlx::Error>
where
    MessageRow: sqlx::FromRow<'r, R>,
{
    let r = <MessageRow as sqlx::FromRow<R>>::from_row(row)?;
    Ok(ChatMessage {
        seq: u64::try_from(r.seq).unwrap_or(0),
        author: author_from_db(&r.author),
        client_id: r.client_id,
        text: r.text,
        at: crate::clock::iso_millis(r.at),
        // (Written by this server from a `FileRef`: unreadable only if
        // edited by hand, and then the message is still its text.)
        file: r.file.and_then(|f| serde_json::from_str(&f).ok()),
    })
}

/// The conversation with `id`.
pub(super) async fn read_conversation(
    e: &mut impl OnConn,
    id: ConversationId,
) -> Result<Option<Conversation>, StoreError> {
    on_conn!(e, e => {
        let row = sqlx::query("SELECT * FROM conversations WHERE id = $1").bind(id).fetch_optional(e).await?;
        Ok(row.as_ref().map(conversation).transpose()?)
    })
}

/// What the agent sees of a conversation.
pub(super) async fn read_details(e: &mut impl OnConn, id: ConversationId) -> Result<Details, StoreError> {
    on_conn!(e, e => {
        let row = sqlx::query("SELECT attributes, page, transcript FROM conversations WHERE id = $1")
            .bind(id)
            .fetch_one(e)
            .await?;
        let parse = |col: &str| row.get::<String, _>(col);
        let corrupt = |source| StoreError::Corrupt { what: "conversation", source };
        Ok(Details {
            attributes: serde_json::from_str(&parse("attributes")).map_err(corrupt)?,
            page: serde_json::from_str(&parse("page")).map_err(corrupt)?,
            transcript: serde_json::from_str(&parse("transcript")).map_err(corrupt)?,
        })
    })
}

/// The messages of a conversation after `after_seq`, in order.
pub(super) async fn read_messages_after(
    e: &mut impl OnConn,
    conversation_id: ConversationId,
    after_seq: u64,
) -> Result<Vec<ChatMessage>, StoreError> {
    on_conn!(e, e => {
        let rows = sqlx::query(
            "SELECT seq, author, client_id, text, at, file FROM messages WHERE conversation_id = $1 AND seq > $2 ORDER BY seq",
        )
        .bind(conversation_id)
        .bind(i64::try_from(after_seq).unwrap_or(i64::MAX))
        .fetch_all(e)
        .await?;
        Ok(rows.iter().map(message).collect::<Result<_, _>>()?)
    })
}

impl Store {
    /// Creates a visitor of `site_id` identified by `token_hash`, first seen
    /// at `now` (unix ms).
    pub async fn create_visitor(
        &self,
        site_id: SiteId,
        token_hash: &str,
        now: i64,
    ) -> Result<VisitorId, StoreError> {
        on_db!(self, pool => {
            Ok(sqlx::query(
                "INSERT INTO visitors (site_id, token_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(site_id)
            .bind(token_hash)
            .bind(now)
            .fetch_one(pool)
            .await?
            .get(0))
        })
    }

    /// The visitor of `site_id` with this token hash.
    pub async fn visitor(&self, site_id: SiteId, token_hash: &str) -> Result<Option<VisitorId>, StoreError> {
        on_db!(self, pool => {
            Ok(sqlx::query_scalar("SELECT id FROM visitors WHERE site_id = $1 AND token_hash = $2")
                .bind(site_id)
                .bind(token_hash)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// The visitor's latest conversation.
    pub async fn latest_conversation(
        &self,
        visitor_id: VisitorId,
    ) -> Result<Option<Conversation>, StoreError> {
        on_db!(self, pool => {
            let row = sqlx::query("SELECT * FROM conversations WHERE visitor_id = $1 ORDER BY id DESC LIMIT 1")
                .bind(visitor_id)
                .fetch_optional(pool)
                .await?;
            Ok(row.as_ref().map(conversation).transpose()?)
        })
    }

    /// The conversation with `id`.
    pub async fn conversation(&self, id: ConversationId) -> Result<Option<Conversation>, StoreError> {
        on_db!(self, pool => read_conversation(&mut pool.acquire().await?, id).await)
    }

    /// What the agent sees of a conversation.
    pub async fn details(&self, id: ConversationId) -> Result<Details, StoreError> {
        on_db!(self, pool => read_details(&mut pool.acquire().await?, id).await)
    }

    /// Accepts an offer: only the agent it was offered to, only while
    /// offered, accepted at `now`. Its inactivity limit is then `idle_due`
    /// (both unix ms).
    pub async fn accept(
        &self,
        conversation: ConversationId,
        agent_id: AgentId,
        idle_due: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        on_db!(self, begin_exclusive tx => {
            let offered_at: Option<Option<i64>> = sqlx::query_scalar(
                "UPDATE conversations SET state = 'active', due_at = $3, accepted_at = $4
                 WHERE id = $1 AND agent_id = $2 AND state = 'offered' RETURNING offered_at",
            )
            .bind(conversation)
            .bind(agent_id)
            .bind(idle_due)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(offered_at) = offered_at else { return Ok(false) };
            // An answered offer: the agent is there, their missed offers start again.
            sqlx::query("UPDATE agents SET missed_offers = 0 WHERE id = $1 AND missed_offers <> 0")
                .bind(agent_id)
                .execute(&mut *tx)
                .await?;
            let value = offered_at.map(|at| now - at);
            record(&mut tx, conversation, Kind::Accepted, Fact { agent: Some(agent_id), value, ..Fact::default() }, now)
                .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Ends a chat for the agent who has it at `now` (unix ms): only that
    /// agent, only while active (checked and changed in one statement, so
    /// an end racing a transfer cannot end the chat after it moved on).
    pub async fn end_by_agent(
        &self,
        conversation: ConversationId,
        agent_id: AgentId,
        now: i64,
    ) -> Result<bool, StoreError> {
        on_db!(self, begin_exclusive tx => {
            let done = sqlx::query(
                "UPDATE conversations SET state = 'ended', due_at = NULL, ended_at = $3
                 WHERE id = $1 AND agent_id = $2 AND state = 'active'",
            )
            .bind(conversation)
            .bind(agent_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Ok(false);
            }
            record_end(&mut tx, conversation, Some(agent_id), EndedBy::Agent, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Opens a conversation for a visitor's hand-off, in the waiting state.
    ///
    /// A visitor (who belongs to one site) has one open conversation at a
    /// time: `None` when they have one (checked in the same statement, so
    /// two sockets handing off at once get one conversation).
    ///
    /// It is opened at `now` and due for routing at `due` (unix ms): routed
    /// at once as it is opened, and again then should that not happen (a
    /// failure, a stop). Conversations are numbered in the order they
    /// start: should the clock have stepped back behind the latest start,
    /// it starts then instead (the admin's search reads them by number as
    /// by start).
    pub async fn create_conversation(
        &self,
        site_id: SiteId,
        visitor_id: VisitorId,
        h: &Handoff,
        due: i64,
        now: i64,
    ) -> Result<Option<Conversation>, StoreError> {
        on_db!(self, begin_exclusive tx => {
            let row = sqlx::query(
                "INSERT INTO conversations (site_id, visitor_id, state, stream_id, routing,
                   attributes, transcript, page, due_at, created_at)
                 SELECT $1, $2, 'waiting', $3, $4, $5, $6, $7, $9,
                        COALESCE((SELECT MAX(created_at) FROM conversations WHERE created_at > $10), $10)
                 WHERE NOT EXISTS (SELECT 1 FROM conversations
                                   WHERE visitor_id = $8 AND state IN ('waiting', 'offered', 'active'))
                 RETURNING *",
            )
            .bind(site_id)
            .bind(visitor_id)
            .bind(&h.stream)
            .bind(json(&h.routing))
            .bind(json(&h.attributes))
            .bind(json(&h.transcript))
            .bind(json(&h.page))
            .bind(visitor_id)
            .bind(due)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else { return Ok(None) };
            let c = conversation(&row)?;
            // A card routing to a team counts for it even when nobody is
            // offered the chat.
            let team = match &h.routing {
                Routing::Team(name) => Some(team_name(&mut tx, name).await?),
                _ => None,
            };
            let fact = Fact { stream: Some(&h.stream), team: team.as_deref(), ..Fact::default() };
            record(&mut tx, c.id, Kind::Handoff, fact, now).await?;
            tx.commit().await?;
            Ok(Some(c))
        })
    }

    /// Ends a conversation still open (waiting, offered or active) at
    /// `now` (unix ms), ended by `by`, in one transaction: `None` when it
    /// was over already, else the agent whose offer it took back (who must
    /// be told), if it was offered.
    pub async fn end_open(
        &self,
        id: ConversationId,
        by: EndedBy,
        now: i64,
    ) -> Result<Option<Option<AgentId>>, StoreError> {
        on_db!(self, begin_exclusive tx => {
            let open: Option<(String, Option<AgentId>)> = sqlx::query_as(
                "SELECT state, agent_id FROM conversations
                 WHERE id = $1 AND state IN ('waiting', 'offered', 'active')",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((state, agent)) = open else { return Ok(None) };
            sqlx::query(
                "UPDATE conversations SET state = 'ended', offered_at = NULL, due_at = NULL, ended_at = $2
                 WHERE id = $1",
            )
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let offered = state == "offered";
            if offered && agent.is_some() {
                record(&mut tx, id, Kind::Withdrawn, Fact { agent, ..Fact::default() }, now).await?;
            }
            // (An offer is not a chat: it ended with no agent.)
            record_end(&mut tx, id, agent.filter(|_| !offered), by, now).await?;
            tx.commit().await?;
            Ok(Some(agent.filter(|_| offered)))
        })
    }

    /// Sets a conversation's state at `now` (unix ms), recording no fact
    /// (for tests that set a scene). One that is over has no timer left,
    /// and keeps when it first ended.
    pub async fn set_state(
        &self,
        id: ConversationId,
        state: ConversationState,
        now: i64,
    ) -> Result<(), StoreError> {
        on_db!(self, pool => {
            sqlx::query(
                "UPDATE conversations SET state = $1,
                   due_at = CASE WHEN $1 IN ('ended', 'fallback') THEN NULL ELSE due_at END,
                   ended_at = CASE WHEN $1 IN ('ended', 'fallback') THEN COALESCE(ended_at, $3) END
                 WHERE id = $2",
            )
                .bind(state_to_db(state))
                .bind(id)
                .bind(now)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Appends a message written at `now` (unix ms) with the next sequence
    /// number. A `client_id` already stored for this author returns the
    /// stored message and `false`. (An active chat's inactivity limit is
    /// not moved here: when it comes, the sweeper reads the last message
    /// and moves it on then, which costs one check per limit, not a write
    /// per message.)
    pub async fn append_message(
        &self,
        conversation_id: ConversationId,
        author: Author,
        client_id: Option<&str>,
        text: &str,
        now: i64,
    ) -> Result<(ChatMessage, bool), StoreError> {
        // (Only a file has a cap: never `None`.)
        self.append(conversation_id, author, client_id, text, None, now).await?.ok_or_else(|| {
            StoreError::Db(sqlx::Error::Protocol("a message without a file was capped".into()))
        })
    }

    /// Stores a file and the message that carries it (its text the file's
    /// name) in one transaction, as [`Store::append_message`] stores a
    /// message: a resent `client_id` stores nothing and answers the
    /// message stored the first time (with its file). `None` when `author`
    /// has sent `cap` files in the conversation already (counted in the
    /// same transaction, after a resend is answered).
    pub async fn append_file(
        &self,
        conversation_id: ConversationId,
        author: Author,
        client_id: &str,
        upload: Upload<'_>,
        now: i64,
    ) -> Result<Option<(ChatMessage, bool)>, StoreError> {
        self.append(conversation_id, author, Some(client_id), &upload.file.name, Some(upload), now).await
    }

    async fn append(
        &self,
        conversation_id: ConversationId,
        author: Author,
        client_id: Option<&str>,
        text: &str,
        file: Option<Upload<'_>>,
        now: i64,
    ) -> Result<Option<(ChatMessage, bool)>, StoreError> {
        let file_json =
            file.as_ref().map(|u| serde_json::to_string(u.file).expect("file references serialize"));
        on_db!(self, begin tx => {
            // Write first: taking SQLite's write lock at the start of the
            // transaction means two appends never deadlock upgrading a read lock.
            // (An agent's message that sets `first_reply_seq` is the chat's
            // first reply: known from this one update, no lookup.)
            let (seq, first_reply): (i64, Option<i64>) = sqlx::query_as(
                "UPDATE conversations SET last_seq = last_seq + 1,
                   first_reply_seq = CASE WHEN $2 THEN COALESCE(first_reply_seq, last_seq + 1)
                                          ELSE first_reply_seq END
                 WHERE id = $1 RETURNING last_seq, first_reply_seq",
            )
            .bind(conversation_id)
            .bind(author == Author::Agent)
            .fetch_one(&mut *tx)
            .await?;
            if let Some(cid) = client_id {
                let existing = sqlx::query(
                    "SELECT seq, author, client_id, text, at, file FROM messages
                     WHERE conversation_id = $1 AND author = $2 AND client_id = $3",
                )
                .bind(conversation_id)
                .bind(author_to_db(author))
                .bind(cid)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(row) = existing {
                    tx.rollback().await?;
                    return Ok(Some((message(&row)?, false)));
                }
            }
            if let Some(Upload { cap: Some(cap), .. }) = &file {
                let sent: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM files WHERE conversation_id = $1 AND author = $2",
                )
                .bind(conversation_id)
                .bind(author_to_db(author))
                .fetch_one(&mut *tx)
                .await?;
                if sent >= *cap {
                    tx.rollback().await?;
                    return Ok(None);
                }
            }
            if let Some(Upload { file: f, bytes, .. }) = file {
                sqlx::query(
                    "INSERT INTO files (id, conversation_id, author, name, mime, size, bytes, created_ms)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&f.id)
                .bind(conversation_id)
                .bind(author_to_db(author))
                .bind(&f.name)
                .bind(&f.mime)
                .bind(i64::try_from(f.size).unwrap_or(i64::MAX))
                .bind(bytes)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            let row = sqlx::query(
                "INSERT INTO messages (conversation_id, seq, author, client_id, text, at, file)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 RETURNING seq, author, client_id, text, at, file",
            )
            .bind(conversation_id)
            .bind(seq)
            .bind(author_to_db(author))
            .bind(client_id)
            .bind(text)
            .bind(now)
            .bind(file_json.as_deref())
            .fetch_one(&mut *tx)
            .await?;
            if author == Author::Agent && first_reply == Some(seq) {
                record_first_reply(&mut tx, conversation_id, now).await?;
            }
            tx.commit().await?;
            Ok(Some((message(&row)?, true)))
        })
    }

    /// The messages of a conversation after `after_seq`, in order.
    pub async fn messages_after(
        &self,
        conversation_id: ConversationId,
        after_seq: u64,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        on_db!(self, pool => read_messages_after(&mut pool.acquire().await?, conversation_id, after_seq).await)
    }
}
