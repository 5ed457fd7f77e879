//! The inbox's top level: the login form (or an invitation's page, see
//! [`crate::invite`]) and the signed-in shell that wires the socket, the
//! model and the views together. Requests go through [`crate::api`].

use leptos::prelude::*;
use leptos::task::spawn_local;
use switchboard_protocol::auth::{AgentProfile, Role};

use switchboard_protocol::inbox::ConversationSummary;
use switchboard_protocol::wire::{AgentIn, AgentOut, ConversationState, TransferTarget};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::alert::{AlertSound, Tone};
use crate::api::{self, ApiError};
use crate::i18n::Strings;
use crate::invite::{self, InvitePage};
use crate::model::{Conversation, Inbox, Link, Notice, Pending, Reaction};
use crate::notify;
use crate::socket::{self, Socket};
use crate::views::{Actions, ConversationList, ConversationView, OfferBanner, Row, Tab, VisitorPanel};

/// The whole inbox: an invitation link's page when opened at
/// `#invite=TOKEN`, else restores the session, else shows the login form.
#[component]
pub fn App() -> impl IntoView {
    let strings = Strings::for_browser();
    let agent = RwSignal::new(None::<AgentProfile>);
    let checked = RwSignal::new(false);
    let fragment = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let invite = RwSignal::new(invite::invite_token(&fragment));
    let notice = RwSignal::new(None::<String>);
    spawn_local(async move {
        // (Without the live chat permission the inbox has nothing to show.)
        if let Ok(profile) =
            api::me().await.map_err(drop).and_then(|p| if p.live_chat { Ok(p) } else { Err(()) })
        {
            agent.set(Some(profile));
        }
        checked.set(true);
    });
    let on_login = Callback::new(move |profile| agent.set(Some(profile)));
    let on_logout = Callback::new(move |()| agent.set(None));
    let on_accepted = {
        let no_live_chat = strings.no_live_chat.clone();
        Callback::new(move |profile: AgentProfile| {
            invite::clear_fragment();
            if profile.live_chat {
                agent.set(Some(profile));
            } else {
                // Their password is set; the inbox is not theirs to use.
                notice.set(Some(no_live_chat.clone()));
                spawn_local(async move {
                    let _ = api::logout().await;
                });
            }
            invite.set(None);
        })
    };
    let on_invalid = {
        let dead = strings.invite_invalid.clone();
        Callback::new(move |()| {
            invite::clear_fragment();
            notice.set(Some(dead.clone()));
            invite.set(None);
        })
    };
    view! {
        <Show when=move || checked.get()>
            {
                let strings = strings.clone();
                move || match (invite.get(), agent.get()) {
                    (Some(token), _) => view! {
                        <InvitePage token strings=strings.clone() on_accepted on_invalid />
                    }.into_any(),
                    (None, Some(profile)) => view! { <Shell agent=profile strings=strings.clone() on_logout /> }.into_any(),
                    (None, None) => {
                        let notice = notice.get();
                        view! { <LoginForm strings=strings.clone() on_login notice /> }.into_any()
                    }
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
    /// Something to tell before they sign in (an invitation link that does
    /// not work).
    #[prop(optional_no_strip)]
    notice: Option<String>,
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
                Ok(profile) if profile.live_chat => on_login.run(profile),
                Ok(_) => {
                    // Signed in, but the inbox is not theirs: leave no session behind.
                    let _ = api::logout().await;
                    error.set(Some(s.no_live_chat.clone()));
                }
                Err(ApiError::Unauthorized) => error.set(Some(s.bad_credentials.clone())),
                Err(ApiError::Failed(_) | ApiError::NotFound | ApiError::Invalid(_)) => {
                    error.set(Some(s.network_error.clone()))
                }
            }
            busy.set(false);
        });
    };
    let label = strings.sign_in.clone();
    let busy_label = strings.signing_in.clone();
    view! {
        <main class="login">
            <h1>{strings.title.clone()}</h1>
            {notice.map(|n| view! { <p class="notice" role="alert" data-testid="login-notice">{n}</p> })}
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

/// The signed-in inbox: the top bar, offers, the conversation list, the
/// conversation on screen and the visitor panel, all fed by one socket.
#[component]
pub fn Shell(
    /// The signed-in agent.
    agent: AgentProfile,
    /// UI strings.
    strings: Strings,
    /// Called after the session ended.
    on_logout: Callback<()>,
) -> impl IntoView {
    let inbox = RwSignal::new(Inbox::default());
    let now = RwSignal::new(js_sys::Date::now());
    let tab = RwSignal::new(Tab::Active);
    let past = RwSignal::new(Vec::<ConversationSummary>::new());
    let past_open = RwSignal::new(None::<Conversation>);
    let announce = RwSignal::new(String::new());
    let sound_ok = RwSignal::new(notify::sound_unlocked());
    let permission = RwSignal::new(notify::permission());
    let accepting = StoredValue::new(None::<i64>);
    let socket = StoredValue::new_local(None::<Socket>);
    let send = move |frame: AgentIn| socket.with_value(|s| s.as_ref().is_some_and(|s| s.send(&frame)));
    let resend = move |conversation: i64, pending: Vec<Pending>, notes: Vec<Pending>| {
        for p in pending {
            send(AgentIn::Message { conversation, client_id: p.client_id, text: p.text });
        }
        for p in notes {
            send(AgentIn::Note { conversation, client_id: p.client_id, text: p.text });
        }
    };
    // An action that cannot wait for the link: say so instead of doing nothing.
    let act = move |frame: AgentIn| {
        let sent = send(frame);
        if !sent {
            inbox.update(|i| i.notice = Some(Notice::Offline));
        }
        sent
    };

    // Load one of the agent's conversations in full (details, first seen)
    // and follow it on the socket.
    let load = move |id: i64| {
        leptos::task::spawn_local(async move {
            if let Ok(detail) = api::conversation(id).await {
                let _ = inbox.try_update(|i| i.load(detail));
            }
        });
    };
    // After every welcome (the first, and each reconnect: frames sent while
    // the link was down are gone), square the inbox with the server's list:
    // open conversations are loaded and followed, stale offers go, and
    // conversations that ended or went elsewhere meanwhile are updated.
    let sync = move || {
        leptos::task::spawn_local(async move {
            let asked = js_sys::Date::now();
            let Ok(list) = api::active().await else { return };
            let Some((gone, missing)) = inbox.try_update(|i| i.reconcile(&list, asked)) else { return };
            for id in gone {
                match api::conversation(id).await {
                    Ok(detail) => {
                        let _ = inbox.try_update(|i| i.load(detail));
                    }
                    Err(ApiError::NotFound) => {
                        let _ = inbox.try_update(|i| i.forget(id));
                    }
                    Err(_) => {}
                }
            }
            for id in missing {
                if let Ok(detail) = api::conversation(id).await {
                    let last_seq = detail.messages.last().map_or(0, |m| m.seq);
                    if inbox.try_update(|i| i.load(detail)).is_none() {
                        return;
                    }
                    send(AgentIn::Resume { conversation: id, last_seq });
                }
            }
        });
    };
    let refresh_past = move || {
        leptos::task::spawn_local(async move {
            if let Ok(mut list) = api::past().await {
                crate::model::by_activity(&mut list);
                let _ = past.try_set(list);
            }
        });
    };

    let on_frame = {
        let strings = strings.clone();
        move |frame: AgentOut| {
            let ended = matches!(
                frame,
                AgentOut::State { state: ConversationState::Ended | ConversationState::Fallback, .. }
                    | AgentOut::Transferred { .. }
            );
            let welcome = matches!(frame, AgentOut::Welcome { .. });
            // Only a conversation on screen in a visible page counts as read.
            let looking = !notify::page_hidden() && tab.get_untracked() == Tab::Active;
            let Some(effects) = inbox.try_update(|i| i.apply(frame, js_sys::Date::now(), looking)) else {
                return;
            };
            for effect in effects {
                match effect {
                    Reaction::Offered { conversation, visitor } => {
                        notify::chime();
                        let title = Strings::fill(&strings.notification_title, &[("name", &visitor)]);
                        let body = inbox.with_untracked(|i| {
                            i.offers
                                .iter()
                                .find(|o| o.conversation == conversation)
                                .and_then(|o| o.first_question().map(str::to_owned))
                                .unwrap_or_default()
                        });
                        notify::notify(&title, &body, &format!("offer-{conversation}"));
                        announce.set(Strings::fill(&strings.offer_announce, &[("name", &visitor)]));
                    }
                    Reaction::Follow { conversation, last_seq } => {
                        send(AgentIn::Resume { conversation, last_seq });
                        if last_seq == 0 {
                            load(conversation);
                        }
                        if accepting.get_value() == Some(conversation) {
                            accepting.set_value(None);
                            tab.set(Tab::Active);
                            inbox.update(|i| i.select(Some(conversation)));
                            focus_composer();
                        }
                    }
                    Reaction::Resend { conversation, pending, notes } => resend(conversation, pending, notes),
                    Reaction::RetryLater => switchboard_websocket::after(
                        switchboard_websocket::RATE_LIMITED_RETRY_MS,
                        move || {
                            for effect in inbox.try_update(Inbox::retry).unwrap_or_default() {
                                if let Reaction::Resend { conversation, pending, notes } = effect {
                                    resend(conversation, pending, notes);
                                }
                            }
                        },
                    ),
                    Reaction::VisitorWrote { .. } => {
                        if notify::page_hidden() {
                            notify::chime();
                        }
                    }
                }
            }
            if ended && tab.get_untracked() == Tab::All {
                refresh_past();
            }
            if welcome {
                sync();
            }
        }
    };
    let s = Socket::open(socket::same_origin_url(), on_frame, move |link| {
        let _ = inbox.try_update(|i| i.link = link);
        if link == Link::Reconnecting {
            // A session that ran out will not come back by retrying.
            leptos::task::spawn_local(async move {
                // (A session ended: 401; the live chat permission taken
                // away: the socket is refused. Either way, the sign-in.)
                let over = match api::me().await {
                    Err(ApiError::Unauthorized) => true,
                    Ok(profile) => !profile.live_chat,
                    Err(_) => false,
                };
                if over {
                    if let Some(s) = socket.try_get_value().flatten() {
                        s.close();
                    }
                    on_logout.run(());
                }
            });
        }
    });
    socket.set_value(Some(s));

    let strings_tick = strings.clone();
    let tick = set_interval_with_handle(
        move || {
            let t = js_sys::Date::now();
            now.set(t);
            if inbox.with_untracked(|i| i.offers.iter().any(|o| o.deadline_ms + 5_000.0 <= t)) {
                inbox.update(|i| {
                    i.expire(t);
                });
            }
            // An offer nobody answered: the alert again, and its
            // notification where it was dismissed.
            let waiting = inbox.try_update_untracked(|i| i.remind(t)).unwrap_or_default();
            if !waiting.is_empty() {
                notify::chime();
                inbox.with_untracked(|i| {
                    for o in i.offers.iter().filter(|o| waiting.contains(&o.conversation)) {
                        let name = crate::model::visitor_name(&o.attributes, o.conversation);
                        let title = Strings::fill(&strings_tick.notification_title, &[("name", &name)]);
                        let body = o.first_question().unwrap_or_default();
                        notify::notify_again(&title, body, &format!("offer-{}", o.conversation));
                    }
                });
            }
        },
        std::time::Duration::from_secs(1),
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = tick {
            t.clear();
        }
        if let Some(s) = socket.try_get_value().flatten() {
            s.close();
        }
    });
    // Sound needs a gesture first; any click or key press on the page gives it.
    let unlock = move || {
        if !sound_ok.get_untracked() && notify::unlock_sound() {
            sound_ok.set(true);
        }
    };
    // (On click, not pointerdown: the hint leaving the page between press
    // and release would move what the pointer is on, and swallow the click.)
    let h1 = window_event_listener(leptos::ev::click, move |_| unlock());
    let h2 = window_event_listener(leptos::ev::keydown, move |_| unlock());
    // Back on the page: what is on screen counts as read.
    let h3 = window_event_listener(leptos::ev::focus, move |_| {
        if tab.get_untracked() == Tab::Active {
            let _ = inbox.try_update(Inbox::seen);
        }
    });
    on_cleanup(move || {
        h1.remove();
        h2.remove();
        h3.remove();
    });
    title_count(inbox, now.into(), strings.title.clone(), strings.notification_title.clone());
    Effect::new(move |_| {
        if tab.get() == Tab::All {
            refresh_past();
        }
    });

    // A message (or a private note), pending until the server confirms it.
    let write = move |conversation: i64, text: String, note: bool| {
        let client_id = switchboard_websocket::client_id();
        inbox.update(|i| {
            if let Some(c) = i.mine.iter_mut().find(|c| c.id == conversation) {
                let p = Pending { client_id: client_id.clone(), text: text.clone() };
                if note {
                    c.pending_notes.push(p)
                } else {
                    c.pending.push(p)
                }
            }
        });
        send(if note {
            AgentIn::Note { conversation, client_id, text }
        } else {
            AgentIn::Message { conversation, client_id, text }
        });
    };
    let actions = Actions {
        send: Callback::new(move |(conversation, text): (i64, String)| write(conversation, text, false)),
        note: Callback::new(move |(conversation, text): (i64, String)| write(conversation, text, true)),
        typing: Callback::new(move |(conversation, typing): (i64, bool)| {
            send(AgentIn::Typing { conversation, typing });
        }),
        end: Callback::new(move |conversation| {
            act(AgentIn::End { conversation });
        }),
        transfer: Callback::new(move |(conversation, to): (i64, TransferTarget)| {
            act(AgentIn::Transfer { conversation, to });
        }),
    };
    let on_accept = Callback::new(move |conversation| {
        accepting.set_value(Some(conversation));
        act(AgentIn::Accept { conversation });
    });
    let on_decline = Callback::new(move |conversation| {
        act(AgentIn::Decline { conversation });
    });
    let toggle = move |ev: leptos::ev::Event| {
        let available = event_target_checked(&ev);
        if !act(AgentIn::Availability { available }) {
            // Not sent: the switch goes back to what the server knows.
            inbox.update(|_| ());
        }
    };
    let logout = move |_| {
        if let Some(s) = socket.get_value() {
            s.close();
        }
        spawn_local(async move {
            let _ = api::logout().await;
            on_logout.run(());
        })
    };

    let rows = {
        let strings = strings.clone();
        Signal::derive(move || match tab.get() {
            Tab::Active => {
                inbox.with(|i| i.mine_by_activity().into_iter().map(|c| Row::mine(c, &strings)).collect())
            }
            Tab::All => past.with(|p| p.iter().map(|c| Row::past(c, &strings)).collect()),
        })
    };
    let selected = Signal::derive(move || match tab.get() {
        Tab::Active => inbox.with(|i| i.selected),
        Tab::All => past_open.with(|c| c.as_ref().map(|c| c.id)),
    });
    let shown = Memo::new(move |_| match tab.get() {
        Tab::Active => inbox.with(|i| i.selected.and_then(|id| i.mine.iter().find(|c| c.id == id).cloned())),
        Tab::All => past_open.get(),
    });
    let on_select = Callback::new(move |id: i64| match tab.get_untracked() {
        Tab::Active => inbox.update(|i| i.select(Some(id))),
        Tab::All => {
            leptos::task::spawn_local(async move {
                if let Ok(detail) = api::conversation(id).await {
                    let _ = past_open.try_set(Some(Conversation::from_detail(detail)));
                }
            });
        }
    });
    let notice = {
        let s = strings.clone();
        move || {
            inbox.with(|i| {
                i.notice.as_ref().map(|n| match n {
                    Notice::Transferred { visitor, to } => {
                        Strings::fill(&s.transferred_notice, &[("visitor", visitor), ("to", to)])
                    }
                    Notice::Withdrawn { visitor } => {
                        Strings::fill(&s.withdrawn_notice, &[("visitor", visitor)])
                    }
                    Notice::TimedOut { visitor } => {
                        Strings::fill(&s.timed_out_notice, &[("visitor", visitor)])
                    }
                    Notice::Refused { message, .. } => Strings::fill(&s.refused, &[("message", message)]),
                    Notice::Offline => s.offline.clone(),
                })
            })
        }
    };
    let link_text = {
        let (connecting, reconnecting) = (strings.connecting.clone(), strings.reconnecting.clone());
        move || match inbox.with(|i| i.link) {
            Link::Open => None,
            Link::Connecting => Some(connecting.clone()),
            Link::Reconnecting => Some(reconnecting.clone()),
        }
    };
    let ask = move |_| notify::ask_permission(move |p| permission.set(p));
    let avatar = match agent.avatar_url.clone() {
        Some(src) => view! { <img class="avatar" src=src alt="" /> }.into_any(),
        None => {
            let initial: String =
                agent.name.chars().next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
            view! { <span class="avatar initials" aria-hidden="true">{initial}</span> }.into_any()
        }
    };
    let offer_strings = strings.clone();
    let sound_locked = strings.sound_locked.clone();
    view! {
        <header class="topbar">
            <h1>{strings.title.clone()}</h1>
            // The top bar shared with the admin console: admins switch apps here.
            {(agent.role == Role::Admin).then(|| view! {
                <nav aria-label=strings.apps.clone()>
                    <ul class="apps">
                        <li><a href="/inbox/" aria-current="page">{strings.app_inbox.clone()}</a></li>
                        <li><a href="/admin/" data-testid="to-admin">{strings.app_admin.clone()}</a></li>
                    </ul>
                </nav>
            })}
            <div class="me">
                {avatar}
                <span data-testid="signed-in-as">{Strings::fill(&strings.signed_in_as, &[("name", &agent.name)])}</span>
                <label class="switch">
                    <input type="checkbox" role="switch" data-testid="availability"
                        prop:checked=move || inbox.with(|i| i.available) on:change=toggle />
                    <span>{strings.available.clone()}</span>
                </label>
                <AlertSettings strings=strings.clone() />
                <crate::canned_views::MyResponses strings=strings.clone() />
                <button type="button" class="secondary" on:click=logout data-testid="logout">{strings.sign_out.clone()}</button>
            </div>
        </header>
        <div class="notices">
            // The live region is always there; only its text changes, so
            // screen readers announce it.
            <p class="status" role="status">
                {move || link_text().map(|t| view! { <span data-testid="link">{t}</span> })}
            </p>
            <Show when=move || !sound_ok.get()>
                <p class="hint" data-testid="sound-hint">{sound_locked.clone()}</p>
            </Show>
            {
                let (ask_text, enable, blocked) = (strings.notifications_ask.clone(), strings.notifications_enable.clone(), strings.notifications_blocked.clone());
                move || match permission.get() {
                    "default" => Some(view! {
                        <p class="hint" data-testid="notification-banner">{ask_text.clone()}" "
                            <button type="button" data-testid="enable-notifications" on:click=ask>{enable.clone()}</button>
                        </p>
                    }.into_any()),
                    "denied" => Some(view! { <p class="hint">{blocked.clone()}</p> }.into_any()),
                    _ => None,
                }
            }
            <p class="notice" role="status" data-testid="notice">{notice}</p>
            // Switched off by the server for missed offers: why, and the way back.
            <div role="alert" data-testid="away-region">{
                let (away_text, back) = (strings.away_missed.clone(), strings.im_back.clone());
                move || inbox.with(|i| i.away.filter(|_| !i.available)).map(|n| view! {
                    <p class="away" data-testid="away">
                        {Strings::fill(&away_text, &[("n", &n.to_string())])}" "
                        <button type="button" data-testid="im-back"
                            on:click=move |_| { act(AgentIn::Availability { available: true }); }>{back.clone()}</button>
                    </p>
                })
            }</div>
        </div>
        <section class="offers" aria-label=strings.offers.clone() data-testid="offers">
            <For each=move || inbox.with(|i| i.offers.clone()) key=|o| (o.conversation, o.deadline_ms as u64)
                children=move |offer| view! {
                    <OfferBanner offer now strings=offer_strings.clone() on_accept on_decline />
                } />
        </section>
        <div class="sr-only" aria-live="assertive" data-testid="announce">{move || announce.get()}</div>
        <div class="layout">
            <nav class="list" aria-label=strings.conversations.clone()>
                <ConversationList tab rows selected strings=strings.clone() on_select />
            </nav>
            <main class="pane">
                <ConversationView conv=shown strings=strings.clone() actions />
            </main>
            <aside class="side">
                <VisitorPanel conv=shown strings=strings.clone() />
            </aside>
        </div>
    }
}

