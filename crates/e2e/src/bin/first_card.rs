//! Measures launcher click → first card on the demo host page, in headless
//! Chromium with a fresh profile each run (a cold cache), against a real
//! server on localhost. Run by `cargo xtask bench`; prints one JSON object.
//!
//! Two moments are timed from the click: the panel with the stream's first
//! paint (the typing indicator, or the first card when there is no delay),
//! and the first bot card itself, which includes the site's configured
//! typing delay. Each is measured when clicking as soon as the launcher is
//! there with the loader's idle prefetch turned off (`requestIdleCallback`
//! removed before the page's scripts run, so the click fetches the widget:
//! the coldest case), and after the page went idle (the loader prefetched
//! it).

use fantoccini::{Client, Locator};
use serde_json::json;
use switchboard_e2e::{eventually, on_every_page, summary, with_browser, App};

/// In the page: click the launcher, then report (after the next frame is
/// painted) when the stream first shows and when the first bot card shows.
const MEASURE: &str = r#"
const done = arguments[arguments.length - 1];
const root = document.querySelector('#switchboard-widget').shadowRoot;
const t0 = performance.now();
let first = null;
root.querySelector('[data-testid=launcher]').click();
function check() {
  const r = root.querySelector('[data-testid=panel] [data-testid=typing], [data-testid=panel] [data-testid=bot]');
  if (r && first === null) first = performance.now() - t0;
  const card = root.querySelector('[data-testid=panel] [data-testid=bot]');
  if (card) { requestAnimationFrame(() => done([first, performance.now() - t0, prefetched()])); return; }
  if (performance.now() - t0 > 10000) { done([first, null]); return; }
  requestAnimationFrame(check);
}
// Whether the widget's wasm was requested before the click.
function prefetched() {
  return performance.getEntriesByType('resource').some(e => e.name.endsWith('.wasm') && e.startTime < t0);
}
requestAnimationFrame(check);
"#;

async fn once(c: &Client, demo: &str, wait_idle: bool) -> anyhow::Result<(f64, f64)> {
    if !wait_idle {
        on_every_page(c, "delete window.requestIdleCallback;").await?;
    }
    c.goto(&format!("{demo}/")).await?;
    eventually("the launcher", || async {
        let host = c.find_all(Locator::Css("#switchboard-widget")).await?;
        let Some(host) = host.into_iter().next() else { return Ok(None) };
        Ok(host
            .shadow_root()
            .await?
            .find_all(Locator::Css("[data-testid=launcher]"))
            .await?
            .into_iter()
            .next())
    })
    .await?;
    if wait_idle {
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    }
    let v = c.execute_async(MEASURE, vec![]).await?;
    let shown = v[0].as_f64().ok_or_else(|| anyhow::anyhow!("the stream never showed: {v}"))?;
    let card = v[1].as_f64().ok_or_else(|| anyhow::anyhow!("no first card within 10 s: {v}"))?;
    anyhow::ensure!(
        v[2].as_bool() == Some(wait_idle),
        "the widget was prefetched: {}, expected {wait_idle}",
        v[2]
    );
    Ok((shown, card))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(5);
    let app = App::spawn(None).await?;
    let config: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/sites/demo/config", app.api))
        .header("Origin", &app.demo)
        .send()
        .await?
        .json()
        .await?;
    let delay = config["appearance"]["response_delay_ms"].clone();
    let mut out = serde_json::Map::new();
    for (key, idle) in [("click_at_once", false), ("click_after_idle", true)] {
        let (mut shown, mut card) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            let demo = app.demo.clone();
            let result = std::sync::Arc::new(std::sync::Mutex::new(None));
            let r = result.clone();
            with_browser(|c| async move {
                let m = once(&c, &demo, idle).await?;
                *r.lock().unwrap_or_else(|e| e.into_inner()) = Some(m);
                Ok(())
            })
            .await?;
            let measured = *result.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((s, c)) = measured {
                shown.push(s);
                card.push(c);
            }
        }
        out.insert(key.into(), json!({ "stream_shown": summary(shown), "first_card": summary(card) }));
    }
    out.insert("typing_delay_ms".into(), json!(delay));
    println!("{}", serde_json::Value::Object(out));
    Ok(())
}
