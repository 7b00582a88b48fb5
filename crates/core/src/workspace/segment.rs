//! Segment's own configuration, both ways: what Segment's Public API returns for a Reddit
//! Conversions API destination (its subscriptions, and the destination with its settings)
//! becomes a workspace, and a workspace's mappings become the bodies the Public API takes to
//! create subscriptions, with a runnable cURL that reads the Segment token from
//! `$SEGMENT_TOKEN`.
//!
//! Pure: text in, values out. A conversion token found in the destination's settings is handed
//! back as a [`Secret`] for the caller to offer to the keychain; it never enters the workspace.
//! Subscriptions of actions the console does not know, and fields its actions do not have, are
//! named in the notes and kept in the workspace's `segment` section, so an export gives them
//! back unchanged.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{FORMAT, VERSION, Workspace};

pub mod api;
use crate::mapping::fields::Action;
use crate::mapping::model::{CompiledMapping, MappingEntry};
use crate::mapping::presets;
use crate::reddit::Settings;
use crate::secret::{MASK, Secret, is_secret_key, masked, remove_secrets};

/// Segment's Public API.
pub const PUBLIC_API: &str = "https://api.segmentapis.com";

/// The media type of Segment's Public API (its destination subscription endpoints are alpha).
pub const MEDIA_TYPE: &str = "application/vnd.segment.v1alpha+json";

/// What the Public API knows and the console keeps only to give it back on export.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentLink {
    /// The destination's id in Segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_id: Option<String>,
    /// Segment's action ids by action slug (`standardEvent`, `customEvent`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub action_ids: BTreeMap<String, String>,
    /// Subscription ids by mapping name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub subscription_ids: BTreeMap<String, String>,
    /// Per mapping name, the fields Segment holds that the action does not have.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unknown_fields: BTreeMap<String, Map<String, Value>>,
    /// Whole subscriptions of actions the console does not know.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsupported: Vec<Value>,
}

impl SegmentLink {
    /// Takes every secret-named member out of what is kept for export (the fields the actions
    /// lack, the unsupported subscriptions), naming each in `notes`.
    pub fn leave_out_secrets(&mut self, notes: &mut Vec<String>) {
        for (name, fields) in &mut self.unknown_fields {
            secrets_left_out_of(fields, "settings", name, notes);
        }
        for sub in &mut self.unsupported {
            let name = sub.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            secrets_left_out(sub, "subscription", &name, notes);
        }
    }
}

/// The result of an import.
#[derive(Debug)]
pub struct Imported {
    pub workspace: Workspace,
    /// The conversion token the destination's settings held: for the keychain, never a file.
    pub token: Option<Secret>,
    /// What people should know: unknown actions and fields, settings not taken, the token.
    pub notes: Vec<String>,
}

/// Why Public API text cannot be imported; names the input and the place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{what}: line {line}, column {column}: {message}")]
    Syntax { what: &'static str, line: usize, column: usize, message: String },
    #[error("{what}: {at}: {message}")]
    Shape { what: &'static str, at: String, message: String },
}

const SUBSCRIPTIONS: &str = "subscriptions";
const DESTINATION: &str = "destination";

fn parse(what: &'static str, text: &str) -> Result<Value, ImportError> {
    serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)).map_err(|e| {
        let message = e.to_string();
        let message = message.rfind(" at line ").map_or(message.clone(), |i| message[..i].to_string());
        ImportError::Syntax { what, line: e.line(), column: e.column(), message }
    })
}

fn shape(what: &'static str, at: impl Into<String>, message: impl Into<String>) -> ImportError {
    ImportError::Shape { what, at: at.into(), message: message.into() }
}

/// The subscriptions of a Public API answer: `{"data": {"subscriptions": […]}}`, one
/// `{"data": {"subscription": {…}}}`, or a bare array.
fn subscription_list(value: Value) -> Result<Vec<Value>, ImportError> {
    let data = match value {
        Value::Object(mut top) if top.contains_key("data") => top.remove("data").unwrap_or(Value::Null),
        other => other,
    };
    match data {
        Value::Array(items) => Ok(items),
        Value::Object(mut data) => match (data.remove("subscriptions"), data.remove("subscription")) {
            (Some(Value::Array(items)), _) => Ok(items),
            (None, Some(one @ Value::Object(_))) => Ok(vec![one]),
            _ => Err(shape(
                SUBSCRIPTIONS,
                "data",
                "expected \"subscriptions\": [ … ] (Public API: list subscriptions)",
            )),
        },
        _ => Err(shape(SUBSCRIPTIONS, "data", "expected an object with \"subscriptions\"")),
    }
}

