//! `reddit-capi-console check`: what Reddit would answer to Conversions API requests captured
//! elsewhere — bodies (JSON or JSON Lines), a cURL command line, a HAR file — with the warnings
//! and each identifier explained. The answers are the core validator's (`docs/reddit-rules.md`).

use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use super::common::expand_paths;
use super::{CliError, EXIT_OK, EXIT_REFUSED, Format};
use crate::capture::{self, Captured};
use crate::input;
use crate::timestamp;
use crate::verdict::{self, Api};

/// A body, cURL or JSON Lines input is read up to this size (a HAR is streamed, whatever its size).
const MAX_TEXT: u64 = 64 * 1024 * 1024;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The API version of bodies whose shape or URL does not tell it.
    #[arg(long, value_parser = parse_api)]
    api: Option<Api>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Judge `event_at` against this time (RFC 3339) instead of now.
    #[arg(long)]
    now: Option<String>,
    /// Files (plain or gzip) or directories of them: `.har` (HAR 1.2), a cURL command line, a JSON
    /// body or JSON Lines of bodies; `-` is stdin.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
}

fn parse_api(s: &str) -> Result<Api, String> {
    match s {
        "v2.0" | "v2" => Ok(Api::V2),
        "v3" => Ok(Api::V3),
        _ => Err(format!("unknown API version {s:?} (v2.0 or v3)")),
    }
}

pub(super) fn run(args: CheckArgs, out: &mut impl Write) -> Result<u8, CliError> {
    let now = match &args.now {
        Some(t) => verdict::formats::rfc3339_millis(t)
            .ok_or_else(|| CliError(format!("--now {t:?} is not an RFC 3339 time")))?,
        None => timestamp::now_millis(),
    };
    let mut code = EXIT_OK;
    let mut checked = 0;
    for input in &expand_paths(&args.inputs)? {
        let name = input.display().to_string();
        let mut requests = Vec::new();
        if is_har(input) {
            let file = input::open(input).map_err(|e| CliError(format!("{name}: {e}")))?.reader;
            let summary =
                capture::har_requests(&name, BufReader::with_capacity(1 << 16, file), |c| requests.push(c))
                    .map_err(|e| CliError(e.to_string()))?;
            if args.format == Format::Text {
                writeln!(
                    out,
                    "{name}: {} entries, {} to Reddit's conversions endpoints",
                    summary.entries, summary.matched
                )?;
            }
        } else {
            let text = read_text(input, &name)?;
            requests = capture::from_text(&name, &text).map_err(|e| CliError(e.to_string()))?;
        }
        for c in requests {
            code = code.max(report(&args, &c, now, out)?);
            checked += 1;
        }
    }
    if checked == 0 {
        return Err(CliError("no Conversions API request found in the inputs".into()));
    }
    Ok(code)
}

/// A `.har` file, or a gzip one (`.har.gz`).
fn is_har(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    name.ends_with(".har") || name.ends_with(".har.gz")
}

fn read_text(path: &Path, name: &str) -> Result<String, CliError> {
    let mut text = String::new();
    let opened = if name == "-" {
        input::decoded(std::io::stdin()).map(|(reader, _)| reader)
    } else {
        input::open(path).map(|opened| opened.reader)
    };
    let reader = opened.map_err(|e| CliError(format!("{name}: {e}")))?;
    reader.take(MAX_TEXT + 1).read_to_string(&mut text).map_err(|e| CliError(format!("{name}: {e}")))?;
    if text.len() as u64 > MAX_TEXT {
        return Err(CliError(format!(
            "{name}: larger than 64 MiB; split it, or save it as a .har to stream it"
        )));
    }
    Ok(text)
}

fn report(args: &CheckArgs, c: &Captured, now: i64, out: &mut impl Write) -> Result<u8, CliError> {
    let Some(capture::Checked { api, verdict: judged, identifiers: ids, .. }) =
        capture::check(c, args.api, None, now)
    else {
        return Err(CliError(format!(
            "{}: cannot tell the API version (no URL, and the body has neither \"data\" nor \"events\"); pass --api v2.0 or --api v3",
            c.place
        )));
    };
    let api_name = match api {
        Api::V2 => "v2.0",
        Api::V3 => "v3",
    };
    match args.format {
        Format::Json => writeln!(
            out,
            "{}",
            json!({"place": c.place, "api": api_name, "url": c.url, "pixel": c.pixel, "events": judged.events,
                   "test": judged.test, "status": judged.status, "reply": judged.reply,
                   "problems": judged.problems, "warnings": judged.warnings, "identifiers": ids})
        )?,
        Format::Text => {
            let what = if judged.accepted() { "Reddit would accept it" } else { "Reddit would refuse it" };
            let test = if judged.test { ", test" } else { "" };
            writeln!(
                out,
                "{}  {api_name}, {} event(s){test}: {} — {what}",
                c.place, judged.events, judged.status
            )?;
            writeln!(out, "  reply     {}", judged.reply)?;
            for p in &judged.problems {
                writeln!(out, "  refused   {}  {}  [{}]", p.path, p.message, p.rule)?;
            }
            for w in &judged.warnings {
                writeln!(out, "  warning   {}  {}  [{}]", w.path, w.message, w.rule)?;
            }
            for i in &ids {
                writeln!(out, "  id        {}  {}", i.path, i.note)?;
            }
        }
    }
    Ok(if judged.accepted() { EXIT_OK } else { EXIT_REFUSED })
}
