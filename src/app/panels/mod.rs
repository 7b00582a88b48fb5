//! One `show` function per part of the window; each draws state and pushes intents.

pub mod bottom;
pub mod composer;
pub mod corpus;
pub mod mapping_editor;
pub mod mappings;
pub mod preview;
pub mod settings;
pub mod top;

use eframe::egui::{self, Color32, RichText};

use crate::reddit::{Level, Lint};

/// A labelled single-line text field whose accessible name is the label.
pub fn text_field(ui: &mut egui::Ui, label: &str, value: &mut String) -> egui::Response {
    let l = ui.label(label);
    ui.add(egui::TextEdit::singleline(value).desired_width(260.0)).labelled_by(l.id)
}

/// Colour of a lint level.
pub fn level_color(ui: &egui::Ui, level: Level) -> Color32 {
    match level {
        Level::Error => ui.visuals().error_fg_color,
        Level::Warning => ui.visuals().warn_fg_color,
    }
}

/// The composer's quick field that feeds a request field, if any (for "click a lint to go there").
pub fn quick_field_for(path: &str) -> Option<&'static str> {
    let field = path.split_once("].").map_or(path, |(_, rest)| rest);
    Some(match field {
        "user.email" => "Email",
        "user.phone_number" => "Phone",
        "user.ip_address" => "IP",
        "user.user_agent" => "User agent",
        "click_id" => "Click ID",
        "user.uuid" => "UUID",
        "user.external_id" => "userId",
        "event_metadata.conversion_id" | "metadata.conversion_id" => "messageId",
        "event_at" => "Timestamp",
        _ => return None,
    })
}

/// One lint: level, field path (a link to the quick field that feeds it), message and hint.
/// Returns the quick field to focus when the path was clicked.
pub fn lint_row(ui: &mut egui::Ui, lint: &Lint) -> Option<&'static str> {
    let mut focus = None;
    ui.horizontal_wrapped(|ui| {
        let word = match lint.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        ui.label(RichText::new(word).color(level_color(ui, lint.level)).strong());
        match quick_field_for(&lint.field) {
            Some(target) => {
                if ui
                    .link(RichText::new(&lint.field).monospace())
                    .on_hover_text(format!("Go to {target}"))
                    .clicked()
                {
                    focus = Some(target);
                }
            }
            None => {
                ui.label(RichText::new(&lint.field).monospace());
            }
        }
        ui.label(&lint.message);
    });
    if let Some(hint) = &lint.hint {
        ui.label(RichText::new(format!("↳ {hint}")).weak());
    }
    focus
}
