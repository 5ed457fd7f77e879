//! Reports with known answers: four conversations driven through real
//! sockets on a clock the test moves (one transferred twice, one declined
//! then accepted, one that timed out to the fallback, one the visitor
//! ended while it was offered), then every figure of the report, its CSV
//! (read back with a CSV library), the command line's and the live view
//! checked exactly.

use reqwest::Method;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use switchboard_protocol::stream::Routing;
use switchboard_protocol::wire::{
    AgentIn, AgentOut, ConversationState, PageContext, TransferTarget, VisitorIn, VisitorOut,
};
use switchboard_server::{admin, Clock};

use crate::helpers::{spawn_app_at, team, TestApp, ALLOWED};
use crate::ws_client::{connect, AgentClient, VisitorClient};

const ADA: &str = "ada@example.com";
const GRACE: &str = "grace@example.com";

/// 2026-11-30T08:00:00Z, a Monday: 09:00 in Amsterdam.
const T0: i64 = 1_796_025_600_000;

/// A clock standing at `T0` until the test moves it.
struct Time {
    moved: Arc<AtomicI64>,
}

impl Time {
    fn new() -> (Self, Clock) {
        let moved = Arc::new(AtomicI64::new(0));
        let m = moved.clone();
        let clock = Clock::from_fn(move || {
            jiff::Timestamp::from_millisecond(T0 + m.load(Ordering::SeqCst)).expect("in range")
        });
        (Self { moved }, clock)
    }

    /// Sets the clock `s` seconds after `T0`.
    fn at(&self, s: i64) {
        self.moved.store(s * 1000, Ordering::SeqCst);
    }
}

/// Frames until one `pick` takes.
async fn agent_until<T>(a: &mut AgentClient, pick: impl Fn(&AgentOut) -> Option<T>) -> T {
    loop {
        let frame = a.recv().await;
        if let Some(t) = pick(&frame) {
            return t;
        }
    }
}

async fn visitor_until(v: &mut VisitorClient, pick: impl Fn(&VisitorOut) -> bool) {
    while !pick(&v.recv().await) {}
}

async fn offered(a: &mut AgentClient) -> i64 {
    agent_until(a, |f| match f {
        AgentOut::Offer { conversation, .. } => Some(*conversation),
        _ => None,
    })
    .await
}

async fn accept(a: &mut AgentClient, c: i64) {
    a.send(&AgentIn::Accept { conversation: c }).await;
    agent_until(a, |f| {
        matches!(f, AgentOut::State { conversation, state: ConversationState::Active } if *conversation == c)
            .then_some(())
    })
    .await;
}

/// A visitor hands off through a live chat card routing by `routing`
/// and is told it is offered (or answered at once).
async fn hand_off(app: &TestApp, routing: Routing) -> VisitorClient {
    let mut v = connect(&app.url, "demo", ALLOWED).await.unwrap();
    v.hello(None, 0).await;
    let (stream, version, card) = app.live_chat(routing).await;
    v.send(&VisitorIn::Handoff {
        stream,
        version,
        card,
        attributes: [("first_name".to_owned(), "Jo".to_owned())].into(),
        transcript: vec![],
        page: PageContext { url: "https://shop.example.com/pricing".into(), ..Default::default() },
    })
    .await;
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Waiting });
    v
}

async fn say(a: &mut AgentClient, c: i64, id: &str, text: &str) {
    a.send(&AgentIn::Message { conversation: c, client_id: id.into(), text: text.into() }).await;
    agent_until(a, |f| {
        matches!(f, AgentOut::Message { conversation, .. } if *conversation == c).then_some(())
    })
    .await;
}

async fn transfer(a: &mut AgentClient, c: i64, to: TransferTarget) {
    a.send(&AgentIn::Transfer { conversation: c, to }).await;
    agent_until(a, |f| {
        matches!(f, AgentOut::Transferred { conversation, .. } if *conversation == c).then_some(())
    })
    .await;
}

