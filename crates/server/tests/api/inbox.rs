//! The inbox's HTTP API as the inbox reads it (the shared types): lists by
//! newest activity with a preview, a conversation's detail with when its
//! visitor was first seen, and the colleagues a chat can be transferred to.

use std::time::Duration;
use switchboard_protocol::inbox::{Colleague, Colleagues, ConversationDetail, ConversationSummary};
use switchboard_protocol::stream::Routing;
use switchboard_protocol::wire::{AgentIn, AgentOut, ConversationState, PageContext, VisitorIn, VisitorOut};
use switchboard_server::admin;

use crate::helpers::{spawn_app, spawn_app_at, team, TestApp, ALLOWED};
use crate::ws_client::{connect, AgentClient, VisitorClient};

/// A visitor who said hello `wait` ago hands off to Ada, who accepts.
async fn chat_with_ada(app: &TestApp, ada: &mut AgentClient, wait: Duration) -> (VisitorClient, i64) {
    let mut v = connect(&app.url, "demo", ALLOWED).await.unwrap();
    v.hello(None, 0).await;
    tokio::time::sleep(wait).await;
    let (stream, version, card) = app.live_chat(Routing::Agent("ada@example.com".into())).await;
    v.send(&VisitorIn::Handoff {
        stream,
        version,
        card,
        attributes: Default::default(),
        transcript: vec![],
        page: PageContext::default(),
    })
    .await;
    let c = match ada.recv().await {
        AgentOut::Offer { conversation, .. } => conversation,
        other => panic!("expected an offer, got {other:?}"),
    };
    ada.accept(c).await;
    for _ in 0..4 {
        v.recv().await; // waiting, offered, agent, active
    }
    (v, c)
}

