//! What `db copy` does with each table of SQLite's schema, in one place:
//! the tables copied, in the order their references need; those the
//! target's triggers rebuild; those not copied, and why. A migration that
//! adds a table adds it to one of the three lists (a test reads SQLite's
//! schema and fails until it does).
//!
//! Columns are not listed: both sides' are read from their schemas and
//! must be the same names, and each value takes the type of the target's
//! column ([`Kind::of`]), which is where SQLite's 0/1 flags become
//! `BOOLEAN` and its `BLOB` becomes `BYTEA`.

/// How a copied table's rows reach the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fill {
    /// Row for row.
    Copy,
    /// Row for row, after removing what a trigger of the target added
    /// while an earlier table was copied: the source's rows are the
    /// history (what was derived when the row was written), which a trigger
    /// deriving them again from today's rows would not reproduce.
    Replace,
}

/// A table copied row for row.
#[derive(Debug, Clone, Copy)]
pub(super) struct Table {
    /// Its name on both sides.
    pub name: &'static str,
    /// How its rows reach the target.
    pub fill: Fill,
}

const fn copy(name: &'static str) -> Table {
    Table { name, fill: Fill::Copy }
}

/// Every table copied, each after the tables it references (PostgreSQL
/// checks each reference as the row arrives).
pub(super) const TABLES: &[Table] = &[
    copy("sites"),
    copy("site_origins"),
    copy("site_blocked_domains"),
    copy("agents"),
    copy("sessions"),
    copy("account_tokens"),
    copy("teams"),
    copy("team_members"),
    copy("canned_responses"),
    copy("streams"),
    copy("stream_versions"),
    copy("stream_drafts"),
    copy("stream_releases"),
    copy("stream_events"),
    copy("rules"),
    copy("account_routes"),
    copy("rotation_pools"),
    copy("changes"),
    copy("visitors"),
    // Its trigger fills `transcript_search` with the bot part's answers.
    copy("conversations"),
    copy("files"),
    // Its trigger fills `transcript_search` with the live messages.
    copy("messages"),
    copy("routing_attempts"),
    // Its trigger adds `conversation_teams` rows from today's team names.
    copy("routing_decisions"),
    // Replaced: the source's rows name the teams as they were named when
    // each decision was made (and a bulk seed writes them directly).
    Table { name: "conversation_teams", fill: Fill::Replace },
    copy("transfers"),
    // Its trigger deletes the `chat_digests` of the blocks it touches:
    // the digests come after it.
    copy("chat_events"),
    // Reports' packed blocks of facts: valid for the copied facts as they
    // were for the source's, so kept rather than packed again.
    copy("chat_digests"),
];

/// A table the target's triggers fill from the copied tables, compared
/// afterwards by its key alone (its other columns differ by design).
#[derive(Debug, Clone, Copy)]
pub(super) struct Rebuilt {
    /// Its name on both sides.
    pub name: &'static str,
    /// The column both sides key it by.
    pub key: &'static str,
}

/// Tables the target rebuilds. `transcript_search` is SQLite's FTS5 index
/// (with its shadow tables, `transcript_search_*`) and PostgreSQL's table
/// of `tsvector`s: the same lines under the same row ids, so comparing
/// the ids proves the search index complete.
pub(super) const REBUILT: &[Rebuilt] = &[Rebuilt { name: "transcript_search", key: "rowid" }];

/// Tables not copied, and why.
pub(super) const SKIPPED: &[(&str, &str)] = &[
    ("_sqlx_migrations", "each database keeps its own migration history"),
    ("nodes", "the running nodes' heartbeats: a node on the target registers itself"),
    ("agent_connections", "agents' open sockets per running node: live state, not data"),
    ("cluster_meta", "the target names its own epoch: clients replay their conversation once"),
];

/// The kind of a copied column: how its value is read on each side and
/// written to the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// `INTEGER` → `BIGINT`.
    Int,
    /// `TEXT` → `TEXT`.
    Text,
    /// `INTEGER` 0 or 1 → `BOOLEAN` (any other value is refused).
    Flag,
    /// `BLOB` → `BYTEA`.
    Bytes,
}

impl Kind {
    /// The kind of a target column, by its `information_schema` data
    /// type; `None` for a type the copy does not know how to fill.
    pub(super) fn of(data_type: &str) -> Option<Self> {
        match data_type {
            "bigint" => Some(Self::Int),
            "text" => Some(Self::Text),
            "boolean" => Some(Self::Flag),
            "bytea" => Some(Self::Bytes),
            _ => None,
        }
    }
}
