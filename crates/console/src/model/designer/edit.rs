//! The edits an admin makes to a draft stream, each a function on the
//! protocol's [`Stream`] that either makes the whole change or refuses it
//! with an [`EditError`] and changes nothing.
//!
//! A stream is cards linked by `next` (one per answer on a question); the
//! first card is where it starts. The designer draws it as a tree: a card's
//! *parent slot* is the first link that reaches it from the start, in
//! pre-order. After each edit the cards are kept in that pre-order, so an
//! exported file reads top to bottom as the tree does.

use std::collections::{HashMap, HashSet};

use switchboard_protocol::attribute::{Attribute, InputKind};
use switchboard_protocol::stream::{Answer, Capture, Card, CardKind, IfKnown, Routing, Stream, MAX_CARDS};

use super::layout::layout;
use super::{slots, Slot};

/// The card types, as the palette offers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardType {
    /// The bot says something.
    Message,
    /// The bot asks; each answer has its branch.
    Question,
    /// The bot asks for one attribute.
    Capture,
    /// Hand the visitor to an agent.
    LiveChat,
    /// Close the branch.
    End,
}

/// Every card type the protocol has, in the palette's order.
pub const CARD_TYPES: [CardType; 5] =
    [CardType::Message, CardType::Question, CardType::Capture, CardType::LiveChat, CardType::End];

impl CardType {
    /// The type's name as files write it (`message`, `live_chat`, …).
    pub fn name(self) -> &'static str {
        match self {
            CardType::Message => "message",
            CardType::Question => "question",
            CardType::Capture => "capture",
            CardType::LiveChat => "live_chat",
            CardType::End => "end",
        }
    }

    /// The type of `kind`.
    pub fn of(kind: &CardKind) -> Self {
        match kind {
            CardKind::Message { .. } => CardType::Message,
            CardKind::Question { .. } => CardType::Question,
            CardKind::Capture(_) => CardType::Capture,
            CardKind::LiveChat { .. } => CardType::LiveChat,
            CardKind::End { .. } => CardType::End,
        }
    }
}

/// The words a new card starts with, in the console's language.
#[derive(Debug, Clone, PartialEq)]
pub struct Words {
    /// A new message's text.
    pub message: String,
    /// A new question's text.
    pub question: String,
    /// A new answer's label; `{n}` is its number.
    pub answer: String,
    /// A new data-capture card's prompt.
    pub capture: String,
    /// A new end card's goodbye.
    pub end: String,
}

impl Words {
    fn answer(&self, n: usize) -> String {
        self.answer.replace("{n}", &n.to_string())
    }
}

/// Why an edit was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditError {
    /// The card or slot is not in the stream.
    NotFound,
    /// The stream has the most cards it can have.
    Full,
    /// An end card cannot go where cards follow.
    EndBeforeCards,
    /// A question with several branches is removed with its branches.
    HasBranches,
    /// A branch cannot move into itself.
    IntoItself,
    /// The move would make a loop (a branch moved above itself).
    WouldLoop,
}

impl EditError {
    /// The locale key that says it to the admin.
    pub fn key(self) -> &'static str {
        match self {
            EditError::NotFound => "edit_not_found",
            EditError::Full => "edit_full",
            EditError::EndBeforeCards => "edit_end_before_cards",
            EditError::HasBranches => "edit_has_branches",
            EditError::IntoItself => "edit_into_itself",
            EditError::WouldLoop => "edit_would_loop",
        }
    }
}

fn index_of(stream: &Stream, id: &str) -> Result<usize, EditError> {
    stream.cards.iter().position(|c| c.id == id).ok_or(EditError::NotFound)
}

fn card_mut<'a>(stream: &'a mut Stream, id: &str) -> Result<&'a mut Card, EditError> {
    stream.cards.iter_mut().find(|c| c.id == id).ok_or(EditError::NotFound)
}

/// The link a slot is (the start has none: it is the first card).
fn link_mut<'a>(stream: &'a mut Stream, slot: &Slot) -> Result<&'a mut Option<String>, EditError> {
    match slot {
        Slot::Start => Err(EditError::NotFound),
        Slot::Next(id) => match &mut card_mut(stream, id)?.kind {
            CardKind::Message { next, .. }
            | CardKind::Capture(Capture { next, .. })
            | CardKind::LiveChat { next, .. } => Ok(next),
            _ => Err(EditError::NotFound),
        },
        Slot::Answer(id, i) => match &mut card_mut(stream, id)?.kind {
            CardKind::Question { answers, .. } => {
                answers.get_mut(*i).map(|a| &mut a.next).ok_or(EditError::NotFound)
            }
            _ => Err(EditError::NotFound),
        },
    }
}

