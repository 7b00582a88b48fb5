//! The mapping editor window: the trigger as text (one error in plain words while it does not
//! parse, "matches the current event") with a builder for the common case; and every field's
//! source, each with a structured picker (path, first that exists, template, array path, literal)
//! beside its raw JSON, and the value it resolves to for the current event.
//!
//! Every text box edits its own buffer under a stable id, keyed by the mapping's name and the
//! field; only text that parses and compiles reaches the mapping (and so the saved workspace).

use std::collections::HashMap;

use eframe::egui::{self, RichText};
use serde_json::{Value, json};

use super::super::buffer::Commit;
use super::super::state::State;
use super::super::{Intent, View};
use crate::mapping::Action;
use crate::mapping::fields::Field;
use crate::mapping::model::MappingEntry;
use crate::mapping::path::Path;
use crate::mapping::presets::{self, PresetKind};
use crate::mapping::trigger::Trigger;
use crate::mapping::{CompiledMapping, MappingError};
use crate::segment::EventType;

/// What the editor shows that is derived from the mapping and the event, made when either
/// changes (never per frame).
#[derive(Default)]
pub struct EditorCache {
    key: Option<(u64, u64, String)>,
    compiled: Option<Result<CompiledMapping, String>>,
    /// Every leaf path of the event (for the path pickers).
    paths: Vec<String>,
    /// Each field's default or current source and its value for the event.
    sources: HashMap<&'static str, Value>,
    values: HashMap<&'static str, String>,
}

impl EditorCache {
    fn refresh(&mut self, state: &State, entry: &MappingEntry) {
        let key = (state.workspace_generation, state.event_generation, entry.name.clone());
        if self.key.as_ref() == Some(&key) {
            return;
        }
        let event = state.last_event.as_ref();
        let compiled = CompiledMapping::compile(entry, state.settings().profile).map_err(|e| words(&e));
        self.sources.clear();
        self.values.clear();
        if let (Ok(c), Some(action)) = (&compiled, action_of(entry)) {
            for field in action.fields() {
                if let Some(d) = c.fields.field(field.key) {
                    self.sources.insert(field.key, d.to_value());
                    let value = event.and_then(|e| d.resolve(e.value()));
                    self.values
                        .insert(field.key, value.map_or_else(|| "— (left out)".into(), |v| v.to_string()));
                }
            }
        }
        self.paths = event.map(|e| event_paths(e.value())).unwrap_or_default();
        self.compiled = Some(compiled);
        self.key = Some(key);
    }
}

/// The action a mapping's fields belong to (`None`: the browser plugin, which has none).
fn action_of(entry: &MappingEntry) -> Option<Action> {
    entry.action.or_else(|| match presets::find(entry.preset.as_deref()?)?.kind {
        PresetKind::Send(a) => Some(a),
        PresetKind::BrowserPlugin => None,
    })
}

/// A compile error in the editor's words: the window already names the mapping, and a field's
/// error sits under that field.
fn words(e: &MappingError) -> String {
    match &e.field {
        Some(field) => format!("{field}: {}", e.message),
        None => e.message.clone(),
    }
}

