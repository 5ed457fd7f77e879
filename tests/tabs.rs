//! Browser tests of what the live chat keeps in the page's storage when the
//! visitor has the site open in several tabs: each tab writes only its own
//! change, so none drops what another wrote.
#![cfg(target_arch = "wasm32")]

use switchboard_widget::live::{self, Socket};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Two tabs of one visitor on `site`, opened before either kept anything,
/// whose server is not there (nothing listens on the discard port): what
/// the visitor types stays pending, as when offline. `told[i]` hears what
/// tab `i` is told of agent messages. Both close when dropped.
fn two_tabs<F: Fn(bool) + 'static>(site: &str, told: [F; 2]) -> Tabs {
    live::start_over(site);
    let [a, b] = told.map(|t| Socket::open("http://127.0.0.1:9", site, None, |_| {}, |_| {}, t));
    Tabs(a, b)
}

fn ignore(_: bool) {}

struct Tabs(Socket, Socket);

impl Drop for Tabs {
    fn drop(&mut self) {
        self.0.close();
        self.1.close();
    }
}

#[wasm_bindgen_test]
fn what_one_tab_typed_offline_is_kept_when_another_tab_writes() {
    let site = "tabs-pending";
    let Tabs(a, b) = &two_tabs(site, [ignore; 2]);
    let hi = a.say("Hello from the first tab");
    let yo = b.say("And from the second");
    let kept: Vec<String> = live::load(site).pending.into_iter().map(|p| p.client_id).collect();
    assert_eq!(kept, [hi.client_id, yo.client_id], "a reload of either tab sends both");
    // Each tab still sends only what it holds itself.
    assert_eq!(a.pending().len(), 1);
    assert_eq!(b.pending().len(), 1);
}

/// An agent's message `seq` as the server sends it.
fn from_agent(seq: u64) -> String {
    format!(r#"{{"type":"message","seq":{seq},"author":"agent","client_id":"a{seq}","text":"Hi","at":""}}"#)
}

#[wasm_bindgen_test]
fn an_agent_message_is_news_to_the_visitor_in_the_first_tab_that_has_it_only() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let site = "tabs-heard";
    let told = |log: &Rc<RefCell<Vec<bool>>>| {
        let log = log.clone();
        move |news: bool| log.borrow_mut().push(news)
    };
    let (in_a, in_b) = (Rc::new(RefCell::new(Vec::new())), Rc::new(RefCell::new(Vec::new())));
    let Tabs(a, b) = &two_tabs(site, [told(&in_a), told(&in_b)]);
    // Both tabs get every message: each page is told (its launcher counts
    // it), the sound is for the first only.
    a.receive(&from_agent(1));
    b.receive(&from_agent(1));
    b.receive(&from_agent(2));
    a.receive(&from_agent(2));
    // Again (a reconnect's resume): nothing.
    a.receive(&from_agent(2));
    assert_eq!(*in_a.borrow(), [true, false]);
    assert_eq!(*in_b.borrow(), [false, true]);
    assert_eq!(live::load(site).heard, 2);
}

#[wasm_bindgen_test]
fn a_message_confirmed_in_another_tab_is_no_longer_pending() {
    let site = "tabs-confirmed";
    let Tabs(a, b) = &two_tabs(site, [ignore; 2]);
    let sent = a.say("Sent from the first tab");
    // The server echoes it to every connection of the visitor.
    let echo = format!(
        r#"{{"type":"message","seq":1,"author":"visitor","client_id":"{}","text":"Sent from the first tab","at":""}}"#,
        sent.client_id
    );
    b.receive(&echo);
    assert!(live::load(site).pending.is_empty(), "a reload would not send it again");
    a.receive(&echo);
    assert!(a.pending().is_empty());
}
