use reqwest::Method;
use serde_json::{json, Value};
use switchboard_protocol::admin::{
    AgentChange, AppearanceChange, NewAccountRoute, NewAgent, NewSite, NewTeam, PasswordReset, Schedule,
    ScheduleBlock, SiteChange, TeamChange,
};
use switchboard_protocol::auth::Role;
use switchboard_protocol::rules::RoutingRule;
use switchboard_protocol::site::{Appearance, Locale, Position, SiteConfig};

use crate::helpers::{spawn_app, team, TestApp};

const STREAM: &str = include_str!("../../../../examples/streams/team.toml");

pub fn new_site(key: &str, name: &str, origins: &[&str]) -> NewSite {
    NewSite {
        key: key.into(),
        name: name.into(),
        allowed_origins: origins.iter().map(|o| (*o).to_owned()).collect(),
        blocked_email_domains: vec![],
        chat_enabled: None,
    }
}

fn new_agent(name: &str, email: &str, password: Option<&str>) -> NewAgent {
    NewAgent {
        name: name.into(),
        email: email.into(),
        role: Role::Agent,
        password: password.map(Into::into),
        invite: false,
        capacity: None,
    }
}

fn rule(json: Value) -> RoutingRule {
    serde_json::from_value(json).unwrap()
}

/// What the widget gets for a site: the public config, not the admin API.
async fn config(app: &TestApp, key: &str) -> reqwest::Response {
    app.http.get(format!("{}/api/sites/{key}/config", app.url)).send().await.unwrap()
}

async fn appearance(app: &TestApp) -> Appearance {
    config(app, "acme").await.json::<SiteConfig>().await.unwrap().appearance
}

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
    let admin = app.admin().await;

    let site = admin.add_site(&new_site("acme", "Acme", &["https://Acme.example"])).await.unwrap();
    assert_eq!(site.allowed_origins, ["https://acme.example"]);
    let again = admin.add_site(&new_site("acme", "Acme", &[])).await.unwrap_err();
    assert_eq!(again.status, 409);
    let bad = admin.add_site(&new_site("acme2", "Acme", &["acme.example/path"])).await.unwrap_err();
    assert_eq!(bad.status, 400);

    // Publish a stream; the widget's config serves it.
    let published = admin.publish_stream("acme", STREAM).await.unwrap();
    assert_eq!((published.id.as_str(), published.version), ("sales-team", 1));
    let r = app
        .http
        .get(format!("{}/api/sites/acme/config", app.url))
        .header("Origin", "https://acme.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<SiteConfig>().await.unwrap().streams[0].id, "sales-team");

    // A broken stream is refused with the validator's errors, and nothing changes.
    let broken =
        STREAM.replace("routing = { team = \"Sales\" }", "routing = { team = \"Sales\" }\nnext = \"hello\"");
    let r = admin.publish_stream("acme", &broken).await.unwrap_err();
    assert_eq!(r.status, 422);
    let details = r.body.error.details.clone().unwrap_or_default();
    assert!(details.iter().any(|d| d.contains("card agent: a live chat card is the last card")), "{r:?}");

    // Change and remove.
    let change = SiteChange {
        name: Some("Acme Inc".into()),
        fallback_message: Some("Mail us.".into()),
        ..Default::default()
    };
    let site = admin.update_site("acme", &change).await.unwrap();
    assert_eq!((site.name.as_str(), site.fallback_message.as_str()), ("Acme Inc", "Mail us."));
    let look = AppearanceChange {
        accent: Some("#FFE066".into()),
        header_title: Some("Acme help".into()),
        locale: Some("nl".into()),
        position: Some(Position::BottomLeft),
        ..Default::default()
    };
    admin.update_appearance("acme", &look).await.unwrap();
    let look = appearance(&app).await;
    assert_eq!(look.accent.to_string(), "#ffe066");
    assert_eq!(look.header_title, "Acme help");
    assert_eq!(look.locale, Some(Locale::Nl));
    assert_eq!(look.position, Position::BottomLeft);
    let red = AppearanceChange { accent: Some("red".into()), ..Default::default() };
    assert_eq!(admin.update_appearance("acme", &red).await.unwrap_err().status, 400);

    // The bot's avatar, the launcher's label, the privacy link and the sound:
    // set, checked, and cleared with an empty value.
    let set = AppearanceChange {
        bot_avatar_url: Some("https://acme.example/bot.png".into()),
        launcher_label: Some(" Questions? ".into()),
        privacy_url: Some("https://acme.example/privacy".into()),
        sound: Some(true),
        ..Default::default()
    };
    admin.update_appearance("acme", &set).await.unwrap();
    let look = appearance(&app).await;
    assert_eq!(look.bot_avatar_url.as_deref(), Some("https://acme.example/bot.png"));
    assert_eq!(look.launcher_label.as_deref(), Some("Questions?"));
    assert_eq!(look.privacy_url.as_deref(), Some("https://acme.example/privacy"));
    assert!(look.sound);
    for bad in [
        AppearanceChange { privacy_url: Some("javascript:alert(1)".into()), ..Default::default() },
        AppearanceChange { bot_avatar_url: Some("data:image/png;base64,AAAA".into()), ..Default::default() },
        AppearanceChange { launcher_label: Some("x".repeat(41)), ..Default::default() },
    ] {
        let r = admin.update_appearance("acme", &bad).await.unwrap_err();
        assert_eq!(r.status, 400, "{bad:?}");
    }
    // Not even JSON of the request's shape.
    let r = app.as_admin(Method::PATCH, "/sites/acme/appearance").await.json(&json!({"sound": "yes"}));
    let status = r.send().await.unwrap().status();
    assert!(status == 400 || status == 422, "{status}");
    assert_eq!(appearance(&app).await, look, "a refused change changes nothing");
    let clear = AppearanceChange {
        bot_avatar_url: Some("".into()),
        launcher_label: Some("".into()),
        privacy_url: Some(" ".into()),
        sound: Some(false),
        ..Default::default()
    };
    admin.update_appearance("acme", &clear).await.unwrap();
    let look = appearance(&app).await;
    assert_eq!((look.bot_avatar_url, look.launcher_label, look.privacy_url), (None, None, None));
    assert!(!look.sound);

    admin.remove_stream("acme", "sales-team").await.unwrap();
    assert_eq!(admin.remove_stream("acme", "sales-team").await.unwrap_err().status, 404);
    admin.remove_site("acme").await.unwrap();
    assert_eq!(config(&app, "acme").await.status(), 404);
}

