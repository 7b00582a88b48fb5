//! Sending against the local emulator: round trips, every error class, retries with their
//! waits, timeouts, dropped connections, cancellation, history, and the CLI's send/replay/
//! history/curl commands. Nothing here reaches the network: the emulator binds 127.0.0.1.

mod common;

use common::{cli, files_under, purchase, temp_dir, write_events};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reddit_capi_console::emulator::{self, Emulator, Fault};
use reddit_capi_console::engine::{Batching, Engine, Item, Options, Selection};
use reddit_capi_console::net::retry::Policy;
use reddit_capi_console::net::{
    Cancel, Client, ClientConfig, Dispatcher, Endpoint, Prepared, ProxySetting, Sent,
};
use reddit_capi_console::paths::DataDir;
use reddit_capi_console::reddit::response::Kind;
use reddit_capi_console::reddit::{ApiVersion, Authorization, Settings};
use reddit_capi_console::secret::Secret;
use reddit_capi_console::segment::parse_events;
use reddit_capi_console::store::history::{History, Phase};
use reddit_capi_console::workspace::Workspace;
use serde_json::{Value, json};

const TOKEN: &str = "tok_SECRET_abcdefghijkl1234";

fn settings(version: ApiVersion) -> Settings {
    Settings {
        pixel_id: "a2_pixel".into(),
        api_version: version,
        test_mode: true,
        test_id: (version == ApiVersion::V3).then(|| "t2_test_id".into()),
        ..Settings::default()
    }
}

fn fast_client(timeout: Duration) -> Client {
    Client::new(ClientConfig {
        timeout,
        proxy: ProxySetting::Off,
        policy: Policy { max_retries: 3, base: Duration::from_millis(20), cap: Duration::from_secs(5) },
        ..ClientConfig::default()
    })
    .unwrap()
}

/// Builds the Purchase request for `event` and sends it through a dispatcher.
async fn send_one(
    emu: &Emulator,
    settings: &Settings,
    client: &Client,
    history: Option<&History>,
    token: &str,
    event: Value,
) -> Sent {
    let workspace = Workspace::presets();
    let engine = Engine::new(&workspace, settings.clone()).unwrap();
    let endpoint = Endpoint::Emulator(emu.base_url());
    let token = Secret::new(token).unwrap();
    let options = Options {
        batching: Batching::Mappings,
        auth: Authorization::for_token(Some(token.expose()), false),
        base_url: Some(endpoint.base_url().to_string()),
        ..Options::default()
    };
    let events = parse_events(&event.to_string(), "test").unwrap();
    let purchase = engine.find("Purchase").unwrap();
    let items = engine.preview(&events, Selection::Mapping(purchase), &options);
    let mut dispatcher = Dispatcher {
        client,
        history,
        token: &token,
        endpoint: &endpoint,
        settings,
        cancel: Cancel::default(),
        pacer: None,
        history_errors: Vec::new(),
    };
    let item = items.iter().find(|i| matches!(i, Item::Request { .. })).expect("a request");
    dispatcher.send(item, "test#0").await.unwrap()
}

async fn emulator(config: emulator::Config) -> Emulator {
    Emulator::start("127.0.0.1:0".parse().unwrap(), config).await.unwrap()
}

#[tokio::test]
async fn v2_round_trip_is_accepted_recorded_and_in_history() {
    let emu = emulator(emulator::Config::default()).await;
    let dir = temp_dir("v2");
    let history = History::in_dir(&DataDir::new(&dir));
    let sent = send_one(
        &emu,
        &settings(ApiVersion::V2),
        &fast_client(Duration::from_secs(5)),
        Some(&history),
        TOKEN,
        purchase("m-v2"),
    )
    .await;
    assert!(sent.accepted(), "{:?}", sent.outcome);
    assert_eq!(sent.outcome.status, Some(200));
    assert_eq!(sent.outcome.message, "Successfully processed 1 conversion events.");
    let received = emu.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].test);
    let loaded = history.read().unwrap();
    assert_eq!(loaded.entries.len(), 1);
    assert_eq!(loaded.entries[0].state, Phase::Completed);
    assert_eq!(loaded.entries[0].attempt.status, Some(200));
    // Pending was written first: the raw file has both lines.
    let raw = std::fs::read_to_string(history.path()).unwrap();
    assert_eq!(raw.lines().count(), 2);
    assert!(raw.lines().next().unwrap().contains("\"pending\""));
    emu.shutdown().await;
}

