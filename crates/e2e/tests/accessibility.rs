//! Accessibility in a real browser: axe-core (WCAG 2.0 A/AA, 2.1 AA, 2.2 AA)
//! audits the host page with the widget open at each card type and in live
//! chat, and the inbox at login, with an offer and with a conversation open;
//! and a visitor walks the stream into live chat with the keyboard alone.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::Client;
use switchboard_e2e::{
    agent_socket, axe_violations, eventually, find, next_frame, send_frame, visitor, with_browser, App,
};
use switchboard_protocol::wire::{AgentIn, AgentOut};

async fn audit(c: &Client, what: &str, all: &mut Vec<String>) -> anyhow::Result<()> {
    for v in axe_violations(c).await? {
        all.push(format!("{what}: {v}"));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_at_each_card_type_and_in_live_chat_has_no_violations() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        // Everything a site can add to the widget, on a light accent.
        let look = switchboard_protocol::admin::AppearanceChange {
            accent: Some("#ffe066".into()),
            launcher_label: Some("Questions?".into()),
            bot_avatar_url: Some(format!("{}/bot.png", app.api)),
            privacy_url: Some("https://www.example.com/privacy".into()),
            ..Default::default()
        };
        switchboard_server::admin::update_appearance(&app.store, "demo", &look).await?;
        let mut ada = agent_socket(&app, "ada@example.com").await?;
        let mut found = Vec::new();
        c.goto(&format!("{}/", app.demo)).await?;
        find(&c, "[data-testid=launcher]").await?;
        // The audit can fail: an image without a text alternative is caught.
        c.execute("const i = document.createElement('img'); i.id = 'bad'; i.src = 'data:,'; document.body.append(i);", vec![])
            .await?;
        let caught = axe_violations(&c).await?;
        anyhow::ensure!(caught.iter().any(|v| v.starts_with("image-alt")), "axe missed a bare img: {caught:?}");
        c.execute("document.getElementById('bad').remove();", vec![]).await?;
        audit(&c, "host page, launcher", &mut found).await?;
        find(&c, "[data-testid=launcher]").await?.click().await?;
        find(&c, "[data-testid=answer]").await?;
        find(&c, "[data-testid=privacy]").await?;
        find(&c, "[data-testid=bot-avatar]").await?;
        audit(&c, "message and question", &mut found).await?;
        find(&c, "[data-testid=answer]").await?.click().await?;
        find(&c, "input[data-testid=field]").await?.send_keys("Lin").await?;
        audit(&c, "capture (text)", &mut found).await?;
        find(&c, "[data-testid=send]").await?.click().await?;
        find(&c, "input[type=email]").await?.send_keys("not an email").await?;
        find(&c, "[data-testid=send]").await?.click().await?;
        find(&c, "[data-testid=field-error]").await?;
        audit(&c, "capture (email) with its error", &mut found).await?;
        let email = find(&c, "input[type=email]").await?;
        email.clear().await?;
        email.send_keys("lin@example.org").await?;
        find(&c, "[data-testid=send]").await?.click().await?;
        let conversation = next_frame(&mut ada, |f: AgentOut| match f {
            AgentOut::Offer { conversation, .. } => Some(conversation),
            _ => None,
        })
        .await?;
        find(&c, "[data-testid=connecting]").await?;
        audit(&c, "live chat, connecting", &mut found).await?;
        send_frame(&mut ada, &AgentIn::Accept { conversation }).await?;
        send_frame(&mut ada, &AgentIn::Message { conversation, client_id: "a1".into(), text: "Hello Lin!".into() })
            .await?;
        find(&c, "[data-testid=message]").await?;
        find(&c, "[data-testid=message-input]").await?.send_keys("Hi!\u{E007}").await?;
        audit(&c, "live chat", &mut found).await?;
        send_frame(&mut ada, &AgentIn::End { conversation }).await?;
        find(&c, "[data-testid=ended]").await?;
        audit(&c, "live chat ended", &mut found).await?;
        anyhow::ensure!(found.is_empty(), "axe found:\n{}", found.join("\n"));
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_with_an_offer_and_a_conversation_has_no_violations() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        let mut found = Vec::new();
        c.goto(&format!("{}/inbox/", app.api)).await?;
        find(&c, "#login-email").await?;
        audit(&c, "login", &mut found).await?;
        find(&c, "#login-email").await?.send_keys("ada@example.com").await?;
        find(&c, "#login-password").await?.send_keys(&app.account("ada@example.com").password).await?;
        find(&c, "[data-testid=login-submit]").await?.click().await?;
        find(&c, "[data-testid=signed-in-as]").await?;
        let _lin = visitor(&app).await?;
        find(&c, "[data-testid=offer]").await?;
        audit(&c, "inbox with an offer", &mut found).await?;
        find(&c, "[data-testid=accept]").await?.click().await?;
        find(&c, "[data-testid=composer]").await?.send_keys("Hello Lin\u{E007}").await?;
        find(&c, "[data-testid=message]").await?;
        find(&c, "[data-testid=transfer]").await?.click().await?;
        find(&c, "[data-testid=transfer-panel]").await?;
        audit(&c, "inbox with a conversation and the transfer menu", &mut found).await?;
        anyhow::ensure!(found.is_empty(), "axe found:\n{}", found.join("\n"));
        Ok(())
    })
    .await
    .unwrap();
}

