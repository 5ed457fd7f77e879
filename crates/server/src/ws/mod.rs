//! WebSocket endpoints: [`visitor`] (`/ws/visitor`), [`agent`]
//! (`/ws/agent`), and [`limits`] on what visitors may open and send.

pub mod agent;
pub mod limits;
pub mod visitor;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use std::time::Instant;
use switchboard_protocol::wire::{ConversationState, ErrorCode, WireError};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

use crate::hub::Event;
use crate::ids::{AgentId, ConversationId};
use crate::shutdown::Shutdown;
use crate::state::AppState;
use crate::store::{Store, StoreError};

/// Read buffer per socket (frames are small; larger ones are read in steps).
const READ_BUFFER_BYTES: usize = 4096;
/// Most a socket may have waiting to be written before it is dropped (a
/// client that stopped reading).
const MAX_WRITE_BUFFER_BYTES: usize = 1 << 20;

/// An upgrade taking messages up to `max_message` bytes, with small
/// buffers: most sockets sit idle, and the defaults (128 KiB each way) cost
/// every one of them about 140 KB of memory; frames are written out at
/// once instead of gathered.
pub fn sized(ws: axum::extract::WebSocketUpgrade, max_message: usize) -> axum::extract::WebSocketUpgrade {
    ws.max_message_size(max_message)
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES)
}

/// One kind of WebSocket connection: how its frames parse, how it handles
/// them and how a refused frame is told.
pub trait Connection: Send {
    /// Frames the client sends.
    type In: Send;
    /// Frames the server sends.
    type Out: serde::Serialize + Send + 'static;
    /// Parses (and size-checks) a text frame.
    fn parse(text: &str) -> Result<Self::In, WireError>;
    /// The error frame for a refused frame.
    fn refusal(e: WireError) -> Self::Out;
    /// Acts on a frame; an error is answered with [`Connection::refusal`].
    fn handle(&mut self, frame: Self::In) -> impl std::future::Future<Output = Result<(), WireError>> + Send;
    /// Takes one frame from the connection's allowance at `now`, if there is one.
    fn allow(&mut self, now: Instant) -> bool;
    /// Whether the connection must close now (say, a second socket over the
    /// visitor's limit), with the close frame to send.
    fn closing(&mut self) -> Option<CloseFrame> {
        None
    }
}

/// Close code for a client that broke the rules (RFC 6455: policy violation).
pub const CLOSE_POLICY: u16 = 1008;
/// Close code when the session that opened the socket ended (logout, a new
/// password, removal): sign in again.
pub const CLOSE_SESSION_ENDED: u16 = 4001;
/// Close code when the agent may no longer take chats.
pub const CLOSE_NO_LIVE_CHAT: u16 = 4003;
/// How long refused frames are counted for [`Limits::refusals_before_close`](crate::config::Limits).
const REFUSAL_WINDOW: std::time::Duration = std::time::Duration::from_secs(10);

/// A close frame with `code` and a short reason.
pub fn close_frame(code: u16, reason: &'static str) -> CloseFrame {
    CloseFrame { code, reason: reason.into() }
}

