//! The app's side effects, off the UI thread: a thread running a tokio runtime that owns the
//! in-process emulator, the HTTP client and the disk. The UI sends [`Command`]s; results come
//! back as [`Msg`]s through a channel the UI drains once per frame, followed by a repaint.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::emulator::{self, Emulator, Received};
use crate::engine::Item;
use crate::net::{Cancel, Client, ClientConfig, Dispatcher, Endpoint, Pacer, ProxySetting, Sent};
use crate::reddit::{ApiVersion, Settings};
use crate::secret::Secret;
use crate::secret::tokens::{Place, Source, Tokens};
use crate::store::atomic;
use crate::store::history::{Entry, History};

/// What a file dialog is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Workspace,
    Mapping,
    Sample,
    /// A file of events for the corpus report (and the report's exports).
    Corpus,
}

/// Boxed future (file dialogs are async).
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// File dialogs: rfd's native ones in the app, fakes in tests.
pub trait Dialogs: Send + Sync {
    /// Picks a file to open: its name and bytes, or `None` when cancelled.
    fn open(&self, kind: FileKind) -> BoxFuture<Option<(String, Vec<u8>)>>;
    /// Picks where to save `bytes`: the path written, or `None` when cancelled.
    fn save(
        &self,
        kind: FileKind,
        suggested: String,
        bytes: Vec<u8>,
    ) -> BoxFuture<Option<Result<String, String>>>;
}

/// rfd's native dialogs (XDG portal on Linux).
pub struct NativeDialogs;

impl Dialogs for NativeDialogs {
    fn open(&self, kind: FileKind) -> BoxFuture<Option<(String, Vec<u8>)>> {
        Box::pin(async move {
            let handle = rfd::AsyncFileDialog::new()
                .add_filter("JSON", &["json", "jsonl"])
                .set_title(title(kind, "Open"))
                .pick_file()
                .await?;
            Some((handle.file_name(), handle.read().await))
        })
    }

    fn save(
        &self,
        kind: FileKind,
        suggested: String,
        bytes: Vec<u8>,
    ) -> BoxFuture<Option<Result<String, String>>> {
        Box::pin(async move {
            let handle = rfd::AsyncFileDialog::new()
                .set_file_name(&suggested)
                .set_title(title(kind, "Save"))
                .save_file()
                .await?;
            let path = handle.path().display().to_string();
            Some(atomic::write(handle.path(), &bytes).map(|()| path).map_err(|e| e.to_string()))
        })
    }
}

fn title(kind: FileKind, verb: &str) -> String {
    let what = match kind {
        FileKind::Workspace => "workspace",
        FileKind::Mapping => "mapping",
        FileKind::Sample => "sample event",
        FileKind::Corpus => "events file",
    };
    format!("{verb} {what}")
}

/// What to send, where, and the switch that stops it.
pub struct SendJob {
    pub items: Vec<Item>,
    pub settings: Settings,
    pub endpoint: Endpoint,
    pub token: Secret,
    pub source: String,
    pub network: super::state::Network,
    pub cancel: Cancel,
}

/// A request for work.
pub enum Command {
    /// Send these request items.
    Send(Box<SendJob>),
    /// Re-read the history.
    LoadHistory,
    /// Fetch the emulator's received events.
    RefreshEmulator,
    /// Write these files atomically (autosave).
    Save(Vec<(PathBuf, Vec<u8>)>),
    /// Ask for a file to open.
    Open(FileKind),
    /// Ask where to save, then write.
    Export { kind: FileKind, suggested: String, bytes: Vec<u8> },
    /// Look up the stored token for a pixel.
    LoadToken(String),
    /// Keep a token for a pixel in the keychain or (opted in) the token file.
    KeepToken { pixel: String, token: Secret, place: Place },
    /// Remove a pixel's token from the keychain and the token file.
    ForgetToken(String),
}

