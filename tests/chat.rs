//! Browser tests of the live chat view (headless Chromium): messages in
//! sequence order and each once, whatever order and how often they arrive;
//! the agent's name; what the visitor types goes out and is rendered as text.
#![cfg(target_arch = "wasm32")]

mod common;
use common::sleep;

use leptos::prelude::*;
use std::sync::{Arc, Mutex};
use switchboard_protocol::site::Locale;
use switchboard_protocol::wire::{AgentInfo, Author, ChatMessage, ConversationState, VisitorOut};
use switchboard_widget::app::ChatView;
use switchboard_widget::i18n::Strings;
use switchboard_widget::live::{Chat, Link};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn msg(seq: u64, author: Author, text: &str) -> VisitorOut {
    VisitorOut::Message(ChatMessage {
        seq,
        author,
        client_id: (author == Author::Visitor).then(|| format!("c{seq}")),
        text: text.into(),
        at: "2026-11-24T21:00:00.000Z".into(),
        file: None,
    })
}

type Sent = Arc<Mutex<Vec<String>>>;

fn mount(chat: RwSignal<Chat>) -> (web_sys::HtmlElement, Sent, impl Sized) {
    let (el, sent, _typed, handle) = mount_typing(chat);
    (el, sent, handle)
}

fn mount_typing(chat: RwSignal<Chat>) -> (web_sys::HtmlElement, Sent, Arc<Mutex<Vec<bool>>>, impl Sized) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("div").unwrap().unchecked_into::<web_sys::HtmlElement>();
    doc.body().unwrap().append_child(&el).unwrap();
    let sent: Sent = Arc::default();
    let typed: Arc<Mutex<Vec<bool>>> = Arc::default();
    let (out, t) = (sent.clone(), typed.clone());
    let handle = leptos::mount::mount_to(el.clone(), move || {
        let (out, t) = (out.clone(), t.clone());
        view! {
            <ChatView chat strings=Strings::for_locale(Locale::En)
                send=move |m| out.lock().unwrap().push(m) end=|| {} typing=move |b| t.lock().unwrap().push(b) />
        }
    });
    (el, sent, typed, handle)
}

fn texts(el: &web_sys::HtmlElement, selector: &str) -> Vec<String> {
    let list = el.query_selector_all(selector).unwrap();
    (0..list.length()).map(|i| list.item(i).unwrap().text_content().unwrap_or_default()).collect()
}

#[wasm_bindgen_test]
async fn messages_show_in_sequence_order_each_once() {
    let chat = RwSignal::new(Chat::default());
    let (el, _, _h) = mount(chat);
    for frame in [
        msg(2, Author::Agent, "second"),
        msg(1, Author::Visitor, "first"),
        msg(2, Author::Agent, "second"),
        msg(4, Author::System, "fourth"),
        msg(3, Author::Agent, "third"),
        msg(1, Author::Visitor, "first"),
    ] {
        chat.update(|c| c.apply(frame));
        leptos::task::tick().await;
    }
    assert_eq!(texts(&el, "[data-testid=message]"), ["first", "second", "third", "fourth"]);
}

/// The server never sends an agents' private note to a visitor; were one
/// to come anyway, the widget does not show it.
#[wasm_bindgen_test]
async fn a_private_note_that_reached_the_widget_is_not_shown() {
    let chat = RwSignal::new(Chat::default());
    let (el, _, _h) = mount(chat);
    for frame in [
        msg(1, Author::Visitor, "hi"),
        msg(2, Author::Note, "VIP: offer 20%"),
        msg(3, Author::Agent, "hello"),
    ] {
        chat.update(|c| c.apply(frame));
        leptos::task::tick().await;
    }
    assert_eq!(texts(&el, "[data-testid=message]"), ["hi", "hello"]);
    assert!(!el.text_content().unwrap_or_default().contains("VIP"));
}

