//! `switchboard report agents|teams|sites|periods|conversations|streams`: the
//! reports of [`crate::reports`] at a terminal, as an aligned table, CSV
//! or JSON.

use clap::{Args, Subcommand, ValueEnum};
use switchboard_protocol::admin::ReportQuery;

use crate::admin::AdminError;
use crate::reports::{self, output, Scope};
use crate::store::Store;

/// `switchboard report …`
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// One row per agent offered a chat.
    Agents(ReportArgs),
    /// One row per team with conversations.
    Teams(ReportArgs),
    /// One row per site with conversations.
    Sites(ReportArgs),
    /// One row per day or week (`--by`); JSON has the totals too.
    Periods(ReportArgs),
    /// One row per conversation handed off, in the order they started.
    Conversations(ReportArgs),
    /// One row per dialogue (stream) and per card of it: visits and where they leave.
    Streams(ReportArgs),
}

/// Which days, whose, and how to print them.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The first day (2026-11-01); six days before --to if not given.
    #[arg(long)]
    from: Option<String>,
    /// The last day, included; today if not given.
    #[arg(long)]
    to: Option<String>,
    /// The time zone of the days (Europe/Amsterdam); UTC if not given.
    #[arg(long)]
    tz: Option<String>,
    /// Periods of `periods`: day or week.
    #[arg(long)]
    by: Option<String>,
    /// Only this site's conversations (its key).
    #[arg(long)]
    site: Option<String>,
    /// How to print it.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns.
    Table,
    /// CSV with a header line.
    Csv,
    /// JSON, as the admin API answers.
    Json,
}

impl ReportArgs {
    fn query(&self) -> ReportQuery {
        ReportQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            tz: self.tz.clone(),
            by: self.by.clone(),
            site: self.site.clone(),
        }
    }
}

fn print(table: &output::Table, json: impl serde::Serialize, format: Format) -> String {
    match format {
        Format::Table => table.text(),
        Format::Csv => table.csv(),
        Format::Json => serde_json::to_string_pretty(&json).expect("reports serialize") + "\n",
    }
}

/// Runs a report command at `now` (unix ms); returns what to print.
pub async fn run(store: &Store, cmd: ReportCommand, now: i64) -> Result<String, AdminError> {
    let args = match &cmd {
        ReportCommand::Agents(a)
        | ReportCommand::Teams(a)
        | ReportCommand::Sites(a)
        | ReportCommand::Periods(a)
        | ReportCommand::Conversations(a)
        | ReportCommand::Streams(a) => a,
    };
    let scope = Scope::new(store, &args.query(), now).await?;
    if let ReportCommand::Conversations(_) = cmd {
        let rows = reports::conversations(store, &scope).await?;
        return Ok(print(&output::conversations_table(&rows), &rows, args.format));
    }
    if let ReportCommand::Streams(_) = cmd {
        let report = reports::streams(store, &scope).await?;
        return Ok(print(&output::streams_table(&report.streams), &report, args.format));
    }
    let report = reports::chats(store, &scope).await?;
    let group = match cmd {
        ReportCommand::Agents(_) => output::Group::Agents,
        ReportCommand::Teams(_) => output::Group::Teams,
        ReportCommand::Sites(_) => output::Group::Sites,
        ReportCommand::Periods(_) => output::Group::Periods,
        ReportCommand::Conversations(_) | ReportCommand::Streams(_) => unreachable!("answered above"),
    };
    let table = output::group_table(&report, group);
    Ok(match group {
        output::Group::Agents => print(&table, &report.agents, args.format),
        output::Group::Teams => print(&table, &report.teams, args.format),
        output::Group::Sites => print(&table, &report.sites, args.format),
        output::Group::Periods => print(&table, &report, args.format),
    })
}
