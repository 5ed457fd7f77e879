//! The routing decision: whom to offer a chat to, or the fallback, and why.
//! Pure: everything it needs is passed in, so it is tested and benchmarked
//! without a server, and the same inputs always give the same answer.
//!
//! Order: account routing (the visitor's email domain mapped to an agent),
//! then the live chat card's option; for custom rules and teams, when the
//! matched agents cannot take it, round robin over every eligible agent; then
//! the fallback message. A transferred chat goes to the transfer's target
//! instead (no account routing), widening to everyone but the agent who
//! transferred it even when the target is one agent, and when none of them
//! can take it, back to the agent who transferred it: a visitor mid-chat is
//! not left with nobody, nor given the fallback while their agent is there.

use serde::Serialize;
use std::collections::HashMap;
use switchboard_protocol::rules::Target;
use switchboard_protocol::stream::Routing;
use switchboard_protocol::wire::TransferTarget;

use crate::conditions::{Rules, Visitor};

/// An agent as routing sees them at the moment of the decision.
#[derive(Debug, Clone)]
pub struct Agent {
    /// Row id; rotation goes by ascending id.
    pub id: i64,
    /// Login email (how streams, rules and account routes name agents).
    pub email: String,
    /// May take live chats.
    pub live_chat: bool,
    /// Available now (toggle or schedule, and connected or within the grace period).
    pub available: bool,
    /// Chats offered to or accepted by them that are still open.
    pub open_chats: u32,
    /// Most open chats they may have: their own capacity, or the server's.
    pub capacity: u32,
}

/// Everything about the site's agents, teams and routing setup. Built once
/// per decision by the caller; `agents` sorted by id.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    /// Every agent, by ascending id.
    pub agents: Vec<Agent>,
    /// Team name (lowercase) → member ids, ascending.
    pub teams: HashMap<String, Vec<i64>>,
    /// The site's custom rules, highest priority first (ties by name),
    /// prepared for evaluation.
    pub rules: Rules,
    /// Email domain (lowercase) → agent email.
    pub account_routes: HashMap<String, String>,
}

impl Directory {
    /// Whether `a` could take a chat now, whatever the chat: the live chat
    /// permission, available, below their own capacity.
    pub fn can_take(&self, a: &Agent) -> Result<(), Skip> {
        if !a.live_chat {
            Err(Skip::NoPermission)
        } else if !a.available {
            Err(Skip::Unavailable)
        } else if a.open_chats >= a.capacity {
            Err(Skip::AtCapacity)
        } else {
            Ok(())
        }
    }

    /// The agent with this id.
    pub fn agent(&self, id: i64) -> Option<&Agent> {
        self.agents.binary_search_by_key(&id, |a| a.id).ok().map(|i| &self.agents[i])
    }

    /// The agent with this email (case-insensitive).
    pub fn by_email(&self, email: &str) -> Option<&Agent> {
        self.agents.iter().find(|a| a.email.eq_ignore_ascii_case(email))
    }
}

/// Why an agent was passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Skip {
    /// Lacks the live chat permission.
    NoPermission,
    /// Unavailable (switched off, outside their schedule, or disconnected).
    Unavailable,
    /// Already at the most open chats.
    AtCapacity,
    /// Could take it, but is not in the team or rule's agents.
    NotInTeam,
    /// Declined this chat.
    Declined,
    /// Let this chat's offer time out.
    TimedOut,
    /// Transferred this chat away.
    Transferred,
}

impl Skip {
    /// For people.
    pub fn describe(self) -> &'static str {
        match self {
            Skip::NoPermission => "no live chat permission",
            Skip::Unavailable => "unavailable",
            Skip::AtCapacity => "at capacity",
            Skip::NotInTeam => "not in team",
            Skip::Declined => "declined",
            Skip::TimedOut => "timed out",
            Skip::Transferred => "transferred it away",
        }
    }
}

/// An agent passed over at one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Skipped {
    /// Their id.
    pub agent: i64,
    /// Their email: filled in by [`Decision::name_agents`] (not while deciding,
    /// which stays allocation-light with a thousand agents).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    /// Why.
    pub reason: Skip,
}

