//! The live chat: the visitor's side of `/ws/visitor`. [`Chat`] is what the
//! visitor sees, built from the server's frames (each message once, in
//! sequence order, whatever order or how often they arrive); [`Socket`] keeps
//! the connection, reconnecting with backoff and resuming from the last
//! sequence number, and resends what was typed while offline.

use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;
use switchboard_protocol::json::{self, FromJson, Json, JsonError};
pub use switchboard_protocol::wire::Pending;
use switchboard_protocol::wire::{
    take_in, AgentInfo, Author, ChatMessage, ConversationState, ErrorCode, VisitorIn, VisitorOut,
    MAX_FRAME_BYTES, MAX_TRANSCRIPT,
};
use switchboard_protocol::PROTOCOL_VERSION;
use switchboard_websocket::{after, client_id, Reconnecting, RATE_LIMITED_RETRY_MS};

/// The link to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Link {
    /// Opening for the first time.
    #[default]
    Connecting,
    /// Open.
    Open,
    /// Lost; trying again.
    Reconnecting,
}

/// The live chat as the visitor sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chat {
    /// Stored messages, by sequence number, each once.
    pub messages: Vec<ChatMessage>,
    /// Sent but not yet confirmed, oldest first.
    pub pending: Vec<Pending>,
    /// The conversation's state, once there is one.
    pub state: Option<ConversationState>,
    /// The agent, once one accepted.
    pub agent: Option<AgentInfo>,
    /// Whether the agent is typing.
    pub agent_typing: bool,
    /// The connection.
    pub link: Link,
}

impl Chat {
    /// Takes in one frame from the server.
    pub fn apply(&mut self, frame: VisitorOut) {
        match frame {
            VisitorOut::Welcome { state, agent, reset, .. } => {
                self.link = Link::Open;
                self.state = state;
                if reset {
                    // The database was restored: the messages held may not
                    // be its messages any more (they come again from the
                    // start), and the agent is whoever it says.
                    self.messages.clear();
                    self.agent = agent;
                    self.agent_typing = false;
                } else if agent.is_some() {
                    self.agent = agent;
                }
            }
            VisitorOut::Message(m) => self.add(m),
            VisitorOut::State { state: ConversationState::Waiting } => {
                // Only a new conversation starts waiting: whatever was shown
                // (an earlier, ended chat) makes way.
                *self =
                    Chat { pending: std::mem::take(&mut self.pending), link: self.link, ..Chat::default() };
                self.state = Some(ConversationState::Waiting);
            }
            VisitorOut::State { state } => {
                self.state = Some(state);
                if !matches!(state, ConversationState::Active) {
                    self.agent_typing = false;
                }
                if state == ConversationState::Offered {
                    // Offered to someone (again, after a transfer): nobody
                    // has the chat until they accept, and the visitor sees
                    // "connecting" rather than the agent who handed it on.
                    self.agent = None;
                }
                if matches!(state, ConversationState::Ended | ConversationState::Fallback) {
                    // Nothing more can be delivered.
                    self.pending.clear();
                }
            }
            VisitorOut::Typing { typing } => self.agent_typing = typing,
            VisitorOut::Agent(info) => self.agent = Some(info),
            // The server refused the hand-off for good (a card it no longer
            // takes, too many asked for, chat switched off, an email at a
            // blocked domain): no chat is coming, and the visitor is offered
            // a new conversation instead of waiting.
            VisitorOut::Error {
                code:
                    ErrorCode::UnknownCard
                    | ErrorCode::TooManyHandoffs
                    | ErrorCode::ChatDisabled
                    | ErrorCode::BlockedEmail,
                ..
            } if self.state.is_none() => {
                self.state = Some(ConversationState::Fallback);
            }
            VisitorOut::Error { .. } => {}
        }
    }

    fn add(&mut self, m: ChatMessage) {
        // The server never sends agents' private notes; were one to come,
        // it is not shown.
        if m.author == Author::Note {
            return;
        }
        if m.author == Author::Agent {
            self.agent_typing = false;
        }
        take_in(&mut self.messages, &mut self.pending, Author::Visitor, m);
    }

    /// The highest sequence number held (to resume from).
    pub fn last_seq(&self) -> u64 {
        self.messages.last().map_or(0, |m| m.seq)
    }

