//! One conversation as its recorded facts tell it: the fold of its events
//! ([`Chat::apply`]) and what each figure of it is ([`Chat::figures`]).
//! Pure: no storage, no clock.

use switchboard_protocol::admin::{EndedBy, Outcome};

use crate::ids::{AgentId, ConversationId, SiteId};
use crate::store::events::{Event, Kind};

/// What became of an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Not answered yet.
    Open,
    /// Accepted this long (ms) after it was made (none: when it was made
    /// was not kept).
    Accepted(Option<i64>),
    /// Declined.
    Declined,
    /// Timed out.
    Missed,
    /// Taken back: the visitor left or ended first, or the agent left.
    Withdrawn,
}

/// One offer to an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// To whom.
    pub agent: AgentId,
    /// What became of it.
    pub answer: Answer,
}

/// An agent's stretch of a chat: from their accept to the end or their
/// transfer onward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stretch {
    /// Whose.
    pub agent: AgentId,
    /// Their accept (unix ms).
    pub from: i64,
    /// The end or their transfer (unix ms); none while it goes on.
    pub to: Option<i64>,
}

/// How a conversation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct End {
    /// When (unix ms).
    pub at: i64,
    /// By whom.
    pub by: Option<EndedBy>,
    /// Messages the visitor and agents wrote.
    pub messages: Option<i64>,
}

/// A conversation's facts, folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chat {
    /// Which.
    pub id: ConversationId,
    /// Its site.
    pub site: SiteId,
    /// The stream of the hand-off.
    pub stream: String,
    /// The hand-off (unix ms).
    pub started: i64,
    /// Whether its hand-off was recorded (not for one that was open when
    /// facts began to be recorded).
    pub handed_off: bool,
    /// Every offer, in order.
    pub offers: Vec<Offer>,
    /// Every accept (unix ms), in order, with whose.
    pub accepts: Vec<(AgentId, i64)>,
    /// Each agent's stretch, in order.
    pub stretches: Vec<Stretch>,
    /// Who handed it on, in order.
    pub transfers: Vec<AgentId>,
    /// The team it was last offered from or transferred to.
    pub team: Option<String>,
    /// The first agent message: whose (the chat's agent then) and how long
    /// after the hand-off (ms).
    pub first_reply: Option<(Option<AgentId>, i64)>,
    /// The fallback message (unix ms).
    pub fallback: Option<i64>,
    /// The end.
    pub end: Option<End>,
}

/// One conversation's figures (times in ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// How it went.
    pub outcome: Outcome,
    /// The first accepted offer → its accept.
    pub time_to_accept: Option<i64>,
    /// Hand-off → first accept.
    pub wait: Option<i64>,
    /// Hand-off → first agent message.
    pub first_response: Option<i64>,
    /// First accept → end.
    pub duration: Option<i64>,
    /// Messages in a chat that was accepted and ended.
    pub messages: Option<i64>,
}

impl Chat {
    /// A conversation with no facts yet but its first (`event`, which
    /// should be its hand-off; one whose hand-off went unrecorded starts
    /// at its first fact).
    pub fn new(event: &Event) -> Self {
        Self { id: event.conversation, site: event.site, started: event.at, ..Self::empty() }
    }

    /// A conversation with nothing in it (to read one into).
    pub fn empty() -> Self {
        Self {
            id: ConversationId::new(0),
            site: SiteId::new(0),
            stream: String::new(),
            started: 0,
            handed_off: false,
            offers: Vec::new(),
            accepts: Vec::new(),
            stretches: Vec::new(),
            transfers: Vec::new(),
            team: None,
            first_reply: None,
            fallback: None,
            end: None,
        }
    }

