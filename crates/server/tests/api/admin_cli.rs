use std::process::{Command, Output};
use switchboard_protocol::admin::{
    AgentChange, AppearanceChange, NewAccountRoute, NewAgent, NewSite, NewTeam, SiteChange,
};
use switchboard_protocol::auth::Role;

use crate::admin_client::{Answer, Refused};
use crate::helpers::spawn_app;

/// Runs `switchboard ARGS` on the database in `data`.
pub(crate) fn switchboard(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .env("SWITCHBOARD_DATA_DIR", data)
        .args(args)
        .output()
        .unwrap()
}

/// What a command that succeeded printed.
pub(crate) fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_admin_cli_round_trips_sites_agents_and_streams() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/streams");

    stdout(&switchboard(d, &["site", "add", "acme", "--name", "Acme", "--origin", "https://acme.example"]));
    assert!(stdout(&switchboard(d, &["site", "list"])).contains("acme\tAcme\thttps://acme.example"));
    stdout(&switchboard(
        d,
        &["site", "update", "acme", "--name", "Acme Inc", "--origin", "https://www.acme.example"],
    ));
    assert!(stdout(&switchboard(d, &["site", "list"])).contains("acme\tAcme Inc\thttps://www.acme.example"));
    let updated = stdout(&switchboard(
        d,
        &[
            "site",
            "update",
            "acme",
            "--blocked-domain",
            "Gmail.com",
            "--blocked-domain",
            "yahoo.com",
            "--chat",
            "off",
        ],
    ));
    assert!(updated.contains("chat off; blocked email domains: gmail.com yahoo.com"), "{updated}");
    assert!(stdout(&switchboard(d, &["site", "list"]))
        .contains("acme\tAcme Inc\thttps://www.acme.example\tchat off\tblocked: gmail.com yahoo.com"));
    let cleared =
        stdout(&switchboard(d, &["site", "update", "acme", "--no-blocked-domains", "--chat", "on"]));
    assert!(cleared.contains("chat on; blocked email domains: none"), "{cleared}");

    let look = stdout(&switchboard(
        d,
        &["site", "appearance", "acme", "--accent", "#112233", "--title", "Help", "--locale", "nl"],
    ));
    assert!(
        look.contains("\"accent\":\"#112233\"")
            && look.contains("\"header_title\":\"Help\"")
            && look.contains("\"locale\":\"nl\""),
        "{look}"
    );
    let look = stdout(&switchboard(
        d,
        &["site", "appearance", "acme", "--privacy-url", "https://acme.example/privacy", "--sound", "on"],
    ));
    assert!(
        look.contains("\"privacy_url\":\"https://acme.example/privacy\"") && look.contains("\"sound\":true"),
        "{look}"
    );
    let refused = switchboard(d, &["site", "appearance", "acme", "--bot-avatar", "javascript:alert(1)"]);
    assert!(!refused.status.success());

    let added = stdout(&switchboard(d, &["agent", "add", "ada@example.com", "--name", "Ada"]));
    assert!(added.contains("Password (shown only this once): "), "{added}");
    stdout(&switchboard(d, &["agent", "update", "ada@example.com", "--role", "admin"]));
    assert!(stdout(&switchboard(d, &["agent", "list"])).contains("ada@example.com\tAda\tAdmin"));
    assert!(stdout(&switchboard(d, &["agent", "reset-password", "ada@example.com"])).contains("New password"));

    let file = examples.join("recommended.toml");
    stdout(&switchboard(d, &["stream", "publish", file.to_str().unwrap(), "--site", "acme"]));
    assert!(
        stdout(&switchboard(d, &["stream", "list", "--site", "acme"])).starts_with("recommended\tpriority 0")
    );
    stdout(&switchboard(d, &["stream", "remove", "recommended", "--site", "acme"]));
    assert_eq!(stdout(&switchboard(d, &["stream", "list", "--site", "acme"])), "");

    stdout(&switchboard(d, &["agent", "add", "grace@example.com", "--name", "Grace"]));
    stdout(&switchboard(d, &["team", "add", "Sales", "--member", "ada@example.com"]));
    assert_eq!(stdout(&switchboard(d, &["team", "list"])), "Sales\tada@example.com\n");
    stdout(&switchboard(
        d,
        &[
            "team",
            "update",
            "sales",
            "--rename",
            "Sales EU",
            "--member",
            "ada@example.com",
            "--member",
            "grace@example.com",
        ],
    ));
    assert_eq!(stdout(&switchboard(d, &["team", "list"])), "Sales EU\tada@example.com grace@example.com\n");
    let rule = d.join("rule.toml");
    std::fs::write(
        &rule,
        "name = \"Big accounts\"\ndescription = \"Bigcorp goes to sales\"\npriority = 5\nroute_to = { team = \"Sales EU\" }\n\n[[conditions]]\nfield = \"email_domain\"\nop = \"is\"\nvalues = [\"bigcorp.com\"]\n",
    )
    .unwrap();
    stdout(&switchboard(d, &["rule", "add", rule.to_str().unwrap(), "--site", "acme"]));
    assert_eq!(
        stdout(&switchboard(d, &["rule", "list", "--site", "acme"])),
        "Big accounts\tpriority 5\t{\"team\":\"Sales EU\"}\tBigcorp goes to sales\n"
    );
    stdout(&switchboard(d, &["rule", "remove", "Big accounts", "--site", "acme"]));
    assert_eq!(stdout(&switchboard(d, &["rule", "list", "--site", "acme"])), "");

    stdout(&switchboard(d, &["team", "remove", "Sales EU"]));
    assert_eq!(stdout(&switchboard(d, &["team", "list"])), "");

    stdout(&switchboard(d, &["agent", "remove", "ada@example.com"]));
    stdout(&switchboard(d, &["site", "remove", "acme"]));
    assert_eq!(stdout(&switchboard(d, &["site", "list"])), "");
}

