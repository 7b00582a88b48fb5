use serde_json::{Value, json};

use super::*;

fn body(value: Value) -> Vec<u8> {
    serde_json::to_vec(&value).unwrap()
}

#[test]
fn paths_name_calls_long_and_short() {
    assert_eq!(Call::from_path("/v1/track"), Some(Call::One(EventType::Track)));
    assert_eq!(Call::from_path("/v1/t"), Some(Call::One(EventType::Track)));
    assert_eq!(Call::from_path("/v1/p/"), Some(Call::One(EventType::Page)));
    assert_eq!(Call::from_path("/v1/i"), Some(Call::One(EventType::Identify)));
    assert_eq!(Call::from_path("/v1/s"), Some(Call::One(EventType::Screen)));
    assert_eq!(Call::from_path("/v1/g"), Some(Call::One(EventType::Group)));
    assert_eq!(Call::from_path("/v1/a"), Some(Call::One(EventType::Alias)));
    assert_eq!(Call::from_path("/v1/batch"), Some(Call::Batch));
    assert_eq!(Call::from_path("/v1/b"), Some(Call::Batch));
    assert_eq!(Call::from_path("/v1/tracks"), None);
    assert_eq!(Call::from_path("/v2/track"), None);
    assert_eq!(Call::One(EventType::Track).body_limit(), 32 * 1024);
    assert_eq!(Call::Batch.body_limit(), 500 * 1024);
}

#[test]
fn a_single_call_takes_its_type_from_the_path_and_gives_up_its_write_key() {
    let got = read_request(
        Call::One(EventType::Track),
        &body(json!({"writeKey": "wk", "type": "page", "event": "Order Completed", "userId": "u1"})),
    )
    .unwrap();
    assert_eq!(got.write_key.as_deref(), Some("wk"));
    assert_eq!(got.events.len(), 1);
    assert_eq!(got.events[0]["type"], "track");
    assert!(!got.events[0].contains_key("writeKey"));
}

#[test]
fn a_batch_shares_its_context_and_sent_at_and_each_event_keeps_its_own() {
    let got = read_request(
        Call::Batch,
        &body(json!({
            "sentAt": "2026-01-01T00:00:10.000Z",
            "context": {"library": {"name": "analytics-python"}, "ip": "1.2.3.4"},
            "batch": [
                {"type": "identify", "userId": "u1", "context": {"ip": "5.6.7.8"}},
                {"type": "track", "event": "Signed Up", "anonymousId": "a1"}
            ]
        })),
    )
    .unwrap();
    assert_eq!(got.sent_at, Some(json!("2026-01-01T00:00:10.000Z")));
    assert_eq!(got.events[0]["context"], json!({"ip": "5.6.7.8", "library": {"name": "analytics-python"}}));
    assert_eq!(got.events[1]["context"]["ip"], "1.2.3.4");
}

#[test]
fn bad_requests_are_refused_in_words() {
    let refused = |call, bytes: &[u8]| read_request(call, bytes).unwrap_err().to_string();
    let track = Call::One(EventType::Track);
    assert!(refused(track, b"{").starts_with("the body is not JSON"));
    assert_eq!(refused(track, b"[1]"), "the body is JSON an array, not an object");
    assert_eq!(
        refused(Call::Batch, b"{\"batch\": 3}"),
        "a batch request needs \"batch\": an array of events"
    );
    assert_eq!(
        refused(track, &body(json!({"userId": "u"}))),
        "event 0: track calls need \"event\", the event's name"
    );
    assert_eq!(
        refused(track, &body(json!({"event": "X"}))),
        "event 0: track calls need \"userId\" or \"anonymousId\""
    );
    assert_eq!(
        refused(Call::One(EventType::Alias), &body(json!({"userId": "u"}))),
        "event 0: alias calls need \"previousId\""
    );
    assert_eq!(
        refused(Call::One(EventType::Group), &body(json!({"userId": "u"}))),
        "event 0: group calls need \"groupId\""
    );
    assert_eq!(
        refused(
            Call::Batch,
            &body(json!({"batch": [{"type": "identify", "userId": "u"}, {"type": "click", "userId": "u"}]}))
        ),
        "event 1: \"type\" is \"click\"; expected track, page, screen, identify, group or alias"
    );
    assert_eq!(
        refused(Call::Batch, &body(json!({"batch": [7]}))),
        "event 0: is JSON a number, not an object"
    );
}

