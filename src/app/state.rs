//! Everything the app shows, in plain structs, and the operations on it. Nothing here draws or
//! does I/O: panels read this state and call these methods; effects go to the worker as
//! [`super::worker::Command`]s.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::capture::{self, Captured, Checked};
use crate::diff;
use crate::emulator::Received;
use crate::engine::{Engine, Item, Options, Selection};
use crate::mapping::model::MappingEntry;
use crate::mapping::presets::Preset;
use crate::mapping::{Action, MAX_MAPPINGS};
use crate::net::{Endpoint, Sent};
use crate::reddit::settings::PLACEHOLDER_PIXEL;
use crate::reddit::{ApiVersion, Authorization, Level, Lint, Settings};
use crate::secret::Secret;
use crate::secret::tokens::Source;
use crate::segment::{Event, EventsError, parse_events, samples};
use crate::store::history::Entry;
use crate::verdict::Api;
use crate::versioned::{FileError, Migration, Schema, VersionError};
use crate::workspace::{FORMAT, VERSION, Workspace};

/// A named destination (e.g. "Staging pixel", "Production pixel").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Destination {
    pub name: String,
    pub settings: Settings,
}

/// Where the app's sends go (the CLI names any base URL with `net::session::Target`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SendTo {
    /// The built-in local Reddit emulator.
    #[default]
    Emulator,
    /// Reddit's API.
    Reddit,
}

/// What the composer holds: a Segment event the mappings turn into requests, or a Reddit
/// Conversions API request pasted or opened as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Segment,
    Request,
}

/// A saved sample event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub name: String,
    pub text: String,
}

/// Client settings kept with the app (not in workspaces: a proxy URL may hold credentials).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Network {
    pub connect_timeout_secs: u64,
    pub timeout_secs: u64,
    /// Empty: from the environment.
    pub proxy: String,
}

impl Default for Network {
    fn default() -> Network {
        Network { connect_timeout_secs: 10, timeout_secs: 30, proxy: String::new() }
    }
}

/// What the app keeps between runs (besides the workspace). Never the token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppSettings {
    pub destinations: Vec<Destination>,
    pub active: usize,
    pub target: SendTo,
    pub composer_text: String,
    pub samples: Vec<Sample>,
    pub network: Network,
    /// Sends the user ticked as "seen in Events Manager".
    pub seen: BTreeSet<String>,
    pub selected_mapping: usize,
    /// Segment event or Reddit request.
    pub mode: Mode,
    /// Request mode's text: a JSON body, a cURL command line or a HAR.
    pub request_text: String,
    /// Which of a HAR's conversions requests is shown.
    pub request_pick: usize,
}

impl Default for AppSettings {
    fn default() -> AppSettings {
        AppSettings {
            destinations: vec![Destination {
                name: "Test pixel".into(),
                settings: Settings { pixel_id: PLACEHOLDER_PIXEL.into(), ..Settings::default() },
            }],
            active: 0,
            target: SendTo::Emulator,
            composer_text: serde_json::to_string_pretty(&samples::TEMPLATES[0].event()).expect("JSON"),
            samples: Vec::new(),
            network: Network::default(),
            seen: BTreeSet::new(),
            selected_mapping: 0,
            mode: Mode::Segment,
            request_text: String::new(),
            request_pick: 0,
        }
    }
}

/// The `format` tag of the settings file (`settings.json`).
pub const SETTINGS_FORMAT: &str = "reddit-capi-console/settings";

/// The settings file's versions: 0 is the untagged file of the first release.
pub const SETTINGS_SCHEMA: Schema = Schema {
    noun: "settings",
    format: SETTINGS_FORMAT,
    version: 1,
    migrations: &[Migration {
        from: 0,
        what: "the first release's untagged file: same fields, format and version added",
        apply: |_| Ok(()),
    }],
    untagged_is_v0: true,
};

impl AppSettings {
    /// Reads a settings file of any known version.
    pub fn parse(text: &str) -> Result<AppSettings, SettingsFileError> {
        let value: serde_json::Value = serde_json::from_str(text)?;
        let (value, _) = crate::versioned::upgrade(&SETTINGS_SCHEMA, value)?;
        Ok(serde_json::from_value(value)?)
    }

    /// The active destination.
    pub fn destination(&self) -> &Destination {
        self.destinations.get(self.active).expect("State::new keeps the active destination")
    }

    /// The active destination, to change it.
    pub fn destination_mut(&mut self) -> &mut Destination {
        self.destinations.get_mut(self.active).expect("State::new keeps the active destination")
    }

    /// The settings file's bytes, tagged with format and version.
    pub fn to_json(&self) -> Vec<u8> {
        let mut value = serde_json::to_value(self).expect("settings serialize");
        let obj = value.as_object_mut().expect("an object");
        obj.insert("format".into(), SETTINGS_FORMAT.into());
        obj.insert("version".into(), SETTINGS_SCHEMA.version.into());
        let (tagged, _) = crate::versioned::upgrade(&SETTINGS_SCHEMA, value).expect("current version");
        serde_json::to_vec_pretty(&tagged).expect("settings serialize")
    }
}

/// Why a mapping could not be added, duplicated or renamed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingEditError {
    #[error("a workspace holds at most {MAX_MAPPINGS} mappings")]
    Full,
    #[error("that mapping no longer exists")]
    Gone,
    #[error("a mapping needs a name")]
    NoName,
    #[error("another mapping is named {0:?}")]
    NameTaken(String),
}

