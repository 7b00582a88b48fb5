//! The desktop app (eframe/egui). State lives in [`state`], side effects in [`worker`]; each
//! panel in [`panels`] draws part of the state and emits [`Intent`]s, which [`ConsoleApp`] turns
//! into state changes or worker commands. Nothing here computes a payload: the engine does.

pub mod panels;
pub mod state;
pub mod worker;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui;

use crate::net::Cancel;
use crate::secret::Secret;
use crate::secret::tokens::{Keychain, Place, Source, Tokens};
use crate::store::versioned::{self, Loaded};
use crate::workspace::Workspace;
use state::{Saved, State, Target};
use worker::{Command, Dialogs, FileKind, Msg, NativeDialogs, Worker};

/// What the app needs from outside: where its files live, how to ask for files, the keychain.
pub struct AppConfig {
    pub data_dir: Option<PathBuf>,
    pub dialogs: Arc<dyn Dialogs>,
    /// Opens the OS keychain; called on the worker thread (it may talk to D-Bus).
    pub keychain: Arc<dyn Fn() -> Keychain + Send + Sync>,
    /// `REDDIT_CONVERSION_TOKEN`, which overrides any stored token.
    pub env_token: Option<Secret>,
}

impl Default for AppConfig {
    fn default() -> AppConfig {
        AppConfig {
            data_dir: crate::paths::data_dir(),
            dialogs: Arc::new(NativeDialogs),
            keychain: Arc::new(Keychain::platform),
            env_token: Tokens::env_token(),
        }
    }
}

/// Which tab the bottom panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BottomTab {
    #[default]
    Response,
    History,
    LocalEvents,
}

/// View-only state: what is open, what is being typed.
#[derive(Default)]
pub struct View {
    pub show_settings: bool,
    pub reveal_token: bool,
    pub token_input: String,
    /// Where "Use token" keeps it: the keychain, the opt-in file, or nowhere (`None`: session).
    pub token_keep: Option<Place>,
    pub editing: Option<usize>,
    pub renaming: Option<(usize, String)>,
    pub confirm_production: bool,
    pub bottom: BottomTab,
    pub focus_search: bool,
    /// A composer quick field to focus (a lint's path was clicked).
    pub focus_field: Option<&'static str>,
    pub in_flight: Option<Cancel>,
    pub sample_name: String,
    pub new_destination: String,
    /// The mapping editor's trigger builder: mapping index, call type, event name.
    pub builder: Option<(usize, String, String)>,
    /// The Corpus window.
    pub corpus: panels::corpus::CorpusView,
}

/// What the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    Send,
    /// Send even though it is a production send.
    SendConfirmed,
    Cancel,
    SaveNow,
    Open(FileKind),
    ExportWorkspace,
    ExportMapping(usize),
    ExportSample,
    RefreshEmulator,
    /// Use the typed token, and keep it where `View::token_keep` says.
    UseToken,
    /// Drop the active pixel's token from the session, the keychain and the token file.
    ForgetToken,
    /// Ask where to save these bytes, then write them.
    Export(FileKind, String, Vec<u8>),
}

/// The app.
pub struct ConsoleApp {
    pub state: State,
    pub view: View,
    worker: Worker,
    data_dir: Option<PathBuf>,
    last_save: Instant,
    shown: bool,
}

/// When the process started (set by [`run`]), for the startup timing.
static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

impl ConsoleApp {
    /// Builds the app: loads what was saved, starts the worker (and with it the emulator).
    pub fn new(ctx: &egui::Context, config: AppConfig) -> ConsoleApp {
        let ctx = ctx.clone();
        ctx.options_mut(|o| o.theme_preference = egui::ThemePreference::System);
        install_fonts(&ctx);
        let mut notices = Vec::new();
        let (workspace, saved) = match &config.data_dir {
            Some(dir) => (
                load(&worker::workspace_path(dir), &mut notices, Workspace::parse_saved),
                load(&worker::app_state_path(dir), &mut notices, Saved::parse),
            ),
            None => (None, None),
        };
        let mut state = State::new(workspace, saved.unwrap_or_default());
        for text in notices {
            state.notice(true, text);
        }
        let repaint = ctx.clone();
        let data_dir = config.data_dir.clone();
        let worker = Worker::start(config, move || repaint.request_repaint());
        ConsoleApp { state, view: View::default(), worker, data_dir, last_save: Instant::now(), shown: false }
    }

