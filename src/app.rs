//! The widget's components. Logic lives on plain types (protocol, [`crate::bot`],
//! i18n); these stay thin and only render.

use leptos::prelude::*;
use switchboard_protocol::attribute::{Attributes, InputKind};
use switchboard_protocol::site::{web_url, SiteConfig};
use switchboard_protocol::stream::runner::{Input, InputError, Step};
use switchboard_protocol::stream::select::select_for_url;
use switchboard_protocol::wire::{
    Author, ChatMessage, ConversationState, PageContext, VisitorIn, MAX_MESSAGE_CHARS,
};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;

use crate::bot::{self, Bot, Line};
use crate::files::{Attachments, Files, PAPERCLIP};
use crate::i18n::Strings;
use crate::live::{Chat, Link, Socket};
use crate::stats;
use switchboard_protocol::stats::StreamEventKind;

/// Event the panel dispatches on its root when the visitor closes it; the
/// loader (which owns the launcher) listens for it.
pub const CLOSE_EVENT: &str = "sb-close";

/// Event the widget dispatches on its elements for the page's listeners
/// (`Switchboard.on(name, fn)`); the loader passes `detail.name` and
/// `detail.detail` on.
pub const PAGE_EVENT: &str = "sb-event";

/// Event the widget dispatches when an agent writes something this page
/// has not been told of yet; the loader counts it on the launcher when the
/// panel is closed and, when `detail` is `true` (news to the visitor: no
/// other tab of theirs had it first), plays the site's sound for it when the
/// panel is closed or the page in the background.
pub const AGENT_WROTE_EVENT: &str = "sb-agent-wrote";

/// Event the loader dispatches on the mount container when the page calls
/// `Switchboard.identify` after the widget is mounted (detail: JSON text).
pub const IDENTIFY_EVENT: &str = "sb-identify";

/// Dispatches a bubbling `event` from `el` for the loader to hear.
fn dispatch(el: &web_sys::EventTarget, event: &str, detail: Option<&wasm_bindgen::JsValue>) {
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    if let Some(detail) = detail {
        init.set_detail(detail);
    }
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(event, &init) {
        let _ = el.dispatch_event(&event);
    }
}

/// Tells the page `name` happened, with `detail`: an object of these
/// members (a string, or `null` for `None`).
fn emit(from: Option<web_sys::HtmlElement>, name: &str, detail: &[(&str, Option<&str>)]) {
    let Some(el) = from else { return };
    let object = |members: &[(&str, wasm_bindgen::JsValue)]| {
        let o = js_sys::Object::new();
        for (k, v) in members {
            let _ = js_sys::Reflect::set(&o, &(*k).into(), v);
        }
        wasm_bindgen::JsValue::from(o)
    };
    let detail: Vec<_> =
        detail.iter().map(|(k, v)| (*k, v.map_or(wasm_bindgen::JsValue::NULL, Into::into))).collect();
    let payload = object(&[("name", name.into()), ("detail", object(&detail))]);
    dispatch(&el, PAGE_EVENT, Some(&payload));
}

/// The card a step comes from.
fn step_card(step: &Step) -> &str {
    match step {
        Step::Say { card, .. }
        | Step::Ask { card, .. }
        | Step::AskField { card, .. }
        | Step::HandOff { card, .. }
        | Step::End { card, .. } => card,
    }
}

/// Waits `ms` milliseconds (the bot's typing delay).
async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let ms = i32::try_from(ms).unwrap_or(i32::MAX);
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn page_url() -> String {
    web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default()
}

