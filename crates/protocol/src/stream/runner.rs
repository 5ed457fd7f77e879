//! The stream runner: a pure state machine over a [`ValidStream`].
//!
//! [`ValidStream::start`] gives the first steps to show and a [`RunState`];
//! [`ValidStream::answer`] takes the visitor's input and gives the next steps
//! and the new state. Invalid input is a typed error and changes nothing. The
//! state is serializable, so the widget can keep it and continue after a reload.

use serde::{Deserialize, Serialize};

use super::*;
use crate::attribute::{check_value, Attributes, ValueError};
use crate::text::render;

/// Where a visitor is in a stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    /// The stream's id.
    pub stream: String,
    /// The question or capture card waiting for input; `None` once finished.
    pub waiting: Option<String>,
    /// Everything known about the visitor so far.
    pub attributes: Attributes,
    /// What was said, in order.
    pub transcript: Vec<Entry>,
}

/// One line of the bot transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Entry {
    /// The bot said `text` at `card`.
    Bot {
        /// Card id.
        card: String,
        /// Text as shown (tokens filled in).
        text: String,
    },
    /// The visitor answered `text` at `card`.
    Visitor {
        /// Card id.
        card: String,
        /// The answer's label or the value typed.
        text: String,
    },
}

/// Something for the widget to show or do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Show a bot message.
    Say {
        /// Card id.
        card: String,
        /// Text with tokens filled in.
        text: String,
    },
    /// Ask a question with answer buttons.
    Ask {
        /// Card id.
        card: String,
        /// The question.
        text: String,
        /// Button labels, in order; answer with their index.
        answers: Vec<String>,
    },
    /// Ask for a field.
    AskField {
        /// Card id.
        card: String,
        /// Which attribute.
        attribute: crate::attribute::Attribute,
        /// The question.
        prompt: String,
        /// Input placeholder.
        placeholder: String,
        /// Kind of input.
        input: InputKind,
        /// Pick-list options.
        options: Vec<String>,
        /// Whether an empty value is refused.
        required: bool,
    },
    /// Hand the visitor to an agent.
    HandOff {
        /// Card id.
        card: String,
        /// How to route.
        routing: Routing,
        /// The "connecting" text, if the card has one.
        text: Option<String>,
        /// Everything captured.
        attributes: Attributes,
        /// The bot transcript.
        transcript: Vec<Entry>,
    },
    /// The stream ended.
    End {
        /// Card id.
        card: String,
        /// Goodbye text, if any.
        text: Option<String>,
    },
}

/// What a visitor did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "input", content = "value", rename_all = "snake_case")]
pub enum Input {
    /// Chose the answer with this index.
    Answer(usize),
    /// Typed or picked a value.
    Field(String),
}

/// Why input was refused. The state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum InputError {
    /// The stream is over.
    #[error("the stream has finished")]
    Finished,
    /// The state is not from this stream (republished or tampered).
    #[error("this state does not belong to stream {stream}")]
    ForeignState {
        /// The stream the input was given to.
        stream: String,
    },
    /// An answer where a field was asked, or the other way round.
    #[error("card {card} expects {expected}")]
    WrongInput {
        /// The waiting card.
        card: String,
        /// `an answer` or `a value`.
        expected: String,
    },
    /// No answer with that index.
    #[error("card {card} has no answer {index}")]
    NoSuchAnswer {
        /// The waiting card.
        card: String,
        /// The index given.
        index: usize,
    },
    /// The value does not pass the field's check.
    #[error("card {card}: {error}")]
    Invalid {
        /// The waiting card.
        card: String,
        /// What is wrong with it.
        error: ValueError,
    },
}

impl ValidStream {
    /// Starts the stream for a visitor already known by `known` attributes.
    pub fn start(&self, known: Attributes) -> (RunState, Vec<Step>) {
        let mut state = RunState {
            stream: self.stream().id.clone(),
            waiting: None,
            attributes: known,
            transcript: Vec::new(),
        };
        let first = self.stream().cards.first().map(|c| c.id.clone());
        let steps = self.advance(&mut state, first);
        (state, steps)
    }

    /// Applies the visitor's `input` to `state`.
    pub fn answer(&self, state: &RunState, input: Input) -> Result<(RunState, Vec<Step>), InputError> {
        let stream = self.stream();
        if state.stream != stream.id {
            return Err(InputError::ForeignState { stream: stream.id.clone() });
        }
        let waiting = state.waiting.as_deref().ok_or(InputError::Finished)?;
        let card =
            stream.card(waiting).ok_or_else(|| InputError::ForeignState { stream: stream.id.clone() })?;
        let mut next_state = state.clone();
        let next = match (&card.kind, input) {
            (CardKind::Question { answers, .. }, Input::Answer(index)) => {
                let answer = answers
                    .get(index)
                    .ok_or_else(|| InputError::NoSuchAnswer { card: card.id.clone(), index })?;
                let label = render(&answer.label, &state.attributes);
                next_state.transcript.push(Entry::Visitor { card: card.id.clone(), text: label });
                if let Some(set) = &answer.set {
                    next_state.attributes.insert(set.attribute.key().to_owned(), set.value.clone());
                }
                answer.next.clone()
            }
            (CardKind::Capture(cap), Input::Field(raw)) => {
                let value = check_value(cap.input, &cap.options, cap.required, &raw)
                    .map_err(|error| InputError::Invalid { card: card.id.clone(), error })?;
                if !value.is_empty() {
                    next_state.transcript.push(Entry::Visitor { card: card.id.clone(), text: value.clone() });
                    next_state.attributes.insert(cap.attribute.key().to_owned(), value);
                }
                cap.next.clone()
            }
            (CardKind::Question { .. }, Input::Field(_)) => {
                return Err(InputError::WrongInput { card: card.id.clone(), expected: "an answer".into() })
            }
            (_, _) => {
                return Err(InputError::WrongInput { card: card.id.clone(), expected: "a value".into() })
            }
        };
        let steps = self.advance(&mut next_state, next);
        Ok((next_state, steps))
    }

