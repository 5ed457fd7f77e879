//! Browser tests of the widget (headless Chromium): mounting, what a visitor
//! sees, and that text from the server is rendered as text.
#![cfg(target_arch = "wasm32")]

mod common;
use common::sleep;

use leptos::prelude::*;
use switchboard_protocol::site::{Appearance, Locale, SiteConfig, SiteKey};
use switchboard_widget::app::{Panel, CLOSE_EVENT};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_container() -> web_sys::HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("div").unwrap().unchecked_into::<web_sys::HtmlElement>();
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

fn config(appearance: Appearance) -> SiteConfig {
    SiteConfig {
        site: SiteKey::parse("demo").unwrap(),
        protocol_version: 1,
        appearance,
        streams: vec![],
        chat_enabled: true,
        blocked_email_domains: vec![],
        files: Default::default(),
    }
}

fn text(container: &web_sys::HtmlElement, testid: &str) -> String {
    container
        .query_selector(&format!("[data-testid={testid}]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no [data-testid={testid}] in {}", container.inner_html()))
        .text_content()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn panel_shows_the_site_title_and_the_bot_name() {
    let container = fresh_container();
    let cfg = config(Appearance {
        header_title: "Acme support".into(),
        bot_name: "Robin".into(),
        ..Default::default()
    });
    let _handle = leptos::mount::mount_to(container.clone(), move || view! { <Panel config=cfg.clone() /> });
    leptos::task::tick().await;
    assert_eq!(text(&container, "title"), "Acme support");
    assert_eq!(text(&container, "log"), "You are chatting with Robin.");
    let log = container.query_selector("[role=log]").unwrap().unwrap();
    assert_eq!(log.get_attribute("aria-live").as_deref(), Some("polite"));
}

#[wasm_bindgen_test]
async fn panel_speaks_dutch_when_the_site_locale_is_nl() {
    let container = fresh_container();
    let cfg = config(Appearance { locale: Some(Locale::Nl), bot_name: "Robin".into(), ..Default::default() });
    let _handle = leptos::mount::mount_to(container.clone(), move || view! { <Panel config=cfg.clone() /> });
    leptos::task::tick().await;
    assert_eq!(text(&container, "log"), "Je chat met Robin.");
    let close = container.query_selector("[data-testid=close]").unwrap().unwrap();
    assert_eq!(close.get_attribute("aria-label").as_deref(), Some("Sluiten"));
    let panel = container.query_selector("[data-testid=panel]").unwrap().unwrap();
    assert_eq!(panel.get_attribute("lang").as_deref(), Some("nl"));
}

#[wasm_bindgen_test]
async fn text_from_the_server_is_rendered_as_text_not_html() {
    let container = fresh_container();
    let cfg =
        config(Appearance { header_title: "<img src=x onerror=alert(1)>".into(), ..Default::default() });
    let _handle = leptos::mount::mount_to(container.clone(), move || view! { <Panel config=cfg.clone() /> });
    leptos::task::tick().await;
    assert_eq!(text(&container, "title"), "<img src=x onerror=alert(1)>");
    assert!(container.query_selector("img").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn the_close_button_tells_the_loader_to_close() {
    let container = fresh_container();
    let cfg = config(Appearance::default());
    let _handle = leptos::mount::mount_to(container.clone(), move || view! { <Panel config=cfg.clone() /> });
    leptos::task::tick().await;
    let closed = std::rc::Rc::new(std::cell::Cell::new(false));
    let flag = closed.clone();
    let listener = Closure::<dyn FnMut()>::new(move || flag.set(true));
    container.add_event_listener_with_callback(CLOSE_EVENT, listener.as_ref().unchecked_ref()).unwrap();
    let close = container.query_selector("[data-testid=close]").unwrap().unwrap();
    close.unchecked_ref::<web_sys::HtmlElement>().click();
    assert!(closed.get(), "no {CLOSE_EVENT} event reached the container");
}

#[wasm_bindgen_test]
async fn mount_shows_an_alert_when_the_server_cannot_be_reached() {
    let container = fresh_container();
    // Port 9 (discard) on loopback: nothing listens, the fetch fails at once.
    switchboard_widget::mount(container.clone(), "demo".into(), "http://127.0.0.1:9".into(), None, None);
    for _ in 0..100 {
        if container.query_selector("[data-testid=load-error]").unwrap().is_some() {
            break;
        }
        sleep(50).await;
    }
    let alert = container.query_selector("[role=alert]").unwrap().expect("an alert after the failed load");
    assert!(!alert.text_content().unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn a_widget_mounted_from_rust_is_taken_out_when_dropped() {
    let container = fresh_container();
    let json = serde_json::to_string(&config(Appearance::default())).unwrap();
    let widget =
        switchboard_widget::mount_widget(container.clone(), "demo".into(), String::new(), Some(json), None);
    sleep(20).await;
    assert_eq!(text(&container, "title").trim(), "Chat with us");
    drop(widget);
    sleep(20).await;
    assert_eq!(container.child_element_count(), 0, "left behind: {}", container.inner_html());
}

#[wasm_bindgen_test]
async fn the_bots_avatar_and_the_privacy_link_come_from_the_site() {
    let container = fresh_container();
    let cfg = config(Appearance {
        header_title: "Acme".into(),
        bot_avatar_url: Some("https://acme.example/bot.png".into()),
        privacy_url: Some("https://acme.example/privacy".into()),
        locale: Some(Locale::Nl),
        ..Default::default()
    });
    let _handle = leptos::mount::mount_to(container.clone(), move || view! { <Panel config=cfg.clone() /> });
    leptos::task::tick().await;
    let avatar = container.query_selector("[data-testid=bot-avatar]").unwrap().expect("the bot's avatar");
    assert_eq!(avatar.get_attribute("src").as_deref(), Some("https://acme.example/bot.png"));
    assert_eq!(avatar.get_attribute("alt").as_deref(), Some(""), "decorative: the title names the chat");
    assert_eq!(text(&container, "title"), "Acme");
    let link = container.query_selector("[data-testid=privacy]").unwrap().expect("the privacy link");
    assert_eq!(link.get_attribute("href").as_deref(), Some("https://acme.example/privacy"));
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(link.get_attribute("rel").as_deref(), Some("noopener noreferrer"));
    assert_eq!(text(&container, "privacy"), "Privacybeleid");
}

#[wasm_bindgen_test]
async fn addresses_that_are_not_http_are_never_linked_or_loaded() {
    let container = fresh_container();
    let cfg = config(Appearance {
        bot_avatar_url: Some("javascript:alert(1)".into()),
        privacy_url: Some("javascript:alert(1)".into()),
        ..Default::default()
    });
    let _handle = leptos::mount::mount_to(container.clone(), move || view! { <Panel config=cfg.clone() /> });
    leptos::task::tick().await;
    assert!(container.query_selector("[data-testid=panel]").unwrap().is_some());
    assert!(container.query_selector("img, a").unwrap().is_none(), "{}", container.inner_html());
}
