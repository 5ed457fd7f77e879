//! The built-in source through the router, on a small table: what a
//! browser gets for each request.

use axum::body::{to_bytes, Body};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use tower::ServiceExt;

use super::{routes, Asset, Embedded, Source};

static FILES: &[Asset] = &[
    Asset {
        path: "widget/widget.js",
        body: b"/* loader */",
        br: Some(b"brotli loader"),
        gzip: Some(b"gzip loader"),
        hash: "10ade2",
    },
    Asset {
        path: "widget/switchboard-widget_bg.wasm",
        body: b"\0asm plain",
        br: Some(b"brotli wasm"),
        gzip: Some(b"gzip wasm"),
        hash: "3a5e",
    },
    Asset {
        path: "inbox/index.html",
        body: b"<title>inbox</title>",
        br: None,
        gzip: Some(b"gzip inbox"),
        hash: "1b0c",
    },
    Asset { path: "admin/index.html", body: b"<title>console</title>", br: None, gzip: None, hash: "ad01" },
];

/// The answer to `method path` with `headers`: status, headers, body.
async fn send(method: Method, path: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap, Vec<u8>) {
    let app: Router = routes(&Source::Embedded(Embedded::new(FILES)));
    let mut request = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app.oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let (parts, body) = response.into_parts();
    (parts.status, parts.headers, to_bytes(body, usize::MAX).await.unwrap().to_vec())
}

async fn get(path: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap, Vec<u8>) {
    send(Method::GET, path, headers).await
}

