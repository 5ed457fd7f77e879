//! Serving bundles from a table of files in memory: the bundles a release
//! binary carries (see `build.rs`), or a test's small table.
//!
//! Everything a file's answer needs was decided when it was built: its
//! brotli and gzip copies were compressed by `cargo xtask build` and its
//! hash computed by `build.rs`. So an answer is a choice among three byte
//! strings, with an ETag per copy (each is its own representation, RFC 9110
//! §8.8.3, and a cache keyed by `Vary` must not confuse them) and a `304`
//! when the browser already holds that copy. Files carry no modification
//! time: the ETag alone revalidates.

use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use std::collections::HashMap;
use std::sync::Arc;

use super::negotiate::{self, Coding};

/// The bundles built into this binary: `None` unless `SWITCHBOARD_EMBED_DIST`
/// named their directory when it was built (see `build.rs`).
pub(crate) static BUILT_IN: Option<&[Asset]> = include!(concat!(env!("OUT_DIR"), "/built_in_assets.rs"));

/// One file of a bundle, with its precompressed copies.
#[derive(Debug)]
pub(crate) struct Asset {
    /// Its path in the bundles' directory, with `/`: `widget/widget.js`.
    pub(crate) path: &'static str,
    /// The file as built.
    pub(crate) body: &'static [u8],
    /// `NAME.br`, when the directory had it.
    pub(crate) br: Option<&'static [u8]>,
    /// `NAME.gz`, when the directory had it.
    pub(crate) gzip: Option<&'static [u8]>,
    /// A hash of `body` (hex, no quotes): the ETags are made from it.
    pub(crate) hash: &'static str,
}

/// The files by path, with the headers of their answers, made once.
#[derive(Clone)]
pub(crate) struct Embedded(Arc<HashMap<&'static str, Entry>>);

struct Entry {
    asset: &'static Asset,
    content_type: HeaderValue,
    /// The ETags of the file as built, of its brotli and of its gzip copy.
    etags: [HeaderValue; 3],
}

impl Embedded {
    /// The files of `table`, which is expected to hold paths like
    /// `widget/widget.js`, `inbox/index.html` and `admin/index.html`.
    pub(crate) fn new(table: &'static [Asset]) -> Self {
        let entries = table.iter().map(|asset| {
            // The types `ServeDir` gives, so both sources answer alike.
            let content_type =
                mime_guess::from_path(asset.path).first_raw().unwrap_or("application/octet-stream");
            let etag = |suffix: &str| {
                HeaderValue::from_str(&format!("\"{}{suffix}\"", asset.hash))
                    .expect("build.rs writes hashes in hex")
            };
            let entry = Entry {
                asset,
                content_type: HeaderValue::from_static(content_type),
                etags: [etag(""), etag("-br"), etag("-gz")],
            };
            (asset.path, entry)
        });
        Self(Arc::new(entries.collect()))
    }

    /// How many files there are.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// `/widget.js` and `/widget/NAME`.
    pub(crate) fn widget<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        Router::new()
            .route("/widget.js", self.file("widget/widget.js"))
            .route("/widget/{*name}", self.under("widget/", ""))
    }

    /// The browser apps: `/inbox/` and `/admin/` with what is under them,
    /// `index.html` for a path that names a directory (as `ServeDir`'s
    /// `append_index_html_on_directories`).
    pub(crate) fn apps<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let app = |prefix: &str, dir: &'static str, index: &'static str| {
            Router::new()
                .route(&format!("{prefix}/"), self.file(index))
                .route(&format!("{prefix}/{{*name}}"), self.under(dir, "index.html"))
        };
        app("/inbox", "inbox/", "inbox/index.html").merge(app("/admin", "admin/", "admin/index.html"))
    }

    /// GET and HEAD of the file at `path`.
    fn file<S: Clone + Send + Sync + 'static>(&self, path: &'static str) -> MethodRouter<S> {
        let files = self.clone();
        get(move |request: HeaderMap| async move { files.answer(path, &request) })
    }

    /// GET and HEAD of `dir` + the route's `{*name}` (percent-decoded), with
    /// `index` after a trailing `/`. A name with `..` is just a path the
    /// table does not hold: nothing here reads a file system.
    fn under<S: Clone + Send + Sync + 'static>(
        &self,
        dir: &'static str,
        index: &'static str,
    ) -> MethodRouter<S> {
        let files = self.clone();
        get(move |Path(name): Path<String>, request: HeaderMap| async move {
            let index = if name.ends_with('/') { index } else { "" };
            files.answer(&format!("{dir}{name}{index}"), &request)
        })
    }

    /// The answer to a request with headers `request` for `path`.
    fn answer(&self, path: &str, request: &HeaderMap) -> Response {
        let Some(entry) = self.0.get(path) else { return StatusCode::NOT_FOUND.into_response() };
        let asset = entry.asset;
        let accept = header_list(request, &ACCEPT_ENCODING);
        let coding = negotiate::preferred(accept.as_deref(), asset.br.is_some(), asset.gzip.is_some());
        let (body, etag, encoding) = match (coding, asset.br, asset.gzip) {
            (Coding::Br, Some(br), _) => (br, &entry.etags[1], Some("br")),
            (Coding::Gzip, _, Some(gzip)) => (gzip, &entry.etags[2], Some("gzip")),
            _ => (asset.body, &entry.etags[0], None),
        };
        let mut headers = HeaderMap::new();
        headers.insert(ETAG, etag.clone());
        if asset.br.is_some() || asset.gzip.is_some() {
            headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
        }
        let held = header_list(request, &IF_NONE_MATCH)
            .is_some_and(|tags| negotiate::none_match(&tags, etag.to_str().unwrap_or_default()));
        if held {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        headers.insert(CONTENT_TYPE, entry.content_type.clone());
        if let Some(encoding) = encoding {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        (headers, Body::from(Bytes::from_static(body))).into_response()
    }
}

/// The values of every `name` header of `request`, joined as one list (a
/// client may split a list over several lines); `None` when there is none.
fn header_list(request: &HeaderMap, name: &axum::http::HeaderName) -> Option<String> {
    let values: Vec<&str> = request.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect();
    (!values.is_empty()).then(|| values.join(","))
}
