//! `db copy`'s tests. Those that need no PostgreSQL run everywhere: the
//! table lists against SQLite's schema, and the refusals. The copy itself
//! needs a PostgreSQL server: it runs in the postgres suite (`cargo xtask
//! test`, which sets `SWITCHBOARD_TEST_POSTGRES`); without one, its test
//! checks what it can (that the store it would copy fills every copied
//! table) and says on stderr that the copy was not run.

use switchboard_protocol::admin::ReportQuery;
use switchboard_protocol::auth::Role;
use switchboard_protocol::site::{Appearance, SiteKey};
use switchboard_protocol::wire::{Author, TransferTarget};
use switchboard_routing::availability::{Block, Schedule, Settings as Availability};
use switchboard_routing::decide::{Decision, Outcome, Pool, Skip, Stage, Step};

use super::rows::Value;
use super::tables::{Kind, REBUILT, SKIPPED, TABLES};
use super::{copy, CopyError};
use crate::ids::{AgentId, ConversationId};
use crate::store::accounts::NewToken;
use crate::store::admin_conversations::ListFilter;
use crate::store::bulk::BulkPlan;
use crate::store::changes::Change;
use crate::store::conversations::Handoff;
use crate::store::decision::Plan;
use crate::store::{on_db, scratch, AgentUpdate, Db, Release, SiteSettings, Store};

/// 2023-11-14T22:13:20Z.
const NOW: i64 = 1_700_000_000_000;

fn sqlite_url(dir: &std::path::Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

/// The names of SQLite's tables (not its own `sqlite_*`).
async fn sqlite_tables(store: &Store) -> Vec<String> {
    on_db!(store, pool => {
        sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
             ORDER BY name",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    })
}

async fn count(store: &Store, table: &str) -> i64 {
    on_db!(store, pool => {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(pool).await.unwrap()
    })
}

fn listed() -> Vec<&'static str> {
    let mut names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
    names.extend(REBUILT.iter().map(|r| r.name));
    names.extend(SKIPPED.iter().map(|(name, _)| *name));
    names
}

#[tokio::test]
async fn every_sqlite_table_is_copied_rebuilt_or_skipped_and_every_listed_one_exists() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&sqlite_url(dir.path(), "sb.db")).await.unwrap();
    let tables = sqlite_tables(&store).await;
    store.close().await;
    let listed = listed();
    // An FTS5 table keeps its index in shadow tables named after it.
    let shadow = |t: &str| REBUILT.iter().any(|r| t.starts_with(&format!("{}_", r.name)));
    let forgotten: Vec<&String> =
        tables.iter().filter(|t| !listed.contains(&t.as_str()) && !shadow(t)).collect();
    assert!(
        forgotten.is_empty(),
        "db copy neither copies, rebuilds nor skips {forgotten:?}: add each to a list in store/copy/tables.rs"
    );
    let gone: Vec<&&str> = listed.iter().filter(|l| !tables.iter().any(|t| t == *l)).collect();
    assert!(gone.is_empty(), "listed but not in SQLite's schema: {gone:?}");
    let mut unique = listed.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), listed.len(), "a table is listed twice: {listed:?}");
}

#[tokio::test]
async fn tables_are_copied_after_the_tables_they_reference() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&sqlite_url(dir.path(), "sb.db")).await.unwrap();
    for (i, table) in TABLES.iter().enumerate() {
        let referenced: Vec<String> = on_db!(store, pool => {
            sqlx::query_scalar("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)")
                .bind(table.name)
                .fetch_all(pool)
                .await
                .unwrap()
        });
        for r in referenced {
            let before = TABLES[..i].iter().any(|t| t.name == r);
            assert!(before, "{} references {r}, which is not copied before it", table.name);
        }
    }
    store.close().await;
}

