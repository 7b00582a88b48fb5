//! The desktop app, driven headless through egui_kittest by the labels a screen reader sees:
//! settings, mappings, the composer and preview, sending to the local emulator, history, the
//! bad-email lint, and workspace import/export (through fake file dialogs).

mod common;

use common::{TempDir, files_under};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use keyring_core::mock;
use reddit_capi_console::app::worker::{BoxFuture, Dialogs, FileKind};
use reddit_capi_console::app::{AppConfig, ConsoleApp};
use reddit_capi_console::engine::Item;
use reddit_capi_console::paths::DataDir;
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

/// The app's data directory for one test: an empty directory, removed when dropped.
fn data_dir(name: &str) -> TempDir {
    TempDir::new(name)
}

/// The app on a fresh data directory (keep the directory until the harness is done with it).
fn app(name: &str, dialogs: Arc<FakeDialogs>) -> (Harness<'static, ConsoleApp>, TempDir) {
    let dir = data_dir(name);
    (start(&dir, dialogs, Keychain::Store(mock::Store::new().unwrap())), dir)
}

/// The app on `dir` (kept as it is) with `keychain`.
fn start(dir: &Path, dialogs: Arc<FakeDialogs>, keychain: Keychain) -> Harness<'static, ConsoleApp> {
    start_sized(dir, dialogs, keychain, egui::vec2(1400.0, 900.0))
}

/// The same in a window of `size`.
fn start_sized(
    dir: &Path,
    dialogs: Arc<FakeDialogs>,
    keychain: Keychain,
    size: egui::Vec2,
) -> Harness<'static, ConsoleApp> {
    let config = AppConfig {
        data_dir: Some(DataDir::new(dir)),
        dialogs,
        keychain: Arc::new(move || keychain.clone()),
        env_token: None,
    };
    let mut harness =
        Harness::builder().with_size(size).build_eframe(move |cc| ConsoleApp::new(&cc.egui_ctx, config));
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
    let (mut h, _dir) = app("send", Arc::default());
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
    let (mut h, _dir) = app("shortcut", Arc::default());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    h.run_steps(2);
    wait(&mut h, |a| a.state.last_send.is_some());
    assert!(h.state().state.last_send.as_ref().unwrap().results[0].accepted());
}

#[test]
fn the_about_window_says_what_version_says() {
    let (mut h, dir) = app("about", Arc::default());
    assert!(h.query_by_label_contains("segment profile matches").is_none());
    h.get_by_label("About").click();
    h.run_steps(2);
    let release = reddit_capi_console::mapping::release::segment_release();
    assert!(h.query_by_label(&format!("segment profile matches {release}")).is_some());
    assert!(h.query_by_label(&format!("reddit-capi-console {}", env!("CARGO_PKG_VERSION"))).is_some());
    assert!(h.query_by_label(&format!("data directory: {}", dir.display())).is_some());
}

#[test]
fn editing_settings_changes_the_request() {
    let (mut h, _dir) = app("settings", Arc::default());
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
    let (mut h, _dir) = app("mappings", Arc::default());
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
    let (mut h, _dir) = app("composer", Arc::default());
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
    let (mut h, _dir) = app("import", dialogs.clone());
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
    let (mut h, _dir) = app("editor", Arc::default());
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
fn damaged_files_are_moved_aside_and_a_newer_release_s_file_is_left_as_it_is() {
    let dir = data_dir("damaged");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("settings.json"), "{\"active\": 0,\n  \"samples\": [tru").unwrap();
    let newer = r#"{"format": "reddit-capi-console/workspace", "version": 9, "mappings": []}"#;
    std::fs::write(dir.join("workspace.json"), newer).unwrap();
    let h = start(&dir, Arc::default(), Keychain::Unavailable("none".into()));
    let notices: Vec<String> = h.state().state.notices.iter().map(|n| n.text.clone()).collect();
    let settings = notices.iter().find(|n| n.contains("settings.json could not be used")).unwrap();
    assert!(settings.contains("line 2") && settings.contains("settings.corrupt-"), "{settings}");
    let workspace =
        notices.iter().find(|n| n.contains("workspace.json was written by a newer release")).unwrap();
    assert!(workspace.contains("workspace version 9") && workspace.contains("update the app"), "{workspace}");
    assert!(h.query_by_label_contains("settings.json could not be used").is_some(), "shown on screen");
    let names: Vec<String> =
        files_under(&dir).iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(names.iter().any(|n| n.starts_with("settings.corrupt-")), "{names:?}");
    // The newer file stays where it is, byte for byte, even after saving.
    let mut h = h;
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run_steps(2);
    assert_eq!(std::fs::read_to_string(dir.join("workspace.json")).unwrap(), newer, "left as it is");
    assert!(!names.iter().any(|n| n.starts_with("workspace.newer-")), "{names:?}");
    assert!(dir.join("settings.json").exists(), "the other file is saved as usual");
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
    h.get_by_label_contains("Purchase · emulator · 200").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("Body abridged: the first of 100 events is kept").is_some());
    // The preview's button stays; the history's is the disabled one.
    let disabled: Vec<bool> =
        h.query_all_by_label("Copy as cURL").map(|n| n.accesskit_node().is_disabled()).collect();
    assert_eq!(disabled.len(), 2);
    assert_eq!(disabled.iter().filter(|d| **d).count(), 1, "no cURL for one event of a batch");
}

/// Types `text` as a person does: one character per frame, into whatever has focus.
fn type_keys(h: &mut Harness<'static, ConsoleApp>, text: &str) {
    for c in text.chars() {
        h.event(egui::Event::Text(c.to_string()));
        h.step();
    }
    h.run_steps(2);
}

/// Focuses the field labelled `label` and selects all of its text.
fn focus_and_select_all(h: &mut Harness<'static, ConsoleApp>, label: &str) {
    h.get_by_label(label).focus();
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
}

/// What the app saved: the workspace and the app state, read back from disk after Ctrl+S.
fn saved_files(h: &mut Harness<'static, ConsoleApp>, dir: &Path) -> (serde_json::Value, serde_json::Value) {
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run_steps(2);
    let read = |name: &str| serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap();
    (read("workspace.json"), read("settings.json"))
}

