//! A mapping as the workspace file states it ([`MappingEntry`]) and as the engine runs it
//! ([`CompiledMapping`]): preset or action defaults, the user's fields merged over them shallowly
//! (Segment's "use default mappings"), every source compiled, the trigger parsed.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::directive::Directive;
use super::fields::Action;
use super::presets::{self, Preset, PresetKind};
use super::resolved::{Fields, Resolved};
use super::trigger::Trigger;
use crate::identity::Profile;

/// A destination holds at most this many mappings (Segment's limit).
pub const MAX_MAPPINGS: usize = 50;

/// One mapping in a workspace file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingEntry {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// One of the nine presets; its trigger and mapping are the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// `standardEvent` or `customEvent`; implied by a sending preset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// The trigger in Segment's condition language; defaults to the preset's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribe: Option<String>,
    /// Field sources merged over the defaults, keyed by Segment's action field keys.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub mapping: Map<String, Value>,
}

fn yes() -> bool {
    true
}

impl MappingEntry {
    /// A mapping that uses a preset as it is.
    pub fn from_preset(preset: &Preset) -> MappingEntry {
        MappingEntry {
            name: preset.name.to_string(),
            enabled: true,
            preset: Some(preset.name.to_string()),
            action: None,
            subscribe: None,
            mapping: Map::new(),
        }
    }
}

/// What a compiled mapping does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingKind {
    Send(Action),
    /// Web-only enrichment (Segment's browser plugin): explained, never built.
    BrowserPlugin,
}

/// A mapping ready to run.
#[derive(Debug, Clone)]
pub struct CompiledMapping {
    pub name: String,
    pub enabled: bool,
    pub kind: MappingKind,
    pub trigger: Trigger,
    /// Every field's source (`enable_batching` excluded), in the action's field order.
    pub fields: Directive,
    /// Segment's per-mapping batching switch.
    pub batching: bool,
    pub preset: Option<&'static Preset>,
    /// Paths the release reads differently from what they say (a quoted key with a dot).
    pub split_paths: Vec<SplitPath>,
}

/// A `@path` whose quoted key holds a dot: actions-core splits it there. The segment profile
/// reads it as the release does; the reddit profile reads the key as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitPath {
    /// The field that holds it (`conversion_id`).
    pub field: String,
    /// The path as written (`$.properties["order.id"]`).
    pub written: String,
    /// The keys the release follows (`properties.order.id`).
    pub release: String,
}

/// A mapping that cannot be compiled; names the mapping and, where it applies, the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mapping {mapping:?}: {}{message}", field.as_ref().map(|f| format!("field {f}: ")).unwrap_or_default())]
pub struct MappingError {
    pub mapping: String,
    pub field: Option<String>,
    pub message: String,
}

impl CompiledMapping {
    /// Compiles an entry. The Segment profile keeps Segment's preset bugs; the Reddit profile
    /// uses corrected presets.
    pub fn compile(entry: &MappingEntry, profile: Profile) -> Result<CompiledMapping, MappingError> {
        if entry.name.trim().is_empty() {
            return Err(entry.error(None, "a mapping needs a name"));
        }
        let preset = match &entry.preset {
            Some(name) => Some(presets::find(name).ok_or_else(|| {
                let names: Vec<&str> = presets::PRESETS.iter().map(|p| p.name).collect();
                entry.error(None, format!("unknown preset {name:?}; presets: {}", names.join(", ")))
            })?),
            None => None,
        };
        let kind = entry.kind(preset)?;
        let subscribe = entry.subscribe.as_deref().or(preset.map(|p| p.subscribe)).ok_or_else(|| {
            entry.error(
                Some("subscribe"),
                "needs a trigger, e.g. type = \"track\" and event = \"Order Completed\"",
            )
        })?;
        let trigger = Trigger::parse(subscribe).map_err(|e| entry.error(Some("subscribe"), e.to_string()))?;
        let (mut fields, batching) = match kind {
            MappingKind::Send(action) => entry.fields(action, preset, profile)?,
            MappingKind::BrowserPlugin => {
                if let Some(key) = entry.mapping.keys().next() {
                    return Err(entry.error(Some(key), "the browser plugin preset has no fields"));
                }
                (Directive::Object(Vec::new()), false)
            }
        };
        let mut split_paths = Vec::new();
        if let Directive::Object(fields) = &mut fields {
            for (field, source) in fields {
                source.paths_mut(&mut |path| {
                    let Some(keys) = path.release_keys() else { return };
                    split_paths.push(SplitPath {
                        field: field.clone(),
                        written: path.to_string(),
                        release: keys.join("."),
                    });
                    if profile == Profile::Segment {
                        *path = path.as_release_reads();
                    }
                });
            }
        }
        Ok(CompiledMapping {
            split_paths,
            name: entry.name.clone(),
            enabled: entry.enabled,
            kind,
            trigger,
            fields,
            batching,
            preset,
        })
    }

    /// Resolves every field source against an event (Segment's mapping-kit `transform`).
    pub fn resolve<'a>(&'a self, event: &'a Value) -> Fields<'a> {
        match self.fields.resolve_in(event) {
            Some(Resolved::Object(fields)) => fields,
            _ => Vec::new(),
        }
    }
}

/// The steps of [`CompiledMapping::compile`].
impl MappingEntry {
    fn error(&self, field: Option<&str>, message: impl Into<String>) -> MappingError {
        MappingError { mapping: self.name.clone(), field: field.map(str::to_string), message: message.into() }
    }

