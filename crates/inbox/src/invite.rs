//! An invited agent's first visit: the inbox opened at
//! `/inbox/#invite=TOKEN` asks them to set their password, then signs them
//! in. The token rides in the URL's fragment, which the browser sends to no
//! server; the page reads it, and clears it once it is used or found dead.
//!
//! [`InvitePage`] fetches whom the link is for and sends the password
//! (through [`crate::api`]); [`InviteForm`] is the form alone, fed by
//! signals, so it is mounted and tested without a server.

use leptos::prelude::*;
use leptos::task::spawn_local;
use switchboard_protocol::admin::TokenPurpose;
use switchboard_protocol::auth::{AgentProfile, MAX_PASSWORD_LEN, MIN_PASSWORD_LEN};

use crate::api::{self, ApiError};
use crate::i18n::Strings;

/// The invitation token in a URL fragment (`#invite=TOKEN`), if any.
pub fn invite_token(fragment: &str) -> Option<String> {
    let token = fragment.strip_prefix('#').unwrap_or(fragment).strip_prefix("invite=")?;
    let token = token.split('&').next().unwrap_or_default();
    (!token.is_empty() && token.bytes().all(|b| b.is_ascii_alphanumeric())).then(|| token.to_owned())
}

/// What is wrong with a new password and its repetition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    /// Shorter than [`MIN_PASSWORD_LEN`] characters.
    TooShort,
    /// Longer than [`MAX_PASSWORD_LEN`] characters.
    TooLong,
    /// The two differ.
    Differ,
}

/// Checks a new password as the server will (its length, as typed), and
/// that it was typed the same twice.
pub fn check_new_password(password: &str, again: &str) -> Result<(), PasswordProblem> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        Err(PasswordProblem::TooShort)
    } else if n > MAX_PASSWORD_LEN {
        Err(PasswordProblem::TooLong)
    } else if password != again {
        Err(PasswordProblem::Differ)
    } else {
        Ok(())
    }
}

impl PasswordProblem {
    /// For the agent.
    pub fn say(self, s: &Strings) -> String {
        match self {
            Self::TooShort => Strings::fill(&s.password_too_short, &[("min", &MIN_PASSWORD_LEN.to_string())]),
            Self::TooLong => Strings::fill(&s.password_too_long, &[("max", &MAX_PASSWORD_LEN.to_string())]),
            Self::Differ => s.passwords_differ.clone(),
        }
    }
}

/// The link's fragment goes from the address bar (and the history), so a
/// reload or a shared screen does not show the token.
pub fn clear_fragment() {
    let Some(w) = web_sys::window() else { return };
    let location = w.location();
    let (Ok(path), Ok(search)) = (location.pathname(), location.search()) else { return };
    if let Ok(history) = w.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}{search}")),
        );
    }
}

