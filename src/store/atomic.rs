//! Writing a file so that a crash leaves either the old or the new content, never a mix:
//! temp file in the same directory, fsync, rename over the target, fsync the directory.
//!
//! Everything the console writes holds identifiers (Pixel IDs, samples with raw PII) or the
//! token, so files are 0600 and the directories created for them 0700 (on Unix), from the
//! moment they exist. The temp file is created new (`O_EXCL`), never through a symlink
//! (`O_NOFOLLOW`), under a name no other writer uses.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Replaces `path` with `bytes` atomically; the file is readable and writable by its owner only.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    remove_stale_temps(dir, name);
    let tmp = dir.join(format!(".{name}.{}.{:016x}.tmp", std::process::id(), crate::random::next_u64()));
    let mut file = open_new_private(&tmp)?;
    let result = (|| {
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        // The rename itself must reach the disk.
        #[cfg(unix)]
        fs::File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Removes the temporary files an earlier writer of `name` left in `dir` when it died mid-save
/// (`kill -9`, a file size limit): `.{name}.{pid}.{random}.tmp` whose process no longer runs.
/// A file of a process still running (another writer, now) is left alone.
fn remove_stale_temps(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else { continue };
        let Some((pid, random)) = rest.strip_suffix(".tmp").and_then(|r| r.split_once('.')) else { continue };
        let (Ok(pid), true) =
            (pid.parse::<u32>(), random.len() == 16 && random.bytes().all(|b| b.is_ascii_hexdigit()))
        else {
            continue;
        };
        if pid != std::process::id() && !process_runs(pid) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether process `pid` exists (on systems where that cannot be asked: assumed so).
fn process_runs(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else { return true };
        // SAFETY: signal 0 only checks that the process exists.
        if unsafe { libc::kill(pid, 0) } == 0 {
            return true;
        }
        std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Creates `path` (which must not exist, and is never followed if it is a symlink), mode 0600.
pub fn open_new_private(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// Creates `dir` and its missing parents, mode 0700 (an existing directory is left as it is).
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Removes group and other permissions from the file at `path` if it has any (a file made
/// world-readable by an older release), never through a symlink and never another user's file:
/// opened by [`super::guard::open`], narrowed through its descriptor.
pub fn make_private(path: &Path) -> io::Result<()> {
    super::guard::narrow(&super::guard::open(fs::OpenOptions::new().read(true), path)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_dir::TestDir;

    #[test]
    fn replaces_whole_files_and_leaves_no_temp_behind() {
        let root = TestDir::new("atomic-whole");
        let path = root.join("nested").join("workspace.json");
        write(&path, b"first").unwrap();
        write(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        let names: Vec<_> =
            fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn files_are_0600_in_0700_directories() {
        use std::os::unix::fs::PermissionsExt;
        let root = TestDir::new("atomic-private");
        let path = root.join("home").join("tokens.json");
        write(&path, b"secret").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(mode(&root), 0o700, "created parents too");
        write(&path, b"again").unwrap();
        assert_eq!(mode(&path), 0o600);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        make_private(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        let link = path.with_extension("link");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(make_private(&link).is_err(), "never through a symlink");
        assert_eq!(mode(&path), 0o644);
    }

    #[test]
    fn temp_files_of_a_writer_that_died_are_removed_and_a_running_ones_kept() {
        let root = TestDir::created("atomic-stale");
        // No process has pid 4194304 + 1 (above Linux's pid_max).
        let dead = root.join(".workspace.json.4194305.0123456789abcdef.tmp");
        let running = root.join(format!(".workspace.json.{}.0123456789abcdef.tmp", std::process::id()));
        let other = root.join(".settings.json.4194305.0123456789abcdef.tmp");
        let mine = root.join(".workspace.json.4194305.notours.tmp");
        for f in [&dead, &running, &other, &mine] {
            fs::write(f, b"half").unwrap();
        }
        write(&root.join("workspace.json"), b"{}").unwrap();
        assert!(!dead.exists(), "left by a dead writer");
        assert!(running.exists() && other.exists() && mine.exists(), "not a stale temp of this file");
    }

    #[cfg(unix)]
    #[test]
    fn the_temp_file_is_never_opened_through_a_symlink_or_over_another_file() {
        let root = TestDir::new("atomic-nofollow");
        create_private_dir(&root).unwrap();
        let target = root.join("victim");
        fs::write(&target, b"keep").unwrap();
        let link = root.join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(open_new_private(&link).is_err(), "a symlink is not followed");
        assert!(open_new_private(&target).is_err(), "an existing file is not reused");
        assert_eq!(fs::read(&target).unwrap(), b"keep");
    }
}
