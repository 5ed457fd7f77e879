//! The stream designer in a real browser: a stream built from nothing with
//! the keyboard alone, an error shown on the card that follows a live chat
//! card, the test chat running the draft, and every state audited by axe and
//! photographed on a desktop and a 375 px phone.

use fantoccini::{Client, Locator};
use switchboard_e2e::console::{click, fill, go, keys, sign_in};
use switchboard_e2e::designer::{
    chord, focus_on, focused, paste, pick, saved, saved_draft, select, shape, tree_is, CONTROL, DELETE, DOWN,
    ENTER, ESCAPE, HOME, RIGHT, SHIFT, TAB,
};
use switchboard_e2e::{axe_violations, eventually, find, save_screenshot, shows, texts, with_browser, App};

/// Axe's findings, each prefixed with where they were.
async fn audit(c: &Client, place: &str, found: &mut Vec<String>) -> anyhow::Result<()> {
    for v in axe_violations(c).await? {
        found.push(format!("{place}: {v}"));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_is_built_with_the_keyboard_alone_and_checked_as_it_grows() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        let mut found = Vec::new();
        sign_in(&c, &app, "admin@example.com").await?;
        go(&c, &app, "#/sites/demo/streams").await?;
        fill(&c, "new-stream-id", "hello").await?;
        keys(&c, ENTER).await?;
        // An empty stream: the focus is on "Add the first card"; Enter opens the palette.
        eventually("the add-first button focused", || async {
            Ok((focused(&c).await? == "add-first").then_some(()))
        })
        .await?;
        audit(&c, "designer (empty)", &mut found).await?;
        keys(&c, ENTER).await?;
        palette_focused(&c).await?;
        keys(&c, ENTER).await?;
        tree_is(&c, &["message-1"]).await?;
        focus_on(&c, "message-1").await?;
        // A adds after: the palette's first button is a message; Tab to the question.
        keys(&c, "a").await?;
        palette_focused(&c).await?;
        keys(&c, &format!("{TAB}{ENTER}")).await?;
        tree_is(&c, &["message-1", "question-1"]).await?;
        focus_on(&c, "question-1").await?;
        // Its answer leads nowhere yet: an error on the question's box.
        shows(&c, "[data-card=question-1] .box-problems", "1 error").await?;
        // Down to the open box under the answer; Enter opens the palette there.
        keys(&c, DOWN).await?;
        keys(&c, ENTER).await?;
        palette_focused(&c).await?;
        keys(&c, &format!("{TAB}{TAB}{TAB}{ENTER}")).await?;
        tree_is(&c, &["message-1", "question-1", "live-chat-1"]).await?;
        eventually("a valid stream", || async {
            Ok(texts(&c, "[data-testid=counts]")
                .await?
                .iter()
                .any(|t| t.starts_with("No problems"))
                .then_some(()))
        })
        .await?;
        audit(&c, "designer (valid)", &mut found).await?;

        // Home, then a message after the first one; Enter edits its text; Escape goes back to the tree.
        keys(&c, HOME).await?;
        focus_on(&c, "message-1").await?;
        keys(&c, "a").await?;
        palette_focused(&c).await?;
        keys(&c, ENTER).await?;
        tree_is(&c, &["message-1", "message-2", "question-1", "live-chat-1"]).await?;
        focus_on(&c, "message-2").await?;
        keys(&c, ENTER).await?;
        eventually("the text field focused", || async {
            Ok((focused(&c).await? == "card-text").then_some(()))
        })
        .await?;
        keys(&c, " How are you?").await?;
        shows(&c, "[data-card=message-2] .box-text", "Hi {{first_name:\"there\"}}! How are you?").await?;
        // The test chat runs the new words, without taking the focus from the field.
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert_eq!(focused(&c).await?, "card-text", "the focus stayed in the field");
        keys(&c, ESCAPE).await?;
        focus_on(&c, "message-2").await?;
        audit(&c, "designer (editing a card)", &mut found).await?;
        save_screenshot(&c, "designer-desktop").await?;

        // A live chat card put before cards: an error on it, in the server's words.
        keys(&c, HOME).await?;
        keys(&c, "a").await?;
        palette_focused(&c).await?;
        keys(&c, &format!("{TAB}{TAB}{TAB}{ENTER}")).await?;
        eventually("the error on the live chat card", || async {
            let problems = texts(&c, "[data-testid=problems] li.error").await?;
            Ok(problems
                .iter()
                .any(|p| {
                    p.contains("live-chat-2") && p.contains("a live chat card is the last card of its branch")
                })
                .then_some(()))
        })
        .await?;
        audit(&c, "designer (with an error)", &mut found).await?;
        save_screenshot(&c, "designer-error-desktop").await?;
        // Ctrl+Z takes the added card away; Ctrl+Shift+Z brings it back;
        // Ctrl+Z again, and Ctrl+Y (the other redo) and Ctrl+Z once more.
        let without = ["message-1", "message-2", "question-1", "live-chat-1"];
        let with = ["message-1", "live-chat-2", "message-2", "question-1", "live-chat-1"];
        chord(&c, &[CONTROL], 'z').await?;
        tree_is(&c, &without).await?;
        chord(&c, &[CONTROL, SHIFT], 'z').await?;
        tree_is(&c, &with).await?;
        chord(&c, &[CONTROL], 'z').await?;
        tree_is(&c, &without).await?;
        chord(&c, &[CONTROL], 'y').await?;
        tree_is(&c, &with).await?;
        chord(&c, &[CONTROL], 'z').await?;
        tree_is(&c, &without).await?;
        // What the server keeps follows the undo.
        saved(&c).await?;
        let ids: Vec<String> = saved_draft(&c, "hello").await?.cards.into_iter().map(|c| c.id).collect();
        assert_eq!(ids, without);

        // Delete asks first; the card alone goes, the question moves up.
        keys(&c, HOME).await?;
        keys(&c, DOWN).await?;
        focus_on(&c, "message-2").await?;
        keys(&c, DELETE).await?;
        find(&c, "[data-testid=remove-card-only]").await?;
        audit(&c, "designer (removal dialog)", &mut found).await?;
        chord(&c, &[SHIFT], '\u{E004}').await?;
        chord(&c, &[SHIFT], '\u{E004}').await?;
        keys(&c, ENTER).await?;
        tree_is(&c, &["message-1", "question-1", "live-chat-1"]).await?;
        // Right goes into the question's branch.
        keys(&c, HOME).await?;
        keys(&c, DOWN).await?;
        focus_on(&c, "question-1").await?;
        keys(&c, RIGHT).await?;
        focus_on(&c, "live-chat-1").await?;

        // The test chat runs the draft in the real widget.
        eventually("the test chat's greeting", || async {
            let t = c
                .execute(
                    "const r = document.querySelector('.test-chat [data-testid=preview]').shadowRoot; \
                     return r ? r.textContent : '';",
                    vec![],
                )
                .await?;
            Ok(t.as_str().is_some_and(|t| t.contains("Hi there!")).then_some(()))
        })
        .await?;

        // Pages typed one per line, with Enter between them, are kept as typed.
        click(&c, "[data-testid=open-settings]").await?;
        let targets = find(&c, "#stream-targets").await?;
        targets.clear().await?;
        targets.send_keys(&format!("/pricing*{ENTER}/buy")).await?;
        eventually("two target lines", || async {
            Ok((targets.prop("value").await?.as_deref() == Some("/pricing*\n/buy")).then_some(()))
        })
        .await?;
        eventually("the targets saved", || async {
            let d = saved_draft(&c, "hello").await?;
            Ok((d.targets == ["/pricing*", "/buy"]).then_some(()))
        })
        .await?;

        c.set_window_size(375, 900).await?;
        audit(&c, "designer (phone)", &mut found).await?;
        save_screenshot(&c, "designer-phone").await?;
        anyhow::ensure!(found.is_empty(), "axe violations:\n{}", found.join("\n"));
        Ok(())
    })
    .await
    .unwrap();
}

