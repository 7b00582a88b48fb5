//! The send history: an append-only JSON Lines file, one line per state change of an attempt
//! (`pending` before the request leaves, `completed` when it returns), each line written whole
//! and fsynced. A crash can at worst leave a torn last line, which reading skips and the next
//! append terminates; earlier lines are never rewritten. When the file passes its cap it is
//! rotated to `history.1.jsonl` (the previous rotation is dropped), so the store stays bounded.
//!
//! Several processes may append at once (the app and `send`, two `replay`s): every append holds
//! an exclusive lock on `history.lock` (`flock`) from the size check to the fsync, so a rotation
//! never renames a file another writer has just started. The files are 0600 in a 0700 directory.
//!
//! Why not SQLite: one writer, append-only records and "newest first" reads need no query
//! engine; a text file is crash-safe with fsync alone, greppable, and adds no C dependency.

use std::fs::OpenOptions;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::guard;
use super::jsonl::Rotating;
use crate::paths::DataDir;
use crate::reddit::Lint;
use crate::reddit::response::Outcome;

/// Default cap of the live file: 32 MiB (so at most twice that on disk).
pub const DEFAULT_CAP_BYTES: u64 = 32 << 20;

/// How far an attempt got (its entry's `state` in the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Written just before the request left; stays so if the process died.
    Pending,
    Completed,
}

/// The request as sent, with the token masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub url: String,
    pub method: String,
    /// Authorization shows `Bearer ••••` and the token's last four characters.
    pub headers: Vec<(String, String)>,
    /// The body, whole, or with only its first event when it was too large to keep.
    pub body: Value,
    /// Set when `body` is abridged: what the whole body was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abridged: Option<Abridged>,
    /// SHA-256 of the whole body as sent, lowercase hex (absent in entries of older releases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl RequestRecord {
    /// The digest of the body as sent, where the entry holds one.
    pub fn body_sha256(&self) -> Option<&str> {
        self.sha256.as_deref().or(self.abridged.as_ref().map(|a| a.sha256.as_str()))
    }
}

/// What a body too large to keep whole in history was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Abridged {
    /// Events in the whole body (`body` keeps the first).
    pub events: usize,
    /// Size of the whole body as sent.
    pub bytes: usize,
    /// SHA-256 of the whole body as sent, lowercase hex.
    pub sha256: String,
}

/// One history line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The send this attempt belongs to (all attempts of a send share it).
    pub send_id: String,
    pub state: Phase,
    /// `emulator`, `reddit`, or the endpoint URL's origin.
    pub endpoint: String,
    pub api_version: String,
    /// Sent in test mode (v2 `test_mode`, v3 `test_id`).
    pub test: bool,
    pub mapping: String,
    /// Where the events came from, e.g. `events.jsonl#0-999` or a composer sample's name.
    pub source: String,
    pub event_count: usize,
    pub request: RequestRecord,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lints: Vec<Lint>,
    /// The attempt: number and start time always; response and outcome once completed.
    pub attempt: AttemptRecord,
}

/// One attempt, as history records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptRecord {
    /// 1 for the first try.
    pub number: u32,
    /// When it started (RFC 3339).
    pub started_at: String,
    pub duration_ms: u64,
    /// How long the client waited before this attempt (backoff or Retry-After).
    pub waited_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_headers: Vec<(String, String)>,
    /// The body, up to [`crate::net::MAX_RESPONSE_BODY_BYTES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
    /// The body went on past that cap: `response_body` is its beginning, the rest was not read.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub response_body_cut: bool,
    pub outcome: Outcome,
}

/// The history file(s) in a directory.
#[derive(Debug, Clone)]
pub struct History {
    file: Rotating,
}

/// What reading found.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Entries, oldest first; for each attempt only its latest state.
    pub entries: Vec<Entry>,
    /// Lines that could not be read (a torn last line after a crash, or damage).
    pub skipped_lines: usize,
}

impl History {
    /// The history kept in `dir` (created on first write).
    pub fn in_dir(dir: &DataDir) -> History {
        History { file: Rotating::new(dir.history(), DEFAULT_CAP_BYTES) }
    }

