//! The whole flow for a list of events: match triggers, resolve mappings, run Segment's schema
//! step, build Reddit events, batch them into requests and lint everything.
//!
//! [`Engine::run`] streams: it hands each finished item to a callback, keeping at most one
//! open batch (≤ 1,000 events) per mapping in memory.

use crate::identity::Profile;
use crate::mapping::model::{CompiledMapping, MappingKind};
use crate::mapping::presets::{BROWSER_PLUGIN_NOTE, KNOWN_MISSPELLINGS};
use crate::mapping::release::{RuntimeThrow, runtime_throw};
use crate::mapping::schema::{self, Mode, Rules};
use crate::reddit::build::{self, Context};
use crate::reddit::json;
use crate::reddit::lint::{self, Lint};
use crate::reddit::{
    Authorization, BuiltEvent, Identifier, MAX_EVENTS_PER_REQUEST, Refusal, Request, Settings, build_request,
};
use crate::segment::Event;
use crate::workspace::{Workspace, WorkspaceError};

/// Settings and compiled mappings, ready to run.
#[derive(Debug, Clone)]
pub struct Engine {
    pub settings: Settings,
    pub mappings: Vec<CompiledMapping>,
}

/// How a run behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Which mappings batch their events.
    pub batching: Batching,
    /// Record identifier provenance.
    pub explain: bool,
    /// "Now" for the age lints.
    pub now_ms: i64,
    pub auth: Authorization,
    /// API origin (default Reddit's).
    pub base_url: Option<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            batching: Batching::Mappings,
            explain: false,
            now_ms: crate::timestamp::now_millis(),
            auth: Authorization::Missing,
            base_url: None,
        }
    }
}

/// Which mappings batch their events into requests of up to 1,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batching {
    /// Those whose `enable_batching` is on (Segment's per-mapping switch).
    Mappings,
    /// All of them (`--batch`).
    All,
    /// All of them, a batch closing after this many events (`--batch-size`; at most 1,000).
    Size(usize),
    /// None: one event per request (v3 Event Testing).
    Never,
}

/// Which mappings an event goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Every enabled mapping whose trigger matches.
    Triggers,
    /// This one mapping, whatever its trigger (Segment's "test mapping").
    Mapping(usize),
}

/// What one mapping made of one event.
#[derive(Debug, Clone, PartialEq)]
pub enum Mapped {
    Built(Box<BuiltEvent>),
    /// Segment's schema step refused the event (in a batch: a multistatus 400 for it alone).
    Refused(Refusal),
    /// The destination code throws on the event (e.g. an email without `@`): in a batch the
    /// whole batch fails, as in the release.
    Thrown(Refusal),
    /// The browser plugin preset: nothing to build.
    WebOnly,
}

/// One result of a run, in output order.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Request {
        /// The events in this request, as indexes into the input.
        event_indexes: Vec<usize>,
        mapping: String,
        request: Request,
        lints: Vec<Lint>,
        /// Provenance of hashed values, paths absolute in the body (when explaining).
        identifiers: Vec<Identifier>,
        /// Whether this request came from batching (printed with `event_indexes`).
        batched: bool,
    },
    Refused {
        event_index: usize,
        mapping: String,
        error: Refusal,
    },
    WebOnly {
        event_index: usize,
        mapping: String,
        note: &'static str,
    },
    Unmatched {
        event_index: usize,
    },
}

impl Engine {
    /// Compiles a workspace's mappings under `settings` (its profile decides the presets' overrides).
    pub fn new(workspace: &Workspace, settings: Settings) -> Result<Engine, WorkspaceError> {
        Ok(Engine { mappings: workspace.compile(settings.profile)?, settings })
    }

    /// The index of a mapping by name (exact, then case-insensitive).
    pub fn find(&self, name: &str) -> Option<usize> {
        self.mappings
            .iter()
            .position(|m| m.name == name)
            .or_else(|| self.mappings.iter().position(|m| m.name.eq_ignore_ascii_case(name)))
    }

