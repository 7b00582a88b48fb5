//! The desktop app (eframe/egui). State lives in [`state`], side effects in [`worker`]; each
//! panel in [`panels`] draws part of the state and emits [`Intent`]s, which [`ConsoleApp`] turns
//! into state changes or worker tasks. Nothing here computes a payload: the engine does.

pub mod buffer;
pub mod panels;
pub mod state;
pub mod worker;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui::{self, RichText};

use crate::net::Cancel;
use crate::paths::DataDir;
use crate::secret::Secret;
use crate::secret::tokens::{Keychain, Place, Source, Tokens};
use crate::store::{atomic, versioned};
use crate::versioned::FileError;
use crate::workspace::Workspace;
use state::{AppSettings, Mode, SendTo, State};
use worker::{Dialogs, FileKind, Msg, NativeDialogs, Snapshot, Task, Worker};

/// What the app needs from outside: where its files live, how to ask for files, the keychain.
pub struct AppConfig {
    pub data_dir: Option<DataDir>,
    pub dialogs: Arc<dyn Dialogs>,
    /// Opens the OS keychain; called on the worker thread (it may talk to D-Bus).
    pub keychain: Arc<dyn Fn() -> Keychain + Send + Sync>,
    /// `REDDIT_CONVERSION_TOKEN`, which overrides any stored token.
    pub env_token: Option<Secret>,
}

