//! What an admin does, as plain operations over the store: the `switchboard`
//! subcommands and the admin HTTP API (`admin_api`) both call these, so the
//! two can never disagree about validation.

use switchboard_protocol::attribute::{check_value, InputKind};
use switchboard_protocol::auth::{AgentProfile, Role, MAX_PASSWORD_LEN};
use switchboard_protocol::rules::{RoutingRule, Target};
use switchboard_protocol::site::{launcher_label, web_url, Appearance, InvalidValue, SiteKey};
use switchboard_protocol::stream::file;

use crate::auth::{hash_password, random_password};
use crate::routing::availability::Schedule;
use crate::store::changes::Change;
use crate::store::routing::{AccountRoute, StoredDecision};
use crate::store::teams::Team;
use crate::store::{AgentUpdate, Site, Store, StoreError};

/// The time now (unix ms) for what an admin operation records.
fn now_ms() -> i64 {
    crate::clock::Clock::system().now_ms()
}

/// Shortest password an admin may set.
pub const MIN_PASSWORD_LEN: usize = 10;

/// Why an admin operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// A value is invalid.
    #[error("{0}")]
    Invalid(String),
    /// Nothing with that key, email or id.
    #[error("no {0} {1}")]
    NotFound(&'static str, String),
    /// It exists already.
    #[error("{0} already exists")]
    Exists(String),
    /// The stream file has errors (each `line:col: card id: message`).
    #[error("the stream has errors:\n{}", .0.join("\n"))]
    Stream(Vec<String>),
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

/// Checks an allowed origin: `http(s)://host[:port]`, nothing after it.
pub fn check_origin(origin: &str) -> Result<String, AdminError> {
    let bad =
        || AdminError::Invalid(format!("origin {origin:?} must be http(s)://host[:port], without a path"));
    let rest = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://")).ok_or_else(bad)?;
    let ok = !rest.is_empty()
        && origin.len() <= 200
        && rest.chars().all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
        && !rest.starts_with([':', '.']);
    if ok {
        Ok(origin.to_ascii_lowercase())
    } else {
        Err(bad())
    }
}

fn key(raw: &str) -> Result<SiteKey, AdminError> {
    SiteKey::parse(raw).map_err(|e| AdminError::Invalid(e.to_string()))
}

fn name(raw: &str) -> Result<&str, AdminError> {
    let n = raw.trim();
    if n.is_empty() || n.chars().count() > 100 {
        return Err(AdminError::Invalid("a name must be 1 to 100 characters".into()));
    }
    Ok(n)
}

/// The site with key `raw`, or why there is none.
pub async fn site(store: &Store, raw: &str) -> Result<Site, AdminError> {
    let k = key(raw)?;
    store.site(&k).await?.ok_or_else(|| AdminError::NotFound("site", raw.to_owned()))
}

/// Adds a site allowing `origins`.
pub async fn add_site(
    store: &Store,
    raw_key: &str,
    site_name: &str,
    origins: &[String],
) -> Result<Site, AdminError> {
    let k = key(raw_key)?;
    let origins = origins.iter().map(|o| check_origin(o)).collect::<Result<Vec<_>, _>>()?;
    store.create_site(&k, name(site_name)?, &Appearance::default(), &origins).await?;
    site(store, raw_key).await
}

/// Changes a site's name, allowed origins (all of them) and/or fallback message.
pub async fn update_site(
    store: &Store,
    raw_key: &str,
    site_name: Option<&str>,
    origins: Option<&[String]>,
    fallback: Option<&str>,
) -> Result<Site, AdminError> {
    let s = site(store, raw_key).await?;
    let site_name = site_name.map(name).transpose()?;
    let origins =
        origins.map(|o| o.iter().map(|o| check_origin(o)).collect::<Result<Vec<_>, _>>()).transpose()?;
    if let Some(text) = fallback {
        if text.chars().count() > 2000 {
            return Err(AdminError::Invalid("the fallback message is longer than 2000 characters".into()));
        }
        store.set_fallback_message(s.id, text.trim()).await?;
    }
    store.update_site(s.id, site_name, origins.as_deref()).await?;
    site(store, raw_key).await
}

/// Changes to a site's appearance; `None` keeps a value.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppearanceChange {
    /// Accent colour, `#rrggbb`.
    pub accent: Option<String>,
    /// `bottom_right` or `bottom_left`.
    pub position: Option<switchboard_protocol::site::Position>,
    /// Distance from the page edges (0–200 px).
    pub offset_px: Option<u16>,
    /// Panel header title.
    pub header_title: Option<String>,
    /// The bot's name.
    pub bot_name: Option<String>,
    /// Delay before each bot message (0–5000 ms).
    pub response_delay_ms: Option<u32>,
    /// `en`, `nl`, or `auto` (the visitor's browser language).
    pub locale: Option<String>,
    /// The bot's avatar, an http(s) image URL; empty: none.
    pub bot_avatar_url: Option<String>,
    /// Text on the launcher beside its icon; empty: the icon alone.
    pub launcher_label: Option<String>,
    /// The site's privacy policy, an http(s) URL; empty: no link.
    pub privacy_url: Option<String>,
    /// A sound for the visitor when the agent writes while the panel is
    /// closed or the page is in the background.
    pub sound: Option<bool>,
}

