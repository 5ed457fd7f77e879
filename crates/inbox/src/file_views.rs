//! Files on screen: a file a message carries (a picture shown small, any
//! other kind as a named link with its size; both download), and the
//! files the agent is sending, with their progress, and for a failed one
//! why, with *Try again* (the same client id: stored once) and *Dismiss*.

use std::collections::HashMap;

use leptos::prelude::*;
use switchboard_protocol::files::{human_size, FileRef};

use crate::api;
use crate::i18n::Strings;
use crate::uploads::{self, Failure, Progress, Upload};

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

/// The files being sent.
#[component]
pub fn UploadList(
    /// What is being sent.
    sending: Sending,
    /// UI strings.
    strings: Strings,
) -> impl IntoView {
    view! {
        <ul class="uploads" aria-live="polite" data-testid="uploads">
            <For each=move || sending.list.get() key=|u| (u.client_id.clone(), u.progress.clone())
                children=move |u: Upload| {
                    let s = strings.clone();
                    match u.progress.clone() {
                        Progress::Sending(_) => {
                            let label = Strings::fill(&s.sending_file, &[("name", &u.name)]);
                            view! {
                                <li data-testid="upload">
                                    <span>{label.clone()}</span>
                                    <progress max="100" value=u.percent().to_string() aria-label=label></progress>
                                </li>
                            }.into_any()
                        }
                        Progress::Failed(why) => {
                            let text = Strings::fill(&s.file_failed, &[("name", &u.name), ("reason", &reason(&s, why))]);
                            let (again, gone) = (u.client_id.clone(), u.client_id.clone());
                            view! {
                                <li class="failed" data-testid="upload-failed">
                                    <span class="error">{text}</span>
                                    {why.retryable().then(|| view! {
                                        <button type="button" class="secondary" data-testid="upload-retry"
                                            on:click=move |_| sending.send(again.clone())>{s.file_retry.clone()}</button>
                                    })}
                                    <button type="button" class="secondary" data-testid="upload-dismiss"
                                        on:click=move |_| sending.dismiss(&gone)>{s.file_dismiss.clone()}</button>
                                </li>
                            }.into_any()
                        }
                    }
                } />
        </ul>
    }
}
