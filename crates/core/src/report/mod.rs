//! The corpus report: a whole file of events through the engine at once, summed up — per
//! mapping what was matched, built and refused (and why), which attribution signals the built
//! requests carry, what normalization did, lints, timing and deduplication.
//!
//! [`Corpus`] takes events one at a time and keeps only counts, the first few event indexes of
//! every group ([`EXAMPLES`]), at most [`MAX_GROUPS`] groups per table, and a deduplication
//! index bounded by [`dedup::CAPACITY`]: memory does not grow with the input. [`run`] feeds it
//! from an iterator parsed on a second thread. It is coverage of the signals Reddit matches on,
//! computed from the requests the console would send — not Reddit's own score ([`ABOUT`]).

pub mod dedup;
mod render;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::engine::{Batching, Engine, Mapped, Selection};
use crate::identity::{IdentifierField, Profile, step_rule};
use crate::mapping::schema::Mode;
use crate::reddit::lint::{Level, MAX_AGE_MS, MAX_FUTURE_MS};
use crate::reddit::signals::{self, Signal};
use crate::reddit::{ApiVersion, BuiltEvent, wire};
use crate::segment::Event;

pub use render::{markdown, percent, text};

/// What the report is, stated in every output.
pub const ABOUT: &str = "Coverage of the signals Reddit matches on, computed from the requests this console would send for these events. It is not Reddit's own score (Events Manager shows that only after real traffic).";

/// Event indexes kept per group.
pub const EXAMPLES: usize = 5;
/// Groups kept per table (refusals per mapping, lints); the rest are counted under "other".
pub const MAX_GROUPS: usize = 50;

/// The field and reason of the group that holds every kind past the first [`MAX_GROUPS`] − 1.
pub const OTHER: &str = "(other kinds)";

/// A count and the first event indexes (0-based, in input order) that made it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Examples {
    pub count: u64,
    /// At most [`EXAMPLES`] distinct indexes, ascending.
    pub first: Vec<usize>,
}

impl Examples {
    fn add(&mut self, index: usize) {
        self.count += 1;
        if self.first.len() < EXAMPLES && self.first.last() != Some(&index) {
            self.first.push(index);
        }
    }
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub about: &'static str,
    /// "Now" for the timing section (RFC 3339).
    pub now: String,
    pub profile: Profile,
    pub api_version: ApiVersion,
    /// Events read.
    pub events: u64,
    /// Events no mapping matched.
    pub unmatched: Examples,
    pub mappings: Vec<MappingReport>,
    /// Events built into requests (an event built by two mappings counts twice).
    pub built: u64,
    /// Per signal, over built events, in [`Signal::ALL`] order.
    pub coverage: Vec<Coverage>,
    /// Built events by how many of the seven signals they carry (index 0 … 7).
    pub signals: Vec<Examples>,
    pub normalization: Normalization,
    pub lints: Vec<LintGroup>,
    pub timing: Timing,
    pub dedup: Dedup,
}

impl Report {
    /// Every group's examples, with a title naming the group (for lists a person picks from).
    pub fn groups(&self) -> Vec<(String, &Examples)> {
        let mut out = vec![("matched no mapping".to_string(), &self.unmatched)];
        for m in &self.mappings {
            for g in &m.refusals {
                out.push((format!("{} refused: {}: {}", m.name, g.field, g.reason), &g.events));
            }
        }
        for c in &self.coverage {
            out.push((format!("without {}", c.label), &c.missing));
        }
        for (n, e) in self.signals.iter().enumerate() {
            out.push((format!("{n} of 7 signals"), e));
        }
        let n = &self.normalization;
        for g in &n.rules {
            out.push((format!("{}: {}", g.field, g.rule), &g.events));
        }
        out.push(("already hashed".into(), &n.already_hashed));
        out.push((
            format!("hash differs under the {} profile", n.other_profile),
            &n.differs_under_other_profile,
        ));
        // A group's message is its first event's: with more events, say it is an example (a group
        // of 8- to 30-day-old events is not "30 days old").
        for l in &self.lints {
            let example = if l.events.count > 1 { "e.g. " } else { "" };
            out.push((format!("{} {}: {example}{}", l.level.as_str(), l.field, l.message), &l.events));
        }
        out.push(("older than 7 days".into(), &self.timing.too_old));
        out.push(("more than 5 minutes in the future".into(), &self.timing.future));
        out.push(("repeated conversion id".into(), &self.dedup.duplicates));
        out
    }

