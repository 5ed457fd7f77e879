//! The admin's view of every conversation (`/api/admin/conversations`):
//! the list's query with its check, one page of rows, one conversation in
//! full, and why routing sent it where it went.
//!
//! The list is paged on the server, newest first: by when a conversation
//! started (its hand-off to live chat, unix ms), then by id, both
//! descending. A page's [`Cursor`] is the last row's pair, and the next page
//! is what comes strictly after it (keyset paging), so a conversation that
//! starts while an admin pages through appears before the first page, never
//! twice or in place of another.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{DisplayName, Email, FieldError, InvalidRequest};
use crate::attribute::Attributes;
use crate::site::SiteKey;
use crate::stream::runner::Entry;
use crate::stream::Routing;
use crate::wire::{ChatMessage, ConversationState, PageContext};

/// Rows a page holds unless `limit` says otherwise.
pub const DEFAULT_LIMIT: u32 = 50;

/// Most rows a page may hold.
pub const MAX_LIMIT: u32 = 100;

/// Longest search text (`q`), in characters.
pub const MAX_SEARCH_CHARS: usize = 200;

/// Most words a search looks for (the rest of the text is ignored).
pub const MAX_SEARCH_WORDS: usize = 16;

/// Every conversation state, by the name the `state` parameter takes.
pub const STATES: [(&str, ConversationState); 5] = [
    ("waiting", ConversationState::Waiting),
    ("offered", ConversationState::Offered),
    ("active", ConversationState::Active),
    ("ended", ConversationState::Ended),
    ("fallback", ConversationState::Fallback),
];

/// `GET /api/admin/conversations?…`: which conversations to list, as typed
/// (each parameter optional; an empty one counts as not given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ConversationQuery {
    /// Only this site's (its key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(example = "demo", pattern = "^\\s*[a-z0-9_-]{3,64}\\s*$"))]
    pub site: Option<String>,
    /// Only those in this state: `waiting` (handed off, not yet offered),
    /// `offered`, `active`, `ended` or `fallback` (nobody could take it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<ConversationState>))]
    pub state: Option<String>,
    /// Only those of this agent (by email): offered to or accepted by them,
    /// the latest agent the conversation had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(example = "ada@example.com", format = Email))]
    pub agent: Option<String>,
    /// Only those of this team (by name): routed to the team (by the card,
    /// a rule or a transfer), or whose agent is a member of it now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(max_length = 100))]
    pub team: Option<String>,
    /// Only those started at or after this time: `2025-03-01` (midnight,
    /// UTC) or `2025-03-01T09:30:00Z` (seconds, fractions and an offset
    /// like `+01:00` optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        param(
            example = "2025-03-01",
            pattern = "^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?\\s*$"
        )
    )]
    pub from: Option<String>,
    /// Only those started before this time; a date alone means up to the
    /// end of that day (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        param(
            example = "2025-03-01T17:30:00Z",
            pattern = "^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?\\s*$"
        )
    )]
    pub to: Option<String>,
    /// Only those whose transcript holds every word of this text: what the
    /// visitor wrote (answers in the bot part included) and what agents
    /// wrote; not the bot's own lines nor system notices, the same in
    /// every conversation. Case and accents do not matter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    pub q: Option<String>,
    /// Where the page starts: a previous page's `next_cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(pattern = "^\\s*c[0-9]+_[0-9]+\\s*$"))]
    pub cursor: Option<String>,
    /// Rows on the page, 1 to 100 (`MAX_LIMIT`); 50 (`DEFAULT_LIMIT`) if not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<u32>, minimum = 1, maximum = 100))]
    pub limit: Option<String>,
}