/// Why a settings file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsFileError {
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Version(#[from] VersionError),
}

impl FileError for SettingsFileError {
    fn is_newer(&self) -> bool {
        matches!(self, SettingsFileError::Version(e) if e.is_newer())
    }
}

/// The preview of the composer's last valid event.
#[derive(Debug, Default)]
pub struct Preview {
    /// Indexes of the mappings whose trigger matches the event.
    pub matched: Vec<usize>,
    /// What each matching mapping makes of it (requests, refusals, web-only notes).
    pub items: Vec<Item>,
    /// Each request body as pretty JSON, made once per change (not per frame), by item.
    pub pretty: Vec<String>,
    /// Where the requests would go: a missing token or the placeholder pixel for Reddit.
    pub destination: Vec<Lint>,
    /// v2.0 against v3 field by field, per mapping, when the comparison is open.
    pub comparison: Vec<Comparison>,
    /// Why there is no preview (a bad workspace).
    pub problem: Option<String>,
    /// The composer's text does not parse: this preview is of the last valid event.
    pub stale: bool,
}

/// One mapping's request in v2.0 and in v3, field by field (`old`: v2.0, `new`: v3).
#[derive(Debug, Clone)]
pub struct Comparison {
    pub mapping: String,
    /// `None`: one version builds no request (refused, web only); the reason.
    pub fields: Result<Vec<diff::Field>, String>,
}

/// The history list and the selected entry as shown: derived when the history, the filter or
/// the selection change, never per frame.
#[derive(Debug, Default)]
pub struct HistoryView {
    key: Option<(u64, String, Option<usize>)>,
    /// Entries that match the filter, newest first (indexes into `history`).
    pub rows: Vec<usize>,
    /// Each row's text (local time with its zone, mapping, endpoint, attempt, status).
    pub labels: Vec<String>,
    /// The selected send's events would be dropped as duplicates of this earlier send.
    pub duplicate_of: Option<String>,
    /// The selected entry's request body, pretty.
    pub body: String,
    /// The previous send of the same sample and mapping, and what changed since.
    pub previous: Option<(usize, Vec<diff::Field>)>,
    /// Those changes in words: field, before, now.
    pub changes: Vec<[String; 3]>,
}

/// Request mode's text read and judged: derived when the text, the pick or the settings change.
#[derive(Debug, Default)]
pub struct RequestCheck {
    /// The conversions requests found (a HAR may hold several).
    pub found: Vec<Captured>,
    /// The index of the one shown.
    pub shown: usize,
    /// The one shown, judged; `None` while the input does not read.
    pub checked: Option<Checked>,
    /// Why the input does not read as a request: its line and column where it has them.
    pub error: Option<String>,
    /// The body, pretty, when it is JSON and came from a cURL command or a HAR.
    pub body: String,
}

impl RequestCheck {
    /// Reads and judges `text`: the `pick`th request found, with `fallback` as the version
    /// when neither the URL nor the body's shape tells it.
    pub fn of(text: &str, pick: usize, fallback: Api, now_ms: i64) -> RequestCheck {
        let mut out = RequestCheck::default();
        if text.trim().is_empty() {
            out.error = Some("paste a request: a JSON body, a cURL command line or a HAR".into());
            return out;
        }
        out.found = match capture::from_text("request", text) {
            Ok(found) => found,
            Err(e) => {
                out.error = Some(input_error(e));
                return out;
            }
        };
        out.shown = pick.min(out.found.len().saturating_sub(1));
        let Some(c) = out.found.get(out.shown) else {
            out.error = Some("no request found".into());
            return out;
        };
        out.checked =
            capture::check(c, None, Some((fallback, "the top bar (the body does not tell)")), now_ms);
        if c.url.is_some() {
            match serde_json::from_str::<serde_json::Value>(&c.body) {
                Ok(v) => out.body = serde_json::to_string_pretty(&v).expect("JSON"),
                // The body inside a cURL command or a HAR entry: its own line and column.
                Err(_) => {
                    let e = capture::from_text("request", &c.body).err();
                    out.error = Some(format!(
                        "the request's body is not JSON: {}",
                        e.map_or_else(|| "empty".to_string(), input_error)
                    ));
                }
            }
        }
        out
    }

    /// The request shown, parsed and judged, when it can be sent: why not otherwise.
    pub fn sendable(&self) -> Result<&Checked, String> {
        if let Some(e) = &self.error {
            return Err(format!("not sent: {e}"));
        }
        let Some(checked) = &self.checked else { return Err("not sent: no request".into()) };
        if checked.body.is_none() {
            return Err("not sent: the body is not JSON".into());
        }
        match checked.verdict.problems.first() {
            Some(p) => Err(format!("not sent: Reddit would refuse it: {}: {}", p.path, p.message)),
            None => Ok(checked),
        }
    }
}

/// An input error in words: `line 3, column 7: expected value` where it has a position.
fn input_error(e: capture::CaptureError) -> String {
    match e {
        capture::CaptureError::Json { line, column, message, .. }
        | capture::CaptureError::Har { line, column, message, .. } => {
            format!("line {line}, column {column}: {message}")
        }
        other => other.to_string().trim_start_matches("request: ").to_string(),
    }
}

/// The console's name of a verdict's API version.
pub fn api_version(api: Api) -> ApiVersion {
    match api {
        Api::V2 => ApiVersion::V2,
        Api::V3 => ApiVersion::V3,
    }
}

