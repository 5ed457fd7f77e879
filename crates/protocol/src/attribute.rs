//! Visitor attributes: what data-capture cards ask for and answers store, and
//! the checks their values pass (the same in the widget and on the server).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Longest custom attribute name.
pub const MAX_ATTRIBUTE_NAME: usize = 40;
/// Longest attribute value.
pub const MAX_VALUE_LEN: usize = 500;

/// The attributes known about a visitor, by name.
pub type Attributes = BTreeMap<String, String>;

/// An attribute a card can capture or an answer can store.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Attribute {
    /// `first_name`
    FirstName,
    /// `last_name`
    LastName,
    /// `email`
    Email,
    /// `phone`
    Phone,
    /// `company`
    Company,
    /// `job_title`
    JobTitle,
    /// `custom:<name>`: a site's own attribute (`a-z`, `0-9`, `_`).
    Custom(String),
}

/// The built-in attribute names, for error messages.
pub const BUILT_IN: [&str; 6] = ["first_name", "last_name", "email", "phone", "company", "job_title"];

/// Why an attribute name or value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttributeError {
    /// Not a built-in name nor `custom:<name>`.
    #[error("unknown attribute `{0}`; use one of first_name, last_name, email, phone, company, job_title, or custom:<name>")]
    Unknown(String),
}

impl Attribute {
    /// Parses an attribute name.
    pub fn parse(raw: &str) -> Result<Self, AttributeError> {
        Ok(match raw {
            "first_name" => Self::FirstName,
            "last_name" => Self::LastName,
            "email" => Self::Email,
            "phone" => Self::Phone,
            "company" => Self::Company,
            "job_title" => Self::JobTitle,
            _ => {
                let name = raw.strip_prefix("custom:").filter(|n| {
                    !n.is_empty()
                        // A custom name equal to a built-in one would share its stored value.
                        && !BUILT_IN.contains(n)
                        && n.len() <= MAX_ATTRIBUTE_NAME
                        && n.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                });
                match name {
                    Some(n) => Self::Custom(n.to_owned()),
                    None => return Err(AttributeError::Unknown(raw.chars().take(60).collect())),
                }
            }
        })
    }

    /// The key under which the value is stored (`first_name`, `order_number`).
    pub fn key(&self) -> &str {
        match self {
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Company => "company",
            Self::JobTitle => "job_title",
            Self::Custom(name) => name,
        }
    }
}

impl TryFrom<String> for Attribute {
    type Error = AttributeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Attribute> for String {
    fn from(a: Attribute) -> Self {
        a.to_string()
    }
}

impl fmt::Display for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Custom(name) => write!(f, "custom:{name}"),
            other => f.write_str(other.key()),
        }
    }
}

/// What kind of input a data-capture card takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// Free text.
    Text,
    /// An email address.
    Email,
    /// A phone number.
    Phone,
    /// One of the card's options.
    Pick,
}

/// Why a visitor's value was refused (shown inline in the widget).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ValueError {
    /// Required and empty.
    #[error("this field is required")]
    Required,
    /// Longer than [`MAX_VALUE_LEN`].
    #[error("too long (at most {max} characters)")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// Not an email address.
    #[error("not a valid email address")]
    Email,
    /// Not a phone number.
    #[error("not a valid phone number")]
    Phone,
    /// Not one of the options.
    #[error("not one of the options")]
    NotAnOption,
    /// An email at a domain the site refuses (say a free mail provider,
    /// where the site wants a work address): see [`blocked_domain`].
    #[error("the site does not take email addresses at this domain")]
    BlockedDomain,
}

/// Whether `email`'s domain (after its last `@`, without ASCII case) is one
/// of `blocked`, a site's blocked email domains: exactly, not its
/// subdomains (`gmail.com` blocks `ada@gmail.com`, not `ada@mail.gmail.com`).
/// The widget refuses such an email in place, and the server refuses a
/// hand-off that carries one.
pub fn blocked_domain(email: &str, blocked: &[String]) -> bool {
    let Some((_, domain)) = email.trim().rsplit_once('@') else { return false };
    blocked.iter().any(|b| b.eq_ignore_ascii_case(domain))
}

fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else { return false };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    s.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c))
        && domain.contains('.')
        && domain.split('.').all(label_ok)
        && domain
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()))
}

fn valid_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let body = s.strip_prefix('+').unwrap_or(s);
    (6..=15).contains(&digits) && body.chars().all(|c| c.is_ascii_digit() || " -().".contains(c))
}

