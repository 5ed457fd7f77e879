//! What a hostile visitor or page could do before, each closed: sessions
//! that outlived their end, routing chosen by the visitor, forgeable
//! logout and cookie writes, floods, password guessing, and two bugs.

use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use switchboard_protocol::stream::Routing;
use switchboard_protocol::wire::{AgentOut, ConversationState, ErrorCode, VisitorIn, VisitorOut};

use crate::helpers::{spawn_app, spawn_app_with, TestApp, ALLOWED};
use crate::ws_client::{connect, connect_agent, connect_from, AgentClient, VisitorClient};

const ADA: &str = "ada@example.com";
const GRACE: &str = "grace@example.com";
const ADMIN: &str = "admin@example.com";

fn handoff_at(stream: &str, version: u32, card: &str) -> VisitorIn {
    VisitorIn::Handoff {
        stream: stream.into(),
        version,
        card: card.into(),
        attributes: Default::default(),
        transcript: vec![],
        page: Default::default(),
    }
}

/// The demo stream's live chat card (round robin).
fn handoff() -> VisitorIn {
    handoff_at("recommended", 1, "agent")
}

async fn greeted(app: &TestApp) -> (VisitorClient, String) {
    let mut v = connect(&app.url, "demo", ALLOWED).await.unwrap();
    let (token, _) = v.hello(None, 0).await;
    (v, token)
}

/// Reads until the hand-off is waiting for an agent.
async fn waiting(v: &mut VisitorClient) {
    loop {
        match v.recv().await {
            VisitorOut::State { state: ConversationState::Waiting } => return,
            VisitorOut::Error { code, message } => panic!("refused: {code:?} {message}"),
            _ => {}
        }
    }
}

async fn error_code(v: &mut VisitorClient) -> ErrorCode {
    loop {
        if let VisitorOut::Error { code, .. } = v.recv().await {
            return code;
        }
    }
}

async fn offered(a: &mut AgentClient) -> i64 {
    loop {
        match a.recv().await {
            AgentOut::Offer { conversation, .. } => return conversation,
            AgentOut::Availability { .. } => {}
            other => panic!("expected an offer, got {other:?}"),
        }
    }
}

/// Ada's inbox socket with a cookie session (as the inbox has it).
async fn ada_by_cookie(app: &TestApp) -> (AgentClient, String) {
    let token = app.session(ADA).await;
    let mut a = connect_agent(&app.url, Some(&token), Some(&app.url)).await.unwrap();
    a.hello().await;
    (a, token)
}

fn post_logout(app: &TestApp, cookie: &str, origin: &str) -> reqwest::RequestBuilder {
    app.http
        .post(format!("{}/api/auth/logout", app.url))
        .header("Cookie", format!("sb_session={cookie}"))
        .header("Origin", origin)
        .json(&json!({}))
}

