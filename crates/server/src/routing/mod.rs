//! Routing's view of the world: turns the snapshot a decision reads (in its
//! transaction, `store::decision`) and the agents' presence into the pure
//! [`decide::decide`]'s input, and its outcome into a plan; renders stored
//! decisions in words for `explain`. It stores and broadcasts nothing: the
//! lifecycle does.

pub use switchboard_routing::{availability, conditions, decide};

use jiff::Timestamp;
use std::collections::HashMap;
use std::time::Duration;

use crate::ids::AgentId;
use crate::state::AppState;
use crate::store::decision::{Facts, Plan, Snapshot};
use crate::store::routing::{AccountRoute, AgentRow};
use crate::store::StoreError;
use decide::{Decision, Directory, Outcome};

/// Every agent as routing sees them at `now`, by ascending id.
fn agents_at(
    state: &AppState,
    rows: Vec<AgentRow>,
    open: &HashMap<i64, u32>,
    now: Timestamp,
) -> Vec<decide::Agent> {
    rows.into_iter()
        .map(|a| decide::Agent {
            available: a.availability.available_at(now) && state.presence.present(a.id),
            open_chats: open.get(&a.id.get()).copied().unwrap_or(0),
            capacity: a.capacity.unwrap_or(state.settings.routing.capacity),
            id: a.id.get(),
            email: a.email,
            live_chat: a.live_chat,
        })
        .collect()
}

/// Every agent as routing sees them at this moment, by ascending id.
pub async fn agents_now(state: &AppState) -> Result<Vec<decide::Agent>, StoreError> {
    let open = state.store.open_chats().await?;
    Ok(agents_at(state, state.store.routing_agents().await?, &open, state.clock.now()))
}

fn directory_of(
    agents: Vec<decide::Agent>,
    teams: HashMap<String, Vec<i64>>,
    rules: Vec<switchboard_protocol::rules::RoutingRule>,
    routes: &[AccountRoute],
) -> Directory {
    Directory {
        agents,
        teams,
        rules: conditions::Rules::new(rules),
        account_routes: routes.iter().map(|r| (r.domain.to_lowercase(), r.agent.clone())).collect(),
    }
}

/// The decision's view of who can take chats at `now`, from what was read.
pub fn directory_at(state: &AppState, facts: &Facts, now: Timestamp) -> Directory {
    let agents = agents_at(state, facts.agents.clone(), &facts.open_chats, now);
    directory_of(agents, facts.teams.clone(), facts.rules.clone(), &facts.account_routes)
}

/// The decision for `request` on `facts` at `now`, its skipped agents
/// named: what every hand-off and transfer decides with ([`plan`]), and
/// what an admin's dry run shows (`admin_routing::try_routing`).
pub fn decision_at(
    state: &AppState,
    facts: &Facts,
    request: decide::Request<'_>,
    now: Timestamp,
) -> Decision {
    let dir = directory_at(state, facts, now);
    let mut decision = decide::decide(&dir, request);
    decision.name_agents(&dir);
    decision
}

/// Decides what to do with a waiting conversation from its snapshot: an
/// offer (timing out `accept_timeout_secs` from now) or the fallback; just
/// after a start, while agents' inboxes are still reconnecting, a chat
/// nobody can take waits out the grace period instead of falling back.
pub fn plan(state: &AppState, snap: &Snapshot) -> Plan {
    let now = state.clock.now();
    let transfer =
        snap.transfer.as_ref().map(|t| decide::Transfer { by: t.by.map(AgentId::get), to: t.to.clone() });
    let visitor = conditions::Visitor { attributes: &snap.details.attributes, page: &snap.details.page };
    let request = decide::Request {
        routing: &snap.routing,
        visitor,
        tried: &snap.tried,
        rotation: &snap.rotation,
        transfer: transfer.as_ref(),
    };
    let decision = decision_at(state, &snap.facts, request, now);
    tracing::debug!(conversation = %snap.conversation.id, outcome = ?decision.outcome, "routed");
    let now_ms = now.as_millisecond();
    match decision.outcome.clone() {
        Outcome::Offer { agent, pool, .. } => {
            let timeout = state.settings.routing.accept_timeout_secs.saturating_mul(1000);
            let due = now_ms.saturating_add(i64::try_from(timeout).unwrap_or(i64::MAX));
            Plan::Offer { decision, agent: AgentId::new(agent), pool, now: now_ms, due }
        }
        Outcome::Fallback => {
            let grace = Duration::from_secs(state.settings.routing.disconnect_grace_secs);
            let settling = grace.saturating_sub(state.timers.since_start());
            if settling.is_zero() {
                Plan::Fallback { decision, now: now_ms }
            } else {
                Plan::Wait {
                    due: now_ms.saturating_add(i64::try_from(settling.as_millis()).unwrap_or(i64::MAX)),
                }
            }
        }
    }
}

/// A conversation's routing decisions in words, for `switchboard conversation explain`.
pub fn explain(decisions: &[crate::store::routing::StoredDecision]) -> String {
    switchboard_routing::explain::explain(decisions.iter().map(|d| (d.at.as_str(), &d.decision)))
}