/// Applies an appearance change to a site, checking every value.
pub async fn update_appearance(
    store: &Store,
    raw_key: &str,
    c: &AppearanceChange,
) -> Result<Site, AdminError> {
    use switchboard_protocol::site::{Color, Locale};
    let s = site(store, raw_key).await?;
    let mut a = s.appearance.clone();
    let invalid = |e: &dyn std::fmt::Display| AdminError::Invalid(e.to_string());
    if let Some(v) = &c.accent {
        a.accent = Color::parse(v).map_err(|e| invalid(&e))?;
    }
    if let Some(v) = c.position {
        a.position = v;
    }
    if let Some(v) = c.offset_px {
        if v > 200 {
            return Err(AdminError::Invalid("offset_px must be 0 to 200".into()));
        }
        a.offset_px = v;
    }
    if let Some(v) = &c.header_title {
        a.header_title = name(v)?.to_owned();
    }
    if let Some(v) = &c.bot_name {
        a.bot_name = name(v)?.to_owned();
    }
    if let Some(v) = c.response_delay_ms {
        if v > 5000 {
            return Err(AdminError::Invalid("response_delay_ms must be 0 to 5000".into()));
        }
        a.response_delay_ms = v;
    }
    if let Some(v) = &c.locale {
        a.locale = match v.as_str() {
            "auto" => None,
            tag => Some(Locale::parse(tag).map_err(|e| invalid(&e))?),
        };
    }
    // Empty clears; anything else must pass its check.
    let optional = |raw: &Option<String>, check: fn(&str) -> Result<&str, InvalidValue>| match raw.as_deref()
    {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Ok(Some(None)),
        Some(v) => check(v.trim()).map(|v| Some(Some(v.to_owned()))).map_err(|e| invalid(&e)),
    };
    if let Some(v) = optional(&c.bot_avatar_url, web_url)? {
        a.bot_avatar_url = v;
    }
    if let Some(v) = optional(&c.launcher_label, launcher_label)? {
        a.launcher_label = v;
    }
    if let Some(v) = optional(&c.privacy_url, web_url)? {
        a.privacy_url = v;
    }
    if let Some(v) = c.sound {
        a.sound = v;
    }
    store.set_appearance(s.id, &a).await?;
    site(store, raw_key).await
}

/// Removes a site with its streams and conversations.
pub async fn remove_site(store: &Store, raw_key: &str) -> Result<(), AdminError> {
    let s = site(store, raw_key).await?;
    Ok(store.delete_site(s.id).await?)
}

