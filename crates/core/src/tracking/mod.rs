//! Segment's HTTP Tracking API as its libraries speak it: which call a path names (`/v1/track`,
//! analytics.js's `/v1/t`, …, `/v1/batch`), the write key (HTTP Basic or `writeKey` in the
//! body), Segment's limits (32 KB per event, 500 KB per batch) and the checks that give bad
//! input a clear answer. [`enrich`] then stamps each event as Segment's pipeline does before a
//! destination sees it. Bodies come in as bytes (already gunzipped); nothing here does I/O.

mod basic;
mod enrich;

pub use basic::basic_user;
pub use enrich::{Enrichment, Stamp, enrich};

use serde_json::{Map, Value};

use crate::segment::{EventType, json_kind as kind};

/// Segment's limit on one event (and on the body of a single call): 32 KB.
pub const MAX_EVENT_BYTES: usize = 32 * 1024;
/// Segment's limit on a batch request's body: 500 KB.
pub const MAX_BATCH_BYTES: usize = 500 * 1024;

/// What a Tracking API path asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// One event of this type (`/v1/track`, `/v1/t`, …).
    One(EventType),
    /// `{"batch": [...]}` (`/v1/batch`, `/v1/b`, `/v1/import`).
    Batch,
}

impl Call {
    /// The call a request path names, long or short (`/v1/t`, `/v1/p`, `/v1/i`, `/v1/s`, `/v1/g`,
    /// `/v1/a`, `/v1/b`), with or without a trailing slash; `None` for any other path.
    pub fn from_path(path: &str) -> Option<Call> {
        let name = path.strip_prefix("/v1/")?;
        let name = name.strip_suffix('/').unwrap_or(name);
        Some(match name {
            "batch" | "b" | "import" => Call::Batch,
            "track" | "t" => Call::One(EventType::Track),
            "page" | "p" => Call::One(EventType::Page),
            "screen" | "s" => Call::One(EventType::Screen),
            "identify" | "i" => Call::One(EventType::Identify),
            "group" | "g" => Call::One(EventType::Group),
            "alias" | "a" => Call::One(EventType::Alias),
            _ => return None,
        })
    }

    /// The largest body this call takes: 32 KB for one event, 500 KB for a batch.
    pub fn body_limit(self) -> usize {
        match self {
            Call::One(_) => MAX_EVENT_BYTES,
            Call::Batch => MAX_BATCH_BYTES,
        }
    }
}

/// A request's events, read and checked, not yet enriched.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// `writeKey` from the body, when it has one (analytics.js sends it there).
    pub write_key: Option<String>,
    /// The batch's `sentAt` (a single call's stays in its event).
    pub sent_at: Option<Value>,
    /// The events, `type` set from the path for a single call, `writeKey` removed.
    pub events: Vec<Map<String, Value>>,
}

/// Why a request's body is refused (Segment answers these with 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CollectError {
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("the body is JSON {0}, not an object")]
    NotObject(&'static str),
    #[error("a batch request needs \"batch\": an array of events")]
    NoBatch,
    #[error("the body is {bytes} bytes; Segment takes at most {limit} bytes per request")]
    BodyTooLarge { bytes: usize, limit: usize },
    #[error("event {index} is {bytes} bytes; Segment takes at most {MAX_EVENT_BYTES} bytes per event")]
    EventTooLarge { index: usize, bytes: usize },
    #[error("event {index}: {problem}")]
    Event { index: usize, problem: String },
}

/// Reads and checks a request body for `call`: JSON, the batch's shape, each event's size and
/// the fields its type needs (`userId` or `anonymousId`; `event` for track, `groupId` for group,
/// `previousId` and `userId` for alias). One bad event refuses the whole request, naming it.
pub fn read_request(call: Call, body: &[u8]) -> Result<Incoming, CollectError> {
    if body.len() > call.body_limit() {
        return Err(CollectError::BodyTooLarge { bytes: body.len(), limit: call.body_limit() });
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| CollectError::NotJson(e.to_string()))?;
    let Value::Object(mut body) = value else { return Err(CollectError::NotObject(kind(&value))) };
    let write_key = match body.remove("writeKey") {
        Some(Value::String(key)) => Some(key),
        _ => None,
    };
    let (sent_at, events) = match call {
        Call::One(event_type) => {
            body.insert("type".into(), Value::from(event_type.as_str()));
            (None, vec![body])
        }
        Call::Batch => {
            let Some(Value::Array(batch)) = body.remove("batch") else { return Err(CollectError::NoBatch) };
            let context = body.remove("context");
            let integrations = body.remove("integrations");
            let mut events = Vec::with_capacity(batch.len());
            for (index, event) in batch.into_iter().enumerate() {
                let Value::Object(mut event) = event else {
                    let problem = format!("is JSON {}, not an object", kind(&event));
                    return Err(CollectError::Event { index, problem });
                };
                event.remove("writeKey");
                // The batch's context and integrations apply to each event; the event's own win.
                for (key, shared) in [("context", &context), ("integrations", &integrations)] {
                    if let Some(Value::Object(shared)) = shared {
                        merge_missing(&mut event, key, shared);
                    }
                }
                events.push(event);
            }
            (body.remove("sentAt"), events)
        }
    };
    for (index, event) in events.iter().enumerate() {
        let bytes = serialized_len(event);
        if bytes > MAX_EVENT_BYTES {
            return Err(CollectError::EventTooLarge { index, bytes });
        }
        check_event(event).map_err(|problem| CollectError::Event { index, problem })?;
    }
    Ok(Incoming { write_key, sent_at, events })
}

/// Puts `shared`'s keys into `event[key]` where the event has none (creating the object).
fn merge_missing(event: &mut Map<String, Value>, key: &str, shared: &Map<String, Value>) {
    let slot = event.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(own) = slot {
        for (k, v) in shared {
            own.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
}

/// What an event of its type must carry, in words when it lacks it.
fn check_event(event: &Map<String, Value>) -> Result<(), String> {
    let event_type = match event.get("type") {
        Some(Value::String(name)) => EventType::from_name(name).ok_or_else(|| {
            format!("\"type\" is {name:?}; expected track, page, screen, identify, group or alias")
        })?,
        Some(other) => return Err(format!("\"type\" is JSON {}, not a string", kind(other))),
        None => return Err("has no \"type\" (track, page, screen, identify, group or alias)".into()),
    };
    let present = |key: &str| match event.get(key) {
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Number(_)) => true,
        _ => false,
    };
    let needs = |key: &str| {
        if present(key) { Ok(()) } else { Err(format!("{} calls need \"{key}\"", event_type.as_str())) }
    };
    match event_type {
        EventType::Alias => {
            needs("previousId")?;
            needs("userId")?;
        }
        _ if !present("userId") && !present("anonymousId") => {
            return Err(format!("{} calls need \"userId\" or \"anonymousId\"", event_type.as_str()));
        }
        EventType::Track => match event.get("event") {
            Some(Value::String(name)) if !name.trim().is_empty() => {}
            _ => return Err("track calls need \"event\", the event's name".into()),
        },
        EventType::Group => needs("groupId")?,
        _ => {}
    }
    Ok(())
}

/// The length of `value` as compact JSON, without keeping the text.
fn serialized_len(value: &Map<String, Value>) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

#[cfg(test)]
mod tests;
