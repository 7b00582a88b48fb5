//! The bottom panel: the last response, the history (virtualised, searchable, with a diff by
//! field against the previous send of the same sample, cURL, and for Reddit sends a "seen in
//! Events Manager" tick), and the local emulator's received events. Its tab bar always shows;
//! the contents collapse.

use eframe::egui::{self, RichText};

use super::super::state::{SendTo, State};
use super::super::{BottomTab, Intent, View};

/// Reddit Ads' Events Manager.
pub const EVENTS_MANAGER_URL: &str = "https://ads.reddit.com/events-manager";

/// Whether a history entry went to Reddit (only those can be seen in Events Manager).
fn to_reddit(endpoint: &str) -> bool {
    endpoint == "reddit"
}

pub fn show(ui: &mut egui::Ui, state: &mut State, view: &mut View, intents: &mut Vec<Intent>) {
    let height = ui.available_height();
    let panel = match (view.bottom_open, view.bottom) {
        (false, _) => egui::Panel::bottom("bottom-closed").resizable(false),
        // The response sizes to its content.
        (true, BottomTab::Response) => egui::Panel::bottom("bottom-response").resizable(false),
        (true, _) => egui::Panel::bottom("bottom-lists")
            .resizable(true)
            .default_size(260.0)
            .size_range(egui::Rangef::new(140.0, (height * 0.6).max(160.0))),
    };
    view.rects.bottom = panel
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                let arrow = if view.bottom_open { "▾" } else { "▸" };
                if ui
                    .small_button(arrow)
                    .on_hover_text(if view.bottom_open { "Collapse this panel" } else { "Expand this panel" })
                    .clicked()
                {
                    view.bottom_open = !view.bottom_open;
                }
                let tabs = [
                    (BottomTab::Response, "Last response".to_string()),
                    (BottomTab::History, format!("History ({})", state.history.len())),
                    (
                        BottomTab::LocalEvents,
                        format!("Local emulator events ({})", state.emulator_events.len()),
                    ),
                ];
                for (tab, label) in tabs {
                    let response = ui.selectable_label(view.bottom_open && view.bottom == tab, label);
                    view.rects.mark(format_args!("tab:{tab:?}"), response.rect);
                    if response.clicked() {
                        view.bottom = tab;
                        view.bottom_open = true;
                    }
                }
                if state.saved.target == SendTo::Reddit {
                    ui.hyperlink_to("Reddit's Events Manager ↗", EVENTS_MANAGER_URL);
                }
            });
            if !view.bottom_open {
                return;
            }
            ui.separator();
            match view.bottom {
                BottomTab::Response => response(ui, state),
                BottomTab::History => history(ui, state, view, intents),
                BottomTab::LocalEvents => local_events(ui, state, intents),
            }
        })
        .response
        .rect;
}

fn response(ui: &mut egui::Ui, state: &State) {
    let Some(last) = &state.last_send else {
        let text = match (state.sending, state.saved.target) {
            (true, SendTo::Emulator) => "Sending to the local emulator…",
            (true, SendTo::Reddit) => "Sending to Reddit…",
            (false, _) => "Nothing sent yet. Press Send (Ctrl+Enter).",
        };
        ui.label(text);
        return;
    };
    let duplicates = last.duplicates.as_deref().unwrap_or_default();
    egui::ScrollArea::vertical().id_salt("response").max_height(220.0).show(ui, |ui| {
        for (k, sent) in last.results.iter().enumerate() {
            let o = &sent.outcome;
            let color = if sent.accepted() { ui.visuals().text_color() } else { ui.visuals().error_fg_color };
            let status = o.status.map(|s| format!("HTTP {s} ")).unwrap_or_default();
            ui.label(RichText::new(format!("{}: {status}{}", sent.mapping, o.message)).strong().color(color));
            ui.label(&o.explanation);
            for f in &o.field_errors {
                ui.label(
                    RichText::new(format!("{}: {}", f.field, f.message))
                        .monospace()
                        .color(ui.visuals().error_fg_color),
                );
            }
            if let Some(Some(at)) = duplicates.get(k).filter(|_| sent.accepted()) {
                ui.label(
                    RichText::new(format!(
                        "⚠ Reddit would drop this as a duplicate of the send at {at}: same conversion_id and event \
                         type within 2 days. Press New messageId to send it as a new conversion."
                    ))
                    .color(ui.visuals().warn_fg_color),
                );
            }
            if sent.attempts.len() > 1 {
                ui.label(RichText::new(format!("{} attempts", sent.attempts.len())).weak());
            }
        }
    });
}

