//! `switchboard db copy`: moves a single-node installation's SQLite
//! database into an empty PostgreSQL one, every row of every table that
//! holds data, verified before it is committed.
//!
//! Both databases are opened as the server opens them, which migrates
//! each to this version first (an older SQLite file is brought up to
//! date). Then, in one PostgreSQL transaction, so that a failure at any
//! point leaves the target as empty as it was:
//!
//! 1. a target with a row in any copied or rebuilt table is refused,
//!    before anything is written;
//! 2. each table's columns are read from both schemas and must match;
//! 3. the tables are copied in [`tables::TABLES`]' order, each streamed
//!    from one SQLite read transaction (a consistent snapshot) into
//!    `COPY … FROM STDIN` in batches of about a megabyte, so no table is
//!    ever held in memory; the target's triggers fill its search index
//!    meanwhile;
//! 4. every identity sequence is set past the highest id copied, so the
//!    next row the server adds gets a new one;
//! 5. each table is read back from the target and its count and checksum
//!    ([`Tally`]) compared with the source's, the search index by its
//!    row ids; only if every one is equal is the transaction committed.
//!
//! - [`tables`]: what is copied, rebuilt or skipped, and how a value
//!   converts;
//! - [`rows`]: values, `COPY`'s text format, the checksum.

mod rows;
mod tables;
#[cfg(test)]
mod tests;

pub use rows::Tally;

use futures_util::TryStreamExt;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{PgConnection, SqliteConnection};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Instant;

use super::{scheme, Db, Store, StoreError};
use rows::Value;
use tables::{Fill, Kind, REBUILT, SKIPPED, TABLES};

/// About how much `COPY` data is sent at a time.
const BATCH_BYTES: usize = 1 << 20;

/// Why a copy did not happen; in every case the target is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// `--from` is not a SQLite URL.
    #[error("--from must be a SQLite database (sqlite://PATH), not {scheme}")]
    FromNotSqlite {
        /// Its scheme as `scheme:`, or `no scheme` (the rest may hold a password).
        scheme: String,
    },
    /// `--to` is not a PostgreSQL URL.
    #[error("--to must be a PostgreSQL database (postgres://USER:PASSWORD@HOST:PORT/NAME), not {scheme}")]
    ToNotPostgres {
        /// Its scheme as `scheme:`, or `no scheme`.
        scheme: String,
    },
    /// No SQLite file where `--from` points (opening it would create an
    /// empty one, and copy nothing).
    #[error("there is no SQLite database at {}", path.display())]
    SourceMissing {
        /// The file named.
        path: PathBuf,
    },
    /// A database would not open or migrate.
    #[error("opening the {side} database: {source}")]
    Open {
        /// `source` or `target`.
        side: &'static str,
        /// Why.
        source: StoreError,
    },
    /// The target holds tables of something else: it is not migrated.
    #[error(
        "the target database has tables that are not Switchboard's ({tables}); db copy only fills an \
         empty database, and wrote nothing"
    )]
    TargetForeign {
        /// Some of its tables.
        tables: String,
    },
    /// The target already holds data.
    #[error(
        "the target database is not empty (table {table} has rows); db copy only fills an empty \
         database, and wrote nothing"
    )]
    TargetNotEmpty {
        /// The first table found with rows.
        table: &'static str,
    },
    /// A table's columns differ between the two schemas.
    #[error("table {table}: {problem}; nothing was written")]
    Schema {
        /// The table.
        table: &'static str,
        /// What differs.
        problem: String,
    },
    /// A source value does not fit its target column.
    #[error("table {table}, column {column}: {problem}; nothing was written")]
    Value {
        /// The table.
        table: &'static str,
        /// The column.
        column: String,
        /// What is wrong with the value.
        problem: String,
    },
    /// Reading or writing a table failed.
    #[error("copying table {table}: {source}; nothing was written")]
    Table {
        /// The table.
        table: &'static str,
        /// The database's error.
        source: sqlx::Error,
    },
    /// Another database error (beginning, sequences, committing).
    #[error("database: {0}; nothing was written")]
    Db(#[from] sqlx::Error),
    /// The target, read back, is not what was copied: not committed.
    #[error("the copy does not match its source, so it was not committed (the target is empty):\n{0}")]
    Mismatch(Report),
}

/// One table compared: its tally on each side.
#[derive(Debug, Clone)]
pub struct Check {
    /// The table.
    pub table: &'static str,
    /// Filled by the target's triggers (compared by its key), not copied.
    pub rebuilt: bool,
    /// Read from the source.
    pub source: Tally,
    /// Read back from the target.
    pub target: Tally,
}

