//! The appearance's live preview: the real widget (its library, the same
//! code visitors run) mounted with the draft appearance, in a Shadow DOM
//! root with the widget's own stylesheet, framed like the loader frames it
//! on a host page (launcher in its corner, at its offset, in its colour).
//!
//! The colours, corner and offset follow the draft as it is typed; a change
//! to the words (titles, names, language) mounts the widget again once
//! typing pauses, dropping the one before. It runs
//! with no server address, so it never starts a real chat.

use leptos::prelude::*;
use switchboard_protocol::site::{Appearance, Position, SiteConfig, SiteKey};
use switchboard_protocol::stream::Stream;
use switchboard_protocol::PROTOCOL_VERSION;
use wasm_bindgen::JsCast;

/// Black or white, whichever reads better on `accent` (`#rrggbb`), by the
/// WCAG contrast ratio (as the loader picks it).
pub fn on_accent(accent: &str) -> &'static str {
    let channel = |i: usize| {
        let c = accent.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).unwrap_or(0) as f64 / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    if 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 {
        "#fff"
    } else {
        "#000"
    }
}

/// How long typing must pause before the preview shows new words.
const REMOUNT_AFTER: std::time::Duration = std::time::Duration::from_millis(300);

/// The words of an appearance: what needs the widget mounted again.
fn words(a: &Appearance) -> (String, String, Option<String>, Option<String>, Option<String>, u32) {
    (
        a.header_title.clone(),
        a.bot_name.clone(),
        a.bot_avatar_url.clone(),
        a.locale.map(|l| l.tag().to_owned()),
        a.privacy_url.clone(),
        a.response_delay_ms,
    )
}

/// The site key the designer's test chat runs under: what the widget keeps
/// in the browser for it is forgotten before each run, and never mixes with
/// a real visitor's.
pub const TEST_SITE: &str = "designer-test";

/// Forgets what the widget kept for the test chat (where the visitor was,
/// what they completed), so each run starts from the first card.
fn forget_test_runs() {
    if let Ok(Some(storage)) = window().local_storage() {
        for what in ["bot", "stream", "completed", "live"] {
            let _ = storage.remove_item(&format!("switchboard:{TEST_SITE}:{what}"));
        }
    }
}

