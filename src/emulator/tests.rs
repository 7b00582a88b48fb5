//! Unit tests of the pure rules (no sockets).

use serde_json::{Value, json};

use super::rules::*;
use crate::reddit::ApiVersion::{self, V2, V3};

const NOW: i64 = 1_704_721_970_212; // 2024-01-08T13:52:50.212Z
const HOUR: i64 = 3_600_000;

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

/// The v2 `error_message` of a single-event request.
fn v2_error(event: Value) -> String {
    let reply = validate(V2, &v2_body(vec![event.clone()]), NOW).unwrap_err();
    assert_eq!(reply.status, 400);
    let body = json_of(&reply);
    assert_eq!(body["message"], "There were 1 invalid conversion events. None were processed.");
    assert_eq!(body["invalid_events"][0]["event"], event);
    body["invalid_events"][0]["error_message"].as_str().unwrap().to_string()
}

/// The v3 `fields` of a single-event request.
fn v3_fields(event: Value) -> Vec<(String, String)> {
    let reply = validate(V3, &v3_body(vec![event]), NOW).unwrap_err();
    assert_eq!(reply.status, 400);
    let body = json_of(&reply);
    assert_eq!(body["error"]["code"], 400);
    assert_eq!(body["error"]["message"], "There were 1 invalid conversion events. None were processed.");
    body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap().into(), f["message"].as_str().unwrap().into()))
        .collect()
}

