//! What the inbox lists and shows: conversation summaries (newest activity
//! first, with a preview of the last message) and one conversation's facts.

use switchboard_protocol::inbox::ConversationSummary;

use super::conversations::state_from_db;
use super::{on_db, Store, StoreError};
use crate::clock::{iso_millis, iso_seconds};
use crate::ids::{AgentId, ConversationId};

/// How many characters of the last message a summary previews.
pub const PREVIEW_CHARS: usize = 120;

/// Which conversations to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// This agent's open ones (offered or active).
    OpenFor(i64),
    /// Everyone's past ones (ended or fallback).
    Past,
}

/// A conversation's facts beyond its row, for its detail view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The site's key.
    pub site: String,
    /// The name of the agent it is offered to or accepted by.
    pub agent_name: Option<String>,
    /// When it started (ISO 8601 to the second, as it is shown).
    pub created_at: String,
    /// When its visitor was first seen (likewise).
    pub first_seen: String,
}

/// The start of a message, at most [`PREVIEW_CHARS`] characters, cut at a
/// character boundary.
pub fn preview(text: &str) -> String {
    match text.char_indices().nth(PREVIEW_CHARS) {
        Some((end, _)) => text[..end].to_owned(),
        None => text.to_owned(),
    }
}

/// The summaries' query: the conversation, its site, its agent and its last
/// message (the one numbered `last_seq`); newest activity (unix ms) first.
const SUMMARIES: &str = "
    SELECT c.*, s.key AS site_key, a.name AS agent_name, m.text AS last_text, m.at AS last_at, m.author AS last_author
    FROM conversations c
    JOIN sites s ON s.id = c.site_id
    LEFT JOIN agents a ON a.id = c.agent_id
    LEFT JOIN messages m ON m.conversation_id = c.id AND m.seq = c.last_seq
    WHERE ($1 IS NULL AND c.state IN ('ended', 'fallback'))
       OR (c.agent_id = $1 AND c.state IN ('offered', 'active'))
    ORDER BY COALESCE(m.at, c.created_at) DESC, c.id DESC
    LIMIT $2";

impl Store {
    /// Conversations for the inbox, newest activity first (last message,
    /// else start).
    pub async fn list_conversations(
        &self,
        scope: Scope,
        limit: u32,
    ) -> Result<Vec<ConversationSummary>, StoreError> {
        let agent = match scope {
            Scope::OpenFor(a) => Some(a),
            Scope::Past => None,
        };
        let rows: Vec<SummaryRow> = on_db!(self, pool => {
            sqlx::query_as(SUMMARIES).bind(agent).bind(i64::from(limit)).fetch_all(pool).await?
        });
        rows.into_iter().map(summary).collect()
    }

    /// The facts of a conversation's detail view; `None` when there is no
    /// such conversation.
    pub async fn facts(&self, conversation: ConversationId) -> Result<Option<Facts>, StoreError> {
        let row: Option<(String, Option<String>, i64, i64)> = on_db!(self, pool => {
            sqlx::query_as(
                "SELECT s.key AS site_key, a.name AS agent_name, c.created_at, v.created_at AS first_seen
                 FROM conversations c
                 JOIN sites s ON s.id = c.site_id
                 JOIN visitors v ON v.id = c.visitor_id
                 LEFT JOIN agents a ON a.id = c.agent_id
                 WHERE c.id = $1",
            )
            .bind(conversation)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(site, agent_name, created_at, first_seen)| Facts {
            site,
            agent_name,
            created_at: iso_seconds(created_at),
            first_seen: iso_seconds(first_seen),
        }))
    }
}

/// The columns of [`SUMMARIES`] a summary is made of. Derived, so one
/// mapping reads the row of any backend.
#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    site_key: String,
    state: String,
    agent_id: Option<AgentId>,
    agent_name: Option<String>,
    attributes: String,
    page: String,
    last_seq: i64,
    created_at: i64,
    last_at: Option<i64>,
    last_text: Option<String>,
    last_author: Option<String>,
}

fn summary(row: SummaryRow) -> Result<ConversationSummary, StoreError> {
    let corrupt = |source| StoreError::Corrupt { what: "conversation", source };
    Ok(ConversationSummary {
        id: row.id,
        site: row.site_key,
        state: state_from_db(&row.state),
        agent_id: row.agent_id.map(AgentId::get),
        agent_name: row.agent_name,
        attributes: serde_json::from_str(&row.attributes).map_err(corrupt)?,
        page: serde_json::from_str(&row.page).map_err(corrupt)?,
        last_seq: u64::try_from(row.last_seq).unwrap_or(0),
        created_at: iso_seconds(row.created_at),
        // As shown before times were stored as numbers: a message's time to
        // the millisecond, a conversation's start to the second.
        last_activity: row.last_at.map_or_else(|| iso_seconds(row.created_at), iso_millis),
        preview: row.last_text.as_deref().map(preview),
        preview_note: row.last_author.as_deref() == Some("note"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_is_the_first_120_characters_cut_between_characters() {
        assert_eq!(preview("short"), "short");
        let long = "é".repeat(PREVIEW_CHARS + 5);
        assert_eq!(preview(&long), "é".repeat(PREVIEW_CHARS));
        let exact = "😀".repeat(PREVIEW_CHARS);
        assert_eq!(preview(&exact), exact);
    }
}
