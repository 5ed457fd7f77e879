//! The stream designer's editing in a real browser, on the demo's published
//! `recommended` stream: a branch cut and pasted under another answer (with
//! the keyboard and with the mouse), a branch removed and a card's text
//! typed, each undone with Ctrl+Z and redone with Ctrl+Shift+Z; answers put
//! in another order; the test chat started from a chosen card and started
//! again as the draft changes; zoom, search over the cards' words and the
//! token picker. Each step is checked in what the admin sees and in the
//! draft the server keeps.

use fantoccini::Client;
use switchboard_e2e::console::{click, fill, go, keys, says, sign_in};
use switchboard_e2e::designer::{
    boxes, chord, draft_where, focus_on, focused, overlapping, saved, select, test_chat_answer,
    test_chat_shows, tree_is, CONTROL, DELETE, END, LEFT, SHIFT,
};
use switchboard_e2e::{eventually, find, shows, texts, with_browser, App};
use switchboard_protocol::stream::{CardKind, Stream};

/// The demo's `recommended` stream as the tree reads it.
const RECOMMENDED: [&str; 6] = ["hello", "connect", "name", "email", "agent", "bye"];

/// Where each answer of the `connect` question leads, in order.
fn connect_answers(s: &Stream) -> Vec<(String, Option<String>)> {
    match s.card("connect").map(|c| &c.kind) {
        Some(CardKind::Question { answers, .. }) => {
            answers.iter().map(|a| (a.label.clone(), a.next.clone())).collect()
        }
        _ => Vec::new(),
    }
}

/// The text of card `id` (a message, question or end card).
fn text_of(s: &Stream, id: &str) -> Option<String> {
    match &s.card(id)?.kind {
        CardKind::Message { text, .. } | CardKind::Question { text, .. } => Some(text.clone()),
        CardKind::End { text } => text.clone(),
        _ => None,
    }
}

fn answers(pairs: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
    pairs.iter().map(|(l, n)| ((*l).to_owned(), n.map(str::to_owned))).collect()
}

const YES: &str = "Yes, connect me";
const NO: &str = "No thanks, just looking";

/// Signs in and opens the designer on the demo's `recommended` stream.
async fn open_recommended(c: &Client, app: &App) -> anyhow::Result<()> {
    sign_in(c, app, "admin@example.com").await?;
    go(c, app, "#/sites/demo/streams/recommended").await?;
    tree_is(c, &RECOMMENDED).await
}