async fn get<T: serde::de::DeserializeOwned>(app: &TestApp, token: &str, path: &str) -> T {
    let r = app.http.get(format!("{}{path}", app.url)).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

fn ids(list: &[ConversationSummary]) -> Vec<i64> {
    list.iter().map(|s| s.id).collect()
}

#[tokio::test]
async fn conversations_are_listed_by_newest_activity_with_a_preview_of_the_last_message() {
    let app = spawn_app().await;
    let mut ada = app.agent("ada@example.com").await;
    let token = app.session("ada@example.com").await;
    let (mut v1, c1) = chat_with_ada(&app, &mut ada, Duration::ZERO).await;
    let (_v2, c2) = chat_with_ada(&app, &mut ada, Duration::ZERO).await;

    let list: Vec<ConversationSummary> = get(&app, &token, "/api/conversations?scope=active").await;
    assert_eq!(ids(&list), [c2, c1], "without messages the newer start comes first");
    assert_eq!(list[0].preview, None);
    assert_eq!(list[0].last_activity, list[0].created_at);

    // A message in the older chat brings it to the top, previewed.
    let long = format!("{} and then some", "é".repeat(118));
    v1.send(&VisitorIn::Message { client_id: "v1".into(), text: long.clone() }).await;
    let at = match v1.recv().await {
        VisitorOut::Message(m) => m.at,
        other => panic!("{other:?}"),
    };
    assert!(matches!(ada.recv().await, AgentOut::Message { .. }));
    let list: Vec<ConversationSummary> = get(&app, &token, "/api/conversations").await;
    assert_eq!(ids(&list), [c1, c2]);
    let top = &list[0];
    assert_eq!(top.preview.as_deref(), Some(long.chars().take(120).collect::<String>().as_str()));
    assert_eq!(top.last_activity, at);
    assert_eq!((top.site.as_str(), top.agent_name.as_deref()), ("demo", Some("Ada Lovelace")));
    assert_eq!(top.state, ConversationState::Active);
    assert!(!top.preview_note);
    // A private note written last is previewed as one.
    ada.send(&AgentIn::Note { conversation: c1, client_id: "n1".into(), text: "VIP".into() }).await;
    assert!(matches!(ada.recv().await, AgentOut::Message { .. }));
    let list: Vec<ConversationSummary> = get(&app, &token, "/api/conversations").await;
    assert_eq!((list[0].preview.as_deref(), list[0].preview_note), (Some("VIP"), true));

    // Past ones the same way, for everyone.
    ada.send(&AgentIn::End { conversation: c2 }).await;
    ada.recv().await;
    ada.send(&AgentIn::End { conversation: c1 }).await;
    ada.recv().await;
    let grace = app.session("grace@example.com").await;
    let past: Vec<ConversationSummary> = get(&app, &grace, "/api/conversations?scope=past").await;
    assert_eq!(ids(&past), [c1, c2]);
    assert_eq!(past[0].state, ConversationState::Ended);
    let r = app.http.get(format!("{}/api/conversations?scope=all", app.url)).bearer_auth(&token).send();
    assert_eq!(r.await.unwrap().status(), 400);
}

#[tokio::test]
async fn times_leave_the_server_as_the_iso_text_they_always_were() {
    // Stored as unix milliseconds, shown as before: a message's time (and a
    // routing decision's) to the millisecond, a chat's start to the second.
    let at = jiff::Timestamp::from_millisecond(1_700_000_000_123).unwrap();
    let app = spawn_app_at(switchboard_server::Clock::from_fn(move || at)).await;
    let mut ada = app.agent("ada@example.com").await;
    let token = app.session("ada@example.com").await;
    let (mut v, c) = chat_with_ada(&app, &mut ada, Duration::ZERO).await;
    let list: Vec<ConversationSummary> = get(&app, &token, "/api/conversations?scope=active").await;
    assert_eq!(
        (list[0].created_at.as_str(), list[0].last_activity.as_str()),
        ("2023-11-14T22:13:20Z", "2023-11-14T22:13:20Z")
    );

    v.send(&VisitorIn::Message { client_id: "v1".into(), text: "Hello".into() }).await;
    let frame = v.recv().await;
    assert!(matches!(&frame, VisitorOut::Message(m) if m.at == "2023-11-14T22:13:20.123Z"), "{frame:?}");
    let wire = serde_json::to_value(&frame).unwrap();
    assert_eq!(wire["at"], "2023-11-14T22:13:20.123Z", "{wire}");
    let seen = ada.recv().await;
    assert!(matches!(&seen, AgentOut::Message { message, .. } if message.at == "2023-11-14T22:13:20.123Z"));

    let list: Vec<ConversationSummary> = get(&app, &token, "/api/conversations?scope=active").await;
    assert_eq!(list[0].last_activity, "2023-11-14T22:13:20.123Z");
    let d: ConversationDetail = get(&app, &token, &format!("/api/conversations/{c}")).await;
    assert_eq!(
        (d.created_at.as_str(), d.first_seen.as_str()),
        ("2023-11-14T22:13:20Z", "2023-11-14T22:13:20Z")
    );
    let r = app
        .as_admin(reqwest::Method::GET, &format!("/conversations/{c}/explain"))
        .await
        .send()
        .await
        .unwrap();
    let explained: serde_json::Value = r.json().await.unwrap();
    assert_eq!(explained["decisions"][0]["at"], "2023-11-14T22:13:20.123Z", "{explained}");
}

#[tokio::test]
async fn a_conversations_detail_says_where_when_who_and_when_the_visitor_was_first_seen() {
    let app = spawn_app().await;
    let mut ada = app.agent("ada@example.com").await;
    let token = app.session("ada@example.com").await;
    // The visitor arrived over a second before asking for a chat.
    let (_v, c) = chat_with_ada(&app, &mut ada, Duration::from_millis(1100)).await;
    let d: ConversationDetail = get(&app, &token, &format!("/api/conversations/{c}")).await;
    assert_eq!((d.id, d.site.as_str(), d.state), (c, "demo", ConversationState::Active));
    assert_eq!(d.agent_name.as_deref(), Some("Ada Lovelace"));
    assert!(!d.first_seen.is_empty() && d.first_seen < d.created_at, "{} {}", d.first_seen, d.created_at);
    let grace = app.session("grace@example.com").await;
    let r = app.http.get(format!("{}/api/conversations/{c}", app.url)).bearer_auth(&grace).send();
    assert_eq!(r.await.unwrap().status(), 404, "another agent's open chat");
}

#[tokio::test]
async fn colleagues_are_the_other_agents_by_name_with_whether_they_could_take_a_chat_and_the_teams() {
    let app = spawn_app().await;
    admin::add_team(&app.state.store, &team("support", &[])).await.unwrap();
    admin::add_team(&app.state.store, &team("Billing", &["grace@example.com"])).await.unwrap();
    let _ada = app.agent("ada@example.com").await;
    let mut grace = app.agent("grace@example.com").await;
    let token = app.session("ada@example.com").await;

    let c: Colleagues = get(&app, &token, "/api/colleagues").await;
    let colleague =
        |email: &str, name: &str, available| Colleague { email: email.into(), name: name.into(), available };
    assert_eq!(
        c.agents,
        [
            colleague("admin@example.com", "Admin", false),
            colleague("grace@example.com", "Grace Hopper", true)
        ],
        "Admin has no inbox open; Ada is not her own colleague"
    );
    assert_eq!(c.teams, ["Billing", "support"]);

    grace.send(&AgentIn::Availability { available: false }).await;
    assert_eq!(grace.recv().await, AgentOut::Availability { available: false, missed_offers: None });
    let c: Colleagues = get(&app, &token, "/api/colleagues").await;
    assert!(!c.agents[1].available, "switched off");
    let r = app.http.get(format!("{}/api/colleagues", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 401);
}
