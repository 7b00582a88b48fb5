//! Conformance suite of the local Reddit Conversions API emulator, through real HTTP on loopback.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use reddit_capi_console::emulator::{Clock, Config, Dedup, Emulator, Fault};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const NOW: i64 = 1_704_721_970_212; // 2024-01-08T13:52:50.212Z
const NOW_RFC3339: &str = "2024-01-08T13:52:50.212Z";
const TOKEN: &str = "secret-token";
const PIXEL: &str = "a2_pixel";

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

fn config() -> Config {
    Config {
        token: Some(TOKEN.into()),
        pixel: Some(PIXEL.into()),
        clock: Clock::fixed(NOW),
        ..Config::default()
    }
}

async fn start(config: Config) -> Emulator {
    Emulator::start(loopback(), config).await.expect("emulator starts")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(5)).build().unwrap()
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum V {
    V2,
    V3,
}

fn url(emu: &Emulator, v: V, pixel: &str) -> String {
    match v {
        V::V2 => format!("{}/api/v2.0/conversions/events/{pixel}", emu.base_url()),
        V::V3 => format!("{}/api/v3/pixels/{pixel}/conversion_events", emu.base_url()),
    }
}

fn v2_event() -> Value {
    json!({"event_at": NOW_RFC3339, "event_type": {"tracking_type": "Purchase"},
        "event_metadata": {"currency": "USD", "item_count": 1, "value_decimal": 9.99, "conversion_id": "conv-1",
            "products": [{"id": "p1"}]},
        "user": {"email": "e", "screen_dimensions": {"height": 800, "width": 600}}})
}

fn v3_event() -> Value {
    json!({"event_at": NOW, "action_source": "WEBSITE", "type": {"tracking_type": "PURCHASE"},
        "metadata": {"currency": "USD", "item_count": 1, "value": 9.99, "conversion_id": "conv-1",
            "products": [{"id": "p1"}]},
        "user": {"uuid": "7c6a1e5a-aaaa-4bbb-8ccc-123456789012", "screen_dimensions": {"height": 800, "width": 600}}})
}

fn body(v: V, events: Vec<Value>) -> Value {
    match v {
        V::V2 => json!({"events": events, "test_mode": true}),
        V::V3 => json!({"data": {"events": events, "test_id": "t-123"}}),
    }
}

/// Sets (or, with null, removes) the value at `path`.
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

async fn body_json(r: reqwest::Response) -> Value {
    let bytes = r.bytes().await.expect("body");
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)))
}

async fn post_raw(emu: &Emulator, v: V, auth: Option<&str>, bytes: Vec<u8>) -> reqwest::Response {
    let mut req = client().post(url(emu, v, PIXEL)).header("content-type", "application/json").body(bytes);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    req.send().await.expect("response")
}

async fn post(emu: &Emulator, v: V, payload: &Value) -> (u16, Value) {
    let r = post_raw(emu, v, Some(&format!("Bearer {TOKEN}")), serde_json::to_vec(payload).unwrap()).await;
    let status = r.status().as_u16();
    (status, body_json(r).await)
}

async fn events(emu: &Emulator) -> Vec<Value> {
    let r = client().get(format!("{}/_emulator/events", emu.base_url())).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = body_json(r).await;
    v["events"].as_array().unwrap().clone()
}

async fn queue(emu: &Emulator, fault: Value) -> Value {
    let r = client()
        .post(format!("{}/_emulator/faults", emu.base_url()))
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&fault).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    body_json(r).await
}

fn invalid_v2(event: &Value, error_message: &str) -> Value {
    json!({"message": "There were 1 invalid conversion events. None were processed.",
        "invalid_events": [{"error_message": error_message, "event": event}]})
}

