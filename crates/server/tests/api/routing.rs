//! Routing through real sockets: each option, account routes, the accept
//! timeout and declines, capacity, availability and the disconnect grace
//! period, the rotation across a restart, and `explain`.

use serde_json::{json, Value};
use std::time::Duration;
use switchboard_protocol::admin::{AgentChange, NewAccountRoute};
use switchboard_protocol::stream::Routing;
use switchboard_protocol::wire::{
    AgentIn, AgentOut, Author, ConversationState, ErrorCode, PageContext, VisitorIn, VisitorOut,
};
use switchboard_server::admin;

use crate::helpers::{spawn_app, spawn_app_with, team, TestApp, ALLOWED};
use crate::ws_client::{connect, AgentClient, VisitorClient};
use switchboard_server::ids::{AgentId, ConversationId};

/// A visitor hands off with this routing option, attributes and browser language.
async fn hand_off(app: &TestApp, routing: Routing, attrs: &[(&str, &str)], language: &str) -> VisitorClient {
    let mut v = connect(&app.url, "demo", ALLOWED).await.unwrap();
    v.hello(None, 0).await;
    let (stream, version, card) = app.live_chat(routing).await;
    v.send(&VisitorIn::Handoff {
        stream,
        version,
        card,
        attributes: attrs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        transcript: vec![],
        page: PageContext {
            url: "https://shop.example.com/".into(),
            language: language.into(),
            ..Default::default()
        },
    })
    .await;
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Waiting });
    v
}

/// The next offer: (conversation, seconds to accept).
async fn offer(a: &mut AgentClient) -> (i64, u64) {
    match a.recv().await {
        AgentOut::Offer { conversation, expires_in_secs, .. } => (conversation, expires_in_secs),
        other => panic!("expected an offer, got {other:?}"),
    }
}

/// The visitor is told nobody can take the chat.
async fn fell_back(v: &mut VisitorClient) {
    assert!(matches!(v.recv().await, VisitorOut::Message(m) if m.author == Author::System));
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Fallback });
}

async fn skipped_id(app: &TestApp, email: &str) -> i64 {
    app.state.store.agent_by_email(email).await.unwrap().unwrap().profile.id
}

