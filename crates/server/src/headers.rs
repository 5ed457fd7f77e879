//! Security headers on every response of the main origin, set by one layer
//! ([`set`], added once in `startup::app`):
//!
//! - `X-Content-Type-Options: nosniff`: a response is only ever what its
//!   `Content-Type` says (an error's JSON is never run as a script).
//! - `Referrer-Policy: strict-origin-when-cross-origin`: other sites learn at
//!   most our origin, never an inbox URL. (Not `no-referrer`: with it, a
//!   form's POST carries `Origin: null`, which would blind any check of
//!   where a request comes from.)
//! - `X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`: nothing we
//!   serve is meant to be framed (the widget is a script and a Shadow DOM on
//!   the host page, not an iframe), so no page can be clickjacked.
//! - `Cache-Control: no-store` on `/api/` answers (sessions, conversations,
//!   visitors' details, accounts), unless a handler chose its own; the
//!   bundles keep what `assets` sets.
//! - `Content-Security-Policy`: [`page_policy`] on the browser apps (the
//!   inbox and the admin console, [`APPS`]); `default-src 'none'` on
//!   everything else, which is never a page (JSON, scripts, WASM, CSS).

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::csp_report::REPORT_PATH;

/// Where the browser apps are served (each as `PREFIX` and under `PREFIX/`):
/// their responses get [`page_policy`].
pub const APPS: [&str; 2] = ["/inbox", "/admin"];

/// The headers, built once from the public URL.
#[derive(Clone)]
pub struct SecurityHeaders {
    page: HeaderValue,
    other: HeaderValue,
}

impl SecurityHeaders {
    /// The headers for a server reached at `public_url`.
    pub fn new(public_url: &str) -> Self {
        let page = HeaderValue::from_str(&page_policy(public_url))
            .expect("the policy holds only checked origins and constants");
        Self { page, other: HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'") }
    }

    /// Sets the headers of the response to a request for `path`.
    pub fn apply(&self, path: &str, headers: &mut HeaderMap) {
        headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        let app = APPS
            .iter()
            .any(|a| path.strip_prefix(a).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')));
        headers.insert(CONTENT_SECURITY_POLICY, if app { self.page.clone() } else { self.other.clone() });
        if path.starts_with("/api/") && !headers.contains_key(CACHE_CONTROL) {
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
}

/// The layer's function: the response to `request`, with the headers.
pub async fn set(State(headers): State<SecurityHeaders>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    headers.apply(&path, response.headers_mut());
    response
}

/// The policy of a browser app served by the server at `public_url`:
/// its own files only, plus
/// - `'wasm-unsafe-eval'`: compiling the app's WebAssembly (no JS `eval`);
/// - `img-src https: http:`: avatars are http(s) addresses on any host,
///   chosen by admins (checked when set); an image cannot run code, and no
///   `data:` or `blob:`. (On an https page the browser upgrades http images,
///   so `http:` only matters to a server on plain http, as in development.)
/// - the WebSocket origin spelled out: CSP3 lets `'self'` match same-origin
///   `ws:`/`wss:`, older browsers do not;
/// - reports of what it blocked to our own endpoint.
///
/// No inline script: Trunk's loader is a file (`crates/inbox/Trunk.toml`).
pub fn page_policy(public_url: &str) -> String {
    let socket = origins(public_url).map(|(_, socket)| format!(" {socket}")).unwrap_or_default();
    [
        "default-src 'self'".to_owned(),
        "script-src 'self' 'wasm-unsafe-eval'".to_owned(),
        "style-src 'self'".to_owned(),
        "img-src 'self' https: http:".to_owned(),
        format!("connect-src 'self'{socket}"),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
        format!("report-uri {REPORT_PATH}"),
    ]
    .join("; ")
}

/// The origin of an http(s) URL and its WebSocket form (the protocol's,
/// which the console uses for the host-page policy too).
pub use switchboard_protocol::embed::origins;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_apps_get_the_page_policy_and_only_the_api_is_not_stored() {
        let h = SecurityHeaders::new("https://chat.example.com");
        let csp = |path: &str| {
            let mut headers = HeaderMap::new();
            h.apply(path, &mut headers);
            headers[CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned()
        };
        for path in
            ["/inbox", "/inbox/", "/inbox/switchboard-inbox.js", "/admin", "/admin/", "/admin/start.js"]
        {
            assert!(csp(path).contains("connect-src 'self' wss://chat.example.com;"), "{path}");
        }
        for path in ["/inboxes", "/administrator", "/api/conversations", "/widget.js"] {
            assert_eq!(csp(path), "default-src 'none'; frame-ancestors 'none'", "{path}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("max-age=60"));
        h.apply("/api/sites/demo/config", &mut headers);
        assert_eq!(headers[CACHE_CONTROL], "max-age=60", "a handler's own choice stays");
        let mut headers = HeaderMap::new();
        h.apply("/widget.js", &mut headers);
        assert!(headers.get(CACHE_CONTROL).is_none());
    }
}
