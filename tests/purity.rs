//! The core crate stays pure: nothing it depends on, directly or through another crate, does
//! async I/O, HTTP or drawing. (Its clippy.toml refuses std's file, network, process and
//! environment functions; CI's clippy run enforces that.)

use std::process::Command;

/// Crates that would let the core reach a socket, a runtime or a screen.
const FORBIDDEN: [&str; 9] =
    ["tokio", "reqwest", "hyper", "hyper-util", "egui", "eframe", "winit", "mio", "rfd"];

#[test]
fn the_core_depends_on_no_io_or_ui_crate() {
    let out = Command::new(env!("CARGO"))
        .args(["tree", "-p", "reddit-capi-core", "-e", "normal", "--prefix", "none", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "cargo tree: {}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8(out.stdout).unwrap();
    let crates: Vec<&str> = tree.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert!(crates.contains(&"reddit-capi-core") && crates.contains(&"serde_json"), "{tree}");
    for name in FORBIDDEN {
        assert!(!crates.contains(&name), "the core depends on {name}:\n{tree}");
    }
}

#[test]
fn the_core_lints_refuse_file_and_process_access() {
    let toml = include_str!("../crates/core/clippy.toml");
    for path in
        ["std::fs::File", "std::fs::read_to_string", "std::io::stdin", "std::env::var", "std::net::TcpStream"]
    {
        assert!(toml.contains(&format!("path = \"{path}\"")), "clippy.toml lets the core use {path}");
    }
}

/// The validator (`crates/core/src/verdict/`) is written from `docs/reddit-rules.md` alone: it
/// uses nothing of the rest of the core (the builder, its lints, its constants), so a builder
/// mistake shows as a disagreement with it instead of being agreed with.
#[test]
fn the_validator_imports_nothing_from_the_builder() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/core/src/verdict");
    let mut files = 0;
    for entry in std::fs::read_dir(dir).expect("the verdict module exists") {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        files += 1;
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in ["crate::", "reddit_capi_core::", "reddit_capi_console::"] {
                assert!(!code.contains(word), "{}:{}: {line}", path.display(), n + 1);
            }
            assert!(!code.contains("super::super"), "{}:{}: {line}", path.display(), n + 1);
        }
    }
    assert!(files >= 4, "{files} files read in {dir}");
}

/// The emulator's rules reach the body checks through the validator only.
#[test]
fn the_emulator_rules_import_nothing_from_the_builder() {
    let text = include_str!("../src/emulator/rules.rs");
    for forbidden in
        ["reddit::lint", "reddit::build", "mapping::", "MAX_EVENTS_PER_REQUEST", "timestamp::parse"]
    {
        assert!(!text.contains(forbidden), "src/emulator/rules.rs uses {forbidden}");
    }
    assert!(text.contains("verdict::judge_bytes"), "the emulator's body checks are the validator's");
}
