//! End to end: an agent works in the real inbox (Chromium, served by the
//! server under /inbox/) while a visitor talks over the visitor socket.

use fantoccini::Locator;
use switchboard_e2e::{
    agent_socket, axe_violations, eventually, find, next_frame, save_screenshot, send_frame, shows, sign_in,
    texts, visitor, with_browser, App,
};
use switchboard_protocol::wire::{AgentIn, AgentOut, Author, ConversationState, VisitorIn, VisitorOut};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_accepts_an_offer_in_the_inbox_and_chats_until_they_end_it() {
    let app = App::spawn(None).await.unwrap();
    let app = std::sync::Arc::new(app);
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        sign_in(&c, &app, "ada@example.com").await?;
        let mut lin = visitor(&app).await?;

        // The offer: the visitor's name and first question, as text, with the time left.
        let offer = find(&c, "[data-testid=offer]").await?;
        assert_eq!(offer.find(Locator::Css("h2")).await?.text().await?, "Lin wants to chat");
        assert_eq!(
            offer.find(Locator::Css("[data-testid=first-question]")).await?.text().await?,
            "<script>alert(1)</script>Pricing"
        );
        let countdown = offer.find(Locator::Css("[data-testid=countdown]")).await?.text().await?;
        assert!(countdown.starts_with("Moves on in "), "{countdown}");
        // (Flashing every other second while the offer waits.)
        let title = c.title().await?;
        assert!(["(1) Switchboard inbox", "(1) New chat: Lin"].contains(&title.as_str()), "{title}");
        assert_eq!(
            c.find_all(Locator::Css("[data-testid=announce]")).await?[0].html(true).await?,
            "New chat offer from Lin"
        );
        offer.find(Locator::Css("[data-testid=accept]")).await?.click().await?;

        // Accepted: the visitor learns who, the inbox opens the conversation.
        let agent = next_frame(&mut lin, |f: VisitorOut| match f {
            VisitorOut::Agent(info) => Some(info.name),
            _ => None,
        })
        .await?;
        assert_eq!(agent, "Ada Lovelace");
        find(&c, "[data-testid=conversation]").await?;
        assert_eq!(texts(&c, "[data-testid=transcript-line] .text").await?.len(), 2);
        assert_eq!(find(&c, "[data-field=email]").await?.text().await?, "lin@example.org");
        assert_eq!(find(&c, "[data-field=phone]").await?.text().await?, "-");
        assert!(c.find_all(Locator::Css("[data-testid=offer]")).await?.is_empty());

        // The visitor writes and types; the agent sees both.
        send_frame(&mut lin, &VisitorIn::Typing { typing: true }).await?;
        eventually("the visitor typing", || async {
            let t = c.find(Locator::Css("[data-testid=visitor-typing]")).await?.text().await?;
            Ok((t == "Lin is typing…").then_some(()))
        })
        .await?;
        send_frame(
            &mut lin,
            &VisitorIn::Message { client_id: "v1".into(), text: "Is there a discount?".into() },
        )
        .await?;
        eventually("the visitor's message", || async {
            Ok(texts(&c, "[data-testid=message] .text")
                .await?
                .contains(&"Is there a discount?".to_owned())
                .then_some(()))
        })
        .await?;

        // The agent replies with Enter; the visitor gets it once.
        let composer = find(&c, "[data-testid=composer]").await?;
        composer.send_keys("Yes: 10% for <b>students</b>\u{E007}").await?;
        let reply = next_frame(&mut lin, |f: VisitorOut| match f {
            VisitorOut::Message(m) if m.author == Author::Agent => Some(m.text),
            _ => None,
        })
        .await?;
        assert_eq!(reply, "Yes: 10% for <b>students</b>");

        // A reload loses nothing and doubles nothing.
        c.refresh().await?;
        find(&c, "[data-testid=row]").await?.click().await?;
        let shown = eventually("the conversation after a reload", || async {
            let t = texts(&c, "[data-testid=message] .text").await?;
            Ok((t.len() >= 2).then_some(t))
        })
        .await?;
        assert_eq!(shown, ["Is there a discount?", "Yes: 10% for <b>students</b>"]);
        send_frame(&mut lin, &VisitorIn::Message { client_id: "v2".into(), text: "Great, thanks".into() })
            .await?;
        eventually("a message after the reload", || async {
            let t = texts(&c, "[data-testid=message] .text").await?;
            Ok((t.len() == 3 && t[2] == "Great, thanks").then_some(()))
        })
        .await?;
        save_screenshot(&c, "inbox-conversation").await?;

        // The agent ends it; the visitor is told.
        find(&c, "[data-testid=end-chat]").await?.click().await?;
        next_frame(&mut lin, |f: VisitorOut| {
            matches!(f, VisitorOut::State { state: ConversationState::Ended }).then_some(())
        })
        .await?;
        assert_eq!(find(&c, "[data-testid=ended]").await?.text().await?, "This chat has ended.");

        // It is in everyone's past conversations.
        find(&c, "[data-testid=tab-all]").await?.click().await?;
        let row = find(&c, "[data-testid=row]").await?;
        assert!(row.text().await?.contains("Lin"));
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_offer_leaves_the_inbox_and_the_switch_sets_availability() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        sign_in(&c, &app, "ada@example.com").await?;
        let switch = find(&c, "[data-testid=availability]").await?;
        assert_eq!(switch.prop("checked").await?.as_deref(), Some("true"));
        let mut lin = visitor(&app).await?;
        find(&c, "[data-testid=decline]").await?.click().await?;
        // Nobody else is connected: the visitor gets the fallback.
        next_frame(&mut lin, |f: VisitorOut| {
            matches!(f, VisitorOut::State { state: ConversationState::Fallback }).then_some(())
        })
        .await?;
        eventually("the offer gone", || async {
            Ok(c.find_all(Locator::Css("[data-testid=offer]")).await?.is_empty().then_some(()))
        })
        .await?;
        assert_eq!(c.title().await?, "Switchboard inbox");

        // Unavailable: a new visitor is not offered to Ada.
        switch.click().await?;
        eventually("unavailable stored", || async {
            let agents = app.store.agents().await?;
            let ada = agents.iter().find(|a| a.email == "ada@example.com").map(|a| a.id).unwrap_or_default();
            Ok((!app.store.availability(switchboard_server::ids::AgentId::new(ada)).await?.available)
                .then_some(()))
        })
        .await?;
        let mut kim = visitor(&app).await?;
        next_frame(&mut kim, |f: VisitorOut| {
            matches!(f, VisitorOut::State { state: ConversationState::Fallback }).then_some(())
        })
        .await?;
        assert!(c.find_all(Locator::Css("[data-testid=offer]")).await?.is_empty());
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_transfers_a_chat_from_the_inbox_to_a_colleague() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        sign_in(&c, &app, "ada@example.com").await?;
        let mut lin = visitor(&app).await?;
        find(&c, "[data-testid=accept]").await?.click().await?;
        find(&c, "[data-testid=composer]").await?;
        // Grace comes online after Ada took the chat.
        let mut grace = agent_socket(&app, "grace@example.com").await?;

        find(&c, "[data-testid=transfer]").await?.click().await?;
        let option = find(&c, "[data-testid=transfer-to] option[value='agent:grace@example.com']").await?;
        assert_eq!(option.text().await?, "Grace Hopper");
        option.click().await?;
        find(&c, "[data-testid=transfer-confirm]").await?.click().await?;

        // Grace is offered it, saying by whom; Ada's inbox lets it go.
        let (conversation, by) = next_frame(&mut grace, |f: AgentOut| match f {
            AgentOut::Offer { conversation, transferred_by, .. } => Some((conversation, transferred_by)),
            _ => None,
        })
        .await?;
        assert_eq!(by.as_deref(), Some("Ada Lovelace"));
        eventually("the transfer notice", || async {
            let t = c.find(Locator::Css("[data-testid=notice]")).await?.text().await?;
            Ok((t == "The chat with Lin went to Grace Hopper.").then_some(()))
        })
        .await?;
        assert!(c.find_all(Locator::Css("[data-testid=row]")).await?.is_empty());
        assert_eq!(
            find(&c, "[data-testid=choose]").await?.text().await?,
            "Choose a conversation, or wait for an offer."
        );

        // The visitor is told, and meets Grace once she accepts.
        let note = next_frame(&mut lin, |f: VisitorOut| match f {
            VisitorOut::Message(m) if m.author == Author::System => Some(m.text),
            _ => None,
        })
        .await?;
        assert_eq!(note, "Ada Lovelace transferred the chat to Grace Hopper.");
        send_frame(&mut grace, &AgentIn::Accept { conversation }).await?;
        let name = next_frame(&mut lin, |f: VisitorOut| match f {
            VisitorOut::Agent(info) => Some(info.name),
            _ => None,
        })
        .await?;
        assert_eq!(name, "Grace Hopper");
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_reconnects_after_a_network_cut_and_misses_nothing() {
    let app = std::sync::Arc::new(App::spawn_proxied().await.unwrap());
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        let proxy = app.proxy.clone().expect("proxied");
        sign_in(&c, &app, "ada@example.com").await?;
        let mut lin = visitor(&app).await?;
        find(&c, "[data-testid=accept]").await?.click().await?;
        let composer = find(&c, "[data-testid=composer]").await?;

        // The agent's network drops while the visitor writes three messages
        // and the agent writes one.
        proxy.cut();
        let status = find(&c, "[data-testid=link]").await?;
        assert_eq!(status.text().await?, "Connection lost. Reconnecting…");
        for (i, text) in ["one", "two", "three"].into_iter().enumerate() {
            send_frame(&mut lin, &VisitorIn::Message { client_id: format!("v{i}"), text: text.into() })
                .await?;
        }
        composer.send_keys("written offline\u{E007}").await?;
        find(&c, "[data-testid=pending]").await?;

        // Back: everything arrives once, in order; the agent's message goes out once.
        proxy.restore();
        let shown = eventually("every message after the reconnect", || async {
            let t = texts(&c, "[data-testid=message] .text").await?;
            Ok((t.len() >= 4 && c.find_all(Locator::Css("[data-testid=pending]")).await?.is_empty())
                .then_some(t))
        })
        .await?;
        assert_eq!(shown, ["one", "two", "three", "written offline"]);
        assert!(c.find_all(Locator::Css("[data-testid=link]")).await?.is_empty());
        let reply = next_frame(&mut lin, |f: VisitorOut| match f {
            VisitorOut::Message(m) if m.author == Author::Agent => Some(m.text),
            _ => None,
        })
        .await?;
        assert_eq!(reply, "written offline");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(texts(&c, "[data-testid=message] .text").await?.len(), 4, "nothing doubled");

        // The visitor leaves during another cut: back online, the inbox knows.
        proxy.cut();
        find(&c, "[data-testid=link]").await?;
        send_frame(&mut lin, &VisitorIn::End).await?;
        next_frame(&mut lin, |f: VisitorOut| {
            matches!(f, VisitorOut::State { state: ConversationState::Ended }).then_some(())
        })
        .await?;
        proxy.restore();
        assert_eq!(find(&c, "[data-testid=ended]").await?.text().await?, "This chat has ended.");
        assert!(c.find_all(Locator::Css("[data-testid=composer]")).await?.is_empty());
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_who_loses_the_live_chat_permission_is_shown_the_sign_in() {
    // (Changed in storage, as the command line would: the socket finds out
    // at its next check.)
    let app = App::spawn_with(|s| s.limits.session_check_secs = 1).await.unwrap();
    let app = std::sync::Arc::new(app);
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        sign_in(&c, &app, "ada@example.com").await?;
        let ada = app.store.agent_by_email("ada@example.com").await?.expect("seeded").profile.id;
        app.store.set_live_chat(switchboard_server::ids::AgentId::new(ada), false).await?;
        find(&c, "#login-email").await?;
        // Signing in again says why the inbox stays closed.
        find(&c, "#login-email").await?.send_keys("ada@example.com").await?;
        find(&c, "#login-password").await?.send_keys(&app.account("ada@example.com").password).await?;
        find(&c, "[data-testid=login-submit]").await?.click().await?;
        eventually("the reason", || async {
            let t = c.find(Locator::Css("[data-testid=login-error]")).await?.text().await?;
            Ok((t == "This account may not take live chats. Ask an admin.").then_some(()))
        })
        .await?;
        save_screenshot(&c, "inbox-no-live-chat").await
    })
    .await
    .unwrap();
}