/// The outcome of the last send.
#[derive(Debug, Clone)]
pub struct LastSend {
    pub results: Vec<Sent>,
    /// For each result, the earlier send its events repeat (read from the history once it
    /// holds this send): what Reddit would drop as a duplicate. `None` until then.
    pub duplicates: Option<Vec<Option<String>>>,
}

/// A changed field of a request body in a marketer's words: `email (hashed)` rather than
/// `events[0].user.email`, a hash shortened to its first and last characters.
fn change_in_words(f: &diff::Field) -> [String; 3] {
    let path = f
        .path
        .strip_prefix("events[0].")
        .or_else(|| f.path.strip_prefix("data.events[0]."))
        .unwrap_or(&f.path);
    let name = match path {
        "event_at" | "event_at_ms" => "time of the event".to_string(),
        "user.email" => "email (hashed)".into(),
        "user.external_id" => "user id (hashed)".into(),
        "user.phone_number" => "phone (hashed)".into(),
        "user.ip_address" => "IP address (hashed)".into(),
        "user.idfa" | "user.aaid" => "device id (hashed)".into(),
        "user.user_agent" => "user agent".into(),
        "user.uuid" | "user.UUID" => "Reddit uuid".into(),
        "click_id" => "click id".into(),
        "event_metadata.conversion_id" | "metadata.conversion_id" => "conversion id (hashed)".into(),
        "event_metadata.value_decimal" | "metadata.value" | "event_metadata.value" => "value".into(),
        "event_metadata.currency" | "metadata.currency" => "currency".into(),
        "event_metadata.item_count" | "metadata.item_count" => "item count".into(),
        "event_type.tracking_type" | "type.tracking_type" => "event type".into(),
        "test_mode" | "data.test_id" | "test_id" => "test mode".into(),
        other => other.to_string(),
    };
    let value = |v: &Option<serde_json::Value>| match v {
        None => "—".to_string(),
        Some(serde_json::Value::String(s)) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("{}…{}", s.get(..8).unwrap_or_default(), s.get(60..).unwrap_or_default())
        }
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    };
    [name, value(&f.old), value(&f.new)]
}

/// A history row: when (local, with its zone), what, where, which attempt, the answer.
fn history_label(e: &Entry) -> String {
    let status = match e.attempt.status {
        Some(s) => s.to_string(),
        None if e.state == crate::store::history::Phase::Pending => "pending".into(),
        None => e.attempt.outcome.message.chars().take(24).collect(),
    };
    let retry =
        if e.attempt.number > 1 { format!(" · retry {}", e.attempt.number - 1) } else { String::new() };
    format!(
        "{} · {} · {}{retry} · {status}",
        crate::local_time::local(&e.attempt.started_at),
        e.mapping,
        e.endpoint
    )
}

/// For each result of a send, the time of the earlier send its events repeat, found in
/// `history` (which holds the send): the newest completed entry of each result's mapping.
fn duplicates_of(history: &[Entry], results: &[Sent]) -> Vec<Option<String>> {
    let mut claimed = Vec::new();
    results
        .iter()
        .map(|r| {
            let i = (0..history.len()).rev().find(|i| {
                !claimed.contains(i)
                    && history.get(*i).is_some_and(|e| {
                        e.mapping == r.mapping && e.state == crate::store::history::Phase::Completed
                    })
            })?;
            claimed.push(i);
            let j = crate::store::dedup::earlier_duplicate(history, i)?;
            Some(crate::local_time::local(&history.get(j)?.attempt.started_at))
        })
        .collect()
}

/// A message for the user (errors from disk, settings problems).
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub error: bool,
    pub text: String,
}

/// The whole app state.
pub struct State {
    pub mappings: Vec<MappingEntry>,
    /// Segment's ids kept from an import, for the export (part of the workspace).
    pub segment: Option<crate::workspace::segment::SegmentLink>,
    pub saved: AppSettings,
    /// The conversion token for the active pixel, and where it is kept.
    pub token: Option<(Secret, Source)>,
    /// The pixel whose stored token was last asked for (`None`: not yet).
    pub token_pixel: Option<String>,
    /// Whether there is an OS keychain (`None` until the worker has looked; `Err`: why not).
    pub keychain: Option<Result<(), String>>,
    pub event: Result<Event, EventsError>,
    /// The last event the composer's text parsed to (what the preview and quick fields show).
    pub last_event: Option<Event>,
    pub preview: Preview,
    /// Request mode's text, read and judged.
    pub request: RequestCheck,
    /// Whether the preview compares v2.0 with v3.
    pub compare: bool,
    pub history: Vec<Entry>,
    /// Bumped whenever `history` is replaced.
    pub history_generation: u64,
    pub history_filter: String,
    pub selected_history: Option<usize>,
    pub history_view: HistoryView,
    pub last_send: Option<LastSend>,
    pub sending: bool,
    pub emulator_url: Option<String>,
    pub emulator_events: Vec<Received>,
    /// Every message of this session, oldest first (at most [`MAX_NOTICES`]).
    pub notices: Vec<Notice>,
    /// How many of `notices` the user dismissed: the status line shows the newest after them.
    pub notices_seen: usize,
    /// Bumped on every change to the mappings or the settings (for caches keyed on them).
    pub workspace_generation: u64,
    /// Bumped on every change to the composer's text.
    pub event_generation: u64,
    /// Whether the composer's event was edited since it was loaded (Ctrl+N asks first).
    pub composer_edited: bool,
    /// Whether something changed that should be written to disk.
    pub dirty: bool,
    /// The compiled mappings for the current settings; `None` when they changed since.
    engine: Option<Result<Engine, String>>,
    /// The same for v2.0 and v3, for the comparison: compiled once per change, not per edit.
    compare_engines: Option<[Option<Engine>; 2]>,
}

