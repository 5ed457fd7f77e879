//! The inbox's state and how each server frame changes it. Plain data, no
//! browser: the components render it, the socket feeds it, and the tests
//! drive it directly.

use switchboard_protocol::attribute::Attributes;
use switchboard_protocol::inbox::{ConversationDetail, ConversationSummary};
use switchboard_protocol::stream::runner::Entry;
pub use switchboard_protocol::wire::Pending;
use switchboard_protocol::wire::{
    take_in, AgentOut, Author, ChatMessage, ConversationState, ErrorCode, PageContext,
};

/// A chat offered to this agent, waiting for accept or decline.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    /// Conversation id.
    pub conversation: i64,
    /// What is known about the visitor.
    pub attributes: Attributes,
    /// Where the visitor is.
    pub page: PageContext,
    /// The bot part of the conversation.
    pub transcript: Vec<Entry>,
    /// When it moves on to the next agent (milliseconds since the epoch).
    pub deadline_ms: f64,
    /// Who transferred it here, if someone did.
    pub transferred_by: Option<String>,
    /// When it arrived (milliseconds since the epoch).
    pub received_ms: f64,
}

impl Offer {
    /// Whole seconds left at `now_ms` (never below zero).
    pub fn seconds_left(&self, now_ms: f64) -> u64 {
        let left = ((self.deadline_ms - now_ms) / 1000.0).ceil();
        if left > 0.0 {
            left as u64
        } else {
            0
        }
    }

    /// The visitor's first question: their first answer or, failing that,
    /// the bot's last line before the hand-off.
    pub fn first_question(&self) -> Option<&str> {
        let visitor = self.transcript.iter().find_map(|e| match e {
            Entry::Visitor { text, .. } => Some(text.as_str()),
            Entry::Bot { .. } => None,
        });
        visitor.or_else(|| {
            self.transcript.iter().rev().find_map(|e| match e {
                Entry::Bot { text, .. } => Some(text.as_str()),
                Entry::Visitor { .. } => None,
            })
        })
    }
}

/// A conversation the inbox shows: one of the agent's own, or a past one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conversation {
    /// Conversation id.
    pub id: i64,
    /// The site's key.
    pub site: String,
    /// Where it is in its life.
    pub state: Option<ConversationState>,
    /// What is known about the visitor.
    pub attributes: Attributes,
    /// Where the visitor is.
    pub page: PageContext,
    /// The bot part.
    pub transcript: Vec<Entry>,
    /// The live messages, by sequence number, each once.
    pub messages: Vec<ChatMessage>,
    /// Sent by this agent, not yet confirmed.
    pub pending: Vec<Pending>,
    /// Private notes this agent wrote, not yet confirmed.
    pub pending_notes: Vec<Pending>,
    /// Whether the visitor is typing.
    pub visitor_typing: bool,
    /// The highest sequence number the agent has seen on screen.
    pub read_seq: u64,
    /// When it started (RFC 3339).
    pub created_at: String,
    /// When the visitor was first seen (RFC 3339).
    pub first_seen: String,
    /// Which agent had it (past conversations).
    pub agent_name: Option<String>,
}

impl Conversation {
    /// A conversation as the server described it in full.
    pub fn from_detail(d: ConversationDetail) -> Self {
        let mut c = Conversation {
            id: d.id,
            site: d.site,
            state: Some(d.state),
            attributes: d.attributes,
            page: d.page,
            transcript: d.transcript,
            created_at: d.created_at,
            first_seen: d.first_seen,
            agent_name: d.agent_name,
            ..Conversation::default()
        };
        for m in d.messages {
            c.add(m);
        }
        c
    }

    /// A conversation just accepted from `offer`.
    pub fn from_offer(offer: Offer) -> Self {
        Conversation {
            id: offer.conversation,
            state: Some(ConversationState::Active),
            attributes: offer.attributes,
            page: offer.page,
            transcript: offer.transcript,
            ..Conversation::default()
        }
    }

    /// Adds a message unless it is already there, keeping sequence order; a
    /// confirmed message or note of this agent's replaces its pending copy.
    pub fn add(&mut self, m: ChatMessage) {
        if m.author == Author::Visitor {
            self.visitor_typing = false;
        }
        if m.author == Author::Note {
            take_in(&mut self.messages, &mut self.pending_notes, Author::Note, m);
        } else {
            take_in(&mut self.messages, &mut self.pending, Author::Agent, m);
        }
    }