/// Runs a connection: a writer task drains the outgoing channel; the reader
/// rate-limits, parses and hands each frame to the connection, answering a
/// refused frame with an error frame and keeping the socket open. A flood
/// is told once (`rate_limited`) until a frame passes again, and a socket
/// that earns more than `refusals_before_close` refusals within ten seconds
/// is closed (1008). Stops on close, on error, when `ended` completes (with
/// its close frame) or at shutdown, then closes the socket.
pub async fn serve<C: Connection>(
    socket: WebSocket,
    shutdown: Shutdown,
    refusals_before_close: u32,
    ended: impl std::future::Future<Output = CloseFrame> + Send,
    make: impl FnOnce(mpsc::Sender<C::Out>) -> C,
) {
    let (mut sink, mut stream) = socket.split();
    let (out, mut rx) = mpsc::channel::<C::Out>(256);
    let close = std::sync::Arc::new(std::sync::Mutex::new(None::<CloseFrame>));
    let writer = {
        let close = close.clone();
        tokio::spawn(async move {
            while let Some(frame) = rx.recv().await {
                let text = serde_json::to_string(&frame).expect("frames serialize");
                if sink.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            let frame = close.lock().unwrap_or_else(|e| e.into_inner()).take();
            let _ = sink.send(Message::Close(frame)).await;
        })
    };
    let mut conn = make(out.clone());
    let mut ended = std::pin::pin!(ended);
    let mut refusals = (Instant::now(), 0u32);
    let mut flooding = false;
    let mut closing = None;
    loop {
        let frame = tokio::select! {
            frame = stream.next() => frame,
            frame = &mut ended => {
                closing = Some(frame);
                break;
            }
            () = shutdown.clone().recv() => break,
        };
        let now = Instant::now();
        let reply = match frame {
            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(_)) if !conn.allow(now) => {
                Err(WireError::new(ErrorCode::RateLimited, "too many frames; slow down"))
            }
            Some(Ok(Message::Binary(_))) => {
                Err(WireError::new(ErrorCode::BinaryFrame, "frames are JSON text"))
            }
            Some(Ok(Message::Text(text))) => match C::parse(&text) {
                Ok(frame) => conn.handle(frame).await,
                Err(e) => Err(e),
            },
        };
        match reply {
            Ok(()) => flooding = false,
            Err(e) => {
                if now.saturating_duration_since(refusals.0) > REFUSAL_WINDOW {
                    refusals = (now, 0);
                }
                refusals.1 += 1;
                if refusals.1 > refusals_before_close {
                    closing = Some(close_frame(CLOSE_POLICY, "too many refused frames"));
                    break;
                }
                // One word per flood, not one per dropped frame.
                let quiet = e.code == ErrorCode::RateLimited && std::mem::replace(&mut flooding, true);
                if !quiet && out.send(C::refusal(e)).await.is_err() {
                    break;
                }
            }
        }
        if let Some(frame) = conn.closing() {
            closing = Some(frame);
            break;
        }
    }
    *close.lock().unwrap_or_else(|e| e.into_inner()) = closing;
    // The writer ends when the last sender is gone: the connection's (and
    // its forwarding tasks', which it aborts when dropped) and ours.
    drop(conn);
    drop(out);
    let _ = writer.await;
}

/// What a follower makes of one event.
#[derive(Debug)]
pub enum Follow<T> {
    /// Send this frame.
    Send(T),
    /// Nothing to send for it.
    Skip,
    /// The conversation is no longer this connection's: stop following.
    Stop,
}

/// Follows a conversation for one connection: every stored message after
/// `after`, then live events, messages in order and each exactly once (a gap
/// or a lagging receiver re-reads storage). `map` turns events into the
/// connection's frames, or ends the following.
///
/// An agent's connection passes `agent`: whenever storage is read (at the
/// start and after a gap), following stops once the conversation is no
/// longer theirs. Events are not stored, so this catches a transfer whose
/// event came before the subscription or was lost to a gap.
///
/// A read that fails (the database restarting) is tried again, waiting
/// longer each time (up to 5 s), until it succeeds or the socket closes:
/// the follower never stops for good while its socket is open.
///
/// `ready` is told once the first read of storage is done (or dropped when
/// following stopped there), so a caller can wait until what is stored so
/// far is on its way before acting on the conversation again.
pub fn follow<T, F>(
    state: &AppState,
    conversation: ConversationId,
    after: u64,
    agent: Option<AgentId>,
    out: mpsc::Sender<T>,
    ready: Option<tokio::sync::oneshot::Sender<()>>,
    map: F,
) -> JoinHandle<()>
where
    T: Send + 'static,
    F: Fn(Event) -> Follow<T> + Send + Sync + 'static,
{
    // Subscribe before reading storage so nothing falls in between.
    let events = state.hub.subscribe(conversation);
    let store = state.store.clone();
    let metrics = state.metrics.clone();
    tokio::spawn(async move {
        let what = Followed { conversation, after, agent };
        // Each message passed on counts as delivered (not a note skipped).
        let map = move |event: Event| {
            let message = matches!(event, Event::Message(_));
            let follow = map(event);
            if message && matches!(follow, Follow::Send(_)) {
                metrics.message_delivered();
            }
            follow
        };
        forward(store, what, events, out, ready, map).await;
    })
}

/// What a follower follows: the conversation, from which sequence number,
/// and for which agent (if one).
struct Followed {
    conversation: ConversationId,
    after: u64,
    agent: Option<AgentId>,
}

/// The first wait before a follower reads storage again after it failed.
const RETRY_FIRST: std::time::Duration = std::time::Duration::from_millis(250);
/// The longest such wait (it doubles from [`RETRY_FIRST`]).
const RETRY_MOST: std::time::Duration = std::time::Duration::from_secs(5);

