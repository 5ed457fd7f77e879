//! Sites: the list with a new-site form, and one site's page — settings,
//! the install snippet with the policy a page must allow, the appearance
//! with the real widget as its live preview, and removal.

use leptos::prelude::*;
use leptos::task::spawn_local;
use switchboard_protocol::admin::requests::MAX_AWAY_AFTER_MISSED;
use switchboard_protocol::admin::SiteView;
use switchboard_protocol::embed;
use switchboard_protocol::site::Position;

use super::{copy, open_dialog, problem, refused, Confirm, Field, OtherProblems, Status};
use crate::api;
use crate::i18n::Strings;
use crate::model::errors::Problems;
use crate::model::route::Route;
use crate::model::site::{locales, AppearanceForm, NewSiteForm, SiteForm};
use crate::preview::Preview;

/// The server's origin, as the admin's browser reaches it.
pub fn server_origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// Every site, and a form to add one.
#[component]
pub fn SiteList(
    /// UI strings.
    strings: Strings,
    /// Where the console says what happened.
    status: Status,
) -> impl IntoView {
    let s = strings;
    let sites = RwSignal::new(None::<Vec<SiteView>>);
    let load = move || {
        spawn_local(async move {
            match api::sites().await {
                Ok(list) => sites.set(Some(list)),
                Err(e) => status.failed(s, &e),
            }
        })
    };
    load();
    let form = NewSiteForm::default();
    let (key, name, origins) =
        (RwSignal::new(form.key), RwSignal::new(form.name), RwSignal::new(form.origins));
    let problems = RwSignal::new(Problems::none());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = NewSiteForm {
            key: key.get_untracked(),
            name: name.get_untracked(),
            origins: origins.get_untracked(),
        }
        .request();
        if let Err(e) = request.check() {
            problems.set(e.into());
            status.say(s.t("fix_fields"));
            return;
        }
        problems.set(Problems::none());
        spawn_local(async move {
            match api::add_site(&request).await {
                Ok(site) => {
                    status.say(s.f("site_added", &[("name", &site.name)]));
                    window().location().set_hash(&Route::Site(site.key.as_str().to_owned()).href()).ok();
                }
                Err(e) => refused(s, status, problems, e),
            }
        });
    };
    view! {
        <h1>{s.t("nav_sites")}</h1>
        {move || match sites.get() {
            None => view! { <p>{s.t("loading")}</p> }.into_any(),
            Some(list) if list.is_empty() => view! { <p data-testid="no-sites">{s.t("no_sites")}</p> }.into_any(),
            Some(list) => view! {
                <div class="table-wrap">
                <table class="list" data-testid="sites">
                    <caption class="sr-only">{s.t("nav_sites")}</caption>
                    <thead><tr><th scope="col">{s.t("site_name")}</th><th scope="col">{s.t("site_key")}</th><th scope="col">{s.t("allowed_origins")}</th><th scope="col">{s.t("chat")}</th></tr></thead>
                    <tbody>
                        {list.into_iter().map(|site| view! {
                            <tr>
                                <td><a href=Route::Site(site.key.as_str().to_owned()).href()>{site.name.clone()}</a></td>
                                <td><code>{site.key.as_str().to_owned()}</code></td>
                                <td>{site.allowed_origins.join(", ")}</td>
                                <td>{if site.chat_enabled { s.t("on") } else { s.t("off") }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            }.into_any(),
        }}
        <section aria-labelledby="new-site-title" class="card">
            <h2 id="new-site-title">{s.t("new_site")}</h2>
            <form on:submit=add novalidate data-testid="new-site">
                <Field id="site-key" label=s.t("site_key") hint=s.t("site_key_hint") value=key error=problem(problems, "key") />
                <Field id="site-name" label=s.t("site_name") value=name error=problem(problems, "name") />
                <Field id="site-origins" label=s.t("allowed_origins") hint=s.t("origins_hint") value=origins rows=3 error=problem(problems, "allowed_origins") />
                <OtherProblems problems known=&["key", "name", "allowed_origins"] />
                <button type="submit">{s.t("add_site")}</button>
            </form>
        </section>
    }
}

/// One site: settings, snippet and policy, appearance with preview.
#[component]
pub fn SitePage(
    /// UI strings.
    strings: Strings,
    /// Where the console says what happened.
    status: Status,
    /// The site's key.
    key: String,
) -> impl IntoView {
    let s = strings;
    let site = RwSignal::new(None::<SiteView>);
    let avatars = RwSignal::new(Vec::<String>::new());
    let k = key.clone();
    spawn_local(async move {
        match api::site(&k).await {
            Ok(v) => site.set(Some(v)),
            Err(e) => status.failed(s, &e),
        }
        // Agents' avatars are shown by the widget too: their hosts go in img-src.
        if let Ok(agents) = api::agents().await {
            avatars.set(agents.into_iter().filter_map(|a| a.profile.avatar_url).collect());
        }
    });
    view! {
        {move || match site.get() {
            None => view! { <p>{s.t("loading")}</p> }.into_any(),
            Some(v) => view! { <SiteDetail strings=s status site=v avatars /> }.into_any(),
        }}
    }
}

#[component]
fn SiteDetail(
    strings: Strings,
    status: Status,
    site: SiteView,
    avatars: RwSignal<Vec<String>>,
) -> impl IntoView {
    let s = strings;
    let key = site.key.as_str().to_owned();
    let form = SiteForm::of(&site);
    let (name, origins, fallback) =
        (RwSignal::new(form.name), RwSignal::new(form.origins), RwSignal::new(form.fallback));
    let (blocked, chat_enabled) = (RwSignal::new(form.blocked), RwSignal::new(form.chat_enabled));
    let away_after_missed = RwSignal::new(form.away_after_missed);
    let (file_max_mb, file_types) = (RwSignal::new(form.file_max_mb), RwSignal::new(form.file_types));
    let problems = RwSignal::new(Problems::none());
    let k = key.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let change = SiteForm {
            name: name.get_untracked(),
            origins: origins.get_untracked(),
            fallback: fallback.get_untracked(),
            blocked: blocked.get_untracked(),
            chat_enabled: chat_enabled.get_untracked(),
            away_after_missed: away_after_missed.get_untracked(),
            file_max_mb: file_max_mb.get_untracked(),
            file_types: file_types.get_untracked(),
        }
        .change();
        if let Err(e) = change.check() {
            problems.set(e.into());
            status.say(s.t("fix_fields"));
            return;
        }
        problems.set(Problems::none());
        let k = k.clone();
        spawn_local(async move {
            match api::update_site(&k, &change).await {
                Ok(v) => {
                    // The form shows what the server kept (origins and
                    // domains normalized, blanks trimmed).
                    let f = SiteForm::of(&v);
                    name.set(f.name);
                    origins.set(f.origins);
                    fallback.set(f.fallback);
                    blocked.set(f.blocked);
                    chat_enabled.set(f.chat_enabled);
                    away_after_missed.set(f.away_after_missed);
                    file_max_mb.set(f.file_max_mb);
                    file_types.set(f.file_types);
                    status.say(s.t("saved"));
                }
                Err(e) => refused(s, status, problems, e),
            }
        });
    };
    let origin = server_origin();
    let snippet = embed::snippet(&origin, &key);
    let bot_avatar = site.appearance.bot_avatar_url.clone();
    let origin2 = origin.clone();
    let policy = move || {
        let mut images: Vec<String> = avatars.get();
        images.extend(bot_avatar.clone());
        embed::host_policy(&origin2, images.iter().map(String::as_str))
            .unwrap_or_default()
            .into_iter()
            .map(|(d, v)| format!("{d} {v}"))
            .collect::<Vec<_>>()
            .join(";\n")
    };
    let snippet2 = snippet.clone();
    let policy2 = policy.clone();
    let k = key.clone();
    let remove = Callback::new(move |()| {
        let k = k.clone();
        spawn_local(async move {
            match api::remove_site(&k).await {
                Ok(()) => {
                    status.say(s.t("site_removed"));
                    window().location().set_hash(&Route::Sites.href()).ok();
                }
                Err(e) => status.failed(s, &e),
            }
        })
    });
    let question = Signal::derive(move || s.f("confirm_remove_site", &[("name", &name.get())]));
    view! {
        <h1>{move || name.get()}</h1>
        <p class="links">
            <a href=Route::Routing(key.clone()).href()>{s.t("nav_routing")}</a>
            " · "
            <a href=Route::Streams(key.clone()).href()>{s.t("nav_streams")}</a>
            " · "
            <a href=Route::Conversations(format!("site={key}")).href()>{s.t("nav_conversations")}</a>
        </p>
        <section class="card" aria-labelledby="install-title">
            <h2 id="install-title">{s.t("install")}</h2>
            <p>{s.t("install_hint")}</p>
            <pre class="code" data-testid="snippet">{snippet.clone()}</pre>
            <button type="button" on:click=move |_| copy(s, status, snippet2.clone()) data-testid="copy-snippet">{s.t("copy_snippet")}</button>
            <h3>{s.t("csp_title")}</h3>
            <p>{s.t("csp_hint")}</p>
            <pre class="code" data-testid="csp">{policy.clone()}</pre>
            <button type="button" class="secondary" on:click=move |_| copy(s, status, policy2())>{s.t("copy_csp")}</button>
        </section>
        <section class="card" aria-labelledby="settings-title">
            <h2 id="settings-title">{s.t("settings")}</h2>
            <form on:submit=save novalidate data-testid="site-settings">
                <Field id="site-name" label=s.t("site_name") value=name error=problem(problems, "name") />
                <Field id="site-origins" label=s.t("allowed_origins") hint=s.t("origins_hint") value=origins rows=3 error=problem(problems, "allowed_origins") />
                <Field id="site-fallback" label=s.t("fallback_message") hint=s.t("fallback_hint") value=fallback rows=3 error=problem(problems, "fallback_message") />
                <Field id="site-blocked" label=s.t("blocked_domains") hint=s.t("blocked_domains_hint") value=blocked rows=3 error=problem(problems, "blocked_email_domains") />
                <label class="check"><input type="checkbox" data-testid="chat-enabled" prop:checked=move || chat_enabled.get()
                    on:change=move |ev| chat_enabled.set(event_target_checked(&ev)) />{s.t("chat_enabled")}</label>
                // A choice, not a typed number: nothing out of range to refuse.
                <div class="field">
                    <label for="site-away">{s.t("away_after_missed")}</label>
                    <select id="site-away" data-testid="away-after-missed"
                        on:change=move |ev| away_after_missed.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {(0..=MAX_AWAY_AFTER_MISSED).map(|n| view! {
                            <option value=n.to_string() selected=move || away_after_missed.get() == n>
                                {if n == 0 { s.t("never") } else { n.to_string() }}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="site-file-max">{s.t("file_max_mb")}</label>
                    <select id="site-file-max" data-testid="file-max-mb" aria-describedby="site-file-max-error"
                        on:change=move |ev| file_max_mb.set(event_target_value(&ev).parse().unwrap_or(0))>
                        // (With a size set elsewhere, such as 3 from the command line, among them.)
                        {{
                            let mut sizes = vec![0u32, 1, 2, 5, 10, 15, 20, 25];
                            let set = file_max_mb.get_untracked();
                            if !sizes.contains(&set) {
                                sizes.push(set);
                                sizes.sort_unstable();
                            }
                            sizes
                        }.into_iter().map(|n| view! {
                            <option value=n.to_string() selected=move || file_max_mb.get() == n>
                                {if n == 0 { s.t("no_files") } else { format!("{n} MB") }}
                            </option>
                        }).collect_view()}
                    </select>
                    <span class="field-error" id="site-file-max-error">{problem(problems, "file_max_mb")}</span>
                </div>
                <fieldset data-testid="file-types" aria-describedby="site-file-types-error">
                    <legend>{s.t("file_types")}</legend>
                    {switchboard_protocol::files::Group::ALL.into_iter().map(|g| {
                        use switchboard_protocol::files::Group;
                        let key = g.key();
                        let label = match g {
                            Group::Images => s.t("file_type_images"),
                            Group::Pdf => s.t("file_type_pdf"),
                            Group::Text => s.t("file_type_text"),
                            Group::Office => s.t("file_type_office"),
                        };
                        view! {
                            <label class="check"><input type="checkbox" value=key
                                prop:checked=move || file_types.with(|t| t.iter().any(|x| x == key))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    file_types.update(|t| {
                                        t.retain(|x| x != key);
                                        if on {
                                            t.push(key.to_owned());
                                        }
                                    });
                                } />{label}</label>
                        }
                    }).collect_view()}
                    <span class="field-error" id="site-file-types-error">{problem(problems, "file_types")}</span>
                </fieldset>
                <OtherProblems problems known=&["name", "allowed_origins", "fallback_message", "blocked_email_domains", "file_max_mb", "file_types"] />
                <button type="submit">{s.t("save")}</button>
            </form>
        </section>
        <AppearanceEditor strings=s status site=site.clone() />
        <section class="card" aria-labelledby="danger-title">
            <h2 id="danger-title">{s.t("remove_site")}</h2>
            <button type="button" class="danger" on:click=move |_| open_dialog("remove-site")>{s.t("remove_site")}</button>
            <Confirm id="remove-site" question yes=s.t("remove") strings=s on_yes=remove />
        </section>
    }
}

/// The appearance form beside the real widget showing the draft (checked as
/// typed with the server's own check; the preview keeps the last draft that passed).
#[component]
pub fn AppearanceEditor(
    /// UI strings.
    strings: Strings,
    /// Where the console says what happened.
    status: Status,
    /// The site.
    site: SiteView,
) -> impl IntoView {
    let s = strings;
    let current = StoredValue::new(site.appearance.clone());
    let f = AppearanceForm::of(&site.appearance);
    let accent = RwSignal::new(f.accent);
    let position = RwSignal::new(f.position);
    let offset = RwSignal::new(f.offset_px);
    let title = RwSignal::new(f.header_title);
    let bot = RwSignal::new(f.bot_name);
    let avatar = RwSignal::new(f.bot_avatar_url);
    let label = RwSignal::new(f.launcher_label);
    let delay = RwSignal::new(f.response_delay_ms);
    let locale = RwSignal::new(f.locale);
    let privacy = RwSignal::new(f.privacy_url);
    let sound = RwSignal::new(f.sound);
    let form = move || AppearanceForm {
        accent: accent.get(),
        position: position.get(),
        offset_px: offset.get(),
        header_title: title.get(),
        bot_name: bot.get(),
        bot_avatar_url: avatar.get(),
        launcher_label: label.get(),
        response_delay_ms: delay.get(),
        locale: locale.get(),
        privacy_url: privacy.get(),
        sound: sound.get(),
    };
    // Checked as typed, with the server's own check; the preview shows the
    // last draft that passed it.
    let checked = Memo::new(move |_| current.with_value(|c| form().preview(c)));
    let problems = RwSignal::new(Problems::none());
    Effect::new(move || problems.set(Problems::from(checked.get())));
    let draft = Memo::new(move |prev: Option<&switchboard_protocol::site::Appearance>| match checked.get() {
        Ok(a) => a,
        Err(_) => prev.cloned().unwrap_or_else(|| current.get_value()),
    });
    let key = site.key.as_str().to_owned();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(change) = form().change() else {
            status.say(s.t("fix_fields"));
            return;
        };
        if !problems.get_untracked().is_empty() {
            status.say(s.t("fix_fields"));
            return;
        }
        let key = key.clone();
        spawn_local(async move {
            match api::update_appearance(&key, &change).await {
                Ok(v) => {
                    // The form shows what the server kept (trimmed, normalized).
                    let f = AppearanceForm::of(&v.appearance);
                    current.set_value(v.appearance);
                    accent.set(f.accent);
                    position.set(f.position);
                    offset.set(f.offset_px);
                    title.set(f.header_title);
                    bot.set(f.bot_name);
                    avatar.set(f.bot_avatar_url);
                    label.set(f.launcher_label);
                    delay.set(f.response_delay_ms);
                    locale.set(f.locale);
                    privacy.set(f.privacy_url);
                    sound.set(f.sound);
                    status.say(s.t("saved"));
                }
                Err(e) => refused(s, status, problems, e),
            }
        });
    };
    let preview_site = site.key.as_str().to_owned();
    view! {
        <section class="card appearance" aria-labelledby="appearance-title">
            <h2 id="appearance-title">{s.t("appearance")}</h2>
            <div class="split">
                <form on:submit=save novalidate data-testid="appearance">
                    <Field id="ap-accent" label=s.t("accent") hint=s.t("accent_hint") value=accent error=problem(problems, "accent") />
                    <div class="field">
                        <label for="ap-position">{s.t("position")}</label>
                        <select id="ap-position" on:change=move |ev| position.set(if event_target_value(&ev) == "bottom_left" { Position::BottomLeft } else { Position::BottomRight })>
                            <option value="bottom_right" selected=move || position.get() == Position::BottomRight>{s.t("bottom_right")}</option>
                            <option value="bottom_left" selected=move || position.get() == Position::BottomLeft>{s.t("bottom_left")}</option>
                        </select>
                    </div>
                    <Field id="ap-offset" label=s.t("offset_px") kind="number" value=offset error=problem(problems, "offset_px") />
                    <Field id="ap-title" label=s.t("header_title") value=title error=problem(problems, "header_title") />
                    <Field id="ap-bot" label=s.t("bot_name") value=bot error=problem(problems, "bot_name") />
                    <Field id="ap-avatar" label=s.t("bot_avatar_url") kind="url" value=avatar error=problem(problems, "bot_avatar_url") />
                    <Field id="ap-label" label=s.t("launcher_label") value=label error=problem(problems, "launcher_label") />
                    <Field id="ap-delay" label=s.t("response_delay_ms") kind="number" value=delay error=problem(problems, "response_delay_ms") />
                    <div class="field">
                        <label for="ap-locale">{s.t("language")}</label>
                        <select id="ap-locale" on:change=move |ev| locale.set(event_target_value(&ev))>
                            <option value="" selected=move || locale.get().is_empty()>{s.t("language_auto")}</option>
                            {locales().into_iter().map(|l| view! {
                                <option value=l.tag() selected=move || locale.get() == l.tag()>{s.t(&format!("language_{}", l.tag()))}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <Field id="ap-privacy" label=s.t("privacy_url") kind="url" value=privacy error=problem(problems, "privacy_url") />
                    <label class="check"><input type="checkbox" prop:checked=move || sound.get() on:change=move |ev| sound.set(event_target_checked(&ev)) />{s.t("sound")}</label>
                    <OtherProblems problems known=&["accent", "offset_px", "header_title", "bot_name", "bot_avatar_url", "launcher_label", "response_delay_ms", "locale", "privacy_url"] />
                    <button type="submit">{s.t("save_appearance")}</button>
                </form>
                <div class="preview-box">
                    <h3>{s.t("preview")}</h3>
                    <Preview site=preview_site appearance=draft label=s.t("preview") />
                </div>
            </div>
        </section>
    }
}
