//! The rules a stream must obey to be published. Each finding names the rule,
//! the card (when it is about one) and the field, so the file layer can point
//! at the line and column. Unreachable cards are warnings; the rest are errors.

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::*;
use crate::attribute::InputKind;
use crate::text;

/// Which rule a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// An id is empty, too long or has characters other than `A-Z a-z 0-9 - _`.
    BadId,
    /// Two cards share an id.
    DuplicateId,
    /// A `next` names a card that does not exist.
    MissingCard,
    /// A live chat card leads somewhere: it must be the last of its branch.
    AfterLiveChat,
    /// A branch ends on a card that is neither live chat nor end.
    NoTerminal,
    /// Cards lead back to an earlier card (visitors never go back).
    Cycle,
    /// A question has no answers.
    NoAnswers,
    /// A pick-list has no options.
    NoOptions,
    /// Options on an input that is not a pick-list.
    OptionsWithoutPick,
    /// A token that is malformed or names no attribute.
    BadToken,
    /// Text, a label or a name is empty.
    EmptyText,
    /// Over a size limit.
    TooBig,
    /// A URL pattern that is not `*` or a path starting with `/`.
    BadPattern,
    /// A stream without cards.
    NoCards,
    /// A live chat card routed to an empty agent or team name.
    BadRouting,
    /// Text with a control character, or a pick option with surrounding
    /// spaces or listed twice.
    BadText,
    /// No path from the first card reaches this one (a warning).
    Unreachable,
}

impl Rule {
    /// The rule's stable name (`after_live_chat`, `missing_card`, …), as
    /// the admin API names it in a finding.
    pub fn name(self) -> &'static str {
        match self {
            Self::BadId => "bad_id",
            Self::DuplicateId => "duplicate_id",
            Self::MissingCard => "missing_card",
            Self::AfterLiveChat => "after_live_chat",
            Self::NoTerminal => "no_terminal",
            Self::Cycle => "cycle",
            Self::NoAnswers => "no_answers",
            Self::NoOptions => "no_options",
            Self::OptionsWithoutPick => "options_without_pick",
            Self::BadToken => "bad_token",
            Self::EmptyText => "empty_text",
            Self::TooBig => "too_big",
            Self::BadPattern => "bad_pattern",
            Self::NoCards => "no_cards",
            Self::BadRouting => "bad_routing",
            Self::BadText => "bad_text",
            Self::Unreachable => "unreachable",
        }
    }
}

/// One problem found in a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Which rule.
    pub rule: Rule,
    /// The card it is about, if any.
    pub card: Option<String>,
    /// The field it is about (`text`, `next`, `answers`, …), if any.
    pub field: Option<&'static str>,
    /// What is wrong, for a person.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.card {
            Some(card) => write!(f, "card {card}: {}", self.message),
            None => write!(f, "stream: {}", self.message),
        }
    }
}

/// Everything the validator found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Problems that stop publishing.
    pub errors: Vec<Finding>,
    /// Problems worth a look (unreachable cards).
    pub warnings: Vec<Finding>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.errors {
            writeln!(f, "error: {e}")?;
        }
        for w in &self.warnings {
            writeln!(f, "warning: {w}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Report {}

/// A stream that passed validation; only these can be run or published.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidStream {
    stream: Stream,
    warnings: Vec<Finding>,
}

impl ValidStream {
    /// The stream.
    pub fn stream(&self) -> &Stream {
        &self.stream
    }

    /// Warnings found while validating.
    pub fn warnings(&self) -> &[Finding] {
        &self.warnings
    }

    /// The stream, giving up the proof of validity.
    pub fn into_inner(self) -> Stream {
        self.stream
    }

    /// A stream the server validated when it was published, as the widget
    /// receives it in the site config: not checked again, so the browser
    /// bundle does not carry the validator. The runner stays total on any
    /// stream (a dangling reference ends the run), so a bad one cannot crash
    /// the widget.
    pub fn published(stream: Stream) -> ValidStream {
        ValidStream { stream, warnings: Vec::new() }
    }
}

impl Stream {
    /// Validates the stream; `Err` carries every error (and the warnings).
    pub fn validate(self) -> Result<ValidStream, Report> {
        let report = check(&self);
        if report.errors.is_empty() {
            Ok(ValidStream { stream: self, warnings: report.warnings })
        } else {
            Err(report)
        }
    }
}

struct Checker {
    report: Report,
    /// Bytes of text in the whole stream, against [`MAX_TOTAL_TEXT`].
    total: usize,
}

impl Checker {
    fn error(
        &mut self,
        rule: Rule,
        card: Option<&str>,
        field: Option<&'static str>,
        message: impl Into<String>,
    ) {
        let card = card.map(str::to_owned);
        self.report.errors.push(Finding { rule, card, field, message: message.into() });
    }

    fn text(&mut self, card: &str, field: &'static str, text: &str, required: bool, max: usize) {
        if required && text.trim().is_empty() {
            self.error(Rule::EmptyText, Some(card), Some(field), format!("`{field}` is empty"));
            return;
        }
        let len = text.chars().count();
        if len > max {
            self.error(
                Rule::TooBig,
                Some(card),
                Some(field),
                format!("`{field}` is {len} characters; at most {max}"),
            );
        }
        if text.chars().any(|ch| ch.is_control() && ch != '\n' && ch != '\t') {
            self.error(
                Rule::BadText,
                Some(card),
                Some(field),
                format!("`{field}` contains a control character"),
            );
        }
        self.total += text.len();
        if let Err(e) = text::parse(text) {
            self.error(Rule::BadToken, Some(card), Some(field), format!("`{field}`: {e}"));
        }
    }
}

/// Whether `id` is a valid stream or card id: 1 to [`MAX_ID`] characters of
/// `A-Z a-z 0-9 - _`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn valid_pattern(p: &str) -> bool {
    (p == "*" || p.starts_with('/')) && p.len() <= 500 && !p.chars().any(char::is_whitespace)
}