impl State {
    /// A state from what was saved (or defaults).
    pub fn new(workspace: Option<Workspace>, saved: AppSettings) -> State {
        let mut saved = saved;
        // A sample nobody edited is stamped anew, so the first-run Purchase sends on any day; an
        // edited event keeps every timestamp the user gave it (and is the user's work).
        let untouched = samples::untouched(&saved.composer_text);
        if let Some(template) = untouched {
            saved.composer_text = serde_json::to_string_pretty(&template.event()).expect("JSON");
        }
        if saved.destinations.is_empty() {
            saved.destinations = AppSettings::default().destinations;
        }
        saved.active = saved.active.min(saved.destinations.len() - 1);
        let (mappings, segment) = match workspace {
            Some(w) => (w.mappings, w.segment),
            None => (Workspace::presets().mappings, None),
        };
        let mut state = State {
            mappings,
            segment,
            saved,
            token: None,
            token_pixel: None,
            keychain: None,
            event: parse_events("{}", "composer").map(|mut v| v.remove(0)),
            last_event: None,
            preview: Preview::default(),
            request: RequestCheck::default(),
            compare: false,
            history: Vec::new(),
            history_generation: 0,
            history_filter: String::new(),
            selected_history: None,
            history_view: HistoryView::default(),
            last_send: None,
            sending: false,
            emulator_url: None,
            emulator_events: Vec::new(),
            notices: Vec::new(),
            notices_seen: 0,
            workspace_generation: 0,
            event_generation: 0,
            composer_edited: true,
            dirty: false,
            engine: None,
            compare_engines: None,
        };
        let text = state.saved.composer_text.clone();
        state.set_event_text(text);
        state.check_request();
        state.composer_edited = untouched.is_none();
        state.dirty = false;
        state
    }

    /// The active destination's settings.
    pub fn settings(&self) -> &Settings {
        &self.saved.destination().settings
    }

    /// Changes the active destination's settings.
    pub fn settings_mut(&mut self) -> &mut Settings {
        self.dirty = true;
        self.engine = None;
        self.compare_engines = None;
        self.workspace_generation += 1;
        &mut self.saved.destination_mut().settings
    }

    /// The workspace: the mappings and the active destination's settings.
    pub fn workspace(&self) -> Workspace {
        Workspace {
            format: FORMAT.into(),
            version: VERSION,
            settings: self.settings().clone(),
            mappings: self.mappings.clone(),
            segment: self.segment.clone(),
        }
    }

    /// Where Send goes now.
    pub fn endpoint(&self) -> Option<Endpoint> {
        match self.saved.target {
            SendTo::Reddit => Some(Endpoint::Reddit),
            SendTo::Emulator => self.emulator_url.clone().map(Endpoint::Emulator),
        }
    }

    /// Whether Send would count in campaigns (Reddit, test mode off / no test id).
    pub fn is_production_send(&self) -> bool {
        self.saved.target == SendTo::Reddit && !self.send_is_test()
    }

    /// Replaces the composer text and recomputes the preview. Text that does not parse keeps
    /// the preview of the last valid event, marked stale.
    pub fn set_event_text(&mut self, text: String) {
        self.event = parse_events(&text, "event").and_then(|mut events| match events.len() {
            1 => Ok(events.remove(0)),
            n => Err(EventsError {
                source_name: "event".into(),
                line: 1,
                column: 1,
                message: format!("the composer holds one event; found {n}"),
            }),
        });
        self.saved.composer_text = text;
        self.dirty = true;
        self.composer_edited = true;
        self.event_generation += 1;
        match &self.event {
            Ok(event) => {
                self.last_event = Some(event.clone());
                self.recompute();
            }
            Err(_) => self.preview.stale = true,
        }
    }

    /// Replaces Request mode's text and judges it again.
    pub fn set_request_text(&mut self, text: String) {
        self.saved.request_text = text;
        self.saved.request_pick = 0;
        self.dirty = true;
        self.check_request();
    }

    /// Shows the `i`th request a HAR holds.
    pub fn pick_request(&mut self, i: usize) {
        self.saved.request_pick = i;
        self.dirty = true;
        self.check_request();
    }

    /// Judges Request mode's text again (text, pick or the top bar's API version changed).
    pub fn check_request(&mut self) {
        let fallback = match self.settings().api_version {
            ApiVersion::V2 => Api::V2,
            ApiVersion::V3 => Api::V3,
        };
        self.request = RequestCheck::of(
            &self.saved.request_text,
            self.saved.request_pick,
            fallback,
            crate::timestamp::now_millis(),
        );
    }

    /// Whether what Send sends is marked as a test: the settings' test mode for the composer's
    /// requests, the body's own `test_mode` / `test_id` for a request in Request mode.
    pub fn send_is_test(&self) -> bool {
        match self.saved.mode {
            Mode::Segment => self.settings().is_test(),
            Mode::Request => self.request.checked.as_ref().is_some_and(|c| c.verdict.test),
        }
    }

    /// The settings a send of Request mode's request goes out with: its version and test
    /// flags are the body's; pixel, user agent and the rest are the active destination's.
    pub fn request_settings(&self, checked: &Checked) -> Settings {
        Settings {
            api_version: api_version(checked.api),
            test_mode: checked.verdict.test,
            test_id: checked.verdict.test_id.clone(),
            ..self.settings().clone()
        }
    }

