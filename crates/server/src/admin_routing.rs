//! The admin's routing tools for a site, beside the executor in
//! [`crate::admin`]: a dry run of routing, the order of the rules, renaming
//! a rule, and the account routes as CSV. Each checks its request with the
//! protocol's check ([`switchboard_protocol::admin::routing_try`]) and
//! changes storage in one transaction.
//!
//! Rules and account routes have no live effect to record: routing reads
//! them from storage at every decision, so the next one sees the change.
//!
//! The dry run needs the running server (who is connected is routing's
//! business too), so it takes the state; the others take the store.

use std::collections::HashSet;
use switchboard_protocol::admin::{
    account_routes_csv, csv_line, parse_account_routes_csv, AccountRouteView, DecisionView, FieldError,
    InvalidRequest, OutcomeView, RoutingTry, RoutingTryView, RuleOrder, SkipReason, SkippedView, StageView,
    StepView, TriedAgent, MAX_ACCOUNT_ROUTES_CSV_BYTES,
};
use switchboard_protocol::rules::{RoutingRule, Target};

use crate::admin::{self, stored_agent, stored_site, stored_team, AdminError};
use crate::ids::AgentId;
use crate::routing::conditions::Visitor;
use crate::routing::decide::{Decision, Outcome, Request, Skip, Stage};
use crate::state::AppState;
use crate::store::{Replaced, Store};

/// Whom a visitor like `req` describes would be offered to now, and why:
/// the decision every hand-off makes ([`crate::routing::decision_at`]) on
/// what is stored and who is connected at this moment. Nothing is offered,
/// stored or moved on (not even a rotation): the next real hand-off goes
/// where it would have gone without the try.
pub async fn try_routing(
    state: &AppState,
    raw_key: &str,
    req: &RoutingTry,
) -> Result<RoutingTryView, AdminError> {
    let v = req.check()?;
    let site = stored_site(&state.store, raw_key).await?;
    let (facts, rotation) = state.store.routing_facts(site.id).await?;
    let now = state.clock.now();
    let request = Request {
        routing: &v.routing,
        visitor: Visitor { attributes: &v.attributes, page: &v.page },
        tried: &[],
        rotation: &rotation,
        transfer: None,
    };
    let decision = crate::routing::decision_at(state, &facts, request, now);
    let at = crate::clock::iso_millis(now.as_millisecond());
    let text = format!(
        "Try at {at}, routing: {}\n{}",
        serde_json::to_string(&v.routing).unwrap_or_default(),
        switchboard_routing::explain::explain([(at.as_str(), &decision)])
    );
    let agent = match &decision.outcome {
        Outcome::Offer { agent, email, .. } => {
            let name =
                state.store.agent_info(AgentId::new(*agent)).await?.map(|i| i.name).unwrap_or_default();
            Some(TriedAgent { id: *agent, name, email: email.clone() })
        }
        Outcome::Fallback => None,
    };
    Ok(RoutingTryView { fallback: agent.is_none(), agent, text, decision: decision_view(&decision) })
}

/// A decision as the admin API shows it. Every stage and reason is matched
/// here by name, so a new one in the routing crate does not compile until
/// the view has it.
fn decision_view(d: &Decision) -> DecisionView {
    let steps = d
        .steps
        .iter()
        .map(|s| StepView {
            stage: match &s.stage {
                Stage::AccountRoute { domain, agent } => {
                    StageView::AccountRoute { domain: domain.clone(), agent: agent.clone() }
                }
                Stage::Agent { agent } => StageView::Agent { agent: agent.clone() },
                Stage::Team { team, exists } => StageView::Team { team: team.clone(), exists: *exists },
                Stage::Rule { rule, target } => {
                    StageView::Rule { rule: rule.clone(), target: target.clone() }
                }
                Stage::NoRuleMatched => StageView::NoRuleMatched,
                Stage::Everyone => StageView::Everyone,
                Stage::Transfer { by, to } => StageView::Transfer { by: by.clone(), to: to.clone() },
                Stage::Back { agent } => StageView::Back { agent: agent.clone() },
            },
            skipped: s
                .skipped
                .iter()
                .map(|k| SkippedView { agent: k.agent, email: k.email.clone(), reason: reason(k.reason) })
                .collect(),
            unknown: s.unknown.clone(),
        })
        .collect();
    let outcome = match &d.outcome {
        Outcome::Offer { agent, email, pool } => {
            OutcomeView::Offer { agent: *agent, email: email.clone(), pool: pool.to_string() }
        }
        Outcome::Fallback => OutcomeView::Fallback,
    };
    DecisionView { steps, outcome }
}

