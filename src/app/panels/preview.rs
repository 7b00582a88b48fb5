//! The live preview (right): matched mappings, the exact request with copy buttons, the
//! identifiers (raw → normalized → SHA-256, the rules applied, profile disagreements), lints, the
//! attribution-signal meter; and a tab comparing v2.0 with v3 field by field.
//!
//! While the composer's JSON does not parse, the preview of the last valid event stays, marked
//! stale, so nothing jumps.

use eframe::egui::{self, RichText};

use super::super::state::{Mode, State};
use super::super::{Intent, View};
use crate::engine::Item;
use crate::reddit::signals::Signal;
use crate::reddit::wire::RedditEvent;

pub fn show(
    ui: &mut egui::Ui,
    state: &mut State,
    view: &mut View,
    intents: &mut Vec<Intent>,
    width: egui::Rangef,
) {
    view.rects.preview = egui::Panel::right("preview")
        .resizable(true)
        .default_size(width.min.max(width.max.min(520.0)))
        .size_range(width)
        .show(ui, |ui| {
            if state.saved.mode == Mode::Request {
                ui.heading("Preview");
                ui.label(
                    "Reddit request mode: the request in the composer goes out as it is; what Reddit would \
                     answer and its identifiers are under it. This preview of the Segment event returns \
                     when you switch back to Segment event.",
                );
                return;
            }
            ui.horizontal(|ui| {
                ui.heading("Preview");
                let mut compare = state.compare;
                let request = ui.selectable_value(&mut compare, false, "Request");
                view.rects.mark("Request", request.rect);
                let versions = ui.selectable_value(&mut compare, true, "Compare v2.0 ↔ v3");
                view.rects.mark("Compare v2.0 ↔ v3", versions.rect);
                if compare != state.compare {
                    state.compare = compare;
                    state.recompute();
                }
            });
            if state.preview.stale {
                ui.label(
                    RichText::new(
                        "⚠ Stale: the event JSON does not parse. This is the last valid event's request.",
                    )
                    .color(ui.visuals().warn_fg_color),
                );
            }
            for lint in &state.preview.destination {
                // Destination lints point at Settings, not at a quick field.
                let _ = super::lint_row(ui, lint);
                if ui.small_button("Open Settings").clicked() {
                    intents.push(Intent::OpenSettings);
                }
            }
            if let Some(problem) = &state.preview.problem {
                ui.label(RichText::new(problem).color(ui.visuals().error_fg_color));
            }
            let matched: Vec<&str> = state
                .preview
                .matched
                .iter()
                .filter_map(|&i| state.mappings.get(i))
                .map(|m| m.name.as_str())
                .collect();
            ui.label(if matched.is_empty() {
                "No enabled mapping matches this event.".to_string()
            } else {
                format!("Matches: {}", matched.join(", "))
            });
            ui.small(crate::mapping::release::body_reference(
                state.settings().profile,
                state.settings().api_version,
            ));
            let focus = if state.compare {
                comparison(ui, state, view);
                None
            } else {
                egui::ScrollArea::vertical()
                    .id_salt("preview-scroll")
                    .auto_shrink(false)
                    .show(ui, |ui| items(ui, &state.preview.items, &state.preview.pretty, intents))
                    .inner
            };
            if focus.is_some() {
                view.focus_field = focus;
            }
        })
        .response
        .rect;
}

