//! The inbox's WebSocket to `/ws/agent` (same origin; the session cookie
//! authenticates it), reconnecting with backoff until closed. After each
//! welcome the shell squares the inbox with the server and resumes every
//! open conversation from its last sequence number, so nothing is lost and,
//! with the model's deduplication, nothing is doubled.

use switchboard_protocol::wire::{AgentIn, AgentOut};
use switchboard_protocol::PROTOCOL_VERSION;
use switchboard_websocket::Reconnecting;

use crate::model::Link;

/// The agent's connection, reconnecting until [`Socket::close`].
#[derive(Clone)]
pub struct Socket(Reconnecting);

/// `/ws/agent` on the page's own host, `wss:` under `https:`.
pub fn same_origin_url() -> String {
    let location = web_sys::window().map(|w| w.location());
    let host = location.as_ref().and_then(|l| l.host().ok()).unwrap_or_default();
    let secure = location.and_then(|l| l.protocol().ok()).is_some_and(|p| p == "https:");
    format!("{}://{host}/ws/agent", if secure { "wss" } else { "ws" })
}

fn hello() -> String {
    serde_json::to_string(&AgentIn::Hello { protocol: PROTOCOL_VERSION }).unwrap_or_default()
}

impl Socket {
    /// Connects to `url`; `on_frame` gets every frame, `on_link` the link
    /// state when it is lost (the welcome frame says it is back).
    pub fn open(
        url: String,
        on_frame: impl Fn(AgentOut) + 'static,
        on_link: impl Fn(Link) + 'static,
    ) -> Self {
        let socket = Reconnecting::open(
            url,
            |ws| {
                ws.send(&hello());
            },
            move |text| {
                if let Ok(frame) = serde_json::from_str::<AgentOut>(&text) {
                    on_frame(frame);
                }
            },
            move || on_link(Link::Reconnecting),
        );
        Socket(socket)
    }

    /// Sends a frame; `false` while the link is down (the caller keeps what
    /// must not be lost, and the next welcome sends it again).
    pub fn send(&self, frame: &AgentIn) -> bool {
        serde_json::to_string(frame).is_ok_and(|json| self.0.send(&json))
    }

    /// Closes for good (logout).
    pub fn close(&self) {
        self.0.close();
    }
}
