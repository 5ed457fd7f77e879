//! Files in chats, both ways, through the real HTTP API and sockets: a file
//! is a message (numbered, told to the other side, stored once however
//! often it is resent); its kind is told by its bytes; each site's limits
//! answer with stable codes; and only agents and that conversation's
//! visitor can read it, as an attachment that cannot run.

use reqwest::multipart::{Form, Part};
use switchboard_protocol::admin::SiteChange;
use switchboard_protocol::files::Group;
use switchboard_protocol::wire::{AgentOut, Author, ChatMessage, VisitorOut};
use switchboard_server::store::files::FileSettings;

use crate::helpers::{TestApp, ALLOWED};
use crate::transfer::chat_with;

const ADA: &str = "ada@example.com";
const GRACE: &str = "grace@example.com";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR tiny";

async fn agent_upload(
    app: &TestApp,
    email: &str,
    c: i64,
    client_id: &str,
    name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let token = app.session(email).await;
    app.http
        .post(format!("{}/api/conversations/{c}/files", app.url))
        .query(&[("client_id", client_id), ("name", name)])
        .bearer_auth(token)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap()
}

async fn visitor_upload(
    app: &TestApp,
    token: &str,
    client_id: &str,
    name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let form = Form::new()
        .text("site", "demo")
        .text("token", token.to_owned())
        .text("client_id", client_id.to_owned())
        .part("file", Part::bytes(bytes.to_vec()).file_name(name.to_owned()).mime_str("image/png").unwrap());
    app.http
        .post(format!("{}/api/visitor/files", app.url))
        .header("Origin", ALLOWED)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn code(r: reqwest::Response) -> (u16, String) {
    let status = r.status().as_u16();
    let body: serde_json::Value = r.json().await.unwrap();
    (status, body["error"]["code"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn an_agents_file_reaches_the_visitor_once_and_only_they_and_agents_read_it() {
    let app = crate::helpers::spawn_app().await;
    let mut ada = app.agent(ADA).await;
    let (mut v, token, c) = chat_with(&app, &mut ada, ADA).await;

    let r = agent_upload(&app, ADA, c, "f1", "C:\\Users\\ada\\pricing \"2026\".png", PNG).await;
    assert_eq!(r.status(), 200);
    let sent: ChatMessage = r.json().await.unwrap();
    let file = sent.file.clone().expect("a file message");
    assert_eq!((sent.author, sent.text.as_str()), (Author::Agent, "pricing 2026.png"));
    assert_eq!(
        (file.name.as_str(), file.mime.as_str(), file.size),
        ("pricing 2026.png", "image/png", PNG.len() as u64)
    );
    // Told over both sockets like a message.
    assert_eq!(v.recv().await, VisitorOut::Message(sent.clone()));
    assert_eq!(ada.recv().await, AgentOut::Message { conversation: c, message: sent.clone() });
    // Resent (the answer was lost): the same message, stored once.
    let again: ChatMessage = agent_upload(&app, ADA, c, "f1", "pricing.png", PNG).await.json().await.unwrap();
    assert_eq!(again, sent);
    let stored =
        app.state.store.messages_after(switchboard_server::ids::ConversationId::new(c), 0).await.unwrap();
    assert_eq!(stored.iter().filter(|m| m.file.is_some()).count(), 1);

    // Its agent and admins read it (a colleague, once the chat is past, as
    // they read the chat): an attachment of its checked type that cannot run.
    let get = |email: &'static str| {
        let (app, id) = (&app, file.id.clone());
        async move {
            let token = app.session(email).await;
            app.http.get(format!("{}/api/files/{id}", app.url)).bearer_auth(token).send().await.unwrap()
        }
    };
    assert_eq!(get(GRACE).await.status(), 404, "a colleague's open chat is not theirs to read");
    assert_eq!(get("admin@example.com").await.status(), 200);
    let r = get(ADA).await;
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    assert_eq!(
        h["content-disposition"],
        "attachment; filename=\"pricing 2026.png\"; filename*=UTF-8''pricing%202026.png"
    );
    assert!(h["cache-control"].to_str().unwrap().contains("no-store"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
    // Nobody without a session.
    let r = app.http.get(format!("{}/api/files/{}", app.url, file.id)).send().await.unwrap();
    assert_eq!(r.status(), 401);

    // Its visitor, with their token, from the site's origin (CORS for it).
    let read = |token: String, origin: &'static str| {
        let (app, id) = (&app, file.id.clone());
        async move {
            app.http
                .post(format!("{}/api/visitor/files/{id}", app.url))
                .header("Origin", origin)
                .form(&[("site", "demo"), ("token", token.as_str())])
                .send()
                .await
                .unwrap()
        }
    };
    let r = read(token.clone(), ALLOWED).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], ALLOWED);
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
    assert_eq!(read(token.clone(), "https://evil.example").await.status(), 403);
    assert_eq!(read("not-a-token".into(), ALLOWED).await.status(), 401);
    // Another visitor of the site: not theirs (and not said to exist).
    let mut other = crate::ws_client::connect(&app.url, "demo", ALLOWED).await.unwrap();
    let (other_token, _) = other.hello(None, 0).await;
    assert_eq!(read(other_token, ALLOWED).await.status(), 404);
}

#[tokio::test]
async fn a_visitors_file_reaches_the_agent_and_bad_ones_are_refused_with_stable_codes() {
    let app = crate::helpers::spawn_app().await;
    let mut ada = app.agent(ADA).await;
    let (mut v, token, c) = chat_with(&app, &mut ada, ADA).await;

    let r = visitor_upload(&app, &token, "u1", "receipt.pdf", b"%PDF-1.7\n1 0 obj").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], ALLOWED);
    let sent: ChatMessage = r.json().await.unwrap();
    let file = sent.file.clone().unwrap();
    assert_eq!(
        (sent.author, file.mime.as_str()),
        (Author::Visitor, "application/pdf"),
        "the bytes say PDF, not the claimed image/png"
    );
    assert_eq!(ada.recv().await, AgentOut::Message { conversation: c, message: sent.clone() });
    assert_eq!(v.recv().await, VisitorOut::Message(sent));
    // A page that watches the upload's progress asks first.
    let asked = app
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/api/visitor/files", app.url))
        .header("Origin", ALLOWED)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 204);
    assert_eq!(asked.headers()["access-control-allow-origin"], ALLOWED);
    assert_eq!(asked.headers()["access-control-allow-methods"], "POST");

    // Text named to run is saved as text.
    let hta: ChatMessage =
        visitor_upload(&app, &token, "u1b", "run.hta", b"echo hi").await.json().await.unwrap();
    let hta = hta.file.unwrap();
    assert_eq!((hta.name.as_str(), hta.mime.as_str()), ("run.hta.txt", "text/plain; charset=utf-8"));
    assert!(matches!(ada.recv().await, AgentOut::Message { conversation, .. } if conversation == c));
    assert!(matches!(v.recv().await, VisitorOut::Message(_)));

    // Refused, each with its code; nothing stored.
    assert_eq!(
        code(visitor_upload(&app, &token, "u2", "run.png", b"MZ\x90\0program").await).await,
        (415, "file_type".into())
    );
    assert_eq!(
        code(visitor_upload(&app, &token, "u3", "x.svg", b"<svg onload='alert(1)'/>").await).await,
        (415, "file_type".into())
    );
    assert_eq!(visitor_upload(&app, "wrong", "u4", "a.png", PNG).await.status(), 401);
    let site = app.demo_site().await;
    let store = &app.state.store;
    // The site's own limits, set by an admin.
    let admin = app.admin().await;
    let change =
        SiteChange { file_max_mb: Some(1), file_types: Some(vec!["images".into()]), ..Default::default() };
    let view = admin.update_site("demo", &change).await.unwrap();
    assert_eq!((view.file_max_mb, view.file_types.clone()), (1, vec!["images".to_owned()]));
    let widget = crate::site_settings::config(&app, "demo").await.files;
    assert_eq!(
        widget,
        FileSettings { max_mb: 1, groups: vec![Group::Images] },
        "the widget is told what the site takes"
    );
    let refused = admin
        .update_site("demo", &SiteChange { file_max_mb: Some(26), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(refused.fields(), ["file_max_mb"]);
    let big: Vec<u8> = PNG.iter().copied().chain(std::iter::repeat_n(0u8, 1024 * 1024)).collect();
    assert_eq!(
        code(visitor_upload(&app, &token, "u5", "big.png", &big).await).await,
        (413, "file_too_large".into())
    );
    assert_eq!(
        code(agent_upload(&app, ADA, c, "a1", "big.png", &big).await).await,
        (413, "file_too_large".into())
    );
    assert_eq!(
        code(visitor_upload(&app, &token, "u6", "r.pdf", b"%PDF-1.7").await).await,
        (415, "file_type".into()),
        "PDF is off now"
    );
    admin.update_site("demo", &SiteChange { file_max_mb: Some(0), ..Default::default() }).await.unwrap();
    assert_eq!(code(visitor_upload(&app, &token, "u7", "a.png", PNG).await).await, (403, "files_off".into()));
    let all = ["images", "pdf", "text", "office"].map(String::from).to_vec();
    let back = SiteChange { file_max_mb: Some(10), file_types: Some(all), ..Default::default() };
    admin.update_site("demo", &back).await.unwrap();
    assert_eq!(store.file_settings(site.id).await.unwrap(), Some(FileSettings::default()));
    // Someone else's chat is not found; a colleague cannot send in it.
    assert_eq!(agent_upload(&app, GRACE, c, "g1", "a.png", PNG).await.status(), 404);
    // A visitor sends at most 20 files in a conversation.
    for i in 3..=20 {
        assert_eq!(
            visitor_upload(&app, &token, &format!("n{i}"), "a.png", PNG).await.status(),
            200,
            "file {i}"
        );
    }
    let r = visitor_upload(&app, &token, "n21", "a.png", PNG).await;
    assert_eq!(r.headers()["access-control-allow-origin"], ALLOWED, "a page can read why");
    assert_eq!(code(r).await, (429, "too_many_files".into()));
    // At the cap, a resend of one stored is still answered with it.
    let again: ChatMessage = visitor_upload(&app, &token, "n20", "a.png", PNG).await.json().await.unwrap();
    assert_eq!(again.client_id.as_deref(), Some("n20"));
    // An ended chat takes no more.
    ada.send(&switchboard_protocol::wire::AgentIn::End { conversation: c }).await;
    let id = switchboard_server::ids::ConversationId::new(c);
    for _ in 0..100 {
        let state = store.conversation(id).await.unwrap().unwrap().state;
        if state == switchboard_protocol::wire::ConversationState::Ended {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(code(agent_upload(&app, ADA, c, "a2", "a.png", PNG).await).await, (409, "ended".into()));
    let past = app.state.store.messages_after(id, 0).await.unwrap();
    let a_file = past.iter().find_map(|m| m.file.clone()).unwrap();
    let r = app
        .http
        .get(format!("{}/api/files/{}", app.url, a_file.id))
        .bearer_auth(app.session(GRACE).await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "a past chat's files, as the chat, are every agent's to read");
    assert_eq!(code(visitor_upload(&app, &token, "n22", "a.png", PNG).await).await, (409, "ended".into()));
    let files =
        store.files_sent(switchboard_server::ids::ConversationId::new(c), Author::Visitor).await.unwrap();
    assert_eq!(files, 20);
}

#[tokio::test]
async fn the_command_line_sets_what_a_site_takes() {
    let app = crate::helpers::spawn_app().await;
    let run = |args: &[&str]| {
        let out = app.cli().args(["site", "update", "demo"]).args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, out) = run(&["--file-max-mb", "5", "--file-types", "images,pdf"]);
    assert!(ok && out.contains("files: up to 5 MB of images, pdf"), "{out}");
    let site = app.demo_site().await;
    let got = app.state.store.file_settings(site.id).await.unwrap().unwrap();
    assert_eq!(got.max_mb, 5);
    let (ok, out) = run(&["--file-types", "images,exe"]);
    assert!(!ok && out.contains("unknown kind \"exe\""), "{out}");
    let (ok, out) = run(&["--file-max-mb", "0"]);
    assert!(ok && out.contains("files: none"), "{out}");
}
