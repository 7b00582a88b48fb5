//! Golden tests: for each folder under tests/fixtures/golden, `preview --workspace W --mapping NAME
//! --format json events.json` must build exactly the bodies (and URLs) Segment's own destination
//! code builds, and refuse exactly the events Segment refuses.

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn golden_dirs() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("golden fixtures")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.jsonl").exists())
        .collect();
    dirs.sort();
    dirs
}

fn preview(dir: &Path) -> (Vec<Value>, i32) {
    let workspace: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("workspace.json")).unwrap()).unwrap();
    let mapping = workspace["mappings"][0]["name"].as_str().unwrap();
    let home = common::TempDir::new("golden");
    let out = Command::new(env!("CARGO_BIN_EXE_reddit-capi-console"))
        .args(["preview", "--format", "json", "--mapping", mapping, "--workspace"])
        .arg(dir.join("workspace.json"))
        .arg(dir.join("events.json"))
        .env("REDDIT_CAPI_CONSOLE_HOME", &home)
        .env_remove("REDDIT_CONVERSION_TOKEN")
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
    let lines =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (lines, out.status.code().unwrap())
}

#[test]
fn every_golden_example_matches_segment() {
    let dirs = golden_dirs();
    assert!(dirs.len() >= 3, "golden fixtures are missing");
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let expected: Vec<Value> = std::fs::read_to_string(dir.join("expected.jsonl"))
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let (actual, code) = preview(&dir);
        assert_eq!(actual.len(), expected.len(), "{name}: one line per event");
        for (i, (want, got)) in expected.iter().zip(&actual).enumerate() {
            assert_eq!(got["event_index"], i, "{name}[{i}]");
            if want.get("error").is_some() {
                assert!(
                    got.get("error").is_some(),
                    "{name}[{i}]: Segment refuses this event, we built {got}"
                );
                continue;
            }
            let request = &got["request"];
            assert!(got.get("error").is_none(), "{name}[{i}]: refused: {got}");
            assert_eq!(request["url"], want["url"], "{name}[{i}] url");
            assert_eq!(request["method"], want["method"], "{name}[{i}] method");
            assert_eq!(request["body"], want["body"], "{name}[{i}] body");
        }
        let refusals = expected.iter().filter(|w| w.get("error").is_some()).count();
        assert_eq!(code, i32::from(refusals > 0), "{name}: exit code");
    }
}

#[test]
fn golden_bodies_keep_segments_key_order() {
    // Segment's v2 builder fixes the key order; compare serialized text for the first example.
    let dir = golden_dirs().into_iter().next().unwrap();
    let expected = std::fs::read_to_string(dir.join("expected.jsonl")).unwrap();
    let want: Value = serde_json::from_str(expected.lines().next().unwrap()).unwrap();
    let (actual, _) = preview(&dir);
    assert_eq!(
        serde_json::to_string(&actual[0]["request"]["body"]).unwrap(),
        serde_json::to_string(&want["body"]).unwrap()
    );
}
