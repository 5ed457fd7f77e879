use super::*;
use crate::conditions::Rules;
use proptest::prelude::*;
use switchboard_protocol::attribute::Attributes;
use switchboard_protocol::rules::{Combine, Condition, Op, RoutingRule};
use switchboard_protocol::wire::{PageContext, TransferTarget};

fn agent(id: i64, name: &str) -> Agent {
    Agent {
        id,
        email: format!("{name}@example.com"),
        live_chat: true,
        available: true,
        open_chats: 0,
        capacity: 10,
    }
}

/// Ada 1, Bob 2, Cy 3, Dee 4; team Sales = Bob, Cy; team Empty has nobody.
fn directory() -> Directory {
    let mut teams = HashMap::new();
    teams.insert("sales".to_owned(), vec![2, 3]);
    teams.insert("empty".to_owned(), vec![]);
    Directory {
        agents: vec![agent(1, "ada"), agent(2, "bob"), agent(3, "cy"), agent(4, "dee")],
        teams,
        rules: Rules::default(),
        account_routes: HashMap::new(),
    }
}

fn set(dir: &mut Directory, id: i64, f: impl FnOnce(&mut Agent)) {
    f(dir.agents.iter_mut().find(|a| a.id == id).unwrap());
}

#[derive(Clone)]
struct Ask {
    routing: Routing,
    attributes: Attributes,
    page: PageContext,
    tried: Vec<(i64, Skip)>,
    rotation: HashMap<Pool, i64>,
    transfer: Option<Transfer>,
}

fn ask(routing: Routing) -> Ask {
    Ask {
        routing,
        attributes: Attributes::new(),
        page: PageContext::default(),
        tried: Vec::new(),
        rotation: HashMap::new(),
        transfer: None,
    }
}

impl Ask {
    fn email(mut self, e: &str) -> Self {
        self.attributes.insert("email".into(), e.into());
        self
    }
    fn last(mut self, pool: &str, id: i64) -> Self {
        self.rotation.insert(pool.parse().unwrap(), id);
        self
    }
    fn tried(mut self, id: i64, why: Skip) -> Self {
        self.tried.push((id, why));
        self
    }
    fn transferred(mut self, by: i64, to: TransferTarget) -> Self {
        self.transfer = Some(Transfer { by: Some(by), to });
        self
    }
    fn decide(&self, dir: &Directory) -> Decision {
        let visitor = Visitor { attributes: &self.attributes, page: &self.page };
        let transfer = self.transfer.as_ref();
        decide(
            dir,
            Request {
                routing: &self.routing,
                visitor,
                tried: &self.tried,
                rotation: &self.rotation,
                transfer,
            },
        )
    }
}

fn offered(d: &Decision) -> Option<(i64, String)> {
    match &d.outcome {
        Outcome::Offer { agent, pool, .. } => Some((*agent, pool.to_string())),
        Outcome::Fallback => None,
    }
}

fn stages(d: &Decision) -> Vec<&Stage> {
    d.steps.iter().map(|s| &s.stage).collect()
}

fn skipped(d: &Decision, step: usize) -> Vec<(i64, Skip)> {
    d.steps[step].skipped.iter().map(|s| (s.agent, s.reason)).collect()
}

#[test]
fn round_robin_follows_the_stored_position_and_skips_the_ineligible() {
    let mut dir = directory();
    assert_eq!(offered(&ask(Routing::RoundRobin).decide(&dir)), Some((1, "all".into())));
    assert_eq!(offered(&ask(Routing::RoundRobin).last("all", 1).decide(&dir)), Some((2, "all".into())));
    assert_eq!(offered(&ask(Routing::RoundRobin).last("all", 4).decide(&dir)), Some((1, "all".into())));
    set(&mut dir, 2, |a| a.available = false);
    set(&mut dir, 3, |a| a.open_chats = 10);
    set(&mut dir, 4, |a| a.live_chat = false);
    let d = ask(Routing::RoundRobin).last("all", 1).decide(&dir);
    assert_eq!(offered(&d), Some((1, "all".into())), "only Ada is left, so she gets it again");
    assert_eq!(skipped(&d, 0), [(2, Skip::Unavailable), (3, Skip::AtCapacity), (4, Skip::NoPermission)]);
    set(&mut dir, 3, |a| a.open_chats = 9);
    assert_eq!(offered(&ask(Routing::RoundRobin).last("all", 1).decide(&dir)), Some((3, "all".into())));
}

