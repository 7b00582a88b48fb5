//! What the emulator received: every accepted event with its deduplication verdict (spec §8:
//! same conversion_id and event type — and name, for custom events — within 2 days). The store
//! keeps the newest events only, so memory stays bounded.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::reddit::ApiVersion;
use crate::timestamp::{EpochMillis, format_rfc3339};

use crate::reddit::DEDUP_WINDOW_MS;

/// Default bound of the store.
pub const DEFAULT_MAX_EVENTS: usize = 100_000;

/// The deduplication verdict of one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dedup {
    /// First event with its conversion_id and type within 2 days.
    Unique,
    /// An earlier event (see [`Received::duplicate_of`]) has the same conversion_id and type.
    WouldBeDeduplicated,
    /// No conversion_id: Reddit can only deduplicate by session.
    SessionOnly,
}

impl Dedup {
    /// The verdict as shown: `unique`, `would be deduplicated`, or the session-only note.
    pub fn verdict(self) -> &'static str {
        match self {
            Dedup::Unique => "unique",
            Dedup::WouldBeDeduplicated => "would be deduplicated",
            Dedup::SessionOnly => {
                "no conversion_id: deduplicated only by session (uuid/external_id within 5 minutes)"
            }
        }
    }
}

impl Serialize for Dedup {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.verdict())
    }
}

/// The event a duplicate repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EarlierEvent {
    pub id: u64,
    pub received_at: String,
}

/// One accepted event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Received {
    /// Sequence number, from 1, never reused (not even after a clear).
    pub id: u64,
    /// RFC 3339 UTC with milliseconds, from the emulator's clock.
    pub received_at: String,
    #[serde(skip)]
    pub received_ms: EpochMillis,
    /// `v2.0` or `v3`.
    pub api_version: ApiVersion,
    pub pixel_id: String,
    /// v2 `test_mode: true`, or a v3 `data.test_id`.
    pub test: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
    pub dedup: Dedup,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<EarlierEvent>,
    /// The event JSON, as sent.
    pub event: Value,
}

/// What makes two events the same conversion.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    pixel: String,
    conversion_id: String,
    /// Tracking type without underscores, upper case: v2 `AddToCart` and v3 `ADD_TO_CART` agree.
    tracking: String,
    custom_name: Option<String>,
}

fn key(version: ApiVersion, pixel: &str, event: &Value) -> Option<Key> {
    let (metadata, kind) = match version {
        ApiVersion::V2 => ("event_metadata", "event_type"),
        ApiVersion::V3 => ("metadata", "type"),
    };
    let conversion_id =
        event.get(metadata)?.get("conversion_id")?.as_str().filter(|c| !c.trim().is_empty())?;
    let kind = event.get(kind);
    let tracking: String = kind
        .and_then(|k| k.get("tracking_type"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_uppercase)
        .collect();
    let custom_name = (tracking == "CUSTOM")
        .then(|| kind.and_then(|k| k.get("custom_event_name")).and_then(Value::as_str).map(str::to_string))
        .flatten();
    Some(Key { pixel: pixel.to_string(), conversion_id: conversion_id.to_string(), tracking, custom_name })
}

/// An accepted batch, as recorded.
pub(crate) struct Batch<'a> {
    pub version: ApiVersion,
    pub pixel: &'a str,
    pub test: bool,
    pub test_id: Option<&'a str>,
    pub partner: Option<&'a str>,
    pub events: Vec<Value>,
}

/// The details every event of a batch shares.
#[derive(Debug)]
struct BatchInfo {
    received_at: String,
    received_ms: EpochMillis,
    api_version: ApiVersion,
    pixel_id: String,
    test: bool,
    test_id: Option<String>,
    partner: Option<String>,
}

/// One kept event. The event is kept as compact JSON text: kept as a parsed `Value`, a realistic
/// 1 KB Purchase event cost about 7 KB of resident memory, so a full store of 100,000 events
/// took some 725 MB; as text it is about 2.5 KB and 260 MB (docs/reliability.md).
#[derive(Debug)]
struct Kept {
    id: u64,
    batch: Arc<BatchInfo>,
    dedup: Dedup,
    duplicate_of: Option<EarlierEvent>,
    /// The dedup key, for unique events (the only ones the index can point at).
    key: Option<Arc<Key>>,
    event: Box<RawValue>,
}

/// How a kept event serializes: exactly as [`Received`] does.
#[derive(Serialize)]
struct KeptView<'a> {
    id: u64,
    received_at: &'a str,
    api_version: ApiVersion,
    pixel_id: &'a str,
    test: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    test_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partner: Option<&'a str>,
    dedup: Dedup,
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicate_of: Option<&'a EarlierEvent>,
    event: &'a RawValue,
}