#[test]
fn a_new_event_typed_key_by_key_through_invalid_json_loses_no_keystroke() {
    let dir = data_dir("type-composer");
    let mut h = start(&dir, Arc::default(), Keychain::Unavailable("none".into()));
    focus_and_select_all(&mut h, "Event JSON");
    let typed = r#"{"type": "track", "event": "Order Completed", "userId": "u-42", "messageId": "m-typed-1", "properties": {"revenue": 12.5, "currency": "USD"}}"#;
    let (first, rest) = typed.split_at(1);
    type_keys(&mut h, first);
    // Invalid JSON: the layout keeps its shape (quick fields stay, disabled) and the preview stays.
    assert!(h.state().state.event.is_err());
    assert!(h.query_by_label("Email").is_some(), "the quick fields stay while the JSON is invalid");
    assert!(h.state().state.preview.stale && !h.state().state.preview.items.is_empty());
    assert!(h.get_by_label("Event JSON").is_focused(), "focus stays in the editor");
    type_keys(&mut h, rest);
    let s = &h.state().state;
    assert_eq!(s.saved.composer_text, typed, "every keystroke arrived, in order");
    assert_eq!(
        h.get_by_label("Event JSON").value().as_deref(),
        Some(typed),
        "what is shown is what was typed"
    );
    let event = s.event.as_ref().expect("the typed event parses");
    assert_eq!(event.value()["userId"], "u-42");
    assert_eq!(event.value()["properties"]["revenue"], 12.5);
    assert!(!s.preview.stale);
    let (_, app_state) = saved_files(&mut h, &dir);
    assert_eq!(app_state["composer_text"], typed, "what was typed is what was saved");
}

#[test]
fn a_quick_field_typed_key_by_key_keeps_focus_and_every_character() {
    let dir = data_dir("type-quick");
    let mut h = start(&dir, Arc::default(), Keychain::Unavailable("none".into()));
    focus_and_select_all(&mut h, "Email");
    let typed = "Jane.Doe+ads@Example.com";
    type_keys(&mut h, typed);
    assert!(h.get_by_label("Email").is_focused());
    assert_eq!(h.get_by_label("Email").value().as_deref(), Some(typed));
    let s = &h.state().state;
    assert_eq!(s.event.as_ref().unwrap().value()["context"]["traits"]["email"], typed);
    assert!(s.saved.composer_text.contains(typed), "the JSON follows the quick field");
    let (_, app_state) = saved_files(&mut h, &dir);
    let saved: serde_json::Value =
        serde_json::from_str(app_state["composer_text"].as_str().unwrap()).unwrap();
    assert_eq!(saved["context"]["traits"]["email"], typed);
}

/// Opens the mapping editor on the Purchase mapping.
fn edit_purchase(h: &mut Harness<'static, ConsoleApp>) {
    h.get_by_label_contains("● Purchase").click();
    h.run_steps(2);
    h.get_by_label("Edit").click();
    h.run_steps(3);
}

#[test]
fn a_mapping_source_typed_key_by_key_saves_exactly_what_was_typed() {
    let dir = data_dir("type-source");
    let mut h = start(&dir, Arc::default(), Keychain::Unavailable("none".into()));
    edit_purchase(&mut h);
    let other_before = h.get_by_label("event_at source JSON").value();
    focus_and_select_all(&mut h, "conversion_id source JSON");
    let typed = r#"{"@path":"$.properties.order_id"}"#;
    let (first, rest) = typed.split_at(3);
    type_keys(&mut h, first);
    // Invalid: one error under the field, the other sources untouched, focus kept.
    assert!(h.query_by_label_contains("not JSON yet").is_some());
    assert_eq!(h.get_by_label("event_at source JSON").value(), other_before, "other rows keep their source");
    assert!(h.get_by_label("conversion_id source JSON").is_focused());
    type_keys(&mut h, rest);
    assert_eq!(h.get_by_label("conversion_id source JSON").value().as_deref(), Some(typed));
    let purchase = h.state().state.mappings.iter().find(|m| m.name == "Purchase").unwrap();
    assert_eq!(purchase.mapping["conversion_id"], serde_json::json!({"@path": "$.properties.order_id"}));
    let (workspace, _) = saved_files(&mut h, &dir);
    let saved = workspace["mappings"].as_array().unwrap().iter().find(|m| m["name"] == "Purchase").unwrap();
    assert_eq!(saved["mapping"]["conversion_id"], serde_json::json!({"@path": "$.properties.order_id"}));
    assert_eq!(saved["mapping"].as_object().unwrap().len(), 1, "nothing else was written: {saved}");
}

#[test]
fn a_trigger_typed_key_by_key_applies_on_enter_and_never_a_prefix_of_itself() {
    let dir = data_dir("type-trigger");
    let mut h = start(&dir, Arc::default(), Keychain::Unavailable("none".into()));
    // Lead does not match the composer's Order Completed; `type = "track"`, a prefix of what is
    // typed, would.
    h.get_by_label("○ Lead").click();
    h.run_steps(2);
    h.get_by_label("Edit").click();
    h.run_steps(3);
    let lead = |h: &Harness<'static, ConsoleApp>| {
        let s = &h.state().state;
        let i = s.mappings.iter().position(|m| m.name == "Lead").unwrap();
        (s.mappings[i].subscribe.clone(), s.preview.matched.contains(&i))
    };
    let (before, matched) = lead(&h);
    assert!(!matched);
    focus_and_select_all(&mut h, "Trigger");
    let typed = r#"type = "track" and event = "Newsletter Subscribed""#;
    for (n, c) in typed.char_indices() {
        h.event(egui::Event::Text(c.to_string()));
        h.step();
        let (subscribe, matched) = lead(&h);
        assert_eq!(
            subscribe,
            before,
            "nothing applied while typing (after {:?})",
            &typed[..n + c.len_utf8()]
        );
        assert!(!matched, "the preview matched a prefix: {:?}", &typed[..n + c.len_utf8()]);
    }
    h.run_steps(2);
    assert!(h.query_by_label_contains("Not applied yet").is_some());
    assert_eq!(h.get_by_label("Trigger").value().as_deref(), Some(typed));
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    assert!(h.query_by_label_contains("Not applied yet").is_none());
    assert_eq!(lead(&h), (Some(typed.to_string()), false));
    // The builder follows the applied trigger.
    assert_eq!(h.get_by_label("Event name").value().as_deref(), Some("Newsletter Subscribed"));
    let (workspace, _) = saved_files(&mut h, &dir);
    let saved = workspace["mappings"].as_array().unwrap().iter().find(|m| m["name"] == "Lead").unwrap();
    assert_eq!(saved["subscribe"], typed);
    assert!(h.query_by_label_contains("does not match the current event").is_some());
}