/// The chat panel for a loaded site configuration.
#[component]
pub fn Panel(
    /// The site's configuration, as the server sent it.
    config: SiteConfig,
    /// The server's origin, for the live chat; without it the widget stops
    /// at the live chat card.
    #[prop(optional, into)]
    api_base: Option<String>,
    /// What the page told `Switchboard.identify`.
    #[prop(optional)]
    known: Attributes,
    /// Never take the focus before the visitor answered something (a
    /// preview inside another page, such as the console's test chat).
    #[prop(optional)]
    quiet: bool,
) -> impl IntoView {
    let locale = crate::locale_for(config.appearance.locale);
    let strings = Strings::for_locale(locale);
    let root = NodeRef::<leptos::html::Section>::new();
    let close = move |_| {
        if let Some(el) = root.get() {
            dispatch(&el, CLOSE_EVENT, None);
        }
    };
    let intro = strings.chatting_with(&config.appearance.bot_name);
    // Only http(s) addresses, whatever the configuration holds (the server
    // checks them too).
    let web = |url: &Option<String>| url.clone().filter(|u| web_url(u).is_ok());
    let avatar = web(&config.appearance.bot_avatar_url);
    let privacy = web(&config.appearance.privacy_url);
    view! {
        <section
            node_ref=root
            class="sb-panel"
            role="dialog"
            aria-labelledby="sb-title"
            lang=locale.tag()
            data-testid="panel"
        >
            <header class="sb-header">
                <h2 id="sb-title" class="sb-title" data-testid="title">
                    {avatar.map(|src| view! { <img class="sb-avatar" src=src alt="" data-testid="bot-avatar" /> })}
                    {config.appearance.header_title.clone()}
                </h2>
                <button type="button" class="sb-close" aria-label=strings.close on:click=close data-testid="close">
                    "×"
                </button>
            </header>
            <BotView config=config.clone() strings=strings intro api_base known quiet />
            {privacy.map(|href| view! {
                <p class="sb-privacy">
                    <a href=href target="_blank" rel="noopener noreferrer" data-testid="privacy">{strings.privacy}</a>
                </p>
            })}
        </section>
    }
}