    /// Adds one fact, in the order they happened.
    pub fn apply(&mut self, e: Event) {
        match e.kind {
            Kind::Handoff => {
                self.handed_off = true;
                self.started = e.at;
                self.stream = e.detail.unwrap_or_default();
                self.team = e.team;
            }
            Kind::Offered => {
                if let Some(agent) = e.agent {
                    self.offers.push(Offer { agent, answer: Answer::Open });
                }
                if e.team.is_some() {
                    self.team = e.team;
                }
            }
            Kind::Declined => self.answer(e.agent, Answer::Declined),
            Kind::TimedOut => self.answer(e.agent, Answer::Missed),
            Kind::Withdrawn => self.answer(e.agent, Answer::Withdrawn),
            Kind::Accepted => {
                self.answer(e.agent, Answer::Accepted(e.value.map(|ms| ms.max(0))));
                if let Some(agent) = e.agent {
                    self.accepts.push((agent, e.at));
                    self.stretches.push(Stretch { agent, from: e.at, to: None });
                }
            }
            Kind::Transferred => {
                self.close_stretch(e.at);
                if let Some(agent) = e.agent {
                    self.transfers.push(agent);
                }
                if e.team.is_some() {
                    self.team = e.team;
                }
            }
            Kind::FirstReply => {
                if self.first_reply.is_none() {
                    self.first_reply = Some((e.agent, e.value.unwrap_or(0).max(0)));
                }
            }
            Kind::Ended => {
                self.close_stretch(e.at);
                let by = e.ended_by();
                self.end = Some(End { at: e.at, by, messages: e.value });
            }
            Kind::Fallback => {
                self.fallback = Some(e.at);
                self.end = Some(End { at: e.at, by: None, messages: None });
            }
        }
    }

    /// The latest open offer to `agent` was answered (the latest open
    /// one, when the agent is not known: removed since).
    fn answer(&mut self, agent: Option<AgentId>, answer: Answer) {
        let index = self
            .offers
            .iter()
            .rposition(|o| Some(o.agent) == agent && o.answer == Answer::Open)
            .or_else(|| self.offers.iter().rposition(|o| o.answer == Answer::Open));
        if let Some(i) = index {
            self.offers[i].answer = answer;
        }
    }

    fn close_stretch(&mut self, at: i64) {
        if let Some(s) = self.stretches.last_mut().filter(|s| s.to.is_none()) {
            s.to = Some(at);
        }
    }

    /// How it went, as far as it has gone.
    pub fn outcome(&self) -> Outcome {
        if !self.accepts.is_empty() {
            Outcome::Accepted
        } else if self.fallback.is_some() {
            Outcome::Fallback
        } else if self.end.is_some() {
            Outcome::Abandoned
        } else {
            Outcome::Open
        }
    }

    /// Offers answered `answer` (any accept counts as one).
    pub fn count(&self, answer: fn(&Answer) -> bool) -> u64 {
        self.offers.iter().filter(|o| answer(&o.answer)).count() as u64
    }

    /// Its figures.
    pub fn figures(&self) -> Figures {
        let first_accept = self.accepts.first().map(|&(_, at)| at);
        let ended = self.end.filter(|_| first_accept.is_some());
        Figures {
            outcome: self.outcome(),
            time_to_accept: self
                .offers
                .iter()
                .find_map(|o| match o.answer {
                    Answer::Accepted(ms) => Some(ms),
                    _ => None,
                })
                .flatten(),
            wait: first_accept.map(|at| (at - self.started).max(0)),
            first_response: self.first_reply.map(|(_, ms)| ms),
            duration: first_accept.zip(ended).map(|(from, end)| (end.at - from).max(0)),
            messages: ended.and_then(|end| end.messages),
        }
    }
}

/// Folds a run of events ordered by conversation into [`Chat`]s, handing
/// each to `done` once its last event is in (memory holds one at a time).
pub struct Folder<F: FnMut(Chat)> {
    current: Option<Chat>,
    done: F,
}

impl<F: FnMut(Chat)> Folder<F> {
    /// A folder handing finished conversations to `done`.
    pub fn new(done: F) -> Self {
        Self { current: None, done }
    }

    /// The next event.
    pub fn push(&mut self, e: Event) {
        if self.current.as_ref().is_some_and(|c| c.id != e.conversation) {
            if let Some(finished) = self.current.take() {
                (self.done)(finished);
            }
        }
        self.current.get_or_insert_with(|| Chat::new(&e)).apply(e);
    }

