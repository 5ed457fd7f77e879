//! The product end to end, both people in a real browser: a visitor on the
//! demo host page (another origin) and an agent in the inbox.

use fantoccini::{Client, Locator};
use switchboard_e2e::{agent_socket, eventually, find, next_frame, shows, sign_in, texts, with_browser, App};
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
