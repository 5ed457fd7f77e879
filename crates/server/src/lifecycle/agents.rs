//! What happens to an agent's chats when they leave, and telling their
//! inboxes when their availability changes by itself.

use std::time::Duration;
use switchboard_protocol::wire::{AgentOut, Author, ConversationState};

use super::Task;
use crate::routing::decide::Skip;
use crate::state::AppState;
use crate::store::StoreError;

/// An agent is being removed: their offers go to someone else and their
/// active chats end, with a word to each visitor.
pub async fn agent_leaving(state: &AppState, agent: i64) -> Result<(), StoreError> {
    for (conv, _) in state.store.conversations_in("offered", Some(agent)).await? {
        super::move_on(state, conv.id, agent, Skip::Declined).await?;
    }
    for (conv, _) in state.store.conversations_in("active", Some(agent)).await? {
        let text = "The agent has left; this chat has ended.";
        super::post(state, conv.id, Author::System, None, text).await?;
        super::set_state(state, conv.id, ConversationState::Ended).await?;
    }
    Ok(())
}

/// Tells a connected agent's inboxes when their availability changes by
/// itself (their schedule, or a manual switch running out), from now on
/// while they stay connected.
pub async fn watch_availability(state: &AppState, agent: i64) -> Result<(), StoreError> {
    let now = jiff::Timestamp::now();
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
    state.timers.availability.set(agent, wait, task);
}
