//! A site's routing: its custom rules (ordered, edited with the protocol's
//! own check as the admin types), its account routes (with CSV download and
//! upload), and "try it": which agent would get a visitor now, and why.

use leptos::prelude::*;
use leptos::task::spawn_local;
use switchboard_protocol::admin::{
    AccountRouteView, AgentView, NewAccountRoute, RoutingTry, RoutingTryView, TeamView,
};
use switchboard_protocol::rules::{Combine, RoutingRule};
use switchboard_protocol::stream::Routing;

use super::{download, open_dialog, problem, read_file, refused, Confirm, Field, OtherProblems, Status};
use crate::api;
use crate::i18n::Strings;
use crate::model::errors::Problems;
use crate::model::route::Route;
use crate::model::rules::{
    fields, in_order, op_name, op_named, reorder, try_details, ConditionRow, RuleForm, TargetForm, OPS,
};

/// The routing page of site `key`.
#[component]
pub fn RoutingPage(
    /// UI strings.
    strings: Strings,
    /// Where the console says what happened.
    status: Status,
    /// The site's key.
    key: String,
) -> impl IntoView {
    let s = strings;
    let rules = RwSignal::new(None::<Vec<RoutingRule>>);
    let agents = RwSignal::new(Vec::<AgentView>::new());
    let teams = RwSignal::new(Vec::<TeamView>::new());
    let editing = RwSignal::new(None::<RuleForm>);
    let k = key.clone();
    let load = move || {
        let k = k.clone();
        spawn_local(async move {
            match api::rules(&k).await {
                Ok(r) => rules.set(Some(in_order(&r))),
                Err(e) => status.failed(s, &e),
            }
        })
    };
    load();
    spawn_local(async move {
        if let Ok(a) = api::agents().await {
            agents.set(a);
        }
        if let Ok(t) = api::teams().await {
            teams.set(t);
        }
    });
    let k = key.clone();
    let l = load.clone();
    let mover = move |name: String, up: bool| {
        let Some(order) = rules.with_untracked(|r| r.as_ref().and_then(|r| reorder(r, &name, up))) else {
            return;
        };
        let (k, l) = (k.clone(), l.clone());
        spawn_local(async move {
            match api::order_rules(&k, order).await {
                Ok(()) => {
                    status.say(s.f("rule_moved", &[("name", &name)]));
                    l();
                }
                Err(e) => status.failed(s, &e),
            }
        });
    };
    let l = load.clone();
    let on_saved = Callback::new(move |()| {
        editing.set(None);
        l();
    });
    let k2 = key.clone();
    view! {
        <h1>{s.f("routing_of", &[("site", &key)])}</h1>
        <p class="links"><a href=Route::Site(key.clone()).href()>{s.t("back_to_site")}</a></p>
        <section class="card" aria-labelledby="rules-title">
            <h2 id="rules-title">{s.t("rules")}</h2>
            <p>{s.t("rules_hint")}</p>
            {move || match rules.get() {
                None => view! { <p>{s.t("loading")}</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p>{s.t("no_rules")}</p> }.into_any(),
                Some(list) => {
                    let n = list.len();
                    view! {
                        <ol class="rules" data-testid="rules">
                            {list.into_iter().enumerate().map(|(i, r)| {
                                let (up, down, edit) = (r.name.clone(), r.name.clone(), r.clone());
                                let mover = mover.clone();
                                let mover2 = mover.clone();
                                view! {
                                    <li>
                                        <span class="rule-name">{r.name.clone()}</span>
                                        " "<span class="muted">{describe_rule(s, &r)}</span>
                                        {(!r.description.is_empty()).then(|| view! { <p class="rule-description">{r.description.clone()}</p> })}
                                        <span class="actions">
                                            <button type="button" class="secondary" disabled=i == 0 aria-label=s.f("move_up", &[("name", &r.name)])
                                                on:click=move |_| mover(up.clone(), true)>"↑"</button>
                                            <button type="button" class="secondary" disabled=i + 1 == n aria-label=s.f("move_down", &[("name", &r.name)])
                                                on:click=move |_| mover2(down.clone(), false)>"↓"</button>
                                            <button type="button" class="secondary" aria-label=s.f("edit_named", &[("name", &r.name)])
                                                on:click=move |_| editing.set(Some(RuleForm::of(&edit)))>{s.t("edit")}</button>
                                        </span>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }
            }}
            <button type="button" on:click=move |_| editing.set(Some(RuleForm::new_rule(&rules.get_untracked().unwrap_or_default()))) data-testid="new-rule">{s.t("new_rule")}</button>
            {move || editing.get().map(|f| {
                let existing = rules.with_untracked(|r| r.iter().flatten().map(|r| r.name.clone()).collect());
                view! { <RuleEditor strings=s status key=k2.clone() form=f agents teams on_saved existing /> }
            })}
        </section>
        <AccountRoutes strings=s status key=key.clone() agents />
        <TryIt strings=s status key=key.clone() agents teams />
    }
}

/// A rule in a few words: its conditions and whom it routes to.
fn describe_rule(s: Strings, r: &RoutingRule) -> String {
    let joiner = if r.combine == Combine::Any { s.t("or") } else { s.t("and") };
    let conditions: Vec<String> = r
        .conditions
        .iter()
        .map(|c| format!("{} {} {}", c.field, s.t(&format!("op_{}", op_name(c.op))), c.values.join(", ")))
        .collect();
    let to = match &r.route_to {
        switchboard_protocol::rules::Target::Agents(a) => a.join(", "),
        switchboard_protocol::rules::Target::Team(t) => s.f("team_named", &[("name", t)]),
    };
    format!("{} → {}", conditions.join(&format!(" {joiner} ")), to)
}

/// The agents a rule can route to, as (email, label): every agent, and any
/// email the rule names that is no agent now (so it can be taken off).
fn agent_choices(agents: &[AgentView], target: &TargetForm) -> Vec<(String, String)> {
    let mut choices: Vec<(String, String)> = agents
        .iter()
        .map(|a| (a.profile.email.clone(), format!("{} ({})", a.profile.name, a.profile.email)))
        .collect();
    if let TargetForm::Agents(chosen) = target {
        for e in chosen {
            if !choices.iter().any(|(c, _)| c == e) {
                choices.push((e.clone(), e.clone()));
            }
        }
    }
    choices
}

/// The rule editor.
#[component]
pub fn RuleEditor(
    /// UI strings.
    strings: Strings,
    /// Where the console says what happened.
    status: Status,
    /// The site's key.
    key: String,
    /// The rule as the editor opens it.
    form: RuleForm,
    /// Every agent (to route to).
    agents: RwSignal<Vec<AgentView>>,
    /// Every team (to route to).
    teams: RwSignal<Vec<TeamView>>,
    /// Called once the rule is saved or removed.
    on_saved: Callback<()>,
    /// The names of the site's rules (a new name must not be one of them).
    #[prop(optional)]
    existing: Vec<String>,
) -> impl IntoView {
    let s = strings;
    let original = form.original.clone();
    let priority = form.priority;
    let name = RwSignal::new(form.name.clone());
    let description = RwSignal::new(form.description.clone());
    let combine = RwSignal::new(form.combine);
    let conditions = RwSignal::new(form.conditions.clone());
    let target = RwSignal::new(form.target.clone());
    let current = move || RuleForm {
        original: original.clone(),
        name: name.get(),
        description: description.get(),
        priority,
        combine: combine.get(),
        conditions: conditions.get(),
        target: target.get(),
    };
    let touched = RwSignal::new(false);
    let server_problems = RwSignal::new(Problems::none());
    // Validated as typed (once the admin has typed), with the protocol's check.
    let c2 = current.clone();
    let problems = RwSignal::new(Problems::none());
    Effect::new(move || {
        let local = Problems::from(c2().check());
        if touched.get() {
            problems.set(if local.is_empty() { server_problems.get() } else { local });
        }
    });
    let k = key.clone();
    let c3 = current.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let f = c3();
        let rule = match f.check() {
            Ok(r) => r,
            Err(e) => {
                problems.set(e.into());
                status.say(s.t("fix_fields"));
                return;
            }
        };
        // A new rule (or a renamed one) may not take another rule's name:
        // saving by name would silently replace it.
        let taken = existing.iter().any(|n| n.eq_ignore_ascii_case(&rule.name))
            && f.original.as_deref().is_none_or(|o| !o.eq_ignore_ascii_case(&rule.name));
        if taken {
            problems.set(Problems::from(switchboard_protocol::admin::InvalidRequest::field(
                "name",
                s.t("rule_name_taken"),
            )));
            status.say(s.t("fix_fields"));
            return;
        }
        let k = k.clone();
        let old = f.renames().map(str::to_owned);
        spawn_local(async move {
            let saved = match &old {
                Some(old) => api::replace_rule(&k, old, &rule).await,
                None => api::save_rule(&k, &rule).await,
            };
            match saved {
                Ok(()) => {
                    status.say(s.f("rule_saved", &[("name", &rule.name)]));
                    on_saved.run(());
                }
                Err(e) => refused(s, status, server_problems, e),
            }
        });
    };
    let k = key.clone();
    let o = form.original.clone();
    let remove = Callback::new(move |()| {
        let (k, o) = (k.clone(), o.clone());
        spawn_local(async move {
            let Some(o) = o else { return };
            match api::remove_rule(&k, &o).await {
                Ok(()) => {
                    status.say(s.t("rule_removed"));
                    on_saved.run(());
                }
                Err(e) => status.failed(s, &e),
            }
        })
    });
    let question = Signal::derive(move || s.f("confirm_remove_rule", &[("name", &name.get())]));
    let is_new = form.original.is_none();
    let condition_row = move |i: usize| {
        let get = move || conditions.with(|c| c.get(i).cloned().unwrap_or_default());
        let set = move |f: &dyn Fn(&mut ConditionRow)| {
            touched.set(true);
            conditions.update(|c| {
                if let Some(r) = c.get_mut(i) {
                    f(r)
                }
            });
        };
        let list_id = format!("fields-{i}");
        view! {
            <fieldset class="condition" data-testid="condition">
                <legend>{s.f("condition_n", &[("n", &(i + 1).to_string())])}</legend>
                <label>{s.t("field")}" "
                    <input list=list_id.clone() prop:value=move || get().field
                        on:input=move |ev| { let v = event_target_value(&ev); set(&|r| r.field = v.clone()) } />
                </label>
                <datalist id=list_id>{fields().into_iter().map(|f| view! { <option value=f></option> }).collect_view()}</datalist>
                " "
                <label>{s.t("operator")}" "
                    <select on:change=move |ev| { let v = op_named(&event_target_value(&ev)); set(&|r| r.op = v) }>
                        {OPS.iter().map(|(op, n)| { let op = *op; view! { <option value=*n selected=move || get().op == op>{s.t(&format!("op_{n}"))}</option> } }).collect_view()}
                    </select>
                </label>
                " "
                <label>{s.t("values")}" "
                    <input prop:value=move || get().values placeholder=s.t("values_hint")
                        on:input=move |ev| { let v = event_target_value(&ev); set(&|r| r.values = v.clone()) } />
                </label>
                " "
                <button type="button" class="secondary" aria-label=s.f("remove_condition_n", &[("n", &(i + 1).to_string())])
                    on:click=move |_| { touched.set(true); conditions.update(|c| { if i < c.len() { c.remove(i); } }) }>"✕"</button>
            </fieldset>
        }
    };
    view! {
        <form class="card editor" on:submit=save novalidate data-testid="rule-editor">
            <h3 tabindex="-1">{if is_new { s.t("new_rule") } else { s.t("edit_rule") }}</h3>
            <div on:input=move |_| touched.set(true)>
                <Field id="rule-name" label=s.t("rule_name") value=name error=problem(problems, "name") />
                <Field id="rule-description" label=s.t("rule_description") hint=s.t("rule_description_hint") rows=2
                    value=description error=problem(problems, "description") />
            </div>
            <fieldset>
                <legend>{s.t("combine")}</legend>
                <label class="check"><input type="radio" name="combine" prop:checked=move || combine.get() == Combine::All on:change=move |_| combine.set(Combine::All) />{s.t("combine_all")}</label>
                <label class="check"><input type="radio" name="combine" prop:checked=move || combine.get() == Combine::Any on:change=move |_| combine.set(Combine::Any) />{s.t("combine_any")}</label>
            </fieldset>
            {move || (0..conditions.with(Vec::len)).map(condition_row).collect_view()}
            <p class="field-error" id="rule-conditions-error">{move || problems.with(|p| p.of("conditions"))}</p>
            <button type="button" class="secondary" on:click=move |_| conditions.update(|c| c.push(ConditionRow::default()))>{s.t("add_condition")}</button>
            <fieldset data-testid="route-to" aria-describedby="rule-route-error">
                <legend>{s.t("route_to")}</legend>
                <label class="check"><input type="radio" name="route-kind" data-testid="route-kind-agents"
                    prop:checked=move || !target.with(TargetForm::is_team)
                    on:change=move |_| { touched.set(true); target.update(TargetForm::agents) } />{s.t("route_to_agents")}</label>
                <label class="check"><input type="radio" name="route-kind" data-testid="route-kind-team"
                    prop:checked=move || target.with(TargetForm::is_team)
                    on:change=move |_| { touched.set(true); target.update(TargetForm::team) } />{s.t("route_to_team")}</label>
                {move || if target.with(TargetForm::is_team) {
                    view! {
                        <label class="block">{s.t("team")}" "
                            <select data-testid="route-team" on:change=move |ev| { touched.set(true); let v = event_target_value(&ev); target.set(TargetForm::Team(v)) }>
                                <option value="" selected=move || target.get() == TargetForm::Team(String::new())>"—"</option>
                                {move || teams.get().into_iter().map(|t| {
                                    let n = t.name.clone();
                                    let n2 = n.clone();
                                    view! { <option value=n selected=move || target.get() == TargetForm::Team(n2.clone())>{t.name.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                    }.into_any()
                } else {
                    view! {
                        <div class="checks" role="group" aria-label=s.t("route_to_agents") data-testid="route-agents">
                            {move || agent_choices(&agents.get(), &target.get()).into_iter().map(|(email, label)| {
                                let (e1, e2) = (email.clone(), email.clone());
                                view! {
                                    <label class="check">
                                        <input type="checkbox" value=email prop:checked=move || target.with(|t| t.has_agent(&e1))
                                            on:change=move |ev| { touched.set(true); let on = event_target_checked(&ev); target.update(|t| t.set_agent(&e2, on)) } />
                                        {label}
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                        <p class="hint-text">{s.t("route_to_agents_hint")}</p>
                    }.into_any()
                }}
                <p class="field-error" id="rule-route-error">{move || problems.with(|p| p.of("route_to"))}</p>
            </fieldset>
            <OtherProblems problems known=&["name", "description", "conditions", "route_to"] />
            <div class="actions">
                <button type="submit" data-testid="save-rule">{s.t("save_rule")}</button>
                {(!is_new).then(|| view! { <button type="button" class="danger" on:click=move |_| open_dialog("remove-rule")>{s.t("remove_rule")}</button> })}
            </div>
            <Confirm id="remove-rule" question yes=s.t("remove") strings=s on_yes=remove />
        </form>
    }
}

/// Account routes: email domains that go to one agent first; CSV both ways.
#[component]
fn AccountRoutes(
    strings: Strings,
    status: Status,
    key: String,
    agents: RwSignal<Vec<AgentView>>,
) -> impl IntoView {
    let s = strings;
    let routes = RwSignal::new(Vec::<AccountRouteView>::new());
    let k = key.clone();
    let load = move || {
        let k = k.clone();
        spawn_local(async move {
            match api::account_routes(&k).await {
                Ok(r) => routes.set(r),
                Err(e) => status.failed(s, &e),
            }
        })
    };
    load();
    let domain = RwSignal::new(String::new());
    let agent = RwSignal::new(String::new());
    let problems = RwSignal::new(Problems::none());
    let (k, l) = (key.clone(), load.clone());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let r = NewAccountRoute {
            domain: domain.get_untracked().trim().to_owned(),
            agent: agent.get_untracked(),
        };
        if let Err(e) = r.check() {
            problems.set(e.into());
            return;
        }
        problems.set(Problems::none());
        let (k, l) = (k.clone(), l.clone());
        spawn_local(async move {
            match api::save_account_route(&k, &r).await {
                Ok(_) => {
                    domain.set(String::new());
                    status.say(s.t("saved"));
                    l();
                }
                Err(e) => refused(s, status, problems, e),
            }
        });
    };
    let k = key.clone();
    let export = move |_| {
        let k = k.clone();
        spawn_local(async move {
            match api::account_routes_csv(&k).await {
                Ok(csv) => download(&format!("{k}-account-routes.csv"), "text/csv", &csv),
                Err(e) => status.failed(s, &e),
            }
        })
    };
    let csv_problems = RwSignal::new(Problems::none());
    let (k, l) = (key.clone(), load.clone());
    let import = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (k, l) = (k.clone(), l.clone());
        spawn_local(async move {
            let Some((_, text)) = read_file("routes-csv").await else {
                status.say(s.t("choose_file"));
                return;
            };
            match api::upload_account_routes_csv(&k, text).await {
                Ok(list) => {
                    csv_problems.set(Problems::none());
                    status.say(s.f("routes_uploaded", &[("n", &list.len().to_string())]));
                    l();
                }
                Err(e) => refused(s, status, csv_problems, e),
            }
        });
    };
    let k = key.clone();
    view! {
        <section class="card" aria-labelledby="accounts-title">
            <h2 id="accounts-title">{s.t("account_routes")}</h2>
            <p>{s.t("account_routes_hint")}</p>
            <div class="table-wrap">
            <table class="list" data-testid="account-routes">
                <caption class="sr-only">{s.t("account_routes")}</caption>
                <thead><tr><th scope="col">{s.t("domain")}</th><th scope="col">{s.t("agent")}</th><th scope="col">{s.t("actions")}</th></tr></thead>
                <tbody>
                    {move || routes.get().into_iter().map(|r| {
                        let (k, d, l) = (k.clone(), r.domain.clone(), load.clone());
                        view! {
                            <tr><td>{r.domain.clone()}</td><td>{r.agent.clone()}</td>
                            <td><button type="button" class="secondary" aria-label=s.f("remove_named", &[("name", &r.domain)])
                                on:click=move |_| { let (k, d, l) = (k.clone(), d.clone(), l.clone()); spawn_local(async move {
                                    match api::remove_account_route(&k, &d).await { Ok(()) => l(), Err(e) => status.failed(s, &e) }
                                }) }>{s.t("remove")}</button></td></tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            <form on:submit=add novalidate class="inline">
                <Field id="route-domain" label=s.t("domain") hint="bigcorp.com" value=domain error=problem(problems, "domain") />
                <div class="field">
                    <label for="route-agent">{s.t("agent")}</label>
                    <select id="route-agent" on:change=move |ev| agent.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {move || agents.get().into_iter().map(|a| view! { <option value=a.profile.email.clone()>{a.profile.name.clone()}</option> }).collect_view()}
                    </select>
                    <span class="field-error">{move || problems.with(|p| p.of("agent"))}</span>
                </div>
                <button type="submit">{s.t("add_route")}</button>
            </form>
            <h3>{s.t("csv")}</h3>
            <button type="button" class="secondary" on:click=export>{s.t("download_csv")}</button>
            <form on:submit=import novalidate class="inline">
                <div class="field">
                    <label for="routes-csv">{s.t("upload_csv")}</label>
                    <span class="hint-text" id="routes-csv-hint">{s.t("upload_csv_hint")}</span>
                    <input id="routes-csv" type="file" accept=".csv,text/csv" aria-describedby="routes-csv-hint" />
                </div>
                <button type="submit">{s.t("upload")}</button>
            </form>
            <ul class="field-error" data-testid="csv-problems">{move || csv_problems.with(|p| p.others(&[])).into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
        </section>
    }
}

/// A routing dry run: which agent would get a visitor with these details now.
#[component]
fn TryIt(
    strings: Strings,
    status: Status,
    key: String,
    agents: RwSignal<Vec<AgentView>>,
    teams: RwSignal<Vec<TeamView>>,
) -> impl IntoView {
    let s = strings;
    let option = RwSignal::new("rules".to_owned());
    let target = RwSignal::new(String::new());
    let attributes = RwSignal::new("company = Acme\nemail = jane@bigcorp.com".to_owned());
    let page = RwSignal::new("https://example.com/pricing".to_owned());
    let language = RwSignal::new("en".to_owned());
    let result = RwSignal::new(None::<RoutingTryView>);
    let problems = RwSignal::new(Problems::none());
    let run = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let routing = match option.get_untracked().as_str() {
            "agent" => Routing::Agent(target.get_untracked()),
            "team" => Routing::Team(target.get_untracked()),
            "round_robin" => Routing::RoundRobin,
            _ => Routing::Rules,
        };
        let (utm, attrs) = try_details(&attributes.get_untracked());
        let request = RoutingTry {
            routing,
            attributes: attrs,
            page_url: page.get_untracked(),
            referrer: String::new(),
            language: language.get_untracked(),
            utm,
        };
        let key = key.clone();
        spawn_local(async move {
            match api::try_routing(&key, &request).await {
                Ok(r) => {
                    problems.set(Problems::none());
                    result.set(Some(r));
                }
                Err(e) => refused(s, status, problems, e),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="try-title">
            <h2 id="try-title">{s.t("try_it")}</h2>
            <p>{s.t("try_it_hint")}</p>
            <form on:submit=run novalidate data-testid="try-it">
                <div class="field">
                    <label for="try-option">{s.t("routing_option")}</label>
                    <select id="try-option" on:change=move |ev| { option.set(event_target_value(&ev)); target.set(String::new()) }>
                        <option value="rules">{s.t("routing_rules")}</option>
                        <option value="round_robin">{s.t("routing_round_robin")}</option>
                        <option value="agent">{s.t("routing_agent")}</option>
                        <option value="team">{s.t("routing_team")}</option>
                    </select>
                </div>
                <Show when=move || option.get() == "agent" || option.get() == "team">
                    <div class="field">
                        <label for="try-target">{move || if option.get() == "agent" { s.t("agent") } else { s.t("team") }}</label>
                        <select id="try-target" on:change=move |ev| target.set(event_target_value(&ev))>
                            <option value="">"—"</option>
                            {move || if option.get() == "agent" {
                                agents.get().into_iter().map(|a| view! { <option value=a.profile.email.clone()>{a.profile.name.clone()}</option> }).collect_view().into_any()
                            } else {
                                teams.get().into_iter().map(|t| view! { <option value=t.name.clone()>{t.name.clone()}</option> }).collect_view().into_any()
                            }}
                        </select>
                    </div>
                </Show>
                <Field id="try-attributes" label=s.t("visitor_attributes") hint=s.t("visitor_attributes_hint") value=attributes rows=4 error=Signal::derive(move || problems.with(|p| p.starting_with(&["attributes", "utm"]))) />
                <Field id="try-page" label=s.t("page_url") kind="url" value=page error=problem(problems, "page_url") />
                <Field id="try-language" label=s.t("language") value=language error=problem(problems, "language") />
                <OtherProblems problems known=&["attributes", "page_url", "language", "utm"] />
                <button type="submit" data-testid="try-run">{s.t("try_run")}</button>
            </form>
            <div aria-live="polite" data-testid="try-result">
                {move || result.get().map(|r| view! {
                    <p class="verdict">{match &r.agent {
                        Some(a) => s.f("would_go_to", &[("name", &a.name), ("email", &a.email)]),
                        None => s.t("would_fall_back"),
                    }}</p>
                    <pre class="code">{r.text.clone()}</pre>
                })}
            </div>
        </section>
    }
}
