//! `import-segment --from-api` and `export-segment --apply` against a local stand-in for
//! Segment's Public API (`common/segment_fake.rs`; never the real one). The Segment token must
//! appear in no file the commands write, nor on stdout or stderr.

mod common;

#[path = "common/segment_fake.rs"]
mod segment_fake;

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use common::{TempDir, files_under};
use segment_fake::{DEST, Fake, TOKEN, fixture, query, subscriptions};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// The binary with `home` as its data directory, the Segment token in the environment, no
/// keychain, no proxy, stdin not a terminal.
fn run(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_reddit-capi-console"));
    command.args(args);
    finish(command, home, env, None)
}

/// The same on a terminal (util-linux `script` gives it one) answering `answer` to what it
/// asks; stdout and stderr both come back in `stdout`.
#[cfg(target_os = "linux")]
fn run_on_terminal(home: &Path, args: &[&str], answer: &str) -> Run {
    let line: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_reddit-capi-console"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let mut command = Command::new("script");
    command.args(["-qec", &line.join(" "), "/dev/null"]);
    finish(command, home, &[], Some(answer))
}

/// Runs `command` in `home` with the environment above and `stdin`, then checks the token is
/// nowhere.
fn finish(mut command: Command, home: &Path, env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    command
        .env("REDDIT_CAPI_CONSOLE_HOME", home)
        .env("REDDIT_CAPI_CONSOLE_KEYCHAIN", "off")
        .env_remove("REDDIT_CONVERSION_TOKEN")
        .env("SEGMENT_TOKEN", TOKEN)
        .current_dir(home)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        command.env_remove(var);
    }
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    if let Some(text) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    assert_token_nowhere(home, &run);
    run
}

/// Asserts `run`'s exit code and that `text` (its stdout or stderr) says each of `words`.
fn says(run: &Run, code: i32, text: &str, words: &[&str]) {
    assert_eq!(run.code, code, "{text}");
    for word in words {
        assert!(text.contains(word), "{word:?} not in {text}");
    }
}

/// The Segment token is in no file under `home` (the data directory, outputs) nor in the output.
fn assert_token_nowhere(home: &Path, run: &Run) {
    let tail = &TOKEN[TOKEN.len() - 8..];
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains(TOKEN) && !text.contains(tail), "token in the output: {text}");
    }
    for file in files_under(home) {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(TOKEN) && !text.contains(tail), "token in {}", file.display());
    }
}

fn import_from(fake: &Fake, home: &TempDir, extra: &[&str]) -> Run {
    let mut args = vec!["import-segment", "--from-api", DEST, "--endpoint", &fake.url, "--output", "ws.json"];
    args.extend(extra);
    run(home, &args, &[])
}

#[test]
fn import_from_the_api_is_the_file_import() {
    let fake = Fake::start(subscriptions(), 100);
    let home = TempDir::new("import");
    let from_api = import_from(&fake, &home, &[]);
    assert_eq!(from_api.code, 0, "{}", from_api.stderr);
    let from_files = run(
        &home,
        &[
            "import-segment",
            "--destination",
            &fixture("destination.json"),
            "--output",
            "files.json",
            &fixture("subscriptions.json"),
        ],
        &[],
    );
    assert_eq!(from_files.code, 0, "{}", from_files.stderr);
    assert_eq!(
        std::fs::read_to_string(home.join("ws.json")).unwrap(),
        std::fs::read_to_string(home.join("files.json")).unwrap()
    );
    assert_eq!(from_api.stderr, from_files.stderr, "the same notes");
    let seen = fake.seen();
    let targets: Vec<&str> = seen.iter().map(|s| s.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            format!("/destinations/{DEST}"),
            format!("/destinations/{DEST}/subscriptions?pagination%5Bcount%5D=200")
        ]
    );
    let bearer = format!("Bearer {TOKEN}");
    assert!(seen.iter().all(|s| s.method == "GET" && s.authorization.as_deref() == Some(bearer.as_str())));
}

