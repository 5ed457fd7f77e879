//! `switchboard stream check|show`: stream files on the command line.

use std::fmt::Write as _;
use std::path::Path;
use switchboard_protocol::stream::file::{self, FileError, Parsed};
use switchboard_protocol::stream::{CardKind, Routing, Stream};

/// Reads and parses one stream file; I/O problems become a 1:1 error.
pub fn load(path: &Path) -> Result<Parsed, Vec<FileError>> {
    let io_error = |message: String| {
        vec![FileError { line: 1, column: 1, card: None, message, warning: false, rule: None }]
    };
    let meta = std::fs::metadata(path).map_err(|e| io_error(e.to_string()))?;
    if meta.len() > file::MAX_FILE_BYTES as u64 {
        return Err(io_error(format!("the file is {} bytes; at most {}", meta.len(), file::MAX_FILE_BYTES)));
    }
    let text = std::fs::read_to_string(path).map_err(|e| io_error(e.to_string()))?;
    file::parse(&text)
}

/// Checks every file; returns the report to print and whether all passed.
pub fn check(paths: &[impl AsRef<Path>]) -> (String, bool) {
    let mut out = String::new();
    let mut ok = true;
    for path in paths {
        let path = path.as_ref();
        match load(path) {
            Ok(parsed) => {
                for w in &parsed.warnings {
                    let _ = writeln!(out, "{}:{w}", path.display());
                }
                let s = parsed.stream.stream();
                let _ = writeln!(out, "{}: ok: stream {} ({} cards)", path.display(), s.id, s.cards.len());
            }
            Err(errors) => {
                ok &= errors.iter().all(|e| e.warning);
                for e in errors {
                    let _ = writeln!(out, "{}:{e}", path.display());
                }
            }
        }
    }
    (out, ok)
}

fn one_line(text: &str) -> String {
    let t: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() > 60 {
        format!("{}…", t.chars().take(59).collect::<String>())
    } else {
        t
    }
}

/// The stream as an indented tree, following every branch from the first card.
pub fn tree(stream: &Stream) -> String {
    let mut out =
        format!("{} ({}) priority {}, targets {:?}", stream.name, stream.id, stream.priority, stream.targets);
    if !stream.exclude.is_empty() {
        let _ = write!(out, ", exclude {:?}", stream.exclude);
    }
    let _ = writeln!(out, ", locale {}", stream.locale.tag());
    fn walk(stream: &Stream, id: &str, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth + 1);
        let Some(card) = stream.card(id) else { return };
        // Bounded by the stream's size: a valid stream has no cycles.
        if depth > stream.cards.len() {
            return;
        }
        match &card.kind {
            CardKind::Message { text, next } => {
                let _ = writeln!(out, "{pad}[{id}] message: {}", one_line(text));
                if let Some(n) = next {
                    walk(stream, n, depth, out);
                }
            }
            CardKind::Question { text, answers } => {
                let _ = writeln!(out, "{pad}[{id}] question: {}", one_line(text));
                for a in answers {
                    let set = a
                        .set
                        .as_ref()
                        .map(|s| format!(" (sets {} = {})", s.attribute, s.value))
                        .unwrap_or_default();
                    let _ = writeln!(out, "{pad}  - \"{}\"{set}", a.label);
                    if let Some(n) = &a.next {
                        walk(stream, n, depth + 2, out);
                    }
                }
            }
            CardKind::Capture(c) => {
                let input = format!("{:?}", c.input).to_lowercase();
                let _ =
                    writeln!(out, "{pad}[{id}] capture {} ({input}): {}", c.attribute, one_line(&c.prompt));
                if let Some(n) = &c.next {
                    walk(stream, n, depth, out);
                }
            }
            CardKind::LiveChat { routing, .. } => {
                let r = match routing {
                    Routing::RoundRobin => "round robin".to_owned(),
                    Routing::Agent(a) => format!("agent {a}"),
                    Routing::Team(t) => format!("team {t}"),
                    Routing::Rules => "custom rules".to_owned(),
                };
                let _ = writeln!(out, "{pad}[{id}] live chat → {r}");
            }
            CardKind::End { text } => {
                let _ = writeln!(
                    out,
                    "{pad}[{id}] end{}",
                    text.as_deref().map(|t| format!(": {}", one_line(t))).unwrap_or_default()
                );
            }
        }
    }
    if let Some(first) = stream.cards.first() {
        walk(stream, &first.id, 0, &mut out);
    }
    out
}
