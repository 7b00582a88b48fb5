//! Redaction: the command line and the desktop app run their flows with a known token and raw
//! PII (send, replay with failures, history, cURL, preview; the app's token entry, send, exports
//! and autosave). Then every file written is scanned (data directory, history, logs, tokens,
//! exports), as are the commands' output and the text on the app's screen. The token must
//! appear nowhere; raw PII only in the user's own samples (the sample file they wrote, the
//! composer text and saved samples in the app's settings, a sample they exported).

mod common;

use common::files_under;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable, by};
use reddit_capi_console::app::worker::{BoxFuture, Dialogs, FileKind};
use reddit_capi_console::app::{AppConfig, ConsoleApp, Intent};
use reddit_capi_console::emulator::{self, Emulator, Fault};
use reddit_capi_console::paths::DataDir;
use reddit_capi_console::secret::tokens::Keychain;
use serde_json::{Value, json};

const TOKEN: &str = "tok_REDACTION_c0ffee_5ecret_91b2";

/// Each raw PII value of the event, and the normalized forms hashing starts from.
const PII: &[&str] = &[
    "Redact.Me+capi@Example.com",
    "redactme@example.com",
    "redact.me+capi@example.com",
    "+1 (415) 555-0199",
    "+14155550199",
    "14155550199",
    "198.51.100.23",
    "AB12CD34-0000-4E5F-8A9B-C0D1E2F3A4B5",
    "redaction-user-7731",
];

fn event(message_id: &str) -> Value {
    let now = reddit_capi_console::timestamp::format_rfc3339(reddit_capi_console::timestamp::now_millis());
    json!({
        "type": "track", "event": "Order Completed", "messageId": message_id, "timestamp": now,
        "userId": "redaction-user-7731",
        "context": {
            "ip": "198.51.100.23",
            "userAgent": "Mozilla/5.0 (X11; Linux x86_64)",
            "traits": {"email": " Redact.Me+capi@Example.com ", "phone": "+1 (415) 555-0199"},
            "device": {"advertisingId": "AB12CD34-0000-4E5F-8A9B-C0D1E2F3A4B5", "type": "android"}
        },
        "properties": {"order_id": "ORD-1", "currency": "USD", "revenue": 42.5, "quantity": 1}
    })
}

/// Writes exported files where the user picked (a folder of the test).
struct DiskDialogs(PathBuf);

impl Dialogs for DiskDialogs {
    fn open(&self, _kind: FileKind) -> BoxFuture<Option<(String, Vec<u8>)>> {
        Box::pin(async { None })
    }
    fn save(
        &self,
        _kind: FileKind,
        suggested: String,
        bytes: Vec<u8>,
    ) -> BoxFuture<Option<Result<String, String>>> {
        let path = self.0.join(&suggested);
        Box::pin(async move {
            Some(
                reddit_capi_console::store::atomic::write(&path, &bytes)
                    .map(|()| path.display().to_string())
                    .map_err(|e| e.to_string()),
            )
        })
    }
}

fn cli(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reddit-capi-console"))
        .args(args)
        .env("REDDIT_CAPI_CONSOLE_HOME", home)
        .env("REDDIT_CAPI_CONSOLE_KEYCHAIN", "off")
        .env("REDDIT_CONVERSION_TOKEN", TOKEN)
        .output()
        .unwrap()
}

/// The places raw PII may be: the user's own samples. Returns the text with them removed.
fn without_own_samples(path: &Path, text: &str) -> String {
    let name = path.file_name().unwrap().to_string_lossy();
    if name == "settings.json" {
        let mut state: Value = serde_json::from_str(text).unwrap();
        state.as_object_mut().unwrap().remove("composer_text");
        state.as_object_mut().unwrap().remove("samples");
        return state.to_string();
    }
    text.to_string()
}

