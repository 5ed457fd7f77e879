//! Reports: what the live chat did over a range of days, added up from the
//! facts the lifecycle records as they happen (`store::events`), and what
//! is going on now. The admin API, the `switchboard report` command and
//! the console all read these.
//!
//! - [`chat`]: one conversation's facts folded, and its figures (pure);
//! - [`figures`]: adding conversations up by period, site, team, agent;
//! - [`days`]: the range's days in the admin's time zone;
//! - [`output`]: CSV and plain-text tables;
//! - [`streams`]: the dialogue report, from what the widget reports.
//!
//! A report reads the conversations that started in its range (they are
//! numbered in the order they start, so that is one range of ids): those
//! of blocks of conversations packed once they ended ([`digest`], stored
//! by `store::chat_digests`), the others from their facts, folded one
//! conversation at a time.

pub mod chat;
pub mod days;
pub mod digest;
pub mod figures;
pub mod output;
pub mod streams;

use switchboard_protocol::admin::{ChatReport, ConversationFigures, LiveNow, ReportQuery, StreamReport};
use switchboard_protocol::site::SiteKey;

use crate::admin::{AdminError, Live};
use crate::ids::{AgentId, ConversationId, SiteId};
use crate::store::events::Event;
use crate::store::{Store, StoreError};
use chat::{Answer, Chat, Folder};
use days::Days;
use figures::{ChatTotals, Names};

/// A checked report query: its days, and the site asked for.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The days, in the time zone.
    pub days: Days,
    /// Only this site's (its id and key).
    pub site: Option<(SiteId, String)>,
}

impl Scope {
    /// Checks `query` (today is the day `now_ms` falls on in its zone);
    /// each bad parameter is named, an unknown site is `not_found`.
    pub async fn new(store: &Store, query: &ReportQuery, now_ms: i64) -> Result<Self, AdminError> {
        let range = query.check()?;
        let days = Days::new(&range, now_ms)?;
        let site = match range.site {
            None => None,
            Some(key) => Some(site_id(store, &key).await?),
        };
        Ok(Self { days, site })
    }
}

async fn site_id(store: &Store, key: &SiteKey) -> Result<(SiteId, String), AdminError> {
    let site = store.site(key).await?.ok_or_else(|| AdminError::NotFound("site", key.to_string()))?;
    Ok((site.id, site.key.to_string()))
}

/// Each conversation that started in `scope`, folded, in the order they
/// started, given to `each`: from the blocks' digests where they are
/// stored (never older than the facts: see `store::chat_digests`), else
/// from the facts.
pub async fn each_chat(store: &Store, scope: &Scope, each: impl FnMut(&Chat)) -> Result<(), AdminError> {
    match store.conversations_started(scope.days.start_ms(), scope.days.end_ms()).await? {
        Some((first, last)) => each_chat_in(store, scope, (first, last), each).await,
        None => Ok(()),
    }
}

