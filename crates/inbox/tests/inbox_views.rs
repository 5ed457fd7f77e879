//! Browser tests of the inbox's parts (headless Chromium): the offer banner,
//! the conversation view, the visitor panel and the title count.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use switchboard_inbox::app::title_count;
use switchboard_inbox::i18n::Strings;
use switchboard_inbox::model::{Conversation, Inbox, Offer};
use switchboard_inbox::views::{Actions, ConversationView, OfferBanner, VisitorPanel};
use switchboard_protocol::site::Locale;
use switchboard_protocol::stream::runner::Entry;
use switchboard_protocol::wire::{AgentOut, Author, ChatMessage, ConversationState, PageContext};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NASTY: &str = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">";

fn fresh_container() -> web_sys::HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("div").unwrap().unchecked_into::<web_sys::HtmlElement>();
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

fn en() -> Strings {
    Strings::for_locale(Locale::En)
}

fn text(container: &web_sys::HtmlElement, selector: &str) -> String {
    container
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .text_content()
        .unwrap()
}

fn click(container: &web_sys::HtmlElement, selector: &str) {
    container.query_selector(selector).unwrap().unwrap().unchecked_into::<web_sys::HtmlElement>().click();
}

fn msg(seq: u64, author: Author, text: &str) -> ChatMessage {
    ChatMessage {
        seq,
        author,
        client_id: None,
        text: text.into(),
        at: "2026-11-24T10:00:00Z".into(),
        file: None,
    }
}

fn offer(now: f64) -> Offer {
    Offer {
        conversation: 42,
        attributes: [("first_name".to_owned(), "Ada".to_owned())].into(),
        page: PageContext { url: "https://shop.example/pricing".into(), ..Default::default() },
        transcript: vec![
            Entry::Bot { card: "q".into(), text: "What is it about?".into() },
            Entry::Visitor { card: "q".into(), text: NASTY.into() },
        ],
        deadline_ms: now + 100_000.0,
        transferred_by: Some("Bea".into()),
        received_ms: now,
    }
}

#[wasm_bindgen_test]
async fn the_offer_banner_counts_down_and_accepts_or_declines_that_conversation() {
    let container = fresh_container();
    let now = RwSignal::new(1_000_000.0);
    let accepted = RwSignal::new(None::<i64>);
    let declined = RwSignal::new(None::<i64>);
    let _handle = leptos::mount::mount_to(container.clone(), move || {
        view! {
            <OfferBanner offer=offer(1_000_000.0) now strings=en()
                on_accept=Callback::new(move |id| accepted.set(Some(id)))
                on_decline=Callback::new(move |id| declined.set(Some(id))) />
        }
    });
    leptos::task::tick().await;
    assert_eq!(text(&container, "h2"), "Ada wants to chat");
    assert_eq!(text(&container, "[data-testid=transferred-by]"), "Transferred by Bea");
    assert_eq!(text(&container, "[data-testid=countdown]"), "Moves on in 100 s");
    now.set(1_000_000.0 + 1_500.0);
    leptos::task::tick().await;
    assert_eq!(text(&container, "[data-testid=countdown]"), "Moves on in 99 s");
    now.set(1_000_000.0 + 250_000.0);
    leptos::task::tick().await;
    assert_eq!(text(&container, "[data-testid=countdown]"), "Moves on in 0 s");
    // The visitor's words are text, never markup.
    assert_eq!(text(&container, "[data-testid=first-question]"), NASTY);
    assert!(container.query_selector("script, img").unwrap().is_none());

    click(&container, "[data-testid=accept]");
    assert_eq!(accepted.get_untracked(), Some(42));
    assert_eq!(declined.get_untracked(), None);
    click(&container, "[data-testid=decline]");
    assert_eq!(declined.get_untracked(), Some(42));
}

/// Actions that record what was sent: messages as they are, notes as
/// `note: …`, typing as `typing`.
fn no_actions(sent: RwSignal<Vec<(i64, String)>>) -> Actions {
    Actions {
        send: Callback::new(move |m| sent.update(|s| s.push(m))),
        note: Callback::new(move |(id, text): (i64, String)| {
            sent.update(|s| s.push((id, format!("note: {text}"))))
        }),
        typing: Callback::new(move |(id, on): (i64, bool)| {
            if on {
                sent.update(|s| s.push((id, "typing".to_owned())));
            }
        }),
        end: Callback::new(|_| {}),
        transfer: Callback::new(|_| {}),
    }
}

