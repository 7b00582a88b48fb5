//! `import-segment` and `export-segment`: Segment's Public API configuration of a Reddit
//! Conversions API destination into a workspace and back (the conversion in
//! `workspace::segment`; here only files, stdin, the keychain and the output).

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::json;

use super::common::load_workspace;
use super::common::{MAX_CONFIG_BYTES, read_text_up_to};
use super::{CliError, EXIT_OK};
use crate::secret::tokens::{Keychain, Place, TOKEN_ENV, TokenError, Tokens};
use crate::workspace::segment::{export, import};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The Public API's answer for the destination (`GET /destinations/{id}`): Pixel ID, test
    /// mode and the conversion token (never written to the workspace).
    #[arg(long, value_name = "FILE")]
    destination: Option<String>,
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
}

pub(super) fn run_import(args: ImportArgs, out: &mut impl Write) -> Result<u8, CliError> {
    let read = |path: &str| read_text_up_to(path, MAX_CONFIG_BYTES);
    let (subscriptions, _) = read(args.subscriptions.as_deref().unwrap_or("-"))?;
    let destination = args.destination.as_deref().map(read).transpose()?;
    let imported = import(&subscriptions, destination.as_ref().map(|(text, _)| text.as_str()))?;
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
