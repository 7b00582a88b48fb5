//! `send` and `replay`: what `preview` builds, sent to Reddit or the local emulator, each
//! outcome printed, every attempt in history. Exit code 0 only if every request was accepted.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use clap::Args;
use serde_json::json;

use super::common::{EngineArgs, TOKEN_ENV, read_sources, stored_token, token_from_env};
use super::pipeline::{self, JobsArg};
use super::{EXIT_OK, EXIT_REFUSED, Format, UsageError};
use crate::emulator::{self, Emulator};
use crate::engine::{Batching, Item, JsonLine, Options};
use crate::net::{Cancel, Client, ClientConfig, Dispatcher, Endpoint, Pacer, ProxySetting, Sent};
use crate::reddit::{ApiVersion, Authorization};
use crate::secret::Secret;
use crate::store::history::History;

/// Where and how to send.
#[derive(Debug, Args)]
pub struct Target {
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
    target: Target,
    /// Batch each mapping's events into requests of up to 1,000.
    #[arg(long)]
    batch: bool,
    /// Event files (JSON object, JSON array or JSON Lines); `-` reads stdin.
    #[arg(required = true)]
    events: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    target: Target,
    /// Skip the requests the history shows accepted by this endpoint in an earlier run of the
    /// same files (same paths, same workspace): a replay stopped or killed half way goes on.
    #[arg(long)]
    resume: bool,
    /// Stop after this many requests in a row failed (after their retries), with a summary.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    max_failures: u32,
    #[command(flatten)]
    jobs: JobsArg,
    /// JSON Lines files of Segment events.
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

/// Token the in-process emulator accepts when the user has none (it checks only that one is sent).
const EMULATOR_TOKEN: &str = "local-emulator-token";

pub fn run_send(args: SendArgs, out: &mut impl Write) -> Result<u8, UsageError> {
    let batching = if args.batch { Batching::All } else { Batching::Mappings };
    run(&args.engine, &args.target, batching, &args.events, None, out)
}

pub fn run_replay(args: ReplayArgs, out: &mut impl Write) -> Result<u8, UsageError> {
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
    /// Failed requests since the last one that did not fail.
    consecutive_failures: u32,
}

fn run(
    engine_args: &EngineArgs,
    target: &Target,
    batching: Batching,
    sources: &[String],
    replay_mode: Option<ReplayMode>,
    out: &mut impl Write,
) -> Result<u8, UsageError> {
    let replay = replay_mode.is_some();
    let (engine, selection) = engine_args.engine()?;
    let texts = read_sources(sources)?;
    // The environment first, then what the app keeps for this pixel (not needed for the emulator).
    let user_token = match (token_from_env(&target.token_env)?, target.endpoint.as_deref()) {
        (Some(token), _) => Some(token),
        (None, Some("emulator")) => None,
        (None, _) => stored_token(&engine.settings.pixel_id)?,
    };
    let wanted =
        target.endpoint.as_deref().unwrap_or(if user_token.is_some() { "reddit" } else { "emulator" });
    let (engine, selection) =
        if wanted == "emulator" { engine_args.engine_for_emulator()? } else { (engine, selection) };
    if wanted == "reddit" && engine.settings.pixel_id.trim() == crate::reddit::settings::PLACEHOLDER_PIXEL {
        return Err(UsageError(format!(
            "not sent: the Pixel ID {} is the local emulator's placeholder; Reddit has no such pixel. Set your Pixel ID \
             in the app's Settings or the workspace",
            crate::reddit::settings::PLACEHOLDER_PIXEL
        )));
    }
    let settings = &engine.settings;
    let v3_testing = settings.api_version == ApiVersion::V3 && settings.active_test_id().is_some();
    // Event Testing shows only single-event requests, at most 10 a second.
    let batching = if v3_testing { Batching::Never } else { batching };
    let runtime = super::common::runtime()?;
    runtime.block_on(async {
        let local = if wanted == "emulator" {
            let config = emulator::Config::default();
            let bind = "127.0.0.1:0".parse().expect("a loopback address");
            Some(Emulator::start(bind, config).await.map_err(|e| UsageError(format!("local emulator: {e}")))?)
        } else {
            None
        };
        let endpoint = match (&local, wanted) {
            (Some(emu), _) => Endpoint::Emulator(emu.base_url()),
            (None, "reddit") => Endpoint::Reddit,
            (None, url) if url.starts_with("http://") || url.starts_with("https://") => {
                if let Some(problem) = crate::reddit::settings::endpoint_problem(url) {
                    return Err(UsageError(format!("--endpoint: {problem}")));
                }
                Endpoint::Url(url.trim_end_matches('/').to_string())
            }
            (None, other) => {
                return Err(UsageError(format!("--endpoint {other:?}: expected reddit, emulator or an http(s) URL")));
            }
        };
        let token = match (&user_token, &endpoint) {
            (Some(t), _) => t.clone(),
            (None, Endpoint::Emulator(_)) => Secret::new(EMULATOR_TOKEN).expect("non-blank"),
            (None, _) => {
                return Err(UsageError(format!(
                    "no conversion token: set {} (or pass --token-env VAR), save one for this pixel in the app's \
                     Settings, or send to --endpoint emulator",
                    target.token_env
                )));
            }
        };
        if endpoint.is_reddit() && !settings.is_test() && !target.production {
            return Err(UsageError(
                "this would be a production send (test mode off / no test id) that counts in your campaigns: \
                 add --production to send it, or turn test mode on"
                    .into(),
            ));
        }
        let proxy = match (&endpoint, &target.proxy) {
            (Endpoint::Emulator(_), _) => ProxySetting::Off,
            (_, Some(url)) => ProxySetting::Url(url.clone()),
            (_, None) => ProxySetting::Environment,
        };
        let client = Client::new(ClientConfig {
            proxy,
            user_agent: settings.user_agent(),
            connect_timeout: std::time::Duration::from_secs(target.connect_timeout),
            timeout: std::time::Duration::from_secs(target.timeout),
            ..ClientConfig::default()
        })
        .map_err(UsageError)?;
        let history = crate::paths::data_dir().map(|d| History::in_dir(&d));
        let accepted_before = match (&replay_mode, &history) {
            (Some(ReplayMode { resume: true, .. }), Some(history)) => accepted_sources(history, &endpoint)?,
            (Some(ReplayMode { resume: true, .. }), None) => {
                return Err(UsageError("--resume: no data directory, so no history to resume from".into()));
            }
            _ => std::collections::HashSet::new(),
        };
        let max_failures = replay_mode.as_ref().map_or(u32::MAX, |m| m.max_failures);
        let options = Options {
            batching,
            explain: false,
            auth: Authorization::for_token(Some(token.expose()), false),
            base_url: Some(endpoint.base_url().to_string()),
            ..Options::default()
        };
        let mut dispatcher = Dispatcher {
            client: &client,
            history: history.as_ref(),
            token: &token,
            endpoint: &endpoint,
            settings,
            cancel: Cancel::default(),
            pacer: v3_testing.then(|| Pacer::per_second(10)),
            history_errors: Vec::new(),
        };
        let total: usize = if replay { texts.iter().map(|(t, _)| t.lines().filter(|l| !l.trim().is_empty()).count()).sum() } else { 0 };
        let bar = (replay && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} events · {msg} · {elapsed_precise}")
                    .expect("a valid template"),
            );
            bar
        });
        let started = Instant::now();
        let mut tally = Tally::default();
        let mut failure = None;
        let mut write = |line: serde_json::Value, tally: &Tally| {
            if let Some(bar) = &bar {
                bar.set_position(tally.events as u64);
                bar.set_message(format!("{} requests, {} accepted", tally.requests, tally.accepted_requests));
            }
            if replay && target.format == Format::Text && line.get("outcome").is_some_and(|o| o["kind"] == "accepted") {
                return;
            }
            // Each outcome is out as soon as it is known (a killed run shows how far it got).
            let written = match target.format {
                Format::Json => writeln!(out, "{line}"),
                Format::Text => writeln!(out, "{}", text_line(&line)),
            }
            .and_then(|()| out.flush());
            if let Err(e) = written {
                failure.get_or_insert(e);
            }
        };
        let mut runner = engine.runner(selection, &options);
        let mut index = 0;
        let mut stopped = false;
        let jobs = replay_mode.as_ref().map_or(1, |m| m.jobs);
        let prepare = |event: &crate::segment::Event| engine.prepare(selection, &options, event);
        let tokio_handle = tokio::runtime::Handle::current();
        // Events are prepared on worker threads while this one sends, one request at a time.
        tokio::task::block_in_place(|| {
            pipeline::run(&texts, jobs, prepare, |events| {
                for ready in events {
                    let (label, prepared) = ready?;
                    let mut items = Vec::new();
                    runner.accept(index, prepared, &mut |item| items.push(item));
                    index += 1;
                    tally.events += 1;
                    for item in items {
                        let handled = handle(&mut dispatcher, item, label, &accepted_before, &mut tally);
                        if let Some(line) = tokio_handle.block_on(handled) {
                            write(line, &tally);
                        }
                        if tally.consecutive_failures >= max_failures {
                            stopped = true;
                            return Ok(());
                        }
                    }
                }
                Ok::<(), UsageError>(())
            })
        })?;
        if !stopped {
            let mut items = Vec::new();
            runner.finish(&mut |item| items.push(item));
            let last_label = texts.last().map(|(_, l)| l.clone()).unwrap_or_default();
            for item in items {
                if let Some(line) = handle(&mut dispatcher, item, &last_label, &accepted_before, &mut tally).await {
                    write(line, &tally);
                }
                if tally.consecutive_failures >= max_failures {
                    stopped = true;
                    break;
                }
            }
        }
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        if replay {
            let summary = json!({
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
                "seconds": (started.elapsed().as_secs_f64() * 100.0).round() / 100.0,
                "endpoint": endpoint.label(),
            });
            let mut summary = summary;
            if stopped {
                summary["stopped"] = json!(format!(
                    "stopped after {max_failures} failed requests in a row; events read so far: {}. Fix the cause, \
                     then run the same command with --resume: requests already accepted are skipped",
                    tally.events
                ));
            }
            let written = match target.format {
                Format::Json => writeln!(out, "{summary}"),
                Format::Text => writeln!(
                    out,
                    "replayed {} events in {:.1} s: {} requests, {} accepted ({} events), {} failed, {} blocked by lints, \
                     {} events refused, {} unmatched, {} retries",
                    tally.events,
                    started.elapsed().as_secs_f64(),
                    tally.requests,
                    tally.accepted_requests,
                    tally.accepted_events,
                    tally.failed_requests,
                    tally.blocked_requests,
                    tally.refused_events,
                    tally.unmatched_events,
                    tally.retries
                )
                .and_then(|()| match (tally.skipped_requests, summary.get("stopped")) {
                    (0, None) => Ok(()),
                    (skipped, stopped) => {
                        if skipped > 0 {
                            writeln!(out, "skipped {skipped} requests ({} events) accepted in an earlier run", tally.skipped_events)?;
                        }
                        match stopped.and_then(|s| s.as_str()) {
                            Some(why) => writeln!(out, "{why}"),
                            None => Ok(()),
                        }
                    }
                }),
            };
            if let Err(e) = written.and_then(|()| out.flush()) {
                failure.get_or_insert(e);
            }
        }
        for e in &dispatcher.history_errors {
            eprintln!("reddit-capi-console: history not written: {e}");
        }
        let history_failed = !dispatcher.history_errors.is_empty();
        if let Some(emu) = local {
            emu.shutdown().await;
        }
        if let Some(e) = failure {
            return Err(UsageError(format!("writing output: {e}")));
        }
        // A send the history does not hold is not a clean success: the record is part of the job.
        let all_good = tally.failed_requests == 0
            && tally.blocked_requests == 0
            && tally.refused_events == 0
            && !history_failed
            && !stopped;
        Ok(if all_good { EXIT_OK } else { EXIT_REFUSED })
    })
}