    /// Whether the visitor can still write.
    pub fn open(&self) -> bool {
        !matches!(self.state, Some(ConversationState::Ended | ConversationState::Fallback))
    }
}

/// What is kept per site between page loads.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Kept {
    /// The visitor's token.
    pub token: Option<String>,
    /// Whether the hand-off was sent (so a reload does not send it again).
    pub handed_off: bool,
    /// Typed but not confirmed.
    pub pending: Vec<Pending>,
    /// The newest agent message the visitor was told of (by the sound), so
    /// a reload, which gets the conversation again, does not tell again.
    pub heard: u64,
    /// The database epoch the sequence numbers here count in (from the
    /// last welcome): sent in the hello, so that a restored database's
    /// numbers are never mistaken for these.
    pub epoch: Option<String>,
}

impl FromJson for Kept {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        Ok(Self {
            token: json.field("token")?,
            handed_off: json.field("handed_off")?,
            pending: json.field_or("pending", Vec::new)?,
            heard: json.field_or("heard", || 0)?,
            epoch: json.field("epoch")?,
        })
    }
}

/// What was kept for `site`.
pub fn load(site: &str) -> Kept {
    crate::storage::load(site, "live").unwrap_or_default()
}

fn keep(site: &str, kept: &Kept) {
    crate::storage::save(site, "live", kept);
}

impl Inner {
    /// Applies `f` to this page's copy of what is kept and to what is kept
    /// for the site. Every tab of the visitor on the site writes there, so
    /// each writes only its change, never its whole copy: a tab that had
    /// not heard of another's unconfirmed message cannot drop it. Returns
    /// what was kept for the site before (written again only if `f`
    /// changed it).
    fn change(&mut self, f: impl Fn(&mut Kept)) -> Kept {
        f(&mut self.kept);
        let before = load(&self.site);
        let mut after = before.clone();
        f(&mut after);
        if after != before {
            keep(&self.site, &after);
        }
        before
    }
}

/// The visitor starts a new conversation on `site`: the next hand-off goes
/// out (the visitor keeps their token).
pub fn start_over(site: &str) {
    let kept = load(site);
    keep(site, &Kept { token: kept.token, ..Kept::default() });
}

/// A hand-off that fits in one frame: the oldest transcript lines go first
/// when a long stream would not fit (the server refuses larger frames).
pub fn fitted(mut handoff: VisitorIn) -> VisitorIn {
    if let VisitorIn::Handoff { transcript, page, .. } = &mut handoff {
        let cut = |s: &mut String, max: usize| {
            if s.len() > max {
                let mut end = max;
                while !s.is_char_boundary(end) {
                    end -= 1;
                }
                s.truncate(end);
            }
        };
        cut(&mut page.url, 2000);
        cut(&mut page.referrer, 2000);
        if transcript.len() > MAX_TRANSCRIPT {
            transcript.drain(..transcript.len() - MAX_TRANSCRIPT);
        }
    }
    loop {
        let too_big = serde_json::to_string(&handoff).is_ok_and(|j| j.len() > MAX_FRAME_BYTES - 256);
        match &mut handoff {
            VisitorIn::Handoff { transcript, .. } if too_big && !transcript.is_empty() => {
                transcript.remove(0);
            }
            _ => return handoff,
        }
    }
}

/// `http(s)://host` → `ws(s)://host/ws/visitor?site=KEY`.
pub fn socket_url(api_base: &str, site: &str) -> String {
    let base = api_base.trim_end_matches('/');
    let base = base
        .strip_prefix("https://")
        .map(|h| format!("wss://{h}"))
        .or_else(|| base.strip_prefix("http://").map(|h| format!("ws://{h}")))
        .unwrap_or_else(|| base.to_owned());
    format!("{base}/ws/visitor?site={site}")
}

struct Inner {
    site: String,
    kept: Kept,
    /// Sent after a welcome without an open conversation, until the server
    /// confirms it with a state (so a drop in between loses nothing).
    handoff: Option<VisitorIn>,
    handoff_sent: bool,
    /// A resend of what is not confirmed is waiting (after a
    /// `rate_limited` or an `internal`).
    retry_due: bool,
    ws: Option<Reconnecting>,
    last_seq: u64,
    on_frame: Rc<dyn Fn(VisitorOut)>,
    on_link: Rc<dyn Fn(Link)>,
    on_agent_wrote: Rc<dyn Fn(bool)>,
}

