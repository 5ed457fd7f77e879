//! The admin console in a real browser, as a new user meets it: the first
//! run's setup link, a site, an invited agent, a rule, a stream uploaded,
//! and a visitor who ends up with that agent — nothing at a command line.
//! And every view of the console audited by axe and photographed on a
//! desktop and on a 375 px phone.

use fantoccini::{Client, Locator};
use switchboard_e2e::console::{fill, go, keys, says};
use switchboard_e2e::{axe_violations, eventually, find, save_screenshot, shows, texts, with_browser, App};

const STREAM: &str = r#"
id = "sales"
name = "Talk to sales"
priority = 10
targets = ["*"]
locale = "en"

[[card]]
id = "hello"
type = "message"
text = "Hi! Let's get you to the right person."

[[card]]
id = "company"
type = "capture"
attribute = "company"
prompt = "Which company are you with?"
placeholder = "Acme"
input = "text"

[[card]]
id = "agent"
type = "live_chat"
routing = "rules"
text = "Connecting you…"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_sets_everything_up_in_the_browser_and_a_visitor_reaches_the_invited_agent() {
    let app = std::sync::Arc::new(App::spawn_fresh().await.unwrap());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let link = switchboard_server::accounts::first_run_link(&app.store, &app.api, now)
        .await
        .unwrap()
        .expect("a fresh database has a setup link");
    assert!(link.starts_with(&format!("{}/admin/#setup=", app.api)), "{link}");
    let a = app.clone();
    with_browser(|admin| async move {
        let app = a;
        // First run: the link, the first admin's own account, signed in.
        admin.goto(&link).await?;
        fill(&admin, "setup-name", "Mia Owner").await?;
        fill(&admin, "setup-email", "mia@shop.example").await?;
        fill(&admin, "setup-password", "correct horse battery").await?;
        fill(&admin, "setup-confirm", "correct horse battery").await?;
        find(&admin, "[data-testid=setup-submit]").await?.click().await?;
        shows(&admin, ".me", "Signed in as Mia Owner").await?;
        find(&admin, "[data-testid=no-sites]").await?;

        // A site with the demo page's origin; its snippet.
        fill(&admin, "site-key", "demo").await?;
        fill(&admin, "site-name", "Demo shop").await?;
        fill(&admin, "site-origins", &app.demo).await?;
        find(&admin, "[data-testid=new-site] button[type=submit]").await?.click().await?;
        let snippet = find(&admin, "[data-testid=snippet]").await?.text().await?;
        assert_eq!(
            snippet,
            format!(r#"<script async src="{}/widget.js" data-site="demo"></script>"#, app.api)
        );
        find(&admin, "[data-testid=copy-snippet]").await?.click().await?;
        let csp = find(&admin, "[data-testid=csp]").await?.text().await?;
        assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("connect-src"), "{csp}");
        // Settings come back as the server kept them (domains normalized, duplicates dropped).
        fill(&admin, "site-blocked", "@Mail.Example\nmail.example").await?;
        find(&admin, "[data-testid=site-settings] button[type=submit]").await?.click().await?;
        says(&admin, "Saved.").await?;
        eventually("the kept domains", || async {
            let v = find(&admin, "#site-blocked").await?.prop("value").await?;
            Ok((v.as_deref() == Some("mail.example")).then_some(()))
        })
        .await?;

        // An agent, invited by link.
        go(&admin, &app, "#/agents").await?;
        fill(&admin, "agent-name", "Bo Agent").await?;
        fill(&admin, "agent-email", "bo@shop.example").await?;
        find(&admin, "[data-testid=new-agent] button[type=submit]").await?.click().await?;
        let invite = find(&admin, "[data-testid=handover-value]").await?.text().await?;
        assert!(invite.starts_with(&format!("{}/inbox/#invite=", app.api)), "{invite}");

        let (app2, invite2, admin2) = (app.clone(), invite.clone(), &admin);
        with_browser(|agent| async move {
            let (app, admin, agent) = (app2, admin2, &agent);
            // The agent accepts the invitation in another browser and lands in the inbox.
            agent.goto(&invite2).await?;
            find(agent, "[data-testid=invite-welcome]").await?;
            fill(agent, "invite-password", "bo's own secret").await?;
            fill(agent, "invite-again", "bo's own secret").await?;
            find(agent, "[data-testid=invite-submit]").await?.click().await?;
            find(agent, "[data-testid=signed-in-as]").await?;
            eventually("the inbox connected", || async {
                Ok(agent.find_all(Locator::Css("[data-testid=link]")).await?.is_empty().then_some(()))
            })
            .await?;

            // A rule: company = Acme goes to Bo.
            go(admin, &app, "#/sites/demo/routing").await?;
            find(admin, "[data-testid=new-rule]").await?.click().await?;
            fill(admin, "rule-name", "Acme accounts").await?;
            let value = find(admin, "[data-testid=condition] input:not([list])").await?;
            value.send_keys("Acme").await?;
            fill(admin, "rule-description", "Acme is Bo's account").await?;
            let bo = "[data-testid=route-agents] input[type=checkbox][value='bo@shop.example']";
            find(admin, bo).await?.click().await?;
            find(admin, "[data-testid=save-rule]").await?.click().await?;
            says(admin, "Rule Acme accounts saved.").await?;
            shows(admin, "[data-testid=rules] .rule-description", "Acme is Bo's account").await?;

            // A stream, published by upload.
            let dir = tempfile::tempdir()?;
            let file = dir.path().join("sales.toml");
            std::fs::write(&file, STREAM)?;
            go(admin, &app, "#/sites/demo/streams").await?;
            find(admin, "#stream-file").await?.send_keys(&file.display().to_string()).await?;
            find(admin, "[data-testid=publish]").await?.click().await?;
            says(admin, "Stream sales published (version 1).").await?;
            find(admin, "[data-testid=streams]").await?;

            // A visitor from Acme on the demo page is offered to Bo.
            let app3 = app.clone();
            with_browser(|v| async move {
                v.goto(&format!("{}/", app3.demo)).await?;
                find(&v, "[data-testid=launcher]").await?.click().await?;
                find(&v, "input[type=text][data-testid=field]").await?.send_keys("Acme\u{E007}").await?;
                let offer = find(agent, "[data-testid=offer]").await?;
                offer.find(Locator::Css("[data-testid=accept]")).await?.click().await?;
                shows(&v, "[data-testid=agent]", "You are chatting with Bo Agent.").await?;
                Ok(())
            })
            .await
        })
        .await?;

        // The conversation is in the console's list, with its routing explained.
        go(&admin, &app, "#/conversations").await?;
        find(&admin, "[data-testid=conversations] tbody a").await?.click().await?;
        let explain = find(&admin, "[data-testid=explain]").await?.text().await?;
        assert!(explain.contains("Acme accounts"), "{explain}");
        Ok(())
    })
    .await
    .unwrap();
}