fn text_field(sub: &Map<String, Value>, key: &str, at: &str) -> Result<Option<String>, ImportError> {
    match sub.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => {
            Err(shape(SUBSCRIPTIONS, format!("{at}.{key}"), format!("must be a string, not {other}")))
        }
    }
}

/// Reads the Public API's subscriptions (and, when given, the destination) into a workspace.
pub fn import(subscriptions: &str, destination: Option<&str>) -> Result<Imported, ImportError> {
    let mut notes = Vec::new();
    let mut link = SegmentLink::default();
    let mut settings = Settings::default();
    let mut token = None;
    if let Some(text) = destination {
        token = read_destination(parse(DESTINATION, text)?, &mut settings, &mut link, &mut notes)?;
    }
    let mut mappings: Vec<MappingEntry> = Vec::new();
    let mut names = Names::default();
    for (i, sub) in subscription_list(parse(SUBSCRIPTIONS, subscriptions)?)?.into_iter().enumerate() {
        let at = format!("subscriptions[{i}]");
        let Value::Object(obj) = &sub else {
            return Err(shape(SUBSCRIPTIONS, at, "a subscription is an object"));
        };
        let id = text_field(obj, "id", &at)?;
        let slug = text_field(obj, "actionSlug", &at)?.unwrap_or_default();
        if link.destination_id.is_none() {
            link.destination_id = text_field(obj, "destinationId", &at)?;
        }
        let base = text_field(obj, "name", &at)?
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("Subscription {}", id.as_deref().unwrap_or(&i.to_string())));
        let Some(action) = [Action::StandardEvent, Action::CustomEvent].into_iter().find(|a| a.key() == slug)
        else {
            notes.push(format!(
                "{at} {base:?}: action {slug:?} is not one the console runs (standardEvent, customEvent); kept as is for export"
            ));
            let mut sub = sub;
            secrets_left_out(&mut sub, &at, &base, &mut notes);
            link.unsupported.push(sub);
            continue;
        };
        if let Some(action_id) = text_field(obj, "actionId", &at)? {
            link.action_ids.insert(slug.clone(), action_id);
        }
        let trigger = text_field(obj, "trigger", &at)?
            .ok_or_else(|| shape(SUBSCRIPTIONS, format!("{at}.trigger"), "a subscription needs a trigger"))?;
        let enabled = match obj.get("enabled") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(shape(
                    SUBSCRIPTIONS,
                    format!("{at}.enabled"),
                    format!("must be true or false, not {other}"),
                ));
            }
        };
        let fields = match obj.get("settings") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => {
                let mut settings = m.clone();
                secrets_left_out_of(&mut settings, &format!("{at}.settings"), &base, &mut notes);
                settings
            }
            Some(other) => {
                return Err(shape(
                    SUBSCRIPTIONS,
                    format!("{at}.settings"),
                    format!("must be an object, not {other}"),
                ));
            }
        };
        let name = names.unique(&base);
        let (mapping, unknown) = mapping_from_settings(action, fields);
        if !unknown.is_empty() {
            let keys: Vec<&str> = unknown.keys().map(String::as_str).collect();
            notes.push(format!(
                "{at} {name:?}: {} has no field {}; kept as is for export",
                action.title(),
                keys.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
            ));
            link.unknown_fields.insert(name.clone(), unknown);
        }
        if let Some(id) = id {
            link.subscription_ids.insert(name.clone(), id);
        }
        let entry = MappingEntry {
            name,
            enabled,
            preset: None,
            action: Some(action),
            subscribe: Some(trigger),
            mapping,
        };
        // What the workspace could not run is refused here, where the subscription is named,
        // rather than by the next command that reads the workspace.
        CompiledMapping::compile(&entry, settings.profile).map_err(|e| {
            let place = match e.field.as_deref() {
                Some("subscribe") => format!("{at}.trigger"),
                Some(field) => format!("{at}.settings.{field}"),
                None => at.clone(),
            };
            shape(SUBSCRIPTIONS, place, format!("{:?}: {}", entry.name, e.message))
        })?;
        mappings.push(entry);
    }
    let workspace =
        Workspace { format: FORMAT.into(), version: VERSION, settings, mappings, segment: Some(link) };
    workspace.check().map_err(|e| shape(SUBSCRIPTIONS, "subscriptions", e.to_string()))?;
    Ok(Imported { workspace, token, notes })
}