/// The card a slot leads to, if any.
pub fn target(stream: &Stream, slot: &Slot) -> Result<Option<String>, EditError> {
    match slot {
        Slot::Start => Ok(stream.cards.first().map(|c| c.id.clone())),
        _ => link_mut(&mut stream.clone(), slot).map(|l| l.clone()),
    }
}

fn successors(kind: &CardKind) -> Vec<String> {
    slots("", kind).into_iter().filter_map(|(_, n)| n).collect()
}

/// Every card reachable from `from` (itself included), not passing `avoid`.
fn reach(stream: &Stream, from: &[String], avoid: Option<&str>) -> HashSet<String> {
    let by_id: HashMap<&str, &Card> = stream.cards.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut seen = HashSet::new();
    let mut todo: Vec<String> = from.to_vec();
    while let Some(id) = todo.pop() {
        if Some(id.as_str()) == avoid || !seen.insert(id.clone()) {
            continue;
        }
        if let Some(c) = by_id.get(id.as_str()) {
            todo.extend(successors(&c.kind));
        }
    }
    seen
}

/// The cards of the branch that starts at `id` (itself and all below it).
pub fn branch(stream: &Stream, id: &str) -> HashSet<String> {
    reach(stream, &[id.to_owned()], None)
}

/// The slot `id` hangs from in the tree as it is drawn ([`Slot::Start`]
/// for the first card); `None` for a card no path reaches.
pub fn parent_slot(stream: &Stream, id: &str) -> Option<Slot> {
    let l = layout(stream);
    l.of_card(id).and_then(|i| l.placed[i].slot.clone())
}

/// A new card id for `ty`: its name and the first free number.
fn fresh_id(stream: &Stream, ty: CardType) -> String {
    let base = ty.name().replace('_', "-");
    (1..).map(|n| format!("{base}-{n}")).find(|id| stream.cards.iter().all(|c| &c.id != id)).unwrap_or(base)
}

/// Adds a new card of type `ty` at `slot`: what the slot led to follows the
/// new card (under a new question's first answer; after a live chat card,
/// where the validator then says it must not be). Answers the new card's id.
pub fn insert(stream: &mut Stream, slot: &Slot, ty: CardType, words: &Words) -> Result<String, EditError> {
    if stream.cards.len() >= MAX_CARDS {
        return Err(EditError::Full);
    }
    let rest = target(stream, slot)?;
    let id = fresh_id(stream, ty);
    let kind = match ty {
        CardType::Message => CardKind::Message { text: words.message.clone(), next: rest },
        CardType::Question => CardKind::Question {
            text: words.question.clone(),
            answers: vec![Answer { label: words.answer(1), set: None, next: rest }],
        },
        CardType::Capture => CardKind::Capture(Capture {
            attribute: Attribute::Email,
            prompt: words.capture.clone(),
            placeholder: String::new(),
            input: InputKind::Email,
            options: Vec::new(),
            required: true,
            if_known: IfKnown::Skip,
            next: rest,
        }),
        CardType::LiveChat => CardKind::LiveChat { routing: Routing::RoundRobin, text: None, next: rest },
        CardType::End if rest.is_some() => return Err(EditError::EndBeforeCards),
        CardType::End => CardKind::End { text: Some(words.end.clone()) },
    };
    let card = Card { id: id.clone(), kind };
    if *slot == Slot::Start {
        stream.cards.insert(0, card);
    } else {
        *link_mut(stream, slot)? = Some(id.clone());
        stream.cards.push(card);
    }
    tidy(stream);
    Ok(id)
}

/// Removes one card; the card after it takes its place. A question with
/// branches under several answers must go with its branches
/// ([`remove_branch`]).
pub fn remove_card(stream: &mut Stream, id: &str) -> Result<(), EditError> {
    let i = index_of(stream, id)?;
    let mut after: Vec<String> = successors(&stream.cards[i].kind);
    after.dedup();
    let after: HashSet<String> = after.into_iter().collect();
    if after.len() > 1 {
        return Err(EditError::HasBranches);
    }
    let rest = after.into_iter().next();
    redirect(stream, id, rest.clone());
    stream.cards.remove(i);
    if i == 0 {
        if let Some(r) = rest.and_then(|r| index_of(stream, &r).ok()) {
            let card = stream.cards.remove(r);
            stream.cards.insert(0, card);
        }
    }
    tidy(stream);
    Ok(())
}

/// Every link to `id` now leads to `to`.
fn redirect(stream: &mut Stream, id: &str, to: Option<String>) {
    for card in &mut stream.cards {
        for next in links(&mut card.kind) {
            if next.as_deref() == Some(id) {
                *next = to.clone();
            }
        }
    }
}

