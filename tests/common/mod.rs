//! Helpers the integration tests share.

use std::path::{Path, PathBuf};

/// Every file under `dir`, recursively (none if it does not exist).
#[allow(dead_code)]
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() { out.extend(files_under(&path)) } else { out.push(path) }
    }
    out
}

/// A fresh, empty directory under the system temp dir, named for the test crate and `name`.
#[allow(dead_code)]
pub fn temp_dir(name: &str) -> PathBuf {
    let d =
        std::env::temp_dir().join(format!("rcc-{}-{name}-{}", env!("CARGO_CRATE_NAME"), std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The binary with its data directory in `home`, no token in the environment, no keychain.
#[allow(dead_code)]
pub fn cli(home: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_reddit-capi-console"));
    c.env("REDDIT_CAPI_CONSOLE_HOME", home)
        .env_remove("REDDIT_CONVERSION_TOKEN")
        .env("REDDIT_CAPI_CONSOLE_KEYCHAIN", "off");
    c
}

/// A Purchase event stamped "now" (so no age lint and the emulator's window accepts it).
#[allow(dead_code)]
pub fn purchase(message_id: &str) -> serde_json::Value {
    let mut e: serde_json::Value =
        serde_json::from_str(include_str!("../../assets/samples/purchase.json")).unwrap();
    let now = reddit_capi_console::timestamp::format_rfc3339(reddit_capi_console::timestamp::now_millis());
    e["timestamp"] = serde_json::json!(now);
    e["messageId"] = serde_json::json!(message_id);
    e
}

/// Writes `events` as JSON Lines to `dir/name`.
#[allow(dead_code)]
pub fn write_events(dir: &Path, name: &str, events: &[serde_json::Value]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, events.iter().map(|e| format!("{e}\n")).collect::<String>()).unwrap();
    path
}
