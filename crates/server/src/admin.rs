//! What an admin does: the one executor of every admin operation over the
//! store. The `switchboard` subcommands (`admin_cli`) and the admin
//! HTTP API (`admin_api`) both build the protocol's typed requests
//! ([`switchboard_protocol::admin`]) and call these, which check them with
//! the protocol's own checks before anything is stored and answer the
//! protocol's views; so the two faces (and the console, which runs the same
//! checks in the browser) cannot disagree about validation.
//!
//! Path parameters (a site's key, an agent's email) arrive as typed and are
//! parsed here, so a bad one is refused by field (`key`, `email`) too.
//! A change with a live effect (closing sockets, moving offers) is recorded
//! with it; a running server applies it, at once after an API call, within
//! a poll after the command line's.
//!
//! An operation that stores a time takes `now` (unix ms) from its caller's
//! clock (the state's for the API, the command line's own), never reads one;
//! one that answers an agent's view takes [`Live`], which has `now` too.

use switchboard_protocol::admin::{
    AccountRouteView, AgentChange, AgentPassword, AgentStatus, AgentView, AppearanceChange,
    ConversationDetail, ConversationPage, ConversationQuery, Email, EmailDomain, InvalidRequest,
    NewAccountRoute, NewAgent, NewSite, NewTeam, Password, PasswordReset, PublishStream, Schedule,
    ScheduleBlock, SiteChange, SiteView, StreamPublished, StreamSummary, StreamView, TeamChange, TeamView,
    TranscriptLine,
};
use switchboard_protocol::admin::{DraftView, StreamFinding};
use switchboard_protocol::auth::AgentProfile;
use switchboard_protocol::rules::{RoutingRule, Target};
use switchboard_protocol::site::SiteKey;
use switchboard_protocol::stream::{file, Stream};

use std::collections::HashMap;

use crate::accounts::Minted;
use crate::auth::random_password;
use crate::ids::{AgentId, ConversationId};
use crate::password::hash_off_thread;
use crate::presence::Presence;
use crate::routing::availability;
use crate::store::admin_conversations::ListFilter;
use crate::store::routing::StoredDecision;
use crate::store::teams::Team;
use crate::store::Author;
use crate::store::DraftAfter;
use crate::store::{AgentUpdate, NewAgentRow, Site, SiteSettings, SiteUpdate, Store, StoreError};

/// Why an admin operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Values are invalid, each named by its field.
    #[error("{0}")]
    Invalid(#[from] InvalidRequest),
    /// Nothing with that key, email or id.
    #[error("no {0} {1}")]
    NotFound(&'static str, String),
    /// It exists already.
    #[error("{0} already exists")]
    Exists(String),
    /// A value another one holds already (an agent's email), named by its
    /// field: a conflict a form can show in place.
    #[error("{0}")]
    Taken(InvalidRequest),
    /// The stream file has errors (each `line:col: card id: message`).
    #[error("the stream has errors:\n{}", .0.join("\n"))]
    Stream(Vec<String>),
    /// A draft breaks the validator's rules, so cannot be published: every
    /// error, each on its card and field.
    #[error("the stream has errors:\n{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    InvalidDraft(Vec<StreamFinding>),
    /// A draft save or publish named a revision the draft is no longer at
    /// (another tab or admin saved since); nothing changed.
    #[error("the draft was changed elsewhere: it is at revision {}", .0.revision)]
    DraftConflict(Box<DraftView>),
    /// Over a size limit (said how).
    #[error("{0}")]
    TooLarge(String),
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Exists(what) => Self::Exists(what),
            other => Self::Store(other),
        }
    }
}

impl AdminError {
    /// `message` about `field`.
    pub fn invalid(field: &str, message: impl std::fmt::Display) -> Self {
        Self::Invalid(InvalidRequest::field(field, message))
    }
}

// Sites.

/// The site with key `raw_key` (refused by field `key` when malformed).
pub(crate) async fn stored_site(store: &Store, raw_key: &str) -> Result<Site, AdminError> {
    let key = SiteKey::parse(raw_key).map_err(|e| AdminError::invalid("key", e))?;
    store.site(&key).await?.ok_or_else(|| AdminError::NotFound("site", raw_key.to_owned()))
}

