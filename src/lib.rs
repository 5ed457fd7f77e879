//! The Switchboard visitor widget: the chat panel that `widget.js` (the loader
//! a site owner pastes) mounts inside its Shadow DOM root on first open.
//!
//! Modules:
//! - [`app`]: the Leptos components
//! - [`api`]: every request to the server
//! - [`files`]: files in the live chat (sending them, showing them)
//! - [`i18n`]: UI strings from the locale files
//! - [`stats`]: the dialogue reports' counts, sent by beacon when the page hides
//!
//! The loader (`src/loader/widget.js`) calls [`mount`]; nothing here touches
//! the host page outside the element it is given.

pub mod api;
pub mod app;
pub mod bot;
pub mod files;
pub mod i18n;
pub mod live;
pub mod stats;
pub mod storage;

use leptos::prelude::*;
use switchboard_protocol::site::{Locale, SiteConfig, SiteKey};
use wasm_bindgen::prelude::*;

/// Mounts the widget into `container` (inside the loader's shadow root) for
/// `site`, talking to the server at `api_base`. `config` is the site
/// configuration the loader already fetched (JSON), so it is not fetched
/// twice; without it the widget fetches it. `identity` is what the page told
/// `Switchboard.identify` (JSON object of attributes), if anything. The
/// widget stays mounted for the page's lifetime.
#[wasm_bindgen]
pub fn mount(
    container: web_sys::HtmlElement,
    site: String,
    api_base: String,
    config: Option<String>,
    identity: Option<String>,
) {
    std::mem::forget(mount_widget(container, site, api_base, config, identity));
}

/// The widget as a preview inside another page (the console's appearance
/// preview and test chat): no server, so no live chat, and it never takes
/// the page's focus before the person answers something in it.
pub fn mount_preview(container: web_sys::HtmlElement, site: String, config: String) -> Mounted {
    mount_with(container, site, String::new(), Some(config), None, true)
}

/// A mounted widget. Dropping it takes the widget out of its container and
/// frees everything it holds (its reactive state, timers and socket).
#[must_use = "dropping it unmounts the widget at once"]
pub struct Mounted(#[allow(dead_code)] Box<dyn std::any::Any>);

/// [`mount`] for a Rust caller that unmounts the widget again (the
/// console's preview): the same widget, answered as a [`Mounted`].
pub fn mount_widget(
    container: web_sys::HtmlElement,
    site: String,
    api_base: String,
    config: Option<String>,
    identity: Option<String>,
) -> Mounted {
    mount_with(container, site, api_base, config, identity, false)
}

fn mount_with(
    container: web_sys::HtmlElement,
    site: String,
    api_base: String,
    config: Option<String>,
    identity: Option<String>,
    quiet: bool,
) -> Mounted {
    let site = SiteKey::parse(&site);
    let given = config.and_then(|c| switchboard_protocol::json::from_str::<SiteConfig>(&c).ok());
    let known = identity.map(|i| bot::identified(&i)).unwrap_or_default();
    // No server address (the console's preview): no live chat at all.
    let api_base = (!api_base.is_empty()).then_some(api_base);
    let handle = leptos::mount::mount_to(container, move || {
        // The config the loader passed, else fetched (a plain signal rather
        // than a resource and `<Suspense>`, which cost the bundle more).
        let config = RwSignal::new(given.clone().map(Ok));
        if config.get_untracked().is_none() {
            let api_base = api_base.clone();
            let site = site.clone();
            leptos::task::spawn_local(async move {
                let result = match site {
                    Ok(site) => api::fetch_config(api_base.as_deref().unwrap_or_default(), &site).await,
                    Err(_) => Err("the page gave an invalid site key".to_owned()),
                };
                config.set(Some(result));
            });
        }
        let fallback = i18n::Strings::for_locale(locale_for(None));
        move || match config.get() {
            None => view! { <p class="sb-loading">{fallback.loading}</p> }.into_any(),
            // Chat switched off: nothing to show (the loader shows no launcher either).
            Some(Ok(config)) if !config.chat_enabled => ().into_any(),
            Some(Ok(config)) => match api_base.clone() {
                Some(api_base) => {
                    view! { <app::Panel config api_base known=known.clone() quiet /> }.into_any()
                }
                None => view! { <app::Panel config known=known.clone() quiet /> }.into_any(),
            },
            Some(Err(e)) => {
                leptos::logging::warn!("switchboard: {e}");
                view! { <app::LoadError message=fallback.load_failed /> }.into_any()
            }
        }
    });
    Mounted(Box::new(handle))
}

/// The widget's language: the site's, else the visitor's browser's.
pub fn locale_for(site: Option<Locale>) -> Locale {
    let languages: Vec<String> = web_sys::window()
        .map(|w| w.navigator().languages().iter().filter_map(|l| l.as_string()).collect())
        .unwrap_or_default();
    Locale::pick(site, languages.iter().map(String::as_str))
}