#[tokio::test]
async fn a_copy_from_anything_but_an_existing_sqlite_file_to_anything_but_postgres_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let existing = sqlite_url(dir.path(), "sb.db");
    Store::open(&existing).await.unwrap().close().await;
    let other = sqlite_url(dir.path(), "target.db");
    let pg = "postgres://sb:secret@127.0.0.1:1/switchboard";

    let error = copy(&existing, &other, |_| {}).await.unwrap_err();
    assert!(matches!(&error, CopyError::ToNotPostgres { scheme } if scheme == "sqlite:"), "{error:?}");
    assert!(error.to_string().contains("--to must be a PostgreSQL database"), "{error}");
    assert!(!dir.path().join("target.db").exists(), "the target is not created");

    let error = copy(pg, pg, |_| {}).await.unwrap_err();
    assert!(matches!(&error, CopyError::FromNotSqlite { scheme } if scheme == "postgres:"), "{error:?}");
    assert!(!error.to_string().contains("secret"), "a URL's password is not repeated: {error}");

    // Opening a file that is not there would create an empty one, and copy nothing.
    let missing = sqlite_url(dir.path(), "typo.db");
    let error = copy(&missing, pg, |_| {}).await.unwrap_err();
    assert!(matches!(error, CopyError::SourceMissing { .. }), "{error:?}");
    assert!(error.to_string().contains("typo.db"), "{error}");
    assert!(!dir.path().join("typo.db").exists());
}

/// What [`fill`] made that the test reads again on the target.
struct Filled {
    /// The hand-made site.
    acme: SiteKey,
    /// Its conversation, with unicode, quotes and escapes in its messages.
    chat: ConversationId,
    /// The team it was transferred to.
    support: i64,
}