    /// Indexes of the enabled mappings whose trigger matches the event.
    pub fn matching(&self, event: &Event) -> Vec<usize> {
        (0..self.mappings.len())
            .filter(|&i| self.mappings[i].enabled && self.mappings[i].trigger.matches(event.value()))
            .collect()
    }

    /// The mappings an event goes through under `selection`.
    pub fn targets(&self, selection: Selection, event: &Event) -> Vec<usize> {
        match selection {
            Selection::Mapping(m) => vec![m],
            Selection::Triggers => self.matching(event),
        }
    }

    /// Whether mapping `m` batches its events under `batching` (its schema step then runs in
    /// batch mode).
    pub fn batches(&self, m: usize, batching: Batching) -> bool {
        match batching {
            Batching::All | Batching::Size(_) => true,
            Batching::Mappings => self.mappings[m].batching,
            Batching::Never => false,
        }
    }

    fn rules(&self) -> Rules {
        Rules {
            segment_currencies: self.settings.profile == Profile::Segment,
            v2: self.settings.api_version == crate::reddit::ApiVersion::V2,
        }
    }

    /// Runs one mapping over one event.
    pub fn apply(&self, mapping: usize, event: &Event, mode: Mode, explain: bool, now_ms: i64) -> Mapped {
        let m = &self.mappings[mapping];
        let MappingKind::Send(action) = m.kind else {
            return Mapped::WebOnly;
        };
        let resolved = m.resolve(event.value());
        let validated = match schema::validate(action, resolved, mode, self.rules()) {
            Ok(v) => v,
            Err(mut errors) => {
                let first = errors.remove(0);
                let mut message = first.message;
                for e in errors {
                    message.push(' ');
                    message.push_str(&e.message);
                }
                return Mapped::Refused(Refusal { field: first.field, message });
            }
        };
        let ctx = Context { settings: &self.settings, now_ms, explain };
        match build::build_event(&validated.payload, ctx) {
            Ok(mut built) => {
                built.lints.splice(0..0, validated.dropped.iter().map(|path| dropped_key_lint(m, path)));
                Mapped::Built(Box::new(built))
            }
            Err(refusal) => Mapped::Thrown(refusal),
        }
    }

    /// Runs events through the mappings, handing every item to `emit` in order.
    pub fn run(&self, events: &[Event], selection: Selection, options: &Options, mut emit: impl FnMut(Item)) {
        let mut runner = self.runner(selection, options);
        for (index, event) in events.iter().enumerate() {
            runner.push(index, event, &mut emit);
        }
        runner.finish(&mut emit);
    }

    /// A run fed one event at a time (for streams too large to hold).
    pub fn runner<'e>(&'e self, selection: Selection, options: &'e Options) -> Runner<'e> {
        Runner {
            engine: self,
            selection,
            options,
            open: (0..self.mappings.len()).map(|_| Batch::default()).collect(),
        }
    }

    /// The per-event part of a run (triggers, mappings, schema step, building): independent of
    /// other events, so it may run on any thread; [`Runner::accept`] takes the result in order.
    pub fn prepare(&self, selection: Selection, options: &Options, event: &Event) -> Prepared {
        let throw = runtime_throw(event.value());
        let segment = self.settings.profile == Profile::Segment;
        let mapped = self
            .targets(selection, event)
            .into_iter()
            .map(|m| {
                let mode = if self.batches(m, options.batching) { Mode::Batch } else { Mode::Single };
                let mut outcome = self.apply(m, event, mode, options.explain, options.now_ms);
                // The reddit profile sends what the release throws on, and says so.
                if let (Some(throw), false, Mapped::Built(built)) = (throw, segment, &mut outcome) {
                    let lint = Lint::warning(throw.field, throw.describe())
                        .hint("The segment profile does what the release does: it does not send this event.");
                    built.lints.insert(0, lint);
                }
                (m, outcome)
            })
            .collect();
        Prepared { mapped, throw: throw.filter(|_| segment) }
    }

