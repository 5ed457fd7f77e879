//! What the widget keeps in the page's `localStorage`, as JSON under
//! `switchboard:{site}:{what}`. Storage may be unavailable (private modes,
//! blocked cookies) or hold something unreadable: then nothing is kept and
//! nothing is read, silently.

use serde::Serialize;
use switchboard_protocol::json::{self, FromJson};

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn key(site: &str, what: &str) -> String {
    format!("switchboard:{site}:{what}")
}

/// What was kept under `what` for `site`, if anything readable.
pub fn load<T: FromJson>(site: &str, what: &str) -> Option<T> {
    json::from_str(&storage()?.get_item(&key(site, what)).ok()??).ok()
}

/// Keeps `value` under `what` for `site`.
pub fn save<T: Serialize>(site: &str, what: &str, value: &T) {
    if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(value)) {
        let _ = s.set_item(&key(site, what), &json);
    }
}

/// Forgets what was kept under `what` for `site`.
pub fn remove(site: &str, what: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&key(site, what));
    }
}
