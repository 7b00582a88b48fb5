//! The collection endpoint over loopback HTTP.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::paths::DataDir;
use crate::test_dir::TestDir;
use crate::tracking::Enrichment;

/// 2026-01-01T00:00:00.000Z.
const NOW: i64 = 1_767_225_600_000;

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

fn config() -> Config {
    Config { clock: Clock::fixed(NOW), ..Config::new("wk-test") }
}

async fn post(
    url: String,
    body: Vec<u8>,
    headers: &[(&str, &str)],
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut req = reqwest::Client::new().post(url).body(body);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null), headers)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test]
async fn a_track_call_with_basic_auth_is_taken_enriched_and_answered_as_segment_does() {
    let (collector, mut arrivals) = Collector::start(loopback(), config()).await.unwrap();
    let body = json!({"event": "Order Completed", "userId": "u1", "messageId": "m1",
        "timestamp": "2026-01-01T00:01:00.000Z", "sentAt": "2026-01-01T00:01:01.000Z"});
    // base64("wk-test:")
    let (status, answer, _) = post(
        format!("{}/v1/track", collector.base_url()),
        body.to_string().into_bytes(),
        &[("authorization", "Basic d2stdGVzdDo="), ("content-type", "application/json")],
    )
    .await;
    assert_eq!((status, answer), (200, json!({"success": true})));
    let arrival = arrivals.recv().await.unwrap();
    assert_eq!(arrival.received_at_ms, NOW);
    let (event, did) = &arrival.events[0];
    assert_eq!(event["type"], "track");
    assert_eq!(event["receivedAt"], "2026-01-01T00:00:00.000Z");
    assert_eq!(event["timestamp"], "2025-12-31T23:59:59.000Z", "a clock 61 s fast, corrected");
    assert_eq!(did, &[Enrichment::ReceivedAt, Enrichment::TimestampCorrected { skew_ms: 61_000 }]);
}

#[tokio::test]
async fn analytics_js_short_paths_with_text_plain_and_the_key_in_the_body_get_cors_answers() {
    let (collector, mut arrivals) = Collector::start(loopback(), config()).await.unwrap();
    let body = json!({"writeKey": "wk-test", "type": "page", "anonymousId": "a1", "name": "Home"});
    let (status, _, headers) = post(
        format!("{}/v1/p", collector.base_url()),
        body.to_string().into_bytes(),
        &[("content-type", "text/plain"), ("origin", "https://shop.example.com")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["access-control-allow-origin"], "https://shop.example.com");
    let arrival = arrivals.recv().await.unwrap();
    assert_eq!(arrival.events[0].0["type"], "page");
    assert!(arrival.events[0].0.get("writeKey").is_none(), "the key is not passed on");
    assert!(matches!(arrival.events[0].1[0], Enrichment::MessageId { .. }));

    let res = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("{}/v1/batch", collector.base_url()))
        .header("origin", "https://shop.example.com")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type,authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 204);
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], "https://shop.example.com");
    assert_eq!(h["access-control-allow-methods"], "POST, OPTIONS");
    assert_eq!(h["access-control-allow-headers"], "content-type,authorization");
}

#[tokio::test]
async fn a_missing_or_wrong_write_key_is_refused_and_nothing_arrives() {
    let (collector, mut arrivals) = Collector::start(loopback(), config()).await.unwrap();
    let url = format!("{}/v1/identify", collector.base_url());
    let event = json!({"userId": "u1", "traits": {"email": "a@b.c"}});
    let (status, answer, _) = post(url.clone(), event.to_string().into_bytes(), &[]).await;
    assert_eq!(status, 401);
    assert_eq!(
        answer["message"],
        "no write key: send it as the HTTP Basic user or as \"writeKey\" in the body"
    );
    let (status, _, _) =
        post(url.clone(), event.to_string().into_bytes(), &[("authorization", "Basic b3RoZXI6")]).await;
    assert_eq!(status, 401);
    let (status, answer, _) = post(url.clone(), b"{\"userId\":".to_vec(), &[]).await;
    assert_eq!(status, 400);
    assert!(answer["message"].as_str().unwrap().starts_with("the body is not JSON"), "{answer}");
    let (status, _, _) = post(format!("{}/v2/track", collector.base_url()), Vec::new(), &[]).await;
    assert_eq!(status, 404);
    drop(collector);
    assert!(arrivals.recv().await.is_none(), "nothing was taken");
}

