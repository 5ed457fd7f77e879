//! Counts for the dialogue reports: what the visitor did in the stream
//! (shown, each card reached, engaged, completed, email given, live chat
//! asked for), by stream, version and card, never what they typed. They
//! are queued and sent in one request when the page is hidden
//! (`navigator.sendBeacon`, which the browser delivers even as the page
//! goes away), or sooner when the queue is full. A visit is one run of a
//! stream, named by a random id kept in `localStorage` so that a reload
//! goes on with it.

use std::cell::RefCell;

use switchboard_protocol::stats::{StreamEvent, StreamEventKind, StreamEvents, MAX_BATCH_BYTES, MAX_EVENTS};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::storage;

struct Queue {
    url: String,
    visit: String,
    events: Vec<StreamEvent>,
}

thread_local! {
    static QUEUE: RefCell<Option<Queue>> = const { RefCell::new(None) };
    static LISTENING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A new random visit id (32 hex digits).
fn new_visit() -> String {
    (0..4).map(|_| format!("{:08x}", (js_sys::Math::random() * 4_294_967_296.0) as u32)).collect()
}

/// Starts counting for `site` on the server at `api`: a new visit when
/// `fresh` (a stream starts), else the one kept (a reload goes on).
pub fn start(api: &str, site: &str, fresh: bool) {
    let kept: Option<String> = if fresh { None } else { storage::load(site, "visit") };
    let visit = kept.unwrap_or_else(|| {
        let v = new_visit();
        storage::save(site, "visit", &v);
        v
    });
    flush();
    let url = format!("{}/api/sites/{site}/stream-events", api.trim_end_matches('/'));
    QUEUE.with(|q| *q.borrow_mut() = Some(Queue { url, visit, events: Vec::new() }));
    listen();
}

/// Counts `kind` at `card` of version `version` of `stream`.
pub fn record(kind: StreamEventKind, stream: &str, version: u32, card: &str) {
    let full = QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        let Some(q) = q.as_mut() else { return false };
        let event = StreamEvent { kind, stream: stream.to_owned(), version, card: card.to_owned() };
        if !q.events.contains(&event) {
            q.events.push(event);
        }
        // Sent before a batch could grow past what the server takes.
        q.events.len() >= MAX_EVENTS || q.events.len() * 200 > MAX_BATCH_BYTES
    });
    if full {
        flush();
    }
}

/// Sends what is queued, if anything.
pub fn flush() {
    let batch = QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        let q = q.as_mut()?;
        if q.events.is_empty() {
            return None;
        }
        let events = std::mem::take(&mut q.events);
        let body = serde_json::to_string(&StreamEvents { visit: q.visit.clone(), events }).ok()?;
        Some((q.url.clone(), body))
    });
    if let (Some((url, body)), Some(w)) = (batch, web_sys::window()) {
        // A string goes as text/plain: no preflight, which a beacon cannot make.
        let _ = w.navigator().send_beacon_with_opt_str(&url, Some(&body));
    }
}

/// Flushes when the page is hidden or left (once per page).
fn listen() {
    if LISTENING.with(|l| l.replace(true)) {
        return;
    }
    let Some(w) = web_sys::window() else { return };
    let hidden = Closure::<dyn FnMut()>::new(|| {
        if web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden()) {
            flush();
        }
    });
    if let Some(d) = w.document() {
        let _ = d.add_event_listener_with_callback("visibilitychange", hidden.as_ref().unchecked_ref());
    }
    let left = Closure::<dyn FnMut()>::new(flush);
    let _ = w.add_event_listener_with_callback("pagehide", left.as_ref().unchecked_ref());
    // They live as long as the page.
    hidden.forget();
    left.forget();
}

/// What is queued now (for the browser tests).
pub fn queued() -> Vec<StreamEvent> {
    QUEUE.with(|q| q.borrow().as_ref().map(|q| q.events.clone()).unwrap_or_default())
}
