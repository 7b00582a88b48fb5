//! End-to-end tests of the `reddit-capi-console` binary: `preview` and `hash`.
//!
//! Every run gets a fresh `REDDIT_CAPI_CONSOLE_HOME` (so no saved workspace of the user is read)
//! and no `REDDIT_CONVERSION_TOKEN` unless the test sets one. Nothing touches the network.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::TempDir;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_reddit-capi-console");
const V2_URL: &str = "https://ads-api.reddit.com/api/v2.0/conversions/events/";
const NO_TOKEN: &str = "Bearer <no token: set REDDIT_CONVERSION_TOKEN>";
const TS: &str = "2024-01-08T13:52:50.212Z";

// Spec §9 known answers.
const H_TEST_EMAIL: &str = "f660ab912ec121d1b1e928a0bb4bc61b15f5ad44d5efdc4e1c92a25e99b8e44a";
const H_USER_ID_1: &str = "3482ae91c8ec52c06e19d618d400b3985814bf705e00947a302ec849a6575c4c";
const H_IP: &str = "5feaf188de296cd3b17f7c66fd3a2aec9b694815f2b1180631f7b52f57029777";
const H_MESSAGE_ID: &str = "5184171f53a0fd17f59ea50fac8e11d9eb589ed0692920ee4f52a357112e6802";
const H_ALICE_REDDIT: &str = "ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976";

/// What one run of the binary produced.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// stdout as JSON lines.
    fn lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
            .collect()
    }

    /// The single line of `mapping` (panics unless there is exactly one).
    fn only(&self, mapping: &str) -> Value {
        let lines: Vec<Value> = self.lines().into_iter().filter(|l| l["mapping"] == mapping).collect();
        assert_eq!(lines.len(), 1, "one line for {mapping:?} expected in:\n{}", self.stdout);
        lines.into_iter().next().unwrap()
    }

    fn assert_usage_error(&self, stderr_contains: &str) {
        assert_eq!(self.code, 2, "exit code (stderr: {})", self.stderr);
        assert_eq!(self.stdout, "", "no output on a usage error");
        assert!(
            self.stderr.contains(stderr_contains),
            "stderr {:?} should contain {stderr_contains:?}",
            self.stderr
        );
    }
}

/// A run of the binary in an isolated home.
struct Cli {
    home: TempDir,
    args: Vec<String>,
    stdin: Option<String>,
    envs: Vec<(String, String)>,
}

fn cli(args: &[&str]) -> Cli {
    Cli {
        home: TempDir::new("home"),
        args: args.iter().map(|a| a.to_string()).collect(),
        stdin: None,
        envs: Vec::new(),
    }
}

impl Cli {
    fn stdin(mut self, text: impl Into<String>) -> Cli {
        self.stdin = Some(text.into());
        self
    }

    fn env(mut self, key: &str, value: &str) -> Cli {
        self.envs.push((key.into(), value.into()));
        self
    }

    /// Saves `text` as the workspace of this run's home.
    fn saved_workspace(self, text: &str) -> Cli {
        self.home.write("workspace.json", text);
        self
    }