impl Kept {
    fn view(&self) -> KeptView<'_> {
        let b = &*self.batch;
        KeptView {
            id: self.id,
            received_at: &b.received_at,
            api_version: b.api_version,
            pixel_id: &b.pixel_id,
            test: b.test,
            test_id: b.test_id.as_deref(),
            partner: b.partner.as_deref(),
            dedup: self.dedup,
            duplicate_of: self.duplicate_of.as_ref(),
            event: &self.event,
        }
    }

    fn received(&self) -> Received {
        let b = &*self.batch;
        Received {
            id: self.id,
            received_at: b.received_at.clone(),
            received_ms: b.received_ms,
            api_version: b.api_version,
            pixel_id: b.pixel_id.clone(),
            test: b.test,
            test_id: b.test_id.clone(),
            partner: b.partner.clone(),
            dedup: self.dedup,
            duplicate_of: self.duplicate_of.clone(),
            event: serde_json::from_str(self.event.get()).expect("kept events are JSON"),
        }
    }
}

/// The newest `max` accepted events and a dedup index over them.
#[derive(Debug)]
pub(crate) struct Store {
    events: VecDeque<Kept>,
    /// The latest unique event of each key: (id, received ms).
    index: HashMap<Arc<Key>, (u64, EpochMillis)>,
    next_id: u64,
    max: usize,
}

impl Store {
    pub(super) fn new(max: usize) -> Store {
        Store { events: VecDeque::new(), index: HashMap::new(), next_id: 1, max: max.max(1) }
    }

    /// Records a batch received at `now_ms`.
    pub(super) fn record(&mut self, batch: Batch<'_>, now_ms: EpochMillis) {
        let info = Arc::new(BatchInfo {
            received_at: format_rfc3339(now_ms),
            received_ms: now_ms,
            api_version: batch.version,
            pixel_id: batch.pixel.to_string(),
            test: batch.test,
            test_id: batch.test_id.map(str::to_string),
            partner: batch.partner.map(str::to_string),
        });
        for event in batch.events {
            let id = self.next_id;
            self.next_id += 1;
            let (dedup, duplicate_of, kept_key) = match key(batch.version, batch.pixel, &event) {
                None => (Dedup::SessionOnly, None, None),
                Some(k) => match self.index.get(&k) {
                    Some(&(earlier, at)) if now_ms - at <= DEDUP_WINDOW_MS => (
                        Dedup::WouldBeDeduplicated,
                        Some(EarlierEvent { id: earlier, received_at: format_rfc3339(at) }),
                        None,
                    ),
                    _ => {
                        let k = Arc::new(k);
                        self.index.insert(k.clone(), (id, now_ms));
                        (Dedup::Unique, None, Some(k))
                    }
                },
            };
            let event = serde_json::value::to_raw_value(&event).expect("values serialize");
            self.events.push_back(Kept {
                id,
                batch: info.clone(),
                dedup,
                duplicate_of,
                key: kept_key,
                event,
            });
            while self.events.len() > self.max {
                self.evict_oldest();
            }
        }
    }

    fn evict_oldest(&mut self) {
        let Some(old) = self.events.pop_front() else { return };
        if let Some(k) = old.key
            && self.index.get(&k).is_some_and(|(id, _)| *id == old.id)
        {
            self.index.remove(&k);
        }
    }

    /// All recorded events, oldest first.
    pub(super) fn all(&self) -> Vec<Received> {
        self.events.iter().map(Kept::received).collect()
    }

    /// `{"events": [Received…]}`, oldest first, serialized straight from the kept JSON (the
    /// pages of [`Store::json_page`] put together, as the HTTP listing streams them).
    #[cfg(test)]
    pub(super) fn to_json_bytes(&self) -> Vec<u8> {
        let mut out = b"{\"events\":[".to_vec();
        let (mut after, upto) = (0, self.recorded());
        while let Some(last) = self.json_page(after, upto, 2, &mut out) {
            after = last;
        }
        out.extend_from_slice(b"]}");
        out
    }

    /// Appends, comma-separated (with a leading comma unless `after` is 0), up to `max` kept
    /// events with ids in `after + 1 ..= upto`; returns the last id written, or `None` when
    /// there are no more. Events evicted or cleared in between are skipped.
    pub(super) fn json_page(&self, after: u64, upto: u64, max: usize, out: &mut Vec<u8>) -> Option<u64> {
        let start = self.events.partition_point(|k| k.id <= after);
        let mut last = None;
        for kept in self.events.range(start..).take(max).take_while(|k| k.id <= upto) {
            if after > 0 || last.is_some() {
                out.push(b',');
            }
            serde_json::to_writer(&mut *out, &kept.view()).expect("events serialize");
            last = Some(kept.id);
        }
        last
    }

    /// How many events are kept now.
    pub(super) fn len(&self) -> usize {
        self.events.len()
    }

    /// How many events were ever recorded (evicted and cleared ones included).
    pub(super) fn recorded(&self) -> u64 {
        self.next_id - 1
    }

    /// Forgets every event; returns how many there were.
    pub(super) fn clear(&mut self) -> usize {
        let n = self.events.len();
        self.events.clear();
        self.index.clear();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_704_721_970_212;

    fn batch(version: ApiVersion, events: Vec<Value>) -> Batch<'static> {
        Batch { version, pixel: "a2_px", test: false, test_id: None, partner: None, events }
    }