async fn explain(app: &TestApp, conversation: i64) -> Value {
    let admin = app.session("admin@example.com").await;
    let r = app
        .http
        .get(format!("{}/api/admin/conversations/{conversation}/explain", app.url))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn every_routing_option_reaches_the_right_agent() {
    let app = spawn_app().await;
    let store = &app.state.store;
    admin::add_team(store, &team("Sales", &["grace@example.com"])).await.unwrap();
    let rule = serde_json::from_value(json!({
        "name": "Dutch", "priority": 5,
        "conditions": [{"field": "language", "op": "starts_with", "values": ["nl"]}],
        "route_to": {"agents": ["grace@example.com"]}
    }))
    .unwrap();
    admin::save_rule(store, "demo", &rule).await.unwrap();
    let route = NewAccountRoute { domain: "BigCorp.com".into(), agent: "ada@example.com".into() };
    admin::save_account_route(store, "demo", &route).await.unwrap();
    let mut ada = app.agent("ada@example.com").await;
    let mut grace = app.agent("grace@example.com").await;

    // A team: Grace is its only member.
    let _v = hand_off(&app, Routing::Team("sales".into()), &[], "en").await;
    let (c, secs) = offer(&mut grace).await;
    assert_eq!(secs, 100, "the default accept timeout");
    ada.silent_for(150).await;
    let e = explain(&app, c).await;
    assert_eq!(e["decisions"][0]["steps"][0]["stage"], "team");
    assert_eq!(e["decisions"][0]["steps"][0]["skipped"][0]["email"], "ada@example.com");
    assert_eq!(e["decisions"][0]["steps"][0]["skipped"][0]["reason"], "not_in_team");

    // A named agent.
    let _v = hand_off(&app, Routing::Agent("ada@example.com".into()), &[], "en").await;
    offer(&mut ada).await;
    grace.silent_for(150).await;

    // Custom rules: a Dutch visitor matches the rule for Grace…
    let _v = hand_off(&app, Routing::Rules, &[], "nl-NL").await;
    let (c, _) = offer(&mut grace).await;
    assert!(explain(&app, c).await["text"].as_str().unwrap().contains("rule \"Dutch\" matched"));
    // …anyone else goes round robin over everyone.
    let _v = hand_off(&app, Routing::Rules, &[], "en-GB").await;
    tokio::select! {
        _ = offer(&mut ada) => {}
        _ = offer(&mut grace) => {}
    }

    // An account route comes before the card's option.
    let _v = hand_off(&app, Routing::Team("Sales".into()), &[("email", "jo@bigcorp.com")], "en").await;
    let (c, _) = offer(&mut ada).await;
    let e = explain(&app, c).await;
    assert_eq!(e["decisions"][0]["steps"][0]["stage"], "account_route");
    assert_eq!(e["decisions"][0]["outcome"]["email"], "ada@example.com");
    grace.silent_for(150).await;
}

#[tokio::test]
async fn an_accept_timeout_due_while_the_server_was_stopped_fires_once_after_a_start() {
    let app = spawn_app_with(|s| {
        s.routing.accept_timeout_secs = 1;
        s.routing.disconnect_grace_secs = 1;
    })
    .await;
    let mut ada = app.agent("ada@example.com").await;
    let _v = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    let (c, _) = offer(&mut ada).await;
    drop(ada);
    // Ada's second to accept runs out while the server is stopped.
    let app = app.restart_after(Duration::from_millis(1500)).await;
    let mut grace = app.agent("grace@example.com").await;
    assert_eq!(offer(&mut grace).await.0, c, "the offer moved on after the start");
    // (Within Grace's own second to accept.)
    grace.silent_for(300).await;
    let e = explain(&app, c).await;
    let decisions = e["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 2, "offered to Ada, then once to Grace: {decisions:?}");
    let skipped = &decisions[1]["steps"][0]["skipped"];
    assert!(
        skipped
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["email"] == "ada@example.com" && s["reason"] == "timed_out"),
        "{skipped}"
    );
}

#[tokio::test]
async fn an_offer_not_accepted_in_time_goes_to_the_next_agent_then_to_the_fallback() {
    let app = spawn_app_with(|s| s.routing.accept_timeout_secs = 1).await;
    let mut ada = app.agent("ada@example.com").await;
    let mut grace = app.agent("grace@example.com").await;
    let mut v = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Offered });
    let (c, secs) = offer(&mut ada).await;
    assert_eq!(secs, 1);
    grace.silent_for(500).await;
    // A second later Ada's offer is taken back and Grace gets it.
    assert_eq!(ada.recv().await, AgentOut::Withdrawn { conversation: c });
    assert_eq!(offer(&mut grace).await.0, c);
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Offered });
    // Too late now.
    ada.send(&AgentIn::Accept { conversation: c }).await;
    assert!(matches!(ada.recv().await, AgentOut::Error { code: ErrorCode::NotYours, .. }));
    // Nobody accepts: the fallback.
    assert_eq!(grace.recv().await, AgentOut::Withdrawn { conversation: c });
    fell_back(&mut v).await;

    let e = explain(&app, c).await;
    let decisions = e["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 3);
    let last = &decisions[2]["steps"][0]["skipped"];
    let reasons: Vec<_> =
        last.as_array().unwrap().iter().map(|s| (s["email"].clone(), s["reason"].clone())).collect();
    assert!(reasons.contains(&(json!("ada@example.com"), json!("timed_out"))), "{reasons:?}");
    assert!(reasons.contains(&(json!("grace@example.com"), json!("timed_out"))), "{reasons:?}");
    assert_eq!(decisions[2]["outcome"]["to"], "fallback");

    // The command line says the same in words.
    let out = app.cli().args(["conversation", "explain", &c.to_string()]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("→ offered to ada@example.com"), "{text}");
    assert!(text.contains("skipped ada@example.com: timed out"), "{text}");
    assert!(text.contains("→ nobody could take it: the fallback message"), "{text}");
    let missing = app.cli().args(["conversation", "explain", "999"]).output().unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no conversation 999"));
}

