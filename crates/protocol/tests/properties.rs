//! Property tests of the stream runner and validator over generated streams
//! (native only: proptest needs an OS random source).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use switchboard_protocol::attribute::{Attribute, Attributes, InputKind};
use switchboard_protocol::stream::runner::{Input, Step};
use switchboard_protocol::stream::{
    Answer, Capture, Card, CardKind, IfKnown, Routing, SetValue, Stream, ValidStream,
};

/// A dialogue tree; flattened into cards it is always a valid stream.
#[derive(Debug, Clone)]
enum Node {
    Message(String, Box<Node>),
    Question(Vec<Node>),
    Capture(Attribute, InputKind, bool, IfKnown, Box<Node>),
    LiveChat(Routing),
    End,
}

fn attribute() -> impl Strategy<Value = Attribute> {
    prop_oneof![
        Just(Attribute::FirstName),
        Just(Attribute::Email),
        Just(Attribute::Phone),
        Just(Attribute::Company),
        Just(Attribute::Custom("plan".into())),
    ]
}

fn input_kind() -> impl Strategy<Value = InputKind> {
    prop_oneof![Just(InputKind::Text), Just(InputKind::Email), Just(InputKind::Phone), Just(InputKind::Pick)]
}

/// Card text: any printable Unicode, quotes, backslashes, newlines and tabs,
/// sometimes with a token.
fn text() -> impl Strategy<Value = String> {
    ("[^\\p{Cc}]{0,30}", "[ \"'\\\\\n\té€😀]{0,6}", any::<bool>()).prop_map(|(a, b, token)| {
        // Literal braces could form a token by accident; tokens are added below.
        let mut t = format!("x{a}{b}").replace('{', "(").replace('}', ")");
        if token {
            t.push_str(" {{first_name:\"you\"}}");
        }
        t
    })
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        Just(Node::End),
        Just(Node::LiveChat(Routing::RoundRobin)),
        Just(Node::LiveChat(Routing::Team("Sales".into()))),
        Just(Node::LiveChat(Routing::Rules)),
    ];
    leaf.prop_recursive(6, 48, 3, |inner| {
        prop_oneof![
            (text(), inner.clone()).prop_map(|(t, n)| Node::Message(t, Box::new(n))),
            prop::collection::vec(inner.clone(), 1..4).prop_map(Node::Question),
            (
                attribute(),
                input_kind(),
                any::<bool>(),
                prop_oneof![Just(IfKnown::Skip), Just(IfKnown::Ask)],
                inner
            )
                .prop_map(|(a, i, r, k, n)| Node::Capture(a, i, r, k, Box::new(n))),
        ]
    })
}

fn flatten(node: &Node, cards: &mut Vec<Card>) -> String {
    let id = format!("c{}", cards.len());
    let at = cards.len();
    cards.push(Card { id: id.clone(), kind: CardKind::End { text: None } });
    let kind = match node {
        Node::Message(text, next) => {
            CardKind::Message { text: text.clone(), next: Some(flatten(next, cards)) }
        }
        Node::Question(branches) => CardKind::Question {
            text: "Which?".into(),
            answers: branches
                .iter()
                .enumerate()
                .map(|(i, b)| Answer {
                    label: format!("Answer {i}"),
                    set: (i == 0).then(|| SetValue {
                        attribute: Attribute::Custom("choice".into()),
                        value: "first".into(),
                    }),
                    next: Some(flatten(b, cards)),
                })
                .collect(),
        },
        Node::Capture(attribute, input, required, if_known, next) => CardKind::Capture(Capture {
            attribute: attribute.clone(),
            prompt: "Tell me".into(),
            placeholder: String::new(),
            input: *input,
            options: if *input == InputKind::Pick { vec!["A".into(), "B".into()] } else { vec![] },
            required: *required,
            if_known: *if_known,
            next: Some(flatten(next, cards)),
        }),
        Node::LiveChat(routing) => CardKind::LiveChat { routing: routing.clone(), text: None, next: None },
        Node::End => CardKind::End { text: Some("Bye".into()) },
    };
    cards[at].kind = kind;
    id
}

fn stream_of(node: &Node) -> Stream {
    let mut cards = Vec::new();
    flatten(node, &mut cards);
    Stream {
        id: "generated".into(),
        name: "Generated".into(),
        priority: 0,
        targets: vec!["*".into()],
        exclude: vec![],
        locale: Default::default(),
        cards,
        version: 0,
    }
}

fn any_input() -> impl Strategy<Value = Input> {
    prop_oneof![
        (0usize..5).prop_map(Input::Answer),
        prop::sample::select(vec!["", "Ada", "ada@example.com", "ada@", "+31 20 123 4567", "A", "B", "C"])
            .prop_map(|s| Input::Field(s.to_owned())),
        ".{0,40}".prop_map(Input::Field),
    ]
}

/// An input the waiting card accepts.
fn valid_input(stream: &Stream, card: &str) -> Input {
    match &stream.cards.iter().find(|c| c.id == card).unwrap().kind {
        CardKind::Question { .. } => Input::Answer(0),
        CardKind::Capture(c) => Input::Field(
            match c.input {
                InputKind::Text => "Ada",
                InputKind::Email => "ada@example.com",
                InputKind::Phone => "+31 20 123 4567",
                InputKind::Pick => "B",
            }
            .into(),
        ),
        other => panic!("waiting on a {other:?}"),
    }
}

