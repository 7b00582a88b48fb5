//! An append-only JSON Lines file capped by rotation, shared by the history and the captures:
//! each append (one line or many) is written whole and fsynced under an exclusive lock on
//! `NAME.lock` (`flock`), so concurrent writers never interleave and a rotation never renames a
//! file another writer has just started. Past the cap the live file becomes `NAME.1.jsonl` (the
//! previous rotation is dropped), so at most about twice the cap is on disk. A crash can at worst
//! leave a torn last line, which readers skip and the next append terminates. The files are 0600
//! in a 0700 directory, never reached through a symlink.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::{atomic, guard};

/// A capped, rotated JSON Lines file.
#[derive(Debug, Clone)]
pub struct Rotating {
    path: PathBuf,
    /// Past this size the live file is rotated.
    pub(crate) cap_bytes: u64,
    /// Test hook: a pause between deciding to rotate and rotating (where the race was).
    pub(crate) rotation_pause: Option<std::time::Duration>,
}

impl Rotating {
    /// The file at `path` (`NAME.jsonl`), rotated past `cap_bytes`.
    pub fn new(path: PathBuf, cap_bytes: u64) -> Rotating {
        Rotating { path, cap_bytes, rotation_pause: None }
    }

    /// The live file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The rotated file (`NAME.1.jsonl`).
    pub fn rotated_path(&self) -> PathBuf {
        self.path.with_extension("1.jsonl")
    }

    /// The lock the writers take turns on (`NAME.lock`).
    pub fn lock_path(&self) -> PathBuf {
        self.path.with_extension("lock")
    }

    /// Appends `lines` (whole lines, each ending in a line break) and fsyncs, under the lock;
    /// rotates first when they would take the live file past the cap.
    pub fn append(&self, lines: &[u8]) -> io::Result<()> {
        let dir = self.path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        atomic::create_private_dir(dir)?;
        // Never through a symlink, never another user's file or directory (see `guard`).
        guard::check_dir(dir)?;
        let lock = guard::open(private_options().write(true), &self.lock_path())?;
        guard::narrow(&lock)?;
        lock.lock()?;
        if std::fs::symlink_metadata(&self.path).is_ok_and(|m| m.len() + lines.len() as u64 > self.cap_bytes)
        {
            if let Some(pause) = self.rotation_pause {
                std::thread::sleep(pause);
            }
            std::fs::rename(&self.path, self.rotated_path())?;
        }
        let mut file = guard::open(private_options().append(true).read(true), &self.path)?;
        guard::narrow(&file)?;
        let (length, torn) = ends_torn(&mut file)?;
        // A crash tore the last line: end it so these stand alone.
        let written = if torn {
            file.write_all(b"\n").and_then(|()| file.write_all(lines))
        } else {
            file.write_all(lines)
        };
        if let Err(e) = written {
            // Past a file size limit or a full disk: take back what went out, so the error is
            // reported and no torn line is left.
            let _ = file.set_len(length);
            return Err(e);
        }
        file.sync_data()
    }
}

/// Create-if-missing at mode 0600.
fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// The file's length, and whether its last line is torn (no final line break).
fn ends_torn(file: &mut File) -> io::Result<(u64, bool)> {
    let len = file.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok((0, false));
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok((len, last[0] != b'\n'))
}
