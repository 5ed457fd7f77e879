//! The admin's list of every conversation and one conversation in full
//! (`/api/admin/conversations`): each filter, paging, search, access, and
//! the detail with its transcript and routing explanation.
//!
//! Most conversations are written through the store, as the lifecycle
//! writes them (faster than a socket each, and with chosen start times);
//! their due times are far ahead, so the server's sweeper leaves them be.
//! The detail is also followed through real sockets.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use switchboard_protocol::admin::{
    ConversationDetail, ConversationPage, ConversationQuery, ConversationRow, ErrorBody, NewSite,
    TranscriptLine,
};
use switchboard_protocol::site::SiteKey;
use switchboard_protocol::stream::runner::Entry;
use switchboard_protocol::stream::Routing;
use switchboard_protocol::wire::{
    AgentIn, AgentOut, Author, ConversationState, PageContext, VisitorIn, VisitorOut,
};
use switchboard_server::ids::{AgentId, SiteId};
use switchboard_server::routing::decide::{Decision, Outcome, Pool, Stage, Step};
use switchboard_server::store::conversations::Handoff;

use crate::admin_client::Refused;
use crate::helpers::{spawn_app, team, TestApp, ALLOWED};
use crate::ws_client::connect;

/// Far ahead (2096): no timer of a seeded conversation comes due.
const FAR: i64 = 4_000_000_000_000;

/// 2023-11-14T22:13:20Z: seeded conversations start from here.
const T0: i64 = 1_700_000_000_000;

const MINUTE: i64 = 60_000;

