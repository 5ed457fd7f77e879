//! The admin's list of every conversation and one conversation in full.
//!
//! The list is read in two steps: the page's keys (`started, id`, newest
//! first, strictly after the cursor), then each row's facts by primary key
//! (in one statement, but for a search, whose keys come first). A page's
//! keys come from one index in the list's order (migration 0017 has one per
//! filter), read until the page is full: never an `OFFSET`, never a sort of
//! everything that matches. A search reads the search index's matches
//! newest first instead (see `search_keys`).
//!
//! A team is several sources (the conversations routed to it, and each
//! member's), each read in order up to a page and merged: as fast as one
//! agent's list, for a team of any share of the traffic.
//!
//! The search index is each backend's own: SQLite's FTS5 table
//! `transcript_search`, or on PostgreSQL a table of the same name whose
//! `words` (a `tsvector`, GIN-indexed) each line's triggers fill. Both key
//! a line by `rowid` the same way, so the queries differ only in how they
//! match words ([`Statement::matches`]) and read JSON.

use switchboard_protocol::admin::{AgentRef, ConversationPage, ConversationRow, Cursor, VisitorDetails};
use switchboard_protocol::wire::ConversationState;

use super::conversations::{read_details, state_from_db, state_to_db};
use super::{on_db, Store, StoreError};
use crate::clock::iso_millis;
use crate::ids::{AgentId, ConversationId, SiteId};

/// Lines of a word a search counts to find its rarest word (beyond, a word
/// is common enough).
const RARE_LINES: i64 = 2_000;

/// Lines of its rarest word a search reads from the search index, newest
/// first, before it reads on by the other filters' indexes: a page of a
/// common word met by few of the conversations the other filters select
/// costs at most this.
const SEARCH_LINES: i64 = 20_000;

/// How many characters of text a search snippet shows.
pub const SNIPPET_CHARS: usize = 120;

/// A team with more members than this is read as one source (its
/// members' conversations in the list's order, checked one by one) rather
/// than one per member (SQLite allows 500 terms in a compound query).
const MAX_MEMBER_SOURCES: usize = 64;

/// Which conversations to list, with names resolved to ids.
#[derive(Debug, Clone, Default)]
pub struct ListFilter<'a> {
    /// Only this site's.
    pub site: Option<SiteId>,
    /// Only in this state.
    pub state: Option<ConversationState>,
    /// Only this agent's (the latest agent it was offered to or accepted by).
    pub agent: Option<AgentId>,
    /// Only this team's (by id): routed to it, or whose agent is a member.
    pub team: Option<i64>,
    /// Started at or after (unix ms).
    pub from: Option<i64>,
    /// Started before (unix ms).
    pub to: Option<i64>,
    /// Only those whose transcript holds every one of these words (lower
    /// case), anywhere in it; none match an empty list.
    pub words: Option<&'a [String]>,
    /// Strictly after this row.
    pub after: Option<Cursor>,
    /// Rows on the page.
    pub limit: u32,
}

/// A value bound into a statement built at run time.
#[derive(Debug, Clone)]
enum Value {
    Int(i64),
    Text(String),
}

/// A statement built at run time with its values, bound by number, in
/// its backend's dialect.
#[derive(Debug, Default)]
struct Statement {
    values: Vec<Value>,
    postgres: bool,
}

impl Statement {
    /// An empty statement for `store`'s backend.
    fn new(store: &Store) -> Self {
        Self { values: Vec::new(), postgres: store.dialect("", "pg") == "pg" }
    }

    /// `sqlite` or `postgres`, as this statement's dialect writes it.
    fn dialect<'a>(&self, sqlite: &'a str, postgres: &'a str) -> &'a str {
        if self.postgres {
            postgres
        } else {
            sqlite
        }
    }

    /// The condition that a `transcript_search` line holds `words` (each
    /// as a phrase, so nothing in it is read as an operator), all of them
    /// (`and`) or any.
    fn matches(&mut self, words: &[String], and: bool) -> String {
        if self.postgres {
            let each: Vec<String> = words
                .iter()
                .map(|w| {
                    let p = self.bind(Value::Text(w.clone()));
                    format!("phraseto_tsquery('simple', unaccent(lower({p})))")
                })
                .collect();
            format!("transcript_search.words @@ ({})", each.join(if and { " && " } else { " || " }))
        } else {
            let p = self.bind(Value::Text(match_expression(words, if and { "AND" } else { "OR" })));
            format!("transcript_search MATCH {p}")
        }
    }

    /// Binds `v`; answers its placeholder (`$n`), usable any number of times.
    fn bind(&mut self, v: Value) -> String {
        self.values.push(v);
        format!("${}", self.values.len())
    }
}

