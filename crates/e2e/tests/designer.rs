//! The stream designer in a real browser: a stream built from nothing with
//! the keyboard alone, an error shown on the card that follows a live chat
//! card, the test chat running the draft, and every state audited by axe and
//! photographed on a desktop and a 375 px phone.

use fantoccini::{Client, Locator};
use switchboard_e2e::console::{fill, go, keys, sign_in};
use switchboard_e2e::{axe_violations, eventually, find, save_screenshot, shows, texts, with_browser, App};

const ENTER: &str = "\u{E007}";
const DOWN: &str = "\u{E015}";
const RIGHT: &str = "\u{E014}";
const DELETE: &str = "\u{E017}";
const TAB: &str = "\u{E004}";
const HOME: &str = "\u{E011}";
const ESCAPE: &str = "\u{E00C}";
const CONTROL: char = '\u{E009}';
const SHIFT: char = '\u{E008}';

/// The card ids in the tree, in reading order.
async fn tree(c: &Client) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for b in c.find_all(Locator::Css("[data-testid=box][data-card]")).await? {
        out.push(b.attr("data-card").await?.unwrap_or_default());
    }
    Ok(out)
}

/// The id of the element that has the focus.
async fn focused(c: &Client) -> anyhow::Result<String> {
    Ok(c.execute("return document.activeElement && document.activeElement.id || '';", vec![])
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// Axe's findings, each prefixed with where they were.
async fn audit(c: &Client, place: &str, found: &mut Vec<String>) -> anyhow::Result<()> {
    for v in axe_violations(c).await? {
        found.push(format!("{place}: {v}"));
    }
    Ok(())
}

/// Presses `key` while `modifier` is held (Ctrl+Z, Shift+Tab).
async fn chord(c: &Client, modifier: char, key: char) -> anyhow::Result<()> {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let actions = KeyActions::new("chord".into())
        .then(KeyAction::Down { value: modifier })
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key })
        .then(KeyAction::Up { value: modifier });
    c.perform_actions(actions).await?;
    Ok(())
}

/// Waits until the tree shows exactly these cards, in reading order.
async fn tree_is(c: &Client, cards: &[&str]) -> anyhow::Result<()> {
    eventually(&format!("the tree {cards:?}"), || async { Ok((tree(c).await? == cards).then_some(())) }).await
}

/// Waits until the focus is on the box of `card`.
async fn focus_on(c: &Client, card: &str) -> anyhow::Result<()> {
    eventually(&format!("the focus on {card}"), || async {
        let id = focused(c).await?;
        let on = c
            .execute(&format!("return document.getElementById('{id}')?.dataset.card || '';"), vec![])
            .await?;
        Ok((on.as_str() == Some(card)).then_some(()))
    })
    .await
}

#[tokio::test]
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
        find(&c, ".palette").await?;
        keys(&c, ENTER).await?;
        tree_is(&c, &["message-1"]).await?;
        focus_on(&c, "message-1").await?;
        // A adds after: the palette's first button is a message; Tab to the question.
        keys(&c, "a").await?;
        find(&c, ".palette").await?;
        keys(&c, &format!("{TAB}{ENTER}")).await?;
        tree_is(&c, &["message-1", "question-1"]).await?;
        focus_on(&c, "question-1").await?;
        // Its answer leads nowhere yet: an error on the question's box.
        shows(&c, "[data-card=question-1] .box-problems", "1 error").await?;
        // Down to the open box under the answer; Enter opens the palette there.
        keys(&c, DOWN).await?;
        keys(&c, ENTER).await?;
        find(&c, ".palette").await?;
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
        find(&c, ".palette").await?;
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
        keys(&c, ESCAPE).await?;
        focus_on(&c, "message-2").await?;
        audit(&c, "designer (editing a card)", &mut found).await?;
        save_screenshot(&c, "designer-desktop").await?;

        // A live chat card put before cards: an error on it, in the server's words.
        keys(&c, HOME).await?;
        keys(&c, "a").await?;
        find(&c, ".palette").await?;
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
        // Ctrl+Z takes it away; Ctrl+Shift+Z brings it back; Ctrl+Z again.
        chord(&c, CONTROL, 'z').await?;
        tree_is(&c, &["message-1", "message-2", "question-1", "live-chat-1"]).await?;
        chord(&c, CONTROL, 'y').await?;
        tree_is(&c, &["message-1", "live-chat-2", "message-2", "question-1", "live-chat-1"]).await?;
        chord(&c, CONTROL, 'z').await?;
        tree_is(&c, &["message-1", "message-2", "question-1", "live-chat-1"]).await?;

        // Delete asks first; the card alone goes, the question moves up.
        keys(&c, HOME).await?;
        keys(&c, DOWN).await?;
        focus_on(&c, "message-2").await?;
        keys(&c, DELETE).await?;
        find(&c, "[data-testid=remove-card-only]").await?;
        audit(&c, "designer (removal dialog)", &mut found).await?;
        chord(&c, SHIFT, '\u{E004}').await?;
        chord(&c, SHIFT, '\u{E004}').await?;
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

        c.set_window_size(375, 900).await?;
        audit(&c, "designer (phone)", &mut found).await?;
        save_screenshot(&c, "designer-phone").await?;
        anyhow::ensure!(found.is_empty(), "axe violations:\n{}", found.join("\n"));
        Ok(())
    })
    .await
    .unwrap();
}
