//! Files on screen: a file a message carries (a picture shown small, any
//! other kind as a named link with its size; both download), and the
//! files the agent is sending, with their progress, and for a failed one
//! why, with *Try again* (the same client id: stored once) and *Dismiss*.

use std::collections::HashMap;

use leptos::prelude::*;
use switchboard_protocol::files::{human_size, FileRef};

use crate::api;
use crate::i18n::Strings;
use switchboard_protocol::uploads::{self, Failure, Progress, Upload};

/// The files being sent in one conversation, and each one's bytes (kept
/// for a retry).
#[derive(Clone, Copy)]
pub struct Sending {
    /// What the list shows.
    pub list: RwSignal<Vec<Upload>>,
    files: StoredValue<HashMap<String, web_sys::File>, LocalStorage>,
    conversation: i64,
}

impl Sending {
    /// Nothing being sent yet in `conversation`.
    pub fn new(conversation: i64) -> Self {
        Self { list: RwSignal::new(Vec::new()), files: StoredValue::new_local(HashMap::new()), conversation }
    }

    /// Starts sending `file`.
    pub fn start(self, file: web_sys::File) {
        let client_id = switchboard_websocket::client_id();
        self.list.update(|l| l.push(Upload::new(client_id.clone(), file.name(), file.size() as u64)));
        self.files.update_value(|f| {
            f.insert(client_id.clone(), file);
        });
        self.send(client_id);
    }

    /// Sends the file with `client_id` (again).
    pub fn send(self, client_id: String) {
        let Some(file) = self.files.with_value(|f| f.get(&client_id).cloned()) else { return };
        self.list.update(|l| uploads::set(l, &client_id, Progress::Sending(0)));
        let (list, files, id, sent_as) = (self.list, self.files, client_id.clone(), client_id.clone());
        api::upload_file(
            self.conversation,
            &sent_as,
            &file,
            move |sent| {
                let _ = list.try_update(|l| uploads::set(l, &id, Progress::Sending(sent)));
            },
            move |result| match result {
                // The message itself comes over the socket, as any message.
                Ok(_) => {
                    let _ = list.try_update(|l| uploads::remove(l, &client_id));
                    let _ = files.try_update_value(|f| f.remove(&client_id));
                }
                Err(why) => {
                    let _ = list.try_update(|l| uploads::set(l, &client_id, Progress::Failed(why)));
                }
            },
        );
    }

    /// Gives up on the file with `client_id`.
    pub fn dismiss(self, client_id: &str) {
        self.list.update(|l| uploads::remove(l, client_id));
        self.files.update_value(|f| {
            f.remove(client_id);
        });
    }
}

/// Whether a drag carries files.
pub fn carries_files(data: Option<web_sys::DataTransfer>) -> bool {
    data.is_some_and(|d| d.types().includes(&wasm_bindgen::JsValue::from_str("Files"), 0))
}

/// Whether a `dragleave` only moved onto a child of what it left.
pub fn still_inside(ev: &web_sys::DragEvent) -> bool {
    use wasm_bindgen::JsCast;
    let to = ev.related_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
    let from = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
    matches!((from, to), (Some(f), Some(t)) if f.contains(Some(&t)))
}

/// The files of a drop or a paste.
pub fn files_of(data: Option<web_sys::DataTransfer>) -> Vec<web_sys::File> {
    let Some(list) = data.and_then(|d| d.files()) else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// The file a message carries.
#[component]
pub fn FileLink(
    /// The file.
    file: FileRef,
    /// UI strings.
    strings: Strings,
) -> impl IntoView {
    let href = format!("/api/files/{}", js_sys::encode_uri_component(&file.id));
    let label = Strings::fill(&strings.file_link, &[("name", &file.name), ("size", &human_size(file.size))]);
    if file.is_image() {
        let src = href.clone();
        view! {
            <a class="file image" href=href download=file.name.clone() data-testid="file-link">
                <img src=src alt=file.name.clone() loading="lazy" data-testid="file-preview" />
                <span class="file-name">{label}</span>
            </a>
        }
        .into_any()
    } else {
        view! {
            <a class="file" href=href download=file.name.clone() data-testid="file-link">{label}</a>
        }
        .into_any()
    }
}

/// Why a file was not sent, in the agent's words.
fn reason(s: &Strings, why: Failure) -> String {
    match why {
        Failure::TooLarge => s.file_too_large.clone(),
        Failure::Type => s.file_type.clone(),
        Failure::Off => s.files_off.clone(),
        Failure::TooMany => s.too_many_files.clone(),
        Failure::Ended => s.file_chat_ended.clone(),
        Failure::Network => s.file_network.clone(),
    }
}

/// The files being sent: a row each (kept while it is sent, so a focused
/// button stays focused), its progress a bar that is not announced, a
/// failure said once.
#[component]
pub fn UploadList(
    /// What is being sent.
    sending: Sending,
    /// UI strings.
    strings: Strings,
) -> impl IntoView {
    view! {
        <ul class="uploads" data-testid="uploads">
            <For each=move || sending.list.with(|l| l.iter().map(|u| u.client_id.clone()).collect::<Vec<_>>())
                key=|id| id.clone()
                children=move |id: String| {
                    let s = strings.clone();
                    let now = {
                        let id = id.clone();
                        move || sending.list.with(|l| l.iter().find(|u| u.client_id == id).cloned())
                    };
                    let name = now().map(|u| u.name).unwrap_or_default();
                    let label = Strings::fill(&s.sending_file, &[("name", &name)]);
                    let percent = {
                        let now = now.clone();
                        move || now().map(|u| u.percent()).unwrap_or(0).to_string()
                    };
                    let failed = {
                        let now = now.clone();
                        Memo::new(move |_| now().and_then(|u| match u.progress {
                            Progress::Failed(why) => Some(why),
                            Progress::Sending(_) => None,
                        }))
                    };
                    let (again, gone) = (id.clone(), id.clone());
                    let (retry_word, dismiss_word) = (s.file_retry.clone(), s.file_dismiss.clone());
                    view! {
                        <li data-testid=move || if failed.get().is_some() { "upload-failed" } else { "upload" }>
                            <Show when=move || failed.get().is_none()>
                                <span>{label.clone()}</span>
                                <progress max="100" value=percent.clone() aria-label=label.clone()></progress>
                            </Show>
                            <p class="error" role="status">{
                                let (s, name) = (s.clone(), name.clone());
                                move || failed.get().map(|why| Strings::fill(&s.file_failed, &[("name", &name), ("reason", &reason(&s, why))]))
                            }</p>
                            <Show when=move || failed.get().is_some_and(Failure::retryable)>
                                <button type="button" class="secondary" data-testid="upload-retry"
                                    on:click={ let again = again.clone(); move |_| sending.send(again.clone()) }>{retry_word.clone()}</button>
                            </Show>
                            <Show when=move || failed.get().is_some()>
                                <button type="button" class="secondary" data-testid="upload-dismiss"
                                    on:click={ let gone = gone.clone(); move |_| sending.dismiss(&gone) }>{dismiss_word.clone()}</button>
                            </Show>
                        </li>
                    }
                } />
        </ul>
    }
}
