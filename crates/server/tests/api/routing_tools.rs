//! The admin's routing tools over HTTP: a dry run of routing, the order of
//! the rules, renaming a rule, and the account routes as CSV.

use serde_json::json;
use switchboard_protocol::admin::{
    AccountRouteView, NewAccountRoute, OutcomeView, RoutingTry, RuleOrder, SkipReason, StageView,
    MAX_ACCOUNT_ROUTES_CSV_BYTES,
};
use switchboard_protocol::rules::RoutingRule;
use switchboard_protocol::stream::Routing;
use switchboard_protocol::wire::{AgentOut, ConversationState, PageContext, VisitorIn, VisitorOut};

use crate::admin_client::AdminClient;
use crate::helpers::{spawn_app, TestApp, ALLOWED};
use crate::ws_client::{connect, AgentClient, VisitorClient};

fn a_try(routing: Routing) -> RoutingTry {
    RoutingTry {
        routing,
        attributes: Default::default(),
        page_url: String::new(),
        referrer: String::new(),
        language: String::new(),
        utm: Default::default(),
    }
}

fn rule(name: &str, priority: i32, language: &str, agent: &str) -> RoutingRule {
    serde_json::from_value(json!({
        "name": name, "priority": priority,
        "conditions": [{"field": "language", "op": "starts_with", "values": [language]}],
        "route_to": {"agents": [agent]}
    }))
    .unwrap()
}

async fn hand_off(app: &TestApp, routing: Routing) -> VisitorClient {
    let mut v = connect(&app.url, "demo", ALLOWED).await.unwrap();
    v.hello(None, 0).await;
    let (stream, version, card) = app.live_chat(routing).await;
    let page = PageContext { url: "https://shop.example.com/".into(), ..Default::default() };
    v.send(&VisitorIn::Handoff {
        stream,
        version,
        card,
        attributes: Default::default(),
        transcript: vec![],
        page,
    })
    .await;
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Waiting });
    v
}

async fn offered(a: &mut AgentClient) -> i64 {
    match a.recv().await {
        AgentOut::Offer { conversation, .. } => conversation,
        other => panic!("expected an offer, got {other:?}"),
    }
}

async fn tried_email(admin: &AdminClient, req: &RoutingTry) -> Option<String> {
    admin.try_routing("demo", req).await.unwrap().agent.map(|a| a.email)
}

#[tokio::test]
async fn a_try_says_whom_a_visitor_would_be_offered_to_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut ada = app.agent("ada@example.com").await;
    let mut grace = app.agent("grace@example.com").await;

    let tried = admin.try_routing("demo", &a_try(Routing::RoundRobin)).await.unwrap();
    let agent = tried.agent.clone().expect("someone can take it");
    assert_eq!((agent.name.as_str(), agent.email.as_str()), ("Ada Lovelace", "ada@example.com"));
    assert!(!tried.fallback);
    assert_eq!(tried.decision.steps[0].stage, StageView::Everyone);
    let skipped = &tried.decision.steps[0].skipped;
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(
        (skipped[0].email.as_str(), skipped[0].reason),
        ("admin@example.com", SkipReason::Unavailable)
    );
    assert!(matches!(&tried.decision.outcome, OutcomeView::Offer { pool, .. } if pool == "all"));
    assert!(tried.text.contains("round robin over every agent"), "{}", tried.text);
    assert!(tried.text.contains("skipped admin@example.com: unavailable"), "{}", tried.text);
    assert!(tried.text.contains("→ offered to ada@example.com (rotation all)"), "{}", tried.text);

    // Again and again the same: nothing was offered and the rotation did not move.
    assert_eq!(tried_email(&admin, &a_try(Routing::RoundRobin)).await.as_deref(), Some("ada@example.com"));
    ada.silent_for(200).await;
    let site = app.demo_site().await;
    assert!(app.state.store.rotation(site.id).await.unwrap().is_empty(), "no rotation stored");
    for state in [ConversationState::Waiting, ConversationState::Offered, ConversationState::Fallback] {
        assert!(app.state.store.conversations_in(state, None).await.unwrap().is_empty());
    }

    // A real hand-off goes where the try said, and moves the rotation on,
    // which the next try reads.
    let _v = hand_off(&app, Routing::RoundRobin).await;
    offered(&mut ada).await;
    grace.silent_for(150).await;
    assert_eq!(tried_email(&admin, &a_try(Routing::RoundRobin)).await.as_deref(), Some("grace@example.com"));
}