/// One stage of the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// The visitor's email domain has an account route.
    AccountRoute {
        /// The domain.
        domain: String,
        /// The agent it routes to.
        agent: String,
    },
    /// The card names an agent.
    Agent {
        /// Their email.
        agent: String,
    },
    /// The card names a team.
    Team {
        /// Its name as written in the stream.
        team: String,
        /// Whether the team exists.
        exists: bool,
    },
    /// A custom rule matched (the first by priority).
    Rule {
        /// Its name.
        rule: String,
        /// Where it routes.
        target: Target,
    },
    /// The card asks for custom rules and none matched.
    NoRuleMatched,
    /// Round robin over every agent.
    Everyone,
    /// An agent transferred the chat.
    Transfer {
        /// Their email (empty when they were removed since).
        by: String,
        /// Where to.
        to: TransferTarget,
    },
    /// Nobody else could take a transferred chat: back to the agent who
    /// transferred it.
    Back {
        /// Their email.
        agent: String,
    },
}

/// A stage with whom it passed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Step {
    /// What was tried.
    #[serde(flatten)]
    pub stage: Stage,
    /// Who could not take it there, and why.
    pub skipped: Vec<Skipped>,
    /// Agents named here (by a stream, rule or account route) that do not exist.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<String>,
}

impl Step {
    fn new(stage: Stage) -> Self {
        Step { stage, skipped: Vec::new(), unknown: Vec::new() }
    }
}

impl Decision {
    /// Fills in the emails of the agents the steps name, for people.
    pub fn name_agents(&mut self, dir: &Directory) {
        for s in self.steps.iter_mut().flat_map(|st| st.skipped.iter_mut()) {
            if let Ok(i) = dir.agents.binary_search_by_key(&s.agent, |a| a.id) {
                s.email.clone_from(&dir.agents[i].email);
            }
        }
    }
}

/// A rotation whose position is kept: everyone, a team, the agents of a
/// rule, one agent (named by a card, or the one a transfer goes back to),
/// or an account route's agent. Stored (and shown by `explain`) as `all`,
/// `team:<name>`, `rule:<name>`, `agent:<email>` and `account:<domain>`,
/// lowercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pool {
    /// Round robin over every eligible agent.
    All,
    /// Round robin inside a team (its name, lowercase).
    Team(String),
    /// Round robin over a rule's agents (its name, lowercase).
    Rule(String),
    /// One agent (their email, lowercase).
    Agent(String),
    /// An account route's agent (the email domain, lowercase).
    Account(String),
}

impl Pool {
    /// A team's rotation.
    pub fn team(name: &str) -> Self {
        Self::Team(name.to_lowercase())
    }

    /// A rule's rotation.
    pub fn rule(name: &str) -> Self {
        Self::Rule(name.to_lowercase())
    }

    /// One agent's "rotation".
    pub fn agent(email: &str) -> Self {
        Self::Agent(email.to_lowercase())
    }
}

#[cfg(test)]
#[test]
fn a_pool_is_stored_as_text_and_read_back() {
    for p in [
        Pool::All,
        Pool::team("Sales"),
        Pool::rule("Big"),
        Pool::agent("A@x.com"),
        Pool::Account("x.com".into()),
    ] {
        assert_eq!(p.to_string().parse::<Pool>(), Ok(p.clone()));
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Pool>(&json).unwrap(), p);
    }
    assert_eq!(Pool::team("Sales").to_string(), "team:sales");
    assert!("everyone".parse::<Pool>().is_err());
}

impl std::fmt::Display for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::All => f.write_str("all"),
            Self::Team(t) => write!(f, "team:{t}"),
            Self::Rule(r) => write!(f, "rule:{r}"),
            Self::Agent(a) => write!(f, "agent:{a}"),
            Self::Account(d) => write!(f, "account:{d}"),
        }
    }
}

impl std::str::FromStr for Pool {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            None if s == "all" => Ok(Self::All),
            Some(("team", t)) => Ok(Self::Team(t.to_owned())),
            Some(("rule", r)) => Ok(Self::Rule(r.to_owned())),
            Some(("agent", a)) => Ok(Self::Agent(a.to_owned())),
            Some(("account", d)) => Ok(Self::Account(d.to_owned())),
            _ => Err(format!("{s:?} is not a rotation pool")),
        }
    }
}

