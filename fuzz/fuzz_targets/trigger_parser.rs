//! The FQL trigger parser and evaluator (`crates/core/src/mapping/trigger/`) on arbitrary text.
//!
//! Invariants:
//! - nothing panics;
//! - an error's column is 1-based and at most one past the last character;
//! - the canonical text (`Display`) of a parsed trigger parses back to an equal trigger, is its
//!   own canonical text, and Segment reads it the same way;
//! - both evaluate alike against a fixed set of events (a non-object included).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use reddit_capi_console::mapping::trigger::Trigger;
use serde_json::{Value, json};

static EVENTS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    vec![
        json!({
            "type": "track",
            "event": "Order Completed",
            "name": "Home",
            "userId": "u-1",
            "anonymousId": "a-1",
            "properties": {
                "total": 42.5, "count": 3, "currency": "USD", "premium": true, "free": false,
                "nothing": null, "numstr": "123", "product": {"sku": "SKU-9", "tags": ["red", "blue"]},
                "my key": "spaced", "a.b": "dotted", "quote\"d": "q", "0": "zero"
            },
            "traits": {"plan": "pro", "logins": 12, "email": "a@b.c"},
            "context": {"ip": "1.1.1.1", "traits": {"plan": "context-plan"}, "page": {"path": "/checkout/done"}}
        }),
        json!({"type": "page", "name": "Pricing", "properties": {"total": -1e300, "items": [1, "x", null]}}),
        json!({"type": "identify", "traits": {"email": "", "age": 0}}),
        json!({}),
        json!(["not", "an", "object"]),
    ]
});

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let trigger = match Trigger::parse(src) {
        Ok(trigger) => trigger,
        Err(e) => {
            assert!(
                e.column >= 1 && e.column <= src.chars().count() + 1,
                "column {} in {src:?}: {e}",
                e.column
            );
            return;
        }
    };
    let canonical = trigger.to_string();
    let again = Trigger::parse(&canonical)
        .unwrap_or_else(|e| panic!("{src:?} parsed, but its canonical text {canonical:?} does not: {e}"));
    assert_eq!(again, trigger, "{src:?} -> {canonical:?}");
    assert_eq!(again.to_string(), canonical, "the canonical text is not stable");
    assert!(!again.segment_reads_differently(), "Segment reads the canonical text {canonical:?} differently");
    if let Some((event_type, event_name)) = trigger.as_simple() {
        assert_eq!(Trigger::simple(&event_type, event_name.as_deref()), trigger);
    }
    for event in EVENTS.iter() {
        assert_eq!(trigger.matches(event), again.matches(event), "{src:?} vs {canonical:?} on {event}");
    }
});
