//! The widget's components. Logic lives on plain types (protocol, i18n); these
//! stay thin and only render.

use leptos::prelude::*;
use switchboard_protocol::site::SiteConfig;
use wasm_bindgen::JsCast;

use crate::i18n::Strings;

/// Event the panel dispatches on its root when the visitor closes it; the
/// loader (which owns the launcher) listens for it.
pub const CLOSE_EVENT: &str = "sb-close";

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
            <div class="sb-log" role="log" aria-live="polite" aria-label=strings.conversation.clone() data-testid="log">
                <p class="sb-bot">{strings.chatting_with(&config.appearance.bot_name)}</p>
            </div>
        </section>
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