/// The search engine's query for `words`: each word quoted as a phrase, so
/// nothing in it is read as an operator, joined by `op` (`AND`, `OR`).
fn match_expression(words: &[String], op: &str) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{}\"", w.replace('"', "\"\""))).collect();
    quoted.join(&format!(" {op} "))
}

/// The conditions on a conversation `c` of the site, state and agent asked for.
fn row_conditions(f: &ListFilter<'_>, s: &mut Statement) -> Vec<String> {
    let mut all = Vec::new();
    if let Some(site) = f.site {
        all.push(format!("c.site_id = {}", s.bind(Value::Int(site.get()))));
    }
    if let Some(state) = f.state {
        all.push(format!("c.state = {}", s.bind(Value::Text(state_to_db(state).to_owned()))));
    }
    if let Some(agent) = f.agent {
        all.push(format!("c.agent_id = {}", s.bind(Value::Int(agent.get()))));
    }
    all
}

/// The page's keys: `created_at, id` of up to `limit` conversations, newest
/// first, read from the filters' indexes (`f.words` aside), each also
/// meeting `extra`; as a query binding into `s`.
fn index_keys(f: &ListFilter<'_>, members: &[AgentId], extra: &[String], s: &mut Statement) -> String {
    let limit = s.bind(Value::Int(i64::from(f.limit)));
    let mut common = row_conditions(f, s);
    common.extend_from_slice(extra);
    let from = f.from.map(|v| s.bind(Value::Int(v)));
    let to = f.to.map(|v| s.bind(Value::Int(v)));
    let after = f.after.map(|c| (s.bind(Value::Int(c.started_at)), s.bind(Value::Int(c.id))));
    // The conditions of a source whose start and id are these columns.
    let conditions = |started: &str, id: &str, own: &[String]| -> String {
        let mut all: Vec<String> = own.iter().chain(&common).cloned().collect();
        if let Some(p) = &from {
            all.push(format!("{started} >= {p}"));
        }
        if let Some(p) = &to {
            all.push(format!("{started} < {p}"));
        }
        if let Some((a, b)) = &after {
            all.push(format!("({started}, {id}) < ({a}, {b})"));
        }
        if all.is_empty() {
            "true".to_owned()
        } else {
            all.join(" AND ")
        }
    };
    let from_conversations = |own: &[String]| {
        format!(
            "SELECT c.created_at, c.id FROM conversations c WHERE {}
             ORDER BY c.created_at DESC, c.id DESC LIMIT {limit}",
            conditions("c.created_at", "c.id", own)
        )
    };
    let Some(team) = f.team else { return from_conversations(&[]) };
    let team = s.bind(Value::Int(team));
    let mut sources = vec![format!(
        "SELECT t.created_at, t.conversation_id FROM conversation_teams t
         JOIN conversations c ON c.id = t.conversation_id
         WHERE t.team_id = {team} AND {}
         ORDER BY t.created_at DESC, t.conversation_id DESC LIMIT {limit}",
        conditions("t.created_at", "t.conversation_id", &[])
    )];
    if members.len() > MAX_MEMBER_SOURCES {
        // `+ 0`: no index on the agent for this term; the rows are read in
        // the list's order and each checked, which a large team fills fast.
        let member = format!("c.agent_id + 0 IN (SELECT agent_id FROM team_members WHERE team_id = {team})");
        sources.push(from_conversations(&[member]));
    } else {
        for m in members {
            let m = s.bind(Value::Int(m.get()));
            sources.push(from_conversations(&[format!("c.agent_id = {m}")]));
        }
    }
    // A conversation both routed to the team and with one of its members
    // comes from two sources: UNION keeps it once.
    let each: Vec<String> =
        sources.iter().enumerate().map(|(i, q)| format!("SELECT * FROM ({q}) AS source{i}")).collect();
    format!("{} ORDER BY 1 DESC, 2 DESC LIMIT {limit}", each.join(" UNION "))
}

/// Conversation `c` holds `word` somewhere in its transcript.
fn holds(word: &str, s: &mut Statement) -> String {
    let m = s.matches(&[word.to_owned()], true);
    format!(
        "EXISTS (SELECT 1 FROM transcript_search WHERE {m}
                 AND rowid BETWEEN c.id * 16777216 AND c.id * 16777216 + 16777215)"
    )
}

