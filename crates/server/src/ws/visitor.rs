//! `/ws/visitor?site=KEY`: a visitor's live chat.
//!
//! The upgrade is refused unless the `Origin` is one of the site's allowed
//! origins. Then: `hello` (version, token when returning, last sequence seen)
//! → `welcome` with the token and, when the visitor has a conversation, every
//! message after the last one seen, then live events. `handoff` opens a
//! conversation; `message` (with a client id, so a resend is stored once),
//! `typing` and `end` act on it. A bad frame gets an error frame and the
//! connection stays open.
//!
//! The site's settings are read again at each new visitor and hand-off, so
//! an admin's change applies at once: with chat switched off, a `hello`
//! without a token is refused (`chat_disabled`, and the socket closes) and
//! so is a hand-off, while a visitor with an open conversation goes on; a
//! hand-off whose email is at a blocked domain is refused (`blocked_email`),
//! nothing stored.

use axum::extract::ws::{CloseFrame, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::header::ORIGIN;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use switchboard_protocol::admin::EndedBy;
use switchboard_protocol::attribute::blocked_domain;
use switchboard_protocol::site::SiteKey;
use switchboard_protocol::wire::{
    self, Author, ConversationState, ErrorCode, VisitorIn, VisitorOut, WireError, MAX_FRAME_BYTES,
};
use switchboard_protocol::PROTOCOL_VERSION;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::Instrument;

use super::limits::{AddressSlot, Share, TooManyHandoffs};
use super::Follow;
use crate::auth::{random_token, token_hash};
use crate::error::ApiError;
use crate::hub::Event;
use crate::ids::{ConversationId, VisitorId};
use crate::lifecycle;
use crate::state::AppState;
use crate::store::conversations::{Conversation, Handoff};
use crate::store::{Site, SiteSettings, StoreError};

/// Query of the upgrade request.
#[derive(Debug, Deserialize)]
pub struct Params {
    site: String,
}

/// Hard cap on a WebSocket message; frames between [`MAX_FRAME_BYTES`] and
/// this get an error frame, larger ones close the connection.
const HARD_MAX_BYTES: usize = 4 * MAX_FRAME_BYTES;

/// `GET /ws/visitor?site=KEY`: checks the site, the origin and the sockets
/// the client's address holds (429 `too_many_sockets`), then upgrades.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    Query(params): Query<Params>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = SiteKey::parse(&params.site).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let site = state.store.site(&key).await?.ok_or(ApiError::NotFound("site"))?;
    let origin = headers.get(ORIGIN).and_then(|o| o.to_str().ok()).ok_or(ApiError::OriginNotAllowed)?;
    if !site.allowed_origins.iter().any(|o| o == origin) {
        return Err(ApiError::OriginNotAllowed);
    }
    let slot = state.visitors.open_from(peer.ip()).ok_or(ApiError::TooMany {
        code: "too_many_sockets",
        message: "too many chat connections from this address",
        retry_after: std::time::Duration::from_secs(10),
    })?;
    let span = tracing::info_span!("visitor", site = %site.key);
    Ok(super::sized(ws, HARD_MAX_BYTES)
        .on_upgrade(move |socket| run(socket, state, site, peer.ip(), slot).instrument(span)))
}

/// One connection's state.
struct Session {
    state: AppState,
    site: Site,
    address: IpAddr,
    out: mpsc::Sender<VisitorOut>,
    /// This socket's allowance until hello, then the visitor's, shared by
    /// their sockets.
    limit: super::RateLimit,
    visitor: Option<(VisitorId, Arc<Share>)>,
    conversation: Option<Conversation>,
    forward: Option<JoinHandle<()>>,
    /// The last typing state passed on, and when: repeats are coalesced.
    typing: Option<(bool, std::time::Instant)>,
    closing: Option<CloseFrame>,
    _slot: AddressSlot,
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(f) = self.forward.take() {
            f.abort();
        }
        if let Some((visitor, share)) = self.visitor.take() {
            if self.state.visitors.leave(visitor.get(), share) {
                // Their last socket, and one of them handed off: a hand-off
                // nobody took yet is withdrawn unless they come back in time.
                lifecycle::visitor_left(&self.state, visitor);
            }
        }
    }
}

async fn run(socket: WebSocket, state: AppState, site: Site, address: IpAddr, slot: AddressSlot) {
    let shutdown = state.shutdown.clone();
    let limit = super::RateLimit::from(&state.settings.limits);
    let refusals = state.settings.limits.refusals_before_close;
    let closed = state.health.closed();
    let _counted = state.metrics.socket(crate::metrics::SocketKind::Visitor);
    super::serve(socket, shutdown, refusals, closed, |out| Session {
        state,
        site,
        address,
        out,
        limit,
        visitor: None,
        conversation: None,
        forward: None,
        typing: None,
        closing: None,
        _slot: slot,
    })
    .await;
}

/// How long a repeated typing state is not passed on again.
const TYPING_REPEAT: std::time::Duration = std::time::Duration::from_secs(2);

fn chat_disabled() -> WireError {
    WireError::new(ErrorCode::ChatDisabled, "this site has chat switched off")
}

