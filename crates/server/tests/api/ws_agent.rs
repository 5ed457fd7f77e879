use switchboard_protocol::site::SiteKey;
use switchboard_protocol::wire::{
    AgentIn, AgentOut, Author, ConversationState, ErrorCode, VisitorIn, VisitorOut,
};

use crate::helpers::{spawn_app, spawn_app_with, TestApp, ALLOWED};
use crate::ws_client::{connect, connect_agent, AgentClient, VisitorClient};
use switchboard_server::ids::{AgentId, ConversationId};

async fn visitor_hands_off(app: &TestApp, name: &str) -> VisitorClient {
    visitor_with_token(app, name).await.0
}

/// A visitor who handed off, with their token.
async fn visitor_with_token(app: &TestApp, name: &str) -> (VisitorClient, String) {
    let mut v = connect(&app.url, "demo", ALLOWED).await.unwrap();
    let (token, _) = v.hello(None, 0).await;
    v.send(&VisitorIn::Handoff {
        stream: "recommended".into(),
        version: 1,
        card: "agent".into(),
        attributes: [("first_name".to_owned(), name.to_owned())].into(),
        transcript: vec![],
        page: switchboard_protocol::wire::PageContext {
            url: "https://shop.example.com/pricing?utm_source=newsletter".into(),
            utm: [("utm_source".to_owned(), "newsletter".to_owned())].into(),
            ..Default::default()
        },
    })
    .await;
    assert!(matches!(v.recv().await, VisitorOut::State { state: ConversationState::Waiting }));
    (v, token)
}

/// The next offer an agent gets: (conversation, visitor's first name).
async fn offer(a: &mut AgentClient) -> (i64, String) {
    match a.recv().await {
        AgentOut::Offer { conversation, attributes, .. } => (conversation, attributes["first_name"].clone()),
        other => panic!("expected an offer, got {other:?}"),
    }
}

