//! Canned responses on screen: the composer's picker (a listbox the
//! composer drives from the keyboard, see [`crate::canned`]) and the top
//! bar's panel where an agent keeps their own.

use leptos::prelude::*;
use switchboard_protocol::admin::{CannedRequest, CannedView, FieldError};

use crate::api;
use crate::canned::Picker;
use crate::i18n::Strings;

/// The responses a conversation offers: loading, loaded, or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    /// Asked for, not here yet.
    Loading,
    /// Here.
    Ready(Vec<CannedView>),
    /// The request failed.
    Failed,
}

impl Loaded {
    /// What is known, `None` while loading or after a failure (so Enter
    /// never sends a shortcut meant for a list that is not there; Escape
    /// closes the picker, and then Enter sends).
    pub fn list(&self) -> Option<&[CannedView]> {
        match self {
            Loaded::Ready(l) => Some(l),
            Loaded::Loading | Loaded::Failed => None,
        }
    }
}

/// Loads what conversation `id` offers into `into` (what was there stays
/// meanwhile, unless it was a failure).
pub fn load(id: i64, into: RwSignal<Loaded>) {
    if into.with_untracked(|l| *l == Loaded::Failed) {
        into.set(Loaded::Loading);
    }
    leptos::task::spawn_local(async move {
        let got = match api::canned_for(id).await {
            Ok(list) => Loaded::Ready(list),
            Err(_) => Loaded::Failed,
        };
        let _ = into.try_set(got);
    });
}

/// The option's element id (the composer's `aria-activedescendant`).
pub fn option_id(c: &CannedView) -> String {
    format!("canned-{}", c.id)
}

/// The picker over the composer while it is open.
#[component]
pub fn CannedPicker(
    /// Whether it shows, its query and highlight (the composer drives it).
    picker: RwSignal<Picker>,
    /// What the conversation offers.
    loaded: RwSignal<Loaded>,
    /// UI strings.
    strings: Strings,
    /// A response clicked.
    on_choose: Callback<CannedView>,
) -> impl IntoView {
    let offered = move || {
        picker.with(|p| loaded.with(|l| p.offered(l.list()).into_iter().cloned().collect::<Vec<_>>()))
    };
    let status = {
        let s = strings.clone();
        move || {
            let (query, loaded) = (picker.with(|p| p.query.clone()), loaded.get());
            match loaded {
                Loaded::Loading => s.canned_loading.clone(),
                Loaded::Failed => s.canned_failed.clone(),
                Loaded::Ready(_) => match offered().len() {
                    0 => Strings::fill(&s.canned_none, &[("query", &query)]),
                    n => Strings::fill(&s.canned_help, &[("n", &n.to_string())]),
                },
            }
        }
    };
    // The highlighted option stays in view as the arrows move it.
    Effect::new(move |_| {
        let (open, active) = picker.with(|p| (p.open, p.active));
        let id =
            loaded.with(|l| picker.with_untracked(|p| p.offered(l.list()).get(active).map(|c| option_id(c))));
        if let (true, Some(id)) = (open, id) {
            keep_in_view(&id);
        }
    });
    let yours = strings.canned_yours.clone();
    let open_mine = move |_| {
        picker.update(Picker::close);
        open_my_responses();
    };
    view! {
        <div class="canned" id="canned-picker" data-testid="canned-picker" hidden=move || !picker.with(|p| p.open)>
            <p class="canned-status" role="status" data-testid="canned-status">
                {move || picker.with(|p| p.open).then(status.clone())}
            </p>
            <ul role="listbox" id="canned-list" aria-label=strings.canned_list.clone() data-testid="canned-list">
                {move || {
                    let active = picker.with(|p| p.active);
                    offered().into_iter().enumerate().map(|(i, c)| {
                        let chosen = c.clone();
                        let tag = c.personal.then(|| view! { <span class="tag">{yours.clone()}</span> });
                        view! {
                            <li role="option" id=option_id(&c) aria-selected=(i == active).to_string()
                                data-testid="canned-option"
                                // Keeps the focus in the composer.
                                on:mousedown=|ev| ev.prevent_default()
                                on:click=move |_| on_choose.run(chosen.clone())>
                                <span class="shortcut">"/"{c.shortcut.clone()}</span>
                                {tag}
                                <span class="preview">{c.text.clone()}</span>
                            </li>
                        }
                    }).collect_view()
                }}
            </ul>
            <button type="button" class="link" data-testid="canned-manage" on:mousedown=|ev| ev.prevent_default()
                on:click=open_mine>{strings.canned_manage.clone()}</button>
        </div>
    }
}