/// A result.
pub enum Msg {
    /// The in-process emulator is up at this base URL (or could not start).
    EmulatorReady(Result<String, String>),
    /// A send finished (all its requests).
    Sent(Vec<Sent>),
    History(Result<Vec<Entry>, String>),
    EmulatorEvents(Vec<Received>),
    /// Autosave failed.
    SaveFailed(String),
    Opened {
        kind: FileKind,
        name: String,
        bytes: Vec<u8>,
    },
    Exported(Result<String, String>),
    /// Whether there is an OS keychain (`Err`: why not).
    Keychain(Result<(), String>),
    /// The stored token for `pixel`, if any.
    Token {
        pixel: String,
        found: Result<Option<(Secret, Source)>, String>,
    },
    /// A token was kept (where), or could not be.
    TokenKept(Result<Source, String>),
    TokenForgotten(Result<(), String>),
}

/// The UI's handle on the worker.
pub struct Worker {
    commands: tokio::sync::mpsc::UnboundedSender<Command>,
    pub messages: Receiver<Msg>,
}

impl Worker {
    /// Starts the worker thread. `repaint` is called after each message (the UI's wake-up).
    pub fn start(config: super::AppConfig, repaint: impl Fn() + Send + Sync + 'static) -> Worker {
        let super::AppConfig { data_dir, dialogs, keychain, env_token } = config;
        let (commands, mut inbox) = tokio::sync::mpsc::unbounded_channel::<Command>();
        let (outbox, messages) = channel::<Msg>();
        let repaint = Arc::new(repaint);
        std::thread::Builder::new()
            .name("worker".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = outbox.send(Msg::EmulatorReady(Err(format!("no async runtime: {e}"))));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let post = Post { outbox, repaint };
                    let emulator = Emulator::start(
                        "127.0.0.1:0".parse().expect("loopback"),
                        emulator::Config::default(),
                    )
                    .await;
                    post.send(Msg::EmulatorReady(
                        emulator.as_ref().map(Emulator::base_url).map_err(|e| e.to_string()),
                    ));
                    let emulator = emulator.ok();
                    let history = data_dir.as_deref().map(History::in_dir);
                    post.send(Msg::History(load_history(history.as_ref())));
                    // Opening the keychain may mean a D-Bus round trip: a blocking thread.
                    let tokens = Arc::new(
                        tokio::task::spawn_blocking(move || {
                            Tokens::new(keychain(), data_dir.as_deref(), env_token)
                        })
                        .await
                        .expect("the keychain probe does not panic"),
                    );
                    let status = match tokens.keychain().unavailable() {
                        None => Ok(()),
                        Some(why) => Err(why.to_string()),
                    };
                    post.send(Msg::Keychain(status));
                    while let Some(command) = inbox.recv().await {
                        match command {
                            Command::Send(job) => {
                                let sent = send(&job, history.as_ref()).await;
                                post.send(Msg::Sent(sent));
                                post.send(Msg::History(load_history(history.as_ref())));
                                if let Some(emu) = &emulator {
                                    post.send(Msg::EmulatorEvents(emu.received()));
                                }
                            }
                            Command::LoadHistory => post.send(Msg::History(load_history(history.as_ref()))),
                            Command::RefreshEmulator => {
                                if let Some(emu) = &emulator {
                                    post.send(Msg::EmulatorEvents(emu.received()));
                                }
                            }
                            Command::Save(files) => {
                                for (path, bytes) in files {
                                    if let Err(e) = atomic::write(&path, &bytes) {
                                        post.send(Msg::SaveFailed(format!("{}: {e}", path.display())));
                                    }
                                }
                            }
                            Command::Open(kind) => {
                                let dialogs = dialogs.clone();
                                let post = post.clone();
                                tokio::spawn(async move {
                                    if let Some((name, bytes)) = dialogs.open(kind).await {
                                        post.send(Msg::Opened { kind, name, bytes });
                                    }
                                });
                            }
                            Command::LoadToken(pixel) => {
                                let t = tokens.clone();
                                let (pixel, found) = blocking(move || {
                                    let found = t.get(&pixel).map_err(|e| e.to_string());
                                    (pixel, found)
                                })
                                .await;
                                post.send(Msg::Token { pixel, found });
                            }
                            Command::KeepToken { pixel, token, place } => {
                                let t = tokens.clone();
                                let kept =
                                    blocking(move || t.put(&pixel, &token, place).map_err(|e| e.to_string()))
                                        .await;
                                let source = match place {
                                    Place::Keychain => Source::Keychain,
                                    Place::File => Source::File,
                                };
                                post.send(Msg::TokenKept(kept.map(|()| source)));
                            }
                            Command::ForgetToken(pixel) => {
                                let t = tokens.clone();
                                let forgot =
                                    blocking(move || t.forget(&pixel).map_err(|e| e.to_string())).await;
                                post.send(Msg::TokenForgotten(forgot));
                            }
                            Command::Export { kind, suggested, bytes } => {
                                let dialogs = dialogs.clone();
                                let post = post.clone();
                                tokio::spawn(async move {
                                    if let Some(result) = dialogs.save(kind, suggested, bytes).await {
                                        post.send(Msg::Exported(result));
                                    }
                                });
                            }
                        }
                    }
                    if let Some(emu) = emulator {
                        emu.shutdown().await;
                    }
                });
            })
            .expect("a worker thread");
        Worker { commands, messages }
    }

    /// Queues a command.
    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
    }
}

