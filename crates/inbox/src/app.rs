//! The inbox's components: the login form and the signed-in shell. Thin: state
//! is plain signals, requests go through [`crate::api`].

use leptos::prelude::*;
use leptos::task::spawn_local;
use switchboard_protocol::auth::AgentProfile;

use crate::api::{self, ApiError};
use crate::i18n::Strings;

/// The whole inbox: restores the session, else shows the login form.
#[component]
pub fn App() -> impl IntoView {
    let strings = Strings::for_browser();
    let agent = RwSignal::new(None::<AgentProfile>);
    let checked = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(profile) = api::me().await {
            agent.set(Some(profile));
        }
        checked.set(true);
    });
    let on_login = Callback::new(move |profile| agent.set(Some(profile)));
    let on_logout = Callback::new(move |()| agent.set(None));
    view! {
        <Show when=move || checked.get()>
            {
                let strings = strings.clone();
                move || match agent.get() {
                    Some(profile) => view! { <Shell agent=profile strings=strings.clone() on_logout /> }.into_any(),
                    None => view! { <LoginForm strings=strings.clone() on_login /> }.into_any(),
                }
            }
        </Show>
    }
}

/// Email and password, submitted to the server; errors shown in an alert.
#[component]
pub fn LoginForm(
    /// UI strings.
    strings: Strings,
    /// Called with the agent once the server accepted the login.
    on_login: Callback<AgentProfile>,
) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let s = strings.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (e, p) = (email.get_untracked().trim().to_owned(), password.get_untracked());
        if e.is_empty() || p.is_empty() {
            error.set(Some(s.required.clone()));
            return;
        }
        busy.set(true);
        error.set(None);
        let s = s.clone();
        spawn_local(async move {
            match api::login(e, p).await {
                Ok(profile) => on_login.run(profile),
                Err(ApiError::Unauthorized) => error.set(Some(s.bad_credentials.clone())),
                Err(ApiError::Failed(_)) => error.set(Some(s.network_error.clone())),
            }
            busy.set(false);
        });
    };
    let label = strings.sign_in.clone();
    let busy_label = strings.signing_in.clone();
    view! {
        <main class="login">
            <h1>{strings.title.clone()}</h1>
            <form on:submit=submit novalidate data-testid="login-form">
                <div class="field">
                    <label for="login-email">{strings.email.clone()}</label>
                    <input id="login-email" name="email" type="email" autocomplete="username" required
                        prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="login-password">{strings.password.clone()}</label>
                    <input id="login-password" name="password" type="password" autocomplete="current-password" required
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                </div>
                <p class="error" role="alert" data-testid="login-error">{move || error.get()}</p>
                <button type="submit" disabled=move || busy.get() data-testid="login-submit">
                    {move || if busy.get() { busy_label.clone() } else { label.clone() }}
                </button>
            </form>
        </main>
    }
}

/// The signed-in inbox shell; conversations fill it in later issues.
#[component]
pub fn Shell(
    /// The signed-in agent.
    agent: AgentProfile,
    /// UI strings.
    strings: Strings,
    /// Called after the session ended.
    on_logout: Callback<()>,
) -> impl IntoView {
    let logout = move |_| {
        spawn_local(async move {
            let _ = api::logout().await;
            on_logout.run(());
        })
    };
    view! {
        <header class="topbar">
            <h1>{strings.title.clone()}</h1>
            <span data-testid="signed-in-as">{strings.signed_in_as.replace("{name}", &agent.name)}</span>
            <button type="button" on:click=logout data-testid="logout">{strings.sign_out.clone()}</button>
        </header>
        <main class="inbox">
            <p>{strings.no_chats.clone()}</p>
        </main>
    }
}
