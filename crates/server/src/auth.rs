//! Agent authentication: argon2 password hashes, session tokens (only their
//! SHA-256 is stored), the login/logout/me endpoints and the [`CurrentAgent`]
//! extractor that every agent endpoint uses.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{AppendHeaders, IntoResponse};
use sha2::{Digest, Sha256};
use switchboard_protocol::admin::ErrorBody;
use switchboard_protocol::auth::{AgentProfile, LoginRequest, MAX_PASSWORD_LEN};

use std::net::SocketAddr;

use crate::error::ApiError;
use crate::extract::Json;
use crate::refusals::{BodyRefusals, TooManyAttempts};
use crate::state::AppState;

/// Name of the HttpOnly session cookie.
pub const SESSION_COOKIE: &str = "sb_session";

pub use crate::password::{hash_password, verify_password};

/// A fresh unguessable secret: 32 random bytes as hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// A readable random password for seeded accounts: 16 characters from an
/// alphabet without look-alikes (about 90 bits).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a secret token, as stored.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The session token from `Authorization: Bearer …` or the session cookie.
pub(crate) fn session_token(headers: &HeaderMap) -> Option<String> {
    if let Some(bearer) =
        headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(bearer.trim().to_owned());
    }
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// The logged-in agent; rejects the request with 401 when there is none.
pub struct CurrentAgent(pub AgentProfile);

impl FromRequestParts<AppState> for CurrentAgent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers).ok_or(ApiError::Unauthorized)?;
        let agent = state.store.session_agent(&token_hash(&token), state.clock.now_ms()).await?;
        agent.map(CurrentAgent).ok_or(ApiError::Unauthorized)
    }
}

/// Whether a browser `Origin` is the server's own (`public_url`): the same
/// scheme, host (any case) and port (the scheme's default when absent).
pub fn own_origin(state: &AppState, origin: &axum::http::HeaderValue) -> bool {
    origin.to_str().ok().and_then(origin_key).is_some_and(|o| origin_key(&state.public_url) == Some(o))
}

/// `scheme://host:port` in lower case with the port spelled out, from an
/// origin or a base URL (anything after the authority is ignored).
fn origin_key(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    let default = match scheme.as_str() {
        "http" => "80",
        "https" => "443",
        _ => return None,
    };
    // (An IPv6 host is in brackets: the port follows the closing one.)
    let has_port = authority.rsplit_once(':').is_some_and(|(host, port)| {
        !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
            && (!host.starts_with('[') || host.ends_with(']'))
    });
    Some(if has_port {
        format!("{scheme}://{authority}")
    } else {
        format!("{scheme}://{authority}:{default}")
    })
}

/// Whether the request is authenticated by the session cookie (which a
/// browser attaches to requests other pages make) rather than a bearer
/// token (which only its holder can send).
fn by_cookie(headers: &HeaderMap) -> bool {
    let bearer =
        headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("Bearer "));
    !bearer && headers.get(COOKIE).is_some()
}

/// A layer on every route: a state-changing request (not GET, HEAD or
/// OPTIONS) that carries a cookie and no bearer token must come from a page
/// of the server's own origin. SameSite=Strict keeps the cookie off other
/// sites' requests, but not off other ports and subdomains of the same site;
/// browsers always send `Origin` on such requests.
pub async fn same_origin_writes(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::Method;
    let reads = [Method::GET, Method::HEAD, Method::OPTIONS];
    let headers = request.headers();
    // (The widget's stream events carry no authority: a cookie the browser
    // adds to them is not read.)
    if !reads.contains(request.method())
        && !crate::stats_limits::is_stream_events_path(request.uri().path())
        && by_cookie(headers)
        && !headers.get(ORIGIN).is_some_and(|o| own_origin(&state, o))
    {
        return ApiError::OriginNotAllowed.into_response();
    }
    next.run(request).await
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

/// A session just opened: `POST /api/auth/login`'s answer.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct LoginAnswer {
    /// The session token, for `Authorization: Bearer` (the same session
    /// as the cookie).
    pub token: String,
    /// Who logged in.
    pub agent: AgentProfile,
}

/// `POST /api/auth/logout`'s answer.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct LoggedOut {
    /// Always true.
    pub ok: bool,
}

/// Refuses a browser's request from a page of another origin: for the
/// requests that sign in (their answer writes the session cookie). Non-browser
/// clients send no `Origin`.
pub(crate) fn from_own_page(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    if headers.get(ORIGIN).is_some_and(|o| !own_origin(state, o)) {
        return Err(ApiError::OriginNotAllowed);
    }
    Ok(())
}

/// Opens a session for `agent`: the answer of every sign-in (a login, the
/// first admin's setup, an accepted invitation), the session both as an
/// HttpOnly cookie (the inbox, the console) and in the body (API clients):
/// `{token, agent}`.
pub(crate) async fn sign_in(state: &AppState, agent: AgentProfile) -> Result<impl IntoResponse, ApiError> {
    let token = random_token();
    let max_age = i64::from(state.settings.limits.session_hours) * 3600;
    let expires_at = state.clock.now_ms().saturating_add(max_age.saturating_mul(1000));
    let agent_id = crate::ids::AgentId::new(agent.id);
    state.store.create_session(&token_hash(&token), agent_id, expires_at).await?;
    let secure = if state.public_url.starts_with("https://") { "; Secure" } else { "" };
    let cookie =
        format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}");
    Ok((AppendHeaders([(SET_COOKIE, cookie)]), Json(LoginAnswer { token, agent })))
}

