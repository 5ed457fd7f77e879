//! Transferring an active chat through real sockets: to an agent, to a team,
//! the refusals, a declined transfer moving on (back to the agent who
//! transferred it only when nobody else takes it), and a transfer waiting
//! across a restart.

use serde_json::Value;
use std::time::Duration;
use switchboard_protocol::stream::Routing;
use switchboard_protocol::wire::{
    AgentIn, AgentOut, Author, ConversationState, ErrorCode, PageContext, TransferTarget, VisitorIn,
    VisitorOut,
};
use switchboard_server::admin;

use crate::helpers::{spawn_app, team, TestApp, ALLOWED};
use crate::ws_client::{connect, AgentClient, VisitorClient};
use switchboard_server::ids::{AgentId, ConversationId};

const ADA: &str = "ada@example.com";
const GRACE: &str = "grace@example.com";

fn to_agent(email: &str) -> TransferTarget {
    TransferTarget::Agent { email: email.into() }
}

fn to_team(name: &str) -> TransferTarget {
    TransferTarget::Team { name: name.into() }
}

/// A visitor hands off to `email`'s agent, who accepts: the chat is active
/// and the visitor has been told so. Answers the visitor, their token and
/// the conversation.
pub async fn chat_with(app: &TestApp, agent: &mut AgentClient, email: &str) -> (VisitorClient, String, i64) {
    let mut v = connect(&app.url, "demo", ALLOWED).await.unwrap();
    let (token, _) = v.hello(None, 0).await;
    let (stream, version, card) = app.live_chat(Routing::Agent(email.into())).await;
    v.send(&VisitorIn::Handoff {
        stream,
        version,
        card,
        attributes: [("first_name".to_owned(), "Jo".to_owned())].into(),
        transcript: vec![],
        page: PageContext { url: "https://shop.example.com/".into(), ..Default::default() },
    })
    .await;
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Waiting });
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Offered });
    let c = offer(agent).await.0;
    agent.accept(c).await;
    assert!(matches!(v.recv().await, VisitorOut::Agent(_)));
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Active });
    (v, token, c)
}

/// The next offer: (conversation, who transferred it).
pub async fn offer(a: &mut AgentClient) -> (i64, Option<String>) {
    match a.recv().await {
        AgentOut::Offer { conversation, transferred_by, .. } => (conversation, transferred_by),
        other => panic!("expected an offer, got {other:?}"),
    }
}

/// The transferring agent's next two frames, in either order: the system
/// message (through their chat) and `transferred` (to all their inboxes).
async fn transferred(a: &mut AgentClient, c: i64, to: &str, said: &str) {
    let frames = [a.recv().await, a.recv().await];
    assert!(frames.contains(&AgentOut::Transferred { conversation: c, to: to.into() }), "{frames:?}");
    assert!(
        frames.iter().any(|f| matches!(f, AgentOut::Message { conversation, message }
            if *conversation == c && message.author == Author::System && message.text == said)),
        "{frames:?}"
    );
}

/// The visitor is told of the transfer and waits for the next agent.
async fn visitor_told(v: &mut VisitorClient, said: &str) {
    assert!(matches!(v.recv().await, VisitorOut::Message(m) if m.author == Author::System && m.text == said));
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Offered });
}

async fn refused(a: &mut AgentClient, c: i64, to: TransferTarget) -> (ErrorCode, String) {
    a.send(&AgentIn::Transfer { conversation: c, to }).await;
    match a.recv().await {
        AgentOut::Error { code, message } => (code, message),
        other => panic!("expected an error, got {other:?}"),
    }
}