fn reason(s: Skip) -> SkipReason {
    match s {
        Skip::NoPermission => SkipReason::NoPermission,
        Skip::Unavailable => SkipReason::Unavailable,
        Skip::AtCapacity => SkipReason::AtCapacity,
        Skip::NotInTeam => SkipReason::NotInTeam,
        Skip::Declined => SkipReason::Declined,
        Skip::TimedOut => SkipReason::TimedOut,
        Skip::Transferred => SkipReason::Transferred,
    }
}

/// Gives a site's rules priorities in the order `req` names them (every
/// rule once, highest first): N×10 down to 10. Answers the rules in their
/// new order.
pub async fn order_rules(
    store: &Store,
    raw_key: &str,
    req: &RuleOrder,
) -> Result<Vec<RoutingRule>, AdminError> {
    let site = stored_site(store, raw_key).await?;
    Ok(store.reorder_rules(site.id, |current| req.check(current)).await??)
}

/// Replaces the rule called `name` with `rule` in one transaction: an edit,
/// or a rename when `rule` has another name (which no other rule of the site
/// may have). Checked as [`admin::save_rule`] checks a rule.
pub async fn replace_rule(
    store: &Store,
    raw_key: &str,
    name: &str,
    rule: &RoutingRule,
) -> Result<(), AdminError> {
    rule.check()?;
    let site = stored_site(store, raw_key).await?;
    match &rule.route_to {
        Target::Agents(emails) => {
            for e in emails {
                stored_agent(store, e).await?;
            }
        }
        Target::Team(t) => {
            stored_team(store, t).await?;
        }
    }
    match store.replace_rule(site.id, name, rule).await? {
        Replaced::Done => Ok(()),
        Replaced::NoSuchRule => Err(AdminError::NotFound("rule", name.trim().to_owned())),
        Replaced::NameTaken => {
            Err(AdminError::invalid("name", format!("another rule is called {:?}", rule.name.trim())))
        }
    }
}

/// A site's account routes as CSV (`domain,agent_email`, with the header).
pub async fn account_routes_as_csv(store: &Store, raw_key: &str) -> Result<String, AdminError> {
    Ok(account_routes_csv(&admin::account_routes(store, raw_key).await?))
}

/// Replaces a site's account routes with those of a CSV upload, in one
/// transaction; any bad line refuses the whole, with every problem named by
/// its line (`line 3`): a bad domain or email, a domain routed twice, an
/// agent who does not exist. Answers the new routes.
pub async fn replace_account_routes(
    store: &Store,
    raw_key: &str,
    csv: &[u8],
) -> Result<Vec<AccountRouteView>, AdminError> {
    if csv.len() > MAX_ACCOUNT_ROUTES_CSV_BYTES {
        return Err(AdminError::invalid("csv", format!("at most {MAX_ACCOUNT_ROUTES_CSV_BYTES} bytes")));
    }
    let text = std::str::from_utf8(csv).map_err(|_| AdminError::invalid("csv", "not UTF-8 text"))?;
    let site = stored_site(store, raw_key).await?;
    let parsed = parse_account_routes_csv(text);
    let agents: HashSet<String> = store.agents().await?.into_iter().map(|a| a.email.to_lowercase()).collect();
    let mut problems: Vec<(usize, FieldError)> = Vec::new();
    for (line, route) in &parsed.routes {
        if !agents.contains(&route.agent.as_str().to_lowercase()) {
            problems.push((
                *line,
                FieldError::new(csv_line(*line), format!("no agent has the email {}", route.agent)),
            ));
        }
    }
    refuse_if_any(&parsed.problems, problems)?;
    let rows: Vec<(usize, &str, &str)> =
        parsed.routes.iter().map(|(line, r)| (*line, r.domain.as_str(), r.agent.as_str())).collect();
    // An agent removed since the check above refuses the upload too.
    let gone = store.replace_account_routes(site.id, &rows).await?;
    let gone = gone
        .into_iter()
        .map(|line| (line, FieldError::new(csv_line(line), "no agent has this email")))
        .collect();
    refuse_if_any(&[], gone)?;
    admin::account_routes(store, raw_key).await
}

/// Refuses with every problem, in line order, if there are any.
fn refuse_if_any(parsed: &[FieldError], more: Vec<(usize, FieldError)>) -> Result<(), AdminError> {
    let line_of = |f: &FieldError| f.field.strip_prefix("line ").and_then(|n| n.parse().ok()).unwrap_or(0);
    let mut all: Vec<(usize, FieldError)> = parsed.iter().map(|f| (line_of(f), f.clone())).collect();
    all.extend(more);
    if all.is_empty() {
        return Ok(());
    }
    // Stable: a line's problems keep their order.
    all.sort_by_key(|(line, _)| *line);
    Err(AdminError::Invalid(InvalidRequest { fields: all.into_iter().map(|(_, f)| f).collect() }))
}
