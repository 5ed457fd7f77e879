//! The OpenAPI document at `/api/openapi.json`: it is OpenAPI 3.1, names
//! exactly the admin and login routes the server has, and real answers fit
//! the schemas it gives for them.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use switchboard_protocol::admin::MAX_ACCOUNT_ROUTES_CSV_BYTES;
use switchboard_protocol::stream::runner::Entry;
use switchboard_protocol::stream::Routing;
use switchboard_protocol::wire::{AgentOut, ConversationState, PageContext, VisitorIn, VisitorOut};

use crate::helpers::{spawn_app, TestApp, ALLOWED};
use crate::ws_client::connect;

/// The routes the document must describe: the admin API, login, and the
/// setup and invitation links.
fn described(path: &str) -> bool {
    ["/api/admin/", "/api/auth/", "/api/account-tokens", "/api/invitations/"]
        .iter()
        .any(|p| path.starts_with(p))
        || path == "/api/setup"
}

pub(crate) async fn document(app: &TestApp) -> Value {
    let r = app.http.get(format!("{}/api/openapi.json", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    r.json().await.unwrap()
}

/// The documented operations, as (method, path template).
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
                .contains(&method.as_str())
            {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

/// The path templates the server's router has, read from its `Debug` form
/// (axum has no other way to list them): `"/api/…"` strings.
fn router_paths(app: &TestApp) -> BTreeSet<String> {
    let debug = format!("{:?}", switchboard_server::startup::app(app.state.clone()));
    let paths: BTreeSet<String> =
        debug.split('"').filter(|s| s.starts_with("/api/") || *s == "/healthz").map(str::to_owned).collect();
    // If axum's Debug changes shape, say so rather than compare nothing.
    assert!(
        paths.contains("/healthz") && paths.contains("/api/admin/sites/{key}"),
        "the router's Debug output no longer lists its paths: {debug:.2000}"
    );
    paths
}

/// The methods a path answers: a method it has not gets 405 with `Allow`.
async fn methods(app: &TestApp, template: &str) -> BTreeSet<String> {
    let path = template.replace('{', "x").replace('}', "");
    let r = app.http.request(Method::TRACE, format!("{}{path}", app.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "TRACE {path}");
    let allow = r.headers()["allow"].to_str().unwrap().to_owned();
    // HEAD comes with GET by itself; it is not documented on its own.
    allow.split(',').map(|m| m.trim().to_owned()).filter(|m| m != "HEAD").collect()
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_parses() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let parsed: utoipa::openapi::OpenApi = serde_json::from_value(doc.clone()).expect("an OpenAPI document");
    assert!(parsed.paths.paths.contains_key("/api/admin/sites"));
    assert_eq!(doc["components"]["securitySchemes"]["session"]["in"], "cookie");
    assert_eq!(doc["components"]["securitySchemes"]["session"]["name"], "sb_session");
    // Every reference points at something.
    let text = doc.to_string();
    for r in text.split("\"$ref\":\"#/").skip(1) {
        let pointer = format!("/{}", &r[..r.find('"').unwrap()]);
        assert!(doc.pointer(&pointer).is_some(), "dangling $ref {pointer}");
    }
}

#[tokio::test]
async fn every_admin_and_login_route_is_documented_and_every_documented_one_exists() {
    let app = spawn_app().await;
    let documented = operations(&document(&app).await);
    let mut served = BTreeSet::new();
    for path in router_paths(&app).into_iter().filter(|p| described(p)) {
        for method in methods(&app, &path).await {
            served.insert((method, path.clone()));
        }
    }
    let documented: BTreeSet<_> = documented.into_iter().filter(|(_, p)| described(p)).collect();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let missing: Vec<_> = documented.difference(&served).collect();
    assert!(undocumented.is_empty(), "routes without documentation: {undocumented:?}");
    assert!(missing.is_empty(), "documented routes the server does not have: {missing:?}");
    assert!(served.len() > 30, "{served:?}");
}

/// Checks a real answer against the document: its status must be
/// documented for `method template`, and its body must fit that
/// response's schema (or be empty when it has none).
pub(crate) async fn fits(doc: &Value, method: &str, template: &str, r: reqwest::Response) -> Value {
    let status = r.status().as_u16().to_string();
    let content_type = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    let bytes = r.bytes().await.unwrap();
    let op = &doc["paths"][template][method.to_lowercase()];
    assert!(op.is_object(), "{method} {template} is not documented");
    let response = &op["responses"][&status];
    assert!(
        response.is_object(),
        "{method} {template} answered {status}, not documented: {}",
        op["responses"]
    );
    let Some(content) = response["content"].as_object() else {
        assert!(bytes.is_empty(), "{method} {template} {status} documents no body");
        return Value::Null;
    };
    // The media type, without parameters (`; charset=utf-8`).
    let essence = content_type.as_deref().and_then(|c| c.split(';').next()).map(str::trim);
    let essence = essence.unwrap_or_else(|| panic!("{method} {template} {status}: no content type"));
    assert!(content.contains_key(essence), "{method} {template} {status}: {essence} is not documented");
    if essence != "application/json" {
        return Value::String(String::from_utf8(bytes.to_vec()).unwrap());
    }
    let schema = &content[essence]["schema"];
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    let errors = schema_errors(doc, schema, &body);
    assert!(errors.is_empty(), "{method} {template} {status}: {body}\ndoes not fit {schema}: {errors:#?}");
    body
}

/// Where `body` does not fit `schema` (a schema of `doc`, whose references
/// point into it).
fn schema_errors(doc: &Value, schema: &Value, body: &Value) -> Vec<String> {
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
        "allOf": [schema],
    });
    let validator = jsonschema::validator_for(&root).unwrap();
    validator.iter_errors(body).map(|e| format!("{e} at {}", e.instance_path())).collect()
}

#[tokio::test]
async fn a_body_that_does_not_fit_its_schema_is_caught() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let schema = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let error = json!({"error": {"code": "not_found", "message": "site not found", "fields": []}});
    assert_eq!(schema_errors(&doc, &schema("ErrorBody"), &error), Vec::<String>::new());
    let bad_error = json!({"error": {"code": 404, "message": "site not found"}});
    assert_eq!(schema_errors(&doc, &schema("ErrorBody"), &bad_error).len(), 1);
    // Unknown fields of a request that refuses them, a colour that is not
    // #rrggbb, an outcome that is not one.
    let new_site = json!({"key": "shop", "name": "Shop", "origins": []});
    assert!(!schema_errors(&doc, &schema("NewSite"), &new_site).is_empty());
    let appearance = json!({"accent": "red"});
    assert!(!schema_errors(&doc, &schema("Appearance"), &appearance).is_empty());
    let outcome = json!({"to": "nowhere"});
    assert!(!schema_errors(&doc, &schema("Outcome"), &outcome).is_empty());
}

/// A conversation routed to Ada (connected), so `explain` has a decision,
/// with a bot part and what the visitor gave.
async fn routed_conversation(app: &TestApp) -> i64 {
    let mut ada = app.agent("ada@example.com").await;
    let mut v = connect(&app.url, "demo", ALLOWED).await.unwrap();
    v.hello(None, 0).await;
    let (stream, version, card) = app.live_chat(Routing::RoundRobin).await;
    let page =
        PageContext { url: "https://shop.example.com/".into(), language: "en".into(), ..Default::default() };
    v.send(&VisitorIn::Handoff {
        stream,
        version,
        card,
        attributes: [("first_name".to_owned(), "Vera".to_owned())].into(),
        transcript: vec![
            Entry::Bot { card: "ask".into(), text: "What is your name?".into() },
            Entry::Visitor { card: "ask".into(), text: "Vera".into() },
        ],
        page,
    })
    .await;
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Waiting });
    match ada.recv().await {
        AgentOut::Offer { conversation, .. } => conversation,
        other => panic!("expected an offer, got {other:?}"),
    }
}

