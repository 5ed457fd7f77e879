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
//! numbered in the order they start, so that is one range of ids) with
//! their facts in order, one conversation at a time.

pub mod chat;
pub mod days;
pub mod figures;
pub mod output;
pub mod streams;

use switchboard_protocol::admin::{ChatReport, ConversationFigures, LiveNow, ReportQuery, StreamReport};
use switchboard_protocol::site::SiteKey;

use crate::admin::{AdminError, Live};
use crate::ids::{AgentId, SiteId};
use crate::store::Store;
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
/// started, given to `each`.
pub async fn each_chat(store: &Store, scope: &Scope, each: impl FnMut(Chat)) -> Result<(), AdminError> {
    let Some((first, last)) = store.conversations_started(scope.days.start_ms(), scope.days.end_ms()).await?
    else {
        return Ok(());
    };
    // (Ids are in start order but for hand-offs at the same moment: each
    // is held to the range itself. One open before facts were recorded
    // has no hand-off and is left out.)
    let (start, end) = (scope.days.start_ms(), scope.days.end_ms());
    let mut each = each;
    let mut folder = Folder::new(|c: Chat| {
        if c.handed_off && (start..end).contains(&c.started) {
            each(c);
        }
    });
    store.each_event(first, last, scope.site.as_ref().map(|(id, _)| *id), |e| folder.push(e)).await?;
    folder.finish();
    Ok(())
}

/// Names of every site and agent (removed ones have none).
pub async fn names(store: &Store) -> Result<Names, AdminError> {
    let sites = store.sites().await?.into_iter().map(|s| (s.id, (s.key.to_string(), s.name))).collect();
    let agents = store.agents().await?.into_iter().map(|a| (AgentId::new(a.id), (a.name, a.email))).collect();
    Ok(Names { sites, agents })
}

/// The live chat report over `scope`.
pub async fn chats(store: &Store, scope: &Scope) -> Result<ChatReport, AdminError> {
    let mut totals = ChatTotals::new(scope.days.clone());
    each_chat(store, scope, |c| totals.add(&c)).await?;
    Ok(totals.finish(&names(store).await?, scope.site.as_ref().map(|(_, key)| key.clone())))
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

/// Every conversation's row over `scope`, in the order they started.
pub async fn conversations(store: &Store, scope: &Scope) -> Result<Vec<ConversationFigures>, AdminError> {
    let names = names(store).await?;
    let mut rows = Vec::new();
    each_chat(store, scope, |c| rows.push(conversation_row(&c, &scope.days, &names))).await?;
    Ok(rows)
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
