//! The event composer (centre): templates, "now" and new-messageId buttons, saved samples, quick
//! fields kept in sync with the JSON, and the JSON editor with colouring and the parse status.
//!
//! The layout keeps its shape whatever the text: while the JSON is invalid the quick fields stay
//! (disabled, showing the last valid event) and the editor keeps its place, id and focus.

use eframe::egui::{self, RichText};
use serde_json::Value;

use super::super::state::{Mode, Sample, State};
use super::super::worker::FileKind;
use super::super::{EventOffer, Intent, View};
use crate::segment::samples::{self, TEMPLATES};

/// Events larger than this are edited without colouring (the layout stays fast).
const HIGHLIGHT_LIMIT: usize = 32 * 1024;

/// The JSON editor's id.
pub const EDITOR_ID: &str = "composer-json";

/// Quick fields: label and path into the event.
pub const QUICK: [(&str, &[&str]); 9] = [
    ("Email", &["context", "traits", "email"]),
    ("Phone", &["context", "traits", "phone"]),
    ("IP", &["context", "ip"]),
    ("User agent", &["context", "userAgent"]),
    ("Click ID", &["integrations", "Reddit Conversions Api", "click_id"]),
    ("UUID", &["integrations", "Reddit Conversions Api", "uuid"]),
    ("userId", &["userId"]),
    ("messageId", &["messageId"]),
    ("Timestamp", &["timestamp"]),
];

