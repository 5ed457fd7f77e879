//! A small JSON reader for the browser bundles, and [`FromJson`], the
//! read side of the types the widget receives and keeps.
//!
//! The server reads and writes JSON with serde and serde_json, and the
//! widget writes with them too. But reading in the widget through serde's
//! derived `Deserialize` cost the bundle about 56 KB brotli (a quarter of
//! it): each type's visitor, serde_json's number and error formatting, and
//! the buffering of internally tagged enums, all compiled per type. This
//! reader is one parse into [`Json`] and a short hand-written decoder per
//! type, next to each type's derive. Tests decode what serde writes for
//! every type and variant, so both sides stay one format.
//!
//! What it reads is what serde_json writes: any JSON text (RFC 8259), nested
//! at most [`MAX_DEPTH`] deep; numbers are kept when they are integers that
//! fit an `i64` or a `u64` (the only numbers Switchboard sends). Decoding follows the
//! derives: unknown fields are ignored, an absent `Option` is `None`, a
//! field with a serde default takes it when absent.

use std::collections::BTreeMap;
use std::fmt;

/// How deep arrays and objects may nest.
pub const MAX_DEPTH: usize = 64;

/// A parsed JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number: its value when it is an integer that fits an `i64` or a `u64`.
    Number(Option<i128>),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object's members, in order.
    Object(Vec<(String, Json)>),
}

/// Why a text could not be read (not JSON, or not the expected shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError(pub String);

impl JsonError {
    fn new(what: &str, detail: &str) -> Self {
        Self(what.to_owned() + detail)
    }

    /// `detail` is not a valid value of the type being read.
    pub fn invalid(detail: &str) -> Self {
        Self::new("invalid value ", detail)
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsonError {}

/// Parses `text` as one JSON value.
pub fn parse(text: &str) -> Result<Json, JsonError> {
    let mut p = Parser { s: text, i: 0 };
    let value = p.value(0)?;
    p.space();
    if p.i != text.len() {
        return Err(p.error("trailing characters"));
    }
    Ok(value)
}

/// Parses `text` and decodes it as a `T`.
pub fn from_str<T: FromJson>(text: &str) -> Result<T, JsonError> {
    T::from_json(&parse(text)?)
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> JsonError {
        JsonError::new(what, &(" at byte ".to_owned() + &self.i.to_string()))
    }

    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.space();
        let found = self.peek() == Some(b);
        if found {
            self.i += 1;
        }
        found
    }

    fn expect(&mut self, b: u8, what: &str) -> Result<(), JsonError> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.space();
        match self.peek() {
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::new();
                if self.eat(b'}') {
                    return Ok(Json::Object(members));
                }
                loop {
                    self.space();
                    let key = self.string()?;
                    self.expect(b':', "expected ':'")?;
                    members.push((key, self.value(depth + 1)?));
                    if !self.eat(b',') {
                        self.expect(b'}', "expected ',' or '}'")?;
                        return Ok(Json::Object(members));
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if !self.eat(b',') {
                        self.expect(b']', "expected ',' or ']'")?;
                        return Ok(Json::Array(items));
                    }
                }
            }
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => {
                for (word, value) in
                    [("true", Json::Bool(true)), ("false", Json::Bool(false)), ("null", Json::Null)]
                {
                    if self.s[self.i..].starts_with(word) {
                        self.i += word.len();
                        return Ok(value);
                    }
                }
                Err(self.error("expected a value"))
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.i;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        let first = self.peek();
        let n = self.digits();
        if n == 0 || (first == Some(b'0') && n > 1) {
            return Err(self.error("invalid number"));
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.i += 1;
            integer = false;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            integer = false;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        // `-0` is no integer to serde_json (it reads the float -0.0), so it
        // is not one here either: a `u64` field refuses it in both.
        let value = self.s[start..self.i]
            .parse::<i128>()
            .ok()
            .filter(|n| (i64::MIN.into()..=u64::MAX.into()).contains(n) && !(negative && *n == 0));
        Ok(Json::Number(if integer { value } else { None }))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        // Four hex digits exactly: `from_str_radix` alone also takes a sign (`\u+041`).
        let hex = self
            .s
            .get(self.i..self.i + 4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("invalid escape"))?;
        let v = u32::from_str_radix(hex, 16).map_err(|_| self.error("invalid escape"))?;
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string"));
        }
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while matches!(self.peek(), Some(c) if c != b'"' && c != b'\\' && c >= 0x20) {
                self.i += 1;
            }
            // Stopped at an ASCII byte or the end: a character boundary.
            out.push_str(&self.s[start..self.i]);
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 2;
                    let c = match self.s.as_bytes().get(self.i - 1) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let mut c = self.hex4()?;
                            if (0xD800..0xDC00).contains(&c) && self.s[self.i..].starts_with("\\u") {
                                self.i += 2;
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err(self.error("invalid surrogate pair"));
                                }
                                c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
                            }
                            char::from_u32(c).ok_or_else(|| self.error("lone surrogate"))?
                        }
                        _ => return Err(self.error("invalid escape")),
                    };
                    out.push(c);
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }
}

