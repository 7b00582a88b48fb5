//! The app's side effects, off the UI thread: a thread running a tokio runtime that owns the
//! in-process emulator, the HTTP client and the disk. The UI sends [`Task`]s; results come
//! back as [`Msg`]s through a channel the UI drains once per frame, followed by a repaint.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;

use crate::emulator::{Emulator, Received};
use crate::engine::Item;
use crate::net::segment::SegmentApi;
use crate::net::{Cancel, Endpoint, RawRequest, Sent, Session};
use crate::reddit::Settings;
use crate::reddit::response::{Kind, Outcome};
use crate::secret::Secret;
use crate::secret::tokens::{Place, Source, Tokens};
use crate::store::atomic;
use crate::store::history::{Entry, History};
use crate::workspace::segment::api::Region;
use crate::workspace::segment::{self, Imported};

/// What a file dialog is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Workspace,
    Mapping,
    Sample,
    /// A file of events for the corpus report (and the report's exports).
    Corpus,
    /// Segment's Public API answer for a destination's subscriptions, or for the destination.
    SegmentSubscriptions,
    SegmentDestination,
    /// The subscriptions to create at Segment, as a shell script of cURL tasks.
    SegmentExport,
    /// A Conversions API request for Request mode: a JSON body, a cURL command line, a HAR.
    Request,
}

