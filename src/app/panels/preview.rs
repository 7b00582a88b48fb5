//! The live preview (right): matched mappings, the exact request with copy buttons, the
//! identifiers table (raw → normalized → SHA-256, rules, profile disagreements), lints, the
//! attribution-signal meter, and v2/v3 side by side.

use eframe::egui::{self, RichText};

use super::super::View;
use super::super::state::State;
use crate::engine::Item;
use crate::reddit::wire::Event;

pub fn show(ui: &mut egui::Ui, state: &mut State, view: &mut View) {
    egui::Panel::right("preview").resizable(true).default_size(520.0).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.heading("Preview");
            let mut side = state.side_by_side;
            if ui.checkbox(&mut side, "v2 and v3 side by side").changed() {
                state.side_by_side = side;
                state.recompute();
            }
        });
        if let Some(problem) = &state.preview.problem {
            ui.label(RichText::new(problem).color(ui.visuals().error_fg_color));
        }
        if state.event.is_err() {
            ui.label("Fix the event JSON to see the request.");
            return;
        }
        let matched: Vec<&str> =
            state.preview.matched.iter().map(|&i| state.mappings[i].name.as_str()).collect();
        ui.label(if matched.is_empty() {
            "No enabled mapping matches this event.".to_string()
        } else {
            format!("Matches: {}", matched.join(", "))
        });
        ui.small(crate::mapping::release::body_reference(
            state.settings().profile,
            state.settings().api_version,
        ));
        let focus = egui::ScrollArea::vertical()
            .id_salt("preview-scroll")
            .show(ui, |ui| match &state.preview.other {
                Some(other) => ui.columns(2, |cols| {
                    let a = items(&mut cols[0], &state.preview.items, &state.preview.pretty, "a");
                    items(&mut cols[1], other, &state.preview.other_pretty, "b").or(a)
                }),
                None => items(ui, &state.preview.items, &state.preview.pretty, "a"),
            })
            .inner;
        if focus.is_some() {
            view.focus_field = focus;
        }
    });
}

