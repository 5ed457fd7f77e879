//! `cargo xtask`: the project's two commands and their helpers.
//!
//! - `run`: install what is missing, build the browser bundles, seed the demo
//!   on first run and serve it (API on :8080, demo host page on :8081).
//! - `test`: fmt, clippy, native tests, the server's on PostgreSQL, the
//!   cluster suite, a fuzz smoke, browser tests,
//!   end-to-end tests, the admin API against its OpenAPI document, then one
//!   summary line per suite (`--only SUITE` runs just that one).
//! - `build`: install what is missing and build the browser bundles only.
//! - `dist`: the bundles, then the release `switchboard` binary with them
//!   built in (`target/server/switchboard`), the one file to deploy.
//! - `fuzz`: fuzz the protocol crate's parsers (cargo-fuzz), a line per target.
//!
//! Modules: [`tools`] (toolchain bootstrap), [`suites`] (running and
//! counting test suites), [`services`] (a throwaway PostgreSQL), [`serve`]
//! (the demo server), [`dist`] (the deployable binary), [`fuzz`] (fuzzing),
//! [`openapi`] (the schemathesis suite).

mod bench;
mod dist;
mod fuzz;
mod openapi;
mod serve;
mod services;
mod suites;
mod tools;

use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => serve::run(),
        Some("test") => suites::test(&args[1..]),
        Some("build") => {
            let progress = Progress::new(4);
            tools::ensure_wasm_toolchain(&progress).and_then(|()| build_bundles(&progress))
        }
        Some("dist") => dist::run(),
        Some("bench") => bench::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <run | test | build | dist | bench | fuzz>");
            eprintln!("  run    install tools, build, seed the demo and serve it on http://127.0.0.1:8080");
            eprintln!(
                "  test   fmt, clippy, native, postgres, cluster, fuzz smoke, browser, end-to-end, openapi; a summary"
            );
            eprintln!("         [--only SUITE[,SUITE…]] runs only those (e.g. --only openapi)");
            eprintln!(
                "  build  install tools and build the widget, inbox and console bundles into target/dist"
            );
            eprintln!(
                "  dist   build, then the release server with the bundles built in: target/server/switchboard"
            );
            eprintln!(
                "  bench  bundle sizes, one routing decision, load [loadgen flags], the admin list and the"
            );
            eprintln!(
                "         chat report over 1M conversations, the cluster on PostgreSQL and NATS; a table, JSON"
            );
            eprintln!(
                "         in target/bench/ (`bench admin-list`, `bench reports` or `bench cluster` alone)"
            );
            eprintln!("  fuzz   fuzz the protocol parsers [RUNS (default 10000000) | SECONDSs per target]");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the workspace").to_path_buf()
}

/// Numbered step announcements, so a long run says what it does and how far it is.
pub struct Progress {
    total: usize,
    done: std::cell::Cell<usize>,
    started: std::time::Instant,
}

impl Progress {
    /// A run of `total` steps.
    pub fn new(total: usize) -> Self {
        Self { total, done: std::cell::Cell::new(0), started: std::time::Instant::now() }
    }

    /// Announces the next step.
    pub fn step(&self, what: &str) {
        let n = self.done.get() + 1;
        self.done.set(n);
        let disk = free_disk().map(|gb| format!(", {gb:.1} GB free")).unwrap_or_default();
        eprintln!("\n==> [{n}/{}] {what}  ({:.0?} elapsed{disk})", self.total, self.started.elapsed());
    }
}

/// Gigabytes free on the disk that holds the workspace (from `df`), so a run
/// that fills the disk says so in its log before a compiler does.
pub fn free_disk() -> Option<f64> {
    let out = std::process::Command::new("df").args(["-Pk"]).arg(root()).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let kb: f64 = text.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()?;
    Some(kb / 1024.0 / 1024.0)
}

/// Builds the widget, inbox and admin console bundles in release mode into
/// `target/dist/{widget,inbox,admin}` (three steps); the toolchain must be in place.
pub fn build_bundles(progress: &Progress) -> anyhow::Result<()> {
    for (name, dir) in [
        ("widget", root()),
        ("inbox", root().join("crates/inbox")),
        ("console", root().join("crates/console")),
    ] {
        progress.step(&format!("Building the {name} bundle (trunk build --release)"));
        let status = tools::command("trunk")
            .args(["build", "--release"])
            .current_dir(&dir)
            .status()
            .context("running trunk")?;
        anyhow::ensure!(status.success(), "trunk build of the {name} failed ({status})");
    }
    // (The widget only: it runs on other people's pages. The inbox's files
    // carry hashes in their names and subresource integrity checks.)
    let widget = root().join("target/dist/widget");
    let glue = widget.join("switchboard-widget.js");
    drop_stream_exports(&widget.join("switchboard-widget_bg.wasm"), &glue)?;
    let js = std::fs::read_to_string(&glue)?;
    std::fs::write(&glue, without_stream_classes(&js)?)?;
    minify(&glue, true)?;
    // The loader: every site's page downloads it.
    let loader = root().join("target/dist/widget/widget.js");
    let built = localize_loader(&std::fs::read_to_string(&loader)?, &launcher_labels()?)?;
    std::fs::write(&loader, built)?;
    minify(&loader, false)?;
    for dir in ["widget", "inbox", "admin"] {
        precompress(&root().join("target/dist").join(dir))?;
    }
    Ok(())
}