fn one(field: &str, message: &str) -> Vec<(String, String)> {
    vec![(field.into(), message.into())]
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

#[test]
fn body_structure() {
    let err = |v: ApiVersion, body: &[u8]| json_of(&validate(v, body, NOW).unwrap_err()).clone();
    assert_eq!(
        err(V2, b"{nope"),
        json!({"message": "Malformed JSON in request body: key must be a string at line 1 column 2"})
    );
    assert_eq!(
        err(V3, b""),
        json!({"error": {"code": 400, "message": "Malformed JSON in request body: EOF while parsing a value at line 1 column 0"}})
    );
    assert_eq!(err(V2, b"[]"), json!({"message": "Request body must be a JSON object"}));
    assert_eq!(err(V2, br#"{"events": [], "extra": 1}"#), json!({"message": "extra: unknown field"}));
    assert_eq!(
        err(V3, br#"{"data": {"events": []}, "test_mode": true}"#),
        json!({"error": {"code": 400, "message": "test_mode: unknown field"}})
    );
    assert_eq!(
        err(V3, br#"{"data": {"events": [], "test_mode": true}}"#),
        json!({"error": {"code": 400, "message": "data.test_mode: unknown field"}})
    );
    assert_eq!(err(V3, br#"{}"#), json!({"error": {"code": 400, "message": "data: is required"}}));
    assert_eq!(err(V2, br#"{"test_mode": true}"#), json!({"message": "events: is required"}));
    assert_eq!(err(V2, br#"{"events": {}}"#), json!({"message": "events: must be an array"}));
    assert_eq!(
        err(V2, br#"{"events": []}"#),
        json!({"message": "events: at least one conversion event is required"})
    );
    assert_eq!(
        err(V2, br#"{"events": [], "test_mode": "yes"}"#),
        json!({"message": "test_mode: must be a boolean"})
    );
    assert_eq!(
        err(V3, br#"{"data": {"events": [], "test_id": 5}}"#),
        json!({"error": {"code": 400, "message": "data.test_id: must be a string"}})
    );
    assert_eq!(err(V2, &v2_body(vec![v2_event(); 1001])), json!({"message": "Bad Request"}));
    assert_eq!(
        err(V3, &v3_body(vec![v3_event(); 1001])),
        json!({"error": {"code": 400, "message": "Bad Request"}})
    );
    assert!(validate(V2, &v2_body(vec![v2_event(); 1000]), NOW).is_ok());
}

#[test]
fn v2_event_at() {
    assert_eq!(v2_error(with(v2_event(), &["event_at"], Value::Null)), "event_at: is required");
    assert_eq!(
        v2_error(with(v2_event(), &["event_at"], json!(NOW))),
        "event_at: must be an RFC 3339 timestamp string"
    );
    for not_rfc3339 in [
        "2024-01-08",
        "2024-01-08T13:52Z",
        "2024-01-08T13:52:50",
        "Mon, 08 Jan 2024 13:52:50 GMT",
        "2024-02-30T00:00:00Z",
    ] {
        assert_eq!(
            v2_error(with(v2_event(), &["event_at"], json!(not_rfc3339))),
            format!("event_at: {not_rfc3339:?} is not an RFC 3339 timestamp")
        );
    }
    let ok = |at: &str| validate(V2, &v2_body(vec![with(v2_event(), &["event_at"], json!(at))]), NOW).is_ok();
    assert!(
        ok("2024-01-08T18:52:50.212+05:00") && ok("2024-01-08T13:52:50Z") && ok("2024-01-08T13:55:50.212Z")
    );
    assert_eq!(
        v2_error(with(v2_event(), &["event_at"], json!("2024-01-01T13:52:50.212Z"))),
        "event_at: event_at timestamp must be less than 168h0m0s old"
    );
    assert!(ok("2024-01-01T13:52:50.213Z"));
    assert_eq!(
        v2_error(with(v2_event(), &["event_at"], json!("2024-01-08T13:57:50.213Z"))),
        "event_at: event_at timestamp must not be more than 5m0s in the future"
    );
    assert!(ok("2024-01-08T13:57:50.212Z"));
}

#[test]
fn v3_event_at() {
    assert_eq!(
        v3_fields(with(v3_event(), &["event_at"], Value::Null)),
        one("$.data.events[0].event_at", "is required")
    );
    assert_eq!(
        v3_fields(with(v3_event(), &["event_at"], json!(1_704_721_970))),
        one(
            "$.data.events[0].event_at",
            "1704721970 looks like epoch seconds; event_at must be epoch milliseconds"
        )
    );
    for bad in [json!("2024-01-08T13:52:50.212Z"), json!("1704721970212"), json!(1.704_721_970_212e12)] {
        assert_eq!(
            v3_fields(with(v3_event(), &["event_at"], bad)),
            one("$.data.events[0].event_at", "must be an integer (epoch milliseconds)")
        );
    }
    assert_eq!(
        v3_fields(with(v3_event(), &["event_at"], json!(NOW - 168 * HOUR))),
        one("$.data.events[0].event_at", "event_at timestamp must be less than 168h0m0s old")
    );
    assert_eq!(
        v3_fields(with(v3_event(), &["event_at"], json!(NOW + 5 * 60_000 + 1))),
        one("$.data.events[0].event_at", "event_at timestamp must not be more than 5m0s in the future")
    );
}

#[test]
fn tracking_types_and_custom_names() {
    assert_eq!(
        v2_error(with(v2_event(), &["event_type", "tracking_type"], json!("PURCHASE"))),
        "event_type.tracking_type: \"PURCHASE\" is not one of PageVisit, ViewContent, Search, AddToCart, AddToWishlist, Purchase, Lead, SignUp, Custom"
    );
    assert_eq!(
        v3_fields(with(v3_event(), &["type", "tracking_type"], json!("Purchase"))),
        one(
            "$.data.events[0].type.tracking_type",
            "\"Purchase\" is not one of PAGE_VISIT, VIEW_CONTENT, SEARCH, ADD_TO_CART, ADD_TO_WISHLIST, PURCHASE, LEAD, SIGN_UP, CUSTOM"
        )
    );
    assert_eq!(v2_error(with(v2_event(), &["event_type"], Value::Null)), "event_type: is required");
    assert_eq!(
        v2_error(with(v2_event(), &["event_type", "tracking_type"], Value::Null)),
        "event_type.tracking_type: is required"
    );

    let custom = with(v2_event(), &["event_type", "tracking_type"], json!("Custom"));
    assert_eq!(v2_error(custom.clone()), "event_type.custom_event_name: is required for Custom events");
    assert_eq!(
        v2_error(with(custom.clone(), &["event_type", "custom_event_name"], json!(""))),
        "event_type.custom_event_name: is required for Custom events"
    );
    let ok = |name: String| {
        validate(
            V2,
            &v2_body(vec![with(custom.clone(), &["event_type", "custom_event_name"], json!(name))]),
            NOW,
        )
    };
    // 64 characters of 2 bytes each pass: characters are counted, not bytes.
    assert!(ok("é".repeat(64)).is_ok());
    assert_eq!(
        v2_error(with(custom.clone(), &["event_type", "custom_event_name"], json!("é".repeat(65)))),
        "event_type.custom_event_name: must be at most 64 characters (got 65)"
    );
    let v3_custom = with(v3_event(), &["type", "tracking_type"], json!("CUSTOM"));
    assert_eq!(
        v3_fields(v3_custom),
        one("$.data.events[0].type.custom_event_name", "is required for CUSTOM events")
    );
}

#[test]
fn v3_requirements() {
    assert_eq!(
        v3_fields(with(v3_event(), &["action_source"], Value::Null)),
        one("$.data.events[0].action_source", "is required")
    );
    assert_eq!(
        v3_fields(with(v3_event(), &["action_source"], json!("website"))),
        one(
            "$.data.events[0].action_source",
            "\"website\" is not one of WEBSITE, APP, OTHER, PHYSICAL_STORE"
        )
    );
    assert_eq!(
        v3_fields(with(
            v3_event(),
            &["metadata", "products"],
            json!([{"id": "a"}, {"name": "x"}, {"id": " "}])
        )),
        vec![
            ("$.data.events[0].metadata.products[1].id".to_string(), "is required".to_string()),
            ("$.data.events[0].metadata.products[2].id".to_string(), "is required".to_string())
        ]
    );
    assert_eq!(
        v3_fields(with(v3_event(), &["user", "uuid"], json!("uuid_1"))),
        one("$.data.events[0].user.uuid", "\"uuid_1\" is not an RFC 4122 UUID")
    );
    // v2 takes any uuid string and products without ids.
    let v2 = with(
        with(v2_event(), &["user", "uuid"], json!("1684189007728.x")),
        &["event_metadata", "products"],
        json!([{"name": "x"}]),
    );
    assert!(validate(V2, &v2_body(vec![v2]), NOW).is_ok());
}

#[test]
fn metadata_and_user_types() {
    assert_eq!(
        v2_error(with(v2_event(), &["event_metadata", "currency"], json!("usd"))),
        "event_metadata.currency: \"usd\" is not an ISO 4217 currency code; use \"USD\""
    );
    assert_eq!(
        v3_fields(with(v3_event(), &["metadata", "currency"], json!("XYZ"))),
        one("$.data.events[0].metadata.currency", "\"XYZ\" is not an ISO 4217 currency code")
    );
    for bad in [json!("2"), json!(2.5)] {
        assert_eq!(
            v2_error(with(v2_event(), &["event_metadata", "item_count"], bad)),
            "event_metadata.item_count: must be an integer"
        );
    }
    assert_eq!(
        v2_error(with(v2_event(), &["event_metadata", "value_decimal"], json!("10"))),
        "event_metadata.value_decimal: must be a number"
    );
    assert_eq!(
        v3_fields(with(v3_event(), &["metadata", "value"], json!("10"))),
        one("$.data.events[0].metadata.value", "must be a number")
    );
    assert_eq!(
        v2_error(with(v2_event(), &["user", "screen_dimensions"], json!({"height": 1.5, "width": "2"}))),
        "user.screen_dimensions.height: must be an integer; user.screen_dimensions.width: must be an integer"
    );
    assert_eq!(
        v3_fields(with(v3_event(), &["user", "screen_dimensions"], json!({"height": 1}))),
        one("$.data.events[0].user.screen_dimensions.width", "is required")
    );
    assert_eq!(v2_error(with(v2_event(), &["user", "email"], json!(5))), "user.email: must be a string");
    assert_eq!(v2_error(with(v2_event(), &["user"], json!("x"))), "user: must be an object");
    assert_eq!(v2_error(json!(5)), "event: must be an object");
    assert_eq!(v3_fields(json!([])), one("$.data.events[0]", "must be an object"));
}

#[test]
fn one_bad_event_rejects_all_and_counts_invalid_events() {
    let bad = with(v3_event(), &["action_source"], Value::Null);
    let worse = with(with(v3_event(), &["action_source"], Value::Null), &["user", "uuid"], json!("x"));
    let reply = validate(V3, &v3_body(vec![v3_event(), bad, worse]), NOW).unwrap_err();
    assert_eq!(
        json_of(&reply),
        &json!({"error": {"code": 400, "message": "There were 2 invalid conversion events. None were processed.", "fields": [
            {"field": "$.data.events[1].action_source", "message": "is required"},
            {"field": "$.data.events[2].action_source", "message": "is required"},
            {"field": "$.data.events[2].user.uuid", "message": "\"x\" is not an RFC 4122 UUID"}
        ]}})
    );
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
    for ok in [
        "2024-01-08T13:52:50Z",
        "2024-01-08T13:52:50.212Z",
        "2024-01-08t13:52:50.1+05:30",
        "2024-01-08T13:52:50-00:00",
    ] {
        assert!(is_rfc3339(ok), "{ok}");
    }
    for bad in [
        "2024-01-08",
        "2024-01-08 13:52:50Z",
        "2024-01-08T13:52:50",
        "2024-01-08T13:52:50.Z",
        "2024-01-08T13:52:50+0500",
        "",
    ] {
        assert!(!is_rfc3339(bad), "{bad}");
    }
}
