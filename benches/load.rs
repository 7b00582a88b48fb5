//! Load and fault runs against `reddit-capi-console emulate` run as a child process (so its RSS
//! is its own), for docs/reliability.md: `cargo bench --bench load -- clients|soak [options]`
//! (scripts/load.sh and scripts/soak.sh). Without a mode (a plain `cargo bench`) it does nothing.
//!
//! - `load clients`: N concurrent keep-alive clients POST M-event v2.0 Purchase batches (unique
//!   conversion ids) for S seconds; prints requests/s, events/s, latency percentiles, errors and
//!   the emulator's RSS (sampled every second from /proc/PID/status).
//! - `load burst`: N Segment events from C concurrent clients (Order Completed batches, as
//!   analytics-node sends them) to `listen` run as a child process: events/s until every request
//!   was answered and until every event was printed through the mappings, and `listen`'s peak RSS.
//! - `load soak`: writes N Segment events as JSON Lines, starts the emulator with seeded random
//!   faults (500s, 429s with Retry-After, dropped connections), runs `replay` against it, then
//!   checks every event was accepted exactly once and that `history --format json` accounts for
//!   every request, attempt and fault.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use reddit_capi_console::engine::{Engine, Mapped};
use reddit_capi_console::mapping::schema::Mode;
use reddit_capi_console::segment::parse_events;
use reddit_capi_console::timestamp::{format_rfc3339, now_millis};
use reddit_capi_console::workspace::Workspace;
use serde_json::{Value, json};

const PURCHASE: &str = include_str!("../assets/samples/purchase.json");
const TOKEN: &str = "load-test-token-0123456789";
const PIXEL: &str = "a2_load";

#[derive(Parser)]
struct Args {
    /// The reddit-capi-console binary (default: the one Cargo built with this benchmark).
    #[arg(long, global = true)]
    bin: Option<PathBuf>,
    #[command(subcommand)]
    mode: Option<ModeArg>,
}

