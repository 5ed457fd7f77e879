//! Routing a handed-off conversation. For now a plain round robin over the
//! connected, available agents, kept fair across restarts by the stored
//! rotation position; the routing issue fills [`route`] with the full decision
//! (teams, rules, capacity, accept timeout) without changing its callers.

use switchboard_protocol::wire::{AgentOut, Author, ConversationState};

use crate::conversation;
use crate::startup::AppState;
use crate::store::conversations::Conversation;
use crate::store::StoreError;

/// What the visitor reads when nobody can take the chat and the site set no
/// fallback message.
pub const DEFAULT_FALLBACK: &str = "Sorry, nobody is available to chat right now. Please try again later.";

/// The agent after `last` in strict rotation over `eligible` (ascending ids),
/// wrapping around: after 3 comes 4, then 5, then 1 again.
pub fn next_in_rotation(eligible: &[i64], last: Option<i64>) -> Option<i64> {
    let after = last.and_then(|l| eligible.iter().find(|&&a| a > l));
    after.or_else(|| eligible.first()).copied()
}

/// Offers `conv` to the next available agent, or gives the visitor the
/// fallback message when there is none.
pub async fn route(state: &AppState, conv: &Conversation) -> Result<(), StoreError> {
    let store = &state.store;
    tracing::debug!(conversation = conv.id, "routing");
    let last = store.last_in_rotation(conv.site_id).await?;
    tracing::debug!(?last, available = ?state.presence.available(), "rotation");
    match next_in_rotation(&state.presence.available(), last) {
        Some(agent) => {
            store.offer(conv, agent).await?;
            state.hub.publish(conv.id, crate::hub::Event::State(ConversationState::Offered));
            let d = store.details(conv.id).await?;
            state.hub.publish_agent(
                agent,
                AgentOut::Offer {
                    conversation: conv.id,
                    attributes: d.attributes,
                    page: d.page,
                    transcript: d.transcript,
                },
            );
        }
        None => {
            let text = store.fallback_message(conv.site_id).await?;
            let text = if text.trim().is_empty() { DEFAULT_FALLBACK.to_owned() } else { text };
            conversation::post(state, conv.id, Author::System, None, &text).await?;
            conversation::set_state(state, conv.id, ConversationState::Fallback).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::next_in_rotation;

    #[test]
    fn rotation_is_strict_and_wraps_around() {
        let agents = [1, 3, 4, 5];
        assert_eq!(next_in_rotation(&agents, None), Some(1));
        assert_eq!(next_in_rotation(&agents, Some(1)), Some(3));
        assert_eq!(next_in_rotation(&agents, Some(3)), Some(4));
        assert_eq!(next_in_rotation(&agents, Some(5)), Some(1));
        // The last agent went away: the next one after them still comes next.
        assert_eq!(next_in_rotation(&agents, Some(2)), Some(3));
        assert_eq!(next_in_rotation(&[], Some(2)), None);
    }
}
