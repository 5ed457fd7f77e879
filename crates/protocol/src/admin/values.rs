//! Checked values an admin types: each newtype can only be made by its
//! `parse`, which normalizes (trims, lower-cases) and refuses what does not
//! fit, so a value of the type is known good wherever it travels. Their serde
//! form is the plain string, read back through `parse`.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::attribute::{check_value, InputKind};
use crate::auth::{MAX_PASSWORD_LEN, MIN_PASSWORD_LEN};
use crate::site::InvalidValue;

/// Longest display name (site, agent, team, header title, bot name), in
/// characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Longest allowed origin, in bytes.
pub const MAX_ORIGIN_LEN: usize = 200;

/// The string newtypes share: `TryFrom<String>` through `parse` (what serde
/// reads with), `as_str`, `Display` and `Into<String>` (what serde writes).
macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            /// The checked value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidValue;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> Self {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// An origin a site's widget may run on: `http(s)://host[:port]` in lower
/// case, nothing after it (browsers send no path in `Origin`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Origin(String);

impl Origin {
    /// Checks `raw` (at most [`MAX_ORIGIN_LEN`] bytes) and lower-cases it.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let rest = raw.strip_prefix("https://").or_else(|| raw.strip_prefix("http://"));
        let ok = rest.is_some_and(|rest| {
            !rest.is_empty()
                && raw.len() <= MAX_ORIGIN_LEN
                && rest.chars().all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
                && !rest.starts_with([':', '.'])
        });
        if ok {
            Ok(Self(raw.to_ascii_lowercase()))
        } else {
            Err(InvalidValue::Origin(raw.chars().take(80).collect()))
        }
    }
}

string_newtype!(Origin);

/// An email address, as the visitor's email attribute is checked
/// ([`check_value`]): trimmed, its domain's ASCII letters lower-cased, the
/// local part kept as typed. Agents log in with it; the store compares
/// emails without ASCII case, so `Ada@…` and `ada@…` are one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Checks and normalizes `raw`.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        check_value(InputKind::Email, &[], true, raw)
            .map(Self)
            .map_err(|e| InvalidValue::Email(raw.chars().take(80).collect(), e))
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

string_newtype!(Email);

/// An email domain, as written after the `@` (`bigcorp.com`): lower case,
/// letters, digits and hyphens in dot-separated labels, at least two labels.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailDomain(String);

impl EmailDomain {
    /// Checks `raw` (trimmed, one leading `@` allowed) and lower-cases it.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let d = raw.trim().trim_start_matches('@').to_ascii_lowercase();
        let ok = d.len() <= 253
            && d.contains('.')
            && d.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if ok {
            Ok(Self(d))
        } else {
            Err(InvalidValue::EmailDomain(raw.chars().take(80).collect()))
        }
    }
}

string_newtype!(EmailDomain);

/// A name shown to people: of a site, an agent, a team, the widget's header
/// or its bot. Trimmed, 1 to [`MAX_NAME_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    /// Trims `raw` and checks its length.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let n = raw.trim();
        if n.is_empty() || n.chars().count() > MAX_NAME_CHARS {
            return Err(InvalidValue::Name);
        }
        Ok(Self(n.to_owned()))
    }
}

string_newtype!(DisplayName);

/// A password an admin sets: [`MIN_PASSWORD_LEN`] to [`MAX_PASSWORD_LEN`]
/// characters, taken as typed (spaces count).
///
/// It can be read (to hash it) but never written out: no `Serialize`, no
/// `Display`, and `Debug` shows no character of it, so neither a view nor a
/// log line can carry it by accident.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Password(String);

