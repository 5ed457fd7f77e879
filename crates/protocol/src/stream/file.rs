//! The hand-written stream file: TOML, one `[[card]]` table per card.
//!
//! TOML because site owners write these by hand: comments, multi-line strings
//! and no significant indentation, and the parser reports line and column,
//! which we keep for every card and field so that errors point where to fix.
//! A card's `next` defaults to the card below it, so a straight dialogue
//! needs no links at all.
//!
//! ```toml
//! id = "welcome"
//! name = "Welcome"
//! targets = ["/pricing*"]
//!
//! [[card]]
//! id = "hello"
//! type = "message"
//! text = 'Hi {{first_name:"there"}}!'
//!
//! [[card]]
//! id = "agent"
//! type = "live_chat"
//! routing = "round_robin"
//! ```

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};
use std::ops::Range;
use toml::Spanned;

use super::validate::check;
use super::*;
use crate::attribute::Attribute;

/// Largest stream file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 256 * 1024;

/// One problem in a stream file, at a line and column (both from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// Line, from 1.
    pub line: usize,
    /// Column (characters), from 1.
    pub column: usize,
    /// The card it is about, if any.
    pub card: Option<String>,
    /// What is wrong.
    pub message: String,
    /// Whether it is only a warning.
    pub warning: bool,
    /// The validation rule, when the file parsed but broke one.
    pub rule: Option<Rule>,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.line, self.column)?;
        if self.warning {
            f.write_str("warning: ")?;
        }
        match &self.card {
            Some(card) => write!(f, "card {card}: {}", self.message),
            None => write!(f, "stream: {}", self.message),
        }
    }
}

