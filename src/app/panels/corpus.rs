//! The Corpus window: a whole file of events through the mappings at once. A file comes from
//! the open dialog, a typed path or a drop on the window; a background thread streams it
//! through [`crate::report`] with a progress bar; then tables and charts (signal distribution,
//! coverage, refusals by reason). Clicking a row or a bar lists its events; clicking an event
//! loads it into the composer. The report exports as JSON and Markdown.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use eframe::egui::{self, RichText};
use egui_plot::{AxisHints, Bar, BarChart, GridMark, Plot};

use super::super::state::State;
use super::super::worker::FileKind;
use super::super::{EventOffer, Intent};
use crate::engine::{Engine, Selection};
use crate::report::{self, Corpus, Examples, Report};
use crate::segment::{EventReader, EventsError};

/// Example events larger than this are listed but not kept (nor loaded into the composer).
pub const MAX_EXAMPLE_BYTES: usize = 256 * 1024;
/// The text of all the example events kept, at most (the rest are listed, not kept).
pub const MAX_EXAMPLES_BYTES: usize = 16 * 1024 * 1024;

/// Where the events come from.
#[derive(Clone)]
pub enum Source {
    /// A file (plain or gzip), or a directory of them read in name order.
    Path(PathBuf),
    /// A file's contents (plain or gzip), from the open dialog.
    Bytes(Arc<[u8]>),
}

/// One file of a source, labelled for errors.
enum Part {
    Path(String, PathBuf),
    Bytes(String, Arc<[u8]>),
}

impl Source {
    /// Its parts in reading order, and their bytes as stored (what the progress bar counts).
    fn parts(&self, name: &str) -> std::io::Result<(Vec<Part>, u64)> {
        Ok(match self {
            Source::Path(p) => {
                let files = crate::input::files(p)?;
                let mut total = 0;
                for file in &files {
                    total += std::fs::metadata(file)?.len();
                }
                let label =
                    |f: &PathBuf| if files.len() == 1 { name.to_string() } else { f.display().to_string() };
                (files.iter().map(|f| Part::Path(label(f), f.clone())).collect(), total)
            }
            Source::Bytes(b) => (vec![Part::Bytes(name.to_string(), b.clone())], b.len() as u64),
        })
    }
}

/// The events of `parts`, one after the other, their stored bytes added to `stored` as read.
fn events<'p>(
    parts: &'p [Part],
    stored: &'p Arc<AtomicU64>,
) -> impl Iterator<Item = EventResult> + Send + 'p {
    parts.iter().flat_map(move |part| {
        let (label, raw): (&str, std::io::Result<Box<dyn Read + Send>>) = match part {
            Part::Path(label, path) => (label, std::fs::File::open(path).map(|f| Box::new(f) as _)),
            Part::Bytes(label, bytes) => (label, Ok(Box::new(std::io::Cursor::new(bytes.clone())))),
        };
        let counted = raw.and_then(|raw| crate::input::decoded(Counted(raw, Arc::clone(stored))));
        let events: Box<dyn Iterator<Item = EventResult> + Send> = match counted {
            Ok((text, _)) => Box::new(EventReader::new(text, label)),
            Err(e) => Box::new(std::iter::once(Err(EventsError::io(label, &e)))),
        };
        events
    })
}

type EventResult = Result<crate::segment::Event, EventsError>;

/// A reader adding what it reads to a count.
struct Counted(Box<dyn Read + Send>, Arc<AtomicU64>);

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        self.1.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A finished run: the report and the text of the events its groups list.
pub struct Done {
    pub name: String,
    pub report: Report,
    /// Pretty JSON of each listed event (None: not kept, see [`MAX_EXAMPLE_BYTES`] and
    /// [`MAX_EXAMPLES_BYTES`]).
    pub examples: HashMap<usize, Option<String>>,
    /// Each coverage row's label, saying which part of a signal is missing where one is.
    pub coverage_labels: Vec<String>,
}