#[wasm_bindgen_test]
async fn the_agent_is_named_and_their_typing_shown() {
    let chat = RwSignal::new(Chat::default());
    let (el, _, _h) = mount(chat);
    chat.update(|c| {
        c.apply(VisitorOut::State { state: ConversationState::Active });
        c.apply(VisitorOut::Agent(AgentInfo {
            name: "Ada".into(),
            avatar_url: Some("https://cdn.example/ada.png".into()),
        }));
        c.apply(VisitorOut::Typing { typing: true });
    });
    leptos::task::tick().await;
    assert_eq!(texts(&el, "[data-testid=agent]"), ["You are chatting with Ada."]);
    let avatar = el.query_selector("[data-testid=agent] img").unwrap().expect("their avatar");
    assert_eq!(avatar.get_attribute("src").as_deref(), Some("https://cdn.example/ada.png"));
    assert_eq!(texts(&el, "[data-testid=agent-typing]"), ["Ada is typing…"]);
    // Their message ends the typing indicator.
    chat.update(|c| c.apply(msg(1, Author::Agent, "Hello!")));
    leptos::task::tick().await;
    assert!(texts(&el, "[data-testid=agent-typing]").is_empty());
    // A lost connection shows, unobtrusively.
    chat.update(|c| c.link = Link::Reconnecting);
    leptos::task::tick().await;
    assert_eq!(texts(&el, "[role=status]").len(), 1);
    // An avatar address that is not http(s) is never loaded.
    chat.update(|c| {
        c.apply(VisitorOut::Agent(AgentInfo {
            name: "Eve".into(),
            avatar_url: Some("javascript:alert(1)".into()),
        }))
    });
    leptos::task::tick().await;
    assert_eq!(texts(&el, "[data-testid=agent]"), ["You are chatting with Eve."]);
    assert!(el.query_selector("[data-testid=agent] img").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn a_typed_script_goes_out_and_shows_as_text() {
    let chat = RwSignal::new(Chat::default());
    let (el, sent, _h) = mount(chat);
    let area =
        el.query_selector("textarea").unwrap().unwrap().unchecked_into::<web_sys::HtmlTextAreaElement>();
    area.set_value("<script>alert(1)</script>");
    area.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    let enter = web_sys::KeyboardEventInit::new();
    enter.set_key("Enter");
    area.dispatch_event(
        &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &enter).unwrap(),
    )
    .unwrap();
    leptos::task::tick().await;
    assert_eq!(*sent.lock().unwrap(), ["<script>alert(1)</script>"]);
    // The server echoes it back as stored.
    chat.update(|c| c.apply(msg(1, Author::Visitor, "<script>alert(1)</script>")));
    leptos::task::tick().await;
    assert_eq!(texts(&el, "[data-testid=message]"), ["<script>alert(1)</script>"]);
    assert!(el.query_selector("[data-testid=chat] script").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn an_ended_chat_says_so_and_takes_no_more_messages() {
    let chat = RwSignal::new(Chat::default());
    let (el, _, _h) = mount(chat);
    assert!(el.query_selector("textarea").unwrap().is_some());
    chat.update(|c| c.apply(VisitorOut::State { state: ConversationState::Ended }));
    leptos::task::tick().await;
    assert_eq!(texts(&el, "[data-testid=ended]"), ["The chat has ended."]);
    assert!(el.query_selector("textarea").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn typing_is_reported_once_per_burst_and_stops_after_a_quiet_moment() {
    let chat = RwSignal::new(Chat::default());
    let (el, _, typed, _h) = mount_typing(chat);
    let area =
        el.query_selector("textarea").unwrap().unwrap().unchecked_into::<web_sys::HtmlTextAreaElement>();
    for text in ["H", "He", "Hel", "Hell", "Hello"] {
        area.set_value(text);
        area.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
        sleep(50).await;
    }
    assert_eq!(*typed.lock().unwrap(), [true], "one frame for five keys");
    sleep(3200).await;
    assert_eq!(*typed.lock().unwrap(), [true, false]);
}

#[wasm_bindgen_test]
async fn a_new_conversation_starts_with_an_empty_chat() {
    let chat = RwSignal::new(Chat::default());
    let (el, _, _h) = mount(chat);
    chat.update(|c| {
        c.apply(msg(1, Author::Agent, "from the chat before"));
        c.apply(VisitorOut::State { state: ConversationState::Ended });
        c.apply(VisitorOut::State { state: ConversationState::Waiting });
    });
    leptos::task::tick().await;
    assert!(texts(&el, "[data-testid=message]").is_empty());
    assert!(el.query_selector("textarea").unwrap().is_some(), "the new chat can be written in");
}

#[wasm_bindgen_test]
async fn after_a_restore_the_conversation_shows_as_the_database_has_it() {
    let chat = RwSignal::new(Chat::default());
    let (el, _, _h) = mount(chat);
    let welcome = |reset| VisitorOut::Welcome {
        token: "t".into(),
        state: Some(ConversationState::Active),
        agent: None,
        epoch: Some("e2".into()),
        reset,
    };
    chat.update(|c| {
        c.apply(VisitorOut::Agent(AgentInfo { name: "Ada".into(), avatar_url: None }));
        c.apply(msg(1, Author::Agent, "kept"));
        c.apply(msg(2, Author::Agent, "lost in the restore"));
        // A reconnect in the same epoch keeps what is held.
        c.apply(welcome(false));
    });
    leptos::task::tick().await;
    assert_eq!(texts(&el, "[data-testid=message]").len(), 2);
    assert!(chat.with_untracked(|c| c.agent.is_some()), "a plain reconnect keeps the agent");
    chat.update(|c| {
        c.apply(welcome(true));
        // The server sends the conversation again from the start, where
        // number 2 is now another message.
        c.apply(msg(1, Author::Agent, "kept"));
        c.apply(msg(2, Author::Agent, "written after the restore"));
    });
    leptos::task::tick().await;
    let shown = texts(&el, "[data-testid=message]");
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(shown[1].contains("written after the restore"), "{shown:?}");
    assert_eq!(chat.with_untracked(|c| c.agent.clone()), None, "the restored chat names no agent");
}
