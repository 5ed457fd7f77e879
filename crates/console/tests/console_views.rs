//! Browser tests of the console's views (headless Chromium): the sign-in
//! form, a field's problem tied to its input, the appearance editor's live
//! check and its preview (the real widget), and the rule editor's check as
//! the admin types.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use switchboard_console::app::LoginForm;
use switchboard_console::i18n::Strings;
use switchboard_console::model::rules::RuleForm;
use switchboard_console::views::routing::RuleEditor;
use switchboard_console::views::sites::AppearanceEditor;
use switchboard_console::views::Status;
use switchboard_protocol::admin::SiteView;
use switchboard_protocol::site::{Appearance, Locale, SiteKey};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_container() -> web_sys::HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("div").unwrap().unchecked_into::<web_sys::HtmlElement>();
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

fn en() -> Strings {
    Strings::for_locale(Locale::En)
}

fn el(container: &web_sys::HtmlElement, selector: &str) -> web_sys::Element {
    container.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}"))
}

fn text(container: &web_sys::HtmlElement, selector: &str) -> String {
    el(container, selector).text_content().unwrap()
}

/// Types `value` into the input `selector` as a person would (an input event).
fn type_into(container: &web_sys::HtmlElement, selector: &str, value: &str) {
    let input = el(container, selector).unchecked_into::<web_sys::HtmlInputElement>();
    input.set_value(value);
    input
        .dispatch_event(
            &web_sys::Event::new_with_event_init_dict("input", &{
                let init = web_sys::EventInit::new();
                init.set_bubbles(true);
                init
            })
            .unwrap(),
        )
        .unwrap();
}

async fn settle() {
    for _ in 0..3 {
        leptos::task::tick().await;
    }
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

fn site() -> SiteView {
    SiteView {
        key: SiteKey::parse("acme").unwrap(),
        name: "Acme".into(),
        allowed_origins: vec!["https://acme.example".into()],
        appearance: Appearance::default(),
        fallback_message: String::new(),
        blocked_email_domains: vec![],
        chat_enabled: true,
    }
}

#[wasm_bindgen_test]
async fn an_empty_sign_in_says_what_is_missing_in_an_alert() {
    let c = fresh_container();
    let signed_in = RwSignal::new(false);
    let _h = leptos::mount::mount_to(c.clone(), move || {
        view! { <LoginForm strings=Strings::for_locale(Locale::Nl) on_login=Callback::new(move |_| signed_in.set(true)) /> }
    });
    settle().await;
    el(&c, "[data-testid=login-submit]").unchecked_into::<web_sys::HtmlElement>().click();
    settle().await;
    assert_eq!(text(&c, "[role=alert]"), "Vul je e-mailadres en wachtwoord in.");
    assert!(!signed_in.get_untracked());
    assert_eq!(text(&c, "label[for=login-email]"), "E-mailadres");
}

#[wasm_bindgen_test]
async fn the_appearance_is_checked_as_typed_and_the_preview_is_the_real_widget() {
    let c = fresh_container();
    let status = Status(RwSignal::new(String::new()));
    let _h = leptos::mount::mount_to(
        c.clone(),
        move || view! { <AppearanceEditor strings=en() status site=site() /> },
    );
    settle().await;
    // The widget is mounted in the preview, in its own shadow root, with the site's title.
    let stage = el(&c, "[data-testid=preview]");
    let root = stage.shadow_root().expect("the preview's shadow root");
    let title = || root.query_selector("[data-testid=title]").unwrap().map(|t| t.text_content().unwrap());
    assert_eq!(title().as_deref().map(str::trim), Some("Chat with us"));

    // Words show once typing pauses; the widget shown before is taken out
    // (never two widgets, nothing kept alive behind the shown one).
    for draft in ["T", "Ta", "Talk", "Talk to", "Talk to Acme"] {
        type_into(&c, "#ap-title", draft);
        settle().await;
    }
    assert_eq!(title().as_deref().map(str::trim), Some("Chat with us"), "not remounted while typing");
    let mut shown = None;
    for _ in 0..40 {
        settle().await;
        shown = title();
        if shown.as_deref().map(str::trim) == Some("Talk to Acme") {
            break;
        }
    }
    assert_eq!(shown.as_deref().map(str::trim), Some("Talk to Acme"), "the draft's title, before saving");
    assert_eq!(root.query_selector_all("[data-testid=title]").unwrap().length(), 1, "one widget");
    type_into(&c, "#ap-title", "Talk to us");
    for _ in 0..10 {
        settle().await;
    }
    assert_eq!(title().as_deref().map(str::trim), Some("Talk to us"));
    assert_eq!(root.query_selector_all("[data-testid=title]").unwrap().length(), 1, "still one widget");

    // A bad colour: said under the field, tied to it; the preview keeps the last good draft.
    type_into(&c, "#ap-accent", "green");
    settle().await;
    let accent = el(&c, "#ap-accent");
    assert_eq!(accent.get_attribute("aria-invalid").as_deref(), Some("true"));
    let described = accent.get_attribute("aria-describedby").unwrap();
    assert!(described.contains("ap-accent-error"), "{described}");
    assert!(!text(&c, "#ap-accent-error").is_empty());
    assert_eq!(title().as_deref().map(str::trim), Some("Talk to us"));

    type_into(&c, "#ap-accent", "#00aa55");
    settle().await;
    assert_eq!(el(&c, "#ap-accent").get_attribute("aria-invalid").as_deref(), Some("false"));
    let frame = root.query_selector(".sb-frame").unwrap().unwrap().unchecked_into::<web_sys::HtmlElement>();
    assert_eq!(frame.style().get_property_value("--sb-accent").unwrap(), "#00aa55");
}

#[wasm_bindgen_test]
async fn a_rule_is_checked_as_the_admin_types_it() {
    let c = fresh_container();
    let status = Status(RwSignal::new(String::new()));
    let agents = RwSignal::new(Vec::new());
    let teams = RwSignal::new(Vec::new());
    let _h = leptos::mount::mount_to(c.clone(), move || {
        view! { <RuleEditor strings=en() status key="acme".to_owned() form=RuleForm::new_rule(&[]) agents teams on_saved=Callback::new(|_| {}) /> }
    });
    settle().await;
    // Nothing is said before the admin typed anything.
    assert_eq!(text(&c, "#rule-name-error"), "");
    type_into(&c, "#rule-name", "Acme accounts");
    settle().await;
    // Now the empty value of the first condition and the missing target are named.
    assert!(
        text(&c, "#rule-conditions-error").contains("needs at least one value"),
        "{}",
        text(&c, "#rule-conditions-error")
    );
    type_into(&c, "[data-testid=condition] input:not([list])", "Acme");
    settle().await;
    assert_eq!(text(&c, "#rule-conditions-error"), "");
}
