//! The admin's requests, as a form or the CLI sends them (text as typed),
//! each with the check that turns it into checked values. Unknown fields
//! are refused, so a misspelt field is an error rather than a no-op.
//!
//! Routing rules are [`crate::rules::RoutingRule`] with
//! [`RoutingRule::check`](crate::rules::RoutingRule::check).

use serde::{Deserialize, Serialize};
use std::fmt;

use super::accounts::capacity;
use super::{DisplayName, Email, EmailDomain, FieldError, InvalidRequest, Origin, Password};
use crate::auth::Role;
use crate::site::{launcher_label, web_url, Appearance, Color, InvalidValue, Locale, Position, SiteKey};

/// Longest fallback message, in characters.
pub const MAX_FALLBACK_CHARS: usize = 2000;

/// Largest `offset_px`.
pub const MAX_OFFSET_PX: u16 = 200;

/// Largest `response_delay_ms`.
pub const MAX_RESPONSE_DELAY_MS: u32 = 5000;

/// Most blocked email domains a site may have.
pub const MAX_BLOCKED_DOMAINS: usize = 1000;

/// Most missed offers in a row a site may allow before an agent is
/// switched to unavailable.
pub const MAX_AWAY_AFTER_MISSED: u8 = 10;

/// After how many missed offers in a row an agent is switched to
/// unavailable, when a site does not say.
pub const DEFAULT_AWAY_AFTER_MISSED: u8 = 2;

/// A site's missed offers before an agent is switched to unavailable: 0
/// (never) to [`MAX_AWAY_AFTER_MISSED`].
pub fn away_after_missed(n: u8) -> Result<u8, String> {
    if n > MAX_AWAY_AFTER_MISSED {
        return Err(format!("must be 0 (never) to {MAX_AWAY_AFTER_MISSED} offers"));
    }
    Ok(n)
}

/// Collects a request's problems while its fields are checked; a field that
/// fails reads as `None`, and then [`Checker::refusal`] has its problem.
#[derive(Default)]
pub(super) struct Checker(Vec<FieldError>);

impl Checker {
    pub(super) fn one<T, E: fmt::Display>(&mut self, field: &str, checked: Result<T, E>) -> Option<T> {
        checked.map_err(|e| self.0.push(FieldError::new(field, e))).ok()
    }

    /// `Some(None)` when not given.
    pub(super) fn optional<T, E: fmt::Display>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        match raw {
            None => Some(None),
            Some(raw) => self.one(field, parse(raw)).map(Some),
        }
    }

    /// Every item checked; each bad one is a problem of `field`.
    fn each<T>(
        &mut self,
        field: &str,
        raw: &[String],
        parse: fn(&str) -> Result<T, InvalidValue>,
    ) -> Option<Vec<T>> {
        let before = self.0.len();
        let items: Vec<T> = raw.iter().filter_map(|r| self.one(field, parse(r))).collect();
        (self.0.len() == before).then_some(items)
    }

    /// `field` is refused for `message` (a problem of the request as a
    /// whole, say two fields that do not go together).
    pub(super) fn refuse(&mut self, field: &str, message: impl fmt::Display) {
        self.0.push(FieldError::new(field, message));
    }

    /// A site's blocked email domains: each checked, duplicates dropped,
    /// at most [`MAX_BLOCKED_DOMAINS`].
    fn blocked_domains(&mut self, raw: &[String]) -> Option<Vec<EmailDomain>> {
        const FIELD: &str = "blocked_email_domains";
        let mut domains = self.each(FIELD, raw, EmailDomain::parse)?;
        let mut seen = std::collections::HashSet::new();
        domains.retain(|d| seen.insert(d.clone()));
        if domains.len() > MAX_BLOCKED_DOMAINS {
            self.0.push(FieldError::new(FIELD, format!("at most {MAX_BLOCKED_DOMAINS} domains")));
            return None;
        }
        Some(domains)
    }

    pub(super) fn refusal(self) -> InvalidRequest {
        debug_assert!(!self.0.is_empty(), "a field read as None without a problem");
        InvalidRequest { fields: self.0 }
    }
}

/// `POST /api/admin/sites`: a new site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSite {
    /// Its key, pasted in the embed snippet (`data-site`).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z0-9_-]{3,64}$"))]
    pub key: String,
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100, pattern = "\\S"))]
    pub name: String,
    /// Origins the widget may run on (`https://shop.example.com`).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Email domains data capture refuses (`gmail.com`: "use your work
    /// email"); none by default.
    #[serde(default)]
    pub blocked_email_domains: Vec<String>,
    /// Whether the widget offers chat; on by default.
    #[serde(default)]
    pub chat_enabled: Option<bool>,
}