fn email(raw: &str) -> Result<String, AdminError> {
    check_value(InputKind::Email, &[], true, raw)
        .map_err(|e| AdminError::Invalid(format!("email {raw:?}: {e}")))
}

fn password(given: Option<&str>) -> Result<(String, bool), AdminError> {
    match given {
        Some(p) if (MIN_PASSWORD_LEN..=MAX_PASSWORD_LEN).contains(&p.chars().count()) => {
            Ok((p.to_owned(), false))
        }
        Some(_) => Err(AdminError::Invalid(format!(
            "a password must be {MIN_PASSWORD_LEN} to {MAX_PASSWORD_LEN} characters"
        ))),
        None => Ok((random_password(), true)),
    }
}

async fn hashed(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_password(&password)).await.expect("hashing does not panic")
}

/// The agent with email `raw_email`, or why there is none.
pub async fn agent(store: &Store, raw_email: &str) -> Result<AgentProfile, AdminError> {
    let e = email(raw_email)?;
    Ok(store.agent_by_email(&e).await?.ok_or_else(|| AdminError::NotFound("agent", e))?.profile)
}

/// Adds an agent; without a password one is generated and returned (once).
pub async fn add_agent(
    store: &Store,
    agent_name: &str,
    raw_email: &str,
    role: Role,
    given: Option<&str>,
) -> Result<(AgentProfile, Option<String>), AdminError> {
    let e = email(raw_email)?;
    let (pw, generated) = password(given)?;
    store.create_agent(name(agent_name)?, &e, &hashed(pw.clone()).await, role).await?;
    Ok((agent(store, &e).await?, generated.then_some(pw)))
}

/// What an admin may change about an agent.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentChange {
    /// New display name.
    pub name: Option<String>,
    /// New role.
    pub role: Option<Role>,
    /// Avatar image URL shown to visitors (empty for none).
    pub avatar_url: Option<String>,
    /// Whether routing may give them live chats.
    pub live_chat: Option<bool>,
}

/// Changes an agent's name, role, avatar (an http(s) image URL, or empty for
/// none) and/or live chat permission.
pub async fn update_agent(
    store: &Store,
    raw_email: &str,
    change: &AgentChange,
) -> Result<AgentProfile, AdminError> {
    let a = agent(store, raw_email).await?;
    // Everything is checked before anything is written (in one transaction).
    let agent_name = change.name.as_deref().map(name).transpose()?;
    let avatar_url = change.avatar_url.as_deref().map(str::trim);
    if let Some(url) = avatar_url.filter(|u| !u.is_empty()) {
        web_url(url).map_err(|e| AdminError::Invalid(format!("avatar: {e}")))?;
    }
    let update = AgentUpdate {
        name: agent_name,
        role: change.role,
        avatar_url,
        live_chat: change.live_chat,
        password_hash: None,
    };
    store.update_agent(a.id, &update).await?;
    if change.live_chat == Some(false) && a.live_chat {
        store.record_change(&Change::LiveChatRevoked { agent: a.id }, now_ms()).await?;
    }
    agent(store, raw_email).await
}

/// Sets a new password (generated and returned when not given) and ends the
/// agent's sessions.
pub async fn reset_password(
    store: &Store,
    raw_email: &str,
    given: Option<&str>,
) -> Result<(AgentProfile, Option<String>), AdminError> {
    let a = agent(store, raw_email).await?;
    let (pw, generated) = password(given)?;
    let hash = hashed(pw.clone()).await;
    store.update_agent(a.id, &AgentUpdate { password_hash: Some(&hash), ..AgentUpdate::default() }).await?;
    store.record_change(&Change::SessionsEnded { agent: a.id }, now_ms()).await?;
    Ok((a, generated.then_some(pw)))
}

/// Removes an agent. A running server closes their sockets, offers their
/// offered chats to someone else and ends their active ones.
pub async fn remove_agent(store: &Store, raw_email: &str) -> Result<(), AdminError> {
    let a = agent(store, raw_email).await?;
    Ok(store.remove_agent(a.id, now_ms()).await?)
}

