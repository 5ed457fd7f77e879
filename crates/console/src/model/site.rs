//! A site's forms as the admin types them: its settings and its widget's
//! appearance, each turned into the protocol's change request, checked as
//! the server checks it.

use switchboard_protocol::admin::{AppearanceChange, InvalidRequest, NewSite, SiteChange, SiteView};
use switchboard_protocol::site::{Appearance, Locale, Position};

/// One item per line, trimmed, blank lines left out.
pub fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// The new-site form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewSiteForm {
    /// Key, as typed.
    pub key: String,
    /// Name.
    pub name: String,
    /// Allowed origins, one per line.
    pub origins: String,
}

impl NewSiteForm {
    /// The request it sends.
    pub fn request(&self) -> NewSite {
        NewSite {
            key: self.key.trim().to_owned(),
            name: self.name.clone(),
            allowed_origins: lines(&self.origins),
            blocked_email_domains: Vec::new(),
            chat_enabled: None,
        }
    }
}

/// A site's settings form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteForm {
    /// Name.
    pub name: String,
    /// Allowed origins, one per line.
    pub origins: String,
    /// The fallback message.
    pub fallback: String,
    /// Email domains refused in data capture, one per line.
    pub blocked: String,
    /// Whether the chat runs on the site.
    pub chat_enabled: bool,
    /// Missed offers in a row before an agent is set to unavailable (0: never).
    pub away_after_missed: u8,
    /// The largest file, in MB (0: no files).
    pub file_max_mb: u32,
    /// The kinds of file taken (group keys).
    pub file_types: Vec<String>,
}

impl SiteForm {
    /// The form filled from a site.
    pub fn of(site: &SiteView) -> Self {
        Self {
            name: site.name.clone(),
            origins: site.allowed_origins.join("\n"),
            fallback: site.fallback_message.clone(),
            blocked: site.blocked_email_domains.join("\n"),
            chat_enabled: site.chat_enabled,
            away_after_missed: site.away_after_missed,
            file_max_mb: site.file_max_mb,
            file_types: site.file_types.clone(),
        }
    }

    /// The change it sends: every field, as the form shows it.
    pub fn change(&self) -> SiteChange {
        SiteChange {
            name: Some(self.name.clone()),
            allowed_origins: Some(lines(&self.origins)),
            fallback_message: Some(self.fallback.clone()),
            blocked_email_domains: Some(lines(&self.blocked)),
            chat_enabled: Some(self.chat_enabled),
            away_after_missed: Some(self.away_after_missed),
            file_max_mb: Some(self.file_max_mb),
            file_types: Some(self.file_types.clone()),
        }
    }
}

/// The appearance form: every field as text, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppearanceForm {
    /// `#rrggbb`.
    pub accent: String,
    /// Bottom right or left.
    pub position: Position,
    /// Offset from the corner, in pixels.
    pub offset_px: String,
    /// Header title.
    pub header_title: String,
    /// Bot name.
    pub bot_name: String,
    /// Bot avatar URL (empty: none).
    pub bot_avatar_url: String,
    /// Launcher label (empty: the built-in one).
    pub launcher_label: String,
    /// Bot response delay in ms.
    pub response_delay_ms: String,
    /// Language tag (empty: the visitor's browser decides).
    pub locale: String,
    /// Privacy policy link (empty: none).
    pub privacy_url: String,
    /// Sound for new messages.
    pub sound: bool,
}

impl AppearanceForm {
    /// The form filled from an appearance.
    pub fn of(a: &Appearance) -> Self {
        Self {
            accent: a.accent.to_string(),
            position: a.position,
            offset_px: a.offset_px.to_string(),
            header_title: a.header_title.clone(),
            bot_name: a.bot_name.clone(),
            bot_avatar_url: a.bot_avatar_url.clone().unwrap_or_default(),
            launcher_label: a.launcher_label.clone().unwrap_or_default(),
            response_delay_ms: a.response_delay_ms.to_string(),
            locale: a.locale.map(|l| l.tag().to_owned()).unwrap_or_default(),
            privacy_url: a.privacy_url.clone().unwrap_or_default(),
            sound: a.sound,
        }
    }

