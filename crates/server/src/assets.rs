//! The built browser bundles: the widget loader at `/widget.js`, the widget's
//! WASM, JS glue and CSS under `/widget/`, the agent inbox under `/inbox/`
//! and the admin console under `/admin/`.
//!
//! Widget files are fetched by host pages on other origins (module scripts and
//! `WebAssembly.instantiateStreaming` are CORS requests), so they are served
//! with `Access-Control-Allow-Origin: *`; they are public and carry no secrets.
//! The inbox and the console are same-origin only.
//!
//! `cargo xtask build` writes `NAME.br` and `NAME.gz` next to each built file;
//! those are sent as they are to browsers that accept them. Anything else is
//! compressed on the fly, at a level fast enough not to delay the response.

use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL};
use axum::http::HeaderValue;
use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use std::path::Path;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

/// Routes for the bundles in `assets_dir` (`widget/`, `inbox/`, `admin/`), as Trunk builds them.
pub fn routes(assets_dir: &Path) -> Router<AppState> {
    let widget_dir = assets_dir.join("widget");
    let widget = Router::new()
        .route_service(
            "/widget.js",
            ServeFile::new(widget_dir.join("widget.js")).precompressed_br().precompressed_gzip(),
        )
        .nest_service("/widget", ServeDir::new(&widget_dir).precompressed_br().precompressed_gzip())
        .layer(SetResponseHeaderLayer::overriding(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")))
        // File names carry no hash: revalidate every time (cheap: ETag/Last-Modified).
        .layer(SetResponseHeaderLayer::overriding(CACHE_CONTROL, HeaderValue::from_static("no-cache")));
    let app = |prefix: &'static str, dir: &str| {
        Router::new()
            .route(prefix, get(move || async move { Redirect::permanent(&format!("{prefix}/")) }))
            .nest_service(
                &format!("{prefix}/"),
                ServeDir::new(assets_dir.join(dir))
                    .append_index_html_on_directories(true)
                    .precompressed_br()
                    .precompressed_gzip(),
            )
    };
    // The console is its own bundle: agents and visitors never download it.
    let apps = app("/inbox", "inbox").merge(app("/admin", "admin"));
    // Compressed for clients that accept it (brotli first, then gzip). The
    // default brotli level (11) takes about 200 ms for the widget's wasm;
    // level 4 takes a few. Precompressed files pass through untouched.
    widget.merge(apps).layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
}

/// Warns at start-up when the bundles are missing, with what to run.
pub fn check(assets_dir: &Path) {
    for file in
        ["widget/widget.js", "widget/switchboard-widget_bg.wasm", "inbox/index.html", "admin/index.html"]
    {
        let path = assets_dir.join(file);
        if !path.is_file() {
            tracing::warn!(path = %path.display(), "browser bundle missing; build it with `cargo xtask run` (or `cargo xtask build`)");
        }
    }
}