/// [`each_chat`] over conversations `first..=last` of the scope's range.
async fn each_chat_in(
    store: &Store,
    scope: &Scope,
    (first, last): (ConversationId, ConversationId),
    each: impl FnMut(&Chat),
) -> Result<(), AdminError> {
    // (Ids are in start order but for hand-offs at the same moment: each
    // is held to the range itself. One open before facts were recorded
    // has no hand-off and is left out.)
    let (start, end) = (scope.days.start_ms(), scope.days.end_ms());
    let site = scope.site.as_ref().map(|(id, _)| *id);
    let mut each = each;
    let mut emit = |c: &Chat| {
        if c.handed_off && (start..end).contains(&c.started) && site.is_none_or(|s| c.site == s) {
            each(c);
        }
    };
    let mut read =
        Blocks { store, ids: (first.get(), last.get()), site, undigested: None, chats: Vec::new() };
    let (first_block, last_block) = (digest::block_of(first), digest::block_of(last));
    let mut block = first_block;
    while block <= last_block {
        let batch_last = last_block.min(block + DIGESTS_AT_ONCE - 1);
        let mut digests = store.chat_digests(block, batch_last).await?.into_iter().peekable();
        for b in block..=batch_last {
            let body = digests.next_if(|(d, _)| *d == b).map(|(_, body)| body);
            // (Decoded whole before any of it is used: a body damaged
            // halfway is read from the facts, nothing counted twice.)
            // (One starting with a zero byte is a claim: a block being packed.)
            match body
                .filter(|body| body.first().is_some_and(|&v| v != 0))
                .map(|body| digest::decode(&body, b, &mut read.chats))
            {
                Some(Ok((holes, n))) => {
                    read.flush(&mut emit).await?;
                    read.digest(holes, n, &mut emit).await?;
                }
                Some(Err(digest::Unreadable)) => {
                    // (Of another version, or damaged: packed again.)
                    tracing::warn!(block = b, "a report digest does not decode: reading its facts");
                    // (The report goes on without it if this cannot be written now.)
                    if let Err(e) = store.drop_chat_digest(b).await {
                        tracing::warn!(block = b, error = %e, "dropping a report digest");
                    }
                    read.undigested(b);
                }
                None => read.undigested(b),
            }
        }
        block = batch_last + 1;
    }
    read.flush(&mut emit).await
}

/// Digests read at once (each about 50 KB for a full block).
const DIGESTS_AT_ONCE: i64 = 64;

/// Reading a report's blocks, digest or facts.
struct Blocks<'a> {
    store: &'a Store,
    /// The range's first and last conversation.
    ids: (i64, i64),
    site: Option<SiteId>,
    /// A run of blocks without a digest, not read yet: first and last.
    undigested: Option<(i64, i64)>,
    /// The chats of the digest being read (reused block after block).
    chats: Vec<Chat>,
}

impl Blocks<'_> {
    fn undigested(&mut self, block: i64) {
        self.undigested = Some(self.undigested.map_or((block, block), |(from, _)| (from, block)));
    }

    /// Reads the facts of the blocks without a digest so far.
    async fn flush(&mut self, emit: &mut impl FnMut(&Chat)) -> Result<(), AdminError> {
        let Some((from, to)) = self.undigested.take() else { return Ok(()) };
        let first = self.ids.0.max(digest::ids_of(from).0);
        let last = self.ids.1.min(digest::ids_of(to).1);
        self.facts(first, last, emit).await
    }

    async fn facts(&self, first: i64, last: i64, emit: &mut impl FnMut(&Chat)) -> Result<(), AdminError> {
        let mut folder = Folder::new(|c: Chat| emit(&c));
        let (first, last) = (ConversationId::new(first), ConversationId::new(last));
        self.store.each_event(first, last, self.site, |e| folder.push(e)).await?;
        folder.finish();
        Ok(())
    }

    /// A decoded block (its first `n` chats, and its `holes`): its chats,
    /// and its holes from their facts, in order.
    async fn digest(
        &mut self,
        holes: Vec<ConversationId>,
        n: usize,
        emit: &mut impl FnMut(&Chat),
    ) -> Result<(), AdminError> {
        let (first, last) = self.ids;
        // (The holes' facts in one read: those between them, of ended
        // conversations, are passed over.)
        let holes: Vec<ConversationId> =
            holes.into_iter().filter(|h| (first..=last).contains(&h.get())).collect();
        let mut open = Vec::new();
        if let (Some(&low), Some(&high)) = (holes.iter().min(), holes.iter().max()) {
            let mut folder = Folder::new(|c: Chat| open.push(c));
            let hole = |e: &Event| holes.binary_search(&e.conversation).is_ok();
            self.store
                .each_event(low, high, self.site, |e| {
                    if hole(&e) {
                        folder.push(e)
                    }
                })
                .await?;
            folder.finish();
        }
        let mut open = open.into_iter().peekable();
        for chat in &self.chats[..n] {
            while let Some(hole) = open.next_if(|h| h.id < chat.id) {
                emit(&hole);
            }
            if (first..=last).contains(&chat.id.get()) {
                emit(chat);
            }
        }
        open.for_each(|h| emit(&h));
        Ok(())
    }
}

