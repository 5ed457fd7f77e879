//! Reports (`/api/admin/reports/…`): what the live chat did over a range
//! of days, counted from the facts the server stores as they happen, and
//! what is going on now.
//!
//! The definitions (the README has them as a table):
//!
//! - A conversation counts on the day (in the report's time zone) its
//!   visitor asked for an agent (its hand-off), with everything that
//!   happened to it, whenever that was.
//! - **requested**: hand-offs; **offered**: those offered to at least one
//!   agent; **accepted**: those an agent accepted; **fallback**: those that
//!   ended with the fallback message (nobody could take it, or nobody
//!   accepted); **abandoned**: those whose visitor ended or left before
//!   any agent accepted.
//! - **declined**, **missed**: offers (not conversations) an agent
//!   declined, or let time out; **transfers**: chats handed from one agent
//!   to another agent or a team.
//! - **accept rate**: accepted ÷ requested (for an agent: their accepted
//!   offers ÷ offers made to them).
//! - **time to accept**: offer → accept, for each accepted offer;
//!   **wait**: hand-off → the first accept; **first response**: hand-off →
//!   the first message an agent wrote (Chatwoot's rule); **duration**: the
//!   first accept → the end; **messages**: what the visitor and the agents
//!   wrote in a chat that ended (not the system's notices).
//! - Times are [`Spread`]s: how many, the median and the 90th percentile,
//!   each by the nearest-rank method (a value that occurred), never a mean.
//!
//! A dialogue (stream) counts its *visits* (one run of it in one browser)
//! on the day they started: **shown** (its first card was shown),
//! **engaged** (the visitor answered a card), **completed** (reached the
//! end of their branch: an end card, a live chat card, or a card with
//! nothing after it), **emails** (the visitor gave their email), **live
//! chat** (asked for an agent); per card, **reached** and **left** (the
//! last card of a visit that did not complete: where visitors leave).
//!
//! An agent's figures count the offers made to them, the chats they
//! accepted (duration: their accept → the end, or their transfer onward)
//! and the first responses they wrote. A team's count the conversations
//! offered from its rotation or transferred to it.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::conversations::{civil_from_days, parse_date, Problems};
use super::InvalidRequest;
use crate::site::SiteKey;

/// Longest range a report covers, in days.
pub const MAX_DAYS: i64 = 366;

/// Longest time zone name taken.
const MAX_ZONE_CHARS: usize = 64;

/// `GET /api/admin/reports/chats?…` (and the other reports): which days,
/// in which time zone, as typed (each parameter optional; an empty one
/// counts as not given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ReportQuery {
    /// The first day (`2026-11-01`); six days before `to` if not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        param(example = "2026-11-01", pattern = "^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\\s*$")
    )]
    pub from: Option<String>,
    /// The last day, included (`2026-11-30`); today if not given. At most
    /// 366 days after `from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        param(example = "2026-11-30", pattern = "^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\\s*$")
    )]
    pub to: Option<String>,
    /// The time zone whose days these are (IANA: `Europe/Amsterdam`); UTC
    /// if not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(example = "Europe/Amsterdam", max_length = 64))]
    pub tz: Option<String>,
    /// `day` (the default) or `week` (weeks start on Monday): the periods
    /// of `periods`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<Period>))]
    pub by: Option<String>,
    /// Only this site's conversations (its key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(example = "demo", pattern = "^\\s*[a-z0-9_-]{3,64}\\s*$"))]
    pub site: Option<String>,
}

/// What a report's figures are grouped by over time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// One row per day.
    #[default]
    Day,
    /// One row per week, Monday to Sunday.
    Week,
}

impl Period {
    /// Its name in a query (`day`, `week`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
        }
    }
}

/// A [`ReportQuery`] that passed its check. Days are days since
/// 1970-01-01; a missing end is filled in by the server (today in `tz`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRange {
    /// The first day, if given.
    pub from: Option<i64>,
    /// The last day (included), if given.
    pub to: Option<i64>,
    /// The time zone's name, if given (the server knows which exist).
    pub tz: Option<String>,
    /// Rows per day or per week.
    pub by: Period,
    /// Only this site's.
    pub site: Option<SiteKey>,
}

