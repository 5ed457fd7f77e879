//! The WebSocket wire format: JSON text frames of serde enums tagged by `type`.
//!
//! Every frame a client sends is size-limited ([`MAX_FRAME_BYTES`]) and
//! parsed with [`parse_visitor_frame`], which turns anything malformed into a
//! [`WireError`] with a stable code; the server answers it with an
//! [`VisitorOut::Error`] frame and keeps the connection.

use crate::json::{FromJson, Json, JsonError};
use serde::{Deserialize, Serialize};

use crate::attribute::Attributes;
use crate::stream::runner::Entry;

/// Largest frame a client may send, in bytes.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// Longest chat message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// Longest client-chosen message id.
pub const MAX_CLIENT_ID: usize = 64;
/// Most transcript entries a hand-off may carry.
pub const MAX_TRANSCRIPT: usize = 400;

/// Where the visitor is: sent with the hand-off, shown to the agent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PageContext {
    /// The page URL.
    pub url: String,
    /// The referrer.
    pub referrer: String,
    /// The browser's language.
    pub language: String,
    /// The page's UTM parameters (`utm_source` → `newsletter`, …).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub utm: std::collections::BTreeMap<String, String>,
}

/// What a visitor's widget sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum VisitorIn {
    /// First frame: the protocol version, the visitor's token when returning,
    /// and the last sequence number the widget has seen.
    Hello {
        /// Must equal [`crate::PROTOCOL_VERSION`].
        protocol: u32,
        /// The token the server issued earlier, if any.
        #[serde(default)]
        token: Option<String>,
        /// Replay everything after this sequence number.
        #[serde(default)]
        last_seq: u64,
        /// The database epoch `last_seq` counts in (from the last
        /// welcome): when the server's differs, the conversation is sent
        /// again from the start.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        epoch: Option<String>,
    },
    /// The stream reached its live chat card.
    Handoff {
        /// The stream's id.
        stream: String,
        /// The stream's version (as published; see `Stream::version`).
        version: u32,
        /// The live chat card the visitor reached: the server routes by its
        /// own copy of the card's routing option, never by what a client says.
        card: String,
        /// What the stream captured.
        #[serde(default)]
        attributes: Attributes,
        /// The bot transcript.
        #[serde(default)]
        transcript: Vec<Entry>,
        /// Page context.
        #[serde(default)]
        page: PageContext,
    },
    /// A chat message; `client_id` makes a resend idempotent.
    Message {
        /// Chosen by the client, unique per conversation.
        client_id: String,
        /// The text.
        text: String,
    },
    /// The visitor is (not) typing.
    Typing {
        /// Whether typing.
        typing: bool,
    },
    /// The visitor ends the chat.
    End,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// The visitor.
    Visitor,
    /// An agent.
    Agent,
    /// The system (hand-off notes, fallback message).
    System,
    /// An agent's private note: only agents see it, never the visitor.
    Note,
}

/// A stored chat message as clients receive it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatMessage {
    /// Per-conversation sequence number, from 1, without gaps among
    /// everything stored (a visitor, who is never sent the agents' notes,
    /// sees gaps where they are).
    pub seq: u64,
    /// Who wrote it.
    pub author: Author,
    /// The client id the sender chose, if it came from a client.
    pub client_id: Option<String>,
    /// The text (always rendered as text); a file's name when it carries
    /// one.
    pub text: String,
    /// When the server stored it (RFC 3339, UTC).
    pub at: String,
    /// The file it carries, if it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<crate::files::FileRef>,
}

/// The agent a visitor is talking to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentInfo {
    /// Display name.
    pub name: String,
    /// Avatar image URL, if the agent has one.
    pub avatar_url: Option<String>,
}

/// Where a conversation is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConversationState {
    /// Handed off, waiting for routing.
    Waiting,
    /// Offered to an agent, not yet accepted.
    Offered,
    /// An agent accepted.
    Active,
    /// Over.
    Ended,
    /// Nobody was found; the fallback message was shown.
    Fallback,
}

