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

/// Removes group and other permissions from `path` if it has any (a file or directory made
/// world-readable by an older release).
pub fn make_private(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
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