pub fn show(ctx: &egui::Context, state: &mut State, view: &mut View, intents: &mut Vec<Intent>) {
    let Some(name) = view.editing.clone() else { return };
    let Some((i, entry)) = state.mapping_index(&name).and_then(|i| Some((i, state.mappings.get(i)?.clone())))
    else {
        // Deleted (or renamed elsewhere): the editor closes rather than follow another mapping.
        close(view);
        return;
    };
    let mut open = true;
    let mut edited: Option<MappingEntry> = None;
    let mut closing = false;
    let mut cache = std::mem::take(&mut view.editor_cache);
    cache.refresh(state, &entry);
    egui::Window::new(format!("Edit mapping: {name}"))
        .id(egui::Id::unique("mapping-editor"))
        .open(&mut open)
        // Beside the mappings list, which stays usable (rename, select another mapping).
        .default_pos([250.0, 60.0])
        .default_size([780.0, (ctx.content_rect().height() - 120.0).clamp(360.0, 720.0)])
        .max_height(ctx.content_rect().height() - 40.0)
        .resizable(true)
        .vscroll(true)
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                ui.label(match (&entry.preset, entry.action) {
                    (Some(p), _) => format!("Preset: {p}"),
                    (None, Some(a)) => format!("Action: {}", a.title()),
                    (None, None) => "No action".into(),
                });
                if ui.button("Export this mapping").clicked() {
                    intents.push(Intent::ExportMapping(name.clone()));
                }
                let close = ui.button("Close").on_hover_text("Close the editor (Escape)");
                view.rects.mark("Close editor", close.rect);
                if close.clicked() {
                    closing = true;
                }
            });
            if let Some(new) = trigger(ui, state, view, &entry) {
                edited = Some(new);
            }
            ui.separator();
            let Some(action) = action_of(&entry) else {
                ui.label("The browser plugin preset has no fields: it runs in the browser only.");
                return;
            };
            // A trigger that does not parse is said under the trigger, once.
            if let Some(Err(e)) = &cache.compiled
                && !e.starts_with("subscribe:")
            {
                ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
            }
            for field in action.fields() {
                if let Some(new) = field_row(ui, view, &cache, &entry, field, state.settings().profile) {
                    edited = Some(new);
                }
                ui.separator();
            }
        });
    view.editor_cache = cache;
    // Escape (once a field has let go of it) closes the editor; what parsed is in the mapping.
    if closing || ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
        open = false;
    }
    if let Some(entry) = edited
        && let Some(slot) = state.mappings.get_mut(i)
    {
        *slot = entry;
        state.workspace_changed();
    }
    if !open {
        close(view);
    }
}

fn close(view: &mut View) {
    view.editing = None;
    view.builder = None;
    view.buffers.clear();
}

/// The trigger: text (committed only when it parses), whether it matches, and the builder.
fn trigger(ui: &mut egui::Ui, state: &State, view: &mut View, entry: &MappingEntry) -> Option<MappingEntry> {
    let mut out = None;
    let model = entry
        .subscribe
        .clone()
        .or_else(|| entry.preset.as_deref().and_then(presets::find).map(|p| p.subscribe.to_string()))
        .unwrap_or_default();
    let l = ui.label("Trigger");
    let id = egui::Id::unique(("trigger", &entry.name));
    // Applied on Enter or on leaving the field: a prefix typed on the way never matches events.
    let edit = view.buffers.edit(
        Commit::OnEnter,
        ui,
        id,
        &model,
        |t| Trigger::parse(t).map(|_| t.to_string()).map_err(|e| e.to_string()),
        String::clone,
        |text, id| egui::TextEdit::singleline(text).id(id).code_editor().desired_width(f32::INFINITY),
    );
    let _ = edit.response.labelled_by(l.id);
    if let Some(text) = edit.commit
        && entry.subscribe.as_deref() != Some(text.as_str())
    {
        out = Some(MappingEntry { subscribe: Some(text), ..entry.clone() });
    }
    if let Some(e) = &edit.error {
        ui.label(
            RichText::new(format!("The trigger does not parse yet: {e}")).color(ui.visuals().error_fg_color),
        );
        return out;
    }
    if edit.pending {
        ui.label(
            RichText::new("Not applied yet: press Enter or leave the field to apply this trigger.")
                .color(ui.visuals().warn_fg_color),
        );
    }
    let Ok(t) = Trigger::parse(&model) else { return out };
    let matches = state.last_event.as_ref().is_some_and(|e| t.matches(e.value()));
    ui.label(if matches { "● matches the current event" } else { "○ does not match the current event" });
    if t.segment_reads_differently() {
        ui.label(
            RichText::new(format!("Segment reads and/or without precedence: write {t}"))
                .color(ui.visuals().warn_fg_color),
        );
    }
    // The builder's inputs live in the view until used; they start from the trigger and follow
    // it whenever it changes.
    if view.builder.as_ref().is_none_or(|b| b.mapping != entry.name || b.trigger != model) {
        let (ty, name) = t.as_simple().unwrap_or_else(|| ("track".into(), None));
        view.builder = Some(Builder {
            mapping: entry.name.clone(),
            trigger: model.clone(),
            ty,
            name: name.unwrap_or_default(),
        });
    }
    if let Some(Builder { ty, name, .. }) = &mut view.builder {
        ui.horizontal(|ui| {
            let l = ui.label("Type");
            egui::ComboBox::from_id_salt("builder-type")
                .selected_text(ty.as_str())
                .show_ui(ui, |ui| {
                    for kind in EventType::ALL {
                        ui.selectable_value(ty, kind.as_str().to_string(), kind.as_str());
                    }
                })
                .response
                .labelled_by(l.id);
            let l = ui.label("Event name");
            ui.add(
                egui::TextEdit::singleline(name)
                    .id(egui::Id::unique("builder-event-name"))
                    .desired_width(220.0),
            )
            .labelled_by(l.id);
            if ui.button("Use type and name").clicked() {
                let name = Some(name.trim()).filter(|n| !n.is_empty());
                out = Some(MappingEntry {
                    subscribe: Some(Trigger::simple(ty, name).to_string()),
                    ..entry.clone()
                });
            }
        });
    }
    out
}