    /// Every event index any group lists (bounded: [`EXAMPLES`] per group).
    pub fn example_indexes(&self) -> std::collections::BTreeSet<usize> {
        self.groups().into_iter().flat_map(|(_, e)| e.first.iter().copied()).collect()
    }
}

/// One mapping's tally: `matched = built + refused + web_only`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MappingReport {
    pub name: String,
    pub matched: u64,
    pub built: u64,
    pub refused: u64,
    /// The browser plugin preset: matched, nothing to build.
    pub web_only: u64,
    /// Refusals by field and reason, most frequent first.
    pub refusals: Vec<RefusalGroup>,
}

/// Refusals with the same field and reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusalGroup {
    pub field: String,
    pub reason: String,
    pub events: Examples,
}

/// How many built events carry one signal; `missing` lists those without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub signal: Signal,
    pub label: &'static str,
    pub present: u64,
    pub missing: Examples,
    /// For a signal made of parts (ip + user agent + screen): how many events carry each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<PartCount>,
}

/// How many built events carry one part of a signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartCount {
    pub part: &'static str,
    pub present: u64,
}

impl Coverage {
    /// The signal's label, with the parts some of `built` events lack for a signal made of
    /// parts: `ip + user agent + screen (without screen: 20)`.
    pub fn title(&self, built: u64) -> String {
        let lacking: Vec<String> = self
            .parts
            .iter()
            .filter(|p| p.present < built)
            .map(|p| format!("without {}: {}", p.part, built - p.present))
            .collect();
        if lacking.is_empty() {
            self.label.to_string()
        } else {
            format!("{} ({})", self.label, lacking.join(", "))
        }
    }
}

/// What normalization did to the hashed identifiers of built events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Normalization {
    /// Identifier values hashed, per field.
    pub values: Vec<FieldCount>,
    /// How often each rule changed a value, per field, most frequent first.
    pub rules: Vec<RuleCount>,
    /// Values that arrived as SHA-256 digests and were sent unchanged.
    pub already_hashed: Examples,
    /// Values whose hash under the other profile differs.
    pub other_profile: Profile,
    pub differs_under_other_profile: Examples,
}

/// Values of one identifier field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldCount {
    pub field: IdentifierField,
    pub values: u64,
}

/// How often one rule changed values of one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    pub field: IdentifierField,
    pub rule: &'static str,
    pub events: Examples,
}

/// Lints of one rule: the same level, field and message but for the numbers (array indexes
/// too: `products[#].id`) and quoted values in them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LintGroup {
    pub level: Level,
    pub field: String,
    /// The first occurrence's message (others may differ in the values they quote).
    pub message: String,
    pub events: Examples,
}

/// `event_at` of built events against "now".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Timing {
    /// More than 7 days old: Reddit rejects them.
    pub too_old: Examples,
    /// More than 5 minutes ahead.
    pub future: Examples,
    /// The earliest and latest `event_at` (RFC 3339).
    pub earliest: Option<String>,
    pub latest: Option<String>,
}

/// Repeated conversion ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dedup {
    pub with_conversion_id: u64,
    pub without_conversion_id: u64,
    /// Same conversion id and type (and custom name) within 48 h of an earlier one: Reddit
    /// would drop them.
    pub duplicates: Examples,
    /// Distinct conversion ids the bounded index holds at most.
    pub capacity: usize,
    /// Events not checked because the index was full of ids from the last 48 h.
    pub unchecked: u64,
}

/// Accumulates a report one event at a time.
pub struct Corpus<'e> {
    engine: &'e Engine,
    selection: Selection,
    now_ms: i64,
    report: Report,
    refusal_groups: Vec<HashMap<(String, String), usize>>,
    lint_groups: HashMap<(Level, String, String), usize>,
    range: Option<(i64, i64)>,
    dedup: dedup::Index,
}

