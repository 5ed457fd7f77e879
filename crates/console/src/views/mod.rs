//! The console's views, one module per area. They render the model and
//! send what the admin does through [`crate::api`]; the common pieces
//! (a labelled field with its problem, a confirmation dialog, the status
//! line) live here.

pub mod agents;
pub mod canned;
pub mod conversations;
pub mod designer;
pub mod reports;
pub mod routing;
pub mod setup;
pub mod sites;
pub mod streams;
pub mod teams;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::ApiError;
use crate::i18n::Strings;
use crate::model::errors::Problems;

/// What the console tells the admin after an action (one polite live region).
#[derive(Debug, Clone, Copy)]
pub struct Status(pub RwSignal<String>);

impl Status {
    /// Says `text`.
    pub fn say(&self, text: impl Into<String>) {
        self.0.set(text.into());
    }

    /// Says what went wrong with a request that has no form field to show it under.
    pub fn failed(&self, s: Strings, e: &ApiError) {
        self.say(describe(s, e));
    }
}

/// A request's failure in words.
pub fn describe(s: Strings, e: &ApiError) -> String {
    match e {
        ApiError::Unauthorized => s.t("session_ended"),
        ApiError::Forbidden => s.t("not_admin"),
        ApiError::NotFound(m) | ApiError::Refused(m) => m.clone(),
        ApiError::Invalid(i) => i.to_string(),
        ApiError::Stream(lines) => lines.join("\n"),
        // Said apart from "not reached": the admin (and whoever reads their
        // report) learns the server was reached and what it said.
        ApiError::Server(m) => s.f("server_error", &[("detail", m)]),
        ApiError::Failed(_) => s.t("network_error"),
    }
}

/// The problems of a failed request to show by field, and the status for the rest.
pub fn refused(s: Strings, status: Status, problems: RwSignal<Problems>, e: ApiError) {
    match e {
        ApiError::Invalid(i) => {
            problems.set(Problems::from(i));
            status.say(s.t("fix_fields"));
        }
        e => status.failed(s, &e),
    }
}

/// A labelled text input (or text area) with its problem under it, tied
/// to it by `aria-describedby` and `aria-invalid`.
#[component]
pub fn Field(
    /// The input's id (unique on the page).
    #[prop(into)]
    id: String,
    /// Its label.
    #[prop(into)]
    label: String,
    /// What it holds.
    value: RwSignal<String>,
    /// Its problem, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// `type` of the input (`text` when not given).
    #[prop(optional)]
    kind: Option<&'static str>,
    /// A hint under the label.
    #[prop(optional, into)]
    hint: Option<String>,
    /// A text area of this many rows instead of an input.
    #[prop(optional)]
    rows: Option<u32>,
    /// `autocomplete` value.
    #[prop(optional)]
    autocomplete: Option<&'static str>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = if hint.is_some() { format!("{hint_id} {error_id}") } else { error_id.clone() };
    let input = match rows {
        Some(rows) => view! {
            <textarea id=id.clone() rows=rows aria-describedby=described.clone()
                aria-invalid=move || error.get().is_some().to_string()
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
        }
        .into_any(),
        None => view! {
            <input id=id.clone() type=kind.unwrap_or("text") aria-describedby=described.clone()
                autocomplete=autocomplete.unwrap_or("off")
                aria-invalid=move || error.get().is_some().to_string()
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
        }
        .into_any(),
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <span class="hint-text" id=hint_id.clone()>{h}</span> })}
            {input}
            <span class="field-error" id=error_id.clone()>{move || error.get()}</span>
        </div>
    }
}

/// The problem of `field` in `problems`, as a signal for [`Field`].
pub fn problem(problems: RwSignal<Problems>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || problems.with(|p| p.of(field)))
}

/// Problems the form has no field for, listed so none is lost.
#[component]
pub fn OtherProblems(
    /// The form's problems.
    problems: RwSignal<Problems>,
    /// The fields the form shows problems under.
    known: &'static [&'static str],
) -> impl IntoView {
    view! {
        <ul class="field-error">
            {move || problems.with(|p| p.others(known)).into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
        </ul>
    }
}

/// Opens the `<dialog>` with id `id` as a modal (focus moves into it; Escape closes it).
pub fn open_dialog(id: &str) {
    if let Some(d) =
        document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlDialogElement>().ok())
    {
        let _ = d.show_modal();
    }
}

/// Closes the dialog with id `id`, and puts the focus back on `return_to` if given.
pub fn close_dialog(id: &str) {
    if let Some(d) =
        document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlDialogElement>().ok())
    {
        d.close();
    }
}

/// Asks for confirmation in a modal dialog; `on_yes` runs when confirmed.
#[component]
pub fn Confirm(
    /// The dialog's id.
    #[prop(into)]
    id: String,
    /// The question.
    question: Signal<String>,
    /// The confirming button's text.
    #[prop(into)]
    yes: String,
    /// UI strings.
    strings: Strings,
    /// Runs on confirmation.
    on_yes: Callback<()>,
) -> impl IntoView {
    let title_id = format!("{id}-title");
    let close_id = id.clone();
    let yes_id = id.clone();
    view! {
        <dialog id=id.clone() aria-labelledby=title_id.clone() class="dialog">
            <p id=title_id.clone()>{move || question.get()}</p>
            <div class="actions">
                <button type="button" class="danger" on:click=move |_| { close_dialog(&yes_id); on_yes.run(()) }>{yes}</button>
                <button type="button" class="secondary" autofocus on:click=move |_| close_dialog(&close_id)>{strings.t("cancel")}</button>
            </div>
        </dialog>
    }
}

/// Copies `text` to the clipboard and says so.
pub fn copy(s: Strings, status: Status, text: String) {
    let clipboard = window().navigator().clipboard();
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await {
            Ok(_) => status.say(s.t("copied")),
            Err(_) => status.say(s.t("copy_failed")),
        }
    });
}

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Ok(a) = document().create_element("a").map(|a| a.unchecked_into::<web_sys::HtmlAnchorElement>()) {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Reads the file chosen in the input with id `input_id` as text.
pub async fn read_file(input_id: &str) -> Option<(String, String)> {
    let input = document().get_element_by_id(input_id)?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
    let file = input.files()?.get(0)?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok()?.as_string()?;
    Some((file.name(), text))
}
