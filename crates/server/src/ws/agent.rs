//! `/ws/agent`: an agent's inbox connection, authenticated by the session
//! (cookie or bearer token of the upgrade request). Cookies ride along on
//! cross-site WebSocket upgrades, so a browser `Origin` must be the server's
//! own. `hello` → `welcome`; offers arrive as `offer`; `accept` one to chat in
//! it; `resume` replays a conversation after a reconnect; `transfer` hands an
//! accepted one to another agent or a team (`transferred` on every connection).

use axum::extract::ws::{CloseFrame, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::header::ORIGIN;
use axum::http::HeaderMap;
use axum::response::Response;
use std::collections::HashMap;
use switchboard_protocol::auth::AgentProfile;
use switchboard_protocol::wire::{self, AgentIn, AgentOut, Author, ConversationState, ErrorCode, WireError};
use switchboard_protocol::PROTOCOL_VERSION;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;
use tracing::Instrument;

use super::Follow;
use crate::auth::token_hash;
use crate::error::ApiError;
use crate::hub::{Event, SessionEnd};
use crate::ids::{AgentId, ConversationId};
use crate::lifecycle;
use crate::lifecycle::TransferError;
use crate::state::AppState;
use crate::store::StoreError;

/// `GET /ws/agent`: checks the origin, the session and the live chat
/// permission, then upgrades. The socket lives as long as the session: it
/// closes when the session ends (4001) or the permission goes (4003).
pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if headers.get(ORIGIN).is_some_and(|o| !crate::auth::own_origin(&state, o)) {
        return Err(ApiError::OriginNotAllowed);
    }
    // Listen before checking, so an end in between is not missed.
    let ends = state.hub.session_ends();
    let hash = crate::auth::session_token(&headers).map(|t| token_hash(&t)).ok_or(ApiError::Unauthorized)?;
    let agent =
        state.store.session_agent(&hash, state.clock.now_ms()).await?.ok_or(ApiError::Unauthorized)?;
    if !state.store.live_chat(AgentId::new(agent.id)).await? {
        return Err(ApiError::NoLiveChat);
    }
    let span = tracing::info_span!("agent", agent = agent.id);
    let ended = session_ended(state.clone(), AgentId::new(agent.id), hash, ends);
    // (Or this node cannot serve for long: the inbox moves to another.)
    let closed = state.health.closed();
    let ended = async move {
        tokio::select! {
            frame = ended => frame,
            frame = closed => frame,
        }
    };
    Ok(super::sized(ws, 4 * wire::MAX_FRAME_BYTES)
        .on_upgrade(move |socket| run(socket, state, agent, ended).instrument(span)))
}

/// Completes when the session `hash` of `agent` ends or the agent may no
/// longer take chats: at once for ends through this server (the hub), and
/// within `session_check_secs` for ends elsewhere (storage is read again:
/// the command line, another node).
async fn session_ended(
    state: AppState,
    agent: AgentId,
    hash: String,
    mut ends: broadcast::Receiver<SessionEnd>,
) -> CloseFrame {
    let every = std::time::Duration::from_secs(state.settings.limits.session_check_secs.max(1));
    let session_over = super::close_frame(super::CLOSE_SESSION_ENDED, "the session ended");
    let revoked = super::close_frame(super::CLOSE_NO_LIVE_CHAT, "live chat is not allowed");
    loop {
        let check = tokio::select! {
            end = ends.recv() => match end {
                Ok(end) if end.ends(agent, &hash) => {
                    return if matches!(end, SessionEnd::LiveChatRevoked(_)) { revoked } else { session_over };
                }
                Ok(_) => false,
                Err(broadcast::error::RecvError::Lagged(_)) => true,
                Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
            },
            () = tokio::time::sleep(every) => true,
        };
        if check {
            match state.store.session_agent(&hash, state.clock.now_ms()).await {
                Ok(None) => return session_over,
                Ok(Some(_)) => {}
                Err(e) => tracing::warn!(error = %e, "checking a session"),
            }
            if let Ok(false) = state.store.live_chat(agent).await {
                return revoked;
            }
        }
    }
}

struct Session {
    state: AppState,
    agent: AgentProfile,
    out: mpsc::Sender<AgentOut>,
    limit: super::RateLimit,
    greeted: bool,
    tasks: HashMap<ConversationId, JoinHandle<()>>,
    offers: Option<JoinHandle<()>>,
}

