//! A site's public configuration: what `GET /api/sites/{key}/config` returns to
//! the widget, and the checked values it is made of.

use crate::json::{FromJson, Json, JsonError};
use serde::{Deserialize, Serialize};
use std::fmt;

pub use crate::locale::{Locale, UnknownLocale};

/// Longest site key accepted anywhere (URL path segment, `data-site` attribute).
pub const MAX_SITE_KEY_LEN: usize = 64;

/// Why a value was refused: the site's values here, the admin's
/// ([`crate::admin`]) too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    /// A site key must be 3 to 64 characters of `a-z`, `0-9`, `-` or `_`.
    #[error("site key must be 3 to {MAX_SITE_KEY_LEN} characters of a-z, 0-9, '-' or '_', got {0:?}")]
    SiteKey(String),
    /// A colour must be `#rrggbb`.
    #[error("colour must be #rrggbb, got {0:?}")]
    Color(String),
    /// A locale must be one the widget ships strings for.
    #[error("unknown locale {0:?}; known: en, nl")]
    Locale(String),
    /// A link or image address must be an absolute http(s) URL.
    #[error("{0:?} must be an http:// or https:// URL of at most {MAX_URL_LEN} characters, without spaces or quotes")]
    Url(String),
    /// A launcher label must be short, on one line.
    #[error("a launcher label must be 1 to {MAX_LABEL_CHARS} characters on one line")]
    Label,
    /// An allowed origin is a scheme and a host, with an optional port.
    #[error("origin {0:?} must be http(s)://host[:port], without a path")]
    Origin(String),
    /// Not an email address.
    #[error("email {0:?}: {1}")]
    Email(String, crate::attribute::ValueError),
    /// Not an email domain (the part after the `@`).
    #[error("{0:?} is not an email domain like bigcorp.com")]
    EmailDomain(String),
    /// A display name is 1 to 100 characters once trimmed.
    #[error("a name must be 1 to {} characters", crate::admin::MAX_NAME_CHARS)]
    Name,
    /// A password is too short or too long.
    #[error(
        "a password must be {} to {} characters",
        crate::auth::MIN_PASSWORD_LEN,
        crate::auth::MAX_PASSWORD_LEN
    )]
    Password,
}

impl From<UnknownLocale> for InvalidValue {
    fn from(e: UnknownLocale) -> Self {
        InvalidValue::Locale(e.0)
    }
}

/// Longest URL the widget is given to link to or load an image from.
pub const MAX_URL_LEN: usize = 500;

/// Longest launcher label, in characters.
pub const MAX_LABEL_CHARS: usize = 40;

/// `raw` if it is an absolute `http://` or `https://` URL, at most
/// [`MAX_URL_LEN`] bytes, without whitespace, quotes or angle brackets: what
/// the widget and the inbox may put in a `href` or `src` (so never a
/// `javascript:` or `data:` URL).
pub fn web_url(raw: &str) -> Result<&str, InvalidValue> {
    let rest = raw.strip_prefix("https://").or_else(|| raw.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && raw.len() <= MAX_URL_LEN
        && !raw
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`'));
    if ok {
        Ok(raw)
    } else {
        Err(InvalidValue::Url(raw.chars().take(80).collect()))
    }
}

/// `raw`, trimmed, if it is a launcher label: 1 to [`MAX_LABEL_CHARS`]
/// characters, no control characters (so one line).
pub fn launcher_label(raw: &str) -> Result<&str, InvalidValue> {
    let label = raw.trim();
    let ok = (1..=MAX_LABEL_CHARS).contains(&label.chars().count()) && !label.chars().any(char::is_control);
    if ok {
        Ok(label)
    } else {
        Err(InvalidValue::Label)
    }
}

/// The public identifier of a site, as pasted in the embed snippet (`data-site`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
pub struct SiteKey(String);

impl SiteKey {
    /// Checks `raw` and wraps it.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let ok = (3..=MAX_SITE_KEY_LEN).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::SiteKey(raw.chars().take(80).collect()))
        }
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SiteKey {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<SiteKey> for String {
    fn from(k: SiteKey) -> Self {
        k.0
    }
}

impl fmt::Display for SiteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An sRGB colour written `#rrggbb`, used for the site's accent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Color {
    r: u8,
    g: u8,
    b: u8,
}

impl Color {
    /// Parses `#rrggbb` (either case).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let err = || InvalidValue::Color(raw.chars().take(20).collect());
        let hex = raw.strip_prefix('#').filter(|h| h.len() == 6).ok_or_else(err)?;
        // Two hex digits each: `from_str_radix` alone also takes a sign (`#+1+2+3`).
        let byte = |i: usize| {
            let pair =
                hex.get(i..i + 2).filter(|p| p.bytes().all(|b| b.is_ascii_hexdigit())).ok_or_else(err)?;
            u8::from_str_radix(pair, 16).map_err(|_| err())
        };
        Ok(Self { r: byte(0)?, g: byte(2)?, b: byte(4)? })
    }
}

