//! The data directory and its files, checked before the console reads or writes them: a file
//! there could have been planted (a symlink to another file, another user's file) and the
//! directory could be shared (`REDDIT_CAPI_CONSOLE_HOME=/tmp`) or someone else's.
//!
//! [`verify`] (the commands) and [`check`] (the app) are what every edge calls first. Both
//! refuse, naming the path and what is wrong: a symlink (never followed), something that is not
//! a directory or a regular file, anything owned by another user, and a directory others can
//! write in (world-writable or sticky, as `/tmp`). What is the user's own and only too open (left
//! so by an older release) is narrowed to 0700 / 0600 by [`check`] (the app, which writes) and by
//! the history as it appends, through a descriptor opened without following links, never through
//! a path; [`verify`] changes nothing. The token file is left to [`crate::secret::tokens`], which
//! refuses it with the `chmod` to run. [`open`] opens a file of the directory the same way (no
//! link followed, the owner checked on the open file), so a file swapped in after the check is
//! refused too.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use crate::paths::{DataDir, HOME_ENV};
use crate::store::history::History;

/// Why the data directory (or a file in it) is not used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unsafe {
    #[error(
        "{}: is a symbolic link; the console never follows links in its data directory (remove it, or set {HOME_ENV} to the real directory)",
        path.display()
    )]
    Symlink { path: PathBuf },
    #[error("{}: is not a {expected}", path.display())]
    WrongType { path: PathBuf, expected: &'static str },
    #[error(
        "{}: belongs to another user (uid {owner}; you are uid {me}); the console uses only its own files",
        path.display()
    )]
    OtherOwner { path: PathBuf, owner: u32, me: u32 },
    #[error(
        "{}: other users can write in this directory (mode {mode:o}); use a directory of your own ({HOME_ENV})",
        path.display()
    )]
    Shared { path: PathBuf, mode: u32 },
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
}

impl From<Unsafe> for io::Error {
    fn from(e: Unsafe) -> io::Error {
        io::Error::new(io::ErrorKind::PermissionDenied, e.to_string())
    }
}

/// Checks the data directory and every file the console keeps in it (a missing one is fine),
/// narrowing the user's own too-open ones: for the app, which writes them. See the module's
/// documentation.
pub fn check(dir: &DataDir) -> Result<(), Unsafe> {
    check_all(dir, Fix::Narrow)
}

/// [`check`] that changes nothing, for the commands (those that write narrow what they write
/// as they write it: the history).
pub fn verify(dir: &DataDir) -> Result<(), Unsafe> {
    check_all(dir, Fix::Leave)
}

/// What to do with the user's own directory or file that others may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fix {
    Narrow,
    Leave,
}

fn check_all(dir: &DataDir, fix: Fix) -> Result<(), Unsafe> {
    if !inspect_dir(dir.root(), fix)? {
        return Ok(());
    }
    let history = History::in_dir(dir);
    let captures = super::capture::Captures::in_dir(dir);
    let captures = captures.file();
    let files = [
        dir.workspace(),
        dir.settings(),
        dir.root().join("app-state.json"),
        // eframe's window state, which eframe itself writes.
        dir.eframe_state(),
        history.path().to_path_buf(),
        history.rotated_path(),
        history.lock_path(),
        captures.path().to_path_buf(),
        captures.rotated_path(),
        captures.lock_path(),
    ];
    for path in &files {
        inspect_file(path, fix)?;
    }
    // The token file has its own rule: refused (with the chmod to run) when others can read it.
    inspect_file(&dir.tokens(), Fix::Leave)
}

/// Checks a directory the console is about to write in, narrowing it if it is the user's own
/// and others may read it (`Ok(false)`: it does not exist yet).
pub fn check_dir(path: &Path) -> Result<bool, Unsafe> {
    inspect_dir(path, Fix::Narrow)
}

fn inspect_dir(path: &Path, fix: Fix) -> Result<bool, Unsafe> {
    let Some(meta) = inspect(path, Kind::Directory)? else { return Ok(false) };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mode = meta.mode() & 0o7777;
        if mode & 0o1002 != 0 {
            return Err(Unsafe::Shared { path: path.to_path_buf(), mode });
        }
        if fix == Fix::Narrow && mode & 0o077 != 0 {
            narrow_inspected(path, &meta, libc::O_DIRECTORY | libc::O_NOFOLLOW)?;
        }
    }
    #[cfg(not(unix))]
    let _ = (fix, meta);
    Ok(true)
}

fn inspect_file(path: &Path, fix: Fix) -> Result<(), Unsafe> {
    let Some(meta) = inspect(path, Kind::File)? else { return Ok(()) };
    #[cfg(unix)]
    if fix == Fix::Narrow && std::os::unix::fs::MetadataExt::mode(&meta) & 0o077 != 0 {
        narrow_inspected(path, &meta, libc::O_NOFOLLOW)?;
    }
    #[cfg(not(unix))]
    let _ = (fix, meta);
    Ok(())
}

/// What a path of the data directory must be.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Directory,
    File,
}

