//! The widget's own UI strings, from the locale files in `src/locales/`
//! (one JSON object per language, every key required, so a missing
//! translation fails the tests instead of showing a blank).

use serde::Deserialize;
use switchboard_protocol::attribute::ValueError;
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
    /// Typing indicator; `{name}` is the bot's name.
    pub typing: String,
    /// A field's submit button.
    pub send: String,
    /// A pick list's empty choice.
    pub choose: String,
    /// Accessible name of a question's answer buttons.
    pub answers: String,
    /// Shown at the live chat card when the card has no text of its own.
    pub connecting: String,
    /// A required field left empty.
    pub error_required: String,
    /// A value too long; `{max}` is the limit.
    pub error_too_long: String,
    /// Not an email address.
    pub error_email: String,
    /// Not a phone number.
    pub error_phone: String,
    /// Not one of a pick list's options.
    pub error_option: String,
    /// Above the live chat once an agent accepted; `{name}` is theirs.
    pub chatting_with_agent: String,
    /// The agent's typing indicator; `{name}` is theirs.
    pub agent_typing: String,
    /// Stands in for an agent without a name.
    pub someone: String,
    /// The composer's label.
    pub message: String,
    /// The composer's placeholder.
    pub message_placeholder: String,
    /// A message not yet confirmed by the server.
    pub sending: String,
    /// The connection dropped and is being restored.
    pub reconnecting: String,
    /// The end chat button.
    pub end_chat: String,
    /// Shown when the chat ended.
    pub chat_ended: String,
    /// Starts over once a chat or the stream is over.
    pub new_chat: String,
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

    /// What to tell the visitor about a refused value.
    pub fn value_error(&self, e: &ValueError) -> String {
        match e {
            ValueError::Required => self.error_required.clone(),
            ValueError::TooLong { max } => self.error_too_long.replace("{max}", &max.to_string()),
            ValueError::Email => self.error_email.clone(),
            ValueError::Phone => self.error_phone.clone(),
            ValueError::NotAnOption => self.error_option.clone(),
        }
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
