//! Streams: the dialogue a site runs in the widget, as a tree of cards.
//!
//! - this module: the model, which is also the JSON form the server serves
//! - [`validate`]: every rule a publishable stream obeys, with card-named errors
//! - [`runner`]: the pure state machine the widget walks a visitor through
//! - [`select`]: which of a site's streams runs on a page
//! - [`file`] (feature `file`): the hand-written TOML form, with line:column errors

use crate::json::{FromJson, Json, JsonError};
use serde::{Deserialize, Serialize};

use crate::attribute::{Attribute, InputKind};
use crate::locale::Locale;

#[cfg(feature = "file")]
pub mod file;
pub mod runner;
pub mod select;
pub mod validate;

#[cfg(all(test, feature = "file"))]
mod tests;

pub use validate::{Finding, Report, Rule, ValidStream};

/// Most cards in one stream.
pub const MAX_CARDS: usize = 200;
/// Longest card text (characters).
pub const MAX_TEXT: usize = 2000;
/// Longest answer label, option, name or placeholder (characters).
pub const MAX_LABEL: usize = 200;
/// Most text in a whole stream (bytes), so that any valid stream also fits
/// in a stream file (`file::MAX_FILE_BYTES`) once written out.
pub const MAX_TOTAL_TEXT: usize = 96 * 1024;
/// Most answers on a question.
pub const MAX_ANSWERS: usize = 10;
/// Most options on a pick-list.
pub const MAX_OPTIONS: usize = 50;
/// Most URL patterns (targets plus exclusions).
pub const MAX_PATTERNS: usize = 50;
/// Longest id (stream or card).
pub const MAX_ID: usize = 64;

/// A dialogue: cards, the first of which starts it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stream {
    /// Stable identifier (`a-z`, `0-9`, `-`, `_`).
    pub id: String,
    /// Name shown to admins.
    pub name: String,
    /// Higher runs first when several streams match a page.
    #[serde(default)]
    pub priority: i32,
    /// URL path patterns (`*` matches anything) of the pages it runs on.
    #[serde(default = "all_pages")]
    pub targets: Vec<String>,
    /// URL path patterns of pages it never runs on, even when targeted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// Language the cards are written in.
    #[serde(default)]
    pub locale: Locale,
    /// The cards; the first is where the stream starts.
    pub cards: Vec<Card>,
    /// Which publication of the stream this is (1, 2, …), set by the server
    /// when it publishes; 0 in a file. A hand-off names it with the live
    /// chat card, and the server routes by its own copy of that card.
    #[serde(default)]
    pub version: u32,
}

fn all_pages() -> Vec<String> {
    vec!["*".to_owned()]
}

/// One step of a stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Card {
    /// Unique within the stream (`A-Z`, `a-z`, `0-9`, `-`, `_`).
    pub id: String,
    /// What the card does.
    #[serde(flatten)]
    pub kind: CardKind,
}

/// The card types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CardKind {
    /// The bot says something; no reply needed.
    Message {
        /// What it says (tokens allowed).
        text: String,
        /// The card after it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next: Option<String>,
    },
    /// The bot asks and offers answers; each answer leads into its own branch.
    Question {
        /// The question (tokens allowed).
        text: String,
        /// The buttons.
        answers: Vec<Answer>,
    },
    /// The bot asks for one attribute.
    Capture(Capture),
    /// Hand the visitor to an agent. Always the last card of its branch.
    LiveChat {
        /// How an agent is chosen.
        routing: Routing,
        /// Shown while connecting (the widget has a default).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
        /// Must be absent; kept in the model so the validator can say so.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next: Option<String>,
    },
    /// Close the branch.
    End {
        /// Optional goodbye.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
}

/// One button of a question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answer {
    /// What the button says.
    pub label: String,
    /// A value stored when this answer is chosen (`wants_agent = yes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<SetValue>,
    /// The card this answer leads to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// An attribute value an answer stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetValue {
    /// Which attribute.
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^(first_name|last_name|email|phone|company|job_title|custom:[a-z0-9_]{1,40})$"))]
    pub attribute: Attribute,
    /// The value.
    pub value: String,
}

/// A data-capture card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Capture {
    /// What is asked for.
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^(first_name|last_name|email|phone|company|job_title|custom:[a-z0-9_]{1,40})$"))]
    pub attribute: Attribute,
    /// The question (tokens allowed).
    pub prompt: String,
    /// Placeholder in the input.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub placeholder: String,
    /// Kind of input, and so its validation.
    pub input: InputKind,
    /// The choices of a pick-list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Whether an empty answer is refused.
    #[serde(default = "yes")]
    pub required: bool,
    /// What to do when the value is already known.
    #[serde(default)]
    pub if_known: IfKnown,
    /// The card after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