async fn explain_text(app: &TestApp, c: i64) -> String {
    let admin = app.session("admin@example.com").await;
    let r = app
        .http
        .get(format!("{}/api/admin/conversations/{c}/explain", app.url))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let e: Value = r.json().await.unwrap();
    e["text"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_agent_transfers_a_chat_to_another_agent_who_takes_it_over() {
    let app = spawn_app().await;
    let mut ada = app.agent(ADA).await;
    let mut grace = app.agent(GRACE).await;
    let (mut v, _, c) = chat_with(&app, &mut ada, ADA).await;

    // Written as people type it: checked, stored and routed the same.
    ada.send(&AgentIn::Transfer { conversation: c, to: to_agent(" Grace@Example.com ") }).await;
    let said = "Ada Lovelace transferred the chat to Grace Hopper.";
    transferred(&mut ada, c, "Grace Hopper", said).await;
    assert_eq!(offer(&mut grace).await, (c, Some("Ada Lovelace".into())));
    visitor_told(&mut v, said).await;
    // Ada no longer follows it: the offer's state does not reach her.
    ada.silent_for(150).await;

    // Grace accepts: she gets the chat so far (the notice) and the visitor her name.
    grace.send(&AgentIn::Accept { conversation: c }).await;
    let frames = [grace.recv().await, grace.recv().await];
    assert!(frames.contains(&AgentOut::State { conversation: c, state: ConversationState::Active }));
    assert!(frames.iter().any(|f| matches!(f, AgentOut::Message { message, .. } if message.text == said)));
    assert!(matches!(v.recv().await, VisitorOut::Agent(info) if info.name == "Grace Hopper"));
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Active });

    // The chat goes on between the visitor and Grace.
    v.send(&VisitorIn::Message { client_id: "v1".into(), text: "Hi Grace".into() }).await;
    assert!(matches!(v.recv().await, VisitorOut::Message(m) if m.text == "Hi Grace"));
    assert!(matches!(grace.recv().await, AgentOut::Message { message, .. } if message.text == "Hi Grace"));
    grace.send(&AgentIn::Message { conversation: c, client_id: "g1".into(), text: "Hello Jo".into() }).await;
    assert!(matches!(grace.recv().await, AgentOut::Message { message, .. } if message.text == "Hello Jo"));
    assert!(
        matches!(v.recv().await, VisitorOut::Message(m) if m.author == Author::Agent && m.text == "Hello Jo")
    );
    ada.silent_for(100).await;

    // It is not Ada's any more.
    ada.send(&AgentIn::Message { conversation: c, client_id: "a9".into(), text: "me again".into() }).await;
    assert!(matches!(ada.recv().await, AgentOut::Error { code: ErrorCode::NotYours, .. }));
    ada.send(&AgentIn::Resume { conversation: c, last_seq: 0 }).await;
    assert!(matches!(ada.recv().await, AgentOut::Error { code: ErrorCode::NotYours, .. }));
    let text = explain_text(&app, c).await;
    assert!(text.contains("transferred by ada@example.com to agent grace@example.com"), "{text}");
    assert!(!text.contains("unknown"), "{text}");
    assert!(text.contains("→ offered to grace@example.com"), "{text}");
}

#[tokio::test]
async fn a_chat_transferred_to_a_team_goes_round_robin_inside_it_without_the_transferring_agent() {
    let app = spawn_app().await;
    admin::add_team(&app.state.store, &team("Sales", &[ADA, GRACE])).await.unwrap();
    let mut ada = app.agent(ADA).await;
    let mut grace = app.agent(GRACE).await;
    let (mut v, _, c) = chat_with(&app, &mut ada, ADA).await;

    ada.send(&AgentIn::Transfer { conversation: c, to: to_team("sales") }).await;
    let said = "Ada Lovelace transferred the chat to the Sales team.";
    transferred(&mut ada, c, "Sales", said).await;
    assert_eq!(offer(&mut grace).await, (c, Some("Ada Lovelace".into())));
    visitor_told(&mut v, said).await;
    grace.send(&AgentIn::Accept { conversation: c }).await;
    assert!(matches!(v.recv().await, VisitorOut::Agent(info) if info.name == "Grace Hopper"));
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Active });
    ada.silent_for(100).await;
}