/// A [`ConversationQuery`] that passed its check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationFilter {
    /// Only this site's.
    pub site: Option<SiteKey>,
    /// Only in this state.
    pub state: Option<ConversationState>,
    /// Only this agent's.
    pub agent: Option<Email>,
    /// Only this team's.
    pub team: Option<DisplayName>,
    /// Started at or after (unix ms).
    pub from: Option<i64>,
    /// Started before (unix ms).
    pub to: Option<i64>,
    /// Holding these words.
    pub search: Option<Search>,
    /// After this row.
    pub cursor: Option<Cursor>,
    /// Rows on the page.
    pub limit: u32,
}

impl ConversationQuery {
    /// Checks every parameter; each bad one is named.
    pub fn check(&self) -> Result<ConversationFilter, InvalidRequest> {
        let mut c = Problems::default();
        let site = c.optional("site", &self.site, SiteKey::parse);
        let state = c.optional("state", &self.state, parse_state);
        let agent = c.optional("agent", &self.agent, Email::parse);
        let team = c.optional("team", &self.team, DisplayName::parse);
        let from = c.optional("from", &self.from, |raw| parse_time(raw, Bound::Start));
        let to = c.optional("to", &self.to, |raw| parse_time(raw, Bound::End));
        let search = c.optional("q", &self.q, Search::parse);
        let cursor = c.optional("cursor", &self.cursor, Cursor::parse);
        let limit = c.optional("limit", &self.limit, parse_limit);
        if let (Some(Some(from)), Some(Some(to))) = (from, to) {
            if to <= from {
                c.0.push(FieldError::new("to", "must be after from"));
            }
        }
        match (site, state, agent, team, from, to, search, cursor, limit) {
            (
                Some(site),
                Some(state),
                Some(agent),
                Some(team),
                Some(from),
                Some(to),
                Some(search),
                Some(cursor),
                Some(limit),
            ) if c.0.is_empty() => Ok(ConversationFilter {
                site,
                state,
                agent,
                team,
                from,
                to,
                search,
                cursor,
                limit: limit.unwrap_or(DEFAULT_LIMIT),
            }),
            _ => Err(InvalidRequest { fields: c.0 }),
        }
    }

    /// The same query with `cursor` (for the next page).
    pub fn after(&self, cursor: &str) -> Self {
        Self { cursor: Some(cursor.to_owned()), ..self.clone() }
    }

    /// The query string (`site=acme&q=refund%20please`, percent-encoded),
    /// without the `?`; empty when nothing is given.
    pub fn to_query_string(&self) -> String {
        let pairs = [
            ("site", &self.site),
            ("state", &self.state),
            ("agent", &self.agent),
            ("team", &self.team),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
            ("cursor", &self.cursor),
            ("limit", &self.limit),
        ];
        let given = pairs.iter().filter_map(|(k, v)| v.as_deref().map(|v| format!("{k}={}", encode(v))));
        given.collect::<Vec<_>>().join("&")
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986): for
/// query strings here, and a header's `filename*` on the server.
pub fn encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The problems found while a query's parameters are checked; a parameter
/// that fails reads as `None`.
#[derive(Default)]
pub(super) struct Problems(pub(super) Vec<FieldError>);

impl Problems {
    /// `Some(None)` when not given (or empty).
    pub(super) fn optional<T, E: fmt::Display>(
        &mut self,
        field: &str,
        raw: &Option<String>,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        match raw.as_deref().filter(|r| !r.trim().is_empty()) {
            None => Some(None),
            Some(raw) => parse(raw).map(Some).map_err(|e| self.0.push(FieldError::new(field, e))).ok(),
        }
    }
}

fn parse_state(raw: &str) -> Result<ConversationState, String> {
    let names = STATES.map(|(n, _)| n);
    STATES
        .iter()
        .find(|(name, _)| *name == raw.trim())
        .map(|&(_, s)| s)
        .ok_or_else(|| format!("unknown state {:?}; use one of {}", clip(raw), names.join(", ")))
}

fn parse_limit(raw: &str) -> Result<u32, String> {
    let raw = raw.trim();
    // Digits only: `parse` alone would also take a sign.
    (!raw.is_empty() && raw.len() <= 3 && raw.bytes().all(|b| b.is_ascii_digit()))
        .then(|| raw.parse::<u32>().ok())
        .flatten()
        .filter(|n| (1..=MAX_LIMIT).contains(n))
        .ok_or_else(|| format!("must be a whole number from 1 to {MAX_LIMIT}, got {:?}", clip(raw)))
}

/// At most 40 characters of `raw`, for an error message.
fn clip(raw: &str) -> String {
    raw.chars().take(40).collect()
}

/// Where a conversation stands in the list's order: when it started (unix
/// ms) and its id. Sent as an opaque string; only a page's `next_cursor`
/// is meant to be given back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// When the last row's conversation started (unix ms).
    pub started_at: i64,
    /// Its id.
    pub id: i64,
}

