//! The product end to end, both people in a real browser: a visitor on the
//! demo host page (another origin) and an agent in the inbox.

use fantoccini::{Client, Locator};
use switchboard_e2e::{
    agent_socket, axe_violations, csp_violations, eventually, find, next_frame, save_screenshot, shows,
    sign_in, texts, watch_csp, with_browser, with_browser_saving_to, App,
};
use switchboard_protocol::site::SiteKey;
use switchboard_protocol::wire::AgentOut;

/// The visitor walks the demo stream: greeting, question, first name, and an
/// email refused once before a valid one.
async fn walk_stream(v: &Client, app: &App) -> anyhow::Result<()> {
    v.goto(&format!("{}/", app.demo)).await?;
    find(v, "[data-testid=launcher]").await?.click().await?;
    find(v, "[data-testid=answer]").await?.click().await?;
    find(v, "input[type=text][data-testid=field]").await?.send_keys("Lin\u{E007}").await?;
    find(v, "input[type=email]").await?.send_keys("lin@example\u{E007}").await?;
    let error = find(v, "[data-testid=field-error]").await?;
    eventually("the email error", || async {
        let t = error.text().await?;
        Ok((!t.is_empty()).then_some(t))
    })
    .await?;
    let email = find(v, "input[type=email]").await?;
    email.clear().await?;
    email.send_keys("lin@example.com\u{E007}").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_and_an_agent_chat_from_stream_to_end_each_in_a_browser() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    let a = app.clone();
    with_browser(|agent| async move {
        let app = a;
        sign_in(&agent, &app, "ada@example.com").await?;
        let (app, agent) = (&*app, &agent);
        with_browser(|v| async move {
            walk_stream(&v, app).await?;

            // The agent is offered the chat, with the visitor's name, and accepts.
            let offer = find(agent, "[data-testid=offer]").await?;
            assert_eq!(offer.find(Locator::Css("h2")).await?.text().await?, "Lin wants to chat");
            offer.find(Locator::Css("[data-testid=accept]")).await?.click().await?;
            assert_eq!(find(agent, "[data-field=email]").await?.text().await?, "lin@example.com");
            find(agent, "[data-testid=composer]").await?.send_keys("Hi Lin, Ada here.\u{E007}").await?;

            // The visitor sees who and the reply.
            shows(&v, "[data-testid=agent]", "You are chatting with Ada Lovelace.").await?;
            shows(&v, "[data-testid=message]", "Hi Lin, Ada here.").await?;

            // Both type and see the other typing.
            find(&v, "[data-testid=message-input]").await?.send_keys("Do you ship").await?;
            shows(agent, "[data-testid=visitor-typing]", "Lin is typing…").await?;
            find(agent, "[data-testid=composer]").await?.send_keys("Let me check").await?;
            shows(&v, "[data-testid=agent-typing]", "Ada Lovelace is typing…").await?;
            find(&v, "[data-testid=message-input]").await?.send_keys(" to Belgium?\u{E007}").await?;
            shows(agent, "[data-testid=message] .text", "Do you ship to Belgium?").await?;

            // The visitor reloads: the whole conversation is there and goes on.
            v.refresh().await?;
            eventually("the conversation after the reload", || async {
                let chat = texts(&v, "[data-testid=message]").await?;
                Ok((chat == ["Hi Lin, Ada here.", "Do you ship to Belgium?"]).then_some(()))
            })
            .await?;
            find(agent, "[data-testid=composer]").await?.send_keys(": yes, we do.\u{E007}").await?;
            shows(&v, "[data-testid=message]", "Let me check: yes, we do.").await?;

            // The agent ends the chat; the visitor sees that it ended.
            find(agent, "[data-testid=end-chat]").await?.click().await?;
            find(&v, "[data-testid=ended]").await?;
            assert!(texts(&v, "[data-testid=message-input]").await?.is_empty());
            Ok(())
        })
        .await
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_agent_available_the_visitor_gets_the_sites_fallback_message() {
    let app = App::spawn(None).await.unwrap();
    let site = app.store.site(&SiteKey::parse("demo").unwrap()).await.unwrap().unwrap();
    app.store.set_fallback_message(site.id, "We're away. Mail hello@example.com.").await.unwrap();
    let app = &app;
    with_browser(|v| async move {
        walk_stream(&v, app).await?;
        shows(&v, "[data-testid=message]", "We're away. Mail hello@example.com.").await?;
        assert!(texts(&v, "[data-testid=connecting]").await?.is_empty());
        assert!(texts(&v, "[data-testid=message-input]").await?.is_empty(), "nobody to write to");
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_not_accepted_in_time_goes_to_the_next_agent() {
    let app = std::sync::Arc::new(App::spawn_with(|s| s.routing.accept_timeout_secs = 2).await.unwrap());
    let a = app.clone();
    with_browser(|agent| async move {
        let app = a;
        // Ada is connected but away from her desk; Grace works in the inbox.
        let mut ada = agent_socket(&app, "ada@example.com").await?;
        sign_in(&agent, &app, "grace@example.com").await?;
        let (app, agent) = (&*app, &agent);
        with_browser(|v| async move {
            walk_stream(&v, app).await?;
            next_frame(&mut ada, |f: AgentOut| matches!(f, AgentOut::Offer { .. }).then_some(())).await?;
            assert!(agent.find_all(Locator::Css("[data-testid=offer]")).await?.is_empty(), "Ada's first");
            next_frame(&mut ada, |f: AgentOut| matches!(f, AgentOut::Withdrawn { .. }).then_some(())).await?;
            find(agent, "[data-testid=accept]").await?.click().await?;
            shows(&v, "[data-testid=agent]", "You are chatting with Grace Hopper.").await?;
            Ok(())
        })
        .await
    })
    .await
    .unwrap();
}

/// A photo, 160 × 100 tiles.
const PHOTO: &[u8] = include_bytes!("fixtures/tiles.png");

/// An element of the widget (in its shadow root), displayed or not (the
/// file picker is visually hidden behind its button).
async fn in_widget(v: &Client, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
    eventually(css, || async {
        let host = v.find(Locator::Css("#switchboard-widget")).await?;
        Ok(host.shadow_root().await?.find_all(Locator::Css(css)).await?.into_iter().next())
    })
    .await
}

/// Whether the picture `css` (in the widget when `widget`) has loaded.
async fn picture_loaded(c: &Client, css: &str, widget: bool) -> anyhow::Result<()> {
    let root = if widget { "document.querySelector('#switchboard-widget').shadowRoot" } else { "document" };
    let script = format!("const i = {root}.querySelector(arguments[0]); return i ? i.naturalWidth : 0;");
    eventually(&format!("{css} loaded"), || async {
        let width = c.execute(&script, vec![serde_json::json!(css)]).await?;
        Ok((width == serde_json::json!(160)).then_some(()))
    })
    .await
}

/// Files both ways, each person in a browser: the visitor attaches a photo
/// in the widget and both see it; one refused by its bytes says why; the
/// agent sends a PDF from the inbox and the visitor saves it, byte for
/// byte. The host page's documented policy (`img-src … blob:`) lets the
/// pictures show, and axe finds nothing in either state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_sends_a_photo_and_saves_the_agents_pdf() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("photo.png");
    std::fs::write(&photo, PHOTO).unwrap();
    let tool = dir.path().join("tool.png");
    std::fs::write(&tool, b"MZ\x90\0 an executable, named as a picture").unwrap();
    let pdf: &[u8] = b"%PDF-1.7\n% the terms\n";
    let terms = dir.path().join("terms.pdf");
    std::fs::write(&terms, pdf).unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let a = app.clone();
    let saved = downloads.path().to_owned();
    with_browser(|agent| async move {
        let app = a;
        sign_in(&agent, &app, "ada@example.com").await?;
        let (app, agent) = (&*app, &agent);
        with_browser_saving_to(&saved.clone(), |v| async move {
            watch_csp(&v).await?;
            walk_stream(&v, app).await?;
            find(agent, "[data-testid=offer] [data-testid=accept]").await?.click().await?;
            shows(&v, "[data-testid=agent]", "You are chatting with Ada Lovelace.").await?;

            // The visitor's photo: shown to both, read with each one's right to it.
            in_widget(&v, "[data-testid=file-input]").await?.send_keys(&photo.display().to_string()).await?;
            picture_loaded(&v, "[data-testid=message] [data-testid=file-preview]", true).await?;
            find(agent, "[data-testid=file-preview]").await?;
            picture_loaded(agent, "[data-testid=file-preview]", false).await?;
            assert_eq!(texts(agent, "[data-testid=file-link]").await?, ["photo.png (327 B)"]);

            // The agent's PDF: a named button with its size that saves it.
            agent
                .execute("document.querySelector('[data-testid=attach-input]').hidden = false", vec![])
                .await?;
            agent
                .find(Locator::Css("[data-testid=attach-input]"))
                .await?
                .send_keys(&terms.display().to_string())
                .await?;
            shows(&v, "[data-testid=file-open]", "terms.pdf (21 B)").await?;
            let open = texts(&v, "[data-testid=file-open]").await?;
            assert_eq!(open.len(), 2, "the photo and the PDF, each once: {open:?}");
            let host = v.find(Locator::Css("#switchboard-widget")).await?;
            for button in host.shadow_root().await?.find_all(Locator::Css("[data-testid=file-open]")).await? {
                if button.text().await?.contains("terms.pdf") {
                    button.click().await?;
                }
            }
            let file = saved.join("terms.pdf");
            let got = eventually("the PDF saved", || async { Ok(std::fs::read(&file).ok()) }).await?;
            assert_eq!(got, pdf, "the visitor has the agent's file as sent");

            // (Before axe runs: its styles are inline.)
            assert_eq!(csp_violations(&v).await?, Vec::<String>::new(), "under the host page's policy");

            // Refused by its bytes, whatever its name: said why, nothing to retry.
            in_widget(&v, "[data-testid=file-input]").await?.send_keys(&tool.display().to_string()).await?;
            shows(
                &v,
                "[data-testid=upload-failed] p",
                "tool.png was not sent: this kind of file cannot be sent here.",
            )
            .await?;
            assert!(texts(&v, "[data-testid=upload-retry]").await?.is_empty());
            let violations = axe_violations(&v).await?;
            assert!(violations.is_empty(), "a refused file in the widget: {violations:?}");
            save_screenshot(&v, "widget-file-refused").await?;
            find(&v, "[data-testid=upload-dismiss]").await?.click().await?;

            let violations = axe_violations(&v).await?;
            assert!(violations.is_empty(), "files in the widget: {violations:?}");
            save_screenshot(&v, "widget-files").await?;
            v.set_window_size(375, 812).await?;
            save_screenshot(&v, "widget-files-phone").await?;
            Ok(())
        })
        .await
    })
    .await
    .unwrap();
}
