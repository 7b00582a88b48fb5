//! The Segment window: a destination's configuration as Segment's Public API returns it (paste
//! it, or open the saved answers) imported into the workspace, and the workspace's mappings
//! exported back as the subscriptions to create, with a cURL script that reads `$SEGMENT_TOKEN`.
//! Or connected directly: "Connect to Segment" fetches a destination and all its subscriptions
//! with a Public API token (typed, kept for the session or in the OS keychain; never a file) on
//! the worker, and imports them the same way. The conversion itself is the core's
//! (`workspace::segment`).

use eframe::egui::{self, RichText};

use super::super::Intent;
use super::super::state::State;
use super::super::worker::{FileKind, SegmentFetched, Task};
use crate::secret::Secret;
use crate::workspace::segment;
use crate::workspace::segment::api::Region;

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
    /// The destination to fetch from Segment.
    pub destination_id: String,
    pub region: Region,
    /// The Segment token as typed: wiped when Fetch takes it.
    pub token_input: String,
    /// Keep the typed Segment token in the OS keychain (else this session only).
    pub remember: bool,
    /// The Segment token used this session (memory only).
    pub api_token: Option<Secret>,
    /// A stand-in for Segment's Public API (tests); `None`: the region's.
    pub endpoint: Option<String>,
    /// A fetch is under way.
    pub fetching: bool,
}

pub fn show(ctx: &egui::Context, view: &mut SegmentView, state: &mut State, intents: &mut Vec<Intent>) {
    let mut open = view.open;
    egui::Window::new("Segment")
        .id(egui::Id::unique("segment-window"))
        .open(&mut open)
        .default_size([640.0, 820.0])
        .vscroll(true)
        .show(ctx, |ui| {
            connect(ui, view, state, intents);
            ui.separator();
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

/// "Connect to Segment": the destination id, the region, the token and where to keep it.
fn connect(ui: &mut egui::Ui, view: &mut SegmentView, state: &State, intents: &mut Vec<Intent>) {
    ui.heading("Connect to Segment");
    egui::Grid::new("segment-connect").num_columns(2).show(ui, |ui| {
        let l = ui.label("Destination ID");
        ui.add(
            egui::TextEdit::singleline(&mut view.destination_id)
                .id(egui::Id::unique("segment-destination-id")),
        )
        .labelled_by(l.id);
        ui.end_row();
        ui.label("Region");
        ui.horizontal(|ui| {
            ui.radio_value(&mut view.region, Region::Us, "US (api.segmentapis.com)");
            ui.radio_value(&mut view.region, Region::Eu, "EU (eu1.api.segmentapis.com)");
        });
        ui.end_row();
        let l = ui.label("Segment Public API token");
        let hint = match &view.api_token {
            Some(token) => format!("{token}, for this session"),
            None => "or $SEGMENT_TOKEN / the keychain".to_string(),
        };
        ui.add(
            egui::TextEdit::singleline(&mut view.token_input)
                .id(egui::Id::unique("segment-token"))
                .password(true)
                .hint_text(hint),
        )
        .labelled_by(l.id);
        ui.end_row();
        ui.label("Keep it");
        ui.add_enabled_ui(matches!(state.keychain, Some(Ok(()))), |ui| {
            ui.checkbox(&mut view.remember, "in the OS keychain (else for this session only)");
        });
        ui.end_row();
    });
    ui.horizontal(|ui| {
        let ready = !view.destination_id.trim().is_empty() && !view.fetching;
        if ui.add_enabled(ready, egui::Button::new("Fetch from Segment")).clicked() {
            intents.push(Intent::SegmentFetch);
        }
        if view.fetching {
            ui.spinner();
        }
        if ui
            .button("Forget the Segment token")
            .on_hover_text("from this session and the OS keychain")
            .clicked()
        {
            intents.push(Intent::SegmentForget);
        }
    });
}

/// A fetch's result: the token kept for the session; the answers to import, on the worker as a
/// pasted answer is (`None`: nothing to import).
pub fn fetched(view: &mut SegmentView, state: &mut State, fetched: SegmentFetched) -> Option<Task> {
    view.fetching = false;
    if let Some(token) = fetched.token {
        view.api_token = Some(token);
    }
    match fetched.kept {
        Some(Ok(())) => state.notice(false, "the Segment token is kept in the OS keychain"),
        Some(Err(e)) => state.notice(true, format!("the Segment token is kept for this session only: {e}")),
        None => {}
    }
    match fetched.answers {
        Ok((subscriptions, destination)) => {
            view.importing = true;
            Some(Task::ImportSegment { subscriptions, destination: Some(destination) })
        }
        Err(e) => {
            state.notice(true, format!("not fetched from Segment: {e}"));
            None
        }
    }
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
