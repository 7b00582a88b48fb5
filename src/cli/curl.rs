//! `reddit-capi-console curl`: a runnable cURL command for each request `preview` would build,
//! with `$REDDIT_CONVERSION_TOKEN` in place of the token.

use std::io::Write;

use clap::Args;

use super::common::{EngineArgs, read_sources};
use super::{CliError, EXIT_OK, EXIT_REFUSED};
use crate::engine::{Batching, Item, Options};
use crate::net::curl;

#[derive(Debug, Args)]
pub struct CurlArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// Batch each mapping's events into requests of up to 1,000.
    #[arg(long)]
    batch: bool,
    /// Send to this base URL instead of Reddit (e.g. a running `emulate`).
    #[arg(long)]
    endpoint: Option<String>,
    /// Event files (plain or gzip) or directories of them, in name order; `-` or nothing reads stdin.
    events: Vec<String>,
}

pub(super) fn run(args: CurlArgs, out: &mut impl Write) -> Result<u8, CliError> {
    if let Some(problem) = args.endpoint.as_deref().and_then(crate::reddit::settings::endpoint_problem) {
        return Err(CliError(format!("--endpoint: {problem}")));
    }
    let (engine, selection) = args.engine.engine()?;
    let sources = read_sources(&args.events)?;
    let options = Options {
        batching: if args.batch { Batching::All } else { Batching::Mappings },
        base_url: args.endpoint.clone(),
        ..Options::default()
    };
    let mut refused = false;
    // Each command is written as soon as it is built: memory holds one batch, not the output.
    let mut written = Ok(());
    let mut runner = engine.runner(selection, &options);
    let mut index = 0;
    let mut emit = |item: Item| {
        // Comments escape control characters: a name with a line break cannot start a command.
        let line = match item {
            Item::Request { mapping, request, event_indexes, .. } => {
                let about = curl::comment(&format!("{mapping}: event(s) {event_indexes:?}"));
                format!("{about}\n{}\n", curl::render(&request))
            }
            Item::Refused { event_index, mapping, error } => {
                refused = true;
                let about =
                    format!("event {event_index} → {mapping:?} refused: {}: {}", error.field, error.message);
                format!("{}\n", curl::comment(&about))
            }
            _ => return,
        };
        if written.is_ok() {
            written = writeln!(out, "{line}");
        }
    };
    for source in &sources {
        for event in source.events() {
            runner.push(index, &event?, &mut emit);
            index += 1;
        }
    }
    runner.finish(&mut emit);
    written?;
    Ok(if refused { EXIT_REFUSED } else { EXIT_OK })
}
