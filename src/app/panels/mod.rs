//! One `show` function per part of the window; each draws state and pushes intents.

pub mod bottom;
pub mod composer;
pub mod corpus;
pub mod mapping_editor;
pub mod mappings;
pub mod preview;
pub mod request;
pub mod segment;
pub mod settings;
pub mod top;

use eframe::egui::{self, Color32, RichText};

use crate::reddit::{Level, Lint};

/// The side panels' size ranges for a window width: whatever sizes were stored, the composer
/// between them keeps at least [`Layout::MIN_COMPOSER`] points.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub mappings: egui::Rangef,
    pub preview: egui::Rangef,
}

impl Layout {
    pub const MIN_COMPOSER: f32 = 360.0;
    const MIN_MAPPINGS: f32 = 170.0;
    const MIN_PREVIEW: f32 = 300.0;

    pub fn for_width(width: f32) -> Layout {
        let mappings_max = (width * 0.25).max(Self::MIN_MAPPINGS);
        let preview_max = (width - mappings_max - Self::MIN_COMPOSER).max(Self::MIN_PREVIEW);
        Layout {
            mappings: egui::Rangef::new(Self::MIN_MAPPINGS, mappings_max),
            preview: egui::Rangef::new(Self::MIN_PREVIEW, preview_max),
        }
    }
}

/// Draws a grip on each splitter the user can drag (panel edges are otherwise a hairline).
pub fn paint_grips(ui: &egui::Ui, view: &super::View) {
    let r = &view.rects;
    let color = ui.visuals().widgets.inactive.fg_stroke.color.gamma_multiply(0.6);
    let painter = ui.painter();
    let vertical = |x: f32, rect: egui::Rect| {
        let y = rect.center().y;
        egui::Rect::from_center_size(egui::pos2(x, y), egui::vec2(4.0, 40.0))
    };
    let mut grips = vec![vertical(r.mappings.right(), r.mappings), vertical(r.preview.left(), r.preview)];
    if view.bottom_open && view.bottom != super::BottomTab::Response {
        grips.push(egui::Rect::from_center_size(
            egui::pos2(r.bottom.center().x, r.bottom.top()),
            egui::vec2(40.0, 4.0),
        ));
    }
    for grip in grips {
        if grip.is_finite() {
            painter.rect_filled(grip, 2.0, color);
        }
    }
}

/// A labelled single-line text field whose accessible name is the label; its id comes from the
/// label (stable wherever the layout puts it).
pub fn text_field(ui: &mut egui::Ui, label: &str, value: &mut String) -> egui::Response {
    let l = ui.label(label);
    ui.add(egui::TextEdit::singleline(value).id(egui::Id::unique(("text-field", label))).desired_width(240.0))
        .labelled_by(l.id)
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
