//! Hostile use, second pass (issue 11): each test here failed on the code before the fix it
//! names. The emulator binds 127.0.0.1; nothing reaches the network.

mod common;

use common::{cli, purchase, temp_dir, write_events};

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use reddit_capi_console::emulator::{self, Emulator, Fault};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "tok_SECRET_abcdefghijkl1234";

/// Waits for `child` at most `limit`; kills it and fails if it is still running.
fn wait_for(mut child: Child, limit: Duration, what: &str) -> std::process::Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn workspace(dir: &Path, settings: Value) -> PathBuf {
    let path = dir.join("workspace.json");
    let w = json!({"format": "reddit-capi-console/workspace", "version": 1, "settings": settings,
        "mappings": [{"name": "Purchase", "preset": "Purchase"}]});
    std::fs::write(&path, w.to_string()).unwrap();
    path
}

fn test_settings() -> Value {
    json!({"pixel_id": "a2_pixel", "api_version": "v2.0", "test_mode": true, "profile": "segment"})
}

fn lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

async fn emulator(config: emulator::Config) -> Emulator {
    Emulator::start("127.0.0.1:0".parse().unwrap(), config).await.unwrap()
}

/// Sends raw bytes and reads what comes back within `limit` (until the peer closes or it is up).
async fn raw(emu: &Emulator, request: &[u8], limit: Duration) -> String {
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(limit, async {
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
            if out.windows(4).any(|w| w == b"\r\n\r\n") && !out.starts_with(b"HTTP/1.1 200") {
                break;
            }
        }
    })
    .await;
    String::from_utf8_lossy(&out).into_owned()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().unwrap()
}

fn v2_body(n: usize, tag: &str) -> String {
    let now = reddit_capi_console::timestamp::format_rfc3339(reddit_capi_console::timestamp::now_millis());
    let events: Vec<Value> = (0..n)
        .map(|i| {
            json!({"event_at": now, "event_type": {"tracking_type": "Purchase"},
                "event_metadata": {"conversion_id": format!("{tag}-{i}")}, "user": {"email": "e"}})
        })
        .collect();
    json!({"events": events}).to_string()
}

// 1. Emulator memory: control bodies capped and limited, the listing streamed.

#[tokio::test]
async fn a_control_body_over_the_cap_is_refused_before_it_is_read() {
    let emu = emulator(emulator::Config::default()).await;
    let started = Instant::now();
    let head = "POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 8388000\r\n\r\n{";
    let reply = raw(&emu, head.as_bytes(), Duration::from_secs(5)).await;
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(started.elapsed() < Duration::from_secs(3), "answered without waiting for the body");
    assert!(emu.stats().faults_injected.is_empty());
}

