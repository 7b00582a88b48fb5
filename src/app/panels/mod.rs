//! One `show` function per part of the window; each draws state and pushes intents.

pub mod bottom;
pub mod composer;
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

/// One lint: level, field path, message and hint.
pub fn lint_row(ui: &mut egui::Ui, lint: &Lint) {
    ui.horizontal_wrapped(|ui| {
        let word = match lint.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        ui.label(RichText::new(word).color(level_color(ui, lint.level)).strong());
        ui.label(RichText::new(&lint.field).monospace());
        ui.label(&lint.message);
    });
    if let Some(hint) = &lint.hint {
        ui.label(RichText::new(format!("↳ {hint}")).weak());
    }
}
