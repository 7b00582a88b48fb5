//! What Reddit would answer to a Conversions API request: status, body and every problem, from
//! the evidence table in `docs/reddit-rules.md` (each rule id here is a row there).
//!
//! This module is written from that table alone. It imports nothing from the rest of the core
//! (not the builder, its lints or its constants), so a builder mistake shows up as a disagreement
//! with it; `tests/purity.rs` holds that boundary. The emulator is its HTTP face and the `check`
//! command its command-line face.
//!
//! Where the evidence is thin or conflicting the rule is a warning, never a refusal.

use serde::Serialize;
use serde_json::{Map, Value};

pub mod formats;
mod reply;
mod schema;
#[cfg(test)]
mod tests;

pub use schema::known_keys;

/// The API version of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Api {
    /// `POST /api/v2.0/conversions/events/{pixel}`.
    #[serde(rename = "v2.0")]
    V2,
    /// `POST /api/v3/pixels/{pixel}/conversion_events`.
    #[serde(rename = "v3")]
    V3,
}

impl Api {
    /// The version a body's shape tells: a top-level `data` object is v3, top-level `events` v2.
    pub fn of_body(body: &Value) -> Option<Api> {
        let top = body.as_object()?;
        if top.get("data").is_some_and(Value::is_object) {
            Some(Api::V3)
        } else if top.contains_key("events") {
            Some(Api::V2)
        } else {
            None
        }
    }

    /// The version a request path names, with the pixel id in it.
    pub fn of_path(path: &str) -> Option<(Api, &str)> {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        if let Some(pixel) = path.strip_prefix("/api/v2.0/conversions/events/") {
            return (!pixel.is_empty() && !pixel.contains('/')).then_some((Api::V2, pixel));
        }
        let pixel = path.strip_prefix("/api/v3/pixels/")?.strip_suffix("/conversion_events")?;
        (!pixel.is_empty() && !pixel.contains('/')).then_some((Api::V3, pixel))
    }
}

/// When in Reddit's handling a problem stops the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading the JSON: an unknown key or a value of the wrong type.
    Decode,
    /// The request as a whole (events missing, too many, v3 `action_source`).
    Request,
    /// One event's content (answered as "There were N invalid conversion events").
    Event,
}

/// One refusal or warning, at a JSON path of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `$.data.events[0].user.UUID`.
    pub path: String,
    /// The event it belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<usize>,
    pub stage: Stage,
    /// Reddit's words where known (see the rule's certainty), else the console's.
    pub message: String,
    /// The rule's id in `docs/reddit-rules.md`.
    pub rule: &'static str,
}

/// What Reddit would answer, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub api: Api,
    pub status: u16,
    /// The reply body, in Reddit's shape for the version.
    pub reply: Value,
    /// Every refusal of every event (the reply may name only the first, as Reddit does).
    pub problems: Vec<Finding>,
    /// What Reddit is not known to refuse but may not use as meant.
    pub warnings: Vec<Finding>,
    /// The number of events in the body.
    pub events: usize,
    /// v2 `test_mode: true`, or a non-blank `test_id`.
    pub test: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
}

impl Verdict {
    /// Whether Reddit would take the request (200).
    pub fn accepted(&self) -> bool {
        self.status == 200
    }
}

/// Reddit refuses a request with more events (spec §8: `Bad Request`).
pub const EVENTS_PER_REQUEST: usize = 1000;
/// `event_at` older than this is refused: "event_at timestamp must be less than 168h0m0s old".
pub const OLDEST_MS: i64 = 168 * 3_600_000;
/// `event_at` later than this ahead of now is warned about (no refusal is on record).
pub const FUTURE_MS: i64 = 5 * 60_000;
/// Custom event names longer than this are warned about (Segment's limit; Reddit's is unknown).
pub const CUSTOM_NAME_CHARS: usize = 64;

