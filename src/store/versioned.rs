//! The console's own JSON files (workspace, settings) carry `"format"` and `"version"`.
//! [`upgrade`] checks both and runs the migrations that bring an older file to the current
//! version; [`load`] (for the app, which writes these files) reads a file and, when it cannot be
//! used, renames it aside with a timestamp (never overwritten, never silently replaced by
//! defaults) and says where the copy went. [`read`] is for commands that only read: a file they
//! cannot use is refused and left exactly where it is.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// One step: turns a file of version `from` into version `from + 1`.
pub struct Migration {
    pub from: u64,
    /// What changed, for the notes and the tests.
    pub what: &'static str,
    pub apply: fn(&mut Map<String, Value>) -> Result<(), String>,
}

/// A file kind: its format tag, its current version and how older versions are brought up.
pub struct Schema {
    /// What the file is, for messages ("workspace").
    pub noun: &'static str,
    pub format: &'static str,
    pub version: u64,
    /// Steps by ascending `from`; one for each version below `version` that can be read.
    pub migrations: &'static [Migration],
    /// Whether a file with neither `format` nor `version` is version 0 (files written before
    /// they were tagged); otherwise such a file is refused.
    pub untagged_is_v0: bool,
}

/// Why a file's `format` / `version` cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("not a JSON object")]
    NotAnObject,
    #[error("\"format\" is {found:?}, not {expected:?}")]
    WrongFormat { found: String, expected: &'static str },
    #[error("missing \"format\": {0:?}")]
    MissingFormat(&'static str),
    #[error("\"version\" must be an integer from 1 to {0}")]
    BadVersion(u64),
    #[error(
        "written by a newer Reddit CAPI Console ({noun} version {found}); this one reads version {max}: update the app"
    )]
    Newer { noun: &'static str, found: u64, max: u64 },
    #[error("version {0} cannot be migrated: {1}")]
    Migration(u64, String),
}

impl VersionError {
    /// Whether the file is fine but from a newer release (set aside under another name).
    pub fn is_newer(&self) -> bool {
        matches!(self, VersionError::Newer { .. })
    }
}

/// Checks `value`'s format and version and migrates it to `schema.version`. Returns the value
/// (tagged with the current format and version) and the version it was read as.
pub fn upgrade(schema: &Schema, value: Value) -> Result<(Value, u64), VersionError> {
    let Value::Object(mut obj) = value else { return Err(VersionError::NotAnObject) };
    let tagged = obj.contains_key("format") || obj.contains_key("version");
    let found = if !tagged && schema.untagged_is_v0 {
        0
    } else {
        match obj.get("format").and_then(Value::as_str) {
            Some(f) if f == schema.format => {}
            Some(f) => return Err(VersionError::WrongFormat { found: f.into(), expected: schema.format }),
            None => return Err(VersionError::MissingFormat(schema.format)),
        }
        match obj.get("version").and_then(Value::as_u64) {
            Some(v) if v > schema.version => {
                return Err(VersionError::Newer { noun: schema.noun, found: v, max: schema.version });
            }
            Some(v) if v >= 1 => v,
            _ => return Err(VersionError::BadVersion(schema.version)),
        }
    };
    for version in found..schema.version {
        let step = schema
            .migrations
            .iter()
            .find(|m| m.from == version)
            .ok_or_else(|| VersionError::Migration(version, "no migration from it".into()))?;
        (step.apply)(&mut obj).map_err(|e| VersionError::Migration(version, e))?;
    }
    obj.insert("format".into(), Value::from(schema.format));
    obj.insert("version".into(), Value::from(schema.version));
    // The tags first, as the writer puts them.
    let mut ordered = Map::with_capacity(obj.len());
    for key in ["format", "version"] {
        if let Some(v) = obj.remove(key) {
            ordered.insert(key.into(), v);
        }
    }
    ordered.extend(obj);
    Ok((Value::Object(ordered), found))
}

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

/// What loading a file found.
#[derive(Debug)]
pub enum Loaded<T> {
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

/// Reads `path` with `parse` (`Err((message, newer))` when it cannot be used) and never moves or
/// changes it: `Ok(None)` when there is no such file.
pub fn read<T>(
    path: &Path,
    parse: impl FnOnce(&str) -> Result<T, (String, bool)>,
) -> Result<Option<T>, Unusable> {
    let unusable = |(error, newer): (String, bool)| Unusable { path: path.to_path_buf(), error, newer };
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| ("not UTF-8 text".to_string(), false)),
        // Under a path that is not a directory, the file cannot exist either.
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => {
            return Ok(None);
        }
        Err(e) => Err((e.to_string(), false)),
    };
    text.and_then(|t| parse(&t)).map(Some).map_err(unusable)
}