#[derive(Subcommand)]
enum ModeArg {
    /// Concurrent clients posting batches for a while.
    Clients {
        #[arg(long, default_value_t = 200)]
        clients: usize,
        /// Events per request.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        /// Seconds of RSS sampling after the load stops.
        #[arg(long, default_value_t = 5)]
        cooldown: u64,
    },
    /// N events from C concurrent clients to `listen`: events/s and peak memory.
    Burst {
        #[arg(long, default_value_t = 100_000)]
        events: usize,
        #[arg(long, default_value_t = 20)]
        clients: usize,
        /// Events per request (analytics-node's default batch is 15, analytics-python's 100).
        #[arg(long, default_value_t = 100)]
        batch: usize,
        /// Run `listen --capture` (one fsync per request).
        #[arg(long)]
        capture: bool,
    },
    /// `replay` of N events through random faults, then exactly-once and history checks.
    Soak {
        #[arg(long, default_value_t = 100_000)]
        events: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        #[arg(long, default_value_t = 0.10)]
        rate_500: f64,
        #[arg(long, default_value_t = 0.02)]
        rate_429: f64,
        #[arg(long, default_value_t = 0.02)]
        rate_drop: f64,
        /// Work directory (kept); default: a fresh one under the temp dir, removed at the end.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

fn main() {
    // `cargo bench` adds `--bench`.
    let args = Args::parse_from(std::env::args().filter(|a| a != "--bench"));
    let Some(mode) = args.mode else {
        println!("load: pass a mode (cargo bench --bench load -- clients|soak --help); nothing to do");
        return;
    };
    let bin = args.bin.unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_reddit-capi-console")));
    assert!(bin.exists(), "{} not found: build it first or pass --bin", bin.display());
    let ok = match mode {
        ModeArg::Clients { clients, batch, seconds, cooldown } => {
            clients_run(&bin, clients, batch, Duration::from_secs(seconds), Duration::from_secs(cooldown))
        }
        ModeArg::Burst { events, clients, batch, capture } => burst(&bin, events, clients, batch, capture),
        ModeArg::Soak { events, seed, rate_500, rate_429, rate_drop, dir } => {
            soak(&bin, events, seed, [rate_500, rate_429, rate_drop], dir)
        }
    };
    std::process::exit(if ok { 0 } else { 1 });
}

/// The emulator child process; killed when dropped.
struct Emulate {
    child: Child,
    base_url: String,
}

impl Emulate {
    fn start(bin: &Path) -> Emulate {
        let mut child = Command::new(bin)
            .args(["emulate", "--bind", "127.0.0.1:0", "--token", TOKEN])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("emulate starts");
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let first = lines.next().expect("a first line").expect("utf-8");
        let base_url = first.rsplit(' ').next().expect("listening on URL").to_string();
        assert!(base_url.starts_with("http://127.0.0.1:"), "{first}");
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Emulate { child, base_url }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Emulate {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `listen` as a child process: its URL (its first stderr line) and a count of the Purchase
/// requests it has printed.
struct Listen {
    child: Child,
    base_url: String,
    printed: Arc<std::sync::atomic::AtomicU64>,
}

impl Listen {
    fn start(bin: &Path, home: &Path, capture: bool) -> Listen {
        let mut command = Command::new(bin);
        command.args(["listen", "--bind", "127.0.0.1:0", "--write-key", BURST_KEY]);
        if capture {
            command.arg("--capture");
        }
        let mut child = command
            .env("REDDIT_CAPI_CONSOLE_HOME", home)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("listen starts");
        let mut errors = BufReader::new(child.stderr.take().expect("piped")).lines();
        let first = errors.next().expect("a first line").expect("utf-8");
        let base_url = first.rsplit(' ').next().expect("listening on URL").to_string();
        assert!(base_url.starts_with("http://127.0.0.1:"), "{first}");
        std::thread::spawn(move || for _ in errors {});
        let printed = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = printed.clone();
        let stdout = child.stdout.take().expect("piped");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).split(b'\n') {
                let Ok(line) = line else { break };
                if line.windows(PURCHASE_LINE.len()).any(|w| w == PURCHASE_LINE) {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        Listen { child, base_url, printed }
    }
}

impl Drop for Listen {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const BURST_KEY: &str = "wk-burst";
/// What starts each printed Purchase request line's mapping.
const PURCHASE_LINE: &[u8] = b"\"mapping\":\"Purchase\",\"request\"";

/// A Segment batch body of `batch` Order Completed events for client `c`, from event `first`.
fn segment_batch(c: usize, first: usize, batch: usize) -> Vec<u8> {
    let now = format_rfc3339(now_millis());
    let events: Vec<Value> = (first..first + batch)
        .map(|i| {
            json!({"type": "track", "event": "Order Completed", "userId": format!("user-{c}-{i}"),
                "messageId": format!("burst-{c}-{i}"), "timestamp": now,
                "properties": {"order_id": format!("order-{c}-{i}"), "revenue": 19.99, "currency": "USD",
                    "products": [{"product_id": "p1", "quantity": 1, "price": 19.99}]},
                "context": {"ip": "203.0.113.9", "traits": {"email": format!("user{i}@example.com")},
                    "library": {"name": "load-bench", "version": "1"}}})
        })
        .collect();
    serde_json::to_vec(&json!({"batch": events, "sentAt": now})).expect("JSON")
}

fn burst(bin: &Path, events: usize, clients: usize, batch: usize, capture: bool) -> bool {
    let home = std::env::temp_dir().join(format!("rcc-burst-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let listen = Listen::start(bin, &home, capture);
    let pid = listen.child.id();
    std::thread::sleep(Duration::from_millis(300));
    let cpu_start = cpu_seconds(pid);
    let per_client = events / clients;
    println!(
        "listen pid {pid} at {}{}; {clients} clients × {per_client} events in {batch}-event batches",
        listen.base_url,
        if capture { " with --capture" } else { "" }
    );
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let url = format!("{}/v1/batch", listen.base_url);
    let started = Instant::now();
    let (accepted, errors): (usize, Vec<String>) = runtime.block_on(async {
        let http = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(120)).build().unwrap();
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (http, url) = (http.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                let (mut accepted, mut errors) = (0, Vec::new());
                for first in (0..per_client).step_by(batch) {
                    let n = batch.min(per_client - first);
                    let result = http
                        .post(&url)
                        .basic_auth(BURST_KEY, Some(""))
                        .header("content-type", "application/json")
                        .body(segment_batch(c, first, n))
                        .send()
                        .await;
                    match result {
                        Ok(r) if r.status().is_success() => accepted += n,
                        Ok(r) => {
                            errors.push(format!("{}: {}", r.status(), r.text().await.unwrap_or_default()))
                        }
                        Err(e) => errors.push(format!("{e:?}")),
                    }
                }
                (accepted, errors)
            }));
        }
        let mut total = (0, Vec::new());
        for t in tasks {
            let (a, e) = t.await.expect("a client task");
            total.0 += a;
            total.1.extend(e);
        }
        total
    });
    let answered = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(600);
    while (listen.printed.load(Ordering::Relaxed) as usize) < accepted && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let printed_in = started.elapsed();
    let printed = listen.printed.load(Ordering::Relaxed) as usize;
    let (rss, peak) = rss_kib(pid).expect("listen's /proc status");
    let cpu = cpu_seconds(pid) - cpu_start;
    let rate = |n: usize, d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "accepted {accepted} events in {:.2} s ({:.0} events/s); printed {printed} Purchase requests after {:.2} s ({:.0} events/s end to end)",
        answered.as_secs_f64(),
        rate(accepted, answered),
        printed_in.as_secs_f64(),
        rate(printed, printed_in)
    );
    println!("listen: peak RSS {:.1} MiB (now {:.1} MiB), {cpu:.1} CPU s", mib(peak), mib(rss));
    let mut ok = errors.is_empty() && accepted == per_client * clients && printed == accepted;
    if capture {
        let text = std::fs::read_to_string(home.join("captures.jsonl")).unwrap_or_default();
        let lines = text.lines().count();
        println!("capture: {lines} lines, {:.1} MiB", text.len() as f64 / (1 << 20) as f64);
        ok &= lines == accepted;
    }
    for e in errors.iter().take(3) {
        println!("error: {e}");
    }
    drop(listen);
    let _ = std::fs::remove_dir_all(&home);
    println!("{}", if ok { "burst: ok" } else { "burst: FAILED" });
    ok
}

/// (VmRSS, VmHWM) of a process in KiB.
fn rss_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// CPU seconds (user + system) a process has used: /proc/PID/stat fields 14 and 15, in ticks
/// of 1/100 s (USER_HZ on Linux).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name, which may contain spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<u64> = rest.split_whitespace().map(|f| f.parse().unwrap_or(0)).collect();
    fields.get(11..13).map_or(0.0, |t| (t[0] + t[1]) as f64 / 100.0)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// One realistic v2.0 Purchase event as built by the engine, split around its conversion id:
/// prefix + id + suffix is the event JSON.
fn purchase_template() -> (Vec<u8>, Vec<u8>) {
    let workspace = Workspace::presets();
    let mut settings = workspace.settings.clone();
    settings.pixel_id = PIXEL.into();
    let engine = Engine::new(&workspace, settings).expect("the presets compile");
    let mut raw: Value = serde_json::from_str(PURCHASE).expect("the sample parses");
    raw["timestamp"] = json!(format_rfc3339(now_millis()));
    raw["messageId"] = json!("CONVERSION-ID-PLACEHOLDER");
    let event = parse_events(&raw.to_string(), "purchase.json").expect("the sample parses").remove(0);
    let purchase = engine.find("Purchase").expect("a Purchase preset");
    let Mapped::Built(built) = engine.apply(purchase, &event, Mode::Single, false, now_millis()) else {
        panic!("the sample builds");
    };
    let mut buf = Vec::new();
    reddit_capi_console::reddit::json::write_event(&mut buf, &built.body);
    let text = String::from_utf8(buf).expect("utf-8");
    // The conversion id is the message id's SHA-256 (hex).
    let id = reddit_capi_console::identity::sha256_hex("CONVERSION-ID-PLACEHOLDER");
    let at = text.find(&id).expect("the conversion id is the hashed message id");
    let bytes = text.as_bytes();
    (bytes[..at].to_vec(), bytes[at + id.len()..].to_vec())
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

#[derive(Default)]
struct ClientTally {
    requests: u64,
    events: u64,
    errors: u64,
    /// Microseconds per request.
    latencies: Vec<u32>,
    first_errors: Vec<String>,
}

fn clients_run(bin: &Path, clients: usize, batch: usize, run_for: Duration, cooldown: Duration) -> bool {
    let emu = Emulate::start(bin);
    let pid = emu.pid();
    std::thread::sleep(Duration::from_millis(300));
    let (rss_start, _) = rss_kib(pid).expect("the emulator's /proc status");
    let cpu_start = cpu_seconds(pid);
    let samples: Arc<Mutex<Vec<(f64, u64)>>> = Arc::default();
    let sampling = Arc::new(AtomicBool::new(true));
    let clock = Instant::now();
    let sampler = {
        let (samples, sampling) = (samples.clone(), sampling.clone());
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                if let Some((rss, _)) = rss_kib(pid) {
                    samples.lock().unwrap().push((clock.elapsed().as_secs_f64(), rss));
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        })
    };
    let (prefix, suffix) = purchase_template();
    let event_bytes = prefix.len() + suffix.len() + 16;
    println!(
        "emulator pid {pid} at {}; {clients} clients × {batch}-event batches (~{} KiB a body) for {} s",
        emu.base_url,
        event_bytes * batch / 1024,
        run_for.as_secs()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let url = format!("{}/api/v2.0/conversions/events/{PIXEL}", emu.base_url);
    let started = Instant::now();
    let tallies: Vec<ClientTally> = runtime.block_on(async {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(120))
            .pool_max_idle_per_host(clients)
            .build()
            .unwrap();
        let prefix = Arc::new(prefix);
        let suffix = Arc::new(suffix);
        let deadline = started + run_for;
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (http, url, prefix, suffix) = (http.clone(), url.clone(), prefix.clone(), suffix.clone());
            tasks.push(tokio::spawn(async move {
                let mut tally = ClientTally::default();
                let mut seq = 0u64;
                while Instant::now() < deadline {
                    let mut body = Vec::with_capacity(event_bytes * batch + 64);
                    body.extend_from_slice(b"{\"events\":[");
                    for i in 0..batch {
                        if i > 0 {
                            body.push(b',');
                        }
                        body.extend_from_slice(&prefix);
                        // Unique per event, shaped like the hashes the console sends.
                        body.extend_from_slice(
                            format!("{:064x}", ((c as u128) << 64) | seq as u128).as_bytes(),
                        );
                        body.extend_from_slice(&suffix);
                        seq += 1;
                    }
                    body.extend_from_slice(b"],\"test_mode\":true,\"partner\":\"SEGMENT\"}");
                    let t = Instant::now();
                    let result = http
                        .post(&url)
                        .bearer_auth(TOKEN)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await;
                    let outcome = match result {
                        Ok(r) => {
                            let status = r.status().as_u16();
                            match r.bytes().await {
                                Ok(_) if status == 200 => Ok(()),
                                Ok(b) => Err(format!("{status}: {}", String::from_utf8_lossy(&b))),
                                Err(e) => Err(format!("{status}, reading the body: {e}")),
                            }
                        }
                        Err(e) => Err(format!("{e:?}")),
                    };
                    tally.latencies.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                    tally.requests += 1;
                    match outcome {
                        Ok(()) => tally.events += batch as u64,
                        Err(e) => {
                            tally.errors += 1;
                            if tally.first_errors.len() < 3 {
                                tally.first_errors.push(e);
                            }
                        }
                    }
                }
                tally
            }));
        }
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("a client task"));
        }
        out
    });
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_load = cpu_seconds(pid) - cpu_start;
    let rss_after_load = rss_kib(pid).map_or(0, |r| r.0);
    std::thread::sleep(cooldown);
    let stats: Value = runtime.block_on(async {
        let r = reqwest::Client::builder().no_proxy().build().unwrap();
        let bytes =
            r.get(format!("{}/_emulator/stats", emu.base_url)).send().await.unwrap().bytes().await.unwrap();
        serde_json::from_slice(&bytes).unwrap()
    });
    let (rss_end, rss_peak) = rss_kib(pid).expect("the emulator is still up");
    sampling.store(false, Ordering::Relaxed);
    sampler.join().unwrap();
    drop(emu);

    let requests: u64 = tallies.iter().map(|t| t.requests).sum();
    let events: u64 = tallies.iter().map(|t| t.events).sum();
    let errors: u64 = tallies.iter().map(|t| t.errors).sum();
    let mut latencies: Vec<u32> = tallies.iter().flat_map(|t| t.latencies.iter().copied()).collect();
    latencies.sort_unstable();
    let samples = samples.lock().unwrap().clone();
    // The plateau: the highest RSS in each third of the load phase.
    let thirds: Vec<f64> = (0..3)
        .map(|k| {
            let (lo, hi) = (k as f64 * elapsed / 3.0, (k + 1) as f64 * elapsed / 3.0);
            samples.iter().filter(|(t, _)| *t >= lo && *t < hi).map(|(_, r)| mib(*r)).fold(0.0, f64::max)
        })
        .collect();
    println!("requests: {requests} in {elapsed:.1} s = {:.0} requests/s", requests as f64 / elapsed);
    println!("events accepted: {events} = {:.0} events/s", events as f64 / elapsed);
    println!(
        "latency ms: p50 {:.1}, p90 {:.1}, p99 {:.1}, max {:.1}",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.90),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );
    println!("errors: {errors}");
    println!(
        "emulator CPU: {cpu_load:.1} s in {elapsed:.1} s ({:.2} of the machine's {} cores; the clients had the rest)",
        cpu_load / elapsed,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for e in tallies.iter().flat_map(|t| &t.first_errors).take(5) {
        println!("  e.g. {e}");
    }
    println!(
        "emulator RSS MiB: start {:.1}, peak (VmHWM) {:.1}, at the end of the load {:.1}, after {} s idle {:.1}",
        mib(rss_start),
        mib(rss_peak),
        mib(rss_after_load),
        cooldown.as_secs(),
        mib(rss_end)
    );
    println!(
        "RSS MiB, highest in each third of the load: {:.1} / {:.1} / {:.1}",
        thirds[0], thirds[1], thirds[2]
    );
    let series: Vec<String> = samples.iter().map(|(t, r)| format!("{t:.0}s:{:.0}", mib(*r))).collect();
    println!("RSS MiB every second: {}", series.join(" "));
    println!("emulator stats: {stats}");
    let consistent =
        stats["accepted_events"].as_u64() == Some(events) && stats["api_requests"].as_u64() == Some(requests);
    if !consistent {
        println!("MISMATCH: the emulator counted other numbers than the clients");
    }
    errors == 0 && consistent
}

// ---------------------------------------------------------------------------------------------
// Soak: replay through faults

fn soak(bin: &Path, n: usize, seed: u64, [r500, r429, rdrop]: [f64; 3], dir: Option<PathBuf>) -> bool {
    let keep = dir.is_some();
    let dir = dir.unwrap_or_else(|| std::env::temp_dir().join(format!("rcc-soak-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let home = dir.join("home");
    let events_file = dir.join("events.jsonl");
    let mut base: Value = serde_json::from_str(PURCHASE).unwrap();
    base["timestamp"] = json!(format_rfc3339(now_millis()));
    let mut text = String::with_capacity(n * 1400);
    for i in 0..n {
        base["messageId"] = json!(format!("soak-{i:07}"));
        base["userId"] = json!(format!("user-{}", i % 5000));
        base["context"]["traits"]["email"] = json!(format!(" Shopper.{i}+promo@Example.com "));
        text.push_str(&base.to_string());
        text.push('\n');
    }
    std::fs::write(&events_file, text).unwrap();
    let workspace = dir.join("workspace.json");
    let w = json!({"format": "reddit-capi-console/workspace", "version": 1,
        "settings": {"pixel_id": PIXEL, "api_version": "v2.0", "test_mode": true, "profile": "segment", "partner": "SEGMENT"},
        "mappings": [{"name": "Purchase", "preset": "Purchase"}]});
    std::fs::write(&workspace, w.to_string()).unwrap();

    let emu = Emulate::start(bin);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // No pooled connections: this runtime sleeps while replay runs, so it would not see the
    // emulator close an idle one.
    let http = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(0).build().unwrap();
    let random = json!({"seed": seed, "faults": [
        {"status": 500, "rate": r500},
        {"status": 429, "retry_after": 1, "rate": r429},
        {"drop": true, "rate": rdrop}]});
    let set: Value = runtime.block_on(async {
        let url = format!("{}/_emulator/faults/random", emu.base_url);
        let r = http
            .put(url)
            .header("content-type", "application/json")
            .body(random.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        serde_json::from_slice(&r.bytes().await.unwrap()).unwrap()
    });
    println!(
        "{n} events in {}; emulator {} with random faults {}",
        dir.display(),
        emu.base_url,
        set["random"]
    );

    let started = Instant::now();
    let out = Command::new(bin)
        .args(["replay", "--format", "json", "--endpoint", &emu.base_url, "--workspace"])
        .arg(&workspace)
        .arg(&events_file)
        .env("REDDIT_CAPI_CONSOLE_HOME", &home)
        .env("REDDIT_CONVERSION_TOKEN", TOKEN)
        .stderr(Stdio::inherit())
        .output()
        .expect("replay runs");
    let wall = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let summary: Value =
        stdout.lines().last().and_then(|l| serde_json::from_str(l).ok()).unwrap_or(Value::Null);
    println!("replay exit {:?} in {wall:.1} s; summary {summary}", out.status.code());

    let (stats, received): (Value, Value) = runtime.block_on(async {
        let get = |path: &str| http.get(format!("{}{path}", emu.base_url)).send();
        let stats =
            serde_json::from_slice(&get("/_emulator/stats").await.unwrap().bytes().await.unwrap()).unwrap();
        let bytes = get("/_emulator/events").await.unwrap().bytes().await.unwrap();
        (stats, serde_json::from_slice(&bytes).unwrap())
    });
    drop(emu);
    let check = Checks::default();

    // Exactly once, by conversion id (the message id's SHA-256) among what the emulator accepted.
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let received = received["events"].as_array().expect("events");
    for r in received {
        let id = r["event"]["event_metadata"]["conversion_id"].as_str().unwrap_or("");
        *seen.entry(id).or_default() += 1;
    }
    let exactly_once = (0..n)
        .filter(|i| {
            seen.get(reddit_capi_console::identity::sha256_hex(&format!("soak-{i:07}")).as_str()) == Some(&1)
        })
        .count();
    let duplicates = seen.values().filter(|c| **c > 1).count();
    let not_unique = received.iter().filter(|r| r["dedup"] != "unique").count();
    check.eq("events accepted exactly once (by conversion id)", exactly_once as u64, n as u64);
    check.eq("conversion ids accepted more than once", duplicates as u64, 0);
    check.eq("events with a dedup verdict other than unique", not_unique as u64, 0);
    check.eq("events the emulator ever accepted", stats["accepted_events"].as_u64().unwrap(), n as u64);
    check.eq("replay: accepted events", summary["accepted_events"].as_u64().unwrap_or(0), n as u64);
    check.eq("replay: failed requests", summary["failed_requests"].as_u64().unwrap_or(u64::MAX), 0);
    check.eq("replay exit code", out.status.code().unwrap_or(-1) as u64, 0);

    // Replay's own per-request lines: every event index in one accepted request, every attempt.
    let lines: Vec<Value> = stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let request_lines: Vec<&Value> = lines.iter().filter(|l| l.get("attempts").is_some()).collect();
    let mut indexes = vec![0u32; n];
    let mut attempt_status: BTreeMap<String, u64> = BTreeMap::new();
    let mut attempt_kind: BTreeMap<String, u64> = BTreeMap::new();
    for l in &request_lines {
        if l["outcome"]["kind"] == "accepted" {
            for i in l["event_indexes"].as_array().into_iter().flatten() {
                indexes[i.as_u64().unwrap() as usize] += 1;
            }
        }
        for a in l["attempts"].as_array().into_iter().flatten() {
            let status = a["status"].as_u64().map_or("none".to_string(), |s| s.to_string());
            *attempt_status.entry(status).or_default() += 1;
            *attempt_kind.entry(a["outcome"]["kind"].as_str().unwrap_or("?").to_string()).or_default() += 1;
        }
    }
    let replay_faults = |k: &str| attempt_status.get(k).copied().unwrap_or(0);
    let stats_fault = |k: &str| stats["faults_injected"][k].as_u64().unwrap_or(0);
    check.eq(
        "replay lines: events in exactly one accepted request",
        indexes.iter().filter(|c| **c == 1).count() as u64,
        n as u64,
    );
    check.eq(
        "replay lines: attempts = API requests the emulator saw",
        attempt_status.values().sum(),
        stats["api_requests"].as_u64().unwrap(),
    );
    check.eq("replay lines: 500 attempts = 500s injected", replay_faults("500"), stats_fault("500"));
    check.eq("replay lines: 429 attempts = 429s injected", replay_faults("429"), stats_fault("429"));
    check.eq(
        "replay lines: attempts without a response = drops injected",
        replay_faults("none"),
        stats_fault("drop"),
    );

    // History: every attempt of every request, by outcome.
    let hist = Command::new(bin)
        .args(["history", "--format", "json", "--limit", "100000000"])
        .env("REDDIT_CAPI_CONSOLE_HOME", &home)
        .output()
        .expect("history runs");
    let entries: Vec<Value> = String::from_utf8_lossy(&hist.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a history line"))
        .collect();
    let mut by_outcome: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    let mut sends: HashMap<&str, (u64, bool)> = HashMap::new();
    for e in &entries {
        let a = &e["attempt"];
        let kind =
            if e["state"] == "pending" { "pending" } else { a["outcome"]["kind"].as_str().unwrap_or("?") };
        *by_outcome.entry(kind.to_string()).or_default() += 1;
        let status = a["status"].as_u64().map_or("none".to_string(), |s| s.to_string());
        *by_status.entry(status).or_default() += 1;
        let send = sends.entry(e["send_id"].as_str().unwrap_or("")).or_default();
        if kind == "accepted" {
            send.0 += e["event_count"].as_u64().unwrap_or(0);
            send.1 = true;
        }
    }
    let history_bytes: u64 = ["history.jsonl", "history.1.jsonl"]
        .iter()
        .filter_map(|f| std::fs::metadata(home.join(f)).ok())
        .map(|m| m.len())
        .sum();
    let requests = summary["requests"].as_u64().unwrap_or(0);
    let retries = summary["retries"].as_u64().unwrap_or(0);
    let faults = &stats["faults_injected"];
    let fault = |k: &str| faults[k].as_u64().unwrap_or(0);
    let history_events: u64 = sends.values().map(|s| s.0).sum();
    println!(
        "history: {} entries ({} KiB on disk), by outcome {by_outcome:?}, by status {by_status:?}",
        entries.len(),
        history_bytes >> 10
    );
    check.eq("history: sends", sends.len() as u64, requests);
    check.eq("history: attempts (first tries + retries)", entries.len() as u64, requests + retries);
    check.eq(
        "history: attempts = API requests the emulator saw",
        entries.len() as u64,
        stats["api_requests"].as_u64().unwrap(),
    );
    check.eq("history: sends accepted", sends.values().filter(|s| s.1).count() as u64, requests);
    check.eq("history: events in accepted attempts", history_events, n as u64);
    check.eq(
        "history: 500 attempts = 500s injected",
        by_status.get("500").copied().unwrap_or(0),
        fault("500"),
    );
    check.eq(
        "history: 429 attempts = 429s injected",
        by_status.get("429").copied().unwrap_or(0),
        fault("429"),
    );
    check.eq(
        "history: attempts without a response = drops injected",
        by_status.get("none").copied().unwrap_or(0),
        fault("drop"),
    );
    check.eq("history: pending entries", by_outcome.get("pending").copied().unwrap_or(0), 0);

    println!("--- soak figures");
    println!("events: {n}; requests: {requests}; attempts: {}; retries: {retries}", stats["api_requests"]);
    println!("faults injected: {faults}");
    println!("wall time: {wall:.1} s (replay alone: {} s)", summary["seconds"]);
    println!("accepted exactly once: {exactly_once} / {n}");
    println!("attempts by outcome (replay's lines): {attempt_kind:?}");
    println!("history entries by outcome: {by_outcome:?}");
    let ok = check.report();
    if !keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
    ok
}

#[derive(Default)]
struct Checks(Mutex<Vec<(String, u64, u64)>>);

impl Checks {
    fn eq(&self, what: &str, got: u64, want: u64) {
        self.0.lock().unwrap().push((what.to_string(), got, want));
    }

    fn report(&self) -> bool {
        let mut ok = true;
        for (what, got, want) in self.0.lock().unwrap().iter() {
            let pass = got == want;
            ok &= pass;
            println!(
                "{} {what}: {got}{}",
                if pass { "ok  " } else { "FAIL" },
                if pass { String::new() } else { format!(" (expected {want})") }
            );
        }
        ok
    }
}
