//! The bot part of the widget: runs the page's stream with the protocol
//! crate's runner and keeps where the visitor is in the page's storage, per
//! site, so a reload or another page of the site continues where it was.

use serde::Serialize;
use switchboard_protocol::attribute::{
    blocked_domain, check_value, Attribute, Attributes, InputKind, ValueError,
};
use switchboard_protocol::json::{self, FromJson, Json, JsonError};
use switchboard_protocol::site::SiteConfig;
use switchboard_protocol::stream::runner::{Entry, Input, InputError, RunState, Step};
use switchboard_protocol::stream::select::select_for_url;
use switchboard_protocol::stream::validate::ValidStream;
use switchboard_protocol::stream::{CardKind, Stream};

/// What is kept between page loads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Saved {
    /// The runner's state (with the transcript).
    pub state: RunState,
    /// The question or field waiting for the visitor, if any.
    pub prompt: Option<Step>,
    /// How the stream finished (a hand-off or an end), once it has.
    pub done: Option<Step>,
    /// Which version of the stream this is about: the visitor goes on with
    /// the version they started (kept as [`Kept::copy`] should the site
    /// republish it meanwhile), never with another (a saved answer number
    /// could mean another answer there).
    pub version: u64,
}

/// Everything the bot keeps for a site between page loads.
#[derive(Debug, Clone, Default)]
pub struct Kept {
    /// Where the visitor is in their stream.
    pub saved: Option<Saved>,
    /// That stream as it was when they started it.
    pub copy: Option<Stream>,
    /// The streams the visitor finished (with an end or a hand-off): not
    /// started for them again by themselves, only when they ask.
    pub completed: Vec<String>,
}

impl FromJson for Saved {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        Ok(Self {
            state: json.field("state")?,
            prompt: json.field("prompt")?,
            done: json.field("done")?,
            version: json.field_or("version", || 0)?,
        })
    }
}

/// A fingerprint of a stream's content (FNV-1a over its JSON).
fn version(stream: &Stream) -> u64 {
    let json = serde_json::to_string(stream).unwrap_or_default();
    json.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// One bubble in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// From the bot.
    Bot(String),
    /// From the visitor.
    Visitor(String),
}

/// A stream in progress.
#[derive(Debug, Clone)]
pub struct Bot {
    stream: ValidStream,
    saved: Saved,
    /// The site's blocked email domains: an email there is refused.
    blocked: Vec<String>,
}

/// `known` without an email at a blocked domain (its capture card then asks
/// for another: the server would refuse the hand-off).
fn allowed(mut known: Attributes, blocked: &[String]) -> Attributes {
    if known.get("email").is_some_and(|e| blocked_domain(e, blocked)) {
        known.remove("email");
    }
    known
}

impl Bot {
    /// The stream for the page at `url`: the one the visitor is in (`kept`)
    /// when it is this page's, in the version they started, else from the
    /// start the page's stream that they have not completed. While a live
    /// chat is open (`in_chat`), the stream that led to it continues on
    /// every page. Returns the bot and the steps to show (none when
    /// continuing: the log is rebuilt from the transcript). `None` when no
    /// stream applies, or only completed ones.
    pub fn begin(
        config: &SiteConfig,
        url: &str,
        kept: Kept,
        known: Attributes,
        in_chat: bool,
    ) -> Option<(Self, Vec<Step>)> {
        let Kept { saved, copy, completed } = kept;
        let blocked = config.blocked_email_domains.clone();
        if let Some(saved) = saved {
            let id = saved.state.stream.as_str();
            let published = config.streams.iter().find(|s| s.id == id);
            // As the visitor started it: as published if unchanged, else the
            // copy (a republished stream is for conversations that start
            // after it). A finished one that led to an open chat is only
            // shown, so then any version does.
            let ongoing = published
                .filter(|s| version(s) == saved.version)
                .or_else(|| copy.as_ref().filter(|c| c.id == id && version(c) == saved.version))
                .or_else(|| published.filter(|_| in_chat));
            let here = in_chat || select_for_url(&config.streams, url).is_some_and(|s| s.id == id);
            if let Some(stream) = ongoing.filter(|_| here) {
                // The server validated it on publish; the bundle does not carry the validator.
                let stream = ValidStream::published(stream.clone());
                return Some((Bot { stream, saved, blocked }, Vec::new()));
            }
        }
        let open: Vec<&Stream> = config.streams.iter().filter(|s| !completed.contains(&s.id)).collect();
        let page_stream = *select_for_url(&open, url)?;
        let version = version(page_stream);
        let stream = ValidStream::published(page_stream.clone());
        let (state, steps) = stream.start(allowed(known, &blocked));
        let mut bot = Bot { stream, saved: Saved { state, prompt: None, done: None, version }, blocked };
        bot.note(&steps);
        Some((bot, steps))
    }