impl Json {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The string, or an error saying a string was expected.
    pub fn str(&self) -> Result<&str, JsonError> {
        self.as_str().ok_or_else(|| JsonError("expected a string".into()))
    }

    /// The member `name` of this object, if present.
    pub fn get(&self, name: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Decodes member `name` of this object (which must be one); an absent
    /// member is an error unless `T` is an `Option`.
    pub fn field<T: FromJson>(&self, name: &str) -> Result<T, JsonError> {
        match self.get(name) {
            Some(v) => T::from_json(v).map_err(|e| JsonError::new(name, &(": ".to_owned() + &e.0))),
            None if matches!(self, Json::Object(_)) => T::absent(name),
            None => Err(JsonError("expected an object".into())),
        }
    }

    /// Decodes member `name`, or `default()` when it is absent (serde's
    /// `#[serde(default)]`).
    pub fn field_or<T: FromJson>(&self, name: &str, default: impl FnOnce() -> T) -> Result<T, JsonError> {
        match self.get(name) {
            Some(_) => self.field(name),
            None => self.field::<Option<T>>(name).map(|v| v.unwrap_or_else(default)),
        }
    }
}

/// A type read from [`Json`], mirroring its serde `Deserialize`.
pub trait FromJson: Sized {
    /// Decodes `json`.
    fn from_json(json: &Json) -> Result<Self, JsonError>;

    /// The value of an absent object member: an error, but `None` for an `Option`.
    fn absent(name: &str) -> Result<Self, JsonError> {
        Err(JsonError::new("missing field ", name))
    }
}

impl FromJson for Json {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        Ok(json.clone())
    }
}

impl FromJson for String {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        json.str().map(str::to_owned)
    }
}

impl FromJson for bool {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        match json {
            Json::Bool(b) => Ok(*b),
            _ => Err(JsonError("expected true or false".into())),
        }
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl FromJson for $t {
            fn from_json(json: &Json) -> Result<Self, JsonError> {
                match json {
                    Json::Number(Some(n)) => <$t>::try_from(*n).map_err(|_| JsonError::invalid(&n.to_string())),
                    _ => Err(JsonError(concat!("expected an integer (", stringify!($t), ")").into())),
                }
            }
        }
    )*};
}
integers!(u64, u32, u16, i32, usize);

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        match json {
            Json::Null => Ok(None),
            other => T::from_json(other).map(Some),
        }
    }

    fn absent(_: &str) -> Result<Self, JsonError> {
        Ok(None)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        match json {
            Json::Array(items) => items.iter().map(T::from_json).collect(),
            _ => Err(JsonError("expected an array".into())),
        }
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        match json {
            Json::Object(members) => {
                // Inserted one by one: `collect` into a map sorts first,
                // which costs the browser bundles a sort routine.
                let mut map = BTreeMap::new();
                for (k, v) in members {
                    map.insert(k.clone(), T::from_json(v)?);
                }
                Ok(map)
            }
            _ => Err(JsonError("expected an object".into())),
        }
    }
}

/// Implements [`FromJson`] for a fieldless enum that serde writes as the
/// variant's name (`rename_all = "snake_case"`), and `NAMES` (every variant
/// with its name, for the tests).
#[macro_export]
#[doc(hidden)]
macro_rules! json_names {
    ($t:ty { $($v:ident = $n:literal),* $(,)? }) => {
        impl $crate::json::FromJson for $t {
            fn from_json(json: &$crate::json::Json) -> Result<Self, $crate::json::JsonError> {
                match json.str()? {
                    $($n => Ok(<$t>::$v),)*
                    other => Err($crate::json::JsonError::invalid(other)),
                }
            }
        }

        impl $t {
            /// Every variant, with the name it has in JSON.
            #[doc(hidden)]
            pub const NAMES: &'static [($t, &'static str)] = &[$((<$t>::$v, $n)),*];
        }
    };
}

// Native only: they compare with serde_json and use proptest.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