/// The invitation page: checks the link, then shows [`InviteForm`]; signs
/// the agent in once the server took their password.
#[component]
pub fn InvitePage(
    /// The invitation's token, from the link.
    token: String,
    /// UI strings.
    strings: Strings,
    /// Called with the agent once they are signed in.
    on_accepted: Callback<AgentProfile>,
    /// Called when the link does not work (unknown, used or expired).
    on_invalid: Callback<()>,
) -> impl IntoView {
    let invited = RwSignal::new(None::<(String, String)>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    {
        let (token, s) = (token.clone(), strings.clone());
        spawn_local(async move {
            match api::account_token(&token).await {
                Ok(t) if t.purpose == TokenPurpose::Invite => {
                    let _ = invited.try_set(Some((t.name.unwrap_or_default(), t.email.unwrap_or_default())));
                }
                Ok(_) | Err(ApiError::NotFound) => on_invalid.run(()),
                Err(_) => {
                    let _ = error.try_set(Some(s.network_error.clone()));
                }
            }
        });
    }
    let s = strings.clone();
    let on_submit = Callback::new(move |password: String| {
        busy.set(true);
        error.set(None);
        let (token, s) = (token.clone(), s.clone());
        spawn_local(async move {
            match api::accept_invitation(token, password).await {
                Ok(profile) => on_accepted.run(profile),
                Err(ApiError::NotFound) => on_invalid.run(()),
                Err(ApiError::Invalid(words)) => {
                    let _ = error.try_set(Some(words));
                }
                Err(ApiError::Unauthorized | ApiError::Failed(_)) => {
                    let _ = error.try_set(Some(s.network_error.clone()));
                }
            }
            let _ = busy.try_set(false);
        });
    });
    let checking = strings.invite_checking.clone();
    view! {
        {move || match invited.get() {
            Some((name, email)) => view! {
                <InviteForm strings=strings.clone() name email error busy on_submit />
            }.into_any(),
            None => {
                let checking = checking.clone();
                view! {
                    <main class="login" data-testid="invite-page">
                        <h1>{strings.invite_title.clone()}</h1>
                        <p role="status">{move || error.get().is_none().then(|| checking.clone())}</p>
                        <p class="error" role="alert">{move || error.get()}</p>
                    </main>
                }.into_any()
            }
        }}
    }
}

/// "Set your password" for an invited agent: the password twice, checked
/// here as the server checks it; the server's refusal shown in the alert.
#[component]
pub fn InviteForm(
    /// UI strings.
    strings: Strings,
    /// The invited agent's name.
    name: String,
    /// Their email (their login).
    email: String,
    /// The server's refusal, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// While the password is being sent.
    #[prop(into)]
    busy: Signal<bool>,
    /// Called with the password once it passed the checks here.
    on_submit: Callback<String>,
) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let s = strings.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (p, a) = (password.get_untracked(), again.get_untracked());
        match check_new_password(&p, &a) {
            Ok(()) => {
                problem.set(None);
                on_submit.run(p);
            }
            Err(why) => problem.set(Some(why.say(&s))),
        }
    };
    let shown = move || problem.get().or_else(|| error.get());
    let invalid = move || shown().is_some().then_some("true");
    let welcome = Strings::fill(&strings.invite_welcome, &[("name", &name), ("email", &email)]);
    let hint = Strings::fill(&strings.password_hint, &[("min", &MIN_PASSWORD_LEN.to_string())]);
    let (label, busy_label) = (strings.invite_submit.clone(), strings.invite_saving.clone());
    view! {
        <main class="login" data-testid="invite-form">
            <h1>{strings.invite_title.clone()}</h1>
            <p data-testid="invite-welcome">{welcome}</p>
            <form on:submit=submit novalidate>
                // For password managers: whose password this is.
                <input type="email" name="email" autocomplete="username" value=email.clone() readonly hidden />
                <div class="field">
                    <label for="invite-password">{strings.new_password.clone()}</label>
                    <input id="invite-password" name="password" type="password" autocomplete="new-password" required
                        aria-describedby="invite-hint invite-error" aria-invalid=invalid
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                    <small id="invite-hint" class="muted">{hint}</small>
                </div>
                <div class="field">
                    <label for="invite-again">{strings.confirm_password.clone()}</label>
                    <input id="invite-again" name="again" type="password" autocomplete="new-password" required
                        aria-describedby="invite-error" aria-invalid=invalid
                        prop:value=move || again.get() on:input=move |ev| again.set(event_target_value(&ev)) />
                </div>
                <p id="invite-error" class="error" role="alert" data-testid="invite-error">{shown}</p>
                <button type="submit" disabled=move || busy.get() data-testid="invite-submit">
                    {move || if busy.get() { busy_label.clone() } else { label.clone() }}
                </button>
            </form>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_comes_from_an_invite_fragment_only() {
        assert_eq!(invite_token("#invite=ab12").as_deref(), Some("ab12"));
        assert_eq!(invite_token("invite=ab12&x=1").as_deref(), Some("ab12"));
        for other in ["", "#", "#invite=", "#setup=ab12", "#invite=ab/12", "#invite=a%20b"] {
            assert_eq!(invite_token(other), None, "{other}");
        }
    }

    #[test]
    fn a_new_password_is_long_enough_and_typed_the_same_twice() {
        assert_eq!(check_new_password("short", "short"), Err(PasswordProblem::TooShort));
        let long = "x".repeat(MAX_PASSWORD_LEN + 1);
        assert_eq!(check_new_password(&long, &long), Err(PasswordProblem::TooLong));
        assert_eq!(check_new_password("long enough 1", "long enough 2"), Err(PasswordProblem::Differ));
        assert_eq!(check_new_password("long enough", "long enough"), Ok(()));
        let s = Strings::for_locale(switchboard_protocol::site::Locale::En);
        assert!(PasswordProblem::TooShort.say(&s).contains("10"));
    }
}
