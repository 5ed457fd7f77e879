//! Reports in the console after real chats: a visitor's chat accepted,
//! answered and ended by Ada, another that nobody took; then the admin
//! reads the figures, the agent's row and the chart, downloads the
//! conversations as CSV, and axe finds nothing on a desktop or a phone.

use switchboard_e2e::console::{go, sign_in};
use switchboard_e2e::{
    agent_socket, axe_violations, eventually, find, next_frame, save_screenshot, send_frame, texts, visitor,
    with_browser, App,
};
use switchboard_protocol::wire::{AgentIn, AgentOut, ConversationState};

/// The text of the totals' tile named `label`.
async fn tile(c: &fantoccini::Client, label: &str) -> anyhow::Result<String> {
    let tiles = texts(c, "[data-testid=totals] .tile").await?;
    tiles
        .iter()
        .find_map(|t| t.strip_prefix(label).map(|v| v.trim().to_owned()))
        .ok_or_else(|| anyhow::anyhow!("no tile {label} in {tiles:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_reads_the_days_chats_and_downloads_them() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    // Ada accepts the first visitor's chat, answers and ends it.
    let mut ada = agent_socket(&app, "ada@example.com").await.unwrap();
    let mut lin = visitor(&app).await.unwrap();
    let c = next_frame(&mut ada, |f: AgentOut| match f {
        AgentOut::Offer { conversation, .. } => Some(conversation),
        _ => None,
    })
    .await
    .unwrap();
    send_frame(&mut ada, &AgentIn::Accept { conversation: c }).await.unwrap();
    send_frame(
        &mut ada,
        &AgentIn::Message { conversation: c, client_id: "a1".into(), text: "Hi Lin".into() },
    )
    .await
    .unwrap();
    send_frame(&mut ada, &AgentIn::End { conversation: c }).await.unwrap();
    next_frame(&mut ada, |f: AgentOut| {
        matches!(f, AgentOut::State { state: ConversationState::Ended, .. }).then_some(())
    })
    .await
    .unwrap();
    drop(lin);
    // Nobody is there for the second: the fallback.
    drop(ada);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    lin = visitor(&app).await.unwrap();
    let _lin = lin;

    let a = app.clone();
    with_browser(|c| async move {
        let app = a;
        let mut found = Vec::new();
        sign_in(&c, &app, "admin@example.com").await?;
        go(&c, &app, "#/reports").await?;
        eventually("two requests", || async { Ok((tile(&c, "Requested").await? == "2").then_some(())) }).await?;
        assert_eq!(tile(&c, "Accepted").await?, "1");
        assert_eq!(tile(&c, "Accept rate").await?, "50%");
        let ada_row = texts(&c, "[data-testid=agents] tbody tr").await?;
        assert!(ada_row.iter().any(|r| r.starts_with("Ada Lovelace 1 1 100%")), "{ada_row:?}");
        // Today's bar: one accepted, one fallback.
        let segments = c
            .execute(
                "return [...document.querySelectorAll('.chart rect.seg')].map(r => r.classList[1]).sort();",
                vec![],
            )
            .await?;
        assert_eq!(segments, serde_json::json!(["accepted", "fallback"]));
        // The conversations CSV, as the download link fetches it (the session cookie).
        let href = find(&c, "[data-testid=csv-conversations]").await?.attr("href").await?.unwrap_or_default();
        let csv = c
            .execute_async(
                "const [href, done] = arguments; fetch(href).then(r => r.text()).then(done, e => done(String(e)));",
                vec![href.into()],
            )
            .await?;
        let lines: Vec<&str> = csv.as_str().unwrap_or_default().lines().collect();
        anyhow::ensure!(lines.len() == 3, "a header and two rows: {lines:?}");
        anyhow::ensure!(lines[0].starts_with("conversation,site,stream,started_at,outcome"), "{lines:?}");
        anyhow::ensure!(lines[1].contains(",accepted,") && lines[1].contains("ada@example.com"), "{lines:?}");
        anyhow::ensure!(lines[2].contains(",fallback,"), "{lines:?}");
        for (width, device) in [(1280, "desktop"), (375, "phone")] {
            c.set_window_size(width, 900).await?;
            // The chart is drawn for the window's width as the page opens.
            c.refresh().await?;
            find(&c, ".chart svg").await?;
            for v in axe_violations(&c).await? {
                found.push(format!("reports ({device}): {v}"));
            }
            c.execute("document.querySelector('.chart').scrollIntoView();", vec![]).await?;
            save_screenshot(&c, &format!("console-reports-chart-{device}")).await?;
        }
        anyhow::ensure!(found.is_empty(), "axe violations:\n{}", found.join("\n"));
        Ok(())
    })
    .await
    .unwrap();
}

const ENTER: &str = "\u{E007}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn where_a_visitor_left_a_dialogue_shows_in_the_report_and_on_the_tree() {
    let app = std::sync::Arc::new(App::spawn(None).await.unwrap());
    let a = app.clone();
    with_browser(|v| async move {
        let app = a;
        // A visitor says yes and gives their name, then leaves the page at
        // the email card: the widget's counts go as the page is hidden.
        v.goto(&format!("{}/", app.demo)).await?;
        switchboard_e2e::console::click(&v, "[data-testid=launcher]").await?;
        find(&v, "[data-testid=answer]").await?.click().await?;
        find(&v, "input[data-testid=field]").await?.send_keys(&format!("Ada{ENTER}")).await?;
        eventually("the email card", || async {
            Ok(texts(&v, "[data-testid=bot]").await?.iter().any(|t| t.contains("Which email")).then_some(()))
        })
        .await?;
        v.goto("about:blank").await?;

        let b = app.clone();
        with_browser(|c| async move {
            let app = b;
            sign_in(&c, &app, "admin@example.com").await?;
            go(&c, &app, "#/reports").await?;
            let row = eventually("the dialogue's row", || async {
                // (Read again until the beacon is in.)
                c.refresh().await?;
                find(&c, "#dialogues-title").await?;
                let rows = texts(&c, "[data-testid=dialogues] tbody tr").await.unwrap_or_default();
                Ok(rows.into_iter().find(|r| r.starts_with("demo / recommended")))
            })
            .await?;
            // Shown 1, engaged 1, completed 0, emails 0, asked for an agent 0; most left at the email card.
            anyhow::ensure!(row.starts_with("demo / recommended 1 1 0 0 0 email (1)"), "{row}");
            let found = axe_violations(&c).await?;
            anyhow::ensure!(found.is_empty(), "reports: {found:?}");
            // On the tree: each card with how many reached it and left there.
            go(&c, &app, "#/sites/demo/streams/recommended").await?;
            switchboard_e2e::console::click(&c, "[data-testid=show-visits]").await?;
            let badge = |card: &'static str| {
                let c = c.clone();
                async move {
                    let css = format!("[data-card={card}] [data-testid=box-visits]");
                    Ok::<_, anyhow::Error>(texts(&c, &css).await?.first().cloned())
                }
            };
            eventually("the badges", || async { badge("hello").await }).await?;
            assert_eq!(badge("hello").await?.as_deref(), Some("1 reached · 0 left"));
            assert_eq!(badge("email").await?.as_deref(), Some("1 reached · 1 left"));
            assert_eq!(badge("agent").await?.as_deref(), Some("0 reached · 0 left"));
            save_screenshot(&c, "designer-visits").await?;
            let found = axe_violations(&c).await?;
            anyhow::ensure!(found.is_empty(), "designer with visits: {found:?}");
            Ok(())
        })
        .await
    })
    .await
    .unwrap();
}