/// `POST /api/auth/login`: checks the password and opens a session, returned
/// both as an HttpOnly cookie (the inbox) and in the body (API clients).
///
/// Failed attempts are counted (`login_guard`): past a few, the
/// next attempt must wait and is answered 429 `too_many_attempts` with
/// `Retry-After`, whatever the password. A browser may only log in from a
/// page of the server's own origin (the answer writes the cookie). An
/// invited agent who has not set a password cannot log in with any.
#[utoipa::path(
    post, path = "/api/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; the session is also set as the `sb_session` cookie",
            body = LoginAnswer, headers(("Set-Cookie" = String, description = "The session cookie"))),
        (status = 401, description = "Wrong email or password (`bad_credentials`)", body = ErrorBody),
        (status = 403, description = "A browser's `Origin` is not this server's (`origin_not_allowed`)",
            body = ErrorBody),
        BodyRefusals,
        TooManyAttempts,
    ),
    security(())
)]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(req): Json<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    from_own_page(&state, &headers)?;
    if req.password.len() > MAX_PASSWORD_LEN || req.email.len() > 254 {
        return Err(ApiError::BadCredentials);
    }
    // Counted by the address as typed, in ASCII lower case (as the store
    // matches emails), so "Ada@…" and "ada@…" are one account.
    let email = req.email.trim();
    let key = email.to_ascii_lowercase();
    let (address, guard) = (peer.ip(), &state.logins);
    let too_many = |wait| ApiError::TooMany {
        code: "too_many_attempts",
        message: "too many failed attempts; wait before trying again",
        retry_after: wait,
    };
    if let Some(wait) = guard.wait(address, &key, tokio::time::Instant::now()) {
        return Err(too_many(wait));
    }
    // (An invited agent has no password yet: as if there were no account.)
    let agent = state.store.agent_by_email(email).await?.filter(|a| !a.password_hash.is_empty());
    // An unknown email costs the same time as a real check, so response
    // time does not tell which emails have accounts.
    let hash = agent.as_ref().map_or_else(|| state.dummy_hash.to_string(), |a| a.password_hash.clone());
    let ok = guard.check(address, &key, req.password, hash).await.map_err(too_many)?;
    let Some(agent) = agent.filter(|_| ok) else {
        return Err(ApiError::BadCredentials);
    };
    sign_in(&state, agent.profile).await
}

/// `GET /api/auth/me`: who is logged in.
#[utoipa::path(
    get, path = "/api/auth/me", tag = "auth",
    responses(
        (status = 200, description = "The logged-in agent", body = AgentProfile),
        (status = 401, description = "No valid session (`unauthorized`)", body = ErrorBody),
    )
)]
pub async fn me(CurrentAgent(agent): CurrentAgent) -> Json<AgentProfile> {
    Json(agent)
}

/// `POST /api/auth/logout` (a JSON body; from the server's own origin when
/// by cookie, see [`same_origin_writes`]): ends the session, closes the
/// sockets it opened and clears the cookie. Without a valid session it is
/// 401 and clears nothing, so another page cannot sign an agent out.
#[utoipa::path(
    post, path = "/api/auth/logout", tag = "auth",
    request_body(content = Object, description = "Any JSON (`{}`): only its content type counts, which a \
        form on another page cannot send"),
    responses(
        (status = 200, description = "Logged out; the cookie is cleared", body = LoggedOut),
        (status = 401, description = "No valid session (`unauthorized`)", body = ErrorBody),
        (status = 403, description = "By cookie, another origin (`origin_not_allowed`)", body = ErrorBody),
        (status = 415, description = "Not `Content-Type: application/json` (`not_json`)", body = ErrorBody),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    if !is_json(&headers) {
        return Err(ApiError::NotJson);
    }
    let token = session_token(&headers).ok_or(ApiError::Unauthorized)?;
    let hash = token_hash(&token);
    state.store.session_agent(&hash, state.clock.now_ms()).await?.ok_or(ApiError::Unauthorized)?;
    crate::lifecycle::agents::end_session(&state, &hash).await?;
    let cookie = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    Ok((AppendHeaders([(SET_COOKIE, cookie)]), Json(LoggedOut { ok: true })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct hors", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn the_session_token_comes_from_bearer_or_cookie() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, "a=1; sb_session=abc; b=2".parse().unwrap());
        assert_eq!(session_token(&h).as_deref(), Some("abc"));
        h.insert(AUTHORIZATION, "Bearer xyz".parse().unwrap());
        assert_eq!(session_token(&h).as_deref(), Some("xyz"));
    }

    #[test]
    fn origins_match_whatever_the_case_and_a_default_port() {
        assert_eq!(origin_key("HTTPS://Chat.Example.com"), origin_key("https://chat.example.com:443"));
        assert_eq!(origin_key("http://127.0.0.1:8080/"), Some("http://127.0.0.1:8080".into()));
        assert_ne!(origin_key("http://127.0.0.1:8080"), origin_key("http://127.0.0.1:8081"));
        assert_ne!(origin_key("http://example.com"), origin_key("https://example.com"));
        assert_eq!(origin_key("http://[::1]"), Some("http://[::1]:80".into()));
        assert_eq!(origin_key("null"), None);
    }

    #[test]
    fn random_secrets_differ_and_have_the_expected_length() {
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 64);
        assert_eq!(random_password().len(), 16);
    }
}
