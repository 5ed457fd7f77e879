//! The demo: a host page served on its own origin with the embed snippet,
//! under the Content-Security-Policy a host page needs for the widget
//! ([`host_page_policy`]), and the seed data (a site allowing that origin, an
//! admin and two agents).

use axum::extract::State;
use axum::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use switchboard_protocol::auth::Role;
use switchboard_protocol::site::{Appearance, SiteKey};

use crate::auth::{hash_password, random_password};
use crate::store::{Store, StoreError};

const PAGE: &str = include_str!("../demo/index.html");
const STYLE: &str = include_str!("../demo/demo.css");

/// The example streams the demo site publishes (see `examples/streams/`).
const STREAMS: [&str; 2] = [
    include_str!("../../../examples/streams/recommended.toml"),
    include_str!("../../../examples/streams/dutch.toml"),
];

/// An account the seed created, with its one-time password.
#[derive(Debug, Clone)]
pub struct SeededAccount {
    /// Login email.
    pub email: String,
    /// Role.
    pub role: Role,
    /// The password, shown once.
    pub password: String,
}

/// Seeds the demo site `key` with `origins` allowed, the example streams
/// published, one admin and two agents.
/// Everything is created at `now` (unix ms). Returns `None` when the site
/// already exists (the seed runs only once, and passwords are never shown
/// again).
pub async fn seed(
    store: &Store,
    key: &SiteKey,
    origins: &[String],
    now: i64,
) -> Result<Option<Vec<SeededAccount>>, StoreError> {
    if store.site(key).await?.is_some() {
        return Ok(None);
    }
    let appearance = Appearance { header_title: "Switchboard demo".to_owned(), ..Appearance::default() };
    let site_id = store.create_site(key, "Demo site", &appearance, origins, now).await?;
    for source in STREAMS {
        let parsed =
            switchboard_protocol::stream::file::parse(source).expect("the example streams are valid");
        store.publish_stream(site_id, &parsed.stream, source, now).await?;
    }
    let mut accounts = Vec::new();
    for (name, email, role) in [
        ("Admin", "admin@example.com", Role::Admin),
        ("Ada Lovelace", "ada@example.com", Role::Agent),
        ("Grace Hopper", "grace@example.com", Role::Agent),
    ] {
        let password = random_password();
        let hash = {
            let password = password.clone();
            tokio::task::spawn_blocking(move || hash_password(&password))
                .await
                .expect("hashing does not panic")
        };
        store.create_agent(name, email, &hash, role, now).await?;
        accounts.push(SeededAccount { email: email.to_owned(), role, password });
    }
    Ok(Some(accounts))
}

/// Escapes text for an HTML attribute value or text node.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The demo host page for `site`, loading the widget from `public_url`.
pub fn page(public_url: &str, site: &str) -> String {
    PAGE.replace("{{PUBLIC_URL}}", &escape(public_url)).replace("{{SITE}}", &escape(site))
}

/// The Content-Security-Policy of a host page with the widget of the server
/// at `public_url` (README, "Content-Security-Policy for host pages"), and
/// `'self'` for the demo page's own stylesheet: nothing else loads.
/// `img-src` is for avatars, wherever admins put them, and `blob:` for
/// pictures sent in a chat; `None` when
/// `public_url` is not an http(s) URL.
pub fn host_page_policy(public_url: &str) -> Option<String> {
    let (api, socket) = crate::headers::origins(public_url)?;
    Some(format!(
        "default-src 'none'; script-src {api} 'wasm-unsafe-eval'; style-src 'self' {api}; \
         img-src https: http: blob:; connect-src {api} {socket}; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'; report-uri {api}{}",
        crate::csp_report::REPORT_PATH
    ))
}

/// What the demo origin serves its page from.
#[derive(Clone)]
struct Demo {
    public_url: String,
    site: String,
    policy: Option<HeaderValue>,
}

/// The demo origin's router: `/` is a realistic product page with the
/// snippet, `/demo.css` its stylesheet.
pub fn routes(public_url: String, site: String) -> Router {
    let policy = host_page_policy(&public_url).and_then(|p| HeaderValue::from_str(&p).ok());
    Router::new()
        .route("/", get(demo_page))
        .route("/demo.css", get(|| async { ([(CONTENT_TYPE, "text/css")], STYLE) }))
        .with_state(Demo { public_url, site, policy })
}

async fn demo_page(State(demo): State<Demo>) -> Response {
    let mut response = Html(page(&demo.public_url, &demo.site)).into_response();
    if let Some(policy) = demo.policy {
        response.headers_mut().insert(CONTENT_SECURITY_POLICY, policy);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_carries_the_embed_snippet_with_escaped_values() {
        let html = page("http://127.0.0.1:8080", "demo\"><x");
        assert!(html.contains(r#"<script async src="http://127.0.0.1:8080/widget.js" data-site="demo&quot;&gt;&lt;x"></script>"#), "{html}");
    }
}