    /// Collects [`Engine::run`]'s items.
    pub fn preview(&self, events: &[Event], selection: Selection, options: &Options) -> Vec<Item> {
        let mut items = Vec::new();
        self.run(events, selection, options, |item| items.push(item));
        items
    }

    /// The lint for a `@path` the release splits at a dot inside its quotes.
    fn split_path_lint(&self, split: &crate::mapping::model::SplitPath) -> Lint {
        let crate::mapping::model::SplitPath { field, written, release } = split;
        let (message, hint) = if self.settings.profile == Profile::Segment {
            (
                format!(
                    "Segment's release reads {written} as {release} (it splits a quoted key at its dots): the segment profile does the same"
                ),
                "Rename the key in your events (no dot), or use the reddit profile to see the key as written.",
            )
        } else {
            (
                format!(
                    "{written} reads the key as written here, but Segment's release splits a quoted key at its dots and reads {release}"
                ),
                "Segment would not send this value: rename the key in your events (no dot).",
            )
        };
        Lint::warning(format!("mapping.{field}"), message).hint(hint)
    }

    fn request(&self, mapping: usize, batch: Batch, batched: bool, options: &Options) -> Item {
        let events_path = self.settings.api_version.events_path();
        let mut lints = lint::check_request(&self.settings, batch.indexes.len());
        let trigger = &self.mappings[mapping].trigger;
        if trigger.segment_reads_differently() {
            lints.push(
                Lint::warning(
                    "mapping.subscribe",
                    "the trigger mixes \"and\" and \"or\" without parentheses: Segment applies the last operator to every condition and reads it differently",
                )
                .hint(format!("Write it with parentheses: {trigger}")),
            );
        }
        lints.extend(self.mappings[mapping].split_paths.iter().map(|split| self.split_path_lint(split)));
        let mut identifiers = Vec::new();
        let mut bodies = Vec::with_capacity(batch.built.len());
        for (i, built) in batch.built.into_iter().enumerate() {
            if built.lints.is_empty() && built.identifiers.is_empty() {
                bodies.push(built.body);
                continue;
            }
            let prefix = format!("{events_path}[{i}]");
            for l in built.lints {
                let l = l.within(&prefix);
                if !lints.contains(&l) {
                    lints.push(l);
                }
            }
            identifiers.extend(built.identifiers.into_iter().map(|mut id| {
                id.path = format!("{prefix}.{}", id.path);
                id
            }));
            bodies.push(built.body);
        }
        lints.sort_by_key(|l| std::cmp::Reverse(l.level));
        let request = build_request(&self.settings, bodies, &options.auth, options.base_url.as_deref());
        Item::Request {
            event_indexes: batch.indexes,
            mapping: self.mappings[mapping].name.clone(),
            request,
            lints,
            identifiers,
            batched,
        }
    }
}

/// What the mappings made of one event: see [`Engine::prepare`].
#[derive(Debug)]
pub struct Prepared {
    /// (mapping index, outcome) for each mapping the event goes through, in mapping order.
    mapped: Vec<(usize, Mapped)>,
    /// The segment profile: the release's runtime throws on the event after its schema step.
    throw: Option<RuntimeThrow>,
}

/// A run in progress: see [`Engine::runner`].
pub struct Runner<'e> {
    engine: &'e Engine,
    selection: Selection,
    options: &'e Options,
    /// One open batch (at most 1,000 events) per mapping.
    open: Vec<Batch>,
}

