//! Agents' private notes through real sockets: stored among the chat's
//! messages and numbered with them, once however often they are resent,
//! shown to every agent who has the chat later and in the console, and
//! never sent to the visitor (live, on a resume, or replayed from the start).

use switchboard_protocol::admin::conversations::{ConversationDetail as AdminDetail, TranscriptLine};
use switchboard_protocol::inbox::ConversationDetail;
use switchboard_protocol::wire::{
    AgentIn, AgentOut, Author, ChatMessage, ConversationState, ErrorCode, TransferTarget, VisitorIn,
    VisitorOut,
};

use crate::helpers::{spawn_app, TestApp, ALLOWED};
use crate::transfer::{chat_with, offer};
use crate::ws_client::{connect, AgentClient, VisitorClient};

const ADA: &str = "ada@example.com";
const GRACE: &str = "grace@example.com";
const NOTE: &str = "VIP: renewing next month, offer the annual plan";

fn note(c: i64, client_id: &str) -> AgentIn {
    AgentIn::Note { conversation: c, client_id: client_id.into(), text: NOTE.into() }
}

/// The next message `agent` is sent in `c`.
async fn message(agent: &mut AgentClient, c: i64) -> ChatMessage {
    match agent.recv().await {
        AgentOut::Message { conversation, message } if conversation == c => message,
        other => panic!("expected a message in {c}, got {other:?}"),
    }
}

/// Every message a visitor socket is sent until `last` (by text) arrives.
async fn visitor_messages_until(v: &mut VisitorClient, last: &str) -> Vec<ChatMessage> {
    let mut seen = Vec::new();
    loop {
        if let VisitorOut::Message(m) = v.recv().await {
            let done = m.text == last;
            seen.push(m);
            if done {
                return seen;
            }
        }
    }
}

fn no_note(seen: &[ChatMessage], what: &str) {
    assert!(seen.iter().all(|m| m.author != Author::Note && !m.text.contains("VIP")), "{what}: {seen:?}");
}

async fn get<T: serde::de::DeserializeOwned>(app: &TestApp, email: &str, path: &str) -> T {
    let token = app.session(email).await;
    let r = app.http.get(format!("{}{path}", app.url)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_note_reaches_the_agents_and_never_the_visitor() {
    let app = spawn_app().await;
    let mut ada = app.agent(ADA).await;
    let mut grace = app.agent(GRACE).await;
    let (mut v, token, c) = chat_with(&app, &mut ada, ADA).await;

    v.send(&VisitorIn::Message { client_id: "v1".into(), text: "Hi, about my plan".into() }).await;
    assert_eq!(message(&mut ada, c).await.text, "Hi, about my plan");
    ada.send(&note(c, "n1")).await;
    let stored = message(&mut ada, c).await;
    assert_eq!(
        (stored.author, stored.text.as_str(), stored.client_id.as_deref()),
        (Author::Note, NOTE, Some("n1"))
    );
    // Resent (after a lost confirmation): confirmed again, stored once.
    ada.send(&note(c, "n1")).await;
    assert_eq!(message(&mut ada, c).await, stored);
    ada.send(&AgentIn::Message { conversation: c, client_id: "a1".into(), text: "Happy to help".into() })
        .await;
    let reply = message(&mut ada, c).await;
    assert_eq!(reply.seq, stored.seq + 1, "a note is numbered among the messages");

    // Live, the visitor gets their own message and the reply, not the note.
    let live = visitor_messages_until(&mut v, "Happy to help").await;
    no_note(&live, "live");
    v.silent_for(150).await;
    // A resume from before the note, and a replay from the start, skip it too.
    for after in [stored.seq - 1, 0] {
        let mut again = connect(&app.url, "demo", ALLOWED).await.unwrap();
        again.hello(Some(&token), after).await;
        let replayed = visitor_messages_until(&mut again, "Happy to help").await;
        no_note(&replayed, &format!("resumed after {after}"));
        assert!(replayed.iter().any(|m| m.seq == reply.seq));
    }

    // Grace, who takes the chat over, reads the note with the rest.
    ada.send(&AgentIn::Transfer { conversation: c, to: TransferTarget::Agent { email: GRACE.into() } }).await;
    assert_eq!(offer(&mut grace).await.0, c);
    grace.send(&AgentIn::Accept { conversation: c }).await;
    let mut got = Vec::new();
    while !got.iter().any(|m: &ChatMessage| m.author == Author::System) {
        match grace.recv().await {
            AgentOut::Message { message, .. } => got.push(message),
            AgentOut::State { state, .. } => assert_eq!(state, ConversationState::Active),
            other => panic!("{other:?}"),
        }
    }
    assert!(got.contains(&stored), "{got:?}");
    let d: ConversationDetail = get(&app, GRACE, &format!("/api/conversations/{c}")).await;
    assert!(d.messages.contains(&stored), "the inbox's copy: {:?}", d.messages);
    // So does the console.
    let d: AdminDetail = get(&app, "admin@example.com", &format!("/api/admin/conversations/{c}")).await;
    assert!(d.messages.contains(&TranscriptLine::Live(stored.clone())), "the console's: {:?}", d.messages);
    // The visitor, through all of it, never.
    v.send(&VisitorIn::Message { client_id: "v2".into(), text: "Still there?".into() }).await;
    no_note(&visitor_messages_until(&mut v, "Still there?").await, "after the transfer");
}

#[tokio::test]
async fn only_the_agent_who_has_the_chat_may_write_a_note_in_it() {
    let app = spawn_app().await;
    let mut ada = app.agent(ADA).await;
    let mut grace = app.agent(GRACE).await;
    let (_v, _, c) = chat_with(&app, &mut ada, ADA).await;
    grace.send(&note(c, "g1")).await;
    assert!(matches!(grace.recv().await, AgentOut::Error { code: ErrorCode::NotYours, .. }));
    ada.send(&AgentIn::Note { conversation: c, client_id: "n1".into(), text: "  ".into() }).await;
    assert!(matches!(ada.recv().await, AgentOut::Error { code: ErrorCode::BadMessage, .. }));
    let d: ConversationDetail = get(&app, ADA, &format!("/api/conversations/{c}")).await;
    assert!(d.messages.iter().all(|m| m.author != Author::Note), "{:?}", d.messages);
}