#[test]
fn segment_limits_hold_per_event_and_per_request() {
    let big = "x".repeat(MAX_EVENT_BYTES);
    let one = body(json!({"type": "track", "event": "E", "userId": "u", "properties": {"p": big}}));
    assert_eq!(
        read_request(Call::One(EventType::Track), &one).unwrap_err(),
        CollectError::BodyTooLarge { bytes: one.len(), limit: MAX_EVENT_BYTES }
    );
    let batch = body(json!({"batch": [
        {"type": "track", "event": "E", "userId": "u"},
        {"type": "track", "event": "E", "userId": "u", "properties": {"p": big}}
    ]}));
    match read_request(Call::Batch, &batch).unwrap_err() {
        CollectError::EventTooLarge { index: 1, bytes } => assert!(bytes > MAX_EVENT_BYTES),
        other => panic!("{other:?}"),
    }
    let just_under = "x".repeat(MAX_EVENT_BYTES - 100);
    let fits = body(
        json!({"batch": [{"type": "track", "event": "E", "userId": "u", "properties": {"p": just_under}}]}),
    );
    assert_eq!(read_request(Call::Batch, &fits).unwrap().events.len(), 1);
    let huge = vec![b' '; MAX_BATCH_BYTES + 1];
    assert!(matches!(read_request(Call::Batch, &huge), Err(CollectError::BodyTooLarge { .. })));
}

/// 2026-01-01T00:00:00.000Z.
const NOW: i64 = 1_767_225_600_000;

fn stamp() -> Stamp {
    Stamp { now_ms: NOW, id_bits: (0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210) }
}

#[test]
fn a_client_clock_five_minutes_fast_is_corrected() {
    let mut event = json!({
        "type": "track", "event": "E", "userId": "u", "messageId": "m-1",
        "timestamp": "2026-01-01T00:04:58.000Z"
    });
    let did = enrich(event.as_object_mut().unwrap(), Some(&json!("2026-01-01T00:05:00.000Z")), stamp());
    assert_eq!(
        did,
        [
            Enrichment::ReceivedAt,
            Enrichment::SentAtFromBatch,
            Enrichment::TimestampCorrected { skew_ms: 300_000 }
        ]
    );
    assert_eq!(event["timestamp"], "2025-12-31T23:59:58.000Z", "two seconds before it arrived");
    assert_eq!(event["originalTimestamp"], "2026-01-01T00:04:58.000Z");
    assert_eq!(event["receivedAt"], "2026-01-01T00:00:00.000Z");
    assert_eq!(event["sentAt"], "2026-01-01T00:05:00.000Z");
    assert_eq!(event["messageId"], "m-1", "kept");
}

#[test]
fn an_event_without_id_or_time_gets_both_and_its_own_sent_at_wins() {
    let mut event = json!({"type": "page", "userId": "u", "sentAt": "2025-12-31T23:59:59.000Z"});
    let did = enrich(event.as_object_mut().unwrap(), Some(&json!("2030-01-01T00:00:00Z")), stamp());
    let id = "01234567-89ab-4def-bedc-ba9876543210";
    assert_eq!(
        did,
        [
            Enrichment::MessageId { message_id: id.into() },
            Enrichment::ReceivedAt,
            Enrichment::TimestampFromReceivedAt
        ]
    );
    assert_eq!(event["messageId"], id);
    assert_eq!(event["timestamp"], "2026-01-01T00:00:00.000Z");
    assert_eq!(event["sentAt"], "2025-12-31T23:59:59.000Z");
}

#[test]
fn without_sent_at_the_time_is_kept_and_a_bad_date_is_left_alone() {
    let mut event = json!({"type": "track", "event": "E", "userId": "u", "messageId": "m", "timestamp": "2025-06-01T10:00:00Z"});
    let did = enrich(event.as_object_mut().unwrap(), None, stamp());
    assert_eq!(did, [Enrichment::ReceivedAt, Enrichment::TimestampUncorrected]);
    assert_eq!(event["timestamp"], "2025-06-01T10:00:00Z");
    assert_eq!(event["originalTimestamp"], "2025-06-01T10:00:00Z");
    let mut event =
        json!({"type": "track", "event": "E", "userId": "u", "messageId": "m", "timestamp": "soon"});
    let did = enrich(event.as_object_mut().unwrap(), None, stamp());
    assert_eq!(did, [Enrichment::ReceivedAt, Enrichment::TimestampUnreadable]);
    assert_eq!(event["timestamp"], "soon");
    assert!(event.get("originalTimestamp").is_none());
}

#[test]
fn enriching_a_captured_event_again_corrects_from_its_original_time() {
    let mut event = json!({"type": "track", "event": "E", "userId": "u", "messageId": "m",
        "timestamp": "2026-01-01T00:04:58.000Z", "sentAt": "2026-01-01T00:05:00.000Z"});
    enrich(event.as_object_mut().unwrap(), None, stamp());
    let first = event.clone();
    enrich(event.as_object_mut().unwrap(), None, stamp());
    assert_eq!(event, first, "the same arrival gives the same event");
}
