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
