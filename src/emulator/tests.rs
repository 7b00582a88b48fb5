//! Unit tests of the pure rules (no sockets).

use serde_json::{Value, json};

use super::rules::*;
use crate::reddit::ApiVersion::{self, V2, V3};

const NOW: i64 = 1_704_721_970_212; // 2024-01-08T13:52:50.212Z

fn v2_event() -> Value {
    json!({"event_at": "2024-01-08T13:52:50.212Z", "event_type": {"tracking_type": "Purchase"},
        "event_metadata": {"currency": "USD", "item_count": 2, "value_decimal": 10.5, "conversion_id": "c1",
            "products": [{"id": "p1", "name": "n", "category": "c"}]},
        "user": {"email": "e", "uuid": "uuid_1", "screen_dimensions": {"height": 1, "width": 2},
            "data_processing_options": {"country": "US", "modes": ["LDU"], "region": "CA"}}})
}

fn v3_event() -> Value {
    json!({"event_at": NOW, "action_source": "WEBSITE", "type": {"tracking_type": "PURCHASE"},
        "metadata": {"currency": "EUR", "item_count": 1, "value": 3, "conversion_id": "c1",
            "products": [{"id": "p1", "quantity": 2, "item_price": 1.5}]},
        "user": {"uuid": "7c6a1e5a-aaaa-4bbb-8ccc-123456789012"}})
}

fn v2_body(events: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({"events": events, "test_mode": true, "partner": "SEGMENT"})).unwrap()
}

fn v3_body(events: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({"data": {"events": events, "test_id": "t-1"}})).unwrap()
}

fn with(mut base: Value, path: &[&str], value: Value) -> Value {
    let mut cur = &mut base;
    for key in &path[..path.len() - 1] {
        cur = &mut cur[*key];
    }
    let last = path[path.len() - 1];
    if value.is_null() {
        cur.as_object_mut().unwrap().remove(last);
    } else {
        cur[last] = value;
    }
    base
}

fn json_of(reply: &Reply) -> &Value {
    match &reply.body {
        ReplyBody::Json(v) => v,
        ReplyBody::Text(t) => panic!("text body {t}"),
    }
}

#[test]
fn authorization() {
    let no_bearer = Reply::json(401, json!({"message": "No bearer token provided"}));
    assert_eq!(authorize(V2, None, None), Err(no_bearer.clone()));
    assert_eq!(authorize(V2, Some(b""), Some("t")), Err(no_bearer.clone()));
    assert_eq!(authorize(V2, Some(b"Bearer "), None), Err(no_bearer.clone()));
    assert_eq!(authorize(V2, Some(b"Bearer"), None), Err(no_bearer));
    assert_eq!(
        authorize(V3, None, None),
        Err(Reply::json(401, json!({"error": {"code": 401, "message": "No bearer token provided"}})))
    );
    assert_eq!(authorize(V3, Some(b"Basic abc"), None), Err(Reply::text(401, "Authorization Required")));
    assert_eq!(authorize(V2, Some(b"Token"), None), Err(Reply::text(401, "Authorization Required")));
    assert_eq!(
        authorize(V2, Some(b"Bearer nope"), Some("secret")),
        Err(Reply::json(401, json!({"message": "UNAUTHORIZED"})))
    );
    assert_eq!(authorize(V2, Some(b"Bearer secret"), Some("secret")), Ok(()));
    assert_eq!(authorize(V2, Some(b"bearer  secret "), Some("secret")), Ok(()));
    assert_eq!(authorize(V2, Some(b"Bearer anything"), None), Ok(()));
    assert_eq!(authorize(V2, Some(b"Bearer anything"), Some("  ")), Ok(()));
}

#[test]
fn pixel() {
    assert_eq!(check_pixel(V2, "a2_x", None), Ok(()));
    assert_eq!(check_pixel(V2, "a2_x", Some("a2_x")), Ok(()));
    assert_eq!(
        check_pixel(V2, "a2_y", Some("a2_x")),
        Err(Reply::json(
            403,
            json!({"message": "You're not authorized to post conversions to Pixel ID a2_y."})
        ))
    );
    assert_eq!(
        check_pixel(V3, "a2_y", Some("a2_x")),
        Err(Reply::json(
            403,
            json!({"error": {"code": 403, "message": "You're not authorized to post conversions to Pixel ID a2_y."}})
        ))
    );
}

