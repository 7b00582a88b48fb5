//! Mapping-kit field sources (`crates/core/src/mapping/directive.rs`, with `path.rs` and the `@template`
//! parser) compiled from arbitrary JSON and resolved against events, then Segment's schema step
//! (`crates/core/src/mapping/schema.rs`) over what they resolve to.
//!
//! The input is a stream of JSON values: the first is the field source; the second, when there is
//! one, is an extra event to resolve against (besides a fixed Segment event and a few odd roots).
//!
//! Invariants:
//! - nothing panics;
//! - a compile error names a location inside the field (`f…`);
//! - the JSON form of a compiled source (`to_value`) compiles back to an equal source, which
//!   resolves to the same values;
//! - `resolve` is `resolve_in` turned into plain JSON.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use reddit_capi_console::mapping::Action;
use reddit_capi_console::mapping::directive::Directive;
use reddit_capi_console::mapping::resolved::Resolved;
use reddit_capi_console::mapping::schema::{self, Mode, Rules};
use serde_json::{Value, json};

static ROOTS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    vec![
        json!({
            "type": "track",
            "event": "Order Completed",
            "messageId": "m-1",
            "timestamp": "2024-01-08T13:52:50.212Z",
            "userId": "user_id_1",
            "properties": {
                "order_id": "order-1", "revenue": 30, "total": 40, "price": 12.5, "quantity": 2,
                "currency": "usd", "empty": "", "zero": 0, "nothing": null, "flag": false,
                "products": [
                    {"product_id": "sku-1", "category": "Kitchen", "name": "Mug", "price": 15, "quantity": 2},
                    {"product_id": 7, "name": null},
                    "loose"
                ],
                "a.b": {"c d": [1, {"e": "<b>&'\"/`="}]}
            },
            "context": {
                "ip": "111.111.111.111", "userAgent": "Mozilla/5.0",
                "page": {"url": "https://shop.example/checkout"},
                "traits": {"email": "Test@Test.com", "phone": "+1 (555) 010-0000"}
            },
            "integrations": {"Reddit Conversions Api": {"click_id": "c-1", "uuid": "u-1"}}
        }),
        Value::Null,
        json!([{"a": 1}, 2, "3"]),
        json!("just a string"),
    ]
});

fn resolve_all(d: &Directive, again: &Directive, root: &Value) {
    let resolved = d.resolve_in(root);
    let plain = d.resolve(root);
    assert_eq!(plain, resolved.as_ref().map(Resolved::to_value), "resolve and resolve_in differ");
    assert_eq!(again.resolve(root), plain, "the printed source resolves differently");
    let Some(resolved) = resolved else { return };
    let _ = resolved.truthy();
    // What Segment's schema step makes of it, when the source is an object of fields.
    if let Resolved::Object(fields) = resolved.expanded() {
        for (action, mode, segment_currencies) in
            [(Action::StandardEvent, Mode::Single, true), (Action::CustomEvent, Mode::Batch, false)]
        {
            if let Ok(valid) = schema::validate(action, fields.clone(), mode, Rules { segment_currencies, v2: true }) {
                for (key, value) in &valid.payload {
                    assert!(action.field(key).is_some(), "the schema kept an unknown field {key:?}");
                    let _ = value.to_value();
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut values = serde_json::Deserializer::from_slice(data).into_iter::<Value>();
    let Some(Ok(source)) = values.next() else { return };
    let extra = values.next().and_then(Result::ok);

    let directive = match Directive::compile(&source, "f") {
        Ok(d) => d,
        Err(e) => {
            assert!(e.location.starts_with('f'), "location {:?}: {e}", e.location);
            return;
        }
    };
    let _ = directive.kind();
    let printed = directive.to_value();
    let again = Directive::compile(&printed, "f")
        .unwrap_or_else(|e| panic!("{source} compiled, but its JSON form {printed} does not: {e}"));
    assert_eq!(again, directive, "{source} -> {printed}");

    for root in ROOTS.iter().chain(extra.as_ref()) {
        resolve_all(&directive, &again, root);
    }
});
