//! A site's streams: the published ones with priority, targets, version
//! and when; upload a stream file (its errors with line and column); remove.

use leptos::prelude::*;
use leptos::task::spawn_local;
use switchboard_protocol::admin::StreamSummary;

use super::{describe, open_dialog, read_file, Confirm, Status};
use crate::api::{self, ApiError};
use crate::i18n::Strings;
use crate::model::route::Route;

/// The streams of site `key`.
#[component]
pub fn StreamList(
    /// UI strings.
    strings: Strings,
    /// Where the console says what happened.
    status: Status,
    /// The site's key.
    key: String,
) -> impl IntoView {
    let s = strings;
    let streams = RwSignal::new(None::<Vec<StreamSummary>>);
    let k = key.clone();
    let load = move || {
        let k = k.clone();
        spawn_local(async move {
            match api::streams(&k).await {
                Ok(list) => streams.set(Some(list)),
                Err(e) => status.failed(s, &e),
            }
        })
    };
    load();
    let errors = RwSignal::new(Vec::<String>::new());
    let warnings = RwSignal::new(Vec::<String>::new());
    let (k, l) = (key.clone(), load.clone());
    let upload = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (k, l) = (k.clone(), l.clone());
        spawn_local(async move {
            let Some((name, text)) = read_file("stream-file").await else {
                status.say(s.t("choose_file"));
                return;
            };
            match api::publish_stream(&k, text).await {
                Ok(p) => {
                    errors.set(Vec::new());
                    warnings.set(p.warnings);
                    status
                        .say(s.f("stream_published", &[("id", &p.id), ("version", &p.version.to_string())]));
                    l();
                }
                Err(ApiError::Stream(lines)) => {
                    errors.set(lines);
                    status.say(s.f("stream_refused", &[("file", &name)]));
                }
                Err(e) => {
                    errors.set(vec![describe(s, &e)]);
                    status.say(s.f("stream_refused", &[("file", &name)]));
                }
            }
        });
    };
    let pending_removal = RwSignal::new(String::new());
    let (k, l) = (key.clone(), load.clone());
    let remove = Callback::new(move |()| {
        let (k, l, id) = (k.clone(), l.clone(), pending_removal.get_untracked());
        spawn_local(async move {
            match api::remove_stream(&k, &id).await {
                Ok(()) => {
                    status.say(s.f("stream_removed", &[("id", &id)]));
                    l();
                }
                Err(e) => status.failed(s, &e),
            }
        })
    });
    let question = Signal::derive(move || s.f("confirm_remove_stream", &[("id", &pending_removal.get())]));
    // A new stream: its id, then the designer on an empty draft.
    let new_id = RwSignal::new(String::new());
    let new_problem = RwSignal::new(None::<String>);
    let k = key.clone();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = new_id.get_untracked().trim().to_owned();
        let ok = !id.is_empty()
            && id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            new_problem.set(Some(s.t("stream_id_hint")));
            return;
        }
        let taken = streams.with_untracked(|l| l.iter().flatten().any(|st| st.id == id));
        if taken {
            new_problem.set(Some(s.t("stream_id_taken")));
            return;
        }
        let _ = window().location().set_hash(&Route::Designer(k.clone(), id).href());
    };
    let key3 = key.clone();
    view! {
        <h1>{s.f("streams_of", &[("site", &key)])}</h1>
        <p class="links"><a href=Route::Site(key.clone()).href()>{s.t("back_to_site")}</a></p>
        {move || match streams.get() {
            None => view! { <p>{s.t("loading")}</p> }.into_any(),
            Some(list) if list.is_empty() => view! { <p data-testid="no-streams">{s.t("no_streams")}</p> }.into_any(),
            Some(list) => view! {
                <div class="table-wrap">
                <table class="list" data-testid="streams">
                    <caption class="sr-only">{s.t("nav_streams")}</caption>
                    <thead><tr>
                        <th scope="col">{s.t("stream_name")}</th><th scope="col">{s.t("priority")}</th><th scope="col">{s.t("targets")}</th>
                        <th scope="col">{s.t("version")}</th><th scope="col">{s.t("published_at")}</th><th scope="col">{s.t("cards")}</th><th scope="col">{s.t("actions")}</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|st| {
                            let id = st.id.clone();
                            let key2 = key3.clone();
                            let targets = if st.exclude.is_empty() { st.targets.join(", ") } else {
                                format!("{} ({} {})", st.targets.join(", "), s.t("except"), st.exclude.join(", "))
                            };
                            view! {
                                <tr>
                                    <td><a href=Route::Designer(key2.clone(), st.id.clone()).href() data-testid="open-designer">{st.name.clone()}</a>" "<code>{st.id.clone()}</code></td>
                                    <td>{st.priority}</td>
                                    <td>{targets}</td>
                                    <td>{st.version}</td>
                                    <td>{st.published_at.clone().unwrap_or_default()}</td>
                                    <td>{st.card_count}</td>
                                    <td><button type="button" class="danger" aria-label=s.f("remove_named", &[("name", &st.name)])
                                        on:click=move |_| { pending_removal.set(id.clone()); open_dialog("remove-stream") }>{s.t("remove")}</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            }.into_any(),
        }}
        <Confirm id="remove-stream" question yes=s.t("remove") strings=s on_yes=remove />
        <section class="card" aria-labelledby="new-stream-title">
            <h2 id="new-stream-title">{s.t("new_stream")}</h2>
            <form on:submit=create novalidate class="inline" data-testid="new-stream">
                <super::Field id="new-stream-id" label=s.t("stream_id") hint=s.t("stream_id_hint") value=new_id error=Signal::derive(move || new_problem.get()) />
                <button type="submit">{s.t("design_stream")}</button>
            </form>
        </section>
        <section class="card" aria-labelledby="upload-title">
            <h2 id="upload-title">{s.t("upload_stream")}</h2>
            <p>{s.t("upload_stream_hint")}</p>
            <form on:submit=upload novalidate data-testid="upload-stream">
                <div class="field">
                    <label for="stream-file">{s.t("stream_file")}</label>
                    <input id="stream-file" type="file" accept=".toml,text/plain" aria-describedby="stream-errors" />
                </div>
                <button type="submit" data-testid="publish">{s.t("publish")}</button>
            </form>
            <div id="stream-errors">
                <Show when=move || !errors.get().is_empty()>
                    <h3>{s.t("stream_errors")}</h3>
                    <ul class="field-error" data-testid="stream-errors">{move || errors.get().into_iter().map(|e| view! { <li><code>{e}</code></li> }).collect_view()}</ul>
                </Show>
                <Show when=move || !warnings.get().is_empty()>
                    <h3>{s.t("stream_warnings")}</h3>
                    <ul>{move || warnings.get().into_iter().map(|e| view! { <li><code>{e}</code></li> }).collect_view()}</ul>
                </Show>
            </div>
        </section>
    }
}
