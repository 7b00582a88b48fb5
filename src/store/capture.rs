//! The captures: events that arrived at `listen --capture`, enriched, one JSON object per line
//! (`captures.jsonl`, capped and rotated like the history, one fsync per arriving request), so
//! `preview` and `report` read them as any events file. They hold raw identifiers (emails,
//! phones, IPs) as the client sent them: they are kept only when the user asks for a capture.

use std::io;
use std::path::PathBuf;

use serde_json::{Map, Value};

use super::jsonl::Rotating;
use crate::paths::DataDir;

/// Default cap of the live capture file: 64 MiB (so at most twice that on disk).
pub const DEFAULT_CAP_BYTES: u64 = 64 << 20;

/// The capture file(s) in a directory.
#[derive(Debug, Clone)]
pub struct Captures {
    file: Rotating,
}

impl Captures {
    /// The captures kept in `dir` (created on first write).
    pub fn in_dir(dir: &DataDir) -> Captures {
        Captures { file: Rotating::new(dir.captures(), DEFAULT_CAP_BYTES) }
    }

    /// With another size cap.
    pub fn with_cap(mut self, cap_bytes: u64) -> Captures {
        self.file.cap_bytes = cap_bytes;
        self
    }

    /// The file: `captures.jsonl`, its rotation `captures.1.jsonl` and its lock.
    pub fn file(&self) -> &Rotating {
        &self.file
    }

    /// The files that exist, oldest events first (the rotated file, then the live one).
    pub fn files(&self) -> Vec<PathBuf> {
        [self.file.rotated_path(), self.file.path().to_path_buf()]
            .into_iter()
            .filter(|p| p.is_file())
            .collect()
    }

    /// Appends one request's events, one line each, with one fsync.
    pub fn append(&self, events: &[Map<String, Value>]) -> io::Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut lines = Vec::with_capacity(events.len() * 512);
        for event in events {
            serde_json::to_writer(&mut lines, event).map_err(io::Error::other)?;
            lines.push(b'\n');
        }
        self.file.append(&lines)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::test_dir::TestDir;

    fn event(n: usize) -> Map<String, Value> {
        let value = serde_json::json!({"type": "track", "event": "E", "userId": format!("u{n}"), "pad": "x".repeat(100)});
        value.as_object().unwrap().clone()
    }

    #[test]
    fn captures_are_private_lines_capped_by_rotation() {
        let root = TestDir::created("captures");
        let dir = DataDir::new(root.join("data"));
        let captures = Captures::in_dir(&dir).with_cap(1_000);
        for n in 0..20 {
            captures.append(&[event(2 * n), event(2 * n + 1)]).unwrap();
        }
        let live = std::fs::read_to_string(captures.file().path()).unwrap();
        let rotated = std::fs::read_to_string(captures.file().rotated_path()).unwrap();
        assert!(live.len() <= 1_000 && rotated.len() <= 1_000, "{} and {} bytes", live.len(), rotated.len());
        let users: Vec<String> = rotated
            .lines()
            .chain(live.lines())
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["userId"].as_str().unwrap().to_string())
            .collect();
        let newest: Vec<String> = (40 - users.len()..40).map(|n| format!("u{n}")).collect();
        assert_eq!(users, newest, "the newest events, in order, none torn");
        assert_eq!(captures.files(), [captures.file().rotated_path(), captures.file().path().to_path_buf()]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(captures.file().path()), 0o600);
            assert_eq!(mode(&captures.file().rotated_path()), 0o600);
            assert_eq!(mode(dir.root()), 0o700);
        }
    }
}
