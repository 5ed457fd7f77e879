//! Measures the stream designer on a 200-card stream in headless Chromium
//! against a real server on localhost: opening it (fetch, layout and every
//! box drawn), and one edit (a card's text changed: laid out and every box
//! drawn again); beside
//! a floor measured in the same run, the same browser opening the console's
//! agent list. Run by `cargo xtask bench`; prints one JSON object.

use serde_json::json;
use switchboard_e2e::console::{go, sign_in};
use switchboard_e2e::{find, summary, with_browser, App};
use switchboard_protocol::admin::PublishStream;
use switchboard_protocol::stream::{file, Answer, Card, CardKind, Stream, MAX_CARDS};

/// In the page: go to `arguments[0]` and report when `arguments[1]` matches
/// at least `arguments[2]` elements, after the next frame is painted.
const OPEN: &str = r#"
const done = arguments[arguments.length - 1];
const [hash, selector, count] = arguments;
const t0 = performance.now();
location.hash = hash;
function check() {
  if (document.querySelectorAll(selector).length >= count) {
    requestAnimationFrame(() => done(performance.now() - t0));
    return;
  }
  if (performance.now() - t0 > 20000) { done(null); return; }
  requestAnimationFrame(check);
}
requestAnimationFrame(check);
"#;

/// In the page: edit the first card's text in the side panel and report
/// when its box shows the new words (every box is drawn again on an edit).
const EDIT: &str = r#"
const done = arguments[arguments.length - 1];
const words = arguments[0];
const first = document.getElementById('box-0');
first.focus();
first.click();
function typed() {
  const area = document.getElementById('card-text');
  if (!area) { requestAnimationFrame(typed); return; }
  const t0 = performance.now();
  area.value = words;
  area.dispatchEvent(new Event('input', { bubbles: true }));
  function check() {
    const shown = document.querySelector('#box-0 .box-text');
    if (shown && shown.textContent === words) {
      requestAnimationFrame(() => done(performance.now() - t0));
      return;
    }
    if (performance.now() - t0 > 20000) { done(null); return; }
    requestAnimationFrame(check);
  }
  requestAnimationFrame(check);
}
requestAnimationFrame(typed);
"#;

/// A stream of `n` cards: questions with three answers each, a level at a
/// time, ending in end cards.
fn big_stream(n: usize) -> Stream {
    let cards = (0..n)
        .map(|i| {
            let kids: Vec<usize> = (3 * i + 1..=3 * i + 3).filter(|k| *k < n).collect();
            let kind = if kids.is_empty() {
                CardKind::End { text: Some(format!("Goodbye from card {i}.")) }
            } else {
                CardKind::Question {
                    text: format!("Question {i}: which way?"),
                    answers: kids
                        .iter()
                        .map(|k| Answer { label: format!("To {k}"), set: None, next: Some(format!("c{k}")) })
                        .collect(),
                }
            };
            Card { id: format!("c{i}"), kind }
        })
        .collect();
    Stream {
        id: "big".into(),
        name: "Big".into(),
        priority: -10,
        targets: vec!["/nowhere".into()],
        exclude: vec![],
        locale: Default::default(),
        cards,
        version: 0,
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(5);
    let app = std::sync::Arc::new(App::spawn(None).await?);
    let stream = big_stream(MAX_CARDS);
    let source = file::write(&stream);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as i64;
    let by = switchboard_server::stream_designer::Author { name: "", email: "" };
    switchboard_server::admin::publish_stream(
        &app.store,
        "demo",
        &PublishStream { source },
        by,
        "bench",
        now,
    )
    .await?;
    let result = std::sync::Arc::new(std::sync::Mutex::new(None));
    let (r, a) = (result.clone(), app.clone());
    with_browser(|c| async move {
        let app = a;
        sign_in(&c, &app, "admin@example.com").await?;
        let (mut open, mut floor, mut edit) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..runs {
            go(&c, &app, "#/sites").await?;
            find(&c, "[data-testid=sites]").await?;
            let f = c
                .execute_async(
                    OPEN,
                    vec![json!("#/agents"), json!("[data-testid=agents] tbody tr"), json!(1)],
                )
                .await?;
            floor.push(f.as_f64().ok_or_else(|| anyhow::anyhow!("the agent list never showed"))?);
            let o = c
                .execute_async(
                    OPEN,
                    vec![json!("#/sites/demo/streams/big"), json!("[data-testid=box]"), json!(MAX_CARDS)],
                )
                .await?;
            open.push(o.as_f64().ok_or_else(|| anyhow::anyhow!("the designer never drew 200 boxes"))?);
            let words = format!("Edited {}", edit.len());
            let e = c.execute_async(EDIT, vec![json!(words)]).await?;
            edit.push(e.as_f64().ok_or_else(|| anyhow::anyhow!("the edit was never drawn"))?);
        }
        *r.lock().unwrap_or_else(|e| e.into_inner()) = Some((open, edit, floor));
        Ok(())
    })
    .await?;
    let Some((open, edit, floor)) = result.lock().unwrap_or_else(|e| e.into_inner()).take() else {
        anyhow::bail!("nothing was measured");
    };
    let out = json!({
        "cards": MAX_CARDS,
        "open_200_cards": summary(open),
        "edit_a_card": summary(edit),
        "floor_agent_list": summary(floor),
    });
    println!("{out}");
    Ok(())
}
