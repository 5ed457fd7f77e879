//! Files in the live chat, the visitor's side: sending them (the attach
//! button, a drop on the chat or a paste into the composer), each with its
//! progress and, when it fails, why, with *Try again* (the same client id:
//! stored once however often it goes) and *Dismiss*; and the files the
//! chat's messages carry: a button named after the file, with its size,
//! that saves it, a picture shown in it. Both read the file with the
//! visitor's token (a form POST, never a URL), pictures from memory
//! (`blob:` URLs, each read once and let go with the chat).
//!
//! Built with the DOM directly rather than with Leptos views: what the
//! chat view renders for files is static (the attach button, an empty
//! list, a message's empty file slot with the file's data), and this
//! module fills it in and listens on the chat (one listener per kind of
//! event, for every file). Each Leptos view type brings generic code of
//! its own into the bundle: this way files cost the widget 19 KB of
//! brotli, about 7 KB less than as views (README, "Embedding").

use leptos::prelude::*;
use switchboard_protocol::files::{human_size, FileRef, FileSettings};
use switchboard_protocol::uploads::{self, Failure, Progress, Upload};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement};

use crate::i18n::Strings;

/// Where the chat's files go and come from, and what the site takes.
#[derive(Clone)]
pub struct Files {
    /// The server's origin.
    pub api_base: String,
    /// The site.
    pub site: String,
    /// What the site takes.
    pub settings: FileSettings,
    /// The visitor's token, once the server gave one (the live chat's).
    pub token: std::sync::Arc<dyn Fn() -> Option<String> + Send + Sync>,
}

/// A 20 px paperclip, the attach button's icon (constant markup).
pub const PAPERCLIP: &str = r#"<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M21 11.5l-8.6 8.6a5 5 0 0 1-7.1-7.1l8.6-8.6a3.5 3.5 0 0 1 5 5l-8.6 8.6a2 2 0 0 1-2.8-2.8l7.9-7.9"/></svg>"#;

/// A document icon for files that are not pictures (constant markup).
const DOCUMENT: &str = r#"<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false"><path fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" d="M6 2h8l5 5v15H6zM14 2v5h5"/></svg>"#;

type Waiting = Box<dyn FnOnce(Option<String>)>;

struct State {
    to: Files,
    strings: &'static Strings,
    /// The live chat's element, once rendered.
    root: Option<HtmlElement>,
    /// What is being sent.
    list: Vec<Upload>,
    /// The bytes of each, kept for a retry while the page lives.
    bytes: Vec<(String, web_sys::File)>,
    /// Files read back: their ids and blob URLs.
    urls: Vec<(String, String)>,
    /// Files being read, each with who waits for it.
    reading: Vec<(String, Vec<Waiting>)>,
    /// The chat's listeners (dropped with the chat).
    listeners: Vec<Closure<dyn Fn(Event)>>,
}

/// The chat's files (see the module's doc). A handle: copies share one state,
/// which goes with the owner that made it.
#[derive(Clone, Copy)]
pub struct Attachments(StoredValue<State, LocalStorage>);

impl Attachments {
    /// Nothing sent or read yet, to and from `to`.
    pub fn new(to: Files, strings: &'static Strings) -> Self {
        let state = StoredValue::new_local(State {
            to,
            strings,
            root: None,
            list: Vec::new(),
            bytes: Vec::new(),
            urls: Vec::new(),
            reading: Vec::new(),
            listeners: Vec::new(),
        });
        on_cleanup(move || {
            state.try_update_value(|s| {
                for (_, url) in &s.urls {
                    let _ = web_sys::Url::revoke_object_url(url);
                }
            });
        });
        Self(state)
    }

    /// `f` of the state, unless the chat went (a late answer or timer).
    fn get<R>(self, f: impl FnOnce(&State) -> R) -> Option<R> {
        self.0.try_with_value(f)
    }

    /// Whether the visitor can send files here.
    pub fn can_send(self) -> bool {
        self.get(|s| s.to.settings.on()).unwrap_or(false)
    }

    /// The file picker's `accept`.
    pub fn accept(self) -> String {
        self.get(|s| s.to.settings.accept()).unwrap_or_default()
    }