/// The WebAssembly features the bundles are built with (Rust's defaults for
/// wasm32-unknown-unknown), for the binaryen tools.
const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Removes from `wasm` the exports of wasm-streams' `IntoUnderlying*`
/// classes, with the code only they reach. Leptos links them in through
/// server_fn's streaming, which a client-rendered bundle never uses, and an
/// export is kept however dead it is (about 1.7 KB brotli). Every other
/// export the JS glue calls stays: the graph's root reaches them.
fn drop_stream_exports(wasm: &std::path::Path, glue: &std::path::Path) -> anyhow::Result<()> {
    let js = std::fs::read_to_string(glue).with_context(|| format!("reading {}", glue.display()))?;
    let keep = used_exports(&js);
    anyhow::ensure!(
        keep.iter().any(|e| e == "memory"),
        "{} does not use wasm.memory: not wasm-bindgen's glue?",
        glue.display()
    );
    let mut graph = vec![serde_json::json!({
        "name": "root",
        "root": true,
        "reaches": keep.iter().map(|e| format!("export:{e}")).collect::<Vec<_>>(),
    })];
    graph.extend(keep.iter().map(|e| serde_json::json!({ "name": format!("export:{e}"), "export": e })));
    let graph_file = wasm.with_extension("dce.json");
    std::fs::write(&graph_file, serde_json::to_vec(&graph)?)?;
    let run = |program: &str, args: &[&std::ffi::OsStr]| -> anyhow::Result<()> {
        let out = tools::command(program)
            .args(WASM_FEATURES)
            .args(args)
            .output()
            .with_context(|| format!("running {program}"))?;
        anyhow::ensure!(out.status.success(), "{program} failed: {}", String::from_utf8_lossy(&out.stderr));
        Ok(())
    };
    run(
        "wasm-metadce",
        &["--graph-file".as_ref(), graph_file.as_ref(), wasm.as_ref(), "-o".as_ref(), wasm.as_ref()],
    )?;
    run("wasm-opt", &["-Oz".as_ref(), wasm.as_ref(), "-o".as_ref(), wasm.as_ref()])?;
    std::fs::remove_file(&graph_file)?;
    Ok(())
}

