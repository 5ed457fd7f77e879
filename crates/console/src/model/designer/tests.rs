use switchboard_protocol::stream::file;
use switchboard_protocol::stream::validate::{check, Rule};
use switchboard_protocol::stream::{Answer, Card, CardKind, Routing, Stream, MAX_CARDS};

use super::edit::*;
use super::history::Designer;
use super::layout::{layout, Shown, BOX_H, BOX_W};
use super::Slot;

const EXAMPLES: [(&str, &str); 5] = [
    ("agent", include_str!("../../../../../examples/streams/agent.toml")),
    ("dutch", include_str!("../../../../../examples/streams/dutch.toml")),
    ("recommended", include_str!("../../../../../examples/streams/recommended.toml")),
    ("rules", include_str!("../../../../../examples/streams/rules.toml")),
    ("team", include_str!("../../../../../examples/streams/team.toml")),
];

fn words() -> Words {
    Words {
        message: "Hello".into(),
        question: "Which?".into(),
        answer: "Answer {n}".into(),
        capture: "Your email?".into(),
        end: "Bye".into(),
    }
}

fn example(name: &str) -> Stream {
    let (_, src) = EXAMPLES.iter().find(|(n, _)| *n == name).unwrap();
    file::parse(src).unwrap().stream.into_inner()
}

fn empty() -> Stream {
    Stream {
        id: "new".into(),
        name: "New".into(),
        priority: 0,
        targets: vec!["*".into()],
        exclude: vec![],
        locale: Default::default(),
        cards: vec![],
        version: 0,
    }
}

fn ids(s: &Stream) -> Vec<&str> {
    s.cards.iter().map(|c| c.id.as_str()).collect()
}

fn errors(s: &Stream) -> Vec<(Rule, Option<String>)> {
    check(s).errors.into_iter().map(|f| (f.rule, f.card)).collect()
}

fn next_of(s: &Stream, id: &str) -> Option<String> {
    match &s.card(id).unwrap().kind {
        CardKind::Message { next, .. } | CardKind::LiveChat { next, .. } => next.clone(),
        CardKind::Capture(c) => c.next.clone(),
        _ => panic!("{id} has no next"),
    }
}

fn answer_next(s: &Stream, id: &str, i: usize) -> Option<String> {
    match &s.card(id).unwrap().kind {
        CardKind::Question { answers, .. } => answers[i].next.clone(),
        _ => panic!("{id} is no question"),
    }
}

/// Builds a stream from an empty one the way an admin would.
#[test]
fn a_stream_is_built_from_nothing_and_every_step_undoes() {
    let mut d = Designer::new(empty());
    let end = d.edit(None, |s| insert(s, &Slot::Start, CardType::End, &words())).unwrap();
    let hello = d.edit(None, |s| insert(s, &Slot::Start, CardType::Message, &words())).unwrap();
    assert_eq!(ids(d.stream()), [hello.as_str(), end.as_str()]);
    assert_eq!(next_of(d.stream(), &hello), Some(end.clone()));
    let q = d.edit(None, |s| insert(s, &Slot::Next(hello.clone()), CardType::Question, &words())).unwrap();
    // The question's first answer leads on to what followed.
    assert_eq!(answer_next(d.stream(), &q, 0), Some(end.clone()));
    let second = d.edit(None, |s| add_answer(s, &q, &words())).unwrap();
    assert_eq!(second, 1);
    // An open answer is an error on the question until a card is added under it.
    assert!(errors(d.stream()).contains(&(Rule::NoTerminal, Some(q.clone()))));
    let chat =
        d.edit(None, |s| insert(s, &Slot::Answer(q.clone(), 1), CardType::LiveChat, &words())).unwrap();
    let cap = d.edit(None, |s| insert(s, &Slot::Answer(q.clone(), 1), CardType::Capture, &words())).unwrap();
    assert_eq!(next_of(d.stream(), &cap), Some(chat.clone()));
    assert_eq!(check(d.stream()).errors, vec![], "a finished stream is valid");
    assert_eq!(ids(d.stream()), [hello.as_str(), q.as_str(), end.as_str(), cap.as_str(), chat.as_str()]);

    // Every step undoes back to nothing, and redoes to the same stream.
    let built = d.stream().clone();
    let mut steps = 0;
    while d.undo() {
        steps += 1;
    }
    assert_eq!(steps, 6);
    assert_eq!(d.stream(), &empty());
    while d.redo() {}
    assert_eq!(d.stream(), &built);
}