    /// Loads an event into the composer (a template, a sample, a file): not an edit.
    pub fn load_event(&mut self, text: String) {
        self.set_event_text(text);
        self.composer_edited = false;
    }

    /// Loads an offered event and says where it came from (the composer may be out of sight,
    /// under the Corpus window).
    pub fn load_offer(&mut self, offer: super::EventOffer) {
        self.load_event(offer.text);
        self.notice(false, format!("the composer now holds {}", offer.from));
    }

    /// Sets (or, with `None`, removes) one string of the composer's event (a quick field),
    /// changing only that value in the text: the rest stays as the user typed it.
    pub fn set_event_string(&mut self, path: &[&str], value: Option<&str>) {
        match crate::segment::edit::set_string(&self.saved.composer_text, path, value) {
            Some(text) => self.set_event_text(text),
            None => self.notice(true, "the event is not a JSON object: edit it in the JSON editor"),
        }
    }

    fn options(&self) -> Options {
        Options {
            explain: true,
            auth: match (&self.token, self.saved.target) {
                (Some((token, _)), _) => Authorization::for_token(Some(token.expose()), false),
                // The local emulator takes any token: the app sends its own.
                (None, SendTo::Emulator) => Authorization::Masked(String::new()),
                (None, SendTo::Reddit) => Authorization::NotInSettings,
            },
            base_url: match self.saved.target {
                SendTo::Reddit => None,
                SendTo::Emulator => self.emulator_url.clone(),
            },
            batching: crate::engine::Batching::Never,
            now_ms: crate::timestamp::now_millis(),
        }
    }

    /// Recomputes matched mappings and the preview of the last valid event (microseconds for
    /// one event).
    pub fn recompute(&mut self) {
        let stale = self.event.is_err();
        self.preview = Preview {
            stale,
            destination: crate::reddit::lint::check_destination(
                self.settings(),
                self.saved.target == SendTo::Reddit,
                self.token.is_some(),
            ),
            ..Preview::default()
        };
        let Some(event) = self.last_event.clone() else { return };
        let settings = self.settings().clone();
        // Compiling 50 mappings is not per-keystroke work: only after they (or the settings) change.
        if self.engine.is_none() {
            self.engine = Some(Engine::new(&self.workspace(), settings.clone()).map_err(|e| e.to_string()));
        }
        let engine = match self.engine.as_ref().expect("just compiled") {
            Ok(engine) => engine,
            Err(e) => {
                self.preview.problem = Some(e.clone());
                return;
            }
        };
        self.preview.matched = engine.matching(&event);
        let options = self.options();
        self.preview.items = engine.preview(std::slice::from_ref(&event), Selection::Triggers, &options);
        self.preview.pretty = pretty_bodies(&self.preview.items);
        if self.compare {
            let engines = self.compare_engines.take().unwrap_or_else(|| {
                [ApiVersion::V2, ApiVersion::V3].map(|api_version| {
                    Engine::new(&self.workspace(), Settings { api_version, ..settings.clone() }).ok()
                })
            });
            self.preview.comparison = self.compare_versions(&event, &engines);
            self.compare_engines = Some(engines);
        }
    }

