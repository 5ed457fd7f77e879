//! Routing a handed-off conversation to an agent: load what the decision
//! needs, [`decide::decide`], store the decision for `explain`, make the
//! offer and arm its accept timeout; a timeout or a decline routes again
//! without that agent. An agent's [`transfer`] of an active chat routes it
//! again, to the target. Chats are also ended here when inactive.
//!
//! Decisions are made one at a time (a lock), so the rotation is the same
//! whatever order requests arrive in.

pub mod availability;
pub mod conditions;
pub mod deadlines;
pub mod decide;
pub mod transfer;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use switchboard_protocol::wire::{AgentOut, Author, ConversationState, TransferTarget};

use crate::conversation;
use crate::hub::Event;
use crate::startup::AppState;
use crate::store::conversations::Conversation;
use crate::store::StoreError;
use conditions::Visitor;
use deadlines::Deadlines;
use decide::{Decision, Directory, Outcome, Request, Skip};

/// What the visitor reads when nobody can take the chat and the site set no
/// fallback message.
pub const DEFAULT_FALLBACK: &str = "Sorry, nobody is available to chat right now. Please try again later.";

/// Routing's shared state: one decision at a time, and the pending timers.
#[derive(Debug, Clone)]
pub struct Router {
    lock: Arc<tokio::sync::Mutex<()>>,
    /// When the server started: presence is in memory, so for one grace
    /// period agents are still reconnecting and nobody falls back yet.
    started: tokio::time::Instant,
    /// Accept timeouts, by conversation.
    offers: Deadlines<i64>,
    /// Inactivity limits of active chats, by conversation.
    idle: Deadlines<i64>,
    /// The next moment each connected agent's availability changes by itself.
    availability: Deadlines<i64>,
    /// Visitors whose last socket closed with a hand-off nobody accepted
    /// yet, by visitor: withdrawn unless they come back.
    gone: Deadlines<i64>,
}

impl Default for Router {
    fn default() -> Self {
        Self {
            lock: Arc::default(),
            started: tokio::time::Instant::now(),
            offers: Deadlines::default(),
            idle: Deadlines::default(),
            availability: Deadlines::default(),
            gone: Deadlines::default(),
        }
    }
}

impl Router {
    /// Stops every timer (at shutdown).
    pub fn clear(&self) {
        self.offers.clear();
        self.idle.clear();
        self.availability.clear();
        self.gone.clear();
    }
}

type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

fn log(what: &'static str, conversation: i64) -> impl FnOnce(StoreError) {
    move |e| tracing::error!(error = %e, conversation, "{what}")
}

/// Every agent as routing sees them at this moment, by ascending id.
pub async fn agents_now(state: &AppState) -> Result<Vec<decide::Agent>, StoreError> {
    let store = &state.store;
    let now = jiff::Timestamp::now();
    let open = store.open_chats().await?;
    Ok(store
        .routing_agents()
        .await?
        .into_iter()
        .map(|a| decide::Agent {
            available: a.availability.available_at(now) && state.presence.present(a.id),
            open_chats: open.get(&a.id).copied().unwrap_or(0),
            id: a.id,
            email: a.email,
            live_chat: a.live_chat,
        })
        .collect())
}

/// Builds the decision's view of the agents for `site_id` at this moment.
pub async fn directory(state: &AppState, site_id: i64) -> Result<Directory, StoreError> {
    let store = &state.store;
    let agents = agents_now(state).await?;
    let account_routes = store
        .account_routes(site_id)
        .await?
        .into_iter()
        .map(|r| (r.domain.to_lowercase(), r.agent))
        .collect();
    Ok(Directory {
        agents,
        teams: store.team_member_ids().await?,
        rules: conditions::Rules::new(store.rules(site_id).await?),
        account_routes,
        capacity: state.settings.routing.capacity,
    })
}

/// Routes a waiting conversation: offers it to an agent or gives the visitor
/// the fallback message.
pub async fn route(state: &AppState, conversation: i64) -> Result<(), StoreError> {
    let _one_at_a_time = state.router.lock.lock().await;
    route_locked(state, conversation).await
}

