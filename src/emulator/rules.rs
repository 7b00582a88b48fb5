//! The emulator's pure rules: authorization, pixel ownership and the per-version schema checks,
//! each turning a request part (plus the settings and "now") into either an accepted batch or the
//! exact reply Reddit would give. Nothing here touches a socket, so every rule is unit-tested.

use serde_json::{Map, Value, json};

use crate::mapping::fields::{ACTION_SOURCES, TRACKING_TYPES};
use crate::reddit::ApiVersion;
use crate::reddit::MAX_EVENTS_PER_REQUEST;
use crate::reddit::build::upper_snake;
use crate::reddit::lint::{MAX_AGE_MS, MAX_FUTURE_MS, is_iso_4217, is_rfc4122};
use crate::timestamp::{self, EpochMillis, MILLIS_THRESHOLD, Parsed};

/// Custom event names are 1..=64 characters (Unicode scalar values, not bytes).
pub const MAX_CUSTOM_EVENT_NAME_CHARS: usize = 64;

/// The message of a 401 without a usable bearer token.
pub const NO_BEARER: &str = "No bearer token provided";
/// The message of a 401 with a token other than the configured one.
pub const UNAUTHORIZED: &str = "UNAUTHORIZED";
/// The plain-text body of a 401 whose `Authorization` header is not `Bearer …`.
pub const AUTHORIZATION_REQUIRED: &str = "Authorization Required";
/// The message of a 429 (spec §8).
pub const TOO_MANY_REQUESTS: &str = "Too many requests/events within timeframe.";
/// The message of a 5xx (spec §8).
pub const UNAVAILABLE: &str = "The service is currently unavailable. No conversion events were processed.";

/// The body of a reply.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplyBody {
    /// `application/json`.
    Json(Value),
    /// `text/plain; charset=utf-8`.
    Text(String),
}

/// An HTTP reply the emulator sends.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: ReplyBody,
    /// `Retry-After` in seconds.
    pub retry_after: Option<u64>,
}

impl Reply {
    /// A JSON reply.
    pub fn json(status: u16, body: Value) -> Reply {
        Reply { status, body: ReplyBody::Json(body), retry_after: None }
    }

    /// A plain-text reply.
    pub fn text(status: u16, text: impl Into<String>) -> Reply {
        Reply { status, body: ReplyBody::Text(text.into()), retry_after: None }
    }

    /// An error in the version's shape: v2 `{"message": m}`, v3 `{"error": {"code": status, "message": m}}`.
    pub fn error(version: ApiVersion, status: u16, message: impl Into<String>) -> Reply {
        let message = message.into();
        match version {
            ApiVersion::V2 => Reply::json(status, json!({ "message": message })),
            ApiVersion::V3 => Reply::json(status, json!({ "error": { "code": status, "message": message } })),
        }
    }

    /// The success reply for `n` events.
    pub fn success(version: ApiVersion, n: usize) -> Reply {
        let message = format!("Successfully processed {n} conversion events.");
        match version {
            ApiVersion::V2 => Reply::json(200, json!({ "message": message })),
            ApiVersion::V3 => Reply::json(200, json!({ "data": { "message": message } })),
        }
    }

    /// The error Reddit gives for `status` when nothing more specific is known (used by faults).
    pub fn default_for_status(version: ApiVersion, status: u16, pixel: &str) -> Reply {
        let message = match status {
            400 => "Bad Request".to_string(),
            401 => UNAUTHORIZED.to_string(),
            403 => pixel_forbidden(pixel),
            408 => "Request Timeout".to_string(),
            413 => "Request Entity Too Large".to_string(),
            429 => TOO_MANY_REQUESTS.to_string(),
            500..=599 => UNAVAILABLE.to_string(),
            _ => hyper::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error")
                .to_string(),
        };
        Reply::error(version, status, message)
    }

    /// Adds `Retry-After`.
    pub fn with_retry_after(mut self, seconds: Option<u64>) -> Reply {
        self.retry_after = seconds;
        self
    }

    /// The body bytes and their content type.
    pub fn body_bytes(&self) -> (Vec<u8>, &'static str) {
        match &self.body {
            ReplyBody::Json(v) => (serde_json::to_vec(v).expect("values serialize"), "application/json"),
            ReplyBody::Text(t) => (t.clone().into_bytes(), "text/plain; charset=utf-8"),
        }
    }
}