/// A conversation to seed: where, when, how far it got and what was said.
#[derive(Clone)]
struct Chat {
    site: &'static str,
    started: i64,
    state: ConversationState,
    /// Offered to / accepted by (by email).
    agent: Option<&'static str>,
    /// Routed to this team (a decision naming it).
    team: Option<&'static str>,
    /// First name, last name, email.
    visitor: (Option<&'static str>, Option<&'static str>, Option<&'static str>),
    /// The visitor's answers in the bot part.
    answers: Vec<&'static str>,
    /// Live messages.
    messages: Vec<(Author, &'static str)>,
}

impl Chat {
    fn at(started: i64) -> Self {
        Chat {
            site: "demo",
            started,
            state: ConversationState::Waiting,
            agent: None,
            team: None,
            visitor: (None, None, None),
            answers: Vec::new(),
            messages: Vec::new(),
        }
    }
    fn site(self, site: &'static str) -> Self {
        Chat { site, ..self }
    }
    fn state(self, state: ConversationState, agent: Option<&'static str>) -> Self {
        Chat { state, agent, ..self }
    }
    fn team(self, team: &'static str) -> Self {
        Chat { team: Some(team), ..self }
    }
    fn said(mut self, author: Author, text: &'static str) -> Self {
        self.messages.push((author, text));
        self
    }
}

async fn site_id(app: &TestApp, key: &str) -> SiteId {
    app.state.store.site(&SiteKey::parse(key).unwrap()).await.unwrap().unwrap().id
}

async fn agent_id(app: &TestApp, email: &str) -> AgentId {
    AgentId::new(app.state.store.agent_by_email(email).await.unwrap().unwrap().profile.id)
}

/// Writes `chat` as the lifecycle would; answers its id.
async fn seed(app: &TestApp, chat: &Chat) -> i64 {
    let store = &app.state.store;
    let site = site_id(app, chat.site).await;
    let token = format!("visitor {} {}", chat.started, rand_suffix());
    let visitor = store.create_visitor(site, &token, chat.started - MINUTE).await.unwrap();
    let mut attributes = std::collections::BTreeMap::new();
    for (key, value) in
        [("first_name", chat.visitor.0), ("last_name", chat.visitor.1), ("email", chat.visitor.2)]
    {
        if let Some(v) = value {
            attributes.insert(key.to_owned(), v.to_owned());
        }
    }
    let mut transcript = vec![Entry::Bot { card: "hi".into(), text: "How can we help you today?".into() }];
    transcript.extend(chat.answers.iter().map(|a| Entry::Visitor { card: "ask".into(), text: (*a).into() }));
    let handoff = Handoff {
        stream: "main".into(),
        routing: Routing::RoundRobin,
        attributes,
        transcript,
        page: PageContext { url: "https://shop.example.com/pricing".into(), ..Default::default() },
    };
    let conv = store.create_conversation(site, visitor, &handoff, FAR, chat.started).await.unwrap().unwrap();
    let id = conv.id;
    if let Some(team) = chat.team {
        let stage = Stage::Team { team: team.into(), exists: true };
        let decision = Decision {
            steps: vec![Step { stage, skipped: vec![], unknown: vec![] }],
            outcome: Outcome::Fallback,
        };
        store.save_decision(id, &decision, chat.started + 1).await.unwrap();
    }
    let agent = match chat.agent {
        Some(email) => Some(agent_id(app, email).await),
        None => None,
    };
    use ConversationState::*;
    if matches!(chat.state, Offered | Active | Ended) {
        let a = agent.expect("an offered chat has an agent");
        assert!(store.offer(&conv, a, &Pool::All, chat.started + 2, FAR).await.unwrap());
    }
    if matches!(chat.state, Active | Ended) {
        assert!(store.accept(id, agent.unwrap(), FAR, chat.started + 3).await.unwrap());
    }
    for (i, (author, text)) in chat.messages.iter().enumerate() {
        let at = chat.started + 1_000 * (i as i64 + 1);
        store.append_message(id, *author, None, text, at).await.unwrap();
    }
    match chat.state {
        Ended => store.set_state(id, Ended, chat.started + 30_000).await.unwrap(),
        Fallback => assert!(store.fall_back(id, chat.started + 4).await.unwrap()),
        _ => {}
    }
    id.get()
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// The admin console's requests, with one session.
struct Console<'a> {
    app: &'a TestApp,
    token: String,
}

impl<'a> Console<'a> {
    async fn as_admin(app: &'a TestApp) -> Self {
        Console { app, token: app.session("admin@example.com").await }
    }

    async fn get(&self, path_and_query: &str) -> reqwest::Response {
        let url = format!("{}/api/admin/conversations{path_and_query}", self.app.url);
        self.app.http.get(url).bearer_auth(&self.token).send().await.unwrap()
    }

    async fn answer<T: serde::de::DeserializeOwned>(r: reqwest::Response) -> Result<T, Refused> {
        let status = r.status();
        let bytes = r.bytes().await.unwrap();
        if status.is_success() {
            Ok(serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{status}: {e}")))
        } else {
            let body: ErrorBody = serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{status}: {e}: {}", String::from_utf8_lossy(&bytes)));
            Err(Refused { status, body })
        }
    }

    async fn list(&self, q: &ConversationQuery) -> Result<ConversationPage, Refused> {
        Self::answer(self.get(&format!("?{}", q.to_query_string())).await).await
    }

    /// Every id `q` lists, following the pages.
    async fn ids(&self, q: &ConversationQuery) -> Vec<i64> {
        let mut ids = Vec::new();
        let mut page = self.list(q).await.unwrap();
        loop {
            ids.extend(page.items.iter().map(|r| r.id));
            let Some(next) = page.next_cursor else { return ids };
            page = self.list(&q.after(&next)).await.unwrap();
        }
    }

    async fn detail(&self, id: &str) -> Result<ConversationDetail, Refused> {
        Self::answer(self.get(&format!("/{id}")).await).await
    }
}

/// A query from `(parameter, value)` pairs.
fn query(pairs: &[(&str, &str)]) -> ConversationQuery {
    let mut q = ConversationQuery::default();
    for (k, v) in pairs {
        let slot = match *k {
            "site" => &mut q.site,
            "state" => &mut q.state,
            "agent" => &mut q.agent,
            "team" => &mut q.team,
            "from" => &mut q.from,
            "to" => &mut q.to,
            "q" => &mut q.q,
            "cursor" => &mut q.cursor,
            "limit" => &mut q.limit,
            other => panic!("no parameter {other}"),
        };
        *slot = Some((*v).to_owned());
    }
    q
}

fn set(ids: impl IntoIterator<Item = i64>) -> BTreeSet<i64> {
    ids.into_iter().collect()
}

async fn add_site(app: &TestApp, key: &str) {
    let site = NewSite {
        key: key.into(),
        name: key.into(),
        allowed_origins: vec![],
        blocked_email_domains: vec![],
        chat_enabled: None,
    };
    app.admin().await.add_site(&site).await.unwrap();
}

#[tokio::test]
async fn only_an_admin_may_list_or_read_conversations() {
    let app = spawn_app().await;
    let id = seed(&app, &Chat::at(T0)).await;
    let ada = Console { app: &app, token: app.session("ada@example.com").await };
    for path in [String::new(), format!("/{id}")] {
        let r = ada.get(&path).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        let body: ErrorBody = r.json().await.unwrap();
        assert_eq!(body.error.code, "forbidden");
        let anonymous =
            app.http.get(format!("{}/api/admin/conversations{path}", app.url)).send().await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let admin = Console::as_admin(&app).await;
    assert_eq!(admin.list(&ConversationQuery::default()).await.unwrap().items.len(), 1);
}

#[tokio::test]
async fn each_filter_narrows_the_list_to_what_it_names() {
    let app = spawn_app().await;
    add_site(&app, "other").await;
    app.admin().await.add_team(&team("Sales", &["grace@example.com"])).await.unwrap();
    use ConversationState::*;
    let day = 24 * 60 * MINUTE;
    let waiting = seed(&app, &Chat::at(T0)).await;
    let offered = seed(&app, &Chat::at(T0 + MINUTE).state(Offered, Some("ada@example.com"))).await;
    let active = seed(&app, &Chat::at(T0 + day).state(Active, Some("grace@example.com"))).await;
    let ended =
        seed(&app, &Chat::at(T0 + day + MINUTE).state(Ended, Some("ada@example.com")).site("other")).await;
    let fallback =
        seed(&app, &Chat::at(T0 + 2 * day).state(Fallback, None).team("Sales").site("other")).await;
    let console = Console::as_admin(&app).await;
    let ids = |pairs: &'static [(&'static str, &'static str)]| {
        let console = &console;
        async move { set(console.ids(&query(pairs)).await) }
    };

    assert_eq!(ids(&[]).await, set([waiting, offered, active, ended, fallback]));
    assert_eq!(ids(&[("site", "other")]).await, set([ended, fallback]));
    assert_eq!(ids(&[("site", "demo")]).await, set([waiting, offered, active]));
    for (state, id) in [
        ("waiting", waiting),
        ("offered", offered),
        ("active", active),
        ("ended", ended),
        ("fallback", fallback),
    ] {
        assert_eq!(set(console.ids(&query(&[("state", state)])).await), set([id]), "{state}");
    }
    assert_eq!(ids(&[("agent", "ada@example.com")]).await, set([offered, ended]));
    assert_eq!(ids(&[("agent", "ADA@example.com"), ("state", "ended")]).await, set([ended]));
    // The team: routed to it, or with one of its members.
    assert_eq!(ids(&[("team", "sales")]).await, set([active, fallback]));
    assert_eq!(ids(&[("team", "Sales"), ("site", "demo")]).await, set([active]));
    // A day, as a date; and a time range in another zone.
    assert_eq!(ids(&[("from", "2023-11-15"), ("to", "2023-11-15")]).await, set([active, ended]));
    assert_eq!(
        ids(&[("from", "2023-11-14T23:13:20+01:00"), ("to", "2023-11-14T23:14:20+01:00")]).await,
        set([waiting])
    );
    assert_eq!(ids(&[("site", "other"), ("from", "2023-11-16")]).await, set([fallback]));
    assert_eq!(
        ids(&[("site", "demo"), ("state", "active"), ("agent", "grace@example.com"), ("to", "2023-11-16")])
            .await,
        set([active])
    );
    assert!(ids(&[("site", "other"), ("state", "waiting")]).await.is_empty());

    // What each row says.
    let page = console.list(&query(&[("state", "ended")])).await.unwrap();
    let row = &page.items[0];
    assert_eq!((row.site.as_str(), row.state), ("other", Ended));
    assert_eq!(
        row.agent.as_ref().map(|a| (a.name.as_str(), a.email.as_str())),
        Some(("Ada Lovelace", "ada@example.com"))
    );
    assert_eq!(row.started_at, "2023-11-15T22:14:20.000Z");
    assert_eq!(row.ended_at.as_deref(), Some("2023-11-15T22:14:50.000Z"));
    assert_eq!(row.last_activity_at, "2023-11-15T22:14:50.000Z");
    let row = &console.list(&query(&[("state", "waiting")])).await.unwrap().items[0];
    assert_eq!((row.ended_at.as_deref(), row.agent.as_ref()), (None, None));
    assert_eq!(row.last_activity_at, row.started_at);
}

#[tokio::test]
async fn pages_hold_every_conversation_once_newest_first_while_new_ones_arrive() {
    let app = spawn_app().await;
    let mut seeded = Vec::new();
    for i in 0..23 {
        // Some start in the same millisecond: the id breaks the tie.
        seeded.push(seed(&app, &Chat::at(T0 + (i / 3) * MINUTE)).await);
    }
    let console = Console::as_admin(&app).await;
    let q = query(&[("limit", "5")]);
    let mut listed: Vec<ConversationRow> = Vec::new();
    let mut page = console.list(&q).await.unwrap();
    let mut later = 0;
    loop {
        assert!(page.items.len() <= 5);
        listed.extend(page.items.clone());
        // A visitor hands off between two pages: a new conversation starts.
        later += 1;
        seed(&app, &Chat::at(T0 + 100 * MINUTE + later)).await;
        let Some(next) = page.next_cursor else { break };
        page = console.list(&q.after(&next)).await.unwrap();
    }
    let ids: Vec<i64> = listed.iter().map(|r| r.id).collect();
    let mut expected = seeded.clone();
    expected.reverse();
    assert_eq!(ids, expected, "each once, newest first (then by id), none of those that came later");
    assert_eq!(listed.len(), 23);
    // The first page now starts with those that came later.
    let first = console.list(&q).await.unwrap();
    assert!(first.items.iter().all(|r| !seeded.contains(&r.id)));
    // A page that ends exactly at the last conversation has no next.
    let all = console.list(&query(&[("limit", "100")])).await.unwrap();
    assert_eq!((all.items.len(), all.next_cursor), (23 + later as usize, None));
}

#[tokio::test]
async fn a_search_finds_what_the_visitor_and_the_agent_wrote_whatever_the_syntax() {
    let app = spawn_app().await;
    use ConversationState::*;
    let refund = seed(
        &app,
        &Chat::at(T0)
            .state(Active, Some("ada@example.com"))
            .said(Author::Visitor, "Hello, I would like a REFUND for order 1234 please")
            .said(Author::Agent, "Sure, the warehouse will take it back"),
    )
    .await;
    let mut answered =
        Chat::at(T0 + MINUTE).said(Author::System, "The chat ended after 10 minutes without messages.");
    answered.answers = vec!["Crème brûlée"];
    let answered = seed(&app, &answered).await;
    let other = seed(
        &app,
        &Chat::at(T0 + 2 * MINUTE).said(Author::Visitor, "Is the warehouse open (AND) on Sunday?"),
    )
    .await;
    let console = Console::as_admin(&app).await;
    let found = |q: &'static str| {
        let console = &console;
        async move { set(console.ids(&query(&[("q", q)])).await) }
    };

    // The visitor's word, in any case; the agent's.
    assert_eq!(found("refund").await, set([refund]));
    assert_eq!(found("Warehouse").await, set([refund, other]));
    // Every word, anywhere in the transcript (not in one line).
    assert_eq!(found("refund warehouse").await, set([refund]));
    // An answer in the bot part, without its accents.
    assert_eq!(found("creme").await, set([answered]));
    // Not the bot's own lines, nor system notices.
    assert!(found("help").await.is_empty());
    assert!(found("minutes").await.is_empty());
    // Search syntax is only text.
    for q in [
        "\"",
        "AND(",
        "\"refund",
        "refund*",
        "NEAR(refund",
        "refund OR",
        "-refund",
        "order:1234",
        "^refund",
        "(((",
    ] {
        let r = console.get(&format!("?{}", query(&[("q", q)]).to_query_string())).await;
        assert_eq!(r.status(), StatusCode::OK, "{q}");
    }
    assert_eq!(found("\"refund").await, set([refund]));
    assert_eq!(found("refund*").await, set([refund]));
    assert!(found("NEAR(refund").await.is_empty(), "the words near and refund");
    assert_eq!(found("order:1234").await, set([refund]));
    assert!(found("\"").await.is_empty());
    assert_eq!(found("(AND)").await, set([other]), "the word and, not the operator");

    // The snippet is the line that matched, as plain text.
    let page = console.list(&query(&[("q", "1234")])).await.unwrap();
    assert_eq!(page.items[0].snippet.as_deref(), Some("Hello, I would like a REFUND for order 1234 please"));
    let page = console.list(&query(&[("q", "brulee")])).await.unwrap();
    assert_eq!(page.items[0].snippet.as_deref(), Some("Crème brûlée"));
    let page = console.list(&ConversationQuery::default()).await.unwrap();
    assert!(page.items.iter().all(|r| r.snippet.is_none()), "no search, no snippet");
}

#[tokio::test]
async fn conversations_start_in_the_order_they_are_numbered_even_when_the_clock_steps_back() {
    let app = spawn_app().await;
    let first = seed(&app, &Chat::at(T0 + 10 * MINUTE).said(Author::Visitor, "parcel one")).await;
    // The clock stepped back five minutes: the next starts with the first.
    let second = seed(&app, &Chat::at(T0 + 5 * MINUTE).said(Author::Visitor, "parcel two")).await;
    let third = seed(&app, &Chat::at(T0 + 11 * MINUTE).said(Author::Visitor, "parcel three")).await;
    let console = Console::as_admin(&app).await;
    let rows = console.list(&ConversationQuery::default()).await.unwrap().items;
    let started: Vec<(i64, &str)> = rows.iter().map(|r| (r.id, r.started_at.as_str())).collect();
    assert_eq!(
        started,
        [
            (third, "2023-11-14T22:24:20.000Z"),
            (second, "2023-11-14T22:23:20.000Z"),
            (first, "2023-11-14T22:23:20.000Z")
        ]
    );
    // The search's order is the list's, one at a time too.
    assert_eq!(console.ids(&query(&[("q", "parcel"), ("limit", "1")])).await, [third, second, first]);
    assert_eq!(
        console.ids(&query(&[("q", "parcel"), ("to", "2023-11-14T22:24:00Z")])).await,
        [second, first]
    );
    assert_eq!(console.ids(&query(&[("q", "parcel"), ("from", "2023-11-14T22:24:00Z")])).await, [third]);
}

#[tokio::test]
async fn a_search_respects_the_other_filters_and_pages() {
    let app = spawn_app().await;
    add_site(&app, "other").await;
    use ConversationState::*;
    let mut demo = Vec::new();
    for i in 0..7 {
        demo.push(seed(&app, &Chat::at(T0 + i * MINUTE).said(Author::Visitor, "my parcel is late")).await);
    }
    let elsewhere =
        seed(&app, &Chat::at(T0 + 10 * MINUTE).site("other").said(Author::Visitor, "parcel")).await;
    let ended = seed(
        &app,
        &Chat::at(T0 + 11 * MINUTE)
            .state(Ended, Some("grace@example.com"))
            .said(Author::Agent, "Your parcel left"),
    )
    .await;
    let console = Console::as_admin(&app).await;
    let ids = |pairs: Vec<(&'static str, &'static str)>| {
        let console = &console;
        async move { console.ids(&query(&pairs)).await }
    };
    assert_eq!(set(ids(vec![("q", "parcel"), ("site", "other")]).await), set([elsewhere]));
    assert_eq!(set(ids(vec![("q", "parcel"), ("state", "ended")]).await), set([ended]));
    assert_eq!(set(ids(vec![("q", "parcel"), ("agent", "grace@example.com")]).await), set([ended]));
    assert!(ids(vec![("q", "parcel"), ("agent", "ada@example.com")]).await.is_empty());
    assert_eq!(
        set(ids(vec![("q", "late"), ("from", "2023-11-14T22:16:20Z")]).await),
        set(demo[3..].to_vec())
    );
    // Three at a time: every match once, newest first.
    let mut all: Vec<i64> = demo.iter().copied().chain([elsewhere, ended]).collect();
    all.reverse();
    assert_eq!(ids(vec![("q", "parcel"), ("limit", "3")]).await, all);
}

#[tokio::test]
async fn a_bad_parameter_is_a_400_naming_it() {
    let app = spawn_app().await;
    let console = Console::as_admin(&app).await;
    for (pairs, field) in [
        (vec![("limit", "0")], "limit"),
        (vec![("limit", "101")], "limit"),
        (vec![("limit", "many")], "limit"),
        (vec![("state", "live")], "state"),
        (vec![("from", "last week")], "from"),
        (vec![("from", "2025-03-02"), ("to", "2025-03-01")], "to"),
        (vec![("cursor", "page-2")], "cursor"),
        (vec![("site", "NOPE!")], "site"),
        (vec![("site", "nosuchsite")], "site"),
        (vec![("agent", "nobody@example.com")], "agent"),
        (vec![("agent", "not an email")], "agent"),
        (vec![("team", "Nobody")], "team"),
    ] {
        let refused = console.list(&query(&pairs)).await.unwrap_err();
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{pairs:?}");
        assert_eq!(refused.body.error.code, "bad_request");
        assert_eq!(refused.fields(), [field], "{pairs:?}");
    }
    // Several at once, each named.
    let refused =
        console.list(&query(&[("limit", "0"), ("state", "x"), ("q", &"x".repeat(201))])).await.unwrap_err();
    assert_eq!(refused.fields(), ["state", "q", "limit"]);
    // A parameter given twice is refused as JSON too.
    let r = console.get("?state=ended&state=active").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<ErrorBody>().await.unwrap().error.code, "bad_request");
}

#[tokio::test]
async fn an_unknown_conversation_is_not_found() {
    let app = spawn_app().await;
    let console = Console::as_admin(&app).await;
    for id in ["999", "-1", "abc", "99999999999999999999"] {
        let refused = console.detail(id).await.unwrap_err();
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{id}");
        assert_eq!(refused.body.error.code, "not_found", "{id}");
    }
}

#[tokio::test]
async fn a_team_has_the_conversations_routed_to_it_and_those_of_its_members() {
    let app = spawn_app().await;
    let store = &app.state.store;
    // A team of more members than are read one by one.
    let mut members = vec!["grace@example.com".to_owned()];
    for i in 0..70 {
        let email = format!("member{i}@example.com");
        store
            .create_agent(&format!("Member {i}"), &email, "hash", switchboard_protocol::auth::Role::Agent, T0)
            .await
            .unwrap();
        members.push(email);
    }
    let members: Vec<&str> = members.iter().map(String::as_str).collect();
    app.admin().await.add_team(&team("Big", &members)).await.unwrap();
    app.admin().await.add_team(&team("Small", &["grace@example.com"])).await.unwrap();
    use ConversationState::*;
    let hello = |chat: Chat| chat.said(Author::Visitor, "hello");
    let grace = seed(&app, &hello(Chat::at(T0).state(Active, Some("grace@example.com")))).await;
    let ada = seed(&app, &hello(Chat::at(T0 + MINUTE).state(Active, Some("ada@example.com")))).await;
    let routed_big = seed(&app, &hello(Chat::at(T0 + 2 * MINUTE).team("big"))).await;
    let mut member = Vec::new();
    for i in 0..4 {
        let email: &'static str = Box::leak(format!("member{}@example.com", i * 20).into_boxed_str());
        member.push(seed(&app, &hello(Chat::at(T0 + (3 + i) * MINUTE).state(Offered, Some(email)))).await);
    }
    // Routed to the team and taken by a member: listed once.
    let both =
        seed(&app, &Chat::at(T0 + 10 * MINUTE).team("Small").state(Ended, Some("grace@example.com"))).await;
    let console = Console::as_admin(&app).await;
    let big = console.ids(&query(&[("team", "BIG"), ("limit", "2")])).await;
    let mut expected: Vec<i64> = [grace, routed_big].into_iter().chain(member).chain([both]).collect();
    expected.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(big, expected);
    assert_eq!(console.ids(&query(&[("team", "small"), ("limit", "1")])).await, [both, grace]);
    // With a search, the same team, checked match by match.
    let searched = console.ids(&query(&[("team", "big"), ("q", "hello"), ("limit", "2")])).await;
    assert_eq!(searched, expected.iter().copied().filter(|id| *id != both).collect::<Vec<_>>());
    assert!(!big.contains(&ada));
}

#[tokio::test]
async fn the_detail_has_the_whole_transcript_the_visitor_and_why_it_went_where_it_did() {
    let app = spawn_app().await;
    app.admin().await.add_team(&team("Sales", &["grace@example.com"])).await.unwrap();
    let mut grace = app.agent("grace@example.com").await;
    let mut v = connect(&app.url, "demo", ALLOWED).await.unwrap();
    v.hello(None, 0).await;
    let (stream, version, card) = app.live_chat(Routing::Team("Sales".into())).await;
    v.send(&VisitorIn::Handoff {
        stream,
        version,
        card,
        attributes: [
            ("first_name", "Jo"),
            ("last_name", "Bloggs"),
            ("email", "jo@example.org"),
            ("company", "Acme"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect(),
        transcript: vec![
            Entry::Bot { card: "hi".into(), text: "Shall I connect you?".into() },
            Entry::Visitor { card: "hi".into(), text: "Yes please".into() },
        ],
        page: PageContext {
            url: "https://shop.example.com/pricing".into(),
            referrer: "https://search.example/".into(),
            language: "nl-NL".into(),
            ..Default::default()
        },
    })
    .await;
    assert_eq!(v.recv().await, VisitorOut::State { state: ConversationState::Waiting });
    let id = match grace.recv().await {
        AgentOut::Offer { conversation, .. } => conversation,
        other => panic!("expected an offer, got {other:?}"),
    };
    grace.accept(id).await;
    // One message each, in turn: each side sees the other's stored first.
    v.send(&VisitorIn::Message { client_id: "m1".into(), text: "Where is my parcel?".into() }).await;
    loop {
        if let AgentOut::Message { message, .. } = grace.recv().await {
            if message.author == Author::Visitor {
                break;
            }
        }
    }
    grace
        .send(&AgentIn::Message { conversation: id, client_id: "a1".into(), text: "On its way".into() })
        .await;
    loop {
        if let VisitorOut::Message(m) = v.recv().await {
            if m.author == Author::Agent {
                break;
            }
        }
    }

    let console = Console::as_admin(&app).await;
    let d = console.detail(&id.to_string()).await.unwrap();
    assert_eq!(d.row.id, id);
    assert_eq!(d.row.state, ConversationState::Active);
    assert_eq!(
        (d.row.visitor_name.as_deref(), d.row.visitor_email.as_deref()),
        (Some("Jo Bloggs"), Some("jo@example.org"))
    );
    assert_eq!(d.row.agent.as_ref().map(|a| a.email.as_str()), Some("grace@example.com"));
    assert_eq!(d.row.message_count, 4);
    assert_eq!(d.row.snippet, None);
    assert_eq!(d.visitor.attributes["company"], "Acme");
    assert_eq!(d.visitor.page.url, "https://shop.example.com/pricing");
    assert_eq!(d.visitor.page.referrer, "https://search.example/");
    assert_eq!(d.visitor.page.language, "nl-NL");
    assert!(d.visitor.first_seen.ends_with('Z') && d.visitor.first_seen <= d.row.started_at, "{d:?}");
    let lines: Vec<(&str, &str)> = d
        .messages
        .iter()
        .map(|l| match l {
            TranscriptLine::Bot(Entry::Bot { text, .. }) => ("bot", text.as_str()),
            TranscriptLine::Bot(Entry::Visitor { text, .. }) => ("visitor answer", text.as_str()),
            TranscriptLine::Live(m) => {
                (if m.author == Author::Agent { "agent" } else { "visitor" }, m.text.as_str())
            }
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("bot", "Shall I connect you?"),
            ("visitor answer", "Yes please"),
            ("visitor", "Where is my parcel?"),
            ("agent", "On its way")
        ]
    );
    assert!(matches!(&d.messages[2], TranscriptLine::Live(m) if m.seq == 1 && m.at >= d.row.started_at));
    // Why: the card's team, where Ada was passed over.
    assert_eq!(d.explain.conversation, id);
    assert_eq!(d.explain.routing, Routing::Team("Sales".into()));
    assert_eq!(d.explain.decisions[0]["steps"][0]["stage"], "team");
    assert_eq!(d.explain.decisions[0]["outcome"]["email"], "grace@example.com");
    assert!(d.explain.text.contains("team Sales"), "{}", d.explain.text);
    // And the list finds it by the team it was routed to, and by its words.
    let listed = console.list(&query(&[("team", "sales"), ("q", "parcel")])).await.unwrap();
    assert_eq!(listed.items.iter().map(|r| r.id).collect::<Vec<_>>(), [id]);
    assert_eq!(listed.items[0].snippet.as_deref(), Some("Where is my parcel?"));

    // Ended by the agent: when, in the row.
    grace.send(&AgentIn::End { conversation: id }).await;
    loop {
        if v.recv().await == (VisitorOut::State { state: ConversationState::Ended }) {
            break;
        }
    }
    let d = console.detail(&id.to_string()).await.unwrap();
    assert_eq!(d.row.state, ConversationState::Ended);
    let ended = d.row.ended_at.clone().expect("ended at");
    assert!(ended >= d.row.started_at && d.row.last_activity_at == ended, "{ended} {:?}", d.row);
}
