//! End to end in a real browser: the host page on one origin, the server on another.

use fantoccini::{Client, Locator};
use std::time::Duration;
use switchboard_e2e::{eventually, find, with_browser, with_browser_in, App};

/// The widget's shadow root on the current page, once the loader created it.
async fn widget_root(c: &Client) -> anyhow::Result<fantoccini::elements::ShadowRoot> {
    let host = eventually("the widget host element", || async {
        Ok(c.find_all(Locator::Css("#switchboard-widget")).await?.into_iter().next())
    })
    .await?;
    Ok(host.shadow_root().await?)
}

/// `data-testid` of the element focused inside the widget's shadow root.
async fn focused_in_widget(c: &Client) -> anyhow::Result<Option<String>> {
    let v = c
        .execute(
            "const r = document.querySelector('#switchboard-widget').shadowRoot; \
             return r.activeElement ? r.activeElement.getAttribute('data-testid') : null;",
            vec![],
        )
        .await?;
    Ok(v.as_str().map(str::to_owned))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_launcher_opens_a_panel_with_the_sites_title_on_an_allowed_host_page() {
    let app = App::spawn(None).await.unwrap();
    let demo = app.demo.clone();
    with_browser(|c| async move {
        c.goto(&format!("{demo}/")).await?;
        let root = widget_root(&c).await?;
        // Once displayed: the loader shows it when its styles are in.
        let launcher = find(&c, "[data-testid=launcher]").await?;
        assert_eq!(launcher.attr("aria-expanded").await?.as_deref(), Some("false"));
        assert_eq!(launcher.attr("aria-label").await?.as_deref(), Some("Open chat"));
        // The host page styles every button with 30px red text; inside the
        // shadow root the launcher must keep its own look.
        assert_eq!(launcher.css_value("width").await?, "56px");
        launcher.click().await?;

        let title = eventually("the panel title", || async {
            Ok(root.find_all(Locator::Css("[data-testid=title]")).await?.into_iter().next())
        })
        .await?;
        assert_eq!(title.text().await?, "Switchboard demo");
        switchboard_e2e::save_screenshot(&c, "widget-open").await?;
        assert_eq!(launcher.attr("aria-expanded").await?.as_deref(), Some("true"));
        let focused = eventually("focus inside the panel", || async {
            Ok(focused_in_widget(&c).await?.filter(|t| t == "close"))
        })
        .await?;
        assert_eq!(focused, "close");

        // Closing from the panel returns focus to the launcher.
        root.find(Locator::Css("[data-testid=close]")).await?.click().await?;
        eventually("the panel to close", || async {
            Ok((launcher.attr("aria-expanded").await?.as_deref() == Some("false")).then_some(()))
        })
        .await?;
        assert_eq!(focused_in_widget(&c).await?.as_deref(), Some("launcher"));
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_site_language_the_widget_speaks_the_visitors_browser_language() {
    let app = App::spawn(None).await.unwrap();
    let demo = app.demo.clone();
    with_browser_in("fr-FR,nl-BE,en", |c| async move {
        c.goto(&format!("{demo}/")).await?;
        let root = widget_root(&c).await?;
        // Once displayed: the loader shows it when its styles are in.
        let launcher = find(&c, "[data-testid=launcher]").await?;
        assert_eq!(launcher.attr("aria-label").await?.as_deref(), Some("Chat openen"));
        launcher.click().await?;
        let panel = eventually("the panel", || async {
            Ok(root.find_all(Locator::Css("[data-testid=panel]")).await?.into_iter().next())
        })
        .await?;
        assert_eq!(panel.attr("lang").await?.as_deref(), Some("nl"));
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_stays_silent_on_a_page_whose_origin_is_not_allowed() {
    let app = App::spawn(Some("https://www.example.com")).await.unwrap();
    let (demo, api) = (app.demo.clone(), app.api.clone());

    // The server refuses the page's origin.
    let refused = reqwest::Client::new()
        .get(format!("{api}/api/sites/demo/config"))
        .header("Origin", &demo)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    // And so does its visitor socket.
    {
        use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Error};
        let mut req = format!("{}/ws/visitor?site=demo", app.direct.replace("http://", "ws://"))
            .into_client_request()
            .unwrap();
        req.headers_mut().insert("Origin", demo.parse().unwrap());
        match tokio_tungstenite::connect_async(req).await {
            Err(Error::Http(response)) => assert_eq!(response.status(), 403),
            other => panic!("the socket was not refused: {:?}", other.map(|_| ())),
        }
    }

    with_browser(|c| async move {
        c.goto(&format!("{demo}/")).await?;
        // Wait until the loader's config request has completed in the page…
        eventually("the loader's config request to finish", || async {
            let done = c
                .execute(
                    "return performance.getEntriesByType('resource')
                       .some(e => e.name.endsWith('/api/sites/demo/config') && e.responseEnd > 0);",
                    vec![],
                )
                .await?;
            Ok(done.as_bool().unwrap_or(false).then_some(()))
        })
        .await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        // …then nothing of the widget is on the page.
        assert!(c.find_all(Locator::Css("#switchboard-widget")).await?.is_empty());
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_signs_into_the_inbox_and_stays_signed_in_after_a_reload() {
    let app = App::spawn(None).await.unwrap();
    let api = app.api.clone();
    let ada = app.account("ada@example.com").clone();
    with_browser(|c| async move {
        c.goto(&format!("{api}/inbox/")).await?;
        let form = eventually("the login form", || async {
            Ok(c.find_all(Locator::Css("[data-testid=login-form]")).await?.into_iter().next())
        })
        .await?;

        // A wrong password is refused with a message.
        form.find(Locator::Css("#login-email")).await?.send_keys(&ada.email).await?;
        form.find(Locator::Css("#login-password")).await?.send_keys("wrong password").await?;
        form.find(Locator::Css("[data-testid=login-submit]")).await?.click().await?;
        let error = eventually("the login error", || async {
            let t = c.find(Locator::Css("[data-testid=login-error]")).await?.text().await?;
            Ok((!t.is_empty()).then_some(t))
        })
        .await?;
        assert_eq!(error, "Wrong email or password.");

        let password = form.find(Locator::Css("#login-password")).await?;
        password.clear().await?;
        password.send_keys(&ada.password).await?;
        form.find(Locator::Css("[data-testid=login-submit]")).await?.click().await?;
        let who = eventually("the signed-in header", || async {
            Ok(c.find_all(Locator::Css("[data-testid=signed-in-as]")).await?.into_iter().next())
        })
        .await?;
        assert_eq!(who.text().await?, "Signed in as Ada Lovelace");

        c.refresh().await?;
        let who = eventually("the signed-in header after a reload", || async {
            Ok(c.find_all(Locator::Css("[data-testid=signed-in-as]")).await?.into_iter().next())
        })
        .await?;
        assert_eq!(who.text().await?, "Signed in as Ada Lovelace");
        Ok(())
    })
    .await
    .unwrap();
}