/// The stream for this page: the log of bubbles, the typing indicator and the
/// question or field waiting for the visitor.
#[component]
fn BotView(
    config: SiteConfig,
    strings: &'static Strings,
    intro: String,
    api_base: Option<String>,
    known: Attributes,
    quiet: bool,
) -> impl IntoView {
    let site = config.site.to_string();
    let delay = config.appearance.response_delay_ms;
    let lines = RwSignal::new(Vec::<Line>::new());
    let prompt = RwSignal::new(None::<Step>);
    let done = RwSignal::new(None::<Step>);
    let typing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let in_chat = crate::live::load(&site).handed_off;
    let url = page_url();
    let started = Bot::begin(&config, &url, bot::load(&site), known.clone(), in_chat);
    // Only streams the visitor completed apply here: they may start one again.
    let idle = RwSignal::new(started.is_none() && select_for_url(&config.streams, &url).is_some());
    let first_steps = match &started {
        Some((b, steps)) => {
            if !steps.is_empty() {
                bot::store_started(&site, b);
            } else {
                bot::store(&site, b.saved());
                // Continuing after a reload: show what was said, and what waits.
                lines.set(b.lines());
                prompt.set(b.saved().prompt.clone());
                done.set(b.saved().done.clone());
            }
            steps.clone()
        }
        None => Vec::new(),
    };
    let fresh = !first_steps.is_empty();
    // Questions and fields take the focus only once the visitor is at it in
    // this page (not when a reload reopens the panel by itself).
    let interacted = StoredValue::new(fresh && !quiet);
    let stream_id = started.as_ref().map(|(b, _)| b.saved().state.stream.clone()).unwrap_or_default();
    // The dialogue reports' counts go to the server (not from a preview).
    let counting = api_base.clone().filter(|_| !quiet);
    if let (Some(api), true) = (&counting, started.is_some()) {
        stats::start(api, &site, fresh);
    }
    let bot = StoredValue::new(started.map(|(b, _)| b));
    // (`try_`: a preview may drop the widget while it still answers.)
    let count = move |kind: StreamEventKind, card: &str| {
        let run = bot.try_with_value(|b| b.as_ref().map(|b| (b.stream().id.clone(), b.stream().version)));
        if let Some((stream, version)) = run.flatten() {
            stats::record(kind, &stream, version, card);
        }
    };
    // The steps a start or an answer gave, counted as they are given (not
    // as they are drawn, after the typing delays: the visitor may leave
    // meanwhile). Steps that end without asking anything end the branch.
    let count_steps = move |steps: &[Step], start: bool| {
        for (i, step) in steps.iter().enumerate() {
            let card = step_card(step);
            if start && i == 0 {
                count(StreamEventKind::Shown, card);
            }
            count(StreamEventKind::Reached, card);
            if let Step::HandOff { .. } = step {
                count(StreamEventKind::LiveChat, card);
            }
        }
        if let Some(last) = steps.last().filter(|s| !matches!(s, Step::Ask { .. } | Step::AskField { .. })) {
            count(StreamEventKind::Completed, step_card(last));
        }
    };

    // Shows steps one by one, each bot bubble after the typing delay (but
    // the greeting that opens a fresh stream at once: the visitor who opens
    // the panel sees the first card without waiting); the question or field
    // only once everything before it is shown.
    let log = NodeRef::<leptos::html::Div>::new();
    let reveal = move |steps: Vec<Step>, greeting: bool| {
        leptos::task::spawn_local(async move {
            for (i, step) in steps.into_iter().enumerate() {
                if let Some(line) = bot::line_of(&step) {
                    if !(greeting && i == 0) {
                        typing.set(true);
                        sleep(delay).await;
                        typing.set(false);
                    }
                    lines.update(|l| l.push(line));
                }
                match step {
                    Step::Ask { .. } | Step::AskField { .. } => prompt.set(Some(step)),
                    Step::HandOff { .. } | Step::End { .. } => {
                        done.set(Some(step));
                        // What answered the last card is gone: the focus
                        // goes on in the panel, not to the page's body.
                        // (`try_`: a preview may drop the widget meanwhile.)
                        if interacted.try_get_value() == Some(true) {
                            focus_next(log);
                        }
                    }
                    Step::Say { .. } => {}
                }
            }
        });
    };
    count_steps(&first_steps, true);
    reveal(first_steps, fresh);

    let value_error = move |e: &InputError| match e {
        InputError::Invalid { error, .. } => strings.value_error(error),
        other => other.to_string(),
    };
    let answer = {
        let site = site.clone();
        move |input: Input| {
            let asked =
                prompt.with_untracked(|p| p.as_ref().map(|p| step_card(p).to_owned())).unwrap_or_default();
            let had_email = bot
                .try_with_value(|b| {
                    b.as_ref().is_some_and(|b| b.saved().state.attributes.contains_key("email"))
                })
                .unwrap_or(false);
            let result =
                bot.try_update_value(|b| b.as_mut().map(|b| b.answer(input).map(|r| (r, b.saved().clone()))));
            match result.flatten() {
                Some(Ok(((said, steps), saved))) => {
                    count(StreamEventKind::Engaged, &asked);
                    if !had_email && saved.state.attributes.contains_key("email") {
                        count(StreamEventKind::Email, &asked);
                    }
                    interacted.set_value(true);
                    bot::store(&site, &saved);
                    error.set(None);
                    prompt.set(None);
                    lines.update(|l| l.push(Line::Visitor(said)));
                    count_steps(&steps, false);
                    reveal(steps, false);
                }
                Some(Err(e)) => error.set(Some(value_error(&e))),
                None => {}
            }
        }
    };

    // At the live chat card: connect, hand off, chat.
    let chat = RwSignal::new(Chat::default());
    let socket = StoredValue::new_local(None::<Socket>);
    let files = api_base.clone().map(|api_base| Files {
        api_base,
        site: site.clone(),
        settings: config.files.clone(),
        token: std::sync::Arc::new(move || {
            socket.try_with_value(|s| s.as_ref().and_then(Socket::token)).flatten()
        }),
    });
    let live = RwSignal::new(false);
    {
        let site = site.clone();
        Effect::new(move |_| {
            let Some(Step::HandOff { card, attributes, transcript, .. }) = done.get() else { return };
            let Some(api) = api_base.clone() else { return };
            if socket.with_value(Option::is_some) {
                return;
            }
            // The stream and version the visitor ran, and the card they
            // reached: the server routes by its own copy of that card.
            let (stream, version) = bot
                .with_value(|b| b.as_ref().map(|b| (b.saved().state.stream.clone(), b.stream().version)))
                .unwrap_or_default();
            let handoff =
                VisitorIn::Handoff { stream, version, card, attributes, transcript, page: page_context() };
            let s = Socket::open(
                &api,
                &site,
                Some(handoff),
                move |f| chat.update(|c| c.apply(f)),
                move |l| chat.update(|c| c.link = l),
                move |first: bool| {
                    if let Some(el) = log.get_untracked() {
                        dispatch(&el, AGENT_WROTE_EVENT, Some(&first.into()));
                    }
                },
            );
            chat.update(|c| c.pending = s.pending());
            socket.set_value(Some(s));
            live.set(true);
        });
        on_cleanup(move || {
            if let Some(s) = socket.try_get_value().flatten() {
                s.close();
            }
        });
    }
    let send = move |text: String| {
        if let Some(s) = socket.get_value() {
            let p = s.say(&text);
            chat.update(|c| c.pending.push(p));
        }
    };
    let end = move || {
        if let Some(s) = socket.get_value() {
            s.end();
        }
    };
    let typing_to_agent = move |t: bool| {
        if let Some(s) = socket.get_value() {
            s.typing(t);
        }
    };

    // Keep the newest line in view: scroll the panel down whenever something is added.
    let el = move || log.get_untracked().map(|l| l.unchecked_into::<web_sys::HtmlElement>());

    // The page's events: the stream started and completed (not again after a
    // reload), live chat requested, started, ended, or timed out (nobody took it).
    let was_done = StoredValue::new(done.get_untracked().is_some());
    let last = StoredValue::new(None::<ConversationState>);
    {
        let completing = site.clone();
        let site = site.clone();
        log.on_load(move |log_el| {
            if fresh {
                emit(el(), "stream_started", &[("stream", Some(&stream_id))]);
            }
            // `Switchboard.identify` after the widget is mounted: the loader
            // tells the mount container; later capture cards are skipped.
            let container = log_el.closest(".sb-panel").ok().flatten().and_then(|p| p.parent_element());
            if let Some(container) = container {
                let on = Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
                    let Some(json) = e.detail().as_string() else { return };
                    let known = bot::identified(&json);
                    bot.update_value(|b| {
                        if let Some(b) = b {
                            b.identify(known);
                            bot::store(&site, b.saved());
                        }
                    });
                });
                let _ =
                    container.add_event_listener_with_callback(IDENTIFY_EVENT, on.as_ref().unchecked_ref());
                // The widget lives as long as the page.
                on.forget();
            }
        });
        Effect::new(move |_| {
            let Some(d) = done.get() else { return };
            if was_done.get_value() {
                return;
            }
            was_done.set_value(true);
            let stream = bot.with_value(|b| b.as_ref().map(|b| b.stream().id.clone())).unwrap_or_default();
            bot::complete(&completing, &stream);
            emit(el(), "stream_completed", &[("stream", Some(&stream))]);
            if matches!(d, Step::HandOff { .. }) {
                emit(el(), "live_chat_requested", &[("stream", Some(&stream))]);
            }
        });
        Effect::new(move |_| {
            let now = chat.with(|c| c.state);
            let before = last.get_value();
            last.set_value(now);
            // From no state (a reload's welcome) nothing is announced again.
            if before.is_none() || before == now {
                return;
            }
            let agent = chat.with_untracked(|c| c.agent.as_ref().map(|a| a.name.clone()));
            match now {
                Some(ConversationState::Active) => {
                    emit(el(), "live_chat_started", &[("agent", agent.as_deref())])
                }
                Some(ConversationState::Ended) => emit(el(), "live_chat_ended", &[]),
                Some(ConversationState::Fallback) => emit(el(), "live_chat_timed_out", &[]),
                _ => {}
            }
        });
    }
    Effect::new(move |_| {
        let _ = (
            lines.with(Vec::len),
            prompt.with(Option::is_some),
            typing.get(),
            done.with(Option::is_some),
            // A refused value's message under the field, too.
            error.with(Option::is_some),
        );
        let _ = chat.with(|c| (c.messages.len(), c.pending.len(), c.agent_typing, c.agent.is_some()));
        if let Some(panel) = log.get_untracked().and_then(|l| l.closest(".sb-panel").ok().flatten()) {
            let scroll = Closure::once_into_js(move || panel.set_scroll_top(panel.scroll_height()));
            if let Some(w) = web_sys::window() {
                let _ = w.request_animation_frame(scroll.unchecked_ref());
            }
        }
    });

    // Once the chat or the stream is over, the visitor can start again.
    // (Memos, here and in the chat view, so that a frame that changes
    // nothing they show does not build their elements again.)
    let over = Memo::new(move |_| {
        idle.get() || chat.with(|c| !c.open()) || done.with(|d| matches!(d, Some(Step::End { .. })))
    });
    let restart = {
        let (site, config) = (site.clone(), config.clone());
        move || {
            if let Some(s) = socket.get_value() {
                s.close();
            }
            socket.set_value(None);
            live.set(false);
            chat.set(Chat::default());
            bot::forget(&site);
            crate::live::start_over(&site);
            lines.set(Vec::new());
            prompt.set(None);
            error.set(None);
            was_done.set_value(false);
            last.set_value(None);
            done.set(None);
            idle.set(false);
            interacted.set_value(true);
            // (Also a stream the visitor completed: they asked for it.)
            let nothing = bot::Kept::default();
            if let Some((b, steps)) = Bot::begin(&config, &page_url(), nothing, known.clone(), false) {
                if let Some(api) = &counting {
                    stats::start(api, &site, true);
                }
                bot::store_started(&site, &b);
                let stream = b.saved().state.stream.clone();
                bot.set_value(Some(b));
                emit(el(), "stream_started", &[("stream", Some(&stream))]);
                count_steps(&steps, true);
                reveal(steps, true);
            }
        }
    };

    let new_chat = strings.new_chat;
    let typing_text = strings.typing.replace("{name}", &config.appearance.bot_name);
    let connecting = strings.connecting;
    let strings_for_prompt = strings;
    view! {
        <div class="sb-log" role="log" aria-live="polite" aria-label=strings.conversation data-testid="log" node_ref=log>
            <p class="sb-bot">{intro}</p>
            {move || lines.get().into_iter().map(bubble).collect_view()}
            // "Connecting…" until an agent takes the chat (or nobody can).
            {move || done.get().filter(|_| chat.with(|c| c.agent.is_none() && c.open())).and_then(|d| match d {
                Step::HandOff { text, .. } => Some(view! {
                    <p class="sb-system" data-testid="connecting">{text.unwrap_or_else(|| connecting.to_owned())}</p>
                }),
                _ => None,
            })}
        </div>
        {move || typing.get().then(|| view! { <p class="sb-typing" data-testid="typing">{typing_text.clone()}</p> })}
        {move || prompt.get().map(|p| {
            prompt_view(p, strings_for_prompt, error, answer.clone(), interacted.get_value())
        })}
        {move || live.get().then(|| match files.clone() {
            Some(files) => view! { <ChatView chat strings send end typing=typing_to_agent files /> }.into_any(),
            None => view! { <ChatView chat strings send end typing=typing_to_agent /> }.into_any(),
        })}
        {move || over.get().then(|| {
            let restart = restart.clone();
            view! {
                <button type="button" class="sb-answer sb-new" data-testid="new-chat" on:click=move |_| restart()>
                    {new_chat}
                </button>
            }
        })}
    }
}

