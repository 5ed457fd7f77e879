//! A hand-off from its opening to an offer or the fallback: routing it, a
//! visitor who left before anyone accepted. Each step that leaves a
//! conversation waiting stores a due time [`RETRY_MS`] ahead, so should
//! routing it at once fail (storage trouble, a stop) the sweeper routes it
//! then.

use std::time::Duration;
use switchboard_protocol::admin::EndedBy;
use switchboard_protocol::wire::{Author, ConversationState};

use super::log;
use crate::hub::Event;
use crate::ids::{ConversationId, SiteId, VisitorId};
use crate::state::AppState;
use crate::store::conversations::{Conversation, Handoff};
use crate::store::decision::{Routed, Snapshot};
use crate::store::StoreError;

/// What the visitor reads when nobody can take the chat and the site set no
/// fallback message.
pub const DEFAULT_FALLBACK: &str = "Sorry, nobody is available to chat right now. Please try again later.";

/// Opens a conversation for a visitor's hand-off, waiting for routing;
/// `None` when the visitor has an open one already.
pub async fn open(
    state: &AppState,
    site_id: SiteId,
    visitor_id: VisitorId,
    h: &Handoff,
) -> Result<Option<Conversation>, StoreError> {
    let now = state.clock.now_ms();
    let due = now + RETRY_MS;
    let conv = state.store.create_conversation(site_id, visitor_id, h, due, now).await?;
    state.timers.due(due);
    Ok(conv)
}

/// Routes a waiting conversation: offers it to an agent or gives the visitor
/// the fallback message.
///
/// One transaction holding the routing lock: the snapshot, the pure
/// decision, and the offer or fallback stored with it; then the news.
pub async fn route(state: &AppState, id: ConversationId) -> Result<(), StoreError> {
    let started = std::time::Instant::now();
    let routed = state.store.route(id, |snapshot| crate::routing::plan(state, snapshot)).await?;
    if !matches!(routed, Routed::NotWaiting) {
        state.metrics.routed(started.elapsed());
    }
    announce(state, id, routed).await
}

/// Tells whoever it concerns what routing `id` stored: the offer to the
/// agent (and the offered state), or the fallback message to the visitor.
pub(super) async fn announce(state: &AppState, id: ConversationId, routed: Routed) -> Result<(), StoreError> {
    match routed {
        Routed::NotWaiting => {}
        Routed::Waits { due } => state.timers.due(due),
        Routed::Offered { agent, due, snapshot } => {
            state.timers.due(due);
            state.hub.publish(id, Event::State(ConversationState::Offered));
            let timeout = state.settings.routing.accept_timeout_secs;
            let Snapshot { details, transfer, .. } = *snapshot;
            let offer = super::offers::offer_frame(id, agent, details, transfer, timeout);
            state.hub.publish_agent(agent, offer);
        }
        Routed::FellBack { message } => {
            let text = if message.trim().is_empty() { DEFAULT_FALLBACK.to_owned() } else { message };
            // The fallback is stored: it is told even if its message could not be.
            if let Err(e) = super::post(state, id, Author::System, None, &text).await {
                tracing::error!(error = %e, conversation = %id, "storing the fallback message");
            }
            state.hub.publish(id, Event::State(ConversationState::Fallback));
        }
    }
    Ok(())
}

/// How long after a step that leaves a conversation waiting the sweeper
/// routes it, should routing it at once not happen (unix ms).
pub const RETRY_MS: i64 = 5_000;

/// `visitor`'s last socket closed after a hand-off: unless they come back
/// within `visitor_gone_secs`, their conversation, if still waiting for an
/// agent (read from storage then), is withdrawn
/// ([`withdraw_gone`]), so it holds nobody's capacity.
pub fn visitor_left(state: &AppState, visitor: VisitorId) {
    // In a cluster the visitor may be back on another node, which this one
    // cannot see: their offer times out as any other instead.
    if state.clustered() {
        return;
    }
    let s = state.clone();
    let after = Duration::from_secs(state.settings.limits.visitor_gone_secs.min(MAX_WAIT_SECS));
    state.timers.gone.set(visitor, after, async move {
        if s.visitors.connected(visitor.get()) {
            return;
        }
        let conv = match s.store.latest_conversation(visitor).await {
            Ok(Some(c)) if matches!(c.state, ConversationState::Waiting | ConversationState::Offered) => c,
            Ok(_) => return,
            Err(e) => return tracing::error!(error = %e, visitor = %visitor, "reading a left visitor's conversation"),
        };
        if let Err(e) = withdraw_gone(&s, conv.id).await {
            log("withdrawing a left visitor's hand-off", conv.id)(e);
        }
    });
}

/// Longest timer a setting may ask for (a day), so no setting overflows the clock.
const MAX_WAIT_SECS: u64 = 24 * 3600;

/// `visitor` is back (said hello): their hand-off stays.
pub fn visitor_back(state: &AppState, visitor: VisitorId) {
    state.timers.gone.cancel(&visitor);
}

/// Withdraws a hand-off nobody accepted yet because its visitor left (no
/// socket for `visitor_gone_secs`): the offer leaves the agent's inbox and
/// stops holding their capacity. Nothing when it was accepted or ended meanwhile.
pub async fn withdraw_gone(state: &AppState, conversation: ConversationId) -> Result<bool, StoreError> {
    // Each step changes the state only from the one it expects, in one
    // statement: an accept at the same moment either comes first (and
    // nothing is withdrawn) or finds the offer gone.
    let store = &state.store;
    let now = state.clock.now_ms();
    match store.close_offer(conversation, EndedBy::Gone, now).await? {
        Some(agent) => {
            if let Some(agent) = agent {
                state.hub.publish_agent(
                    agent,
                    switchboard_protocol::wire::AgentOut::Withdrawn { conversation: conversation.get() },
                );
            }
        }
        None if store.end_waiting(conversation, EndedBy::Gone, now).await? => {}
        None => return Ok(false),
    }
    let said = "The visitor left before the chat started.";
    if let Err(e) = super::post(state, conversation, Author::System, None, said).await {
        tracing::error!(error = %e, conversation = %conversation, "storing a withdrawn hand-off's message");
    }
    super::ending::changed(state, conversation, ConversationState::Ended);
    Ok(true)
}

/// After a start, nobody is connected yet: a visitor who does not come back
/// in time gets their unaccepted hand-off withdrawn, as if they had just
/// left. (Due times need no pass: they are rows the sweeper claims.)
pub async fn after_start(state: &AppState) -> Result<(), StoreError> {
    for s in [ConversationState::Waiting, ConversationState::Offered] {
        for (conv, _) in state.store.conversations_in(s, None).await? {
            visitor_left(state, conv.visitor_id);
        }
    }
    Ok(())
}
