//! Browser tests of the bot part of the widget (headless Chromium): each card
//! type renders and takes input, a bad email (or one at a domain the site
//! blocks) is refused in place, the visitor continues after a remount, and
//! stream text is rendered as text.
#![cfg(target_arch = "wasm32")]

mod common;
use common::sleep;

use leptos::prelude::*;
use switchboard_protocol::site::{Appearance, SiteConfig, SiteKey};
use switchboard_protocol::stream::file;
use switchboard_widget::app::Panel;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const STREAM: &str = r#"
id = "test"
name = "Test"
targets = ["*"]

[[card]]
id = "hello"
type = "message"
text = "Hi <script>alert(1)</script>!"

[[card]]
id = "ask"
type = "question"
text = "Talk to us?"
answers = [{ label = "Yes", next = "name" }, { label = "No", next = "bye" }]

[[card]]
id = "name"
type = "capture"
attribute = "first_name"
prompt = "Your first name?"
placeholder = "Ada"
input = "text"

[[card]]
id = "email"
type = "capture"
attribute = "email"
prompt = "Your email, {{first_name}}?"
input = "email"

[[card]]
id = "plan"
type = "capture"
attribute = "custom:plan"
prompt = "Which plan?"
input = "pick"
options = ["Free", "Team"]

[[card]]
id = "agent"
type = "live_chat"
routing = "round_robin"
text = "Connecting…"

[[card]]
id = "bye"
type = "end"
text = "Bye!"
"#;

/// A config for a site of its own, so tests do not share stored state.
fn config(site: &str) -> SiteConfig {
    let stream = file::parse(STREAM).unwrap_or_else(|e| panic!("{e:?}")).stream.stream().clone();
    SiteConfig {
        site: SiteKey::parse(site).unwrap(),
        protocol_version: 1,
        appearance: Appearance { response_delay_ms: 5, ..Default::default() },
        streams: vec![stream],
        chat_enabled: true,
        blocked_email_domains: vec![],
        files: Default::default(),
    }
}

fn mount(cfg: SiteConfig) -> (web_sys::HtmlElement, impl Sized) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("div").unwrap().unchecked_into::<web_sys::HtmlElement>();
    doc.body().unwrap().append_child(&el).unwrap();
    let handle = leptos::mount::mount_to(el.clone(), move || view! { <Panel config=cfg.clone() /> });
    (el, handle)
}

fn all(el: &web_sys::HtmlElement, selector: &str) -> Vec<web_sys::HtmlElement> {
    let list = el.query_selector_all(selector).unwrap();
    (0..list.length()).map(|i| list.item(i).unwrap().unchecked_into()).collect()
}

fn texts(el: &web_sys::HtmlElement, testid: &str) -> Vec<String> {
    all(el, &format!("[data-testid={testid}]")).iter().map(|e| e.text_content().unwrap_or_default()).collect()
}