#[wasm_bindgen_test]
async fn the_conversation_shows_the_bot_part_then_messages_in_order_once_as_text() {
    let container = fresh_container();
    let mut c = Conversation::from_offer(offer(0.0));
    c.state = Some(ConversationState::Active);
    let conv = RwSignal::new(Some(c));
    let sent = RwSignal::new(Vec::new());
    let _handle = leptos::mount::mount_to(container.clone(), move || {
        view! { <ConversationView conv strings=en() actions=no_actions(sent) /> }
    });
    leptos::task::tick().await;
    // Out of order and doubled, as a resume after a reconnect can deliver.
    for m in
        [msg(3, Author::Visitor, NASTY), msg(1, Author::Visitor, "hello"), msg(2, Author::Agent, "hi Ada")]
    {
        conv.update(|c| c.as_mut().unwrap().add(m.clone()));
        conv.update(|c| c.as_mut().unwrap().add(m));
        leptos::task::tick().await;
    }
    let lines = container.query_selector_all("[data-testid=transcript-line] .text").unwrap();
    assert_eq!(lines.length(), 2);
    let shown = container.query_selector_all("[data-testid=message]").unwrap();
    let seqs: Vec<String> = (0..shown.length())
        .map(|i| {
            shown.item(i).unwrap().unchecked_into::<web_sys::Element>().get_attribute("data-seq").unwrap()
        })
        .collect();
    assert_eq!(seqs, ["1", "2", "3"]);
    assert_eq!(text(&container, "[data-seq='3'] .text"), NASTY);
    assert!(container
        .query_selector("[data-testid=messages] script, [data-testid=messages] img")
        .unwrap()
        .is_none());
    assert!(js_sys::Reflect::get(&web_sys::window().unwrap(), &"__pwned".into()).unwrap().is_undefined());
    assert_eq!(
        container.query_selector("[data-testid=messages]").unwrap().unwrap().get_attribute("role").as_deref(),
        Some("log"),
        "new messages are announced"
    );

    // Enter sends; Shift+Enter does not.
    let composer = container.query_selector("[data-testid=composer]").unwrap().unwrap();
    let area: web_sys::HtmlTextAreaElement = composer.unchecked_into();
    area.set_value("on my way");
    area.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    let key = |shift: bool| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key("Enter");
        init.set_shift_key(shift);
        init.set_bubbles(true);
        init.set_cancelable(true);
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap()
    };
    area.dispatch_event(&key(true)).unwrap();
    leptos::task::tick().await;
    assert_eq!(sent.get_untracked(), vec![(42, "typing".to_owned())]);
    area.dispatch_event(&key(false)).unwrap();
    leptos::task::tick().await;
    assert_eq!(sent.get_untracked(), vec![(42, "typing".to_owned()), (42, "on my way".to_owned())]);
    assert_eq!(area.value(), "");

    // A private note: its own mode, no typing reported, marked in the log.
    sent.set(Vec::new());
    click(&container, "[data-testid=mode-note]");
    leptos::task::tick().await;
    let pressed = |id: &str| {
        let el = container.query_selector(&format!("[data-testid={id}]")).unwrap().unwrap();
        el.get_attribute("aria-pressed").unwrap_or_default()
    };
    assert_eq!((pressed("mode-note").as_str(), pressed("mode-reply").as_str()), ("true", "false"));
    assert_eq!(area.placeholder(), "Only agents see notes, never the visitor.");
    area.set_value("VIP");
    area.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    area.dispatch_event(&key(false)).unwrap();
    leptos::task::tick().await;
    assert_eq!(sent.get_untracked(), vec![(42, "note: VIP".to_owned())], "no typing for a note");
    let mut note = msg(4, Author::Note, "VIP");
    note.client_id = Some("n1".into());
    conv.update(|c| c.as_mut().unwrap().add(note));
    leptos::task::tick().await;
    assert_eq!(text(&container, "[data-seq='4'] .who"), "Private note");
    let class = container.query_selector("[data-seq='4']").unwrap().unwrap().get_attribute("class");
    assert_eq!(class.as_deref(), Some("msg note"));
    assert_eq!(
        container
            .query_selector("[data-testid=messages]")
            .unwrap()
            .unwrap()
            .get_attribute("tabindex")
            .as_deref(),
        Some("0"),
        "the log scrolls by keyboard"
    );

    // Ended: no composer, a clear state.
    conv.update(|c| c.as_mut().unwrap().state = Some(ConversationState::Ended));
    leptos::task::tick().await;
    assert!(container.query_selector("[data-testid=composer]").unwrap().is_none());
    assert_eq!(text(&container, "[data-testid=ended]"), "This chat has ended.");
}