#[tokio::test]
async fn real_answers_fit_the_documented_schemas() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let token = app.session("admin@example.com").await;
    let admin = |method: Method, path: &str| {
        app.http.request(method, format!("{}{path}", app.url)).bearer_auth(&token)
    };
    let get = |path: &str| admin(Method::GET, path).send();

    // Lists and single resources, with everything a site can have.
    let appearance = json!({"locale": "nl", "bot_avatar_url": "https://a.example/b.png", "sound": true});
    let r = admin(Method::PATCH, "/api/admin/sites/demo/appearance").json(&appearance).send().await.unwrap();
    let site = fits(&doc, "PATCH", "/api/admin/sites/{key}/appearance", r).await;
    assert_eq!(site["appearance"]["locale"], "nl");
    fits(&doc, "GET", "/api/admin/sites", get("/api/admin/sites").await.unwrap()).await;
    fits(&doc, "GET", "/api/admin/sites/{key}/streams", get("/api/admin/sites/demo/streams").await.unwrap())
        .await;
    let stream = get("/api/admin/sites/demo/streams/recommended").await.unwrap();
    fits(&doc, "GET", "/api/admin/sites/{key}/streams/{id}", stream).await;
    let new_team = json!({"name": "Sales", "members": ["ada@example.com"]});
    let r = admin(Method::POST, "/api/admin/teams").json(&new_team).send().await.unwrap();
    assert_eq!(r.status(), 201);
    fits(&doc, "POST", "/api/admin/teams", r).await;
    let rule = json!({
        "name": "Big",
        "conditions": [{"field": "email_domain", "op": "is", "values": ["big.com"]}],
        "route_to": {"team": "Sales"},
    });
    let r = admin(Method::POST, "/api/admin/sites/demo/rules").json(&rule).send().await.unwrap();
    fits(&doc, "POST", "/api/admin/sites/{key}/rules", r).await;
    fits(&doc, "GET", "/api/admin/sites/{key}/rules", get("/api/admin/sites/demo/rules").await.unwrap())
        .await;
    let schedule = json!({
        "time_zone": "Europe/Amsterdam",
        "blocks": [{"days": ["mon"], "from": "09:00", "to": "17:00"}],
    });
    let r = admin(Method::PUT, "/api/admin/agents/grace@example.com/schedule")
        .json(&schedule)
        .send()
        .await
        .unwrap();
    fits(&doc, "PUT", "/api/admin/agents/{email}/schedule", r).await;
    let agents = fits(&doc, "GET", "/api/admin/agents", get("/api/admin/agents").await.unwrap()).await;
    assert!(agents.as_array().unwrap().iter().any(|a| a["schedule"]["time_zone"] == "Europe/Amsterdam"));
    let new_agent = json!({"name": "Alan", "email": "alan@example.com", "role": "agent"});
    let r = admin(Method::POST, "/api/admin/agents").json(&new_agent).send().await.unwrap();
    assert!(fits(&doc, "POST", "/api/admin/agents", r).await["password"].is_string());
    let c = routed_conversation(&app).await;
    let r = get(&format!("/api/admin/conversations/{c}/explain")).await.unwrap();
    let explained = fits(&doc, "GET", "/api/admin/conversations/{id}/explain", r).await;
    assert_eq!(explained["decisions"][0]["outcome"]["to"], "offer", "{explained}");

    // Refusals.
    let r = get("/api/admin/sites/nowhere").await.unwrap();
    assert_eq!(fits(&doc, "GET", "/api/admin/sites/{key}", r).await["error"]["code"], "not_found");
    let r = get("/api/admin/sites/NO").await.unwrap();
    assert_eq!(fits(&doc, "GET", "/api/admin/sites/{key}", r).await["error"]["fields"][0]["field"], "key");
    let r = admin(Method::POST, "/api/admin/teams").json(&new_team).send().await.unwrap();
    assert_eq!(fits(&doc, "POST", "/api/admin/teams", r).await["error"]["code"], "conflict");
    let r = admin(Method::PUT, "/api/admin/sites/demo/streams").body("id = ").send().await.unwrap();
    assert_eq!(
        fits(&doc, "PUT", "/api/admin/sites/{key}/streams", r).await["error"]["code"],
        "invalid_stream"
    );
    let r = app.http.get(format!("{}/api/admin/agents", app.url)).send().await.unwrap();
    assert_eq!(fits(&doc, "GET", "/api/admin/agents", r).await["error"]["code"], "unauthorized");

    // Login, who is logged in, logout.
    let r = app.login("ada@example.com", &app.password("ada@example.com")).await;
    let session = fits(&doc, "POST", "/api/auth/login", r).await;
    let ada = session["token"].as_str().unwrap();
    let r = app.http.get(format!("{}/api/auth/me", app.url)).bearer_auth(ada).send().await.unwrap();
    fits(&doc, "GET", "/api/auth/me", r).await;
    let r = app.http.post(format!("{}/api/auth/logout", app.url)).bearer_auth(ada).json(&json!({})).send();
    fits(&doc, "POST", "/api/auth/logout", r.await.unwrap()).await;
    let r = app.login("ada@example.com", "not the password").await;
    assert_eq!(fits(&doc, "POST", "/api/auth/login", r).await["error"]["code"], "bad_credentials");
}