#[tokio::test]
async fn an_admin_manages_agents_and_a_password_reset_ends_their_sessions() {
    let app = spawn_app().await;
    let admin = app.admin().await;

    let added = admin.add_agent(&new_agent("Alan Turing", "alan@example.com", None)).await.unwrap();
    assert_eq!(
        (added.agent.profile.email.as_str(), added.agent.profile.live_chat),
        ("alan@example.com", true)
    );
    let password = added.password.expect("a generated password, shown once");
    assert_eq!(app.login("alan@example.com", &password).await.status(), 200);
    let short = admin.add_agent(&new_agent("X", "x@example.com", Some("short"))).await.unwrap_err();
    assert_eq!(short.status, 400);
    let chosen = admin.add_agent(&new_agent("Y", "y@example.com", Some("long enough now"))).await.unwrap();
    assert_eq!(chosen.password, None, "a chosen password is not answered back");

    let ada = app.session("ada@example.com").await;
    let reset = admin.reset_password("ada@example.com", &PasswordReset::default()).await.unwrap();
    let new_password = reset.password.unwrap();
    let me = app.http.get(format!("{}/api/auth/me", app.url)).bearer_auth(&ada).send().await.unwrap();
    assert_eq!(me.status(), 401, "the old session must end");
    assert_eq!(app.login("ada@example.com", &new_password).await.status(), 200);

    let bad = AgentChange { avatar_url: Some("javascript:alert(1)".into()), ..Default::default() };
    assert_eq!(admin.update_agent("alan@example.com", &bad).await.unwrap_err().status, 400);
    let promote = AgentChange { role: Some(Role::Admin), ..Default::default() };
    assert_eq!(admin.update_agent("alan@example.com", &promote).await.unwrap().profile.role, Role::Admin);
    admin.remove_agent("alan@example.com").await.unwrap();
    admin.remove_agent("y@example.com").await.unwrap();
    assert_eq!(admin.agents().await.unwrap().len(), 3);
}

#[tokio::test]
async fn an_admin_manages_teams_over_http() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let sales = admin.add_team(&team("Sales", &["ada@example.com"])).await.unwrap();
    assert_eq!(sales.members, ["ada@example.com"]);
    assert_eq!(admin.add_team(&team("sales", &[])).await.unwrap_err().status, 409);
    let unknown = admin.add_team(&team("Support", &["nobody@example.com"])).await.unwrap_err();
    assert_eq!(unknown.status, 404);
    let change =
        TeamChange { name: None, members: Some(vec!["ada@example.com".into(), "grace@example.com".into()]) };
    let sales = admin.update_team("Sales", &change).await.unwrap();
    assert_eq!(sales.members, ["ada@example.com", "grace@example.com"]);
    admin.remove_team("Sales").await.unwrap();
    assert_eq!(admin.teams().await.unwrap(), []);
}