/// The scripted day; the conversations' ids in order.
async fn script(app: &TestApp, time: &Time) -> [i64; 4] {
    admin::add_team(&app.state.store, &team("Support", &[ADA])).await.unwrap();
    admin::add_team(&app.state.store, &team("Sales", &[ADA, GRACE])).await.unwrap();
    let mut ada = app.agent(ADA).await;
    let mut grace = app.agent(GRACE).await;

    // 1. Transferred twice: Ada (accepts after 5 s, answers at 10 s),
    // to Grace at 20 s (accepts after 3 s), to the Support team at 30 s
    // (Ada again, after 2 s); the visitor writes at 40 s; Ada ends it at 60 s.
    time.at(0);
    let mut v = hand_off(app, Routing::Agent(ADA.into())).await;
    let one = offered(&mut ada).await;
    time.at(5);
    accept(&mut ada, one).await;
    time.at(10);
    say(&mut ada, one, "a1", "Hello Jo").await;
    time.at(20);
    transfer(&mut ada, one, TransferTarget::Agent { email: GRACE.into() }).await;
    assert_eq!(offered(&mut grace).await, one);
    time.at(23);
    accept(&mut grace, one).await;
    time.at(30);
    transfer(&mut grace, one, TransferTarget::Team { name: "Support".into() }).await;
    assert_eq!(offered(&mut ada).await, one);
    time.at(32);
    accept(&mut ada, one).await;
    time.at(40);
    v.send(&VisitorIn::Message { client_id: "v1".into(), text: "Thanks".into() }).await;
    agent_until(&mut ada, |f| matches!(f, AgentOut::Message { .. }).then_some(())).await;
    time.at(60);
    ada.send(&AgentIn::End { conversation: one }).await;
    visitor_until(&mut v, |f| *f == VisitorOut::State { state: ConversationState::Ended }).await;
    v.close().await;

    // 2. Declined then accepted: the Sales rotation offers Ada first, who
    // declines at +2 s; Grace accepts at +6 s; the visitor ends it at +20 s.
    time.at(100);
    let mut v = hand_off(app, Routing::Team("Sales".into())).await;
    let two = offered(&mut ada).await;
    time.at(102);
    ada.send(&AgentIn::Decline { conversation: two }).await;
    assert_eq!(offered(&mut grace).await, two);
    time.at(106);
    accept(&mut grace, two).await;
    time.at(120);
    v.send(&VisitorIn::End).await;
    agent_until(&mut grace, |f| {
        matches!(f, AgentOut::State { conversation, state: ConversationState::Ended } if *conversation == two)
            .then_some(())
    })
    .await;
    v.close().await;

    // 3. Timed out to the fallback: offered to Ada, who lets it time out
    // (the accept timeout is 100 s); nobody else may take it.
    time.at(200);
    let mut v = hand_off(app, Routing::Agent(ADA.into())).await;
    let three = offered(&mut ada).await;
    time.at(300);
    app.state.timers.due(T0 + 300_000);
    visitor_until(&mut v, |f| *f == VisitorOut::State { state: ConversationState::Fallback }).await;
    v.close().await;

    // 4. Ended by the visitor while offered, at 00:30 in Amsterdam the
    // next day (still 30 November in UTC).
    time.at(15 * 3600 + 30 * 60);
    let mut v = hand_off(app, Routing::Agent(GRACE.into())).await;
    let four = offered(&mut grace).await;
    time.at(15 * 3600 + 30 * 60 + 3);
    v.send(&VisitorIn::End).await;
    agent_until(&mut grace, |f| {
        matches!(f, AgentOut::Withdrawn { conversation } if *conversation == four).then_some(())
    })
    .await;
    v.close().await;
    [one, two, three, four]
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    let r = app.as_admin(Method::GET, path).await.send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r
}

fn spread(count: u64, median: i64, p90: i64) -> Value {
    json!({ "count": count, "median": median, "p90": p90 })
}

fn none() -> Value {
    json!({ "count": 0, "median": null, "p90": null })
}