/// Packs the facts of blocks of conversations below the newest one's
/// block that have no digest of this version yet: at most `max` blocks,
/// lowest first. Answers how many it stored (one whose facts changed
/// while it was folded is left for the next time).
pub async fn seal(store: &Store, max: usize) -> Result<usize, StoreError> {
    let Some((min_id, max_id)) = store.conversation_ids().await? else { return Ok(0) };
    // (New conversations take ids above the highest, so blocks below the
    // newest conversation's are full, but for ids freed when the newest
    // are removed: a conversation added there is a fact that drops the
    // digest, like any other.)
    let last_full = digest::block_of(ConversationId::new(max_id)) - 1;
    let done = store.digested_blocks(digest::VERSION).await?;
    let mut stored = 0;
    let todo = (digest::block_of(ConversationId::new(min_id))..=last_full)
        .filter(|b| done.binary_search(b).is_err());
    for block in todo.take(max) {
        stored += usize::from(seal_block(store, block).await?);
    }
    Ok(stored)
}

async fn seal_block(store: &Store, block: i64) -> Result<bool, StoreError> {
    let (first, last) = digest::ids_of(block);
    // (Claimed before the facts are read: see `store::chat_digests`.)
    let claim = store.claim_chat_digest(block).await?;
    let (mut chats, mut holes) = (Vec::new(), Vec::new());
    let mut folder = Folder::new(|c: Chat| if c.end.is_some() { chats.push(c) } else { holes.push(c.id) });
    store.each_event(ConversationId::new(first), ConversationId::new(last), None, |e| folder.push(e)).await?;
    folder.finish();
    let body = digest::encode(&chats, &holes);
    // (Stored only if it reads back as what was packed: times absurd
    // enough to overflow leave the block to its facts.)
    let mut back = Vec::new();
    match digest::decode(&body, block, &mut back) {
        Ok((h, n)) if h == holes && back[..n] == chats[..] => {
            store.put_chat_digest(block, &claim, &body).await
        }
        _ => {
            tracing::warn!(block, "a report digest does not read back as packed: not stored");
            Ok(false)
        }
    }
}

/// How often the server packs what can be packed.
const SEAL_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Blocks packed at most each time (each about ten thousand facts read).
const SEAL_AT_ONCE: usize = 64;

/// Packs blocks now and then until the server stops.
pub async fn keep_sealing(store: Store, shutdown: crate::shutdown::Shutdown) {
    loop {
        match seal(&store, SEAL_AT_ONCE).await {
            Ok(n) if n > 0 => tracing::debug!(blocks = n, "report digests stored"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "storing report digests"),
        }
        tokio::select! {
            () = tokio::time::sleep(SEAL_EVERY) => {}
            () = shutdown.clone().recv() => return,
        }
    }
}

/// Names of every site and agent (removed ones have none).
pub async fn names(store: &Store) -> Result<Names, AdminError> {
    let sites = store.sites().await?.into_iter().map(|s| (s.id, (s.key.to_string(), s.name))).collect();
    let agents = store.agents().await?.into_iter().map(|a| (AgentId::new(a.id), (a.name, a.email))).collect();
    Ok(Names { sites, agents })
}

