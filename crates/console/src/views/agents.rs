//! Agents: who is online, available and how many chats each has; adding
//! one by invitation link or temporary password; editing, resetting,
//! removing; each one's weekly schedule.

use leptos::prelude::*;
use leptos::task::spawn_local;
use switchboard_protocol::admin::{AgentPassword, AgentView, PasswordReset};
use switchboard_protocol::auth::Role;

use super::{copy, open_dialog, problem, refused, Confirm, Field, OtherProblems, Status};
use crate::api;
use crate::i18n::Strings;
use crate::model::agents::{Access, AgentForm, BlockRow, NewAgentForm, ScheduleForm, DAYS};
use crate::model::errors::Problems;

/// The link an invited agent opens (the token rides in the fragment).
pub fn invite_link(origin: &str, token: &str) -> String {
    format!("{origin}/inbox/#invite={token}")
}

/// What to show once after adding an agent or resetting a password.
#[derive(Debug, Clone, PartialEq)]
enum Handover {
    /// Copy this link to the agent.
    Link(String, String),
    /// Hand this password over.
    Password(String, String),
}

fn handover(s: Strings, a: &AgentPassword) -> Option<Handover> {
    let origin = super::sites::server_origin();
    let name = a.agent.profile.name.clone();
    match (&a.invite_token, &a.password) {
        (Some(t), _) => Some(Handover::Link(s.f("invite_for", &[("name", &name)]), invite_link(&origin, t))),
        (None, Some(p)) => Some(Handover::Password(s.f("password_for", &[("name", &name)]), p.clone())),
        _ => None,
    }
}