#[test]
fn request_checks_run_in_reddits_order() {
    let config = super::Config {
        token: Some("secret".into()),
        pixel: Some("a2_x".into()),
        ..super::Config::default()
    };
    let good = v2_body(vec![v2_event()]);
    let check =
        |pixel: &str, auth: &[u8], body: &[u8]| check_request(&config, V2, pixel, Some(auth), body, NOW);
    // The token first, then the pixel, then the body.
    assert_eq!(check("a2_y", b"Bearer nope", b"{").unwrap_err().status, 401);
    assert_eq!(check("a2_y", b"Bearer secret", b"{").unwrap_err().status, 403);
    assert_eq!(check("a2_x", b"Bearer secret", b"{").unwrap_err().status, 400);
    assert_eq!(check("a2_x", b"Bearer secret", &good), validate(V2, &good, NOW));
    assert_eq!(
        check_request(&config, V3, "a2_x", None, &good, NOW),
        Err(authorize(V3, None, None).unwrap_err())
    );
    // Without a configured token and pixel, any bearer token and pixel pass.
    let open = super::Config::default();
    assert!(check_request(&open, V2, "anything", Some(b"Bearer t"), &good, NOW).is_ok());
}

#[test]
fn success_and_test_flags() {
    let ok = validate(V2, &v2_body(vec![v2_event(), v2_event()]), NOW).unwrap();
    assert_eq!((ok.events.len(), ok.test, ok.partner.as_deref()), (2, true, Some("SEGMENT")));
    let ok = validate(V3, &v3_body(vec![v3_event()]), NOW).unwrap();
    assert_eq!((ok.test, ok.test_id.as_deref()), (true, Some("t-1")));
    let plain = serde_json::to_vec(&json!({"data": {"events": [v3_event()]}})).unwrap();
    assert!(!validate(V3, &plain, NOW).unwrap().test);
    let plain = serde_json::to_vec(&json!({"events": [v2_event()]})).unwrap();
    assert!(!validate(V2, &plain, NOW).unwrap().test);
    assert_eq!(
        Reply::success(V2, 3),
        Reply::json(200, json!({"message": "Successfully processed 3 conversion events."}))
    );
    assert_eq!(
        Reply::success(V3, 1),
        Reply::json(200, json!({"data": {"message": "Successfully processed 1 conversion events."}}))
    );
}

/// The reply `validate` gives (200 on acceptance).
fn answer(v: ApiVersion, body: &[u8]) -> (u16, Value) {
    match validate(v, body, NOW) {
        Ok(accepted) => (200, json!({"events": accepted.events.len()})),
        Err(reply) => (reply.status, json_of(&reply).clone()),
    }
}