/// A parsed and validated file: the stream and any warnings.
#[derive(Debug)]
pub struct Parsed {
    /// The stream.
    pub stream: ValidStream,
    /// Warnings, with positions.
    pub warnings: Vec<FileError>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStream {
    id: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    priority: i32,
    targets: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    exclude: Option<Spanned<Vec<String>>>,
    locale: Option<Spanned<String>>,
    #[serde(default, rename = "card")]
    cards: Vec<Spanned<RawCard>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCard {
    id: Spanned<String>,
    #[serde(rename = "type")]
    kind: Spanned<String>,
    text: Option<Spanned<String>>,
    next: Option<Spanned<String>>,
    answers: Option<Spanned<Vec<Spanned<RawAnswer>>>>,
    attribute: Option<Spanned<String>>,
    prompt: Option<Spanned<String>>,
    placeholder: Option<Spanned<String>>,
    input: Option<Spanned<String>>,
    options: Option<Spanned<Vec<String>>>,
    required: Option<bool>,
    if_known: Option<Spanned<String>>,
    routing: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswer {
    label: String,
    set: Option<Spanned<BTreeMap<String, String>>>,
    next: Option<Spanned<String>>,
}

/// Byte offsets to line:column.
struct Positions<'a>(&'a str);

impl Positions<'_> {
    fn at(&self, offset: usize) -> (usize, usize) {
        let before = &self.0[..offset.min(self.0.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }
}

struct Converter<'a> {
    pos: Positions<'a>,
    errors: Vec<FileError>,
    /// Per card index: where each field is.
    spans: Vec<HashMap<&'static str, Range<usize>>>,
    stream_spans: HashMap<&'static str, Range<usize>>,
    /// Reading a draft: an answer may lead nowhere yet.
    draft: bool,
}

impl Converter<'_> {
    fn error(&mut self, span: &Range<usize>, card: Option<&str>, message: impl Into<String>) {
        let (line, column) = self.pos.at(span.start);
        self.errors.push(FileError {
            line,
            column,
            card: card.map(str::to_owned),
            message: message.into(),
            warning: false,
            rule: None,
        });
    }

    fn required<T: Clone>(&mut self, card: &RawCard, field: &str, value: &Option<Spanned<T>>) -> Option<T> {
        if value.is_none() {
            let kind = card.kind.get_ref().clone();
            self.error(&card.id.span(), Some(card.id.get_ref()), format!("a {kind} card needs `{field}`"));
        }
        value.as_ref().map(|v| v.get_ref().clone())
    }

    fn unexpected(&mut self, card: &RawCard, allowed: &[&str]) {
        let present: [(&str, Option<Range<usize>>); 11] = [
            ("text", card.text.as_ref().map(Spanned::span)),
            ("next", card.next.as_ref().map(Spanned::span)),
            ("answers", card.answers.as_ref().map(Spanned::span)),
            ("attribute", card.attribute.as_ref().map(Spanned::span)),
            ("prompt", card.prompt.as_ref().map(Spanned::span)),
            ("placeholder", card.placeholder.as_ref().map(Spanned::span)),
            ("input", card.input.as_ref().map(Spanned::span)),
            ("options", card.options.as_ref().map(Spanned::span)),
            ("required", card.required.map(|_| card.id.span())),
            ("if_known", card.if_known.as_ref().map(Spanned::span)),
            ("routing", card.routing.as_ref().map(Spanned::span)),
        ];
        let kind = card.kind.get_ref().clone();
        for (field, span) in present {
            // `next` on a live chat card is kept for the validator, which names the rule.
            let belongs = allowed.contains(&field) || (kind == "live_chat" && field == "next");
            if let Some(span) = span.filter(|_| !belongs) {
                self.error(&span, Some(card.id.get_ref()), format!("a {kind} card has no `{field}`"));
            }
        }
    }

    fn attribute(&mut self, card: &str, raw: &Spanned<String>) -> Option<Attribute> {
        Attribute::parse(raw.get_ref()).map_err(|e| self.error(&raw.span(), Some(card), e.to_string())).ok()
    }

    fn card(&mut self, raw: &RawCard, below: Option<&str>) -> Option<Card> {
        let id = raw.id.get_ref().clone();
        let mut spans = HashMap::from([("id", raw.id.span()), ("type", raw.kind.span())]);
        let mut note = |field: &'static str, span: Option<Range<usize>>| {
            if let Some(s) = span {
                spans.insert(field, s);
            }
        };
        note("text", raw.text.as_ref().map(Spanned::span));
        note("next", raw.next.as_ref().map(Spanned::span));
        note("answers", raw.answers.as_ref().map(Spanned::span));
        note("answers.label", raw.answers.as_ref().map(Spanned::span));
        note("answers.next", raw.answers.as_ref().map(Spanned::span));
        note("answers.set", raw.answers.as_ref().map(Spanned::span));
        note("prompt", raw.prompt.as_ref().map(Spanned::span));
        note("placeholder", raw.placeholder.as_ref().map(Spanned::span));
        note("options", raw.options.as_ref().map(Spanned::span));
        note("routing", raw.routing.as_ref().map(Spanned::span));
        self.spans.push(spans);
        let next = raw.next.as_ref().map(|n| n.get_ref().clone()).or_else(|| below.map(str::to_owned));
        let text = raw.text.as_ref().map(|t| t.get_ref().clone());
        let kind = match raw.kind.get_ref().as_str() {
            "message" => {
                self.unexpected(raw, &["text", "next"]);
                CardKind::Message { text: self.required(raw, "text", &raw.text)?, next }
            }
            "question" => {
                self.unexpected(raw, &["text", "answers"]);
                let text = self.required(raw, "text", &raw.text)?;
                let mut answers = Vec::new();
                for a in raw.answers.as_ref().map(|a| a.get_ref().as_slice()).unwrap_or_default() {
                    let a_span = a.span();
                    let a = a.get_ref();
                    let set = match &a.set {
                        None => None,
                        Some(set) if set.get_ref().len() == 1 => {
                            let (k, v) = set.get_ref().iter().next().expect("one entry");
                            let attribute = Attribute::parse(k)
                                .map_err(|e| self.error(&set.span(), Some(&id), e.to_string()))
                                .ok()?;
                            Some(SetValue { attribute, value: v.clone() })
                        }
                        Some(set) => {
                            self.error(
                                &set.span(),
                                Some(&id),
                                "`set` stores exactly one attribute: set = { name = \"value\" }",
                            );
                            None
                        }
                    };
                    if a.next.is_none() && !self.draft {
                        self.error(
                            &a_span,
                            Some(&id),
                            format!("answer {:?} needs `next`: the card it leads to", a.label),
                        );
                    }
                    answers.push(Answer {
                        label: a.label.clone(),
                        set,
                        next: a.next.as_ref().map(|n| n.get_ref().clone()),
                    });
                }
                CardKind::Question { text, answers }
            }
            "capture" => {
                self.unexpected(
                    raw,
                    &[
                        "next",
                        "attribute",
                        "prompt",
                        "placeholder",
                        "input",
                        "options",
                        "required",
                        "if_known",
                    ],
                );
                let attribute = raw.attribute.as_ref().and_then(|a| self.attribute(&id, a));
                let prompt = self.required(raw, "prompt", &raw.prompt);
                let input = match raw.input.as_ref() {
                    None => Some(crate::attribute::InputKind::Text),
                    Some(i) => match i.get_ref().as_str() {
                        "text" => Some(crate::attribute::InputKind::Text),
                        "email" => Some(crate::attribute::InputKind::Email),
                        "phone" => Some(crate::attribute::InputKind::Phone),
                        "pick" => Some(crate::attribute::InputKind::Pick),
                        other => {
                            self.error(
                                &i.span(),
                                Some(&id),
                                format!("unknown input {other:?}; use text, email, phone or pick"),
                            );
                            None
                        }
                    },
                };
                let if_known = match raw.if_known.as_ref().map(|k| (k.get_ref().as_str(), k.span())) {
                    None | Some(("skip", _)) => Some(IfKnown::Skip),
                    Some(("ask", _)) => Some(IfKnown::Ask),
                    Some((other, span)) => {
                        self.error(&span, Some(&id), format!("unknown if_known {other:?}; use skip or ask"));
                        None
                    }
                };
                if raw.attribute.is_none() {
                    self.error(&raw.id.span(), Some(&id), "a capture card needs `attribute`");
                }
                CardKind::Capture(Capture {
                    attribute: attribute?,
                    prompt: prompt?,
                    placeholder: raw.placeholder.as_ref().map(|p| p.get_ref().clone()).unwrap_or_default(),
                    input: input?,
                    options: raw.options.as_ref().map(|o| o.get_ref().clone()).unwrap_or_default(),
                    required: raw.required.unwrap_or(true),
                    if_known: if_known?,
                    next,
                })
            }
            "live_chat" => {
                self.unexpected(raw, &["text", "routing"]);
                let routing = match raw.routing.as_ref() {
                    None => {
                        self.error(&raw.id.span(), Some(&id), "a live_chat card needs `routing`");
                        None
                    }
                    Some(r) => self.routing(&id, r),
                };
                CardKind::LiveChat {
                    routing: routing?,
                    text,
                    next: raw.next.as_ref().map(|n| n.get_ref().clone()),
                }
            }
            "end" => {
                self.unexpected(raw, &["text"]);
                CardKind::End { text }
            }
            other => {
                self.error(
                    &raw.kind.span(),
                    Some(&id),
                    format!("unknown card type {other:?}; use message, question, capture, live_chat or end"),
                );
                return None;
            }
        };
        Some(Card { id, kind })
    }

