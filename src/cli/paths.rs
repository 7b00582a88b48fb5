//! `reddit-capi-console paths`: where the console keeps its files.

use std::io::Write;

use clap::Args;
use serde_json::json;

use super::{CliError, EXIT_OK, Format};
use crate::paths::DataDir;

#[derive(Debug, Args)]
pub struct PathsArgs {
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub(super) fn run(args: PathsArgs, out: &mut impl Write) -> Result<u8, CliError> {
    let dir = DataDir::locate().ok_or_else(|| CliError("no data directory on this system".into()))?;
    let files = [
        ("workspace", dir.workspace()),
        ("settings", dir.settings()),
        ("history", dir.history()),
        ("tokens", dir.tokens()),
        ("window", dir.eframe_state()),
    ];
    match args.format {
        Format::Json => {
            let map: serde_json::Map<String, serde_json::Value> =
                files.iter().map(|(k, p)| (k.to_string(), json!(p.display().to_string()))).collect();
            writeln!(out, "{}", serde_json::Value::Object(map))?;
        }
        Format::Text => {
            for (k, p) in &files {
                writeln!(out, "{k:<10} {}", p.display())?;
            }
        }
    }
    Ok(EXIT_OK)
}
