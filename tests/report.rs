//! `reddit-capi-console report` end to end over the hand-made corpus in tests/fixtures/report
//! (its events are described one by one in crates/core/src/report/tests.rs): every count, the same report
//! from a JSON array plus JSON Lines in two files and from stdin, the Markdown golden file, and
//! input errors that name the file, line and column.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::TempDir;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_reddit-capi-console");
const NOW: &str = "2026-12-01T12:00:00Z";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report").join(name)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `report --now NOW` with a fresh home (no saved workspace: the presets) and `stdin`.
fn report(args: &[&str], stdin: &str) -> Run {
    let home = TempDir::new("report");
    let mut child = Command::new(BIN)
        .arg("report")
        .args(["--now", NOW])
        .args(args)
        .env("REDDIT_CAPI_CONSOLE_HOME", &home)
        .env("REDDIT_CAPI_CONSOLE_KEYCHAIN", "off")
        .env_remove("REDDIT_CONVERSION_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_dir_all(&home);
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn json(args: &[&str], stdin: &str) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let run = report(&all, stdin);
    assert_eq!(run.code, 1, "some events are refused: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

fn mapping<'v>(report: &'v Value, name: &str) -> &'v Value {
    report["mappings"].as_array().unwrap().iter().find(|m| m["name"] == name).unwrap()
}

#[test]
fn every_count_of_the_hand_made_corpus() {
    let events = fixture("events.jsonl");
    let r = json(&[events.to_str().unwrap()], "");
    assert!(r["about"].as_str().unwrap().contains("not Reddit's own score"));
    assert_eq!(r["now"], "2026-12-01T12:00:00.000Z");
    assert_eq!(r["events"], 10);
    assert_eq!(r["built"], 5);
    assert_eq!(r["unmatched"], serde_json::json!({"count": 1, "first": [8]}));
    let purchase = mapping(&r, "Purchase");
    assert_eq!(
        (&purchase["matched"], &purchase["built"], &purchase["refused"]),
        (&6.into(), &4.into(), &2.into())
    );
    assert_eq!(purchase["refusals"][0]["field"], "event_metadata.currency");
    assert_eq!(purchase["refusals"][0]["events"]["first"], serde_json::json!([3, 4]));
    assert_eq!(mapping(&r, "Sign Up")["refusals"][0]["field"], "event_at");
    assert_eq!(mapping(&r, "Reddit Browser Plugin")["web_only"], 9);
    let signals: Vec<u64> =
        r["signals"].as_array().unwrap().iter().map(|e| e["count"].as_u64().unwrap()).collect();
    assert_eq!(signals, [0, 2, 2, 0, 0, 0, 0, 1]);
    let email = r["coverage"].as_array().unwrap().iter().find(|c| c["signal"] == "email").unwrap();
    assert_eq!((&email["present"], &email["missing"]["first"]), (&3.into(), &serde_json::json!([5, 6])));
    assert_eq!(r["normalization"]["already_hashed"]["first"], serde_json::json!([2]));
    assert_eq!(r["normalization"]["differs_under_other_profile"]["first"], serde_json::json!([1]));
    assert_eq!(r["timing"]["too_old"]["first"], serde_json::json!([5]));
    assert_eq!(r["timing"]["future"]["first"], serde_json::json!([6]));
    assert_eq!(r["dedup"]["duplicates"], serde_json::json!({"count": 1, "first": [2]}));
    assert_eq!(r["dedup"]["capacity"], 1 << 20);
}

#[test]
fn an_array_and_json_lines_in_two_files_and_stdin_give_the_same_report() {
    let whole = json(&[fixture("events.jsonl").to_str().unwrap()], "");
    let parts =
        json(&[fixture("part-1.json").to_str().unwrap(), fixture("part-2.jsonl").to_str().unwrap()], "");
    assert_eq!(parts, whole);
    let text = std::fs::read_to_string(fixture("events.jsonl")).unwrap();
    assert_eq!(json(&[], &text), whole);
    assert_eq!(json(&["-"], &text), whole);
}

#[test]
fn markdown_matches_the_golden_file_and_text_is_the_default() {
    let events = fixture("events.jsonl");
    let md = report(&["--format", "markdown", events.to_str().unwrap()], "");
    assert_eq!(md.code, 1);
    let golden = std::fs::read_to_string(fixture("report.md")).unwrap();
    assert_eq!(md.stdout, golden, "tests/fixtures/report/report.md is out of date");
    let text = report(&[events.to_str().unwrap()], "");
    assert!(text.stdout.starts_with("Corpus report\n"), "{}", text.stdout);
    assert!(text.stdout.contains("not Reddit's own score"));
}

#[test]
fn input_errors_name_file_line_and_column_and_exit_2() {
    let dir = TempDir::new("report-bad");
    let bad = dir.join("bad.jsonl");
    std::fs::write(&bad, "{\"type\":\"track\"}\n{\"type\": tr}\n").unwrap();
    let run = report(&[bad.to_str().unwrap()], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bad.jsonl:2:12: expected ident"), "{}", run.stderr);
    let missing = dir.join("missing.jsonl");
    let run = report(&[missing.to_str().unwrap()], "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing.jsonl"), "{}", run.stderr);
    let run = report(&["--now", "yesterday"], "");
    assert_eq!(run.code, 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_whose_events_all_build_exits_0() {
    let run = report(
        &["--format", "json"],
        "{\"type\":\"page\",\"timestamp\":\"2026-12-01T11:00:00Z\",\"userId\":\"u\"}",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}