/// Fills `store` through its own API: a bulk seed (thousands of
/// conversations with messages, facts, team routing, sealed into
/// digests) and, by hand, one of everything else: a site with origins,
/// blocked domains and its chat off, agents with a schedule, a capacity
/// and no live chat, teams, a rule, an account route, streams published
/// twice with a release note, a draft, stream events, a session, setup and
/// invitation tokens, changes, and a conversation that was offered,
/// declined, accepted, written in and transferred.
async fn fill(store: &Store) -> Filled {
    let (sites, agents) = crate::store::bulk::cast(store, &["one", "two"], 4).await;
    let sales = store.create_team("Sales", &[agents[0].get(), agents[1].get()]).await.unwrap();
    let plan = BulkPlan {
        conversations: 2_500,
        sites,
        agents,
        teams: vec![sales],
        first_start: NOW - 3 * 24 * 3600 * 1000,
        step_ms: 60_000,
        batch: 1_000,
    };
    store.bulk_seed(&plan, |_| {}).await.unwrap();
    assert!(crate::reports::seal(store, 100).await.unwrap() > 0, "some blocks are digested");

    let acme = SiteKey::parse("acme").unwrap();
    let settings = SiteSettings {
        chat_enabled: false,
        blocked_email_domains: vec!["gmail.com".into()],
        away_after_missed: 5,
    };
    let appearance =
        Appearance { header_title: "Hulp nodig? «Ça va» \"quoted\"".into(), ..Appearance::default() };
    let origins = ["https://acme.example".to_owned(), "https://www.acme.example".to_owned()];
    let site =
        store.create_site_with(&acme, "Acme — Ünïcödé", &appearance, &origins, &settings, NOW).await.unwrap();
    store.set_fallback_message(site, "Sorry, we're away.\tBack at 9\\10.\nBye").await.unwrap();

    let ada = AgentId::new(
        store.create_agent("Ada «Lovelace»", "ada@acme.example", "h1", Role::Admin, NOW).await.unwrap(),
    );
    let grace = AgentId::new(
        store.create_agent("Grace", "grace@acme.example", "h2", Role::Agent, NOW).await.unwrap(),
    );
    {
        use crate::store::canned::{CannedFields, Owner};
        let shared = CannedFields {
            shortcut: "prix-été",
            text: "Nos «prix»:\tà partir de 10 €\n{{first_name:\"vous\"}}",
            site: Some(site),
            team: Some(sales),
        };
        store.save_canned(Owner::Shared, None, &shared, 500, NOW).await.unwrap();
        let own = CannedFields { shortcut: "hi", text: "Hi!", site: None, team: None };
        store.save_canned(Owner::Agent(ada), None, &own, 500, NOW).await.unwrap();
    }
    let schedule = Schedule {
        time_zone: "Europe/Amsterdam".into(),
        blocks: vec![Block {
            days: vec!["mon".into(), "fri".into()],
            from: "09:00".into(),
            to: "17:30".into(),
        }],
    };
    let availability =
        Availability { available: false, until: Some(NOW + 3_600_000), schedule: Some(schedule) };
    store.set_availability(grace, &availability, Some(NOW)).await.unwrap();
    store
        .update_agent(grace, &AgentUpdate { capacity: Some(3), ..AgentUpdate::default() }, NOW)
        .await
        .unwrap();
    store.set_avatar(grace, "https://acme.example/grace.png").await.unwrap();
    let zed =
        AgentId::new(store.create_agent("Zed", "zed@acme.example", "h3", Role::Agent, NOW).await.unwrap());
    store.set_live_chat(zed, false).await.unwrap();
    let support = store.create_team("Support 💬", &[ada.get(), grace.get()]).await.unwrap();
    let rule = serde_json::from_value(serde_json::json!({
        "name": "Big «accounts»",
        "description": "Customers from big.example, quoted: \"VIP\"",
        "priority": 5,
        "conditions": [{"field": "email_domain", "op": "is", "values": ["big.example"]}],
        "route_to": {"team": "Support 💬"},
    }))
    .unwrap();
    store.save_rule(site, &rule).await.unwrap();
    store.save_account_route(site, "big.example", ada).await.unwrap();

    let source = include_str!("../../../../../examples/streams/recommended.toml");
    let parsed = switchboard_protocol::stream::file::parse(source).unwrap();
    store.publish_stream(site, &parsed.stream, source, NOW).await.unwrap();
    let release = Release { note: "Tweaks «v2»", by_name: "Ada", by_email: "ada@acme.example" };
    let draft = crate::store::DraftAfter::Replace;
    store.publish(site, &parsed.stream, source, &release, draft, NOW + 1).await.unwrap();
    let edited = switchboard_protocol::stream::Stream {
        name: "Edited «draft»".into(),
        ..parsed.stream.stream().clone()
    };
    store.save_draft(site, &edited, None, "Ada", NOW + 2).await.unwrap();
    let events: switchboard_protocol::stats::StreamEvents = serde_json::from_value(serde_json::json!({
        "visit": "0123456789abcdef",
        "events": [
            {"kind": "shown", "stream": edited.id, "version": 2, "card": "welcome"},
            {"kind": "live_chat", "stream": edited.id, "version": 2, "card": "human"},
        ],
    }))
    .unwrap();
    store.record_stream_events(site, &events, NOW).await.unwrap();

    store.create_session("session-hash", ada, NOW + 86_400_000).await.unwrap();
    store.add_setup_token(NewToken { hash: "setup-hash", expires_at: NOW + 1 }, NOW).await.unwrap();
    store.replace_invite(zed, NewToken { hash: "invite-hash", expires_at: NOW + 2 }, NOW).await.unwrap();
    store.record_change(&Change::SessionsEnded { agent: ada }, NOW).await.unwrap();

    let visitor = store.create_visitor(site, "visitor-token", NOW).await.unwrap();
    let handoff = Handoff {
        stream: edited.id.clone(),
        routing: switchboard_protocol::stream::Routing::Team("Support 💬".into()),
        attributes: serde_json::from_value(
            serde_json::json!({"first_name": "Zoë", "email": "zoe@big.example"}),
        )
        .unwrap(),
        transcript: serde_json::from_value(serde_json::json!([
            {"from": "bot", "card": "welcome", "text": "Bonjour ! Que puis-je faire ?"},
            {"from": "visitor", "card": "welcome", "text": "Un reçu pour l'été «facture»"},
        ]))
        .unwrap(),
        page: Default::default(),
    };
    let chat = store.create_conversation(site, visitor, &handoff, NOW, NOW).await.unwrap().unwrap();
    let team_pool = Pool::team("Support 💬");
    let decision = Decision {
        steps: vec![Step {
            stage: Stage::Team { team: "Support 💬".into(), exists: true },
            skipped: Vec::new(),
            unknown: Vec::new(),
        }],
        outcome: Outcome::Offer {
            agent: grace.get(),
            email: "grace@acme.example".into(),
            pool: team_pool.clone(),
        },
    };
    store.save_decision(chat.id, &decision, NOW).await.unwrap();
    assert!(store.offer(&chat, grace, &team_pool, NOW, NOW + 30_000).await.unwrap());
    let declined = crate::store::events::Kind::Declined;
    assert!(store
        .withdraw_offer(chat.id, grace, Skip::Declined, declined, NOW, NOW + 1)
        .await
        .unwrap()
        .is_some());
    assert!(store.offer(&chat, ada, &team_pool, NOW + 2, NOW + 30_000).await.unwrap());
    assert!(store.accept(chat.id, ada, NOW + 600_000, NOW + 3).await.unwrap());
    for (author, client, text) in [
        (Author::Visitor, Some("c1"), "Où est ma commande ? \"urgent\" 'vraiment'"),
        (Author::Agent, None, "Je regarde ça 👀 — un instant.\nBackslash: \\ tab:\there"),
        (Author::Visitor, Some("c2"), "Merci ! Ünïcödé ✓ 日本語"),
    ] {
        store.append_message(chat.id, author, client, text, NOW + 4).await.unwrap();
    }
    // A file, its bytes every value a byte can have.
    let bytes: Vec<u8> = (0..=255u8).cycle().take(3_000).collect();
    let file = switchboard_protocol::files::FileRef {
        id: "f-0123456789abcdef".into(),
        name: "reçu «42».pdf".into(),
        mime: "application/pdf".into(),
        size: 3_000,
    };
    let upload = crate::store::conversations::Upload { file: &file, bytes: &bytes, cap: None };
    store.append_file(chat.id, Author::Visitor, "c3", upload, NOW + 5).await.unwrap();
    let to = TransferTarget::Team { name: "Support 💬".into() };
    let transferred = store
        .transfer_and_route(
            chat.id,
            ada,
            "Ada «Lovelace»",
            &to,
            NOW + 60_000,
            NOW + 5,
            |_, _| Ok::<(), ()>(()),
            |_| Plan::Wait { due: NOW + 60_000 },
        )
        .await
        .unwrap();
    assert!(transferred.is_ok());
    // Offered again in the team, and timed out: an attempt the transfer
    // did not clear.
    let waiting = store.conversation(chat.id).await.unwrap().unwrap();
    assert!(store.offer(&waiting, grace, &team_pool, NOW + 6, NOW + 30_000).await.unwrap());
    let timed_out = crate::store::events::Kind::TimedOut;
    assert!(store
        .withdraw_offer(chat.id, grace, Skip::TimedOut, timed_out, NOW + 7, NOW + 7)
        .await
        .unwrap()
        .is_some());
    Filled { acme, chat: chat.id, support }
}