impl Check {
    /// Whether both sides hold the same rows.
    pub fn ok(&self) -> bool {
        self.source == self.target
    }
}

/// What a copy compared, table by table, and how long it took.
#[derive(Debug, Clone)]
pub struct Report {
    /// The copied tables in order, then the rebuilt ones.
    pub checks: Vec<Check>,
    /// Seconds from the first row read to the end of the comparison.
    pub secs: f64,
}

impl Report {
    /// Whether every table matches.
    pub fn ok(&self) -> bool {
        self.checks.iter().all(Check::ok)
    }

    /// Rows copied (the rebuilt tables' not counted).
    pub fn rows(&self) -> u64 {
        self.checks.iter().filter(|c| !c.rebuilt).map(|c| c.source.rows).sum()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |c: &Check| if c.rebuilt { format!("{} (rebuilt)", c.table) } else { c.table.to_owned() };
        let width = self.checks.iter().map(|c| name(c).len()).max().unwrap_or(0).max(5);
        writeln!(f, "{:<width$}  {:>10}  checksum", "table", "rows")?;
        for c in &self.checks {
            if c.ok() {
                writeln!(f, "{:<width$}  {:>10}  ok {}", name(c), c.source.rows, c.source.checksum())?;
            } else {
                writeln!(
                    f,
                    "{:<width$}  {:>10}  MISMATCH: the target has {} rows, checksum {} (the source's {})",
                    name(c),
                    c.source.rows,
                    c.target.rows,
                    c.target.checksum(),
                    c.source.checksum(),
                )?;
            }
        }
        let rate = self.rows() as f64 / self.secs.max(0.001);
        let bad = self.checks.iter().filter(|c| !c.ok()).count();
        let outcome = if bad == 0 {
            "every count and checksum equal".to_owned()
        } else {
            format!("{bad} of {} tables differ", self.checks.len())
        };
        writeln!(
            f,
            "{:<width$}  {:>10}  rows in {} tables, {outcome}; {:.1} s ({rate:.0} rows/s)",
            "total",
            self.rows(),
            self.checks.len(),
            self.secs,
        )?;
        for (table, why) in SKIPPED {
            writeln!(f, "not copied: {table} ({why})")?;
        }
        Ok(())
    }
}

/// A table copied (before any is compared), for a progress line.
#[derive(Debug, Clone, Copy)]
pub struct Copied<'a> {
    /// The table.
    pub table: &'a str,
    /// Its rows.
    pub rows: u64,
    /// Seconds it took.
    pub secs: f64,
}

/// Copies the SQLite database at `from` into the empty PostgreSQL
/// database at `to` (see the module's steps), calling `progress` after
/// each table; answers what was compared. The target is committed only
/// when every table matches: [`CopyError::Mismatch`] otherwise.
pub async fn copy(from: &str, to: &str, mut progress: impl FnMut(Copied<'_>)) -> Result<Report, CopyError> {
    check_urls(from, to)?;
    // Opening migrates: a database of something else is refused first.
    foreign_tables(to).await?;
    let source = Store::open(from).await.map_err(|source| CopyError::Open { side: "source", source })?;
    let target = match Store::open(to).await {
        Ok(target) => target,
        Err(e) => {
            source.close().await;
            return Err(CopyError::Open { side: "target", source: e });
        }
    };
    let result = match (&source.db, &target.db) {
        (Db::Sqlite(from), Db::Postgres(to)) => copy_between(from, to, &mut progress).await,
        _ => unreachable!("the URLs' schemes were checked"),
    };
    source.close().await;
    target.close().await;
    result
}

/// Refuses a target with tables but no record of Switchboard's
/// migrations (an empty database has no tables; one a Switchboard server
/// opened has its migrations and is checked for rows after opening).
async fn foreign_tables(to: &str) -> Result<(), CopyError> {
    use sqlx::Connection;
    let open = |e: sqlx::Error| CopyError::Open { side: "target", source: e.into() };
    let mut conn = sqlx::PgConnection::connect(to).await.map_err(open)?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() ORDER BY table_name",
    )
    .fetch_all(&mut conn)
    .await
    .map_err(open)?;
    conn.close().await.ok();
    if tables.is_empty() || tables.iter().any(|t| t == "_sqlx_migrations") {
        return Ok(());
    }
    let mut named = tables.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    if tables.len() > 3 {
        named.push_str(&format!(" and {} more", tables.len() - 3));
    }
    Err(CopyError::TargetForeign { tables: named })
}

