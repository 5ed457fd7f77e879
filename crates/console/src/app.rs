//! The console's top level: the first-run page, the sign-in form, and the
//! signed-in shell — the top bar shared with the inbox (switch between
//! Inbox and Admin), the navigation, and the view the address names.

use leptos::prelude::*;
use leptos::task::spawn_local;
use switchboard_protocol::auth::{AgentProfile, Role};
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::i18n::Strings;
use crate::model::route::{Route, Section};
use crate::views::{self, Status};

/// The address's view, following `hashchange`.
fn current_route() -> Route {
    Route::parse(&window().location().hash().unwrap_or_default())
}

/// The whole console.
#[component]
pub fn App() -> impl IntoView {
    let s = Strings::for_browser();
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("lang", s.locale().tag());
    }
    let route = RwSignal::new(current_route());
    // After a move to another view, the focus goes to the view (as a page
    // load would put it at the top), so keyboard and screen reader users
    // start there; once it is drawn (a task later).
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        route.set(current_route());
        set_timeout(
            || {
                if let Some(main) = document().get_element_by_id("main") {
                    let _ = main.unchecked_into::<web_sys::HtmlElement>().focus();
                }
            },
            std::time::Duration::ZERO,
        );
    });
    on_cleanup(move || handle.remove());
    let agent = RwSignal::new(None::<AgentProfile>);
    let checked = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(profile) = api::me().await {
            agent.set(Some(profile));
        }
        checked.set(true);
    });
    let on_login = Callback::new(move |p| agent.set(Some(p)));
    let on_logout = Callback::new(move |()| agent.set(None));
    // The shell is built once per sign-in, not per view: only the setup
    // page and who is signed in choose what is drawn at the top.
    let setup = Memo::new(move |_| match route.get() {
        Route::Setup(token) => Some(token),
        _ => None,
    });
    view! {
        <Show when=move || checked.get()>
            {move || match (setup.get(), agent.get()) {
                (Some(token), _) => view! { <views::setup::Setup strings=s token on_done=on_login route /> }.into_any(),
                (_, None) => view! { <LoginForm strings=s on_login /> }.into_any(),
                (_, Some(p)) if p.role != Role::Admin => view! { <NotAdmin strings=s agent=p on_logout /> }.into_any(),
                (_, Some(p)) => view! { <Shell strings=s agent=p route on_logout /> }.into_any(),
            }}
        </Show>
    }
}

/// Email and password; the same session as the inbox.
#[component]
pub fn LoginForm(
    /// UI strings.
    strings: Strings,
    /// Called with the agent once signed in.
    on_login: Callback<AgentProfile>,
) -> impl IntoView {
    let s = strings;
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (e, p) = (email.get_untracked().trim().to_owned(), password.get_untracked());
        if e.is_empty() || p.is_empty() {
            error.set(Some(s.t("login_required")));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::login(e, p).await {
                Ok(profile) => on_login.run(profile),
                Err(ApiError::Unauthorized) => error.set(Some(s.t("bad_credentials"))),
                Err(e) => error.set(Some(views::describe(s, &e))),
            }
            busy.set(false);
        });
    };
    view! {
        <main class="login">
            <h1>{s.t("title")}</h1>
            <form on:submit=submit novalidate data-testid="login-form">
                <div class="field">
                    <label for="login-email">{s.t("email")}</label>
                    <input id="login-email" type="email" autocomplete="username"
                        prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="login-password">{s.t("password")}</label>
                    <input id="login-password" type="password" autocomplete="current-password"
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                </div>
                <p class="error" role="alert" data-testid="login-error">{move || error.get()}</p>
                <button type="submit" disabled=move || busy.get() data-testid="login-submit">
                    {move || if busy.get() { s.t("signing_in") } else { s.t("sign_in") }}
                </button>
            </form>
        </main>
    }
}

/// A signed-in agent without the admin role: where to go instead.
#[component]
fn NotAdmin(strings: Strings, agent: AgentProfile, on_logout: Callback<()>) -> impl IntoView {
    let s = strings;
    view! {
        <main class="login">
            <h1>{s.t("title")}</h1>
            <p role="alert">{s.f("not_admin_named", &[("name", &agent.name)])}</p>
            <p><a href="/inbox/">{s.t("go_to_inbox")}</a></p>
            <button type="button" class="secondary" on:click=move |_| {
                spawn_local(async move { let _ = api::logout().await; on_logout.run(()); })
            }>{s.t("sign_out")}</button>
        </main>
    }
}