/// One line of the comparison.
enum Line<'a> {
    Mapping(&'a str),
    Note(String, bool),
    Path(&'a crate::diff::Field),
    /// v3's name for the field, where it differs beyond v3's `data.` nesting.
    V3Path(&'a str),
    Value(&'static str, Option<&'a serde_json::Value>),
}

/// v2.0 and v3 side by side, field by field, per mapping: each field's path (named as in v2.0,
/// with v3's name where it differs), then its value in each version. One line a row, and only
/// the rows in view are laid out (a 500-product event has thousands).
fn comparison(ui: &mut egui::Ui, state: &State, view: &mut View) {
    ui.label(
        RichText::new(
            "⚠ No Segment release sends v3: the v3 side is what Reddit's v3 rules make of this mapping, \
             not what Segment would send.",
        )
        .color(ui.visuals().warn_fg_color),
    );
    ui.horizontal(|ui| {
        ui.label(RichText::new("The same event built for both API versions; ≠ marks a difference.").weak());
        ui.checkbox(&mut view.differences_only, "Differences only");
    });
    let mut lines = Vec::new();
    for c in &state.preview.comparison {
        lines.push(Line::Mapping(&c.mapping));
        match &c.fields {
            Err(why) => lines.push(Line::Note(why.clone(), true)),
            Ok(fields) => {
                let same = fields.iter().filter(|f| f.is_same()).count();
                lines.push(Line::Note(
                    format!("{} fields differ, {same} are the same", fields.len() - same),
                    false,
                ));
                for f in fields.iter().filter(|f| !(view.differences_only && f.is_same())) {
                    lines.push(Line::Path(f));
                    // v3 nests everything under `data`: only a name that differs beyond that is said.
                    if let Some(p) =
                        f.new_path.as_deref().filter(|p| p.strip_prefix("data.") != Some(f.path.as_str()))
                    {
                        lines.push(Line::V3Path(p));
                    }
                    lines.push(Line::Value("v2.0", f.old.as_ref()));
                    lines.push(Line::Value("v3  ", f.new.as_ref()));
                }
            }
        }
    }
    let row =
        ui.text_style_height(&egui::TextStyle::Monospace).max(ui.text_style_height(&egui::TextStyle::Body))
            + 2.0;
    egui::ScrollArea::vertical().id_salt("compare-scroll").auto_shrink(false).show_rows(
        ui,
        row,
        lines.len(),
        |ui, range| {
            for line in lines.get(range).unwrap_or_default() {
                let text = match line {
                    Line::Mapping(name) => RichText::new(*name).strong(),
                    Line::Note(note, true) => RichText::new(note).color(ui.visuals().warn_fg_color),
                    Line::Note(note, false) => RichText::new(note).weak(),
                    Line::Path(f) => {
                        let mark = if f.is_same() { "=" } else { "≠" };
                        RichText::new(format!("{mark} {}", f.path)).monospace().strong()
                    }
                    Line::V3Path(p) => RichText::new(format!("  in v3: {p}")).monospace(),
                    Line::Value(version, value) => {
                        let text = value.map_or_else(|| "—".to_string(), ToString::to_string);
                        RichText::new(format!("    {version} {text}")).monospace()
                    }
                };
                // Truncated to one line; the whole text shows on hover.
                let size = egui::vec2(ui.available_width(), row);
                ui.allocate_ui_with_layout(size, egui::Layout::left_to_right(egui::Align::Center), |ui| {
                    ui.add(egui::Label::new(text).truncate());
                });
            }
        },
    );
}

/// Draws the items; returns a quick field to focus when a lint's path was clicked.
fn items(
    ui: &mut egui::Ui,
    items: &[Item],
    pretty: &[String],
    intents: &mut Vec<Intent>,
) -> Option<&'static str> {
    let mut focus = None;
    for (n, item) in items.iter().enumerate() {
        match item {
            Item::Request { mapping, request, lints, identifiers, .. } => {
                ui.separator();
                ui.add(
                    egui::Label::new(
                        RichText::new(format!("{mapping} → {} {}", request.method, request.url)).strong(),
                    )
                    .wrap(),
                );
                if lints.is_empty() {
                    ui.label(RichText::new("No lints.").weak());
                } else {
                    for lint in lints {
                        focus = super::lint_row(ui, lint).or(focus);
                    }
                }
                if let Some(event) = request.body.events().first() {
                    signal_meter(ui, event);
                }
                if !identifiers.is_empty() {
                    egui::CollapsingHeader::new("Identifiers").id_salt(("ids", n)).default_open(true).show(
                        ui,
                        |ui| {
                            for id in identifiers {
                                identifier(ui, id, intents);
                            }
                        },
                    );
                }
                for (k, v) in &request.headers {
                    ui.add(egui::Label::new(RichText::new(format!("{k}: {v}")).monospace().weak()).wrap());
                }
                let body = pretty.get(n).map(String::as_str).unwrap_or_default();
                ui.horizontal(|ui| {
                    if ui.button("Copy body").clicked() {
                        intents.push(Intent::Copy { what: "the request body", text: body.to_string() });
                    }
                    if ui.button("Copy as cURL").clicked() {
                        intents.push(Intent::Copy {
                            what: "the request as cURL",
                            text: crate::net::curl::render(request),
                        });
                    }
                });
                egui::CollapsingHeader::new("Request body")
                    .id_salt(("body", n))
                    .default_open(true)
                    .show(ui, |ui| body_view(ui, body, ("body-lines", n)));
            }
            Item::Refused { mapping, error, .. } => {
                ui.separator();
                ui.label(
                    RichText::new(format!("{mapping}: refused — Segment would drop this event"))
                        .color(ui.visuals().error_fg_color),
                );
                let text = RichText::new(format!("{}: {}", error.field, error.message)).monospace();
                match super::quick_field_for(&error.field) {
                    Some(t) => {
                        if ui.link(text).on_hover_text(format!("Go to {t}")).clicked() {
                            focus = Some(t);
                        }
                    }
                    None => {
                        ui.label(text);
                    }
                }
            }
            Item::WebOnly { mapping, note, .. } => {
                ui.separator();
                ui.label(RichText::new(format!("{mapping}: web only")).weak());
                ui.label(RichText::new(*note).weak());
            }
            Item::Unmatched { .. } => {}
        }
    }
    focus
}

/// One identifier: raw → normalized → the full SHA-256 (selectable, copyable), the rules that
/// changed it as chips, and what the other profile would send. Each line wraps in the panel.
fn identifier(ui: &mut egui::Ui, id: &crate::reddit::build::Identifier, intents: &mut Vec<Intent>) {
    let h = &id.hashed;
    ui.add_space(4.0);
    ui.label(RichText::new(&id.path).monospace().strong());
    let line = |ui: &mut egui::Ui, name: &str, value: String| {
        ui.label(RichText::new(name).weak());
        ui.indent(name, |ui| mono(ui, value));
    };
    line(ui, "raw", format!("{:?}", h.input));
    line(ui, "normalized", format!("{:?}", h.normalized));
    let hash = if h.already_hashed {
        format!("{} (already hashed: sent unchanged)", h.hash)
    } else if h.hash.is_empty() {
        "\"\" (blank: not sent)".into()
    } else {
        h.hash.clone()
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("SHA-256").weak());
        if !h.hash.is_empty() && ui.small_button("Copy").on_hover_text("Copy the SHA-256").clicked() {
            intents.push(Intent::Copy { what: "the SHA-256", text: h.hash.clone() });
        }
    });
    ui.indent("sha256", |ui| mono(ui, hash));
    if !h.steps.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("rules").weak());
            for step in &h.steps {
                chip(ui, step);
            }
        });
    }
    if let Some(other) = &h.other_profile_hash {
        ui.label(
            RichText::new(format!("⚠ the {} profile sends:", h.profile.other()))
                .color(ui.visuals().warn_fg_color),
        );
        ui.indent("other-profile", |ui| mono(ui, other.clone()));
    }
}

