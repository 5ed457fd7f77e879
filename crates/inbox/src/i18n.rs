//! The inbox's UI strings, from the locale files in `src/locales/`.

use serde::Deserialize;
use switchboard_protocol::site::Locale;

/// Every string the inbox shows.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Strings {
    /// Page title.
    pub title: String,
    /// Login heading and button.
    pub sign_in: String,
    /// Email field label.
    pub email: String,
    /// Password field label.
    pub password: String,
    /// Button while logging in.
    pub signing_in: String,
    /// Logout button.
    pub sign_out: String,
    /// `{name}` is the agent's name.
    pub signed_in_as: String,
    /// Login refused.
    pub bad_credentials: String,
    /// A field is empty.
    pub required: String,
    /// The request failed.
    pub network_error: String,
    /// Empty conversation list.
    pub no_chats: String,
}

const EN: &str = include_str!("locales/en.json");
const NL: &str = include_str!("locales/nl.json");

impl Strings {
    /// The strings for `locale`.
    pub fn for_locale(locale: Locale) -> Self {
        serde_json::from_str(match locale {
            Locale::En => EN,
            Locale::Nl => NL,
        })
        .expect("locale files are valid")
    }

    /// The strings for the browser's language (English when unknown).
    pub fn for_browser() -> Self {
        let locale = web_sys::window()
            .and_then(|w| w.navigator().language())
            .and_then(|l| Locale::parse(&l).ok())
            .unwrap_or_default();
        Self::for_locale(locale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_file_parses_with_every_key() {
        for locale in [Locale::En, Locale::Nl] {
            assert!(Strings::for_locale(locale).signed_in_as.contains("{name}"));
        }
    }
}