/// Private notes as an agent writes them: the composer switched to "Private
/// note", the note marked as such in the log, the reply after it reaching
/// the visitor, and the note never. A long chat's log scrolls by keyboard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_writes_a_private_note_the_visitor_never_receives() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        sign_in(&c, &app, "ada@example.com").await?;
        let mut lin = visitor(&app).await?;
        find(&c, "[data-testid=offer] [data-testid=accept]").await?.click().await?;
        find(&c, "[data-testid=conversation]").await?;
        // Enough of a chat to scroll.
        for i in 0..30 {
            let text = format!("Question {i}: what about the annual plan?");
            send_frame(&mut lin, &VisitorIn::Message { client_id: format!("v{i}"), text }).await?;
            tokio::time::sleep(std::time::Duration::from_millis(60)).await;
        }
        eventually("thirty messages", || async {
            Ok((texts(&c, "[data-testid=message] .text").await?.len() == 30).then_some(()))
        })
        .await?;

        find(&c, "[data-testid=mode-note]").await?.click().await?;
        let composer = find(&c, "[data-testid=composer]").await?;
        assert_eq!(
            composer.attr("placeholder").await?.as_deref(),
            Some("Only agents see notes, never the visitor.")
        );
        composer.send_keys("VIP: renewing next month\u{E007}").await?;
        let note = find(&c, ".msg.note[data-testid=message]").await?;
        assert_eq!(note.find(Locator::Css(".who")).await?.text().await?, "Private note");
        assert_eq!(note.find(Locator::Css(".text")).await?.text().await?, "VIP: renewing next month");
        let violations = axe_violations(&c).await?;
        assert!(violations.is_empty(), "a long chat with a note: {violations:?}");
        save_screenshot(&c, "inbox-note").await?;

        find(&c, "[data-testid=mode-reply]").await?.click().await?;
        find(&c, "[data-testid=composer]").await?.send_keys("We can do 20% off\u{E007}").await?;
        // Everything the visitor is sent until the reply: no note among it.
        let mut seen = Vec::new();
        next_frame(&mut lin, |f: VisitorOut| {
            if let VisitorOut::Message(m) = &f {
                seen.push(m.clone());
                return (m.author == Author::Agent).then_some(());
            }
            None
        })
        .await?;
        assert!(seen.iter().all(|m| m.author != Author::Note && !m.text.contains("VIP")), "{seen:?}");
        assert_eq!(seen.last().map(|m| m.text.as_str()), Some("We can do 20% off"));
        Ok(())
    })
    .await
    .unwrap();
}

