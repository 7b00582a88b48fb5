//! The Segment event reader (`crates/core/src/segment/parse.rs`) on arbitrary text.
//!
//! Invariants:
//! - nothing panics;
//! - `check_syntax` refuses exactly what `parse_events` refuses, with the same error (the command
//!   line checks a file first so that it never prints or sends half of it), and counts its events;
//! - `stream_events` yields the events `parse_events` returns, then that error and nothing more;
//! - error positions are 1-based and inside the text;
//! - `quick_events` (the parallel reader's fast path) yields the events `parse_events` returns, or
//!   gives up once, at the end, and never returns an event where `parse_events` fails;
//! - what JSON.parse reads (lone surrogate escapes, numbers past the double range, nesting up to
//!   `MAX_DEPTH`) is read by all of them: the seeds in `json-parse.jsonl` start there.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reddit_capi_console::segment::{EventsError, check_syntax, parse_events, quick_events, stream_events};

fn check(text: &str) {
    let checked = check_syntax(text, "fuzz");
    let parsed = parse_events(text, "fuzz");
    assert_eq!(
        checked,
        parsed.as_ref().map(Vec::len).map_err(Clone::clone),
        "check_syntax and parse_events disagree"
    );

    let mut streamed = Vec::new();
    let mut stream = stream_events(text, "fuzz");
    let mut error: Option<EventsError> = None;
    for item in stream.by_ref() {
        match item {
            Ok(event) => streamed.push(event),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    assert!(stream.next().is_none(), "the stream goes on after an error");
    match (&parsed, error) {
        (Ok(events), None) => assert_eq!(events, &streamed),
        (Err(p), Some(s)) => assert_eq!(p, &s),
        (p, s) => panic!("parse_events {p:?} but the stream ended with {s:?}"),
    }

    let quick: Vec<Option<_>> = quick_events(text).collect();
    let gave_up = quick.iter().position(Option::is_none);
    assert!(gave_up.is_none_or(|at| at + 1 == quick.len()), "quick_events goes on after giving up");
    if gave_up.is_none() {
        let quick: Vec<_> = quick.into_iter().flatten().collect();
        assert_eq!(parsed.as_ref().ok(), Some(&quick), "quick_events read what parse_events refuses");
    }

    if let Err(e) = &parsed {
        let lines = text.matches('\n').count() + 1;
        assert!(e.line >= 1 && e.line <= lines, "line {} of {lines}: {e}", e.line);
        assert!(e.column >= 1 && e.column <= text.chars().count() + 1, "column {}: {e}", e.column);
        assert_eq!(e.source_name, "fuzz");
    }
    for event in &streamed {
        assert!(event.value().is_object());
        let _ = (event.event_type(), event.label(), event.properties(), event.context(), event.traits());
    }
}

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(text) => check(text),
        // Files that are not UTF-8 are refused before parsing; the lossy text still exercises the
        // parser with replacement characters where the bad bytes were.
        Err(_) => check(&String::from_utf8_lossy(data)),
    }
});
