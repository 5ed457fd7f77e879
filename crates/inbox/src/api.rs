//! Every request the inbox makes to the server (same origin; the session is
//! the HttpOnly cookie the login sets).

use gloo_net::http::Request;
use serde::de::DeserializeOwned;
use switchboard_protocol::auth::{AgentProfile, LoginRequest};
use switchboard_protocol::inbox::{Colleagues, ConversationDetail, ConversationSummary};

/// Why a request failed, as the UI needs to tell it.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 401: not logged in, or wrong credentials.
    Unauthorized,
    /// 404: not there, or not this agent's to see.
    NotFound,
    /// Anything else (network down, 5xx).
    Failed(String),
}

/// The logged-in agent, if the session cookie is valid.
pub async fn me() -> Result<AgentProfile, ApiError> {
    get_json("/api/auth/me").await
}

/// Logs in; the server sets the session cookie.
pub async fn login(email: String, password: String) -> Result<AgentProfile, ApiError> {
    #[derive(serde::Deserialize)]
    struct LoginResponse {
        agent: AgentProfile,
    }
    let r = Request::post("/api/auth/login")
        .json(&LoginRequest { email, password })
        .map_err(|e| ApiError::Failed(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Failed(e.to_string()))?;
    match r.status() {
        200 => r.json::<LoginResponse>().await.map(|l| l.agent).map_err(|e| ApiError::Failed(e.to_string())),
        401 => Err(ApiError::Unauthorized),
        s => Err(ApiError::Failed(format!("HTTP {s}"))),
    }
}

/// Ends the session.
pub async fn logout() -> Result<(), ApiError> {
    // JSON, like every write: the server refuses a logout a plain form could forge.
    Request::post("/api/auth/logout")
        .json(&serde_json::json!({}))
        .map_err(|e| ApiError::Failed(e.to_string()))?
        .send()
        .await
        .map(|_| ())
        .map_err(|e| ApiError::Failed(e.to_string()))
}

async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    let r = Request::get(url).send().await.map_err(|e| ApiError::Failed(e.to_string()))?;
    match r.status() {
        200 => r.json().await.map_err(|e| ApiError::Failed(e.to_string())),
        401 => Err(ApiError::Unauthorized),
        404 => Err(ApiError::NotFound),
        s => Err(ApiError::Failed(format!("HTTP {s}"))),
    }
}

/// The agent's own offered and active conversations.
pub async fn active() -> Result<Vec<ConversationSummary>, ApiError> {
    get_json("/api/conversations?scope=active").await
}

/// Everyone's past conversations, newest activity first.
pub async fn past() -> Result<Vec<ConversationSummary>, ApiError> {
    get_json("/api/conversations?scope=past").await
}

/// One conversation in full.
pub async fn conversation(id: i64) -> Result<ConversationDetail, ApiError> {
    get_json(&format!("/api/conversations/{id}")).await
}

/// Who a chat can be transferred to.
pub async fn colleagues() -> Result<Colleagues, ApiError> {
    get_json("/api/colleagues").await
}
