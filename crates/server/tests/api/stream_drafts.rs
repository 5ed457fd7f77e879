//! The stream designer's server side: drafts with revisions, publishing a
//! draft with a note, the release history with what changed, restore, the
//! file publish and the command line keeping the draft in step, and a
//! hand-off naming an older version routing by that version's card.

use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::process::{Command, Output};
use switchboard_protocol::admin::{
    CardChanges, DraftConflict, DraftView, InvalidDraft, PublishDraft, ReleaseView, SaveDraft, StreamFinding,
    StreamPublished, StreamSummary, MAX_DRAFT_BYTES, MAX_DRAFT_CARDS,
};
use switchboard_protocol::stream::{file, CardKind, Routing, Stream};
use switchboard_protocol::wire::{AgentOut, ConversationState, VisitorIn, VisitorOut};

use crate::helpers::{spawn_app, TestApp, ALLOWED};
use crate::ws_client::{connect, AgentClient, VisitorClient};

const ADA: &str = "ada@example.com";
const GRACE: &str = "grace@example.com";

/// A stream with a question, a live chat and an end.
const SPRING: &str = r#"
id = "spring"
name = "Spring offer"
targets = ["/pricing*"]

[[card]]
id = "hello"
type = "message"
text = "Hi!"

[[card]]
id = "ask"
type = "question"
text = "Shall I connect you with someone?"
answers = [
  { label = "Yes", next = "chat" },
  { label = "No thanks", next = "bye" },
]

[[card]]
id = "chat"
type = "live_chat"
routing = "round_robin"

[[card]]
id = "bye"
type = "end"
text = "Bye!"
"#;

fn spring() -> Stream {
    file::parse(SPRING).unwrap().stream.into_inner()
}

/// A refusal: its status and body.
#[derive(Debug)]
struct Refused {
    status: StatusCode,
    body: Value,
}

impl Refused {
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap()
    }

    /// The body read as `T` (a `DraftConflict`, an `InvalidDraft`).
    fn read<T: DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.body.clone()).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn fields(&self) -> Vec<&str> {
        let fields = self.body["error"]["fields"].as_array().unwrap();
        fields.iter().map(|f| f["field"].as_str().unwrap()).collect()
    }
}

type Answer<T> = Result<T, Refused>;

/// The designer's routes as the console calls them, with the admin's session.
struct Designer {
    http: reqwest::Client,
    base: Url,
    token: String,
}

impl Designer {
    async fn new(app: &TestApp) -> Self {
        let base = Url::parse(&format!("{}/api/admin/sites/", app.url)).unwrap();
        Designer { http: app.http.clone(), base, token: app.session("admin@example.com").await }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &[&str],
        body: Option<Value>,
    ) -> Answer<T> {
        let mut url = self.base.clone();
        url.path_segments_mut().unwrap().pop_if_empty().extend(path);
        let r = self.http.request(method, url).bearer_auth(&self.token);
        let r = match body {
            Some(b) => r.json(&b),
            None => r,
        };
        let r = r.send().await.unwrap();
        let status = r.status();
        let bytes = r.bytes().await.unwrap();
        let bytes: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
        if status.is_success() {
            Ok(serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{status}: {e}")))
        } else {
            Err(Refused { status, body: serde_json::from_slice(bytes).unwrap() })
        }
    }

    async fn draft(&self, key: &str, id: &str) -> Answer<DraftView> {
        self.call(Method::GET, &[key, "streams", id, "draft"], None).await
    }

    async fn save(&self, key: &str, id: &str, stream: &Stream, base_revision: u64) -> Answer<DraftView> {
        let body = SaveDraft { stream: stream.clone(), base_revision };
        self.call(Method::PUT, &[key, "streams", id, "draft"], Some(json!(body))).await
    }

    async fn publish(&self, key: &str, id: &str, base_revision: u64, note: &str) -> Answer<StreamPublished> {
        let body = PublishDraft { base_revision, note: note.into() };
        self.call(Method::POST, &[key, "streams", id, "publish"], Some(json!(body))).await
    }

    async fn releases(&self, key: &str, id: &str) -> Answer<Vec<ReleaseView>> {
        self.call(Method::GET, &[key, "streams", id, "releases"], None).await
    }

    async fn release(&self, key: &str, id: &str, version: u32) -> Answer<Stream> {
        self.call(Method::GET, &[key, "streams", id, "releases", &version.to_string()], None).await
    }

    async fn restore(&self, key: &str, id: &str, version: u32, body: Value) -> Answer<StreamPublished> {
        let path = [key, "streams", id, "releases", &version.to_string(), "restore"];
        self.call(Method::POST, &path, Some(body)).await
    }

    async fn streams(&self, key: &str) -> Answer<Vec<StreamSummary>> {
        self.call(Method::GET, &[key, "streams"], None).await
    }

    async fn remove(&self, key: &str, id: &str) -> Answer<()> {
        self.call(Method::DELETE, &[key, "streams", id], None).await
    }

    /// Publishes a stream file (the body is the TOML itself).
    async fn publish_file(&self, key: &str, toml: &str) -> StreamPublished {
        let mut url = self.base.clone();
        url.path_segments_mut().unwrap().pop_if_empty().extend([key, "streams"]);
        let r = self.http.put(url).bearer_auth(&self.token).body(toml.to_owned()).send().await.unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }
}

/// A stream saved as a new draft, then published; answers the version.
async fn publish_new(d: &Designer, stream: &Stream, note: &str) -> u32 {
    let saved = d.save("demo", &stream.id, stream, 0).await.unwrap();
    d.publish("demo", &stream.id, saved.revision, note).await.unwrap().version
}

fn text_of<'a>(stream: &'a mut Stream, card: &str) -> &'a mut String {
    match &mut stream.cards.iter_mut().find(|c| c.id == card).unwrap().kind {
        CardKind::Message { text, .. } | CardKind::Question { text, .. } => text,
        other => panic!("{other:?} has no text"),
    }
}

