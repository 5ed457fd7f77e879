//! Browser tests of the inbox's login form (headless Chromium).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use switchboard_inbox::app::LoginForm;
use switchboard_inbox::i18n::Strings;
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

fn label_for(container: &web_sys::HtmlElement, id: &str) -> String {
    container
        .query_selector(&format!("label[for='{id}']"))
        .unwrap()
        .expect("a label for the input")
        .text_content()
        .unwrap()
}

#[wasm_bindgen_test]
async fn login_form_has_labelled_email_and_password_fields() {
    let container = fresh_container();
    let _handle = leptos::mount::mount_to(container.clone(), || {
        view! { <LoginForm strings=Strings::for_locale(Locale::En) on_login=Callback::new(|_| {}) /> }
    });
    leptos::task::tick().await;
    assert_eq!(label_for(&container, "login-email"), "Email");
    assert_eq!(label_for(&container, "login-password"), "Password");
    let password = container.query_selector("#login-password").unwrap().unwrap();
    assert_eq!(password.get_attribute("type").as_deref(), Some("password"));
}

#[wasm_bindgen_test]
async fn submitting_an_empty_form_shows_an_alert_without_logging_in() {
    let container = fresh_container();
    let logged_in = RwSignal::new(false);
    let _handle = leptos::mount::mount_to(container.clone(), move || {
        view! { <LoginForm strings=Strings::for_locale(Locale::Nl) on_login=Callback::new(move |_| logged_in.set(true)) /> }
    });
    leptos::task::tick().await;
    let button = container.query_selector("[data-testid=login-submit]").unwrap().unwrap();
    button.unchecked_ref::<web_sys::HtmlElement>().click();
    leptos::task::tick().await;
    let alert = container.query_selector("[role=alert]").unwrap().unwrap();
    assert_eq!(alert.text_content().unwrap(), "Vul je e-mailadres en wachtwoord in.");
    assert!(!logged_in.get_untracked());
}
