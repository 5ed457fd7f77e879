//! An admin changes an agent's login email: the agent signs in again with
//! the new one (their sessions and sockets end), another agent's email is
//! refused, and everything that names them by email follows them (account
//! routes, rules, teams, live chat cards, a pending invitation), while their
//! conversations stay theirs.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use switchboard_protocol::admin::{
    AcceptInvitation, AccountToken, AgentChange, ConversationPage, NewAccountRoute, NewAgent,
};
use switchboard_protocol::auth::Role;
use switchboard_protocol::rules::{RoutingRule, Target};
use switchboard_protocol::stream::Routing;
use switchboard_protocol::wire::{
    AgentIn, AgentOut, ConversationState, PageContext, TransferTarget, VisitorIn, VisitorOut,
};
use switchboard_server::ids::ConversationId;

use crate::admin_cli::stdout;
use crate::admin_client::AdminClient;
use crate::helpers::{spawn_app, spawn_app_with, team, TestApp, ALLOWED};
use crate::openapi::{document, fits};
use crate::ws_client::{connect, connect_agent, AgentClient, VisitorClient};

const ADA: &str = "ada@example.com";
/// Ada's new address.
const KING: &str = "ada.king@example.com";
const GRACE: &str = "grace@example.com";

fn to(email: &str) -> AgentChange {
    AgentChange { email: Some(email.into()), ..Default::default() }
}

/// Signs in as `email` with Ada's password; the session, or the refusal's status.
async fn ada_signs_in_as(app: &TestApp, email: &str) -> Result<String, StatusCode> {
    let r = app.login(email, &app.password(ADA)).await;
    if r.status() != StatusCode::OK {
        return Err(r.status());
    }
    Ok(r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned())
}

/// `GET /api/auth/me` with a session.
async fn me(app: &TestApp, session: &str) -> StatusCode {
    app.http.get(format!("{}/api/auth/me", app.url)).bearer_auth(session).send().await.unwrap().status()
}

/// Ada's inbox, connected with a session of `email`.
async fn ada_connects_as(app: &TestApp, email: &str) -> (AgentClient, String) {
    let session = ada_signs_in_as(app, email).await.unwrap();
    let mut ada = connect_agent(&app.url, Some(&session), Some(&app.url)).await.unwrap();
    ada.hello().await;
    (ada, session)
}

/// A visitor hands off at `card` of `stream` (version 1) with these
/// attributes and browser language; waiting for routing.
async fn hand_off(
    app: &TestApp,
    stream: &str,
    card: &str,
    attrs: &[(&str, &str)],
    lang: &str,
) -> VisitorClient {
    let mut v = connect(&app.url, "demo", ALLOWED).await.unwrap();
    v.hello(None, 0).await;
    let page = PageContext { url: format!("{ALLOWED}/"), language: lang.into(), ..Default::default() };
    v.send(&VisitorIn::Handoff {
        stream: stream.into(),
        version: 1,
        card: card.into(),
        attributes: attrs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        transcript: vec![],
        page,
    })
    .await;
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Waiting });
    v
}

/// The conversation of the next offer `a` gets (other frames skipped).
async fn offered(a: &mut AgentClient) -> i64 {
    loop {
        if let AgentOut::Offer { conversation, .. } = a.recv().await {
            return conversation;
        }
    }
}

/// Where routing sent conversation `c`: the agent's email and the rotation.
async fn routed(app: &TestApp, c: i64) -> (String, String) {
    let r = app.as_admin(Method::GET, &format!("/conversations/{c}/explain")).await.send().await.unwrap();
    let e: Value = r.json().await.unwrap();
    let outcome = &e["decisions"][0]["outcome"];
    assert_eq!(outcome["to"], "offer", "{e}");
    (outcome["email"].as_str().unwrap().to_owned(), outcome["pool"].as_str().unwrap().to_owned())
}

/// A stream with one live chat card per way of naming Ada: by her email,
/// by a team, by the site's rules (with a comment the file keeps).
const STREAM: &str = r#"id = "help"
name = "Help"
targets = ["/help"]

[[card]]
id = "ada"
type = "live_chat"
# Ada knows the product best.
routing = { agent = "Ada@Example.com" }

[[card]]
id = "sales"
type = "live_chat"
routing = { team = "Sales" }

[[card]]
id = "rules"
type = "live_chat"
routing = "rules"
"#;

