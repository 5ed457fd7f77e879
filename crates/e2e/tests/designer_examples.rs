//! Every example stream (examples/streams/*.toml) through the designer in a
//! real browser: imported from its file, shown whole in the tree, published,
//! changed and published again, then the first release restored from the
//! history, checked in what the server publishes to visitors. The agents,
//! teams and rules an example routes to are made first, as an admin would.

use fantoccini::Client;
use switchboard_e2e::console::{click, fill, go, says, sign_in};
use switchboard_e2e::designer::{draft_where, saved, select, shape, tree_is};
use switchboard_e2e::{eventually, find, shows, texts, with_browser, App};
use switchboard_protocol::site::SiteKey;
use switchboard_protocol::stream::{CardKind, Routing, Stream};

/// The examples this file takes through the designer, by file name.
const EXAMPLES: [&str; 5] = ["agent", "dutch", "recommended", "rules", "team"];

fn example_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/streams")
        .join(format!("{name}.toml"))
}

/// Sends `body` to the admin API at `path` from the page (the admin's
/// session), as the console does; fails unless the server took it.
async fn admin_post(c: &Client, path: &str, body: serde_json::Value) -> anyhow::Result<()> {
    let answer = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             fetch(arguments[0], { method: 'POST', headers: { 'content-type': 'application/json' }, \
               body: JSON.stringify(arguments[1]) }) \
             .then(r => r.text().then(t => done([r.status, t])), e => done([0, String(e)]));",
            vec![serde_json::json!(path), body],
        )
        .await?;
    let (status, text): (u16, String) = serde_json::from_value(answer)?;
    anyhow::ensure!((200..300).contains(&status), "POST {path}: {status} {text}");
    Ok(())
}

/// The stream the demo site publishes as `id`, if any.
async fn published(app: &App, id: &str) -> anyhow::Result<Option<Stream>> {
    let site = app.store.site(&SiteKey::parse("demo")?).await?.expect("the demo site");
    Ok(app.store.published_stream(site.id, id).await?.map(|(s, _)| s))
}

/// `s` without its version, to compare with a file's.
fn unversioned(s: &Stream) -> Stream {
    Stream { version: 0, ..s.clone() }
}

/// The first card's text (every example starts with a message).
fn first_text(s: &Stream) -> String {
    match &s.cards[0].kind {
        CardKind::Message { text, .. } => text.clone(),
        other => panic!("the example starts with a message, not {other:?}"),
    }
}