/// The search index's rows a search may read (` AND rowid …` each): those
/// of the conversations the range and the cursor allow, from the first
/// started in range to the last (one seek each in the start index).
fn id_bounds(f: &ListFilter<'_>, s: &mut Statement) -> String {
    let mut ids = Vec::new();
    if let Some(from) = f.from {
        let p = s.bind(Value::Int(from));
        ids.push(format!(
            "rowid >= COALESCE((SELECT id FROM conversations WHERE created_at >= {p}
                                ORDER BY created_at, id LIMIT 1), 549755813888) * 16777216"
        ));
    }
    if let Some(to) = f.to {
        let p = s.bind(Value::Int(to));
        ids.push(format!(
            "rowid < (COALESCE((SELECT id FROM conversations WHERE created_at < {p}
                                ORDER BY created_at DESC, id DESC LIMIT 1), 0) + 1) * 16777216"
        ));
    }
    if let Some(c) = f.after {
        ids.push(format!("rowid < {} * 16777216", s.bind(Value::Int(c.id))));
    }
    ids.iter().map(|c| format!(" AND {c}")).collect()
}

/// The conversation of the `lines`-th line of the first word's matches that
/// a search may read, newest first (the search index's row id places it):
/// where [`search_keys`] reading `lines` lines stopped. None when there are
/// not so many.
fn stopped_at(f: &ListFilter<'_>, words: &[String], lines: i64, s: &mut Statement) -> String {
    let driver = s.matches(&words[..1], true);
    let ids = id_bounds(f, s);
    let skip = s.bind(Value::Int(lines - 1));
    format!(
        "SELECT created_at, id FROM conversations
         WHERE id = (SELECT rowid >> 24 FROM transcript_search WHERE {driver}{ids}
                     ORDER BY rowid DESC LIMIT 1 OFFSET {skip})"
    )
}

/// A search's page keys: the matches of its first word (the caller puts the
/// rarest first), newest first, straight from the search index; each
/// conversation checked for the other words and filters, until a page is
/// full.
///
/// The index hands matches out by row id, that is by conversation id, and
/// conversations are numbered in the order they start (a start is never
/// before the one numbered before it: `create_conversation`), so the first
/// matches that pass are the page, in the list's order. A word in many
/// conversations fills a page in a few lines; a rare one has few to read.
///
/// At most `lines` lines are read: a common word with rarely met filters
/// would read far, and `Store::search_keys` reads the rest of the list by
/// the filters' indexes instead.
fn search_keys(f: &ListFilter<'_>, words: &[String], lines: i64, s: &mut Statement) -> String {
    let limit = s.bind(Value::Int(i64::from(f.limit)));
    let lines = s.bind(Value::Int(lines));
    let driver = s.matches(&words[..1], true);
    let mut conditions = row_conditions(f, s);
    for w in &words[1..] {
        conditions.push(holds(w, s));
    }
    if let Some(team) = f.team {
        let t = s.bind(Value::Int(team));
        conditions.push(format!(
            "(c.agent_id IN (SELECT agent_id FROM team_members WHERE team_id = {t})
              OR EXISTS (SELECT 1 FROM conversation_teams t WHERE t.conversation_id = c.id AND t.team_id = {t}))"
        ));
    }
    if let Some(from) = f.from {
        conditions.push(format!("c.created_at >= {}", s.bind(Value::Int(from))));
    }
    if let Some(to) = f.to {
        conditions.push(format!("c.created_at < {}", s.bind(Value::Int(to))));
    }
    if let Some(c) = f.after {
        let (a, b) = (s.bind(Value::Int(c.started_at)), s.bind(Value::Int(c.id)));
        conditions.push(format!("(c.created_at, c.id) < ({a}, {b})"));
    }
    let ids = id_bounds(f, s);
    let conditions = if conditions.is_empty() { "true".to_owned() } else { conditions.join(" AND ") };
    // The subquery's LIMIT (also) keeps its ORDER BY (SQLite drops that of
    // a subquery without one), which the index serves: matches stream
    // newest first, and the outer LIMIT stops them. A conversation matches
    // once per line: DISTINCT. (SQLite reads the tables in a CROSS
    // JOIN's order; PostgreSQL has no CROSS JOIN … ON.)
    // PostgreSQL's DISTINCT keeps no order unless told: the matches' own.
    let join = s.dialect("CROSS JOIN", "JOIN");
    let order = s.dialect("", "ORDER BY c.id DESC");
    format!(
        "SELECT created_at, id FROM (
           SELECT DISTINCT c.created_at, c.id
           FROM (SELECT rowid >> 24 AS id FROM transcript_search
                 WHERE {driver}{ids}
                 ORDER BY rowid DESC LIMIT {lines}) matches
           {join} conversations c ON c.id = matches.id
           WHERE {conditions}
           {order}
           LIMIT {limit}) AS found
         ORDER BY created_at DESC, id DESC"
    )
}