    /// The highest sequence number held (to resume from).
    pub fn last_seq(&self) -> u64 {
        self.messages.last().map_or(0, |m| m.seq)
    }

    /// Visitor messages the agent has not seen yet.
    pub fn unread(&self) -> usize {
        self.messages.iter().filter(|m| m.author == Author::Visitor && m.seq > self.read_seq).count()
    }

    /// Marks everything as seen.
    pub fn mark_read(&mut self) {
        self.read_seq = self.last_seq();
    }

    /// Whether the agent can still write in it.
    pub fn open(&self) -> bool {
        self.state == Some(ConversationState::Active)
    }

    /// When something last happened in it (RFC 3339), for ordering.
    pub fn last_activity(&self) -> &str {
        self.messages.last().map_or(self.created_at.as_str(), |m| m.at.as_str())
    }

    /// The visitor's name for lists and headings.
    pub fn visitor_name(&self) -> String {
        visitor_name(&self.attributes, self.id)
    }
}

/// The visitor's name from what they told: first and last name, else email,
/// else "#id".
pub fn visitor_name(attributes: &Attributes, id: i64) -> String {
    let part = |k: &str| attributes.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    match (part("first_name"), part("last_name"), part("email")) {
        (Some(f), Some(l), _) => format!("{f} {l}"),
        (Some(f), None, _) => f.to_owned(),
        (None, Some(l), _) => l.to_owned(),
        (None, None, Some(e)) => e.to_owned(),
        (None, None, None) => format!("#{id}"),
    }
}

/// The socket's link to the server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Link {
    /// Connecting for the first time.
    #[default]
    Connecting,
    /// Connected and greeted.
    Open,
    /// Lost; trying again.
    Reconnecting,
}

/// Something the agent should be told about, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A conversation went to someone else.
    Transferred {
        /// The visitor's name.
        visitor: String,
        /// The agent or team it went to.
        to: String,
    },
    /// An offer was taken back before its time was up (declined, or the
    /// visitor left).
    Withdrawn {
        /// The visitor's name.
        visitor: String,
    },
    /// An offer nobody answered in time moved on.
    TimedOut {
        /// The visitor's name.
        visitor: String,
    },
    /// The agent did something while the link was down.
    Offline,
    /// The server refused something.
    Refused {
        /// The stable code.
        code: ErrorCode,
        /// The server's words.
        message: String,
    },
}

/// What the shell must do after a frame, beyond showing the new state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reaction {
    /// A new offer: sound, notification.
    Offered {
        /// Conversation id.
        conversation: i64,
        /// The visitor's name.
        visitor: String,
    },
    /// Follow this conversation on the socket, replaying after `last_seq`.
    Follow {
        /// Conversation id.
        conversation: i64,
        /// Last sequence number held.
        last_seq: u64,
    },
    /// Send these unconfirmed messages and notes again.
    Resend {
        /// Conversation id.
        conversation: i64,
        /// The messages.
        pending: Vec<Pending>,
        /// The private notes.
        notes: Vec<Pending>,
    },
    /// Call [`Inbox::retry`] in a moment (the server refused a frame as too fast).
    RetryLater,
    /// The visitor wrote in a conversation the agent is not looking at.
    VisitorWrote {
        /// Conversation id.
        conversation: i64,
    },
}

/// Everything the inbox shows, fed by server frames.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inbox {
    /// Whether the agent is available for new chats.
    pub available: bool,
    /// The link to the server.
    pub link: Link,
    /// Offers waiting for accept, oldest first.
    pub offers: Vec<Offer>,
    /// The agent's own conversations (active, and those that ended while open).
    pub mine: Vec<Conversation>,
    /// The conversation on screen.
    pub selected: Option<i64>,
    /// The latest thing to tell the agent.
    pub notice: Option<Notice>,
    /// A resend of what is pending is waiting (after a `rate_limited`).
    pub retry_due: bool,
    /// The database epoch of the last welcome: sequence numbers count in it.
    pub epoch: Option<String>,
    /// Switched to unavailable by the server after this many offers in a
    /// row went unanswered: shown with a way back until availability
    /// changes again.
    pub away: Option<u32>,
    /// When the offer alert last sounded (ms since the epoch).
    pub alerted_ms: f64,
}