#[test]
fn a_half_typed_trigger_says_why_and_leaving_the_field_applies_a_valid_one() {
    let dir = data_dir("type-trigger-leave");
    let mut h = start(&dir, Arc::default(), Keychain::Unavailable("none".into()));
    edit_purchase(&mut h);
    focus_and_select_all(&mut h, "Trigger");
    let typed = r#"type = "track" and event = "Checkout Done""#;
    type_keys(&mut h, &typed[..22]);
    assert!(h.query_by_label_contains("The trigger does not parse yet").is_some());
    type_keys(&mut h, &typed[22..]);
    assert!(h.get_by_label("Trigger").is_focused());
    h.get_by_label("Event name").focus();
    h.run_steps(3);
    let purchase = h.state().state.mappings.iter().find(|m| m.name == "Purchase").unwrap();
    assert_eq!(purchase.subscribe.as_deref(), Some(typed), "applied when the field lost focus");
    assert_eq!(h.get_by_label("Event name").value().as_deref(), Some("Checkout Done"));
}

#[test]
fn the_path_picker_and_reset_change_the_source_and_the_editor_follows_renames_and_deletes() {
    let (mut h, _dir) = app("picker", Arc::default());
    edit_purchase(&mut h);
    let shown = |h: &Harness<'static, ConsoleApp>| h.query_all_by_label("\"user-1842\"").count();
    let before = shown(&h);
    focus_and_select_all(&mut h, "conversion_id path");
    type_keys(&mut h, "$.userId");
    let purchase = h.state().state.mappings.iter().find(|m| m.name == "Purchase").unwrap();
    assert_eq!(purchase.mapping["conversion_id"], serde_json::json!({"@path": "$.userId"}));
    assert!(shown(&h) > before, "the resolved value is shown");
    h.get_by_label("Reset").click_accesskit();
    h.run_steps(3);
    let purchase = h.state().state.mappings.iter().find(|m| m.name == "Purchase").unwrap();
    assert!(!purchase.mapping.contains_key("conversion_id"));
    assert_eq!(
        h.get_by_label("conversion_id source JSON").value().as_deref(),
        Some(r#"{"@path":"$.messageId"}"#)
    );
    // Rename keeps the editor on the same mapping; Delete closes it (no stale index).
    h.get_by_label("Rename").click();
    h.run_steps(2);
    focus_and_select_all(&mut h, "New name");
    type_keys(&mut h, "Checkout");
    h.get_by_label("OK").click();
    h.run_steps(3);
    assert_eq!(h.state().view.editing.as_deref(), Some("Checkout"));
    assert!(h.query_by_label_contains("Edit mapping: Checkout").is_some());
    h.get_by_label("Delete").click();
    h.run_steps(3);
    assert_eq!(h.state().view.editing, None, "the editor closed instead of moving to another mapping");
    h.get_by_label("Rename").click();
    h.run_steps(2);
    h.state_mut().state.mappings.clear();
    h.state_mut().state.workspace_changed();
    h.run_steps(2);
    h.get_by_label("OK").click();
    h.run_steps(3);
    assert!(h.state().state.notices.iter().any(|n| n.text.contains("no longer exists")));
}

/// The main panels, as drawn.
fn rects(h: &Harness<'static, ConsoleApp>) -> [(&'static str, egui::Rect); 5] {
    let r = h.state().view.rects.clone();
    [
        ("top", r.top),
        ("bottom", r.bottom),
        ("mappings", r.mappings),
        ("preview", r.preview),
        ("composer", r.composer),
    ]
}

fn assert_layout_holds(h: &Harness<'static, ConsoleApp>, size: egui::Vec2) {
    let panels = rects(h);
    eprintln!("{size:?}: {panels:?}");
    for (name, rect) in panels {
        assert!(rect.width() > 0.0 && rect.height() > 0.0, "{name} is drawn: {rect:?}");
        assert!(rect.max.x <= size.x + 0.5 && rect.max.y <= size.y + 0.5, "{name} fits the window: {rect:?}");
    }
    for (i, (a, ra)) in panels.iter().enumerate() {
        for (b, rb) in &panels[i + 1..] {
            let overlap = ra.intersect(*rb);
            assert!(
                overlap.width() <= 1.0 || overlap.height() <= 1.0,
                "{a} {ra:?} and {b} {rb:?} overlap at {size:?}"
            );
        }
    }
    let r = h.state().view.rects.clone();
    assert!(r.composer.width() >= 340.0, "composer {} wide at {size:?}", r.composer.width());
    assert!(r.composer.height() >= 200.0, "composer {} high at {size:?}", r.composer.height());
    assert!(r.preview.width() >= 290.0 && r.mappings.width() >= 160.0, "{r:?}");
}

#[test]
fn the_layout_holds_at_720p_and_1080p_with_and_without_the_version_comparison() {
    for size in [egui::vec2(1280.0, 720.0), egui::vec2(1366.0, 768.0), egui::vec2(1920.0, 1080.0)] {
        let dir = data_dir("layout");
        let mut h = start_sized(&dir, Arc::default(), Keychain::Unavailable("none".into()), size);
        h.run_steps(4);
        assert_layout_holds(&h, size);
        h.get_by_label("Compare v2.0 ↔ v3").click();
        h.run_steps(4);
        assert!(h.state().state.compare && !h.state().state.preview.comparison.is_empty());
        assert_layout_holds(&h, size);
        assert!(h.query_by_label("Request").is_some(), "the way back stays on screen");
        assert!(
            h.query_by_label_contains("events[0].event_type.tracking_type").is_some(),
            "v2.0 fields listed"
        );
        h.get_by_label("Request").click();
        h.run_steps(3);
        assert!(!h.state().state.compare);
    }
}