/// Imports examples/streams/NAME.toml into the designer, publishes it,
/// publishes a change, restores the import's release and checks what the
/// server publishes after each step.
async fn round_trip(name: &'static str) {
    let source = std::fs::read_to_string(example_path(name)).unwrap();
    let example = switchboard_protocol::stream::file::parse(&source).unwrap().stream.into_inner();
    let app = App::spawn(None).await.unwrap();
    let before = published(&app, &example.id).await.unwrap().map_or(0, |s| s.version);
    with_browser(|c| async move {
        sign_in(&c, &app, "admin@example.com").await?;
        // What its live chat card routes to, made first where the demo has none.
        let routing: Vec<&Routing> = example
            .cards
            .iter()
            .filter_map(|c| match &c.kind {
                CardKind::LiveChat { routing, .. } => Some(routing),
                _ => None,
            })
            .collect();
        for r in &routing {
            match r {
                // The seeded demo has this agent; the designer offers it.
                Routing::Agent(email) => assert!(app.accounts.iter().any(|a| &a.email == email), "{email}"),
                Routing::Team(team) => {
                    admin_post(
                        &c,
                        "/api/admin/teams",
                        serde_json::json!({ "name": team, "members": ["grace@example.com"] }),
                    )
                    .await?
                }
                Routing::Rules => {
                    admin_post(
                        &c,
                        "/api/admin/teams",
                        serde_json::json!({ "name": "Billing", "members": ["ada@example.com"] }),
                    )
                    .await?;
                    admin_post(
                        &c,
                        "/api/admin/sites/demo/rules",
                        serde_json::json!({
                            "name": "Billing questions",
                            "conditions": [{ "field": "custom:topic", "op": "is", "values": ["Billing"] }],
                            "route_to": { "team": "Billing" }
                        }),
                    )
                    .await?;
                }
                Routing::RoundRobin => {}
            }
        }

        let id = example.id.clone();
        go(&c, &app, &format!("#/sites/demo/streams/{id}")).await?;
        find(&c, "[data-testid=designer]").await?;
        if before > 0 {
            // Published by the demo already: the draft is changed first, so the import shows.
            let first = example.cards[0].id.clone();
            tree_is(&c, &example.cards.iter().map(|c| c.id.as_str()).collect::<Vec<_>>()).await?;
            select(&c, &first).await?;
            fill(&c, "card-text", "Words to be replaced").await?;
            saved(&c).await?;
            draft_where(&c, &id, "the draft changed", |d| first_text(d) == "Words to be replaced").await?;
        } else {
            tree_is(&c, &[]).await?;
        }

        // The designer's import: the file chosen, then Import.
        let path = example_path(name).canonicalize()?;
        find(&c, "#designer-import").await?.send_keys(&path.display().to_string()).await?;
        click(&c, "[data-testid=import]").await?;
        says(&c, &format!("{name}.toml imported.")).await?;
        // Every card in the tree, in the file's order; the stream is publishable.
        tree_is(&c, &example.cards.iter().map(|c| c.id.as_str()).collect::<Vec<_>>()).await?;
        for card in &example.cards {
            if let CardKind::Message { text, .. } | CardKind::Question { text, .. } = &card.kind {
                shows(&c, &format!("[data-card='{}'] .box-text", card.id), text).await?;
            }
        }
        shows(&c, "[data-testid=counts]", "No problems: the stream can be published.").await?;
        assert!(texts(&c, "[data-testid=import-errors] li").await?.is_empty());
        // The live chat card's editor shows whom it routes to.
        if let Some(live) = example.cards.iter().find(|c| matches!(c.kind, CardKind::LiveChat { .. })) {
            select(&c, &live.id).await?;
            let (field, value) = match routing[0] {
                Routing::Agent(email) => ("card-routing-agent", email.clone()),
                Routing::Team(team) => ("card-routing-team", team.clone()),
                Routing::Rules => ("card-routing", "rules".to_owned()),
                Routing::RoundRobin => ("card-routing", "round_robin".to_owned()),
            };
            eventually(&format!("#{field} showing {value}"), || async {
                let v = find(&c, &format!("#{field}")).await?.prop("value").await?;
                Ok((v.as_deref() == Some(value.as_str())).then_some(()))
            })
            .await?;
        }
        saved(&c).await?;
        let kept =
            draft_where(&c, &id, "the imported draft saved", |d| unversioned(d) == unversioned(&example))
                .await?;
        assert_eq!(shape(&kept), shape(&example));

        // Published as it was imported.
        let v1 = before + 1;
        fill(&c, "release-note", &format!("Imported from {name}.toml")).await?;
        click(&c, "[data-testid=publish-draft]").await?;
        says(&c, &format!("Stream {id} published (version {v1}).")).await?;
        let live = published(&app, &id).await?.expect("published");
        assert_eq!(live.version, v1);
        assert_eq!(unversioned(&live), unversioned(&example));

        // A change, published as the next version.
        let first = example.cards[0].id.clone();
        select(&c, &first).await?;
        fill(&c, "card-text", "Hello from version two").await?;
        saved(&c).await?;
        fill(&c, "release-note", "New greeting").await?;
        click(&c, "[data-testid=publish-draft]").await?;
        says(&c, &format!("Stream {id} published (version {}).", v1 + 1)).await?;
        let live = published(&app, &id).await?.expect("published");
        assert_eq!((live.version, first_text(&live)), (v1 + 1, "Hello from version two".to_owned()));
        shows(&c, &format!("[data-version='{}'] .release-note", v1 + 1), "New greeting").await?;
        shows(&c, &format!("[data-version='{}'] .muted", v1 + 1), &format!("changed {first}")).await?;

        // The imported release restored from the history: published again, and the draft.
        click(&c, &format!("[data-version='{v1}'] [data-testid=restore]")).await?;
        click(&c, "[data-testid=confirm-restore]").await?;
        says(&c, &format!("Version {v1} restored as version {}.", v1 + 2)).await?;
        let live = published(&app, &id).await?.expect("published");
        assert_eq!(live.version, v1 + 2);
        assert_eq!(unversioned(&live), unversioned(&example));
        shows(&c, &format!("[data-card='{first}'] .box-text"), &first_text(&example)).await?;
        draft_where(&c, &id, "the restored draft", |d| unversioned(d) == unversioned(&example)).await?;
        eventually("the restored release listed", || async {
            Ok((c.find_all(fantoccini::Locator::Css(&format!("[data-version='{}']", v1 + 2))).await?.len()
                == 1)
                .then_some(()))
        })
        .await?;
        Ok(())
    })
    .await
    .unwrap();
}

#[test]
fn every_example_stream_is_taken_through_the_designer() {
    let mut found: Vec<String> = std::fs::read_dir(example_path("x").parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok()?.strip_suffix(".toml").map(str::to_owned))
        .collect();
    found.sort();
    assert_eq!(found, EXAMPLES, "a test below for each example");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_example_is_imported_published_changed_and_restored() {
    round_trip("agent").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dutch_example_is_imported_published_changed_and_restored() {
    round_trip("dutch").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recommended_example_is_imported_published_changed_and_restored() {
    round_trip("recommended").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rules_example_is_imported_published_changed_and_restored() {
    round_trip("rules").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_team_example_is_imported_published_changed_and_restored() {
    round_trip("team").await;
}