/// What the server sends a visitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum VisitorOut {
    /// Answer to hello: the visitor's token (new or confirmed) and the
    /// conversation's state, if there is one.
    Welcome {
        /// Keep this; send it in the next hello.
        token: String,
        /// The conversation's state, when the visitor has one.
        state: Option<ConversationState>,
        /// The agent who accepted it, if one did.
        agent: Option<AgentInfo>,
        /// The database's epoch: send it in the next hello (absent from
        /// servers before epochs).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        epoch: Option<String>,
        /// The hello named another epoch (the database was restored): drop
        /// the messages held; the conversation follows from the start.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        reset: bool,
    },
    /// A message (live or replayed).
    Message(ChatMessage),
    /// The conversation's state changed.
    State {
        /// The new state.
        state: ConversationState,
    },
    /// The other side is (not) typing.
    Typing {
        /// Whether typing.
        typing: bool,
    },
    /// An agent accepted the chat.
    Agent(AgentInfo),
    /// A frame was refused; the connection stays open.
    Error {
        /// Stable machine code.
        code: ErrorCode,
        /// For a person.
        message: String,
    },
}

/// What an agent's inbox sends (the agent is identified by the session
/// cookie or bearer token of the upgrade request).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AgentIn {
    /// First frame.
    Hello {
        /// Must equal [`crate::PROTOCOL_VERSION`].
        protocol: u32,
    },
    /// Available for new chats, or not (active chats go on either way).
    Availability {
        /// Whether available.
        available: bool,
    },
    /// Accept an offered conversation.
    Accept {
        /// Conversation id.
        conversation: i64,
    },
    /// Decline an offered conversation: it goes to the next agent at once.
    Decline {
        /// Conversation id.
        conversation: i64,
    },
    /// Send everything after `last_seq` of one of the agent's conversations
    /// again, then follow it (after a reconnect).
    Resume {
        /// Conversation id.
        conversation: i64,
        /// Last sequence number seen.
        last_seq: u64,
    },
    /// A message in an accepted conversation.
    Message {
        /// Conversation id.
        conversation: i64,
        /// Chosen by the client, unique per conversation.
        client_id: String,
        /// The text.
        text: String,
    },
    /// A private note in an accepted conversation: stored among its
    /// messages for every agent who has it later, never sent to the visitor.
    Note {
        /// Conversation id.
        conversation: i64,
        /// Chosen by the client, unique per conversation.
        client_id: String,
        /// The text.
        text: String,
    },
    /// Typing in an accepted conversation.
    Typing {
        /// Conversation id.
        conversation: i64,
        /// Whether typing.
        typing: bool,
    },
    /// End an accepted conversation.
    End {
        /// Conversation id.
        conversation: i64,
    },
    /// Hand an accepted conversation to another agent or a team: it is
    /// offered there, and leaves this agent's inbox at once.
    Transfer {
        /// Conversation id.
        conversation: i64,
        /// Where it goes.
        to: TransferTarget,
    },
}

/// Where an agent transfers a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum TransferTarget {
    /// Another agent, by email.
    Agent {
        /// The agent's email.
        email: String,
    },
    /// A team, by name (round robin inside it).
    Team {
        /// The team's name.
        name: String,
    },
}

