//! The validator's rules, each against the evidence it was written from.

use serde_json::{Value, json};

use super::*;

/// 2024-01-08T13:52:50.212Z.
const NOW: i64 = 1_704_721_970_212;

fn v2_event() -> Value {
    json!({"event_at": "2024-01-08T13:50:00Z", "event_type": {"tracking_type": "Purchase"}, "user": {"email": "a@b.c"}})
}

fn v3_event() -> Value {
    json!({"event_at": NOW - 1000, "action_source": "WEBSITE", "type": {"tracking_type": "PURCHASE"}, "user": {"email": "a@b.c"}})
}

fn paths(v: &Verdict) -> Vec<(&str, &str)> {
    v.problems.iter().map(|p| (p.path.as_str(), p.message.as_str())).collect()
}

#[test]
fn reddits_own_template_bodies_are_accepted_in_both_versions() {
    // reddit/reddit-ss-gtm-template: v3 `data.partner_version`, v2 `event_at_ms`, `test_id`, `partner_version`.
    let v3 = json!({"data": {"test_id": "t2_x", "events": [v3_event()], "partner": "SGTM", "partner_version": "2.0.0"}});
    let verdict = judge(Api::V3, &v3, NOW);
    assert_eq!(verdict.status, 200, "{:?}", verdict.problems);
    assert_eq!(verdict.reply, json!({"data": {"message": "Successfully processed 1 conversion events."}}));
    assert!(verdict.test && verdict.partner.as_deref() == Some("SGTM"));
    let v2 = json!({"events": [{"event_at_ms": NOW, "event_type": {"tracking_type": "Lead"}}], "partner": "SGTM", "partner_version": "1.0.0", "test_id": "t2_x"});
    let verdict = judge(Api::V2, &v2, NOW);
    assert_eq!(verdict.status, 200, "{:?}", verdict.problems);
    assert!(verdict.test);
}

#[test]
fn a_test_id_inside_an_event_gets_reddits_observed_answer() {
    let mut event = v3_event();
    event["test_id"] = json!("t2_x");
    let verdict = judge(Api::V3, &json!({"data": {"events": [event]}}), NOW);
    assert_eq!(verdict.status, 400);
    assert_eq!(verdict.reply["error"]["code"], 400);
    assert_eq!(verdict.reply["error"]["message"], "JSON error \"unknown field\" on field \"test_id\"");
}

#[test]
fn a_fractional_v2_value_gets_reddits_observed_answer() {
    let mut event = v2_event();
    event["event_metadata"] = json!({"value": 15.5, "value_decimal": 15.5});
    let verdict = judge(Api::V2, &json!({"events": [event]}), NOW);
    assert_eq!(verdict.status, 400);
    assert_eq!(
        verdict.reply["error"]["explanation"],
        "JSON error unexpected type number on field events event_metadata value"
    );
    assert_eq!(paths(&verdict), [("$.events[0].event_metadata.value", verdict.problems[0].message.as_str())]);
}

#[test]
fn action_source_answers_are_reddits_words() {
    for (source, message) in
        [(json!("web"), "invalid action_source: web"), (Value::Null, "missing action_source")]
    {
        let mut event = v3_event();
        event["action_source"] = source;
        let verdict = judge(Api::V3, &json!({"data": {"events": [event]}}), NOW);
        assert_eq!(verdict.reply["error"]["message"], message);
    }
}

#[test]
fn every_problem_of_every_event_is_reported_not_only_the_first() {
    let mut a = v3_event();
    a["user"]["uuid"] = json!("test_uuid");
    a["user"]["ip"] = json!("1.2.3.4");
    let mut b = v3_event();
    b["event_at"] = json!(NOW - 8 * 24 * 3_600_000);
    b["type"] = json!({});
    let verdict = judge(Api::V3, &json!({"data": {"events": [a, b], "extra": 1}}), NOW);
    assert_eq!(
        paths(&verdict),
        [
            ("$.data.events[0].user.ip", "JSON error \"unknown field\" on field \"ip\""),
            ("$.data.extra", "JSON error \"unknown field\" on field \"extra\""),
            ("$.data.events[0].user.UUID", "UUID must be RFC-4122 compliant"),
            ("$.data.events[1].event_at", "event_at timestamp must be less than 168h0m0s old"),
        ]
    );
    assert_eq!(verdict.reply["error"]["fields"].as_array().map(Vec::len), Some(4));
    assert_eq!(verdict.warnings[0].rule, "type.tracking_type.missing");
}

