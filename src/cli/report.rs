//! `reddit-capi-console report`: a whole file of events at once — per mapping matched, built
//! and refused, identifier coverage and signals, normalization, lints, timing, deduplication.

use std::io::Write;
use std::path::Path;

use clap::{Args, ValueEnum};

use super::common::{EngineArgs, expand};
use super::{CliError, EXIT_OK, EXIT_REFUSED};
use crate::input;
use crate::report::{self, Corpus};
use crate::segment::{Event, EventReader, EventsError};

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ReportFormat {
    /// For people: aligned columns.
    Text,
    /// One JSON object, for tools.
    Json,
    /// Headings and tables to paste into a ticket.
    Markdown,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    engine: EngineArgs,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// "Now" for the timing section (an RFC 3339 timestamp; default: the clock).
    #[arg(long, value_parser = parse_now)]
    now: Option<i64>,
    /// Also read the events `listen --capture` kept (after the files given).
    #[arg(long)]
    captured: bool,
    /// Event files (JSON Lines, a JSON array or objects; plain or gzip) or directories of them (read
    /// in name order), read as a stream; `-` or nothing reads stdin.
    events: Vec<String>,
}

fn parse_now(s: &str) -> Result<i64, String> {
    match crate::timestamp::parse(s) {
        Some(crate::timestamp::Parsed::Calendar(ms)) => Ok(ms),
        _ => Err(format!("{s:?} is not a timestamp (e.g. 2026-12-01T12:00:00Z)")),
    }
}

/// The events of one source (plain or gzip), streamed (an error opening it is its only item).
fn source(path: &str) -> Box<dyn Iterator<Item = Result<Event, EventsError>> + Send> {
    let opened = if path == "-" {
        input::decoded(std::io::stdin()).map(|(reader, _)| (reader, "<stdin>".to_string()))
    } else {
        input::open(Path::new(path)).map(|opened| (opened.reader, path.to_string()))
    };
    match opened {
        Ok((reader, label)) => Box::new(EventReader::new(reader, label)),
        Err(e) => Box::new(std::iter::once(Err(EventsError::io(path, &e)))),
    }
}

pub(super) fn run(args: ReportArgs, out: &mut impl Write) -> Result<u8, CliError> {
    let (engine, selection) = args.engine.engine()?;
    let events = super::common::with_captures(args.events, args.captured)?;
    let sources = if events.is_empty() { vec!["-".to_string()] } else { expand(&events)? };
    let events = sources.into_iter().flat_map(|s| source(&s));
    let mut corpus = Corpus::new(&engine, selection, args.now.unwrap_or_else(crate::timestamp::now_millis));
    report::run(&mut corpus, events, |_| true)?;
    let report = corpus.finish();
    let written = match args.format {
        ReportFormat::Json => serde_json::to_writer_pretty(&mut *out, &report)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n")),
        ReportFormat::Text => out.write_all(report::text(&report).as_bytes()),
        ReportFormat::Markdown => out.write_all(report::markdown(&report).as_bytes()),
    };
    written.map_err(|e| CliError(format!("writing output: {e}")))?;
    let refused = report.mappings.iter().any(|m| m.refused > 0);
    Ok(if refused { EXIT_REFUSED } else { EXIT_OK })
}
