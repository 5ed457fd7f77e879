//! Reports as tables: CSV (RFC 4180, for spreadsheets) and aligned plain
//! text (for a terminal). Times are seconds (`12.5`), rates fractions
//! (`0.75`); empty where there is no value.

use switchboard_protocol::admin::{
    AgentRow, ChatFigures, ChatReport, ConversationFigures, Spread, StreamFigures,
};

/// A table: its column names and rows of cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Column names.
    pub header: Vec<&'static str>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// As CSV: the header, then each row; every line ends in CRLF, a cell
    /// holding a comma, quote or line break is quoted (quotes doubled),
    /// and text a spreadsheet would take for a formula (`=`, `+`, `-`,
    /// `@` first) starts with `'`.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        csv_line(&mut out, self.header.iter().copied());
        for row in &self.rows {
            csv_line(&mut out, row.iter().map(String::as_str));
        }
        out
    }

    /// As aligned plain text, two spaces between columns.
    pub fn text(&self) -> String {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let mut line = |cells: Vec<&str>| {
            let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
            out.push_str(padded.join("  ").trim_end());
            out.push('\n');
        };
        line(self.header.clone());
        for row in &self.rows {
            line(row.iter().map(String::as_str).collect());
        }
        out
    }
}

/// Appends one CSV line of `cells`.
pub fn csv_line<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let guarded = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{cell}")
        } else {
            cell.to_owned()
        };
        if guarded.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&guarded.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&guarded);
        }
    }
    out.push_str("\r\n");
}

