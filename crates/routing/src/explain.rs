//! Routing decisions in words, for people: what `switchboard conversation
//! explain` prints. The caller passes each decision with when it was made.

use std::fmt::Write as _;
use switchboard_protocol::rules::Target;
use switchboard_protocol::wire::TransferTarget;

use crate::decide::{Decision, Outcome, Stage};

/// A conversation's routing decisions in words, each given with when it was
/// made (`at`, as stored), oldest first.
pub fn explain<'a>(decisions: impl IntoIterator<Item = (&'a str, &'a Decision)>) -> String {
    let mut out = String::new();
    let mut decisions = decisions.into_iter().peekable();
    if decisions.peek().is_none() {
        out.push_str("No routing decisions: the conversation was not handed off to routing.\n");
    }
    for (i, (at, decision)) in decisions.enumerate() {
        let _ = writeln!(out, "Decision {} at {}:", i + 1, at);
        describe(decision, &mut out);
    }
    out
}

fn describe(d: &Decision, out: &mut String) {
    for step in &d.steps {
        let what = match &step.stage {
            Stage::AccountRoute { domain, agent } => format!("account route {domain} → {agent}"),
            Stage::Agent { agent } => format!("the card names agent {agent}"),
            Stage::Team { team, exists: true } => format!("team {team}"),
            Stage::Team { team, exists: false } => format!("team {team} (no such team)"),
            Stage::Rule { rule, target } => match target {
                Target::Team(t) => format!("rule {rule:?} matched → team {t}"),
                Target::Agents(a) => {
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
