//! `--jobs N` changes nothing but speed: `preview` and `replay` print byte for byte what one
//! thread prints (stdout, stderr, exit code), over thousands of varied events in JSON Lines,
//! pretty-printed files cut mid-value, refused, thrown, unmatched events and broken input.
//! Nothing touches the network: `replay` goes to the in-process emulator.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::TempDir;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_reddit-capi-console");

fn fixtures() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/samples/purchase.json"));
    paths.iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
}

/// Event `i`: the fixtures in turn, with schema refusals, throws (which fail a whole batch),
/// unmatched events and awkward strings mixed in.
fn event(fixtures: &[Value], i: usize) -> Value {
    let purchase = || fixtures.iter().find(|f| f["event"] == "Order Completed").unwrap().clone();
    let mut e = match i % 17 {
        3 => {
            let mut p = purchase();
            p["properties"]["currency"] = json!("BTC");
            p
        }
        7 => {
            let mut p = purchase();
            p["properties"]["email"] = json!("nobody");
            p["context"]["traits"] = json!({"email": "nobody"});
            p
        }
        11 => json!({"type": "track", "event": "Nothing Matches", "timestamp": "2024-01-08T13:52:50.212Z"}),
        _ => fixtures[i % fixtures.len()].clone(),
    };
    e["messageId"] = json!(format!("msg-{i}-\u{e9}\"\\"));
    e["userId"] = json!(format!("user {}", i % 50));
    e
}

fn events(n: usize, offset: usize) -> Vec<Value> {
    let fixtures = fixtures();
    (offset..offset + n).map(|i| event(&fixtures, i)).collect()
}

fn lines(events: &[Value]) -> String {
    events.iter().map(|e| format!("{e}\n")).collect()
}

/// JSON Lines with a byte order mark, blank lines, a top-level array and a multi-line object.
fn mixed(path: &Path) {
    let events = events(2500, 0);
    let mut text = String::from("\u{feff}");
    text += &lines(&events[..1000]);
    text += "\n\n";
    text += &format!("{}\n", Value::Array(events[1000..1003].to_vec()));
    text += &lines(&events[1003..1500]);
    text += &format!("{}\n", serde_json::to_string_pretty(&events[1500]).unwrap());
    text += &lines(&events[1501..]);
    std::fs::write(path, text).unwrap();
}

/// `v` without what depends on the clock: timings, and `Date` response headers.
fn timeless(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|k, _| !matches!(k.as_str(), "seconds" | "started_at" | "duration_ms"));
            map.values_mut().for_each(timeless);
        }
        Value::Array(items) => {
            items.retain(|i| !i[0].as_str().is_some_and(|h| h.eq_ignore_ascii_case("date")));
            items.iter_mut().for_each(timeless);
        }
        _ => {}
    }
}