    fn routing(&mut self, card: &str, raw: &Spanned<toml::Value>) -> Option<Routing> {
        let bad = "routing must be \"round_robin\", \"rules\", { agent = \"email\" } or { team = \"name\" }";
        let routing = match raw.get_ref() {
            toml::Value::String(s) if s == "round_robin" => Some(Routing::RoundRobin),
            toml::Value::String(s) if s == "rules" => Some(Routing::Rules),
            toml::Value::Table(t) if t.len() == 1 => match t.iter().next() {
                Some((k, toml::Value::String(v))) if k == "agent" => Some(Routing::Agent(v.clone())),
                Some((k, toml::Value::String(v))) if k == "team" => Some(Routing::Team(v.clone())),
                _ => None,
            },
            _ => None,
        };
        if routing.is_none() {
            self.error(&raw.span(), Some(card), bad);
        }
        routing
    }
}

/// Parses and validates a stream file. On failure, every error found (with
/// warnings), sorted by position.
pub fn parse(src: &str) -> Result<Parsed, Vec<FileError>> {
    let loaded = load(src, false)?;
    match loaded.stream.clone().validate() {
        Ok(valid) => {
            let report = Report { errors: vec![], warnings: valid.warnings().to_vec() };
            Ok(Parsed { stream: valid, warnings: loaded.position(&report) })
        }
        Err(report) => Err(loaded.position(&report)),
    }
}

/// A stream file read as a draft: the stream as written, whether or not it
/// could be published.
#[derive(Debug)]
pub struct Draft {
    /// The stream.
    pub stream: Stream,
    /// What the validator found (errors, then warnings, each `warning`
    /// marked), with positions; errors stop it being published, not read.
    pub findings: Vec<FileError>,
}