/// A run in progress.
struct Job {
    name: String,
    bytes: Arc<AtomicU64>,
    total: u64,
    events: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    result: Receiver<Result<Done, String>>,
}

/// The Corpus window's state.
#[derive(Default)]
pub struct CorpusView {
    pub open: bool,
    /// The typed path.
    pub path: String,
    job: Option<Job>,
    pub done: Option<Done>,
    pub error: Option<String>,
    /// The group whose events are listed: its title and examples.
    pub selected: Option<(String, Examples)>,
    /// A file from the open dialog, started on the next frame.
    pub pending: Option<(String, Vec<u8>)>,
}

impl CorpusView {
    /// Whether a file is being read.
    pub fn running(&self) -> bool {
        self.job.is_some()
    }

    /// Starts reading `source` through the state's mappings on a background thread.
    pub fn start(&mut self, ctx: &egui::Context, state: &State, name: String, source: Source) {
        self.open = true;
        self.error = None;
        self.selected = None;
        if let Some(job) = self.job.take() {
            job.stop.store(true, Ordering::Relaxed);
        }
        let engine = match Engine::new(&state.workspace(), state.settings().clone()) {
            Ok(engine) => engine,
            Err(e) => {
                self.error = Some(format!("the workspace's mappings: {e}"));
                return;
            }
        };
        let (parts, total) = match source.parts(&name) {
            Ok(opened) => opened,
            Err(e) => {
                self.error = Some(format!("{name}: {e}"));
                return;
            }
        };
        let (bytes, events, stop) = (Arc::default(), Arc::default(), Arc::<AtomicBool>::default());
        let (tx, result) = channel();
        let job = Job {
            name: name.clone(),
            bytes: Arc::clone(&bytes),
            total,
            events: Arc::clone(&events),
            stop: Arc::clone(&stop),
            result,
        };
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new().name("corpus".into()).spawn(move || {
            let done = read(&engine, &name, &parts, &bytes, &events, &stop, &ctx);
            let _ = tx.send(done);
            ctx.request_repaint();
        });
        match spawned {
            Ok(_) => self.job = Some(job),
            Err(e) => self.error = Some(format!("cannot start reading: {e}")),
        }
    }

    /// Takes a finished run's result.
    fn poll(&mut self) {
        let Some(job) = &self.job else { return };
        match job.result.try_recv() {
            Err(TryRecvError::Empty) => {}
            Ok(Ok(done)) => {
                self.done = Some(done);
                self.job = None;
            }
            Ok(Err(e)) => {
                self.error = Some(e);
                self.job = None;
            }
            Err(TryRecvError::Disconnected) => {
                self.error = Some("reading stopped".into());
                self.job = None;
            }
        }
    }
}

/// The background run: the report, then one more pass for the text of the listed events.
fn read(
    engine: &Engine,
    name: &str,
    parts: &[Part],
    bytes: &Arc<AtomicU64>,
    events: &AtomicU64,
    stop: &AtomicBool,
    ctx: &egui::Context,
) -> Result<Done, String> {
    let stream = self::events(parts, bytes);
    let mut corpus = Corpus::new(engine, Selection::Triggers, crate::timestamp::now_millis());
    let finished = report::run(&mut corpus, stream, |n| {
        events.store(n, Ordering::Relaxed);
        ctx.request_repaint();
        !stop.load(Ordering::Relaxed)
    })
    .map_err(|e| e.to_string())?;
    if !finished {
        return Err("stopped".into());
    }
    let report = corpus.finish();
    let wanted = report.example_indexes();
    let mut examples = HashMap::new();
    let mut kept = 0;
    if let Some(&last) = wanted.last() {
        for (i, event) in self::events(parts, &Arc::default()).enumerate().take(last + 1) {
            if wanted.contains(&i) {
                let text = serde_json::to_string_pretty(event.map_err(|e| e.to_string())?.value())
                    .expect("events serialize");
                let keep = text.len() <= MAX_EXAMPLE_BYTES && kept + text.len() <= MAX_EXAMPLES_BYTES;
                kept += if keep { text.len() } else { 0 };
                examples.insert(i, keep.then_some(text));
            }
        }
    }
    let coverage_labels = report.coverage.iter().map(|c| c.title(report.built)).collect();
    Ok(Done { name: name.to_string(), report, examples, coverage_labels })
}