#[test]
fn no_token_anywhere_and_raw_pii_only_in_the_users_own_samples() {
    let root = common::TempDir::new("redaction");
    let (home, input, exports) = (root.join("home"), root.join("input"), root.join("exports"));
    for d in [&home, &input, &exports] {
        std::fs::create_dir_all(d).unwrap();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let emu: Emulator = runtime.block_on(async {
        let config = emulator::Config { token: Some(TOKEN.into()), ..emulator::Config::default() };
        Emulator::start("127.0.0.1:0".parse().unwrap(), config).await.unwrap()
    });
    let url = emu.base_url();

    let mut workspace = reddit_capi_console::workspace::Workspace::presets();
    workspace.settings.pixel_id = "a2_redaction".into();
    std::fs::write(home.join("workspace.json"), workspace.to_export_json()).unwrap();

    // The user's own sample file (their input: the one place raw PII is theirs to keep).
    let events: String = (0..3).map(|i| format!("{}\n", event(&format!("m-{i}")))).collect();
    let events_file = input.join("events.jsonl");
    std::fs::write(&events_file, &events).unwrap();
    let events_arg = events_file.to_str().unwrap();

    // The command line: every flow that writes or prints.
    let mut outputs = Vec::new();
    let mut run = |args: &[&str]| {
        let out = cli(&home, args);
        outputs.push((args.join(" "), out));
    };
    run(&["send", "--endpoint", &url, events_arg]);
    run(&["send", "--endpoint", &url, "--format", "text", events_arg]);
    emu.queue_fault(Fault::status(500).times(4));
    emu.queue_fault(Fault::status(429).retry_after(1));
    emu.queue_fault(Fault::drop_connection());
    run(&["replay", "--endpoint", &url, events_arg]);
    run(&["history", "--format", "json"]);
    run(&["history"]);
    run(&["curl", events_arg]);
    run(&["preview", events_arg]);
    run(&["preview", "--format", "text", events_arg]);
    run(&["paths", "--format", "json"]);
    for (what, out) in &outputs {
        for stream in [&out.stdout, &out.stderr] {
            assert!(!String::from_utf8_lossy(stream).contains(TOKEN), "`{what}` printed the token");
        }
    }
    let history = outputs.iter().find(|(w, _)| w == "history --format json").unwrap();
    let entries = String::from_utf8_lossy(&history.1.stdout).lines().count();
    assert!(entries >= 8, "sends, failures and retries are all in history ({entries})");
    let history_text = String::from_utf8_lossy(&history.1.stdout).to_string();
    for pii in PII {
        assert!(!history_text.contains(pii), "history printed raw PII {pii:?}");
    }

    // The desktop app on the same data directory.
    let keychain = Keychain::Store(keyring_core::mock::Store::new().unwrap());
    let config = AppConfig {
        data_dir: Some(DataDir::new(&home)),
        dialogs: Arc::new(DiskDialogs(exports.clone())),
        keychain: Arc::new(move || keychain.clone()),
        env_token: None,
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| ConsoleApp::new(&cc.egui_ctx, config));
    let wait = |h: &mut Harness<'static, ConsoleApp>, done: &dyn Fn(&ConsoleApp) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done(h.state()) {
            assert!(Instant::now() < deadline, "timed out waiting for the worker");
            h.state_mut().wait_for_worker(Duration::from_millis(100));
            h.step();
        }
    };
    wait(&mut h, &|a| a.state.emulator_url.is_some() && a.state.keychain.is_some());
    h.get_by_label("Settings").click();
    h.run_steps(2);
    h.get_by_label("in the OS keychain").click();
    h.get_by_label("Conversion token").focus();
    h.run_steps(1);
    h.get_by_label("Conversion token").type_text(TOKEN);
    h.run_steps(2);
    let screen_text = |h: &Harness<'static, ConsoleApp>| -> String {
        h.query_all(by())
            .map(|n| {
                format!(
                    "{} {}",
                    n.accesskit_node().label().unwrap_or_default(),
                    n.value().unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(!screen_text(&h).contains(TOKEN), "a typed token is masked on screen");
    h.get_by_label("Use token").click();
    h.run_steps(2);
    wait(&mut h, &|a| a.state.notices.iter().any(|n| n.text.starts_with("token saved")));
    h.state_mut().state.set_event_text(serde_json::to_string_pretty(&event("app-1")).unwrap());
    h.run_steps(2);
    h.state_mut().handle(Intent::Send);
    wait(&mut h, &|a| a.state.last_send.is_some());
    h.run_steps(2);
    assert!(!screen_text(&h).contains(TOKEN), "the token is not on screen after a send");
    let first = h.state().state.mappings[0].name.clone();
    for intent in
        [Intent::ExportWorkspace, Intent::ExportMapping(first), Intent::ExportSample, Intent::SaveNow]
    {
        h.state_mut().handle(intent);
    }
    wait(&mut h, &|_| files_under(&exports).len() >= 3);
    h.run_steps(3);
    drop(h);
    // The worker's autosave has landed once the app is gone; give the disk a moment.
    std::thread::sleep(Duration::from_millis(200));
    runtime.block_on(emu.shutdown());

    // Every file written.
    let written: Vec<PathBuf> = files_under(&home).into_iter().chain(files_under(&exports)).collect();
    let names: Vec<String> =
        written.iter().map(|p| p.file_name().unwrap().to_string_lossy().into()).collect();
    for expected in ["history.jsonl", "workspace.json", "settings.json", "event.json"] {
        assert!(names.iter().any(|n| n == expected), "{expected} was written: {names:?}");
    }
    // The scan sees PII where the user keeps it (so it would see it anywhere else).
    for own in ["event.json", "settings.json"] {
        let path = written.iter().find(|p| p.file_name().unwrap() == own).unwrap();
        assert!(std::fs::read_to_string(path).unwrap().contains("redaction-user-7731"), "{own}");
    }
    for path in &written {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        assert!(!text.contains(TOKEN), "the token is in {}", path.display());
        // The sample the user exported is theirs.
        if path.file_name().is_some_and(|n| n == "event.json") {
            continue;
        }
        let text = without_own_samples(path, &text);
        for pii in PII {
            assert!(!text.contains(pii), "raw PII {pii:?} is in {}", path.display());
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}
