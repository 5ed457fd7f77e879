//! The reader against serde_json: the same documents, the same values.

use super::*;
use crate::attribute::{Attribute, InputKind};
use crate::files::{FileSettings, Group};
use crate::site::{Appearance, Color, Locale, Position, SiteConfig, SiteKey};
use crate::stream::file;
use crate::stream::runner::{Entry, Input, RunState, Step};
use crate::stream::{IfKnown, Routing, Stream};
use crate::wire::{AgentInfo, Author, ChatMessage, ConversationState, ErrorCode, VisitorOut};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;

const EXAMPLES: [&str; 5] = [
    include_str!("../../../../examples/streams/recommended.toml"),
    include_str!("../../../../examples/streams/agent.toml"),
    include_str!("../../../../examples/streams/team.toml"),
    include_str!("../../../../examples/streams/rules.toml"),
    include_str!("../../../../examples/streams/dutch.toml"),
];

/// `serde_json::Value` as a [`Json`], to compare the two parsers.
fn from_serde(v: &serde_json::Value) -> Json {
    match v {
        serde_json::Value::Null => Json::Null,
        serde_json::Value::Bool(b) => Json::Bool(*b),
        serde_json::Value::Number(n) => {
            Json::Number(n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)))
        }
        serde_json::Value::String(s) => Json::String(s.clone()),
        serde_json::Value::Array(a) => Json::Array(a.iter().map(from_serde).collect()),
        serde_json::Value::Object(o) => {
            Json::Object(o.iter().map(|(k, v)| (k.clone(), from_serde(v))).collect())
        }
    }
}

/// Both readers agree on `text`: the same value, or both refuse it.
fn same<T: FromJson + DeserializeOwned + PartialEq + Debug>(text: &str) -> Option<T> {
    let ours = from_str::<T>(text);
    let serde = serde_json::from_str::<T>(text);
    match (ours, serde) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "{text}");
            Some(a)
        }
        (Err(_), Err(_)) => None,
        (a, b) => panic!("{text}\nours: {a:?}\nserde: {b:?}"),
    }
}

/// What serde writes for `value` reads back as `value`.
fn round_trip<T: FromJson + Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let text = serde_json::to_string(value).unwrap();
    assert_eq!(from_str::<T>(&text).as_ref(), Ok(value), "{text}");
    let pretty = serde_json::to_string_pretty(value).unwrap();
    assert_eq!(from_str::<T>(&pretty).as_ref(), Ok(value), "{pretty}");
}

#[test]
fn parses_what_serde_json_parses() {
    for text in [
        "null",
        " true ",
        "false",
        "0",
        "-12",
        "9223372036854775807",
        "18446744073709551615",
        r#""""#,
        r#""plain ü 日本 😀""#,
        r#""esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00 \u0000""#,
        "[]",
        "[1, [2, [3]], {}]",
        r#"{"a": {"b": [null, true, "x"]}, "c": -7}"#,
        "\n\t{ \"k\" :\r\n 1 }\n",
    ] {
        let serde: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(parse(text), Ok(from_serde(&serde)), "{text}");
    }
}

#[test]
fn numbers_beyond_integers_are_kept_as_unknown() {
    for text in ["1.5", "-2e3", "1E+2", "18446744073709551616", "-9223372036854775809", "-0.0"] {
        assert_eq!(parse(text), Ok(Json::Number(None)), "{text}");
    }
    assert_eq!(parse("-9223372036854775808"), Ok(Json::Number(Some(i64::MIN.into()))));
    assert_eq!(from_str::<u64>("18446744073709551615"), Ok(u64::MAX));
    assert!(from_str::<u64>("-1").is_err());
    assert!(from_str::<u32>("4294967296").is_err());
}

