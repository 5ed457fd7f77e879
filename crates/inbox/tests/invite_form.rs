//! Browser tests of an invited agent's "Set your password" form and of the
//! sign-in's word about a dead invitation link (headless Chromium).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use switchboard_inbox::app::LoginForm;
use switchboard_inbox::i18n::Strings;
use switchboard_inbox::invite::InviteForm;
use switchboard_protocol::site::Locale;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_container() -> web_sys::HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("div").unwrap().unchecked_into::<web_sys::HtmlElement>();
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

fn find(container: &web_sys::HtmlElement, selector: &str) -> web_sys::Element {
    container.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}"))
}

fn text(container: &web_sys::HtmlElement, selector: &str) -> String {
    find(container, selector).text_content().unwrap()
}

/// Types `value` into the input, as a person would (an `input` event).
fn type_into(container: &web_sys::HtmlElement, selector: &str, value: &str) {
    let input = find(container, selector).unchecked_into::<web_sys::HtmlInputElement>();
    input.set_value(value);
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
}

fn submit(container: &web_sys::HtmlElement) {
    find(container, "[data-testid=invite-submit]").unchecked_into::<web_sys::HtmlElement>().click();
}

struct Mounted {
    container: web_sys::HtmlElement,
    sent: RwSignal<Vec<String>>,
    error: RwSignal<Option<String>>,
    _handle: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
}

async fn mount_form(locale: Locale) -> Mounted {
    let container = fresh_container();
    let sent = RwSignal::new(Vec::<String>::new());
    let error = RwSignal::new(None::<String>);
    let handle = leptos::mount::mount_to(container.clone(), move || {
        let on_submit = Callback::new(move |p: String| sent.update(|s| s.push(p)));
        view! {
            <InviteForm strings=Strings::for_locale(locale) name="Nina <b>".to_owned()
                email="nina@example.com".to_owned() error busy=Signal::derive(|| false) on_submit />
        }
        .into_any()
    });
    leptos::task::tick().await;
    Mounted { container, sent, error, _handle: handle }
}

#[wasm_bindgen_test]
async fn the_invited_agent_is_greeted_by_name_and_the_fields_are_labelled_and_described() {
    let m = mount_form(Locale::En).await;
    let c = &m.container;
    assert_eq!(text(c, "h1"), "Set your password");
    assert_eq!(
        text(c, "[data-testid=invite-welcome]"),
        "Welcome, Nina <b>. Choose a password to sign in as nina@example.com."
    );
    assert_eq!(text(c, "label[for=invite-password]"), "New password");
    assert_eq!(text(c, "label[for=invite-again]"), "Repeat the password");
    let password = find(c, "#invite-password");
    assert_eq!(password.get_attribute("type").as_deref(), Some("password"));
    assert_eq!(password.get_attribute("autocomplete").as_deref(), Some("new-password"));
    assert_eq!(password.get_attribute("aria-describedby").as_deref(), Some("invite-hint invite-error"));
    assert_eq!(text(c, "#invite-hint"), "At least 10 characters.");
    assert_eq!(find(c, "#invite-error").get_attribute("role").as_deref(), Some("alert"));
    assert!(password.get_attribute("aria-invalid").is_none());
}

#[wasm_bindgen_test]
async fn a_short_or_mistyped_password_is_refused_in_the_alert_and_not_sent() {
    let m = mount_form(Locale::Nl).await;
    let c = &m.container;
    type_into(c, "#invite-password", "kort");
    type_into(c, "#invite-again", "kort");
    submit(c);
    leptos::task::tick().await;
    assert_eq!(text(c, "[role=alert]"), "Het wachtwoord moet minstens 10 tekens hebben.");
    assert_eq!(find(c, "#invite-password").get_attribute("aria-invalid").as_deref(), Some("true"));

    type_into(c, "#invite-password", "een lang genoeg wachtwoord");
    type_into(c, "#invite-again", "een lang genoeg wachtwoord!");
    submit(c);
    leptos::task::tick().await;
    assert_eq!(text(c, "[role=alert]"), "De twee wachtwoorden verschillen: typ twee keer hetzelfde.");
    assert!(m.sent.get_untracked().is_empty());
}

#[wasm_bindgen_test]
async fn a_good_password_is_sent_once_and_the_servers_refusal_is_shown() {
    let m = mount_form(Locale::En).await;
    let c = &m.container;
    type_into(c, "#invite-password", "a long enough password");
    type_into(c, "#invite-again", "a long enough password");
    submit(c);
    leptos::task::tick().await;
    assert_eq!(m.sent.get_untracked(), ["a long enough password"]);
    assert_eq!(text(c, "[role=alert]"), "");
    m.error.set(Some("a password must be 10 to 256 characters".into()));
    leptos::task::tick().await;
    assert_eq!(text(c, "[role=alert]"), "a password must be 10 to 256 characters");
}

#[wasm_bindgen_test]
async fn the_sign_in_says_when_an_invitation_link_does_not_work() {
    let container = fresh_container();
    let dead = Strings::for_locale(Locale::En).invite_invalid;
    let notice = Some(dead.clone());
    let _handle = leptos::mount::mount_to(container.clone(), move || {
        view! { <LoginForm strings=Strings::for_locale(Locale::En) on_login=Callback::new(|_| {}) notice /> }
    });
    leptos::task::tick().await;
    let shown = find(&container, "[data-testid=login-notice]");
    assert_eq!(shown.get_attribute("role").as_deref(), Some("alert"));
    assert_eq!(shown.text_content().unwrap(), dead);
    assert!(dead.contains("ask an admin for a new link"));
    assert!(container.query_selector("#login-email").unwrap().is_some(), "with the normal sign-in form");
}
