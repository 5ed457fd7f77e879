use crate::helpers::spawn_app;

fn session_cookie(r: &reqwest::Response) -> String {
    let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Strict"), "{set}");
    set.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn an_agent_logs_in_sees_who_they_are_and_logs_out() {
    let app = spawn_app().await;
    let r = app.login("ada@example.com", &app.password("ada@example.com")).await;
    assert_eq!(r.status(), 200);
    let cookie = session_cookie(&r);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["agent"]["name"], "Ada Lovelace");
    assert_eq!(body["agent"]["role"], "agent");

    let me = app.http.get(format!("{}/api/auth/me", app.url)).header("Cookie", &cookie).send().await.unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<serde_json::Value>().await.unwrap()["email"], "ada@example.com");

    let out = app
        .http
        .post(format!("{}/api/auth/logout", app.url))
        .header("Cookie", &cookie)
        .header("Origin", &app.url)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    let me = app.http.get(format!("{}/api/auth/me", app.url)).header("Cookie", &cookie).send().await.unwrap();
    assert_eq!(me.status(), 401);
}

#[tokio::test]
async fn the_session_token_also_works_as_a_bearer_token_and_emails_ignore_case() {
    let app = spawn_app().await;
    let r = app.login("ADMIN@Example.com", &app.password("admin@example.com")).await;
    assert_eq!(r.status(), 200);
    let token = r.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let me = app.http.get(format!("{}/api/auth/me", app.url)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.json::<serde_json::Value>().await.unwrap()["role"], "admin");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    let wrong = app.login("ada@example.com", "not the password").await;
    let unknown = app.login("nobody@example.com", "whatever").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert_eq!(wrong.text().await.unwrap(), unknown.text().await.unwrap());
}

#[tokio::test]
async fn without_a_session_me_is_unauthorized() {
    let app = spawn_app().await;
    let r = app
        .http
        .get(format!("{}/api/auth/me", app.url))
        .header("Cookie", "sb_session=forged")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn oversized_and_malformed_login_bodies_are_refused_cleanly() {
    let app = spawn_app().await;
    let huge = "x".repeat(200 * 1024);
    let r = app
        .http
        .post(format!("{}/api/auth/login", app.url))
        .header("content-type", "application/json")
        .body(format!(r#"{{"email":"a@b.c","password":"{huge}"}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let r = app
        .http
        .post(format!("{}/api/auth/login", app.url))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn accounts_and_sessions_survive_a_server_restart() {
    let app = spawn_app().await;
    let r = app.login("grace@example.com", &app.password("grace@example.com")).await;
    let cookie = session_cookie(&r);
    let app = app.restart().await;
    let me = app.http.get(format!("{}/api/auth/me", app.url)).header("Cookie", &cookie).send().await.unwrap();
    assert_eq!(me.status(), 200);
    let r = app.login("grace@example.com", &app.password("grace@example.com")).await;
    assert_eq!(r.status(), 200);
}