/// Found by fuzzing (fuzz/regressions/json/negative-zero): the reader kept
/// `-0` as the integer 0, where serde_json reads the float -0.0, so a `u64`
/// field took what the derive refuses.
#[test]
fn negative_zero_is_no_integer_as_in_serde_json() {
    for text in ["-0", "[-0]", " -0 "] {
        let serde: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(parse(text), Ok(from_serde(&serde)), "{text}");
    }
    assert_eq!(parse("0"), Ok(Json::Number(Some(0))));
    assert_eq!(same::<u64>("-0"), None);
    assert_eq!(
        same::<VisitorOut>(r#"{"type":"message","seq":-0,"author":"agent","text":"x","at":"t"}"#),
        None
    );
}

/// Found writing the fuzz target `json`, whose check against serde_json
/// catches it (fuzz/regressions/json/escape-sign): `\u` took its four
/// characters through `u32::from_str_radix`, which also takes a leading `+`,
/// so `"\u+041"` read as `"A"` where serde_json refuses it.
#[test]
fn a_unicode_escape_is_four_hex_digits() {
    for text in [r#""\u+041""#, r#""\u+0041""#, r#""\ud83d\u+e00""#, r#""\u-041""#, r#""\u 041""#] {
        assert!(parse(text).is_err(), "{text} was accepted");
        assert!(serde_json::from_str::<serde_json::Value>(text).is_err(), "serde accepts {text}");
    }
    assert_eq!(parse(r#""\u0041\u00E9""#), Ok(Json::String("Aé".into())));
}

#[test]
fn refuses_what_is_not_json() {
    for text in [
        "",
        " ",
        "nul",
        "True",
        "01",
        "1.",
        ".5",
        "-",
        "1e",
        "+1",
        "\"open",
        "\"tab\there\"",
        r#""\x""#,
        r#""\u12""#,
        r#""\ud83d""#,
        r#""\ud83d\u0041""#,
        r#""\udc00""#,
        "[1,]",
        "[1 2]",
        "{\"a\" 1}",
        "{\"a\":1,}",
        "{a:1}",
        "{\"a\":1",
        "[",
        "1 2",
        "{} x",
        "\"\\",
    ] {
        assert!(parse(text).is_err(), "{text:?} was accepted");
        assert!(serde_json::from_str::<serde_json::Value>(text).is_err(), "serde accepts {text:?}");
    }
}

#[test]
fn nesting_is_limited_without_overflowing_the_stack() {
    let ok = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
    assert!(parse(&ok).is_ok());
    let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
    assert!(parse(&deep).unwrap_err().0.contains("nested too deeply"));
    let hostile = "{\"a\":".repeat(100_000);
    assert!(parse(&hostile).is_err());
}

proptest! {
    #[test]
    fn any_string_serde_writes_reads_back(s in any::<String>()) {
        let text = serde_json::to_string(&s).unwrap();
        prop_assert_eq!(parse(&text), Ok(Json::String(s)));
    }

    #[test]
    fn any_integer_serde_writes_reads_back(n in any::<i64>(), u in any::<u64>()) {
        prop_assert_eq!(from_str::<i32>(&n.to_string()).ok(), i32::try_from(n).ok());
        prop_assert_eq!(parse(&n.to_string()), Ok(Json::Number(Some(n.into()))));
        prop_assert_eq!(from_str::<u64>(&u.to_string()), Ok(u));
    }

    #[test]
    fn any_text_is_read_or_refused_like_serde_json(s in "[\\[\\]{}\":,0-9a-z\\\\ .eE+-]{0,24}") {
        let ours = parse(&s);
        match serde_json::from_str::<serde_json::Value>(&s) {
            Ok(v) => prop_assert_eq!(ours, Ok(from_serde(&v))),
            Err(_) => prop_assert!(ours.is_err(), "accepted {:?}", s),
        }
    }
}

#[test]
fn names_are_the_ones_serde_writes() {
    fn check<T: Serialize + FromJson + PartialEq + Debug + Copy>(names: &[(T, &str)]) {
        for (v, n) in names {
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::Value::String((*n).to_owned()));
            assert_eq!(T::from_json(&Json::String((*n).to_owned())).as_ref(), Ok(v));
        }
        assert!(T::from_json(&Json::String("no_such_thing".into())).is_err());
    }
    check(Position::NAMES);
    check(IfKnown::NAMES);
    check(InputKind::NAMES);
    check(Author::NAMES);
    check(ConversationState::NAMES);
    check(ErrorCode::NAMES);
    assert_eq!(ErrorCode::NAMES.len(), 20, "every error code is listed");
}

fn streams() -> Vec<Stream> {
    EXAMPLES.iter().map(|t| file::parse(t).unwrap().stream.into_inner()).collect()
}

#[test]
fn site_configs_read_as_serde_reads_them() {
    let config = SiteConfig {
        site: SiteKey::parse("acme-shop").unwrap(),
        protocol_version: 1,
        appearance: Appearance {
            accent: Color::parse("#a0b1c2").unwrap(),
            position: Position::BottomLeft,
            offset_px: 32,
            header_title: "Hoi \"daar\"".into(),
            bot_name: "Bot ✨".into(),
            response_delay_ms: 0,
            locale: Some(Locale::Nl),
            bot_avatar_url: Some("https://acme.example/bot.png".into()),
            launcher_label: Some("Vragen?".into()),
            privacy_url: Some("https://acme.example/privacy".into()),
            sound: true,
        },
        streams: streams(),
        chat_enabled: false,
        blocked_email_domains: vec!["gmail.com".into(), "hotmail.com".into()],
        files: FileSettings { max_mb: 3, groups: vec![Group::Pdf, Group::Office] },
    };

    round_trip(&config);
    // Defaults where serde has them, errors where it has none.
    let minimal: SiteConfig = same(r#"{"site":"demo","protocol_version":1,"appearance":{}}"#).unwrap();
    assert_eq!(minimal.appearance, Appearance::default());
    assert!(minimal.streams.is_empty());
    assert!(minimal.chat_enabled, "chat is on unless the config says otherwise");
    assert!(minimal.blocked_email_domains.is_empty());
    assert_eq!(minimal.files, FileSettings::default(), "files as a site takes them unless set");
    same::<SiteConfig>(r#"{"site":"demo","protocol_version":1,"appearance":{"locale":null},"extra":[1]}"#)
        .unwrap();
    for bad in [
        r#"{"site":"demo","protocol_version":1}"#,
        r#"{"site":"Demo!","protocol_version":1,"appearance":{}}"#,
        r#"{"site":"demo","protocol_version":-1,"appearance":{}}"#,
        r#"{"site":"demo","protocol_version":1,"appearance":{"accent":"red"}}"#,
        r#"{"site":"demo","protocol_version":1,"appearance":{"offset_px":70000}}"#,
        r#"{"site":"demo","protocol_version":1,"appearance":{"bot_name":null}}"#,
        r#"{"site":"demo","protocol_version":1,"appearance":{"locale":"fr"}}"#,
        r#"{"site":"demo","protocol_version":1,"appearance":{},"streams":{}}"#,
        r#"{"site":"demo","protocol_version":1,"appearance":{},"chat_enabled":"no"}"#,
        r#"{"site":"demo","protocol_version":1,"appearance":{},"blocked_email_domains":"gmail.com"}"#,
        "[]",
    ] {
        assert_eq!(same::<SiteConfig>(bad), None, "{bad}");
    }
}

#[test]
fn streams_read_as_serde_reads_them_with_their_defaults() {
    for stream in streams() {
        round_trip(&stream);
    }
    let text = r#"{"id":"s","name":"S","cards":[
        {"id":"a","type":"message","text":"Hi"},
        {"id":"b","type":"question","text":"Q","answers":[{"label":"x"},{"label":"y","next":"c","set":{"attribute":"custom:plan","value":"pro"}}]},
        {"id":"c","type":"capture","attribute":"email","prompt":"Email?","input":"email"},
        {"id":"d","type":"capture","attribute":"phone","prompt":"P","input":"pick","options":["1"],"required":false,"if_known":"ask","placeholder":"p","next":"e"},
        {"id":"e","type":"live_chat","routing":{"agent":"ada@example.com"},"text":"Wait"},
        {"id":"f","type":"live_chat","routing":{"team":"sales"}},
        {"id":"g","type":"live_chat","routing":"rules"},
        {"id":"h","type":"end"}]}"#;
    let s: Stream = same(text).unwrap();
    assert_eq!(s.targets, ["*"]);
    for routing in
        [Routing::RoundRobin, Routing::Rules, Routing::Agent("a@b.c".into()), Routing::Team("x".into())]
    {
        round_trip(&routing);
    }
    for bad in [
        r#"{"id":"s","name":"S","cards":[{"id":"a","type":"teleport"}]}"#,
        r#"{"id":"s","name":"S","cards":[{"id":"a","text":"no type"}]}"#,
        r#"{"id":"s","name":"S","cards":[{"id":"a","type":"capture","attribute":"shoe_size","prompt":"P","input":"text"}]}"#,
        r#"{"id":"s","name":"S","cards":[{"id":"a","type":"live_chat","routing":{"agent":"a","team":"b"}}]}"#,
        r#"{"id":"s","name":"S","cards":[{"id":"a","type":"live_chat","routing":"anyone"}]}"#,
    ] {
        assert_eq!(same::<Stream>(bad), None, "{bad}");
    }
}

#[test]
fn runner_states_and_steps_read_back() {
    let stream = file::parse(EXAMPLES[0]).unwrap().stream;
    let (mut state, steps) = stream.start(Default::default());
    let mut all = steps;
    // Walk the recommended stream: first answer, then fields, to the hand-off.
    for _ in 0..10 {
        round_trip(&state);
        let input = match all.last() {
            Some(Step::Ask { .. }) => Input::Answer(0),
            Some(Step::AskField { input: InputKind::Email, .. }) => Input::Field("lin@example.com".into()),
            Some(Step::AskField { .. }) => Input::Field("Lin".into()),
            _ => break,
        };
        let (next, steps) = stream.answer(&state, input).unwrap();
        state = next;
        all.extend(steps);
    }
    assert!(matches!(all.last(), Some(Step::HandOff { .. })), "{all:#?}");
    for step in &all {
        round_trip(step);
    }
    round_trip(&Step::End { card: "e".into(), text: None });
    round_trip(&Step::End { card: "e".into(), text: Some("Bye".into()) });
    round_trip(&RunState {
        stream: "s".into(),
        waiting: Some("c".into()),
        attributes: [("email".to_owned(), "a@b.c".to_owned())].into(),
        transcript: vec![
            Entry::Bot { card: "a".into(), text: "Hi".into() },
            Entry::Visitor { card: "b".into(), text: "Yo".into() },
        ],
    });
    assert_eq!(same::<Entry>(r#"{"from":"alien","card":"a","text":"x"}"#), None);
    assert_eq!(same::<Step>(r#"{"step":"dance","card":"a"}"#), None);
    assert_eq!(
        Attribute::from_json(&Json::String("custom:plan".into())).ok(),
        Attribute::parse("custom:plan").ok()
    );
}

#[test]
fn every_frame_the_visitor_gets_reads_back() {
    let message = ChatMessage {
        seq: 42,
        author: Author::Agent,
        client_id: None,
        text: "<script>alert(1)</script> ü".into(),
        at: "2026-11-25T03:00:00Z".into(),
        file: None,
    };
    let agent = AgentInfo { name: "Ada".into(), avatar_url: Some("https://x/a.png".into()) };
    for frame in [
        VisitorOut::Welcome { token: "t".into(), state: None, agent: None, epoch: None, reset: false },
        VisitorOut::Welcome {
            token: "t".into(),
            state: Some(ConversationState::Active),
            agent: Some(agent.clone()),
            epoch: Some("e2".into()),
            reset: true,
        },
        VisitorOut::Message(message.clone()),
        VisitorOut::Message(ChatMessage { client_id: Some("c1".into()), author: Author::Visitor, ..message }),
        VisitorOut::State { state: ConversationState::Fallback },
        VisitorOut::Typing { typing: true },
        VisitorOut::Agent(agent),
        VisitorOut::Agent(AgentInfo { name: "Grace".into(), avatar_url: None }),
        VisitorOut::Error { code: ErrorCode::RateLimited, message: "slow down".into() },
    ] {
        round_trip(&frame);
    }
    same::<VisitorOut>(r#"{"type":"typing","typing":false,"later":"field"}"#).unwrap();
    for bad in [
        r#"{"type":"teleport"}"#,
        r#"{"typing":true}"#,
        r#"{"type":"message","seq":-1,"author":"agent","text":"x","at":"t"}"#,
        r#"{"type":"message","seq":1,"author":"robot","text":"x","at":"t"}"#,
        r#"{"type":"state","state":"paused"}"#,
        "not json",
    ] {
        assert_eq!(same::<VisitorOut>(bad), None, "{bad}");
    }
}