    /// The last conversation is in too.
    pub fn finish(mut self) {
        if let Some(last) = self.current.take() {
            (self.done)(last);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000_000;

    fn ev(kind: Kind, at_s: i64) -> Event {
        Event {
            conversation: ConversationId::new(1),
            site: SiteId::new(1),
            kind,
            agent: None,
            team: None,
            detail: None,
            value: None,
            at: T0 + at_s * 1000,
        }
    }

    fn by(agent: i64, e: Event) -> Event {
        Event { agent: Some(AgentId::new(agent)), ..e }
    }

    fn fold(events: Vec<Event>) -> Vec<Chat> {
        let mut out = Vec::new();
        let mut f = Folder::new(|c| out.push(c));
        for e in events {
            f.push(e);
        }
        f.finish();
        out
    }

    #[test]
    fn a_chat_declined_then_accepted_then_transferred_counts_every_step() {
        let handoff = Event { detail: Some("pricing".into()), ..ev(Kind::Handoff, 0) };
        let offered_team = Event { team: Some("Sales".into()), ..by(1, ev(Kind::Offered, 1)) };
        let chats = fold(vec![
            handoff,
            offered_team,
            by(1, ev(Kind::Declined, 3)),
            by(2, ev(Kind::Offered, 3)),
            Event { value: Some(4000), ..by(2, ev(Kind::Accepted, 7)) },
            Event { value: Some(9000), ..by(2, ev(Kind::FirstReply, 9)) },
            Event { team: Some("Support".into()), ..by(2, ev(Kind::Transferred, 20)) },
            by(3, ev(Kind::Offered, 20)),
            by(3, ev(Kind::TimedOut, 50)),
            by(4, ev(Kind::Offered, 50)),
            Event { value: Some(2000), ..by(4, ev(Kind::Accepted, 52)) },
            Event { detail: Some("agent".into()), value: Some(6), ..by(4, ev(Kind::Ended, 100)) },
        ]);
        assert_eq!(chats.len(), 1);
        let c = &chats[0];
        assert_eq!(c.stream, "pricing");
        assert_eq!(c.team.as_deref(), Some("Support"), "the last team it went to");
        assert_eq!(c.count(|a| *a == Answer::Declined), 1);
        assert_eq!(c.count(|a| *a == Answer::Missed), 1);
        assert_eq!(c.transfers, [AgentId::new(2)]);
        assert_eq!(
            c.stretches,
            [
                Stretch { agent: AgentId::new(2), from: T0 + 7000, to: Some(T0 + 20_000) },
                Stretch { agent: AgentId::new(4), from: T0 + 52_000, to: Some(T0 + 100_000) },
            ]
        );
        assert_eq!(
            c.figures(),
            Figures {
                outcome: Outcome::Accepted,
                time_to_accept: Some(4000),
                wait: Some(7000),
                first_response: Some(9000),
                duration: Some(93_000),
                messages: Some(6),
            }
        );
    }

    #[test]
    fn outcomes_without_an_accept() {
        let fell_back = fold(vec![ev(Kind::Handoff, 0), ev(Kind::Fallback, 2)]);
        assert_eq!(fell_back[0].figures().outcome, Outcome::Fallback);
        let left = fold(vec![
            ev(Kind::Handoff, 0),
            by(1, ev(Kind::Offered, 1)),
            by(1, ev(Kind::Withdrawn, 5)),
            Event { detail: Some("visitor".into()), value: Some(0), ..ev(Kind::Ended, 5) },
        ]);
        let f = left[0].figures();
        assert_eq!((f.outcome, f.wait, f.duration, f.messages), (Outcome::Abandoned, None, None, None));
        assert_eq!(left[0].end.unwrap().by, Some(EndedBy::Visitor));
        assert_eq!(left[0].count(|a| *a == Answer::Withdrawn), 1);
        let open = fold(vec![ev(Kind::Handoff, 0), by(1, ev(Kind::Offered, 1))]);
        assert_eq!(open[0].figures().outcome, Outcome::Open);
    }

    #[test]
    fn conversations_are_handed_on_one_at_a_time() {
        let two = |e: Event| Event { conversation: ConversationId::new(2), ..e };
        let chats = fold(vec![ev(Kind::Handoff, 0), ev(Kind::Fallback, 1), two(ev(Kind::Handoff, 3))]);
        assert_eq!(chats.iter().map(|c| c.id.get()).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(chats[1].started, T0 + 3000);
    }
}
