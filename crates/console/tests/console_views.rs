//! Browser tests of the console's views (headless Chromium): the sign-in
//! form, a field's problem tied to its input, the appearance editor's live
//! check and its preview (the real widget), the rule editor's check as
//! the admin types, and the stream designer's tree and card editor.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use switchboard_console::app::LoginForm;
use switchboard_console::i18n::Strings;
use switchboard_console::model::designer::history::Designer;
use switchboard_console::model::rules::RuleForm;
use switchboard_console::views::designer::canvas::Canvas;
use switchboard_console::views::designer::card::CardEditor;
use switchboard_console::views::designer::Ctx;
use switchboard_console::views::routing::RuleEditor;
use switchboard_console::views::sites::AppearanceEditor;
use switchboard_console::views::Status;
use switchboard_protocol::admin::SiteView;
use switchboard_protocol::site::{Appearance, Locale, SiteKey};
use switchboard_protocol::stream::{file, CardKind, Stream};
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

/// Types `value` into the input or text area `selector` as a person would
/// (an input event).
fn type_into(container: &web_sys::HtmlElement, selector: &str, value: &str) {
    let input = el(container, selector);
    js_sys::Reflect::set(&input, &"value".into(), &value.into()).unwrap();
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
        away_after_missed: 2,
        file_max_mb: 10,
        file_types: vec!["images".into(), "pdf".into(), "text".into(), "office".into()],
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

fn recommended() -> Stream {
    file::parse(include_str!("../../../examples/streams/recommended.toml")).unwrap().stream.into_inner()
}

fn designer_on(stream: Stream) -> Ctx {
    let d = RwSignal::new(Designer::new(stream));
    Ctx::new(
        en(),
        Status(RwSignal::new(String::new())),
        d,
        RwSignal::new(Vec::new()),
        RwSignal::new(Vec::new()),
    )
}

fn answers(ctx: Ctx, id: &str) -> Vec<String> {
    ctx.d.with_untracked(|d| match &d.stream().card(id).unwrap().kind {
        CardKind::Question { answers, .. } => answers.iter().map(|a| a.label.clone()).collect(),
        _ => Vec::new(),
    })
}

#[wasm_bindgen_test]
async fn the_card_editor_edits_answers_and_keeps_typed_lines() {
    let c = fresh_container();
    let ctx = designer_on(recommended());
    let _h = leptos::mount::mount_to(c.clone(), move || view! { <CardEditor ctx id="connect".to_owned() /> });
    settle().await;
    assert_eq!(c.query_selector_all("[data-testid=answer]").unwrap().length(), 2);
    type_into(&c, "#answer-0-label", "Yes please");
    settle().await;
    assert_eq!(answers(ctx, "connect"), ["Yes please", "No thanks, just looking"]);
    el(&c, "[data-testid=add-answer]").unchecked_into::<web_sys::HtmlElement>().click();
    settle().await;
    assert_eq!(c.query_selector_all("[data-testid=answer]").unwrap().length(), 3);
    // The new answer leads nowhere yet: the validator says so under the answers.
    assert!(
        text(&c, "#card-answers-error").contains("the branch ends"),
        "{}",
        text(&c, "#card-answers-error")
    );
    // Undo takes the answer away again, and the editor follows.
    ctx.d.update(|d| {
        d.undo();
    });
    settle().await;
    assert_eq!(c.query_selector_all("[data-testid=answer]").unwrap().length(), 2);

    // A pick-list's options: typed with a new line, kept as typed, stored one per line.
    let c2 = fresh_container();
    let _h2 = leptos::mount::mount_to(c2.clone(), move || view! { <CardEditor ctx id="name".to_owned() /> });
    settle().await;
    let select = el(&c2, "#capture-input").unchecked_into::<web_sys::HtmlSelectElement>();
    select.set_value("pick");
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    settle().await;
    type_into(&c2, "#capture-options", "Small\n");
    settle().await;
    let area = el(&c2, "#capture-options").unchecked_into::<web_sys::HtmlTextAreaElement>();
    assert_eq!(area.value(), "Small\n", "the new line stays while typing");
    type_into(&c2, "#capture-options", "Small\nVery large");
    settle().await;
    let options = ctx.d.with_untracked(|d| match &d.stream().card("name").unwrap().kind {
        CardKind::Capture(cap) => cap.options.clone(),
        _ => Vec::new(),
    });
    assert_eq!(options, ["Small", "Very large"]);
}

#[wasm_bindgen_test]
async fn the_tree_is_an_aria_tree_walked_with_the_arrow_keys() {
    let c = fresh_container();
    let ctx = designer_on(recommended());
    let zoom = RwSignal::new(1.0);
    let _h = leptos::mount::mount_to(c.clone(), move || {
        let hits = Memo::new(|_| Vec::<String>::new());
        view! { <Canvas ctx zoom hits /> }
    });
    settle().await;
    let items = c.query_selector_all("[role=tree] [role=treeitem]").unwrap();
    assert_eq!(items.length(), 6);
    let name = el(&c, "[data-card=name]");
    assert_eq!(name.get_attribute("aria-level").as_deref(), Some("3"));
    assert_eq!(name.get_attribute("aria-posinset").as_deref(), Some("1"));
    assert_eq!(name.get_attribute("aria-setsize").as_deref(), Some("2"));
    assert_eq!(el(&c, "[data-card=hello]").get_attribute("tabindex").as_deref(), Some("0"));
    // Focus selects; the arrow keys move the focus and the selection.
    let first = el(&c, "[data-card=hello]").unchecked_into::<web_sys::HtmlElement>();
    first.focus().unwrap();
    settle().await;
    let down = web_sys::KeyboardEventInit::new();
    down.set_key("ArrowDown");
    down.set_bubbles(true);
    first
        .dispatch_event(&web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &down).unwrap())
        .unwrap();
    settle().await;
    let active = web_sys::window().unwrap().document().unwrap().active_element().unwrap();
    assert_eq!(active.get_attribute("data-card").as_deref(), Some("connect"));
    assert_eq!(el(&c, "[data-card=connect]").get_attribute("aria-selected").as_deref(), Some("true"));
    assert_eq!(el(&c, "[data-card=hello]").get_attribute("tabindex").as_deref(), Some("-1"));
}