#[tokio::test]
async fn an_admin_changes_an_agents_email_and_she_signs_in_with_the_new_one() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (mut ada, _) = ada_connects_as(&app, ADA).await;
    // A chat she took before the change.
    let mut v = hand_off(&app, "recommended", "agent", &[], "en").await;
    let c = offered(&mut ada).await;
    ada.accept(c).await;
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Offered });
    assert!(matches!(v.recv().await, VisitorOut::Agent(_)));

    let changed = admin.update_agent(ADA, &to(" ada.king@Example.COM ")).await.unwrap();
    assert_eq!(changed.profile.email, KING, "normalized as a new agent's is");
    assert_eq!(changed.profile.name, "Ada Lovelace");
    assert_eq!(admin.agent(ADA).await.unwrap_err().status, StatusCode::NOT_FOUND);
    assert_eq!(admin.agent(KING).await.unwrap().profile.id, changed.profile.id);
    let emails: Vec<String> = admin.agents().await.unwrap().into_iter().map(|a| a.profile.email).collect();
    assert!(emails.contains(&KING.to_owned()) && !emails.contains(&ADA.to_owned()), "{emails:?}");

    // The same password, the new email; the old one signs nobody in.
    assert_eq!(ada_signs_in_as(&app, ADA).await.unwrap_err(), StatusCode::UNAUTHORIZED);
    let session = ada_signs_in_as(&app, KING).await.unwrap();
    assert_eq!(me(&app, &session).await, StatusCode::OK);

    // Her conversations are still hers.
    let r = app.as_admin(Method::GET, &format!("/conversations?agent={KING}")).await.send().await.unwrap();
    let page: ConversationPage = r.json().await.unwrap();
    assert_eq!(page.items.iter().map(|i| i.id).collect::<Vec<_>>(), [c]);
}

#[tokio::test]
async fn her_open_inbox_closes_and_her_old_session_is_refused_after_the_change() {
    let app = spawn_app().await;
    let (mut ada, old_session) = ada_connects_as(&app, ADA).await;
    let admin = app.admin().await;
    admin.update_agent(ADA, &to(KING)).await.unwrap();
    assert_eq!(ada.close_code_within(2).await, Some(4001), "closed as a session end");
    assert_eq!(me(&app, &old_session).await, StatusCode::UNAUTHORIZED);
    assert_eq!(connect_agent(&app.url, Some(&old_session), Some(&app.url)).await.err(), Some(401));
    // She comes back with the new email.
    let (mut ada, _) = ada_connects_as(&app, KING).await;
    ada.silent_for(100).await;
}

#[tokio::test]
async fn changing_an_email_from_the_command_line_closes_her_inbox_too() {
    let app = spawn_app_with(|s| s.routing.changes_poll_ms = 100).await;
    let (mut ada, _) = ada_connects_as(&app, ADA).await;
    let run = |args: [&'static str; 5]| {
        let mut command = app.cli();
        command.args(args);
        tokio::task::spawn_blocking(move || command.output().unwrap())
    };
    // Refused as the API refuses it, in the same words.
    let taken = run(["agent", "update", ADA, "--email", GRACE]).await.unwrap();
    let api = app.admin().await.update_agent(ADA, &to(GRACE)).await.unwrap_err();
    assert_eq!(taken.status.code(), Some(1));
    let said = String::from_utf8_lossy(&taken.stderr);
    assert_eq!(said, format!("error: {}\n", api.body.error.message));
    assert_eq!(said, "error: email: another agent has the email grace@example.com\n");
    let out = stdout(&run(["agent", "update", ADA, "--email", KING]).await.unwrap());
    assert!(out.contains(KING), "{out}");
    assert_eq!(ada.close_code_within(3).await, Some(4001));
    assert!(ada_signs_in_as(&app, KING).await.is_ok());
}

#[tokio::test]
async fn another_agents_email_is_refused_and_nothing_changes() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let session = ada_signs_in_as(&app, ADA).await.unwrap();
    let change = AgentChange { name: Some("Ada King".into()), ..to("Grace@Example.com") };
    let refused = admin.update_agent(ADA, &change).await.unwrap_err();
    assert_eq!((refused.status, refused.body.error.code.as_str()), (StatusCode::CONFLICT, "conflict"));
    assert_eq!(refused.fields(), ["email"]);
    assert!(refused.about("email").contains("Grace@example.com"), "{refused:?}");
    // The same code as adding an agent with that email.
    let twin = NewAgent {
        name: "Twin".into(),
        email: GRACE.into(),
        role: Role::Agent,
        password: None,
        invite: false,
        capacity: None,
    };
    assert_eq!(admin.add_agent(&twin).await.unwrap_err().body.error.code, "conflict");

    // Nothing changed: not her name, not her session, not Grace.
    let ada = admin.agent(ADA).await.unwrap();
    assert_eq!(ada.profile.name, "Ada Lovelace");
    assert_eq!(me(&app, &session).await, StatusCode::OK);
    assert_eq!(admin.agent(GRACE).await.unwrap().profile.name, "Grace Hopper");
}