/// The live chat report over `scope`.
///
/// Adding a million conversations up is CPU work of most of a second:
/// it is done off the server's async threads (which carry the live
/// chats), in parts side by side, one per core (whole blocks each), on
/// blocking threads, and the parts' totals merged.
pub async fn chats(store: &Store, scope: &Scope) -> Result<ChatReport, AdminError> {
    let mut totals = ChatTotals::new(scope.days.clone());
    if let Some(ids) = store.conversations_started(scope.days.start_ms(), scope.days.end_ms()).await? {
        // (Each part holds one of the pool's connections while it reads.)
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(PARTS_AT_MOST);
        let runtime = tokio::runtime::Handle::current();
        let parts: Vec<_> = parts(ids, cores)
            .into_iter()
            .map(|ids| {
                let (store, scope, runtime) = (store.clone(), scope.clone(), runtime.clone());
                tokio::task::spawn_blocking(move || {
                    let mut part = ChatTotals::new(scope.days.clone());
                    runtime.block_on(each_chat_in(&store, &scope, ids, |c| part.add(c)))?;
                    Ok::<_, AdminError>(part)
                })
            })
            .collect();
        for part in parts {
            totals.merge(joined(part.await)??);
        }
    }
    let (names, site) = (names(store).await?, scope.site.as_ref().map(|(_, key)| key.clone()));
    joined(tokio::task::spawn_blocking(move || totals.finish(&names, site)).await)
}

/// What a blocking task answered: a panic in it goes on as if it had
/// happened here; one cancelled (only when the runtime shuts down) is an
/// error.
fn joined<T>(r: Result<T, tokio::task::JoinError>) -> Result<T, AdminError> {
    r.or_else(|e| match e.try_into_panic() {
        Ok(panic) => std::panic::resume_unwind(panic),
        Err(_) => Err(StoreError::Db(sqlx::Error::PoolClosed).into()),
    })
}

/// The most parts a report is added up in at once.
const PARTS_AT_MOST: usize = 4;

/// Conversations `first..=last` in at most `n` parts of whole blocks (as
/// even as blocks allow), in order; none when `first` is after `last`
/// (the clock went back between their starts).
fn parts((first, last): (ConversationId, ConversationId), n: usize) -> Vec<(ConversationId, ConversationId)> {
    let (first_block, last_block) = (digest::block_of(first), digest::block_of(last));
    let blocks = last_block - first_block + 1;
    if first > last {
        return Vec::new();
    }
    let n = i64::try_from(n).unwrap_or(1).clamp(1, blocks);
    (0..n)
        .map(|i| {
            let from = first_block + blocks * i / n;
            let to = first_block + blocks * (i + 1) / n - 1;
            let lo = if i == 0 { first.get() } else { digest::ids_of(from).0 };
            let hi = if i == n - 1 { last.get() } else { digest::ids_of(to).1 };
            (ConversationId::new(lo), ConversationId::new(hi))
        })
        .collect()
}

/// How each dialogue did over `scope` (visits that started in it).
pub async fn streams(store: &Store, scope: &Scope) -> Result<StreamReport, AdminError> {
    let mut totals = streams::StreamTotals::default();
    let mut folder = streams::VisitFolder::new(|v| totals.add(&v));
    let site = scope.site.as_ref().map(|(id, _)| *id);
    store.each_stream_event(scope.days.start_ms(), scope.days.end_ms(), site, |e| folder.push(&e)).await?;
    folder.finish();
    Ok(StreamReport {
        from: scope.days.from_name(),
        to: scope.days.to_name(),
        time_zone: scope.days.tz_name.clone(),
        site: scope.site.as_ref().map(|(_, key)| key.clone()),
        streams: {
            let names = names(store).await?;
            totals.finish(|id| names.site_key(id))
        },
    })
}

