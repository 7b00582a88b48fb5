//! The mappings list (left): add from a preset or blank, duplicate, rename, delete, enable,
//! reorder, edit; a marker shows which mappings match the current event.

use eframe::egui::{self, RichText};

use super::super::state::State;
use super::super::worker::FileKind;
use super::super::{Intent, View};
use crate::mapping::MAX_MAPPINGS;
use crate::mapping::presets::PRESETS;

pub fn show(
    ui: &mut egui::Ui,
    state: &mut State,
    view: &mut View,
    intents: &mut Vec<Intent>,
    width: egui::Rangef,
) {
    view.rects.mappings = egui::Panel::left("mappings")
        .resizable(true)
        .default_size(230.0)
        .size_range(width)
        .show(ui, |ui| {
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
            egui::ScrollArea::vertical()
                .id_salt("mapping-list")
                .max_height(ui.available_height() - 150.0)
                .show(ui, |ui| {
                    for (i, m) in state.mappings.iter_mut().enumerate() {
                        let matched = state.preview.matched.contains(&i);
                        ui.horizontal(|ui| {
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
                            let row = ui.selectable_label(selected == i, text);
                            view.rects.mark(format_args!("mapping:{}", m.name), row.rect);
                            if row
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
                    let edit = ui.button("Edit");
                    view.rects.mark("Edit", edit.rect);
                    if edit.clicked() {
                        view.editing = Some(m.name.clone());
                    }
                    if ui.button("Rename").clicked() {
                        view.renaming = Some((m.name.clone(), m.name.clone()));
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
                        intents.push(Intent::ExportMapping(m.name.clone()));
                    }
                });
            }
            if let Some((old, name)) = &mut view.renaming {
                let l = ui.label("New name");
                let field = ui
                    .add(
                        egui::TextEdit::singleline(name)
                            .id(egui::Id::unique("rename-field"))
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(l.id);
                // Enter confirms, as OK does (a single-line field lets go of focus on Enter).
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                ui.horizontal(|ui| {
                    if ui.button("OK").clicked() || enter {
                        action = Some(Action::Rename(old.clone(), name.clone()));
                    }
                    if ui.button("Cancel").clicked() {
                        action = Some(Action::CancelRename);
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
                Some(Action::Changed) => state.workspace_changed(),
                Some(Action::Duplicate(i)) => match state.duplicate_mapping(i) {
                    Ok(j) => state.saved.selected_mapping = j,
                    Err(e) => state.notice(true, e.to_string()),
                },
                Some(Action::Delete(i)) => state.delete_mapping(i),
                Some(Action::Move(i, up)) => state.move_mapping(i, up),
                Some(Action::Rename(old, name)) => match state.mapping_index(&old) {
                    Some(i) => match state.rename_mapping(i, &name) {
                        Ok(()) => {
                            let new = state.mappings.get(i).map_or_else(|| name.clone(), |m| m.name.clone());
                            if view.editing.as_deref() == Some(old.as_str()) {
                                view.editing = Some(new.clone());
                            }
                            if let Some(b) = view.builder.as_mut().filter(|b| b.mapping == old) {
                                b.mapping = new;
                            }
                            view.renaming = None;
                        }
                        Err(e) => state.notice(true, e.to_string()),
                    },
                    None => {
                        view.renaming = None;
                        state.notice(true, format!("{old:?} no longer exists: not renamed"));
                    }
                },
                Some(Action::CancelRename) => view.renaming = None,
                None => {}
            }
        })
        .response
        .rect;
}

enum Action {
    Select(usize),
    Changed,
    Duplicate(usize),
    Delete(usize),
    Move(usize, bool),
    /// Old name, new name.
    Rename(String, String),
    CancelRename,
}

fn add(state: &mut State, preset: Option<&crate::mapping::presets::Preset>) {
    match state.add_mapping(preset) {
        Ok(i) => state.saved.selected_mapping = i,
        Err(e) => state.notice(true, e.to_string()),
    }
}
