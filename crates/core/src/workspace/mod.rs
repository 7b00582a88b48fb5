//! The workspace file: destination settings and mappings, the export format and the CLI's input.
//!
//! ```json
//! {"format": "reddit-capi-console/workspace", "version": 1,
//!  "settings": {"pixel_id": "a2_x", "api_version": "v2.0", "test_mode": true, "test_id": null,
//!               "profile": "segment", "partner": "SEGMENT"},
//!  "mappings": [{"name": "Purchase", "enabled": true, "preset": "Purchase"}]}
//! ```
//! The conversion token is never part of it. Unknown keys and newer versions are errors.

pub mod segment;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::identity::Profile;
use crate::mapping::MAX_MAPPINGS;
use crate::mapping::model::{CompiledMapping, MappingEntry, MappingError};
use crate::mapping::presets::PRESETS;
use crate::reddit::Settings;
use crate::versioned::{self, FileError, Schema, VersionError};

/// The `format` tag of a workspace file.
pub const FORMAT: &str = "reddit-capi-console/workspace";
/// The newest version this build reads and writes.
pub const VERSION: u64 = 1;

/// Version 1 is the first; later versions add their steps to `migrations`.
pub const SCHEMA: Schema =
    Schema { noun: "workspace", format: FORMAT, version: VERSION, migrations: &[], untagged_is_v0: false };

impl FileError for WorkspaceError {
    fn is_newer(&self) -> bool {
        matches!(self, WorkspaceError::Version(e) if e.is_newer())
    }
}

/// A workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workspace {
    pub format: String,
    pub version: u64,
    #[serde(default)]
    pub settings: Settings,
    #[serde(default)]
    pub mappings: Vec<MappingEntry>,
    /// Segment's ids and what the console cannot run, kept from an import for the export
    /// ([`segment`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<segment::SegmentLink>,
}