/// The rows of the conversations whose keys `page` (a query answering
/// `created_at, id`) selects, in its order; with `words`, each row's first
/// line that holds one of them.
fn rows_query(page: &str, words: Option<&[String]>, s: &mut Statement) -> String {
    let (hits, hit_join, hit_text) = match words {
        Some(words) => {
            let any = s.matches(words, false);
            let line = s.dialect(
                "json_extract(c.transcript, '$[' || (h.hit & 16777215) || '].text')",
                "c.transcript::jsonb -> (h.hit & 16777215)::int ->> 'text'",
            );
            (
                format!(
                    ", hits(id, hit) AS MATERIALIZED (
                       SELECT page.id, (SELECT rowid FROM transcript_search
                                        WHERE {any}
                                          AND rowid BETWEEN page.id * 16777216 AND page.id * 16777216 + 16777215
                                        ORDER BY rowid LIMIT 1)
                       FROM page)"
                ),
                "LEFT JOIN hits h ON h.id = page.id",
                format!(
                    "CASE WHEN h.hit IS NULL THEN NULL
                          WHEN (h.hit & 16777215) < 1048576 THEN {line}
                          ELSE (SELECT m.text FROM messages m
                                WHERE m.conversation_id = c.id AND m.seq = (h.hit & 16777215) - 1048576)
                     END"
                ),
            )
        }
        None => (String::new(), "", "NULL".to_owned()),
    };
    let bot_lines =
        s.dialect("json_array_length(c.transcript)", "jsonb_array_length(c.transcript::jsonb)::BIGINT");
    format!(
        "WITH page(created_at, id) AS MATERIALIZED ({page}){hits}
         SELECT c.id, s.key AS site_key, c.state, c.created_at, c.accepted_at, c.ended_at, c.attributes,
                c.last_seq, {bot_lines} AS bot_lines,
                a.name AS agent_name, a.email AS agent_email,
                (SELECT m.at FROM messages m WHERE m.conversation_id = c.id AND m.seq = c.last_seq) AS last_at,
                {hit_text} AS hit_text
         FROM page
         JOIN conversations c ON c.id = page.id
         JOIN sites s ON s.id = c.site_id
         LEFT JOIN agents a ON a.id = c.agent_id
         {hit_join}
         ORDER BY page.created_at DESC, page.id DESC"
    )
}

/// The columns of [`rows_query`].
#[derive(Debug, sqlx::FromRow)]
struct ListRow {
    id: i64,
    site_key: String,
    state: String,
    created_at: i64,
    accepted_at: Option<i64>,
    ended_at: Option<i64>,
    attributes: String,
    last_seq: i64,
    bot_lines: i64,
    agent_name: Option<String>,
    agent_email: Option<String>,
    last_at: Option<i64>,
    hit_text: Option<String>,
}

fn corrupt(source: serde_json::Error) -> StoreError {
    StoreError::Corrupt { what: "conversation", source }
}

fn row(r: ListRow, words: Option<&[String]>) -> Result<ConversationRow, StoreError> {
    let attributes: switchboard_protocol::attribute::Attributes =
        serde_json::from_str(&r.attributes).map_err(corrupt)?;
    let given = |key: &str| attributes.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
    let name = [given("first_name"), given("last_name")].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let last_activity =
        [Some(r.created_at), r.accepted_at, r.ended_at, r.last_at].into_iter().flatten().max();
    Ok(ConversationRow {
        id: r.id,
        site: r.site_key,
        state: state_from_db(&r.state),
        started_at: iso_millis(r.created_at),
        last_activity_at: iso_millis(last_activity.unwrap_or(r.created_at)),
        ended_at: r.ended_at.map(iso_millis),
        visitor_name: (!name.is_empty()).then_some(name),
        visitor_email: given("email").map(str::to_owned),
        agent: r.agent_name.zip(r.agent_email).map(|(name, email)| AgentRef { name, email }),
        message_count: u64::try_from(r.bot_lines.max(0) + r.last_seq.max(0)).unwrap_or(0),
        snippet: words.zip(r.hit_text.as_deref()).map(|(w, text)| snippet(text, w)),
    })
}

/// A conversation's row with what the detail view adds (no snippet).
#[derive(Debug, Clone)]
pub struct AdminDetail {
    /// As the list shows it.
    pub row: ConversationRow,
    /// Its visitor.
    pub visitor: VisitorDetails,
    /// The bot part.
    pub transcript: Vec<switchboard_protocol::stream::runner::Entry>,
    /// Every live message, in order.
    pub messages: Vec<switchboard_protocol::wire::ChatMessage>,
}

