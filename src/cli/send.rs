//! `send` and `replay`: what `preview` builds, sent to Reddit or the local emulator, each
//! outcome printed, every attempt in history. Exit code 0 only if every request was accepted.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::json;

use super::common::{EngineArgs, TOKEN_ENV, data_dir, read_sources_on, stored_token, token_from_env};
use super::pipeline::{self, JobsArg};
use super::source::Source;
use super::{CliError, EXIT_OK, EXIT_REFUSED, Format};
use crate::engine::{Batching, Item, JsonLine, Options, Prepared, Runner};
use crate::net::session::Setup;
use crate::net::session::Target;
use crate::net::{Cancel, Dispatcher, Endpoint, Sent, Session};
use crate::reddit::{Authorization, Settings};
use crate::secret::Secret;
use crate::store::history::{History, Phase};

/// Where and how to send.
#[derive(Debug, Args)]
pub(super) struct TargetArgs {
    /// `reddit`, `emulator` (an in-process local Reddit) or a base URL such as
    /// http://127.0.0.1:7878. Default: the emulator until a token is set, then Reddit.
    #[arg(long)]
    endpoint: Option<String>,
    /// Environment variable holding the conversion token.
    #[arg(long, default_value = TOKEN_ENV)]
    token_env: String,
    /// Allow a production send (test mode off) to Reddit.
    #[arg(long)]
    production: bool,
    /// Proxy URL for every request (default: HTTPS_PROXY / HTTP_PROXY / NO_PROXY).
    #[arg(long)]
    proxy: Option<String>,
    /// Seconds to wait for a connection (at least 1).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    connect_timeout: u64,
    /// Seconds for a whole request, connection to last byte (at least 1).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    target: TargetArgs,
    /// Batch each mapping's events into requests of up to 1,000.
    #[arg(long)]
    batch: bool,
    /// Event files (JSON object, JSON array or JSON Lines; plain or gzip) or directories of them,
    /// in name order; `-` reads stdin.
    #[arg(required = true)]
    events: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    target: TargetArgs,
    /// Skip the requests the history shows accepted by this endpoint in an earlier run: the same
    /// URL (API version and Pixel ID) and the same body byte for byte, so a replay stopped or
    /// killed half way goes on, and nothing changed since (the file, the workspace) is skipped.
    #[arg(long)]
    resume: bool,
    /// Stop after this many requests in a row failed (after their retries), with a summary.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    max_failures: u32,
    #[command(flatten)]
    jobs: JobsArg,
    /// JSON Lines files of Segment events (plain or gzip), or directories of them in name order.
    #[arg(required = true)]
    files: Vec<String>,
}

/// What only `replay` does.
struct ReplayMode {
    resume: bool,
    max_failures: u32,
    /// Workers preparing events.
    jobs: usize,
}

pub(super) fn run_send(args: SendArgs, out: &mut impl Write) -> Result<u8, CliError> {
    let batching = if args.batch { Batching::All } else { Batching::Mappings };
    run(&args.engine, &args.target, batching, &args.events, None, out)
}

pub(super) fn run_replay(args: ReplayArgs, out: &mut impl Write) -> Result<u8, CliError> {
    let mode = ReplayMode { resume: args.resume, max_failures: args.max_failures, jobs: args.jobs.get() };
    run(&args.engine, &args.target, Batching::All, &args.files, Some(mode), out)
}

/// Tallies for the replay summary.
#[derive(Debug, Default)]
struct Tally {
    events: usize,
    requests: usize,
    accepted_requests: usize,
    accepted_events: usize,
    failed_requests: usize,
    blocked_requests: usize,
    refused_events: usize,
    unmatched_events: usize,
    retries: usize,
    /// Requests (and their events) skipped by `--resume`: accepted in an earlier run.
    skipped_requests: usize,
    skipped_events: usize,
    /// Requests (and their events) `--resume` sent again whose answer an earlier run never
    /// recorded: it stopped while they were in flight, so they may have been accepted already.
    resent_requests: usize,
    resent_events: usize,
    /// Failed requests since the last one that did not fail.
    consecutive_failures: u32,
}

