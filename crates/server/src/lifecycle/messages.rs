//! Messages (stored, numbered, then told) and typing (told only).

use switchboard_protocol::wire::{Author, ChatMessage};

use crate::hub::Event;
use crate::state::AppState;
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
            super::ending::touch(state, conversation);
        }
    }
    Ok((message, new))
}

/// Tells the other side that `author` is (not) typing; not stored.
pub fn typing(state: &AppState, conversation: i64, author: Author, typing: bool) {
    state.hub.publish(conversation, Event::Typing { author, typing });
}