impl ReportRange {
    /// The first and last day, with `today` (in the range's time zone)
    /// for what is missing; refused when longer than [`MAX_DAYS`].
    pub fn days(&self, today: i64) -> Result<(i64, i64), InvalidRequest> {
        let to = self.to.unwrap_or(today);
        let from = self.from.unwrap_or(to - 6);
        if to < from {
            return Err(InvalidRequest::field("to", "must not be before from"));
        }
        if to - from + 1 > MAX_DAYS {
            return Err(InvalidRequest::field("to", format!("a report covers at most {MAX_DAYS} days")));
        }
        Ok((from, to))
    }
}

impl ReportQuery {
    /// Checks every parameter; each bad one is named.
    pub fn check(&self) -> Result<ReportRange, InvalidRequest> {
        let mut c = Problems::default();
        let from = c.optional("from", &self.from, day);
        let to = c.optional("to", &self.to, day);
        let tz = c.optional("tz", &self.tz, zone_name);
        let by = c.optional("by", &self.by, period);
        let site = c.optional("site", &self.site, SiteKey::parse);
        if let (Some(Some(from)), Some(Some(to))) = (from, to) {
            if to < from {
                c.0.push(super::FieldError::new("to", "must not be before from"));
            } else if to - from + 1 > MAX_DAYS {
                c.0.push(super::FieldError::new("to", format!("a report covers at most {MAX_DAYS} days")));
            }
        }
        match (from, to, tz, by, site) {
            (Some(from), Some(to), Some(tz), Some(by), Some(site)) if c.0.is_empty() => {
                Ok(ReportRange { from, to, tz, by: by.unwrap_or_default(), site })
            }
            _ => Err(InvalidRequest { fields: c.0 }),
        }
    }

    /// The query string (percent-encoded), without the `?`; empty when
    /// nothing is given.
    pub fn to_query_string(&self) -> String {
        let pairs = [
            ("from", &self.from),
            ("to", &self.to),
            ("tz", &self.tz),
            ("by", &self.by),
            ("site", &self.site),
        ];
        let given = pairs
            .iter()
            .filter_map(|(k, v)| v.as_deref().map(|v| format!("{k}={}", super::conversations::encode(v))));
        given.collect::<Vec<_>>().join("&")
    }
}

fn day(raw: &str) -> Result<i64, String> {
    parse_date(raw.trim()).ok_or_else(|| format!("{:?} is not a date (2026-11-01)", clip(raw)))
}

fn period(raw: &str) -> Result<Period, String> {
    match raw.trim() {
        "day" => Ok(Period::Day),
        "week" => Ok(Period::Week),
        _ => Err(format!("unknown period {:?}; use day or week", clip(raw))),
    }
}

/// The shape of an IANA time zone name (whether it exists is the server's
/// to say).
fn zone_name(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let ok = raw.chars().count() <= MAX_ZONE_CHARS
        && raw.starts_with(|c: char| c.is_ascii_alphabetic())
        && raw.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(format!("{:?} is not a time zone name (Europe/Amsterdam, UTC)", clip(raw)))
    }
}

fn clip(raw: &str) -> String {
    raw.chars().take(40).collect()
}

/// A day (days since 1970-01-01) as `YYYY-MM-DD`.
pub fn day_name(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// How many values a figure has, with their median and 90th percentile
/// (nearest rank: each is one of the values). Times are in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Spread {
    /// How many values there are.
    pub count: u64,
    /// The median (none without values).
    pub median: Option<i64>,
    /// The 90th percentile (none without values).
    pub p90: Option<i64>,
}

impl Spread {
    /// The spread of `values` (reordered here: each rank is selected, in
    /// linear time, not sorted for; a report has millions).
    pub fn of(mut values: Vec<i64>) -> Self {
        Self::of_slice(&mut values)
    }

    /// The spread of `values` (reordered here).
    pub fn of_slice(values: &mut [i64]) -> Self {
        let count = values.len() as u64;
        let (Some(r50), Some(r90)) = (rank(values.len(), 50), rank(values.len(), 90)) else {
            return Self { count, median: None, p90: None };
        };
        let (below, &mut p90, _) = values.select_nth_unstable(r90);
        // (The median's rank is at most the 90th's: it is among those below.)
        let median = if r50 == r90 { p90 } else { *below.select_nth_unstable(r50).1 };
        Self { count, median: Some(median), p90: Some(p90) }
    }
}

