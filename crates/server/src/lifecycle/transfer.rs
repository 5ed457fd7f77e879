//! An agent hands an active chat to another agent or a team. Checked and done
//! under the routing lock, so the target cannot fill up or leave between the
//! check and the offer: the chat waits again, a system message tells everyone,
//! the transferring agent's inboxes let it go, and routing offers it to the
//! target (then, should they not take it, to everyone but the transferring
//! agent, and should nobody, back to the transferring agent; see
//! [`crate::routing::decide`]).

use switchboard_protocol::auth::AgentProfile;
use switchboard_protocol::wire::{AgentOut, Author, ConversationState, TransferTarget};

use super::handoff::route_locked;
use crate::ids::{AgentId, ConversationId};
use crate::routing::decide::{Directory, Skip};
use crate::routing::directory;

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
    let _one_at_a_time = state.timers.lock.lock().await;
    let conv = state.store.conversation(conversation).await?.ok_or(TransferError::NotYours)?;
    if conv.agent_id != Some(AgentId::new(from.id)) || conv.state == ConversationState::Offered {
        return Err(TransferError::NotYours);
    }
    if conv.state != ConversationState::Active {
        return Err(TransferError::Ended);
    }
    let dir = directory(state, conv.site_id).await?;
    let (to_name, said) = check_target(state, &dir, from, to).await?;
    // Stored in one transaction; `false` when the visitor ended it meanwhile.
    // It waits for routing, due again a little later should routing it now fail.
    let due = state.clock.now_ms() + super::handoff::RETRY_MS;
    if !state.store.transfer(conversation, from.id, &from.name, to, due).await? {
        return Err(TransferError::Ended);
    }
    state.timers.due(due);
    // The transfer stands from here on: a failure is logged, and routing
    // goes ahead (a chat left waiting would strand the visitor).
    if let Err(e) = super::post(state, conversation, Author::System, None, &said).await {
        tracing::error!(error = %e, conversation = %conversation, "storing a transfer's message");
    }
    // After the message, so the transferring agent's inboxes still show it.
    state.hub.publish(conversation, Event::Transferred { from: AgentId::new(from.id) });
    state.hub.publish_agent(
        AgentId::new(from.id),
        AgentOut::Transferred { conversation: conversation.get(), to: to_name },
    );
    if let Err(e) = route_locked(state, conversation).await {
        tracing::error!(error = %e, conversation = %conversation, "routing a transferred chat; the sweeper tries again");
    }
    Ok(())
}

/// Checks the target could take the chat now; returns its name and what the
/// chat is told.
async fn check_target(
    state: &AppState,
    dir: &Directory,
    from: &AgentProfile,
    to: &TransferTarget,
) -> Result<(String, String), TransferError> {
    Ok(match to {
        TransferTarget::Agent { email } => {
            let name = agent_can_take(state, dir, from.id, email).await?;
            let said = format!("{} transferred the chat to {name}.", from.name);
            (name, said)
        }
        TransferTarget::Team { name } => {
            let name = team_can_take(state, dir, from.id, name).await?;
            let said = format!("{} transferred the chat to the {name} team.", from.name);
            (name, said)
        }
    })
}

/// Checks the agent with `email` could take the chat now; returns their name.
async fn agent_can_take(
    state: &AppState,
    dir: &Directory,
    from: i64,
    email: &str,
) -> Result<String, TransferError> {
    let a = dir
        .by_email(email.trim())
        .ok_or_else(|| TransferError::Unknown(format!("no agent has the email {email}")))?;
    if a.id == from {
        return Err(TransferError::Unavailable("this chat is already yours".to_owned()));
    }
    let name = state.store.agent_info(AgentId::new(a.id)).await?.map_or_else(|| a.email.clone(), |i| i.name);
    dir.can_take(a).map_err(|why| TransferError::Unavailable(why_not(&name, why, dir.capacity)))?;
    Ok(name)
}

/// Checks someone in the team called `name` other than `from` could take the
/// chat now; returns the team's name as stored.
async fn team_can_take(
    state: &AppState,
    dir: &Directory,
    from: i64,
    name: &str,
) -> Result<String, TransferError> {
    let name = name.trim();
    let members = dir
        .teams
        .get(&name.to_lowercase())
        .ok_or_else(|| TransferError::Unknown(format!("no team is called {name}")))?;
    let name = state.store.team(name).await?.map_or_else(|| name.to_owned(), |t| t.name);
    let someone = members
        .iter()
        .filter(|&&id| id != from)
        .filter_map(|&id| dir.agent(id))
        .any(|a| dir.can_take(a).is_ok());
    if !someone {
        return Err(TransferError::Unavailable(format!(
            "nobody else in the {name} team can take a chat now"
        )));
    }
    Ok(name)
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
