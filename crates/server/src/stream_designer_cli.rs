//! `switchboard stream pull|push|releases|restore`: the stream designer's
//! operations ([`crate::stream_designer`]) on the command line, so a
//! stream can live in version control and go back and forth with the
//! designer: `pull` writes the draft as a stream file, `push` makes a file
//! the draft (without publishing it), `releases` lists the history and
//! `restore` publishes an earlier release again.

use clap::Subcommand;
use std::fmt::Write as _;
use std::path::PathBuf;
use switchboard_protocol::admin::{CardChanges, RestoreRelease};
use switchboard_protocol::stream::file;

use crate::admin::AdminError;
use crate::clock::iso_millis;
use crate::store::Store;
use crate::stream_designer::{self as designer, Author};

/// `switchboard stream pull|push|releases|restore`
#[derive(Debug, Subcommand)]
pub enum DraftCommand {
    /// Write a stream's draft (or, without one, the published stream) as a stream file.
    Pull {
        /// The stream's id.
        id: String,
        /// The site's key.
        #[arg(long)]
        site: String,
        /// Write it to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Make a stream file the stream's draft (whatever was saved since; it
    /// is not published): the file's errors, if any, are printed to fix
    /// before publishing.
    Push {
        /// The stream file (TOML).
        file: PathBuf,
        /// The site's key.
        #[arg(long)]
        site: String,
    },
    /// List a stream's releases, newest first: version, time, who, note and what changed.
    Releases {
        /// The stream's id.
        id: String,
        /// The site's key.
        #[arg(long)]
        site: String,
    },
    /// Publish an earlier release of a stream again, as its next version (it becomes the draft).
    Restore {
        /// The stream's id.
        id: String,
        /// The version to restore.
        version: u32,
        /// The site's key.
        #[arg(long)]
        site: String,
        /// The release note (default: "Restored version N").
        #[arg(long)]
        note: Option<String>,
    },
}

/// Runs a draft command at `now` (unix ms); returns what to print.
pub async fn run(store: &Store, cmd: DraftCommand, now: i64) -> Result<String, AdminError> {
    let mut out = String::new();
    match cmd {
        DraftCommand::Pull { id, site, out: None } => out = designer::pull(store, &site, &id).await?,
        DraftCommand::Pull { id, site, out: Some(path) } => {
            let text = designer::pull(store, &site, &id).await?;
            std::fs::write(&path, text)
                .map_err(|e| AdminError::invalid("out", format!("{}: {e}", path.display())))?;
            let _ = writeln!(out, "Wrote stream {id} of site {site} to {}.", path.display());
        }
        DraftCommand::Push { file: path, site } => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| AdminError::invalid("file", format!("{}: {e}", path.display())))?;
            let at = |e: &file::FileError| format!("{}:{e}", path.display());
            let read =
                file::read(&text).map_err(|errors| AdminError::Stream(errors.iter().map(at).collect()))?;
            let draft = designer::push_draft(store, &site, &read.stream, now).await?;
            for f in &read.findings {
                let _ = writeln!(out, "{}", at(f));
            }
            let errors = read.findings.iter().filter(|f| !f.warning).count();
            let _ = write!(
                out,
                "Saved the draft of stream {} for site {site} as revision {} (not published)",
                draft.stream.id, draft.revision
            );
            let _ = match errors {
                0 => writeln!(out, "."),
                1 => writeln!(out, "; fix its error before publishing."),
                n => writeln!(out, "; fix its {n} errors before publishing."),
            };
        }
        DraftCommand::Releases { id, site } => {
            for r in designer::releases(store, &site, &id).await? {
                let who = if r.published_by.is_empty() {
                    "-".to_owned()
                } else {
                    format!("{} <{}>", r.published_by, r.published_by_email)
                };
                let mut what = changes(&r.changes);
                if r.settings_changed {
                    what.push_str(if what.is_empty() { "settings" } else { " settings" });
                }
                let _ = writeln!(
                    out,
                    "{}\t{}\t{who}\t{}\t{what}",
                    r.version,
                    iso_millis(r.published_at),
                    r.note.replace('\n', " ")
                );
            }
        }
        DraftCommand::Restore { id, version, site, note } => {
            let req = RestoreRelease { note };
            let p = designer::restore(store, &site, &id, version, &req, Author::default(), now).await?;
            let _ = writeln!(
                out,
                "Restored version {version} of stream {id} as version {} for site {site}.",
                p.version
            );
        }
    }
    Ok(out)
}

/// What a release changed: `+added ~changed -removed`, each card by id.
fn changes(c: &CardChanges) -> String {
    let marked = [('+', &c.added), ('~', &c.changed), ('-', &c.removed)];
    let all: Vec<String> =
        marked.iter().flat_map(|(mark, ids)| ids.iter().map(move |id| format!("{mark}{id}"))).collect();
    all.join(" ")
}