fn step_card(step: &Step) -> &str {
    match step {
        Step::Say { card, .. }
        | Step::Ask { card, .. }
        | Step::AskField { card, .. }
        | Step::HandOff { card, .. }
        | Step::End { card, .. } => card,
    }
}

fn check_inside(stream: &Stream, steps: &[Step], waiting: Option<&str>) {
    for s in steps {
        assert!(stream.card(step_card(s)).is_some(), "step outside the stream: {s:?}");
    }
    if let Some(w) = waiting {
        assert!(stream.card(w).is_some(), "waiting outside the stream: {w}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_streams_are_valid_and_round_trip(tree in node()) {
        let stream = stream_of(&tree);
        let valid = stream.clone().validate().map_err(|r| TestCaseError::fail(r.to_string()))?;
        prop_assert!(valid.warnings().is_empty());
        let text = switchboard_protocol::stream::file::write(&stream);
        let again = switchboard_protocol::stream::file::parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        prop_assert_eq!(again.stream.into_inner(), stream);
    }

    #[test]
    fn the_runner_stays_inside_the_stream_and_ends_within_its_card_count(
        tree in node(),
        inputs in prop::collection::vec(any_input(), 0..30),
        known_name in any::<bool>(),
    ) {
        let stream = stream_of(&tree);
        let valid: ValidStream = stream.clone().validate().unwrap();
        let mut known = Attributes::new();
        if known_name {
            known.insert("first_name".into(), "Grace".into());
        }
        let (mut state, mut steps) = valid.start(known);
        check_inside(&stream, &steps, state.waiting.as_deref());
        let mut accepted = 0;
        for input in inputs {
            if state.waiting.is_none() {
                break;
            }
            let before = state.clone();
            match valid.answer(&state, input) {
                Ok((next, s)) => {
                    accepted += 1;
                    state = next;
                    steps = s;
                    check_inside(&stream, &steps, state.waiting.as_deref());
                }
                Err(_) => prop_assert_eq!(&state, &before),
            }
        }
        while let Some(card) = state.waiting.clone() {
            let (next, s) = valid.answer(&state, valid_input(&stream, &card)).unwrap();
            accepted += 1;
            state = next;
            steps = s;
            check_inside(&stream, &steps, state.waiting.as_deref());
            prop_assert!(accepted <= stream.cards.len(), "more inputs than cards");
        }
        prop_assert!(matches!(steps.last(), Some(Step::HandOff { .. } | Step::End { .. })), "{:?}", steps);
    }

    #[test]
    fn every_mutation_of_a_valid_stream_is_rejected_naming_a_card(tree in node(), which in 0usize..9, at in any::<prop::sample::Index>()) {
        let mut stream = stream_of(&tree);
        let n = stream.cards.len();
        let k = at.index(n);
        let first = stream.cards[0].id.clone();
        let applied = match (which, &mut stream.cards[k].kind) {
            (0, _) if k > 0 => { stream.cards[k].id = first; true }
            (1, CardKind::Message { next, .. }) => { *next = Some("missing".into()); true }
            (1, CardKind::Question { answers, .. }) => { answers[0].next = Some("missing".into()); true }
            (2, CardKind::Message { next, .. }) | (2, CardKind::Capture(Capture { next, .. })) => { *next = Some(first); true }
            (3, CardKind::Question { answers, .. }) => { answers.clear(); true }
            (4, CardKind::LiveChat { next, .. }) => { *next = Some(first); true }
            (5, CardKind::Message { text, .. }) | (5, CardKind::Question { text, .. }) => { *text = " ".into(); true }
            (6, CardKind::Capture(c)) => { c.input = InputKind::Pick; c.options.clear(); true }
            (7, CardKind::Message { next, .. }) => { *next = None; true }
            _ => false,
        };
        if !applied {
            // Always applicable: an unknown token in the card's text.
            match &mut stream.cards[k].kind {
                CardKind::Message { text, .. } | CardKind::Question { text, .. } => *text = "Hi {{nickname}}".into(),
                CardKind::Capture(c) => c.prompt = "Hi {{nickname}}".into(),
                CardKind::LiveChat { text, .. } | CardKind::End { text } => *text = Some("Hi {{nickname}}".into()),
            }
        }
        let report = stream.validate().expect_err("a mutated stream was accepted");
        prop_assert!(!report.errors.is_empty());
        prop_assert!(report.errors.iter().all(|e| e.card.is_some()), "an error without a card: {report}");
    }
}

/// Reference wildcard matcher: plain recursion, obviously right, exponential.
fn glob_reference(p: &[u8], s: &[u8]) -> bool {
    match (p.first(), s.first()) {
        (None, _) => s.is_empty(),
        (Some(b'*'), _) => glob_reference(&p[1..], s) || (!s.is_empty() && glob_reference(p, &s[1..])),
        (Some(a), Some(b)) if a == b => glob_reference(&p[1..], &s[1..]),
        _ => false,
    }
}

proptest! {
    /// The stream and rule wildcard matcher agrees with the reference on
    /// short strings over a small alphabet (where the tricky overlaps are).
    #[test]
    fn wildcards_match_like_the_reference(p in "[ab*/]{0,8}", s in "[ab/]{0,10}") {
        use switchboard_protocol::stream::select::matches;
        prop_assert_eq!(matches(&p, &s), glob_reference(p.as_bytes(), s.as_bytes()), "{} vs {}", p, s);
    }
}