    /// Shows cards from `from` until one needs input or the stream ends.
    fn advance(&self, state: &mut RunState, from: Option<String>) -> Vec<Step> {
        let stream = self.stream();
        let mut steps = Vec::new();
        let mut current = from;
        state.waiting = None;
        // A valid stream has no cycles, so this visits each card at most once;
        // the bound makes that a guarantee rather than an assumption.
        for _ in 0..=stream.cards.len() {
            let Some(card) = current.as_deref().and_then(|id| stream.card(id)) else { break };
            let id = card.id.clone();
            match &card.kind {
                CardKind::Message { text, next } => {
                    let text = render(text, &state.attributes);
                    state.transcript.push(Entry::Bot { card: id.clone(), text: text.clone() });
                    steps.push(Step::Say { card: id, text });
                    current = next.clone();
                }
                CardKind::Question { text, answers } => {
                    let text = render(text, &state.attributes);
                    state.transcript.push(Entry::Bot { card: id.clone(), text: text.clone() });
                    let answers = answers.iter().map(|a| render(&a.label, &state.attributes)).collect();
                    steps.push(Step::Ask { card: id.clone(), text, answers });
                    state.waiting = Some(id);
                    break;
                }
                CardKind::Capture(cap) => {
                    let known = state.attributes.get(cap.attribute.key()).is_some_and(|v| !v.is_empty());
                    if known && cap.if_known == IfKnown::Skip {
                        current = cap.next.clone();
                        continue;
                    }
                    let prompt = render(&cap.prompt, &state.attributes);
                    state.transcript.push(Entry::Bot { card: id.clone(), text: prompt.clone() });
                    steps.push(Step::AskField {
                        card: id.clone(),
                        attribute: cap.attribute.clone(),
                        prompt,
                        placeholder: render(&cap.placeholder, &state.attributes),
                        input: cap.input,
                        options: cap.options.clone(),
                        required: cap.required,
                    });
                    state.waiting = Some(id);
                    break;
                }
                CardKind::LiveChat { routing, text, .. } => {
                    let text = text.as_ref().map(|t| render(t, &state.attributes));
                    steps.push(Step::HandOff {
                        card: id,
                        routing: routing.clone(),
                        text,
                        attributes: state.attributes.clone(),
                        transcript: state.transcript.clone(),
                    });
                    break;
                }
                CardKind::End { text } => {
                    let text = text.as_ref().map(|t| render(t, &state.attributes)).filter(|t| !t.is_empty());
                    if let Some(t) = &text {
                        state.transcript.push(Entry::Bot { card: id.clone(), text: t.clone() });
                    }
                    steps.push(Step::End { card: id, text });
                    break;
                }
            }
        }
        steps
    }
}

// The read side for the widget (see `crate::json`), mirroring the derives.

impl FromJson for RunState {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        Ok(Self {
            stream: json.field("stream")?,
            waiting: json.field("waiting")?,
            attributes: json.field("attributes")?,
            transcript: json.field("transcript")?,
        })
    }
}

impl FromJson for Entry {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        let (card, text) = (json.field("card")?, json.field("text")?);
        match json.field::<String>("from")?.as_str() {
            "bot" => Ok(Self::Bot { card, text }),
            "visitor" => Ok(Self::Visitor { card, text }),
            other => Err(JsonError::invalid(other)),
        }
    }
}

impl FromJson for Step {
    fn from_json(json: &Json) -> Result<Self, JsonError> {
        let f = json;
        let card = f.field("card")?;
        Ok(match f.field::<String>("step")?.as_str() {
            "say" => Self::Say { card, text: f.field("text")? },
            "ask" => Self::Ask { card, text: f.field("text")?, answers: f.field("answers")? },
            "ask_field" => Self::AskField {
                card,
                attribute: f.field("attribute")?,
                prompt: f.field("prompt")?,
                placeholder: f.field("placeholder")?,
                input: f.field("input")?,
                options: f.field("options")?,
                required: f.field("required")?,
            },
            "hand_off" => Self::HandOff {
                card,
                routing: f.field("routing")?,
                text: f.field("text")?,
                attributes: f.field("attributes")?,
                transcript: f.field("transcript")?,
            },
            "end" => Self::End { card, text: f.field("text")? },
            other => return Err(JsonError::invalid(other)),
        })
    }
}
