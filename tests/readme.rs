//! The README's commands as a newcomer runs them: every `cargo run --release -- …` line of its
//! `sh` blocks, in order, as written (the binary standing in for `cargo run --release --`), in
//! an empty folder, with a data directory that does not exist yet, and with the clock a month
//! ahead (libfaketime), so an example that only works on the day it was written fails here.
//! Needs `faketime` (apt; `.ci/run` installs it): without it the test fails under CI and runs
//! on today's clock elsewhere, saying so.

mod common;

use std::process::Command;

const PREFIX: &str = "cargo run --release -- ";

/// The README's `cargo run --release -- …` lines, in order.
fn readme_commands() -> Vec<String> {
    let readme = include_str!("../README.md");
    let mut in_sh = false;
    let mut commands = Vec::new();
    for line in readme.lines() {
        match line.trim() {
            "```sh" => in_sh = true,
            "```" => in_sh = false,
            l if in_sh && l.starts_with(PREFIX) => commands.push(l.to_string()),
            _ => {}
        }
    }
    commands
}

fn faketime_present() -> bool {
    Command::new("faketime").args(["-f", "+0d", "true"]).output().is_ok_and(|o| o.status.success())
}

#[test]
fn every_readme_command_works_as_written_a_month_from_now_on_a_new_machine() {
    let commands = readme_commands();
    assert!(commands.len() >= 3, "the README's first-run commands: {commands:?}");
    assert!(commands.iter().any(|c| c.contains(" send ")), "a send among them: {commands:?}");
    let faketime = faketime_present();
    if !faketime {
        assert!(std::env::var_os("CI").is_none(), "CI must have faketime (apt-get install faketime)");
        eprintln!("faketime is missing: the README's commands run on today's clock");
    }
    let dir = common::temp_dir("readme");
    let home = dir.join("new-home");
    let bin = env!("CARGO_BIN_EXE_reddit-capi-console");
    for command in &commands {
        let script = format!("\"$RCC_BIN\" {}", &command[PREFIX.len()..]);
        let mut sh = if faketime {
            let mut c = Command::new("faketime");
            c.args(["-f", "+30d", "sh", "-c", &script]);
            c
        } else {
            let mut c = Command::new("sh");
            c.args(["-c", &script]);
            c
        };
        let out = sh
            .current_dir(&dir)
            .env("RCC_BIN", bin)
            .env("REDDIT_CAPI_CONSOLE_HOME", &home)
            .env("REDDIT_CAPI_CONSOLE_KEYCHAIN", "off")
            .env_remove("REDDIT_CONVERSION_TOKEN")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{command}: {}\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        if command.contains(" send ") {
            assert!(stdout.contains(": 200 "), "{command}: the emulator's 200 expected:\n{stdout}");
        }
        if command.contains(" preview ") {
            assert!(stdout.contains("a2_local_test_pixel"), "{command}: the first-run Pixel ID:\n{stdout}");
        }
    }
}
