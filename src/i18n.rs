//! The widget's own UI strings, from the locale files in `src/locales/`
//! (one JSON object per language). `build.rs` turns each file into a
//! constant [`Strings`]: every key is required and no unknown key is
//! allowed, or the widget does not compile.

use switchboard_protocol::attribute::ValueError;
use switchboard_protocol::site::Locale;

/// Declares [`Strings`] with one field per locale key.
macro_rules! strings {
    ($($(#[$doc:meta])* $field:ident,)*) => {
        /// Every string the widget shows that does not come from the site's stream.
        #[derive(Debug, PartialEq)]
        pub struct Strings {
            $($(#[$doc])* pub $field: &'static str,)*
        }

        #[cfg(test)]
        impl Strings {
            /// Every key with its string, for the tests.
            fn all(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($field), self.$field),)*]
            }
        }
    };
}

strings! {
    /// Launcher label when the panel is closed.
    launcher_open,
    /// Launcher label when the panel is open.
    launcher_close,
    /// Added to the launcher's label for agent messages that came while the
    /// panel was closed; `{count}` is how many (the loader's).
    launcher_unread,
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
    /// An email at a domain the site refuses (say a free mail provider).
    error_blocked_email,
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
    /// The link to the site's privacy policy.
    privacy,
    /// The composer's button that picks files to send.
    attach,
    /// A file in the chat; `{name}` and `{size}` are its.
    file_link,
    /// A file in the chat that could not be read.
    file_unavailable,
    /// A file on its way; `{name}` is its.
    sending_file,
    /// A file not sent; `{name}` is its, `{reason}` one of the `file_*` reasons.
    file_failed,
    /// Reason: larger than the site takes; `{max}` is its limit in MB.
    file_too_large,
    /// Reason: a kind the site does not take.
    file_type,
    /// Reason: the site takes no files.
    files_off,
    /// Reason: the chat has had as many files as it takes.
    too_many_files,
    /// Reason: the chat ended.
    file_chat_ended,
    /// Reason: the connection failed (trying again may work).
    file_network,
    /// Sends a failed file again.
    file_retry,
    /// Gives up on a failed file.
    file_dismiss,
}

include!(concat!(env!("OUT_DIR"), "/locales.rs"));

impl Strings {
    /// The strings for `locale`.
    pub fn for_locale(locale: Locale) -> &'static Self {
        match locale {
            Locale::En => &EN,
            Locale::Nl => &NL,
        }
    }

    /// What to tell the visitor about a refused value.
    pub fn value_error(&self, e: &ValueError) -> String {
        match e {
            ValueError::Required => self.error_required.to_owned(),
            ValueError::TooLong { max } => self.error_too_long.replace("{max}", &max.to_string()),
            ValueError::Email => self.error_email.to_owned(),
            ValueError::Phone => self.error_phone.to_owned(),
            ValueError::NotAnOption => self.error_option.to_owned(),
            ValueError::BlockedDomain => self.error_blocked_email.to_owned(),
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

    /// The `{placeholders}` in `text`.
    fn placeholders(text: &str) -> Vec<&str> {
        text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect()
    }

    #[test]
    fn every_translation_keeps_the_placeholders_of_the_english() {
        let en = Strings::for_locale(Locale::En).all();
        for locale in [Locale::Nl] {
            for ((key, english), (_, translated)) in en.iter().zip(Strings::for_locale(locale).all()) {
                assert!(!translated.trim().is_empty(), "{locale:?} {key} is empty");
                assert_eq!(placeholders(english), placeholders(translated), "{locale:?} {key}: {translated}");
            }
        }
        assert_eq!(placeholders(EN.chatting_with), ["name"]);
        assert_eq!(placeholders(EN.error_too_long), ["max"]);
    }

    #[test]
    fn the_strings_are_the_locale_files_as_written() {
        let file: std::collections::BTreeMap<String, String> =
            serde_json::from_str(include_str!("locales/nl.json")).unwrap();
        let built: std::collections::BTreeMap<String, String> =
            NL.all().into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        assert_eq!(built, file);
        assert_eq!(
            Strings::for_locale(Locale::Nl).error_too_long.replace("{max}", "5").matches('5').count(),
            1
        );
    }

    #[test]
    fn dutch_strings_differ_from_english() {
        assert_ne!(Strings::for_locale(Locale::En).close, Strings::for_locale(Locale::Nl).close);
    }
}
