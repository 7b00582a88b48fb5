//! Frame cost of the desktop app with a heavy workspace: 50 mappings, 10,000 history entries and
//! a ~90 KB event in the composer. Prints p50/p99/max per frame for idle frames (repaints) with
//! an open history entry showing its diff, for frames that scroll the history, for idle frames
//! with the v2.0 ↔ v3 comparison open, and for frames that edit the event (the preview is
//! recomputed). Targets: p99 under 4 ms for idle and scroll frames, under 8 ms for edit frames.
//!
//! `cargo bench --bench frame`

use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui;
use reddit_capi_console::app::worker::{BoxFuture, Dialogs, FileKind};
use reddit_capi_console::app::{AppConfig, BottomTab, ConsoleApp};
use reddit_capi_console::mapping::model::MappingEntry;
use reddit_capi_console::paths::DataDir;
use reddit_capi_console::secret::tokens::Keychain;
use reddit_capi_console::store::history::{Entry, Phase, RequestRecord};
use reddit_capi_console::workspace::Workspace;
use serde_json::json;

struct NoDialogs;

impl Dialogs for NoDialogs {
    fn open(&self, _: FileKind) -> BoxFuture<Option<(String, Vec<u8>)>> {
        Box::pin(async { None })
    }
    fn save(&self, _: FileKind, _: String, _: Vec<u8>) -> BoxFuture<Option<Result<String, String>>> {
        Box::pin(async { None })
    }
}

fn prepare() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rcc-frame-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // 50 mappings.
    let mut workspace = Workspace::presets();
    for i in workspace.mappings.len()..50 {
        workspace.mappings.push(MappingEntry {
            name: format!("Custom {i}"),
            enabled: true,
            preset: None,
            action: Some(reddit_capi_console::mapping::Action::CustomEvent),
            subscribe: Some(format!(r#"type = "track" and event = "Step {i}""#)),
            mapping: [("custom_event_name".to_string(), json!(format!("Step {i}")))].into_iter().collect(),
        });
    }
    std::fs::write(dir.join("workspace.json"), workspace.to_export_json()).unwrap();
    // 10,000 history entries, written in one go.
    let mut text = String::new();
    for i in 0..10_000 {
        // Each send differs from the previous send of its sample: the detail shows a diff.
        let body = json!({"events": [{"event_at": format!("2026-11-28T12:{:02}:00Z", i % 60), "event_type": {"tracking_type": "Purchase"}, "user": {"email": format!("{i:064x}")}}], "test_mode": true});
        let entry = Entry {
            send_id: format!("bench-{i}"),
            state: Phase::Completed,
            endpoint: "emulator".into(),
            api_version: "v2.0".into(),
            test: true,
            mapping: format!("Custom {}", i % 50),
            source: format!("composer: sample {}", i % 20),
            event_count: 1,
            request: RequestRecord {
                url: "http://127.0.0.1:1/api".into(),
                method: "POST".into(),
                headers: vec![],
                body,
                abridged: None,
                sha256: None,
            },
            lints: vec![],
            attempt: reddit_capi_console::store::history::AttemptRecord {
                number: 1,
                started_at: "2026-11-28T12:00:00.000Z".into(),
                duration_ms: 3,
                waited_ms: 0,
                status: Some(200),
                response_headers: vec![],
                response_body: Some(r#"{"message": "Successfully processed 1 conversion events."}"#.into()),
                response_body_cut: false,
                outcome: reddit_capi_console::reddit::response::classify(200, r#"{"message": "ok"}"#),
            },
        };
        text.push_str(&serde_json::to_string(&entry).unwrap());
        text.push('\n');
    }
    std::fs::write(dir.join("history.jsonl"), text).unwrap();
    dir
}

/// A ~91 KB Purchase event.
fn big_event() -> String {
    let mut e: serde_json::Value =
        serde_json::from_str(include_str!("../assets/samples/purchase.json")).unwrap();
    let products: Vec<_> = (0..560)
        .map(|i| json!({"product_id": format!("sku-{i:05}"), "name": format!("Product number {i}"), "category": "Catalog", "price": 9.99, "quantity": 1}))
        .collect();
    e["properties"]["products"] = json!(products);
    serde_json::to_string_pretty(&e).unwrap()
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration, Duration) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    (at(0.5), at(0.99), *samples.last().unwrap())
}

/// One frame as the native app runs it: egui's pass over the app, then tessellation (the GPU
/// upload and drawing are the renderer's, not counted). AccessKit is off, as it is until a
/// screen reader connects.
fn frame(ctx: &egui::Context, app: &mut ConsoleApp, events: Vec<egui::Event>) {
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 720.0))),
        events,
        ..Default::default()
    };
    let output = ctx.run_ui(input, |ui| app.show(ui));
    let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
    std::hint::black_box(primitives);
}

