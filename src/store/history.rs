//! The send history: an append-only JSON Lines file, one line per state change of an attempt
//! (`pending` before the request leaves, `completed` when it returns), each line written whole
//! and fsynced. A crash can at worst leave a torn last line, which reading skips and the next
//! append terminates; earlier lines are never rewritten. When the file passes its cap it is
//! rotated to `history.1.jsonl` (the previous rotation is dropped), so the store stays bounded.
//!
//! Why not SQLite: one writer, append-only records and "newest first" reads need no query
//! engine; a text file is crash-safe with fsync alone, greppable, and adds no C dependency.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::net::AttemptRecord;
use crate::reddit::Lint;
use crate::reddit::response::Outcome;

/// Default cap of the live file: 32 MiB (so at most twice that on disk).
pub const DEFAULT_CAP_BYTES: u64 = 32 << 20;

/// The state of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
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
    pub state: State,
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

/// The history file(s) in a directory.
#[derive(Debug, Clone)]
pub struct History {
    path: PathBuf,
    cap_bytes: u64,
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
    pub fn in_dir(dir: &Path) -> History {
        History { path: dir.join("history.jsonl"), cap_bytes: DEFAULT_CAP_BYTES }
    }

    /// With another size cap (tests).
    pub fn with_cap(mut self, cap_bytes: u64) -> History {
        self.cap_bytes = cap_bytes;
        self
    }

    /// The live file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn rotated(&self) -> PathBuf {
        self.path.with_file_name("history.1.jsonl")
    }

    /// Appends one entry as one fsynced line.
    pub fn append(&self, entry: &Entry) -> io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
        line.push(b'\n');
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if std::fs::metadata(&self.path).is_ok_and(|m| m.len() + line.len() as u64 > self.cap_bytes) {
            std::fs::rename(&self.path, self.rotated())?;
        }
        let mut file = OpenOptions::new().create(true).append(true).read(true).open(&self.path)?;
        if ends_torn(&mut file)? {
            // A crash tore the last line: end it so this one stands alone.
            file.write_all(b"\n")?;
        }
        file.write_all(&line)?;
        file.sync_data()
    }

    /// Reads every entry (rotated file first), keeping each attempt's latest state.
    pub fn read(&self) -> io::Result<Loaded> {
        let mut out = Loaded::default();
        let mut index: std::collections::HashMap<(String, u32), usize> = std::collections::HashMap::new();
        for path in [self.rotated(), self.path.clone()] {
            let file = match File::open(&path) {
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

fn ends_torn(file: &mut File) -> io::Result<bool> {
    let len = file.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
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
        (self.state == State::Completed).then_some(&self.attempt.outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reddit::response::{Kind, classify};

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rcc-history-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn entry(send_id: &str, number: u32, state: State) -> Entry {
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
            },
            lints: Vec::new(),
            attempt: AttemptRecord {
                number,
                started_at: "2026-11-28T12:00:00.000Z".into(),
                duration_ms: 5,
                waited_ms: 0,
                status: (state == State::Completed).then_some(200),
                response_headers: Vec::new(),
                response_body: None,
                outcome: match state {
                    State::Completed => classify(200, r#"{"message": "ok"}"#),
                    State::Pending => Outcome::transport(Kind::Cancelled, "pending"),
                },
            },
        }
    }

    #[test]
    fn pending_then_completed_reads_as_completed() {
        let h = History::in_dir(&dir("states"));
        h.append(&entry("a", 1, State::Pending)).unwrap();
        h.append(&entry("a", 1, State::Completed)).unwrap();
        h.append(&entry("b", 1, State::Pending)).unwrap();
        let read = h.read().unwrap();
        let states: Vec<(&str, State)> = read.entries.iter().map(|e| (e.send_id.as_str(), e.state)).collect();
        assert_eq!(states, [("a", State::Completed), ("b", State::Pending)]);
        assert_eq!(read.skipped_lines, 0);
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_terminated_by_the_next_append() {
        let d = dir("torn");
        let h = History::in_dir(&d);
        h.append(&entry("a", 1, State::Completed)).unwrap();
        let mut f = OpenOptions::new().append(true).open(h.path()).unwrap();
        f.write_all(br#"{"send_id": "b", "sta"#).unwrap();
        drop(f);
        assert_eq!(h.read().unwrap().skipped_lines, 1);
        h.append(&entry("c", 1, State::Completed)).unwrap();
        let read = h.read().unwrap();
        assert_eq!(read.entries.iter().map(|e| e.send_id.as_str()).collect::<Vec<_>>(), ["a", "c"]);
        assert_eq!(read.skipped_lines, 1);
    }

    #[test]
    fn the_store_is_capped_by_rotation() {
        let d = dir("cap");
        let h = History::in_dir(&d).with_cap(4096);
        for i in 0..100 {
            h.append(&entry(&format!("s{i}"), 1, State::Completed)).unwrap();
        }
        let live = std::fs::metadata(h.path()).unwrap().len();
        let rotated = std::fs::metadata(d.join("history.1.jsonl")).unwrap().len();
        assert!(live <= 4096 && rotated <= 4096, "{live} {rotated}");
        let read = h.read().unwrap();
        assert_eq!(read.entries.last().unwrap().send_id, "s99", "the newest survive");
    }

    #[test]
    fn send_ids_are_unique() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| new_send_id()).collect();
        assert_eq!(ids.len(), 1000);
    }
}