/// Judges raw request bytes (a body that is not JSON is refused).
pub fn judge_bytes(api: Api, body: &[u8], now_ms: i64) -> (Verdict, Option<Value>) {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => (judge(api, &value, now_ms), Some(value)),
        Err(e) => {
            let finding = Finding {
                path: "$".into(),
                event: None,
                stage: Stage::Decode,
                message: format!("JSON error: {e}"),
                rule: "decode.syntax",
            };
            (finish(api, None, vec![finding], Vec::new(), Facts::default()), None)
        }
    }
}

/// Judges a request body against the version's rules at `now_ms` (epoch milliseconds).
pub fn judge(api: Api, body: &Value, now_ms: i64) -> Verdict {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let Value::Object(top) = body else {
        let finding = Finding {
            path: "$".into(),
            event: None,
            stage: Stage::Decode,
            message: match api {
                Api::V2 => "JSON error unexpected type on field body".into(),
                Api::V3 => "JSON error \"unexpected type\" on field \"body\"".into(),
            },
            rule: "decode.type",
        };
        return finish(api, None, vec![finding], warnings, Facts::default());
    };
    schema::decode_object(api, top, schema::body(api), &mut Vec::new(), &mut problems);

    let (container, prefix) = match api {
        Api::V2 => (Some(top), "$"),
        Api::V3 => (top.get("data").and_then(Value::as_object), "$.data"),
    };
    let facts = Facts::of(api, container);
    let events = container.and_then(|c| c.get("events")).and_then(Value::as_array);
    match events {
        None => problems.push(request(format!("{prefix}.events"), "events: is required", "events.required")),
        Some(list) if list.is_empty() => problems.push(request(
            format!("{prefix}.events"),
            "events: at least one conversion event is required",
            "events.required",
        )),
        Some(list) if list.len() > EVENTS_PER_REQUEST => {
            problems.push(request(format!("{prefix}.events"), "Bad Request", "events.max"))
        }
        Some(list) => {
            for (i, event) in list.iter().enumerate() {
                if let Value::Object(e) = event {
                    let mut c = EventCheck {
                        api,
                        i,
                        base: format!("{prefix}.events[{i}]"),
                        problems: &mut problems,
                        warnings: &mut warnings,
                    };
                    c.check(e, now_ms);
                }
            }
        }
    }
    finish(api, events.map(Vec::as_slice), problems, warnings, facts)
}

/// Test flag, test id and partner of a body.
#[derive(Default)]
struct Facts {
    events: usize,
    test: bool,
    test_id: Option<String>,
    partner: Option<String>,
}

impl Facts {
    fn of(api: Api, container: Option<&Map<String, Value>>) -> Facts {
        let Some(c) = container else { return Facts::default() };
        let text = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_string);
        let test_id = text("test_id");
        let has_test_id = test_id.as_deref().is_some_and(|t| !t.trim().is_empty());
        let test = match api {
            Api::V2 => c.get("test_mode").and_then(Value::as_bool).unwrap_or(false) || has_test_id,
            Api::V3 => has_test_id,
        };
        let events = c.get("events").and_then(Value::as_array).map_or(0, Vec::len);
        Facts { events, test, test_id, partner: text("partner") }
    }
}

fn request(path: String, message: &str, rule: &'static str) -> Finding {
    Finding { path, event: None, stage: Stage::Request, message: message.into(), rule }
}

fn finish(
    api: Api,
    events: Option<&[Value]>,
    problems: Vec<Finding>,
    warnings: Vec<Finding>,
    facts: Facts,
) -> Verdict {
    let (status, reply) = reply::reply(api, events.unwrap_or(&[]), &problems, facts.events);
    Verdict {
        api,
        status,
        reply,
        problems,
        warnings,
        events: facts.events,
        test: facts.test,
        test_id: facts.test_id,
        partner: facts.partner,
    }
}