/// Boxed future (file dialogs are async).
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// File dialogs: rfd's native ones in the app, fakes in tests.
pub trait Dialogs: Send + Sync {
    /// Whether dialogs can be shown at all (`Err`: why not; the app then asks for a path).
    fn available(&self) -> Result<(), String> {
        Ok(())
    }
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
    /// On Linux the dialogs are the desktop portal's, reached over the session's D-Bus.
    fn available(&self) -> Result<(), String> {
        if cfg!(target_os = "linux") && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
            return Err("no file dialog service: no D-Bus session bus for the desktop portal".into());
        }
        Ok(())
    }

    fn open(&self, kind: FileKind) -> BoxFuture<Option<(String, Vec<u8>)>> {
        Box::pin(async move {
            let filter: (&str, &[&str]) = match kind {
                FileKind::Request => ("Request", &["json", "har", "sh", "txt", "curl", "gz"]),
                _ => ("JSON", &["json", "jsonl", "gz"]),
            };
            let handle = rfd::AsyncFileDialog::new()
                .add_filter(filter.0, filter.1)
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
        FileKind::SegmentSubscriptions => "Segment subscriptions (Public API answer)",
        FileKind::SegmentDestination => "Segment destination (Public API answer)",
        FileKind::SegmentExport => "Segment subscriptions script",
        FileKind::Request => "Conversions API request (JSON body, cURL, HAR)",
    };
    format!("{verb} {what}")
}

/// What a send carries.
pub enum Payload {
    /// Requests the engine built from the composer's event.
    Built(Vec<Item>),
    /// A request pasted or opened in Request mode, sent as it is.
    Raw(RawRequest),
}

/// What to send, where, and the switch that stops it.
pub struct SendJob {
    pub payload: Payload,
    pub settings: Settings,
    pub endpoint: Endpoint,
    /// The user's token; `None` sends the emulator's own.
    pub token: Option<Secret>,
    pub source: String,
    pub network: super::state::Network,
    pub cancel: Cancel,
}

/// A request for work.
pub enum Task {
    /// Send these request items.
    Send(Box<SendJob>),
    /// Fetch the emulator's received events.
    RefreshEmulator,
    /// Write these files atomically (autosave).
    Save(Snapshot),
    /// Ask for a file to open.
    Open(FileKind),
    /// Read the file at this path (typed where there is no file dialog).
    OpenPath(FileKind, PathBuf),
    /// Ask where to save, then write.
    Export { kind: FileKind, suggested: String, bytes: Vec<u8> },
    /// Write to this path (typed where there is no file dialog).
    ExportPath(PathBuf, Vec<u8>),
    /// Look up the stored token for a pixel.
    LoadToken(String),
    /// Keep a token for a pixel in the keychain or (opted in) the token file.
    KeepToken { pixel: String, token: Secret, place: Place },
    /// Remove a pixel's token from the keychain and the token file.
    ForgetToken(String),
    /// Read Segment's Public API answers (subscriptions, the destination) into a workspace.
    ImportSegment { subscriptions: String, destination: Option<String> },
    /// Fetch a destination and its subscriptions from Segment's Public API.
    SegmentFetch(SegmentFetch),
    /// Remove the Segment token from the keychain.
    SegmentForget,
}

/// What "Fetch from Segment" asks for.
pub struct SegmentFetch {
    pub destination: String,
    pub region: Region,
    /// A stand-in for Segment's Public API (tests); `None`: the region's.
    pub endpoint: Option<String>,
    /// The token typed or kept this session; `None`: `$SEGMENT_TOKEN`, else the keychain.
    pub token: Option<Secret>,
    /// Keep `token` in the OS keychain (else for this session only).
    pub remember: bool,
}

/// What a fetch from Segment brought back.
pub struct SegmentFetched {
    /// The token that was used, for the session (`None`: there was none).
    pub token: Option<Secret>,
    /// Where the token was kept, when asked to be (or why it could not be).
    pub kept: Option<Result<(), String>>,
    /// The answers (subscriptions, destination), or what went wrong in words.
    pub answers: Result<(String, String), String>,
}

/// A result.
pub enum Msg {
    /// The in-process emulator is up at this base URL (or could not start).
    EmulatorReady(Result<String, String>),
    /// A send finished (all its requests), and the history writes that failed.
    Sent(Vec<Sent>, Vec<String>),
    /// The history, and how many damaged lines were skipped.
    History(Result<(Vec<Entry>, usize), String>),
    EmulatorEvents(Vec<Received>),
    /// Autosave failed.
    SaveFailed(String),
    Opened {
        kind: FileKind,
        name: String,
        bytes: Vec<u8>,
    },
    /// A typed path could not be read.
    OpenFailed(String),
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
    /// What an import from Segment gave (boxed: a whole workspace), or why it was refused.
    SegmentImported(Result<Box<Imported>, String>),
    SegmentFetched(Box<SegmentFetched>),
    SegmentForgotten(Result<(), String>),
}

/// The UI's handle on the worker.
pub struct Worker {
    tasks: tokio::sync::mpsc::UnboundedSender<Task>,
    pub messages: Receiver<Msg>,
}

impl Worker {
    /// Starts the worker thread. `repaint` is called after each message (the UI's wake-up).
    pub fn start(config: super::AppConfig, repaint: impl Fn() + Send + Sync + 'static) -> Worker {
        let (tasks, inbox) = tokio::sync::mpsc::unbounded_channel::<Task>();
        let (outbox, messages) = channel::<Msg>();
        let post = Post { outbox, repaint: Arc::new(repaint) };
        std::thread::Builder::new()
            .name("worker".into())
            .spawn(move || run(config, inbox, post))
            .expect("a worker thread");
        Worker { tasks, messages }
    }

    /// Queues a task; `false` when the worker is gone.
    pub fn send(&self, task: Task) -> bool {
        self.tasks.send(task).is_ok()
    }
}

/// The worker thread: a tokio runtime serving tasks until the UI hangs up. Each task runs as a
/// task of its own, so none waits for another: a send retrying against timeouts for a minute
/// never delays a save (saves keep their order by generation, [`Snapshot::write`]; token work
/// keeps its order on a lane of its own).
fn run(config: super::AppConfig, mut inbox: UnboundedReceiver<Task>, post: Post) {
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            post.send(Msg::EmulatorReady(Err(format!("no async runtime: {e}"))));
            return;
        }
    };
    runtime.block_on(async move {
        let resources = Arc::new(Resources::open(config, post).await);
        let mut running = tokio::task::JoinSet::new();
        while let Some(task) = inbox.recv().await {
            let resources = resources.clone();
            running.spawn(async move { resources.handle(task).await });
            while running.try_join_next().is_some() {}
        }
        // The UI hung up: what is in flight (a last save) finishes, then the emulator stops.
        while running.join_next().await.is_some() {}
        if let Some(emu) = Arc::into_inner(resources).and_then(|r| r.emulator) {
            emu.shutdown().await;
        }
    });
}

/// What the worker holds: the emulator, the history, the token stores, the dialogs.
struct Resources {
    post: Post,
    dialogs: Arc<dyn Dialogs>,
    emulator: Option<Emulator>,
    history: Option<History>,
    tokens: Arc<Tokens>,
    /// Token tasks run one at a time, in the order they were asked for.
    token_lane: tokio::sync::Mutex<()>,
}

