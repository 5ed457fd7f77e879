//! The server's frame parsers, `parse_visitor_frame` and `parse_agent_frame`,
//! on any UTF-8 text.
//!
//! Asserted: a refused frame is `frame_too_large` exactly when it is over
//! `MAX_FRAME_BYTES`, `bad_frame` otherwise; an accepted frame is within the
//! limits, and what serde writes for it (when that fits a frame) parses back
//! to the same frame; a chat message's text passes `check_message` only
//! trimmed, non-empty and at most `MAX_MESSAGE_CHARS` long.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard_protocol::wire::{
    check_message, parse_agent_frame, parse_visitor_frame, AgentIn, ErrorCode, VisitorIn, WireError,
    MAX_FRAME_BYTES, MAX_MESSAGE_CHARS, MAX_TRANSCRIPT,
};

fn refused(text: &str, e: &WireError) {
    let expected = if text.len() > MAX_FRAME_BYTES { ErrorCode::FrameTooLarge } else { ErrorCode::BadFrame };
    assert_eq!(e.code, expected, "{text:?}: {e}");
}

fn message(client_id: &str, text: &str) {
    if let Ok(stored) = check_message(client_id, text) {
        assert!(!stored.is_empty() && stored.trim() == stored, "{text:?} stored as {stored:?}");
        assert!(stored.chars().count() <= MAX_MESSAGE_CHARS);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };

    match parse_visitor_frame(text) {
        Ok(frame) => {
            assert!(text.len() <= MAX_FRAME_BYTES);
            match &frame {
                VisitorIn::Handoff { transcript, .. } => assert!(transcript.len() <= MAX_TRANSCRIPT),
                VisitorIn::Message { client_id, text } => message(client_id, text),
                _ => {}
            }
            let written = serde_json::to_string(&frame).expect("serde writes every frame");
            if written.len() <= MAX_FRAME_BYTES {
                assert_eq!(parse_visitor_frame(&written), Ok(frame), "{text:?} written as {written}");
            }
        }
        Err(e) => refused(text, &e),
    }

    match parse_agent_frame(text) {
        Ok(frame) => {
            assert!(text.len() <= MAX_FRAME_BYTES);
            if let AgentIn::Message { client_id, text, .. } = &frame {
                message(client_id, text);
            }
            let written = serde_json::to_string(&frame).expect("serde writes every frame");
            if written.len() <= MAX_FRAME_BYTES {
                assert_eq!(parse_agent_frame(&written), Ok(frame), "{text:?} written as {written}");
            }
        }
        Err(e) => refused(text, &e),
    }
});