/// A [`NewSite`] that passed its check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidNewSite {
    /// Its key.
    pub key: SiteKey,
    /// Display name.
    pub name: DisplayName,
    /// Origins the widget may run on.
    pub allowed_origins: Vec<Origin>,
    /// Email domains data capture refuses, without duplicates.
    pub blocked_email_domains: Vec<EmailDomain>,
    /// Whether the widget offers chat.
    pub chat_enabled: bool,
}

impl NewSite {
    /// Checks every field.
    pub fn check(&self) -> Result<ValidNewSite, InvalidRequest> {
        let mut c = Checker::default();
        let key = c.one("key", SiteKey::parse(&self.key));
        let name = c.one("name", DisplayName::parse(&self.name));
        let allowed_origins = c.each("allowed_origins", &self.allowed_origins, Origin::parse);
        let blocked = c.blocked_domains(&self.blocked_email_domains);
        match (key, name, allowed_origins, blocked) {
            (Some(key), Some(name), Some(allowed_origins), Some(blocked_email_domains)) => Ok(ValidNewSite {
                key,
                name,
                allowed_origins,
                blocked_email_domains,
                chat_enabled: self.chat_enabled.unwrap_or(true),
            }),
            _ => Err(c.refusal()),
        }
    }
}

/// `PATCH /api/admin/sites/{key}`: what to change about a site; `None`
/// keeps a value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SiteChange {
    /// New display name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100, pattern = "\\S"))]
    pub name: Option<String>,
    /// The allowed origins, replacing them all.
    pub allowed_origins: Option<Vec<String>>,
    /// The message shown when nobody can take a chat (text with links).
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub fallback_message: Option<String>,
    /// The email domains data capture refuses, replacing them all (`[]`:
    /// none).
    pub blocked_email_domains: Option<Vec<String>>,
    /// Whether the widget offers chat. Switched off, the widget shows
    /// nothing and the server takes no new visitors or hand-offs; open
    /// conversations go on.
    pub chat_enabled: Option<bool>,
    /// After how many chat offers of this site in a row an agent lets time
    /// out they are switched to unavailable, and told why in their inbox;
    /// 0: never. 2 unless set.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(maximum = 10))]
    pub away_after_missed: Option<u8>,
    /// The largest file visitors and agents may send in its chats, in MB
    /// (0: no files; at most 25). 10 unless set.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(maximum = 25))]
    pub file_max_mb: Option<u32>,
    /// The kinds of file its chats take, by group: `images`, `pdf`, `text`,
    /// `office` (all unless set).
    #[serde(default)]
    pub file_types: Option<Vec<String>>,
}

/// A [`SiteChange`] that passed its check.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidSiteChange {
    /// New display name.
    pub name: Option<DisplayName>,
    /// The allowed origins, replacing them all.
    pub allowed_origins: Option<Vec<Origin>>,
    /// The fallback message, trimmed.
    pub fallback_message: Option<String>,
    /// The blocked email domains, replacing them all, without duplicates.
    pub blocked_email_domains: Option<Vec<EmailDomain>>,
    /// Whether the widget offers chat.
    pub chat_enabled: Option<bool>,
    /// Missed offers in a row before an agent is switched to unavailable (0: never).
    pub away_after_missed: Option<u8>,
    /// The largest file, in MB (0: no files).
    pub file_max_mb: Option<u32>,
    /// The groups of kinds of file taken, without duplicates.
    pub file_types: Option<Vec<crate::files::Group>>,
}

/// Checks a site's largest file (0 to [`crate::files::MAX_FILE_MB`] MB).
pub fn file_max_mb(n: u32) -> Result<u32, String> {
    if n > crate::files::MAX_FILE_MB {
        return Err(format!("must be 0 (no files) to {} MB", crate::files::MAX_FILE_MB));
    }
    Ok(n)
}