    fn apply(&mut self, msg: Msg) {
        let s = &mut self.state;
        match msg {
            Msg::EmulatorReady(Ok(url)) => {
                s.emulator_url = Some(url);
                s.recompute();
            }
            Msg::EmulatorReady(Err(e)) => s.notice(true, format!("the local emulator could not start: {e}")),
            Msg::Sent(results) => {
                s.sending = false;
                self.view.in_flight = None;
                s.last_send = Some(state::LastSend { results });
                self.view.bottom = BottomTab::Response;
            }
            Msg::History(Ok(entries)) => s.history = entries,
            Msg::History(Err(e)) => s.notice(true, format!("history: {e}")),
            Msg::EmulatorEvents(events) => s.emulator_events = events,
            Msg::SaveFailed(e) => s.notice(true, format!("not saved: {e}")),
            Msg::Opened { kind, name, bytes } => self.opened(kind, &name, bytes),
            Msg::Exported(Ok(path)) => s.notice(false, format!("saved {path}")),
            Msg::Exported(Err(e)) => s.notice(true, format!("not saved: {e}")),
            Msg::Keychain(status) => {
                self.view.token_keep = status.is_ok().then_some(Place::Keychain);
                s.keychain = Some(status);
            }
            // An answer for a pixel that is no longer the active one is stale.
            Msg::Token { pixel, found } if pixel == s.settings().pixel_id.trim() => match found {
                Ok(Some(token)) => {
                    // A new token for this pixel goes where the stored one is, unless changed.
                    if token.1 == Source::File {
                        self.view.token_keep = Some(Place::File);
                    }
                    s.token = Some(token);
                }
                // A token typed for this session stays; a stored one of another pixel does not.
                Ok(None) => s.token = s.token.take().filter(|(_, source)| *source == Source::Session),
                Err(e) => s.notice(true, format!("conversion token: {e}")),
            },
            Msg::Token { .. } => {}
            Msg::TokenKept(Ok(source)) => {
                if let Some((_, kept)) = &mut s.token {
                    *kept = source;
                }
                s.notice(false, format!("token saved {}", source.describe()));
            }
            Msg::TokenKept(Err(e)) => {
                s.notice(true, format!("token not saved ({e}); it is kept for this session only"))
            }
            Msg::TokenForgotten(Ok(())) => s.notice(false, "token forgotten"),
            Msg::TokenForgotten(Err(e)) => s.notice(true, format!("token not forgotten: {e}")),
        }
    }

    fn opened(&mut self, kind: FileKind, name: &str, bytes: Vec<u8>) {
        if kind == FileKind::Corpus {
            self.view.corpus.pending = Some((name.to_string(), bytes));
            return;
        }
        let s = &mut self.state;
        let Ok(text) = String::from_utf8(bytes) else {
            s.notice(true, format!("{name} is not UTF-8 text"));
            return;
        };
        match kind {
            FileKind::Workspace => match Workspace::parse(&text) {
                Ok(w) => {
                    s.import_workspace(w);
                    s.notice(false, format!("imported {name}"));
                }
                Err(e) => s.notice(true, format!("{name}: {e}")),
            },
            FileKind::Mapping => match serde_json::from_str::<crate::mapping::model::MappingEntry>(&text) {
                Ok(entry) => match crate::mapping::CompiledMapping::compile(&entry, s.settings().profile) {
                    Ok(_) if s.mappings.len() < crate::mapping::MAX_MAPPINGS => {
                        let mut entry = entry;
                        if s.mappings.iter().any(|m| m.name == entry.name) {
                            entry.name = format!("{} (imported)", entry.name);
                        }
                        s.mappings.push(entry);
                        s.changed_mappings();
                        s.notice(false, format!("imported mapping from {name}"));
                    }
                    Ok(_) => s.notice(true, "a workspace holds at most 50 mappings"),
                    Err(e) => s.notice(true, format!("{name}: {e}")),
                },
                Err(e) => s.notice(true, format!("{name}: {e}")),
            },
            FileKind::Sample => s.set_event_text(text),
            FileKind::Corpus => {}
        }
    }