#[tokio::test]
async fn a_try_follows_account_routes_rules_and_the_fallback() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    admin.save_rule("demo", &rule("Dutch", 5, "nl", "grace@example.com")).await.unwrap();
    let route = NewAccountRoute { domain: "bigcorp.com".into(), agent: "ada@example.com".into() };
    admin.save_account_route("demo", &route).await.unwrap();

    // Nobody connected: the fallback, and why.
    let nobody = admin.try_routing("demo", &a_try(Routing::Rules)).await.unwrap();
    assert!(nobody.fallback && nobody.agent.is_none());
    assert_eq!(nobody.decision.outcome, OutcomeView::Fallback);
    assert!(nobody.text.contains("no custom rule matched"), "{}", nobody.text);
    assert!(nobody.text.contains("→ nobody could take it: the fallback message"), "{}", nobody.text);

    let _ada = app.agent("ada@example.com").await;
    let _grace = app.agent("grace@example.com").await;
    let dutch = RoutingTry { language: "nl-NL".into(), ..a_try(Routing::Rules) };
    let tried = admin.try_routing("demo", &dutch).await.unwrap();
    assert_eq!(tried.agent.map(|a| a.email).as_deref(), Some("grace@example.com"));
    assert!(matches!(&tried.decision.steps[0].stage, StageView::Rule { rule, .. } if rule == "Dutch"));
    // The account route comes first, for an email at its domain.
    let mut bigcorp = RoutingTry { language: "nl-NL".into(), ..a_try(Routing::Team("Nobody".into())) };
    bigcorp.attributes.insert("email".into(), "Jo@BigCorp.com".into());
    let tried = admin.try_routing("demo", &bigcorp).await.unwrap();
    assert_eq!(tried.agent.map(|a| a.email).as_deref(), Some("ada@example.com"));
    assert!(
        matches!(&tried.decision.steps[0].stage, StageView::AccountRoute { domain, .. } if domain == "bigcorp.com")
    );
    // A rule on a UTM parameter.
    let utm: RoutingRule = serde_json::from_value(json!({
        "name": "Newsletter", "priority": 9,
        "conditions": [{"field": "utm_source", "op": "is", "values": ["newsletter"]}],
        "route_to": {"agents": ["ada@example.com"]}
    }))
    .unwrap();
    admin.save_rule("demo", &utm).await.unwrap();
    let mut from_newsletter = a_try(Routing::Rules);
    from_newsletter.utm.insert("utm_source".into(), "Newsletter".into());
    let tried = admin.try_routing("demo", &from_newsletter).await.unwrap();
    assert!(matches!(&tried.decision.steps[0].stage, StageView::Rule { rule, .. } if rule == "Newsletter"));
}