/// Checks a site's kinds of file: each a group's name, duplicates dropped,
/// at least one.
pub fn file_types(raw: &[String]) -> Result<Vec<crate::files::Group>, String> {
    if raw.is_empty() {
        return Err("choose at least one kind (for no files, set the largest file to 0)".into());
    }
    let mut groups = Vec::new();
    for r in raw {
        let g = crate::files::Group::parse(r).ok_or_else(|| {
            format!(
                "unknown kind {:?}: use images, pdf, text or office",
                r.chars().take(40).collect::<String>()
            )
        })?;
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    Ok(groups)
}

fn fallback_message(raw: &str) -> Result<String, String> {
    if raw.chars().count() > MAX_FALLBACK_CHARS {
        return Err(format!("the fallback message is longer than {MAX_FALLBACK_CHARS} characters"));
    }
    Ok(raw.trim().to_owned())
}

impl SiteChange {
    /// Checks every field given.
    pub fn check(&self) -> Result<ValidSiteChange, InvalidRequest> {
        let mut c = Checker::default();
        let name = c.optional("name", self.name.as_deref(), DisplayName::parse);
        let allowed_origins = match &self.allowed_origins {
            None => Some(None),
            Some(raw) => c.each("allowed_origins", raw, Origin::parse).map(Some),
        };
        let fallback = c.optional("fallback_message", self.fallback_message.as_deref(), fallback_message);
        let blocked = match &self.blocked_email_domains {
            None => Some(None),
            Some(raw) => c.blocked_domains(raw).map(Some),
        };
        let away = match self.away_after_missed {
            None => Some(None),
            Some(n) => c.one("away_after_missed", away_after_missed(n)).map(Some),
        };
        let max_mb = match self.file_max_mb {
            None => Some(None),
            Some(n) => c.one("file_max_mb", file_max_mb(n)).map(Some),
        };
        let types = match &self.file_types {
            None => Some(None),
            Some(raw) => c.one("file_types", file_types(raw)).map(Some),
        };
        match (name, allowed_origins, fallback, blocked, away, max_mb, types) {
            (
                Some(name),
                Some(allowed_origins),
                Some(fallback_message),
                Some(blocked_email_domains),
                Some(away_after_missed),
                Some(file_max_mb),
                Some(file_types),
            ) => Ok(ValidSiteChange {
                name,
                allowed_origins,
                fallback_message,
                blocked_email_domains,
                chat_enabled: self.chat_enabled,
                away_after_missed,
                file_max_mb,
                file_types,
            }),
            _ => Err(c.refusal()),
        }
    }
}

/// `PATCH /api/admin/sites/{key}/appearance`: changes to how the widget
/// looks on a site; `None` keeps a value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AppearanceChange {
    /// Accent colour, `#rrggbb`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^#[0-9a-fA-F]{6}$"))]
    pub accent: Option<String>,
    /// `bottom_right` or `bottom_left`.
    pub position: Option<Position>,
    /// Distance from the page edges (0–200 px).
    #[cfg_attr(feature = "openapi", schema(maximum = 200))]
    pub offset_px: Option<u16>,
    /// Panel header title.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100, pattern = "\\S"))]
    pub header_title: Option<String>,
    /// The bot's name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100, pattern = "\\S"))]
    pub bot_name: Option<String>,
    /// Delay before each bot message (0–5000 ms).
    #[cfg_attr(feature = "openapi", schema(maximum = 5000))]
    pub response_delay_ms: Option<u32>,
    /// `en`, `nl`, or `auto` (the visitor's browser language).
    #[cfg_attr(feature = "openapi", schema(pattern = "^(auto|[Ee][Nn]|[Nn][Ll])([-_].*)?$"))]
    pub locale: Option<String>,
    /// The bot's avatar, an http(s) image URL; empty: none.
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 500, pattern = "^(\\s*|https?://[^\\s/\"'<>`][^\\s\"'<>`]*)$")
    )]
    pub bot_avatar_url: Option<String>,
    /// Text on the launcher beside its icon; empty: the icon alone.
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub launcher_label: Option<String>,
    /// The site's privacy policy, an http(s) URL; empty: no link.
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 500, pattern = "^(\\s*|https?://[^\\s/\"'<>`][^\\s\"'<>`]*)$")
    )]
    pub privacy_url: Option<String>,
    /// A sound for the visitor when the agent writes while the panel is
    /// closed or the page is in the background.
    pub sound: Option<bool>,
}

/// `Some(None)` for an empty (clearing) value, else the checked value.
fn cleared_or(
    check: fn(&str) -> Result<&str, InvalidValue>,
) -> impl Fn(&str) -> Result<Option<String>, InvalidValue> {
    move |raw| match raw.trim() {
        "" => Ok(None),
        v => check(v).map(|v| Some(v.to_owned())),
    }
}

fn at_most<T: PartialOrd + fmt::Display>(max: T) -> impl Fn(T) -> Result<T, String> {
    move |v| if v > max { Err(format!("must be 0 to {max}")) } else { Ok(v) }
}