/// Runs every rule over `stream`.
pub fn check(stream: &Stream) -> Report {
    let mut c = Checker { report: Report::default(), total: 0 };
    if !valid_id(&stream.id) {
        c.error(
            Rule::BadId,
            None,
            Some("id"),
            format!(
                "stream id {:?} must be 1 to {MAX_ID} characters of A-Z, a-z, 0-9, '-' or '_'",
                stream.id
            ),
        );
    }
    if stream.name.trim().is_empty() {
        c.error(Rule::EmptyText, None, Some("name"), "`name` is empty");
    } else if stream.name.chars().count() > MAX_LABEL {
        c.error(Rule::TooBig, None, Some("name"), format!("`name` is longer than {MAX_LABEL} characters"));
    }
    if stream.targets.len() + stream.exclude.len() > MAX_PATTERNS {
        c.error(Rule::TooBig, None, Some("targets"), format!("more than {MAX_PATTERNS} URL patterns"));
    }
    for (field, patterns) in [("targets", &stream.targets), ("exclude", &stream.exclude)] {
        for p in patterns.iter().filter(|p| !valid_pattern(p)) {
            c.error(
                Rule::BadPattern,
                None,
                Some(field),
                format!("URL pattern {p:?} must be `*` or a path starting with `/`, without spaces"),
            );
        }
    }
    if stream.cards.is_empty() {
        c.error(Rule::NoCards, None, Some("cards"), "the stream has no cards");
        return c.report;
    }
    if stream.cards.len() > MAX_CARDS {
        c.error(
            Rule::TooBig,
            None,
            Some("cards"),
            format!("{} cards; at most {MAX_CARDS}", stream.cards.len()),
        );
    }

    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, card) in stream.cards.iter().enumerate() {
        if !valid_id(&card.id) {
            c.error(
                Rule::BadId,
                Some(&card.id),
                Some("id"),
                format!("card id must be 1 to {MAX_ID} characters of A-Z, a-z, 0-9, '-' or '_'"),
            );
        }
        if index.insert(&card.id, i).is_some() {
            c.error(
                Rule::DuplicateId,
                Some(&card.id),
                Some("id"),
                format!("another card already has the id `{}`", card.id),
            );
        }
    }

    for card in &stream.cards {
        let id = card.id.as_str();
        match &card.kind {
            CardKind::Message { text, .. } => c.text(id, "text", text, true, MAX_TEXT),
            CardKind::Question { text, answers } => {
                c.text(id, "text", text, true, MAX_TEXT);
                if answers.is_empty() {
                    c.error(
                        Rule::NoAnswers,
                        Some(id),
                        Some("answers"),
                        "a question needs at least one answer",
                    );
                }
                if answers.len() > MAX_ANSWERS {
                    c.error(
                        Rule::TooBig,
                        Some(id),
                        Some("answers"),
                        format!("{} answers; at most {MAX_ANSWERS}", answers.len()),
                    );
                }
                for a in answers {
                    c.text(id, "answers.label", &a.label, true, MAX_LABEL);
                    if let Some(set) = &a.set {
                        c.text(id, "answers.set", &set.value, true, MAX_LABEL);
                    }
                }
            }
            CardKind::Capture(cap) => {
                c.text(id, "prompt", &cap.prompt, true, MAX_TEXT);
                c.text(id, "placeholder", &cap.placeholder, false, MAX_LABEL);
                match cap.input {
                    InputKind::Pick if cap.options.is_empty() => c.error(
                        Rule::NoOptions,
                        Some(id),
                        Some("options"),
                        "a pick-list needs at least one option",
                    ),
                    InputKind::Pick => {}
                    _ if !cap.options.is_empty() => c.error(
                        Rule::OptionsWithoutPick,
                        Some(id),
                        Some("options"),
                        "options are only for `input = \"pick\"`",
                    ),
                    _ => {}
                }
                if cap.options.len() > MAX_OPTIONS {
                    c.error(
                        Rule::TooBig,
                        Some(id),
                        Some("options"),
                        format!("{} options; at most {MAX_OPTIONS}", cap.options.len()),
                    );
                }
                let mut seen = HashSet::new();
                for o in &cap.options {
                    c.text(id, "options", o, true, MAX_LABEL);
                    if o.trim() != o || !seen.insert(o.as_str()) {
                        c.error(
                            Rule::BadText,
                            Some(id),
                            Some("options"),
                            format!("option {o:?} has surrounding spaces or is listed twice"),
                        );
                    }
                }
            }
            CardKind::LiveChat { routing, text, next } => {
                if let Some(text) = text {
                    c.text(id, "text", text, true, MAX_TEXT);
                }
                if let Some(next) = next {
                    c.error(
                        Rule::AfterLiveChat,
                        Some(id),
                        Some("next"),
                        format!(
                            "a live chat card is the last card of its branch; remove `next = \"{next}\"`"
                        ),
                    );
                }
                match routing {
                    Routing::Agent(name) | Routing::Team(name) if name.trim().is_empty() => c.error(
                        Rule::BadRouting,
                        Some(id),
                        Some("routing"),
                        "routing names an empty agent or team",
                    ),
                    Routing::Agent(email) if !email.contains('@') => c.error(
                        Rule::BadRouting,
                        Some(id),
                        Some("routing"),
                        format!("routing agent {email:?} must be an agent's email"),
                    ),
                    _ => {}
                }
            }
            CardKind::End { text } => {
                if let Some(text) = text {
                    c.text(id, "text", text, false, MAX_TEXT);
                }
            }
        }
        if !card.kind.is_terminal() {
            for (field, next) in card.kind.successors() {
                match next {
                    None => c.error(
                        Rule::NoTerminal,
                        Some(id),
                        Some(field),
                        format!(
                            "the branch ends at this {} card; end it with a live chat or end card",
                            card.kind.type_name()
                        ),
                    ),
                    Some(n) if !index.contains_key(n) => c.error(
                        Rule::MissingCard,
                        Some(id),
                        Some(field),
                        format!("leads to `{n}`, which is not a card in this stream"),
                    ),
                    Some(_) => {}
                }
            }
        }
    }

    if c.total > MAX_TOTAL_TEXT {
        c.error(
            Rule::TooBig,
            None,
            Some("cards"),
            format!("{} bytes of text in all; at most {MAX_TOTAL_TEXT}", c.total),
        );
    }

    find_cycles(stream, &index, &mut c);

    // Reachability from the first card.
    let mut seen = HashSet::new();
    let mut todo = vec![0usize];
    while let Some(i) = todo.pop() {
        if !seen.insert(i) {
            continue;
        }
        for (_, next) in stream.cards[i].kind.successors() {
            if let Some(&j) = next.and_then(|n| index.get(n)) {
                todo.push(j);
            }
        }
    }
    for (i, card) in stream.cards.iter().enumerate() {
        if !seen.contains(&i) {
            c.report.warnings.push(Finding {
                rule: Rule::Unreachable,
                card: Some(card.id.clone()),
                field: None,
                message: "no path from the first card reaches this card".to_owned(),
            });
        }
    }
    c.report
}