fn history(ui: &mut egui::Ui, state: &mut State, view: &mut View, intents: &mut Vec<Intent>) {
    ui.horizontal(|ui| {
        let l = ui.label("Search history");
        let search = ui
            .add(
                egui::TextEdit::singleline(&mut state.history_filter)
                    .id(egui::Id::unique("history-search"))
                    .desired_width(240.0),
            )
            .labelled_by(l.id);
        if view.focus_search {
            search.request_focus();
            view.focus_search = false;
        }
    });
    state.refresh_history_view();
    // The list and the detail, split by a divider the user can drag.
    egui::Panel::left("history-list")
        .resizable(true)
        .default_size(ui.available_width() * 0.4)
        .size_range(egui::Rangef::new(220.0, (ui.available_width() - 320.0).max(240.0)))
        .show(ui, |ui| {
            let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
            let (rows, labels) = (&state.history_view.rows, &state.history_view.labels);
            let mut clicked = None;
            egui::ScrollArea::vertical().id_salt("history-list").auto_shrink(false).show_rows(
                ui,
                row_height,
                rows.len(),
                |ui, range| {
                    for (&i, label) in rows
                        .get(range.clone())
                        .unwrap_or_default()
                        .iter()
                        .zip(labels.get(range).unwrap_or_default())
                    {
                        let seen = state
                            .history
                            .get(i)
                            .is_some_and(|e| to_reddit(&e.endpoint) && state.saved.seen.contains(&e.send_id));
                        let text =
                            if seen { RichText::new(format!("✔ {label}")) } else { RichText::new(label) };
                        let row = ui.selectable_label(state.selected_history == Some(i), text);
                        if rows.first() == Some(&i) {
                            view.rects.mark("history:newest", row.rect);
                        }
                        if row.clicked() {
                            clicked = Some(i);
                        }
                    }
                },
            );
            if clicked.is_some() {
                state.selected_history = clicked;
            }
        });
    egui::CentralPanel::default().show(ui, |ui| detail(ui, state, intents));
}

