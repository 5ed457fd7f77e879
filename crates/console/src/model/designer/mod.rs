//! The stream designer's model: the draft (the protocol's own `Stream`), the
//! edits an admin makes to it ([`edit`]), undo and redo ([`history`]), and the
//! tree it is drawn as ([`layout`]). The views only render it; the
//! protocol's validator, compiled in, checks it as it changes.

pub mod edit;
pub mod history;
pub mod layout;

#[cfg(test)]
mod tests;

use switchboard_protocol::stream::{Capture, CardKind};

/// A place a card can hang from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Slot {
    /// The stream's start (before the first card).
    Start,
    /// After a message, capture or live chat card.
    Next(String),
    /// Under a question's answer (by position).
    Answer(String, usize),
}

impl Slot {
    /// The card the slot belongs to (`None` for the start).
    pub fn card(&self) -> Option<&str> {
        match self {
            Slot::Start => None,
            Slot::Next(c) | Slot::Answer(c, _) => Some(c),
        }
    }
}

/// The links out of `kind`, as slots of card `id`.
pub fn slots(id: &str, kind: &CardKind) -> Vec<(Slot, Option<String>)> {
    match kind {
        CardKind::Message { next, .. } | CardKind::Capture(Capture { next, .. }) => {
            vec![(Slot::Next(id.to_owned()), next.clone())]
        }
        CardKind::LiveChat { next: Some(n), .. } => vec![(Slot::Next(id.to_owned()), Some(n.clone()))],
        CardKind::Question { answers, .. } => answers
            .iter()
            .enumerate()
            .map(|(i, a)| (Slot::Answer(id.to_owned(), i), a.next.clone()))
            .collect(),
        CardKind::LiveChat { .. } | CardKind::End { .. } => Vec::new(),
    }
}