#[tokio::test]
async fn every_figure_of_a_scripted_day_is_exact() {
    let (time, clock) = Time::new();
    let app = spawn_app_at(clock).await;
    let ids = script(&app, &time).await;

    let range = "from=2026-11-30&to=2026-12-01&tz=Europe/Amsterdam";
    let report: Value = get(&app, &format!("/reports/chats?{range}")).await.json().await.unwrap();
    assert_eq!((report["from"].as_str(), report["to"].as_str()), (Some("2026-11-30"), Some("2026-12-01")));
    assert_eq!(report["time_zone"], "Europe/Amsterdam");
    let totals = &report["totals"];
    let counts =
        ["requested", "offered", "accepted", "declined", "missed", "fallback", "abandoned", "transfers"]
            .map(|k| totals[k].as_u64().unwrap());
    assert_eq!(counts, [4, 4, 2, 1, 1, 1, 1, 2], "{totals:#}");
    assert_eq!(totals["accept_rate"], 0.5);
    // Offers accepted after 5, 3, 2 (the first chat) and 4 s (the second).
    assert_eq!(totals["time_to_accept"], spread(4, 3000, 5000));
    assert_eq!(totals["wait"], spread(2, 5000, 6000));
    assert_eq!(totals["first_response"], spread(1, 10_000, 10_000));
    assert_eq!(totals["duration"], spread(2, 14_000, 55_000));
    assert_eq!(totals["messages"], spread(2, 0, 2));

    // Days in Amsterdam: the fourth falls on 1 December.
    let periods = report["periods"].as_array().unwrap();
    let per_day: Vec<_> =
        periods.iter().map(|p| (p["start"].as_str().unwrap(), p["figures"]["requested"].clone())).collect();
    assert_eq!(per_day, [("2026-11-30", json!(3)), ("2026-12-01", json!(1))]);
    let utc: Value = get(&app, "/reports/chats?from=2026-11-30&to=2026-12-01").await.json().await.unwrap();
    let per_day: Vec<_> =
        utc["periods"].as_array().unwrap().iter().map(|p| p["figures"]["requested"].clone()).collect();
    assert_eq!(per_day, [json!(4), json!(0)], "the same moments, UTC days");

    let teams: Vec<_> = report["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (t["team"].as_str().unwrap(), t["figures"]["requested"].clone(), t["figures"]["accepted"].clone())
        })
        .collect();
    assert_eq!(teams, [("Sales", json!(1), json!(1)), ("Support", json!(1), json!(1))]);
    assert_eq!(report["sites"][0]["site"], "demo");
    assert_eq!(report["sites"][0]["figures"]["requested"], 4);

    let agents = report["agents"].as_array().unwrap();
    let ada = agents.iter().find(|a| a["email"] == ADA).unwrap();
    let grace = agents.iter().find(|a| a["email"] == GRACE).unwrap();
    let counts = |a: &Value| {
        ["offered", "accepted", "declined", "missed", "withdrawn", "transfers"]
            .map(|k| a[k].as_u64().unwrap())
    };
    assert_eq!(counts(ada), [4, 2, 1, 1, 0, 1], "{ada:#}");
    assert_eq!(counts(grace), [3, 2, 0, 0, 1, 1], "{grace:#}");
    assert_eq!(ada["accept_rate"], 0.5);
    assert_eq!(grace["accept_rate"], 2.0 / 3.0);
    assert_eq!(ada["time_to_accept"], spread(2, 2000, 5000));
    assert_eq!(grace["time_to_accept"], spread(2, 3000, 4000));
    assert_eq!(ada["first_response"], spread(1, 10_000, 10_000));
    assert_eq!(grace["first_response"], none());
    // Ada's stretches: 5 → 20 s and 32 → 60 s; Grace's: 23 → 30 s and 106 → 120 s.
    assert_eq!(ada["duration"], spread(2, 15_000, 28_000));
    assert_eq!(grace["duration"], spread(2, 7000, 14_000));

    // One row per conversation, as CSV, read back with a CSV library.
    let r = get(&app, &format!("/reports/conversations.csv?{range}")).await;
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"switchboard-conversations-2026-11-30-2026-12-01.csv\""
    );
    let text = r.text().await.unwrap();
    let mut csv = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_owned).collect();
    let rows: Vec<Vec<String>> =
        csv.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    let row = |i: usize| -> std::collections::HashMap<&str, &str> {
        header.iter().map(String::as_str).zip(rows[i].iter().map(String::as_str)).collect()
    };
    assert_eq!(rows.len(), 4);
    let first = row(0);
    assert_eq!(first["conversation"], ids[0].to_string());
    assert_eq!(first["site"], "demo");
    assert_eq!(first["started_at"], "2026-11-30T09:00:00+01:00");
    assert_eq!(
        ["outcome", "team", "agent", "last_agent", "offers", "declined", "missed", "transfers"]
            .map(|k| first[k]),
        ["accepted", "Support", ADA, ADA, "3", "0", "0", "2"]
    );
    assert_eq!(
        ["time_to_accept_s", "wait_s", "first_response_s", "ended_at", "ended_by", "duration_s", "messages"]
            .map(|k| first[k]),
        ["5", "5", "10", "2026-11-30T09:01:00+01:00", "agent", "55", "2"]
    );
    let second = row(1);
    assert_eq!(
        ["outcome", "team", "agent", "declined", "wait_s", "ended_by", "duration_s", "messages"]
            .map(|k| second[k]),
        ["accepted", "Sales", GRACE, "1", "6", "visitor", "14", "0"]
    );
    let third = row(2);
    assert_eq!(
        ["outcome", "agent", "offers", "missed", "wait_s", "ended_at", "ended_by"].map(|k| third[k]),
        ["fallback", "", "1", "1", "", "2026-11-30T09:05:00+01:00", ""]
    );
    let fourth = row(3);
    assert_eq!(
        ["outcome", "started_at", "offers", "ended_by", "duration_s"].map(|k| fourth[k]),
        ["abandoned", "2026-12-01T00:30:00+01:00", "1", "visitor", ""]
    );

    // The agents CSV agrees with the report.
    let text = get(&app, &format!("/reports/agents.csv?{range}")).await.text().await.unwrap();
    let mut csv = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_owned).collect();
    let ada_row = csv.records().map(Result::unwrap).find(|r| r.get(2) == Some(ADA)).unwrap();
    let ada_row: std::collections::HashMap<&str, &str> =
        header.iter().map(String::as_str).zip(ada_row.iter()).collect();
    assert_eq!(
        [
            "offered",
            "accepted",
            "declined",
            "missed",
            "accept_rate",
            "time_to_accept_median_s",
            "duration_p90_s"
        ]
        .map(|k| ada_row[k]),
        ["4", "2", "1", "1", "0.5", "2", "28"]
    );

    // A site filter, and an empty range.
    let other: Value = get(&app, "/reports/chats?from=2026-11-01&to=2026-11-29").await.json().await.unwrap();
    assert_eq!(other["totals"]["requested"], 0);
    assert_eq!(other["periods"].as_array().unwrap().len(), 29);
    assert_eq!(other["totals"]["time_to_accept"], none());

    // The command line prints the same from the same database.
    let out = app
        .cli()
        .args(["report", "teams", "--from", "2026-11-30", "--to", "2026-12-01", "--tz", "Europe/Amsterdam"])
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut csv = csv::Reader::from_reader(&out.stdout[..]);
    let teams: Vec<(String, String)> =
        csv.records().map(|r| r.unwrap()).map(|r| (r[0].to_owned(), r[1].to_owned())).collect();
    assert_eq!(teams, [("Sales".to_owned(), "1".to_owned()), ("Support".to_owned(), "1".to_owned())]);
    let out = app
        .cli()
        .args(["report", "conversations", "--from", "2026-11-30", "--to", "2026-11-30", "--format", "json"])
        .output()
        .unwrap();
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 4, "all four on 30 November in UTC");
    assert_eq!(rows[2]["outcome"], "fallback");
}