    /// Applies the visitor's input; on success, the visitor's bubble text and
    /// the next steps. A refused input changes nothing; an email at one of
    /// the site's blocked domains is refused too.
    pub fn answer(&mut self, input: Input) -> Result<(String, Vec<Step>), InputError> {
        let (state, steps) = self.stream.answer(&self.saved.state, input)?;
        if let Some(card) = self.capturing_blocked_email(&state) {
            return Err(InputError::Invalid { card, error: ValueError::BlockedDomain });
        }
        let said = match state.transcript.iter().rev().find(|e| matches!(e, Entry::Visitor { .. })) {
            Some(Entry::Visitor { text, .. }) => text.clone(),
            _ => String::new(),
        };
        self.saved.state = state;
        self.saved.prompt = None;
        self.note(&steps);
        Ok((said, steps))
    }

    /// The card, when the answer that led to `next` captured an email at a
    /// blocked domain.
    fn capturing_blocked_email(&self, next: &RunState) -> Option<String> {
        let card = self.stream.stream().card(self.saved.state.waiting.as_deref()?)?;
        let CardKind::Capture(capture) = &card.kind else { return None };
        let email = next.attributes.get("email")?;
        (capture.attribute == Attribute::Email && blocked_domain(email, &self.blocked))
            .then(|| card.id.clone())
    }

    fn note(&mut self, steps: &[Step]) {
        for s in steps {
            match s {
                Step::Ask { .. } | Step::AskField { .. } => self.saved.prompt = Some(s.clone()),
                Step::HandOff { .. } | Step::End { .. } => self.saved.done = Some(s.clone()),
                Step::Say { .. } => {}
            }
        }
    }

    /// Takes in what the page told `Switchboard.identify` after the stream
    /// started: later capture cards for these are skipped. What the visitor
    /// already gave stays.
    pub fn identify(&mut self, known: Attributes) {
        for (k, v) in allowed(known, &self.blocked) {
            self.saved.state.attributes.entry(k).or_insert(v);
        }
    }

    /// What to keep.
    pub fn saved(&self) -> &Saved {
        &self.saved
    }

    /// The stream, as the visitor runs it.
    pub fn stream(&self) -> &Stream {
        self.stream.stream()
    }

    /// The log so far, from the transcript.
    pub fn lines(&self) -> Vec<Line> {
        self.saved
            .state
            .transcript
            .iter()
            .map(|e| match e {
                Entry::Bot { text, .. } => Line::Bot(text.clone()),
                Entry::Visitor { text, .. } => Line::Visitor(text.clone()),
            })
            .collect()
    }
}

/// The attributes in what the page passed to `Switchboard.identify` (a JSON
/// object): known attribute names only, with values that pass their checks
/// (an email must be an email); anything else is left out.
pub fn identified(json: &str) -> Attributes {
    let Ok(json::Json::Object(map)) = json::parse(json) else {
        return Attributes::new();
    };
    let mut known = Attributes::new();
    for (k, v) in map {
        let Ok(attribute) = Attribute::parse(&k) else { continue };
        let kind = match attribute {
            Attribute::Email => InputKind::Email,
            Attribute::Phone => InputKind::Phone,
            _ => InputKind::Text,
        };
        if let Some(Ok(value)) = v.as_str().map(|v| check_value(kind, &[], false, v)) {
            if !value.is_empty() {
                known.insert(k, value);
            }
        }
    }
    known
}

/// The bubble a step shows, if any.
pub fn line_of(step: &Step) -> Option<Line> {
    match step {
        Step::Say { text, .. } | Step::Ask { text, .. } => Some(Line::Bot(text.clone())),
        Step::AskField { prompt, .. } => Some(Line::Bot(prompt.clone())),
        Step::End { text, .. } => text.clone().map(Line::Bot),
        Step::HandOff { .. } => None,
    }
}

/// What was kept for `site`, where readable.
pub fn load(site: &str) -> Kept {
    Kept {
        saved: crate::storage::load(site, "bot"),
        copy: crate::storage::load(site, "stream"),
        completed: crate::storage::load(site, "completed").unwrap_or_default(),
    }
}

/// Keeps `saved` for `site`.
pub fn store(site: &str, saved: &Saved) {
    crate::storage::save(site, "bot", saved);
}

/// Keeps a stream the visitor just started on `site`: where they are, and a
/// copy of the stream to go on with should the site republish it meanwhile.
pub fn store_started(site: &str, bot: &Bot) {
    store(site, bot.saved());
    crate::storage::save(site, "stream", bot.stream());
}