#[tokio::test]
async fn her_own_email_in_other_letters_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (mut inbox, session) = ada_connects_as(&app, ADA).await;
    let same = admin.update_agent(ADA, &to(" ADA@example.COM")).await.unwrap();
    assert_eq!(same.profile.email, ADA);
    assert_eq!(me(&app, &session).await, StatusCode::OK, "her session goes on");
    inbox.silent_for(300).await;
}

#[tokio::test]
async fn an_invalid_email_is_refused_by_field() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let refused = admin.update_agent(ADA, &to("ada@example")).await.unwrap_err();
    assert_eq!((refused.status, refused.body.error.code.as_str()), (StatusCode::BAD_REQUEST, "bad_request"));
    assert_eq!(refused.fields(), ["email"]);
    assert_eq!(refused.about("email"), "email \"ada@example\": not a valid email address");
    let both = AgentChange { name: Some(" ".into()), ..to("") };
    assert_eq!(admin.update_agent(ADA, &both).await.unwrap_err().fields(), ["name", "email"]);
    assert_eq!(admin.agent(ADA).await.unwrap().profile.email, ADA);
}

/// Ada is named by email in an account route, a rule, a team and a live
/// chat card, on the demo site.
async fn ada_named_everywhere(admin: &AdminClient) {
    let route = NewAccountRoute { domain: "bigcorp.com".into(), agent: ADA.into() };
    admin.save_account_route("demo", &route).await.unwrap();
    let rule: RoutingRule = serde_json::from_value(json!({
        "name": "Dutch", "priority": 5,
        "conditions": [{"field": "language", "op": "starts_with", "values": ["nl"]}],
        "route_to": {"agents": ["ADA@example.com", GRACE]}
    }))
    .unwrap();
    admin.save_rule("demo", &rule).await.unwrap();
    admin.add_team(&team("Sales", &[ADA])).await.unwrap();
    admin.publish_stream("demo", STREAM).await.unwrap();
}

#[tokio::test]
async fn account_routes_rules_teams_and_live_chat_cards_follow_her_new_email() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    ada_named_everywhere(&admin).await;

    admin.update_agent(ADA, &to(KING)).await.unwrap();

    let routes = admin.account_routes("demo").await.unwrap();
    assert_eq!((routes[0].domain.as_str(), routes[0].agent.as_str()), ("bigcorp.com", KING));
    let rule = admin.rule("demo", "Dutch").await.unwrap();
    assert_eq!(rule.route_to, Target::Agents(vec![KING.into(), GRACE.into()]));
    assert_eq!(admin.team("Sales").await.unwrap().members, [KING]);
    let stream = admin.stream("demo", "help").await.unwrap();
    assert!(
        stream
            .source
            .contains("# Ada knows the product best.\nrouting = { agent = \"ada.king@example.com\" }"),
        "the file keeps its comments and names her new email:\n{}",
        stream.source
    );
    assert!(!stream.source.to_lowercase().contains(ADA), "{}", stream.source);

    // And routing finds her by each of them (Grace is there too, so the
    // rotation a chat came from tells which way it went).
    let (mut ada, _) = ada_connects_as(&app, KING).await;
    let mut grace = app.agent(GRACE).await;
    let _v = hand_off(&app, "help", "rules", &[("email", "vera@bigcorp.com")], "en").await;
    let c = offered(&mut ada).await;
    assert_eq!(routed(&app, c).await, (KING.into(), "account:bigcorp.com".into()));
    let _v = hand_off(&app, "help", "ada", &[], "en").await;
    let c = offered(&mut ada).await;
    assert_eq!(routed(&app, c).await, (KING.into(), format!("agent:{KING}")));
    let _v = hand_off(&app, "help", "sales", &[], "en").await;
    let c = offered(&mut ada).await;
    assert_eq!(routed(&app, c).await, (KING.into(), "team:sales".into()));
    // The rule's rotation: Ada (id 2) first, then Grace.
    let _v = hand_off(&app, "help", "rules", &[], "nl-NL").await;
    let c = offered(&mut ada).await;
    assert_eq!(routed(&app, c).await, (KING.into(), "rule:dutch".into()));
    let _v = hand_off(&app, "help", "rules", &[], "nl-NL").await;
    let c = offered(&mut grace).await;
    assert_eq!(routed(&app, c).await, (GRACE.into(), "rule:dutch".into()));
}

