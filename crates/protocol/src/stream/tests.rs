//! Tests of the stream model through its file form: every validation rule,
//! line:column errors, lossless round trips and every runner transition.

use super::file::{self, FileError};
use super::runner::{Entry, Input, InputError, RunState, Step};
use super::*;
use crate::attribute::{Attributes, ValueError};

const EXAMPLES: [(&str, &str); 5] = [
    ("recommended", include_str!("../../../../examples/streams/recommended.toml")),
    ("agent", include_str!("../../../../examples/streams/agent.toml")),
    ("team", include_str!("../../../../examples/streams/team.toml")),
    ("rules", include_str!("../../../../examples/streams/rules.toml")),
    ("dutch", include_str!("../../../../examples/streams/dutch.toml")),
];

fn recommended() -> ValidStream {
    file::parse(EXAMPLES[0].1).unwrap().stream
}

fn errors(src: &str) -> Vec<FileError> {
    match file::parse(src) {
        Ok(p) => panic!("accepted: {:#?}", p.stream.stream()),
        Err(e) => e.into_iter().filter(|e| !e.warning).collect(),
    }
}

/// The single error of `src`, which must be about `rule` and `card`, at `line`.
fn one_error(src: &str, rule: Option<Rule>, card: &str, line: usize) -> FileError {
    let errs = errors(src);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let e = errs.into_iter().next().unwrap();
    assert_eq!((e.rule, e.card.as_deref(), e.line), (rule, Some(card), line), "{e:#?}");
    e
}

const HEAD: &str = "id = \"s\"\nname = \"S\"\n";

fn src(cards: &str) -> String {
    format!("{HEAD}{cards}")
}

const END: &str = "\n[[card]]\nid = \"end\"\ntype = \"end\"\n";

#[test]
fn every_example_is_valid_and_round_trips_losslessly_through_file_and_json() {
    for (name, text) in EXAMPLES {
        let parsed = file::parse(text).unwrap_or_else(|e| panic!("{name}: {e:#?}"));
        assert!(parsed.warnings.is_empty(), "{name}: {:#?}", parsed.warnings);
        let stream = parsed.stream.stream().clone();
        let again = file::parse(&file::write(&stream)).unwrap().stream.into_inner();
        assert_eq!(again, stream, "{name}: file round trip");
        let json = serde_json::to_string(&stream).unwrap();
        assert_eq!(serde_json::from_str::<Stream>(&json).unwrap(), stream, "{name}: JSON round trip");
    }
}

#[test]
fn the_examples_cover_every_routing_option_and_dutch() {
    let streams: Vec<Stream> =
        EXAMPLES.iter().map(|(_, t)| file::parse(t).unwrap().stream.into_inner()).collect();
    let routings: Vec<Routing> = streams
        .iter()
        .flat_map(|s| s.cards.iter())
        .filter_map(|c| match &c.kind {
            CardKind::LiveChat { routing, .. } => Some(routing.clone()),
            _ => None,
        })
        .collect();
    assert!(routings.contains(&Routing::RoundRobin));
    assert!(routings.contains(&Routing::Agent("ada@example.com".into())));
    assert!(routings.contains(&Routing::Team("Sales".into())));
    assert!(routings.contains(&Routing::Rules));
    assert!(streams.iter().any(|s| s.locale == crate::locale::Locale::Nl));
}

#[test]
fn duplicate_ids_point_at_the_second_card() {
    let s = src(
        "[[card]]\nid = \"a\"\ntype = \"message\"\ntext = \"x\"\n\n[[card]]\nid = \"a\"\ntype = \"end\"\n",
    );
    let e = one_error(&s, Some(Rule::DuplicateId), "a", 9);
    assert_eq!(e.column, 6);
}

#[test]
fn a_reference_to_a_missing_card_is_an_error_at_its_next() {
    let s = src("[[card]]\nid = \"a\"\ntype = \"message\"\ntext = \"x\"\nnext = \"nowhere\"\n");
    let e = one_error(&s, Some(Rule::MissingCard), "a", 7);
    assert!(e.message.contains("nowhere"), "{}", e.message);
}

#[test]
fn a_live_chat_card_with_anything_after_it_is_rejected() {
    let s = src(&format!(
        "[[card]]\nid = \"lc\"\ntype = \"live_chat\"\nrouting = \"round_robin\"\nnext = \"end\"\n{END}"
    ));
    one_error(&s, Some(Rule::AfterLiveChat), "lc", 7);
}