/// What the target must answer as the source does.
async fn reads(store: &Store, f: &Filled) -> Vec<String> {
    let words = vec!["commande".to_owned()];
    let searched = ListFilter { words: Some(&words), limit: 20, ..ListFilter::default() };
    let of_team = ListFilter { team: Some(f.support), limit: 20, ..ListFilter::default() };
    let bulk_words = vec!["kettle".to_owned()];
    let bulk = ListFilter { words: Some(&bulk_words), limit: 20, ..ListFilter::default() };
    let query = ReportQuery {
        from: Some("2023-11-11".into()),
        to: Some("2023-11-15".into()),
        tz: Some("Europe/Amsterdam".into()),
        ..ReportQuery::default()
    };
    let scope = crate::reports::Scope::new(store, &query, NOW).await.unwrap();
    let site = store.site(&f.acme).await.unwrap().unwrap();
    let ada = store.agents().await.unwrap().into_iter().find(|a| a.email == "ada@acme.example").unwrap();
    let ada = AgentId::new(ada.id);
    vec![
        format!("{site:?}"),
        format!("{:?}", store.fallback_message(site.id).await.unwrap()),
        format!("{:?}", store.agents().await.unwrap()),
        format!("{:?}", store.teams().await.unwrap()),
        format!("{:?}", store.canned(crate::store::canned::Owner::Shared).await.unwrap()),
        format!("{:?}", store.canned_for(ada, site.id).await.unwrap()),
        format!("{:?}", store.rules(site.id).await.unwrap()),
        format!("{:?}", store.account_routes(site.id).await.unwrap()),
        format!("{:?}", store.streams(site.id).await.unwrap()),
        format!("{:?}", store.releases(site.id, "recommended").await.unwrap()),
        format!("{:?}", store.drafts(site.id).await.unwrap()),
        format!("{:?}", store.admin_conversations(&searched).await.unwrap()),
        format!("{:?}", store.admin_conversations(&of_team).await.unwrap()),
        format!("{:?}", store.admin_conversations(&bulk).await.unwrap()),
        format!("{:?}", store.admin_conversation(f.chat).await.unwrap().map(|d| (d.row, d.transcript))),
        format!("{:?}", store.messages_after(f.chat, 0).await.unwrap()),
        format!("{:?}", store.file("f-0123456789abcdef").await.unwrap()),
        format!("{:?}", store.latest_transfer(f.chat).await.unwrap()),
        format!("{:?}", store.decisions(f.chat).await.unwrap()),
        format!("{:?}", crate::reports::chats(store, &scope).await.unwrap()),
        format!("{:?}", crate::reports::conversations(store, &scope).await.unwrap().len()),
    ]
}