/// Once what a step ended with is drawn, focuses the next place to be in
/// the panel of `log`: the live chat's composer, else "Start a new
/// conversation", else the close button. Not when the visitor went on
/// elsewhere on the page meanwhile (the focus is not on the page's body
/// or in the widget).
fn focus_next(log: NodeRef<leptos::html::Div>) {
    let next = Closure::once_into_js(move || {
        let doc = web_sys::window().and_then(|w| w.document());
        let active = doc.as_ref().and_then(web_sys::Document::active_element);
        let body = doc.and_then(|d| d.body()).map(web_sys::Element::from);
        let elsewhere = active.is_some_and(|a| Some(&a) != body.as_ref() && a.id() != "switchboard-widget");
        let panel = log.try_get_untracked().flatten().and_then(|l| l.closest(".sb-panel").ok().flatten());
        if elsewhere {
            return;
        }
        let target = panel.and_then(|p| {
            ["[data-testid=message-input]", "[data-testid=new-chat]", "[data-testid=close]"]
                .into_iter()
                .find_map(|css| p.query_selector(css).ok().flatten())
        });
        if let Some(t) = target {
            let _ = t.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(next.unchecked_ref(), 0);
    }
}

fn page_context() -> PageContext {
    let window = web_sys::window();
    let url = page_url();
    let referrer = window.as_ref().and_then(|w| w.document()).map(|d| d.referrer()).unwrap_or_default();
    let language = window.as_ref().and_then(|w| w.navigator().language()).unwrap_or_default();
    let query = url.split_once('?').map_or("", |(_, q)| q.split('#').next().unwrap_or(""));
    // Inserted one by one: `collect` into a map sorts first, which costs the
    // bundle a sort routine.
    let mut utm = std::collections::BTreeMap::new();
    for (k, v) in query.split('&').filter_map(|kv| kv.split_once('=')).filter(|(k, _)| k.starts_with("utm_"))
    {
        let v = js_sys::decode_uri_component(&v.replace('+', " ")).map(String::from).unwrap_or_default();
        utm.insert(k.to_owned(), v);
    }
    PageContext { url, referrer, language, utm }
}

/// The live chat: the agent, the messages in order, what is still being
/// sent, the typing indicator, the composer and the end button.
#[component]
pub fn ChatView(
    /// The chat as built from the server's frames.
    chat: RwSignal<Chat>,
    /// The UI strings.
    strings: &'static Strings,
    /// Sends a message.
    send: impl Fn(String) + Clone + Send + Sync + 'static,
    /// Ends the chat.
    end: impl Fn() + Clone + Send + Sync + 'static,
    /// Tells the agent the visitor is (not) typing.
    typing: impl Fn(bool) + Clone + Send + Sync + 'static,
    /// Where the chat's files go and come from; without it (or when the
    /// site takes none) the visitor cannot attach any.
    #[prop(optional)]
    files: Option<Files>,
) -> impl IntoView {
    let draft = RwSignal::new(String::new());
    // Files: the chat's element is wired for them once there, and the
    // files messages carry are filled in whenever messages come.
    let attachments = files.map(|f| Attachments::new(f, strings));
    // Only where the site takes files can the visitor send any.
    let outbox = attachments.filter(|a| a.can_send());
    let live = NodeRef::<leptos::html::Div>::new();
    if let Some(a) = attachments {
        live.on_load(move |el| a.wire(el.unchecked_into()));
    }
    // Typing is reported on change only, and stops after three quiet seconds:
    // one frame per burst of typing, not one per key.
    let typing = {
        let reported = StoredValue::new(false);
        let keys = StoredValue::new(0u32);
        move |now: bool| {
            keys.update_value(|k| *k = k.wrapping_add(1));
            if reported.get_value() != now {
                reported.set_value(now);
                typing(now);
            }
            if now {
                let at = keys.get_value();
                let typing = typing.clone();
                let quiet = Closure::once_into_js(move || {
                    if keys.try_get_value() == Some(at) && reported.try_get_value() == Some(true) {
                        reported.set_value(false);
                        typing(false);
                    }
                });
                if let Some(w) = web_sys::window() {
                    let _ =
                        w.set_timeout_with_callback_and_timeout_and_arguments_0(quiet.unchecked_ref(), 3000);
                }
            }
        }
    };
    let someone = strings.someone;
    let agent_name = move || chat.with(|c| c.agent.as_ref().map(|a| a.name.clone()));
    let with_name =
        move |template: &str| template.replace("{name}", agent_name().as_deref().unwrap_or(someone));
    let submit = {
        let send = send.clone();
        let typing = typing.clone();
        move || {
            let text = draft.get_untracked();
            if text.trim().is_empty() {
                return;
            }
            send(text.trim().to_owned());
            typing(false);
            draft.set(String::new());
        }
    };
    let on_submit = {
        let submit = submit.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            submit();
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        // Enter sends; Shift+Enter is a new line.
        // (Not while an input method is composing: Enter picks a candidate there.)
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() && ev.key_code() != 229 {
            ev.prevent_default();
            submit();
        }
    };
    let chatting = {
        let template = strings.chatting_with_agent;
        move || agent_name().map(|_| with_name(template))
    };
    let avatar = move || {
        chat.with(|c| c.agent.as_ref().and_then(|a| a.avatar_url.clone())).filter(|u| web_url(u).is_ok())
    };
    let typing_line = {
        let template = strings.agent_typing;
        move || with_name(template)
    };
    let sending = strings.sending;
    let agent_typing = Memo::new(move |_| chat.with(|c| c.agent_typing));
    let reconnecting = Memo::new(move |_| chat.with(|c| c.link == Link::Reconnecting));
    let open = Memo::new(move |_| chat.with(Chat::open));
    let ended = Memo::new(move |_| chat.with(|c| c.state == Some(ConversationState::Ended)));
    let end_chat = strings.end_chat;
    view! {
        <div class="sb-live" data-testid="live" node_ref=live>
            {move || chatting().map(|t| view! {
                <p class="sb-agent" data-testid="agent">
                    {avatar().map(|src| view! { <img class="sb-avatar" src=src alt="" /> })}
                    <span>{t}</span>
                </p>
            })}
            <div class="sb-log sb-chat" role="log" aria-live="polite" aria-label=strings.conversation data-testid="chat">
                {move || {
                    let shown = chat.with(|c| c.messages.clone()).into_iter().map(|m| message(m, attachments, strings)).collect_view();
                    // Once drawn, their files are filled in.
                    if let Some(a) = attachments {
                        a.dress_soon();
                    }
                    shown
                }}
                {move || chat.with(|c| c.pending.clone()).into_iter().map(|p| {
                    line("sb-visitor sb-pending", "pending", None, p.text, Some(sending))
                }).collect_view()}
            </div>
            {move || agent_typing.get().then(|| view! {
                <p class="sb-typing" data-testid="agent-typing">{typing_line}</p>
            })}
            {move || reconnecting.get().then(|| view! {
                <p class="sb-status" role="status" data-testid="reconnecting">{strings.reconnecting}</p>
            })}
            {move || if !open.get() {
                ended.get().then(|| view! {
                    <p class="sb-system" role="status" data-testid="ended">{strings.chat_ended}</p>
                }).into_any()
            } else {
                let (on_submit, on_keydown, typing, end) = (on_submit.clone(), on_keydown.clone(), typing.clone(), end.clone());
                view! {
                <form class="sb-form sb-composer" on:submit=on_submit.clone() data-testid="composer">
                    {outbox.map(|a| view! {
                        <ul class="sb-uploads" data-testid="uploads"></ul>
                        <p class="sb-sr-only sb-upload-status" role="status"></p>
                        <input type="file" class="sb-sr-only" multiple tabindex="-1" aria-hidden="true"
                            accept=a.accept() data-testid="file-input" />
                    })}
                    <label for="sb-message" class="sb-sr-only">{strings.message}</label>
                    <div class="sb-row">
                        {outbox.map(|_| view! {
                            <button type="button" class="sb-attach" aria-label=strings.attach title=strings.attach
                                data-testid="attach" inner_html=PAPERCLIP></button>
                        })}
                        <textarea id="sb-message" class="sb-input" rows="1" data-testid="message-input"
                            maxlength=MAX_MESSAGE_CHARS.to_string()
                            placeholder=strings.message_placeholder
                            prop:value=move || draft.get()
                            on:input={
                                let typing = typing.clone();
                                move |ev| {
                                    let v = event_target_value(&ev);
                                    typing(!v.is_empty());
                                    draft.set(v);
                                }
                            }
                            on:keydown=on_keydown.clone()></textarea>
                        <button type="submit" class="sb-send" data-testid="send-message">{strings.send}</button>
                    </div>
                    <button type="button" class="sb-end" data-testid="end" on:click=move |_| end()>{end_chat}</button>
                </form>
                }.into_any()
            }}
        </div>
    }
}

fn message(m: ChatMessage, files: Option<Attachments>, strings: &'static Strings) -> AnyView {
    let class = match m.author {
        Author::Visitor => "sb-visitor",
        Author::Agent => "sb-bot sb-from-agent",
        Author::System | Author::Note => "sb-system",
    };
    match (m.file, files) {
        // An empty slot with the file's data, which [`Attachments`] fills.
        (Some(file), Some(_)) => {
            let (id, name, label, image) = crate::files::slot_data(file, strings);
            view! {
                <div class=class data-testid="message" data-seq=m.seq.to_string() data-file=id
                    data-name=name data-label=label data-image=image.then_some("")></div>
            }
            .into_any()
        }
        _ => line(class, "message", Some(m.seq.to_string()), m.text, None).into_any(),
    }
}

fn bubble(l: Line) -> impl IntoView {
    match l {
        Line::Bot(text) => line("sb-bot", "bot", None, text, None),
        Line::Visitor(text) => line("sb-visitor", "visitor", None, text, None),
    }
}

/// One bubble of a log, of whatever kind: one element type for all of them
/// (a type for each kind would each be built by code of its own).
fn line(
    class: &'static str,
    testid: &'static str,
    seq: Option<String>,
    text: String,
    note: Option<&'static str>,
) -> impl IntoView {
    view! {
        <p class=class data-testid=testid data-seq=seq>
            {text}
            {note.map(|n| view! { <span class="sb-sr-only">" "{n}</span> })}
        </p>
    }
}

/// The controls for the question or field waiting for the visitor.
fn prompt_view(
    step: Step,
    strings: &'static Strings,
    error: RwSignal<Option<String>>,
    answer: impl Fn(Input) + Clone + Send + Sync + 'static,
    autofocus: bool,
) -> AnyView {
    match step {
        Step::Ask { answers, .. } => {
            // Keyboard users land on the first answer.
            let group = NodeRef::<leptos::html::Div>::new();
            group.on_load(move |g| {
                if !autofocus {
                    return;
                }
                if let Ok(Some(first)) = g.query_selector("button") {
                    let _ = first.unchecked_into::<web_sys::HtmlElement>().focus();
                }
            });
            let buttons = answers
                .into_iter()
                .enumerate()
                .map(|(i, label)| {
                    let answer = answer.clone();
                    view! {
                        <button type="button" class="sb-answer" data-testid="answer" on:click=move |_| answer(Input::Answer(i))>
                            {label}
                        </button>
                    }
                })
                .collect_view();
            view! {
                <div class="sb-answers" role="group" aria-label=strings.answers node_ref=group>{buttons}</div>
            }
            .into_any()
        }
        Step::AskField { prompt, placeholder, input, options, required, .. } => {
            let value = RwSignal::new(String::new());
            let submit = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                answer(Input::Field(value.get_untracked()));
            };
            let invalid = move || error.get().is_some().then_some("true");
            let control = if input == InputKind::Pick {
                let select = NodeRef::<leptos::html::Select>::new();
                select.on_load(move |s| {
                    if autofocus {
                        let _ = s.focus();
                    }
                });
                view! {
                    <select id="sb-field" class="sb-input" node_ref=select data-testid="field"
                        aria-invalid=invalid aria-describedby="sb-field-error" required=required
                        on:change=move |ev| value.set(event_target_value(&ev))>
                        <option value="">{strings.choose}</option>
                        {options.into_iter().map(|o| view! { <option value=o.clone()>{o.clone()}</option> }).collect_view()}
                    </select>
                }
                .into_any()
            } else {
                let kind = match input {
                    InputKind::Email => "email",
                    InputKind::Phone => "tel",
                    _ => "text",
                };
                let autocomplete = match input {
                    InputKind::Email => "email",
                    InputKind::Phone => "tel",
                    _ => "on",
                };
                let field = NodeRef::<leptos::html::Input>::new();
                field.on_load(move |f| {
                    if autofocus {
                        let _ = f.focus();
                    }
                });
                view! {
                    <input id="sb-field" class="sb-input" node_ref=field data-testid="field" type=kind
                        autocomplete=autocomplete placeholder=placeholder
                        aria-invalid=invalid aria-describedby="sb-field-error" aria-required=required.then_some("true")
                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                }
                .into_any()
            };
            view! {
                // The browser's own validation would show English bubbles; the
                // widget checks (in the visitor's language) instead.
                <form class="sb-form" novalidate on:submit=submit data-testid="form">
                    // The prompt is the bubble just above: said once, and
                    // the field's accessible name.
                    <label for="sb-field" class="sb-sr-only">{prompt}</label>
                    <div class="sb-row">
                        {control}
                        <button type="submit" class="sb-send" data-testid="send">{strings.send}</button>
                    </div>
                    <p id="sb-field-error" class="sb-field-error" role="alert" data-testid="field-error">
                        {move || error.get().unwrap_or_default()}
                    </p>
                </form>
            }
            .into_any()
        }
        _ => ().into_any(),
    }
}

/// Shown instead of the panel when the configuration could not be loaded.
#[component]
pub fn LoadError(
    /// What to tell the visitor.
    message: &'static str,
) -> impl IntoView {
    view! { <p class="sb-error" role="alert" data-testid="load-error">{message}</p> }
}
