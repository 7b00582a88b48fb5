//! The local Reddit emulator's request handling (`src/emulator/rules.rs`, `fault.rs`) on
//! arbitrary HTTP-ish requests:
//!
//! ```text
//! POST /api/v3/pixels/a2_pixel/conversion_events HTTP/1.1
//! Authorization: Bearer secret
//!
//! {"data": {"events": […]}}
//! ```
//!
//! The head ends at the first empty line (`\r\n\r\n` or `\n\n`); the rest is the body. API routes
//! go through `rules::check_request`, which is what the server runs once it has read the body,
//! under an open configuration and a strict one (token `secret`, pixel `a2_pixel`); a POST to
//! `/_emulator/faults` parses the body as a fault and builds the reply such a fault gives.
//!
//! Invariants:
//! - nothing panics, and every reply serializes;
//! - refusals are 400, 401 or 403, in the version's error shape (v3: `error.code` is the status);
//! - an accepted batch holds 1..=1000 events, each of which the core's verdict accepts on its own;
//! - whatever the strict configuration accepts, the open one accepts alike;
//! - a parsed fault's JSON form parses back to the same fault.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reddit_capi_console::emulator::rules::{self, Reply, ReplyBody};
use reddit_capi_console::emulator::{Config, Fault, FaultKind};
use reddit_capi_console::reddit::{ApiVersion, MAX_EVENTS_PER_REQUEST};
use reddit_capi_console::verdict;
use serde_json::Value;

/// 2024-01-08T13:52:50.212Z, the fixtures' `event_at`.
const NOW: i64 = 1_704_721_970_212;

struct Request<'a> {
    method: &'a [u8],
    path: &'a [u8],
    authorization: Option<&'a [u8]>,
    body: &'a [u8],
}

fn split_request(data: &[u8]) -> Request<'_> {
    let end = |sep: &[u8]| data.windows(sep.len()).position(|w| w == sep).map(|i| (i, i + sep.len()));
    let (head, body) = match [end(b"\r\n\r\n"), end(b"\n\n")].into_iter().flatten().min() {
        Some((head_end, body_start)) => (&data[..head_end], &data[body_start..]),
        None => (data, &[][..]),
    };
    let mut lines = head.split(|b| *b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let mut words = lines.next().unwrap_or_default().split(|b| *b == b' ').filter(|w| !w.is_empty());
    let method = words.next().unwrap_or_default();
    let path = words.next().unwrap_or_default();
    let authorization = lines.find_map(|line| {
        let colon = line.iter().position(|b| *b == b':')?;
        line[..colon].eq_ignore_ascii_case(b"authorization").then(|| &line[colon + 1..])
    });
    Request { method, path, authorization, body }
}

/// The API route of a path, as the server's router reads it (without its `%XX` decoding).
fn api_route(path: &str) -> Option<(ApiVersion, &str)> {
    let (version, pixel) = if let Some(pixel) = path.strip_prefix("/api/v2.0/conversions/events/") {
        (ApiVersion::V2, pixel)
    } else {
        let rest = path.strip_prefix("/api/v3/pixels/")?;
        (ApiVersion::V3, rest.strip_suffix("/conversion_events")?)
    };
    (!pixel.is_empty() && !pixel.contains('/')).then_some((version, pixel))
}

/// Checks that a reply has an HTTP status and serializes. (Its JSON is not parsed back: a 400
/// echoes the events, so it may nest deeper than serde_json reads, and floats are read back
/// without `float_roundtrip`.)
fn check_reply(reply: &Reply) {
    assert!((200..=599).contains(&reply.status), "status {}", reply.status);
    let (bytes, content_type) = reply.body_bytes();
    match &reply.body {
        ReplyBody::Json(_) => assert_eq!(content_type, "application/json"),
        ReplyBody::Text(t) => assert_eq!(bytes, t.as_bytes()),
    }
}

/// A refusal of an API request: Reddit's statuses and error shapes.
fn check_refusal(version: ApiVersion, reply: &Reply) {
    check_reply(reply);
    assert!(matches!(reply.status, 400 | 401 | 403), "refused with {}", reply.status);
    match (&reply.body, version) {
        (ReplyBody::Text(t), _) => {
            assert_eq!((reply.status, t.as_str()), (401, rules::AUTHORIZATION_REQUIRED))
        }
        (ReplyBody::Json(v), ApiVersion::V2) => {
            assert!(v["message"].is_string() || v["error"]["explanation"].is_string(), "{v}")
        }
        (ReplyBody::Json(v), ApiVersion::V3) => {
            assert_eq!(v["error"]["code"], u64::from(reply.status), "{v}");
            assert!(v["error"]["message"].is_string(), "{v}");
        }
    }
}

fn api(version: ApiVersion, pixel: &str, request: &Request<'_>) {
    let open = Config::default();
    let strict = Config { token: Some("secret".into()), pixel: Some("a2_pixel".into()), ..Config::default() };
    let checked_open = rules::check_request(&open, version, pixel, request.authorization, request.body, NOW);
    let checked_strict =
        rules::check_request(&strict, version, pixel, request.authorization, request.body, NOW);
    if let Ok(accepted) = &checked_strict {
        assert_eq!(checked_open.as_ref(), Ok(accepted), "the strict configuration accepts more");
    }
    for checked in [checked_open, checked_strict] {
        match checked {
            Ok(accepted) => {
                let n = accepted.events.len();
                assert!((1..=MAX_EVENTS_PER_REQUEST).contains(&n), "{n} events accepted");
                for event in &accepted.events {
                    let alone = match version {
                        ApiVersion::V2 => serde_json::json!({ "events": [event] }),
                        ApiVersion::V3 => serde_json::json!({ "data": { "events": [event] } }),
                    };
                    let verdict = verdict::judge(rules::api_of(version), &alone, NOW);
                    assert!(verdict.accepted(), "accepted {event}");
                }
                check_reply(&Reply::success(version, n));
            }
            Err(reply) => check_refusal(version, &reply),
        }
    }
}

/// `POST /_emulator/faults`: the body as a fault, and the reply a status fault gives.
fn faults(body: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(body) else { return };
    let Ok(fault) = Fault::from_json(&value) else { return };
    assert!(fault.count >= 1);
    assert_eq!(Fault::from_json(&fault.to_json()).as_ref(), Ok(&fault), "fault JSON round trip");
    if let FaultKind::Status { status, retry_after, body } = fault.kind {
        for version in [ApiVersion::V2, ApiVersion::V3] {
            let reply = match &body {
                None => Reply::default_for_status(version, status, "a2_pixel"),
                Some(Value::String(text)) => Reply::text(status, text.clone()),
                Some(value) => Reply::json(status, value.clone()),
            };
            check_reply(&reply.with_retry_after(retry_after));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let request = split_request(data);
    let path = String::from_utf8_lossy(request.path);
    match (request.method, api_route(&path)) {
        (b"POST", Some((version, pixel))) => api(version, pixel, &request),
        (b"POST", None) if path == "/_emulator/faults" => faults(request.body),
        // The server answers anything else with a fixed 404 or 405 (or from its state); here the
        // body is checked as an API request of both versions instead, so that every input
        // exercises the checks.
        _ => {
            api(ApiVersion::V2, "a2_pixel", &request);
            api(ApiVersion::V3, "a2_pixel", &request);
        }
    }
});
