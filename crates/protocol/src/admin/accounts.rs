//! Accounts made by link: the first admin (the setup link `switchboard
//! serve` prints on a database without one) and invited agents, who set
//! their own password; an agent's own capacity; and the live status the
//! admin's list of agents shows.
//!
//! A link's token is secret: it travels in the URL's fragment
//! (`/admin/#setup=TOKEN`, `/inbox/#invite=TOKEN`), which browsers send to
//! no server, and requests carry it in the body; the server stores only
//! its hash. It works once, until it expires.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::requests::Checker;
use super::{DisplayName, Email, InvalidRequest, Password};

/// Most open chats an agent's own capacity may allow.
pub const MAX_CAPACITY: u8 = 10;

/// Longest token accepted (the server's are 64 hex characters).
pub const MAX_TOKEN_LEN: usize = 128;

/// An agent's own capacity: 1 to [`MAX_CAPACITY`] open chats.
pub fn capacity(n: u8) -> Result<u8, String> {
    if (1..=MAX_CAPACITY).contains(&n) {
        Ok(n)
    } else {
        Err(format!("must be 1 to {MAX_CAPACITY} open chats"))
    }
}

/// A link's token as pasted: not empty, not too long, only the characters a
/// token has (so a truncated or mangled link is told apart from a dead one).
fn token(raw: &str) -> Result<String, &'static str> {
    let t = raw.trim();
    if t.is_empty() || t.len() > MAX_TOKEN_LEN || !t.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Err("the link is incomplete: open it again from where you got it")
    } else {
        Ok(t.to_owned())
    }
}

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TokenPurpose {
    /// Creating the first admin.
    Setup,
    /// An invited agent setting their password.
    Invite,
}

/// `POST /api/account-tokens`: a link's token, in the body (never in a
/// path, where proxies and access logs would keep it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LinkToken {
    /// The token from the link's fragment (`#setup=TOKEN`, `#invite=TOKEN`).
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub token: String,
}

/// The answer to `POST /api/account-tokens`: what a live link is for and
/// whom (an unknown, used or expired one is 404 `link_invalid`, the same
/// for all three).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountToken {
    /// Setup or invitation.
    pub purpose: TokenPurpose,
    /// The invited agent's name; none for setup.
    pub name: Option<String>,
    /// The invited agent's email; none for setup.
    pub email: Option<String>,
    /// When the link stops working (ISO 8601, UTC).
    pub expires_at: String,
}

/// `POST /api/setup`: the first admin, with the setup link's token. Signs
/// them in as a login does.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FirstAdmin {
    /// The setup link's token.
    #[cfg_attr(feature = "openapi", schema(pattern = "^\\s*[A-Za-z0-9]{1,128}\\s*$"))]
    pub token: String,
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100, pattern = "\\S"))]
    pub name: String,
    /// Login email.
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: String,
    /// Their password.
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 256))]
    pub password: String,
}

impl fmt::Debug for FirstAdmin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FirstAdmin")
            .field("token", &"***")
            .field("name", &self.name)
            .field("email", &self.email)
            .field("password", &"***")
            .finish()
    }
}

/// A [`FirstAdmin`] that passed its check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidFirstAdmin {
    /// The token, trimmed.
    pub token: String,
    /// Display name.
    pub name: DisplayName,
    /// Login email.
    pub email: Email,
    /// Their password.
    pub password: Password,
}

impl FirstAdmin {
    /// Checks every field.
    pub fn check(&self) -> Result<ValidFirstAdmin, InvalidRequest> {
        let mut c = Checker::default();
        let token = c.one("token", token(&self.token));
        let name = c.one("name", DisplayName::parse(&self.name));
        let email = c.one("email", Email::parse(&self.email));
        let password = c.one("password", Password::parse(&self.password));
        match (token, name, email, password) {
            (Some(token), Some(name), Some(email), Some(password)) => {
                Ok(ValidFirstAdmin { token, name, email, password })
            }
            _ => Err(c.refusal()),
        }
    }
}

/// `POST /api/invitations/accept`: an invited agent's password, with the
/// invitation's token. Signs them in as a login does and ends their other
/// sessions.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// The invitation link's token.
    #[cfg_attr(feature = "openapi", schema(pattern = "^\\s*[A-Za-z0-9]{1,128}\\s*$"))]
    pub token: String,
    /// The password they chose.
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 256))]
    pub password: String,
}

impl fmt::Debug for AcceptInvitation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcceptInvitation").field("token", &"***").field("password", &"***").finish()
    }
}