/// Reads `path` with `parse`, for the app that writes it. A file that fails is renamed to
/// `<stem>.corrupt-<UTC time>.<ext>` (or `.newer-…` for a newer release's file) beside it, so
/// that saving never overwrites it.
pub fn load<T>(path: &Path, parse: impl FnOnce(&str) -> Result<T, (String, bool)>) -> Loaded<T> {
    match read(path, parse) {
        Ok(None) => Loaded::Missing,
        Ok(Some(v)) => Loaded::Read(v),
        Err(Unusable { error, newer, .. }) => {
            let copy = aside_name(path, if newer { "newer" } else { "corrupt" });
            let copy = std::fs::rename(path, &copy).ok().map(|()| copy);
            Loaded::SetAside(SetAside { path: path.to_path_buf(), copy, error })
        }
    }
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
    use serde_json::json;

    fn rename_a_to_b(obj: &mut Map<String, Value>) -> Result<(), String> {
        let a = obj.remove("a").ok_or("no \"a\"")?;
        obj.insert("b".into(), a);
        Ok(())
    }

    fn double_b(obj: &mut Map<String, Value>) -> Result<(), String> {
        let b = obj.get("b").and_then(Value::as_i64).ok_or("\"b\" is not an integer")?;
        obj.insert("b".into(), json!(b * 2));
        Ok(())
    }

    const SCHEMA: Schema = Schema {
        noun: "thing",
        format: "test/thing",
        version: 3,
        migrations: &[
            Migration { from: 0, what: "untagged → tagged", apply: |_| Ok(()) },
            Migration { from: 1, what: "a renamed b", apply: rename_a_to_b },
            Migration { from: 2, what: "b doubled", apply: double_b },
        ],
        untagged_is_v0: true,
    };

    #[test]
    fn every_older_version_is_brought_up_step_by_step() {
        let expected = json!({"format": "test/thing", "version": 3, "b": 10});
        let (v, from) = upgrade(&SCHEMA, json!({"a": 5})).unwrap();
        assert_eq!((v.clone(), from), (expected.clone(), 0));
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"format":"test/thing","version":3,"b":10}"#);
        assert_eq!(
            upgrade(&SCHEMA, json!({"format": "test/thing", "version": 1, "a": 5})).unwrap().0,
            expected
        );
        assert_eq!(
            upgrade(&SCHEMA, json!({"format": "test/thing", "version": 2, "b": 5})).unwrap().0,
            expected
        );
        assert_eq!(upgrade(&SCHEMA, expected.clone()).unwrap(), (expected, 3));
    }

    #[test]
    fn refusals_say_why() {
        let e = |v| upgrade(&SCHEMA, v).unwrap_err();
        assert_eq!(
            e(json!({"format": "test/thing", "version": 4})),
            VersionError::Newer { noun: "thing", found: 4, max: 3 }
        );
        assert!(e(json!({"format": "test/thing", "version": 4})).is_newer());
        assert_eq!(e(json!({"format": "test/thing", "version": 0})), VersionError::BadVersion(3));
        assert_eq!(e(json!({"format": "test/thing", "version": "2"})), VersionError::BadVersion(3));
        assert_eq!(e(json!({"version": 2})), VersionError::MissingFormat("test/thing"));
        assert!(matches!(e(json!({"format": "other", "version": 1})), VersionError::WrongFormat { .. }));
        assert_eq!(e(json!([1])), VersionError::NotAnObject);
        let err = e(json!({"format": "test/thing", "version": 1}));
        assert_eq!(err, VersionError::Migration(1, "no \"a\"".into()));
        let strict = Schema { untagged_is_v0: false, ..SCHEMA };
        assert_eq!(upgrade(&strict, json!({"a": 1})).unwrap_err(), VersionError::MissingFormat("test/thing"));
    }

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rcc-versioned-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn reading_only_never_moves_a_file() {
        let dir = dir("read-only");
        let path = dir.join("workspace.json");
        assert_eq!(read(&path, |_| Ok::<_, (String, bool)>(())), Ok(None));
        for (bytes, newer) in [(&b"{\"format\": tru"[..], false), (&b"{}"[..], true)] {
            std::fs::write(&path, bytes).unwrap();
            let err = read(&path, |_| Err::<(), _>(("why".into(), newer))).unwrap_err();
            assert_eq!(err.newer, newer);
            assert!(err.to_string().ends_with("(why); it was left as it is"), "{err}");
            assert_eq!(std::fs::read(&path).unwrap(), bytes, "untouched");
            assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no copy made");
        }
        assert_eq!(read(&path, |t| Ok::<_, (String, bool)>(t.len())), Ok(Some(2)));
    }

    #[test]
    fn a_damaged_file_is_renamed_aside_with_its_bytes_intact() {
        let dir = dir("aside");
        let path = dir.join("workspace.json");
        assert!(matches!(load(&path, |_| Ok::<_, (String, bool)>(())), Loaded::Missing));
        std::fs::write(&path, b"{\"format\": tru").unwrap();
        let Loaded::SetAside(aside) = load(&path, |_| Err::<(), _>(("line 1, column 14".into(), false)))
        else {
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
        let Loaded::SetAside(again) = load(&path, |_| Ok::<(), (String, bool)>(())) else { panic!() };
        assert_eq!(again.error, "not UTF-8 text");
        assert_ne!(again.copy.clone().unwrap(), copy);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);

        std::fs::write(&path, b"{}").unwrap();
        let Loaded::SetAside(newer) = load(&path, |_| Err::<(), _>(("newer".into(), true))) else { panic!() };
        assert!(newer.copy.unwrap().to_str().unwrap().contains("workspace.newer-"));
    }
}
