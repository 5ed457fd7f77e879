//! The tree the designer draws: every card once, top-down, one branch under
//! each answer, placed on a grid so no two boxes can overlap whatever the
//! stream (each leaf has a column of its own; a parent is centred over its
//! children; each depth has a row of its own).
//!
//! A link to a card already drawn (two answers leading to one card, as a
//! hand-written file may do) is drawn as a small "goes to" box, and an open
//! link as an "add a card here" box. Cards no path reaches are drawn as
//! trees of their own to the right.

use std::collections::{HashMap, HashSet};

use switchboard_protocol::stream::{CardKind, Stream};

use super::{slots, Slot};

/// Width of a box, in CSS pixels.
pub const BOX_W: f64 = 232.0;
/// Height of a box.
pub const BOX_H: f64 = 96.0;
/// Space between columns.
pub const GAP_X: f64 = 24.0;
/// Space between rows (room for an answer's label over its branch).
pub const GAP_Y: f64 = 64.0;
/// Space around the drawing.
pub const MARGIN: f64 = 16.0;

/// What a box shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// A card (by id).
    Card(String),
    /// A link to a card drawn elsewhere.
    Link(String),
    /// An open link: a card can be added here.
    Open,
}

/// One box of the drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// What it shows.
    pub shown: Shown,
    /// The slot it hangs from ([`Slot::Start`] for the first card; `None`
    /// for the top of a tree no path reaches).
    pub slot: Option<Slot>,
    /// The answer's label when it hangs under a question.
    pub answer: Option<String>,
    /// Depth in its tree (0 at the top).
    pub depth: usize,
    /// Its parent box, by position in [`Layout::placed`].
    pub parent: Option<usize>,
    /// Its position among its siblings (from 1) and how many they are.
    pub pos: (usize, usize),
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
}

impl Placed {
    /// The card it shows, if it is a card.
    pub fn card(&self) -> Option<&str> {
        match &self.shown {
            Shown::Card(id) => Some(id),
            _ => None,
        }
    }
}

/// The drawing: boxes in pre-order (the keyboard's order), and its size.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    /// Every box, each tree in pre-order.
    pub placed: Vec<Placed>,
    /// Total width.
    pub width: f64,
    /// Total height.
    pub height: f64,
}

impl Layout {
    /// The box showing card `id`.
    pub fn of_card(&self, id: &str) -> Option<usize> {
        self.placed.iter().position(|p| p.card() == Some(id))
    }

    /// Children of box `i`, in order.
    pub fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.placed.iter().enumerate().filter(move |(_, p)| p.parent == Some(i)).map(|(j, _)| j)
    }
}

struct Builder<'a> {
    kinds: HashMap<&'a str, &'a CardKind>,
    drawn: HashSet<String>,
    placed: Vec<Placed>,
    /// Next free column.
    column: usize,
}

impl Builder<'_> {
    /// Places the box for `shown` at `depth` and everything under it;
    /// answers its column (centre).
    fn place(
        &mut self,
        shown: Shown,
        slot: Option<Slot>,
        answer: Option<String>,
        depth: usize,
        parent: Option<usize>,
        pos: (usize, usize),
    ) -> f64 {
        let me = self.placed.len();
        self.placed.push(Placed { shown: shown.clone(), slot, answer, depth, parent, pos, x: 0.0, y: 0.0 });
        let mut columns = Vec::new();
        if let Shown::Card(id) = &shown {
            self.drawn.insert(id.clone());
            let out = self.kinds.get(id.as_str()).map(|k| slots(id, k)).unwrap_or_default();
            let labels: Vec<Option<String>> = match self.kinds.get(id.as_str()) {
                Some(CardKind::Question { answers, .. }) => {
                    answers.iter().map(|a| Some(a.label.clone())).collect()
                }
                _ => vec![None; out.len()],
            };
            let n = out.len();
            for (k, ((slot, next), label)) in out.into_iter().zip(labels).enumerate() {
                let child = match next {
                    Some(c) if self.drawn.contains(&c) || !self.kinds.contains_key(c.as_str()) => {
                        Shown::Link(c)
                    }
                    Some(c) => Shown::Card(c),
                    None => Shown::Open,
                };
                columns.push(self.place(child, Some(slot), label, depth + 1, Some(me), (k + 1, n)));
            }
        }
        let col = if columns.is_empty() {
            let c = self.column as f64;
            self.column += 1;
            c
        } else {
            (columns[0] + columns[columns.len() - 1]) / 2.0
        };
        self.placed[me].x = MARGIN + col * (BOX_W + GAP_X);
        self.placed[me].y = MARGIN + depth as f64 * (BOX_H + GAP_Y);
        col
    }
}

/// Lays `stream` out.
pub fn layout(stream: &Stream) -> Layout {
    let mut b = Builder {
        // The first card with an id is the one drawn (a second with the
        // same id is an error the validator names).
        kinds: stream.cards.iter().rev().map(|c| (c.id.as_str(), &c.kind)).collect(),
        drawn: HashSet::new(),
        placed: Vec::new(),
        column: 0,
    };
    let mut roots = 0;
    for card in &stream.cards {
        if b.drawn.contains(&card.id) {
            continue;
        }
        if roots > 0 {
            // A free column between trees.
            b.column += 1;
        }
        roots += 1;
        let slot = (roots == 1).then_some(Slot::Start);
        b.place(Shown::Card(card.id.clone()), slot, None, 0, None, (roots, roots));
    }
    // Trees' tops are siblings of each other: number them once all are known.
    for p in b.placed.iter_mut().filter(|p| p.parent.is_none()) {
        p.pos.1 = roots;
    }
    let width = b.placed.iter().map(|p| p.x + BOX_W).fold(0.0, f64::max) + MARGIN;
    let height = b.placed.iter().map(|p| p.y + BOX_H).fold(0.0, f64::max) + MARGIN;
    Layout { placed: b.placed, width, height }
}

/// What a box is, stable across edits (a box's position is not): its card,
/// or the slot an open or "goes to" box stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BoxKey {
    /// A card's box.
    Card(String),
    /// An open or "goes to" box, by its slot.
    Slot(Slot),
}

impl Placed {
    /// Its key.
    pub fn key(&self) -> BoxKey {
        match &self.shown {
            Shown::Card(id) => BoxKey::Card(id.clone()),
            _ => BoxKey::Slot(self.slot.clone().unwrap_or(Slot::Start)),
        }
    }
}

/// A move of the keyboard's focus in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// The next box in reading order (arrow down).
    Next,
    /// The previous one (arrow up).
    Prev,
    /// The first box under it (arrow right).
    Child,
    /// The box it hangs from (arrow left).
    Parent,
    /// The first box (Home).
    First,
    /// The last box (End).
    Last,
}

impl Layout {
    /// The box with `key`.
    pub fn find(&self, key: &BoxKey) -> Option<usize> {
        self.placed.iter().position(|p| p.key() == *key)
    }

    /// Where the focus goes from box `from` (nothing focused: the first).
    pub fn nav(&self, from: Option<usize>, nav: Nav) -> Option<usize> {
        let n = self.placed.len();
        if n == 0 {
            return None;
        }
        let Some(i) = from.filter(|i| *i < n) else { return Some(0) };
        Some(match nav {
            Nav::Next => (i + 1).min(n - 1),
            Nav::Prev => i.saturating_sub(1),
            Nav::Child => self.children(i).next().unwrap_or(i),
            Nav::Parent => self.placed[i].parent.unwrap_or(i),
            Nav::First => 0,
            Nav::Last => n - 1,
        })
    }
}