#[test]
fn the_admin_cli_refuses_bad_input_with_a_reason_and_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = switchboard(d, &["site", "add", "acme", "--name", "Acme", "--origin", "acme.example"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("must be http(s)://host[:port]"));
    let o = switchboard(d, &["agent", "reset-password", "nobody@example.com"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no agent nobody@example.com"));

    stdout(&switchboard(d, &["site", "add", "acme", "--name", "Acme"]));
    let bad = d.join("bad.toml");
    std::fs::write(
        &bad,
        "id = \"x\"\nname = \"X\"\n\n[[card]]\nid = \"m\"\ntype = \"message\"\ntext = \"dangling\"\n",
    )
    .unwrap();
    let o = switchboard(d, &["stream", "publish", bad.to_str().unwrap(), "--site", "acme"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("{}:5:6: card m: the branch ends", bad.display())), "{err}");
}

#[test]
fn routing_is_managed_from_the_cli_with_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    stdout(&switchboard(d, &["site", "add", "acme", "--name", "Acme", "--origin", "https://acme.example"]));
    stdout(&switchboard(d, &["agent", "add", "ada@example.com", "--name", "Ada"]));

    let added = stdout(&switchboard(
        d,
        &["rule", "account", "add", "BigCorp.com", "--agent", "ada@example.com", "--site", "acme"],
    ));
    assert!(added.contains("Visitors at bigcorp.com go to ada@example.com first"), "{added}");
    assert_eq!(
        stdout(&switchboard(d, &["rule", "account", "list", "--site", "acme"])),
        "bigcorp.com\tada@example.com\n"
    );
    let bad = switchboard(
        d,
        &["rule", "account", "add", "bigcorp", "--agent", "ada@example.com", "--site", "acme"],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not an email domain"));
    let unknown =
        switchboard(d, &["rule", "account", "add", "x.com", "--agent", "bob@example.com", "--site", "acme"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no agent bob@example.com"));
    stdout(&switchboard(d, &["rule", "account", "remove", "bigcorp.com", "--site", "acme"]));
    assert_eq!(stdout(&switchboard(d, &["rule", "account", "list", "--site", "acme"])), "");

    stdout(&switchboard(
        d,
        &[
            "agent",
            "schedule",
            "ada@example.com",
            "--time-zone",
            "Europe/Amsterdam",
            "--block",
            "mon-fri 09:00-17:00",
            "--block",
            "sat,sun 10:00-12:00",
        ],
    ));
    for (block, error) in [
        ("fri-mon 09:00-17:00", "a day range runs forward"),
        ("mon 17:00-09:00", "must be before"),
        ("mon", "days and hours"),
    ] {
        let o =
            switchboard(d, &["agent", "schedule", "ada@example.com", "--time-zone", "UTC", "--block", block]);
        assert!(!o.status.success(), "{block}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(error),
            "{block}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let tz = switchboard(
        d,
        &[
            "agent",
            "schedule",
            "ada@example.com",
            "--time-zone",
            "Nowhere/Land",
            "--block",
            "mon 09:00-10:00",
        ],
    );
    assert!(String::from_utf8_lossy(&tz.stderr).contains("unknown time zone"));
    let listed = stdout(&switchboard(d, &["agent", "list"]));
    assert!(
        listed.contains("ada@example.com\tAda\tAgent\tschedule: Europe/Amsterdam (2 blocks)"),
        "{listed}"
    );
    stdout(&switchboard(d, &["agent", "schedule", "ada@example.com", "--clear"]));
    stdout(&switchboard(d, &["agent", "update", "ada@example.com", "--live-chat", "false"]));
    let listed = stdout(&switchboard(d, &["agent", "list"]));
    assert!(listed.contains("ada@example.com\tAda\tAgent\tno live chat\n"), "{listed}");
}

/// What the API's refusal and the CLI's must share: the words, and so the
/// fields named in them.
fn same_refusal<T: std::fmt::Debug>(api: Answer<T>, cli: Output) -> Refused {
    let api = api.unwrap_err();
    assert_eq!(api.status, 400, "{api:?}");
    assert_eq!(cli.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&cli.stderr), format!("error: {}\n", api.body.error.message));
    api
}

#[tokio::test]
async fn the_cli_and_the_api_refuse_the_same_input_with_the_same_message() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cli = |args: &[&str]| switchboard(d, args);
    stdout(&cli(&["site", "add", "demo", "--name", "Demo"]));

    let site = NewSite {
        key: "acme".into(),
        name: "Acme".into(),
        allowed_origins: vec!["acme.example".into()],
        blocked_email_domains: vec![],
        chat_enabled: None,
    };
    let r = same_refusal(
        admin.add_site(&site).await,
        cli(&["site", "add", "acme", "--name", "Acme", "--origin", "acme.example"]),
    );
    assert_eq!(r.fields(), ["allowed_origins"]);

    let change = SiteChange { name: Some(" ".into()), ..Default::default() };
    let r = same_refusal(
        admin.update_site("demo", &change).await,
        cli(&["site", "update", "demo", "--name", " "]),
    );
    assert_eq!(r.fields(), ["name"]);

    let change = SiteChange { blocked_email_domains: Some(vec!["gmail".into()]), ..Default::default() };
    let r = same_refusal(
        admin.update_site("demo", &change).await,
        cli(&["site", "update", "demo", "--blocked-domain", "gmail"]),
    );
    assert_eq!(r.fields(), ["blocked_email_domains"]);

    let look = AppearanceChange { accent: Some("red".into()), offset_px: Some(201), ..Default::default() };
    let r = same_refusal(
        admin.update_appearance("demo", &look).await,
        cli(&["site", "appearance", "demo", "--accent", "red", "--offset", "201"]),
    );
    assert_eq!(r.fields(), ["accent", "offset_px"]);

    let agent = NewAgent {
        name: "Alan".into(),
        email: "alan".into(),
        role: Role::Agent,
        password: None,
        invite: false,
        capacity: None,
    };
    let r = same_refusal(admin.add_agent(&agent).await, cli(&["agent", "add", "alan", "--name", "Alan"]));
    assert_eq!(r.fields(), ["email"]);

    let change = AgentChange { avatar_url: Some("javascript:alert(1)".into()), ..Default::default() };
    let r = same_refusal(
        admin.update_agent("ada@example.com", &change).await,
        cli(&["agent", "update", "ada@example.com", "--avatar", "javascript:alert(1)"]),
    );
    assert_eq!(r.fields(), ["avatar_url"]);

    let change = AgentChange { capacity: Some(11), ..Default::default() };
    let r = same_refusal(
        admin.update_agent("ada@example.com", &change).await,
        cli(&["agent", "update", "ada@example.com", "--capacity", "11"]),
    );
    assert_eq!(r.fields(), ["capacity"]);

    let team = NewTeam { name: "Sales".into(), members: vec!["ada".into()] };
    let r = same_refusal(admin.add_team(&team).await, cli(&["team", "add", "Sales", "--member", "ada"]));
    assert_eq!(r.fields(), ["members"]);

    let route = NewAccountRoute { domain: "bigcorp".into(), agent: "ada@example.com".into() };
    let r = same_refusal(
        admin.save_account_route("demo", &route).await,
        cli(&["rule", "account", "add", "bigcorp", "--agent", "ada@example.com", "--site", "demo"]),
    );
    assert_eq!(r.fields(), ["domain"]);
}

#[test]
fn the_demo_seed_refuses_an_origin_an_admin_could_not_add() {
    let dir = tempfile::tempdir().unwrap();
    let o = switchboard(dir.path(), &["demo", "seed", "--origin", "localhost:8081"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("must be http(s)://host[:port]"));
    let seeded = stdout(&switchboard(dir.path(), &["demo", "seed", "--origin", "http://LOCALHOST:8081"]));
    assert!(seeded.contains("(allowed origins: http://localhost:8081)"), "{seeded}");
}