/// Milliseconds as seconds, to the millisecond, without trailing zeros.
pub fn seconds(ms: i64) -> String {
    let s = format!("{}.{:03}", ms.div_euclid(1000), ms.rem_euclid(1000));
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn opt(v: Option<i64>, f: fn(i64) -> String) -> String {
    v.map(f).unwrap_or_default()
}

fn count(v: i64) -> String {
    v.to_string()
}

fn rate(r: Option<f64>) -> String {
    r.map(|r| {
        let s = format!("{r:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    })
    .unwrap_or_default()
}

/// The columns of [`figure_cells`].
pub const FIGURE_COLUMNS: [&str; 19] = [
    "requested",
    "offered",
    "accepted",
    "declined",
    "missed",
    "fallback",
    "abandoned",
    "transfers",
    "accept_rate",
    "time_to_accept_median_s",
    "time_to_accept_p90_s",
    "wait_median_s",
    "wait_p90_s",
    "first_response_median_s",
    "first_response_p90_s",
    "duration_median_s",
    "duration_p90_s",
    "messages_median",
    "messages_p90",
];

fn spread(s: &Spread, f: fn(i64) -> String) -> [String; 2] {
    [opt(s.median, f), opt(s.p90, f)]
}

/// A group's figures as cells, in [`FIGURE_COLUMNS`] order.
pub fn figure_cells(f: &ChatFigures) -> Vec<String> {
    let mut cells: Vec<String> =
        [f.requested, f.offered, f.accepted, f.declined, f.missed, f.fallback, f.abandoned, f.transfers]
            .iter()
            .map(u64::to_string)
            .collect();
    cells.push(rate(f.accept_rate));
    for (s, unit) in [
        (&f.time_to_accept, seconds as fn(i64) -> String),
        (&f.wait, seconds),
        (&f.first_response, seconds),
        (&f.duration, seconds),
        (&f.messages, count),
    ] {
        cells.extend(spread(s, unit));
    }
    cells
}

/// Groups of figures (sites, teams, periods) as a table, each row's first
/// cell its name under `first`.
pub fn figures_table<'a>(
    first: &'static str,
    rows: impl Iterator<Item = (String, &'a ChatFigures)>,
) -> Table {
    let mut header = vec![first];
    header.extend(FIGURE_COLUMNS);
    let rows = rows
        .map(|(name, f)| {
            let mut row = vec![name];
            row.extend(figure_cells(f));
            row
        })
        .collect();
    Table { header, rows }
}

/// The groups of a live chat report that are tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// One row per agent.
    Agents,
    /// One row per team.
    Teams,
    /// One row per site.
    Sites,
    /// One row per day or week.
    Periods,
}

impl Group {
    /// Its name (in file names and commands).
    pub fn name(self) -> &'static str {
        match self {
            Self::Agents => "agents",
            Self::Teams => "teams",
            Self::Sites => "sites",
            Self::Periods => "periods",
        }
    }
}

/// One of `report`'s groups as a table.
pub fn group_table(report: &ChatReport, group: Group) -> Table {
    match group {
        Group::Agents => agents_table(&report.agents),
        Group::Teams => figures_table("team", report.teams.iter().map(|t| (t.team.clone(), &t.figures))),
        Group::Sites => figures_table("site", report.sites.iter().map(|r| (r.site.clone(), &r.figures))),
        Group::Periods => {
            figures_table("period", report.periods.iter().map(|p| (p.start.clone(), &p.figures)))
        }
    }
}

/// One row per agent.
pub fn agents_table(agents: &[AgentRow]) -> Table {
    let header = vec![
        "agent",
        "name",
        "email",
        "offered",
        "accepted",
        "declined",
        "missed",
        "withdrawn",
        "accept_rate",
        "time_to_accept_median_s",
        "time_to_accept_p90_s",
        "first_response_median_s",
        "first_response_p90_s",
        "duration_median_s",
        "duration_p90_s",
        "transfers",
    ];
    let rows = agents
        .iter()
        .map(|a| {
            let mut row = vec![a.agent.to_string(), a.name.clone(), a.email.clone().unwrap_or_default()];
            row.extend([a.offered, a.accepted, a.declined, a.missed, a.withdrawn].map(|n| n.to_string()));
            row.push(rate(a.accept_rate));
            for s in [&a.time_to_accept, &a.first_response, &a.duration] {
                row.extend(spread(s, seconds));
            }
            row.push(a.transfers.to_string());
            row
        })
        .collect();
    Table { header, rows }
}

/// The columns of the conversations table.
pub const CONVERSATION_COLUMNS: [&str; 19] = [
    "conversation",
    "site",
    "stream",
    "started_at",
    "outcome",
    "team",
    "agent",
    "last_agent",
    "offers",
    "declined",
    "missed",
    "transfers",
    "time_to_accept_s",
    "wait_s",
    "first_response_s",
    "ended_at",
    "ended_by",
    "duration_s",
    "messages",
];

/// One conversation as cells, in [`CONVERSATION_COLUMNS`] order.
pub fn conversation_cells(c: &ConversationFigures) -> Vec<String> {
    vec![
        c.conversation.to_string(),
        c.site.clone(),
        c.stream.clone(),
        c.started_at.clone(),
        c.outcome.name().to_owned(),
        c.team.clone().unwrap_or_default(),
        c.agent.clone().unwrap_or_default(),
        c.last_agent.clone().unwrap_or_default(),
        c.offers.to_string(),
        c.declined.to_string(),
        c.missed.to_string(),
        c.transfers.to_string(),
        opt(c.time_to_accept, seconds),
        opt(c.wait, seconds),
        opt(c.first_response, seconds),
        c.ended_at.clone().unwrap_or_default(),
        c.ended_by.map(|b| b.name().to_owned()).unwrap_or_default(),
        opt(c.duration, seconds),
        c.messages.map(|m| m.to_string()).unwrap_or_default(),
    ]
}

/// Conversations as a table.
pub fn conversations_table(rows: &[ConversationFigures]) -> Table {
    Table { header: CONVERSATION_COLUMNS.to_vec(), rows: rows.iter().map(conversation_cells).collect() }
}

/// One row per stream, and one per card of it (`card` filled): where
/// visitors leave.
pub fn streams_table(streams: &[StreamFigures]) -> Table {
    let header = vec![
        "site",
        "stream",
        "card",
        "shown",
        "engaged",
        "completed",
        "emails",
        "live_chat",
        "reached",
        "left",
    ];
    let mut rows = Vec::new();
    for f in streams {
        let n = |v: u64| v.to_string();
        rows.push(vec![
            f.site.clone(),
            f.stream.clone(),
            String::new(),
            n(f.shown),
            n(f.engaged),
            n(f.completed),
            n(f.emails),
            n(f.live_chat),
            String::new(),
            String::new(),
        ]);
        for c in &f.cards {
            let mut row = vec![f.site.clone(), f.stream.clone(), c.card.clone()];
            row.extend(std::iter::repeat_n(String::new(), 5));
            row.extend([n(c.reached), n(c.left)]);
            rows.push(row);
        }
    }
    Table { header, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_written_to_the_millisecond_without_trailing_zeros() {
        assert_eq!(seconds(4000), "4");
        assert_eq!(seconds(4500), "4.5");
        assert_eq!(seconds(61_001), "61.001");
        assert_eq!(seconds(0), "0");
    }

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        let mut out = String::new();
        csv_line(&mut out, ["plain", "a,b", "say \"hi\"", "two\nlines", "=HYPERLINK(1)", "-3"].into_iter());
        assert_eq!(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",'=HYPERLINK(1),'-3\r\n");
    }

    #[test]
    fn a_text_table_lines_columns_up() {
        let t = Table { header: vec!["team", "requested"], rows: vec![vec!["Sales".into(), "12".into()]] };
        assert_eq!(t.text(), "team   requested\nSales  12\n");
    }
}
