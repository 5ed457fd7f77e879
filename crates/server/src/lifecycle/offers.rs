//! An offer to an agent: the one offer frame, accepting it, and taking it
//! back (declined, timed out) to route again.

use switchboard_protocol::wire::{AgentOut, ConversationState};

use crate::hub::Event;
use crate::ids::{AgentId, ConversationId};
use crate::routing::decide::Skip;
use crate::state::AppState;
use crate::store::conversations::Details;
use crate::store::events::Kind;
use crate::store::transfers::StoredTransfer;
use crate::store::StoreError;

/// Takes the offer back from `agent` (declined or timed out), tells them, and
/// routes again without them. `false` when it was not offered to them.
pub async fn move_on(
    state: &AppState,
    conversation: ConversationId,
    agent: AgentId,
    why: Skip,
) -> Result<bool, StoreError> {
    let fact = if why == Skip::TimedOut { Kind::TimedOut } else { Kind::Declined };
    move_on_as(state, conversation, agent, why, fact).await
}

/// Takes the offer back from `agent`, who is leaving (removed, or no
/// longer taking chats): routed again without them, as after a decline,
/// and recorded as withdrawn, not as their decline.
pub async fn take_back(
    state: &AppState,
    conversation: ConversationId,
    agent: AgentId,
) -> Result<bool, StoreError> {
    move_on_as(state, conversation, agent, Skip::Declined, Kind::Withdrawn).await
}

async fn move_on_as(
    state: &AppState,
    conversation: ConversationId,
    agent: AgentId,
    why: Skip,
    fact: Kind,
) -> Result<bool, StoreError> {
    let now = state.clock.now_ms();
    let due = now + super::handoff::RETRY_MS;
    let Some(missed) = state.store.withdraw_offer(conversation, agent, why, fact, due, now).await? else {
        return Ok(false);
    };
    state.metrics.offer(match fact {
        Kind::TimedOut => crate::metrics::OfferOutcome::TimedOut,
        Kind::Withdrawn => crate::metrics::OfferOutcome::Withdrawn,
        _ => crate::metrics::OfferOutcome::Declined,
    });
    state.timers.due(due);
    state.hub.publish_agent(agent, AgentOut::Withdrawn { conversation: conversation.get() });
    // (Before routing again: an agent who walked away is offered nothing more.)
    if fact == Kind::TimedOut {
        super::agents::missed_offer(state, agent, missed).await?;
    }
    super::route(state, conversation).await?;
    Ok(true)
}

/// An agent accepts the conversation offered to them; the visitor is told who.
/// Returns `false` when it was not offered to this agent (or not any more).
pub async fn accept(
    state: &AppState,
    conversation: ConversationId,
    agent: AgentId,
) -> Result<bool, StoreError> {
    let now = state.clock.now_ms();
    let idle_due = super::messages::idle_due(state, now);
    if !state.store.accept(conversation, agent, idle_due, now).await? {
        return Ok(false);
    }
    state.metrics.offer(crate::metrics::OfferOutcome::Accepted);
    state.timers.due(idle_due);
    // The agent's other inbox tabs move it from offered to active too.
    state.hub.publish_agent(
        agent,
        AgentOut::State { conversation: conversation.get(), state: ConversationState::Active },
    );
    // Who, then the state: a visitor's widget names the agent as the chat starts.
    if let Some(info) = state.store.agent_info(agent).await? {
        state.hub.publish(conversation, Event::Assigned(info));
    }
    state.hub.publish(conversation, Event::State(ConversationState::Active));
    Ok(true)
}

/// The offer frame for `agent`, wherever it is sent from (as it is made, or
/// again to an inbox that reconnected), so the two can never differ: when it
/// is offered back to the agent who transferred it, their own name would
/// explain nothing, so it names no transferrer.
pub fn offer_frame(
    conversation: ConversationId,
    agent: AgentId,
    details: Details,
    transfer: Option<StoredTransfer>,
    expires_in_secs: u64,
) -> AgentOut {
    AgentOut::Offer {
        conversation: conversation.get(),
        attributes: details.attributes,
        page: details.page,
        transcript: details.transcript,
        expires_in_secs,
        transferred_by: transfer.filter(|t| t.by != Some(agent)).map(|t| t.by_name),
    }
}

/// The offers waiting for `agent` (made while their inbox was away), each
/// with the time it has left.
pub async fn pending(state: &AppState, agent: AgentId) -> Result<Vec<AgentOut>, StoreError> {
    let store = &state.store;
    let timeout_ms = state.settings.routing.accept_timeout_secs.saturating_mul(1000);
    let now = state.clock.now_ms();
    let mut offers = Vec::new();
    for (conv, offered_at) in store.conversations_in(ConversationState::Offered, Some(agent)).await? {
        let elapsed = u64::try_from(now - offered_at.unwrap_or(now)).unwrap_or(0);
        let details = store.details(conv.id).await?;
        let transfer = store.latest_transfer(conv.id).await?;
        let left = timeout_ms.saturating_sub(elapsed).div_ceil(1000);
        offers.push(offer_frame(conv.id, agent, details, transfer, left));
    }
    Ok(offers)
}
