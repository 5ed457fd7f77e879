//! What a site owner does in the admin console day to day, in a real
//! browser against the real server: editing an agent, their team and their
//! weekly hours; resetting a password and removing an agent; account
//! routes uploaded as CSV and routing tried out; the conversation list
//! filtered and searched; the console in Dutch; and axe on the first-run
//! form and the invitation link, on a desktop and on a 375 px phone.
//!
//! Each test checks what the admin sees and what the server kept (through
//! its admin API, a reload, or signing in with what the console showed), so
//! it fails when either side breaks.

use std::sync::Arc;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use switchboard_e2e::console::{click, fill, go, says, sign_in};
use switchboard_e2e::{
    agent_on_call, agent_socket, axe_violations, eventually, find, next_frame, save_screenshot, send_frame,
    shows, texts, with_browser, with_browser_in, App, Ws,
};
use switchboard_protocol::wire::{AgentIn, AgentOut, ConversationState, VisitorIn, VisitorOut};

// ---------------------------------------------------------------------------
// The server's side, as a script sees it.

/// Signs in over HTTP; the session token, or `None` when the server
/// refuses the email and password.
async fn login(app: &App, email: &str, password: &str) -> anyhow::Result<Option<String>> {
    let answer = reqwest::Client::new()
        .post(format!("{}/api/auth/login", app.direct))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await?;
    if answer.status() == reqwest::StatusCode::UNAUTHORIZED {
        return Ok(None);
    }
    anyhow::ensure!(answer.status().is_success(), "login of {email}: {}", answer.status());
    let token = answer.json::<Value>().await?["token"].as_str().map(str::to_owned);
    anyhow::ensure!(token.is_some(), "login of {email} answered no token");
    Ok(token)
}

/// The seeded admin's session token.
async fn admin_token(app: &App) -> anyhow::Result<String> {
    let email = "admin@example.com";
    login(app, email, &app.account(email).password).await?.ok_or_else(|| anyhow::anyhow!("admin refused"))
}