impl Default for AppConfig {
    fn default() -> AppConfig {
        AppConfig {
            data_dir: DataDir::locate(),
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

/// A file path typed by the user where there is no file dialog.
#[derive(Debug, Clone, PartialEq)]
pub struct PathPrompt {
    pub kind: FileKind,
    /// What to write there (`None`: a file to open).
    pub save: Option<Vec<u8>>,
    pub path: String,
}

/// View-only state: what is open, what is being typed.
#[derive(Default)]
pub struct View {
    pub show_settings: bool,
    /// Whether the About window is open.
    pub show_about: bool,
    pub reveal_token: bool,
    pub token_input: String,
    /// Where "Use token" keeps it: the keychain, the opt-in file, or nowhere (`None`: session).
    pub token_keep: Option<Place>,
    /// The mapping open in the editor, by name (an index would follow another mapping after a
    /// delete or a move).
    pub editing: Option<String>,
    /// The mapping being renamed (by name) and the new name typed so far.
    pub renaming: Option<(String, String)>,
    pub confirm_production: bool,
    /// The v2.0 ↔ v3 comparison lists only the fields that differ.
    pub differences_only: bool,
    /// The kept sample last chosen (shown in the Samples box until the event is edited).
    pub sample_shown: Option<String>,
    /// An event offered over an edited one: asks before replacing it.
    pub confirm_replace: Option<EventOffer>,
    pub bottom: BottomTab,
    /// Whether the bottom panel shows its contents (its tab bar always shows).
    pub bottom_open: bool,
    pub focus_search: bool,
    /// A composer quick field to focus (a lint's path was clicked).
    pub focus_field: Option<&'static str>,
    pub in_flight: Option<Cancel>,
    pub sample_name: String,
    pub new_destination: String,
    /// The mapping editor's trigger builder.
    pub builder: Option<panels::mapping_editor::Builder>,
    /// The text of every buffered field (mapping sources, trigger, quick fields).
    pub buffers: buffer::Buffers,
    /// Whether the message log is open.
    pub show_log: bool,
    /// A path to open or save to, typed where there is no file dialog.
    pub path_prompt: Option<PathPrompt>,
    /// The mapping editor's derived data.
    pub editor_cache: panels::mapping_editor::EditorCache,
    /// Where each panel was drawn last frame (layout tests read it).
    pub rects: PanelRects,
    /// The Corpus window.
    pub corpus: panels::corpus::CorpusView,
    /// The Segment import/export window.
    pub segment: panels::segment::SegmentView,
}

/// The rectangles of the main panels, as last drawn, and of a few controls a smoke test drives.
#[derive(Debug, Clone)]
pub struct PanelRects {
    pub top: egui::Rect,
    pub bottom: egui::Rect,
    pub mappings: egui::Rect,
    pub preview: egui::Rect,
    pub composer: egui::Rect,
    /// Controls by name ("Event JSON", "Edit", …), for `REDDIT_CAPI_CONSOLE_GEOMETRY`.
    pub controls: std::collections::BTreeMap<String, egui::Rect>,
}

impl Default for PanelRects {
    fn default() -> PanelRects {
        PanelRects {
            top: egui::Rect::NOTHING,
            bottom: egui::Rect::NOTHING,
            mappings: egui::Rect::NOTHING,
            preview: egui::Rect::NOTHING,
            composer: egui::Rect::NOTHING,
            controls: Default::default(),
        }
    }
}

impl PanelRects {
    /// Notes where a control is, when a smoke test asked for the geometry.
    /// The name is formatted only then (`format_args!`): no allocation per frame otherwise.
    pub fn mark(&mut self, name: impl std::fmt::Display, rect: egui::Rect) {
        if GEOMETRY.get().is_some_and(Option::is_some) {
            self.controls.insert(name.to_string(), rect);
        }
    }

    fn to_json(&self) -> String {
        let rect = |r: &egui::Rect| serde_json::json!([r.min.x, r.min.y, r.max.x, r.max.y]);
        let mut all = serde_json::Map::new();
        for (name, r) in [
            ("top", &self.top),
            ("bottom", &self.bottom),
            ("mappings", &self.mappings),
            ("preview", &self.preview),
            ("composer", &self.composer),
        ] {
            all.insert(format!("panel:{name}"), rect(r));
        }
        for (name, r) in &self.controls {
            all.insert(name.clone(), rect(r));
        }
        serde_json::Value::Object(all).to_string()
    }
}

/// `REDDIT_CAPI_CONSOLE_GEOMETRY`: a file the app writes, once a second, the logical-point
/// rectangles of its panels and a few controls to (scripts/gui-smoke.sh clicks by name with it).
static GEOMETRY: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();

/// An event to put in the composer and where it comes from ("the template Page").
#[derive(Debug, Clone, PartialEq)]
pub struct EventOffer {
    pub text: String,
    pub from: String,
}

/// What the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    /// Start a new event from the first template (asks first when the event was edited).
    NewEvent,
    /// Put this event in the composer (a template, a kept sample, an opened file, an event of
    /// the corpus report), asking first when the composer's event was edited.
    ReplaceEvent(EventOffer),
    /// The user agreed to replace the edited event with the offered one.
    ReplaceConfirmed,
    /// Open or save at the path typed in the path prompt.
    UsePath,
    /// Copy this text to the clipboard, and say what was copied.
    Copy {
        what: &'static str,
        text: String,
    },
    OpenSettings,
    /// Keep the token an import found, for the active pixel, in the keychain (or the opt-in
    /// file where there is no keychain).
    KeepImportedToken,
    /// Import what the Segment window holds, on the worker.
    ImportSegment,
    /// Fetch the Segment window's destination from Segment's Public API and import it.
    SegmentFetch,
    /// Drop the Segment token from the session and the keychain.
    SegmentForget,
    Send,
    /// Send even though it is a production send.
    SendConfirmed,
    Cancel,
    SaveNow,
    Open(FileKind),
    ExportWorkspace,
    /// Export the mapping with this name.
    ExportMapping(String),
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
    /// Whether file dialogs can be shown (`Err`: why not; a path is asked for instead).
    dialogs: Result<(), String>,
    data_dir: Option<DataDir>,
    last_save: Instant,
    /// Numbers the saves; the newest written is shared with the worker.
    save_generation: u64,
    written: Arc<std::sync::Mutex<u64>>,
    worker_gone: bool,
    /// Files a newer release wrote: left as they are, and never saved over this session.
    newer: Vec<PathBuf>,
    geometry_written: Instant,
    ctx: egui::Context,
    shown: bool,
    /// Whether eframe keeps the panel sizes (in [`DataDir::eframe_state`]).
    pub keep_layout: bool,
}

/// When the process started (set by [`run`]), for the startup timing.
static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

impl ConsoleApp {
    /// Builds the app: loads what was saved, starts the worker (and with it the emulator).
    pub fn new(ctx: &egui::Context, mut config: AppConfig) -> ConsoleApp {
        let ctx = ctx.clone();
        ctx.options_mut(|o| o.theme_preference = egui::ThemePreference::System);
        // Splitters grab within 8 points of the panel edge, not egui's 3: a first drag lands on
        // the splitter rather than selecting the editor's text beside it.
        ctx.all_styles_mut(|s| s.interaction.resize_grab_radius_side = 8.0);
        install_fonts(&ctx);
        let mut notices = Vec::new();
        // A symlink, another user's file or a shared directory: nothing is read or written there.
        if let Some(Err(e)) = config.data_dir.as_ref().map(crate::store::guard::check) {
            notices.push(format!("Nothing is read from or saved to the data directory this session: {e}"));
            config.data_dir = None;
        }
        let mut newer = Vec::new();
        if let Some(Err(e)) = config.data_dir.as_ref().map(DataDir::adopt_old_settings_name) {
            notices.push(format!("The settings file could not be renamed to settings.json: {e}"));
        }
        let (workspace, saved) = match &config.data_dir {
            Some(dir) => (
                load(&dir.workspace(), &mut notices, &mut newer, Workspace::parse),
                load(&dir.settings(), &mut notices, &mut newer, AppSettings::parse),
            ),
            None => (None, None),
        };
        let mut state = State::new(workspace, saved.unwrap_or_default());
        for text in notices {
            state.notice(true, text);
        }
        state.recompute();
        let repaint = ctx.clone();
        let data_dir = config.data_dir.clone();
        let dialogs = config.dialogs.available();
        let worker = Worker::start(config, move || repaint.request_repaint());
        ConsoleApp {
            state,
            view: View { bottom_open: true, ..View::default() },
            worker,
            dialogs,
            data_dir,
            last_save: Instant::now(),
            save_generation: 0,
            written: Arc::default(),
            worker_gone: false,
            newer,
            geometry_written: Instant::now(),
            ctx,
            shown: false,
            keep_layout: true,
        }
    }

    fn apply(&mut self, msg: Msg) {
        let s = &mut self.state;
        match msg {
            Msg::EmulatorReady(Ok(url)) => {
                s.emulator_url = Some(url);
                s.recompute();
            }
            Msg::EmulatorReady(Err(e)) => s.notice(true, format!("the local emulator could not start: {e}")),
            Msg::Sent(results, history_errors) => {
                s.sending = false;
                self.view.in_flight = None;
                let accepted = results.iter().filter(|r| r.accepted()).count();
                let place = match s.saved.target {
                    SendTo::Emulator => "the local emulator (not Reddit)",
                    SendTo::Reddit => "Reddit",
                };
                s.notice(
                    accepted < results.len(),
                    format!("{accepted} of {} requests accepted by {place}", results.len()),
                );
                for e in history_errors {
                    s.notice(true, format!("history not written: {e}"));
                }
                s.last_send = Some(state::LastSend { results, duplicates: None });
                self.view.bottom = BottomTab::Response;
                self.view.bottom_open = true;
            }
            Msg::History(Ok((entries, skipped))) => {
                if skipped > 0 {
                    s.notice(
                        true,
                        format!("history: {skipped} damaged lines could not be read and are not shown"),
                    );
                }
                s.set_history(entries);
            }
            Msg::History(Err(e)) => s.notice(true, format!("history not read: {e}")),
            Msg::EmulatorEvents(events) => s.emulator_events = events,
            Msg::SaveFailed(e) => s.notice(true, format!("not saved: {e}")),
            Msg::Opened { kind, name, bytes } => {
                self.view.path_prompt = None;
                self.opened(kind, &name, bytes)
            }
            Msg::OpenFailed(e) => s.notice(true, format!("not opened: {e}")),
            Msg::Exported(Ok(path)) => {
                self.view.path_prompt = None;
                s.notice(false, format!("saved {path}"))
            }
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
                    s.recompute();
                }
                // A token typed for this session stays; a stored one of another pixel does not.
                Ok(None) => {
                    s.token = s.token.take().filter(|(_, source)| *source == Source::Session);
                    s.recompute();
                }
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
            Msg::SegmentFetched(fetched) => {
                if let Some(import) = panels::segment::fetched(&mut self.view.segment, s, *fetched) {
                    self.task(import);
                }
            }
            Msg::SegmentForgotten(Ok(())) => s.notice(false, "the Segment token is forgotten"),
            Msg::SegmentForgotten(Err(e)) => {
                s.notice(true, format!("the Segment token is not forgotten: {e}"))
            }
            Msg::TokenForgotten(Ok(())) => s.notice(false, "token forgotten"),
            Msg::TokenForgotten(Err(e)) => s.notice(true, format!("token not forgotten: {e}")),
            Msg::SegmentImported(imported) => self.view.segment.imported(imported, s),
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
                        s.workspace_changed();
                        s.notice(false, format!("imported mapping from {name}"));
                    }
                    Ok(_) => s.notice(true, "a workspace holds at most 50 mappings"),
                    Err(e) => s.notice(true, format!("{name}: {e}")),
                },
                Err(e) => s.notice(true, format!("{name}: {e}")),
            },
            FileKind::Request => {
                s.saved.mode = Mode::Request;
                s.set_request_text(text);
                s.notice(false, format!("opened {name} in Request mode"));
            }
            FileKind::Sample => {
                s.notice(false, format!("opened {name}"));
                self.handle(Intent::ReplaceEvent(EventOffer { text, from: name.to_string() }));
            }
            FileKind::Corpus | FileKind::SegmentExport => {}
            FileKind::SegmentSubscriptions => self.view.segment.subscriptions = text,
            FileKind::SegmentDestination => self.view.segment.destination = text,
        }
    }

    /// Carries out an intent.
    pub fn handle(&mut self, intent: Intent) {
        let s = &mut self.state;
        match intent {
            Intent::NewEvent => {
                let template = &crate::segment::samples::TEMPLATES[0];
                self.handle(Intent::ReplaceEvent(EventOffer {
                    text: serde_json::to_string_pretty(&template.event()).expect("JSON"),
                    from: format!("a new {} event", template.name),
                }));
            }
            Intent::ReplaceEvent(offer) if s.composer_edited => self.view.confirm_replace = Some(offer),
            Intent::ReplaceEvent(offer) => s.load_offer(offer),
            Intent::ReplaceConfirmed => {
                if let Some(offer) = self.view.confirm_replace.take() {
                    s.load_offer(offer);
                }
            }
            Intent::UsePath => {
                let Some(prompt) = self.view.path_prompt.clone() else { return };
                let path = PathBuf::from(prompt.path.trim());
                if prompt.path.trim().is_empty() {
                    s.notice(true, "type a file path first");
                    return;
                }
                self.task(match prompt.save {
                    Some(bytes) => Task::ExportPath(path, bytes),
                    None => Task::OpenPath(prompt.kind, path),
                });
            }
            Intent::Copy { what, text } => {
                self.ctx.copy_text(text);
                s.notice(false, format!("Copied {what} to the clipboard"));
            }
            Intent::OpenSettings => self.view.show_settings = true,
            Intent::ImportSegment => {
                if !self.view.segment.importing {
                    let task = self.view.segment.import_task();
                    self.task(task);
                }
            }
            Intent::KeepImportedToken => {
                let Some(token) = self.view.segment.token.take() else { return };
                let pixel = s.settings().pixel_id.trim().to_string();
                s.token = Some((token.clone(), Source::Session));
                s.token_pixel = Some(pixel.clone());
                s.recompute();
                match self.view.token_keep {
                    Some(place) => self.task(Task::KeepToken { pixel, token, place }),
                    None => s.notice(false, "the imported token is kept for this session only"),
                }
            }
            Intent::Send if s.is_production_send() => self.view.confirm_production = true,
            Intent::Send | Intent::SendConfirmed => {
                self.view.confirm_production = false;
                if s.sending {
                    return;
                }
                let Some(endpoint) = s.endpoint() else {
                    s.notice(true, "not sent: the local emulator is not running yet");
                    return;
                };
                if let Some(lint) = s.preview.destination.first() {
                    s.notice(true, format!("not sent to Reddit: {}: {}", lint.field, lint.message));
                    return;
                }
                // Only the emulator gets here without a token (the session sends its own): the
                // destination lint stops a send to Reddit above.
                let token = s.token.as_ref().map(|(t, _)| t.clone());
                let (payload, settings, source) = match s.saved.mode {
                    Mode::Request => {
                        let checked = match s.request.sendable() {
                            Ok(checked) => checked,
                            Err(why) => {
                                s.notice(true, why);
                                return;
                            }
                        };
                        let settings = s.request_settings(checked);
                        let (value, events) =
                            (checked.body.clone().unwrap_or_default(), checked.verdict.events);
                        let Some(c) = s.request.found.get(s.request.shown) else { return };
                        let raw = crate::net::RawRequest {
                            name: "Reddit request".into(),
                            url: settings.url(endpoint.base_url()),
                            body: c.body.clone(),
                            value,
                            events,
                        };
                        (worker::Payload::Raw(raw), settings, format!("request: {}", c.place))
                    }
                    Mode::Segment => {
                        if s.preview.stale {
                            s.notice(true, "not sent: the event JSON does not parse; fix it first");
                            return;
                        }
                        let items = s.sendable();
                        if items.is_empty() {
                            s.notice(
                                true,
                                "not sent: no mapping builds a request without errors for this event",
                            );
                            return;
                        }
                        let source = match &s.event {
                            Ok(e) => format!("composer: {}", e.label()),
                            Err(_) => "composer".into(),
                        };
                        (worker::Payload::Built(items), s.settings().clone(), source)
                    }
                };
                let cancel = Cancel::default();
                self.view.in_flight = Some(cancel.clone());
                s.sending = true;
                // The previous response is not this send's.
                s.last_send = None;
                self.view.bottom = BottomTab::Response;
                let job = worker::SendJob {
                    payload,
                    settings,
                    endpoint,
                    token,
                    source,
                    network: s.saved.network.clone(),
                    cancel,
                };
                self.task(Task::Send(Box::new(job)));
            }
            Intent::Cancel => {
                if let Some(c) = &self.view.in_flight {
                    c.cancel();
                }
            }
            Intent::SaveNow => match self.save_now() {
                Ok(Some(dir)) => {
                    self.state.notice(false, format!("saved the workspace and settings in {}", dir.display()))
                }
                Ok(None) => self.state.notice(true, "not saved: there is no data directory"),
                Err(e) => self.state.notice(true, format!("not saved: {e}")),
            },
            Intent::Open(kind) => match &self.dialogs {
                Ok(()) => self.task(Task::Open(kind)),
                Err(why) => {
                    s.notice(true, format!("{why}: type the file's path instead"));
                    self.view.path_prompt = Some(PathPrompt { kind, save: None, path: String::new() });
                }
            },
            Intent::ExportWorkspace => {
                let bytes = s.workspace().to_export_json().into_bytes();
                self.export(FileKind::Workspace, "workspace.json".into(), bytes);
            }
            Intent::ExportMapping(name) => {
                if let Some(m) = s.mappings.iter().find(|m| m.name == name) {
                    let bytes = serde_json::to_vec_pretty(m).expect("a mapping serializes");
                    let suggested = format!("{}.mapping.json", m.name.replace(['/', '\\'], "-"));
                    self.export(FileKind::Mapping, suggested, bytes);
                }
            }
            Intent::ExportSample => {
                let bytes = s.saved.composer_text.clone().into_bytes();
                self.export(FileKind::Sample, "event.json".into(), bytes);
            }
            Intent::RefreshEmulator => self.task(Task::RefreshEmulator),
            Intent::Export(kind, suggested, bytes) => self.export(kind, suggested, bytes),
            Intent::UseToken => {
                // Secret::new wipes the typed text once copied.
                let Some(token) = Secret::new(std::mem::take(&mut self.view.token_input)) else {
                    s.notice(true, "paste the conversion token first");
                    return;
                };
                let pixel = s.settings().pixel_id.trim().to_string();
                s.token = Some((token.clone(), Source::Session));
                s.token_pixel = Some(pixel.clone());
                s.recompute();
                if let Some(place) = self.view.token_keep {
                    self.task(Task::KeepToken { pixel, token, place });
                }
            }
            Intent::SegmentFetch => {
                let view = &mut self.view.segment;
                if view.fetching {
                    return;
                }
                // Secret::new wipes the typed text once copied; a token typed before is reused.
                let typed = Secret::new(std::mem::take(&mut view.token_input));
                let job = worker::SegmentFetch {
                    destination: view.destination_id.trim().to_string(),
                    region: view.region,
                    endpoint: view.endpoint.clone(),
                    token: typed.or_else(|| view.api_token.clone()),
                    remember: view.remember,
                };
                view.fetching = true;
                self.task(Task::SegmentFetch(job));
            }
            Intent::SegmentForget => {
                self.view.segment.api_token = None;
                self.task(Task::SegmentForget);
            }
            Intent::ForgetToken => {
                s.token = s.token.take().filter(|(_, source)| *source == Source::Environment);
                s.recompute();
                let pixel = s.settings().pixel_id.trim().to_string();
                self.task(Task::ForgetToken(pixel));
            }
        }
    }

    /// Queues work; a worker that is gone is said once.
    fn task(&mut self, task: Task) {
        if !self.worker.send(task) {
            self.worker_died();
        }
    }

    fn worker_died(&mut self) {
        if !self.worker_gone {
            self.worker_gone = true;
            self.state.sending = false;
            self.view.segment.importing = false;
            self.state.notice(
                true,
                "the background worker stopped: sending, file dialogs and autosave no longer work; \
                 your edits are saved on exit — restart the app",
            );
        }
    }

    /// Exports through a file dialog, or asks for a path where there is none.
    fn export(&mut self, kind: FileKind, suggested: String, bytes: Vec<u8>) {
        match &self.dialogs {
            Ok(()) => self.task(Task::Export { kind, suggested, bytes }),
            Err(why) => {
                let path = self.data_dir.as_ref().map(|d| d.root().join(&suggested).display().to_string());
                self.state.notice(true, format!("{why}: type where to save it instead"));
                self.view.path_prompt =
                    Some(PathPrompt { kind, save: Some(bytes), path: path.unwrap_or(suggested) });
            }
        }
    }

    /// The workspace and the app state as of now, numbered.
    fn snapshot(&mut self) -> Option<Snapshot> {
        self.last_save = Instant::now();
        self.state.dirty = false;
        let dir = self.data_dir.as_ref()?;
        let mut workspace = self.state.workspace();
        workspace.settings.test_id = None;
        self.save_generation += 1;
        let files = vec![
            (dir.workspace(), workspace.to_export_json().into_bytes()),
            (dir.settings(), self.state.saved.to_json()),
        ];
        Some(Snapshot {
            generation: self.save_generation,
            files: files.into_iter().filter(|(path, _)| !self.newer.contains(path)).collect(),
            written: self.written.clone(),
        })
    }

    /// Autosave: written on the worker.
    fn save(&mut self) {
        if let Some(snapshot) = self.snapshot() {
            self.task(Task::Save(snapshot));
        }
    }

    /// Writes now, on this thread (Ctrl+S, and eframe's save on exit): the data directory
    /// written to, if there is one.
    pub fn save_now(&mut self) -> Result<Option<PathBuf>, String> {
        match self.snapshot() {
            Some(snapshot) => {
                snapshot.write().map(|()| self.data_dir.as_ref().map(|d| d.root().to_path_buf()))
            }
            None => Ok(None),
        }
    }

    /// Asks for the stored token when the active pixel changes (once the keychain is known).
    fn follow_pixel(&mut self) {
        let s = &mut self.state;
        if s.keychain.is_none() || s.token_pixel.as_deref() == Some(s.settings().pixel_id.trim()) {
            return;
        }
        let pixel = s.settings().pixel_id.trim().to_string();
        s.token_pixel = Some(pixel.clone());
        self.task(Task::LoadToken(pixel));
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
/// licence in assets/fonts) fills in behind them. Monospace text (JSON, hashes, ids) is JetBrains
/// Mono, whose dotted zero never reads as O.
fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        "dejavu".into(),
        Arc::new(egui::FontData::from_static(include_bytes!("../../assets/fonts/DejaVuSans.ttf"))),
    );
    fonts.font_data.insert(
        "jetbrains-mono".into(),
        Arc::new(egui::FontData::from_static(include_bytes!("../../assets/fonts/JetBrainsMono-Regular.ttf"))),
    );
    fonts.families.entry(egui::FontFamily::Monospace).or_default().insert(0, "jetbrains-mono".into());
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts.families.entry(family).or_default().push("dejavu".into());
    }
    ctx.set_fonts(fonts);
}