    /// The change it sends, or the numbers that are not numbers.
    pub fn change(&self) -> Result<AppearanceChange, InvalidRequest> {
        let mut bad = InvalidRequest::default();
        let mut number = |field: &str, raw: &str, max: u32| match raw.trim().parse::<u32>() {
            Ok(n) if n <= max => Some(n),
            _ => {
                bad.fields.push(switchboard_protocol::admin::FieldError::new(
                    field,
                    format!("a whole number from 0 to {max}"),
                ));
                None
            }
        };
        let offset = number("offset_px", &self.offset_px, u32::from(u16::MAX));
        let delay = number("response_delay_ms", &self.response_delay_ms, u32::MAX);
        let (Some(offset), Some(delay)) = (offset, delay) else { return Err(bad) };
        Ok(AppearanceChange {
            accent: Some(self.accent.trim().to_owned()),
            position: Some(self.position),
            offset_px: Some(offset as u16),
            header_title: Some(self.header_title.clone()),
            bot_name: Some(self.bot_name.clone()),
            response_delay_ms: Some(delay),
            locale: Some(if self.locale.is_empty() { "auto".to_owned() } else { self.locale.clone() }),
            bot_avatar_url: Some(self.bot_avatar_url.trim().to_owned()),
            launcher_label: Some(self.launcher_label.clone()),
            privacy_url: Some(self.privacy_url.trim().to_owned()),
            sound: Some(self.sound),
        })
    }

    /// The appearance the form describes over `current`, checked exactly
    /// as the server will check it (the live preview shows this), or every
    /// problem by field.
    pub fn preview(&self, current: &Appearance) -> Result<Appearance, InvalidRequest> {
        self.change()?.apply(current)
    }
}

/// The languages the widget speaks, for the appearance's language picker.
pub fn locales() -> [Locale; 2] {
    [Locale::En, Locale::Nl]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_one_per_line_without_blanks() {
        let f = NewSiteForm {
            key: " acme ".into(),
            name: "Acme".into(),
            origins: " https://a.example \n\n https://b.example\n".into(),
        };
        let r = f.request();
        assert_eq!(r.key, "acme");
        assert_eq!(r.allowed_origins, vec!["https://a.example", "https://b.example"]);
        assert!(r.check().is_ok());
    }

    #[test]
    fn a_site_form_reads_back_what_it_was_filled_with() {
        let site = SiteView {
            key: switchboard_protocol::site::SiteKey::parse("acme").unwrap(),
            name: "Acme".into(),
            allowed_origins: vec!["https://a.example".into(), "https://b.example".into()],
            appearance: Appearance::default(),
            fallback_message: "Sorry".into(),
            blocked_email_domains: vec!["gmail.com".into(), "yahoo.com".into()],
            chat_enabled: false,
            away_after_missed: 3,
            file_max_mb: 5,
            file_types: vec!["images".into(), "pdf".into()],
        };
        let change = SiteForm::of(&site).change();
        assert_eq!(change.away_after_missed, Some(3));
        assert_eq!((change.file_max_mb, change.file_types.as_deref()), (Some(5), Some(&site.file_types[..])));
        assert_eq!(change.blocked_email_domains.as_deref(), Some(&site.blocked_email_domains[..]));
        assert_eq!(change.chat_enabled, Some(false));
        assert_eq!(change.allowed_origins.as_deref(), Some(&site.allowed_origins[..]));
        assert_eq!(change.fallback_message.as_deref(), Some("Sorry"));
        assert!(change.check().is_ok());
    }

    #[test]
    fn the_preview_is_the_servers_own_check_of_the_draft() {
        let current = Appearance::default();
        let mut f = AppearanceForm::of(&current);
        assert_eq!(f.preview(&current).unwrap(), current);
        f.accent = "#00aa55".into();
        f.header_title = "Talk to Acme".into();
        let a = f.preview(&current).unwrap();
        assert_eq!((a.accent.to_string().as_str(), a.header_title.as_str()), ("#00aa55", "Talk to Acme"));
        f.accent = "green".into();
        f.offset_px = "lots".into();
        let e = f.preview(&current).unwrap_err();
        assert!(e.names("offset_px"), "{e:?}");
        f.offset_px = "20".into();
        let e = f.preview(&current).unwrap_err();
        assert!(e.names("accent"), "{e:?}");
    }
}