impl Drop for Session {
    fn drop(&mut self) {
        for (_, t) in self.tasks.drain() {
            t.abort();
        }
        if let Some(t) = self.offers.take() {
            t.abort();
        }
        if self.greeted {
            self.state.presence.disconnect(AgentId::new(self.agent.id));
        }
    }
}

async fn run(
    socket: WebSocket,
    state: AppState,
    agent: AgentProfile,
    ended: impl std::future::Future<Output = CloseFrame> + Send,
) {
    let shutdown = state.shutdown.clone();
    let limit = super::RateLimit::from(&state.settings.limits);
    let refusals = state.settings.limits.refusals_before_close;
    let _counted = state.metrics.socket(crate::metrics::SocketKind::Agent);
    super::serve(socket, shutdown, refusals, ended, |out| Session {
        state,
        agent,
        out,
        limit,
        greeted: false,
        tasks: HashMap::new(),
        offers: None,
    })
    .await;
}

/// Sends the offers waiting for `agent`, then passes on what is published
/// to them (offers, withdrawals, their availability). Events are hints: when this connection fell behind and
/// some were dropped, it reads the truth from storage instead of skipping
/// on, so no offer is lost: the offers waiting for the agent come again,
/// offers it showed that are no longer theirs are withdrawn, and the
/// availability toggle is sent as it is now.
async fn forward_agent_channel(
    state: AppState,
    agent: AgentId,
    mut events: broadcast::Receiver<AgentOut>,
    out: mpsc::Sender<AgentOut>,
) {
    // The offers this connection has shown and not yet seen end.
    let mut shown = std::collections::HashSet::new();
    let mut resyncs = state.hub.resyncs();
    // First the offers made while the inbox was away, each with the time it
    // has left (read after subscribing, so none made since is missed).
    // A read that fails (the database restarting) is tried again, waiting
    // longer each time: an inbox that stopped here would stay open and
    // never show another offer.
    let mut retry = super::RETRY_FIRST;
    let mut frames = loop {
        match lifecycle::offers::pending(&state, agent).await {
            Ok(offers) => break offers,
            Err(_) if out.is_closed() => return,
            Err(e) => {
                tracing::warn!(error = %e, ?retry, "reading an agent's waiting offers; trying again");
                tokio::time::sleep(retry).await;
                retry = (retry * 2).min(super::RETRY_MOST);
            }
        }
    };
    loop {
        for frame in frames {
            match &frame {
                // Shown already (read from storage as the inbox connected,
                // and then its event): once is enough.
                AgentOut::Offer { conversation, .. } if !shown.insert(*conversation) => continue,
                AgentOut::Offer { .. } => {}
                AgentOut::Withdrawn { conversation }
                | AgentOut::Transferred { conversation, .. }
                | AgentOut::State { conversation, .. } => {
                    shown.remove(conversation);
                }
                _ => {}
            }
            if out.send(frame).await.is_err() {
                return;
            }
        }
        let next = tokio::select! {
            next = events.recv() => next,
            // The bus between nodes may have dropped some: as if lagged.
            Ok(()) = resyncs.recv() => Err(broadcast::error::RecvError::Lagged(0)),
        };
        frames = match next {
            Ok(frame) => vec![frame],
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::debug!(missed, "an agent's channel lagged; reading storage");
                // Without the truth the inbox may be missing an offer: read
                // until it can be read.
                let mut retry = super::RETRY_FIRST;
                loop {
                    match resync(&state, agent, &shown).await {
                        Ok(frames) => break frames,
                        Err(_) if out.is_closed() => return,
                        Err(e) => {
                            tracing::warn!(error = %e, ?retry, "resyncing an agent's inbox; trying again");
                            tokio::time::sleep(retry).await;
                            retry = (retry * 2).min(super::RETRY_MOST);
                        }
                    }
                }
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
    }
}

/// What an agent's inbox needs after missing events: withdrawals of the
/// offers it showed that are gone, every offer waiting, the availability.
async fn resync(
    state: &AppState,
    agent: AgentId,
    shown: &std::collections::HashSet<i64>,
) -> Result<Vec<AgentOut>, StoreError> {
    let offers = lifecycle::offers::pending(state, agent).await?;
    let waiting: std::collections::HashSet<i64> = offers
        .iter()
        .filter_map(|o| match o {
            AgentOut::Offer { conversation, .. } => Some(*conversation),
            _ => None,
        })
        .collect();
    // An offer shown and no longer waiting was taken back, or accepted
    // (in this tab or another): the inbox is told which.
    let mut frames = Vec::new();
    for &conversation in shown.difference(&waiting) {
        let conv = state.store.conversation(ConversationId::new(conversation)).await?;
        frames.push(match conv {
            Some(c) if c.agent_id == Some(agent) && c.state == ConversationState::Active => {
                AgentOut::State { conversation, state: ConversationState::Active }
            }
            _ => AgentOut::Withdrawn { conversation },
        });
    }
    frames.extend(offers);
    let (available, missed_offers) = lifecycle::agents::availability_now(state, agent).await?;
    frames.push(AgentOut::Availability { available, missed_offers });
    Ok(frames)
}

fn internal(e: StoreError) -> WireError {
    tracing::error!(error = %e, "agent frame failed");
    WireError::new(ErrorCode::Internal, "the server failed; try again")
}

fn refused(e: TransferError) -> WireError {
    match e {
        TransferError::NotYours => not_yours(),
        TransferError::Ended => WireError::new(ErrorCode::Ended, e.to_string()),
        TransferError::Unknown(m) => WireError::new(ErrorCode::Unknown, m),
        TransferError::Unavailable(m) => WireError::new(ErrorCode::Unavailable, m),
        TransferError::Store(e) => internal(e),
    }
}

fn not_yours() -> WireError {
    WireError::new(ErrorCode::NotYours, "this conversation is not yours")
}

impl super::Connection for Session {
    type In = AgentIn;
    type Out = AgentOut;

    fn parse(text: &str) -> Result<AgentIn, WireError> {
        wire::parse_agent_frame(text)
    }

    fn refusal(e: WireError) -> AgentOut {
        AgentOut::Error { code: e.code, message: e.message }
    }

    async fn handle(&mut self, frame: AgentIn) -> Result<(), WireError> {
        self.handle_frame(frame).await
    }

    fn allow(&mut self, now: std::time::Instant) -> bool {
        self.limit.allow_at(now)
    }
}

impl Session {
    async fn handle_frame(&mut self, frame: AgentIn) -> Result<(), WireError> {
        let agent = AgentId::new(self.agent.id);
        match frame {
            AgentIn::Hello { protocol } => {
                if protocol != PROTOCOL_VERSION {
                    return Err(WireError::new(
                        ErrorCode::UnsupportedVersion,
                        format!(
                            "protocol {protocol} is not spoken here; this server speaks {PROTOCOL_VERSION}"
                        ),
                    ));
                }
                if self.greeted {
                    return Err(WireError::new(ErrorCode::BadFrame, "hello was already sent"));
                }
                self.greeted = true;
                // Subscribe to offers before becoming available to routing.
                let offers = self.state.hub.subscribe_agent(agent);
                self.state.presence.connect(agent);
                let (available, missed_offers) =
                    lifecycle::agents::availability_now(&self.state, agent).await.map_err(internal)?;
                let epoch = self.state.store.epoch().await.map_err(internal)?;
                let welcome = AgentOut::Welcome {
                    agent: self.agent.clone(),
                    available,
                    missed_offers,
                    epoch: Some(epoch),
                };
                let _ = self.out.send(welcome).await;
                lifecycle::watch_availability(&self.state, agent).await.map_err(internal)?;
                let forward = forward_agent_channel(self.state.clone(), agent, offers, self.out.clone());
                self.offers = Some(tokio::spawn(forward));
                Ok(())
            }
            _ if !self.greeted => Err(WireError::new(ErrorCode::HelloFirst, "send hello first")),
            AgentIn::Availability { available } => {
                // Every connection of the agent shows the toggle as it is now.
                lifecycle::agents::switch_availability(&self.state, agent, available).await.map_err(internal)
            }
            AgentIn::Decline { conversation: id } => {
                let id = ConversationId::new(id);
                let moved =
                    lifecycle::move_on(&self.state, id, agent, crate::routing::decide::Skip::Declined)
                        .await
                        .map_err(internal)?;
                if moved {
                    Ok(())
                } else {
                    Err(not_yours())
                }
            }
            AgentIn::Accept { conversation: id } => {
                let id = ConversationId::new(id);
                if !lifecycle::accept(&self.state, id, agent).await.map_err(internal)? {
                    return Err(not_yours());
                }
                self.follow(id, 0).await;
                Ok(())
            }
            AgentIn::Resume { conversation: id, last_seq } => {
                let id = ConversationId::new(id);
                self.mine(id, false).await?;
                self.follow(id, last_seq).await;
                // State changes are not replayed like messages: say where it
                // is now (read after following, so any later change still
                // arrives after this).
                if let Some(conv) = self.state.store.conversation(id).await.map_err(internal)? {
                    let _ =
                        self.out.send(AgentOut::State { conversation: id.get(), state: conv.state }).await;
                }
                Ok(())
            }
            AgentIn::Message { conversation, client_id, text } => {
                self.write(conversation, Author::Agent, &client_id, &text).await
            }
            AgentIn::Note { conversation, client_id, text } => {
                self.write(conversation, Author::Note, &client_id, &text).await
            }
            AgentIn::Typing { conversation: id, typing } => {
                let id = ConversationId::new(id);
                // (A late "stopped typing" after the chat ended is no error.)
                self.mine(id, false).await?;
                lifecycle::typing(&self.state, id, Author::Agent, typing);
                Ok(())
            }
            AgentIn::Transfer { conversation: id, to } => {
                let id = ConversationId::new(id);
                // Following it stops by itself on the transfer's event, or
                // when storage next shows it is not theirs (see `follow`).
                lifecycle::transfer(&self.state, id, &self.agent, &to).await.map_err(refused)
            }
            AgentIn::End { conversation: id } => {
                let id = ConversationId::new(id);
                self.mine(id, true).await?;
                // (Checked again as it is changed: a transfer may come between.)
                if !lifecycle::end_by_agent(&self.state, id, agent).await.map_err(internal)? {
                    return Err(not_yours());
                }
                Ok(())
            }
        }
    }

    /// Stores a message or note (`author`) the agent wrote in their open
    /// conversation `id`; a resent one is stored once and confirmed again.
    async fn write(&self, id: i64, author: Author, client_id: &str, text: &str) -> Result<(), WireError> {
        let id = ConversationId::new(id);
        self.mine(id, true).await?;
        let text = wire::check_message(client_id, text)?;
        let (message, new) =
            lifecycle::post(&self.state, id, author, Some(client_id), &text).await.map_err(internal)?;
        if !new {
            let _ = self.out.send(AgentOut::Message { conversation: id.get(), message }).await;
        }
        Ok(())
    }

    /// Checks that `id` is accepted by this agent (and, when `open`, not ended).
    async fn mine(&self, id: ConversationId, open: bool) -> Result<(), WireError> {
        let conv = self.state.store.conversation(id).await.map_err(internal)?.ok_or_else(not_yours)?;
        if conv.agent_id != Some(AgentId::new(self.agent.id)) || conv.state == ConversationState::Offered {
            return Err(not_yours());
        }
        if open && conv.state != ConversationState::Active {
            return Err(WireError::new(ErrorCode::Ended, "the conversation has ended"));
        }
        Ok(())
    }

    /// Follows conversation `id` from `after`; returns once what is stored
    /// so far is on its way, so a frame the agent sends next (a transfer,
    /// say) cannot overtake the first read (which would find the chat no
    /// longer theirs and send nothing of it).
    async fn follow(&mut self, id: ConversationId, after: u64) {
        if let Some(t) = self.tasks.remove(&id) {
            t.abort();
        }
        let me = AgentId::new(self.agent.id);
        let conversation = id.get();
        let (ready, read) = tokio::sync::oneshot::channel();
        let out = self.out.clone();
        let task =
            super::follow(&self.state, id, after, Some(me), out, Some(ready), move |event| match event {
                Event::Message(message) => Follow::Send(AgentOut::Message { conversation, message }),
                Event::State(state) => Follow::Send(AgentOut::State { conversation, state }),
                Event::Typing { author: Author::Visitor, typing } => {
                    Follow::Send(AgentOut::Typing { conversation, typing })
                }
                // No longer theirs (`transferred` comes on the agent's own channel).
                Event::Transferred { from } if from == me => Follow::Stop,
                Event::Typing { .. } | Event::Assigned(_) | Event::Transferred { .. } | Event::Resync => {
                    Follow::Skip
                }
            });
        self.tasks.insert(id, task);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), read).await;
    }
}