impl Cursor {
    /// Reads a cursor a page gave out.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || "is not a cursor a page gave out".to_owned();
        let (started, id) = raw.trim().strip_prefix('c').and_then(|r| r.split_once('_')).ok_or_else(bad)?;
        let number = |s: &str| {
            // Digits only: `parse` alone would also take a sign.
            s.bytes().all(|b| b.is_ascii_digit()).then(|| s.parse::<i64>().ok()).flatten().ok_or_else(bad)
        };
        Ok(Self { started_at: number(started)?, id: number(id)? })
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "c{}_{}", self.started_at, self.id)
    }
}

/// What a search looks for: the words of the text typed (runs of letters
/// and digits), at most [`MAX_SEARCH_WORDS`]. Only words reach the search
/// engine, never its operators, so quotes, `AND(` or `*` in the text are
/// searched as the words around them (or, with no word at all, match
/// nothing) rather than misread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    words: Vec<String>,
}

impl Search {
    /// Checks the length of `raw` and takes its words.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.chars().count() > MAX_SEARCH_CHARS {
            return Err(format!("the search text is longer than {MAX_SEARCH_CHARS} characters"));
        }
        let mut words: Vec<String> = Vec::new();
        for word in raw.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            let word = word.to_lowercase();
            if !words.contains(&word) && words.len() < MAX_SEARCH_WORDS {
                words.push(word);
            }
        }
        Ok(Self { words })
    }

    /// The words, lower case, each once; empty when the text had none.
    pub fn words(&self) -> &[String] {
        &self.words
    }
}

/// One page of the list (`GET /api/admin/conversations`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationPage {
    /// The rows, newest first.
    pub items: Vec<ConversationRow>,
    /// The `cursor` of the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// A conversation as the list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationRow {
    /// Conversation id.
    pub id: i64,
    /// The site's key.
    pub site: String,
    /// Where it is in its life.
    pub state: ConversationState,
    /// When the visitor was handed to live chat (RFC 3339, UTC, to the ms).
    pub started_at: String,
    /// Its last message, acceptance or end, whichever is latest, else its
    /// start (likewise).
    pub last_activity_at: String,
    /// When it ended or fell back (likewise); `None` while open.
    pub ended_at: Option<String>,
    /// The visitor's name (first and last name as captured), if known.
    pub visitor_name: Option<String>,
    /// The visitor's email, if captured.
    pub visitor_email: Option<String>,
    /// The agent it is offered to or was accepted by (the latest), if any.
    pub agent: Option<AgentRef>,
    /// Lines of its transcript: the bot part and the live messages.
    pub message_count: u64,
    /// For a search: plain text around the first line that matched (to be
    /// shown as text); `None` otherwise.
    pub snippet: Option<String>,
}

/// An agent as a row names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentRef {
    /// Display name.
    pub name: String,
    /// Login email.
    pub email: String,
}

/// One conversation in full (`GET /api/admin/conversations/{id}`).
///
/// `D` is one routing decision (the server's `StoredDecision`); a client
/// that only shows the explanation's text reads it as JSON (the default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationDetail<D = serde_json::Value> {
    /// The conversation as the list shows it (without a snippet).
    pub row: ConversationRow,
    /// Who the visitor is and where they were.
    pub visitor: VisitorDetails,
    /// The whole transcript: the bot part, then the live part.
    pub messages: Vec<TranscriptLine>,
    /// Why routing sent it where it went.
    pub explain: Explanation<D>,
}