/// The mapping editor's trigger builder: the call type and event name being picked for a
/// mapping, made from its trigger text.
#[derive(Debug, Clone)]
pub struct Builder {
    pub mapping: String,
    trigger: String,
    ty: String,
    name: String,
}

/// The shape of a source, for the structured picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Path,
    FirstThatExists,
    Template,
    ArrayPath,
    /// `@case` of a path.
    Case,
    Literal,
    Json,
}

impl Shape {
    const ALL: [Shape; 7] = [
        Shape::Path,
        Shape::FirstThatExists,
        Shape::Template,
        Shape::ArrayPath,
        Shape::Case,
        Shape::Literal,
        Shape::Json,
    ];

    fn label(self) -> &'static str {
        match self {
            Shape::Path => "Path",
            Shape::FirstThatExists => "First that exists",
            Shape::Template => "Template",
            Shape::ArrayPath => "Array path",
            Shape::Case => "Path, lower/upper case",
            Shape::Literal => "Literal text",
            Shape::Json => "Other JSON",
        }
    }

    fn of(v: &Value) -> Shape {
        if path_of(v).is_some() {
            Shape::Path
        } else if first_that_exists(v).is_some() {
            Shape::FirstThatExists
        } else if v.get("@template").is_some_and(Value::is_string)
            && v.as_object().is_some_and(|o| o.len() == 1)
        {
            Shape::Template
        } else if v.get("@arrayPath").is_some() {
            Shape::ArrayPath
        } else if case_of(v).is_some() {
            Shape::Case
        } else if v.is_string() {
            Shape::Literal
        } else {
            Shape::Json
        }
    }

    /// A source of this shape, starting from `from` where it can.
    fn convert(self, from: &Value) -> Value {
        let path = path_of(from)
            .or_else(|| first_that_exists(from).map(|(a, _)| a))
            .unwrap_or_else(|| "$.properties".to_string());
        match self {
            Shape::Path => json!({"@path": path}),
            Shape::FirstThatExists => {
                json!({"@if": {"exists": {"@path": path}, "then": {"@path": path}, "else": {"@path": "$.anonymousId"}}})
            }
            Shape::Template => json!({"@template": format!("{{{{{}}}}}", path.trim_start_matches("$."))}),
            Shape::ArrayPath => json!({"@arrayPath": [path, {}]}),
            Shape::Case => case_source(&path, "lower"),
            Shape::Literal => Value::String(from.as_str().unwrap_or_default().to_string()),
            Shape::Json => from.clone(),
        }
    }
}