#[test]
fn a_branch_that_ends_without_a_terminal_card_is_rejected() {
    let s = src("[[card]]\nid = \"last\"\ntype = \"message\"\ntext = \"and then nothing\"\n");
    one_error(&s, Some(Rule::NoTerminal), "last", 4);
}

#[test]
fn an_answer_without_next_is_rejected_at_the_answer() {
    let s = src(&format!("[[card]]\nid = \"q\"\ntype = \"question\"\ntext = \"?\"\nanswers = [\n  {{ label = \"Yes\" }},\n]\n{END}"));
    let errs = errors(&s);
    assert!(
        errs.iter().any(|e| e.card.as_deref() == Some("q") && e.line == 8 && e.message.contains("next")),
        "{errs:#?}"
    );
}

#[test]
fn a_cycle_is_rejected() {
    let s = src("[[card]]\nid = \"a\"\ntype = \"message\"\ntext = \"x\"\n\n[[card]]\nid = \"b\"\ntype = \"message\"\ntext = \"y\"\nnext = \"a\"\n");
    let e = one_error(&s, Some(Rule::Cycle), "b", 12);
    assert!(e.message.contains("`a`"), "{}", e.message);
}

#[test]
fn a_question_without_answers_is_rejected() {
    let s = src(&format!("[[card]]\nid = \"q\"\ntype = \"question\"\ntext = \"?\"\nanswers = []\n{END}"));
    one_error(&s, Some(Rule::NoAnswers), "q", 7);
}

#[test]
fn a_pick_list_without_options_is_rejected() {
    let s = src(&format!("[[card]]\nid = \"p\"\ntype = \"capture\"\nattribute = \"company\"\nprompt = \"Which?\"\ninput = \"pick\"\n{END}"));
    one_error(&s, Some(Rule::NoOptions), "p", 4);
}

#[test]
fn an_unknown_attribute_is_rejected_at_its_value() {
    let s = src(&format!(
        "[[card]]\nid = \"c\"\ntype = \"capture\"\nattribute = \"nickname\"\nprompt = \"?\"\n{END}"
    ));
    let e = one_error(&s, None, "c", 6);
    assert_eq!(e.column, 13);
    assert!(e.message.contains("unknown attribute `nickname`"), "{}", e.message);
}

#[test]
fn an_unknown_token_is_rejected() {
    let s = src(&format!("[[card]]\nid = \"m\"\ntype = \"message\"\ntext = \"Hi {{{{nickname}}}}\"\n{END}"));
    let e = one_error(&s, Some(Rule::BadToken), "m", 6);
    assert!(e.message.contains("nickname"), "{}", e.message);
}

#[test]
fn empty_text_is_rejected() {
    let s = src(&format!("[[card]]\nid = \"m\"\ntype = \"message\"\ntext = \"   \"\n{END}"));
    one_error(&s, Some(Rule::EmptyText), "m", 6);
}

#[test]
fn text_over_the_limit_and_too_many_cards_are_rejected() {
    let long = "x".repeat(MAX_TEXT + 1);
    let s = src(&format!("[[card]]\nid = \"m\"\ntype = \"message\"\ntext = \"{long}\"\n{END}"));
    one_error(&s, Some(Rule::TooBig), "m", 6);

    let many: String = (0..MAX_CARDS)
        .map(|i| format!("[[card]]\nid = \"m{i}\"\ntype = \"message\"\ntext = \"x\"\n"))
        .collect();
    let errs = errors(&src(&format!("{many}{END}")));
    assert!(errs.iter().any(|e| e.rule == Some(Rule::TooBig) && e.card.is_none()), "{errs:#?}");
}

#[test]
fn an_oversized_file_is_refused_before_parsing() {
    let errs = errors(&" ".repeat(file::MAX_FILE_BYTES + 1));
    assert_eq!(errs[0].rule, Some(Rule::TooBig));
}

#[test]
fn unreachable_cards_are_warnings_not_errors() {
    let s = src("[[card]]\nid = \"done\"\ntype = \"end\"\n\n[[card]]\nid = \"orphan\"\ntype = \"end\"\n");
    let parsed = file::parse(&s).unwrap();
    assert_eq!(parsed.warnings.len(), 1);
    let w = &parsed.warnings[0];
    assert_eq!(
        (w.rule, w.card.as_deref(), w.line, w.warning),
        (Some(Rule::Unreachable), Some("orphan"), 8, true)
    );
    assert!(w.to_string().starts_with("8:6: warning: card orphan:"), "{w}");
}

