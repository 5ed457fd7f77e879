//! Fan-out of what happened, to whoever listens: per conversation, per agent,
//! and session ends. Events are only ever published after they are stored,
//! and are hints: a receiver that lags re-syncs from storage instead of
//! losing anything. [`Hub`] is the handle; what carries the events is a
//! [`Fanout`]: [`InProcess`] (one broadcast channel per conversation
//! with listeners) for a single node, or `cluster::bus::Bus` (the same, and
//! NATS between nodes), which is why events serialize.

use crate::ids::{AgentId, ConversationId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use switchboard_protocol::wire::{AgentInfo, AgentOut, Author, ChatMessage, ConversationState};
use tokio::sync::broadcast;

/// Something that happened in a conversation.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
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
        from: AgentId,
    },
    /// Someone is (not) typing (not stored).
    Typing {
        /// Who.
        author: Author,
        /// Whether typing.
        typing: bool,
    },
    /// Events may have been missed (the bus between nodes dropped some):
    /// followers read what is stored. Only ever delivered on this node.
    #[serde(skip)]
    Resync,
}

/// A session, or every session of an agent, ended (stored first): the
/// connections it authenticated close.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", content = "of", rename_all = "snake_case")]
pub enum SessionEnd {
    /// The session with this token hash (a logout).
    Session(String),
    /// Every session of this agent (a new password, removal).
    Agent(AgentId),
    /// This agent may no longer take chats: their inbox sockets close.
    LiveChatRevoked(AgentId),
}

impl SessionEnd {
    /// Whether this ends a connection of `agent` opened with the session
    /// `token_hash`.
    pub fn ends(&self, agent: AgentId, token_hash: &str) -> bool {
        match self {
            Self::Session(h) => h == token_hash,
            Self::Agent(a) | Self::LiveChatRevoked(a) => *a == agent,
        }
    }
}

/// What carries events to their listeners.
pub trait Fanout: Send + Sync + std::fmt::Debug + 'static {
    /// Listens to a conversation. Subscribe before reading what is stored,
    /// so nothing published in between is missed.
    fn subscribe(&self, conversation: ConversationId) -> broadcast::Receiver<Event>;
    /// Tells every listener of `conversation`.
    fn publish(&self, conversation: ConversationId, event: Event);
    /// Listens to what is addressed to an agent, on every one of their connections.
    fn subscribe_agent(&self, agent: AgentId) -> broadcast::Receiver<AgentOut>;
    /// Sends `frame` to every connection of `agent`.
    fn publish_agent(&self, agent: AgentId, frame: AgentOut);
    /// Listens to session ends.
    fn session_ends(&self) -> broadcast::Receiver<SessionEnd>;
    /// Tells every connection that `end` happened.
    fn end_sessions(&self, end: SessionEnd);
    /// Fires when events addressed to agents may have been missed: every
    /// inbox reads its offers and availability from storage.
    fn resyncs(&self) -> broadcast::Receiver<()>;
}

/// The fan-out handle every part of the server shares; cheap to clone.
#[derive(Debug, Clone)]
pub struct Hub(Arc<dyn Fanout>);

impl Default for Hub {
    fn default() -> Self {
        Self(Arc::new(InProcess::default()))
    }
}

impl Hub {
    /// A hub over `fanout`.
    pub fn new(fanout: impl Fanout) -> Self {
        Self(Arc::new(fanout))
    }
}

impl std::ops::Deref for Hub {
    type Target = dyn Fanout;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

/// Fan-out inside this process: channels by conversation and by agent.
#[derive(Debug)]
pub struct InProcess {
    channels: Arc<Mutex<HashMap<ConversationId, broadcast::Sender<Event>>>>,
    agents: Arc<Mutex<HashMap<AgentId, broadcast::Sender<AgentOut>>>>,
    sessions: broadcast::Sender<SessionEnd>,
    /// Never fires: in one process nothing is missed but by lagging,
    /// which each receiver sees for itself.
    resyncs: broadcast::Sender<()>,
}

impl Default for InProcess {
    fn default() -> Self {
        Self {
            channels: Arc::default(),
            agents: Arc::default(),
            sessions: broadcast::channel(CAPACITY).0,
            resyncs: broadcast::channel(1).0,
        }
    }
}

impl InProcess {
    /// The agents someone here listens for (an inbox is open).
    pub fn agents_listening(&self) -> Vec<AgentId> {
        let agents = self.agents.lock().unwrap_or_else(|e| e.into_inner());
        agents.iter().filter(|(_, tx)| tx.receiver_count() > 0).map(|(id, _)| *id).collect()
    }