#[tokio::test]
async fn v3_round_trip_with_a_test_id() {
    let emu = emulator(emulator::Config::default()).await;
    let mut event = purchase("m-v3");
    // v3 wants the bare RFC 4122 uuid, not the cookie's "{timestamp}.{uuid}".
    event["integrations"]["Reddit Conversions Api"]["uuid"] = json!("9b2f5c1e-7d4a-4e8b-a1c3-5f6e7d8c9b0a");
    let sent =
        send_one(&emu, &settings(ApiVersion::V3), &fast_client(Duration::from_secs(5)), None, TOKEN, event)
            .await;
    assert!(sent.accepted(), "{:?}", sent.outcome);
    assert_eq!(sent.outcome.message, "Successfully processed 1 conversion events.");
    let received = emu.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].test, "data.test_id marks a test event");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_400_carries_reddits_field_errors() {
    let emu = emulator(emulator::Config::default()).await;
    // A v3 body the console's lints would block; sent raw to see Reddit's answer.
    let body = json!({"data": {"events": [{
        "event_at": reddit_capi_console::timestamp::now_millis(), "action_source": "WEBSITE",
        "type": {"tracking_type": "PURCHASE"}, "user": {"uuid": "not-a-uuid"}}]}});
    let prepared = Prepared {
        url: format!("{}/api/v3/pixels/a2_pixel/conversion_events", emu.base_url()),
        body: body.to_string().into_bytes().into(),
    };
    let result = fast_client(Duration::from_secs(5))
        .send(&prepared, &Secret::new(TOKEN).unwrap(), &Cancel::default(), |_| {})
        .await;
    assert_eq!(result.outcome.kind, Kind::InvalidEvents);
    assert_eq!(result.attempts.len(), 1, "a 400 is final");
    assert_eq!(result.outcome.message, "There were 1 invalid conversion events. None were processed.");
    assert!(
        result.outcome.field_errors.iter().any(|f| f.field.starts_with("$.data.events[0].user.uuid")),
        "{:?}",
        result.outcome.field_errors
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn wrong_token_is_401_and_wrong_pixel_is_403_neither_retried() {
    let config = emulator::Config {
        token: Some("the-right-token-value".into()),
        pixel: Some("a2_other".into()),
        ..emulator::Config::default()
    };
    let emu = emulator(config).await;
    let client = fast_client(Duration::from_secs(5));
    let sent =
        send_one(&emu, &settings(ApiVersion::V2), &client, None, "a-wrong-token-value", purchase("m-401"))
            .await;
    assert_eq!(
        (sent.outcome.kind, sent.outcome.status, sent.attempts.len()),
        (Kind::Unauthorized, Some(401), 1)
    );
    let sent =
        send_one(&emu, &settings(ApiVersion::V2), &client, None, "the-right-token-value", purchase("m-403"))
            .await;
    assert_eq!(
        (sent.outcome.kind, sent.outcome.status, sent.attempts.len()),
        (Kind::Forbidden, Some(403), 1)
    );
    assert_eq!(sent.outcome.message, "You're not authorized to post conversions to Pixel ID a2_pixel.");
    assert!(emu.received().is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_accepted() {
    let emu = emulator(emulator::Config::default()).await;
    emu.queue_fault(Fault::status(429).retry_after(1));
    let started = Instant::now();
    let sent = send_one(
        &emu,
        &settings(ApiVersion::V2),
        &fast_client(Duration::from_secs(5)),
        None,
        TOKEN,
        purchase("m-429"),
    )
    .await;
    assert!(started.elapsed() >= Duration::from_secs(1), "the Retry-After wait happened");
    assert!(sent.accepted(), "{:?}", sent.outcome);
    assert_eq!(sent.attempts.len(), 2);
    assert_eq!(sent.attempts[0].status, Some(429));
    assert!(sent.attempts[1].waited_ms >= 1000, "{}", sent.attempts[1].waited_ms);
    assert_eq!(emu.received().len(), 1, "accepted exactly once");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_500_three_retries_then_gives_up() {
    let emu = emulator(emulator::Config::default()).await;
    emu.queue_fault(Fault::status(500).times(4));
    let sent = send_one(
        &emu,
        &settings(ApiVersion::V2),
        &fast_client(Duration::from_secs(5)),
        None,
        TOKEN,
        purchase("m-500"),
    )
    .await;
    assert_eq!(sent.outcome.kind, Kind::ServerError);
    assert_eq!(sent.attempts.len(), 4, "the first try and three retries");
    assert!(sent.attempts.iter().all(|a| a.status == Some(500)));
    assert!(emu.received().is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_timeout_is_retried_with_the_same_body() {
    let emu = emulator(emulator::Config::default()).await;
    emu.queue_fault(Fault::delay(Duration::from_millis(1500)));
    let dir = temp_dir("timeout");
    let history = History::in_dir(&DataDir::new(&dir));
    let sent = send_one(
        &emu,
        &settings(ApiVersion::V2),
        &fast_client(Duration::from_millis(400)),
        Some(&history),
        TOKEN,
        purchase("m-timeout"),
    )
    .await;
    assert_eq!(sent.attempts[0].outcome.kind, Kind::Timeout);
    assert!(sent.accepted(), "{:?}", sent.outcome);
    let bodies: Vec<Value> = history.read().unwrap().entries.iter().map(|e| e.request.body.clone()).collect();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0], bodies[1], "every attempt sends the same body (same conversion_id)");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let emu = emulator(emulator::Config::default()).await;
    emu.queue_fault(Fault::drop_connection());
    let sent = send_one(
        &emu,
        &settings(ApiVersion::V2),
        &fast_client(Duration::from_secs(5)),
        None,
        TOKEN,
        purchase("m-drop"),
    )
    .await;
    assert_eq!(sent.attempts[0].outcome.kind, Kind::ConnectionFailed);
    assert!(sent.accepted(), "{:?}", sent.outcome);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_send_can_be_cancelled() {
    let emu = emulator(emulator::Config::default()).await;
    emu.queue_fault(Fault::delay(Duration::from_secs(5)));
    let prepared = Prepared {
        url: format!("{}/api/v2.0/conversions/events/p", emu.base_url()),
        body: b"{}".to_vec().into(),
    };
    let cancel = Cancel::default();
    let c = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        c.cancel();
    });
    let started = Instant::now();
    let result = fast_client(Duration::from_secs(10))
        .send(&prepared, &Secret::new(TOKEN).unwrap(), &cancel, |_| {})
        .await;
    assert_eq!(result.outcome.kind, Kind::Cancelled);
    assert!(started.elapsed() < Duration::from_secs(2));
    emu.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// The command line

fn workspace_file(dir: &Path, test_mode: bool) -> PathBuf {
    let path = dir.join("workspace.json");
    let w = json!({"format": "reddit-capi-console/workspace", "version": 1,
        "settings": {"pixel_id": "a2_pixel", "api_version": "v2.0", "test_mode": test_mode, "profile": "segment", "partner": "SEGMENT"},
        "mappings": [{"name": "Purchase", "preset": "Purchase"}]});
    std::fs::write(&path, w.to_string()).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_send_prints_outcomes_keeps_history_and_never_writes_the_token() {
    let emu = emulator(emulator::Config { token: Some(TOKEN.into()), ..emulator::Config::default() }).await;
    let dir = temp_dir("cli-send");
    let home = dir.join("home");
    let events = write_events(&dir, "events.jsonl", &[purchase("c-1"), purchase("c-2")]);
    let ws = workspace_file(&dir, true);
    let out = cli(&home)
        .args(["send", "--format", "json", "--endpoint", &emu.base_url(), "--workspace"])
        .arg(&ws)
        .arg(&events)
        .env("REDDIT_CONVERSION_TOKEN", TOKEN)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l["outcome"]["kind"] == "accepted"));
    assert!(!stdout.contains(TOKEN));
    assert_eq!(emu.received().len(), 2);

    // A wrong token: exit 1, the 401 explained.
    let out = cli(&home)
        .args(["send", "--format", "json", "--endpoint", &emu.base_url(), "--workspace"])
        .arg(&ws)
        .arg(&events)
        .env("REDDIT_CONVERSION_TOKEN", "another_token_value_9999")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"unauthorized\""));

    // history lists them, newest first.
    let out = cli(&home).args(["history", "--format", "json", "--limit", "3"]).output().unwrap();
    let history: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0]["attempt"]["status"], 401);
    assert_eq!(history[2]["attempt"]["status"], 200);

    // curl: runnable, token as a variable.
    let out = cli(&home)
        .args(["curl", "--workspace"])
        .arg(&ws)
        .arg(&events)
        .env("REDDIT_CONVERSION_TOKEN", TOKEN)
        .output()
        .unwrap();
    let curl = String::from_utf8(out.stdout).unwrap();
    assert!(curl.contains("Bearer $REDDIT_CONVERSION_TOKEN"));
    assert!(!curl.contains(TOKEN));

    for file in files_under(&dir) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(TOKEN), "the token leaked into {}", file.display());
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_send_uses_the_token_kept_for_the_pixel_and_the_environment_overrides_it() {
    let emu = emulator(emulator::Config { token: Some(TOKEN.into()), ..emulator::Config::default() }).await;
    let dir = temp_dir("cli-stored-token");
    let home = dir.join("home");
    let events = write_events(&dir, "events.jsonl", &[purchase("s-1")]);
    let ws = workspace_file(&dir, true);
    let tokens = home.join("tokens.json");
    let file = json!({"format": "reddit-capi-console/tokens", "version": 1, "tokens": {"a2_pixel": TOKEN}});
    reddit_capi_console::store::atomic::write(&tokens, file.to_string().as_bytes()).unwrap();
    let send = |env: Option<&str>| {
        let mut c = cli(&home);
        c.args(["send", "--format", "json", "--endpoint", &emu.base_url(), "--workspace"])
            .arg(&ws)
            .arg(&events);
        if let Some(token) = env {
            c.env("REDDIT_CONVERSION_TOKEN", token);
        }
        c.output().unwrap()
    };
    let out = send(None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"accepted\""));
    // REDDIT_CONVERSION_TOKEN overrides the stored token.
    let out = send(Some("another_token_value_9999"));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"unauthorized\""));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tokens, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = send(None);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("tokens.json") && stderr.contains("chmod 600"), "{stderr}");
        assert!(!stderr.contains(TOKEN));
    }
    emu.shutdown().await;
}

