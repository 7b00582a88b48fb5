//! Inputs as Segment writes them: gzip JSON Lines (told by their first bytes), and directories of
//! gzip parts read in name order, through `preview`, `report` and `check` end to end — the same
//! output as the plain text, errors naming the file (and the line of the decompressed text),
//! and a gzip bomb stopped at the per-input cap with memory to match.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_reddit-capi-console");
const NOW: &str = "2026-12-01T12:00:00Z";

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// The report fixture's events, repeated to span many of the pipeline's 64 KiB pieces.
fn corpus() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report/events.jsonl");
    std::fs::read_to_string(path).unwrap().repeat(300)
}

fn command(home: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("REDDIT_CAPI_CONSOLE_HOME", home)
        .env("REDDIT_CAPI_CONSOLE_KEYCHAIN", "off")
        .env_remove("REDDIT_CONVERSION_TOKEN")
        .stdin(Stdio::null());
    command
}

fn run(home: &Path, args: &[&str]) -> Output {
    command(home, args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_gzip_input_gives_byte_identical_output_to_the_plain_one_for_preview_and_report() {
    let dir = TempDir::new("same");
    let text = corpus();
    let plain = dir.write("events.jsonl", &text);
    // Told by its first bytes, not its name: no `.gz` here.
    let packed = dir.join("events-export");
    std::fs::write(&packed, gzip(text.as_bytes())).unwrap();
    let runs: [&[&str]; 5] = [
        &["preview", "--jobs", "1"],
        &["preview", "--jobs", "2"],
        &["preview", "--batch", "--jobs", "2"],
        &["report", "--now", NOW, "--format", "json"],
        &["report", "--now", NOW, "--format", "markdown"],
    ];
    for args in runs {
        let with = |input: &Path| {
            let mut all = args.to_vec();
            all.push(path(input));
            run(&dir, &all)
        };
        let (a, b) = (with(&plain), with(&packed));
        assert!(a.status.code().is_some_and(|c| c <= 1), "{args:?}: {}", stderr(&a));
        assert!(a.stdout.len() > 1000, "{args:?}: a real output");
        assert_eq!(a.status.code(), b.status.code(), "{args:?}: {}", stderr(&b));
        assert!(a.stdout == b.stdout, "{args:?}: the gzip input's output differs");
    }
    // Standard input too.
    let mut child = command(&dir, &["report", "--now", NOW, "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&gzip(text.as_bytes())).unwrap();
    let piped = child.wait_with_output().unwrap();
    assert_eq!(piped.stdout, run(&dir, &["report", "--now", NOW, "--format", "json", path(&plain)]).stdout);
}

#[test]
fn a_directory_of_gzip_parts_gives_the_same_report_as_the_joined_plain_file() {
    let dir = TempDir::new("parts");
    let text = corpus();
    let joined = dir.write("joined.jsonl", &text);
    // Segment's S3 layout: a folder per day, parts whose names sort in the order written.
    let lines: Vec<&str> = text.lines().collect();
    let parts = dir.join("segment-logs/source-id");
    for (i, chunk) in lines.chunks(lines.len() / 7 + 1).enumerate() {
        let day = parts.join(format!("day-{}", i / 4));
        std::fs::create_dir_all(&day).unwrap();
        std::fs::write(day.join(format!("part-{i:03}.gz")), gzip((chunk.join("\n") + "\n").as_bytes()))
            .unwrap();
    }
    for format in ["json", "markdown"] {
        let whole = run(&dir, &["report", "--now", NOW, "--format", format, path(&joined)]);
        let split = run(&dir, &["report", "--now", NOW, "--format", format, path(&parts)]);
        assert!(whole.stdout.len() > 1000, "{}", stderr(&whole));
        assert!(whole.stdout == split.stdout, "{format}: {}", stderr(&split));
    }
    // `preview` reads the same directory the same way.
    let whole = run(&dir, &["preview", path(&joined)]);
    let split = run(&dir, &["preview", path(&parts)]);
    assert!(!whole.stdout.is_empty() && whole.stdout == split.stdout, "{}", stderr(&split));
}

#[test]
fn a_truncated_or_damaged_gzip_is_an_error_naming_the_file_and_where_its_text_stopped() {
    let dir = TempDir::new("broken");
    let whole = gzip(corpus().as_bytes());
    let truncated = dir.join("truncated.jsonl.gz");
    std::fs::write(&truncated, &whole[..whole.len() * 2 / 3]).unwrap();
    let mut bytes = whole.clone();
    let middle = bytes.len() / 2;
    bytes[middle..middle + 16].fill(0xff);
    let damaged = dir.join("damaged.jsonl.gz");
    std::fs::write(&damaged, bytes).unwrap();
    for (file, says) in [(&truncated, "truncated"), (&damaged, "damaged")] {
        for command in [&["preview"][..], &["report", "--now", NOW]] {
            let mut args = command.to_vec();
            args.push(path(file));
            let out = run(&dir, &args);
            let message = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {message}");
            assert!(out.stdout.is_empty(), "{args:?}: nothing printed before the error");
            // `file:line:column: …` of the decompressed text, past its first line.
            let at = format!("{}:", path(file));
            let rest = message.split(&at).nth(1).unwrap_or_else(|| panic!("{args:?}: {message}"));
            let line: usize = rest.split(':').next().unwrap().parse().unwrap_or(0);
            assert!(line > 1, "{args:?}: a line of the text: {message}");
            assert!(message.contains(says), "{args:?}: {message}");
        }
    }
    let out = run(&dir, &["check", path(&truncated)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("truncated.jsonl.gz") && stderr(&out).contains("truncated"),
        "{}",
        stderr(&out)
    );
}

/// Runs `args` and returns it and its peak resident memory in MiB (`wait4`'s own figure).
#[cfg(target_os = "linux")]
#[expect(clippy::zombie_processes, reason = "reaped by wait4, which also gives its peak memory")]
fn run_measured(home: &Path, args: &[&str], stderr_file: &Path) -> (i32, u64) {
    let child = command(home, args)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(stderr_file).unwrap())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: a zeroed rusage is valid; wait4 fills it for our own child, reaped here once.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    assert_eq!(unsafe { libc::wait4(pid, &mut status, 0, &mut usage) }, pid);
    (libc::WEXITSTATUS(status), u64::try_from(usage.ru_maxrss).unwrap() / 1024)
}

#[test]
#[cfg(target_os = "linux")]
fn a_gzip_bomb_is_refused_at_the_per_input_cap_within_bounded_memory() {
    let dir = TempDir::new("bomb");
    // 1 GiB of text in about 1 MiB: one endless value, then an endless stream of whole lines.
    let bomb = dir.join("bomb.jsonl.gz");
    let mut encoder =
        flate2::write::GzEncoder::new(std::fs::File::create(&bomb).unwrap(), flate2::Compression::best());
    encoder.write_all(b"{\"type\":\"track\",\"event\":\"").unwrap();
    let block = vec![b'x'; 1 << 20];
    for _ in 0..1024 {
        encoder.write_all(&block).unwrap();
    }
    encoder.finish().unwrap();
    assert!(std::fs::metadata(&bomb).unwrap().len() < 4 << 20);
    let errors = dir.join("stderr");
    for command in [&["preview"][..], &["report", "--now", NOW], &["check"]] {
        let mut args = command.to_vec();
        args.push(path(&bomb));
        let (code, peak_mib) = run_measured(&dir, &args, &errors);
        let message = std::fs::read_to_string(&errors).unwrap();
        assert_eq!(code, 2, "{args:?}: {message}");
        assert!(message.contains("bomb.jsonl.gz") && message.contains("MiB"), "{args:?}: {message}");
        // The cap is 256 MiB of text (64 MiB for `check`): what is held is the capped text and,
        // for `report`, the JSON parser's copy of the value cut off in it; never the GiB.
        eprintln!("{args:?}: peak {peak_mib} MiB");
        assert!(peak_mib < 768, "{args:?}: peak {peak_mib} MiB");
    }
}
