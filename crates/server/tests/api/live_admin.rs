//! Admin changes have the same live effect on a running server whether they
//! are made through its HTTP API or from the command line (which records
//! them for the server to pick up): removing an agent, revoking their live
//! chat permission, changing their schedule.

use reqwest::Method;
use serde_json::json;
use switchboard_protocol::stream::Routing;
use switchboard_protocol::wire::{AgentOut, Author, ConversationState, PageContext, VisitorIn, VisitorOut};

use crate::helpers::{spawn_app_with, TestApp, ALLOWED};
use crate::ws_client::{connect, AgentClient, VisitorClient};

const ADA: &str = "ada@example.com";
const GRACE: &str = "grace@example.com";

/// Where an admin makes the change.
#[derive(Debug, Clone, Copy)]
enum From {
    Api,
    Cli,
}

async fn app() -> TestApp {
    // The command line's changes are picked up within a tenth of a second.
    spawn_app_with(|s| s.routing.changes_poll_ms = 100).await
}

/// Runs `switchboard ARGS` against the running test server's database.
async fn cli(app: &TestApp, args: &[&str]) {
    let mut command = app.cli();
    command.args(args);
    let out = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

async fn api(app: &TestApp, method: Method, path: &str, body: serde_json::Value) {
    let r = app.as_admin(method, path).await.json(&body).send().await.unwrap();
    assert!(r.status().is_success(), "{} {}", r.status(), r.text().await.unwrap());
}

/// A visitor hands off (round robin) while Ada is the only agent
/// connected, and Ada gets the offer.
async fn offered_to_ada(app: &TestApp, ada: &mut AgentClient, name: &str) -> (VisitorClient, i64) {
    let mut v = connect(&app.url, "demo", ALLOWED).await.unwrap();
    v.hello(None, 0).await;
    let (stream, version, card) = app.live_chat(Routing::RoundRobin).await;
    let attributes = [("first_name".to_owned(), name.to_owned())].into();
    let page = PageContext::default();
    v.send(&VisitorIn::Handoff { stream, version, card, attributes, transcript: vec![], page }).await;
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Waiting });
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Offered });
    let c = match ada.recv().await {
        AgentOut::Offer { conversation, .. } => conversation,
        other => panic!("expected an offer, got {other:?}"),
    };
    (v, c)
}

/// Ada has one active chat and one offer; then Grace connects.
async fn ada_busy(app: &TestApp) -> (AgentClient, AgentClient, VisitorClient, VisitorClient, i64) {
    let mut ada = app.agent(ADA).await;
    let (mut active, c) = offered_to_ada(app, &mut ada, "Jo").await;
    ada.accept(c).await;
    assert!(matches!(active.recv().await, VisitorOut::Agent(_)));
    assert_eq!(active.recv().await, VisitorOut::State { state: ConversationState::Active });
    let (offered, offer) = offered_to_ada(app, &mut ada, "Max").await;
    let grace = app.agent(GRACE).await;
    (ada, grace, active, offered, offer)
}

/// Ada's offer goes to Grace, and her active chat ends with a word.
async fn adas_chats_moved_on(grace: &mut AgentClient, active: &mut VisitorClient, offer: i64) {
    loop {
        match grace.recv().await {
            AgentOut::Offer { conversation, .. } if conversation == offer => break,
            AgentOut::Availability { .. } => {}
            other => panic!("expected Ada's offer, got {other:?}"),
        }
    }
    let said = "The agent has left; this chat has ended.";
    assert!(
        matches!(active.recv().await, VisitorOut::Message(m) if m.author == Author::System && m.text == said)
    );
    assert_eq!(active.recv().await, VisitorOut::State { state: ConversationState::Ended });
}

async fn removing_an_agent(from: From) {
    let app = app().await;
    let (mut ada, mut grace, mut active, _offered, offer) = ada_busy(&app).await;
    match from {
        From::Api => api(&app, Method::DELETE, &format!("/agents/{ADA}"), json!(null)).await,
        From::Cli => cli(&app, &["agent", "remove", ADA]).await,
    }
    assert_eq!(ada.close_code_within(3).await, Some(4001), "{from:?}");
    adas_chats_moved_on(&mut grace, &mut active, offer).await;
}

#[tokio::test]
async fn removing_an_agent_through_the_api_moves_their_chats_on_and_closes_their_inbox() {
    removing_an_agent(From::Api).await;
}