#[test]
fn each_agent_is_held_to_their_own_capacity() {
    let mut dir = directory();
    set(&mut dir, 2, |a| (a.capacity, a.open_chats) = (1, 1));
    set(&mut dir, 3, |a| a.open_chats = 1);
    let d = ask(Routing::RoundRobin).last("all", 1).decide(&dir);
    assert_eq!(offered(&d), Some((3, "all".into())), "Bob has his one chat; Cy may have ten");
    assert_eq!(skipped(&d, 0), [(2, Skip::AtCapacity)]);
    set(&mut dir, 2, |a| a.capacity = 2);
    assert_eq!(offered(&ask(Routing::RoundRobin).last("all", 1).decide(&dir)), Some((2, "all".into())));
}

#[test]
fn with_nobody_eligible_round_robin_falls_back() {
    let mut dir = directory();
    for id in 1..=4 {
        set(&mut dir, id, |a| a.available = false);
    }
    let d = ask(Routing::RoundRobin).decide(&dir);
    assert_eq!(d.outcome, Outcome::Fallback);
    assert_eq!(stages(&d), [&Stage::Everyone]);
    assert_eq!(skipped(&d, 0).len(), 4);
    assert_eq!(ask(Routing::RoundRobin).decide(&Directory::default()).outcome, Outcome::Fallback);
}

#[test]
fn a_named_agent_gets_it_or_the_visitor_gets_the_fallback() {
    let mut dir = directory();
    let named = Routing::Agent("Cy@Example.com".into());
    assert_eq!(offered(&ask(named.clone()).decide(&dir)), Some((3, "agent:cy@example.com".into())));
    set(&mut dir, 3, |a| a.available = false);
    let d = ask(named).decide(&dir);
    assert_eq!(d.outcome, Outcome::Fallback, "a named agent is not widened to everyone");
    assert_eq!(skipped(&d, 0), [(3, Skip::Unavailable)]);
    let d = ask(Routing::Agent("nobody@example.com".into())).decide(&dir);
    assert_eq!(d.outcome, Outcome::Fallback);
    assert_eq!(d.steps[0].unknown, ["nobody@example.com"]);
}

#[test]
fn a_team_rotates_inside_itself_then_widens_to_everyone() {
    let mut dir = directory();
    let team = || ask(Routing::Team("Sales".into()));
    assert_eq!(offered(&team().decide(&dir)), Some((2, "team:sales".into())));
    assert_eq!(offered(&team().last("team:sales", 2).decide(&dir)), Some((3, "team:sales".into())));
    assert_eq!(offered(&team().last("team:sales", 3).decide(&dir)), Some((2, "team:sales".into())));
    // The team's rotation is its own: the site-wide position does not move it.
    assert_eq!(offered(&team().last("all", 2).decide(&dir)), Some((2, "team:sales".into())));

    let d = team().decide(&dir);
    assert_eq!(skipped(&d, 0), [(1, Skip::NotInTeam), (4, Skip::NotInTeam)]);

    set(&mut dir, 2, |a| a.available = false);
    set(&mut dir, 3, |a| a.open_chats = 12);
    let d = team().last("all", 1).decide(&dir);
    assert_eq!(offered(&d), Some((4, "all".into())), "nobody in the team can: round robin over everyone");
    assert!(matches!(stages(&d)[..], [Stage::Team { exists: true, .. }, Stage::Everyone]));
    assert_eq!(
        skipped(&d, 0),
        [(1, Skip::NotInTeam), (2, Skip::Unavailable), (3, Skip::AtCapacity), (4, Skip::NotInTeam)]
    );

    let d = ask(Routing::Team("Nobody".into())).decide(&dir);
    assert!(matches!(stages(&d)[..], [Stage::Team { exists: false, .. }, Stage::Everyone]));
    assert_eq!(offered(&d), Some((1, "all".into())));
    let d = ask(Routing::Team("Empty".into())).decide(&dir);
    assert!(matches!(stages(&d)[..], [Stage::Team { exists: true, .. }, Stage::Everyone]));
}

#[test]
fn declined_and_timed_out_agents_are_passed_over_for_one_more_member_then_everyone() {
    let dir = directory();
    let team = || ask(Routing::Team("Sales".into()));
    let d = team().tried(2, Skip::TimedOut).decide(&dir);
    assert_eq!(offered(&d), Some((3, "team:sales".into())));
    let d = team().tried(2, Skip::TimedOut).tried(3, Skip::Declined).last("all", 1).decide(&dir);
    assert_eq!(offered(&d), Some((4, "all".into())));
    assert_eq!(
        skipped(&d, 0),
        [(1, Skip::NotInTeam), (2, Skip::TimedOut), (3, Skip::Declined), (4, Skip::NotInTeam)]
    );
    let mut all = ask(Routing::RoundRobin);
    for id in 1..=4 {
        all = all.tried(id, Skip::Declined);
    }
    assert_eq!(all.decide(&dir).outcome, Outcome::Fallback, "nobody accepts: the fallback");
}

