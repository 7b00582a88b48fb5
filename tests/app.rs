//! The desktop app, driven headless through egui_kittest by the labels a screen reader sees:
//! settings, mappings, the composer and preview, sending to the local emulator, history, the
//! bad-email lint, and workspace import/export (through fake file dialogs).

mod common;

use common::files_under;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use keyring_core::mock;
use reddit_capi_console::app::worker::{BoxFuture, Dialogs, FileKind};
use reddit_capi_console::app::{AppConfig, ConsoleApp};
use reddit_capi_console::engine::Item;
use reddit_capi_console::secret::tokens::{Keychain, Place, SERVICE, Source};
use reddit_capi_console::workspace::Workspace;

/// File dialogs that hand out a prepared file and keep what is saved.
#[derive(Default)]
struct FakeDialogs {
    to_open: Mutex<Option<(String, Vec<u8>)>>,
    saved: Mutex<Vec<(FileKind, String, Vec<u8>)>>,
}

impl Dialogs for FakeDialogs {
    fn open(&self, _kind: FileKind) -> BoxFuture<Option<(String, Vec<u8>)>> {
        let file = self.to_open.lock().unwrap().take();
        Box::pin(async move { file })
    }
    fn save(
        &self,
        kind: FileKind,
        suggested: String,
        bytes: Vec<u8>,
    ) -> BoxFuture<Option<Result<String, String>>> {
        self.saved.lock().unwrap().push((kind, suggested.clone(), bytes));
        Box::pin(async move { Some(Ok(suggested)) })
    }
}

fn data_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rcc-app-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn app(name: &str, dialogs: Arc<FakeDialogs>) -> Harness<'static, ConsoleApp> {
    let dir = data_dir(name);
    start(&dir, dialogs, Keychain::Store(mock::Store::new().unwrap()))
}

/// The app on `dir` (kept as it is) with `keychain`.
fn start(dir: &Path, dialogs: Arc<FakeDialogs>, keychain: Keychain) -> Harness<'static, ConsoleApp> {
    let config = AppConfig {
        data_dir: Some(dir.to_path_buf()),
        dialogs,
        keychain: Arc::new(move || keychain.clone()),
        env_token: None,
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| ConsoleApp::new(&cc.egui_ctx, config));
    // The worker starts the emulator, reads the history and opens the keychain.
    wait(&mut harness, |app| app.state.emulator_url.is_some() && app.state.keychain.is_some());
    harness.run_steps(3);
    harness
}

/// Applies worker messages until `done`, stepping frames in between.
fn wait(harness: &mut Harness<'static, ConsoleApp>, done: impl Fn(&ConsoleApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done(harness.state()) {
        assert!(Instant::now() < deadline, "timed out waiting for the worker");
        harness.state_mut().wait_for_worker(Duration::from_millis(100));
        harness.step();
    }
}

/// The Send button (its label carries the shortcut, e.g. "Send Ctrl+Enter").
fn send_button<'h>(h: &'h Harness<'static, ConsoleApp>) -> egui_kittest::Node<'h> {
    h.get_by(|node| {
        node.role() == egui::accesskit::Role::Button && node.label().is_some_and(|l| l.starts_with("Send"))
    })
}

#[test]
fn first_run_sends_to_the_emulator_and_shows_the_200_and_a_history_entry() {
    let mut h = app("send", Arc::default());
    assert!(h.state().state.sendable().len() == 1, "a ready Purchase sample");
    send_button(&h).click();
    h.run_steps(2);
    wait(&mut h, |a| a.state.last_send.is_some() && !a.state.history.is_empty());
    let results = &h.state().state.last_send.as_ref().unwrap().results;
    assert_eq!(results[0].outcome.status, Some(200));
    h.run_steps(2);
    assert!(h.query_by_label_contains("HTTP 200 Successfully processed 1 conversion events.").is_some());
    assert_eq!(h.state().state.history.len(), 1);
    h.get_by_label_contains("History (1)").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("Purchase · emulator").is_some());
}

#[test]
fn the_send_shortcut_sends() {
    let mut h = app("shortcut", Arc::default());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    h.run_steps(2);
    wait(&mut h, |a| a.state.last_send.is_some());
    assert!(h.state().state.last_send.as_ref().unwrap().results[0].accepted());
}