#[tokio::test]
async fn a_bad_query_is_refused_by_field_and_the_live_view_counts_now() {
    let (time, clock) = Time::new();
    let app = spawn_app_at(clock).await;
    let r = app
        .as_admin(Method::GET, "/reports/chats?from=2026-13-01&tz=Mars/Base&by=month")
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    let fields: Vec<&str> =
        body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["from", "by"], "{body}");
    let r = app.as_admin(Method::GET, "/reports/chats?tz=Mars/Base").await.send().await.unwrap();
    assert_eq!(r.status(), 400);
    let r = app.as_admin(Method::GET, "/reports/chats?site=nowhere").await.send().await.unwrap();
    assert_eq!(r.status(), 404);

    // Ada online and available, Grace not connected; one visitor waits 40 s.
    let mut ada = app.agent(ADA).await;
    time.at(0);
    let _v = hand_off(&app, Routing::Agent(ADA.into())).await;
    offered(&mut ada).await;
    time.at(40);
    let live: Value = get(&app, "/reports/live").await.json().await.unwrap();
    assert_eq!(
        live,
        json!({ "waiting": 0, "offered": 1, "active": 0, "agents_online": 1, "agents_available": 1,
                "longest_wait": 40_000 })
    );
    let r = app.as_admin(Method::GET, "/reports/live?site=BAD KEY").await.send().await.unwrap();
    assert_eq!(r.status(), 400);
}