impl TryFrom<String> for Color {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Color> for String {
    fn from(c: Color) -> Self {
        c.to_string()
    }
}

impl fmt::Display for Color {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

/// Which bottom corner the launcher sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// Bottom right (the default).
    #[default]
    BottomRight,
    /// Bottom left.
    BottomLeft,
}

/// How the widget looks on a site; every field has a default a site owner may change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Appearance {
    /// Accent colour of the launcher and header.
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^#[0-9a-f]{6}$"))]
    pub accent: Color,
    /// Corner of the page.
    pub position: Position,
    /// Distance from the page edges, in CSS pixels.
    pub offset_px: u16,
    /// Title in the panel header.
    pub header_title: String,
    /// The bot's display name.
    pub bot_name: String,
    /// Delay before each bot message, in milliseconds.
    pub response_delay_ms: u32,
    /// Language of the widget's own strings; none (the default): the
    /// visitor's browser language, English when that is not built in.
    #[serde(default)]
    pub locale: Option<Locale>,
    /// The bot's avatar, an image URL (see [`web_url`]) shown in the panel
    /// header; none: no picture.
    pub bot_avatar_url: Option<String>,
    /// Text on the launcher beside its icon (see [`launcher_label`]); none:
    /// the icon alone, named "Open chat" in the visitor's language.
    pub launcher_label: Option<String>,
    /// The site's privacy policy (see [`web_url`]), linked in the panel.
    pub privacy_url: Option<String>,
    /// A short sound when the agent writes while the panel is closed or the
    /// page is in the background (off by default).
    pub sound: bool,
}

impl Default for Appearance {
    fn default() -> Self {
        Self {
            accent: Color { r: 0x1f, g: 0x6f, b: 0xeb },
            position: Position::BottomRight,
            offset_px: 20,
            header_title: "Chat with us".to_owned(),
            bot_name: "Switchboard".to_owned(),
            response_delay_ms: 600,
            locale: None,
            bot_avatar_url: None,
            launcher_label: None,
            privacy_url: None,
            sound: false,
        }
    }
}

/// What the widget fetches when it starts: `GET /api/sites/{key}/config`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteConfig {
    /// The site this configuration belongs to.
    pub site: SiteKey,
    /// Protocol version the server speaks.
    pub protocol_version: u32,
    /// How the widget looks.
    pub appearance: Appearance,
    /// The site's published streams; the widget runs the one
    /// [`crate::stream::select::select`] picks for the page.
    #[serde(default)]
    pub streams: Vec<crate::stream::Stream>,
    /// Whether the site offers chat at all; when not, the widget shows
    /// nothing (no launcher) and the server takes no new visitors.
    #[serde(default = "enabled")]
    pub chat_enabled: bool,
    /// Email domains the site refuses in data capture (lower case, e.g.
    /// `gmail.com`): the widget asks for another address in place (see
    /// [`crate::attribute::blocked_domain`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked_email_domains: Vec<String>,
    /// What files visitors may send in a live chat.
    #[serde(default)]
    pub files: crate::files::FileSettings,
}

fn enabled() -> bool {
    true
}

// The read side for the widget (see `crate::json`), mirroring the derives.

impl FromJson for SiteKey {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        let raw = json.str()?;
        Self::parse(raw).map_err(|_| JsonError::invalid(raw))
    }
}

impl FromJson for Color {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        let raw = json.str()?;
        Self::parse(raw).map_err(|_| JsonError::invalid(raw))
    }
}

crate::json_names!(Position { BottomRight = "bottom_right", BottomLeft = "bottom_left" });

impl FromJson for Appearance {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        let d = Self::default();
        Ok(Self {
            accent: json.field_or("accent", || d.accent)?,
            position: json.field_or("position", || d.position)?,
            offset_px: json.field_or("offset_px", || d.offset_px)?,
            header_title: json.field_or("header_title", || d.header_title)?,
            bot_name: json.field_or("bot_name", || d.bot_name)?,
            response_delay_ms: json.field_or("response_delay_ms", || d.response_delay_ms)?,
            locale: json.field("locale")?,
            bot_avatar_url: json.field("bot_avatar_url")?,
            launcher_label: json.field("launcher_label")?,
            privacy_url: json.field("privacy_url")?,
            sound: json.field_or("sound", || d.sound)?,
        })
    }
}