/// Reads a file the app keeps. A newer release's file is left where it is (and added to
/// `newer`, so this session never saves over it); a damaged one is moved aside (never
/// overwritten). Either is reported.
fn load<T, E: FileError>(
    path: &std::path::Path,
    notices: &mut Vec<String>,
    newer: &mut Vec<PathBuf>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<T> {
    match versioned::read(path, parse) {
        Ok(found) => found,
        Err(unusable) if unusable.newer => {
            notices.push(format!(
                "{} was written by a newer release ({}): update the app. It is left as it is, and this session \
                 does not save over it.",
                path.display(),
                unusable.error
            ));
            newer.push(path.to_path_buf());
            None
        }
        Err(unusable) => {
            let aside = versioned::set_aside(unusable);
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
const QUIT: egui::KeyboardShortcut = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Q);

impl eframe::App for ConsoleApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    /// eframe calls this on this thread periodically and before closing: the last edits are
    /// on disk when it returns.
    fn save(&mut self, _storage: &mut dyn eframe::Storage) {
        if self.state.dirty
            && let Err(e) = self.save_now()
        {
            eprintln!("reddit-capi-console: not saved: {e}");
        }
    }

    /// Panel sizes and other egui memory go to eframe's state file only where it is ours.
    fn persist_egui_memory(&self) -> bool {
        self.keep_layout
    }

    fn on_exit(&mut self) {
        if self.state.dirty
            && let Err(e) = self.save_now()
        {
            eprintln!("reddit-capi-console: not saved: {e}");
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
        loop {
            match self.worker.messages.try_recv() {
                Ok(msg) => self.apply(msg),
                Err(std::sync::mpsc::TryRecvError::Empty) => break,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.worker_died();
                    break;
                }
            }
        }
        self.follow_pixel();
        let mut intents = Vec::new();
        let ctx = ui.ctx().clone();
        let mut quit = false;
        ctx.input_mut(|i| {
            if i.consume_shortcut(&SEND) {
                intents.push(Intent::Send);
            }
            if i.consume_shortcut(&SAVE) {
                intents.push(Intent::SaveNow);
            }
            if i.consume_shortcut(&NEW_SAMPLE) {
                intents.push(Intent::NewEvent);
            }
            quit = i.consume_shortcut(&QUIT);
            if i.consume_shortcut(&FIND) {
                self.view.bottom = BottomTab::History;
                self.view.bottom_open = true;
                self.view.focus_search = true;
            }
        });
        if quit {
            // eframe saves its state and calls `on_exit` before the window closes.
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        let layout = panels::Layout::for_width(ui.available_width());
        panels::top::show(ui, &mut self.state, &mut self.view, &mut intents);
        panels::bottom::show(ui, &mut self.state, &mut self.view, &mut intents);
        panels::mappings::show(ui, &mut self.state, &mut self.view, &mut intents, layout.mappings);
        panels::preview::show(ui, &mut self.state, &mut self.view, &mut intents, layout.preview);
        panels::composer::show(ui, &mut self.state, &mut self.view, &mut intents);
        panels::paint_grips(ui, &self.view);
        panels::settings::show(&ctx, &mut self.state, &mut self.view, &mut intents);
        panels::mapping_editor::show(&ctx, &mut self.state, &mut self.view, &mut intents);
        dialogs(&ctx, &mut self.view, &mut self.state, &mut intents);
        panels::corpus::show(
            &ctx,
            &mut self.view.corpus,
            &mut self.state,
            &mut intents,
            &mut self.view.rects,
        );
        panels::segment::show(&ctx, &mut self.view.segment, &mut self.state, &mut intents);
        about(&ctx, &mut self.view.show_about, self.data_dir.as_ref());
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
        if let Some(Some(path)) = GEOMETRY.get() {
            // egui draws only on input: keep a frame coming so the file stays current.
            ctx.request_repaint_after(Duration::from_millis(500));
            if self.geometry_written.elapsed() > Duration::from_millis(400) {
                self.geometry_written = Instant::now();
                // Whole or not at all: a reader never sees a half-written file.
                let partial = path.with_extension("partial");
                if std::fs::write(&partial, self.view.rects.to_json()).is_ok() {
                    let _ = std::fs::rename(&partial, path);
                }
            }
        }
        if self.state.dirty && self.last_save.elapsed() > Duration::from_secs(1) {
            self.save();
        }
    }
}

/// The small windows: the message log, a typed path where there is no file dialog, and the
/// question before Ctrl+N replaces an edited event.
fn dialogs(ctx: &egui::Context, view: &mut View, state: &mut State, intents: &mut Vec<Intent>) {
    if view.show_log {
        let mut open = true;
        egui::Window::new("Messages")
            .id(egui::Id::unique("messages-window"))
            .open(&mut open)
            .default_width(560.0)
            .show(ctx, |ui| {
                if state.notices.is_empty() {
                    ui.label("No messages yet.");
                }
                egui::ScrollArea::vertical().id_salt("messages-scroll").max_height(320.0).show(ui, |ui| {
                    for n in state.notices.iter().rev() {
                        let color =
                            if n.error { ui.visuals().error_fg_color } else { ui.visuals().text_color() };
                        ui.label(RichText::new(&n.text).color(color));
                    }
                });
                if ui.button("Clear messages").clicked() {
                    state.notices.clear();
                    state.notices_seen = 0;
                }
            });
        view.show_log = open;
    }
    if let Some(prompt) = &mut view.path_prompt {
        let mut open = true;
        let (title, verb) = match prompt.save {
            Some(_) => ("Save to a file", "Save"),
            None => ("Open a file", "Open"),
        };
        egui::Window::new(title).id(egui::Id::unique("path-prompt")).open(&mut open).show(ctx, |ui| {
            ui.label("No file dialog is available here: type the file's path.");
            let l = ui.label("File path");
            let field = ui
                .add(
                    egui::TextEdit::singleline(&mut prompt.path)
                        .id(egui::Id::unique("path-prompt-field"))
                        .desired_width(420.0),
                )
                .labelled_by(l.id);
            view.rects.mark("path-prompt", field.rect);
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button(verb).clicked() || enter {
                intents.push(Intent::UsePath);
            }
        });
        if !open {
            view.path_prompt = None;
        }
    }
    if let Some(offer) = &view.confirm_replace {
        let modal = egui::Modal::new(egui::Id::unique("confirm-replace")).show(ctx, |ui| {
            ui.heading("Replace the edited event?");
            ui.label(format!("The event in the composer was edited; {} replaces it.", offer.from));
            ui.horizontal(|ui| {
                // Enter replaces (the action just asked for); Escape keeps editing.
                if ui.button("Replace it").clicked() || ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    intents.push(Intent::ReplaceConfirmed);
                    ui.close();
                }
                if ui.button("Keep editing").clicked() {
                    ui.close();
                }
            });
        });
        if modal.should_close() && !intents.contains(&Intent::ReplaceConfirmed) {
            view.confirm_replace = None;
        }
    }
}

/// The default window fits a 1366×768 screen with its title bar and a task bar.
pub const DEFAULT_WINDOW: [f32; 2] = [1280.0, 700.0];

/// The window's options. eframe reads and writes its state (window geometry, panel sizes) at
/// `state_file` exactly: a file, which [`prepare_state_file`] made. `None`: not kept at all.
pub fn native_options(state_file: Option<PathBuf>) -> eframe::NativeOptions {
    eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Reddit CAPI Console")
            .with_app_id("reddit-capi-console")
            .with_inner_size(DEFAULT_WINDOW)
            .with_min_inner_size([900.0, 560.0])
            .with_icon(window_icon()),
        persist_window: state_file.is_some(),
        persistence_path: state_file,
        ..Default::default()
    }
}

/// The window's icon: `assets/icons/reddit-capi-console.svg` at 128 px, embedded.
fn window_icon() -> Arc<egui::IconData> {
    let png = include_bytes!("../../assets/icons/reddit-capi-console-128.png");
    Arc::new(eframe::icon_data::from_png_bytes(png).unwrap_or_default())
}

/// Makes the data directory (0700) and eframe's state file in it (0600) before eframe opens
/// the file: eframe creates a missing file with the process's umask (0644), and takes its path
/// as the file itself, so it must never be handed the directory. An existing state file must be
/// a regular file (not a symlink).
pub fn prepare_state_file(dir: &DataDir) -> std::io::Result<PathBuf> {
    let path = dir.eframe_state();
    atomic::create_private_dir(dir.root())?;
    match atomic::open_new_private(&path) {
        Ok(_) => Ok(path),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            if !std::fs::symlink_metadata(&path)?.file_type().is_file() {
                return Err(std::io::Error::other(format!("{} is not a regular file", path.display())));
            }
            atomic::make_private(&path)?;
            Ok(path)
        }
        Err(e) => Err(e),
    }
}