/// Reports each card whose successor leads back to a card on the current path
/// (iterative three-colour depth-first search, so deep streams cannot
/// overflow the stack).
fn find_cycles(stream: &Stream, index: &HashMap<&str, usize>, c: &mut Checker) {
    #[derive(Clone, Copy, PartialEq)]
    enum Colour {
        White,
        Grey,
        Black,
    }
    let succ = |i: usize| -> Vec<usize> {
        stream.cards[i]
            .kind
            .successors()
            .into_iter()
            .filter_map(|(_, n)| n.and_then(|n| index.get(n).copied()))
            .collect()
    };
    let mut colour = vec![Colour::White; stream.cards.len()];
    let mut reported = HashSet::new();
    for root in 0..stream.cards.len() {
        if colour[root] != Colour::White {
            continue;
        }
        let mut stack = vec![(root, succ(root), 0usize)];
        colour[root] = Colour::Grey;
        while let Some((node, next, pos)) = stack.last_mut() {
            if let Some(&j) = next.get(*pos) {
                *pos += 1;
                let node = *node;
                match colour[j] {
                    Colour::White => {
                        colour[j] = Colour::Grey;
                        let s = succ(j);
                        stack.push((j, s, 0));
                    }
                    Colour::Grey if reported.insert(node) => {
                        let id = &stream.cards[node].id;
                        let target = &stream.cards[j].id;
                        let field = match stream.cards[node].kind {
                            CardKind::Question { .. } => "answers.next",
                            _ => "next",
                        };
                        c.error(
                            Rule::Cycle,
                            Some(id),
                            Some(field),
                            format!("leads back to `{target}`, making a loop; visitors never go back"),
                        );
                    }
                    _ => {}
                }
            } else {
                colour[*node] = Colour::Black;
                stack.pop();
            }
        }
    }
}