/// Reads a stream file as a draft, which need not be publishable yet (the
/// stream designer's import, `switchboard stream push`): refused only when
/// it is not a stream at all (not TOML, over the size limit, an unknown
/// card type, field or value); a stream that breaks the validator's rules
/// is read, with its findings. An answer without `next` is read as leading
/// nowhere (the validator's `no_terminal`), as a draft may have one.
pub fn read(src: &str) -> Result<Draft, Vec<FileError>> {
    let loaded = load(src, true)?;
    let findings = loaded.position(&check(&loaded.stream));
    Ok(Draft { stream: loaded.stream, findings })
}

/// A file converted into a stream, with where each card and field is.
struct Loaded<'a> {
    stream: Stream,
    conv: Converter<'a>,
    /// Card ids in file order, including cards that failed to convert, so
    /// findings map back to the right `[[card]]` table.
    ids: Vec<String>,
}

/// Converts a file into a stream; `Err` with every conversion error, sorted.
fn load(src: &str, draft: bool) -> Result<Loaded<'_>, Vec<FileError>> {
    let pos = Positions(src);
    if src.len() > MAX_FILE_BYTES {
        return Err(vec![FileError {
            line: 1,
            column: 1,
            card: None,
            message: format!("the file is {} bytes; at most {MAX_FILE_BYTES}", src.len()),
            warning: false,
            rule: Some(Rule::TooBig),
        }]);
    }
    let raw: RawStream = toml::from_str(src).map_err(|e| {
        let (line, column) = pos.at(e.span().map_or(0, |s| s.start));
        vec![FileError {
            line,
            column,
            card: None,
            message: e.message().trim().to_owned(),
            warning: false,
            rule: None,
        }]
    })?;
    let mut conv =
        Converter { pos, errors: Vec::new(), spans: Vec::new(), stream_spans: HashMap::new(), draft };
    conv.stream_spans.insert("id", raw.id.span());
    conv.stream_spans.insert("name", raw.name.span());
    let top = 0..0;
    conv.stream_spans.insert("cards", top.clone());
    if let Some(t) = &raw.targets {
        conv.stream_spans.insert("targets", t.span());
    }
    if let Some(e) = &raw.exclude {
        conv.stream_spans.insert("exclude", e.span());
    }
    let locale = match &raw.locale {
        None => Some(crate::locale::Locale::default()),
        Some(l) => crate::locale::Locale::parse(l.get_ref())
            .map_err(|e| conv.error(&l.span(), None, e.to_string()))
            .ok(),
    };
    let ids: Vec<String> = raw.cards.iter().map(|c| c.get_ref().id.get_ref().clone()).collect();
    let mut cards = Vec::new();
    for (i, card) in raw.cards.iter().enumerate() {
        let below = raw.cards.get(i + 1).map(|c| c.get_ref().id.get_ref().as_str());
        if let Some(card) = conv.card(card.get_ref(), below) {
            cards.push(card);
        }
    }
    // When a card did not convert, the validator would only report its
    // consequences (dangling links, no cards): show the real errors alone.
    if !conv.errors.is_empty() {
        let mut errors = std::mem::take(&mut conv.errors);
        errors.sort_by_key(|e| (e.line, e.column));
        return Err(errors);
    }
    let stream = Stream {
        id: raw.id.into_inner(),
        name: raw.name.into_inner(),
        priority: raw.priority,
        targets: raw.targets.map_or_else(|| vec!["*".to_owned()], Spanned::into_inner),
        exclude: raw.exclude.map(Spanned::into_inner).unwrap_or_default(),
        locale: locale.unwrap_or_default(),
        cards,
        version: 0,
    };
    Ok(Loaded { stream, conv, ids })
}

