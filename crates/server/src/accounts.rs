//! Accounts made by link, without a session: the first admin, with the
//! setup link `switchboard serve` prints on a database without one, and an
//! invited agent setting their own password. Admins make invitations
//! through the admin executor (`admin`, which uses the tokens made here);
//! the HTTP face of all this is `accounts_api`.
//!
//! A token is 32 random bytes, shown once (in a link's fragment, which
//! browsers send to no server) and stored only as its SHA-256, like a
//! session's. It works once, until it expires; an unknown, used and expired
//! token are refused alike. Operations take `now` (unix ms) from their
//! caller's clock.

use switchboard_protocol::admin::{AcceptInvitation, AccountToken, FirstAdmin, InvalidRequest, TokenPurpose};

use crate::auth::{random_token, token_hash};
use crate::config::Settings;
use crate::ids::AgentId;
use crate::password::hash_off_thread;
use crate::store::accounts::{NewToken, SetupRefused};
use crate::store::{Store, StoreError};

/// How long a setup link works.
pub const SETUP_VALID_MS: i64 = 24 * 3600 * 1000;

/// How long an invitation works.
pub const INVITE_VALID_MS: i64 = 7 * 24 * 3600 * 1000;

/// A fresh token and what is stored of it.
pub(crate) struct Minted {
    /// The token itself, to show once.
    pub token: String,
    hash: String,
    expires_at: i64,
}

impl Minted {
    fn new(now: i64, valid_ms: i64) -> Self {
        let token = random_token();
        Self { hash: token_hash(&token), token, expires_at: now.saturating_add(valid_ms) }
    }

    /// An invitation's, made at `now` (unix ms).
    pub fn invite(now: i64) -> Self {
        Self::new(now, INVITE_VALID_MS)
    }

    /// What the store keeps: the hash and the expiry.
    pub fn stored(&self) -> NewToken<'_> {
        NewToken { hash: &self.hash, expires_at: self.expires_at }
    }
}

/// Why a link could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Values are invalid, each named by its field.
    #[error("{0}")]
    Invalid(#[from] InvalidRequest),
    /// The link is unknown, used or expired.
    #[error("this link does not work (any more)")]
    LinkInvalid,
    /// There is an admin already: setup is over.
    #[error("setup is done: an admin exists")]
    SetupDone,
    /// An agent with that email exists.
    #[error("{0} already exists")]
    Exists(String),
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Exists(what) => Self::Exists(what),
            other => Self::Store(other),
        }
    }
}

/// The server's base URL as the command line knows it: `public_url`, else
/// `http://` and the listen address.
pub fn base_url(settings: &Settings) -> String {
    let base = settings.public_url.clone().unwrap_or_else(|| format!("http://{}", settings.listen));
    base.trim_end_matches('/').to_owned()
}

/// Where an invited agent sets their password.
pub fn invite_link(base_url: &str, token: &str) -> String {
    format!("{base_url}/inbox/#invite={token}")
}

/// On a database without an admin, a new setup link (beside any unused
/// one: each node of a cluster prints its own), working for
/// [`SETUP_VALID_MS`] from `now` (unix ms) or until an admin exists; none
/// once one does.
pub async fn first_run_link(store: &Store, base_url: &str, now: i64) -> Result<Option<String>, StoreError> {
    if store.has_admin().await? {
        return Ok(None);
    }
    let setup = Minted::new(now, SETUP_VALID_MS);
    store.add_setup_token(setup.stored(), now).await?;
    Ok(Some(format!("{base_url}/admin/#setup={}", setup.token)))
}

/// What the link with `token` is for, if it still works at `now`.
pub async fn token_info(store: &Store, token: &str, now: i64) -> Result<Option<AccountToken>, StoreError> {
    let Some(live) = store.live_token(&token_hash(token.trim()), now).await? else {
        return Ok(None);
    };
    let (name, email) = match live.agent {
        Some((_, name, email)) => (Some(name), Some(email)),
        None => (None, None),
    };
    Ok(Some(AccountToken {
        purpose: live.purpose,
        name,
        email,
        expires_at: crate::clock::iso_seconds(live.expires_at),
    }))
}

/// Whether the token is live and for `purpose`: checked before a password
/// is hashed, so a request with a dead link costs no hashing.
async fn live_for(store: &Store, hash: &str, purpose: TokenPurpose, now: i64) -> Result<bool, StoreError> {
    Ok(store.live_token(hash, now).await?.is_some_and(|t| t.purpose == purpose))
}

/// Creates the first admin with the setup link's token at `now` (unix ms);
/// the token and the admin in one transaction, so of two racing setups one
/// wins. Refused once any admin exists, whatever the token.
pub async fn set_up(store: &Store, req: &FirstAdmin, now: i64) -> Result<AgentId, AccountError> {
    let v = req.check()?;
    let hash = token_hash(&v.token);
    if store.has_admin().await? {
        return Err(AccountError::SetupDone);
    }
    if !live_for(store, &hash, TokenPurpose::Setup, now).await? {
        return Err(AccountError::LinkInvalid);
    }
    let password_hash = hash_off_thread(v.password.as_str().to_owned()).await;
    match store.create_first_admin(&hash, v.name.as_str(), v.email.as_str(), &password_hash, now).await? {
        Ok(id) => Ok(id),
        Err(SetupRefused::AdminExists) => Err(AccountError::SetupDone),
        Err(SetupRefused::LinkInvalid) => Err(AccountError::LinkInvalid),
    }
}

/// Sets an invited agent's password with their invitation's token at `now`
/// (unix ms), uses the token and ends their sessions (a change for the
/// running server: their sockets close), in one transaction.
pub async fn accept_invitation(
    store: &Store,
    req: &AcceptInvitation,
    now: i64,
) -> Result<AgentId, AccountError> {
    let v = req.check()?;
    let hash = token_hash(&v.token);
    if !live_for(store, &hash, TokenPurpose::Invite, now).await? {
        return Err(AccountError::LinkInvalid);
    }
    let password_hash = hash_off_thread(v.password.as_str().to_owned()).await;
    store.accept_invite(&hash, &password_hash, now).await?.ok_or(AccountError::LinkInvalid)
}
