//! Routing's view of the world: loads the snapshot a decision needs (the
//! agents as they are now, teams, rules, account routes) for the pure
//! [`decide::decide`], and renders stored decisions in words for `explain`.
//! It stores and broadcasts nothing: the lifecycle does.

pub use switchboard_routing::{availability, conditions, decide};

use crate::state::AppState;
use crate::store::StoreError;
use decide::Directory;

/// Every agent as routing sees them at this moment, by ascending id.
pub async fn agents_now(state: &AppState) -> Result<Vec<decide::Agent>, StoreError> {
    let store = &state.store;
    let now = jiff::Timestamp::now();
    let open = store.open_chats().await?;
    Ok(store
        .routing_agents()
        .await?
        .into_iter()
        .map(|a| decide::Agent {
            available: a.availability.available_at(now) && state.presence.present(a.id),
            open_chats: open.get(&a.id).copied().unwrap_or(0),
            id: a.id,
            email: a.email,
            live_chat: a.live_chat,
        })
        .collect())
}

/// Builds the decision's view of the agents for `site_id` at this moment.
pub async fn directory(state: &AppState, site_id: i64) -> Result<Directory, StoreError> {
    let store = &state.store;
    let agents = agents_now(state).await?;
    let account_routes = store
        .account_routes(site_id)
        .await?
        .into_iter()
        .map(|r| (r.domain.to_lowercase(), r.agent))
        .collect();
    Ok(Directory {
        agents,
        teams: store.team_member_ids().await?,
        rules: conditions::Rules::new(store.rules(site_id).await?),
        account_routes,
        capacity: state.settings.routing.capacity,
    })
}

/// A conversation's routing decisions in words, for `switchboard conversation explain`.
pub fn explain(decisions: &[crate::store::routing::StoredDecision]) -> String {
    switchboard_routing::explain::explain(decisions.iter().map(|d| (d.at.as_str(), &d.decision)))
}