    /// Listens on the live chat's element `root`: drops and pastes of
    /// files, the picker, the attach button and the files' buttons.
    pub fn wire(self, root: HtmlElement) {
        // `Fn`, not `FnMut`: the picker's click, sent from the click
        // listener, comes back to it (a `FnMut` would refuse to run again).
        let on = |kind: &str, f: Box<dyn Fn(Event)>| {
            let listener = Closure::wrap(f);
            let _ = root.add_event_listener_with_callback(kind, listener.as_ref().unchecked_ref());
            self.0.try_update_value(|s| s.listeners.push(listener));
        };
        on(
            "dragover",
            Box::new(move |ev| {
                let drag: &web_sys::DragEvent = ev.unchecked_ref();
                if self.taking() && carries_files(drag.data_transfer()) {
                    ev.prevent_default();
                    self.dropping(true);
                }
            }),
        );
        on(
            "dragleave",
            Box::new(move |ev| {
                let drag: &web_sys::DragEvent = ev.unchecked_ref();
                let to = drag.related_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
                let root = self.get(|s| s.root.clone()).flatten();
                if !root.is_some_and(|r| r.contains(to.as_ref())) {
                    self.dropping(false);
                }
            }),
        );
        on(
            "drop",
            Box::new(move |ev| {
                self.dropping(false);
                let data = ev.unchecked_ref::<web_sys::DragEvent>().data_transfer();
                if self.taking() && carries_files(data.clone()) {
                    ev.prevent_default();
                    self.take(data.and_then(|d| d.files()));
                }
            }),
        );
        on(
            "paste",
            Box::new(move |ev| {
                let data = ev.unchecked_ref::<web_sys::ClipboardEvent>().clipboard_data();
                // Text copied from a document may come with a picture of
                // itself: then the text is what is pasted.
                let text = data.as_ref().is_some_and(|d| d.types().includes(&"text/plain".into(), 0));
                let files = data.and_then(|d| d.files()).filter(|f| f.length() > 0 && !text);
                if files.is_some() && self.taking() {
                    ev.prevent_default();
                    self.take(files);
                }
            }),
        );
        on(
            "change",
            Box::new(move |ev| {
                let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                else {
                    return;
                };
                if input.type_() == "file" {
                    self.take(input.files());
                    // The same file may be picked again.
                    input.set_value("");
                }
            }),
        );
        on(
            "click",
            Box::new(move |ev| {
                let Some(at) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
                let closest = |css: &str| at.closest(css).ok().flatten();
                if closest("[data-testid=attach]").is_some() {
                    if let Some(picker) = self.find("[data-testid=file-input]") {
                        picker.click();
                    }
                } else if let Some(b) = closest("[data-testid=upload-retry]") {
                    self.send(b.get_attribute("data-id").unwrap_or_default());
                    self.refocus();
                } else if let Some(b) = closest("[data-testid=upload-dismiss]") {
                    self.forget(&b.get_attribute("data-id").unwrap_or_default());
                    self.refocus();
                } else if let Some(slot) = closest("[data-file]") {
                    if closest(".sb-file-open").is_some() {
                        self.save(&slot);
                    }
                }
            }),
        );
        self.0.try_update_value(|s| s.root = Some(root));
        self.dress();
    }

    /// The first `css` in the live chat.
    fn find(self, css: &str) -> Option<HtmlElement> {
        let root = self.get(|s| s.root.clone()).flatten()?;
        root.query_selector(css).ok().flatten().map(JsCast::unchecked_into)
    }

    /// Focus where the visitor was (their button went with its row).
    fn refocus(self) {
        if let Some(attach) = self.find("[data-testid=attach]") {
            let _ = attach.focus();
        }
    }

    /// Whether files are taken now (the site takes them and the visitor
    /// can write: the composer is there).
    fn taking(self) -> bool {
        self.can_send() && self.find("[data-testid=composer]").is_some()
    }

    fn dropping(self, on: bool) {
        if let Some(root) = self.get(|s| s.root.clone()).flatten() {
            let _ = root.class_list().toggle_with_force("sb-dropping", on);
        }
    }

    fn take(self, list: Option<web_sys::FileList>) {
        let Some(list) = list else { return };
        for file in (0..list.length()).filter_map(|i| list.get(i)) {
            self.start(file);
        }
    }

