//! Driving the stream designer (`#/sites/demo/streams/ID`) in a browser:
//! the tree as the admin sees it, the keyboard, the draft the server keeps,
//! and the test chat (the real widget, in the designer's own shadow root).

use fantoccini::{Client, Locator};
use switchboard_protocol::stream::Stream;

use crate::console::click;
use crate::{eventually, find, texts};

/// WebDriver's Enter key.
pub const ENTER: &str = "\u{E007}";
/// Arrow down.
pub const DOWN: &str = "\u{E015}";
/// Arrow right.
pub const RIGHT: &str = "\u{E014}";
/// Arrow left.
pub const LEFT: &str = "\u{E012}";
/// Delete.
pub const DELETE: &str = "\u{E017}";
/// Tab.
pub const TAB: &str = "\u{E004}";
/// Home.
pub const HOME: &str = "\u{E011}";
/// End.
pub const END: &str = "\u{E010}";
/// Escape.
pub const ESCAPE: &str = "\u{E00C}";
/// The Control key, held in a [`chord`].
pub const CONTROL: char = '\u{E009}';
/// The Shift key, held in a [`chord`].
pub const SHIFT: char = '\u{E008}';

/// The card ids in the tree, in reading order.
pub async fn tree(c: &Client) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for b in c.find_all(Locator::Css("[data-testid=box][data-card]")).await? {
        out.push(b.attr("data-card").await?.unwrap_or_default());
    }
    Ok(out)
}

