//! What operating a node needs: `GET /readyz` (what a load balancer asks
//! before sending a node new connections), `GET /metrics` (Prometheus),
//! and `--database`, which picks the database on the command line.

use std::collections::HashMap;
use switchboard_protocol::stream::Routing;
use switchboard_protocol::wire::{AgentIn, AgentOut, PageContext, VisitorIn, VisitorOut};

use crate::helpers::{spawn_app, ALLOWED};
use crate::ws_client::connect;

/// The metrics' sample lines, by name with labels.
async fn metrics(app: &crate::helpers::TestApp) -> HashMap<String, f64> {
    let r = app.http.get(format!("{}/metrics", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    let text = r.text().await.unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (name, value) = l.rsplit_once(' ').unwrap();
            (name.to_owned(), value.parse().unwrap())
        })
        .collect()
}

#[tokio::test]
async fn metrics_count_sockets_messages_routing_and_offers() {
    let app = spawn_app().await;
    let before = metrics(&app).await;
    assert_eq!(before["switchboard_sockets{kind=\"visitor\"}"], 0.0);
    assert_eq!(before["switchboard_messages_stored_total"], 0.0);
    let mut ada = app.agent("ada@example.com").await;
    let mut v = connect(&app.url, "demo", ALLOWED).await.unwrap();
    v.hello(None, 0).await;
    let (stream, version, card) = app.live_chat(Routing::Agent("ada@example.com".into())).await;
    let page = PageContext::default();
    let handoff = VisitorIn::Handoff {
        stream,
        version,
        card,
        attributes: Default::default(),
        transcript: vec![],
        page,
    };
    v.send(&handoff).await;
    let c = loop {
        if let AgentOut::Offer { conversation, .. } = ada.recv().await {
            break conversation;
        }
    };
    ada.accept(c).await;
    v.send(&VisitorIn::Message { client_id: "m1".into(), text: "Hello".into() }).await;
    // The visitor's own copy and the agent's.
    while !matches!(v.recv().await, VisitorOut::Message(_)) {}
    while !matches!(ada.recv().await, AgentOut::Message { .. }) {}
    ada.send(&AgentIn::Decline { conversation: 999_999 }).await;
    let m = metrics(&app).await;
    assert_eq!(m["switchboard_sockets{kind=\"visitor\"}"], 1.0, "{m:?}");
    assert_eq!(m["switchboard_sockets{kind=\"agent\"}"], 1.0);
    assert_eq!(m["switchboard_messages_stored_total"], 1.0);
    assert_eq!(m["switchboard_messages_delivered_total"], 2.0, "to the visitor and to Ada");
    assert_eq!(m["switchboard_routing_decisions_total"], 1.0);
    assert_eq!(m["switchboard_routing_decision_seconds_count"], 1.0);
    assert_eq!(m["switchboard_offers_total{outcome=\"accepted\"}"], 1.0);
    assert_eq!(m["switchboard_offers_total{outcome=\"declined\"}"], 0.0, "not hers to decline");
    drop(v);
    drop(ada);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let m = metrics(&app).await;
        if m["switchboard_sockets{kind=\"visitor\"}"] == 0.0
            && m["switchboard_sockets{kind=\"agent\"}"] == 0.0
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "closed sockets still counted: {m:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_node_whose_database_answers_is_ready() {
    let app = spawn_app().await;
    let r = app.http.get(format!("{}/readyz", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.text().await.unwrap(), "ready");
}

#[tokio::test]
async fn a_node_that_lost_its_database_is_not_ready_but_still_alive() {
    let app = spawn_app().await;
    app.state.store.close().await;
    let r = app.http.get(format!("{}/readyz", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.text().await.unwrap(), "database unreachable");
    // Alive, so a supervisor does not restart it for a database's fault.
    let r = app.http.get(format!("{}/healthz", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn the_database_flag_beats_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let flagged = dir.path().join("flagged.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .env("SWITCHBOARD_DATA_DIR", dir.path())
        .env("SWITCHBOARD_DATABASE_URL", format!("sqlite://{}", dir.path().join("env.db").display()))
        .args([
            "--database",
            &format!("sqlite://{}", flagged.display()),
            "site",
            "add",
            "acme",
            "--name",
            "Acme",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(flagged.exists(), "the flag's database was used");
    assert!(!dir.path().join("env.db").exists(), "not the environment's");
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["--database", "mysql://db.example/sb", "site", "list"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("mysql:") && said.contains("postgres:"), "{said}");
}