async fn member_ids(store: &Store, emails: &[String]) -> Result<Vec<i64>, AdminError> {
    let mut ids = Vec::new();
    for e in emails {
        ids.push(agent(store, e).await?.id);
    }
    Ok(ids)
}

async fn team(store: &Store, team_name: &str) -> Result<Team, AdminError> {
    store.team(team_name.trim()).await?.ok_or_else(|| AdminError::NotFound("team", team_name.to_owned()))
}

/// Adds a team with member agents (by email).
pub async fn add_team(store: &Store, team_name: &str, members: &[String]) -> Result<Team, AdminError> {
    let n = name(team_name)?;
    let ids = member_ids(store, members).await?;
    store.create_team(n, &ids).await?;
    team(store, n).await
}

/// Renames a team and/or replaces its members.
pub async fn update_team(
    store: &Store,
    team_name: &str,
    new_name: Option<&str>,
    members: Option<&[String]>,
) -> Result<Team, AdminError> {
    let t = team(store, team_name).await?;
    let new_name = new_name.map(name).transpose()?;
    let ids = match members {
        Some(m) => Some(member_ids(store, m).await?),
        None => None,
    };
    store.update_team(t.id, new_name, ids.as_deref()).await?;
    team(store, new_name.unwrap_or(&t.name)).await
}

/// Removes a team (its members stay agents).
pub async fn remove_team(store: &Store, team_name: &str) -> Result<(), AdminError> {
    let t = team(store, team_name).await?;
    Ok(store.delete_team(t.id).await?)
}

/// Saves a routing rule for a site after checking it: its own problems, and
/// that the agents or team it routes to exist.
pub async fn save_rule(store: &Store, raw_key: &str, rule: &RoutingRule) -> Result<(), AdminError> {
    let s = site(store, raw_key).await?;
    rule.check().map_err(|e| AdminError::Invalid(format!("rule {:?}: {e}", rule.name)))?;
    match &rule.route_to {
        Target::Agents(emails) => {
            for e in emails {
                agent(store, e).await?;
            }
        }
        Target::Team(t) => {
            team(store, t).await?;
        }
    }
    Ok(store.save_rule(s.id, rule).await?)
}

/// Every agent with what routing knows of them, by email.
pub async fn agents_for_routing(store: &Store) -> Result<Vec<AgentListing>, AdminError> {
    let routing: std::collections::HashMap<i64, crate::store::routing::AgentRow> =
        store.routing_agents().await?.into_iter().map(|a| (a.id, a)).collect();
    Ok(store
        .agents()
        .await?
        .into_iter()
        .map(|profile| {
            let r = routing.get(&profile.id);
            AgentListing {
                live_chat: r.is_some_and(|r| r.live_chat),
                schedule: r.and_then(|r| r.availability.schedule.clone()),
                profile,
            }
        })
        .collect())
}

/// An agent as the admin lists them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AgentListing {
    /// Who.
    #[serde(flatten)]
    pub profile: AgentProfile,
    /// Whether routing may give them live chats.
    pub live_chat: bool,
    /// Their weekly schedule, if any.
    pub schedule: Option<Schedule>,
}

/// Sets or clears an agent's weekly availability schedule. A new schedule
/// takes over from any manual switch.
pub async fn set_schedule(
    store: &Store,
    raw_email: &str,
    schedule: Option<Schedule>,
) -> Result<(), AdminError> {
    let a = agent(store, raw_email).await?;
    if let Some(s) = &schedule {
        s.check().map_err(|e| AdminError::Invalid(format!("schedule: {e}")))?;
    }
    let mut settings = store.availability(a.id).await?;
    settings.schedule = schedule;
    settings.until = None;
    store.set_availability(a.id, &settings).await?;
    // A connected inbox shows the toggle as the new schedule has it.
    Ok(store.record_change(&Change::AvailabilityChanged { agent: a.id }, now_ms()).await?)
}