fn visit(id: &str, events: &[(&str, &str)]) -> String {
    let events: Vec<Value> = events
        .iter()
        .map(|(kind, card)| json!({ "kind": kind, "stream": "recommended", "version": 1, "card": card }))
        .collect();
    json!({ "visit": id, "events": events }).to_string()
}

async fn beacon(app: &TestApp, origin: Option<&str>, body: String) -> reqwest::Response {
    let mut r = app.http.post(format!("{}/api/sites/demo/stream-events", app.url)).body(body);
    if let Some(o) = origin {
        r = r.header("Origin", o);
    }
    // As sendBeacon sends a string.
    r.header("Content-Type", "text/plain;charset=UTF-8").send().await.unwrap()
}

#[tokio::test]
async fn the_widgets_counts_make_the_dialogue_report_and_bad_batches_are_refused() {
    let (time, clock) = Time::new();
    let app = spawn_app_at(clock).await;
    time.at(0);
    let all_the_way = visit(
        "00000000000000000000000000000a0a",
        &[
            ("shown", "hello"),
            ("reached", "hello"),
            ("reached", "connect"),
            ("engaged", "connect"),
            ("reached", "name"),
            ("engaged", "name"),
            ("reached", "email"),
            ("email", "email"),
            ("reached", "agent"),
            ("completed", "agent"),
            ("live_chat", "agent"),
        ],
    );
    let left_at_the_question = visit(
        "00000000000000000000000000000b0b",
        &[("shown", "hello"), ("reached", "hello"), ("reached", "connect")],
    );
    let left_at_once = visit("00000000000000000000000000000c0c", &[("shown", "hello"), ("reached", "hello")]);
    for body in [&all_the_way, &left_at_the_question, &left_at_once, &all_the_way] {
        assert_eq!(beacon(&app, Some(ALLOWED), body.clone()).await.status(), 204);
    }
    // A visit whose page was left the next day still counts on its first.
    time.at(24 * 3600);
    let later = visit("00000000000000000000000000000b0b", &[("engaged", "connect")]);
    assert_eq!(beacon(&app, Some(ALLOWED), later).await.status(), 204);

    let report: Value =
        get(&app, "/reports/streams?from=2026-11-30&to=2026-11-30").await.json().await.unwrap();
    let streams = report["streams"].as_array().unwrap();
    assert_eq!(streams.len(), 1);
    let s = &streams[0];
    assert_eq!((s["site"].as_str(), s["stream"].as_str()), (Some("demo"), Some("recommended")));
    let figures = ["shown", "engaged", "completed", "emails", "live_chat"].map(|k| s[k].as_u64().unwrap());
    assert_eq!(figures, [3, 2, 1, 1, 1], "{s:#}");
    let cards: Vec<(String, u64, u64)> = s["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["card"].as_str().unwrap().to_owned(),
                c["reached"].as_u64().unwrap(),
                c["left"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = [("hello", 3, 1), ("connect", 2, 1), ("agent", 1, 0), ("email", 1, 0), ("name", 1, 0)];
    assert_eq!(cards, want.map(|(c, r, l)| (c.to_owned(), r, l)));
    let next_day: Value =
        get(&app, "/reports/streams?from=2026-12-01&to=2026-12-01").await.json().await.unwrap();
    assert_eq!(next_day["streams"], json!([]));
    let text = get(&app, "/reports/streams.csv?from=2026-11-30&to=2026-11-30").await.text().await.unwrap();
    let mut csv = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<Vec<String>> =
        csv.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    assert_eq!(rows[0][..8], ["demo", "recommended", "", "3", "2", "1", "1", "1"]);
    assert_eq!(rows[1][..], ["demo", "recommended", "hello", "", "", "", "", "", "3", "1"]);

    // Refused, and nothing stored: from no page or another site's page, a
    // card the stream does not have, a visit id that is not one, too big.
    let one = visit("00000000000000000000000000000d0d", &[("shown", "hello")]);
    assert_eq!(beacon(&app, None, one.clone()).await.status(), 403);
    assert_eq!(beacon(&app, Some("https://evil.example"), one.clone()).await.status(), 403);
    let r =
        beacon(&app, Some(ALLOWED), visit("00000000000000000000000000000d0d", &[("reached", "nope")])).await;
    assert_eq!(r.status(), 400);
    assert_eq!(beacon(&app, Some(ALLOWED), visit("X", &[("shown", "hello")])).await.status(), 400);
    assert_eq!(beacon(&app, Some(ALLOWED), "{\"visit\": 1}".into()).await.status(), 400);
    let big = format!("{{\"visit\": \"{}\"}}", "0".repeat(9000));
    let r = beacon(&app, Some(ALLOWED), big).await;
    assert_eq!(r.status(), 413);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "too_large");
    let report: Value =
        get(&app, "/reports/streams?from=2026-11-30&to=2026-12-01").await.json().await.unwrap();
    assert_eq!(report["streams"][0]["shown"], 3, "nothing refused was stored");
    // 30 batches a minute from one address.
    let mut codes = Vec::new();
    for _ in 0..30 {
        let r = beacon(&app, Some(ALLOWED), one.clone()).await;
        codes.push(r.status().as_u16());
        if r.status() == 429 {
            assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "rate_limited");
            break;
        }
    }
    assert_eq!(codes.last(), Some(&429), "{codes:?}");
}