impl Runner<'_> {
    /// Runs one event (its index in the input is `index`); finished items go to `emit`.
    pub fn push(&mut self, index: usize, event: &Event, emit: &mut impl FnMut(Item)) {
        let prepared = self.engine.prepare(self.selection, self.options, event);
        self.accept(index, prepared, emit);
    }

    /// Takes in one event [`Engine::prepare`]d with this run's selection and options (its index
    /// in the input is `index`): events must come in input order.
    pub fn accept(&mut self, index: usize, prepared: Prepared, emit: &mut impl FnMut(Item)) {
        let engine = self.engine;
        let options = self.options;
        if prepared.mapped.is_empty() {
            emit(Item::Unmatched { event_index: index });
        }
        for (m, outcome) in prepared.mapped {
            let batching = engine.batches(m, options.batching);
            let outcome = match (prepared.throw, outcome) {
                (Some(throw), Mapped::Refused(error)) if batching => {
                    self.open[m].runtime_throw.get_or_insert((index, throw));
                    Mapped::Refused(error)
                }
                (Some(throw), Mapped::Built(built)) if batching => {
                    self.open[m].runtime_throw.get_or_insert((index, throw));
                    Mapped::Built(built)
                }
                // Alone, the event the schema step passed throws.
                (Some(throw), Mapped::Built(_) | Mapped::Thrown(_)) => {
                    Mapped::Thrown(Refusal { field: throw.field.into(), message: throw.describe() })
                }
                (_, outcome) => outcome,
            };
            let size = match options.batching {
                Batching::Size(n) => n.clamp(1, MAX_EVENTS_PER_REQUEST),
                _ => MAX_EVENTS_PER_REQUEST,
            };
            let name = &engine.mappings[m].name;
            match outcome {
                Mapped::Refused(error) | Mapped::Thrown(error) if !batching => {
                    emit(Item::Refused { event_index: index, mapping: name.clone(), error })
                }
                Mapped::Refused(error) => {
                    emit(Item::Refused { event_index: index, mapping: name.clone(), error });
                    self.open[m].seen += 1;
                }
                Mapped::Thrown(error) => {
                    self.open[m].thrown.push((index, error));
                    self.open[m].seen += 1;
                }
                Mapped::WebOnly => emit(Item::WebOnly {
                    event_index: index,
                    mapping: name.clone(),
                    note: BROWSER_PLUGIN_NOTE,
                }),
                Mapped::Built(built) if batching => self.open[m].push(index, *built),
                Mapped::Built(built) => {
                    let mut one = Batch::default();
                    one.push(index, *built);
                    emit(engine.request(m, one, false, options));
                }
            }
            // A batch is the events Segment hands over together, refused ones included.
            if batching && self.open[m].seen >= size {
                self.flush(m, emit);
            }
        }
    }

    /// Closes mapping `m`'s open batch: one request, or — when the destination code threw on
    /// one of its events — every event refused, as the release fails the whole batch.
    fn flush(&mut self, m: usize, emit: &mut impl FnMut(Item)) {
        let batch = std::mem::take(&mut self.open[m]);
        let name = &self.engine.mappings[m].name;
        let passed_schema = !batch.indexes.is_empty() || !batch.thrown.is_empty();
        let whole = match (batch.runtime_throw, batch.thrown.first()) {
            // The runtime throws before the destination code runs, once one event passed.
            (Some((first, throw)), _) if passed_schema => Refusal {
                field: throw.field.into(),
                message: format!(
                    "not sent: on event {first} of this batch {}, which fails the whole batch at Segment",
                    throw.describe()
                ),
            },
            (_, Some((first, cause))) => Refusal {
                field: cause.field.clone(),
                message: format!(
                    "not sent: the destination code throws on event {first} of this batch ({cause}), which fails the whole batch at Segment"
                ),
            },
            _ => {
                if !batch.indexes.is_empty() {
                    emit(self.engine.request(m, batch, true, self.options));
                }
                return;
            }
        };
        let mut refused: Vec<(usize, Refusal)> =
            batch.indexes.into_iter().map(|i| (i, whole.clone())).chain(batch.thrown).collect();
        refused.sort_by_key(|(i, _)| *i);
        for (event_index, error) in refused {
            emit(Item::Refused { event_index, mapping: name.clone(), error });
        }
    }

    /// Sends out the batches still open, in mapping order.
    pub fn finish(mut self, emit: &mut impl FnMut(Item)) {
        for m in 0..self.open.len() {
            self.flush(m, emit);
        }
    }
}