/// Reads and checks everything before anything is sent, then sends through one session.
fn run(
    engine_args: &EngineArgs,
    target: &TargetArgs,
    batching: Batching,
    sources: &[String],
    replay_mode: Option<ReplayMode>,
    out: &mut impl Write,
) -> Result<u8, CliError> {
    let (engine, selection) = engine_args.engine()?;
    let jobs = replay_mode.as_ref().map_or(1, |m| m.jobs);
    let sources = read_sources_on(sources, jobs)?;
    let user_token = user_token(target, &engine.settings.pixel_id)?;
    let to = match target.endpoint.as_deref() {
        Some(endpoint) => Target::parse(endpoint)?,
        None if user_token.is_some() => Target::Reddit,
        None => Target::Emulator,
    };
    let (engine, selection) =
        if to == Target::Emulator { engine_args.engine_for_emulator()? } else { (engine, selection) };
    let runtime = super::common::runtime()?;
    runtime.block_on(async {
        let session = target.session(&engine.settings, user_token).start(to).await?;
        let history = data_dir()?.map(|d| History::in_dir(&d));
        let accepted_before = accepted_before(replay_mode.as_ref(), history.as_ref(), session.endpoint())?;
        let options = Options {
            batching: session.batching(batching),
            explain: false,
            auth: Authorization::for_token(Some(session.token().expose()), false),
            base_url: Some(session.endpoint().base_url().to_string()),
            ..Options::default()
        };
        let replay = replay_mode.is_some();
        let mut run = Run {
            dispatcher: session.dispatcher(history.as_ref(), Cancel::default()),
            accepted_before,
            max_failures: replay_mode.as_ref().map_or(u32::MAX, |m| m.max_failures),
            output: Output::new(out, target.format, replay.then(|| sources.iter().map(|s| s.events).sum())),
        };
        let prepare = |event: &crate::segment::Event| engine.prepare(selection, &options, event);
        // Events are prepared on worker threads while this one sends, one request at a time.
        let stopped = tokio::task::block_in_place(|| {
            run.all(engine.runner(selection, &options), &sources, jobs, prepare)
        })?;
        let code = run.finish(session.endpoint(), stopped);
        session.close().await;
        code
    })
}

impl TargetArgs {
    /// The session these options ask for, with the user's token.
    fn session<'a>(&self, settings: &'a Settings, token: Option<Secret>) -> Setup<'a> {
        Session::setup(settings)
            .token(token)
            .token_env(&self.token_env)
            .proxy(self.proxy.clone())
            .timeouts(Duration::from_secs(self.connect_timeout), Duration::from_secs(self.timeout))
            .production(self.production)
    }
}

/// The environment's token first, then what the app keeps for this pixel (not looked up for the
/// emulator).
fn user_token(target: &TargetArgs, pixel: &str) -> Result<Option<Secret>, CliError> {
    match (token_from_env(&target.token_env)?, target.endpoint.as_deref()) {
        (Some(token), _) => Ok(Some(token)),
        (None, Some("emulator")) => Ok(None),
        (None, _) => stored_token(pixel),
    }
}

/// What `--resume` skips: the requests the history shows accepted by `endpoint`.
fn accepted_before(
    replay_mode: Option<&ReplayMode>,
    history: Option<&History>,
    endpoint: &Endpoint,
) -> Result<Earlier, CliError> {
    match (replay_mode, history) {
        (Some(ReplayMode { resume: true, .. }), Some(history)) => earlier_requests(history, endpoint),
        (Some(ReplayMode { resume: true, .. }), None) => {
            Err(CliError("--resume: no data directory, so no history to resume from".into()))
        }
        _ => Ok(Earlier::default()),
    }
}

/// A send under way: the requests going out, and the output they make.
struct Run<'d, 'o, W: Write> {
    dispatcher: Dispatcher<'d>,
    accepted_before: Earlier,
    max_failures: u32,
    output: Output<'o, W>,
}