#[tokio::test]
async fn success_bodies() {
    let emu = start(config()).await;
    assert_eq!(
        post(&emu, V::V2, &body(V::V2, vec![v2_event(), v2_event()])).await,
        (200, json!({"message": "Successfully processed 2 conversion events."}))
    );
    assert_eq!(
        post(&emu, V::V3, &body(V::V3, vec![v3_event()])).await,
        (200, json!({"data": {"message": "Successfully processed 1 conversion events."}}))
    );
    assert_eq!(emu.received().len(), 3);
    emu.shutdown().await;
}

#[tokio::test]
async fn bearer_token_checks() {
    let emu = start(config()).await;
    let payload = serde_json::to_vec(&body(V::V2, vec![v2_event()])).unwrap();
    for (v, auth, want) in [
        (V::V2, None, json!({"message": "No bearer token provided"})),
        (V::V2, Some("Bearer "), json!({"message": "No bearer token provided"})),
        (V::V3, None, json!({"error": {"code": 401, "message": "No bearer token provided"}})),
        (V::V2, Some("Bearer wrong"), json!({"message": "UNAUTHORIZED"})),
        (V::V3, Some("Bearer wrong"), json!({"error": {"code": 401, "message": "UNAUTHORIZED"}})),
    ] {
        let r = post_raw(&emu, v, auth, payload.clone()).await;
        assert_eq!(r.status(), 401, "{auth:?}");
        assert_eq!(body_json(r).await, want, "{auth:?}");
    }
    let r = post_raw(&emu, V::V2, Some("Basic dXNlcjpwYXNz"), payload.clone()).await;
    assert_eq!(r.status(), 401);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert_eq!(r.text().await.unwrap(), "Authorization Required");
    assert!(emu.received().is_empty());

    // Without a configured token any non-empty bearer token passes.
    let open = start(Config { clock: Clock::fixed(NOW), ..Config::default() }).await;
    let r = post_raw(&open, V::V2, Some("Bearer whatever"), payload.clone()).await;
    assert_eq!(r.status(), 200);
    let r = post_raw(&open, V::V2, None, payload).await;
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn pixel_check() {
    let emu = start(config()).await;
    let auth = format!("Bearer {TOKEN}");
    for (v, want) in [
        (V::V2, json!({"message": "You're not authorized to post conversions to Pixel ID t2_other."})),
        (
            V::V3,
            json!({"error": {"code": 403, "message": "You're not authorized to post conversions to Pixel ID t2_other."}}),
        ),
    ] {
        let r = client()
            .post(url(&emu, v, "t2_other"))
            .header("authorization", &auth)
            .body(serde_json::to_vec(&body(v, vec![])).unwrap())
            .send();
        let r = r.await.unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(body_json(r).await, want);
    }
}

/// A v2 decode refusal: the shape and wording Reddit's reply has in RudderStack's fixtures.
fn decode_v2(explanation: &str) -> Value {
    json!({"success": false, "error": {"reason": "UNAUTHORIZED", "explanation": explanation}})
}

/// A v3 refusal that names one problem in `message` and lists every problem in `fields`.
fn refused_v3(message: &str, fields: &[(&str, &str)]) -> Value {
    let fields: Vec<Value> = fields.iter().map(|(f, m)| json!({"field": f, "message": m})).collect();
    json!({"error": {"code": 400, "message": message, "fields": fields}})
}

#[tokio::test]
async fn malformed_json_and_body_structure() {
    let emu = start(config()).await;
    let auth = format!("Bearer {TOKEN}");
    let r = post_raw(&emu, V::V2, Some(&auth), b"{\"events\": [".to_vec()).await;
    assert_eq!(r.status(), 400);
    assert_eq!(body_json(r).await, decode_v2("JSON error: EOF while parsing a list at line 1 column 12"));
    let r = post_raw(&emu, V::V3, Some(&auth), b"not json".to_vec()).await;
    assert_eq!(r.status(), 400);
    let message = "JSON error: expected ident at line 1 column 2";
    assert_eq!(body_json(r).await, refused_v3(message, &[("$", message)]));
    // Unknown keys, at the top as anywhere (Reddit's decoder is strict: docs/reddit-rules.md).
    let mut v2 = body(V::V2, vec![v2_event()]);
    v2["testMode"] = json!(true);
    assert_eq!(post(&emu, V::V2, &v2).await, (400, decode_v2("JSON error unknown field on field testMode")));
    let v3 = json!({"data": {"events": [v3_event()]}, "test_mode": true});
    let message = "JSON error \"unknown field\" on field \"test_mode\"";
    assert_eq!(post(&emu, V::V3, &v3).await, (400, refused_v3(message, &[("$.test_mode", message)])));
    // More than 1,000 events.
    assert_eq!(
        post(&emu, V::V2, &body(V::V2, vec![v2_event(); 1001])).await,
        (400, json!({"message": "Bad Request"}))
    );
    assert_eq!(
        post(&emu, V::V3, &body(V::V3, vec![v3_event(); 1001])).await,
        (400, refused_v3("Bad Request", &[("$.data.events", "Bad Request")]))
    );
    assert!(emu.received().is_empty());
}

#[tokio::test]
async fn every_v2_event_rule() {
    let emu = start(config()).await;
    let old = "2024-01-01T13:52:50.212Z";
    let custom = with(v2_event(), &["event_type"], json!({"tracking_type": "Custom"}));
    let refused: Vec<(Value, &str)> = vec![
        (with(v2_event(), &["event_at"], Value::Null), "event_at: is required"),
        (
            with(v2_event(), &["event_at"], json!("2024-01-08")),
            "event_at: \"2024-01-08\" is not an RFC 3339 timestamp",
        ),
        (with(v2_event(), &["event_at"], json!(old)), "event_at timestamp must be less than 168h0m0s old"),
    ];
    for (event, message) in refused {
        let got = post(&emu, V::V2, &body(V::V2, vec![event.clone()])).await;
        assert_eq!(got, (400, invalid_v2(&event, message)), "{message}");
    }
    let wrong_types: Vec<(Value, &str)> = vec![
        (with(v2_event(), &["event_at"], json!(NOW)), "unexpected type number on field events event_at"),
        (
            with(v2_event(), &["event_metadata", "item_count"], json!(1.5)),
            "unexpected type number on field events event_metadata item_count",
        ),
        (
            with(v2_event(), &["event_metadata", "value"], json!(15.5)),
            "unexpected type number on field events event_metadata value",
        ),
        (
            with(v2_event(), &["event_metadata", "value_decimal"], json!("9.99")),
            "unexpected type string on field events event_metadata value_decimal",
        ),
        (
            with(v2_event(), &["user", "screen_dimensions", "width"], json!("600")),
            "unexpected type string on field events user screen_dimensions width",
        ),
        (with(v2_event(), &["user", "ip"], json!("1.2.3.4")), "unknown field on field events user ip"),
    ];
    for (event, what) in wrong_types {
        let got = post(&emu, V::V2, &body(V::V2, vec![event])).await;
        assert_eq!(got, (400, decode_v2(&format!("JSON error {what}"))), "{what}");
    }
    // Thin evidence: accepted (the console warns). docs/reddit-rules.md says why for each.
    let accepted = [
        with(v2_event(), &["event_at"], json!("2024-01-08T13:57:50.213Z")),
        with(v2_event(), &["event_type", "tracking_type"], json!("PURCHASE")),
        with(custom.clone(), &["event_type", "custom_event_name"], json!("ü".repeat(65))),
        with(v2_event(), &["event_metadata", "currency"], json!("usd")),
        custom.clone(),
        with(v2_event(), &["event_type"], json!({})),
        with(v2_event(), &["event_at"], Value::Null),
    ];
    let last = accepted.len() - 1;
    for (n, mut event) in accepted.into_iter().enumerate() {
        if n == last {
            event["event_at_ms"] = json!(NOW);
        }
        assert_eq!(post(&emu, V::V2, &body(V::V2, vec![event.clone()])).await.0, 200, "{event}");
    }
    assert_eq!(emu.received().len(), 7);
}

#[tokio::test]
async fn every_v3_event_rule() {
    let emu = start(config()).await;
    let custom = with(v3_event(), &["type"], json!({"tracking_type": "CUSTOM", "custom_event_name": ""}));
    let cases: Vec<(Value, &str, &str)> = vec![
        (with(v3_event(), &["event_at"], Value::Null), "event_at", "event_at: is required"),
        (
            with(v3_event(), &["event_at"], json!(NOW - 168 * 3_600_000)),
            "event_at",
            "event_at timestamp must be less than 168h0m0s old",
        ),
        (
            with(v3_event(), &["user", "uuid"], json!("1684189007728.7c6a1e5a-aaaa-4bbb-8ccc-123456789012")),
            "user.UUID",
            "UUID must be RFC-4122 compliant",
        ),
    ];
    let invalid = "There were 1 invalid conversion events. None were processed.";
    for (event, field, message) in cases {
        let got = post(&emu, V::V3, &body(V::V3, vec![event])).await;
        let path = format!("$.data.events[0].{field}");
        assert_eq!(got, (400, refused_v3(invalid, &[(&path, message)])), "{field}");
    }
    // Reddit's own answers, quoted in public (docs/reddit-rules.md).
    let single: Vec<(Value, &str, &str)> = vec![
        (with(v3_event(), &["action_source"], Value::Null), "action_source", "missing action_source"),
        (with(v3_event(), &["action_source"], json!("web")), "action_source", "invalid action_source: web"),
        (
            with(v3_event(), &["test_id"], json!("t2_x")),
            "test_id",
            "JSON error \"unknown field\" on field \"test_id\"",
        ),
        (
            with(v3_event(), &["event_at"], json!(NOW_RFC3339)),
            "event_at",
            "JSON error \"unexpected type string\" on field \"event_at\"",
        ),
        (
            with(v3_event(), &["metadata", "item_count"], json!("1")),
            "metadata.item_count",
            "JSON error \"unexpected type string\" on field \"item_count\"",
        ),
    ];
    for (event, field, message) in single {
        let got = post(&emu, V::V3, &body(V::V3, vec![event])).await;
        let path = format!("$.data.events[0].{field}");
        assert_eq!(got, (400, refused_v3(message, &[(&path, message)])), "{field}");
    }
    // One bad event rejects the whole batch; every problem of every event is listed.
    let bad = with(v3_event(), &["user", "uuid"], json!("x"));
    let got = post(&emu, V::V3, &body(V::V3, vec![v3_event(), bad.clone(), bad])).await;
    assert_eq!(got.0, 400);
    assert_eq!(got.1["error"]["message"], "There were 2 invalid conversion events. None were processed.");
    assert_eq!(got.1["error"]["fields"][1]["field"], "$.data.events[2].user.UUID");
    assert!(emu.received().is_empty());
    // Thin evidence: accepted (the console warns).
    for event in [
        with(v3_event(), &["event_at"], json!(NOW + 300_001)),
        with(v3_event(), &["type", "tracking_type"], json!("Purchase")),
        with(v3_event(), &["metadata", "products"], json!([{"name": "n"}])),
        with(v3_event(), &["metadata", "currency"], json!("DOLLARS")),
        custom,
        with(v3_event(), &["type"], json!({})),
    ] {
        assert_eq!(post(&emu, V::V3, &body(V::V3, vec![event.clone()])).await.0, 200, "{event}");
    }
}

#[tokio::test]
async fn events_endpoint_records_flags_times_and_dedup() {
    let clock = Arc::new(AtomicI64::new(NOW));
    let c = clock.clone();
    let emu = start(Config { clock: Clock::from_fn(move || c.load(Ordering::SeqCst)), ..config() }).await;
    assert_eq!(post(&emu, V::V2, &body(V::V2, vec![v2_event()])).await.0, 200);
    clock.store(NOW + 1000, Ordering::SeqCst);
    let v3_no_id = with(v3_event(), &["metadata", "conversion_id"], Value::Null);
    let v3_dup = with(v3_event(), &["event_at"], json!(NOW + 1000));
    assert_eq!(post(&emu, V::V3, &body(V::V3, vec![v3_dup.clone(), v3_no_id.clone()])).await.0, 200);
    let production = json!({"events": [with(v2_event(), &["event_type", "tracking_type"], json!("Lead"))]});
    assert_eq!(post(&emu, V::V2, &production).await.0, 200);

    let got = events(&emu).await;
    let verdict_dedup = "would be deduplicated";
    let session = "no conversion_id: deduplicated only by session (uuid/external_id within 5 minutes)";
    assert_eq!(
        got,
        vec![
            json!({"id": 1, "received_at": NOW_RFC3339, "api_version": "v2.0", "pixel_id": PIXEL, "test": true,
                "dedup": "unique", "event": v2_event()}),
            json!({"id": 2, "received_at": "2024-01-08T13:52:51.212Z", "api_version": "v3", "pixel_id": PIXEL,
                "test": true, "test_id": "t-123", "dedup": verdict_dedup,
                "duplicate_of": {"id": 1, "received_at": NOW_RFC3339}, "event": v3_dup}),
            json!({"id": 3, "received_at": "2024-01-08T13:52:51.212Z", "api_version": "v3", "pixel_id": PIXEL,
                "test": true, "test_id": "t-123", "dedup": session, "event": v3_no_id}),
            json!({"id": 4, "received_at": "2024-01-08T13:52:51.212Z", "api_version": "v2.0", "pixel_id": PIXEL,
                "test": false, "dedup": "unique", "event": production["events"][0]}),
        ]
    );
    let rust: Vec<Dedup> = emu.received().iter().map(|r| r.dedup).collect();
    assert_eq!(rust, [Dedup::Unique, Dedup::WouldBeDeduplicated, Dedup::SessionOnly, Dedup::Unique]);

    // After 2 days the same conversion is unique again.
    clock.store(NOW + 2 * 86_400_000 + 1, Ordering::SeqCst);
    let fresh = with(v2_event(), &["event_at"], json!("2024-01-10T13:52:50.213Z"));
    assert_eq!(post(&emu, V::V2, &body(V::V2, vec![fresh])).await.0, 200);
    assert_eq!(events(&emu).await[4]["dedup"], "unique");

    let r = client().delete(format!("{}/_emulator/events", emu.base_url())).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(body_json(r).await, json!({"cleared": 5}));
    assert!(events(&emu).await.is_empty());
    assert!(emu.received().is_empty());
    assert_eq!(post(&emu, V::V2, &body(V::V2, vec![v2_event()])).await.0, 200);
    emu.clear();
    assert!(events(&emu).await.is_empty());
}

#[tokio::test]
async fn status_faults_fifo_with_retry_after_and_count() {
    let emu = start(config()).await;
    let queued = queue(&emu, json!({"status": 429, "retry_after": 2, "count": 2})).await;
    assert_eq!(queued, json!({"queued": {"status": 429, "retry_after": 2, "count": 2}, "pending": 1}));
    queue(&emu, json!({"status": 500, "body": {"custom": true}})).await;
    emu.queue_fault(Fault::status(503));
    let payload = serde_json::to_vec(&body(V::V2, vec![v2_event()])).unwrap();
    let auth = format!("Bearer {TOKEN}");
    for _ in 0..2 {
        let r = post_raw(&emu, V::V2, Some(&auth), payload.clone()).await;
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["retry-after"], "2");
        assert_eq!(body_json(r).await, json!({"message": "Too many requests/events within timeframe."}));
    }
    let r = post_raw(&emu, V::V2, Some(&auth), payload.clone()).await;
    assert_eq!(r.status(), 500);
    assert!(r.headers().get("retry-after").is_none());
    assert_eq!(body_json(r).await, json!({"custom": true}));
    let (status, got) = post(&emu, V::V3, &body(V::V3, vec![v3_event()])).await;
    assert_eq!(
        (status, got),
        (
            503,
            json!({"error": {"code": 503, "message": "The service is currently unavailable. No conversion events were processed."}})
        )
    );
    assert!(emu.received().is_empty(), "faulted requests record nothing");
    let r = post_raw(&emu, V::V2, Some(&auth), payload).await;
    assert_eq!(r.status(), 200);
    assert_eq!(emu.received().len(), 1);

    // Bad fault definitions are refused.
    let r = client()
        .post(format!("{}/_emulator/faults", emu.base_url()))
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&json!({"status": 429, "drop": true})).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(body_json(r).await, json!({"message": "a fault takes only one of status, delay_ms or drop"}));
}