#[test]
fn the_emulator_answers_what_the_core_verdict_says() {
    let bodies: Vec<(ApiVersion, Vec<u8>)> = vec![
        (V2, v2_body(vec![v2_event(), v2_event()])),
        (V3, v3_body(vec![v3_event()])),
        (V2, b"{nope".to_vec()),
        (V3, b"".to_vec()),
        (V2, b"[]".to_vec()),
        (V2, br#"{"events": [], "extra": 1}"#.to_vec()),
        (V3, br#"{"data": {"events": [], "test_mode": true}}"#.to_vec()),
        (V2, v2_body(vec![v2_event(); 1001])),
        (
            V3,
            v3_body(vec![
                with(v3_event(), &["user", "uuid"], json!("x")),
                with(v3_event(), &["action_source"], json!("web")),
            ]),
        ),
        (V2, v2_body(vec![with(v2_event(), &["event_at"], json!("2018-10-14T09:03:17.562Z"))])),
    ];
    for (v, body) in bodies {
        let (verdict, _) = crate::verdict::judge_bytes(api_of(v), &body, NOW);
        let (status, reply) = answer(v, &body);
        assert_eq!(status, verdict.status, "{}", String::from_utf8_lossy(&body));
        if status != 200 {
            assert_eq!(reply, verdict.reply);
        }
    }
    assert_eq!(answer(V2, &v2_body(vec![v2_event(); 1000])).0, 200);
}

#[test]
fn wrong_types_are_refused_with_reddits_decode_wording() {
    let explanation = |event: Value| answer(V2, &v2_body(vec![event])).1["error"]["explanation"].clone();
    assert_eq!(
        explanation(with(v2_event(), &["event_metadata", "item_count"], json!("2"))),
        "JSON error unexpected type string on field events event_metadata item_count"
    );
    assert_eq!(
        explanation(with(v2_event(), &["user", "screen_dimensions"], json!({"height": 1.5, "width": 2}))),
        "JSON error unexpected type number on field events user screen_dimensions height"
    );
    assert_eq!(explanation(json!(5)), "JSON error unexpected type number on field events");
    let (status, body) = answer(V3, &v3_body(vec![with(v3_event(), &["metadata", "value"], json!("10"))]));
    assert_eq!(status, 400);
    assert_eq!(body["error"]["message"], "JSON error \"unexpected type string\" on field \"value\"");
    assert_eq!(body["error"]["fields"][0]["field"], "$.data.events[0].metadata.value");
}

#[test]
fn bodies_the_old_emulator_refused_and_reddit_takes() {
    // Reddit's own sGTM template (v2 `event_at_ms`, `partner_version`, `test_id`), RudderStack's
    // `screen_dimensions: {}`, PostHog's null dimensions and `"usd"` (docs/reddit-rules.md).
    let v2 = json!({"events": [{"event_at_ms": NOW, "event_type": {"tracking_type": "PageVisit"},
        "event_metadata": {"currency": "usd", "value": 30}, "user": {"screen_dimensions": {"width": null, "height": null}}},
        {"event_at": "2024-01-08T13:52:50.212Z", "event_type": {"tracking_type": "Purchase"}, "user": {"screen_dimensions": {}}}],
        "partner": "SGTM", "partner_version": "1.0.0", "test_id": "t2_x"});
    let ok = validate(V2, &serde_json::to_vec(&v2).unwrap(), NOW).unwrap();
    assert!(ok.test && ok.events.len() == 2 && ok.test_id.as_deref() == Some("t2_x"));
    let v3 = json!({"data": {"events": [v3_event()], "partner": "SGTM", "partner_version": "2.0.0"}});
    assert!(!validate(V3, &serde_json::to_vec(&v3).unwrap(), NOW).unwrap().test);
}

#[test]
fn default_fault_replies() {
    assert_eq!(
        Reply::default_for_status(V2, 429, "p"),
        Reply::json(429, json!({"message": "Too many requests/events within timeframe."}))
    );
    assert_eq!(
        Reply::default_for_status(V3, 503, "p"),
        Reply::json(
            503,
            json!({"error": {"code": 503, "message": "The service is currently unavailable. No conversion events were processed."}})
        )
    );
    assert_eq!(Reply::default_for_status(V2, 418, "p"), Reply::json(418, json!({"message": "I'm a teapot"})));
}

#[test]
fn rfc3339_shape() {
    use crate::verdict::formats::rfc3339_millis;
    for ok in [
        "2024-01-08T13:52:50Z",
        "2024-01-08T13:52:50.212Z",
        "2024-01-08t13:52:50.1+05:30",
        "2024-01-08T13:52:50-00:00",
    ] {
        assert!(rfc3339_millis(ok).is_some(), "{ok}");
    }
    for bad in [
        "2024-01-08",
        "2024-01-08 13:52:50Z",
        "2024-01-08T13:52:50",
        "2024-01-08T13:52:50.Z",
        "2024-01-08T13:52:50+0500",
        "",
    ] {
        assert!(rfc3339_millis(bad).is_none(), "{bad}");
    }
}