#[tokio::test]
async fn a_built_in_file_is_sent_in_the_coding_the_browser_prefers() {
    let wasm = "/widget/switchboard-widget_bg.wasm";
    let (status, headers, body) = get(wasm, &[("accept-encoding", "gzip, deflate, br")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-encoding"], "br");
    assert_eq!(headers["content-type"], "application/wasm");
    assert_eq!(headers["vary"], "accept-encoding");
    assert_eq!(headers["etag"], "\"3a5e-br\"");
    assert_eq!(body, b"brotli wasm");
    let (_, headers, body) = get(wasm, &[("accept-encoding", "br;q=0, gzip")]).await;
    assert_eq!(headers["content-encoding"], "gzip");
    assert_eq!(headers["etag"], "\"3a5e-gz\"");
    assert_eq!(body, b"gzip wasm");
    for refusal in [&[("accept-encoding", "identity")][..], &[]] {
        let (_, headers, body) = get(wasm, refusal).await;
        assert!(headers.get("content-encoding").is_none());
        assert_eq!(headers["etag"], "\"3a5e\"");
        assert_eq!(body, b"\0asm plain");
    }
}

#[tokio::test]
async fn widget_files_are_served_to_any_origin_and_revalidated() {
    let (status, headers, body) = get("/widget.js", &[("accept-encoding", "br")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().contains("javascript"));
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(body, b"brotli loader");
    let (_, headers, _) = get("/widget/switchboard-widget_bg.wasm", &[]).await;
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert_eq!(headers["cache-control"], "no-cache");
}

#[tokio::test]
async fn a_browser_holding_the_copy_it_would_get_is_told_it_is_current() {
    let br = [("accept-encoding", "br")];
    let (status, headers, body) = get("/widget.js", &[br[0], ("if-none-match", "\"10ade2-br\"")]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(headers["etag"], "\"10ade2-br\"");
    assert_eq!(headers["vary"], "accept-encoding");
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert!(body.is_empty());
    let (status, ..) = get("/widget.js", &[br[0], ("if-none-match", "\"old\", W/\"10ade2-br\"")]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    // Another copy, or another build, is sent in full.
    let (status, _, body) = get("/widget.js", &[br[0], ("if-none-match", "\"10ade2\"")]).await;
    assert_eq!((status, &body[..]), (StatusCode::OK, &b"brotli loader"[..]));
    let (status, ..) = get("/widget.js", &[br[0], ("if-none-match", "\"0ld-br\"")]).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn head_answers_the_headers_of_get_without_the_body() {
    let (status, headers, body) =
        send(Method::HEAD, "/widget/switchboard-widget_bg.wasm", &[("accept-encoding", "gzip")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-encoding"], "gzip");
    assert_eq!(headers["content-length"], "9");
    assert_eq!(headers["content-type"], "application/wasm");
    assert!(body.is_empty());
}

#[tokio::test]
async fn the_apps_answer_with_their_page_and_redirect_there_without_the_slash() {
    let (status, headers, body) = get("/inbox/", &[("accept-encoding", "br, gzip")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/html");
    assert_eq!(headers["content-encoding"], "gzip", "the gzip copy, as there is no brotli one");
    assert!(headers.get("access-control-allow-origin").is_none());
    assert!(headers.get("cache-control").is_none());
    assert_eq!(body, b"gzip inbox");
    let (_, headers, body) = get("/admin/", &[("accept-encoding", "br, gzip")]).await;
    assert!(headers.get("content-encoding").is_none());
    assert!(headers.get("vary").is_none(), "a file without copies does not vary");
    assert_eq!(body, b"<title>console</title>");
    let (_, _, body) = get("/admin/index.html", &[]).await;
    assert_eq!(body, b"<title>console</title>");
    for app in ["/inbox", "/admin"] {
        let (status, headers, _) = get(app, &[]).await;
        assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
        assert_eq!(headers["location"], format!("{app}/"));
    }
}

#[tokio::test]
async fn paths_outside_the_table_are_not_found() {
    for path in [
        "/widget/nothing.js",
        "/widget/",
        "/widget/widget.js.br",
        "/widget/../inbox/index.html",
        "/widget/%2e%2e/inbox/index.html",
        "/inbox/..%2F..%2Fdata/switchboard.db",
        "/inbox/nothing/",
        "/admin/..",
    ] {
        let (status, ..) = get(path, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, ..) = send(Method::POST, "/widget.js", &[]).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

/// What `build.rs` made of `tests/fixtures/dist`, as it makes the built-in
/// table of a release build from `SWITCHBOARD_EMBED_DIST`.
static FIXTURE: &[Asset] = include!(concat!(env!("OUT_DIR"), "/fixture_assets.rs"));

const FIXTURE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/dist");

#[tokio::test]
async fn a_build_embeds_every_file_of_its_directory_with_its_copies_and_hash() {
    use sha2::{Digest, Sha256};
    let paths: Vec<&str> = FIXTURE.iter().map(|a| a.path).collect();
    assert_eq!(
        paths,
        [
            "admin/index.html",
            "inbox/index.html",
            "inbox/snippets/inline0.js",
            "widget/switchboard-widget_bg.wasm",
            "widget/widget.js",
        ]
    );
    let app: Router = routes(&Source::Embedded(Embedded::new(FIXTURE)));
    let read = |rel: &str| std::fs::read(format!("{FIXTURE_DIR}/{rel}")).unwrap();
    let request = |path: &str, accept: &str| {
        Request::get(path).header("accept-encoding", accept).body(Body::empty()).unwrap()
    };
    let response = app.clone().oneshot(request("/widget.js", "br")).await.unwrap();
    let hash: String =
        Sha256::digest(read("widget/widget.js"))[..16].iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(response.headers()["etag"], format!("\"{hash}-br\""));
    assert_eq!(to_bytes(response.into_body(), usize::MAX).await.unwrap(), read("widget/widget.js.br"));
    let response = app.clone().oneshot(request("/inbox/", "gzip")).await.unwrap();
    assert_eq!(to_bytes(response.into_body(), usize::MAX).await.unwrap(), read("inbox/index.html.gz"));
    let response = app.oneshot(request("/inbox/snippets/inline0.js", "br, gzip")).await.unwrap();
    assert!(response.headers().get("content-encoding").is_none(), "it has no copies");
    assert_eq!(to_bytes(response.into_body(), usize::MAX).await.unwrap(), read("inbox/snippets/inline0.js"));
}

#[test]
fn a_directory_given_wins_over_the_built_in_bundles() {
    let dir = std::path::Path::new("/srv/dist");
    assert!(matches!(Source::choose(Some(dir), Some(FIXTURE)), Source::Dir(d) if d == dir));
    assert!(matches!(Source::choose(None, Some(FIXTURE)), Source::Embedded(f) if f.len() == FIXTURE.len()));
    assert!(matches!(Source::choose(None, None), Source::Dir(d) if d.as_os_str() == "target/dist"));
}