/// `{"@case": {"operator": op, "value": {"@path": p}}}`: (p, op).
fn case_of(v: &Value) -> Option<(String, String)> {
    let o = v.as_object().filter(|o| o.len() == 1)?.get("@case")?.as_object()?;
    let op = o.get("operator")?.as_str().filter(|op| matches!(*op, "lower" | "upper"))?;
    (o.len() == 2).then_some(())?;
    Some((path_of(o.get("value")?)?, op.to_string()))
}

fn case_source(path: &str, operator: &str) -> Value {
    json!({"@case": {"operator": operator, "value": {"@path": path}}})
}

fn path_of(v: &Value) -> Option<String> {
    let o = v.as_object().filter(|o| o.len() == 1)?;
    o.get("@path")?.as_str().map(str::to_string)
}

/// `{"@if": {"exists": {"@path": a}, "then": {"@path": a}, "else": {"@path": b}}}`: a, b.
fn first_that_exists(v: &Value) -> Option<(String, String)> {
    let o = v.as_object().filter(|o| o.len() == 1)?.get("@if")?.as_object()?;
    let a = path_of(o.get("exists")?)?;
    (path_of(o.get("then")?)? == a && o.len() == 3).then_some(())?;
    Some((a, path_of(o.get("else")?)?))
}

/// Compact JSON where the structured picker shows the source (it wraps in the box); pretty,
/// several lines, for other objects and arrays that are not short.
fn source_text(v: &Value) -> String {
    let compact = v.to_string();
    if compact.len() > 60 && Shape::of(v) == Shape::Json {
        serde_json::to_string_pretty(v).unwrap_or(compact)
    } else {
        compact
    }
}

/// One field: name and description, the structured picker, the raw JSON, the value for the
/// current event, and one error in plain words while the text does not compile.
fn field_row(
    ui: &mut egui::Ui,
    view: &mut View,
    cache: &EditorCache,
    entry: &MappingEntry,
    field: &'static Field,
    profile: crate::identity::Profile,
) -> Option<MappingEntry> {
    let key = field.key;
    let overridden = entry.mapping.contains_key(key);
    let current = entry.mapping.get(key).or_else(|| cache.sources.get(key)).cloned();
    // A candidate source compiles within the whole mapping before it is taken.
    let check = |v: Value| -> Result<Value, String> {
        let mut candidate = entry.clone();
        candidate.mapping.insert(key.to_string(), v.clone());
        CompiledMapping::compile(&candidate, profile).map(|_| v).map_err(|e| match &e.field {
            // Under the field itself its name goes without saying.
            Some(f) if f == key => e.message.clone(),
            Some(f) if f.starts_with(&format!("{key}.")) || f.starts_with(&format!("{key}[")) => {
                format!("{}: {}", f.trim_start_matches(key).trim_start_matches('.'), e.message)
            }
            _ => words(&e),
        })
    };
    let mut commit: Option<Option<Value>> = None;
    let mut errors = Vec::new();
    ui.horizontal_wrapped(|ui| {
        let l = ui.label(RichText::new(key).monospace().strong());
        ui.label(RichText::new(field.description).weak()).labelled_by(l.id);
        if field.required {
            ui.label(RichText::new("required").color(ui.visuals().warn_fg_color));
        }
    });
    ui.horizontal_wrapped(|ui| {
        let shape = current.as_ref().map_or(Shape::Json, Shape::of);
        let mut chosen = shape;
        let l = ui.label("Source");
        egui::ComboBox::from_id_salt(("shape", &entry.name, key))
            .selected_text(shape.label())
            .show_ui(ui, |ui| {
                for s in Shape::ALL {
                    ui.selectable_value(&mut chosen, s, s.label());
                }
            })
            .response
            .labelled_by(l.id);
        if chosen != shape {
            match check(chosen.convert(current.as_ref().unwrap_or(&Value::Null))) {
                Ok(v) => commit = Some(Some(v)),
                Err(e) => errors.push(e),
            }
        }
        let picked =
            structured(ui, view, cache, &entry.name, key, shape, current.as_ref(), &check, &mut errors);
        if picked.is_some() {
            commit = picked.map(Some);
        }
        if overridden && ui.small_button("Reset").on_hover_text("Back to the default source").clicked() {
            commit = Some(None);
        }
    });
    let model = current.as_ref().map(source_text).unwrap_or_default();
    let id = egui::Id::unique(("source", &entry.name, key));
    let rows = model.lines().count().clamp(1, 8);
    let raw = view.buffers.edit(
        Commit::AsTyped,
        ui,
        id,
        &model,
        |t| {
            if t.trim().is_empty() {
                return Ok(None);
            }
            let v: Value = serde_json::from_str(t).map_err(|e| format!("not JSON yet ({e})"))?;
            check(v).map(Some)
        },
        |v: &Option<Value>| v.as_ref().map(source_text).unwrap_or_default(),
        |text, id| {
            egui::TextEdit::multiline(text)
                .id(id)
                .code_editor()
                .desired_rows(rows)
                .desired_width(f32::INFINITY)
        },
    );
    view.rects.mark(format_args!("{key} source JSON"), raw.response.rect);
    let _ = raw.response.accessible_name(format!("{key} source JSON"));
    if let Some(v) = raw.commit
        && v.as_ref() != entry.mapping.get(key)
    {
        commit = Some(v);
    }
    if let Some(e) = raw.error {
        errors.push(e);
    }
    for e in errors.iter().take(1) {
        ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
    }
    let value = cache.values.get(key).map(String::as_str).unwrap_or("— (left out)");
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("value for this event:").weak());
        ui.add(egui::Label::new(RichText::new(value).monospace()).wrap());
    });
    commit.map(|source| {
        let mut entry = entry.clone();
        match source {
            Some(v) => entry.mapping.insert(key.to_string(), v),
            None => entry.mapping.remove(key),
        };
        entry
    })
}

