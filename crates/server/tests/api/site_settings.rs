//! A site's settings: blocked email domains and chat switched off, as the
//! admin sets them, the widget's config shows them, and the visitor socket
//! enforces them.

use switchboard_protocol::admin::{NewSite, SiteChange};
use switchboard_protocol::site::SiteConfig;
use switchboard_protocol::wire::{ConversationState, ErrorCode, VisitorIn, VisitorOut};

use crate::helpers::{spawn_app, TestApp, ALLOWED};
use crate::ws_client::{connect, VisitorClient};

pub async fn config(app: &TestApp, key: &str) -> SiteConfig {
    let r = app.http.get(format!("{}/api/sites/{key}/config", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn handoff(email: &str) -> VisitorIn {
    VisitorIn::Handoff {
        stream: "recommended".into(),
        version: 1,
        card: "agent".into(),
        attributes: [("email".to_owned(), email.to_owned())].into(),
        transcript: vec![],
        page: Default::default(),
    }
}

async fn error_code(c: &mut VisitorClient) -> ErrorCode {
    match c.recv().await {
        VisitorOut::Error { code, .. } => code,
        other => panic!("expected an error, got {other:?}"),
    }
}

async fn change(app: &TestApp, change: SiteChange) {
    app.admin().await.update_site("demo", &change).await.unwrap();
}

/// How many conversations the demo site has.
async fn conversations(app: &TestApp) -> usize {
    let mut n = 0;
    for state in [ConversationState::Waiting, ConversationState::Offered, ConversationState::Fallback] {
        n += app.state.store.conversations_in(state, None).await.unwrap().len();
    }
    n
}

#[tokio::test]
async fn an_admin_blocks_email_domains_and_switches_chat_off_and_the_widget_config_says_so() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let fresh = config(&app, "demo").await;
    assert!(fresh.chat_enabled && fresh.blocked_email_domains.is_empty());
    assert!(!fresh.streams.is_empty());

    let site = NewSite {
        key: "acme".into(),
        name: "Acme".into(),
        allowed_origins: vec![],
        blocked_email_domains: vec!["@Hotmail.com".into(), "gmail.com".into()],
        chat_enabled: Some(false),
    };
    let view = admin.add_site(&site).await.unwrap();
    assert_eq!(view.blocked_email_domains, ["gmail.com", "hotmail.com"]);
    assert!(!view.chat_enabled);

    let block = SiteChange {
        blocked_email_domains: Some(vec!["GMail.com".into(), "gmail.com".into(), "yahoo.com".into()]),
        ..Default::default()
    };
    let view = admin.update_site("demo", &block).await.unwrap();
    assert_eq!(view.blocked_email_domains, ["gmail.com", "yahoo.com"], "normalized, once each");
    assert!(view.chat_enabled, "unchanged");
    assert_eq!(config(&app, "demo").await.blocked_email_domains, ["gmail.com", "yahoo.com"]);

    let bad = SiteChange {
        blocked_email_domains: Some(vec!["gmail".into(), "ok.com".into(), "bad domain.com".into()]),
        chat_enabled: Some(false),
        ..Default::default()
    };
    let refused = admin.update_site("demo", &bad).await.unwrap_err();
    assert_eq!(refused.status, 400);
    assert_eq!(refused.fields(), ["blocked_email_domains", "blocked_email_domains"]);
    assert!(refused.body.error.fields[1].message.contains("\"bad domain.com\""), "{refused:?}");
    let unchanged = admin.site("demo").await.unwrap();
    assert!(unchanged.chat_enabled, "a refused change changes nothing");
    assert_eq!(unchanged.blocked_email_domains, ["gmail.com", "yahoo.com"]);

    change(&app, SiteChange { chat_enabled: Some(false), ..Default::default() }).await;
    let off = config(&app, "demo").await;
    assert!(!off.chat_enabled, "the widget shows nothing");
    assert!(off.streams.is_empty(), "nothing to run");
    change(
        &app,
        SiteChange { chat_enabled: Some(true), blocked_email_domains: Some(vec![]), ..Default::default() },
    )
    .await;
    let on = config(&app, "demo").await;
    assert!(on.chat_enabled && on.blocked_email_domains.is_empty() && !on.streams.is_empty());
}

#[tokio::test]
async fn a_hand_off_with_an_email_at_a_blocked_domain_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    change(&app, SiteChange { blocked_email_domains: Some(vec!["gmail.com".into()]), ..Default::default() })
        .await;
    let mut v = connect(&app.url, "demo", ALLOWED).await.unwrap();
    v.hello(None, 0).await;
    v.send(&handoff("Jo@GMAIL.com")).await;
    assert_eq!(error_code(&mut v).await, ErrorCode::BlockedEmail);
    assert_eq!(conversations(&app).await, 0, "nothing stored");
    // A subdomain is not the domain; a work address goes through.
    v.send(&handoff("jo@bigcorp.com")).await;
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Waiting });
}

#[tokio::test]
async fn with_chat_off_no_new_visitor_or_hand_off_is_taken_but_an_open_chat_goes_on() {
    let app = spawn_app().await;
    let mut ada = app.agent("ada@example.com").await;
    // One visitor in a chat with Ada, one who said hello but has not handed off.
    let mut chatting = connect(&app.url, "demo", ALLOWED).await.unwrap();
    let (token, _) = chatting.hello(None, 0).await;
    chatting.send(&handoff("jo@bigcorp.com")).await;
    assert_eq!(chatting.recv().await, VisitorOut::State { state: ConversationState::Waiting });
    let conversation = match ada.recv().await {
        switchboard_protocol::wire::AgentOut::Offer { conversation, .. } => conversation,
        other => panic!("expected an offer, got {other:?}"),
    };
    ada.accept(conversation).await;
    let mut browsing = connect(&app.url, "demo", ALLOWED).await.unwrap();
    let (browsing_token, _) = browsing.hello(None, 0).await;

    change(&app, SiteChange { chat_enabled: Some(false), ..Default::default() }).await;

    // A new visitor is refused, and the socket closes.
    let mut new = connect(&app.url, "demo", ALLOWED).await.unwrap();
    new.send(&VisitorIn::Hello {
        protocol: switchboard_protocol::PROTOCOL_VERSION,
        token: None,
        last_seq: 0,
        epoch: None,
    })
    .await;
    assert_eq!(error_code(&mut new).await, ErrorCode::ChatDisabled);
    assert_eq!(new.close_code_within(5).await, Some(1008));
    // A known visitor without a chat may say hello, but not hand off.
    browsing.send(&handoff("kim@bigcorp.com")).await;
    assert_eq!(error_code(&mut browsing).await, ErrorCode::ChatDisabled);
    let mut again = connect(&app.url, "demo", ALLOWED).await.unwrap();
    again.hello(Some(&browsing_token), 0).await;
    again.send(&handoff("kim@bigcorp.com")).await;
    assert_eq!(error_code(&mut again).await, ErrorCode::ChatDisabled);

    // The open chat goes on, also after a reconnect.
    drop(chatting);
    let mut back = connect(&app.url, "demo", ALLOWED).await.unwrap();
    let (_, state) = back.hello(Some(&token), 0).await;
    assert_eq!(state, Some(ConversationState::Active));
    back.send(&VisitorIn::Message { client_id: "m1".into(), text: "Still there?".into() }).await;
    loop {
        match ada.recv().await {
            switchboard_protocol::wire::AgentOut::Message { message, .. } => {
                assert_eq!(message.text, "Still there?");
                break;
            }
            _ => continue,
        }
    }
}