/// Keeps the tab title counting what needs the agent: `(3) Switchboard
/// inbox` with two offers and one unread message.
/// The tab title follows the inbox (see [`Inbox::title`]); while an offer
/// waits it flashes every other second (`now`, ms) to `flash` (a template
/// with `{name}`, the visitor), still counting.
pub fn title_count(inbox: RwSignal<Inbox>, now: Signal<f64>, base: String, flash: String) {
    Effect::new(move |_| {
        let t = now.get();
        let title = inbox.with(|i| match i.flashing(t) {
            Some(o) => {
                let name = crate::model::visitor_name(&o.attributes, o.conversation);
                i.title(&Strings::fill(&flash, &[("name", &name)]))
            }
            None => i.title(&base),
        });
        notify::set_title(&title);
    });
}

/// The offer alert's sound: a tone, a volume and a button to try it, kept
/// in this browser.
#[component]
fn AlertSettings(strings: Strings) -> impl IntoView {
    let sound = RwSignal::new(notify::alert_sound());
    let keep = move |s: AlertSound| {
        sound.set(s);
        notify::set_alert_sound(s);
    };
    let names = [strings.tone_chime.clone(), strings.tone_bell.clone(), strings.tone_pulse.clone()];
    view! {
        <details class="alert-settings" data-testid="alert-settings">
            <summary>{strings.alert_sound.clone()}</summary>
            <div class="panel">
                <label for="alert-tone">{strings.alert_tone.clone()}</label>
                <select id="alert-tone" data-testid="alert-tone" on:change=move |ev| {
                    if let Some(tone) = Tone::parse(&event_target_value(&ev)) {
                        keep(AlertSound { tone, ..sound.get_untracked() });
                    }
                }>
                    {Tone::ALL.into_iter().zip(names).map(|(t, name)| view! {
                        <option value=t.key() selected=move || sound.get().tone == t>{name}</option>
                    }).collect_view()}
                </select>
                <label for="alert-volume">{strings.alert_volume.clone()}</label>
                <input id="alert-volume" type="range" min="0" max="100" step="5" data-testid="alert-volume"
                    prop:value=move || sound.get().volume.to_string()
                    on:change=move |ev| {
                        if let Ok(volume) = event_target_value(&ev).parse::<u8>() {
                            keep(AlertSound { volume: volume.min(100), ..sound.get_untracked() });
                        }
                    } />
                <button type="button" data-testid="alert-test" on:click=move |_| {
                    notify::unlock_sound();
                    notify::play(sound.get_untracked());
                }>{strings.alert_test.clone()}</button>
            </div>
        </details>
    }
}

/// Moves focus to the composer once it is on screen (after an accept).
pub(crate) fn focus_composer() {
    let Some(w) = web_sys::window() else { return };
    let focus = Closure::once_into_js(|| {
        let el = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("composer"));
        if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(focus.unchecked_ref(), 50);
}