/// The standard tracking types (documented): v2 spells them in PascalCase, v3 in UPPER_SNAKE.
const V2_TYPES: [&str; 9] = [
    "PageVisit",
    "ViewContent",
    "Search",
    "AddToCart",
    "AddToWishlist",
    "Purchase",
    "Lead",
    "SignUp",
    "Custom",
];
const V3_TYPES: [&str; 9] = [
    "PAGE_VISIT",
    "VIEW_CONTENT",
    "SEARCH",
    "ADD_TO_CART",
    "ADD_TO_WISHLIST",
    "PURCHASE",
    "LEAD",
    "SIGN_UP",
    "CUSTOM",
];
/// v3 `action_source` values Reddit takes (documented; `web`/`website` refused, observed).
const ACTION_SOURCES: [&str; 4] = ["WEBSITE", "APP", "PHYSICAL_STORE", "OTHER"];

/// The semantic checks of one event (the decode pass already reported wrong types).
struct EventCheck<'a> {
    api: Api,
    i: usize,
    base: String,
    problems: &'a mut Vec<Finding>,
    warnings: &'a mut Vec<Finding>,
}

impl EventCheck<'_> {
    fn finding(&self, at: &str, stage: Stage, message: String, rule: &'static str) -> Finding {
        let path = if at.is_empty() { self.base.clone() } else { format!("{}.{at}", self.base) };
        Finding { path, event: Some(self.i), stage, message, rule }
    }

    fn refuse(&mut self, at: &str, stage: Stage, message: impl Into<String>, rule: &'static str) {
        let f = self.finding(at, stage, message.into(), rule);
        self.problems.push(f);
    }

    fn warn(&mut self, at: &str, message: impl Into<String>, rule: &'static str) {
        let f = self.finding(at, Stage::Event, message.into(), rule);
        self.warnings.push(f);
    }

    fn check(&mut self, e: &Map<String, Value>, now_ms: i64) {
        let v3 = self.api == Api::V3;
        self.event_at(e, now_ms);
        if v3 {
            match e.get("action_source") {
                None | Some(Value::Null) => self.refuse("action_source", Stage::Request, "missing action_source", "v3.action_source.missing"),
                Some(Value::String(s)) if ACTION_SOURCES.contains(&s.as_str()) => {}
                Some(Value::String(s)) if s == "OFFLINE" => self.warn(
                    "action_source",
                    "OFFLINE is not among the documented action sources (WEBSITE, APP, PHYSICAL_STORE, OTHER); Reddit may refuse it",
                    "v3.action_source.offline",
                ),
                Some(Value::String(s)) => {
                    let message = format!("invalid action_source: {s}");
                    self.refuse("action_source", Stage::Request, message, "v3.action_source.invalid")
                }
                Some(_) => {}
            }
        }
        let type_key = if v3 { "type" } else { "event_type" };
        self.event_type(type_key, e.get(type_key).and_then(Value::as_object));
        let metadata_key = if v3 { "metadata" } else { "event_metadata" };
        if let Some(m) = e.get(metadata_key).and_then(Value::as_object) {
            self.metadata(metadata_key, m);
        }
        if let Some(u) = e.get("user").and_then(Value::as_object) {
            self.user(u);
        }
    }

    fn event_at(&mut self, e: &Map<String, Value>, now_ms: i64) {
        let at = match self.api {
            Api::V2 => match (e.get("event_at"), e.get("event_at_ms").and_then(Value::as_i64)) {
                (Some(Value::String(s)), _) => match formats::rfc3339_millis(s) {
                    Some(ms) => Some(("event_at", ms)),
                    None => {
                        let message = format!("event_at: {s:?} is not an RFC 3339 timestamp");
                        return self.refuse("event_at", Stage::Event, message, "v2.event_at.format");
                    }
                },
                (_, Some(ms)) => Some(("event_at_ms", ms)),
                (None | Some(Value::Null), None) => None,
                (Some(_), None) => return,
            },
            Api::V3 => match e.get("event_at") {
                Some(Value::Number(n)) => match n.as_i64() {
                    Some(ms) => Some(("event_at", ms)),
                    None => return,
                },
                None | Some(Value::Null) => None,
                Some(_) => return,
            },
        };
        let Some((key, ms)) = at else {
            return self.refuse("event_at", Stage::Event, "event_at: is required", "event_at.required");
        };
        if now_ms - ms >= OLDEST_MS {
            self.refuse(
                key,
                Stage::Event,
                "event_at timestamp must be less than 168h0m0s old",
                "event_at.age",
            );
            if ms < 1_000_000_000_000 && ms > 0 {
                self.warn(
                    key,
                    format!("{ms} looks like epoch seconds; Reddit reads epoch milliseconds"),
                    "event_at.seconds",
                );
            }
        } else if ms - now_ms > FUTURE_MS {
            self.warn(key, "event_at is more than 5 minutes in the future", "event_at.future");
        }
    }

    fn event_type(&mut self, key: &str, t: Option<&Map<String, Value>>) {
        let (types, custom) = match self.api {
            Api::V2 => (&V2_TYPES, "Custom"),
            Api::V3 => (&V3_TYPES, "CUSTOM"),
        };
        let tracking = t.and_then(|t| t.get("tracking_type")).and_then(Value::as_str);
        let name = t.and_then(|t| t.get("custom_event_name")).and_then(Value::as_str);
        let at = format!("{key}.tracking_type");
        match tracking {
            None => self.warn(
                &at,
                "no tracking_type: the event has no conversion type (no refusal of this is on record; Reddit's own sGTM template's tests send `type: {}`)",
                "type.tracking_type.missing",
            ),
            Some(tt) if tt == custom => match name.map(|n| n.trim().chars().count()) {
                None | Some(0) => self.warn(
                    &format!("{key}.custom_event_name"),
                    format!("a {custom} event without custom_event_name cannot be told apart from other custom events"),
                    "type.custom_event_name.missing",
                ),
                Some(n) if n > CUSTOM_NAME_CHARS => self.warn(
                    &format!("{key}.custom_event_name"),
                    format!("custom_event_name has {n} characters; Segment stops at {CUSTOM_NAME_CHARS} and Reddit's limit is not published"),
                    "type.custom_event_name.length",
                ),
                Some(_) => {}
            },
            Some(tt) if types.contains(&tt) => {}
            Some(tt) => self.warn(
                &at,
                format!("{tt:?} is not one of Reddit's documented tracking types ({}); Reddit's own sGTM template sends such values for partner AUTOMATIC_GTM, so it may be taken, but not as a standard event", types.join(", ")),
                "type.tracking_type.unknown",
            ),
        }
    }

    fn metadata(&mut self, key: &str, m: &Map<String, Value>) {
        if let Some(currency) = m.get("currency").and_then(Value::as_str)
            && !formats::is_currency_shape(currency)
        {
            self.warn(
                &format!("{key}.currency"),
                format!("{currency:?} is not an ISO 4217 code; Reddit assumes the ad account's currency when it is malformed"),
                "metadata.currency",
            );
        }
        if self.api == Api::V3
            && let Some(products) = m.get("products").and_then(Value::as_array)
        {
            for (p, product) in products.iter().enumerate() {
                let id = product.get("id").and_then(Value::as_str).map(str::trim);
                if id.is_none_or(str::is_empty) {
                    self.warn(
                        &format!("{key}.products[{p}].id"),
                        "a product without id: catalog matching (product ads) needs it",
                        "v3.products.id",
                    );
                }
            }
        }
    }

    fn user(&mut self, u: &Map<String, Value>) {
        if self.api == Api::V3
            && let Some(uuid) = u.get("uuid").and_then(Value::as_str)
            && !uuid.is_empty()
            && !formats::is_rfc4122_uuid(uuid)
        {
            self.refuse("user.UUID", Stage::Event, "UUID must be RFC-4122 compliant", "v3.user.uuid");
        }
        if let Some(modes) =
            u.get("data_processing_options").and_then(|d| d.get("modes")).and_then(Value::as_array)
        {
            for mode in modes.iter().filter_map(Value::as_str).filter(|m| *m != "LDU") {
                self.warn(
                    "user.data_processing_options.modes",
                    format!("{mode:?}: LDU is the only documented mode"),
                    "user.dpo.modes",
                );
            }
        }
    }
}