/// What the server sends an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentOut {
    /// Answer to hello.
    Welcome {
        /// Who is logged in.
        agent: crate::auth::AgentProfile,
        /// Whether available for new chats.
        available: bool,
        /// Unavailable because they let this many offers in a row time out
        /// (the site's limit), until they say they are back.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        missed_offers: Option<u32>,
        /// The database's epoch: when it differs from the last welcome's
        /// (the database was restored), the conversations held are loaded
        /// again from the start (absent from servers before epochs).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        epoch: Option<String>,
    },
    /// A conversation is offered to this agent.
    Offer {
        /// Conversation id.
        conversation: i64,
        /// What the stream captured about the visitor.
        attributes: Attributes,
        /// Where the visitor is.
        page: PageContext,
        /// The bot transcript.
        transcript: Vec<Entry>,
        /// Seconds left to accept before it goes to the next agent.
        expires_in_secs: u64,
        /// The agent who transferred it, when it was transferred.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transferred_by: Option<String>,
    },
    /// One of this agent's conversations went to someone else (a transfer
    /// made on any of their connections): it leaves their inbox.
    Transferred {
        /// Conversation id.
        conversation: i64,
        /// Whom to: the agent's or team's name.
        to: String,
    },
    /// An offer was taken back (declined, or not accepted in time).
    Withdrawn {
        /// Conversation id.
        conversation: i64,
    },
    /// The agent's availability changed (on another of their connections, or
    /// by their schedule).
    Availability {
        /// Whether available for new chats.
        available: bool,
        /// Switched to unavailable because they let this many offers in a
        /// row time out (the site's limit): the inbox says so, with a way
        /// back.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        missed_offers: Option<u32>,
    },
    /// A message in one of the agent's conversations.
    Message {
        /// Conversation id.
        conversation: i64,
        /// The message.
        message: ChatMessage,
    },
    /// A conversation's state changed.
    State {
        /// Conversation id.
        conversation: i64,
        /// The new state.
        state: ConversationState,
    },
    /// The visitor is (not) typing.
    Typing {
        /// Conversation id.
        conversation: i64,
        /// Whether typing.
        typing: bool,
    },
    /// A frame was refused; the connection stays open.
    Error {
        /// Stable machine code.
        code: ErrorCode,
        /// For a person.
        message: String,
    },
}

/// Parses an agent's text frame.
pub fn parse_agent_frame(text: &str) -> Result<AgentIn, WireError> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(WireError::new(
            ErrorCode::FrameTooLarge,
            format!("the frame is {} bytes; at most {MAX_FRAME_BYTES}", text.len()),
        ));
    }
    serde_json::from_str(text).map_err(|e| WireError::new(ErrorCode::BadFrame, format!("not a frame: {e}")))
}

/// Stable codes of refused frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Larger than [`MAX_FRAME_BYTES`].
    FrameTooLarge,
    /// Not JSON, or not a known frame.
    BadFrame,
    /// A binary frame.
    BinaryFrame,
    /// Protocol version not spoken.
    UnsupportedVersion,
    /// The first frame must be hello.
    HelloFirst,
    /// The token is unknown.
    BadToken,
    /// The frame needs a conversation and there is none.
    NoConversation,
    /// A conversation already exists.
    AlreadyHandedOff,
    /// The conversation has ended.
    Ended,
    /// Text over [`MAX_MESSAGE_CHARS`], empty, or a bad client id.
    BadMessage,
    /// Too many frames too fast.
    RateLimited,
    /// The conversation is not this agent's (or not offered to them).
    NotYours,
    /// A transfer named an agent who cannot take it now, or a team nobody
    /// in can.
    Unavailable,
    /// A transfer named an agent or team that does not exist.
    Unknown,
    /// A hand-off named a stream version or live chat card the site never
    /// published.
    UnknownCard,
    /// The visitor (or their address, or the site) handed off too often
    /// this minute; the message says when to try again.
    TooManyHandoffs,
    /// The visitor has too many sockets open; this one closes.
    TooManySockets,
    /// The site has chat switched off: no new visitors, no hand-offs (open
    /// conversations go on).
    ChatDisabled,
    /// A hand-off's email is at a domain the site blocks (the widget asks
    /// for another address before it gets here).
    BlockedEmail,
    /// The server failed; try again.
    Internal,
}

/// A refused frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct WireError {
    /// Stable code.
    pub code: ErrorCode,
    /// For a person.
    pub message: String,
}

impl WireError {
    /// A new error.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// A message a client (widget or inbox) sent that the server has not
/// confirmed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pending {
    /// Chosen by the client, so a resend is stored once.
    pub client_id: String,
    /// The text.
    pub text: String,
}

impl FromJson for Pending {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        Ok(Self { client_id: json.field("client_id")?, text: json.field("text")? })
    }
}