fn internal(e: StoreError) -> WireError {
    tracing::error!(error = %e, "visitor frame failed");
    WireError::new(ErrorCode::Internal, "the server failed; try again")
}

impl super::Connection for Session {
    type In = VisitorIn;
    type Out = VisitorOut;

    fn parse(text: &str) -> Result<VisitorIn, WireError> {
        wire::parse_visitor_frame(text)
    }

    fn refusal(e: WireError) -> VisitorOut {
        VisitorOut::Error { code: e.code, message: e.message }
    }

    async fn handle(&mut self, frame: VisitorIn) -> Result<(), WireError> {
        self.handle_frame(frame).await
    }

    fn allow(&mut self, now: std::time::Instant) -> bool {
        match &self.visitor {
            Some((_, share)) => share.allow_at(now),
            None => self.limit.allow_at(now),
        }
    }

    fn closing(&mut self) -> Option<CloseFrame> {
        self.closing.take()
    }
}

impl Session {
    async fn handle_frame(&mut self, frame: VisitorIn) -> Result<(), WireError> {
        match frame {
            VisitorIn::Hello { protocol, token, last_seq, epoch } => {
                self.hello(protocol, token, last_seq, epoch).await
            }
            _ if self.visitor.is_none() => Err(WireError::new(ErrorCode::HelloFirst, "send hello first")),
            VisitorIn::Handoff { stream, version, card, attributes, transcript, page } => {
                let visitor = self.visitor.as_ref().map(|(v, _)| *v).expect("checked above");
                let already =
                    || WireError::new(ErrorCode::AlreadyHandedOff, "this visitor already has a conversation");
                if self.open_conversation().await.is_ok() {
                    return Err(already());
                }
                // Counted before the card is looked up: a refused hand-off
                // costs the server a read too.
                let limits = &self.state.visitors;
                let now = tokio::time::Instant::now();
                if let Err(TooManyHandoffs(wait)) =
                    limits.handoff(visitor.get(), self.address, self.site.id.get(), now)
                {
                    let secs = crate::error::retry_after_secs(wait);
                    return Err(WireError::new(
                        ErrorCode::TooManyHandoffs,
                        format!("too many chats asked for; try again in {secs} s"),
                    ));
                }
                let settings = self.settings().await?;
                if !settings.chat_enabled {
                    return Err(chat_disabled());
                }
                let email = attributes.get("email").map_or("", String::as_str);
                if blocked_domain(email, &settings.blocked_email_domains) {
                    return Err(WireError::new(
                        ErrorCode::BlockedEmail,
                        "this site does not take email addresses at that domain; use another (a work address)",
                    ));
                }
                // Routing is the site's, from the server's copy of the card.
                let grace = self.state.settings.limits.stream_version_grace_secs.saturating_mul(1000);
                let superseded_after =
                    self.state.clock.now_ms().saturating_sub(i64::try_from(grace).unwrap_or(i64::MAX));
                let routing = self
                    .state
                    .store
                    .live_chat_routing(self.site.id, &stream, version, &card, superseded_after)
                    .await
                    .map_err(internal)?
                    .ok_or_else(|| {
                        WireError::new(
                            ErrorCode::UnknownCard,
                            "no such live chat card in that stream version",
                        )
                    })?;
                let h = Handoff { stream, routing, attributes, transcript, page };
                let conv = lifecycle::open(&self.state, self.site.id, visitor, &h)
                    .await
                    .map_err(internal)?
                    .ok_or_else(already)?;
                if let Some((_, share)) = &self.visitor {
                    share.mark_handed_off();
                }
                self.follow(conv.id, 0);
                let _ = self.out.send(VisitorOut::State { state: conv.state }).await;
                if let Err(e) = lifecycle::route(&self.state, conv.id).await {
                    tracing::error!(error = %e, conversation = %conv.id, "routing a hand-off; trying again");
                }
                self.conversation = Some(conv);
                Ok(())
            }
            VisitorIn::Message { client_id, text } => {
                let conv = self.open_conversation().await?;
                let text = wire::check_message(&client_id, &text)?;
                let (message, new) =
                    lifecycle::post(&self.state, conv, Author::Visitor, Some(&client_id), &text)
                        .await
                        .map_err(internal)?;
                if !new {
                    // A resend: acknowledge with what is stored.
                    let _ = self.out.send(VisitorOut::Message(message)).await;
                }
                Ok(())
            }
            VisitorIn::Typing { typing } => {
                let now = std::time::Instant::now();
                if self.typing.is_some_and(|(t, at)| t == typing && now.duration_since(at) < TYPING_REPEAT) {
                    return Ok(());
                }
                let conv = self.open_conversation().await?;
                self.typing = Some((typing, now));
                lifecycle::typing(&self.state, conv, Author::Visitor, typing);
                Ok(())
            }
            VisitorIn::End => {
                let conv = self.open_conversation().await?;
                lifecycle::end(&self.state, conv, EndedBy::Visitor).await.map_err(internal)?;
                if let Some(c) = &mut self.conversation {
                    c.state = ConversationState::Ended;
                }
                Ok(())
            }
        }
    }