#[derive(Default)]
struct Batch {
    indexes: Vec<usize>,
    built: Vec<BuiltEvent>,
    /// Events the destination code threw on (index, why).
    thrown: Vec<(usize, Refusal)>,
    /// The first event the release's runtime throws on (the segment profile), refused or not.
    runtime_throw: Option<(usize, RuntimeThrow)>,
    /// Events handed to this batch so far, refused ones included.
    seen: usize,
}

impl Batch {
    fn push(&mut self, index: usize, built: BuiltEvent) {
        self.indexes.push(index);
        self.built.push(built);
        self.seen += 1;
    }
}

/// The lint for an unknown key Segment's schema removed, naming the preset bug when it is one.
fn dropped_key_lint(mapping: &CompiledMapping, path: &str) -> Lint {
    let key = path.rsplit('.').next().unwrap_or(path);
    let fix = KNOWN_MISSPELLINGS.iter().find(|(wrong, _)| *wrong == path).map(|(_, right)| *right);
    let message = match (mapping.preset.filter(|p| p.corrected.is_some()), fix) {
        (Some(preset), Some(right)) => format!(
            "Segment's {:?} preset maps {path}, which is not a field: Segment's schema drops it, so {} never reaches Reddit",
            preset.name,
            right.rsplit('.').next().unwrap_or(right)
        ),
        _ => format!("{path} is not a field: Segment's schema drops the key {key:?}"),
    };
    let lint = Lint::warning(format!("mapping.{path}"), message);
    match fix {
        Some(right) => {
            lint.hint(format!("Map {right} instead of {path} (the Reddit profile's presets already do)."))
        }
        None => lint.hint("Remove the key or rename it to one of the field's properties."),
    }
}

/// One item as `preview --format json` prints it: `event_index` (or `event_indexes` for a
/// batch), `mapping`, then `request` + `lints` (+ `identifiers` and `reference` when explaining), `error`,
/// `web_only` + `note`, or `unmatched`.
pub struct JsonLine<'a> {
    pub item: &'a Item,
    pub explain: bool,
    /// With `explain`: what the body matches (`mapping::release::body_reference`).
    pub reference: Option<&'a str>,
}