/// The connection to the server, reconnecting until dropped.
#[derive(Clone)]
pub struct Socket(Rc<RefCell<Inner>>);

impl Socket {
    /// Connects for `site`; `handoff` is sent when the visitor has no
    /// conversation yet. `on_frame` gets every frame, `on_link` the link
    /// state, and `on_agent_wrote` is called for each agent message this
    /// page has not been told of yet (not again for the conversation so
    /// far that a reload or a reconnect brings), with whether it is news to
    /// the visitor (no other tab of theirs on the site had it first).
    pub fn open(
        api_base: &str,
        site: &str,
        handoff: Option<VisitorIn>,
        on_frame: impl Fn(VisitorOut) + 'static,
        on_link: impl Fn(Link) + 'static,
        on_agent_wrote: impl Fn(bool) + 'static,
    ) -> Socket {
        let kept = load(site);
        let s = Socket(Rc::new(RefCell::new(Inner {
            site: site.to_owned(),
            kept,
            handoff: handoff.map(fitted),
            handoff_sent: false,
            retry_due: false,
            ws: None,
            last_seq: 0,
            on_frame: Rc::new(on_frame),
            on_link: Rc::new(on_link),
            on_agent_wrote: Rc::new(on_agent_wrote),
        })));
        let (opened, heard, lost) = (s.clone(), s.clone(), s.clone());
        let ws = Reconnecting::open(
            socket_url(api_base, site),
            move |ws| opened.on_open(ws),
            move |text| heard.receive(&text),
            move || {
                let link = lost.0.borrow().on_link.clone();
                link(Link::Reconnecting);
            },
        );
        s.0.borrow_mut().ws = Some(ws);
        s
    }

    /// The visitor's token, once the server gave one.
    pub fn token(&self) -> Option<String> {
        self.0.borrow().kept.token.clone()
    }

    /// Messages typed but not yet confirmed (also from before a reload).
    pub fn pending(&self) -> Vec<Pending> {
        self.0.borrow().kept.pending.clone()
    }

    fn send_frame(&self, frame: &VisitorIn) -> bool {
        let inner = self.0.borrow();
        match (&inner.ws, serde_json::to_string(frame)) {
            (Some(ws), Ok(json)) => ws.send(&json),
            _ => false,
        }
    }

    fn on_open(&self, ws: &Reconnecting) {
        let hello = {
            let inner = self.0.borrow();
            VisitorIn::Hello {
                protocol: PROTOCOL_VERSION,
                token: inner.kept.token.clone(),
                last_seq: inner.last_seq,
                epoch: inner.kept.epoch.clone(),
            }
        };
        if let Ok(json) = serde_json::to_string(&hello) {
            ws.send(&json);
        }
    }

