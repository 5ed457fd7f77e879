use crate::helpers::spawn_app;

#[tokio::test]
async fn the_loader_and_the_bundle_are_served_to_any_origin() {
    let app = spawn_app().await;
    app.put_asset("widget/widget.js", "/* loader */");
    app.put_asset("widget/switchboard-widget_bg.wasm", "\0asm");
    let r = app.http.get(format!("{}/widget.js", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert!(r.headers()["content-type"].to_str().unwrap().contains("javascript"));
    assert_eq!(r.text().await.unwrap(), "/* loader */");
    let r = app.http.get(format!("{}/widget/switchboard-widget_bg.wasm", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/wasm");
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn bundles_are_compressed_and_revalidated() {
    let app = spawn_app().await;
    let js = "console.log('switchboard');\n".repeat(100);
    app.put_asset("widget/switchboard-widget.js", &js);
    let r = app
        .http
        .get(format!("{}/widget/switchboard-widget.js", app.url))
        .header("Accept-Encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "br");
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let last_modified = r.headers()["last-modified"].clone();
    let compressed = r.bytes().await.unwrap();
    assert!(compressed.len() < js.len() / 10, "{} bytes", compressed.len());
    let again = app
        .http
        .get(format!("{}/widget/switchboard-widget.js", app.url))
        .header("If-Modified-Since", last_modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn the_inbox_page_is_served_under_inbox() {
    let app = spawn_app().await;
    app.put_asset("inbox/index.html", "<title>Switchboard inbox</title>");
    let r = app.http.get(format!("{}/inbox/", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert_eq!(r.text().await.unwrap(), "<title>Switchboard inbox</title>");
    // Without the trailing slash it redirects (reqwest follows).
    let r = app.http.get(format!("{}/inbox", app.url)).send().await.unwrap();
    assert_eq!(r.url().path(), "/inbox/");
}

#[tokio::test]
async fn a_missing_bundle_file_is_not_found() {
    let app = spawn_app().await;
    let r = app.http.get(format!("{}/widget/nothing.js", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = app.http.get(format!("{}/widget/../../data/switchboard.db", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn a_precompressed_file_is_sent_as_it_is_to_browsers_that_accept_it() {
    let app = spawn_app().await;
    app.put_asset("widget/switchboard-widget_bg.wasm", "\0asm plain");
    app.put_asset("widget/switchboard-widget_bg.wasm.br", "brotli bytes");
    app.put_asset("widget/switchboard-widget_bg.wasm.gz", "gzip bytes");
    app.put_asset("widget/widget.js", "/* loader */");
    app.put_asset("widget/widget.js.br", "brotli loader");
    app.put_asset("inbox/index.html", "<title>inbox</title>");
    app.put_asset("inbox/index.html.gz", "gzip inbox");
    let get = |path: &str, accept: &str| {
        app.http.get(format!("{}{path}", app.url)).header("Accept-Encoding", accept).send()
    };
    let wasm = "/widget/switchboard-widget_bg.wasm";
    let r = get(wasm, "gzip, deflate, br").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "br");
    assert_eq!(r.headers()["content-type"], "application/wasm");
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert_eq!(&r.bytes().await.unwrap()[..], b"brotli bytes", "not compressed a second time");
    let r = get(wasm, "gzip").await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(&r.bytes().await.unwrap()[..], b"gzip bytes");
    let r = get(wasm, "identity").await.unwrap();
    assert!(r.headers().get("content-encoding").is_none());
    assert_eq!(&r.bytes().await.unwrap()[..], b"\0asm plain");
    let r = get("/widget.js", "br").await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "br");
    assert_eq!(&r.bytes().await.unwrap()[..], b"brotli loader");
    let r = get("/inbox/", "gzip").await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(&r.bytes().await.unwrap()[..], b"gzip inbox");
}