/// `GET path` with a session token: the status and the JSON body (`null`
/// when there is none).
async fn get(app: &App, token: &str, path: &str) -> anyhow::Result<(u16, Value)> {
    let answer =
        reqwest::Client::new().get(format!("{}{path}", app.direct)).bearer_auth(token).send().await?;
    let status = answer.status().as_u16();
    let text = answer.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// `GET path` that must answer 200; its JSON body.
async fn get_ok(app: &App, token: &str, path: &str) -> anyhow::Result<Value> {
    let (status, body) = get(app, token, path).await?;
    anyhow::ensure!(status == 200, "GET {path}: {status} {body}");
    Ok(body)
}

/// `POST`s `body` as JSON to `path`; must succeed.
async fn post(app: &App, token: &str, path: &str, body: Value) -> anyhow::Result<()> {
    let answer = reqwest::Client::new()
        .post(format!("{}{path}", app.direct))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?;
    anyhow::ensure!(
        answer.status().is_success(),
        "POST {path}: {} {}",
        answer.status(),
        answer.text().await?
    );
    Ok(())
}

/// Whether a session token still signs its agent in (`/api/auth/me`).
async fn session_works(app: &App, token: &str) -> anyhow::Result<bool> {
    match get(app, token, "/api/auth/me").await? {
        (200, _) => Ok(true),
        (401, _) => Ok(false),
        (status, body) => anyhow::bail!("/api/auth/me: {status} {body}"),
    }
}

/// Now, in unix ms.
fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

// ---------------------------------------------------------------------------
// The browser's side.

/// Clicks the button whose visible text is `text` (again, when the view
/// drew it anew between finding and clicking it).
async fn click_button(c: &Client, text: &str) -> anyhow::Result<()> {
    let xpath = format!("//button[normalize-space()='{text}']");
    eventually(&format!("the button {text:?} clicked"), || async {
        for b in c.find_all(Locator::XPath(&xpath)).await? {
            if b.is_displayed().await? && b.click().await.is_ok() {
                return Ok(Some(()));
            }
        }
        Ok(None)
    })
    .await
}

/// The value of the form control `css`.
async fn value(c: &Client, css: &str) -> anyhow::Result<String> {
    Ok(find(c, css).await?.prop("value").await?.unwrap_or_default())
}

/// Types `text` into an input that has no id, in place of what it held.
async fn type_into(e: &Element, text: &str) -> anyhow::Result<()> {
    e.clear().await?;
    e.send_keys(text).await?;
    let now = e.prop("value").await?.unwrap_or_default();
    anyhow::ensure!(now == text, "typed {text:?}, the field holds {now:?}");
    Ok(())
}

/// Ticks or clears a checkbox, as a click does.
async fn set_checked(e: &Element, on: bool) -> anyhow::Result<()> {
    if e.is_selected().await? != on {
        e.click().await?;
    }
    anyhow::ensure!(e.is_selected().await? == on, "the checkbox did not change");
    Ok(())
}

/// The cells of each row of the table `css` (as the admin reads them).
async fn table(c: &Client, css: &str) -> anyhow::Result<Vec<Vec<String>>> {
    let rows = c
        .execute(
            "return [...document.querySelectorAll(arguments[0] + ' tbody tr')] \
               .map(r => [...r.cells].map(c => c.innerText.trim()));",
            vec![json!(css)],
        )
        .await?;
    Ok(serde_json::from_value(rows)?)
}

/// Waits until the agents table lists an agent (it loads after the view).
async fn agents_table(c: &Client) -> anyhow::Result<Vec<Vec<String>>> {
    find(c, "[data-testid=agents]").await?;
    eventually("the agents listed", || async {
        let rows = table(c, "[data-testid=agents]").await?;
        Ok((!rows.is_empty()).then_some(rows))
    })
    .await
}

/// Opens the editor of the agent called `name` from the agents view.
async fn edit_agent(c: &Client, name: &str) -> anyhow::Result<()> {
    click(c, &format!("[data-testid=agents] button[aria-label='Edit {name}']")).await?;
    shows(c, "#edit-agent-title", &format!("Editing {name}")).await
}

/// Elements found with an XPath, once there is at least one.
async fn all_xpath(c: &Client, xpath: &str) -> anyhow::Result<Vec<Element>> {
    eventually(xpath, || async {
        let found = c.find_all(Locator::XPath(xpath)).await?;
        Ok((!found.is_empty()).then_some(found))
    })
    .await
}

/// Elements matching `css` right now (maybe none).
async fn all(c: &Client, css: &str) -> anyhow::Result<Vec<Element>> {
    Ok(c.find_all(Locator::Css(css)).await?)
}

/// Whether some element of the page is wider than the screen (outside the
/// tables, which scroll on their own): a phone would scroll sideways.
async fn too_wide(c: &Client) -> anyhow::Result<String> {
    let wide = c
        .execute(
            "const w = document.documentElement.clientWidth; \
             return [...document.querySelectorAll('body *')] \
               .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-wrap')) \
               .slice(-3).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)) \
               .join(', ');",
            vec![],
        )
        .await?;
    Ok(wide.as_str().unwrap_or_default().to_owned())
}

// ---------------------------------------------------------------------------
// 1. Agents.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_edits_an_agent_and_their_team_and_every_change_is_kept() {
    let app = Arc::new(App::spawn(None).await.unwrap());
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        let admin = admin_token(&app).await?;
        sign_in(&c, &app, "admin@example.com").await?;

        // Grace joins a new team, Billing.
        go(&c, &app, "#/teams").await?;
        fill(&c, "team-name", "Billing").await?;
        click(&c, "[data-testid=new-team] button[type=submit]").await?;
        says(&c, "Team Billing added.").await?;
        let grace_box = "//section[@data-testid='team']//label[contains(., '(grace@example.com)')]/input";
        set_checked(&all_xpath(&c, grace_box).await?[0], true).await?;
        click(&c, "[data-testid=team] button[type=submit]").await?;
        says(&c, "Saved.").await?;
        let team = get_ok(&app, &admin, "/api/admin/teams/Billing").await?;
        assert_eq!(team["members"], json!(["grace@example.com"]), "{team}");

        // Her name, login email, role and capacity, in one save.
        go(&c, &app, "#/agents").await?;
        agents_table(&c).await?;
        edit_agent(&c, "Grace Hopper").await?;
        fill(&c, "edit-name", "Grace Brewster Hopper").await?;
        fill(&c, "edit-email", "grace.hopper@example.com").await?;
        click(&c, "#edit-role option[value=admin]").await?;
        fill(&c, "edit-capacity", "4").await?;
        click(&c, "[data-testid=agent-editor] form button[type=submit]").await?;
        says(&c, "Saved.").await?;
        // (Saved: the editor closes.)
        eventually("the editor closed", || async {
            Ok(all(&c, "[data-testid=agent-editor]").await?.is_empty().then_some(()))
        })
        .await?;

        // After a reload the list shows her as she is now, and her old email is gone.
        c.refresh().await?;
        let rows = eventually("Grace's new row", || async {
            let rows = agents_table(&c).await?;
            Ok(rows.iter().any(|r| r[1] == "grace.hopper@example.com").then_some(rows))
        })
        .await?;
        let grace = rows.iter().find(|r| r[1] == "grace.hopper@example.com").expect("found above");
        assert_eq!(grace[..3], ["Grace Brewster Hopper", "grace.hopper@example.com", "Admin"], "{rows:?}");
        assert_eq!(grace[5], "0 / 4", "open chats / capacity: {rows:?}");
        assert!(!rows.iter().any(|r| r[1] == "grace@example.com"), "{rows:?}");
        // Her editor opens with what was saved.
        edit_agent(&c, "Grace Brewster Hopper").await?;
        assert_eq!(value(&c, "#edit-name").await?, "Grace Brewster Hopper");
        assert_eq!(value(&c, "#edit-email").await?, "grace.hopper@example.com");
        assert_eq!(value(&c, "#edit-role").await?, "admin");
        assert_eq!(value(&c, "#edit-capacity").await?, "4");

        // The server kept it all: her account under the new email (the old
        // one names nobody), her own capacity, and the team follows her.
        let kept = get_ok(&app, &admin, "/api/admin/agents/grace.hopper@example.com").await?;
        assert_eq!(
            (&kept["name"], &kept["role"], &kept["capacity"], &kept["own_capacity"]),
            (&json!("Grace Brewster Hopper"), &json!("admin"), &json!(4), &json!(true)),
            "{kept}"
        );
        assert_eq!(get(&app, &admin, "/api/admin/agents/grace@example.com").await?.0, 404);
        let team = get_ok(&app, &admin, "/api/admin/teams/Billing").await?;
        assert_eq!(team["members"], json!(["grace.hopper@example.com"]), "{team}");
        // She signs in with the new email and her own password.
        let password = &app.account("grace@example.com").password;
        let grace = login(&app, "grace.hopper@example.com", password).await?.expect("the new email signs in");
        assert!(login(&app, "grace@example.com", password).await?.is_none());
        // And as an admin now, the admin API is hers.
        assert_eq!(get(&app, &grace, "/api/admin/agents").await?.0, 200);

        // And the Teams view still has her ticked, under her new name.
        go(&c, &app, "#/teams").await?;
        let ticked = "//section[@data-testid='team']//label[contains(., 'Grace Brewster Hopper (grace.hopper@example.com)')]/input";
        assert!(all_xpath(&c, ticked).await?[0].is_selected().await?, "Grace is still in Billing");
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_an_agents_weekly_hours_and_they_are_kept() {
    let app = Arc::new(App::spawn(None).await.unwrap());
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        let admin = admin_token(&app).await?;
        sign_in(&c, &app, "admin@example.com").await?;
        go(&c, &app, "#/agents").await?;
        agents_table(&c).await?;
        edit_agent(&c, "Ada Lovelace").await?;
        set_checked(&find(&c, "form[data-testid=schedule] > label.check > input").await?, true).await?;

        // A time zone that does not exist is refused, said under the time
        // zone's field (and only there), which is marked invalid.
        fill(&c, "schedule-zone", "Mars/Olympus").await?;
        click(&c, "form[data-testid=schedule] button[type=submit]").await?;
        says(&c, "Some fields need a change: see the messages under them.").await?;
        let said = eventually("the time zone's problem", || async {
            let t = all(&c, "#schedule-zone-error").await?;
            let t = match t.first() {
                Some(e) => e.text().await?,
                None => String::new(),
            };
            Ok((!t.is_empty()).then_some(t))
        })
        .await;
        // (Where it was said instead tells what broke.)
        let listed = texts(&c, "form[data-testid=schedule] ul.field-error li").await?;
        let said = said.map_err(|e| e.context(format!("the schedule form listed {listed:?}")))?;
        assert!(said.contains("unknown time zone") && said.contains("Mars/Olympus"), "{said}");
        assert_eq!(find(&c, "#schedule-zone").await?.attr("aria-invalid").await?.as_deref(), Some("true"));
        assert!(listed.is_empty(), "said again below: {listed:?}");
        assert_eq!(get_ok(&app, &admin, "/api/admin/agents/ada@example.com").await?["schedule"], Value::Null);

        // Mon–Thu 08:30–12:00 and Saturday 10:00–14:00, Amsterdam time.
        fill(&c, "schedule-zone", "Europe/Amsterdam").await?;
        let blocks = all(&c, "[data-testid=schedule-block]").await?;
        assert_eq!(blocks.len(), 1, "a new schedule starts with one block");
        let days = blocks[0].find_all(Locator::Css("label.day input")).await?;
        set_checked(&days[4], false).await?; // no Friday
        type_into(&blocks[0].find(Locator::Css("input[placeholder='09:00']")).await?, "08:30").await?;
        type_into(&blocks[0].find(Locator::Css("input[placeholder='24:00']")).await?, "12:00").await?;
        click_button(&c, "Add block").await?;
        let second = eventually("a second block", || async {
            Ok(all(&c, "[data-testid=schedule-block]").await?.into_iter().nth(1))
        })
        .await?;
        let days = second.find_all(Locator::Css("label.day input")).await?;
        for (i, day) in days.iter().enumerate() {
            set_checked(day, i == 5).await?; // Saturday alone
        }
        type_into(&second.find(Locator::Css("input[placeholder='09:00']")).await?, "10:00").await?;
        type_into(&second.find(Locator::Css("input[placeholder='24:00']")).await?, "14:00").await?;
        click(&c, "form[data-testid=schedule] button[type=submit]").await?;
        says(&c, "Saved.").await?;
        // (The problem is gone once the zone is right.)
        assert_eq!(all(&c, "#schedule-zone-error").await?[0].text().await?, "");
        assert_eq!(find(&c, "#schedule-zone").await?.attr("aria-invalid").await?.as_deref(), Some("false"));

        // The server kept exactly that.
        let expected = json!({
            "time_zone": "Europe/Amsterdam",
            "blocks": [
                { "days": ["mon", "tue", "wed", "thu"], "from": "08:30", "to": "12:00" },
                { "days": ["sat"], "from": "10:00", "to": "14:00" }
            ]
        });
        let kept = get_ok(&app, &admin, "/api/admin/agents/ada@example.com").await?;
        assert_eq!(kept["schedule"], expected, "{kept}");

        // After a reload, the editor shows it again.
        c.refresh().await?;
        agents_table(&c).await?;
        edit_agent(&c, "Ada Lovelace").await?;
        assert!(find(&c, "form[data-testid=schedule] > label.check > input").await?.is_selected().await?);
        assert_eq!(value(&c, "#schedule-zone").await?, "Europe/Amsterdam");
        let blocks = all(&c, "[data-testid=schedule-block]").await?;
        assert_eq!(blocks.len(), 2);
        for (block, on, from, to) in [
            (&blocks[0], [true, true, true, true, false, false, false], "08:30", "12:00"),
            (&blocks[1], [false, false, false, false, false, true, false], "10:00", "14:00"),
        ] {
            let mut ticked = Vec::new();
            for d in block.find_all(Locator::Css("label.day input")).await? {
                ticked.push(d.is_selected().await?);
            }
            assert_eq!(ticked, on);
            let times = block.find_all(Locator::Css("input[inputmode=numeric]")).await?;
            assert_eq!(times[0].prop("value").await?.as_deref(), Some(from));
            assert_eq!(times[1].prop("value").await?.as_deref(), Some(to));
        }

        // Unticked and saved, she has no schedule any more.
        set_checked(&find(&c, "form[data-testid=schedule] > label.check > input").await?, false).await?;
        click(&c, "form[data-testid=schedule] button[type=submit]").await?;
        says(&c, "Saved.").await?;
        eventually("the schedule cleared", || async {
            let kept = get_ok(&app, &admin, "/api/admin/agents/ada@example.com").await?;
            Ok((kept["schedule"] == Value::Null).then_some(()))
        })
        .await?;
        c.refresh().await?;
        agents_table(&c).await?;
        edit_agent(&c, "Ada Lovelace").await?;
        assert!(!find(&c, "form[data-testid=schedule] > label.check > input").await?.is_selected().await?);
        assert!(all(&c, "[data-testid=schedule-block]").await?.is_empty());
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_password_is_shown_once_and_signs_the_agent_in_instead_of_the_old_one() {
    let app = Arc::new(App::spawn(None).await.unwrap());
    let old = app.account("ada@example.com").password.clone();
    let session = login(&app, "ada@example.com", &old).await.unwrap().expect("Ada signs in");
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        sign_in(&c, &app, "admin@example.com").await?;
        go(&c, &app, "#/agents").await?;
        agents_table(&c).await?;
        edit_agent(&c, "Ada Lovelace").await?;
        click_button(&c, "Reset password").await?;
        says(&c, "Password reset; their sessions have ended.").await?;
        shows(&c, "#handover-title", "Password for Ada Lovelace").await?;
        let temporary = find(&c, "[data-testid=handover-value]").await?.text().await?;
        assert!(temporary.len() >= 10 && temporary != old, "{temporary:?}");

        // That password signs Ada in; the old one and her old session no longer do.
        let fresh = login(&app, "ada@example.com", &temporary).await?.expect("the shown password works");
        let me = get_ok(&app, &fresh, "/api/auth/me").await?;
        assert_eq!(me["email"], "ada@example.com");
        assert!(login(&app, "ada@example.com", &old).await?.is_none(), "the old password still works");
        assert!(!session_works(&app, &session).await?, "Ada's earlier session still works");

        // Shown once: after Done, and after a reload, it is gone.
        click_button(&c, "Done").await?;
        eventually("the password hidden", || async {
            Ok(all(&c, "[data-testid=handover]").await?.is_empty().then_some(()))
        })
        .await?;
        c.refresh().await?;
        agents_table(&c).await?;
        assert!(all(&c, "[data-testid=handover]").await?.is_empty());
        assert!(!c.source().await?.contains(&temporary), "the password is still in the page");
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_removes_an_agent_after_confirming_and_their_session_ends() {
    let app = Arc::new(App::spawn(None).await.unwrap());
    let password = app.account("grace@example.com").password.clone();
    let session = login(&app, "grace@example.com", &password).await.unwrap().expect("Grace signs in");
    // Grace's inbox is open, and she is chatting with Lin.
    let mut inbox = agent_socket(&app, "grace@example.com").await.unwrap();
    let mut lin = switchboard_e2e::visitor(&app).await.unwrap();
    let chat = offered(&mut inbox).await.unwrap();
    send_frame(&mut inbox, &AgentIn::Accept { conversation: chat }).await.unwrap();
    let admin = admin_token(&app).await.unwrap();
    reaches(&app, &admin, chat, "active").await.unwrap();
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        sign_in(&c, &app, "admin@example.com").await?;
        go(&c, &app, "#/agents").await?;
        agents_table(&c).await?;
        edit_agent(&c, "Grace Hopper").await?;

        // The removal asks first; Cancel removes nobody.
        click_button(&c, "Remove agent").await?;
        shows(&c, "#remove-agent-title", "Remove Grace Hopper? Their open chats end.").await?;
        click(&c, "#remove-agent button.secondary").await?;
        eventually("the dialog closed", || async {
            let open = c.execute("return !!document.querySelector('dialog[open]');", vec![]).await?;
            Ok((open == json!(false)).then_some(()))
        })
        .await?;
        assert_eq!(get(&app, &admin, "/api/admin/agents/grace@example.com").await?.0, 200);
        assert!(session_works(&app, &session).await?);

        // Confirmed: she is gone from the list, and from the server.
        click_button(&c, "Remove agent").await?;
        click(&c, "#remove-agent button.danger").await?;
        says(&c, "Agent removed.").await?;
        let rows = eventually("Grace off the list", || async {
            let rows = agents_table(&c).await?;
            Ok((!rows.iter().any(|r| r[1] == "grace@example.com")).then_some(rows))
        })
        .await?;
        assert!(rows.iter().any(|r| r[1] == "ada@example.com"), "only Grace goes: {rows:?}");
        c.refresh().await?;
        let rows = agents_table(&c).await?;
        assert!(!rows.iter().any(|r| r[1] == "grace@example.com"), "back after a reload: {rows:?}");
        assert_eq!(get(&app, &admin, "/api/admin/agents/grace@example.com").await?.0, 404);

        // Her session no longer works, her password signs nobody in, and her inbox is closed.
        assert!(!session_works(&app, &session).await?, "Grace's session still works");
        assert!(login(&app, "grace@example.com", &password).await?.is_none());
        let closed = tokio::time::timeout(Duration::from_secs(10), async move {
            use futures_util::StreamExt;
            let mut inbox = inbox;
            loop {
                match inbox.next().await {
                    None | Some(Err(_)) => break,
                    Some(Ok(tokio_tungstenite::tungstenite::Message::Close(_))) => break,
                    Some(Ok(_)) => {}
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "Grace's inbox socket stayed open");
        // Her open chat ended, and Lin is told.
        reaches(&app, &admin, chat, "ended").await?;
        next_frame(&mut lin, |f: VisitorOut| {
            matches!(f, VisitorOut::State { state: ConversationState::Ended }).then_some(())
        })
        .await?;
        Ok(())
    })
    .await
    .unwrap();
}

// ---------------------------------------------------------------------------
// 2. Routing.

/// Chromedriver's `goog/cdp/execute`: one Chrome DevTools Protocol command.
#[derive(Debug)]
struct Cdp(Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}

/// Lets the browser save downloads into `dir` (headless Chromium refuses them otherwise).
async fn download_into(c: &Client, dir: &std::path::Path) -> anyhow::Result<()> {
    let command = json!({
        "cmd": "Browser.setDownloadBehavior",
        "params": { "behavior": "allow", "downloadPath": dir.display().to_string() }
    });
    c.issue_cmd(Cdp(command)).await?;
    Ok(())
}

/// Chooses `file` in the account routes' file input and uploads it.
async fn upload_csv(c: &Client, file: &std::path::Path) -> anyhow::Result<()> {
    find(c, "#routes-csv").await?.send_keys(&file.display().to_string()).await?;
    click(c, "form:has(#routes-csv) button[type=submit]").await
}

/// The account routes table as (domain, agent), sorted.
async fn routes_shown(c: &Client) -> anyhow::Result<Vec<(String, String)>> {
    let mut rows: Vec<(String, String)> = table(c, "[data-testid=account-routes]")
        .await?
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    rows.sort();
    Ok(rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_routes_uploaded_as_csv_are_shown_and_kept_and_a_bad_row_is_named() {
    let app = Arc::new(App::spawn(None).await.unwrap());
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        let admin = admin_token(&app).await?;
        let dir = tempfile::tempdir()?;
        sign_in(&c, &app, "admin@example.com").await?;
        go(&c, &app, "#/sites/demo/routing").await?;
        find(&c, "[data-testid=account-routes]").await?;

        // A spreadsheet's export: a header, a quoted row, a blank line.
        let good = dir.path().join("routes.csv");
        std::fs::write(
            &good,
            "domain,agent_email\nbigcorp.com,ada@example.com\n\n\"acme.org\",\"grace@example.com\"\n",
        )?;
        upload_csv(&c, &good).await?;
        says(&c, "2 account routes saved.").await?;
        let expected = vec![
            ("acme.org".to_owned(), "grace@example.com".to_owned()),
            ("bigcorp.com".to_owned(), "ada@example.com".to_owned()),
        ];
        eventually("the imported routes", || async {
            Ok((routes_shown(&c).await? == expected).then_some(()))
        })
        .await?;
        // Kept: after a reload, and as the server gives the CSV back.
        c.refresh().await?;
        eventually("the routes after a reload", || async {
            Ok((routes_shown(&c).await? == expected).then_some(()))
        })
        .await?;
        let routes = get_ok(&app, &admin, "/api/admin/sites/demo/account-routes").await?;
        let mut kept: Vec<(String, String)> = routes
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                (
                    r["domain"].as_str().unwrap_or_default().to_owned(),
                    r["agent"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        kept.sort();
        assert_eq!(kept, expected, "{routes}");

        // A file with an unknown agent and a bad domain: each line named, under the upload field.
        let bad = dir.path().join("bad.csv");
        std::fs::write(
            &bad,
            "domain,agent_email\nsmallco.com,nobody@example.com\nnot a domain,ada@example.com\n",
        )?;
        upload_csv(&c, &bad).await?;
        let problems = eventually("the CSV's problems", || async {
            let p = texts(&c, "[data-testid=csv-problems] li").await?;
            Ok((!p.is_empty()).then_some(p))
        })
        .await?;
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].starts_with("line 2:") && problems[0].contains("nobody@example.com"),
            "{problems:?}"
        );
        assert!(problems[1].starts_with("line 3:"), "{problems:?}");
        let near = c
            .execute(
                "const field = document.getElementById('routes-csv').getBoundingClientRect(); \
                 const list = document.querySelector('[data-testid=csv-problems]').getBoundingClientRect(); \
                 return list.top >= field.bottom && list.top - field.bottom < 120;",
                vec![],
            )
            .await?;
        assert_eq!(near, json!(true), "the problems are not under the upload field");
        // Refused whole: the routes are as they were, here and on the server.
        assert_eq!(routes_shown(&c).await?, expected);
        assert_eq!(get_ok(&app, &admin, "/api/admin/sites/demo/account-routes").await?, routes);
        save_screenshot(&c, "console-routing-csv-problems").await?;

        // A good file again clears the problems.
        upload_csv(&c, &good).await?;
        says(&c, "2 account routes saved.").await?;
        eventually("the problems gone", || async {
            Ok(texts(&c, "[data-testid=csv-problems] li").await?.is_empty().then_some(()))
        })
        .await?;

        // Downloaded, the CSV holds the same routes (ready to edit and upload again).
        let downloads = tempfile::tempdir()?;
        download_into(&c, downloads.path()).await?;
        click_button(&c, "Download CSV").await?;
        let file = downloads.path().join("demo-account-routes.csv");
        let csv = eventually("the downloaded CSV", || async {
            Ok(std::fs::read_to_string(&file).ok().filter(|t| t.ends_with('\n')))
        })
        .await?;
        let mut lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.first(), Some(&"domain,agent_email"), "{csv}");
        lines.remove(0);
        lines.sort_unstable();
        assert_eq!(lines, ["acme.org,grace@example.com", "bigcorp.com,ada@example.com"], "{csv}");
        Ok(())
    })
    .await
    .unwrap();
}

/// Runs "try it" with the routing option `option` (`rules`, `agent`, …),
/// the agent or team `target` for those that take one, and `attributes`;
/// waits for a verdict whose explanation holds `routing` (the option as
/// the explanation writes it) and answers (verdict, explanation).
async fn try_it(
    c: &Client,
    option: &str,
    target: Option<&str>,
    attributes: &str,
    routing: &str,
) -> anyhow::Result<(String, String)> {
    click(c, &format!("#try-option option[value={option}]")).await?;
    if let Some(t) = target {
        click(c, &format!("#try-target option[value='{t}']")).await?;
    }
    fill(c, "try-attributes", attributes).await?;
    // The result of an earlier try stays until this one's arrives: the
    // new one is told by its explanation, which starts with when it ran.
    // (Verdict and explanation read at once: never one try's with another's.)
    let shown = || async {
        let both = c
            .execute(
                "const r = document.querySelector('[data-testid=try-result]'); \
                 const v = r.querySelector('.verdict'), t = r.querySelector('pre'); \
                 return v && t ? [v.innerText, t.innerText] : null;",
                vec![],
            )
            .await?;
        Ok::<_, anyhow::Error>(serde_json::from_value::<Option<(String, String)>>(both)?)
    };
    let earlier = shown().await?;
    click(c, "[data-testid=try-run]").await?;
    eventually("the try's verdict", || async {
        Ok(shown().await?.filter(|(_, t)| t.contains(routing) && Some(t) != earlier.as_ref().map(|(_, e)| e)))
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn try_it_names_the_agent_a_visitor_would_get_and_why() {
    let app = Arc::new(App::spawn(None).await.unwrap());
    let admin = admin_token(&app).await.unwrap();
    // Acme is Ada's account by a rule; bigcorp.com is Grace's by an account route.
    let rule = switchboard_protocol::rules::RoutingRule {
        name: "Acme accounts".into(),
        description: "Acme is Ada's account".into(),
        priority: 10,
        combine: switchboard_protocol::rules::Combine::All,
        conditions: vec![switchboard_protocol::rules::Condition {
            field: "company".into(),
            op: switchboard_protocol::rules::Op::Is,
            values: vec!["Acme".into()],
        }],
        route_to: switchboard_protocol::rules::Target::Agents(vec!["ada@example.com".into()]),
    };
    post(&app, &admin, "/api/admin/sites/demo/rules", serde_json::to_value(&rule).unwrap()).await.unwrap();
    post(
        &app,
        &admin,
        "/api/admin/sites/demo/account-routes",
        json!({ "domain": "bigcorp.com", "agent": "grace@example.com" }),
    )
    .await
    .unwrap();
    // Both are online (and never answer).
    let ada = agent_on_call(&app, "ada@example.com").await.unwrap();
    let grace = agent_on_call(&app, "grace@example.com").await.unwrap();
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        sign_in(&c, &app, "admin@example.com").await?;
        go(&c, &app, "#/sites/demo/routing").await?;
        find(&c, "[data-testid=try-it]").await?;
        // (The agents load beside the form.)
        find(&c, "#route-agent option[value='grace@example.com']").await?;

        let (verdict, why) = try_it(&c, "rules", None, "company = Acme", "\"rules\"").await?;
        assert_eq!(verdict, "Would be offered to Ada Lovelace (ada@example.com).");
        assert!(why.contains("Acme accounts"), "the rule is not named: {why}");

        let (verdict, why) = try_it(&c, "rules", None, "email = jane@bigcorp.com", "\"rules\"").await?;
        assert_eq!(verdict, "Would be offered to Grace Hopper (grace@example.com).");
        assert!(why.contains("bigcorp.com"), "the account route is not named: {why}");

        let (verdict, why) =
            try_it(&c, "agent", Some("grace@example.com"), "company = Initech", "grace@example.com").await?;
        assert_eq!(verdict, "Would be offered to Grace Hopper (grace@example.com).", "{why}");

        // A bad attribute is said under the attributes.
        click(&c, "#try-option option[value=rules]").await?;
        fill(&c, "try-attributes", "email = not an email").await?;
        click(&c, "[data-testid=try-run]").await?;
        let said = eventually("the attribute's problem", || async {
            let t = find(&c, "#try-attributes-error").await?.text().await?;
            Ok((!t.is_empty()).then_some(t))
        })
        .await?;
        assert!(said.contains("email"), "{said}");

        // Nobody online: the fallback, said as such.
        ada.abort();
        grace.abort();
        let verdict = eventually("the fallback", || async {
            let (verdict, _) = try_it(&c, "rules", None, "company = Acme", "\"rules\"").await?;
            Ok(verdict.starts_with("Nobody would get it").then_some(verdict))
        })
        .await?;
        assert_eq!(verdict, "Nobody would get it: the visitor sees the fallback message.");
        Ok(())
    })
    .await
    .unwrap();
}

// ---------------------------------------------------------------------------
// 3. Conversations.

/// A visitor of `site` called `name` who hands off to live chat at once,
/// having told the bot `said`.
async fn visitor_of(app: &App, site: &str, name: &str, said: &str) -> anyhow::Result<Ws> {
    use switchboard_protocol::stream::runner::Entry;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req =
        format!("{}/ws/visitor?site={site}", app.direct.replace("http://", "ws://")).into_client_request()?;
    req.headers_mut().insert("Origin", app.demo.parse()?);
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await?;
    send_frame(&mut ws, &VisitorIn::Hello { protocol: 1, token: None, last_seq: 0, epoch: None }).await?;
    next_frame(&mut ws, |f: VisitorOut| matches!(f, VisitorOut::Welcome { .. }).then_some(())).await?;
    let handoff = VisitorIn::Handoff {
        stream: "recommended".into(),
        version: 1,
        card: "agent".into(),
        attributes: [
            ("first_name".to_owned(), name.to_owned()),
            ("email".to_owned(), format!("{}@example.org", name.to_lowercase())),
        ]
        .into(),
        transcript: vec![
            Entry::Bot { card: "topic".into(), text: "What can we help with?".into() },
            Entry::Visitor { card: "topic".into(), text: said.into() },
        ],
        page: Default::default(),
    };
    send_frame(&mut ws, &handoff).await?;
    Ok(ws)
}

/// The conversation an agent is offered next.
async fn offered(agent: &mut Ws) -> anyhow::Result<i64> {
    next_frame(agent, |f: AgentOut| match f {
        AgentOut::Offer { conversation, .. } => Some(conversation),
        _ => None,
    })
    .await
}

/// Waits until the conversation `id` is in `state` on the server.
async fn reaches(app: &App, admin: &str, id: i64, state: &str) -> anyhow::Result<()> {
    eventually(&format!("conversation {id} {state}"), || async {
        let c = get_ok(app, admin, &format!("/api/admin/conversations/{id}")).await?;
        Ok((c["row"]["state"] == state).then_some(()))
    })
    .await
}

/// The visitors of the conversations listed, once the list has loaded, sorted.
async fn listed(c: &Client) -> anyhow::Result<Vec<String>> {
    eventually("the conversations loaded", || async {
        let list = find(c, "[data-testid=conversations]").await?;
        if list.attr("aria-busy").await?.as_deref() != Some("false") {
            return Ok(None);
        }
        let mut who: Vec<String> = table(c, "[data-testid=conversations]")
            .await?
            .into_iter()
            .map(|r| r[1].lines().next().unwrap_or_default().to_owned())
            .collect();
        who.sort();
        Ok(Some(who))
    })
    .await
}

/// Applies the filters as set and waits for the list to show `who`.
async fn apply_and_expect(c: &Client, who: &[&str]) -> anyhow::Result<()> {
    let before = c.current_url().await?;
    click(c, "[data-testid=apply-filters]").await?;
    eventually("the filtered address", || async { Ok((c.current_url().await? != before).then_some(())) })
        .await?;
    let last = std::sync::Mutex::new(Vec::new());
    let seen = eventually(&format!("the list showing {who:?}"), || async {
        let now = listed(c).await?;
        let matches = now == who;
        *last.lock().unwrap_or_else(|e| e.into_inner()) = now;
        Ok(matches.then_some(()))
    })
    .await;
    seen.map_err(|e| {
        e.context(format!("the list showed {:?}", last.lock().unwrap_or_else(|e| e.into_inner())))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conversation_filters_and_search_narrow_the_list_to_what_matches() {
    let app = Arc::new(App::spawn(None).await.unwrap());
    let admin = admin_token(&app).await.unwrap();
    // A second site, with the same stream.
    let shop = switchboard_protocol::site::SiteKey::parse("shop").unwrap();
    let now = now_ms();
    let site = app
        .store
        .create_site(&shop, "Shop", &Default::default(), std::slice::from_ref(&app.demo), now)
        .await
        .unwrap();
    let source = include_str!("../../../examples/streams/recommended.toml");
    let parsed = switchboard_protocol::stream::file::parse(source).unwrap();
    app.store.publish_stream(site, &parsed.stream, source, now).await.unwrap();
    // Ada is in the team Billing.
    post(&app, &admin, "/api/admin/teams", json!({ "name": "Billing", "members": ["ada@example.com"] }))
        .await
        .unwrap();

    // Sam, on the shop, finds nobody online: the fallback.
    let _sam = visitor_of(&app, "shop", "Sam", "Do you ship abroad?").await.unwrap();
    let page = eventually("Sam's conversation", || async {
        let p = get_ok(&app, &admin, "/api/admin/conversations?state=fallback").await?;
        Ok(p["items"].as_array().is_some_and(|i| i.len() == 1).then_some(p))
    })
    .await
    .unwrap();
    let sam = page["items"][0]["id"].as_i64().unwrap();

    // Lin is answered by Ada about a kettle, and the chat ends.
    let mut ada = agent_socket(&app, "ada@example.com").await.unwrap();
    let _lin = visitor_of(&app, "demo", "Lin", "My order arrived broken").await.unwrap();
    let lin = offered(&mut ada).await.unwrap();
    send_frame(&mut ada, &AgentIn::Accept { conversation: lin }).await.unwrap();
    let reply = "Sorry about the kettle, a new one is on its way";
    send_frame(&mut ada, &AgentIn::Message { conversation: lin, client_id: "a1".into(), text: reply.into() })
        .await
        .unwrap();
    send_frame(&mut ada, &AgentIn::End { conversation: lin }).await.unwrap();
    next_frame(&mut ada, |f: AgentOut| {
        matches!(f, AgentOut::State { state: ConversationState::Ended, .. }).then_some(())
    })
    .await
    .unwrap();
    drop(ada);
    reaches(&app, &admin, lin, "ended").await.unwrap();

    // Kim is with Grace now.
    let mut grace = agent_socket(&app, "grace@example.com").await.unwrap();
    let _kim = visitor_of(&app, "demo", "Kim", "Can I change my plan?").await.unwrap();
    let kim = offered(&mut grace).await.unwrap();
    send_frame(&mut grace, &AgentIn::Accept { conversation: kim }).await.unwrap();
    reaches(&app, &admin, kim, "active").await.unwrap();
    assert!(sam < lin && lin < kim);

    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        sign_in(&c, &app, "admin@example.com").await?;
        go(&c, &app, "#/conversations").await?;
        find(&c, "[data-testid=filters]").await?;
        assert_eq!(listed(&c).await?, ["Kim", "Lin", "Sam"]);
        // (The choices load after the view.)
        find(&c, "#conv-site option[value=shop]").await?;
        find(&c, "#conv-agent option[value='ada@example.com']").await?;
        find(&c, "#conv-team option[value=Billing]").await?;

        // Each filter alone, from the whole list (so what shows next is the filter's).
        let cases: [(&str, &str, &[&str]); 7] = [
            ("#conv-site", "shop", &["Sam"]),
            ("#conv-state", "active", &["Kim"]),
            ("#conv-state", "ended", &["Lin"]),
            ("#conv-state", "fallback", &["Sam"]),
            ("#conv-agent", "ada@example.com", &["Lin"]),
            ("#conv-agent", "grace@example.com", &["Kim"]),
            ("#conv-team", "Billing", &["Lin"]),
        ];
        for (select, choice, who) in cases {
            go(&c, &app, "#/conversations").await?;
            listed(&c).await?;
            click(&c, &format!("{select} option[value='{choice}']")).await?;
            apply_and_expect(&c, who).await.map_err(|e| e.context(format!("{select} = {choice}")))?;
        }
        // Two at once: the demo site's live ones.
        go(&c, &app, "#/conversations").await?;
        listed(&c).await?;
        click(&c, "#conv-site option[value=demo]").await?;
        click(&c, "#conv-state option[value=active]").await?;
        apply_and_expect(&c, &["Kim"]).await?;
        // The filter is in the address: a reload keeps it.
        c.refresh().await?;
        assert_eq!(listed(&c).await?, ["Kim"]);
        assert_eq!(value(&c, "#conv-state").await?, "active");

        // The search finds the words Ada wrote, with them in a snippet; and nothing for words nobody wrote.
        go(&c, &app, "#/conversations").await?;
        listed(&c).await?;
        fill(&c, "conv-q", "KETTLE").await?;
        apply_and_expect(&c, &["Lin"]).await?;
        let snippet = texts(&c, "[data-testid=conversations] .snippet").await?;
        assert!(snippet.iter().any(|s| s.to_lowercase().contains("kettle")), "{snippet:?}");
        fill(&c, "conv-q", "ship abroad").await?;
        apply_and_expect(&c, &["Sam"]).await?;
        // (Nor do accents.)
        fill(&c, "conv-q", "kéttle").await?;
        apply_and_expect(&c, &["Lin"]).await?;
        fill(&c, "conv-q", "toaster").await?;
        apply_and_expect(&c, &[]).await?;
        shows(&c, "p[aria-live=polite]", "No conversations match.").await?;

        // Dates: none started tomorrow, all three today.
        let set_date = |id: &'static str, day: String| {
            let c = c.clone();
            async move {
                c.execute(
                    "const e = document.getElementById(arguments[0]); e.value = arguments[1]; \
                     e.dispatchEvent(new Event('input', { bubbles: true }));",
                    vec![json!(id), json!(day)],
                )
                .await
            }
        };
        let day = |ms: i64| {
            let days = ms.div_euclid(86_400_000);
            // (Civil date from days since 1970-01-01, UTC.)
            let z = days + 719_468;
            let era = z.div_euclid(146_097);
            let doe = z - era * 146_097;
            let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            let mp = (5 * doy + 2) / 153;
            let d = doy - (153 * mp + 2) / 5 + 1;
            let m = if mp < 10 { mp + 3 } else { mp - 9 };
            let y = yoe + era * 400 + i64::from(m <= 2);
            format!("{y:04}-{m:02}-{d:02}")
        };
        go(&c, &app, "#/conversations").await?;
        listed(&c).await?;
        set_date("conv-from", day(now_ms() + 86_400_000)).await?;
        apply_and_expect(&c, &[]).await?;
        // (From the empty list, so the full one is this filter's.)
        set_date("conv-from", day(now)).await?;
        set_date("conv-to", day(now)).await?;
        apply_and_expect(&c, &["Kim", "Lin", "Sam"]).await?;

        // A row opens its conversation, with Ada's words in the transcript.
        go(&c, &app, "#/conversations?q=kettle").await?;
        assert_eq!(listed(&c).await?, ["Lin"]);
        click(&c, "[data-testid=conversations] tbody a").await?;
        eventually("Ada's reply in the transcript", || async {
            Ok(texts(&c, "[data-testid=transcript] li p").await?.iter().any(|t| t == reply).then_some(()))
        })
        .await?;
        Ok(())
    })
    .await
    .unwrap();
}

// ---------------------------------------------------------------------------
// 4. Dutch.

/// The console's Dutch text of `key`, as the console's own file has it.
fn nl(key: &str) -> String {
    static NL: std::sync::OnceLock<std::collections::BTreeMap<String, String>> = std::sync::OnceLock::new();
    NL.get_or_init(|| {
        serde_json::from_str(include_str!("../../console/src/locales/nl.json")).expect("valid JSON")
    })
    .get(key)
    .cloned()
    .unwrap_or_else(|| panic!("no Dutch text for {key}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_preferring_french_then_dutch_gets_the_console_in_dutch_with_no_axe_violations() {
    let app = Arc::new(App::spawn(None).await.unwrap());
    let _lin = switchboard_e2e::visitor(&app).await.unwrap();
    let a = app.clone();
    // French first, which the console does not speak: the next language
    // in the browser's list that it does speaks.
    with_browser_in("fr-FR,nl-BE,nl", |c| async move {
        let app = a;
        let mut found = Vec::new();
        go(&c, &app, "").await?;
        find(&c, "#login-email").await?;
        assert_eq!(c.execute("return document.documentElement.lang;", vec![]).await?, json!("nl"));
        shows(&c, "main.login h1", &nl("title")).await?;
        shows(&c, "label[for=login-email]", &nl("email")).await?;
        shows(&c, "label[for=login-password]", &nl("password")).await?;
        shows(&c, "[data-testid=login-submit]", &nl("sign_in")).await?;
        // A wrong password is said in Dutch.
        fill(&c, "login-email", "admin@example.com").await?;
        fill(&c, "login-password", "not the password").await?;
        click(&c, "[data-testid=login-submit]").await?;
        shows(&c, "[data-testid=login-error]", &nl("bad_credentials")).await?;
        for v in axe_violations(&c).await? {
            found.push(format!("sign-in: {v}"));
        }

        fill(&c, "login-password", &app.account("admin@example.com").password).await?;
        click(&c, "[data-testid=login-submit]").await?;
        shows(&c, "[data-testid=logout]", &nl("sign_out")).await?;
        shows(&c, ".me", &nl("signed_in_as").replace("{name}", "Admin")).await?;
        let nav = texts(&c, "nav.sections a").await?;
        assert_eq!(
            nav,
            [
                "nav_sites",
                "nav_agents",
                "nav_teams",
                "nav_canned",
                "nav_routing",
                "nav_streams",
                "nav_conversations",
                "nav_reports"
            ]
            .map(nl)
        );
        // The agents view: its heading, columns and words in Dutch.
        go(&c, &app, "#/agents").await?;
        agents_table(&c).await?;
        shows(&c, "main h1", &nl("nav_agents")).await?;
        let headers = texts(&c, "[data-testid=agents] th").await?;
        assert_eq!(headers[..3], [nl("agent_name"), nl("email"), nl("role")]);
        let rows = table(&c, "[data-testid=agents]").await?;
        assert!(rows.iter().any(|r| r[2] == nl("role_admin")), "{rows:?}");
        shows(&c, "#new-agent-title", &nl("new_agent")).await?;
        for v in axe_violations(&c).await? {
            found.push(format!("agents: {v}"));
        }
        // The conversations: Lin's, waiting, in Dutch.
        go(&c, &app, "#/conversations").await?;
        let rows = eventually("Lin's conversation", || async {
            let rows = table(&c, "[data-testid=conversations]").await?;
            Ok((!rows.is_empty()).then_some(rows))
        })
        .await?;
        assert_eq!(rows[0][3], nl("state_fallback"), "{rows:?}");
        shows(&c, "[data-testid=apply-filters]", &nl("apply_filters")).await?;
        for v in axe_violations(&c).await? {
            found.push(format!("conversations: {v}"));
        }
        save_screenshot(&c, "console-dutch-conversations").await?;
        anyhow::ensure!(found.is_empty(), "axe violations:\n{}", found.join("\n"));
        Ok(())
    })
    .await
    .unwrap();
}

// ---------------------------------------------------------------------------
// 5. Axe on the first-run form and the invitation link.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_run_form_with_a_valid_link_has_no_axe_violations_on_a_desktop_and_a_phone() {
    let app = Arc::new(App::spawn_fresh().await.unwrap());
    let link = switchboard_server::accounts::first_run_link(&app.store, &app.api, now_ms())
        .await
        .unwrap()
        .expect("a fresh database has a setup link");
    with_browser(|c| async move {
        let mut found = Vec::new();
        for (width, device) in [(1280, "desktop"), (375, "phone")] {
            c.set_window_size(width, 900).await?;
            c.goto(&link).await?;
            c.refresh().await?;
            find(&c, "[data-testid=setup-form]").await?;
            for v in axe_violations(&c).await? {
                found.push(format!("setup ({device}): {v}"));
            }
            // And with every field's problem shown (nothing typed).
            click(&c, "[data-testid=setup-submit]").await?;
            eventually("the problems shown", || async {
                let e = find(&c, "#setup-email-error").await?.text().await?;
                Ok((!e.is_empty()).then_some(()))
            })
            .await?;
            for v in axe_violations(&c).await? {
                found.push(format!("setup with problems ({device}): {v}"));
            }
            let wide = too_wide(&c).await?;
            if !wide.is_empty() {
                found.push(format!("setup ({device}): wider than the screen: {wide}"));
            }
            save_screenshot(&c, &format!("console-setup-{device}")).await?;
        }
        anyhow::ensure!(found.is_empty(), "axe violations:\n{}", found.join("\n"));
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invitation_link_box_has_no_axe_violations_on_a_desktop_and_a_phone() {
    let app = Arc::new(App::spawn(None).await.unwrap());
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        let mut found = Vec::new();
        sign_in(&c, &app, "admin@example.com").await?;
        for (width, device, email) in
            [(1280, "desktop", "bo@shop.example"), (375, "phone", "cy@shop.example")]
        {
            c.set_window_size(width, 900).await?;
            go(&c, &app, "#/agents").await?;
            c.refresh().await?;
            agents_table(&c).await?;
            fill(&c, "agent-name", &format!("New {device} agent")).await?;
            fill(&c, "agent-email", email).await?;
            click(&c, "[data-testid=new-agent] button[type=submit]").await?;
            let invite = find(&c, "[data-testid=handover-value]").await?.text().await?;
            assert!(invite.starts_with(&format!("{}/inbox/#invite=", app.api)), "{invite}");
            shows(&c, "#handover-title", &format!("Invitation link for New {device} agent")).await?;
            // The link shown is the one the server keeps for them.
            let token = invite.rsplit('=').next().unwrap_or_default().to_owned();
            let answer = reqwest::Client::new()
                .post(format!("{}/api/account-tokens", app.direct))
                .json(&json!({ "token": token }))
                .send()
                .await?;
            anyhow::ensure!(answer.status().is_success(), "the invitation's token: {}", answer.status());
            for v in axe_violations(&c).await? {
                found.push(format!("invitation ({device}): {v}"));
            }
            // All of the link is on the screen, none of it past the edge.
            let wide = too_wide(&c).await?;
            if !wide.is_empty() {
                found.push(format!("invitation ({device}): wider than the screen: {wide}"));
            }
            c.execute("document.querySelector('[data-testid=handover]').scrollIntoView();", vec![]).await?;
            save_screenshot(&c, &format!("console-invitation-{device}")).await?;
        }
        anyhow::ensure!(found.is_empty(), "axe violations:\n{}", found.join("\n"));
        Ok(())
    })
    .await
    .unwrap();
}

/// The shared canned responses, kept in the console: a refused shortcut is
/// said under its field, a response limited to one site and one team is
/// stored so, changed and removed; an agent of that team on that site is
/// offered it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_keeps_the_shared_canned_responses() {
    let app = Arc::new(App::spawn(None).await.unwrap());
    let token = admin_token(&app).await.unwrap();
    post(&app, &token, "/api/admin/teams", json!({ "name": "Sales", "members": ["ada@example.com"] }))
        .await
        .unwrap();
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        sign_in(&c, &app, "admin@example.com").await?;
        click(&c, "a[href='#/canned']").await?;
        find(&c, "[data-testid=no-canned]").await?;
        fill(&c, "canned-new-shortcut", "two words").await?;
        fill(&c, "canned-new-text", "Hi {{nickname}}").await?;
        click_button(&c, "Add response").await?;
        shows(&c, "#canned-new-shortcut-error", "only letters, digits, - and _ (no spaces)").await?;
        let text_error = find(&c, "#canned-new-text-error").await?.text().await?;
        assert!(text_error.contains("unknown token `nickname`"), "{text_error}");
        fill(&c, "canned-new-shortcut", "/Demo").await?;
        fill(&c, "canned-new-text", r#"Hi {{first_name:"there"}}, want a demo?"#).await?;
        find(&c, "#canned-new-site").await?.select_by_value("demo").await?;
        find(&c, "#canned-new-team").await?.select_by_value("Sales").await?;
        click_button(&c, "Add response").await?;
        says(&c, "Saved /demo.").await?;
        shows(&c, "[data-testid=canned] h2", "/demo").await?;
        let listed = get_ok(&app, &token, "/api/admin/canned").await?;
        assert_eq!(listed[0]["shortcut"], "demo");
        assert_eq!((listed[0]["site"].as_str(), listed[0]["team"].as_str()), (Some("demo"), Some("Sales")));
        let id = listed[0]["id"].as_i64().unwrap();
        assert_eq!(value(&c, &format!("#canned-{id}-site")).await?, "demo", "the card shows what is stored");

        // Ada, in Sales, is offered it in a chat on the demo site.
        let mut ada = agent_socket(&app, "ada@example.com").await?;
        let _lin = switchboard_e2e::visitor(&app).await?;
        let conversation = next_frame(&mut ada, |f: AgentOut| match f {
            AgentOut::Offer { conversation, .. } => Some(conversation),
            _ => None,
        })
        .await?;
        send_frame(&mut ada, &AgentIn::Accept { conversation }).await?;
        let ada_token =
            login(&app, "ada@example.com", &app.account("ada@example.com").password).await?.unwrap();
        let offered = get_ok(&app, &ada_token, &format!("/api/conversations/{conversation}/canned")).await?;
        assert_eq!(offered[0]["shortcut"], "demo", "{offered}");

        // Changed for every agent; then removed.
        find(&c, &format!("#canned-{id}-team")).await?.select_by_value("").await?;
        fill(&c, &format!("canned-{id}-text"), "Want a demo?").await?;
        click_button(&c, "Save").await?;
        says(&c, "Saved /demo.").await?;
        let listed = get_ok(&app, &token, "/api/admin/canned").await?;
        assert_eq!((listed[0]["text"].as_str(), listed[0]["team"].as_str()), (Some("Want a demo?"), None));
        let violations = axe_violations(&c).await?;
        assert!(violations.is_empty(), "{violations:?}");
        click_button(&c, "Remove").await?;
        find(&c, &format!("#remove-canned-{id}[open]")).await?;
        find(&c, &format!("#remove-canned-{id} button.danger")).await?.click().await?;
        says(&c, "Canned response removed.").await?;
        find(&c, "[data-testid=no-canned]").await?;
        assert_eq!(get_ok(&app, &token, "/api/admin/canned").await?, json!([]));
        Ok(())
    })
    .await
    .unwrap();
}