    /// Starts sending `file`; one larger than the site takes fails at once
    /// (nothing is sent for the server to refuse).
    pub fn start(self, file: web_sys::File) {
        let client_id = switchboard_websocket::client_id();
        let size = file.size() as u64;
        let Some(too_large) = self.get(|s| size > s.to.settings.max_bytes() as u64) else { return };
        self.0.try_update_value(|s| {
            let mut upload = Upload::new(client_id.clone(), file.name(), size);
            if too_large {
                upload.progress = Progress::Failed(Failure::TooLarge);
            } else {
                s.bytes.push((client_id.clone(), file));
            }
            s.list.push(upload);
        });
        if too_large {
            self.draw();
        } else {
            self.send(client_id);
        }
    }

    /// Sends the file with `client_id` (again).
    fn send(self, client_id: String) {
        let found = self.get(|s| {
            let file = s.bytes.iter().find(|(id, _)| *id == client_id).map(|(_, f)| f.clone());
            file.map(|f| (f, s.to.clone()))
        });
        let found = found.flatten();
        let Some((file, to)) = found else { return };
        // Not connected yet: nobody to send it to (it can be tried again).
        let Some(token) = (to.token)() else {
            return self.set(&client_id, Progress::Failed(Failure::Network));
        };
        self.set(&client_id, Progress::Sending(0));
        let (id, sent_as) = (client_id.clone(), client_id.clone());
        crate::api::upload_file(
            &to.api_base,
            &to.site,
            &token,
            &sent_as,
            &file,
            move |sent| self.set(&id, Progress::Sending(sent)),
            move |result| match result {
                // The message itself comes over the socket, as any message.
                Ok(()) => self.forget(&client_id),
                Err(why) => self.set(&client_id, Progress::Failed(why)),
            },
        );
    }

    fn set(self, client_id: &str, progress: Progress) {
        if self.0.try_update_value(|s| uploads::set(&mut s.list, client_id, progress)).is_some() {
            self.draw();
        }
    }

    /// Done with the file with `client_id` (sent, or given up).
    fn forget(self, client_id: &str) {
        let gone = self.0.try_update_value(|s| {
            uploads::remove(&mut s.list, client_id);
            s.bytes.retain(|(id, _)| id != client_id);
        });
        if gone.is_some() {
            self.draw();
        }
    }

    /// Shows the files being sent: a row each, built again only when it
    /// changes between sending and failed (so a focused button stays
    /// focused); a failure is said by the list's status line.
    fn draw(self) {
        let (Some(list), Some(status)) = (self.find("[data-testid=uploads]"), self.find(".sb-upload-status"))
        else {
            return;
        };
        let Some((uploads, strings, max_mb)) =
            self.get(|s| (s.list.clone(), s.strings, s.to.settings.max_mb))
        else {
            return;
        };
        let rows = list.children();
        for i in (0..rows.length()).rev() {
            if let Some(row) = rows.item(i) {
                let id = row.get_attribute("data-id").unwrap_or_default();
                if !uploads.iter().any(|u| u.client_id == id) {
                    row.remove();
                }
            }
        }
        let mut said = String::new();
        for u in &uploads {
            let testid = match u.progress {
                Progress::Sending(_) => "upload",
                Progress::Failed(_) => "upload-failed",
            };
            let rows = list.children();
            let row = (0..rows.length())
                .filter_map(|i| rows.item(i))
                .find(|r| r.get_attribute("data-id").as_deref() == Some(&u.client_id));
            let row = match row {
                Some(r) if r.get_attribute("data-testid").as_deref() == Some(testid) => r,
                found => {
                    let fresh =
                        make("li", "sb-upload", &[("data-testid", testid), ("data-id", &u.client_id)]);
                    match found {
                        Some(old) => {
                            let _ = old.replace_with_with_node_1(&fresh);
                        }
                        None => {
                            let _ = list.append_child(&fresh);
                        }
                    }
                    fill_row(&fresh, u, strings, max_mb);
                    fresh.into()
                }
            };
            match u.progress {
                Progress::Sending(_) => {
                    if let Ok(Some(bar)) = row.query_selector("progress") {
                        let _ = bar.set_attribute("value", &u.percent().to_string());
                    }
                }
                Progress::Failed(why) => said = failure(strings, u, why, max_mb),
            }
        }
        if status.text_content().unwrap_or_default() != said {
            status.set_text_content(Some(&said));
        }
    }

