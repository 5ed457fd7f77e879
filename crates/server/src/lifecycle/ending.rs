//! The end of a chat, whoever ends it (the visitor, the agent, inactivity),
//! and the timers a chat keeps while it is open.

use std::time::Duration;
use switchboard_protocol::wire::{Author, ConversationState};

use super::{log, Task};
use crate::hub::Event;
use crate::state::AppState;
use crate::store::StoreError;

/// Moves a conversation to `new_state` and tells its listeners.
pub async fn set_state(
    state: &AppState,
    conversation: i64,
    new_state: ConversationState,
) -> Result<(), StoreError> {
    if new_state == ConversationState::Ended {
        // An offer still open (the visitor left first) disappears from the
        // agent's inbox; checked and changed in one statement, so an offer
        // made at the same moment is either withdrawn here or never made.
        if let Some(Some(agent)) = state.store.close_offer(conversation, "ended").await? {
            state.hub.publish_agent(agent, switchboard_protocol::wire::AgentOut::Withdrawn { conversation });
        }
    }
    state.store.set_state(conversation, new_state).await?;
    changed(state, conversation, new_state);
    Ok(())
}

/// After a conversation moved to `new_state`: routing lets go of a finished
/// chat, and its listeners are told.
pub(super) fn changed(state: &AppState, conversation: i64, new_state: ConversationState) {
    if matches!(new_state, ConversationState::Ended | ConversationState::Fallback) {
        ended(state, conversation);
    }
    state.hub.publish(conversation, Event::State(new_state));
}

/// The agent who has an active chat ends it; `false` when it is not theirs
/// or not active (any more).
pub async fn end_by_agent(state: &AppState, conversation: i64, agent: i64) -> Result<bool, StoreError> {
    let ended = state.store.end_by_agent(conversation, agent).await?;
    if ended {
        changed(state, conversation, ConversationState::Ended);
    }
    Ok(ended)
}

/// Ends a chat whose inactivity limit passed, telling both sides (a system
/// message, then the ended state); nothing when it is no longer active.
pub async fn end_idle(state: &AppState, conversation: i64) -> Result<bool, StoreError> {
    let active =
        state.store.conversation(conversation).await?.is_some_and(|c| c.state == ConversationState::Active);
    if !active {
        return Ok(false);
    }
    let minutes = state.settings.routing.inactivity_secs.div_ceil(60);
    let text = format!("The chat ended after {minutes} minutes without messages.");
    super::post(state, conversation, Author::System, None, &text).await?;
    set_state(state, conversation, ConversationState::Ended).await?;
    Ok(true)
}

/// The agent accepted: the offer's timer stops and the inactivity limit starts.
pub fn accepted(state: &AppState, conversation: i64) {
    state.timers.offers.cancel(&conversation);
    touch(state, conversation);
}

/// Someone wrote in `conversation`: its inactivity limit starts again.
pub fn touch(state: &AppState, conversation: i64) {
    arm_idle(state, conversation, Duration::from_secs(state.settings.routing.inactivity_secs));
}

/// The conversation ended: no more timers for it.
pub fn ended(state: &AppState, conversation: i64) {
    state.timers.offers.cancel(&conversation);
    state.timers.idle.cancel(&conversation);
}

pub(super) fn arm_idle(state: &AppState, conversation: i64, after: Duration) {
    let s = state.clone();
    let task: Task = Box::pin(async move {
        if let Err(e) = end_idle(&s, conversation).await {
            log("ending an inactive chat", conversation)(e);
        }
    });
    state.timers.idle.set(conversation, after, task);
}