/// `from` names an existing SQLite file, `to` a PostgreSQL database.
fn check_urls(from: &str, to: &str) -> Result<(), CopyError> {
    let named = |url| scheme(url).map_or_else(|| "no scheme".to_owned(), |s| format!("{s}:"));
    if scheme(from) != Some("sqlite") {
        return Err(CopyError::FromNotSqlite { scheme: named(from) });
    }
    if !matches!(scheme(to), Some("postgres" | "postgresql")) {
        return Err(CopyError::ToNotPostgres { scheme: named(to) });
    }
    let options = SqliteConnectOptions::from_str(from)
        .map_err(|e| CopyError::Open { side: "source", source: e.into() })?;
    let path = options.get_filename();
    if !path.is_file() {
        return Err(CopyError::SourceMissing { path: path.to_owned() });
    }
    Ok(())
}

/// The copy proper, from one migrated database to the other.
async fn copy_between(
    from: &sqlx::SqlitePool,
    to: &sqlx::PgPool,
    progress: &mut impl FnMut(Copied<'_>),
) -> Result<Report, CopyError> {
    let started = Instant::now();
    let mut tx = to.begin().await?;
    // A read transaction: every table (and the comparison) sees one
    // snapshot, even if a server were still writing.
    let mut snapshot = from.begin().await?;
    for table in TABLES.iter().map(|t| t.name).chain(REBUILT.iter().map(|r| r.name)) {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", quote(table));
        if sqlx::query_scalar::<_, bool>(&sql).fetch_one(&mut *tx).await? {
            return Err(CopyError::TargetNotEmpty { table });
        }
    }
    let mut plans = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        plans.push(columns(&mut snapshot, &mut tx, table.name).await?);
    }

    let mut sources = Vec::with_capacity(TABLES.len());
    for (table, columns) in TABLES.iter().zip(&plans) {
        let began = Instant::now();
        if table.fill == Fill::Replace {
            let sql = format!("DELETE FROM {}", quote(table.name));
            sqlx::query(&sql)
                .execute(&mut *tx)
                .await
                .map_err(|source| CopyError::Table { table: table.name, source })?;
        }
        let tally = copy_table(&mut snapshot, &mut tx, table.name, columns).await?;
        progress(Copied { table: table.name, rows: tally.rows, secs: began.elapsed().as_secs_f64() });
        sources.push(tally);
    }
    for table in TABLES {
        set_sequences(&mut tx, table.name).await?;
    }

    let mut checks = Vec::with_capacity(TABLES.len() + REBUILT.len());
    for ((table, columns), source) in TABLES.iter().zip(&plans).zip(sources) {
        let target = tally_target(&mut tx, table.name, columns).await?;
        checks.push(Check { table: table.name, rebuilt: false, source, target });
    }
    for rebuilt in REBUILT {
        let key = [(rebuilt.key.to_owned(), Kind::Int)];
        let source = tally_source(&mut snapshot, rebuilt.name, &key).await?;
        let target = tally_target(&mut tx, rebuilt.name, &key).await?;
        checks.push(Check { table: rebuilt.name, rebuilt: true, source, target });
    }
    let report = Report { checks, secs: started.elapsed().as_secs_f64() };
    if !report.ok() {
        // Dropping the transaction rolls it back.
        return Err(CopyError::Mismatch(report));
    }
    tx.commit().await?;
    Ok(report)
}

/// `name` as an SQL identifier.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A comma-separated list of `columns`' names, quoted.
fn column_list(columns: &[(String, Kind)]) -> String {
    columns.iter().map(|(name, _)| quote(name)).collect::<Vec<_>>().join(", ")
}

/// The columns of `table` in the target's order, with their kinds; both
/// schemas must have the same ones.
async fn columns(
    source: &mut SqliteConnection,
    target: &mut PgConnection,
    table: &'static str,
) -> Result<Vec<(String, Kind)>, CopyError> {
    let schema = |problem: String| CopyError::Schema { table, problem };
    let theirs: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *target)
    .await?;
    let ours: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
        .bind(table)
        .fetch_all(&mut *source)
        .await?;
    if theirs.is_empty() || ours.is_empty() {
        let side = if ours.is_empty() { "source" } else { "target" };
        return Err(schema(format!("not in the {side}'s schema")));
    }
    let only_ours: Vec<&str> =
        ours.iter().filter(|c| !theirs.iter().any(|(t, _)| t == *c)).map(String::as_str).collect();
    let only_theirs: Vec<&str> =
        theirs.iter().filter(|(t, _)| !ours.contains(t)).map(|(t, _)| t.as_str()).collect();
    if !only_ours.is_empty() || !only_theirs.is_empty() {
        return Err(schema(format!(
            "the schemas differ: columns only in the source: [{}]; only in the target: [{}]",
            only_ours.join(", "),
            only_theirs.join(", ")
        )));
    }
    theirs
        .into_iter()
        .map(|(name, data_type)| match Kind::of(&data_type) {
            Some(kind) => Ok((name, kind)),
            None => Err(schema(format!("column {name} is of type {data_type}, which db copy cannot fill"))),
        })
        .collect()
}