#[test]
fn an_end_card_cannot_cut_off_the_cards_after_it_and_a_refused_edit_changes_nothing() {
    let mut d = Designer::new(example("recommended"));
    let before = d.stream().clone();
    assert_eq!(
        d.edit(None, |s| insert(s, &Slot::Next("hello".into()), CardType::End, &words())),
        Err(EditError::EndBeforeCards)
    );
    assert_eq!(d.stream(), &before);
    assert!(!d.can_undo());
    assert_eq!(
        d.edit(None, |s| insert(s, &Slot::Next("nope".into()), CardType::Message, &words())),
        Err(EditError::NotFound)
    );
}

#[test]
fn a_card_after_the_live_chat_card_is_refused_as_the_server_refuses_it() {
    let mut s = example("recommended");
    let chat = insert(&mut s, &Slot::Next("hello".into()), CardType::LiveChat, &words()).unwrap();
    let found = check(&s).errors;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].rule, found[0].card.as_deref()), (Rule::AfterLiveChat, Some(chat.as_str())));
    // Exactly what the server says about the same stream published as a file.
    let written = file::write(&s);
    let server = file::parse(&written).unwrap_err();
    assert!(
        server.iter().any(|e| e.rule == Some(Rule::AfterLiveChat) && e.message == found[0].message),
        "{server:?}"
    );
}

#[test]
fn removing_a_card_joins_its_neighbours_and_a_question_with_branches_goes_whole() {
    let mut s = example("recommended");
    remove_card(&mut s, "name").unwrap();
    assert_eq!(answer_next(&s, "connect", 0).as_deref(), Some("email"));
    assert_eq!(remove_card(&mut s, "connect"), Err(EditError::HasBranches));
    // The first card removed: the card after it starts the stream.
    remove_card(&mut s, "hello").unwrap();
    assert_eq!(s.cards[0].id, "connect");
    assert_eq!(check(&s).errors, vec![]);
    // A terminal card removed leaves its branch open, said by the validator.
    remove_card(&mut s, "bye").unwrap();
    assert!(errors(&s).contains(&(Rule::NoTerminal, Some("connect".into()))));
}

#[test]
fn removing_a_branch_takes_only_the_cards_nothing_else_reaches() {
    let mut s = example("recommended");
    // Share `agent` with the "no" answer: removing the "yes" branch keeps it.
    update(&mut s, "bye", |_| {}).unwrap();
    if let CardKind::Question { answers, .. } = &mut s.cards[1].kind {
        answers[1].next = Some("agent".into());
    }
    assert_eq!(branch_size(&s, "name"), 2);
    remove_branch(&mut s, "name").unwrap();
    assert_eq!(ids(&s), ["hello", "connect", "agent", "bye"]);
    assert_eq!(answer_next(&s, "connect", 0), None);
    assert_eq!(answer_next(&s, "connect", 1).as_deref(), Some("agent"));
    // `bye` is no longer reached: drawn as a tree of its own, a warning.
    assert_eq!(check(&s).warnings.len(), 1);
}