/// Every agent and the new-agent form.
#[component]
pub fn AgentList(
    /// UI strings.
    strings: Strings,
    /// Where the console says what happened.
    status: Status,
    /// The signed-in admin's email (they cannot demote or remove themselves).
    me: String,
) -> impl IntoView {
    let s = strings;
    let agents = RwSignal::new(None::<Vec<AgentView>>);
    let load = move || {
        spawn_local(async move {
            match api::agents().await {
                Ok(list) => agents.set(Some(list)),
                Err(e) => status.failed(s, &e),
            }
        })
    };
    load();
    let shown = RwSignal::new(None::<Handover>);
    let editing = RwSignal::new(None::<AgentView>);
    // New agent.
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Agent);
    let access = RwSignal::new(Access::Invite);
    let password = RwSignal::new(String::new());
    let problems = RwSignal::new(Problems::none());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = NewAgentForm {
            name: name.get_untracked(),
            email: email.get_untracked(),
            role: role.get_untracked(),
            access: access.get_untracked(),
            password: password.get_untracked(),
        }
        .request();
        if let Err(e) = request.check() {
            problems.set(e.into());
            status.say(s.t("fix_fields"));
            return;
        }
        problems.set(Problems::none());
        spawn_local(async move {
            match api::add_agent(&request).await {
                Ok(created) => {
                    status.say(s.f("agent_added", &[("name", &created.agent.profile.name)]));
                    shown.set(handover(s, &created));
                    name.set(String::new());
                    email.set(String::new());
                    password.set(String::new());
                    load();
                }
                Err(e) => refused(s, status, problems, e),
            }
        });
    };
    let yes_no = move |b: bool| if b { s.t("yes") } else { s.t("no") };
    view! {
        <h1>{s.t("nav_agents")}</h1>
        <HandoverBox strings=s status shown />
        {move || match agents.get() {
            None => view! { <p>{s.t("loading")}</p> }.into_any(),
            Some(list) => view! {
                <div class="table-wrap">
                <table class="list" data-testid="agents">
                    <caption class="sr-only">{s.t("nav_agents")}</caption>
                    <thead><tr>
                        <th scope="col">{s.t("agent_name")}</th><th scope="col">{s.t("email")}</th><th scope="col">{s.t("role")}</th>
                        <th scope="col">{s.t("online")}</th><th scope="col">{s.t("available_now")}</th><th scope="col">{s.t("open_chats")}</th>
                        <th scope="col">{s.t("actions")}</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|a| {
                            let edit = a.clone();
                            view! {
                                <tr>
                                    <td>{a.profile.name.clone()}</td>
                                    <td>{a.profile.email.clone()}</td>
                                    <td>{s.t(if a.profile.role == Role::Admin { "role_admin" } else { "role_agent" })}</td>
                                    <td>{if a.status.invited { s.t("invited") } else { yes_no(a.status.online) }}</td>
                                    <td>{match a.status.missed_offers {
                                        Some(n) if !a.status.available => s.f("away_missed", &[("n", &n.to_string())]),
                                        _ => yes_no(a.status.available),
                                    }}</td>
                                    <td>{format!("{} / {}", a.status.open_chats, a.status.capacity)}</td>
                                    <td><button type="button" class="secondary" aria-label=s.f("edit_named", &[("name", &a.profile.name)])
                                        on:click=move |_| editing.set(Some(edit.clone()))>{s.t("edit")}</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            }.into_any(),
        }}
        {move || editing.get().map(|a| view! { <AgentEditor strings=s status agent=a me=me.clone() shown on_done=Callback::new(move |()| { editing.set(None); load(); }) /> })}
        <section class="card" aria-labelledby="new-agent-title">
            <h2 id="new-agent-title">{s.t("new_agent")}</h2>
            <form on:submit=add novalidate data-testid="new-agent">
                <Field id="agent-name" label=s.t("agent_name") value=name error=problem(problems, "name") />
                <Field id="agent-email" label=s.t("email") kind="email" value=email error=problem(problems, "email") />
                <div class="field">
                    <label for="agent-role">{s.t("role")}</label>
                    <select id="agent-role" on:change=move |ev| role.set(if event_target_value(&ev) == "admin" { Role::Admin } else { Role::Agent })>
                        <option value="agent" selected=move || role.get() == Role::Agent>{s.t("role_agent")}</option>
                        <option value="admin" selected=move || role.get() == Role::Admin>{s.t("role_admin")}</option>
                    </select>
                </div>
                <fieldset>
                    <legend>{s.t("access")}</legend>
                    <label class="check"><input type="radio" name="access" value="invite" prop:checked=move || access.get() == Access::Invite
                        on:change=move |_| access.set(Access::Invite) />{s.t("access_invite")}</label>
                    <label class="check"><input type="radio" name="access" value="password" prop:checked=move || access.get() == Access::Password
                        on:change=move |_| access.set(Access::Password) />{s.t("access_password")}</label>
                </fieldset>
                <Show when=move || access.get() == Access::Password>
                    <Field id="agent-password" label=s.t("temporary_password") hint=s.t("temporary_password_hint") kind="password" autocomplete="new-password" value=password error=problem(problems, "password") />
                </Show>
                <OtherProblems problems known=&["name", "email", "password", "role", "invite"] />
                <button type="submit">{s.t("add_agent")}</button>
            </form>
        </section>
    }
}

/// The link or password to hand over, shown once.
#[component]
fn HandoverBox(strings: Strings, status: Status, shown: RwSignal<Option<Handover>>) -> impl IntoView {
    let s = strings;
    move || {
        shown.get().map(|h| {
            let (title, value, is_link) = match h {
                Handover::Link(t, v) => (t, v, true),
                Handover::Password(t, v) => (t, v, false),
            };
            let v2 = value.clone();
            view! {
                <section class="card handover" aria-labelledby="handover-title" data-testid="handover">
                    <h2 id="handover-title">{title}</h2>
                    <p>{s.t(if is_link { "invite_hint" } else { "password_hint" })}</p>
                    <pre class="code" data-testid="handover-value">{value}</pre>
                    <button type="button" on:click=move |_| copy(s, status, v2.clone())>{s.t("copy")}</button>
                    " "
                    <button type="button" class="secondary" on:click=move |_| shown.set(None)>{s.t("done")}</button>
                </section>
            }
        })
    }
}

/// One agent's settings, password and schedule.
#[component]
fn AgentEditor(
    strings: Strings,
    status: Status,
    agent: AgentView,
    me: String,
    shown: RwSignal<Option<Handover>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let s = strings;
    let email = agent.profile.email.clone();
    let f = AgentForm::of(&agent);
    let name = RwSignal::new(f.name);
    let login = RwSignal::new(f.email);
    let email_was = f.email_was;
    let role = RwSignal::new(f.role);
    let avatar = RwSignal::new(f.avatar_url);
    let live_chat = RwSignal::new(f.live_chat);
    let capacity = RwSignal::new(f.capacity);
    let capacity_was = f.capacity_was;
    let problems = RwSignal::new(Problems::none());
    let is_me = me == email;
    let e = email.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = AgentForm {
            name: name.get_untracked(),
            email: login.get_untracked(),
            email_was: email_was.clone(),
            role: role.get_untracked(),
            avatar_url: avatar.get_untracked(),
            live_chat: live_chat.get_untracked(),
            capacity: capacity.get_untracked(),
            capacity_was: capacity_was.clone(),
        };
        let change = form.change();
        // Changing one's own login email ends one's own sessions too.
        let signs_me_out = is_me && form.changes_email();
        if let Err(err) = change.check() {
            problems.set(err.into());
            status.say(s.t("fix_fields"));
            return;
        }
        let e = e.clone();
        spawn_local(async move {
            match api::update_agent(&e, &change).await {
                Ok(_) if signs_me_out => {
                    let _ = window().location().reload();
                }
                Ok(_) => {
                    status.say(s.t("saved"));
                    on_done.run(());
                }
                Err(err) => refused(s, status, problems, err),
            }
        });
    };
    let e = email.clone();
    let reset = move |_| {
        let e = e.clone();
        spawn_local(async move {
            match api::reset_password(&e, &PasswordReset::default()).await {
                Ok(p) => {
                    shown.set(handover(s, &p));
                    status.say(s.t("password_reset"));
                }
                Err(err) => status.failed(s, &err),
            }
        });
    };
    let e = email.clone();
    let reinvite = move |_| {
        let e = e.clone();
        spawn_local(async move {
            match api::invite_again(&e).await {
                Ok(p) => {
                    shown.set(handover(s, &p));
                    status.say(s.t("invite_made"));
                }
                Err(err) => status.failed(s, &err),
            }
        });
    };
    let e = email.clone();
    let remove = Callback::new(move |()| {
        let e = e.clone();
        spawn_local(async move {
            match api::remove_agent(&e).await {
                Ok(()) => {
                    status.say(s.t("agent_removed"));
                    on_done.run(());
                }
                Err(err) => status.failed(s, &err),
            }
        })
    });
    let question = Signal::derive(move || s.f("confirm_remove_agent", &[("name", &name.get())]));
    view! {
        <section class="card" aria-labelledby="edit-agent-title" data-testid="agent-editor">
            <h2 id="edit-agent-title" tabindex="-1" autofocus>{s.f("editing", &[("name", &agent.profile.name)])}</h2>
            <form on:submit=save novalidate>
                <Field id="edit-name" label=s.t("agent_name") value=name error=problem(problems, "name") />
                <Field id="edit-email" label=s.t("email") hint=s.t("edit_email_hint") kind="email" value=login error=problem(problems, "email") />
                <div class="field">
                    <label for="edit-role">{s.t("role")}</label>
                    <select id="edit-role" disabled=is_me on:change=move |ev| role.set(if event_target_value(&ev) == "admin" { Role::Admin } else { Role::Agent })>
                        <option value="agent" selected=move || role.get() == Role::Agent>{s.t("role_agent")}</option>
                        <option value="admin" selected=move || role.get() == Role::Admin>{s.t("role_admin")}</option>
                    </select>
                </div>
                <Field id="edit-avatar" label=s.t("avatar_url") kind="url" value=avatar error=problem(problems, "avatar_url") />
                <label class="check"><input type="checkbox" prop:checked=move || live_chat.get() on:change=move |ev| live_chat.set(event_target_checked(&ev)) />{s.t("live_chat_permission")}</label>
                <Field id="edit-capacity" label=s.t("capacity") hint=s.t("capacity_hint") kind="number" value=capacity error=problem(problems, "capacity") />
                <OtherProblems problems known=&["name", "email", "avatar_url", "capacity"] />
                <div class="actions">
                    <button type="submit">{s.t("save")}</button>
                    <button type="button" class="secondary" on:click=move |_| on_done.run(())>{s.t("close")}</button>
                </div>
            </form>
            <h3>{s.t("access")}</h3>
            <div class="actions">
                <button type="button" class="secondary" on:click=reinvite>{s.t("new_invite")}</button>
                <button type="button" class="secondary" on:click=reset>{s.t("reset_password")}</button>
                <Show when=move || !is_me>
                    <button type="button" class="danger" on:click=move |_| open_dialog("remove-agent")>{s.t("remove_agent")}</button>
                </Show>
            </div>
            <Confirm id="remove-agent" question yes=s.t("remove") strings=s on_yes=remove />
            <ScheduleEditor strings=s status email=email.clone() schedule=ScheduleForm::of(agent.schedule.as_ref(), &browser_zone()) />
        </section>
    }
}

