//! Every conversation: filtered by site, state, agent, team and date,
//! searched in full text, paged on the server; and one conversation's
//! transcript, visitor details and routing explained.

use leptos::prelude::*;
use leptos::task::spawn_local;
use switchboard_protocol::admin::{
    AgentView, ConversationDetail, ConversationRow, SiteView, TeamView, TranscriptLine,
};
use switchboard_protocol::stream::runner::Entry;
use switchboard_protocol::wire::{Author, ConversationState};

use super::{describe, Status};
use crate::api;
use crate::i18n::Strings;
use crate::model::conversations::Filter;
use crate::model::route::Route;

/// The states a conversation can be in, as the filter offers them.
const STATES: [&str; 5] = ["waiting", "offered", "active", "ended", "fallback"];

/// The list, filtered by `query` (the address's query string).
#[component]
pub fn ConversationList(
    /// UI strings.
    strings: Strings,
    /// Where the console says what happened.
    status: Status,
    /// The filters, as the address's query string.
    query: String,
) -> impl IntoView {
    let s = strings;
    let filter = Filter::parse(&query);
    let f = filter.clone();
    let (site, state, agent, team, from, to, q) = (
        RwSignal::new(f.site),
        RwSignal::new(f.state),
        RwSignal::new(f.agent),
        RwSignal::new(f.team),
        RwSignal::new(f.from),
        RwSignal::new(f.to),
        RwSignal::new(f.q),
    );
    let sites = RwSignal::new(Vec::<SiteView>::new());
    let agents = RwSignal::new(Vec::<AgentView>::new());
    let teams = RwSignal::new(Vec::<TeamView>::new());
    spawn_local(async move {
        if let Ok(v) = api::sites().await {
            sites.set(v);
        }
        if let Ok(v) = api::agents().await {
            agents.set(v);
        }
        if let Ok(v) = api::teams().await {
            teams.set(v);
        }
    });
    let rows = RwSignal::new(Vec::<ConversationRow>::new());
    let next = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let fetch = move |filter: Filter, cursor: Option<String>| {
        loading.set(true);
        spawn_local(async move {
            match api::conversations(&filter.api_url(cursor.as_deref())).await {
                Ok(page) => {
                    if cursor.is_some() {
                        rows.update(|r| r.extend(page.items));
                    } else {
                        rows.set(page.items);
                    }
                    next.set(page.next_cursor);
                }
                Err(e) => status.failed(s, &e),
            }
            loading.set(false);
        });
    };
    fetch(filter.clone(), None);
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = Filter {
            site: site.get_untracked(),
            state: state.get_untracked(),
            agent: agent.get_untracked(),
            team: team.get_untracked(),
            from: from.get_untracked(),
            to: to.get_untracked(),
            q: q.get_untracked(),
        };
        // The address changes, and with it the list (back undoes a filter).
        window().location().set_hash(&Route::Conversations(f.query()).href()).ok();
    };
    let more_filter = filter.clone();
    let select = move |id: &'static str,
                       label: String,
                       value: RwSignal<String>,
                       options: Signal<Vec<(String, String)>>| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id on:change=move |ev| value.set(event_target_value(&ev))>
                    <option value="">{s.t("any")}</option>
                    {move || options.get().into_iter().map(|(v, l)| { let v2 = v.clone(); view! { <option value=v selected=move || value.get() == v2>{l}</option> } }).collect_view()}
                </select>
            </div>
        }
    };
    view! {
        <h1>{s.t("nav_conversations")}</h1>
        <form class="filters" on:submit=apply novalidate role="search" data-testid="filters">
            <div class="field">
                <label for="conv-q">{s.t("search_transcripts")}</label>
                <input id="conv-q" type="search" prop:value=move || q.get() on:input=move |ev| q.set(event_target_value(&ev)) />
            </div>
            {select("conv-site", s.t("site"), site, Signal::derive(move || sites.get().into_iter().map(|x| (x.key.as_str().to_owned(), x.name)).collect()))}
            {select("conv-state", s.t("state"), state, Signal::derive(move || STATES.iter().map(|x| ((*x).to_owned(), s.t(&format!("state_{x}")))).collect()))}
            {select("conv-agent", s.t("agent"), agent, Signal::derive(move || agents.get().into_iter().map(|a| (a.profile.email, a.profile.name)).collect()))}
            {select("conv-team", s.t("team"), team, Signal::derive(move || teams.get().into_iter().map(|t| (t.name.clone(), t.name)).collect()))}
            <div class="field">
                <label for="conv-from">{s.t("from_date")}</label>
                <input id="conv-from" type="date" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="conv-to">{s.t("to_date")}</label>
                <input id="conv-to" type="date" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) />
            </div>
            <button type="submit" data-testid="apply-filters">{s.t("apply_filters")}</button>
        </form>
        <div class="table-wrap">
        <table class="list" data-testid="conversations" aria-busy=move || loading.get().to_string()>
            <caption class="sr-only">{s.t("nav_conversations")}</caption>
            <thead><tr>
                <th scope="col">{s.t("started")}</th><th scope="col">{s.t("visitor")}</th><th scope="col">{s.t("site")}</th>
                <th scope="col">{s.t("state")}</th><th scope="col">{s.t("agent")}</th><th scope="col">{s.t("messages")}</th>
            </tr></thead>
            <tbody>
                {move || rows.get().into_iter().map(|r| {
                    let visitor = r.visitor_name.clone().or(r.visitor_email.clone()).unwrap_or_else(|| s.f("visitor_n", &[("n", &r.id.to_string())]));
                    view! {
                        <tr>
                            <td><a href=Route::Conversation(r.id).href()>{r.started_at.clone()}</a></td>
                            <td>{visitor}{r.snippet.clone().map(|x| view! { <br /><span class="muted snippet">{x}</span> })}</td>
                            <td>{r.site.clone()}</td>
                            <td>{s.t(&format!("state_{}", state_name(r.state)))}</td>
                            <td>{r.agent.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| "—".into())}</td>
                            <td>{r.message_count}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
        <p aria-live="polite">{move || (!loading.get() && rows.with(Vec::is_empty)).then(|| s.t("no_conversations"))}</p>
        <Show when=move || next.get().is_some()>
            {
                let f = more_filter.clone();
                view! {
                    <button type="button" class="secondary" data-testid="more" disabled=move || loading.get()
                        on:click=move |_| if let Some(cursor) = next.get_untracked() {
                            // Taken first: a second click cannot send the same page again.
                            next.set(None);
                            fetch(f.clone(), Some(cursor));
                        }>{s.t("load_more")}</button>
                }
            }
        </Show>
    }
}

/// The wire name of a state (`active`), for its string key.
pub fn state_name(state: ConversationState) -> &'static str {
    match state {
        ConversationState::Waiting => "waiting",
        ConversationState::Offered => "offered",
        ConversationState::Active => "active",
        ConversationState::Ended => "ended",
        ConversationState::Fallback => "fallback",
    }
}