fn main() {
    let dir = prepare();
    let config = AppConfig {
        data_dir: Some(DataDir::new(&dir)),
        dialogs: Arc::new(NoDialogs),
        keychain: Arc::new(|| Keychain::Unavailable("the bench keeps no token".into())),
        env_token: None,
    };
    let ctx = egui::Context::default();
    let mut app = ConsoleApp::new(&ctx, config);
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.state.history.len() < 10_000 || app.state.emulator_url.is_none() {
        assert!(Instant::now() < deadline, "the worker did not load the history");
        app.wait_for_worker(Duration::from_millis(200));
    }
    let text = big_event();
    println!(
        "event: {} KB, mappings: {}, history: {}",
        text.len() / 1024,
        app.state.mappings.len(),
        app.state.history.len()
    );
    app.state.set_event_text(text);
    app.view.bottom = BottomTab::History;
    // Open the newest entry: its detail shows the diff against the previous send of its sample.
    app.state.selected_history = Some(app.state.history.len() - 1);
    for _ in 0..10 {
        frame(&ctx, &mut app, Vec::new());
    }
    assert!(app.state.history_view.previous.as_ref().is_some_and(|(_, c)| !c.is_empty()), "a diff is shown");
    let time = |app: &mut ConsoleApp, n: usize, mut events: Box<dyn FnMut(usize) -> Vec<egui::Event>>| {
        (0..n)
            .map(|i| {
                let t = Instant::now();
                frame(&ctx, app, events(i));
                t.elapsed()
            })
            .collect::<Vec<_>>()
    };
    let idle = time(&mut app, 300, Box::new(|_| Vec::new()));
    // Scroll the history list (the pointer over it, 40 points a frame, down then up).
    let over = app.view.rects.bottom.left_top() + egui::vec2(80.0, 60.0);
    let scroll = time(
        &mut app,
        300,
        Box::new(move |i| {
            let dy = if (i / 100) % 2 == 0 { -40.0 } else { 40.0 };
            vec![
                egui::Event::PointerMoved(over),
                egui::Event::MouseWheel {
                    unit: egui::MouseWheelUnit::Point,
                    delta: egui::vec2(0.0, dy),
                    phase: egui::TouchPhase::Move,
                    source: egui::MouseWheelSource::Unknown,
                    modifiers: egui::Modifiers::NONE,
                },
            ]
        }),
    );
    app.state.compare = true;
    app.state.recompute();
    let compare = time(&mut app, 300, Box::new(|_| Vec::new()));
    app.state.compare = false;
    app.state.recompute();
    let (mut edits, mut models) = (Vec::new(), Vec::new());
    for i in 0..100 {
        let t = Instant::now();
        app.state.set_event_string(&["userId"], Some(&format!("user-{i}")));
        models.push(t.elapsed());
        frame(&ctx, &mut app, Vec::new());
        edits.push(t.elapsed());
    }
    for (name, samples) in
        [("idle, history diff open", idle), ("scroll history", scroll), ("idle, v2.0 ↔ v3", compare)]
    {
        let (p50, p99, max) = percentiles(samples);
        println!("{name:<24} p50 {p50:.2?}  p99 {p99:.2?}  max {max:.2?}");
    }
    let (p50, p99, max) = percentiles(models);
    println!("{:<24} p50 {p50:.2?}  p99 {p99:.2?}  max {max:.2?}  (of which the model: parse + preview)", "");
    let (p50, p99, max) = percentiles(edits);
    println!(
        "{:<24} p50 {p50:.2?}  p99 {p99:.2?}  max {max:.2?}  (parse the event + recompute the preview + frame)",
        "edit the event"
    );
    let _ = std::fs::remove_dir_all(dir);
}