#[test]
fn panel_sizes_dragged_to_extremes_are_clamped_when_restored_in_a_smaller_window() {
    let (mut h, _dir) = app("restore", Arc::default());
    h.set_size(egui::vec2(1920.0, 1080.0));
    h.run_steps(4);
    // Drag the preview's splitter far left and the mappings' far right.
    let r = h.state().view.rects.clone();
    let y = r.preview.center().y;
    for (from, to) in [(r.preview.left(), 5.0), (r.mappings.right(), 1900.0)] {
        h.hover_at(egui::pos2(from, y));
        h.step();
        h.drag_at(egui::pos2(from, y));
        h.step();
        for step in 1..=10 {
            h.hover_at(egui::pos2(from + (to - from) * step as f32 / 10.0, y));
            h.step();
        }
        h.drop_at(egui::pos2(to, y));
        h.run_steps(3);
    }
    assert_layout_holds(&h, egui::vec2(1920.0, 1080.0));
    let dragged = h.state().view.rects.clone();
    assert!(
        dragged.preview.width() > r.preview.width() + 200.0,
        "the drag took: {:?} → {:?}",
        r.preview,
        dragged.preview
    );
    let memory = h.ctx.memory(|m| m.clone());
    drop(h);
    // The stored sizes come back in a 1280×720 window.
    let (mut h, _dir) = app("restore-2", Arc::default());
    h.ctx.memory_mut(|m| *m = memory);
    h.set_size(egui::vec2(1280.0, 720.0));
    h.run_steps(4);
    assert_layout_holds(&h, egui::vec2(1280.0, 720.0));
}

/// File dialogs that cannot be shown (no portal), as under a bare X server.
struct NoDialogService;

impl Dialogs for NoDialogService {
    fn available(&self) -> Result<(), String> {
        Err("no file dialog service: no D-Bus session bus for the desktop portal".into())
    }
    fn open(&self, _kind: FileKind) -> BoxFuture<Option<(String, Vec<u8>)>> {
        unreachable!("the app asks for a path instead")
    }
    fn save(&self, _: FileKind, _: String, _: Vec<u8>) -> BoxFuture<Option<Result<String, String>>> {
        unreachable!("the app asks for a path instead")
    }
}

#[test]
fn without_a_file_dialog_service_the_app_says_so_and_takes_a_typed_path() {
    let dir = data_dir("no-dialogs");
    let config = AppConfig {
        data_dir: Some(DataDir::new(&dir)),
        dialogs: Arc::new(NoDialogService),
        keychain: Arc::new(|| Keychain::Unavailable("none".into())),
        env_token: None,
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| ConsoleApp::new(&cc.egui_ctx, config));
    wait(&mut h, |a| a.state.emulator_url.is_some());
    h.get_by_label("Save sample as file…").click();
    h.run_steps(2);
    h.run_steps(3);
    assert!(h.query_by_label_contains("no file dialog service").is_some(), "the status line says why");
    let target = dir.join("exported-event.json");
    focus_and_select_all(&mut h, "File path");
    type_keys(&mut h, target.to_str().unwrap());
    h.get_by_label("Save").click();
    h.run_steps(2);
    wait(&mut h, |a| a.state.notices.iter().any(|n| n.text.starts_with("saved ")));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), h.state().state.saved.composer_text);
    // Opening works the same way; a missing file is named.
    h.get_by_label("Open sample…").click();
    h.run_steps(4);
    focus_and_select_all(&mut h, "File path");
    type_keys(&mut h, "/nonexistent/event.json");
    h.get_by_label("Open").click();
    h.run_steps(2);
    wait(&mut h, |a| {
        a.state.notices.iter().any(|n| n.text.starts_with("not opened: /nonexistent/event.json"))
    });
    // Ctrl+S says where it saved.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run_steps(2);
    let last = h.state().state.notices.last().unwrap().text.clone();
    assert!(
        last.starts_with("saved the workspace and settings in") && last.contains(dir.to_str().unwrap()),
        "{last}"
    );
}

#[test]
fn ctrl_n_asks_before_replacing_an_edited_event_and_copy_says_copied() {
    let (mut h, _dir) = app("ctrl-n", Arc::default());
    focus_and_select_all(&mut h, "userId");
    type_keys(&mut h, "edited-user");
    let edited = h.state().state.saved.composer_text.clone();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run_steps(2);
    assert!(h.query_by_label("Replace the edited event?").is_some());
    h.get_by_label("Keep editing").click();
    h.run_steps(3);
    assert_eq!(h.state().state.saved.composer_text, edited, "nothing was thrown away");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run_steps(2);
    h.get_by_label("Replace it").click();
    h.run_steps(3);
    assert_ne!(h.state().state.saved.composer_text, edited);
    // A fresh template is not an edit: Ctrl+N replaces it without asking.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run_steps(2);
    assert!(h.query_by_label("Replace the edited event?").is_none());
    // Scroll the preview with the mouse wheel until the button is on screen, then click it.
    let over = h.state().view.rects.preview.center();
    for _ in 0..40 {
        if h.get_by_label("Copy as cURL").rect().bottom() < over.y + 200.0 {
            break;
        }
        h.hover_at(over);
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -120.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        });
        h.run_steps(2);
    }
    h.get_by_label("Copy as cURL").click();
    h.step();
    let copied = h.output().platform_output.commands.iter().any(|c| {
        matches!(c, egui::OutputCommand::CopyText(t) if t.starts_with("curl") && t.contains("Authorization: Bearer"))
    });
    assert!(copied, "the clipboard got the cURL command: {:?}", h.output().platform_output.commands);
    h.run_steps(2);
    assert!(h.query_by_label_contains("Copied the request as cURL to the clipboard").is_some());
}

#[test]
fn the_local_emulator_is_never_presented_as_reddit() {
    let (mut h, _dir) = app("honest", Arc::default());
    assert!(h.query_by_label_contains("LOCAL EMULATOR").is_some());
    send_button(&h).click();
    h.run_steps(2);
    wait(&mut h, |a| a.state.last_send.is_some() && !a.state.history.is_empty());
    h.run_steps(2);
    let explanation = &h.state().state.last_send.as_ref().unwrap().results[0].outcome.explanation;
    assert!(explanation.starts_with("The local emulator accepted it"), "{explanation}");
    assert!(h.query_by_label_contains("Find it in Events Manager").is_none());
    assert!(h.query_by_label_contains("accepted by the local emulator (not Reddit)").is_some());
    h.get_by_label("History (1)").click();
    h.run_steps(2);
    h.get_by_label_contains("Purchase · emulator").click();
    h.run_steps(2);
    assert!(
        h.query_by_label("Seen in Events Manager").is_none(),
        "no Events Manager tick for emulator sends"
    );
    assert!(h.query_by_label_contains("it never reaches Events Manager").is_some());
    // A filter that hides the selected entry empties the detail pane.
    focus_and_select_all(&mut h, "Search history");
    type_keys(&mut h, "no-such-send");
    assert_eq!(h.state().state.selected_history, None);
    assert!(h.query_by_label("Select a send to see it.").is_some());
}