#[tokio::test]
async fn removing_an_agent_from_the_command_line_has_the_same_live_effect() {
    removing_an_agent(From::Cli).await;
}

async fn revoking_live_chat(from: From) {
    let app = app().await;
    let (mut ada, mut grace, mut active, _offered, offer) = ada_busy(&app).await;
    match from {
        From::Api => api(&app, Method::PATCH, &format!("/agents/{ADA}"), json!({ "live_chat": false })).await,
        From::Cli => cli(&app, &["agent", "update", ADA, "--live-chat", "false"]).await,
    }
    assert_eq!(ada.close_code_within(3).await, Some(4003), "{from:?}");
    adas_chats_moved_on(&mut grace, &mut active, offer).await;
}

#[tokio::test]
async fn revoking_live_chat_through_the_api_moves_their_chats_on_and_closes_their_inbox() {
    revoking_live_chat(From::Api).await;
}

#[tokio::test]
async fn revoking_live_chat_from_the_command_line_has_the_same_live_effect() {
    revoking_live_chat(From::Cli).await;
}

/// A weekday three days from today (UTC), so a block on it never covers now.
fn another_day() -> &'static str {
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).weekday().to_monday_zero_offset();
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][usize::from(today.unsigned_abs() + 3) % 7]
}

async fn changing_a_schedule(from: From) {
    let app = app().await;
    let mut ada = app.agent(ADA).await;
    let day = another_day();
    match from {
        From::Api => {
            let schedule =
                json!({ "time_zone": "UTC", "blocks": [{ "days": [day], "from": "09:00", "to": "10:00" }] });
            api(&app, Method::PUT, &format!("/agents/{ADA}/schedule"), schedule).await;
        }
        From::Cli => {
            let block = format!("{day} 09:00-10:00");
            cli(&app, &["agent", "schedule", ADA, "--time-zone", "UTC", "--block", &block]).await;
        }
    }
    // Her inbox shows her off schedule at once: no chats until the block.
    assert_eq!(
        ada.recv().await,
        AgentOut::Availability { available: false, missed_offers: None },
        "{from:?}"
    );
}

#[tokio::test]
async fn a_schedule_set_through_the_api_reaches_the_connected_inbox() {
    changing_a_schedule(From::Api).await;
}

#[tokio::test]
async fn a_schedule_set_from_the_command_line_reaches_the_connected_inbox_too() {
    changing_a_schedule(From::Cli).await;
}

#[tokio::test]
async fn a_recorded_change_this_server_cannot_read_does_not_hold_up_the_others() {
    let app = app().await;
    let (mut ada, mut grace, mut active, _offered, offer) = ada_busy(&app).await;
    // A kind of change from a newer version, recorded first.
    app.execute("INSERT INTO changes (change, made_at) VALUES ('{\"type\":\"from_a_newer_version\"}', 0)")
        .await;
    api(&app, Method::PATCH, &format!("/agents/{ADA}"), json!({ "live_chat": false })).await;
    assert_eq!(ada.close_code_within(3).await, Some(4003));
    adas_chats_moved_on(&mut grace, &mut active, offer).await;
}

#[tokio::test]
async fn a_change_applied_by_two_passes_at_once_takes_effect_once() {
    // The poller would run its own pass meanwhile: keep it out of the way.
    let app = spawn_app_with(|s| s.routing.changes_poll_ms = 3_600_000).await;
    let (_ada, _grace, _active, _offered, _offer) = ada_busy(&app).await;
    let ada = app.state.store.agent_by_email(ADA).await.unwrap().unwrap().profile.id;
    let now = app.state.clock.now_ms();
    app.state.store.remove_agent(switchboard_server::ids::AgentId::new(ada), now).await.unwrap();
    // The API's pass and the poller's, at the same moment.
    let (a, b) = tokio::join!(
        switchboard_server::lifecycle::changes::apply_pending(&app.state),
        switchboard_server::lifecycle::changes::apply_pending(&app.state)
    );
    a.unwrap();
    b.unwrap();
    // Her active chat (the first) was ended once, with one word.
    let first = switchboard_server::ids::ConversationId::new(1);
    let said = app.state.store.messages_after(first, 0).await.unwrap();
    let notices = said.iter().filter(|m| m.author == Author::System).count();
    assert_eq!(notices, 1, "{said:?}");
}