#[test]
fn invalid_events_take_reddits_v2_and_v3_shapes() {
    let mut old = v2_event();
    old["event_at"] = json!("2018-10-14T09:03:17.562Z");
    let verdict = judge(Api::V2, &json!({"events": [v2_event(), old.clone()]}), NOW);
    assert_eq!(
        verdict.reply,
        json!({"message": "There were 1 invalid conversion events. None were processed.", "invalid_events": [{"error_message": "event_at timestamp must be less than 168h0m0s old", "event": old}]})
    );
    let mut bad = v3_event();
    bad["user"]["uuid"] = json!("1.oldest_uuid");
    let verdict = judge(Api::V3, &json!({"data": {"events": [bad]}}), NOW);
    assert_eq!(
        verdict.reply,
        json!({"error": {"code": 400, "message": "There were 1 invalid conversion events. None were processed.", "fields": [{"field": "$.data.events[0].user.UUID", "message": "UUID must be RFC-4122 compliant"}]}})
    );
}

#[test]
fn thin_evidence_is_a_warning_not_a_refusal() {
    let mut event = v2_event();
    event["event_metadata"] = json!({"currency": "usd", "value": 30});
    event["user"]["screen_dimensions"] = json!({"width": null, "height": null});
    event["event_type"] = json!({"tracking_type": "add_to_cart"});
    let verdict = judge(
        Api::V2,
        &json!({"events": [event, {"event_at": "2024-01-08T13:52:50Z", "event_type": {"tracking_type": "Lead"}, "user": {"screen_dimensions": {}}}]}),
        NOW,
    );
    assert!(verdict.accepted(), "{:?}", verdict.problems);
    let rules: Vec<&str> = verdict.warnings.iter().map(|w| w.rule).collect();
    assert_eq!(rules, ["type.tracking_type.unknown", "metadata.currency"]);
    let mut future = v3_event();
    future["event_at"] = json!(NOW + 10 * 60_000);
    future["action_source"] = json!("OFFLINE");
    let verdict = judge(Api::V3, &json!({"data": {"events": [future]}}), NOW);
    assert!(verdict.accepted());
    assert_eq!(verdict.warnings.len(), 2);
}

#[test]
fn request_level_refusals() {
    assert_eq!(
        judge(Api::V2, &json!({"events": []}), NOW).reply["message"],
        "events: at least one conversion event is required"
    );
    let many = json!({"events": vec![v2_event(); EVENTS_PER_REQUEST + 1]});
    assert_eq!(judge(Api::V2, &many, NOW).reply, json!({"message": "Bad Request"}));
    assert_eq!(judge(Api::V3, &json!({}), NOW).reply["error"]["message"], "events: is required");
    let (verdict, value) = judge_bytes(Api::V3, b"{", NOW);
    assert!(value.is_none() && verdict.status == 400);
    assert!(verdict.reply["error"]["message"].as_str().unwrap().starts_with("JSON error"));
}

#[test]
fn versions_are_told_apart_by_shape_and_path() {
    assert_eq!(Api::of_body(&json!({"data": {"events": []}})), Some(Api::V3));
    assert_eq!(Api::of_body(&json!({"events": []})), Some(Api::V2));
    assert_eq!(Api::of_body(&json!({"x": 1})), None);
    assert_eq!(Api::of_path("/api/v2.0/conversions/events/a2_x"), Some((Api::V2, "a2_x")));
    assert_eq!(Api::of_path("/api/v3/pixels/a2_x/conversion_events?x=1"), Some((Api::V3, "a2_x")));
    assert_eq!(Api::of_path("/api/v3/pixels//conversion_events"), None);
    assert_eq!(known_keys(Api::V3, &["data", "events", "user"]).map(|k| k.contains(&"uuid")), Some(true));
}
