//! The widget's components. Logic lives on plain types (protocol, [`crate::bot`],
//! i18n); these stay thin and only render.

use leptos::prelude::*;
use switchboard_protocol::attribute::InputKind;
use switchboard_protocol::site::SiteConfig;
use switchboard_protocol::stream::runner::{Input, InputError, Step};
use wasm_bindgen::JsCast;

use crate::bot::{self, Bot, Line};
use crate::i18n::Strings;

/// Event the panel dispatches on its root when the visitor closes it; the
/// loader (which owns the launcher) listens for it.
pub const CLOSE_EVENT: &str = "sb-close";

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
) -> impl IntoView {
    let strings = Strings::for_locale(config.appearance.locale);
    let accent = config.appearance.accent;
    let style = format!("--sb-accent: {accent}; --sb-on-accent: {};", accent.readable_text());
    let root = NodeRef::<leptos::html::Section>::new();
    let close = move |_| {
        if let Some(el) = root.get() {
            let init = web_sys::CustomEventInit::new();
            init.set_bubbles(true);
            if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(CLOSE_EVENT, &init) {
                let _ = el.unchecked_ref::<web_sys::EventTarget>().dispatch_event(&event);
            }
        }
    };
    let intro = strings.chatting_with(&config.appearance.bot_name);
    view! {
        <section
            node_ref=root
            class="sb-panel"
            role="dialog"
            aria-labelledby="sb-title"
            lang=config.appearance.locale.tag()
            style=style
            data-testid="panel"
        >
            <header class="sb-header">
                <h2 id="sb-title" class="sb-title" data-testid="title">{config.appearance.header_title.clone()}</h2>
                <button type="button" class="sb-close" aria-label=strings.close.clone() on:click=close data-testid="close">
                    "×"
                </button>
            </header>
            <BotView config=config.clone() strings=strings.clone() intro />
        </section>
    }
}

/// The stream for this page: the log of bubbles, the typing indicator and the
/// question or field waiting for the visitor.
#[component]
fn BotView(config: SiteConfig, strings: Strings, intro: String) -> impl IntoView {
    let site = config.site.to_string();
    let delay = config.appearance.response_delay_ms;
    let lines = RwSignal::new(Vec::<Line>::new());
    let prompt = RwSignal::new(None::<Step>);
    let done = RwSignal::new(None::<Step>);
    let typing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let started = Bot::begin(&config, &page_url(), bot::load(&site));
    let first_steps = match &started {
        Some((b, steps)) => {
            bot::store(&site, b.saved());
            if steps.is_empty() {
                // Continuing after a reload: show what was said, and what waits.
                lines.set(b.lines());
                prompt.set(b.saved().prompt.clone());
                done.set(b.saved().done.clone());
            }
            steps.clone()
        }
        None => Vec::new(),
    };
    let bot = StoredValue::new(started.map(|(b, _)| b));

    // Shows steps one by one, each bot bubble after the typing delay; the
    // question or field only once everything before it is shown.
    let reveal = move |steps: Vec<Step>| {
        leptos::task::spawn_local(async move {
            for step in steps {
                if let Some(line) = bot::line_of(&step) {
                    typing.set(true);
                    sleep(delay).await;
                    typing.set(false);
                    lines.update(|l| l.push(line));
                }
                match step {
                    Step::Ask { .. } | Step::AskField { .. } => prompt.set(Some(step)),
                    Step::HandOff { .. } | Step::End { .. } => done.set(Some(step)),
                    Step::Say { .. } => {}
                }
            }
        });
    };
    reveal(first_steps);

    let value_error = {
        let strings = strings.clone();
        move |e: &InputError| match e {
            InputError::Invalid { error, .. } => strings.value_error(error),
            other => other.to_string(),
        }
    };
    let answer = {
        let site = site.clone();
        move |input: Input| {
            let result =
                bot.try_update_value(|b| b.as_mut().map(|b| b.answer(input).map(|r| (r, b.saved().clone()))));
            match result.flatten() {
                Some(Ok(((said, steps), saved))) => {
                    bot::store(&site, &saved);
                    error.set(None);
                    prompt.set(None);
                    lines.update(|l| l.push(Line::Visitor(said)));
                    reveal(steps);
                }
                Some(Err(e)) => error.set(Some(value_error(&e))),
                None => {}
            }
        }
    };

    let typing_text = strings.typing.replace("{name}", &config.appearance.bot_name);
    let connecting = strings.connecting.clone();
    let strings_for_prompt = strings.clone();
    view! {
        <div class="sb-log" role="log" aria-live="polite" aria-label=strings.conversation.clone() data-testid="log">
            <p class="sb-bot">{intro}</p>
            <For each={move || numbered(lines.get())} key={|(i, _)| *i} children={bubble} />
            {move || done.get().and_then(|d| match d {
                Step::HandOff { text, .. } => Some(view! {
                    <p class="sb-system" data-testid="connecting">{text.unwrap_or_else(|| connecting.clone())}</p>
                }),
                _ => None,
            })}
        </div>
        <Show when=move || typing.get()>
            <p class="sb-typing" data-testid="typing">{typing_text.clone()}</p>
        </Show>
        {move || prompt.get().map(|p| prompt_view(p, strings_for_prompt.clone(), error, answer.clone()))}
    }
}

fn numbered(lines: Vec<Line>) -> Vec<(usize, Line)> {
    lines.into_iter().enumerate().collect()
}

fn bubble((_, line): (usize, Line)) -> AnyView {
    match line {
        Line::Bot(text) => view! { <p class="sb-bot" data-testid="bot">{text}</p> }.into_any(),
        Line::Visitor(text) => view! { <p class="sb-visitor" data-testid="visitor">{text}</p> }.into_any(),
    }
}

/// The controls for the question or field waiting for the visitor.
fn prompt_view(
    step: Step,
    strings: Strings,
    error: RwSignal<Option<String>>,
    answer: impl Fn(Input) + Clone + Send + Sync + 'static,
) -> AnyView {
    match step {
        Step::Ask { answers, .. } => {
            // Keyboard users land on the first answer.
            let group = NodeRef::<leptos::html::Div>::new();
            group.on_load(|g| {
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
                <div class="sb-answers" role="group" aria-label=strings.answers.clone() node_ref=group>{buttons}</div>
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
                select.on_load(|s| {
                    let _ = s.focus();
                });
                view! {
                    <select id="sb-field" class="sb-input" node_ref=select data-testid="field"
                        aria-invalid=invalid aria-describedby="sb-field-error" required=required
                        on:change=move |ev| value.set(event_target_value(&ev))>
                        <option value="">{strings.choose.clone()}</option>
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
                field.on_load(|f| {
                    let _ = f.focus();
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
                    <label for="sb-field" class="sb-label">{prompt}</label>
                    <div class="sb-row">
                        {control}
                        <button type="submit" class="sb-send" data-testid="send">{strings.send.clone()}</button>
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
    message: String,
) -> impl IntoView {
    view! { <p class="sb-error" role="alert" data-testid="load-error">{message}</p> }
}