impl AppearanceChange {
    /// `current` with the change applied, every value checked; nothing
    /// changes when any value is refused.
    pub fn apply(&self, current: &Appearance) -> Result<Appearance, InvalidRequest> {
        let mut c = Checker::default();
        let mut a = current.clone();
        let locale = |raw: &str| match raw {
            "auto" => Ok(None),
            tag => Locale::parse(tag).map(Some),
        };
        if let Some(Some(v)) = c.optional("accent", self.accent.as_deref(), Color::parse) {
            a.accent = v;
        }
        if let Some(v) = self.position {
            a.position = v;
        }
        if let Some(v) = self.offset_px.and_then(|v| c.one("offset_px", at_most(MAX_OFFSET_PX)(v))) {
            a.offset_px = v;
        }
        if let Some(Some(v)) = c.optional("header_title", self.header_title.as_deref(), DisplayName::parse) {
            a.header_title = v.into();
        }
        if let Some(Some(v)) = c.optional("bot_name", self.bot_name.as_deref(), DisplayName::parse) {
            a.bot_name = v.into();
        }
        let delay = self.response_delay_ms.map(at_most(MAX_RESPONSE_DELAY_MS));
        if let Some(v) = delay.and_then(|d| c.one("response_delay_ms", d)) {
            a.response_delay_ms = v;
        }
        if let Some(Some(v)) = c.optional("locale", self.locale.as_deref(), locale) {
            a.locale = v;
        }
        if let Some(Some(v)) =
            c.optional("bot_avatar_url", self.bot_avatar_url.as_deref(), cleared_or(web_url))
        {
            a.bot_avatar_url = v;
        }
        let label = self.launcher_label.as_deref();
        if let Some(Some(v)) = c.optional("launcher_label", label, cleared_or(launcher_label)) {
            a.launcher_label = v;
        }
        if let Some(Some(v)) = c.optional("privacy_url", self.privacy_url.as_deref(), cleared_or(web_url)) {
            a.privacy_url = v;
        }
        if let Some(v) = self.sound {
            a.sound = v;
        }
        if c.0.is_empty() {
            Ok(a)
        } else {
            Err(c.refusal())
        }
    }
}

/// `POST /api/admin/agents`: a new agent. Without a password the server
/// generates one and answers it, once; with `invite`, the agent gets no
/// password and the server answers an invitation token instead, with which
/// they set their own (`POST /api/invitations/accept`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100, pattern = "\\S"))]
    pub name: String,
    /// Login email.
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: String,
    /// Role.
    pub role: Role,
    /// Their password; none: generated (or, with `invite`, theirs to set).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 256))]
    pub password: Option<String>,
    /// Invite them to set their own password (no password may be given).
    #[serde(default)]
    pub invite: bool,
    /// Most open chats routing gives them (1–10); none: the server's
    /// `routing.capacity`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10))]
    pub capacity: Option<u8>,
}

// By hand: a request's Debug must not print the password it carries.
impl fmt::Debug for NewAgent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAgent")
            .field("name", &self.name)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("invite", &self.invite)
            .field("capacity", &self.capacity)
            .finish()
    }
}

/// A [`NewAgent`] that passed its check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidNewAgent {
    /// Display name.
    pub name: DisplayName,
    /// Login email.
    pub email: Email,
    /// Role.
    pub role: Role,
    /// Their password; none: to be generated, or theirs to set when invited.
    pub password: Option<Password>,
    /// Invited to set their own password.
    pub invite: bool,
    /// Their own most open chats; none: the server's.
    pub capacity: Option<u8>,
}

impl NewAgent {
    /// Checks every field; a password and an invitation do not go together.
    pub fn check(&self) -> Result<ValidNewAgent, InvalidRequest> {
        let mut c = Checker::default();
        let name = c.one("name", DisplayName::parse(&self.name));
        let email = c.one("email", Email::parse(&self.email));
        let password = c.optional("password", self.password.as_deref(), Password::parse);
        if self.invite && self.password.is_some() {
            c.refuse("password", "an invited agent sets their own password: give none");
        }
        let capacity = self.capacity.map(capacity).transpose();
        let capacity = c.one("capacity", capacity);
        match (name, email, password, capacity) {
            (Some(name), Some(email), Some(password), Some(capacity)) if c.0.is_empty() => {
                Ok(ValidNewAgent { name, email, role: self.role, password, invite: self.invite, capacity })
            }
            _ => Err(c.refusal()),
        }
    }
}

/// `PATCH /api/admin/agents/{email}`: what to change about an agent;
/// `None` keeps a value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AgentChange {
    /// New display name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100, pattern = "\\S"))]
    pub name: Option<String>,
    /// New login email (unique). Everything that names them by email
    /// follows it (routing rules, live chat cards, open chats' routing);
    /// their sessions end, and they sign in again with it and the same
    /// password. The same address (without case) changes nothing.
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: Option<String>,
    /// New role.
    pub role: Option<Role>,
    /// Avatar image URL shown to visitors, an http(s) URL; empty: none.
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 500, pattern = "^(\\s*|https?://[^\\s/\"'<>`][^\\s\"'<>`]*)$")
    )]
    pub avatar_url: Option<String>,
    /// Whether routing may give them live chats.
    pub live_chat: Option<bool>,
    /// Most open chats routing gives them (1–10).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10))]
    pub capacity: Option<u8>,
}