/// Presence that follows the person: an agent who lets two offers time out
/// finds themselves unavailable, with the reason and a way back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_who_lets_two_offers_time_out_is_set_unavailable_and_told_why() {
    let app = std::sync::Arc::new(App::spawn_with(|s| s.routing.accept_timeout_secs = 1).await.unwrap());
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        sign_in(&c, &app, "ada@example.com").await?;
        for _ in 0..2 {
            let mut lin = visitor(&app).await?;
            next_frame(&mut lin, |f: VisitorOut| {
                matches!(f, VisitorOut::State { state: ConversationState::Offered }).then_some(())
            })
            .await?;
            eventually("the offer to move on", || async {
                Ok(c.find_all(Locator::Css("[data-testid=offer]")).await?.is_empty().then_some(()))
            })
            .await?;
        }
        let away = find(&c, "[data-testid=away]").await?;
        assert!(
            away.text().await?.starts_with("You missed 2 chat offers in a row"),
            "{}",
            away.text().await?
        );
        let switch = find(&c, "[data-testid=availability]").await?;
        assert_eq!(switch.prop("checked").await?.as_deref(), Some("false"));
        let violations = axe_violations(&c).await?;
        assert!(violations.is_empty(), "set unavailable: {violations:?}");
        save_screenshot(&c, "inbox-away").await?;
        find(&c, "[data-testid=im-back]").await?.click().await?;
        eventually("available again", || async {
            let on = c.find(Locator::Css("[data-testid=availability]")).await?.prop("checked").await?;
            let gone = c.find_all(Locator::Css("[data-testid=away]")).await?.is_empty();
            Ok((on.as_deref() == Some("true") && gone).then_some(()))
        })
        .await?;
        Ok(())
    })
    .await
    .unwrap();
}

