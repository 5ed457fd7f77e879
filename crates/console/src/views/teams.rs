//! Teams and their members.

use leptos::prelude::*;
use leptos::task::spawn_local;
use switchboard_protocol::admin::{AgentView, NewTeam, TeamChange, TeamView};

use super::{open_dialog, problem, refused, Confirm, Field, OtherProblems, Status};
use crate::api;
use crate::i18n::Strings;
use crate::model::errors::Problems;

/// Every team, each editable, and a form to add one.
#[component]
pub fn TeamList(
    /// UI strings.
    strings: Strings,
    /// Where the console says what happened.
    status: Status,
) -> impl IntoView {
    let s = strings;
    let teams = RwSignal::new(None::<Vec<TeamView>>);
    let agents = RwSignal::new(Vec::<AgentView>::new());
    let load = move || {
        spawn_local(async move {
            match (api::teams().await, api::agents().await) {
                (Ok(t), Ok(a)) => {
                    agents.set(a);
                    teams.set(Some(t));
                }
                (Err(e), _) | (_, Err(e)) => status.failed(s, &e),
            }
        })
    };
    load();
    let name = RwSignal::new(String::new());
    let problems = RwSignal::new(Problems::none());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = NewTeam { name: name.get_untracked().trim().to_owned(), members: Vec::new() };
        if let Err(e) = request.check() {
            problems.set(e.into());
            return;
        }
        problems.set(Problems::none());
        spawn_local(async move {
            match api::add_team(&request).await {
                Ok(t) => {
                    status.say(s.f("team_added", &[("name", &t.name)]));
                    name.set(String::new());
                    load();
                }
                Err(e) => refused(s, status, problems, e),
            }
        });
    };
    view! {
        <h1>{s.t("nav_teams")}</h1>
        {move || match teams.get() {
            None => view! { <p>{s.t("loading")}</p> }.into_any(),
            Some(list) if list.is_empty() => view! { <p>{s.t("no_teams")}</p> }.into_any(),
            Some(list) => list.into_iter().map(|t| view! { <TeamCard strings=s status team=t agents on_change=Callback::new(move |()| load()) /> }).collect_view().into_any(),
        }}
        <section class="card" aria-labelledby="new-team-title">
            <h2 id="new-team-title">{s.t("new_team")}</h2>
            <form on:submit=add novalidate data-testid="new-team">
                <Field id="team-name" label=s.t("team_name") value=name error=problem(problems, "name") />
                <OtherProblems problems known=&["name"] />
                <button type="submit">{s.t("add_team")}</button>
            </form>
        </section>
    }
}

/// One team: its name and members (checkboxes of every agent).
#[component]
fn TeamCard(
    strings: Strings,
    status: Status,
    team: TeamView,
    agents: RwSignal<Vec<AgentView>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let s = strings;
    let original = team.name.clone();
    let name = RwSignal::new(team.name.clone());
    let members = RwSignal::new(team.members.clone());
    let problems = RwSignal::new(Problems::none());
    let id = team.id;
    let o = original.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let change = TeamChange {
            name: Some(name.get_untracked().trim().to_owned()),
            members: Some(members.get_untracked()),
        };
        if let Err(e) = change.check() {
            problems.set(e.into());
            return;
        }
        let o = o.clone();
        spawn_local(async move {
            match api::update_team(&o, &change).await {
                Ok(_) => {
                    status.say(s.t("saved"));
                    on_change.run(());
                }
                Err(e) => refused(s, status, problems, e),
            }
        });
    };
    let o = original.clone();
    let remove = Callback::new(move |()| {
        let o = o.clone();
        spawn_local(async move {
            match api::remove_team(&o).await {
                Ok(()) => {
                    status.say(s.t("team_removed"));
                    on_change.run(());
                }
                Err(e) => status.failed(s, &e),
            }
        })
    });
    let dialog = format!("remove-team-{id}");
    let d = dialog.clone();
    let question = Signal::derive(move || s.f("confirm_remove_team", &[("name", &name.get())]));
    view! {
        <section class="card" aria-labelledby=format!("team-{id}") data-testid="team">
            <h2 id=format!("team-{id}")>{original.clone()}</h2>
            <form on:submit=save novalidate>
                <Field id=format!("team-{id}-name") label=s.t("team_name") value=name error=problem(problems, "name") />
                <fieldset>
                    <legend>{s.t("members")}</legend>
                    {move || agents.get().into_iter().map(|a| {
                        let email = a.profile.email.clone();
                        let e2 = email.clone();
                        view! {
                            <label class="check"><input type="checkbox"
                                prop:checked=move || members.with(|m| m.contains(&email))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    members.update(|m| { m.retain(|x| *x != e2); if on { m.push(e2.clone()); } });
                                } />{format!("{} ({})", a.profile.name, a.profile.email)}</label>
                        }
                    }).collect_view()}
                </fieldset>
                <OtherProblems problems known=&["name"] />
                <div class="actions">
                    <button type="submit">{s.t("save")}</button>
                    <button type="button" class="danger" on:click=move |_| open_dialog(&d)>{s.t("remove_team")}</button>
                </div>
            </form>
            <Confirm id=dialog question yes=s.t("remove") strings=s on_yes=remove />
        </section>
    }
}