    /// With another size cap (tests).
    pub fn with_cap(mut self, cap_bytes: u64) -> History {
        self.file.cap_bytes = cap_bytes;
        self
    }

    /// Sleeps this long between deciding to rotate and rotating (tests of concurrent writers).
    #[doc(hidden)]
    pub fn with_rotation_pause(mut self, pause: std::time::Duration) -> History {
        self.file.rotation_pause = Some(pause);
        self
    }

    /// The live file.
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// The rotated file (`history.1.jsonl`).
    pub fn rotated_path(&self) -> PathBuf {
        self.file.rotated_path()
    }

    /// The lock the writers take turns on (`history.lock`).
    pub fn lock_path(&self) -> PathBuf {
        self.file.lock_path()
    }

    /// Appends one entry as one fsynced line, under the history lock.
    pub fn append(&self, entry: &Entry) -> io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
        line.push(b'\n');
        self.file.append(&line)
    }

    /// Reads every entry (rotated file first), keeping each attempt's latest state.
    pub fn read(&self) -> io::Result<Loaded> {
        let mut out = Loaded::default();
        let mut index: std::collections::HashMap<(String, u32), usize> = std::collections::HashMap::new();
        for path in [self.rotated_path(), self.path().to_path_buf()] {
            let file = match guard::open(OpenOptions::new().read(true), &path) {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            for line in BufReader::new(file).split(b'\n') {
                let line = line?;
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                match serde_json::from_slice::<Entry>(&line) {
                    Ok(entry) => {
                        let key = (entry.send_id.clone(), entry.attempt.number);
                        match index.get(&key) {
                            Some(&i) => out.entries[i] = entry,
                            None => {
                                index.insert(key, out.entries.len());
                                out.entries.push(entry);
                            }
                        }
                    }
                    Err(_) => out.skipped_lines += 1,
                }
            }
        }
        Ok(out)
    }
}

