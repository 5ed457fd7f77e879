//! Security headers in a real browser: the signed-in inbox cannot be framed
//! by another origin, and neither the inbox (an agent at work) nor the demo
//! host page (a visitor from the stream into a live chat) breaks its
//! Content-Security-Policy: nothing is blocked, none is reported.

use fantoccini::Locator;
use switchboard_e2e::{
    agent_socket, csp_violations, eventually, find, next_frame, reported_violations, send_frame, serve_page,
    shows, sign_in, visitor, watch_csp, with_browser, App, SENTINEL,
};
use switchboard_protocol::admin::{AgentChange, AppearanceChange};
use switchboard_protocol::wire::{AgentIn, AgentOut, Author, VisitorIn, VisitorOut};
use switchboard_server::admin;

/// An avatar on another host, as admins set them (`.invalid`: nothing is
/// fetched, but the policy is checked before the fetch).
const AVATAR: &str = "https://avatars.invalid/ada.png";

async fn give_ada_an_avatar(app: &App) -> anyhow::Result<()> {
    let change = AgentChange { avatar_url: Some(AVATAR.into()), ..Default::default() };
    let now = switchboard_server::Clock::system().now_ms();
    let live = admin::Live { now, capacity: 10, presence: None };
    admin::update_agent(&app.store, "ada@example.com", &change, &live).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_signed_in_inbox_cannot_be_framed_by_another_origin() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    let framing = serve_page(format!(
        "<!doctype html><title>Framing</title><iframe src=\"{}/inbox/\" width=900 height=700></iframe>",
        app.api
    ))
    .await
    .unwrap();
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        sign_in(&c, &app, "ada@example.com").await?;
        c.goto(&framing).await?;
        // What the frame holds, read from inside it (the driver may enter a
        // cross-origin frame, the outer page may not): once it has left
        // about:blank, the browser's error page, not the inbox.
        let held = eventually("the frame to load", || async {
            c.enter_frame(0).await?;
            let href = c.execute("return location.href;", vec![]).await?;
            let inbox = c.find_all(Locator::Css("[data-testid=signed-in-as]")).await?.len();
            c.enter_parent_frame().await?;
            let href = href.as_str().unwrap_or_default().to_owned();
            Ok((href != "about:blank" && !href.is_empty()).then_some((href, inbox)))
        })
        .await?;
        anyhow::ensure!(
            held.0.starts_with("chrome-error://"),
            "the inbox was framed: the frame holds {held:?}"
        );
        assert_eq!(held.1, 0);
        // The inbox's policy said why, to the server.
        eventually("the frame-ancestors report", || async {
            Ok(app.csp.recent().iter().any(|v| v.directive == "frame-ancestors").then_some(()))
        })
        .await?;
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_works_in_the_inbox_without_breaking_its_policy() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    give_ada_an_avatar(&app).await.unwrap();
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        watch_csp(&c).await?;
        sign_in(&c, &app, "ada@example.com").await?;
        let avatar = find(&c, "img.avatar").await?;
        assert_eq!(avatar.attr("src").await?.as_deref(), Some(AVATAR));

        // An offer, accepted; messages both ways; the lists; the end.
        let mut lin = visitor(&app).await?;
        find(&c, "[data-testid=offer]")
            .await?
            .find(Locator::Css("[data-testid=accept]"))
            .await?
            .click()
            .await?;
        find(&c, "[data-testid=conversation]").await?;
        send_frame(&mut lin, &VisitorIn::Message { client_id: "v1".into(), text: "Hello?".into() }).await?;
        shows(&c, "[data-testid=message] .text", "Hello?").await?;
        find(&c, "[data-testid=composer]").await?.send_keys("Hi Lin\u{E007}").await?;
        next_frame(&mut lin, |f: VisitorOut| match f {
            VisitorOut::Message(m) if m.author == Author::Agent => Some(()),
            _ => None,
        })
        .await?;
        find(&c, "[data-testid=end-chat]").await?.click().await?;
        find(&c, "[data-testid=ended]").await?;
        find(&c, "[data-testid=tab-all]").await?.click().await?;
        find(&c, "[data-testid=row]").await?;

        let reported = reported_violations(&c, &app).await?;
        assert!(reported.is_empty(), "the server was told of {reported:?}");
        let seen = csp_violations(&c).await?;
        assert_eq!(seen.len(), 1, "the page saw {seen:?}");
        assert!(seen[0].starts_with(&format!("connect-src blocked {SENTINEL}")), "{seen:?}");
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_goes_from_the_stream_to_a_live_chat_on_the_demo_page_without_breaking_its_policy() {
    let app = App::spawn(None).await.unwrap();
    give_ada_an_avatar(&app).await.unwrap();
    let look = AppearanceChange {
        bot_avatar_url: Some("https://avatars.invalid/bot.png".into()),
        ..Default::default()
    };
    admin::update_appearance(&app.store, "demo", &look).await.unwrap();
    let mut ada = agent_socket(&app, "ada@example.com").await.unwrap();
    let agent_side = tokio::spawn(async move {
        let AgentOut::Offer { conversation, .. } = next_frame(&mut ada, |f: AgentOut| Some(f)).await? else {
            anyhow::bail!("expected an offer")
        };
        send_frame(&mut ada, &AgentIn::Accept { conversation }).await?;
        let hi = AgentIn::Message { conversation, client_id: "a1".into(), text: "Hi Lin, Ada here.".into() };
        send_frame(&mut ada, &hi).await?;
        next_frame(&mut ada, |f: AgentOut| match f {
            AgentOut::Message { message, .. } if message.text == "Thanks!" => Some(()),
            _ => None,
        })
        .await?;
        Ok(ada)
    });
    with_browser(|v| async move {
        watch_csp(&v).await?;
        v.goto(&format!("{}/", app.demo)).await?;
        find(&v, "[data-testid=launcher]").await?.click().await?;
        find(&v, "[data-testid=bot-avatar]").await?;
        find(&v, "[data-testid=answer]").await?.click().await?;
        find(&v, "input[type=text][data-testid=field]").await?.send_keys("Lin\u{E007}").await?;
        find(&v, "input[type=email]").await?.send_keys("lin@example.com\u{E007}").await?;
        shows(&v, "[data-testid=agent]", "You are chatting with Ada Lovelace.").await?;
        find(&v, "[data-testid=agent] img").await?;
        shows(&v, "[data-testid=message]", "Hi Lin, Ada here.").await?;
        find(&v, "[data-testid=message-input]").await?.send_keys("Thanks!\u{E007}").await?;
        shows(&v, "[data-testid=message]", "Thanks!").await?;

        let reported = reported_violations(&v, &app).await?;
        assert!(reported.is_empty(), "the server was told of {reported:?}");
        let seen = csp_violations(&v).await?;
        assert_eq!(seen.len(), 1, "the page saw {seen:?}");
        assert!(seen[0].starts_with(&format!("connect-src blocked {SENTINEL}")), "{seen:?}");
        Ok(())
    })
    .await
    .unwrap();
    agent_side.await.unwrap().unwrap();
}