/// One conversation's row, its times in `days`' zone.
pub fn conversation_row(chat: &Chat, days: &Days, names: &Names) -> ConversationFigures {
    let f = chat.figures();
    ConversationFigures {
        conversation: chat.id.get(),
        site: names.site_key(chat.site),
        stream: chat.stream.clone(),
        started_at: days.iso(chat.started),
        outcome: f.outcome,
        team: chat.team.clone(),
        agent: chat.accepts.first().map(|&(a, _)| names.agent_email(a)),
        last_agent: chat.accepts.last().map(|&(a, _)| names.agent_email(a)),
        offers: chat.offers.len() as u64,
        declined: chat.count(|a| *a == Answer::Declined),
        missed: chat.count(|a| *a == Answer::Missed),
        transfers: chat.transfers.len() as u64,
        time_to_accept: f.time_to_accept,
        wait: f.wait,
        first_response: f.first_response,
        ended_at: chat.end.map(|e| days.iso(e.at)),
        ended_by: chat.end.and_then(|e| e.by),
        duration: f.duration,
        messages: f.messages.and_then(|m| u64::try_from(m).ok()),
    }
}

/// Every conversation's row over `scope`, in the order they started (made
/// on a blocking thread, as [`chats`] adds up).
pub async fn conversations(store: &Store, scope: &Scope) -> Result<Vec<ConversationFigures>, AdminError> {
    let names = names(store).await?;
    let (store, scope, runtime) = (store.clone(), scope.clone(), tokio::runtime::Handle::current());
    joined(
        tokio::task::spawn_blocking(move || {
            let mut rows = Vec::new();
            runtime.block_on(each_chat(&store, &scope, |c| {
                rows.push(conversation_row(c, &scope.days, &names))
            }))?;
            Ok(rows)
        })
        .await,
    )?
}

