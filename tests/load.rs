//! Load and faults, CI-sized (the full-size runs are `benches/load.rs`'s `clients` and `soak` modes, see docs/reliability.md):
//! concurrent keep-alive clients posting batches to the emulator without an error while its
//! store stays bounded, and a `replay` through seeded random faults that delivers every event
//! exactly once with a history that accounts for every attempt and fault.

mod common;

use common::temp_dir;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::process::Command;
use std::time::{Duration, Instant};

use reddit_capi_console::emulator::{self, Emulator, Fault, RandomFaults, Stats};
use reddit_capi_console::timestamp::{format_rfc3339, now_millis};
use serde_json::{Value, json};

const TOKEN: &str = "tok_LOAD_abcdefghijkl1234";

async fn emulator(config: emulator::Config) -> Emulator {
    Emulator::start("127.0.0.1:0".parse().unwrap(), config).await.unwrap()
}

fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

async fn json(r: reqwest::Response) -> Value {
    serde_json::from_slice(&r.bytes().await.unwrap()).unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(60)).build().unwrap()
}

/// A v2.0 Purchase event as the console builds it, with its own conversion id.
fn v2_purchase(at: &str, conversion_id: &str) -> String {
    json!({"event_at": at, "event_type": {"tracking_type": "Purchase"}, "click_id": "t2_abc123clickid",
        "event_metadata": {"currency": "USD", "value_decimal": 129.9, "item_count": 3, "conversion_id": conversion_id,
            "products": [{"id": "sku-trail-42", "name": "Trail Runner 42", "category": "Footwear"},
                {"id": "sku-sock-3pk", "name": "Merino Socks (3-pack)", "category": "Apparel"}]},
        "user": {"email": "2b3c0d5c9f1e7a4b8c6d2e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b",
            "external_id": "5a1c3e5a7c9e1a3c5e7a9c1e3a5c7e9a1c3e5a7c9e1a3c5e7a9c1e3a5c7e9a1c",
            "ip_address": "8d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e",
            "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko)",
            "uuid": "1764331200000.9b2f5c1e-7d4a-4e8b-a1c3-5f6e7d8c9b0a",
            "screen_dimensions": {"height": 1117, "width": 1728}}})
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_get_no_errors_and_the_store_stays_bounded() {
    const CLIENTS: usize = 20;
    const BATCH: usize = 200;
    const MAX_EVENTS: usize = 5_000;
    let emu = emulator(emulator::Config {
        token: Some(TOKEN.into()),
        max_events: MAX_EVENTS,
        ..emulator::Config::default()
    })
    .await;
    let url = format!("{}/api/v2.0/conversions/events/a2_load", emu.base_url());
    let http = http();
    let at = format_rfc3339(now_millis());
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (http, url, at) = (http.clone(), url.clone(), at.clone());
        tasks.push(tokio::spawn(async move {
            let (mut requests, mut errors, mut seq) = (0u64, Vec::new(), 0);
            while Instant::now() < deadline {
                let events: Vec<String> = (0..BATCH)
                    .map(|_| {
                        seq += 1;
                        v2_purchase(&at, &format!("load-{c}-{seq}"))
                    })
                    .collect();
                let body = format!(
                    "{{\"events\":[{}],\"test_mode\":true,\"partner\":\"SEGMENT\"}}",
                    events.join(",")
                );
                let r = http.post(&url).bearer_auth(TOKEN).body(body).send().await;
                requests += 1;
                match r {
                    Ok(r) if r.status() == 200 => {
                        let reply = json(r).await;
                        assert_eq!(
                            reply["message"],
                            format!("Successfully processed {BATCH} conversion events.")
                        );
                    }
                    Ok(r) => errors.push(format!("{}: {}", r.status(), r.text().await.unwrap_or_default())),
                    Err(e) => errors.push(e.to_string()),
                }
            }
            (requests, errors)
        }));
    }
    let mut requests = 0;
    for t in tasks {
        let (n, errors) = t.await.unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert!(n > 0, "every client got a request through");
        requests += n;
    }
    let stats = emu.stats();
    let events = requests * BATCH as u64;
    assert_eq!(stats.api_requests, requests);
    assert_eq!(stats.accepted_requests, requests);
    assert_eq!(stats.accepted_events, events);
    assert!(events > MAX_EVENTS as u64, "the store overflowed ({events} events) so the bound was exercised");
    assert_eq!(stats.stored_events, MAX_EVENTS, "bounded");
    let received = emu.received();
    assert_eq!(received.len(), MAX_EVENTS);
    assert_eq!(received.last().unwrap().id, events, "the newest are kept");
    assert_eq!(received[0].id, events - MAX_EVENTS as u64 + 1);
    assert!(received.iter().all(|r| r.dedup == emulator::Dedup::Unique));
    // The control endpoint serves the same events.
    let r = http.get(format!("{}/_emulator/events", emu.base_url())).send().await.unwrap();
    let listed = json(r).await;
    assert_eq!(listed["events"].as_array().unwrap().len(), MAX_EVENTS);
    assert_eq!(listed["events"][0]["id"], received[0].id);
    emu.shutdown().await;
}