/// Waits until `selector` matches, up to two seconds.
async fn until(el: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlElement {
    for _ in 0..200 {
        if let Some(e) = all(el, selector).into_iter().next() {
            return e;
        }
        sleep(10).await;
    }
    panic!("no {selector} in {}", el.inner_html());
}

async fn type_and_send(el: &web_sys::HtmlElement, value: &str) {
    let input = until(el, "input[data-testid=field]").await.unchecked_into::<web_sys::HtmlInputElement>();
    input.set_value(value);
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    until(el, "[data-testid=send]").await.click();
    sleep(20).await;
}

#[wasm_bindgen_test]
async fn each_card_type_renders_and_takes_input() {
    let (el, _h) = mount(config("bot-walk"));
    // The message, then the question with its answers as buttons.
    let yes = until(&el, "[data-testid=answer]").await;
    assert_eq!(texts(&el, "bot"), ["Hi <script>alert(1)</script>!", "Talk to us?"]);
    assert_eq!(texts(&el, "answer"), ["Yes", "No"]);
    yes.click();
    // The answer is the visitor's bubble; then a labelled text field.
    let input = until(&el, "input[data-testid=field]").await;
    assert_eq!(texts(&el, "visitor"), ["Yes"]);
    assert!(all(&el, "[data-testid=answer]").is_empty(), "the question cannot be answered twice");
    assert_eq!(input.get_attribute("type").as_deref(), Some("text"));
    assert_eq!(all(&el, "label[for=sb-field]")[0].text_content().unwrap(), "Your first name?");
    type_and_send(&el, "Ada").await;
    // The email card's prompt fills in the name; its input is an email input.
    let email = until(&el, "input[type=email]").await;
    assert_eq!(texts(&el, "bot").last().unwrap(), "Your email, Ada?");
    assert_eq!(email.get_attribute("autocomplete").as_deref(), Some("email"));
    type_and_send(&el, "ada@example.com").await;
    // A pick list.
    let select = until(&el, "select[data-testid=field]").await.unchecked_into::<web_sys::HtmlSelectElement>();
    assert_eq!(texts(&el, "field").join("|"), "Choose…FreeTeam");
    select.set_value("Team");
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    until(&el, "[data-testid=send]").await.click();
    // The live chat card.
    let connecting = until(&el, "[data-testid=connecting]").await;
    assert_eq!(connecting.text_content().unwrap(), "Connecting…");
    assert_eq!(texts(&el, "visitor"), ["Yes", "Ada", "ada@example.com", "Team"]);
    assert!(all(&el, "form").is_empty());
}

#[wasm_bindgen_test]
async fn an_invalid_email_shows_the_error_and_does_not_advance() {
    let (el, _h) = mount(config("bot-email"));
    until(&el, "[data-testid=answer]").await.click();
    type_and_send(&el, "Grace").await;
    until(&el, "input[type=email]").await;
    type_and_send(&el, "grace@").await;
    let input = until(&el, "input[type=email]").await;
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(input.get_attribute("aria-describedby").as_deref(), Some("sb-field-error"));
    let error = until(&el, "[data-testid=field-error]").await;
    assert!(error.text_content().unwrap().contains("valid email"), "{}", error.text_content().unwrap());
    assert_eq!(error.get_attribute("role").as_deref(), Some("alert"));
    assert_eq!(texts(&el, "visitor"), ["Yes", "Grace"], "the bad email was not taken");
    // Fixed, it goes on.
    type_and_send(&el, "grace@example.com").await;
    until(&el, "select[data-testid=field]").await;
    assert_eq!(texts(&el, "visitor"), ["Yes", "Grace", "grace@example.com"]);
}

#[wasm_bindgen_test]
async fn an_email_at_a_blocked_domain_is_refused_in_place() {
    let cfg = SiteConfig { blocked_email_domains: vec!["gmail.com".into()], ..config("bot-blocked") };
    let (el, _h) = mount(cfg);
    until(&el, "[data-testid=answer]").await.click();
    type_and_send(&el, "Grace").await;
    until(&el, "input[type=email]").await;
    type_and_send(&el, "grace@GMail.com").await;
    let error = until(&el, "[data-testid=field-error]").await;
    assert!(error.text_content().unwrap().contains("does not accept email addresses at that domain"));
    assert_eq!(texts(&el, "visitor"), ["Yes", "Grace"], "the blocked email was not taken");
    type_and_send(&el, "grace@navy.example").await;
    until(&el, "select[data-testid=field]").await;
    assert_eq!(texts(&el, "visitor"), ["Yes", "Grace", "grace@navy.example"]);
}

#[wasm_bindgen_test]
async fn the_message_of_a_refused_value_is_scrolled_into_view() {
    let (el, _h) = mount(config("bot-error-in-view"));
    // A panel too small for the conversation, as on a phone.
    let panel = until(&el, "[data-testid=panel]").await;
    panel.style().set_property("height", "120px").unwrap();
    panel.style().set_property("overflow-y", "auto").unwrap();
    until(&el, "[data-testid=answer]").await.click();
    type_and_send(&el, "Grace").await;
    until(&el, "input[type=email]").await;
    sleep(100).await;
    type_and_send(&el, "grace@").await;
    until(&el, "[aria-invalid=true]").await;
    // (The panel scrolls on the next animation frame.)
    sleep(100).await;
    let bottom = panel.scroll_top() + panel.client_height();
    assert!(bottom >= panel.scroll_height() - 1, "{bottom} of {}", panel.scroll_height());
    // The prompt is said once, in the log; the field is labelled with it.
    assert_eq!(texts(&el, "bot").iter().filter(|t| *t == "Your email, Grace?").count(), 1);
    let label = &all(&el, "label[for=sb-field]")[0];
    assert_eq!(label.text_content().unwrap(), "Your email, Grace?");
    assert!(label.class_list().contains("sb-sr-only"));
}

#[wasm_bindgen_test]
async fn the_visitor_continues_where_they_were_after_a_remount() {
    let (el, handle) = mount(config("bot-reload"));
    until(&el, "[data-testid=answer]").await.click();
    type_and_send(&el, "Lin").await;
    until(&el, "input[type=email]").await;
    drop(handle);
    el.remove();
    // A reload (or another page of the site): the same log, the same question.
    let (el, _h) = mount(config("bot-reload"));
    let input = until(&el, "input[type=email]").await;
    assert_eq!(
        texts(&el, "bot"),
        ["Hi <script>alert(1)</script>!", "Talk to us?", "Your first name?", "Your email, Lin?"]
    );
    assert_eq!(texts(&el, "visitor"), ["Yes", "Lin"]);
    assert!(input.is_connected());
    // Another site's widget starts fresh.
    let (other, _h2) = mount(config("bot-other"));
    until(&other, "[data-testid=answer]").await;
    assert!(texts(&other, "visitor").is_empty());
}

#[wasm_bindgen_test]
async fn stream_text_and_answers_are_rendered_as_text() {
    let (el, _h) = mount(config("bot-text"));
    until(&el, "[data-testid=answer]").await.click();
    type_and_send(&el, "<img src=x onerror=alert(1)>").await;
    until(&el, "input[type=email]").await;
    assert!(all(&el, "script").is_empty());
    assert!(all(&el, "img").is_empty());
    assert_eq!(texts(&el, "visitor")[1], "<img src=x onerror=alert(1)>");
    assert_eq!(texts(&el, "bot")[0], "Hi <script>alert(1)</script>!");
}

#[wasm_bindgen_test]
async fn after_the_stream_ends_the_visitor_can_start_again() {
    let (el, _h) = mount(config("bot-again"));
    until(&el, "[data-testid=answer]").await;
    all(&el, "[data-testid=answer]")[1].click(); // "No"
    let again = until(&el, "[data-testid=new-chat]").await;
    assert_eq!(texts(&el, "bot").last().unwrap(), "Bye!");
    again.click();
    until(&el, "[data-testid=answer]").await;
    assert_eq!(texts(&el, "bot"), ["Hi <script>alert(1)</script>!", "Talk to us?"]);
    assert!(texts(&el, "visitor").is_empty());
    assert!(all(&el, "[data-testid=new-chat]").is_empty());
}

/// `config(site)` with the stream republished: other words, other answers.
fn republished(site: &str) -> SiteConfig {
    let edited =
        STREAM.replace("Talk to us?", "Shall we talk?").replace("Your first name?", "What is your name?");
    let edited = edited.replace(r#"{ label = "Yes", next = "name" }, "#, "");
    let mut cfg = config(site);
    cfg.streams = vec![file::parse(&edited).unwrap_or_else(|e| panic!("{e:?}")).stream.stream().clone()];
    cfg
}

#[wasm_bindgen_test]
async fn a_stream_republished_meanwhile_goes_on_as_the_visitor_started_it() {
    let (el, handle) = mount(config("bot-version"));
    until(&el, "[data-testid=answer]").await.click(); // "Yes"
    until(&el, "input[data-testid=field]").await;
    drop(handle);
    el.remove();
    // The site republishes the stream (the "Yes" answer is gone): the visitor
    // who said "Yes" goes on with the stream as it was.
    let (el, handle) = mount(republished("bot-version"));
    until(&el, "input[data-testid=field]").await;
    assert_eq!(texts(&el, "visitor"), ["Yes"]);
    assert_eq!(all(&el, "label")[0].text_content().unwrap_or_default(), "Your first name?");
    type_and_send(&el, "Lin").await;
    until(&el, "input[type=email]").await;
    drop(handle);
    el.remove();
    // A visitor who starts now gets the new version.
    let (el, _h) = mount(republished("bot-version-new"));
    until(&el, "[data-testid=answer]").await;
    assert_eq!(texts(&el, "bot").last().unwrap(), "Shall we talk?");
    assert_eq!(texts(&el, "answer"), ["No"]);
}

const OFFER: &str = r#"
id = "offer"
name = "Offer"
priority = 5
targets = ["/offer*"]

[[card]]
id = "hello"
type = "message"
text = "A special offer!"
next = "bye"

[[card]]
id = "bye"
type = "end"
"#;

#[wasm_bindgen_test]
async fn a_completed_stream_does_not_start_again_by_itself() {
    let history = web_sys::window().unwrap().history().unwrap();
    let here = web_sys::window().unwrap().location().pathname().unwrap();
    let mut cfg = config("bot-completed");
    cfg.streams.push(file::parse(OFFER).unwrap_or_else(|e| panic!("{e:?}")).stream.stream().clone());
    let (el, handle) = mount(cfg.clone());
    until(&el, "[data-testid=answer]").await;
    all(&el, "[data-testid=answer]")[1].click(); // "No": the stream ends.
    until(&el, "[data-testid=new-chat]").await;
    drop(handle);
    el.remove();
    // Another page of the site runs its own stream.
    history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/offer/spring")).unwrap();
    let (el, handle) = mount(cfg.clone());
    until(&el, "[data-testid=bot]").await;
    assert_eq!(texts(&el, "bot"), ["A special offer!"]);
    drop(handle);
    el.remove();
    // Back on the first page: its stream was completed, so it waits for the
    // visitor to ask for it.
    history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&here)).unwrap();
    let (el, _h) = mount(cfg);
    let again = until(&el, "[data-testid=new-chat]").await;
    assert!(texts(&el, "bot").is_empty(), "{:?}", texts(&el, "bot"));
    assert!(all(&el, "[data-testid=answer]").is_empty());
    again.click();
    until(&el, "[data-testid=answer]").await;
    assert_eq!(texts(&el, "bot"), ["Hi <script>alert(1)</script>!", "Talk to us?"]);
}

#[wasm_bindgen_test]
async fn identify_after_the_stream_started_skips_the_cards_still_ahead() {
    let (el, _h) = mount(config("bot-identify-late"));
    until(&el, "[data-testid=answer]").await;
    let detail = r#"{"first_name":"Noor","email":"noor@example.com"}"#;
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&wasm_bindgen::JsValue::from_str(detail));
    el.dispatch_event(&web_sys::CustomEvent::new_with_event_init_dict("sb-identify", &init).unwrap())
        .unwrap();
    all(&el, "[data-testid=answer]")[0].click();
    // Name and email are known now: straight to the pick list.
    until(&el, "select[data-testid=field]").await;
    assert_eq!(texts(&el, "visitor"), ["Yes"]);
}

#[wasm_bindgen_test]
async fn the_greeting_shows_at_once_and_later_lines_after_the_typing_delay() {
    let mut cfg = config("bot-greeting");
    cfg.appearance.response_delay_ms = 1500;
    let (el, _h) = mount(cfg);
    sleep(200).await;
    // Well inside the delay: the greeting only, the next line still being typed.
    assert_eq!(texts(&el, "bot"), ["Hi <script>alert(1)</script>!"]);
    assert_eq!(all(&el, "[data-testid=typing]").len(), 1);
}