#[test]
fn cli_send_defaults_to_the_in_process_emulator_without_a_token() {
    let dir = temp_dir("cli-default");
    let events = write_events(&dir, "events.jsonl", &[purchase("d-1")]);
    let ws = workspace_file(&dir, true);
    let out = cli(&dir.join("home"))
        .args(["send", "--format", "json", "--workspace"])
        .arg(&ws)
        .arg(&events)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let line: Value = serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(line["endpoint"], "emulator");
    assert_eq!(line["outcome"]["kind"], "accepted");
}

#[test]
fn the_readmes_first_send_works_on_a_fresh_machine_like_the_apps_first_run() {
    // No saved workspace, no token: the README's example goes to the local emulator with the
    // app's first-run Pixel ID and gets its 200.
    let dir = temp_dir("cli-first-run");
    // The sample stamped now: the file's fixed date goes past Reddit's 7 days (main stamps it
    // with its `sample` command, which this branch does not have).
    let sample = write_events(&dir, "purchase.json", &[purchase("msg-first-run")]);
    let out = cli(&dir.join("home")).args(["send", "--format", "text"]).arg(&sample).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("200"), "{stdout}");
    assert!(!stdout.contains("no Pixel ID"), "{stdout}");
    // The placeholder never goes to Reddit.
    let mut workspace = Workspace::presets();
    workspace.settings.pixel_id = "a2_local_test_pixel".into();
    let ws = dir.join("placeholder.json");
    std::fs::write(&ws, workspace.to_export_json()).unwrap();
    let out = cli(&dir.join("home"))
        .args(["send", "--endpoint", "reddit", "--workspace"])
        .arg(&ws)
        .arg(&sample)
        .env("REDDIT_CONVERSION_TOKEN", "tok_first_run_1234")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("not sent: the Pixel ID a2_local_test_pixel is the local emulator's placeholder"),
        "{stderr}"
    );
}