/// What is known about a conversation's visitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitorDetails {
    /// Everything captured (first name, email, custom attributes, …).
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub attributes: Attributes,
    /// The page they handed off from: its URL, the referrer, the browser's
    /// language and UTM parameters.
    pub page: PageContext,
    /// When they were first seen on any page of the site (RFC 3339, UTC).
    pub first_seen: String,
}

/// One line of a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum TranscriptLine {
    /// Before the hand-off: the bot's line or the visitor's answer, at a
    /// card. Not timed: the bot part is stored whole with the hand-off,
    /// when the conversation starts.
    Bot(Entry),
    /// Live chat: the visitor, an agent or a system notice, with its time.
    Live(ChatMessage),
}

/// Why a conversation went where it did (`explain`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Explanation<D = serde_json::Value> {
    /// The conversation.
    pub conversation: i64,
    /// Its state now.
    pub state: ConversationState,
    /// The live chat card's routing option.
    pub routing: Routing,
    /// Every routing decision, oldest first, each with when it was made.
    pub decisions: Vec<D>,
    /// The same, in words.
    pub text: String,
}

/// Which end of a range a time bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// `from`: a date is its first moment.
    Start,
    /// `to`: a date is the moment after its last (the next midnight).
    End,
}

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

/// `YYYY-MM-DD` (a UTC day) or `YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM)`, as
/// unix ms.
fn parse_time(raw: &str, bound: Bound) -> Result<i64, String> {
    let bad = || {
        format!(
            "{:?} is not a date (2025-03-01) or a time (2025-03-01T09:30:00Z, with Z or an offset)",
            clip(raw)
        )
    };
    let raw = raw.trim();
    let (date, time) = match raw.find(['T', 't']) {
        Some(i) => (&raw[..i], Some(&raw[i + 1..])),
        None => (raw, None),
    };
    let day = parse_date(date).ok_or_else(bad)?;
    let Some(time) = time else {
        return Ok(match bound {
            Bound::Start => day * DAY_MS,
            Bound::End => (day + 1) * DAY_MS,
        });
    };
    let (clock, offset_ms) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else {
        let i = time.rfind(['+', '-']).ok_or_else(bad)?;
        let sign = if time[i..].starts_with('-') { -1 } else { 1 };
        let (h, m) = time[i + 1..].split_once(':').ok_or_else(bad)?;
        let (h, m) = (digits(h, 2, 23).ok_or_else(bad)?, digits(m, 2, 59).ok_or_else(bad)?);
        (&time[..i], sign * (h * 60 + m) * 60_000)
    };
    Ok(day * DAY_MS + parse_clock(clock).ok_or_else(bad)? - offset_ms)
}

/// `YYYY-MM-DD` as days since 1970-01-01.
pub(super) fn parse_date(raw: &str) -> Option<i64> {
    let mut parts = raw.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (y, m) = (digits(y, 4, 9999)?, digits(m, 2, 12)?);
    let d = digits(d, 2, days_in_month(y, m))?;
    (y >= 1 && m >= 1 && d >= 1).then(|| days_from_civil(y, m, d))
}

/// `HH:MM[:SS[.f…]]` as ms since midnight (at most millisecond precision
/// is kept).
fn parse_clock(raw: &str) -> Option<i64> {
    let (hm, fraction) = match raw.split_once('.') {
        Some((hm, f)) => (hm, Some(f)),
        None => (raw, None),
    };
    let mut parts = hm.split(':');
    let h = digits(parts.next()?, 2, 23)?;
    let m = digits(parts.next()?, 2, 59)?;
    let s = match parts.next() {
        Some(s) => digits(s, 2, 59)?,
        None if fraction.is_none() => 0,
        None => return None,
    };
    if parts.next().is_some() {
        return None;
    }
    let ms = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{f:0<3}")[..3].parse::<i64>().ok()?
        }
        Some(_) => return None,
    };
    Some(((h * 60 + m) * 60 + s) * 1000 + ms)
}