/// The structured inputs of a source of `shape`; a new source when one was edited into shape.
#[allow(clippy::too_many_arguments)]
fn structured(
    ui: &mut egui::Ui,
    view: &mut View,
    cache: &EditorCache,
    mapping: &str,
    key: &'static str,
    shape: Shape,
    current: Option<&Value>,
    check: &dyn Fn(Value) -> Result<Value, String>,
    errors: &mut Vec<String>,
) -> Option<Value> {
    let current = current?;
    let mut out = None;
    let mut path_box = |ui: &mut egui::Ui, part: &str, model: &str, out: &mut Option<String>| {
        let id = egui::Id::unique(("part", mapping, key, part));
        let edit = view.buffers.edit(
            Commit::AsTyped,
            ui,
            id,
            model,
            |t| Path::parse(t).map(|_| t.to_string()).map_err(|e| format!("{part}: {e}")),
            String::clone,
            |text, id| egui::TextEdit::singleline(text).id(id).code_editor().desired_width(230.0),
        );
        let _ = edit.response.accessible_name(format!("{key} {part}"));
        if let Some(e) = edit.error {
            errors.push(e);
        }
        *out = edit.commit;
    };
    match shape {
        Shape::Path => {
            let model = path_of(current).unwrap_or_default();
            let mut typed = None;
            path_box(ui, "path", &model, &mut typed);
            egui::ComboBox::from_id_salt(("pick", mapping, key)).selected_text("pick…").width(60.0).show_ui(
                ui,
                |ui| {
                    for p in &cache.paths {
                        if ui.selectable_label(false, p).clicked() {
                            typed = Some(p.clone());
                        }
                    }
                },
            );
            out = typed.map(|p| json!({"@path": p}));
        }
        Shape::FirstThatExists => {
            let (a, b) = first_that_exists(current).unwrap_or_default();
            let (mut new_a, mut new_b) = (None, None);
            path_box(ui, "first", &a, &mut new_a);
            ui.label("else");
            path_box(ui, "else", &b, &mut new_b);
            if new_a.is_some() || new_b.is_some() {
                let (a, b) = (new_a.unwrap_or(a), new_b.unwrap_or(b));
                out = Some(
                    json!({"@if": {"exists": {"@path": a}, "then": {"@path": a}, "else": {"@path": b}}}),
                );
            }
        }
        Shape::Template => {
            let model = current.get("@template").and_then(Value::as_str).unwrap_or_default().to_string();
            let id = egui::Id::unique(("part", mapping, key, "template"));
            let edit = view.buffers.edit_text(ui, id, &model, |text, id| {
                egui::TextEdit::singleline(text).id(id).code_editor().desired_width(320.0)
            });
            let _ = edit.response.accessible_name(format!("{key} template"));
            out = edit.commit.map(|t| json!({"@template": t}));
        }
        Shape::ArrayPath => {
            let items = current.get("@arrayPath").and_then(Value::as_array);
            let model = items.and_then(|a| a.first()).and_then(Value::as_str).unwrap_or_default().to_string();
            let mut typed = None;
            path_box(ui, "array", &model, &mut typed);
            out = typed.map(|p| {
                let item = items.and_then(|a| a.get(1)).cloned().unwrap_or_else(|| json!({}));
                json!({"@arrayPath": [p, item]})
            });
            ui.label(RichText::new("each item's mapping: in the JSON below").weak());
        }
        Shape::Case => {
            let (path, operator) = case_of(current).unwrap_or_default();
            let mut typed = None;
            path_box(ui, "path", &path, &mut typed);
            let mut picked = operator.clone();
            egui::ComboBox::from_id_salt(("case", mapping, key)).selected_text(&picked).width(70.0).show_ui(
                ui,
                |ui| {
                    for op in ["lower", "upper"] {
                        ui.selectable_value(&mut picked, op.to_string(), op);
                    }
                },
            );
            if typed.is_some() || picked != operator {
                out = Some(case_source(&typed.unwrap_or(path), &picked));
            }
        }
        Shape::Literal => {
            let model = current.as_str().unwrap_or_default().to_string();
            let id = egui::Id::unique(("part", mapping, key, "literal"));
            let edit = view.buffers.edit_text(ui, id, &model, |text, id| {
                egui::TextEdit::singleline(text).id(id).desired_width(320.0)
            });
            let _ = edit.response.accessible_name(format!("{key} text"));
            out = edit.commit.map(Value::String);
        }
        Shape::Json => {}
    }
    match out.map(check) {
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => {
            errors.push(e);
            None
        }
        None => None,
    }
}

