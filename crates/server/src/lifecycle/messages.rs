//! Messages (stored, numbered, then told) and typing (told only).

use switchboard_protocol::files::FileRef;
use switchboard_protocol::wire::{Author, ChatMessage};

use crate::hub::Event;
use crate::ids::ConversationId;
use crate::state::AppState;
use crate::store::StoreError;

/// Stores a message and tells the conversation's listeners. A resent
/// `client_id` is stored once: the stored message is returned and nobody is
/// told again (the sender gets it back as its acknowledgement).
pub async fn post(
    state: &AppState,
    conversation: ConversationId,
    author: Author,
    client_id: Option<&str>,
    text: &str,
) -> Result<(ChatMessage, bool), StoreError> {
    let now = state.clock.now_ms();
    let (message, new) = state.store.append_message(conversation, author, client_id, text, now).await?;
    if new {
        if state.settings.cluster.abort_after_storing.as_deref() == Some(text) {
            // The failpoint: stored, and nobody told.
            tracing::error!(conversation = %conversation, "failpoint: aborting after storing a message");
            std::process::abort();
        }
        state.metrics.message_stored();
        state.hub.publish(conversation, Event::Message(message.clone()));
    }
    Ok((message, new))
}

/// Stores a file with the message that carries it and tells the
/// conversation's listeners, as [`post`] does a message (a resent
/// `client_id` stores nothing and answers what was stored); `None` when
/// `author` has sent `cap` files in it already.
pub async fn post_file(
    state: &AppState,
    conversation: ConversationId,
    author: Author,
    client_id: &str,
    file: &FileRef,
    bytes: &[u8],
    cap: Option<i64>,
) -> Result<Option<(ChatMessage, bool)>, StoreError> {
    let now = state.clock.now_ms();
    let upload = crate::store::conversations::Upload { file, bytes, cap };
    let stored = state.store.append_file(conversation, author, client_id, upload, now).await?;
    if let Some((message, true)) = &stored {
        state.metrics.message_stored();
        state.hub.publish(conversation, Event::Message(message.clone()));
    }
    Ok(stored)
}

/// Tells the other side that `author` is (not) typing; not stored.
pub fn typing(state: &AppState, conversation: ConversationId, author: Author, typing: bool) {
    state.hub.publish(conversation, Event::Typing { author, typing });
}

/// When an active chat written in (or accepted) at `now` ends without
/// another message (unix ms).
pub(super) fn idle_due(state: &AppState, now: i64) -> i64 {
    let idle = i64::try_from(state.settings.routing.inactivity_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    now.saturating_add(idle)
}