/// Draws the items; returns a quick field to focus when a lint's path was clicked.
fn items(ui: &mut egui::Ui, items: &[Item], pretty: &[String], salt: &str) -> Option<&'static str> {
    let mut focus = None;
    for (n, item) in items.iter().enumerate() {
        match item {
            Item::Request { mapping, request, lints, identifiers, .. } => {
                ui.separator();
                ui.label(RichText::new(format!("{mapping} → {} {}", request.method, request.url)).strong());
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
                    egui::CollapsingHeader::new("Identifiers")
                        .id_salt((salt, n, "ids"))
                        .default_open(true)
                        .show(ui, |ui| {
                            egui::Grid::new((salt, n, "grid")).striped(true).num_columns(4).show(ui, |ui| {
                                ui.label(RichText::new("field").strong());
                                ui.label(RichText::new("raw").strong());
                                ui.label(RichText::new("normalized").strong());
                                ui.label(RichText::new("SHA-256").strong());
                                ui.end_row();
                                for id in identifiers {
                                    let h = &id.hashed;
                                    ui.label(
                                        RichText::new(id.path.rsplit('.').next().unwrap_or(&id.path))
                                            .monospace(),
                                    );
                                    ui.label(format!("{:?}", h.input));
                                    ui.label(format!("{:?}", h.normalized));
                                    let hash = if h.already_hashed {
                                        "already hashed".to_string()
                                    } else if h.hash.is_empty() {
                                        "\"\" (blank)".into()
                                    } else {
                                        format!("{}…", &h.hash[..12])
                                    };
                                    ui.label(RichText::new(hash).monospace()).on_hover_text(&h.hash);
                                    ui.end_row();
                                    if !h.steps.is_empty() || h.other_profile_hash.is_some() {
                                        ui.label("");
                                        ui.horizontal_wrapped(|ui| {
                                            for step in &h.steps {
                                                ui.label(
                                                    RichText::new(step)
                                                        .small()
                                                        .background_color(ui.visuals().faint_bg_color),
                                                );
                                            }
                                            if let Some(other) = &h.other_profile_hash {
                                                ui.label(
                                                    RichText::new(format!(
                                                        "⚠ the {} profile sends {}…",
                                                        h.profile.other(),
                                                        &other[..other.len().min(12)]
                                                    ))
                                                    .small()
                                                    .color(ui.visuals().warn_fg_color),
                                                );
                                            }
                                        });
                                        ui.end_row();
                                    }
                                }
                            });
                        });
                }
                for (k, v) in &request.headers {
                    ui.label(RichText::new(format!("{k}: {v}")).monospace().weak());
                }
                let body = pretty.get(n).map(String::as_str).unwrap_or_default();
                ui.horizontal(|ui| {
                    if ui.button("Copy body").clicked() {
                        ui.ctx().copy_text(body.to_string());
                    }
                    if ui.button("Copy as cURL").clicked() {
                        ui.ctx().copy_text(crate::net::curl::render(request));
                    }
                });
                egui::CollapsingHeader::new("Request body")
                    .id_salt((salt, n, "body"))
                    .default_open(true)
                    .show(ui, |ui| body_view(ui, body, (salt, n)));
            }
            Item::Refused { mapping, error, .. } => {
                ui.separator();
                ui.label(
                    RichText::new(format!("{mapping}: refused — Segment would drop this event"))
                        .color(ui.visuals().error_fg_color),
                );
                let target = super::quick_field_for(&error.field);
                let text = RichText::new(format!("{}: {}", error.field, error.message)).monospace();
                match target {
                    Some(t) if ui.link(text).on_hover_text(format!("Go to {t}")).clicked() => focus = Some(t),
                    Some(_) => {}
                    None => {
                        ui.label(RichText::new(format!("{}: {}", error.field, error.message)).monospace());
                    }
                }
            }
            Item::WebOnly { mapping, note, .. } => {
                ui.separator();
                ui.label(RichText::new(format!("{mapping}: web only")).weak());
                ui.label(RichText::new(*note).weak().small());
            }
            Item::Unmatched { .. } => {}
        }
    }
    focus
}

/// A request body: one label when small; a scrolled, virtualised list of lines when large.
fn body_view(ui: &mut egui::Ui, body: &str, salt: impl std::hash::Hash + std::fmt::Debug) {
    if body.len() <= 16 * 1024 {
        ui.label(RichText::new(body).monospace());
        return;
    }
    let lines: Vec<&str> = body.lines().collect();
    let row = ui.text_style_height(&egui::TextStyle::Monospace);
    egui::ScrollArea::both().id_salt(salt).max_height(420.0).show_rows(ui, row, lines.len(), |ui, range| {
        for line in &lines[range] {
            ui.label(RichText::new(*line).monospace());
        }
    });
}

/// How many of Reddit's matching signals the event carries.
fn signal_meter(ui: &mut egui::Ui, event: &Event) {
    let user = event.user();
    let has = |f: fn(&crate::reddit::wire::User) -> &Option<String>| {
        user.is_some_and(|u| f(u).as_deref().is_some_and(|s| !s.is_empty()))
    };
    let signals = [
        ("click id", event.click_id().is_some_and(|c| !c.is_empty())),
        ("uuid", has(|u| &u.uuid)),
        ("email", has(|u| &u.email)),
        ("external id", has(|u| &u.external_id)),
        ("phone", has(|u| &u.phone_number)),
        ("device id", has(|u| &u.idfa) || has(|u| &u.aaid)),
        (
            "ip + user agent + screen",
            has(|u| &u.ip_address)
                && has(|u| &u.user_agent)
                && user.is_some_and(|u| u.screen_dimensions.is_some()),
        ),
    ];
    let present: Vec<&str> = signals.iter().filter(|(_, p)| *p).map(|(n, _)| *n).collect();
    let fraction = present.len() as f32 / signals.len() as f32;
    ui.add(egui::ProgressBar::new(fraction).text(format!(
        "attribution signals: {}/{} ({})",
        present.len(),
        signals.len(),
        present.join(", ")
    )));
}