#[tokio::test]
async fn a_body_or_path_the_server_cannot_read_is_refused_with_an_error_body() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let token = app.session("admin@example.com").await;
    let send = |method: Method, path: &str| {
        app.http.request(method, format!("{}{path}", app.url)).bearer_auth(&token)
    };
    let json = ("content-type", "application/json");

    let r =
        send(Method::POST, "/api/admin/sites").header(json.0, json.1).body("{not json").send().await.unwrap();
    let e = fits(&doc, "POST", "/api/admin/sites", r).await;
    assert_eq!(e["error"]["code"], "bad_request");
    assert!(e["error"]["message"].as_str().unwrap().contains("not valid JSON"), "{e}");

    let wrong_type = json!({"key": "shop", "name": 7});
    let r = send(Method::POST, "/api/admin/sites").json(&wrong_type).send().await.unwrap();
    let e = fits(&doc, "POST", "/api/admin/sites", r).await;
    assert!(e["error"]["message"].as_str().unwrap().contains("invalid type: integer `7`"), "{e}");

    let unknown = json!({"key": "shop", "name": "Shop", "origins": []});
    let r = send(Method::POST, "/api/admin/sites").json(&unknown).send().await.unwrap();
    let e = fits(&doc, "POST", "/api/admin/sites", r).await;
    assert!(e["error"]["message"].as_str().unwrap().contains("unknown field `origins`"), "{e}");

    let r =
        send(Method::POST, "/api/admin/sites").body(r#"{"key":"shop","name":"Shop"}"#).send().await.unwrap();
    assert_eq!(fits(&doc, "POST", "/api/admin/sites", r).await["error"]["code"], "not_json");

    let huge = json!({"key": "shop", "name": "x".repeat(2 * 1024 * 1024)});
    let r = send(Method::POST, "/api/admin/sites").json(&huge).send().await.unwrap();
    assert_eq!(fits(&doc, "POST", "/api/admin/sites", r).await["error"]["code"], "too_large");

    let r = send(Method::GET, "/api/admin/conversations/abc/explain").send().await.unwrap();
    let e = fits(&doc, "GET", "/api/admin/conversations/{id}/explain", r).await;
    assert_eq!(e["error"]["code"], "bad_request");

    let r = send(Method::PUT, "/api/admin/sites/demo/streams").body(vec![0xff, 0xfe]).send().await.unwrap();
    let e = fits(&doc, "PUT", "/api/admin/sites/{key}/streams", r).await;
    assert_eq!(e["error"]["message"], "the body is not UTF-8 text");

    // serde would read a struct from an array, its fields by position: `[]`
    // was a password reset (schemathesis found it).
    let reset = "/api/admin/agents/ada@example.com/password";
    let r = send(Method::PUT, reset).json(&json!([])).send().await.unwrap();
    let e = fits(&doc, "PUT", "/api/admin/agents/{email}/password", r).await;
    assert_eq!(e["error"]["message"], "the body must be a JSON object");
    assert_eq!(app.login("ada@example.com", &app.password("ada@example.com")).await.status(), 200);

    let r =
        app.http.post(format!("{}/api/auth/login", app.url)).json(&json!({"email": 1})).send().await.unwrap();
    assert_eq!(fits(&doc, "POST", "/api/auth/login", r).await["error"]["code"], "bad_request");
}

