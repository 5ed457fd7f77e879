//! An agent's new login email, and what is stored naming them by email
//! rather than by id, which must follow it or stop reaching them: custom
//! rules' agents, live chat cards naming an agent (in every published
//! version, and in the file each current one was published from), and the
//! routing of conversations still under way (the card's option, a
//! transfer's target).
//!
//! Account routes, team members, invitations and conversations hold the
//! agent's id, so they follow by themselves. Routing decisions already made
//! are left as they were: they record what happened, under the email of
//! the time.
//!
//! Emails are compared without ASCII case, as logins (`COLLATE NOCASE`) and
//! routing (`Directory::by_email`) compare them.

use super::{on_conn, OnConn};
use switchboard_protocol::rules::{RoutingRule, Target};
use switchboard_protocol::stream::{file, CardKind, Routing, Stream};
use switchboard_protocol::wire::TransferTarget;

use super::changes::{write_change, Change};
use super::{exists_or, StoreError};
use crate::ids::AgentId;

/// Gives `agent` the login email `new` inside `tx` (which must hold the
/// write lock: it reads, then writes), rewrites what names them by their
/// old one and ends their sessions, recording the change at `now` (unix
/// ms) for a running server to close their sockets. Nothing happens when
/// `new` is their email already, in any case. [`StoreError::Exists`] when
/// another agent has it: the caller then rolls back.
pub(super) async fn change_email(
    tx: &mut impl OnConn,
    agent: AgentId,
    new: &str,
    now: i64,
) -> Result<(), StoreError> {
    on_conn!(tx, tx => {
        let old: Option<String> = sqlx::query_scalar("SELECT email FROM agents WHERE id = $1")
            .bind(agent)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(old) = old else { return Ok(()) };
        if old.eq_ignore_ascii_case(new) {
            return Ok(());
        }
        sqlx::query("UPDATE agents SET email = $1 WHERE id = $2")
            .bind(new)
            .bind(agent)
            .execute(&mut *tx)
            .await
            .map_err(|e| exists_or(e, || format!("agent {new}")))?;
        rename_in_rules(tx, &old, new).await?;
        rename_in_streams(tx, &old, new).await?;
        rename_in_open_conversations(tx, &old, new).await?;
        // Their login name changed: every session ends, as with a new password.
        sqlx::query("DELETE FROM sessions WHERE agent_id = $1").bind(agent).execute(&mut *tx).await?;
        write_change(tx, &Change::SessionsEnded { agent }, now).await
    })
}

/// Whether `named` (an email in a rule, card or transfer) names the agent
/// whose email is `email`.
fn names(named: &str, email: &str) -> bool {
    named.eq_ignore_ascii_case(email)
}

// A JSON column that may name `old`: a prefilter only (SQLite's `lower`
// folds ASCII, as `names` does, and an email has nothing JSON escapes);
// `names` decides. (`replace` rather than `instr`, which PostgreSQL
// lacks: the text changes where it holds `old`.)
const MAY_NAME: &str = "replace(lower({column}), lower($1), '') <> lower({column})";

fn may_name(column: &str) -> String {
    MAY_NAME.replace("{column}", column)
}

fn parsed<T: serde::de::DeserializeOwned>(what: &'static str, json: &str) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|source| StoreError::Corrupt { what, source })
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("stored values serialize")
}

/// `old` renamed `new` among a rule's agents (once, should it list `new`
/// already); whether the rule named `old`.
fn rename_in_rule(rule: &mut RoutingRule, old: &str, new: &str) -> bool {
    let Target::Agents(emails) = &mut rule.route_to else { return false };
    if !emails.iter().any(|e| names(e, old)) {
        return false;
    }
    let mut renamed: Vec<String> = Vec::with_capacity(emails.len());
    for e in emails.iter().map(|e| if names(e, old) { new } else { e.as_str() }) {
        if !renamed.iter().any(|r| names(r, e)) {
            renamed.push(e.to_owned());
        }
    }
    *emails = renamed;
    true
}

/// `old` renamed `new` where a live chat card's routing names them;
/// whether any did.
fn rename_in_stream(stream: &mut Stream, old: &str, new: &str) -> bool {
    let mut renamed = false;
    for card in &mut stream.cards {
        if let CardKind::LiveChat { routing: Routing::Agent(email), .. } = &mut card.kind {
            if names(email, old) {
                new.clone_into(email);
                renamed = true;
            }
        }
    }
    renamed
}