/// Notes that the visitor completed `stream` on `site`.
pub fn complete(site: &str, stream: &str) {
    let mut completed: Vec<String> = crate::storage::load(site, "completed").unwrap_or_default();
    if !completed.iter().any(|s| s == stream) {
        completed.push(stream.to_owned());
        crate::storage::save(site, "completed", &completed);
    }
}

/// Forgets where the visitor is on `site` (what they completed stays).
pub fn forget(site: &str) {
    crate::storage::remove(site, "bot");
    crate::storage::remove(site, "stream");
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_protocol::stream::runner::RunState;

    #[test]
    fn what_is_kept_reads_back_as_it_was_written() {
        let step =
            Step::Ask { card: "q".into(), text: "Talk?".into(), answers: vec!["Yes".into(), "No".into()] };
        let saved = Saved {
            state: RunState {
                stream: "s".into(),
                waiting: Some("q".into()),
                attributes: [("first_name".to_owned(), "Lin".to_owned())].into(),
                transcript: vec![Entry::Bot { card: "q".into(), text: "Talk?".into() }],
            },
            prompt: Some(step),
            done: None,
            // A fingerprint uses all 64 bits.
            version: u64::MAX - 7,
        };
        let text = serde_json::to_string(&saved).unwrap();
        assert_eq!(json::from_str::<Saved>(&text), Ok(saved.clone()));
        // Kept before `version` existed: it starts over (version 0).
        let old = text.replace(&format!(",\"version\":{}", u64::MAX - 7), "");
        assert_eq!(json::from_str::<Saved>(&old).map(|s| s.version), Ok(0));
    }

    const CAPTURE: &str = r#"
id = "s"
name = "S"
targets = ["*"]

[[card]]
id = "email"
type = "capture"
attribute = "email"
prompt = "Your email?"
input = "email"

[[card]]
id = "bye"
type = "end"
"#;

    fn blocking(domains: &[&str]) -> SiteConfig {
        let parsed = switchboard_protocol::stream::file::parse(CAPTURE).unwrap();
        SiteConfig {
            site: switchboard_protocol::site::SiteKey::parse("acme").unwrap(),
            protocol_version: 1,
            appearance: Default::default(),
            streams: vec![parsed.stream.stream().clone()],
            chat_enabled: true,
            blocked_email_domains: domains.iter().map(|d| (*d).to_owned()).collect(),
            files: Default::default(),
        }
    }

    fn email(known: &[(&str, &str)], domains: &[&str]) -> (Bot, Vec<Step>) {
        let known = known.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Bot::begin(&blocking(domains), "https://acme.example/", Kept::default(), known, false).unwrap()
    }

    #[test]
    fn an_email_at_a_blocked_domain_is_refused_and_changes_nothing() {
        let (mut bot, steps) = email(&[], &["gmail.com"]);
        assert!(matches!(steps[..], [Step::AskField { .. }]));
        let before = bot.saved().clone();
        let refused = bot.answer(Input::Field("Ada@GMail.com".into())).unwrap_err();
        assert_eq!(refused, InputError::Invalid { card: "email".into(), error: ValueError::BlockedDomain });
        assert_eq!(bot.saved(), &before);
        let (said, _) = bot.answer(Input::Field("ada@bigcorp.com".into())).unwrap();
        assert_eq!(said, "ada@bigcorp.com");
        // Without blocked domains, the same address is taken.
        let (mut open, _) = email(&[], &[]);
        assert!(open.answer(Input::Field("ada@gmail.com".into())).is_ok());
    }

    #[test]
    fn an_identified_email_at_a_blocked_domain_is_asked_for_again() {
        let (_, steps) = email(&[("email", "ada@gmail.com")], &["gmail.com"]);
        assert!(matches!(steps[..], [Step::AskField { .. }]), "the capture card asks: {steps:?}");
        let (_, steps) = email(&[("email", "ada@bigcorp.com")], &["gmail.com"]);
        assert!(!steps.iter().any(|s| matches!(s, Step::AskField { .. })), "known: skipped");
        let (mut bot, _) = email(&[], &["gmail.com"]);
        bot.identify([("email".to_owned(), "ada@gmail.com".to_owned())].into());
        assert!(!bot.saved().state.attributes.contains_key("email"));
    }

    #[test]
    fn identify_keeps_known_attributes_with_valid_values_only() {
        let a = identified(
            r#"{"first_name":" Lin ","email":"LIN@Example.com","phone":"not a phone","nickname":"x",
                "custom:plan":"team","company":7,"job_title":""}"#,
        );
        let got: Vec<_> = a.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(got, [("custom:plan", "team"), ("email", "LIN@example.com"), ("first_name", "Lin")]);
        assert!(identified("not json").is_empty());
        assert!(identified("[1,2]").is_empty());
    }
}
