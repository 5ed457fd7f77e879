use crate::helpers::{spawn_app, TestApp};

async fn report(app: &TestApp, content_type: &str, body: String) -> reqwest::Response {
    app.http
        .post(format!("{}/api/csp-report", app.url))
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn csp_reports_of_either_format_are_counted_without_personal_data() {
    let app = spawn_app().await;
    let csp2 = serde_json::json!({ "csp-report": {
        "document-uri": "https://shop.example.com/account?email=lin@example.org",
        "effective-directive": "connect-src",
        "blocked-uri": "wss://elsewhere.example/socket?token=secret",
        "line-number": 3,
    }});
    let r = report(&app, "application/csp-report", csp2.to_string()).await;
    assert_eq!(r.status(), 204);
    let batch = serde_json::json!([{ "type": "csp-violation", "url": "https://shop.example.com/", "body": {
        "documentURL": "https://shop.example.com/", "effectiveDirective": "script-src-elem",
        "blockedURL": "inline", "disposition": "enforce" } }]);
    let r = report(&app, "application/reports+json", batch.to_string()).await;
    assert_eq!(r.status(), 204);

    let reports = &app.state.csp_reports;
    assert_eq!(reports.count(), 2);
    let kept = reports.recent();
    assert_eq!(kept[0].directive, "connect-src");
    assert_eq!(kept[0].blocked, "wss://elsewhere.example");
    assert_eq!(kept[0].document, "https://shop.example.com");
    assert_eq!((kept[1].directive.as_str(), kept[1].blocked.as_str()), ("script-src-elem", "inline"));

    assert_eq!(report(&app, "text/plain", "{}".into()).await.status(), 415);
    let huge = format!("{{\"csp-report\": {{\"document-uri\": \"{}\"}}}}", "x".repeat(64 * 1024));
    assert_eq!(report(&app, "application/csp-report", huge).await.status(), 413);
    assert_eq!(reports.count(), 2);
}