#[test]
fn a_transfer_to_an_agent_goes_to_them_then_everyone_but_the_transferring_agent_then_back_to_them() {
    let mut dir = directory();
    let to_cy = TransferTarget::Agent { email: "cy@example.com".into() };
    // The card's option and the account route no longer count: the transfer does.
    let mut dir_with_route = directory();
    dir_with_route.account_routes.insert("bigcorp.com".into(), "ada@example.com".into());
    let d = ask(Routing::Team("Sales".into())).email("jo@bigcorp.com").transferred(1, to_cy.clone());
    let d = d.decide(&dir_with_route);
    assert_eq!(offered(&d), Some((3, "agent:cy@example.com".into())));
    assert_eq!(stages(&d), [&Stage::Transfer { by: "ada@example.com".into(), to: to_cy.clone() }]);

    // Cy declined: everyone else, but never Ada, who transferred it.
    let d = ask(Routing::RoundRobin).transferred(1, to_cy.clone()).tried(3, Skip::Declined).decide(&dir);
    assert_eq!(offered(&d), Some((2, "all".into())));
    assert_eq!(skipped(&d, 1), [(1, Skip::Transferred), (3, Skip::Declined)]);
    set(&mut dir, 2, |a| a.available = false);
    set(&mut dir, 4, |a| a.available = false);
    let d = ask(Routing::RoundRobin).transferred(1, to_cy.clone()).tried(3, Skip::TimedOut).decide(&dir);
    assert_eq!(offered(&d), Some((1, "agent:ada@example.com".into())), "only Ada is left: back to her");
    assert_eq!(stages(&d)[2], &Stage::Back { agent: "ada@example.com".into() });
    assert!(skipped(&d, 2).is_empty());

    // Ada declines it back too, or cannot take it any more: the fallback.
    let back = ask(Routing::RoundRobin).transferred(1, to_cy.clone()).tried(3, Skip::TimedOut);
    let d = back.clone().tried(1, Skip::Declined).decide(&dir);
    assert_eq!(d.outcome, Outcome::Fallback);
    assert_eq!(skipped(&d, 2), [(1, Skip::Declined)]);
    set(&mut dir, 1, |a| a.available = false);
    let d = back.decide(&dir);
    assert_eq!(d.outcome, Outcome::Fallback);
    assert_eq!(skipped(&d, 2), [(1, Skip::Unavailable)]);
}

#[test]
fn a_transfer_to_a_team_rotates_inside_it_without_the_transferring_agent() {
    let dir = directory();
    let sales = TransferTarget::Team { name: "Sales".into() };
    let d = ask(Routing::RoundRobin).transferred(2, sales.clone()).decide(&dir);
    assert_eq!(offered(&d), Some((3, "team:sales".into())), "Bob transferred it: Cy, never Bob");
    assert_eq!(skipped(&d, 0), [(1, Skip::NotInTeam), (2, Skip::Transferred), (4, Skip::NotInTeam)]);
    let d =
        ask(Routing::RoundRobin).transferred(2, sales).tried(3, Skip::Declined).last("all", 1).decide(&dir);
    assert_eq!(offered(&d), Some((4, "all".into())));
    let text = crate::explain::explain([("now", &d)]);
    assert!(text.contains("transferred by bob@example.com to team Sales"), "{text}");
    assert!(text.contains("transferred it away"), "{text}");
}

fn rule(name: &str, priority: i32, field: &str, op: Op, values: &[&str], to: Target) -> RoutingRule {
    RoutingRule {
        name: name.into(),
        description: String::new(),
        priority,
        combine: Combine::All,
        conditions: vec![Condition {
            field: field.into(),
            op,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        }],
        route_to: to,
    }
}

#[test]
fn the_first_matching_rule_by_priority_wins() {
    let mut dir = directory();
    dir.rules = Rules::new(vec![
        rule(
            "Big deals",
            20,
            "custom:seats",
            Op::GreaterThan,
            &["100"],
            Target::Agents(vec!["dee@example.com".into()]),
        ),
        rule("Dutch", 10, "language", Op::StartsWith, &["nl"], Target::Team("Sales".into())),
        rule(
            "Everyone dutch",
            5,
            "language",
            Op::StartsWith,
            &["nl"],
            Target::Agents(vec!["ada@example.com".into()]),
        ),
    ]);
    let mut a = ask(Routing::Rules);
    a.page.language = "nl-BE".into();
    let d = a.decide(&dir);
    assert_eq!(offered(&d), Some((2, "team:sales".into())));
    assert!(matches!(&stages(&d)[..], [Stage::Rule { rule, .. }] if rule == "Dutch"));

    a.attributes.insert("custom:seats".into(), "250".into());
    let d = a.decide(&dir);
    assert_eq!(offered(&d), Some((4, "rule:big deals".into())));

    // The matched agents cannot: round robin over everyone.
    set(&mut dir, 4, |x| x.available = false);
    let d = a.decide(&dir);
    assert!(matches!(&stages(&d)[..], [Stage::Rule { rule, .. }, Stage::Everyone] if rule == "Big deals"));
    assert_eq!(offered(&d), Some((1, "all".into())));
    assert_eq!(
        skipped(&d, 0),
        [(1, Skip::NotInTeam), (2, Skip::NotInTeam), (3, Skip::NotInTeam), (4, Skip::Unavailable)]
    );
}

