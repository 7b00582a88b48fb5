//! The emulator's pure rules: authorization and pixel ownership here, and the body handed to the
//! core's validator ([`verdict`], written from `docs/reddit-rules.md` and independent of the
//! builder), each turning a request part (plus the settings and "now") into either an accepted
//! batch or the exact reply Reddit would give. Nothing here touches a socket.

use serde_json::{Value, json};

use crate::reddit::ApiVersion;
use crate::timestamp::EpochMillis;
use crate::verdict::{self, Api};

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
    /// v2 `test_mode: true` or a non-blank `test_id`, or a non-blank v3 `data.test_id`.
    pub test: bool,
    /// `test_id` (v2 top level, v3 `data.test_id`).
    pub test_id: Option<String>,
    /// `partner` (v2) / `data.partner` (v3).
    pub partner: Option<String>,
}

/// The core validator's version for the emulator's.
pub fn api_of(version: ApiVersion) -> Api {
    match version {
        ApiVersion::V2 => Api::V2,
        ApiVersion::V3 => Api::V3,
    }
}

/// Validates a request body with the core's validator ([`verdict`]): what Reddit would answer,
/// in Reddit's shape. One bad event rejects the whole request; the reply lists every problem
/// the shape can hold.
pub fn validate(version: ApiVersion, body: &[u8], now_ms: EpochMillis) -> Result<Accepted, Reply> {
    let (verdict, value) = verdict::judge_bytes(api_of(version), body, now_ms);
    if !verdict.accepted() {
        return Err(Reply::json(verdict.status, verdict.reply));
    }
    let events = match value {
        Some(Value::Object(mut top)) => {
            let container = match version {
                ApiVersion::V2 => Some(top),
                ApiVersion::V3 => match top.remove("data") {
                    Some(Value::Object(data)) => Some(data),
                    _ => None,
                },
            };
            match container.and_then(|mut c| c.remove("events")) {
                Some(Value::Array(events)) => events,
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    };
    Ok(Accepted { events, test: verdict.test, test_id: verdict.test_id, partner: verdict.partner })
}