#[tokio::test]
async fn random_faults_and_stats_over_http() {
    let emu = emulator(emulator::Config::default()).await;
    let http = http();
    let random = format!("{}/_emulator/faults/random", emu.base_url());
    let r = http.get(&random).send().await.unwrap();
    assert_eq!(json(r).await, json!({"random": null}));
    let set = json!({"seed": 1, "faults": [{"status": 503, "retry_after": 2, "rate": 1.0}]});
    let r = http
        .put(&random)
        .header("content-type", "application/json")
        .body(set.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(json(r).await, json!({"random": set}));
    let bad = http
        .put(&random)
        .header("content-type", "application/json")
        .body(json!({"faults": [{"drop": true, "rate": 2}]}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(json(bad).await, json!({"message": "faults[0]: rate must be a number in 0..=1"}));
    assert_eq!(http.post(&random).send().await.unwrap().status(), 405);

    // A queued fault comes first, then the random one every time.
    emu.queue_fault(Fault::status(500));
    let api = format!("{}/api/v2.0/conversions/events/a2_p", emu.base_url());
    let body = format!("{{\"events\":[{}]}}", v2_purchase(&format_rfc3339(now_millis()), "c-1"));
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let r = http.post(&api).bearer_auth(TOKEN).body(body.clone()).send().await.unwrap();
        let retry_after = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
        statuses.push((r.status().as_u16(), retry_after));
    }
    assert_eq!(statuses, [(500, None), (503, Some("2".into())), (503, Some("2".into()))]);
    let r = http.delete(&random).send().await.unwrap();
    assert_eq!(json(r).await, json!({"cleared": set}));
    let r = http.post(&api).bearer_auth(TOKEN).body(body).send().await.unwrap();
    assert_eq!(r.status(), 200);

    let stats = json(http.get(format!("{}/_emulator/stats", emu.base_url())).send().await.unwrap()).await;
    assert_eq!(
        stats,
        json!({"api_requests": 4, "accepted_requests": 1, "accepted_events": 1, "stored_events": 1,
            "faults_injected": {"500": 1, "503": 2}})
    );
    emu.clear();
    assert_eq!(
        emu.stats(),
        Stats {
            api_requests: 4,
            accepted_requests: 1,
            accepted_events: 1,
            stored_events: 0,
            faults_injected: BTreeMap::from([("500".into(), 1), ("503".into(), 2)])
        },
        "clearing the events keeps the counters"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_of_10000_events_through_random_faults_is_exactly_once_and_accounted_for() {
    const N: usize = 10_000;
    let emu = emulator(emulator::Config { token: Some(TOKEN.into()), ..emulator::Config::default() }).await;
    // Seed 14 injects, over this replay's draws, three 500s, one 429 and one dropped connection,
    // never four in a row (which would exhaust a request's retries).
    emu.set_random_faults(Some(
        RandomFaults::seeded(14)
            .with(Fault::status(500), 0.15)
            .with(Fault::status(429).retry_after(1), 0.05)
            .with(Fault::drop_connection(), 0.05),
    ));
    let dir = temp_dir("replay");
    let home = dir.join("home");
    let mut base: Value = serde_json::from_str(include_str!("../assets/samples/purchase.json")).unwrap();
    base["timestamp"] = json!(format_rfc3339(now_millis()));
    let mut text = String::new();
    for i in 0..N {
        base["messageId"] = json!(format!("soak-{i:05}"));
        base["context"]["traits"]["email"] = json!(format!("shopper.{i}@example.com"));
        text.push_str(&format!("{base}\n"));
    }
    let events = dir.join("events.jsonl");
    std::fs::write(&events, text).unwrap();
    let workspace = dir.join("workspace.json");
    let w = json!({"format": "reddit-capi-console/workspace", "version": 1,
        "settings": {"pixel_id": "a2_pixel", "api_version": "v2.0", "test_mode": true, "profile": "segment", "partner": "SEGMENT"},
        "mappings": [{"name": "Purchase", "preset": "Purchase"}]});
    std::fs::write(&workspace, w.to_string()).unwrap();

    let cli = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_reddit-capi-console"));
        c.env("REDDIT_CAPI_CONSOLE_HOME", &home).env("REDDIT_CONVERSION_TOKEN", TOKEN);
        c
    };
    let out = cli()
        .args(["replay", "--format", "json", "--endpoint", &emu.base_url(), "--workspace"])
        .arg(&workspace)
        .arg(&events)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();

    let stats = emu.stats();
    let faults = |k: &str| stats.faults_injected.get(k).copied().unwrap_or(0);
    assert!(faults("500") >= 1 && faults("429") >= 1 && faults("drop") >= 1, "{stats:?}");
    let injected: u64 = stats.faults_injected.values().sum();
    assert_eq!(summary["events"], N);
    assert_eq!(summary["requests"], 10);
    assert_eq!(summary["accepted_requests"], 10);
    assert_eq!(summary["accepted_events"], N);
    assert_eq!(summary["retries"], injected, "one retry per fault");
    assert_eq!(stats.api_requests, 10 + injected);
    assert_eq!(stats.accepted_events, N as u64, "nothing was accepted twice");

    // Every event exactly once, by conversion id (the message id's SHA-256).
    let received = emu.received();
    assert_eq!(received.len(), N);
    let ids: HashSet<&str> =
        received.iter().map(|r| r.event["event_metadata"]["conversion_id"].as_str().unwrap()).collect();
    let missing = (0..N).filter(|i| !ids.contains(sha256_hex(&format!("soak-{i:05}")).as_str())).count();
    assert_eq!((ids.len(), missing), (N, 0), "every event once");
    assert!(received.iter().all(|r| r.dedup == emulator::Dedup::Unique));

    // History: one entry per attempt, each fault as an attempt of its own, every event in an
    // accepted attempt once.
    let out = cli().args(["history", "--format", "json", "--limit", "1000000"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let entries: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(entries.len() as u64, stats.api_requests);
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    let mut sends: HashMap<&str, Vec<&Value>> = HashMap::new();
    for e in &entries {
        assert_eq!(e["state"], "completed");
        let status = e["attempt"]["status"].as_u64().map_or("none".into(), |s| s.to_string());
        *by_status.entry(status).or_default() += 1;
        sends.entry(e["send_id"].as_str().unwrap()).or_default().push(e);
    }
    assert_eq!(
        by_status,
        BTreeMap::from([
            ("200".into(), 10),
            ("429".into(), faults("429")),
            ("500".into(), faults("500")),
            ("none".into(), faults("drop"))
        ])
    );
    assert_eq!(sends.len(), 10);
    let mut accepted_events = 0;
    for attempts in sends.values() {
        let accepted: Vec<_> =
            attempts.iter().filter(|e| e["attempt"]["outcome"]["kind"] == "accepted").collect();
        assert_eq!(accepted.len(), 1, "each send accepted once, on its last attempt");
        assert_eq!(accepted[0]["attempt"]["number"], attempts.len());
        accepted_events += accepted[0]["event_count"].as_u64().unwrap();
    }
    assert_eq!(accepted_events, N as u64);
    let drops: Vec<_> = entries.iter().filter(|e| e["attempt"]["status"].is_null()).collect();
    assert!(drops.iter().all(|e| e["attempt"]["outcome"]["kind"] == "connection_failed"), "{drops:?}");
    let waited_429: Vec<_> = entries
        .iter()
        .filter(|e| e["attempt"]["number"].as_u64() > Some(1))
        .filter(|e| {
            let send = &sends[e["send_id"].as_str().unwrap()];
            let before = e["attempt"]["number"].as_u64().unwrap() - 1;
            send.iter().any(|p| p["attempt"]["number"] == before && p["attempt"]["status"] == 429)
        })
        .collect();
    assert_eq!(waited_429.len() as u64, faults("429"));
    assert!(
        waited_429.iter().all(|e| e["attempt"]["waited_ms"].as_u64() >= Some(1000)),
        "Retry-After honoured"
    );
    emu.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
