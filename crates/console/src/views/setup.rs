//! The first run: the one-time setup link's page, where the first admin
//! creates their own account (nothing to copy from a log but the link).

use leptos::prelude::*;
use leptos::task::spawn_local;
use switchboard_protocol::admin::{FirstAdmin, TokenPurpose};
use switchboard_protocol::auth::AgentProfile;

use super::{problem, Field, OtherProblems};
use crate::api::{self, ApiError};
use crate::i18n::Strings;
use crate::model::errors::Problems;
use crate::model::route::Route;

/// The setup page for `token`.
#[component]
pub fn Setup(
    /// UI strings.
    strings: Strings,
    /// The link's token.
    token: String,
    /// Called once the first admin is signed in.
    on_done: Callback<AgentProfile>,
    /// Where the console is (set to the sites once done).
    route: RwSignal<Route>,
) -> impl IntoView {
    let s = strings;
    let valid = RwSignal::new(None::<bool>);
    let t = token.clone();
    spawn_local(async move {
        valid.set(Some(api::account_token(&t).await.is_ok_and(|v| v.purpose == TokenPurpose::Setup)));
    });
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let problems = RwSignal::new(Problems::none());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = FirstAdmin {
            token: token.clone(),
            name: name.get_untracked(),
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        let mut p = Problems::from(request.check());
        if password.get_untracked() != confirm.get_untracked() {
            p = Problems::from(switchboard_protocol::admin::InvalidRequest::field(
                "confirm",
                s.t("passwords_differ"),
            ));
        }
        if !p.is_empty() {
            problems.set(p);
            return;
        }
        problems.set(Problems::none());
        busy.set(true);
        spawn_local(async move {
            match api::setup(&request).await {
                Ok(profile) => {
                    // The used token leaves the address and the history.
                    let _ = window().history().and_then(|h| {
                        h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&Route::Sites.href()))
                    });
                    on_done.run(profile);
                    route.set(Route::Sites);
                }
                Err(ApiError::Invalid(i)) => problems.set(i.into()),
                Err(ApiError::NotFound(_)) => valid.set(Some(false)),
                Err(e) => error.set(Some(super::describe(s, &e))),
            }
            busy.set(false);
        });
    };
    view! {
        <main class="login setup">
            <h1>{s.t("setup_title")}</h1>
            {move || match valid.get() {
                None => view! { <p>{s.t("loading")}</p> }.into_any(),
                Some(false) => view! {
                    <p role="alert" data-testid="setup-invalid">{s.t("setup_invalid")}</p>
                    <p><a href=Route::Sites.href()>{s.t("go_to_sign_in")}</a></p>
                }.into_any(),
                Some(true) => view! {
                    <p>{s.t("setup_hint")}</p>
                    <form on:submit=submit.clone() novalidate data-testid="setup-form">
                        <Field id="setup-name" label=s.t("your_name") value=name error=problem(problems, "name") autocomplete="name" />
                        <Field id="setup-email" label=s.t("email") kind="email" value=email error=problem(problems, "email") autocomplete="username" />
                        <Field id="setup-password" label=s.t("password") hint=s.t("password_rules") kind="password" value=password error=problem(problems, "password") autocomplete="new-password" />
                        <Field id="setup-confirm" label=s.t("confirm_password") kind="password" value=confirm error=problem(problems, "confirm") autocomplete="new-password" />
                        <OtherProblems problems known=&["name", "email", "password", "confirm"] />
                        <p class="error" role="alert">{move || error.get()}</p>
                        <button type="submit" disabled=move || busy.get() data-testid="setup-submit">{s.t("create_admin")}</button>
                    </form>
                }.into_any(),
            }}
        </main>
    }
}