/// Takes a stored message into a client's view of a chat: `log` keeps
/// sequence order with each message once, whatever order or how often they
/// arrive, and a message written by `mine` (the client's own side) replaces
/// its pending copy. Returns whether the message was new.
pub fn take_in(log: &mut Vec<ChatMessage>, pending: &mut Vec<Pending>, mine: Author, m: ChatMessage) -> bool {
    if m.author == mine {
        pending.retain(|p| Some(&p.client_id) != m.client_id.as_ref());
    }
    match log.binary_search_by_key(&m.seq, |x| x.seq) {
        Ok(_) => false,
        Err(at) => {
            log.insert(at, m);
            true
        }
    }
}

/// Checks a chat message's client id and text; returns the text to store.
pub fn check_message(client_id: &str, text: &str) -> Result<String, WireError> {
    if client_id.is_empty()
        || client_id.len() > MAX_CLIENT_ID
        || !client_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(WireError::new(ErrorCode::BadMessage, "client_id must be 1 to 64 of A-Z a-z 0-9 - _"));
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(WireError::new(ErrorCode::BadMessage, "the message is empty"));
    }
    let chars = text.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        return Err(WireError::new(
            ErrorCode::BadMessage,
            format!("the message is {chars} characters; at most {MAX_MESSAGE_CHARS}"),
        ));
    }
    Ok(text.to_owned())
}

/// Parses a visitor's text frame.
pub fn parse_visitor_frame(text: &str) -> Result<VisitorIn, WireError> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(WireError::new(
            ErrorCode::FrameTooLarge,
            format!("the frame is {} bytes; at most {MAX_FRAME_BYTES}", text.len()),
        ));
    }
    let frame: VisitorIn = serde_json::from_str(text)
        .map_err(|e| WireError::new(ErrorCode::BadFrame, format!("not a frame: {e}")))?;
    if let VisitorIn::Handoff { transcript, stream, card, .. } = &frame {
        if stream.len() > crate::stream::MAX_ID || card.len() > crate::stream::MAX_ID {
            return Err(WireError::new(ErrorCode::BadFrame, "stream and card ids are at most 64 bytes"));
        }
        if transcript.len() > MAX_TRANSCRIPT {
            return Err(WireError::new(
                ErrorCode::BadFrame,
                format!("at most {MAX_TRANSCRIPT} transcript entries"),
            ));
        }
    }
    Ok(frame)
}

// The read side for the widget (see `crate::json`), mirroring the derives.

crate::json_names!(Author { Visitor = "visitor", Agent = "agent", System = "system", Note = "note" });

crate::json_names!(ConversationState {
    Waiting = "waiting",
    Offered = "offered",
    Active = "active",
    Ended = "ended",
    Fallback = "fallback",
});

crate::json_names!(ErrorCode {
    FrameTooLarge = "frame_too_large",
    BadFrame = "bad_frame",
    BinaryFrame = "binary_frame",
    UnsupportedVersion = "unsupported_version",
    HelloFirst = "hello_first",
    BadToken = "bad_token",
    NoConversation = "no_conversation",
    AlreadyHandedOff = "already_handed_off",
    Ended = "ended",
    BadMessage = "bad_message",
    RateLimited = "rate_limited",
    NotYours = "not_yours",
    Unavailable = "unavailable",
    Unknown = "unknown",
    UnknownCard = "unknown_card",
    TooManyHandoffs = "too_many_handoffs",
    TooManySockets = "too_many_sockets",
    ChatDisabled = "chat_disabled",
    BlockedEmail = "blocked_email",
    Internal = "internal",
});

impl FromJson for ChatMessage {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        Ok(Self {
            seq: json.field("seq")?,
            author: json.field("author")?,
            client_id: json.field("client_id")?,
            text: json.field("text")?,
            at: json.field("at")?,
            file: json.field("file")?,
        })
    }
}

impl FromJson for AgentInfo {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        Ok(Self { name: json.field("name")?, avatar_url: json.field("avatar_url")? })
    }
}

