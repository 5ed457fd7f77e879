//! Accounts made by link: the first admin's setup link (printed by `serve`
//! on a database without an admin), invitations, an agent's own capacity,
//! and the live status in the admin's list of agents.

use reqwest::StatusCode;
use serde_json::Value;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use switchboard_protocol::admin::{
    AcceptInvitation, AccountToken, AgentChange, AgentView, ErrorBody, FirstAdmin, NewAgent, TokenPurpose,
};
use switchboard_protocol::auth::Role;
use switchboard_protocol::wire::{AgentIn, AgentOut};
use switchboard_server::admin::{self, Live};
use switchboard_server::{accounts, Clock};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::helpers::{spawn_app, spawn_app_with, spawn_empty_at, TestApp};

const PASSWORD: &str = "a long enough password";
const DAY_MS: i64 = 24 * 3600 * 1000;

/// A clock that stands still until moved: the clock, and how far it has
/// been moved (ms).
fn movable_clock() -> (Clock, Arc<AtomicI64>) {
    let moved = Arc::new(AtomicI64::new(0));
    let start = jiff::Timestamp::now().as_millisecond();
    let m = moved.clone();
    let clock = Clock::from_fn(move || {
        jiff::Timestamp::from_millisecond(start + m.load(Ordering::SeqCst)).expect("in range")
    });
    (clock, moved)
}

/// The token in a setup or invitation link (after `#setup=` or `#invite=`).
fn token_of(link: &str) -> String {
    let (_, token) = link.split_once('=').unwrap_or_else(|| panic!("no token in {link}"));
    assert_eq!(token.len(), 64, "{link}");
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()), "{link}");
    token.to_owned()
}

fn first_admin(token: &str, email: &str) -> FirstAdmin {
    FirstAdmin { token: token.into(), name: "Root".into(), email: email.into(), password: PASSWORD.into() }
}

fn invited(email: &str) -> NewAgent {
    NewAgent {
        name: "Nina".into(),
        email: email.into(),
        role: Role::Agent,
        password: None,
        invite: true,
        capacity: None,
    }
}

/// A refusal's status and stable code.
async fn refused(r: reqwest::Response) -> (StatusCode, String) {
    let status = r.status();
    let body: ErrorBody = r.json().await.unwrap();
    (status, body.error.code)
}

/// A sign-in's answer, as a login gives it: the session in an HttpOnly
/// cookie and in the body with the agent. Returns the session and the agent.
async fn signed_in(r: reqwest::Response) -> (String, Value) {
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    let body: Value = r.json().await.unwrap();
    let token = body["token"].as_str().unwrap().to_owned();
    assert!(
        cookie.starts_with(&format!("sb_session={token}; HttpOnly; SameSite=Strict; Path=/")),
        "{cookie}"
    );
    (token, body["agent"].clone())
}

impl TestApp {
    async fn first_run_link(&self) -> Option<String> {
        let now = self.state.clock.now_ms();
        accounts::first_run_link(&self.state.store, &self.url, now).await.unwrap()
    }

    /// `POST /api/account-tokens`.
    async fn link(&self, token: &str) -> Result<AccountToken, (StatusCode, String)> {
        let r = self
            .http
            .post(format!("{}/api/account-tokens", self.url))
            .json(&serde_json::json!({ "token": token }))
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            Ok(r.json().await.unwrap())
        } else {
            Err(refused(r).await)
        }
    }

    async fn post_json(&self, path: &str, body: &impl serde::Serialize) -> reqwest::Response {
        self.http.post(format!("{}{path}", self.url)).json(body).send().await.unwrap()
    }

    async fn set_up(&self, req: &FirstAdmin) -> reqwest::Response {
        self.post_json("/api/setup", req).await
    }

    async fn accept(&self, token: &str, password: &str) -> reqwest::Response {
        self.post_json(
            "/api/invitations/accept",
            &AcceptInvitation { token: token.into(), password: password.into() },
        )
        .await
    }

    /// `GET /api/auth/me` with a session.
    async fn me(&self, session: &str) -> StatusCode {
        self.http.get(format!("{}/api/auth/me", self.url)).bearer_auth(session).send().await.unwrap().status()
    }

    async fn agent_view(&self, email: &str) -> AgentView {
        self.admin().await.agent(email).await.unwrap()
    }
}

