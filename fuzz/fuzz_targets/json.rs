//! The widget's hand-written JSON reader (`switchboard_protocol::json`) and
//! its per-type decoders, against serde_json and the serde derives they
//! mirror.
//!
//! Asserted (what the module documents, and nothing more):
//! - the reader reads what serde_json reads, to the same value, unless it is
//!   nested deeper than `MAX_DEPTH`; it refuses what serde_json refuses,
//!   except numbers out of f64's range (which it does not keep anyway);
//! - a type the reader decodes, serde decodes to the same value, unless the
//!   document repeats a key (serde refuses a repeated field, the reader takes
//!   the first); when both decode, the values are equal;
//! - what serde writes for a decoded value reads back as that value;
//! - a colour that parses prints back as it was written (lower-cased);
//! - a decoded stream that validates is written as a stream file that parses
//!   back to the same stream, and runs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;
use switchboard_protocol::json::{self, FromJson, Json, MAX_DEPTH};
use switchboard_protocol::site::SiteConfig;
use switchboard_protocol::stream::runner::{RunState, Step};
use switchboard_protocol::stream::{file, Stream};
use switchboard_protocol::wire::{Pending, VisitorOut};

/// Objects' members sorted by key, the last of a repeated key kept (as
/// serde_json's `Value` keeps them).
fn normalize(v: &Json) -> Json {
    match v {
        Json::Array(items) => Json::Array(items.iter().map(normalize).collect()),
        Json::Object(members) => {
            let map: std::collections::BTreeMap<_, _> =
                members.iter().map(|(k, v)| (k.clone(), normalize(v))).collect();
            Json::Object(map.into_iter().collect())
        }
        other => other.clone(),
    }
}

/// serde_json's value as the reader's, with the numbers the reader keeps.
fn from_serde(v: &serde_json::Value) -> Json {
    match v {
        serde_json::Value::Null => Json::Null,
        serde_json::Value::Bool(b) => Json::Bool(*b),
        serde_json::Value::Number(n) => {
            Json::Number(n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)))
        }
        serde_json::Value::String(s) => Json::String(s.clone()),
        serde_json::Value::Array(a) => Json::Array(a.iter().map(from_serde).collect()),
        serde_json::Value::Object(o) => {
            Json::Object(o.iter().map(|(k, v)| (k.clone(), from_serde(v))).collect())
        }
    }
}

/// How deep the deepest value sits (the top value at 0).
fn depth(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Array(a) => a.iter().map(depth).max().map_or(0, |d| d + 1),
        serde_json::Value::Object(o) => o.values().map(depth).max().map_or(0, |d| d + 1),
        _ => 0,
    }
}

/// Whether any object in `v` has a key twice.
fn repeats_a_key(v: &Json) -> bool {
    match v {
        Json::Array(items) => items.iter().any(repeats_a_key),
        Json::Object(members) => {
            let mut keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
            keys.sort_unstable();
            keys.windows(2).any(|w| w[0] == w[1]) || members.iter().any(|(_, v)| repeats_a_key(v))
        }
        _ => false,
    }
}

/// Decodes `doc` as a `T` with the reader and `text` with serde; checks they
/// agree (see the module's list) and returns the reader's value.
fn decode<T>(text: &str, doc: &Json, serde_reads_it: bool, repeats: bool) -> Option<T>
where
    T: FromJson + DeserializeOwned + Serialize + PartialEq + Debug,
{
    let name = std::any::type_name::<T>();
    let ours = T::from_json(doc);
    match (&ours, serde_json::from_str::<T>(text)) {
        (Ok(a), Ok(b)) => assert_eq!(a, &b, "{name}: the reader and serde decode {text:?} differently"),
        (Ok(a), Err(e)) => assert!(
            !serde_reads_it || repeats,
            "{name}: the reader decodes {text:?} as {a:?}, serde refuses it: {e}"
        ),
        (Err(_), _) => {}
    }
    let value = ours.ok()?;
    let written = serde_json::to_string(&value).expect("serde writes every value");
    assert_eq!(json::from_str::<T>(&written).as_ref(), Ok(&value), "{name}: {written} does not read back");
    Some(value)
}

fn check_stream(stream: &Stream) {
    let Ok(valid) = stream.clone().validate() else { return };
    let written = file::write(valid.stream());
    if written.len() <= file::MAX_FILE_BYTES {
        match file::parse(&written) {
            Ok(back) => assert_eq!(back.stream.stream(), stream, "written as:\n{written}"),
            Err(e) => panic!("a valid stream's file does not parse: {e:?}\n{written}"),
        }
    }
    let _ = valid.start(Default::default());
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let ours = json::parse(text);
    let theirs = serde_json::from_str::<serde_json::Value>(text);
    match (&ours, &theirs) {
        (Ok(a), Ok(v)) => {
            assert_eq!(
                normalize(a),
                normalize(&from_serde(v)),
                "the reader and serde_json read {text:?} differently"
            )
        }
        (Ok(a), Err(e)) => assert!(
            e.to_string().starts_with("number out of range"),
            "the reader reads {text:?} (as {a:?}), serde_json refuses it: {e}"
        ),
        (Err(e), Ok(v)) => {
            assert!(depth(v) > MAX_DEPTH, "the reader refuses {text:?} ({e}), serde_json reads it")
        }
        (Err(_), Err(_)) => {}
    }
    let Ok(doc) = ours else { return };
    let (serde_reads_it, repeats) = (theirs.is_ok(), repeats_a_key(&doc));

    if let Some(config) = decode::<SiteConfig>(text, &doc, serde_reads_it, repeats) {
        if let Some(written) = doc.get("appearance").and_then(|a| a.get("accent")).and_then(Json::as_str) {
            assert_eq!(
                config.appearance.accent.to_string(),
                written.to_ascii_lowercase(),
                "accent {written:?}"
            );
        }
        config.streams.iter().for_each(check_stream);
    }
    if let Some(stream) = decode::<Stream>(text, &doc, serde_reads_it, repeats) {
        check_stream(&stream);
    }
    decode::<VisitorOut>(text, &doc, serde_reads_it, repeats);
    decode::<RunState>(text, &doc, serde_reads_it, repeats);
    decode::<Step>(text, &doc, serde_reads_it, repeats);
    // Pending has no Deserialize (the widget alone reads it): no panic is all.
    let _ = Vec::<Pending>::from_json(&doc);
});