#[tokio::test]
async fn a_refused_try_names_its_bad_fields() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut bad = a_try(Routing::Agent("ada".into()));
    bad.attributes.insert("email".into(), "not an email".into());
    bad.attributes.insert("nickname".into(), "x".into());
    bad.utm.insert("source".into(), "x".into());
    let refused = admin.try_routing("demo", &bad).await.unwrap_err();
    assert_eq!(refused.status, 400);
    assert_eq!(refused.fields(), ["routing", "attributes.email", "attributes", "utm"]);
    assert_eq!(admin.try_routing("nosuchsite", &a_try(Routing::Rules)).await.unwrap_err().status, 404);
    let r = app
        .as_admin(reqwest::Method::POST, "/sites/demo/routing/try")
        .await
        .json(&json!({"routing": "rules", "page": "/"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "unknown fields are refused");
}

fn names(rules: &[RoutingRule]) -> Vec<(&str, i32)> {
    rules.iter().map(|r| (r.name.as_str(), r.priority)).collect()
}

#[tokio::test]
async fn the_rules_are_reordered_in_one_go_and_a_bad_order_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for (name, priority) in [("Dutch", 5), ("English", 3), ("German", 1)] {
        admin.save_rule("demo", &rule(name, priority, "xx", "ada@example.com")).await.unwrap();
    }
    let order = RuleOrder { names: vec!["german".into(), "Dutch".into(), " English ".into()] };
    let rules = admin.order_rules("demo", &order).await.unwrap();
    assert_eq!(names(&rules), [("German", 30), ("Dutch", 20), ("English", 10)]);
    assert_eq!(names(&admin.rules("demo").await.unwrap()), [("German", 30), ("Dutch", 20), ("English", 10)]);
    assert_eq!(admin.rule("demo", "German").await.unwrap().priority, 30, "the stored rule says so too");

    for bad in [
        vec!["German", "Dutch"],
        vec!["German", "Dutch", "English", "French"],
        vec!["German", "Dutch", "English", "dutch"],
    ] {
        let order = RuleOrder { names: bad.iter().map(|n| (*n).to_owned()).collect() };
        let refused = admin.order_rules("demo", &order).await.unwrap_err();
        assert_eq!((refused.status.as_u16(), refused.fields()), (400, vec!["names"]), "{bad:?}");
    }
    assert_eq!(names(&admin.rules("demo").await.unwrap()), [("German", 30), ("Dutch", 20), ("English", 10)]);
}

#[tokio::test]
async fn a_rule_is_edited_and_renamed_in_place_and_a_taken_name_is_refused() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    admin.save_rule("demo", &rule("Dutch", 5, "nl", "ada@example.com")).await.unwrap();
    admin.save_rule("demo", &rule("English", 3, "en", "ada@example.com")).await.unwrap();

    admin.replace_rule("demo", "dutch", &rule("Flemish", 7, "nl-BE", "grace@example.com")).await.unwrap();
    assert_eq!(names(&admin.rules("demo").await.unwrap()), [("Flemish", 7), ("English", 3)]);
    assert_eq!(admin.rule("demo", "Dutch").await.unwrap_err().status, 404);
    // Edited under its own name, too.
    admin.replace_rule("demo", "Flemish", &rule("Flemish", 8, "nl-BE", "grace@example.com")).await.unwrap();
    assert_eq!(admin.rule("demo", "Flemish").await.unwrap().priority, 8);

    let taken = admin.replace_rule("demo", "Flemish", &rule("english", 1, "x", "ada@example.com")).await;
    let taken = taken.unwrap_err();
    assert_eq!((taken.status.as_u16(), taken.fields()), (400, vec!["name"]));
    assert_eq!(
        names(&admin.rules("demo").await.unwrap()),
        [("Flemish", 8), ("English", 3)],
        "nothing changed"
    );
    let missing = admin.replace_rule("demo", "Nope", &rule("Nope", 1, "x", "ada@example.com")).await;
    assert_eq!(missing.unwrap_err().status, 404);
    let nobody = admin.replace_rule("demo", "Flemish", &rule("Flemish", 1, "x", "nobody@example.com")).await;
    assert_eq!(nobody.unwrap_err().status, 404);

    // A rule called "order" is still read and removed at its path.
    admin.save_rule("demo", &rule("order", 1, "x", "ada@example.com")).await.unwrap();
    assert_eq!(admin.rule("demo", "order").await.unwrap().name, "order");
    admin.remove_rule("demo", "order").await.unwrap();
    assert_eq!(admin.rule("demo", "order").await.unwrap_err().status, 404);
}

