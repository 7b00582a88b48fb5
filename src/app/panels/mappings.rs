//! The mappings list (left): add from a preset or blank, duplicate, rename, delete, enable,
//! reorder, edit; a marker shows which mappings match the current event.

use eframe::egui::{self, RichText};

use super::super::state::State;
use super::super::worker::FileKind;
use super::super::{Intent, View};
use crate::mapping::MAX_MAPPINGS;
use crate::mapping::presets::PRESETS;

pub fn show(ui: &mut egui::Ui, state: &mut State, view: &mut View, intents: &mut Vec<Intent>) {
    egui::Panel::left("mappings").resizable(true).default_size(250.0).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.heading("Mappings");
            ui.label(RichText::new(format!("{}/{MAX_MAPPINGS}", state.mappings.len())).weak());
        });
        ui.horizontal_wrapped(|ui| {
            ui.menu_button("Add mapping", |ui| {
                for preset in &PRESETS {
                    if ui.button(preset.name).on_hover_text(preset.summary).clicked() {
                        add(state, Some(preset));
                        ui.close();
                    }
                }
                ui.separator();
                if ui.button("Blank custom event").clicked() {
                    add(state, None);
                    ui.close();
                }
            });
            if ui.button("Import mapping").clicked() {
                intents.push(Intent::Open(FileKind::Mapping));
            }
        });
        ui.separator();
        let selected = state.saved.selected_mapping;
        let mut action = None;
        egui::ScrollArea::vertical().show(ui, |ui| {
            for i in 0..state.mappings.len() {
                let matched = state.preview.matched.contains(&i);
                ui.horizontal(|ui| {
                    let m = &mut state.mappings[i];
                    let mut enabled = m.enabled;
                    if ui
                        .checkbox(&mut enabled, "")
                        .on_hover_text("Enabled")
                        .accessible_name(format!("Enable {}", m.name))
                        .changed()
                    {
                        m.enabled = enabled;
                        action = Some(Action::Changed);
                    }
                    let marker = if matched { "●" } else { "○" };
                    let text = RichText::new(format!("{marker} {}", m.name));
                    let text = if m.enabled { text } else { text.weak() };
                    if ui
                        .selectable_label(selected == i, text)
                        .on_hover_text(if matched {
                            "matches the current event"
                        } else {
                            "does not match the current event"
                        })
                        .clicked()
                    {
                        action = Some(Action::Select(i));
                    }
                });
            }
        });
        ui.separator();
        if let Some(m) = state.mappings.get(selected) {
            ui.label(RichText::new(&m.name).strong());
            ui.horizontal_wrapped(|ui| {
                if ui.button("Edit").clicked() {
                    view.editing = Some(selected);
                }
                if ui.button("Rename").clicked() {
                    view.renaming = Some((selected, m.name.clone()));
                }
                if ui.button("Duplicate").clicked() {
                    action = Some(Action::Duplicate(selected));
                }
                if ui.button("Delete").clicked() {
                    action = Some(Action::Delete(selected));
                }
                if ui.button("Move up").clicked() {
                    action = Some(Action::Move(selected, true));
                }
                if ui.button("Move down").clicked() {
                    action = Some(Action::Move(selected, false));
                }
                if ui.button("Export mapping").clicked() {
                    intents.push(Intent::ExportMapping(selected));
                }
            });
        }
        if let Some((i, name)) = &mut view.renaming {
            let i = *i;
            ui.horizontal(|ui| {
                super::text_field(ui, "New name", name);
                if ui.button("OK").clicked() {
                    action = Some(Action::Rename(i, name.clone()));
                }
            });
        }
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            if ui.button("Import workspace").clicked() {
                intents.push(Intent::Open(FileKind::Workspace));
            }
            if ui.button("Export workspace").clicked() {
                intents.push(Intent::ExportWorkspace);
            }
        });
        match action {
            Some(Action::Select(i)) => state.saved.selected_mapping = i,
            Some(Action::Changed) => state.changed_mappings(),
            Some(Action::Duplicate(i)) => match state.duplicate_mapping(i) {
                Ok(j) => state.saved.selected_mapping = j,
                Err(e) => state.notice(true, e),
            },
            Some(Action::Delete(i)) => state.delete_mapping(i),
            Some(Action::Move(i, up)) => state.move_mapping(i, up),
            Some(Action::Rename(i, name)) => match state.rename_mapping(i, &name) {
                Ok(()) => view.renaming = None,
                Err(e) => state.notice(true, e),
            },
            None => {}
        }
    });
}

enum Action {
    Select(usize),
    Changed,
    Duplicate(usize),
    Delete(usize),
    Move(usize, bool),
    Rename(usize, String),
}

fn add(state: &mut State, preset: Option<&crate::mapping::presets::Preset>) {
    match state.add_mapping(preset) {
        Ok(i) => state.saved.selected_mapping = i,
        Err(e) => state.notice(true, e),
    }
}
