//! What happens to an agent's chats when they leave, and telling their
//! inboxes when their availability changes by itself.

use std::time::Duration;
use switchboard_protocol::admin::EndedBy;
use switchboard_protocol::wire::{AgentOut, Author, ConversationState};

use super::Task;
use crate::ids::{AgentId, ConversationId};
use crate::state::AppState;
use crate::store::StoreError;

/// An agent may no longer take chats: their offers go to someone else and
/// their active chats end, with a word to each visitor.
pub async fn agent_leaving(state: &AppState, agent: AgentId) -> Result<(), StoreError> {
    let mut conversations = Vec::new();
    for s in [ConversationState::Offered, ConversationState::Active] {
        conversations
            .extend(state.store.conversations_in(s, Some(agent)).await?.into_iter().map(|(c, _)| c.id));
    }
    leave(state, agent, &conversations).await
}

/// `agent`'s `conversations` (offered or active when they left) move on:
/// an offer to someone else, an active chat ends with a word to the
/// visitor. Each is checked as it is now: one accepted, transferred or
/// ended meanwhile is left alone.
pub(super) async fn leave(
    state: &AppState,
    agent: AgentId,
    conversations: &[ConversationId],
) -> Result<(), StoreError> {
    for &id in conversations {
        let Some(conv) = state.store.conversation(id).await? else { continue };
        // (A removed agent's rows name nobody.)
        if conv.agent_id.is_some_and(|a| a != agent) {
            continue;
        }
        match conv.state {
            ConversationState::Offered => {
                super::offers::take_back(state, id, agent).await?;
            }
            ConversationState::Active => {
                let text = "The agent has left; this chat has ended.";
                super::post(state, id, Author::System, None, text).await?;
                super::end(state, id, EndedBy::AgentLeft).await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The agent switched their availability on or off: stored, and every
/// inbox of theirs shows the toggle as it is now.
pub async fn switch_availability(
    state: &AppState,
    agent: AgentId,
    available: bool,
) -> Result<(), StoreError> {
    let now = state.clock.now();
    let settings = state.store.availability(agent).await?.switched(available, now);
    state.store.set_availability(agent, &settings, None).await?;
    availability_changed(state, agent).await
}

/// The agent's availability settings changed (stored already): their
/// inboxes are told, and the next change by itself is watched for.
pub async fn availability_changed(state: &AppState, agent: AgentId) -> Result<(), StoreError> {
    let (available, missed_offers) = availability_now(state, agent).await?;
    state.hub.publish_agent(agent, AgentOut::Availability { available, missed_offers });
    watch_availability(state, agent).await
}

/// The agent's availability as their inboxes are told it: whether they are
/// available now, and, while unavailable because they missed offers, after
/// how many.
pub async fn availability_now(state: &AppState, agent: AgentId) -> Result<(bool, Option<u32>), StoreError> {
    let now = state.clock.now();
    let settings = state.store.availability(agent).await?;
    let available = settings.available_at(now);
    // (Once their schedule decides again, the switch is over, and so is its reason.)
    let missed_offers = if available || !settings.switch_in_force(now) {
        None
    } else {
        state.store.away_after(agent).await?
    };
    Ok((available, missed_offers))
}

/// `agent` has let offers time out (as `missed` counts them, with the last
/// offer's site's limit). At the limit (unless the site set none) they are
/// switched to unavailable, as if they had switched themselves, and their
/// inboxes say why: presence follows the person, not their open tab.
pub(super) async fn missed_offer(
    state: &AppState,
    agent: AgentId,
    crate::store::routing::Missed { in_row: missed, limit }: crate::store::routing::Missed,
) -> Result<(), StoreError> {
    if limit == 0 || missed < u32::from(limit) {
        return Ok(());
    }
    let now = state.clock.now();
    let settings = state.store.availability(agent).await?;
    if !settings.available_at(now) {
        return Ok(());
    }
    if !state.store.switch_away(agent, &settings.switched(false, now), missed).await? {
        return Ok(());
    }
    tracing::info!(agent = %agent, missed, "switched to unavailable after missed offers");
    availability_changed(state, agent).await
}

/// A session ended (logout): stored, and the connections it opened close.
pub async fn end_session(state: &AppState, token_hash: &str) -> Result<(), StoreError> {
    state.store.delete_session(token_hash).await?;
    state.hub.end_sessions(crate::hub::SessionEnd::Session(token_hash.to_owned()));
    Ok(())
}

/// Tells a connected agent's inboxes when their availability changes by
/// itself (their schedule, or a manual switch running out), from now on
/// while they stay connected.
pub async fn watch_availability(state: &AppState, agent: AgentId) -> Result<(), StoreError> {
    let now = state.clock.now();
    let Some(next) = state.store.availability(agent).await?.next_change(now) else {
        state.timers.availability.cancel(&agent);
        return Ok(());
    };
    // Checked at least daily, and a moment after the edge itself.
    let wait =
        next.duration_since(now).unsigned_abs().min(Duration::from_secs(86_400)) + Duration::from_millis(50);
    arm_availability(state, agent, wait);
    Ok(())
}

fn arm_availability(state: &AppState, agent: AgentId, wait: Duration) {
    let s = state.clone();
    let task: Task = Box::pin(async move {
        if !s.presence.present(agent) {
            return;
        }
        let result = match availability_now(&s, agent).await {
            Ok((available, missed_offers)) => {
                s.hub.publish_agent(agent, AgentOut::Availability { available, missed_offers });
                watch_availability(&s, agent).await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            tracing::error!(error = %e, agent = %agent, "watching availability");
        }
    });
    state.timers.availability.set(agent, wait, task);
}