/// Binds `values` in order onto `q` (generic over the backend, so every arm
/// of `on_db!` can call it).
fn bind_all<'q, DB, O>(
    mut q: sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>,
    values: &[Value],
) -> sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    for v in values {
        q = match v {
            Value::Int(i) => q.bind(*i),
            Value::Text(t) => q.bind(t.clone()),
        };
    }
    q
}

impl Store {
    /// A page of the admin's list: the conversations `f` selects, newest
    /// first, with the cursor of the next page when there is one.
    pub async fn admin_conversations(&self, f: &ListFilter<'_>) -> Result<ConversationPage, StoreError> {
        self.list_page(f, SEARCH_LINES).await
    }

    /// [`Store::admin_conversations`], a search reading at most `lines`
    /// lines from the search index.
    async fn list_page(&self, f: &ListFilter<'_>, lines: i64) -> Result<ConversationPage, StoreError> {
        if f.words.is_some_and(<[String]>::is_empty) {
            // A search with no word in it (only punctuation) matches nothing.
            return Ok(ConversationPage { items: Vec::new(), next_cursor: None });
        }
        let members: Vec<AgentId> = match f.team {
            None => Vec::new(),
            Some(team) => on_db!(self, pool => {
                sqlx::query_scalar("SELECT agent_id FROM team_members WHERE team_id = $1 ORDER BY agent_id")
                    .bind(team)
                    .fetch_all(pool)
                    .await?
            }),
        };
        let rarest_first = match f.words {
            Some(words) if words.len() > 1 => Some(self.rarest_first(words).await?),
            _ => None,
        };
        // One more than asked for: whether there is a next page.
        let probe =
            ListFilter { limit: f.limit + 1, words: rarest_first.as_deref().or(f.words), ..f.clone() };
        let mut s = Statement::new(self);
        let page = match probe.words {
            None => index_keys(&probe, &members, &[], &mut s),
            Some(words) => {
                let keys = self.search_keys(&probe, words, &members, lines).await?;
                let keys = serde_json::to_string(&keys).expect("integers serialize");
                let keys = s.bind(Value::Text(keys));
                s.dialect(
                    "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each({})",
                    "SELECT (k ->> 0)::BIGINT, (k ->> 1)::BIGINT FROM jsonb_array_elements({}::jsonb) AS k",
                )
                .replace("{}", &keys)
            }
        };
        let sql = rows_query(&page, f.words, &mut s);
        let rows: Vec<ListRow> = on_db!(self, pool => {
            bind_all(sqlx::query_as(&sql), &s.values).fetch_all(pool).await?
        });
        let more = rows.len() > f.limit as usize;
        let kept = &rows[..rows.len().min(f.limit as usize)];
        let next_cursor = if more {
            kept.last().map(|r| Cursor { started_at: r.created_at, id: r.id }.to_string())
        } else {
            None
        };
        let items =
            rows.into_iter().take(f.limit as usize).map(|r| row(r, f.words)).collect::<Result<_, _>>()?;
        Ok(ConversationPage { items, next_cursor })
    }

    /// A search's page keys (`created_at, id`, newest first): from the
    /// search index ([`search_keys`]) up to `lines` lines of its first
    /// word; should those not fill the page, the rest from the filters'
    /// indexes below where they stopped, each conversation checked for
    /// every word.
    async fn search_keys(
        &self,
        f: &ListFilter<'_>,
        words: &[String],
        members: &[AgentId],
        lines: i64,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        let run = |sql: String, s: Statement| async move {
            let keys: Vec<(i64, i64)> = on_db!(self, pool => {
                bind_all(sqlx::query_as(&sql), &s.values).fetch_all(pool).await?
            });
            Ok::<_, StoreError>(keys)
        };
        let mut s = Statement::new(self);
        let mut keys = run(search_keys(f, words, lines, &mut s), s).await?;
        if keys.len() >= f.limit as usize {
            return Ok(keys);
        }
        let mut s = Statement::new(self);
        let stopped = run(stopped_at(f, words, lines, &mut s), s).await?;
        let Some(&(started_at, id)) = stopped.first() else {
            // Fewer lines than that: every match was read.
            return Ok(keys);
        };
        // Every conversation from there on was read whole (a conversation
        // is checked, not a line); the rest lie strictly below it.
        let below = ListFilter {
            after: Some(Cursor { started_at, id }),
            words: None,
            limit: f.limit - keys.len() as u32,
            ..f.clone()
        };
        let mut s = Statement::new(self);
        let every_word: Vec<String> = words.iter().map(|w| holds(w, &mut s)).collect();
        keys.extend(run(index_keys(&below, members, &every_word, &mut s), s).await?);
        Ok(keys)
    }