/// Exactly `len` ASCII digits, at most `max`.
fn digits(raw: &str, len: usize, max: i64) -> Option<i64> {
    (raw.len() == len && raw.bytes().all(|b| b.is_ascii_digit()))
        .then(|| raw.parse::<i64>().ok())
        .flatten()
        .filter(|n| *n <= max)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date (year, month, day) of a day since
/// 1970-01-01 (Howard Hinnant's `civil_from_days`).
pub(super) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> ConversationQuery {
        let mut q = ConversationQuery::default();
        for (k, v) in pairs {
            let v = Some((*v).to_owned());
            match *k {
                "site" => q.site = v,
                "state" => q.state = v,
                "agent" => q.agent = v,
                "team" => q.team = v,
                "from" => q.from = v,
                "to" => q.to = v,
                "q" => q.q = v,
                "cursor" => q.cursor = v,
                "limit" => q.limit = v,
                _ => unreachable!("{k}"),
            }
        }
        q
    }

    #[test]
    fn nothing_given_lists_everything_fifty_at_a_time() {
        let f = ConversationQuery::default().check().unwrap();
        assert_eq!(f.limit, DEFAULT_LIMIT);
        assert_eq!(
            (f.site, f.state, f.agent, f.team, f.search, f.cursor),
            (None, None, None, None, None, None)
        );
        let empty = query(&[("site", ""), ("state", " "), ("limit", ""), ("q", "")]).check().unwrap();
        assert_eq!(empty, ConversationQuery::default().check().unwrap(), "an empty parameter is not given");
    }

    #[test]
    fn every_bad_parameter_is_named() {
        let e = query(&[
            ("site", "Not A Key"),
            ("state", "live"),
            ("agent", "nobody"),
            ("team", &"x".repeat(101)),
            ("from", "yesterday"),
            ("to", "2025-02-30"),
            ("q", &"a".repeat(201)),
            ("cursor", "c1_-2"),
            ("limit", "0"),
        ])
        .check()
        .unwrap_err();
        let fields: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["site", "state", "agent", "team", "from", "to", "q", "cursor", "limit"]);
        assert!(e.fields[1].message.contains("waiting, offered, active, ended, fallback"), "{e}");
        for limit in ["101", "-1", "ten", "+5"] {
            assert!(query(&[("limit", limit)]).check().unwrap_err().names("limit"), "{limit}");
        }
        for limit in ["1", "100"] {
            assert!(query(&[("limit", limit)]).check().is_ok(), "{limit}");
        }
    }

    #[test]
    fn each_state_is_taken_by_its_name() {
        for (name, state) in STATES {
            assert_eq!(query(&[("state", name)]).check().unwrap().state, Some(state));
            // The same name the wire uses.
            assert_eq!(serde_json::to_value(state).unwrap(), name);
        }
    }

    #[test]
    fn a_range_must_end_after_it_starts() {
        let e = query(&[("from", "2025-03-02"), ("to", "2025-03-01")]).check().unwrap_err();
        assert_eq!(e.fields.len(), 1);
        assert!(e.names("to"), "{e}");
        // One day, both ends given as that day.
        let f = query(&[("from", "2025-03-01"), ("to", "2025-03-01")]).check().unwrap();
        assert_eq!(f.to.unwrap() - f.from.unwrap(), DAY_MS);
    }

    #[test]
    fn dates_and_times_are_read_as_utc_instants() {
        let start = |raw| parse_time(raw, Bound::Start);
        assert_eq!(start("1970-01-01"), Ok(0));
        assert_eq!(start("2023-11-14T22:13:20Z"), Ok(1_700_000_000_000));
        assert_eq!(start("2023-11-14T22:13:20.123Z"), Ok(1_700_000_000_123));
        assert_eq!(start("2023-11-14T22:13:20.1239z"), Ok(1_700_000_000_123));
        assert_eq!(start("2023-11-14t22:13Z"), Ok(1_700_000_000_000 - 20_000));
        assert_eq!(start("2023-11-14T23:13:20+01:00"), Ok(1_700_000_000_000));
        assert_eq!(start("2023-11-14T21:13:20-01:00"), Ok(1_700_000_000_000));
        assert_eq!(start("2024-02-29"), Ok(19_782 * DAY_MS));
        assert_eq!(parse_time("2024-02-29", Bound::End), Ok(19_783 * DAY_MS));
        // A time is the same instant at either end.
        assert_eq!(parse_time("2023-11-14T22:13:20Z", Bound::End), Ok(1_700_000_000_000));
        for bad in [
            "",
            "2023",
            "2023-1-01",
            "2023-13-01",
            "2023-02-29",
            "2023-11-14T22:13:20",
            "2023-11-14T24:00Z",
            "2023-11-14T22:13:20.Z",
            "2023-11-14T22:13:20+1",
            "2023-11-14 22:13:20Z",
            "+2023-11-14",
            "2023-11-14-01",
        ] {
            assert!(start(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_cursor_reads_back_what_it_wrote_and_nothing_else() {
        let c = Cursor { started_at: 1_700_000_000_123, id: 42 };
        assert_eq!(Cursor::parse(&c.to_string()), Ok(c));
        for bad in
            ["", "c", "c1", "c1_", "c_1", "x1_2", "c1_2_3", "c-1_2", "c+1_2", "c99999999999999999999_1"]
        {
            assert!(Cursor::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_search_keeps_only_words_so_no_operator_reaches_the_engine() {
        fn words(raw: &str) -> Vec<String> {
            Search::parse(raw).unwrap().words().to_vec()
        }
        assert_eq!(words("Refund  please!"), ["refund", "please"]);
        assert_eq!(words("\"AND( OR* NEAR(x y)"), ["and", "or", "near", "x", "y"]);
        assert_eq!(words("Crème brûlée, crème"), ["crème", "brûlée"]);
        assert!(words("\"").is_empty());
        assert!(words("*-()").is_empty());
        assert_eq!(words(&"w ".repeat(40)), ["w"]);
        let many: String = (0..30).map(|i| format!("w{i} ")).collect();
        assert_eq!(words(&many).len(), MAX_SEARCH_WORDS);
    }

    #[test]
    fn a_query_string_encodes_what_was_given() {
        let q = query(&[("site", "acme"), ("q", "refund & co/é"), ("from", "2025-03-01T09:30:00+01:00")]);
        assert_eq!(
            q.to_query_string(),
            "site=acme&from=2025-03-01T09%3A30%3A00%2B01%3A00&q=refund%20%26%20co%2F%C3%A9"
        );
        assert_eq!(q.after("c1_2").cursor.as_deref(), Some("c1_2"));
        assert_eq!(ConversationQuery::default().to_query_string(), "");
    }

    #[test]
    fn a_transcript_line_is_tagged_with_its_part() {
        let lines = vec![
            TranscriptLine::Bot(Entry::Visitor { card: "ask".into(), text: "Yes".into() }),
            TranscriptLine::Live(ChatMessage {
                seq: 1,
                author: crate::wire::Author::Agent,
                client_id: None,
                text: "Hi".into(),
                at: "2025-03-01T09:30:00.000Z".into(),
                file: None,
            }),
        ];
        let json = serde_json::to_value(&lines).unwrap();
        assert_eq!(
            json[0],
            serde_json::json!({"part": "bot", "from": "visitor", "card": "ask", "text": "Yes"})
        );
        assert_eq!(json[1]["part"], "live");
        assert_eq!(json[1]["author"], "agent");
        let back: Vec<TranscriptLine> = serde_json::from_value(json).unwrap();
        assert_eq!(back, lines);
    }
}