/// How often the alert repeats while an offer waits for an answer.
pub const ALERT_REPEAT_MS: f64 = 10_000.0;

impl Inbox {
    /// Takes in one frame at `now_ms`. `looking` says whether the agent can
    /// see the page (a message in the selected conversation counts as read
    /// only then).
    pub fn apply(&mut self, frame: AgentOut, now_ms: f64, looking: bool) -> Vec<Reaction> {
        match frame {
            AgentOut::Welcome { available, missed_offers, epoch, .. } => {
                self.available = available;
                self.away = missed_offers;
                self.link = Link::Open;
                if self.epoch.is_some() && epoch.is_some() && self.epoch != epoch {
                    // The database was restored: the sequence numbers held
                    // may name other messages now. The open conversations
                    // are loaded again from the start (every visitor
                    // message unread: a new one may carry a number read
                    // before); ended ones are in the past list.
                    self.mine.retain(Conversation::open);
                    for c in &mut self.mine {
                        c.messages.clear();
                        c.read_seq = 0;
                    }
                }
                if epoch.is_some() {
                    self.epoch = epoch;
                }
                let mut effects: Vec<_> = self
                    .mine
                    .iter()
                    .filter(|c| c.open())
                    .map(|c| Reaction::Follow { conversation: c.id, last_seq: c.last_seq() })
                    .collect();
                effects.extend(self.resends());
                effects
            }
            AgentOut::Offer {
                conversation,
                attributes,
                page,
                transcript,
                expires_in_secs,
                transferred_by,
            } => {
                let offer = Offer {
                    conversation,
                    attributes,
                    page,
                    transcript,
                    deadline_ms: now_ms + expires_in_secs as f64 * 1000.0,
                    transferred_by,
                    received_ms: now_ms,
                };
                let visitor = visitor_name(&offer.attributes, conversation);
                let known = self.offers.iter().position(|o| o.conversation == conversation);
                match known {
                    // Sent again after a reconnect: the time left is the server's.
                    Some(i) => {
                        self.offers[i] = offer;
                        Vec::new()
                    }
                    None => {
                        self.offers.push(offer);
                        self.alerted_ms = now_ms;
                        vec![Reaction::Offered { conversation, visitor }]
                    }
                }
            }
            AgentOut::Withdrawn { conversation } => {
                if let Some(i) = self.offers.iter().position(|o| o.conversation == conversation) {
                    let offer = self.offers.remove(i);
                    let visitor = visitor_name(&offer.attributes, conversation);
                    // (Its time up, give or take the link's delay: it timed out.)
                    self.notice = Some(if now_ms + 1_000.0 >= offer.deadline_ms {
                        Notice::TimedOut { visitor }
                    } else {
                        Notice::Withdrawn { visitor }
                    });
                }
                Vec::new()
            }
            AgentOut::Availability { available, missed_offers } => {
                self.available = available;
                self.away = missed_offers;
                Vec::new()
            }
            AgentOut::Message { conversation, message } => {
                let selected = self.selected == Some(conversation) && looking;
                let from_visitor = message.author == Author::Visitor;
                let Some(c) = self.mine.iter_mut().find(|c| c.id == conversation) else { return Vec::new() };
                c.add(message);
                if selected {
                    c.mark_read();
                    Vec::new()
                } else if from_visitor {
                    vec![Reaction::VisitorWrote { conversation }]
                } else {
                    Vec::new()
                }
            }
            AgentOut::State { conversation, state } => self.state(conversation, state),
            AgentOut::Typing { conversation, typing } => {
                if let Some(c) = self.mine.iter_mut().find(|c| c.id == conversation) {
                    c.visitor_typing = typing;
                }
                Vec::new()
            }
            AgentOut::Transferred { conversation, to } => {
                if let Some(i) = self.mine.iter().position(|c| c.id == conversation) {
                    let c = self.mine.remove(i);
                    self.notice = Some(Notice::Transferred { visitor: c.visitor_name(), to });
                    if self.selected == Some(conversation) {
                        self.selected = None;
                    }
                }
                Vec::new()
            }
            AgentOut::Error { code, message } => {
                // Sending too fast, or the server failed to store it: the
                // refused frame may have been a message, so what is pending
                // goes again in a moment (once, however many frames were
                // refused).
                let again = matches!(code, ErrorCode::RateLimited | ErrorCode::Internal);
                let retry = again && !std::mem::replace(&mut self.retry_due, true);
                self.notice = Some(Notice::Refused { code, message });
                if retry {
                    vec![Reaction::RetryLater]
                } else {
                    Vec::new()
                }
            }
        }
    }

