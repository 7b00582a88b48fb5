//! `reddit-capi-console listen`: the console as a Segment collection endpoint. Segment's
//! libraries pointed at it (their `host` option) send events; each arriving event is enriched as
//! Segment's pipeline does, run through the workspace's mappings and printed as `preview`'s lines;
//! with `--capture` the events are also appended to the capture file.

use std::io::Write;
use std::net::SocketAddr;

use clap::Args;

use super::common::{EngineArgs, data_dir};
use super::preview::{OutputArgs, Printer, options};
use super::{CliError, Format};
use crate::collect::{self, Arrival, Collector};
use crate::engine::Batching;
use crate::store::capture::Captures;
use crate::tracking::Enrichment;

#[derive(Debug, Args)]
pub struct ListenArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// Address and port (port 0 picks a free one). Loopback unless --allow-remote.
    #[arg(long, default_value = "127.0.0.1:8788")]
    bind: SocketAddr,
    /// Let --bind name an address other machines reach (they could send events: a warning says so).
    #[arg(long)]
    allow_remote: bool,
    /// The write key clients must send (HTTP Basic user or `writeKey` in the body).
    #[arg(long, value_name = "KEY")]
    write_key: String,
    /// Keep every arriving event, raw identifiers included, in the capture file (0600, in the
    /// data directory; `preview --captured` and `report --captured` read it).
    #[arg(long)]
    capture: bool,
    #[command(flatten)]
    output: OutputArgs,
}

pub(super) fn run(args: ListenArgs, out: &mut impl Write) -> Result<u8, CliError> {
    if args.write_key.trim().is_empty() {
        return Err(CliError("--write-key is empty: give the write key your Segment clients send".into()));
    }
    let (engine, selection) = args.engine.engine()?;
    // One request per event, so each event's lines print as it arrives.
    let mut options = options(Batching::Never, &args.output)?;
    let captures = if args.capture {
        let dir =
            data_dir()?.ok_or_else(|| CliError("--capture: this system has no data directory".into()))?;
        Some(Captures::in_dir(&dir))
    } else {
        None
    };
    let config = collect::Config {
        allow_remote: args.allow_remote,
        captures: captures.clone(),
        ..collect::Config::new(args.write_key.trim())
    };
    let runtime = super::common::runtime()?;
    let (collector, mut arrivals) = runtime
        .block_on(Collector::start(args.bind, config))
        .map_err(|e| CliError(format!("{}: {e}", args.bind)))?;
    if !collector.addr().ip().is_loopback() {
        eprintln!(
            "warning: listening on {}, not loopback: any machine that reaches it and knows the write key can send events",
            collector.addr()
        );
    }
    eprintln!("Listening for Segment events on {}", collector.base_url());
    eprintln!(
        "  point a library's host at it; POST /v1/track, /v1/identify, /v1/page, /v1/screen, /v1/group, /v1/alias, /v1/batch"
    );
    match &captures {
        Some(c) => eprintln!(
            "  capturing to {} — it holds the events as sent, raw emails, phones and IPs included",
            c.file().path().display()
        ),
        None => eprintln!("  nothing is kept (--capture keeps the events)"),
    }
    eprintln!("Stop with Ctrl-C.");
    let mut printer = Printer::new(&engine, args.output.format, options.explain);
    let mut index = 0;
    while let Some(arrival) = arrivals.blocking_recv() {
        eprintln!("{}", summary(&arrival));
        options.now_ms = arrival.received_at_ms;
        let mut runner = engine.runner(selection, &options);
        for (event, _) in arrival.events {
            let event = crate::segment::Event::from_value(serde_json::Value::Object(event))
                .map_err(|_| CliError("an event is not an object".into()))?;
            let label = if args.output.format == Format::Text { event.label() } else { String::new() };
            runner.push(index, &event, &mut |item| printer.print(out, &item, &label));
            index += 1;
        }
        runner.finish(&mut |item| printer.print(out, &item, ""));
        if out.flush().is_err() {
            break;
        }
    }
    drop(collector);
    printer.finish()
}

/// One line for stderr: the call, how many events, and what enrichment did to them.
fn summary(arrival: &Arrival) -> String {
    let (mut ids, mut corrected, mut from_received, mut unreadable) = (0, 0, 0, 0);
    let mut skews = Vec::new();
    for (_, did) in &arrival.events {
        for d in did {
            match d {
                Enrichment::MessageId { .. } => ids += 1,
                Enrichment::TimestampCorrected { skew_ms } => {
                    corrected += 1;
                    skews.push(*skew_ms);
                }
                Enrichment::TimestampFromReceivedAt => from_received += 1,
                Enrichment::TimestampUnreadable => unreadable += 1,
                _ => {}
            }
        }
    }
    let call = match arrival.call {
        crate::tracking::Call::Batch => "batch".to_string(),
        crate::tracking::Call::One(t) => t.as_str().to_string(),
    };
    let mut line = format!(
        "{call}: {} event(s) at {}",
        arrival.events.len(),
        crate::timestamp::format_rfc3339(arrival.received_at_ms)
    );
    if ids > 0 {
        line += &format!(", messageId made for {ids}");
    }
    if corrected > 0 {
        let (min, max) = (skews.iter().min().unwrap_or(&0), skews.iter().max().unwrap_or(&0));
        line += &format!(", timestamp corrected for {corrected} (client clock skew {min}..{max} ms)");
    }
    if from_received > 0 {
        line += &format!(", timestamp = receivedAt for {from_received}");
    }
    if unreadable > 0 {
        line += &format!(", {unreadable} with an unreadable timestamp or sentAt (left as sent)");
    }
    line
}