    /// [`Attachments::dress`] once what is being drawn is in the page.
    pub fn dress_soon(self) {
        let dress = Closure::once_into_js(move || self.dress());
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(dress.unchecked_ref(), 0);
        }
    }

    /// Fills the file slots of the chat's messages (`[data-file]`, each
    /// with the file's data) that are not filled for their file yet.
    pub fn dress(self) {
        let Some((Some(root), strings)) = self.get(|s| (s.root.clone(), s.strings)) else { return };
        if self.find("[data-testid=composer]").is_none() {
            // The chat is over: what failed in it cannot be tried again.
            self.0.try_update_value(|s| s.list.retain(|u| matches!(u.progress, Progress::Sending(_))));
        }
        // (A composer drawn again, for a new conversation, starts empty.)
        self.draw();
        let Ok(slots) = root.query_selector_all("[data-file]") else { return };
        for slot in (0..slots.length()).filter_map(|i| slots.item(i)) {
            let slot: Element = slot.unchecked_into();
            let id = slot.get_attribute("data-file").unwrap_or_default();
            if slot.get_attribute("data-dressed").as_deref() == Some(&id) {
                continue;
            }
            let _ = slot.set_attribute("data-dressed", &id);
            slot.set_text_content(None);
            let image = slot.has_attribute("data-image");
            let button = make("button", "sb-file-open", &[("type", "button"), ("data-testid", "file-open")]);
            if !image {
                let icon = make("span", "sb-file-icon", &[]);
                icon.set_inner_html(DOCUMENT);
                let _ = button.append_child(&icon);
            }
            let label = make("span", "", &[]);
            label.set_text_content(slot.get_attribute("data-label").as_deref());
            let _ = button.append_child(&label);
            let _ = slot.append_child(&button);
            if image {
                self.read(&id.clone(), move |url| {
                    // Still this file's slot (a restored chat may renumber).
                    if slot.get_attribute("data-dressed").as_deref() != Some(&id) {
                        return;
                    }
                    match url {
                        Some(src) => {
                            let img = make(
                                "img",
                                "sb-preview",
                                // (The button says its name.)
                                &[("src", &src), ("alt", ""), ("data-testid", "file-preview")],
                            );
                            let _ = button.prepend_with_node_1(&img);
                        }
                        None => missing(&slot, strings),
                    }
                });
            }
        }
    }

    /// Reads the file of `slot` and saves it under its name.
    fn save(self, slot: &Element) {
        let id = slot.get_attribute("data-file").unwrap_or_default();
        let name = slot.get_attribute("data-name").unwrap_or_default();
        let Some(strings) = self.get(|s| s.strings) else { return };
        let slot = slot.clone();
        self.read(&id.clone(), move |url| match url {
            Some(href) => {
                // A link made for the moment, in the page (some browsers
                // save only from there): the browser saves what it points at.
                let a = make("a", "", &[("href", &href), ("download", &name)]);
                let _ = slot.append_child(&a);
                a.click();
                a.remove();
            }
            // (Unless a restored chat put another file there meanwhile.)
            None if slot.get_attribute("data-dressed").as_deref() == Some(&id) => missing(&slot, strings),
            None => {}
        });
    }

    /// Reads the file `id` (once, however many ask meanwhile), for `then`:
    /// its blob URL, or `None`.
    fn read(self, id: &str, then: impl FnOnce(Option<String>) + 'static) {
        let mut then: Option<Waiting> = Some(Box::new(then));
        // Known, waited for already, or to read now (with what for).
        let next = self.0.try_update_value(|s| {
            if let Some((_, url)) = s.urls.iter().find(|(i, _)| i == id) {
                return Some(Ok(url.clone()));
            }
            if let Some((_, waiting)) = s.reading.iter_mut().find(|(i, _)| i == id) {
                waiting.extend(then.take());
                return None;
            }
            let token = (s.to.token)()?;
            s.reading.push((id.to_owned(), then.take().into_iter().collect()));
            Some(Err((s.to.clone(), token)))
        });
        let (to, token) = match next.flatten() {
            Some(Ok(url)) => return then.into_iter().for_each(|f| f(Some(url.clone()))),
            Some(Err(read)) => read,
            // Not connected yet (or the chat went): nothing to read it with.
            None => return then.into_iter().for_each(|f| f(None)),
        };
        let id = id.to_owned();
        crate::api::fetch_file(&to.api_base, &to.site, &token, &id.clone(), move |blob| {
            let url = blob.and_then(|b| web_sys::Url::create_object_url_with_blob(&b).ok());
            let waiting = self.0.try_update_value(|s| {
                if let Some(url) = &url {
                    s.urls.push((id.clone(), url.clone()));
                }
                let at = s.reading.iter().position(|(i, _)| *i == id);
                at.map(|at| s.reading.swap_remove(at).1).unwrap_or_default()
            });
            let Some(waiting) = waiting else {
                // The chat went meanwhile.
                if let Some(url) = &url {
                    let _ = web_sys::Url::revoke_object_url(url);
                }
                return;
            };
            for then in waiting {
                then(url.clone());
            }
        });
    }
}

