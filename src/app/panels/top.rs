//! The top bar: destination, API version, endpoint (each label before its control), the badge
//! naming where Send goes (LOCAL EMULATOR / REDDIT TEST / REDDIT PRODUCTION), Send; below it one
//! status line (the newest message) with the message log behind it.

use eframe::egui::{self, Color32, RichText};

use super::super::state::{Mode, SendTo, State};
use super::super::{Intent, View};
use crate::reddit::ApiVersion;

/// The badge for where Send goes now: its text and colour.
pub fn badge(state: &State) -> (&'static str, Color32) {
    match (state.saved.target, state.send_is_test()) {
        (SendTo::Emulator, _) => ("LOCAL EMULATOR", Color32::from_rgb(0x37, 0x47, 0x8f)),
        (SendTo::Reddit, true) => ("REDDIT TEST", Color32::from_rgb(0x2e, 0x7d, 0x32)),
        (SendTo::Reddit, false) => ("REDDIT PRODUCTION", Color32::from_rgb(0xc6, 0x28, 0x28)),
    }
}

pub fn show(ui: &mut egui::Ui, state: &mut State, view: &mut View, intents: &mut Vec<Intent>) {
    view.rects.top = egui::Panel::top("top")
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.heading("Reddit CAPI Console");
                ui.separator();
                let names: Vec<String> = state.saved.destinations.iter().map(|d| d.name.clone()).collect();
                let mut active = state.saved.active;
                let l = ui.label("Destination");
                egui::ComboBox::from_id_salt("destination")
                    .selected_text(names.get(active).map(String::as_str).unwrap_or_default())
                    .show_ui(ui, |ui| {
                        for (i, name) in names.iter().enumerate() {
                            ui.selectable_value(&mut active, i, name);
                        }
                    })
                    .response
                    .labelled_by(l.id);
                if active != state.saved.active {
                    state.saved.active = active;
                    state.workspace_changed();
                }
                let mut version = state.settings().api_version;
                let l = ui.label("API");
                egui::ComboBox::from_id_salt("api-version")
                    .selected_text(version.as_str())
                    .width(60.0)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut version, ApiVersion::V2, "v2.0");
                        ui.selectable_value(&mut version, ApiVersion::V3, "v3");
                    })
                    .response
                    .labelled_by(l.id);
                if version != state.settings().api_version {
                    state.settings_mut().api_version = version;
                    state.workspace_changed();
                }
                let mut target = state.saved.target;
                let l = ui.label("Endpoint");
                egui::ComboBox::from_id_salt("endpoint")
                    .selected_text(match target {
                        SendTo::Emulator => "Local emulator",
                        SendTo::Reddit => "Reddit",
                    })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut target, SendTo::Emulator, "Local emulator");
                        ui.selectable_value(&mut target, SendTo::Reddit, "Reddit");
                    })
                    .response
                    .labelled_by(l.id);
                if target != state.saved.target {
                    state.saved.target = target;
                    state.workspace_changed();
                }
                let (text, fill) = badge(state);
                ui.label(
                    RichText::new(format!(" {text} ")).strong().color(Color32::WHITE).background_color(fill),
                )
                .on_hover_text(match state.saved.target {
                    SendTo::Emulator => {
                        "Sends go to the emulator built into this app; nothing reaches Reddit."
                    }
                    SendTo::Reddit if state.send_is_test() => "Sends go to Reddit in test mode.",
                    SendTo::Reddit => "Sends go to Reddit and count in your campaigns.",
                });
                if state.sending {
                    ui.spinner();
                    if ui.button("Cancel").clicked() {
                        intents.push(Intent::Cancel);
                    }
                } else {
                    let send = egui::Button::new(RichText::new("Send").strong())
                        .shortcut_text(ui.ctx().format_shortcut(&super::super::SEND));
                    let response = ui.add_enabled(state.can_send(), send);
                    view.rects.mark("Send", response.rect);
                    let response = match state.preview.destination.first() {
                        Some(lint) => {
                            response.on_disabled_hover_text(format!("{}: {}", lint.field, lint.message))
                        }
                        None => match state.request.sendable() {
                            Err(why) if state.saved.mode == Mode::Request => {
                                response.on_disabled_hover_text(why)
                            }
                            _ => {
                                response.on_disabled_hover_text("No mapping builds a request without errors")
                            }
                        },
                    };
                    if response.clicked() {
                        intents.push(Intent::Send);
                    }
                }
                let segment =
                    ui.button("Segment").on_hover_text("Import from or export to Segment's Public API");
                view.rects.mark("Segment", segment.rect);
                if segment.clicked() {
                    view.segment.open = true;
                }
                let corpus =
                    ui.button("Corpus").on_hover_text("A whole file of events at once: a coverage report");
                view.rects.mark("Corpus", corpus.rect);
                if corpus.clicked() {
                    view.corpus.open = true;
                }
                let about = ui.button("About").on_hover_text("Version, Segment release, data directory");
                view.rects.mark("About", about.rect);
                if about.clicked() {
                    view.show_about = true;
                }
                let settings = ui.button("Settings");
                view.rects.mark("Settings", settings.rect);
                if settings.clicked() {
                    view.show_settings = true;
                }
                let endpoint = match (&state.saved.target, &state.emulator_url) {
                    (SendTo::Emulator, Some(url)) => format!("→ local emulator {url}"),
                    (SendTo::Emulator, None) => "→ starting the local emulator…".into(),
                    (SendTo::Reddit, _) => "→ ads-api.reddit.com".into(),
                };
                ui.label(RichText::new(endpoint).weak());
            });
            status_line(ui, state, view);
        })
        .response
        .rect;
}

/// The newest message (dismissible), and the log of all of them.
fn status_line(ui: &mut egui::Ui, state: &mut State, view: &mut View) {
    ui.horizontal(|ui| {
        let log = format!("Messages ({})", state.notices.len());
        if ui.small_button(log).on_hover_text("Every message of this session").clicked() {
            view.show_log = !view.show_log;
        }
        match state.status() {
            Some(notice) => {
                let color =
                    if notice.error { ui.visuals().error_fg_color } else { ui.visuals().text_color() };
                let text = notice.text.clone();
                if ui.small_button("Dismiss").clicked() {
                    state.notices_seen = state.notices.len();
                }
                ui.add(egui::Label::new(RichText::new(text).color(color)).truncate());
            }
            None => {
                ui.label(RichText::new("Ready.").weak());
            }
        }
    });
}