impl<W: Write> Run<'_, '_, W> {
    /// Every event of every source (prepared by `jobs` workers), then what the runner still
    /// holds (batches); `true` when stopped after `max_failures` failed requests in a row. Runs
    /// on a runtime thread that may block.
    fn all(
        &mut self,
        mut runner: Runner<'_>,
        sources: &[Source],
        jobs: usize,
        prepare: impl Fn(&crate::segment::Event) -> Prepared + Sync,
    ) -> Result<bool, CliError> {
        let runtime = tokio::runtime::Handle::current();
        let stopped = pipeline::run(sources, jobs, prepare, |events| {
            for (index, ready) in events.enumerate() {
                let (label, prepared) = ready?;
                let mut items = Vec::new();
                runner.accept(index, prepared, &mut |item| items.push(item));
                self.output.tally.events += 1;
                for item in items {
                    if runtime.block_on(self.item(item, label)) {
                        return Ok::<bool, CliError>(true);
                    }
                }
            }
            Ok(false)
        })?;
        if stopped {
            return Ok(true);
        }
        let mut items = Vec::new();
        runner.finish(&mut |item| items.push(item));
        let last_label = sources.last().map_or("", |s| s.label.as_str());
        for item in items {
            if runtime.block_on(self.item(item, last_label)) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Ends the output (a replay's summary; history errors on stderr) and gives the exit code.
    fn finish(mut self, endpoint: &Endpoint, stopped: bool) -> Result<u8, CliError> {
        if let Some(bar) = &self.output.bar {
            bar.finish_and_clear();
        }
        if self.output.replay {
            self.output.summary(endpoint, stopped.then_some(self.max_failures));
        }
        for e in &self.dispatcher.history_errors {
            eprintln!("reddit-capi-console: history not written: {e}");
        }
        if let Some(e) = self.output.failure {
            return Err(CliError(format!("writing output: {e}")));
        }
        // A send the history does not hold is not a clean success: the record is part of the job.
        let tally = &self.output.tally;
        let all_good = tally.failed_requests == 0
            && tally.blocked_requests == 0
            && tally.refused_events == 0
            && self.dispatcher.history_errors.is_empty()
            && !stopped;
        Ok(if all_good { EXIT_OK } else { EXIT_REFUSED })
    }

    /// Sends (or passes on) one item and writes its line; `true` once `max_failures` requests in
    /// a row failed.
    async fn item(&mut self, item: Item, label: &str) -> bool {
        let tally = &mut self.output.tally;
        if let Some(line) = handle(&mut self.dispatcher, item, label, &self.accepted_before, tally).await {
            self.output.line(line);
        }
        self.output.tally.consecutive_failures >= self.max_failures
    }
}

/// Where the outcomes go, each written as soon as it is known (a killed run shows how far it got).
struct Output<'o, W: Write> {
    out: &'o mut W,
    format: Format,
    replay: bool,
    /// A replay's progress bar, on a terminal.
    bar: Option<indicatif::ProgressBar>,
    tally: Tally,
    started: Instant,
    /// The first write that failed (reported when the run ends).
    failure: Option<std::io::Error>,
}

impl<'o, W: Write> Output<'o, W> {
    /// `replay_events`: a replay of this many events (its text output lists only what was not
    /// accepted).
    fn new(out: &'o mut W, format: Format, replay_events: Option<usize>) -> Output<'o, W> {
        let bar = replay_events.filter(|_| std::io::stderr().is_terminal()).map(|total| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} events · {msg} · {elapsed_precise}",
                )
                .expect("a valid template"),
            );
            bar
        });
        Output {
            out,
            format,
            replay: replay_events.is_some(),
            bar,
            tally: Tally::default(),
            started: Instant::now(),
            failure: None,
        }
    }

    fn line(&mut self, line: serde_json::Value) {
        if let Some(bar) = &self.bar {
            bar.set_position(self.tally.events as u64);
            bar.set_message(format!(
                "{} requests, {} accepted",
                self.tally.requests, self.tally.accepted_requests
            ));
        }
        let accepted = line.get("outcome").is_some_and(|o| o["kind"] == "accepted");
        if self.replay && self.format == Format::Text && accepted {
            return;
        }
        let written = match self.format {
            Format::Json => writeln!(self.out, "{line}"),
            Format::Text => writeln!(self.out, "{}", text_line(&line)),
        };
        self.wrote(written);
    }

    /// The replay's summary; `stopped_after`: the failures in a row that stopped it.
    fn summary(&mut self, endpoint: &Endpoint, stopped_after: Option<u32>) {
        let tally = &self.tally;
        let mut summary = json!({
            "summary": true,
            "events": tally.events,
            "requests": tally.requests,
            "accepted_requests": tally.accepted_requests,
            "accepted_events": tally.accepted_events,
            "failed_requests": tally.failed_requests,
            "blocked_requests": tally.blocked_requests,
            "refused_events": tally.refused_events,
            "unmatched_events": tally.unmatched_events,
            "retries": tally.retries,
            "skipped_requests": tally.skipped_requests,
            "skipped_events": tally.skipped_events,
            "resent_requests": tally.resent_requests,
            "resent_events": tally.resent_events,
            "seconds": (self.started.elapsed().as_secs_f64() * 100.0).round() / 100.0,
            "endpoint": endpoint.label(),
        });
        let stopped = stopped_after.map(|max_failures| {
            format!(
                "stopped after {max_failures} failed requests in a row; events read so far: {}. Fix the \
                 cause, then run the same command with --resume: requests already accepted are skipped",
                tally.events
            )
        });
        if let Some(why) = &stopped {
            summary["stopped"] = json!(why);
        }
        let written = match self.format {
            Format::Json => writeln!(self.out, "{summary}"),
            Format::Text => self.text_summary(stopped.as_deref()),
        };
        self.wrote(written);
    }

    fn text_summary(&mut self, stopped: Option<&str>) -> std::io::Result<()> {
        let tally = &self.tally;
        writeln!(
            self.out,
            "replayed {} events in {:.1} s: {} requests, {} accepted ({} events), {} failed, {} blocked by \
             lints, {} events refused, {} unmatched, {} retries",
            tally.events,
            self.started.elapsed().as_secs_f64(),
            tally.requests,
            tally.accepted_requests,
            tally.accepted_events,
            tally.failed_requests,
            tally.blocked_requests,
            tally.refused_events,
            tally.unmatched_events,
            tally.retries
        )?;
        if tally.skipped_requests > 0 {
            let (requests, events) = (tally.skipped_requests, tally.skipped_events);
            writeln!(self.out, "skipped {requests} requests ({events} events) accepted in an earlier run")?;
        }
        if tally.resent_requests > 0 {
            let (requests, events) = (tally.resent_requests, tally.resent_events);
            writeln!(self.out, "{}", resent_note(requests, events))?;
        }
        match stopped {
            Some(why) => writeln!(self.out, "{why}"),
            None => Ok(()),
        }
    }

    /// Flushes after a write; keeps the first failure.
    fn wrote(&mut self, written: std::io::Result<()>) {
        if let Err(e) = written.and_then(|()| self.out.flush()) {
            self.failure.get_or_insert(e);
        }
    }
}