impl<'e> Corpus<'e> {
    /// A report over `engine`'s mappings; `now_ms` is "now" for the timing section.
    pub fn new(engine: &'e Engine, selection: Selection, now_ms: i64) -> Corpus<'e> {
        let report = Report {
            about: ABOUT,
            now: crate::timestamp::format_rfc3339(now_ms),
            profile: engine.settings.profile,
            api_version: engine.settings.api_version,
            events: 0,
            unmatched: Examples::default(),
            mappings: engine
                .mappings
                .iter()
                .map(|m| MappingReport { name: m.name.clone(), ..MappingReport::default() })
                .collect(),
            built: 0,
            coverage: Signal::ALL
                .iter()
                .map(|&signal| Coverage {
                    signal,
                    label: signal.label(),
                    present: 0,
                    missing: Examples::default(),
                    parts: match signal {
                        Signal::IpUserAgent => {
                            signals::IP_PARTS.iter().map(|&part| PartCount { part, present: 0 }).collect()
                        }
                        _ => Vec::new(),
                    },
                })
                .collect(),
            signals: vec![Examples::default(); Signal::ALL.len() + 1],
            normalization: Normalization {
                values: IdentifierField::ALL.iter().map(|&field| FieldCount { field, values: 0 }).collect(),
                other_profile: engine.settings.profile.other(),
                ..Normalization::default()
            },
            lints: Vec::new(),
            timing: Timing::default(),
            dedup: Dedup { capacity: dedup::CAPACITY, ..Dedup::default() },
        };
        Corpus {
            engine,
            selection,
            now_ms,
            report,
            refusal_groups: vec![HashMap::new(); engine.mappings.len()],
            lint_groups: HashMap::new(),
            range: None,
            dedup: dedup::Index::default(),
        }
    }

    /// Runs one event (`index` is its place in the input) through the mappings.
    pub fn push(&mut self, index: usize, event: &Event) {
        let evaluated = evaluate(self.engine, self.selection, self.now_ms, event);
        self.record(index, evaluated);
    }

    /// Counts what the mappings made of event `index`.
    fn record(&mut self, index: usize, evaluated: Evaluated) {
        self.report.events += 1;
        if evaluated.is_empty() {
            self.report.unmatched.add(index);
        }
        for (m, seen) in evaluated {
            let tally = &mut self.report.mappings[m];
            tally.matched += 1;
            match seen {
                Seen::WebOnly => tally.web_only += 1,
                Seen::Refused { field, message } => {
                    tally.refused += 1;
                    let key = (field, message);
                    let group = group(
                        &mut tally.refusals,
                        &mut self.refusal_groups[m],
                        key,
                        |(field, reason), other| {
                            let (field, reason) =
                                if other { (OTHER.into(), OTHER.into()) } else { (field, reason) };
                            RefusalGroup { field, reason, events: Examples::default() }
                        },
                    );
                    tally.refusals[group].events.add(index);
                }
                Seen::Built(facts) => {
                    tally.built += 1;
                    self.built(index, *facts);
                }
            }
        }
    }

    fn built(&mut self, index: usize, facts: Facts) {
        let report = &mut self.report;
        report.built += 1;
        for (coverage, has) in report.coverage.iter_mut().zip(facts.signals) {
            if has {
                coverage.present += 1;
            } else {
                coverage.missing.add(index);
            }
            for (part, has) in coverage.parts.iter_mut().zip(facts.ip_parts) {
                part.present += u64::from(has);
            }
        }
        report.signals[facts.signals.iter().filter(|&&p| p).count()].add(index);

        let n = &mut report.normalization;
        for id in &facts.identifiers {
            if let Some(count) = n.values.iter_mut().find(|c| c.field == id.field) {
                count.values += 1;
            }
            if id.already_hashed {
                n.already_hashed.add(index);
            }
            if id.differs {
                n.differs_under_other_profile.add(index);
            }
            for &rule in &id.rules {
                let g = match n.rules.iter().position(|r| r.field == id.field && r.rule == rule) {
                    Some(g) => g,
                    None => {
                        n.rules.push(RuleCount { field: id.field, rule, events: Examples::default() });
                        n.rules.len() - 1
                    }
                };
                n.rules[g].events.add(index);
            }
        }

        for lint in facts.lints {
            let message = lint.message;
            let key = (lint.level, lint.field, lint.shape);
            let g =
                group(&mut report.lints, &mut self.lint_groups, key, |(level, field, _), other| LintGroup {
                    level,
                    field: if other { OTHER.into() } else { field },
                    message: if other { OTHER.into() } else { message },
                    events: Examples::default(),
                });
            report.lints[g].events.add(index);
        }

        if let Some(ms) = facts.at {
            if self.now_ms - ms > MAX_AGE_MS {
                report.timing.too_old.add(index);
            } else if ms - self.now_ms > MAX_FUTURE_MS {
                report.timing.future.add(index);
            }
            self.range = Some(self.range.map_or((ms, ms), |(lo, hi)| (lo.min(ms), hi.max(ms))));
        }
        match facts.dedup_key {
            None => report.dedup.without_conversion_id += 1,
            Some(key) => {
                report.dedup.with_conversion_id += 1;
                match self.dedup.check(key, facts.at.unwrap_or(self.now_ms)) {
                    dedup::Verdict::Unique => {}
                    dedup::Verdict::Duplicate => report.dedup.duplicates.add(index),
                    dedup::Verdict::Unchecked => report.dedup.unchecked += 1,
                }
            }
        }
    }

    /// The report so far.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The finished report: groups sorted by count (most first).
    pub fn finish(mut self) -> Report {
        let by_count = |a: &Examples, b: &Examples| b.count.cmp(&a.count);
        for m in &mut self.report.mappings {
            m.refusals.sort_by(|a, b| by_count(&a.events, &b.events));
        }
        self.report.normalization.rules.sort_by(|a, b| by_count(&a.events, &b.events));
        self.report.lints.sort_by(|a, b| b.level.cmp(&a.level).then(by_count(&a.events, &b.events)));
        if let Some((lo, hi)) = self.range {
            self.report.timing.earliest = Some(crate::timestamp::format_rfc3339(lo));
            self.report.timing.latest = Some(crate::timestamp::format_rfc3339(hi));
        }
        self.report
    }
}

/// The index of `key`'s group in `groups`, made with `make(key, false)` when new. Groups are
/// bounded: the [`MAX_GROUPS`]th is `make(key, true)`, an "other" group every further new key
/// shares.
fn group<K: Eq + std::hash::Hash + Clone, G>(
    groups: &mut Vec<G>,
    index: &mut HashMap<K, usize>,
    key: K,
    make: impl FnOnce(K, bool) -> G,
) -> usize {
    if let Some(&i) = index.get(&key) {
        return i;
    }
    let other = MAX_GROUPS - 1;
    if groups.len() >= other {
        if groups.len() == other {
            groups.push(make(key, true));
        }
        return other;
    }
    groups.push(make(key.clone(), false));
    index.insert(key, groups.len() - 1);
    groups.len() - 1
}

/// What one mapping made of one event, reduced to what the report counts. It is worked out
/// where the event was built (a worker), so that the request itself never crosses threads.
enum Seen {
    WebOnly,
    Refused { field: String, message: String },
    Built(Box<Facts>),
}

/// The facts of one built event.
struct Facts {
    signals: [bool; 7],
    ip_parts: [bool; 3],
    identifiers: Vec<IdFacts>,
    lints: Vec<LintFacts>,
    /// `event_at` in epoch milliseconds.
    at: Option<i64>,
    /// The deduplication key, when the event carries a conversion id.
    dedup_key: Option<u64>,
}

struct IdFacts {
    field: IdentifierField,
    /// The rules that changed the value, each once.
    rules: Vec<&'static str>,
    already_hashed: bool,
    differs: bool,
}

struct LintFacts {
    level: Level,
    /// Array indexes folded (`products[#].id`).
    field: String,
    /// The message's shape (the group key) and the message.
    shape: String,
    message: String,
}

impl Facts {
    fn of(built: BuiltEvent) -> Facts {
        let identifiers = built
            .identifiers
            .iter()
            .map(|id| {
                let h = &id.hashed;
                let mut rules: Vec<&'static str> = Vec::with_capacity(h.steps.len());
                for rule in h.steps.iter().map(|s| step_rule(s)) {
                    if !rules.contains(&rule) {
                        rules.push(rule);
                    }
                }
                IdFacts {
                    field: h.field,
                    rules,
                    already_hashed: h.already_hashed,
                    differs: h.other_profile_hash.is_some(),
                }
            })
            .collect();
        let lints = built
            .lints
            .into_iter()
            .map(|l| LintFacts {
                level: l.level,
                field: shape(&l.field),
                shape: shape(&l.message),
                message: l.message,
            })
            .collect();
        let (event_at, conversion_id) = match &built.body {
            wire::RedditEvent::V2(e) => {
                (&e.event_at, e.event_metadata.as_ref().and_then(|m| m.conversion_id.as_deref()))
            }
            wire::RedditEvent::V3(e) => {
                (&e.event_at, e.metadata.as_ref().and_then(|m| m.conversion_id.as_deref()))
            }
        };
        let kind = built.body.event_type();
        let dedup_key = conversion_id
            .filter(|c| !c.trim().is_empty())
            .map(|id| dedup::key(id, &kind.tracking_type, kind.custom_event_name.as_deref()));
        Facts {
            signals: signals::present(&built.body),
            ip_parts: signals::ip_parts(&built.body),
            identifiers,
            lints,
            at: crate::timestamp::parse_json(event_at).map(|p| p.millis()),
            dedup_key,
        }
    }
}

/// What the mappings made of one event: each target mapping's (none: no mapping matched).
type Evaluated = Vec<(usize, Seen)>;

/// Runs one event through the mappings `selection` picks (the expensive part, done in parallel).
fn evaluate(engine: &Engine, selection: Selection, now_ms: i64, event: &Event) -> Evaluated {
    engine
        .targets(selection, event)
        .into_iter()
        .map(|m| {
            let mode = if engine.batches(m, Batching::Mappings) { Mode::Batch } else { Mode::Single };
            let seen = match engine.apply(m, event, mode, true, now_ms) {
                Mapped::WebOnly => Seen::WebOnly,
                // Thrown: the release's code throws on the event; it is not sent either way.
                Mapped::Refused(r) | Mapped::Thrown(r) => {
                    Seen::Refused { field: r.field, message: r.message }
                }
                Mapped::Built(built) => Seen::Built(Box::new(Facts::of(*built))),
            };
            (m, seen)
        })
        .collect()
}

/// A message or field with its numbers and quoted values blanked (`event_at is 9 days old` →
/// `event_at is # days old`, `products[3].id` → `products[#].id`), so that one rule is one
/// group whatever it quotes.
fn shape(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                out.push(c);
            }
            _ if quoted => {}
            '0'..='9' if out.ends_with('#') => {}
            '0'..='9' => out.push('#'),
            c => out.push(c),
        }
    }
    out
}