async fn agent_error(a: &mut AgentClient) -> ErrorCode {
    loop {
        match a.recv().await {
            AgentOut::Error { code, .. } => return code,
            AgentOut::Availability { .. } => {}
            other => panic!("expected an error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_visitor_and_an_agent_chat_in_real_time_until_the_agent_ends_it() {
    let app = spawn_app().await;
    let ada_id = app.state.store.agent_by_email("ada@example.com").await.unwrap().unwrap().profile.id;
    app.state.store.set_avatar(AgentId::new(ada_id), "https://cdn.example.com/ada.png").await.unwrap();
    let mut ada = app.agent("ada@example.com").await;
    let (mut v, visitor_token) = visitor_with_token(&app, "Grace").await;
    assert!(matches!(v.recv().await, VisitorOut::State { state: ConversationState::Offered }));
    let (conv, name) = offer(&mut ada).await;
    assert_eq!(name, "Grace");

    // The visitor writes while waiting; the agent sees it once accepted.
    v.send(&VisitorIn::Message { client_id: "v1".into(), text: "Hi, anyone?".into() }).await;
    assert!(matches!(v.recv().await, VisitorOut::Message(m) if m.seq == 1));
    ada.accept(conv).await;
    // Who first, then the state, so the widget can name the agent as the chat starts.
    let expected = switchboard_protocol::wire::AgentInfo {
        name: "Ada Lovelace".into(),
        avatar_url: Some("https://cdn.example.com/ada.png".into()),
    };
    assert_eq!(v.recv().await, VisitorOut::Agent(expected.clone()));
    assert!(matches!(v.recv().await, VisitorOut::State { state: ConversationState::Active }));
    match ada.recv().await {
        AgentOut::Message { conversation, message } => {
            assert_eq!(
                (conversation, message.seq, message.author, message.text.as_str()),
                (conv, 1, Author::Visitor, "Hi, anyone?")
            );
        }
        other => panic!("{other:?}"),
    }

    ada.send(&AgentIn::Typing { conversation: conv, typing: true }).await;
    assert!(matches!(v.recv().await, VisitorOut::Typing { typing: true }));
    ada.send(&AgentIn::Message { conversation: conv, client_id: "a1".into(), text: "Hello Grace!".into() })
        .await;
    assert!(
        matches!(v.recv().await, VisitorOut::Message(m) if m.seq == 2 && m.author == Author::Agent && m.text == "Hello Grace!")
    );
    v.send(&VisitorIn::Typing { typing: true }).await;
    // The agent's own message comes back first, then the visitor's typing.
    assert!(matches!(ada.recv().await, AgentOut::Message { message, .. } if message.seq == 2));
    assert!(matches!(ada.recv().await, AgentOut::Typing { typing: true, .. }));

    // A visitor who reloads learns again who they are talking to.
    let mut again = connect(&app.url, "demo", ALLOWED).await.unwrap();
    match again.welcome(Some(&visitor_token), 2).await {
        VisitorOut::Welcome { state, agent, .. } => {
            assert_eq!((state, agent), (Some(ConversationState::Active), Some(expected)));
        }
        other => panic!("{other:?}"),
    }

    ada.send(&AgentIn::End { conversation: conv }).await;
    assert!(matches!(v.recv().await, VisitorOut::State { state: ConversationState::Ended }));
    v.send(&VisitorIn::Message { client_id: "v2".into(), text: "wait".into() }).await;
    assert!(matches!(v.recv().await, VisitorOut::Error { code: ErrorCode::Ended, .. }));
}

#[tokio::test]
async fn with_nobody_available_the_visitor_gets_the_sites_fallback_message() {
    let app = spawn_app().await;
    let store = &app.state.store;
    let site = store.site(&SiteKey::parse("demo").unwrap()).await.unwrap().unwrap();
    store.set_fallback_message(site.id, "We're away. Mail hello@example.com.").await.unwrap();
    // Ada is connected but unavailable.
    let mut ada = app.agent("ada@example.com").await;
    ada.send(&AgentIn::Availability { available: false }).await;
    assert_eq!(ada.recv().await, AgentOut::Availability { available: false, missed_offers: None });

    let mut v = visitor_hands_off(&app, "Grace").await;
    assert!(
        matches!(v.recv().await, VisitorOut::Message(m) if m.author == Author::System && m.text == "We're away. Mail hello@example.com.")
    );
    assert!(matches!(v.recv().await, VisitorOut::State { state: ConversationState::Fallback }));
    ada.silent_for(200).await;
}

#[tokio::test]
async fn round_robin_rotates_strictly_over_available_agents() {
    let app = spawn_app().await;
    let mut ada = app.agent("ada@example.com").await;
    let mut grace = app.agent("grace@example.com").await;
    let mut names = Vec::new();
    for visitor in ["V1", "V2", "V3", "V4"] {
        let _v = visitor_hands_off(&app, visitor).await;
        tokio::select! {
            (_, n) = offer(&mut ada) => names.push(("ada", n)),
            (_, n) = offer(&mut grace) => names.push(("grace", n)),
        }
    }
    let who: Vec<_> = names.iter().map(|(a, _)| *a).collect();
    assert_eq!(who, ["ada", "grace", "ada", "grace"]);
}

#[tokio::test]
async fn an_agent_cannot_act_on_a_conversation_not_theirs() {
    let app = spawn_app().await;
    let mut ada = app.agent("ada@example.com").await;
    let _v = visitor_hands_off(&app, "Grace").await;
    let (conv, _) = offer(&mut ada).await;
    ada.send(&AgentIn::Availability { available: false }).await;
    let mut grace = app.agent("grace@example.com").await;
    grace.send(&AgentIn::Accept { conversation: conv }).await;
    assert_eq!(agent_error(&mut grace).await, ErrorCode::NotYours);
    grace
        .send(&AgentIn::Message { conversation: conv, client_id: "g".into(), text: "mine now".into() })
        .await;
    assert_eq!(agent_error(&mut grace).await, ErrorCode::NotYours);
    grace.send(&AgentIn::Resume { conversation: conv, last_seq: 0 }).await;
    assert_eq!(agent_error(&mut grace).await, ErrorCode::NotYours);
    // Before accepting, not even Ada can write.
    ada.send(&AgentIn::Message { conversation: conv, client_id: "a".into(), text: "hi".into() }).await;
    assert_eq!(agent_error(&mut ada).await, ErrorCode::NotYours);
}

#[tokio::test]
async fn the_agent_socket_needs_a_session_and_the_servers_own_origin() {
    let app = spawn_app().await;
    assert_eq!(connect_agent(&app.url, None, Some(&app.url)).await.err(), Some(401));
    assert_eq!(connect_agent(&app.url, Some("forged"), Some(&app.url)).await.err(), Some(401));
    let token = app.session("ada@example.com").await;
    assert_eq!(
        connect_agent(&app.url, Some(&token), Some("https://evil.example.net")).await.err(),
        Some(403)
    );
    assert!(connect_agent(&app.url, Some(&token), Some(&app.url)).await.is_ok());
}

#[tokio::test]
async fn an_agent_who_reconnects_resumes_a_conversation_without_losing_a_message() {
    let app = spawn_app().await;
    let mut ada = app.agent("ada@example.com").await;
    let mut v = visitor_hands_off(&app, "Grace").await;
    let (conv, _) = offer(&mut ada).await;
    ada.accept(conv).await;
    v.send(&VisitorIn::Message { client_id: "v1".into(), text: "one".into() }).await;
    // The agent follows the conversation from its accept on: the stored
    // message arrives (replayed or live), exactly once.
    assert!(matches!(ada.recv().await, AgentOut::Message { message, .. } if message.seq == 1));
    drop(ada);
    v.send(&VisitorIn::Message { client_id: "v2".into(), text: "two".into() }).await;
    v.send(&VisitorIn::Message { client_id: "v3".into(), text: "three".into() }).await;

    let mut ada = app.agent("ada@example.com").await;
    ada.send(&AgentIn::Resume { conversation: conv, last_seq: 1 }).await;
    let mut texts = Vec::new();
    let mut states = Vec::new();
    for _ in 0..3 {
        match ada.recv().await {
            AgentOut::Message { message, .. } => texts.push((message.seq, message.text)),
            AgentOut::State { state, .. } => states.push(state),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(texts, [(2, "two".to_owned()), (3, "three".to_owned())]);
    assert_eq!(states, [ConversationState::Active], "the state comes with a resume");
    ada.silent_for(200).await;

    // The visitor leaves while the agent is away: resuming tells them.
    drop(ada);
    v.send(&VisitorIn::End).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let mut ada = app.agent("ada@example.com").await;
    ada.send(&AgentIn::Resume { conversation: conv, last_seq: 3 }).await;
    assert!(matches!(ada.recv().await, AgentOut::State { state: ConversationState::Ended, .. }));
}

#[tokio::test]
async fn agents_list_their_open_conversations_and_everyones_past_ones_but_not_others_open_ones() {
    let app = spawn_app().await;
    let mut ada = app.agent("ada@example.com").await;
    let mut v = visitor_hands_off(&app, "Grace").await;
    let (conv, _) = offer(&mut ada).await;
    ada.accept(conv).await;
    v.send(&VisitorIn::Message { client_id: "v1".into(), text: "Question about pricing".into() }).await;
    assert!(matches!(ada.recv().await, AgentOut::Message { .. }));

    let (ada_token, grace_token) =
        (app.session("ada@example.com").await, app.session("grace@example.com").await);
    let get = |path: String, token: String| {
        let http = app.http.clone();
        async move { http.get(path).bearer_auth(token).send().await.unwrap() }
    };
    let list = |token: &str, scope: &str| {
        get(format!("{}/api/conversations?scope={scope}", app.url), token.to_owned())
    };

    let mine: serde_json::Value = list(&ada_token, "active").await.json().await.unwrap();
    assert_eq!(mine[0]["id"], conv);
    assert_eq!(mine[0]["attributes"]["first_name"], "Grace");
    assert_eq!(mine[0]["page"]["url"], "https://shop.example.com/pricing?utm_source=newsletter");
    assert_eq!(mine[0]["page"]["utm"]["utm_source"], "newsletter");
    let theirs: serde_json::Value = list(&grace_token, "active").await.json().await.unwrap();
    assert_eq!(theirs, serde_json::json!([]));
    let one = format!("{}/api/conversations/{conv}", app.url);
    assert_eq!(get(one.clone(), grace_token.clone()).await.status(), 404);
    assert_eq!(app.http.get(&one).send().await.unwrap().status(), 401);

    ada.send(&AgentIn::End { conversation: conv }).await;
    assert!(matches!(ada.recv().await, AgentOut::State { state: ConversationState::Ended, .. }));
    let past: serde_json::Value = list(&grace_token, "past").await.json().await.unwrap();
    assert_eq!(past[0]["id"], conv);
    let detail: serde_json::Value = get(one, grace_token).await.json().await.unwrap();
    assert_eq!(detail["messages"][0]["text"], "Question about pricing");
    assert_eq!(detail["state"], "ended");
}

#[tokio::test]
async fn an_idle_chat_ends_and_both_sides_are_told() {
    let app = spawn_app_with(|s| s.routing.inactivity_secs = 1).await;
    let mut ada = app.agent("ada@example.com").await;
    let mut v = visitor_hands_off(&app, "Grace").await;
    let (conv, _) = offer(&mut ada).await;
    ada.accept(conv).await;
    for _ in 0..3 {
        v.recv().await; // offered, agent, active
    }
    // Messages keep it going past the limit.
    for i in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        v.send(&VisitorIn::Message { client_id: format!("v{i}"), text: "still here".into() }).await;
        assert!(matches!(v.recv().await, VisitorOut::Message(m) if m.author == Author::Visitor));
        assert!(matches!(ada.recv().await, AgentOut::Message { .. }));
    }
    // Then a second without a word: it ends, and both sides are told.
    assert!(
        matches!(v.recv().await, VisitorOut::Message(m) if m.author == Author::System && m.text.contains("without messages"))
    );
    assert!(matches!(v.recv().await, VisitorOut::State { state: ConversationState::Ended }));
    assert!(
        matches!(ada.recv().await, AgentOut::Message { message, .. } if message.author == Author::System)
    );
    assert!(matches!(ada.recv().await, AgentOut::State { state: ConversationState::Ended, .. }));
    let c = app.state.store.conversation(ConversationId::new(conv)).await.unwrap().unwrap();
    assert_eq!(c.state, ConversationState::Ended);
    assert_eq!(c.last_seq, 4, "three messages and one notice");
}

/// An offer for Ada stored without its event reaching any inbox channel (as
/// when it is made on another node): (her id, the conversation).
async fn offer_stored_for_ada(app: &TestApp) -> (i64, i64) {
    use switchboard_server::store::conversations::Handoff;
    let store = &app.state.store;
    let ada_id = store.agent_by_email("ada@example.com").await.unwrap().unwrap().profile.id;
    let site = store.site(&SiteKey::parse("demo").unwrap()).await.unwrap().unwrap();
    let now = app.state.clock.now_ms();
    let visitor = store.create_visitor(site.id, "stored-offer-visitor", now).await.unwrap();
    let handoff = Handoff {
        stream: "recommended".into(),
        routing: switchboard_protocol::stream::Routing::RoundRobin,
        attributes: [("first_name".to_owned(), "Lag".to_owned())].into(),
        transcript: vec![],
        page: Default::default(),
    };
    let conv =
        store.create_conversation(site.id, visitor, &handoff, now + 60_000, now).await.unwrap().unwrap();
    assert!(store
        .offer(&conv, AgentId::new(ada_id), &switchboard_routing::decide::Pool::All, now, now + 100_000)
        .await
        .unwrap());
    (ada_id, conv.id.get())
}

#[tokio::test]
async fn an_offer_read_as_the_inbox_connects_and_then_told_is_shown_once() {
    let app = spawn_app().await;
    let (ada_id, conv) = offer_stored_for_ada(&app).await;
    let mut ada = app.agent("ada@example.com").await;
    assert!(matches!(ada.recv().await, AgentOut::Offer { conversation, .. } if conversation == conv));
    // The offer's event arrives after the inbox read it from storage.
    let offer = ada_offer(&app, ada_id, conv).await;
    app.state.hub.publish_agent(AgentId::new(ada_id), offer);
    ada.silent_for(300).await;
}

/// The offer frame as the server sends it to Ada.
async fn ada_offer(app: &TestApp, ada_id: i64, conv: i64) -> AgentOut {
    let offers =
        switchboard_server::lifecycle::offers::pending(&app.state, AgentId::new(ada_id)).await.unwrap();
    offers
        .into_iter()
        .find(|o| matches!(o, AgentOut::Offer { conversation, .. } if *conversation == conv))
        .unwrap()
}

#[tokio::test]
async fn an_agent_whose_channel_lagged_still_gets_every_offer() {
    let app = spawn_app().await;
    let mut ada = app.agent("ada@example.com").await;
    // An offer for Ada stored without its event reaching her inbox's
    // channel (as when it is made on another node)…
    let (ada_id, conv) = offer_stored_for_ada(&app).await;
    // …then more events than her channel holds, published before her
    // socket's task can read any (no await in between): it lags.
    for _ in 0..1000 {
        app.state.hub.publish_agent(
            AgentId::new(ada_id),
            AgentOut::Availability { available: true, missed_offers: None },
        );
    }
    loop {
        match ada.recv().await {
            AgentOut::Offer { conversation, .. } if conversation == conv => break,
            AgentOut::Availability { .. } => {}
            other => panic!("expected the offer, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_offer_accepted_elsewhere_while_the_channel_lagged_is_shown_active_not_withdrawn() {
    let app = spawn_app().await;
    let (ada_id, conv) = offer_stored_for_ada(&app).await;
    let mut ada = app.agent("ada@example.com").await;
    assert!(matches!(ada.recv().await, AgentOut::Offer { conversation, .. } if conversation == conv));
    // Accepted (as from another tab) without the event reaching this one…
    let now = app.state.clock.now_ms();
    let store = &app.state.store;
    assert!(store.accept(ConversationId::new(conv), AgentId::new(ada_id), now + 600_000, now).await.unwrap());
    // …whose channel then lags.
    for _ in 0..1000 {
        app.state.hub.publish_agent(
            AgentId::new(ada_id),
            AgentOut::Availability { available: true, missed_offers: None },
        );
    }
    loop {
        match ada.recv().await {
            AgentOut::State { conversation, state: ConversationState::Active } if conversation == conv => {
                break
            }
            AgentOut::Availability { .. } => {}
            other => panic!("expected the chat as active, got {other:?}"),
        }
    }
}