    fn v2(tracking: &str, conversion_id: Option<&str>, name: Option<&str>) -> Value {
        let mut e =
            json!({"event_at": "2024-01-08T13:52:50.212Z", "event_type": {"tracking_type": tracking}});
        if let Some(n) = name {
            e["event_type"]["custom_event_name"] = json!(n);
        }
        if let Some(c) = conversion_id {
            e["event_metadata"] = json!({"conversion_id": c});
        }
        e
    }

    fn verdicts(store: &Store) -> Vec<(Dedup, Option<u64>)> {
        store.all().iter().map(|r| (r.dedup, r.duplicate_of.as_ref().map(|d| d.id))).collect()
    }

    #[test]
    fn same_conversion_id_and_type_within_two_days() {
        let mut s = Store::new(10);
        s.record(batch(ApiVersion::V2, vec![v2("Purchase", Some("c1"), None)]), NOW);
        s.record(batch(ApiVersion::V2, vec![v2("Purchase", Some("c1"), None)]), NOW + DEDUP_WINDOW_MS);
        s.record(batch(ApiVersion::V2, vec![v2("Lead", Some("c1"), None)]), NOW + 1);
        s.record(batch(ApiVersion::V2, vec![v2("Purchase", Some("c1"), None)]), NOW + DEDUP_WINDOW_MS + 1);
        s.record(batch(ApiVersion::V2, vec![v2("Purchase", None, None)]), NOW);
        assert_eq!(
            verdicts(&s),
            [
                (Dedup::Unique, None),
                (Dedup::WouldBeDeduplicated, Some(1)),
                (Dedup::Unique, None),
                (Dedup::Unique, None),
                (Dedup::SessionOnly, None)
            ]
        );
    }

    #[test]
    fn custom_names_and_versions() {
        let mut s = Store::new(10);
        let v3 = json!({"event_at": NOW, "type": {"tracking_type": "CUSTOM", "custom_event_name": "A"}, "metadata": {"conversion_id": "c"}});
        s.record(
            batch(
                ApiVersion::V2,
                vec![v2("Custom", Some("c"), Some("A")), v2("Custom", Some("c"), Some("B"))],
            ),
            NOW,
        );
        s.record(batch(ApiVersion::V3, vec![v3]), NOW);
        assert_eq!(
            verdicts(&s),
            [(Dedup::Unique, None), (Dedup::Unique, None), (Dedup::WouldBeDeduplicated, Some(1))]
        );
    }

    #[test]
    fn bounded_and_index_follows_eviction() {
        let mut s = Store::new(2);
        for i in 0..5 {
            s.record(batch(ApiVersion::V2, vec![v2("Purchase", Some(&format!("c{i}")), None)]), NOW);
        }
        assert_eq!(s.all().iter().map(|r| r.id).collect::<Vec<_>>(), [4, 5]);
        assert_eq!(s.index.len(), 2);
        assert_eq!(s.clear(), 2);
        assert!(s.all().is_empty() && s.index.is_empty());
        s.record(batch(ApiVersion::V2, vec![v2("Purchase", Some("c4"), None)]), NOW);
        assert_eq!(s.all()[0].id, 6);
        assert_eq!(s.all()[0].dedup, Dedup::Unique);
    }

    #[test]
    fn the_listing_is_the_received_events_serialized() {
        let mut s = Store::new(10);
        let mut b =
            batch(ApiVersion::V3, vec![json!({"x": 1.5, "b": [1, "é\\n"], "a": {"z": null, "y": u64::MAX}})]);
        (b.test_id, b.partner) = (Some("t2_x"), Some("SEGMENT"));
        s.record(b, NOW);
        s.record(
            batch(ApiVersion::V2, vec![v2("Purchase", Some("c1"), None), v2("Purchase", Some("c1"), None)]),
            NOW,
        );
        let all = s.all();
        assert_eq!(all[0].event, json!({"x": 1.5, "b": [1, "é\\n"], "a": {"z": null, "y": u64::MAX}}));
        assert_eq!(all[2].dedup, Dedup::WouldBeDeduplicated);
        let expected = serde_json::to_vec(&json!({ "events": all })).unwrap();
        assert_eq!(String::from_utf8(s.to_json_bytes()).unwrap(), String::from_utf8(expected).unwrap());
        assert_eq!(Store::new(1).to_json_bytes(), br#"{"events":[]}"#);
    }

    #[test]
    fn serializes_verdict_and_time() {
        let mut s = Store::new(10);
        s.record(batch(ApiVersion::V3, vec![json!({"x": 1})]), NOW);
        let v = serde_json::to_value(&s.all()[0]).unwrap();
        assert_eq!(
            v,
            json!({"id": 1, "received_at": "2024-01-08T13:52:50.212Z", "api_version": "v3", "pixel_id": "a2_px",
                "test": false, "dedup": Dedup::SessionOnly.verdict(), "event": {"x": 1}})
        );
    }
}