    /// `words` with the one in the fewest lines first (counted up to
    /// [`RARE_LINES`] each, so a probe costs little), for a search to read
    /// that one's matches.
    async fn rarest_first(&self, words: &[String]) -> Result<Vec<String>, StoreError> {
        let mut counted = Vec::with_capacity(words.len());
        for w in words {
            let mut s = Statement::new(self);
            let limit = s.bind(Value::Int(RARE_LINES));
            let m = s.matches(std::slice::from_ref(w), true);
            let sql = format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM transcript_search WHERE {m} LIMIT {limit}) AS n"
            );
            let (lines,): (i64,) = on_db!(self, pool => {
                bind_all(sqlx::query_as(&sql), &s.values).fetch_one(pool).await?
            });
            counted.push((lines, w.clone()));
        }
        counted.sort_by_key(|(lines, _)| *lines);
        Ok(counted.into_iter().map(|(_, w)| w).collect())
    }

    /// Conversation `id` in full for the admin: its row, its visitor, the
    /// bot part and every live message, read together.
    pub async fn admin_conversation(&self, id: ConversationId) -> Result<Option<AdminDetail>, StoreError> {
        let mut s = Statement::new(self);
        let page =
            format!("SELECT created_at, id FROM conversations WHERE id = {}", s.bind(Value::Int(id.get())));
        let sql = rows_query(&page, None, &mut s);
        on_db!(self, begin tx => {
            let found: Option<ListRow> = bind_all(sqlx::query_as(&sql), &s.values).fetch_optional(&mut *tx).await?;
            let Some(found) = found else { return Ok(None) };
            let details = read_details(&mut *tx, id).await?;
            let first_seen: i64 = sqlx::query_scalar(
                "SELECT v.created_at FROM conversations c JOIN visitors v ON v.id = c.visitor_id WHERE c.id = $1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let messages = super::conversations::read_messages_after(&mut *tx, id, 0).await?;
            tx.commit().await?;
            Ok(Some(AdminDetail {
                row: row(found, None)?,
                visitor: VisitorDetails {
                    attributes: details.attributes,
                    page: details.page,
                    first_seen: iso_millis(first_seen),
                },
                transcript: details.transcript,
                messages,
            }))
        })
    }
}

/// Plain text around the first of `words` in `text` (as the search engine
/// compares them: without case or accents), at most [`SNIPPET_CHARS`]
/// characters, on one line, with `…` where it was cut.
pub fn snippet(text: &str, words: &[String]) -> String {
    let chars: Vec<char> = text.split_whitespace().collect::<Vec<_>>().join(" ").chars().collect();
    if chars.len() <= SNIPPET_CHARS {
        return chars.iter().collect();
    }
    let folded_words: Vec<String> = words.iter().map(|w| fold(w)).collect();
    let hit = tokens(&chars).find(|&(start, end)| {
        let token = fold(&chars[start..end].iter().collect::<String>());
        folded_words.contains(&token)
    });
    // Some words before the hit (a full window at the end of the text),
    // from the start of a word before it.
    let at = hit.map_or(0, |(start, _)| start);
    let from = at.saturating_sub(SNIPPET_CHARS / 4).min(chars.len() - SNIPPET_CHARS);
    let start = if from == 0 {
        0
    } else {
        chars[from..at.max(from)].iter().position(|c| *c == ' ').map_or(from, |p| from + p + 1)
    };
    let end = (start + SNIPPET_CHARS).min(chars.len());
    let end = if end < chars.len() {
        chars[start..end].iter().rposition(|c| *c == ' ').filter(|p| *p > 0).map_or(end, |p| start + p)
    } else {
        end
    };
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    out
}

/// The words of `chars` (runs of letters and digits), as index ranges.
fn tokens(chars: &[char]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < chars.len() && !chars[i].is_alphanumeric() {
            i += 1;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_alphanumeric() || is_mark(chars[i])) {
            i += 1;
        }
        (start < i).then_some((start, i))
    })
}

