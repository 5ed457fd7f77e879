//! Conversation state changes. Each function stores, then broadcasts: handlers
//! never do both by hand.

use switchboard_protocol::wire::{Author, ChatMessage, ConversationState};

use crate::hub::Event;
use crate::startup::AppState;
use crate::store::conversations::{Conversation, Handoff};
use crate::store::StoreError;

/// Stores a message and tells the conversation's listeners. A resent
/// `client_id` is stored once: the stored message is returned and nobody is
/// told again (the sender gets it back as its acknowledgement).
pub async fn post(
    state: &AppState,
    conversation: i64,
    author: Author,
    client_id: Option<&str>,
    text: &str,
) -> Result<(ChatMessage, bool), StoreError> {
    let (message, new) = state.store.append_message(conversation, author, client_id, text).await?;
    if new {
        state.hub.publish(conversation, Event::Message(message.clone()));
        if author != Author::System {
            crate::routing::touch(state, conversation);
        }
    }
    Ok((message, new))
}

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
fn changed(state: &AppState, conversation: i64, new_state: ConversationState) {
    if matches!(new_state, ConversationState::Ended | ConversationState::Fallback) {
        crate::routing::ended(state, conversation);
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

/// Opens a conversation for a visitor's hand-off, waiting for routing;
/// `None` when the visitor has an open one already.
pub async fn open(
    state: &AppState,
    site_id: i64,
    visitor_id: i64,
    h: &Handoff,
) -> Result<Option<Conversation>, StoreError> {
    state.store.create_conversation(site_id, visitor_id, h).await
}

/// Withdraws a hand-off nobody accepted yet because its visitor left (no
/// socket for `visitor_gone_secs`): the offer leaves the agent's inbox and
/// stops holding their capacity. Nothing when it was accepted or ended meanwhile.
pub async fn withdraw_gone(state: &AppState, conversation: i64) -> Result<bool, StoreError> {
    // Each step changes the state only from the one it expects, in one
    // statement: an accept at the same moment either comes first (and
    // nothing is withdrawn) or finds the offer gone.
    let store = &state.store;
    match store.close_offer(conversation, "ended").await? {
        Some(agent) => {
            if let Some(agent) = agent {
                state
                    .hub
                    .publish_agent(agent, switchboard_protocol::wire::AgentOut::Withdrawn { conversation });
            }
        }
        None if store.end_waiting(conversation).await? => {}
        None => return Ok(false),
    }
    post(state, conversation, Author::System, None, "The visitor left before the chat started.").await?;
    changed(state, conversation, ConversationState::Ended);
    Ok(true)
}

/// An agent accepts the conversation offered to them; the visitor is told who.
/// Returns `false` when it was not offered to this agent (or not any more).
pub async fn accept(state: &AppState, conversation: i64, agent: i64) -> Result<bool, StoreError> {
    if !state.store.accept(conversation, agent).await? {
        return Ok(false);
    }
    crate::routing::accepted(state, conversation);
    // The agent's other inbox tabs move it from offered to active too.
    state.hub.publish_agent(
        agent,
        switchboard_protocol::wire::AgentOut::State { conversation, state: ConversationState::Active },
    );
    // Who, then the state: a visitor's widget names the agent as the chat starts.
    if let Some(info) = state.store.agent_info(agent).await? {
        state.hub.publish(conversation, Event::Assigned(info));
    }
    state.hub.publish(conversation, Event::State(ConversationState::Active));
    Ok(true)
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
    post(state, conversation, Author::System, None, &text).await?;
    set_state(state, conversation, ConversationState::Ended).await?;
    Ok(true)
}

/// Tells the other side that `author` is (not) typing; not stored.
pub fn typing(state: &AppState, conversation: i64, author: Author, typing: bool) {
    state.hub.publish(conversation, Event::Typing { author, typing });
}