#[tokio::test]
async fn an_agent_who_leaves_an_offer_has_it_withdrawn_and_an_idle_chat_ends_by_itself() {
    let (time, clock) = Time::new();
    let app = spawn_app_at(clock).await;
    let mut ada = app.agent(ADA).await;
    let mut grace = app.agent(GRACE).await;

    // Offered to Ada, whose live chat an admin switches off: taken back,
    // not her decline; nobody else may take it, so the fallback.
    time.at(0);
    let mut v = hand_off(&app, Routing::Agent(ADA.into())).await;
    offered(&mut ada).await;
    time.at(10);
    let r = app
        .as_admin(Method::PATCH, &format!("/agents/{ADA}"))
        .await
        .json(&json!({ "live_chat": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    visitor_until(&mut v, |f| *f == VisitorOut::State { state: ConversationState::Fallback }).await;
    v.close().await;

    // Grace accepts the next; nobody writes for the inactivity limit (600 s).
    time.at(100);
    let mut v = hand_off(&app, Routing::Agent(GRACE.into())).await;
    let c = offered(&mut grace).await;
    time.at(104);
    accept(&mut grace, c).await;
    time.at(104 + 601);
    app.state.timers.due(T0 + 705_000);
    visitor_until(&mut v, |f| *f == VisitorOut::State { state: ConversationState::Ended }).await;

    let report: Value = get(&app, "/reports/chats?from=2026-11-30&to=2026-11-30").await.json().await.unwrap();
    let agents = report["agents"].as_array().unwrap();
    let ada = agents.iter().find(|a| a["email"] == ADA).unwrap();
    assert_eq!(
        (ada["offered"].as_u64(), ada["declined"].as_u64(), ada["withdrawn"].as_u64()),
        (Some(1), Some(0), Some(1))
    );
    assert_eq!(report["totals"]["declined"], 0);
    assert_eq!(report["totals"]["fallback"], 1);
    let rows: Value =
        get(&app, "/reports/conversations?from=2026-11-30&to=2026-11-30").await.json().await.unwrap();
    assert_eq!(rows[1]["ended_by"], "idle");
    assert_eq!(rows[1]["duration"], 601_000);
}
