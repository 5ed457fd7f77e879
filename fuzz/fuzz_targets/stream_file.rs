//! The stream file parser (`stream::file::parse`, TOML) and the validator it
//! runs, on any UTF-8 text.
//!
//! Asserted: a refused file has at least one error, each at a line and
//! column inside the file; an accepted stream passes validation again, is
//! written (`file::write`) as a file that parses back to the same stream,
//! and the JSON the server serves of it reads back in the widget's reader;
//! the runner walks it (first answer, a plausible field value) without
//! panicking, and its state reads back the same way.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard_protocol::attribute::InputKind;
use switchboard_protocol::json;
use switchboard_protocol::stream::file::{self, FileError};
use switchboard_protocol::stream::runner::{Input, RunState, Step};
use switchboard_protocol::stream::{validate, Stream};

fn placed(src: &str, e: &FileError) {
    let lines = src.split('\n').count();
    assert!(e.line >= 1 && e.line <= lines && e.column >= 1, "{e:?} outside the file ({lines} lines)");
    let _ = e.to_string();
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let parsed = match file::parse(src) {
        Ok(parsed) => parsed,
        Err(errors) => {
            assert!(!errors.is_empty(), "refused without an error");
            errors.iter().for_each(|e| placed(src, e));
            return;
        }
    };
    parsed.warnings.iter().for_each(|w| placed(src, w));
    let stream = parsed.stream.stream();
    assert!(validate::check(stream).errors.is_empty(), "a parsed stream does not validate");

    let written = file::write(stream);
    if written.len() <= file::MAX_FILE_BYTES {
        match file::parse(&written) {
            Ok(back) => assert_eq!(back.stream.stream(), stream, "written as:\n{written}"),
            Err(e) => panic!("{e:?}: the written file does not parse:\n{written}"),
        }
    }
    let served = serde_json::to_string(stream).expect("serde writes every stream");
    assert_eq!(json::from_str::<Stream>(&served).as_ref(), Ok(stream), "{served}");

    let (mut state, mut steps) = parsed.stream.start(Default::default());
    for _ in 0..stream.cards.len() + 1 {
        let written = serde_json::to_string(&state).expect("serde writes every state");
        assert_eq!(json::from_str::<RunState>(&written).as_ref(), Ok(&state), "{written}");
        let input = match steps.last() {
            Some(Step::Ask { .. }) => Input::Answer(0),
            Some(Step::AskField { input, options, .. }) => Input::Field(match input {
                InputKind::Email => "lin@example.com".to_owned(),
                InputKind::Phone => "+31 20 123 4567".to_owned(),
                InputKind::Pick => options.first().cloned().unwrap_or_default(),
                InputKind::Text => "Lin".to_owned(),
            }),
            _ => break,
        };
        match parsed.stream.answer(&state, input) {
            Ok((next, more)) => {
                state = next;
                steps = more;
            }
            Err(_) => break,
        }
    }
});
