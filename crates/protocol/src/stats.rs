//! What the widget tells the server about the streams visitors run, for
//! the dialogue reports: counts only, never what anyone typed. A batch
//! names one *visit* (one run of a stream in one browser, by a random id
//! the widget makes; it identifies nobody) and what happened in it, each
//! with the stream, its version and the card.
//!
//! The widget queues them and sends them in one request when the page is
//! hidden (`navigator.sendBeacon`), or sooner when the queue is full; the
//! server takes a batch once per visit, kind and card, so one sent twice
//! counts once.

use serde::{Deserialize, Serialize};

use crate::stream::validate::valid_id;

/// Most events in one batch.
pub const MAX_EVENTS: usize = 50;

/// Largest batch body, in bytes.
pub const MAX_BATCH_BYTES: usize = 8 * 1024;

/// What happened in a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamEventKind {
    /// The stream's first card was shown (the stream started).
    Shown,
    /// A card was shown.
    Reached,
    /// The visitor answered a card (a question or a field).
    Engaged,
    /// The visitor reached the end of their branch: an end card, a live
    /// chat card, or a card with nothing after it.
    Completed,
    /// The visitor gave their email.
    Email,
    /// The visitor asked for an agent (reached a live chat card).
    LiveChat,
}

impl StreamEventKind {
    /// Every kind.
    pub const ALL: [Self; 6] =
        [Self::Shown, Self::Reached, Self::Engaged, Self::Completed, Self::Email, Self::LiveChat];

    /// Its name, as sent and stored.
    pub fn name(self) -> &'static str {
        match self {
            Self::Shown => "shown",
            Self::Reached => "reached",
            Self::Engaged => "engaged",
            Self::Completed => "completed",
            Self::Email => "email",
            Self::LiveChat => "live_chat",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One thing that happened in a visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamEvent {
    /// What.
    pub kind: StreamEventKind,
    /// The stream's id.
    pub stream: String,
    /// The version the visitor runs.
    pub version: u32,
    /// The card it concerns (`reached`, `completed`, `live_chat`, and the
    /// card answered for `engaged` and `email`).
    pub card: String,
}

/// `POST /api/sites/{key}/stream-events`: a batch from one visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamEvents {
    /// The visit: 16 to 32 lowercase hex digits, random.
    pub visit: String,
    /// What happened, in order.
    pub events: Vec<StreamEvent>,
}

impl StreamEvents {
    /// Why this batch is refused, if it is: a visit id of the wrong
    /// shape, no events or more than [`MAX_EVENTS`], or a stream or card id
    /// that is not an id.
    pub fn problem(&self) -> Option<String> {
        let hex = self.visit.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !(16..=32).contains(&self.visit.len()) || !hex {
            return Some("visit must be 16 to 32 lowercase hex digits".into());
        }
        if self.events.is_empty() || self.events.len() > MAX_EVENTS {
            return Some(format!("a batch holds 1 to {MAX_EVENTS} events"));
        }
        if let Some(e) = self.events.iter().find(|e| !valid_id(&e.stream) || !valid_id(&e.card)) {
            return Some(format!("{:?} / {:?} is not a stream and card id", clip(&e.stream), clip(&e.card)));
        }
        None
    }
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(visit: &str, n: usize) -> StreamEvents {
        let e = StreamEvent {
            kind: StreamEventKind::Reached,
            stream: "pricing".into(),
            version: 2,
            card: "q1".into(),
        };
        StreamEvents { visit: visit.into(), events: vec![e; n] }
    }

    #[test]
    fn a_batch_is_checked_before_anything_is_stored() {
        assert_eq!(batch("0123456789abcdef", 1).problem(), None);
        assert!(batch("0123456789ABCDEF", 1).problem().is_some(), "uppercase");
        assert!(batch("0123", 1).problem().is_some(), "too short");
        assert!(batch("0123456789abcdef", 0).problem().is_some());
        assert!(batch("0123456789abcdef", MAX_EVENTS + 1).problem().is_some());
        let mut b = batch("0123456789abcdef", 1);
        b.events[0].card = "<script>".into();
        assert!(b.problem().is_some());
    }

    #[test]
    fn kinds_are_named_both_ways_and_sent_by_name() {
        for k in StreamEventKind::ALL {
            assert_eq!(StreamEventKind::parse(k.name()), Some(k));
        }
        let json = serde_json::to_string(&batch("0123456789abcdef", 1)).unwrap();
        assert!(json.contains(r#""kind":"reached""#), "{json}");
        let full = serde_json::to_string(&batch("0123456789abcdef", MAX_EVENTS)).unwrap();
        assert!(full.len() < MAX_BATCH_BYTES, "a full batch of short ids fits: {}", full.len());
    }
}
