//! Getting the agent's attention: a sound (browsers allow audio only after a
//! user gesture on the page, so the inbox unlocks it on the first click or
//! key press and says so until then), a browser notification while the tab is
//! hidden (permission asked for by a button the agent clicks), and files to
//! download.

use std::cell::RefCell;
use wasm_bindgen::prelude::*;

use crate::alert::{AlertSound, STORAGE_KEY};
use wasm_bindgen::JsCast;

thread_local! {
    static AUDIO: RefCell<Option<web_sys::AudioContext>> = const { RefCell::new(None) };
}

/// Creates the audio context inside a user gesture, so it may play. Returns
/// whether sound is now possible.
pub fn unlock_sound() -> bool {
    AUDIO.with(|a| {
        let mut a = a.borrow_mut();
        if a.is_none() {
            *a = web_sys::AudioContext::new().ok();
        }
        match a.as_ref() {
            Some(ctx) => {
                let _ = ctx.resume();
                true
            }
            None => false,
        }
    })
}

/// Whether a gesture has unlocked sound.
pub fn sound_unlocked() -> bool {
    AUDIO.with(|a| a.borrow().is_some())
}

/// The agent's alert sound, as kept in this browser.
pub fn alert_sound() -> AlertSound {
    storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .map_or_else(AlertSound::default, |v| AlertSound::parse(&v))
}

/// Keeps the agent's choice of alert sound in this browser.
pub fn set_alert_sound(sound: AlertSound) {
    if let Some(s) = storage() {
        let _ = s.set_item(STORAGE_KEY, &sound.stored());
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The offer alert, as the agent chose it; nothing before sound is unlocked.
pub fn chime() {
    play(alert_sound());
}

/// Plays `sound` (a choice being tried, or the alert); nothing before sound
/// is unlocked, nothing at volume 0.
pub fn play(sound: AlertSound) {
    let peak = sound.gain();
    if peak <= 0.0 {
        return;
    }
    AUDIO.with(|a| {
        let a = a.borrow();
        let Some(ctx) = a.as_ref() else { return };
        let start = ctx.current_time();
        for &(freq, offset, length) in sound.tone.notes() {
            let at = start + offset;
            let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else { return };
            osc.frequency().set_value(freq);
            let g = gain.gain();
            let _ = g.set_value_at_time(0.0001, at);
            let _ = g.exponential_ramp_to_value_at_time(peak, at + 0.02);
            let _ = g.exponential_ramp_to_value_at_time(0.0001, at + length);
            let _ = osc.connect_with_audio_node(&gain);
            let _ = gain.connect_with_audio_node(&ctx.destination());
            let _ = osc.start_with_when(at);
            let _ = osc.stop_with_when(at + length + 0.01);
        }
    });
}

/// The browser's notification permission: `granted`, `denied`, `default`,
/// or `unsupported` when the browser has no notifications.
pub fn permission() -> &'static str {
    let supported = web_sys::window()
        .and_then(|w| js_sys::Reflect::has(&w, &JsValue::from_str("Notification")).ok())
        .unwrap_or(false);
    if !supported {
        return "unsupported";
    }
    match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => "granted",
        web_sys::NotificationPermission::Denied => "denied",
        _ => "default",
    }
}

/// Asks for notification permission (call from a click); `done` gets the
/// answer.
pub fn ask_permission(done: impl FnOnce(&'static str) + 'static) {
    let Ok(promise) = web_sys::Notification::request_permission() else {
        done(permission());
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        done(permission());
    });
}

/// Whether the page is hidden (another tab or minimised).
pub fn page_hidden() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
}

/// Shows a browser notification when the page is hidden and permission is
/// granted; clicking it brings the inbox forward.
pub fn notify(title: &str, body: &str, tag: &str) {
    notify_with(title, body, tag, false);
}

fn notify_with(title: &str, body: &str, tag: &str, again: bool) {
    if !page_hidden() || permission() != "granted" {
        return;
    }
    let options = web_sys::NotificationOptions::new();
    options.set_body(body);
    options.set_tag(tag);
    options.set_renotify(again);
    if let Ok(n) = web_sys::Notification::new_with_options(title, &options) {
        let shown = n.clone();
        let focus = Closure::<dyn FnMut()>::new(move || {
            if let Some(w) = web_sys::window() {
                let _ = w.focus();
            }
            shown.close();
        });
        n.set_onclick(Some(focus.as_ref().unchecked_ref()));
        focus.forget();
    }
}

/// [`notify`] again for an offer still waiting: it replaces the one with the
/// same tag, or comes back where that one was dismissed or went into the
/// system's list (browsers do not always say which), and alerts again.
pub fn notify_again(title: &str, body: &str, tag: &str) {
    notify_with(title, body, tag, true);
}

/// Sets the tab title.
pub fn set_title(title: &str) {
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        d.set_title(title);
    }
}

/// Offers `text` as a download named `name`.
pub fn download(name: &str, text: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/plain;charset=utf-8");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Ok(a) = doc.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Local time `HH:MM` of an RFC 3339 timestamp (the text itself when it does
/// not parse).
pub fn clock(at: &str) -> String {
    let d = js_sys::Date::new(&JsValue::from_str(at));
    if d.get_time().is_nan() {
        return at.to_owned();
    }
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// Local date and time of an RFC 3339 timestamp, in the browser's locale.
pub fn date_time(at: &str) -> String {
    let d = js_sys::Date::new(&JsValue::from_str(at));
    if at.is_empty() || d.get_time().is_nan() {
        return String::new();
    }
    d.to_locale_string("default", &JsValue::UNDEFINED).into()
}