#[tokio::test]
async fn a_setup_link_creates_the_first_admin_once_and_signs_them_in() {
    let app = spawn_empty_at(Clock::system()).await;
    let link = app.first_run_link().await.expect("no admin yet: a link");
    assert!(link.starts_with(&format!("{}/admin/#setup=", app.url)), "{link}");
    let token = token_of(&link);

    let info = app.link(&token).await.unwrap();
    assert_eq!((info.purpose, info.name, info.email), (TokenPurpose::Setup, None, None));
    let expires = info.expires_at.parse::<jiff::Timestamp>().unwrap().as_millisecond();
    assert!((expires - jiff::Timestamp::now().as_millisecond() - DAY_MS).abs() < 5_000, "{expires}");

    let (session, agent) = signed_in(app.set_up(&first_admin(&token, "root@example.com")).await).await;
    assert_eq!((agent["email"].as_str(), agent["role"].as_str()), (Some("root@example.com"), Some("admin")));
    assert_eq!(app.me(&session).await, 200);
    // The new admin can sign in with the password too.
    assert_eq!(app.login("root@example.com", PASSWORD).await.status(), 200);

    // The link is dead, and no new one is made.
    assert_eq!(app.link(&token).await.unwrap_err(), (StatusCode::NOT_FOUND, "link_invalid".into()));
    let again = app.set_up(&first_admin(&token, "other@example.com")).await;
    assert_eq!(refused(again).await, (StatusCode::CONFLICT, "setup_done".into()));
    assert_eq!(app.first_run_link().await, None);
}

/// Several nodes starting at once on one database each print a link (and
/// a node restarting prints another): each works until an admin exists,
/// then none does.
#[tokio::test]
async fn every_printed_setup_link_works_until_an_admin_exists() {
    let app = spawn_empty_at(Clock::system()).await;
    let first = token_of(&app.first_run_link().await.expect("no admin yet: a link"));
    let second = token_of(&app.first_run_link().await.expect("no admin yet: another link"));
    assert_ne!(first, second);
    for token in [&first, &second] {
        assert_eq!(app.link(token).await.unwrap().purpose, TokenPurpose::Setup, "each link works");
    }
    let (session, _) = signed_in(app.set_up(&first_admin(&second, "root@example.com")).await).await;
    assert_eq!(app.me(&session).await, 200);
    let dead = (StatusCode::NOT_FOUND, "link_invalid".to_owned());
    assert_eq!(app.link(&first).await.unwrap_err(), dead, "the other link ended with the setup");
    let again = app.set_up(&first_admin(&first, "other@example.com")).await;
    assert_eq!(refused(again).await, (StatusCode::CONFLICT, "setup_done".into()));
}

#[tokio::test]
async fn an_unknown_a_used_and_an_expired_link_get_the_same_answer() {
    let (clock, moved) = movable_clock();
    let app = spawn_empty_at(clock).await;
    let unknown = "0".repeat(64);
    let dead = (StatusCode::NOT_FOUND, "link_invalid".to_owned());
    assert_eq!(app.link(&unknown).await.unwrap_err(), dead);
    assert_eq!(app.link("not-a-token").await.unwrap_err(), dead);

    let token = token_of(&app.first_run_link().await.unwrap());
    moved.store(DAY_MS - 1, Ordering::SeqCst);
    assert!(app.link(&token).await.is_ok(), "still good just before 24 h");
    moved.store(DAY_MS, Ordering::SeqCst);
    assert_eq!(app.link(&token).await.unwrap_err(), dead);
    let late = app.set_up(&first_admin(&token, "root@example.com")).await;
    assert_eq!(refused(late).await, dead);

    // An invitation lasts a week.
    let live = Live::of(&app.state);
    let added = admin::add_agent(&app.state.store, &invited("nina@example.com"), &live).await.unwrap();
    let invite = added.invite_token.unwrap();
    moved.fetch_add(7 * DAY_MS - 1, Ordering::SeqCst);
    assert_eq!(app.link(&invite).await.unwrap().purpose, TokenPurpose::Invite);
    moved.fetch_add(1, Ordering::SeqCst);
    assert_eq!(app.link(&invite).await.unwrap_err(), dead);
    assert_eq!(refused(app.accept(&invite, PASSWORD).await).await, dead);
}