#[test]
fn editing_settings_changes_the_request() {
    let mut h = app("settings", Arc::default());
    h.get_by_label("Settings").click();
    h.run_steps(2);
    let field = h.get_by_label("Pixel ID");
    field.focus();
    h.run_steps(1);
    h.get_by_label("Pixel ID").type_text("_v2");
    h.run_steps(2);
    assert_eq!(h.state().state.settings().pixel_id, "a2_local_test_pixel_v2");
    let url = match &h.state().state.preview.items.iter().find(|i| matches!(i, Item::Request { .. })) {
        Some(Item::Request { request, .. }) => request.url.clone(),
        _ => panic!("no request"),
    };
    assert!(url.ends_with("/a2_local_test_pixel_v2"), "{url}");
}

#[test]
fn adding_a_preset_mapping() {
    let mut h = app("mappings", Arc::default());
    let before = h.state().state.mappings.len();
    h.get_by_label("Add mapping").click();
    h.run_steps(2);
    h.get_by_label("Lead").click();
    h.run_steps(2);
    let mappings = &h.state().state.mappings;
    assert_eq!(mappings.len(), before + 1);
    assert_eq!(mappings.last().unwrap().name, "Lead 2");
    assert!(h.query_all_by_label_contains("Lead 2").count() >= 1);
}

#[test]
fn editing_the_event_changes_the_preview_and_a_bad_email_is_flagged() {
    let mut h = app("composer", Arc::default());
    let email = h.get_by_label("Email");
    email.focus();
    h.run_steps(1);
    // Select all and replace with an address without "@".
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("Email").type_text("nobody");
    h.run_steps(2);
    let refused = h
        .state()
        .state
        .preview
        .items
        .iter()
        .any(|i| matches!(i, Item::Refused { error, .. } if error.field == "user.email"));
    assert!(refused, "the Segment profile refuses an email without @");
    assert!(h.state().state.sendable().is_empty(), "nothing to send");
    // Clicking the field path goes to the quick field that feeds it.
    h.get_by_label("Phone").focus();
    h.run_steps(2);
    h.get_by_label_contains("user.email: email has no \"@\"").click();
    h.run_steps(3);
    assert!(h.get_by_label("Email").is_focused());
}

#[test]
fn importing_and_exporting_a_workspace() {
    let dialogs = Arc::new(FakeDialogs::default());
    let mut w = Workspace::presets();
    w.settings.pixel_id = "a2_imported".into();
    w.mappings.truncate(3);
    *dialogs.to_open.lock().unwrap() = Some(("ws.json".into(), w.to_export_json().into_bytes()));
    let mut h = app("import", dialogs.clone());
    h.get_by_label("Import workspace").click();
    h.run_steps(2);
    wait(&mut h, |a| a.state.mappings.len() == 3);
    assert_eq!(h.state().state.settings().pixel_id, "a2_imported");

    h.state_mut().state.settings_mut().test_id = Some("t2_never_exported".into());
    h.get_by_label("Export workspace").click();
    h.run_steps(2);
    wait(&mut h, |_| !dialogs.saved.lock().unwrap().is_empty());
    let (kind, _, bytes) = dialogs.saved.lock().unwrap()[0].clone();
    assert_eq!(kind, FileKind::Workspace);
    let text = String::from_utf8(bytes).unwrap();
    let exported = Workspace::parse(&text).unwrap();
    assert_eq!(exported.mappings.len(), 3);
    assert!(!text.contains("t2_never_exported"), "a test id never persists into an export");
}