/// `source` with every TOML string that is exactly `old` (in any case)
/// made `new`, keeping everything else as written.
fn replace_quoted(source: &str, old: &str, new: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(at) = rest.find(['"', '\'']) {
        // A quote is one byte: these slices fall on character boundaries.
        let quote = &rest[at..=at];
        let after = &rest[at + 1..];
        let quoted =
            after.get(..old.len()).is_some_and(|s| names(s, old)) && after[old.len()..].starts_with(quote);
        if quoted {
            out.push_str(&rest[..at]);
            for part in [quote, new, quote] {
                out.push_str(part);
            }
            rest = &after[old.len() + 1..];
        } else {
            out.push_str(&rest[..=at]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The stream file `source`, which `renamed` was published from before its
/// cards were renamed, naming `new` for `old` so that it reads as
/// `renamed` again: edited in place, comments and layout kept; or, when
/// the edit does not read so (the email was also some other text),
/// written anew from `renamed`, which loses the layout, never the meaning.
fn renamed_source(source: &str, old: &str, new: &str, renamed: &Stream) -> String {
    let edited = replace_quoted(source, old, new);
    let unversioned = Stream { version: 0, ..renamed.clone() };
    match file::parse(&edited) {
        Ok(p) if *p.stream.stream() == unversioned => edited,
        _ => file::write(renamed),
    }
}

async fn rename_in_rules(tx: &mut impl OnConn, old: &str, new: &str) -> Result<(), StoreError> {
    on_conn!(tx, tx => {
        let sql = format!("SELECT site_id, name, rule FROM rules WHERE {}", may_name("rule"));
        let rows: Vec<(i64, String, String)> = sqlx::query_as(&sql).bind(old).fetch_all(&mut *tx).await?;
        for (site, name, rule) in rows {
            let mut rule: RoutingRule = parsed("rule", &rule)?;
            if rename_in_rule(&mut rule, old, new) {
                sqlx::query("UPDATE rules SET rule = $1 WHERE site_id = $2 AND name = $3")
                    .bind(json(&rule))
                    .bind(site)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        Ok(())
    })
}

async fn rename_in_streams(tx: &mut impl OnConn, old: &str, new: &str) -> Result<(), StoreError> {
    on_conn!(tx, tx => {
        // Every version: a visitor finishes the one they started, routed by it.
        let sql =
            format!("SELECT site_id, stream_id, version, model FROM stream_versions WHERE {}", may_name("model"));
        let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(&sql).bind(old).fetch_all(&mut *tx).await?;
        for (site, id, version, model) in rows {
            let mut stream: Stream = parsed("stream", &model)?;
            if rename_in_stream(&mut stream, old, new) {
                sqlx::query(
                    "UPDATE stream_versions SET model = $1 WHERE site_id = $2 AND stream_id = $3 AND version = $4",
                )
                .bind(json(&stream))
                .bind(site)
                .bind(&id)
                .bind(version)
                .execute(&mut *tx)
                .await?;
            }
        }
        // The current ones, with the file the admin reads and publishes again.
        let sql = format!("SELECT site_id, stream_id, model, source FROM streams WHERE {}", may_name("model"));
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(&sql).bind(old).fetch_all(&mut *tx).await?;
        for (site, id, model, source) in rows {
            let mut stream: Stream = parsed("stream", &model)?;
            if rename_in_stream(&mut stream, old, new) {
                sqlx::query("UPDATE streams SET model = $1, source = $2 WHERE site_id = $3 AND stream_id = $4")
                    .bind(json(&stream))
                    .bind(renamed_source(&source, old, new, &stream))
                    .bind(site)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        Ok(())
    })
}

/// Conversations still to be routed again (waiting, offered, or active
/// and transferable) route by their card's option and latest transfer.
const OPEN: &str = "('waiting', 'offered', 'active')";

async fn rename_in_open_conversations(tx: &mut impl OnConn, old: &str, new: &str) -> Result<(), StoreError> {
    on_conn!(tx, tx => {
        let sql =
            format!("SELECT id, routing FROM conversations WHERE state IN {OPEN} AND {}", may_name("routing"));
        let rows: Vec<(i64, String)> = sqlx::query_as(&sql).bind(old).fetch_all(&mut *tx).await?;
        for (id, routing) in rows {
            if let Routing::Agent(email) = parsed("conversation", &routing)? {
                if names(&email, old) {
                    sqlx::query("UPDATE conversations SET routing = $1 WHERE id = $2")
                        .bind(json(&Routing::Agent(new.to_owned())))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        let sql = format!(
            "SELECT t.id, t.target FROM transfers t JOIN conversations c ON c.id = t.conversation_id
             WHERE c.state IN {OPEN} AND {}",
            may_name("t.target")
        );
        let rows: Vec<(i64, String)> = sqlx::query_as(&sql).bind(old).fetch_all(&mut *tx).await?;
        for (id, target) in rows {
            if let TransferTarget::Agent { email } = parsed("transfer", &target)? {
                if names(&email, old) {
                    sqlx::query("UPDATE transfers SET target = $1 WHERE id = $2")
                        .bind(json(&TransferTarget::Agent { email: new.to_owned() }))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(agents: &[&str]) -> RoutingRule {
        serde_json::from_value(serde_json::json!({
            "name": "Big",
            "conditions": [{"field": "email_domain", "op": "is", "values": ["big.com"]}],
            "route_to": {"agents": agents},
        }))
        .unwrap()
    }

    #[test]
    fn a_rule_names_the_new_email_in_place_of_the_old_one_in_any_case() {
        let mut r = rule(&["grace@example.com", "ADA@example.com"]);
        assert!(rename_in_rule(&mut r, "ada@example.com", "ada.king@example.com"));
        assert_eq!(
            r.route_to,
            Target::Agents(vec!["grace@example.com".into(), "ada.king@example.com".into()])
        );
        let mut twice = rule(&["ada@example.com", "Ada.King@example.com"]);
        assert!(rename_in_rule(&mut twice, "ada@example.com", "ada.king@example.com"));
        assert_eq!(twice.route_to, Target::Agents(vec!["ada.king@example.com".into()]), "listed once");
        let mut other = rule(&["grace@example.com"]);
        assert!(!rename_in_rule(&mut other, "ada@example.com", "ada.king@example.com"));
        let mut team: RoutingRule =
            RoutingRule { route_to: Target::Team("ada@example.com".into()), ..rule(&[]) };
        assert!(!rename_in_rule(&mut team, "ada@example.com", "x@example.com"), "a team is not an agent");
    }

    const FILE: &str = r#"id = "help"
name = "Write to ada@example.com"

[[card]]
id = "ada"
type = "live_chat"
# Ada knows best.
routing = { agent = 'Ada@Example.com' }

[[card]]
id = "all"
type = "live_chat"
routing = "round_robin"
"#;

    fn published(source: &str) -> Stream {
        Stream { version: 3, ..file::parse(source).unwrap().stream.stream().clone() }
    }

    #[test]
    fn a_stream_file_names_the_new_email_and_keeps_its_comments() {
        let mut stream = published(FILE);
        assert!(rename_in_stream(&mut stream, "ada@example.com", "ada.king@example.com"));
        let source = renamed_source(FILE, "ada@example.com", "ada.king@example.com", &stream);
        assert_eq!(
            source,
            FILE.replace("'Ada@Example.com'", "'ada.king@example.com'"),
            "only the card's routing changed"
        );
        assert!(!rename_in_stream(&mut stream, "ada@example.com", "x@example.com"), "named no more");
    }

    #[test]
    fn a_stream_file_that_names_the_email_as_other_text_is_written_anew_with_the_same_meaning() {
        let source = FILE.replace("Write to ada@example.com", "ada@example.com");
        let mut stream = published(&source);
        assert!(rename_in_stream(&mut stream, "ada@example.com", "ada.king@example.com"));
        let written = renamed_source(&source, "ada@example.com", "ada.king@example.com", &stream);
        let back = file::parse(&written).unwrap();
        assert_eq!(*back.stream.stream(), Stream { version: 0, ..stream.clone() });
        assert_eq!(back.stream.stream().name, "ada@example.com", "the name stays as it was");
    }

    #[test]
    fn only_whole_quoted_strings_are_replaced() {
        let text =
            r#"a = "ada@example.com" b = "ada@example.community" c = 'ADA@example.com' d = ada@example.com"#;
        assert_eq!(
            replace_quoted(text, "ada@example.com", "x@y.org"),
            r#"a = "x@y.org" b = "ada@example.community" c = 'x@y.org' d = ada@example.com"#
        );
        assert_eq!(replace_quoted("ünï \"", "ada@example.com", "x@y.org"), "ünï \"");
    }
}