    /// The site's settings as they are now.
    async fn settings(&self) -> Result<SiteSettings, WireError> {
        let settings = self.state.store.site_settings(self.site.id).await.map_err(internal)?;
        // A site removed meanwhile takes nobody.
        Ok(settings.unwrap_or(SiteSettings { chat_enabled: false, ..SiteSettings::default() }))
    }

    /// The conversation messages and typing go to, if it is still open
    /// (read from storage: the agent may have ended it).
    async fn open_conversation(&self) -> Result<ConversationId, WireError> {
        let id = self
            .conversation
            .as_ref()
            .map(|c| c.id)
            .ok_or_else(|| WireError::new(ErrorCode::NoConversation, "hand off first"))?;
        let conv = self.state.store.conversation(id).await.map_err(internal)?;
        match conv.map(|c| c.state) {
            Some(ConversationState::Ended | ConversationState::Fallback) | None => {
                Err(WireError::new(ErrorCode::Ended, "the conversation has ended"))
            }
            Some(_) => Ok(id),
        }
    }

    async fn hello(
        &mut self,
        protocol: u32,
        token: Option<String>,
        last_seq: u64,
        held: Option<String>,
    ) -> Result<(), WireError> {
        if protocol != PROTOCOL_VERSION {
            return Err(WireError::new(
                ErrorCode::UnsupportedVersion,
                format!("protocol {protocol} is not spoken here; this server speaks {PROTOCOL_VERSION}"),
            ));
        }
        if self.visitor.is_some() {
            return Err(WireError::new(ErrorCode::BadFrame, "hello was already sent"));
        }
        let store = &self.state.store;
        let (visitor, token) = match token {
            Some(token) => {
                let id = store.visitor(self.site.id, &token_hash(&token)).await.map_err(internal)?;
                (id.ok_or_else(|| WireError::new(ErrorCode::BadToken, "unknown visitor token"))?, token)
            }
            None => {
                if !self.settings().await?.chat_enabled {
                    self.closing = Some(super::close_frame(super::CLOSE_POLICY, "chat is off"));
                    return Err(chat_disabled());
                }
                let token = random_token();
                let now = self.state.clock.now_ms();
                (store.create_visitor(self.site.id, &token_hash(&token), now).await.map_err(internal)?, token)
            }
        };
        let Some(share) = self.state.visitors.join(visitor.get()) else {
            self.closing = Some(super::close_frame(super::CLOSE_POLICY, "too many sockets"));
            return Err(WireError::new(
                ErrorCode::TooManySockets,
                "too many chat connections for this visitor",
            ));
        };
        self.visitor = Some((visitor, share));
        lifecycle::visitor_back(&self.state, visitor);
        let conv = store.latest_conversation(visitor).await.map_err(internal)?;
        let agent =
            match conv.as_ref().filter(|c| c.state == ConversationState::Active).and_then(|c| c.agent_id) {
                Some(id) => store.agent_info(id).await.map_err(internal)?,
                None => None,
            };
        // Sequence numbers the widget holds from another epoch (before a
        // restore) may name other messages now: it drops them, and the
        // conversation follows from the start. So too when it holds more
        // than the conversation has (a restore nobody named a new epoch
        // for, or numbers from an earlier conversation).
        let epoch = store.epoch().await.map_err(internal)?;
        let beyond = last_seq > conv.as_ref().map_or(0, |c| c.last_seq);
        let reset = held.is_some_and(|h| h != epoch) || beyond;
        let last_seq = if reset { 0 } else { last_seq };
        let state = conv.as_ref().map(|c| c.state);
        let _ = self.out.send(VisitorOut::Welcome { token, state, agent, epoch: Some(epoch), reset }).await;
        if let Some(c) = &conv {
            if matches!(c.state, ConversationState::Waiting | ConversationState::Offered) {
                if let Some((_, share)) = &self.visitor {
                    share.mark_handed_off();
                }
            }
            self.follow(c.id, last_seq);
        }
        self.conversation = conv;
        Ok(())
    }

    /// Sends every stored message after `after`, then live events, in order
    /// and each once.
    fn follow(&mut self, conversation: ConversationId, after: u64) {
        if let Some(f) = self.forward.take() {
            f.abort();
        }
        self.forward =
            Some(super::follow(&self.state, conversation, after, None, self.out.clone(), None, |event| {
                match event {
                    // The agents' private notes never reach the visitor.
                    Event::Message(m) if m.author == Author::Note => Follow::Skip,
                    Event::Message(m) => Follow::Send(VisitorOut::Message(m)),
                    Event::State(state) => Follow::Send(VisitorOut::State { state }),
                    Event::Assigned(info) => Follow::Send(VisitorOut::Agent(info)),
                    Event::Typing { author: Author::Visitor, .. }
                    | Event::Transferred { .. }
                    | Event::Resync => Follow::Skip,
                    Event::Typing { typing, .. } => Follow::Send(VisitorOut::Typing { typing }),
                }
            }));
    }
}