async fn site_view(store: &Store, s: Site) -> Result<SiteView, AdminError> {
    let fallback_message = store.fallback_message(s.id).await?;
    let files = store.file_settings(s.id).await?.unwrap_or_default();
    Ok(SiteView {
        key: s.key,
        name: s.name,
        allowed_origins: s.allowed_origins,
        appearance: s.appearance,
        fallback_message,
        blocked_email_domains: s.settings.blocked_email_domains,
        chat_enabled: s.settings.chat_enabled,
        away_after_missed: s.settings.away_after_missed,
        file_max_mb: files.max_mb,
        file_types: files.groups.iter().map(|g| g.key().to_owned()).collect(),
    })
}

/// Every site, by key.
pub async fn sites(store: &Store) -> Result<Vec<SiteView>, AdminError> {
    let mut views = Vec::new();
    for s in store.sites().await? {
        views.push(site_view(store, s).await?);
    }
    Ok(views)
}

/// The site with key `raw_key`.
pub async fn site(store: &Store, raw_key: &str) -> Result<SiteView, AdminError> {
    site_view(store, stored_site(store, raw_key).await?).await
}

fn texts<T: Into<String>>(values: Vec<T>) -> Vec<String> {
    values.into_iter().map(Into::into).collect()
}

/// Adds a site with the default appearance, at `now` (unix ms).
pub async fn add_site(store: &Store, req: &NewSite, now: i64) -> Result<SiteView, AdminError> {
    let v = req.check()?;
    let settings = SiteSettings {
        chat_enabled: v.chat_enabled,
        blocked_email_domains: texts(v.blocked_email_domains),
        ..SiteSettings::default()
    };
    let origins = texts(v.allowed_origins);
    store.create_site_with(&v.key, v.name.as_str(), &Default::default(), &origins, &settings, now).await?;
    site(store, v.key.as_str()).await
}

/// Changes a site's name, allowed origins (all of them), fallback message,
/// blocked email domains (all of them), whether it offers chat and/or
/// after how many missed offers an agent is switched to unavailable, all
/// or nothing. Visitors meet the new settings at once: the server reads
/// them again at each new visitor and hand-off.
pub async fn update_site(store: &Store, raw_key: &str, req: &SiteChange) -> Result<SiteView, AdminError> {
    let v = req.check()?;
    let s = stored_site(store, raw_key).await?;
    let origins = v.allowed_origins.map(texts);
    let blocked = v.blocked_email_domains.map(texts);
    let update = SiteUpdate {
        name: v.name.as_ref().map(|n| n.as_str()),
        origins: origins.as_deref(),
        fallback_message: v.fallback_message.as_deref(),
        chat_enabled: v.chat_enabled,
        blocked_email_domains: blocked.as_deref(),
        away_after_missed: v.away_after_missed,
    };
    store.update_site(s.id, &update).await?;
    if v.file_max_mb.is_some() || v.file_types.is_some() {
        let now = store.file_settings(s.id).await?.unwrap_or_default();
        let files = crate::store::files::FileSettings {
            max_mb: v.file_max_mb.unwrap_or(now.max_mb),
            groups: v.file_types.unwrap_or(now.groups),
        };
        store.set_file_settings(s.id, &files).await?;
    }
    site(store, raw_key).await
}

/// Applies an appearance change to a site, checking every value.
pub async fn update_appearance(
    store: &Store,
    raw_key: &str,
    req: &AppearanceChange,
) -> Result<SiteView, AdminError> {
    let s = stored_site(store, raw_key).await?;
    store.set_appearance(s.id, &req.apply(&s.appearance)?).await?;
    site(store, raw_key).await
}

/// Removes a site with its streams and conversations.
pub async fn remove_site(store: &Store, raw_key: &str) -> Result<(), AdminError> {
    let s = stored_site(store, raw_key).await?;
    Ok(store.delete_site(s.id).await?)
}

// Agents.

/// The agent with email `raw_email` (refused by field `email` when malformed).
pub(crate) async fn stored_agent(store: &Store, raw_email: &str) -> Result<AgentProfile, AdminError> {
    let email = Email::parse(raw_email).map_err(|e| AdminError::invalid("email", e))?;
    let found = store.agent_by_email(email.as_str()).await?;
    Ok(found.ok_or_else(|| AdminError::NotFound("agent", email.into()))?.profile)
}