/// The index of the `pct`th percentile by nearest rank among `n` sorted
/// values: rank ⌈pct/100 × n⌉, 1-based (none of none).
fn rank(n: usize, pct: usize) -> Option<usize> {
    (n > 0).then(|| (pct * n).div_ceil(100).max(1) - 1)
}

/// The `pct`th percentile of sorted `values` by nearest rank: the value at
/// rank ⌈pct/100 × n⌉ (1-based).
pub fn nearest_rank(sorted: &[i64], pct: u64) -> Option<i64> {
    sorted.get(rank(sorted.len(), usize::try_from(pct).ok()?)?).copied()
}

/// The figures of a set of conversations (a day, a site, a team, all).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatFigures {
    /// Hand-offs: visitors who asked for an agent.
    pub requested: u64,
    /// Of those, offered to at least one agent.
    pub offered: u64,
    /// Of those, accepted by an agent.
    pub accepted: u64,
    /// Offers an agent declined.
    pub declined: u64,
    /// Offers that timed out (missed).
    pub missed: u64,
    /// Conversations that ended with the fallback message.
    pub fallback: u64,
    /// Conversations whose visitor ended or left before an agent accepted.
    pub abandoned: u64,
    /// Chats handed on by an agent.
    pub transfers: u64,
    /// accepted ÷ requested; none without requests.
    pub accept_rate: Option<f64>,
    /// Offer → accept, per accepted offer (ms).
    pub time_to_accept: Spread,
    /// Hand-off → first accept (ms).
    pub wait: Spread,
    /// Hand-off → first agent message (ms).
    pub first_response: Spread,
    /// First accept → end (ms).
    pub duration: Spread,
    /// Messages per ended chat (visitor and agents).
    pub messages: Spread,
}

/// One period's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodRow {
    /// Its first day (`2026-11-30`; a week's Monday).
    pub start: String,
    /// What happened in it.
    pub figures: ChatFigures,
}

/// One site's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteRow {
    /// The site's key (empty for a site removed since).
    pub site: String,
    /// Its name.
    pub name: String,
    /// What happened on it.
    pub figures: ChatFigures,
}

/// One team's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamRow {
    /// The team's name as it was then.
    pub team: String,
    /// Its conversations' figures.
    pub figures: ChatFigures,
}

/// One agent's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentRow {
    /// The agent's id.
    pub agent: i64,
    /// Their name (`Removed agent 12` for one removed since).
    pub name: String,
    /// Their login email (none for one removed since).
    pub email: Option<String>,
    /// Offers made to them.
    pub offered: u64,
    /// Offers they accepted.
    pub accepted: u64,
    /// Offers they declined.
    pub declined: u64,
    /// Offers they let time out.
    pub missed: u64,
    /// Offers taken back because the visitor left or ended first.
    pub withdrawn: u64,
    /// accepted ÷ offered; none without offers.
    pub accept_rate: Option<f64>,
    /// Offer → their accept (ms).
    pub time_to_accept: Spread,
    /// Hand-off → the first agent message, where they wrote it (ms).
    pub first_response: Spread,
    /// Their accept → the end or their transfer onward (ms).
    pub duration: Spread,
    /// Chats they handed on.
    pub transfers: u64,
}

/// `GET /api/admin/reports/chats`: live chat performance over a range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatReport {
    /// The first day (`2026-11-01`).
    pub from: String,
    /// The last day, included.
    pub to: String,
    /// The time zone of the days.
    pub time_zone: String,
    /// What `periods` are.
    pub by: Period,
    /// Only this site's (its key), if asked.
    pub site: Option<String>,
    /// Everything in the range.
    pub totals: ChatFigures,
    /// Each period of the range, in order, empty ones too.
    pub periods: Vec<PeriodRow>,
    /// Each site with conversations in the range.
    pub sites: Vec<SiteRow>,
    /// Each team with conversations in the range.
    pub teams: Vec<TeamRow>,
    /// Each agent offered a chat in the range.
    pub agents: Vec<AgentRow>,
}