#[test]
fn reddit_without_a_token_or_with_the_placeholder_pixel_is_flagged_before_send() {
    let (mut h, _dir) = app("reddit-lints", Arc::default());
    h.state_mut().state.saved.target = reddit_capi_console::app::state::SendTo::Reddit;
    h.state_mut().state.workspace_changed();
    h.run_steps(3);
    assert!(h.query_by_label_contains("REDDIT TEST").is_some());
    let destination: Vec<String> =
        h.state().state.preview.destination.iter().map(|l| l.field.clone()).collect();
    assert_eq!(destination, ["settings.token", "settings.pixel_id"]);
    assert!(h.query_by_label_contains("no conversion token: Reddit answers 401").is_some());
    assert!(h.query_by_label_contains("is the local emulator's placeholder").is_some());
    assert!(!h.state().state.can_send(), "Send is disabled");
    assert!(h.query_by_label_contains("Bearer <no conversion token: paste it in Settings>").is_some());
    assert!(h.query_by_label_contains("REDDIT_CONVERSION_TOKEN").is_none(), "no environment hint in the app");
    // A token and a real pixel clear both at once, and the preview shows the masked token.
    h.state_mut().state.settings_mut().pixel_id = "a2_real_pixel".into();
    use_token(&mut h, "for this session only");
    h.run_steps(2);
    assert!(h.state().state.preview.destination.is_empty());
    assert!(h.query_by_label_contains("Bearer ••••5b4a").is_some(), "the preview follows the token at once");
}

#[test]
fn a_send_in_flight_clears_the_previous_response() {
    let (mut h, _dir) = app("in-flight", Arc::default());
    send_button(&h).click();
    h.run_steps(2);
    wait(&mut h, |a| a.state.last_send.is_some());
    h.state_mut().handle(reddit_capi_console::app::Intent::Send);
    assert!(
        h.state().state.last_send.is_none() && h.state().state.sending,
        "the old response is gone at once"
    );
    wait(&mut h, |a| a.state.last_send.is_some());
    // What the panel says meanwhile (held here: the local emulator answers within a frame).
    h.state_mut().state.last_send = None;
    h.state_mut().state.sending = true;
    h.run_steps(1);
    assert!(h.query_by_label("Sending to the local emulator…").is_some());
}

#[test]
fn a_source_that_does_not_compile_gets_one_error_in_plain_words_and_is_not_taken() {
    let (mut h, _dir) = app("source-error", Arc::default());
    edit_purchase(&mut h);
    focus_and_select_all(&mut h, "conversion_id source JSON");
    type_keys(&mut h, r#"{"@if": {"exists": 1}}"#);
    let errors: Vec<String> = h
        .query_all_by_role(egui::accesskit::Role::Label)
        .filter_map(|n| n.accesskit_node().value())
        .filter(|v| v.contains("@if") || v.contains("then"))
        .collect();
    assert_eq!(errors.len(), 1, "one error for one problem: {errors:?}");
    assert!(
        !errors[0].contains("mapping \"Purchase\"") && !errors[0].contains("field conversion_id"),
        "{errors:?}"
    );
    let purchase = h.state().state.mappings.iter().find(|m| m.name == "Purchase").unwrap();
    assert!(!purchase.mapping.contains_key("conversion_id"), "nothing that does not compile is taken");
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn the_corpus_reads_a_picked_gzip_file_and_a_directory_of_gzip_parts_as_the_plain_file() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report/events.jsonl"),
    )
    .unwrap();
    let dialogs = Arc::new(FakeDialogs::default());
    *dialogs.to_open.lock().unwrap() = Some(("events.jsonl.gz".into(), gzip(text.as_bytes())));
    let (mut h, dir) = app("corpus-gzip", dialogs.clone());
    h.get_by_label("Corpus").click();
    h.run_steps(2);
    h.get_by_label("Open events file…").click();
    h.run_steps(2);
    wait(&mut h, |a| a.view.corpus.done.is_some());
    // The report, its "now" (the clock's at each run) aside.
    let report = |h: &Harness<'static, ConsoleApp>| {
        let mut report = serde_json::to_value(&h.state().view.corpus.done.as_ref().unwrap().report).unwrap();
        report.as_object_mut().unwrap().remove("now");
        report
    };
    let picked = report(&h);
    assert_eq!(picked["events"], 10, "{picked}");
    // Segment's S3 layout: the same events in gzip parts, read in name order.
    let parts = dir.join("segment-logs");
    std::fs::create_dir_all(&parts).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for (i, chunk) in lines.chunks(3).enumerate() {
        std::fs::write(parts.join(format!("part-{i:02}.gz")), gzip((chunk.join("\n") + "\n").as_bytes()))
            .unwrap();
    }
    h.state_mut().view.corpus.done = None;
    h.state_mut().view.corpus.path = parts.display().to_string();
    h.run_steps(1);
    h.get_by_label("Read").click();
    h.run_steps(2);
    wait(&mut h, |a| a.view.corpus.done.is_some() || a.view.corpus.error.is_some());
    assert_eq!(h.state().view.corpus.error, None);
    assert_eq!(report(&h), picked);
}

#[test]
fn the_corpus_report_reads_a_file_lists_a_refusal_group_and_loads_an_event() {
    let dialogs = Arc::new(FakeDialogs::default());
    let fixture =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report/events.jsonl"))
            .unwrap();
    *dialogs.to_open.lock().unwrap() = Some(("events.jsonl".into(), fixture));
    let (mut h, _dir) = app("corpus", dialogs.clone());
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
    assert!(String::from_utf8(bytes).unwrap().contains("| Purchase | 6 | 4 | 2 |"));
}