#[tokio::test]
async fn a_declined_offer_moves_on_at_once() {
    let app = spawn_app().await;
    let mut ada = app.agent("ada@example.com").await;
    let mut grace = app.agent("grace@example.com").await;
    let _v = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    let (c, _) = offer(&mut ada).await;
    ada.send(&AgentIn::Decline { conversation: c }).await;
    assert_eq!(ada.recv().await, AgentOut::Withdrawn { conversation: c });
    assert_eq!(offer(&mut grace).await.0, c);
    // Declining what is not yours is refused.
    ada.send(&AgentIn::Decline { conversation: c }).await;
    assert!(matches!(ada.recv().await, AgentOut::Error { code: ErrorCode::NotYours, .. }));
    grace.accept(c).await;
    grace.silent_for(100).await;
    assert_eq!(
        app.state.store.conversation(ConversationId::new(c)).await.unwrap().unwrap().state,
        ConversationState::Active
    );
    let e = explain(&app, c).await;
    let skipped = e["decisions"][1]["steps"][0]["skipped"].as_array().unwrap().clone();
    assert!(skipped.contains(&json!({"agent": skipped_id(&app, "ada@example.com").await, "email": "ada@example.com", "reason": "declined"})), "{skipped:?}");
}

#[tokio::test]
async fn an_agent_at_capacity_gets_no_more_chats() {
    let app = spawn_app_with(|s| s.routing.capacity = 1).await;
    let mut ada = app.agent("ada@example.com").await;
    let mut grace = app.agent("grace@example.com").await;
    let _v1 = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    let (c1, _) = offer(&mut ada).await;
    ada.accept(c1).await;
    let _v2 = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    offer(&mut grace).await;
    // Both are full (an offer counts): the third visitor gets the fallback.
    let mut v3 = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    fell_back(&mut v3).await;
    let c3 = app.state.store.conversation(ConversationId::new(c1 + 2)).await.unwrap().unwrap();
    assert_eq!(c3.state, ConversationState::Fallback);
    let e = explain(&app, c3.id.get()).await;
    let skipped = e["decisions"][0]["steps"][0]["skipped"].to_string();
    assert!(skipped.contains("at_capacity"), "{skipped}");
}

#[tokio::test]
async fn an_agent_with_capacity_one_is_not_offered_a_second_chat_while_one_with_the_default_is() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let one = AgentChange { capacity: Some(1), ..Default::default() };
    admin.update_agent("ada@example.com", &one).await.unwrap();
    let mut ada = app.agent("ada@example.com").await;
    let mut grace = app.agent("grace@example.com").await;
    let _v1 = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    let (c1, _) = offer(&mut ada).await;
    ada.accept(c1).await;
    let _v2 = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    offer(&mut grace).await;
    // Ada's turn, but she has her one chat; Grace, on the server's ten, gets it.
    let _v3 = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    let (c3, _) = offer(&mut grace).await;
    ada.silent_for(150).await;
    let skipped = explain(&app, c3).await["decisions"][0]["steps"][0]["skipped"].to_string();
    assert!(skipped.contains("at_capacity") && skipped.contains("ada@example.com"), "{skipped}");
    // The admin's list shows each one's capacity and open chats.
    let list = admin.agents().await.unwrap();
    let status = |email: &str| list.iter().find(|a| a.profile.email == email).unwrap().status;
    assert_eq!((status("ada@example.com").capacity, status("ada@example.com").open_chats), (1, 1));
    assert_eq!((status("grace@example.com").capacity, status("grace@example.com").open_chats), (10, 2));
}

#[tokio::test]
async fn the_rotation_survives_a_restart() {
    let app = spawn_app().await;
    let mut ada = app.agent("ada@example.com").await;
    let _grace = app.agent("grace@example.com").await;
    let _v = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    offer(&mut ada).await;
    drop(ada);
    let app = app.restart().await;
    let mut ada = app.agent("ada@example.com").await;
    // Ada's offer from before the restart is still hers, with its time left.
    let (c1, secs) = offer(&mut ada).await;
    assert!((99..=100).contains(&secs), "{secs}");
    let mut grace = app.agent("grace@example.com").await;
    let _v = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    // Ada had the last one before the restart: Grace is next.
    assert_eq!(offer(&mut grace).await.0, c1 + 1);
    ada.silent_for(100).await;
}