    /// Takes in one text frame from the server (the socket hands each
    /// here; a test may too). An unreadable frame is ignored.
    pub fn receive(&self, text: &str) {
        let Ok(frame) = json::from_str::<VisitorOut>(text) else { return };
        match &frame {
            VisitorOut::Welcome { token, state, epoch, reset, .. } => {
                let (link, handoff, pending) = {
                    let mut inner = self.0.borrow_mut();
                    let over =
                        matches!(state, None | Some(ConversationState::Ended | ConversationState::Fallback));
                    if *reset {
                        // The database was restored: the conversation comes
                        // again from the start, an agent message numbered
                        // as one heard before is news, and a hand-off the
                        // restored database does not have is sent again.
                        inner.last_seq = 0;
                        inner.change(|k| {
                            k.heard = 0;
                            k.handed_off &= !over;
                        });
                    }
                    inner.change(|k| {
                        k.token = Some(token.clone());
                        k.epoch.clone_from(epoch);
                    });
                    let handoff = if over && !inner.kept.handed_off { inner.handoff.clone() } else { None };
                    inner.handoff_sent = handoff.is_some();
                    (inner.on_link.clone(), handoff, inner.kept.pending.clone())
                };
                link(Link::Open);
                if let Some(h) = handoff {
                    self.send_frame(&h);
                }
                // What was typed while offline goes now; the server keeps each once.
                self.resend(pending);
            }
            VisitorOut::Error { code: ErrorCode::RateLimited | ErrorCode::Internal, .. } => {
                // Too fast, or the server failed to store it: the refused
                // frame may have been the hand-off or a message, so what is
                // not confirmed yet goes again in a moment (once, however
                // many frames were refused). Nothing the visitor wrote is dropped.
                let due = std::mem::replace(&mut self.0.borrow_mut().retry_due, true);
                if !due {
                    let s = self.clone();
                    after(RATE_LIMITED_RETRY_MS, move || {
                        let handoff = {
                            let mut inner = s.0.borrow_mut();
                            inner.retry_due = false;
                            inner.handoff.clone().filter(|_| inner.handoff_sent && !inner.kept.handed_off)
                        };
                        if let Some(h) = handoff {
                            s.send_frame(&h);
                        }
                        let pending = s.pending();
                        s.resend(pending);
                    });
                }
            }
            VisitorOut::State { state } => {
                let mut inner = self.0.borrow_mut();
                // The server opened the conversation.
                let opened = inner.handoff_sent && !inner.kept.handed_off;
                if *state == ConversationState::Waiting {
                    // A new conversation: its sequence numbers start again.
                    inner.last_seq = 0;
                }
                inner.change(|k| {
                    k.handed_off |= opened;
                    if *state == ConversationState::Waiting {
                        k.heard = 0;
                    }
                    if matches!(state, ConversationState::Ended | ConversationState::Fallback) {
                        k.pending.clear();
                    }
                });
            }
            VisitorOut::Error { code: ErrorCode::BadToken, .. } => {
                // This visitor is unknown to the server (say, after a data
                // clean-up): start afresh on a new connection.
                let ws = {
                    let mut inner = self.0.borrow_mut();
                    inner
                        .change(|k| *k = Kept { pending: std::mem::take(&mut k.pending), ..Kept::default() });
                    inner.last_seq = 0;
                    inner.ws.clone()
                };
                if let Some(ws) = ws {
                    ws.reconnect();
                }
            }
            VisitorOut::Message(m) => {
                let mut inner = self.0.borrow_mut();
                inner.last_seq = inner.last_seq.max(m.seq);
                if m.author == Author::Visitor {
                    inner.change(|k| k.pending.retain(|p| Some(&p.client_id) != m.client_id.as_ref()));
                }
                if m.author == Author::Agent && m.seq > inner.kept.heard {
                    // New to this page; and to the visitor unless another
                    // of their tabs on the site had it first (each gets
                    // every message).
                    let first = m.seq > inner.change(|k| k.heard = k.heard.max(m.seq)).heard;
                    let wrote = inner.on_agent_wrote.clone();
                    drop(inner);
                    wrote(first);
                }
            }
            _ => {}
        }
        let on_frame = self.0.borrow().on_frame.clone();
        on_frame(frame);
    }

    fn resend(&self, pending: Vec<Pending>) {
        for p in pending {
            self.send_frame(&VisitorIn::Message { client_id: p.client_id, text: p.text });
        }
    }

    /// Sends a message (kept until the server confirms it, and sent again
    /// after a reconnect, a refusal for sending too fast or a storage
    /// failure). Returns what was queued.
    pub fn say(&self, text: &str) -> Pending {
        let p = Pending { client_id: client_id(), text: text.to_owned() };
        {
            self.0.borrow_mut().change(|k| k.pending.push(p.clone()));
        }
        self.send_frame(&VisitorIn::Message { client_id: p.client_id.clone(), text: p.text.clone() });
        p
    }

    /// Tells the agent the visitor is (not) typing.
    pub fn typing(&self, typing: bool) {
        self.send_frame(&VisitorIn::Typing { typing });
    }

    /// Ends the chat.
    pub fn end(&self) {
        self.send_frame(&VisitorIn::End);
    }