#[tokio::test]
async fn a_filled_sqlite_store_is_copied_to_postgres_verified_and_answers_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let from = sqlite_url(dir.path(), "single-node.db");
    let source = Store::open(&from).await.unwrap();
    let filled = fill(&source).await;
    for table in TABLES {
        assert!(
            count(&source, table.name).await > 0,
            "the fill leaves {} empty: the copy would not be tested on it",
            table.name
        );
    }
    if !scratch::on_postgres() {
        source.close().await;
        eprintln!(
            "not copied: no PostgreSQL server ({} unset); the postgres suite of `cargo xtask test` runs the copy",
            scratch::POSTGRES_VAR
        );
        return;
    }
    let expected = reads(&source, &filled).await;
    let max_id = count(&source, "conversations").await; // ids are 1..=n: none was removed
    source.close().await;

    let to = scratch::database_url(dir.path()).await;
    let mut progress = Vec::new();
    let report = copy(&from, &to, |c| progress.push(c.table.to_owned())).await.unwrap();
    assert!(report.ok(), "{report}");
    assert_eq!(progress, TABLES.iter().map(|t| t.name).collect::<Vec<_>>());
    let messages = report.checks.iter().find(|c| c.table == "messages").unwrap();
    assert!(messages.source.rows > 2_500, "{report}");
    let search = report.checks.iter().find(|c| c.rebuilt).unwrap();
    assert!(search.target.rows > 2_500, "{report}");
    let text = report.to_string();
    assert!(text.contains("every count and checksum equal"), "{text}");

    let target = Store::open(&to).await.unwrap();
    let got = reads(&target, &filled).await;
    for (e, g) in expected.iter().zip(&got) {
        assert_eq!(e, g);
    }
    // PostgreSQL has no table the lists do not name.
    let pg_tables: Vec<String> = on_db!(target, pool => {
        sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    });
    let listed = listed();
    for t in &pg_tables {
        assert!(listed.contains(&t.as_str()), "PostgreSQL's {t} is not in store/copy/tables.rs");
    }

    // A second copy finds the target full and writes nothing.
    let before: Vec<i64> = {
        let mut n = Vec::new();
        for t in TABLES {
            n.push(count(&target, t.name).await);
        }
        n
    };
    let error = copy(&from, &to, |_| panic!("nothing is copied")).await.unwrap_err();
    assert!(matches!(error, CopyError::TargetNotEmpty { table: "sites" }), "{error:?}");
    assert!(error.to_string().contains("wrote nothing"), "{error}");
    for (t, n) in TABLES.iter().zip(before) {
        assert_eq!(count(&target, t.name).await, n, "{}", t.name);
    }

    // What the server adds next gets new ids.
    let site = target.site(&filled.acme).await.unwrap().unwrap();
    let visitor = target.create_visitor(site.id, "after the move", NOW + 10).await.unwrap();
    let handoff = Handoff {
        stream: "main".into(),
        routing: switchboard_protocol::stream::Routing::RoundRobin,
        attributes: Default::default(),
        transcript: Vec::new(),
        page: Default::default(),
    };
    let next =
        target.create_conversation(site.id, visitor, &handoff, NOW + 10, NOW + 10).await.unwrap().unwrap();
    assert_eq!(next.id.get(), max_id + 1);
    let agent = target.create_agent("New", "new@acme.example", "h", Role::Agent, NOW).await.unwrap();
    assert!(agent > 7, "4 cast agents, Ada, Grace and Zed were copied: {agent}");
    target.close().await;
}

