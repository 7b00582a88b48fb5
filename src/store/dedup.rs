//! What Reddit would drop as a duplicate, read from the history: an event with the same
//! conversion_id and event type (and name, for custom events) as one accepted by the same
//! pixel less than two days earlier (Reddit's deduplication of pixel and Conversions API
//! events; see the spec's §8). Events without a conversion_id are deduplicated by session,
//! which the history cannot tell.

use serde_json::Value;

use super::history::{Entry, Phase};
use crate::reddit::DEDUP_WINDOW_MS;
use crate::report::dedup::key;
use crate::timestamp;

/// The earlier send (an index into `entries`) that `entries[i]`'s events would be dropped as
/// duplicates of, if any: an accepted send to the same endpoint and URL within the window.
pub fn earlier_duplicate(entries: &[Entry], i: usize) -> Option<usize> {
    let entry = entries.get(i)?;
    let wanted = keys(entry);
    if wanted.is_empty() {
        return None;
    }
    let at = started_ms(entry)?;
    (0..i).rev().find(|&j| {
        let e = &entries[j];
        e.state == Phase::Completed
            && e.attempt.status.is_some_and(|s| (200..300).contains(&s))
            && e.endpoint == entry.endpoint
            && e.request.url == entry.request.url
            && started_ms(e).is_some_and(|t| t <= at && at - t <= DEDUP_WINDOW_MS)
            && keys(e).iter().any(|k| wanted.contains(k))
    })
}

fn started_ms(e: &Entry) -> Option<i64> {
    timestamp::parse(&e.attempt.started_at).map(|p| p.millis())
}

/// A string that is not blank.
fn text(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

/// Each event's deduplication key (the corpus report's), v2.0 and v3 bodies alike.
fn keys(e: &Entry) -> Vec<u64> {
    let body = &e.request.body;
    let events = body.get("events").or_else(|| body.pointer("/data/events")).and_then(Value::as_array);
    events
        .into_iter()
        .flatten()
        .filter_map(|ev| {
            let ty = ev.get("event_type").or_else(|| ev.get("type"));
            let conversion_id = text(
                ev.pointer("/event_metadata/conversion_id").or_else(|| ev.pointer("/metadata/conversion_id")),
            )?;
            let tracking = text(ty.and_then(|t| t.get("tracking_type"))).unwrap_or_default();
            Some(key(conversion_id, tracking, text(ty.and_then(|t| t.get("custom_event_name")))))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reddit::response::{Kind, Outcome};
    use crate::store::history::{AttemptRecord, RequestRecord};

    fn entry(at: &str, status: u16, tracking: &str, conversion_id: &str, url: &str) -> Entry {
        let body = serde_json::json!({"events": [{"event_type": {"tracking_type": tracking},
            "event_metadata": {"conversion_id": conversion_id}}], "test_mode": true});
        Entry {
            send_id: at.into(),
            state: Phase::Completed,
            endpoint: "reddit".into(),
            api_version: "v2.0".into(),
            test: true,
            mapping: "Purchase".into(),
            source: "composer".into(),
            event_count: 1,
            request: RequestRecord {
                url: url.into(),
                method: "POST".into(),
                headers: vec![],
                body,
                abridged: None,
                sha256: None,
            },
            lints: vec![],
            attempt: AttemptRecord {
                number: 1,
                started_at: at.into(),
                duration_ms: 1,
                waited_ms: 0,
                status: Some(status),
                response_headers: vec![],
                response_body: None,
                response_body_cut: false,
                outcome: Outcome::transport(Kind::Accepted, "ok"),
            },
        }
    }

    #[test]
    fn same_conversion_id_type_and_pixel_within_two_days() {
        let url = "https://ads-api.reddit.com/api/v2.0/conversions/events/t2_a";
        let entries = [
            entry("2026-12-01T10:00:00Z", 200, "Purchase", "c1", url),
            entry("2026-12-01T11:00:00Z", 400, "Purchase", "c2", url),
            entry("2026-12-01T12:00:00Z", 200, "Purchase", "c1", url),
            entry("2026-12-01T12:30:00Z", 200, "Lead", "c1", url),
            entry("2026-12-01T13:00:00Z", 200, "Purchase", "c2", url),
            entry("2026-12-01T14:00:00Z", 200, "Purchase", "c1", &url.replace("t2_a", "t2_b")),
            entry("2026-12-04T12:00:01Z", 200, "Purchase", "c1", url),
        ];
        let found: Vec<_> = (0..entries.len()).map(|i| earlier_duplicate(&entries, i)).collect();
        assert_eq!(found, [None, None, Some(0), None, None, None, None]);
    }
}
