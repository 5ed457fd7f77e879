use crate::helpers::{spawn_app, ALLOWED};

#[tokio::test]
async fn the_widget_gets_its_config_with_cors_from_an_allowed_origin() {
    let app = spawn_app().await;
    let r = app
        .http
        .get(format!("{}/api/sites/demo/config", app.url))
        .header("Origin", ALLOWED)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], ALLOWED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["site"], "demo");
    assert_eq!(body["protocol_version"], switchboard_protocol::PROTOCOL_VERSION);
    assert_eq!(body["appearance"]["header_title"], "Switchboard demo");
    // The demo's published example streams, in the JSON form the widget runs.
    let config: switchboard_protocol::site::SiteConfig = serde_json::from_value(body).unwrap();
    let ids: Vec<_> = config.streams.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["nederlands", "recommended"]);
    for stream in config.streams {
        stream.validate().expect("served streams are valid");
    }
}

#[tokio::test]
async fn a_foreign_origin_is_refused_the_config() {
    let app = spawn_app().await;
    let r = app
        .http
        .get(format!("{}/api/sites/demo/config", app.url))
        .header("Origin", "https://evil.example.net")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "origin_not_allowed");
}

#[tokio::test]
async fn an_unknown_site_is_not_found_and_a_malformed_key_is_a_bad_request() {
    let app = spawn_app().await;
    let r = app.http.get(format!("{}/api/sites/nosuchsite/config", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = app.http.get(format!("{}/api/sites/Bad%20Key!/config", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
}

#[tokio::test]
async fn the_demo_page_embeds_the_loader_from_the_api_origin() {
    let app = spawn_app().await;
    let html = app.http.get(format!("{}/", app.demo_url)).send().await.unwrap().text().await.unwrap();
    let snippet = format!(r#"<script async src="{}/widget.js" data-site="demo"></script>"#, app.url);
    assert!(html.contains(&snippet), "{html}");
    assert_ne!(app.demo_url, app.url, "the demo page must be on another origin");
}