#[test]
fn import_from_the_api_follows_three_pages() {
    let mut subs = subscriptions();
    for n in 4..=7 {
        let mut more = subs[0].clone();
        more["id"] = json!(format!("sub_more_{n}"));
        more["name"] = json!(format!("Purchase {n}"));
        subs.push(more);
    }
    let fake = Fake::start(subs, 3);
    let home = TempDir::new("pages");
    let imported = import_from(&fake, &home, &[]);
    assert_eq!(imported.code, 0, "{}", imported.stderr);
    let cursors: Vec<Option<String>> = fake
        .seen()
        .iter()
        .filter(|s| s.target.contains("/subscriptions"))
        .map(|s| query(&s.target, "pagination[cursor]"))
        .collect();
    assert_eq!(cursors, [None, Some("cur-3".into()), Some("cur-6".into())]);
    let ws: Value = serde_json::from_str(&std::fs::read_to_string(home.join("ws.json")).unwrap()).unwrap();
    let names: Vec<&str> =
        ws["mappings"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Purchase", "Checkout step", "Purchase 4", "Purchase 5", "Purchase 6", "Purchase 7"]);
    assert_eq!(ws["segment"]["subscription_ids"]["Purchase 7"], "sub_more_7");
    assert_eq!(ws["segment"]["unsupported"][0]["name"], "Audience sync");
}

#[test]
fn the_region_picks_the_public_api_host() {
    // The stand-in is an HTTPS proxy that tunnels nothing: it sees only the host asked for.
    let fake = Fake::start(subscriptions(), 100);
    let home = TempDir::new("region");
    for (region, host) in [("eu", "eu1.api.segmentapis.com:443"), ("us", "api.segmentapis.com:443")] {
        let before = fake.seen().len();
        let out = run(
            &home,
            &["import-segment", "--from-api", DEST, "--region", region],
            &[("HTTPS_PROXY", &fake.url)],
        );
        says(&out, 1, &out.stderr, &["cannot reach Segment's Public API at https://"]);
        let seen = &fake.seen()[before..];
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!((seen[0].method.as_str(), seen[0].target.as_str()), ("CONNECT", host));
        assert_eq!(seen[0].authorization, None, "the token goes inside the tunnel only");
    }
}

/// A workspace imported from the stand-in, with Purchase's trigger changed and one mapping added.
fn edited_workspace(fake: &Fake, home: &TempDir) {
    assert_eq!(import_from(fake, home, &[]).code, 0);
    let mut ws: Value =
        serde_json::from_str(&std::fs::read_to_string(home.join("ws.json")).unwrap()).unwrap();
    ws["mappings"][0]["subscribe"] = json!("type = \"track\" and event = \"Order Placed\"");
    let mut added = ws["mappings"][1].clone();
    added["name"] = json!("Lead form");
    added["subscribe"] = json!("type = \"track\" and event = \"Lead\"");
    ws["mappings"].as_array_mut().unwrap().push(added);
    std::fs::write(home.join("ws.json"), ws.to_string()).unwrap();
}

#[test]
fn export_apply_creates_updates_and_leaves_the_rest() {
    let fake = Fake::start(subscriptions(), 2);
    let home = TempDir::new("apply");
    edited_workspace(&fake, &home);
    let args = [
        "export-segment",
        "--apply",
        "--destination-id",
        DEST,
        "--workspace",
        "ws.json",
        "--endpoint",
        &fake.url,
        "--yes",
    ];
    let applied = run(&home, &args, &[]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert_eq!(
        applied.stdout,
        format!(
            "destination {DEST}:\n  update     \"Purchase\" (sub_purchase_1): trigger\n  unchanged  \"Checkout step\" (sub_checkout_2)\n  create     \"Lead form\"\n  unchanged  \"Audience sync\" (sub_audience_3)\nupdated \"Purchase\" (sub_purchase_1)\ncreated \"Lead form\"\n"
        )
    );
    let writes = fake.writes();
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert_eq!(
        (writes[0].method.as_str(), writes[0].target.as_str()),
        ("PATCH", "/destinations/dest_reddit_42/subscriptions/sub_purchase_1")
    );
    assert_eq!(writes[0].body["input"]["trigger"], "type = \"track\" and event = \"Order Placed\"");
    assert_eq!(
        (writes[1].method.as_str(), writes[1].target.as_str()),
        ("POST", "/destinations/dest_reddit_42/subscriptions")
    );
    assert_eq!(writes[1].body["name"], "Lead form");
    assert_eq!(writes[1].body["actionId"], "act_custom_7Xy");

    // Applied: the next run has nothing to do and sends nothing.
    let again = run(&home, &args, &[]);
    says(&again, 0, &again.stdout, &["unchanged  \"Lead form\" (sub_new_4)", "nothing to change\n"]);
    assert_eq!(fake.writes().len(), 2);
}

#[test]
fn export_apply_off_a_terminal_without_yes_changes_nothing() {
    let fake = Fake::start(subscriptions(), 100);
    let home = TempDir::new("refuse");
    edited_workspace(&fake, &home);
    let out =
        run(&home, &["export-segment", "--apply", "--workspace", "ws.json", "--endpoint", &fake.url], &[]);
    says(&out, 2, &out.stderr, &["without a confirmation", "--yes"]);
    says(&out, 2, &out.stdout, &["create     \"Lead form\""]);
    assert!(fake.writes().is_empty());
}

#[test]
fn segment_errors_are_explained() {
    let fake = Fake::start(subscriptions(), 100);
    let home = TempDir::new("errors");
    // (destination, token, what stderr says)
    let answers = [
        (DEST, "not-the-token", "refused the token (401)", "The provided token is invalid"),
        ("dest_nope", TOKEN, "no destination \"dest_nope\" (404)", "--region eu"),
    ];
    for (id, token, words, more) in answers {
        let out = run(
            &home,
            &["import-segment", "--from-api", id, "--endpoint", &fake.url],
            &[("SEGMENT_TOKEN", token)],
        );
        says(&out, 1, &out.stderr, &[words, more]);
    }
    let cases = [
        (403, vec![], "lacks the scope or the workspace access"),
        (
            429,
            vec![("retry-after", "30"), ("x-ratelimit-limit", "60"), ("x-ratelimit-reset", "1767225600")],
            "rate limiting this token (429): wait 30 s (Retry-After)",
        ),
        (429, vec![("x-ratelimit-reset", "1767225600")], "the limit resets at 2026-01-01T00:00:00.000Z"),
        (500, vec![], "Public API failed (500): try again later"),
        (503, vec![], "Public API failed (503)"),
    ];
    for (status, headers, words) in cases {
        fake.state.lock().unwrap().fail = Some((status, headers, "Segment's own words"));
        let out = run(&home, &["import-segment", "--from-api", DEST, "--endpoint", &fake.url], &[]);
        says(&out, 1, &out.stderr, &[words, "Segment said: Segment's own words"]);
        assert_eq!(out.stdout, "");
        let apply = run(
            &home,
            &["export-segment", "--apply", "--destination-id", DEST, "--endpoint", &fake.url, "--yes"],
            &[],
        );
        says(&apply, 1, &apply.stderr, &[words]);
    }
    // An answer that repeats the token is shown masked.
    fake.state.lock().unwrap().fail = Some((400, vec![], TOKEN));
    let echoed = run(&home, &["import-segment", "--from-api", DEST, "--endpoint", &fake.url], &[]);
    says(&echoed, 1, &echoed.stderr, &["Segment answered 400 — Segment said: ••••"]);
    fake.state.lock().unwrap().fail = None;
    let no_token = run(
        &home,
        &["import-segment", "--from-api", DEST, "--endpoint", &fake.url],
        &[("SEGMENT_TOKEN", "")],
    );
    says(&no_token, 2, &no_token.stderr, &["set $SEGMENT_TOKEN"]);
    let bad_id = run(&home, &["import-segment", "--from-api", "../x", "--endpoint", &fake.url], &[]);
    says(&bad_id, 2, &bad_id.stderr, &["\"../x\" is not a Segment id"]);
    for (endpoint, why) in [
        ("http://segment.example", "http:// only to this machine"),
        ("https://user:pw@segment.example", "user info"),
        ("https://segment.example/?a=b", "query or fragment"),
    ] {
        let out = run(&home, &["import-segment", "--from-api", DEST, "--endpoint", endpoint], &[]);
        says(&out, 2, &out.stderr, &["--endpoint: ", why]);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn export_apply_on_a_terminal_asks_and_a_no_changes_nothing() {
    let fake = Fake::start(subscriptions(), 100);
    let home = TempDir::new("terminal");
    edited_workspace(&fake, &home);
    let args = ["export-segment", "--apply", "--workspace", "ws.json", "--endpoint", &fake.url];
    let declined = run_on_terminal(&home, &args, "n\n");
    let asked = "Apply these 2 change(s) to destination dest_reddit_42 in Segment? [y/N]";
    says(&declined, 1, &declined.stdout, &[asked, "nothing changed"]);
    assert!(fake.writes().is_empty());
    let accepted = run_on_terminal(&home, &args, "y\n");
    says(&accepted, 0, &accepted.stdout, &["created \"Lead form\""]);
    assert_eq!(fake.writes().len(), 2);
}

#[test]
fn an_answer_larger_than_a_destination_holds_is_refused_not_read_whole() {
    let fake = Fake::start(subscriptions(), 100);
    fake.state.lock().unwrap().destination = json!({"id": DEST, "pad": "x".repeat(17 << 20)});
    let home = TempDir::new("too-large");
    let out = run(
        &home,
        &["import-segment", "--from-api", DEST, "--endpoint", &fake.url],
        &[("SEGMENT_TOKEN", TOKEN)],
    );
    says(&out, 1, &out.stderr, &["is larger than 16 MiB, more than a destination holds"]);
    assert!(!home.join("workspace.json").exists(), "nothing written");
}