    /// Carries out an intent.
    pub fn handle(&mut self, intent: Intent) {
        let s = &mut self.state;
        match intent {
            Intent::Send if s.is_production_send() => self.view.confirm_production = true,
            Intent::Send | Intent::SendConfirmed => {
                self.view.confirm_production = false;
                if s.sending {
                    return;
                }
                let Some(endpoint) = s.endpoint() else {
                    s.notice(true, "the local emulator is not running yet");
                    return;
                };
                let token = match (&s.token, s.saved.target) {
                    (Some((t, _)), _) => t.clone(),
                    (None, Target::Emulator) => Secret::new("local-emulator-token").expect("non-blank"),
                    (None, Target::Reddit) => {
                        s.notice(true, "set the conversion token in Settings to send to Reddit");
                        self.view.show_settings = true;
                        return;
                    }
                };
                let items = s.sendable();
                if items.is_empty() {
                    s.notice(
                        true,
                        "nothing to send: no mapping builds a request without errors for this event",
                    );
                    return;
                }
                let cancel = Cancel::default();
                self.view.in_flight = Some(cancel.clone());
                s.sending = true;
                let source = match &s.event {
                    Ok(e) => format!("composer: {}", e.label()),
                    Err(_) => "composer".into(),
                };
                self.worker.send(Command::Send(Box::new(worker::SendJob {
                    items,
                    settings: s.settings().clone(),
                    endpoint,
                    token,
                    source,
                    network: s.saved.network.clone(),
                    cancel,
                })));
            }
            Intent::Cancel => {
                if let Some(c) = &self.view.in_flight {
                    c.cancel();
                }
            }
            Intent::SaveNow => self.save(),
            Intent::Open(kind) => self.worker.send(Command::Open(kind)),
            Intent::ExportWorkspace => {
                let bytes = s.workspace().to_export_json().into_bytes();
                self.worker.send(Command::Export {
                    kind: FileKind::Workspace,
                    suggested: "workspace.json".into(),
                    bytes,
                });
            }
            Intent::ExportMapping(i) => {
                if let Some(m) = s.mappings.get(i) {
                    let bytes = serde_json::to_vec_pretty(m).expect("a mapping serializes");
                    let suggested = format!("{}.mapping.json", m.name.replace(['/', '\\'], "-"));
                    self.worker.send(Command::Export { kind: FileKind::Mapping, suggested, bytes });
                }
            }
            Intent::ExportSample => {
                let bytes = s.saved.composer_text.clone().into_bytes();
                self.worker.send(Command::Export {
                    kind: FileKind::Sample,
                    suggested: "event.json".into(),
                    bytes,
                });
            }
            Intent::RefreshEmulator => self.worker.send(Command::RefreshEmulator),
            Intent::Export(kind, suggested, bytes) => {
                self.worker.send(Command::Export { kind, suggested, bytes })
            }
            Intent::UseToken => {
                // Secret::new wipes the typed text once copied.
                let Some(token) = Secret::new(std::mem::take(&mut self.view.token_input)) else {
                    s.notice(true, "paste the conversion token first");
                    return;
                };
                let pixel = s.settings().pixel_id.trim().to_string();
                s.token = Some((token.clone(), Source::Session));
                s.token_pixel = Some(pixel.clone());
                if let Some(place) = self.view.token_keep {
                    self.worker.send(Command::KeepToken { pixel, token, place });
                }
            }
            Intent::ForgetToken => {
                s.token = s.token.take().filter(|(_, source)| *source == Source::Environment);
                let pixel = s.settings().pixel_id.trim().to_string();
                self.worker.send(Command::ForgetToken(pixel));
            }
        }
    }

    /// Writes the workspace and the app state (atomically, on the worker).
    fn save(&mut self) {
        self.last_save = Instant::now();
        self.state.dirty = false;
        let Some(dir) = &self.data_dir else { return };
        let mut workspace = self.state.workspace();
        workspace.settings.test_id = None;
        let files = vec![
            (worker::workspace_path(dir), workspace.to_export_json().into_bytes()),
            (worker::app_state_path(dir), self.state.saved.to_json()),
        ];
        self.worker.send(Command::Save(files));
    }

    /// Asks for the stored token when the active pixel changes (once the keychain is known).
    fn follow_pixel(&mut self) {
        let s = &mut self.state;
        if s.keychain.is_none() || s.token_pixel.as_deref() == Some(s.settings().pixel_id.trim()) {
            return;
        }
        let pixel = s.settings().pixel_id.trim().to_string();
        s.token_pixel = Some(pixel.clone());
        self.worker.send(Command::LoadToken(pixel));
    }

    /// Waits (up to `timeout`) for the worker to post a message and applies it; for tests.
    pub fn wait_for_worker(&mut self, timeout: Duration) -> bool {
        match self.worker.messages.recv_timeout(timeout) {
            Ok(msg) => {
                self.apply(msg);
                true
            }
            Err(_) => false,
        }
    }
}