#[test]
fn a_production_send_to_reddit_needs_the_flag() {
    let dir = temp_dir("cli-production");
    let events = write_events(&dir, "events.jsonl", &[purchase("p-1")]);
    let ws = workspace_file(&dir, false);
    let out = cli(&dir.join("home"))
        .args(["send", "--endpoint", "reddit", "--workspace"])
        .arg(&ws)
        .arg(&events)
        .env("REDDIT_CONVERSION_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--production"));
    assert!(out.stdout.is_empty(), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_through_faults_delivers_every_event_exactly_once() {
    let emu = emulator(emulator::Config::default()).await;
    let dir = temp_dir("replay");
    let events: Vec<Value> = (0..2500).map(|i| purchase(&format!("r-{i}"))).collect();
    let file = write_events(&dir, "events.jsonl", &events);
    let ws = workspace_file(&dir, true);
    emu.queue_fault(Fault::status(500));
    emu.queue_fault(Fault::status(429).retry_after(1));
    emu.queue_fault(Fault::drop_connection());
    let out = cli(&dir.join("home"))
        .args(["replay", "--format", "json", "--endpoint", &emu.base_url(), "--workspace"])
        .arg(&ws)
        .arg(&file)
        .env("REDDIT_CONVERSION_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let summary: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["events"], 2500);
    assert_eq!(summary["requests"], 3, "1,000 + 1,000 + 500");
    assert_eq!(summary["accepted_events"], 2500);
    assert_eq!(summary["retries"], 3);
    let received = emu.received();
    assert_eq!(received.len(), 2500);
    let unique: std::collections::HashSet<String> = received
        .iter()
        .map(|r| r.event["event_metadata"]["conversion_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(unique.len(), 2500, "every event exactly once");

    // History accounts for every attempt; a batch's body is kept abridged, with its digest.
    let out =
        cli(&dir.join("home")).args(["history", "--format", "json", "--limit", "100"]).output().unwrap();
    let history: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(history.len(), 6, "3 requests + 3 retries");
    let accepted: u64 = history
        .iter()
        .filter(|e| e["attempt"]["status"] == 200)
        .map(|e| e["event_count"].as_u64().unwrap())
        .sum();
    assert_eq!(accepted, 2500);
    let preview = cli(&dir.join("home"))
        .args(["preview", "--batch", "--format", "json", "--workspace"])
        .arg(&ws)
        .arg(&file)
        .output()
        .unwrap();
    let first_batch: Value =
        serde_json::from_slice(preview.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    let whole = serde_json::to_string(&first_batch["request"]["body"]).unwrap();
    let entry = history.iter().rev().find(|e| e["event_count"] == 1000).unwrap();
    let abridged = &entry["request"]["abridged"];
    assert_eq!(abridged["events"], 1000);
    assert_eq!(abridged["bytes"], whole.len());
    assert_eq!(
        abridged["sha256"],
        reddit_capi_console::identity::sha256_hex(&whole),
        "the digest of what was sent"
    );
    assert_eq!(entry["request"]["body"]["events"].as_array().unwrap().len(), 1);
    assert_eq!(entry["request"]["body"]["events"][0], first_batch["request"]["body"]["events"][0]);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_killed_mid_flight_leaves_a_pending_entry_and_an_intact_store() {
    let emu = emulator(emulator::Config::default()).await;
    emu.queue_fault(Fault::delay(Duration::from_secs(20)));
    let dir = temp_dir("kill");
    let home = dir.join("home");
    let events = write_events(&dir, "events.jsonl", &[purchase("k-1")]);
    let ws = workspace_file(&dir, true);
    let mut child = cli(&home)
        .args(["send", "--endpoint", &emu.base_url(), "--workspace"])
        .arg(&ws)
        .arg(&events)
        .env("REDDIT_CONVERSION_TOKEN", TOKEN)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let history = History::in_dir(&DataDir::new(&home));
    let deadline = Instant::now() + Duration::from_secs(10);
    while history.read().map(|l| l.entries.is_empty()).unwrap_or(true) {
        assert!(Instant::now() < deadline, "no pending entry appeared");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let loaded = history.read().unwrap();
    assert_eq!(loaded.skipped_lines, 0);
    assert_eq!(loaded.entries.len(), 1);
    assert_eq!(loaded.entries[0].state, Phase::Pending);
    // The store still takes appends.
    let mut next = loaded.entries[0].clone();
    next.send_id = "after-crash".into();
    history.append(&next).unwrap();
    assert_eq!(history.read().unwrap().entries.len(), 2);
    emu.shutdown().await;
}

#[test]
fn v3_with_a_test_id_sends_one_event_per_request_even_when_batching() {
    let dir = temp_dir("cli-v3-testid");
    let mut events = Vec::new();
    for i in 0..3 {
        let mut e = purchase(&format!("v3-{i}"));
        e["integrations"]["Reddit Conversions Api"]["uuid"] = json!("9b2f5c1e-7d4a-4e8b-a1c3-5f6e7d8c9b0a");
        events.push(e);
    }
    let file = write_events(&dir, "events.jsonl", &events);
    let ws = dir.join("v3.json");
    let w = json!({"format": "reddit-capi-console/workspace", "version": 1,
        "settings": {"pixel_id": "a2_pixel", "api_version": "v3", "test_id": "t2_testing", "profile": "segment"},
        "mappings": [{"name": "Purchase", "preset": "Purchase"}]});
    std::fs::write(&ws, w.to_string()).unwrap();
    let started = Instant::now();
    let out = cli(&dir.join("home"))
        .args(["send", "--batch", "--format", "json", "--workspace"])
        .arg(&ws)
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "one request per event");
    assert!(lines.iter().all(|l| l.get("event_index").is_some() && l["outcome"]["kind"] == "accepted"));
    assert!(started.elapsed() >= Duration::from_millis(200), "paced at 10 requests a second");
}
