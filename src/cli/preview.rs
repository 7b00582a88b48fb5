//! `reddit-capi-console preview`: the exact requests for Segment events, with lints.

use std::io::Write;

use clap::Args;

use super::common::{EngineArgs, TOKEN_ENV, read_sources_on, token_from_env};
use super::pipeline::{self, JobsArg};
use super::{CliError, EXIT_OK, EXIT_REFUSED, Format, text};
use crate::engine::{Batching, Item, JsonLine, Options};
use crate::reddit::Authorization;
use crate::secret::Secret;

#[derive(Debug, Args)]
pub struct PreviewArgs {
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    jobs: JobsArg,
    /// Batch each mapping's events into requests of up to 1,000.
    #[arg(long)]
    batch: bool,
    /// With --batch: close each batch after N events (1..=1000), refused ones included, as
    /// Segment hands a destination a batch of N events.
    #[arg(long, value_name = "N", requires = "batch", value_parser = clap::value_parser!(u16).range(1..=1000))]
    batch_size: Option<u16>,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Show the conversion token in the Authorization header instead of masking it.
    #[arg(long)]
    show_token: bool,
    /// JSON: also print each hashed identifier's raw → normalized → hash provenance.
    #[arg(long)]
    explain: bool,
    /// Event files (JSON object, JSON array or JSON Lines; plain or gzip) or directories of them,
    /// in name order; `-` or nothing reads stdin.
    events: Vec<String>,
}

pub(super) fn run(args: PreviewArgs, out: &mut impl Write) -> Result<u8, CliError> {
    let (engine, selection) = args.engine.engine()?;
    let sources = read_sources_on(&args.events, args.jobs.get())?;
    let token = token_from_env(TOKEN_ENV)?;
    let options = Options {
        batching: match (args.batch, args.batch_size) {
            (true, Some(n)) => Batching::Size(usize::from(n)),
            (true, None) => Batching::All,
            (false, _) => Batching::Mappings,
        },
        explain: args.explain || args.format == Format::Text,
        auth: Authorization::for_token(token.as_ref().map(Secret::expose), args.show_token),
        ..Options::default()
    };
    let reference =
        crate::mapping::release::body_reference(engine.settings.profile, engine.settings.api_version);
    let mut refused = false;
    let mut failure = None;
    let mut runner = engine.runner(selection, &options);
    let mut index = 0;
    // The event being run, for text labels (items of one event are emitted while it runs).
    let mut current = String::new();
    let mut line = Vec::new();
    let mut emit = |item: Item, current: &str| {
        if failure.is_some() {
            return;
        }
        refused |= matches!(item, Item::Refused { .. });
        let written = match args.format {
            Format::Json => {
                line.clear();
                JsonLine { item: &item, explain: options.explain, reference: Some(&reference) }
                    .write(&mut line);
                line.push(b'\n');
                out.write_all(&line)
            }
            Format::Text => text::write_item(out, &item, current, &engine),
        };
        if let Err(e) = written {
            failure = Some(e);
        }
    };
    let text_labels = args.format == Format::Text;
    let prepare = |event: &crate::segment::Event| {
        (engine.prepare(selection, &options, event), text_labels.then(|| event.label()))
    };
    pipeline::run(&sources, args.jobs.get(), prepare, |events| {
        for ready in events {
            let (_, (prepared, label)) = ready?;
            if let Some(label) = label {
                current = label;
            }
            runner.accept(index, prepared, &mut |item| emit(item, &current));
            index += 1;
        }
        Ok::<(), CliError>(())
    })?;
    runner.finish(&mut |item| emit(item, ""));
    if let Some(e) = failure {
        return Err(CliError(format!("writing output: {e}")));
    }
    Ok(if refused { EXIT_REFUSED } else { EXIT_OK })
}