#[tokio::test]
async fn setup_is_refused_once_an_admin_exists_even_with_a_live_link() {
    let app = spawn_empty_at(Clock::system()).await;
    let token = token_of(&app.first_run_link().await.unwrap());
    let boss = NewAgent {
        role: Role::Admin,
        password: Some(PASSWORD.into()),
        invite: false,
        ..invited("boss@example.com")
    };
    admin::add_agent(&app.state.store, &boss, &Live::of(&app.state)).await.unwrap();
    let r = app.set_up(&first_admin(&token, "root@example.com")).await;
    assert_eq!(refused(r).await, (StatusCode::CONFLICT, "setup_done".into()));
    assert!(app.state.store.agent_by_email("root@example.com").await.unwrap().is_none());

    // The seeded demo has an admin: no link.
    let seeded = spawn_app().await;
    assert_eq!(seeded.first_run_link().await, None);
}

/// Two setups at once, with one link or with two nodes' links: one admin,
/// the other refused.
#[tokio::test]
async fn of_two_racing_setups_one_wins() {
    for two_links in [false, true] {
        let app = spawn_empty_at(Clock::system()).await;
        let first = token_of(&app.first_run_link().await.unwrap());
        let second = if two_links { token_of(&app.first_run_link().await.unwrap()) } else { first.clone() };
        let (one, two) = (first_admin(&first, "one@example.com"), first_admin(&second, "two@example.com"));
        let (a, b) = tokio::join!(app.set_up(&one), app.set_up(&two));
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "two links: {two_links}");
        let admins = app.state.store.agents().await.unwrap();
        assert_eq!(admins.len(), 1, "two links: {two_links}: {admins:?}");
    }
}

#[tokio::test]
async fn setup_names_every_bad_field_and_refuses_other_origins() {
    let app = spawn_empty_at(Clock::system()).await;
    let token = token_of(&app.first_run_link().await.unwrap());
    let bad =
        FirstAdmin { token: token.clone(), name: " ".into(), email: "root".into(), password: "short".into() };
    let r = app.set_up(&bad).await;
    assert_eq!(r.status(), 400);
    let body: ErrorBody = r.json().await.unwrap();
    let fields: Vec<_> = body.error.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["name", "email", "password"]);

    let from = |origin: &str| {
        app.http
            .post(format!("{}/api/setup", app.url))
            .header("Origin", origin)
            .json(&first_admin(&token, "root@example.com"))
    };
    let r = from("https://evil.example").send().await.unwrap();
    assert_eq!(refused(r).await, (StatusCode::FORBIDDEN, "origin_not_allowed".into()));
    assert!(app.link(&token).await.is_ok(), "a refused request leaves the link working");
    signed_in(from(&app.url).send().await.unwrap()).await;
}