fn links(kind: &mut CardKind) -> Vec<&mut Option<String>> {
    match kind {
        CardKind::Message { next, .. }
        | CardKind::Capture(Capture { next, .. })
        | CardKind::LiveChat { next, .. } => {
            vec![next]
        }
        CardKind::Question { answers, .. } => answers.iter_mut().map(|a| &mut a.next).collect(),
        CardKind::End { .. } => Vec::new(),
    }
}

/// Removes a card and every card below it that nothing else leads to; the
/// links to it are left open (the validator says where a branch now ends).
pub fn remove_branch(stream: &mut Stream, id: &str) -> Result<(), EditError> {
    index_of(stream, id)?;
    let doomed = doomed(stream, id);
    redirect(stream, id, None);
    stream.cards.retain(|c| !doomed.contains(&c.id));
    tidy(stream);
    Ok(())
}

/// The cards that go with the branch at `id`: those below it that no card
/// outside it leads to.
fn doomed(stream: &Stream, id: &str) -> HashSet<String> {
    let below = branch(stream, id);
    // Kept: what the first card and every card outside the branch reach
    // without passing `id` (on a loop, the branch can reach the cards above).
    let mut roots: Vec<String> =
        stream.cards.iter().filter(|c| !below.contains(&c.id)).map(|c| c.id.clone()).collect();
    roots.extend(stream.cards.first().map(|c| c.id.clone()).filter(|f| f != id));
    let kept = reach(stream, &roots, Some(id));
    below.into_iter().filter(|c| !kept.contains(c)).collect()
}

/// How many cards removing the branch at `id` removes (for the confirmation).
pub fn branch_size(stream: &Stream, id: &str) -> usize {
    doomed(stream, id).len()
}

/// Moves the branch at `id` to `to`; what was at `to` takes the branch's
/// old place, so nothing is lost and both still end where they ended.
pub fn move_branch(stream: &mut Stream, id: &str, to: &Slot) -> Result<(), EditError> {
    index_of(stream, id)?;
    let from = parent_slot(stream, id).ok_or(EditError::NotFound)?;
    if from == *to {
        return Ok(());
    }
    let inside = branch(stream, id);
    match to.card() {
        None => return Err(EditError::IntoItself),
        Some(c) if inside.contains(c) => return Err(EditError::IntoItself),
        Some(_) => {}
    }
    if from == Slot::Start {
        return Err(EditError::IntoItself);
    }
    let there = target(stream, to)?;
    // What was there goes where the branch was: refused if that would lead
    // back into itself (the branch moved above itself on its own path).
    if let (Some(t), Some(f)) = (&there, from.card()) {
        if branch(stream, t).contains(f) {
            return Err(EditError::WouldLoop);
        }
    }
    *link_mut(stream, to)? = Some(id.to_owned());
    *link_mut(stream, &from)? = there;
    tidy(stream);
    Ok(())
}

/// Changes card `id` with `f`.
pub fn update(stream: &mut Stream, id: &str, f: impl FnOnce(&mut CardKind)) -> Result<(), EditError> {
    f(&mut card_mut(stream, id)?.kind);
    Ok(())
}

fn answers_mut<'a>(stream: &'a mut Stream, id: &str) -> Result<&'a mut Vec<Answer>, EditError> {
    match &mut card_mut(stream, id)?.kind {
        CardKind::Question { answers, .. } => Ok(answers),
        _ => Err(EditError::NotFound),
    }
}

/// Adds an answer to question `id` (its branch is empty until a card is
/// added under it). Answers its position.
pub fn add_answer(stream: &mut Stream, id: &str, words: &Words) -> Result<usize, EditError> {
    let answers = answers_mut(stream, id)?;
    answers.push(Answer { label: words.answer(answers.len() + 1), set: None, next: None });
    Ok(answers.len() - 1)
}

/// Removes answer `i` of question `id`, with the cards of its branch that
/// nothing else leads to.
pub fn remove_answer(stream: &mut Stream, id: &str, i: usize) -> Result<(), EditError> {
    let doomed = answer_branch(stream, id, i)?;
    answers_mut(stream, id)?.remove(i);
    stream.cards.retain(|c| !doomed.contains(&c.id));
    tidy(stream);
    Ok(())
}