#[tokio::test]
async fn delay_fault_then_normal_handling() {
    let emu = start(config()).await;
    queue(&emu, json!({"delay_ms": 300, "count": 1})).await;
    let started = Instant::now();
    let (status, _) = post(&emu, V::V2, &body(V::V2, vec![v2_event()])).await;
    assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());
    assert_eq!(status, 200);
    assert_eq!(emu.received().len(), 1);
    let r = client().get(format!("{}/_emulator/faults", emu.base_url())).send().await.unwrap();
    assert_eq!(body_json(r).await, json!({"faults": []}), "a count-1 fault applies once");
}

#[tokio::test]
async fn drop_fault_closes_without_response() {
    let emu = start(config()).await;
    queue(&emu, json!({"drop": true, "count": 2})).await;
    let payload = serde_json::to_vec(&body(V::V2, vec![v2_event()])).unwrap();
    for _ in 0..2 {
        let err = client()
            .post(url(&emu, V::V2, PIXEL))
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(payload.clone())
            .send()
            .await
            .expect_err("dropped");
        assert!(!err.is_timeout(), "{err}");
    }
    // On the wire: not a single byte comes back.
    emu.queue_fault(Fault::drop_connection());
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    let head = format!(
        "POST /api/v2.0/conversions/events/{PIXEL} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: {}\r\n\r\n",
        payload.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&payload).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(3), s.read_to_end(&mut out)).await.expect("closed").ok();
    assert!(out.is_empty(), "{}", String::from_utf8_lossy(&out));
    assert!(emu.received().is_empty());
    assert_eq!(post(&emu, V::V2, &body(V::V2, vec![v2_event()])).await.0, 200);
}