/// An [`AgentChange`] that passed its check.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidAgentChange {
    /// New display name.
    pub name: Option<DisplayName>,
    /// New login email.
    pub email: Option<Email>,
    /// New role.
    pub role: Option<Role>,
    /// New avatar URL; `Some(None)` removes it.
    pub avatar_url: Option<Option<String>>,
    /// Whether routing may give them live chats.
    pub live_chat: Option<bool>,
    /// Their own most open chats.
    pub capacity: Option<u8>,
}

impl AgentChange {
    /// Checks every field given.
    pub fn check(&self) -> Result<ValidAgentChange, InvalidRequest> {
        let mut c = Checker::default();
        let name = c.optional("name", self.name.as_deref(), DisplayName::parse);
        let email = c.optional("email", self.email.as_deref(), Email::parse);
        let avatar_url = c.optional("avatar_url", self.avatar_url.as_deref(), cleared_or(web_url));
        let capacity = c.one("capacity", self.capacity.map(capacity).transpose());
        match (name, email, avatar_url, capacity) {
            (Some(name), Some(email), Some(avatar_url), Some(capacity)) => Ok(ValidAgentChange {
                name,
                email,
                role: self.role,
                avatar_url,
                live_chat: self.live_chat,
                capacity,
            }),
            _ => Err(c.refusal()),
        }
    }
}

/// `PUT /api/admin/agents/{email}/password`: a new password for an agent,
/// which ends their sessions; none: one is generated and answered once.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// The new password; none: generated.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 256))]
    pub password: Option<String>,
}

impl fmt::Debug for PasswordReset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordReset").field("password", &self.password.as_ref().map(|_| "***")).finish()
    }
}

impl PasswordReset {
    /// The checked password, `None` when one is to be generated.
    pub fn check(&self) -> Result<Option<Password>, InvalidRequest> {
        let mut c = Checker::default();
        c.optional("password", self.password.as_deref(), Password::parse).ok_or_else(|| c.refusal())
    }
}

/// An agent's weekly availability schedule in their time zone:
/// `PUT /api/admin/agents/{email}/schedule` takes one (or `null` for
/// none), and [`super::AgentView`] shows it. Checked by the server, which
/// has the time zone database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// IANA time zone, e.g. `Europe/Amsterdam`.
    pub time_zone: String,
    /// When the agent is available.
    pub blocks: Vec<ScheduleBlock>,
}

/// Available on these days from `from` until `to` (local time, `HH:MM`;
/// `to` may be `24:00`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScheduleBlock {
    /// `mon` … `sun`.
    pub days: Vec<String>,
    /// Start, `HH:MM`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$"))]
    pub from: String,
    /// End, `HH:MM` (later than `from`).
    #[cfg_attr(feature = "openapi", schema(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"))]
    pub to: String,
}

/// `POST /api/admin/teams`: a new team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    /// Its name (unique, without case).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100, pattern = "\\S"))]
    pub name: String,
    /// Its members' emails.
    #[serde(default)]
    pub members: Vec<String>,
}

/// A [`NewTeam`] that passed its check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidNewTeam {
    /// Its name.
    pub name: DisplayName,
    /// Its members.
    pub members: Vec<Email>,
}

impl NewTeam {
    /// Checks every field.
    pub fn check(&self) -> Result<ValidNewTeam, InvalidRequest> {
        let mut c = Checker::default();
        let name = c.one("name", DisplayName::parse(&self.name));
        let members = c.each("members", &self.members, Email::parse);
        match (name, members) {
            (Some(name), Some(members)) => Ok(ValidNewTeam { name, members }),
            _ => Err(c.refusal()),
        }
    }
}

/// `PATCH /api/admin/teams/{name}`: a new name and/or members; `None` keeps
/// a value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TeamChange {
    /// New name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100, pattern = "\\S"))]
    pub name: Option<String>,
    /// The members, replacing them all.
    pub members: Option<Vec<String>>,
}

/// A [`TeamChange`] that passed its check.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidTeamChange {
    /// New name.
    pub name: Option<DisplayName>,
    /// The members, replacing them all.
    pub members: Option<Vec<Email>>,
}

impl TeamChange {
    /// Checks every field given.
    pub fn check(&self) -> Result<ValidTeamChange, InvalidRequest> {
        let mut c = Checker::default();
        let name = c.optional("name", self.name.as_deref(), DisplayName::parse);
        let members = match &self.members {
            None => Some(None),
            Some(raw) => c.each("members", raw, Email::parse).map(Some),
        };
        match (name, members) {
            (Some(name), Some(members)) => Ok(ValidTeamChange { name, members }),
            _ => Err(c.refusal()),
        }
    }
}

