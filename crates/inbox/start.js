// Starts the inbox. Trunk's own loader would be an inline script, which the
// inbox's Content-Security-Policy refuses (crates/server/src/headers.rs), so
// Trunk.toml's `pattern_script` loads this file instead and hands it the
// built files' names (they carry hashes) as data attributes.
const { js, wasm } = document.querySelector("script[data-wasm]").dataset;
const inbox = await import(js);
await inbox.default({ module_or_path: wasm });
