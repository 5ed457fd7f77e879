use switchboard_protocol::site::SiteKey;
use switchboard_protocol::wire::{
    AgentIn, AgentOut, Author, ChatMessage, ConversationState, ErrorCode, VisitorIn, VisitorOut,
};
use switchboard_server::auth::token_hash;
use switchboard_server::lifecycle;

use crate::helpers::{spawn_app, TestApp, ALLOWED};
use crate::ws_client::{connect, AgentClient, VisitorClient};
use switchboard_server::ids::ConversationId;

fn handoff() -> VisitorIn {
    VisitorIn::Handoff {
        stream: "recommended".into(),
        version: 1,
        card: "agent".into(),
        attributes: [("first_name".to_owned(), "Ada".to_owned())].into(),
        transcript: vec![],
        page: Default::default(),
    }
}

fn say(client_id: &str, text: &str) -> VisitorIn {
    VisitorIn::Message { client_id: client_id.into(), text: text.into() }
}

async fn message(c: &mut VisitorClient) -> ChatMessage {
    match c.recv().await {
        VisitorOut::Message(m) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

async fn error_code(c: &mut VisitorClient) -> ErrorCode {
    match c.recv().await {
        VisitorOut::Error { code, .. } => code,
        other => panic!("expected an error, got {other:?}"),
    }
}

/// A visitor who has handed off while Ada is available (so the conversation
/// is offered to her); returns the client, its token, the conversation id and
/// Ada's inbox socket (which got the offer).
async fn handed_off(app: &TestApp) -> (VisitorClient, String, i64, AgentClient) {
    let mut ada = app.agent("ada@example.com").await;
    let mut c = connect(&app.url, "demo", ALLOWED).await.unwrap();
    let (token, state) = c.hello(None, 0).await;
    assert_eq!(state, None);
    c.send(&handoff()).await;
    assert!(matches!(c.recv().await, VisitorOut::State { state: ConversationState::Waiting }));
    assert!(matches!(c.recv().await, VisitorOut::State { state: ConversationState::Offered }));
    assert!(matches!(ada.recv().await, switchboard_protocol::wire::AgentOut::Offer { .. }));
    let conv = conversation_of(app, &token).await;
    (c, token, conv, ada)
}

async fn conversation_of(app: &TestApp, token: &str) -> i64 {
    let store = &app.state.store;
    let site = store.site(&SiteKey::parse("demo").unwrap()).await.unwrap().unwrap();
    let visitor = store.visitor(site.id, &token_hash(token)).await.unwrap().unwrap();
    store.latest_conversation(visitor).await.unwrap().unwrap().id.get()
}

#[tokio::test]
async fn a_visitor_hands_off_and_each_message_comes_back_with_the_next_sequence_number() {
    let app = spawn_app().await;
    let (mut c, _, _, _ada) = handed_off(&app).await;
    c.send(&say("m1", "Hello?")).await;
    let m = message(&mut c).await;
    assert_eq!(
        (m.seq, m.author, m.text.as_str(), m.client_id.as_deref()),
        (1, Author::Visitor, "Hello?", Some("m1"))
    );
    c.send(&say("m2", "  Anyone there?  ")).await;
    let m = message(&mut c).await;
    assert_eq!((m.seq, m.text.as_str()), (2, "Anyone there?"));
}

#[tokio::test]
async fn a_foreign_origin_or_unknown_site_cannot_open_the_visitor_socket() {
    let app = spawn_app().await;
    assert_eq!(connect(&app.url, "demo", "https://evil.example.net").await.err(), Some(403));
    assert_eq!(connect(&app.url, "nosuchsite", ALLOWED).await.err(), Some(404));
}

#[tokio::test]
async fn after_a_dropped_socket_every_missed_message_arrives_once_in_order() {
    let app = spawn_app().await;
    let (mut c, token, conv, mut ada) = handed_off(&app).await;
    ada.accept(conv).await;
    assert!(matches!(c.recv().await, VisitorOut::Agent(_)));
    assert!(matches!(c.recv().await, VisitorOut::State { state: ConversationState::Active }));
    c.send(&say("m1", "Hi")).await;
    assert_eq!(message(&mut c).await.seq, 1);
    assert!(matches!(ada.recv().await, AgentOut::Message { message, .. } if message.seq == 1));
    drop(c); // the network drops: no close handshake

    // The agent keeps writing meanwhile, over the real agent socket.
    for (id, text) in [("a1", "one"), ("a2", "two"), ("a3", "three")] {
        ada.send(&AgentIn::Message { conversation: conv, client_id: id.into(), text: text.into() }).await;
    }
    for _ in 0..3 {
        assert!(matches!(ada.recv().await, AgentOut::Message { .. }));
    }
    let mut c = connect(&app.url, "demo", ALLOWED).await.unwrap();
    let (same, state) = c.hello(Some(&token), 1).await;
    assert_eq!((same.as_str(), state), (token.as_str(), Some(ConversationState::Active)));
    let mut got = Vec::new();
    for _ in 0..3 {
        let m = message(&mut c).await;
        got.push((m.seq, m.text));
    }
    assert_eq!(got, [(2, "one".into()), (3, "two".into()), (4, "three".into())]);
    // Live messages continue after the replay, without duplicates.
    ada.send(&AgentIn::Message { conversation: conv, client_id: "a4".into(), text: "four".into() }).await;
    assert_eq!(message(&mut c).await.seq, 5);
    c.silent_for(200).await;
}

#[tokio::test]
async fn the_conversation_survives_a_server_restart_on_the_same_database() {
    let app = spawn_app().await;
    let (mut c, token, conv, _ada) = handed_off(&app).await;
    c.send(&say("m1", "Before the restart")).await;
    assert_eq!(message(&mut c).await.seq, 1);
    lifecycle::post(&app.state, ConversationId::new(conv), Author::Agent, None, "Agent before")
        .await
        .unwrap();
    assert_eq!(message(&mut c).await.seq, 2);
    c.close().await;

    let app = app.restart().await;
    let mut c = connect(&app.url, "demo", ALLOWED).await.unwrap();
    let (_, state) = c.hello(Some(&token), 0).await;
    assert_eq!(state, Some(ConversationState::Offered));
    let texts = [message(&mut c).await.text, message(&mut c).await.text];
    assert_eq!(texts, ["Before the restart", "Agent before"]);
    c.send(&say("m2", "After the restart")).await;
    assert_eq!(message(&mut c).await.seq, 3);
}

#[tokio::test]
async fn after_a_restore_and_a_new_epoch_a_returning_visitor_gets_the_conversation_anew() {
    let app = spawn_app().await;
    let (mut c, token, conv, mut ada) = handed_off(&app).await;
    ada.accept(conv).await;
    assert!(matches!(c.recv().await, VisitorOut::Agent(_)));
    assert!(matches!(c.recv().await, VisitorOut::State { state: ConversationState::Active }));
    let before = app.state.store.epoch().await.unwrap();
    c.send(&say("m1", "Hi")).await;
    assert_eq!(message(&mut c).await.seq, 1);
    ada.send(&AgentIn::Message { conversation: conv, client_id: "a1".into(), text: "lost".into() }).await;
    assert_eq!(message(&mut c).await.seq, 2);
    drop(c);

    // The database goes back to a backup taken after message 1, and the
    // operator names a new epoch, as the README's restore steps say.
    app.execute(&format!("DELETE FROM messages WHERE conversation_id = {conv} AND seq > 1")).await;
    app.execute(&format!("UPDATE conversations SET last_seq = 1 WHERE id = {conv}")).await;
    // (With the search index as it was then: a message's row there is
    // numbered by its conversation and sequence number.)
    let first = conv * 16_777_216 + 1_048_576;
    app.execute(&format!(
        "DELETE FROM transcript_search WHERE rowid > {} AND rowid < {}",
        first + 1,
        first + 1_048_576
    ))
    .await;
    let out = app.cli().args(["db", "new-epoch"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let after = app.state.store.epoch().await.unwrap();
    assert_ne!(after, before);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&after));
    // The restored database numbers the next message 2 again.
    lifecycle::post(&app.state, ConversationId::new(conv), Author::Agent, None, "after the restore")
        .await
        .unwrap();

    // The widget comes back holding 2 in the old epoch: told to drop what
    // it holds, it gets the conversation as the database has it now.
    let mut c = connect(&app.url, "demo", ALLOWED).await.unwrap();
    let hello =
        VisitorIn::Hello { protocol: 1, token: Some(token.clone()), last_seq: 2, epoch: Some(before) };
    c.send(&hello).await;
    match c.recv().await {
        VisitorOut::Welcome { epoch, reset, .. } => {
            assert_eq!((epoch, reset), (Some(after.clone()), true))
        }
        other => panic!("expected welcome, got {other:?}"),
    }
    let got = [message(&mut c).await, message(&mut c).await].map(|m| (m.seq, m.text));
    assert_eq!(got, [(1, "Hi".to_owned()), (2, "after the restore".to_owned())]);
    c.silent_for(200).await;
    drop(c);

    // In the same epoch, a reconnect resumes after what it holds.
    let mut c = connect(&app.url, "demo", ALLOWED).await.unwrap();
    c.send(&VisitorIn::Hello {
        protocol: 1,
        token: Some(token.clone()),
        last_seq: 2,
        epoch: Some(after.clone()),
    })
    .await;
    assert!(matches!(c.recv().await, VisitorOut::Welcome { reset: false, .. }));
    c.silent_for(200).await;
    drop(c);
    // Holding more than the conversation has (a restore nobody named a new
    // epoch for) also starts it afresh.
    let mut c = connect(&app.url, "demo", ALLOWED).await.unwrap();
    c.send(&VisitorIn::Hello { protocol: 1, token: Some(token), last_seq: 9, epoch: Some(after.clone()) })
        .await;
    assert!(matches!(c.recv().await, VisitorOut::Welcome { reset: true, .. }));
    assert_eq!(message(&mut c).await.seq, 1);
    // The inbox is told the epoch too, to load its conversations anew.
    let session = app.session("ada@example.com").await;
    let mut bo = crate::ws_client::connect_agent(&app.url, Some(&session), Some(&app.url)).await.unwrap();
    bo.send(&AgentIn::Hello { protocol: 1 }).await;
    assert!(matches!(bo.recv().await, AgentOut::Welcome { epoch: Some(epoch), .. } if epoch == after));
}

#[tokio::test]
async fn a_resent_client_id_is_stored_once_and_acknowledged_again() {
    let app = spawn_app().await;
    let (mut c, _, conv, _ada) = handed_off(&app).await;
    c.send(&say("same", "Only once")).await;
    let first = message(&mut c).await;
    c.send(&say("same", "Only once")).await;
    let again = message(&mut c).await;
    assert_eq!(first, again);
    assert_eq!(app.state.store.messages_after(ConversationId::new(conv), 0).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_visitor_sees_only_their_own_conversation() {
    let app = spawn_app().await;
    let (mut a, _, conv_a, _ada_a) = handed_off(&app).await;
    let (mut b, token_b, conv_b, _ada_b) = handed_off(&app).await;
    assert_ne!(conv_a, conv_b);
    a.send(&say("a1", "A's secret")).await;
    assert_eq!(message(&mut a).await.text, "A's secret");
    b.silent_for(300).await;

    // B reconnecting with its own token replays only B's conversation (empty).
    b.close().await;
    let mut b = connect(&app.url, "demo", ALLOWED).await.unwrap();
    b.hello(Some(&token_b), 0).await;
    b.silent_for(300).await;

    // A guessed token is refused.
    let mut guess = connect(&app.url, "demo", ALLOWED).await.unwrap();
    guess
        .send(&VisitorIn::Hello { protocol: 1, token: Some("0".repeat(64)), last_seq: 0, epoch: None })
        .await;
    assert_eq!(error_code(&mut guess).await, ErrorCode::BadToken);
}

#[tokio::test]
async fn bad_frames_get_error_frames_and_the_connection_stays_usable() {
    let app = spawn_app().await;
    let mut c = connect(&app.url, "demo", ALLOWED).await.unwrap();
    c.send(&say("m1", "before hello")).await;
    assert_eq!(error_code(&mut c).await, ErrorCode::HelloFirst);
    c.send_raw("{".into()).await;
    assert_eq!(error_code(&mut c).await, ErrorCode::BadFrame);
    c.send_raw(r#"{"type":"shout"}"#.into()).await;
    assert_eq!(error_code(&mut c).await, ErrorCode::BadFrame);
    c.send_raw(format!(r#"{{"type":"message","client_id":"x","text":"{}"}}"#, "x".repeat(20_000))).await;
    assert_eq!(error_code(&mut c).await, ErrorCode::FrameTooLarge);
    c.send_binary(vec![1, 2, 3]).await;
    assert_eq!(error_code(&mut c).await, ErrorCode::BinaryFrame);
    c.send(&VisitorIn::Hello { protocol: 99, token: None, last_seq: 0, epoch: None }).await;
    assert_eq!(error_code(&mut c).await, ErrorCode::UnsupportedVersion);

    // Still usable.
    c.hello(None, 0).await;
    c.send(&say("m1", "no conversation yet")).await;
    assert_eq!(error_code(&mut c).await, ErrorCode::NoConversation);
    let _ada = app.agent("ada@example.com").await;
    c.send(&handoff()).await;
    assert!(matches!(c.recv().await, VisitorOut::State { state: ConversationState::Waiting }));
    assert!(matches!(c.recv().await, VisitorOut::State { state: ConversationState::Offered }));
    c.send(&say("m1", &"é".repeat(4001))).await;
    assert_eq!(error_code(&mut c).await, ErrorCode::BadMessage);
    c.send(&say("m1", "fine")).await;
    assert_eq!(message(&mut c).await.seq, 1);
}

#[tokio::test]
async fn a_flood_of_frames_is_rate_limited() {
    let app = spawn_app().await;
    let (mut c, _, _, _ada) = handed_off(&app).await;
    for _ in 0..100 {
        c.send(&VisitorIn::Typing { typing: true }).await;
    }
    let mut limited = false;
    for _ in 0..100 {
        if let VisitorOut::Error { code: ErrorCode::RateLimited, .. } = c.recv().await {
            limited = true;
            break;
        }
    }
    assert!(limited);
}

#[tokio::test]
async fn the_visitor_ends_the_chat_and_can_no_longer_write() {
    let app = spawn_app().await;
    let (mut c, _, _, _ada) = handed_off(&app).await;
    c.send(&VisitorIn::End).await;
    assert!(matches!(c.recv().await, VisitorOut::State { state: ConversationState::Ended }));
    c.send(&say("m1", "hello?")).await;
    assert_eq!(error_code(&mut c).await, ErrorCode::Ended);
}

#[tokio::test]
async fn shutting_down_closes_open_visitor_sockets_cleanly() {
    let app = spawn_app().await;
    let (mut c, token, _, _ada) = handed_off(&app).await;
    // restart() fails the test unless the server stops within 10 s.
    let app = app.restart().await;
    assert!(c.closed_within(5).await, "the socket was not closed");
    let mut c = connect(&app.url, "demo", ALLOWED).await.unwrap();
    assert_eq!(c.hello(Some(&token), 0).await.1, Some(ConversationState::Offered));
}