impl FromJson for SiteConfig {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        Ok(Self {
            site: json.field("site")?,
            protocol_version: json.field("protocol_version")?,
            appearance: json.field("appearance")?,
            streams: json.field_or("streams", Vec::new)?,
            chat_enabled: json.field_or("chat_enabled", enabled)?,
            blocked_email_domains: json.field_or("blocked_email_domains", Vec::new)?,
            files: json.field_or("files", Default::default)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_key_accepts_lowercase_digits_dash_underscore() {
        assert_eq!(SiteKey::parse("demo-site_1").unwrap().as_str(), "demo-site_1");
    }

    #[test]
    fn site_key_rejects_short_long_and_odd_characters() {
        for bad in ["ab", "Demo", "a b c", "../etc", &"x".repeat(65), "<script>"] {
            assert!(SiteKey::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn color_round_trips_through_its_text_form() {
        let c = Color::parse("#1F6FEB").unwrap();
        assert_eq!(c.to_string(), "#1f6feb");
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"#1f6feb\"");
    }

    #[test]
    fn color_rejects_malformed_text() {
        for bad in ["1f6feb", "#1f6fe", "#1f6febb", "#gggggg", "#", "", "#ééé"] {
            assert!(Color::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    /// Found writing the fuzz target `json`, whose check that a colour prints
    /// back as written catches it (fuzz/regressions/json/color-sign): each
    /// pair went through `u8::from_str_radix`, which takes a leading `+`.
    #[test]
    fn color_refuses_signed_pairs() {
        for bad in ["#+1+2+3", "#+f0000", "#00+f00", "#0000+0"] {
            assert!(Color::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(Color::parse("#0F00aB").unwrap().to_string(), "#0f00ab");
    }

    #[test]
    fn only_absolute_web_urls_may_be_linked_or_loaded() {
        for ok in ["https://acme.example/privacy", "http://localhost:8080/a.png?s=64#x", "https://x.io"] {
            assert_eq!(web_url(ok).unwrap(), ok);
        }
        let long = format!("https://acme.example/{}", "a".repeat(MAX_URL_LEN));
        for bad in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "data:image/png;base64,AAAA",
            "//acme.example/privacy",
            "/privacy",
            "https://",
            "https:///path",
            "https://acme.example/a b",
            "https://acme.example/\"onerror=\"x",
            "https://acme.example/<script>",
            " https://acme.example/",
            &long,
        ] {
            assert!(web_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_launcher_label_is_short_and_on_one_line() {
        assert_eq!(launcher_label("  Chat with us ").unwrap(), "Chat with us");
        assert_eq!(launcher_label(&"é".repeat(MAX_LABEL_CHARS)).unwrap().chars().count(), MAX_LABEL_CHARS);
        for bad in ["", "   ", "two\nlines", &"x".repeat(MAX_LABEL_CHARS + 1)] {
            assert_eq!(launcher_label(bad), Err(InvalidValue::Label), "{bad:?}");
        }
    }

    #[test]
    fn the_sites_locale_wins_else_the_first_built_in_browser_language() {
        assert_eq!(Locale::pick(Some(Locale::En), ["nl-BE"]), Locale::En);
        assert_eq!(Locale::pick(None, ["fr-FR", "nl-BE", "en"]), Locale::Nl);
        assert_eq!(Locale::pick(None, ["fr", "de"]), Locale::En);
        assert_eq!(Locale::pick(None, []), Locale::En);
    }

    #[test]
    fn locale_parses_by_primary_subtag() {
        assert_eq!(Locale::parse("nl-BE").unwrap(), Locale::Nl);
        assert_eq!(Locale::parse("EN_us").unwrap(), Locale::En);
        assert!(Locale::parse("fr").is_err());
    }

    #[test]
    fn site_config_json_uses_defaults_for_missing_appearance_fields() {
        let json = r#"{"site":"demo","protocol_version":1,"appearance":{"header_title":"Hi"}}"#;
        let cfg: SiteConfig = serde_json::from_str(json).unwrap();
        assert!(cfg.streams.is_empty());
        assert_eq!(cfg.appearance.header_title, "Hi");
        assert_eq!(cfg.appearance.response_delay_ms, 600);
    }

    #[test]
    fn site_config_json_rejects_a_bad_site_key() {
        let json = r#"{"site":"../x","protocol_version":1,"appearance":{}}"#;
        assert!(serde_json::from_str::<SiteConfig>(json).is_err());
    }
}
