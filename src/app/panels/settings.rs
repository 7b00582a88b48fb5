//! The settings window: destinations, pixel id, token (masked; kept in the OS keychain, for the
//! session, or in an opt-in 0600 file), test mode / test id, API version, profile, partner and partner version, user
//! agent, timeouts and proxy.

use eframe::egui::{self, RichText};

use super::super::state::{Destination, SendTo, State};
use super::super::{Intent, View};
use crate::identity::Profile;
use crate::reddit::ApiVersion;
use crate::secret::tokens::{Place, Source};

pub fn show(ctx: &egui::Context, state: &mut State, view: &mut View, intents: &mut Vec<Intent>) {
    let mut open = view.show_settings;
    egui::Window::new("Settings").open(&mut open).default_width(460.0).show(ctx, |ui| {
        let before = state.settings().clone();
        let before_network = state.saved.network.clone();
        egui::Grid::new("settings-grid").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
            let mut name = state.saved.destination().name.clone();
            if super::text_field(ui, "Destination name", &mut name).changed() && !name.trim().is_empty() {
                state.saved.destination_mut().name = name;
                state.dirty = true;
            }
            ui.end_row();
            let s = &mut state.saved.destination_mut().settings;
            let pixel = super::text_field(ui, "Pixel ID", &mut s.pixel_id);
            view.rects.mark("Pixel ID", pixel.rect);
            ui.end_row();
            token_rows(ui, state, view, intents);
            let s = &mut state.saved.destination_mut().settings;
            let l = ui.label("API version");
            egui::ComboBox::from_id_salt("settings-api-version")
                .selected_text(s.api_version.as_str())
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut s.api_version, ApiVersion::V2, "v2.0");
                    ui.selectable_value(&mut s.api_version, ApiVersion::V3, "v3");
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
            ui.label("");
            ui.checkbox(&mut s.test_mode, "Test mode (v2)");
            ui.end_row();
            let mut test_id = s.test_id.clone().unwrap_or_default();
            if super::text_field(ui, "Test ID (v3)", &mut test_id).changed() {
                s.test_id = Some(test_id).filter(|t| !t.trim().is_empty());
            }
            ui.end_row();
            let l2 = ui.label("Normalization profile");
            egui::ComboBox::from_id_salt("settings-profile")
                .selected_text(s.profile.as_str())
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut s.profile, Profile::Segment, "segment (what Segment sends)");
                    ui.selectable_value(&mut s.profile, Profile::Reddit, "reddit (Reddit's rules)");
                })
                .response
                .labelled_by(l2.id);
            ui.end_row();
            let mut partner = s.partner.clone().unwrap_or_default();
            if super::text_field(ui, "Partner", &mut partner).changed() {
                s.partner = Some(partner).filter(|p| !p.trim().is_empty());
            }
            ui.end_row();
            // Sent beside the partner, as Reddit's own sGTM template does ("2.0.0").
            let mut version = s.partner_version.clone().unwrap_or_default();
            if super::text_field(ui, "Partner version", &mut version).changed() {
                s.partner_version = Some(version).filter(|v| !v.trim().is_empty());
            }
            ui.end_row();
            let mut agent = s.user_agent.clone().unwrap_or_default();
            if super::text_field(ui, "User agent", &mut agent).changed() {
                s.user_agent = Some(agent).filter(|a| !a.trim().is_empty());
            }
            ui.end_row();
            let n = &mut state.saved.network;
            let l = ui.label("Connect timeout (s)");
            ui.add(egui::DragValue::new(&mut n.connect_timeout_secs).range(1..=120)).labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Request timeout (s)");
            ui.add(egui::DragValue::new(&mut n.timeout_secs).range(1..=300)).labelled_by(l.id);
            ui.end_row();
            super::text_field(ui, "Proxy URL", &mut n.proxy);
            ui.end_row();
        });
        ui.separator();
        ui.horizontal(|ui| {
            super::text_field(ui, "New destination", &mut view.new_destination);
            if ui.button("Add destination").clicked() && !view.new_destination.trim().is_empty() {
                let settings = state.settings().clone();
                state.saved.destinations.push(Destination {
                    name: view.new_destination.trim().to_string(),
                    settings: crate::reddit::Settings { test_id: None, ..settings },
                });
                state.saved.active = state.saved.destinations.len() - 1;
                view.new_destination.clear();
                state.workspace_changed();
            }
            if state.saved.destinations.len() > 1 && ui.button("Remove this destination").clicked() {
                state.saved.destinations.remove(state.saved.active);
                state.saved.active = 0;
                state.workspace_changed();
            }
        });
        if *state.settings() != before || state.saved.network != before_network {
            state.workspace_changed();
        }
    });
    view.show_settings = open;
}

/// The token field, where to keep it, and what is set now.
fn token_rows(ui: &mut egui::Ui, state: &State, view: &mut View, intents: &mut Vec<Intent>) {
    let l = ui.label("Conversion token");
    ui.horizontal(|ui| {
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut view.token_input)
                    .id(egui::Id::unique("token-input"))
                    .password(!view.reveal_token)
                    .desired_width(200.0),
            )
            .labelled_by(l.id);
        ui.checkbox(&mut view.reveal_token, "Reveal");
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Use token").clicked() || entered {
            intents.push(Intent::UseToken);
        }
    });
    ui.end_row();
    ui.label("Keep it");
    ui.horizontal(|ui| match &state.keychain {
        Some(Ok(())) => {
            ui.radio_value(&mut view.token_keep, Some(Place::Keychain), "in the OS keychain");
            ui.radio_value(&mut view.token_keep, None, "for this session only");
        }
        Some(Err(_)) => {
            ui.radio_value(&mut view.token_keep, None, "for this session only");
            ui.radio_value(&mut view.token_keep, Some(Place::File), "in a file only you can read (0600)");
        }
        None => {
            ui.spinner();
            ui.label("looking for the OS keychain…");
        }
    });
    ui.end_row();
    if let Some(Err(why)) = &state.keychain {
        ui.label("");
        ui.label(RichText::new(format!("No OS keychain: {why}")).weak());
        ui.end_row();
    }
    ui.label("");
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(match &state.token {
                Some((token, source)) => format!("token set ({token}), {}", source.describe()),
                None if state.saved.target == SendTo::Reddit => {
                    "no token: Reddit will refuse sends until one is set".into()
                }
                None => "no token (the local emulator needs none; Reddit does)".into(),
            })
            .weak(),
        );
        if state.token.as_ref().is_some_and(|(_, source)| *source != Source::Environment)
            && ui.button("Forget token").clicked()
        {
            intents.push(Intent::ForgetToken);
        }
    });
    ui.end_row();
}
