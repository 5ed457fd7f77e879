//! One routing decision with 1,000 agents and 200 custom rules (the routing
//! issue's benchmark; `cargo xtask bench` runs it). The matching rule is the
//! last by priority, so every rule is evaluated, and it routes to a team of 50.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use criterion::{criterion_group, criterion_main, Criterion};
use std::collections::HashMap;
use std::hint::black_box;
use switchboard_protocol::attribute::Attributes;
use switchboard_protocol::rules::{Combine, Condition, Op, RoutingRule, Target};
use switchboard_protocol::stream::Routing;
use switchboard_protocol::wire::PageContext;
use switchboard_routing::conditions::{Rules, Visitor};
use switchboard_routing::decide::{decide, Agent, Directory, Pool, Request};

fn directory() -> Directory {
    let agents = (1..=1000)
        .map(|id| Agent {
            id,
            email: format!("agent{id}@example.com"),
            live_chat: id % 50 != 0,
            available: id % 3 != 0,
            open_chats: (id % 12) as u32,
            capacity: if id % 7 == 0 { 3 } else { 10 },
        })
        .collect();
    let mut teams = HashMap::new();
    for t in 0..20 {
        teams.insert(format!("team{t}"), (1..=1000).filter(|id| id % 20 == t).collect());
    }
    let rules: Vec<RoutingRule> = (0..200)
        .map(|i| RoutingRule {
            name: format!("rule{i}"),
            description: String::new(),
            priority: 1000 - i,
            combine: if i % 2 == 0 { Combine::All } else { Combine::Any },
            conditions: vec![
                Condition {
                    field: "email_domain".into(),
                    op: Op::Is,
                    values: vec![format!("customer{i}.com")],
                },
                Condition {
                    field: "page_url".into(),
                    op: Op::Matches,
                    values: vec![format!("*/campaign-{i}/*")],
                },
                Condition {
                    field: "custom:plan".into(),
                    op: Op::Contains,
                    values: vec![format!("tier-{i}")],
                },
            ],
            route_to: Target::Team(format!("team{}", i % 20)),
        })
        .chain(std::iter::once(RoutingRule {
            name: "catch-all".into(),
            description: String::new(),
            priority: -1,
            combine: Combine::All,
            conditions: vec![Condition {
                field: "language".into(),
                op: Op::StartsWith,
                values: vec!["en".into()],
            }],
            route_to: Target::Team("team7".into()),
        }))
        .collect();
    let account_routes =
        (0..100).map(|i| (format!("account{i}.com"), format!("agent{i}@example.com"))).collect();
    Directory { agents, teams, rules: Rules::new(rules), account_routes }
}

fn bench(c: &mut Criterion) {
    let dir = directory();
    let attributes: Attributes = [
        ("email".to_owned(), "visitor@example.org".to_owned()),
        ("custom:plan".to_owned(), "starter".to_owned()),
    ]
    .into();
    let page = PageContext {
        url: "https://shop.example.com/pricing?ref=x".into(),
        language: "en-GB".into(),
        ..PageContext::default()
    };
    let rotation: HashMap<Pool, i64> = [(Pool::team("team7"), 507)].into();
    let routing = Routing::Rules;
    let request = Request {
        routing: &routing,
        visitor: Visitor { attributes: &attributes, page: &page },
        tried: &[],
        rotation: &rotation,
        transfer: None,
    };
    let d = decide(&dir, request);
    assert!(matches!(d.outcome, switchboard_routing::decide::Outcome::Offer { .. }), "{d:?}");
    c.bench_function("routing decision, 1000 agents, 200 rules", |b| {
        b.iter(|| decide(black_box(&dir), black_box(request)))
    });
    let team = Routing::Team("team7".into());
    let team = Request { routing: &team, ..request };
    c.bench_function("team of 50, 1000 agents (no rules)", |b| {
        b.iter(|| decide(black_box(&dir), black_box(team)))
    });
    let round_robin = Request { routing: &Routing::RoundRobin, ..request };
    c.bench_function("round robin, 1000 agents (no rules)", |b| {
        b.iter(|| decide(black_box(&dir), black_box(round_robin)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