#[tokio::test]
async fn body_limit_413() {
    let emu = start(Config { body_limit: 1024, ..config() }).await;
    let big = body(V::V2, vec![v2_event(); 12]);
    assert_eq!(post(&emu, V::V2, &big).await, (413, json!({"message": "Request Entity Too Large"})));
    assert_eq!(
        post(&emu, V::V3, &body(V::V3, vec![v3_event(); 12])).await,
        (413, json!({"error": {"code": 413, "message": "Request Entity Too Large"}}))
    );
    // Chunked, with no Content-Length: the limit applies while reading.
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    let chunk = vec![b' '; 2000];
    let mut req = format!(
        "POST /api/v2.0/conversions/events/{PIXEL} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        chunk.len()
    )
    .into_bytes();
    req.extend_from_slice(&chunk);
    req.extend_from_slice(b"\r\n0\r\n\r\n");
    s.write_all(&req).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(3), s.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.ends_with(r#"{"message":"Request Entity Too Large"}"#), "{text}");
    // Within the limit all is well.
    assert_eq!(post(&emu, V::V2, &body(V::V2, vec![v2_event()])).await.0, 200);
}

#[tokio::test]
async fn slow_client_times_out() {
    let timeout = Duration::from_millis(300);
    let emu = start(Config { read_timeout: timeout, ..config() }).await;

    // Headers, then part of the body, then a stall.
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    let head = format!(
        "POST /api/v2.0/conversions/events/{PIXEL} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"events\": ["
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(3), s.read_to_end(&mut out))
        .await
        .expect("closed in time")
        .unwrap();
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.ends_with(r#"{"message":"Request Timeout"}"#), "{text}");
    assert!(started.elapsed() >= timeout / 2);
    assert!(started.elapsed() < Duration::from_secs(2));

    // Half a request head, then a stall.
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    s.write_all(b"POST /api/v2.0/conversions/events/a2_pixel HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let started = Instant::now();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(3), s.read_to_end(&mut out)).await.expect("closed in time").ok();
    let text = String::from_utf8_lossy(&out);
    assert!(text.is_empty(), "hyper closes a connection whose head is late: {text}");
    assert!(started.elapsed() >= timeout / 2 && started.elapsed() < Duration::from_secs(2));
    assert!(emu.received().is_empty());
}

#[tokio::test]
async fn refuses_non_loopback_binds() {
    for addr in ["0.0.0.0:0", "192.0.2.1:0", "[::]:0"] {
        let err = Emulator::start(addr.parse().unwrap(), Config::default()).await.expect_err(addr);
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{addr}");
    }
    let emu = start(Config::default()).await;
    assert!(emu.addr().ip().is_loopback() && emu.addr().port() != 0);
    assert_eq!(emu.base_url(), format!("http://127.0.0.1:{}", emu.addr().port()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_connections() {
    let emu = Arc::new(start(config()).await);
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let emu = emu.clone();
            tokio::spawn(async move {
                let event = with(v2_event(), &["event_metadata", "conversion_id"], json!(format!("c{i}")));
                // A fresh client per task: a connection each.
                let r = post(&emu, V::V2, &body(V::V2, vec![event])).await;
                r.0
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    assert_eq!(emu.received().len(), 64);
    assert!(emu.received().iter().all(|r| r.dedup == Dedup::Unique));
}

#[tokio::test]
async fn unknown_paths_methods_and_shutdown() {
    let emu = start(config()).await;
    let r = client().get(format!("{}/nope", emu.base_url())).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(body_json(r).await, json!({"message": "Not Found"}));
    let r = client().get(url(&emu, V::V3, PIXEL)).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(body_json(r).await, json!({"error": {"code": 405, "message": "Method Not Allowed"}}));
    let addr = emu.addr();
    emu.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err());
}

/// At most `max_in_flight` API requests are read and checked at once; the rest wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_beyond_the_in_flight_limit_wait_their_turn() {
    // One client sends a large body at 2.5 MiB/s (fast enough to keep its slot, so it holds it
    // until the 600 ms read timeout); how soon is a second request answered?
    let second_request = |max_in_flight: usize| async move {
        let emu = start(Config { max_in_flight, read_timeout: Duration::from_millis(600), ..config() }).await;
        let mut slow = TcpStream::connect(emu.addr()).await.unwrap();
        let head = format!(
            "POST /api/v2.0/conversions/events/{PIXEL} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: 8000000\r\n\r\n{{"
        );
        slow.write_all(head.as_bytes()).await.unwrap();
        let sender = tokio::spawn(async move {
            for _ in 0..80 {
                tokio::time::sleep(Duration::from_millis(25)).await;
                if slow.write_all(&[b' '; 64 << 10]).await.is_err() {
                    break;
                }
            }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        let (status, _) = post(&emu, V::V2, &body(V::V2, vec![v2_event()])).await;
        assert_eq!(status, 200);
        let waited = started.elapsed();
        sender.abort();
        emu.shutdown().await;
        waited
    };
    // Two permits: the second request is answered at once. One: it waits for the slow one's slot.
    let two = second_request(2).await;
    let one = second_request(1).await;
    assert!(two < Duration::from_millis(300), "{two:?}");
    assert!(one >= Duration::from_millis(400), "{one:?}");
}
