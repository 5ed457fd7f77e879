//! The shared canned responses: for every agent, or only on one site's
//! conversations, or only for one team's members. (Agents keep their own
//! in the inbox.)

use leptos::prelude::*;
use leptos::task::spawn_local;
use switchboard_protocol::admin::{CannedRequest, CannedView, SiteView, TeamView};

use super::{open_dialog, problem, refused, Confirm, Field, OtherProblems, Status};
use crate::api;
use crate::i18n::Strings;
use crate::model::errors::Problems;

const FIELDS: &[&str] = &["shortcut", "text", "site", "team"];

/// Every shared response, each editable, and a form to add one.
#[component]
pub fn CannedList(
    /// UI strings.
    strings: Strings,
    /// Where the console says what happened.
    status: Status,
) -> impl IntoView {
    let s = strings;
    let list = RwSignal::new(None::<Vec<CannedView>>);
    let sites = RwSignal::new(Vec::<SiteView>::new());
    let teams = RwSignal::new(Vec::<TeamView>::new());
    let load = move || {
        spawn_local(async move {
            match (api::canned().await, api::sites().await, api::teams().await) {
                (Ok(c), Ok(si), Ok(t)) => {
                    sites.set(si);
                    teams.set(t);
                    list.set(Some(c));
                }
                (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => status.failed(s, &e),
            }
        })
    };
    load();
    let reload = Callback::new(move |()| load());
    view! {
        <h1>{s.t("nav_canned")}</h1>
        <p class="hint-text">{s.t("canned_intro")}</p>
        {move || match list.get() {
            None => view! { <p>{s.t("loading")}</p> }.into_any(),
            Some(l) if l.is_empty() => view! { <p data-testid="no-canned">{s.t("no_canned")}</p> }.into_any(),
            Some(l) => l.into_iter().map(|c| view! {
                <CannedCard strings=s status sites teams existing=Some(c) on_change=reload />
            }).collect_view().into_any(),
        }}
        // Drawn anew with each list read, so an added response leaves an
        // empty form (selects included) behind.
        {move || {
            list.track();
            view! { <CannedCard strings=s status sites teams existing=None on_change=reload /> }
        }}
    }
}

/// One response's form: an existing one (Save, Remove) or a new one (Add).
#[component]
fn CannedCard(
    strings: Strings,
    status: Status,
    sites: RwSignal<Vec<SiteView>>,
    teams: RwSignal<Vec<TeamView>>,
    existing: Option<CannedView>,
    on_change: Callback<()>,
) -> impl IntoView {
    let s = strings;
    let id = existing.as_ref().map(|c| c.id);
    let key = id.map_or_else(|| "new".to_owned(), |i| i.to_string());
    let shortcut = RwSignal::new(existing.as_ref().map(|c| c.shortcut.clone()).unwrap_or_default());
    let text = RwSignal::new(existing.as_ref().map(|c| c.text.clone()).unwrap_or_default());
    let site = RwSignal::new(existing.as_ref().and_then(|c| c.site.clone()).unwrap_or_default());
    let team = RwSignal::new(existing.as_ref().and_then(|c| c.team.clone()).unwrap_or_default());
    let problems = RwSignal::new(Problems::none());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let some = |v: String| (!v.trim().is_empty()).then_some(v);
        let request = CannedRequest {
            shortcut: shortcut.get_untracked(),
            text: text.get_untracked(),
            site: some(site.get_untracked()),
            team: some(team.get_untracked()),
        };
        if let Err(e) = request.check() {
            problems.set(e.into());
            return;
        }
        problems.set(Problems::none());
        spawn_local(async move {
            match api::save_canned(id, &request).await {
                Ok(c) => {
                    status.say(s.f("canned_saved", &[("shortcut", &c.shortcut)]));
                    if id.is_none() {
                        shortcut.set(String::new());
                        text.set(String::new());
                        site.set(String::new());
                        team.set(String::new());
                    }
                    on_change.run(());
                }
                Err(e) => refused(s, status, problems, e),
            }
        });
    };
    let remove = Callback::new(move |()| {
        let Some(id) = id else { return };
        spawn_local(async move {
            match api::remove_canned(id).await {
                Ok(()) => {
                    status.say(s.t("canned_removed"));
                    on_change.run(());
                }
                Err(e) => status.failed(s, &e),
            }
        })
    });
    let (title_id, labelled_by) = (format!("canned-{key}-title"), format!("canned-{key}-title"));
    let title = match &existing {
        Some(c) => format!("/{}", c.shortcut),
        None => s.t("new_canned"),
    };
    let dialog = format!("remove-canned-{key}");
    let d = dialog.clone();
    let question = Signal::derive(move || s.f("confirm_remove_canned", &[("shortcut", &shortcut.get())]));
    let (site_id, team_id) = (format!("canned-{key}-site"), format!("canned-{key}-team"));
    let (site_err, team_err) = (format!("{site_id}-error"), format!("{team_id}-error"));
    let testid = if id.is_some() { "canned" } else { "new-canned" };
    view! {
        <section class="card" aria-labelledby=labelled_by data-testid=testid>
            <h2 id=title_id>{title}</h2>
            <form on:submit=save novalidate>
                <Field id=format!("canned-{key}-shortcut") label=s.t("canned_shortcut") value=shortcut
                    hint=s.t("canned_shortcut_hint") error=problem(problems, "shortcut") />
                <Field id=format!("canned-{key}-text") label=s.t("canned_text") value=text rows=3
                    hint=s.t("canned_text_hint") error=problem(problems, "text") />
                <div class="field">
                    <label for=site_id.clone()>{s.t("canned_site")}</label>
                    <select id=site_id aria-describedby=site_err.clone()
                        aria-invalid=move || problems.with(|p| p.of("site").is_some()).to_string()
                        on:change=move |ev| site.set(event_target_value(&ev))>
                        <option value="" selected=move || site.with(String::is_empty)>{s.t("canned_every_site")}</option>
                        {move || sites.get().into_iter().map(|v| {
                            let k = v.key.as_str().to_owned();
                            let (value, k2, label) = (k.clone(), k.clone(), format!("{} ({})", v.name, k));
                            view! { <option value=value selected=move || site.with(|s| *s == k2)>{label}</option> }
                        }).collect_view()}
                    </select>
                    <span class="field-error" id=site_err>{problem(problems, "site")}</span>
                </div>
                <div class="field">
                    <label for=team_id.clone()>{s.t("canned_team")}</label>
                    <select id=team_id aria-describedby=team_err.clone()
                        aria-invalid=move || problems.with(|p| p.of("team").is_some()).to_string()
                        on:change=move |ev| team.set(event_target_value(&ev))>
                        <option value="" selected=move || team.with(String::is_empty)>{s.t("canned_every_agent")}</option>
                        {move || teams.get().into_iter().map(|t| {
                            let (value, n2, label) = (t.name.clone(), t.name.clone(), t.name);
                            view! { <option value=value selected=move || team.with(|x| x.eq_ignore_ascii_case(&n2))>{label}</option> }
                        }).collect_view()}
                    </select>
                    <span class="field-error" id=team_err>{problem(problems, "team")}</span>
                </div>
                <OtherProblems problems known=FIELDS />
                <div class="actions">
                    <button type="submit">{if id.is_some() { s.t("save") } else { s.t("add_canned") }}</button>
                    {id.is_some().then(|| view! {
                        <button type="button" class="danger" on:click=move |_| open_dialog(&d)>{s.t("remove")}</button>
                    })}
                </div>
            </form>
            {id.is_some().then(|| view! { <Confirm id=dialog question yes=s.t("remove") strings=s on_yes=remove /> })}
        </section>
    }
}