#[tokio::test]
async fn serve_prints_a_setup_link_only_while_there_is_no_admin() {
    let dir = tempfile::tempdir().unwrap();
    let serve = || {
        let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard"));
        c.arg("serve")
            .env("SWITCHBOARD_DATA_DIR", dir.path().join("data"))
            .env("SWITCHBOARD_ASSETS_DIR", dir.path().join("dist"))
            .env("SWITCHBOARD_LISTEN", "127.0.0.1:0")
            .env_remove("SWITCHBOARD_PUBLIC_URL")
            .env("RUST_LOG", "switchboard_server=info")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        c.spawn().unwrap()
    };
    // What it prints on stdout until it logs that it is serving.
    async fn printed_before_serving(server: &mut tokio::process::Child) -> Vec<String> {
        let mut err = BufReader::new(server.stderr.take().unwrap()).lines();
        tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = err.next_line().await.unwrap() {
                if line.contains("serving") {
                    return;
                }
            }
            panic!("the server stopped before serving");
        })
        .await
        .expect("serving within 30 s");
        let mut out = BufReader::new(server.stdout.take().unwrap()).lines();
        let mut lines = Vec::new();
        while let Ok(Ok(Some(line))) = tokio::time::timeout(Duration::from_millis(300), out.next_line()).await
        {
            lines.push(line);
        }
        // First the address it bound (port 0 in the settings: a free one).
        let listening = lines.remove(0);
        let addr = listening.strip_prefix("Listening on http://127.0.0.1:").expect(&listening);
        assert!(addr.parse::<u16>().is_ok_and(|p| p > 0), "{listening}");
        lines
    }

    let mut first = serve();
    let printed = printed_before_serving(&mut first).await;
    let [line] = &printed[..] else { panic!("one line: {printed:?}") };
    let rest = line.strip_prefix("First run: create the first admin at ").expect(line);
    let (url, after) = rest.split_once(' ').unwrap();
    assert_eq!(after, "(valid 24 h, once)");
    // The link names the address really bound, which answers for its token.
    assert!(url.starts_with("http://127.0.0.1:") && !url.starts_with("http://127.0.0.1:0/"), "{url}");
    let (base, _) = url.split_once("/admin/#setup=").expect(url);
    let token = token_of(url);
    let http = reqwest::Client::new();
    let info = http
        .post(format!("{base}/api/account-tokens"))
        .json(&serde_json::json!({ "token": token }))
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), 200);
    let r =
        http.post(format!("{base}/api/setup")).json(&first_admin(&token, "root@example.com")).send().await;
    assert_eq!(r.unwrap().status(), 200);
    first.kill().await.unwrap();

    let mut second = serve();
    assert_eq!(printed_before_serving(&mut second).await, Vec::<String>::new(), "an admin exists: no link");
    second.kill().await.unwrap();
}

#[tokio::test]
async fn an_invited_agent_cannot_sign_in_until_they_accept_then_the_link_is_dead() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let added = admin.add_agent(&invited("nina@example.com")).await.unwrap();
    assert_eq!(added.password, None);
    assert!(added.agent.status.invited);
    let token = added.invite_token.expect("an invitation's token");
    let info = app.link(&token).await.unwrap();
    assert_eq!(info.purpose, TokenPurpose::Invite);
    assert_eq!((info.name.as_deref(), info.email.as_deref()), (Some("Nina"), Some("nina@example.com")));

    // No password works before they choose one (not even an empty one).
    for guess in ["", PASSWORD, "not a real password"] {
        assert_eq!(app.login("nina@example.com", guess).await.status(), 401, "{guess:?}");
    }
    let short = app.accept(&token, "short").await;
    assert_eq!(short.status(), 400);
    assert!(app.link(&token).await.is_ok(), "a refused password leaves the link working");

    let (session, agent) = signed_in(app.accept(&token, PASSWORD).await).await;
    assert_eq!(agent["email"], "nina@example.com");
    assert_eq!(app.me(&session).await, 200);
    assert_eq!(app.login("nina@example.com", PASSWORD).await.status(), 200);
    assert!(!app.agent_view("nina@example.com").await.status.invited);

    let dead = (StatusCode::NOT_FOUND, "link_invalid".to_owned());
    assert_eq!(app.link(&token).await.unwrap_err(), dead);
    assert_eq!(refused(app.accept(&token, "another long password").await).await, dead);
    assert_eq!(app.login("nina@example.com", "another long password").await.status(), 401);
}

#[tokio::test]
async fn a_new_invitation_revokes_the_earlier_one_and_accepting_ends_other_sessions() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let old_session = app.session("ada@example.com").await;
    let mut inbox = app.agent("ada@example.com").await;

    let first = admin.invite("ada@example.com").await.unwrap().invite_token.unwrap();
    let again = admin.invite("ada@example.com").await.unwrap();
    assert_eq!(again.password, None);
    assert!(!again.agent.status.invited, "she still has her password until she sets a new one");
    let second = again.invite_token.unwrap();
    assert_ne!(first, second);
    assert!(app.link(&first).await.is_err(), "revoked");
    assert_eq!(app.me(&old_session).await, 200, "an invitation alone ends nothing");

    signed_in(app.accept(&second, "ada's own new password").await).await;
    assert_eq!(app.me(&old_session).await, 401);
    assert!(inbox.closed_within(5).await, "her open inbox closes");
    assert_eq!(app.login("ada@example.com", &app.password("ada@example.com")).await.status(), 401);
    assert_eq!(app.login("ada@example.com", "ada's own new password").await.status(), 200);

    let missing = admin.invite("nobody@example.com").await.unwrap_err();
    assert_eq!(missing.status, 404);
    let anonymous = app.http.post(format!("{}/api/admin/agents/ada@example.com/invite", app.url)).send();
    assert_eq!(anonymous.await.unwrap().status(), 401);
}