#[test]
fn moving_a_branch_swaps_it_with_what_was_there() {
    let mut s = example("recommended");
    move_branch(&mut s, "name", &Slot::Answer("connect".into(), 1)).unwrap();
    assert_eq!(answer_next(&s, "connect", 0).as_deref(), Some("bye"));
    assert_eq!(answer_next(&s, "connect", 1).as_deref(), Some("name"));
    assert_eq!(check(&s).errors, vec![]);
    assert_eq!(ids(&s), ["hello", "connect", "bye", "name", "email", "agent"]);
    // Not into itself, and not above itself on its own path.
    assert_eq!(move_branch(&mut s, "name", &Slot::Next("email".into())), Err(EditError::IntoItself));
    assert_eq!(move_branch(&mut s, "email", &Slot::Next("hello".into())), Err(EditError::WouldLoop));
    assert_eq!(move_branch(&mut s, "hello", &Slot::Next("email".into())), Err(EditError::IntoItself));
    let same = s.clone();
    move_branch(&mut s, "name", &Slot::Answer("connect".into(), 1)).unwrap();
    assert_eq!(s, same, "moving to where it is changes nothing");
}

#[test]
fn answers_are_added_moved_and_removed_with_their_branches() {
    let mut s = example("recommended");
    move_answer(&mut s, "connect", 0, false).unwrap();
    assert_eq!(answer_next(&s, "connect", 0).as_deref(), Some("bye"));
    assert_eq!(move_answer(&mut s, "connect", 1, false), Err(EditError::NotFound));
    assert_eq!(ids(&s)[2], "bye", "the cards follow the answers' order");
    let i = add_answer(&mut s, "connect", &words()).unwrap();
    match &s.card("connect").unwrap().kind {
        CardKind::Question { answers, .. } => assert_eq!(answers[i].label, "Answer 3"),
        _ => unreachable!(),
    }
    remove_answer(&mut s, "connect", 1).unwrap();
    assert_eq!(ids(&s), ["hello", "connect", "bye"]);
}

#[test]
fn the_stream_exports_and_imports_to_the_same_stream() {
    for (name, src) in EXAMPLES {
        let s = file::parse(src).unwrap().stream.into_inner();
        let mut tidied = s.clone();
        tidy(&mut tidied);
        let back = file::parse(&file::write(&tidied)).unwrap().stream.into_inner();
        assert_eq!(back, tidied, "{name}");
        assert_eq!(file::write(&back), file::write(&tidied), "{name}");
    }
    for seed in 1..40 {
        let s = generated(seed, 1 + (seed as usize * 5) % MAX_CARDS);
        let back = file::parse(&file::write(&s)).map(|p| p.stream.into_inner());
        assert_eq!(back.as_ref().ok(), Some(&s), "seed {seed}: {back:?}");
    }
}

/// A random but valid stream of about `n` cards, built with the edits.
fn generated(seed: u64, n: usize) -> Stream {
    let mut rng = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = move |m: usize| {
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((rng >> 33) as usize) % m.max(1)
    };
    let mut s = empty();
    insert(&mut s, &Slot::Start, CardType::End, &words()).unwrap();
    while s.cards.len() < n {
        let all: Vec<Slot> = std::iter::once(Slot::Start)
            .chain(
                s.cards.iter().flat_map(|c| super::slots(&c.id, &c.kind).into_iter().map(|(slot, _)| slot)),
            )
            .collect();
        let slot = &all[next(all.len())];
        let ty = [CardType::Message, CardType::Question, CardType::Capture, CardType::Question][next(4)];
        let id = insert(&mut s, slot, ty, &words()).unwrap();
        if ty == CardType::Question && s.cards.len() + 2 <= n {
            for _ in 0..next(3) {
                let a = add_answer(&mut s, &id, &words()).unwrap();
                let end = if next(2) == 0 { CardType::End } else { CardType::LiveChat };
                insert(&mut s, &Slot::Answer(id.clone(), a), end, &words()).unwrap();
            }
        }
    }
    assert_eq!(check(&s).errors, vec![], "seed {seed}");
    s
}

