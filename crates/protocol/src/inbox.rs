//! What the inbox's HTTP API returns: shared by the server (which builds
//! these) and the inbox (which reads them), so the two cannot drift apart.

use serde::{Deserialize, Serialize};

use crate::attribute::Attributes;
use crate::stream::runner::Entry;
use crate::wire::{ChatMessage, ConversationState, PageContext};

/// A conversation as the inbox's lists show it (`GET /api/conversations`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationSummary {
    /// Conversation id.
    pub id: i64,
    /// The site's key.
    pub site: String,
    /// Its state.
    pub state: ConversationState,
    /// The agent it is offered to or accepted by.
    pub agent_id: Option<i64>,
    /// That agent's display name.
    #[serde(default)]
    pub agent_name: Option<String>,
    /// What is known about the visitor.
    pub attributes: Attributes,
    /// Where the visitor was.
    pub page: PageContext,
    /// The highest sequence number stored (messages so far).
    pub last_seq: u64,
    /// When it started (RFC 3339, UTC).
    pub created_at: String,
    /// When its last message was stored, else when it started (RFC 3339, UTC).
    #[serde(default)]
    pub last_activity: String,
    /// The start of its last message, for the list.
    #[serde(default)]
    pub preview: Option<String>,
    /// Whether that last message is an agent's private note.
    #[serde(default)]
    pub preview_note: bool,
}

/// One conversation in full (`GET /api/conversations/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationDetail {
    /// Conversation id.
    pub id: i64,
    /// The site's key.
    #[serde(default)]
    pub site: String,
    /// Its state.
    pub state: ConversationState,
    /// The agent it is offered to or accepted by.
    pub agent_id: Option<i64>,
    /// That agent's display name.
    #[serde(default)]
    pub agent_name: Option<String>,
    /// What the stream captured and the page told.
    pub attributes: Attributes,
    /// Where the visitor is.
    pub page: PageContext,
    /// The bot part of the conversation.
    pub transcript: Vec<Entry>,
    /// The live messages after the requested sequence number, in order.
    pub messages: Vec<ChatMessage>,
    /// When the conversation started (RFC 3339, UTC).
    #[serde(default)]
    pub created_at: String,
    /// When the visitor was first seen on any page of the site (RFC 3339, UTC).
    #[serde(default)]
    pub first_seen: String,
}

/// Another agent, as the transfer menu shows them (`GET /api/colleagues`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Colleague {
    /// Email address: what a transfer names.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Whether they could take a transfer now: live chat permission,
    /// available, inbox connected and below capacity.
    pub available: bool,
}

/// Who a chat can be transferred to (`GET /api/colleagues`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Colleagues {
    /// Every other agent, by name.
    pub agents: Vec<Colleague>,
    /// Every team's name.
    pub teams: Vec<String>,
}
