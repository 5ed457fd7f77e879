//! The end of a chat, whoever ends it (the visitor, the agent, inactivity).

use switchboard_protocol::admin::EndedBy;
use switchboard_protocol::wire::{AgentOut, Author, ConversationState};

use crate::hub::Event;
use crate::ids::{AgentId, ConversationId};
use crate::state::AppState;
use crate::store::StoreError;

/// Ends a conversation still open, ended by `by` (the visitor, or its
/// agent leaving), and tells its listeners.
pub async fn end(state: &AppState, conversation: ConversationId, by: EndedBy) -> Result<(), StoreError> {
    let now = state.clock.now_ms();
    // An offer still open (the visitor left first) disappears from the
    // agent's inbox; checked and changed in one transaction holding the
    // write lock, so an offer made at the same moment is either withdrawn
    // here or never made.
    if let Some(Some(agent)) = state.store.end_open(conversation, by, now).await? {
        state.hub.publish_agent(agent, AgentOut::Withdrawn { conversation: conversation.get() });
    }
    changed(state, conversation, ConversationState::Ended);
    Ok(())
}

/// After a conversation moved to `new_state` (stored, with its due time):
/// its listeners are told.
pub(super) fn changed(state: &AppState, conversation: ConversationId, new_state: ConversationState) {
    state.hub.publish(conversation, Event::State(new_state));
}

/// The agent who has an active chat ends it; `false` when it is not theirs
/// or not active (any more).
pub async fn end_by_agent(
    state: &AppState,
    conversation: ConversationId,
    agent: AgentId,
) -> Result<bool, StoreError> {
    let ended = state.store.end_by_agent(conversation, agent, state.clock.now_ms()).await?;
    if ended {
        changed(state, conversation, ConversationState::Ended);
    }
    Ok(ended)
}

/// Ends a chat idle since `last` (its last activity as the sweeper read
/// it), telling both sides: a system message, then the ended state.
/// Nothing when it is no longer active or someone wrote since.
pub async fn end_idle(state: &AppState, conversation: ConversationId, last: i64) -> Result<bool, StoreError> {
    if !state.store.end_idle(conversation, last, state.clock.now_ms()).await? {
        return Ok(false);
    }
    let minutes = state.settings.routing.inactivity_secs.div_ceil(60);
    let text = if minutes == 1 {
        "The chat ended after 1 minute without messages.".to_owned()
    } else {
        format!("The chat ended after {minutes} minutes without messages.")
    };
    // The end is stored: it is told even if its message could not be.
    if let Err(e) = super::post(state, conversation, Author::System, None, &text).await {
        tracing::error!(error = %e, conversation = %conversation, "storing an idle chat's last message");
    }
    changed(state, conversation, ConversationState::Ended);
    Ok(true)
}