async fn route_locked(state: &AppState, id: i64) -> Result<(), StoreError> {
    let store = &state.store;
    let Some(conv) = store.conversation(id).await? else { return Ok(()) };
    if conv.state != ConversationState::Waiting {
        return Ok(());
    }
    let dir = directory(state, conv.site_id).await?;
    let routing = store.conversation_routing(id).await?;
    let details = store.details(id).await?;
    let tried = store.attempts(id).await?;
    let rotation = store.rotation(conv.site_id).await?;
    let transfer = store.latest_transfer(id).await?;
    let to = transfer.as_ref().map(|t| decide::Transfer { by: t.by, to: t.to.clone() });
    let visitor = Visitor { attributes: &details.attributes, page: &details.page };
    let request =
        Request { routing: &routing, visitor, tried: &tried, rotation: &rotation, transfer: to.as_ref() };
    let mut decision = decide::decide(&dir, request);
    decision.name_agents(&dir);
    tracing::debug!(conversation = id, outcome = ?decision.outcome, "routed");
    let grace = Duration::from_secs(state.settings.routing.disconnect_grace_secs);
    let settling = grace.saturating_sub(state.router.started.elapsed());
    if decision.outcome == Outcome::Fallback && !settling.is_zero() {
        // Just started: agents' inboxes are still reconnecting. Decide again
        // once they have had the grace period.
        route_after(state, id, settling);
        return Ok(());
    }
    store.save_decision(id, &decision).await?;
    match decision.outcome {
        Outcome::Offer { agent, pool, .. } => {
            if !store.offer(&conv, agent, &pool).await? {
                return Ok(());
            }
            let timeout = state.settings.routing.accept_timeout_secs;
            state.hub.publish(id, Event::State(ConversationState::Offered));
            state.hub.publish_agent(
                agent,
                AgentOut::Offer {
                    conversation: id,
                    attributes: details.attributes,
                    page: details.page,
                    transcript: details.transcript,
                    expires_in_secs: timeout,
                    // (Not when it is offered back to the agent who
                    // transferred it: their own name would explain nothing.)
                    transferred_by: transfer.filter(|t| t.by != Some(agent)).map(|t| t.by_name),
                },
            );
            arm_offer(state, id, agent, Duration::from_secs(timeout));
        }
        Outcome::Fallback => fall_back(state, &conv).await?,
    }
    Ok(())
}

fn route_after(state: &AppState, conversation: i64, after: Duration) {
    let s = state.clone();
    let task: Task = Box::pin(async move {
        if let Err(e) = route(&s, conversation).await {
            log("routing", conversation)(e);
            retry_later(&s, conversation);
        }
    });
    state.router.offers.set(conversation, after, task);
}

async fn fall_back(state: &AppState, conv: &Conversation) -> Result<(), StoreError> {
    let text = state.store.fallback_message(conv.site_id).await?;
    let text = if text.trim().is_empty() { DEFAULT_FALLBACK.to_owned() } else { text };
    // Only a chat still waiting falls back: one the visitor ended stays ended.
    if !state.store.fall_back(conv.id).await? {
        return Ok(());
    }
    ended(state, conv.id);
    conversation::post(state, conv.id, Author::System, None, &text).await?;
    state.hub.publish(conv.id, Event::State(ConversationState::Fallback));
    Ok(())
}

/// Routing a conversation failed (storage trouble): it is tried again a
/// little later rather than left waiting.
pub fn retry_later(state: &AppState, conversation: i64) {
    route_after(state, conversation, RETRY);
}

/// How long after a failed routing attempt it is tried again.
const RETRY: Duration = Duration::from_secs(5);

fn arm_offer(state: &AppState, conversation: i64, agent: i64, after: Duration) {
    let s = state.clone();
    let task: Task = Box::pin(async move {
        if let Err(e) = move_on(&s, conversation, agent, Skip::TimedOut).await {
            log("routing after an accept timeout", conversation)(e);
            retry_later(&s, conversation);
        }
    });
    state.router.offers.set(conversation, after, task);
}

/// Takes the offer back from `agent` (declined or timed out), tells them, and
/// routes again without them. `false` when it was not offered to them.
pub async fn move_on(state: &AppState, conversation: i64, agent: i64, why: Skip) -> Result<bool, StoreError> {
    let _one_at_a_time = state.router.lock.lock().await;
    if !state.store.withdraw_offer(conversation, agent, why).await? {
        return Ok(false);
    }
    state.router.offers.cancel(&conversation);
    state.hub.publish_agent(agent, AgentOut::Withdrawn { conversation });
    route_locked(state, conversation).await?;
    Ok(true)
}

