//! `import-segment` and `export-segment`: Segment's Public API configuration of a Reddit
//! Conversions API destination into a workspace and back (the conversion in
//! `workspace::segment`; here only files, stdin, the keychain and the output), read from and
//! written to Segment directly with `--from-api` and `--apply` (`net::segment`).

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::json;

use super::common::load_workspace;
use super::common::{MAX_CONFIG_BYTES, read_text_up_to};
use super::{CliError, EXIT_OK, EXIT_REFUSED};
use crate::net::segment::{SegmentApi, SegmentError};
use crate::secret::Secret;
use crate::secret::tokens::{Keychain, Place, TOKEN_ENV, TokenError, Tokens};
use crate::workspace::segment::api::{Change, Region, plan};
use crate::workspace::segment::{export, import};

/// Which Segment region's Public API to talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
enum RegionArg {
    /// api.segmentapis.com
    #[default]
    Us,
    /// eu1.api.segmentapis.com
    Eu,
}

/// Where Segment's Public API is: the region, or a stand-in endpoint.
#[derive(Debug, Args)]
struct ApiArgs {
    /// The workspace's region.
    #[arg(long, value_enum, default_value_t = RegionArg::Us)]
    region: RegionArg,
    /// Talk to this URL instead of Segment's (a local stand-in, for tests).
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
}

impl ApiArgs {
    /// The client, with the token from `$SEGMENT_TOKEN` or the keychain.
    fn client(&self) -> Result<SegmentApi, CliError> {
        let token = segment_token()?;
        let region = match self.region {
            RegionArg::Us => Region::Us,
            RegionArg::Eu => Region::Eu,
        };
        SegmentApi::new(&token, region, self.endpoint.as_deref()).map_err(|e| CliError(e.to_string()))
    }
}

fn segment_token() -> Result<Secret, CliError> {
    use crate::secret::segment::{TOKEN_ENV, get};
    match get(Keychain::platform) {
        Ok(Some((token, _))) => Ok(token),
        Ok(None) => Err(CliError(format!(
            "no Segment token: set ${TOKEN_ENV} to a Public API token (Segment: Settings → Access Management → Tokens)"
        ))),
        Err(e) => Err(CliError(format!("the Segment token: {e}"))),
    }
}

/// A Public API failure: a bad id or token is a usage error (exit 2); what Segment answered
/// (or that it could not be reached) is said on stderr, exit 1.
fn api_failed(e: SegmentError) -> Result<u8, CliError> {
    match e {
        SegmentError::Id(_) | SegmentError::BadToken | SegmentError::Endpoint(_) => {
            Err(CliError(e.to_string()))
        }
        e => {
            eprintln!("reddit-capi-console: {e}");
            Ok(EXIT_REFUSED)
        }
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The Public API's answer for the destination (`GET /destinations/{id}`): Pixel ID, test
    /// mode and the conversion token (never written to the workspace).
    #[arg(long, value_name = "FILE", conflicts_with = "from_api")]
    destination: Option<String>,
    /// Fetch the destination and all its subscriptions from Segment's Public API (token from
    /// $SEGMENT_TOKEN or the keychain) instead of reading files.
    #[arg(long, value_name = "DESTINATION_ID", conflicts_with = "subscriptions")]
    from_api: Option<String>,
    #[command(flatten)]
    api: ApiArgs,
    /// Write the workspace here (mode 0600) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Keep a conversion token found in the destination in the OS keychain (for its Pixel ID).
    #[arg(long)]
    store_token: bool,
    /// The Public API's answer for the destination's subscriptions
    /// (`GET /destinations/{id}/subscriptions`); `-` or nothing reads stdin.
    subscriptions: Option<String>,
}

/// What `export-segment` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ExportFormat {
    /// `{"subscriptions": [create bodies…], "notes": […]}`.
    Json,
    /// A shell script: one cURL per subscription, the token as `$SEGMENT_TOKEN`.
    Curl,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Workspace file (default: the saved workspace, else the built-in presets).
    #[arg(long)]
    workspace: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ExportFormat::Curl)]
    format: ExportFormat,
    /// Create and update the subscriptions in Segment (after showing what changes and asking).
    #[arg(long, conflicts_with = "format")]
    apply: bool,
    /// The destination to apply to (default: the one the workspace was imported from).
    #[arg(long, value_name = "ID", requires = "apply")]
    destination_id: Option<String>,
    /// Apply without asking (for scripts; without it and without a terminal, nothing is changed).
    #[arg(long, requires = "apply")]
    yes: bool,
    #[command(flatten)]
    api: ApiArgs,
}