/// A request as `--resume` knows it: the endpoint, the URL (API version and Pixel ID) and the
/// SHA-256 of the body as sent. Only these very bytes, accepted there, are skipped: a changed
/// Pixel ID, workspace or file (even at the same path, with as many events) sends again.
type RequestKey = (String, String, String);

/// What the history says of earlier requests to one endpoint.
#[derive(Debug, Default)]
struct Earlier {
    accepted: std::collections::HashSet<RequestKey>,
    /// Sent but never answered as far as the history knows (the run died while they were in
    /// flight), and not accepted since: sent again, and said so.
    in_doubt: std::collections::HashSet<RequestKey>,
}

impl Earlier {
    fn is_empty(&self) -> bool {
        self.accepted.is_empty() && self.in_doubt.is_empty()
    }
}

fn earlier_requests(history: &History, endpoint: &Endpoint) -> Result<Earlier, CliError> {
    let loaded = history.read().map_err(|e| CliError(format!("--resume: reading the history: {e}")))?;
    let label = endpoint.label();
    let mut earlier = Earlier::default();
    for e in loaded.entries.iter().filter(|e| e.endpoint == label) {
        let Some(sha256) = e.request.body_sha256() else { continue };
        let key = (e.endpoint.clone(), e.request.url.clone(), sha256.to_string());
        match e.state {
            Phase::Pending => {
                earlier.in_doubt.insert(key);
            }
            Phase::Completed if e.outcome().is_some_and(|o| o.accepted()) => {
                earlier.accepted.insert(key);
            }
            Phase::Completed => {}
        }
    }
    earlier.in_doubt.retain(|key| !earlier.accepted.contains(key));
    Ok(earlier)
}

/// What the summary says of requests sent again after an earlier run stopped mid-request.
fn resent_note(requests: usize, events: usize) -> String {
    format!(
        "sent again {requests} requests ({events} events) that an earlier run sent but never saw answered \
         (it stopped while they were in flight): if they had arrived, Reddit drops the repeats by conversion \
         id within 48 hours"
    )
}

/// `events.jsonl#7` or `events.jsonl#0-999`: where a request's events came from.
fn source(label: &str, event_indexes: &[usize]) -> String {
    match event_indexes {
        [one] => format!("{label}#{one}"),
        many => format!("{label}#{}-{}", many[0], many[many.len() - 1]),
    }
}

