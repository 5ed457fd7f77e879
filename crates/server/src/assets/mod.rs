//! The built browser bundles: the widget loader at `/widget.js`, the widget's
//! WASM, JS glue and CSS under `/widget/`, the agent inbox under `/inbox/`
//! and the admin console under `/admin/`.
//!
//! They come from one of two [`Source`]s: a directory (`--assets-dir`, as
//! `cargo xtask build` writes it), or the table of files built into a
//! release binary (`embedded`, `build.rs`). A directory given wins, so a
//! developer can try new bundles with a release binary. Both answer the
//! same URLs with the same headers.
//!
//! Widget files are fetched by host pages on other origins (module scripts and
//! `WebAssembly.instantiateStreaming` are CORS requests), so they are served
//! with `Access-Control-Allow-Origin: *`; they are public and carry no secrets.
//! The inbox and the console are same-origin only.
//!
//! `cargo xtask build` writes `NAME.br` and `NAME.gz` next to each built file;
//! those are sent as they are to browsers that accept them. From a
//! directory, anything else is compressed on the fly, at a level fast
//! enough not to delay the response.
//!
//! Modules: `embedded` (serving a table of files), `negotiate` (reading
//! `Accept-Encoding` and `If-None-Match`).

mod embedded;
mod negotiate;

use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL};
use axum::http::HeaderValue;
use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use std::path::{Path, PathBuf};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

pub(crate) use embedded::{Asset, Embedded};

use crate::config::{Settings, DEV_ASSETS_DIR};

/// Where the bundles are served from.
pub(crate) enum Source {
    /// A directory with `widget/`, `inbox/` and `admin/`.
    Dir(PathBuf),
    /// Files in memory.
    Embedded(Embedded),
}

impl Source {
    /// The source `settings` ask for (see [`Source::choose`]).
    pub(crate) fn of(settings: &Settings) -> Self {
        Self::choose(settings.assets_dir.as_deref(), embedded::BUILT_IN)
    }

    /// The directory `given`, else the `built_in` bundles, else
    /// [`DEV_ASSETS_DIR`] (a development build has no built-in bundles).
    fn choose(given: Option<&Path>, built_in: Option<&'static [Asset]>) -> Self {
        match (given, built_in) {
            (Some(dir), _) => Self::Dir(dir.to_path_buf()),
            (None, Some(table)) => Self::Embedded(Embedded::new(table)),
            (None, None) => Self::Dir(DEV_ASSETS_DIR.into()),
        }
    }
}

/// Files a directory of bundles must hold (`build.rs` requires the same of
/// the built-in ones); start-up names those missing.
const EXPECTED: [&str; 4] =
    ["widget/widget.js", "widget/switchboard-widget_bg.wasm", "inbox/index.html", "admin/index.html"];

/// Routes for the bundles of `source`.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>(source: &Source) -> Router<S> {
    let widget_headers = |widget: Router<S>| {
        widget
            .layer(SetResponseHeaderLayer::overriding(
                ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ))
            // File names carry no hash: revalidate every time (cheap: a 304).
            .layer(SetResponseHeaderLayer::overriding(CACHE_CONTROL, HeaderValue::from_static("no-cache")))
    };
    let redirect =
        |prefix: &'static str| get(move || async move { Redirect::permanent(&format!("{prefix}/")) });
    let redirects = Router::new().route("/inbox", redirect("/inbox")).route("/admin", redirect("/admin"));
    let bundles = match source {
        Source::Dir(dir) => {
            // Compressed for clients that accept it (brotli first, then
            // gzip). The default brotli level (11) takes about 200 ms for
            // the widget's wasm; level 4 takes a few. Precompressed files
            // pass through untouched. (Built-in files are not compressed
            // here: `build.rs` warns about any without its copies.)
            widget_headers(dir_widget(dir))
                .merge(dir_apps(dir))
                .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        }
        Source::Embedded(files) => widget_headers(files.widget()).merge(files.apps()),
    };
    bundles.merge(redirects)
}

fn dir_widget<S: Clone + Send + Sync + 'static>(assets_dir: &Path) -> Router<S> {
    let widget_dir = assets_dir.join("widget");
    Router::new()
        .route_service(
            "/widget.js",
            ServeFile::new(widget_dir.join("widget.js")).precompressed_br().precompressed_gzip(),
        )
        .nest_service("/widget", ServeDir::new(&widget_dir).precompressed_br().precompressed_gzip())
}

fn dir_apps<S: Clone + Send + Sync + 'static>(assets_dir: &Path) -> Router<S> {
    // The console is its own bundle: agents and visitors never download it.
    let app = |prefix: &str, dir: &str| {
        Router::new().nest_service(
            &format!("{prefix}/"),
            ServeDir::new(assets_dir.join(dir))
                .append_index_html_on_directories(true)
                .precompressed_br()
                .precompressed_gzip(),
        )
    };
    app("/inbox", "inbox").merge(app("/admin", "admin"))
}

/// Says at start-up where the bundles come from, and warns when some are
/// missing, with what to run.
pub(crate) fn check(source: &Source) {
    match source {
        Source::Dir(dir) => {
            let built_in = embedded::BUILT_IN.is_some();
            tracing::info!(dir = %dir.display(), built_in, "serving the browser bundles from a directory");
            for file in EXPECTED {
                let path = dir.join(file);
                if !path.is_file() {
                    tracing::warn!(path = %path.display(), "browser bundle missing; build it with `cargo xtask run` (or `cargo xtask build`)");
                }
            }
        }
        Source::Embedded(files) => {
            tracing::info!(files = files.len(), "serving the browser bundles built into this binary");
        }
    }
}

#[cfg(test)]
mod tests;