fn pixel_forbidden(pixel: &str) -> String {
    format!("You're not authorized to post conversions to Pixel ID {pixel}.")
}

/// Checks the `Authorization` header (raw bytes, if any) against the configured token. Without a
/// configured token any non-empty bearer token passes.
pub fn authorize(version: ApiVersion, header: Option<&[u8]>, token: Option<&str>) -> Result<(), Reply> {
    let raw = header.map(<[u8]>::trim_ascii).unwrap_or_default();
    if raw.is_empty() {
        return Err(Reply::error(version, 401, NO_BEARER));
    }
    let split = raw.iter().position(|b| *b == b' ' || *b == b'\t').unwrap_or(raw.len());
    let (scheme, rest) = raw.split_at(split);
    if !scheme.eq_ignore_ascii_case(b"Bearer") {
        return Err(Reply::text(401, AUTHORIZATION_REQUIRED));
    }
    let presented = rest.trim_ascii();
    if presented.is_empty() {
        return Err(Reply::error(version, 401, NO_BEARER));
    }
    match token.map(str::trim).filter(|t| !t.is_empty()) {
        Some(expected) if !constant_time_eq(presented, expected.as_bytes()) => {
            Err(Reply::error(version, 401, UNAUTHORIZED))
        }
        _ => Ok(()),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks that the path's pixel is the configured one (when one is configured).
pub fn check_pixel(version: ApiVersion, path_pixel: &str, configured: Option<&str>) -> Result<(), Reply> {
    match configured.map(str::trim).filter(|p| !p.is_empty()) {
        Some(expected) if expected != path_pixel => {
            Err(Reply::error(version, 403, pixel_forbidden(path_pixel)))
        }
        _ => Ok(()),
    }
}

/// Every check of an API request whose body has been read, in Reddit's order: the bearer token
/// against the configured one, the path's pixel, then the body (its `event_at`s against `now_ms`).
/// The server runs exactly this, and the `emulator_request` fuzz target drives it.
pub fn check_request(
    config: &super::Config,
    version: ApiVersion,
    pixel: &str,
    authorization: Option<&[u8]>,
    body: &[u8],
    now_ms: EpochMillis,
) -> Result<Accepted, Reply> {
    authorize(version, authorization, config.token.as_deref())?;
    check_pixel(version, pixel, config.pixel.as_deref())?;
    validate(version, body, now_ms)
}

/// A request body that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    /// The events, as sent.
    pub events: Vec<Value>,
    /// v2 `test_mode: true`, or a non-blank v3 `data.test_id`.
    pub test: bool,
    /// v3 `data.test_id`.
    pub test_id: Option<String>,
    /// `partner` (v2) / `data.partner` (v3).
    pub partner: Option<String>,
}

/// One problem with one event: a path relative to the event (`user.uuid`, empty for the event
/// itself) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

/// Validates a request body. One bad event rejects the whole request.
pub fn validate(version: ApiVersion, body: &[u8], now_ms: EpochMillis) -> Result<Accepted, Reply> {
    let bad = |message: String| Reply::error(version, 400, message);
    let value: Value =
        serde_json::from_slice(body).map_err(|e| bad(format!("Malformed JSON in request body: {e}")))?;
    let Value::Object(top) = value else {
        return Err(bad("Request body must be a JSON object".into()));
    };
    let (container, prefix, allowed): (Map<String, Value>, &str, &[&str]) = match version {
        ApiVersion::V2 => (top, "", &["events", "test_mode", "partner"]),
        ApiVersion::V3 => {
            reject_unknown(&top, "", &["data"]).map_err(bad)?;
            match top.get("data") {
                Some(Value::Object(data)) => (data.clone(), "data.", &["events", "partner", "test_id"]),
                None | Some(Value::Null) => return Err(bad("data: is required".into())),
                Some(_) => return Err(bad("data: must be an object".into())),
            }
        }
    };
    reject_unknown(&container, prefix, allowed).map_err(bad)?;

    let test_mode = match container.get("test_mode") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad(format!("{prefix}test_mode: must be a boolean"))),
    };
    let partner = optional_string(&container, "partner").map_err(|m| bad(format!("{prefix}partner: {m}")))?;
    let test_id = optional_string(&container, "test_id").map_err(|m| bad(format!("{prefix}test_id: {m}")))?;
    let events = match container.get("events") {
        Some(Value::Array(events)) => events,
        None | Some(Value::Null) => return Err(bad(format!("{prefix}events: is required"))),
        Some(_) => return Err(bad(format!("{prefix}events: must be an array"))),
    };
    if events.is_empty() {
        return Err(bad(format!("{prefix}events: at least one conversion event is required")));
    }
    if events.len() > MAX_EVENTS_PER_REQUEST {
        return Err(bad("Bad Request".into()));
    }

    let invalid: Vec<(usize, Vec<Problem>)> = events
        .iter()
        .enumerate()
        .map(|(i, e)| (i, check_event(version, e, now_ms)))
        .filter(|(_, problems)| !problems.is_empty())
        .collect();
    if !invalid.is_empty() {
        return Err(rejection(version, events, &invalid));
    }
    let test = match version {
        ApiVersion::V2 => test_mode,
        ApiVersion::V3 => test_id.as_deref().is_some_and(|t| !t.trim().is_empty()),
    };
    Ok(Accepted { events: events.clone(), test, test_id, partner })
}

