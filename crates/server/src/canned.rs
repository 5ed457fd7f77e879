//! Canned responses, as the admins and the agents keep them: the one
//! executor behind the admin API (shared responses), the inbox API (an
//! agent's own, and what they can insert in a conversation) and the
//! command line. Each request is checked with the protocol's own check
//! ([`CannedRequest::check`]) before anything is stored.

use switchboard_protocol::admin::{
    CannedRequest, CannedView, InvalidRequest, ValidCanned, MAX_CANNED_PER_OWNER,
};
use switchboard_protocol::site::SiteKey;
use switchboard_protocol::wire::ConversationState;

use crate::admin::AdminError;
use crate::ids::{AgentId, ConversationId};
use crate::store::canned::{CannedFields, CannedRow, CannedSaved, Owner};
use crate::store::Store;

fn view(r: CannedRow) -> CannedView {
    CannedView {
        id: r.id,
        shortcut: r.shortcut,
        text: r.text,
        site: r.site,
        team: r.team,
        personal: r.agent_id.is_some(),
    }
}

/// An owner's responses, by shortcut.
pub async fn list(store: &Store, owner: Owner) -> Result<Vec<CannedView>, AdminError> {
    Ok(store.canned(owner).await?.into_iter().map(view).collect())
}

/// Adds a response for `owner` (`id` none) or replaces one of theirs.
pub async fn save(
    store: &Store,
    owner: Owner,
    id: Option<i64>,
    request: &CannedRequest,
    now_ms: i64,
) -> Result<CannedView, AdminError> {
    let valid = match owner {
        Owner::Shared => request.check()?,
        Owner::Agent(_) => request.check_personal()?,
    };
    let ValidCanned { shortcut, text, site, team } = valid;
    let site_id = match &site {
        None => None,
        Some(key) => Some(site_id(store, key).await?),
    };
    let team_id = match &team {
        None => None,
        Some(name) => Some(
            store
                .team(name.as_str())
                .await?
                .ok_or_else(|| AdminError::invalid("team", format!("no team {}", name.as_str())))?
                .id,
        ),
    };
    let fields = CannedFields { shortcut: &shortcut, text: &text, site: site_id, team: team_id };
    let saved =
        store.save_canned(owner, id, &fields, MAX_CANNED_PER_OWNER, now_ms).await.map_err(|e| match e {
            crate::store::StoreError::Exists(_) => AdminError::Taken(InvalidRequest::field(
                "shortcut",
                format!("another response here has the shortcut /{shortcut}"),
            )),
            other => other.into(),
        })?;
    let id = match saved {
        CannedSaved::Done(id) => id,
        CannedSaved::NotFound => return Err(not_found(id.unwrap_or_default())),
        CannedSaved::TooMany => {
            return Err(AdminError::invalid(
                "shortcut",
                format!("there are {MAX_CANNED_PER_OWNER} responses, the most kept: remove one first"),
            ))
        }
    };
    let row = store.canned_one(owner, id).await?.ok_or_else(|| not_found(id))?;
    Ok(view(row))
}

/// Removes one of `owner`'s responses.
pub async fn remove(store: &Store, owner: Owner, id: i64) -> Result<(), AdminError> {
    if store.delete_canned(owner, id).await? {
        Ok(())
    } else {
        Err(not_found(id))
    }
}

/// What `agent` can insert in `conversation` (one of their own open
/// ones): their own responses and the shared ones for its site and their
/// teams, by shortcut. Another agent's conversation, or a closed one, is
/// not found.
pub async fn for_conversation(
    store: &Store,
    agent: AgentId,
    conversation: ConversationId,
) -> Result<Vec<CannedView>, AdminError> {
    let missing = || AdminError::NotFound("conversation", conversation.get().to_string());
    let conv = store.conversation(conversation).await?.ok_or_else(missing)?;
    let open = !matches!(conv.state, ConversationState::Ended | ConversationState::Fallback);
    if !open || conv.agent_id != Some(agent) {
        return Err(missing());
    }
    let facts = store.facts(conversation).await?.ok_or_else(missing)?;
    let key = SiteKey::parse(&facts.site).map_err(|e| AdminError::invalid("site", e))?;
    let site = site_id(store, &key).await?;
    Ok(store.canned_for(agent, site).await?.into_iter().map(view).collect())
}

async fn site_id(store: &Store, key: &SiteKey) -> Result<crate::ids::SiteId, AdminError> {
    Ok(store
        .site(key)
        .await?
        .ok_or_else(|| AdminError::invalid("site", format!("no site {}", key.as_str())))?
        .id)
}

fn not_found(id: i64) -> AdminError {
    AdminError::NotFound("canned response", id.to_string())
}
