//! The command line: one module per subcommand (`preview`, `hash`, `send`, `replay`, `report`,
//! `history`, `curl`, `emulate`, `listen`, `paths`, `sample`, `import-segment`, `export-segment`). The binary in
//! `main.rs` only calls [`main`]. Exit codes: 0 all built, 1 some events refused, 2 usage or
//! input error (message on stderr).

mod check;
mod common;
mod curl;
mod emulate;
mod hash;
mod history;
mod listen;
mod paths;
mod pipeline;
mod preview;
mod report;
mod sample;
mod segment;
mod send;
mod source;
mod text;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit code: everything was built.
pub const EXIT_OK: u8 = 0;
/// Exit code: some events (or values) were refused.
pub const EXIT_REFUSED: u8 = 1;
/// Exit code: usage or input error.
pub const EXIT_USAGE: u8 = 2;

/// Reddit CAPI Console: design, preview and test Segment → Reddit Conversions API mappings.
#[derive(Debug, Parser)]
#[command(name = "reddit-capi-console", about, long_about = None, disable_version_flag = true)]
pub struct Cli {
    /// Print the version, the Segment release the `segment` profile matches, and the data directory.
    #[arg(short = 'V', long)]
    pub version: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Json,
    /// For people.
    Text,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the exact requests the mappings build for Segment events.
    Preview(preview::PreviewArgs),
    /// Normalize and hash identifiers, showing every rule applied.
    Hash(hash::HashArgs),
    /// Say what Reddit would answer to captured requests: JSON / JSON Lines bodies, a cURL command
    /// line or a HAR file (its requests to the conversions endpoints), with warnings and identifiers.
    Check(check::CheckArgs),
    /// Send what `preview` builds to Reddit or the local emulator, and print each outcome.
    Send(send::SendArgs),
    /// Send large JSON Lines files in requests of up to 1,000 events, with a summary.
    Replay(send::ReplayArgs),
    /// Sum up a whole file of events: per mapping matched/built/refused, identifier coverage
    /// and signals, normalization, lints, timing, deduplication.
    Report(report::ReportArgs),
    /// List past sends (newest first).
    History(history::HistoryArgs),
    /// Print a runnable cURL command for each request, the token as $REDDIT_CONVERSION_TOKEN.
    Curl(curl::CurlArgs),
    /// Run the local Reddit emulator on a loopback port.
    Emulate(emulate::EmulateArgs),
    /// Be a Segment collection endpoint on a loopback port: print each arriving event run
    /// through the mappings, as `preview` does; --capture keeps the events.
    Listen(listen::ListenArgs),
    /// Print where the workspace, settings, history and token file live.
    Paths(paths::PathsArgs),
    /// Print a ready-made Segment event (Order Completed unless named), stamped now.
    Sample(sample::SampleArgs),
    /// Read Segment's Public API answers (a destination's subscriptions, the destination) into a workspace.
    ImportSegment(segment::ImportArgs),
    /// Print a workspace's mappings as Segment Public API subscriptions, with a cURL per subscription.
    ExportSegment(segment::ExportArgs),
}

/// Why a command stopped (bad usage or input, an unreadable file, a send that could not be set
/// up), reported on stderr with exit code 2.
#[derive(Debug)]
pub struct CliError(pub String);

/// The failures commands pass on with `?`, each reported by its own message.
macro_rules! cli_error_from {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for CliError {
            fn from(e: $error) -> CliError {
                CliError(e.to_string())
            }
        }
    )*};
}

cli_error_from!(
    std::io::Error,
    serde_json::Error,
    crate::segment::EventsError,
    crate::workspace::WorkspaceError,
    crate::workspace::segment::ImportError,
    crate::net::SessionError,
);

/// `--version`: [`crate::about::lines`], the data directory where it would be (not created).
fn version(out: &mut impl Write) -> Result<u8, CliError> {
    let dir = crate::paths::DataDir::locate();
    for line in crate::about::lines(dir.as_ref().map(crate::paths::DataDir::root)) {
        writeln!(out, "{line}")?;
    }
    Ok(EXIT_OK)
}

/// Runs the command line with the process's arguments.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = match cli.command {
        _ if cli.version => version(&mut out),
        Some(Command::Preview(args)) => preview::run(args, &mut out),
        Some(Command::Hash(args)) => hash::run(args, &mut out),
        Some(Command::Check(args)) => check::run(args, &mut out),
        Some(Command::Send(args)) => send::run_send(args, &mut out),
        Some(Command::Replay(args)) => send::run_replay(args, &mut out),
        Some(Command::Report(args)) => report::run(args, &mut out),
        Some(Command::History(args)) => history::run(args, &mut out),
        Some(Command::Curl(args)) => curl::run(args, &mut out),
        Some(Command::Emulate(args)) => emulate::run(args),
        Some(Command::Listen(args)) => listen::run(args, &mut out),
        Some(Command::Paths(args)) => paths::run(args, &mut out),
        Some(Command::Sample(args)) => sample::run(args, &mut out),
        Some(Command::ImportSegment(args)) => segment::run_import(args, &mut out),
        Some(Command::ExportSegment(args)) => segment::run_export(args, &mut out),
        None if cfg!(feature = "gui") => {
            Err(CliError("no command given (run without arguments for the desktop app; see --help)".into()))
        }
        None => Err(CliError("no command given (this build has no desktop app; see --help)".into())),
    };
    let flushed = out.flush();
    match result {
        Ok(code) if flushed.is_ok() => ExitCode::from(code),
        Ok(_) => ExitCode::from(EXIT_USAGE),
        Err(CliError(message)) => {
            eprintln!("reddit-capi-console: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