fn yes() -> bool {
    true
}

/// What a data-capture card does when the attribute is already known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IfKnown {
    /// Skip the card (the default).
    #[default]
    Skip,
    /// Ask again.
    Ask,
}

/// How the live chat card chooses an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Routing {
    /// Strict rotation over eligible agents.
    RoundRobin,
    /// A named agent, by email.
    Agent(String),
    /// A team by name (round robin inside it).
    Team(String),
    /// The site's custom routing rules.
    Rules,
}

impl CardKind {
    /// The type name as written in files (`message`, `live_chat`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Message { .. } => "message",
            Self::Question { .. } => "question",
            Self::Capture(_) => "capture",
            Self::LiveChat { .. } => "live_chat",
            Self::End { .. } => "end",
        }
    }

    /// The cards this one leads to, in order, with the field each comes from.
    pub fn successors(&self) -> Vec<(&'static str, Option<&str>)> {
        match self {
            Self::Message { next, .. } | Self::Capture(Capture { next, .. }) => {
                vec![("next", next.as_deref())]
            }
            Self::Question { answers, .. } => {
                answers.iter().map(|a| ("answers.next", a.next.as_deref())).collect()
            }
            Self::LiveChat { .. } | Self::End { .. } => vec![],
        }
    }

    /// Whether the card ends its branch.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::LiveChat { .. } | Self::End { .. })
    }
}

impl Stream {
    /// The card with `id`.
    pub fn card(&self, id: &str) -> Option<&Card> {
        self.cards.iter().find(|c| c.id == id)
    }
}

// The read side for the widget (see `crate::json`), mirroring the derives.

impl FromJson for Stream {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        Ok(Self {
            id: json.field("id")?,
            name: json.field("name")?,
            priority: json.field_or("priority", || 0)?,
            targets: json.field_or("targets", all_pages)?,
            exclude: json.field_or("exclude", Vec::new)?,
            locale: json.field_or("locale", Locale::default)?,
            cards: json.field("cards")?,
            version: json.field_or("version", || 0)?,
        })
    }
}

impl FromJson for Card {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        // The kind's fields sit beside the id (`#[serde(flatten)]`).
        Ok(Self { id: json.field("id")?, kind: CardKind::from_json(json)? })
    }
}

impl FromJson for CardKind {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        let f = json;
        Ok(match f.field::<String>("type")?.as_str() {
            "message" => Self::Message { text: f.field("text")?, next: f.field("next")? },
            "question" => Self::Question { text: f.field("text")?, answers: f.field("answers")? },
            "capture" => Self::Capture(Capture::from_json(json)?),
            "live_chat" => Self::LiveChat {
                routing: f.field("routing")?,
                text: f.field("text")?,
                next: f.field("next")?,
            },
            "end" => Self::End { text: f.field("text")? },
            other => return Err(JsonError::invalid(other)),
        })
    }
}

impl FromJson for Answer {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        Ok(Self { label: json.field("label")?, set: json.field("set")?, next: json.field("next")? })
    }
}

impl FromJson for SetValue {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        Ok(Self { attribute: json.field("attribute")?, value: json.field("value")? })
    }
}

impl FromJson for Capture {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        Ok(Self {
            attribute: json.field("attribute")?,
            prompt: json.field("prompt")?,
            placeholder: json.field_or("placeholder", String::new)?,
            input: json.field("input")?,
            options: json.field_or("options", Vec::new)?,
            required: json.field_or("required", yes)?,
            if_known: json.field_or("if_known", IfKnown::default)?,
            next: json.field("next")?,
        })
    }
}

crate::json_names!(IfKnown { Skip = "skip", Ask = "ask" });

impl FromJson for Routing {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        match json {
            Json::String(s) if s == "round_robin" => Ok(Self::RoundRobin),
            Json::String(s) if s == "rules" => Ok(Self::Rules),
            Json::Object(m) if m.len() == 1 && m[0].0 == "agent" => json.field("agent").map(Self::Agent),
            Json::Object(m) if m.len() == 1 && m[0].0 == "team" => json.field("team").map(Self::Team),
            _ => Err(JsonError("expected a routing option".into())),
        }
    }
}