#[tokio::test]
async fn an_admin_manages_routing_rules_validated_on_save() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let big = rule(json!({
        "name": "Big accounts", "priority": 10,
        "conditions": [{"field": "email_domain", "op": "is", "values": ["bigcorp.com"]}],
        "route_to": {"agents": ["ada@example.com"]}
    }));
    admin.save_rule("demo", &big).await.unwrap();

    let broken = rule(json!({
        "name": "Broken",
        "conditions": [{"field": "nickname", "op": "is", "values": ["x"]}],
        "route_to": {"agents": []}
    }));
    let r = admin.save_rule("demo", &broken).await.unwrap_err();
    assert_eq!(r.status, 400);
    let message = &r.body.error.message;
    assert!(
        message.contains("unknown field `nickname`") && message.contains("at least one agent"),
        "{message}"
    );
    assert_eq!(r.fields(), ["conditions", "route_to"]);
    let no_team = rule(json!({
        "name": "Sales", "conditions": [{"field": "page_url", "op": "matches", "values": ["*/pricing*"]}],
        "route_to": {"team": "Sales"}
    }));
    assert_eq!(admin.save_rule("demo", &no_team).await.unwrap_err().status, 404, "the team does not exist");

    // Saving under the same name replaces.
    let changed = RoutingRule { priority: 20, description: "Bigcorp is ours".into(), ..big.clone() };
    admin.save_rule("demo", &changed).await.unwrap();
    let rules = admin.rules("demo").await.unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].priority, 20);
    assert_eq!(rules[0].description, "Bigcorp is ours");
    let wordy = RoutingRule { description: "x".repeat(501), ..big.clone() };
    let r = admin.save_rule("demo", &wordy).await.unwrap_err();
    assert_eq!((r.status.as_u16(), r.fields()), (400, vec!["description"]));
    admin.remove_rule("demo", "Big accounts").await.unwrap();
    assert_eq!(admin.remove_rule("demo", "Big accounts").await.unwrap_err().status, 404);
}

#[tokio::test]
async fn a_refused_value_is_a_400_that_names_its_field_and_says_why() {
    let app = spawn_app().await;
    let admin = app.admin().await;

    let r = admin.add_site(&new_site("acme", "Acme", &["acme.example/path"])).await.unwrap_err();
    assert_eq!((r.status.as_u16(), r.body.error.code.as_str()), (400, "bad_request"));
    assert_eq!(r.fields(), ["allowed_origins"]);
    assert_eq!(
        r.about("allowed_origins"),
        "origin \"acme.example/path\" must be http(s)://host[:port], without a path"
    );

    let r = admin.add_agent(&new_agent("Alan", "alan-at-example.com", None)).await.unwrap_err();
    assert_eq!(r.fields(), ["email"]);
    assert_eq!(r.about("email"), "email \"alan-at-example.com\": not a valid email address");

    let r = admin.add_agent(&new_agent("Alan", "alan@example.com", Some("short"))).await.unwrap_err();
    assert_eq!(r.fields(), ["password"]);
    assert_eq!(r.about("password"), "a password must be 10 to 256 characters");
    let r = admin
        .reset_password("ada@example.com", &PasswordReset { password: Some("short".into()) })
        .await
        .unwrap_err();
    assert_eq!(r.fields(), ["password"]);

    // Every bad field at once, so a form can mark them all.
    let r = admin.add_site(&new_site("Not A Key", " ", &["ftp://acme.example"])).await.unwrap_err();
    assert_eq!(r.fields(), ["key", "name", "allowed_origins"]);
    assert_eq!(
        r.body.error.message,
        r.body.error.fields.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    );
    let look = AppearanceChange { accent: Some("red".into()), offset_px: Some(500), ..Default::default() };
    assert_eq!(admin.update_appearance("demo", &look).await.unwrap_err().fields(), ["accent", "offset_px"]);
    let r = admin.add_team(&NewTeam { name: "".into(), members: vec!["ada".into()] }).await.unwrap_err();
    assert_eq!(r.fields(), ["name", "members"]);
    let schedule = Schedule {
        time_zone: "Nowhere/Land".into(),
        blocks: vec![ScheduleBlock { days: vec!["mon".into()], from: "09:00".into(), to: "17:00".into() }],
    };
    let r = admin.set_schedule("ada@example.com", Some(&schedule)).await.unwrap_err();
    assert_eq!(r.fields(), ["time_zone"]);
    assert!(r.about("time_zone").contains("unknown time zone"), "{r:?}");
    // A block's problem is the schedule's.
    let schedule = Schedule {
        time_zone: "UTC".into(),
        blocks: vec![ScheduleBlock { days: vec!["mon".into()], from: "17:00".into(), to: "09:00".into() }],
    };
    let r = admin.set_schedule("ada@example.com", Some(&schedule)).await.unwrap_err();
    assert_eq!(r.fields(), ["schedule"]);

    // A path parameter is checked by its name too.
    let r = admin.agent("not-an-email").await.unwrap_err();
    assert_eq!((r.status.as_u16(), r.fields()), (400, vec!["email"]));
    let r = admin.site("Not A Key").await.unwrap_err();
    assert_eq!((r.status.as_u16(), r.fields()), (400, vec!["key"]));

    // Other refusals name no field.
    let r = admin.site("nosuchsite").await.unwrap_err();
    assert_eq!((r.status.as_u16(), r.body.error.code.as_str()), (404, "not_found"));
    assert!(r.body.error.fields.is_empty());
}