impl Password {
    /// Checks the length of `raw`.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        if (MIN_PASSWORD_LEN..=MAX_PASSWORD_LEN).contains(&raw.chars().count()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::Password)
        }
    }

    /// The password itself, for hashing.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Password {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(Origin::parse("https://Shop.Example.com").unwrap().as_str(), "https://shop.example.com");
        assert_eq!(Origin::parse("http://127.0.0.1:8081").unwrap().as_str(), "http://127.0.0.1:8081");
        assert!(Origin::parse("http://[::1]:8080").is_ok());
        let long = format!("https://{}.com", "a".repeat(MAX_ORIGIN_LEN));
        for bad in [
            "shop.example.com",
            "https://",
            "https://x.com/path",
            "https://x.com/",
            "ftp://x.com",
            "https://x.com?q",
            "https://a b",
            "https://:80",
            "https://.x.com",
            " https://x.com",
            "javascript:alert(1)",
            &long,
        ] {
            assert!(Origin::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_refused_origin_says_what_an_origin_is() {
        let e = Origin::parse("acme.example/path").unwrap_err().to_string();
        assert_eq!(e, "origin \"acme.example/path\" must be http(s)://host[:port], without a path");
    }

    #[test]
    fn emails_are_trimmed_and_their_domain_lower_cased() {
        assert_eq!(Email::parse(" Ada@Example.COM ").unwrap().as_str(), "Ada@example.com");
        assert_eq!(Email::parse("ada@example.com").unwrap().domain(), "example.com");
        for bad in ["", "  ", "ada", "ada@", "@example.com", "ada@example", "a da@example.com", "ada@ex..com"]
        {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Email::parse("ada").unwrap_err().to_string(), "email \"ada\": not a valid email address");
    }

    #[test]
    fn email_domains_are_lower_case_labels_with_a_dot() {
        assert_eq!(EmailDomain::parse(" @BigCorp.com ").unwrap().as_str(), "bigcorp.com");
        assert_eq!(EmailDomain::parse("mail.big-corp.co.uk").unwrap().as_str(), "mail.big-corp.co.uk");
        let long_label = format!("{}.com", "a".repeat(64));
        for bad in [
            "bigcorp",
            "",
            ".com",
            "big..com",
            "-big.com",
            "big-.com",
            "big corp.com",
            "b_c.com",
            &long_label,
        ] {
            assert!(EmailDomain::parse(bad).is_err(), "{bad:?}");
        }
        assert!(EmailDomain::parse("bigcorp").unwrap_err().to_string().contains("not an email domain"));
    }

    #[test]
    fn display_names_are_trimmed_and_one_to_a_hundred_characters() {
        assert_eq!(DisplayName::parse("  Sales EU ").unwrap().as_str(), "Sales EU");
        assert!(DisplayName::parse(&"é".repeat(MAX_NAME_CHARS)).is_ok());
        for bad in ["", "   ", &"x".repeat(MAX_NAME_CHARS + 1)] {
            assert_eq!(DisplayName::parse(bad), Err(InvalidValue::Name), "{bad:?}");
        }
    }

    #[test]
    fn passwords_are_ten_to_max_characters_and_never_shown() {
        let p = Password::parse("correct horse").unwrap();
        assert_eq!(p.as_str(), "correct horse");
        assert_eq!(format!("{p:?}"), "Password(***)");
        assert!(Password::parse(&"é".repeat(MIN_PASSWORD_LEN)).is_ok(), "characters, not bytes");
        assert!(Password::parse(&"x".repeat(MAX_PASSWORD_LEN)).is_ok());
        for bad in ["", "short", &"x".repeat(MIN_PASSWORD_LEN - 1), &"x".repeat(MAX_PASSWORD_LEN + 1)] {
            assert_eq!(Password::parse(bad), Err(InvalidValue::Password));
        }
        assert_eq!(InvalidValue::Password.to_string(), "a password must be 10 to 256 characters");
    }

    #[test]
    fn serde_reads_through_parse_and_writes_the_checked_text() {
        let o: Origin = serde_json::from_str("\"https://Acme.EXAMPLE\"").unwrap();
        assert_eq!(serde_json::to_string(&o).unwrap(), "\"https://acme.example\"");
        assert!(serde_json::from_str::<Origin>("\"acme.example\"").is_err());
        assert!(serde_json::from_str::<Email>("\"nobody\"").is_err());
        assert!(serde_json::from_str::<EmailDomain>("\"nodot\"").is_err());
        assert!(serde_json::from_str::<DisplayName>("\" \"").is_err());
        assert!(serde_json::from_str::<Password>("\"short\"").is_err());
        let n: DisplayName = serde_json::from_str("\" Ada \"").unwrap();
        assert_eq!(n.to_string(), "Ada");
    }
}

// Native only: proptest needs an OS random source.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever is accepted is already in its checked form: parsing it
        /// again gives it back (so a stored value reads back unchanged).
        #[test]
        fn a_checked_value_parses_back_to_itself(raw in "\\PC{0,40}|https?://[A-Za-z0-9.:-]{0,30}|[A-Za-z0-9.@_-]{0,30}") {
            if let Ok(v) = Origin::parse(&raw) {
                prop_assert_eq!(Origin::parse(v.as_str()).unwrap(), v);
            }
            if let Ok(v) = Email::parse(&raw) {
                prop_assert_eq!(Email::parse(v.as_str()).unwrap(), v);
            }
            if let Ok(v) = EmailDomain::parse(&raw) {
                prop_assert_eq!(EmailDomain::parse(v.as_str()).unwrap(), v);
            }
            if let Ok(v) = DisplayName::parse(&raw) {
                prop_assert_eq!(DisplayName::parse(v.as_str()).unwrap(), v);
            }
        }
    }
}
