//! Reading the console's versioned files ([`crate::versioned`] checks and migrates their text).
//! [`load`] (for the app, which writes these files) reads a file and, when it cannot be used,
//! renames it aside with a timestamp (never overwritten, never silently replaced by defaults)
//! and says where the copy went. [`read`] is for commands that only read: a file they cannot use
//! is refused and left exactly where it is.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::versioned::FileError;

/// A file that could not be used, and where it was put.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    pub path: PathBuf,
    /// The renamed copy (`None` if even the rename failed: then the file was left in place).
    pub copy: Option<PathBuf>,
    pub error: String,
}

impl fmt::Display for SetAside {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} could not be used ({})", self.path.display(), self.error)?;
        match &self.copy {
            Some(copy) => write!(f, "; it was moved to {}", copy.display()),
            None => write!(f, "; it could not be moved aside and was left as it is"),
        }
    }
}

/// What [`load`] found.
#[derive(Debug)]
pub enum Found<T> {
    /// No such file.
    Missing,
    Read(T),
    /// Damaged (or from a newer release): renamed aside.
    SetAside(SetAside),
}

/// A file that cannot be used, left where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} cannot be used ({error}); it was left as it is", path.display())]
pub struct Unusable {
    pub path: PathBuf,
    pub error: String,
    /// From a newer release rather than damaged.
    pub newer: bool,
}

/// Reads `path` with `parse` and never moves or changes it: `Ok(None)` when there is no such
/// file.
pub fn read<T, E: FileError>(
    path: &Path,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, Unusable> {
    let unusable = |error: String, newer| Unusable { path: path.to_path_buf(), error, newer };
    // Never through a symlink, never another user's file (see `guard`).
    let read = |path: &Path| -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut super::guard::open(std::fs::OpenOptions::new().read(true), path)?,
            &mut bytes,
        )?;
        Ok(bytes)
    };
    let bytes = match read(path) {
        Ok(bytes) => bytes,
        // Under a path that is not a directory, the file cannot exist either.
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => {
            return Ok(None);
        }
        Err(e) => return Err(unusable(e.to_string(), false)),
    };
    let text = String::from_utf8(bytes).map_err(|_| unusable("not UTF-8 text".into(), false))?;
    parse(&text).map(Some).map_err(|e| unusable(e.to_string(), e.is_newer()))
}

/// Reads `path` with `parse`, for the app that writes it. A file that fails is renamed aside
/// ([`set_aside`]) so that saving never overwrites it.
pub fn load<T, E: FileError>(path: &Path, parse: impl FnOnce(&str) -> Result<T, E>) -> Found<T> {
    match read(path, parse) {
        Ok(None) => Found::Missing,
        Ok(Some(v)) => Found::Read(v),
        Err(unusable) => Found::SetAside(set_aside(unusable)),
    }
}

/// Renames an unusable file to `<stem>.corrupt-<UTC time>.<ext>` (or `.newer-…` for a newer
/// release's file) beside it.
pub fn set_aside(Unusable { path, error, newer }: Unusable) -> SetAside {
    let copy = aside_name(&path, if newer { "newer" } else { "corrupt" });
    let copy = std::fs::rename(&path, &copy).ok().map(|()| copy);
    SetAside { path, copy, error }
}

/// `dir/workspace.json` → `dir/workspace.corrupt-2026-11-28T15-04-05.123Z.json` (no `:`, which
/// Windows refuses in names); a number is added if that name is taken.
fn aside_name(path: &Path, why: &str) -> PathBuf {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("file");
    let ext = path.extension().and_then(|s| s.to_str()).map(|e| format!(".{e}")).unwrap_or_default();
    let time = crate::timestamp::format_rfc3339(crate::timestamp::now_millis()).replace(':', "-");
    let mut candidate = path.with_file_name(format!("{stem}.{why}-{time}{ext}"));
    let mut n = 1;
    while candidate.exists() {
        n += 1;
        candidate = path.with_file_name(format!("{stem}.{why}-{time}-{n}{ext}"));
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parse failure with a fixed message.
    struct Why(&'static str, bool);

    impl fmt::Display for Why {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl FileError for Why {
        fn is_newer(&self) -> bool {
            self.1
        }
    }

    use crate::test_dir::TestDir;

    #[test]
    fn reading_only_never_moves_a_file() {
        let dir = TestDir::created("versioned-read-only");
        let path = dir.join("workspace.json");
        assert_eq!(read(&path, |_| Ok::<_, Why>(())), Ok(None));
        for (bytes, newer) in [(&b"{\"format\": tru"[..], false), (&b"{}"[..], true)] {
            std::fs::write(&path, bytes).unwrap();
            let err = read(&path, |_| Err::<(), _>(Why("why", newer))).unwrap_err();
            assert_eq!(err.newer, newer);
            assert!(err.to_string().ends_with("(why); it was left as it is"), "{err}");
            assert_eq!(std::fs::read(&path).unwrap(), bytes, "untouched");
            assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no copy made");
        }
        assert_eq!(read(&path, |t| Ok::<_, Why>(t.len())), Ok(Some(2)));
    }

    #[test]
    fn a_damaged_file_is_renamed_aside_with_its_bytes_intact() {
        let dir = TestDir::created("versioned-aside");
        let path = dir.join("workspace.json");
        assert!(matches!(load(&path, |_| Ok::<_, Why>(())), Found::Missing));
        std::fs::write(&path, b"{\"format\": tru").unwrap();
        let Found::SetAside(aside) = load(&path, |_| Err::<(), _>(Why("line 1, column 14", false))) else {
            panic!("not set aside")
        };
        let copy = aside.copy.clone().unwrap();
        assert!(!path.exists());
        assert_eq!(std::fs::read(&copy).unwrap(), b"{\"format\": tru");
        let name = copy.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with("workspace.corrupt-20") && name.ends_with("Z.json"), "{name}");
        assert!(!name.contains(':'));
        let message = aside.to_string();
        assert!(message.contains("line 1, column 14") && message.contains(name), "{message}");

        // The same second again: a second copy, not an overwrite.
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        let Found::SetAside(again) = load(&path, |_| Ok::<(), Why>(())) else { panic!() };
        assert_eq!(again.error, "not UTF-8 text");
        assert_ne!(again.copy.clone().unwrap(), copy);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);

        std::fs::write(&path, b"{}").unwrap();
        let Found::SetAside(newer) = load(&path, |_| Err::<(), _>(Why("newer", true))) else { panic!() };
        assert!(newer.copy.unwrap().to_str().unwrap().contains("workspace.newer-"));
    }
}