/// Why a workspace cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkspaceError {
    #[error("line {line}, column {column}: {message}")]
    Syntax { line: usize, column: usize, message: String },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Version(#[from] VersionError),
    #[error("{0} mappings: a workspace holds at most {MAX_MAPPINGS}")]
    TooManyMappings(usize),
    #[error("two mappings are named {0:?}; names must be unique")]
    DuplicateName(String),
    #[error(transparent)]
    Mapping(#[from] MappingError),
}

/// A mapping name as the app's list shows it: case and surrounding spaces do not tell names apart.
fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// serde reads a JSON array into a struct by position (`"settings": ["a2_p", "v3", …]`): the
/// objects of a workspace must be spelled out as objects.
fn require_objects(value: &Value) -> Result<(), WorkspaceError> {
    let not_object = |what: String| WorkspaceError::Invalid(format!("{what} must be a JSON object"));
    if value.get("settings").is_some_and(|s| !s.is_object()) {
        return Err(not_object("\"settings\"".into()));
    }
    if let Some(Value::Array(mappings)) = value.get("mappings")
        && let Some(i) = mappings.iter().position(|m| !m.is_object())
    {
        return Err(not_object(format!("mappings[{i}]")));
    }
    Ok(())
}

impl Default for Workspace {
    fn default() -> Workspace {
        Workspace::presets()
    }
}

impl Workspace {
    /// A workspace with every preset, enabled, and default settings.
    pub fn presets() -> Workspace {
        Workspace {
            format: FORMAT.into(),
            version: VERSION,
            settings: Settings::default(),
            mappings: PRESETS.iter().map(MappingEntry::from_preset).collect(),
            segment: None,
        }
    }

    /// Parses and checks a workspace file's text.
    pub fn parse(text: &str) -> Result<Workspace, WorkspaceError> {
        let value: Value =
            serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)).map_err(|e| {
                let message = e.to_string();
                let message =
                    message.rfind(" at line ").map_or(message.clone(), |i| message[..i].to_string());
                WorkspaceError::Syntax { line: e.line(), column: e.column(), message }
            })?;
        let (value, _) = versioned::upgrade(&SCHEMA, value).map_err(|e| match e {
            VersionError::NotAnObject => WorkspaceError::Invalid("a workspace is a JSON object".into()),
            e => WorkspaceError::Version(e),
        })?;
        require_objects(&value)?;
        let mut workspace: Workspace =
            serde_json::from_value(value).map_err(|e| WorkspaceError::Invalid(e.to_string()))?;
        workspace.check()?;
        // An older import kept a subscription's secrets here: never read into memory (so the
        // app's next save drops them from the file and no export re-emits them).
        if let Some(link) = &mut workspace.segment {
            link.leave_out_secrets(&mut Vec::new());
        }
        Ok(workspace)
    }

    fn check(&self) -> Result<(), WorkspaceError> {
        if self.mappings.len() > MAX_MAPPINGS {
            return Err(WorkspaceError::TooManyMappings(self.mappings.len()));
        }
        let mut names = std::collections::HashSet::new();
        for m in &self.mappings {
            if !names.insert(name_key(&m.name)) {
                return Err(WorkspaceError::DuplicateName(m.name.clone()));
            }
        }
        Ok(())
    }

    /// Whether `name` would clash with a mapping other than the one at `except`: names that
    /// differ only by case or surrounding spaces look the same in the app's list.
    pub fn name_taken(mappings: &[MappingEntry], name: &str, except: Option<usize>) -> bool {
        let key = name_key(name);
        mappings.iter().enumerate().any(|(i, m)| Some(i) != except && name_key(&m.name) == key)
    }

    /// Compiles every mapping under `profile`.
    pub fn compile(&self, profile: Profile) -> Result<Vec<CompiledMapping>, WorkspaceError> {
        self.check()?;
        Ok(self.mappings.iter().map(|m| CompiledMapping::compile(m, profile)).collect::<Result<_, _>>()?)
    }

    /// Pretty JSON for export: the test id is left out (Reddit: "remove before production").
    pub fn to_export_json(&self) -> String {
        let mut copy = self.clone();
        copy.settings.test_id = None;
        serde_json::to_string_pretty(&copy).expect("a workspace serializes") + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{"format": "reddit-capi-console/workspace", "version": 1,
 "settings": {"pixel_id": "a2_x", "api_version": "v2.0", "test_mode": true, "test_id": null,
              "profile": "segment", "partner": "SEGMENT"},
 "mappings": [
   {"name": "Purchase", "enabled": true, "preset": "Purchase"},
   {"name": "Checkout", "enabled": true, "action": "customEvent",
    "subscribe": "type = \"track\" and event = \"Checkout Step\"",
    "mapping": {"custom_event_name": "Checkout Step 2"}}]}"#;

    #[test]
    fn the_documented_example_parses_and_compiles() {
        let w = Workspace::parse(EXAMPLE).unwrap();
        assert_eq!(w.settings.pixel_id, "a2_x");
        assert_eq!(w.compile(Profile::Segment).unwrap().len(), 2);
    }

    #[test]
    fn export_round_trips_without_the_test_id() {
        let mut w = Workspace::parse(EXAMPLE).unwrap();
        w.settings.test_id = Some("secret-test".into());
        let text = w.to_export_json();
        assert!(!text.contains("secret-test"));
        let back = Workspace::parse(&text).unwrap();
        assert_eq!(back.mappings, w.mappings);
    }

    #[test]
    fn clear_errors() {
        let cases = [
            (
                EXAMPLE.replace("\"version\": 1", "\"version\": 2"),
                "newer Reddit CAPI Console (workspace version 2)",
            ),
            (EXAMPLE.replace("\"profile\"", "\"profil\""), "unknown field `profil`"),
            (EXAMPLE.replace("reddit-capi-console/workspace", "other"), "\"format\" is \"other\""),
            (
                EXAMPLE.replace("\"name\": \"Checkout\"", "\"name\": \"Purchase\""),
                "two mappings are named \"Purchase\"",
            ),
            ("{\"format\": 1".to_string(), "line 1, column 12"),
            (
                EXAMPLE.replace("\"name\": \"Checkout\"", "\"name\": \"purchase \""),
                "two mappings are named \"purchase \"",
            ),
        ];
        for (text, want) in cases {
            let err = Workspace::parse(&text).unwrap_err().to_string();
            assert!(err.contains(want), "{err}\n  wanted: {want}");
        }
    }

    #[test]
    fn arrays_are_refused_where_objects_are_expected() {
        let base = |settings: &str, mapping: &str| {
            format!(
                r#"{{"format": "{FORMAT}", "version": 1, "settings": {settings}, "mappings": [{mapping}]}}"#
            )
        };
        let ok = base(r#"{"pixel_id": "a2_p"}"#, r#"{"name": "Purchase", "preset": "Purchase"}"#);
        assert!(Workspace::parse(&ok).is_ok());
        let positional =
            base(r#"["a2_p", "v3", false, "T"]"#, r#"{"name": "Purchase", "preset": "Purchase"}"#);
        assert_eq!(
            Workspace::parse(&positional).unwrap_err().to_string(),
            "\"settings\" must be a JSON object"
        );
        let mapping = base(r#"{"pixel_id": "a2_p"}"#, r#"["Purchase", true, "Purchase"]"#);
        assert_eq!(Workspace::parse(&mapping).unwrap_err().to_string(), "mappings[0] must be a JSON object");
    }

    #[test]
    fn names_differing_only_by_case_or_spaces_are_taken() {
        let w = Workspace::presets();
        assert!(Workspace::name_taken(&w.mappings, "purchase ", None));
        let own = w.mappings.iter().position(|m| m.name == "Purchase");
        assert!(!Workspace::name_taken(&w.mappings, "Purchase", own), "its own name");
        assert!(!Workspace::name_taken(&w.mappings, "Purchases", None));
    }

    #[test]
    fn at_most_fifty_mappings() {
        let mut w = Workspace::presets();
        w.mappings = (0..51)
            .map(|i| MappingEntry { name: format!("m{i}"), ..MappingEntry::from_preset(&PRESETS[1]) })
            .collect();
        let text = serde_json::to_string(&w).unwrap();
        assert_eq!(Workspace::parse(&text).unwrap_err(), WorkspaceError::TooManyMappings(51));
        w.mappings.truncate(50);
        assert!(Workspace::parse(&serde_json::to_string(&w).unwrap()).is_ok());
    }

    #[test]
    fn presets_workspace_has_all_nine() {
        let w = Workspace::presets();
        assert_eq!(w.mappings.len(), 9);
        assert_eq!(w.compile(Profile::Segment).unwrap().len(), 9);
    }
}