impl JsonLine<'_> {
    /// Appends the line's compact JSON (no line break) to `out`. A request goes out through
    /// [`json::write_request`]: through serde, its body was checked again as a `RawValue`, about
    /// 2 % of `preview --batch`'s CPU samples (`perf`, 100,000 Purchase events).
    pub fn write(&self, out: &mut Vec<u8>) {
        let mut o = json::Object::open(out);
        match self.item {
            Item::Request { event_indexes, mapping, request, lints, identifiers, batched } => {
                if *batched {
                    o.serde("event_indexes", event_indexes);
                } else {
                    o.serde("event_index", &event_indexes[0]);
                }
                o.serde("mapping", mapping);
                json::write_request(o.key("request"), request);
                o.serde("lints", lints);
                if self.explain {
                    o.serde("identifiers", identifiers);
                    if let Some(reference) = self.reference {
                        o.serde("reference", reference);
                    }
                }
            }
            Item::Refused { event_index, mapping, error } => {
                o.serde("event_index", event_index);
                o.serde("mapping", mapping);
                o.serde("error", error);
            }
            Item::WebOnly { event_index, mapping, note } => {
                o.serde("event_index", event_index);
                o.serde("mapping", mapping);
                o.key("web_only").extend_from_slice(b"true");
                o.serde("note", note);
            }
            Item::Unmatched { event_index } => {
                o.serde("event_index", event_index);
                o.key("unmatched").extend_from_slice(b"true");
            }
        }
        o.close();
    }

    /// The line as a JSON value.
    pub fn to_value(&self) -> serde_json::Value {
        let mut line = Vec::new();
        self.write(&mut line);
        serde_json::from_slice(&line).expect("a written line is JSON")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::stream_events;

    /// A Purchase event with `email` and `currency`.
    fn purchase(email: &str, currency: &str) -> String {
        serde_json::json!({"type": "track", "event": "Order Completed", "timestamp": "2024-01-08T13:52:50.212Z",
            "messageId": "m", "properties": {"email": email, "currency": currency}})
        .to_string()
    }

    fn run(lines: &[String], batching: Batching) -> Vec<Item> {
        run_with(lines, batching, Profile::Segment)
    }

    fn run_with(lines: &[String], batching: Batching, profile: Profile) -> Vec<Item> {
        let settings = Settings { profile, ..Settings::default() };
        let engine = Engine::new(&Workspace::presets(), settings).unwrap();
        let text = lines.join("\n");
        let events: Vec<Event> = stream_events(&text, "t").map(Result::unwrap).collect();
        let purchase = engine.find("Purchase").unwrap();
        let options = Options { batching, now_ms: 1_704_721_970_212, ..Options::default() };
        engine.preview(&events, Selection::Mapping(purchase), &options)
    }

    /// The requests and lints of one custom mapping over `event`, batched or not.
    fn run_mapping(mapping: serde_json::Value, event: &str, profile: Profile, batch: bool) -> Vec<Item> {
        let mut workspace = Workspace::presets();
        workspace.mappings = vec![serde_json::from_value(mapping).unwrap()];
        let engine = Engine::new(&workspace, Settings { profile, ..Settings::default() }).unwrap();
        let events: Vec<Event> = stream_events(event, "t").map(Result::unwrap).collect();
        let batching = if batch { Batching::Size(1) } else { Batching::Never };
        let options = Options { batching, now_ms: 1_704_721_970_212, ..Options::default() };
        engine.preview(&events, Selection::Mapping(0), &options)
    }

    // Known answers from the release (tests/differential, "standard: bracket paths with dots"):
    // `$.properties["order.id"]` reads properties.order.id; in a batch the "" it finds is kept.
    #[test]
    fn a_quoted_key_with_a_dot_is_read_as_the_release_splits_it_in_the_segment_profile() {
        let mapping = serde_json::json!({"name": "L", "action": "standardEvent", "subscribe": "type = \"track\"",
            "mapping": {"tracking_type": "Lead", "conversion_id": {"@path": "$.properties[\"order.id\"]"}}});
        let event = r#"{"type": "track", "timestamp": "2024-01-08T13:52:50.212Z",
            "properties": {"order.id": "flat", "order": {"id": "nested"}}}"#;
        let conversion_id = |items: &[Item]| {
            let Item::Request { request, lints, .. } = &items[0] else { panic!("{items:?}") };
            let body = request.body.to_value();
            let lint =
                lints.iter().find(|l| l.field == "mapping.conversion_id").expect("a lint").message.clone();
            (body["events"][0]["event_metadata"]["conversion_id"].clone(), lint)
        };
        let (segment, lint) = conversion_id(&run_mapping(mapping.clone(), event, Profile::Segment, false));
        assert_eq!(segment, crate::identity::sha256_hex("nested"));
        assert!(lint.contains("splits") && lint.contains("properties.order.id"), "{lint}");
        let (reddit, lint) = conversion_id(&run_mapping(mapping.clone(), event, Profile::Reddit, false));
        assert_eq!(reddit, crate::identity::sha256_hex("flat"));
        assert!(lint.contains("Segment's release splits"), "{lint}");
        let empty = r#"{"type": "track", "timestamp": "2024-01-08T13:52:50.212Z", "properties": {"order": {"id": ""}}}"#;
        let (single, _) = conversion_id(&run_mapping(mapping.clone(), empty, Profile::Segment, false));
        assert_eq!(single, serde_json::Value::Null, "a root-level \"\" is removed from a single event");
        let (batched, _) = conversion_id(&run_mapping(mapping, empty, Profile::Segment, true));
        assert_eq!(batched, "", "and kept in a batch");
    }

    // Known answers from the release ("standard: @arrayPath with {}"): with an empty item mapping
    // the products are the event's, each cut to the schema's keys; `[false]` is refused.
    #[test]
    fn array_path_with_an_empty_item_mapping_hands_the_items_to_the_schema() {
        let mapping = serde_json::json!({"name": "P", "action": "standardEvent", "subscribe": "type = \"track\"",
            "mapping": {"tracking_type": "Purchase", "products": {"@arrayPath": ["$.properties.products", {}]}}});
        let event = |products: &str| {
            format!(
                r#"{{"type": "track", "timestamp": "2024-01-08T13:52:50.212Z", "properties": {{"products": {products}}}}}"#
            )
        };
        let items = run_mapping(
            mapping.clone(),
            &event(r#"[{"id": "p1", "name": "N", "extra": 1, "quantity": 2}]"#),
            Profile::Segment,
            false,
        );
        let Item::Request { request, .. } = &items[0] else { panic!("{items:?}") };
        assert_eq!(
            request.body.to_value()["events"][0]["event_metadata"]["products"],
            serde_json::json!([{"id": "p1", "name": "N"}])
        );
        let items = run_mapping(mapping, &event("[false]"), Profile::Segment, false);
        assert!(matches!(&items[0], Item::Refused { .. }), "{items:?}");
    }

    fn refused(items: &[Item]) -> Vec<usize> {
        items
            .iter()
            .filter_map(|i| if let Item::Refused { event_index, .. } = i { Some(*event_index) } else { None })
            .collect()
    }

    fn requests(items: &[Item]) -> Vec<Vec<usize>> {
        items
            .iter()
            .filter_map(|i| {
                if let Item::Request { event_indexes, .. } = i { Some(event_indexes.clone()) } else { None }
            })
            .collect()
    }

    #[test]
    fn a_schema_refusal_leaves_only_that_event_out_of_its_batch() {
        // The release: a multistatus 400 for event 1 (BTC is not in its currency list), the rest sent.
        let items = run(
            &[purchase("a@b.c", "USD"), purchase("a@b.c", "BTC"), purchase("a@b.c", "JPY")],
            Batching::Size(3),
        );
        assert_eq!(refused(&items), [1]);
        assert_eq!(requests(&items), [vec![0, 2]]);
    }

    #[test]
    fn a_throw_fails_the_whole_batch() {
        // The release: canonicalizeEmail throws a TypeError on "nobody" and executeBatch rejects.
        let items = run(
            &[purchase("a@b.c", "USD"), purchase("nobody", "USD"), purchase("c@d.e", "USD")],
            Batching::Size(3),
        );
        assert_eq!(refused(&items), [0, 1, 2]);
        assert!(requests(&items).is_empty());
        let Item::Refused { error, .. } = &items[0] else { panic!() };
        assert!(error.message.contains("throws on event 1"), "{}", error.message);
        // Alone, the same event is refused and the others are sent.
        let single = run(&[purchase("a@b.c", "USD"), purchase("nobody", "USD")], Batching::Never);
        assert_eq!(refused(&single), [1]);
        assert_eq!(requests(&single), [vec![0]]);
    }

    #[test]
    fn batches_close_after_n_events_refused_ones_included() {
        let lines = [
            purchase("a@b.c", "USD"),
            purchase("a@b.c", "BTC"),
            purchase("a@b.c", "USD"),
            purchase("x@y.z", "EUR"),
        ];
        let items = run(&lines, Batching::Size(2));
        assert_eq!(requests(&items), [vec![0], vec![2, 3]]);
        // A throw fails its own batch only.
        let lines = [purchase("a@b.c", "USD"), purchase("nobody", "USD"), purchase("a@b.c", "USD")];
        let items = run(&lines, Batching::Size(2));
        assert_eq!(refused(&items), [0, 1]);
        assert_eq!(requests(&items), [vec![2]]);
    }

    /// A Purchase event with `context` set to `context` (JSON text).
    fn with_context(currency: &str, context: &str) -> String {
        let mut event: serde_json::Value = serde_json::from_str(&purchase("a@b.c", currency)).unwrap();
        event["context"] = serde_json::from_str(context).unwrap();
        event.to_string()
    }

    fn errors(items: &[Item]) -> Vec<(usize, String, String)> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Refused { event_index, error, .. } => {
                    Some((*event_index, error.field.clone(), error.message.clone()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_segment_profile_does_not_send_what_the_releases_runtime_throws_on() {
        // The release: executeAction throws "Cannot destructure property 'personas' of '{}' as it
        // is null." (context: null) or "Cannot read properties of null (reading
        // 'computation_class')" (context.personas: null); a valid context is sent.
        let lines = [with_context("USD", "null"), with_context("USD", r#"{"personas": null}"#)];
        let items = run(&lines, Batching::Never);
        let refused = errors(&items);
        assert_eq!(refused.len(), 2);
        assert_eq!((refused[0].0, refused[0].1.as_str()), (0, "context"));
        assert!(refused[0].2.contains("Cannot destructure property 'personas'"), "{}", refused[0].2);
        assert_eq!((refused[1].0, refused[1].1.as_str()), (1, "context.personas"));
        let sent =
            run(&[with_context("USD", r#"{"personas": "x"}"#), with_context("USD", "7")], Batching::Never);
        assert_eq!(requests(&sent), [vec![0], vec![1]]);
        // Refused by the schema step first, it is refused for that.
        let items = run(&[with_context("BTC", "null")], Batching::Never);
        assert_eq!(errors(&items)[0].1, "event_metadata.currency");
    }

    #[test]
    fn in_a_batch_the_runtime_throw_fails_it_once_it_holds_a_valid_event() {
        // The release's executeBatch: the throw comes after the schema step, only when some
        // payload passed it; then the whole batch rejects.
        let items = run(
            &[purchase("a@b.c", "USD"), with_context("USD", "null"), purchase("c@d.e", "USD")],
            Batching::Size(3),
        );
        assert_eq!(refused(&items), [0, 1, 2]);
        assert!(requests(&items).is_empty());
        assert!(
            errors(&items)[0].2.contains("on event 1 of this batch context is null"),
            "{:?}",
            errors(&items)
        );
        // The event itself refused by the schema step still fails the batch…
        let items = run(&[with_context("BTC", "null"), purchase("a@b.c", "USD")], Batching::Size(2));
        assert_eq!(refused(&items), [0, 1]);
        assert!(requests(&items).is_empty());
        // …but not when nothing passed: each is left out for its own reason.
        let items = run(&[with_context("BTC", "null"), purchase("a@b.c", "BTC")], Batching::Size(2));
        assert!(errors(&items).iter().all(|e| e.1 == "event_metadata.currency"), "{:?}", errors(&items));
        // Other batches are untouched.
        let items = run(&[with_context("USD", "null"), purchase("a@b.c", "USD")], Batching::Size(1));
        assert_eq!((refused(&items), requests(&items)), (vec![0], vec![vec![1]]));
    }

    #[test]
    fn the_reddit_profile_sends_what_the_release_throws_on_with_a_warning() {
        let items = run_with(&[with_context("USD", "null")], Batching::Size(2), Profile::Reddit);
        let Some(Item::Request { lints, event_indexes, .. }) = items.first() else { panic!("{items:?}") };
        assert_eq!(event_indexes, &[0]);
        let lint = lints.iter().find(|l| l.field.ends_with("context")).expect("a lint naming the quirk");
        assert_eq!(lint.level, lint::Level::Warning);
        assert!(lint.message.contains("Segment's release throws"), "{}", lint.message);
    }
}