impl Resources {
    /// Starts the emulator, reads the history and opens the token stores, telling the UI each.
    async fn open(config: super::AppConfig, post: Post) -> Resources {
        let super::AppConfig { data_dir, dialogs, keychain, env_token } = config;
        let emulator = Emulator::start_local().await;
        post.send(Msg::EmulatorReady(emulator.as_ref().map(Emulator::base_url).map_err(|e| e.to_string())));
        let history = data_dir.as_ref().map(History::in_dir);
        post.send(Msg::History(load_history(history.as_ref())));
        // Opening the keychain may mean a D-Bus round trip: a blocking thread.
        let tokens = blocking(move || Tokens::new(keychain(), data_dir.as_ref(), env_token)).await;
        let status = match tokens.keychain().unavailable() {
            None => Ok(()),
            Some(why) => Err(why.to_string()),
        };
        post.send(Msg::Keychain(status));
        Resources {
            post,
            dialogs,
            emulator: emulator.ok(),
            history,
            tokens: Arc::new(tokens),
            token_lane: tokio::sync::Mutex::new(()),
        }
    }

    async fn handle(&self, task: Task) {
        match task {
            Task::Send(job) => self.send(&job).await,
            Task::RefreshEmulator => self.emulator_events(),
            Task::Save(snapshot) => {
                if let Err(e) = blocking(move || snapshot.write()).await {
                    self.post.send(Msg::SaveFailed(e));
                }
            }
            Task::Open(kind) => self.open_dialog(kind),
            Task::OpenPath(kind, path) => self.open_path(kind, &path),
            Task::Export { kind, suggested, bytes } => self.export_dialog(kind, suggested, bytes),
            Task::ExportPath(path, bytes) => {
                let name = path.display().to_string();
                let result = blocking(move || atomic::write(&path, &bytes)).await.map(|()| name.clone());
                self.post.send(Msg::Exported(result.map_err(|e| format!("{name}: {e}"))));
            }
            Task::LoadToken(pixel) => {
                let _lane = self.token_lane.lock().await;
                self.load_token(pixel).await
            }
            Task::KeepToken { pixel, token, place } => {
                let _lane = self.token_lane.lock().await;
                self.keep_token(pixel, token, place).await
            }
            Task::SegmentFetch(job) => self.segment_fetch(job).await,
            Task::SegmentForget => {
                let keychain = self.tokens.keychain().clone();
                let forgot =
                    blocking(move || crate::secret::segment::forget(&keychain).map_err(|e| e.to_string()));
                self.post.send(Msg::SegmentForgotten(forgot.await));
            }
            Task::ForgetToken(pixel) => {
                let _lane = self.token_lane.lock().await;
                let t = self.tokens.clone();
                let forgot = blocking(move || t.forget(&pixel).map_err(|e| e.to_string())).await;
                self.post.send(Msg::TokenForgotten(forgot));
            }
            Task::ImportSegment { subscriptions, destination } => {
                // Pasted text can be large: converted on the blocking pool, the other tasks go on.
                let post = self.post.clone();
                tokio::spawn(async move {
                    let imported = blocking(move || {
                        segment::import(&subscriptions, destination.as_deref())
                            .map(Box::new)
                            .map_err(|e| e.to_string())
                    })
                    .await;
                    post.send(Msg::SegmentImported(imported));
                });
            }
        }
    }

    /// Sends, then refreshes the history and the emulator's events.
    async fn send(&self, job: &SendJob) {
        let (sent, errors) = send(job, self.history.as_ref()).await;
        self.post.send(Msg::Sent(sent, errors));
        self.post.send(Msg::History(load_history(self.history.as_ref())));
        self.emulator_events();
    }

    fn emulator_events(&self) {
        if let Some(emu) = &self.emulator {
            self.post.send(Msg::EmulatorEvents(emu.received()));
        }
    }

    /// Dialogs wait for the user: they run as tasks of their own.
    fn open_dialog(&self, kind: FileKind) {
        let (dialogs, post) = (self.dialogs.clone(), self.post.clone());
        tokio::spawn(async move {
            if let Some((name, bytes)) = dialogs.open(kind).await {
                match picked_text(kind, bytes) {
                    Ok(bytes) => post.send(Msg::Opened { kind, name, bytes }),
                    Err(e) => post.send(Msg::OpenFailed(format!("{name}: {e}"))),
                }
            }
        });
    }

