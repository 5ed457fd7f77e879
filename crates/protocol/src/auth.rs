//! Agent login: the request the inbox sends and the profile it gets back.

use serde::{Deserialize, Serialize};

/// Longest password accepted (argon2 hashes anything, but unbounded input is a
/// denial-of-service lever).
pub const MAX_PASSWORD_LEN: usize = 256;

/// Shortest password an admin may set (generated ones are longer).
pub const MIN_PASSWORD_LEN: usize = 10;

/// `POST /api/auth/login` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    /// The agent's email address.
    pub email: String,
    /// The agent's password.
    pub password: String,
}

/// An agent's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Receives and answers chats (the live chat permission).
    Agent,
    /// Manages sites, streams, rules, agents and teams; also answers chats.
    Admin,
}

/// The logged-in agent, as `GET /api/auth/me` and a successful login return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentProfile {
    /// Stable agent id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Email address (the login).
    pub email: String,
    /// Role.
    pub role: Role,
    /// Avatar image URL, if the agent has one.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// Whether they may take live chats (the inbox is theirs to use).
    #[serde(default = "yes")]
    pub live_chat: bool,
}

fn yes() -> bool {
    true
}