#[test]
fn a_segment_configuration_is_imported_its_token_offered_not_saved_and_exported_as_curl() {
    let dialogs = Arc::new(FakeDialogs::default());
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/segment");
    let subscriptions = std::fs::read(fixtures.join("subscriptions.json")).unwrap();
    *dialogs.to_open.lock().unwrap() = Some(("subscriptions.json".into(), subscriptions));
    let dir = data_dir("segment");
    let mut h = start(&dir, dialogs, Keychain::Unavailable("none".into()));
    h.get_by_label("Segment").click();
    h.run_steps(4);
    h.get_by_label("Open subscriptions file…").click();
    h.run_steps(2);
    wait(&mut h, |a| !a.view.segment.subscriptions.is_empty());
    // The destination's answer is pasted, as from the clipboard.
    h.get_by_label("Destination (GET /destinations/{id}), optional").focus();
    h.run_steps(1);
    h.event(egui::Event::Paste(std::fs::read_to_string(fixtures.join("destination.json")).unwrap()));
    h.run_steps(2);
    h.get_by_label("Import into the workspace").click();
    h.run_steps(1);
    // The import runs on the worker, not in the frame that asked for it (issue 25, item 11).
    assert!(h.state().view.segment.importing, "the UI thread waited for the import");
    wait(&mut h, |a| !a.view.segment.importing);
    h.run_steps(2);
    let s = &h.state().state;
    assert!(
        s.mappings.iter().any(|m| m.name == "Purchase"),
        "{:?}",
        s.mappings.iter().map(|m| &m.name).collect::<Vec<_>>()
    );
    assert_eq!(s.settings().pixel_id, "a2_fixture_pixel");
    assert!(
        s.notices
            .iter()
            .any(|n| n.text.starts_with("imported ") && n.text.ends_with("mappings from Segment"))
    );
    assert!(h.query_by_label_contains("Audience sync").is_some(), "the unknown action is named");
    assert!(h.query_by_label_contains("holds a conversion token (••••Zk93)").is_some());
    h.get_by_label("Keep the imported token").click();
    h.run_steps(2);
    assert_eq!(
        h.state().state.token.as_ref().map(|(t, _)| t.expose()),
        Some("fixture-conversion-token-Zk93")
    );
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run_steps(2);
    for file in files_under(&dir) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(!text.contains("fixture-conversion-token"), "the token is in {}", file.display());
    }
    let saved = std::fs::read_to_string(dir.join("workspace.json")).unwrap();
    assert!(saved.contains("dest_reddit_42"), "Segment's ids are kept for the export");
    h.get_by_label("Make the subscriptions").click();
    h.run_steps(3);
    let script = h.state().view.segment.script.clone().unwrap();
    assert!(
        script.contains("curl") && script.contains("$SEGMENT_TOKEN") && script.contains("dest_reddit_42"),
        "{script}"
    );
    assert!(!script.contains("fixture-conversion-token"));
}

/// A person's click: press in one frame, release in the next, at `pos`.
fn click_at(h: &mut Harness<'static, ConsoleApp>, pos: egui::Pos2) {
    h.event(egui::Event::PointerMoved(pos));
    h.step();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::default(),
        });
        h.step();
    }
    h.run_steps(2);
}

#[test]
fn a_click_on_a_menu_item_never_reaches_the_text_field_under_it() {
    let (mut h, _dir) = app("menu-click", Arc::default());
    let templates = h.get_by_label("Templates").rect().center();
    click_at(&mut h, templates);
    // The menu opens over the quick fields: take an item that sits above one of them.
    let fields =
        ["Email", "Phone", "IP", "User agent", "Click ID", "UUID", "userId", "messageId", "Timestamp"];
    let over = |h: &Harness<'static, ConsoleApp>, r: egui::Rect| {
        fields.iter().any(|f| h.get_by_label(f).rect().contains(r.center()))
    };
    let (name, item) = reddit_capi_console::segment::samples::TEMPLATES
        .iter()
        .map(|t| (t.name, h.get_by_label(t.name).rect()))
        .find(|(_, r)| over(&h, *r))
        .expect("a menu item over a quick field");
    click_at(&mut h, item.center());
    assert_eq!(
        h.state().view.confirm_replace,
        None,
        "an untouched first-run sample is replaced without asking"
    );
    let focused = h.ctx.memory(|m| m.focused());
    assert_eq!(focused, None, "no widget got the click meant for the menu item");
    for f in fields {
        assert!(!h.get_by_label(f).is_focused(), "{f} got focus");
    }
    assert!(
        h.state().state.notices.iter().any(|n| n.text.contains(&format!("the template {name}"))),
        "the template was loaded, and said so: {:?} {:?}",
        h.state().state.notices.iter().map(|n| n.text.clone()).collect::<Vec<_>>(),
        h.state().view.confirm_replace
    );
}