fn routes(list: &[AccountRouteView]) -> Vec<(&str, &str)> {
    list.iter().map(|r| (r.domain.as_str(), r.agent.as_str())).collect()
}

#[tokio::test]
async fn account_routes_go_out_and_come_back_as_csv() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for (domain, agent) in [("bigcorp.com", "ada@example.com"), ("acme.org", "grace@example.com")] {
        admin
            .save_account_route("demo", &NewAccountRoute { domain: domain.into(), agent: agent.into() })
            .await
            .unwrap();
    }
    let (content_type, csv) = admin.account_routes_csv("demo").await;
    assert_eq!(content_type, "text/csv; charset=utf-8");
    assert_eq!(csv, "domain,agent_email\nacme.org,grace@example.com\nbigcorp.com,ada@example.com\n");

    let replaced = admin
        .put_account_routes_csv(
            "demo",
            "\"@Small.io\",Grace@Example.com\r\n\r\nbigcorp.com,grace@example.com\r\n",
        )
        .await;
    let expected = [("bigcorp.com", "grace@example.com"), ("small.io", "grace@example.com")];
    assert_eq!(routes(&replaced.unwrap()), expected);
    assert_eq!(routes(&admin.account_routes("demo").await.unwrap()), expected, "acme.org is gone");
    // The routes route: an email at small.io goes to Grace first.
    let _ada = app.agent("ada@example.com").await;
    let _grace = app.agent("grace@example.com").await;
    let mut jo = a_try(Routing::Agent("ada@example.com".into()));
    jo.attributes.insert("email".into(), "jo@small.io".into());
    assert_eq!(tried_email(&admin, &jo).await.as_deref(), Some("grace@example.com"));
    // An empty upload (or just the header) removes them all.
    assert!(admin.put_account_routes_csv("demo", "domain,agent_email\n").await.unwrap().is_empty());
    assert_eq!(admin.account_routes_csv("demo").await.1, "domain,agent_email\n");
}

#[tokio::test]
async fn a_csv_with_any_bad_line_is_refused_whole_with_every_problem_by_line() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let route = NewAccountRoute { domain: "bigcorp.com".into(), agent: "ada@example.com".into() };
    admin.save_account_route("demo", &route).await.unwrap();
    let csv = "domain,agent_email\nsmall.io,grace@example.com\nnodot,ada@example.com\n\
               acme.org,nobody@example.com\nSMALL.io,ada@example.com\nx.com\n";
    let refused = admin.put_account_routes_csv("demo", csv).await.unwrap_err();
    assert_eq!(refused.status, 400);
    assert_eq!(refused.fields(), ["line 3", "line 4", "line 5", "line 6"]);
    assert!(refused.about("line 3").contains("\"nodot\" is not an email domain"), "{refused:?}");
    assert_eq!(refused.about("line 4"), "no agent has the email nobody@example.com");
    assert_eq!(refused.about("line 5"), "small.io is routed on line 2 already");
    assert_eq!(routes(&admin.account_routes("demo").await.unwrap()), [("bigcorp.com", "ada@example.com")]);

    let huge = format!("domain,agent_email\n{}", "#".repeat(MAX_ACCOUNT_ROUTES_CSV_BYTES));
    let refused =
        admin.put_account_routes_csv("demo", &huge[..=MAX_ACCOUNT_ROUTES_CSV_BYTES]).await.unwrap_err();
    assert_eq!((refused.status.as_u16(), refused.fields()), (400, vec!["csv"]));
    let r = app
        .as_admin(reqwest::Method::PUT, "/sites/demo/account-routes.csv")
        .await
        .body(vec![0xff, 0xfe, b'x'])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(routes(&admin.account_routes("demo").await.unwrap()), [("bigcorp.com", "ada@example.com")]);
}