/// An agent is being removed: their offers go to someone else and their
/// active chats end, with a word to each visitor.
pub async fn agent_leaving(state: &AppState, agent: i64) -> Result<(), StoreError> {
    for (conv, _) in state.store.conversations_in("offered", Some(agent)).await? {
        move_on(state, conv.id, agent, Skip::Declined).await?;
    }
    for (conv, _) in state.store.conversations_in("active", Some(agent)).await? {
        let text = "The agent has left; this chat has ended.";
        conversation::post(state, conv.id, Author::System, None, text).await?;
        conversation::set_state(state, conv.id, ConversationState::Ended).await?;
    }
    Ok(())
}

/// `visitor`'s last socket closed after a hand-off: unless they come back
/// within `visitor_gone_secs`, their conversation, if still waiting for an
/// agent (read from storage then), is withdrawn
/// ([`conversation::withdraw_gone`]), so it holds nobody's capacity.
pub fn visitor_left(state: &AppState, visitor: i64) {
    let s = state.clone();
    let after = Duration::from_secs(state.settings.limits.visitor_gone_secs.min(MAX_WAIT_SECS));
    state.router.gone.set(visitor, after, async move {
        if s.visitors.connected(visitor) {
            return;
        }
        let conv = match s.store.latest_conversation(visitor).await {
            Ok(Some(c)) if matches!(c.state, ConversationState::Waiting | ConversationState::Offered) => c,
            Ok(_) => return,
            Err(e) => return log("reading a left visitor's conversation", 0)(e),
        };
        if let Err(e) = conversation::withdraw_gone(&s, conv.id).await {
            log("withdrawing a left visitor's hand-off", conv.id)(e);
        }
    });
}

/// Longest timer a setting may ask for (a day), so no setting overflows the clock.
const MAX_WAIT_SECS: u64 = 24 * 3600;

/// `visitor` is back (said hello): their hand-off stays.
pub fn visitor_back(state: &AppState, visitor: i64) {
    state.router.gone.cancel(&visitor);
}

/// The agent accepted: the offer's timer stops and the inactivity limit starts.
pub fn accepted(state: &AppState, conversation: i64) {
    state.router.offers.cancel(&conversation);
    touch(state, conversation);
}

/// Someone wrote in `conversation`: its inactivity limit starts again.
pub fn touch(state: &AppState, conversation: i64) {
    arm_idle(state, conversation, Duration::from_secs(state.settings.routing.inactivity_secs));
}

/// The conversation ended: no more timers for it.
pub fn ended(state: &AppState, conversation: i64) {
    state.router.offers.cancel(&conversation);
    state.router.idle.cancel(&conversation);
}

fn arm_idle(state: &AppState, conversation: i64, after: Duration) {
    let s = state.clone();
    let task: Task = Box::pin(async move {
        if let Err(e) = conversation::end_idle(&s, conversation).await {
            log("ending an inactive chat", conversation)(e);
        }
    });
    state.router.idle.set(conversation, after, task);
}

/// Tells a connected agent's inboxes when their availability changes by
/// itself (their schedule, or a manual switch running out), from now on
/// while they stay connected.
pub async fn watch_availability(state: &AppState, agent: i64) -> Result<(), StoreError> {
    let now = jiff::Timestamp::now();
    let Some(next) = state.store.availability(agent).await?.next_change(now) else {
        state.router.availability.cancel(&agent);
        return Ok(());
    };
    // Checked at least daily, and a moment after the edge itself.
    let wait =
        next.duration_since(now).unsigned_abs().min(Duration::from_secs(86_400)) + Duration::from_millis(50);
    arm_availability(state, agent, wait);
    Ok(())
}

