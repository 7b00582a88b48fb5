//! Reddit's reply bodies, in each version's real shape (`docs/reddit-rules.md`, "Replies").

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{Api, Finding, Stage};

/// The status and body Reddit answers for these problems (none: 200).
pub(super) fn reply(api: Api, events: &[Value], problems: &[Finding], count: usize) -> (u16, Value) {
    let first = |stage: Stage| problems.iter().find(|p| p.stage == stage);
    if let Some(p) = first(Stage::Decode).or_else(|| first(Stage::Request)) {
        let body = match (api, p.stage) {
            // Observed (RudderStack's fixture quoting Reddit): the v2 decode refusal's shape.
            (Api::V2, Stage::Decode) => {
                json!({ "success": false, "error": { "reason": "UNAUTHORIZED", "explanation": p.message } })
            }
            (Api::V2, _) => json!({ "message": p.message }),
            (Api::V3, _) => v3_error(&p.message, problems),
        };
        return (400, body);
    }
    let invalid: BTreeSet<usize> = problems.iter().filter_map(|p| p.event).collect();
    if invalid.is_empty() {
        let message = format!("Successfully processed {count} conversion events.");
        return match api {
            Api::V2 => (200, json!({ "message": message })),
            Api::V3 => (200, json!({ "data": { "message": message } })),
        };
    }
    let message = format!("There were {} invalid conversion events. None were processed.", invalid.len());
    match api {
        Api::V2 => {
            let entries: Vec<Value> = invalid
                .iter()
                .map(|i| {
                    let text: Vec<&str> =
                        problems.iter().filter(|p| p.event == Some(*i)).map(|p| p.message.as_str()).collect();
                    json!({ "error_message": text.join("; "), "event": events.get(*i).cloned().unwrap_or(Value::Null) })
                })
                .collect();
            (400, json!({ "message": message, "invalid_events": entries }))
        }
        Api::V3 => (400, v3_error(&message, problems)),
    }
}

/// `{"error": {"code": 400, "message": m, "fields": [{"field", "message"}…]}}` with every problem.
fn v3_error(message: &str, problems: &[Finding]) -> Value {
    let fields: Vec<Value> =
        problems.iter().map(|p| json!({ "field": p.path, "message": p.message })).collect();
    json!({ "error": { "code": 400, "message": message, "fields": fields } })
}
