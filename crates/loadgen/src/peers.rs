//! The two halves of each traffic socket: a writer that stamps and sends
//! what the pacer hands it, and a reader that accepts offers (agents) and
//! records every message that arrives in the [`Ledger`].

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use switchboard_protocol::wire::{
    AgentIn, AgentOut, Author, ChatMessage, ConversationState, VisitorIn, VisitorOut,
};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::client::Ws;
use crate::stats::{self, Clock, Ledger};

/// What a writer sends.
#[derive(Debug)]
pub enum Outgoing {
    /// A frame already serialized.
    Frame(String),
    /// A chat message with this client id, stamped with the time of writing;
    /// `conversation` is set for an agent's socket.
    Chat {
        /// The agent's conversation id; `None` on a visitor's socket.
        conversation: Option<i64>,
        /// The message's client id.
        client_id: String,
    },
}

/// A conversation an agent accepted: the conversation number `k` (from the
/// offer's page URL), its id and the agent's index.
#[derive(Debug, Clone, Copy)]
pub struct Accepted {
    /// The generator's number for the conversation.
    pub k: usize,
    /// The server's conversation id.
    pub conversation: i64,
    /// Which agent socket has it.
    pub agent: usize,
}

/// What every reader shares.
#[derive(Debug, Clone)]
pub struct Shared {
    /// The one clock.
    pub clock: Clock,
    /// Sent and received messages.
    pub ledger: Arc<Ledger>,
    /// Error frames the server sent (a refused message is also lost).
    pub errors: Arc<AtomicU64>,
}

impl Shared {
    fn error(&self, who: &str, message: &str) {
        if self.errors.fetch_add(1, Ordering::Relaxed) < 5 {
            eprintln!("{who} got an error frame: {message}");
        }
    }

    /// Records `m`, received on a socket whose last sequence number in that
    /// conversation was `last`, if `from` wrote it.
    fn record(&self, k: usize, m: &ChatMessage, last: &mut u64, from: Author) {
        if m.seq <= *last {
            self.ledger.duplicate(k);
            return;
        }
        *last = m.seq;
        if m.author != from {
            return;
        }
        let now = self.clock.micros();
        match m.client_id.as_deref().and_then(|id| stats::parse(id, &m.text)) {
            Some((mk, n, sent)) if mk == k => self.ledger.received(k, n, sent, now),
            _ => self.error("a receiver", &format!("a message not from the generator: {m:?}")),
        }
    }
}

/// Writes what arrives on `rx` until it closes, then closes the socket.
pub async fn write(
    mut sink: SplitSink<Ws, Message>,
    mut rx: mpsc::UnboundedReceiver<Outgoing>,
    clock: Clock,
) {
    while let Some(out) = rx.recv().await {
        let text = match out {
            Outgoing::Frame(text) => text,
            Outgoing::Chat { conversation, client_id } => {
                let text = stats::text(&client_id, clock.micros());
                let frame = match conversation {
                    Some(conversation) => {
                        serde_json::to_string(&AgentIn::Message { conversation, client_id, text })
                    }
                    None => serde_json::to_string(&VisitorIn::Message { client_id, text }),
                };
                frame.expect("frames serialize")
            }
        };
        if sink.send(Message::Text(text.into())).await.is_err() {
            return;
        }
    }
    let _ = sink.close().await;
}

fn parse<T: serde::de::DeserializeOwned>(msg: Message) -> Option<T> {
    match msg {
        Message::Text(t) => serde_json::from_str(&t).ok(),
        _ => None,
    }
}

/// Reads visitor `k`'s socket: records the agent's messages.
pub async fn read_visitor(mut stream: SplitStream<Ws>, k: usize, shared: Shared) {
    let mut last = 0;
    while let Some(Ok(msg)) = stream.next().await {
        match parse::<VisitorOut>(msg) {
            Some(VisitorOut::Message(m)) => shared.record(k, &m, &mut last, Author::Agent),
            Some(VisitorOut::Error { message, .. }) => shared.error("a visitor", &message),
            _ => {}
        }
    }
}

/// Reads agent `agent`'s socket: accepts every offer through `out` (weak,
/// so that the writer ends when the generator drops its sender), tells
/// `accepted` once the server confirms, and records the visitors' messages.
pub async fn read_agent(
    mut stream: SplitStream<Ws>,
    agent: usize,
    out: mpsc::WeakUnboundedSender<Outgoing>,
    accepted: mpsc::UnboundedSender<Accepted>,
    shared: Shared,
) {
    // Conversation id → (k, last sequence number seen).
    let mut mine: HashMap<i64, (usize, u64)> = HashMap::new();
    while let Some(Ok(msg)) = stream.next().await {
        match parse::<AgentOut>(msg) {
            Some(AgentOut::Offer { conversation, page, .. }) => {
                let Some(k) = page.url.rsplit('/').next().and_then(|n| n.parse().ok()) else {
                    shared.error("an agent", &format!("an offer from elsewhere: {}", page.url));
                    continue;
                };
                mine.insert(conversation, (k, 0));
                let accept =
                    serde_json::to_string(&AgentIn::Accept { conversation }).expect("frames serialize");
                if let Some(out) = out.upgrade() {
                    let _ = out.send(Outgoing::Frame(accept));
                }
            }
            Some(AgentOut::State { conversation, state: ConversationState::Active }) => {
                if let Some(&(k, _)) = mine.get(&conversation) {
                    let _ = accepted.send(Accepted { k, conversation, agent });
                }
            }
            Some(AgentOut::Message { conversation, message }) => {
                if let Some((k, last)) = mine.get_mut(&conversation) {
                    shared.record(*k, &message, last, Author::Visitor);
                }
            }
            Some(AgentOut::Error { message, .. }) => shared.error("an agent", &message),
            _ => {}
        }
    }
}
