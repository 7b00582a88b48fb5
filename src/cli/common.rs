//! What several commands share: the workspace/mapping/API/profile arguments, building the
//! engine, reading event files (all syntax-checked before anything runs), the token.

use std::path::{Path, PathBuf};

use clap::Args;

use super::CliError;
use super::source::Source;
use crate::engine::{Engine, Selection};
use crate::identity::Profile;
use crate::input;
use crate::paths::DataDir;
use crate::reddit::ApiVersion;
use crate::secret::Secret;
use crate::secret::tokens::{Keychain, Tokens};
use crate::segment::{EventsError, MAX_INPUT_BYTES, read_capped};
use crate::store::versioned;
use crate::workspace::Workspace;

pub(super) use crate::secret::tokens::TOKEN_ENV;

/// Which workspace and mappings, and how to build.
#[derive(Debug, Args)]
pub(super) struct EngineArgs {
    /// Workspace file (default: the saved workspace, else the built-in presets).
    #[arg(long)]
    pub workspace: Option<PathBuf>,
    /// Apply this one mapping to every event, whatever its trigger (Segment's "test mapping").
    #[arg(long)]
    pub mapping: Option<String>,
    /// API version: v2.0 or v3 (default: the workspace's).
    #[arg(long, value_parser = parse_api)]
    pub api: Option<ApiVersion>,
    /// Normalization profile: segment or reddit (default: the workspace's).
    #[arg(long, value_parser = parse_profile)]
    pub profile: Option<Profile>,
}

fn parse_api(s: &str) -> Result<ApiVersion, String> {
    ApiVersion::parse(s).ok_or_else(|| format!("unknown API version {s:?} (expected v2.0 or v3)"))
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse().map_err(|e: crate::identity::UnknownProfile| e.to_string())
}

/// With no saved workspace, what the app's first run has: the presets and the placeholder Pixel
/// ID, so `preview` shows the URL `send` uses.
fn first_run() -> Workspace {
    let mut workspace = Workspace::presets();
    workspace.settings.pixel_id = crate::reddit::settings::PLACEHOLDER_PIXEL.into();
    workspace
}

/// The workspace a command works on: `--workspace`, else the saved one, else the first run's.
/// Commands only read the saved workspace: one they cannot use (damaged, or from a newer
/// release: "update the app") stops the command with exit code 2 and is left where it is.
pub(super) fn load_workspace(path: Option<&std::path::Path>) -> Result<Workspace, CliError> {
    if let Some(path) = path {
        let failed = |e: &dyn std::fmt::Display| CliError(format!("workspace {}: {e}", path.display()));
        let text = std::fs::read_to_string(path).map_err(|e| failed(&e))?;
        return Workspace::parse(&text).map_err(|e| failed(&e));
    }
    let Some(path) = data_dir()?.map(|d| d.workspace()) else { return Ok(first_run()) };
    match versioned::read(&path, Workspace::parse) {
        Ok(found) => Ok(found.unwrap_or_else(first_run)),
        Err(unusable) => Err(CliError(format!("saved workspace {unusable}"))),
    }
}

/// The data directory, checked before anything in it is read or written (a symlink, another
/// user's file or a shared directory is refused, naming the path: `store::guard::verify`, which
/// changes nothing); `None` when the system has none.
pub(super) fn data_dir() -> Result<Option<DataDir>, CliError> {
    let Some(dir) = DataDir::locate() else { return Ok(None) };
    crate::store::guard::verify(&dir).map_err(|e| CliError(format!("data directory: {e}")))?;
    Ok(Some(dir))
}

impl EngineArgs {
    /// The engine (workspace settings with `--api` / `--profile` applied) and the selection.
    pub(super) fn engine(&self) -> Result<(Engine, Selection), CliError> {
        self.engine_with(|_| {})
    }

    /// The engine for a send to the local emulator: a Pixel ID left empty is the app's first-run
    /// placeholder, as the app's first run sends (the emulator accepts any well-formed id).
    pub(super) fn engine_for_emulator(&self) -> Result<(Engine, Selection), CliError> {
        self.engine_with(|settings| {
            if settings.pixel_id.trim().is_empty() {
                settings.pixel_id = crate::reddit::settings::PLACEHOLDER_PIXEL.into();
            }
        })
    }

    fn engine_with(
        &self,
        adjust: impl FnOnce(&mut crate::reddit::Settings),
    ) -> Result<(Engine, Selection), CliError> {
        let workspace = load_workspace(self.workspace.as_deref())?;
        let mut settings = workspace.settings.clone();
        adjust(&mut settings);
        if let Some(api) = self.api {
            settings.api_version = api;
        }
        if let Some(profile) = self.profile {
            settings.profile = profile;
        }
        let engine = Engine::new(&workspace, settings)?;
        let selection = match &self.mapping {
            Some(name) => Selection::Mapping(engine.find(name).ok_or_else(|| {
                let names: Vec<&str> = engine.mappings.iter().map(|m| m.name.as_str()).collect();
                CliError(format!("no mapping named {name:?}; mappings: {}", names.join(", ")))
            })?),
            None => Selection::Triggers,
        };
        Ok((engine, selection))
    }
}