impl FromJson for VisitorOut {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        let f = json;
        Ok(match f.field::<String>("type")?.as_str() {
            "welcome" => Self::Welcome {
                token: f.field("token")?,
                state: f.field("state")?,
                agent: f.field("agent")?,
                epoch: f.field("epoch")?,
                reset: f.field_or("reset", || false)?,
            },
            "message" => Self::Message(ChatMessage::from_json(json)?),
            "state" => Self::State { state: f.field("state")? },
            "typing" => Self::Typing { typing: f.field("typing")? },
            "agent" => Self::Agent(AgentInfo::from_json(json)?),
            "error" => Self::Error { code: f.field("code")?, message: f.field("message")? },
            other => return Err(JsonError::invalid(other)),
        })
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_client_takes_in_each_message_once_in_sequence_order() {
        let msg = |seq: u64, author: Author, client_id: Option<&str>| ChatMessage {
            seq,
            author,
            client_id: client_id.map(str::to_owned),
            text: format!("m{seq}"),
            at: String::new(),
            file: None,
        };
        let pending = |id: &str| Pending { client_id: id.into(), text: "x".into() };
        let (mut log, mut waiting) = (Vec::new(), vec![pending("a"), pending("b")]);
        assert!(take_in(&mut log, &mut waiting, Author::Visitor, msg(3, Author::Agent, None)));
        assert!(take_in(&mut log, &mut waiting, Author::Visitor, msg(1, Author::Visitor, Some("b"))));
        assert!(!take_in(&mut log, &mut waiting, Author::Visitor, msg(3, Author::Agent, None)), "a repeat");
        assert!(take_in(&mut log, &mut waiting, Author::Visitor, msg(2, Author::System, None)));
        assert_eq!(log.iter().map(|m| m.seq).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(waiting, [pending("a")], "the confirmed one is no longer pending");
        // The other side's message with the same client id leaves ours pending.
        take_in(&mut log, &mut waiting, Author::Visitor, msg(4, Author::Agent, Some("a")));
        assert_eq!(waiting, [pending("a")]);
    }
    use super::*;

    #[test]
    fn frames_are_tagged_by_type() {
        let f = parse_visitor_frame(r#"{"type":"hello","protocol":1}"#).unwrap();
        assert_eq!(f, VisitorIn::Hello { protocol: 1, token: None, last_seq: 0, epoch: None });
        let f = parse_visitor_frame(r#"{"type":"message","client_id":"c1","text":"hi"}"#).unwrap();
        assert_eq!(f, VisitorIn::Message { client_id: "c1".into(), text: "hi".into() });
        let out = serde_json::to_string(&VisitorOut::Typing { typing: true }).unwrap();
        assert_eq!(out, r#"{"type":"typing","typing":true}"#);
    }

    #[test]
    fn unknown_malformed_and_oversized_frames_get_stable_codes() {
        assert_eq!(parse_visitor_frame(r#"{"type":"shout"}"#).unwrap_err().code, ErrorCode::BadFrame);
        assert_eq!(parse_visitor_frame("{").unwrap_err().code, ErrorCode::BadFrame);
        assert_eq!(
            parse_visitor_frame(r#"{"type":"typing","typing":true,"extra":1}"#).unwrap_err().code,
            ErrorCode::BadFrame
        );
        let big = format!(r#"{{"type":"message","client_id":"c","text":"{}"}}"#, "x".repeat(MAX_FRAME_BYTES));
        assert_eq!(parse_visitor_frame(&big).unwrap_err().code, ErrorCode::FrameTooLarge);
    }

    #[test]
    fn messages_need_a_sane_client_id_and_bounded_non_empty_text() {
        assert_eq!(check_message("c-1", "  hi  ").unwrap(), "hi");
        assert!(check_message("", "hi").is_err());
        assert!(check_message("a b", "hi").is_err());
        assert!(check_message("c", "   ").is_err());
        assert!(check_message("c", &"é".repeat(MAX_MESSAGE_CHARS + 1)).is_err());
        assert!(check_message("c", &"é".repeat(MAX_MESSAGE_CHARS)).is_ok());
    }
}