/// A transcript line as (class, who, when, text).
fn line(s: Strings, agent: &Option<String>, l: TranscriptLine) -> (&'static str, String, String, String) {
    match l {
        TranscriptLine::Bot(Entry::Bot { text, .. }) => ("bot", s.t("author_bot"), String::new(), text),
        TranscriptLine::Bot(Entry::Visitor { text, .. }) => {
            ("visitor", s.t("author_visitor"), String::new(), text)
        }
        TranscriptLine::Live(m) => {
            let (class, who) = match m.author {
                Author::Visitor => ("visitor", s.t("author_visitor")),
                Author::Agent => ("agent", agent.clone().unwrap_or_else(|| s.t("author_agent"))),
                Author::System => ("system", s.t("author_system")),
                Author::Note => ("note", s.t("author_note")),
            };
            (class, who, m.at, m.text)
        }
    }
}

/// One conversation.
#[component]
pub fn ConversationPage(
    /// UI strings.
    strings: Strings,
    /// Where the console says what happened.
    status: Status,
    /// The conversation's id.
    id: i64,
) -> impl IntoView {
    let s = strings;
    let detail = RwSignal::new(None::<Result<ConversationDetail, String>>);
    spawn_local(async move {
        detail.set(Some(api::conversation(id).await.map_err(|e| describe(s, &e))));
    });
    let _ = status;
    view! {
        <p class="links"><a href=Route::Conversations(String::new()).href()>{s.t("back_to_conversations")}</a></p>
        <h1>{s.f("conversation_n", &[("n", &id.to_string())])}</h1>
        {move || match detail.get() {
            None => view! { <p>{s.t("loading")}</p> }.into_any(),
            Some(Err(e)) => view! { <p role="alert">{e}</p> }.into_any(),
            Some(Ok(d)) => {
                let agent = d.row.agent.as_ref().map(|a| a.name.clone());
                let v = d.visitor;
                let mut details: Vec<(String, String)> = v.attributes.into_iter().collect();
                details.extend([
                    (s.t("page_url"), v.page.url),
                    (s.t("referrer"), v.page.referrer),
                    (s.t("language"), v.page.language),
                    (s.t("first_seen"), v.first_seen),
                ]);
                details.extend(v.page.utm);
                view! {
                <div class="split">
                    <section class="card" aria-labelledby="transcript-title">
                        <h2 id="transcript-title">{s.t("transcript")}</h2>
                        <ol class="transcript" data-testid="transcript">
                            {d.messages.into_iter().map(|m| {
                                let (class, who, at, text) = line(s, &agent, m);
                                view! {
                                    <li class=format!("msg msg-{class}")>
                                        <span class="who">{who}</span>
                                        " "<time class="muted">{at}</time>
                                        <p>{text}</p>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    </section>
                    <div>
                        <section class="card" aria-labelledby="visitor-title">
                            <h2 id="visitor-title">{s.t("visitor_details")}</h2>
                            <dl class="details" data-testid="visitor-details">
                                {details.into_iter().map(|(k, v)| {
                                    let v = if v.is_empty() { "-".to_owned() } else { v };
                                    view! { <dt>{k}</dt><dd>{v}</dd> }
                                }).collect_view()}
                            </dl>
                        </section>
                        <section class="card" aria-labelledby="explain-title">
                            <h2 id="explain-title">{s.t("routing_explained")}</h2>
                            <pre class="code" data-testid="explain">{d.explain.text.clone()}</pre>
                        </section>
                    </div>
                </div>
                }.into_any()
            }
        }}
    }
}