/// Checks a visitor's `raw` input for a field; returns the value to store
/// (trimmed; emails with the domain's ASCII letters lower-cased: an
/// internationalized domain keeps its other letters as typed, since Unicode
/// case tables would add 7 KB to the widget, and domains compare without
/// case anyway).
pub fn check_value(
    input: InputKind,
    options: &[String],
    required: bool,
    raw: &str,
) -> Result<String, ValueError> {
    let value = raw.trim();
    if value.is_empty() {
        return if required { Err(ValueError::Required) } else { Ok(String::new()) };
    }
    if value.chars().count() > MAX_VALUE_LEN {
        return Err(ValueError::TooLong { max: MAX_VALUE_LEN });
    }
    match input {
        InputKind::Text => Ok(value.to_owned()),
        InputKind::Email if valid_email(value) => {
            let (local, domain) = value.rsplit_once('@').unwrap_or((value, ""));
            Ok(format!("{local}@{}", domain.to_ascii_lowercase()))
        }
        InputKind::Email => Err(ValueError::Email),
        InputKind::Phone if valid_phone(value) => Ok(value.to_owned()),
        InputKind::Phone => Err(ValueError::Phone),
        InputKind::Pick => {
            options.iter().find(|o| o.as_str() == value).cloned().ok_or(ValueError::NotAnOption)
        }
    }
}

// The read side for the widget (see `crate::json`), mirroring the derives.

impl crate::json::FromJson for Attribute {
    fn from_json(json: &crate::json::Json) -> Result<Self, crate::json::JsonError> {
        let raw = json.str()?;
        Self::parse(raw).map_err(|_| crate::json::JsonError::invalid(raw))
    }
}

crate::json_names!(InputKind { Text = "text", Email = "email", Phone = "phone", Pick = "pick" });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_and_custom_attributes_parse_and_print_back() {
        for name in BUILT_IN.iter().copied().chain(["custom:order_number"]) {
            assert_eq!(Attribute::parse(name).unwrap().to_string(), name);
        }
        assert_eq!(Attribute::parse("custom:plan").unwrap().key(), "plan");
    }

    #[test]
    fn unknown_attributes_are_refused() {
        for bad in
            ["firstname", "custom:", "custom:Bad Name", "Email", "", "custom:email", "custom:first_name"]
        {
            assert!(Attribute::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn emails_are_checked_and_their_domain_lower_cased() {
        assert_eq!(check_value(InputKind::Email, &[], true, " Ada@Example.COM ").unwrap(), "Ada@example.com");
        assert_eq!(check_value(InputKind::Email, &[], true, "Ada@Bücher.DE").unwrap(), "Ada@bücher.de");
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "a da@example.com",
            "ada@ex..com",
            "ada@example.1",
        ] {
            assert_eq!(check_value(InputKind::Email, &[], true, bad), Err(ValueError::Email), "{bad:?}");
        }
    }

    #[test]
    fn phones_need_six_to_fifteen_digits() {
        assert!(check_value(InputKind::Phone, &[], true, "+31 (0)20 123-4567").is_ok());
        assert_eq!(check_value(InputKind::Phone, &[], true, "12345"), Err(ValueError::Phone));
        assert_eq!(check_value(InputKind::Phone, &[], true, "call me"), Err(ValueError::Phone));
    }

    #[test]
    fn required_empty_optional_empty_and_too_long() {
        assert_eq!(check_value(InputKind::Text, &[], true, "  "), Err(ValueError::Required));
        assert_eq!(check_value(InputKind::Text, &[], false, "  ").unwrap(), "");
        let long = "x".repeat(MAX_VALUE_LEN + 1);
        assert_eq!(
            check_value(InputKind::Text, &[], true, &long),
            Err(ValueError::TooLong { max: MAX_VALUE_LEN })
        );
    }

    #[test]
    fn an_email_is_blocked_at_exactly_a_blocked_domain_in_any_case() {
        let blocked = vec!["gmail.com".to_owned(), "hotmail.com".to_owned()];
        assert!(blocked_domain("ada@gmail.com", &blocked));
        assert!(blocked_domain(" Ada@GMail.COM ", &blocked));
        assert!(blocked_domain("a@b@hotmail.com", &blocked), "the domain follows the last @");
        for allowed in ["ada@bigcorp.com", "ada@mail.gmail.com", "ada@gmail.com.evil", "gmail.com", ""] {
            assert!(!blocked_domain(allowed, &blocked), "{allowed:?}");
        }
        assert!(!blocked_domain("ada@gmail.com", &[]));
    }

    #[test]
    fn a_pick_must_be_one_of_the_options() {
        let options = vec!["Sales".to_owned(), "Support".to_owned()];
        assert_eq!(check_value(InputKind::Pick, &options, true, "Support").unwrap(), "Support");
        assert_eq!(check_value(InputKind::Pick, &options, true, "Billing"), Err(ValueError::NotAnOption));
    }
}
