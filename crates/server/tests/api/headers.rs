use crate::helpers::{spawn_app, TestApp};
use reqwest::header::HeaderMap;

/// The headers every response of the main origin carries.
fn assert_common(headers: &HeaderMap, what: &str) {
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin", "{what}");
    assert_eq!(headers["x-frame-options"], "DENY", "{what}");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.http.get(format!("{}{path}", app.url)).send().await.unwrap()
}

#[tokio::test]
async fn api_answers_are_not_stored_and_not_framed() {
    let app = spawn_app().await;
    let r = get(&app, "/api/sites/demo/config").await;
    assert_eq!(r.status(), 200);
    assert_common(r.headers(), "site config");
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["content-security-policy"], "default-src 'none'; frame-ancestors 'none'");

    let token = app.session("ada@example.com").await;
    for path in ["/api/auth/me", "/api/conversations", "/api/colleagues"] {
        let r = app.http.get(format!("{}{path}", app.url)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_common(r.headers(), path);
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
    }
    let r = app.login("ada@example.com", &app.password("ada@example.com")).await;
    assert_eq!(r.headers()["cache-control"], "no-store", "the login answer carries the session");
    let admin = app.session("admin@example.com").await;
    let r = app.http.get(format!("{}/api/admin/agents", app.url)).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn errors_carry_the_headers_too() {
    let app = spawn_app().await;
    let r = get(&app, "/api/conversations").await;
    assert_eq!(r.status(), 401);
    assert_common(r.headers(), "401");
    assert_eq!(r.headers()["cache-control"], "no-store");
    let r = get(&app, "/no/such/page").await;
    assert_eq!(r.status(), 404);
    assert_common(r.headers(), "404");
    let r = app
        .http
        .post(format!("{}/api/auth/login", app.url))
        .header("Content-Type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    assert_common(r.headers(), "a malformed login");
}

#[tokio::test]
async fn the_inbox_page_gets_the_strict_policy() {
    let app = spawn_app().await;
    app.put_asset("inbox/index.html", "<title>Switchboard inbox</title>");
    let r = get(&app, "/inbox/").await;
    assert_eq!(r.status(), 200);
    assert_common(r.headers(), "inbox");
    let socket = app.url.replace("http://", "ws://");
    assert_eq!(
        r.headers()["content-security-policy"],
        format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' https: http:; connect-src 'self' {socket}; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'; report-uri /api/csp-report"
        )
        .as_str()
    );
    assert!(r.headers().get("cache-control").is_none(), "the page itself holds nothing personal");
}

#[tokio::test]
async fn the_loader_keeps_its_caching_and_gets_the_headers() {
    let app = spawn_app().await;
    app.put_asset("widget/widget.js", "/* loader */");
    let r = get(&app, "/widget.js").await;
    assert_eq!(r.status(), 200);
    assert_common(r.headers(), "loader");
    assert_eq!(r.headers()["cache-control"], "no-cache");
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn the_demo_page_sends_the_policy_a_host_page_needs_for_the_widget() {
    let app = spawn_app().await;
    let r = app.http.get(format!("{}/", app.demo_url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let api = &app.url;
    let socket = api.replace("http://", "ws://");
    assert_eq!(
        r.headers()["content-security-policy"],
        format!(
            "default-src 'none'; script-src {api} 'wasm-unsafe-eval'; style-src 'self' {api}; \
             img-src https: http: blob:; connect-src {api} {socket}; base-uri 'none'; form-action 'none'; \
             frame-ancestors 'none'; report-uri {api}/api/csp-report"
        )
        .as_str()
    );
    let css = app.http.get(format!("{}/demo.css", app.demo_url)).send().await.unwrap();
    assert_eq!(css.headers()["content-type"], "text/css");
}
