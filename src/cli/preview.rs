//! `reddit-capi-console preview`: the exact requests for Segment events, with lints.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{EXIT_OK, EXIT_REFUSED, Format, UsageError, text};
use crate::engine::{Engine, Item, JsonLine, Options, Selection};
use crate::identity::Profile;
use crate::reddit::{ApiVersion, Authorization};
use crate::segment::{check_syntax, read_text, stream_events};
use crate::workspace::Workspace;

/// Environment variable holding the conversion token.
pub const TOKEN_ENV: &str = "REDDIT_CONVERSION_TOKEN";

#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// Workspace file (default: the saved workspace, else the built-in presets).
    #[arg(long)]
    workspace: Option<PathBuf>,
    /// Apply this one mapping to every event, whatever its trigger (Segment's "test mapping").
    #[arg(long)]
    mapping: Option<String>,
    /// API version: v2.0 or v3 (default: the workspace's).
    #[arg(long, value_parser = parse_api)]
    api: Option<ApiVersion>,
    /// Normalization profile: segment or reddit (default: the workspace's).
    #[arg(long, value_parser = parse_profile)]
    profile: Option<Profile>,
    /// Batch each mapping's events into requests of up to 1,000.
    #[arg(long)]
    batch: bool,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Show the conversion token in the Authorization header instead of masking it.
    #[arg(long)]
    show_token: bool,
    /// JSON: also print each hashed identifier's raw → normalized → hash provenance.
    #[arg(long)]
    explain: bool,
    /// Event files (JSON object, JSON array or JSON Lines); `-` or nothing reads stdin.
    events: Vec<String>,
}

fn parse_api(s: &str) -> Result<ApiVersion, String> {
    ApiVersion::parse(s).ok_or_else(|| format!("unknown API version {s:?} (expected v2.0 or v3)"))
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse().map_err(|e: crate::identity::UnknownProfile| e.to_string())
}

/// The workspace a command works on: `--workspace`, else the saved one, else the presets.
pub fn load_workspace(path: Option<&std::path::Path>) -> Result<Workspace, UsageError> {
    let (path, explicit) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => match crate::paths::workspace_file().filter(|p| p.exists()) {
            Some(p) => (p, false),
            None => return Ok(Workspace::presets()),
        },
    };
    Workspace::load(&path).map_err(|e| {
        let which = if explicit { "workspace" } else { "saved workspace" };
        UsageError(format!("{which} {}: {e}", path.display()))
    })
}

pub fn run(args: PreviewArgs, out: &mut impl Write) -> Result<u8, UsageError> {
    let workspace = load_workspace(args.workspace.as_deref())?;
    let mut settings = workspace.settings.clone();
    if let Some(api) = args.api {
        settings.api_version = api;
    }
    if let Some(profile) = args.profile {
        settings.profile = profile;
    }
    let engine = Engine::new(&workspace, settings)?;
    let selection = match &args.mapping {
        Some(name) => Selection::Mapping(engine.find(name).ok_or_else(|| {
            let names: Vec<&str> = engine.mappings.iter().map(|m| m.name.as_str()).collect();
            UsageError(format!("no mapping named {name:?}; mappings: {}", names.join(", ")))
        })?),
        None => Selection::Triggers,
    };
    let sources = if args.events.is_empty() { vec!["-".to_string()] } else { args.events.clone() };
    let token = std::env::var(TOKEN_ENV).ok();
    let options = Options {
        batch: args.batch,
        explain: args.explain || args.format == Format::Text,
        auth: Authorization::for_token(token.as_deref(), args.show_token),
        ..Options::default()
    };
    let mut refused = false;
    let mut failure = None;
    let mut runner = engine.runner(selection, &options);
    let mut index = 0;
    // The event being run, for text labels (items of one event are emitted while it runs).
    let mut current = String::new();
    let mut emit = |item: Item, current: &str| {
        if failure.is_some() {
            return;
        }
        refused |= matches!(item, Item::Refused { .. });
        let written = match args.format {
            Format::Json => {
                serde_json::to_writer(&mut *out, &JsonLine { item: &item, explain: options.explain })
                    .map_err(std::io::Error::from)
                    .and_then(|()| out.write_all(b"\n"))
            }
            Format::Text => text::write_item(out, &item, current, &engine),
        };
        if let Err(e) = written {
            failure = Some(e);
        }
    };
    // Every file is read and its syntax checked before anything is printed.
    let mut texts = Vec::with_capacity(sources.len());
    for source in &sources {
        let (text, label) = read_text(source)?;
        check_syntax(&text, &label)?;
        texts.push((text, label));
    }
    for (text, label) in &texts {
        for event in stream_events(text, label) {
            let event = event?;
            if args.format == Format::Text {
                current = event.label();
            }
            runner.push(index, &event, &mut |item| emit(item, &current));
            index += 1;
        }
    }
    runner.finish(&mut |item| emit(item, ""));
    if let Some(e) = failure {
        return Err(UsageError(format!("writing output: {e}")));
    }
    Ok(if refused { EXIT_REFUSED } else { EXIT_OK })
}