#[test]
fn the_mapping_editor_shows_the_trigger_match_and_resolved_values() {
    let mut h = app("editor", Arc::default());
    h.get_by_label_contains("● Purchase").click();
    h.run_steps(2);
    h.get_by_label("Edit").click();
    h.run_steps(3);
    assert!(h.query_by_label_contains("Edit mapping: Purchase").is_some());
    let trigger = h.get_by_label("Trigger").value().unwrap_or_default();
    assert_eq!(trigger, r#"type = "track" and event = "Order Completed""#);
    assert!(h.query_by_label_contains("matches the current event").is_some());
    // The field table resolves each source against the composer's event.
    assert!(
        h.query_by_label_contains("\"external_id\":\"user-1842\"").is_some(),
        "the user field resolves external_id from userId through its @if"
    );
    // A trigger that no longer matches says so.
    h.get_by_label("Event name").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("Event name").type_text("Checkout Started");
    h.run_steps(1);
    h.get_by_label("Use type and name").click();
    h.run_steps(3);
    let purchase = h.state().state.mappings.iter().find(|m| m.name == "Purchase").unwrap();
    assert_eq!(purchase.subscribe.as_deref(), Some(r#"type = "track" and event = "Checkout Started""#));
    assert!(h.query_by_label_contains("does not match the current event").is_some());
}

const TOKEN: &str = "tok_app_test_9f8e7d6c5b4a";

/// Opens Settings, types the token, picks where to keep it and clicks "Use token".
fn use_token(h: &mut Harness<'static, ConsoleApp>, keep: &str) {
    if h.query_by_label("Conversion token").is_none() {
        h.get_by_label("Settings").click();
        h.run_steps(2);
    }
    h.get_by_label(keep).click();
    h.run_steps(1);
    h.get_by_label("Conversion token").focus();
    h.run_steps(1);
    h.get_by_label("Conversion token").type_text(TOKEN);
    h.run_steps(1);
    h.get_by_label("Use token").click();
    h.run_steps(2);
}

#[test]
fn a_token_kept_in_the_keychain_comes_back_after_a_restart_and_never_reaches_the_disk() {
    let dir = data_dir("keychain");
    let store = mock::Store::new().unwrap();
    let mut h = start(&dir, Arc::default(), Keychain::Store(store.clone()));
    use_token(&mut h, "in the OS keychain");
    wait(&mut h, |a| a.state.token.as_ref().is_some_and(|(_, s)| *s == Source::Keychain));
    assert!(h.query_by_label_contains("token set (••••5b4a), in the OS keychain").is_some());
    let store_dyn: Arc<keyring_core::CredentialStore> = store.clone();
    let entry = keyring_core::Entry::new_in_store(&store_dyn, SERVICE, "a2_local_test_pixel").unwrap();
    assert_eq!(entry.get_password().unwrap(), TOKEN);
    h.state_mut().handle(reddit_capi_console::app::Intent::SaveNow);
    h.run_steps(2);
    drop(h);

    let mut h = start(&dir, Arc::default(), Keychain::Store(store.clone()));
    wait(&mut h, |a| a.state.token.is_some());
    let (token, source) = h.state().state.token.clone().unwrap();
    assert_eq!((token.expose(), source), (TOKEN, Source::Keychain));
    assert!(!files_under(&dir).is_empty());
    for file in files_under(&dir) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(TOKEN), "the token is in {}", file.display());
    }

    h.get_by_label("Settings").click();
    h.run_steps(2);
    h.get_by_label("Forget token").click();
    h.run_steps(2);
    wait(&mut h, |a| a.state.notices.iter().any(|n| n.text == "token forgotten"));
    assert!(h.state().state.token.is_none());
    assert!(matches!(entry.get_password(), Err(keyring_core::Error::NoEntry)));
}

#[test]
fn without_a_keychain_the_token_stays_in_the_session_unless_the_file_is_chosen() {
    let dir = data_dir("nokeychain");
    let none = || Keychain::Unavailable("no Secret Service on the session bus".into());
    let mut h = start(&dir, Arc::default(), none());
    h.get_by_label("Settings").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("No OS keychain: no Secret Service").is_some());
    use_token(&mut h, "for this session only");
    assert_eq!(h.state().state.token.as_ref().unwrap().1, Source::Session);
    h.state_mut().handle(reddit_capi_console::app::Intent::SaveNow);
    h.run_steps(4);
    let tokens_file = dir.join("tokens.json");
    assert!(!tokens_file.exists(), "no silent fallback to a file");

    use_token(&mut h, "in a file only you can read (0600)");
    wait(&mut h, |a| a.state.token.as_ref().is_some_and(|(_, s)| *s == Source::File));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&tokens_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    drop(h);
    let mut h = start(&dir, Arc::default(), none());
    wait(&mut h, |a| a.state.token.is_some());
    assert_eq!(h.state().state.token.as_ref().unwrap().1, Source::File);
    assert_eq!(h.state().view.token_keep, Some(Place::File), "a new token replaces the stored one");
}

#[test]
fn damaged_saved_files_are_moved_aside_and_reported_in_the_app() {
    let dir = data_dir("damaged");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("app-state.json"), "{\"active\": 0,\n  \"samples\": [tru").unwrap();
    let newer = r#"{"format": "reddit-capi-console/workspace", "version": 9, "mappings": []}"#;
    std::fs::write(dir.join("workspace.json"), newer).unwrap();
    let h = start(&dir, Arc::default(), Keychain::Unavailable("none".into()));
    let notices: Vec<String> = h.state().state.notices.iter().map(|n| n.text.clone()).collect();
    let settings = notices.iter().find(|n| n.contains("app-state.json could not be used")).unwrap();
    assert!(settings.contains("line 2") && settings.contains("app-state.corrupt-"), "{settings}");
    let workspace = notices.iter().find(|n| n.contains("workspace.json could not be used")).unwrap();
    assert!(
        workspace.contains("workspace version 9") && workspace.contains("workspace.newer-"),
        "{workspace}"
    );
    assert!(h.query_by_label_contains("app-state.json could not be used").is_some(), "shown on screen");
    let names: Vec<String> =
        files_under(&dir).iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let copy = names.iter().find(|n| n.starts_with("workspace.newer-")).unwrap();
    assert_eq!(std::fs::read_to_string(dir.join(copy)).unwrap(), newer, "the copy is byte for byte");
}