#[tokio::test]
async fn a_draft_is_saved_and_read_back_with_the_next_revision() {
    let app = spawn_app().await;
    let d = Designer::new(&app).await;
    let mut stream = spring();
    let saved = d.save("demo", "spring", &stream, 0).await.unwrap();
    assert_eq!((saved.revision, saved.saved_by.as_str(), saved.published_version), (1, "Admin", None));
    assert_eq!(saved.stream, stream);
    assert_eq!(d.draft("demo", "spring").await.unwrap(), saved);

    *text_of(&mut stream, "hello") = "Hello there!".into();
    let again = d.save("demo", "spring", &stream, 1).await.unwrap();
    assert_eq!(again.revision, 2);
    assert_eq!(d.draft("demo", "spring").await.unwrap().stream, stream);
}

#[tokio::test]
async fn a_published_stream_without_a_draft_opens_as_revision_0() {
    let app = spawn_app().await;
    let d = Designer::new(&app).await;
    // As a stream published before drafts were kept.
    app.execute("DELETE FROM stream_drafts").await;
    let draft = d.draft("demo", "recommended").await.unwrap();
    assert_eq!((draft.revision, draft.published_version, draft.stream.version), (0, Some(1), 0));
    assert_eq!(draft.stream.cards.len(), 6, "{:?}", draft.stream);
    let saved = d.save("demo", "recommended", &draft.stream, 0).await.unwrap();
    assert_eq!(saved.revision, 1);
}

#[tokio::test]
async fn a_save_from_a_stale_revision_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let d = Designer::new(&app).await;
    let first = spring();
    let kept = d.save("demo", "spring", &first, 0).await.unwrap();
    // A second tab that opened the stream before the first saved.
    let mut other = spring();
    *text_of(&mut other, "hello") = "Another tab's words".into();
    let r = d.save("demo", "spring", &other, 0).await.unwrap_err();
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "draft_conflict"));
    let conflict: DraftConflict = r.read();
    assert_eq!(conflict.draft, kept, "the refusal carries the draft as it is");
    assert_eq!(d.draft("demo", "spring").await.unwrap(), kept, "nothing changed");
    // Having seen it, the tab saves on top of it.
    assert_eq!(d.save("demo", "spring", &other, conflict.draft.revision).await.unwrap().revision, 2);
}

