//! `listen` with Segment's own client libraries, installed at test time into `tests/live`
//! (gitignored): @segment/analytics-node (npm) and segment-analytics-python (PyPI, gzip on),
//! pointed at the console by their `host` option. Each sends track, identify and page calls and a
//! batch of 1,000 Order Completed events; every event must arrive once, enriched, mapped, and be
//! in the capture file. Without node/npm or python3 the test is skipped with a message, except
//! under `CI=true`, where it fails.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::TempDir;
use serde_json::Value;

const WRITE_KEY: &str = "wk-live-test";
const BATCH: usize = 1_000;

fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live")
}

fn missing(what: &str) {
    assert!(std::env::var_os("CI").is_none(), "CI must have {what}");
    eprintln!("skipped: {what} is missing");
}

fn run(cmd: &mut Command) -> bool {
    match cmd.output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => {
            eprintln!(
                "{cmd:?} failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            false
        }
        Err(e) => {
            eprintln!("{cmd:?}: {e}");
            false
        }
    }
}

/// `node` with analytics-node installed (`npm ci` on first use), or `None` (skipped).
fn node_client() -> Option<PathBuf> {
    let dir = clients_dir();
    if !dir.join("node_modules/@segment/analytics-node").is_dir()
        && !run(Command::new("npm")
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(&dir))
    {
        missing("node and npm with registry access (npm ci in tests/live)");
        return None;
    }
    run(Command::new("node").arg("--version")).then_some(dir.join("send.js")).or_else(|| {
        missing("node");
        None
    })
}

/// The venv's python with segment-analytics-python installed (on first use), or `None` (skipped).
fn python_client() -> Option<PathBuf> {
    let dir = clients_dir();
    let python = dir.join(".venv/bin/python");
    let installed = || run(Command::new(&python).args(["-c", "import segment.analytics"]));
    let install = || {
        run(Command::new("python3").args(["-m", "venv"]).arg(dir.join(".venv")))
            && run(Command::new(&python)
                .args(["-m", "pip", "install", "-q", "-r"])
                .arg(dir.join("requirements.txt")))
    };
    if !installed() && !install() {
        missing("python3 with venv and pip with registry access");
        return None;
    }
    Some(python)
}

/// A running `listen --capture`: its URL and its stdout lines.
struct Listen {
    child: Child,
    url: String,
    lines: mpsc::Receiver<String>,
}