fn schedule_view(s: availability::Schedule) -> Schedule {
    let blocks = s.blocks.into_iter().map(|b| ScheduleBlock { days: b.days, from: b.from, to: b.to });
    Schedule { time_zone: s.time_zone, blocks: blocks.collect() }
}

fn routing_schedule(s: &Schedule) -> availability::Schedule {
    let blocks = s.blocks.iter().map(|b| availability::Block {
        days: b.days.clone(),
        from: b.from.clone(),
        to: b.to.clone(),
    });
    availability::Schedule { time_zone: s.time_zone.clone(), blocks: blocks.collect() }
}

/// What an agent's view reads besides storage: the time, the server's
/// capacity and whose inbox is connected.
#[derive(Debug, Clone, Copy)]
pub struct Live<'a> {
    /// Now (unix ms).
    pub now: i64,
    /// The server's `routing.capacity`, for agents without their own.
    pub capacity: u32,
    /// Whose inbox is connected; none from the command line, which sees no
    /// sockets (everyone reads as offline).
    pub presence: Option<&'a Presence>,
}

impl<'a> Live<'a> {
    /// As the running server sees it now.
    pub fn of(state: &'a crate::state::AppState) -> Self {
        Self {
            now: state.clock.now_ms(),
            capacity: state.settings.routing.capacity,
            presence: Some(&state.presence),
        }
    }
}

/// Each profile with its schedule and status, in the same order.
async fn agent_views(
    store: &Store,
    profiles: Vec<AgentProfile>,
    live: &Live<'_>,
) -> Result<Vec<AgentView>, AdminError> {
    let mut routing: HashMap<i64, _> =
        store.routing_agents().await?.into_iter().map(|a| (a.id.get(), a)).collect();
    let open = store.open_chats().await?;
    let invited = store.invited_agents().await?;
    let away = store.agents_away().await?;
    let now = jiff::Timestamp::from_millisecond(live.now).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    Ok(profiles
        .into_iter()
        .map(|p| {
            let row = routing.remove(&p.id);
            let own = row.as_ref().and_then(|r| r.capacity);
            let available = row.as_ref().is_some_and(|r| r.availability.available_at(now));
            let switched_off = row.as_ref().is_some_and(|r| r.availability.switch_in_force(now));
            let status = AgentStatus {
                capacity: own.unwrap_or(live.capacity),
                own_capacity: own.is_some(),
                online: live.presence.is_some_and(|pr| pr.connected(AgentId::new(p.id))),
                available,
                open_chats: open.get(&p.id).copied().unwrap_or(0),
                invited: invited.contains(&p.id),
                missed_offers: away.get(&p.id).copied().filter(|_| !available && switched_off),
            };
            let schedule = row.and_then(|r| r.availability.schedule).map(schedule_view);
            AgentView::new(p, schedule, status)
        })
        .collect())
}

async fn agent_view(store: &Store, profile: AgentProfile, live: &Live<'_>) -> Result<AgentView, AdminError> {
    let mut views = agent_views(store, vec![profile], live).await?;
    Ok(views.pop().expect("one view per profile"))
}

/// Every agent with their schedule and status, by email.
pub async fn agents(store: &Store, live: &Live<'_>) -> Result<Vec<AgentView>, AdminError> {
    agent_views(store, store.agents().await?, live).await
}

/// The agent with email `raw_email`.
pub async fn agent(store: &Store, raw_email: &str, live: &Live<'_>) -> Result<AgentView, AdminError> {
    agent_view(store, stored_agent(store, raw_email).await?, live).await
}

/// The password to set, and whether it was generated (so is to be shown).
fn password(given: Option<Password>) -> (String, bool) {
    match given {
        Some(p) => (p.as_str().to_owned(), false),
        None => (random_password(), true),
    }
}