/// Draws the window (when open), and starts a run for a file dropped anywhere on the app.
pub fn show(
    ctx: &egui::Context,
    view: &mut CorpusView,
    state: &mut State,
    intents: &mut Vec<Intent>,
    rects: &mut super::super::PanelRects,
) {
    let dropped = ctx.input(|i| i.raw.dropped_files.first().map(|f| f.path().to_path_buf()));
    if let Some(path) = dropped {
        view.path = path.display().to_string();
        view.start(ctx, state, view.path.clone(), Source::Path(path));
    }
    if let Some((name, bytes)) = view.pending.take() {
        view.start(ctx, state, name, Source::Bytes(Arc::from(bytes)));
    }
    view.poll();
    let mut open = view.open;
    egui::Window::new("Corpus report")
        .open(&mut open)
        // Below the top bar: collapsed, it never covers the app's title.
        .default_pos([120.0, 90.0])
        .default_size([1300.0, 800.0])
        .vscroll(true)
        .show(ctx, |ui| window(ui, view, state, intents, rects));
    view.open = open;
}

fn window(
    ui: &mut egui::Ui,
    view: &mut CorpusView,
    state: &mut State,
    intents: &mut Vec<Intent>,
    rects: &mut super::super::PanelRects,
) {
    ui.horizontal(|ui| {
        if ui.button("Open events file…").clicked() {
            intents.push(Intent::Open(FileKind::Corpus));
        }
        let path = super::text_field(ui, "Path", &mut view.path);
        rects.mark("corpus:path", path.rect);
        let read = ui.add_enabled(!view.path.trim().is_empty(), egui::Button::new("Read"));
        rects.mark("corpus:read", read.rect);
        if read.clicked() {
            let path = PathBuf::from(view.path.trim());
            view.start(ui.ctx(), state, view.path.trim().to_string(), Source::Path(path));
        }
        if let Some(done) = &view.done {
            if ui.button("Export JSON").clicked() {
                let bytes = serde_json::to_vec_pretty(&done.report).expect("reports serialize");
                intents.push(Intent::Export(FileKind::Corpus, "report.json".into(), bytes));
            }
            let markdown = ui.button("Export Markdown");
            rects.mark("corpus:export-md", markdown.rect);
            if markdown.clicked() {
                let bytes = report::markdown(&done.report).into_bytes();
                intents.push(Intent::Export(FileKind::Corpus, "report.md".into(), bytes));
            }
        }
    });
    ui.label(RichText::new("JSON Lines, a JSON array or JSON objects; or drop a file on the window.").weak());
    if let Some(job) = &view.job {
        let done = job.bytes.load(Ordering::Relaxed);
        let fraction = if job.total == 0 { 0.0 } else { done as f32 / job.total as f32 };
        ui.add(egui::ProgressBar::new(fraction).show_percentage().text(format!(
            "reading {}: {} events",
            job.name,
            job.events.load(Ordering::Relaxed)
        )));
        if ui.button("Stop").clicked() {
            job.stop.store(true, Ordering::Relaxed);
        }
    }
    if let Some(e) = &view.error {
        ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
    }
    let Some(done) = &view.done else { return };
    let r = &done.report;
    ui.separator();
    ui.label(RichText::new(format!("{} — {}", done.name, report::ABOUT)).weak());
    ui.label(format!(
        "{} events · {} built into requests · {} matched no mapping · profile {} · API {}",
        r.events,
        r.built,
        r.unmatched.count,
        r.profile,
        r.api_version.as_str()
    ));
    let mut pick: Option<(String, Examples)> = None;
    let mut choose = |title: String, e: &Examples| pick = Some((title, e.clone()));

    if let Some((title, examples)) = &view.selected {
        events_list(ui, title, examples, done, intents);
        ui.separator();
    }

    let refusals: Vec<(String, &Examples)> = r
        .mappings
        .iter()
        .flat_map(|m| {
            m.refusals
                .iter()
                .map(move |g| (format!("{} refused: {}: {}", m.name, g.field, g.reason), &g.events))
        })
        .collect();
    ui.columns(3, |cols| {
        let [signals, coverage, refused] = cols else { return };
        signals.strong("Attribution signals per request");
        let bars: Vec<BarOf> = (r.signals.iter().enumerate())
            .map(|(n, e)| BarOf {
                short: n.to_string(),
                full: format!("{n} of 7 signals"),
                value: e.count as f64,
            })
            .collect();
        if let Some(e) =
            bar_chart(signals, "corpus-signals", ["signals in the event (of 7)", "events"], &bars, BLUE)
                .and_then(|n| r.signals.get(n).map(|e| (n, e)))
        {
            choose(format!("{} of 7 signals", e.0), e.1);
        }
        coverage.strong(format!("Identifier coverage (% of {} built)", r.built));
        let bars: Vec<BarOf> = (r.coverage.iter().zip(&done.coverage_labels))
            .map(|(c, full)| BarOf {
                short: short(c.label, 7),
                full: full.clone(),
                value: share(c.present, r.built),
            })
            .collect();
        if let Some(c) = bar_chart(coverage, "corpus-coverage", ["identifier", "% of events"], &bars, GREEN)
            .and_then(|i| r.coverage.get(i))
        {
            choose(format!("without {}", c.label), &c.missing);
        }
        refused.strong("Refusals by reason (numbered as listed below)");
        let bars: Vec<BarOf> = (refusals.iter().enumerate())
            .map(|(i, (t, e))| BarOf { short: (i + 1).to_string(), full: t.clone(), value: e.count as f64 })
            .collect();
        if let Some((title, e)) =
            bar_chart(refused, "corpus-refusals", ["reason", "events refused"], &bars, RED)
                .and_then(|i| refusals.get(i))
        {
            choose(title.clone(), e);
        }
    });

    ui.columns(2, |cols| {
        let [left, right] = cols else { return };
        let ui = left;
        ui.heading("Mappings");
        egui::Grid::new("corpus-mappings").striped(true).num_columns(4).show(ui, |ui| {
            for h in ["mapping", "matched", "built", "refused"] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            // A mapping that only ran in the browser (the browser plugin) is said below, not tallied.
            for m in r.mappings.iter().filter(|m| m.matched > m.web_only) {
                ui.label(&m.name);
                ui.label(m.matched.to_string());
                ui.label(m.built.to_string());
                ui.label(m.refused.to_string());
                ui.end_row();
            }
        });
        for m in r.mappings.iter().filter(|m| m.matched > 0 && m.matched == m.web_only) {
            ui.label(
                RichText::new(format!(
                    "{}: {} events matched; it runs only in the browser and builds no request.",
                    m.name, m.matched
                ))
                .weak(),
            );
        }
        if r.unmatched.count > 0
            && ui.link(format!("{} events matched no mapping", r.unmatched.count)).clicked()
        {
            choose("matched no mapping".into(), &r.unmatched);
        }
        for (n, (title, e)) in refusals.iter().enumerate() {
            if ui.selectable_label(false, format!("{}. {title} ({})", n + 1, e.count)).clicked() {
                choose(title.clone(), e);
            }
        }

        let ui = right;
        ui.heading("Identifier coverage");
        egui::Grid::new("corpus-coverage-table").striped(true).num_columns(3).show(ui, |ui| {
            for (c, label) in r.coverage.iter().zip(&done.coverage_labels) {
                if ui.selectable_label(false, label).on_hover_text("List events without it").clicked() {
                    choose(format!("without {}", c.label), &c.missing);
                }
                ui.label(c.present.to_string());
                ui.label(report::percent(c.present, r.built));
                ui.end_row();
            }
        });
        ui.heading("Normalization, lints, timing, deduplication");
        for (title, e) in r.groups().into_iter().skip(1 + refusals.len() + r.coverage.len() + r.signals.len())
        {
            if e.count > 0 && ui.selectable_label(false, format!("{title} ({})", e.count)).clicked() {
                choose(title, e);
            }
        }
    });
    if r.dedup.unchecked > 0 {
        ui.label(format!(
            "{} events were not checked for repeated conversion ids: the index holds at most {} ids from the last 48 h.",
            r.dedup.unchecked, r.dedup.capacity
        ));
    }
    if let Some(p) = pick {
        view.selected = Some(p);
    }
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 * 100.0 / whole as f64 }
}