/// The signed-in console.
#[component]
pub fn Shell(
    /// UI strings.
    strings: Strings,
    /// The signed-in admin.
    agent: AgentProfile,
    /// Where the console is.
    route: RwSignal<Route>,
    /// Called after signing out.
    on_logout: Callback<()>,
) -> impl IntoView {
    let s = strings;
    let status = Status(RwSignal::new(String::new()));
    // The site the site-scoped sections show: the one in the address, else the last one seen.
    let last_site = RwSignal::new(None::<String>);
    Effect::new(move || {
        if let Some(k) = route.with(|r| r.site().map(str::to_owned)) {
            last_site.set(Some(k));
        }
    });
    let nav = move |section: Section, label: String| {
        let href = move || match (section, last_site.get()) {
            (Section::Sites, _) => Route::Sites.href(),
            (Section::Agents, _) => Route::Agents.href(),
            (Section::Teams, _) => Route::Teams.href(),
            (Section::Canned, _) => Route::Canned.href(),
            (Section::Conversations, _) => Route::Conversations(String::new()).href(),
            (Section::Reports, _) => Route::Reports(String::new()).href(),
            (Section::Routing, Some(k)) => Route::Routing(k).href(),
            (Section::Streams, Some(k)) => Route::Streams(k).href(),
            (Section::Routing | Section::Streams, None) => Route::Sites.href(),
        };
        let current = move || (route.with(|r| r.section()) == section).then_some("page");
        view! { <li><a href=href aria-current=current>{label}</a></li> }
    };

    let logout = move |_| {
        spawn_local(async move {
            let _ = api::logout().await;
            on_logout.run(());
        })
    };
    view! {
        <header class="topbar">
            // (Not a fragment link: the fragment is the console's address.)
            <a class="skip" href="#main" on:click=move |ev: leptos::ev::MouseEvent| {
                ev.prevent_default();
                if let Some(main) = document().get_element_by_id("main") {
                    let _ = main.unchecked_into::<web_sys::HtmlElement>().focus();
                }
            }>{s.t("skip_to_content")}</a>
            <span class="brand">"Switchboard"</span>
            <nav aria-label=s.t("apps")>
                <ul class="apps">
                    {agent.live_chat.then(|| view! { <li><a href="/inbox/">{s.t("inbox")}</a></li> })}
                    <li><a href="/admin/" aria-current="page">{s.t("admin")}</a></li>
                </ul>
            </nav>
            <span class="me">{s.f("signed_in_as", &[("name", &agent.name)])}</span>
            <button type="button" class="secondary" on:click=logout data-testid="logout">{s.t("sign_out")}</button>
        </header>
        <div class="layout">
            <nav class="sections" aria-label=s.t("sections")>
                <ul>
                    {nav(Section::Sites, s.t("nav_sites"))}
                    {nav(Section::Agents, s.t("nav_agents"))}
                    {nav(Section::Teams, s.t("nav_teams"))}
                    {nav(Section::Canned, s.t("nav_canned"))}
                    {nav(Section::Routing, s.t("nav_routing"))}
                    {nav(Section::Streams, s.t("nav_streams"))}
                    {nav(Section::Conversations, s.t("nav_conversations"))}
                    {nav(Section::Reports, s.t("nav_reports"))}
                </ul>
            </nav>
            <main id="main" tabindex="-1">
                <p class="status" role="status" aria-live="polite" data-testid="status">{move || status.0.get()}</p>
                {move || {
                    status.0.set(String::new());
                    match route.get() {
                        Route::Setup(_) | Route::Sites => view! { <views::sites::SiteList strings=s status /> }.into_any(),
                        Route::Site(key) => view! { <views::sites::SitePage strings=s status key /> }.into_any(),
                        Route::Agents => view! { <views::agents::AgentList strings=s status me=agent.email.clone() /> }.into_any(),
                        Route::Teams => view! { <views::teams::TeamList strings=s status /> }.into_any(),
                        Route::Canned => view! { <views::canned::CannedList strings=s status /> }.into_any(),
                        Route::Routing(key) => view! { <views::routing::RoutingPage strings=s status key /> }.into_any(),
                        Route::Streams(key) => view! { <views::streams::StreamList strings=s status key /> }.into_any(),
                        Route::Designer(key, id) => view! { <views::designer::DesignerPage strings=s status key id /> }.into_any(),
                        Route::Conversations(q) => view! { <views::conversations::ConversationList strings=s status query=q /> }.into_any(),
                        Route::Conversation(id) => view! { <views::conversations::ConversationPage strings=s status id /> }.into_any(),
                        Route::Reports(q) => view! { <views::reports::ReportsPage strings=s status query=q /> }.into_any(),
                    }
                }}
            </main>
        </div>
    }
}