#[test]
fn the_layout_never_overlaps_and_draws_every_card_once() {
    let mut streams: Vec<Stream> = EXAMPLES.iter().map(|(n, _)| example(n)).collect();
    streams.extend((1..60).map(|seed| generated(seed, 1 + (seed as usize * 7) % MAX_CARDS)));
    streams.push(generated(99, MAX_CARDS));
    for s in &streams {
        let l = layout(s);
        for (i, a) in l.placed.iter().enumerate() {
            for b in &l.placed[i + 1..] {
                let apart =
                    a.x + BOX_W <= b.x || b.x + BOX_W <= a.x || a.y + BOX_H <= b.y || b.y + BOX_H <= a.y;
                assert!(apart, "{} boxes overlap: {a:?} {b:?}", s.id);
            }
            assert!(a.x + BOX_W <= l.width && a.y + BOX_H <= l.height);
            if let Some(p) = a.parent {
                assert!(l.placed[p].y < a.y, "a child is below its parent");
            }
        }
        let mut drawn: Vec<&str> = l.placed.iter().filter_map(|p| p.card()).collect();
        drawn.sort_unstable();
        let mut all = ids(s);
        all.sort_unstable();
        assert_eq!(drawn, all, "every card once");
    }
}

#[test]
fn a_shared_card_is_drawn_once_and_linked_to_and_open_links_can_take_a_card() {
    let mut s = example("recommended");
    if let CardKind::Question { answers, .. } = &mut s.cards[1].kind {
        answers[1].next = Some("agent".into());
        answers.push(Answer { label: "Later".into(), set: None, next: None });
    }
    let l = layout(&s);
    assert!(l.placed.iter().any(|p| p.shown == Shown::Link("agent".into())));
    let open = l.placed.iter().find(|p| p.shown == Shown::Open).unwrap();
    assert_eq!(open.slot, Some(Slot::Answer("connect".into(), 2)));
    assert_eq!(open.answer.as_deref(), Some("Later"));
    assert_eq!(parent_slot(&s, "agent"), Some(Slot::Next("email".into())));
    assert_eq!(parent_slot(&s, "hello"), Some(Slot::Start));
    assert_eq!(parent_slot(&s, "bye"), None, "no path reaches it now");
}

#[test]
fn typing_in_one_field_is_one_step_to_undo() {
    let mut d = Designer::new(example("recommended"));
    for text in ["H", "Hi", "Hi!"] {
        d.edit(Some("hello.text"), |s| {
            update(s, "hello", |k| {
                if let CardKind::Message { text: t, .. } = k {
                    *t = text.to_owned();
                }
            })
        })
        .unwrap();
    }
    d.edit(Some("bye.text"), |s| update(s, "bye", |k| *k = CardKind::End { text: None })).unwrap();
    assert!(d.undo());
    assert!(d.undo());
    assert_eq!(d.stream(), &example("recommended"));
    assert!(!d.can_undo() && d.can_redo());
    // A new edit after undoing drops what could be redone.
    d.edit(None, |s| remove_card(s, "name")).unwrap();
    assert!(!d.can_redo());
}

#[test]
fn the_test_chat_starts_anywhere_on_any_page_and_search_finds_words() {
    let mut s = example("recommended");
    s.targets = vec!["/pricing".into()];
    s.exclude = vec!["/admin*".into()];
    let t = test_stream(&s, Some("email"));
    assert_eq!(t.cards[0].id, "email");
    assert_eq!((t.targets.as_slice(), t.exclude.len()), (["*".to_owned()].as_slice(), 0));
    assert_eq!(t.cards.len(), s.cards.len());
    assert_eq!(search(&s, "CONNECT"), ["connect", "email", "agent"]);
    assert_eq!(search(&s, "just looking"), ["connect"]);
    assert_eq!(search(&s, "  "), Vec::<String>::new());
}

#[test]
fn a_full_stream_takes_no_more_cards() {
    let mut s = generated(7, MAX_CARDS);
    while s.cards.len() < MAX_CARDS {
        insert(&mut s, &Slot::Start, CardType::Message, &words()).unwrap();
    }
    assert_eq!(insert(&mut s, &Slot::Start, CardType::Message, &words()), Err(EditError::Full));
    let _ =
        Card { id: "x".into(), kind: CardKind::LiveChat { routing: Routing::Rules, text: None, next: None } };
}

