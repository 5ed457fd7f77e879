//! What the admin API answers: sites, agents, teams, account routes and
//! streams as an admin sees them (rules are [`crate::rules::RoutingRule`]
//! themselves). They read back with serde too, for the console.

use serde::{Deserialize, Serialize};

use super::{AgentStatus, Schedule};
use crate::auth::AgentProfile;
use crate::site::{Appearance, Locale, SiteKey};
use crate::stream::Stream;

/// A site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteView {
    /// Its key (the embed snippet's `data-site`).
    pub key: SiteKey,
    /// Display name.
    pub name: String,
    /// Origins the widget may run on.
    pub allowed_origins: Vec<String>,
    /// How the widget looks.
    pub appearance: Appearance,
    /// Shown when nobody can take a chat.
    #[serde(default)]
    pub fallback_message: String,
    /// Email domains data capture refuses, sorted.
    #[serde(default)]
    pub blocked_email_domains: Vec<String>,
    /// Whether the widget offers chat.
    #[serde(default = "on")]
    pub chat_enabled: bool,
    /// After how many chat offers of this site in a row an agent lets time
    /// out they are switched to unavailable (0: never).
    #[serde(default = "away_after_missed")]
    pub away_after_missed: u8,
    /// The largest file its chats take, in MB (0: none).
    #[serde(default = "file_max_mb")]
    pub file_max_mb: u32,
    /// The kinds of file its chats take: `images`, `pdf`, `text`, `office`.
    #[serde(default = "file_types")]
    pub file_types: Vec<String>,
}

fn file_max_mb() -> u32 {
    crate::files::DEFAULT_FILE_MB
}

fn file_types() -> Vec<String> {
    crate::files::Group::ALL.iter().map(|g| g.key().to_owned()).collect()
}

fn on() -> bool {
    true
}

fn away_after_missed() -> u8 {
    super::requests::DEFAULT_AWAY_AFTER_MISSED
}

/// An agent: their profile (as they see it themselves) with their schedule
/// and what they are up to now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentView {
    /// Who they are, their role and whether routing may give them chats.
    #[serde(flatten)]
    pub profile: AgentProfile,
    /// Their weekly availability schedule, if any.
    #[serde(default)]
    pub schedule: Option<Schedule>,
    /// Capacity, whether they are online and available, their open chats.
    #[serde(flatten)]
    pub status: AgentStatus,
}

impl AgentView {
    /// An agent's profile with their schedule and status.
    pub fn new(profile: AgentProfile, schedule: Option<Schedule>, status: AgentStatus) -> Self {
        Self { profile, schedule, status }
    }
}

/// An agent with the password just generated for them, or the invitation
/// just made: the answer to adding an agent, resetting a password or
/// inviting. The password or token is shown this once and stored only
/// hashed; neither when the admin chose the password.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentPassword {
    /// The agent.
    pub agent: AgentView,
    /// The generated password.
    pub password: Option<String>,
    /// The invitation's token: the agent sets their password at
    /// `ORIGIN/inbox/#invite=TOKEN`.
    #[serde(default)]
    pub invite_token: Option<String>,
}

/// Never prints the password or the token (a log line is not where they
/// may end up).
impl std::fmt::Debug for AgentPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let password = self.password.as_ref().map(|_| "***");
        let invite_token = self.invite_token.as_ref().map(|_| "***");
        f.debug_struct("AgentPassword")
            .field("agent", &self.agent)
            .field("password", &password)
            .field("invite_token", &invite_token)
            .finish()
    }
}

/// A team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamView {
    /// Stable team id.
    pub id: i64,
    /// Its name (unique, without case).
    pub name: String,
    /// Members' emails, sorted.
    pub members: Vec<String>,
}

/// An account route: visitors with an email at `domain` go to `agent` first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountRouteView {
    /// Email domain, lower case.
    pub domain: String,
    /// The agent's email.
    pub agent: String,
}

