//! `reddit-capi-console history`: past sends, newest first.

use std::io::Write;

use clap::Args;

use super::common::data_dir;
use super::{CliError, EXIT_OK, Format};
use crate::store::history::{History, Phase};

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// How many attempts to list (newest first).
    #[arg(long, default_value_t = 20)]
    limit: usize,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub(super) fn run(args: HistoryArgs, out: &mut impl Write) -> Result<u8, CliError> {
    let dir = data_dir()?.ok_or_else(|| CliError("no data directory on this system".into()))?;
    let history = History::in_dir(&dir);
    let loaded = history.read().map_err(|e| CliError(format!("{}: {e}", history.path().display())))?;
    if loaded.skipped_lines > 0 {
        eprintln!(
            "reddit-capi-console: {} unreadable line(s) in {} were skipped (a send interrupted by a crash leaves one)",
            loaded.skipped_lines,
            history.path().display()
        );
    }
    for entry in loaded.entries.iter().rev().take(args.limit) {
        match args.format {
            Format::Json => {
                writeln!(out, "{}", serde_json::to_string(entry).map_err(|e| CliError(e.to_string()))?)?
            }
            Format::Text => {
                let a = &entry.attempt;
                let result = match entry.state {
                    Phase::Pending => {
                        "PENDING (no answer recorded: the process stopped mid-send)".to_string()
                    }
                    Phase::Completed => {
                        let status = a.status.map(|s| format!("{s} ")).unwrap_or_default();
                        format!("{status}{}", a.outcome.message)
                    }
                };
                writeln!(
                    out,
                    "{} {} #{} {} {} {} {} event{} → {}",
                    a.started_at,
                    entry.send_id,
                    a.number,
                    entry.endpoint,
                    if entry.test { "test" } else { "PRODUCTION" },
                    entry.mapping,
                    entry.event_count,
                    if entry.event_count == 1 { "" } else { "s" },
                    result
                )?;
            }
        }
    }
    Ok(EXIT_OK)
}
