//! The migration to unix milliseconds (`0014_times_in_ms.sql`) keeps every
//! stored instant: a database from before it, with times as ISO text and as
//! unix seconds, reads the same moments after it, and shows them as the
//! same text.

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::str::FromStr;

use super::inbox::Facts;
use super::{on_db, Store};
use crate::clock::iso_millis;
use crate::ids::ConversationId;

/// The first migration after the old formats, as its file name starts.
const TIMES_IN_MS: &str = "0014";

/// Rows as the server wrote them before: text to the second and to the
/// millisecond, unix seconds, and a row whose times the defaults read.
const OLD_ROWS: &str = r#"
INSERT INTO sites (id, key, name, appearance, created_at)
    VALUES (1, 'acme', 'Acme', '{}', '2023-11-14T22:13:20Z');
INSERT INTO agents (id, name, email, password_hash, role, created_at, available_until)
    VALUES (1, 'Ada', 'ada@example.com', 'hash', 'agent', '2023-11-14T22:13:21Z', 1700003600);
INSERT INTO agents (id, name, email, password_hash, role)
    VALUES (2, 'Grace', 'grace@example.com', 'hash', 'agent');
INSERT INTO sessions (token_hash, agent_id, expires_at) VALUES ('token', 1, 1700086400);
INSERT INTO visitors (id, site_id, token_hash, created_at) VALUES (1, 1, 'visitor', '2023-11-14T22:13:22Z');
INSERT INTO conversations (id, site_id, visitor_id, state, stream_id, routing, attributes, transcript, page,
                           agent_id, last_seq, created_at, offered_at, accepted_at, due_at)
    VALUES (1, 1, 1, 'active', 'main', '"round_robin"', '{}', '[]', '{}',
            1, 2, '2023-11-14T22:13:23Z', 1700000003500, '2023-11-14T22:13:24.125Z', 1700000900000);
INSERT INTO conversations (id, site_id, visitor_id, state, stream_id, routing, attributes, transcript, page)
    VALUES (2, 1, 1, 'ended', 'main', '"round_robin"', '{}', '[]', '{}');
INSERT INTO messages (conversation_id, seq, author, client_id, text, at)
    VALUES (1, 1, 'visitor', 'c1', 'Hello', '2023-11-14T22:13:25.001Z'),
           (1, 2, 'agent', NULL, 'Hi', '2023-11-14T22:13:26.999Z');
INSERT INTO routing_decisions (conversation_id, decision, at) VALUES (1, '{}', '2023-11-14T22:13:23.456Z');
INSERT INTO transfers (conversation_id, from_agent_id, from_name, target, at)
    VALUES (1, 1, 'Ada', '{}', '2023-11-14T22:13:27.500Z');
INSERT INTO streams (site_id, stream_id, priority, source, model, published_at, version)
    VALUES (1, 'main', 0, '', '{}', '2023-11-14T22:13:19Z', 2);
INSERT INTO stream_versions (site_id, stream_id, version, model, published_at)
    VALUES (1, 'main', 1, '{}', 1699990000), (1, 'main', 2, '{}', 1700000000);
INSERT INTO stream_versions (site_id, stream_id, version, model) VALUES (1, 'main', 3, '{}');
INSERT INTO changes (change, made_at, applied_at) VALUES ('{}', 1700000000001, 1700000000002);
"#;

/// Every time column after the migration.
const TIME_COLUMNS: &[(&str, &str)] = &[
    ("sites", "created_at"),
    ("agents", "created_at"),
    ("agents", "available_until"),
    ("sessions", "expires_at"),
    ("visitors", "created_at"),
    ("conversations", "created_at"),
    ("conversations", "offered_at"),
    ("conversations", "accepted_at"),
    ("conversations", "due_at"),
    ("messages", "at"),
    ("routing_decisions", "at"),
    ("transfers", "at"),
    ("streams", "published_at"),
    ("stream_versions", "published_at"),
    ("changes", "made_at"),
    ("changes", "applied_at"),
];

/// A database at `url` migrated up to, not including, [`TIMES_IN_MS`],
/// by sqlx as a server of then did (so that opening it applies the rest).
async fn database_from_before(dir: &std::path::Path, url: &str) -> sqlx::SqlitePool {
    let old = dir.join("migrations");
    std::fs::create_dir(&old).unwrap();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.as_str() < TIMES_IN_MS {
            std::fs::copy(&path, old.join(name)).unwrap();
        }
    }
    let options = SqliteConnectOptions::from_str(url).unwrap().create_if_missing(true).foreign_keys(true);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(old.as_path()).await.unwrap().run(&pool).await.unwrap();
    pool
}

async fn int(store: &Store, sql: &str) -> Option<i64> {
    on_db!(store, pool => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap())
}