/// Every view of the console, signed in as the demo's admin, with content.
const VIEWS: [(&str, &str, &str); 12] = [
    ("sites", "#/sites", "[data-testid=sites]"),
    ("site", "#/sites/demo", ".preview-stage"),
    ("agents", "#/agents", "[data-testid=agents]"),
    ("teams", "#/teams", "[data-testid=new-team]"),
    ("canned", "#/canned", "[data-testid=canned]"),
    ("routing", "#/sites/demo/routing", "[data-testid=try-it]"),
    ("streams", "#/sites/demo/streams", "[data-testid=streams]"),
    ("conversations", "#/conversations", "[data-testid=filters]"),
    ("conversation", "#/conversations/1", "[data-testid=transcript]"),
    ("agent-editor", "#/agents", "[data-testid=agents]"),
    ("rule-editor", "#/sites/demo/routing", "[data-testid=new-rule]"),
    ("reports", "#/reports", "[data-testid=totals]"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_console_view_has_no_axe_violations_on_a_desktop_and_a_phone() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    // One conversation to show (its visitor stays connected).
    let _visitor = switchboard_e2e::visitor(&app).await.unwrap();
    // One shared canned response to show.
    let hello = switchboard_protocol::admin::CannedRequest {
        shortcut: "hello".into(),
        text: "Hi {{first_name:\"there\"}}!".into(),
        site: Some("demo".into()),
        team: None,
    };
    let owner = switchboard_server::store::canned::Owner::Shared;
    switchboard_server::canned::save(&app.store, owner, None, &hello, 0).await.unwrap();
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        let mut found = Vec::new();
        // Signed out: the sign-in form; then the setup page with a used link.
        go(&c, &app, "").await?;
        find(&c, "#login-email").await?;
        for v in axe_violations(&c).await? {
            found.push(format!("sign-in: {v}"));
        }
        save_screenshot(&c, "console-sign-in").await?;
        go(&c, &app, "#setup=not-a-real-token").await?;
        find(&c, "[data-testid=setup-invalid]").await?;
        for v in axe_violations(&c).await? {
            found.push(format!("setup (invalid link): {v}"));
        }
        go(&c, &app, "").await?;
        fill(&c, "login-email", "admin@example.com").await?;
        fill(&c, "login-password", &app.account("admin@example.com").password).await?;
        find(&c, "[data-testid=login-submit]").await?.click().await?;
        find(&c, "[data-testid=logout]").await?;
        for (width, device) in [(1280, "desktop"), (375, "phone")] {
            c.set_window_size(width, 900).await?;
            for (name, hash, ready) in VIEWS {
                go(&c, &app, hash).await?;
                find(&c, ready).await?;
                if name == "site" {
                    // The real widget is in the preview, not over the console.
                    let inside = c
                        .execute(
                            "const stage = document.querySelector('.preview-stage').getBoundingClientRect(); \
                             const root = document.querySelector('[data-testid=preview]').shadowRoot; \
                             return ['.sb-panel', '.sb-launcher'].map(s => { \
                               const r = root.querySelector(s).getBoundingClientRect(); \
                               return (r.width > 0 && r.left >= stage.left && r.right <= stage.right \
                                 && r.top >= stage.top && r.bottom <= stage.bottom) \
                                 || [s, r.left, r.top, r.right, r.bottom, stage.left, stage.top, stage.right, stage.bottom].join(' '); });",
                            vec![],
                        )
                        .await?;
                    anyhow::ensure!(inside == serde_json::json!([true, true]), "the preview spills out: {inside}");
                    c.execute("document.querySelector('.appearance').scrollIntoView();", vec![]).await?;
                    save_screenshot(&c, &format!("console-appearance-{device}")).await?;
                    c.execute("window.scrollTo(0, 0);", vec![]).await?;
                }
                if name == "agent-editor" {
                    find(&c, "[data-testid=agents] tbody button").await?.click().await?;
                    find(&c, "[data-testid=agent-editor]").await?;
                }
                if name == "rule-editor" {
                    find(&c, "[data-testid=new-rule]").await?.click().await?;
                    find(&c, "[data-testid=route-agents] input[type=checkbox]").await?;
                    fill(&c, "rule-description", "Why this rule exists").await?;
                    c.execute("document.querySelector('[data-testid=route-to]').scrollIntoView();", vec![]).await?;
                }
                for v in axe_violations(&c).await? {
                    found.push(format!("{name} ({device}): {v}"));
                }
                // Nothing wider than the screen (no sideways scrolling on a phone).
                let wide = c
                    .execute(
                        "const w = document.documentElement.clientWidth;                          return [...document.querySelectorAll('main *')]                            .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-wrap, .preview-stage'))                            .slice(-3).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ');",
                        vec![],
                    )
                    .await?;
                if wide.as_str().is_some_and(|w| !w.is_empty()) {
                    found.push(format!("{name} ({device}): wider than the screen: {wide}"));
                }
                save_screenshot(&c, &format!("console-{name}-{device}")).await?;
            }
        }
        anyhow::ensure!(found.is_empty(), "axe violations:\n{}", found.join("\n"));
        Ok(())
    })
    .await
    .unwrap();
}

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";