    /// The conversations someone here listens to.
    pub fn followed(&self) -> Vec<ConversationId> {
        let channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels.iter().filter(|(_, tx)| tx.receiver_count() > 0).map(|(id, _)| *id).collect()
    }
}

/// Events a listener may fall behind by before it re-syncs from storage.
const CAPACITY: usize = 256;

impl Fanout for InProcess {
    /// Listens to a conversation. Subscribe before reading what is stored, so
    /// nothing published in between is missed.
    fn subscribe(&self, conversation: ConversationId) -> broadcast::Receiver<Event> {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels.entry(conversation).or_insert_with(|| broadcast::channel(CAPACITY).0).subscribe()
    }

    /// Tells every listener of `conversation`; forgets channels nobody hears.
    fn publish(&self, conversation: ConversationId, event: Event) {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = channels.get(&conversation) {
            if tx.send(event).is_err() {
                channels.remove(&conversation);
            }
        }
    }

    /// Listens to what is addressed to an agent (offers), on every one of
    /// their connections.
    fn subscribe_agent(&self, agent: AgentId) -> broadcast::Receiver<AgentOut> {
        let mut agents = self.agents.lock().unwrap_or_else(|e| e.into_inner());
        agents.entry(agent).or_insert_with(|| broadcast::channel(CAPACITY).0).subscribe()
    }

    /// Listens to session ends (every connection authenticated by a
    /// session listens; a lagging one re-checks its session in storage).
    fn session_ends(&self) -> broadcast::Receiver<SessionEnd> {
        self.sessions.subscribe()
    }

    /// Tells every connection that `end` happened.
    fn end_sessions(&self, end: SessionEnd) {
        let _ = self.sessions.send(end);
    }

    /// Sends `frame` to every connection of `agent`.
    fn publish_agent(&self, agent: AgentId, frame: AgentOut) {
        let mut agents = self.agents.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = agents.get(&agent) {
            if tx.send(frame).is_err() {
                agents.remove(&agent);
            }
        }
    }

    fn resyncs(&self) -> broadcast::Receiver<()> {
        self.resyncs.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_protocol::wire::{AgentInfo, ChatMessage};

    #[test]
    fn events_and_session_ends_survive_a_trip_through_json() {
        let message = ChatMessage {
            seq: 3,
            author: Author::Agent,
            client_id: Some("c1".into()),
            text: "Hi".into(),
            at: "t".into(),
            file: None,
        };
        let events = [
            Event::Message(message),
            Event::State(ConversationState::Active),
            Event::Assigned(AgentInfo { name: "Ada".into(), avatar_url: None }),
            Event::Transferred { from: AgentId::new(7) },
            Event::Typing { author: Author::Visitor, typing: true },
        ];
        for e in events {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e, "{json}");
        }
        for end in [
            SessionEnd::Session("h".into()),
            SessionEnd::Agent(AgentId::new(2)),
            SessionEnd::LiveChatRevoked(AgentId::new(3)),
        ] {
            let json = serde_json::to_string(&end).unwrap();
            assert_eq!(serde_json::from_str::<SessionEnd>(&json).unwrap(), end, "{json}");
        }
    }

    #[tokio::test]
    async fn a_hub_delivers_to_the_listeners_of_a_conversation_and_of_an_agent() {
        let hub = Hub::default();
        let (one, nine, two) = (ConversationId::new(1), ConversationId::new(9), AgentId::new(2));
        let mut conversation = hub.subscribe(one);
        let mut agent = hub.subscribe_agent(two);
        hub.publish(one, Event::Transferred { from: two });
        hub.publish(nine, Event::Transferred { from: AgentId::new(3) });
        hub.publish_agent(two, AgentOut::Withdrawn { conversation: 1 });
        assert_eq!(conversation.recv().await.unwrap(), Event::Transferred { from: two });
        assert!(conversation.try_recv().is_err(), "nothing of another conversation");
        assert_eq!(agent.recv().await.unwrap(), AgentOut::Withdrawn { conversation: 1 });
    }
}