/// Adds an agent at `live.now`: with the password given, or one generated
/// and answered (once), or, invited, with none and the invitation's token
/// answered (once).
pub async fn add_agent(store: &Store, req: &NewAgent, live: &Live<'_>) -> Result<AgentPassword, AdminError> {
    let v = req.check()?;
    let row = |password_hash| NewAgentRow {
        name: v.name.as_str(),
        email: v.email.as_str(),
        password_hash,
        role: v.role,
        capacity: v.capacity,
    };
    let (password, invite_token) = if v.invite {
        let invite = Minted::invite(live.now);
        store.add_agent(&row(""), Some(invite.stored()), live.now).await?;
        (None, Some(invite.token))
    } else {
        let (pw, generated) = password(v.password.clone());
        let hash = hash_off_thread(pw.clone()).await;
        store.add_agent(&row(&hash), None, live.now).await?;
        (generated.then_some(pw), None)
    };
    Ok(AgentPassword { agent: agent(store, v.email.as_str(), live).await?, password, invite_token })
}

/// A new invitation for an agent at `live.now` (their earlier unused one
/// stops working); answers its token, once. Their password, if they have
/// one, keeps working until they set a new one with it.
pub async fn invite_agent(
    store: &Store,
    raw_email: &str,
    live: &Live<'_>,
) -> Result<AgentPassword, AdminError> {
    let a = stored_agent(store, raw_email).await?;
    let invite = Minted::invite(live.now);
    store.replace_invite(AgentId::new(a.id), invite.stored(), live.now).await?;
    Ok(AgentPassword {
        agent: agent_view(store, a, live).await?,
        password: None,
        invite_token: Some(invite.token),
    })
}

/// Changes an agent's name, email, role, avatar, live chat permission
/// and/or capacity, all or nothing, at `live.now`. A new email (not theirs
/// in other letters) is their new login: their sessions end, and rules,
/// live chat cards and open chats that name them by email follow it.
/// Another agent's email is refused by field (`email`), as a conflict.
pub async fn update_agent(
    store: &Store,
    raw_email: &str,
    req: &AgentChange,
    live: &Live<'_>,
) -> Result<AgentView, AdminError> {
    let v = req.check()?;
    let a = stored_agent(store, raw_email).await?;
    let update = AgentUpdate {
        name: v.name.as_ref().map(|n| n.as_str()),
        email: v.email.as_ref().map(|e| e.as_str()),
        role: v.role,
        avatar_url: v.avatar_url.as_ref().map(|u| u.as_deref().unwrap_or_default()),
        live_chat: v.live_chat,
        password_hash: None,
        capacity: v.capacity,
    };
    let id = AgentId::new(a.id);
    store.update_agent(id, &update, live.now).await.map_err(|e| match (e, &v.email) {
        // The only unique value an update writes.
        (StoreError::Exists(_), Some(email)) => {
            AdminError::Taken(InvalidRequest::field("email", format!("another agent has the email {email}")))
        }
        (e, _) => e.into(),
    })?;
    let found = store.agent_profile(id).await?;
    agent_view(store, found.ok_or_else(|| AdminError::NotFound("agent", raw_email.to_owned()))?, live).await
}

/// Sets a new password (generated and answered when not given) and ends the
/// agent's stored sessions, at `live.now`.
pub async fn reset_password(
    store: &Store,
    raw_email: &str,
    req: &PasswordReset,
    live: &Live<'_>,
) -> Result<AgentPassword, AdminError> {
    let given = req.check()?;
    let a = stored_agent(store, raw_email).await?;
    let (pw, generated) = password(given);
    let hash = hash_off_thread(pw.clone()).await;
    store
        .update_agent(
            AgentId::new(a.id),
            &AgentUpdate { password_hash: Some(&hash), ..AgentUpdate::default() },
            live.now,
        )
        .await?;
    let agent = agent_view(store, a, live).await?;
    Ok(AgentPassword { agent, password: generated.then_some(pw), invite_token: None })
}

/// Removes an agent at `now` (unix ms). A running server closes their
/// sockets, offers their offered chats to someone else and ends their
/// active ones.
pub async fn remove_agent(store: &Store, raw_email: &str, now: i64) -> Result<(), AdminError> {
    let a = stored_agent(store, raw_email).await?;
    Ok(store.remove_agent(AgentId::new(a.id), now).await?)
}