#[tokio::test]
async fn an_agent_socket_closes_when_its_session_logs_out() {
    let app = spawn_app().await;
    let (mut ada, token) = ada_by_cookie(&app).await;
    let r = post_logout(&app, &token, &app.url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(ada.close_code_within(2).await, Some(4001), "closed as a session end");
    // The ended session opens nothing again.
    assert_eq!(connect_agent(&app.url, Some(&token), Some(&app.url)).await.err(), Some(401));
}

#[tokio::test]
async fn an_agent_socket_closes_when_an_admin_resets_her_password() {
    let app = spawn_app().await;
    let (mut ada, _) = ada_by_cookie(&app).await;
    let r = app
        .as_admin(Method::PUT, &format!("/agents/{ADA}/password"))
        .await
        .json(&json!({ "password": "a brand new password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(ada.close_code_within(2).await, Some(4001));
}

#[tokio::test]
async fn an_agent_socket_closes_when_the_session_ends_outside_the_server() {
    // Sessions ended in storage with no change recorded for this server
    // (another writer, a node that died before telling): the socket finds
    // out at its next check. (Changes the command line makes are recorded
    // and applied at once: see live_admin.)
    let app = spawn_app_with(|s| {
        s.limits.session_check_secs = 1;
        s.routing.changes_poll_ms = 3_600_000;
    })
    .await;
    let (mut ada, _) = ada_by_cookie(&app).await;
    app.execute("DELETE FROM sessions").await;
    assert_eq!(ada.close_code_within(4).await, Some(4001));
}

#[tokio::test]
async fn an_agent_socket_closes_when_she_loses_the_live_chat_permission() {
    let app = spawn_app().await;
    let (mut ada, token) = ada_by_cookie(&app).await;
    let r = app
        .as_admin(Method::PATCH, &format!("/agents/{ADA}"))
        .await
        .json(&json!({ "live_chat": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(ada.close_code_within(2).await, Some(4003));
    assert_eq!(connect_agent(&app.url, Some(&token), Some(&app.url)).await.err(), Some(403));
}

#[tokio::test]
async fn a_hand_off_is_routed_by_the_servers_card_and_cannot_name_its_routing() {
    let app = spawn_app().await;
    let mut ada = app.agent(ADA).await;
    let mut grace = app.agent(GRACE).await;
    let (stream, version, card) = app.live_chat(Routing::Agent(ADA.into())).await;
    let (mut v, _) = greeted(&app).await;
    // An old-style frame naming Grace: the routing is not the client's to set.
    let forged = json!({
        "type": "handoff", "stream": stream, "version": version, "card": card,
        "routing": { "agent": GRACE },
    });
    v.send_raw(forged.to_string()).await;
    assert_eq!(error_code(&mut v).await, ErrorCode::BadFrame);
    v.send(&handoff_at(&stream, version, &card)).await;
    waiting(&mut v).await;
    offered(&mut ada).await;
    grace.silent_for(300).await;
}

#[tokio::test]
async fn a_hand_off_at_a_card_the_site_never_published_is_refused() {
    // (Refused hand-offs count against the visitor's allowance too.)
    let app = spawn_app_with(|s| s.limits.handoffs_per_visitor_per_minute = 10).await;
    let (mut v, _) = greeted(&app).await;
    for frame in [
        handoff_at("recommended", 1, "hello"),    // not a live chat card
        handoff_at("recommended", 7, "agent"),    // no such version
        handoff_at("no-such-stream", 1, "agent"), // no such stream
    ] {
        v.send(&frame).await;
        assert_eq!(error_code(&mut v).await, ErrorCode::UnknownCard);
    }
    assert!(app.state.store.conversations_in(ConversationState::Waiting, None).await.unwrap().is_empty());
    v.send(&handoff_at("recommended", 1, "agent")).await;
    waiting(&mut v).await;
}

async fn republish(app: &TestApp, id: &str) -> u32 {
    let site = app.demo_site().await;
    let stream = app.state.store.streams(site.id).await.unwrap().into_iter().find(|s| s.id == id).unwrap();
    let valid = switchboard_protocol::stream::Stream { version: 0, ..stream }.validate().unwrap();
    app.state.store.publish_stream(site.id, &valid, "", app.state.clock.now_ms()).await.unwrap()
}

#[tokio::test]
async fn a_visitor_finishes_the_version_they_started_for_a_while_after_a_republish() {
    let app = spawn_app().await;
    assert_eq!(republish(&app, "recommended").await, 2);
    let (mut v, _) = greeted(&app).await;
    v.send(&handoff_at("recommended", 1, "agent")).await;
    waiting(&mut v).await;
}

#[tokio::test]
async fn an_old_version_or_a_removed_stream_takes_no_hand_off() {
    let app = spawn_app_with(|s| s.limits.stream_version_grace_secs = 0).await;
    republish(&app, "recommended").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (mut v, _) = greeted(&app).await;
    v.send(&handoff_at("recommended", 1, "agent")).await;
    assert_eq!(error_code(&mut v).await, ErrorCode::UnknownCard, "superseded");
    let site = app.demo_site().await;
    assert!(app.state.store.delete_stream(site.id, "recommended").await.unwrap());
    v.send(&handoff_at("recommended", 2, "agent")).await;
    assert_eq!(error_code(&mut v).await, ErrorCode::UnknownCard, "removed");
}

#[tokio::test]
async fn a_hand_off_from_another_tab_is_withdrawn_when_the_last_tab_goes() {
    let app = spawn_app_with(|s| s.limits.visitor_gone_secs = 1).await;
    let mut ada = app.agent(ADA).await;
    let (mut a, token) = greeted(&app).await;
    let mut b = connect(&app.url, "demo", ALLOWED).await.unwrap();
    b.hello(Some(&token), 0).await;
    a.send(&handoff()).await;
    offered(&mut ada).await;
    // The tab that handed off goes first; the one that never did goes last.
    a.close().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    b.close().await;
    loop {
        if let AgentOut::Withdrawn { .. } = ada.recv().await {
            break;
        }
    }
}

#[tokio::test]
async fn the_public_config_names_no_agent() {
    let app = spawn_app().await;
    app.live_chat(Routing::Agent(ADA.into())).await;
    let r = app
        .http
        .get(format!("{}/api/sites/demo/config", app.url))
        .header("Origin", ALLOWED)
        .send()
        .await
        .unwrap();
    let body = r.text().await.unwrap();
    assert!(body.contains("\"agent\":\"agent-"), "an opaque reference stands in: {body}");
    assert!(!body.contains(&format!("{{\"agent\":\"{ADA}\"}}")), "{body}");
}

#[tokio::test]
async fn logout_from_another_origin_or_without_a_session_clears_nothing() {
    let app = spawn_app().await;
    let token = app.session(ADA).await;
    let me = |t: String| {
        app.http.get(format!("{}/api/auth/me", app.url)).header("Cookie", format!("sb_session={t}")).send()
    };
    // Another port of the same site: SameSite does not stop it, Origin does.
    let r = post_logout(&app, &token, "http://127.0.0.1:1").send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("set-cookie").is_none());
    // A plain form post (not JSON) cannot log out either.
    let r = app
        .http
        .post(format!("{}/api/auth/logout", app.url))
        .header("Cookie", format!("sb_session={token}"))
        .header("Origin", &app.url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("x=1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert_eq!(me(token.clone()).await.unwrap().status(), 200, "still signed in");
    // No session: 401 and no cookie cleared.
    let r = post_logout(&app, "forged", &app.url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("set-cookie").is_none());
    let r = app.http.post(format!("{}/api/auth/logout", app.url)).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn a_cookie_write_from_another_origin_is_refused_but_a_bearer_token_is_not() {
    let app = spawn_app().await;
    let admin = app.session(ADMIN).await;
    let patch = |origin: Option<&str>, bearer: bool| {
        let mut r =
            app.http.patch(format!("{}/api/admin/agents/{GRACE}", app.url)).json(&json!({ "name": "G" }));
        r = if bearer { r.bearer_auth(&admin) } else { r.header("Cookie", format!("sb_session={admin}")) };
        if let Some(o) = origin {
            r = r.header("Origin", o);
        }
        r.send()
    };
    let refused = patch(Some("http://127.0.0.1:1"), false).await.unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(refused.json::<Value>().await.unwrap()["error"]["code"], "origin_not_allowed");
    assert_eq!(
        patch(None, false).await.unwrap().status(),
        403,
        "a cookie write must say where it comes from"
    );
    assert_eq!(patch(Some(&app.url), false).await.unwrap().status(), 200);
    assert_eq!(
        patch(Some("http://127.0.0.1:1"), true).await.unwrap().status(),
        200,
        "bearer callers are exempt"
    );
    // Logging in writes the cookie: not from another origin either.
    let r = app
        .http
        .post(format!("{}/api/auth/login", app.url))
        .header("Origin", "http://127.0.0.1:1")
        .json(&json!({ "email": ADA, "password": app.password(ADA) }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn a_visitor_token_holds_a_limited_number_of_sockets() {
    let app = spawn_app_with(|s| s.limits.sockets_per_visitor = 2).await;
    let (_a, token) = greeted(&app).await;
    let mut b = connect(&app.url, "demo", ALLOWED).await.unwrap();
    b.hello(Some(&token), 0).await;
    let mut c = connect(&app.url, "demo", ALLOWED).await.unwrap();
    c.send(&VisitorIn::Hello { protocol: 1, token: Some(token.clone()), last_seq: 0, epoch: None }).await;
    assert_eq!(error_code(&mut c).await, ErrorCode::TooManySockets);
    assert_eq!(c.close_code_within(2).await, Some(1008));
    // One closes: there is room again.
    b.close().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut d = connect(&app.url, "demo", ALLOWED).await.unwrap();
    d.hello(Some(&token), 0).await;
}

#[tokio::test]
async fn an_address_holds_a_limited_number_of_visitor_sockets() {
    let app = spawn_app_with(|s| s.limits.sockets_per_address = 3).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect(&app.url, "demo", ALLOWED).await.unwrap());
    }
    let r = app
        .http
        .get(format!("{}/ws/visitor?site=demo", app.url))
        .header("Origin", ALLOWED)
        .header("Connection", "upgrade")
        .header("Upgrade", "websocket")
        .header("Sec-WebSocket-Version", "13")
        .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_some());
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "too_many_sockets");
    assert!(connect_from(&app.url, "demo", ALLOWED, [127, 0, 0, 2]).await.is_ok(), "another address");
}

#[tokio::test]
async fn a_visitors_sockets_share_one_frame_allowance() {
    let app = spawn_app_with(|s| {
        s.limits.frames_burst = 6;
        s.limits.frames_per_sec = 1;
    })
    .await;
    let (mut a, token) = greeted(&app).await;
    let mut b = connect(&app.url, "demo", ALLOWED).await.unwrap();
    b.hello(Some(&token), 0).await;
    // (Hello came out of each socket's own allowance; after it they share one.)
    for _ in 0..3 {
        a.send(&VisitorIn::Typing { typing: true }).await;
        b.send(&VisitorIn::Typing { typing: false }).await;
    }
    for v in [&mut a, &mut b] {
        for _ in 0..3 {
            assert_eq!(error_code(v).await, ErrorCode::NoConversation);
        }
    }
    b.send(&VisitorIn::Typing { typing: true }).await;
    assert_eq!(error_code(&mut b).await, ErrorCode::RateLimited, "the shared allowance is spent");
}

#[tokio::test]
async fn a_flood_is_told_once_and_a_socket_that_keeps_on_is_closed() {
    let app = spawn_app_with(|s| {
        s.limits.frames_burst = 2;
        s.limits.frames_per_sec = 1;
        s.limits.refusals_before_close = 20;
    })
    .await;
    let (mut v, _) = greeted(&app).await;
    for _ in 0..30 {
        v.send_raw("{}".into()).await;
    }
    let frames = v.frames_until_closed(5).await;
    let codes: Vec<ErrorCode> = frames
        .iter()
        .map(|f| match f {
            VisitorOut::Error { code, .. } => *code,
            other => panic!("{other:?}"),
        })
        .collect();
    // Two bad frames answered (the burst), then one word about the flood; closed after
    // 20 refusals, not 30 error frames.
    assert_eq!(codes, [ErrorCode::BadFrame, ErrorCode::BadFrame, ErrorCode::RateLimited]);
}

#[tokio::test]
async fn a_visitor_has_one_open_conversation_even_from_two_sockets() {
    let app = spawn_app().await;
    // An agent is there, so the first chat stays open (offered) rather than
    // falling back at once, which would leave room for a second.
    let _ada = app.agent(ADA).await;
    let (mut a, token) = greeted(&app).await;
    let mut b = connect(&app.url, "demo", ALLOWED).await.unwrap();
    b.hello(Some(&token), 0).await;
    a.send(&handoff()).await;
    b.send(&handoff()).await;
    let mut codes = Vec::new();
    for v in [&mut a, &mut b] {
        match v.recv().await {
            VisitorOut::State { state: ConversationState::Waiting } => codes.push(None),
            VisitorOut::Error { code, .. } => codes.push(Some(code)),
            other => panic!("{other:?}"),
        }
    }
    codes.sort_by_key(Option::is_some);
    assert_eq!(codes, [None, Some(ErrorCode::AlreadyHandedOff)]);
}

#[tokio::test]
async fn hand_offs_a_minute_are_limited_per_visitor_and_per_address() {
    let app = spawn_app_with(|s| {
        s.limits.handoffs_per_visitor_per_minute = 2;
        s.limits.handoffs_per_address_per_minute = 3;
    })
    .await;
    let (mut v, _) = greeted(&app).await;
    for _ in 0..2 {
        v.send(&handoff()).await;
        waiting(&mut v).await;
        v.send(&VisitorIn::End).await;
        // Ended by the visitor, or fallen back first (no agent is on).
        loop {
            match v.recv().await {
                VisitorOut::State { state: ConversationState::Ended }
                | VisitorOut::Error { code: ErrorCode::Ended, .. } => break,
                _ => {}
            }
        }
    }
    v.send(&handoff()).await;
    assert_eq!(error_code(&mut v).await, ErrorCode::TooManyHandoffs);
    // A second visitor from the same address has one left, then none.
    let (mut w, _) = greeted(&app).await;
    w.send(&handoff()).await;
    waiting(&mut w).await;
    let (mut x, _) = greeted(&app).await;
    x.send(&handoff()).await;
    assert_eq!(error_code(&mut x).await, ErrorCode::TooManyHandoffs);
}

#[tokio::test]
async fn scripted_hand_offs_do_not_take_the_capacity_meant_for_real_visitors() {
    let app = spawn_app_with(|s| {
        s.routing.capacity = 2;
        s.limits.visitor_gone_secs = 1;
    })
    .await;
    let mut ada = app.agent(ADA).await;
    // A script hands off 30 times from one address, then goes.
    let mut refused = 0;
    let mut script = Vec::new();
    for _ in 0..30 {
        let (mut v, _) = greeted(&app).await;
        v.send(&handoff()).await;
        match v.recv().await {
            VisitorOut::State { state: ConversationState::Waiting } => script.push(v),
            VisitorOut::Error { code: ErrorCode::TooManyHandoffs, .. } => refused += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(refused, 20, "ten a minute from one address");
    for _ in 0..2 {
        offered(&mut ada).await;
    }
    drop(script);
    // Its unaccepted hand-offs are withdrawn once it has been gone a moment.
    for _ in 0..2 {
        loop {
            if let AgentOut::Withdrawn { .. } = ada.recv().await {
                break;
            }
        }
    }
    // A real visitor, elsewhere, reaches Ada.
    let mut real = connect_from(&app.url, "demo", ALLOWED, [127, 0, 0, 2]).await.unwrap();
    real.hello(None, 0).await;
    real.send(&handoff()).await;
    waiting(&mut real).await;
    offered(&mut ada).await;
}

#[tokio::test]
async fn a_visitor_who_comes_back_in_time_keeps_their_hand_off() {
    let app = spawn_app_with(|s| s.limits.visitor_gone_secs = 1).await;
    let mut ada = app.agent(ADA).await;
    let (mut v, token) = greeted(&app).await;
    v.send(&handoff()).await;
    let conv = offered(&mut ada).await;
    v.close().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut back = connect(&app.url, "demo", ALLOWED).await.unwrap();
    back.hello(Some(&token), 0).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    ada.accept(conv).await;
}

#[tokio::test]
async fn login_is_throttled_after_failures_then_allowed_after_the_delay() {
    let app = spawn_app_with(|s| s.limits.login_free_attempts = 2).await;
    for _ in 0..3 {
        assert_eq!(app.login(ADA, "wrong password").await.status(), 401);
    }
    // Even the right password waits now.
    let r = app.login(ADA, &app.password(ADA)).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "1");
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "too_many_attempts");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(app.login(ADA, &app.password(ADA)).await.status(), 200);
    // Another account from the same address was never held up.
    assert_eq!(app.login(GRACE, &app.password(GRACE)).await.status(), 200);
}

#[tokio::test]
async fn an_admin_lifts_a_lockout() {
    let app = spawn_app_with(|s| s.limits.login_free_attempts = 1).await;
    for _ in 0..4 {
        app.login(ADA, "wrong password").await;
    }
    assert_eq!(app.login(ADA, &app.password(ADA)).await.status(), 429);
    let r = app.as_admin(Method::DELETE, &format!("/agents/{ADA}/lockout")).await.send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(app.login(ADA, &app.password(ADA)).await.status(), 200);
}

#[tokio::test]
async fn chat_stays_quick_while_passwords_are_guessed() {
    let app = spawn_app_with(|s| {
        s.limits.login_free_attempts = 100_000;
        s.limits.login_account_free_attempts = 100_000;
        s.limits.login_address_free_attempts = 100_000;
        s.limits.frames_per_sec = 1000;
    })
    .await;
    let mut ada = app.agent(ADA).await;
    let (mut v, _) = greeted(&app).await;
    v.send(&handoff()).await;
    let conv = offered(&mut ada).await;
    ada.accept(conv).await;
    while !matches!(v.recv().await, VisitorOut::State { state: ConversationState::Active }) {}
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut guessers = Vec::new();
    for i in 0..8 {
        let (http, url, stop) = (app.http.clone(), app.url.clone(), stop.clone());
        guessers.push(tokio::spawn(async move {
            let mut n = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // Half at a real account, half at unknown ones (checked
                // against a dummy hash, so as slow).
                let email = if i % 2 == 0 { ADA.to_owned() } else { format!("nobody{n}@example.com") };
                let body = json!({ "email": email, "password": format!("guess {i} {n}") });
                let _ = http.post(format!("{url}/api/auth/login")).json(&body).send().await;
                n += 1;
            }
            n
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut latencies = Vec::new();
    for i in 0..60 {
        let sent = Instant::now();
        v.send(&VisitorIn::Message { client_id: format!("m{i}"), text: "hello?".into() }).await;
        loop {
            if let AgentOut::Message { .. } = ada.recv().await {
                break;
            }
        }
        latencies.push(sent.elapsed());
        while !matches!(v.recv().await, VisitorOut::Message(_)) {}
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let guesses: u32 = futures_util::future::join_all(guessers).await.into_iter().map(Result::unwrap).sum();
    latencies.sort();
    let p99 = latencies[latencies.len() * 99 / 100 - 1];
    eprintln!("delivery p99 {p99:?} (median {:?}) while {guesses} guesses were checked", latencies[30]);
    assert!(guesses > 8, "the guessers ran");
    // Loosely (tests share the machine); `cargo xtask bench` measures it.
    assert!(p99 < Duration::from_millis(250), "p99 {p99:?}");
}

#[tokio::test]
async fn a_stream_larger_than_other_bodies_is_published_over_the_api() {
    let app = spawn_app().await;
    let admin = app.session(ADMIN).await;
    let mut file = String::from("id = \"big\"\nname = \"Big\"\n");
    for i in 0..60 {
        let next = if i < 59 { format!("m{}", i + 1) } else { "bye".to_owned() };
        let next = format!("next = \"{next}\"\n");
        file += &format!(
            "\n[[card]]\nid = \"m{i}\"\ntype = \"message\"\ntext = \"{}\"\n{next}",
            "x".repeat(1400)
        );
    }
    file += "\n[[card]]\nid = \"bye\"\ntype = \"end\"\n";
    assert!(file.len() > 80 * 1024 && file.len() < 96 * 1024, "{}", file.len());
    let r = app
        .http
        .put(format!("{}/api/admin/sites/demo/streams", app.url))
        .bearer_auth(&admin)
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn a_refused_agent_change_changes_nothing() {
    let app = spawn_app().await;
    let r = app
        .as_admin(Method::PATCH, &format!("/agents/{GRACE}"))
        .await
        .json(&json!({ "name": "", "live_chat": false, "avatar_url": "https://cdn.example.com/g.png" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let agents: Value =
        app.as_admin(Method::GET, "/agents").await.send().await.unwrap().json().await.unwrap();
    let grace = agents.as_array().unwrap().iter().find(|a| a["email"] == GRACE).unwrap().clone();
    assert_eq!(grace["live_chat"], true, "{grace}");
    assert_ne!(grace["avatar_url"], "https://cdn.example.com/g.png", "{grace}");
    assert_eq!(grace["name"], "Grace Hopper", "{grace}");
}

#[tokio::test]
async fn an_agent_socket_from_another_origin_is_refused() {
    let app = spawn_app().await;
    let token = app.session(ADA).await;
    assert_eq!(connect_agent(&app.url, Some(&token), Some("http://127.0.0.1:1")).await.err(), Some(403));
}