/// Opens the desktop app.
/// The About window: what `--version` prints.
fn about(ctx: &egui::Context, open: &mut bool, data_dir: Option<&DataDir>) {
    egui::Window::new("About").open(open).collapsible(false).resizable(false).show(ctx, |ui| {
        for line in crate::about::lines(data_dir.map(DataDir::root)) {
            ui.label(line);
        }
    });
}

pub fn run() -> eframe::Result {
    STARTED.get_or_init(Instant::now);
    GEOMETRY.get_or_init(|| std::env::var_os("REDDIT_CAPI_CONSOLE_GEOMETRY").map(PathBuf::from));
    let config = AppConfig::default();
    // A data directory the guard refuses holds no state of eframe's either.
    let state_file = (config.data_dir.as_ref()).map(|dir| {
        crate::store::guard::check(dir).map_err(std::io::Error::from).and_then(|()| prepare_state_file(dir))
    });
    let not_kept = match &state_file {
        Some(Err(e)) => Some(format!("The window and panel sizes will not be kept: {e}")),
        None => Some("The window and panel sizes will not be kept: no data directory".to_string()),
        Some(Ok(_)) => None,
    };
    let options = native_options(state_file.and_then(Result::ok));
    eframe::run_native(
        "Reddit CAPI Console",
        options,
        Box::new(move |cc| {
            let mut app = ConsoleApp::new(&cc.egui_ctx, config);
            if let Some(why) = not_kept {
                app.keep_layout = false;
                app.state.notice(true, why);
            }
            Ok(Box::new(app))
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_dir::TestDir;

    /// What eframe 0.37's `FileStorage` does when it saves: `File::create` on the path it was
    /// given, parents created first.
    fn save_as_eframe_does(path: &std::path::Path) -> std::io::Result<()> {
        std::fs::create_dir_all(path.parent().unwrap())?;
        std::fs::write(path, "(window: (inner_size: (1366, 768)))")
    }

    #[cfg(unix)]
    #[test]
    fn on_a_first_run_eframe_saves_to_a_file_in_the_new_data_directory_and_the_work_still_saves() {
        use std::os::unix::fs::PermissionsExt;
        let root = TestDir::new("first-run");
        let dir = DataDir::new(root.join("home"));
        assert!(!dir.root().exists(), "a new machine has no data directory");
        let state_file = prepare_state_file(&dir).unwrap();
        let options = native_options(Some(state_file.clone()));
        let eframe_path = options.persistence_path.clone().unwrap();
        save_as_eframe_does(&eframe_path).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert!(dir.root().is_dir(), "the data directory is still a directory");
        assert_eq!(mode(dir.root()), 0o700);
        assert_eq!(eframe_path, dir.eframe_state());
        assert_eq!(mode(&eframe_path), 0o600, "eframe keeps the mode of the file it truncates");
        atomic::write(&dir.workspace(), b"{}").unwrap();
        assert_eq!(std::fs::read(dir.workspace()).unwrap(), b"{}");
        // The next start finds the file as it was left.
        assert_eq!(prepare_state_file(&dir).unwrap(), state_file);
        assert!(std::fs::read_to_string(&state_file).unwrap().contains("1366"));
    }

    #[cfg(unix)]
    #[test]
    fn a_state_file_that_is_a_symlink_is_not_handed_to_eframe() {
        let root = TestDir::created("state-symlink");
        let dir = DataDir::new(root.join("home"));
        atomic::create_private_dir(dir.root()).unwrap();
        let victim = root.join("victim");
        std::fs::write(&victim, "keep").unwrap();
        std::os::unix::fs::symlink(&victim, dir.eframe_state()).unwrap();
        let err = prepare_state_file(&dir).unwrap_err();
        assert!(err.to_string().contains("eframe.ron is not a regular file"), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert!(native_options(None).persistence_path.is_none());
        assert!(!native_options(None).persist_window);
    }

    #[test]
    fn the_default_window_fits_a_small_screen() {
        let options = native_options(None);
        let size = options.viewport.inner_size.unwrap();
        assert!(
            size.x <= 1366.0 && size.y + 60.0 <= 768.0,
            "{size:?} fits 1366×768 with a title and task bar"
        );
    }

    #[test]
    fn the_window_has_the_app_icon() {
        let icon = native_options(None).viewport.icon.unwrap();
        assert_eq!((icon.width, icon.height), (128, 128));
        assert_eq!(icon.rgba.len(), 128 * 128 * 4);
    }

    #[test]
    fn the_side_panels_always_leave_the_composer_its_minimum() {
        for width in [900.0, 1280.0, 1366.0, 1920.0, 3840.0] {
            let l = panels::Layout::for_width(width);
            assert!(
                width - l.mappings.max - l.preview.max >= panels::Layout::MIN_COMPOSER - 0.5,
                "{width}: {l:?}"
            );
            assert!(l.mappings.min <= l.mappings.max && l.preview.min <= l.preview.max);
        }
    }
}