    fn run(self) -> Run {
        let mut cmd = Command::new(BIN);
        cmd.args(&self.args)
            .env("REDDIT_CAPI_CONSOLE_HOME", self.home.path())
            .env_remove("REDDIT_CONVERSION_TOKEN")
            .env("REDDIT_CAPI_CONSOLE_KEYCHAIN", "off")
            .current_dir(self.home.path())
            .stdin(if self.stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("the binary runs");
        let writer = self.stdin.map(|text| {
            let mut pipe = child.stdin.take().unwrap();
            std::thread::spawn(move || pipe.write_all(text.as_bytes()))
        });
        let out = child.wait_with_output().unwrap();
        if let Some(w) = writer {
            // The binary may exit (e.g. on a usage error) before reading its input.
            if let Err(e) = w.join().unwrap() {
                assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
            }
        }
        Run {
            code: out.status.code().expect("exited normally"),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }
}

fn preview(args: &[&str]) -> Cli {
    let mut all = vec!["preview"];
    all.extend_from_slice(args);
    cli(&all)
}

fn order_completed() -> Value {
    json!({
        "type": "track",
        "event": "Order Completed",
        "messageId": "test-message-id-contact",
        "timestamp": TS,
        "userId": "user_id_1",
        "properties": {"revenue": 100, "currency": "USD", "quantity": 2,
                        "products": [{"product_id": "product_id_1", "category": "category_1", "name": "name_1"}]},
        "context": {"ip": "111.111.111.111", "userAgent": "test-user-agent", "traits": {"email": "Test@Test.com"}}
    })
}

fn with(mut event: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = if parent.is_empty() { &mut event } else { event.pointer_mut(parent).unwrap() };
    target.as_object_mut().unwrap().insert(key.to_string(), value);
    event
}

fn without(mut event: Value, key: &str) -> Value {
    event.as_object_mut().unwrap().remove(key);
    event
}

fn jsonl(events: &[Value]) -> String {
    events.iter().map(|e| e.to_string() + "\n").collect()
}

fn lint_fields(line: &Value) -> Vec<(String, String)> {
    line["lints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["field"].as_str().unwrap().to_string(), l["level"].as_str().unwrap().to_string()))
        .collect()
}

fn workspace(settings: Value, mappings: Value) -> String {
    json!({"format": "reddit-capi-console/workspace", "version": 1, "settings": settings, "mappings": mappings}).to_string()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn rfc3339(ms: i64) -> String {
    let s = reddit_capi_console::timestamp::format_rfc3339(ms);
    assert_eq!(
        reddit_capi_console::timestamp::format_rfc3339(1_704_721_970_212),
        TS,
        "the formatter the test relies on"
    );
    s
}

// ---------------------------------------------------------------------------------------------
// 1. preview with the built-in presets

#[test]
fn preview_order_completed_with_builtin_presets_builds_the_purchase_request() {
    let run = preview(&[]).stdin(order_completed().to_string()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    let lines = run.lines();
    assert_eq!(lines.len(), 2, "browser plugin note + Purchase request:\n{}", run.stdout);
    assert_eq!(lines[0]["mapping"], "Reddit Browser Plugin");
    assert!(lines[0].get("request").is_none());

    let line = &lines[1];
    let keys: Vec<&str> = line.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["event_index", "mapping", "request", "lints"]);
    assert_eq!(line["event_index"], 0);
    assert_eq!(line["mapping"], "Purchase");
    let request = &line["request"];
    assert_eq!(
        request["url"],
        format!("{V2_URL}a2_local_test_pixel"),
        "no saved workspace: the first-run Pixel ID, as send uses"
    );
    assert_eq!(request["method"], "POST");
    assert_eq!(
        request["headers"],
        json!({
            "Authorization": NO_TOKEN,
            "Content-Type": "application/json",
            "User-Agent": format!("reddit-capi-console/{}", env!("CARGO_PKG_VERSION")),
        })
    );
    let header_names: Vec<&String> = request["headers"].as_object().unwrap().keys().collect();
    assert_eq!(header_names, ["Authorization", "Content-Type", "User-Agent"]);
    assert_eq!(
        request["body"],
        json!({
            "events": [{
                "event_at": TS,
                "event_type": {"tracking_type": "Purchase"},
                "event_metadata": {
                    "currency": "USD", "item_count": 2, "value_decimal": 100,
                    "products": [{"category": "category_1", "id": "product_id_1", "name": "name_1"}],
                    "conversion_id": H_MESSAGE_ID
                },
                "user": {"email": H_TEST_EMAIL, "external_id": H_USER_ID_1, "ip_address": H_IP, "user_agent": "test-user-agent"}
            }],
            "test_mode": true,
            "partner": "SEGMENT"
        })
    );
    let lints = line["lints"].as_array().unwrap();
    assert!(
        lints.iter().all(|l| l["field"] != "settings.pixel_id"),
        "the first-run Pixel ID is set: {lints:?}"
    );
}

#[test]
fn preview_with_a_workspace_pixel_puts_it_in_the_url_and_drops_the_pixel_lint() {
    let dir = TempDir::new("ws");
    let ws = dir.write(
        "ws.json",
        &workspace(
            json!({"pixel_id": "a2_pixel_9", "test_mode": false}),
            json!([{"name": "Purchase", "preset": "Purchase"}]),
        ),
    );
    let run = preview(&["--workspace", ws.to_str().unwrap()]).stdin(order_completed().to_string()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = run.only("Purchase");
    assert_eq!(line["request"]["url"], format!("{V2_URL}a2_pixel_9"));
    assert_eq!(line["request"]["body"]["test_mode"], false);
    let fields = lint_fields(&line);
    assert!(!fields.iter().any(|(f, _)| f == "settings.pixel_id"), "{fields:?}");
    assert!(
        fields.contains(&("test_mode".into(), "warning".into())),
        "production send is flagged: {fields:?}"
    );
}

#[test]
fn saved_workspace_in_the_home_directory_is_used_without_workspace_flag() {
    let ws =
        workspace(json!({"pixel_id": "a2_saved"}), json!([{"name": "Only Purchase", "preset": "Purchase"}]));
    let run = preview(&[]).saved_workspace(&ws).stdin(order_completed().to_string()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = run.lines();
    assert_eq!(lines.len(), 1, "only the saved workspace's mapping runs:\n{}", run.stdout);
    assert_eq!(lines[0]["mapping"], "Only Purchase");
    assert_eq!(lines[0]["request"]["url"], format!("{V2_URL}a2_saved"));

    let broken = preview(&[]).saved_workspace("{\"format\": ").stdin(order_completed().to_string()).run();
    broken.assert_usage_error("saved workspace ");
}

#[test]
fn a_damaged_or_newer_saved_workspace_is_refused_left_in_place_and_the_command_exits_2() {
    let home = TempDir::new("damaged");
    let damaged = "{\"format\": \"reddit-capi-console/workspace\", \"version\": 1,\n \"mappings\": [tru";
    let run = |home: &TempDir| {
        Command::new(BIN)
            .args(["preview", "-"])
            .env("REDDIT_CAPI_CONSOLE_HOME", home.path())
            .env("REDDIT_CAPI_CONSOLE_KEYCHAIN", "off")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    for (text, error) in [
        (damaged, "line 2, column"),
        (r#"{"format": "reddit-capi-console/workspace", "version": 7}"#, "workspace version 7"),
    ] {
        let saved = home.write("workspace.json", text);
        let out = run(&home);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(out.stdout, b"");
        assert!(stderr.contains(&format!("saved workspace {} cannot be used", saved.display())), "{stderr}");
        assert!(stderr.contains(error) && stderr.contains("left as it is"), "{stderr}");
        // A command that only reads never moves the file: an older binary must not take a newer
        // app's workspace away.
        assert_eq!(std::fs::read_to_string(&saved).unwrap(), text);
        assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 1, "no copy, nothing else written");
    }
    let newer = r#"{"format": "reddit-capi-console/workspace", "version": 7}"#;
    home.write("workspace.json", newer);
    assert!(String::from_utf8_lossy(&run(&home).stderr).contains("update the app"));
}

// ---------------------------------------------------------------------------------------------
// 2. unmatched events

#[test]
fn event_no_trigger_matches_is_reported_unmatched() {
    let screen = json!({"type": "screen", "name": "Home", "timestamp": TS, "userId": "u"});
    let identify = json!({"type": "identify", "timestamp": TS, "userId": "u"});
    let run = preview(&[]).stdin(jsonl(&[identify, screen.clone(), screen])).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = run.lines();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert_eq!(lines[0]["mapping"], "Reddit Browser Plugin", "identify only reaches the browser plugin");
    assert_eq!(lines[1], json!({"event_index": 1, "unmatched": true}));
    assert_eq!(lines[2], json!({"event_index": 2, "unmatched": true}));
    assert_eq!(run.stdout.lines().nth(1).unwrap(), r#"{"event_index":1,"unmatched":true}"#);
}

// ---------------------------------------------------------------------------------------------
// 3. --mapping NAME

#[test]
fn mapping_flag_applies_that_mapping_whatever_the_trigger() {
    let page = json!({"type": "page", "name": "Home", "timestamp": TS, "userId": "user_id_1"});
    for name in ["Purchase", "purchase"] {
        let run = preview(&["--mapping", name]).stdin(page.to_string()).run();
        assert_eq!(run.code, 0, "{}", run.stderr);
        let lines = run.lines();
        assert_eq!(lines.len(), 1, "only the named mapping runs, not the page triggers:\n{}", run.stdout);
        assert_eq!(lines[0]["event_index"], 0);
        assert_eq!(lines[0]["mapping"], "Purchase");
        let event = &lines[0]["request"]["body"]["events"][0];
        assert_eq!(event["event_type"], json!({"tracking_type": "Purchase"}));
        assert_eq!(event["user"], json!({"external_id": H_USER_ID_1}));
    }
}

// ---------------------------------------------------------------------------------------------
// 4. refusals

#[test]
fn refused_events_name_the_field_and_exit_1() {
    let base = order_completed();
    let cases = [
        (
            with(base.clone(), "/properties/currency", json!("usd")),
            "event_metadata.currency",
            "The value at /event_metadata/currency must be one of: the 165 values Segment lists.",
        ),
        (
            with(base.clone(), "/properties/quantity", json!(2.5)),
            "event_metadata.item_count",
            "The value at /event_metadata/item_count must be an integer but it was a number.",
        ),
        (
            with(base.clone(), "/context/traits/email", json!("nobody.example.com")),
            "user.email",
            "email has no \"@\": Segment's code throws on it, so Segment drops the whole event",
        ),
        (
            without(base.clone(), "timestamp"),
            "event_at",
            "The root value is missing the required field 'event_at'.",
        ),
        (
            with(base.clone(), "/timestamp", json!("next tuesday")),
            "event_at",
            "The value at /event_at must be a valid date-like string but it was not.",
        ),
    ];
    for (event, field, message) in cases {
        let run = preview(&[]).stdin(event.to_string()).run();
        assert_eq!(run.code, 1, "{field}: {}", run.stdout);
        assert_eq!(
            run.only("Purchase"),
            json!({"event_index": 0, "mapping": "Purchase", "error": {"field": field, "message": message}})
        );
        let line = run.stdout.lines().find(|l| l.contains("\"Purchase\"")).unwrap();
        assert!(line.starts_with(r#"{"event_index":0,"mapping":"Purchase","error":{"field":"#), "{line}");
    }
}

#[test]
fn one_refused_event_among_good_ones_still_prints_the_others_and_exits_1() {
    let good = order_completed();
    let bad = with(order_completed(), "/properties/currency", json!("usd"));
    let run = preview(&["--mapping", "Purchase"]).stdin(jsonl(&[good.clone(), bad, good])).run();
    assert_eq!(run.code, 1);
    let lines = run.lines();
    assert_eq!(lines.len(), 3);
    assert!(lines[0]["request"].is_object());
    assert_eq!(lines[1]["error"]["field"], "event_metadata.currency");
    assert_eq!(lines[1]["event_index"], 1);
    assert_eq!(lines[2]["event_index"], 2);
    assert!(lines[2]["request"].is_object());
}

// ---------------------------------------------------------------------------------------------
// 5. usage and input errors

#[test]
fn unknown_flag_is_a_usage_error() {
    preview(&["--no-such-flag"]).run().assert_usage_error("unexpected argument '--no-such-flag'");
    cli(&["hash", "--field", "email", "--bogus", "x"])
        .run()
        .assert_usage_error("unexpected argument '--bogus'");
    preview(&["--api", "v4"]).run().assert_usage_error("unknown API version \"v4\"");
    preview(&["--profile", "facebook"])
        .run()
        .assert_usage_error("unknown normalization profile \"facebook\"");
}

#[test]
fn unknown_mapping_name_is_a_usage_error_listing_the_mappings() {
    let run = preview(&["--mapping", "Checkout"]).stdin(order_completed().to_string()).run();
    run.assert_usage_error("no mapping named \"Checkout\"; mappings: Reddit Browser Plugin, Page Visit, View Content, Search, Add to Cart, Add to Wishlist, Purchase, Lead, Sign Up");
}

#[test]
fn broken_events_file_names_path_line_and_column() {
    let dir = TempDir::new("broken");
    let path = dir.write("events.jsonl", "{\"type\": \"page\"}\n{\"type\": \"page\"}\n{\"events\": x}\n");
    let file = path.to_str().unwrap();
    preview(&[file]).run().assert_usage_error(&format!("{file}:3:12: expected value"));

    // Inside a JSON array, with a multi-byte character before the error: columns count characters.
    let path = dir.write("events.json", "[\n  {\"type\": \"page\"},\n  {\"name\": \"café\" \"x\"}\n]\n");
    let file = path.to_str().unwrap();
    preview(&[file]).run().assert_usage_error(&format!("{file}:3:19: expected `,` or `}}`"));

    let path = dir.write("not-an-object.json", "[{\"type\": \"page\"}, 3]");
    let file = path.to_str().unwrap();
    preview(&[file]).run().assert_usage_error(&format!(
        "{file}:1:20: expected a Segment event (a JSON object), found a number"
    ));

    let missing = dir.path().join("missing.json");
    preview(&[missing.to_str().unwrap()]).run().assert_usage_error(missing.to_str().unwrap());

    preview(&[])
        .stdin("{\"type\": \"page\"}\n{oops}\n")
        .run()
        .assert_usage_error("<stdin>:2:2: key must be a string");
}

#[test]
fn workspace_with_an_unknown_key_is_a_usage_error() {
    let dir = TempDir::new("ws-unknown");
    let path =
        dir.write("ws.json", r#"{"format": "reddit-capi-console/workspace", "version": 1, "mapings": []}"#);
    let file = path.to_str().unwrap();
    let run = preview(&["--workspace", file]).stdin(order_completed().to_string()).run();
    run.assert_usage_error(&format!("workspace {file}: unknown field `mapings`"));

    let path = dir.write("ws2.json", &workspace(json!({"pixel": "x"}), json!([])));
    let run = preview(&["--workspace", path.to_str().unwrap()]).stdin(order_completed().to_string()).run();
    run.assert_usage_error("unknown field `pixel`");
}

#[test]
fn workspace_from_a_newer_version_is_a_usage_error() {
    let dir = TempDir::new("ws-v2");
    let path =
        dir.write("ws.json", r#"{"format": "reddit-capi-console/workspace", "version": 2, "mappings": []}"#);
    let file = path.to_str().unwrap();
    let run = preview(&["--workspace", file]).stdin(order_completed().to_string()).run();
    run.assert_usage_error(&format!(
        "workspace {file}: written by a newer Reddit CAPI Console (workspace version 2); this one reads version 1: update the app"
    ));
}

#[test]
fn workspace_mapping_limit_is_fifty() {
    let dir = TempDir::new("ws-limit");
    let mappings = |n: usize| -> Value {
        (0..n)
            .map(|i| json!({"name": format!("Purchase {i}"), "preset": "Purchase"}))
            .collect::<Vec<_>>()
            .into()
    };
    let fifty = dir.write("fifty.json", &workspace(json!({}), mappings(50)));
    let run = preview(&["--workspace", fifty.to_str().unwrap()]).stdin(order_completed().to_string()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.lines().len(), 50);
    let fifty_one = dir.write("fifty-one.json", &workspace(json!({}), mappings(51)));
    let run =
        preview(&["--workspace", fifty_one.to_str().unwrap()]).stdin(order_completed().to_string()).run();
    run.assert_usage_error("51 mappings: a workspace holds at most 50");
}

// ---------------------------------------------------------------------------------------------
// 6. where events come from

#[test]
fn events_from_stdin_with_dash_or_no_argument() {
    let page = json!({"type": "page", "timestamp": TS, "userId": "u"});
    let input = jsonl(&[page.clone(), page]);
    let dash = preview(&["--mapping", "Page Visit", "-"]).stdin(input.clone()).run();
    let none = preview(&["--mapping", "Page Visit"]).stdin(input).run();
    assert_eq!(dash.code, 0, "{}", dash.stderr);
    assert_eq!(dash.stdout, none.stdout);
    let indexes: Vec<Value> = dash.lines().iter().map(|l| l["event_index"].clone()).collect();
    assert_eq!(indexes, [json!(0), json!(1)]);

    // Empty input is an error, not a silent success (issue 11).
    let empty = preview(&[]).run();
    assert_eq!((empty.code, empty.stdout.as_str()), (2, ""));
    assert!(empty.stderr.contains("no events in <stdin>"), "{}", empty.stderr);
}

#[test]
fn json_array_and_json_lines_files_number_events_across_files() {
    let dir = TempDir::new("files");
    let page = json!({"type": "page", "timestamp": TS, "userId": "u"});
    let pretty =
        serde_json::to_string_pretty(&json!([page.clone(), with(page.clone(), "/userId", json!("v"))]))
            .unwrap();
    let array = dir.write("array.json", &pretty);
    let lines = dir.write("events.jsonl", &jsonl(&[page.clone(), page.clone(), page.clone()]));
    let object = dir.write("one.json", &serde_json::to_string_pretty(&page).unwrap());
    let run = preview(&[
        "--mapping",
        "Page Visit",
        array.to_str().unwrap(),
        lines.to_str().unwrap(),
        object.to_str().unwrap(),
    ])
    .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let indexes: Vec<u64> = run.lines().iter().map(|l| l["event_index"].as_u64().unwrap()).collect();
    assert_eq!(indexes, [0, 1, 2, 3, 4, 5]);
    for line in run.lines() {
        assert_eq!(line["request"]["body"]["events"][0]["event_type"]["tracking_type"], "PageVisit");
    }
}

// ---------------------------------------------------------------------------------------------
// 7. token masking

#[test]
fn conversion_token_is_masked_unless_show_token() {
    let token = "tok_abcdefghijklmnop1234";
    let event = order_completed().to_string();
    for format in ["json", "text"] {
        let run = preview(&["--format", format, "--explain"])
            .env("REDDIT_CONVERSION_TOKEN", token)
            .stdin(event.clone())
            .run();
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(!run.stdout.contains(token), "{format}: token leaked");
        assert!(!run.stdout.contains("abcdefghijklmnop"), "{format}: token body leaked");
        assert!(!run.stderr.contains(token));
        if format == "json" {
            assert_eq!(run.only("Purchase")["request"]["headers"]["Authorization"], "Bearer ••••1234");
        } else {
            assert!(run.stdout.contains("\nAuthorization: Bearer ••••1234\n"), "{}", run.stdout);
        }
    }
    let shown = preview(&["--show-token"]).env("REDDIT_CONVERSION_TOKEN", token).stdin(event.clone()).run();
    assert_eq!(shown.only("Purchase")["request"]["headers"]["Authorization"], format!("Bearer {token}"));

    let missing = preview(&["--show-token"]).stdin(event).run();
    assert_eq!(missing.only("Purchase")["request"]["headers"]["Authorization"], NO_TOKEN);
}

// ---------------------------------------------------------------------------------------------
// 8. batching

#[test]
fn batch_splits_2500_events_into_requests_of_at_most_1000() {
    let dir = TempDir::new("batch");
    let ts = rfc3339(now_ms());
    let mut text = String::with_capacity(2500 * 160);
    for i in 0..2500 {
        let e = json!({"type": "track", "event": "Order Completed", "timestamp": ts, "messageId": format!("m{i}"),
                       "userId": format!("u{i}"), "properties": {"revenue": i, "currency": "USD"}});
        text.push_str(&e.to_string());
        text.push('\n');
    }
    let events = dir.write("big.jsonl", &text);
    let ws = dir.write(
        "ws.json",
        &workspace(json!({"pixel_id": "a2_batch"}), json!([{"name": "Purchase", "preset": "Purchase"}])),
    );
    let args = ["--workspace", ws.to_str().unwrap(), events.to_str().unwrap()];

    let mut batched_args = vec!["--batch"];
    batched_args.extend_from_slice(&args);
    let run = preview(&batched_args).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = run.lines();
    assert_eq!(lines.len(), 3, "three request lines");
    let sizes: Vec<usize> = lines.iter().map(|l| l["event_indexes"].as_array().unwrap().len()).collect();
    assert_eq!(sizes, [1000, 1000, 500]);
    let mut seen = vec![0u32; 2500];
    for line in &lines {
        assert!(line.get("event_index").is_none());
        assert_eq!(line["mapping"], "Purchase");
        let indexes = line["event_indexes"].as_array().unwrap();
        let events = line["request"]["body"]["events"].as_array().unwrap();
        assert_eq!(indexes.len(), events.len());
        for (i, e) in indexes.iter().zip(events) {
            let i = i.as_u64().unwrap() as usize;
            seen[i] += 1;
            assert_eq!(e["event_metadata"]["value_decimal"], i, "events stay in their indexes' order");
        }
        assert!(!lint_fields(line).iter().any(|(_, level)| level == "error"), "{:?}", lint_fields(line));
    }
    assert!(seen.iter().all(|&n| n == 1), "every index 0..2499 exactly once");

    let run = preview(&args).run();
    assert_eq!(run.code, 0);
    let lines = run.lines();
    assert_eq!(lines.len(), 2500);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["event_index"], i);
        assert!(line.get("event_indexes").is_none());
        assert_eq!(line["request"]["body"]["events"].as_array().unwrap().len(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// 9. --api v3

#[test]
fn api_v3_builds_the_v3_request() {
    let dir = TempDir::new("v3");
    let ws = dir.write(
        "ws.json",
        &workspace(
            json!({"pixel_id": "a2_v3", "test_id": "t-123"}),
            json!([{"name": "Purchase", "preset": "Purchase"}]),
        ),
    );
    let event = with(
        with(order_completed(), "/timestamp", json!("2024-01-08T18:52:50.212+05:00")),
        "/context/page",
        json!({"url": "https://shop.example/checkout"}),
    );
    let run = preview(&["--workspace", ws.to_str().unwrap(), "--api", "v3"]).stdin(event.to_string()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = run.only("Purchase");
    let request = &line["request"];
    assert_eq!(request["url"], "https://ads-api.reddit.com/api/v3/pixels/a2_v3/conversion_events");
    assert_eq!(request["method"], "POST");
    let body = request["body"].as_object().unwrap();
    assert_eq!(body.keys().collect::<Vec<_>>(), ["data"], "no test_mode, no top-level events");
    assert_eq!(body["data"]["test_id"], "t-123");
    let events = body["data"]["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["event_at"], json!(1_704_721_970_212_i64));
    assert_eq!(e["action_source"], "WEBSITE");
    assert_eq!(e["event_source_url"], "https://shop.example/checkout");
    assert_eq!(e["type"], json!({"tracking_type": "PURCHASE"}));
    assert!(e.get("event_type").is_none() && e.get("event_metadata").is_none());
    assert_eq!(e["metadata"]["value"], 100);
    assert_eq!(e["metadata"]["currency"], "USD");
    assert_eq!(e["user"]["email"], H_TEST_EMAIL);
    assert!(!lint_fields(&line).iter().any(|(f, _)| f == "data.test_id"), "{:?}", lint_fields(&line));

    // Without a test id: no data.test_id, and a warning that this is a production send.
    let run = preview(&["--api", "v3"]).stdin(event.to_string()).run();
    let line = run.only("Purchase");
    assert_eq!(
        line["request"]["url"],
        "https://ads-api.reddit.com/api/v3/pixels/a2_local_test_pixel/conversion_events"
    );
    assert!(line["request"]["body"]["data"].get("test_id").is_none());
    assert!(lint_fields(&line).contains(&("data.test_id".into(), "warning".into())));
}

// ---------------------------------------------------------------------------------------------
// 10. normalization profiles

#[test]
fn profile_reddit_and_segment_hash_the_same_email_differently() {
    let event =
        with(order_completed(), "/context/traits/email", json!("Al.ice$+Apple@Example.Com")).to_string();
    let email = |profile: &str| {
        let run = preview(&["--profile", profile, "--mapping", "Purchase"]).stdin(event.clone()).run();
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.only("Purchase")["request"]["body"]["events"][0]["user"]["email"].as_str().unwrap().to_string()
    };
    let reddit = email("reddit");
    let segment = email("segment");
    assert_eq!(reddit, H_ALICE_REDDIT);
    assert_ne!(segment, reddit);
    // Segment keeps "$": sha256("alice$@example.com").
    assert_eq!(segment, "798730f4ebe7e5e3faadc1745101ebc181574ef65ae5127213a617d8ca209fa1");
}

// ---------------------------------------------------------------------------------------------
// 11. text format and --explain

#[test]
fn text_format_shows_request_identifiers_and_lints() {
    let event = with(order_completed(), "/context/traits/email", json!("Al.ice$+Apple@Example.Com"));
    let run = preview(&["--format", "text", "--mapping", "Purchase"]).stdin(event.to_string()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(out.starts_with("event 0 · track \"Order Completed\" → \"Purchase\"\n"), "{out}");
    assert!(out.contains(&format!("\nPOST {V2_URL}a2_local_test_pixel\n")), "{out}");
    assert!(out.contains("\nIdentifiers (segment profile): raw → normalized → SHA-256\n"), "{out}");
    let email_row =
        out.lines().find(|l| l.trim_start().starts_with("events[0].user.email")).expect("email row");
    assert!(
        email_row.contains("\"Al.ice$+Apple@Example.Com\" → \"alice$@example.com\" → 798730f4…9fa1"),
        "{email_row}"
    );
    assert!(
        out.contains(
            "rules: removed 1 dot from local part; cut local part at first + (dropped \"+Apple\"); lowercased"
        ),
        "{out}"
    );
    assert!(out.contains("⚠ the reddit profile would send ff8d9819…d976"), "{out}");
    let ext_row = out
        .lines()
        .find(|l| l.trim_start().starts_with("events[0].user.external_id"))
        .expect("external_id row");
    assert!(ext_row.contains("\"user_id_1\" → \"user_id_1\" → 3482ae91…5c4c"), "{ext_row}");
    let lints = out.split("\nLints\n").nth(1).expect("a Lints section");
    assert!(lints.contains("  warning events[0].event_at: event_at is "), "{lints}");
}

#[test]
fn explain_adds_identifiers_to_json_lines() {
    let event = order_completed().to_string();
    let plain = preview(&["--mapping", "Purchase"]).stdin(event.clone()).run().only("Purchase");
    assert!(plain.get("identifiers").is_none());
    let explained = preview(&["--mapping", "Purchase", "--explain"]).stdin(event).run().only("Purchase");
    assert_eq!(explained["request"], plain["request"], "explaining changes no request");
    let ids = explained["identifiers"].as_array().unwrap();
    let paths: Vec<&str> = ids.iter().map(|i| i["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "events[0].event_metadata.conversion_id",
            "events[0].user.email",
            "events[0].user.external_id",
            "events[0].user.ip_address"
        ]
    );
    let email = &ids[1];
    assert_eq!(email["field"], "email");
    assert_eq!(email["profile"], "segment");
    assert_eq!(email["input"], "Test@Test.com");
    assert_eq!(email["normalized"], "test@test.com");
    assert_eq!(email["hash"], H_TEST_EMAIL);
    assert_eq!(email["steps"], json!(["lowercased"]));
    assert_eq!(email["already_hashed"], false);
    assert_eq!(ids[0]["hash"], H_MESSAGE_ID);
    assert_eq!(ids[3]["hash"], H_IP);
}

// ---------------------------------------------------------------------------------------------
// 12. hash

struct Vector {
    field: &'static str,
    input: &'static str,
    normalized: &'static str,
    hash: &'static str,
}

const VECTORS: [Vector; 8] = [
    Vector { field: "email", input: "Test@Test.com", normalized: "test@test.com", hash: H_TEST_EMAIL },
    Vector {
        field: "email",
        input: "  John.Doe+promo@Gmail.COM  ",
        normalized: "johndoe@gmail.com",
        hash: "06a240d11cc201676da976f7b49341181fd180da37cbe40a77432c0a366c80c3",
    },
    Vector { field: "external_id", input: " user_id_1 ", normalized: "user_id_1", hash: H_USER_ID_1 },
    Vector { field: "ip_address", input: "111.111.111.111", normalized: "111.111.111.111", hash: H_IP },
    Vector {
        field: "conversion_id",
        input: "test-message-id-contact",
        normalized: "test-message-id-contact",
        hash: H_MESSAGE_ID,
    },
    Vector {
        field: "phone",
        input: "1-(650)-555   - 1212 ExT 450",
        normalized: "+16505551212",
        hash: "1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8",
    },
    Vector {
        field: "phone",
        input: "+15554441234",
        normalized: "+15554441234",
        hash: "e5b124c58580eb16bd959b8d0cac12b12c952e2ceae0203d416cff94f10b994a",
    },
    Vector {
        field: "aaid",
        input: "38400000-8cf0-11bd-b23e-10b96e40000d",
        normalized: "38400000-8cf0-11bd-b23e-10b96e40000d",
        hash: "d4181bb455a74b3bc8b37c75ac9b2c702eb6b9930bd040b861403b31ca85634d",
    },
];

fn hash(field: &str, profile: &str, values: &[&str]) -> Run {
    let mut args = vec!["hash", "--field", field, "--profile", profile];
    args.extend_from_slice(values);
    cli(&args).run()
}

#[test]
fn hash_reproduces_every_known_answer_in_both_profiles() {
    for v in &VECTORS {
        for profile in ["segment", "reddit"] {
            let run = hash(v.field, profile, &[v.input]);
            assert_eq!(run.code, 0, "{} {profile}: {}", v.input, run.stderr);
            let lines = run.lines();
            assert_eq!(lines.len(), 1);
            let h = &lines[0];
            assert_eq!(h["field"], v.field);
            assert_eq!(h["profile"], profile);
            assert_eq!(h["input"], v.input);
            assert_eq!(h["normalized"], v.normalized, "{} {profile}", v.input);
            assert_eq!(h["hash"], v.hash, "{} {profile}", v.input);
            assert_eq!(h["already_hashed"], false);
            let steps = h["steps"].as_array().unwrap();
            assert_eq!(steps.is_empty(), v.input == v.normalized, "{} {profile}: steps {steps:?}", v.input);
            assert!(steps.iter().all(|s| s.as_str().is_some_and(|s| !s.is_empty())));
            assert_eq!(h["other_profile_hash"], Value::Null, "{}: the profiles agree", v.input);
        }
    }
}

#[test]
fn hash_shows_the_other_profiles_hash_exactly_when_they_disagree() {
    let input = "Al.ice$+Apple@Example.Com";
    let segment_hash = "798730f4ebe7e5e3faadc1745101ebc181574ef65ae5127213a617d8ca209fa1";
    let reddit = &hash("email", "reddit", &[input]).lines()[0];
    assert_eq!(reddit["normalized"], "alice@example.com");
    assert_eq!(reddit["hash"], H_ALICE_REDDIT);
    assert_eq!(reddit["other_profile_hash"], segment_hash);
    assert!(!reddit["steps"].as_array().unwrap().is_empty());
    let segment = &hash("email", "segment", &[input]).lines()[0];
    assert_eq!(segment["normalized"], "alice$@example.com");
    assert_eq!(segment["hash"], segment_hash);
    assert_eq!(segment["other_profile_hash"], H_ALICE_REDDIT);

    // Advertising ids: the Reddit profile uppercases an IDFA, Segment leaves it alone.
    let idfa = &hash("idfa", "reddit", &["ea7583cd-a667-48bc-b806-42ecb2b48606"]).lines()[0];
    assert_eq!(idfa["normalized"], "EA7583CD-A667-48BC-B806-42ECB2B48606");
    assert_eq!(idfa["steps"], json!(["uppercased"]));
    let seg_idfa = &hash("idfa", "segment", &["ea7583cd-a667-48bc-b806-42ecb2b48606"]).lines()[0];
    assert_eq!(seg_idfa["other_profile_hash"], idfa["hash"]);
    assert_eq!(idfa["other_profile_hash"], seg_idfa["hash"]);
    assert_ne!(idfa["hash"], seg_idfa["hash"]);
}

#[test]
fn hash_of_an_already_hashed_value_is_unchanged() {
    let upper = H_TEST_EMAIL.to_ascii_uppercase();
    let h = &hash("email", "segment", &[upper.as_str()]).lines()[0];
    assert_eq!(h["already_hashed"], true);
    assert_eq!(h["hash"], upper.as_str());
    assert_eq!(h["normalized"], upper.as_str());
    assert_eq!(h["other_profile_hash"], Value::Null);
}

#[test]
fn hash_several_values_print_several_lines() {
    let run = hash("email", "segment", &["Test@Test.com", "  John.Doe+promo@Gmail.COM  ", "Test@Test.com"]);
    assert_eq!(run.code, 0);
    let hashes: Vec<Value> = run.lines().iter().map(|l| l["hash"].clone()).collect();
    assert_eq!(hashes, [json!(H_TEST_EMAIL), json!(VECTORS[1].hash), json!(H_TEST_EMAIL)]);
}

#[test]
fn hash_refuses_an_email_without_at_with_exit_1() {
    let run = cli(&["hash", "--field", "email", "nobody"]).run();
    assert_eq!(run.code, 1);
    assert_eq!(
        run.lines(),
        [json!({"field": "email", "profile": "segment", "input": "nobody",
                "error": "email has no \"@\": Segment's code throws on it, so Segment drops the whole event"})]
    );
    // The good value of the same call is still printed.
    let run = cli(&["hash", "--field", "email", "Test@Test.com", "nobody"]).run();
    assert_eq!(run.code, 1);
    let lines = run.lines();
    assert_eq!(lines[0]["hash"], H_TEST_EMAIL);
    assert!(lines[1]["error"].is_string());
}

#[test]
fn hash_unknown_field_is_a_usage_error() {
    cli(&["hash", "--field", "fax", "123"]).run().assert_usage_error("unknown identifier field \"fax\"");
    cli(&["hash", "--field", "email"]).run().assert_usage_error("<VALUES>");
}

// ---------------------------------------------------------------------------------------------
// 13. Reddit's 7-day window

#[test]
fn event_older_than_seven_days_gets_a_warning_and_a_fresh_one_does_not() {
    let now = now_ms();
    let eight_days_ago = rfc3339(now - 8 * 86_400_000);
    let old = with(order_completed(), "/timestamp", json!(eight_days_ago));
    let fresh = with(order_completed(), "/timestamp", json!(rfc3339(now)));
    let run = preview(&["--mapping", "Purchase"]).stdin(jsonl(&[old, fresh])).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = run.lines();
    assert_eq!(lines.len(), 2);

    let old_lints: Vec<&Value> =
        lines[0]["lints"].as_array().unwrap().iter().filter(|l| l["field"] == "events[0].event_at").collect();
    assert_eq!(old_lints.len(), 1, "{}", lines[0]["lints"]);
    assert_eq!(old_lints[0]["level"], "warning");
    assert_eq!(
        old_lints[0]["message"],
        "event_at is 8 days old: Reddit rejects events older than 7 days (\"event_at timestamp must be less than 168h0m0s old\")"
    );
    assert_eq!(
        lines[0]["request"]["body"]["events"][0]["event_at"],
        eight_days_ago.as_str(),
        "v2 passes event_at through"
    );

    assert!(
        !lines[1]["lints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["field"].as_str().unwrap().contains("event_at")),
        "{}",
        lines[1]["lints"]
    );
}

#[test]
fn version_names_the_segment_release_and_the_data_directory() {
    for flag in ["--version", "-V"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_reddit-capi-console"))
            .arg(flag)
            .env("REDDIT_CAPI_CONSOLE_HOME", "/tmp/rcc-version-home")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let release = reddit_capi_console::mapping::release::segment_release();
        let expected = format!(
            "reddit-capi-console {}\nsegment profile matches {release}\ndata directory: /tmp/rcc-version-home\n",
            env!("CARGO_PKG_VERSION")
        );
        assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
        assert!(!std::path::Path::new("/tmp/rcc-version-home").exists(), "nothing created");
    }
}

#[test]
fn paths_prints_where_the_files_live() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reddit-capi-console"))
        .args(["paths", "--format", "json"])
        .env("REDDIT_CAPI_CONSOLE_HOME", "/tmp/rcc-paths-home")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["workspace"], "/tmp/rcc-paths-home/workspace.json");
    assert_eq!(v["settings"], "/tmp/rcc-paths-home/settings.json");
    assert_eq!(v["history"], "/tmp/rcc-paths-home/history.jsonl");
    assert_eq!(v["tokens"], "/tmp/rcc-paths-home/tokens.json");
    assert_eq!(v["window"], "/tmp/rcc-paths-home/eframe.ron", "a file in the directory, never the directory");
    assert_eq!(v.as_object().unwrap().len(), 5, "{v}");
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/segment/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn import_segment_reads_public_api_answers_and_keeps_the_token_out_of_the_workspace() {
    let dir = TempDir::new("import");
    let out = dir.path().join("imported.json");
    let run = cli(&[
        "import-segment",
        "--destination",
        &fixture("destination.json"),
        "--output",
        out.to_str().unwrap(),
        &fixture("subscriptions.json"),
    ])
    .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Unknown actions and fields are named; the token is reported by its last 4 characters only.
    assert!(
        run.stderr.contains("\"syncAudience\"") && run.stderr.contains("\"batch_size\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("••••Zk93") && run.stderr.contains("--store-token"), "{}", run.stderr);
    assert!(!run.stderr.contains("fixture-conversion-token"));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("fixture-conversion-token") && !text.contains("Zk93"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let ws: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(ws["settings"]["pixel_id"], "a2_fixture_pixel");
    assert_eq!(ws["mappings"][1]["subscribe"], "type = \"track\" and event = \"Checkout Step Viewed\"");

    // Back to Segment: the create bodies of the subscriptions imported, and a runnable cURL.
    let json = cli(&["export-segment", "--workspace", out.to_str().unwrap(), "--format", "json"]).run();
    assert_eq!(json.code, 0, "{}", json.stderr);
    let exported: Value = serde_json::from_str(&json.stdout).unwrap();
    let original: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("subscriptions.json")).unwrap()).unwrap();
    for (got, sub) in exported["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .zip(original["data"]["subscriptions"].as_array().unwrap())
    {
        for key in ["name", "actionId", "trigger", "enabled", "settings"] {
            assert_eq!(got[key], sub[key], "{key} of {}", sub["name"]);
        }
    }
    let curl = cli(&["export-segment", "--workspace", out.to_str().unwrap()]).run();
    assert!(
        curl.stdout.contains("Bearer $SEGMENT_TOKEN")
            && curl.stdout.contains("/destinations/dest_reddit_42/subscriptions")
    );
}

#[test]
fn import_segment_reads_stdin_and_names_a_bad_file() {
    let subs = std::fs::read_to_string(fixture("subscriptions.json")).unwrap();
    let run = cli(&["import-segment"]).stdin(subs).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(serde_json::from_str::<Value>(&run.stdout).unwrap()["mappings"].as_array().unwrap().len(), 2);
    cli(&["import-segment", "-"]).stdin("{\"data\": [1}").run().assert_usage_error("subscriptions: line 1");
}

#[test]
fn batch_size_closes_batches_and_explain_names_the_release() {
    let good = order_completed();
    let bad = with(order_completed(), "/properties/currency", json!("BTC"));
    let run = preview(&["--mapping", "Purchase", "--batch", "--batch-size", "2", "--explain"])
        .stdin(jsonl(&[good.clone(), bad, good.clone(), good]))
        .run();
    let lines = run.lines();
    let batches: Vec<&Value> = lines.iter().filter(|l| l.get("event_indexes").is_some()).collect();
    assert_eq!(batches.len(), 2, "{}", run.stdout);
    assert_eq!(batches[0]["event_indexes"], json!([0]));
    assert_eq!(batches[1]["event_indexes"], json!([2, 3]));
    assert_eq!(
        batches[0]["reference"],
        "matches Segment's published release: @segment/action-destinations 3.497.0 (@segment/actions-core 3.170.0)"
    );
    preview(&["--batch-size", "2"]).stdin(jsonl(&[order_completed()])).run().assert_usage_error("--batch");
}

#[test]
fn a_phone_without_its_country_code_is_a_warning_naming_the_field_in_both_profiles() {
    for (phone, warned) in
        [("(650) 555-1212", true), ("+44 (0)20 7946 0958", true), ("+1 650 555 1212", false)]
    {
        let event = with(order_completed(), "/context/traits/phone", json!(phone)).to_string();
        for profile in ["segment", "reddit"] {
            let run = preview(&["--profile", profile, "--mapping", "Purchase"]).stdin(event.clone()).run();
            assert_eq!(run.code, 0, "{}", run.stderr);
            let line = run.only("Purchase");
            let lint = line["lints"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["field"] == "events[0].user.phone_number");
            assert_eq!(lint.is_some(), warned, "{phone} ({profile}): {:?}", line["lints"]);
            if let Some(l) = lint {
                assert_eq!(l["level"], "warning");
                assert!(l["hint"].as_str().unwrap().contains("+"), "a fix is named: {l}");
            }
        }
    }
}

/// Every directive the console runs (issue 24), imported from Segment's Public API answer,
/// previewed (the Purchase body is the release's own for this event: `tests/differential`'s
/// probe) and exported back with each subscription's settings byte for byte as Segment gave them.
#[test]
fn a_workspace_using_every_directive_imports_previews_and_exports_back_unchanged() {
    let dir = TempDir::new("directives");
    let ws = dir.path().join("directives.json");
    let input = std::fs::read_to_string(fixture("directives-subscriptions.json")).unwrap();
    let run =
        cli(&["import-segment", "--output", ws.to_str().unwrap(), &fixture("directives-subscriptions.json")])
            .run();
    assert_eq!(run.code, 0, "{}", run.stderr);

    let event = r#"{"type":"track","event":"Order Completed","timestamp":"2024-01-08T13:52:50.212Z","messageId":"m1","properties":{"order.id":"flat","order":{"id":"ord-9"},"click_id":"ab-cx.d","currency":"eur","extra":{"value_decimal":"12.50","item_count":2},"products":[{"id":"p1","name":"Shoe","price":3,"extra":true}],"ids":"{\"user\":\"u-1\"}","meta":{"a":{"b":1},"c":[1]}},"context":{"traits":{"email":"Ada@Example.com"}}}"#;
    let body = |mapping: &str| {
        let run =
            cli(&["preview", "--workspace", ws.to_str().unwrap(), "--mapping", mapping]).stdin(event).run();
        assert_eq!(run.code, 0, "{}", run.stderr);
        let line: Value = serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
        line["request"]["body"]["events"][0].clone()
    };
    let purchase = body("Purchase, every directive");
    let sha = |s: &str| reddit_capi_console::identity::sha256_hex(s);
    assert_eq!(
        purchase,
        json!({"event_at": "2024-01-08T13:52:50.212Z", "event_type": {"tracking_type": "Purchase"},
            "click_id": "ab_c[x.]d",
            "event_metadata": {"currency": "EUR", "item_count": 2, "value_decimal": 12.5,
                "products": [{"id": "p1", "name": "Shoe"}], "conversion_id": sha("ord-9")},
            "user": {"email": sha("ada@example.com"), "external_id": sha("u-1")}})
    );
    let custom = body("Custom, flatten and encode");
    assert_eq!(custom["event_type"]["custom_event_name"], "order completed");
    assert_eq!(custom["click_id"], r#"{"a.b":1,"c":[1]}"#);
    assert_eq!(custom["event_metadata"]["conversion_id"], sha("14"), "the length of properties.ids");

    let run = cli(&["export-segment", "--workspace", ws.to_str().unwrap(), "--format", "json"]).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let exported: Value = serde_json::from_str(&run.stdout).unwrap();
    let original: Value = serde_json::from_str(&input).unwrap();
    let subs = original["data"]["subscriptions"].as_array().unwrap();
    assert_eq!(exported["subscriptions"].as_array().unwrap().len(), subs.len());
    for (got, sub) in exported["subscriptions"].as_array().unwrap().iter().zip(subs) {
        assert_eq!(got["settings"].to_string(), sub["settings"].to_string(), "{}", sub["name"]);
        for key in ["name", "actionId", "trigger", "enabled"] {
            assert_eq!(got[key], sub[key], "{key} of {}", sub["name"]);
        }
    }
}