/// A new send id: time-ordered and unique within the process.
pub fn new_send_id() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}-{}-{}",
        crate::timestamp::now_millis(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl Entry {
    /// The outcome when completed.
    pub fn outcome(&self) -> Option<&Outcome> {
        (self.state == Phase::Completed).then_some(&self.attempt.outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    use crate::reddit::response::{Kind, classify};

    use crate::test_dir::TestDir;

    fn entry(send_id: &str, number: u32, state: Phase) -> Entry {
        Entry {
            send_id: send_id.into(),
            state,
            endpoint: "emulator".into(),
            api_version: "v2.0".into(),
            test: true,
            mapping: "Purchase".into(),
            source: "events.json#0".into(),
            event_count: 1,
            request: RequestRecord {
                url: "http://127.0.0.1:1/api".into(),
                method: "POST".into(),
                headers: vec![("Authorization".into(), "Bearer ••••1234".into())],
                body: serde_json::json!({"events": []}),
                abridged: None,
                sha256: None,
            },
            lints: Vec::new(),
            attempt: AttemptRecord {
                number,
                started_at: "2026-11-28T12:00:00.000Z".into(),
                duration_ms: 5,
                waited_ms: 0,
                status: (state == Phase::Completed).then_some(200),
                response_headers: Vec::new(),
                response_body: None,
                response_body_cut: false,
                outcome: match state {
                    Phase::Completed => classify(200, r#"{"message": "ok"}"#),
                    Phase::Pending => Outcome::transport(Kind::Cancelled, "pending"),
                },
            },
        }
    }

    #[test]
    fn pending_then_completed_reads_as_completed() {
        let d = TestDir::new("history-states");
        let h = History::in_dir(&DataDir::new(d.to_path_buf()));
        h.append(&entry("a", 1, Phase::Pending)).unwrap();
        h.append(&entry("a", 1, Phase::Completed)).unwrap();
        h.append(&entry("b", 1, Phase::Pending)).unwrap();
        let read = h.read().unwrap();
        let states: Vec<(&str, Phase)> = read.entries.iter().map(|e| (e.send_id.as_str(), e.state)).collect();
        assert_eq!(states, [("a", Phase::Completed), ("b", Phase::Pending)]);
        assert_eq!(read.skipped_lines, 0);
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_terminated_by_the_next_append() {
        let d = TestDir::new("history-torn");
        let h = History::in_dir(&DataDir::new(d.to_path_buf()));
        h.append(&entry("a", 1, Phase::Completed)).unwrap();
        let mut f = OpenOptions::new().append(true).open(h.path()).unwrap();
        f.write_all(br#"{"send_id": "b", "sta"#).unwrap();
        drop(f);
        assert_eq!(h.read().unwrap().skipped_lines, 1);
        h.append(&entry("c", 1, Phase::Completed)).unwrap();
        let read = h.read().unwrap();
        assert_eq!(read.entries.iter().map(|e| e.send_id.as_str()).collect::<Vec<_>>(), ["a", "c"]);
        assert_eq!(read.skipped_lines, 1);
    }

    #[test]
    fn the_store_is_capped_by_rotation() {
        let d = TestDir::new("history-cap");
        let h = History::in_dir(&DataDir::new(d.to_path_buf())).with_cap(4096);
        for i in 0..100 {
            h.append(&entry(&format!("s{i}"), 1, Phase::Completed)).unwrap();
        }
        let live = std::fs::metadata(h.path()).unwrap().len();
        let rotated = std::fs::metadata(d.join("history.1.jsonl")).unwrap().len();
        assert!(live <= 4096 && rotated <= 4096, "{live} {rotated}");
        let read = h.read().unwrap();
        assert_eq!(read.entries.last().unwrap().send_id, "s99", "the newest survive");
    }

    /// Child processes of `writers_at_the_rotation_point_lose_nothing` run this (a no-op otherwise).
    #[test]
    fn rotation_child() {
        let (Ok(dir), Ok(id)) =
            (std::env::var("RCC_HISTORY_CHILD_DIR"), std::env::var("RCC_HISTORY_CHILD_ID"))
        else {
            return;
        };
        let h = History::in_dir(&DataDir::new(dir))
            .with_cap(CHILD_CAP)
            .with_rotation_pause(std::time::Duration::from_millis(200));
        for k in 0..5 {
            h.append(&entry(&format!("child-{id}-{k}"), 1, Phase::Completed)).unwrap();
        }
    }

    const CHILD_CAP: u64 = 64 * 1024;

    #[test]
    fn writers_at_the_rotation_point_lose_nothing() {
        let d = TestDir::new("history-race");
        let h = History::in_dir(&DataDir::new(d.to_path_buf())).with_cap(CHILD_CAP);
        // Fill the live file to just under the cap: the next append of every writer rotates.
        let mut before = 0;
        while std::fs::metadata(h.path()).map_or(0, |m| m.len()) < CHILD_CAP - 600 {
            h.append(&entry(&format!("before-{before}"), 1, Phase::Completed)).unwrap();
            before += 1;
        }
        let children: Vec<_> = (0..6)
            .map(|id| {
                std::process::Command::new(std::env::current_exe().unwrap())
                    .args(["--exact", "store::history::tests::rotation_child", "--test-threads=1", "--quiet"])
                    .env("RCC_HISTORY_CHILD_DIR", d.as_os_str())
                    .env("RCC_HISTORY_CHILD_ID", id.to_string())
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut child in children {
            assert!(child.wait().unwrap().success(), "a writer failed");
        }
        let read = h.read().unwrap();
        assert_eq!(read.skipped_lines, 0);
        let ids: std::collections::HashSet<String> = read.entries.iter().map(|e| e.send_id.clone()).collect();
        assert_eq!(ids.len(), before + 30, "every entry of every writer is kept");
        for id in 0..6 {
            for k in 0..5 {
                assert!(ids.contains(&format!("child-{id}-{k}")), "child-{id}-{k} lost");
            }
        }
        #[cfg(unix)]
        for f in [h.path().to_path_buf(), d.join("history.1.jsonl"), d.join("history.lock"), d.to_path_buf()]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode & 0o077, 0, "{} is {mode:o}", f.display());
        }
    }

    #[test]
    fn send_ids_are_unique() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| new_send_id()).collect();
        assert_eq!(ids.len(), 1000);
    }
}