/// How a conversation went, as far as it has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// An agent accepted it.
    Accepted,
    /// It ended with the fallback message.
    Fallback,
    /// Its visitor ended or left before an agent accepted.
    Abandoned,
    /// Nobody has accepted it yet, and it is still open.
    Open,
}

impl Outcome {
    /// Its name in CSV and tables.
    pub fn name(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Fallback => "fallback",
            Self::Abandoned => "abandoned",
            Self::Open => "open",
        }
    }
}

/// Who ended a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EndedBy {
    /// The visitor ended it.
    Visitor,
    /// The agent ended it.
    Agent,
    /// Nobody wrote for the inactivity limit.
    Idle,
    /// The visitor left (no socket) before an agent accepted.
    Gone,
    /// Its agent left (removed, or no longer taking chats).
    AgentLeft,
}

impl EndedBy {
    /// Every one, for parsing.
    pub const ALL: [Self; 5] = [Self::Visitor, Self::Agent, Self::Idle, Self::Gone, Self::AgentLeft];

    /// Its name as stored, and in CSV and tables.
    pub fn name(self) -> &'static str {
        match self {
            Self::Visitor => "visitor",
            Self::Agent => "agent",
            Self::Idle => "idle",
            Self::Gone => "gone",
            Self::AgentLeft => "agent_left",
        }
    }

    /// The one named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.name() == name)
    }
}

impl fmt::Display for EndedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One conversation's figures (a row of the conversations CSV).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationFigures {
    /// Its id.
    pub conversation: i64,
    /// Its site's key.
    pub site: String,
    /// The stream the visitor came through (its id).
    pub stream: String,
    /// The hand-off (ISO 8601 with the report's offset).
    pub started_at: String,
    /// How it went.
    pub outcome: Outcome,
    /// The team it was offered from or transferred to last, if any.
    pub team: Option<String>,
    /// Who accepted it first (email; `#12` for an agent removed since).
    pub agent: Option<String>,
    /// Who had it last.
    pub last_agent: Option<String>,
    /// Offers made.
    pub offers: u64,
    /// Offers declined.
    pub declined: u64,
    /// Offers missed.
    pub missed: u64,
    /// Transfers.
    pub transfers: u64,
    /// The first accepted offer → its accept (ms).
    pub time_to_accept: Option<i64>,
    /// Hand-off → first accept (ms).
    pub wait: Option<i64>,
    /// Hand-off → first agent message (ms).
    pub first_response: Option<i64>,
    /// When it ended (ISO 8601), if it did.
    pub ended_at: Option<String>,
    /// Who ended it.
    pub ended_by: Option<EndedBy>,
    /// First accept → end (ms).
    pub duration: Option<i64>,
    /// Messages the visitor and agents wrote (once it ended).
    pub messages: Option<u64>,
}

/// How a card of a stream did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardFigures {
    /// The card's id.
    pub card: String,
    /// Visits that reached it.
    pub reached: u64,
    /// Visits that went no further (the last card they reached, and they
    /// did not complete the stream): where visitors leave.
    pub left: u64,
}

/// How a stream (a dialogue) did: visits counted on the day they started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StreamFigures {
    /// Its site's key.
    pub site: String,
    /// The stream's id.
    pub stream: String,
    /// Visits whose first card was shown.
    pub shown: u64,
    /// Of those, visits where the visitor answered a card.
    pub engaged: u64,
    /// Visits that reached the end of their branch.
    pub completed: u64,
    /// Visits where the visitor gave their email.
    pub emails: u64,
    /// Visits that asked for an agent.
    pub live_chat: u64,
    /// Each card reached, most reached first.
    pub cards: Vec<CardFigures>,
}

/// `GET /api/admin/reports/streams`: how each dialogue did over a range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StreamReport {
    /// The first day.
    pub from: String,
    /// The last day, included.
    pub to: String,
    /// The time zone of the days.
    pub time_zone: String,
    /// Only this site's (its key), if asked.
    pub site: Option<String>,
    /// Each stream with visits in the range, by site and id.
    pub streams: Vec<StreamFigures>,
}

