//! Builds the browser bundles into the binary when `SWITCHBOARD_EMBED_DIST`
//! names their directory (absolute; `cargo xtask dist` sets it to
//! `target/dist`), so a server needs nothing beside it.
//!
//! Writes `$OUT_DIR/built_in_assets.rs`: `Some(TABLE)` with the variable,
//! else `None`, so development builds and tests embed nothing and need no
//! bundles. TABLE is a slice of `assets::Asset`: each file's path, its bytes
//! (`include_bytes!`, which the compiler copies as they are), its `NAME.br`
//! and `NAME.gz` copies when present, and a SHA-256 of it for the ETags.
//!
//! Also writes `fixture_assets.rs`, the TABLE of `tests/fixtures/dist`, the
//! same way: the assets tests serve it, so what this writes is compiled and
//! tested without a real build of the bundles.

use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The files a bundles' directory must hold (those `assets::check` looks
/// for in a directory at start-up).
const EXPECTED: [&str; 4] =
    ["widget/widget.js", "widget/switchboard-widget_bg.wasm", "inbox/index.html", "admin/index.html"];

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo::rerun-if-env-changed=SWITCHBOARD_EMBED_DIST");
    let built_in = match std::env::var_os("SWITCHBOARD_EMBED_DIST").filter(|d| !d.is_empty()) {
        None => "None".to_owned(),
        Some(dir) => {
            let dir = PathBuf::from(dir);
            assert!(dir.is_absolute(), "SWITCHBOARD_EMBED_DIST must be absolute, not {}", dir.display());
            format!("Some({})", table(&dir, true))
        }
    };
    write(&out.join("built_in_assets.rs"), &built_in);
    write(&out.join("fixture_assets.rs"), &table(Path::new("tests/fixtures/dist"), false));
}

/// The TABLE of the bundles in `dir`, as a Rust expression; with `warn`,
/// a cargo warning for each file without both precompressed copies (it
/// will be sent uncompressed to browsers).
fn table(dir: &Path, warn: bool) -> String {
    // A directory is scanned as a whole: a file added, changed or removed
    // anywhere below it runs this again.
    println!("cargo::rerun-if-changed={}", dir.display());
    let dir = dir.canonicalize().unwrap_or_else(|e| panic!("bundles directory {}: {e}", dir.display()));
    let mut files = Vec::new();
    walk(&dir, &mut files);
    files.sort();
    let is_copy = |f: &PathBuf| f.extension().is_some_and(|e| e == "br" || e == "gz");
    let relative = |f: &Path| -> String {
        let rel = f.strip_prefix(&dir).expect("found below dir");
        let parts: Vec<&str> = rel.iter().map(|p| p.to_str().expect("bundle file names are UTF-8")).collect();
        parts.join("/")
    };
    let mut out = String::from("&[\n");
    for file in files.iter().filter(|f| !is_copy(f)) {
        let path = relative(file);
        let body = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let hash: String = Sha256::digest(&body)[..16].iter().map(|b| format!("{b:02x}")).collect();
        let copy = |ext: &str| {
            let copy = PathBuf::from(format!("{}.{ext}", file.display()));
            if copy.is_file() {
                format!("Some(include_bytes!({:?}))", copy.display().to_string())
            } else {
                if warn {
                    println!("cargo::warning=bundle file {path} has no .{ext} copy: it is sent uncompressed");
                }
                "None".to_owned()
            }
        };
        let _ = writeln!(
            out,
            "    Asset {{ path: {path:?}, body: include_bytes!({:?}), br: {}, gzip: {}, hash: {hash:?} }},",
            file.display().to_string(),
            copy("br"),
            copy("gz"),
        );
    }
    out.push(']');
    for expected in EXPECTED {
        assert!(
            files.iter().any(|f| relative(f) == expected),
            "{} has no {expected}: build the bundles first (`cargo xtask build`)",
            dir.display()
        );
    }
    out
}

/// Every file below `dir`, into `files`.
fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("{}: {e}", dir.display())).path();
        if path.is_dir() {
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
