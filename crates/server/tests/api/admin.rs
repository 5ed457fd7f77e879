use serde_json::{json, Value};

use crate::helpers::spawn_app;

const STREAM: &str = include_str!("../../../../examples/streams/team.toml");

#[tokio::test]
async fn admin_endpoints_need_a_session_and_the_admin_role() {
    let app = spawn_app().await;
    let url = format!("{}/api/admin/sites", app.url);
    assert_eq!(app.http.get(&url).send().await.unwrap().status(), 401);
    let agent = app.session("ada@example.com").await;
    let r = app.http.get(&url).bearer_auth(&agent).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "forbidden");
    let r = app
        .http
        .post(&url)
        .bearer_auth(&agent)
        .json(&json!({"key":"x-site","name":"X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let admin = app.session("admin@example.com").await;
    assert_eq!(app.http.get(&url).bearer_auth(&admin).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn an_admin_manages_a_site_and_its_streams_over_http() {
    let app = spawn_app().await;
    let admin = app.session("admin@example.com").await;
    let api = |path: &str| format!("{}/api/admin{path}", app.url);

    let r = app
        .http
        .post(api("/sites"))
        .bearer_auth(&admin)
        .json(&json!({"key": "acme", "name": "Acme", "allowed_origins": ["https://Acme.example"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().await.unwrap()["allowed_origins"], json!(["https://acme.example"]));
    let again = app
        .http
        .post(api("/sites"))
        .bearer_auth(&admin)
        .json(&json!({"key": "acme", "name": "Acme"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    let bad = app
        .http
        .post(api("/sites"))
        .bearer_auth(&admin)
        .json(&json!({"key": "acme2", "name": "Acme", "allowed_origins": ["acme.example/path"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    // Publish a stream; the widget's config serves it.
    let r = app.http.put(api("/sites/acme/streams")).bearer_auth(&admin).body(STREAM).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["id"], "sales-team");
    let config: Value = app
        .http
        .get(format!("{}/api/sites/acme/config", app.url))
        .header("Origin", "https://acme.example")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["streams"][0]["id"], "sales-team");

    // A broken stream is refused with the validator's errors, and nothing changes.
    let broken =
        STREAM.replace("routing = { team = \"Sales\" }", "routing = { team = \"Sales\" }\nnext = \"hello\"");
    let r = app.http.put(api("/sites/acme/streams")).bearer_auth(&admin).body(broken).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    let details = body["error"]["details"].as_array().unwrap();
    assert!(
        details.iter().any(|d| d.as_str().unwrap().contains("card agent: a live chat card is the last card")),
        "{body}"
    );

    // Change and remove.
    let r = app
        .http
        .patch(api("/sites/acme"))
        .bearer_auth(&admin)
        .json(&json!({"name": "Acme Inc", "fallback_message": "Mail us."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["name"], "Acme Inc");
    let r = app
        .http
        .patch(api("/sites/acme/appearance"))
        .bearer_auth(&admin)
        .json(&json!({"accent": "#FFE066", "header_title": "Acme help", "locale": "nl", "position": "bottom_left"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let config: Value = app
        .http
        .get(format!("{}/api/sites/acme/config", app.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["appearance"]["accent"], "#ffe066");
    assert_eq!(config["appearance"]["header_title"], "Acme help");
    assert_eq!(config["appearance"]["locale"], "nl");
    assert_eq!(config["appearance"]["position"], "bottom_left");
    let bad = app
        .http
        .patch(api("/sites/acme/appearance"))
        .bearer_auth(&admin)
        .json(&json!({"accent": "red"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    // The bot's avatar, the launcher's label, the privacy link and the sound:
    // set, checked, and cleared with an empty value.
    let patch = |body: Value| {
        let r = app.http.patch(api("/sites/acme/appearance")).bearer_auth(&admin).json(&body).send();
        async move { r.await.unwrap() }
    };
    let config = || async {
        let r = app.http.get(format!("{}/api/sites/acme/config", app.url)).send().await.unwrap();
        r.json::<Value>().await.unwrap()["appearance"].clone()
    };
    let r = patch(json!({
        "bot_avatar_url": "https://acme.example/bot.png",
        "launcher_label": " Questions? ",
        "privacy_url": "https://acme.example/privacy",
        "sound": true,
    }))
    .await;
    assert_eq!(r.status(), 200);
    let look = config().await;
    assert_eq!(look["bot_avatar_url"], "https://acme.example/bot.png");
    assert_eq!(look["launcher_label"], "Questions?");
    assert_eq!(look["privacy_url"], "https://acme.example/privacy");
    assert_eq!(look["sound"], true);
    for bad in [
        json!({"privacy_url": "javascript:alert(1)"}),
        json!({"bot_avatar_url": "data:image/png;base64,AAAA"}),
        json!({"launcher_label": "x".repeat(41)}),
        json!({"sound": "yes"}),
    ] {
        let r = patch(bad.clone()).await;
        assert!(r.status() == 400 || r.status() == 422, "{bad}: {}", r.status());
    }
    assert_eq!(config().await, look, "a refused change changes nothing");
    let r =
        patch(json!({"bot_avatar_url": "", "launcher_label": "", "privacy_url": " ", "sound": false})).await;
    assert_eq!(r.status(), 200);
    let look = config().await;
    for field in ["bot_avatar_url", "launcher_label", "privacy_url"] {
        assert_eq!(look[field], Value::Null, "{field}");
    }
    assert_eq!(look["sound"], false);
    assert_eq!(
        app.http
            .delete(api("/sites/acme/streams/sales-team"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        app.http
            .delete(api("/sites/acme/streams/sales-team"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(app.http.delete(api("/sites/acme")).bearer_auth(&admin).send().await.unwrap().status(), 204);
    assert_eq!(
        app.http.get(format!("{}/api/sites/acme/config", app.url)).send().await.unwrap().status(),
        404
    );
}

#[tokio::test]
async fn an_admin_manages_agents_and_a_password_reset_ends_their_sessions() {
    let app = spawn_app().await;
    let admin = app.session("admin@example.com").await;
    let api = |path: &str| format!("{}/api/admin{path}", app.url);

    let r = app
        .http
        .post(api("/agents"))
        .bearer_auth(&admin)
        .json(&json!({"name": "Alan Turing", "email": "alan@example.com", "role": "agent"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    let password = body["password"].as_str().unwrap().to_owned();
    assert_eq!(app.login("alan@example.com", &password).await.status(), 200);
    let short = app
        .http
        .post(api("/agents"))
        .bearer_auth(&admin)
        .json(&json!({"name": "X", "email": "x@example.com", "role": "agent", "password": "short"}))
        .send()
        .await
        .unwrap();
    assert_eq!(short.status(), 400);

    let ada = app.session("ada@example.com").await;
    let r = app
        .http
        .put(api("/agents/ada@example.com/password"))
        .bearer_auth(&admin)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let new_password = r.json::<Value>().await.unwrap()["password"].as_str().unwrap().to_owned();
    let me = app.http.get(format!("{}/api/auth/me", app.url)).bearer_auth(&ada).send().await.unwrap();
    assert_eq!(me.status(), 401, "the old session must end");
    assert_eq!(app.login("ada@example.com", &new_password).await.status(), 200);

    let bad = app
        .http
        .patch(api("/agents/alan@example.com"))
        .bearer_auth(&admin)
        .json(&json!({"avatar_url": "javascript:alert(1)"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let r = app
        .http
        .patch(api("/agents/alan@example.com"))
        .bearer_auth(&admin)
        .json(&json!({"role": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["role"], "admin");
    assert_eq!(
        app.http.delete(api("/agents/alan@example.com")).bearer_auth(&admin).send().await.unwrap().status(),
        204
    );
    let list: Value =
        app.http.get(api("/agents")).bearer_auth(&admin).send().await.unwrap().json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn an_admin_manages_teams_over_http() {
    let app = spawn_app().await;
    let admin = app.session("admin@example.com").await;
    let api = |path: &str| format!("{}/api/admin{path}", app.url);
    let r = app
        .http
        .post(api("/teams"))
        .bearer_auth(&admin)
        .json(&json!({"name": "Sales", "members": ["ada@example.com"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().await.unwrap()["members"], json!(["ada@example.com"]));
    let dup = app
        .http
        .post(api("/teams"))
        .bearer_auth(&admin)
        .json(&json!({"name": "sales"}))
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), 409);
    let unknown = app
        .http
        .post(api("/teams"))
        .bearer_auth(&admin)
        .json(&json!({"name": "Support", "members": ["nobody@example.com"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let r = app
        .http
        .patch(api("/teams/Sales"))
        .bearer_auth(&admin)
        .json(&json!({"members": ["ada@example.com", "grace@example.com"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["members"], json!(["ada@example.com", "grace@example.com"]));
    assert_eq!(app.http.delete(api("/teams/Sales")).bearer_auth(&admin).send().await.unwrap().status(), 204);
    let list: Value =
        app.http.get(api("/teams")).bearer_auth(&admin).send().await.unwrap().json().await.unwrap();
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn an_admin_manages_routing_rules_validated_on_save() {
    let app = spawn_app().await;
    let admin = app.session("admin@example.com").await;
    let api = |path: &str| format!("{}/api/admin{path}", app.url);
    let rule = json!({
        "name": "Big accounts", "priority": 10,
        "conditions": [{"field": "email_domain", "op": "is", "values": ["bigcorp.com"]}],
        "route_to": {"agents": ["ada@example.com"]}
    });
    let r = app.http.post(api("/sites/demo/rules")).bearer_auth(&admin).json(&rule).send().await.unwrap();
    assert_eq!(r.status(), 204);

    let bad = json!({
        "name": "Broken",
        "conditions": [{"field": "nickname", "op": "is", "values": ["x"]}],
        "route_to": {"agents": []}
    });
    let r = app.http.post(api("/sites/demo/rules")).bearer_auth(&admin).json(&bad).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let message = r.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("unknown field `nickname`") && message.contains("at least one agent"),
        "{message}"
    );
    let no_team = json!({
        "name": "Sales", "conditions": [{"field": "page_url", "op": "matches", "values": ["*/pricing*"]}],
        "route_to": {"team": "Sales"}
    });
    let r = app.http.post(api("/sites/demo/rules")).bearer_auth(&admin).json(&no_team).send().await.unwrap();
    assert_eq!(r.status(), 404, "the team does not exist");

    // Saving under the same name replaces.
    let mut changed = rule.clone();
    changed["priority"] = json!(20);
    app.http.post(api("/sites/demo/rules")).bearer_auth(&admin).json(&changed).send().await.unwrap();
    let list: Value = app
        .http
        .get(api("/sites/demo/rules"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["priority"], 20);
    assert_eq!(
        app.http
            .delete(api("/sites/demo/rules/Big%20accounts"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        app.http
            .delete(api("/sites/demo/rules/Big%20accounts"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}