/// Takes every secret-named member (a token a subscription's settings hold) out of `value`,
/// so that it never reaches the workspace or an export, and names where each was.
fn secrets_left_out(value: &mut Value, at: &str, name: &str, notes: &mut Vec<String>) {
    for path in remove_secrets(value, at) {
        notes.push(format!(
            "{path} ({name:?}) looks like a secret ({MASK}): left out of the workspace and of any export; set it in Segment"
        ));
    }
}

/// [`secrets_left_out`] for an object's members.
fn secrets_left_out_of(members: &mut Map<String, Value>, at: &str, name: &str, notes: &mut Vec<String>) {
    let mut value = Value::Object(std::mem::take(members));
    secrets_left_out(&mut value, at, name, notes);
    if let Value::Object(kept) = value {
        *members = kept;
    }
}

/// The mapping names given so far, as the app tells names apart (case and surrounding spaces
/// folded), and the next number to try after each base name: a name is found in one lookup, not
/// by scanning every mapping for every candidate.
#[derive(Default)]
struct Names {
    taken: std::collections::HashSet<String>,
    next: std::collections::HashMap<String, usize>,
}

impl Names {
    /// `base`, or `base (2)`, `base (3)`… the first not taken; taken from now on.
    fn unique(&mut self, base: &str) -> String {
        let mut name = base.to_string();
        let next = self.next.entry(super::name_key(base)).or_insert(2);
        while !self.taken.insert(super::name_key(&name)) {
            name = format!("{base} ({next})");
            *next += 1;
        }
        name
    }
}

/// A subscription's settings as a workspace mapping: Segment stores the whole mapping, so a
/// default field it lacks is written `null` (no source); fields the action lacks come back apart.
fn mapping_from_settings(
    action: Action,
    fields: Map<String, Value>,
) -> (Map<String, Value>, Map<String, Value>) {
    let mut mapping = Map::new();
    let mut unknown = Map::new();
    for (key, value) in fields {
        if action.field(&key).is_some() {
            mapping.insert(key, value);
        } else {
            unknown.insert(key, value);
        }
    }
    for key in release_defaults(action).keys() {
        if !mapping.contains_key(key) {
            mapping.insert(key.clone(), Value::Null);
        }
    }
    (mapping, unknown)
}

/// The release's default mapping for an action: the console's defaults without the fields the
/// release lacks, products as the release maps them.
fn release_defaults(action: Action) -> Map<String, Value> {
    action
        .default_mapping()
        .iter()
        .filter(|(k, _)| action.field(k).is_some_and(|f| !f.not_in_release()))
        .map(|(k, v)| match k.as_str() {
            "products" => {
                (k.clone(), serde_json::from_str(crate::mapping::fields::PRODUCTS_V2_DEFAULT).expect("JSON"))
            }
            _ => (k.clone(), v.clone()),
        })
        .collect()
}

fn read_destination(
    value: Value,
    settings: &mut Settings,
    link: &mut SegmentLink,
    notes: &mut Vec<String>,
) -> Result<Option<Secret>, ImportError> {
    let mut dest = match value {
        Value::Object(mut top) => match top.remove("data") {
            Some(Value::Object(mut data)) => match data.remove("destination") {
                Some(Value::Object(d)) => d,
                _ => {
                    return Err(shape(
                        DESTINATION,
                        "data",
                        "expected \"destination\": { … } (Public API: get destination)",
                    ));
                }
            },
            Some(_) => return Err(shape(DESTINATION, "data", "must be an object")),
            None => match top.remove("destination") {
                Some(Value::Object(d)) => d,
                _ => top,
            },
        },
        _ => return Err(shape(DESTINATION, "(top)", "a destination is a JSON object")),
    };
    if let Some(Value::String(id)) = dest.get("id") {
        link.destination_id = Some(id.clone());
    }
    let mut token = None;
    let Some(Value::Object(values)) = dest.remove("settings") else {
        return Ok(None);
    };
    // Segment's Test Mode defaults to off: a destination that does not set it sends production.
    settings.test_mode = false;
    for (key, value) in values {
        match (key.as_str(), value) {
            ("ad_account_id", Value::String(pixel)) => settings.pixel_id = pixel.trim().to_string(),
            ("test_mode", Value::Bool(b)) => settings.test_mode = b,
            ("test_mode", Value::Null) => settings.test_mode = false,
            ("conversion_token", Value::String(t)) => {
                token = Secret::token(t)
                    .map_err(|e| shape(DESTINATION, "settings.conversion_token", format!("the token {e}")))?;
                if token.is_some() {
                    notes.push(
                        "the destination holds a conversion token: it is offered to the keychain and never written to the workspace"
                            .to_string(),
                    );
                }
            }
            ("conversion_token", Value::Null) => {}
            (key, value) => {
                let shown = if is_secret_key(key) { MASK.to_string() } else { masked(&value).to_string() };
                notes.push(format!(
                    "destination setting {key:?} ({shown}) is not one the console takes; not imported"
                ));
            }
        }
    }
    Ok(token)
}