/// The widget with `appearance`, for `site`; with `streams`, it runs them
/// from their first card (the designer's test chat) under [`TEST_SITE`].
#[component]
pub fn Preview(
    /// The site's key.
    site: String,
    /// The draft appearance (already checked).
    appearance: Memo<Appearance>,
    /// The region's accessible name.
    #[prop(into)]
    label: String,
    /// Streams to run (none: the widget's greeting only).
    #[prop(optional, into)]
    streams: Option<Signal<Vec<Stream>>>,
) -> impl IntoView {
    let testing = streams.is_some();
    let site = if testing { TEST_SITE.to_owned() } else { site };
    let streams = streams.unwrap_or_else(|| Signal::stored(Vec::new()));
    let stage = NodeRef::<leptos::html::Div>::new();
    let parts =
        StoredValue::new_local(None::<(web_sys::HtmlElement, web_sys::HtmlElement, web_sys::HtmlElement)>);
    // Build the frame once the stage is in the page.
    Effect::new(move || {
        let Some(stage) = stage.get() else { return };
        if parts.with_value(Option::is_some) {
            return;
        }
        let doc = document();
        let Ok(root) = stage.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        else {
            return;
        };
        let el = |tag: &str| doc.create_element(tag).map(|e| e.unchecked_into::<web_sys::HtmlElement>()).ok();
        let (Some(link), Some(frame), Some(container), Some(launcher)) =
            (el("link"), el("div"), el("div"), el("div"))
        else {
            return;
        };
        let _ = link.set_attribute("rel", "stylesheet");
        let _ = link.set_attribute("href", "/widget/widget.css");
        container.set_class_name("sb-container");
        // The launcher as the loader draws it (a picture of it: not a button here).
        launcher.set_class_name("sb-launcher");
        let _ = launcher.set_attribute("aria-hidden", "true");
        launcher.set_inner_html(
            r#"<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>"#,
        );
        let _ = frame.append_child(&container);
        let _ = frame.append_child(&launcher);
        let _ = root.append_child(&link);
        let _ = root.append_child(&frame);
        parts.set_value(Some((frame, container, launcher)));
    });
    // Colours, corner and offset: set on the frame as they change.
    Effect::new(move || {
        let a = appearance.get();
        parts.with_value(|p| {
            let Some((frame, _, launcher)) = p else { return };
            let corner = match a.position {
                Position::BottomRight => "sb-bottom-right",
                Position::BottomLeft => "sb-bottom-left",
            };
            frame.set_class_name(&format!("sb-frame {corner}"));
            let accent = a.accent.to_string();
            let style = frame.style();
            let _ = style.set_property("--sb-accent", &accent);
            let _ = style.set_property("--sb-on-accent", on_accent(&accent));
            let _ = style.set_property("--sb-offset", &format!("{}px", a.offset_px));
            // The site's words beside the icon, as text, as the loader shows them.
            if let Some(old) = launcher.query_selector(".sb-launcher-label").ok().flatten() {
                old.remove();
            }
            match &a.launcher_label {
                Some(label) => {
                    launcher.set_class_name("sb-launcher sb-labelled");
                    if let Ok(span) = document().create_element("span") {
                        span.set_class_name("sb-launcher-label");
                        span.set_text_content(Some(label));
                        let _ = launcher.append_child(&span);
                    }
                }
                None => launcher.set_class_name("sb-launcher"),
            }
        });
    });
    // The words: the widget mounted again with them, once typing pauses
    // (the first time at once); the widget mounted before is dropped, which
    // takes it out and frees what it held.
    let mounted = StoredValue::new_local(None::<switchboard_widget::Mounted>);
    let pending = StoredValue::new_local(None::<TimeoutHandle>);
    let mounted_words = Memo::new(move |_| (words(&appearance.get()), streams.get()));
    let remount = move || {
        let a = appearance.get_untracked();
        mounted.set_value(None);
        if testing {
            forget_test_runs();
        }
        parts.with_value(|p| {
            let Some((_, container, _)) = p else { return };
            let Ok(key) = SiteKey::parse(&site) else { return };
            let config = SiteConfig {
                site: key,
                protocol_version: PROTOCOL_VERSION,
                appearance: a,
                streams: streams.get_untracked(),
                chat_enabled: true,
                blocked_email_domains: Vec::new(),
                files: Default::default(),
            };
            let Ok(json) = serde_json::to_string(&config) else { return };
            let widget = switchboard_widget::mount_preview(container.clone(), site.clone(), json);
            mounted.set_value(Some(widget));
        });
    };
    Effect::new(move |before: Option<()>| {
        let _ = mounted_words.get();
        if let Some(h) = pending.try_update_value(Option::take).flatten() {
            h.clear();
        }
        if before.is_none() || mounted.with_value(Option::is_none) {
            remount();
        } else {
            let later = set_timeout_with_handle(remount.clone(), REMOUNT_AFTER).ok();
            pending.set_value(later);
        }
    });
    on_cleanup(move || {
        if let Some(h) = pending.try_update_value(Option::take).flatten() {
            h.clear();
        }
        mounted.try_set_value(None);
    });
    // The stage (with its transform) holds the shadow host: the widget's
    // fixed frame is placed in the stage, not on the console's viewport.
    view! {
        <div class="preview-stage" role="region" aria-label=label>
            <div class="preview-host" node_ref=stage data-testid="preview"></div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_launcher_text_is_black_or_white_by_contrast() {
        assert_eq!(on_accent("#1f5fcc"), "#fff");
        assert_eq!(on_accent("#ffeb3b"), "#000");
        assert_eq!(on_accent("#000000"), "#fff");
    }
}