/// The id of a quick field's text box.
pub fn quick_id(label: &str) -> egui::Id {
    egui::Id::unique(("quick-field", label))
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

/// A quick field's text for an event: strings as they are, other values as JSON.
fn quick_text(event: Option<&Value>, path: &[&str]) -> String {
    event
        .and_then(|e| get(e, path))
        .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
        .unwrap_or_default()
}

pub fn show(ui: &mut egui::Ui, state: &mut State, view: &mut View, intents: &mut Vec<Intent>) {
    view.rects.composer = egui::CentralPanel::default()
        .show(ui, |ui| {
            let mut mode = state.saved.mode;
            ui.horizontal(|ui| {
                ui.label("Compose");
                for (value, text) in [(Mode::Segment, "Segment event"), (Mode::Request, "Reddit request")] {
                    let r = ui.selectable_value(&mut mode, value, text);
                    view.rects.mark(text, r.rect);
                }
            });
            if mode != state.saved.mode {
                state.saved.mode = mode;
                state.dirty = true;
            }
            if mode == Mode::Request {
                super::request::show(ui, state, view, intents);
                return;
            }
            ui.horizontal_wrapped(|ui| {
                ui.heading("Event");
                let menu = ui.menu_button("Templates", |ui| {
                    for t in &TEMPLATES {
                        let item = ui.button(t.name);
                        view.rects.mark(format_args!("template:{}", t.name), item.rect);
                        if item.clicked() {
                            intents.push(Intent::ReplaceEvent(EventOffer {
                                text: serde_json::to_string_pretty(&t.event()).expect("JSON"),
                                from: format!("the template {}", t.name),
                            }));
                            ui.close();
                        }
                    }
                });
                view.rects.mark("Templates", menu.response.rect);
                let valid = state.event.is_ok();
                if ui
                    .add_enabled(valid, egui::Button::new("Now"))
                    .on_hover_text("Set timestamp to now")
                    .clicked()
                {
                    let now = crate::timestamp::format_rfc3339(crate::timestamp::now_millis());
                    state.set_event_string(&["timestamp"], Some(&now));
                }
                if ui.add_enabled(valid, egui::Button::new("New messageId")).clicked() {
                    state.set_event_string(&["messageId"], Some(&samples::new_message_id()));
                }
                if ui.button("Open sample…").clicked() {
                    intents.push(Intent::Open(FileKind::Sample));
                }
                if ui.button("Save sample as file…").clicked() {
                    intents.push(Intent::ExportSample);
                }
            });
            ui.horizontal_wrapped(|ui| {
                let mut chosen = None;
                ui.add_enabled_ui(!state.saved.samples.is_empty(), |ui| {
                    let l = ui.label("Samples");
                    egui::ComboBox::from_id_salt("samples")
                        .selected_text(match &view.sample_shown {
                            _ if state.saved.samples.is_empty() => "none kept yet",
                            Some(name) if !state.composer_edited => name.as_str(),
                            _ => "choose…",
                        })
                        .show_ui(ui, |ui| {
                            for (i, s) in state.saved.samples.iter().enumerate() {
                                if ui.selectable_label(false, &s.name).clicked() {
                                    chosen = Some(i);
                                }
                            }
                        })
                        .response
                        .labelled_by(l.id);
                });
                if let Some(s) = chosen.and_then(|i| state.saved.samples.get(i)) {
                    view.sample_shown = Some(s.name.clone());
                    intents.push(Intent::ReplaceEvent(EventOffer {
                        text: s.text.clone(),
                        from: format!("the sample {}", s.name),
                    }));
                }
                let l = ui.label("Sample name");
                ui.add(
                    egui::TextEdit::singleline(&mut view.sample_name)
                        .id(egui::Id::unique("sample-name"))
                        .desired_width(150.0),
                )
                .labelled_by(l.id);
                if ui.button("Keep in library").clicked() {
                    let name = view.sample_name.trim().to_string();
                    if name.is_empty() {
                        state.notice(true, "name the sample first (Sample name)");
                    } else {
                        state.saved.samples.retain(|s| s.name != name);
                        state
                            .saved
                            .samples
                            .push(Sample { name: name.clone(), text: state.saved.composer_text.clone() });
                        state.dirty = true;
                        state.notice(false, format!("kept {name:?} in the sample library"));
                    }
                }
            });
            quick_fields(ui, state, view);
            status_line(ui, state);
            json_editor(ui, state, &mut view.rects);
        })
        .response
        .rect;
}

/// The quick fields, two to a row. They stay while the JSON is invalid (disabled, showing the
/// last valid event), so the layout below them never moves.
fn quick_fields(ui: &mut egui::Ui, state: &mut State, view: &mut View) {
    egui::CollapsingHeader::new("Quick fields").id_salt("quick-fields").default_open(true).show(ui, |ui| {
        let valid = state.event.is_ok();
        // Each field's text, read from the last valid event (no copy of the event per frame).
        let event = state.last_event.as_ref().map(|e| e.value());
        let models: Vec<String> = QUICK.iter().map(|(_, path)| quick_text(event, path)).collect();
        let mut edit = None;
        // Rows of two where the panel is wide enough for an email address in each field, one
        // otherwise; fixed-width labels, the rest to the fields.
        const LABEL: f32 = 76.0;
        let spacing = ui.spacing().item_spacing.x;
        let per_row = if ui.available_width() >= 2.0 * (LABEL + 240.0 + 2.0 * spacing) { 2 } else { 1 };
        let width =
            ((ui.available_width() - per_row as f32 * (LABEL + 2.0 * spacing)) / per_row as f32).max(100.0);
        let height = ui.spacing().interact_size.y;
        ui.add_enabled_ui(valid, |ui| {
            for (pair, texts) in QUICK.chunks(per_row).zip(models.chunks(per_row)) {
                ui.horizontal(|ui| {
                    for ((label, path), model) in pair.iter().zip(texts) {
                        let l = ui.add_sized([LABEL, height], egui::Label::new(*label));
                        let id = quick_id(label);
                        let edited = view.buffers.edit_text(ui, id, model, |text, id| {
                            egui::TextEdit::singleline(text).id(id).desired_width(width)
                        });
                        view.rects.mark(label, edited.response.rect);
                        let _ = edited.response.labelled_by(l.id);
                        if let Some(text) = edited.commit {
                            edit = Some((*path, (!text.is_empty()).then_some(text)));
                        }
                    }
                });
            }
        });
        if let Some(label) = view.focus_field.take() {
            ui.memory_mut(|m| m.request_focus(quick_id(label)));
        }
        if let Some((path, value)) = edit {
            state.set_event_string(path, value.as_deref());
        }
    });
}

/// One line, always there: valid, or where the JSON breaks.
fn status_line(ui: &mut egui::Ui, state: &State) {
    let (text, color) = match &state.event {
        Ok(_) => ("✔ valid Segment event".to_string(), ui.visuals().weak_text_color()),
        Err(e) => (
            format!(
                "✖ line {}, column {}: {} — the preview shows the last valid event",
                e.line, e.column, e.message
            ),
            ui.visuals().error_fg_color,
        ),
    };
    ui.add(egui::Label::new(RichText::new(text).color(color)).truncate());
}

/// How many digits the largest line number of `text` has (at least 3): lines are counted when
/// the text changes (`generation`), not every frame.
fn gutter_digits(ui: &egui::Ui, text: &str, generation: u64) -> usize {
    let id = egui::Id::unique("composer-line-digits");
    if let Some((counted, digits)) = ui.data(|d| d.get_temp::<(u64, usize)>(id))
        && counted == generation
    {
        return digits;
    }
    let digits = (text.bytes().filter(|b| *b == b'\n').count() + 1).max(99).ilog10() as usize + 1;
    ui.data_mut(|d| d.insert_temp(id, (generation, digits)));
    digits
}

/// Numbers each line of the editor's text (wrapped rows carry none) right-aligned at `right`,
/// painting only the rows in view.
fn paint_line_numbers(
    ui: &egui::Ui,
    output: &egui::text_edit::TextEditOutput,
    right: f32,
    font: &egui::FontId,
) {
    let clip = ui.clip_rect();
    let color = ui.visuals().weak_text_color();
    let mut line = 1;
    let mut starts_line = true;
    for row in &output.galley.rows {
        let rect = row.rect().translate(output.galley_pos.to_vec2());
        if starts_line && rect.bottom() >= clip.top() && rect.top() <= clip.bottom() {
            ui.painter().text(
                egui::pos2(right, rect.top()),
                egui::Align2::RIGHT_TOP,
                line,
                font.clone(),
                color,
            );
        }
        if row.ends_with_newline {
            line += 1;
        }
        starts_line = row.ends_with_newline;
        if rect.top() > clip.bottom() {
            break;
        }
    }
}

/// The JSON editor, filling the rest of the panel. Edits the text in place (no per-frame copy).
fn json_editor(ui: &mut egui::Ui, state: &mut State, rects: &mut super::super::PanelRects) {
    let mut text = std::mem::take(&mut state.saved.composer_text);
    let highlight = text.len() <= HIGHLIGHT_LIMIT;
    let mut layouter = |ui: &egui::Ui, buf: &dyn egui::TextBuffer, wrap_width: f32| {
        let theme = egui_extras::syntax_highlighting::CodeTheme::from_memory(ui.ctx(), ui.style());
        let mut job =
            egui_extras::syntax_highlighting::highlight(ui.ctx(), ui.style(), &theme, buf.as_str(), "json");
        job.wrap.max_width = wrap_width;
        ui.fonts_mut(|f| f.layout_job(job))
    };
    let size = ui.available_size();
    let changed = egui::ScrollArea::vertical()
        .id_salt("event-json-scroll")
        .auto_shrink(false)
        .show(ui, |ui| {
            ui.horizontal_top(|ui| {
                // A gutter of line numbers: parse errors cite line and column.
                let font = egui::TextStyle::Monospace.resolve(ui.style());
                let digits = gutter_digits(ui, &text, state.event_generation);
                let gutter = ui.fonts_mut(|f| f.glyph_width(&font, '0')) * digits as f32 + 6.0;
                let (gutter, _) = ui.allocate_exact_size(egui::vec2(gutter, 0.0), egui::Sense::hover());
                ui.spacing_mut().item_spacing.x = 2.0;
                let editor = egui::TextEdit::multiline(&mut text)
                    .id(egui::Id::unique(EDITOR_ID))
                    .code_editor()
                    .desired_width(f32::INFINITY)
                    .min_size(egui::vec2(ui.available_width(), size.y - 8.0));
                let editor = if highlight { editor.layouter(&mut layouter) } else { editor };
                let output = editor.show(ui);
                paint_line_numbers(ui, &output, gutter.right() - 2.0, &font);
                let response = output.response.response.accessible_name("Event JSON");
                rects.mark("Event JSON", response.rect);
                response.changed()
            })
            .inner
        })
        .inner;
    if changed {
        state.set_event_text(text);
    } else {
        state.saved.composer_text = text;
    }
}