#[test]
fn with_no_matching_rule_it_goes_round_robin_then_fallback() {
    let mut dir = directory();
    dir.rules =
        Rules::new(vec![rule("Dutch", 10, "language", Op::Is, &["nl"], Target::Team("Sales".into()))]);
    let d = ask(Routing::Rules).last("all", 3).decide(&dir);
    assert_eq!(stages(&d), [&Stage::NoRuleMatched, &Stage::Everyone]);
    assert_eq!(offered(&d), Some((4, "all".into())));
    for id in 1..=4 {
        set(&mut dir, id, |a| a.available = false);
    }
    assert_eq!(ask(Routing::Rules).decide(&dir).outcome, Outcome::Fallback);
}

#[test]
fn a_rule_naming_unknown_agents_says_so() {
    let mut dir = directory();
    dir.rules = Rules::new(vec![rule(
        "Gone",
        1,
        "language",
        Op::IsEmpty,
        &[],
        Target::Agents(vec!["left@example.com".into(), "cy@example.com".into()]),
    )]);
    let d = ask(Routing::Rules).decide(&dir);
    assert_eq!(offered(&d), Some((3, "rule:gone".into())));
    assert_eq!(d.steps[0].unknown, ["left@example.com"]);
}

#[test]
fn account_routes_come_before_the_cards_option() {
    let mut dir = directory();
    dir.account_routes.insert("bigcorp.com".into(), "dee@example.com".into());
    let d = ask(Routing::Team("Sales".into())).email("ada@BigCorp.com").decide(&dir);
    assert_eq!(offered(&d), Some((4, "account:bigcorp.com".into())));
    assert!(matches!(&stages(&d)[..], [Stage::AccountRoute { domain, .. }] if domain == "bigcorp.com"));
    // Not for other domains.
    assert_eq!(
        offered(&ask(Routing::Team("Sales".into())).email("x@small.io").decide(&dir)),
        Some((2, "team:sales".into()))
    );
    // The account's agent cannot: the card's option decides.
    set(&mut dir, 4, |a| a.open_chats = 10);
    let d = ask(Routing::Team("Sales".into())).email("ada@bigcorp.com").decide(&dir);
    assert_eq!(offered(&d), Some((2, "team:sales".into())));
    assert_eq!(skipped(&d, 0), [(4, Skip::AtCapacity)]);
}

#[test]
fn explanations_name_the_agents() {
    let mut dir = directory();
    set(&mut dir, 1, |a| a.available = false);
    let mut d = ask(Routing::RoundRobin).decide(&dir);
    d.name_agents(&dir);
    assert_eq!(d.steps[0].skipped[0].email, "ada@example.com");
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["steps"][0]["stage"], "everyone");
    assert_eq!(json["steps"][0]["skipped"][0]["reason"], "unavailable");
    assert_eq!(json["outcome"]["to"], "offer");
    let back: Decision = serde_json::from_value(json).unwrap();
    assert_eq!(back, d);
}

proptest! {
    /// With K always-available agents and N chats, every agent gets N/K
    /// rounded down or up, whatever the ids and the stored starting position.
    #[test]
    fn round_robin_is_fair(
        ids in proptest::collection::btree_set(1i64..500, 1..12),
        n in 0usize..200,
        start in proptest::option::of(0i64..520),
        team in any::<bool>(),
    ) {
        let mut dir = Directory {
            agents: ids.iter().map(|&id| agent(id, &format!("a{id}"))).collect(),
            ..Directory::default()
        };
        dir.teams.insert("t".into(), ids.iter().copied().collect());
        let routing = if team { Routing::Team("T".into()) } else { Routing::RoundRobin };
        let mut a = ask(routing);
        if let Some(s) = start {
            a.rotation.insert(if team { Pool::team("t") } else { Pool::All }, s);
        }
        let mut counts: HashMap<i64, usize> = HashMap::new();
        for _ in 0..n {
            let d = a.decide(&dir);
            let Outcome::Offer { agent, pool, .. } = d.outcome else { panic!("fell back") };
            *counts.entry(agent).or_default() += 1;
            a.rotation.insert(pool, agent);
        }
        let k = ids.len();
        for id in &ids {
            let c = counts.get(id).copied().unwrap_or(0);
            prop_assert!(c == n / k || c == n.div_ceil(k), "agent {id} got {c} of {n} over {k}");
        }
    }
}