#[wasm_bindgen_test]
async fn the_visitor_panel_shows_a_dash_where_nothing_is_known() {
    let container = fresh_container();
    let mut c = Conversation::from_offer(offer(0.0));
    c.attributes.insert("email".into(), "ada@example.com".into());
    c.attributes.insert("company".into(), NASTY.into());
    c.first_seen = "2026-11-20T08:00:00Z".into();
    let conv = RwSignal::new(Some(c));
    let _handle = leptos::mount::mount_to(container.clone(), move || {
        view! { <VisitorPanel conv strings=Strings::for_locale(Locale::Nl) /> }
    });
    leptos::task::tick().await;
    assert_eq!(text(&container, "h2"), "Bezoekersgegevens");
    assert_eq!(text(&container, "[data-field=name]"), "Ada");
    assert_eq!(text(&container, "[data-field=email]"), "ada@example.com");
    assert_eq!(text(&container, "[data-field=company]"), NASTY);
    assert_eq!(text(&container, "[data-field=page_url]"), "https://shop.example/pricing");
    for unknown in ["job_title", "phone", "referrer", "language"] {
        assert_eq!(text(&container, &format!("[data-field={unknown}]")), "-", "{unknown}");
    }
    assert!(!text(&container, "[data-field=first_seen]").is_empty());
    assert_ne!(text(&container, "[data-field=first_seen]"), "-");
    assert!(container.query_selector("img, script").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn the_tab_title_counts_offers_and_unread_messages() {
    let container = fresh_container();
    let inbox = RwSignal::new(Inbox::default());
    let now = RwSignal::new(0.0);
    let _handle = leptos::mount::mount_to(container.clone(), move || {
        title_count(inbox, now.into(), "Switchboard inbox".into(), "New chat: {name}".into());
    });
    let title = || web_sys::window().unwrap().document().unwrap().title();
    leptos::task::tick().await;
    assert_eq!(title(), "Switchboard inbox");
    let offer = |id| AgentOut::Offer {
        conversation: id,
        attributes: Default::default(),
        page: Default::default(),
        transcript: vec![],
        expires_in_secs: 100,
        transferred_by: None,
    };
    inbox.update(|i| {
        i.apply(offer(1), 0.0, true);
        i.apply(offer(2), 0.0, true);
    });
    leptos::task::tick().await;
    assert_eq!(title(), "(2) Switchboard inbox");
    // While offers wait, every other second the title names the first one.
    now.set(1_000.0);
    leptos::task::tick().await;
    assert_eq!(title(), "(2) New chat: #1");
    now.set(2_000.0);
    leptos::task::tick().await;
    assert_eq!(title(), "(2) Switchboard inbox");
    inbox.update(|i| {
        i.apply(AgentOut::State { conversation: 1, state: ConversationState::Active }, 0.0, true);
        i.apply(AgentOut::Message { conversation: 1, message: msg(1, Author::Visitor, "hi") }, 0.0, true);
        i.apply(
            AgentOut::Message { conversation: 1, message: msg(2, Author::Visitor, "anyone?") },
            0.0,
            true,
        );
    });
    leptos::task::tick().await;
    assert_eq!(title(), "(3) Switchboard inbox", "one offer left, two unread");
    inbox.update(|i| i.select(Some(1)));
    leptos::task::tick().await;
    assert_eq!(title(), "(1) Switchboard inbox");
    inbox.update(|i| {
        i.apply(AgentOut::Withdrawn { conversation: 2 }, 0.0, true);
    });
    leptos::task::tick().await;
    assert_eq!(title(), "Switchboard inbox");
}