#[tokio::test]
async fn availability_is_stored_and_a_dropped_agent_stays_routable_for_the_grace_period() {
    let app = spawn_app_with(|s| s.routing.disconnect_grace_secs = 1).await;
    let mut ada = app.agent("ada@example.com").await;
    ada.send(&AgentIn::Availability { available: false }).await;
    assert_eq!(ada.recv().await, AgentOut::Availability { available: false, missed_offers: None });
    drop(ada);
    // It is remembered on the next connection.
    let token = app.session("ada@example.com").await;
    let mut ada = crate::ws_client::connect_agent(&app.url, Some(&token), Some(&app.url)).await.unwrap();
    ada.send(&AgentIn::Hello { protocol: 1 }).await;
    assert!(matches!(ada.recv().await, AgentOut::Welcome { available: false, .. }));

    // Grace's inbox drops; within the grace period she still gets the chat…
    let grace = app.agent("grace@example.com").await;
    grace.close().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut v1 = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    assert_eq!(v1.recv().await, VisitorOut::State { state: ConversationState::Offered });
    // …and finds it waiting when she is back.
    let mut grace = app.agent("grace@example.com").await;
    let (c, secs) = offer(&mut grace).await;
    assert!((99..=100).contains(&secs), "{secs}");
    grace.accept(c).await;
    assert!(matches!(v1.recv().await, VisitorOut::Agent(_)));
    assert_eq!(v1.recv().await, VisitorOut::State { state: ConversationState::Active });
    // Switching off does not end the chat she has.
    grace.send(&AgentIn::Availability { available: false }).await;
    assert_eq!(grace.recv().await, AgentOut::Availability { available: false, missed_offers: None });
    v1.send(&VisitorIn::Message { client_id: "m1".into(), text: "still there?".into() }).await;
    assert!(matches!(grace.recv().await, AgentOut::Message { .. }));

    // After the grace period a dropped agent is out of routing.
    grace.send(&AgentIn::Availability { available: true }).await;
    assert_eq!(grace.recv().await, AgentOut::Availability { available: true, missed_offers: None });
    grace.close().await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let mut v2 = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    fell_back(&mut v2).await;
}