/// Copies every row of `table` (its `columns`) from the source snapshot
/// into the target with `COPY`, a batch at a time; answers the source's
/// tally of what it sent.
async fn copy_table(
    source: &mut SqliteConnection,
    target: &mut PgConnection,
    table: &'static str,
    columns: &[(String, Kind)],
) -> Result<Tally, CopyError> {
    let failed = |source| CopyError::Table { table, source };
    let list = column_list(columns);
    // Dropped unfinished (on an error below), it tells the server the
    // copy failed; the transaction then rolls back.
    let mut sink =
        target.copy_in_raw(&format!("COPY {} ({list}) FROM STDIN", quote(table))).await.map_err(failed)?;
    let select = format!("SELECT {list} FROM {}", quote(table));
    let mut rows = sqlx::query(&select).fetch(&mut *source);
    let mut tally = Tally::default();
    let mut batch = Vec::with_capacity(BATCH_BYTES + BATCH_BYTES / 4);
    let mut values = Vec::with_capacity(columns.len());
    while let Some(row) = rows.try_next().await.map_err(failed)? {
        source_values(&row, table, columns, &mut values)?;
        tally.add(&values);
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                batch.push(b'\t');
            }
            value.write_copy_text(&mut batch);
        }
        batch.push(b'\n');
        if batch.len() >= BATCH_BYTES {
            sink.send(batch.as_slice()).await.map_err(failed)?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        sink.send(batch.as_slice()).await.map_err(failed)?;
    }
    sink.finish().await.map_err(failed)?;
    Ok(tally)
}

/// Reads a source `row` of `table` (its `columns`) into `values`,
/// converted to the target's kinds.
fn source_values(
    row: &sqlx::sqlite::SqliteRow,
    table: &'static str,
    columns: &[(String, Kind)],
    values: &mut Vec<Value>,
) -> Result<(), CopyError> {
    values.clear();
    for (i, (column, kind)) in columns.iter().enumerate() {
        let value = Value::from_sqlite(row, i, *kind).map_err(|problem| CopyError::Value {
            table,
            column: column.clone(),
            problem,
        })?;
        values.push(value);
    }
    Ok(())
}

/// Sets each identity column's sequence of `table` so that its next
/// value is past the highest id copied (1 for an empty table).
async fn set_sequences(target: &mut PgConnection, table: &'static str) -> Result<(), CopyError> {
    let identities: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'",
    )
    .bind(table)
    .fetch_all(&mut *target)
    .await?;
    for column in identities {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({}), 0) + 1, false) FROM {}",
            quote(&column),
            quote(table)
        );
        sqlx::query(&sql)
            .bind(quote(table))
            .bind(&column)
            .execute(&mut *target)
            .await
            .map_err(|source| CopyError::Table { table, source })?;
    }
    Ok(())
}

/// The tally of `table`'s `columns` in the source snapshot.
async fn tally_source(
    source: &mut SqliteConnection,
    table: &'static str,
    columns: &[(String, Kind)],
) -> Result<Tally, CopyError> {
    let select = format!("SELECT {} FROM {}", column_list(columns), quote(table));
    let mut rows = sqlx::query(&select).fetch(&mut *source);
    let mut tally = Tally::default();
    let mut values = Vec::with_capacity(columns.len());
    while let Some(row) = rows.try_next().await.map_err(|source| CopyError::Table { table, source })? {
        source_values(&row, table, columns, &mut values)?;
        tally.add(&values);
    }
    Ok(tally)
}

/// The tally of `table`'s `columns` as the target holds them.
async fn tally_target(
    target: &mut PgConnection,
    table: &'static str,
    columns: &[(String, Kind)],
) -> Result<Tally, CopyError> {
    let failed = |source| CopyError::Table { table, source };
    let select = format!("SELECT {} FROM {}", column_list(columns), quote(table));
    let mut rows = sqlx::query(&select).fetch(&mut *target);
    let mut tally = Tally::default();
    let mut values = Vec::with_capacity(columns.len());
    while let Some(row) = rows.try_next().await.map_err(failed)? {
        values.clear();
        for (i, (_, kind)) in columns.iter().enumerate() {
            values.push(Value::from_postgres(&row, i, *kind).map_err(failed)?);
        }
        tally.add(&values);
    }
    Ok(tally)
}
