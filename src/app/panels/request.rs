//! Request mode (centre, beside the Segment composer): a Reddit Conversions API request pasted
//! or opened as it is — a JSON body (v2.0 or v3, told apart by shape), a cURL command line or a
//! HAR — with what Reddit would answer (the core's verdict), the warnings and each identifier.
//! Everything shown is derived when the text changes ([`crate::app::state::RequestCheck`]).

use eframe::egui::{self, RichText};

use super::super::state::{SendTo, State};
use super::super::worker::FileKind;
use super::super::{Intent, View};
use crate::capture::IdentifierKind;
use crate::verdict::Api;

/// The request editor's id.
pub const EDITOR_ID: &str = "request-text";

pub fn show(ui: &mut egui::Ui, state: &mut State, view: &mut View, intents: &mut Vec<Intent>) {
    ui.horizontal_wrapped(|ui| {
        ui.heading("Reddit request");
        if ui
            .button("Open request…")
            .on_hover_text("A JSON body, a cURL command line or a .har file")
            .clicked()
        {
            intents.push(Intent::Open(FileKind::Request));
        }
        let found = &state.request.found;
        if found.len() > 1 {
            let labels: Vec<String> = found
                .iter()
                .map(|c| {
                    format!("{} {}", c.place.trim_start_matches("request: "), c.url.as_deref().unwrap_or(""))
                })
                .collect();
            let mut pick = state.request.shown;
            let l = ui.label("Request in the HAR");
            egui::ComboBox::from_id_salt("request-pick")
                .selected_text(labels.get(pick).map(String::as_str).unwrap_or_default())
                .width(320.0)
                .show_ui(ui, |ui| {
                    for (i, label) in labels.iter().enumerate() {
                        ui.selectable_value(&mut pick, i, label);
                    }
                })
                .response
                .labelled_by(l.id);
            if pick != state.request.shown {
                state.pick_request(pick);
            }
        }
    });
    status_line(ui, state);
    let height = (ui.available_height() * 0.45).max(80.0);
    egui::ScrollArea::vertical().id_salt("request-verdict-scroll").max_height(height).show(ui, |ui| {
        verdict(ui, state);
    });
    ui.separator();
    editor(ui, state, view);
}

/// One line, always there: where the input breaks, or what Reddit would answer.
fn status_line(ui: &mut egui::Ui, state: &State) {
    let r = &state.request;
    let (text, color) = match (&r.error, &r.checked) {
        (Some(e), _) => (format!("✖ {e}"), ui.visuals().error_fg_color),
        (None, Some(c)) => {
            let api = match c.api {
                Api::V2 => "v2.0",
                Api::V3 => "v3",
            };
            let test = if c.verdict.test { ", test" } else { ", not a test" };
            let (what, color) = if c.verdict.accepted() {
                ("Reddit would accept it", ui.visuals().text_color())
            } else {
                ("Reddit would refuse it", ui.visuals().error_fg_color)
            };
            let text = format!(
                "{} {api} (from {}), {} event(s){test}: {} — {what}",
                if c.verdict.accepted() { "✔" } else { "✖" },
                c.api_from,
                c.verdict.events,
                c.verdict.status
            );
            (text, color)
        }
        (None, None) => ("✖ no request".to_string(), ui.visuals().error_fg_color),
    };
    ui.add(egui::Label::new(RichText::new(text).color(color).strong()).wrap());
}

/// The reply, every refusal and warning with its field, each identifier, where Send goes.
fn verdict(ui: &mut egui::Ui, state: &State) {
    let Some(c) = &state.request.checked else { return };
    let row = |ui: &mut egui::Ui, word: &str, color: egui::Color32, path: &str, message: &str, rule: &str| {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(word).color(color).strong());
            ui.label(RichText::new(path).monospace());
            ui.label(message);
            if !rule.is_empty() {
                ui.label(RichText::new(format!("[{rule}]")).weak());
            }
        });
    };
    ui.label(RichText::new("reply").strong());
    ui.add(egui::Label::new(RichText::new(c.verdict.reply.to_string()).monospace()).wrap());
    let error = ui.visuals().error_fg_color;
    for p in &c.verdict.problems {
        row(ui, "refused", error, &p.path, &p.message, p.rule);
    }
    let warn = ui.visuals().warn_fg_color;
    for w in &c.verdict.warnings {
        row(ui, "warning", warn, &w.path, &w.message, w.rule);
    }
    for i in &c.identifiers {
        let color = match i.kind {
            IdentifierKind::Sha256 | IdentifierKind::Uuid => ui.visuals().text_color(),
            IdentifierKind::Unhashed | IdentifierKind::Blank => ui.visuals().weak_text_color(),
            IdentifierKind::RawPii | IdentifierKind::RdtUuidCookie | IdentifierKind::NotAUuid => warn,
        };
        row(ui, "id", color, &i.path, &i.note, "");
    }
    if c.identifiers.is_empty() {
        ui.label(RichText::new("no identifiers: Reddit has nothing to match this event on").weak());
    }
    // Where Send takes it, in words that tell the truth.
    let settings = state.request_settings(c);
    let url = match (&state.saved.target, &state.emulator_url) {
        (SendTo::Emulator, Some(base)) => {
            format!("Send → the local emulator (not Reddit): {}", settings.url(base))
        }
        (SendTo::Emulator, None) => "Send → the local emulator (not Reddit), once it has started".into(),
        (SendTo::Reddit, _) => format!(
            "Send → Reddit{}: {}",
            if c.verdict.test { " (test)" } else { " (production: counts in your campaigns)" },
            settings.url(crate::reddit::settings::REDDIT_API_BASE)
        ),
    };
    ui.label(RichText::new(url).weak());
    let captured = state.request.found.get(state.request.shown).and_then(|f| f.pixel.as_deref());
    if let Some(pixel) = captured.filter(|p| *p != settings.pixel_id.trim()) {
        ui.label(
            RichText::new(format!(
                "The URL names the pixel {pixel}; Send uses the Pixel ID in Settings ({}) and its token.",
                settings.pixel_id.trim()
            ))
            .color(warn),
        );
    }
}

/// The request's text, filling the rest of the panel.
fn editor(ui: &mut egui::Ui, state: &mut State, view: &mut View) {
    let mut text = std::mem::take(&mut state.saved.request_text);
    let size = ui.available_size();
    let changed = egui::ScrollArea::vertical()
        .id_salt("request-text-scroll")
        .auto_shrink(false)
        .show(ui, |ui| {
            let output = egui::TextEdit::multiline(&mut text)
                .id(egui::Id::unique(EDITOR_ID))
                .code_editor()
                .hint_text("Paste a Conversions API request: a JSON body, a cURL command line or a HAR")
                .desired_width(f32::INFINITY)
                .min_size(egui::vec2(ui.available_width(), size.y - 8.0))
                .show(ui);
            let response = output.response.response.accessible_name("Request text");
            view.rects.mark("Request text", response.rect);
            response.changed()
        })
        .inner;
    if changed {
        state.set_request_text(text);
    } else {
        state.saved.request_text = text;
    }
}