pub(super) fn run_import(args: ImportArgs, out: &mut impl Write) -> Result<u8, CliError> {
    let read = |path: &str| read_text_up_to(path, MAX_CONFIG_BYTES);
    let (subscriptions, destination) = match &args.from_api {
        Some(id) => {
            let api = args.api.client()?;
            match super::common::runtime()?.block_on(api.fetch(id)) {
                Ok((subscriptions, destination)) => (subscriptions, Some(destination)),
                Err(e) => return api_failed(e),
            }
        }
        None => (
            read(args.subscriptions.as_deref().unwrap_or("-"))?.0,
            args.destination.as_deref().map(read).transpose()?.map(|(text, _)| text),
        ),
    };
    let imported = import(&subscriptions, destination.as_deref())?;
    for note in &imported.notes {
        eprintln!("note: {note}");
    }
    if let Some(token) = &imported.token {
        let pixel = &imported.workspace.settings.pixel_id;
        if args.store_token {
            Tokens::new(Keychain::platform(), None, None).put(pixel, token, Place::Keychain).map_err(|e| {
                CliError(match e {
                    TokenError::NoKeychain(why) => format!(
                        "--store-token: there is no OS keychain ({why}), so the token was not kept and nothing was written; rerun without --store-token and give send and replay the token in ${TOKEN_ENV}"
                    ),
                    e => format!("--store-token: {e}"),
                })
            })?;
            eprintln!(
                "note: the conversion token (••••{}) is in the OS keychain for Pixel ID {pixel}",
                token.tail()
            );
        } else {
            eprintln!(
                "note: the destination holds a conversion token (••••{}); rerun with --store-token to keep it in the OS keychain",
                token.tail()
            );
        }
    }
    let text = imported.workspace.to_export_json();
    match &args.output {
        Some(path) => crate::store::atomic::write(path, text.as_bytes())
            .map_err(|e| CliError(format!("{}: {e}", path.display())))?,
        None => out.write_all(text.as_bytes())?,
    }
    Ok(EXIT_OK)
}

pub(super) fn run_export(args: ExportArgs, out: &mut impl Write) -> Result<u8, CliError> {
    let workspace = load_workspace(args.workspace.as_deref())?;
    if args.apply {
        return apply(&args, &workspace, out);
    }
    let exported = export(&workspace);
    match args.format {
        ExportFormat::Json => {
            let value = json!({"subscriptions": exported.subscriptions, "notes": exported.notes});
            writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        }
        ExportFormat::Curl => {
            for note in &exported.notes {
                eprintln!("note: {note}");
            }
            out.write_all(exported.curl.as_bytes())?;
        }
    }
    Ok(EXIT_OK)
}

/// `export-segment --apply`: what would change, printed; asked for; then made, in order.
fn apply(
    args: &ExportArgs,
    workspace: &crate::workspace::Workspace,
    out: &mut impl Write,
) -> Result<u8, CliError> {
    let id = args
        .destination_id
        .clone()
        .or_else(|| workspace.segment.as_ref().and_then(|s| s.destination_id.clone()))
        .ok_or_else(|| {
            CliError("--apply: which destination? give --destination-id (the workspace names none)".into())
        })?;
    let api = args.api.client()?;
    let runtime = super::common::runtime()?;
    let existing = match runtime.block_on(api.subscriptions(&id)) {
        Ok(pages) => pages.into_subscriptions(),
        Err(e) => return api_failed(e),
    };
    let plan = plan(workspace, &existing).map_err(|e| CliError(e.to_string()))?;
    for note in &plan.notes {
        eprintln!("note: {note}");
    }
    writeln!(out, "destination {id}:")?;
    for line in plan.lines() {
        writeln!(out, "  {line}")?;
    }
    out.flush()?;
    if plan.is_empty() {
        writeln!(out, "nothing to change")?;
        return Ok(EXIT_OK);
    }
    let count = plan.changes.iter().filter(|c| !matches!(c, Change::Unchanged { .. })).count();
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(CliError(format!(
                "--apply: not changing {count} subscription(s) in Segment without a confirmation: there is no terminal to ask on; rerun with --yes"
            )));
        }
        eprint!("Apply these {count} change(s) to destination {id} in Segment? [y/N] ");
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            writeln!(out, "nothing changed")?;
            return Ok(EXIT_REFUSED);
        }
    }
    for change in &plan.changes {
        let done = match change {
            Change::Create { name, body } => {
                runtime.block_on(api.create(&id, body)).map(|()| format!("created {name:?}"))
            }
            Change::Update { name, id: sub, body, .. } => {
                runtime.block_on(api.update(&id, sub, body)).map(|()| format!("updated {name:?} ({sub})"))
            }
            Change::Unchanged { .. } => continue,
        };
        match done {
            Ok(line) => writeln!(out, "{line}")?,
            Err(e) => {
                out.flush()?;
                return api_failed(e);
            }
        }
    }
    Ok(EXIT_OK)
}
