//! The console's own JSON files (workspace, saved app state, token file) carry `"format"` and
//! `"version"`. [`upgrade`] checks both and runs the migrations that bring an older file to the
//! current version. Reading and setting files aside is the console's `store::versioned`.

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

/// Why a saved file's text cannot be used; a newer release's file is kept, a damaged one is
/// moved aside.
pub trait FileError: std::fmt::Display {
    /// Whether the file is fine but from a newer release.
    fn is_newer(&self) -> bool {
        false
    }
}

impl FileError for VersionError {
    fn is_newer(&self) -> bool {
        VersionError::is_newer(self)
    }
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
}
