//! Routing's view of the world: loads the snapshot a decision needs (the
//! agents as they are now, teams, rules, account routes) for the pure
//! [`decide::decide`], and renders stored decisions in words for `explain`.
//! It stores and broadcasts nothing: the lifecycle does.

pub mod availability;
pub mod conditions;
pub mod decide;

use switchboard_protocol::wire::TransferTarget;

use crate::state::AppState;
use crate::store::StoreError;
use decide::{Decision, Directory, Outcome};

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
    use std::fmt::Write as _;
    let mut out = String::new();
    if decisions.is_empty() {
        out.push_str("No routing decisions: the conversation was not handed off to routing.\n");
    }
    for (i, d) in decisions.iter().enumerate() {
        let _ = writeln!(out, "Decision {} at {}:", i + 1, d.at);
        describe(&d.decision, &mut out);
    }
    out
}

fn describe(d: &Decision, out: &mut String) {
    use decide::Stage;
    use std::fmt::Write as _;
    for step in &d.steps {
        let what = match &step.stage {
            Stage::AccountRoute { domain, agent } => format!("account route {domain} → {agent}"),
            Stage::Agent { agent } => format!("the card names agent {agent}"),
            Stage::Team { team, exists: true } => format!("team {team}"),
            Stage::Team { team, exists: false } => format!("team {team} (no such team)"),
            Stage::Rule { rule, target } => match target {
                switchboard_protocol::rules::Target::Team(t) => format!("rule {rule:?} matched → team {t}"),
                switchboard_protocol::rules::Target::Agents(a) => {
                    format!("rule {rule:?} matched → agents {}", a.join(", "))
                }
            },
            Stage::NoRuleMatched => "no custom rule matched".to_owned(),
            Stage::Everyone => "round robin over every agent".to_owned(),
            Stage::Transfer { by, to } => {
                let by = if by.is_empty() { "a removed agent" } else { by.as_str() };
                match to {
                    TransferTarget::Agent { email } => format!("transferred by {by} to agent {email}"),
                    TransferTarget::Team { name } => format!("transferred by {by} to team {name}"),
                }
            }
            Stage::Back { agent } => {
                format!("nobody else could take it: back to {agent}, who transferred it")
            }
        };
        let _ = writeln!(out, "  {what}");
        for s in &step.skipped {
            let who = if s.email.is_empty() { format!("agent {}", s.agent) } else { s.email.clone() };
            let _ = writeln!(out, "    skipped {who}: {}", s.reason.describe());
        }
        for u in &step.unknown {
            let _ = writeln!(out, "    skipped {u}: no such agent");
        }
    }
    match &d.outcome {
        Outcome::Offer { email, pool, .. } => {
            let _ = writeln!(out, "  → offered to {email} (rotation {pool})");
        }
        Outcome::Fallback => out.push_str("  → nobody could take it: the fallback message\n"),
    }
}
