//! The inbox's WebSocket to `/ws/agent` (same origin; the session cookie
//! authenticates it). Reconnects with backoff until closed; after each
//! welcome the shell resumes every open conversation from its last sequence
//! number, so nothing is lost and, with the model's deduplication, nothing
//! is doubled.

use std::cell::RefCell;
use std::rc::Rc;
use switchboard_protocol::wire::{AgentIn, AgentOut};
use switchboard_protocol::PROTOCOL_VERSION;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::model::Link;

struct Inner {
    url: String,
    ws: Option<web_sys::WebSocket>,
    retries: u32,
    closed_by_us: bool,
    on_frame: Rc<dyn Fn(AgentOut)>,
    on_link: Rc<dyn Fn(Link)>,
    // Kept alive while the socket is.
    handlers: Vec<Closure<dyn FnMut(JsValue)>>,
}

/// The agent's connection, reconnecting until [`Socket::close`].
#[derive(Clone)]
pub struct Socket(Rc<RefCell<Inner>>);

/// `/ws/agent` on the page's own host, `wss:` under `https:`.
pub fn same_origin_url() -> String {
    let location = web_sys::window().map(|w| w.location());
    let host = location.as_ref().and_then(|l| l.host().ok()).unwrap_or_default();
    let secure = location.and_then(|l| l.protocol().ok()).is_some_and(|p| p == "https:");
    format!("{}://{host}/ws/agent", if secure { "wss" } else { "ws" })
}

impl Socket {
    /// Connects to `url`; `on_frame` gets every frame, `on_link` the link state.
    pub fn open(
        url: String,
        on_frame: impl Fn(AgentOut) + 'static,
        on_link: impl Fn(Link) + 'static,
    ) -> Self {
        let s = Socket(Rc::new(RefCell::new(Inner {
            url,
            ws: None,
            retries: 0,
            closed_by_us: false,
            on_frame: Rc::new(on_frame),
            on_link: Rc::new(on_link),
            handlers: Vec::new(),
        })));
        s.connect();
        s
    }

    fn connect(&self) {
        let url = self.0.borrow().url.clone();
        let Ok(ws) = web_sys::WebSocket::new(&url) else {
            self.retry();
            return;
        };
        let me = self.clone();
        let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            me.0.borrow_mut().retries = 0;
            me.send(&AgentIn::Hello { protocol: PROTOCOL_VERSION });
        });
        let me = self.clone();
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let text = e.dyn_ref::<web_sys::MessageEvent>().and_then(|m| m.data().as_string());
            if let Some(frame) = text.and_then(|t| serde_json::from_str::<AgentOut>(&t).ok()) {
                let on_frame = me.0.borrow().on_frame.clone();
                on_frame(frame);
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

    /// Sends a frame; `false` while the link is down (the caller keeps what
    /// must not be lost, and the next welcome sends it again).
    pub fn send(&self, frame: &AgentIn) -> bool {
        let inner = self.0.borrow();
        match (&inner.ws, serde_json::to_string(frame)) {
            (Some(ws), Ok(json)) if ws.ready_state() == web_sys::WebSocket::OPEN => {
                ws.send_with_str(&json).is_ok()
            }
            _ => false,
        }
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

    /// Closes for good (logout).
    pub fn close(&self) {
        let mut inner = self.0.borrow_mut();
        inner.closed_by_us = true;
        if let Some(ws) = inner.ws.take() {
            let _ = ws.close();
        }
    }
}