#[tokio::test]
async fn transfers_that_cannot_be_made_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    admin::add_team(&app.state.store, &team("Solo", &[ADA])).await.unwrap();
    admin::add_team(&app.state.store, &team("Sales", &[GRACE])).await.unwrap();
    let mut ada = app.agent(ADA).await;
    let (mut v, _, c) = chat_with(&app, &mut ada, ADA).await;

    let (code, _) = refused(&mut ada, c, to_agent("nobody@example.com")).await;
    assert_eq!(code, ErrorCode::Unknown);
    let (code, _) = refused(&mut ada, c, to_team("Nobody")).await;
    assert_eq!(code, ErrorCode::Unknown);
    // Grace has no inbox open.
    let (code, message) = refused(&mut ada, c, to_agent(GRACE)).await;
    assert_eq!(code, ErrorCode::Unavailable);
    assert!(message.contains("Grace Hopper is not available"), "{message}");
    let (code, message) = refused(&mut ada, c, to_team("Sales")).await;
    assert_eq!(code, ErrorCode::Unavailable);
    assert!(message.contains("Sales"), "{message}");
    // Only Ada is in Solo.
    assert_eq!(refused(&mut ada, c, to_team("Solo")).await.0, ErrorCode::Unavailable);
    assert_eq!(refused(&mut ada, c, to_agent(ADA)).await.0, ErrorCode::Unavailable);

    // Someone else's chat, or one only offered, is not theirs to transfer.
    let mut grace = app.agent(GRACE).await;
    assert_eq!(refused(&mut grace, c, to_agent(ADA)).await.0, ErrorCode::NotYours);
    assert_eq!(refused(&mut grace, 999, to_agent(ADA)).await.0, ErrorCode::NotYours);
    let mut v2 = connect(&app.url, "demo", ALLOWED).await.unwrap();
    v2.hello(None, 0).await;
    let (stream, version, card) = app.live_chat(Routing::Agent(GRACE.into())).await;
    v2.send(&VisitorIn::Handoff {
        stream,
        version,
        card,
        attributes: Default::default(),
        transcript: vec![],
        page: PageContext::default(),
    })
    .await;
    let (c2, _) = offer(&mut grace).await;
    assert_eq!(refused(&mut grace, c2, to_agent(ADA)).await.0, ErrorCode::NotYours);

    // Nothing changed: the visitor heard nothing and the chat is still Ada's.
    v.silent_for(100).await;
    let conv = app.state.store.conversation(ConversationId::new(c)).await.unwrap().unwrap();
    assert_eq!((conv.state, conv.agent_id.is_some()), (ConversationState::Active, true));
    ada.send(&AgentIn::Message { conversation: c, client_id: "a1".into(), text: "still me".into() }).await;
    assert!(matches!(ada.recv().await, AgentOut::Message { .. }));

    // An ended chat cannot be transferred.
    ada.send(&AgentIn::End { conversation: c }).await;
    assert!(matches!(ada.recv().await, AgentOut::State { state: ConversationState::Ended, .. }));
    assert_eq!(refused(&mut ada, c, to_agent(GRACE)).await.0, ErrorCode::Ended);
}

#[tokio::test]
async fn a_declined_transfer_goes_to_another_agent_then_back_then_to_the_fallback() {
    let app = spawn_app().await;
    let mut ada = app.agent(ADA).await;
    let (mut v, c) = nobody_takes_adas_transfer(&app, &mut ada).await;

    // Ada declines it back too: the visitor gets the fallback.
    ada.send(&AgentIn::Decline { conversation: c }).await;
    assert_eq!(ada.recv().await, AgentOut::Withdrawn { conversation: c });
    assert!(matches!(v.recv().await, VisitorOut::Message(m) if m.author == Author::System));
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Fallback });

    let text = explain_text(&app, c).await;
    assert!(text.contains("skipped ada@example.com: transferred it away"), "{text}");
    assert!(text.contains("skipped grace@example.com: declined"), "{text}");
    assert!(text.contains("back to ada@example.com, who transferred it"), "{text}");
    assert!(text.contains("skipped ada@example.com: declined"), "{text}");
    assert!(text.contains("→ nobody could take it: the fallback message"), "{text}");
}