#[test]
fn enter_confirms_a_rename_and_the_new_name_is_saved() {
    let dir = data_dir("rename-enter");
    let mut h = start(&dir, Arc::default(), Keychain::Unavailable("none".into()));
    h.get_by_label("● Purchase").click();
    h.run_steps(2);
    h.get_by_label("Rename").click();
    h.run_steps(2);
    focus_and_select_all(&mut h, "New name");
    type_keys(&mut h, "Checkout");
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    assert!(h.query_by_label("New name").is_none(), "the rename field closed");
    let (workspace, _) = saved_files(&mut h, &dir);
    let names: Vec<&str> =
        workspace["mappings"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Checkout") && !names.contains(&"Purchase"), "{names:?}");
}

#[test]
fn a_drag_that_starts_beside_a_splitter_moves_it() {
    let (mut h, _dir) = app("splitter", Arc::default());
    let before = h.state().view.rects.preview;
    // Six points into the composer, left of the preview panel's edge.
    let start = egui::pos2(before.left() - 6.0, before.center().y);
    h.event(egui::Event::PointerMoved(start));
    h.step();
    h.event(egui::Event::PointerButton {
        pos: start,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::default(),
    });
    h.step();
    for dx in 1..=8 {
        h.event(egui::Event::PointerMoved(start - egui::vec2(dx as f32 * 5.0, 0.0)));
        h.step();
    }
    h.event(egui::Event::PointerButton {
        pos: start - egui::vec2(40.0, 0.0),
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::default(),
    });
    h.run_steps(3);
    let after = h.state().view.rects.preview;
    assert!(after.width() > before.width() + 20.0, "the preview panel grew: {before:?} → {after:?}");
}

#[test]
fn a_quick_field_edit_changes_only_its_value_in_the_hand_typed_json() {
    let dir = data_dir("quick-keeps-json");
    let mut h = start(&dir, Arc::default(), Keychain::Unavailable("none".into()));
    focus_and_select_all(&mut h, "Event JSON");
    let typed = r#"{"type":"track",  "event": "Order Completed", "userId": "u-42",  "properties": {"revenue": 59.90, "currency": "EUR"}}"#;
    type_keys(&mut h, typed);
    assert_eq!(h.state().state.saved.composer_text, typed);
    focus_and_select_all(&mut h, "userId");
    type_keys(&mut h, "user-1842");
    focus_and_select_all(&mut h, "Email");
    type_keys(&mut h, "jane@example.com");
    let expected = typed.replace(r#""u-42""#, r#""user-1842""#).replace(
        r#""currency": "EUR"}}"#,
        r#""currency": "EUR"}, "context": {"traits": {"email": "jane@example.com"}}}"#,
    );
    assert_eq!(h.state().state.saved.composer_text, expected, "59.90 and the spacing stay as typed");
    assert_eq!(h.get_by_label("Event JSON").value().as_deref(), Some(expected.as_str()));
    let (_, app_state) = saved_files(&mut h, &dir);
    assert_eq!(app_state["composer_text"], expected);
}

#[test]
fn a_second_send_of_the_same_event_says_reddit_would_drop_it_as_a_duplicate() {
    let (mut h, _dir) = app("duplicate", Arc::default());
    let send = |h: &mut Harness<'static, ConsoleApp>| {
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
        h.run_steps(2);
        wait(h, |a| a.state.last_send.as_ref().is_some_and(|l| l.duplicates.is_some()));
        h.run_steps(2);
    };
    send(&mut h);
    assert!(h.query_by_label_contains("would drop this as a duplicate").is_none(), "a first send is new");
    h.state_mut().state.last_send = None;
    send(&mut h);
    let first = h.state().state.history.first().unwrap().attempt.started_at.clone();
    let said = format!(
        "Reddit would drop this as a duplicate of the send at {}",
        reddit_capi_console::local_time::local(&first)
    );
    assert!(h.query_by_label_contains(&said).is_some(), "the response says it: {said}");
    // The history's detail says it too, for the second send only.
    h.get_by_label_contains("History (2)").click();
    h.run_steps(2);
    h.query_all_by_label_contains("Purchase · emulator · 200").next().unwrap().click();
    h.run_steps(3);
    assert_eq!(h.state().state.selected_history, Some(1), "the newest row is first");
    assert!(h.query_by_label_contains("(same conversion_id and event type within 2 days)").is_some());
}

/// Presses `key` `n` times, a frame each.
fn press(h: &mut Harness<'static, ConsoleApp>, key: egui::Key, n: usize) {
    for _ in 0..n {
        h.key_press(key);
        h.step();
    }
    h.run_steps(1);
}

