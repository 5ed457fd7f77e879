//! The widget's own UI strings, from the locale files in `src/locales/`
//! (one JSON object per language, every key required, so a missing
//! translation fails the tests instead of showing a blank).

use std::collections::BTreeMap;
use switchboard_protocol::attribute::ValueError;
use switchboard_protocol::site::Locale;

/// Declares [`Strings`] with one field per locale key, and reads it from a
/// locale file's JSON object by key (through the string map the widget has
/// anyway, rather than a generated deserializer of its own: that one cost
/// the bundle about 17 KB).
macro_rules! strings {
    ($($(#[$doc:meta])* $field:ident,)*) => {
        /// Every string the widget shows that does not come from the site's stream.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Strings {
            $($(#[$doc])* pub $field: String,)*
        }

        impl Strings {
            /// The strings in `json`: every key required, no unknown one.
            fn parse(json: &str) -> Result<Self, String> {
                let mut map: BTreeMap<String, String> =
                    switchboard_protocol::json::from_str(json).map_err(|e| e.to_string())?;
                let strings = Strings {
                    $($field: map.remove(stringify!($field)).ok_or(concat!("missing key ", stringify!($field)))?,)*
                };
                match map.keys().next() {
                    Some(unknown) => Err(format!("unknown key {unknown}")),
                    None => Ok(strings),
                }
            }
        }
    };
}

strings! {
    /// Launcher label when the panel is closed.
    launcher_open,
    /// Launcher label when the panel is open.
    launcher_close,
    /// The panel's close button.
    close,
    /// Intro line; `{name}` is the bot's name.
    chatting_with,
    /// Accessible name of the message log.
    conversation,
    /// Shown while the configuration loads.
    loading,
    /// Shown when the configuration could not be loaded.
    load_failed,
    /// Typing indicator; `{name}` is the bot's name.
    typing,
    /// A field's submit button.
    send,
    /// A pick list's empty choice.
    choose,
    /// Accessible name of a question's answer buttons.
    answers,
    /// Shown at the live chat card when the card has no text of its own.
    connecting,
    /// A required field left empty.
    error_required,
    /// A value too long; `{max}` is the limit.
    error_too_long,
    /// Not an email address.
    error_email,
    /// Not a phone number.
    error_phone,
    /// Not one of a pick list's options.
    error_option,
    /// Above the live chat once an agent accepted; `{name}` is theirs.
    chatting_with_agent,
    /// The agent's typing indicator; `{name}` is theirs.
    agent_typing,
    /// Stands in for an agent without a name.
    someone,
    /// The composer's label.
    message,
    /// The composer's placeholder.
    message_placeholder,
    /// A message not yet confirmed by the server.
    sending,
    /// The connection dropped and is being restored.
    reconnecting,
    /// The end chat button.
    end_chat,
    /// Shown when the chat ended.
    chat_ended,
    /// Starts over once a chat or the stream is over.
    new_chat,
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
        Self::parse(src).expect("locale files are valid")
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
    fn a_missing_or_unknown_key_is_refused() {
        let mut map: BTreeMap<String, String> = serde_json::from_str(EN).unwrap();
        map.remove("close");
        let missing = serde_json::to_string(&map).unwrap();
        assert_eq!(Strings::parse(&missing).unwrap_err(), "missing key close");
        map.insert("close".into(), "Close".into());
        map.insert("clsoe".into(), "typo".into());
        let unknown = serde_json::to_string(&map).unwrap();
        assert_eq!(Strings::parse(&unknown).unwrap_err(), "unknown key clsoe");
    }

    #[test]
    fn dutch_strings_differ_from_english() {
        assert_ne!(Strings::for_locale(Locale::En).close, Strings::for_locale(Locale::Nl).close);
    }
}