/// The answer label a card's box shows it hangs under.
async fn under(c: &Client, card: &str) -> anyhow::Result<String> {
    Ok(texts(c, &format!("[data-card='{card}'] .box-answer")).await?.concat())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_branch_is_cut_and_pasted_under_another_answer_by_keyboard_and_by_mouse_and_undone() {
    let app = App::spawn(None).await.unwrap();
    with_browser(|c| async move {
        open_recommended(&c, &app).await?;
        // A third answer, leading nowhere yet: an open box at the end of the tree.
        select(&c, "connect").await?;
        click(&c, "[data-testid=add-answer]").await?;
        let three = answers(&[(YES, Some("name")), (NO, Some("bye")), ("Answer 3", None)]);
        draft_where(&c, "recommended", "the third answer saved", |d| connect_answers(d) == three).await?;

        // Keyboard: Ctrl+X on the goodbye's box, End to the open box, Ctrl+V.
        click(&c, "[data-card=bye]").await?;
        focus_on(&c, "bye").await?;
        chord(&c, &[CONTROL], 'x').await?;
        says(&c, "Branch bye cut: select where it goes and press Ctrl+V (or Paste branch here).").await?;
        shows(&c, "[data-card=bye] .box-cut", "cut").await?;
        keys(&c, END).await?;
        eventually("the focus on the open box", || async {
            let open =
                c.execute("return document.activeElement.classList.contains('box-open');", vec![]).await?;
            Ok((open.as_bool() == Some(true)).then_some(()))
        })
        .await?;
        chord(&c, &[CONTROL], 'v').await?;
        says(&c, "Branch bye moved.").await?;
        // The goodbye hangs under the third answer now; the second leads nowhere.
        eventually("bye under answer 3", || async {
            Ok((under(&c, "bye").await? == "↳ Answer 3").then_some(()))
        })
        .await?;
        assert!(texts(&c, "[data-card=bye] .box-cut").await?.is_empty(), "the cut mark is gone");
        let moved = answers(&[(YES, Some("name")), (NO, None), ("Answer 3", Some("bye"))]);
        draft_where(&c, "recommended", "the branch moved in the draft", |d| connect_answers(d) == moved)
            .await?;
        // Ctrl+Z puts it back, on the server too.
        focus_on(&c, "bye").await?;
        chord(&c, &[CONTROL], 'z').await?;
        eventually("bye back under answer 2", || async {
            Ok((under(&c, "bye").await? == format!("↳ {NO}")).then_some(()))
        })
        .await?;
        draft_where(&c, "recommended", "the move undone in the draft", |d| connect_answers(d) == three)
            .await?;
        // Ctrl+Shift+Z moves it again; Ctrl+Z back once more.
        chord(&c, &[CONTROL, SHIFT], 'z').await?;
        eventually("bye under answer 3 again", || async {
            Ok((under(&c, "bye").await? == "↳ Answer 3").then_some(()))
        })
        .await?;
        draft_where(&c, "recommended", "the move redone in the draft", |d| connect_answers(d) == moved)
            .await?;
        chord(&c, &[CONTROL], 'z').await?;
        draft_where(&c, "recommended", "the move undone again", |d| connect_answers(d) == three).await?;

        // Mouse: "Cut branch" on the name capture (three cards), then "Paste
        // branch here" on the goodbye: they trade places.
        select(&c, "name").await?;
        click(&c, "[data-testid=card-editor] button[aria-keyshortcuts='Control+X Meta+X']").await?;
        shows(&c, "[data-card=name] .box-cut", "cut").await?;
        select(&c, "bye").await?;
        click(&c, "[data-testid=card-editor] button[aria-keyshortcuts='Control+V Meta+V']").await?;
        says(&c, "Branch name moved.").await?;
        tree_is(&c, &["hello", "connect", "bye", "name", "email", "agent"]).await?;
        assert_eq!(under(&c, "name").await?, format!("↳ {NO}"));
        assert_eq!(under(&c, "bye").await?, format!("↳ {YES}"));
        let swapped = answers(&[(YES, Some("bye")), (NO, Some("name")), ("Answer 3", None)]);
        let d = draft_where(&c, "recommended", "the swap in the draft", |d| connect_answers(d) == swapped)
            .await?;
        // The moved branch kept its cards, in order.
        let ids: Vec<&str> = d.cards.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["hello", "connect", "bye", "name", "email", "agent"]);
        // The toolbar's Undo puts it back.
        click(&c, "[data-testid=undo]").await?;
        tree_is(&c, &RECOMMENDED).await?;
        draft_where(&c, "recommended", "the swap undone in the draft", |d| connect_answers(d) == three)
            .await?;
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_branch_and_typed_text_are_undone_and_redone_with_the_keyboard() {
    let app = App::spawn(None).await.unwrap();
    with_browser(|c| async move {
        open_recommended(&c, &app).await?;
        let whole = |d: &Stream| d.cards.len() == 6 && connect_answers(d)[0].1.as_deref() == Some("name");

        // Delete on the name capture, then "with its branch": three cards go.
        click(&c, "[data-card=name]").await?;
        focus_on(&c, "name").await?;
        keys(&c, DELETE).await?;
        shows(&c, "[data-testid=remove-branch]", "Remove with its branch (3 cards)").await?;
        click(&c, "[data-testid=remove-branch]").await?;
        tree_is(&c, &["hello", "connect", "bye"]).await?;
        let gone = |d: &Stream| d.cards.len() == 3 && connect_answers(d)[0].1.is_none();
        draft_where(&c, "recommended", "the branch removed in the draft", gone).await?;
        // The focus went back to the tree: Ctrl+Z brings the branch back.
        focus_on(&c, "hello").await?;
        chord(&c, &[CONTROL], 'z').await?;
        tree_is(&c, &RECOMMENDED).await?;
        draft_where(&c, "recommended", "the branch back in the draft", whole).await?;
        chord(&c, &[CONTROL, SHIFT], 'z').await?;
        tree_is(&c, &["hello", "connect", "bye"]).await?;
        draft_where(&c, "recommended", "the removal redone in the draft", gone).await?;
        chord(&c, &[CONTROL], 'z').await?;
        tree_is(&c, &RECOMMENDED).await?;
        draft_where(&c, "recommended", "the branch back again", whole).await?;

        // Words typed at the end of the goodbye are one step, undone from the field itself.
        let before = "No problem. Enjoy your visit!";
        let after = "No problem. Enjoy your visit! See you soon.";
        select(&c, "bye").await?;
        click(&c, "#card-text").await?;
        keys(&c, &format!("{END} See you soon.")).await?;
        shows(&c, "[data-card=bye] .box-text", after).await?;
        draft_where(&c, "recommended", "the typed words saved", |d| {
            text_of(d, "bye").as_deref() == Some(after)
        })
        .await?;
        assert_eq!(focused(&c).await?, "card-text");
        chord(&c, &[CONTROL], 'z').await?;
        shows(&c, "[data-card=bye] .box-text", before).await?;
        eventually("the field back as it was", || async {
            let v = find(&c, "#card-text").await?.prop("value").await?;
            Ok((v.as_deref() == Some(before)).then_some(()))
        })
        .await?;
        draft_where(&c, "recommended", "the typing undone in the draft", |d| {
            text_of(d, "bye").as_deref() == Some(before)
        })
        .await?;
        chord(&c, &[CONTROL, SHIFT], 'z').await?;
        shows(&c, "[data-card=bye] .box-text", after).await?;
        draft_where(&c, "recommended", "the typing redone in the draft", |d| {
            text_of(d, "bye").as_deref() == Some(after)
        })
        .await?;
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_chat_starts_at_the_chosen_card_and_starts_again_when_the_draft_changes() {
    let app = App::spawn(None).await.unwrap();
    with_browser(|c| async move {
        open_recommended(&c, &app).await?;
        // From the first card, to begin with.
        test_chat_shows(&c, &["Thanks for stopping by"], &[]).await?;

        // "Test from this card" on the question: the widget starts there.
        select(&c, "connect").await?;
        click(&c, "[data-testid=test-from-here]").await?;
        shows(&c, "#test-title + p", "Runs the draft from card connect; it restarts when the draft changes.")
            .await?;
        test_chat_shows(
            &c,
            &["Shall I connect you with someone from our team?"],
            &["Thanks for stopping by"],
        )
        .await?;
        // The admin answers in the test chat: the branch under that answer runs.
        test_chat_answer(&c, NO).await?;
        test_chat_shows(&c, &["No problem. Enjoy your visit!"], &["Thanks for stopping by"]).await?;

        // The question changes: the test chat starts again, from the same card, with the new words.
        fill(&c, "card-text", "Shall we talk?").await?;
        test_chat_shows(
            &c,
            &["Shall we talk?"],
            &["Enjoy your visit", "Thanks for stopping by", "Shall I connect you"],
        )
        .await?;
        saved(&c).await?;

        // From the email capture, further down the other branch.
        select(&c, "email").await?;
        click(&c, "[data-testid=test-from-here]").await?;
        test_chat_shows(
            &c,
            &["Which email can we reach you at"],
            &["Shall we talk?", "Thanks for stopping by"],
        )
        .await?;

        // "Test from the start" goes back to the first card.
        click(&c, "[data-testid=test-restart]").await?;
        shows(
            &c,
            "#test-title + p",
            "Runs the draft from its first card; it restarts when the draft changes.",
        )
        .await?;
        test_chat_shows(&c, &["Thanks for stopping by"], &["Which email can we reach you at"]).await?;
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tree_zooms_without_overlap_and_search_marks_and_jumps_to_matching_cards() {
    let app = App::spawn(None).await.unwrap();
    with_browser(|c| async move {
        open_recommended(&c, &app).await?;
        // An open box too (a third answer), so every kind of box is measured.
        select(&c, "connect").await?;
        click(&c, "[data-testid=add-answer]").await?;
        eventually("the open box", || async { Ok((boxes(&c).await?.len() == 7).then_some(())) }).await?;

        // A box's drawn width at each zoom, and no two boxes overlapping.
        let at = |zoom: &'static str, width: f64| {
            let c = &c;
            async move {
                shows(c, ".designer-bar .zoom", zoom).await?;
                let drawn = eventually(&format!("boxes {width} px wide"), || async {
                    let b = boxes(c).await?;
                    Ok(b.iter().all(|b| (b.3 - width).abs() < 1.0).then_some(b))
                })
                .await?;
                let overlaps = overlapping(&drawn);
                anyhow::ensure!(overlaps.is_empty(), "at {zoom}, boxes overlap: {overlaps:#?}");
                // All within reach of the tree's scrolling: none cut off above or
                // left of it, none further right or down than it scrolls.
                let area: (f64, f64, f64, f64) = serde_json::from_value(
                    c.execute(
                        "const s = document.querySelector('[data-testid=canvas]'); \
                         const r = s.getBoundingClientRect(); \
                         return [r.left - s.scrollLeft, r.top - s.scrollTop, s.scrollWidth, s.scrollHeight];",
                        vec![],
                    )
                    .await?,
                )?;
                for b in &drawn {
                    anyhow::ensure!(
                        b.1 >= area.0 - 0.5
                            && b.2 >= area.1 - 0.5
                            && b.1 + b.3 <= area.0 + area.2 + 0.5
                            && b.2 + b.4 <= area.1 + area.3 + 0.5,
                        "at {zoom}, {b:?} is outside the scrolled area {area:?}"
                    );
                }
                anyhow::Ok(drawn)
            }
        };
        let full = at("100%", 232.0).await?;
        click(&c, "button[aria-label='Zoom out']").await?;
        click(&c, "button[aria-label='Zoom out']").await?;
        let small = at("80%", 232.0 * 0.8).await?;
        // Scaled as a whole: the gaps shrink with the boxes.
        let gap = |b: &[(String, f64, f64, f64, f64)]| {
            let y = |id: &str| b.iter().find(|x| x.0 == id).map(|x| x.2).unwrap_or_default();
            y("connect") - y("hello")
        };
        assert!((gap(&small) - gap(&full) * 0.8).abs() < 1.0, "{} vs {}", gap(&small), gap(&full));
        for _ in 0..5 {
            click(&c, "button[aria-label='Zoom in']").await?;
        }
        let big = at("130%", 232.0 * 1.3).await?;
        assert!((gap(&big) - gap(&full) * 1.3).abs() < 1.0, "{} vs {}", gap(&big), gap(&full));
        click(&c, "button[aria-label='Zoom out']").await?;
        click(&c, "button[aria-label='Zoom out']").await?;
        click(&c, "button[aria-label='Zoom out']").await?;
        at("100%", 232.0).await?;

        // Search: the cards whose words have "team" are marked, and counted.
        let hits = || async {
            let mut out = Vec::new();
            for b in c.find_all(fantoccini::Locator::Css("[data-testid=box].hit")).await? {
                out.push(b.attr("data-card").await?.unwrap_or_default());
            }
            anyhow::Ok(out)
        };
        let search = find(&c, "[data-testid=search]").await?;
        search.clear().await?;
        search.send_keys("TEAM").await?;
        eventually("two cards marked", || async {
            Ok((hits().await? == ["connect", "agent"]).then_some(()))
        })
        .await?;
        shows(&c, ".designer-bar .muted", "2 cards match").await?;
        // Enter jumps to the first: its box has the focus, its editor is open.
        keys(&c, switchboard_e2e::designer::ENTER).await?;
        focus_on(&c, "connect").await?;
        shows(&c, "[data-testid=card-editor] h2 .box-id", "connect").await?;
        // An answer's label is searched too; a word in no card marks none.
        search.clear().await?;
        search.send_keys("just looking").await?;
        eventually("the question marked", || async { Ok((hits().await? == ["connect"]).then_some(())) })
            .await?;
        search.clear().await?;
        search.send_keys("zebra").await?;
        shows(&c, ".designer-bar .muted", "0 cards match").await?;
        assert!(hits().await?.is_empty());
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_picker_inserts_at_the_caret_and_answers_are_reordered_and_undone() {
    let app = App::spawn(None).await.unwrap();
    with_browser(|c| async move {
        open_recommended(&c, &app).await?;

        // The caret before the "!", then a visitor's first name, "there" when unknown.
        select(&c, "bye").await?;
        fill(&c, "card-text", "See you soon, !").await?;
        click(&c, "#card-text").await?;
        keys(&c, &format!("{END}{LEFT}")).await?;
        find(&c, ".token-picker select").await?.select_by_value("first_name").await?;
        fill_in(&c, ".token-picker input", "there").await?;
        click(&c, "[data-testid=insert-token]").await?;
        let with_name = "See you soon, {{first_name:\"there\"}}!";
        shows(&c, "[data-card=bye] .box-text", with_name).await?;
        // The caret is after the token, in the field: typing goes on from there.
        eventually("the focus back in the field", || async {
            Ok((focused(&c).await? == "card-text").then_some(()))
        })
        .await?;
        // Typing goes on at the caret, after the token; then a second token there.
        keys(&c, " at ").await?;
        find(&c, ".token-picker select").await?.select_by_value("company").await?;
        fill_in(&c, ".token-picker input", "your team").await?;
        click(&c, "[data-testid=insert-token]").await?;
        let both = "See you soon, {{first_name:\"there\"}} at {{company:\"your team\"}}!";
        shows(&c, "[data-card=bye] .box-text", both).await?;
        draft_where(&c, "recommended", "the tokens saved", |d| text_of(d, "bye").as_deref() == Some(both))
            .await?;
        // The test chat, from this card, fills them in (neither is known: the defaults).
        click(&c, "[data-testid=test-from-here]").await?;
        test_chat_shows(&c, &["See you soon, there at your team!"], &["{{"]).await?;

        // Answer 2 up: the goodbye's branch comes first, in the tree and in the draft.
        select(&c, "connect").await?;
        click(&c, "button[aria-label='Move answer 2 up']").await?;
        tree_is(&c, &["hello", "connect", "bye", "name", "email", "agent"]).await?;
        let swapped = answers(&[(NO, Some("bye")), (YES, Some("name"))]);
        draft_where(&c, "recommended", "the answers reordered", |d| connect_answers(d) == swapped).await?;
        eventually("the editor's first answer", || async {
            let v = find(&c, "#answer-0-label").await?.prop("value").await?;
            Ok((v.as_deref() == Some(NO)).then_some(()))
        })
        .await?;
        // The answer kept what it stores.
        let d = draft_where(&c, "recommended", "the draft", |_| true).await?;
        match &d.card("connect").map(|c| &c.kind) {
            Some(CardKind::Question { answers, .. }) => {
                assert!(answers[0].set.is_none());
                assert_eq!(answers[1].set.as_ref().map(|s| s.value.as_str()), Some("yes"));
            }
            other => anyhow::bail!("no question: {other:?}"),
        }
        // Ctrl+Z (from the side panel) puts them back; Ctrl+Shift+Z again.
        chord(&c, &[CONTROL], 'z').await?;
        tree_is(&c, &RECOMMENDED).await?;
        let original = answers(&[(YES, Some("name")), (NO, Some("bye"))]);
        draft_where(&c, "recommended", "the order undone", |d| connect_answers(d) == original).await?;
        chord(&c, &[CONTROL, SHIFT], 'z').await?;
        tree_is(&c, &["hello", "connect", "bye", "name", "email", "agent"]).await?;
        draft_where(&c, "recommended", "the order redone", |d| connect_answers(d) == swapped).await?;
        Ok(())
    })
    .await
    .unwrap();
}

/// Fills the field at `css` (no id of its own).
async fn fill_in(c: &Client, css: &str, text: &str) -> anyhow::Result<()> {
    eventually(&format!("{css} filled"), || async {
        let e = find(c, css).await?;
        e.clear().await?;
        if !text.is_empty() {
            e.send_keys(text).await?;
        }
        Ok((e.prop("value").await?.as_deref() == Some(text)).then_some(()))
    })
    .await
}