    /// The moment after a `rate_limited` has passed: what is still pending.
    pub fn retry(&mut self) -> Vec<Reaction> {
        self.retry_due = false;
        self.resends()
    }

    /// Sending again what is pending in the open conversations.
    fn resends(&self) -> Vec<Reaction> {
        self.mine
            .iter()
            .filter(|c| c.open() && !(c.pending.is_empty() && c.pending_notes.is_empty()))
            .map(|c| Reaction::Resend {
                conversation: c.id,
                pending: c.pending.clone(),
                notes: c.pending_notes.clone(),
            })
            .collect()
    }

    fn state(&mut self, conversation: i64, state: ConversationState) -> Vec<Reaction> {
        if let Some(c) = self.mine.iter_mut().find(|c| c.id == conversation) {
            c.state = Some(state);
            if state != ConversationState::Active {
                c.visitor_typing = false;
                c.pending.clear();
            }
            return Vec::new();
        }
        if state != ConversationState::Active {
            return Vec::new();
        }
        // Accepted (here or in another tab of this agent): the offer becomes
        // a conversation, followed from its first message.
        let Some(i) = self.offers.iter().position(|o| o.conversation == conversation) else {
            return Vec::new();
        };
        let offer = self.offers.remove(i);
        self.mine.insert(0, Conversation::from_offer(offer));
        vec![Reaction::Follow { conversation, last_seq: 0 }]
    }

    /// Adds (or refreshes) one of the agent's own conversations loaded over
    /// HTTP, keeping what the socket already delivered.
    pub fn load(&mut self, detail: ConversationDetail) {
        let mut fresh = Conversation::from_detail(detail);
        match self.mine.iter_mut().find(|c| c.id == fresh.id) {
            Some(c) => {
                for m in std::mem::take(&mut c.messages) {
                    fresh.add(m);
                }
                fresh.pending = std::mem::take(&mut c.pending);
                fresh.read_seq = c.read_seq;
                *c = fresh;
            }
            None => {
                // Loaded afresh (a reload, another tab): what is there now
                // is history, not news.
                fresh.mark_read();
                self.mine.push(fresh);
            }
        }
    }

    /// Squares the inbox with the server's list of the agent's offered and
    /// active conversations, fetched from `asked_ms` on (after a reconnect,
    /// frames sent while the link was down are gone): offers no longer
    /// listed that arrived before the request go. Returns the open
    /// conversations the list lacks (ended or transferred meanwhile; the
    /// caller reloads them) and the active ones the inbox lacks.
    pub fn reconcile(&mut self, listed: &[ConversationSummary], asked_ms: f64) -> (Vec<i64>, Vec<i64>) {
        let has = |id: i64, state: ConversationState| listed.iter().any(|c| c.id == id && c.state == state);
        self.offers.retain(|o| o.received_ms >= asked_ms || has(o.conversation, ConversationState::Offered));
        let gone = self
            .mine
            .iter()
            .filter(|c| c.open() && !has(c.id, ConversationState::Active))
            .map(|c| c.id)
            .collect();
        let missing = listed
            .iter()
            .filter(|c| c.state == ConversationState::Active && !self.mine.iter().any(|m| m.id == c.id))
            .map(|c| c.id)
            .collect();
        (gone, missing)
    }

    /// Forgets a conversation that is no longer the agent's.
    pub fn forget(&mut self, conversation: i64) {
        self.mine.retain(|c| c.id != conversation);
        if self.selected == Some(conversation) {
            self.selected = None;
        }
    }

    /// Drops offers well past their deadline (whose withdrawal was missed);
    /// `true` when one went.
    pub fn expire(&mut self, now_ms: f64) -> bool {
        let before = self.offers.len();
        self.offers.retain(|o| o.deadline_ms + 5_000.0 > now_ms);
        self.offers.len() != before
    }