#[tokio::test]
async fn an_invitation_with_a_password_and_a_capacity_outside_one_to_ten_are_refused() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let both = NewAgent { password: Some(PASSWORD.into()), capacity: Some(0), ..invited("nina@example.com") };
    let r = admin.add_agent(&both).await.unwrap_err();
    assert_eq!((r.status.as_u16(), r.fields()), (400, vec!["password", "capacity"]));
    assert!(r.about("password").contains("sets their own password"), "{r:?}");

    let over = AgentChange { capacity: Some(11), ..Default::default() };
    let r = admin.update_agent("ada@example.com", &over).await.unwrap_err();
    assert_eq!(r.fields(), ["capacity"]);
    assert_eq!(r.about("capacity"), "must be 1 to 10 open chats");

    let three = AgentChange { capacity: Some(3), ..Default::default() };
    let ada = admin.update_agent("ada@example.com", &three).await.unwrap();
    assert_eq!((ada.status.capacity, ada.status.own_capacity), (3, true));
    let grace = app.agent_view("grace@example.com").await;
    assert_eq!((grace.status.capacity, grace.status.own_capacity), (10, false), "the server's");
    let nina = NewAgent { capacity: Some(2), ..invited("nina@example.com") };
    assert_eq!(admin.add_agent(&nina).await.unwrap().agent.status.capacity, 2);
}

#[tokio::test]
async fn the_agent_list_shows_who_is_online_and_available_now() {
    // (With a grace period, in which routing still counts her as there.)
    let app = spawn_app_with(|s| s.routing.disconnect_grace_secs = 60).await;
    let mut ada = app.agent("ada@example.com").await;
    let status = |list: &[AgentView], email: &str| {
        let a = list.iter().find(|a| a.profile.email == email).unwrap();
        (a.status.online, a.status.available, a.status.open_chats)
    };
    let list = app.admin().await.agents().await.unwrap();
    assert_eq!(status(&list, "ada@example.com"), (true, true, 0));
    assert_eq!(status(&list, "grace@example.com"), (false, true, 0), "available, but no inbox open");

    ada.send(&AgentIn::Availability { available: false }).await;
    assert_eq!(ada.recv().await, AgentOut::Availability { available: false, missed_offers: None });
    let list = app.admin().await.agents().await.unwrap();
    assert_eq!(status(&list, "ada@example.com"), (true, false, 0));

    ada.close().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let ada = app.agent_view("ada@example.com").await;
    assert!(!ada.status.online, "no inbox connected (whatever the grace period)");
}

#[tokio::test]
async fn agent_add_with_invite_prints_the_link_to_set_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .env("SWITCHBOARD_DATA_DIR", &data)
        .env("SWITCHBOARD_PUBLIC_URL", "https://chat.example.com/")
        .args(["agent", "add", "nina@example.com", "--name", "Nina", "--invite", "--capacity", "2"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    let (said, link) = printed.trim_end().rsplit_once(' ').unwrap();
    assert!(said.starts_with("Invited Nina <nina@example.com>."), "{printed}");
    assert!(link.starts_with("https://chat.example.com/inbox/#invite="), "{printed}");

    let store =
        switchboard_server::store::Store::open(&format!("sqlite://{}/switchboard.db", data.display()))
            .await
            .unwrap();
    let now = Clock::system().now_ms();
    let info = accounts::token_info(&store, &token_of(link), now).await.unwrap().expect("a live invitation");
    assert_eq!((info.purpose, info.email.as_deref()), (TokenPurpose::Invite, Some("nina@example.com")));
    let live = Live { now, capacity: 10, presence: None };
    let nina = admin::agent(&store, "nina@example.com", &live).await.unwrap();
    assert_eq!((nina.status.capacity, nina.status.invited), (2, true));
    store.close().await;

    let list = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .env("SWITCHBOARD_DATA_DIR", &data)
        .args(["agent", "list"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(list.stdout).unwrap(),
        "nina@example.com\tNina\tAgent\tcapacity 2\tinvited\n"
    );
}