/// An [`AcceptInvitation`] that passed its check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidAcceptInvitation {
    /// The token, trimmed.
    pub token: String,
    /// Their password.
    pub password: Password,
}

impl AcceptInvitation {
    /// Checks every field.
    pub fn check(&self) -> Result<ValidAcceptInvitation, InvalidRequest> {
        let mut c = Checker::default();
        let token = c.one("token", token(&self.token));
        let password = c.one("password", Password::parse(&self.password));
        match (token, password) {
            (Some(token), Some(password)) => Ok(ValidAcceptInvitation { token, password }),
            _ => Err(c.refusal()),
        }
    }
}

/// What an agent is up to now, as the admin's list shows it beside their
/// profile (in `AgentView`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentStatus {
    /// Most open chats routing gives them: their own capacity, else the
    /// server's.
    pub capacity: u32,
    /// Whether their own capacity is set (else it follows the server's).
    #[serde(default)]
    pub own_capacity: bool,
    /// Whether an inbox of theirs is connected now.
    pub online: bool,
    /// Whether their availability (switch or schedule) says so now,
    /// connected or not.
    pub available: bool,
    /// Chats offered to them or accepted by them that are still open (what
    /// capacity counts).
    pub open_chats: u32,
    /// Invited and not yet set a password (they cannot sign in).
    #[serde(default)]
    pub invited: bool,
    /// Unavailable because they let this many offers in a row time out
    /// (switched by the server, until they say they are back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missed_offers: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: &InvalidRequest) -> Vec<&str> {
        e.fields.iter().map(|f| f.field.as_str()).collect()
    }

    const TOKEN: &str = "0f3a9c0d1e2b4a5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c";

    #[test]
    fn capacity_is_one_to_ten_open_chats() {
        assert_eq!(capacity(1), Ok(1));
        assert_eq!(capacity(MAX_CAPACITY), Ok(10));
        assert_eq!(capacity(0).unwrap_err(), "must be 1 to 10 open chats");
        assert!(capacity(11).is_err());
    }

    #[test]
    fn the_first_admin_is_checked_field_by_field_and_hides_its_secrets() {
        let ok = FirstAdmin {
            token: format!(" {TOKEN} "),
            name: " Ada ".into(),
            email: "Ada@Example.com".into(),
            password: "a long enough password".into(),
        };
        let v = ok.check().unwrap();
        assert_eq!((v.token.as_str(), v.name.as_str(), v.email.as_str()), (TOKEN, "Ada", "Ada@example.com"));
        let shown = format!("{ok:?}");
        assert!(!shown.contains(TOKEN) && !shown.contains("long enough"), "{shown}");

        let bad = FirstAdmin {
            token: "abc/def".into(),
            name: "".into(),
            email: "ada".into(),
            password: "short".into(),
        };
        assert_eq!(fields(&bad.check().unwrap_err()), ["token", "name", "email", "password"]);
        let empty = FirstAdmin { token: " ".into(), ..ok.clone() };
        assert_eq!(fields(&empty.check().unwrap_err()), ["token"]);
        let long = FirstAdmin { token: "a".repeat(MAX_TOKEN_LEN + 1), ..ok };
        assert_eq!(fields(&long.check().unwrap_err()), ["token"]);
    }

    #[test]
    fn an_accepted_invitation_needs_the_token_and_a_long_enough_password() {
        let ok = AcceptInvitation { token: TOKEN.into(), password: "a long enough password".into() };
        assert_eq!(ok.check().unwrap().password.as_str(), "a long enough password");
        assert!(!format!("{ok:?}").contains("long enough"));
        let bad = AcceptInvitation { token: "".into(), password: "short".into() };
        let e = bad.check().unwrap_err();
        assert_eq!(fields(&e), ["token", "password"]);
        assert_eq!(e.fields[1].message, "a password must be 10 to 256 characters");
        assert!(serde_json::from_str::<AcceptInvitation>(r#"{"token":"a","password":"b","x":1}"#).is_err());
    }

    #[test]
    fn a_token_answer_reads_back_with_null_names_for_setup() {
        let t = AccountToken {
            purpose: TokenPurpose::Setup,
            name: None,
            email: None,
            expires_at: "2026-11-25T10:00:00Z".into(),
        };
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(v["purpose"], "setup");
        assert!(v["name"].is_null() && v["email"].is_null());
        assert_eq!(serde_json::from_value::<AccountToken>(v).unwrap(), t);
    }
}
