//! Helpers the integration tests share (each test crate uses some of them).
#![allow(dead_code)]

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Every file under `dir`, recursively (none if it does not exist).
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() { out.extend(files_under(&path)) } else { out.push(path) }
    }
    out
}

/// A fresh, empty directory under the system temp dir, named for the test crate and `tag`, and
/// removed (with everything in it) when dropped.
#[derive(Debug)]
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "rcc-{}-{tag}-{}-{n}",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` to `name` inside the directory.
    pub(crate) fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for TempDir {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// [`TempDir::new`].
pub(crate) fn temp_dir(tag: &str) -> TempDir {
    TempDir::new(tag)
}

/// The binary with its data directory in `home`, no token in the environment, no keychain.
pub(crate) fn cli(home: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_reddit-capi-console"));
    c.env("REDDIT_CAPI_CONSOLE_HOME", home)
        .env_remove("REDDIT_CONVERSION_TOKEN")
        .env("REDDIT_CAPI_CONSOLE_KEYCHAIN", "off");
    c
}

/// A Purchase event stamped "now" (so no age lint and the emulator's window accepts it).
pub(crate) fn purchase(message_id: &str) -> serde_json::Value {
    let mut e: serde_json::Value =
        serde_json::from_str(include_str!("../../assets/samples/purchase.json")).unwrap();
    let now = reddit_capi_console::timestamp::format_rfc3339(reddit_capi_console::timestamp::now_millis());
    e["timestamp"] = serde_json::json!(now);
    e["messageId"] = serde_json::json!(message_id);
    e
}

/// Writes `events` as JSON Lines to `dir/name`.
pub(crate) fn write_events(dir: &Path, name: &str, events: &[serde_json::Value]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, events.iter().map(|e| format!("{e}\n")).collect::<String>()).unwrap();
    path
}