impl Serialize for Pool {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Pool {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Where the chat goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Outcome {
    /// Offer it to this agent; `pool` is the rotation it came from.
    Offer {
        /// Agent id.
        agent: i64,
        /// Their email.
        email: String,
        /// The rotation it came from.
        pool: Pool,
    },
    /// Nobody can take it: the visitor gets the fallback message.
    Fallback,
}

/// A decision and its reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Decision {
    /// The stages tried, in order.
    pub steps: Vec<Step>,
    /// The result.
    pub outcome: Outcome,
}

/// What one decision is about.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The live chat card's option.
    pub routing: &'a Routing,
    /// What is known about the visitor.
    pub visitor: Visitor<'a>,
    /// Agents who already declined or let this chat time out.
    pub tried: &'a [(i64, Skip)],
    /// Last agent given a chat in each rotation pool.
    pub rotation: &'a HashMap<Pool, i64>,
    /// The chat's latest transfer, which replaces the card's option.
    pub transfer: Option<&'a Transfer>,
}

/// A transfer as routing sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The agent who transferred the chat (offered it back only when nobody
    /// else can take it), if they still exist.
    pub by: Option<i64>,
    /// Where to.
    pub to: TransferTarget,
}

/// The agent after `last` in strict rotation over `eligible` (ascending ids),
/// wrapping around: after 3 comes 4, then 5, then 1 again.
pub fn next_in_rotation(eligible: &[i64], last: Option<i64>) -> Option<i64> {
    let after = last.and_then(|l| eligible.iter().find(|&&a| a > l));
    after.or_else(|| eligible.first()).copied()
}

struct Run<'a> {
    dir: &'a Directory,
    req: Request<'a>,
    steps: Vec<Step>,
}

impl Run<'_> {
    fn check(&self, a: &Agent) -> Result<(), Skip> {
        if self.req.transfer.is_some_and(|t| t.by == Some(a.id)) {
            return Err(Skip::Transferred);
        }
        self.untried(a)
    }

    /// Whether `a` can take the chat and has not declined it (or let it
    /// time out) in this round: [`Run::check`] but for the transfer rule.
    fn untried(&self, a: &Agent) -> Result<(), Skip> {
        if let Some((_, why)) = self.req.tried.iter().find(|(id, _)| *id == a.id) {
            return Err(*why);
        }
        self.dir.can_take(a)
    }

    fn agent(&self, id: i64) -> Option<&Agent> {
        self.dir.agent(id)
    }

    fn by_email(&self, email: &str) -> Option<&Agent> {
        self.dir.by_email(email)
    }

    /// Offers to the next eligible agent of `members` (ascending ids; `None`:
    /// everyone) in the rotation of `pool`, recording in `step` who was
    /// skipped; eligible agents outside `members` are recorded as not in the team.
    fn rotate(&mut self, mut step: Step, pool: Pool, members: Option<&[i64]>) -> Option<Outcome> {
        let mut eligible = Vec::new();
        // Both lists ascend by id: walk them together.
        let mut rest = members;
        for a in &self.dir.agents {
            let member = match &mut rest {
                None => true,
                Some(m) => {
                    while m.first().is_some_and(|&id| id < a.id) {
                        *m = &m[1..];
                    }
                    m.first() == Some(&a.id)
                }
            };
            let skip = |reason| Skipped { agent: a.id, email: String::new(), reason };
            match (member, self.check(a)) {
                (true, Ok(())) => eligible.push(a.id),
                (true, Err(reason)) => step.skipped.push(skip(reason)),
                (false, Ok(())) => step.skipped.push(skip(Skip::NotInTeam)),
                (false, Err(_)) => {}
            }
        }
        self.steps.push(step);
        let chosen = next_in_rotation(&eligible, self.req.rotation.get(&pool).copied())?;
        let email = self.agent(chosen).map(|a| a.email.clone()).unwrap_or_default();
        Some(Outcome::Offer { agent: chosen, email, pool })
    }

    /// Offers to one named agent, if they can take it.
    fn single(&mut self, stage: Stage, email: &str, pool: Pool) -> Option<Outcome> {
        self.one(stage, email, pool, Self::check)
    }

    /// Offers to the agent with `email` if `check` lets them take it.
    fn one(
        &mut self,
        stage: Stage,
        email: &str,
        pool: Pool,
        check: fn(&Self, &Agent) -> Result<(), Skip>,
    ) -> Option<Outcome> {
        let mut step = Step::new(stage);
        let mut outcome = None;
        match self.by_email(email) {
            None => step.unknown.push(email.to_owned()),
            Some(a) => match check(self, a) {
                Ok(()) => outcome = Some(Outcome::Offer { agent: a.id, email: a.email.clone(), pool }),
                Err(reason) => step.skipped.push(Skipped { agent: a.id, email: String::new(), reason }),
            },
        }
        self.steps.push(step);
        outcome
    }

    fn team(&mut self, stage: Stage, name: &str) -> Option<Outcome> {
        let key = name.trim().to_lowercase();
        let members: &[i64] = self.dir.teams.get(&key).map_or(&[], Vec::as_slice);
        self.rotate(Step::new(stage), Pool::Team(key), Some(members))
    }

    fn everyone(&mut self) -> Option<Outcome> {
        self.rotate(Step::new(Stage::Everyone), Pool::All, None)
    }

    /// Offers a transferred chat back to the agent who transferred it, if
    /// they can take it and have not declined it (or let it time out) since.
    fn back(&mut self, t: &Transfer) -> Option<Outcome> {
        let email = t.by.and_then(|id| self.agent(id))?.email.clone();
        let pool = Pool::agent(&email);
        self.one(Stage::Back { agent: email.clone() }, &email, pool, Self::untried)
    }
}