/// The selected history entry: what happened, the response, and the request body, compared by
/// field with the previous send of the same sample.
fn detail(ui: &mut egui::Ui, state: &mut State, intents: &mut Vec<Intent>) {
    let Some((i, e)) = state.selected_history.and_then(|i| Some((i, state.history.get(i)?))) else {
        ui.label("Select a send to see it.");
        return;
    };
    let mut seen_changed = None;
    ui.horizontal(|ui| {
        if to_reddit(&e.endpoint) {
            let mut seen = state.saved.seen.contains(&e.send_id);
            if ui.checkbox(&mut seen, "Seen in Events Manager").changed() {
                seen_changed = Some(seen);
            }
        } else {
            ui.label(RichText::new("Sent to the local emulator: it never reaches Events Manager.").weak());
        }
        let whole = e.request.abridged.is_none();
        let copy = ui.add_enabled(whole, egui::Button::new("Copy as cURL"));
        if copy.on_disabled_hover_text("history keeps only the first event of this batch").clicked() {
            intents.push(Intent::Copy { what: "the request as cURL", text: curl_of(&e.request) });
        }
    });
    if let Some(a) = &e.request.abridged {
        ui.label(
            RichText::new(format!(
                "Body abridged: the first of {} events is kept ({} KB sent, SHA-256 {}).",
                a.events,
                a.bytes.div_ceil(1024),
                a.sha256
            ))
            .weak(),
        );
    }
    ui.add(
        egui::Label::new(format!(
            "{} · {} · {} · {}",
            e.source,
            e.api_version,
            if e.test { "test" } else { "PRODUCTION" },
            e.attempt.outcome.explanation
        ))
        .wrap(),
    );
    if let Some(at) = &state.history_view.duplicate_of {
        ui.label(
            RichText::new(format!(
                "⚠ Reddit would drop this as a duplicate of the send at {at} (same conversion_id and event type within 2 days)."
            ))
            .color(ui.visuals().warn_fg_color),
        );
    }
    egui::ScrollArea::vertical().id_salt("history-detail").auto_shrink(false).show(ui, |ui| {
        if let Some(body) = &e.attempt.response_body {
            ui.label(RichText::new(format!("Response: {body}")).monospace());
        }
        let view = &state.history_view;
        match &view.previous {
            Some((_, changes)) if changes.is_empty() => {
                ui.label(RichText::new("No differences from the previous send of this sample.").strong());
            }
            Some(_) => {
                ui.label(RichText::new("Changed since the previous send of this sample:").strong());
                // Three columns sharing the detail's width; a long value is cut, whole on hover.
                let column = ((ui.available_width() - 24.0) / 3.0).max(80.0);
                egui::Grid::new("history-diff").striped(true).num_columns(3).min_col_width(column).max_col_width(column).show(ui, |ui| {
                    for h in ["field", "before", "now"] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for change in &view.changes {
                        for (k, text) in change.iter().enumerate() {
                            let rich = if k == 0 { RichText::new(text) } else { RichText::new(text).monospace() };
                            ui.add(egui::Label::new(rich).truncate());
                        }
                        ui.end_row();
                    }
                });
                ui.label(RichText::new("Hashed values are shown by their first and last characters; history keeps no raw values.").weak());
            }
            None => {}
        }
        ui.label(RichText::new("Request body").strong());
        ui.add(egui::Label::new(RichText::new(&view.body).monospace()).selectable(true));
    });
    if let Some((seen, id)) = seen_changed.zip(state.history.get(i).map(|e| e.send_id.clone())) {
        if seen {
            state.saved.seen.insert(id);
        } else {
            state.saved.seen.remove(&id);
        }
        state.dirty = true;
    }
}

fn curl_of(request: &crate::store::history::RequestRecord) -> String {
    crate::net::curl::render_parts(&request.method, &request.url, &request.headers, &request.body.to_string())
}

fn local_events(ui: &mut egui::Ui, state: &State, intents: &mut Vec<Intent>) {
    ui.horizontal(|ui| {
        if ui.button("Refresh").clicked() {
            intents.push(Intent::RefreshEmulator);
        }
        ui.label(
            RichText::new("What the emulator built into this app received (not Reddit): test flags and deduplication verdicts.")
                .weak(),
        );
    });
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    egui::ScrollArea::vertical().id_salt("local-events").auto_shrink(false).show_rows(
        ui,
        row_height,
        state.emulator_events.len(),
        |ui, range| {
            for r in state.emulator_events.get(range).unwrap_or_default() {
                let kind = r
                    .event
                    .get("event_type")
                    .or_else(|| r.event.get("type"))
                    .and_then(|t| t.get("tracking_type"))
                    .and_then(|t| t.as_str())
                    .unwrap_or("?");
                ui.label(format!(
                    "{} · {} · pixel {} · {} · {} · {}",
                    r.received_at,
                    r.api_version.as_str(),
                    r.pixel_id,
                    kind,
                    if r.test { "test" } else { "production" },
                    r.dedup.verdict()
                ));
            }
        },
    );
}