#[tokio::test]
async fn an_agent_without_the_live_chat_permission_is_never_offered_a_chat() {
    // Her inbox socket closes as the permission goes (and opens no more).
    let app = spawn_app().await;
    let mut ada = app.agent("ada@example.com").await;
    let admin = app.session("admin@example.com").await;
    let r = app
        .http
        .patch(format!("{}/api/admin/agents/ada@example.com", app.url))
        .bearer_auth(&admin)
        .json(&json!({ "live_chat": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(ada.close_code_within(2).await, Some(4003));
    let mut v = hand_off(&app, Routing::Agent("ada@example.com".into()), &[], "en").await;
    fell_back(&mut v).await;
    let site = app.demo_site().await;
    let conv = app.state.store.conversations_in(ConversationState::Fallback, None).await.unwrap();
    assert_eq!(conv.len(), 1);
    assert_eq!(conv[0].0.site_id, site.id);
    let e = explain(&app, conv[0].0.id.get()).await;
    assert_eq!(e["decisions"][0]["steps"][0]["skipped"][0]["reason"], "no_permission");
}

#[tokio::test]
async fn account_routes_and_schedules_are_validated_on_save() {
    let app = spawn_app().await;
    let admin = app.session("admin@example.com").await;
    let api = |path: &str| format!("{}/api/admin{path}", app.url);
    let post =
        |body: Value| app.http.post(api("/sites/demo/account-routes")).bearer_auth(&admin).json(&body).send();
    let r = post(json!({"domain": "bigcorp", "agent": "ada@example.com"})).await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("not an email domain"));
    let r = post(json!({"domain": "bigcorp.com", "agent": "nobody@example.com"})).await.unwrap();
    assert_eq!(r.status(), 404);
    let r = post(json!({"domain": "@BigCorp.com", "agent": "ada@example.com"})).await.unwrap();
    assert_eq!(r.status(), 200);
    let list: Value = app
        .http
        .get(api("/sites/demo/account-routes"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!([{"domain": "bigcorp.com", "agent": "ada@example.com"}]));
    let r = app
        .http
        .delete(api("/sites/demo/account-routes/bigcorp.com"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);

    let put = |body: Value| {
        app.http.put(api("/agents/ada@example.com/schedule")).bearer_auth(&admin).json(&body).send()
    };
    let r = put(json!({"time_zone": "Mars/Olympus", "blocks": []})).await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("unknown time zone"));
    let r = put(json!({"time_zone": "UTC", "blocks": [{"days": ["mon"], "from": "17:00", "to": "09:00"}]}))
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // A schedule with no blocks at all: never available by schedule.
    let r = put(json!({"time_zone": "Europe/Amsterdam", "blocks": []})).await.unwrap();
    assert_eq!(r.status(), 204);
    let mut ada = app.agent("ada@example.com").await;
    let mut v = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    fell_back(&mut v).await;
    // A manual switch overrides it (until midnight in Amsterdam).
    ada.send(&AgentIn::Availability { available: true }).await;
    assert_eq!(ada.recv().await, AgentOut::Availability { available: true, missed_offers: None });
    let _v = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    offer(&mut ada).await;
    // Agents cannot manage routing.
    let ada_token = app.session("ada@example.com").await;
    let r = app.http.get(api("/sites/demo/account-routes")).bearer_auth(&ada_token).send().await.unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn when_the_visitor_leaves_before_anyone_accepts_the_offer_is_withdrawn() {
    let app = spawn_app().await;
    let mut ada = app.agent("ada@example.com").await;
    let mut v = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    let (c, _) = offer(&mut ada).await;
    v.send(&VisitorIn::End).await;
    assert_eq!(ada.recv().await, AgentOut::Withdrawn { conversation: c });
    ada.send(&AgentIn::Accept { conversation: c }).await;
    assert!(matches!(ada.recv().await, AgentOut::Error { code: ErrorCode::NotYours, .. }));
}

#[tokio::test]
async fn right_after_a_restart_chats_wait_for_agents_to_reconnect_instead_of_falling_back() {
    let app = spawn_app_with(|s| s.routing.disconnect_grace_secs = 2).await;
    let app = app.restart().await;
    // Nobody is connected yet: within the grace period after the start the
    // chat waits…
    let mut v = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    v.silent_for(300).await;
    // …Ada's inbox reconnects, and at the end of the grace period she gets it.
    let mut ada = app.agent("ada@example.com").await;
    offer(&mut ada).await;
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Offered });
}

#[tokio::test]
async fn an_offer_shows_in_every_inbox_tab_and_accepting_in_one_updates_the_others() {
    let app = spawn_app().await;
    let mut tab1 = app.agent("ada@example.com").await;
    let mut tab2 = app.agent("ada@example.com").await;
    let _v = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    let (c, _) = offer(&mut tab1).await;
    assert_eq!(offer(&mut tab2).await.0, c);
    tab1.accept(c).await;
    assert_eq!(tab2.recv().await, AgentOut::State { conversation: c, state: ConversationState::Active });
}

#[tokio::test]
async fn a_connected_agent_is_told_when_their_schedule_takes_over_again() {
    use switchboard_server::routing::availability::{Schedule, Settings};
    let app = spawn_app().await;
    let ada = app.state.store.agent_by_email("ada@example.com").await.unwrap().unwrap().profile.id;
    let token = app.session("ada@example.com").await;
    let mut a = crate::ws_client::connect_agent(&app.url, Some(&token), Some(&app.url)).await.unwrap();
    // Switched on by hand until two seconds from now (set after the slow
    // login, so a busy machine still says hello in time); the schedule (no
    // blocks at all) says off.
    let until = app.state.clock.now_ms() + 2_000;
    let settings = Settings {
        available: true,
        until: Some(until),
        schedule: Some(Schedule { time_zone: "UTC".into(), blocks: vec![] }),
    };
    app.state.store.set_availability(AgentId::new(ada), &settings, None).await.unwrap();
    a.send(&AgentIn::Hello { protocol: 1 }).await;
    assert!(matches!(a.recv().await, AgentOut::Welcome { available: true, .. }));
    // When the manual switch runs out, the inbox hears it without asking.
    assert_eq!(a.recv().await, AgentOut::Availability { available: false, missed_offers: None });
}

#[tokio::test]
async fn removing_an_agent_moves_their_offers_on_and_ends_their_chats() {
    let app = spawn_app().await;
    let mut ada = app.agent("ada@example.com").await;
    let mut grace = app.agent("grace@example.com").await;
    let mut v1 = hand_off(&app, Routing::Agent("ada@example.com".into()), &[], "en").await;
    let (c1, _) = offer(&mut ada).await;
    ada.accept(c1).await;
    let _v2 = hand_off(&app, Routing::RoundRobin, &[], "en").await;
    let (c2, _) = offer(&mut ada).await;
    let admin = app.session("admin@example.com").await;
    let r = app
        .http
        .delete(format!("{}/api/admin/agents/ada@example.com", app.url))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    // The open offer goes to Grace; the active chat ends and its visitor is told.
    assert_eq!(offer(&mut grace).await.0, c2);
    loop {
        match v1.recv().await {
            VisitorOut::Message(m) if m.author == Author::System => {
                assert!(m.text.contains("left"), "{}", m.text);
            }
            VisitorOut::State { state: ConversationState::Ended } => break,
            _ => {}
        }
    }
}

/// `ada`'s offer of the next hand-off times out: answers its conversation.
async fn times_out(app: &TestApp, ada: &mut AgentClient) -> (VisitorClient, i64) {
    let mut v = hand_off(app, Routing::Agent("ada@example.com".into()), &[], "en").await;
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Offered });
    let (c, _) = offer(ada).await;
    assert_eq!(ada.recv().await, AgentOut::Withdrawn { conversation: c });
    (v, c)
}

