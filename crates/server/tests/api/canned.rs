//! Canned responses over HTTP: the admins' shared ones (every agent, one
//! site, one team), each agent's own, and what an agent can insert in one
//! of their conversations; each refused value named by its field, and no
//! agent reaching a colleague's or the admins'.

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use switchboard_protocol::admin::{CannedRequest, CannedView, ErrorBody};

use crate::admin::new_site;
use crate::helpers::{team, TestApp};
use crate::transfer::chat_with;

const ADA: &str = "ada@example.com";
const GRACE: &str = "grace@example.com";
const ADMIN: &str = "admin@example.com";

fn req(shortcut: &str, text: &str, site: Option<&str>, team: Option<&str>) -> CannedRequest {
    CannedRequest {
        shortcut: shortcut.into(),
        text: text.into(),
        site: site.map(Into::into),
        team: team.map(Into::into),
    }
}

/// `method path` as `email` with `body`: the answer, or the refusal's
/// status and body.
async fn call<T: DeserializeOwned>(
    app: &TestApp,
    email: &str,
    method: Method,
    path: &str,
    body: Option<&CannedRequest>,
) -> Result<T, (StatusCode, ErrorBody)> {
    let token = app.session(email).await;
    let r = app.http.request(method, format!("{}{path}", app.url)).bearer_auth(token);
    let r = match body {
        Some(b) => r.json(b),
        None => r,
    };
    let r = r.send().await.unwrap();
    let status = r.status();
    let bytes = r.bytes().await.unwrap();
    if status.is_success() {
        let bytes: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
        Ok(serde_json::from_slice(bytes).unwrap())
    } else {
        Err((status, serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{status} {e}"))))
    }
}

fn shortcuts(list: &[CannedView]) -> Vec<&str> {
    list.iter().map(|c| c.shortcut.as_str()).collect()
}

fn refused_field(e: &(StatusCode, ErrorBody)) -> (u16, Vec<&str>) {
    (e.0.as_u16(), e.1.error.fields.iter().map(|f| f.field.as_str()).collect())
}

#[tokio::test]
async fn each_agent_gets_their_own_and_the_shared_responses_that_apply() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.admin().await;
    admin.add_site(&new_site("other", "Other", &["https://other.example"])).await.unwrap();
    admin.add_team(&team("Sales", &[GRACE])).await.unwrap();
    let shared = |r: CannedRequest| {
        let app = &app;
        async move { call::<CannedView>(app, ADMIN, Method::POST, "/api/admin/canned", Some(&r)).await }
    };
    let hello =
        shared(req("/Hello", r#"Hi {{first_name:"there"}}, how can I help?"#, None, None)).await.unwrap();
    assert_eq!((hello.shortcut.as_str(), hello.personal), ("hello", false));
    shared(req("price", "Plans start at 10 EUR a month.", Some("demo"), None)).await.unwrap();
    shared(req("elsewhere", "Only on the other site.", Some("other"), None)).await.unwrap();
    let sales = shared(req("sales", "Let me book a demo.", None, Some("sales"))).await.unwrap();
    assert_eq!(sales.team.as_deref(), Some("Sales"));
    let mine = |email: &'static str, r: CannedRequest| {
        let app = &app;
        async move { call::<CannedView>(app, email, Method::POST, "/api/canned/mine", Some(&r)).await }
    };
    let adas = mine(ADA, req("thanks", "Thanks, {{first_name}}!", None, None)).await.unwrap();
    assert!(adas.personal);
    // The same shortcut in another scope is no clash.
    let graces = mine(GRACE, req("hello", "Hello from Grace", None, None)).await.unwrap();

    // Refusals, each by field.
    let e = shared(req("hello", "Again", None, None)).await.unwrap_err();
    assert_eq!(refused_field(&e), (409, vec!["shortcut"]), "{e:?}");
    let e = shared(req("two words", " ", Some("nosuchsite"), Some("Nobody"))).await.unwrap_err();
    assert_eq!(refused_field(&e), (400, vec!["shortcut", "text"]), "{e:?}");
    let e = shared(req("x", "Fine", Some("nosuchsite"), None)).await.unwrap_err();
    assert_eq!(refused_field(&e), (400, vec!["site"]), "{e:?}");
    let e = shared(req("x", "Fine", None, Some("Nobody"))).await.unwrap_err();
    assert_eq!(refused_field(&e), (400, vec!["team"]), "{e:?}");
    let e = shared(req("x", "Hi {{nickname}}", None, None)).await.unwrap_err();
    assert_eq!(refused_field(&e), (400, vec!["text"]), "{e:?}");
    let e = mine(ADA, req("x", "Fine", Some("demo"), Some("Sales"))).await.unwrap_err();
    assert_eq!(refused_field(&e), (400, vec!["site", "team"]), "{e:?}");

    // What each agent can insert in their conversation on the demo site.
    let mut ada = app.agent(ADA).await;
    let (_v, _, c) = chat_with(&app, &mut ada, ADA).await;
    let path = format!("/api/conversations/{c}/canned");
    let for_ada: Vec<CannedView> = call(&app, ADA, Method::GET, &path, None).await.unwrap();
    assert_eq!(shortcuts(&for_ada), ["hello", "price", "thanks"]);
    // Not Grace's: someone else's open conversation is not found.
    let e = call::<Vec<CannedView>>(&app, GRACE, Method::GET, &path, None).await.unwrap_err();
    assert_eq!(e.0, StatusCode::NOT_FOUND);
    let e = call::<Vec<CannedView>>(&app, ADA, Method::GET, "/api/conversations/999999/canned", None)
        .await
        .unwrap_err();
    assert_eq!(e.0, StatusCode::NOT_FOUND);

    // Each agent's own, and nobody reaches a colleague's or the shared ones.
    let own: Vec<CannedView> = call(&app, ADA, Method::GET, "/api/canned/mine", None).await.unwrap();
    assert_eq!(shortcuts(&own), ["thanks"]);
    let theirs = format!("/api/canned/mine/{}", graces.id);
    let e = call::<CannedView>(&app, ADA, Method::PUT, &theirs, Some(&req("x", "y", None, None))).await;
    assert_eq!(e.unwrap_err().0, StatusCode::NOT_FOUND);
    let e = call::<()>(&app, ADA, Method::DELETE, &theirs, None).await.unwrap_err();
    assert_eq!(e.0, StatusCode::NOT_FOUND);
    let e = call::<()>(&app, ADA, Method::DELETE, &format!("/api/canned/mine/{}", hello.id), None).await;
    assert_eq!(e.unwrap_err().0, StatusCode::NOT_FOUND);
    let e = call::<Vec<CannedView>>(&app, ADA, Method::GET, "/api/admin/canned", None).await.unwrap_err();
    assert_eq!(e.0, StatusCode::FORBIDDEN);
    let e = call::<()>(&app, ADMIN, Method::DELETE, &format!("/api/admin/canned/{}", adas.id), None).await;
    assert_eq!(e.unwrap_err().0, StatusCode::NOT_FOUND, "an agent's own is not the admins'");

    // Changed and removed.
    let path_mine = format!("/api/canned/mine/{}", adas.id);
    let changed: CannedView =
        call(&app, ADA, Method::PUT, &path_mine, Some(&req("cheers", "Cheers!", None, None))).await.unwrap();
    assert_eq!((changed.id, changed.shortcut.as_str()), (adas.id, "cheers"));
    let shared_path = format!("/api/admin/canned/{}", sales.id);
    let changed: CannedView =
        call(&app, ADMIN, Method::PUT, &shared_path, Some(&req("sales", "Book a demo.", None, None)))
            .await
            .unwrap();
    assert_eq!(changed.team, None, "no team now: for every agent");
    let for_ada: Vec<CannedView> = call(&app, ADA, Method::GET, &path, None).await.unwrap();
    assert_eq!(shortcuts(&for_ada), ["cheers", "hello", "price", "sales"]);
    call::<()>(&app, ADMIN, Method::DELETE, &shared_path, None).await.unwrap();
    call::<()>(&app, ADA, Method::DELETE, &path_mine, None).await.unwrap();
    let for_ada: Vec<CannedView> = call(&app, ADA, Method::GET, &path, None).await.unwrap();
    assert_eq!(shortcuts(&for_ada), ["hello", "price"]);
    let all: Vec<CannedView> = call(&app, ADMIN, Method::GET, "/api/admin/canned", None).await.unwrap();
    assert_eq!(shortcuts(&all), ["elsewhere", "hello", "price"]);
}

#[tokio::test]
async fn the_command_line_manages_the_shared_responses() {
    let app = crate::helpers::spawn_app().await;
    let run = |args: &[&str]| {
        let out = app.cli().arg("canned").args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&["add", "hello", "Hi {{first_name:\"there\"}}!", "--site", "demo"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("Added /hello"), "{out}");
    let (ok, _, err) = run(&["add", "bad shortcut", "Hi"]);
    assert!(!ok && err.contains("shortcut"), "{err}");
    let (ok, out, _) = run(&["list"]);
    assert!(ok && out.contains("/hello\tdemo\t-\tHi {{first_name:\"there\"}}!"), "{out}");
    let id = out.split('\t').next().unwrap().trim().to_owned();
    let listed: Vec<CannedView> = call(&app, ADMIN, Method::GET, "/api/admin/canned", None).await.unwrap();
    assert_eq!(listed[0].id.to_string(), id);
    let (ok, out, err) = run(&["remove", &id]);
    assert!(ok && out.contains("Removed"), "{out}{err}");
    let (ok, _, err) = run(&["remove", &id]);
    assert!(!ok && err.contains("no canned response"), "{err}");
}