#[tokio::test]
async fn an_invalid_draft_is_kept_but_publishing_it_names_each_finding() {
    let app = spawn_app().await;
    let d = Designer::new(&app).await;
    let mut stream = spring();
    if let CardKind::LiveChat { next, .. } = &mut stream.cards[2].kind {
        *next = Some("bye".into());
    }
    let saved = d.save("demo", "spring", &stream, 0).await.unwrap();
    assert_eq!(saved.stream, stream, "a draft may be invalid");

    let r = d.publish("demo", "spring", saved.revision, "").await.unwrap_err();
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_stream"));
    let invalid: InvalidDraft = r.read();
    let after_live_chat = StreamFinding {
        card: Some("chat".into()),
        field: Some("next".into()),
        rule: "after_live_chat".into(),
        message: "a live chat card is the last card of its branch; remove `next = \"bye\"`".into(),
    };
    assert_eq!(invalid.findings, [after_live_chat]);
    assert_eq!(
        invalid.error.details.unwrap(),
        ["card chat: a live chat card is the last card of its branch; remove `next = \"bye\"`"]
    );
    assert!(d.releases("demo", "spring").await.unwrap().is_empty(), "nothing was published");
    let listed = d.streams("demo").await.unwrap();
    let spring = listed.iter().find(|s| s.id == "spring").unwrap();
    assert_eq!((spring.published, spring.draft, spring.version), (false, true, 0));
}

#[tokio::test]
async fn publishing_a_draft_records_a_release_and_the_next_lists_what_changed() {
    let app = spawn_app().await;
    let d = Designer::new(&app).await;
    let mut stream = spring();
    assert_eq!(publish_new(&d, &stream, "Spring is here").await, 1);
    let published = d.streams("demo").await.unwrap();
    let listed = published.iter().find(|s| s.id == "spring").unwrap();
    assert_eq!((listed.published, listed.draft, listed.version), (true, false, 1));
    assert_eq!(d.draft("demo", "spring").await.unwrap().published_version, Some(1));

    // Change a card, add one, remove one, and retarget.
    *text_of(&mut stream, "ask") = "Would you like to talk to us?".into();
    stream.cards.retain(|c| c.id != "bye");
    stream.cards.push(switchboard_protocol::stream::Card {
        id: "later".into(),
        kind: CardKind::End { text: Some("Another time, then.".into()) },
    });
    if let CardKind::Question { answers, .. } = &mut stream.cards[1].kind {
        answers[1].next = Some("later".into());
    }
    stream.targets = vec!["*".into()];
    let saved = d.save("demo", "spring", &stream, 1).await.unwrap();
    let listed = d.streams("demo").await.unwrap();
    assert!(listed.iter().find(|s| s.id == "spring").unwrap().draft, "the draft differs");
    let r = d.publish("demo", "spring", 1, "stale").await.unwrap_err();
    assert_eq!(r.code(), "draft_conflict", "what is published is what the admin sees");
    assert_eq!(d.publish("demo", "spring", saved.revision, "Shorter").await.unwrap().version, 2);

    let releases = d.releases("demo", "spring").await.unwrap();
    assert_eq!(releases.iter().map(|r| r.version).collect::<Vec<_>>(), [2, 1], "newest first");
    let (second, first) = (&releases[0], &releases[1]);
    assert_eq!((first.note.as_str(), first.published_by.as_str()), ("Spring is here", "Admin"));
    assert_eq!(first.published_by_email, "admin@example.com");
    assert_eq!(first.changes.added, ["hello", "ask", "chat", "bye"]);
    assert!(!first.settings_changed);
    let changes =
        CardChanges { added: vec!["later".into()], removed: vec!["bye".into()], changed: vec!["ask".into()] };
    assert_eq!((second.note.as_str(), &second.changes, second.settings_changed), ("Shorter", &changes, true));
    assert!(second.published_at >= first.published_at);
    assert_eq!(d.release("demo", "spring", 2).await.unwrap(), Stream { version: 2, ..stream });
}

