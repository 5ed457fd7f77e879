// Starts the admin console. Trunk's own loader would be an inline script, which the
// console's Content-Security-Policy refuses (crates/server/src/headers.rs), so
// Trunk.toml's `pattern_script` loads this file instead and hands it the
// built files' names (they carry hashes) as data attributes.
const { js, wasm } = document.querySelector("script[data-wasm]").dataset;
const app = await import(js);
await app.default({ module_or_path: wasm });