/// `word` without case or accents (`Crème` → `creme`), as the search
/// engine's tokenizer compares words.
fn fold(word: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    word.nfd().filter(|c| !is_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// A combining mark (an accent on the letter before it).
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn a_snippet_is_the_text_around_the_first_word_found_on_one_line() {
        assert_eq!(snippet("Where is my\norder?", &words(&["order"])), "Where is my order?");
        let long = format!("{} the crème brûlée {}", "lorem ".repeat(30), "ipsum ".repeat(30));
        let s = snippet(&long, &words(&["creme"]));
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("the crème brûlée"), "{s}");
        assert!(s.chars().count() <= SNIPPET_CHARS + 2, "{s}");
        // Not found (a word the engine split otherwise): the start.
        let s = snippet(&long, &words(&["absent"]));
        assert!(s.starts_with("lorem") && s.ends_with('…'), "{s}");
        // A word inside another is not a hit: "order" in "reorder".
        let text = format!("reorder {} order", "x ".repeat(100));
        assert!(snippet(&text, &words(&["order"])).ends_with(" order"));
        // Near the end: a full window before it.
        let s = snippet(&format!("{}target", "x ".repeat(100)), &words(&["target"]));
        assert!(s.starts_with("…x") && s.ends_with(" target"), "{s}");
        assert!((SNIPPET_CHARS - 10..=SNIPPET_CHARS + 1).contains(&s.chars().count()), "{s}");
        // A long word with the hit inside a window: cut inside the word before.
        let s = snippet(
            &format!("{}https://example.com/{} refund", "a ".repeat(60), "p".repeat(50)),
            &words(&["refund"]),
        );
        assert!(s.contains("refund"), "{s}");
    }

    #[test]
    fn folding_drops_case_and_accents_as_the_tokenizer_does() {
        assert_eq!(fold("Crème"), "creme");
        assert_eq!(fold("BRÛLÉE"), "brulee");
        assert_eq!(fold("cafe\u{301}"), "cafe");
        assert_eq!(fold("Straße"), "straße");
    }

    #[test]
    fn search_words_reach_the_engine_only_as_quoted_phrases() {
        assert_eq!(match_expression(&words(&["and", "near"]), "OR"), "\"and\" OR \"near\"");
        assert_eq!(match_expression(&words(&["a\"b"]), "AND"), "\"a\"\"b\"");
    }
}

#[cfg(test)]
mod plans {
    //! Each filter's page reads an index in the list's order and stops at a
    //! full page (SQLite's `EXPLAIN QUERY PLAN`, which needs no data: the
    //! planner has no statistics to go by, here as in a new database).

    use super::*;

