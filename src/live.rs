//! The live chat: the visitor's side of `/ws/visitor`. [`Chat`] is what the
//! visitor sees, built from the server's frames (each message once, in
//! sequence order, whatever order or how often they arrive); [`Socket`] keeps
//! the connection, reconnecting with backoff and resuming from the last
//! sequence number, and resends what was typed while offline.

use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use switchboard_protocol::wire::{AgentInfo, Author, ChatMessage, ConversationState, VisitorIn, VisitorOut};
use switchboard_protocol::PROTOCOL_VERSION;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A message the visitor sent that the server has not confirmed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// Chosen here, so a resend is stored once.
    pub client_id: String,
    /// The text.
    pub text: String,
}

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
            VisitorOut::Welcome { state, agent, .. } => {
                self.link = Link::Open;
                self.state = state;
                if agent.is_some() {
                    self.agent = agent;
                }
            }
            VisitorOut::Message(m) => self.add(m),
            VisitorOut::State { state } => {
                self.state = Some(state);
                if !matches!(state, ConversationState::Active) {
                    self.agent_typing = false;
                }
            }
            VisitorOut::Typing { typing } => self.agent_typing = typing,
            VisitorOut::Agent(info) => self.agent = Some(info),
            VisitorOut::Error { .. } => {}
        }
    }

    fn add(&mut self, m: ChatMessage) {
        if m.author == Author::Visitor {
            self.pending.retain(|p| Some(&p.client_id) != m.client_id.as_ref());
        }
        if m.author == Author::Agent {
            self.agent_typing = false;
        }
        if let Err(at) = self.messages.binary_search_by_key(&m.seq, |x| x.seq) {
            self.messages.insert(at, m);
        }
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    /// The visitor's token.
    pub token: Option<String>,
    /// Whether the hand-off was sent (so a reload does not send it again).
    pub handed_off: bool,
    /// Typed but not confirmed.
    #[serde(default)]
    pub pending: Vec<Pending>,
}