#[test]
fn unknown_types_fields_and_bad_toml_give_line_and_column() {
    let e = &errors(&src("[[card]]\nid = \"x\"\ntype = \"banner\"\n"))[0];
    assert_eq!((e.line, e.column, e.card.as_deref()), (5, 8, Some("x")));
    let e = &errors(&src("[[card]]\nid = \"x\"\ntype = \"end\"\ncolour = \"red\"\n"))[0];
    assert_eq!(e.line, 6, "{e:#?}");
    assert!(e.message.contains("colour"), "{}", e.message);
    let e = &errors("id = \"s\"\nname = \n")[0];
    assert_eq!(e.line, 2, "{e:#?}");
    let e = &errors(&src("[[card]]\nid = \"x\"\ntype = \"end\"\ntext = \"bye\"\nroutig = 1\n"))[0];
    assert!(e.to_string().starts_with("7:1: stream:"), "{e}");
}

#[test]
fn a_draft_file_is_read_with_its_findings_where_publishing_refuses_it() {
    let s = src(&format!(
        "[[card]]\nid = \"lc\"\ntype = \"live_chat\"\nrouting = \"round_robin\"\nnext = \"q\"\n\n\
         [[card]]\nid = \"q\"\ntype = \"question\"\ntext = \"?\"\nanswers = [\n  {{ label = \"Yes\" }},\n]\n{END}"
    ));
    assert!(file::parse(&s).is_err());
    let draft = file::read(&s).unwrap();
    assert_eq!(draft.stream.cards.len(), 3);
    let at = |rule| draft.findings.iter().find(|f| f.rule == Some(rule) && !f.warning).unwrap();
    assert_eq!((at(Rule::AfterLiveChat).card.as_deref(), at(Rule::AfterLiveChat).line), (Some("lc"), 7));
    assert_eq!(at(Rule::NoTerminal).card.as_deref(), Some("q"));
    // What it wrote reads back as the same draft.
    assert_eq!(file::read(&file::write(&draft.stream)).unwrap().stream, draft.stream);
    // Not a stream at all: still refused, with line and column.
    let e = &file::read(&src("[[card]]\nid = \"x\"\ntype = \"banner\"\n")).unwrap_err()[0];
    assert_eq!((e.line, e.column), (5, 8));
    assert!(file::read(&src("[[card]]\nid = \"e\"\ntype = \"end\"\nrouting = \"rules\"\n")).is_err());
}

#[test]
fn every_example_reads_as_a_draft_without_errors_and_writes_back_the_same() {
    for (name, text) in EXAMPLES {
        let draft = file::read(text).unwrap();
        assert!(draft.findings.iter().all(|f| f.warning), "{name}: {:#?}", draft.findings);
        assert_eq!(&draft.stream, file::parse(text).unwrap().stream.stream(), "{name}");
        let written = file::write(&draft.stream);
        assert_eq!(file::write(&file::read(&written).unwrap().stream), written, "{name}");
    }
}

#[test]
fn a_card_field_that_does_not_belong_to_its_type_is_rejected() {
    let e = &errors(&src("[[card]]\nid = \"e\"\ntype = \"end\"\nrouting = \"rules\"\n"))[0];
    assert_eq!((e.line, e.card.as_deref()), (6, Some("e")));
    assert!(e.message.contains("has no `routing`"), "{}", e.message);
}

#[test]
fn bad_url_patterns_are_rejected() {
    let e = &errors(&format!("{HEAD}targets = [\"pricing\"]\n{END}"))[0];
    assert_eq!((e.rule, e.line), (Some(Rule::BadPattern), 3));
}

// ---- runner ----