/// Runs `events` through `corpus` on every core: the iterator (the parsing) on one thread,
/// the mappings on one worker per core, and the counting here, in input order. `progress` gets
/// the number of events counted after every chunk; the run stops early, returning `Ok(false)`,
/// when it returns false. The first error stops the run.
pub fn run<E: Send>(
    corpus: &mut Corpus<'_>,
    events: impl Iterator<Item = Result<Event, E>> + Send,
    mut progress: impl FnMut(u64) -> bool,
) -> Result<bool, E> {
    const CHUNK: usize = 256;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let (engine, selection, now_ms) = (corpus.engine, corpus.selection, corpus.now_ms);
    let (chunks, to_do) = sync_channel::<(usize, Vec<Event>)>(2 * workers);
    // Shared by the workers; when they are all gone, the parser's next send fails and it stops.
    let to_do = Arc::new(Mutex::new(to_do));
    let (done, results) = sync_channel::<Result<(usize, Vec<Evaluated>), E>>(4 * workers);
    // Evaluated events go back to the parser to be freed on the thread that allocated them
    // (the allocator frees a thread's own blocks much faster than another thread's).
    let (recycle, used) = std::sync::mpsc::channel::<Vec<Event>>();
    std::thread::scope(|scope| {
        let failed = done.clone();
        scope.spawn(move || {
            let mut chunk = Vec::with_capacity(CHUNK);
            let mut seq = 0;
            for event in events {
                if chunk.is_empty() {
                    while used.try_recv().is_ok() {}
                }
                match event {
                    Ok(event) => chunk.push(event),
                    Err(e) => {
                        let _ = failed.send(Err(e));
                        return;
                    }
                }
                if chunk.len() == CHUNK {
                    if chunks.send((seq, std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))).is_err() {
                        return;
                    }
                    seq += 1;
                }
            }
            if !chunk.is_empty() {
                let _ = chunks.send((seq, chunk));
            }
        });
        for _ in 0..workers {
            let (to_do, done, recycle) = (Arc::clone(&to_do), done.clone(), recycle.clone());
            scope.spawn(move || {
                loop {
                    let next = to_do.lock().map_err(|_| ()).and_then(|rx| rx.recv().map_err(|_| ()));
                    let Ok((seq, events)) = next else { return };
                    let evaluated = events.iter().map(|e| evaluate(engine, selection, now_ms, e)).collect();
                    let _ = recycle.send(events);
                    if done.send(Ok((seq, evaluated))).is_err() {
                        return;
                    }
                }
            });
        }
        drop((done, to_do, recycle));
        // Chunks arrive in any order; they are counted in input order.
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        for result in results {
            let (seq, evaluated) = result?;
            waiting.insert(seq, evaluated);
            while let Some(evaluated) = waiting.remove(&next) {
                for outcome in evaluated {
                    let index = corpus.report.events as usize;
                    corpus.record(index, outcome);
                }
                next += 1;
                if !progress(corpus.report.events) {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    })
}
