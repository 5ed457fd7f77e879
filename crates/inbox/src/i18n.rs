//! The inbox's UI strings, from the locale files in `src/locales/`.

use serde::Deserialize;
use switchboard_protocol::site::Locale;

/// Every string the inbox shows.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Strings {
    /// Switchboard inbox
    pub title: String,
    /// Sign in
    pub sign_in: String,
    /// Email
    pub email: String,
    /// Password
    pub password: String,
    /// Signing in…
    pub signing_in: String,
    /// Sign out
    pub sign_out: String,
    /// Switch app (the top bar's Inbox / Admin links, for admins)
    pub apps: String,
    /// Inbox
    pub app_inbox: String,
    /// Admin
    pub app_admin: String,
    /// Signed in as {name}
    pub signed_in_as: String,
    /// Wrong email or password.
    pub bad_credentials: String,
    /// Enter your email and password.
    pub required: String,
    /// This account may not take live chats. Ask an admin.
    pub no_live_chat: String,
    /// The server could not be reached. Try again.
    pub network_error: String,
    /// No active conversations.
    pub no_chats: String,
    /// Available for new chats
    pub available: String,
    /// You missed {n} chat offers in a row, so you were set to unavailable: …
    pub away_missed: String,
    /// I'm back
    pub im_back: String,
    /// Connecting…
    pub connecting: String,
    /// Connection lost. Reconnecting…
    pub reconnecting: String,
    /// Sounds are off until you click or press a key on this page.
    pub sound_locked: String,
    /// Alert sound (the top bar's menu for the offer alert)
    pub alert_sound: String,
    /// Sound
    pub alert_tone: String,
    /// Volume
    pub alert_volume: String,
    /// Play it
    pub alert_test: String,
    /// Chime
    pub tone_chime: String,
    /// Bell
    pub tone_bell: String,
    /// Pulse
    pub tone_pulse: String,
    /// Get a browser notification when a chat is offered while this tab is in the background.
    pub notifications_ask: String,
    /// Turn on notifications
    pub notifications_enable: String,
    /// Notifications are blocked for this site in the browser's settings; offers show here only.
    pub notifications_blocked: String,
    /// Chat offers
    pub offers: String,
    /// {name} wants to chat
    pub offer_from: String,
    /// Transferred by {name}
    pub offer_transferred: String,
    /// Moves on in {secs} s
    pub offer_time_left: String,
    /// Accept
    pub accept: String,
    /// Decline
    pub decline: String,
    /// New chat offer from {name}
    pub offer_announce: String,
    /// New chat: {name}
    pub notification_title: String,
    /// Active
    pub tab_active: String,
    /// All
    pub tab_all: String,
    /// Conversations
    pub conversations: String,
    /// No past conversations.
    pub no_past: String,
    /// {n} unread
    pub unread: String,
    /// Choose a conversation, or wait for an offer.
    pub choose: String,
    /// Reply to {name}
    pub reply_to: String,
    /// Send
    pub send: String,
    /// Sending…
    pub sending: String,
    /// {name} is typing…
    pub typing: String,
    /// End chat
    pub end_chat: String,
    /// This chat has ended.
    pub ended: String,
    /// Nobody took this chat; the visitor got the fallback message.
    pub fell_back: String,
    /// Download transcript
    pub download: String,
    /// Transfer
    pub transfer: String,
    /// Transfer to
    pub transfer_to: String,
    /// Agents
    pub transfer_agents: String,
    /// Teams
    pub transfer_teams: String,
    /// Transfer
    pub transfer_confirm: String,
    /// Cancel
    pub cancel: String,
    /// not available
    pub not_available: String,
    /// Nobody is available to take this chat.
    pub transfer_none: String,
    /// The chat with {visitor} went to {to}.
    pub transferred_notice: String,
    /// The offer of a chat with {visitor} went to someone else.
    pub withdrawn_notice: String,
    /// You did not answer the offer of a chat with {visitor} in time: it moved on.
    pub timed_out_notice: String,
    /// Not done: {message}
    pub refused: String,
    /// Not connected: try again once the connection is back.
    pub offline: String,
    /// Before the live chat
    pub bot_part: String,
    /// Live chat
    pub live_part: String,
    /// You
    pub you: String,
    /// Visitor
    pub visitor: String,
    /// Agent
    pub agent: String,
    /// Bot
    pub bot: String,
    /// System
    pub system: String,
    /// Private note (a note's author line and the transcript's)
    pub note: String,
    /// Private note: {text} (a conversation list's line when the last message is a note)
    pub note_preview: String,
    /// Write a reply or a private note (the composer's modes, for screen readers)
    pub compose_as: String,
    /// Reply (the composer's mode for messages to the visitor)
    pub compose_reply: String,
    /// Private note (the composer's mode for notes)
    pub compose_note: String,
    /// Private note in the chat with {name}: only agents see it
    pub note_to: String,
    /// Only agents see notes, never the visitor.
    pub note_hint: String,
    /// Add note
    pub add_note: String,
    /// Visitor details
    pub visitor_details: String,
    /// Name
    pub name: String,
    /// Job title
    pub job_title: String,
    /// Phone
    pub phone: String,
    /// Company
    pub company: String,
    /// Page
    pub page_url: String,
    /// Referrer
    pub referrer: String,
    /// Language
    pub language: String,
    /// First seen
    pub first_seen: String,
    /// -
    pub unknown: String,
    /// Conversation
    pub conversation: String,
    /// Waiting
    pub state_waiting: String,
    /// Offered
    pub state_offered: String,
    /// Active
    pub state_active: String,
    /// Ended
    pub state_ended: String,
    /// No agent
    pub state_fallback: String,
    /// Set your password
    pub invite_title: String,
    /// Welcome, {name}. Choose a password to sign in as {email}.
    pub invite_welcome: String,
    /// New password
    pub new_password: String,
    /// Repeat the password
    pub confirm_password: String,
    /// At least {min} characters.
    pub password_hint: String,
    /// The password must be at least {min} characters.
    pub password_too_short: String,
    /// The password must be at most {max} characters.
    pub password_too_long: String,
    /// The two passwords differ: type the same one twice.
    pub passwords_differ: String,
    /// Set password and sign in
    pub invite_submit: String,
    /// Saving…
    pub invite_saving: String,
    /// Checking the link…
    pub invite_checking: String,
    /// This invitation link does not work any more: …
    pub invite_invalid: String,
    /// Responses (the composer's button that opens the canned response list)
    pub canned_button: String,
    /// Canned responses (the list's name)
    pub canned_list: String,
    /// {n} responses: arrows to choose, …
    pub canned_help: String,
    /// No response matches “{query}”.
    pub canned_none: String,
    /// Loading responses…
    pub canned_loading: String,
    /// The responses could not be loaded.
    pub canned_failed: String,
    /// yours (marks an agent's own response in the list)
    pub canned_yours: String,
    /// Manage my responses (link from the picker)
    pub canned_manage: String,
    /// My responses (the top bar's panel)
    pub my_responses: String,
    /// Your own canned responses: only you see them. …
    pub my_responses_intro: String,
    /// You have no responses of your own yet.
    pub my_responses_empty: String,
    /// Shortcut
    pub canned_shortcut: String,
    /// Text
    pub canned_text: String,
    /// Add response
    pub canned_add: String,
    /// Save
    pub canned_save: String,
    /// Edit
    pub canned_edit: String,
    /// Delete
    pub canned_delete: String,
    /// Cancel
    pub canned_cancel: String,
    /// Saved /{shortcut}.
    pub canned_saved: String,
    /// Deleted /{shortcut}.
    pub canned_deleted: String,
    /// Close (the panel of the agent's own responses)
    pub canned_close: String,
    /// Attach file (the composer's button)
    pub attach: String,
    /// Drop files here to send them.
    pub drop_files: String,
    /// Sending {name} (an upload's progress bar)
    pub sending_file: String,
    /// {name} was not sent: {reason}.
    pub file_failed: String,
    /// Try again (a failed upload)
    pub file_retry: String,
    /// Dismiss (a failed upload)
    pub file_dismiss: String,
    /// it is larger than this site takes
    pub file_too_large: String,
    /// this kind of file is not taken
    pub file_type: String,
    /// this site takes no files
    pub files_off: String,
    /// this chat has too many files
    pub too_many_files: String,
    /// the chat has ended
    pub file_chat_ended: String,
    /// the connection failed
    pub file_network: String,
    /// {name} ({size}): a file's link
    pub file_link: String,
}

const EN: &str = include_str!("locales/en.json");
const NL: &str = include_str!("locales/nl.json");

impl Strings {
    /// `template` with each `{key}` replaced by its value.
    pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
        values.iter().fold(template.to_owned(), |t, (k, v)| t.replace(&format!("{{{k}}}"), v))
    }

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