#[tokio::test]
async fn a_transfer_nobody_else_takes_goes_back_to_the_agent_who_made_it() {
    let app = spawn_app().await;
    let mut ada = app.agent(ADA).await;
    let (mut v, c) = nobody_takes_adas_transfer(&app, &mut ada).await;

    ada.accept(c).await;
    assert!(matches!(v.recv().await, VisitorOut::Agent(a) if a.name == "Ada Lovelace"));
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Active });
    v.send(&VisitorIn::Message { client_id: "back-1".into(), text: "Still there?".into() }).await;
    assert!(matches!(v.recv().await, VisitorOut::Message(m) if m.text == "Still there?"));
    // Ada gets the chat so far again (with the transfer's notice), then the message.
    let mut texts = Vec::new();
    while texts.last().map(String::as_str) != Some("Still there?") {
        match ada.recv().await {
            AgentOut::Message { conversation, message } if conversation == c => texts.push(message.text),
            other => panic!("expected the chat's messages, got {other:?}"),
        }
    }
    assert!(texts.iter().any(|t| t == "Ada Lovelace transferred the chat to Grace Hopper."), "{texts:?}");
}

/// Ada transfers her chat to Grace, who declines, as does Admin, the only
/// other agent: the chat is offered back to Ada (without a "transferred
/// by" of her own name), and the visitor waits for her.
async fn nobody_takes_adas_transfer(app: &TestApp, ada: &mut AgentClient) -> (VisitorClient, i64) {
    let mut grace = app.agent(GRACE).await;
    let mut admin = app.agent("admin@example.com").await;
    let (mut v, _, c) = chat_with(app, ada, ADA).await;

    ada.send(&AgentIn::Transfer { conversation: c, to: to_agent(GRACE) }).await;
    let said = "Ada Lovelace transferred the chat to Grace Hopper.";
    transferred(ada, c, "Grace Hopper", said).await;
    assert_eq!(offer(&mut grace).await.0, c);
    visitor_told(&mut v, said).await;

    // Grace declines: the other agent who can take it is Admin, not Ada.
    grace.send(&AgentIn::Decline { conversation: c }).await;
    assert_eq!(grace.recv().await, AgentOut::Withdrawn { conversation: c });
    assert_eq!(offer(&mut admin).await, (c, Some("Ada Lovelace".into())));
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Offered });
    ada.silent_for(100).await;

    // Admin declines too: nobody is left but Ada, so it goes back to her.
    admin.send(&AgentIn::Decline { conversation: c }).await;
    assert_eq!(admin.recv().await, AgentOut::Withdrawn { conversation: c });
    assert_eq!(offer(ada).await, (c, None));
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Offered });
    (v, c)
}

#[tokio::test]
async fn an_offer_back_to_the_agent_who_transferred_it_names_no_transferrer_after_a_reconnect() {
    let app = spawn_app().await;
    let mut ada = app.agent(ADA).await;
    let (_v, c) = nobody_takes_adas_transfer(&app, &mut ada).await;
    // Ada's inbox reloads: the offer waiting for her comes again, and still
    // without her own name as the one who transferred it.
    drop(ada);
    let mut ada = app.agent(ADA).await;
    assert_eq!(offer(&mut ada).await, (c, None));
}

#[tokio::test]
async fn a_transfer_waiting_for_its_agent_survives_a_restart() {
    let app = spawn_app().await;
    let mut ada = app.agent(ADA).await;
    let grace = app.agent(GRACE).await;
    let (_v, _, c) = chat_with(&app, &mut ada, ADA).await;
    ada.send(&AgentIn::Transfer { conversation: c, to: to_agent(GRACE) }).await;
    transferred(&mut ada, c, "Grace Hopper", "Ada Lovelace transferred the chat to Grace Hopper.").await;
    drop((ada, grace));

    let app = app.restart().await;
    let mut grace = app.agent(GRACE).await;
    match grace.recv().await {
        AgentOut::Offer { conversation, transferred_by, expires_in_secs, .. } => {
            assert_eq!((conversation, transferred_by.as_deref()), (c, Some("Ada Lovelace")));
            assert!((99..=100).contains(&expires_in_secs), "{expires_in_secs}");
        }
        other => panic!("expected the offer again, got {other:?}"),
    }
    grace.send(&AgentIn::Accept { conversation: c }).await;
    let frames = [grace.recv().await, grace.recv().await];
    assert!(frames.contains(&AgentOut::State { conversation: c, state: ConversationState::Active }));
}