    /// Closes for good (the widget went away).
    pub fn close(&self) {
        let ws = self.0.borrow().ws.clone();
        if let Some(ws) = ws {
            ws.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_protocol::stream::runner::Entry;
    use switchboard_protocol::wire::PageContext;

    #[test]
    fn a_long_hand_off_is_cut_to_fit_one_frame_keeping_the_latest_lines() {
        let transcript: Vec<Entry> = (0..600)
            .map(|i| Entry::Bot { card: format!("c{i}"), text: format!("line {i} {}", "x".repeat(100)) })
            .collect();
        let handoff = VisitorIn::Handoff {
            stream: "s".into(),
            version: 1,
            card: "agent".into(),
            attributes: Default::default(),
            transcript,
            page: PageContext {
                url: format!("https://shop.example/{}", "é".repeat(3000)),
                ..Default::default()
            },
        };
        let fitted = fitted(handoff);
        let json = serde_json::to_string(&fitted).unwrap();
        assert!(json.len() <= MAX_FRAME_BYTES, "{}", json.len());
        let VisitorIn::Handoff { transcript, page, .. } = fitted else { unreachable!() };
        assert!(page.url.len() <= 2000);
        assert!(!transcript.is_empty() && transcript.len() < 600);
        assert!(
            matches!(transcript.last(), Some(Entry::Bot { card, .. }) if card == "c599"),
            "the latest lines stay"
        );
    }

    #[test]
    fn a_refused_hand_off_ends_the_wait_instead_of_connecting_forever() {
        for code in [
            ErrorCode::UnknownCard,
            ErrorCode::TooManyHandoffs,
            ErrorCode::ChatDisabled,
            ErrorCode::BlockedEmail,
        ] {
            let mut chat = Chat::default();
            chat.apply(VisitorOut::Error { code, message: "no".into() });
            assert!(!chat.open(), "{code:?}");
        }
        // Other refusals (say, a message too long) do not end anything.
        let mut chat = Chat::default();
        chat.apply(VisitorOut::State { state: ConversationState::Waiting });
        chat.apply(VisitorOut::Error { code: ErrorCode::TooManyHandoffs, message: "no".into() });
        chat.apply(VisitorOut::Error { code: ErrorCode::BadMessage, message: "no".into() });
        assert!(chat.open());
    }

    #[test]
    fn a_transferred_chat_names_nobody_until_the_next_agent_accepts() {
        let agent = |name: &str| AgentInfo { name: name.into(), avatar_url: None };
        let mut chat = Chat::default();
        for frame in [
            VisitorOut::State { state: ConversationState::Waiting },
            VisitorOut::State { state: ConversationState::Offered },
            VisitorOut::Agent(agent("Ada")),
            VisitorOut::State { state: ConversationState::Active },
            VisitorOut::Typing { typing: true },
            VisitorOut::Message(ChatMessage {
                seq: 1,
                author: Author::System,
                client_id: None,
                text: "Ada transferred the chat to Grace.".into(),
                at: String::new(),
                file: None,
            }),
            VisitorOut::State { state: ConversationState::Offered },
        ] {
            chat.apply(frame);
        }
        assert_eq!((chat.agent.as_ref(), chat.agent_typing), (None, false));
        assert_eq!(chat.messages.len(), 1, "what was said stays");
        assert!(chat.open());
        chat.apply(VisitorOut::Agent(agent("Grace")));
        chat.apply(VisitorOut::State { state: ConversationState::Active });
        assert_eq!(chat.agent, Some(agent("Grace")));
        assert_eq!(chat.messages.len(), 1);
    }

    #[test]
    fn what_is_kept_reads_back_as_it_was_written() {
        let kept = Kept {
            token: Some("tok".into()),
            handed_off: true,
            pending: vec![Pending { client_id: "c1".into(), text: "hi \"there\"".into() }],
            heard: 7,
            epoch: Some("0f3a9c1e5b7d2468".into()),
        };
        let text = serde_json::to_string(&kept).unwrap();
        assert_eq!(json::from_str::<Kept>(&text), Ok(kept));
        assert_eq!(json::from_str::<Kept>(r#"{"token":null,"handed_off":false}"#), Ok(Kept::default()));
    }

    #[test]
    fn socket_urls_follow_the_api_scheme() {
        assert_eq!(
            socket_url("https://chat.example.com/", "acme"),
            "wss://chat.example.com/ws/visitor?site=acme"
        );
        assert_eq!(socket_url("http://127.0.0.1:8080", "demo"), "ws://127.0.0.1:8080/ws/visitor?site=demo");
    }
}