/// What is going on now (only `site`'s conversations, if given; agents
/// are everyone's).
pub async fn live_now(store: &Store, site: Option<&SiteKey>, live: &Live<'_>) -> Result<LiveNow, AdminError> {
    let site = match site {
        Some(key) => Some(site_id(store, key).await?.0),
        None => None,
    };
    let open = store.open_conversations(site).await?;
    let now = jiff::Timestamp::from_millisecond(live.now).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let (mut online, mut available) = (0, 0);
    for a in store.routing_agents().await? {
        if a.live_chat && live.presence.is_some_and(|p| p.connected(a.id)) {
            online += 1;
            available += u64::from(a.availability.available_at(now));
        }
    }
    Ok(LiveNow {
        waiting: open.waiting,
        offered: open.offered,
        active: open.active,
        agents_online: online,
        agents_available: available,
        longest_wait: open.waiting_since.map(|since| (live.now - since).max(0)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::bulk::BulkPlan;

    /// Runs `statement` on the store's file through a connection of its
    /// own (as another process would).
    async fn sql(url: &str, statement: &str) {
        let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(url).await.unwrap();
        sqlx::query(statement).execute(&mut conn).await.unwrap();
    }

    async fn report(store: &Store, scope: &Scope) -> (ChatReport, Vec<ConversationFigures>) {
        (chats(store, scope).await.unwrap(), conversations(store, scope).await.unwrap())
    }

    /// The same report from the facts alone (every digest dropped first).
    async fn from_facts(store: &Store, url: &str, scope: &Scope) -> (ChatReport, Vec<ConversationFigures>) {
        sql(url, "DELETE FROM chat_digests").await;
        report(store, scope).await
    }

    #[test]
    fn parts_are_whole_blocks_covering_the_range_in_order() {
        let ids = |a, b| (ConversationId::new(a), ConversationId::new(b));
        let got =
            |a, b, n| parts(ids(a, b), n).into_iter().map(|(x, y)| (x.get(), y.get())).collect::<Vec<_>>();
        assert_eq!(got(5, 3000, 2), [(5, 1023), (1024, 3000)]);
        assert_eq!(got(5, 3000, 3), [(5, 1023), (1024, 2047), (2048, 3000)]);
        assert_eq!(got(5, 3000, 8), [(5, 1023), (1024, 2047), (2048, 3000)], "no more parts than blocks");
        assert_eq!(got(5, 900, 2), [(5, 900)]);
        assert_eq!(got(2000, 9000, 1), [(2000, 9000)]);
    }

    #[tokio::test]
    async fn digests_give_the_reports_the_facts_give_and_never_outlive_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("sb.db").display());
        let store = Store::open(&url).await.unwrap();
        let (sites, agents) = crate::store::bulk::cast(&store, &["one", "two"], 4).await;
        let sales = store.create_team("Sales", &[agents[0].get()]).await.unwrap();
        let plan = BulkPlan {
            conversations: 3_000,
            sites,
            agents,
            teams: vec![sales],
            // 2023-11-14T22:13:20Z, a minute apart: about two days.
            first_start: 1_700_000_000_000,
            step_ms: 60_000,
            batch: 1_000,
        };
        store.bulk_seed(&plan, |_| {}).await.unwrap();
        // A later conversation: blocks 0 to 3 are full (block 2 with the
        // seed's ten open conversations, block 3 empty).
        sql(
            &url,
            "INSERT INTO conversations (id, site_id, visitor_id, state, stream_id, routing, attributes,
                                        transcript, page, created_at)
             SELECT 5000, site_id, visitor_id, 'ended', stream_id, routing, attributes, transcript, page,
                    created_at + 86400000 FROM conversations WHERE id = 3000",
        )
        .await;
        let now = 1_700_500_000_000;
        let query = |from: &str, to: &str, site: Option<&str>| ReportQuery {
            from: Some(from.into()),
            to: Some(to.into()),
            tz: Some("Europe/Amsterdam".into()),
            site: site.map(str::to_owned),
            ..ReportQuery::default()
        };
        let mut scopes = Vec::new();
        for q in [
            query("2023-11-14", "2023-11-18", None),
            query("2023-11-15", "2023-11-15", None),
            query("2023-11-14", "2023-11-18", Some("two")),
        ] {
            scopes.push(Scope::new(&store, &q, now).await.unwrap());
        }
        let mut before = Vec::new();
        for s in &scopes {
            before.push(report(&store, s).await);
            // Added up in parts and merged, as in one go.
            let mut whole = ChatTotals::new(s.days.clone());
            each_chat(&store, s, |c| whole.add(c)).await.unwrap();
            let site = s.site.as_ref().map(|(_, key)| key.clone());
            assert_eq!(before.last().unwrap().0, whole.finish(&names(&store).await.unwrap(), site));
        }
        assert_eq!(before[0].1.len(), 3_000);
        assert!(before[1].1.len() > 1_000 && before[1].1[0].conversation > 1, "a day starts mid-block");

        assert_eq!(seal(&store, 2).await.unwrap(), 2, "at most as many as asked");
        assert_eq!(seal(&store, 100).await.unwrap(), 2);
        assert_eq!(store.digested_blocks(digest::VERSION).await.unwrap(), [0, 1, 2, 3]);
        assert_eq!(seal(&store, 100).await.unwrap(), 0, "each once");
        for (s, b) in scopes.iter().zip(&before) {
            assert_eq!(&report(&store, s).await, b);
        }

        // A fact recorded for a digested conversation drops its block's
        // digest: the report counts it at once.
        sql(
            &url,
            "INSERT INTO chat_events (conversation_id, site_id, kind, agent_id, value, at)
             SELECT id, site_id, 'offered', agent_id, NULL, created_at + 1 FROM conversations WHERE id = 5",
        )
        .await;
        assert_eq!(store.digested_blocks(digest::VERSION).await.unwrap(), [1, 2, 3]);
        let changed = report(&store, &scopes[0]).await;
        assert_eq!(changed.0.totals.offered, before[0].0.totals.offered);
        assert_ne!(changed, before[0], "the new offer counts");
        // An open conversation of a digested block (a hole) that ends.
        sql(
            &url,
            "INSERT INTO chat_events (conversation_id, site_id, kind, detail, value, at)
             SELECT id, site_id, 'ended', 'visitor', 0, created_at + 90000 FROM conversations WHERE id = 2995",
        )
        .await;
        assert_eq!(store.digested_blocks(digest::VERSION).await.unwrap(), [1, 3]);
        assert_eq!(seal(&store, 100).await.unwrap(), 2);
        let mut now_facts = Vec::new();
        for s in &scopes {
            now_facts.push(report(&store, s).await);
        }
        for (s, digested) in scopes.iter().zip(&now_facts) {
            assert_eq!(&from_facts(&store, &url, s).await, digested);
        }
        assert_eq!(seal(&store, 100).await.unwrap(), 4);

        // The digest is what is read: facts taken away behind the
        // triggers' back do not change the report...
        sql(&url, "DROP TRIGGER chat_digests_fact_removed").await;
        sql(&url, "DELETE FROM chat_events WHERE conversation_id BETWEEN 1024 AND 2047").await;
        assert_eq!(report(&store, &scopes[0]).await, now_facts[0]);
        // ...until the digest does not decode: then the facts are, and it
        // is packed again.
        sql(&url, "UPDATE chat_digests SET body = x'01ff' WHERE block = 1").await;
        let damaged = report(&store, &scopes[0]).await;
        assert_eq!(damaged.1.len(), 3_000 - 1_024);
        assert_eq!(store.digested_blocks(digest::VERSION).await.unwrap(), [0, 2, 3]);
        // One of another version is not counted as packed.
        sql(&url, "UPDATE chat_digests SET body = x'7f00' WHERE block = 3").await;
        assert_eq!(store.digested_blocks(digest::VERSION).await.unwrap(), [0, 2]);
        assert_eq!(seal(&store, 100).await.unwrap(), 2);
        assert_eq!(report(&store, &scopes[0]).await, damaged);

        // A conversation removed drops its block's digest.
        sql(&url, "DELETE FROM conversations WHERE id = 2100").await;
        assert_eq!(store.digested_blocks(digest::VERSION).await.unwrap(), [0, 1, 3]);

        // A claim is gone once a fact of its block changes, in any way,
        // and nothing is stored then.
        sql(
            &url,
            "CREATE TRIGGER chat_digests_fact_removed AFTER DELETE ON chat_events BEGIN
                 DELETE FROM chat_digests WHERE block = OLD.conversation_id / 1024;
             END",
        )
        .await;
        for change in [
            "UPDATE chat_events SET value = 1 WHERE id = (SELECT MIN(id) FROM chat_events WHERE conversation_id = 2200)",
            "DELETE FROM chat_events WHERE id = (SELECT MAX(id) FROM chat_events WHERE conversation_id = 2200)",
            "INSERT INTO chat_events (conversation_id, site_id, kind, at) VALUES (2200, 1, 'offered', 0)",
        ] {
            let claim = store.claim_chat_digest(2).await.unwrap();
            sql(&url, change).await;
            assert!(!store.put_chat_digest(2, &claim, &[digest::VERSION, 0, 0]).await.unwrap(), "{change}");
        }
        // Two packers at once: only the later claim is filled in (the
        // earlier one may have read the facts before a change that came
        // between the claims).
        let first = store.claim_chat_digest(2).await.unwrap();
        let second = store.claim_chat_digest(2).await.unwrap();
        assert_ne!(first, second);
        assert_eq!(store.digested_blocks(digest::VERSION).await.unwrap(), [0, 1, 3], "a claim is no digest");
        let before = report(&store, &scopes[0]).await;
        assert!(!store.put_chat_digest(2, &first, &[digest::VERSION, 0, 0]).await.unwrap());
        assert!(store.put_chat_digest(2, &second, &[digest::VERSION, 0, 0]).await.unwrap());
        assert_eq!(store.digested_blocks(digest::VERSION).await.unwrap(), [0, 1, 2, 3]);
        assert_ne!(report(&store, &scopes[0]).await, before, "the (empty) digest is what is read now");
        store.close().await;
    }
}