    /// What the mapping does: the preset's kind, or the action, which must agree.
    fn kind(&self, preset: Option<&'static Preset>) -> Result<MappingKind, MappingError> {
        match (preset.map(|p| p.kind), self.action) {
            (Some(PresetKind::BrowserPlugin), None) => Ok(MappingKind::BrowserPlugin),
            (Some(PresetKind::Send(a)), None) => Ok(MappingKind::Send(a)),
            (Some(PresetKind::Send(a)), Some(b)) if a == b => Ok(MappingKind::Send(a)),
            (Some(_), Some(b)) => Err(self.error(
                None,
                format!("preset {:?} does not use action {}", self.preset.as_deref().unwrap_or(""), b.key()),
            )),
            (None, Some(a)) => Ok(MappingKind::Send(a)),
            (None, None) => {
                Err(self.error(None, "needs a \"preset\" or an \"action\" (standardEvent or customEvent)"))
            }
        }
    }

    /// The action's defaults, then the preset's overrides, then the entry's own sources, compiled
    /// in the action's field order; and `enable_batching`.
    fn fields(
        &self,
        action: Action,
        preset: Option<&'static Preset>,
        profile: Profile,
    ) -> Result<(Directive, bool), MappingError> {
        let mut merged = action.default_mapping().clone();
        if let Some(p) = preset {
            merged.extend(p.overrides(profile == Profile::Segment));
        }
        for (key, source) in &self.mapping {
            if action.field(key).is_none() {
                let keys: Vec<&str> = action.fields().iter().map(|f| f.key).collect();
                return Err(self.error(
                    Some(key),
                    format!("{} has no field {key:?}; its fields: {}", action.title(), keys.join(", ")),
                ));
            }
            merged.insert(key.clone(), source.clone());
        }
        let batching = match merged.remove("enable_batching") {
            None => false,
            Some(Value::Bool(b)) => b,
            Some(other) => {
                return Err(
                    self.error(Some("enable_batching"), format!("must be true or false, not {other}"))
                );
            }
        };
        let mut fields = Vec::with_capacity(merged.len());
        for field in action.fields() {
            if let Some(source) = merged.get(field.key) {
                let d = Directive::compile(source, field.key)
                    .map_err(|e| self.error(Some(&e.location), e.message))?;
                fields.push((field.key.to_string(), d));
            }
        }
        Ok((Directive::Object(fields), batching))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(v: Value) -> MappingEntry {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn preset_entry_takes_trigger_and_mapping_from_the_preset() {
        let m =
            CompiledMapping::compile(&entry(json!({"name": "P", "preset": "Purchase"})), Profile::Segment)
                .unwrap();
        assert_eq!(m.kind, MappingKind::Send(Action::StandardEvent));
        assert_eq!(
            m.trigger.to_string(),
            Trigger::parse(r#"type = "track" and event = "Order Completed""#).unwrap().to_string()
        );
        assert_eq!(m.fields.field("tracking_type"), Some(&Directive::Literal(json!("Purchase"))));
        assert!(m.fields.field("user").is_some());
        assert!(!m.batching);
    }

    #[test]
    fn user_mapping_is_merged_shallowly() {
        let m = CompiledMapping::compile(
            &entry(json!({"name": "C", "action": "customEvent", "subscribe": "type = \"track\"",
                "mapping": {"custom_event_name": "Checkout Step 2", "user": {"email": {"@path": "$.traits.mail"}}, "enable_batching": true}})),
            Profile::Segment,
        )
        .unwrap();
        let user = m.fields.field("user").unwrap();
        assert!(user.field("email").is_some());
        assert!(user.field("ip_address").is_none(), "shallow merge replaces the whole user object");
        assert!(m.batching);
    }

    #[test]
    fn errors_name_the_mapping_and_field() {
        let cases = [
            (
                json!({"name": "X", "action": "standardEvent", "subscribe": "type = \"track\"", "mapping": {"itemCount": 1}}),
                "mapping \"X\": field itemCount: Send Standard Event has no field \"itemCount\"",
            ),
            (json!({"name": "X", "preset": "Nope"}), "unknown preset \"Nope\""),
            (json!({"name": "X", "action": "customEvent"}), "field subscribe: needs a trigger"),
            (
                json!({"name": "X", "action": "customEvent", "subscribe": "type ="}),
                "field subscribe: trigger: at column",
            ),
            (
                json!({"name": "X", "preset": "Purchase", "mapping": {"user": {"email": {"@paht": "$.x"}}}}),
                "field user.email: unknown directive",
            ),
            (
                json!({"name": "X", "preset": "Purchase", "mapping": {"enable_batching": "yes"}}),
                "field enable_batching: must be true or false",
            ),
            (
                json!({"name": "X", "preset": "Purchase", "action": "customEvent"}),
                "does not use action customEvent",
            ),
        ];
        for (v, want) in cases {
            let err = CompiledMapping::compile(&entry(v), Profile::Segment).unwrap_err().to_string();
            assert!(err.contains(want), "{err}\n  wanted: {want}");
        }
    }

    #[test]
    fn browser_plugin_is_web_only() {
        let m = CompiledMapping::compile(
            &entry(json!({"name": "B", "preset": "Reddit Browser Plugin"})),
            Profile::Segment,
        )
        .unwrap();
        assert_eq!(m.kind, MappingKind::BrowserPlugin);
    }

    #[test]
    fn reddit_profile_uses_the_corrected_add_to_cart_preset() {
        let seg =
            CompiledMapping::compile(&entry(json!({"name": "A", "preset": "Add to Cart"})), Profile::Segment)
                .unwrap();
        let red =
            CompiledMapping::compile(&entry(json!({"name": "A", "preset": "Add to Cart"})), Profile::Reddit)
                .unwrap();
        let meta = |m: &CompiledMapping| m.fields.field("event_metadata").unwrap().to_value();
        assert!(meta(&seg).get("itemCount").is_some());
        assert!(meta(&red).get("item_count").is_some());
    }
}
