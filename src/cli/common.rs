//! What several commands share: the workspace/mapping/API/profile arguments, building the
//! engine, reading event files (all syntax-checked before anything runs), the token.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

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
        let (text, _) = read_text_up_to(&path.to_string_lossy(), MAX_CONFIG_BYTES).map_err(|e| failed(&e))?;
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

/// The most a workspace file or a Segment Public API answer may hold: a destination has at most
/// 50 subscriptions of a few KB each, so a larger file is not one (and parsing it as JSON would
/// take several times its size).
pub(super) const MAX_CONFIG_BYTES: usize = 16 << 20;

/// The text of an events file (or of standard input for `-`), plain or gzip, and its label for
/// errors, up to [`MAX_INPUT_BYTES`] of text.
pub(super) fn read_text(path: &str) -> Result<(String, String), EventsError> {
    read_text_up_to(path, MAX_INPUT_BYTES)
}

/// [`read_text`] up to `cap` bytes of text.
pub(super) fn read_text_up_to(path: &str, cap: usize) -> Result<(String, String), EventsError> {
    if path == "-" {
        let (stdin, _) = input::decoded(std::io::stdin()).map_err(|e| EventsError::io("<stdin>", &e))?;
        return read_capped(stdin, "<stdin>", 0, cap);
    }
    let file = File::open(path).map_err(|e| EventsError::io(path, &e))?;
    read_open_up_to(&file, path, cap)
}

/// An open file's text from its start (plain or gzip), labelled `path`, up to
/// [`MAX_INPUT_BYTES`]: a regular file as far as [`settled_text`] reads it, anything else to its
/// end.
pub(super) fn read_open(file: &File, path: &str) -> Result<(String, String), EventsError> {
    read_open_up_to(file, path, MAX_INPUT_BYTES)
}

fn read_open_up_to(file: &File, path: &str, cap: usize) -> Result<(String, String), EventsError> {
    if file.metadata().is_ok_and(|m| m.is_file()) {
        let (reader, hint) = settled_text(file, path)?;
        // One byte past the cap is enough to refuse a file over it.
        return read_capped(reader.take(cap as u64 + 1), path, hint, cap);
    }
    let clone = file.try_clone().map_err(|e| EventsError::io(path, &e))?;
    let (reader, _) = input::decoded(clone).map_err(|e| EventsError::io(path, &e))?;
    read_capped(reader, path, 0, cap)
}

/// An open regular file's text from its start, as far as the file reached when it was opened: a
/// plain file up to its [`settled_length`] (what a writer appends meanwhile is not read, nor a
/// last line it is still writing, so a file that keeps growing is not read for ever), a gzip
/// file decompressed up to its compressed length now. Also the bytes to reserve for the text (a
/// plain file's length; 0 for gzip, whose text length is unknown).
pub(super) fn settled_text(
    mut file: &File,
    path: &str,
) -> Result<(Box<dyn Read + Send>, usize), EventsError> {
    let io = |e: std::io::Error| EventsError::io(path, &e);
    let mut head = [0u8; 2];
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let got = file.read(&mut head).map_err(io)?;
    let gzip = got == head.len() && head == input::GZIP_MAGIC;
    let length = if gzip { file.metadata().map_err(io)?.len() } else { settled_length(file).map_err(io)? };
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let (reader, _) = input::decoded(file.try_clone().map_err(io)?.take(length)).map_err(io)?;
    Ok((reader, if gzip { 0 } else { usize::try_from(length).unwrap_or(usize::MAX) }))
}

/// How much of a plain regular file to read: its length now, less a last line still being
/// written (the file ends without a line break and has grown since: a writer is appending to it).
/// The file is left at its start.
pub(super) fn settled_length(mut file: &File) -> std::io::Result<u64> {
    const TAIL: u64 = 1 << 20;
    let length = file.metadata()?.len();
    let tail_start = length.saturating_sub(TAIL);
    file.seek(SeekFrom::Start(tail_start))?;
    let mut tail = Vec::new();
    file.take(length - tail_start).read_to_end(&mut tail)?;
    file.seek(SeekFrom::Start(0))?;
    let still_growing = file.metadata()?.len() > length;
    Ok(whole_lines(length, tail_start, &tail, still_growing))
}

/// [`settled_length`]'s rule: a text of `length` bytes whose last bytes, from `tail_start`, are
/// `tail` ends at its last line break when it ends inside a line that is still growing.
fn whole_lines(length: u64, tail_start: u64, tail: &[u8], still_growing: bool) -> u64 {
    match tail.iter().rposition(|&b| b == b'\n') {
        Some(i) if still_growing && tail.last() != Some(&b'\n') => tail_start + i as u64 + 1,
        _ => length,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_last_line_still_being_written_is_left_for_later() {
        let text = b"{\"a\":1}\n{\"b\":2}\n{\"c\":";
        let length = text.len() as u64;
        // Growing, cut inside its last line: up to the last line break.
        assert_eq!(whole_lines(length, 0, text, true), 16);
        assert_eq!(whole_lines(length + 100, 100, text, true), 116, "the tail's offset counts");
        // Not growing: a last line without a break is the file's end, read (and checked) whole.
        assert_eq!(whole_lines(length, 0, text, false), length);
        // Growing but ending at a line break, or with no line break at all: as it is.
        assert_eq!(whole_lines(16, 0, &text[..16], true), 16);
        assert_eq!(whole_lines(4, 0, b"{\"c\"", true), 4);
        // On a real file that is not growing: its length, and left at its start.
        let dir = crate::test_dir::TestDir::created("settled");
        let path = dir.join("e.jsonl");
        std::fs::write(&path, text).unwrap();
        let mut file = File::open(&path).unwrap();
        assert_eq!(settled_length(&file).unwrap(), length);
        assert_eq!(file.stream_position().unwrap(), 0);
    }
}
