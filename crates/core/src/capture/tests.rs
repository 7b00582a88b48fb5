use serde_json::json;

use super::*;

#[test]
fn a_curl_command_line_gives_its_url_and_body() {
    let text = "curl -X POST 'https://ads-api.reddit.com/api/v3/pixels/a2_x/conversion_events' \\\n  -H 'Authorization: Bearer $T' \\\n  --data-raw '{\"data\": {\"events\": []}}'";
    let got = from_curl("c.txt", text).unwrap();
    assert_eq!((got.api, got.pixel.as_deref()), (Some(Api::V3), Some("a2_x")));
    assert_eq!(got.body, "{\"data\": {\"events\": []}}");
    let dq =
        from_curl("d", r#"curl "http://127.0.0.1:9/api/v2.0/conversions/events/p" -d "{\"events\": []}""#)
            .unwrap();
    assert_eq!((dq.api, dq.body.as_str()), (Some(Api::V2), r#"{"events": []}"#));
    assert_eq!(from_curl("e", "wget x"), Err(CaptureError::NotCurl { place: "e".into() }));
    assert_eq!(from_curl("e", "curl 'x"), Err(CaptureError::UnclosedQuote { place: "e".into() }));
    assert_eq!(from_curl("e", "curl -d '{}'"), Err(CaptureError::NoUrl { place: "e".into() }));
    assert_eq!(from_curl("e", "curl https://a/b"), Err(CaptureError::NoBody { place: "e".into() }));
}

#[test]
fn a_har_yields_only_conversions_requests_among_other_traffic() {
    let har = json!({"log": {"version": "1.2", "creator": {"name": "x"}, "entries": [
        {"request": {"method": "GET", "url": "https://shop.example/", "headers": []}, "response": {"content": {"text": "<html>"}}},
        {"request": {"method": "POST", "url": "https://ads-api.reddit.com/api/v2.0/conversions/events/a2_x", "postData": {"mimeType": "application/json", "text": "{\"events\":[]}"}}, "response": {}},
        {"request": {"method": "POST", "url": "https://www.redditstatic.com/ads/pixel.js"}},
        {"response": {}, "request": {"method": "POST", "url": "https://ads-api.reddit.com/api/v3/pixels/a2_y/conversion_events", "postData": {"text": "{}"}}}
    ]}});
    let mut got = Vec::new();
    let summary = har_requests("h.har", har.to_string().as_bytes(), |c| got.push(c)).unwrap();
    assert_eq!(summary, HarSummary { entries: 4, matched: 2 });
    assert_eq!(got[0].place, "h.har: entry 1");
    assert_eq!(
        (got[1].api, got[1].pixel.as_deref(), got[1].body.as_str()),
        (Some(Api::V3), Some("a2_y"), "{}")
    );
    let err =
        har_requests("h.har", &b"{\"log\": {\"entries\": [\n{\"request\": 5}]}}"[..], |_| {}).unwrap_err();
    assert!(matches!(err, CaptureError::Har { line: 2, .. }), "{err}");
    assert!(matches!(har_requests("h.har", &b"{\"x\": 1}"[..], |_| {}), Err(CaptureError::Har { .. })));
}

#[test]
fn identifiers_are_told_apart() {
    let body = json!({"data": {"events": [{"user": {
        "email": "Jane@Example.com", "phone_number": "+1 650 555 1212", "ip_address": &"a".repeat(64),
        "external_id": "u-1", "uuid": "1700000000000.6f1c5a0e-2b7d-4c1e-9a3f-0d2e4b6c8a10"},
        "metadata": {"conversion_id": "order-1"}}]}});
    let kinds: Vec<(String, IdentifierKind)> =
        identifiers(Api::V3, &body).into_iter().map(|i| (i.path, i.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("$.data.events[0].user.email".to_string(), IdentifierKind::RawPii),
            ("$.data.events[0].user.phone_number".to_string(), IdentifierKind::RawPii),
            ("$.data.events[0].user.external_id".to_string(), IdentifierKind::Unhashed),
            ("$.data.events[0].user.ip_address".to_string(), IdentifierKind::Sha256),
            ("$.data.events[0].metadata.conversion_id".to_string(), IdentifierKind::Unhashed),
            ("$.data.events[0].user.uuid".to_string(), IdentifierKind::RdtUuidCookie),
        ]
    );
}

#[test]
fn text_is_told_apart_by_what_it_holds_and_errors_say_line_and_column() {
    let curl = "curl 'https://ads-api.reddit.com/api/v3/pixels/a2_x/conversion_events' -d '{\"data\": {}}'";
    let got = from_text("t", curl).unwrap();
    assert_eq!((got.len(), got[0].api, got[0].pixel.as_deref()), (1, Some(Api::V3), Some("a2_x")));
    let har = json!({"log": {"entries": [
        {"request": {"method": "GET", "url": "https://shop.example/"}},
        {"request": {"method": "POST", "url": "https://ads-api.reddit.com/api/v2.0/conversions/events/a2_x", "postData": {"text": "{\"events\":[]}"}}},
        {"request": {"method": "POST", "url": "https://ads-api.reddit.com/api/v3/pixels/a2_y/conversion_events", "postData": {"text": "{}"}}}
    ]}});
    let got = from_text("h", &har.to_string()).unwrap();
    assert_eq!(got.iter().map(|c| c.place.as_str()).collect::<Vec<_>>(), ["h: entry 1", "h: entry 2"]);
    let none = json!({"log": {"entries": [{"request": {"url": "https://shop.example/"}}]}});
    assert_eq!(
        from_text("h", &none.to_string()),
        Err(CaptureError::NoneInHar { place: "h".into(), entries: 1 })
    );
    let body = from_text("b", "{\n  \"events\": []\n}").unwrap();
    assert_eq!((body.len(), body[0].url.as_ref()), (1, None));
    // A pretty body cut short: the error is where the text ends, not on its first line.
    let cut = from_text("b", "{\n  \"events\": [\n    {\"event_at\": ").unwrap_err();
    assert!(matches!(cut, CaptureError::Json { line: 3, .. }), "{cut:?}");
    assert!(!cut.to_string().contains(" at line "), "one position, not two: {cut}");
    let lines = from_text("l", "{\"events\": []}\n\n{\"data\": {}}\n").unwrap();
    assert_eq!(lines.iter().map(|c| c.place.as_str()).collect::<Vec<_>>(), ["l:1", "l:3"]);
    let bad = from_text("l", "{\"events\": []}\n{\"events\": [}\n").unwrap_err();
    assert!(matches!(bad, CaptureError::Json { line: 2, column: 13, .. }), "{bad:?}");
}

#[test]
fn the_version_comes_from_the_url_then_the_caller_then_the_shape_then_the_fallback() {
    let c = |url: Option<&str>, body: &str| Captured {
        place: "p".into(),
        method: "POST".into(),
        api: url.and_then(endpoint).map(|e| e.0),
        pixel: None,
        url: url.map(str::to_string),
        body: body.into(),
    };
    let v3_url = Some("https://ads-api.reddit.com/api/v3/pixels/a/conversion_events");
    let got = check(&c(v3_url, "{\"events\": []}"), Some(Api::V2), None, 0).unwrap();
    assert_eq!((got.api, got.api_from), (Api::V3, "the URL"));
    let got = check(&c(None, "{\"data\": {}}"), None, None, 0).unwrap();
    assert_eq!((got.api, got.api_from), (Api::V3, "the body's shape"));
    assert!(check(&c(None, "{}"), None, None, 0).is_none());
    let got = check(&c(None, "{}"), None, Some((Api::V2, "the top bar")), 0).unwrap();
    assert_eq!((got.api, got.api_from, got.verdict.accepted()), (Api::V2, "the top bar", false));
    let raw =
        check(&c(None, "{\"data\": {\"events\": [{\"user\": {\"email\": \"a@b.c\"}}]}}"), None, None, 0)
            .unwrap();
    assert_eq!(raw.identifiers[0].kind, IdentifierKind::RawPii);
    assert!(raw.body.is_some());
}
