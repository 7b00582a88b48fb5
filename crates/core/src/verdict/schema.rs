//! The fields Reddit knows, per version, and the decode pass: a key Reddit does not know, or a
//! value of the wrong JSON type, is refused the way Reddit's strict JSON decoder refuses it.
//! Every table row is a row of `docs/reddit-rules.md`.

use serde_json::{Map, Value};

use super::{Api, Finding, Stage};

/// The JSON type a field must have (`null` always passes: Reddit's decoder leaves the zero value).
#[derive(Clone, Copy)]
pub(super) enum Kind {
    Str,
    /// A JSON integer (no fraction, no exponent).
    Int,
    Num,
    Bool,
    Obj(&'static [Field]),
    List(&'static Kind),
}

/// One known key of an object.
pub(super) struct Field {
    pub(super) key: &'static str,
    pub(super) kind: Kind,
}

const fn f(key: &'static str, kind: Kind) -> Field {
    Field { key, kind }
}

const SCREEN: &[Field] = &[f("width", Kind::Int), f("height", Kind::Int)];
const DPO: &[Field] = &[f("modes", Kind::List(&Kind::Str)), f("country", Kind::Str), f("region", Kind::Str)];

/// v2's user fields; v3 has the same without the last, `opt_out` (Stape maps it to
/// `data_processing_options` for v3).
const V2_USER: &[Field] = &[
    f("email", Kind::Str),
    f("external_id", Kind::Str),
    f("ip_address", Kind::Str),
    f("user_agent", Kind::Str),
    f("uuid", Kind::Str),
    f("idfa", Kind::Str),
    f("aaid", Kind::Str),
    f("phone_number", Kind::Str),
    f("screen_dimensions", Kind::Obj(SCREEN)),
    f("data_processing_options", Kind::Obj(DPO)),
    f("opt_out", Kind::Bool),
];
const V3_USER: &[Field] = V2_USER.split_at(V2_USER.len() - 1).0;
const V2_PRODUCT: &[Field] = &[f("id", Kind::Str), f("name", Kind::Str), f("category", Kind::Str)];
const V3_PRODUCT: &[Field] = &[
    f("id", Kind::Str),
    f("name", Kind::Str),
    f("category", Kind::Str),
    f("quantity", Kind::Int),
    f("item_price", Kind::Num),
];
const V2_METADATA: &[Field] = &[
    f("currency", Kind::Str),
    f("item_count", Kind::Int),
    f("value", Kind::Int),
    f("value_decimal", Kind::Num),
    f("products", Kind::List(&Kind::Obj(V2_PRODUCT))),
    f("conversion_id", Kind::Str),
];
const V3_METADATA: &[Field] = &[
    f("currency", Kind::Str),
    f("item_count", Kind::Int),
    f("value", Kind::Num),
    f("products", Kind::List(&Kind::Obj(V3_PRODUCT))),
    f("conversion_id", Kind::Str),
];
const TYPE: &[Field] = &[f("tracking_type", Kind::Str), f("custom_event_name", Kind::Str)];
const V2_EVENT: &[Field] = &[
    f("event_at", Kind::Str),
    f("event_at_ms", Kind::Int),
    f("event_type", Kind::Obj(TYPE)),
    f("click_id", Kind::Str),
    f("event_metadata", Kind::Obj(V2_METADATA)),
    f("user", Kind::Obj(V2_USER)),
];
const V3_EVENT: &[Field] = &[
    f("event_at", Kind::Int),
    f("action_source", Kind::Str),
    f("type", Kind::Obj(TYPE)),
    f("click_id", Kind::Str),
    f("event_source_url", Kind::Str),
    f("metadata", Kind::Obj(V3_METADATA)),
    f("user", Kind::Obj(V3_USER)),
];
const V2_BODY: &[Field] = &[
    f("events", Kind::List(&Kind::Obj(V2_EVENT))),
    f("test_mode", Kind::Bool),
    f("test_id", Kind::Str),
    f("partner", Kind::Str),
    f("partner_version", Kind::Str),
];
const V3_DATA: &[Field] = &[
    f("events", Kind::List(&Kind::Obj(V3_EVENT))),
    f("test_id", Kind::Str),
    f("partner", Kind::Str),
    f("partner_version", Kind::Str),
];
const V3_BODY: &[Field] = &[f("data", Kind::Obj(V3_DATA))];

/// The body's schema for a version.
pub(super) fn body(api: Api) -> &'static [Field] {
    match api {
        Api::V2 => V2_BODY,
        Api::V3 => V3_BODY,
    }
}

/// The keys a version knows at one place of the body (`None` for an unknown place), for tools
/// that explain a body.
pub fn known_keys(api: Api, place: &[&str]) -> Option<Vec<&'static str>> {
    let mut fields = body(api);
    for key in place {
        let mut kind = fields.iter().find(|f| f.key == *key)?.kind;
        while let Kind::List(inner) = kind {
            kind = *inner;
        }
        match kind {
            Kind::Obj(inner) => fields = inner,
            _ => return None,
        }
    }
    Some(fields.iter().map(|f| f.key).collect())
}