/// A visitor on the demo page: opens the widget and waits for `first`.
async fn visit(v: &Client, app: &App, first: &str) -> anyhow::Result<()> {
    v.goto(&format!("{}/", app.demo)).await?;
    click(v, "[data-testid=launcher]").await?;
    shows(v, "[data-testid=bot]", first).await
}

/// The visitor answers the recommended shape's question and captures and
/// reaches the live chat card; answers what the widget says while connecting.
async fn to_live_chat(v: &Client) -> anyhow::Result<String> {
    let yes = find(v, "[data-testid=answer]").await?;
    yes.click().await?;
    find(v, "input[data-testid=field]").await?.send_keys(&format!("Ada{ENTER}")).await?;
    eventually("the email field", || async {
        let shown = texts(v, "[data-testid=bot]").await?;
        Ok(shown.iter().any(|t| t.contains("Which email")).then_some(()))
    })
    .await?;
    find(v, "input[data-testid=field]").await?.send_keys(&format!("ada@example.com{ENTER}")).await?;
    // Read again when the widget draws the line anew meanwhile.
    eventually("the connecting line", || async {
        Ok(texts(v, "[data-testid=connecting]")
            .await
            .ok()
            .and_then(|t| t.into_iter().find(|t| !t.is_empty())))
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recommended_stream_is_built_by_mouse_published_changed_and_restored() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    // Someone to offer the visitors' chats to: with nobody, the fallback
    // comes at once and the connecting line the test reads may be gone
    // before it is read.
    let _ada = switchboard_e2e::agent_on_call(&app, "ada@example.com").await.unwrap();
    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        let mut found = Vec::new();
        sign_in(&c, &app, "admin@example.com").await?;
        go(&c, &app, "#/sites/demo/streams").await?;
        fill(&c, "new-stream-id", "rec").await?;
        click(&c, "[data-testid=new-stream] button[type=submit]").await?;

        // Built by mouse, card by card, as examples/streams/recommended.toml has it.
        click(&c, "[data-testid=add-first]").await?;
        pick(&c, "message").await?;
        // ChromeDriver types no emoji: this one text is set as a paste would.
        paste(&c, "card-text", "Hi {{first_name:\"there\"}}! 👋 Thanks for stopping by.").await?;
        click(&c, "[data-testid=add-after]").await?;
        pick(&c, "question").await?;
        fill(&c, "card-text", "Shall I connect you with someone from our team?").await?;
        fill(&c, "answer-0-label", "Yes, connect me").await?;
        fill(&c, "answer-0-attribute", "custom:wants_agent").await?;
        fill(&c, "answer-0-value", "yes").await?;
        click(&c, "[data-testid=add-answer]").await?;
        fill(&c, "answer-1-label", "No thanks, just looking").await?;
        click(&c, "[data-testid=add-under-answer]").await?;
        pick(&c, "capture").await?;
        fill(&c, "capture-attribute", "first_name").await?;
        find(&c, "#capture-input").await?.select_by_value("text").await?;
        fill(&c, "card-prompt", "Great! What's your first name?").await?;
        fill(&c, "capture-placeholder", "Ada").await?;
        click(&c, "[data-testid=add-after]").await?;
        pick(&c, "capture").await?;
        fill(&c, "card-prompt", "Nice to meet you, {{first_name:\"friend\"}}. Which email can we reach you at, in case we get disconnected?").await?;
        fill(&c, "capture-placeholder", "ada@example.com").await?;
        click(&c, "[data-testid=add-after]").await?;
        pick(&c, "live_chat").await?;
        fill(&c, "card-text", "Connecting you with someone from our team…").await?;
        select(&c, "question-1").await?;
        click(&c, "[data-testid=add-under-answer]").await?;
        pick(&c, "end").await?;
        fill(&c, "card-text", "No problem. Enjoy your visit!").await?;
        shows(&c, "[data-testid=counts]", "No problems: the stream can be published.").await?;
        saved(&c).await?;
        let built = saved_draft(&c, "rec").await?;
        let example = switchboard_protocol::stream::file::parse(include_str!("../../../examples/streams/recommended.toml"))
            .unwrap()
            .stream
            .into_inner();
        assert_eq!(shape(&built), shape(&example));

        // Runs first on the demo page: a higher priority than the demo's own streams.
        click(&c, "[data-testid=open-settings]").await?;
        fill(&c, "stream-priority", "50").await?;
        saved(&c).await?;
        // The test chat runs it.
        eventually("the test chat's first card", || async {
            let t = c
                .execute(
                    "const r = document.querySelector('.test-chat [data-testid=preview]').shadowRoot; return r ? r.textContent : '';",
                    vec![],
                )
                .await?;
            Ok(t.as_str().is_some_and(|t| t.contains("Thanks for stopping by")).then_some(()))
        })
        .await?;
        fill(&c, "release-note", "First version").await?;
        click(&c, "[data-testid=publish-draft]").await?;
        switchboard_e2e::console::says(&c, "Stream rec published (version 1).").await?;
        shows(&c, "[data-testid=release] .release-note", "First version").await?;
        audit(&c, "designer (published)", &mut found).await?;
        save_screenshot(&c, "designer-published-desktop").await?;

        // A visitor starts it and stops at the question.
        let (app2, admin) = (app.clone(), &c);
        with_browser(|early| async move {
            let app = app2;
            visit(&early, &app, "Hi there! 👋 Thanks for stopping by.").await?;
            find(&early, "[data-testid=answer]").await?;

            // Version 2 changes what the live chat card says.
            select(admin, "live-chat-1").await?;
            fill(admin, "card-text", "Connecting you (v2)…").await?;
            saved(admin).await?;
            fill(admin, "release-note", "Second").await?;
            click(admin, "[data-testid=publish-draft]").await?;
            switchboard_e2e::console::says(admin, "Stream rec published (version 2).").await?;
            shows(admin, "[data-testid=release] .muted", "changed live-chat-1").await?;

            // The visitor who started on version 1 finishes on it.
            assert_eq!(to_live_chat(&early).await?, "Connecting you with someone from our team…");
            // A new visitor gets version 2.
            let app3 = app.clone();
            with_browser(|late| async move {
                visit(&late, &app3, "Hi there! 👋 Thanks for stopping by.").await?;
                assert_eq!(to_live_chat(&late).await?, "Connecting you (v2)…");
                Ok(())
            })
            .await
        })
        .await?;

        // Restore version 1: published as version 3, and the draft is version 1 again.
        click(&c, "[data-version='1'] [data-testid=restore]").await?;
        click(&c, "[data-testid=confirm-restore]").await?;
        switchboard_e2e::console::says(&c, "Version 1 restored as version 3.").await?;
        eventually("three releases", || async {
            Ok((c.find_all(Locator::Css("[data-testid=release]")).await?.len() == 3).then_some(()))
        })
        .await?;
        assert_eq!(shape(&saved_draft(&c, "rec").await?), shape(&built));
        let app4 = app.clone();
        with_browser(|v| async move {
            visit(&v, &app4, "Hi there! 👋 Thanks for stopping by.").await?;
            assert_eq!(to_live_chat(&v).await?, "Connecting you with someone from our team…");
            Ok(())
        })
        .await?;
        anyhow::ensure!(found.is_empty(), "axe violations:\n{}", found.join("\n"));
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tabs_on_one_draft_are_told_and_nothing_is_overwritten() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    let a = app.clone();
    with_browser(|one| async move {
        let app = a;
        sign_in(&one, &app, "admin@example.com").await?;
        go(&one, &app, "#/sites/demo/streams/recommended").await?;
        find(&one, "[data-card=hello]").await?;
        let (app2, one) = (app.clone(), &one);
        with_browser(|two| async move {
            let app = app2;
            sign_in(&two, &app, "admin@example.com").await?;
            go(&two, &app, "#/sites/demo/streams/recommended").await?;
            find(&two, "[data-card=hello]").await?;
            // The first tab saves an edit.
            select(one, "hello").await?;
            fill(one, "card-text", "Hello from tab one").await?;
            saved(one).await?;
            // The second, opened before it, edits too: told, not saved over it.
            select(&two, "bye").await?;
            fill(&two, "card-text", "Bye from tab two").await?;
            find(&two, "[data-testid=conflict]").await?;
            save_screenshot(&two, "designer-conflict-desktop").await?;
            let kept = saved_draft(&two, "recommended").await?;
            assert_eq!(shape(&kept)[0], "message \"Hello from tab one\" → 1");
            // Loading theirs shows tab one's words; undo brings tab two's back (and saves them).
            click(&two, "[data-testid=load-theirs]").await?;
            shows(&two, "[data-card=hello] .box-text", "Hello from tab one").await?;
            shows(&two, "[data-card=bye] .box-text", "No problem. Enjoy your visit!").await?;
            click(&two, "[data-testid=undo]").await?;
            shows(&two, "[data-card=bye] .box-text", "Bye from tab two").await?;
            saved(&two).await?;
            let now = saved_draft(&two, "recommended").await?;
            assert!(shape(&now).iter().any(|l| l.contains("Bye from tab two")), "{:?}", shape(&now));
            // Tab one, unchanged since its save, publishes: told of tab two's save
            // first; keeping its own saves it over tab two's (nothing is published unseen).
            click(one, "[data-testid=publish-draft]").await?;
            find(one, "[data-testid=conflict]").await?;
            click(one, "[data-testid=keep-mine]").await?;
            saved(one).await?;
            let kept = shape(&saved_draft(one, "recommended").await?);
            assert_eq!(kept[0], "message \"Hello from tab one\" → 1");
            assert!(!kept.iter().any(|l| l.contains("Bye from tab two")), "{kept:?}");
            Ok(())
        })
        .await
    })
    .await
    .unwrap();
}

/// Waits for the palette to be open with the focus in it (it moves there a
/// moment after opening: keys pressed before would go elsewhere).
async fn palette_focused(c: &fantoccini::Client) -> anyhow::Result<()> {
    eventually("the focus in the palette", || async {
        let inside = c
            .execute(
                "return !!(document.activeElement && document.activeElement.closest('.palette'));",
                vec![],
            )
            .await?;
        Ok((inside == serde_json::json!(true)).then_some(()))
    })
    .await
}