fn reject_unknown(map: &Map<String, Value>, prefix: &str, allowed: &[&str]) -> Result<(), String> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(format!("{prefix}{key}: unknown field")),
        None => Ok(()),
    }
}

fn optional_string(map: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err("must be a string".into()),
    }
}

/// The 400 for invalid events, in the version's shape.
fn rejection(version: ApiVersion, events: &[Value], invalid: &[(usize, Vec<Problem>)]) -> Reply {
    let message = format!("There were {} invalid conversion events. None were processed.", invalid.len());
    match version {
        ApiVersion::V2 => {
            let entries: Vec<Value> = invalid
                .iter()
                .map(|(i, problems)| {
                    let text: Vec<String> = problems
                        .iter()
                        .map(|p| {
                            let field = if p.field.is_empty() { "event" } else { p.field.as_str() };
                            format!("{field}: {}", p.message)
                        })
                        .collect();
                    json!({ "error_message": text.join("; "), "event": events[*i] })
                })
                .collect();
            Reply::json(400, json!({ "message": message, "invalid_events": entries }))
        }
        ApiVersion::V3 => {
            let fields: Vec<Value> = invalid
                .iter()
                .flat_map(|(i, problems)| {
                    problems.iter().map(move |p| {
                        let field = if p.field.is_empty() {
                            format!("$.data.events[{i}]")
                        } else {
                            format!("$.data.events[{i}].{}", p.field)
                        };
                        json!({ "field": field, "message": p.message })
                    })
                })
                .collect();
            Reply::json(400, json!({ "error": { "code": 400, "message": message, "fields": fields } }))
        }
    }
}

/// The tracking types a version accepts: v2 `PageVisit … SignUp, Custom`, v3 `PAGE_VISIT … CUSTOM`.
pub fn tracking_types(version: ApiVersion) -> Vec<String> {
    let mut types: Vec<String> = TRACKING_TYPES.iter().map(|t| t.to_string()).collect();
    types.push("Custom".into());
    if version == ApiVersion::V3 {
        types = types.iter().map(|t| upper_snake(t)).collect();
    }
    types
}

/// Whether `s` has the shape of an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.f…](Z|±HH:MM)`.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|p| p.iter().all(u8::is_ascii_digit));
    let head = digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && matches!(b.get(10), Some(b'T' | b't'))
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19);
    if !head {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    let zone = &b[i..];
    match zone {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    }
}

/// Collects the problems of one event.
struct Check {
    problems: Vec<Problem>,
}