    /// Each matching mapping's request built for v2.0 and for v3, field by field.
    fn compare_versions(&self, event: &Event, engines: &[Option<Engine>; 2]) -> Vec<Comparison> {
        let options = self.options();
        let build = |engine: &Option<Engine>| {
            engine
                .as_ref()
                .map(|engine| engine.preview(std::slice::from_ref(event), Selection::Triggers, &options))
                .unwrap_or_default()
        };
        let (v2, v3) = (build(&engines[0]), build(&engines[1]));
        let body = |items: &[Item], mapping: &str| {
            items.iter().find_map(|i| match i {
                Item::Request { mapping: m, request, .. } if m == mapping => {
                    Some(Ok(request.body.to_value()))
                }
                Item::Refused { mapping: m, error, .. } if m == mapping => {
                    Some(Err(format!("{}: {}", error.field, error.message)))
                }
                Item::WebOnly { mapping: m, .. } if m == mapping => Some(Err("web only".to_string())),
                _ => None,
            })
        };
        let mut names: Vec<&str> = Vec::new();
        for item in v2.iter().chain(&v3) {
            let name = match item {
                Item::Request { mapping, .. }
                | Item::Refused { mapping, .. }
                | Item::WebOnly { mapping, .. } => mapping.as_str(),
                Item::Unmatched { .. } => continue,
            };
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let web_only = |items: &[Item], name: &str| {
            items.iter().any(|i| matches!(i, Item::WebOnly { mapping, .. } if mapping == name))
        };
        names
            .into_iter()
            // The browser plugin builds no request in either version: nothing to compare.
            .filter(|name| !(web_only(&v2, name) && web_only(&v3, name)))
            .map(|name| {
                let fields = match (body(&v2, name), body(&v3, name)) {
                    (Some(Ok(a)), Some(Ok(b))) => {
                        Ok(diff::fields_renamed(&a, &b, crate::reddit::wire::v3_path_in_v2))
                    }
                    (Some(Err(e)), _) => Err(format!("v2.0 builds no request: {e}")),
                    (_, Some(Err(e))) => Err(format!("v3 builds no request: {e}")),
                    _ => Err("no request in one version".to_string()),
                };
                Comparison { mapping: name.to_string(), fields }
            })
            .collect()
    }

    /// Whether Send has something to send: a current (not stale) request without an error
    /// lint, to a destination without one.
    pub fn can_send(&self) -> bool {
        if self.saved.mode == Mode::Request {
            return self.preview.destination.iter().all(|l| l.level != Level::Error)
                && self.request.sendable().is_ok();
        }
        !self.preview.stale
            && self.preview.destination.iter().all(|l| l.level != Level::Error)
            && self.preview.items.iter().any(is_sendable)
    }

    /// The requests Send would send: every request of the preview without an error lint.
    pub fn sendable(&self) -> Vec<Item> {
        self.preview.items.iter().filter(|i| is_sendable(i)).cloned().collect()
    }

    /// Adds a mapping from a preset (or a blank custom-event mapping), with a unique name.
    pub fn add_mapping(&mut self, preset: Option<&Preset>) -> Result<usize, MappingEditError> {
        if self.mappings.len() >= MAX_MAPPINGS {
            return Err(MappingEditError::Full);
        }
        let mut entry = match preset {
            Some(p) => MappingEntry::from_preset(p),
            None => MappingEntry {
                name: "New mapping".into(),
                enabled: true,
                preset: None,
                action: Some(Action::CustomEvent),
                subscribe: Some(r#"type = "track" and event = "My Event""#.into()),
                mapping: [("custom_event_name".to_string(), serde_json::json!({"@path": "$.event"}))]
                    .into_iter()
                    .collect(),
            },
        };
        entry.name = self.unique_name(&entry.name);
        self.mappings.push(entry);
        self.workspace_changed();
        Ok(self.mappings.len() - 1)
    }

    fn unique_name(&self, base: &str) -> String {
        let taken = |n: &str| crate::workspace::Workspace::name_taken(&self.mappings, n, None);
        if !taken(base) {
            return base.to_string();
        }
        (2..).map(|i| format!("{base} {i}")).find(|n| !taken(n)).expect("a free name")
    }

    /// Duplicates a mapping below itself.
    pub fn duplicate_mapping(&mut self, i: usize) -> Result<usize, MappingEditError> {
        if self.mappings.len() >= MAX_MAPPINGS {
            return Err(MappingEditError::Full);
        }
        let Some(mut copy) = self.mappings.get(i).cloned() else {
            return Err(MappingEditError::Gone);
        };
        copy.name = self.unique_name(&format!("{} copy", copy.name));
        self.mappings.insert(i + 1, copy);
        self.workspace_changed();
        Ok(i + 1)
    }

    /// Deletes a mapping.
    pub fn delete_mapping(&mut self, i: usize) {
        if i < self.mappings.len() {
            self.mappings.remove(i);
            self.saved.selected_mapping =
                self.saved.selected_mapping.min(self.mappings.len().saturating_sub(1));
            self.workspace_changed();
        }
    }

    /// The index of the mapping named `name`.
    pub fn mapping_index(&self, name: &str) -> Option<usize> {
        self.mappings.iter().position(|m| m.name == name)
    }

    /// Moves a mapping up or down.
    pub fn move_mapping(&mut self, i: usize, up: bool) {
        let j = if up { i.checked_sub(1) } else { Some(i + 1) };
        if let Some(j) = j.filter(|j| *j < self.mappings.len()) {
            self.mappings.swap(i, j);
            if self.saved.selected_mapping == i {
                self.saved.selected_mapping = j;
            }
            self.workspace_changed();
        }
    }

    /// Renames a mapping; names stay unique.
    pub fn rename_mapping(&mut self, i: usize, name: &str) -> Result<(), MappingEditError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(MappingEditError::NoName);
        }
        if crate::workspace::Workspace::name_taken(&self.mappings, name, Some(i)) {
            return Err(MappingEditError::NameTaken(name.to_string()));
        }
        let Some(mapping) = self.mappings.get_mut(i) else {
            return Err(MappingEditError::Gone);
        };
        mapping.name = name.to_string();
        self.workspace_changed();
        Ok(())
    }

    /// Call after any change to the workspace: its mappings, settings or endpoint.
    pub fn workspace_changed(&mut self) {
        self.dirty = true;
        self.engine = None;
        self.compare_engines = None;
        self.workspace_generation += 1;
        self.recompute();
        self.check_request();
    }

    /// Replaces the history (from the worker).
    pub fn set_history(&mut self, entries: Vec<Entry>) {
        self.history = entries;
        self.history_generation += 1;
        if let Some(last) = self.last_send.as_mut().filter(|l| l.duplicates.is_none()) {
            last.duplicates = Some(duplicates_of(&self.history, &last.results));
        }
    }

    /// Brings the history list and detail up to date with the history, filter and selection;
    /// does nothing when none of them changed. A selection the filter hides is dropped.
    pub fn refresh_history_view(&mut self) {
        let key = (self.history_generation, self.history_filter.clone(), self.selected_history);
        if self.history_view.key.as_ref() == Some(&key) {
            return;
        }
        let rows = self.filtered_history();
        if self.selected_history.is_some_and(|i| !rows.contains(&i)) {
            self.selected_history = None;
        }
        let (body, previous) = match self.selected_history.and_then(|i| Some((i, self.history.get(i)?))) {
            Some((i, e)) => {
                let body = &e.request.body;
                let previous = self
                    .previous_send_of(i)
                    .and_then(|p| Some((p, diff::changes(&self.history.get(p)?.request.body, body))));
                (serde_json::to_string_pretty(body).unwrap_or_default(), previous)
            }
            None => (String::new(), None),
        };
        let labels = rows.iter().filter_map(|&i| self.history.get(i)).map(history_label).collect();
        let duplicate_of = self
            .selected_history
            .and_then(|i| crate::store::dedup::earlier_duplicate(&self.history, i))
            .and_then(|j| self.history.get(j))
            .map(|e| crate::local_time::local(&e.attempt.started_at));
        let changes = previous.iter().flat_map(|(_, fields)| fields).map(change_in_words).collect();
        self.history_view = HistoryView {
            key: Some((self.history_generation, self.history_filter.clone(), self.selected_history)),
            rows,
            labels,
            duplicate_of,
            body,
            previous,
            changes,
        };
    }

