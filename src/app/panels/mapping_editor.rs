//! The mapping editor window: the trigger as text (live errors, "matches the current event")
//! with a builder for the common case, and a table of every field's source with a path picker,
//! reset to default, and the value it resolves to for the current event.

use eframe::egui::{self, RichText};
use serde_json::Value;

use super::super::state::State;
use super::super::{Intent, View};
use crate::mapping::CompiledMapping;
use crate::mapping::directive::Directive;
use crate::mapping::trigger::Trigger;
use crate::segment::EventType;

pub fn show(ctx: &egui::Context, state: &mut State, view: &mut View, intents: &mut Vec<Intent>) {
    let Some(i) = view.editing.filter(|i| *i < state.mappings.len()) else {
        view.editing = None;
        return;
    };
    let mut open = true;
    let mut changed = false;
    egui::Window::new(format!("Edit mapping: {}", state.mappings[i].name))
        .id(egui::Id::unique("mapping-editor"))
        .open(&mut open)
        .default_size([620.0, 560.0])
        .show(ctx, |ui| {
            let event = state.event.as_ref().ok().cloned();
            let profile = state.settings().profile;
            let compiled = CompiledMapping::compile(&state.mappings[i], profile);
            let entry = &mut state.mappings[i];
            ui.label(match (&entry.preset, entry.action) {
                (Some(p), _) => format!("Preset: {p}"),
                (None, Some(a)) => format!("Action: {}", a.title()),
                (None, None) => "No action".into(),
            });
            // Trigger.
            let l = ui.label("Trigger");
            let mut subscribe = entry.subscribe.clone().unwrap_or_else(|| {
                entry
                    .preset
                    .as_deref()
                    .and_then(crate::mapping::presets::find)
                    .map(|p| p.subscribe.to_string())
                    .unwrap_or_default()
            });
            if ui
                .add(
                    egui::TextEdit::multiline(&mut subscribe)
                        .code_editor()
                        .desired_rows(2)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(l.id)
                .changed()
            {
                entry.subscribe = Some(subscribe.clone());
                changed = true;
            }
            match Trigger::parse(&subscribe) {
                Ok(t) => {
                    let matches = event.as_ref().is_some_and(|e| t.matches(e.value()));
                    ui.label(if matches {
                        "● matches the current event"
                    } else {
                        "○ does not match the current event"
                    });
                    if t.segment_reads_differently() {
                        ui.label(
                            RichText::new(format!("Segment reads and/or without precedence: write {t}"))
                                .color(ui.visuals().warn_fg_color),
                        );
                    }
                    // The builder's inputs live in the view until used (they start from the trigger).
                    if view.builder.as_ref().is_none_or(|(j, _, _)| *j != i) {
                        let (ty, name) = t.as_simple().unwrap_or_else(|| ("track".into(), None));
                        view.builder = Some((i, ty, name.unwrap_or_default()));
                    }
                    if let Some((_, ty, name)) = &mut view.builder {
                        ui.horizontal(|ui| {
                            egui::ComboBox::from_label("Type").selected_text(ty.as_str()).show_ui(ui, |ui| {
                                for kind in EventType::ALL {
                                    ui.selectable_value(ty, kind.as_str().to_string(), kind.as_str());
                                }
                            });
                            super::text_field(ui, "Event name", name);
                            if ui.button("Use type and name").clicked() {
                                let name = Some(name.trim()).filter(|n| !n.is_empty());
                                entry.subscribe = Some(Trigger::simple(ty, name).to_string());
                                changed = true;
                            }
                        });
                    }
                }
                Err(e) => {
                    ui.label(RichText::new(e.to_string()).color(ui.visuals().error_fg_color));
                }
            }
            ui.separator();
            let Some(action) =
                entry.action.or(entry.preset.as_deref().and_then(crate::mapping::presets::find).and_then(
                    |p| match p.kind {
                        crate::mapping::presets::PresetKind::Send(a) => Some(a),
                        _ => None,
                    },
                ))
            else {
                ui.label("The browser plugin preset has no fields: it runs in the browser only.");
                return;
            };
            let compiled_ok = compiled.as_ref().ok();
            if let Err(e) = &compiled {
                ui.label(RichText::new(e.to_string()).color(ui.visuals().error_fg_color));
            }
            let paths = event.as_ref().map(|e| event_paths(e.value())).unwrap_or_default();
            egui::ScrollArea::vertical().id_salt("fields").show(ui, |ui| {
                egui::Grid::new("fields-grid").num_columns(4).striped(true).show(ui, |ui| {
                    ui.label(RichText::new("field").strong());
                    ui.label(RichText::new("source (JSON)").strong());
                    ui.label(RichText::new("").strong());
                    ui.label(RichText::new("value for this event").strong());
                    ui.end_row();
                    for field in action.fields() {
                        let overridden = entry.mapping.contains_key(field.key);
                        let source: Option<Value> = entry.mapping.get(field.key).cloned().or_else(|| {
                            compiled_ok.and_then(|c| c.fields.field(field.key)).map(Directive::to_value)
                        });
                        let l =
                            ui.label(RichText::new(field.key).monospace()).on_hover_text(field.description);
                        let mut text = source.as_ref().map(|v| v.to_string()).unwrap_or_default();
                        let response = ui
                            .add(egui::TextEdit::singleline(&mut text).desired_width(280.0).code_editor())
                            .labelled_by(l.id);
                        if response.changed() {
                            match serde_json::from_str::<Value>(&text) {
                                Ok(v) => {
                                    entry.mapping.insert(field.key.to_string(), v);
                                    changed = true;
                                }
                                Err(_) if text.trim().is_empty() => {
                                    entry.mapping.remove(field.key);
                                    changed = true;
                                }
                                Err(_) => {}
                            }
                        }
                        ui.name_inputs(format!("Path for {}", field.key), |ui| {
                            egui::ComboBox::from_id_salt(("pick", field.key))
                                .selected_text("path…")
                                .width(70.0)
                                .show_ui(ui, |ui| {
                                    for p in &paths {
                                        if ui.selectable_label(false, p).clicked() {
                                            entry.mapping.insert(
                                                field.key.to_string(),
                                                serde_json::json!({"@path": p}),
                                            );
                                            changed = true;
                                        }
                                    }
                                });
                            if overridden
                                && ui
                                    .small_button("Reset")
                                    .on_hover_text("Back to the default source")
                                    .clicked()
                            {
                                entry.mapping.remove(field.key);
                                changed = true;
                            }
                        });
                        let value = match (&event, compiled_ok.and_then(|c| c.fields.field(field.key))) {
                            (Some(e), Some(d)) => {
                                d.resolve(e.value()).map(|v| v.to_string()).unwrap_or_else(|| "—".into())
                            }
                            _ => "—".into(),
                        };
                        ui.label(RichText::new(value).monospace().small());
                        ui.end_row();
                    }
                });
            });
            if ui.button("Export this mapping").clicked() {
                intents.push(Intent::ExportMapping(i));
            }
        });
    if changed {
        state.changed_mappings();
    }
    if !open {
        view.editing = None;
        view.builder = None;
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
            _ if !keys.is_empty() => {
                out.push(crate::mapping::path::Path::from_keys(keys.iter().cloned()).to_string())
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}