#[tokio::test]
async fn the_routing_tools_links_and_conversation_list_answer_as_documented() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let token = app.session("admin@example.com").await;
    let admin = |method: Method, path: &str| {
        app.http.request(method, format!("{}{path}", app.url)).bearer_auth(&token)
    };
    let get = |path: &str| admin(Method::GET, path).send();

    // Routing tools: a dry run, the rules' order, a rename, CSV both ways.
    let a_try = json!({"routing": "round_robin", "attributes": {"email": "vera@big.com"}, "language": "nl"});
    let r = admin(Method::POST, "/api/admin/sites/demo/routing/try").json(&a_try).send().await.unwrap();
    let tried = fits(&doc, "POST", "/api/admin/sites/{key}/routing/try", r).await;
    assert!(tried["text"].as_str().unwrap().contains("Try at"), "{tried}");
    let rule = |name: &str| {
        json!({
            "name": name,
            "conditions": [{"field": "email_domain", "op": "is", "values": ["big.com"]}],
            "route_to": {"agents": ["ada@example.com"]},
        })
    };
    for name in ["First", "Second"] {
        let r = admin(Method::POST, "/api/admin/sites/demo/rules").json(&rule(name)).send().await.unwrap();
        assert_eq!(r.status(), 204);
    }
    let order = json!({"names": ["second", "first"]});
    let r = admin(Method::PUT, "/api/admin/sites/demo/rules/order").json(&order).send().await.unwrap();
    let ordered = fits(&doc, "PUT", "/api/admin/sites/{key}/rules/order", r).await;
    assert_eq!(ordered[0]["name"], "Second", "{ordered}");
    let r =
        admin(Method::PUT, "/api/admin/sites/demo/rules/First").json(&rule("Order")).send().await.unwrap();
    fits(&doc, "PUT", "/api/admin/sites/{key}/rules/{name}", r).await;
    let order_rule = fits(
        &doc,
        "GET",
        "/api/admin/sites/{key}/rules/order",
        get("/api/admin/sites/demo/rules/order").await.unwrap(),
    )
    .await;
    assert_eq!(order_rule["name"], "Order");
    let r = admin(Method::DELETE, "/api/admin/sites/demo/rules/order").send().await.unwrap();
    fits(&doc, "DELETE", "/api/admin/sites/{key}/rules/order", r).await;
    let csv = "domain,agent_email\nbig.com,ada@example.com\n";
    let r = admin(Method::PUT, "/api/admin/sites/demo/account-routes.csv").body(csv).send().await.unwrap();
    let routes = fits(&doc, "PUT", "/api/admin/sites/{key}/account-routes.csv", r).await;
    assert_eq!(routes[0]["domain"], "big.com");
    let r = get("/api/admin/sites/demo/account-routes.csv").await.unwrap();
    assert_eq!(fits(&doc, "GET", "/api/admin/sites/{key}/account-routes.csv", r).await, csv);

    // An invitation, its link, accepting it; setup is over.
    let r = admin(Method::POST, "/api/admin/agents/grace@example.com/invite").send().await.unwrap();
    let invited = fits(&doc, "POST", "/api/admin/agents/{email}/invite", r).await;
    let invite = invited["invite_token"].as_str().unwrap().to_owned();
    assert!(invited["password"].is_null() && invited["agent"]["capacity"].is_u64(), "{invited}");
    let link = |token: &str| {
        app.http.post(format!("{}/api/account-tokens", app.url)).json(&json!({ "token": token })).send()
    };
    let info = fits(&doc, "POST", "/api/account-tokens", link(&invite).await.unwrap()).await;
    assert_eq!((&info["purpose"], &info["email"]), (&json!("invite"), &json!("grace@example.com")));
    let accept = json!({"token": invite, "password": "grace's very own password"});
    let post = |path: &str, body: &Value| app.http.post(format!("{}{path}", app.url)).json(body).send();
    let r = post("/api/invitations/accept", &accept).await.unwrap();
    let signed_in = fits(&doc, "POST", "/api/invitations/accept", r).await;
    assert_eq!(signed_in["agent"]["email"], "grace@example.com");
    let r = post("/api/invitations/accept", &accept).await.unwrap();
    assert_eq!(fits(&doc, "POST", "/api/invitations/accept", r).await["error"]["code"], "link_invalid");
    let r = link(&invite).await.unwrap();
    assert_eq!(fits(&doc, "POST", "/api/account-tokens", r).await["error"]["code"], "link_invalid");
    let setup =
        json!({"token": "abc", "name": "Root", "email": "root@example.com", "password": "long enough!"});
    let r = post("/api/setup", &setup).await.unwrap();
    assert_eq!(fits(&doc, "POST", "/api/setup", r).await["error"]["code"], "setup_done");

    // The conversation list and one conversation in full.
    let c = routed_conversation(&app).await;
    let r = get("/api/admin/conversations?site=demo&state=offered&limit=1").await.unwrap();
    let page = fits(&doc, "GET", "/api/admin/conversations", r).await;
    assert_eq!(page["items"][0]["id"], c, "{page}");
    let r = get(&format!("/api/admin/conversations/{c}")).await.unwrap();
    let detail = fits(&doc, "GET", "/api/admin/conversations/{id}", r).await;
    assert_eq!(detail["messages"][0]["part"], "bot", "{detail}");
    assert_eq!(detail["explain"]["decisions"][0]["outcome"]["to"], "offer", "{detail}");
    assert_eq!(detail["visitor"]["attributes"]["first_name"], "Vera");

    // The fields main gained on sites and agents.
    let change = json!({"blocked_email_domains": ["gmail.com"], "chat_enabled": false});
    let r = admin(Method::PATCH, "/api/admin/sites/demo").json(&change).send().await.unwrap();
    let site = fits(&doc, "PATCH", "/api/admin/sites/{key}", r).await;
    assert_eq!(
        (&site["blocked_email_domains"], &site["chat_enabled"]),
        (&json!(["gmail.com"]), &json!(false))
    );
    let new_agent =
        json!({"name": "Nina", "email": "nina@example.com", "role": "agent", "invite": true, "capacity": 2});
    let r = admin(Method::POST, "/api/admin/agents").json(&new_agent).send().await.unwrap();
    let added = fits(&doc, "POST", "/api/admin/agents", r).await;
    assert!(added["invite_token"].is_string() && added["agent"]["invited"] == true, "{added}");
    assert_eq!(added["agent"]["capacity"], 2);

    // Refusals, each an ErrorBody the document lists.
    let r = get("/api/admin/conversations?limit=0&state=lost").await.unwrap();
    let e = fits(&doc, "GET", "/api/admin/conversations", r).await;
    assert_eq!(e["error"]["fields"][0]["field"], "state", "{e}");
    let r = get("/api/admin/conversations?site=demo&site=acme").await.unwrap();
    assert_eq!(fits(&doc, "GET", "/api/admin/conversations", r).await["error"]["code"], "bad_request");
    let r = get("/api/admin/conversations/abc").await.unwrap();
    assert_eq!(fits(&doc, "GET", "/api/admin/conversations/{id}", r).await["error"]["code"], "not_found");
    let r = admin(Method::POST, "/api/admin/sites/demo/routing/try")
        .json(&json!({"routing": "rules", "page": "/"}));
    let e = fits(&doc, "POST", "/api/admin/sites/{key}/routing/try", r.send().await.unwrap()).await;
    assert!(e["error"]["message"].as_str().unwrap().contains("unknown field `page`"), "{e}");
    let huge = "#".repeat(MAX_ACCOUNT_ROUTES_CSV_BYTES + 2);
    let r = admin(Method::PUT, "/api/admin/sites/demo/account-routes.csv").body(huge).send().await.unwrap();
    let e = fits(&doc, "PUT", "/api/admin/sites/{key}/account-routes.csv", r).await;
    assert_eq!(e["error"]["code"], "too_large");
    let r = admin(Method::PUT, "/api/admin/sites/demo/account-routes.csv").body("big.com,nobody@example.com");
    let e = fits(&doc, "PUT", "/api/admin/sites/{key}/account-routes.csv", r.send().await.unwrap()).await;
    assert_eq!(e["error"]["fields"][0]["field"], "line 1", "{e}");
    let r = admin(Method::PUT, "/api/admin/sites/demo/rules/nothing")
        .json(&rule("Nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        fits(&doc, "PUT", "/api/admin/sites/{key}/rules/{name}", r).await["error"]["code"],
        "not_found"
    );
}