#[tokio::test]
async fn a_gzip_batch_is_read_and_captured_and_a_gzip_bomb_stops_at_the_limit() {
    let root = TestDir::created("collect-gzip");
    let captures = crate::store::capture::Captures::in_dir(&DataDir::new(root.join("data")));
    let config = Config { captures: Some(captures.clone()), ..config() };
    let (collector, mut arrivals) = Collector::start(loopback(), config).await.unwrap();
    let batch: Vec<Value> = (0..300)
        .map(|n| json!({"type": "track", "event": "Product Viewed", "userId": format!("u{n}"), "messageId": format!("m{n}")}))
        .collect();
    let body = json!({"batch": batch, "sentAt": "2026-01-01T00:00:00.000Z", "writeKey": "wk-test"});
    let url = format!("{}/v1/batch", collector.base_url());
    let (status, _, _) =
        post(url.clone(), gzip(body.to_string().as_bytes()), &[("content-encoding", "gzip")]).await;
    assert_eq!(status, 200);
    let arrival = arrivals.recv().await.unwrap();
    assert_eq!(arrival.events.len(), 300);
    let lines: Vec<Value> = std::fs::read_to_string(captures.file().path())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 300);
    assert_eq!(lines[299]["messageId"], "m299");
    assert_eq!(lines[0]["receivedAt"], "2026-01-01T00:00:00.000Z");
    assert_eq!(lines[0]["sentAt"], "2026-01-01T00:00:00.000Z");

    // 10 MB of spaces gzip to about 10 KB: refused once 500 KB have come out.
    let bomb = gzip(&vec![b' '; 10 << 20]);
    assert!(bomb.len() < 50_000);
    let (status, answer, _) = post(url.clone(), bomb, &[("content-encoding", "gzip")]).await;
    assert_eq!(status, 400);
    assert!(answer["message"].as_str().unwrap().contains("once gunzipped"), "{answer}");
    let (status, answer, _) = post(url.clone(), b"not gzip".to_vec(), &[("content-encoding", "gzip")]).await;
    assert_eq!(status, 400);
    assert!(answer["message"].as_str().unwrap().starts_with("the body is not valid gzip"), "{answer}");
    let (status, _, _) = post(url, b"{}".to_vec(), &[("content-encoding", "br")]).await;
    assert_eq!(status, 415);
}

#[tokio::test]
async fn bodies_past_segment_limits_are_refused_with_the_limit() {
    let (collector, _arrivals) = Collector::start(loopback(), config()).await.unwrap();
    let big = vec![b' '; 600 * 1024];
    let (status, answer, _) = post(format!("{}/v1/batch", collector.base_url()), big, &[]).await;
    assert_eq!(status, 400);
    assert_eq!(answer["message"], "the body is 614400 bytes; Segment takes at most 512000 bytes per request");
    let (status, answer, _) = post(format!("{}/v1/t", collector.base_url()), vec![b' '; 40_000], &[]).await;
    assert_eq!(status, 400);
    assert_eq!(answer["message"], "the body is 40000 bytes; Segment takes at most 32768 bytes per request");
}

#[tokio::test]
async fn a_slow_client_is_timed_out_and_others_are_still_served() {
    let config = Config { read_timeout: Duration::from_millis(300), max_in_flight: 1, ..config() };
    let (collector, _arrivals) = Collector::start(loopback(), config).await.unwrap();
    let mut slow = tokio::net::TcpStream::connect(collector.addr()).await.unwrap();
    slow.write_all(b"POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"batch\"")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut answer)).await.unwrap().unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(3));
    let body = json!({"writeKey": "wk-test", "userId": "u", "event": "E"});
    let (status, _, _) =
        post(format!("{}/v1/t", collector.base_url()), body.to_string().into_bytes(), &[]).await;
    assert_eq!(status, 200, "the slot was freed");
}

#[tokio::test]
async fn only_loopback_unless_asked() {
    let err = Collector::start(SocketAddr::from(([0, 0, 0, 0], 0)), config()).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("not a loopback address"), "{err}");
    let (collector, _) =
        Collector::start(SocketAddr::from(([0, 0, 0, 0], 0)), Config { allow_remote: true, ..config() })
            .await
            .unwrap();
    assert!(collector.addr().ip().is_unspecified());
}