#[tokio::test]
async fn each_resource_is_read_alone_and_an_unknown_one_is_not_found() {
    let app = spawn_app().await;
    let admin = app.admin().await;

    let site = admin.site("demo").await.unwrap();
    assert_eq!(site.key.as_str(), "demo");
    assert_eq!(admin.sites().await.unwrap(), [site]);

    let schedule = Schedule {
        time_zone: "Europe/Amsterdam".into(),
        blocks: vec![ScheduleBlock {
            days: vec!["mon".into(), "tue".into()],
            from: "09:00".into(),
            to: "17:00".into(),
        }],
    };
    admin.set_schedule("ada@example.com", Some(&schedule)).await.unwrap();
    let ada = admin.agent("Ada@Example.com").await.unwrap();
    assert_eq!(ada.profile.email, "ada@example.com", "found without regard to case");
    assert_eq!(ada.schedule.as_ref(), Some(&schedule));
    let listed = admin.agents().await.unwrap();
    assert_eq!(listed.iter().find(|a| a.profile.email == ada.profile.email), Some(&ada));
    admin.set_schedule("ada@example.com", None).await.unwrap();
    assert_eq!(admin.agent("ada@example.com").await.unwrap().schedule, None);

    admin.add_team(&team("Sales EU", &["grace@example.com"])).await.unwrap();
    let sales = admin.team("sales eu").await.unwrap();
    assert_eq!(
        (sales.name.as_str(), sales.members.as_slice()),
        ("Sales EU", &["grace@example.com".to_owned()][..])
    );

    let big = rule(json!({
        "name": "Big accounts",
        "conditions": [{"field": "email_domain", "op": "is", "values": ["bigcorp.com"]}],
        "route_to": {"team": "Sales EU"}
    }));
    admin.save_rule("demo", &big).await.unwrap();
    assert_eq!(admin.rule("demo", "Big accounts").await.unwrap(), big);

    let route = NewAccountRoute { domain: "@BigCorp.com".into(), agent: "Ada@example.com".into() };
    let route = admin.save_account_route("demo", &route).await.unwrap();
    assert_eq!((route.domain.as_str(), route.agent.as_str()), ("bigcorp.com", "ada@example.com"));
    assert_eq!(admin.account_routes("demo").await.unwrap(), [route]);

    admin.publish_stream("demo", STREAM).await.unwrap();
    let stream = admin.stream("demo", "sales-team").await.unwrap();
    assert_eq!((stream.stream.id.as_str(), stream.stream.version), ("sales-team", 1));
    assert_eq!(stream.source, STREAM);
    let summary = admin.streams("demo").await.unwrap().into_iter().find(|s| s.id == "sales-team").unwrap();
    assert_eq!((summary.version, summary.card_count), (1, stream.stream.cards.len()));

    for missing in [
        admin.site("nosuchsite").await.map(drop),
        admin.agent("nobody@example.com").await.map(drop),
        admin.team("Nobody").await.map(drop),
        admin.rule("demo", "No such rule").await.map(drop),
        admin.rule("nosuchsite", "Big accounts").await.map(drop),
        admin.stream("demo", "no-such-stream").await.map(drop),
    ] {
        let r = missing.unwrap_err();
        assert_eq!((r.status.as_u16(), r.body.error.code.as_str()), (404, "not_found"), "{r:?}");
    }
}