#[test]
fn a_request_typed_key_by_key_is_judged_fixed_and_sent_to_the_emulator_into_the_history() {
    use reddit_capi_console::app::state::Mode;
    let dir = data_dir("request-mode");
    let mut h = start(&dir, Arc::default(), Keychain::Unavailable("none".into()));
    h.get_by_label("Reddit request").click();
    h.run_steps(2);
    assert_eq!(h.state().state.saved.mode, Mode::Request);
    assert!(h.query_by_label_contains("paste a request").is_some(), "an empty text says what to paste");
    focus_and_select_all(&mut h, "Request text");
    let now = reddit_capi_console::timestamp::now_millis();
    let body = format!(
        r#"{{"data": {{"test_id": "t2_typed", "events": [{{"event_at": {now}, "type": {{"tracking_type": "LEAD"}}, "user": {{"email": "jane@example.com"}}, "action_source": "web"}}]}}}}"#
    );
    let (first, rest) = body.split_at(9);
    type_keys(&mut h, first);
    // Invalid JSON: the error names its line and column, and nothing can be sent.
    assert!(h.query_by_label_contains("✖ line 1, column 9: EOF while parsing").is_some());
    assert!(!h.state().state.can_send());
    assert!(h.get_by_label("Request text").is_focused(), "focus stays in the editor");
    type_keys(&mut h, rest);
    assert_eq!(h.state().state.saved.request_text, body, "every keystroke arrived, in order");
    // v3 by its shape; Reddit would refuse the action_source, with its words and the field.
    assert!(
        h.query_by_label_contains(
            "v3 (from the body's shape), 1 event(s), test: 400 — Reddit would refuse it"
        )
        .is_some()
    );
    assert!(h.query_by_label("$.data.events[0].action_source").is_some());
    assert!(h.query_by_label("invalid action_source: web").is_some());
    assert!(
        h.query_by_label_contains("raw email: Reddit expects it normalized and SHA-256 hashed").is_some()
    );
    assert!(!h.state().state.can_send(), "a request Reddit would refuse is not sent");
    h.state_mut().handle(reddit_capi_console::app::Intent::Send);
    assert!(h.state().state.status().unwrap().text.contains("$.data.events[0].action_source"));

    // Fix the field key by key: back over `web"}]}}` and type the right value.
    press(&mut h, egui::Key::Backspace, 8);
    assert!(h.state().state.request.error.is_some(), "through invalid JSON again");
    type_keys(&mut h, r#"WEBSITE"}]}}"#);
    let fixed = body.replace(r#""web""#, r#""WEBSITE""#);
    assert_eq!(h.state().state.saved.request_text, fixed);
    assert!(h.query_by_label_contains("test: 200 — Reddit would accept it").is_some());
    assert!(h.query_by_label("invalid action_source: web").is_none());
    assert!(h.query_by_label_contains("Send → the local emulator (not Reddit)").is_some());
    assert!(h.state().state.can_send());

    send_button(&h).click();
    h.run_steps(2);
    wait(&mut h, |a| a.state.last_send.is_some() && !a.state.history.is_empty());
    h.run_steps(2);
    let sent = &h.state().state.last_send.as_ref().unwrap().results[0];
    assert_eq!(sent.outcome.status, Some(200), "{:?}", sent.outcome);
    assert!(
        h.query_by_label_contains("1 of 1 requests accepted by the local emulator (not Reddit)").is_some()
    );
    // The history on disk holds the request as typed.
    let history = std::fs::read_to_string(dir.join("history.jsonl")).unwrap();
    let done: serde_json::Value = history
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| e["state"] == "completed")
        .expect("a completed entry");
    assert_eq!(done["mapping"], "Reddit request");
    assert_eq!(done["endpoint"], "emulator");
    assert_eq!((done["api_version"].as_str(), done["test"].as_bool()), (Some("v3"), Some(true)));
    assert_eq!(done["request"]["body"], serde_json::from_str::<serde_json::Value>(&fixed).unwrap());
    assert!(
        done["request"]["url"]
            .as_str()
            .unwrap()
            .ends_with("/api/v3/pixels/a2_local_test_pixel/conversion_events")
    );
    assert_eq!(done["attempt"]["status"], 200);

    // Mode and text are saved with the settings, and a restart keeps them.
    let (_, app_state) = saved_files(&mut h, &dir);
    assert_eq!(
        (app_state["mode"].as_str(), app_state["request_text"].as_str()),
        (Some("request"), Some(fixed.as_str()))
    );
    drop(h);
    let mut h = start(&dir, Arc::default(), Keychain::Unavailable("none".into()));
    h.run_steps(2);
    assert_eq!(h.get_by_label("Request text").value().as_deref(), Some(fixed.as_str()));
    assert!(h.query_by_label_contains("Reddit would accept it").is_some());
}

/// POSTs `body` to the app's emulator's control endpoint `path` (loopback, plain HTTP/1.1).
fn control(base: &str, path: &str, body: &str) {
    use std::io::{Read, Write};
    let authority = base.trim_start_matches("http://").trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(authority).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 2"), "{answer}");
}

#[test]
fn an_autosave_lands_on_disk_while_a_send_is_held_for_20_seconds() {
    let dir = data_dir("save-while-send");
    let mut h = start(&dir, Arc::default(), Keychain::Unavailable("none".into()));
    let base = h.state().state.emulator_url.clone().unwrap();
    control(&base, "/_emulator/faults", r#"{"delay_ms": 20000}"#);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    h.run_steps(2);
    assert!(h.state().state.sending, "the send is held by the emulator");
    focus_and_select_all(&mut h, "userId");
    type_keys(&mut h, "held-send-user");
    // The autosave goes out a second after the last edit; it must not wait for the send.
    let typed_at = Instant::now();
    let saved = |dir: &Path| {
        std::fs::read_to_string(dir.join("settings.json")).is_ok_and(|t| t.contains("held-send-user"))
    };
    while !saved(&dir) {
        assert!(typed_at.elapsed() < Duration::from_secs(4), "no save within 4 s while the send is held");
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(h.state().state.sending, "saved while the send was still in flight");
    assert!(typed_at.elapsed() < Duration::from_secs(3), "{:?}", typed_at.elapsed());
}

#[path = "common/segment_fake.rs"]
mod segment_fake;

#[test]
fn connect_to_segment_fetches_imports_and_keeps_the_token_in_the_keychain_only() {
    use reddit_capi_console::secret::segment;
    let fake = segment_fake::Fake::start(segment_fake::subscriptions(), 2);
    let dir = data_dir("segment-connect");
    let store = mock::Store::new().unwrap();
    let mut h = start(&dir, Arc::default(), Keychain::Store(store.clone()));
    h.get_by_label("Segment").click();
    h.run_steps(4);
    h.state_mut().view.segment.endpoint = Some(fake.url.clone());
    h.get_by_label("Destination ID").focus();
    h.run_steps(1);
    h.get_by_label("Destination ID").type_text(segment_fake::DEST);
    h.get_by_label("Segment Public API token").focus();
    h.run_steps(1);
    h.get_by_label("Segment Public API token").type_text(segment_fake::TOKEN);
    h.get_by_label("in the OS keychain (else for this session only)").click();
    h.run_steps(2);
    h.get_by_label("Fetch from Segment").click();
    h.run_steps(2);
    // The fetch, then the import of what it brought, both on the worker.
    wait(&mut h, |a| !a.view.segment.fetching && !a.view.segment.importing);
    let s = &h.state().state;
    let names: Vec<&str> = s.mappings.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        ["Purchase", "Checkout step"],
        "{:?}",
        s.notices.iter().map(|n| &n.text).collect::<Vec<_>>()
    );
    assert_eq!(s.settings().pixel_id, "a2_fixture_pixel");
    assert!(s.notices.iter().any(|n| n.text == "the Segment token is kept in the OS keychain"));
    let pages = fake.seen().iter().filter(|r| r.target.contains("/subscriptions")).count();
    assert_eq!(pages, 2, "both pages fetched");
    // The typed text is wiped; the token is in the keychain under its own service, and the session.
    assert!(h.state().view.segment.token_input.is_empty());
    assert_eq!(h.state().view.segment.api_token.as_ref().map(|t| t.expose()), Some(segment_fake::TOKEN));
    let kept = segment::get(|| Keychain::Store(store.clone())).unwrap().unwrap();
    assert_eq!(kept.0.expose(), segment_fake::TOKEN);
    assert!(h.query_by_label_contains(segment_fake::TOKEN).is_none(), "never on screen");

    // A second fetch reuses the session's token; a wrong destination is said in words.
    h.state_mut().view.segment.destination_id = "dest_nope".into();
    h.run_steps(1);
    h.get_by_label("Fetch from Segment").click();
    h.run_steps(2);
    wait(&mut h, |a| !a.view.segment.fetching);
    assert!(
        h.state().state.notices.iter().any(|n| n
            .text
            .contains("not fetched from Segment: Segment knows no destination \"dest_nope\" (404)")),
        "{:?}",
        h.state().state.notices.iter().map(|n| &n.text).collect::<Vec<_>>()
    );
    h.state_mut().handle(reddit_capi_console::app::Intent::SaveNow);
    h.run_steps(2);
    assert!(!files_under(&dir).is_empty());
    for file in files_under(&dir) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(!text.contains(segment_fake::TOKEN), "the Segment token is in {}", file.display());
    }

    h.get_by_label("Forget the Segment token").click();
    h.run_steps(2);
    wait(&mut h, |a| a.state.notices.iter().any(|n| n.text == "the Segment token is forgotten"));
    assert!(h.state().view.segment.api_token.is_none());
    assert!(segment::get(|| Keychain::Store(store.clone())).unwrap().is_none());
    // The conversion tokens' service was never touched.
    let conversion = keyring_core::Entry::new_in_store(
        &(store.clone() as Arc<keyring_core::CredentialStore>),
        SERVICE,
        "a2_fixture_pixel",
    )
    .unwrap();
    assert!(matches!(conversion.get_password(), Err(keyring_core::Error::NoEntry)));
}