/// Presses keys on whatever has the focus, as a person at a keyboard would.
async fn keys(c: &Client, text: &str) -> anyhow::Result<()> {
    let mut actions = KeyActions::new("keyboard".into());
    for ch in text.chars() {
        actions = actions.then(KeyAction::Down { value: ch }).then(KeyAction::Up { value: ch });
    }
    c.perform_actions(actions).await?;
    Ok(())
}

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

/// `data-testid` of the focused element, inside the widget's shadow root.
async fn focused(c: &Client) -> anyhow::Result<Option<String>> {
    let v = c
        .execute(
            "const h = document.querySelector('#switchboard-widget'); \
             const el = h && h.shadowRoot && h.shadowRoot.activeElement || document.activeElement; \
             return el ? (el.getAttribute('data-testid') || el.id || el.tagName) : null;",
            vec![],
        )
        .await?;
    Ok(v.as_str().map(str::to_owned))
}

async fn tab_to(c: &Client, testid: &str) -> anyhow::Result<()> {
    for _ in 0..40 {
        if focused(c).await?.as_deref() == Some(testid) {
            return Ok(());
        }
        keys(c, TAB).await?;
    }
    anyhow::bail!("Tab never reached {testid} (at {:?})", focused(c).await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_reaches_live_chat_with_the_keyboard_alone() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        let mut ada = agent_socket(&app, "ada@example.com").await?;
        c.goto(&format!("{}/", app.demo)).await?;
        find(&c, "[data-testid=launcher]").await?;
        tab_to(&c, "launcher").await?;
        keys(&c, ENTER).await?;
        // Focus moves into the panel; the answers are reachable with Tab.
        find(&c, "[data-testid=answer]").await?;
        tab_to(&c, "answer").await?;
        keys(&c, ENTER).await?;
        // The field takes the focus: type and press Enter.
        find(&c, "input[type=text][data-testid=field]").await?;
        eventually("focus in the name field", || async {
            Ok((focused(&c).await?.as_deref() == Some("field")).then_some(()))
        })
        .await?;
        keys(&c, &format!("Lin{ENTER}")).await?;
        find(&c, "input[type=email]").await?;
        eventually("focus in the email field", || async {
            Ok((focused(&c).await?.as_deref() == Some("field")).then_some(()))
        })
        .await?;
        keys(&c, &format!("lin@example.org{ENTER}")).await?;
        let conversation = next_frame(&mut ada, |f: AgentOut| match f {
            AgentOut::Offer { conversation, .. } => Some(conversation),
            _ => None,
        })
        .await?;
        send_frame(&mut ada, &AgentIn::Accept { conversation }).await?;
        find(&c, "[data-testid=message-input]").await?;
        tab_to(&c, "message-input").await?;
        keys(&c, &format!("Typed with the keyboard{ENTER}")).await?;
        let got = next_frame(&mut ada, |f: AgentOut| match f {
            AgentOut::Message { message, .. } => Some(message.text),
            _ => None,
        })
        .await?;
        assert_eq!(got, "Typed with the keyboard");
        // Escape-free close: Tab to the close button and press Enter; focus returns to the launcher.
        tab_to(&c, "close").await?;
        keys(&c, ENTER).await?;
        eventually("focus back on the launcher", || async {
            Ok((focused(&c).await?.as_deref() == Some("launcher")).then_some(()))
        })
        .await?;
        Ok(())
    })
    .await
    .unwrap();
}
