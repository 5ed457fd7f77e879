//! An agent hands an active chat to another agent or a team. Checked, done
//! and routed in one transaction holding the routing lock, so the target
//! cannot fill up or leave between the check and the offer: the chat waits again, a system message tells everyone,
//! the transferring agent's inboxes let it go, and routing offers it to the
//! target (then, should they not take it, to everyone but the transferring
//! agent, and should nobody, back to the transferring agent; see
//! [`crate::routing::decide`]).

use switchboard_protocol::auth::AgentProfile;
use switchboard_protocol::wire::{AgentOut, Author, ConversationState, TransferTarget};

use crate::ids::{AgentId, ConversationId};
use crate::routing::decide::{Directory, Skip};
use crate::store::conversations::Conversation;
use crate::store::decision::Facts;

use crate::hub::Event;
use crate::state::AppState;
use crate::store::StoreError;

/// Why a transfer was refused.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The chat is not active with the transferring agent.
    #[error("this conversation is not yours")]
    NotYours,
    /// The chat is over.
    #[error("the conversation has ended")]
    Ended,
    /// No such agent or team.
    #[error("{0}")]
    Unknown(String),
    /// The agent, or everyone in the team, cannot take it now.
    #[error("{0}")]
    Unavailable(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Transfers `conversation`, active with `from`, to `to`.
pub async fn transfer(
    state: &AppState,
    conversation: ConversationId,
    from: &AgentProfile,
    to: &TransferTarget,
) -> Result<(), TransferError> {
    // Stored and routed as checked: an email or team name with spaces around
    // it would pass the check, then match nobody in routing.
    let to = &match to {
        TransferTarget::Agent { email } => TransferTarget::Agent { email: email.trim().to_lowercase() },
        TransferTarget::Team { name } => TransferTarget::Team { name: name.trim().to_owned() },
    };
    // The target's name as people read it (the check below is by id, under
    // the lock); what the chat is told.
    let to_name = display_name(state, to).await?;
    let said = match to {
        TransferTarget::Agent { .. } => format!("{} transferred the chat to {to_name}.", from.name),
        TransferTarget::Team { .. } => format!("{} transferred the chat to the {to_name} team.", from.name),
    };
    let me = AgentId::new(from.id);
    let now = state.clock.now_ms();
    let due = now + super::handoff::RETRY_MS;
    let routed = state
        .store
        .transfer_and_route(
            conversation,
            me,
            &from.name,
            to,
            due,
            now,
            |conv, facts| check(state, conv, facts, me, to, &to_name),
            |snapshot| crate::routing::plan(state, snapshot),
        )
        .await??;
    state.timers.due(due);
    // The transfer and the offer stand from here on: a failure to store the
    // message is logged, and the offer goes ahead.
    if let Err(e) = super::post(state, conversation, Author::System, None, &said).await {
        tracing::error!(error = %e, conversation = %conversation, "storing a transfer's message");
    }
    // After the message, so the transferring agent's inboxes still show it.
    state.hub.publish(conversation, Event::Transferred { from: me });
    state.hub.publish_agent(me, AgentOut::Transferred { conversation: conversation.get(), to: to_name });
    super::handoff::announce(state, conversation, routed).await?;
    Ok(())
}

/// The target's name as people read it: the agent's display name, or the
/// team's name as stored (as given when there is no such one: the check
/// refuses it).
async fn display_name(state: &AppState, to: &TransferTarget) -> Result<String, StoreError> {
    Ok(match to {
        TransferTarget::Agent { email } => match state.store.agent_by_email(email).await? {
            Some(a) => a.profile.name,
            None => email.clone(),
        },
        TransferTarget::Team { name } => {
            state.store.team(name).await?.map_or_else(|| name.clone(), |t| t.name)
        }
    })
}

/// Checks, under the routing lock, that the chat is active with `from` and
/// the target could take it now.
fn check(
    state: &AppState,
    conv: Option<&Conversation>,
    facts: &Facts,
    from: AgentId,
    to: &TransferTarget,
    to_name: &str,
) -> Result<(), TransferError> {
    let conv = conv.ok_or(TransferError::NotYours)?;
    if conv.agent_id != Some(from) || conv.state == ConversationState::Offered {
        return Err(TransferError::NotYours);
    }
    if conv.state != ConversationState::Active {
        return Err(TransferError::Ended);
    }
    let dir = crate::routing::directory_at(state, facts, state.clock.now());
    match to {
        TransferTarget::Agent { email } => agent_can_take(&dir, from, email, to_name),
        TransferTarget::Team { name } => team_can_take(&dir, from, name, to_name),
    }
}

/// Checks the agent with `email` could take the chat now.
fn agent_can_take(dir: &Directory, from: AgentId, email: &str, name: &str) -> Result<(), TransferError> {
    let a = dir
        .by_email(email.trim())
        .ok_or_else(|| TransferError::Unknown(format!("no agent has the email {email}")))?;
    if a.id == from.get() {
        return Err(TransferError::Unavailable("this chat is already yours".to_owned()));
    }
    dir.can_take(a).map_err(|why| TransferError::Unavailable(why_not(name, why, a.capacity)))
}

/// Checks someone in the team called `name` other than `from` could take
/// the chat now.
fn team_can_take(dir: &Directory, from: AgentId, name: &str, display: &str) -> Result<(), TransferError> {
    let name = name.trim();
    let members = dir
        .teams
        .get(&name.to_lowercase())
        .ok_or_else(|| TransferError::Unknown(format!("no team is called {name}")))?;
    let someone = members
        .iter()
        .filter(|&&id| id != from.get())
        .filter_map(|&id| dir.agent(id))
        .any(|a| dir.can_take(a).is_ok());
    if !someone {
        return Err(TransferError::Unavailable(format!(
            "nobody else in the {display} team can take a chat now"
        )));
    }
    Ok(())
}

/// Why an agent cannot take a chat, for the transferring agent.
fn why_not(name: &str, why: Skip, capacity: u32) -> String {
    match why {
        Skip::NoPermission => format!("{name} has no live chat permission"),
        Skip::Unavailable => format!("{name} is not available (switched off, off schedule or not connected)"),
        Skip::AtCapacity => format!("{name} is at capacity ({capacity} open chats)"),
        other => format!("{name} cannot take it: {}", other.describe()),
    }
}
