//! `reddit-capi-console preview`: the exact requests for Segment events, with lints.

use std::io::Write;

use clap::Args;

use super::common::{EngineArgs, TOKEN_ENV, read_sources_on, token_from_env};
use super::pipeline::{self, JobsArg};
use super::{CliError, EXIT_OK, EXIT_REFUSED, Format, text};
use crate::engine::{Batching, Engine, Item, JsonLine, Options};
use crate::reddit::Authorization;
use crate::secret::Secret;

/// How `preview` (and `listen`) print what the mappings build.
#[derive(Debug, Args)]
pub(super) struct OutputArgs {
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(super) format: Format,
    /// Show the conversion token in the Authorization header instead of masking it.
    #[arg(long)]
    show_token: bool,
    /// JSON: also print each hashed identifier's raw → normalized → hash provenance.
    #[arg(long)]
    explain: bool,
}

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
    #[command(flatten)]
    output: OutputArgs,
    /// Also read the events `listen --capture` kept (after the files given).
    #[arg(long)]
    captured: bool,
    /// Event files (JSON object, JSON array or JSON Lines; plain or gzip) or directories of them,
    /// in name order; `-` or nothing reads stdin.
    events: Vec<String>,
}

pub(super) fn run(args: PreviewArgs, out: &mut impl Write) -> Result<u8, CliError> {
    let (engine, selection) = args.engine.engine()?;
    let events = super::common::with_captures(args.events, args.captured)?;
    let sources = read_sources_on(&events, args.jobs.get())?;
    let batching = match (args.batch, args.batch_size) {
        (true, Some(n)) => Batching::Size(usize::from(n)),
        (true, None) => Batching::All,
        (false, _) => Batching::Mappings,
    };
    let options = options(batching, &args.output)?;
    let mut printer = Printer::new(&engine, args.output.format, options.explain);
    let mut runner = engine.runner(selection, &options);
    let mut index = 0;
    // The event being run, for text labels (items of one event are emitted while it runs).
    let mut current = String::new();
    let text_labels = args.output.format == Format::Text;
    let prepare = |event: &crate::segment::Event| {
        (engine.prepare(selection, &options, event), text_labels.then(|| event.label()))
    };
    pipeline::run(&sources, args.jobs.get(), prepare, |events| {
        for ready in events {
            let (_, (prepared, label)) = ready?;
            if let Some(label) = label {
                current = label;
            }
            runner.accept(index, prepared, &mut |item| printer.print(out, &item, &current));
            index += 1;
        }
        Ok::<(), CliError>(())
    })?;
    runner.finish(&mut |item| printer.print(out, &item, ""));
    printer.finish()
}

/// The run options `preview` (and `listen`) build with: the token from the environment, masked
/// unless `--show-token`; provenance when explaining or printing text.
pub(super) fn options(batching: Batching, output: &OutputArgs) -> Result<Options, CliError> {
    let token = token_from_env(TOKEN_ENV)?;
    Ok(Options {
        batching,
        explain: output.explain || output.format == Format::Text,
        auth: Authorization::for_token(token.as_ref().map(Secret::expose), output.show_token),
        ..Options::default()
    })
}

/// Prints items as `preview` does: JSON lines or text. The first write error stops the printing
/// and is reported by [`Printer::finish`].
pub(super) struct Printer<'e> {
    engine: &'e Engine,
    format: Format,
    explain: bool,
    reference: String,
    line: Vec<u8>,
    refused: bool,
    failure: Option<std::io::Error>,
}

impl<'e> Printer<'e> {
    pub(super) fn new(engine: &'e Engine, format: Format, explain: bool) -> Printer<'e> {
        let reference =
            crate::mapping::release::body_reference(engine.settings.profile, engine.settings.api_version);
        Printer { engine, format, explain, reference, line: Vec::new(), refused: false, failure: None }
    }

    /// Prints one item; `current` labels the event in text.
    pub(super) fn print(&mut self, out: &mut impl Write, item: &Item, current: &str) {
        if self.failure.is_some() {
            return;
        }
        self.refused |= matches!(item, Item::Refused { .. });
        let written = match self.format {
            Format::Json => {
                self.line.clear();
                JsonLine { item, explain: self.explain, reference: Some(&self.reference) }
                    .write(&mut self.line);
                self.line.push(b'\n');
                out.write_all(&self.line)
            }
            Format::Text => text::write_item(out, item, current, self.engine),
        };
        if let Err(e) = written {
            self.failure = Some(e);
        }
    }

    /// The exit code (refused events: 1), or the write error.
    pub(super) fn finish(self) -> Result<u8, CliError> {
        if let Some(e) = self.failure {
            return Err(CliError(format!("writing output: {e}")));
        }
        Ok(if self.refused { EXIT_REFUSED } else { EXIT_OK })
    }
}
