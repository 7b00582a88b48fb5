//! The Segment window: a destination's configuration as Segment's Public API returns it (paste
//! it, or open the saved answers) imported into the workspace, and the workspace's mappings
//! exported back as the subscriptions to create, with a cURL script that reads `$SEGMENT_TOKEN`.
//! The conversion itself is the core's (`workspace::segment`).

use eframe::egui::{self, RichText};

use super::super::Intent;
use super::super::state::State;
use super::super::worker::{FileKind, Task};
use crate::secret::Secret;
use crate::workspace::segment;

/// What the window holds.
#[derive(Default)]
pub struct SegmentView {
    pub open: bool,
    /// `GET /destinations/{id}/subscriptions`'s answer, pasted or opened.
    pub subscriptions: String,
    /// `GET /destinations/{id}`'s answer (optional): Pixel ID, test mode, the token.
    pub destination: String,
    /// A conversion token the destination held, until the user keeps it (never in a file).
    pub token: Option<Secret>,
    /// What the last import or export said (unknown actions and fields, settings not taken).
    pub notes: Vec<String>,
    /// The last export's script.
    pub script: Option<String>,
    /// An import is running on the worker.
    pub importing: bool,
}

pub fn show(ctx: &egui::Context, view: &mut SegmentView, state: &mut State, intents: &mut Vec<Intent>) {
    let mut open = view.open;
    egui::Window::new("Segment")
        .id(egui::Id::unique("segment-window"))
        .open(&mut open)
        .default_size([640.0, 560.0])
        .vscroll(true)
        .show(ctx, |ui| {
            ui.heading("Import from Segment's Public API");
            ui.label(
                RichText::new(
                    "Paste (Ctrl+V) or open what the Public API returns for the Reddit Conversions API \
                     destination; its mappings and settings replace the workspace's.",
                )
                .weak(),
            );
            text_area(ui, "Subscriptions (GET /destinations/{id}/subscriptions)", &mut view.subscriptions, "segment-subscriptions");
            if ui.button("Open subscriptions file…").clicked() {
                intents.push(Intent::Open(FileKind::SegmentSubscriptions));
            }
            text_area(ui, "Destination (GET /destinations/{id}), optional", &mut view.destination, "segment-destination");
            if ui.button("Open destination file…").clicked() {
                intents.push(Intent::Open(FileKind::SegmentDestination));
            }
            ui.horizontal(|ui| {
                let button = ui.add_enabled(!view.importing, egui::Button::new("Import into the workspace"));
                if button.clicked() {
                    intents.push(Intent::ImportSegment);
                }
                if view.importing {
                    ui.spinner();
                    ui.label("importing…");
                }
            });
            if let Some(masked) = view.token.as_ref().map(ToString::to_string) {
                let mut discard = false;
                ui.horizontal_wrapped(|ui| {
                    ui.label(format!(
                        "The destination holds a conversion token ({masked}); it is never written to the workspace."
                    ));
                    if ui.button("Keep the imported token").clicked() {
                        intents.push(Intent::KeepImportedToken);
                    }
                    discard = ui.button("Discard it").clicked();
                });
                if discard {
                    view.token = None;
                }
            }
            ui.separator();
            ui.heading("Export to Segment");
            if ui.button("Make the subscriptions").clicked() {
                let export = segment::export(&state.workspace());
                view.notes = export.notes;
                view.script = Some(export.curl);
            }
            if let Some(script) = &view.script {
                ui.label(
                    RichText::new("One cURL per subscription; set SEGMENT_TOKEN to a Public API token first.").weak(),
                );
                let mut shown = script.as_str();
                egui::ScrollArea::vertical().id_salt("segment-script").max_height(200.0).show(ui, |ui| {
                    ui.add(egui::TextEdit::multiline(&mut shown).id(egui::Id::unique("segment-script-text")).code_editor().desired_width(f32::INFINITY))
                        .accessible_name("Segment script");
                });
                ui.horizontal(|ui| {
                    if ui.button("Copy script").clicked() {
                        intents.push(Intent::Copy { what: "the Segment cURL script", text: script.clone() });
                    }
                    if ui.button("Save script…").clicked() {
                        intents.push(Intent::Export(FileKind::SegmentExport, "segment-subscriptions.sh".into(), script.clone().into_bytes()));
                    }
                });
            }
            for note in &view.notes {
                ui.label(RichText::new(format!("• {note}")).color(ui.visuals().warn_fg_color));
            }
        });
    view.open = open;
}

/// A labelled multi-line JSON box.
fn text_area(ui: &mut egui::Ui, label: &str, text: &mut String, id: &str) {
    let l = ui.label(label);
    egui::ScrollArea::vertical().id_salt((id, "scroll")).max_height(140.0).show(ui, |ui| {
        ui.add(
            egui::TextEdit::multiline(text)
                .id(egui::Id::unique(id))
                .code_editor()
                .desired_rows(4)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(l.id);
    });
}

impl SegmentView {
    /// The worker's task converting what the window holds (the UI thread does not wait for it).
    pub fn import_task(&mut self) -> Task {
        self.importing = true;
        let destination = Some(self.destination.clone()).filter(|d| !d.trim().is_empty());
        Task::ImportSegment { subscriptions: self.subscriptions.clone(), destination }
    }

    /// Takes the import's result: the workspace's mappings and settings replaced, or why not.
    pub fn imported(&mut self, imported: Result<Box<segment::Imported>, String>, state: &mut State) {
        self.importing = false;
        match imported {
            Ok(imported) => {
                let segment::Imported { workspace, token, notes } = *imported;
                let count = workspace.mappings.len();
                state.import_workspace(workspace);
                self.notes = notes;
                self.token = token;
                state.notice(false, format!("imported {count} mappings from Segment"));
            }
            Err(e) => state.notice(true, format!("not imported: {e}")),
        }
    }
}