/// What a run prints (`stdin`: the file it reads as standard input), timings left out of
/// `replay`'s.
fn run(home: &Path, args: &[&str], stdin: Option<&Path>, jobs: usize) -> (String, String, Option<i32>) {
    let input = match stdin {
        Some(path) => Stdio::from(std::fs::File::open(path).unwrap()),
        None => Stdio::null(),
    };
    let Output { status, stdout, stderr } = Command::new(BIN)
        .args(args)
        .args(["--jobs", &jobs.to_string()])
        .env("REDDIT_CAPI_CONSOLE_HOME", home)
        .env_remove("REDDIT_CONVERSION_TOKEN")
        .stdin(input)
        .output()
        .unwrap();
    let stdout = String::from_utf8(stdout).unwrap();
    let stdout = stdout
        .lines()
        .map(|l| match serde_json::from_str::<Value>(l) {
            Ok(mut v) if args[0] == "replay" => {
                timeless(&mut v);
                v.to_string()
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    (stdout, String::from_utf8(stderr).unwrap(), status.code())
}

fn assert_same(dir: &Path, args: &[&str]) -> (String, String, Option<i32>) {
    assert_same_with(dir, args, None)
}

fn assert_same_with(dir: &Path, args: &[&str], stdin: Option<&Path>) -> (String, String, Option<i32>) {
    let one = run(&dir.join("home-1"), args, stdin, 1);
    for jobs in [2, 4] {
        let many = run(&dir.join(format!("home-{jobs}")), args, stdin, jobs);
        assert!(one.0 == many.0, "stdout differs with --jobs {jobs}: {args:?}");
        assert_eq!(one.1, many.1, "stderr, --jobs {jobs}: {args:?}");
        assert_eq!(one.2, many.2, "exit code, --jobs {jobs}: {args:?}");
    }
    one
}

#[test]
fn preview_prints_the_same_with_any_number_of_jobs() {
    let dir = TempDir::new("preview");
    let mixed_file = dir.join("mixed.jsonl");
    mixed(&mixed_file);
    // A pretty-printed array and pretty-printed objects: chunks are cut inside values.
    let pretty = dir.join("pretty.json");
    std::fs::write(&pretty, serde_json::to_string_pretty(&events(700, 3000)).unwrap()).unwrap();
    let objects = dir.join("objects.json");
    let text: String =
        events(700, 4000).iter().map(|e| serde_json::to_string_pretty(e).unwrap() + "\n").collect();
    std::fs::write(&objects, text).unwrap();
    let files = [mixed_file.to_str().unwrap(), pretty.to_str().unwrap(), objects.to_str().unwrap()];
    let batchings: [&[&str]; 3] = [&[], &["--batch"], &["--batch", "--batch-size", "7"]];
    for batching in batchings {
        for format in [&["--format", "json"][..], &["--format", "json", "--explain"], &["--format", "text"]] {
            let mut args = vec!["preview"];
            args.extend(batching);
            args.extend(format);
            args.extend(files);
            let (stdout, stderr, code) = assert_same(&dir, &args);
            assert_eq!(code, Some(1), "refused events: {stderr}");
            assert!(stdout.len() > 100_000, "{args:?}");
        }
    }
    // Standard input, which is held rather than read twice, between two files.
    let args = ["preview", "--batch", files[1], "-", files[2]];
    let (stdout, _, _) = assert_same_with(&dir, &args, Some(&mixed_file));
    let (whole, _, _) =
        run(&dir.join("home-1"), &["preview", "--batch", files[1], files[0], files[2]], None, 1);
    assert_eq!(stdout, whole, "stdin reads as the file does");
    // A whole file's array on one line, longer than a worker takes at once: read an event at a time.
    let one_line = dir.join("one-line.json");
    std::fs::write(&one_line, Value::Array(events(5000, 6000)).to_string()).unwrap();
    assert!(std::fs::metadata(&one_line).unwrap().len() > 2 << 20, "longer than 1 MiB, 4 pieces");
    let (stdout, _, _) = assert_same(&dir, &["preview", "--batch", one_line.to_str().unwrap()]);
    assert!(stdout.lines().count() > 5000, "every event is answered");
}

#[test]
fn broken_input_fails_the_same_with_any_number_of_jobs() {
    let dir = TempDir::new("broken");
    let good = dir.join("good.jsonl");
    mixed(&good);
    let events = events(2500, 0);
    let cases = [
        ("cut.jsonl", "{\"type\": \"track\", \"event\": \n"),
        ("number.jsonl", "42\n"),
        ("array.jsonl", "[{\"type\": \"track\"}, 7]\n"),
        ("control.jsonl", "{\"type\": \"tr\tack\"}\n"),
    ];
    for (name, bad) in cases {
        let path = dir.join(name);
        std::fs::write(&path, lines(&events[..1800]) + bad + &lines(&events[1800..])).unwrap();
        for args in [
            vec!["preview", "--batch", path.to_str().unwrap()],
            vec!["preview", "--format", "text", good.to_str().unwrap(), path.to_str().unwrap()],
        ] {
            let (stdout, stderr, code) = assert_same(&dir, &args);
            assert_eq!(code, Some(2), "{name}: {stderr}");
            assert!(stdout.is_empty(), "{name}: nothing printed before the error");
            assert!(stderr.contains(&format!("{name}:180")), "{name}: {stderr}");
        }
    }
}

#[test]
fn replay_sends_the_same_with_any_number_of_jobs() {
    let dir = TempDir::new("replay");
    let file = dir.join("events.jsonl");
    mixed(&file);
    // Recent enough for the emulator to accept (it refuses events over 7 days old).
    let now = reddit_capi_console::timestamp::format_rfc3339(
        reddit_capi_console::timestamp::now_millis() - 3_600_000,
    );
    let text = std::fs::read_to_string(&file).unwrap().replace("2024-01-08T13:52:50.212Z", &now);
    std::fs::write(&file, text).unwrap();
    let args = ["replay", "--format", "json", "--endpoint", "emulator", file.to_str().unwrap()];
    let (stdout, stderr, code) = assert_same(&dir, &args);
    assert_eq!(code, Some(1), "refused events: {stderr}");
    let summary: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["events"], 2500);
    assert!(summary["accepted_events"].as_u64().unwrap() > 1000, "{summary}");
}
