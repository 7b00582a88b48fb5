//! The bottom panel: the last response, the history (virtualised, searchable, with a diff
//! against the previous send of the same sample, cURL, Events Manager link and "seen" tick),
//! and the local emulator's received events ("Local Events Manager").

use eframe::egui::{self, RichText};

use super::super::state::State;
use super::super::{BottomTab, Intent, View};
use crate::diff;

/// Reddit Ads' Events Manager.
pub const EVENTS_MANAGER_URL: &str = "https://ads.reddit.com/events-manager";

pub fn show(ui: &mut egui::Ui, state: &mut State, view: &mut View, intents: &mut Vec<Intent>) {
    egui::Panel::bottom("bottom").resizable(true).default_size(240.0).min_size(200.0).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut view.bottom, BottomTab::Response, "Last response");
            ui.selectable_value(
                &mut view.bottom,
                BottomTab::History,
                format!("History ({})", state.history.len()),
            );
            ui.selectable_value(
                &mut view.bottom,
                BottomTab::LocalEvents,
                format!("Local Events Manager ({})", state.emulator_events.len()),
            );
            ui.hyperlink_to("Open Events Manager", EVENTS_MANAGER_URL);
        });
        ui.separator();
        match view.bottom {
            BottomTab::Response => response(ui, state),
            BottomTab::History => history(ui, state, view),
            BottomTab::LocalEvents => local_events(ui, state, intents),
        }
    });
}

fn response(ui: &mut egui::Ui, state: &State) {
    let Some(last) = &state.last_send else {
        ui.label(if state.sending { "Sending…" } else { "Nothing sent yet. Press Send (Ctrl+Enter)." });
        return;
    };
    egui::ScrollArea::vertical().id_salt("response").show(ui, |ui| {
        for sent in &last.results {
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
            if sent.attempts.len() > 1 {
                ui.label(RichText::new(format!("{} attempts", sent.attempts.len())).weak());
            }
        }
    });
}

fn history(ui: &mut egui::Ui, state: &mut State, view: &mut View) {
    ui.horizontal(|ui| {
        let l = ui.label("Search history");
        let search = ui
            .add(egui::TextEdit::singleline(&mut state.history_filter).desired_width(240.0))
            .labelled_by(l.id);
        if view.focus_search {
            search.request_focus();
            view.focus_search = false;
        }
    });
    let rows = state.filtered_history();
    ui.columns(2, |cols| {
        let row_height = cols[0].text_style_height(&egui::TextStyle::Body) + 4.0;
        egui::ScrollArea::vertical().id_salt("history-list").show_rows(
            &mut cols[0],
            row_height,
            rows.len(),
            |ui, range| {
                for &i in &rows[range] {
                    let e = &state.history[i];
                    let status = match e.attempt.status {
                        Some(s) => s.to_string(),
                        None if e.state == crate::store::history::State::Pending => "pending".into(),
                        None => e.attempt.outcome.message.chars().take(24).collect(),
                    };
                    let seen = if state.saved.seen.contains(&e.send_id) { "✔ " } else { "" };
                    let text = format!(
                        "{seen}{} · {} · {} · #{} · {status}",
                        &e.attempt.started_at[..19.min(e.attempt.started_at.len())],
                        e.mapping,
                        e.endpoint,
                        e.attempt.number
                    );
                    if ui.selectable_label(state.selected_history == Some(i), text).clicked() {
                        state.selected_history = Some(i);
                    }
                }
            },
        );
        let ui = &mut cols[1];
        let Some(i) = state.selected_history.filter(|i| *i < state.history.len()) else {
            ui.label("Select a send to see it.");
            return;
        };
        let e = state.history[i].clone();
        ui.horizontal(|ui| {
            let mut seen = state.saved.seen.contains(&e.send_id);
            if ui.checkbox(&mut seen, "Seen in Events Manager").changed() {
                if seen {
                    state.saved.seen.insert(e.send_id.clone());
                } else {
                    state.saved.seen.remove(&e.send_id);
                }
                state.dirty = true;
            }
            let whole = e.request.abridged.is_none();
            let copy = ui.add_enabled(whole, egui::Button::new("Copy as cURL"));
            if copy.on_disabled_hover_text("history keeps only the first event of this batch").clicked() {
                ui.ctx().copy_text(curl_of(&e.request));
            }
        });
        if let Some(a) = &e.request.abridged {
            ui.label(
                RichText::new(format!(
                    "Body abridged: the first of {} events is kept ({} KB sent, SHA-256 {}).",
                    a.events,
                    a.bytes.div_ceil(1024),
                    &a.sha256[..16]
                ))
                .weak(),
            );
        }
        ui.label(format!(
            "{} · {} · {} · {}",
            e.source,
            e.api_version,
            if e.test { "test" } else { "PRODUCTION" },
            e.attempt.outcome.explanation
        ));
        egui::ScrollArea::vertical().id_salt("history-detail").show(ui, |ui| {
            if let Some(body) = &e.attempt.response_body {
                ui.label(RichText::new(format!("Response: {body}")).monospace());
            }
            let body = serde_json::to_string_pretty(&e.request.body).unwrap_or_default();
            match state.previous_send_of(i) {
                Some(p) => {
                    ui.label(
                        RichText::new("Request body, compared with the previous send of this sample:")
                            .strong(),
                    );
                    let previous =
                        serde_json::to_string_pretty(&state.history[p].request.body).unwrap_or_default();
                    for line in diff::lines(&previous, &body) {
                        let (prefix, text, color) = match line {
                            diff::Line::Same(t) => ("  ", t, ui.visuals().weak_text_color()),
                            diff::Line::Removed(t) => ("- ", t, ui.visuals().error_fg_color),
                            diff::Line::Added(t) => ("+ ", t, egui::Color32::from_rgb(0x2e, 0x9d, 0x42)),
                        };
                        ui.label(RichText::new(format!("{prefix}{text}")).monospace().color(color));
                    }
                }
                None => {
                    ui.label(RichText::new(body).monospace());
                }
            }
        });
    });
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
            RichText::new("What the built-in emulator received: test flag and deduplication verdicts.")
                .weak(),
        );
    });
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    egui::ScrollArea::vertical().id_salt("local-events").show_rows(
        ui,
        row_height,
        state.emulator_events.len(),
        |ui, range| {
            for r in &state.emulator_events[range] {
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