/// Ada's active chat, transferred to Grace, who has it on offer: the
/// visitor, Grace's socket and the conversation.
async fn transferred_to_grace(app: &TestApp) -> (VisitorClient, AgentClient, i64) {
    let mut ada = app.agent(ADA).await;
    let mut grace = app.agent(GRACE).await;
    let (v, _, c) = chat_with(app, &mut ada, ADA).await;
    ada.send(&AgentIn::Transfer { conversation: c, to: to_agent(GRACE) }).await;
    assert_eq!(offer(&mut grace).await.0, c);
    (v, grace, c)
}

async fn agent_id(app: &TestApp, email: &str) -> i64 {
    app.state.store.agent_by_email(email).await.unwrap().unwrap().profile.id
}

#[tokio::test]
async fn following_stops_for_an_agent_whose_chat_was_transferred_even_without_the_event() {
    // The transfer's event is not stored: a follower that subscribed just
    // after it (another tab resuming as the transfer happens) or lost it in
    // a gap must still stop, and the new agent's follower must not.
    let app = spawn_app().await;
    let (_v, mut grace, c) = transferred_to_grace(&app).await;
    grace.accept(c).await;
    let follow = |agent: i64| {
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        let task = switchboard_server::ws::follow(
            &app.state,
            ConversationId::new(c),
            0,
            Some(AgentId::new(agent)),
            tx,
            None,
            |event| match event {
                switchboard_server::hub::Event::Message(m) => switchboard_server::ws::Follow::Send(m.seq),
                _ => switchboard_server::ws::Follow::Skip,
            },
        );
        (task, rx)
    };
    let (task, mut rx) = follow(agent_id(&app, ADA).await);
    tokio::time::timeout(Duration::from_secs(5), task).await.expect("Ada's following stops").unwrap();
    assert_eq!(rx.recv().await, None, "nothing was sent to Ada");
    let (task, mut rx) = follow(agent_id(&app, GRACE).await);
    let first = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.expect("Grace gets the chat");
    assert!(first.is_some());
    assert!(!task.is_finished());
    task.abort();
}

/// Ends chat `c` as agent `agent` would: whether it ended.
async fn ends(app: &TestApp, c: i64, agent: i64) -> bool {
    let (c, agent) = (ConversationId::new(c), AgentId::new(agent));
    switchboard_server::lifecycle::end_by_agent(&app.state, c, agent).await.unwrap()
}

async fn state_of(app: &TestApp, c: i64) -> ConversationState {
    app.state.store.conversation(ConversationId::new(c)).await.unwrap().unwrap().state
}

#[tokio::test]
async fn an_end_from_the_agent_who_transferred_it_cannot_end_the_chat_that_moved_on() {
    let app = spawn_app().await;
    let (_v, mut grace, c) = transferred_to_grace(&app).await;
    let (ada_id, grace_id) = (agent_id(&app, ADA).await, agent_id(&app, GRACE).await);
    // An end that passed its check just before the transfer (another tab of
    // Ada's) arrives after it: refused, whether offered or accepted.
    assert!(!ends(&app, c, ada_id).await);
    grace.accept(c).await;
    assert!(!ends(&app, c, ada_id).await);
    assert_eq!(state_of(&app, c).await, ConversationState::Active);
    assert!(ends(&app, c, grace_id).await);
    assert_eq!(state_of(&app, c).await, ConversationState::Ended);
    assert!(!ends(&app, c, grace_id).await, "once");
}