#[tokio::test]
async fn control_bodies_are_read_a_few_at_a_time() {
    let config = emulator::Config { read_timeout: Duration::from_secs(1), ..emulator::Config::default() };
    let emu = emulator(config).await;
    // Four senders keep their bodies coming fast enough to keep every control slot (30 KiB of a
    // 64,000-byte body every 25 ms), until the read timeout sends them away.
    let mut senders = Vec::new();
    for _ in 0..4 {
        let mut s = TcpStream::connect(emu.addr()).await.unwrap();
        let head = "POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 64000\r\n\r\n{";
        s.write_all(head.as_bytes()).await.unwrap();
        senders.push(tokio::spawn(async move {
            for _ in 0..2 {
                tokio::time::sleep(Duration::from_millis(25)).await;
                let _ = s.write_all(&[b' '; 30 << 10]).await;
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(s);
        }));
    }
    tokio::time::sleep(Duration::from_millis(30)).await;
    let started = Instant::now();
    let r = http()
        .post(format!("{}/_emulator/faults", emu.base_url()))
        .header("content-type", "application/json")
        .body(r#"{"status": 500}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let waited = started.elapsed();
    // Each sender held its slot while its bytes came, then stalled and gave it back.
    assert!(waited >= Duration::from_millis(40), "it waited for a slot: {waited:?}");
    assert!(waited < Duration::from_millis(900), "a stalled body gave its slot back: {waited:?}");
    for sender in senders {
        sender.abort();
    }
}

#[tokio::test]
async fn the_event_listing_is_streamed_in_chunks_and_lists_every_event() {
    let emu = emulator(emulator::Config::default()).await;
    let api = format!("{}/api/v2.0/conversions/events/a2_p", emu.base_url());
    for batch in 0..3 {
        let r = http()
            .post(&api)
            .bearer_auth(TOKEN)
            .body(v2_body(500, &format!("b{batch}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    // Clients that never read hold one chunk each, not the listing.
    let mut idle = Vec::new();
    for _ in 0..12 {
        let mut s = TcpStream::connect(emu.addr()).await.unwrap();
        s.write_all(b"GET /_emulator/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
        idle.push(s);
    }
    let reply = raw(
        &emu,
        b"GET /_emulator/events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        Duration::from_secs(10),
    )
    .await;
    let (head, _) = reply.split_once("\r\n\r\n").unwrap();
    let head = head.to_ascii_lowercase();
    assert!(head.contains("transfer-encoding: chunked") && !head.contains("content-length"), "{head}");
    let listed = http().get(format!("{}/_emulator/events", emu.base_url())).send().await.unwrap();
    let listed: Value = serde_json::from_slice(&listed.bytes().await.unwrap()).unwrap();
    let expected = serde_json::to_value(json!({ "events": emu.received() })).unwrap();
    assert_eq!(listed["events"].as_array().unwrap().len(), 1500);
    assert_eq!(listed, expected);
    drop(idle);
}

// Control endpoints: DNS rebinding and cross-origin posts.

#[tokio::test]
async fn control_endpoints_need_a_loopback_host_and_a_json_body() {
    let emu = emulator(emulator::Config::default()).await;
    let foreign = "POST /_emulator/faults HTTP/1.1\r\nHost: evil.example:7878\r\nContent-Type: application/json\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{\"status\": 500}";
    assert!(raw(&emu, foreign.as_bytes(), Duration::from_secs(5)).await.starts_with("HTTP/1.1 403"));
    let read = "GET /_emulator/events HTTP/1.1\r\nHost: rebound.example\r\nConnection: close\r\n\r\n";
    assert!(raw(&emu, read.as_bytes(), Duration::from_secs(5)).await.starts_with("HTTP/1.1 403"));
    let plain = "POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{\"status\": 500}";
    assert!(raw(&emu, plain.as_bytes(), Duration::from_secs(5)).await.starts_with("HTTP/1.1 415"));
    let r = http().get(format!("{}/_emulator/faults", emu.base_url())).send().await.unwrap();
    let faults: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(faults, json!({"faults": []}), "nothing was queued");
    // The API itself is for any client (Reddit's is).
    let api = "POST /api/v2.0/conversions/events/a2_p HTTP/1.1\r\nHost: other.example\r\nAuthorization: Bearer t\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
    assert!(raw(&emu, api.as_bytes(), Duration::from_secs(5)).await.starts_with("HTTP/1.1 400"));
}

// 5. A delayed request holds no in-flight slot.

#[tokio::test]
async fn delayed_requests_do_not_starve_the_others() {
    let config = emulator::Config { max_in_flight: 2, ..emulator::Config::default() };
    let emu = emulator(config).await;
    emu.queue_fault(Fault::delay(Duration::from_secs(30)).times(2));
    let api = format!("{}/api/v2.0/conversions/events/a2_p", emu.base_url());
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut delayed = Vec::new();
    for i in 0..2 {
        let (client, api) = (client.clone(), api.clone());
        delayed.push(tokio::spawn(async move {
            let _ = client.post(api).bearer_auth(TOKEN).body(v2_body(1, &format!("d{i}"))).send().await;
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while emu.stats().api_requests < 2 {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let started = Instant::now();
    let r = http().post(&api).bearer_auth(TOKEN).body(v2_body(1, "other")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    for d in delayed {
        d.abort();
    }
}

// 9 and --token-env: emulate.

#[test]
fn emulate_refuses_an_empty_token() {
    let dir = temp_dir("emulate-empty");
    for args in [
        &["emulate", "--bind", "127.0.0.1:0", "--token="][..],
        &["emulate", "--bind", "127.0.0.1:0", "--token", "  "],
    ] {
        let child = cli(&dir).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let out = wait_for(child, Duration::from_secs(10), "emulate --token=");
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("--token is empty"));
    }
    let child = cli(&dir)
        .args(["emulate", "--bind", "127.0.0.1:0", "--token-env", "RCC_UNSET_TOKEN_VAR"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert_eq!(wait_for(child, Duration::from_secs(10), "emulate --token-env").status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulate_takes_its_token_from_the_environment() {
    let dir = temp_dir("emulate-env");
    let mut child = cli(&dir)
        .args(["emulate", "--bind", "127.0.0.1:0", "--token-env", "RCC_EMULATOR_TOKEN"])
        .env("RCC_EMULATOR_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    // Kept open until the emulator is stopped (it prints more lines).
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let base = first.trim().rsplit(' ').next().unwrap().to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{first}");
    let api = format!("{base}/api/v2.0/conversions/events/a2_p");
    let ok = http().post(&api).bearer_auth(TOKEN).body(v2_body(1, "e")).send().await.unwrap().status();
    let wrong = http().post(&api).bearer_auth("another").body(v2_body(1, "e")).send().await.unwrap().status();
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdout);
    assert_eq!((ok.as_u16(), wrong.as_u16()), (200, 401));
}

// 3. Jitter.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_retry_at_different_times() {
    let emu = emulator(emulator::Config::default()).await;
    emu.queue_fault(Fault::status(503).times(8));
    let dir = temp_dir("jitter");
    let events = write_events(&dir, "e.jsonl", &[purchase("j-1")]);
    let ws = workspace(&dir, test_settings());
    let spawn = |n: usize| {
        cli(&dir.join(format!("home{n}")))
            .args(["send", "--format", "json", "--endpoint", &emu.base_url(), "--workspace"])
            .arg(&ws)
            .arg(&events)
            .env("REDDIT_CONVERSION_TOKEN", TOKEN)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(0), spawn(1));
    let waits = |child: Child| -> Vec<i64> {
        let out = wait_for(child, Duration::from_secs(30), "send");
        let line = &lines(&out.stdout)[0];
        line["attempts"].as_array().unwrap().iter().map(|a| a["waited_ms"].as_i64().unwrap()).collect()
    };
    let (a, b) = (waits(a), waits(b));
    assert_eq!((a.len(), b.len()), (4, 4), "{a:?} {b:?}");
    for (retry, (x, y)) in a.iter().zip(&b).enumerate().skip(1) {
        assert!(*x <= 500 << (retry - 1) && *y <= 500 << (retry - 1), "full jitter stays under the backoff");
    }
    // Full jitter from per-process seeds: the two spread apart (the odds that all three retries
    // land within 50 ms of each other are about 1 in 1,000).
    assert!(a.iter().zip(&b).any(|(x, y)| (x - y).abs() > 50), "lockstep: {a:?} {b:?}");
}

// 6. The Pixel ID is one path segment; endpoints carry no credentials.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pixel_id_is_percent_encoded_into_the_url() {
    let emu = emulator(emulator::Config::default()).await;
    let dir = temp_dir("pixel");
    let events = write_events(&dir, "e.jsonl", &[purchase("p-1")]);
    let mut settings = test_settings();
    settings["pixel_id"] = json!("a2_x#z?y=1");
    let ws = workspace(&dir, settings);
    let out = cli(&dir.join("home")).args(["preview", "--workspace"]).arg(&ws).arg(&events).output().unwrap();
    assert_eq!(
        lines(&out.stdout)[0]["request"]["url"],
        "https://ads-api.reddit.com/api/v2.0/conversions/events/a2_x%23z%3Fy%3D1"
    );
    let out = cli(&dir.join("home"))
        .args(["send", "--endpoint", &emu.base_url(), "--workspace"])
        .arg(&ws)
        .arg(&events)
        .env("REDDIT_CONVERSION_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(emu.received()[0].pixel_id, "a2_x#z?y=1", "the whole id reached the pixel route");
}

#[test]
fn endpoints_with_user_info_a_query_or_a_fragment_are_refused() {
    let dir = temp_dir("endpoint");
    let events = write_events(&dir, "e.jsonl", &[purchase("u-1")]);
    for endpoint in
        ["http://user:tok@127.0.0.1:9", "http://127.0.0.1:9/base/?q=1#f", "http://127.0.0.1:9/?token=x"]
    {
        let out = cli(&dir.join("home"))
            .args(["send", "--endpoint", endpoint])
            .arg(&events)
            .env("REDDIT_CONVERSION_TOKEN", TOKEN)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{endpoint}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--endpoint"), "{stderr}");
        assert!(!dir.join("home").join("history.jsonl").exists(), "nothing was sent or recorded");
    }
}

// 7. Workspaces: objects are objects.

#[test]
fn a_workspace_with_an_array_for_its_settings_is_refused() {
    let dir = temp_dir("array-settings");
    let events = write_events(&dir, "e.jsonl", &[purchase("a-1")]);
    let ws = dir.join("ws.json");
    std::fs::write(&ws, r#"{"format": "reddit-capi-console/workspace", "version": 1, "settings": ["a2_p", "v3", false, "T"], "mappings": [{"name": "Purchase", "preset": "Purchase"}]}"#).unwrap();
    let out = cli(&dir).args(["preview", "--workspace"]).arg(&ws).arg(&events).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"settings\" must be a JSON object"));
    assert!(out.stdout.is_empty());
}

// 8. Tokens that cannot go into a header.

#[test]
fn a_token_with_a_line_break_or_not_utf8_is_a_clear_error() {
    let dir = temp_dir("bad-token");
    let events = write_events(&dir, "e.jsonl", &[purchase("t-1")]);
    let secret = "tok_abcdefgh\r\nX-Injected: 1";
    for command in ["preview", "send"] {
        let out =
            cli(&dir).args([command]).arg(&events).env("REDDIT_CONVERSION_TOKEN", secret).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {stderr}");
        assert!(stderr.contains("$REDDIT_CONVERSION_TOKEN contains a line break"), "{stderr}");
        assert!(!stderr.contains("abcdefgh") && out.stdout.is_empty());
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let not_utf8 = std::ffi::OsStr::from_bytes(b"tok_\xff\xfe_abcdefgh");
        let out =
            cli(&dir).arg("preview").arg(&events).env("REDDIT_CONVERSION_TOKEN", not_utf8).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("$REDDIT_CONVERSION_TOKEN is not valid UTF-8"));
    }
}

// 10. Numbers Reddit cannot take are lints, not 400s.

#[test]
fn a_quantity_of_1e20_is_an_item_count_error_before_sending() {
    let dir = temp_dir("quantity");
    let mut event = purchase("q-1");
    event["properties"]["quantity"] = json!(1e20);
    let events = write_events(&dir, "e.jsonl", &[event]);
    let ws = workspace(&dir, test_settings());
    let out = cli(&dir.join("home"))
        .args(["send", "--endpoint", "emulator", "--workspace"])
        .arg(&ws)
        .arg(&events)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let line = &lines(&out.stdout)[0];
    assert_eq!(line["blocked"], true, "{line}");
    let lint = line["lints"].as_array().unwrap().iter().find(|l| l["level"] == "error").unwrap();
    assert!(lint["field"].as_str().unwrap().ends_with("event_metadata.item_count"), "{lint}");
    assert!(lint["message"].as_str().unwrap().contains("out of range"), "{lint}");
}

// 4. Input: capped, binary refused at once, empty refused.

#[test]
fn endless_or_binary_input_fails_at_its_first_bytes() {
    let dir = temp_dir("zero");
    let child = cli(&dir)
        .args(["preview", "/dev/zero"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let out = wait_for(child, Duration::from_secs(10), "preview /dev/zero");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/dev/zero:1:1: byte 0x00 cannot appear in JSON"), "{stderr}");
    let mut child =
        cli(&dir).args(["preview", "-"]).stdin(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let chunk = vec![0u8; 1 << 16];
        // Until the reader goes away (a broken pipe) or 64 MiB.
        for _ in 0..1024 {
            if stdin.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let out = wait_for(child, Duration::from_secs(10), "preview - < NULs");
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("<stdin>:1:1: byte 0x00"));
}

#[test]
fn empty_input_says_no_events_and_exits_2() {
    let dir = temp_dir("empty");
    for (name, text) in [("empty.jsonl", ""), ("blank.jsonl", " \n\t\n"), ("none.json", "[]")] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = cli(&dir).arg("preview").arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("no events in {}", path.display())));
    }
    let out = cli(&dir).arg("preview").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no events in <stdin>"));
}

#[test]
fn a_zero_timeout_is_refused() {
    let dir = temp_dir("timeout");
    let events = write_events(&dir, "e.jsonl", &[purchase("z-1")]);
    for flag in ["--timeout", "--connect-timeout"] {
        let out =
            cli(&dir).args(["send", flag, "0", "--endpoint", "emulator"]).arg(&events).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag}");
    }
}

// Files: a send the history does not hold fails; files are private.

#[test]
fn a_send_whose_history_cannot_be_written_exits_1() {
    let dir = temp_dir("no-history");
    let events = write_events(&dir, "e.jsonl", &[purchase("h-1")]);
    // A data directory under a regular file can never be created (even by root).
    let blocker = dir.join("file");
    std::fs::write(&blocker, b"").unwrap();
    let ws = workspace(&dir, test_settings());
    let out = cli(&blocker.join("home"))
        .args(["send", "--format", "json", "--endpoint", "emulator", "--workspace"])
        .arg(&ws)
        .arg(&events)
        .output()
        .unwrap();
    assert_eq!(lines(&out.stdout)[0]["outcome"]["kind"], "accepted");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("history not written"));
}

#[cfg(unix)]
#[test]
fn the_data_directory_is_0700_and_the_history_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("modes");
    let events = write_events(&dir, "e.jsonl", &[purchase("m-1")]);
    let home = dir.join("home");
    let ws = workspace(&dir, test_settings());
    let out = cli(&home)
        .args(["send", "--endpoint", "emulator", "--workspace"])
        .arg(&ws)
        .arg(&events)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&home), 0o700);
    for file in common::files_under(&home) {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

// replay: lines as they happen, --resume, and a stop after failures in a row.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_prints_each_outcome_as_it_happens() {
    let emu = emulator(emulator::Config::default()).await;
    emu.queue_fault(Fault::delay(Duration::from_millis(1)));
    emu.queue_fault(Fault::delay(Duration::from_secs(60)));
    let dir = temp_dir("replay-flush");
    let events: Vec<Value> = (0..1500).map(|i| purchase(&format!("f-{i}"))).collect();
    let file = write_events(&dir, "e.jsonl", &events);
    let ws = workspace(&dir, test_settings());
    let mut child = cli(&dir.join("home"))
        .args(["replay", "--format", "json", "--endpoint", &emu.base_url(), "--workspace"])
        .arg(&ws)
        .arg(&file)
        .env("REDDIT_CONVERSION_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut first = String::new();
        let _ = BufReader::new(stdout).read_line(&mut first);
        let _ = tx.send(first);
    });
    // The second request sleeps for a minute: the first one's line must be out already.
    let first = rx.recv_timeout(Duration::from_secs(20));
    child.kill().unwrap();
    child.wait().unwrap();
    let first: Value =
        serde_json::from_str(&first.expect("no line before the second request finished")).unwrap();
    assert_eq!(first["outcome"]["kind"], "accepted");
    assert_eq!(first["event_indexes"].as_array().unwrap().len(), 1000);
}

/// `replay --format json` of `file` to `endpoint` with `ws`, `extra` flags, data in `home`.
fn replay_in(home: &Path, endpoint: &str, ws: &Path, extra: &[&str], file: &Path) -> std::process::Output {
    cli(home)
        .args(["replay", "--format", "json", "--endpoint", endpoint, "--workspace"])
        .arg(ws)
        .args(extra)
        .arg(file)
        .env("REDDIT_CONVERSION_TOKEN", TOKEN)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_stops_after_failures_in_a_row_and_resume_skips_what_was_accepted() {
    let emu = emulator(emulator::Config::default()).await;
    // The first request goes through; the second gets a 400 (not retried).
    emu.queue_fault(Fault::delay(Duration::from_millis(1)));
    emu.queue_fault(Fault::status(400));
    let dir = temp_dir("replay-resume");
    let home = dir.join("home");
    let events: Vec<Value> = (0..2500).map(|i| purchase(&format!("r-{i}"))).collect();
    let file = write_events(&dir, "e.jsonl", &events);
    let ws = workspace(&dir, test_settings());
    let replay = |extra: &[&str]| replay_in(&home, &emu.base_url(), &ws, extra, &file);
    let out = replay(&["--max-failures", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let summary = lines(&out.stdout).pop().unwrap();
    assert_eq!((summary["requests"].as_u64(), summary["accepted_events"].as_u64()), (Some(2), Some(1000)));
    assert!(summary["stopped"].as_str().unwrap().contains("--resume"), "{summary}");
    assert_eq!(emu.received().len(), 1000);

    let out = replay(&["--resume"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let summary = lines(&out.stdout).pop().unwrap();
    assert_eq!(summary["skipped_requests"], 1);
    assert_eq!(summary["skipped_events"], 1000);
    assert_eq!(summary["accepted_events"], 1500);
    let received = emu.received();
    assert_eq!(received.len(), 2500);
    let ids: std::collections::HashSet<&str> =
        received.iter().map(|r| r.event["event_metadata"]["conversion_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2500, "nothing accepted twice");
}

// ---------------------------------------------------------------------------------------------
// Third pass (issue 25, items 8–17): memory, time and lost work. Each test failed on the code
// before its fix (see docs/reliability.md, "Hostile use, third pass").

/// A one-shot HTTP server on loopback that answers every request with `head` and then `body`
/// bytes of `fill` (chunked when `chunked`), until the client goes away. Returns its base URL.
async fn answering(head: &'static str, body: usize, chunked: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                // The request: its head, then as many bytes as it declares.
                let mut got = Vec::new();
                let mut buf = [0u8; 1 << 16];
                let declared = loop {
                    let Ok(n) = s.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                    if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&got[..end]).to_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .map_or(0, |v| v.trim().parse::<usize>().unwrap());
                        break end + 4 + length;
                    }
                };
                while got.len() < declared {
                    let Ok(n) = s.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                let length = if chunked {
                    "Transfer-Encoding: chunked".to_string()
                } else {
                    format!("Content-Length: {body}")
                };
                if s.write_all(format!("{head}\r\n{length}\r\n\r\n").as_bytes()).await.is_err() {
                    return;
                }
                let piece = vec![b'x'; 1 << 16];
                let mut sent = 0;
                while sent < body {
                    let n = piece.len().min(body - sent);
                    let framed = if chunked {
                        [format!("{n:x}\r\n").as_bytes(), &piece[..n], b"\r\n"].concat()
                    } else {
                        piece[..n].to_vec()
                    };
                    if s.write_all(&framed).await.is_err() {
                        return;
                    }
                    sent += n;
                }
                if chunked {
                    let _ = s.write_all(b"0\r\n\r\n").await;
                }
            });
        }
    });
    url
}

/// Runs `command` for at most `limit` (killed and failed after), its output read as it comes (a
/// full pipe would stop it).
fn output_within(mut command: std::process::Command, limit: Duration, what: &str) -> std::process::Output {
    use std::io::Read;
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let drain = |mut from: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = from.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let status = wait_for(child, limit, what).status;
    std::process::Output { status, stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() }
}

/// Runs `send` of one Purchase to `endpoint` with `extra` flags in `home`, for at most `limit`.
fn send_one(
    dir: &Path,
    home: &Path,
    endpoint: &str,
    extra: &[&str],
    limit: Duration,
) -> std::process::Output {
    let events = write_events(dir, "one.jsonl", &[purchase("b-1")]);
    let ws = workspace(dir, test_settings());
    let mut send = cli(home);
    send.args(["send", "--format", "json", "--endpoint", endpoint, "--workspace"])
        .arg(&ws)
        .args(extra)
        .arg(&events)
        .env("REDDIT_CONVERSION_TOKEN", TOKEN);
    output_within(send, limit, "send")
}

/// The send line (the one with an outcome) of `send`'s output.
fn sent_line(out: &std::process::Output) -> Value {
    lines(&out.stdout).into_iter().find(|l| l.get("outcome").is_some()).expect("a send line")
}

// 8. Response bodies are read up to a cap.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_body_over_the_cap_is_cut_and_reported() {
    // 256 MiB, chunked: the old client read it all (an endless one, for ever).
    let url = answering("HTTP/1.1 200 OK", 256 << 20, true).await;
    let dir = temp_dir("endless");
    let out = send_one(&dir, &dir.join("home"), &url, &["--timeout", "5"], Duration::from_secs(30));
    let line = sent_line(&out);
    let attempt = &line["attempts"][0];
    assert_eq!(attempt["response_body_cut"], true, "{}", String::from_utf8_lossy(&out.stderr));
    let kept = attempt["response_body"].as_str().unwrap().len();
    assert_eq!(kept, reddit_capi_console::net::MAX_RESPONSE_BODY_BYTES);
    assert!(line["outcome"]["message"].as_str().unwrap().contains("went on past 64 KiB"), "{line}");
    assert!(out.stdout.len() < 1 << 20, "{} bytes on stdout", out.stdout.len());
}

// 9. A large error body keeps the history's lines small, and every attempt.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_error_body_keeps_every_attempt_in_a_small_history() {
    // Four attempts of 500 with a 12 MiB body: 48 MiB held whole, past the 32 MiB cap.
    let url = answering("HTTP/1.1 500 Internal Server Error", 12 << 20, false).await;
    let dir = temp_dir("big-error");
    let home = dir.join("home");
    let out = send_one(&dir, &home, &url, &[], Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(sent_line(&out)["attempts"].as_array().unwrap().len(), 4);
    assert!(out.stdout.len() < 1 << 20, "{} bytes on stdout", out.stdout.len());
    let history = std::fs::read_to_string(home.join("history.jsonl")).unwrap();
    assert!(!home.join("history.1.jsonl").exists(), "rotated");
    let longest = history.lines().map(str::len).max().unwrap();
    assert!(longest < 256 << 10, "a history line of {longest} bytes");
    let completed: Vec<Value> = history
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["state"] == "completed")
        .collect();
    let numbers: Vec<u64> = completed.iter().map(|e| e["attempt"]["number"].as_u64().unwrap()).collect();
    assert_eq!(numbers, [1, 2, 3, 4], "every attempt is in the history");
    assert!(completed.iter().all(|e| e["attempt"]["response_body_cut"] == true));
}

// 13. Retry-After further away than the client waits: not waited for.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_years_ahead_is_not_waited_for() {
    let url =
        answering("HTTP/1.1 429 Too Many Requests\r\nRetry-After: Fri, 31 Dec 9999 23:59:59 GMT", 2, false)
            .await;
    let dir = temp_dir("retry-after");
    let started = Instant::now();
    // Before: three waits of 30 s.
    let out = send_one(&dir, &dir.join("home"), &url, &["--timeout", "5"], Duration::from_secs(20));
    assert!(started.elapsed() < Duration::from_secs(15), "{:?}", started.elapsed());
    assert_eq!(out.status.code(), Some(1));
    let line = sent_line(&out);
    assert_eq!(line["attempts"].as_array().unwrap().len(), 1, "{line}");
    let message = line["outcome"]["message"].as_str().unwrap();
    assert!(message.contains("Retry-After asks for") && message.contains("not retried"), "{message}");
    // A Retry-After within the cap is still honoured.
    let emu = emulator(emulator::Config::default()).await;
    emu.queue_fault(Fault::status(429).retry_after(1));
    let out = send_one(&dir, &dir.join("home2"), &emu.base_url(), &[], Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(0));
    let waited: Vec<u64> = sent_line(&out)["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["waited_ms"].as_u64().unwrap())
        .collect();
    assert_eq!(waited, [0, 1000]);
}

// 14. --jobs has a ceiling the machine can always give.

#[test]
fn jobs_beyond_the_ceiling_are_a_clear_error_not_a_panic() {
    let dir = temp_dir("jobs");
    let events = write_events(&dir, "e.jsonl", &[purchase("j-1")]);
    for command in ["preview", "replay"] {
        let out = cli(&dir).args([command, "--jobs", "16384"]).arg(&events).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}: {}", String::from_utf8_lossy(&out.stderr));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--jobs") && stderr.contains("1..=256"), "{command}: {stderr}");
    }
    let out = cli(&dir).args(["preview", "--jobs", "256"]).arg(&events).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

// 15. Slow request bodies do not starve the emulator.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_request_bodies_do_not_starve_the_others() {
    let emu = emulator(emulator::Config::default()).await;
    // Every in-flight slot taken by a body sending a byte every half second.
    let mut slow = Vec::new();
    for _ in 0..emulator::DEFAULT_MAX_IN_FLIGHT {
        let mut s = TcpStream::connect(emu.addr()).await.unwrap();
        let head = format!(
            "POST /api/v2.0/conversions/events/a2_pixel HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{",
            emulator::LOCAL_TOKEN
        );
        s.write_all(head.as_bytes()).await.unwrap();
        slow.push(tokio::spawn(async move {
            for _ in 0..40 {
                tokio::time::sleep(Duration::from_millis(500)).await;
                if s.write_all(b" ").await.is_err() {
                    break;
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let status = http()
        .post(format!("{}/api/v2.0/conversions/events/a2_pixel", emu.base_url()))
        .bearer_auth(emulator::LOCAL_TOKEN)
        .header("content-type", "application/json")
        .body(v2_body(1, "slow"))
        .send()
        .await
        .unwrap()
        .status();
    let waited = started.elapsed();
    assert_eq!(status.as_u16(), 200);
    // Before: the 10 s read timeout of the slow bodies.
    assert!(waited < Duration::from_secs(3), "answered after {waited:?}");
    for task in slow {
        task.abort();
    }
}

// 16. replay --resume skips only the very requests accepted, and says what it sends again.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_skips_only_what_was_accepted_byte_for_byte() {
    let emu = emulator(emulator::Config::default()).await;
    let dir = temp_dir("resume-key");
    let home = dir.join("home");
    let write = |tag: &str| {
        let events: Vec<Value> = (0..2500).map(|i| purchase(&format!("{tag}-{i}"))).collect();
        write_events(&dir, "e.jsonl", &events)
    };
    let file = write("first");
    let replay = |settings: Value, resume: bool| {
        let ws = workspace(&dir, settings);
        let extra: &[&str] = if resume { &["--resume"] } else { &[] };
        let out = replay_in(&home, &emu.base_url(), &ws, extra, &file);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        lines(&out.stdout)
    };
    replay(test_settings(), false);
    assert_eq!(emu.received().len(), 2500);
    // Another Pixel ID: none of it was accepted for that pixel.
    let mut other = test_settings();
    other["pixel_id"] = json!("a2_other");
    let summary = replay(other, true).pop().unwrap();
    assert_eq!(
        (summary["skipped_events"].as_u64(), summary["accepted_events"].as_u64()),
        (Some(0), Some(2500))
    );
    // The file rewritten at the same path with as many events: all of them are new.
    write("second");
    let summary = replay(test_settings(), true).pop().unwrap();
    assert_eq!(
        (summary["skipped_events"].as_u64(), summary["accepted_events"].as_u64()),
        (Some(0), Some(2500))
    );
    // The same again: everything skipped.
    let summary = replay(test_settings(), true).pop().unwrap();
    assert_eq!((summary["skipped_requests"].as_u64(), summary["requests"].as_u64()), (Some(3), Some(0)));
    assert_eq!(emu.received().len(), 7500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_says_it_sends_again_what_a_killed_run_had_in_flight() {
    let emu = emulator(emulator::Config::default()).await;
    let dir = temp_dir("resume-in-flight");
    let home = dir.join("home");
    let events: Vec<Value> = (0..2500).map(|i| purchase(&format!("k-{i}"))).collect();
    let file = write_events(&dir, "e.jsonl", &events);
    let ws = workspace(&dir, test_settings());
    let replay = |extra: &[&str]| {
        let out = replay_in(&home, &emu.base_url(), &ws, extra, &file);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        lines(&out.stdout)
    };
    replay(&[]);
    // As if killed while the second request was in flight: its answer never reached the history.
    let history = home.join("history.jsonl");
    let text = std::fs::read_to_string(&history).unwrap();
    let second = text
        .lines()
        .find(|l| l.contains("\"completed\"") && l.contains("e.jsonl#1000-1999"))
        .expect("the second request's answer")
        .to_string();
    std::fs::write(&history, text.replace(&format!("{second}\n"), "")).unwrap();
    let out = replay(&["--resume"]);
    let summary = out.last().unwrap();
    assert_eq!(summary["skipped_requests"], 2);
    assert_eq!(
        (summary["resent_requests"].as_u64(), summary["resent_events"].as_u64()),
        (Some(1), Some(1000))
    );
    let resent: Vec<&Value> = out.iter().filter(|l| l["sent_again"] == true).collect();
    assert_eq!(resent.len(), 1);
    assert_eq!(resent[0]["event_indexes"][0], 1000);
    // The text summary says it too.
    let out = cli(&home)
        .args(["replay", "--format", "text", "--resume", "--endpoint", &emu.base_url(), "--workspace"])
        .arg(&ws)
        .arg(&file)
        .env("REDDIT_CONVERSION_TOKEN", TOKEN)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("skipped 3 requests"), "{text}");
    assert!(!text.contains("sent again"), "accepted on the resume: nothing in doubt now: {text}");
}

// 17. import-segment refuses what the workspace could not run.

#[test]
fn import_segment_refuses_a_trigger_or_source_it_cannot_run() {
    let dir = temp_dir("import-garbage");
    for (trigger, settings, place) in [
        ("type = = ", json!({}), "subscriptions[0].trigger"),
        (
            "type = \"track\"",
            json!({"conversion_id": {"@path": 5}}),
            "subscriptions[0].settings.conversion_id",
        ),
    ] {
        let subs = json!({"data": {"subscriptions": [
            {"name": "Bad", "actionSlug": "standardEvent", "trigger": trigger, "settings": settings}]}});
        let path = dir.join("subs.json");
        std::fs::write(&path, subs.to_string()).unwrap();
        let output = dir.join("ws.json");
        let out = cli(&dir).args(["import-segment", "--output"]).arg(&output).arg(&path).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(place), "{stderr}");
        assert!(!output.exists(), "no workspace written");
    }
}

// 12. Inputs: configuration files capped; a file being appended read to its length at open.

#[test]
fn segment_files_and_workspaces_over_16_mib_are_refused() {
    let dir = temp_dir("config-cap");
    let padded = |text: String| text + &" ".repeat(17 << 20);
    let subs = dir.join("subs.json");
    std::fs::write(&subs, padded(json!({"data": {"subscriptions": []}}).to_string())).unwrap();
    let out = cli(&dir).args(["import-segment"]).arg(&subs).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("subs.json") && stderr.contains("larger than 16 MiB"), "{stderr}");
    let ws = workspace(&dir, test_settings());
    std::fs::write(&ws, padded(std::fs::read_to_string(&ws).unwrap())).unwrap();
    let out = cli(&dir).args(["export-segment", "--workspace"]).arg(&ws).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("larger than 16 MiB"), "{stderr}");
}

#[test]
fn a_file_still_being_appended_is_read_to_its_length_at_open() {
    use std::io::Write;
    let dir = temp_dir("appended");
    let line = format!("{}\n", purchase("a-1"));
    let path = dir.join("growing.jsonl");
    std::fs::write(&path, line.repeat(1000)).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // About 100 MB/s, faster than a debug build checks events, for at most 96 MiB.
    let writer = {
        let (path, stop, block) = (path.clone(), stop.clone(), line.repeat(256));
        std::thread::spawn(move || {
            let mut file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
            let mut written = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && written < 96 << 20 {
                file.write_all(block.as_bytes()).unwrap();
                written += block.len();
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let mut preview = cli(&dir);
    preview.args(["preview", "--jobs", "1"]).arg(&path);
    let out = output_within(preview, Duration::from_secs(120), "preview of a growing file");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.contains("\"Purchase\"")).count();
    let total = std::fs::read_to_string(&path).unwrap().lines().count();
    assert!(printed >= 1000 && printed < total, "{printed} of {total} events read");
}