/// Presence follows the person, not the open tab: an agent who lets two
/// offers in a row time out is switched to unavailable, told why (also
/// after a reload), shown so to admins, and offered nothing more until
/// they are back. An accepted offer starts the count again.
#[tokio::test]
async fn an_agent_who_lets_two_offers_in_a_row_time_out_is_switched_to_unavailable_and_told_why() {
    let app = spawn_app_with(|s| s.routing.accept_timeout_secs = 1).await;
    let mut ada = app.agent("ada@example.com").await;
    times_out(&app, &mut ada).await;
    ada.silent_for(200).await;
    times_out(&app, &mut ada).await;
    assert_eq!(ada.recv().await, AgentOut::Availability { available: false, missed_offers: Some(2) });
    // Nothing more for her: the next visitor gets the fallback at once.
    let mut v = hand_off(&app, Routing::Agent("ada@example.com".into()), &[], "en").await;
    fell_back(&mut v).await;
    ada.silent_for(200).await;
    let view = app.admin().await.agent("ada@example.com").await.unwrap();
    assert_eq!((view.status.available, view.status.missed_offers), (false, Some(2)));
    // A reload says why again.
    let token = app.session("ada@example.com").await;
    let mut reloaded = crate::ws_client::connect_agent(&app.url, Some(&token), None).await.unwrap();
    reloaded.send(&AgentIn::Hello { protocol: 1 }).await;
    assert!(matches!(
        reloaded.recv().await,
        AgentOut::Welcome { available: false, missed_offers: Some(2), .. }
    ));
    // "I'm back".
    ada.send(&AgentIn::Availability { available: true }).await;
    assert_eq!(ada.recv().await, AgentOut::Availability { available: true, missed_offers: None });
    assert_eq!(app.admin().await.agent("ada@example.com").await.unwrap().status.missed_offers, None);
    // One missed, one accepted, one missed: never two in a row.
    times_out(&app, &mut ada).await;
    let mut v = hand_off(&app, Routing::Agent("ada@example.com".into()), &[], "en").await;
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Offered });
    let (c, _) = offer(&mut ada).await;
    ada.accept(c).await;
    times_out(&app, &mut ada).await;
    ada.silent_for(300).await;
    assert!(app.admin().await.agent("ada@example.com").await.unwrap().status.available);
}

/// A site may allow more missed offers, or never switch anyone off (and
/// then its offers do not count).
#[tokio::test]
async fn a_site_sets_how_many_missed_offers_switch_an_agent_off_or_none() {
    let app = spawn_app_with(|s| s.routing.accept_timeout_secs = 1).await;
    let admin = app.admin().await;
    let never = switchboard_protocol::admin::SiteChange { away_after_missed: Some(0), ..Default::default() };
    assert_eq!(admin.update_site("demo", &never).await.unwrap().away_after_missed, 0);
    let mut ada = app.agent("ada@example.com").await;
    for _ in 0..3 {
        times_out(&app, &mut ada).await;
    }
    ada.silent_for(300).await;
    assert!(app.admin().await.agent("ada@example.com").await.unwrap().status.available, "never switched off");
    let three = switchboard_protocol::admin::SiteChange { away_after_missed: Some(3), ..Default::default() };
    assert_eq!(admin.update_site("demo", &three).await.unwrap().away_after_missed, 3);
    // A site that never switches anyone off did not count: three more.
    for _ in 0..2 {
        times_out(&app, &mut ada).await;
    }
    ada.silent_for(200).await;
    times_out(&app, &mut ada).await;
    assert_eq!(ada.recv().await, AgentOut::Availability { available: false, missed_offers: Some(3) });
    let too_many =
        switchboard_protocol::admin::SiteChange { away_after_missed: Some(11), ..Default::default() };
    let refused = admin.update_site("demo", &too_many).await.unwrap_err();
    assert_eq!(refused.status, 400);
    assert_eq!(refused.fields(), ["away_after_missed"]);
}