/// The cards removing answer `i` of question `id` takes with it: those of
/// its branch that nothing else reaches once the answer is gone.
pub fn answer_branch(stream: &Stream, id: &str, i: usize) -> Result<HashSet<String>, EditError> {
    let mut without = stream.clone();
    let answers = answers_mut(&mut without, id)?;
    let next = answers.get(i).ok_or(EditError::NotFound)?.next.clone();
    answers.remove(i);
    let Some(n) = next else { return Ok(HashSet::new()) };
    let below = branch(&without, &n);
    let mut roots: Vec<String> =
        without.cards.iter().filter(|c| !below.contains(&c.id)).map(|c| c.id.clone()).collect();
    roots.extend(without.cards.first().map(|c| c.id.clone()));
    roots.push(id.to_owned());
    let kept = reach(&without, &roots, None);
    Ok(below.difference(&kept).cloned().collect())
}

/// Moves answer `i` of question `id` one place up or down (with its branch).
pub fn move_answer(stream: &mut Stream, id: &str, i: usize, up: bool) -> Result<(), EditError> {
    let answers = answers_mut(stream, id)?;
    let j =
        if up { i.checked_sub(1) } else { Some(i + 1) }.filter(|j| *j < answers.len() && i < answers.len());
    let j = j.ok_or(EditError::NotFound)?;
    answers.swap(i, j);
    tidy(stream);
    Ok(())
}

/// Puts the cards in the tree's pre-order (the first card stays first; cards
/// no path reaches keep their order after the rest; a card whose id another
/// card already has is kept too, after the rest).
pub fn tidy(stream: &mut Stream) {
    if stream.cards.is_empty() {
        return;
    }
    let mut first_of: HashMap<&str, usize> = HashMap::new();
    for (i, c) in stream.cards.iter().enumerate() {
        first_of.entry(c.id.as_str()).or_insert(i);
    }
    let mut order: Vec<usize> = Vec::with_capacity(stream.cards.len());
    let mut seen = vec![false; stream.cards.len()];
    for root in 0..stream.cards.len() {
        let mut todo = vec![root];
        while let Some(i) = todo.pop() {
            if seen[i] {
                continue;
            }
            seen[i] = true;
            order.push(i);
            let next = successors(&stream.cards[i].kind);
            todo.extend(next.iter().rev().filter_map(|id| first_of.get(id.as_str()).copied()));
        }
    }
    let mut cards: Vec<Option<Card>> = std::mem::take(&mut stream.cards).into_iter().map(Some).collect();
    stream.cards = order.into_iter().filter_map(|i| cards[i].take()).collect();
}

/// The stream the test chat runs: the draft on every page, starting at
/// `from` (the first card when `None`).
pub fn test_stream(stream: &Stream, from: Option<&str>) -> Stream {
    let mut s = stream.clone();
    s.targets = vec!["*".to_owned()];
    s.exclude = Vec::new();
    if let Some(i) = from.and_then(|id| s.cards.iter().position(|c| c.id == id)) {
        let card = s.cards.remove(i);
        s.cards.insert(0, card);
    }
    s
}

/// The ids of the cards whose words contain `query` (ignoring case).
pub fn search(stream: &Stream, query: &str) -> Vec<String> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    stream
        .cards
        .iter()
        .filter(|c| {
            words_of(&c.kind).iter().any(|w| w.to_lowercase().contains(&q))
                || c.id.to_lowercase().contains(&q)
        })
        .map(|c| c.id.clone())
        .collect()
}

/// A card's words: its text, answers, prompt, placeholder and options.
pub fn words_of(kind: &CardKind) -> Vec<&str> {
    match kind {
        CardKind::Message { text, .. } => vec![text],
        CardKind::Question { text, answers } => {
            std::iter::once(text.as_str()).chain(answers.iter().map(|a| a.label.as_str())).collect()
        }
        CardKind::Capture(c) => std::iter::once(c.prompt.as_str())
            .chain(std::iter::once(c.placeholder.as_str()))
            .chain(c.options.iter().map(String::as_str))
            .collect(),
        CardKind::LiveChat { text, .. } | CardKind::End { text } => text.as_deref().into_iter().collect(),
    }
}

/// Where "add a card" puts it for the box showing `shown` hanging from
/// `slot`: after a message, capture or (leading on) live chat card; under a
/// question's first answer; before an end or last live chat card; into an
/// open or "goes to" box's slot.
pub fn add_slot(stream: &Stream, shown: &super::layout::Shown, slot: Option<&Slot>) -> Option<Slot> {
    use super::layout::Shown;
    match shown {
        Shown::Card(id) => match &stream.card(id)?.kind {
            CardKind::Message { .. } | CardKind::Capture(_) | CardKind::LiveChat { next: Some(_), .. } => {
                Some(Slot::Next(id.clone()))
            }
            CardKind::Question { answers, .. } if !answers.is_empty() => Some(Slot::Answer(id.clone(), 0)),
            _ => slot.cloned(),
        },
        Shown::Link(_) | Shown::Open => slot.cloned(),
    }
}