#[test]
fn the_keyboard_walks_the_tree_in_reading_order() {
    use super::layout::{BoxKey, Nav};
    let s = example("recommended");
    let l = layout(&s);
    let at = |key: &str| l.find(&BoxKey::Card(key.into()));
    assert_eq!(l.nav(None, Nav::Next), Some(0));
    assert_eq!(l.nav(at("hello"), Nav::Next), at("connect"));
    assert_eq!(l.nav(at("connect"), Nav::Child), at("name"));
    assert_eq!(l.nav(at("name"), Nav::Parent), at("connect"));
    assert_eq!(
        l.nav(at("agent"), Nav::Next),
        at("bye"),
        "down from the end of a branch goes to the next branch"
    );
    assert_eq!(l.nav(at("bye"), Nav::Next), at("bye"));
    assert_eq!(l.nav(at("hello"), Nav::Prev), at("hello"));
    assert_eq!(l.nav(at("bye"), Nav::First), at("hello"));
    assert_eq!(l.nav(at("hello"), Nav::Last), at("bye"));
    assert_eq!(l.nav(at("bye"), Nav::Child), at("bye"));
    let bye = &l.placed[at("bye").unwrap()];
    assert_eq!((bye.depth, bye.pos, bye.answer.as_deref()), (2, (2, 2), Some("No thanks, just looking")));
}

#[test]
fn adding_a_card_goes_after_the_box_or_into_its_slot() {
    let s = example("recommended");
    let l = layout(&s);
    let add = |id: &str| {
        let p = &l.placed[l.of_card(id).unwrap()];
        add_slot(&s, &p.shown, p.slot.as_ref())
    };
    assert_eq!(add("hello"), Some(Slot::Next("hello".into())));
    assert_eq!(add("connect"), Some(Slot::Answer("connect".into(), 0)));
    assert_eq!(add("agent"), Some(Slot::Next("email".into())), "before the last live chat card");
    assert_eq!(add("bye"), Some(Slot::Answer("connect".into(), 1)));
}

/// A draft read from a file may loop or repeat an id: edits on it lose nothing
/// that is still reached from the first card.
#[test]
fn edits_on_a_looping_or_repeating_draft_keep_the_cards_above() {
    let msg = |id: &str, next: &str| Card {
        id: id.into(),
        kind: CardKind::Message { text: id.into(), next: Some(next.into()) },
    };
    // s → a → b → s
    let mut s = empty();
    s.cards = vec![msg("s", "a"), msg("a", "b"), msg("b", "s")];
    remove_branch(&mut s, "b").unwrap();
    assert_eq!(ids(&s), ["s", "a"]);
    // q (first) answers A → n, B → m; n → q.
    let mut s = empty();
    s.cards = vec![
        Card {
            id: "q".into(),
            kind: CardKind::Question {
                text: "Q".into(),
                answers: vec![
                    Answer { label: "A".into(), set: None, next: Some("n".into()) },
                    Answer { label: "B".into(), set: None, next: Some("m".into()) },
                ],
            },
        },
        msg("n", "q"),
        Card { id: "m".into(), kind: CardKind::End { text: None } },
    ];
    assert_eq!(answer_branch(&s, "q", 0).unwrap().len(), 1);
    remove_answer(&mut s, "q", 0).unwrap();
    assert_eq!(ids(&s), ["q", "m"]);
    // A repeated id: both cards kept, the first stays first.
    let mut s = empty();
    s.cards = vec![
        msg("a", "b"),
        Card { id: "b".into(), kind: CardKind::End { text: None } },
        Card { id: "a".into(), kind: CardKind::End { text: None } },
    ];
    insert(&mut s, &Slot::Next("a".into()), CardType::Message, &words()).unwrap();
    assert_eq!(ids(&s), ["a", "message-1", "b", "a"]);
    assert!(matches!(s.cards[0].kind, CardKind::Message { .. }));
    let l = layout(&s);
    assert_eq!(l.placed.iter().filter(|p| p.card() == Some("a")).count(), 1);
}