/// `lstat`s `path` and refuses a symlink, the wrong kind of file, or another user's (`None`: it
/// does not exist).
fn inspect(path: &Path, kind: Kind) -> Result<Option<fs::Metadata>, Unsafe> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        // Under a path that is not a directory, nothing exists (writing there fails later, and
        // says so: a send still sends and reports the history it could not write).
        Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => {
            return Ok(None);
        }
        Err(e) => return Err(io_error(path, &e)),
    };
    if meta.file_type().is_symlink() {
        return Err(Unsafe::Symlink { path: path.to_path_buf() });
    }
    let (right, expected) = match kind {
        Kind::Directory => (meta.is_dir(), "directory"),
        Kind::File => (meta.is_file(), "regular file"),
    };
    if !right {
        return Err(Unsafe::WrongType { path: path.to_path_buf(), expected });
    }
    #[cfg(unix)]
    owned(path, &meta)?;
    Ok(Some(meta))
}

/// Narrows the very inode [`inspect`] saw: opened again with `flags` (no link followed), checked
/// to be the same, then `fchmod`ed.
#[cfg(unix)]
fn narrow_inspected(path: &Path, inspected: &fs::Metadata, flags: i32) -> Result<(), Unsafe> {
    use std::os::unix::fs::OpenOptionsExt;
    let opened =
        OpenOptions::new().read(true).custom_flags(flags).open(path).map_err(|e| io_error(path, &e))?;
    same(path, inspected, &opened)?;
    narrow(&opened).map_err(|e| io_error(path, &e))
}

/// Opens a file of the data directory with `options`, never through a symlink (`O_NOFOLLOW`),
/// and refuses it unless it is a regular file of this user's.
pub fn open(options: &OpenOptions, path: &Path) -> io::Result<File> {
    let mut options = options.clone();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    let file = options.open(path).map_err(|e| {
        if e.raw_os_error() == Some(libc_eloop()) {
            io::Error::from(Unsafe::Symlink { path: path.to_path_buf() })
        } else {
            e
        }
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(Unsafe::WrongType { path: path.to_path_buf(), expected: "regular file" }.into());
    }
    #[cfg(unix)]
    owned(path, &meta)?;
    Ok(file)
}

/// Takes group and other permissions away from an open file or directory (`fchmod`: the very
/// file opened, whatever its path now names).
pub fn narrow(file: &File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            file.set_permissions(fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

#[cfg(unix)]
fn owned(path: &Path, meta: &fs::Metadata) -> Result<(), Unsafe> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(Unsafe::OtherOwner { path: path.to_path_buf(), owner: meta.uid(), me });
    }
    Ok(())
}

/// The file opened is the one checked (not swapped between the check and the open).
#[cfg(unix)]
fn same(path: &Path, checked: &fs::Metadata, opened: &File) -> Result<(), Unsafe> {
    use std::os::unix::fs::MetadataExt;
    let now = opened.metadata().map_err(|e| io_error(path, &e))?;
    if (now.dev(), now.ino()) != (checked.dev(), checked.ino()) {
        return Err(Unsafe::Io {
            path: path.to_path_buf(),
            message: "was replaced while being checked".into(),
        });
    }
    Ok(())
}

fn io_error(path: &Path, e: &io::Error) -> Unsafe {
    Unsafe::Io { path: path.to_path_buf(), message: e.to_string() }
}

/// `ELOOP`: what `O_NOFOLLOW` answers on a symlink.
fn libc_eloop() -> i32 {
    #[cfg(unix)]
    return libc::ELOOP;
    #[cfg(not(unix))]
    return -1;
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::test_dir::TestDir;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn set_mode(path: &Path, mode: u32) {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn open_never_follows_a_link_swapped_in_after_the_check() {
        let root = TestDir::created("guard-open");
        let dir = DataDir::new(root.to_path_buf());
        set_mode(&root, 0o700);
        check(&dir).unwrap();
        let victim = root.join("victim");
        fs::write(&victim, "keep").unwrap();
        std::os::unix::fs::symlink(&victim, dir.history()).unwrap();
        let err = open(OpenOptions::new().append(true).create(true), &dir.history()).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert!(matches!(check(&dir), Err(Unsafe::Symlink { path }) if path == dir.history()));
    }

    #[test]
    fn the_users_own_directory_is_narrowed_a_shared_one_refused_as_it_is() {
        let root = TestDir::created("guard-modes");
        let dir = DataDir::new(root.to_path_buf());
        fs::write(dir.workspace(), "{}").unwrap();
        fs::write(dir.tokens(), "{}").unwrap();
        for file in [dir.workspace(), dir.tokens()] {
            set_mode(&file, 0o644);
        }
        for (before, after) in [(0o755, 0o700), (0o775, 0o700), (0o700, 0o700)] {
            set_mode(&root, before);
            check(&dir).unwrap();
            assert_eq!(mode(&root), after, "{before:o}");
        }
        assert_eq!(mode(&dir.workspace()), 0o600);
        set_mode(&root, 0o755);
        set_mode(&dir.workspace(), 0o644);
        verify(&dir).unwrap();
        assert_eq!((mode(&root), mode(&dir.workspace())), (0o755, 0o644), "verify changes nothing");
        assert_eq!(mode(&dir.tokens()), 0o644, "the token file is refused by its own rule, not narrowed");
        for shared in [0o1777, 0o777, 0o1700, 0o757] {
            set_mode(&root, shared);
            let err = check(&dir).unwrap_err();
            assert_eq!(err, Unsafe::Shared { path: root.to_path_buf(), mode: shared });
            assert_eq!(mode(&root), shared, "never chmodded");
        }
        set_mode(&root, 0o700);
        let err = check(&DataDir::new(dir.workspace())).unwrap_err();
        assert!(err.to_string().ends_with("workspace.json: is not a directory"), "{err}");
    }
}