impl Drop for Listen {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn listen(home: &Path) -> Listen {
    let mut child = Command::new(env!("CARGO_BIN_EXE_reddit-capi-console"))
        .args(["listen", "--bind", "127.0.0.1:0", "--write-key", WRITE_KEY, "--capture"])
        .env("REDDIT_CAPI_CONSOLE_HOME", home)
        .env_remove("REDDIT_CONVERSION_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    let url = first.trim().rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    std::thread::spawn(move || for _ in stderr.lines() {});
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    Listen { child, url, lines }
}

/// Lines until `events` different event indexes have shown (or a minute has passed).
fn lines_for(listen: &Listen, events: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut out: Vec<Value> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while seen.len() < events {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = listen.lines.recv_timeout(left) else {
            panic!("{} of {events} events printed", seen.len());
        };
        let value: Value = serde_json::from_str(&line).unwrap();
        seen.insert(value["event_index"].as_u64().unwrap());
        out.push(value);
    }
    // The last event's other lines.
    while let Ok(line) = listen.lines.recv_timeout(Duration::from_millis(300)) {
        out.push(serde_json::from_str(&line).unwrap());
    }
    out
}

/// Checks what one library sent: every event once in the capture, enriched; each Order
/// Completed built into a Purchase request, the page into a Page Visit.
fn check(home: &Path, tag: &str, lines: &[Value], library: &str) {
    let captured: Vec<Value> = std::fs::read_to_string(home.join("captures.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mine: Vec<&Value> = captured
        .iter()
        .filter(|e| e["userId"].as_str().is_some_and(|u| u.starts_with(&format!("{tag}-"))))
        .collect();
    assert_eq!(mine.len(), BATCH + 3, "{library}: every event captured once");
    let mut per_user: HashMap<&str, usize> = HashMap::new();
    for event in &mine {
        *per_user.entry(event["userId"].as_str().unwrap()).or_default() += 1;
        for key in ["messageId", "receivedAt", "sentAt", "originalTimestamp", "timestamp"] {
            assert!(event[key].is_string(), "{library}: {key} missing in {event}");
        }
        assert_eq!(event["context"]["library"]["name"], library, "{event}");
        assert!(event.get("writeKey").is_none());
        // The client's clock is this machine's: the correction is small.
        let ms =
            |k: &str| reddit_capi_console::timestamp::parse(event[k].as_str().unwrap()).unwrap().millis();
        assert!((ms("timestamp") - ms("originalTimestamp")).abs() < 5_000, "{event}");
        assert!(ms("receivedAt") >= ms("timestamp") - 1_000, "{event}");
    }
    assert!(per_user.values().all(|&n| n == 1), "{library}: no event twice");
    let message_ids: std::collections::HashSet<&str> =
        mine.iter().map(|e| e["messageId"].as_str().unwrap()).collect();
    assert_eq!(message_ids.len(), mine.len());
    let kinds: HashMap<&str, usize> = mine.iter().fold(HashMap::new(), |mut m, e| {
        *m.entry(e["type"].as_str().unwrap()).or_default() += 1;
        m
    });
    assert_eq!(kinds, HashMap::from([("track", BATCH + 1), ("identify", 1), ("page", 1)]), "{library}");

    // Mapped: the printed lines of this library's events (by position in the capture).
    let index_of: HashMap<&str, usize> =
        captured.iter().enumerate().map(|(i, e)| (e["messageId"].as_str().unwrap(), i)).collect();
    let mine_indexes: std::collections::HashSet<u64> =
        mine.iter().map(|e| index_of[e["messageId"].as_str().unwrap()] as u64).collect();
    let mapped = |mapping: &str| {
        lines
            .iter()
            .filter(|l| l["mapping"] == mapping && l["request"].is_object())
            .filter(|l| mine_indexes.contains(&l["event_index"].as_u64().unwrap()))
            .collect::<Vec<_>>()
    };
    let purchases = mapped("Purchase");
    assert_eq!(purchases.len(), BATCH + 1, "{library}: each Order Completed built");
    let metadata = |l: &&Value| l["request"]["body"]["events"][0]["event_metadata"].clone();
    let conversion_ids: std::collections::HashSet<String> =
        purchases.iter().map(|l| metadata(l)["conversion_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(conversion_ids.len(), BATCH + 1, "{library}: one conversion per order");
    let mut values: Vec<f64> =
        purchases.iter().map(|l| metadata(l)["value_decimal"].as_f64().unwrap()).collect();
    values.sort_by(f64::total_cmp);
    let mut expected: Vec<f64> = (0..BATCH).map(|i| 10.0 + i as f64).chain([42.5]).collect();
    expected.sort_by(f64::total_cmp);
    assert_eq!(values, expected, "{library}: each order's revenue");
    assert_eq!(mapped("Page Visit").len(), 1, "{library}");
}

#[test]
fn segment_libraries_send_to_listen_and_every_event_arrives_once_enriched_mapped_and_captured() {
    let node = node_client();
    let python = python_client();
    if node.is_none() && python.is_none() {
        return;
    }
    let home = TempDir::new("live");
    let listen = listen(home.path());
    let mut expected = 0;
    let mut sent = Vec::new();
    if let Some(script) = &node {
        let out = Command::new("node")
            .arg(script)
            .args([&listen.url, WRITE_KEY, "node", &BATCH.to_string()])
            .output()
            .unwrap();
        assert!(out.status.success(), "analytics-node: {}", String::from_utf8_lossy(&out.stderr));
        expected += BATCH + 3;
        sent.push(("node", "@segment/analytics-node"));
    }
    if let Some(python) = &python {
        let script = clients_dir().join("send.py");
        let out = Command::new(python)
            .arg(script)
            .args([&listen.url, WRITE_KEY, "py", &BATCH.to_string()])
            .output()
            .unwrap();
        assert!(out.status.success(), "analytics-python: {}", String::from_utf8_lossy(&out.stderr));
        expected += BATCH + 3;
        sent.push(("py", "analytics-python"));
    }
    let lines = lines_for(&listen, expected);
    for (tag, library) in sent {
        check(home.path(), tag, &lines, library);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.join("captures.jsonl")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