fn attrs(pairs: &[(&str, &str)]) -> Attributes {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn the_runner_walks_the_recommended_stream_to_the_hand_off() {
    let s = recommended();
    let (state, steps) = s.start(Attributes::new());
    assert_eq!(steps.len(), 2);
    assert!(matches!(&steps[0], Step::Say { text, .. } if text.starts_with("Hi there!")));
    assert!(matches!(&steps[1], Step::Ask { answers, .. } if answers[0] == "Yes, connect me"));
    assert_eq!(state.waiting.as_deref(), Some("connect"));

    let (state, steps) = s.answer(&state, Input::Answer(0)).unwrap();
    assert!(matches!(&steps[..], [Step::AskField { card, .. }] if card == "name"));
    let (state, _) = s.answer(&state, Input::Field(" Ada ".into())).unwrap();
    let (state, steps) = s.answer(&state, Input::Field("ada@example.com".into())).unwrap();
    match &steps[..] {
        [Step::HandOff { routing, attributes, transcript, .. }] => {
            assert_eq!(routing, &Routing::RoundRobin);
            assert_eq!(
                attributes,
                &attrs(&[("email", "ada@example.com"), ("first_name", "Ada"), ("wants_agent", "yes")])
            );
            assert_eq!(transcript.len(), 7, "{transcript:#?}");
            assert_eq!(
                transcript[2],
                Entry::Visitor { card: "connect".into(), text: "Yes, connect me".into() }
            );
            assert!(
                matches!(&transcript[5], Entry::Bot { text, .. } if text.starts_with("Nice to meet you, Ada."))
            );
        }
        other => panic!("{other:#?}"),
    }
    assert_eq!(state.waiting, None);
    assert_eq!(s.answer(&state, Input::Answer(0)), Err(InputError::Finished));
}

#[test]
fn the_no_branch_ends_with_the_goodbye() {
    let s = recommended();
    let (state, _) = s.start(Attributes::new());
    let (_, steps) = s.answer(&state, Input::Answer(1)).unwrap();
    assert!(matches!(&steps[..], [Step::End { text: Some(t), .. }] if t.starts_with("No problem")));
}

#[test]
fn an_invalid_email_is_refused_and_the_state_is_unchanged() {
    let s = recommended();
    let (state, _) = s.start(attrs(&[("first_name", "Ada")]));
    let (state, steps) = s.answer(&state, Input::Answer(0)).unwrap();
    assert!(
        matches!(&steps[..], [Step::AskField { card, .. }] if card == "email"),
        "first name is known: skipped"
    );
    let before = state.clone();
    let err = s.answer(&state, Input::Field("ada@".into())).unwrap_err();
    assert_eq!(err, InputError::Invalid { card: "email".into(), error: ValueError::Email });
    assert_eq!(state, before);
}

#[test]
fn an_answer_that_is_not_offered_or_of_the_wrong_kind_is_refused() {
    let s = recommended();
    let (state, _) = s.start(Attributes::new());
    assert_eq!(
        s.answer(&state, Input::Answer(7)),
        Err(InputError::NoSuchAnswer { card: "connect".into(), index: 7 })
    );
    assert!(matches!(s.answer(&state, Input::Field("yes".into())), Err(InputError::WrongInput { .. })));
    let (state, _) = s.answer(&state, Input::Answer(0)).unwrap();
    assert!(matches!(s.answer(&state, Input::Answer(0)), Err(InputError::WrongInput { .. })));
}

#[test]
fn a_known_value_is_asked_again_when_the_card_says_so() {
    let text = EXAMPLES[0].1.replace("input = \"text\"", "input = \"text\"\nif_known = \"ask\"");
    let s = file::parse(&text).unwrap().stream;
    let (state, _) = s.start(attrs(&[("first_name", "Ada")]));
    let (_, steps) = s.answer(&state, Input::Answer(0)).unwrap();
    assert!(matches!(&steps[..], [Step::AskField { card, .. }] if card == "name"));
}

#[test]
fn the_state_survives_serialization_and_a_foreign_state_is_refused() {
    let s = recommended();
    let (state, _) = s.start(Attributes::new());
    let (state, _) = s.answer(&state, Input::Answer(0)).unwrap();
    let saved = serde_json::to_string(&state).unwrap();
    let restored: RunState = serde_json::from_str(&saved).unwrap();
    let (next, steps) = s.answer(&restored, Input::Field("Grace".into())).unwrap();
    assert!(matches!(&steps[..], [Step::Say { .. }] | [Step::AskField { .. }]));
    assert_eq!(next.attributes.get("first_name").map(String::as_str), Some("Grace"));

    let other = file::parse(EXAMPLES[4].1).unwrap().stream;
    assert!(matches!(other.answer(&state, Input::Answer(0)), Err(InputError::ForeignState { .. })));
}

#[test]
fn an_optional_field_may_be_left_empty() {
    let s = file::parse(EXAMPLES[3].1).unwrap().stream;
    let (state, _) = s.start(Attributes::new());
    let (state, _) = s.answer(&state, Input::Field("Billing".into())).unwrap();
    let (state, _) = s.answer(&state, Input::Field("ada@example.com".into())).unwrap();
    let (_, steps) = s.answer(&state, Input::Field("".into())).unwrap();
    match &steps[..] {
        [Step::HandOff { attributes, routing, .. }] => {
            assert_eq!(routing, &Routing::Rules);
            assert!(!attributes.contains_key("company"));
        }
        other => panic!("{other:#?}"),
    }
}

#[test]
fn the_largest_valid_stream_still_fits_in_a_file_when_written_out() {
    // Text that escaping doubles (quotes, backslashes), up to the total limit.
    let per_card = MAX_TOTAL_TEXT / (MAX_CARDS - 1);
    let text: String = "\"\\".repeat(per_card / 2);
    let mut cards: Vec<Card> = (0..MAX_CARDS - 1)
        .map(|i| Card {
            id: format!("m{i}"),
            kind: CardKind::Message { text: text.clone(), next: Some(format!("m{}", i + 1)) },
        })
        .collect();
    cards.push(Card { id: format!("m{}", MAX_CARDS - 1), kind: CardKind::End { text: None } });
    let stream = Stream {
        id: "big".into(),
        name: "Big".into(),
        priority: 0,
        targets: vec!["*".into()],
        exclude: vec![],
        locale: Default::default(),
        cards,
        version: 0,
    };
    let valid = stream.clone().validate().unwrap();
    let written = file::write(valid.stream());
    assert_eq!(file::parse(&written).unwrap().stream.into_inner(), stream);

    let mut over = stream;
    if let CardKind::Message { text, .. } = &mut over.cards[0].kind {
        text.push_str(&"x".repeat(MAX_TEXT - text.len()));
    }
    let report = over.validate().unwrap_err();
    assert!(report.errors.iter().any(|e| e.rule == Rule::TooBig && e.card.is_none()), "{report}");
}

#[test]
fn pick_options_with_spaces_or_twice_and_control_characters_are_rejected() {
    let s = src(&format!("[[card]]\nid = \"p\"\ntype = \"capture\"\nattribute = \"company\"\nprompt = \"?\"\ninput = \"pick\"\noptions = [\" Sales\", \"B\", \"B\"]\n{END}"));
    let errs = errors(&s);
    assert_eq!(errs.iter().filter(|e| e.rule == Some(Rule::BadText) && e.line == 9).count(), 2, "{errs:#?}");
    let s = src(&format!("[[card]]\nid = \"m\"\ntype = \"message\"\ntext = \"bell\\u0007\"\n{END}"));
    one_error(&s, Some(Rule::BadText), "m", 6);
}

#[test]
fn a_cycle_through_a_question_points_at_its_answers() {
    let s = src("[[card]]\nid = \"q\"\ntype = \"question\"\ntext = \"?\"\nanswers = [ { label = \"Again\", next = \"q\" } ]\n");
    one_error(&s, Some(Rule::Cycle), "q", 7);
}

#[test]
fn the_transcript_keeps_the_rendered_label_and_skips_empty_optional_values() {
    let s = src(&format!(
        "[[card]]\nid = \"q\"\ntype = \"question\"\ntext = \"?\"\nanswers = [ {{ label = 'I am {{{{first_name:\"anon\"}}}}', next = \"c\" }} ]\n\n[[card]]\nid = \"c\"\ntype = \"capture\"\nattribute = \"company\"\nprompt = \"Company?\"\nrequired = false\n{END}"
    ));
    let s = file::parse(&s).unwrap().stream;
    let (state, _) = s.start(attrs(&[("first_name", "Ada")]));
    let (state, _) = s.answer(&state, Input::Answer(0)).unwrap();
    let (state, _) = s.answer(&state, Input::Field(" ".into())).unwrap();
    let visitor: Vec<_> = state.transcript.iter().filter(|e| matches!(e, Entry::Visitor { .. })).collect();
    assert_eq!(visitor, [&Entry::Visitor { card: "q".into(), text: "I am Ada".into() }]);
}