/// The requests (endpoint, mapping, source) the history shows accepted.
type AcceptedSources = std::collections::HashSet<(String, String, String)>;

fn accepted_sources(history: &History, endpoint: &Endpoint) -> Result<AcceptedSources, UsageError> {
    let loaded = history.read().map_err(|e| UsageError(format!("--resume: reading the history: {e}")))?;
    let label = endpoint.label();
    Ok(loaded
        .entries
        .into_iter()
        .filter(|e| e.endpoint == label && e.outcome().is_some_and(|o| o.accepted()))
        .map(|e| (e.endpoint, e.mapping, e.source))
        .collect())
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
    accepted_before: &AcceptedSources,
    tally: &mut Tally,
) -> Option<serde_json::Value> {
    let Item::Request { event_indexes, batched, mapping, .. } = &item else {
        match &item {
            Item::Refused { .. } => tally.refused_events += 1,
            Item::Unmatched { .. } => tally.unmatched_events += 1,
            _ => {}
        }
        return Some(
            serde_json::to_value(JsonLine { item: &item, explain: false, reference: None })
                .expect("items serialize"),
        );
    };
    let source = source(label, event_indexes);
    if !accepted_before.is_empty()
        && accepted_before.contains(&(dispatcher.endpoint.label(), mapping.clone(), source.clone()))
    {
        tally.skipped_requests += 1;
        tally.skipped_events += event_indexes.len();
        return None;
    }
    let sent: Sent = dispatcher.send(&item, &source).await.expect("a request item");
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
