//! The widget on pages a site owner's page could be, in Chromium: it
//! keeps its own direction on a right-to-left page, leaves a page's own
//! `window.Switchboard` alone (its API moves aside), says the chat is
//! unavailable (and why, once, in the console) under a policy that
//! refuses it, and keeps the focus in the panel after the stream's last
//! card.

use fantoccini::{Client, Locator};
use switchboard_e2e::{
    axe_violations, eventually, find, save_screenshot, serve_page, shows, texts, with_browser, App,
};
use switchboard_protocol::site::SiteKey;
use switchboard_server::store::SiteUpdate;

/// A page of its own origin with the site's snippet (`script` adds to its
/// tag), `html` in the `<html>` tag and `head` in the head; the demo site
/// allows its origin. Console errors are kept in `window.errors`.
async fn host_page(app: &App, html: &str, head: &str, script: &str) -> anyhow::Result<String> {
    let page = format!(
        r#"<!doctype html><html lang="en" {html}><head><meta charset="utf-8">{head}
<script>window.errors = []; var e = console.error; console.error = function (m) {{ window.errors.push(String(m)); e.apply(console, arguments); }};</script>
<title>A shop</title></head><body><main><h1>A shop</h1><p>Things for sale.</p></main>
<script async src="{api}/widget.js" data-site="demo" {script}></script></body></html>"#,
        api = app.api
    );
    let url = serve_page(page).await?;
    let origin = url.trim_end_matches('/').to_owned();
    let site = app.store.site(&SiteKey::parse("demo")?).await?.expect("the demo site");
    let origins = [app.demo.clone(), origin];
    app.store.update_site(site.id, &SiteUpdate { origins: Some(&origins), ..Default::default() }).await?;
    Ok(url)
}

/// `script` run in the page, its value as JSON.
async fn eval(c: &Client, script: &str) -> anyhow::Result<serde_json::Value> {
    Ok(c.execute(script, vec![]).await?)
}