const BLUE: egui::Color32 = egui::Color32::from_rgb(0x42, 0x85, 0xf4);
const GREEN: egui::Color32 = egui::Color32::from_rgb(0x34, 0xa8, 0x53);
const RED: egui::Color32 = egui::Color32::from_rgb(0xea, 0x43, 0x35);

/// One bar: its short label under it, what it counts in full (the tooltip), its value.
struct BarOf {
    short: String,
    full: String,
    value: f64,
}

/// A bar chart with its axes named, each bar's short label under it and its full meaning and
/// value in a tooltip (egui's, never clipped by the plot). Returns the index of the bar clicked.
fn bar_chart(
    ui: &mut egui::Ui,
    id: &str,
    axes: [&str; 2],
    bars: &[BarOf],
    color: egui::Color32,
) -> Option<usize> {
    let count = bars.len();
    let x_axis = AxisHints::new_x().label(axes[0]).label_spacing(egui::Rangef::new(12.0, 24.0)).formatter(
        |mark, _| {
            let i = mark.value.round();
            let on_bar = (mark.value - i).abs() < 1e-6 && i >= 0.0;
            bars.get(i as usize).filter(|_| on_bar).map(|b| b.short.clone()).unwrap_or_default()
        },
    );
    let response = Plot::new(id)
        .height(170.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .show_x(false)
        .show_y(false)
        .include_y(0.0)
        .custom_x_axes(vec![x_axis])
        .y_axis_label(axes[1])
        .x_grid_spacer(move |_| (0..count).map(|i| GridMark { value: i as f64, step_size: 1.0 }).collect())
        .show(ui, |plot| {
            let chart: Vec<Bar> =
                bars.iter().enumerate().map(|(i, b)| Bar::new(i as f64, b.value).name(&b.full)).collect();
            plot.bar_chart(BarChart::new(id, chart).width(0.7).color(color).allow_hover(false));
            let at =
                plot.pointer_coordinate().map(|p| p.x.round()).filter(|x| *x >= 0.0 && (*x as usize) < count);
            (at.map(|x| x as usize), plot.response().clicked())
        });
    let (hovered, clicked) = response.inner;
    if let Some(b) = hovered.and_then(|i| bars.get(i)) {
        response
            .response
            .on_hover_text(format!("{}: {:.1} {} (click to list them)", b.full, b.value, axes[1]));
    }
    hovered.filter(|_| clicked)
}

/// A short label for a bar: at most `n` characters.
fn short(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(n - 1).collect::<String>())
    }
}

/// The listed events of the selected group: each loads into the composer when clicked.
fn events_list(ui: &mut egui::Ui, title: &str, examples: &Examples, done: &Done, intents: &mut Vec<Intent>) {
    ui.label(RichText::new(format!("{title}: {} events; the first:", examples.count)).strong());
    ui.horizontal_wrapped(|ui| {
        for i in &examples.first {
            match done.examples.get(i) {
                Some(Some(text)) => {
                    if ui.button(format!("event {i}")).on_hover_text("Load it into the composer").clicked() {
                        intents.push(Intent::ReplaceEvent(EventOffer {
                            text: text.clone(),
                            from: format!("event {i} of {}", done.name),
                        }));
                    }
                }
                _ => {
                    ui.add_enabled(false, egui::Button::new(format!("event {i}")))
                        .on_disabled_hover_text("not kept: too large to load here");
                }
            }
        }
    });
}