impl Check {
    fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem { field: field.into(), message: message.into() });
    }

    /// An optional value: `None` when absent or null.
    fn get<'v>(map: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
        map.get(key).filter(|v| !v.is_null())
    }

    fn string<'v>(&mut self, map: &'v Map<String, Value>, key: &str, path: &str) -> Option<&'v str> {
        match Self::get(map, key) {
            None => None,
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                self.push(path, "must be a string");
                None
            }
        }
    }

    fn object<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Option<&'v Map<String, Value>> {
        match Self::get(map, key) {
            None => None,
            Some(Value::Object(o)) => Some(o),
            Some(_) => {
                self.push(path, "must be an object");
                None
            }
        }
    }

    fn integer(&mut self, map: &Map<String, Value>, key: &str, path: &str, required: bool) {
        match Self::get(map, key) {
            None if required => self.push(path, "is required"),
            None => {}
            Some(v) if v.is_i64() || v.is_u64() => {}
            Some(_) => self.push(path, "must be an integer"),
        }
    }

    fn number(&mut self, map: &Map<String, Value>, key: &str, path: &str) {
        if Self::get(map, key).is_some_and(|v| !v.is_number()) {
            self.push(path, "must be a number");
        }
    }
}

/// Every problem with one event (empty when it is valid).
pub fn check_event(version: ApiVersion, event: &Value, now_ms: EpochMillis) -> Vec<Problem> {
    let mut c = Check { problems: Vec::new() };
    let Value::Object(e) = event else {
        c.push("", "must be an object");
        return c.problems;
    };
    let v3 = version == ApiVersion::V3;
    check_event_at(&mut c, version, Check::get(e, "event_at"), now_ms);

    // Event type.
    let type_key = if v3 { "type" } else { "event_type" };
    match Check::get(e, type_key) {
        None => c.push(type_key, "is required"),
        Some(Value::Object(t)) => check_type(&mut c, version, t, type_key),
        Some(_) => c.push(type_key, "must be an object"),
    }

    c.string(e, "click_id", "click_id");
    if v3 {
        match Check::get(e, "action_source") {
            None => c.push("action_source", "is required"),
            Some(Value::String(s)) if ACTION_SOURCES.contains(&s.as_str()) => {}
            Some(Value::String(s)) => {
                c.push("action_source", format!("{s:?} is not one of {}", ACTION_SOURCES.join(", ")))
            }
            Some(_) => c.push("action_source", "must be a string"),
        }
        c.string(e, "event_source_url", "event_source_url");
    }

    let metadata_key = if v3 { "metadata" } else { "event_metadata" };
    if let Some(m) = c.object(e, metadata_key, metadata_key) {
        check_metadata(&mut c, version, m, metadata_key);
    }
    if let Some(u) = c.object(e, "user", "user") {
        check_user(&mut c, version, u);
    }
    c.problems
}

fn check_event_at(c: &mut Check, version: ApiVersion, value: Option<&Value>, now_ms: EpochMillis) {
    let field = "event_at";
    let ms = match (version, value) {
        (_, None) => return c.push(field, "is required"),
        (ApiVersion::V2, Some(Value::String(s))) => match timestamp::parse(s) {
            Some(Parsed::Calendar(ms)) if is_rfc3339(s) => ms,
            _ => return c.push(field, format!("{s:?} is not an RFC 3339 timestamp")),
        },
        (ApiVersion::V2, Some(_)) => return c.push(field, "must be an RFC 3339 timestamp string"),
        (ApiVersion::V3, Some(Value::Number(n))) => match n.as_i64() {
            Some(ms) if ms >= MILLIS_THRESHOLD => ms,
            Some(s) => {
                return c.push(
                    field,
                    format!("{s} looks like epoch seconds; event_at must be epoch milliseconds"),
                );
            }
            None => return c.push(field, "must be an integer (epoch milliseconds)"),
        },
        (ApiVersion::V3, Some(_)) => return c.push(field, "must be an integer (epoch milliseconds)"),
    };
    if now_ms - ms >= MAX_AGE_MS {
        c.push(field, "event_at timestamp must be less than 168h0m0s old");
    } else if ms - now_ms > MAX_FUTURE_MS {
        c.push(field, "event_at timestamp must not be more than 5m0s in the future");
    }
}