/// Canned responses: an agent keeps their own in the top bar's panel, and
/// inserts one by `/` and the keyboard (tokens filled from the visitor's
/// details) or by the Responses button and a click.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_inserts_canned_responses_by_slash_and_by_button() {
    use switchboard_protocol::admin::CannedRequest;
    use switchboard_server::store::canned::Owner;
    const ENTER: &str = "\u{E007}";
    const ESCAPE: &str = "\u{E00C}";
    const DOWN: &str = "\u{E015}";
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    for (shortcut, text, site) in [
        ("hello", r#"Hi {{first_name:"there"}}, how can I help?"#, Some("demo")),
        ("pricing", "Our plans start at 10 EUR a month.", None),
        ("other-site", "Not on this site", Some("nowhere")),
    ] {
        let r = CannedRequest {
            shortcut: shortcut.into(),
            text: text.into(),
            site: site.map(Into::into),
            team: None,
        };
        let saved = switchboard_server::canned::save(&app.store, Owner::Shared, None, &r, 0).await;
        assert_eq!(saved.is_ok(), site != Some("nowhere"), "{saved:?}");
    }
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        sign_in(&c, &app, "ada@example.com").await?;
        // Her own, kept from the top bar; a refused value is said under its field.
        find(&c, "[data-testid=my-responses] summary").await?.click().await?;
        find(&c, "[data-testid=my-responses-empty]").await?;
        let shortcut = find(&c, "[data-testid=my-response-shortcut]").await?;
        shortcut.send_keys("two words").await?;
        find(&c, "[data-testid=my-response-text]").await?.send_keys("Thanks, {{first_name}}!").await?;
        find(&c, "[data-testid=my-response-save]").await?.click().await?;
        shows(&c, "[data-testid=my-response-shortcut-error]", "only letters, digits, - and _ (no spaces)")
            .await?;
        assert_eq!(shortcut.attr("aria-invalid").await?.as_deref(), Some("true"));
        shortcut.clear().await?;
        shortcut.send_keys("thanks").await?;
        find(&c, "[data-testid=my-response-save]").await?.click().await?;
        shows(&c, "[data-testid=my-response] .shortcut", "/thanks").await?;
        shows(&c, "[data-testid=my-responses-said]", "Saved /thanks.").await?;
        let violations = axe_violations(&c).await?;
        assert!(violations.is_empty(), "her responses' panel: {violations:?}");
        save_screenshot(&c, "inbox-my-responses").await?;
        find(&c, "[data-testid=my-responses-close]").await?.click().await?;
        eventually("the panel closed", || async {
            Ok((!find_displayed(&c, "[data-testid=my-response-form]").await?).then_some(()))
        })
        .await?;

        let mut lin = visitor(&app).await?;
        find(&c, "[data-testid=offer] [data-testid=accept]").await?.click().await?;
        let composer = find(&c, "[data-testid=composer]").await?;
        composer.send_keys("/").await?;
        shows(
            &c,
            "[data-testid=canned-status]",
            "3 responses: arrows to choose, Enter to insert, Escape to close.",
        )
        .await?;
        let shortcuts = texts(&c, "[data-testid=canned-option] .shortcut").await?;
        assert_eq!(shortcuts, ["/hello", "/pricing", "/thanks"], "the other site's is not offered");
        let first = find(&c, "[data-testid=canned-option]").await?;
        assert_eq!(first.attr("aria-selected").await?.as_deref(), Some("true"));
        assert_eq!(
            composer.attr("aria-activedescendant").await?,
            first.attr("id").await?,
            "the highlight is announced"
        );
        let violations = axe_violations(&c).await?;
        assert!(violations.is_empty(), "the picker open: {violations:?}");
        save_screenshot(&c, "inbox-canned-picker").await?;

        // Filtered as she types; Escape leaves what she typed.
        composer.send_keys("pri").await?;
        eventually("only /pricing", || async {
            Ok((texts(&c, "[data-testid=canned-option] .shortcut").await? == ["/pricing"]).then_some(()))
        })
        .await?;
        composer.send_keys(ESCAPE).await?;
        eventually("the picker closed", || async {
            Ok((!find_displayed(&c, "[data-testid=canned-picker]").await?).then_some(()))
        })
        .await?;
        assert_eq!(composer.prop("value").await?.as_deref(), Some("/pri"));
        // Closed, Enter sends what she typed; the next / opens it again.
        composer.send_keys(ENTER).await?;
        let said = |want: &'static str| {
            move |f: VisitorOut| match f {
                VisitorOut::Message(m) if m.author == Author::Agent => Some(m.text == want),
                _ => None,
            }
        };
        assert!(next_frame(&mut lin, said("/pri")).await?, "Escape, then Enter sends the text");
        // By keyboard: /, down to the second, Enter inserts it with her name; Enter sends.
        composer.send_keys("/").await?;
        find(&c, "[data-testid=canned-option]").await?;
        composer.send_keys(DOWN).await?;
        composer.send_keys(DOWN).await?;
        composer.send_keys(ENTER).await?;
        eventually("her own response, filled in", || async {
            Ok((composer.prop("value").await?.as_deref() == Some("Thanks, Lin!")).then_some(()))
        })
        .await?;
        composer.send_keys(ENTER).await?;
        assert!(next_frame(&mut lin, said("Thanks, Lin!")).await?, "the visitor gets the filled-in text");

        // By mouse: the button, then a click; added after what she wrote.
        composer.send_keys("Sure.").await?;
        find(&c, "[data-testid=canned-button]").await?.click().await?;
        let options = c.find_all(Locator::Css("[data-testid=canned-option]")).await?;
        assert_eq!(options.len(), 3);
        options[0].click().await?;
        eventually("the greeting after her text", || async {
            Ok((composer.prop("value").await?.as_deref() == Some("Sure. Hi Lin, how can I help?"))
                .then_some(()))
        })
        .await?;
        composer.send_keys(ENTER).await?;
        assert!(next_frame(&mut lin, said("Sure. Hi Lin, how can I help?")).await?);
        Ok(())
    })
    .await
    .unwrap();
}