/// The browser's IANA time zone (UTC when unknown).
fn browser_zone() -> String {
    let options =
        js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()
        .and_then(|z| z.as_string())
        .unwrap_or_else(|| "UTC".into())
}

/// The weekly schedule: a time zone and blocks of days and hours.
#[component]
fn ScheduleEditor(strings: Strings, status: Status, email: String, schedule: ScheduleForm) -> impl IntoView {
    let s = strings;
    let enabled = RwSignal::new(schedule.enabled);
    let zone = RwSignal::new(schedule.time_zone);
    let blocks = RwSignal::new(schedule.blocks);
    let problems = RwSignal::new(Problems::none());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = ScheduleForm {
            enabled: enabled.get_untracked(),
            time_zone: zone.get_untracked(),
            blocks: blocks.get_untracked(),
        };
        let email = email.clone();
        spawn_local(async move {
            match api::set_schedule(&email, &form.schedule()).await {
                Ok(()) => {
                    problems.set(Problems::none());
                    status.say(s.t("saved"));
                }
                Err(e) => refused(s, status, problems, e),
            }
        });
    };
    let row = move |i: usize| {
        let day_boxes = DAYS.iter().enumerate().map(|(d, day)| {
            view! {
                <label class="day"><input type="checkbox"
                    prop:checked=move || blocks.with(|b| b.get(i).is_some_and(|r| r.days[d]))
                    on:change=move |ev| blocks.update(|b| if let Some(r) = b.get_mut(i) { r.days[d] = event_target_checked(&ev) }) />
                    {s.t(&format!("day_{day}"))}</label>
            }
        }).collect_view();
        view! {
            <fieldset class="block" data-testid="schedule-block">
                <legend>{s.f("block_n", &[("n", &(i + 1).to_string())])}</legend>
                <div class="days">{day_boxes}</div>
                <label>{s.t("from")}" "<input type="text" inputmode="numeric" size="5" placeholder="09:00" prop:value=move || blocks.with(|b| b.get(i).map(|r| r.from.clone()).unwrap_or_default())
                    on:input=move |ev| blocks.update(|b| if let Some(r) = b.get_mut(i) { r.from = event_target_value(&ev) }) /></label>
                " "
                <label>{s.t("to")}" "<input type="text" inputmode="numeric" size="5" placeholder="24:00" prop:value=move || blocks.with(|b| b.get(i).map(|r| r.to.clone()).unwrap_or_default())
                    on:input=move |ev| blocks.update(|b| if let Some(r) = b.get_mut(i) { r.to = event_target_value(&ev) }) /></label>
                " "
                <button type="button" class="secondary" on:click=move |_| blocks.update(|b| { if i < b.len() { b.remove(i); } })>{s.t("remove_block")}</button>
            </fieldset>
        }
    };
    view! {
        <form on:submit=save novalidate class="schedule" data-testid="schedule">
            <h3>{s.t("schedule")}</h3>
            <label class="check"><input type="checkbox" prop:checked=move || enabled.get() on:change=move |ev| enabled.set(event_target_checked(&ev)) />{s.t("schedule_on")}</label>
            <Show when=move || enabled.get()>
                <Field id="schedule-zone" label=s.t("time_zone") hint="Europe/Amsterdam" value=zone error=problem(problems, "time_zone") />
                {move || (0..blocks.with(Vec::len)).map(row).collect_view()}
                <button type="button" class="secondary" on:click=move |_| blocks.update(|b| b.push(BlockRow::default()))>{s.t("add_block")}</button>
            </Show>
            <OtherProblems problems known=&["time_zone"] />
            <div class="actions"><button type="submit">{s.t("save_schedule")}</button></div>
        </form>
    }
}
