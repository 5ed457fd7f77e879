//! A browser WebSocket that reconnects until closed: after a drop it waits
//! 0.5 s, then 1 s, 2 s, … up to 10 s between attempts, and starts again
//! from 0.5 s once a connection opens. What to say on each (re)connection
//! and how to read frames is the caller's: the widget's visitor socket and
//! the inbox's agent socket both build on this.

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The longest wait between attempts, in milliseconds.
pub const MAX_BACKOFF_MS: u32 = 10_000;

/// The wait before attempt `n` (1-based) after a drop: 0.5 s doubling to
/// [`MAX_BACKOFF_MS`].
pub fn backoff_ms(attempt: u32) -> u32 {
    (500u32 << attempt.clamp(1, 6).saturating_sub(1)).min(MAX_BACKOFF_MS)
}

/// How long a client waits before sending again what the server refused
/// as too fast (`rate_limited`) or failed to store (`internal`).
pub const RATE_LIMITED_RETRY_MS: u32 = 2000;

/// Runs `f` once, `ms` milliseconds from now (never without a window).
pub fn after(ms: u32, f: impl FnOnce() + 'static) {
    let callback = Closure::once_into_js(f);
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.unchecked_ref(),
            i32::try_from(ms).unwrap_or(i32::MAX),
        );
    }
}

/// A fresh id for a chat message, unique enough per conversation (64
/// random bits as hex): the server stores a message resent with the same id
/// once.
pub fn client_id() -> String {
    let a = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let b = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    format!("{a:08x}{b:08x}")
}

struct Inner {
    url: String,
    ws: Option<web_sys::WebSocket>,
    retries: u32,
    closed: bool,
    on_open: Rc<dyn Fn(&Reconnecting)>,
    on_text: Rc<dyn Fn(String)>,
    on_lost: Rc<dyn Fn()>,
    // Kept alive while the socket is.
    handlers: Vec<Closure<dyn FnMut(JsValue)>>,
}

/// A connection to one URL, reconnecting until [`Reconnecting::close`].
#[derive(Clone)]
pub struct Reconnecting(Rc<RefCell<Inner>>);

impl Reconnecting {
    /// Connects to `url`. `on_open` runs on every (re)connection (to say
    /// hello on the socket it is given), `on_text`
    /// with every text frame, `on_lost` when a connection drops (a new
    /// attempt follows by itself).
    pub fn open(
        url: String,
        on_open: impl Fn(&Reconnecting) + 'static,
        on_text: impl Fn(String) + 'static,
        on_lost: impl Fn() + 'static,
    ) -> Self {
        let s = Reconnecting(Rc::new(RefCell::new(Inner {
            url,
            ws: None,
            retries: 0,
            closed: false,
            on_open: Rc::new(on_open),
            on_text: Rc::new(on_text),
            on_lost: Rc::new(on_lost),
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
            let f = {
                let mut inner = me.0.borrow_mut();
                inner.retries = 0;
                inner.on_open.clone()
            };
            f(&me);
        });
        let me = self.clone();
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            if let Some(text) = e.dyn_ref::<web_sys::MessageEvent>().and_then(|m| m.data().as_string()) {
                let f = me.0.borrow().on_text.clone();
                f(text);
            }
        });
        let me = self.clone();
        let on_close = Closure::<dyn FnMut(JsValue)>::new(move |_| me.dropped());
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        let mut inner = self.0.borrow_mut();
        inner.handlers = vec![on_open, on_message, on_close];
        inner.ws = Some(ws);
    }

    fn dropped(&self) {
        let (closed, lost) = {
            let mut inner = self.0.borrow_mut();
            inner.ws = None;
            (inner.closed, inner.on_lost.clone())
        };
        if !closed {
            lost();
            self.retry();
        }
    }

    fn retry(&self) {
        let delay = {
            let mut inner = self.0.borrow_mut();
            inner.retries += 1;
            backoff_ms(inner.retries)
        };
        let me = self.clone();
        after(delay, move || {
            if !me.0.borrow().closed {
                me.connect();
            }
        });
    }

    /// Sends a text frame; `false` while not connected.
    pub fn send(&self, text: &str) -> bool {
        match &self.0.borrow().ws {
            Some(ws) if ws.ready_state() == web_sys::WebSocket::OPEN => ws.send_with_str(text).is_ok(),
            _ => false,
        }
    }

    /// Drops the current connection; a new one follows (as after a network
    /// drop).
    pub fn reconnect(&self) {
        let ws = self.0.borrow().ws.clone();
        if let Some(ws) = ws {
            let _ = ws.close();
        }
    }

    /// Closes for good.
    pub fn close(&self) {
        let ws = {
            let mut inner = self.0.borrow_mut();
            inner.closed = true;
            inner.ws.take()
        };
        if let Some(ws) = ws {
            let _ = ws.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_from_half_a_second_to_ten() {
        let waits: Vec<u32> = (1..=8).map(backoff_ms).collect();
        assert_eq!(waits, [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    }
}