/// The id of the element that has the focus.
pub async fn focused(c: &Client) -> anyhow::Result<String> {
    Ok(c.execute("return document.activeElement && document.activeElement.id || '';", vec![])
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// Presses `key` while every one of `held` is held (Ctrl+Z, Shift+Tab,
/// Ctrl+Shift+Z).
pub async fn chord(c: &Client, held: &[char], key: char) -> anyhow::Result<()> {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let mut actions = KeyActions::new("chord".into());
    for m in held {
        actions = actions.then(KeyAction::Down { value: *m });
    }
    actions = actions.then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
    for m in held.iter().rev() {
        actions = actions.then(KeyAction::Up { value: *m });
    }
    c.perform_actions(actions).await?;
    Ok(())
}

/// Waits until the tree shows exactly these cards, in reading order.
pub async fn tree_is(c: &Client, cards: &[&str]) -> anyhow::Result<()> {
    let seen =
        eventually(&format!("the tree {cards:?}"), || async { Ok((tree(c).await? == cards).then_some(())) })
            .await;
    match seen {
        Ok(()) => Ok(()),
        Err(e) => Err(e.context(format!("the tree showed {:?}", tree(c).await.unwrap_or_default()))),
    }
}

/// Waits until the focus is on the box of `card`.
pub async fn focus_on(c: &Client, card: &str) -> anyhow::Result<()> {
    eventually(&format!("the focus on {card}"), || async {
        let id = focused(c).await?;
        let on = c
            .execute(&format!("return document.getElementById('{id}')?.dataset.card || '';"), vec![])
            .await?;
        Ok((on.as_str() == Some(card)).then_some(()))
    })
    .await
}

/// A stream's cards in the tree's reading order, each described without its
/// id (links by position), so two streams built differently compare.
pub fn shape(s: &Stream) -> Vec<String> {
    use switchboard_protocol::stream::CardKind;
    let pos = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| s.cards.iter().position(|c| &c.id == id))
            .map_or("-".to_owned(), |i| i.to_string())
    };
    s.cards
        .iter()
        .map(|c| match &c.kind {
            CardKind::Message { text, next } => format!("message {text:?} → {}", pos(next)),
            CardKind::Question { text, answers } => format!(
                "question {text:?} [{}]",
                answers
                    .iter()
                    .map(|a| format!(
                        "{:?} {} → {}",
                        a.label,
                        a.set.as_ref().map(|s| format!("{}={}", s.attribute, s.value)).unwrap_or_default(),
                        pos(&a.next)
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            CardKind::Capture(k) => format!(
                "capture {} {:?} {:?} {:?} → {}",
                k.attribute,
                k.input,
                k.prompt,
                k.placeholder,
                pos(&k.next)
            ),
            CardKind::LiveChat { routing, text, .. } => format!("live chat {routing:?} {text:?}"),
            CardKind::End { text } => format!("end {text:?}"),
        })
        .collect()
}

/// The draft the server keeps, read in the page (the admin's session).
pub async fn saved_draft(c: &Client, id: &str) -> anyhow::Result<Stream> {
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             fetch('/api/admin/sites/demo/streams/' + arguments[0] + '/draft').then(r => r.json()).then(d => done(d.stream));",
            vec![serde_json::json!(id)],
        )
        .await?;
    Ok(serde_json::from_value(v)?)
}

/// Waits until the draft the server keeps passes `check`; answers it.
pub async fn draft_where(
    c: &Client,
    id: &str,
    what: &str,
    check: impl Fn(&Stream) -> bool,
) -> anyhow::Result<Stream> {
    let seen = eventually(what, || async {
        let d = saved_draft(c, id).await?;
        Ok(check(&d).then_some(d))
    })
    .await;
    match seen {
        Ok(d) => Ok(d),
        Err(e) => Err(e.context(format!("the draft is {:#?}", saved_draft(c, id).await.map(|d| shape(&d))))),
    }
}

/// Puts `text` in the field `id` as a paste does (one input event).
pub async fn paste(c: &Client, id: &str, text: &str) -> anyhow::Result<()> {
    find(c, &format!("#{id}")).await?;
    c.execute(
        "const e = document.getElementById(arguments[0]); e.value = arguments[1]; \
         e.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![serde_json::json!(id), serde_json::json!(text)],
    )
    .await?;
    Ok(())
}

/// Clicks the box of `card` and waits for its editor.
pub async fn select(c: &Client, card: &str) -> anyhow::Result<()> {
    click(c, &format!("[data-card='{card}']")).await?;
    eventually(&format!("the editor of {card}"), || async {
        let heads = texts(c, "[data-testid=card-editor] h2 .box-id").await?;
        Ok(heads.iter().any(|h| h == card).then_some(()))
    })
    .await
}

/// Chooses card type `ty` in the open palette.
pub async fn pick(c: &Client, ty: &str) -> anyhow::Result<()> {
    click(c, &format!(".palette button[data-type={ty}]")).await?;
    Ok(())
}

/// Waits until the draft on the server has what the admin sees.
pub async fn saved(c: &Client) -> anyhow::Result<()> {
    eventually("the draft saved", || async {
        Ok(texts(c, "[data-testid=save-status]")
            .await?
            .iter()
            .any(|t| t.starts_with("Draft saved"))
            .then_some(()))
    })
    .await
}

/// What the test chat (the widget in the designer) shows, as text.
pub async fn test_chat_text(c: &Client) -> anyhow::Result<String> {
    let t = c
        .execute(
            "const r = document.querySelector('.test-chat [data-testid=preview]')?.shadowRoot; \
             return r ? r.textContent : '';",
            vec![],
        )
        .await?;
    Ok(t.as_str().unwrap_or_default().to_owned())
}

/// Waits until the test chat shows all of `has` and none of `not`.
pub async fn test_chat_shows(c: &Client, has: &[&str], not: &[&str]) -> anyhow::Result<()> {
    let seen = eventually(&format!("the test chat showing {has:?}, not {not:?}"), || async {
        let t = test_chat_text(c).await?;
        Ok((has.iter().all(|h| t.contains(h)) && !not.iter().any(|n| t.contains(n))).then_some(()))
    })
    .await;
    match seen {
        Ok(()) => Ok(()),
        Err(e) => {
            Err(e.context(format!("the test chat showed {:?}", test_chat_text(c).await.unwrap_or_default())))
        }
    }
}

/// Clicks the test chat's answer button labelled `label`, as the admin does.
pub async fn test_chat_answer(c: &Client, label: &str) -> anyhow::Result<()> {
    eventually(&format!("the test chat's answer {label:?} clicked"), || async {
        // (The host has no box of its own: what it shows is in its shadow root.)
        let host = c.find(Locator::Css(".test-chat [data-testid=preview]")).await?;
        for b in host.shadow_root().await?.find_all(Locator::Css("[data-testid=answer]")).await? {
            if b.text().await? == label && b.is_displayed().await? {
                return Ok(b.click().await.ok());
            }
        }
        Ok(None)
    })
    .await
}

/// The boxes of the tree as drawn: `(card or "", left, top, width, height)`
/// in the page's pixels.
pub async fn boxes(c: &Client) -> anyhow::Result<Vec<(String, f64, f64, f64, f64)>> {
    let v = c
        .execute(
            "return [...document.querySelectorAll('[data-testid=box]')].map(b => { \
               const r = b.getBoundingClientRect(); \
               return [b.dataset.card || '', r.left, r.top, r.width, r.height]; });",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(v)?)
}

/// Every pair of boxes that overlap (touching edges do not).
pub fn overlapping(b: &[(String, f64, f64, f64, f64)]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, x) in b.iter().enumerate() {
        for y in &b[i + 1..] {
            let apart = x.1 + x.3 <= y.1 + 0.5
                || y.1 + y.3 <= x.1 + 0.5
                || x.2 + x.4 <= y.2 + 0.5
                || y.2 + y.4 <= x.2 + 0.5;
            if !apart {
                out.push(format!("{x:?} and {y:?}"));
            }
        }
    }
    out
}