/// Sets or clears an agent's weekly availability schedule. A new schedule
/// takes over from any manual switch. The change is recorded at `now`
/// (unix ms).
pub async fn set_schedule(
    store: &Store,
    raw_email: &str,
    schedule: Option<&Schedule>,
    now: i64,
) -> Result<(), AdminError> {
    let schedule = schedule.map(routing_schedule);
    if let Some(s) = &schedule {
        // The time zone database is the server's: this check is not the protocol's.
        // A zone it does not know is the `time_zone` field's problem (the
        // console says it under that field); any other is the schedule's.
        s.check().map_err(|e| {
            let zone_unknown = jiff::tz::TimeZone::get(s.time_zone.trim()).is_err();
            AdminError::invalid(if zone_unknown { "time_zone" } else { "schedule" }, e)
        })?;
    }
    let a = stored_agent(store, raw_email).await?;
    let mut settings = store.availability(AgentId::new(a.id)).await?;
    settings.schedule = schedule;
    settings.until = None;
    // A connected inbox shows the toggle as the new schedule has it.
    Ok(store.set_availability(AgentId::new(a.id), &settings, Some(now)).await?)
}

// Teams.

async fn member_ids(store: &Store, members: &[Email]) -> Result<Vec<i64>, AdminError> {
    let mut ids = Vec::new();
    for e in members {
        ids.push(stored_agent(store, e.as_str()).await?.id);
    }
    Ok(ids)
}

/// The team called `name` (without case).
pub(crate) async fn stored_team(store: &Store, name: &str) -> Result<Team, AdminError> {
    store.team(name.trim()).await?.ok_or_else(|| AdminError::NotFound("team", name.to_owned()))
}

fn team_view(t: Team) -> TeamView {
    TeamView { id: t.id, name: t.name, members: t.members }
}

/// Every team with its members, by name.
pub async fn teams(store: &Store) -> Result<Vec<TeamView>, AdminError> {
    Ok(store.teams().await?.into_iter().map(team_view).collect())
}

/// The team called `name` (without case).
pub async fn team(store: &Store, name: &str) -> Result<TeamView, AdminError> {
    Ok(team_view(stored_team(store, name).await?))
}

/// Adds a team with member agents (by email).
pub async fn add_team(store: &Store, req: &NewTeam) -> Result<TeamView, AdminError> {
    let v = req.check()?;
    let ids = member_ids(store, &v.members).await?;
    store.create_team(v.name.as_str(), &ids).await?;
    team(store, v.name.as_str()).await
}

/// Renames a team and/or replaces its members.
pub async fn update_team(store: &Store, name: &str, req: &TeamChange) -> Result<TeamView, AdminError> {
    let v = req.check()?;
    let t = stored_team(store, name).await?;
    let ids = match &v.members {
        Some(m) => Some(member_ids(store, m).await?),
        None => None,
    };
    let new_name = v.name.as_ref().map(|n| n.as_str());
    store.update_team(t.id, new_name, ids.as_deref()).await?;
    team(store, new_name.unwrap_or(&t.name)).await
}

/// Removes a team (its members stay agents).
pub async fn remove_team(store: &Store, name: &str) -> Result<(), AdminError> {
    let t = stored_team(store, name).await?;
    Ok(store.delete_team(t.id).await?)
}

// Routing rules and account routes.

/// A site's rules, highest priority first.
pub async fn rules(store: &Store, raw_key: &str) -> Result<Vec<RoutingRule>, AdminError> {
    let s = stored_site(store, raw_key).await?;
    Ok(store.rules(s.id).await?)
}

/// A site's rule called `name` (without case, as rule names are unique).
pub async fn rule(store: &Store, raw_key: &str, name: &str) -> Result<RoutingRule, AdminError> {
    let name = name.trim();
    let found = rules(store, raw_key).await?.into_iter().find(|r| r.name.trim().eq_ignore_ascii_case(name));
    found.ok_or_else(|| AdminError::NotFound("rule", name.to_owned()))
}