    /// Loads a workspace (import): its mappings, and its settings into the active destination
    /// (the test id is kept from the destination: workspaces never carry one in).
    pub fn import_workspace(&mut self, workspace: Workspace) {
        let test_id = self.settings().test_id.clone();
        *self.settings_mut() = Settings { test_id, ..workspace.settings };
        self.mappings = workspace.mappings;
        self.segment = workspace.segment;
        self.saved.selected_mapping = 0;
        self.workspace_changed();
    }

    /// History entries that match the filter, newest first (indexes into `history`).
    pub fn filtered_history(&self) -> Vec<usize> {
        let needle = self.history_filter.to_lowercase();
        (self.history.iter().enumerate().rev())
            .filter(|(_, e)| {
                if needle.is_empty() {
                    return true;
                }
                let status = e.attempt.status.map(|s| s.to_string()).unwrap_or_default();
                [&e.mapping, &e.endpoint, &e.source, &e.attempt.outcome.message, &status, &e.send_id]
                    .iter()
                    .any(|s| s.to_lowercase().contains(&needle))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The previous attempt of the same source and mapping before history entry `i`.
    pub fn previous_send_of(&self, i: usize) -> Option<usize> {
        let e = self.history.get(i)?;
        self.history
            .get(..i)?
            .iter()
            .rposition(|p| p.source == e.source && p.mapping == e.mapping && p.send_id != e.send_id)
    }

    /// Adds a message for the user: it becomes the status line and joins the log.
    pub fn notice(&mut self, error: bool, text: impl Into<String>) {
        if self.notices.len() == MAX_NOTICES {
            self.notices.remove(0);
            self.notices_seen = self.notices_seen.saturating_sub(1);
        }
        self.notices.push(Notice { error, text: text.into() });
    }

    /// The status line: the newest message not dismissed.
    pub fn status(&self) -> Option<&Notice> {
        self.notices.get(self.notices_seen..).and_then(<[Notice]>::last)
    }
}

/// How many messages the log keeps.
pub const MAX_NOTICES: usize = 200;

fn is_sendable(item: &Item) -> bool {
    matches!(item, Item::Request { lints, .. } if lints.iter().all(|l| l.level != Level::Error))
}

/// Pretty JSON of each request item's body ("" for other items).
fn pretty_bodies(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| match i {
            // Through a Value: the body itself serializes as its compact wire bytes.
            Item::Request { request, .. } => {
                serde_json::to_string_pretty(&request.body.to_value()).expect("JSON")
            }
            _ => String::new(),
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)] // a test may panic
mod tests {
    use super::*;
    use crate::mapping::presets;

    fn state() -> State {
        State::new(None, AppSettings::default())
    }

    #[test]
    fn settings_files_of_every_version_are_read_and_written_tagged() {
        let mut saved = AppSettings::default();
        saved.network.timeout_secs = 45;
        let bytes = saved.to_json();
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.starts_with("{\n  \"format\": \"reddit-capi-console/settings\",\n  \"version\": 1,"),
            "{text}"
        );
        assert_eq!(AppSettings::parse(&text).unwrap(), saved);

        // The first release wrote the same fields without tags: version 0, migrated.
        let untagged = serde_json::to_string(&saved).unwrap();
        assert_eq!(AppSettings::parse(&untagged).unwrap(), saved);

        let newer = text.replace("\"version\": 1", "\"version\": 2");
        let err = AppSettings::parse(&newer).unwrap_err();
        assert!(err.is_newer() && err.to_string().contains("settings version 2"), "{err}");
        let err = AppSettings::parse("{\"active\": ").unwrap_err();
        assert!(!err.is_newer() && err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn the_first_run_preview_is_a_purchase_that_can_be_sent() {
        let s = state();
        assert!(s.event.is_ok());
        let purchase = s.mappings.iter().position(|m| m.name == "Purchase").unwrap();
        assert!(s.preview.matched.contains(&purchase));
        assert_eq!(s.sendable().len(), 1);
        assert_eq!(s.endpoint(), None, "until the emulator is up");
        let body = s.preview.pretty.iter().find(|b| !b.is_empty()).unwrap();
        assert!(body.starts_with("{\n  \"events\": ["), "pretty JSON: {body}");
        assert!(!s.is_production_send());
    }

    #[test]
    fn editing_the_event_changes_the_preview() {
        let mut s = state();
        s.set_event_string(&["event"], Some("Signed Up"));
        let names: Vec<&str> = s.preview.matched.iter().map(|&i| s.mappings[i].name.as_str()).collect();
        assert!(names.contains(&"Sign Up") && !names.contains(&"Purchase"), "{names:?}");
        let before = s.preview.items.len();
        s.set_event_text("{ nope".into());
        assert!(s.event.is_err());
        assert!(s.preview.stale, "the preview of the last valid event stays, marked stale");
        assert_eq!(s.preview.items.len(), before);
        assert!(!s.can_send(), "a stale preview is not sent");
    }

    #[test]
    fn mapping_list_operations_keep_names_unique_and_cap_at_fifty() {
        let mut s = state();
        let n = s.mappings.len();
        let i = s.add_mapping(presets::find("Purchase")).unwrap();
        assert_eq!(s.mappings[i].name, "Purchase 2");
        let j = s.duplicate_mapping(i).unwrap();
        assert_eq!(s.mappings[j].name, "Purchase 2 copy");
        assert!(s.rename_mapping(j, "Purchase").is_err());
        s.rename_mapping(j, "Checkout").unwrap();
        s.move_mapping(j, true);
        assert_eq!(s.mappings[i].name, "Checkout");
        s.delete_mapping(i);
        assert_eq!(s.mappings.len(), n + 1);
        while s.mappings.len() < MAX_MAPPINGS {
            s.add_mapping(None).unwrap();
        }
        assert!(s.add_mapping(None).is_err());
    }

    #[test]
    fn compiled_mappings_are_reused_across_edits_and_rebuilt_after_changes() {
        let mut s = state();
        let purchase = s.mappings.iter().position(|m| m.name == "Purchase").unwrap();
        s.set_event_string(&["userId"], Some("someone-else"));
        assert!(s.preview.matched.contains(&purchase));
        s.mappings[purchase].enabled = false;
        s.workspace_changed();
        assert!(!s.preview.matched.contains(&purchase), "a change to the mappings is seen");
        s.settings_mut().pixel_id = "a2_changed".into();
        s.mappings[purchase].enabled = true;
        s.workspace_changed();
        let url = s.preview.items.iter().find_map(|i| match i {
            Item::Request { request, .. } => Some(request.url.clone()),
            _ => None,
        });
        assert!(url.unwrap().ends_with("/a2_changed"), "a change to the settings is seen");
    }

    #[test]
    fn the_comparison_follows_edits_of_the_event_and_changes_to_the_mappings() {
        let mut s = state();
        s.compare = true;
        s.recompute();
        let names = |s: &State| s.preview.comparison.iter().map(|c| c.mapping.clone()).collect::<Vec<_>>();
        assert_eq!(names(&s), ["Purchase"]);
        s.set_event_string(&["userId"], Some("someone-else"));
        let purchase = &s.preview.comparison[0];
        let id = purchase
            .fields
            .as_ref()
            .unwrap()
            .iter()
            .find(|f| f.path == "events[0].user.external_id")
            .unwrap();
        assert_eq!(
            id.old,
            Some(serde_json::json!(crate::identity::sha256_hex("someone-else"))),
            "the edit is seen"
        );
        let i = s.mapping_index("Purchase").unwrap();
        s.mappings[i].enabled = false;
        s.workspace_changed();
        assert!(names(&s).is_empty(), "a change to the mappings is seen");
    }

    #[test]
    fn importing_keeps_the_destinations_test_id() {
        let mut s = state();
        s.settings_mut().test_id = Some("t2_keep".into());
        let mut w = Workspace::presets();
        w.settings.pixel_id = "a2_imported".into();
        w.mappings.truncate(2);
        s.import_workspace(w);
        assert_eq!(s.settings().pixel_id, "a2_imported");
        assert_eq!(s.settings().test_id.as_deref(), Some("t2_keep"));
        assert_eq!(s.mappings.len(), 2);
    }

    #[test]
    fn request_mode_reads_a_har_picks_among_its_requests_and_names_a_bad_curl_body_s_position() {
        let har = serde_json::json!({"log": {"entries": [
            {"request": {"method": "POST", "url": "https://ads-api.reddit.com/api/v2.0/conversions/events/a2_x",
                         "postData": {"text": "{\"events\": []}"}}},
            {"request": {"method": "POST", "url": "https://ads-api.reddit.com/api/v3/pixels/a2_y/conversion_events",
                         "postData": {"text": "{\"data\": {\"events\": [{\"user\": {\"uuid\": \"1700000000000.6f1c5a0e-2b7d-4c1e-9a3f-0d2e4b6c8a10\"}}]}}"}}}
        ]}});
        let mut s = state();
        s.saved.mode = Mode::Request;
        s.set_request_text(har.to_string());
        assert_eq!(s.request.found.len(), 2);
        assert_eq!(s.request.checked.as_ref().unwrap().api, Api::V2);
        assert_eq!(s.request.checked.as_ref().unwrap().api_from, "the URL");
        s.pick_request(1);
        let c = s.request.checked.as_ref().unwrap();
        assert_eq!(c.api, Api::V3);
        assert!(c.identifiers.iter().any(|i| i.kind == capture::IdentifierKind::RdtUuidCookie));
        assert!(s.request.body.starts_with("{\n  \"data\""), "the body, pretty: {}", s.request.body);
        assert!(!s.can_send(), "Reddit would refuse it");
        assert!(s.request.sendable().unwrap_err().contains("$.data.events[0]"));
        s.set_request_text(
            "curl https://ads-api.reddit.com/api/v3/pixels/a/conversion_events -d '{\"data\": \n {'".into(),
        );
        assert_eq!(
            s.request.error.as_deref(),
            Some("the request's body is not JSON: line 2, column 2: EOF while parsing an object")
        );
        s.set_request_text("{\"events\": [}".into());
        assert_eq!(s.request.error.as_deref(), Some("line 1, column 13: expected value"));
        s.set_request_text("wget x".into());
        assert!(
            s.request.error.as_deref().unwrap().starts_with("line 1, column 1: expected value"),
            "{:?}",
            s.request.error
        );
    }
}