/// egui's default fonts lack arrows, check marks and warning signs: DejaVu Sans (bundled, free
/// licence in assets/fonts) fills in behind them.
fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        "dejavu".into(),
        Arc::new(egui::FontData::from_static(include_bytes!("../../assets/fonts/DejaVuSans.ttf"))),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts.families.entry(family).or_default().push("dejavu".into());
    }
    ctx.set_fonts(fonts);
}

/// Reads a file the app keeps; one that cannot be used is moved aside (never overwritten) and
/// reported.
fn load<T>(
    path: &std::path::Path,
    notices: &mut Vec<String>,
    parse: impl FnOnce(&str) -> Result<T, (String, bool)>,
) -> Option<T> {
    match versioned::load(path, parse) {
        Loaded::Missing => None,
        Loaded::Read(v) => Some(v),
        Loaded::SetAside(aside) => {
            notices.push(format!("{aside}. Defaults are in use until you restore it."));
            None
        }
    }
}

const SEND: egui::KeyboardShortcut = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Enter);
const SAVE: egui::KeyboardShortcut = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::S);
const NEW_SAMPLE: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::N);
const FIND: egui::KeyboardShortcut = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::F);

impl eframe::App for ConsoleApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn on_exit(&mut self) {
        if self.state.dirty {
            self.save();
        }
    }
}

impl ConsoleApp {
    /// Draws one frame: applies worker results, handles shortcuts, lays out the panels, carries
    /// out what the user asked for, autosaves.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        if !self.shown {
            self.shown = true;
            if std::env::var_os("REDDIT_CAPI_CONSOLE_TIMING").is_some() {
                eprintln!("first frame after {} ms", STARTED.get_or_init(Instant::now).elapsed().as_millis());
            }
        }
        while let Ok(msg) = self.worker.messages.try_recv() {
            self.apply(msg);
        }
        self.follow_pixel();
        let mut intents = Vec::new();
        let ctx = ui.ctx().clone();
        ctx.input_mut(|i| {
            if i.consume_shortcut(&SEND) {
                intents.push(Intent::Send);
            }
            if i.consume_shortcut(&SAVE) {
                intents.push(Intent::SaveNow);
            }
            if i.consume_shortcut(&NEW_SAMPLE) {
                self.state.set_event_text(
                    serde_json::to_string_pretty(&crate::segment::samples::TEMPLATES[0].event())
                        .expect("JSON"),
                );
            }
            if i.consume_shortcut(&FIND) {
                self.view.bottom = BottomTab::History;
                self.view.focus_search = true;
            }
        });
        panels::top::show(ui, &mut self.state, &mut self.view, &mut intents);
        panels::bottom::show(ui, &mut self.state, &mut self.view, &mut intents);
        panels::mappings::show(ui, &mut self.state, &mut self.view, &mut intents);
        panels::preview::show(ui, &mut self.state, &mut self.view);
        panels::composer::show(ui, &mut self.state, &mut self.view, &mut intents);
        panels::settings::show(&ctx, &mut self.state, &mut self.view, &mut intents);
        panels::mapping_editor::show(&ctx, &mut self.state, &mut self.view, &mut intents);
        panels::corpus::show(&ctx, &mut self.view.corpus, &mut self.state, &mut intents);
        if self.view.confirm_production {
            let modal = egui::Modal::new(egui::Id::unique("confirm-production")).show(&ctx, |ui| {
                ui.heading("Send to production?");
                ui.label("Test mode is off: Reddit will count this conversion in your campaigns.");
                ui.horizontal(|ui| {
                    if ui.button("Send to production").clicked() {
                        intents.push(Intent::SendConfirmed);
                        ui.close();
                    }
                    if ui.button("Cancel").clicked() {
                        ui.close();
                    }
                });
            });
            if modal.should_close() {
                self.view.confirm_production = false;
            }
        }
        for intent in intents {
            self.handle(intent);
        }
        if self.state.dirty && self.last_save.elapsed() > Duration::from_secs(1) {
            self.save();
        }
    }
}

/// Opens the desktop app.
pub fn run() -> eframe::Result {
    STARTED.get_or_init(Instant::now);
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Reddit CAPI Console")
            .with_app_id("reddit-capi-console")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([960.0, 600.0]),
        persist_window: true,
        ..Default::default()
    };
    eframe::run_native(
        "Reddit CAPI Console",
        options,
        Box::new(|cc| Ok(Box::new(ConsoleApp::new(&cc.egui_ctx, AppConfig::default())))),
    )
}