/// The glue `js` without wasm-streams' `IntoUnderlying*` classes, whose
/// code [`drop_stream_exports`] removed from the wasm: each class from its
/// `export class` line to the `if (Symbol.dispose)` line after it, and its
/// `FinalizationRegistry` (a statement to its closing `;`).
fn without_stream_classes(js: &str) -> anyhow::Result<String> {
    let mut out = String::with_capacity(js.len());
    let mut skipping: Option<&str> = None;
    for line in js.lines() {
        if let Some(end) = skipping {
            if line.starts_with(end) && line.ends_with(';') {
                skipping = None;
            }
            continue;
        }
        if line.starts_with("export class IntoUnderlying") {
            skipping = Some("if (Symbol.dispose) IntoUnderlying");
        } else if line.starts_with("const IntoUnderlying") {
            skipping = (!line.ends_with(';')).then_some("    : new FinalizationRegistry");
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    anyhow::ensure!(
        skipping.is_none() && !out.contains("IntoUnderlying"),
        "wasm-bindgen's glue no longer has the shape this expects around IntoUnderlying* classes"
    );
    Ok(out)
}

/// Minifies the JS `file` in place with terser (wasm-bindgen writes its
/// glue readable; the loader keeps its comments in the source). A
/// `module`'s exports keep their names: the loader imports them.
fn minify(file: &std::path::Path, module: bool) -> anyhow::Result<()> {
    let out = tools::command("terser")
        .arg(file)
        // (The loader is served without a charset: ASCII whatever its labels.)
        .args(if module { &["--module"][..] } else { &["--format", "ascii_only=true"][..] })
        .args(["--compress", "--mangle", "-o"])
        .arg(file)
        .output()
        .context("running terser")?;
    anyhow::ensure!(out.status.success(), "terser failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(())
}

/// The exports wasm-bindgen's glue `js` calls (`wasm.NAME`), but those of
/// wasm-streams' classes.
fn used_exports(js: &str) -> Vec<String> {
    let mut used: Vec<String> = js
        .split("wasm.")
        .skip(1)
        .map(|rest| {
            rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$').collect()
        })
        .filter(|name: &String| {
            !name.is_empty() && !name.trim_start_matches("__wbg_").starts_with("intounderlying")
        })
        .collect();
    used.sort();
    used.dedup();
    used
}

/// Writes `NAME.br` (brotli 11) and `NAME.gz` (gzip 9) next to every file
/// in `dir`, which the server sends as they are to browsers that accept
/// them: compressing the wasm at that level on every request would take the
/// server about 200 ms (a cold first open waits for it), and at a faster
/// level it would come out larger. Trunk empties `dir` on every build, so
/// these never outlive the file they were made from.
fn precompress(dir: &std::path::Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !path.is_file() || ext == "br" || ext == "gz" {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        std::fs::write(path.with_file_name(format!("{name}.br")), brotli(&bytes)?)?;
        std::fs::write(path.with_file_name(format!("{name}.gz")), gzip(&bytes)?)?;
    }
    Ok(())
}

/// `bytes` compressed with brotli at quality 11 (window 4 MiB).
pub fn brotli(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut br, &params)?;
    Ok(br)
}

/// `bytes` compressed with gzip at level 9.
pub fn gzip(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    Ok(gz.finish()?)
}

/// `locale → [open, close, unread, unavailable]` from the widget's locale
/// files.
fn launcher_labels() -> anyhow::Result<serde_json::Map<String, serde_json::Value>> {
    let mut labels = serde_json::Map::new();
    let mut files: Vec<_> = std::fs::read_dir(root().join("src/locales"))?.collect::<Result<_, _>>()?;
    files.sort_by_key(|f| f.file_name());
    for f in files {
        let path = f.path();
        let Some(locale) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else { continue };
        let strings: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)
            .with_context(|| format!("parsing {}", path.display()))?;
        let texts = [
            &strings["launcher_open"],
            &strings["launcher_close"],
            &strings["launcher_unread"],
            &strings["load_failed"],
        ];
        anyhow::ensure!(texts.iter().all(|t| t.is_string()), "{} lacks the launcher labels", path.display());
        labels.insert(locale, serde_json::json!(texts));
    }
    Ok(labels)
}

/// The loader with the launcher labels of every locale in place of the
/// source's English fallback (after the `/*LAUNCHER_LABELS*/` marker, up to `;`).
fn localize_loader(src: &str, labels: &serde_json::Map<String, serde_json::Value>) -> anyhow::Result<String> {
    const MARKER: &str = "/*LAUNCHER_LABELS*/";
    let start = src.find(MARKER).context("the loader lost its /*LAUNCHER_LABELS*/ marker")?;
    let end = start + src[start..].find(';').context("no `;` after the launcher labels")?;
    Ok(format!("{}{}{}", &src[..start], serde_json::Value::Object(labels.clone()), &src[end..]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_glue_keeps_every_export_it_calls_but_wasm_streams_classes() {
        let js = "const ret = wasm.mount(a, b);\n\
            wasm.__wbindgen_free(ptr, len, 1);\n\
            return wasm.memory.buffer; wasm.mount();\n\
            const F = new FinalizationRegistry(ptr => wasm.__wbg_intounderlyingsource_free(ptr >>> 0, 1));\n\
            wasm.intounderlyingsink_write(this.__wbg_ptr, chunk);";
        assert_eq!(super::used_exports(js), ["__wbindgen_free", "memory", "mount"]);
    }

    #[test]
    fn the_loader_gets_every_locales_launcher_labels() {
        let labels = super::launcher_labels().unwrap();
        assert_eq!(
            labels["nl"],
            serde_json::json!([
                "Chat openen",
                "Chat sluiten",
                "{count} nieuw",
                "De chat kon niet worden geladen. Probeer het later opnieuw."
            ])
        );
        let src = "var a = 1;\n  var labels = /*LAUNCHER_LABELS*/ { en: [\"x\", \"y\"] };\n  var b = labels;";
        let out = super::localize_loader(src, &labels).unwrap();
        assert!(
            out.contains(
                r#"var labels = {"en":["Open chat","Close chat","{count} new","The chat could not be loaded. Please try again later."],"nl":["Chat openen","Chat sluiten","{count} nieuw","De chat kon niet worden geladen. Probeer het later opnieuw."]};"#
            ),
            "{out}"
        );
        assert!(out.ends_with("var b = labels;"));
        assert!(super::localize_loader("var labels = {};", &labels).is_err());
    }
}