/// Saves a routing rule for a site (replacing the one with its name) after
/// checking it: its own problems, and that the agents or team it routes to
/// exist.
pub async fn save_rule(store: &Store, raw_key: &str, rule: &RoutingRule) -> Result<(), AdminError> {
    rule.check()?;
    let s = stored_site(store, raw_key).await?;
    match &rule.route_to {
        Target::Agents(emails) => {
            for e in emails {
                stored_agent(store, e).await?;
            }
        }
        Target::Team(t) => {
            stored_team(store, t).await?;
        }
    }
    Ok(store.save_rule(s.id, rule).await?)
}

/// Removes a routing rule.
pub async fn remove_rule(store: &Store, raw_key: &str, name: &str) -> Result<(), AdminError> {
    let s = stored_site(store, raw_key).await?;
    if store.delete_rule(s.id, name).await? {
        Ok(())
    } else {
        Err(AdminError::NotFound("rule", name.to_owned()))
    }
}

/// A site's account routes, by domain.
pub async fn account_routes(store: &Store, raw_key: &str) -> Result<Vec<AccountRouteView>, AdminError> {
    let s = stored_site(store, raw_key).await?;
    let routes = store.account_routes(s.id).await?;
    Ok(routes.into_iter().map(|r| AccountRouteView { domain: r.domain, agent: r.agent }).collect())
}

/// Routes visitors with an email at a domain to an agent before the card's
/// option (account routing); replaces the domain's route if it had one.
pub async fn save_account_route(
    store: &Store,
    raw_key: &str,
    req: &NewAccountRoute,
) -> Result<AccountRouteView, AdminError> {
    let v = req.check()?;
    let s = stored_site(store, raw_key).await?;
    let a = stored_agent(store, v.agent.as_str()).await?;
    store.save_account_route(s.id, v.domain.as_str(), AgentId::new(a.id)).await?;
    Ok(AccountRouteView { domain: v.domain.into(), agent: a.email })
}

/// Removes a domain's account route.
pub async fn remove_account_route(store: &Store, raw_key: &str, raw_domain: &str) -> Result<(), AdminError> {
    let domain = EmailDomain::parse(raw_domain).map_err(|e| AdminError::invalid("domain", e))?;
    let s = stored_site(store, raw_key).await?;
    if store.delete_account_route(s.id, domain.as_str()).await? {
        Ok(())
    } else {
        Err(AdminError::NotFound("account route", domain.into()))
    }
}

/// Why a conversation went where it did, with each decision as stored.
pub type Explanation = switchboard_protocol::admin::Explanation<StoredDecision>;

/// Explains a conversation's routing.
pub async fn explain(store: &Store, conversation: i64) -> Result<Explanation, AdminError> {
    let c = store
        .conversation(ConversationId::new(conversation))
        .await?
        .ok_or_else(|| AdminError::NotFound("conversation", conversation.to_string()))?;
    let routing = store.conversation_routing(c.id).await?;
    let decisions = store.decisions(c.id).await?;
    let text = format!(
        "Conversation {} ({:?}), routing: {}\n{}",
        c.id,
        c.state,
        serde_json::to_string(&routing).unwrap_or_default(),
        crate::routing::explain(&decisions)
    );
    Ok(Explanation { conversation: c.id.get(), state: c.state, routing, decisions, text })
}

// Conversations.

/// A page of the conversations `query` selects, newest first; a site, agent
/// or team it names must exist (else refused by field).
pub async fn conversations(store: &Store, query: &ConversationQuery) -> Result<ConversationPage, AdminError> {
    let f = query.check()?;
    let site = match &f.site {
        Some(key) => Some(
            store.site(key).await?.ok_or_else(|| AdminError::invalid("site", format!("no site {key}")))?.id,
        ),
        None => None,
    };
    let agent = match &f.agent {
        Some(email) => {
            let found = store.agent_by_email(email.as_str()).await?;
            Some(AgentId::new(
                found.ok_or_else(|| AdminError::invalid("agent", format!("no agent {email}")))?.profile.id,
            ))
        }
        None => None,
    };
    let team = match &f.team {
        Some(name) => Some(
            store
                .team(name.as_str())
                .await?
                .ok_or_else(|| AdminError::invalid("team", format!("no team {name}")))?
                .id,
        ),
        None => None,
    };
    let filter = ListFilter {
        site,
        state: f.state,
        agent,
        team,
        from: f.from,
        to: f.to,
        words: f.search.as_ref().map(|s| s.words()),
        after: f.cursor,
        limit: f.limit,
    };
    Ok(store.admin_conversations(&filter).await?)
}