fn check_type(c: &mut Check, version: ApiVersion, t: &Map<String, Value>, type_key: &str) {
    let types = tracking_types(version);
    let custom = types.last().expect("Custom is listed").clone();
    let tt_path = format!("{type_key}.tracking_type");
    let name_path = format!("{type_key}.custom_event_name");
    let tracking = match Check::get(t, "tracking_type") {
        None => {
            c.push(&tt_path, "is required");
            None
        }
        Some(Value::String(s)) if types.contains(s) => Some(s.as_str()),
        Some(Value::String(s)) => {
            c.push(&tt_path, format!("{s:?} is not one of {}", types.join(", ")));
            None
        }
        Some(_) => {
            c.push(&tt_path, "must be a string");
            None
        }
    };
    let name = c.string(t, "custom_event_name", &name_path);
    if tracking == Some(custom.as_str()) {
        match name.map(|n| n.chars().count()) {
            None | Some(0) => c.push(&name_path, format!("is required for {custom} events")),
            Some(n) if n > MAX_CUSTOM_EVENT_NAME_CHARS => c.push(
                &name_path,
                format!("must be at most {MAX_CUSTOM_EVENT_NAME_CHARS} characters (got {n})"),
            ),
            Some(_) => {}
        }
    }
}

fn check_metadata(c: &mut Check, version: ApiVersion, m: &Map<String, Value>, key: &str) {
    let v3 = version == ApiVersion::V3;
    if let Some(currency) = c.string(m, "currency", &format!("{key}.currency"))
        && !is_iso_4217(currency)
    {
        let upper = currency.to_ascii_uppercase();
        let message = if is_iso_4217(&upper) {
            format!("{currency:?} is not an ISO 4217 currency code; use {upper:?}")
        } else {
            format!("{currency:?} is not an ISO 4217 currency code")
        };
        c.push(format!("{key}.currency"), message);
    }
    c.integer(m, "item_count", &format!("{key}.item_count"), false);
    let value_key = if v3 { "value" } else { "value_decimal" };
    c.number(m, value_key, &format!("{key}.{value_key}"));
    c.string(m, "conversion_id", &format!("{key}.conversion_id"));
    match Check::get(m, "products") {
        None => {}
        Some(Value::Array(products)) => {
            for (i, p) in products.iter().enumerate() {
                let path = format!("{key}.products[{i}]");
                let Value::Object(p) = p else {
                    c.push(&path, "must be an object");
                    continue;
                };
                match Check::get(p, "id") {
                    Some(Value::String(id)) if v3 && id.trim().is_empty() => {
                        c.push(format!("{path}.id"), "is required")
                    }
                    None if v3 => c.push(format!("{path}.id"), "is required"),
                    Some(Value::String(_)) | None => {}
                    Some(_) => c.push(format!("{path}.id"), "must be a string"),
                }
                c.string(p, "name", &format!("{path}.name"));
                c.string(p, "category", &format!("{path}.category"));
                if v3 {
                    c.integer(p, "quantity", &format!("{path}.quantity"), false);
                    c.number(p, "item_price", &format!("{path}.item_price"));
                }
            }
        }
        Some(_) => c.push(format!("{key}.products"), "must be an array"),
    }
}

fn check_user(c: &mut Check, version: ApiVersion, u: &Map<String, Value>) {
    for key in ["idfa", "aaid", "email", "external_id", "ip_address", "user_agent", "phone_number"] {
        c.string(u, key, &format!("user.{key}"));
    }
    if let Some(uuid) = c.string(u, "uuid", "user.uuid")
        && version == ApiVersion::V3
        && !uuid.is_empty()
        && !is_rfc4122(uuid)
    {
        c.push("user.uuid", format!("{uuid:?} is not an RFC 4122 UUID"));
    }
    if let Some(screen) = c.object(u, "screen_dimensions", "user.screen_dimensions") {
        for side in ["height", "width"] {
            c.integer(screen, side, &format!("user.screen_dimensions.{side}"), true);
        }
    }
    if let Some(dpo) = c.object(u, "data_processing_options", "user.data_processing_options") {
        c.string(dpo, "country", "user.data_processing_options.country");
        c.string(dpo, "region", "user.data_processing_options.region");
        match Check::get(dpo, "modes") {
            None => {}
            Some(Value::Array(modes)) if modes.iter().all(Value::is_string) => {}
            Some(_) => c.push("user.data_processing_options.modes", "must be an array of strings"),
        }
    }
}