/// The routing option conversation `c` routes by, as `explain` shows it.
async fn routing_of(app: &TestApp, c: i64) -> Routing {
    let r = app.as_admin(Method::GET, &format!("/conversations/{c}/explain")).await.send().await.unwrap();
    serde_json::from_value(r.json::<Value>().await.unwrap()["routing"].clone()).unwrap()
}

#[tokio::test]
async fn open_chats_routed_to_her_by_email_name_the_new_one_and_past_ones_stay_as_they_were() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    admin.add_team(&team("Sales", &[GRACE])).await.unwrap();
    admin.publish_stream("demo", STREAM).await.unwrap();
    let (mut ada, _) = ada_connects_as(&app, ADA).await;
    let mut grace = app.agent(GRACE).await;
    // A chat routed to her by the card that is over…
    let mut gone = hand_off(&app, "help", "ada", &[], "en").await;
    let past = offered(&mut ada).await;
    gone.send(&VisitorIn::End).await;
    // …one on offer to her…
    let _v = hand_off(&app, "help", "ada", &[], "en").await;
    let on_offer = offered(&mut ada).await;
    // …and one Grace took and transferred to her by email.
    let _w = hand_off(&app, "help", "sales", &[], "en").await;
    let moved = offered(&mut grace).await;
    grace.accept(moved).await;
    grace
        .send(&AgentIn::Transfer { conversation: moved, to: TransferTarget::Agent { email: ADA.into() } })
        .await;
    assert_eq!(offered(&mut ada).await, moved);

    admin.update_agent(ADA, &to(KING)).await.unwrap();

    assert_eq!(routing_of(&app, on_offer).await, Routing::Agent(KING.into()));
    let transfer = app.state.store.latest_transfer(ConversationId::new(moved)).await.unwrap().unwrap();
    assert_eq!(transfer.to, TransferTarget::Agent { email: KING.into() });
    assert_eq!(routing_of(&app, past).await, Routing::Agent("Ada@Example.com".into()), "as it happened");
}

#[tokio::test]
async fn a_pending_invitation_still_works_and_sets_up_the_new_email() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let nina = NewAgent {
        name: "Nina".into(),
        email: "nina@example.com".into(),
        role: Role::Agent,
        password: None,
        invite: true,
        capacity: None,
    };
    let token = admin.add_agent(&nina).await.unwrap().invite_token.unwrap();
    let moved = admin.update_agent("nina@example.com", &to("nina@example.org")).await.unwrap();
    assert!(moved.status.invited, "still invited");

    let post = |path: &str, body: Value| app.http.post(format!("{}{path}", app.url)).json(&body).send();
    let link: AccountToken =
        post("/api/account-tokens", json!({ "token": token })).await.unwrap().json().await.unwrap();
    assert_eq!(link.email.as_deref(), Some("nina@example.org"));
    let accept = AcceptInvitation { token, password: "nina's own password".into() };
    let r = post("/api/invitations/accept", serde_json::to_value(&accept).unwrap()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let signed_in: Value = r.json().await.unwrap();
    assert_eq!(signed_in["agent"]["email"], "nina@example.org");
    assert_eq!(app.login("nina@example.org", "nina's own password").await.status(), StatusCode::OK);
    assert_eq!(app.login("nina@example.com", "nina's own password").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_document_lists_the_new_field_and_the_conflict() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let email = &doc["components"]["schemas"]["AgentChange"]["properties"]["email"];
    assert!(email.to_string().contains("\"format\":\"email\""), "{email}");
    let token = app.session("admin@example.com").await;
    let patch = |path: &str, body: Value| {
        app.http.patch(format!("{}/api/admin/agents/{path}", app.url)).bearer_auth(&token).json(&body).send()
    };
    let template = "/api/admin/agents/{email}";
    let r = patch(ADA, json!({ "email": GRACE })).await.unwrap();
    let e = fits(&doc, "PATCH", template, r).await;
    assert_eq!(
        (&e["error"]["code"], &e["error"]["fields"][0]["field"]),
        (&json!("conflict"), &json!("email"))
    );
    let r = patch(ADA, json!({ "email": "nope" })).await.unwrap();
    assert_eq!(fits(&doc, "PATCH", template, r).await["error"]["fields"][0]["field"], "email");
    let r = patch(ADA, json!({ "email": KING })).await.unwrap();
    assert_eq!(fits(&doc, "PATCH", template, r).await["email"], KING);
}