fn key(site: &str) -> String {
    format!("switchboard:{site}:live")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// What was kept for `site`.
pub fn load(site: &str) -> Kept {
    storage()
        .and_then(|s| s.get_item(&key(site)).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

fn keep(site: &str, kept: &Kept) {
    if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(kept)) {
        let _ = s.set_item(&key(site), &json);
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

/// A fresh client message id.
pub fn client_id() -> String {
    let a = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let b = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    format!("{a:08x}{b:08x}")
}

struct Inner {
    url: String,
    site: String,
    kept: Kept,
    /// Sent once after the first welcome without a conversation.
    handoff: Option<VisitorIn>,
    ws: Option<web_sys::WebSocket>,
    last_seq: u64,
    retries: u32,
    closed_by_us: bool,
    on_frame: Rc<dyn Fn(VisitorOut)>,
    on_link: Rc<dyn Fn(Link)>,
    // Kept alive while the socket is.
    handlers: Vec<Closure<dyn FnMut(JsValue)>>,
}

/// The connection to the server, reconnecting until dropped.
#[derive(Clone)]
pub struct Socket(Rc<RefCell<Inner>>);

impl Socket {
    /// Connects for `site`; `handoff` is sent when the visitor has no
    /// conversation yet. `on_frame` gets every frame, `on_link` the link state.
    pub fn open(
        api_base: &str,
        site: &str,
        handoff: Option<VisitorIn>,
        on_frame: impl Fn(VisitorOut) + 'static,
        on_link: impl Fn(Link) + 'static,
    ) -> Socket {
        let kept = load(site);
        let handoff = if kept.handed_off { None } else { handoff };
        let s = Socket(Rc::new(RefCell::new(Inner {
            url: socket_url(api_base, site),
            site: site.to_owned(),
            kept,
            handoff,
            ws: None,
            last_seq: 0,
            retries: 0,
            closed_by_us: false,
            on_frame: Rc::new(on_frame),
            on_link: Rc::new(on_link),
            handlers: Vec::new(),
        })));
        s.connect();
        s
    }

    /// Messages typed but not yet confirmed (also from before a reload).
    pub fn pending(&self) -> Vec<Pending> {
        self.0.borrow().kept.pending.clone()
    }

    fn connect(&self) {
        let url = self.0.borrow().url.clone();
        let Ok(ws) = web_sys::WebSocket::new(&url) else {
            self.retry();
            return;
        };
        let me = self.clone();
        let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| me.on_open());
        let me = self.clone();
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            if let Some(text) = e.dyn_ref::<web_sys::MessageEvent>().and_then(|m| m.data().as_string()) {
                me.on_message(&text);
            }
        });
        let me = self.clone();
        let on_close = Closure::<dyn FnMut(JsValue)>::new(move |_| me.on_close());
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        let mut inner = self.0.borrow_mut();
        inner.handlers = vec![on_open, on_message, on_close];
        inner.ws = Some(ws);
    }

    fn send_frame(&self, frame: &VisitorIn) -> bool {
        let inner = self.0.borrow();
        match (&inner.ws, serde_json::to_string(frame)) {
            (Some(ws), Ok(json)) if ws.ready_state() == web_sys::WebSocket::OPEN => {
                ws.send_with_str(&json).is_ok()
            }
            _ => false,
        }
    }

    fn on_open(&self) {
        let hello = {
            let mut inner = self.0.borrow_mut();
            inner.retries = 0;
            VisitorIn::Hello {
                protocol: PROTOCOL_VERSION,
                token: inner.kept.token.clone(),
                last_seq: inner.last_seq,
            }
        };
        self.send_frame(&hello);
    }

    fn on_message(&self, text: &str) {
        let Ok(frame) = serde_json::from_str::<VisitorOut>(text) else { return };
        match &frame {
            VisitorOut::Welcome { token, state, .. } => {
                let (link, handoff, pending) = {
                    let mut inner = self.0.borrow_mut();
                    inner.kept.token = Some(token.clone());
                    let handoff = if state.is_none() { inner.handoff.take() } else { None };
                    if handoff.is_some() || state.is_some() {
                        inner.kept.handed_off = true;
                    }
                    keep(&inner.site, &inner.kept);
                    (inner.on_link.clone(), handoff, inner.kept.pending.clone())
                };
                link(Link::Open);
                if let Some(h) = handoff {
                    self.send_frame(&h);
                }
                // What was typed while offline goes now; the server keeps each once.
                for p in pending {
                    self.send_frame(&VisitorIn::Message { client_id: p.client_id, text: p.text });
                }
            }
            VisitorOut::Message(m) => {
                let mut inner = self.0.borrow_mut();
                inner.last_seq = inner.last_seq.max(m.seq);
                if m.author == Author::Visitor {
                    let before = inner.kept.pending.len();
                    inner.kept.pending.retain(|p| Some(&p.client_id) != m.client_id.as_ref());
                    if inner.kept.pending.len() != before {
                        keep(&inner.site, &inner.kept);
                    }
                }
            }
            _ => {}
        }
        let on_frame = self.0.borrow().on_frame.clone();
        on_frame(frame);
    }

    fn on_close(&self) {
        let (ours, link) = {
            let mut inner = self.0.borrow_mut();
            inner.ws = None;
            (inner.closed_by_us, inner.on_link.clone())
        };
        if !ours {
            link(Link::Reconnecting);
            self.retry();
        }
    }

    fn retry(&self) {
        let delay = {
            let mut inner = self.0.borrow_mut();
            inner.retries += 1;
            // 0.5 s, 1 s, 2 s, … up to 10 s.
            (500u32 << inner.retries.min(5).saturating_sub(1)).min(10_000)
        };
        let me = self.clone();
        let again = Closure::once_into_js(move || {
            if !me.0.borrow().closed_by_us {
                me.connect();
            }
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                again.unchecked_ref(),
                i32::try_from(delay).unwrap_or(10_000),
            );
        }
    }

    /// Sends a message (kept until the server confirms it, and sent again
    /// after a reconnect). Returns what was queued.
    pub fn say(&self, text: &str) -> Pending {
        let p = Pending { client_id: client_id(), text: text.to_owned() };
        {
            let mut inner = self.0.borrow_mut();
            inner.kept.pending.push(p.clone());
            keep(&inner.site, &inner.kept);
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
        let mut inner = self.0.borrow_mut();
        inner.closed_by_us = true;
        if let Some(ws) = inner.ws.take() {
            let _ = ws.close();
        }
    }
}
