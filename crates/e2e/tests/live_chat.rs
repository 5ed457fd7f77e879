//! End to end: a visitor walks the demo stream in the widget on the host page
//! and chats live with an agent (the agent side over its WebSocket; the inbox
//! in a browser is in `journey.rs` and `inbox.rs`).

use switchboard_e2e::{
    agent_socket, eventually, find, next_frame, on_every_page, send_frame, texts, with_browser, App,
};
use switchboard_protocol::wire::{AgentIn, AgentOut};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_walks_the_stream_and_chats_with_an_agent() {
    let app = App::spawn(None).await.unwrap();
    let mut ada = agent_socket(&app, "ada@example.com").await.unwrap();
    let demo = app.demo.clone();
    let (to_agent, mut offers) = tokio::sync::mpsc::unbounded_channel::<()>();
    let agent_side = tokio::spawn(async move {
        let AgentOut::Offer { conversation, attributes, transcript, .. } =
            next_frame(&mut ada, |f: AgentOut| Some(f)).await?
        else {
            anyhow::bail!("expected an offer")
        };
        // From Switchboard.identify on the page; the stream skipped asking.
        assert_eq!(attributes.get("first_name").map(String::as_str), Some("Lin"));
        assert_eq!(attributes.get("job_title").map(String::as_str), Some("<b>CTO</b>"));
        assert_eq!(attributes.get("email").map(String::as_str), Some("lin@example.com"));
        assert!(!transcript.is_empty(), "the bot transcript comes with the offer");
        send_frame(&mut ada, &AgentIn::Accept { conversation }).await?;
        send_frame(
            &mut ada,
            &AgentIn::Message {
                conversation,
                client_id: "a1".into(),
                text: "Hi Lin, how can I help?".into(),
            },
        )
        .await?;
        let _ = to_agent.send(());
        // The visitor's reply reaches the agent; after a reload, so does the next one.
        for expected in ["I have a <b>question</b>", "Still here after a reload"] {
            loop {
                if let AgentOut::Message { message, .. } = next_frame(&mut ada, |f: AgentOut| Some(f)).await?
                {
                    if message.text == expected {
                        break;
                    }
                }
            }
        }
        send_frame(&mut ada, &AgentIn::End { conversation }).await?;
        // The visitor starts a second conversation: a new offer.
        loop {
            if let AgentOut::Offer { conversation: second, .. } =
                next_frame(&mut ada, |f: AgentOut| Some(f)).await?
            {
                anyhow::ensure!(second != conversation, "a new conversation");
                send_frame(&mut ada, &AgentIn::Accept { conversation: second }).await?;
                return Ok(());
            }
        }
    });
    with_browser(|c| async move {
        c.goto(&format!("{demo}/")).await?;
        find(&c, "[data-testid=launcher]").await?;
        // The page listens to every event and tells who the visitor is.
        c.execute(
            "window.__events = []; window.__details = {}; \
             ['ready', 'stream_started', 'stream_completed', 'live_chat_requested', 'live_chat_started', \
              'live_chat_ended', 'live_chat_timed_out'].forEach(function (n) { \
               Switchboard.on(n, function (d) { window.__events.push(n); window.__details[n] = d; }); }); \
             Switchboard.identify({ first_name: 'Lin', job_title: '<b>CTO</b>', nickname: 'x', email: 'not an email' });",
            vec![],
        )
        .await?;
        find(&c, "[data-testid=launcher]").await?.click().await?;
        find(&c, "[data-testid=answer]").await?.click().await?;
        // No first-name question: the page told us.
        find(&c, "input[type=email]").await?.send_keys("lin@example.com").await?;
        find(&c, "[data-testid=send]").await?.click().await?;
        // Handed to Ada, who replies.
        let agent = find(&c, "[data-testid=agent]").await?;
        assert_eq!(agent.text().await?, "You are chatting with Ada Lovelace.");
        offers.recv().await;
        eventually("the agent's reply", || async {
            Ok(texts(&c, "[data-testid=message]")
                .await?
                .contains(&"Hi Lin, how can I help?".to_owned())
                .then_some(()))
        })
        .await?;
        let events = c.execute("return window.__events;", vec![]).await?;
        assert_eq!(
            events,
            serde_json::json!(["ready", "stream_started", "stream_completed", "live_chat_requested", "live_chat_started"])
        );
        let details = c.execute("return window.__details;", vec![]).await?;
        let stream = serde_json::json!({ "stream": "recommended" });
        assert_eq!(details["stream_started"], stream);
        assert_eq!(details["stream_completed"], stream);
        assert_eq!(details["live_chat_requested"], stream);
        assert_eq!(details["live_chat_started"], serde_json::json!({ "agent": "Ada Lovelace" }));
        // The visitor answers with Enter.
        let input = find(&c, "[data-testid=message-input]").await?;
        input.send_keys("I have a <b>question</b>\u{E007}").await?;
        eventually("the visitor's message, confirmed", || async {
            Ok(texts(&c, "[data-testid=message]")
                .await?
                .contains(&"I have a <b>question</b>".to_owned())
                .then_some(()))
        })
        .await?;
        switchboard_e2e::save_screenshot(&c, "live-chat").await?;

        // A reload: the panel is open again, with the whole conversation, once.
        c.refresh().await?;
        eventually("the conversation after the reload", || async {
            let chat = texts(&c, "[data-testid=message]").await.unwrap_or_default();
            Ok((chat == ["Hi Lin, how can I help?", "I have a <b>question</b>"]).then_some(()))
        })
        .await?;
        assert_eq!(texts(&c, "[data-testid=visitor]").await?, ["Yes, connect me", "lin@example.com"]);
        assert_eq!(find(&c, "[data-testid=agent]").await?.text().await?, "You are chatting with Ada Lovelace.");
        c.execute(
            "window.__events = []; \
             ['live_chat_started', 'live_chat_ended'].forEach(function (n) { \
               Switchboard.on(n, function () { window.__events.push(n); }); });",
            vec![],
        )
        .await?;
        find(&c, "[data-testid=message-input]").await?.send_keys("Still here after a reload\u{E007}").await?;

        // The agent ends it: the visitor sees that, and the page heard it all.
        find(&c, "[data-testid=ended]").await?;
        let events = c.execute("return window.__events;", vec![]).await?;
        // (Events before the reload were checked by the first page; this one
        // only saw the end: nothing is announced twice.)
        assert_eq!(events, serde_json::json!(["live_chat_ended"]));

        // A new conversation: the stream again, then a new live chat.
        find(&c, "[data-testid=new-chat]").await?.click().await?;
        find(&c, "[data-testid=answer]").await?.click().await?;
        // (This page load did not call identify: the name is asked.)
        find(&c, "input[type=text][data-testid=field]").await?.send_keys("Lin").await?;
        find(&c, "[data-testid=send]").await?.click().await?;
        find(&c, "input[type=email]").await?.send_keys("lin@example.com").await?;
        find(&c, "[data-testid=send]").await?.click().await?;
        eventually("the second chat to start", || async {
            let events = c.execute("return window.__events;", vec![]).await?;
            Ok((events == serde_json::json!(["live_chat_ended", "live_chat_started"])).then_some(()))
        })
        .await?;
        assert!(texts(&c, "[data-testid=message]").await?.is_empty(), "the new chat starts empty");
        Ok(())
    })
    .await
    .unwrap();
    agent_side.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_lost_connection_nothing_is_lost_or_doubled() {
    let app = App::spawn_proxied().await.unwrap();
    let proxy = app.proxy.clone().unwrap();
    let mut ada = agent_socket(&app, "ada@example.com").await.unwrap();
    let (demo, store) = (app.demo.clone(), app.store.clone());
    let (tell, mut told) = tokio::sync::mpsc::unbounded_channel::<&'static str>();
    let (go, mut went) = tokio::sync::mpsc::unbounded_channel::<i64>();
    let agent_side = tokio::spawn(async move {
        let AgentOut::Offer { conversation, .. } = next_frame(&mut ada, |f: AgentOut| Some(f)).await? else {
            anyhow::bail!("expected an offer")
        };
        send_frame(&mut ada, &AgentIn::Accept { conversation }).await?;
        send_frame(
            &mut ada,
            &AgentIn::Message { conversation, client_id: "a0".into(), text: "Hello".into() },
        )
        .await?;
        let _ = go.send(conversation);
        // While the visitor is offline: three more.
        told.recv().await;
        for (i, text) in ["one", "two", "three"].into_iter().enumerate() {
            send_frame(
                &mut ada,
                &AgentIn::Message { conversation, client_id: format!("a{}", i + 1), text: text.into() },
            )
            .await?;
        }
        let _ = go.send(conversation);
        // The visitor's offline message arrives once.
        loop {
            if let AgentOut::Message { message, .. } = next_frame(&mut ada, |f: AgentOut| Some(f)).await? {
                if message.text == "typed while offline" {
                    return Ok(());
                }
            }
        }
    });
    with_browser(|c| async move {
        ask_for_an_agent_as_kim(&c, &demo).await?;
        let conversation = went.recv().await.expect("accepted");
        eventually("the agent's hello", || async {
            Ok((texts(&c, "[data-testid=message]").await? == ["Hello"]).then_some(()))
        })
        .await?;

        // The network goes; the visitor is told, and writes anyway.
        proxy.cut();
        find(&c, "[data-testid=reconnecting]").await?;
        find(&c, "[data-testid=message-input]").await?.send_keys("typed while offline\u{E007}").await?;
        find(&c, "[data-testid=pending]").await?;
        let _ = tell.send("offline");
        went.recv().await;

        // Back: the three arrive once, in order, and the offline message goes once.
        proxy.restore();
        eventually("everything after the reconnect", || async {
            let shown = texts(&c, "[data-testid=message]").await?;
            Ok((shown == ["Hello", "one", "two", "three", "typed while offline"]
                || shown == ["Hello", "typed while offline", "one", "two", "three"]
                || shown == ["Hello", "one", "typed while offline", "two", "three"]
                || shown == ["Hello", "one", "two", "typed while offline", "three"])
            .then_some(()))
        })
        .await?;
        assert!(texts(&c, "[data-testid=pending]").await?.is_empty());
        assert!(texts(&c, "[data-testid=reconnecting]").await?.is_empty());
        let stored =
            store.messages_after(switchboard_server::ids::ConversationId::new(conversation), 0).await?;
        let texts: Vec<_> = stored.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts.iter().filter(|t| **t == "typed while offline").count(), 1, "{texts:?}");
        assert_eq!(stored.len(), 5, "{texts:?}");
        Ok(())
    })
    .await
    .unwrap();
    agent_side.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_refused_for_coming_too_fast_go_again_and_arrive_once() {
    // A small flood limit: most of the visitor's quick messages (each with
    // its typing frames) are refused as too fast at first.
    let app = App::spawn_with(|s| {
        s.limits.frames_burst = 4;
        s.limits.frames_per_sec = 2;
    })
    .await
    .unwrap();
    let (demo, store) = (app.demo.clone(), app.store.clone());
    let (agent_side, mut accepted) = ada_takes_the_next_chat(&app).await;
    with_browser(|c| async move {
        let conversation = kim_chats_with_ada(&c, &demo, &mut accepted).await?;
        let sent = ["one", "two", "three", "four", "five", "six"];
        let input = find(&c, "[data-testid=message-input]").await?;
        for text in sent {
            input.send_keys(&format!("{text}\u{E007}")).await?;
        }
        let stored = eventually("every message stored", || async {
            let stored =
                store.messages_after(switchboard_server::ids::ConversationId::new(conversation), 0).await?;
            Ok((stored.len() >= sent.len()).then_some(stored))
        })
        .await?;
        let mut got: Vec<_> = stored.iter().map(|m| m.text.as_str()).collect();
        got.sort_unstable();
        let mut expected = sent.to_vec();
        expected.sort_unstable();
        assert_eq!(got, expected, "each once");
        eventually("the widget showing all, nothing pending", || async {
            let pending = texts(&c, "[data-testid=pending]").await?;
            let shown = texts(&c, "[data-testid=message]").await?;
            Ok((pending.is_empty() && shown.len() == sent.len()).then_some(()))
        })
        .await?;
        Ok(())
    })
    .await
    .unwrap();
    drop(agent_side.await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sites_sound_and_the_launchers_count_tell_a_visitor_who_is_not_looking_of_new_agent_messages() {
    let app = App::spawn(None).await.unwrap();
    let change = switchboard_protocol::admin::AppearanceChange {
        sound: Some(true),
        launcher_label: Some("Questions?".into()),
        ..Default::default()
    };
    switchboard_server::admin::update_appearance(&app.store, "demo", &change).await.unwrap();
    let mut ada = agent_socket(&app, "ada@example.com").await.unwrap();
    let demo = app.demo.clone();
    let (accepted, mut on_accept) = tokio::sync::mpsc::unbounded_channel::<()>();
    let (write, mut to_write) = tokio::sync::mpsc::unbounded_channel::<&'static str>();
    let agent_side = tokio::spawn(async move {
        let AgentOut::Offer { conversation, .. } = next_frame(&mut ada, |f: AgentOut| Some(f)).await? else {
            anyhow::bail!("expected an offer")
        };
        send_frame(&mut ada, &AgentIn::Accept { conversation }).await?;
        let _ = accepted.send(());
        while let Some(text) = to_write.recv().await {
            let client_id = format!("a-{text}");
            send_frame(&mut ada, &AgentIn::Message { conversation, client_id, text: text.into() }).await?;
        }
        Ok::<_, anyhow::Error>(())
    });
    with_browser(|c| async move {
        // Counts the tones the loader starts; the page's visibility is the test's to set.
        on_every_page(
            &c,
            "window.__tones = 0; \
             Object.defineProperty(document, 'hidden', { get: function () { return !!window.__hidden; } }); \
             var make = AudioContext.prototype.createOscillator; \
             AudioContext.prototype.createOscillator = function () { window.__tones++; return make.apply(this, arguments); };",
        )
        .await?;
        let tones = || async { anyhow::Ok(c.execute("return window.__tones;", vec![]).await?.as_u64()) };
        let shown = |text: &'static str| {
            let c = c.clone();
            async move {
                eventually(text, || async { Ok(texts(&c, "[data-testid=message]").await?.contains(&text.to_owned()).then_some(())) })
                    .await
            }
        };

        // The site's label on the launcher.
        c.goto(&format!("{demo}/")).await?;
        let launcher = find(&c, "[data-testid=launcher]").await?;
        assert_eq!(launcher.text().await?, "Questions?");
        assert_eq!(launcher.attr("aria-label").await?.as_deref(), Some("Questions?"));
        ask_for_an_agent_as_kim(&c, &demo).await?;
        on_accept.recv().await;
        find(&c, "[data-testid=agent]").await?;

        // Looking at the chat: no sound.
        write.send("one")?;
        shown("one").await?;
        assert_eq!(tones().await?, Some(0));
        // The page in the background: a sound.
        c.execute("window.__hidden = true;", vec![]).await?;
        write.send("two")?;
        eventually("a tone", || async { Ok((tones().await? == Some(1)).then_some(())) }).await?;
        // Back, then the panel closed: a sound again.
        c.execute("window.__hidden = false;", vec![]).await?;
        find(&c, "[data-testid=close]").await?.click().await?;
        write.send("three")?;
        eventually("a second tone", || async { Ok((tones().await? == Some(2)).then_some(())) }).await?;
        // The launcher counts what came while the panel was closed, also in its name.
        let launcher = find(&c, "[data-testid=launcher]").await?;
        assert_eq!(find(&c, "[data-testid=unread]").await?.text().await?, "1");
        assert_eq!(launcher.attr("aria-label").await?.as_deref(), Some("Questions? (1 new)"));
        write.send("again")?;
        eventually("a count of two", || async {
            let label = find(&c, "[data-testid=launcher]").await?.attr("aria-label").await?;
            Ok((label.as_deref() == Some("Questions? (2 new)")).then_some(()))
        })
        .await?;
        launcher.click().await?;
        shown("again").await?;
        let badge = "return document.querySelector('#switchboard-widget').shadowRoot.querySelector('[data-testid=unread]').hidden;";
        assert_eq!(c.execute(badge, vec![]).await?, serde_json::json!(true), "read once opened");
        assert_eq!(launcher.attr("aria-label").await?.as_deref(), Some("Close chat"));

        // A reload in the background brings the chat so far again: no sound
        // for what was told already, one for what is new.
        on_every_page(&c, "window.__hidden = true;").await?;
        c.refresh().await?;
        shown("again").await?;
        assert_eq!(tones().await?, Some(0), "nothing new yet");
        write.send("four")?;
        eventually("a tone for the new message", || async { Ok((tones().await? == Some(1)).then_some(())) }).await?;
        Ok(())
    })
    .await
    .unwrap();
    drop(agent_side.await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_the_server_failed_to_store_goes_again_and_arrives_once() {
    let app = App::spawn(None).await.unwrap();
    let (demo, store, db) = (app.demo.clone(), app.store.clone(), app.database_url.clone());
    let (agent_side, mut accepted) = ada_takes_the_next_chat(&app).await;
    with_browser(|c| async move {
        let conversation = kim_chats_with_ada(&c, &demo, &mut accepted).await?;
        // Storage fails under the running server: its messages table is away.
        let beside = sqlx::SqlitePool::connect(&db).await?;
        sqlx::query("ALTER TABLE messages RENAME TO messages_away").execute(&beside).await?;
        find(&c, "[data-testid=message-input]").await?.send_keys("Are you there?\u{E007}").await?;
        find(&c, "[data-testid=pending]").await?;
        // Refused (`internal`) and tried again, still pending, for a while.
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        anyhow::ensure!(texts(&c, "[data-testid=message]").await?.is_empty(), "nothing could be stored");
        sqlx::query("ALTER TABLE messages_away RENAME TO messages").execute(&beside).await?;
        // Storage is back: the next try stores it, once, and the widget shows it.
        eventually("the message shown, nothing pending", || async {
            let pending = texts(&c, "[data-testid=pending]").await?;
            let shown = texts(&c, "[data-testid=message]").await?;
            Ok((pending.is_empty() && shown == ["Are you there?"]).then_some(()))
        })
        .await?;
        let stored =
            store.messages_after(switchboard_server::ids::ConversationId::new(conversation), 0).await?;
        let mine: Vec<_> = stored.iter().filter(|m| m.text == "Are you there?").collect();
        assert_eq!(mine.len(), 1, "stored once");
        Ok(())
    })
    .await
    .unwrap();
    drop(agent_side.await);
}

/// Ada, over her socket, takes the next chat offered to her and stays
/// connected (reading nothing more) until the test ends: her side, and
/// where the chat's id arrives once she accepted.
async fn ada_takes_the_next_chat(
    app: &App,
) -> (tokio::task::JoinHandle<anyhow::Result<switchboard_e2e::Ws>>, tokio::sync::mpsc::UnboundedReceiver<i64>)
{
    let mut ada = agent_socket(app, "ada@example.com").await.unwrap();
    let (go, accepted) = tokio::sync::mpsc::unbounded_channel::<i64>();
    let agent_side = tokio::spawn(async move {
        let AgentOut::Offer { conversation, .. } = next_frame(&mut ada, |f: AgentOut| Some(f)).await? else {
            anyhow::bail!("expected an offer")
        };
        send_frame(&mut ada, &AgentIn::Accept { conversation }).await?;
        let _ = go.send(conversation);
        Ok(ada)
    });
    (agent_side, accepted)
}

/// Kim asks for an agent and Ada (see [`ada_takes_the_next_chat`]) takes the
/// chat: its id, once Kim sees Ada's name.
async fn kim_chats_with_ada(
    c: &fantoccini::Client,
    demo: &str,
    accepted: &mut tokio::sync::mpsc::UnboundedReceiver<i64>,
) -> anyhow::Result<i64> {
    ask_for_an_agent_as_kim(c, demo).await?;
    let conversation = accepted.recv().await.ok_or_else(|| anyhow::anyhow!("Ada accepted nothing"))?;
    find(c, "[data-testid=agent]").await?;
    Ok(conversation)
}

/// On the demo page, Kim (known through `Switchboard.identify`) opens the
/// widget and answers that she wants to talk to someone: the hand-off.
async fn ask_for_an_agent_as_kim(c: &fantoccini::Client, demo: &str) -> anyhow::Result<()> {
    c.goto(&format!("{demo}/")).await?;
    find(c, "[data-testid=launcher]").await?;
    c.execute("Switchboard.identify({ first_name: 'Kim', email: 'kim@example.com' });", vec![]).await?;
    find(c, "[data-testid=launcher]").await?.click().await?;
    find(c, "[data-testid=answer]").await?.click().await?;
    Ok(())
}
