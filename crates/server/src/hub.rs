//! Fan-out: one broadcast channel per conversation with listeners. Events are
//! only ever published after they are stored, so a receiver that lags re-syncs
//! from storage instead of losing anything.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use switchboard_protocol::wire::{AgentInfo, AgentOut, Author, ChatMessage, ConversationState};
use tokio::sync::broadcast;

/// Something that happened in a conversation.
#[derive(Debug, Clone)]
pub enum Event {
    /// A stored message.
    Message(ChatMessage),
    /// A stored state change.
    State(ConversationState),
    /// An agent accepted the conversation.
    Assigned(AgentInfo),
    /// The agent `from` transferred the conversation (stored first): their
    /// connections stop following it.
    Transferred {
        /// The agent who transferred it.
        from: i64,
    },
    /// Someone is (not) typing (not stored).
    Typing {
        /// Who.
        author: Author,
        /// Whether typing.
        typing: bool,
    },
}

/// A session, or every session of an agent, ended (stored first): the
/// connections it authenticated close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEnd {
    /// The session with this token hash (a logout).
    Session(String),
    /// Every session of this agent (a new password, removal).
    Agent(i64),
    /// This agent may no longer take chats: their inbox sockets close.
    LiveChatRevoked(i64),
}

impl SessionEnd {
    /// Whether this ends a connection of `agent` opened with the session
    /// `token_hash`.
    pub fn ends(&self, agent: i64, token_hash: &str) -> bool {
        match self {
            Self::Session(h) => h == token_hash,
            Self::Agent(a) | Self::LiveChatRevoked(a) => *a == agent,
        }
    }
}

/// The channels, by conversation id.
#[derive(Debug, Clone)]
pub struct Hub {
    channels: Arc<Mutex<HashMap<i64, broadcast::Sender<Event>>>>,
    agents: Arc<Mutex<HashMap<i64, broadcast::Sender<AgentOut>>>>,
    sessions: broadcast::Sender<SessionEnd>,
}

impl Default for Hub {
    fn default() -> Self {
        Self { channels: Arc::default(), agents: Arc::default(), sessions: broadcast::channel(CAPACITY).0 }
    }
}

/// Events a listener may fall behind by before it re-syncs from storage.
const CAPACITY: usize = 256;

impl Hub {
    /// Listens to a conversation. Subscribe before reading what is stored, so
    /// nothing published in between is missed.
    pub fn subscribe(&self, conversation: i64) -> broadcast::Receiver<Event> {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels.entry(conversation).or_insert_with(|| broadcast::channel(CAPACITY).0).subscribe()
    }

    /// Tells every listener of `conversation`; forgets channels nobody hears.
    pub fn publish(&self, conversation: i64, event: Event) {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = channels.get(&conversation) {
            if tx.send(event).is_err() {
                channels.remove(&conversation);
            }
        }
    }

    /// Listens to what is addressed to an agent (offers), on every one of
    /// their connections.
    pub fn subscribe_agent(&self, agent: i64) -> broadcast::Receiver<AgentOut> {
        let mut agents = self.agents.lock().unwrap_or_else(|e| e.into_inner());
        agents.entry(agent).or_insert_with(|| broadcast::channel(CAPACITY).0).subscribe()
    }

    /// Listens to session ends (every connection authenticated by a
    /// session listens; a lagging one re-checks its session in storage).
    pub fn session_ends(&self) -> broadcast::Receiver<SessionEnd> {
        self.sessions.subscribe()
    }

    /// Tells every connection that `end` happened.
    pub fn end_sessions(&self, end: SessionEnd) {
        let _ = self.sessions.send(end);
    }

    /// Sends `frame` to every connection of `agent`.
    pub fn publish_agent(&self, agent: i64, frame: AgentOut) {
        let mut agents = self.agents.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = agents.get(&agent) {
            if tx.send(frame).is_err() {
                agents.remove(&agent);
            }
        }
    }
}