#[tokio::test]
async fn restoring_a_release_publishes_it_again_and_makes_it_the_draft() {
    let app = spawn_app().await;
    let d = Designer::new(&app).await;
    let mut stream = spring();
    publish_new(&d, &stream, "One").await;
    *text_of(&mut stream, "hello") = "Welcome back!".into();
    let saved = d.save("demo", "spring", &stream, 1).await.unwrap();
    d.publish("demo", "spring", saved.revision, "Two").await.unwrap();

    let restored = d.restore("demo", "spring", 1, json!({})).await.unwrap();
    assert_eq!((restored.id.as_str(), restored.version), ("spring", 3));
    let one = d.release("demo", "spring", 1).await.unwrap();
    let three = d.release("demo", "spring", 3).await.unwrap();
    assert_eq!(three.cards, one.cards);
    let draft = d.draft("demo", "spring").await.unwrap();
    assert_eq!(draft.stream, Stream { version: 0, ..one });
    assert_eq!((draft.revision, draft.published_version), (saved.revision + 1, Some(3)));
    let latest = &d.releases("demo", "spring").await.unwrap()[0];
    assert_eq!((latest.version, latest.note.as_str()), (3, "Restored version 1"));
    assert_eq!(latest.changes.changed, ["hello"]);
    // A tab still on the draft from before the restore is told.
    assert_eq!(d.save("demo", "spring", &stream, saved.revision).await.unwrap_err().code(), "draft_conflict");
    let noted = d.restore("demo", "spring", 2, json!({"note": "Two again"})).await.unwrap();
    assert_eq!(noted.version, 4);
    assert_eq!(d.releases("demo", "spring").await.unwrap()[0].note, "Two again");
}

#[tokio::test]
async fn publishing_a_stream_file_records_a_release_and_replaces_the_draft() {
    let app = spawn_app().await;
    let d = Designer::new(&app).await;
    let mut stream = spring();
    let saved = d.save("demo", "spring", &stream, 0).await.unwrap();
    let published = d.publish_file("demo", SPRING).await;
    assert_eq!(published.version, 1);
    let draft = d.draft("demo", "spring").await.unwrap();
    assert_eq!((draft.revision, draft.published_version), (saved.revision + 1, Some(1)));
    assert_eq!(draft.stream, spring());
    let release = &d.releases("demo", "spring").await.unwrap()[0];
    assert_eq!((release.version, release.note.as_str(), release.published_by.as_str()), (1, "", "Admin"));
    // The designer's tab from before the file was published is told.
    *text_of(&mut stream, "hello") = "Mine".into();
    assert_eq!(d.save("demo", "spring", &stream, saved.revision).await.unwrap_err().code(), "draft_conflict");
}

#[tokio::test]
async fn unknown_sites_streams_and_releases_are_not_found() {
    let app = spawn_app().await;
    let d = Designer::new(&app).await;
    let not_found =
        |r: Refused| assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"), "{r:?}");
    not_found(d.draft("nowhere", "spring").await.unwrap_err());
    not_found(d.draft("demo", "spring").await.unwrap_err());
    not_found(d.save("nowhere", "spring", &spring(), 0).await.unwrap_err());
    not_found(d.save("demo", "spring", &spring(), 3).await.unwrap_err());
    not_found(d.publish("demo", "spring", 0, "").await.unwrap_err());
    not_found(d.releases("demo", "spring").await.unwrap_err());
    not_found(d.release("demo", "recommended", 9).await.unwrap_err());
    not_found(d.restore("demo", "recommended", 9, json!({})).await.unwrap_err());
    not_found(d.remove("demo", "spring").await.unwrap_err());
}

#[tokio::test]
async fn a_draft_under_another_id_or_with_absurdly_many_cards_is_refused_by_field() {
    let app = spawn_app().await;
    let d = Designer::new(&app).await;
    let r = d.save("demo", "autumn", &spring(), 0).await.unwrap_err();
    assert_eq!((r.status, r.fields()), (StatusCode::BAD_REQUEST, vec!["stream.id"]));
    let r = d.save("demo", "no spaces", &Stream { id: "no spaces".into(), ..spring() }, 0).await.unwrap_err();
    assert_eq!((r.status, r.fields()), (StatusCode::BAD_REQUEST, vec!["id"]));
    let mut huge = spring();
    huge.cards = vec![huge.cards[3].clone(); MAX_DRAFT_CARDS + 1];
    let r = d.save("demo", "spring", &huge, 0).await.unwrap_err();
    assert_eq!((r.status, r.fields()), (StatusCode::BAD_REQUEST, vec!["stream.cards"]));
    let r = d.publish("demo", "recommended", 1, &"x".repeat(501)).await.unwrap_err();
    assert_eq!((r.status, r.fields()), (StatusCode::BAD_REQUEST, vec!["note"]));
    assert_eq!(d.draft("demo", "spring").await.unwrap_err().status, StatusCode::NOT_FOUND, "none kept");
}