/// The element with id `id` on the page.
fn element(id: &str) -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    web_sys::window()?.document()?.get_element_by_id(id)?.dyn_into().ok()
}

/// Moves the focus to the element with id `id`.
fn focus(id: &str) {
    if let Some(el) = element(id) {
        let _ = el.focus();
    }
}

/// Scrolls the picker's list so the option with element id `id` shows.
fn keep_in_view(id: &str) {
    let (Some(list), Some(option)) = (element("canned-list"), element(id)) else { return };
    let (top, bottom) = (option.offset_top(), option.offset_top() + option.offset_height());
    if top < list.scroll_top() {
        list.set_scroll_top(top);
    } else if bottom > list.scroll_top() + list.client_height() {
        list.set_scroll_top(bottom - list.client_height());
    }
}

/// Opens the top bar's panel of the agent's own responses and moves the
/// focus into it.
fn open_my_responses() {
    if let Some(el) = element("my-responses") {
        let _ = el.set_attribute("open", "");
    }
    focus("my-response-shortcut");
}

/// Closes the top bar's panel and gives the focus back to its toggle.
fn close_my_responses() {
    if let Some(el) = element("my-responses") {
        let _ = el.remove_attribute("open");
    }
    focus("my-responses-summary");
}

/// The top bar's panel: the agent's own responses, to add, change and
/// delete.
#[component]
pub fn MyResponses(
    /// UI strings.
    strings: Strings,
) -> impl IntoView {
    let mine = RwSignal::new(Loaded::Loading);
    let loaded_once = StoredValue::new(false);
    let reload = move || {
        leptos::task::spawn_local(async move {
            let got = match api::my_canned().await {
                Ok(list) => Loaded::Ready(list),
                Err(_) => Loaded::Failed,
            };
            let _ = mine.try_set(got);
        });
    };
    // The form: a new response (`editing` none) or one being changed.
    let editing = RwSignal::new(None::<i64>);
    let shortcut = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::<FieldError>::new());
    let saving = RwSignal::new(false);
    let said = RwSignal::new(String::new());
    let about = move |field: &'static str| {
        move || problems.with(|p| p.iter().filter(|f| f.field == field).map(|f| f.message.clone()).next())
    };
    let reset = move || {
        editing.set(None);
        shortcut.set(String::new());
        text.set(String::new());
        problems.set(Vec::new());
    };
    let saved_word = strings.canned_saved.clone();
    let save = move || {
        if saving.get_untracked() {
            return;
        }
        saving.set(true);
        let request = CannedRequest {
            shortcut: shortcut.get_untracked(),
            text: text.get_untracked(),
            site: None,
            team: None,
        };
        let id = editing.get_untracked();
        let saved_word = saved_word.clone();
        leptos::task::spawn_local(async move {
            match api::save_my_canned(id, &request).await {
                Ok(c) => {
                    said.set(Strings::fill(&saved_word, &[("shortcut", &c.shortcut)]));
                    reset();
                    reload();
                }
                Err(p) => problems.set(p),
            }
            saving.set(false);
        });
    };
    let (deleted_word, failed_word) = (strings.canned_deleted.clone(), strings.network_error.clone());
    let delete = Callback::new(move |c: CannedView| {
        let (deleted_word, failed_word) = (deleted_word.clone(), failed_word.clone());
        leptos::task::spawn_local(async move {
            if api::remove_my_canned(c.id).await.is_ok() {
                said.set(Strings::fill(&deleted_word, &[("shortcut", &c.shortcut)]));
                if editing.get_untracked() == Some(c.id) {
                    reset();
                }
                reload();
            } else {
                said.set(failed_word);
            }
        });
    });
    let edit = move |c: CannedView| {
        editing.set(Some(c.id));
        shortcut.set(c.shortcut);
        text.set(c.text);
        problems.set(Vec::new());
        focus("my-response-shortcut");
    };
    let (edit_word, delete_word) = (strings.canned_edit.clone(), strings.canned_delete.clone());
    let (empty, failed) = (strings.my_responses_empty.clone(), strings.canned_failed.clone());
    let loading = strings.canned_loading.clone();
    let (save_word, add_word) = (strings.canned_save.clone(), strings.canned_add.clone());
    view! {
        <details class="my-responses" id="my-responses" data-testid="my-responses"
            on:toggle=move |_| {
                if !loaded_once.get_value() || mine.with_untracked(|m| *m == Loaded::Failed) {
                    loaded_once.set_value(true);
                    reload();
                }
            }>
            <summary id="my-responses-summary">{strings.my_responses.clone()}</summary>
            <div class="panel">
                <div class="panel-head">
                    <p class="muted">{strings.my_responses_intro.clone()}</p>
                    <button type="button" class="secondary" data-testid="my-responses-close" on:click=move |_| close_my_responses()>
                        {strings.canned_close.clone()}
                    </button>
                </div>
                <p role="status" class="said" data-testid="my-responses-said">{move || said.get()}</p>
                {move || match mine.get() {
                    Loaded::Loading => view! { <p class="muted">{loading.clone()}</p> }.into_any(),
                    Loaded::Failed => view! { <p class="error">{failed.clone()}</p> }.into_any(),
                    Loaded::Ready(list) if list.is_empty() => {
                        view! { <p class="muted" data-testid="my-responses-empty">{empty.clone()}</p> }.into_any()
                    }
                    Loaded::Ready(list) => view! {
                        <ul class="mine" data-testid="my-responses-list">
                            {list.into_iter().map(|c| {
                                let (edit_word, delete_word) = (edit_word.clone(), delete_word.clone());
                                let (for_edit, for_delete) = (c.clone(), c.clone());
                                let edit_label = format!("{} /{}", edit_word, c.shortcut);
                                let delete_label = format!("{} /{}", delete_word, c.shortcut);
                                view! {
                                    <li data-testid="my-response">
                                        <span class="shortcut">"/"{c.shortcut.clone()}</span>
                                        <span class="preview">{c.text.clone()}</span>
                                        <span class="row-actions">
                                            <button type="button" class="secondary" aria-label=edit_label
                                                on:click=move |_| edit(for_edit.clone())>{edit_word.clone()}</button>
                                            <button type="button" class="danger" aria-label=delete_label data-testid="my-response-delete"
                                                on:click=move |_| delete.run(for_delete.clone())>{delete_word.clone()}</button>
                                        </span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
                <form class="mine-form" data-testid="my-response-form" novalidate
                    on:submit=move |ev| { ev.prevent_default(); save(); }>
                    <label for="my-response-shortcut">{strings.canned_shortcut.clone()}</label>
                    <input id="my-response-shortcut" data-testid="my-response-shortcut" autocomplete="off"
                        aria-invalid=move || about("shortcut")().is_some().to_string()
                        aria-describedby="my-response-shortcut-error"
                        prop:value=move || shortcut.get() on:input=move |ev| shortcut.set(event_target_value(&ev)) />
                    <p class="error" id="my-response-shortcut-error" data-testid="my-response-shortcut-error">{about("shortcut")}</p>
                    <label for="my-response-text">{strings.canned_text.clone()}</label>
                    <textarea id="my-response-text" data-testid="my-response-text" rows="3"
                        aria-invalid=move || about("text")().is_some().to_string()
                        aria-describedby="my-response-text-error"
                        prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                    <p class="error" id="my-response-text-error" data-testid="my-response-text-error">{about("text")}</p>
                    <p class="error" data-testid="my-response-error">{about("")}</p>
                    <div class="row-actions">
                        <button type="submit" data-testid="my-response-save" disabled=move || saving.get()>
                            {move || if editing.get().is_some() { save_word.clone() } else { add_word.clone() }}
                        </button>
                        <Show when=move || editing.get().is_some()>
                            <button type="button" class="secondary" on:click=move |_| reset()>{strings.canned_cancel.clone()}</button>
                        </Show>
                    </div>
                </form>
            </div>
        </details>
    }
}