/// A stream in a list, published or only drafted: everything but its cards
/// (a published stream's as published).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StreamSummary {
    /// Stable identifier.
    pub id: String,
    /// Name shown to admins.
    pub name: String,
    /// Higher runs first when several streams match a page.
    pub priority: i32,
    /// URL path patterns of the pages it runs on.
    pub targets: Vec<String>,
    /// URL path patterns of pages it never runs on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// Language the cards are written in.
    pub locale: Locale,
    /// Which publication this is (1, 2, …); 0 for a stream only drafted.
    pub version: u32,
    /// How many cards it has (a count: `cards` is the list in a stream).
    pub card_count: usize,
    /// When this version was published (ISO 8601, UTC), where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// Whether it is published (false: only a draft so far).
    #[serde(default = "on")]
    pub published: bool,
    /// Whether it has a draft that differs from what is published (or that
    /// was never published).
    #[serde(default)]
    pub draft: bool,
}

impl From<&Stream> for StreamSummary {
    fn from(s: &Stream) -> Self {
        Self {
            id: s.id.clone(),
            name: s.name.clone(),
            priority: s.priority,
            targets: s.targets.clone(),
            exclude: s.exclude.clone(),
            locale: s.locale,
            version: s.version,
            card_count: s.cards.len(),
            published_at: None,
            published: true,
            draft: false,
        }
    }
}

/// One published stream: its model and the file it was published from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StreamView {
    /// The stream as the widget gets it.
    pub stream: Stream,
    /// The stream file (TOML) as published.
    pub source: String,
}

/// A stream just published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StreamPublished {
    /// The stream's id.
    pub id: String,
    /// Which publication this is (1, 2, …).
    pub version: u32,
    /// The validator's warnings (`line:col: card id: message`).
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use serde_json::json;

    #[test]
    fn views_keep_the_field_names_clients_read() {
        let site = SiteView {
            key: SiteKey::parse("acme").unwrap(),
            name: "Acme".into(),
            allowed_origins: vec!["https://acme.example".into()],
            appearance: Appearance::default(),
            fallback_message: String::new(),
            blocked_email_domains: vec!["gmail.com".into()],
            chat_enabled: false,
            away_after_missed: 0,
            file_max_mb: 10,
            file_types: vec!["images".into()],
        };
        let v = serde_json::to_value(&site).unwrap();
        assert_eq!((&v["file_max_mb"], &v["file_types"]), (&json!(10), &json!(["images"])));
        assert_eq!((&v["blocked_email_domains"], &v["chat_enabled"]), (&json!(["gmail.com"]), &json!(false)));
        assert_eq!((&v["key"], &v["name"]), (&json!("acme"), &json!("Acme")));
        assert_eq!(v["allowed_origins"], json!(["https://acme.example"]));
        assert_eq!(v["appearance"]["header_title"], "Chat with us");
        assert_eq!(serde_json::from_value::<SiteView>(v).unwrap(), site);

        let profile = AgentProfile {
            id: 7,
            name: "Ada".into(),
            email: "ada@example.com".into(),
            role: Role::Admin,
            avatar_url: None,
            live_chat: true,
        };
        let status = AgentStatus {
            capacity: 3,
            own_capacity: true,
            online: true,
            open_chats: 2,
            ..Default::default()
        };
        let created = AgentPassword {
            agent: AgentView::new(profile, None, status),
            password: Some("pw".into()),
            invite_token: Some("tk".into()),
        };
        let v = serde_json::to_value(&created).unwrap();
        assert_eq!(v["agent"]["email"], "ada@example.com");
        assert_eq!(v["agent"]["role"], "admin");
        assert_eq!(v["agent"]["live_chat"], true);
        assert_eq!((&v["agent"]["capacity"], &v["agent"]["online"]), (&json!(3), &json!(true)));
        assert_eq!((&v["agent"]["available"], &v["agent"]["open_chats"]), (&json!(false), &json!(2)));
        assert_eq!((&v["password"], &v["invite_token"]), (&json!("pw"), &json!("tk")));
        assert_eq!(serde_json::from_value::<AgentPassword>(v).unwrap(), created);
        assert!(!format!("{created:?}").contains("pw\"") && !format!("{created:?}").contains("tk\""));
    }
}