/// Decides where a chat goes. Never fails: the worst case is the fallback.
pub fn decide(dir: &Directory, req: Request<'_>) -> Decision {
    let mut run = Run { dir, req, steps: Vec::new() };
    let outcome = route(&mut run).unwrap_or(Outcome::Fallback);
    Decision { steps: run.steps, outcome }
}

fn route(run: &mut Run<'_>) -> Option<Outcome> {
    if let Some(t) = run.req.transfer {
        return transferred(run, t);
    }
    if let Some(domain) = run.req.visitor.email_domain() {
        let domain = domain.to_lowercase();
        if let Some(email) = run.dir.account_routes.get(&domain) {
            let stage = Stage::AccountRoute { domain: domain.clone(), agent: email.clone() };
            if let Some(o) = run.single(stage, email, Pool::Account(domain.to_lowercase())) {
                return Some(o);
            }
        }
    }
    match run.req.routing {
        Routing::RoundRobin => run.everyone(),
        Routing::Agent(email) => {
            let pool = Pool::agent(email);
            run.single(Stage::Agent { agent: email.clone() }, email, pool)
        }
        Routing::Team(name) => {
            let exists = run.dir.teams.contains_key(&name.trim().to_lowercase());
            run.team(Stage::Team { team: name.clone(), exists }, name).or_else(|| run.everyone())
        }
        Routing::Rules => {
            let visitor = run.req.visitor;
            let matched = run.dir.rules.first_match(&visitor);
            let found = match matched {
                None => {
                    run.steps.push(Step::new(Stage::NoRuleMatched));
                    None
                }
                Some(rule) => {
                    let stage = Stage::Rule { rule: rule.name.clone(), target: rule.route_to.clone() };
                    match &rule.route_to {
                        Target::Team(name) => run.team(stage, name),
                        Target::Agents(emails) => {
                            let mut step = Step::new(stage);
                            let mut ids = Vec::new();
                            for e in emails {
                                match run.by_email(e) {
                                    Some(a) => ids.push(a.id),
                                    None => step.unknown.push(e.clone()),
                                }
                            }
                            ids.sort_unstable();
                            let pool = Pool::rule(&rule.name);
                            run.rotate(step, pool, Some(&ids))
                        }
                    }
                }
            };
            found.or_else(|| run.everyone())
        }
    }
}

/// A transferred chat: its target (an agent, or a team's rotation), then
/// everyone but the agent who transferred it, then back to that agent.
fn transferred(run: &mut Run<'_>, t: &Transfer) -> Option<Outcome> {
    let by = t.by.and_then(|id| run.agent(id)).map(|a| a.email.clone()).unwrap_or_default();
    let stage = Stage::Transfer { by, to: t.to.clone() };
    let found = match &t.to {
        TransferTarget::Agent { email } => run.single(stage, email, Pool::agent(email)),
        TransferTarget::Team { name } => run.team(stage, name),
    };
    found.or_else(|| run.everyone()).or_else(|| run.back(t))
}

#[cfg(test)]
mod tests;