fn arm_availability(state: &AppState, agent: i64, wait: Duration) {
    let s = state.clone();
    let task: Task = Box::pin(async move {
        if !s.presence.present(agent) {
            return;
        }
        let result = match s.store.availability(agent).await {
            Ok(settings) => {
                let available = settings.available_at(jiff::Timestamp::now());
                s.hub.publish_agent(agent, AgentOut::Availability { available });
                watch_availability(&s, agent).await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            tracing::error!(error = %e, agent, "watching availability");
        }
    });
    state.router.availability.set(agent, wait, task);
}

/// After a start: re-arms the timers of offered and active conversations
/// with the time they have left, and routes any left waiting.
pub async fn resume(state: &AppState) -> Result<(), StoreError> {
    let store = &state.store;
    let timeout_ms =
        i64::try_from(state.settings.routing.accept_timeout_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let now = crate::store::routing::now_ms();
    for (conv, offered_at) in store.conversations_in("offered", None).await? {
        // Without an agent (removed meanwhile) it moves on at once.
        let agent = conv.agent_id.unwrap_or(0);
        let left = offered_at.map_or(0, |t| (t.saturating_add(timeout_ms) - now).max(0));
        arm_offer(state, conv.id, agent, Duration::from_millis(u64::try_from(left).unwrap_or(0)));
    }
    let limit = state.settings.routing.inactivity_secs as f64;
    for (id, idle) in store.active_idle_secs().await? {
        arm_idle(state, id, Duration::from_secs_f64((limit - idle).max(0.0)));
    }
    // Left waiting by a stop mid-decision.
    for (conv, _) in store.conversations_in("waiting", None).await? {
        route(state, conv.id).await?;
    }
    // Nobody is connected yet: a visitor who does not come back in time
    // gets their unaccepted hand-off withdrawn, as if they had just left.
    for s in ["waiting", "offered"] {
        for (conv, _) in store.conversations_in(s, None).await? {
            visitor_left(state, conv.visitor_id);
        }
    }
    Ok(())
}

/// A conversation's routing decisions in words, for `switchboard conversation explain`.
pub fn explain(decisions: &[crate::store::routing::StoredDecision]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if decisions.is_empty() {
        out.push_str("No routing decisions: the conversation was not handed off to routing.\n");
    }
    for (i, d) in decisions.iter().enumerate() {
        let _ = writeln!(out, "Decision {} at {}:", i + 1, d.at);
        describe(&d.decision, &mut out);
    }
    out
}

fn describe(d: &Decision, out: &mut String) {
    use decide::Stage;
    use std::fmt::Write as _;
    for step in &d.steps {
        let what = match &step.stage {
            Stage::AccountRoute { domain, agent } => format!("account route {domain} → {agent}"),
            Stage::Agent { agent } => format!("the card names agent {agent}"),
            Stage::Team { team, exists: true } => format!("team {team}"),
            Stage::Team { team, exists: false } => format!("team {team} (no such team)"),
            Stage::Rule { rule, target } => match target {
                switchboard_protocol::rules::Target::Team(t) => format!("rule {rule:?} matched → team {t}"),
                switchboard_protocol::rules::Target::Agents(a) => {
                    format!("rule {rule:?} matched → agents {}", a.join(", "))
                }
            },
            Stage::NoRuleMatched => "no custom rule matched".to_owned(),
            Stage::Everyone => "round robin over every agent".to_owned(),
            Stage::Transfer { by, to } => {
                let by = if by.is_empty() { "a removed agent" } else { by.as_str() };
                match to {
                    TransferTarget::Agent { email } => format!("transferred by {by} to agent {email}"),
                    TransferTarget::Team { name } => format!("transferred by {by} to team {name}"),
                }
            }
            Stage::Back { agent } => {
                format!("nobody else could take it: back to {agent}, who transferred it")
            }
        };
        let _ = writeln!(out, "  {what}");
        for s in &step.skipped {
            let who = if s.email.is_empty() { format!("agent {}", s.agent) } else { s.email.clone() };
            let _ = writeln!(out, "    skipped {who}: {}", s.reason.describe());
        }
        for u in &step.unknown {
            let _ = writeln!(out, "    skipped {u}: no such agent");
        }
    }
    match &d.outcome {
        Outcome::Offer { email, pool, .. } => {
            let _ = writeln!(out, "  → offered to {email} (rotation {pool})");
        }
        Outcome::Fallback => out.push_str("  → nobody could take it: the fallback message\n"),
    }
}