async fn forward<T, F>(
    store: Store,
    Followed { conversation, after: mut delivered, agent }: Followed,
    mut events: broadcast::Receiver<Event>,
    out: mpsc::Sender<T>,
    mut ready: Option<tokio::sync::oneshot::Sender<()>>,
    map: F,
) where
    F: Fn(Event) -> Follow<T>,
{
    let mut resync = true;
    // The state and agent as last passed on (none before the first read:
    // the client was told them as it connected).
    let mut state = None;
    let mut assigned = None;
    // An accept told live since the last read (its event names no agent id).
    let mut told_live = false;
    // How long to wait before reading again after storage failed.
    let mut retry = RETRY_FIRST;
    loop {
        if resync {
            // `Ok(false)`: stop following.
            let read: Result<bool, StoreError> = async {
                let now = store.conversation(conversation).await?;
                if let Some(agent) = agent {
                    if now.as_ref().and_then(|c| c.agent_id) != Some(agent) {
                        return Ok(false);
                    }
                }
                for m in store.messages_after(conversation, delivered).await? {
                    delivered = m.seq;
                    if !send(&out, map(Event::Message(m))).await {
                        return Ok(false);
                    }
                }
                // A state change or an accept whose event was missed (on
                // another node's bus) is told from storage.
                if let Some(c) = now {
                    let agent_now = c.agent_id.filter(|_| c.state == ConversationState::Active);
                    if state.is_some() && assigned != agent_now && !told_live {
                        if let Some(info) = match agent_now {
                            Some(a) => store.agent_info(a).await?,
                            None => None,
                        } {
                            if !send(&out, map(Event::Assigned(info))).await {
                                return Ok(false);
                            }
                        }
                    }
                    if state.is_some_and(|s| s != c.state) && !send(&out, map(Event::State(c.state))).await {
                        return Ok(false);
                    }
                    state = Some(c.state);
                    assigned = agent_now;
                    told_live = false;
                }
                Ok(true)
            }
            .await;
            match read {
                Ok(true) => retry = RETRY_FIRST,
                Ok(false) => return,
                // Storage is out of reach (a restart, a failover): read
                // again later rather than stop following for good, which
                // would leave the socket open and silent. (A socket that
                // closed meanwhile has nobody to read for.)
                Err(_) if out.is_closed() => return,
                Err(e) => {
                    let what = "reading a followed conversation; trying again";
                    tracing::warn!(error = %e, conversation = %conversation, ?retry, "{what}");
                    tokio::time::sleep(retry).await;
                    retry = (retry * 2).min(RETRY_MOST);
                    continue;
                }
            }
            resync = false;
            if let Some(r) = ready.take() {
                let _ = r.send(());
            }
        }
        let event = match events.recv().await {
            Ok(Event::Message(m)) if m.seq <= delivered => continue,
            Ok(Event::Message(m)) if m.seq == delivered + 1 => {
                delivered = m.seq;
                Event::Message(m)
            }
            // A gap: read what is missing from storage.
            Ok(Event::Message(_) | Event::Resync) | Err(broadcast::error::RecvError::Lagged(_)) => {
                resync = true;
                continue;
            }
            // (Passed on even when a read since told it: the same state
            // can come twice in a row, offered to one agent, then another.)
            Ok(Event::State(s)) => {
                state = Some(s);
                Event::State(s)
            }
            Ok(Event::Assigned(info)) => {
                told_live = true;
                Event::Assigned(info)
            }
            Ok(other) => other,
            Err(broadcast::error::RecvError::Closed) => return,
        };
        if !send(&out, map(event)).await {
            return;
        }
    }
}

/// Acts on what a follower made of an event; `false` to stop following.
async fn send<T>(out: &mpsc::Sender<T>, follow: Follow<T>) -> bool {
    match follow {
        Follow::Send(frame) => out.send(frame).await.is_ok(),
        Follow::Skip => true,
        Follow::Stop => false,
    }
}

/// A token bucket per connection: `burst` frames at once, refilled at `rate`
/// per second. A flooding client gets error frames instead of service.
#[derive(Debug)]
pub struct RateLimit {
    tokens: f64,
    burst: f64,
    rate: f64,
    last: Instant,
}

impl From<&crate::config::Limits> for RateLimit {
    fn from(l: &crate::config::Limits) -> Self {
        Self::new(l.frames_burst, l.frames_per_sec)
    }
}

impl RateLimit {
    /// A full bucket.
    pub fn new(burst: u32, rate: u32) -> Self {
        Self {
            tokens: f64::from(burst),
            burst: f64::from(burst),
            rate: f64::from(rate),
            last: Instant::now(),
        }
    }

    /// Takes one token at `now`, if there is one.
    pub fn allow_at(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_bucket_allows_a_burst_then_refills_over_time() {
        let mut r = RateLimit::new(3, 2);
        let t = Instant::now();
        assert!((0..3).all(|_| r.allow_at(t)));
        assert!(!r.allow_at(t));
        assert!(r.allow_at(t + Duration::from_millis(600)));
        assert!(!r.allow_at(t + Duration::from_millis(600)));
    }
}