#[derive(Clone)]
struct Post {
    outbox: Sender<Msg>,
    repaint: Arc<dyn Fn() + Send + Sync>,
}

impl Post {
    fn send(&self, msg: Msg) {
        let _ = self.outbox.send(msg);
        (self.repaint)();
    }
}

/// Runs keychain / token-file work on tokio's blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("token store calls do not panic")
}

fn load_history(history: Option<&History>) -> Result<Vec<Entry>, String> {
    match history {
        None => Ok(Vec::new()),
        Some(h) => h.read().map(|l| l.entries).map_err(|e| format!("{}: {e}", h.path().display())),
    }
}

async fn send(job: &SendJob, history: Option<&History>) -> Vec<Sent> {
    let SendJob { items, settings, endpoint, token, source, network, cancel } = job;
    let proxy = match endpoint {
        Endpoint::Emulator(_) => ProxySetting::Off,
        _ if network.proxy.trim().is_empty() => ProxySetting::Environment,
        _ => ProxySetting::Url(network.proxy.trim().to_string()),
    };
    let config = ClientConfig {
        proxy,
        user_agent: settings.user_agent(),
        connect_timeout: std::time::Duration::from_secs(network.connect_timeout_secs.max(1)),
        timeout: std::time::Duration::from_secs(network.timeout_secs.max(1)),
        ..ClientConfig::default()
    };
    let client = match Client::new(config) {
        Ok(c) => c,
        Err(e) => {
            return vec![Sent {
                mapping: String::new(),
                event_indexes: Vec::new(),
                blocked: true,
                lints: Vec::new(),
                attempts: Vec::new(),
                outcome: crate::reddit::response::Outcome::transport(
                    crate::reddit::response::Kind::ConnectionFailed,
                    e,
                ),
            }];
        }
    };
    let v3_testing = settings.api_version == ApiVersion::V3 && settings.active_test_id().is_some();
    let mut dispatcher = Dispatcher {
        client: &client,
        history,
        token,
        endpoint,
        settings,
        cancel: cancel.clone(),
        pacer: v3_testing.then(|| Pacer::per_second(10)),
        history_errors: Vec::new(),
    };
    let mut results = Vec::new();
    for item in items {
        if let Some(sent) = dispatcher.send(item, source).await {
            results.push(sent);
        }
    }
    results
}

/// The files the app keeps in its data directory.
pub fn workspace_path(dir: &Path) -> PathBuf {
    dir.join("workspace.json")
}

/// The app's own state file.
pub fn app_state_path(dir: &Path) -> PathBuf {
    dir.join("app-state.json")
}
