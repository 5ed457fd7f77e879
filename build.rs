//! Turns the widget's locale files (`src/locales/*.json`, one object of
//! strings each) into Rust constants of type `Strings`, so the bundle carries
//! the strings as they are instead of a reader for them. A key missing from a
//! file, or one the widget does not know, is a compile error ("missing field"
//! or "no field named"), so a translation cannot go missing unnoticed.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=src/locales");
    let mut out = String::new();
    for (constant, file) in [("EN", "en.json"), ("NL", "nl.json")] {
        let path = Path::new("src/locales").join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let _ = writeln!(
            out,
            "/// The strings of `src/locales/{file}`.\npub(crate) const {constant}: Strings = Strings {{"
        );
        for (key, value) in map {
            let valid = key.starts_with(|c: char| c.is_ascii_lowercase())
                && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            assert!(valid, "{}: the key {key:?} is not a lower-case identifier", path.display());
            let Some(value) = value.as_str() else {
                panic!("{}: the value of {key:?} is not a string", path.display())
            };
            // A string's Debug form is a valid Rust string literal.
            let _ = writeln!(out, "    {key}: {value:?},");
        }
        out.push_str("};\n");
    }
    let dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&dir).join("locales.rs"), out).expect("OUT_DIR is writable");
}