/// Whether `css` is on the page and displayed.
async fn find_displayed(c: &fantoccini::Client, css: &str) -> anyhow::Result<bool> {
    match c.find_all(Locator::Css(css)).await?.into_iter().next() {
        Some(e) => Ok(e.is_displayed().await?),
        None => Ok(false),
    }
}

/// A 1×1 PNG.
const PIXEL: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";

/// Files both ways in the inbox: the agent attaches a picture (the visitor
/// gets it as a message with its file), one refused by its bytes says
/// why, one dropped on the chat is sent, one sent while the network is
/// down is retried and stored once; the visitor's PDF shows as a named
/// link with its size, the agent's picture as a preview.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_sends_and_receives_files_in_the_inbox() {
    let app = std::sync::Arc::new(App::spawn_proxied().await.unwrap());
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("chart.png");
    std::fs::write(&chart, PIXEL).unwrap();
    let tool = dir.path().join("tool.png");
    std::fs::write(&tool, b"MZ\x90\0 an executable, named as a picture").unwrap();
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        sign_in(&c, &app, "ada@example.com").await?;
        let (mut lin, token) = switchboard_e2e::visitor_with_token(&app).await?;
        find(&c, "[data-testid=offer] [data-testid=accept]").await?.click().await?;
        find(&c, "[data-testid=composer]").await?;
        c.execute("document.querySelector('[data-testid=attach-input]').hidden = false", vec![]).await?;
        let input = c.find(Locator::Css("[data-testid=attach-input]")).await?;
        input.send_keys(&chart.display().to_string()).await?;
        let got = next_frame(&mut lin, |f: VisitorOut| match f {
            VisitorOut::Message(m) if m.file.is_some() => m.file,
            _ => None,
        })
        .await?;
        assert_eq!((got.name.as_str(), got.mime.as_str(), got.size), ("chart.png", "image/png", PIXEL.len() as u64));
        // Shown as a picture, read with the agent's session.
        find(&c, "[data-testid=file-preview]").await?;
        eventually("the preview loaded", || async {
            let w = c.execute("return document.querySelector('[data-testid=file-preview]').naturalWidth", vec![]).await?;
            Ok((w == serde_json::json!(1)).then_some(()))
        })
        .await?;

        // Refused by its bytes: said why, nothing to retry.
        let input = c.find(Locator::Css("[data-testid=attach-input]")).await?;
        input.send_keys(&tool.display().to_string()).await?;
        shows(&c, "[data-testid=upload-failed] .error", "tool.png was not sent: this kind of file is not taken.").await?;
        assert!(c.find_all(Locator::Css("[data-testid=upload-retry]")).await?.is_empty());
        let violations = axe_violations(&c).await?;
        assert!(violations.is_empty(), "a failed upload shown: {violations:?}");
        find(&c, "[data-testid=upload-dismiss]").await?.click().await?;
        eventually("dismissed", || async {
            Ok(c.find_all(Locator::Css("[data-testid=upload-failed]")).await?.is_empty().then_some(()))
        })
        .await?;

        // Dropped on the conversation.
        c.execute(
            "const bytes = new Uint8Array(arguments[0]); \
             const dt = new DataTransfer(); \
             dt.items.add(new File([bytes], 'dropped.png', { type: 'image/png' })); \
             const target = document.querySelector('[data-testid=conversation]'); \
             target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true })); \
             target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));",
            vec![serde_json::json!(PIXEL)],
        )
        .await?;
        let dropped = next_frame(&mut lin, |f: VisitorOut| match f {
            VisitorOut::Message(m) if m.file.is_some() => m.file,
            _ => None,
        })
        .await?;
        assert_eq!(dropped.name, "dropped.png");

        // Sent while the network is down: failed, retried once it is back, stored once.
        let proxy = app.proxy.clone().expect("proxied");
        proxy.cut();
        let input = c.find(Locator::Css("[data-testid=attach-input]")).await?;
        input.send_keys(&chart.display().to_string()).await?;
        shows(&c, "[data-testid=upload-failed] .error", "chart.png was not sent: the connection failed.").await?;
        proxy.restore();
        // (A retry may meet a connection the cut left dead in the
        // browser's pool, which it does not retry a POST on: the agent
        // then tries again, as they would.)
        eventually("the retry went through", || async {
            for retry in c.find_all(Locator::Css("[data-testid=upload-retry]")).await? {
                let _ = retry.click().await;
            }
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            Ok(c.find_all(Locator::Css("[data-testid=uploads] li")).await?.is_empty().then_some(()))
        })
        .await?;
        let retried = next_frame(&mut lin, |f: VisitorOut| match f {
            VisitorOut::Message(m) if m.file.is_some() => m.file,
            _ => None,
        })
        .await?;
        assert_eq!(retried.name, "chart.png");
        eventually("the upload line gone", || async {
            Ok(c.find_all(Locator::Css("[data-testid=uploads] li")).await?.is_empty().then_some(()))
        })
        .await?;

        // The visitor's PDF: a named link with its size.
        let form = reqwest::multipart::Form::new()
            .text("site", "demo")
            .text("token", token)
            .text("client_id", "v-file-1")
            .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.7\n% a receipt\n".to_vec()).file_name("receipt.pdf"));
        let r = reqwest::Client::new()
            .post(format!("{}/api/visitor/files", app.direct))
            .header("Origin", &app.demo)
            .multipart(form)
            .send()
            .await?;
        assert_eq!(r.status(), 200);
        shows(&c, "[data-testid=file-link]", "receipt.pdf (21 B)").await?;
        let files = texts(&c, "[data-testid=message] [data-testid=file-link]").await?;
        assert_eq!(files.len(), 4, "three pictures and the PDF, each once: {files:?}");
        let violations = axe_violations(&c).await?;
        assert!(violations.is_empty(), "files in a chat: {violations:?}");
        save_screenshot(&c, "inbox-files").await?;
        Ok(())
    })
    .await
    .unwrap();
}