impl Loaded<'_> {
    /// The validator's findings at the line and column of the card and
    /// field each is about, errors first, then by position.
    fn position(&self, report: &Report) -> Vec<FileError> {
        let mut seen_dup: HashMap<String, usize> = HashMap::new();
        let mut out = Vec::new();
        for (finding, warning) in
            report.errors.iter().map(|f| (f, false)).chain(report.warnings.iter().map(|f| (f, true)))
        {
            let span = match &finding.card {
                Some(card) => {
                    // With duplicate ids, the n-th duplicate finding is about the (n+1)-th card.
                    let skip = if finding.rule == Rule::DuplicateId {
                        let n = seen_dup.entry(card.clone()).or_default();
                        *n += 1;
                        *n
                    } else {
                        0
                    };
                    let index = self
                        .ids
                        .iter()
                        .enumerate()
                        .filter(|(_, id)| id.as_str() == card)
                        .nth(skip)
                        .map(|(i, _)| i);
                    index
                        .and_then(|i| self.conv.spans.get(i))
                        .and_then(|s| finding.field.and_then(|f| s.get(f)).or_else(|| s.get("id")).cloned())
                }
                None => finding.field.and_then(|f| self.conv.stream_spans.get(f)).cloned(),
            };
            let (line, column) = self.conv.pos.at(span.map_or(0, |s| s.start));
            out.push(FileError {
                line,
                column,
                card: finding.card.clone(),
                message: finding.message.clone(),
                warning,
                rule: Some(finding.rule),
            });
        }
        out.sort_by_key(|e| (e.warning, e.line, e.column));
        out
    }
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// Writes `stream` as a stream file; [`parse`] reads it back to the same stream.
pub fn write(stream: &Stream) -> String {
    let mut out = String::new();
    let list = |v: &[String]| format!("[{}]", v.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", "));
    let _ = writeln!(out, "id = {}", quote(&stream.id));
    let _ = writeln!(out, "name = {}", quote(&stream.name));
    let _ = writeln!(out, "priority = {}", stream.priority);
    let _ = writeln!(out, "targets = {}", list(&stream.targets));
    if !stream.exclude.is_empty() {
        let _ = writeln!(out, "exclude = {}", list(&stream.exclude));
    }
    let _ = writeln!(out, "locale = {}", quote(stream.locale.tag()));
    for card in &stream.cards {
        let _ =
            writeln!(out, "\n[[card]]\nid = {}\ntype = {}", quote(&card.id), quote(card.kind.type_name()));
        // `next` is always written out: the default (the card below) would
        // otherwise change meaning when cards are reordered.
        let next = |out: &mut String, next: &Option<String>| {
            if let Some(n) = next {
                let _ = writeln!(out, "next = {}", quote(n));
            }
        };
        match &card.kind {
            CardKind::Message { text, next: n } => {
                let _ = writeln!(out, "text = {}", quote(text));
                next(&mut out, n);
            }
            CardKind::Question { text, answers } => {
                let _ = writeln!(out, "text = {}\nanswers = [", quote(text));
                for a in answers {
                    let mut fields = vec![format!("label = {}", quote(&a.label))];
                    if let Some(set) = &a.set {
                        fields.push(format!(
                            "set = {{ {} = {} }}",
                            quote(&set.attribute.to_string()),
                            quote(&set.value)
                        ));
                    }
                    if let Some(n) = &a.next {
                        fields.push(format!("next = {}", quote(n)));
                    }
                    let _ = writeln!(out, "  {{ {} }},", fields.join(", "));
                }
                out.push_str("]\n");
            }
            CardKind::Capture(c) => {
                let input = match c.input {
                    crate::attribute::InputKind::Text => "text",
                    crate::attribute::InputKind::Email => "email",
                    crate::attribute::InputKind::Phone => "phone",
                    crate::attribute::InputKind::Pick => "pick",
                };
                let _ = writeln!(
                    out,
                    "attribute = {}\nprompt = {}",
                    quote(&c.attribute.to_string()),
                    quote(&c.prompt)
                );
                if !c.placeholder.is_empty() {
                    let _ = writeln!(out, "placeholder = {}", quote(&c.placeholder));
                }
                let _ = writeln!(out, "input = {}", quote(input));
                if !c.options.is_empty() {
                    let _ = writeln!(out, "options = {}", list(&c.options));
                }
                if !c.required {
                    out.push_str("required = false\n");
                }
                if c.if_known == IfKnown::Ask {
                    out.push_str("if_known = \"ask\"\n");
                }
                next(&mut out, &c.next);
            }
            CardKind::LiveChat { routing, text, next: n } => {
                let routing = match routing {
                    Routing::RoundRobin => quote("round_robin"),
                    Routing::Rules => quote("rules"),
                    Routing::Agent(a) => format!("{{ agent = {} }}", quote(a)),
                    Routing::Team(t) => format!("{{ team = {} }}", quote(t)),
                };
                let _ = writeln!(out, "routing = {routing}");
                if let Some(t) = text {
                    let _ = writeln!(out, "text = {}", quote(t));
                }
                next(&mut out, n);
            }
            CardKind::End { text } => {
                if let Some(t) = text {
                    let _ = writeln!(out, "text = {}", quote(t));
                }
            }
        }
    }
    out
}
