//! The widget's own UI strings, from the locale files in `src/locales/`
//! (one JSON object per language, every key required, so a missing
//! translation fails the tests instead of showing a blank).

use serde::Deserialize;
use switchboard_protocol::site::Locale;

/// Every string the widget shows that does not come from the site's stream.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Strings {
    /// Launcher label when the panel is closed.
    pub launcher_open: String,
    /// Launcher label when the panel is open.
    pub launcher_close: String,
    /// The panel's close button.
    pub close: String,
    /// Intro line; `{name}` is the bot's name.
    pub chatting_with: String,
    /// Accessible name of the message log.
    pub conversation: String,
    /// Shown while the configuration loads.
    pub loading: String,
    /// Shown when the configuration could not be loaded.
    pub load_failed: String,
}

const EN: &str = include_str!("locales/en.json");
const NL: &str = include_str!("locales/nl.json");

impl Strings {
    /// The strings for `locale`.
    pub fn for_locale(locale: Locale) -> Self {
        let src = match locale {
            Locale::En => EN,
            Locale::Nl => NL,
        };
        // The files are part of the build and checked by the tests below.
        serde_json::from_str(src).expect("locale files are valid")
    }

    /// `chatting_with` with the bot's name filled in.
    pub fn chatting_with(&self, bot_name: &str) -> String {
        self.chatting_with.replace("{name}", bot_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_file_parses_with_every_key() {
        for locale in [Locale::En, Locale::Nl] {
            let s = Strings::for_locale(locale);
            assert!(s.chatting_with.contains("{name}"), "{locale:?} lost the {{name}} placeholder");
        }
    }

    #[test]
    fn dutch_strings_differ_from_english() {
        assert_ne!(Strings::for_locale(Locale::En).close, Strings::for_locale(Locale::Nl).close);
    }
}