#[tokio::test]
async fn a_draft_over_256_kib_of_json_is_too_large() {
    let app = spawn_app().await;
    let d = Designer::new(&app).await;
    let mut stream = spring();
    let json_len = |s: &Stream| serde_json::to_string(s).unwrap().len();
    // Just over the limit as JSON (the body around it still fits the route).
    let pad = MAX_DRAFT_BYTES + 1 - json_len(&stream);
    text_of(&mut stream, "hello").push_str(&"x".repeat(pad));
    assert_eq!(json_len(&stream), MAX_DRAFT_BYTES + 1);
    let r = d.save("demo", "spring", &stream, 0).await.unwrap_err();
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "too_large"));
    // Far over: the body itself is refused.
    text_of(&mut stream, "hello").push_str(&"x".repeat(MAX_DRAFT_BYTES));
    let r = d.save("demo", "spring", &stream, 0).await.unwrap_err();
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "too_large"));
    // At the limit it is kept.
    let mut fits = spring();
    let pad = MAX_DRAFT_BYTES - json_len(&fits);
    text_of(&mut fits, "hello").push_str(&"x".repeat(pad));
    assert_eq!(d.save("demo", "spring", &fits, 0).await.unwrap().revision, 1);
}

#[tokio::test]
async fn removing_a_stream_removes_its_draft_and_releases() {
    let app = spawn_app().await;
    let d = Designer::new(&app).await;
    publish_new(&d, &spring(), "").await;
    d.remove("demo", "spring").await.unwrap();
    assert_eq!(d.draft("demo", "spring").await.unwrap_err().status, StatusCode::NOT_FOUND);
    assert_eq!(d.releases("demo", "spring").await.unwrap_err().status, StatusCode::NOT_FOUND);
    assert!(!d.streams("demo").await.unwrap().iter().any(|s| s.id == "spring"));
    // A draft alone is removed too; published again, the versions go on.
    d.save("demo", "spring", &spring(), 0).await.unwrap();
    d.remove("demo", "spring").await.unwrap();
    assert_eq!(publish_new(&d, &spring(), "").await, 2);
    assert_eq!(d.releases("demo", "spring").await.unwrap()[0].changes.added.len(), 4, "a fresh history");
}

/// A visitor on the demo site hands off at the card `chat` of `version`;
/// answers the visitor (who must stay, or the hand-off is withdrawn) once
/// it is waiting for an agent.
async fn hand_off(app: &TestApp, stream: &str, version: u32) -> VisitorClient {
    let mut v = connect(&app.url, "demo", ALLOWED).await.unwrap();
    v.hello(None, 0).await;
    v.send(&VisitorIn::Handoff {
        stream: stream.into(),
        version,
        card: "chat".into(),
        attributes: Default::default(),
        transcript: vec![],
        page: Default::default(),
    })
    .await;
    loop {
        match v.recv().await {
            VisitorOut::State { state: ConversationState::Waiting } => break,
            VisitorOut::Error { code, message } => panic!("refused: {code:?} {message}"),
            _ => {}
        }
    }
    v
}

