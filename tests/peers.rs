//! The peer suite: request bodies that other public projects' own tests build for Reddit's
//! Conversions API (`tests/peers/*.json`, each with its provenance and the verdict the evidence
//! table in `docs/reddit-rules.md` predicts) go through the core's validator and through the
//! emulator over loopback HTTP; both must agree with the expected verdict on every body.
//!
//! As in the trial, stale times are refreshed (every event's time is shifted by the same
//! amount, so the newest is a minute old and the others keep their distance); nothing else changes.

use std::collections::BTreeMap;
use std::time::Duration;

use reddit_capi_console::emulator::{Clock, Config, Emulator};
use reddit_capi_console::timestamp::{self, Parsed};
use reddit_capi_console::verdict::{self, Api};
use serde_json::Value;

/// 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600_000;

/// The times of a body's events, as (event index, key, epoch millis).
fn times(api: Api, body: &Value) -> Vec<(usize, &'static str, i64)> {
    let events = match api {
        Api::V2 => &body["events"],
        Api::V3 => &body["data"]["events"],
    };
    let mut out = Vec::new();
    for (i, e) in events.as_array().into_iter().flatten().enumerate() {
        for key in ["event_at", "event_at_ms"] {
            let ms = match &e[key] {
                Value::String(s) => match timestamp::parse(s) {
                    Some(Parsed::Calendar(ms)) => Some(ms),
                    _ => None,
                },
                Value::Number(n) => n.as_i64(),
                _ => None,
            };
            if let Some(ms) = ms {
                out.push((i, key, ms));
            }
        }
    }
    out
}

/// Shifts every event time so the newest is a minute before `NOW`, keeping each value's type.
fn refresh(api: Api, mut body: Value) -> Value {
    let found = times(api, &body);
    let Some(newest) = found.iter().map(|t| t.2).max() else { return body };
    let shift = NOW - 60_000 - newest;
    for (i, key, ms) in found {
        let event = match api {
            Api::V2 => &mut body["events"][i],
            Api::V3 => &mut body["data"]["events"][i],
        };
        event[key] = match &event[key] {
            Value::String(_) => Value::from(timestamp::format_rfc3339(ms + shift)),
            _ => Value::from(ms + shift),
        };
    }
    body
}

fn url(base: &str, api: Api) -> String {
    match api {
        Api::V2 => format!("{base}/api/v2.0/conversions/events/a2_peer"),
        Api::V3 => format!("{base}/api/v3/pixels/a2_peer/conversion_events"),
    }
}

#[tokio::test]
async fn every_peer_body_gets_the_verdict_the_evidence_predicts() {
    let config = Config { clock: Clock::fixed(NOW), ..Config::default() };
    let emu = Emulator::start("127.0.0.1:0".parse().unwrap(), config).await.expect("emulator starts");
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(5)).build().unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers");
    let mut names: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.retain(|p| p.extension().is_some_and(|x| x == "json"));
    names.sort();
    let mut per_peer: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for path in &names {
        let file: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let peer = file["peer"].as_str().unwrap().to_string();
        for case in file["cases"].as_array().unwrap() {
            let provenance = case["provenance"].as_str().unwrap();
            assert!(provenance.contains('@') && provenance.contains(":: "), "{provenance}");
            let api = if case["api"] == "v3" { Api::V3 } else { Api::V2 };
            assert_eq!(
                Api::of_body(&case["body"]),
                Some(api),
                "{provenance}: the body's shape tells its version"
            );
            let body = refresh(api, case["body"].clone());
            let expected = &case["expected"];
            let want_status = expected["status"].as_u64().unwrap() as u16;
            let mut want_rules: Vec<&str> =
                expected["rules"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
            want_rules.sort_unstable();

            let judged = verdict::judge(api, &body, NOW);
            let mut rules: Vec<&str> = judged.problems.iter().map(|p| p.rule).collect();
            rules.sort_unstable();
            rules.dedup();
            let response = client
                .post(url(&emu.base_url(), api))
                .bearer_auth("t")
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let reply: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();

            let mut agree = judged.status == want_status && rules == want_rules;
            agree &= status == judged.status && (status == 200 || reply == judged.reply);
            if let Some(quoted) = expected.get("reddit_reply") {
                agree &= reply["message"] == quoted["message"];
                let messages: Vec<&Value> = reply["invalid_events"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| &e["error_message"])
                    .collect();
                agree &= quoted["error_messages"]
                    .as_array()
                    .is_some_and(|q| q.iter().collect::<Vec<_>>() == messages);
            }
            let entry = per_peer.entry(peer.clone()).or_default();
            entry.0 += 1;
            entry.1 += usize::from(want_status == 400);
            entry.2 += usize::from(agree);
            if !agree {
                disagreements.push(format!(
                    "{provenance}\n  expected {want_status} {want_rules:?}\n  validator {} {rules:?}\n  emulator {status} {reply}",
                    judged.status
                ));
            }
        }
    }
    emu.shutdown().await;
    let (mut all, mut agreed) = (0, 0);
    for (peer, (n, refused, ok)) in &per_peer {
        println!("{peer}: {n} bodies ({refused} expected refused), {ok} agree");
        all += n;
        agreed += ok;
    }
    println!("total: {all} bodies, {agreed} agree ({}%)", agreed * 100 / all.max(1));
    for peer in ["Reddit sGTM template", "Stape", "RudderStack", "PostHog", "Segment"] {
        assert!(per_peer.get(peer).is_some_and(|c| c.0 > 0), "no bodies from {peer}");
    }
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}