/// The text of an events file (or of standard input for `-`), plain or gzip, and its label for
/// errors, up to [`MAX_INPUT_BYTES`] of text.
pub(super) fn read_text(path: &str) -> Result<(String, String), EventsError> {
    if path == "-" {
        let (stdin, _) = input::decoded(std::io::stdin()).map_err(|e| EventsError::io("<stdin>", &e))?;
        return read_capped(stdin, "<stdin>", 0, MAX_INPUT_BYTES);
    }
    let opened = input::open(Path::new(path)).map_err(|e| EventsError::io(path, &e))?;
    read_capped(opened.reader, path, opened.size_hint, MAX_INPUT_BYTES)
}

/// The inputs named on the command line, each directory replaced by its files in name order
/// (`-`, standard input, kept).
pub(super) fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        if path.as_os_str() == "-" {
            files.push(path.clone());
        } else {
            files.extend(input::files(path).map_err(|e| CliError(format!("{}: {e}", path.display())))?);
        }
    }
    Ok(files)
}

/// [`expand_paths`] for inputs named as text (their labels).
pub(super) fn expand(paths: &[String]) -> Result<Vec<String>, CliError> {
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    let files = expand_paths(&paths)?.into_iter().map(|file| {
        file.into_os_string()
            .into_string()
            .map_err(|f| CliError(format!("{}: the name is not UTF-8", f.display())))
    });
    files.collect()
}

/// Reads every events file (`-` or none: stdin) and checks its syntax, so a broken file is
/// reported before anything is printed or sent. No events at all (empty or blank input, `[]`) is
/// an error.
pub(super) fn read_sources(sources: &[String]) -> Result<Vec<Source>, CliError> {
    read_sources_on(sources, 1)
}

/// [`read_sources`], each input checked in pieces by `jobs` threads side by side.
pub(super) fn read_sources_on(sources: &[String], jobs: usize) -> Result<Vec<Source>, CliError> {
    let stdin = ["-".to_string()];
    let sources = expand(if sources.is_empty() { &stdin[..] } else { sources })?;
    let checked = sources.iter().map(|path| Source::check(path, jobs)).collect::<Result<Vec<_>, _>>()?;
    if checked.iter().all(|source| source.events == 0) {
        let labels: Vec<&str> = checked.iter().map(|source| source.label.as_str()).collect();
        return Err(CliError(format!("no events in {}", labels.join(", "))));
    }
    Ok(checked)
}

/// The capture files `listen --capture` wrote (the rotated one first), added to `events` when
/// `captured` is set; none yet is an error saying how to make them.
pub(super) fn with_captures(mut events: Vec<String>, captured: bool) -> Result<Vec<String>, CliError> {
    if !captured {
        return Ok(events);
    }
    let dir = data_dir()?.ok_or_else(|| CliError("--captured: this system has no data directory".into()))?;
    let files = crate::store::capture::Captures::in_dir(&dir).files();
    if files.is_empty() {
        return Err(CliError(format!(
            "--captured: no captures in {} yet (run `listen --capture`)",
            dir.root().display()
        )));
    }
    events.extend(files.into_iter().map(|p| p.to_string_lossy().into_owned()));
    Ok(events)
}

/// The conversion token from an environment variable (`None` when unset or blank); a value that
/// is not UTF-8 or holds a line break is an error naming the variable, never the value.
pub(super) fn token_from_env(var: &str) -> Result<Option<Secret>, CliError> {
    let Some(value) = std::env::var_os(var) else { return Ok(None) };
    let refused = |e: crate::secret::BadToken| CliError(format!("${var} {e}"));
    let value = value.into_string().map_err(|_| refused(crate::secret::BadToken::NotUtf8))?;
    Secret::token(value).map_err(refused)
}

/// The token the app keeps for `pixel` (the OS keychain, or the opt-in token file).
pub(super) fn stored_token(pixel: &str) -> Result<Option<Secret>, CliError> {
    let tokens = Tokens::new(Keychain::platform(), data_dir()?.as_ref(), None).read_only();
    match tokens.get(pixel) {
        Ok(found) => Ok(found.map(|(token, _)| token)),
        Err(e) => Err(CliError(format!("conversion token: {e}"))),
    }
}

/// The async runtime the network commands run on: two workers (the machine's size), all drivers.
pub(super) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError(format!("cannot start the async runtime: {e}")))
}