/// `GET /api/admin/reports/live`: what is happening now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveNow {
    /// Conversations waiting for routing.
    pub waiting: u64,
    /// Conversations offered to an agent, not yet accepted.
    pub offered: u64,
    /// Chats going on.
    pub active: u64,
    /// Agents with the inbox open (who may take live chats).
    pub agents_online: u64,
    /// Of those, available to take a chat now.
    pub agents_available: u64,
    /// How long the longest-waiting visitor (waiting or offered) has been
    /// waiting (ms).
    pub longest_wait: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> ReportQuery {
        let mut q = ReportQuery::default();
        for (k, v) in pairs {
            let v = Some((*v).to_owned());
            match *k {
                "from" => q.from = v,
                "to" => q.to = v,
                "tz" => q.tz = v,
                "by" => q.by = v,
                "site" => q.site = v,
                _ => unreachable!("{k}"),
            }
        }
        q
    }

    #[test]
    fn percentiles_are_values_by_nearest_rank() {
        assert_eq!(Spread::of(vec![]), Spread { count: 0, median: None, p90: None });
        assert_eq!(Spread::of(vec![7]), Spread { count: 1, median: Some(7), p90: Some(7) });
        // Ranks ⌈0.5 × 4⌉ = 2 and ⌈0.9 × 4⌉ = 4: no mean of the middle two.
        assert_eq!(Spread::of(vec![40, 10, 30, 20]), Spread { count: 4, median: Some(20), p90: Some(40) });
        let ten: Vec<i64> = (1..=10).rev().collect();
        assert_eq!(Spread::of(ten), Spread { count: 10, median: Some(5), p90: Some(9) });
        // Selected as sorting would find them, at every length, with ties.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for n in 1..300 {
            let values: Vec<i64> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    i64::try_from(x % 50).unwrap() - 10
                })
                .collect();
            let mut sorted = values.clone();
            sorted.sort_unstable();
            let want = Spread { count: n, median: nearest_rank(&sorted, 50), p90: nearest_rank(&sorted, 90) };
            assert_eq!(Spread::of(values), want, "{n} values");
        }
    }

    #[test]
    fn a_query_names_each_bad_parameter() {
        let e = query(&[("from", "yesterday"), ("tz", "Europe/Amster dam"), ("by", "month"), ("site", "X")])
            .check()
            .unwrap_err();
        let fields: Vec<_> = e.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["from", "tz", "by", "site"]);
        let e = query(&[("from", "2026-11-02"), ("to", "2026-11-01")]).check().unwrap_err();
        assert_eq!(e.fields[0].field, "to");
        let e = query(&[("from", "2025-01-01"), ("to", "2026-01-02")]).check().unwrap_err();
        assert!(e.fields[0].message.contains("366"), "{e}");
    }

    #[test]
    fn missing_days_are_the_week_up_to_today() {
        let r = query(&[]).check().unwrap();
        assert_eq!(r.by, Period::Day);
        let today = parse_date("2026-12-03").unwrap();
        let (from, to) = r.days(today).unwrap();
        assert_eq!((day_name(from).as_str(), day_name(to).as_str()), ("2026-11-27", "2026-12-03"));
        let r = query(&[("from", "2026-12-01"), ("by", "week"), ("tz", "America/Argentina/Buenos_Aires")])
            .check()
            .unwrap();
        assert_eq!(r.tz.as_deref(), Some("America/Argentina/Buenos_Aires"));
        assert_eq!(r.days(today).unwrap(), (parse_date("2026-12-01").unwrap(), today));
        assert!(r.days(parse_date("2026-11-30").unwrap()).is_err(), "today before from");
    }

    #[test]
    fn the_query_string_round_trips() {
        let q = query(&[("from", "2026-11-01"), ("tz", "Europe/Amsterdam"), ("site", "demo")]);
        assert_eq!(q.to_query_string(), "from=2026-11-01&tz=Europe%2FAmsterdam&site=demo");
    }

    #[test]
    fn who_ended_is_named_both_ways() {
        for e in EndedBy::ALL {
            assert_eq!(EndedBy::parse(e.name()), Some(e));
        }
        assert_eq!(EndedBy::parse("nobody"), None);
    }
}
