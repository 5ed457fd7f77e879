//! Browser tests of the dialogue reports' counts: queued, not sent one by
//! one; sent in one beacon when the page is hidden or left; never a batch
//! over what the server takes; a reload goes on with the same visit.
#![cfg(target_arch = "wasm32")]

use switchboard_protocol::stats::{StreamEventKind, StreamEvents, MAX_BATCH_BYTES, MAX_EVENTS};
use switchboard_widget::stats;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Replaces `navigator.sendBeacon` with one that keeps what it is given
/// (in `window.beacons`, as `[url, body]` pairs) and says it was sent.
fn catch_beacons() {
    let script = "window.beacons = []; \
        Object.defineProperty(navigator, 'sendBeacon', { configurable: true, \
          value: (url, body) => { window.beacons.push([url, body]); return true; } });";
    js_sys::eval(script).expect("the beacon is replaced");
}

/// The beacons sent since [`catch_beacons`]: (url, batch).
fn beacons() -> Vec<(String, StreamEvents)> {
    let list = js_sys::Reflect::get(&web_sys::window().unwrap(), &"beacons".into()).unwrap();
    js_sys::Array::from(&list)
        .iter()
        .map(|pair| {
            let pair = js_sys::Array::from(&pair);
            let body = pair.get(1).as_string().unwrap();
            assert!(body.len() <= MAX_BATCH_BYTES, "a batch over the server's limit: {}", body.len());
            (pair.get(0).as_string().unwrap(), serde_json::from_str(&body).unwrap())
        })
        .collect()
}

fn fire(target: &web_sys::EventTarget, name: &str) {
    target.dispatch_event(&web_sys::Event::new(name).unwrap()).unwrap();
}

#[wasm_bindgen_test]
fn counts_are_batched_and_sent_when_the_page_is_left() {
    catch_beacons();
    stats::start("https://chat.example.com/", "stats-one", true);
    stats::record(StreamEventKind::Shown, "pricing", 3, "hello");
    stats::record(StreamEventKind::Reached, "pricing", 3, "hello");
    stats::record(StreamEventKind::Reached, "pricing", 3, "hello");
    stats::record(StreamEventKind::Engaged, "pricing", 3, "ask");
    assert!(beacons().is_empty(), "nothing is sent one by one");
    assert_eq!(stats::queued().len(), 3, "the same count twice is queued once");

    // The page is left: one beacon with all three.
    let window: web_sys::EventTarget = web_sys::window().unwrap().unchecked_into();
    fire(&window, "pagehide");
    let sent = beacons();
    assert_eq!(sent.len(), 1);
    let (url, batch) = &sent[0];
    assert_eq!(url, "https://chat.example.com/api/sites/stats-one/stream-events");
    assert_eq!(batch.problem(), None, "a batch the server takes");
    let kinds: Vec<_> = batch.events.iter().map(|e| (e.kind, e.card.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (StreamEventKind::Shown, "hello"),
            (StreamEventKind::Reached, "hello"),
            (StreamEventKind::Engaged, "ask")
        ]
    );
    assert!(stats::queued().is_empty());
    fire(&window, "pagehide");
    assert_eq!(beacons().len(), 1, "nothing more to send");

    // A reload goes on with the visit; a new stream starts a new one.
    stats::start("https://chat.example.com", "stats-one", false);
    stats::record(StreamEventKind::Reached, "pricing", 3, "ask");
    stats::flush();
    stats::start("https://chat.example.com", "stats-one", true);
    stats::record(StreamEventKind::Shown, "pricing", 3, "hello");
    stats::flush();
    let visits: Vec<String> = beacons().into_iter().map(|(_, b)| b.visit).collect();
    assert_eq!(visits.len(), 3);
    assert_eq!(visits[0], visits[1], "the reload's counts belong to the same visit");
    assert_ne!(visits[1], visits[2]);
}

#[wasm_bindgen_test]
fn a_hidden_page_sends_and_a_full_queue_goes_before_it_is_too_big() {
    catch_beacons();
    stats::start("https://chat.example.com", "stats-two", true);
    stats::record(StreamEventKind::Reached, "pricing", 1, "hello");
    // Hidden: the browser says so, then tells the document.
    js_sys::eval("Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });")
        .unwrap();
    let document: web_sys::EventTarget = web_sys::window().unwrap().document().unwrap().unchecked_into();
    fire(&document, "visibilitychange");
    js_sys::eval("delete document.hidden;").unwrap();
    assert_eq!(beacons().len(), 1);

    // Many long card ids: sent in batches the server takes, none lost.
    let long = "c".repeat(60);
    for i in 0..(MAX_EVENTS * 2) {
        stats::record(StreamEventKind::Reached, "a-stream-with-a-rather-long-id", 1, &format!("{long}{i}"));
    }
    stats::flush();
    let sent = beacons();
    let total: usize = sent[1..].iter().map(|(_, b)| b.events.len()).sum();
    assert_eq!(total, MAX_EVENTS * 2);
    assert!(sent.len() > 3, "split by size, not only by count: {}", sent.len());
}