/// The focused element: its id, else its text.
async fn focused(c: &Client) -> anyhow::Result<String> {
    let v = c
        .execute("const e = document.activeElement; return e ? (e.id || e.textContent.trim()) : '';", vec![])
        .await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

/// Presses Tab until `what` (an id or a text) has the focus.
async fn tab_to(c: &Client, what: &str) -> anyhow::Result<()> {
    for _ in 0..60 {
        if focused(c).await? == what {
            return Ok(());
        }
        keys(c, TAB).await?;
    }
    anyhow::bail!("Tab never reached {what} (at {:?})", focused(c).await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_signs_in_adds_and_removes_a_team_with_the_keyboard_alone() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        go(&c, &app, "").await?;
        find(&c, "#login-email").await?;
        tab_to(&c, "login-email").await?;
        keys(&c, "admin@example.com").await?;
        keys(&c, TAB).await?;
        keys(&c, &format!("{}{ENTER}", app.account("admin@example.com").password)).await?;
        find(&c, "[data-testid=logout]").await?;
        // The navigation, by Tab and Enter; the focus then starts in the view.
        tab_to(&c, "Teams").await?;
        keys(&c, ENTER).await?;
        find(&c, "[data-testid=new-team]").await?;
        eventually("the focus in the view", || async { Ok((focused(&c).await? == "main").then_some(())) })
            .await?;
        tab_to(&c, "team-name").await?;
        keys(&c, &format!("Support{ENTER}")).await?;
        says(&c, "Team Support added.").await?;
        // The removal asks first, in a modal dialog that Escape closes.
        find(&c, "[data-testid=team]").await?;
        tab_to(&c, "Remove team").await?;
        keys(&c, ENTER).await?;
        eventually("the focus in the dialog", || async {
            Ok((focused(&c).await? == "Cancel").then_some(()))
        })
        .await?;
        keys(&c, ESCAPE).await?;
        eventually("the dialog closed", || async {
            let open = c.execute("return !!document.querySelector('dialog[open]');", vec![]).await?;
            Ok((open == serde_json::json!(false)).then_some(()))
        })
        .await?;
        assert_eq!(texts(&c, "[data-testid=team] h2").await?, ["Support"], "Escape removed nothing");
        tab_to(&c, "Remove team").await?;
        keys(&c, ENTER).await?;
        eventually("the focus in the dialog", || async {
            Ok((focused(&c).await? == "Cancel").then_some(()))
        })
        .await?;
        // Tab from Cancel reaches Remove (the dialog keeps the focus in it).
        tab_to(&c, "Remove").await?;
        keys(&c, ENTER).await?;
        says(&c, "Team removed.").await?;
        Ok(())
    })
    .await
    .unwrap();
}