/// `POST /api/admin/sites/{key}/account-routes`: visitors with an email at
/// `domain` go to `agent` first (account routing); replaces the domain's
/// route if it had one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAccountRoute {
    /// The email domain, e.g. `bigcorp.com`.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^\\s*@?([A-Za-z0-9-]{1,63}\\.)+[A-Za-z0-9-]{1,63}\\s*$")
    )]
    pub domain: String,
    /// The agent's email.
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub agent: String,
}

/// A [`NewAccountRoute`] that passed its check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidAccountRoute {
    /// The email domain.
    pub domain: EmailDomain,
    /// The agent's email.
    pub agent: Email,
}

impl NewAccountRoute {
    /// Checks every field.
    pub fn check(&self) -> Result<ValidAccountRoute, InvalidRequest> {
        let mut c = Checker::default();
        let domain = c.one("domain", EmailDomain::parse(&self.domain));
        let agent = c.one("agent", Email::parse(&self.agent));
        match (domain, agent) {
            (Some(domain), Some(agent)) => Ok(ValidAccountRoute { domain, agent }),
            _ => Err(c.refusal()),
        }
    }
}

/// A stream file (TOML) to validate and publish for a site. Over HTTP it
/// is the body of `PUT /api/admin/sites/{key}/streams` itself, not JSON;
/// the server's validator checks it (with line:column errors).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishStream {
    /// The stream file's text.
    pub source: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: &InvalidRequest) -> Vec<&str> {
        e.fields.iter().map(|f| f.field.as_str()).collect()
    }

    #[test]
    fn a_new_site_is_checked_field_by_field_and_every_problem_is_named() {
        let ok = NewSite {
            key: "acme".into(),
            name: " Acme ".into(),
            allowed_origins: vec!["https://Acme.example".into()],
            blocked_email_domains: vec![],
            chat_enabled: None,
        };
        let v = ok.check().unwrap();
        assert_eq!((v.key.as_str(), v.name.as_str()), ("acme", "Acme"));
        assert_eq!(v.allowed_origins[0].as_str(), "https://acme.example");
        assert!(v.chat_enabled && v.blocked_email_domains.is_empty(), "chat on, nothing blocked");

        let bad = NewSite {
            key: "A".into(),
            name: "".into(),
            allowed_origins: vec!["acme.example/path".into(), "https://ok.example".into(), "ftp://x".into()],
            blocked_email_domains: vec!["gmail".into()],
            chat_enabled: Some(false),
        };
        let e = bad.check().unwrap_err();
        assert_eq!(
            fields(&e),
            ["key", "name", "allowed_origins", "allowed_origins", "blocked_email_domains"]
        );
        assert!(e.fields[2].message.contains("must be http(s)://host[:port]"), "{e}");
    }

    #[test]
    fn a_site_change_checks_only_what_it_changes() {
        assert_eq!(SiteChange::default().check().unwrap(), ValidSiteChange::default());
        let v = SiteChange { fallback_message: Some("  Mail us. ".into()), ..Default::default() };
        assert_eq!(v.check().unwrap().fallback_message.as_deref(), Some("Mail us."));
        let e = SiteChange {
            name: Some(" ".into()),
            allowed_origins: Some(vec!["nope".into()]),
            fallback_message: Some("x".repeat(MAX_FALLBACK_CHARS + 1)),
            blocked_email_domains: Some(vec!["gmail.com".into(), "nodot".into(), "a b.com".into()]),
            chat_enabled: Some(false),
            away_after_missed: Some(MAX_AWAY_AFTER_MISSED + 1),
            file_max_mb: Some(26),
            file_types: Some(vec!["images".into(), "exe".into()]),
        }
        .check()
        .unwrap_err();
        assert_eq!(
            fields(&e),
            [
                "name",
                "allowed_origins",
                "fallback_message",
                "blocked_email_domains",
                "blocked_email_domains",
                "away_after_missed",
                "file_max_mb",
                "file_types"
            ]
        );
        assert_eq!(e.fields[6].message, "must be 0 (no files) to 25 MB");
        assert!(e.fields[7].message.contains("unknown kind \"exe\""), "{e}");
        let v = SiteChange {
            file_max_mb: Some(0),
            file_types: Some(vec!["pdf".into(), " images".into(), "pdf".into()]),
            ..Default::default()
        }
        .check()
        .unwrap();
        use crate::files::Group;
        assert_eq!((v.file_max_mb, v.file_types), (Some(0), Some(vec![Group::Pdf, Group::Images])));
        assert!(e.fields[3].message.contains("\"nodot\""), "each bad domain is named: {e}");
        assert_eq!(e.fields[5].message, "must be 0 (never) to 10 offers");
        for n in [0, 2, MAX_AWAY_AFTER_MISSED] {
            let v = SiteChange { away_after_missed: Some(n), ..Default::default() }.check().unwrap();
            assert_eq!(v.away_after_missed, Some(n));
        }
    }

    #[test]
    fn blocked_domains_are_normalized_without_duplicates_and_limited() {
        let change = SiteChange {
            blocked_email_domains: Some(vec!["@GMail.com".into(), "gmail.com".into(), " hotmail.com".into()]),
            chat_enabled: Some(false),
            ..Default::default()
        };
        let v = change.check().unwrap();
        let domains: Vec<&str> =
            v.blocked_email_domains.as_ref().unwrap().iter().map(|d| d.as_str()).collect();
        assert_eq!(domains, ["gmail.com", "hotmail.com"]);
        assert_eq!(v.chat_enabled, Some(false));
        let none = SiteChange { blocked_email_domains: Some(vec![]), ..Default::default() };
        assert_eq!(none.check().unwrap().blocked_email_domains, Some(vec![]), "[] clears them");
        let many = (0..=MAX_BLOCKED_DOMAINS).map(|i| format!("d{i}.com")).collect();
        let e = SiteChange { blocked_email_domains: Some(many), ..Default::default() }.check().unwrap_err();
        assert_eq!(fields(&e), ["blocked_email_domains"]);
    }

    #[test]
    fn an_appearance_change_applies_checked_values_and_clears_with_empty_text() {
        let before =
            Appearance { bot_avatar_url: Some("https://a.example/b.png".into()), ..Default::default() };
        let change = AppearanceChange {
            accent: Some("#FFE066".into()),
            position: Some(Position::BottomLeft),
            header_title: Some(" Acme help ".into()),
            locale: Some("nl".into()),
            bot_avatar_url: Some(" ".into()),
            launcher_label: Some(" Questions? ".into()),
            sound: Some(true),
            ..Default::default()
        };
        let after = change.apply(&before).unwrap();
        assert_eq!(after.accent.to_string(), "#ffe066");
        assert_eq!(after.position, Position::BottomLeft);
        assert_eq!(after.header_title, "Acme help");
        assert_eq!(after.locale, Some(Locale::Nl));
        assert_eq!(after.bot_avatar_url, None);
        assert_eq!(after.launcher_label.as_deref(), Some("Questions?"));
        assert!(after.sound);
        let auto = AppearanceChange { locale: Some("auto".into()), ..Default::default() };
        assert_eq!(auto.apply(&after).unwrap().locale, None);
    }

    #[test]
    fn a_refused_appearance_change_names_every_bad_field() {
        let bad = AppearanceChange {
            accent: Some("red".into()),
            offset_px: Some(MAX_OFFSET_PX + 1),
            bot_name: Some("".into()),
            response_delay_ms: Some(MAX_RESPONSE_DELAY_MS + 1),
            locale: Some("fr".into()),
            bot_avatar_url: Some("data:image/png;base64,AAAA".into()),
            launcher_label: Some("x".repeat(41)),
            privacy_url: Some("javascript:alert(1)".into()),
            ..Default::default()
        };
        let e = bad.apply(&Appearance::default()).unwrap_err();
        assert_eq!(
            fields(&e),
            [
                "accent",
                "offset_px",
                "bot_name",
                "response_delay_ms",
                "locale",
                "bot_avatar_url",
                "launcher_label",
                "privacy_url"
            ]
        );
        assert_eq!(e.fields[1].message, "must be 0 to 200");
    }

    #[test]
    fn a_new_agent_needs_a_name_an_email_and_a_long_enough_password_if_any() {
        let mut a = NewAgent {
            name: "Alan".into(),
            email: " Alan@Example.com".into(),
            role: Role::Agent,
            password: None,
            invite: false,
            capacity: None,
        };
        let v = a.check().unwrap();
        assert_eq!((v.email.as_str(), v.password), ("Alan@example.com", None));
        a.password = Some("short".into());
        a.email = "alan".into();
        let e = a.check().unwrap_err();
        assert_eq!(fields(&e), ["email", "password"]);
        assert_eq!(e.fields[1].message, "a password must be 10 to 256 characters");
        assert!(!format!("{a:?}").contains("short"), "Debug hides the password");
    }

    #[test]
    fn a_new_agent_is_invited_without_a_password_and_within_capacity() {
        let mut a = NewAgent {
            name: "Alan".into(),
            email: "alan@example.com".into(),
            role: Role::Agent,
            password: None,
            invite: true,
            capacity: Some(1),
        };
        let v = a.check().unwrap();
        assert_eq!((v.invite, v.capacity, v.password), (true, Some(1), None));
        a.password = Some("a long enough password".into());
        a.capacity = Some(0);
        let e = a.check().unwrap_err();
        assert_eq!(fields(&e), ["password", "capacity"]);
        assert_eq!(e.fields[1].message, "must be 1 to 10 open chats");
        a.capacity = Some(11);
        a.password = None;
        assert_eq!(fields(&a.check().unwrap_err()), ["capacity"]);
        let read: NewAgent =
            serde_json::from_str(r#"{"name":"A","email":"a@example.com","role":"agent"}"#).unwrap();
        assert_eq!((read.invite, read.capacity), (false, None));
    }

    #[test]
    fn an_agent_change_checks_the_name_the_email_the_avatar_url_and_the_capacity() {
        let clear = AgentChange { avatar_url: Some("".into()), ..Default::default() };
        assert_eq!(clear.check().unwrap().avatar_url, Some(None));
        let bad = AgentChange {
            name: Some("".into()),
            email: Some("ada@".into()),
            avatar_url: Some("javascript:alert(1)".into()),
            live_chat: Some(false),
            capacity: Some(11),
            ..Default::default()
        };
        let e = bad.check().unwrap_err();
        assert_eq!(fields(&e), ["name", "email", "avatar_url", "capacity"]);
        assert_eq!(e.fields[1].message, "email \"ada@\": not a valid email address");
        let moved = AgentChange { email: Some(" Ada@New.Example ".into()), ..Default::default() };
        assert_eq!(moved.check().unwrap().email.unwrap().as_str(), "Ada@new.example", "normalized");
        assert_eq!(AgentChange::default().check().unwrap().email, None, "kept when not given");
        let cap = AgentChange { capacity: Some(10), ..Default::default() };
        assert_eq!(cap.check().unwrap().capacity, Some(10));
    }

    #[test]
    fn a_password_reset_takes_a_long_enough_password_or_none() {
        assert_eq!(PasswordReset::default().check().unwrap(), None);
        let given = PasswordReset { password: Some("a brand new password".into()) };
        assert_eq!(given.check().unwrap().unwrap().as_str(), "a brand new password");
        let short = PasswordReset { password: Some("short".into()) };
        assert_eq!(fields(&short.check().unwrap_err()), ["password"]);
        assert!(!format!("{short:?}").contains("short\""));
    }

    #[test]
    fn teams_have_a_name_and_member_emails() {
        let t = NewTeam { name: " Sales ".into(), members: vec!["Ada@Example.com".into()] };
        let v = t.check().unwrap();
        assert_eq!((v.name.as_str(), v.members[0].as_str()), ("Sales", "Ada@example.com"));
        let bad = NewTeam { name: "".into(), members: vec!["ada".into()] };
        assert_eq!(fields(&bad.check().unwrap_err()), ["name", "members"]);
        let change = TeamChange { name: None, members: Some(vec!["x".into()]) };
        assert_eq!(fields(&change.check().unwrap_err()), ["members"]);
        assert_eq!(TeamChange::default().check().unwrap(), ValidTeamChange::default());
    }

    #[test]
    fn an_account_route_has_a_domain_and_an_agent_email() {
        let r = NewAccountRoute { domain: "@BigCorp.com".into(), agent: "ada@example.com".into() };
        assert_eq!(r.check().unwrap().domain.as_str(), "bigcorp.com");
        let bad = NewAccountRoute { domain: "bigcorp".into(), agent: "ada".into() };
        assert_eq!(fields(&bad.check().unwrap_err()), ["domain", "agent"]);
    }

    #[test]
    fn requests_refuse_unknown_fields() {
        assert!(serde_json::from_str::<NewSite>(r#"{"key":"acme","name":"A","origins":[]}"#).is_err());
        assert!(serde_json::from_str::<AgentChange>(r#"{"nmae":"A"}"#).is_err());
        assert!(serde_json::from_str::<AppearanceChange>(r#"{"sound":"yes"}"#).is_err());
        let s: Option<Schedule> = serde_json::from_str("null").unwrap();
        assert_eq!(s, None);
        let s: Schedule = serde_json::from_str(
            r#"{"time_zone":"Europe/Amsterdam","blocks":[{"days":["mon"],"from":"09:00","to":"17:00"}]}"#,
        )
        .unwrap();
        assert_eq!(s.blocks[0].days, ["mon"]);
    }

    #[test]
    fn an_invalid_request_reads_as_its_fields_and_messages() {
        let e = NewAccountRoute { domain: "x".into(), agent: "y".into() }.check().unwrap_err();
        assert_eq!(
            e.to_string(),
            "domain: \"x\" is not an email domain like bigcorp.com; agent: email \"y\": not a valid email address"
        );
        assert!(e.names("domain") && !e.names("key"));
    }
}