    #[tokio::test]
    async fn the_first_page_of_each_filter_reads_an_index_in_the_lists_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("sb.db").display())).await.unwrap();
        let words = vec!["kettle".to_owned(), "broken".to_owned()];
        let cursor = Some(Cursor { started_at: 5, id: 5 });
        let base = ListFilter { limit: 51, ..ListFilter::default() };
        let (site, agent, ended) =
            (Some(SiteId::new(1)), Some(AgentId::new(1)), Some(ConversationState::Ended));
        // What each reads conversations by: an index in the list's order,
        // the team's routed conversations by start, or the search index
        // newest first (`192`: by row id, descending).
        let cases: Vec<(&str, ListFilter, &[&str])> = vec![
            ("nothing", base.clone(), &["SCAN c USING COVERING INDEX conversations_started"]),
            (
                "a cursor",
                ListFilter { after: cursor, ..base.clone() },
                &["conversations_started (created_at<?)"],
            ),
            (
                "a site",
                ListFilter { site, ..base.clone() },
                &["INDEX conversations_site_started (site_id=?)"],
            ),
            (
                "a state",
                ListFilter { state: ended, ..base.clone() },
                &["INDEX conversations_state_started (state=?)"],
            ),
            (
                "an agent",
                ListFilter { agent, ..base.clone() },
                &["INDEX conversations_agent_started (agent_id=?)"],
            ),
            (
                "a team",
                ListFilter { team: Some(1), ..base.clone() },
                &["SEARCH t USING PRIMARY KEY (team_id=?)", "INDEX conversations_agent_started (agent_id=?)"],
            ),
            (
                "a range",
                ListFilter { from: Some(1), to: Some(2), ..base.clone() },
                &["INDEX conversations_started (created_at>? AND created_at<?)"],
            ),
            ("a search", ListFilter { words: Some(&words), ..base.clone() }, &["VIRTUAL TABLE INDEX 192:"]),
            (
                "a search after a cursor",
                ListFilter { words: Some(&words), after: cursor, ..base.clone() },
                &["VIRTUAL TABLE INDEX 192:M1<"],
            ),
            (
                "a site and a state",
                ListFilter { site, state: ended, ..base.clone() },
                &["INDEX conversations_site_state_started (site_id=? AND state=?)"],
            ),
            (
                "an agent and a state",
                ListFilter { agent, state: ended, ..base.clone() },
                &["INDEX conversations_agent_state_started (agent_id=? AND state=?)"],
            ),
            (
                "a site and a range",
                ListFilter { site, from: Some(1), to: Some(2), after: cursor, ..base.clone() },
                &["INDEX conversations_site_started (site_id=? AND created_at>? AND created_at<?)"],
            ),
            (
                "a search on a site",
                ListFilter { words: Some(&words), site, ..base.clone() },
                &["VIRTUAL TABLE INDEX 192:"],
            ),
        ];
        for (name, f, expected) in cases {
            let mut s = Statement::new(&store);
            let keys = match f.words {
                Some(words) => search_keys(&f, words, SEARCH_LINES, &mut s),
                None => index_keys(&f, &[AgentId::new(1), AgentId::new(2)], &[], &mut s),
            };
            let sql = format!("EXPLAIN QUERY PLAN {}", rows_query(&keys, f.words, &mut s));
            let plan: Vec<(i64, i64, i64, String)> = on_db!(store, pool => {
                bind_all(sqlx::query_as(&sql), &s.values).fetch_all(pool).await.unwrap()
            });
            let plan: Vec<&str> = plan.iter().map(|(_, _, _, d)| d.as_str()).collect();
            for e in expected {
                assert!(plan.iter().any(|d| d.contains(e)), "{name}: no {e:?} in {plan:#?}");
            }
            // No table read whole: every other read of a row is by key.
            for d in &plan {
                let whole = ["SCAN c", "SCAN t", "SCAN s", "SCAN a", "SCAN m"].contains(d)
                    || d.starts_with("SCAN conversations")
                    || d.starts_with("SCAN messages");
                assert!(!whole, "{name}: {d:?} in {plan:#?}");
            }
        }
        store.close().await;
    }

    /// A search that stops reading the search index early (after `lines`
    /// lines) and reads on by the other filters' indexes finds the same
    /// pages as one that reads every match.
    #[tokio::test]
    async fn a_search_read_on_by_the_filters_indexes_finds_the_same_pages() {
        use crate::store::bulk::BulkPlan;
        use switchboard_protocol::auth::Role;
        use switchboard_protocol::site::{Appearance, SiteKey};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("sb.db").display())).await.unwrap();
        let key = SiteKey::parse("one").unwrap();
        let sites = vec![
            store.create_site(&key, "One", &Appearance::default(), &[], 0).await.unwrap(),
            store
                .create_site(&SiteKey::parse("two").unwrap(), "Two", &Appearance::default(), &[], 0)
                .await
                .unwrap(),
        ];
        let mut agents = Vec::new();
        for i in 0..4 {
            let id =
                store.create_agent("A", &format!("a{i}@example.com"), "hash", Role::Agent, 0).await.unwrap();
            agents.push(AgentId::new(id));
        }
        let team = store.create_team("Sales", &[agents[0].get()]).await.unwrap();
        let plan = BulkPlan {
            conversations: 1_500,
            sites: sites.clone(),
            agents: agents.clone(),
            teams: vec![team],
            first_start: 1_700_000_000_000,
            step_ms: 60_000,
            batch: 1_500,
        };
        store.bulk_seed(&plan, |_| {}).await.unwrap();
        let order = vec!["order".to_owned()];
        let two = vec!["order".to_owned(), "thanks".to_owned()];
        let shipping = vec!["shipping".to_owned()];
        let base = ListFilter { words: Some(&order), limit: 7, ..ListFilter::default() };
        let cases = [
            base.clone(),
            ListFilter { words: Some(&two), ..base.clone() },
            ListFilter { site: Some(sites[1]), ..base.clone() },
            ListFilter { agent: Some(agents[2]), state: Some(ConversationState::Ended), ..base.clone() },
            ListFilter { team: Some(team), ..base.clone() },
            ListFilter {
                from: Some(1_700_000_000_000 + 300 * 60_000),
                to: Some(1_700_000_000_000 + 900 * 60_000),
                ..base.clone()
            },
            // Fallen back: nobody wrote, but the visitor answered the bot.
            ListFilter { state: Some(ConversationState::Fallback), words: Some(&shipping), ..base.clone() },
        ];
        for f in cases {
            // Every page, following cursors, as ids.
            let pages = |lines: i64| {
                let (store, f) = (store.clone(), f.clone());
                async move {
                    let mut all = Vec::new();
                    let mut after = None;
                    loop {
                        let page = store.list_page(&ListFilter { after, ..f.clone() }, lines).await.unwrap();
                        all.push(page.items.iter().map(|r| r.id).collect::<Vec<_>>());
                        let Some(next) = page.next_cursor else { return all };
                        after = Some(Cursor::parse(&next).unwrap());
                    }
                }
            };
            let whole = pages(i64::MAX).await;
            assert!(whole.iter().map(Vec::len).sum::<usize>() > 7, "{f:?}: more than a page");
            assert_eq!(pages(3).await, whole, "{f:?}");
            assert_eq!(pages(40).await, whole, "{f:?}");
        }
        store.close().await;
    }
}
