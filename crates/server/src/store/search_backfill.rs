//! The migration for the admin's list (`0017_conversation_search.sql`)
//! takes in what was stored before it: a database from before finds its old
//! words, teams and end times after it, as if they had been written since.

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::str::FromStr;

use super::admin_conversations::ListFilter;
use super::{on_db, Store};

/// The migration, as its file name starts.
const SEARCH: &str = "0017";

/// Rows as a server of before wrote them: a team and three conversations
/// with answers in the bot part and live messages: one ended after a rule
/// routed it to the team, one open, and one (routed likewise) that a clock
/// stepping back had started before the one numbered before it.
const OLD_ROWS: &str = r#"
INSERT INTO sites (id, key, name, appearance, created_at) VALUES (1, 'acme', 'Acme', '{}', 1);
INSERT INTO agents (id, name, email, password_hash, role, created_at)
    VALUES (1, 'Ada', 'ada@example.com', 'hash', 'agent', 1);
INSERT INTO teams (id, name) VALUES (7, 'Sales');
INSERT INTO visitors (id, site_id, token_hash, created_at) VALUES (1, 1, 'a', 1), (2, 1, 'b', 1), (3, 1, 'c', 1);
INSERT INTO conversations (id, site_id, visitor_id, state, stream_id, routing, attributes, transcript, page,
                           agent_id, last_seq, created_at, accepted_at)
    VALUES (1, 1, 1, 'ended', 'main', '"rules"', '{}',
            '[{"from":"bot","card":"a","text":"Shall we talk?"},{"from":"visitor","card":"a","text":"Über gern"}]',
            '{}', 1, 3, 1700000000000, 1700000001000),
           (2, 1, 2, 'active', 'main', '"round_robin"', '{}', '[]', '{}', 1, 1, 1700000100000, 1700000101000),
           -- The clock had stepped back: started before the one numbered before it.
           (3, 1, 3, 'ended', 'main', '"rules"', '{}', '[]', '{}', NULL, 1, 1700000050000, NULL);
INSERT INTO messages (conversation_id, seq, author, client_id, text, at)
    VALUES (1, 1, 'visitor', 'c1', 'My invoice is wrong', 1700000002000),
           (1, 2, 'agent', NULL, 'Let me check the ledger', 1700000003000),
           (1, 3, 'system', NULL, 'The chat ended after 10 minutes without messages.', 1700000604000),
           (2, 1, 'visitor', 'c1', 'Another invoice', 1700000102000),
           (3, 1, 'visitor', 'c1', 'A third invoice', 1700000051000);
INSERT INTO routing_decisions (conversation_id, decision, at) VALUES (1,
    '{"steps":[{"stage":"rule","rule":"Billing","target":{"team":"sales"},"skipped":[]}],"outcome":"fallback"}',
    1700000000500), (3,
    '{"steps":[{"stage":"rule","rule":"Billing","target":{"team":"sales"},"skipped":[]}],"outcome":"fallback"}',
    1700000050500);
"#;

/// A database at `url` migrated up to, not including, [`SEARCH`].
async fn database_from_before(dir: &std::path::Path, url: &str) -> sqlx::SqlitePool {
    let old = dir.join("migrations");
    std::fs::create_dir(&old).unwrap();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.as_str() < SEARCH {
            std::fs::copy(&path, old.join(name)).unwrap();
        }
    }
    let options = SqliteConnectOptions::from_str(url).unwrap().create_if_missing(true).foreign_keys(true);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(old.as_path()).await.unwrap().run(&pool).await.unwrap();
    pool
}

async fn found(store: &Store, words: &[&str], team: Option<i64>) -> Vec<i64> {
    let words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    let f = ListFilter { words: Some(&words), team, limit: 50, ..ListFilter::default() };
    store.admin_conversations(&f).await.unwrap().items.iter().map(|r| r.id).collect()
}

#[tokio::test]
async fn a_database_from_before_is_searched_and_filtered_like_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let pool = database_from_before(dir.path(), &url).await;
    sqlx::raw_sql(OLD_ROWS).execute(&pool).await.unwrap();
    pool.close().await;

    // Opening it as the server does applies the migration.
    let store = Store::open(&url).await.unwrap();
    assert_eq!(found(&store, &["invoice"], None).await, [3, 2, 1]);
    assert_eq!(found(&store, &["ledger"], None).await, [1], "an agent's message");
    assert_eq!(found(&store, &["uber"], None).await, [1], "an answer in the bot part");
    assert!(found(&store, &["talk"], None).await.is_empty(), "not the bot's lines");
    assert!(found(&store, &["minutes"], None).await.is_empty(), "not system notices");
    // Routed to the team by a rule, before.
    assert_eq!(found(&store, &["invoice"], Some(7)).await, [3, 1]);
    // Ended: at its last message then; open: not ended.
    let ended: Vec<Option<i64>> = on_db!(store, pool => {
        sqlx::query_scalar("SELECT ended_at FROM conversations ORDER BY id").fetch_all(pool).await.unwrap()
    });
    assert_eq!(ended, [Some(1_700_000_604_000), None, Some(1_700_000_100_000)]);
    // Numbered in the order they start: the third starts with the second,
    // in its team's order too.
    let started: Vec<i64> = on_db!(store, pool => {
        sqlx::query_scalar("SELECT created_at FROM conversations ORDER BY id").fetch_all(pool).await.unwrap()
    });
    assert_eq!(started, [1_700_000_000_000, 1_700_000_100_000, 1_700_000_100_000]);
    let teamed: Vec<(i64, i64)> = on_db!(store, pool => {
        sqlx::query_as("SELECT conversation_id, created_at FROM conversation_teams ORDER BY conversation_id")
            .fetch_all(pool)
            .await
            .unwrap()
    });
    assert_eq!(teamed, [(1, 1_700_000_000_000), (3, 1_700_000_100_000)]);
    // And a conversation written after it is found the same way.
    let before = found(&store, &["invoice"], None).await;
    on_db!(store, pool => {
        sqlx::query(
            "INSERT INTO messages (conversation_id, seq, author, client_id, text, at)
             VALUES (2, 2, 'agent', NULL, 'Checking the ledger', 1700000103000)",
        )
        .execute(pool)
        .await
        .unwrap();
    });
    assert_eq!(found(&store, &["ledger"], None).await, [2, 1]);
    assert_eq!(found(&store, &["invoice"], None).await, before);
    // A removed site takes its conversations' words along.
    on_db!(store, pool => {
        sqlx::query("DELETE FROM sites").execute(pool).await.unwrap();
    });
    let rows: i64 = on_db!(store, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM transcript_search").fetch_one(pool).await.unwrap()
    });
    assert_eq!(rows, 0);
    store.close().await;
}