/// Checks an email domain for an account route: lowercase letters, digits,
/// dots and hyphens, with a dot, as written after the `@`.
pub fn check_domain(raw: &str) -> Result<String, AdminError> {
    let d = raw.trim().trim_start_matches('@').to_ascii_lowercase();
    let ok = d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok {
        Ok(d)
    } else {
        Err(AdminError::Invalid(format!("{raw:?} is not an email domain like bigcorp.com")))
    }
}

/// Routes visitors with an email at `domain` to an agent before the card's
/// option (account routing); replaces the domain's route if it had one.
pub async fn save_account_route(
    store: &Store,
    raw_key: &str,
    raw_domain: &str,
    agent_email: &str,
) -> Result<AccountRoute, AdminError> {
    let s = site(store, raw_key).await?;
    let domain = check_domain(raw_domain)?;
    let a = agent(store, agent_email).await?;
    store.save_account_route(s.id, &domain, a.id).await?;
    Ok(AccountRoute { domain, agent: a.email })
}

/// Removes a domain's account route.
pub async fn remove_account_route(store: &Store, raw_key: &str, raw_domain: &str) -> Result<(), AdminError> {
    let s = site(store, raw_key).await?;
    let domain = check_domain(raw_domain)?;
    if store.delete_account_route(s.id, &domain).await? {
        Ok(())
    } else {
        Err(AdminError::NotFound("account route", domain))
    }
}

/// Why a conversation went where it did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Explanation {
    /// The conversation.
    pub conversation: i64,
    /// Its state now.
    pub state: switchboard_protocol::wire::ConversationState,
    /// The live chat card's routing option.
    pub routing: switchboard_protocol::stream::Routing,
    /// Every decision, oldest first.
    pub decisions: Vec<StoredDecision>,
    /// The same, in words.
    pub text: String,
}

/// Explains a conversation's routing.
pub async fn explain(store: &Store, conversation: i64) -> Result<Explanation, AdminError> {
    let c = store
        .conversation(conversation)
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
    Ok(Explanation { conversation: c.id, state: c.state, routing, decisions, text })
}

/// Removes a routing rule.
pub async fn remove_rule(store: &Store, raw_key: &str, rule_name: &str) -> Result<(), AdminError> {
    let s = site(store, raw_key).await?;
    if store.delete_rule(s.id, rule_name).await? {
        Ok(())
    } else {
        Err(AdminError::NotFound("rule", rule_name.to_owned()))
    }
}

/// Validates a stream file and publishes it for a site; returns the stream id
/// and the warnings. A broken stream is refused with every error.
pub async fn publish_stream(
    store: &Store,
    raw_key: &str,
    source: &str,
) -> Result<(String, Vec<String>), AdminError> {
    let s = site(store, raw_key).await?;
    let parsed = file::parse(source)
        .map_err(|errors| AdminError::Stream(errors.iter().map(ToString::to_string).collect()))?;
    store.publish_stream(s.id, &parsed.stream, source).await?;
    Ok((parsed.stream.stream().id.clone(), parsed.warnings.iter().map(ToString::to_string).collect()))
}

/// Unpublishes a stream.
pub async fn remove_stream(store: &Store, raw_key: &str, stream_id: &str) -> Result<(), AdminError> {
    let s = site(store, raw_key).await?;
    if store.delete_stream(s.id, stream_id).await? {
        Ok(())
    } else {
        Err(AdminError::NotFound("stream", stream_id.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(check_origin("https://Shop.Example.com").unwrap(), "https://shop.example.com");
        assert!(check_origin("http://127.0.0.1:8081").is_ok());
        for bad in [
            "shop.example.com",
            "https://",
            "https://x.com/path",
            "ftp://x.com",
            "https://x.com?q",
            "https://a b",
        ] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
    }
}
