//! Browser tests of files in the live chat (headless Chromium): the attach
//! button only where the site takes files; a file larger than the site
//! takes fails at once, saying why; a drop and a paste send files; a
//! failed upload can be tried again or dismissed; files in messages show
//! as named buttons with their size. (Against the real server, the
//! end-to-end tests send and open them.)
#![cfg(target_arch = "wasm32")]

mod common;
use common::sleep;

use leptos::prelude::*;
use switchboard_protocol::files::{FileRef, FileSettings, Group};
use switchboard_protocol::site::Locale;
use switchboard_protocol::wire::{Author, ChatMessage, ConversationState, VisitorOut};
use switchboard_widget::app::ChatView;
use switchboard_widget::files::Files;
use switchboard_widget::i18n::Strings;
use switchboard_widget::live::Chat;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Where nothing listens: every upload fails as the network would.
const NOWHERE: &str = "http://127.0.0.1:9";

fn files(max_mb: u32) -> Files {
    Files {
        api_base: NOWHERE.into(),
        site: "files-test".into(),
        settings: FileSettings { max_mb, groups: vec![Group::Images, Group::Pdf] },
        token: std::sync::Arc::new(|| Some("visitor-token".into())),
    }
}

fn mount(files: Option<Files>) -> (web_sys::HtmlElement, RwSignal<Chat>, impl Sized) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("div").unwrap().unchecked_into::<web_sys::HtmlElement>();
    doc.body().unwrap().append_child(&el).unwrap();
    let chat = RwSignal::new(Chat::default());
    chat.update(|c| c.apply(VisitorOut::State { state: ConversationState::Active }));
    let handle = leptos::mount::mount_to(el.clone(), move || {
        match files.clone() {
        Some(files) => view! {
            <ChatView chat strings=Strings::for_locale(Locale::En) send=|_| {} end=|| {} typing=|_| {} files />
        }
        .into_any(),
        None => view! {
            <ChatView chat strings=Strings::for_locale(Locale::En) send=|_| {} end=|| {} typing=|_| {} />
        }
        .into_any(),
    }
    });
    (el, chat, handle)
}

/// Mounted, and wired once the chat is in the page.
async fn mounted(files: Option<Files>) -> (web_sys::HtmlElement, RwSignal<Chat>, impl Sized) {
    let mounted = mount(files);
    sleep(20).await;
    mounted
}

fn file(name: &str, bytes: usize) -> web_sys::File {
    let data = js_sys::Uint8Array::new_with_length(bytes as u32);
    let parts = js_sys::Array::of1(&data);
    web_sys::File::new_with_u8_array_sequence(&parts, name).unwrap()
}

fn carrying(files: &[web_sys::File]) -> web_sys::DataTransfer {
    let data = web_sys::DataTransfer::new().unwrap();
    for f in files {
        data.items().add_with_file(f).unwrap();
    }
    data
}

fn texts(el: &web_sys::HtmlElement, selector: &str) -> Vec<String> {
    let list = el.query_selector_all(selector).unwrap();
    (0..list.length()).map(|i| list.item(i).unwrap().text_content().unwrap_or_default()).collect()
}

fn click(el: &web_sys::HtmlElement, selector: &str) {
    el.query_selector(selector).unwrap().unwrap().unchecked_into::<web_sys::HtmlElement>().click();
}

#[wasm_bindgen_test]
async fn files_are_offered_only_where_the_site_takes_them() {
    let (on, _, _h1) = mounted(Some(files(10))).await;
    let attach = on.query_selector("[data-testid=attach]").unwrap().expect("an attach button");
    assert_eq!(attach.get_attribute("aria-label").as_deref(), Some("Attach a file"));
    let input = on.query_selector("[data-testid=file-input]").unwrap().unwrap();
    assert_eq!(
        input.get_attribute("accept").as_deref(),
        Some("image/png,image/jpeg,image/gif,image/webp,application/pdf,.pdf"),
        "the picker offers what the site takes"
    );
    let (off, _, _h2) = mounted(Some(files(0))).await;
    assert!(off.query_selector("[data-testid=attach]").unwrap().is_none(), "a site that takes none");
    let (none, _, _h3) = mounted(None).await;
    assert!(none.query_selector("[data-testid=attach]").unwrap().is_none(), "no server to send to");
}

#[wasm_bindgen_test]
async fn the_attach_button_opens_the_picker_without_an_error() {
    let (el, _, _h) = mounted(Some(files(10))).await;
    let window = web_sys::window().unwrap();
    let errors = std::rc::Rc::new(std::cell::Cell::new(0));
    let counted = errors.clone();
    let on_error = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
        counted.set(counted.get() + 1)
    });
    window.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref()).unwrap();
    let picked = std::rc::Rc::new(std::cell::Cell::new(0));
    let count = picked.clone();
    let on_click =
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(move |_| count.set(count.get() + 1));
    let input = el.query_selector("[data-testid=file-input]").unwrap().unwrap();
    input.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref()).unwrap();
    click(&el, "[data-testid=attach]");
    sleep(20).await;
    window.remove_event_listener_with_callback("error", on_error.as_ref().unchecked_ref()).unwrap();
    assert_eq!((picked.get(), errors.get()), (1, 0), "the picker opened once, and nothing threw");
}

