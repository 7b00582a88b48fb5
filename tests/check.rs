//! `check`: what Reddit would answer to captured requests (HAR, JSON Lines, cURL), with errors
//! that name their place and bounded memory on a large HAR.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const NOW: &str = "2026-01-01T12:00:05Z";

fn check(args: &[&str], inputs: &[&Path]) -> Output {
    let home = common::TempDir::new("check-home");
    Command::new(env!("CARGO_BIN_EXE_reddit-capi-console"))
        .arg("check")
        .args(args)
        .args(inputs)
        .env("REDDIT_CAPI_CONSOLE_HOME", &home)
        .output()
        .unwrap()
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check").join(name)
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn a_har_yields_its_conversions_requests_among_other_traffic() {
    let out = check(&["--format", "json", "--now", NOW], &[&fixture("capture.har")]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let got = lines(&out);
    assert_eq!(got.len(), 2, "two of the four entries go to Reddit's conversions endpoints");
    assert_eq!(
        (got[0]["place"].as_str(), got[0]["api"].as_str()),
        (Some(fixture("capture.har").display().to_string() + ": entry 1").as_deref(), Some("v3"))
    );
    assert_eq!(got[0]["pixel"], "a2_shop");
    assert_eq!(got[0]["reply"]["error"]["fields"][0]["field"], "$.data.events[0].user.UUID");
    let kinds: Vec<&str> =
        got[0]["identifiers"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["raw_pii", "unhashed", "rdt_uuid_cookie"]);
    assert_eq!(got[0]["warnings"][0]["rule"], "metadata.currency");
    assert_eq!(
        got[1]["reply"]["error"]["explanation"],
        "JSON error unexpected type number on field events event_metadata value"
    );
}

#[test]
fn a_log_of_json_lines_bodies_tells_versions_apart_by_shape() {
    let out = check(&["--now", NOW], &[&fixture("bodies.jsonl")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("bodies.jsonl:1  v2.0, 1 event(s), test: 200 — Reddit would accept it"), "{text}");
    assert!(text.contains("bodies.jsonl:2  v3, 1 event(s): 400 — Reddit would refuse it"), "{text}");
    assert!(text.contains("refused   $.data.events[0].action_source  invalid action_source: web"), "{text}");
    assert!(text.contains("raw phone number: Reddit expects it normalized and SHA-256 hashed"), "{text}");
}

#[test]
fn a_curl_command_line_and_a_single_body() {
    let dir = common::TempDir::new("check-curl");
    let curl = dir.write(
        "send.sh",
        "curl -X POST 'https://ads-api.reddit.com/api/v2.0/conversions/events/a2_x' \\\n  -H 'Content-Type: application/json' \\\n  --data-raw '{\"events\":[{\"event_at\":\"2026-01-01T12:00:00Z\",\"event_type\":{\"tracking_type\":\"Lead\"}}],\"test_mode\":true}'\n",
    );
    let out = check(&["--format", "json", "--now", NOW], &[&curl]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(lines(&out)[0]["status"], 200);
    // A body whose shape says nothing needs --api.
    let odd = dir.write("odd.json", "{\"nothing\": 1}");
    let out = check(&["--now", NOW], &[&odd]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --api v2.0 or --api v3"));
    let out = check(&["--now", NOW, "--api", "v3", "--format", "json"], &[&odd]);
    assert_eq!(lines(&out)[0]["problems"][0]["rule"], "decode.unknown_field");
}

#[test]
fn bad_input_names_its_place() {
    let dir = common::TempDir::new("check-bad");
    let jsonl = dir.write("log.jsonl", "{\"events\": []}\n{\"events\": [}\n");
    let err = String::from_utf8_lossy(&check(&[], &[&jsonl]).stderr).into_owned();
    assert!(err.contains("log.jsonl:2:"), "{err}");
    let har = dir.write("broken.har", "{\"log\": {\"entries\": [\n  {\"request\": [1]}\n]}}");
    let err = String::from_utf8_lossy(&check(&[], &[&har]).stderr).into_owned();
    assert!(err.contains("broken.har:2:") && err.contains("not a HAR file"), "{err}");
    let curl = dir.write("c.sh", "curl 'https://ads-api.reddit.com/api/v3/pixels/a/conversion_events'");
    let err = String::from_utf8_lossy(&check(&[], &[&curl]).stderr).into_owned();
    assert!(err.contains("c.sh: the cURL command sends no body"), "{err}");
}

/// A HAR is streamed: 96 MiB of other traffic (large response bodies) around one conversions
/// request is read in far less memory than its size.
#[cfg(target_os = "linux")]
#[test]
fn a_large_har_is_read_in_bounded_memory() {
    let dir = common::TempDir::new("check-large");
    let path = dir.path().join("large.har");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let page = "x".repeat(1 << 20);
    write!(f, "{{\"log\": {{\"version\": \"1.2\", \"entries\": [").unwrap();
    for i in 0..96 {
        write!(f, "{{\"request\": {{\"method\": \"GET\", \"url\": \"https://cdn.example/{i}\"}}, \"response\": {{\"content\": {{\"text\": \"{page}\"}}}}}},").unwrap();
    }
    write!(f, "{{\"request\": {{\"method\": \"POST\", \"url\": \"https://ads-api.reddit.com/api/v2.0/conversions/events/a2_x\", \"postData\": {{\"text\": \"{{\\\"events\\\":[{{\\\"event_at\\\":\\\"2026-01-01T12:00:00Z\\\",\\\"event_type\\\":{{\\\"tracking_type\\\":\\\"Lead\\\"}}}}]}}\"}}}}}}]}}}}").unwrap();
    f.flush().unwrap();
    drop(f);
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_reddit-capi-console"))
        .args(["check", "--format", "json", "--now", NOW])
        .arg(&path)
        .output();
    let Ok(out) = out else { return eprintln!("no /usr/bin/time: memory not measured") };
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(lines(&out).len(), 1);
    let max_rss_kib: u64 =
        String::from_utf8_lossy(&out.stderr).trim().lines().last().unwrap().trim().parse().unwrap();
    assert!(max_rss_kib < 48 * 1024, "{max_rss_kib} KiB for a 96 MiB HAR");
}
