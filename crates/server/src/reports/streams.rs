//! The dialogue report: each visit's stream events folded (pure), then
//! added up per stream and card.

use std::collections::{BTreeMap, HashMap};

use switchboard_protocol::admin::{CardFigures, StreamFigures};
use switchboard_protocol::stats::StreamEventKind;

use crate::ids::SiteId;
use crate::store::StoredStreamEvent;

/// One visit, folded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visit {
    /// The site.
    pub site: Option<SiteId>,
    /// The stream.
    pub stream: String,
    /// Its kinds of events seen.
    pub shown: bool,
    /// Answered a card.
    pub engaged: bool,
    /// Reached the end of their branch.
    pub completed: bool,
    /// Gave their email.
    pub email: bool,
    /// Asked for an agent.
    pub live_chat: bool,
    /// The cards reached, in order, each once.
    pub reached: Vec<String>,
}

impl Visit {
    fn apply(&mut self, e: &StoredStreamEvent) {
        if self.stream.is_empty() {
            self.stream.clone_from(&e.stream_id);
            self.site = Some(e.site_id);
        }
        match StreamEventKind::parse(&e.kind) {
            Some(StreamEventKind::Shown) => self.shown = true,
            Some(StreamEventKind::Reached) if !self.reached.contains(&e.card) => {
                self.reached.push(e.card.clone());
            }
            Some(StreamEventKind::Reached) => {}
            Some(StreamEventKind::Engaged) => self.engaged = true,
            Some(StreamEventKind::Completed) => self.completed = true,
            Some(StreamEventKind::Email) => self.email = true,
            Some(StreamEventKind::LiveChat) => self.live_chat = true,
            None => {}
        }
    }
}

/// Visits added up per stream.
#[derive(Debug, Default)]
pub struct StreamTotals {
    streams: BTreeMap<(Option<SiteId>, String), StreamTally>,
}

/// One stream's figures so far, with its cards' by id.
type StreamTally = (StreamFigures, HashMap<String, CardFigures>);

impl StreamTotals {
    /// Adds a visit (one that started in the range).
    pub fn add(&mut self, v: &Visit) {
        if !v.shown {
            return;
        }
        let (f, cards) = self.streams.entry((v.site, v.stream.clone())).or_default();
        f.stream.clone_from(&v.stream);
        f.shown += 1;
        f.engaged += u64::from(v.engaged);
        f.completed += u64::from(v.completed);
        f.emails += u64::from(v.email);
        f.live_chat += u64::from(v.live_chat);
        for card in &v.reached {
            let c = cards
                .entry(card.clone())
                .or_insert_with(|| CardFigures { card: card.clone(), ..CardFigures::default() });
            c.reached += 1;
        }
        if let Some(last) = v.reached.last().filter(|_| !v.completed) {
            cards.get_mut(last).expect("reached cards are counted").left += 1;
        }
    }

    /// Each stream's figures, by site and id, the site named by
    /// `site_key`; cards most reached first.
    pub fn finish(self, site_key: impl Fn(SiteId) -> String) -> Vec<StreamFigures> {
        self.streams
            .into_iter()
            .map(|((site, _), (mut f, cards))| {
                f.site = site.map(&site_key).unwrap_or_default();
                let mut cards: Vec<CardFigures> = cards.into_values().collect();
                cards.sort_by(|a, b| b.reached.cmp(&a.reached).then_with(|| a.card.cmp(&b.card)));
                f.cards = cards;
                f
            })
            .collect()
    }
}

/// Folds events ordered by visit, handing each finished visit to `done`
/// (memory holds one visit at a time).
pub struct VisitFolder<F: FnMut(Visit)> {
    current: Option<(String, Visit)>,
    done: F,
}

impl<F: FnMut(Visit)> VisitFolder<F> {
    /// A folder handing finished visits to `done`.
    pub fn new(done: F) -> Self {
        Self { current: None, done }
    }

    /// The next event.
    pub fn push(&mut self, e: &StoredStreamEvent) {
        if self.current.as_ref().is_some_and(|(id, _)| *id != e.visit) {
            if let Some((_, v)) = self.current.take() {
                (self.done)(v);
            }
        }
        self.current.get_or_insert_with(|| (e.visit.clone(), Visit::default())).1.apply(e);
    }

    /// The last visit is in too.
    pub fn finish(mut self) {
        if let Some((_, v)) = self.current.take() {
            (self.done)(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(visit: &str, kind: &str, card: &str) -> StoredStreamEvent {
        StoredStreamEvent {
            site_id: SiteId::new(1),
            visit: visit.into(),
            stream_id: "pricing".into(),
            version: 1,
            kind: kind.into(),
            card: card.into(),
            at: 0,
        }
    }

    #[test]
    fn visits_count_once_and_leave_where_they_stopped() {
        let events = vec![
            // Went all the way to an agent.
            ev("a", "shown", "hello"),
            ev("a", "reached", "hello"),
            ev("a", "reached", "ask"),
            ev("a", "engaged", "ask"),
            ev("a", "reached", "email"),
            ev("a", "email", "email"),
            ev("a", "reached", "agent"),
            ev("a", "completed", "agent"),
            ev("a", "live_chat", "agent"),
            // Left at the question.
            ev("b", "shown", "hello"),
            ev("b", "reached", "hello"),
            ev("b", "reached", "ask"),
            ev("b", "reached", "ask"),
            // Left at once.
            ev("c", "shown", "hello"),
            ev("c", "reached", "hello"),
        ];
        let mut totals = StreamTotals::default();
        let mut folder = VisitFolder::new(|v| totals.add(&v));
        for e in &events {
            folder.push(e);
        }
        folder.finish();
        let f = totals.finish(|_| "demo".to_owned());
        assert_eq!(f.len(), 1);
        let p = &f[0];
        assert_eq!((p.shown, p.engaged, p.completed, p.emails, p.live_chat), (3, 1, 1, 1, 1));
        let cards: Vec<_> = p.cards.iter().map(|c| (c.card.as_str(), c.reached, c.left)).collect();
        assert_eq!(cards, [("hello", 3, 1), ("ask", 2, 1), ("agent", 1, 0), ("email", 1, 0)]);
    }
}