/// One step of a path into the body.
#[derive(Clone)]
pub(super) enum Step {
    Key(String),
    Index(usize),
}

/// `$.data.events[0].user.uuid`.
pub(super) fn json_path(steps: &[Step]) -> String {
    let mut out = String::from("$");
    for s in steps {
        match s {
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The event index a path lies in (`events[i]`), if any.
pub(super) fn event_of(steps: &[Step]) -> Option<usize> {
    steps.windows(2).find_map(|w| match w {
        [Step::Key(k), Step::Index(i)] if k == "events" => Some(*i),
        _ => None,
    })
}

/// Reddit's wording of a decode refusal. v2 (observed): `JSON error unexpected type number on
/// field events event_metadata value` — keys joined by spaces, indexes left out. v3 (observed):
/// `JSON error "unknown field" on field "test_id"` — the problem and the last key, quoted.
fn decode_message(api: Api, what: &str, steps: &[Step]) -> String {
    let keys: Vec<&str> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Key(k) => Some(k.as_str()),
            Step::Index(_) => None,
        })
        .collect();
    match api {
        Api::V2 => format!("JSON error {what} on field {}", keys.join(" ")),
        Api::V3 => format!("JSON error \"{what}\" on field \"{}\"", keys.last().copied().unwrap_or("")),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Checks `map` against `fields`, pushing a decode finding for every unknown key and every value
/// of the wrong type, in body order, through every level.
pub(super) fn decode_object(
    api: Api,
    map: &Map<String, Value>,
    fields: &[Field],
    steps: &mut Vec<Step>,
    out: &mut Vec<Finding>,
) {
    for (key, value) in map {
        steps.push(Step::Key(key.clone()));
        match fields.iter().find(|f| f.key == key) {
            None => out.push(decode_finding(api, "unknown field", steps, "decode.unknown_field")),
            Some(field) => decode_value(api, value, field.kind, steps, out),
        }
        steps.pop();
    }
}

fn decode_value(api: Api, value: &Value, kind: Kind, steps: &mut Vec<Step>, out: &mut Vec<Finding>) {
    let fits = match (kind, value) {
        (_, Value::Null) => true,
        (Kind::Str, Value::String(_)) | (Kind::Bool, Value::Bool(_)) | (Kind::Num, Value::Number(_)) => true,
        (Kind::Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Kind::Obj(inner), Value::Object(map)) => {
            decode_object(api, map, inner, steps, out);
            true
        }
        (Kind::List(inner), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                steps.push(Step::Index(i));
                decode_value(api, item, *inner, steps, out);
                steps.pop();
            }
            true
        }
        _ => false,
    };
    if !fits {
        let what = format!("unexpected type {}", json_type(value));
        out.push(decode_finding(api, &what, steps, "decode.type"));
    }
}

fn decode_finding(api: Api, what: &str, steps: &[Step], rule: &'static str) -> Finding {
    Finding {
        path: json_path(steps),
        event: event_of(steps),
        stage: Stage::Decode,
        message: decode_message(api, what, steps),
        rule,
    }
}