#[tokio::test]
async fn a_database_from_before_keeps_every_instant_in_milliseconds() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let pool = database_from_before(dir.path(), &url).await;
    sqlx::raw_sql(OLD_ROWS).execute(&pool).await.unwrap();
    // Every millisecond of a second, as text: none is off by one.
    let mut tx = pool.begin().await.unwrap();
    for i in 0..1000 {
        sqlx::query(
            "INSERT INTO messages (conversation_id, seq, author, text, at) VALUES (2, $1, 'system', '', $2)",
        )
        .bind(10 + i)
        .bind(iso_millis(1_700_000_010_000 + i))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    pool.close().await;

    // Opening it as the server does applies the migration.
    let store = Store::open(&url).await.unwrap();
    for (sql, expected) in [
        ("SELECT created_at FROM sites", 1_700_000_000_000),
        ("SELECT created_at FROM agents WHERE id = 1", 1_700_000_001_000),
        ("SELECT available_until FROM agents WHERE id = 1", 1_700_003_600_000),
        ("SELECT expires_at FROM sessions", 1_700_086_400_000),
        ("SELECT created_at FROM visitors", 1_700_000_002_000),
        ("SELECT created_at FROM conversations WHERE id = 1", 1_700_000_003_000),
        ("SELECT offered_at FROM conversations WHERE id = 1", 1_700_000_003_500),
        ("SELECT accepted_at FROM conversations WHERE id = 1", 1_700_000_004_125),
        ("SELECT due_at FROM conversations WHERE id = 1", 1_700_000_900_000),
        ("SELECT at FROM messages WHERE conversation_id = 1 AND seq = 1", 1_700_000_005_001),
        ("SELECT at FROM messages WHERE conversation_id = 1 AND seq = 2", 1_700_000_006_999),
        ("SELECT at FROM routing_decisions", 1_700_000_003_456),
        ("SELECT at FROM transfers", 1_700_000_007_500),
        ("SELECT published_at FROM streams", 1_699_999_999_000),
        ("SELECT published_at FROM stream_versions WHERE version = 1", 1_699_990_000_000),
        ("SELECT published_at FROM stream_versions WHERE version = 2", 1_700_000_000_000),
        ("SELECT made_at FROM changes", 1_700_000_000_001),
        ("SELECT applied_at FROM changes", 1_700_000_000_002),
    ] {
        assert_eq!(int(&store, sql).await, Some(expected), "{sql}");
    }
    let off = "SELECT COUNT(*) FROM messages WHERE conversation_id = 2 AND at <> 1700000010000 + seq - 10";
    assert_eq!(int(&store, off).await, Some(0), "every millisecond kept");
    // What the defaults once stamped converts too, to the second.
    let stamped = int(&store, "SELECT created_at FROM agents WHERE id = 2").await.unwrap();
    assert!(stamped > 1_700_000_000_000 && stamped % 1000 == 0, "{stamped}");
    assert_eq!(int(&store, "SELECT accepted_at FROM conversations WHERE id = 2").await, None);
    assert!(int(&store, "SELECT published_at FROM stream_versions WHERE version = 3").await.unwrap() > 0);

    // Integers all, and no default reads the database's clock any more.
    for (table, column) in TIME_COLUMNS {
        let sql = format!(
            "SELECT COUNT(*) FROM {table} WHERE {column} IS NOT NULL AND typeof({column}) <> 'integer'"
        );
        assert_eq!(int(&store, &sql).await, Some(0), "{table}.{column}");
    }
    // (sqlx's own table stamps when a migration ran: not ours.)
    let clocks = "SELECT COUNT(*) FROM sqlite_master WHERE name <> '_sqlx_migrations'
                  AND (sql LIKE '%''now''%' OR sql LIKE '%CURRENT_TIMESTAMP%')";
    assert_eq!(int(&store, clocks).await, Some(0));

    // Shown as the same text as before.
    let first = ConversationId::new(1);
    let messages = store.messages_after(first, 0).await.unwrap();
    let shown: Vec<&str> = messages.iter().map(|m| m.at.as_str()).collect();
    assert_eq!(shown, ["2023-11-14T22:13:25.001Z", "2023-11-14T22:13:26.999Z"]);
    let facts = store.facts(first).await.unwrap().unwrap();
    assert_eq!(
        facts,
        Facts {
            site: "acme".into(),
            agent_name: Some("Ada".into()),
            created_at: "2023-11-14T22:13:23Z".into(),
            first_seen: "2023-11-14T22:13:22Z".into(),
        }
    );
    // The latest of the last message and the acceptance, as a number.
    assert_eq!(store.last_activity(first).await.unwrap(), Some(1_700_000_006_999));
    store.close().await;
}