    fn export_dialog(&self, kind: FileKind, suggested: String, bytes: Vec<u8>) {
        let (dialogs, post) = (self.dialogs.clone(), self.post.clone());
        tokio::spawn(async move {
            if let Some(result) = dialogs.save(kind, suggested, bytes).await {
                post.send(Msg::Exported(result));
            }
        });
    }

    fn open_path(&self, kind: FileKind, path: &Path) {
        let name = path.display().to_string();
        match read_limited(path) {
            Ok(bytes) => self.post.send(Msg::Opened { kind, name, bytes }),
            Err(e) => self.post.send(Msg::OpenFailed(format!("{name}: {e}"))),
        }
    }

    async fn load_token(&self, pixel: String) {
        let t = self.tokens.clone();
        let (pixel, found) = blocking(move || {
            let found = t.get(&pixel).map_err(|e| e.to_string());
            (pixel, found)
        })
        .await;
        self.post.send(Msg::Token { pixel, found });
    }

    /// The token (typed, else `$SEGMENT_TOKEN` or the keychain), kept when asked, then the
    /// destination and every page of its subscriptions.
    async fn segment_fetch(&self, job: SegmentFetch) {
        let keychain = self.tokens.keychain().clone();
        // Only a token typed in the app is kept; $SEGMENT_TOKEN's stays the environment's.
        let remember = job.remember && job.token.is_some();
        let token = match job.token {
            Some(token) => Ok(Some(token)),
            None => {
                let keychain = keychain.clone();
                blocking(move || crate::secret::segment::get(|| keychain).map(|t| t.map(|(t, _)| t))).await
            }
        };
        let token = match token {
            Ok(Some(token)) => token,
            found => {
                let why = match found {
                    Err(e) => format!("the Segment token: {e}"),
                    _ => "type the Segment Public API token first".to_string(),
                };
                let fetched = SegmentFetched { token: None, kept: None, answers: Err(why) };
                self.post.send(Msg::SegmentFetched(Box::new(fetched)));
                return;
            }
        };
        let kept = if remember {
            let token = token.clone();
            Some(
                blocking(move || crate::secret::segment::put(&keychain, &token).map_err(|e| e.to_string()))
                    .await,
            )
        } else {
            None
        };
        let answers = match SegmentApi::new(&token, job.region, job.endpoint.as_deref()) {
            Ok(api) => api.fetch(&job.destination).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        self.post.send(Msg::SegmentFetched(Box::new(SegmentFetched { token: Some(token), kept, answers })));
    }

    async fn keep_token(&self, pixel: String, token: Secret, place: Place) {
        let t = self.tokens.clone();
        let kept = blocking(move || t.put(&pixel, &token, place).map_err(|e| e.to_string())).await;
        let source = match place {
            Place::Keychain => Source::Keychain,
            Place::File => Source::File,
        };
        self.post.send(Msg::TokenKept(kept.map(|()| source)));
    }
}

/// The app's files as of one moment, numbered: a snapshot never overwrites a newer one, so the
/// worker's autosave and the final save on the UI thread cannot undo each other.
pub struct Snapshot {
    pub generation: u64,
    pub files: Vec<(PathBuf, Vec<u8>)>,
    /// The newest generation written, shared by every writer.
    pub written: Arc<Mutex<u64>>,
}

impl Snapshot {
    /// Writes each file atomically (private to the user), unless a newer snapshot was written.
    pub fn write(&self) -> Result<(), String> {
        let mut written = self.written.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if *written >= self.generation {
            return Ok(());
        }
        for (path, bytes) in &self.files {
            atomic::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        *written = self.generation;
        Ok(())
    }
}

/// The most a typed path may hold (a workspace, a mapping or an event).
const MAX_OPEN_BYTES: u64 = 64 << 20;

/// A typed path's text (plain or gzip), up to [`MAX_OPEN_BYTES`] of text.
fn read_limited(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let opened = crate::input::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    opened.reader.take(MAX_OPEN_BYTES + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_OPEN_BYTES {
        return Err(format!("larger than {} MiB", MAX_OPEN_BYTES >> 20));
    }
    Ok(bytes)
}

/// A picked file's text (plain or gzip), up to [`MAX_OPEN_BYTES`]; the corpus streams its own.
fn picked_text(kind: FileKind, bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    if kind == FileKind::Corpus {
        return Ok(bytes);
    }
    let text = crate::input::decoded_bytes(bytes, MAX_OPEN_BYTES).map_err(|e| e.to_string())?;
    text.ok_or_else(|| format!("larger than {} MiB", MAX_OPEN_BYTES >> 20))
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

/// Runs blocking work (files, the keychain, a Segment import) on tokio's blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("blocking tasks do not panic")
}

fn load_history(history: Option<&History>) -> Result<(Vec<Entry>, usize), String> {
    match history {
        None => Ok((Vec::new(), 0)),
        Some(h) => {
            h.read().map(|l| (l.entries, l.skipped_lines)).map_err(|e| format!("{}: {e}", h.path().display()))
        }
    }
}

/// Sends a job's requests; a session that cannot be set up is one blocked result saying why.
async fn send(job: &SendJob, history: Option<&History>) -> (Vec<Sent>, Vec<String>) {
    let SendJob { payload, settings, endpoint, token, source, network, cancel } = job;
    let proxy = Some(network.proxy.trim()).filter(|p| !p.is_empty()).map(str::to_string);
    let secs = |s: u64| Duration::from_secs(s.max(1));
    let session = Session::setup(settings)
        .token(token.clone())
        .proxy(proxy)
        .timeouts(secs(network.connect_timeout_secs), secs(network.timeout_secs))
        // The UI asks before a production send.
        .production(true)
        .build(endpoint.clone());
    let session = match session {
        Ok(session) => session,
        Err(e) => return (vec![not_sent(e.to_string())], Vec::new()),
    };
    let mut dispatcher = session.dispatcher(history, cancel.clone());
    let mut results = Vec::new();
    match payload {
        Payload::Built(items) => {
            for item in items {
                if let Some(sent) = dispatcher.send(item, source).await {
                    results.push(sent);
                }
            }
        }
        Payload::Raw(raw) => results.push(dispatcher.send_raw(raw, source).await),
    }
    (results, dispatcher.history_errors)
}

fn not_sent(why: String) -> Sent {
    Sent {
        mapping: String::new(),
        event_indexes: Vec::new(),
        blocked: true,
        lints: Vec::new(),
        attempts: Vec::new(),
        outcome: Outcome::transport(Kind::ConnectionFailed, why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_snapshot_never_overwrites_a_newer_one() {
        let dir = crate::test_dir::TestDir::new("snapshot");
        let file = dir.join("workspace.json");
        let written = Arc::new(Mutex::new(0));
        let snapshot = |generation, text: &str| Snapshot {
            generation,
            files: vec![(file.clone(), text.as_bytes().to_vec())],
            written: written.clone(),
        };
        let (autosave, final_save) = (snapshot(1, "older"), snapshot(2, "newest"));
        // The final save (UI thread) lands first; the worker's queued autosave comes after it.
        final_save.write().unwrap();
        autosave.write().unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "newest");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_typed_path_is_read_whole_up_to_a_limit_and_errors_name_the_cause() {
        let missing = read_limited(Path::new("/nonexistent/file.json")).unwrap_err();
        assert!(missing.contains("No such file"), "{missing}");
        let dir = crate::test_dir::TestDir::created("read-limited");
        let file = dir.join("e.json");
        std::fs::write(&file, "{}").unwrap();
        assert_eq!(read_limited(&file).unwrap(), b"{}");
    }

    #[test]
    fn gzip_files_open_as_their_text_up_to_the_same_limit() {
        use crate::test_dir::gzip;
        let dir = crate::test_dir::TestDir::created("read-gzip");
        let file = dir.join("event.json.gz");
        std::fs::write(&file, gzip(b"{\"type\":\"track\"}")).unwrap();
        assert_eq!(read_limited(&file).unwrap(), b"{\"type\":\"track\"}");
        assert_eq!(picked_text(FileKind::Sample, gzip(b"{}")).unwrap(), b"{}");
        // The corpus streams (and decompresses) its bytes itself.
        assert_eq!(picked_text(FileKind::Corpus, gzip(b"{}")).unwrap(), gzip(b"{}"));
        let bomb = gzip(&vec![b' '; MAX_OPEN_BYTES as usize + 1]);
        assert!(bomb.len() < 1 << 20);
        std::fs::write(&file, &bomb).unwrap();
        assert_eq!(read_limited(&file).unwrap_err(), "larger than 64 MiB");
        assert_eq!(picked_text(FileKind::Workspace, bomb).unwrap_err(), "larger than 64 MiB");
    }
}