/// Conversation `id` in full: its row, its visitor, the whole transcript
/// (the bot part, then the live part) and why it went where it did.
pub async fn conversation(store: &Store, id: i64) -> Result<ConversationDetail<StoredDecision>, AdminError> {
    let found = store.admin_conversation(ConversationId::new(id)).await?;
    let d = found.ok_or_else(|| AdminError::NotFound("conversation", id.to_string()))?;
    let messages = d
        .transcript
        .into_iter()
        .map(TranscriptLine::Bot)
        .chain(d.messages.into_iter().map(TranscriptLine::Live));
    Ok(ConversationDetail {
        row: d.row,
        visitor: d.visitor,
        messages: messages.collect(),
        explain: explain(store, id).await?,
    })
}

// Streams.

/// A site's streams, published or only drafted, highest priority first
/// (then by id); each says whether it has a draft that differs from what is
/// published.
pub async fn streams(store: &Store, raw_key: &str) -> Result<Vec<StreamSummary>, AdminError> {
    let s = stored_site(store, raw_key).await?;
    let times = store.published_times(s.id).await?;
    let when = |id: &str| times.iter().find(|(i, _)| i == id).map(|(_, ms)| crate::clock::iso_millis(*ms));
    let mut drafts: HashMap<String, Stream> =
        store.drafts(s.id).await?.into_iter().map(|d| (d.stream.id.clone(), d.stream)).collect();
    let mut list: Vec<StreamSummary> = store
        .streams(s.id)
        .await?
        .iter()
        .map(|stream| {
            let draft =
                drafts.remove(&stream.id).is_some_and(|d| d != Stream { version: 0, ..stream.clone() });
            StreamSummary { published_at: when(&stream.id), draft, ..StreamSummary::from(stream) }
        })
        .collect();
    list.extend(drafts.values().map(|d| StreamSummary {
        published: false,
        draft: true,
        ..StreamSummary::from(d)
    }));
    list.sort_by(|a, b| b.priority.cmp(&a.priority).then_with(|| a.id.cmp(&b.id)));
    Ok(list)
}

/// A site's published stream `id`, with the file it was published from.
pub async fn stream(store: &Store, raw_key: &str, id: &str) -> Result<StreamView, AdminError> {
    let s = stored_site(store, raw_key).await?;
    let (stream, source) = store
        .published_stream(s.id, id)
        .await?
        .ok_or_else(|| AdminError::NotFound("stream", id.to_owned()))?;
    Ok(StreamView { stream, source })
}

/// Validates a stream file and publishes it for a site as the stream's next
/// version at `now` (unix ms), recording the release (by `by`, with
/// `note`) and making it the stream's draft; answers its id, version and
/// the warnings. A broken stream is refused with every error.
pub async fn publish_stream(
    store: &Store,
    raw_key: &str,
    req: &PublishStream,
    by: Author<'_>,
    note: &str,
    now: i64,
) -> Result<StreamPublished, AdminError> {
    let s = stored_site(store, raw_key).await?;
    let parsed = file::parse(&req.source)
        .map_err(|errors| AdminError::Stream(errors.iter().map(ToString::to_string).collect()))?;
    let release = by.release(note);
    let version =
        store.publish(s.id, &parsed.stream, &req.source, &release, DraftAfter::Replace, now).await?;
    let version = version.expect("publishing that replaces the draft does not wait for a revision");
    Ok(StreamPublished {
        id: parsed.stream.stream().id.clone(),
        version,
        warnings: parsed.warnings.iter().map(ToString::to_string).collect(),
    })
}

/// Removes a stream: unpublishes it (visitors who started it may still
/// finish it) and drops its draft and release history.
pub async fn remove_stream(store: &Store, raw_key: &str, stream_id: &str) -> Result<(), AdminError> {
    let s = stored_site(store, raw_key).await?;
    if store.delete_stream(s.id, stream_id).await? {
        Ok(())
    } else {
        Err(AdminError::NotFound("stream", stream_id.to_owned()))
    }
}