/// Selectable monospace text that wraps anywhere (a 64-digit hash has no spaces to wrap at).
fn mono(ui: &mut egui::Ui, text: String) {
    let format = egui::TextFormat {
        font_id: egui::TextStyle::Monospace.resolve(ui.style()),
        color: ui.visuals().text_color(),
        ..Default::default()
    };
    let mut job = egui::text::LayoutJob::single_section(text, format);
    job.wrap.break_anywhere = true;
    ui.add(egui::Label::new(job).wrap().selectable(true));
}

/// A rule applied to a value: body size, strong text on a filled background.
fn chip(ui: &mut egui::Ui, text: &str) {
    let fill = ui.visuals().widgets.inactive.bg_fill;
    // Kept whole: a chip that does not fit the row moves to the next one.
    ui.add(
        egui::Label::new(
            RichText::new(format!(" {text} ")).color(ui.visuals().strong_text_color()).background_color(fill),
        )
        .extend(),
    );
}

/// A request body: one label when small; a scrolled, virtualised list of lines when large.
fn body_view(ui: &mut egui::Ui, body: &str, salt: impl std::hash::Hash + std::fmt::Debug) {
    if body.len() <= 16 * 1024 {
        ui.add(egui::Label::new(RichText::new(body).monospace()).selectable(true));
        return;
    }
    let lines: Vec<&str> = body.lines().collect();
    let row = ui.text_style_height(&egui::TextStyle::Monospace);
    egui::ScrollArea::both().id_salt(salt).max_height(420.0).show_rows(ui, row, lines.len(), |ui, range| {
        for line in lines.get(range).unwrap_or_default() {
            ui.label(RichText::new(*line).monospace());
        }
    });
}

/// How many of Reddit's matching signals the event carries.
fn signal_meter(ui: &mut egui::Ui, event: &RedditEvent) {
    let present: Vec<&str> =
        Signal::ALL.into_iter().filter(|s| s.in_event(event)).map(Signal::label).collect();
    let fraction = present.len() as f32 / Signal::ALL.len() as f32;
    // The bar carries the count; the names wrap below it (they never run past the bar).
    ui.add(egui::ProgressBar::new(fraction).text(format!(
        "attribution signals: {}/{}",
        present.len(),
        Signal::ALL.len()
    )));
    let names = if present.is_empty() { "none".to_string() } else { present.join(", ") };
    ui.add(egui::Label::new(RichText::new(names).weak()).wrap());
}