#[wasm_bindgen_test]
async fn a_dropped_file_too_large_fails_at_once_and_can_be_dismissed() {
    let (el, _, _h) = mounted(Some(files(1))).await;
    let live = el.query_selector("[data-testid=live]").unwrap().unwrap();
    let init = web_sys::DragEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_data_transfer(Some(&carrying(&[file("big.png", 1024 * 1024 + 1)])));
    let drop = web_sys::DragEvent::new_with_event_init_dict("drop", &init).unwrap();
    live.dispatch_event(&drop).unwrap();
    assert!(drop.default_prevented(), "the browser does not open the dropped file instead");
    assert_eq!(
        texts(&el, "[data-testid=upload-failed] p"),
        ["big.png was not sent: it is larger than 1 MB."]
    );
    assert!(el.query_selector("[data-testid=upload-retry]").unwrap().is_none(), "trying again cannot help");
    let status = texts(&el, "[role=status]");
    assert_eq!(status, ["big.png was not sent: it is larger than 1 MB."], "said to screen readers");
    click(&el, "[data-testid=upload-dismiss]");
    assert!(el.query_selector("[data-testid=upload-failed]").unwrap().is_none());
    assert_eq!(texts(&el, "[role=status]"), [""]);
}

#[wasm_bindgen_test]
async fn a_pasted_file_goes_out_and_a_failed_one_can_be_tried_again() {
    let (el, _, _h) = mounted(Some(files(10))).await;
    let area = el.query_selector("textarea").unwrap().unwrap();
    let init = web_sys::ClipboardEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_clipboard_data(Some(&carrying(&[file("photo.png", 2048)])));
    let paste = web_sys::ClipboardEvent::new_with_event_init_dict("paste", &init).unwrap();
    area.dispatch_event(&paste).unwrap();
    assert!(paste.default_prevented(), "the file is not pasted as text too");
    assert_eq!(texts(&el, "[data-testid=upload] span"), ["Sending photo.png…"]);
    // Nothing listens there: the upload fails as the network would.
    for _ in 0..50 {
        if el.query_selector("[data-testid=upload-retry]").unwrap().is_some() {
            break;
        }
        sleep(100).await;
    }
    assert_eq!(
        texts(&el, "[data-testid=upload-failed] p"),
        ["photo.png was not sent: the connection failed."]
    );
    let id = |el: &web_sys::HtmlElement| {
        el.query_selector("[data-testid=uploads] li").unwrap().unwrap().get_attribute("data-id").unwrap()
    };
    let failed_as = id(&el);
    click(&el, "[data-testid=upload-retry]");
    assert_eq!(texts(&el, "[data-testid=upload] span"), ["Sending photo.png…"], "on its way again");
    assert_eq!(id(&el), failed_as, "with the same client id: stored once");
    let focused = web_sys::window().unwrap().document().unwrap().active_element().unwrap();
    assert_eq!(
        focused.get_attribute("data-testid").as_deref(),
        Some("attach"),
        "focus stays in the composer"
    );
    // Text pasted is text, also with a picture of itself (as a
    // spreadsheet's cells come): no upload.
    let init = web_sys::ClipboardEventInit::new();
    let text = carrying(&[file("cells.png", 100)]);
    text.set_data("text/plain", "hello").unwrap();
    init.set_clipboard_data(Some(&text));
    init.set_bubbles(true);
    init.set_cancelable(true);
    let paste = web_sys::ClipboardEvent::new_with_event_init_dict("paste", &init).unwrap();
    area.dispatch_event(&paste).unwrap();
    assert!(!paste.default_prevented(), "the text is pasted as usual");
    assert_eq!(el.query_selector_all("[data-testid=uploads] li").unwrap().length(), 1);
}

#[wasm_bindgen_test]
async fn files_in_messages_show_their_name_and_size() {
    let (el, chat, _h) = mounted(Some(files(10))).await;
    let with = |seq: u64, author: Author, name: &str, mime: &str, size: u64| {
        VisitorOut::Message(ChatMessage {
            seq,
            author,
            client_id: None,
            text: name.into(),
            at: "2026-12-04T12:00:00.000Z".into(),
            file: Some(FileRef { id: format!("f{seq}"), name: name.into(), mime: mime.into(), size }),
        })
    };
    chat.update(|c| {
        c.apply(with(1, Author::Agent, "terms.pdf", "application/pdf", 12 * 1024));
        c.apply(with(2, Author::Visitor, "photo.png", "image/png", 3_565_158));
    });
    sleep(50).await;
    assert_eq!(texts(&el, "[data-testid=file-open]"), ["terms.pdf (12 KB)", "photo.png (3.4 MB)"]);
    // The picture is read first; here it cannot be, and the visitor is told.
    for _ in 0..50 {
        if el.query_selector("[data-testid=file-missing]").unwrap().is_some() {
            break;
        }
        sleep(100).await;
    }
    assert_eq!(texts(&el, "[data-seq='2'] [data-testid=file-missing]"), ["This file cannot be opened."]);
    assert!(el.query_selector("[data-seq='2'] img").unwrap().is_none());
}