#[test]
fn a_batch_in_history_shows_its_abridged_body_and_offers_no_curl() {
    // A replay of 100 events by the command line: one ~100 KB request, kept abridged.
    let dir = data_dir("abridged");
    std::fs::create_dir_all(&dir).unwrap();
    let mut workspace = Workspace::presets();
    workspace.settings.pixel_id = "a2_batch".into();
    let ws = dir.join("batch-workspace.json");
    std::fs::write(&ws, workspace.to_export_json()).unwrap();
    let sample: serde_json::Value =
        serde_json::from_str(include_str!("../assets/samples/purchase.json")).unwrap();
    let now = reddit_capi_console::timestamp::format_rfc3339(reddit_capi_console::timestamp::now_millis());
    let events: String = (0..100)
        .map(|i| {
            let mut e = sample.clone();
            e["messageId"] = format!("batch-{i}").into();
            e["timestamp"] = now.clone().into();
            format!("{e}\n")
        })
        .collect();
    let file = dir.join("events.jsonl");
    std::fs::write(&file, events).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reddit-capi-console"))
        .args(["replay", "--format", "json", "--endpoint", "emulator", "--workspace"])
        .arg(&ws)
        .arg(&file)
        .env("REDDIT_CAPI_CONSOLE_HOME", &dir)
        .env("REDDIT_CAPI_CONSOLE_KEYCHAIN", "off")
        .env_remove("REDDIT_CONVERSION_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    let mut h = start(&dir, Arc::default(), Keychain::Unavailable("none".into()));
    wait(&mut h, |a| !a.state.history.is_empty());
    h.get_by_label("History (1)").click();
    h.run_steps(2);
    h.get_by_label_contains("Purchase · emulator · #1 · 200").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("Body abridged: the first of 100 events is kept").is_some());
    // The preview's button stays; the history's is the disabled one.
    let disabled: Vec<bool> =
        h.query_all_by_label("Copy as cURL").map(|n| n.accesskit_node().is_disabled()).collect();
    assert_eq!(disabled.len(), 2);
    assert_eq!(disabled.iter().filter(|d| **d).count(), 1, "no cURL for one event of a batch");
}

#[test]
fn the_corpus_report_reads_a_file_lists_a_refusal_group_and_loads_an_event() {
    let dialogs = Arc::new(FakeDialogs::default());
    let fixture =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report/events.jsonl"))
            .unwrap();
    *dialogs.to_open.lock().unwrap() = Some(("events.jsonl".into(), fixture));
    let mut h = app("corpus", dialogs.clone());
    h.get_by_label("Corpus").click();
    h.run_steps(2);
    h.get_by_label("Open events file…").click();
    h.run_steps(2);
    wait(&mut h, |a| a.view.corpus.done.is_some());
    h.run_steps(2);
    let report = &h.state().view.corpus.done.as_ref().unwrap().report;
    assert_eq!(report.events, 10);
    assert!(h.query_by_label_contains("10 events · 5 built into requests").is_some());

    // The refusal group of the Purchase mapping lists events 3 and 4.
    h.get_by_label_contains("Purchase refused: event_metadata.currency").click();
    h.run_steps(2);
    let (title, examples) = h.state().view.corpus.selected.clone().unwrap();
    assert!(title.starts_with("Purchase refused"), "{title}");
    assert_eq!(examples.first, [3, 4]);
    h.get_by_label("event 4").click();
    h.run_steps(2);
    let composer = &h.state().state.saved.composer_text;
    assert!(composer.contains("\"m5\"") && composer.contains("XYZ"), "{composer}");
    assert!(h.state().state.event.is_ok());

    h.get_by_label("Export Markdown").click();
    h.run_steps(2);
    wait(&mut h, |_| !dialogs.saved.lock().unwrap().is_empty());
    let (kind, name, bytes) = dialogs.saved.lock().unwrap()[0].clone();
    assert_eq!((kind, name.as_str()), (FileKind::Corpus, "report.md"));
    assert!(String::from_utf8(bytes).unwrap().contains("| Purchase | 6 | 4 | 2 | 0 |"));
}