/// Sends a request item (others pass through) and returns its output line; `None` for a request
/// skipped because `accepted_before` holds it.
async fn handle(
    dispatcher: &mut Dispatcher<'_>,
    item: Item,
    label: &str,
    accepted_before: &Earlier,
    tally: &mut Tally,
) -> Option<serde_json::Value> {
    let Item::Request { event_indexes, batched, request, .. } = &item else {
        match &item {
            Item::Refused { .. } => tally.refused_events += 1,
            Item::Unmatched { .. } => tally.unmatched_events += 1,
            _ => {}
        }
        return Some(JsonLine { item: &item, explain: false, reference: None }.to_value());
    };
    let source = source(label, event_indexes);
    let mut resent = false;
    if !accepted_before.is_empty() {
        let key =
            (dispatcher.endpoint.label(), request.url.clone(), crate::net::dispatch::body_sha256(request));
        if accepted_before.accepted.contains(&key) {
            tally.skipped_requests += 1;
            tally.skipped_events += event_indexes.len();
            return None;
        }
        resent = accepted_before.in_doubt.contains(&key);
    }
    let sent: Sent = dispatcher.send(&item, &source).await.expect("a request item");
    if resent {
        tally.resent_requests += 1;
        tally.resent_events += event_indexes.len();
    }
    tally.requests += 1;
    tally.retries += sent.attempts.len().saturating_sub(1);
    if sent.blocked {
        tally.blocked_requests += 1;
        tally.consecutive_failures = 0;
    } else if sent.accepted() {
        tally.accepted_requests += 1;
        tally.accepted_events += event_indexes.len();
        tally.consecutive_failures = 0;
    } else {
        tally.failed_requests += 1;
        tally.consecutive_failures += 1;
    }
    let mut line = serde_json::Map::new();
    if *batched {
        line.insert("event_indexes".into(), json!(event_indexes));
    } else {
        line.insert("event_index".into(), json!(event_indexes[0]));
    }
    line.insert("mapping".into(), json!(sent.mapping));
    line.insert("endpoint".into(), json!(dispatcher.endpoint.label()));
    if sent.blocked {
        line.insert("blocked".into(), json!(true));
    }
    if resent {
        line.insert("sent_again".into(), json!(true));
    }
    line.insert("outcome".into(), json!(sent.outcome));
    line.insert("attempts".into(), json!(sent.attempts));
    line.insert("lints".into(), json!(sent.lints));
    Some(serde_json::Value::Object(line))
}

/// One line for people.
fn text_line(line: &serde_json::Value) -> String {
    let which = match (line.get("event_index"), line.get("event_indexes")) {
        (Some(i), _) => format!("event {i}"),
        (_, Some(list)) => format!("{} events", list.as_array().map_or(0, Vec::len)),
        _ => "?".into(),
    };
    let mapping = line["mapping"].as_str().unwrap_or("");
    if let Some(o) = line.get("outcome") {
        let status = o.get("status").map(|s| format!("{s} ")).unwrap_or_default();
        let attempts = line["attempts"].as_array().map_or(0, Vec::len);
        let mut s = format!(
            "{which} → {mapping:?}: {status}{} — {} ({} attempt{})",
            o["message"].as_str().unwrap_or(""),
            o["explanation"].as_str().unwrap_or(""),
            attempts,
            if attempts == 1 { "" } else { "s" }
        );
        for f in o["field_errors"].as_array().into_iter().flatten() {
            s.push_str(&format!(
                "\n    {}: {}",
                f["field"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap_or("")
            ));
        }
        if line.get("blocked").is_some() {
            for l in line["lints"].as_array().into_iter().flatten().filter(|l| l["level"] == "error") {
                s.push_str(&format!(
                    "\n    error {}: {}",
                    l["field"].as_str().unwrap_or(""),
                    l["message"].as_str().unwrap_or("")
                ));
            }
        }
        s
    } else if let Some(e) = line.get("error") {
        format!(
            "{which} → {mapping:?}: REFUSED {}: {}",
            e["field"].as_str().unwrap_or(""),
            e["message"].as_str().unwrap_or("")
        )
    } else if line.get("unmatched").is_some() {
        format!("{which}: no trigger matches")
    } else {
        format!("{which} → {mapping:?}: web only, nothing to send")
    }
}