/// Every path of the event's leaves, as `$.a.b` (for the path picker).
fn event_paths(v: &Value) -> Vec<String> {
    fn walk(v: &Value, keys: &mut Vec<String>, out: &mut Vec<String>) {
        match v {
            Value::Object(map) if keys.len() < 8 && out.len() < 400 => {
                for (k, child) in map {
                    keys.push(k.clone());
                    walk(child, keys, out);
                    keys.pop();
                }
            }
            _ if !keys.is_empty() => out.push(Path::from_keys(keys.iter().cloned()).to_string()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_sources_get_the_case_picker_and_others_keep_theirs() {
        let case = case_source("$.properties.plan", "upper");
        assert_eq!(Shape::of(&case), Shape::Case);
        assert_eq!(case_of(&case), Some(("$.properties.plan".into(), "upper".into())));
        assert_eq!(Shape::Case.convert(&json!({"@path": "$.event"})), case_source("$.event", "lower"));
        // A @case the picker cannot show (a template inside, a third key) stays JSON.
        let template = json!({"@case": {"operator": "lower", "value": {"@template": "{{event}}"}}});
        assert_eq!(Shape::of(&template), Shape::Json);
        let bad = json!({"@case": {"operator": "title", "value": {"@path": "$.event"}}});
        assert_eq!(Shape::of(&bad), Shape::Json);
    }
}
