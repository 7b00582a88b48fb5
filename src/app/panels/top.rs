//! The top bar: destination, API version, endpoint, the TEST / PRODUCTION badge, Send.

use eframe::egui::{self, Color32, RichText};

use super::super::state::{State, Target};
use super::super::{Intent, View};
use crate::reddit::ApiVersion;

pub fn show(ui: &mut egui::Ui, state: &mut State, view: &mut View, intents: &mut Vec<Intent>) {
    egui::Panel::top("top").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.heading("Reddit CAPI Console");
            ui.separator();
            let names: Vec<String> = state.saved.destinations.iter().map(|d| d.name.clone()).collect();
            let mut active = state.saved.active;
            egui::ComboBox::from_label("Destination").selected_text(&names[active]).show_ui(ui, |ui| {
                for (i, name) in names.iter().enumerate() {
                    ui.selectable_value(&mut active, i, name);
                }
            });
            if active != state.saved.active {
                state.saved.active = active;
                state.changed_mappings();
            }
            let mut version = state.settings().api_version;
            egui::ComboBox::from_label("API").selected_text(version.as_str()).show_ui(ui, |ui| {
                ui.selectable_value(&mut version, ApiVersion::V2, "v2.0");
                ui.selectable_value(&mut version, ApiVersion::V3, "v3");
            });
            if version != state.settings().api_version {
                state.settings_mut().api_version = version;
                state.changed_mappings();
            }
            let mut target = state.saved.target;
            egui::ComboBox::from_label("Endpoint")
                .selected_text(match target {
                    Target::Emulator => "Local emulator",
                    Target::Reddit => "Reddit",
                })
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut target, Target::Emulator, "Local emulator");
                    ui.selectable_value(&mut target, Target::Reddit, "Reddit");
                });
            if target != state.saved.target {
                state.saved.target = target;
                state.changed_mappings();
            }
            let (text, fill) = if state.settings().is_test() {
                ("TEST", Color32::from_rgb(0x2e, 0x7d, 0x32))
            } else {
                ("PRODUCTION", Color32::from_rgb(0xc6, 0x28, 0x28))
            };
            ui.label(
                RichText::new(format!(" {text} "))
                    .strong()
                    .size(18.0)
                    .color(Color32::WHITE)
                    .background_color(fill),
            );
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Settings").clicked() {
                    view.show_settings = true;
                }
                if ui
                    .button("Corpus")
                    .on_hover_text("A whole file of events at once: a coverage report")
                    .clicked()
                {
                    view.corpus.open = true;
                }
                if state.sending {
                    if ui.button("Cancel").clicked() {
                        intents.push(Intent::Cancel);
                    }
                    ui.spinner();
                } else {
                    let send = egui::Button::new(RichText::new("Send").strong())
                        .shortcut_text(ui.ctx().format_shortcut(&super::super::SEND));
                    let enabled = !state.sendable().is_empty();
                    if ui.add_enabled(enabled, send).clicked() {
                        intents.push(Intent::Send);
                    }
                }
                let endpoint = match (&state.saved.target, &state.emulator_url) {
                    (Target::Emulator, Some(url)) => format!("→ {url}"),
                    (Target::Emulator, None) => "→ starting the local emulator…".into(),
                    (Target::Reddit, _) => "→ ads-api.reddit.com".into(),
                };
                ui.label(RichText::new(endpoint).weak());
            });
        });
        for notice in &state.notices {
            let color = if notice.error { ui.visuals().error_fg_color } else { ui.visuals().text_color() };
            ui.label(RichText::new(&notice.text).color(color));
        }
        if !state.notices.is_empty() && ui.small_button("Dismiss messages").clicked() {
            state.notices.clear();
        }
    });
}