/// The largest picture shown in the chat (read as soon as it is shown,
/// on every page of the site): larger ones are saved when asked, as any
/// file.
pub const PREVIEW_MAX_BYTES: u64 = 5 * 1024 * 1024;

/// What a message's file slot holds for [`Attachments::dress`]: the
/// file's id, name and label, and whether it is a picture.
pub fn slot_data(file: FileRef, strings: &Strings) -> (String, String, String, bool) {
    let label = strings.file_link.replace("{size}", &human_size(file.size)).replace("{name}", &file.name);
    let image = file.is_image() && file.size <= PREVIEW_MAX_BYTES;
    (file.id, file.name, label, image)
}

/// Whether a drag carries files.
fn carries_files(data: Option<web_sys::DataTransfer>) -> bool {
    data.is_some_and(|d| d.types().includes(&wasm_bindgen::JsValue::from_str("Files"), 0))
}

/// A new `tag` element of `class` with `attributes`.
fn make(tag: &str, class: &str, attributes: &[(&str, &str)]) -> HtmlElement {
    let doc = web_sys::window().and_then(|w| w.document()).expect("a document");
    let el: HtmlElement = doc.create_element(tag).expect("an element").unchecked_into();
    if !class.is_empty() {
        el.set_class_name(class);
    }
    for (name, value) in attributes {
        let _ = el.set_attribute(name, value);
    }
    el
}

/// Tells, in `slot`, that its file cannot be read (once).
fn missing(slot: &Element, strings: &Strings) {
    if let Ok(None) = slot.query_selector("[data-testid=file-missing]") {
        let note = make("span", "", &[("data-testid", "file-missing")]);
        note.set_text_content(Some(strings.file_unavailable));
        let _ = slot.append_child(&note);
    }
}

/// Why a file was not sent, in the visitor's words.
fn failure(s: &Strings, u: &Upload, why: Failure, max_mb: u32) -> String {
    let reason = match why {
        Failure::TooLarge => s.file_too_large.replace("{max}", &max_mb.to_string()),
        Failure::Type => s.file_type.to_owned(),
        Failure::Off => s.files_off.to_owned(),
        Failure::TooMany => s.too_many_files.to_owned(),
        Failure::Ended => s.file_chat_ended.to_owned(),
        Failure::Network => s.file_network.to_owned(),
    };
    // (The name last: it may hold braces of its own.)
    s.file_failed.replace("{reason}", &reason).replace("{name}", &u.name)
}

/// A row's content: the name and a progress bar, or why it failed with
/// *Try again* (when that may help) and *Dismiss*.
fn fill_row(row: &HtmlElement, u: &Upload, strings: &Strings, max_mb: u32) {
    match u.progress {
        Progress::Sending(_) => {
            let label = strings.sending_file.replace("{name}", &u.name);
            let name = make("span", "", &[]);
            name.set_text_content(Some(&label));
            let bar = make("progress", "", &[("max", "100"), ("value", "0"), ("aria-label", &label)]);
            let _ = row.append_with_node_2(&name, &bar);
        }
        Progress::Failed(why) => {
            // (Said by the list's status line, which was there before.)
            let said = make("p", "sb-field-error", &[]);
            said.set_text_content(Some(&failure(strings, u, why, max_mb)));
            let _ = row.append_child(&said);
            let buttons: &[(&str, &str)] = if why.retryable() {
                &[("upload-retry", strings.file_retry), ("upload-dismiss", strings.file_dismiss)]
            } else {
                &[("upload-dismiss", strings.file_dismiss)]
            };
            for (testid, word) in buttons {
                let b = make(
                    "button",
                    "sb-end",
                    &[("type", "button"), ("data-testid", testid), ("data-id", &u.client_id)],
                );
                b.set_text_content(Some(word));
                let _ = row.append_child(&b);
            }
        }
    }
}