/// The widget's shadow root, in a script.
const SHADOW: &str = "document.querySelector('#switchboard-widget').shadowRoot";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_keeps_its_own_direction_on_a_right_to_left_page() {
    let app = App::spawn(None).await.unwrap();
    let url = host_page(&app, r#"dir="rtl""#, "", "").await.unwrap();
    with_browser(|c| async move {
        c.goto(&url).await?;
        find(&c, "[data-testid=launcher]").await?.click().await?;
        shows(&c, "[data-testid=bot]", "Hi there! 👋 Thanks for stopping by.").await?;
        let direction =
            eval(&c, &format!("return getComputedStyle({SHADOW}.querySelector('.sb-panel')).direction")).await?;
        assert_eq!(direction, "ltr", "the English widget is not turned by the page");
        let right = eval(
            &c,
            &format!("return innerWidth - {SHADOW}.querySelector('[data-testid=launcher]').getBoundingClientRect().right"),
        )
        .await?;
        assert!(right.as_f64().is_some_and(|r| r < 60.0), "the launcher stays bottom right: {right}");
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_with_its_own_switchboard_keeps_it_and_the_chat_answers_beside_it() {
    let app = App::spawn(None).await.unwrap();
    for (own, expected) in [
        (r#"window.Switchboard = "the page's own";"#, serde_json::json!("the page's own")),
        ("window.Switchboard = Object.freeze({ version: 7 });", serde_json::json!({ "version": 7 })),
        ("window.Switchboard = { version: 8 };", serde_json::json!({ "version": 8 })),
    ] {
        let url = host_page(&app, "", &format!("<script>{own}</script>"), "").await.unwrap();
        with_browser(|c| async move {
            c.goto(&url).await?;
            find(&c, "[data-testid=launcher]").await?;
            assert_eq!(
                eval(&c, "return window.Switchboard").await?,
                expected,
                "the page's own is left alone"
            );
            eval(&c, "window.SwitchboardChat.open(); return null").await?;
            find(&c, "[data-testid=panel]").await?;
            Ok(())
        })
        .await
        .unwrap();
    }
    // The tag twice: one chat.
    let twice = format!(r#"data-twice></script><script async src="{}/widget.js" data-site="demo""#, app.api);
    let url = host_page(&app, "", "", &twice).await.unwrap();
    with_browser(|c| async move {
        c.goto(&url).await?;
        find(&c, "[data-testid=launcher]").await?;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(eval(&c, "return document.querySelectorAll('#switchboard-widget').length").await?, 1);
        Ok(())
    })
    .await
    .unwrap();
    // A name of the site owner's choosing.
    let url = host_page(&app, "", "", r#"data-global="AcmeChat""#).await.unwrap();
    with_browser(|c| async move {
        c.goto(&url).await?;
        find(&c, "[data-testid=launcher]").await?;
        eval(&c, "window.AcmeChat.open(); return null").await?;
        find(&c, "[data-testid=panel]").await?;
        assert_eq!(eval(&c, "return typeof window.Switchboard").await?, "undefined");
        Ok(())
    })
    .await
    .unwrap();
}

/// The errors the page's console was told.
async fn console_errors(c: &Client) -> anyhow::Result<Vec<String>> {
    Ok(serde_json::from_value(eval(c, "return window.errors").await?)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_that_refuses_the_widget_leaves_the_visitor_told_and_the_owner_a_reason() {
    let app = App::spawn(None).await.unwrap();
    let (api, socket) = (app.api.clone(), app.api.replace("http://", "ws://"));
    // Without 'wasm-unsafe-eval': the widget's code cannot be compiled.
    let no_wasm = format!(
        r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src {api} 'unsafe-inline'; style-src {api}; connect-src {api} {socket}; img-src blob:">"#
    );
    // Without the stylesheet: the launcher stands bare.
    let no_styles = format!(
        r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src {api} 'unsafe-inline' 'wasm-unsafe-eval'; connect-src {api} {socket}; img-src blob:">"#
    );
    for (head, directive) in [(no_wasm, "script-src"), (no_styles, "style-src")] {
        let url = host_page(&app, "", &head, "").await.unwrap();
        with_browser(|c| async move {
            c.goto(&url).await?;
            find(&c, "[data-testid=launcher]").await?.click().await?;
            shows(&c, "[data-testid=unavailable]", "The chat could not be loaded. Please try again later.")
                .await?;
            let said = eventually("the console told why", || async {
                let errors = console_errors(&c).await?;
                Ok((!errors.is_empty()).then_some(errors))
            })
            .await?;
            assert_eq!(said.len(), 1, "said once: {said:?}");
            assert!(
                said[0].contains("Content-Security-Policy") && said[0].contains(directive),
                "{directive}: {said:?}"
            );
            // Opening again tries again, and says nothing twice.
            find(&c, "[data-testid=launcher]").await?.click().await?;
            find(&c, "[data-testid=launcher]").await?.click().await?;
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            assert_eq!(texts(&c, "[data-testid=unavailable]").await?.len(), 1);
            assert_eq!(console_errors(&c).await?.len(), 1);
            let violations = axe_violations(&c).await?;
            assert!(violations.is_empty(), "chat unavailable ({directive}): {violations:?}");
            save_screenshot(&c, &format!("widget-unavailable-{directive}")).await?;
            Ok(())
        })
        .await
        .unwrap();
    }
}

/// What has the focus, by its `data-testid` (inside the widget too).
async fn focused(c: &Client) -> anyhow::Result<serde_json::Value> {
    eval(
        c,
        "var a = document.activeElement; if (a && a.shadowRoot) a = a.shadowRoot.activeElement; \
         return a ? (a.getAttribute('data-testid') || a.tagName) : null;",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_last_card_the_focus_stays_in_the_panel() {
    let app = App::spawn(None).await.unwrap();
    let app = &app;
    with_browser(|v| async move {
        // An answer that ends the stream: to "Start a new conversation".
        v.goto(&format!("{}/", app.demo)).await?;
        find(&v, "[data-testid=launcher]").await?.click().await?;
        find(&v, "[data-testid=answer]").await?;
        let answers = {
            let host = v.find(Locator::Css("#switchboard-widget")).await?;
            host.shadow_root().await?.find_all(Locator::Css("[data-testid=answer]")).await?
        };
        answers.last().expect("two answers").click().await?;
        eventually("the focus on Start a new conversation", || async {
            Ok((focused(&v).await? == "new-chat").then_some(()))
        })
        .await?;

        // The last capture card: to the live chat's composer.
        find(&v, "[data-testid=new-chat]").await?.click().await?;
        find(&v, "[data-testid=answer]").await?.click().await?;
        find(&v, "input[type=text][data-testid=field]").await?.send_keys("Lin\u{E007}").await?;
        find(&v, "input[type=email]").await?.send_keys("lin@example.com\u{E007}").await?;
        eventually("the focus in the composer", || async {
            Ok((focused(&v).await? == "message-input").then_some(()))
        })
        .await?;
        Ok(())
    })
    .await
    .unwrap();
}