#[tokio::test]
async fn a_copy_that_fails_midway_or_does_not_match_leaves_the_target_empty() {
    let dir = tempfile::tempdir().unwrap();
    let from = sqlite_url(dir.path(), "sb.db");
    let source = Store::open(&from).await.unwrap();
    crate::store::bulk::cast(&source, &["one", "two"], 3).await;
    let Db::Sqlite(pool) = &source.db else { unreachable!("a sqlite: URL") };
    // A flag SQLite never checked.
    sqlx::query("UPDATE agents SET live_chat = 2 WHERE id = 2").execute(pool).await.unwrap();
    let row = sqlx::query("SELECT live_chat FROM agents WHERE id = 2").fetch_one(pool).await.unwrap();
    let problem = Value::from_sqlite(&row, 0, Kind::Flag).unwrap_err();
    assert_eq!(problem, "2 is not a flag (0 or 1)");
    if !scratch::on_postgres() {
        source.close().await;
        eprintln!(
            "not copied: no PostgreSQL server ({} unset); the postgres suite of `cargo xtask test` runs the copy",
            scratch::POSTGRES_VAR
        );
        return;
    }
    let to = scratch::database_url(dir.path()).await;
    let error = copy(&from, &to, |_| {}).await.unwrap_err();
    assert!(
        matches!(&error, CopyError::Value { table: "agents", column, .. } if column == "live_chat"),
        "{error:?}"
    );
    assert!(error.to_string().contains("2 is not a flag"), "{error}");
    let target = Store::open(&to).await.unwrap();
    assert_eq!(count(&target, "sites").await, 0, "the sites, copied before the agents, are rolled back");

    // A target that changes what arrives (a trigger of its own adds a
    // trailing space to each agent's name): the comparison finds it, and
    // nothing is committed.
    sqlx::query("UPDATE agents SET live_chat = 1 WHERE id = 2").execute(pool).await.unwrap();
    source.close().await;
    on_db!(target, pool => {
        for statement in [
            "CREATE FUNCTION pad() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN NEW.name := NEW.name || ' '; RETURN NEW; END $$",
            "CREATE TRIGGER pad BEFORE INSERT ON agents FOR EACH ROW EXECUTE FUNCTION pad()",
        ] {
            sqlx::query(statement).execute(pool).await.unwrap();
        }
    });
    let error = copy(&from, &to, |_| {}).await.unwrap_err();
    let CopyError::Mismatch(report) = &error else { panic!("{error:?}") };
    let differ: Vec<&str> = report.checks.iter().filter(|c| !c.ok()).map(|c| c.table).collect();
    assert_eq!(differ, ["agents"]);
    let agents = report.checks.iter().find(|c| c.table == "agents").unwrap();
    assert_eq!((agents.source.rows, agents.target.rows), (3, 3), "the same count, other rows");
    let text = error.to_string();
    assert!(
        text.contains("not committed") && text.contains("MISMATCH") && text.contains("1 of 29 tables differ"),
        "{text}"
    );
    for table in ["sites", "agents"] {
        assert_eq!(count(&target, table).await, 0, "{table}");
    }
    target.close().await;
}

/// A target holding another application's tables is refused before it is
/// opened, so it is not migrated (no Switchboard table is added to it).
#[tokio::test]
async fn a_target_of_another_application_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let from = sqlite_url(dir.path(), "sb.db");
    let source = Store::open(&from).await.unwrap();
    source.close().await;
    if !scratch::on_postgres() {
        eprintln!(
            "not copied: no PostgreSQL server ({} unset); the postgres suite of `cargo xtask test` runs the copy",
            scratch::POSTGRES_VAR
        );
        return;
    }
    let to = scratch::database_url(dir.path()).await;
    let tables = |url: String| async move {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() ORDER BY table_name",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        (conn, names)
    };
    let (mut conn, _) = tables(to.clone()).await;
    sqlx::query("CREATE TABLE invoices (id BIGINT PRIMARY KEY)").execute(&mut conn).await.unwrap();
    let error = copy(&from, &to, |_| panic!("nothing is copied")).await.unwrap_err();
    assert!(matches!(&error, CopyError::TargetForeign { tables } if tables == "invoices"), "{error:?}");
    assert!(error.to_string().contains("wrote nothing"), "{error}");
    let (_, after) = tables(to.clone()).await;
    assert_eq!(after, ["invoices"], "nothing was migrated into it");
}
