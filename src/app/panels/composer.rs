//! The event composer (centre): templates, a JSON editor with colouring and inline parse
//! errors, quick fields kept in sync with the JSON, "now" and new-messageId buttons, saved
//! samples, open/save through file dialogs.

use eframe::egui::{self, RichText};
use serde_json::{Value, json};

use super::super::state::{Sample, State};
use super::super::worker::FileKind;
use super::super::{Intent, View};
use crate::segment::samples::{self, TEMPLATES};

/// Events larger than this are edited without colouring (the layout stays fast).
const HIGHLIGHT_LIMIT: usize = 32 * 1024;

/// Quick fields: label and path into the event.
const QUICK: [(&str, &[&str]); 9] = [
    ("Email", &["context", "traits", "email"]),
    ("Phone", &["context", "traits", "phone"]),
    ("IP", &["context", "ip"]),
    ("User agent", &["context", "userAgent"]),
    ("Click ID", &["integrations", "Reddit Conversions Api", "click_id"]),
    ("UUID", &["integrations", "Reddit Conversions Api", "uuid"]),
    ("userId", &["userId"]),
    ("messageId", &["messageId"]),
    ("Timestamp", &["timestamp"]),
];

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

fn set(v: &mut Value, path: &[&str], value: Option<String>) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut cur = v;
    for k in parents {
        if !cur.get(*k).is_some_and(Value::is_object) {
            if value.is_none() {
                return;
            }
            cur[*k] = json!({});
        }
        cur = &mut cur[*k];
    }
    if let Some(obj) = cur.as_object_mut() {
        match value {
            Some(s) => {
                obj.insert(last.to_string(), Value::String(s));
            }
            None => {
                obj.remove(*last);
            }
        }
    }
}

pub fn show(ui: &mut egui::Ui, state: &mut State, view: &mut View, intents: &mut Vec<Intent>) {
    egui::CentralPanel::default().show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            ui.heading("Event");
            ui.menu_button("Templates", |ui| {
                for t in &TEMPLATES {
                    if ui.button(t.name).clicked() {
                        state.set_event_text(serde_json::to_string_pretty(&t.event()).expect("JSON"));
                        ui.close();
                    }
                }
            });
            if ui.button("Now").on_hover_text("Set timestamp to now").clicked() {
                state.edit_event(|e| {
                    e["timestamp"] = json!(crate::timestamp::format_rfc3339(crate::timestamp::now_millis()))
                });
            }
            if ui.button("New messageId").clicked() {
                state.edit_event(|e| e["messageId"] = json!(samples::new_message_id()));
            }
            if ui.button("Open sample").clicked() {
                intents.push(Intent::Open(FileKind::Sample));
            }
            if ui.button("Save sample as file").clicked() {
                intents.push(Intent::ExportSample);
            }
        });
        ui.horizontal_wrapped(|ui| {
            if !state.saved.samples.is_empty() {
                let mut chosen = None;
                egui::ComboBox::from_label("Samples").selected_text("choose…").show_ui(ui, |ui| {
                    for (i, s) in state.saved.samples.iter().enumerate() {
                        if ui.selectable_label(false, &s.name).clicked() {
                            chosen = Some(i);
                        }
                    }
                });
                if let Some(i) = chosen {
                    let text = state.saved.samples[i].text.clone();
                    state.set_event_text(text);
                }
            }
            super::text_field(ui, "Sample name", &mut view.sample_name);
            if ui.button("Keep in library").clicked() && !view.sample_name.trim().is_empty() {
                let name = view.sample_name.trim().to_string();
                state.saved.samples.retain(|s| s.name != name);
                state.saved.samples.push(Sample { name, text: state.saved.composer_text.clone() });
                state.dirty = true;
            }
        });
        if let Ok(event) = &state.event {
            let value = event.value().clone();
            egui::CollapsingHeader::new("Quick fields").default_open(true).show(ui, |ui| {
                egui::Grid::new("quick").num_columns(2).show(ui, |ui| {
                    for (label, path) in QUICK {
                        let l = ui.label(label);
                        let mut text = get(&value, path)
                            .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
                            .unwrap_or_default();
                        let response = ui
                            .add(egui::TextEdit::singleline(&mut text).desired_width(f32::INFINITY))
                            .labelled_by(l.id);
                        if view.focus_field == Some(label) {
                            response.request_focus();
                            view.focus_field = None;
                        }
                        if response.changed() {
                            let value = (!text.is_empty()).then_some(text);
                            state.edit_event(|e| set(e, path, value));
                        }
                        ui.end_row();
                    }
                });
            });
        }
        match &state.event {
            Ok(_) => ui.label(RichText::new("✔ valid Segment event").weak()),
            Err(e) => ui.label(
                RichText::new(format!("line {}, column {}: {}", e.line, e.column, e.message))
                    .color(ui.visuals().error_fg_color),
            ),
        };
        // Edit the text in place (no per-frame copy of a large event).
        let mut text = std::mem::take(&mut state.saved.composer_text);
        let highlight = text.len() <= HIGHLIGHT_LIMIT;
        let mut layouter = |ui: &egui::Ui, buf: &dyn egui::TextBuffer, wrap_width: f32| {
            let theme = egui_extras::syntax_highlighting::CodeTheme::from_memory(ui.ctx(), ui.style());
            let mut job = egui_extras::syntax_highlighting::highlight(
                ui.ctx(),
                ui.style(),
                &theme,
                buf.as_str(),
                "json",
            );
            job.wrap.max_width = wrap_width;
            ui.fonts_mut(|f| f.layout_job(job))
        };
        let changed = egui::ScrollArea::vertical()
            .id_salt("event-json")
            .show(ui, |ui| {
                let editor = egui::TextEdit::multiline(&mut text)
                    .code_editor()
                    .desired_width(f32::INFINITY)
                    .desired_rows(24);
                let editor = if highlight { editor.layouter(&mut layouter) } else { editor };
                ui.add(editor).accessible_name("Event JSON").changed()
            })
            .inner;
        if changed {
            state.set_event_text(text);
        } else {
            state.saved.composer_text = text;
        }
    });
}