async fn offered(a: &mut AgentClient) {
    loop {
        match a.recv().await {
            AgentOut::Offer { .. } => return,
            AgentOut::Availability { .. } => {}
            other => panic!("expected an offer, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_hand_off_naming_an_older_version_is_routed_by_that_versions_card() {
    let app = spawn_app().await;
    let d = Designer::new(&app).await;
    let mut ada = app.agent(ADA).await;
    let mut grace = app.agent(GRACE).await;
    let mut stream = Stream {
        id: "direct".into(),
        name: "Direct".into(),
        priority: -1,
        targets: vec!["/never".into()],
        exclude: vec![],
        locale: Default::default(),
        cards: vec![switchboard_protocol::stream::Card {
            id: "chat".into(),
            kind: CardKind::LiveChat { routing: Routing::Agent(ADA.into()), text: None, next: None },
        }],
        version: 0,
    };
    assert_eq!(publish_new(&d, &stream, "To Ada").await, 1);
    stream.cards[0].kind =
        CardKind::LiveChat { routing: Routing::Agent(GRACE.into()), text: None, next: None };
    let draft = d.save("demo", "direct", &stream, d.draft("demo", "direct").await.unwrap().revision).await;
    d.publish("demo", "direct", draft.unwrap().revision, "To Grace").await.unwrap();

    // A visitor who started version 1 before version 2 was published.
    let _first = hand_off(&app, "direct", 1).await;
    offered(&mut ada).await;
    grace.silent_for(300).await;
    // One who started version 2.
    let _second = hand_off(&app, "direct", 2).await;
    offered(&mut grace).await;
    ada.silent_for(300).await;
}

/// Runs `switchboard` on the database in `data`.
fn switchboard(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .env("SWITCHBOARD_DATA_DIR", data)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn examples() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/streams");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    files
}

#[test]
fn pull_then_push_then_pull_gives_the_same_file_for_every_example() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    stdout(&switchboard(d, &["site", "add", "acme", "--name", "Acme"]));
    for path in examples() {
        let path_text = path.to_str().unwrap();
        let id = file::parse(&std::fs::read_to_string(&path).unwrap()).unwrap().stream.stream().id.clone();
        let pushed = stdout(&switchboard(d, &["stream", "push", path_text, "--site", "acme"]));
        assert!(
            pushed.contains(&format!("Saved the draft of stream {id} for site acme as revision 1")),
            "{pushed}"
        );
        let first = stdout(&switchboard(d, &["stream", "pull", &id, "--site", "acme"]));
        let again = dir.path().join(format!("{id}.toml"));
        std::fs::write(&again, &first).unwrap();
        let pushed = stdout(&switchboard(d, &["stream", "push", again.to_str().unwrap(), "--site", "acme"]));
        assert!(pushed.contains("as revision 2 (not published)."), "{pushed}");
        let out = dir.path().join(format!("{id}.out.toml"));
        stdout(&switchboard(d, &["stream", "pull", &id, "--site", "acme", "--out", out.to_str().unwrap()]));
        assert_eq!(std::fs::read_to_string(&out).unwrap(), first, "{id}");
        // The same stream as the example, written out.
        let example = file::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(first, file::write(example.stream.stream()), "{id}");
    }
    // Pushed, not published.
    let listed = stdout(&switchboard(d, &["stream", "list", "--site", "acme"]));
    assert_eq!(
        listed.lines().filter(|l| l.ends_with("\tdraft, not published")).count(),
        examples().len(),
        "{listed}"
    );
}

#[test]
fn the_command_line_pushes_drafts_publishes_with_a_release_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    stdout(&switchboard(d, &["site", "add", "acme", "--name", "Acme"]));
    let first = d.join("spring.toml");
    std::fs::write(&first, SPRING).unwrap();
    let first = first.to_str().unwrap();
    stdout(&switchboard(d, &["stream", "publish", first, "--site", "acme"]));

    // An invalid file is a draft with errors to fix; a broken one is refused.
    let invalid = d.join("invalid.toml");
    std::fs::write(
        &invalid,
        SPRING.replace("routing = \"round_robin\"", "routing = \"round_robin\"\nnext = \"bye\""),
    )
    .unwrap();
    let pushed = stdout(&switchboard(d, &["stream", "push", invalid.to_str().unwrap(), "--site", "acme"]));
    assert!(pushed.contains("card chat: a live chat card is the last card of its branch"), "{pushed}");
    assert!(pushed.contains("as revision 2 (not published); fix its error before publishing."), "{pushed}");
    let broken = d.join("broken.toml");
    std::fs::write(&broken, "id = \"spring\"\nname = \n").unwrap();
    let o = switchboard(d, &["stream", "push", broken.to_str().unwrap(), "--site", "acme"]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains(&format!("{}:2:", broken.display())), "{stderr}");
    assert!(stdout(&switchboard(d, &["stream", "list", "--site", "acme"]))
        .contains("\tdraft differs from version 1"));

    let edited = d.join("edited.toml");
    std::fs::write(&edited, SPRING.replace("text = \"Hi!\"", "text = \"Hello!\"")).unwrap();
    stdout(&switchboard(d, &["stream", "publish", edited.to_str().unwrap(), "--site", "acme"]));
    let restored = stdout(&switchboard(d, &["stream", "restore", "spring", "1", "--site", "acme"]));
    assert_eq!(restored, "Restored version 1 of stream spring as version 3 for site acme.\n");
    let pulled = stdout(&switchboard(d, &["stream", "pull", "spring", "--site", "acme"]));
    assert_eq!(pulled, file::write(&spring()));

    let releases = stdout(&switchboard(d, &["stream", "releases", "spring", "--site", "acme"]));
    let lines: Vec<Vec<&str>> = releases.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(lines.len(), 3, "{releases}");
    let expected = [
        ("3", "-", "Restored version 1", "~hello"),
        ("2", "-", edited.to_str().unwrap(), "~hello"),
        ("1", "-", first, "+hello +ask +chat +bye"),
    ];
    assert_eq!(lines.iter().map(|l| (l[0], l[2], l[3], l[4])).collect::<Vec<_>>(), expected);
    assert!(lines[0][1].ends_with('Z'), "{releases}");
}

#[tokio::test]
async fn the_designers_answers_fit_the_documented_schemas() {
    let app = spawn_app().await;
    let doc = crate::openapi::document(&app).await;
    let token = app.session("admin@example.com").await;
    let call = |method: Method, path: &str| {
        app.http.request(method, format!("{}{path}", app.url)).bearer_auth(&token)
    };
    let draft = "/api/admin/sites/{key}/streams/{id}/draft";
    let publish = "/api/admin/sites/{key}/streams/{id}/publish";
    let releases = "/api/admin/sites/{key}/streams/{id}/releases";
    let release = "/api/admin/sites/{key}/streams/{id}/releases/{version}";
    let restore = "/api/admin/sites/{key}/streams/{id}/releases/{version}/restore";
    let fits = crate::openapi::fits;

    let r = call(Method::GET, "/api/admin/sites/demo/streams/recommended/draft").send().await.unwrap();
    let opened = fits(&doc, "GET", draft, r).await;
    let body = json!({"stream": opened["stream"], "base_revision": opened["revision"]});
    let r = call(Method::PUT, "/api/admin/sites/demo/streams/recommended/draft")
        .json(&body)
        .send()
        .await
        .unwrap();
    let saved = fits(&doc, "PUT", draft, r).await;
    let r = call(Method::PUT, "/api/admin/sites/demo/streams/recommended/draft")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(fits(&doc, "PUT", draft, r).await["error"]["code"], "draft_conflict");
    let stale = json!({"base_revision": 0, "note": "stale"});
    let r = call(Method::POST, "/api/admin/sites/demo/streams/recommended/publish")
        .json(&stale)
        .send()
        .await
        .unwrap();
    assert_eq!(fits(&doc, "POST", publish, r).await["draft"]["revision"], saved["revision"]);
    let fresh = json!({"base_revision": saved["revision"], "note": "Again"});
    let r = call(Method::POST, "/api/admin/sites/demo/streams/recommended/publish")
        .json(&fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(fits(&doc, "POST", publish, r).await["version"], 2);
    let r = call(Method::GET, "/api/admin/sites/demo/streams/recommended/releases").send().await.unwrap();
    assert_eq!(fits(&doc, "GET", releases, r).await[0]["note"], "Again");
    let r = call(Method::GET, "/api/admin/sites/demo/streams/recommended/releases/1").send().await.unwrap();
    fits(&doc, "GET", release, r).await;
    let r = call(Method::POST, "/api/admin/sites/demo/streams/recommended/releases/1/restore")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(fits(&doc, "POST", restore, r).await["version"], 3);

    // A draft the validator refuses.
    let mut broken = opened["stream"].clone();
    broken["cards"].as_array_mut().unwrap().retain(|c| c["id"] != "bye");
    let current = call(Method::GET, "/api/admin/sites/demo/streams/recommended/draft").send().await.unwrap();
    let current: Value = current.json().await.unwrap();
    let body = json!({"stream": broken, "base_revision": current["revision"]});
    let r = call(Method::PUT, "/api/admin/sites/demo/streams/recommended/draft")
        .json(&body)
        .send()
        .await
        .unwrap();
    let saved = fits(&doc, "PUT", draft, r).await;
    let publish_it = json!({"base_revision": saved["revision"]});
    let r = call(Method::POST, "/api/admin/sites/demo/streams/recommended/publish")
        .json(&publish_it)
        .send()
        .await
        .unwrap();
    let refused = fits(&doc, "POST", publish, r).await;
    assert_eq!(refused["error"]["code"], "invalid_stream");
    assert!(refused["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "missing_card"), "{refused}");
}