    /// Shows `conversation` (marking it read).
    pub fn select(&mut self, conversation: Option<i64>) {
        self.selected = conversation;
        if let Some(c) = conversation.and_then(|id| self.mine.iter_mut().find(|c| c.id == id)) {
            c.mark_read();
        }
    }

    /// Marks the selected conversation read (the page became visible again).
    pub fn seen(&mut self) {
        let selected = self.selected;
        self.select(selected);
    }

    /// The agent's own conversations, newest activity first.
    pub fn mine_by_activity(&self) -> Vec<&Conversation> {
        let mut list: Vec<&Conversation> = self.mine.iter().collect();
        list.sort_by(|a, b| b.last_activity().cmp(a.last_activity()).then(b.id.cmp(&a.id)));
        list
    }

    /// At `now_ms`, whether the alert should sound again: an offer has waited
    /// [`ALERT_REPEAT_MS`] since it last sounded, and nobody answered yet.
    /// Answers the offers still waiting (their notifications are shown
    /// again where dismissed).
    pub fn remind(&mut self, now_ms: f64) -> Vec<i64> {
        if self.offers.is_empty() || now_ms - self.alerted_ms < ALERT_REPEAT_MS {
            return Vec::new();
        }
        self.alerted_ms = now_ms;
        self.offers.iter().map(|o| o.conversation).collect()
    }

    /// While an offer waits the tab title flashes: at `now_ms`, whether it
    /// shows the offer (every other second) instead of the count.
    pub fn flashing(&self, now_ms: f64) -> Option<&Offer> {
        self.offers.first().filter(|_| (now_ms / 1000.0).floor() as i64 % 2 == 1)
    }

    /// What needs the agent: offers waiting plus unread visitor messages.
    pub fn attention(&self) -> usize {
        self.offers.len() + self.mine.iter().map(Conversation::unread).sum::<usize>()
    }

    /// The tab title: `(3) Switchboard inbox` while something needs the agent.
    pub fn title(&self, base: &str) -> String {
        match self.attention() {
            0 => base.to_owned(),
            n => format!("({n}) {base}"),
        }
    }
}

/// Newest activity first, for the list of past conversations.
pub fn by_activity(list: &mut [ConversationSummary]) {
    list.sort_by(|a, b| {
        let (x, y) = (activity(a), activity(b));
        y.cmp(x).then(b.id.cmp(&a.id))
    });
}

fn activity(s: &ConversationSummary) -> &str {
    if s.last_activity.is_empty() {
        &s.created_at
    } else {
        &s.last_activity
    }
}

/// Labels for a transcript file.
#[derive(Debug, Clone)]
pub struct TranscriptLabels<'a> {
    /// Heading word: "Conversation".
    pub conversation: &'a str,
    /// "Visitor".
    pub visitor: &'a str,
    /// "Agent".
    pub agent: &'a str,
    /// "Bot".
    pub bot: &'a str,
    /// "System".
    pub system: &'a str,
    /// "Private note".
    pub note: &'a str,
}

/// The whole conversation as plain text, for download.
pub fn transcript_text(c: &Conversation, l: &TranscriptLabels<'_>) -> String {
    let mut out = format!("{} #{} ({})\n", l.conversation, c.id, c.visitor_name());
    if !c.page.url.is_empty() {
        out.push_str(&c.page.url);
        out.push('\n');
    }
    out.push('\n');
    for e in &c.transcript {
        let (who, text) = match e {
            Entry::Bot { text, .. } => (l.bot, text),
            Entry::Visitor { text, .. } => (l.visitor, text),
        };
        out.push_str(&format!("{who}: {text}\n"));
    }
    for m in &c.messages {
        let who = match m.author {
            Author::Visitor => l.visitor,
            Author::Agent => l.agent,
            Author::System => l.system,
            Author::Note => l.note,
        };
        out.push_str(&format!("[{}] {who}: {}\n", m.at, m.text));
    }
    out
}

/// A file name for the transcript download.
pub fn transcript_file_name(c: &Conversation) -> String {
    format!("conversation-{}.txt", c.id)
}

#[cfg(test)]
mod tests;