/// One subscription to create, and the cURL that creates it.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    /// Public API "create destination subscription" bodies: `name`, `actionId`, `trigger`,
    /// `enabled`, `settings`.
    pub subscriptions: Vec<Value>,
    /// A runnable shell script: one `curl` per subscription; the token is `$SEGMENT_TOKEN`.
    pub curl: String,
    pub notes: Vec<String>,
}

/// A workspace's mappings as Public API subscriptions (browser plugin mappings are left out:
/// Segment's plugin is a web destination of its own).
pub fn export(workspace: &Workspace) -> Export {
    let mut link = workspace.segment.clone().unwrap_or_default();
    let mut notes = Vec::new();
    // A workspace built or written before secrets were left out at import may still hold one.
    link.leave_out_secrets(&mut notes);
    let mut subscriptions = Vec::new();
    for entry in &workspace.mappings {
        let preset = entry.preset.as_deref().and_then(presets::find);
        let action = match (entry.action, preset.map(|p| p.kind)) {
            (Some(a), _) => a,
            (None, Some(presets::PresetKind::Send(a))) => a,
            _ => {
                notes.push(format!(
                    "{:?}: the browser plugin is a web destination of its own; not exported",
                    entry.name
                ));
                continue;
            }
        };
        let mut defaults = release_defaults(action);
        if let Some(p) = preset {
            defaults.extend(p.overrides(true));
        }
        // The mapping's own fields in its order (an imported subscription's order), then the
        // defaults it leaves as they are.
        let mut settings = entry.mapping.clone();
        for (key, value) in defaults {
            settings.entry(key).or_insert(value);
        }
        settings.retain(|key, value| {
            let v3_only = action.field(key).is_some_and(|f| f.not_in_release() && f.key != "enable_batching");
            if v3_only && !value.is_null() {
                notes.push(format!(
                    "{:?}: {key} is a v3 field the release does not have; not exported",
                    entry.name
                ));
            }
            !value.is_null() && !v3_only
        });
        if let Some(extra) = link.unknown_fields.get(&entry.name) {
            settings.extend(extra.clone());
        }
        let trigger = entry.subscribe.clone().or(preset.map(|p| p.subscribe.to_string())).unwrap_or_default();
        let action_id = link.action_ids.get(action.key()).cloned().unwrap_or_else(|| {
            notes.push(format!(
                "{:?}: Segment's actionId for {} is unknown (import the destination's subscriptions first, or look it up in Segment)",
                entry.name,
                action.key()
            ));
            format!("<actionId of {}>", action.key())
        });
        subscriptions.push(json!({
            "name": entry.name,
            "actionId": action_id,
            "trigger": trigger,
            "enabled": entry.enabled,
            "settings": settings,
        }));
    }
    for sub in &link.unsupported {
        let keep = ["name", "actionId", "trigger", "enabled", "settings", "modelId"];
        let body: Map<String, Value> = sub
            .as_object()
            .map(|o| {
                o.iter()
                    .filter(|(k, _)| keep.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        subscriptions.push(Value::Object(body));
    }
    let destination = link.destination_id.clone().unwrap_or_else(|| "$SEGMENT_DESTINATION_ID".into());
    let mut curl = String::from(
        "#!/bin/sh\n# Creates these subscriptions with Segment's Public API. Set SEGMENT_TOKEN (a Public API token) first.\nset -e\n",
    );
    for sub in &subscriptions {
        let body = serde_json::to_string_pretty(sub).expect("JSON");
        curl.push_str(&format!(
            "curl -sS --fail-with-body -X POST \"{PUBLIC_API}/destinations/{}/subscriptions\" \\\n  -H \"Authorization: Bearer $SEGMENT_TOKEN\" \\\n  -H \"Content-Type: {MEDIA_TYPE}\" \\\n  --data-binary @- <<'JSON'\n{body}\nJSON\n",
            shell_word(&destination)
        ));
    }
    Export { subscriptions, curl, notes }
}

/// A destination id inside double quotes: only `$SEGMENT_DESTINATION_ID` stays a variable.
fn shell_word(id: &str) -> String {
    if id == "$SEGMENT_DESTINATION_ID" {
        return id.to_string();
    }
    id.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect()
}

#[cfg(test)]
mod tests;
